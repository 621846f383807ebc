# Two commands on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cksum requirements.txt | cut -d' ' -f1)
ADDR ?= 127.0.0.1:8000

.PHONY: install run test lint format bench clean

$(STAMP): requirements.txt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.txt
	@rm -f $(VENV)/.installed-*
	@touch $(STAMP)

install: $(STAMP)

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

test: install
	$(BIN)/ruff check .
	$(BIN)/pytest

# Benchmarks print figures beside a baseline measured in the same run.
# Point DATABASE_URL at a scratch PostgreSQL database for meaningful figures.
bench: install
	$(BIN)/python bench/aggregation.py --responses 1000 10000 100000

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean:
	rm -rf var staticfiles
