# SPDX-License-Identifier: GPL-2.0
# `sudo make bench`: included by the top Makefile (uses its CLANG, CC,
# CFLAGS, BPF_COMPILE, MULTIARCH, Q, msg, XDP_OBJS). Method and figures: BENCHMARKS.md.

BENCH_DIR     := build/bench
REF_DIR       := build/ref
LINUX_SRC_TAR ?= /usr/src/linux-source-6.1.tar.xz
REF_IN_TAR    := linux-source-6.1/tools/testing/selftests/bpf
# The reference is built exactly as ours are, minus our warning flags:
# it is not our code. tests/bench/ref-include stands in for the two glibc
# headers it reaches, so it builds where no 32-bit libc is installed.
REF_CFLAGS    := -target bpf -mcpu=v3 -O2 -g -Itests/bench/ref-include \
	$(if $(MULTIARCH),-idirafter /usr/include/$(MULTIARCH))
BENCH_BUILT   := $(REF_DIR)/xdping_kern.o $(BENCH_DIR)/bench_kern.o $(BENCH_DIR)/xdpbench \
	$(BENCH_DIR)/reflect_kern.o
# The sub-make reads the top Makefile this one was started with, which
# includes this file again (naming each file of MAKEFILE_LIST would read
# this one twice: "overriding recipe" for every target here).
BENCH_MAKE    := $(MAKE) --no-print-directory -f $(firstword $(MAKEFILE_LIST))

.PHONY: bench bench-build deps-bench

bench: deps-bench
	$(Q)$(BENCH_MAKE) all bench-build
	$(Q)./tests/bench/bench.sh

deps-bench:
	$(Q)./scripts/lib/deps.sh bench

# Only the two files the reference needs, out of the whole tarball (~8 s,
# once: they stay in build/ref until make clean).
$(REF_DIR)/xdping_kern.c:
	$(call msg,EXTRACT,$(REF_DIR))
	$(Q)rm -rf $(REF_DIR)/tmp && mkdir -p $(REF_DIR)/tmp
	$(Q)tar -xJf $(LINUX_SRC_TAR) -C $(REF_DIR)/tmp \
		$(REF_IN_TAR)/xdping.h $(REF_IN_TAR)/progs/xdping_kern.c
	$(Q)mv $(REF_DIR)/tmp/$(REF_IN_TAR)/xdping.h $(REF_DIR)/xdping.h
	$(Q)mv $(REF_DIR)/tmp/$(REF_IN_TAR)/progs/xdping_kern.c $@
	$(Q)rm -rf $(REF_DIR)/tmp

$(REF_DIR)/xdping.h: $(REF_DIR)/xdping_kern.c

$(REF_DIR)/xdping_kern.o: $(REF_DIR)/xdping_kern.c $(REF_DIR)/xdping.h
	$(call msg,BPF,$@)
	$(Q)$(CLANG) $(REF_CFLAGS) -c $< -o $@

$(BENCH_DIR)/bench_kern.o: tests/bench/bench_kern.c
	$(call msg,BPF,$@)
	$(Q)mkdir -p $(BENCH_DIR)
	$(Q)$(BPF_COMPILE) -c $< -o $@

$(BENCH_DIR)/reflect_kern.o: tests/bench/reflect_kern.c
	$(call msg,BPF,$@)
	$(Q)mkdir -p $(BENCH_DIR)
	$(Q)$(BPF_COMPILE) -c $< -o $@

$(BENCH_DIR)/xdpbench: tests/bench/xdpbench.c tests/bench/driver.h tests/pkt/pkt.h scripts/lib/mapio.h $(REF_DIR)/xdping.h \
		$(wildcard maps/*.h)
	$(call msg,CC,$@)
	$(Q)mkdir -p $(BENCH_DIR)
	$(Q)$(CC) $(CFLAGS) -I$(REF_DIR) $< -o $@ -lbpf -lpthread

# ---- srclog under churn (family 5): srclog beside a bare counter, each
# with a per-CPU LRU hash and with a shared LRU hash and atomic adds ----
SRCLOG_BENCH := $(BENCH_DIR)/srclog_shared.o $(BENCH_DIR)/bare_count.o \
	$(BENCH_DIR)/bare_count_shared.o $(BENCH_DIR)/srclogbench
BENCH_BUILT  += $(SRCLOG_BENCH)
BPF_SRCS     += tests/bench/srclog_bench_kern.c

$(BENCH_DIR)/srclog_shared.o: xdp/srclog.c $(wildcard xdp/*.h) $(wildcard maps/*.h)
	$(call msg,BPF,$@)
	$(Q)mkdir -p $(BENCH_DIR)
	$(Q)$(BPF_COMPILE) -DSRCLOG_SHARED -c $< -o $@

$(BENCH_DIR)/bare_count.o: tests/bench/srclog_bench_kern.c $(wildcard xdp/*.h) $(wildcard maps/*.h)
	$(call msg,BPF,$@)
	$(Q)mkdir -p $(BENCH_DIR)
	$(Q)$(BPF_COMPILE) -c $< -o $@

$(BENCH_DIR)/bare_count_shared.o: tests/bench/srclog_bench_kern.c $(wildcard xdp/*.h) $(wildcard maps/*.h)
	$(call msg,BPF,$@)
	$(Q)mkdir -p $(BENCH_DIR)
	$(Q)$(BPF_COMPILE) -DSRCLOG_SHARED -c $< -o $@

$(BENCH_DIR)/srclogbench: tests/bench/srclogbench.c tests/pkt/pkt.h scripts/lib/mapio.h $(wildcard maps/*.h)
	$(call msg,CC,$@)
	$(Q)mkdir -p $(BENCH_DIR)
	$(Q)$(CC) $(CFLAGS) $< -o $@ -lbpf -lpthread

# ---- srcfilter (family 6): srcfilter beside a bare one-lookup filter
# sharing its tries, and beside a bare XDP_DROP program ----
SRCFILTER_BENCH := $(BENCH_DIR)/filter_bare.o $(BENCH_DIR)/drop_bare.o $(BENCH_DIR)/srcfilterbench
BENCH_BUILT     += $(SRCFILTER_BENCH)
BPF_SRCS        += tests/bench/filter_bench_kern.c tests/bench/drop_kern.c
.PHONY: bench-srcfilter
bench-srcfilter: $(SRCFILTER_BENCH)

$(BENCH_DIR)/filter_bare.o: tests/bench/filter_bench_kern.c $(wildcard xdp/*.h) $(wildcard maps/*.h)
	$(call msg,BPF,$@)
	$(Q)mkdir -p $(BENCH_DIR)
	$(Q)$(BPF_COMPILE) -c $< -o $@

$(BENCH_DIR)/drop_bare.o: tests/bench/drop_kern.c
	$(call msg,BPF,$@)
	$(Q)mkdir -p $(BENCH_DIR)
	$(Q)$(BPF_COMPILE) -c $< -o $@

$(BENCH_DIR)/srcfilterbench: tests/bench/srcfilterbench.c tests/bench/driver.h tests/pkt/pkt.h scripts/lib/mapio.h $(wildcard maps/*.h)
	$(call msg,CC,$@)
	$(Q)mkdir -p $(BENCH_DIR)
	$(Q)$(CC) $(CFLAGS) $< -o $@ -lbpf

# Last: a rule's prerequisites are expanded where it stands, and
# BENCH_BUILT grows above (the double read of this file used to hide that).
bench-build: $(BENCH_BUILT)
