"""The exemptions' reads and writes: case materials and their attachments, e-certificate look-ups, bank contracts."""
