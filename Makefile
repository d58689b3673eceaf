# Two commands do all the set-up: `make run` and `make test` (README.md).
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
HOST ?= 127.0.0.1
PYTEST_ARGS ?=

# Reinstall only when pyproject.toml changes, so a second `make run` starts in seconds.
RUN_STAMP := $(VENV)/.installed-run
TEST_STAMP := $(VENV)/.installed-test

.PHONY: run test install lint migrate clean load load-full

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip setuptools wheel

$(RUN_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(TEST_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[dev,gpu]"
	touch $@ $(RUN_STAMP)

install: $(RUN_STAMP)

migrate: $(RUN_STAMP)
	$(BIN)/python manage.py migrate --noinput

run: migrate
	$(BIN)/python manage.py load_demo_catalog
	$(BIN)/python manage.py serve --host $(HOST) --port $(PORT)

# pytest's exit status is the target's: a suite that collects no test (exit 5) fails too.
# The tests keep their data in a temporary folder of their own (tests/settings.py), never
# in var/, so `make test` can run beside `make run`.
test: $(TEST_STAMP)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

APPS := config accounts catalog scenes jobs moderation media_pipeline projects studio storytext web ops assets chat

lint: $(TEST_STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy $(APPS)
	$(BIN)/lint-imports

# The production topology under load (load/, README "Load and faults"): needs PostgreSQL and
# Redis on loopback (LOAD_DATABASE_URL, LOAD_REDIS_URL). Last line: N requests, E errors, L lost
# jobs, S stuck jobs.
LOAD_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/storyplatform_load
LOAD_REDIS_URL ?= redis://127.0.0.1:6379/2
load: $(TEST_STAMP)
	$(BIN)/python load/run.py --users 50 --time 60 \
		--database-url $(LOAD_DATABASE_URL) --redis-url $(LOAD_REDIS_URL)

load-full: $(TEST_STAMP)
	$(BIN)/python load/run.py --users 200 --time 300 \
		--database-url $(LOAD_DATABASE_URL) --redis-url $(LOAD_REDIS_URL)

clean:
	rm -rf $(VENV) var .pytest_cache
