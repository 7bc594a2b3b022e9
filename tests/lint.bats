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
