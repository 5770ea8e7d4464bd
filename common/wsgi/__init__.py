"""HTTP plumbing shared by the service APIs (Flask app factory and helpers)."""
