#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# xdping beyond the reference: IPv6 targets, several targets in one run,
# JSON output, and chains that lose a frame.

load helpers

setup() {
	lab_up
	lab_v6
}

teardown() {
	lab_down
}

# block OUTPUT ADDR: the XDP block of one target in text output.
block() {
	printf '%s\n' "$1" | awk -v a="$2" '
		/^XDPING / { on = ($3 == "(" a ")") }
		on { print }'
}

@test "IPv6 target, kernel responder, generic mode" {
	run "$XK/scripts/xdping.sh" -S -c 10 -i 0.01 "$C" "$P6"
	[ "$status" -eq 0 ]
	b=$(block "$output" "$P6")
	[ "$(printf '%s\n' "$b" | grep -c "^64 bytes from $P6: icmp_seq=[0-9]* ttl=64 time=")" -eq 10 ]
	printf '%s\n' "$b" | grep -q '^10 samples asked, 10 measured in XDP$'
	assert_clean "$C"
}

@test "IPv6 against xdping_server, kernel responder off, large payload" {
	ip netns exec "$NS" sysctl -qw net.ipv6.icmp.echo_ignore_all=1
	peer_xdp xdping_server.o
	run "$XK/scripts/xdping.sh" -c 20 -s 1452 -i 0.01 "$C" "$P6"
	[ "$status" -eq 0 ]
	b=$(block "$output" "$P6")
	[ "$(printf '%s\n' "$b" | grep -c "^1460 bytes from $P6: .* time=")" -eq 20 ]
	[ "$(server_count answered)" -ge 20 ]
	assert_clean "$C"
}

@test "-s over the IPv6 room (MTU-48) is refused, as is -4 for a v6-only run" {
	run "$XK/scripts/xdping.sh" -S -c 1 -s 1453 "$C" "$P6"
	[ "$status" -eq 2 ]
	[[ "$output" == *"at most 1452"* ]]
	assert_clean "$C"
}

@test "IPv4 and IPv6 targets in one run, each with its own samples" {
	peer_xdp pass.o
	run "$XK/scripts/xdping.sh" -c 7 -i 0.01 "$C" "$P_ADDR" "$P6"
	[ "$status" -eq 0 ]
	for a in "$P_ADDR" "$P6"; do
		b=$(block "$output" "$a")
		[ "$(printf '%s\n' "$b" | grep -c "^64 bytes from $a: .* time=")" -eq 7 ]
		printf '%s\n' "$b" | grep -q '^7 samples asked, 7 measured in XDP$'
		printf '%s\n' "$output" | grep -q "^--- $a ping statistics ---$"
	done
	# two runs, two identifiers
	[ "$(printf '%s\n' "$output" | sed -n 's/^XDPING .*echo id \([0-9]*\)$/\1/p' | sort -u | wc -l)" -eq 2 ]
	assert_clean "$C"
}

@test "-j: one JSON document, parsed" {
	peer_xdp pass.o
	run --separate-stderr "$XK/scripts/xdping.sh" -j -c 5 -i 0.01 "$C" "$P_ADDR" "$P6"
	[ "$status" -eq 0 ]
	printf '%s\n' "$output" | jq -e --arg c "$C" --arg a4 "$P_ADDR" --arg a6 "$P6" '
		.interface == $c and .mode == "native" and (.targets | length) == 2
		and ([.targets[].address] | sort) == ([$a4, $a6] | sort)
		and all(.targets[];
			.lost == 0 and (.xdp.rtt_ns | length) == 5
			and all(.xdp.rtt_ns[]; type == "number" and . > 0 and . == floor)
			and (.ping.rtt_ns | length) == 5
			and .xdp.min_ns <= .xdp.p50_ns and .xdp.p50_ns <= .xdp.p90_ns
			and .xdp.p90_ns <= .xdp.p99_ns and .xdp.p99_ns <= .xdp.max_ns
			and .xdp.max_ns == (.xdp.rtt_ns | max) and .xdp.min_ns == (.xdp.rtt_ns | min)
			and .ping.p50_ns > 0)'
	assert_clean "$C"
}

@test "--jsonl: one parsed object per sample, from XDP and from ping" {
	run --separate-stderr "$XK/scripts/xdping.sh" --jsonl -S -c 4 -i 0.01 "$C" "$P_ADDR"
	[ "$status" -eq 0 ]
	[ "$(printf '%s\n' "$output" | wc -l)" -eq 8 ]
	printf '%s\n' "$output" | jq -e -s --arg c "$C" --arg a "$P_ADDR" '
		length == 8
		and ([.[] | select(.source == "xdp")] | length) == 4
		and ([.[] | select(.source == "ping")] | length) == 4
		and all(.[]; .interface == $c and .address == $a and (.rtt_ns | type) == "number"
			and .rtt_ns > 0 and .timestamp > 1600000000 and (.seq | type) == "number")
		and ([.[] | select(.source == "ping") | .seq] == [1, 2, 3, 4])'
	assert_clean "$C"
}

@test "a frame lost in the chain: it restarts and still brings every sample" {
	ip -n "$NS" link set dev "$P" xdp obj "$XK/tests/xdp/drop_once.o" sec xdp
	run "$XK/scripts/xdping.sh" -c 10 -i 0.01 -W 2 "$C" "$P_ADDR"
	[ "$status" -eq 0 ]
	[[ "$output" == *"the chain stalled and was restarted 1 times"* ]]
	[[ "$output" == *"10 samples asked, 10 measured in XDP"* ]]
	assert_clean "$C"
}

@test "a chain that keeps losing frames: exit 1 with the samples that arrived" {
	# the far side passes ping's 9 requests with sequence >= 2 and 3 of the chain's
	ip -n "$NS" link set dev "$P" xdp obj "$XK/tests/xdp/drop_after.o" sec xdp
	run "$XK/scripts/xdping.sh" -c 10 -i 0.01 -W 1 "$C" "$P_ADDR"
	[ "$status" -eq 1 ]
	[[ "$output" == *"10 samples asked, 3 measured in XDP"* ]]
	[ "$(xdp_samples "$output")" -eq 3 ]
	assert_clean "$C"
}

@test "-c 1000 against xdping_server over IPv6" {
	ip netns exec "$NS" sysctl -qw net.ipv6.icmp.echo_ignore_all=1
	peer_xdp xdping_server.o
	run --separate-stderr "$XK/scripts/xdping.sh" -j -c 1000 -i 0.002 "$C" "$P6"
	[ "$status" -eq 0 ]
	printf '%s\n' "$output" | jq -e '.targets[0] | (.xdp.rtt_ns | length) == 1000 and .lost == 0'
	assert_clean "$C"
}

@test "a name with only an IPv6 address measures over IPv6; -4 refuses it" {
	printf '%s v6name.test\n' "$P6" >"$BATS_TEST_TMPDIR/hosts"
	mount --bind "$BATS_TEST_TMPDIR/hosts" /etc/hosts
	run "$XK/scripts/xdping.sh" -S -c 2 -i 0.01 "$C" v6name.test
	local rc=$status out=$output
	run "$XK/scripts/xdping.sh" -4 -S -c 2 -i 0.01 "$C" v6name.test
	umount /etc/hosts
	[ "$rc" -eq 0 ]
	printf '%s\n' "$out" | grep -q "^XDPING v6name.test ($P6) via $C"
	[ "$(block "$out" "$P6" | grep -c ' time=')" -eq 2 ]
	[ "$status" -eq 2 ]
	[[ "$output" == *"does not resolve to an IPv4 address"* ]]
	assert_clean "$C"
}

@test "twelve targets: every one measured, reported in the order given" {
	local n=$((BATS_TEST_NUMBER % 250)) i addrs=()
	peer_xdp xdping_server.o
	for i in 21 20 19 18 17 16 15 14 13 12 11 10; do
		ip -n "$NS" addr add "198.18.$n.$i/24" dev "$P"
		addrs+=("198.18.$n.$i")
	done
	run --separate-stderr "$XK/scripts/xdping.sh" -j -c 3 -i 0.01 "$C" "${addrs[@]}"
	[ "$status" -eq 0 ]
	[ "$(printf '%s\n' "$output" | jq -c '[.targets[].address]')" = "$(printf '%s\n' "${addrs[@]}" | jq -R . | jq -sc .)" ]
	printf '%s\n' "$output" | jq -e 'all(.targets[]; (.xdp.rtt_ns | length) == 3 and .lost == 0)'
	assert_clean "$C"
}
