"""The web dashboard; built by the [dashboard] issue."""
