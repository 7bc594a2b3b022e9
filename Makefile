# SPDX-License-Identifier: GPL-2.0
# xdpkit: make | make check | make demo | make bench | make install | make help

CLANG     ?= clang
CC        ?= gcc
PREFIX    ?= /usr/local
DESTDIR   ?=
MULTIARCH := $(shell $(CC) -print-multiarch 2>/dev/null)

# CFLAGS_BPF: the user's additions to every BPF object's flags, e.g.
# make CFLAGS_BPF='-DSRCLOG_MAX_SOURCES=262144 -DSRCLOG_RING_BYTES=1048576'.
# BPF_COMPILE: the whole compiler command the rules run (ours, then theirs).
BPF_COMPILE = $(CLANG) -target bpf -mcpu=v3 -O2 -g -Wall -Wextra -Werror \
	$(if $(MULTIARCH),-idirafter /usr/include/$(MULTIARCH)) $(CFLAGS_BPF)
CFLAGS     ?= -O2 -g
CFLAGS     += -Wall -Wextra -Werror -std=gnu11

XDP_OBJS  := $(patsubst %.c,%.o,$(wildcard xdp/*.c))
# scripts/: the commands an operator runs; scripts/lib/: what they use
# (lib.sh, these C helpers and their headers) and deps.sh.
HELPERS   := $(addprefix scripts/lib/,xdping-map srclog-map srclog-follow xdpkit-pins xdping-srvmap \
				     srcfilter-map)
TEST_BINS := tests/pkt/xdping_test tests/pkt/srclog_test tests/pkt/srcfilter_test tests/tools/blast tests/tools/vecho \
	     tests/tools/flood tests/tools/relay
TEST_OBJS := tests/xdp/drop_once.o tests/xdp/drop_after.o tests/xdp/srclog_small.o tests/xdp/srclog_shared.o \
	     tests/xdp/echo_any.o tests/xdp/maps_btf.o

ifeq ($(V),1)
Q :=
msg :=
else
Q := @
msg = @printf '  %-8s %s\n' $(1) $(2);
endif

.DELETE_ON_ERROR:
.PHONY: all check soak demo bench install install-completion uninstall help clean deps-build deps-check bpf-headers deb deps-deb

# Every BPF source of ours; `make bpf-headers` lists the headers they read
# (tests/lint.bats checks that all come from linux-libc-dev and libbpf-dev).
BPF_SRCS  := $(wildcard xdp/*.c tests/xdp/*.c) tests/bench/bench_kern.c tests/bench/reflect_kern.c

all: $(XDP_OBJS) $(HELPERS)

xdp/%.o: xdp/%.c $(wildcard xdp/*.h) $(wildcard maps/*.h)
	$(call msg,BPF,$@)
	$(Q)$(BPF_COMPILE) -c $< -o $@

scripts/lib/xdping-map: scripts/lib/xdping-map.c scripts/lib/bpftool_cmd.h scripts/lib/cli.h scripts/lib/mapio.h scripts/lib/promfile.h $(wildcard maps/*.h)
	$(call msg,CC,$@)
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) $< -o $@ -lm -lbpf

scripts/lib/xdping-srvmap: scripts/lib/xdping-srvmap.c scripts/lib/bpftool_cmd.h scripts/lib/cli.h $(wildcard maps/*.h)
	$(call msg,CC,$@)
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) $< -o $@

scripts/lib/srclog-map: scripts/lib/srclog-map.c scripts/lib/cli.h scripts/lib/mapio.h scripts/lib/promfile.h $(wildcard maps/*.h)
	$(call msg,CC,$@)
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) $< -o $@ -lbpf

scripts/lib/srcfilter-map: scripts/lib/srcfilter-map.c scripts/lib/cli.h scripts/lib/mapio.h $(wildcard maps/*.h)
	$(call msg,CC,$@)
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) $< -o $@ -lbpf

scripts/lib/srclog-follow: scripts/lib/srclog-follow.c scripts/lib/cli.h scripts/lib/mapio.h $(wildcard maps/*.h)
	$(call msg,CC,$@)
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) $< -o $@ -lbpf

scripts/lib/xdpkit-pins: scripts/lib/xdpkit-pins.c scripts/lib/mapio.h
	$(call msg,CC,$@)
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) $< -o $@ -lbpf

tests/pkt/%: tests/pkt/%.c tests/pkt/pkt.h scripts/lib/mapio.h $(wildcard maps/*.h)
	$(call msg,CC,$@)
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) $< -o $@ -lbpf

# One program, its tests in a file per feature (tests/pkt/xdping.h).
XDPING_TEST_SRCS := $(addprefix tests/pkt/xdping_,test.c frames.c server.c client.c chain.c parsing.c)
tests/pkt/xdping_test: $(XDPING_TEST_SRCS) tests/pkt/xdping.h tests/pkt/pkt.h scripts/lib/mapio.h \
		$(wildcard maps/*.h)
	$(call msg,CC,$@)
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) $(XDPING_TEST_SRCS) -o $@ -lbpf

tests/xdp/drop_once.o: tests/xdp/drop.c $(wildcard xdp/*.h)
	$(call msg,BPF,$@)
	$(Q)$(BPF_COMPILE) -DDROP_NTH_SEQ5=2 -c $< -o $@

tests/xdp/drop_after.o: tests/xdp/drop.c $(wildcard xdp/*.h)
	$(call msg,BPF,$@)
	$(Q)$(BPF_COMPILE) -DDROP_AFTER=12 -c $< -o $@

tests/xdp/echo_any.o: tests/xdp/echo_any.c $(wildcard xdp/*.h) $(wildcard maps/*.h)
	$(call msg,BPF,$@)
	$(Q)$(BPF_COMPILE) -c $< -o $@

tests/xdp/maps_btf.o: tests/xdp/maps_btf.c $(wildcard maps/*.h)
	$(call msg,BPF,$@)
	$(Q)$(BPF_COMPILE) -c $< -o $@

tests/xdp/srclog_small.o: xdp/srclog.c $(wildcard xdp/*.h) $(wildcard maps/*.h)
	$(call msg,BPF,$@)
	$(Q)$(BPF_COMPILE) -DSRCLOG_MAX_SOURCES=256 -DSRCLOG_RING_BYTES=4096 -c $< -o $@

tests/xdp/srclog_shared.o: xdp/srclog.c $(wildcard xdp/*.h) $(wildcard maps/*.h)
	$(call msg,BPF,$@)
	$(Q)$(BPF_COMPILE) -DSRCLOG_SHARED -DSRCLOG_MAX_SOURCES=1024 -c $< -o $@

tests/tools/%: tests/tools/%.c
	$(call msg,CC,$@)
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) $< -o $@

bpf-headers:
	$(Q)for f in $(BPF_SRCS); do \
		$(BPF_COMPILE) -M $$f || exit 1; \
	done | tr ' ' '\n' | grep '^/' | sort -u

deps-build:
	$(Q)./scripts/lib/deps.sh build

deps-check:
	$(Q)./scripts/lib/deps.sh check

check: deps-check
	$(Q)$(MAKE) --no-print-directory all $(TEST_BINS) $(TEST_OBJS) bench-srcfilter
	$(Q)./tests/run.sh

# The continuous probe for SOAK_SECONDS (default 600) rounds of a second,
# memory and counts checked (tests/xdping_every.bats); not in make check.
SOAK_SECONDS ?= 600
soak: deps-check
	$(Q)$(MAKE) --no-print-directory check-build
	$(Q)XDPKIT_SOAK=$(SOAK_SECONDS) ./tests/run.sh tests/xdping_every.bats

demo: deps-build
	$(Q)$(MAKE) --no-print-directory all
	$(Q)./scripts/demo.sh

# The commands, lib.sh and the helpers, the man pages, and the unit of a
# continuous probe (xdping-probe@IFACE); deps.sh is for building, not installed.
install: all
	$(Q)install -d $(DESTDIR)$(PREFIX)/lib/xdpkit/xdp $(DESTDIR)$(PREFIX)/lib/xdpkit/scripts/lib \
		$(DESTDIR)$(PREFIX)/sbin
	$(Q)install -m 0644 $(XDP_OBJS) $(DESTDIR)$(PREFIX)/lib/xdpkit/xdp/
	$(Q)install -m 0755 scripts/*.sh $(DESTDIR)$(PREFIX)/lib/xdpkit/scripts/
	$(Q)install -m 0644 scripts/lib/lib.sh $(DESTDIR)$(PREFIX)/lib/xdpkit/scripts/lib/
	$(Q)install -m 0755 $(HELPERS) $(DESTDIR)$(PREFIX)/lib/xdpkit/scripts/lib/
	$(Q)for s in xdping xdping-server srclog srcfilter; do \
		ln -sf ../lib/xdpkit/scripts/$$s.sh $(DESTDIR)$(PREFIX)/sbin/$$s; done
	$(Q)install -d $(DESTDIR)$(PREFIX)/share/man/man8
	$(Q)install -m 0644 scripts/*.8 $(DESTDIR)$(PREFIX)/share/man/man8/
	$(Q)install -d $(DESTDIR)$(PREFIX)/lib/systemd/system
	$(Q)sed 's|@SBINDIR@|$(PREFIX)/sbin|' scripts/xdping-probe@.service \
		>$(DESTDIR)$(PREFIX)/lib/systemd/system/xdping-probe@.service
	$(Q)$(MAKE) --no-print-directory install-completion

# bash-completion loads a completion by the command's name: one file, and
# the other names linked to it.
COMPLETIONS := $(DESTDIR)$(PREFIX)/share/bash-completion/completions
install-completion:
	$(Q)install -d $(COMPLETIONS)
	$(Q)install -m 0644 scripts/xdpkit.bash-completion $(COMPLETIONS)/xdping
	$(Q)for s in xdping-server srclog srcfilter; do ln -sf xdping $(COMPLETIONS)/$$s; done

uninstall:
	$(Q)rm -rf $(DESTDIR)$(PREFIX)/lib/xdpkit
	$(Q)rm -f $(DESTDIR)$(PREFIX)/sbin/xdping $(DESTDIR)$(PREFIX)/sbin/xdping-server \
		$(DESTDIR)$(PREFIX)/sbin/srclog $(DESTDIR)$(PREFIX)/sbin/srcfilter
	$(Q)rm -f $(addprefix $(DESTDIR)$(PREFIX)/share/man/man8/,$(notdir $(wildcard scripts/*.8)))
	$(Q)rm -f $(DESTDIR)$(PREFIX)/lib/systemd/system/xdping-probe@.service
	$(Q)rm -f $(addprefix $(COMPLETIONS)/,xdping xdping-server srclog srcfilter)

help:
	@echo 'make            build xdp/*.o and the C helpers in scripts/lib/'
	@echo 'sudo make check install what the tests need, build, run the whole suite'
	@echo 'sudo make demo  install what is missing, build, run xdping in a throwaway lab'
	@echo 'sudo make bench per-packet costs and RTTs, side by side (see BENCHMARKS.md)'
	@echo 'sudo make soak  xdping --every for SOAK_SECONDS (default 600): memory flat, counts exact'
	@echo 'sudo make check-fresh  make demo, deps, make and the packet tests in a minimal Debian 12 root'
	@echo '                REF=commit (default HEAD); XDPKIT_FRESH_TESTS=all for the whole suite'
	@echo 'sudo make check-fresh-deb  the same, then make deb, apt-get install, the installed'
	@echo '                commands in a namespace lab, apt-get purge'
	@echo 'make install    PREFIX=$(PREFIX): objects and scripts under lib/xdpkit, links in sbin'
	@echo 'make deb        dist/xdpkit_VERSION_ARCH.deb (debian/), lintian-clean; as root it first'
	@echo '                installs what it needs (debhelper, lintian): sudo make deb'
	@echo 'make clean      remove what make built'
	@echo 'V=1             show the commands'

include tests/bench/bench.mk

clean:
	$(Q)rm -rf $(XDP_OBJS) $(HELPERS) $(TEST_BINS) $(TEST_OBJS) build dist

# -- The suite in Debian's own kernel, under qemu (tests/vm/vm.sh) --------
# check-vm: every test; check-vm-ci: the part CI runs (see README, "Debian's
# kernel in a VM"). VM_TESTS=FILE... runs those files instead.
VM_CI_TESTS := tests/pkt/xdping_test tests/pkt/srclog_test \
	tests/vlan_dev.bats tests/netem.bats tests/xdping_vlan.bats tests/xdping_server.bats
.PHONY: check-build check-vm check-vm-ci deps-vm check-fresh check-fresh-deb

check-build: all $(TEST_BINS) $(TEST_OBJS) bench-srcfilter

deps-vm:
	$(Q)./scripts/lib/deps.sh vm

check-vm: deps-vm
	$(Q)$(MAKE) --no-print-directory check-build
	$(Q)./tests/vm/vm.sh $(VM_TESTS)

check-vm-ci: deps-vm
	$(Q)$(MAKE) --no-print-directory check-build
	$(Q)./tests/vm/vm.sh $(or $(VM_TESTS),$(VM_CI_TESTS))

# -- A fresh Debian 12 machine, in a chroot (tests/fresh/run.sh) ----------
# The README's steps in a minimal root, from a clean clone of REF.
check-fresh:
	$(Q)./scripts/lib/deps.sh fresh
	$(Q)./tests/fresh/run.sh $(REF)

# check-fresh-deb: the same, then make deb, apt-get install ./dist/..., the
# installed commands in a namespace lab, apt-get purge (tests/fresh/deb.sh).
check-fresh-deb:
	$(Q)./scripts/lib/deps.sh fresh
	$(Q)XDPKIT_FRESH_DEB=1 ./tests/fresh/run.sh $(REF)

# -- The Debian package (debian/) -----------------------------------------
# deb: dpkg-buildpackage builds a copy of the tree in build/deb/xdpkit (so
# the clone's own build is left alone and nothing lands in the clone's
# parent directory, Debian's default), lintian must find no error and no
# warning, then dist/ gets xdpkit_VERSION_ARCH.deb.
deps-deb:
	$(Q)./scripts/lib/deps.sh deb

deb: deps-deb
	$(Q)rm -rf build/deb
	$(Q)mkdir -p build/deb/xdpkit dist
	$(Q)tar -cf - --exclude=./build --exclude=./dist --exclude=./.git . | tar -xf - -C build/deb/xdpkit
	$(call msg,DEB,build/deb)
	$(Q)cd build/deb/xdpkit && dpkg-buildpackage -us -uc -b >../build.log 2>&1 || \
		{ tail -n 40 ../build.log; echo "make deb: dpkg-buildpackage failed; the whole log: build/deb/build.log" >&2; exit 1; }
	$(call msg,LINTIAN,build/deb/*.changes)
	$(Q)mkdir -p build/deb/tmp
	$(Q)TMPDIR=$(CURDIR)/build/deb/tmp lintian --fail-on error,warning build/deb/*.changes
	$(Q)rm -f dist/xdpkit_*.deb
	$(Q)cp build/deb/xdpkit_*.deb dist/
	$(Q)ls dist/xdpkit_*.deb
