#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# Real VLAN devices (802.1Q, and 802.1ad + 802.1Q stacked) on both ends of
# the lab: xdping.sh and xdping-server.sh with a VLAN device as IFACE, and
# srclog on a VLAN device and on its lower device. Needs 8021q: skipped,
# with the reason, on a kernel without it; `make check-vm` runs it in
# Debian's own kernel.
# shellcheck disable=SC2154 # stderr and stderr_lines come from bats' run

bats_require_minimum_version 1.5.0
load helpers

setup() {
	need_kernel vlan
	lab_up
	N=$((BATS_TEST_NUMBER % 100))
	# VLAN subnets of this test: 198.19.N.0/24 and 2001:db8:aN::/64.
	V4C=198.19.$N.1
	V4P=198.19.$N.2
	V6C=2001:db8:a$N::1
	V6P=2001:db8:a$N::2
}

teardown() {
	lab_down
}

# vlan_pair ID [PROTO [LOWER]]: a VLAN device LOWER.ID (default lower: the
# lab's veth) on each end, named into $VC and $VP, up; PROTO 802.1Q
# (default) or 802.1ad. Without LOWER, the devices get the VLAN subnet.
vlan_pair() {
	local id=$1 proto=${2:-802.1Q} lc=${3:-$C} lp=${3:-$P}
	[ -z "${3:-}" ] || lp=${3/$C/$P}
	VC=$lc.$id
	VP=$lp.$id
	ip link add link "$lc" name "$VC" type vlan proto "$proto" id "$id"
	ip -n "$NS" link add link "$lp" name "$VP" type vlan proto "$proto" id "$id"
	ip link set "$VC" up
	ip -n "$NS" link set "$VP" up
}

# vlan_addrs: the VLAN subnet on $VC and $VP.
vlan_addrs() {
	ip addr add "$V4C/24" dev "$VC"
	ip addr add "$V6C/64" dev "$VC" nodad
	ip -n "$NS" addr add "$V4P/24" dev "$VP"
	ip -n "$NS" addr add "$V6P/64" dev "$VP" nodad
}

# stacked: 802.1ad 300 on the veths, 802.1Q 100 inside it, addressed.
stacked() {
	vlan_pair 300 802.1ad
	vlan_pair 100 802.1Q "$VC"
	vlan_addrs
}

# answered: the far side's xdping_server's 'answered' counter.
answered() {
	far_server "$VP" status
	[ "$status" -eq 0 ] || { show_run; return 1; }
	counter_of answered
}

# pings DEV ADDR COUNT: ping through DEV; every reply arrived.
pings() {
	run ping -n -q -c "$3" -i 0.05 -W 2 -I "$1" "$2"
	if [ "$status" -ne 0 ] || [[ $output != *" $3 received"* ]]; then
		echo "ping -I $1 $2: exit $status"
		echo "$output"
		return 1
	fi
}

# xdping_json ARGS...: xdping.sh -j ARGS; exit 0, quiet stderr.
xdping_json() {
	run --separate-stderr "$XDPING" -j "$@"
	expect_ok
}

# all_samples COUNT MODE: in the last -j output, every target brought
# COUNT XDP samples in MODE, nothing lost.
all_samples() {
	printf '%s\n' "$output" | jq -e --argjson n "$1" --arg m "$2" '
		.mode == $m and (.targets | length) > 0
		and all(.targets[]; .lost == 0 and (.xdp.rtt_ns | length) == $n
			and all(.xdp.rtt_ns[]; . > 0))' >/dev/null || { show_run; return 1; }
}

@test "xdping.sh on an 802.1Q device, the kernel's choice: generic mode, IPv4 and IPv6 samples" {
	vlan_pair 100
	vlan_addrs
	xdping_json -c 5 -i 0.05 "$VC" "$V4P" "$V6P"
	all_samples 5 generic
	assert_clean "$VC"
}

@test "xdping.sh -N on an 802.1Q device: exit 3, one line, nothing left" {
	vlan_pair 100
	vlan_addrs
	run --separate-stderr "$XDPING" -N -c 2 "$VC" "$V4P"
	expect_error 3 "no native XDP"
	assert_clean "$VC"
	# and the generic attach says so on the header line
	run --separate-stderr "$XDPING" -S -c 2 -i 0.05 "$VC" "$V4P"
	expect_ok
	[[ $output == *"XDPING $V4P ($V4P) via $VC, generic mode"* ]] || { show_run; false; }
}

@test "xdping.sh on stacked 802.1ad + 802.1Q devices, IPv4 and IPv6" {
	stacked
	xdping_json -S -c 5 -i 0.05 "$VC" "$V4P" "$V6P"
	all_samples 5 generic
	assert_clean "$VC"
}

@test "xdping-server.sh on an 802.1Q device: generic, answers IPv4 and IPv6 in XDP" {
	vlan_pair 100
	vlan_addrs
	peer_responder off
	far_server "$VP" start
	expect_ok
	[[ $output == "xdping_server attached to $VP (generic mode, prog "* ]] || { show_run; false; }
	pings "$VC" "$V4P" 5
	pings "$VC" "$V6P" 5
	[ "$(answered)" -eq 10 ]
	far_server "$VP" stop
	expect_ok
	[ -z "$(xdp_id "$VP" "$NS")" ]
	[ -z "$(ls "$FAR_FS"/xdp/globals/ 2>/dev/null)" ]
}

@test "xdping-server.sh -N on an 802.1Q device: exit 3, one line, nothing left" {
	vlan_pair 100
	far_server "$VP" start -N
	expect_error 3 "no native XDP" xdping-server.sh
	[ -z "$(xdp_id "$VP" "$NS")" ]
	[ -z "$(ls "$FAR_FS"/xdp/globals/ 2>/dev/null)" ]
}

@test "stacked 802.1ad + 802.1Q: xdping.sh against xdping_server, XDP at both ends" {
	stacked
	peer_responder off
	far_server "$VP" start
	expect_ok
	xdping_json -c 5 -i 0.05 "$VC" "$V4P" "$V6P"
	all_samples 5 generic
	# ping's 5 + the bounces (5 samples + the chain's first) per family
	[ "$(answered)" -ge 20 ]
	far_server "$VP" stop
	expect_ok
}

# srclog_vlan TXVLAN BYTES: srclog on $VP and on its lower device $P; 7
# pings from $VC with the client's tx-vlan-offload TXVLAN: both count 7
# frames from $V4C; the VLAN device BYTES0 bytes each, the lower BYTES.
srclog_vlan() {
	local s=$XK/scripts/srclog.sh
	ethtool -K "$C" txvlan "$1"
	# the lower device first: the kernel refuses a program on a device
	# whose upper device has one
	ip netns exec "$NS" env TC_BPF_MNT="$FAR_FS" "$s" "$P" start -l off >/dev/null
	ip netns exec "$NS" env TC_BPF_MNT="$FAR_FS" "$s" "$VP" start -S -l off >/dev/null
	pings "$VC" "$V4P" 7
	run ip netns exec "$NS" env TC_BPF_MNT="$FAR_FS" "$s" "$VP" top -j -i 0
	printf '%s\n' "$output" | jq -e --arg a "$V4C" \
		'[.[] | select(.address == $a) | [.packets, .bytes]] == [[7, 686]]' >/dev/null ||
		{ echo "on $VP: $output"; return 1; }
	run ip netns exec "$NS" env TC_BPF_MNT="$FAR_FS" "$s" "$P" top -j -i 0
	printf '%s\n' "$output" | jq -e --arg a "$V4C" --argjson b "$2" \
		'[.[] | select(.address == $a) | [.packets, .bytes]] == [[7, $b]]' >/dev/null ||
		{ echo "on $P (txvlan $1): $output"; return 1; }
	ip netns exec "$NS" env TC_BPF_MNT="$FAR_FS" "$s" "$VP" stop >/dev/null
	ip netns exec "$NS" env TC_BPF_MNT="$FAR_FS" "$s" "$P" stop >/dev/null
}

@test "srclog on an 802.1Q device and on its lower device: both count the VLAN's sources" {
	vlan_pair 100
	vlan_addrs
	lab_quiet
	sysctl -qw "net/ipv6/conf/$VC/disable_ipv6=1"
	ip netns exec "$NS" sysctl -qw "net/ipv6/conf/$VP/disable_ipv6=1"
	ip neigh replace "$V4P" lladdr "$(mac_of "$P" "$NS")" dev "$VC"
	# 98-byte requests; the lower device sees the 4-byte tag only when it
	# travels in the frame (tx-vlan-offload off)
	srclog_vlan on 686
	srclog_vlan off 714
	[ -z "$(ls "$FAR_FS"/xdp/globals/ 2>/dev/null)" ]
}

# tagged_replies MODE TXVLAN: xdping_server in MODE on the lower device
# $P, the far side's kernel responder on, pass.o on $C (native XDP_TX on
# a veth needs it); pings from $VC with tx-vlan-offload TXVLAN: every
# request gets its reply on the VLAN (from XDP or from the kernel: never
# an untagged one, which $VC would not see).
tagged_replies() {
	ethtool -K "$C" txvlan "$2"
	far_server "$P" start "$1"
	expect_ok
	pings "$VC" "$V4P" 5
	pings "$VC" "$V6P" 5
	far_server "$P" stop
	expect_ok
}

@test "xdping_server on the lower device answers tagged requests on the VLAN, tx-vlan-offload on and off" {
	vlan_pair 100
	vlan_addrs
	ip link set dev "$C" xdp obj "$XK/xdp/pass.o" sec xdp
	peer_responder on
	tagged_replies -N off
	tagged_replies -S off
	tagged_replies -S on
	tagged_replies -N on
}

@test "with the tag in the frame, xdping_server on the lower device answers in XDP" {
	vlan_pair 100
	vlan_addrs
	ip link set dev "$C" xdp obj "$XK/xdp/pass.o" sec xdp
	peer_responder off
	ethtool -K "$C" txvlan off
	far_server "$P" start -N
	expect_ok
	pings "$VC" "$V4P" 5
	pings "$VC" "$V6P" 5
	[ "$(VP=$P answered)" -eq 10 ]
}
