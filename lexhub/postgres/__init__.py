"""Lexhub's PostgreSQL database backend (ENGINE "lexhub.postgres"): Django's, with the changes in base.py.
Code asks for its features through web.db, never by importing it."""
