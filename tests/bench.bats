#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# make bench's srcfilter family (6), run as make bench runs it but small
# (one round, tries of 1 and 1,000 prefixes, the JSON in the test's tmp):
# every figure and ratio must come out, in the table and in the JSON, and
# the driver's own checks must hold (every verdict, the matching rule's
# counters, every live frame dropped). No figure is judged: no timing is
# asserted here.
# shellcheck disable=SC2154 # output and status come from bats' run

bats_require_minimum_version 1.5.0
load helpers

BENCH_OBJS=(xdp/pass.o xdp/srcfilter.o xdp/srclog.o xdp/srclog_filter.o)

@test "bench family 6: srcfilter's figures and ratios in the table and the JSON" {
	local json=$XDPKIT_TEST_TMP/bench.json name g f o
	run env BENCH_FAMILIES=6 BENCH_ROUNDS=1 BENCH_FILTER_SIZES=1,1000 BENCH_JSON="$json" \
		"$XK/tests/bench/bench.sh"
	echo "$output"
	[ "$status" -eq 0 ]
	set --
	for g in 1 1k; do
		for f in v4-match v4-nomatch v6-match v6-nomatch; do
			for o in srcfilter bare; do
				set -- "$@" "filter/$g/$o/$f" "filter/$g/$o/$f-floor"
			done
			set -- "$@" "filter/$g/pass/$f" "ratio/srcfilter/$g/$f"
		done
	done
	for f in v4-match v4-nomatch; do
		for o in pass srclog srcfilter srclog_filter; do
			set -- "$@" "filter/combined/$o/$f"
		done
		set -- "$@" "filter/combined/halves/$f-floor" "ratio/srcfilter/combined/$f"
	done
	set -- "$@" filter/drop/srcfilter filter/drop/bare filter/drop/srcfilter-repeat \
		filter/drop/bare-repeat ratio/srcfilter/drop-live ratio/srcfilter/drop-repeat
	for name in "$@"; do
		# one number per measure, as Bencher reads it
		jq -e --arg n "$name" '.[$n] | to_entries | length == 1 and
			(.[0].value | (.value, .lower_value, .upper_value) | type == "number")' "$json" >/dev/null ||
			{ echo "missing or malformed in the JSON: $name"; false; }
		grep -q "^  $name " <<<"$output" || { echo "missing in the table: $name"; false; }
	done
	# the targets of issue 11: one line per size and frame, and the drop rate
	[ "$(grep -c '^  srcfilter / bare lookup above floor, ' <<<"$output")" -eq 8 ]
	grep -q '^  srcfilter drops/s vs bare XDP_DROP (live frames) ' <<<"$output"
	# only family 6 ran
	[ "$(grep -c '^  pkt/' <<<"$output")" -eq 0 ]
}

@test "srcfilterbench: a bare filter that drops what matches no rule is caught" {
	# drop_bare.o in place of the bare filter: it drops the non-matching frames too
	cd "$XK"
	run --separate-stderr "$XK/build/bench/srcfilterbench" 1 1000 lo 1 "${BENCH_OBJS[@]}" \
		build/bench/drop_bare.o build/bench/drop_bare.o
	[ "$status" -eq 1 ]
	[ "$stderr" = "srcfilterbench: verdict XDP_DROP, expected XDP_PASS" ]
}

@test "bench family 6: bad sizes are refused with exit 2 and one line" {
	local s
	for s in 1,,10 ,1 x 1,2k; do
		run --separate-stderr env BENCH_FAMILIES=6 BENCH_FILTER_SIZES="$s" "$XK/tests/bench/bench.sh"
		[ "$status" -eq 2 ]
		[ "${#stderr_lines[@]}" -eq 1 ]
		[[ $stderr == *BENCH_FILTER_SIZES* ]]
	done
	cd "$XK"
	run --separate-stderr "$XK/build/bench/srcfilterbench" 1 1000 lo 0 "${BENCH_OBJS[@]}" \
		build/bench/filter_bare.o build/bench/drop_bare.o
	[ "$status" -eq 2 ]
	[ "$stderr" = "srcfilterbench: '0' is not a number from 1 to 1048576" ]
}
