"""Fernet tokens: keys, payloads, revocation, issue and validation."""
