# Tribune: `make run` serves the forum on http://127.0.0.1:5000; `make test` runs the whole suite.
# Needs only Python 3.11+ on the machine; everything else is installed into .venv.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
FLASK  := $(BIN)/flask --app tribune
HOST   ?= 127.0.0.1
PORT   ?= 5000

.PHONY: run test setup setup-test translations lint security bench bench-search bench-backup clean

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Tribune needs Python 3.11 or newer")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Reinstall when pyproject.toml changes; the stamp files remember what was installed.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	@touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@touch $@ $(VENV)/.installed

setup: $(VENV)/.installed translations

setup-test: $(VENV)/.installed-test translations

# Compiled catalogues (.mo) are built from the committed .po files, never committed themselves.
translations: | $(BIN)/python
	$(BIN)/pybabel compile --statistics -d tribune/translations

run: setup
	$(FLASK) db upgrade
	$(FLASK) demo load --if-empty
	$(FLASK) run --host $(HOST) --port $(PORT)

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
bench: setup-test
	$(BIN)/python -m pip install --quiet -e '.[bench]'
	$(BIN)/python bench/search_bench.py --backend $(BENCH_BACKEND) --posts $(BENCH_POSTS)

bench-search: setup-test
	$(BIN)/python -m pip install --quiet -e '.[bench]'
	$(BIN)/python bench/run_all.py

# Backup, restore (SQLite and PostgreSQL) and mirror: time and peak memory (bench/backup_bench.py).
bench-backup: setup-test
	$(BIN)/python -m pip install --quiet -e '.[bench]'
	$(BIN)/python bench/backup_bench.py --posts $(BENCH_POSTS) --postgres

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
