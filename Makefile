# Sunlight — the two commands: `make run` and `make test`. Everything else is optional.
SHELL := /bin/bash
.DEFAULT_GOAL := help

UV_VERSION := 0.13.9
UV := $(shell command -v uv 2>/dev/null || echo $(CURDIR)/.tools/bin/uv)
RUN := $(UV) run --frozen --no-sync
SERVICES := funds tenders approvals complaints integrity
BACKENDS ?= sqlite,postgres
PYTEST_ARGS ?=
# `make run BACKEND=postgres`: the cluster backends on one machine (a database per process on the local
# PostgreSQL, created when missing, and NATS JetStream); override SUNLIGHT_DATABASE_URL / SUNLIGHT_NATS_URL to point elsewhere
BACKEND ?= sqlite
ifeq ($(BACKEND),postgres)
export SUNLIGHT_DATABASE_URL ?= postgresql+asyncpg://postgres@127.0.0.1:5432/sunlight_{service}
export SUNLIGHT_BUS ?= nats
else ifneq ($(BACKEND),sqlite)
$(error BACKEND is sqlite (the default) or postgres)
endif

.PHONY: help setup node-tools run test test-fast migrate openapi openapi-check bench lint format clean k8s images

help:
	@echo "make run        set up, migrate and start the whole suite on SQLite + the embedded log"
	@echo "                (BACKEND=postgres: on the local PostgreSQL, a database per process, and NATS JetStream)"
	@echo "make test       set up and run every test on both backends (SQLite+log, PostgreSQL+NATS)"
	@echo "make test-fast  the same on SQLite + the embedded log only"
	@echo "make migrate    upgrade every database (var/*.db, or SUNLIGHT_DATABASE_URL per process)"
	@echo "make openapi    regenerate openapi/ (services, merged gateway document, event schemas)"
	@echo "make openapi-check  fail on drift of openapi/ and on any Spectral, Redocly or AsyncAPI error or warning"
	@echo "make bench      proxy overhead, event latency, tenders indicators, approvals XES import (appends docs/benchmarks.md)"
	@echo "make lint       ruff and mypy"
	@echo "make k8s        regenerate deploy/k8s/base from the settings and the Procfile"
	@echo "make images     build the six images (docker; IMAGE_TAG=dev)"

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
	@set -a; source var/secrets.env; set +a; $(RUN) honcho start -f Procfile || [ $$? -eq 130 ]  # Ctrl-C (130) is how it ends

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

k8s: setup
	$(RUN) python scripts/export_k8s.py

IMAGE_TAG ?= dev
images:
	@for name in gateway funds tenders approvals complaints integrity; do \
	  docker build --build-arg SERVICE=$$name -t sunlight-$$name:$(IMAGE_TAG) . || exit 1; \
	done

format: setup
	$(RUN) ruff format shared gateway services tests scripts bench
	$(RUN) ruff check --fix shared gateway services tests scripts bench

clean:
	rm -rf var .venv .tools node_modules .pytest_cache .ruff_cache .mypy_cache
