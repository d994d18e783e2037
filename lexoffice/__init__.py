"""The one seam between Lexhub and Lexoffice: the client (client.py, sending in transport.py, passthrough
checks in passthrough.py), its errors (errors.py), the kinds of sales documents (kinds.py), the shared
request budget (ratelimit.py) and the addresses a key may be sent to (hosts.py). Imports nothing of ours."""
