"""What every app's pages and REST API share: keyset paging (listing, sorting, compiled_walks), the API's
base classes and error format (api), list helpers, the countries list. Below the apps and connections:
it imports none of them (lint-imports keeps it so)."""
