# `make demo` and `make test` set up .venv themselves; everything else is a helper.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-stamp
HOST   ?= 127.0.0.1
PORT   ?= 8000

.PHONY: venv messages test demo lint migrate seed bench clean

# Re-install only when the dependency list changes.
$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

venv: $(STAMP)

# Compiled catalogues (.mo) are build products, never committed.
messages: venv
	@for po in locales/*/LC_MESSAGES/*.po; do \
		[ -e "$$po" ] || continue; \
		$(VENV)/bin/pybabel compile --statistics -i "$$po" -o "$${po%.po}.mo" >/dev/null || exit 1; \
	done

test: venv messages
	$(PY) -m pytest $(PYTEST_ARGS)

lint: venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

migrate: venv messages
	$(PY) manage.py migrate --noinput

seed: migrate
	$(PY) manage.py seed_demo

demo: seed
	$(PY) -m djproject.demo --host $(HOST) --port $(PORT)

# Benchmarks print figures; they are not part of the test run. The engine's compares against
# the reference engine, installed here only (it declares Python 3.12 but runs on 3.11).
bench: venv messages
	$(PY) -m pip install --quiet --ignore-requires-python 'codex-services==0.1.4'
	$(PY) -m booking.engine.bench
	$(PY) -m bot.bench

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .test-db*.sqlite3*
	find locales -name '*.mo' -delete
