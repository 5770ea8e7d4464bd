"""The ``stratus`` command-line client (entry point ``stratus.cli.main:main``)."""
