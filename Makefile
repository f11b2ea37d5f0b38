# Civicloop: `make demo` and `make test` are the two commands a newcomer needs.
# Everything is installed into .venv from the lock file (uv.lock); uv itself is
# bootstrapped from PyPI into .tools/ when missing.

# The interpreter itself (sys.executable), not a launcher such as a pyenv shim:
# uv compares it with the one .venv was made from, and re-creates .venv (and
# throws away its compiled bytecode) on every `uv sync` when they differ.
PYTHON ?= $(shell p=$$(command -v python3.11 || command -v python3) && "$$p" -c 'import sys; print(sys.executable)')
UV_VERSION := 0.13.9
TOOLS := .tools
UV := $(TOOLS)/bin/uv
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
VAR_DIR := $(or $(CIVICLOOP_VAR_DIR),var)
export UV_PYTHON := $(PYTHON)
export UV_PYTHON_DOWNLOADS := never
export UV_PROJECT_ENVIRONMENT := $(VENV)

.PHONY: install system-deps demo serve test lint format messages bench clean worker

$(UV):
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

install: $(UV)
	$(UV) sync --frozen --quiet
	@# a catalogue directory is compiled when one of its .mo is missing or older than its .po
	@for dir in civicloop/locale civicloop/*/locale; do \
		[ -d $$dir ] || continue; stale=; \
		for po in $$dir/*/LC_MESSAGES/django.po; do mo=$${po%.po}.mo; \
			[ -f $$mo ] && [ -z "$$(find $$po -newer $$mo)" ] || stale=1; \
		done; \
		[ -z "$$stale" ] || $(VENV)/bin/pybabel -q compile --use-fuzzy -d $$dir -D django || exit 1; \
	done

## Build (or reuse) the Erqi demo database under var/ and serve it, with the
## worker (lights, reminders, escalations, outbox) running beside the server.
## DEBUG is on (development secret key allowed; see docs/settings.md).
demo: export DEBUG ?= 1
demo: install
	@fc-list 2>/dev/null | grep -qi "Noto Sans CJK" || bash .ci/system-deps || \
		echo "WARNING: Noto CJK fonts missing (sudo apt-get install fonts-noto-cjk); the PDF pages will say so."
	@# migrate and build in one process; migrate runs the system checks
	$(PY) manage.py demo --migrate --skip-checks
	$(PY) manage.py worker --interval 60 > $(VAR_DIR)/worker.log 2>&1 & worker=$$!; \
		trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
		$(PY) manage.py runserver --insecure 127.0.0.1:$(PORT)

## Production: migrate, collect static files, and run gunicorn (deploy/gunicorn.conf.py:
## workers and threads from the environment) with the worker beside it. Needs
## SECRET_KEY and ALLOWED_HOSTS; see docs/deploy.md.
serve: install
	DEBUG=0 STATIC_MANIFEST=1 $(PY) manage.py check --deploy --fail-level ERROR
	DEBUG=0 STATIC_MANIFEST=1 $(PY) manage.py migrate --noinput
	DEBUG=0 STATIC_MANIFEST=1 $(PY) manage.py collectstatic --noinput --verbosity 0
	mkdir -p $(VAR_DIR)
	DEBUG=0 STATIC_MANIFEST=1 $(PY) manage.py worker > $(VAR_DIR)/worker.log 2>&1 & worker=$$!; \
		trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
		DEBUG=0 STATIC_MANIFEST=1 $(VENV)/bin/gunicorn -c deploy/gunicorn.conf.py civicloop.wsgi:application

## Debian packages for browser and PDF tests (Chromium, Noto CJK, poppler), when missing.
system-deps:
	bash .ci/system-deps

## Run the whole test suite (SQLite unless DATABASE_URL says otherwise), one
## pytest-xdist worker per CPU (TEST_WORKERS=0 runs in one process); a test
## file stays on one worker.
TEST_WORKERS ?= auto
test: install system-deps
	$(PY) -m pytest -p no:cacheprovider -n $(TEST_WORKERS) --dist loadfile $(PYTEST_ARGS)

## Style (ruff) and the layers of the apps (import-linter, contracts in pyproject.toml).
lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports

format: install
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

## Maintainers: refresh the translation catalogues (needs GNU gettext).
messages: install
	$(PY) manage.py makemessages --no-obsolete -l zh_Hans -l en --ignore '.venv/*' --ignore '.tools/*' --ignore 'bench/*' --ignore 'var/*' --ignore '*/tests/*'

bench: install
	$(PY) bench/locate.py
	$(PY) bench/worktime.py
	$(PY) bench/extraction.py

## The background worker (lights, reminders, escalations, outbox delivery).
worker: install
	$(PY) manage.py worker

clean:
	rm -rf $(VENV) $(TOOLS)
