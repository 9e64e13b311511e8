"""The demo's storage: seeding the demo and synthetic registers, the load test's and the benchmarks' reads."""
