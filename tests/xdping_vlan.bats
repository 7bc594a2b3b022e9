#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# VLAN-tagged echoes over a real veth pair. This kernel has no 802.1Q
# devices, so tests/tools/vecho sends the tagged frames itself and checks
# the tags of what comes back; the far side's stack cannot answer a tagged
# request, so every answer is XDP's.

load helpers

setup() {
	lab_up
	lab_v6
	peer_responder off
	MAC=$(ip -n "$NS" -j link show dev "$P" | jq -r '.[0].address')
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

# answered_exactly N: the far side's xdping_server answered N requests
# (else says how many).
answered_exactly() {
	local got
	got=$(server_answered)
	[ "$got" = "$1" ] && return 0
	echo "# xdping_server answered '$got', expected $1" >&3
	return 1
}

@test "xdping_server answers tagged requests with the tags kept (native)" {
	# The peer's program first: a native veth drops XDP_TX frames while
	# its peer has none, so the server must not run before pass.o does.
	ip link set dev "$C" xdp obj "$XK/xdp/pass.o" sec xdp
	peer_xdp xdping_server.o
	answered_tagged -n 20 -t 100 "$C" "$MAC" "$C_ADDR" "$P_ADDR"
	answered_tagged -n 20 -t 300,100 "$C" "$MAC" "$C_ADDR" "$P_ADDR"
	answered_tagged -n 20 -t 7 "$C" "$MAC" "$C6" "$P6"
	answered_tagged -n 20 -t 8,9 "$C" "$MAC" "$C6" "$P6"
	answered_exactly 80
}

@test "xdping_server answers tagged requests with the tags kept (generic)" {
	peer_xdp xdping_server.o xdpgeneric
	answered_tagged -n 20 -t 4000,12 "$C" "$MAC" "$C_ADDR" "$P_ADDR"
	answered_tagged -n 20 -t 42 "$C" "$MAC" "$C6" "$P6"
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
	idx=$(ip -o link show dev "$C" | cut -d: -f1)
	ip link set dev "$C" xdp obj "$XK/xdp/xdping_client.o" sec xdp
	"$XK/scripts/xdping-map" seed "$pins/xdping_runs" "$idx" "$dst" 22597 25
	answered_tagged -n 1 -t "$tags" "$C" "$MAC" "$src" "$dst"
	run "$XK/scripts/xdping-map" progress "$pins/xdping_runs" "$idx" "$dst" 22597
	[ "$status" -eq 0 ]
	[ "$output" = "25 25" ]
	"$XK/scripts/xdping-map" delete "$pins/xdping_runs" "$idx" "$dst" 22597
	ip link set dev "$C" xdp off
}

@test "xdping_client bounces tagged replies and keeps the tags, IPv4 and IPv6" {
	peer_xdp xdping_server.o
	chain "$C_ADDR" "$P_ADDR" 100
	chain "$C_ADDR" "$P_ADDR" 300,100
	chain "$C6" "$P6" 5
	chain "$C6" "$P6" 6,7
}
