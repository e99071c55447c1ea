# Reservia: `make run` starts the server on SQLite, `make test` runs the whole test suite.
# Both create the virtualenv and install what they need on first use.
VENV ?= .venv
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: run test screenshots venv lint clean

run: $(VENV)/.runtime
	RESERVIA_HOST=$(HOST) RESERVIA_PORT=$(PORT) $(VENV)/bin/python app.py

# The suite runs twice: on SQLite, then on a throwaway PostgreSQL cluster (both runs always
# happen; either failing fails the target). The browser tests exercise pages, not the engine,
# so they run on SQLite only.
test: $(VENV)/.test
	$(VENV)/bin/ruff check .
	bash scripts/test-setup.sh
	status=0; \
	$(VENV)/bin/python -m pytest $(PYTEST_ARGS) || status=1; \
	$(VENV)/bin/python -m pytest --database=postgresql -m "not browser" $(PYTEST_ARGS) || status=1; \
	exit $$status

# The browser tests alone, writing docs/screenshots/*.png (the README's images) as they go.
screenshots: $(VENV)/.test
	bash scripts/test-setup.sh
	RESERVIA_SCREENSHOTS=1 $(VENV)/bin/python -m pytest -m browser $(PYTEST_ARGS)

venv: $(VENV)/.runtime

lint: $(VENV)/.test
	$(VENV)/bin/ruff check .

$(VENV)/.runtime: requirements.txt
	bash scripts/make-venv.sh $(VENV) requirements.txt
	touch $@

$(VENV)/.test: requirements.txt requirements-test.txt
	bash scripts/make-venv.sh $(VENV) requirements-test.txt
	touch $(VENV)/.runtime $@

clean:
	rm -rf $(VENV) .pytest_cache

# Performance figures under a real multi-process server (about 10 minutes; see docs/performance.md).
.PHONY: bench
bench:
	VENV=$(VENV) bash bench/run.sh $(BENCH_ARGS)
