# Everything runs in a local .venv; nothing here needs Docker or a system service
# (but `make bench`, which needs PostgreSQL, Redis and wrk).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
STAMP := $(VENV)/.installed
PO_FILES := $(wildcard locale/*/LC_MESSAGES/*.po locale_overrides/*/LC_MESSAGES/*.po)
MO_FILES := $(PO_FILES:.po=.mo)
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install lock run test coverage lint format messages translations migrate shell worker beat bench clean

install: $(STAMP) $(MO_FILES)

# The exact versions of requirements-dev.txt, hashes checked, then the project
# itself (its dependencies are all in the lock); `pip check` catches a lock
# that pyproject.toml has outgrown.
$(STAMP): pyproject.toml requirements-dev.txt
	@$(PYTHON) -c 'import sys; sys.exit("Python 3.11 or newer is needed, found " + sys.version.split()[0]) if sys.version_info < (3, 11) else None'
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet --require-hashes -r requirements-dev.txt
	$(PY) -m pip install --quiet --no-deps -e .
	$(PY) -m pip check || { echo 'requirements-dev.txt does not match pyproject.toml: run make lock' >&2; exit 1; }
	touch $(STAMP)

# Refresh the lock files after a change to pyproject.toml's dependencies:
# requirements.txt (runtime, for the Docker image) and requirements-dev.txt
# (runtime + dev, for make install), exact versions with hashes, valid on every
# Python from 3.11. Pins already in the files are kept; to move all of them to
# the newest allowed versions: make lock LOCK_ARGS=--upgrade
UV_VERSION := 0.13.9
LOCK_ARGS ?=
lock:
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet 'uv==$(UV_VERSION)'
	$(BIN)/uv pip compile --quiet --universal --python-version 3.11 --generate-hashes \
		--custom-compile-command 'make lock' $(LOCK_ARGS) \
		pyproject.toml -o requirements.txt
	$(BIN)/uv pip compile --quiet --universal --python-version 3.11 --generate-hashes \
		--custom-compile-command 'make lock' $(LOCK_ARGS) \
		pyproject.toml --extra dev -c requirements.txt -o requirements-dev.txt

# Compiled catalogues are build products: never edit or commit a .mo file.
%.mo: %.po $(STAMP)
	$(PY) -m helpdesk.compile_messages $<

translations: $(MO_FILES)

migrate: install
	$(PY) manage.py migrate --noinput

# The demo: the vendor's support contacts (DEMO=true), links in its e-mails
# that follow HOST and PORT unless SITE_URL is given, and webhooks allowed to
# a receiver on this machine (the README's API session).
DEMO_ENV = DEMO=true SITE_URL=$${SITE_URL:-http://$(HOST):$(PORT)} \
	WEBHOOKS_ALLOW_PRIVATE_TARGETS=$${WEBHOOKS_ALLOW_PRIVATE_TARGETS:-true}
run: migrate
	$(DEMO_ENV) $(PY) manage.py seed_demo
	$(DEMO_ENV) $(PY) manage.py seed_demo_automation
	$(DEMO_ENV) $(PY) manage.py seed_demo_knowledge
	$(DEMO_ENV) $(PY) manage.py runserver $(HOST):$(PORT)

test: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(PY) manage.py makemigrations --check --dry-run
	$(PY) -m tests.run

# The suite under coverage.py; `coverage report` lists each module's share.
coverage: install
	$(BIN)/coverage run -m pytest
	$(BIN)/coverage report

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Refresh the .po catalogues from the source (needs GNU gettext's xgettext).
messages: install
	$(PY) manage.py makemessages -l ru --no-location --no-obsolete --ignore '.venv/*' --ignore 'tests/*'
	$(MAKE) translations

# The portal under load on a database of TICKETS tickets (seeded once, then
# reused), against its own ceiling; needs PostgreSQL, Redis, wrk and locust.
# See bench/README.md. A quicker run: make bench TICKETS=100000
TICKETS ?= 1000000
bench: install
	@$(PY) -c 'import locust' 2>/dev/null || $(PY) -m pip install --quiet -e '.[dev,bench]'
	@command -v wrk >/dev/null 2>&1 || { command -v apt-get >/dev/null 2>&1 && [ "$$(id -u)" = 0 ] && apt-get install -y -qq wrk >/dev/null; } || true
	$(PY) bench/run.py --tickets $(TICKETS)

shell: install
	$(PY) manage.py shell

worker: install
	$(BIN)/celery -A helpdesk worker --loglevel=INFO

beat: install
	$(BIN)/celery -A helpdesk beat --loglevel=INFO

clean:
	rm -rf $(VENV) $(MO_FILES) staticfiles .pytest_cache
