# Sunlight — the two commands: `make run` and `make test`. Everything else is optional.
SHELL := /bin/bash
.DEFAULT_GOAL := help

UV_VERSION := 0.13.9
UV := $(shell command -v uv 2>/dev/null || echo $(CURDIR)/.tools/bin/uv)
RUN := $(UV) run --frozen --no-sync
SERVICES := funds tenders approvals complaints integrity
BACKENDS ?= sqlite,postgres
PYTEST_ARGS ?=

.PHONY: help setup node-tools run test test-fast migrate openapi openapi-check bench lint format clean

help:
	@echo "make run        set up, migrate and start the whole suite on SQLite + the embedded log"
	@echo "make test       set up and run every test on both backends (SQLite+log, PostgreSQL+NATS)"
	@echo "make test-fast  the same on SQLite + the embedded log only"
	@echo "make migrate    upgrade every database (var/*.db, or SUNLIGHT_DATABASE_URL per process)"
	@echo "make openapi    regenerate openapi/ (services, merged gateway document, event schemas)"
	@echo "make openapi-check  fail on drift of openapi/ and on any Spectral, Redocly or AsyncAPI error or warning"
	@echo "make bench      proxy overhead (direct, gateway, nginx) and event latency (appends docs/benchmarks.md)"
	@echo "make lint       ruff and mypy"

$(CURDIR)/.tools/bin/uv:
	@echo "uv not found: installing uv $(UV_VERSION) into .tools/"
	python3 -m venv .tools
	.tools/bin/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

setup: $(UV)
	@$(UV) sync --frozen --quiet

# The pinned npm tools (package-lock.json): linters of openapi/ and the TypeScript toolchain of
# tests/test_typescript_client.py. Reinstalled only when the lock file changes.
node_modules/.sunlight-installed: package.json package-lock.json
	npm ci --no-audit --no-fund --ignore-scripts --loglevel=error
	@touch $@

node-tools: node_modules/.sunlight-installed

var/secrets.env: setup
	@$(RUN) python scripts/dev_secrets.py

migrate: setup var/secrets.env
	@set -a; source var/secrets.env; set +a; $(RUN) python scripts/migrate_all.py

run: setup migrate
	@$(RUN) python scripts/dev_secrets.py
	@set -a; source var/secrets.env; set +a; exec $(RUN) honcho start -f Procfile

test: setup node-tools
	$(RUN) pytest --backends=$(BACKENDS) $(PYTEST_ARGS)

test-fast: BACKENDS = sqlite
test-fast: test

openapi: setup
	$(RUN) python scripts/export_openapi.py

openapi-check: setup node-tools
	$(RUN) python scripts/export_openapi.py --check
	$(RUN) python scripts/lint_contract.py

bench: setup
	$(RUN) python bench/run.py

lint: setup
	$(RUN) ruff check shared gateway services tests scripts bench
	$(RUN) mypy shared/src/sunlight

format: setup
	$(RUN) ruff format shared gateway services tests scripts bench
	$(RUN) ruff check --fix shared gateway services tests scripts bench

clean:
	rm -rf var .venv .tools node_modules .pytest_cache .ruff_cache .mypy_cache
