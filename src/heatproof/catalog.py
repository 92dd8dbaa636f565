"""Find and show what a workspace holds: designs, units, stands, campaigns, runs and verdicts,
as plain JSON-ready rows (the CLI's `list` and `show`, and later the web application)."""
