# consult: `make help` lists the targets.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
# The demo runs on the embedded defaults: SQLite, a Celery worker on a broker kept in files (.broker/,
# started and stopped by `manage.py serve`), email to the console; links in
# its emails point at the port it serves on (unless SITE_URL says otherwise).
SITE_URL ?= http://127.0.0.1:$(PORT)
DEMO_ENV := DEBUG=true SITE_URL=$(SITE_URL)
# Tests run against PostgreSQL; override TEST_DATABASE_URL to point elsewhere. Where none answers there,
# a throwaway cluster is started for the run if PostgreSQL is installed (tests/throwaway_postgres.py).
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/consult
# One test process per core (pytest-xdist), each module's tests kept in one process; each process
# has its own test database and Redis databases (config/test_settings.py), four at most. TEST_PARALLEL= runs
# the suite in one process.
TEST_PARALLEL ?= -n auto --maxprocesses 4 --dist loadfile
# In parallel, each process's numerical libraries use one thread: two processes each spinning two
# threads on two cores cost more than the second process wins (docs/benchmarks.md).
TEST_ENV = DATABASE_URL=$(TEST_DATABASE_URL) $(if $(strip $(TEST_PARALLEL)),OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 NUMBA_NUM_THREADS=1)
# `make bench-web` builds its data in a database of its own (created if missing).
BENCH_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/consult_bench

.DEFAULT_GOAL := help

.PHONY: help
help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*## "}; {printf "  make %-17s %s\n", $$1, $$2}'

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund

locale/en_GB/LC_MESSAGES/django.mo: locale/en_GB/LC_MESSAGES/django.po | $(VENV)/.installed
	@if command -v msgfmt >/dev/null; then DEBUG=true $(BIN)/python manage.py compilemessages --locale en_GB --ignore '.venv' --ignore node_modules -v0; \
	else echo "GNU gettext (msgfmt) is missing: account pages keep django-allauth's Title Case wording."; fi

# One compilemessages call compiles both Welsh catalogues: ours and the account pages' (locale/allauth).
locale/cy/LC_MESSAGES/django.mo: locale/cy/LC_MESSAGES/django.po locale/allauth/cy/LC_MESSAGES/django.po | $(VENV)/.installed
	@if command -v msgfmt >/dev/null; then DEBUG=true $(BIN)/python manage.py compilemessages --locale cy --ignore '.venv' --ignore node_modules -v0; \
	else echo "GNU gettext (msgfmt) is missing: the Welsh pages (/cy/) show English until it is installed."; fi

.PHONY: messages
messages: $(VENV)/.installed ## Extract the public site's strings into locale/cy/LC_MESSAGES/django.po to translate
	DEBUG=true $(BIN)/python manage.py makemessages --locale cy --no-obsolete --no-wrap --ignore '.venv/*' --ignore 'node_modules/*' --ignore 'bench/*' --ignore 'tests/*'

.PHONY: install
install: $(VENV)/.installed node_modules/.package-lock.json locale/en_GB/LC_MESSAGES/django.mo locale/cy/LC_MESSAGES/django.mo ## Install Python packages into .venv, GOV.UK Frontend from npm, and compile messages

.PHONY: migrate
migrate: install ## Apply database migrations
	$(DEMO_ENV) $(BIN)/python manage.py migrate --noinput

.PHONY: demo
demo: migrate ## Install, migrate, load the demo, analyse it on the embedded worker and serve on 127.0.0.1:$(PORT)
	$(DEMO_ENV) $(BIN)/python manage.py load_demo
	$(DEMO_ENV) $(BIN)/python manage.py serve 127.0.0.1:$(PORT) --demo

.PHONY: demo-code
demo-code: $(VENV)/.installed ## Print the demo officials' current two-factor code
	@$(DEMO_ENV) $(BIN)/python manage.py demo_code

.PHONY: serve
serve: migrate ## Serve on 127.0.0.1:$(PORT) with a Celery worker beside it, without reloading the demo
	$(DEMO_ENV) $(BIN)/python manage.py serve 127.0.0.1:$(PORT)

.PHONY: worker
worker: install ## Run a Celery worker on every queue (on CELERY_BROKER_URL, for example redis://127.0.0.1:6379/0; without it, the embedded broker)
	$(BIN)/celery -A config worker --loglevel=INFO --queues=default,arrivals,embedding,analysis

# One process by default: the model already spreads its work over every core (or feeds the one
# GPU), and each further process holds a copy of it. EMBEDDING_CONCURRENCY=2 for two.
EMBEDDING_CONCURRENCY ?= 1

.PHONY: worker-embedding
worker-embedding: install ## Run a Celery worker on the `embedding` queue only, on EMBEDDING_DEVICE (cpu, cuda or auto; a GPU wants EMBEDDING_BATCH_SIZE=512)
	@echo "Embedding on EMBEDDING_DEVICE=$${EMBEDDING_DEVICE:-cpu}, $${EMBEDDING_BATCH_SIZE:-64} texts a batch."
	$(BIN)/celery -A config worker --loglevel=INFO --queues=embedding --concurrency=$(EMBEDDING_CONCURRENCY) --hostname=embedding@%h

.PHONY: bench-analysis
bench-analysis: $(VENV)/.installed ## Benchmark non-answers, redaction, themes (vs vanilla BERTopic), labels and the mapping (vs logistic regression) on ../shared/data (~30 min; ARGS=--quick for the themes)
	HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 $(BIN)/python -m bench.non_answers
	$(BIN)/python -m bench.redaction
	HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 $(BIN)/python -m bench.analysis $(ARGS)
	HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 $(BIN)/python -m bench.labels
	HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 $(BIN)/python -m bench.mapping

.PHONY: bench-web
bench-web: install ## Benchmark workspace pages at 100,000 responses and the submission step (~7 min; ARGS="--duration 5" ~3)
	DATABASE_URL=$(BENCH_DATABASE_URL) $(BIN)/python -m bench.web $(ARGS)

.PHONY: bench-scale
bench-scale: install ## One question of 1,000,000 answers through two real workers on PostgreSQL, 300,000 on SQLite, and embedding throughput (~40 min; ARGS to change)
	HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 $(BIN)/python -m bench.scale $(ARGS)

.PHONY: bench-faults
bench-faults: install ## 2,000 responses through the real forms while the worker is killed every 30 s and Redis and PostgreSQL restart; counts what was lost or done twice (~7-15 min; ARGS=--quick ~8)
	$(BIN)/python -m bench.faults $(ARGS)

.PHONY: beat
beat: install ## Run Celery beat, which re-sends analysis runs whose task a broker restart lost
	@test -n "$$CELERY_BROKER_URL" || (echo "Set CELERY_BROKER_URL first." && exit 1)
	$(BIN)/celery -A config beat --loglevel=INFO

.PHONY: test
test: install ## Run the whole test suite against PostgreSQL (TEST_DATABASE_URL), in parallel
	$(TEST_ENV) $(BIN)/python -m tests.throwaway_postgres $(BIN)/pytest $(TEST_PARALLEL) $(PYTEST_ARGS)

.PHONY: test-fast
test-fast: install ## The suite without its slow tests (real workers, the browser, whole demo loads and runs): about 2 minutes
	$(TEST_ENV) $(BIN)/python -m tests.throwaway_postgres $(BIN)/pytest -m "not slow" $(TEST_PARALLEL) $(PYTEST_ARGS)

.PHONY: lint
lint: install ## Check style and formatting with ruff
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

.PHONY: format
format: install ## Format the code with ruff
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

.PHONY: check
check: install ## Django's system checks and a check for missing migrations
	$(DEMO_ENV) $(BIN)/python manage.py check
	$(DEMO_ENV) $(BIN)/python manage.py makemigrations --check --dry-run
