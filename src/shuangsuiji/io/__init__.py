"""The I/O shell: reading rosters and plans, writing workbooks and records."""
