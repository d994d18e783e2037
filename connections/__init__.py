"""Connections: a Lexoffice account reached with one encrypted API key, and what Lexhub does with it —
verify and connect, the mirror's base model, sync runs, the outbox of writes, passthrough calls, audit."""
