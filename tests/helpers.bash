# SPDX-License-Identifier: GPL-2.0
# Shared by the bats files: labs of two hosts joined by a veth pair.
# tests/run.sh runs every file inside private net and mount namespaces,
# with a private bpffs at /sys/fs/bpf and one at $XDPKIT_TEST_TMP/bpffs.

XK=$(cd "$BATS_TEST_DIRNAME/.." && pwd)
PINS=/sys/fs/bpf/xdp/globals

# lab_up: this namespace is the client side, interface $C with $C_ADDR;
# namespace $NS is the far side, interface $P with $P_ADDR. Addresses come
# from 198.18.0.0/15, one /24 per test.
lab_up() {
	local n=$BATS_TEST_NUMBER
	C=xk${n}c
	P=xk${n}p
	NS=xk${n}ns$$
	C_ADDR=198.18.$((n % 250)).1
	P_ADDR=198.18.$((n % 250)).2
	ip netns add "$NS"
	ip link add "$C" type veth peer name "$P" netns "$NS"
	ip addr add "$C_ADDR/24" dev "$C"
	ip link set "$C" up
	ip -n "$NS" addr add "$P_ADDR/24" dev "$P"
	ip -n "$NS" link set "$P" up
	ip -n "$NS" link set lo up
}

lab_down() {
	# a failed test shows the output of its last 'run'
	if [ -z "${BATS_TEST_COMPLETED:-}" ] && [ -n "${output:-}" ]; then
		printf '%s\n' "$output" | tail -n 40 | sed 's/^/# output: /' >&3
	fi
	ip link del "${C:-none}" 2>/dev/null || true
	ip netns del "${NS:-none}" 2>/dev/null || true
	rm -f "$PINS"/* "$XDPKIT_TEST_TMP"/bpffs/tc/globals/* 2>/dev/null || true
	rm -rf /sys/fs/bpf/xdpkit "$XDPKIT_TEST_TMP"/bpffs/xdpkit 2>/dev/null || true
}

# peer_xdp OBJ [MODE]: attaches an object on the far side (default native).
# xdping_server.o answers nothing until xdping-server.sh has given it the
# host's addresses: `start` on an attached server does that.
peer_xdp() {
	ip -n "$NS" link set dev "$P" "${2:-xdp}" obj "$XK/xdp/$1" sec xdp
	if [ "$1" = xdping_server.o ]; then
		ip netns exec "$NS" env TC_BPF_MNT="$XDPKIT_TEST_TMP/bpffs" \
			"$XK/scripts/xdping-server.sh" "$P" start >/dev/null
	fi
}

# peer_responder on|off: the far side's kernel echo responder.
peer_responder() {
	local v=1
	[ "$1" = on ] && v=0
	ip netns exec "$NS" sysctl -qw net.ipv4.icmp_echo_ignore_all="$v"
}

# xdp_id IFACE: id of the XDP program on IFACE, empty when none.
xdp_id() {
	ip -o link show dev "$1" | sed -n 's/.*prog\/xdp id \([0-9]*\).*/\1/p'
}

# assert_clean IFACE [BPFFS]: no XDP program, no xdping pin, no run left.
assert_clean() {
	if [ -n "$(xdp_id "$1")" ]; then
		echo "XDP program left on $1: $(ip -o link show dev "$1")"
		return 1
	fi
	no_pins "${2:-}"
}

# samples OUTPUT: the number of XDP sample lines in xdping.sh's output.
xdp_samples() {
	printf '%s\n' "$1" | sed -n '/^XDPING /,$p' | grep -c ' bytes from .* time=' || true
}

# server_answered: echo requests the far side's xdping_server answered,
# read through a pin of our own (ip -n pins vanish with the command).
server_answered() {
	local prog map pin=$XDPKIT_TEST_TMP/bpffs/xk_srv_stats
	prog=$(ip -n "$NS" -o link show dev "$P" | sed -n 's/.*prog\/xdp id \([0-9]*\).*/\1/p')
	map=$(bpftool prog show id "$prog" | sed -n 's/.*map_ids \([0-9]*\).*/\1/p')
	bpftool map pin id "$map" "$pin"
	"$XK/scripts/xdping-map" stats "$pin" | sed -n 's/^server: answered \([0-9]*\) .*/\1/p'
	rm -f "$pin"
}

# lab_v6: IPv6 on both ends of the lab, without duplicate address detection.
lab_v6() {
	C6=2001:db8:$((BATS_TEST_NUMBER % 250))::1
	P6=2001:db8:$((BATS_TEST_NUMBER % 250))::2
	ip addr add "$C6/64" dev "$C" nodad
	ip -n "$NS" addr add "$P6/64" dev "$P" nodad
}

# show_run: what the last 'run --separate-stderr' gave.
show_run() {
	echo "status: $status"
	echo "stdout: $output"
	echo "stderr: $stderr"
}

# expect_error CODE WORD [PROG]: the last run exited CODE and wrote exactly
# one line on stderr, "PROG: ..." (default xdping.sh), that contains WORD
# (case-insensitive, fixed string).
expect_error() {
	local prog=${3:-xdping.sh}
	if [ "$status" -ne "$1" ]; then
		echo "exit $status, expected $1"
		show_run
		return 1
	fi
	if [ "${#stderr_lines[@]}" -ne 1 ]; then
		echo "stderr has ${#stderr_lines[@]} lines, expected 1"
		show_run
		return 1
	fi
	case ${stderr_lines[0]} in
	"$prog: "?*) ;;
	*)
		echo "stderr does not start with '$prog: '"
		show_run
		return 1
		;;
	esac
	if ! grep -qiF -- "$2" <<<"$stderr"; then
		echo "stderr does not mention '$2'"
		show_run
		return 1
	fi
}

# pins_named BPFFS PATTERN: the pins matching PATTERN anywhere in BPFFS
# (at its top, and under xdpkit/netns/ for other namespaces).
pins_named() {
	[ ! -d "$1" ] || find "$1/" -name "$2" ! -type d ! -type l
}

# no_pins [BPFFS]: none of the xdping pins exist.
no_pins() {
	local left
	left=$(pins_named "${1:-/sys/fs/bpf}" 'xdping_*')
	if [ -n "$left" ]; then
		echo "pins left: $left"
		return 1
	fi
}

# -- srclog ------------------------------------------------------------

SRCLOG_PINS="srclog_sources srclog_events srclog_config srclog_stats"

# no_srclog_pins [BPFFS]: none of the srclog pins exist.
no_srclog_pins() {
	local left
	left=$(pins_named "${1:-/sys/fs/bpf}" 'srclog_*')
	if [ -n "$left" ]; then
		echo "srclog pins left: $left"
		return 1
	fi
}

# srclog_clean IFACE [BPFFS]: no XDP program on IFACE, no srclog pin.
srclog_clean() {
	if [ -n "$(xdp_id "$1")" ]; then
		echo "XDP program left on $1: $(ip -o link show dev "$1")"
		return 1
	fi
	no_srclog_pins "${2:-}"
}

# mac_of IFACE [NETNS]: IFACE's Ethernet address (sysfs is the host's here).
mac_of() {
	ip ${2:+-n "$2"} -j link show dev "$1" | jq -r '.[0].address'
}

# ifindex_of IFACE: IFACE's index in this namespace.
ifindex_of() {
	ip -j link show dev "$1" | jq -r '.[0].ifindex'
}

# lab_quiet: no IPv6 on either end of the lab, so the kernels send no
# neighbour discovery or MLD: every IP frame $C sees is one a test sent.
lab_quiet() {
	sysctl -qw "net.ipv6.conf.$C.disable_ipv6=1"
	ip netns exec "$NS" sysctl -qw "net.ipv6.conf.$P.disable_ipv6=1"
}

# blast ARGS...: tests/tools/blast on the far side ($P towards $C), on one
# CPU so the frames reach srclog in the order they were sent.
# ARGS: [-6] [-r NSRC] [-n PER] [-s BYTES] SRCADDR DSTADDR
blast() {
	blast_via "$P" "$C" "$@"
}

# blast_via FAR NEAR ARGS...: the same from FAR in $NS to NEAR here.
blast_via() {
	local far=$1 near=$2 opts=()
	shift 2
	while [ "$#" -gt 2 ]; do
		opts+=("$1")
		shift
	done
	ip netns exec "$NS" taskset -c 0 "$XK/tests/tools/blast" "${opts[@]}" \
		"$far" "$(mac_of "$near")" "$1" "$2"
}

# follow_bg CMD...: a 'srclog.sh IFACE follow' command line in the
# background with SIGINT at its default (a shell starts background jobs
# with SIGINT ignored, and sh cannot trap a signal ignored on entry).
# Sets FOLLOW_PID; its output goes to $FOLLOW_OUT and $FOLLOW_ERR.
follow_bg() {
	FOLLOW_OUT=$BATS_TEST_TMPDIR/follow.out
	FOLLOW_ERR=$BATS_TEST_TMPDIR/follow.err
	env --default-signal=INT "$@" >"$FOLLOW_OUT" 2>"$FOLLOW_ERR" 3>&- &
	FOLLOW_PID=$!
}

# follow_sees ADDR CMD...: runs CMD (which sends a frame from ADDR) every
# 0.1 s until the follower prints ADDR; at most 5 s.
follow_sees() {
	local addr=$1 n=0
	shift
	until grep -qwF -- "$addr" "$FOLLOW_OUT"; do
		if ! kill -0 "$FOLLOW_PID" 2>/dev/null; then
			echo "follow ended early: $(cat "$FOLLOW_OUT" "$FOLLOW_ERR")"
			return 1
		fi
		n=$((n + 1))
		if [ "$n" -gt 50 ]; then
			echo "follow never printed $addr: $(tail -n 5 "$FOLLOW_OUT"; cat "$FOLLOW_ERR")"
			return 1
		fi
		"$@" || return 1
		sleep 0.1
	done
}

# exited PID [SECONDS]: polls (default at most 5 s) until PID, a child of
# this shell, has ended; sets EXIT_RC to its exit status.
exited() {
	local n=0 max=$((${2:-5} * 20))
	while kill -0 "$1" 2>/dev/null; do
		n=$((n + 1))
		if [ "$n" -gt "$max" ]; then
			echo "process $1 still running: $(ps -o pid=,args= --pid "$1" --ppid "$1")"
			return 1
		fi
		sleep 0.05
	done
	EXIT_RC=0
	wait "$1" || EXIT_RC=$?
}

# expect_ok: the last run exited 0 and wrote nothing on stderr.
expect_ok() {
	if [ "$status" -ne 0 ] || [ -n "$stderr" ]; then
		echo "expected exit 0 and a quiet stderr"
		show_run
		return 1
	fi
}

# prog_name IFACE: name of the XDP program on IFACE.
prog_name() {
	ip -o link show dev "$1" | sed -n 's/.*prog\/xdp id [0-9]* name \([^ ]*\).*/\1/p'
}

# copy_tree: a world-readable copy of scripts/ and xdp/*.o; prints its path.
copy_tree() {
	local d=$XDPKIT_TEST_TMP/tree.$BATS_TEST_NUMBER
	mkdir -p "$d/xdp"
	cp -R "$XK/scripts" "$d/"
	cp "$XK"/xdp/*.o "$d/xdp/"
	chmod -R a+rX "$d"
	printf '%s\n' "$d"
}

# -- namespaces and the bpffs -------------------------------------------

# ns_pins NETNS BPFFS: where the scripts run in NETNS (ip netns exec, with
# TC_BPF_MNT=BPFFS) pin their maps: every namespace but the suite's own
# pins under BPFFS/xdpkit/netns/COOKIE (scripts/lib.sh, pin_root).
ns_pins() {
	local cookie
	cookie=$(ip netns exec "$1" "$XK/scripts/xdpkit-pins" netns) || return 1
	printf '%s/xdpkit/netns/%s/xdp/globals\n' "$2" "$cookie"
}

# -- kernel features -----------------------------------------------------

# need_kernel vlan|netem: skips the test, with the reason, when this kernel
# cannot make 802.1Q/802.1ad devices (CONFIG_VLAN_8021Q) or a netem qdisc
# (CONFIG_NET_SCH_NETEM). `make check-vm` runs such tests in Debian's own
# kernel, which has both.
need_kernel() {
	case $1 in
	vlan)
		modprobe -q 8021q 2>/dev/null || true
		[ -d /proc/net/vlan ] ||
			skip "no 802.1Q VLAN devices in $(uname -r) (CONFIG_VLAN_8021Q); make check-vm runs it"
		;;
	netem)
		modprobe -q sch_netem 2>/dev/null || true
		if ! tc qdisc add dev lo root netem delay 0ms 2>/dev/null; then
			skip "no netem qdisc in $(uname -r) (CONFIG_NET_SCH_NETEM); make check-vm runs it"
		fi
		tc qdisc del dev lo root
		;;
	*)
		echo "need_kernel: unknown feature $1" >&2
		return 1
		;;
	esac
}
