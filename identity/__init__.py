"""The identity service: Keystone v3 compatible users, projects, roles, tokens and catalog."""
