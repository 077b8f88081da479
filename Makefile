# The two commands a newcomer needs (see README.md):
#   make          set up .venv, fetch the WSDLs (checked against spec/wsdl.lock), lint, regenerate
#   make test     style and types (generator, generated package, bench), drift check, Java peers, tests
#   make interop  the WCF peer (Mono) both ways for the Basic column; needs Debian's mono-complete
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
ALTINN2_SHARED ?= $(abspath ../shared)
ALTINN2_WSDL_DIR ?= $(ALTINN2_SHARED)/altinn2-wsdl
export ALTINN2_SHARED ALTINN2_WSDL_DIR
# The tests' Java peers (tests/java): Maven, JDK 17; Maven's local repository is its default
# (~/.m2) unless MVN_FLAGS says otherwise, e.g. MVN_FLAGS=-Dmaven.repo.local=$PWD/.m2.
MVN ?= mvn
MVN_FLAGS ?=
JAVA_SOURCES := tests/java/pom.xml $(shell find tests/java/src -name '*.java' 2>/dev/null)
JAVA_BUILT := tests/java/target/classpath.txt

.PHONY: all generate setup fetch lint check style java xmlsec1 test interop bench fuzz

all: generate

$(BIN)/altinn-codegen: pyproject.toml generated/pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --editable '.[dev,bench]' --editable ./generated
	touch $@

setup: $(BIN)/altinn-codegen

fetch: setup
	$(BIN)/altinn-codegen fetch --from "$(ALTINN2_WSDL_DIR)" --locked

lint: fetch
	$(BIN)/altinn-codegen lint --strict > /dev/null

generate: lint
	$(BIN)/altinn-codegen generate

check: fetch
	$(BIN)/altinn-codegen check

# bench/'s scripts import each other by their own names (`from common import ...`).
style: setup
	$(BIN)/ruff check generator tests templates/runtime templates/testing bench
	$(BIN)/black --check --quiet generator tests templates/runtime templates/testing bench
	$(BIN)/mypy
	MYPYPATH=bench:generated $(BIN)/mypy --strict bench
	cd generated && ../$(BIN)/ruff check altinn2 && ../$(BIN)/black --check --quiet altinn2
	cd generated && ../$(BIN)/mypy altinn2

$(JAVA_BUILT): $(JAVA_SOURCES)
	$(MVN) -B -q $(MVN_FLAGS) -f tests/java/pom.xml package
	touch tests/java/target/java-peers-1.jar $@

java: $(JAVA_BUILT)

# Debian's xmlsec1 (the reference XML-DSig implementation) as a second, independent verifier of
# the RST signatures, unpacked into .cache/ without root (scripts/fetch-debs.sh).
XMLSEC1 := .cache/xmlsec1/usr/bin/xmlsec1
$(XMLSEC1):
	scripts/fetch-debs.sh .cache/xmlsec1 xmlsec1 libxmlsec1 libxmlsec1-openssl

xmlsec1: $(XMLSEC1)

test: fetch style check java xmlsec1
	$(BIN)/pytest

# Many more fuzz cases than the test suite runs (tests/fuzz.py says what they are).
FUZZ_CASES ?= 50000
FUZZ_SEED ?= 1
fuzz: fetch
	$(BIN)/python -m tests.fuzz --cases $(FUZZ_CASES) --seed $(FUZZ_SEED)

interop: fetch
	$(BIN)/pytest -m wcf

# The benchmark suite (bench/suite.py): every benchmark, a table of ratios, bench/results/suite.png.
# BENCH_FLAGS=--quick for fewer rounds and 64 MiB transfers.
BENCH_FLAGS ?=
bench: fetch
	$(BIN)/python bench/suite.py $(BENCH_FLAGS)
