# `make demo` and `make test` set up .venv themselves; everything else is a helper.
#
# PYTHON: the first supported interpreter (3.11-3.13, as pyproject.toml's requires-python)
# that runs; a pyenv shim of a version that is not selected fails and is skipped.
SUPPORTED := import sys; sys.exit(not (3, 11) <= sys.version_info[:2] < (3, 14))
ifndef PYTHON
PYTHON := $(shell for p in python3.11 python3.12 python3.13 python3; do \
	$$p -c '$(SUPPORTED)' >/dev/null 2>&1 && { command -v $$p; break; }; done)
endif
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-stamp
HOST   ?= 127.0.0.1
PORT   ?= 8000

# "3.11" for an interpreter, empty when it does not run.
version_of = $(shell $(1) -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null)
# Empty when $(VENV) is missing, broken, or made with another Python than $(PYTHON): such a
# venv is removed and made anew (a venv of the wrong Python would otherwise be kept forever).
VENV_MATCHES := $(if $(PYTHON),$(filter $(call version_of,$(PYTHON)),$(call version_of,$(PY))))

# The development values, set explicitly: the settings' own defaults are production ones
# (DEBUG off, a real secret key required). CI and the test settings set them the same way.
migrate seed demo bench: export DJANGO_DEBUG := true

.PHONY: venv messages test demo lint migrate seed bench clean venv-of-another-python

# Re-install when the dependency list changes, and from scratch when the venv's Python differs.
$(STAMP): pyproject.toml $(if $(VENV_MATCHES),,venv-of-another-python)
	@test -n "$(PYTHON)" || { echo "make: no Python 3.11-3.13 found; set PYTHON=/path/to/python3.1x" >&2; exit 1; }
	$(if $(VENV_MATCHES),,rm -rf $(VENV) && $(PYTHON) -m venv $(VENV))
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

venv: $(STAMP)

venv-of-another-python:
	@echo "make: $(VENV) is missing or not made with $(PYTHON) ($(call version_of,$(PYTHON))): making it anew"

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
	rm -rf $(VENV) .venv-* .pytest_cache .ruff_cache .test-db*.sqlite3*
	find locales -name '*.mo' -delete
