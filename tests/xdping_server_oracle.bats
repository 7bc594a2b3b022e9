#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# The kernel as the oracle for xdping_server (issue 9): every crafted
# request class of tests/tools/oracle.py (IPv4 and IPv6, tagged and not,
# martian, spoofed, not ours, options, bad checksums, ...) is sent from
# $C to the far side twice: once with no XDP program there (what the
# kernel answers), once with xdping_server attached and the far kernel's
# own responder off (what XDP answers). XDP must answer a subset of what
# the kernel answers, the common requests among them, each with the
# kernel's reply.
# shellcheck disable=SC2154 # output and status come from bats' run

bats_require_minimum_version 1.5.0
load helpers

setup() {
	lab_up
	lab_v6
	ORACLE=$XK/tests/tools/oracle.py
	MUST="v4-plain v4-ttl1 v4-tos-df v4-big v6-plain v6-hlim1 v6-tclass v6-big"
}

teardown() {
	lab_down
}

# link_local IFACE [NS]: IFACE's fe80:: address once it is usable (at
# most 5 s).
link_local() {
	wait_until 5 usable_link_local "$@"
}

# usable_link_local IFACE [NS]: prints IFACE's fe80:: address, or fails
# while it is tentative.
usable_link_local() {
	ip ${2:+-n "$2"} -j -6 addr show dev "$1" scope link |
		jq -er '.[0].addr_info[]? | select(.local != null and (.tentative // false) == false) | .local'
}

# oracle MODE...: the kernel's answers, then XDP's (MODE: -S, or -N with
# pass.o on $C), then the comparison.
oracle() {
	local pmac cll pll k=$XDPKIT_TEST_TMP/kernel.json x=$XDPKIT_TEST_TMP/xdp.json
	cll=$(link_local "$C")
	pll=$(link_local "$P" "$NS")
	pmac=$(mac_of "$P" "$NS")
	# Neighbours known both ways, as on any host that talks.
	ping -c 1 -W 1 "$P_ADDR" >/dev/null
	ping -c 1 -W 1 "$P6" >/dev/null
	ping -c 1 -W 1 "$pll%$C" >/dev/null

	/usr/bin/python3 "$ORACLE" send "$C" "$pmac" "$C_ADDR" "$P_ADDR" "$C6" "$P6" "$cll" "$pll" >"$k"
	# the kernel answers the common ones itself (or this lab is wrong)
	[ "$(jq -r '."v4-plain"' "$k")" != null ] && [ "$(jq -r '."v6-plain"' "$k")" != null ]

	far_server "$P" start "$@"
	[ "$status" -eq 0 ] || { echo "# start: $stderr" >&3; return 1; }
	peer_responder off
	/usr/bin/python3 "$ORACLE" send "$C" "$pmac" "$C_ADDR" "$P_ADDR" "$C6" "$P6" "$cll" "$pll" >"$x"
	peer_responder on
	# shellcheck disable=SC2086 # one label a word
	run /usr/bin/python3 "$ORACLE" compare "$k" "$x" $MUST
	printf '%s\n' "$output" | sed 's/^/# /' >&3
	[ "$status" -eq 0 ]
	far_server "$P" stop
	[ "$status" -eq 0 ]
}

@test "oracle: xdping_server (generic) answers a subset of what the kernel answers, as it does" {
	oracle -S
}

@test "oracle: xdping_server (native) answers a subset of what the kernel answers, as it does" {
	ip link set dev "$C" xdp obj "$XK/xdp/pass.o" sec xdp
	oracle -N
	ip link set dev "$C" xdp off
}
