# Two commands for a newcomer: `make run` and `make test`. Everything else is optional.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEV_STAMP := $(VENV)/.installed-dev

.PHONY: run test lint format bench chaos migrate clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(STAMP): requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(DEV_STAMP): requirements.txt requirements-dev.txt requirements-s3.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $(STAMP) $@

# make run: embedded defaults (SQLite, filesystem broker, sandbox); one Ctrl-C stops everything.
# DEBUG is off (no tracebacks or URL lists for whoever reaches the port; `DJANGO_DEBUG=1 make run` for
# debug pages). Plain http on 127.0.0.1, so cookies cannot be Secure here: said explicitly, not tied to DEBUG.
RUN_ENV = DJANGO_DEBUG=$${DJANGO_DEBUG:-0} SESSION_COOKIE_SECURE=$${SESSION_COOKIE_SECURE:-0} \
	CSRF_COOKIE_SECURE=$${CSRF_COOKIE_SECURE:-0} \
	LEXOFFICE_API_BASE_URLS=$${LEXOFFICE_API_BASE_URLS:-http://127.0.0.1:8765} \
	LEXHUB_OUTGOING_WEBHOOKS_ALLOWED_NETWORKS=$${LEXHUB_OUTGOING_WEBHOOKS_ALLOWED_NETWORKS:-127.0.0.0/8,::1/128} \
	LEXHUB_INTAKE_ALLOWED_NETWORKS=$${LEXHUB_INTAKE_ALLOWED_NETWORKS:-127.0.0.0/8,::1/128}
run: $(STAMP)
	$(RUN_ENV) $(BIN)/python manage.py migrate --noinput
	$(RUN_ENV) $(BIN)/python manage.py ensure_admin
	$(RUN_ENV) \
	LEXOFFICE_WEBHOOK_PUBLIC_KEYS=$${LEXOFFICE_WEBHOOK_PUBLIC_KEYS:-var/sandbox/public_key.pem} \
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/honcho start -f Procfile

# Tests keep their own var/ (database file, broker folder) apart from a running `make run`.
test: $(DEV_STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	LEXHUB_VAR_DIR=$${LEXHUB_VAR_DIR:-$(CURDIR)/var/test} $(BIN)/mypy
	LEXHUB_VAR_DIR=$${LEXHUB_VAR_DIR:-$(CURDIR)/var/test} $(BIN)/python -m pytest $(PYTEST_ARGS)

lint: $(DEV_STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(DEV_STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

bench: $(DEV_STAMP)
	$(BIN)/python -m bench $(ARGS)

chaos: $(DEV_STAMP)
	$(BIN)/python -m chaos $(ARGS)

clean:
	rm -rf var/ .pytest_cache .ruff_cache
