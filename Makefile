# fundcalc — `make run` and `make test` set everything up on a fresh clone.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
# fundcalc's own modules, byte-compiled as pip compiles an installed wheel: an
# editable install does not, and with PYTHONDONTWRITEBYTECODE set every run
# would compile all of them again, a good part of a sample run.
COMPILED := $(VENV)/.compiled
SOURCES  := $(shell find src/fundcalc -name "*.py")

.PHONY: run test check lint bench sample clean

run: $(COMPILED)
	$(BIN)/fundcalc run

# Both run on every core (pytest-xdist): a worker per core, each its own process.
test: $(COMPILED)
	$(BIN)/pytest -n auto

# The edit loop: the suite without the slow end-to-end cases, property tests quick.
check: $(COMPILED)
	HYPOTHESIS_PROFILE=dev $(BIN)/pytest -n auto -m "not slow"

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks
	$(BIN)/mypy
	$(BIN)/lint-imports

bench: $(COMPILED)
	$(BIN)/python benchmarks/run.py

# Regenerate the shipped synthetic sample (seeded: the same files every time).
sample: $(STAMP)
	$(BIN)/python benchmarks/generate.py sample

$(STAMP): pyproject.toml requirements.lock
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements.lock
	$(BIN)/pip install --quiet --disable-pip-version-check --no-deps -e .
	touch $(STAMP)

$(COMPILED): $(STAMP) $(SOURCES)
	$(BIN)/python -m compileall -q src/fundcalc
	touch $(COMPILED)

clean:
	rm -rf $(VENV) src/fundcalc/__pycache__ .pytest_cache .mypy_cache .ruff_cache .hypothesis
