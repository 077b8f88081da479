# The two commands a newcomer needs (see README.md):
#   make          set up .venv, fetch the WSDLs (checked against spec/wsdl.lock), lint, regenerate
#   make test     style, types and the test suite
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
ALTINN2_SHARED ?= $(abspath ../shared)
ALTINN2_WSDL_DIR ?= $(ALTINN2_SHARED)/altinn2-wsdl
export ALTINN2_SHARED ALTINN2_WSDL_DIR

.PHONY: all generate setup fetch lint test style

all: generate

$(BIN)/altinn-codegen: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --editable '.[dev]'
	touch $@

setup: $(BIN)/altinn-codegen

fetch: setup
	$(BIN)/altinn-codegen fetch --from "$(ALTINN2_WSDL_DIR)" --locked

lint: fetch
	$(BIN)/altinn-codegen lint --strict

generate: lint

style: setup
	$(BIN)/ruff check generator tests
	$(BIN)/black --check --quiet generator tests
	$(BIN)/mypy

test: fetch style
	$(BIN)/pytest
