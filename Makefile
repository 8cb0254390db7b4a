# dx - portable single-header C libraries. See README.md.
#   make          build the examples
#   make demo     run the main demo (installs what it needs)
#   make test     every test, under gcc and clang, sanitized and optimized
#   make cross    the portability matrix (ARM32, s390x, tcc, musl, Cortex-M4, mingw+wine)
#   make fuzz     each libFuzzer harness for FUZZ_SECONDS (default 60)
#   make bench    the benchmarks against peer tools; writes bench/RESULTS.md
SHELL := /bin/bash
CC ?= cc
WARN := -std=c99 -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Werror
CFLAGS ?= -O2
B := build
FUZZ_SECONDS ?= 60
HEADERS := $(wildcard dx_*.h)
EXAMPLES := $(patsubst examples/%.c,$(B)/%,$(wildcard examples/*.c))

.PHONY: all examples demo test cross fuzz bench clean deps-demo deps-test deps-cross deps-fuzz deps-bench

all: examples
examples: $(EXAMPLES)

$(B)/%: examples/%.c $(HEADERS) examples/tool.h
	@mkdir -p $(B)
	$(CC) $(WARN) $(CFLAGS) -D_DEFAULT_SOURCE -I. $< -o $@

deps-%:
	@bash tests/deps.sh $*

demo: deps-demo
	@$(MAKE) --no-print-directory CC=gcc $(B)/teleport_users $(B)/tp_dump $(B)/hbtp_loopback
	./$(B)/teleport_users $(B)/users.dxtp
	./$(B)/tp_dump --max 2 $(B)/users.dxtp | head -n 60
	./$(B)/hbtp_loopback

test: deps-test
	@bash tests/run.sh

cross: deps-cross
	@bash tests/cross.sh

fuzz: deps-fuzz
	@bash tests/fuzz.sh $(FUZZ_SECONDS)

bench: deps-bench
	@for b in bench/run_*.sh; do sh $$b --write-results || exit 1; done

clean:
	rm -rf $(B)
