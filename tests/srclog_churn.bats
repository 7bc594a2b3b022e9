#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# srclog under a spoofed-source flood (tests/tools/flood from the far
# side of a veth pair): the map churns, and top, status and reset must
# stay right while it does; five heavy sources must come out on top with
# their real counts; the prefix view and the rules format.
# shellcheck disable=SC2154 # stderr comes from bats' run
# shellcheck disable=SC2030,SC2031 # each @test is its own subshell, on purpose

bats_require_minimum_version 1.5.0
load helpers

CAPACITY=65536
HEAVY="198.18.250.1 198.18.250.2 198.19.250.3 2001:db8:fa::4 2001:db8:fa::5"

setup() {
	lab_up
	FLOOD_PID=
	FLOOD_OUT=$XDPKIT_TEST_TMP/flood.$BATS_TEST_NUMBER
}

teardown() {
	if [ -n "$FLOOD_PID" ]; then
		kill "$FLOOD_PID" 2>/dev/null || true
		wait "$FLOOD_PID" 2>/dev/null || true
	fi
	lab_down
}

# flood ARGS...: tests/tools/flood from the far side to $C, on CPU 0,
# with the five heavy sources; its report in $FLOOD_OUT.
flood() {
	local h opts=()
	for h in $HEAVY; do opts+=(-H "$h"); done
	ip netns exec "$NS" taskset -c 0 "$XK/tests/tools/flood" "${opts[@]}" "$@" \
		"$P" "$(mac_of "$C")" "$C_ADDR" 2001:db8:fa::1 >"$FLOOD_OUT"
}

# flooding: whether the flood started in the background still runs.
flooding() {
	kill -0 "$FLOOD_PID" 2>/dev/null && ! grep -q '^sent ' "$FLOOD_OUT"
}

# map_churning: true once srclog has counted 200,000 frames from the
# flood (CHURNING=1), or when the flood is over.
map_churning() {
	CHURNING=0
	if srclog_ok "$C" status &&
		[[ $output =~ frames\ with\ a\ source:\ ipv4\ ([0-9]+),\ ipv6\ ([0-9]+) ]] &&
		[ $((BASH_REMATCH[1] + BASH_REMATCH[2])) -ge 200000 ]; then
		CHURNING=1
		return 0
	fi
	! flooding
}

# sources_ok: the last top -j output is an array of distinct addresses,
# at most CAPACITY of them.
sources_ok() {
	local n dup
	n=$(jq length <<<"$output") || { echo "top -j: not JSON"; return 1; }
	dup=$(jq '[.[].address] | length - (unique | length)' <<<"$output")
	if [ "$dup" -ne 0 ] || [ "$n" -gt "$CAPACITY" ]; then
		echo "top -j: $n entries, $dup of them an address seen before (capacity $CAPACITY)"
		return 1
	fi
}

@test "during a flood: top has no address twice and at most the capacity; status likewise; reset exits 0" {
	local round=0 held churned=0
	lab_quiet
	srclog_ok "$C" start -l off
	flood -n 100000000 -t 300 &
	FLOOD_PID=$!
	# Until the map is full and churning: 200,000 frames, nearly all from
	# new sources, through a map of 65,536 (the flood lasts 300 s at most).
	wait_until 300 map_churning
	[ "$CHURNING" = 1 ] || { echo "the flood ended early: $(cat "$FLOOD_OUT")"; return 1; }
	# Rounds of reads, each begun and ended while the flood runs: at least
	# two such (the flood is bounded by time; a slow machine gets fewer).
	while [ "$round" -lt 2 ] && flooding; do
		srclog_ok "$C" top -j -i 0 -n 1000000
		sources_ok
		echo "# ${SECONDS}s: top -j: $(jq length <<<"$output") distinct sources" >&3
		srclog_ok "$C" top -j -i 0.5 -n 1000000
		sources_ok
		srclog_ok "$C" status
		[[ $output =~ sources:\ ([0-9]+)\ in\ the\ map\ \(capacity\ $CAPACITY, ]] || { show_run; return 1; }
		held=${BASH_REMATCH[1]}
		[ "$held" -le "$CAPACITY" ] || { echo "status: $held sources"; return 1; }
		[[ $output != *"churn: "* ]] || churned=$((churned + 1))
		srclog_ok "$C" top -i 0 -n 3
		[[ $output != *"churn: "* ]] || churned=$((churned + 1))
		srclog_ok "$C" reset
		echo "# ${SECONDS}s: status ($held sources), top, reset done" >&3
		flooding || break
		round=$((round + 1))
	done
	[ "$round" -ge 1 ] || { echo "no round within the flood: $(cat "$FLOOD_OUT")"; return 1; }
	# The reads said that the map churned under them.
	[ "$churned" -gt 0 ]
	kill "$FLOOD_PID"
	wait "$FLOOD_PID" || true
	FLOOD_PID=
	srclog_ok "$C" stop
	srclog_clean "$C"
}

@test "five sources at 1% each among a million random ones: top -n 5 names them, counts within 1%" {
	local a sent got n frames
	lab_quiet
	srclog_ok "$C" start -l off
	srclog_ok "$C" reset
	# 1.2 M frames: 12,000 from each heavy source, 1,140,000 from random
	# ones, 90% of them in 2001:db8::/32 (96 random bits: all distinct),
	# the rest in 198.18.0.0/15.
	flood -n 1200000 -t 120 -6 90
	grep -q '^sent 1200000$' "$FLOOD_OUT" || { cat "$FLOOD_OUT"; return 1; }
	srclog_ok "$C" status
	frames=$(printf '%s\n' "$output" | sed -n 's/^frames with a source: ipv4 \([0-9]*\), ipv6 \([0-9]*\)$/\1 \2/p')
	n=$(printf '%s\n' "$output" | sed -n 's/^new sources taken in: \([0-9]*\)$/\1/p')
	echo "# srclog saw $frames (ipv4 ipv6) of 1200000 frames, took in $n new sources" >&3
	[ "$n" -gt 1000000 ] || { show_run; return 1; }
	srclog_ok "$C" top -j -i 0 -n 5
	[ "$(jq length <<<"$output")" -eq 5 ]
	for a in $HEAVY; do
		sent=$(sed -n "s/^heavy $a \([0-9]*\)$/\1/p" "$FLOOD_OUT")
		got=$(jq -r --arg a "$a" '.[] | select(.address == $a) | .packets' <<<"$output")
		[ -n "$got" ] || { echo "$a is not among the top 5: $output"; return 1; }
		echo "# $a: sent $sent, counted $got" >&3
		if [ $((got * 100)) -lt $((sent * 99)) ] || [ $((got * 100)) -gt $((sent * 101)) ]; then
			echo "$a: counted $got, sent $sent: not within 1%"
			return 1
		fi
	done
	srclog_ok "$C" stop
	srclog_clean "$C"
}

@test "top --prefix: sources summed by /24 and /48 (or LEN4,LEN6); --format rules: one prefix a line" {
	local N S4 S6 S6b
	lab_quiet
	N=$((BATS_TEST_NUMBER % 250))
	S4=198.19.$N
	S6=2001:db8:fe$((N % 100))
	S6b=2001:db8:fd$((N % 100))
	srclog_ok "$C" start -l off
	srclog_ok "$C" reset
	# 10 sources x 3 frames in S4.0/24, 2 x 5 in S4+1 (198.19.N+1.0/24)
	blast -r 10 -n 3 "$S4.10" "$C_ADDR"
	blast -r 2 -n 5 "198.19.$((N + 1)).1" "$C_ADDR"
	# 4 x 2 frames in S6::/48, 3 x 1 in S6b::/48 (the same /24)
	blast -r 4 -n 2 "$S6::1" "$S6::ffff"
	blast -r 3 -n 1 "$S6b::1" "$S6::ffff"
	srclog_ok "$C" top -j -i 0 --prefix 24
	# /24 applies to IPv6 as well: all 7 IPv6 sources share S6's /24.
	[ "$(jq length <<<"$output")" -eq 3 ] || { show_run; return 1; }
	jq -e --arg p "$S4.0/24" '.[0] | .prefix == $p and .sources == 10 and .packets == 30 and .bytes == 1800' <<<"$output" >/dev/null ||
		{ show_run; return 1; }
	jq -e --arg p "198.19.$((N + 1)).0/24" 'any(.[]; .prefix == $p and .sources == 2 and .packets == 10)' <<<"$output" >/dev/null ||
		{ show_run; return 1; }
	jq -e 'any(.[]; .family == "ipv6" and .sources == 7 and .packets == 11 and (.prefix | endswith("/24")))' <<<"$output" >/dev/null ||
		{ show_run; return 1; }
	srclog_ok "$C" top -j -i 0 --prefix=24,48
	[ "$(jq length <<<"$output")" -eq 4 ] || { show_run; return 1; }
	jq -e --arg p "$S6::/48" 'any(.[]; .prefix == $p and .sources == 4 and .packets == 8 and .bytes == 640)' <<<"$output" >/dev/null ||
		{ show_run; return 1; }
	jq -e --arg p "$S6b::/48" 'any(.[]; .prefix == $p and .sources == 3 and .packets == 3)' <<<"$output" >/dev/null ||
		{ show_run; return 1; }
	# the sums are those of the sources, prefix by prefix
	srclog_ok "$C" top -j -i 0 -n 100
	[ "$(jq '[.[].packets] | add' <<<"$output")" -eq $((30 + 10 + 8 + 3)) ]
	# rules: the busiest first, one prefix a line, nothing else
	srclog_ok "$C" top -i 0 -n 3 --prefix 24,48 --format rules
	[ "$output" = "$S4.0/24
198.19.$((N + 1)).0/24
$S6::/48" ] || { show_run; return 1; }
	# the two sources of 5 frames each, as /32
	srclog_ok "$C" top -i 0 -n 2 -f rules
	[ "$(printf '%s\n' "$output" | sort)" = "198.19.$((N + 1)).1/32
198.19.$((N + 1)).2/32" ] || { show_run; return 1; }
	srclog_ok "$C" top -i 0 -p 24
	[[ ${lines[0]} == "PREFIX "*" SOURCES "*"PACKETS"* ]] || { show_run; return 1; }
	[[ ${lines[1]} == "$S4.0/24 "*" 10 "*" 30 "* ]] || { show_run; return 1; }
	srclog_ok "$C" stop
	srclog_clean "$C"
}

@test "a build with one shared value per source (-DSRCLOG_SHARED): top, status and reset read it exactly" {
	local d N S4
	N=$((BATS_TEST_NUMBER % 250))
	S4=198.19.$N
	d=$(copy_tree)
	cp "$XK/tests/xdp/srclog_shared.o" "$d/xdp/srclog.o"
	SRCLOG=$d/scripts/srclog.sh
	lab_quiet
	srclog_ok "$C" start -l off
	srclog_ok "$C" reset
	# frames on both CPUs, one shared value per source
	blast -r 3 -n 7 "$S4.1" "$C_ADDR"
	ip netns exec "$NS" taskset -c 1 "$XK/tests/tools/blast" -r 3 -n 5 "$P" "$(mac_of "$C")" \
		"$S4.1" "$C_ADDR"
	srclog_ok "$C" top -j -i 0
	[ "$(jq length <<<"$output")" -eq 3 ] || { show_run; return 1; }
	jq -e 'all(.[]; .packets == 12 and .bytes == 720)' <<<"$output" >/dev/null || { show_run; return 1; }
	srclog_ok "$C" status
	[[ $output == *"sources: 3 in the map (capacity 1024, "* ]] || { show_run; return 1; }
	srclog_ok "$C" reset
	srclog_ok "$C" status
	[[ $output == *"sources: 0 in the map (capacity 1024, "* ]] || { show_run; return 1; }
	srclog_ok "$C" stop
	srclog_clean "$C"
}
