"""Lexhub's PostgreSQL database backend (ENGINE "lexhub.postgres"): Django's, with two changes in base.py."""
