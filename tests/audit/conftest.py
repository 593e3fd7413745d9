"""Audit tests share `builders` (this folder is put on sys.path because this file is here)."""
