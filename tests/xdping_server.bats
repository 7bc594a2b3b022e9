#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# xdping-server.sh: start, status, stop, the echo answers it gives, and its
# errors. Run here on $C (bpffs at /sys/fs/bpf), and on the far side on $P
# through 'ip netns exec' with TC_BPF_MNT pointing at a bpffs outside /sys.
# shellcheck disable=SC2154 # stderr_lines comes from bats' run
# shellcheck disable=SC2153 # PINS comes from helpers.bash

bats_require_minimum_version 1.5.0
load helpers

setup() {
	lab_up
	ECHO_IGNORE=
	DUMMY=
}

teardown() {
	# This namespace is shared by every test file: put its responder back.
	[ -z "$ECHO_IGNORE" ] || sysctl -qw net.ipv4.icmp_echo_ignore_all="$ECHO_IGNORE"
	[ -z "$DUMMY" ] || ip link del "$DUMMY" 2>/dev/null || true
	lab_down
}

# local_responder off: this namespace stops answering echoes itself.
local_responder_off() {
	ECHO_IGNORE=$(sysctl -n net.ipv4.icmp_echo_ignore_all)
	sysctl -qw net.ipv4.icmp_echo_ignore_all=1
}

@test "start -S here, status, answers the far side's pings, stop" {
	local id n
	server "$C" start -S
	expect_ok
	[[ $output == *"attached to $C (generic mode, prog "* ]] || { show_run; return 1; }
	id=$(xdp_id "$C")
	[ -n "$id" ]
	[ -e "$PINS/xdping_stats" ]

	server "$C" status
	expect_ok
	[[ ${lines[0]} == *"xdping_server attached to $C"*"prog $id)" ]] || { show_run; return 1; }
	[[ $output =~ (^|$'\n')"counters: answered "[0-9]+" passed "[0-9]+ ]] || { show_run; return 1; }

	# Our kernel stays silent: only XDP can answer.
	local_responder_off
	run ip netns exec "$NS" ping -n -c 3 -i 0.2 -W 1 "$C_ADDR"
	[ "$status" -eq 0 ] || { echo "$output"; return 1; }
	[[ $output == *" 3 received"* ]]

	server "$C" status
	expect_ok
	n=$(counter_of answered)
	[ -n "$n" ] && [ "$n" -ge 3 ] || { show_run; return 1; }

	server "$C" stop
	expect_ok
	[[ $output == *detached* ]]
	assert_clean "$C"
	[ ! -e "$PINS/xdping_stats" ]
}

@test "start -N on the far side (TC_BPF_MNT), answers our pings, stop" {
	local n
	# Native XDP_TX on a veth needs a program on the peer.
	ip link set dev "$C" xdpdrv obj "$XK/xdp/pass.o" sec xdp
	far_server "$P" start -N
	expect_ok
	[[ $output == *"attached to $P (native mode, prog "* ]] || { show_run; return 1; }
	[ -n "$(xdp_id "$P" "$NS")" ]
	[ -e "$(ns_pins "$NS" "$FAR_FS")/xdping_stats" ]

	peer_responder off
	run ping -n -c 3 -i 0.2 -W 1 "$P_ADDR"
	[ "$status" -eq 0 ] || { echo "$output"; return 1; }
	[[ $output == *" 3 received"* ]]

	far_server "$P" status
	expect_ok
	[[ ${lines[0]} == *"xdping_server attached to $P (native mode, prog "* ]] || { show_run; return 1; }
	n=$(counter_of answered)
	[ -n "$n" ] && [ "$n" -ge 3 ] || { show_run; return 1; }

	far_server "$P" stop
	expect_ok
	[ -z "$(xdp_id "$P" "$NS")" ]
	no_pins "$FAR_FS"
	# Nothing went to the other bpffs.
	no_pins
}

@test "start -S on the far side: the kernel responder off, pings still answered" {
	local n
	peer_responder off
	# Without the server nobody answers.
	run ping -n -c 1 -W 1 "$P_ADDR"
	[ "$status" -ne 0 ]

	far_server "$P" start -S
	expect_ok
	run ping -n -c 3 -i 0.2 -W 1 "$P_ADDR"
	[ "$status" -eq 0 ] || { echo "$output"; return 1; }
	[[ $output == *" 3 received"* ]]
	far_server "$P" status
	expect_ok
	n=$(counter_of answered)
	[ -n "$n" ] && [ "$n" -ge 3 ] || { show_run; return 1; }

	far_server "$P" stop
	expect_ok
	[ -z "$(xdp_id "$P" "$NS")" ]
	no_pins "$FAR_FS"
}

@test "start twice: exit 0, the same program" {
	local id
	server "$C" start -S
	expect_ok
	id=$(xdp_id "$C")
	server "$C" start -S
	expect_ok
	[[ $output == *"already attached"* ]]
	server "$C" start
	expect_ok
	[ "$(xdp_id "$C")" = "$id" ]
	server "$C" stop
	expect_ok
	assert_clean "$C"
}

@test "status when not attached: exit 1" {
	server "$C" status
	[ "$status" -eq 1 ] || { show_run; return 1; }
	[[ $output == *"not attached"* ]]
	[ -z "$stderr" ]
	assert_clean "$C"
}

@test "stop when not attached: exit 0" {
	server "$C" stop
	expect_ok
	[[ $output == *"nothing to stop"* ]]
	assert_clean "$C"
}

@test "bad action: exit 2" {
	server "$C" restart
	expect_error 2 "restart" xdping-server.sh
	server "$C" ''
	expect_error 2 "action" xdping-server.sh
	assert_clean "$C"
}

@test "missing arguments: exit 2" {
	server
	expect_error 2 "IFACE" xdping-server.sh
	server "$C"
	expect_error 2 "start, stop, status or metrics" xdping-server.sh
	assert_clean "$C"
}

@test "unknown or bad interface: exit 2" {
	server xknosuch0 start
	expect_error 2 "xknosuch0" xdping-server.sh
	server 'x;>pwned' start
	expect_error 2 "interface" xdping-server.sh
	server "x;touch $XDPKIT_TEST_TMP/pwned" start
	expect_error 2 "interface" xdping-server.sh
	[ ! -e "$XDPKIT_TEST_TMP/pwned" ] && [ ! -e pwned ]
	no_pins
}

@test "-N and -S together: exit 2" {
	server "$C" start -N -S
	expect_error 2 "exclude" xdping-server.sh
	assert_clean "$C"
}

@test "-N or -S with stop or status: exit 2" {
	server "$C" stop -N
	expect_error 2 "start" xdping-server.sh
	server "$C" status -S
	expect_error 2 "start" xdping-server.sh
	assert_clean "$C"
}

@test "unknown extra argument: exit 2" {
	server "$C" start -x
	expect_error 2 "'-x'" xdping-server.sh
	assert_clean "$C"
}

@test "start with a foreign program: exit 3, left in place" {
	local id
	id=$(foreign_prog "$C")
	[ -n "$id" ]
	server "$C" start -S
	expect_error 3 "never replaces" xdping-server.sh
	server "$C" start
	expect_error 3 "never replaces" xdping-server.sh
	[ "$(xdp_id "$C")" = "$id" ]
	no_pins
	# Nor do stop and status touch it.
	server "$C" stop
	expect_ok
	server "$C" status
	[ "$status" -eq 1 ] || { show_run; return 1; }
	[ "$(xdp_id "$C")" = "$id" ]
	no_pins
}

@test "kernel refuses the mode: exit 3, no pin left" {
	# A bridge has no native XDP.
	DUMMY=xk${BATS_TEST_NUMBER}br
	ip link add "$DUMMY" type bridge
	ip link set "$DUMMY" up
	server "$DUMMY" start -N
	expect_error 3 "$DUMMY" xdping-server.sh
	assert_clean "$DUMMY"
}

@test "not root: exit 3" {
	local d
	d=$(copy_tree)
	cd "$d"
	run --separate-stderr setpriv --reuid=65534 --regid=65534 --clear-groups \
		"$d/scripts/xdping-server.sh" "$C" start -S
	expect_error 3 "root" xdping-server.sh
	assert_clean "$C"
}

@test "bpffs unusable: exit 3" {
	run --separate-stderr env TC_BPF_MNT=relative "$SRV" "$C" start -S
	expect_error 3 "absolute" xdping-server.sh
	run --separate-stderr env TC_BPF_MNT=/proc/xdpkit-bpffs "$SRV" "$C" start -S
	expect_error 3 "bpffs" xdping-server.sh
	assert_clean "$C"
}

@test "--help: usage on stdout, exit 0" {
	server --help
	expect_ok
	[[ ${lines[0]} == "usage: xdping-server.sh "* ]]
	[[ $output == *Exit:* ]]
}

@test "every pinned map dumps with its field names (BTF), as the README shows" {
	local f
	run ip link set dev "$C" xdp obj "$XK/xdp/xdping_client.o" sec xdp
	[ "$status" -eq 0 ]
	run bpftool map dump pinned "$PINS/xdping_stats"
	for f in passed answered samples completed errors; do
		[[ "$output" == *"\"$f\": "* ]] || { echo "# no field $f" >&3; false; }
	done
	"$XK/scripts/lib/xdping-map" seed "$PINS/xdping_runs" 1 198.18.0.9 7 3
	run bpftool map dump pinned "$PINS/xdping_runs"
	for f in ifindex id family sent_ns seq first_seq count done icmp_len addr rtt_ns ttl; do
		[[ "$output" == *"\"$f\": "* ]] || { echo "# no field $f" >&3; false; }
	done
	ip link set dev "$C" xdp off
	ip link set dev "$C" xdp obj "$XK/xdp/srclog.o" sec xdp
	run bpftool map dump pinned "$PINS/srclog_stats"
	for f in ipv4 ipv6 arp lldp other vlan_deep truncated malformed logged ring_full; do
		[[ "$output" == *"\"$f\": "* ]] || { echo "# no field $f" >&3; false; }
	done
	run bpftool map dump pinned "$PINS/srclog_config"
	[[ "$output" == *'"log_every": 0'* ]]
	ip link set dev "$C" xdp off
	rm -f "$PINS"/xdping_* "$PINS"/srclog_*
}

# -- issue 9: what start says and sets, status without its pins, -a --------

@test "start says XDP overrides netfilter and icmp_echo_ignore_all; stop restores lo forwarding" {
	sysctl -qw net.ipv4.conf.lo.forwarding=0 net.ipv6.conf.lo.forwarding=0
	server "$C" start -S
	expect_ok
	[[ $output == *"before netfilter and icmp_echo_ignore_all"* ]] || { show_run; return 1; }
	[[ $output == *"-a PREFIX"* ]]
	[[ $output == *"lo.forwarding=1"* ]]
	[ "$(sysctl -n net.ipv4.conf.lo.forwarding)" = 1 ]
	[ "$(sysctl -n net.ipv6.conf.lo.forwarding)" = 1 ]
	server "$C" stop
	expect_ok
	[ "$(sysctl -n net.ipv4.conf.lo.forwarding)" = 0 ]
	[ "$(sysctl -n net.ipv6.conf.lo.forwarding)" = 0 ]
	assert_clean "$C"
	# Already on: left on, and stop leaves it so.
	sysctl -qw net.ipv4.conf.lo.forwarding=1
	server "$C" start -S
	expect_ok
	[[ $output == *"net.ipv6.conf.lo.forwarding=1"* ]] || { show_run; return 1; }
	server "$C" stop
	[ "$(sysctl -n net.ipv4.conf.lo.forwarding)" = 1 ]
	[ "$(sysctl -n net.ipv6.conf.lo.forwarding)" = 0 ]
	sysctl -qw net.ipv4.conf.lo.forwarding=0
}

@test "status without access to its pins: exit 3, one line" {
	far_server "$P" start -S
	expect_ok
	# ip netns exec remounts /sys: the pins there are not the ones it made.
	run --separate-stderr ip netns exec "$NS" "$SRV" "$P" status
	expect_error 3 "counters" xdping-server.sh
	# and with the bpffs it was started with, the counters are there
	far_server "$P" status
	expect_ok
	[[ $output == *"counters: answered "* ]]
	far_server "$P" stop
	expect_ok
	no_pins "$FAR_FS"
}

@test "start -N on a veth whose peer has no XDP program says native XDP_TX needs one" {
	DUMMY=xk${BATS_TEST_NUMBER}v0
	ip link add "$DUMMY" type veth peer name "${DUMMY%0}1"
	ip link set "$DUMMY" up
	ip link set "${DUMMY%0}1" up
	server "$DUMMY" start -N
	expect_ok
	[[ $output == *"peer ${DUMMY%0}1 has an XDP program"* ]] || { show_run; return 1; }
	server "$DUMMY" stop
	expect_ok
	# with a program on the peer, nothing to say
	ip link set dev "${DUMMY%0}1" xdp obj "$XK/xdp/pass.o" sec xdp
	server "$DUMMY" start -N
	expect_ok
	[[ $output != *"peer"* ]] || { show_run; return 1; }
	server "$DUMMY" stop
	# generic mode needs nothing on the peer
	ip link set dev "${DUMMY%0}1" xdp off
	server "$DUMMY" start -S
	expect_ok
	[[ $output != *"peer"* ]] || { show_run; return 1; }
	server "$DUMMY" stop
	# the peer in another namespace: it cannot tell, so it says what is needed
	server "$C" start -N
	expect_ok
	[[ $output == *"peer veth (in another namespace)"* ]] || { show_run; return 1; }
	server "$C" stop
	assert_clean "$C"
}

@test "-a PREFIX: only those sources are answered in XDP; the rest go to the stack" {
	local n
	local_responder_off
	server "$C" start -S -a 198.19.0.0/16 -a 2001:db8:ffff::/48
	expect_ok
	[[ $output == *"only sources in 198.19.0.0/16 2001:db8:ffff::/48"* ]] || { show_run; return 1; }
	run ip netns exec "$NS" ping -n -c 2 -i 0.2 -W 1 "$C_ADDR"
	[[ $output == *" 0 received"* ]]
	server "$C" status
	[ "$(counter_of answered)" -eq 0 ]
	# start again: the list is reloaded as given
	server "$C" start -S -a "$P_ADDR"
	expect_ok
	[[ $output == *"reloaded"* ]]
	run ip netns exec "$NS" ping -n -c 2 -i 0.2 -W 1 "$C_ADDR"
	[ "$status" -eq 0 ]
	server "$C" status
	n=$(counter_of answered)
	[ "$n" -ge 2 ]
	server "$C" stop
	expect_ok
	assert_clean "$C"
}

@test "-a with something that is not a prefix: exit 2, nothing attached" {
	server "$C" start -a 198.19.0.0/33
	expect_error 2 "198.19.0.0/33" xdping-server.sh
	server "$C" start -a 'x;y'
	expect_error 2 "prefix" xdping-server.sh
	server "$C" start -a
	expect_error 2 "PREFIX" xdping-server.sh
	server "$C" status -a 198.19.0.0/16
	expect_error 2 "start" xdping-server.sh
	assert_clean "$C"
}

@test "a plain ip load answers nothing until start fills it in" {
	local_responder_off
	ip link set dev "$C" xdpgeneric obj "$XK/xdp/xdping_server.o" sec xdp
	run ip netns exec "$NS" ping -n -c 2 -i 0.2 -W 1 "$C_ADDR"
	[[ $output == *" 0 received"* ]]
	server "$C" start
	expect_ok
	[[ $output == *"already attached"*"reloaded"* ]] || { show_run; return 1; }
	run ip netns exec "$NS" ping -n -c 2 -i 0.2 -W 1 "$C_ADDR"
	[ "$status" -eq 0 ]
	server "$C" status
	[ "$(counter_of answered)" -ge 2 ]
	server "$C" stop
	expect_ok
	assert_clean "$C"
}

@test "real clients (ping, fping, hping3, nping) are answered in XDP, the kernel silent" {
	local n
	command -v fping >/dev/null && command -v hping3 >/dev/null && command -v nping >/dev/null ||
		skip "fping, hping3 or nping not installed"
	far_server "$P" start -S
	expect_ok
	peer_responder off
	run ping -n -c 3 -i 0.2 -W 1 "$P_ADDR"
	[ "$status" -eq 0 ]
	run fping -c 3 -p 200 -t 1000 "$P_ADDR"
	[ "$status" -eq 0 ] || { echo "# fping: $output" >&3; false; }
	run hping3 -1 -c 3 -i u200000 "$P_ADDR"
	[[ $output == *"3 packets received"* ]] || { echo "# hping3: $output" >&3; false; }
	run nping --icmp -c 3 --delay 200ms "$P_ADDR"
	[[ $output == *"Rcvd: 3 "* ]] || { echo "# nping: $output" >&3; false; }
	far_server "$P" status
	expect_ok
	n=$(counter_of answered)
	[ "$n" -ge 12 ] || { show_run; return 1; }
	far_server "$P" stop
	expect_ok
	no_pins "$FAR_FS"
}

@test "an interface name with a dot (eth0.100): IPv4 and IPv6 answered in XDP, the kernel silent" {
	local dp=$P.7 n
	# A VLAN device's usual name, on a veth: sysctl's dotted names cannot
	# spell it, /proc/sys/net/ipv6/conf/$dp/ can.
	ip -n "$NS" link set dev "$P" down
	ip -n "$NS" link set dev "$P" name "$dp"
	ip -n "$NS" link set dev "$dp" up
	ip addr add "2001:db8:5$((BATS_TEST_NUMBER % 10))::1/64" dev "$C" nodad
	ip -n "$NS" addr add "2001:db8:5$((BATS_TEST_NUMBER % 10))::2/64" dev "$dp" nodad
	far_server "$dp" start -S
	expect_ok
	ip netns exec "$NS" sysctl -qw net.ipv4.icmp_echo_ignore_all=1 net.ipv6.icmp.echo_ignore_all=1
	run ping -n -q -c 3 -i 0.05 -W 1 "$P_ADDR"
	[[ $output == *" 3 received"* ]] || { show_run; return 1; }
	run ping -n -q -c 3 -i 0.05 -W 1 "2001:db8:5$((BATS_TEST_NUMBER % 10))::2"
	[[ $output == *" 3 received"* ]] || { show_run; return 1; }
	far_server "$dp" status
	expect_ok
	n=$(counter_of answered)
	[ "$n" -eq 6 ] || { show_run; return 1; }
	far_server "$dp" stop
	expect_ok
	no_pins "$FAR_FS"
}
