#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# xdping end to end on veth pairs: client against the kernel's responder
# and against xdping_server, native and generic, small and large.

bats_require_minimum_version 1.5.0
load helpers

setup() {
	lab_up
}

teardown() {
	lab_down
}

# attached IFACE: IFACE has an XDP program.
attached() {
	[ -n "$(xdp_id "$1")" ]
}

# check_run OUTPUT COUNT BYTES: COUNT XDP samples of BYTES bytes, each
# with its own sequence number and a positive time, and a summary.
check_run() {
	local out=$1 count=$2 bytes=$3 xdp
	xdp=$(printf '%s\n' "$out" | sed -n '/^XDPING /,$p')
	[ "$(xdp_samples "$out")" -eq "$count" ]
	printf '%s\n' "$xdp" | grep ' time=' | awk -v b="$bytes" -v n="$count" '
		{ split($5, s, "="); split($7, t, "=") }
		$1 != b || t[2] <= 0 { bad = 1 }
		{ seen[s[2]]++ }
		END { if (bad || length(seen) != n) exit 1 }'
	printf '%s\n' "$xdp" | grep -q "^$count samples asked, $count measured in XDP$"
	printf '%s\n' "$xdp" | grep -q '^rtt min/avg/max/mdev = '
	printf '%s\n' "$xdp" | grep -q '^median xdp/ping = '
}

@test "generic mode, kernel responder, count 1" {
	run "$XK/scripts/xdping.sh" -S -c 1 "$C" "$P_ADDR"
	[ "$status" -eq 0 ]
	check_run "$output" 1 64
	printf '%s\n' "$output" | grep -q "via $C, generic mode"
	assert_clean "$C"
}

@test "native mode, kernel responder behind an XDP_PASS peer" {
	peer_xdp pass.o
	run "$XK/scripts/xdping.sh" -N -c 10 -i 0.01 "$C" "$P_ADDR"
	[ "$status" -eq 0 ]
	check_run "$output" 10 64
	printf '%s\n' "$output" | grep -q "via $C, native mode"
	assert_clean "$C"
}

@test "maximum count against xdping_server, kernel responder off" {
	peer_responder off
	peer_xdp xdping_server.o
	run "$XK/scripts/xdping.sh" -c 1024 -i 0.002 "$C" "$P_ADDR"
	[ "$status" -eq 0 ]
	check_run "$output" 1024 64
	assert_clean "$C"
	# with the kernel's responder off, only xdping_server answered
	[ "$(server_count answered)" -ge 1024 ]
}

@test "large payload in generic mode against xdping_server" {
	peer_responder off
	peer_xdp xdping_server.o xdpgeneric
	run "$XK/scripts/xdping.sh" -S -c 20 -s 1472 -i 0.01 "$C" "$P_ADDR"
	[ "$status" -eq 0 ]
	check_run "$output" 20 1480
	assert_clean "$C"
}

@test "jumbo frames: payload up to the MTU" {
	ip link set dev "$C" mtu 3000
	ip -n "$NS" link set dev "$P" mtu 3000
	run "$XK/scripts/xdping.sh" -S -c 5 -s 2972 -i 0.01 "$C" "$P_ADDR"
	[ "$status" -eq 0 ]
	check_run "$output" 5 2980
	assert_clean "$C"
}

@test "empty payload: ping has no time, XDP does" {
	run "$XK/scripts/xdping.sh" -S -c 3 -s 0 -i 0.01 "$C" "$P_ADDR"
	[ "$status" -eq 0 ]
	[ "$(xdp_samples "$output")" -eq 3 ]
	printf '%s\n' "$output" | grep -q '^8 bytes from .* time='
	printf '%s\n' "$output" | grep -q 'no ping time to compare with'
	assert_clean "$C"
}

@test "inside a namespace through ip netns exec, bpffs from TC_BPF_MNT" {
	local bpffs=$XDPKIT_TEST_TMP/bpffs
	# roles swapped: the client runs on the far side
	ip link set dev "$C" xdp obj "$XK/xdp/pass.o" sec xdp
	run ip netns exec "$NS" env TC_BPF_MNT="$bpffs" "$XK/scripts/xdping.sh" -c 3 -i 0.01 "$P" "$C_ADDR"
	[ "$status" -eq 0 ]
	check_run "$output" 3 64
	[ -z "$(xdp_id "$P" "$NS")" ]
	no_pins "$bpffs"
}

@test "a ping to the same host from another process is never touched" {
	peer_xdp pass.o
	ping -i 0.01 -c 300 -I "$C" "$P_ADDR" >"$BATS_TEST_TMPDIR/other" &
	local other=$!
	run "$XK/scripts/xdping.sh" -c 20 -i 0.01 "$C" "$P_ADDR"
	wait "$other"
	[ "$status" -eq 0 ]
	check_run "$output" 20 64
	grep -q "300 packets transmitted, 300 received" "$BATS_TEST_TMPDIR/other" || { tail -n 5 "$BATS_TEST_TMPDIR/other"; false; }
	assert_clean "$C"
}

@test "two interfaces at once: both runs complete, pins go with the last" {
	local C1=$C P1=$P A1=$P_ADDR
	ip link add xk2c type veth peer name xk2p netns "$NS"
	ip addr add 198.19.250.1/24 dev xk2c
	ip link set xk2c up
	ip -n "$NS" addr add 198.19.250.2/24 dev xk2p
	ip -n "$NS" link set xk2p up
	"$XK/scripts/xdping.sh" -S -c 30 -i 0.05 "$C1" "$A1" >"$BATS_TEST_TMPDIR/one" 2>&1 &
	local one=$!
	run "$XK/scripts/xdping.sh" -S -c 10 -i 0.01 xk2c 198.19.250.2
	local two=$status out2=$output
	wait "$one" && rc1=0 || rc1=$?
	ip link del xk2c
	[ "$two" -eq 0 ]
	[ "$rc1" -eq 0 ] || { grep -v "bytes from" "$BATS_TEST_TMPDIR/one"; false; }
	check_run "$out2" 10 64
	check_run "$(cat "$BATS_TEST_TMPDIR/one")" 30 64
	assert_clean "$C1"
}

@test "a second run on the same interface fails fast and leaves the first alone" {
	"$XK/scripts/xdping.sh" -S -c 20 -i 0.05 "$C" "$P_ADDR" >"$BATS_TEST_TMPDIR/first" 2>&1 &
	local first=$!
	wait_until 4 attached "$C"
	run "$XK/scripts/xdping.sh" -S -c 1 "$C" "$P_ADDR"
	[ "$status" -eq 3 ]
	[[ "$output" == *"another xdping run is in progress"* ]]
	wait "$first" && rc=0 || rc=$?
	[ "$rc" -eq 0 ] || { grep -v "bytes from" "$BATS_TEST_TMPDIR/first"; false; }
	check_run "$(cat "$BATS_TEST_TMPDIR/first")" 20 64
	assert_clean "$C"
}

@test "a target that does not answer: exit 1, nothing left" {
	peer_responder off
	run "$XK/scripts/xdping.sh" -S -c 2 -W 1 "$C" "$P_ADDR"
	[ "$status" -eq 1 ]
	[[ "$output" == *"does not answer"* ]]
	assert_clean "$C"
}

@test "a chain that breaks: exit 1 with the samples that arrived" {
	# native on a veth without a program on the peer: XDP_TX frames are lost
	run "$XK/scripts/xdping.sh" -N -c 3 -i 0.01 -W 1 "$C" "$P_ADDR"
	[ "$status" -eq 1 ]
	[[ "$output" == *"3 samples asked, 0 measured in XDP"* ]]
	[[ "$output" == *"hint: in native mode a veth drops XDP_TX"* ]]
	assert_clean "$C"
}

@test "no mode asked, a veth whose peer has no XDP program: switches to generic, all samples" {
	# a newcomer's first lab: native XDP_TX goes nowhere here (see -N above)
	run "$XK/scripts/xdping.sh" -c 5 "$C" "$P_ADDR"
	[ "$status" -eq 0 ]
	check_run "$output" 5 64
	printf '%s\n' "$output" | grep -q "^XDPING $P_ADDR ($P_ADDR) via $C, generic mode (switched from native: "
	assert_clean "$C"
	run "$XK/scripts/xdping.sh" -j -c 3 -i 0.01 "$C" "$P_ADDR"
	[ "$status" -eq 0 ]
	printf '%s\n' "$output" | jq -e '.mode == "generic"
		and (.mode_reason | startswith("switched from native"))
		and .targets[0].lost == 0 and (.targets[0].xdp.rtt_ns | length) == 3'
	assert_clean "$C"
}

@test "no mode asked, a peer with an XDP program: native, no switch" {
	peer_xdp pass.o
	run "$XK/scripts/xdping.sh" -j -c 3 -i 0.01 "$C" "$P_ADDR"
	[ "$status" -eq 0 ]
	printf '%s\n' "$output" | jq -e '.mode == "native" and .mode_reason == "the kernel'"'"'s choice"
		and .targets[0].lost == 0'
	assert_clean "$C"
}

@test "make install: the installed xdping runs from anywhere" {
	local root=$XDPKIT_TEST_TMP/inst$$
	make -C "$XK" -s install DESTDIR="$root" PREFIX=/usr
	[ -x "$root/usr/sbin/xdping" ]
	[ -f "$root/usr/lib/xdpkit/xdp/xdping_client.o" ]
	run sh -c "cd / && '$root/usr/sbin/xdping' -S -c 2 -i 0.01 '$C' '$P_ADDR'"
	rm -rf "$root"
	[ "$status" -eq 0 ]
	check_run "$output" 2 64
	assert_clean "$C"
}

@test "HOST as a name resolves to its IPv4 address" {
	# /etc/hosts of this private mount namespace only
	printf '%s far-side.test\n' "$P_ADDR" >"$BATS_TEST_TMPDIR/hosts"
	mount --bind "$BATS_TEST_TMPDIR/hosts" /etc/hosts
	run "$XK/scripts/xdping.sh" -S -c 2 -i 0.01 "$C" far-side.test
	umount /etc/hosts
	[ "$status" -eq 0 ]
	printf '%s\n' "$output" | grep -q "^XDPING far-side.test ($P_ADDR) via $C"
	check_run "$output" 2 64
	assert_clean "$C"
}

@test "make demo's lab: both runs succeed, nothing is left" {
	run "$XK/scripts/demo.sh"
	[ "$status" -eq 0 ]
	[ "$(printf '%s\n' "$output" | grep -c '^XDPING 198.18.100.2 (198.18.100.2) via demo0, native mode')" -eq 2 ]
	[ "$(printf '%s\n' "$output" | grep -c '^5 samples asked, 5 measured in XDP$')" -eq 2 ]
	[[ "$output" == *"counters: answered "* ]]
	[ -z "$(ip netns list | grep xdpkit-demo)" ]
	# it takes no arguments but --help
	run --separate-stderr "$XK/scripts/demo.sh" --bogus
	expect_error 2 "unexpected argument '--bogus'" demo.sh
	run --separate-stderr "$XK/scripts/demo.sh" --help
	expect_ok
	[[ "$output" == usage:* ]]
	run grep -q xdpkit-demo /proc/self/mounts
	[ "$status" -eq 1 ]
}
