# Pulse: two commands do all set-up.
#   make run   install, migrate, seed demo data on first run, serve with gunicorn on SQLite
#   make test  install test tools (and Debian's chromium when missing), run the whole suite
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8050
WORKERS ?= 2
JOB_WORKERS ?= 1
SCALE ?= pilot
FLASK := $(BIN)/flask --app app
PYTEST_ARGS ?=
# Each checkout gets its own gunicorn control socket: the default (~/.gunicorn/gunicorn.ctl) is shared by
# every instance on the host, so a second `make run` would take over the first one's socket.
CONTROL_SOCKET ?= data/gunicorn.ctl

.PHONY: run test install install-dev translations migrate seed chromium pdf-libs lint bench clean-db

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(VENV)/.installed: requirements.txt | $(BIN)/activate
	$(BIN)/pip install -q -r requirements.txt
	touch $@

$(VENV)/.dev-installed: requirements-dev.txt $(VENV)/.installed
	$(BIN)/pip install -q -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed translations

install-dev: $(VENV)/.dev-installed translations

translations: $(VENV)/.installed
	@if [ -d config/translations ]; then $(BIN)/pybabel compile -d config/translations -f >/dev/null; fi

migrate: install
	$(FLASK) db upgrade

seed: migrate
	$(FLASK) seed --scale $(SCALE) --if-empty

# The job queue's worker (huey: reports) runs beside gunicorn; when either stops, the other is stopped too.
run: seed chromium pdf-libs
	@echo "Pulse on http://$(HOST):$(PORT)  (demo logins: see README.md)"
	@$(BIN)/huey_consumer server.jobs.huey --workers $(JOB_WORKERS) --quiet & worker=$$!; \
	  trap 'kill $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT INT TERM; \
	  $(BIN)/gunicorn --bind $(HOST):$(PORT) --workers $(WORKERS) --threads 4 --timeout 120 \
	    --control-socket $(CONTROL_SOCKET) 'app:create_app()' & web=$$!; \
	  wait -n $$worker $$web; status=$$?; kill $$web $$worker 2>/dev/null; wait; exit $$status

chromium:
	@command -v chromium >/dev/null && command -v chromedriver >/dev/null || \
	  (apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium chromium-driver)

# WeasyPrint (report PDFs) needs Pango, and fonts with every Vietnamese glyph to embed.
PDF_PACKAGES := libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core
pdf-libs:
	@missing=$$(for p in $(PDF_PACKAGES); do dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'install ok installed' || echo $$p; done); \
	  [ -z "$$missing" ] || (apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q $$missing)

test: install-dev chromium pdf-libs
	@bash scripts/run-tests.sh $(PYTEST_ARGS)

lint: install-dev
	$(BIN)/ruff check .

bench: install-dev
	PULSE_TODAY=2026-11-20 $(BIN)/python -m bench.seed_bench --scale hanoi
	PULSE_TODAY=2026-11-20 $(BIN)/python -m bench.dashboard_bench
	PULSE_TODAY=2026-11-20 $(BIN)/python -m bench.work_bench
	PULSE_TODAY=2026-11-20 $(BIN)/python -m bench.report_bench

clean-db:
	rm -f data/pulse.db data/pulse.db-wal data/pulse.db-shm data/.seeded
