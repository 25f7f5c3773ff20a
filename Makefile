# crmlab: two commands to know - `make run` (set up, build the classroom data, run the notebooks)
# and `make test` (the whole test suite, as CI runs it).
PYTHON ?= python3.11
VENV   ?= .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.PHONY: help venv data run test test-fast bench bench-large audit site clean

help:
	@echo "make run        create .venv, install, build datasets/classroom if missing, execute the notebooks"
	@echo "make test       run the whole test suite (what CI runs)"
	@echo "make test-fast  unit tests only (skips slow truth-recovery and notebook tests)"
	@echo "make data       regenerate datasets/classroom from its recorded scenario"
	@echo "make bench      generation benchmarks (PII vs Faker; scaling to 1M customers)"
	@echo "make audit      claims audit: the lessons on 20 unseen seeds, findings vs truth (docs/claims_audit.md)"
	@echo "make site       course website (English + Chinese) from the executed notebooks -> build/site/index.html"

$(STAMP): pyproject.toml setup.py
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "need $(PYTHON) (set PYTHON=/path/to/python3.11)"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[test,scale,site]"
	@touch $(STAMP)

venv: $(STAMP)

data: $(STAMP)
	$(PY) scripts/build_classroom.py --force

run: $(STAMP)
	@test -f datasets/classroom/manifest.json || $(PY) scripts/build_classroom.py
	@if ls notebooks/*.ipynb >/dev/null 2>&1; then $(VENV)/bin/crmlab run --out runs/latest; \
	 else echo "no notebooks yet"; fi

test: $(STAMP)
	$(PY) -m pytest -n 2 --dist loadfile

test-fast: $(STAMP)
	$(PY) -m pytest -n 2 --dist loadfile -m "not slow"

bench: $(STAMP)
	$(PY) scripts/bench_generate.py

audit: $(STAMP)
	$(PY) scripts/audit_claims.py --docs

site: $(STAMP)
	$(PY) scripts/build_site.py --out build/site

clean:
	rm -rf runs .pytest_cache
