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
}

# peer_xdp OBJ [MODE]: attaches an object on the far side (default native).
peer_xdp() {
	ip -n "$NS" link set dev "$P" "${2:-xdp}" obj "$XK/xdp/$1" sec xdp
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
	local pins=${2:-/sys/fs/bpf}/xdp/globals
	if [ -n "$(xdp_id "$1")" ]; then
		echo "XDP program left on $1: $(ip -o link show dev "$1")"
		return 1
	fi
	if ls "$pins"/xdping_* >/dev/null 2>&1; then
		echo "pins left: $(ls "$pins")"
		return 1
	fi
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

# no_pins [BPFFS]: none of the xdping pins exist.
no_pins() {
	local pins=${1:-/sys/fs/bpf}/xdp/globals
	if ls "$pins"/xdping_* >/dev/null 2>&1; then
		echo "pins left: $(ls "$pins")"
		return 1
	fi
}
