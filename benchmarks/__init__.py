"""Reproducible performance scenarios; each prints one JSON line (see README.md)."""
