"""A local, stateful simulator of the Lexoffice public API (see shared/lexoffice-api.md).

Standalone: it uses Werkzeug and waitress, never Django or Lexhub's own code, and keeps its state in
memory per organization. Started by `manage.py sandbox`; tests and benchmarks drive it over HTTP.
"""
