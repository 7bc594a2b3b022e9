#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# VLAN-tagged echoes over a real veth pair. This kernel has no 802.1Q
# devices, so tests/tools/vecho sends the tagged frames itself and checks
# the tags of what comes back; the far side's stack cannot answer a tagged
# request, so neither may xdping_server (issue 9); a test responder
# (tests/xdp/echo_any.c) stands in for a far host with VLAN devices.

load helpers

setup() {
	lab_up
	lab_v6
	peer_responder off
	MAC=$(mac_of "$P" "$NS")
	VECHO=$XK/tests/tools/vecho
}

teardown() {
	lab_down
}

# answered_tagged ARGS...: vecho ARGS; every reply came back with our tags.
answered_tagged() {
	run "$VECHO" "$@"
	[ "$status" -eq 0 ] || { echo "# vecho $*: $output" >&3; return 1; }
	[[ "$output" =~ ^sent\ ([0-9]+)\ replies\ ([0-9]+)\ tagged\ ([0-9]+)$ ]]
	[ "${BASH_REMATCH[1]}" -eq "${BASH_REMATCH[3]}" ]
}

# The far side has no VLAN device (this kernel has no 802.1Q): its stack
# drops every tagged request, so xdping_server must leave them to it.
@test "xdping_server leaves tagged requests with no VLAN device to the stack (native)" {
	peer_xdp xdping_server.o
	ip link set dev "$C" xdp obj "$XK/xdp/pass.o" sec xdp
	for t in 100 300,100; do
		run "$VECHO" -n 5 -t "$t" "$C" "$MAC" "$C_ADDR" "$P_ADDR"
		[ "$output" = "sent 5 replies 0 tagged 0" ] || { echo "# -t $t: $output" >&3; false; }
	done
	for t in 7 8,9; do
		run "$VECHO" -n 5 -t "$t" "$C" "$MAC" "$C6" "$P6"
		[ "$output" = "sent 5 replies 0 tagged 0" ] || { echo "# -t $t: $output" >&3; false; }
	done
	[ "$(server_count answered)" -eq 0 ]
	# the single-tag requests reached its echo check (two tags: not parsed as one)
	[ "$(server_count passed)" -ge 10 ]
	# untagged, the same server answers
	run ping -c 2 -i 0.2 -W 1 "$P_ADDR"
	[ "$status" -eq 0 ]
	[ "$(server_count answered)" -ge 2 ]
}

@test "xdping_server leaves tagged requests with no VLAN device to the stack (generic)" {
	peer_xdp xdping_server.o xdpgeneric
	run "$VECHO" -n 5 -t 4000,12 "$C" "$MAC" "$C_ADDR" "$P_ADDR"
	[ "$output" = "sent 5 replies 0 tagged 0" ]
	run "$VECHO" -n 5 -t 42 "$C" "$MAC" "$C6" "$P6"
	[ "$output" = "sent 5 replies 0 tagged 0" ]
	[ "$(server_count answered)" -eq 0 ]
}

@test "without xdping_server nothing answers a tagged request" {
	run "$VECHO" -n 3 -t 100 "$C" "$MAC" "$C_ADDR" "$P_ADDR"
	[ "$status" -eq 1 ]
	[ "$output" = "sent 3 replies 0 tagged 0" ]
}

# chain FAMILY-ADDRS TAGS: a run seeded on $C for vecho's identifier; one
# tagged request; the client bounces the tagged replies COUNT times and
# hands the last one back, tags and sequence 1 restored.
chain() {
	local src=$1 dst=$2 tags=$3 pins=/sys/fs/bpf/xdp/globals idx
	idx=$(ifindex_of "$C")
	ip link set dev "$C" xdp obj "$XK/xdp/xdping_client.o" sec xdp
	"$XK/scripts/lib/xdping-map" seed "$pins/xdping_runs" "$idx" "$dst" 22597 25
	answered_tagged -n 1 -t "$tags" "$C" "$MAC" "$src" "$dst"
	run "$XK/scripts/lib/xdping-map" progress "$pins/xdping_runs" "$idx" "$dst" 22597
	[ "$status" -eq 0 ]
	[ "$output" = "25 25" ]
	"$XK/scripts/lib/xdping-map" delete "$pins/xdping_runs" "$idx" "$dst" 22597
	ip link set dev "$C" xdp off
}

@test "xdping_client bounces tagged replies and keeps the tags, IPv4 and IPv6" {
	# a far host that answers tagged requests (tests/xdp/echo_any.c)
	ip -n "$NS" link set dev "$P" xdp obj "$XK/tests/xdp/echo_any.o" sec xdp
	chain "$C_ADDR" "$P_ADDR" 100
	chain "$C_ADDR" "$P_ADDR" 300,100
	chain "$C6" "$P6" 5
	chain "$C6" "$P6" 6,7
}
