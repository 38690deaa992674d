# KI-Readiness-Portal: `make run` serves the demo, `make test` runs the whole suite.
# Both set up everything they need on a fresh Debian/Ubuntu machine with Python 3.11.

SHELL := /bin/bash
PYTHON ?= python3.11
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
STAMP := $(VENV)/.installed
# Debian packages: WeasyPrint (Pango, fonts), gettext for messages, Chromium for browser tests,
# poppler for looking at PDF pages.
APT_PACKAGES := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core gettext chromium poppler-utils
HOST ?= 127.0.0.1
# The suite runs in one process per core (pytest-xdist); PYTEST_ARGS="-n 0" runs it in one.
PYTEST_ARGS ?= -n auto
PORT ?= 8000

# Node.js and npm only for the test suite's dev tools (axe-core, package.json); never served.
NODE_APT_PACKAGES := nodejs npm
NODE_STAMP := node_modules/.package-lock.json

.PHONY: run test lint format check bench messages makemessages system-deps node-deps venv migrate worker beat clean

# HOST and PORT also reach the settings: links in e-mails point where the portal is served.
run: venv messages migrate
	HOST=$(HOST) PORT=$(PORT) $(PY) manage.py seed_demo
	HOST=$(HOST) PORT=$(PORT) $(PY) manage.py runserver $(HOST):$(PORT)

test: venv messages node-deps
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(PY) manage.py check
	$(PY) manage.py makemigrations --check --dry-run
	DJANGO_ALLOW_ASYNC_UNSAFE=true $(VENV)/bin/pytest $(PYTEST_ARGS)

system-deps:
	@missing=""; for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = "0" ] && command -v apt-get >/dev/null; then \
	    echo "Installing system packages:$$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing; \
	  elif command -v sudo >/dev/null && command -v apt-get >/dev/null; then \
	    sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing; \
	  else \
	    echo "Please install:$$missing"; exit 1; \
	  fi; \
	fi

# axe-core for the browser suite's accessibility checks, from package-lock.json (npm ci).
$(NODE_STAMP): package.json package-lock.json
	@command -v npm >/dev/null || $(MAKE) --no-print-directory system-deps APT_PACKAGES="$(NODE_APT_PACKAGES)"
	npm ci --no-audit --no-fund --loglevel=error

node-deps: $(NODE_STAMP)

$(STAMP): pyproject.toml
	@$(MAKE) --no-print-directory system-deps
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install -q --upgrade pip
	$(PIP) install -q -e '.[dev]'
	touch $(STAMP)

venv: $(STAMP)

messages: venv
	$(PY) manage.py compilemessages -v0 --ignore=.venv

makemessages: venv
	$(PY) manage.py makemessages -l de -l en --no-obsolete --ignore=.venv --ignore=var --ignore=tests

migrate: venv
	$(PY) manage.py migrate --noinput -v0

lint: venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: venv
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

check: venv
	$(PY) manage.py check
	$(PY) manage.py makemigrations --check --dry-run

bench: venv messages migrate
	$(PY) bench/run.py

worker: venv
	$(VENV)/bin/celery -A portal worker -l info

beat: venv
	$(VENV)/bin/celery -A portal beat -l info

clean:
	rm -rf var $(VENV) .pytest_cache node_modules
