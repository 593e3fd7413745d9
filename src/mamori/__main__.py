"""`python -m mamori` runs the CLI, as the `mamori` console script does."""

from mamori.cli import app

app()
