"""The project's benchmark: every speed target as a ratio against a baseline measured in the same run."""
