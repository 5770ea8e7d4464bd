"""Plumbing shared by every Stratus service; holds no business logic."""
