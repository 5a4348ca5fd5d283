# Two commands matter: `make run` (the clearing house on its embedded default) and `make test`.
# Both set everything up first on a fresh machine: a pinned uv, then the locked environment.

PYTHON ?= python3
UV_VERSION := 0.13.8
UV := .tools/bin/uv
VENV := .venv
BIN := $(VENV)/bin
TEST_REPORT ?= $(or $(NORDCLEAR_TEST_REPORT),test-artifacts/junit.xml)

.PHONY: setup run test test-unit test-integration test-e2e bench lint format proto proto-check clean

$(UV):
	$(PYTHON) -m venv .tools
	.tools/bin/pip install --quiet uv==$(UV_VERSION)

$(BIN)/nordclear: $(UV) pyproject.toml uv.lock
	$(UV) sync --frozen
	@touch $@

setup: $(BIN)/nordclear

protos/node_modules/.bin/buf: protos/package.json protos/package-lock.json
	cd protos && npm ci --no-audit --no-fund --loglevel=error
	@touch $@

# The dashboard's browser tests drive Debian's Chromium: Playwright must not download a browser. Where
# apt-get cannot run (no Debian, not root) this says so, and the browser tests skip with the reason.
/usr/bin/chromium:
	@if command -v apt-get >/dev/null && [ "$$(id -u)" = 0 ]; then \
		apt-get update && apt-get install -y --no-install-recommends chromium; \
	else \
		echo "Chromium is not installed and cannot be installed here (needs apt-get as root);" \
			"the dashboard's browser tests will skip and say why."; \
	fi

run: setup
	$(BIN)/nordclear run

lint: setup protos/node_modules/.bin/buf
	$(BIN)/ruff check services tests protos benchmarks
	$(BIN)/ruff format --check services tests protos benchmarks
	$(BIN)/mypy services tests benchmarks protos/generate.py
	cd protos && node_modules/.bin/buf lint
	$(BIN)/python protos/generate.py --check

test: lint /usr/bin/chromium
	@mkdir -p $(dir $(TEST_REPORT))
	$(BIN)/pytest --junitxml=$(TEST_REPORT)

test-unit: setup
	$(BIN)/pytest -m unit

test-integration: setup
	$(BIN)/pytest -m integration

test-e2e: setup /usr/bin/chromium
	$(BIN)/pytest -m e2e

bench: setup
	$(UV) sync --frozen --group bench
	$(BIN)/python -m benchmarks.run_all

format: setup
	$(BIN)/ruff check --fix services tests protos
	$(BIN)/ruff format services tests protos

proto: setup
	$(BIN)/python protos/generate.py

clean:
	rm -rf .tools $(VENV) protos/node_modules test-artifacts benchmark-report .pytest_cache .mypy_cache .ruff_cache
