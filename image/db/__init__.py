"""The image service's own database."""
