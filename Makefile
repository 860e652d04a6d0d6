# The two commands of the README: `make run` and `make test`. Everything else is a helper.
# Works on a fresh clone with Python 3.11+ and make, without root.

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
HOST ?= 127.0.0.1
PORT ?= 8000
READER ?= 1
STAMP := $(VENV)/.installed
# Test processes (pytest-xdist): one per core, at most 8 (each takes the next Redis db after
# REDIS_URL's); TEST_WORKERS=0 runs the suite in this one process, in order. A file's tests go
# to one worker (loadfile): tests/faults/test_faults.py builds its stack once, a browser module
# starts Chromium once. (loadgroup's xdist_group marks are ignored with pytest 9.2 and xdist 3.8.)
TEST_WORKERS ?= auto

.PHONY: run test install migrate seed lint format messages check-messages bench clean

# DEBUG is off (our error pages, no traceback); `DJANGO_DEBUG=1 make run` for development.
run: $(STAMP) ## Install, migrate, load the demo data and serve on http://127.0.0.1:8000
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo
	@echo ""
	@echo "Serving on http://$(HOST):$(PORT)/  (Ctrl-C to stop)"
	@# A simulated ear-tag reader feeds the bureau's reader page (READER=0 leaves it out); it
	@# runs in the background and stops with the server (same process group); so do the demo trucks'
	@# GPS units (gps_demo) and the journey check that Celery beat runs in production (transit journeys_watch, every minute).
	@if [ "$(READER)" != "0" ]; then $(PY) manage.py reader_demo --server http://$(HOST):$(PORT) & fi; \
	$(PY) manage.py journeys_watch & \
	$(PY) manage.py gps_demo --server http://$(HOST):$(PORT) & \
	SITE_URL=$${SITE_URL:-http://$(HOST):$(PORT)} $(PY) manage.py runserver $(HOST):$(PORT)

test: $(STAMP) ## Run the whole test suite (SQLite, or DATABASE_URL / REDIS_URL when set)
	$(PY) -m pytest -n $(TEST_WORKERS) --maxprocesses=8 --dist loadfile -m "not faults" $(PYTEST_ARGS)
	@# The fault tests (tests/faults) count what a SIGKILL loses against the spool's commit interval:
	@# they run after the others, alone, so that a second worker's load does not stretch that interval.
	@# Exit code 5 is "no test selected" (PYTEST_ARGS naming other tests only).
	$(PY) -m pytest -m faults $(PYTEST_ARGS); rc=$$?; [ $$rc -eq 0 ] || [ $$rc -eq 5 ]

install: $(STAMP)

# Reinstalled whenever pyproject.toml changes.
$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Python 3.11 or newer is needed, found " + sys.version.split()[0]'
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(PY) manage.py makemigrations --check --dry-run

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Extract the strings to translate into locale/, then compile them (needs GNU gettext).
messages: $(STAMP)
	$(PY) manage.py makemessages -l zh_Hans --no-obsolete --no-location --ignore=.venv --ignore=var --ignore=static/vendor --ignore=tests --ignore=test-artifacts
	$(PY) manage.py compilemessages -l zh_Hans --ignore=.venv

# Speed figures (PostgreSQL: BENCH_DATABASE_URL or DATABASE_URL, else the database livestock_bench on
# 127.0.0.1; the year at the real scale is made once into livestock_bench_year and copied for each run:
# bench/year.py), kept in bench/results.json and printed; BENCH names some, e.g. make bench BENCH=herd_import.
bench: $(STAMP)
	$(PY) -m bench.run $(BENCH)

clean:
	rm -rf $(VENV) var .pytest_cache test-artifacts
