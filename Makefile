# Tandem: `make demo` to try it, `make test` to check it. See README.md.
SHELL := /bin/bash
VENV := .venv
BIN := $(VENV)/bin
PYTHON := $(shell scripts/find-python)
PORT ?= 8000
DEMO_CHILDREN ?= 3000
export DJANGO_SETTINGS_MODULE := tandem.config.settings

.PHONY: install demo serve test test-sqlite test-postgres test-browser bench lint format clean

install: $(VENV)/.installed build/static/.built

$(VENV)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	touch $@

build/static/.built: package.json package-lock.json scss/app.scss scripts/build-assets
	npm ci --no-audit --no-fund --silent
	sh scripts/build-assets
	touch $@

demo: install
	$(BIN)/tandem demo --children $(DEMO_CHILDREN)
	$(BIN)/tandem serve --port $(PORT)

serve: install
	$(BIN)/tandem serve --port $(PORT)

# The whole suite on SQLite, then again on a throwaway PostgreSQL 15 cluster.
test: install
	scripts/ensure-chromium
	$(BIN)/ruff check src tests bench
	$(MAKE) test-sqlite
	$(MAKE) test-postgres

test-sqlite:
	DATABASE_URL=sqlite:///$(CURDIR)/var/test.sqlite3 $(BIN)/pytest -n 2 -q

test-postgres:
	scripts/with-postgres $(BIN)/pytest -n 2 -q

bench: install
	$(BIN)/python bench/synth_speed.py
	TANDEM_PG_DURABLE=1 scripts/with-postgres $(BIN)/python bench/api_throughput.py

lint:
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench

format:
	$(BIN)/ruff format src tests bench
	$(BIN)/ruff check --fix src tests bench

clean:
	rm -rf $(VENV) build node_modules var
