# Reservia: `make run` starts the server on SQLite, `make test` runs the whole test suite.
# Both create the virtualenv and install what they need on first use.
VENV ?= .venv
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: run test screenshots venv lint clean

# Webhooks may reach receivers on this machine too (unless RESERVIA_WEBHOOK_HOSTS says otherwise):
# the default keeps them to public addresses (docs/configuration.md).
run: $(VENV)/.runtime
	RESERVIA_HOST=$(HOST) RESERVIA_PORT=$(PORT) \
	RESERVIA_WEBHOOK_HOSTS="$${RESERVIA_WEBHOOK_HOSTS-*, 127.0.0.0/8, ::1}" $(VENV)/bin/python app.py

# The suite runs on SQLite and on a throwaway PostgreSQL cluster, what does not depend on the
# engine once, in four runs side by side (all always finish; any failing fails the target).
# See scripts/test-runs.sh.
test: $(VENV)/.test
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports --no-cache
	bash scripts/test-setup.sh
	VENV=$(VENV) bash scripts/test-runs.sh $(PYTEST_ARGS)

# The browser tests alone, writing docs/screenshots/*.png (the README's images) as they go.
screenshots: $(VENV)/.test
	bash scripts/test-setup.sh
	RESERVIA_SCREENSHOTS=1 $(VENV)/bin/python -m pytest -m browser $(PYTEST_ARGS)

venv: $(VENV)/.runtime

lint: $(VENV)/.test
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports --no-cache

$(VENV)/.runtime: requirements.txt
	bash scripts/make-venv.sh $(VENV) requirements.txt
	touch $@

# The tests run the quick benchmark: what it needs comes with them (bench/run.sh checks .bench).
$(VENV)/.test: requirements.txt requirements-bench.txt requirements-test.txt
	bash scripts/make-venv.sh $(VENV) requirements-test.txt
	touch $(VENV)/.runtime $(VENV)/.bench $@

clean:
	rm -rf $(VENV) .pytest_cache

# Performance figures under a real multi-process server (about 10 minutes; see docs/performance.md).
.PHONY: bench
bench:
	VENV=$(VENV) bash bench/run.sh $(BENCH_ARGS)
