# Tribune: `make run` serves the forum on http://127.0.0.1:5000; `make test` runs the whole suite.
# Needs only Python 3.11+ on the machine; everything else is installed into .venv.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
FLASK  := $(BIN)/flask --app tribune
HOST   ?= 127.0.0.1
PORT   ?= 5000

.PHONY: run serve static test setup setup-test setup-bench translations lint security lock bench bench-search bench-pages bench-notify bench-backup clean

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Tribune needs Python 3.11 or newer")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# The exact versions come from the lock files (`make lock` writes them from the ranges in
# pyproject.toml); Tribune itself is installed on top without resolving anything again.
# Reinstall when a lock file changes; the stamp files remember what was installed.
$(VENV)/.installed: requirements.txt pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -r requirements.txt
	$(BIN)/python -m pip install --quiet --no-deps -e .
	@touch $@

$(VENV)/.installed-test: requirements-test.txt pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -r requirements-test.txt
	$(BIN)/python -m pip install --quiet --no-deps -e .
	@touch $@ $(VENV)/.installed

$(VENV)/.installed-bench: requirements-bench.txt pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -r requirements-bench.txt
	$(BIN)/python -m pip install --quiet --no-deps -e .
	@touch $@ $(VENV)/.installed-test $(VENV)/.installed

setup: $(VENV)/.installed translations

setup-test: $(VENV)/.installed-test translations

setup-bench: $(VENV)/.installed-bench translations

# The lock files, from the ranges in pyproject.toml, by uv (installed into .venv for this):
# one resolution for every platform (Linux x86_64 and aarch64 alike) and every Python from
# 3.11 on, with environment markers where they differ; packages from PyPI only. Versions
# already locked are kept: `make lock LOCK_FLAGS="--upgrade-package flask"` moves one package,
# `make lock LOCK_FLAGS=--upgrade` all of them. Each lock is resolved with the one before as
# its constraint, so the three agree on every package they share.
LOCK_FLAGS ?=
UV_COMPILE = $(BIN)/uv pip compile pyproject.toml --universal --python-version 3.11 \
	--index-url https://pypi.org/simple --custom-compile-command "make lock" --quiet $(LOCK_FLAGS)
lock: | $(BIN)/python
	$(BIN)/python -m pip install --quiet 'uv>=0.5'
	$(UV_COMPILE) -o requirements.txt
	$(UV_COMPILE) --extra test -c requirements.txt -o requirements-test.txt
	$(UV_COMPILE) --extra test --extra bench -c requirements-test.txt -o requirements-bench.txt

# Compiled catalogues (.mo) are built from the committed .po files, never committed themselves.
translations: | $(BIN)/python
	$(BIN)/pybabel compile --statistics -d tribune/translations

# Fingerprinted, compressed static files for WhiteNoise (tribune/assets.py); cheap to redo.
static: | $(VENV)/.installed
	$(FLASK) static build

run: setup
	$(FLASK) db upgrade
	$(FLASK) demo load --if-empty
	$(FLASK) static build
	$(FLASK) run --host $(HOST) --port $(PORT)

# The production set on this machine: gunicorn (WEB_CONCURRENCY workers, default 2) and, with
# Whoosh, the search worker, from the Procfile through honcho. Settings come from the
# environment or from a .env file here (honcho reads it): TRIBUNE_DATABASE_URL (PostgreSQL),
# TRIBUNE_REDIS_URL, TRIBUNE_SECRET_KEY, TRIBUNE_LOG_KEY, TRIBUNE_BIND (default 127.0.0.1:8000).
# The schema is upgraded and the static files built before anything serves (README, Production).
serve: export PATH := $(CURDIR)/$(BIN):$(PATH)
# honcho has read .env already; flask need not look for it (it would suggest python-dotenv).
serve: export FLASK_SKIP_DOTENV := 1
serve: setup
	honcho run flask --app tribune db upgrade
	honcho run flask --app tribune static build
	honcho run sh -c 'case "$$TRIBUNE_DATABASE_URL" in postgres*) exec honcho start web;; *) exec honcho start;; esac'

# Two workers (this project's machines have two cores); test files go to RAM when /dev/shm
# is writable, since the suite creates and deletes thousands of small database and index files.
TEST_TMP := $(shell [ -w /dev/shm ] && echo /dev/shm || echo $${TMPDIR:-/tmp})

test: setup-test
	TMPDIR=$(TEST_TMP) $(BIN)/python -m pytest -n 2

lint: setup-test
	$(BIN)/ruff check tribune tests bench

security: setup-test
	$(BIN)/bandit -q -c pyproject.toml -r tribune

# Extract user-facing strings and merge them into every catalogue.
messages: | $(BIN)/python
	$(BIN)/pybabel extract --ignore-dirs '.* __pycache__' -F babel.cfg -k _l -k lazy_gettext --no-location --sort-output -o tribune/translations/messages.pot .
	$(BIN)/pybabel update --no-fuzzy-matching -i tribune/translations/messages.pot -d tribune/translations

# Search benchmark (bench/search_bench.py): one backend at one size, e.g.
# `make bench BENCH_BACKEND=postgres BENCH_POSTS=100000` (PostgreSQL on 127.0.0.1:5432, database
# tribune_bench_100k). `make bench-search` runs the whole matrix and prints one table
# (bench/run_all.py; the 1M PostgreSQL run takes a long while). Results go to bench/out/.
BENCH_POSTS ?= 10000
BENCH_BACKEND ?= whoosh
bench: setup-bench
	$(BIN)/python bench/search_bench.py --backend $(BENCH_BACKEND) --posts $(BENCH_POSTS)

bench-search: setup-bench
	$(BIN)/python bench/run_all.py

# Page benchmark (bench/pages.py): the probe page against the thread page, the list pages at 10k
# and 100k posts, the mixed load of 50 participants on SQLite and PostgreSQL + Redis, and
# `archive import`; one table. PostgreSQL and Redis from BENCH_DATABASE_URL (a database named
# *_bench or tribune_bench*, dropped and made again), BENCH_IMPORT_DATABASE_URL, BENCH_REDIS_URL.
bench-pages: setup-bench
	$(BIN)/python bench/pages.py

# Notification fan-out (bench/notify_bench.py): a reply in a thread with 1,000 watchers against
# one in an unwatched thread; the target is a median ratio of at most 2. BENCH_DB=postgresql://...
# runs it on PostgreSQL (the database is emptied).
BENCH_DB ?=
bench-notify: setup-test
	$(BIN)/python bench/notify_bench.py $(if $(BENCH_DB),--database-url $(BENCH_DB))

# Backup, restore (SQLite and PostgreSQL) and mirror: time and peak memory (bench/backup_bench.py).
bench-backup: setup-bench
	$(BIN)/python bench/backup_bench.py --posts $(BENCH_POSTS) --postgres

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
