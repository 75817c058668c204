"""Click commands that are too large for srs/cli.py, one module per command family."""
