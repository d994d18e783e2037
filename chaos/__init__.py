"""Seeded fault campaigns against a private PostgreSQL, Redis, sandbox, web server and workers (`make chaos`)."""
