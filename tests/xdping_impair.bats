#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# xdping over an impaired path: this kernel has no netem, so a relay of
# our own (tests/tools/relay, raw sockets) sits in a middle namespace
# between two veth pairs and delays, jitters, drops, duplicates, reorders
# and holds back echo frames. Whatever the path does, no XDP sample is
# shorter than the path's delay, and the exit code and 'lost' say exactly
# what did not arrive.
#
#   here: $C ($C_ADDR, $C6) -- $MNS: xkma [relay] xkmb -- $NS: $P ($P_ADDR, $P6)

load helpers
bats_require_minimum_version 1.5.0

setup() {
	local n=$BATS_TEST_NUMBER
	C=xk${n}c
	P=xk${n}p
	NS=xk${n}ns$$
	MNS=xk${n}m$$
	C_ADDR=198.18.$((n % 250)).1
	P_ADDR=198.18.$((n % 250)).2
	C6=2001:db8:$((n % 250))::1
	P6=2001:db8:$((n % 250))::2
	ip netns add "$NS"
	ip netns add "$MNS"
	ip link add "$C" type veth peer name xkma netns "$MNS"
	ip -n "$MNS" link add xkmb type veth peer name "$P" netns "$NS"
	for i in xkma xkmb; do
		ip netns exec "$MNS" sysctl -qw "net.ipv6.conf.$i.disable_ipv6=1"
		ip -n "$MNS" link set dev "$i" up
	done
	ip addr add "$C_ADDR/24" dev "$C"
	ip addr add "$C6/64" dev "$C" nodad
	ip link set "$C" up
	ip -n "$NS" addr add "$P_ADDR/24" dev "$P"
	ip -n "$NS" addr add "$P6/64" dev "$P" nodad
	ip -n "$NS" link set "$P" up
	ip -n "$NS" link set lo up
	RELAY_PID=
}

teardown() {
	[ -z "$RELAY_PID" ] || kill "$RELAY_PID" 2>/dev/null || true
	lab_down
	ip netns del "$MNS" 2>/dev/null || true
}

# relay ARGS...: the relay between xkma and xkmb, in the background; returns
# once it is ready. Its counts go to $BATS_TEST_TMPDIR/relay.
relay() {
	local out=$BATS_TEST_TMPDIR/relay
	ip netns exec "$MNS" "$XK/tests/tools/relay" -t 120 "$@" xkma xkmb >"$out" 2>&1 3>&- &
	RELAY_PID=$!
	wait_until 5 grep -q '^ready$' "$out" || { cat "$out"; return 1; }
}

# relay_counts: stops the relay and prints its line of counts.
relay_counts() {
	kill -TERM "$RELAY_PID"
	wait "$RELAY_PID" || true
	RELAY_PID=
	grep '^relayed ' "$BATS_TEST_TMPDIR/relay"
}

# count NAME COUNTS: one of the relay's counts.
count_of() {
	printf '%s\n' "$2" | sed -n "s/.* $1 \([0-9]*\).*/\1/p; s/^$1 \([0-9]*\).*/\1/p" | head -n 1
}

# no_sample_below NS JSON: every XDP sample of every target is NS or more.
no_sample_below() {
	if ! printf '%s\n' "$2" | jq -e --argjson min "$1" \
		'all(.targets[]; all(.xdp.rtt_ns[]; . >= $min))' >/dev/null; then
		echo "a sample below $1 ns: $(printf '%s\n' "$2" | jq -c '[.targets[].xdp.rtt_ns]')"
		return 1
	fi
}

# lost_exact JSON STATUS: in every target, xdp.lost = count - samples,
# ping.lost as given, lost = their sum; the exit status 1 exactly when
# something was lost.
lost_exact() {
	printf '%s\n' "$1" | jq -e '
		all(.targets[]; .xdp.lost == .count - (.xdp.rtt_ns | length)
			and .lost == .xdp.lost + .ping.lost)' >/dev/null || {
		echo "lost is not the sum of what is missing: $1"
		return 1
	}
	local total
	total=$(printf '%s\n' "$1" | jq '[.targets[].lost] | add')
	if [ "$total" -gt 0 ]; then [ "$2" -eq 1 ]; else [ "$2" -eq 0 ]; fi || {
		echo "exit $2 with $total lost"
		return 1
	}
}

@test "a reply held back past the restart is never taken for a later request's" {
	# 20 ms each way. The chain's reply with sequence 5 is held until the
	# same identifier sends sequence 5 again, or 3 s: a restarted chain
	# that reused sequences would take it for its own request's answer,
	# 20 ms after that request left, half the path's round trip.
	relay -d 20 -H 5:2:3000
	run --separate-stderr "$XK/scripts/xdping.sh" -j -S -c 10 -i 0.01 -W 4 "$C" "$P_ADDR"
	local counts
	counts=$(relay_counts)
	[ "$(count_of held "$counts")" -eq 1 ]
	no_sample_below 40000000 "$output"
	[ "$status" -eq 0 ]
	printf '%s\n' "$output" | jq -e '.targets[0] | (.xdp.rtt_ns | length) == 10 and .lost == 0
		and .chains >= 2'
	assert_clean "$C"
}

@test "--jsonl: each XDP sample's time is when its reply came, across restarts" {
	relay -d 20 -H 5:2:3000
	run --separate-stderr "$XK/scripts/xdping.sh" --jsonl -S -c 10 -i 0.01 -W 4 "$C" "$P_ADDR"
	relay_counts >/dev/null
	[ "$status" -eq 0 ]
	# a sample's reply comes at least its round trip after the previous
	# one (its request left after that reply came); the held reply stalled
	# the chain for at least 200 ms (the restart delay) that belong to no
	# round trip: one gap exceeds its sample's rtt by 150 ms or more
	printf '%s\n' "$output" | jq -e -s '
		[.[] | select(.source == "xdp")] as $x
		| ($x | length) == 10
		and all(range(1; 10); ($x[.].timestamp - $x[. - 1].timestamp) * 1e9
			>= $x[.].rtt_ns - 2000)
		and ([range(1; 10) | ($x[.].timestamp - $x[. - 1].timestamp)
			- $x[.].rtt_ns / 1e9] | max) >= 0.15
		and ($x[0].timestamp >= ([.[] | select(.source == "ping") | .timestamp] | max))
		and ($x[9].timestamp <= now)'
}

@test "ping loses replies, XDP gets every sample: exit 1, lost exact" {
	# the first replies with sequence 3 and 4 are ping's
	relay -d 1 -x 3:1 -x 4:1
	run --separate-stderr "$XK/scripts/xdping.sh" -j -S -c 6 -i 0.01 -W 1 "$C" "$P_ADDR"
	local counts
	counts=$(relay_counts)
	[ "$(count_of dropped "$counts")" -eq 2 ]
	[ "$status" -eq 1 ]
	printf '%s\n' "$output" | jq -e '.targets[0] | (.xdp.rtt_ns | length) == 6
		and .xdp.lost == 0 and .ping.lost == 2 and .lost == 2'
	lost_exact "$output" "$status"
	[[ "$stderr" == *"not every sample or reply"* ]]
	assert_clean "$C"
}

@test "the chain loses its replies from one sequence on: exit 1, lost exact" {
	# ping's replies carry 1..5; the chain's first reply past them (6)
	# and every later one are dropped: 4 samples, however often it restarts
	relay -d 1 -X 6
	run --separate-stderr "$XK/scripts/xdping.sh" -j -S -c 5 -i 0.01 -W 1 "$C" "$P_ADDR"
	relay_counts >/dev/null
	[ "$status" -eq 1 ]
	printf '%s\n' "$output" | jq -e '.targets[0] | (.xdp.rtt_ns | length) == 4
		and .xdp.lost == 1 and .ping.lost == 0 and .lost == 1 and .chains >= 2'
	lost_exact "$output" "$status"
	assert_clean "$C"
}

@test "jitter, loss, duplication, reordering, IPv4 and IPv6: no sample below the delay" {
	relay -d 10 -j 15 -R -l 8 -u 15 -s 7
	run --separate-stderr "$XK/scripts/xdping.sh" -j -S -c 30 -i 0.01 -W 2 "$C" "$P_ADDR" "$P6"
	local counts
	counts=$(relay_counts)
	echo "relay: $counts"
	[ "$(count_of dropped "$counts")" -gt 0 ]
	[ "$(count_of duplicated "$counts")" -gt 0 ]
	[ "$(count_of reordered "$counts")" -gt 0 ]
	no_sample_below 20000000 "$output"
	lost_exact "$output" "$status"
	# ping's own count of what came back agrees with ours
	printf '%s\n' "$output" | jq -e 'all(.targets[]; .ping.lost == .count - (.ping.rtt_ns | length))'
	assert_clean "$C"
}

@test "duplicated frames only: every sample, exit 0, nothing lost" {
	relay -d 5 -u 50 -s 3
	run --separate-stderr "$XK/scripts/xdping.sh" -j -S -c 20 -i 0.01 -W 2 "$C" "$P_ADDR"
	local counts
	counts=$(relay_counts)
	[ "$(count_of duplicated "$counts")" -gt 0 ]
	[ "$status" -eq 0 ]
	no_sample_below 10000000 "$output"
	printf '%s\n' "$output" | jq -e '.targets[0] | (.xdp.rtt_ns | length) == 20 and .lost == 0'
	assert_clean "$C"
}
