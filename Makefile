# dx - portable single-header C libraries. See README.md.
#   make          build the examples (the tools with zstd when libzstd is installed; ZSTD=0: without)
#   make install  headers, dx.pc, the CMake package and the tools into PREFIX (default /usr/local; DESTDIR too)
#   make demo     run the main demo (installs what it needs)
#   make test     every test, under gcc and clang, sanitized and optimized
#   make cross    the portability matrix (ARM32, s390x, tcc, musl, Cortex-M4, mingw+wine, kqueue over libkqueue)
#   make fuzz     each libFuzzer harness for FUZZ_SECONDS (default 60)
#   make bench    the benchmarks against peer tools; writes bench/RESULTS.md
SHELL := /bin/bash
CC ?= cc
WARN := -std=c99 -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Werror
CFLAGS ?= -O2
B := build
FUZZ_SECONDS ?= 60
HEADERS := $(wildcard dx_*.h)
EXAMPLES := $(patsubst examples/%.c,$(B)/%,$(wildcard examples/*.c)) $(B)/statekeeper $(B)/dx_sync
# the collection's version (dx.pc, the CMake package): CMakeLists.txt's project() line
VERSION := $(shell sed -n 's/^project.dx VERSION \([0-9.]*\).*/\1/p' CMakeLists.txt)

# zstd: on when a program using libzstd compiles and links here (ZSTD=0 or 1 overrides).
# With it, dxdiff has --zstd, cas_snap --compress, statekeeper compressed deltas and objects; the other examples do not use it.
ifeq ($(origin ZSTD),undefined)
ZSTD := $(shell printf '\043include <zstd.h>\nint main(void) { return ZSTD_versionNumber() == 0; }\n' | \
          $(CC) -x c - -o /dev/null -lzstd >/dev/null 2>&1 && echo 1 || echo 0)
endif
ZSTD_FLAGS_dxdiff := -DDXDIFF_ZSTD
ZSTD_FLAGS_cas_snap := -DDX_CAS_WITH_ZSTD
ZSTD_FLAGS_statekeeper := -DDX_CAS_WITH_ZSTD -DDX_PATCH_WITH_ZSTD
ZSTD_FLAGS_dx_sync := -DDX_CAS_WITH_ZSTD -DDX_PATCH_WITH_ZSTD
# what example NAME is built with beyond the warnings: `make -s example-flags-NAME` (tests/run.sh asks)
example_flags = -D_DEFAULT_SOURCE $(if $(and $(filter 1,$(ZSTD)),$(ZSTD_FLAGS_$(1))),$(ZSTD_FLAGS_$(1)) -lzstd)

# make install: the tools are the examples a user runs on their own files (the
# others are demos: teleport_users, hbtp_loopback, reactor_echo)
TOOLS := dxdiff cas_snap cas_chunks tp_dump statekeeper dx_sync
PREFIX ?= /usr/local
INCLUDEDIR ?= $(PREFIX)/include
BINDIR ?= $(PREFIX)/bin
LIBDIR ?= $(PREFIX)/lib
PKGCONFIGDIR ?= $(LIBDIR)/pkgconfig
CMAKEDIR ?= $(LIBDIR)/cmake/dx
INSTALL ?= install

.PHONY: all examples demo test cross fuzz bench clean install deps-demo deps-test deps-cross deps-fuzz deps-bench

all: examples
examples: $(EXAMPLES)

$(B)/%: examples/%.c $(HEADERS) examples/tool.h examples/jwt.h
	@mkdir -p $(B)
	$(CC) $(WARN) $(CFLAGS) -I. $< -o $@ $(call example_flags,$*)

# a program in a folder of its own: examples/NAME/NAME.c
$(B)/statekeeper: examples/statekeeper/statekeeper.c $(HEADERS) examples/tool.h
	@mkdir -p $(B)
	$(CC) $(WARN) $(CFLAGS) -I. $< -o $@ $(call example_flags,statekeeper)
$(B)/dx_sync: examples/dx_sync/dx_sync.c examples/dx_sync/sync_wire.h $(HEADERS) examples/tool.h
	@mkdir -p $(B)
	$(CC) $(WARN) $(CFLAGS) -I. $< -o $@ $(call example_flags,dx_sync)

example-flags-%:
	@echo $(call example_flags,$*)

install: $(addprefix $(B)/,$(TOOLS))
	$(INSTALL) -d $(DESTDIR)$(INCLUDEDIR) $(DESTDIR)$(BINDIR) $(DESTDIR)$(PKGCONFIGDIR) $(DESTDIR)$(CMAKEDIR)
	$(INSTALL) -m 644 $(HEADERS) $(DESTDIR)$(INCLUDEDIR)
	$(INSTALL) -m 755 $(addprefix $(B)/,$(TOOLS)) $(DESTDIR)$(BINDIR)
	sed -e 's|@INCLUDEDIR@|$(INCLUDEDIR)|g' -e 's|@VERSION@|$(VERSION)|g' packaging/dx.pc.in > $(DESTDIR)$(PKGCONFIGDIR)/dx.pc
	sed -e 's|@INCLUDEDIR@|$(INCLUDEDIR)|g' -e 's|@VERSION@|$(VERSION)|g' packaging/dxConfig.cmake.in > $(DESTDIR)$(CMAKEDIR)/dxConfig.cmake
	sed -e 's|@VERSION@|$(VERSION)|g' packaging/dxConfigVersion.cmake.in > $(DESTDIR)$(CMAKEDIR)/dxConfigVersion.cmake

# explicit rules: make applies no pattern rule to a .PHONY target (a deps-% rule never ran)
deps-demo deps-test deps-cross deps-fuzz deps-bench:
	@bash tests/deps.sh $(@:deps-%=%)

# dx_sync (all five headers and dx_net.h) walks a real program through three releases on loopback,
# next to zstd --patch-from, rsync and a plain download (examples/dx_sync/demo.sh)
demo: deps-demo
	@$(MAKE) --no-print-directory CC=gcc $(B)/dx_sync
	bash examples/dx_sync/demo.sh $(B)/dx_sync

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
