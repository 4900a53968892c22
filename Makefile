# Sigap Kerja. `make help` lists the targets.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
MANAGE := $(PY) manage.py
HOST ?= 127.0.0.1
PORT ?= 8000

.DEFAULT_GOAL := help

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PIP) install -q --upgrade pip
	$(PIP) install -q -e '.[test]'
	touch $@

install: $(VENV)/.installed ## create .venv and install the project with its dependencies

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

lint: install ## ruff
	$(VENV)/bin/ruff check .

check: install ## Django system checks and missing-migration check
	$(MANAGE) check
	$(MANAGE) makemigrations --check --dry-run

test: lint check ## set up, lint, check, and run the test suite
	$(VENV)/bin/pytest -q

clean: ## remove the virtualenv and local data
	rm -rf $(VENV) var

.PHONY: help install migrate demo run lint check test clean
