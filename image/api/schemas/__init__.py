"""JSON Schemas of image request bodies (and the documents of /v2/schemas)."""
