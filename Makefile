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

.PHONY: run test install lint migrate clean

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

clean:
	rm -rf $(VENV) var .pytest_cache
