"""The identity service's own database."""
