"""Hunting: run Sigma rules over event logs."""
