# Two commands on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test coverage fuzz lint typecheck check schema schema-check migrate sweep \
	bench bench-guard bench-live clean graphiql web-client

$(STAMP): requirements-dev.lock pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
		{ echo "GigSta needs Python 3.11 or newer"; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements-dev.lock
	touch $(STAMP)

## npm projects, each pinned by its package-lock.json and installed without
## running any package's scripts:
## - web/graphiql: GraphiQL's browser files (GraphiQL, React, the explorer
##   plugin), served at /graphiql/;
## - clients/web: the typed web client check (urql, graphql-codegen, tsc): the
##   suite types the Vue app's operations from schema.graphql and runs them
##   against the served app.
GRAPHIQL_STAMP := web/graphiql/node_modules/.installed
WEB_CLIENT_STAMP := clients/web/node_modules/.installed
%/node_modules/.installed: %/package.json %/package-lock.json
	@command -v npm >/dev/null || \
		{ echo "$* is installed with npm: install it (Debian: apt-get install npm)"; exit 1; }
	cd $* && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
	touch $@

graphiql: $(GRAPHIQL_STAMP)

web-client: $(WEB_CLIENT_STAMP)

## Install, start the local stand-ins (when not configured), migrate, seed, serve.
run: $(STAMP) $(GRAPHIQL_STAMP)
	$(BIN)/python -m scripts.devstack

## Install and run the whole suite against throw-away local servers.
test: $(STAMP) $(GRAPHIQL_STAMP) $(WEB_CLIENT_STAMP)
	$(BIN)/python -m pytest

## The suite under coverage, including the subprocesses it starts (the served
## app, create-admin, the sweep command): see [tool.coverage] in pyproject.toml.
coverage: $(STAMP) $(GRAPHIQL_STAMP) $(WEB_CLIENT_STAMP)
	$(BIN)/python -m pytest --cov --cov-report=term

## Generated GraphQL operations against the served app (FUZZ_EXAMPLES of them):
## no 5xx, no non-JSON answer, no traceback logged. The suite runs 300.
FUZZ_EXAMPLES ?= 10000
fuzz: $(STAMP)
	FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) $(BIN)/python -m pytest tests/test_fuzz.py -s -q -p no:cacheprovider

lint: $(STAMP)
	$(BIN)/ruff check gigsta scripts tests bench
	$(BIN)/ruff format --check gigsta scripts tests bench
	$(BIN)/lint-imports

typecheck: $(STAMP)
	$(BIN)/mypy

check: lint typecheck test

## Write the published schema, schema.graphql, from the code (commit it).
schema: $(STAMP)
	$(BIN)/strawberry export-schema gigsta.schema:build_schema --output schema.graphql

## Fail on a breaking change against schema.graphql at the merge base with the
## main line (in a clone of main: the previous commit), or at BASE if given
## (a release tag, say); see "The published schema" in the README.
schema-check: $(STAMP)
	$(BIN)/python -m scripts.schema_check $(if $(BASE),--base $(BASE))

migrate: $(STAMP)
	$(BIN)/python -m scripts.migrate up

sweep: $(STAMP)
	$(BIN)/python -m gigsta.jobs sweep

bench: $(STAMP)
	$(BIN)/python -m bench.side_by_side
	$(BIN)/python -m bench.field_cost
	$(BIN)/python -m bench.booking_page
	$(BIN)/python -m bench.sign_in_load

## Refusal times of hostile requests, and /healthz while they keep coming.
bench-guard: $(STAMP)
	$(BIN)/python -m bench.query_guard

## Live updates across two instances: mutation -> subscriber latency (p50/p99
## over 200 transitions) on the same and the other instance, and how many idle
## subscribers one instance holds under 10 % CPU. Takes about five minutes.
bench-live: $(STAMP)
	$(BIN)/python -m bench.subscriptions

clean:
	rm -rf $(VENV) web/graphiql/node_modules clients/web/node_modules .pytest_cache .mypy_cache .ruff_cache .coverage .coverage.* htmlcov
