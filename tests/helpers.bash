# SPDX-License-Identifier: GPL-2.0
# Every helper the bats files share, and the one place each is written:
# labs of two hosts joined by a veth pair, the commands under test, what
# they leave behind, waiting, background processes, and kernel features.
# A helper that only one file needs stays in that file.
#
# tests/run.sh runs every file inside private net and mount namespaces,
# with a private bpffs at /sys/fs/bpf and one at $XDPKIT_TEST_TMP/bpffs.

# Never outside it: a test run as plain 'bats FILE' would make its
# namespaces, pins and files on the host itself.
if [ -z "${XDPKIT_TEST_TMP:-}" ] || [ "${XDPKIT_TEST_NS:-}" != 1 ]; then
	echo "run the tests through tests/run.sh [FILE...] (as root), or make check" >&2
	exit 3
fi

XK=$(cd "$BATS_TEST_DIRNAME/.." && pwd)
PINS=/sys/fs/bpf/xdp/globals
XDPING=$XK/scripts/xdping.sh
SRCLOG=$XK/scripts/srclog.sh
SRV=$XK/scripts/xdping-server.sh
# the far side's bpffs: ip netns exec hides /sys/fs/bpf
FAR_FS=$XDPKIT_TEST_TMP/bpffs

# wait_until TIMEOUT CMD... comes from the scripts' own library, so the
# scripts and the tests wait in one way (its other helpers go unused here:
# the tests check the scripts with means of their own).
# shellcheck source=scripts/lib/lib.sh
. "$XK/scripts/lib/lib.sh"

# -- labs ----------------------------------------------------------------

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

# lab_v6: IPv6 on both ends of the lab, without duplicate address detection.
lab_v6() {
	C6=2001:db8:$((BATS_TEST_NUMBER % 250))::1
	P6=2001:db8:$((BATS_TEST_NUMBER % 250))::2
	ip addr add "$C6/64" dev "$C" nodad
	ip -n "$NS" addr add "$P6/64" dev "$P" nodad
}

# lab_quiet: no IPv6 on either end of the lab, so the kernels send no
# neighbour discovery or MLD: every IP frame $C sees is one a test sent.
lab_quiet() {
	sysctl -qw "net.ipv6.conf.$C.disable_ipv6=1"
	ip netns exec "$NS" sysctl -qw "net.ipv6.conf.$P.disable_ipv6=1"
}

# show_failure [LINES]: in a teardown, the last LINES (default 40) of the
# last 'run' of a test that failed.
show_failure() {
	if [ -z "${BATS_TEST_COMPLETED:-}" ] && [ -n "${output:-}" ]; then
		printf '%s\n' "$output" | tail -n "${1:-40}" | sed 's/^/# output: /' >&3
	fi
}

lab_down() {
	show_failure
	ip link del "${C:-none}" 2>/dev/null || true
	ip netns del "${NS:-none}" 2>/dev/null || true
	rm -f "$PINS"/* "$FAR_FS"/tc/globals/* 2>/dev/null || true
	rm -rf /sys/fs/bpf/xdpkit "$FAR_FS"/xdpkit 2>/dev/null || true
}

# peer_xdp OBJ [MODE]: attaches an object on the far side (default native).
# xdping_server.o answers nothing until xdping-server.sh has given it the
# host's addresses: `start` on an attached server does that.
peer_xdp() {
	ip -n "$NS" link set dev "$P" "${2:-xdp}" obj "$XK/xdp/$1" sec xdp
	if [ "$1" = xdping_server.o ]; then
		ip netns exec "$NS" env TC_BPF_MNT="$FAR_FS" "$SRV" "$P" start >/dev/null
	fi
}

# peer_responder on|off: the far side's kernel echo responder, IPv4 and IPv6.
peer_responder() {
	local v=1
	[ "$1" = on ] && v=0
	ip netns exec "$NS" sysctl -qw net.ipv4.icmp_echo_ignore_all="$v" \
		net.ipv6.icmp.echo_ignore_all="$v"
}

# mac_of IFACE [NETNS]: IFACE's Ethernet address (sysfs is the host's here).
mac_of() {
	ip ${2:+-n "$2"} -j link show dev "$1" | jq -r '.[0].address'
}

# ifindex_of IFACE [NETNS]: IFACE's index.
ifindex_of() {
	ip ${2:+-n "$2"} -j link show dev "$1" | jq -r '.[0].ifindex'
}

# xdp_id IFACE [NETNS], prog_name IFACE [NETNS]: the id and the name of
# the XDP program on IFACE, empty when none.
xdp_id() {
	ip ${2:+-n "$2"} -j link show dev "$1" | jq -r '.[0].xdp.attached[0]?.prog.id // empty'
}

prog_name() {
	ip ${2:+-n "$2"} -j link show dev "$1" | jq -r '.[0].xdp.attached[0]?.prog.name // empty'
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

# foreign_prog IFACE: attaches xdp/pass.o to IFACE (generic), a program
# that is not ours; prints its id.
foreign_prog() {
	ip link set dev "$1" xdpgeneric obj "$XK/xdp/pass.o" sec xdp
	xdp_id "$1"
}

# -- the commands under test ---------------------------------------------
# Each runs with bats' run, stdout and stderr apart.

xdping() {
	run --separate-stderr "$XDPING" "$@"
}

server() {
	run --separate-stderr "$SRV" "$@"
}

srclog() {
	run --separate-stderr "$SRCLOG" "$@"
}

# srclog_ok ARGS...: srclog ARGS, which must exit 0 with a quiet stderr.
srclog_ok() {
	srclog "$@"
	if [ "$status" -ne 0 ] || [ -n "$stderr" ]; then
		echo "srclog.sh $*: exit $status, expected 0 and a quiet stderr"
		show_run
		return 1
	fi
}

# Labs of several namespaces (router, bridge): mkns NAME makes one of the
# test's namespaces, lo up; labs_down deletes them all, the test's link
# xk${N}c here, and what the scripts pinned in the far bpffs.
mkns() {
	ip netns add "$1"
	NSES="${NSES:-} $1"
	ip -n "$1" link set lo up
}

# router_lab R H C: a router lab of namespaces R and H. Here -- C/ri --
# router R -- ro/hi -- host H behind it, with 198.18.$n.2 and
# 2001:db8:$n::2 on ri, 198.19.$n.1 and 2001:db8:1$n::1 on ro, .2 and ::2 on
# hi, forwarding on in R and H's default routes through it. The caller
# gives C its addresses and brings it up, then calls router_via.
router_lab() {
	local r=$1 h=$2 c=$3
	mkns "$r"
	mkns "$h"
	ip link add "$c" type veth peer name ri netns "$r"
	ip link set "$c" up
	ip -n "$r" link add ro type veth peer name hi netns "$h"
	ip -n "$r" addr add "198.18.$n.2/24" dev ri
	ip -n "$r" addr add "2001:db8:$n::2/64" dev ri nodad
	ip -n "$r" addr add "198.19.$n.1/24" dev ro
	ip -n "$r" addr add "2001:db8:1$n::1/64" dev ro nodad
	ip -n "$r" link set ri up
	ip -n "$r" link set ro up
	ip -n "$h" addr add "198.19.$n.2/24" dev hi
	ip -n "$h" addr add "2001:db8:1$n::2/64" dev hi nodad
	ip -n "$h" link set hi up
	ip netns exec "$r" sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1
	ip -n "$h" route add default via "198.19.$n.1"
	ip -n "$h" -6 route add default via "2001:db8:1$n::1"
}

# router_via: here, the routes to the router lab's far side.
router_via() {
	ip route add "198.19.$n.0/24" via "198.18.$n.2"
	ip -6 route add "2001:db8:1$n::/64" via "2001:db8:$n::2"
}

labs_down() {
	local ns
	for ns in ${NSES:-}; do
		ip netns del "$ns" 2>/dev/null || true
	done
	ip link del "xk${N}c" 2>/dev/null || true
	rm -f "$FAR_FS"/tc/globals/* "$FAR_FS"/xdp/globals/* 2>/dev/null || true
}

# in_far NETNS CMD...: CMD in NETNS, with TC_BPF_MNT at $FAR_FS; run.
in_far() {
	local ns=$1
	shift
	run --separate-stderr ip netns exec "$ns" env TC_BPF_MNT="$FAR_FS" "$@"
}

# far_server ARGS..., far_srclog ARGS...: the script on the far side ($NS).
far_server() {
	in_far "$NS" "$SRV" "$@"
}

far_srclog() {
	in_far "$NS" "$SRCLOG" "$@"
}

# fails_with SCRIPT CODE WORD ARGS...: SCRIPT ARGS, with bats' run, exits
# CODE with one line on stderr, "NAME: ..." (NAME: SCRIPT's file name),
# that mentions WORD.
fails_with() {
	local script=$1 code=$2 word=$3
	shift 3
	run --separate-stderr "$script" "$@"
	expect_error "$code" "$word" "${script##*/}" || { echo "with: ${script##*/} $*"; return 1; }
}

# show_run: what the last 'run --separate-stderr' gave.
show_run() {
	echo "status: $status"
	echo "stdout: $output"
	echo "stderr: $stderr"
}

# expect_ok: the last run exited 0 and wrote nothing on stderr.
expect_ok() {
	if [ "$status" -ne 0 ] || [ -n "$stderr" ]; then
		echo "expected exit 0 and a quiet stderr"
		show_run
		return 1
	fi
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

# xdp_samples OUTPUT: the number of XDP sample lines in xdping.sh's output.
xdp_samples() {
	printf '%s\n' "$1" | sed -n '/^XDPING /,$p' | grep -c ' bytes from .* time=' || true
}

# counter_of NAME: a counter (answered, passed) in the last
# 'xdping-server.sh status' output.
counter_of() {
	printf '%s\n' "$output" | sed -n "s/^counters:.* $1 \([0-9][0-9]*\).*/\1/p"
}

# server_count NAME: a counter (answered, passed) of the far side's
# xdping_server, read through a pin of our own (ip -n pins vanish with the
# command).
server_count() {
	local prog map pin=$FAR_FS/xk_srv_stats
	prog=$(xdp_id "$P" "$NS")
	map=$(bpftool -j prog show id "$prog" | jq -r '.map_ids[0]')
	bpftool map pin id "$map" "$pin"
	"$XK/scripts/lib/xdping-map" stats "$pin" | sed -n "s/^server:.* $1 \([0-9][0-9]*\).*/\1/p"
	rm -f "$pin"
}

# copy_tree: a world-readable copy of scripts/ (with scripts/lib/) and
# xdp/*.o; prints its path.
copy_tree() {
	local d=$XDPKIT_TEST_TMP/tree.$BATS_TEST_NUMBER
	mkdir -p "$d/xdp"
	cp -R "$XK/scripts" "$d/"
	cp "$XK"/xdp/*.o "$d/xdp/"
	chmod -R a+rX "$d"
	printf '%s\n' "$d"
}

# -- what is left behind -------------------------------------------------

# pins_named BPFFS PATTERN: the pins matching PATTERN anywhere in BPFFS
# (at its top, and under xdpkit/netns/ for other namespaces).
pins_named() {
	[ ! -d "$1" ] || find "$1/" -name "$2" ! -type d ! -type l
}

# no_pins [BPFFS [WHOSE]]: none of WHOSE's pins (default xdping) exist.
no_pins() {
	local left
	left=$(pins_named "${1:-/sys/fs/bpf}" "${2:-xdping}_*")
	if [ -n "$left" ]; then
		echo "${2:+$2 }pins left: $left"
		return 1
	fi
}

no_srclog_pins() {
	no_pins "${1:-}" srclog
}

# assert_clean IFACE [BPFFS [WHOSE]]: no XDP program on IFACE, none of
# WHOSE's pins (default xdping).
assert_clean() {
	if [ -n "$(xdp_id "$1")" ]; then
		echo "XDP program left on $1: $(ip -o link show dev "$1")"
		return 1
	fi
	no_pins "${2:-}" "${3:-}"
}

srclog_clean() {
	assert_clean "$1" "${2:-}" srclog
}

# ns_pins NETNS BPFFS: where the scripts run in NETNS (ip netns exec, with
# TC_BPF_MNT=BPFFS) pin their maps: every namespace but the suite's own
# pins under BPFFS/xdpkit/netns/COOKIE (scripts/lib/lib.sh, pin_root).
ns_pins() {
	local cookie
	cookie=$(ip netns exec "$1" "$XK/scripts/lib/xdpkit-pins" netns) || return 1
	printf '%s/xdpkit/netns/%s/xdp/globals\n' "$2" "$cookie"
}

# -- background processes and waiting --------------------------------------

# start_bg CMD...: CMD in the background with SIGINT at its default (a
# shell starts background jobs with SIGINT ignored, and sh cannot trap a
# signal ignored on entry). Sets BG_PID; its output goes to $BG_OUT and
# $BG_ERR.
start_bg() {
	BG_OUT=$BATS_TEST_TMPDIR/bg.out
	BG_ERR=$BATS_TEST_TMPDIR/bg.err
	env --default-signal=INT "$@" >"$BG_OUT" 2>"$BG_ERR" 3>&- &
	BG_PID=$!
}

# stop_bg: in a teardown, ends what start_bg started, if it still runs
# (its children continued first, in case a test stopped them).
stop_bg() {
	[ -n "${BG_PID:-}" ] || return 0
	pkill -CONT -P "$BG_PID" 2>/dev/null || true
	kill "$BG_PID" 2>/dev/null || true
	exited "$BG_PID" >/dev/null || kill -9 "$BG_PID" 2>/dev/null || true
	BG_PID=
}

# alive PID: PID exists. ended PID: it does not.
alive() {
	kill -0 "$1" 2>/dev/null
}

ended() {
	! alive "$1"
}

# exited PID [SECONDS]: waits (default at most 5 s) until PID, a child of
# this shell, has ended; sets EXIT_RC to its exit status.
exited() {
	if ! wait_until "${2:-5}" ended "$1"; then
		echo "process $1 still running: $(ps -o pid=,args= --pid "$1" --ppid "$1")"
		return 1
	fi
	EXIT_RC=0
	wait "$1" || EXIT_RC=$?
}

# gone PID...: waits (at most 3 s each) until none of PID..., not our
# children, exists.
gone() {
	local p
	for p in "$@"; do
		if ! wait_until 3 ended "$p"; then
			echo "process $p still there: $(ps -o pid=,stat=,args= -p "$p")"
			return 1
		fi
	done
}

# follow_sees ADDR CMD...: runs CMD (which sends a frame from ADDR) until
# the 'srclog.sh follow' start_bg started prints ADDR; at most 15 s (a
# bound, not a timing: in a TCG guest on a busy host, starting the reader
# alone took more than 5 s).
follow_sees() {
	local addr=$1
	shift
	wait_until 15 follow_printed "$addr" "$@"
	if ! grep -qwF -- "$addr" "$BG_OUT"; then
		if alive "$BG_PID"; then
			echo "follow never printed $addr: $(tail -n 5 "$BG_OUT"; cat "$BG_ERR")"
		else
			echo "follow ended early: $(cat "$BG_OUT" "$BG_ERR")"
		fi
		return 1
	fi
}

# follow_printed ADDR CMD...: true once the follower printed ADDR or
# ended; otherwise runs CMD and is false.
follow_printed() {
	local addr=$1
	shift
	grep -qwF -- "$addr" "$BG_OUT" && return 0
	alive "$BG_PID" || return 0
	"$@" || return 0
	return 1
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
