#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# xdping: ICMP echo round-trip times measured in XDP, beside ping's own.
set -eu

usage() {
	cat <<'EOF'
usage: xdping.sh [-c count] [-s size] [-i interval] [-W seconds] [-N|-S] IFACE HOST
       xdping.sh --cleanup IFACE

Attaches xdp/xdping_client.o to IFACE, runs ping to HOST (IPv4 address or
name) through IFACE, then lets one echo exchange bounce COUNT times in XDP
and prints the XDP round trips beside ping's.

  -c count     samples, 1..1024 (default 4); ping sends as many requests
  -s size      ICMP payload bytes, 0..MTU-28 (default 56)
  -i interval  seconds between ping's requests (default 1)
  -W seconds   how long to wait for an answer (default 2)
  -N | -S      attach in native (driver) or generic (skb) mode; default:
               the kernel chooses
  --cleanup    detach an xdping_client left on IFACE by a killed run and
               remove its map entries

Exit: 0 all samples; 1 the target did not answer all of them in time;
2 usage or bad input; 3 environment (root, tools, bpffs, IFACE busy).
EOF
}

# shellcheck source=scripts/lib.sh
. "$(dirname -- "$(readlink -f -- "$0")")/lib.sh"

MAP=$XK_SCRIPTS/xdping-map
OBJ=$XK_HOME/xdp/xdping_client.o
count=4
size=56
interval=1
wait_s=2
mode=xdp
cleanup_only=0

if [ "${1:-}" = --help ] || [ "${1:-}" = -h ]; then
	usage
	exit 0
fi
if [ "${1:-}" = --cleanup ]; then
	[ "$#" -eq 2 ] || die 2 "usage: $XK_PROG --cleanup IFACE"
	cleanup_only=1
	shift
else
	while getopts :c:s:i:W:NSh opt; do
		case $opt in
		c) count=$OPTARG ;;
		s) size=$OPTARG ;;
		i) interval=$OPTARG ;;
		W) wait_s=$OPTARG ;;
		N) [ "$mode" = xdp ] || die 2 "-N and -S exclude each other"; mode=xdpdrv ;;
		S) [ "$mode" = xdp ] || die 2 "-N and -S exclude each other"; mode=xdpgeneric ;;
		h) usage; exit 0 ;;
		:) die 2 "-$OPTARG needs a value (see $XK_PROG --help)" ;;
		*) die 2 "unknown option -$OPTARG (see $XK_PROG --help)" ;;
		esac
	done
	shift $((OPTIND - 1))
	[ "$#" -eq 2 ] || die 2 "expected IFACE and HOST (see $XK_PROG --help)"
	if ! is_uint "$count" || [ "$count" -lt 1 ] || [ "$count" -gt 1024 ]; then
		die 2 "count '$count' is not a number from 1 to 1024"
	fi
	if ! is_uint "$size" || [ "$size" -gt 65507 ]; then
		die 2 "size '$size' is not a number of bytes"
	fi
	if ! is_positive "$interval" || [ "${#interval}" -gt 8 ]; then
		die 2 "interval '$interval' is not a positive number of seconds"
	fi
	if ! is_positive "$wait_s" || [ "${#wait_s}" -gt 8 ] || [ "${wait_s%.*}" -gt 3600 ]; then
		die 2 "wait '$wait_s' is not a positive number of seconds up to 3600"
	fi
fi
iface=$1

need_root
need_tools ip bpftool ping getent
need_built "$MAP"
need_built "$OBJ"
iface_check "$iface"
ifindex=$(iface_index "$iface")

if [ "$cleanup_only" -eq 1 ]; then
	bpffs_init
	RUNS=$XK_PINS/xdping_runs
	set -- "$(xdp_prog "$iface")"
	case $1 in
	*" xdping_client "*)
		XK_ATTACHED="${1%% *} ${1##* }"
		xdp_detach_own "$iface" || die 3 "cannot detach xdping_client from $iface"
		echo "detached xdping_client (prog ${1%% *}) from $iface" ;;
	"") ;;
	*) echo "$iface carries another XDP program (${1#* }); left in place" ;;
	esac
	if [ -e "$RUNS" ]; then
		"$MAP" purge "$RUNS" "$ifindex" || die 3 "cannot remove the runs of $iface from $RUNS"
	fi
	pins_release xdping_runs xdping_stats
	bpffs_done
	echo "$iface: clean"
	exit 0
fi

host=$2
case $host in
-* | '') die 2 "'$host' is not a host" ;;
*:*) die 2 "'$host' is an IPv6 address; xdping measures IPv4 targets for now" ;;
esac
addr=$(resolve4 "$host") || die 2 "'$host' does not resolve to an IPv4 address"
mtu=$(iface_mtu "$iface")
[ "$size" -le $((mtu - 28)) ] ||
	die 2 "size $size does not fit $iface unfragmented (MTU $mtu: at most $((mtu - 28)))"

set -- "$(xdp_prog "$iface")"
case $1 in
"") ;;
*" xdping_client "*) die 3 "$iface: another xdping run is in progress (prog ${1%% *}); wait for it, or '$XK_PROG --cleanup $iface' if it was killed" ;;
*) die 3 "$iface already has an XDP program (${1#* }); xdpkit never replaces one" ;;
esac
bpffs_init
RUNS=$XK_PINS/xdping_runs

tmp=
id=
ping_pid=
tail_pid=
# shellcheck disable=SC2317 # run from the traps below
cleanup() {
	for p in $ping_pid $tail_pid; do
		kill "$p" 2>/dev/null || true
	done
	if [ -n "$id" ]; then
		"$MAP" delete "$RUNS" "$ifindex" "$addr" "$id" 2>/dev/null || true
		id=
	fi
	xdp_detach_own "$iface" || warn "could not detach our program from $iface"
	pins_release xdping_runs xdping_stats
	bpffs_done
	[ -z "$tmp" ] || rm -rf -- "$tmp"
}
# shellcheck disable=SC2317
on_exit() {
	rc=$?
	trap - EXIT
	cleanup
	exit "$rc"
}
trap on_exit EXIT
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 143' TERM

pins_snapshot xdping_runs xdping_stats
tmp=$(mktemp -d "${TMPDIR:-/tmp}/xdping.XXXXXX")
xdp_attach "$iface" "$mode" "$OBJ"
set -- "$(xdp_prog "$iface")"
shown=$(mode_name "${1##* }")

# Wait, bounded, until the link is up and HOST answers through it.
deadline=$(($(date +%s) + ${wait_s%.*} + 3))
until ping -c 1 -W 1 -I "$iface" "$addr" >/dev/null 2>&1; do
	[ "$(date +%s)" -lt "$deadline" ] || die 1 "$host ($addr) does not answer through $iface"
	sleep 0.1
done

# Our own echo identifier; noexist makes two runs never share one.
n=0
while :; do
	id=$(rand16)
	"$MAP" seed "$RUNS" "$ifindex" "$addr" "$id" "$count" 2>/dev/null && break
	id=
	n=$((n + 1))
	[ "$n" -lt 5 ] || die 3 "cannot add a run to $RUNS"
done

# ping's own requests carry another identifier, so XDP never takes them.
ping -n -c "$count" -s "$size" -i "$interval" -W "$wait_s" -e "$((id % 65535 + 1))" \
	-I "$iface" "$addr" >"$tmp/ping" 2>&1 &
ping_pid=$!
tail -n +1 -s 0.1 -f --pid="$ping_pid" "$tmp/ping" &
tail_pid=$!
ping_rc=0
wait "$ping_pid" || ping_rc=$?
ping_pid=
wait "$tail_pid" || true
tail_pid=

# One more request, with our identifier: XDP bounces its reply COUNT times.
ping -n -c 1 -s "$size" -e "$id" -W "$wait_s" -I "$iface" "$addr" >"$tmp/carrier" 2>&1 &
ping_pid=$!
wait "$ping_pid" || true
ping_pid=

deadline=$(($(date +%s) + ${wait_s%.*} + 1))
until "$MAP" progress "$RUNS" "$ifindex" "$addr" "$id" >/dev/null 2>&1; do
	[ "$(date +%s)" -lt "$deadline" ] || break
	sleep 0.05
done

printf '\nXDPING %s (%s) via %s, %s mode, echo id %s\n' "$host" "$addr" "$iface" "$shown" "$id"
xdp_rc=0
"$MAP" report "$RUNS" "$ifindex" "$addr" "$id" "$tmp/ping" || xdp_rc=$?
if ! "$MAP" progress "$RUNS" "$ifindex" "$addr" "$id" >/dev/null 2>&1; then
	xdp_rc=1
	if [ "$shown" = native ] && ip -d link show dev "$iface" 2>/dev/null | grep -q ' veth '; then
		warn "hint: in native mode a veth drops XDP_TX frames unless its peer has an XDP program; attach xdp/pass.o there, or use -S"
	fi
fi
if [ "$ping_rc" -ne 0 ] || [ "$xdp_rc" -ne 0 ]; then
	warn "$host ($addr) did not answer every request in time"
	exit 1
fi
exit 0
