# Two commands: `make run` serves the portal with demo data, `make test` runs every test.
# Both install what they need: a .venv with the package, node_modules, the built SPA, Debian's chromium.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
SUDO   := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
FRONTEND_SOURCES := $(shell find frontend -type f -not -path '*/node_modules/*' -not -path 'frontend/tests/*') \
                    vite.config.js package-lock.json

.PHONY: run test pytest vitest bench build clean

run: $(VENV)/.run static/index.html
	$(BIN)/dcs serve --demo --demo-feed

test: $(VENV)/.test static/index.html /usr/bin/chromium /usr/lib/postgresql node_modules/.installed
	$(BIN)/pytest
	npm test

pytest: $(VENV)/.test static/index.html /usr/bin/chromium /usr/lib/postgresql
	$(BIN)/pytest

vitest: node_modules/.installed
	npm test

bench: $(VENV)/.test static/index.html /usr/bin/chromium
	$(BIN)/python -m bench

build: static/index.html

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.run: pyproject.toml | $(VENV)/bin/python
	$(BIN)/pip install --quiet --disable-pip-version-check -e .
	touch $@

$(VENV)/.test: pyproject.toml | $(VENV)/bin/python
	$(BIN)/pip install --quiet --disable-pip-version-check -e '.[test]'
	touch $@ $(VENV)/.run

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $@

static/index.html: node_modules/.installed $(FRONTEND_SOURCES)
	npm run build
	touch $@

/usr/bin/chromium:
	@echo "Installing Debian's chromium for the browser tests (no browser is downloaded by Playwright)."
	$(SUDO) apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq chromium

/usr/lib/postgresql:
	@echo "Installing Debian's postgresql for the tests that run on a real PostgreSQL server."
	$(SUDO) apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq postgresql

clean:
	rm -rf $(VENV) node_modules static
