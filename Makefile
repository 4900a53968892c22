# Sigap Kerja. `make help` lists the targets.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
PYTEST := $(VENV)/bin/pytest
# Every dependency at one version with its hashes (pip-tools); `make lock` rewrites it from pyproject.toml.
LOCK := requirements.txt
PIP_TOOLS ?= pip-tools>=7.4,<8
MANAGE := $(PY) manage.py
HOST ?= 127.0.0.1
PORT ?= 8000
# Extra pytest arguments for the test-* targets, e.g. `make test-sqlite PYTEST_ARGS="-k healthz"`.
PYTEST_ARGS ?=
CHROMIUM ?= /usr/bin/chromium
# Installs Debian packages when a command is missing (root in CI; otherwise install them yourself).
# `apt-get update` runs at most once an hour (skipped when the package lists are fresh).
APT_UPDATE = find /var/lib/apt/lists -maxdepth 1 -name '*_Packages*' -mmin -60 | grep -q . || apt-get update -q
APT_INSTALL = DEBIAN_FRONTEND=noninteractive apt-get install -y -q

.DEFAULT_GOAL := help

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-14s %s\n", $$1, $$2}'

# The dependencies come only from the lock, checked against its hashes; the project itself is then
# installed editable without resolving anything (--no-deps) and built with the lock's setuptools
# (--no-build-isolation), so nothing unpinned is ever fetched.
$(VENV)/.installed: pyproject.toml $(LOCK)
	$(PYTHON) -m venv $(VENV)
	$(PIP) install -q --require-hashes -r $(LOCK)
	$(PIP) install -q --no-deps --no-build-isolation -e .
	touch $@

install: $(VENV)/.installed ## create .venv: the locked dependencies (hashes checked), then the project (editable)

# pip-tools runs from a throw-away virtualenv: it is a tool for this target, not a project dependency.
lock: ## rewrite requirements.txt from pyproject.toml; `make lock UPGRADE=1` also moves to newer releases
	rm -rf .lock-venv
	$(PYTHON) -m venv .lock-venv
	.lock-venv/bin/pip install -q '$(PIP_TOOLS)'
	.lock-venv/bin/pip-compile -q --generate-hashes --allow-unsafe --all-build-deps --strip-extras \
		--no-emit-index-url --no-emit-find-links --all-extras \
		$(if $(UPGRADE),--upgrade) -o $(LOCK) pyproject.toml
	rm -rf .lock-venv

migrate: install ## apply database migrations (creates var/db.sqlite3 by default)
	@mkdir -p var
	$(MANAGE) migrate --noinput
	$(MANAGE) createcachetable

demo: migrate ## load the demo content (idempotent)
	$(MANAGE) seed_demo

run: demo ## set up, migrate, load the demo content and serve http://127.0.0.1:8000 (admin at /admin/)
	@echo ""
	@echo "  Sigap Kerja berjalan di  http://$(HOST):$(PORT)/"
	@echo "  Admin Wagtail:           http://$(HOST):$(PORT)/admin/"
	@echo "  Login demo (kata sandi sigap-demo): admin, editor, pewawancara, humas, auditor"
	@echo ""
	@# The background worker for large register exports runs beside the server and stops with it.
	$(MANAGE) db_worker --backend exports --no-startup-delay & trap "kill $$! 2>/dev/null" EXIT; \
	$(MANAGE) runserver $(HOST):$(PORT)

serve: install ## production server: migrate, collectstatic, gunicorn (+ task worker); env in docs/deploying.md
	scripts/serve.sh

backup: install ## back up the database and uploaded files into BACKUP_DIR (default var/backups/<time>)
	scripts/backup.sh $(BACKUP_DIR)

restore: install ## restore a backup made by `make backup`: make restore BACKUP=var/backups/<time>
	@test -n "$(BACKUP)" || { echo "usage: make restore BACKUP=var/backups/<time>"; exit 2; }
	scripts/restore.sh $(BACKUP)

lint: install ## ruff
	$(VENV)/bin/ruff check .

check: install ## Django system checks and missing-migration check
	$(MANAGE) check
	$(MANAGE) makemigrations --check --dry-run

# pytest exits 5 when it collects no test: every run below must collect tests, so 5 fails as it should.
test-sqlite: install ## pytest (without browser tests) on SQLite
	env -u DATABASE_URL $(PYTEST) -q -m "not browser" --durations=5 $(PYTEST_ARGS)

postgres-deps: ## install Debian's PostgreSQL server if missing
	@ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || command -v initdb >/dev/null \
		|| { $(APT_UPDATE); $(APT_INSTALL) postgresql; }

test-postgres: install postgres-deps ## pytest (without browser tests and own_sqlite benches) on a throw-away PostgreSQL cluster
	SIGAP_SKIP_INSTALL_TEST=1 scripts/with-postgres.sh $(PYTEST) -q -m "not browser and not own_sqlite" --durations=5 \
		$(PYTEST_ARGS)

node_modules/.installed: package.json package-lock.json
	@command -v npm >/dev/null || { $(APT_UPDATE); $(APT_INSTALL) npm; }
	npm ci --no-audit --no-fund --silent
	touch $@

browser-deps: node_modules/.installed ## install Debian's Chromium and axe-core (npm) if missing
	@test -x $(CHROMIUM) || { $(APT_UPDATE); $(APT_INSTALL) chromium; }

test-browser: install browser-deps ## real-browser tests (Playwright + Chromium, axe-core), screenshots in test-artifacts/
	env -u DATABASE_URL $(PYTEST) -q -m browser tests/e2e $(PYTEST_ARGS)

# makemessages and compilemessages look only at our own sources: not the virtualenv, data or tests.
MESSAGES_IGNORE := .venv node_modules var media static_collected build test-artifacts tests bench scripts *.egg-info
MESSAGES_FLAGS := -l id $(foreach pattern,$(MESSAGES_IGNORE),--ignore='$(pattern)')

messages: install ## update locale/id/LC_MESSAGES/django.po from the sources and compile it (commit .po and .mo)
	@command -v msgfmt >/dev/null || { $(APT_UPDATE); $(APT_INSTALL) gettext; }
	$(MANAGE) makemessages $(MESSAGES_FLAGS) --no-obsolete --no-location --no-wrap
	$(MANAGE) compilemessages $(MESSAGES_FLAGS)

# One after the other: several tests race threads or kill workers and measure what survives, which a
# second suite on the same two cores makes a test of the machine's load.
test: lint check test-sqlite test-postgres test-browser ## set up, lint, check, pytest on SQLite and PostgreSQL, browser tests

clean: ## remove the virtualenv and local data
	rm -rf $(VENV) .lock-venv var

.PHONY: help install lock migrate demo run serve backup restore lint check messages test test-sqlite postgres-deps test-postgres \
	browser-deps test-browser clean
