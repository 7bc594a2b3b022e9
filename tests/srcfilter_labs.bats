#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# srcfilter in real topologies (issue 11): on a router's inside interface
# and on a bridge port, frames from a dropped source never reach the host
# behind, every other source's do, and the kernel of that host counts
# exactly the echo requests srcfilter let through.
# shellcheck disable=SC2154 # output and status come from bats' run

bats_require_minimum_version 1.5.0
load helpers

SF=$XK/scripts/srcfilter.sh

setup() {
	N=$((BATS_TEST_NUMBER + 210))
	NSES=
}

teardown() {
	show_failure 20
	labs_down
}

# sf_in NS ARGS...: srcfilter.sh in NS, with the test's outer bpffs; must
# exit 0 with a quiet stderr.
sf_in() {
	local ns=$1
	shift
	in_far "$ns" "$SF" "$@"
	if [ "$status" -ne 0 ] || [ -n "$stderr" ]; then
		echo "srcfilter.sh $*: exit $status"
		show_run
		return 1
	fi
}

# in_echos NS: the echo requests NS's kernel took in, IPv4 and IPv6.
# shellcheck disable=SC2016 # awk's $ fields
in_echos() {
	ip netns exec "$1" awk '
		$1 == "Icmp:" && !head { for (i = 2; i <= NF; i++) col[$i] = i; head = 1; next }
		$1 == "Icmp:" { v4 = $col["InEchos"] }
		$1 == "Icmp6InEchos" { v6 = $2 }
		END { print v4 + 0, v6 + 0 }' /proc/net/snmp /proc/net/snmp6
}

# pings FROM TO: 3 echo requests from FROM (an address here) to TO; run.
pings() {
	run ping -c 3 -i 0.2 -W 1 -I "$1" "$2"
}

# rule_packets NS IFACE PREFIX: packets counted by PREFIX's rule.
rule_packets() {
	in_far "$1" "$SF" "$2" list -j
	jq -r --arg p "$3" '.[] | select(.prefix == $p) | .packets' <<<"$output"
}

# both_ways BEHIND NS IFACE: from .1/::1 the host BEHIND is reached, from
# .3/::3 (dropped by srcfilter on IFACE in NS) never; BEHIND's kernel took
# in exactly the 3 + 3 requests of .1/::1; the drop rules counted 3 IPv4
# frames and at least 3 IPv6 ones (neighbour discovery may add some).
both_ways() {
	local behind=$1 ns=$2 dev=$3 h4=$4 h6=$5 before after a
	before=$(in_echos "$behind")
	for a in "198.18.$n.3 $h4" "2001:db8:$n::3 $h6"; do
		pings "${a% *}" "${a#* }"
		if [ "$status" -eq 0 ] || [[ $output != *" 0 received"* ]]; then
			echo "the dropped source ${a% *} got answers"
			show_run
			return 1
		fi
	done
	pings "198.18.$n.1" "$h4"
	[ "$status" -eq 0 ] || { show_run; return 1; }
	pings "2001:db8:$n::1" "$h6"
	[ "$status" -eq 0 ] || { show_run; return 1; }
	after=$(in_echos "$behind")
	if [ "$((${after% *} - ${before% *}))" -ne 3 ] || [ "$((${after#* } - ${before#* }))" -ne 3 ]; then
		echo "echo requests taken in behind: $before -> $after"
		return 1
	fi
	[ "$(rule_packets "$ns" "$dev" "198.18.$n.3/32")" -eq 3 ]
	[ "$(rule_packets "$ns" "$dev" "2001:db8:$n::3/128")" -ge 3 ]
	[ "$(rule_packets "$ns" "$dev" "198.18.$n.1/32")" -eq 3 ]
}

# client_addrs DEV: .1 and .3, ::1 and ::3 on DEV (here), up.
client_addrs() {
	ip addr add "198.18.$n.1/24" dev "$1"
	ip addr add "198.18.$n.3/24" dev "$1"
	ip addr add "2001:db8:$n::1/64" dev "$1" nodad
	ip addr add "2001:db8:$n::3/64" dev "$1" nodad
	ip link set "$1" up
}

# warm_up H4 H6: one ping to H4 and H6 from each client address, answered.
warm_up() {
	local a
	for a in "198.18.$n.1 $1" "198.18.$n.3 $1" "2001:db8:$n::1 $2" "2001:db8:$n::3 $2"; do
		# until the first answer: the far links' IPv6 may still be coming up
		run ping -c 1 -w 10 -I "${a% *}" "${a#* }"
		[ "$status" -eq 0 ] || { show_run; return 1; }
	done
}

@test "router: a dropped source never reaches the host behind it; the host's kernel counts the others exactly" {
	local r=xk${N}r h=xk${N}h c=xk${N}c
	n=$((N % 250))
	# client (here) -- c/ri -- router -- ro/hi -- host behind it
	router_lab "$r" "$h" "$c"
	client_addrs "$c"
	router_via
	# every neighbour known before the filter, from both sources
	warm_up "198.19.$n.2" "2001:db8:1$n::2"

	sf_in "$r" ri start -S
	sf_in "$r" ri add "198.18.$n.3/32" "2001:db8:$n::3/128"
	sf_in "$r" ri add -a count "198.18.$n.1/32"
	both_ways "$h" "$r" ri "198.19.$n.2" "2001:db8:1$n::2"
	# the router's own addresses are filtered the same way
	pings "198.18.$n.3" "198.18.$n.2"
	[ "$status" -ne 0 ]
	pings "198.18.$n.1" "198.18.$n.2"
	[ "$status" -eq 0 ]
	sf_in "$r" ri stop
	# and once stopped, the dropped source reaches the host again
	pings "198.18.$n.3" "198.19.$n.2"
	[ "$status" -eq 0 ]
}

@test "bridge port: a dropped source never reaches the hosts behind the bridge; the others do, counted exactly" {
	local b=xk${N}b v=xk${N}v c=xk${N}c
	n=$((N % 250))
	mkns "$b"
	mkns "$v"
	# client (here) -- c/bc -- br0 -- bv/v0 -- host; srcfilter on bc
	ip -n "$b" link add br0 type bridge
	ip link add "$c" type veth peer name bc netns "$b"
	ip -n "$v" link add v0 type veth peer name bv netns "$b"
	ip -n "$b" link set bc master br0
	ip -n "$b" link set bv master br0
	ip -n "$b" link set bc up
	ip -n "$b" link set bv up
	ip -n "$b" link set br0 up
	client_addrs "$c"
	ip -n "$v" addr add "198.18.$n.9/24" dev v0
	ip -n "$v" addr add "2001:db8:$n::9/64" dev v0 nodad
	ip -n "$v" link set v0 up
	# every neighbour known before the filter, from both sources
	warm_up "198.18.$n.9" "2001:db8:$n::9"

	sf_in "$b" bc start -S
	sf_in "$b" bc add "198.18.$n.3/32" "2001:db8:$n::3/128"
	sf_in "$b" bc add -a count "198.18.$n.1/32"
	both_ways "$v" "$b" bc "198.18.$n.9" "2001:db8:$n::9"
	sf_in "$b" bc stop
	pings "198.18.$n.3" "198.18.$n.9"
	[ "$status" -eq 0 ]
}
