"""Where image data lives: a driver interface and its implementations."""
