#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# xdping_server in real topologies (issue 9): on a router, the hosts behind
# it must not look alive, and a TTL=1 probe gets the router's Time
# Exceeded; on a bridge, a frame for another host's MAC is never answered,
# and the bridge never learns that host's MAC on the server's port.
# shellcheck disable=SC2154 # output and status come from bats' run

bats_require_minimum_version 1.5.0
load helpers

setup() {
	N=$((BATS_TEST_NUMBER + 200))
	NSES=
}

teardown() {
	show_failure 20
	labs_down
}

# srv_in NS ARGS...: xdping-server.sh in NS, with the test's outer bpffs.
srv_in() {
	local ns=$1
	shift
	in_far "$ns" "$SRV" "$@"
}

# answered_in NS IFACE: the answered counter of the server on IFACE in NS.
answered_in() {
	srv_in "$1" "$2" status
	counter_of answered
}

@test "router: hosts behind it never look alive; TTL=1 gets the router's Time Exceeded" {
	local r=xk${N}r h=xk${N}h c=xk${N}c n=$((N % 250))
	# client (here) -- c/ri -- router -- ro/hi -- host behind it
	router_lab "$r" "$h" "$c"
	ip addr add "198.18.$n.1/24" dev "$c"
	ip addr add "2001:db8:$n::1/64" dev "$c" nodad
	ip link set "$c" up
	router_via
	# The host behind answers nothing (as many hosts do).
	ip netns exec "$h" sysctl -qw net.ipv4.icmp_echo_ignore_all=1 net.ipv6.icmp.echo_ignore_all=1
	run ping -c 1 -W 2 "198.18.$n.2"
	[ "$status" -eq 0 ]

	srv_in "$r" ri start -S
	[ "$status" -eq 0 ] || { echo "# $stderr" >&3; false; }
	# The router itself: answered in XDP, both families, both its addresses.
	run ping -c 3 -i 0.2 -W 1 "198.18.$n.2"
	[ "$status" -eq 0 ]
	run ping -c 3 -i 0.2 -W 1 "2001:db8:$n::2"
	[ "$status" -eq 0 ]
	run ping -c 2 -i 0.2 -W 1 "198.19.$n.1"
	[ "$status" -eq 0 ]
	[ "$(answered_in "$r" ri)" -ge 8 ]
	# Behind it: a host that ignores pings, one that does not exist.
	for a in "198.19.$n.2" "198.19.$n.9" "2001:db8:1$n::2" "2001:db8:1$n::9"; do
		run ping -c 2 -i 0.2 -W 1 "$a"
		[ "$status" -ne 0 ] || { echo "# $a answered" >&3; false; }
		[[ $output == *" 0 received"* ]]
	done
	# TTL 1: the router's Time Exceeded, not an echo reply.
	run ping -c 1 -t 1 -W 2 "198.19.$n.2"
	[[ $output == *"From 198.18.$n.2"*"Time to live exceeded"* ]]
	run ping -c 1 -t 1 -W 2 "2001:db8:1$n::2"
	[[ $output == *"From 2001:db8:$n::2"*"Time exceeded: Hop limit"* ]]
	[ "$(answered_in "$r" ri)" -lt 16 ]
	srv_in "$r" ri stop
	[ "$status" -eq 0 ]
}

@test "bridge: a frame for another host's MAC is never answered, nor its MAC stolen" {
	local b=xk${N}b s=xk${N}s v=xk${N}v c=xk${N}c n=$((N % 250)) vmac smac
	mkns "$b"
	mkns "$s"
	mkns "$v"
	ip -n "$b" link add br0 type bridge
	ip -n "$b" link set br0 up
	ip link add "$c" type veth peer name bc netns "$b"
	ip -n "$s" link add s0 type veth peer name bs netns "$b"
	ip -n "$v" link add v0 type veth peer name bv netns "$b"
	# The bridge never learns the victim's MAC on its own port: every
	# frame for it is flooded, to the server's port too.
	for p in bc bs bv; do
		ip -n "$b" link set "$p" master br0
	done
	ip -n "$b" link set dev bv type bridge_slave learning off
	for p in bc bs bv; do
		ip -n "$b" link set "$p" up
	done
	ip addr add "198.18.$n.1/24" dev "$c"
	ip link set "$c" up
	ip -n "$s" addr add "198.18.$n.2/24" dev s0
	ip -n "$s" link set s0 up
	ip -n "$v" addr add "198.18.$n.3/24" dev v0
	ip -n "$v" link set v0 up
	vmac=$(ip -n "$v" -j link show dev v0 | jq -r '.[0].address')
	smac=$(ip -n "$s" -j link show dev s0 | jq -r '.[0].address')
	run ping -c 1 -W 2 "198.18.$n.2"
	[ "$status" -eq 0 ]

	srv_in "$s" s0 start -S
	[ "$status" -eq 0 ] || { echo "# $stderr" >&3; false; }
	run ping -c 2 -i 0.2 -W 1 "198.18.$n.3"
	[ "$status" -eq 0 ]
	# Requests to the victim's MAC and address, and to the victim's MAC
	# with the server's address: flooded to the server, never answered.
	/usr/bin/python3 - "$c" "$vmac" "198.18.$n.1" "198.18.$n.3" "198.18.$n.2" <<'PY'
import sys
from scapy.all import ICMP, IP, Ether, sendp, get_if_hwaddr
i, vmac, src, vip, sip = sys.argv[1:]
e = Ether(src=get_if_hwaddr(i), dst=vmac)
sendp([e / IP(src=src, dst=d) / ICMP(id=0x7777, seq=s) / bytes(56)
       for s, d in enumerate([vip, sip, vip, sip])], iface=i, verbose=False)
PY
	sleep 0.3
	[ "$(answered_in "$s" s0)" -eq 0 ]
	# Nobody but the victim's own port may hold its MAC.
	run bridge -n "$b" -j fdb show br br0
	[ "$(printf '%s' "$output" | jq --arg m "$vmac" '[.[] | select(.mac == $m and .ifname != "bv")] | length')" -eq 0 ]
	# The victim still gets its traffic, the server its own.
	run ping -c 3 -i 0.2 -W 1 "198.18.$n.3"
	[ "$status" -eq 0 ]
	run ping -c 3 -i 0.2 -W 1 "198.18.$n.2"
	[ "$status" -eq 0 ]
	[ "$(answered_in "$s" s0)" -ge 3 ]
	[ -n "$smac" ]
	srv_in "$s" s0 stop
	[ "$status" -eq 0 ]
}
