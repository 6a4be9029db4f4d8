# Machikoe — two commands on a fresh machine:
#   make run    virtualenv, install, migrate, load the Ebetsu instrument, serve on SQLite
#   make test   virtualenv, install with test extras, headless Chromium if absent, the whole suite
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 5000
WORKERS ?= 2

.PHONY: run setup test lint bench translations clean help chromium

help:
	@echo "make run | make test | make bench | make lint | make translations | make clean"

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip setuptools wheel

$(VENV)/.installed: setup.cfg pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e .
	touch $@

$(VENV)/.installed-test: setup.cfg pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e '.[test]'
	touch $(VENV)/.installed $@

setup: $(VENV)/.installed
	$(BIN)/machikoe setup

run: setup
	$(BIN)/machikoe serve --host $(HOST) --port $(PORT) --workers $(WORKERS)

# Debian's Chromium for the browser tests (no browser downloads); root or sudo.
chromium:
	@command -v chromium >/dev/null 2>&1 || { \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium fonts-noto-core fonts-noto-cjk >/dev/null; }

test: $(VENV)/.installed-test chromium
	$(BIN)/ruff check .
	$(BIN)/python -m pytest

lint: $(VENV)/.installed-test
	$(BIN)/ruff check .

translations: $(VENV)/.installed
	$(BIN)/machikoe translations extract
	$(BIN)/machikoe translations update
	$(BIN)/machikoe translations check

bench: $(VENV)/.installed-test
	$(BIN)/pip install -q -e '.[bench]'
	$(BIN)/python bench/run_all.py

clean:
	rm -rf $(VENV) .venv-bench build *.egg-info .pytest_cache tests/artifacts
