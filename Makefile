# Machikoe — two commands on a fresh machine:
#   make run    virtualenv, install, migrate, load the Ebetsu instrument, serve on SQLite
#   make test   virtualenv, install with test extras, headless Chromium if absent, the whole suite
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 5000
WORKERS ?= 2

.PHONY: run setup test lint bench translations clean help chromium system-packages test-packages

# Python may write bytecode (__pycache__, git-ignored) whatever the calling environment says:
# the suite starts hundreds of Python processes that would otherwise compile the same sources.
unexport PYTHONDONTWRITEBYTECODE

help:
	@echo "make run | make test | make bench | make lint | make translations | make clean"

# Packages are installed with uv (itself a wheel from the same package index pip uses) when it
# can be had: on a 2-core machine pip took 62-95 s to resolve, unpack and compile the test
# dependencies one by one, uv about 9 s (parallel downloads, no bytecode up front: each module is
# compiled the first time a process imports it). Without uv, pip does the same job.
INSTALL = if [ -x $(BIN)/uv ]; then $(BIN)/uv pip install -q --python $(BIN)/python $(1); \
          else $(BIN)/python -m pip install -q $(1); fi

# The virtualenv is made without pip (ensurepip alone took 3.5 s of the 7 s set-up): the
# interpreter's own pip puts uv in it (`pip --python`, pip 22.3 and later) and uv then adds pip, so
# .venv/bin/pip is there as usual. Where that cannot be done, ensurepip and pip do it all.
$(BIN)/python:
	$(PYTHON) -m venv --without-pip $(VENV)
	$(PYTHON) -m pip --python $(BIN)/python install -q uv 2>/dev/null \
	  && $(BIN)/uv pip install -q --python $(BIN)/python pip \
	  || { $(BIN)/python -m ensurepip --upgrade > /dev/null \
	       && ($(BIN)/python -m pip install -q uv || echo "uv is not available: installing with pip"); }

$(VENV)/.installed: setup.cfg pyproject.toml | $(BIN)/python
	$(call INSTALL,-e .)
	touch $@

$(VENV)/.installed-test: setup.cfg pyproject.toml | $(BIN)/python
	$(call INSTALL,-e '.[test]')
	touch $(VENV)/.installed $@

setup: $(VENV)/.installed system-packages
	$(BIN)/machikoe setup

run: setup
	$(BIN)/machikoe serve --host $(HOST) --port $(PORT) --workers $(WORKERS)

# Debian packages (no browser or font downloads); root or sudo; installed only when missing (a package
# removed but for its configuration files, which `dpkg -s` still answers for, is missing).
# To run: fonts-noto-* (Japanese, Vietnamese, Urdu on pages and in PDFs; mono: codes on letters), libpango* (WeasyPrint's text
# layout, survey_app/pdf.py), libharfbuzz-subset0 (WeasyPrint embeds only the glyphs a PDF uses; without it, it warns
# that the library will be required and falls back to a slower subsetter). To test, also: chromium-headless-shell (browser tests), poppler-utils (pdftotext/pdftoppm).
RUN_PACKAGES  := fonts-noto-core fonts-noto-cjk fonts-noto-mono libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0
TEST_PACKAGES := $(RUN_PACKAGES) chromium-headless-shell poppler-utils
define apt_install
	@missing=$$(for p in $(1); do dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  echo "installing Debian packages:" $$missing; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing >/dev/null; \
	fi
endef

system-packages:
	$(call apt_install,$(RUN_PACKAGES))

test-packages:
	$(call apt_install,$(TEST_PACKAGES))

chromium: test-packages

# The suite in two runs: everything not marked ``serial`` on TEST_WORKERS pytest-xdist workers
# (one per core and one more: each worker has its own PostgreSQL database, SQLite file and ports); then
# the ``serial`` tests (tests/serial/) alone: they bound a time that a busy neighbour would stretch.
# --dist worksteal: each worker starts with its share of the files, in order, and a worker that runs
# out takes the untouched tail of another's queue, so all finish together. Most files still run whole
# on one worker (module fixtures built once); --dist loadfile left one core idle for the last
# 15-20 s, behind the fault tests' files (measured: 174 s against 160 s for the parallel part).
# One more worker than cores: a worker waiting on a process it started, on Chromium or on PostgreSQL
# leaves its core to the third. On 2 cores, back to back: 149 s and 149 s with 3 workers, 158 s and
# 162 s with 2 (the machine 95 % busy against 85-90 %).
TEST_WORKERS ?= $(shell expr $$(nproc) + 1)
# The virtualenv and the Debian packages are independent: installed side by side (-j2).
# Before the workers start: ruff, vulture and mypy on one core while the other collects the suite once. On a clean
# clone every library's bytecode is missing, and three workers collecting at once each compiled the
# same ~3,000 modules (a cold collection took 14 s against 4 s warm, in every worker); collected
# once first, the workers find it compiled. mypy (13-15 s of one core without its cache) fills the
# other core meanwhile.
# --check-postgresql-reach: a test may run on SQLite alone (its subject is not storage) only while
# every SQL statement it sends reaches PostgreSQL in another test (tests/support/sql_reach.py).
test:
	@$(MAKE) --no-print-directory -j2 $(VENV)/.installed-test test-packages
	@# bytecode once, up front, and kept: with PYTHONDONTWRITEBYTECODE set (as on some CI machines)
	@# every CLI, server and bot process the tests start would compile the project again, and
	@# pytest would rewrite the asserts of every test module in each worker (see unexport below)
	( $(BIN)/ruff check . && $(BIN)/vulture && $(BIN)/mypy ) & lint=$$!; \
	  $(BIN)/python -m compileall -q survey_app analysis bot tests > /dev/null; \
	  $(BIN)/python -m pytest --collect-only -q -m "not serial" > /dev/null; \
	  wait $$lint
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist worksteal -m "not serial" --check-postgresql-reach
	$(BIN)/python -m pytest tests/serial

# vulture: dead code (settings in pyproject.toml, framework hooks in vulture_whitelist.py); ~2 s
# mypy: survey_app, analysis and bot with disallow_untyped_defs (setup.cfg [mypy])
lint: $(VENV)/.installed-test
	$(BIN)/ruff check .
	$(BIN)/vulture
	$(BIN)/mypy

translations: $(VENV)/.installed
	$(BIN)/machikoe translations extract
	$(BIN)/machikoe translations update
	$(BIN)/machikoe translations check

bench: $(VENV)/.installed-test
	$(call INSTALL,-e '.[bench]')
	$(BIN)/python bench/run_all.py

clean:
	rm -rf $(VENV) .venv-bench build *.egg-info .pytest_cache tests/artifacts
