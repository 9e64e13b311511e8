"""The register's reads and writes: units, rights, parties, cases, certificates."""
