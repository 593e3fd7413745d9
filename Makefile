# Everything runs from a project-local virtualenv built with the machine's Python 3.11.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
SHARED := ../shared/data

.PHONY: install test lint format demo bench clean

$(BIN)/mamori: pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "Python 3.11 is required ($(PYTHON) not found)"; exit 2; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	@touch $@

install: $(BIN)/mamori

lint: install
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks

format: install
	$(BIN)/ruff check --fix src tests benchmarks
	$(BIN)/ruff format src tests benchmarks

test: lint
	$(BIN)/pytest -n 2 --dist loadgroup

demo: install
	@if [ -d $(SHARED)/evtx ] && [ -d $(SHARED)/sigma/rules/windows ]; then \
		$(BIN)/mamori hunt $(SHARED)/evtx --rules $(SHARED)/sigma/rules/windows --min-level high; \
		status=$$?; [ $$status -le 1 ] || exit $$status; \
	else \
		echo "make demo needs the sample logs and SigmaHQ rules beside the repo:"; \
		echo "  $(SHARED)/evtx            (.evtx files)"; \
		echo "  $(SHARED)/sigma/rules/windows  (SigmaHQ Windows rules)"; \
		exit 2; \
	fi

bench: install
	@# Byte-compile as a regular (non-editable) install would, so start-up is measured as users meet it.
	$(BIN)/python -m compileall -q src
	$(BIN)/python benchmarks/bench_hunt.py
	$(BIN)/python benchmarks/bench_audit.py

clean:
	rm -rf $(VENV) build dist src/*.egg-info .pytest_cache .ruff_cache
