from tests.api.conftest import media, owner, synced  # noqa: F401  (the API tests' synced sandbox account)
