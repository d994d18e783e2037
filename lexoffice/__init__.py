"""The one seam between Lexhub and Lexoffice: the client (client.py), its errors (errors.py), the shared
request budget (ratelimit.py) and the addresses a key may be sent to (hosts.py). Imports nothing of ours."""
