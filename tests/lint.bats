#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# The scripts are POSIX sh, shellcheck clean, and keep the project's rules.

XK=$(cd "$BATS_TEST_DIRNAME/.." && pwd)

@test "shellcheck -s sh on every script" {
	run shellcheck -s sh "$XK"/scripts/*.sh "$XK"/scripts/lib/*.sh "$XK"/tests/run.sh "$XK"/tests/bench/bench.sh "$XK"/tests/vm/*.sh "$XK"/tests/fresh/*.sh "$XK"/.ci/run
	[ "$status" -eq 0 ] || { printf '# %s\n' "$output" >&3; false; }
}

@test "every script parses with dash" {
	for f in "$XK"/scripts/*.sh "$XK"/scripts/lib/*.sh "$XK"/tests/run.sh "$XK"/tests/bench/bench.sh "$XK"/tests/vm/*.sh "$XK"/tests/fresh/*.sh "$XK"/.ci/run; do
		dash -n "$f"
	done
}

@test "every entry script sets -eu and never evals" {
	for f in "$XK"/scripts/*.sh "$XK"/scripts/lib/*.sh; do
		case $f in */lib/lib.sh) continue ;; esac
		grep -q '^set -eu$' "$f" || { echo "# no set -eu: $f" >&3; false; }
	done
	run grep -nw 'eval' "$XK"/scripts/*.sh "$XK"/scripts/lib/*.sh
	[ "$status" -eq 1 ] || { printf '# %s\n' "$output" >&3; false; }
}

@test "nothing uses ip -force" {
	run grep -n -- 'ip .*-force\|ip -f\b' "$XK"/scripts/*.sh "$XK"/scripts/lib/*.sh
	[ "$status" -eq 1 ] || { printf '# %s\n' "$output" >&3; false; }
}

@test "the C helpers and tests build with -Wall -Wextra -Werror" {
	local progs
	# every user-space C program the Makefile builds: HELPERS and TEST_BINS
	progs=$(printf 'xk-c-progs:\n\t@echo $(HELPERS) $(TEST_BINS)\n' |
		make -C "$XK" -s -f Makefile -f - xk-c-progs)
	[ "$(wc -w <<<"$progs")" -ge 2 ] || { echo "# programs: '$progs'" >&3; false; }
	# shellcheck disable=SC2086 # one word per program
	run make -C "$XK" -s -B $progs
	[ "$status" -eq 0 ] || { printf '# %s\n' "$output" >&3; false; }
	[[ "$output" != *warning* ]] || { printf '# %s\n' "$output" >&3; false; }
}

@test "bpf sources read only UAPI and libbpf headers" {
	# A glibc header under -target bpf wants gnu/stubs-32.h, which only
	# libc6-dev-i386 has (and only on amd64): a fresh Debian machine fails.
	run make -C "$XK" -s bpf-headers
	[ "$status" -eq 0 ] || { printf '# %s\n' "$output" >&3; false; }
	[ -n "$output" ]
	allowed=$(dpkg-query -L linux-libc-dev libbpf-dev)
	bad=
	for h in $output; do
		printf '%s\n' "$allowed" | grep -qxF -- "$h" || bad="$bad $h"
	done
	[ -z "$bad" ] || { echo "# read from outside linux-libc-dev and libbpf-dev:$bad" >&3; false; }
}

# generic_calls OBJ: the generic map helpers the verifier left in OBJ's
# program once loaded (a private bpffs: pins by name vanish with it).
generic_calls() {
	unshare -m sh -c 'mount -t bpf bpf /sys/fs/bpf &&
		bpftool prog load "$1" /sys/fs/bpf/lint type xdp &&
		bpftool prog dump xlated pinned /sys/fs/bpf/lint' sh "$1" |
		grep -oE 'call bpf_map_(lookup|update|delete)_elem' | sort | uniq -c
}

@test "every map call of a loaded object is the map's own, never the generic helper" {
	# Where clang merges two call sites of two maps into one, the verifier
	# cannot tell the map and keeps bpf_map_lookup_elem(), an indirect call
	# (about 12 ns a frame here): xdp/lookup.h's lookup_here() prevents it.
	local o n=0 bad=
	for o in "$XK"/xdp/*.o "$XK"/tests/xdp/*.o; do
		# maps only, no program
		[ "${o##*/}" != maps_btf.o ] || continue
		run generic_calls "$o"
		[ -z "$output" ] || bad="$bad ${o#"$XK"/}: $output;"
		n=$((n + 1))
	done
	[ "$n" -ge 6 ]
	[ -z "$bad" ] || { echo "# generic map calls left:$bad" >&3; false; }
}

@test "the map-call check catches a merged call site" {
	# srcfilter's lookups without lookup_here(): clang merges them
	local d=$BATS_TEST_TMPDIR/xdp
	mkdir -p "$d"
	cp -R "$XK/xdp/." "$d/"
	rm -f "$d"/*.o
	cp -R "$XK/maps" "$BATS_TEST_TMPDIR/maps"
	printf '#undef lookup_here\n#define lookup_here(m, k) bpf_map_lookup_elem(m, k)\n' >"$d/nolookup.h"
	sed -i 's|#include "lookup.h"|#include "lookup.h"\n#include "nolookup.h"|' "$d/source.h"
	run make -C "$XK" -s --no-print-directory -f Makefile -f - "$d/srcfilter.o" <<EOF
$d/srcfilter.o: $d/srcfilter.c
	\$(BPF_COMPILE) -c \$< -o \$@
EOF
	[ "$status" -eq 0 ] || { printf '# %s\n' "$output" >&3; false; }
	run generic_calls "$d/srcfilter.o"
	[[ $output == *"call bpf_map_lookup_elem"* ]] || { echo "# not caught: '$output'" >&3; false; }
}
