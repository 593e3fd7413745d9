"""Audit reports: the JSON document every other format is derived from, CSV, console."""
