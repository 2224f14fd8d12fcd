# TaxDome Academy. `make run` and `make test` are the two commands a new machine needs.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
FLASK  := $(BIN)/flask --app wsgi
STAMP  := $(VENV)/.installed-stamp
HOST   ?= 127.0.0.1
PORT   ?= 5000
PG_URL := postgresql+psycopg://postgres@127.0.0.1:5432/test

.PHONY: run setup install test test-sqlite test-postgres lint bench bench-chat bench-explain translations compile-translations clean

## run: set up everything (venv, install, migrations, demo data) and serve on http://127.0.0.1:5000
run: setup
	@echo "Serving on http://$(HOST):$(PORT)  (demo logins in README.md; Ctrl-C stops)"
	@trap 'kill $$dispatcher 2>/dev/null' EXIT INT TERM; \
	$(FLASK) notifications dispatch --loop & dispatcher=$$!; \
	$(FLASK) run --host $(HOST) --port $(PORT)

## setup: everything `run` needs, idempotent
setup: install compile-translations
	@mkdir -p instance
	$(FLASK) db upgrade
	$(FLASK) demo seed

install: $(STAMP)

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e ".[test]"
	@touch $(STAMP)

compile-translations: install
	@$(BIN)/pybabel -q compile -d academy/translations

## translations: extract new strings into the Romanian catalogue (then translate the new entries)
translations: install
	@tmp=$$(mktemp -d) && \
	$(BIN)/pybabel -q extract -F babel.cfg -k _l -k N_ -o $$tmp/messages.pot . && \
	$(BIN)/pybabel -q update -i $$tmp/messages.pot -d academy/translations --no-fuzzy-matching --ignore-obsolete; \
	status=$$?; rm -rf $$tmp; exit $$status
	$(MAKE) compile-translations

## test: lint, then every test on SQLite and on PostgreSQL (skipped with a message if it is not
## running), the two runs side by side (each printed whole when it ends) to fit CI's time
test: lint compile-translations
	$(MAKE) --no-print-directory -j2 --output-sync=target test-sqlite test-postgres

# The two runs share the machine's Redis: each has its own logical databases in it.
test-sqlite: install
	env -u TEST_DATABASE_URL TEST_REDIS_URL=redis://127.0.0.1:6379/0 \
	  TEST_CHAT_REDIS_URL=redis://127.0.0.1:6379/3 $(BIN)/pytest $(PYTEST_ARGS)

test-postgres: install
	TEST_DATABASE_URL=$${TEST_DATABASE_URL:-$(PG_URL)} TEST_REDIS_URL=redis://127.0.0.1:6379/1 \
	  TEST_CHAT_REDIS_URL=redis://127.0.0.1:6379/4 $(BIN)/pytest $(PYTEST_ARGS)

## lint: ruff, then the layering contracts of pyproject.toml (import-linter)
lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

## bench: requests per second of our pages beside a bare Flask + SQLAlchemy app, each against
## its target, the dispatcher beside a plain smtplib loop, then booking/registration POSTs per
## second. SCALE=1 measures the pages on the scale data set too (bench/scale.py) and compares the
## two page by page; BENCH_ARGS passes options to bench/run.py (e.g. --client wrk, --page NAME);
## BENCH_COMPARE=<git rev> measures the POSTs beside another revision too.
BENCH_COMPARE ?=
SCALE ?=
BENCH_ARGS ?=
bench: install compile-translations
	$(BIN)/python bench/run.py $(if $(SCALE),--scale) $(BENCH_ARGS)
	$(BIN)/python bench/transitions.py $(if $(BENCH_COMPARE),--compare-with $(BENCH_COMPARE))

## bench-chat: the chat under gunicorn with Redis: delivery latency p50/p99 between two processes
## at 100 messages per second, and how many idle open streams one machine holds, with their memory
bench-chat: install compile-translations
	$(BIN)/python bench/chat.py

## bench-explain: EXPLAIN (ANALYZE, BUFFERS) of the pages' queries on PostgreSQL at scale; it
## EMPTIES the database at BENCH_PG_URL (required) first
bench-explain: install
	$(BIN)/python bench/explain.py "$${BENCH_PG_URL:?set BENCH_PG_URL to a PostgreSQL database it may empty}"

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache test-artifacts
