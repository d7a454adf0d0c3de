# octobridge — `make help` lists the targets.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.DEFAULT_GOAL := help
.PHONY: help install demo test test-fast lint format check bench db-upgrade clean

help: ## List the targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F ':.*## ' '{printf "  %-12s %s\n", $$1, $$2}'

$(BIN)/octobridge: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	@touch $@

install: $(BIN)/octobridge ## Create .venv and install octobridge with its dev tools

demo: install ## Run octobridge on its embedded defaults (SQLite, stand-ins) and show what it does
	$(BIN)/octobridge demo

test: install ## Run the whole test suite; prints what it skipped and why
	$(BIN)/pytest

test-fast: install ## The suite without the slow chaos, volume and packaging tests (marked slow)
	$(BIN)/pytest -m 'not slow'

lint: install ## ruff, mypy strict and the layer contracts (import-linter)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports

format: install ## Format the code and fix what ruff can
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

check: lint test ## lint, then test: the single gate

bench: install ## Run the benchmarks in bench/ (ratios against a baseline in the same run)
	@for script in bench/*.py; do echo "== $$script"; $(BIN)/python $$script || exit 1; done

db-upgrade: install ## Bring the configured database to the latest schema
	$(BIN)/octobridge db upgrade

clean: ## Remove the virtual environment, caches and local data
	rm -rf $(VENV) var .mypy_cache .ruff_cache .pytest_cache .hypothesis
