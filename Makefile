# Two commands on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cksum requirements.txt | cut -d' ' -f1)
ADDR ?= 127.0.0.1:8000

.PHONY: install browser run test browser-matrix fuzz lint format bench clean

$(STAMP): requirements.txt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.txt
	@rm -f $(VENV)/.installed-*
	@touch $(STAMP)

install: $(STAMP)

# Browser tests use Debian's Chromium (and poppler's pdftotext for PDFs);
# Playwright never downloads a browser of its own.
browser:
	@if [ ! -x /usr/bin/chromium ] || ! command -v pdftotext >/dev/null; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    (apt-get install -y -qq chromium poppler-utils >/dev/null 2>&1 || \
	     (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium poppler-utils >/dev/null)); \
	  else echo "Browser tests need: sudo apt-get install chromium poppler-utils (they are skipped without it)"; fi; \
	fi

# Development: SQLite and a file-based broker under var/, a Celery worker
# with embedded beat beside the dev server, and a seeded demo survey.
run: install
	@mkdir -p var
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_demo
	@$(BIN)/celery -A config worker --beat --loglevel=INFO --concurrency=1 & WORKER=$$!; \
	trap 'kill $$WORKER 2>/dev/null; wait $$WORKER 2>/dev/null' EXIT INT TERM; \
	echo "Candour is at http://$(ADDR)/ (stop with Ctrl-C)"; \
	$(BIN)/python manage.py runserver --noreload $(ADDR)

test: install browser
	$(BIN)/ruff check .
	$(BIN)/pytest

# The respondent's browser tests at 390 and 1280 px, JavaScript on and off,
# English and Welsh, and the publishing pages' at 390 and 1280 px in English
# and Welsh (`make test` runs one of each); run before closing an issue.
browser-matrix: install browser
	CANDOUR_BROWSER_MATRIX=1 $(BIN)/pytest -m browser_matrix tests/browser

# More than 10,000 generated definitions, CSV files and form posts; then
# Schemathesis sends 300 generated requests to each operation of the HTTP API.
fuzz: install
	FUZZ_EXAMPLES=3400 $(BIN)/pytest tests/fuzz --hypothesis-show-statistics -q
	API_FUZZ_EXAMPLES=300 $(BIN)/pytest tests/api/test_schemathesis.py -q -p no:logging

# Benchmarks print figures beside a baseline measured in the same run, on a
# scratch PostgreSQL database and Redis db 14 of this machine (see docs/performance.md).
# The first run generates 1,000,000 responses by SQL (about 15 minutes) and
# keeps them; later runs take about 12.5 minutes. The import benchmark has a
# database of its own, so that COPY does not write into 30 million rows' indexes.
BENCH_DB ?= postgres://postgres@127.0.0.1:5432/candour_bench
BENCH_REDIS ?= redis://127.0.0.1:6379/14
BENCH_NAME = $(notdir $(BENCH_DB))
BENCH_SERVER = $(dir $(BENCH_DB))postgres
BENCH_ENV = DATABASE_URL=$(BENCH_DB) REDIS_URL=$(BENCH_REDIS)
# 1,000,000 rows take about 80 minutes here: `make bench IMPORT_ROWS=1000000`.
IMPORT_ROWS ?= 50000
bench: install
	@command -v wrk >/dev/null || apt-get install -y -qq wrk >/dev/null
	@for db in $(BENCH_NAME) $(BENCH_NAME)_import; do \
	  psql "$(BENCH_SERVER)" -tAc "SELECT 1 FROM pg_database WHERE datname = '$$db'" | grep -q 1 \
	    || psql "$(BENCH_SERVER)" -c "CREATE DATABASE $$db"; done
	$(BENCH_ENV) $(BIN)/python -u bench/aggregation.py --responses 1000 10000 100000 1000000 --plot docs/aggregation.svg
	$(BENCH_ENV) $(BIN)/python -u bench/web.py
	DATABASE_URL=$(BENCH_DB)_import $(BIN)/python -u bench/importing.py --rows $(IMPORT_ROWS)
	$(BIN)/python bench/detector.py

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean:
	rm -rf var staticfiles
