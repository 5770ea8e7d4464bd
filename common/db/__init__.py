"""Database plumbing: engines and sessions, column types, migrations, paging."""
