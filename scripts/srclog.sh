#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# srclog: who is sending to IFACE. Counts every frame's source address in
# XDP, keeps a live log, never touches the traffic.
set -eu

usage() {
	cat <<'EOF'
usage: srclog.sh IFACE start [-N|-S] [-l on|off|N]
       srclog.sh IFACE top [-n COUNT] [-i SECONDS] [-b] [-j | -f FORMAT]
                           [-p|--prefix LEN[,LEN6]]
       srclog.sh IFACE follow [-j]
       srclog.sh IFACE log on|off|N
       srclog.sh IFACE status|reset|stop

  start    attach xdp/srclog.o to IFACE (-N native, -S generic; default:
           the kernel chooses) and switch the live log on (-l: on, off, or
           one frame in N)
  top      the COUNT (default 20) busiest sources on IFACE, by packets (-b:
           bytes), with rates over SECONDS (default 1; 0: no rates); -j: a
           JSON array; -f|--format text, json or rules (one prefix a line,
           for a filter); -p|--prefix LEN: sources summed by prefix, IPv4
           by /LEN (at most 32) and IPv6 by /LEN, or LEN,LEN6 for each
  follow   the live log, one line per frame: 'IPv4 Source Address: ...';
           -j: one JSON object per line. Ends on SIGINT, SIGTERM or stop
  log      switch the live log on, off, or to one frame in N, while running
  status   whether srclog is attached, how many sources it holds, its counters
  reset    forget IFACE's sources and zero the counters
  stop     detach it and remove the pins no program uses any more

Exit: 0 done; 1 srclog is not running on IFACE (status, top, follow, log,
reset); 2 usage or bad input; 3 environment (root, tools, bpffs, IFACE busy
with another XDP program).
EOF
}

# shellcheck source=scripts/lib.sh
. "$(dirname -- "$(readlink -f -- "$0")")/lib.sh"

MAP=$XK_SCRIPTS/srclog-map
FOLLOW=$XK_SCRIPTS/srclog-follow
OBJ=$XK_HOME/xdp/srclog.o
PINNED="srclog_sources srclog_events srclog_config srclog_stats"

case ${1:-} in
-h | --help) usage; exit 0 ;;
esac
[ "$#" -ge 2 ] || die 2 "expected IFACE and a command (see $XK_PROG --help)"
iface=$1
cmd=$2
shift 2

mode=xdp
log=on
count=20
interval=1
by_bytes=
json=
format=
prefix=
case $cmd in
start)
	while getopts :NSl: opt; do
		case $opt in
		N | S) pick_mode "$opt" ;;
		l) log=$OPTARG ;;
		:) die 2 "-$OPTARG needs a value (see $XK_PROG --help)" ;;
		*) die 2 "unknown option -$OPTARG for start (see $XK_PROG --help)" ;;
		esac
	done ;;
top)
	# --prefix and --format become -p and -f: the arguments are rotated
	# once through "$@", so that getopts sees short options only.
	n=$#
	while [ "$n" -gt 0 ]; do
		a=$1
		shift
		n=$((n - 1))
		case $a in
		--prefix=*) set -- "$@" -p "${a#*=}" ;;
		--format=*) set -- "$@" -f "${a#*=}" ;;
		--prefix | --format)
			[ "$n" -gt 0 ] || die 2 "$a needs a value (see $XK_PROG --help)"
			case $a in
			--prefix) set -- "$@" -p "$1" ;;
			*) set -- "$@" -f "$1" ;;
			esac
			shift
			n=$((n - 1)) ;;
		--) set -- "$@" "$a"
			while [ "$n" -gt 0 ]; do set -- "$@" "$1"; shift; n=$((n - 1)); done ;;
		--*) die 2 "unknown option $a for top (see $XK_PROG --help)" ;;
		*) set -- "$@" "$a" ;;
		esac
	done
	while getopts :n:i:bjf:p: opt; do
		case $opt in
		n) count=$OPTARG ;;
		i) interval=$OPTARG ;;
		b) by_bytes=-b ;;
		j) json=-j ;;
		f) case $OPTARG in
			text | json | rules) format=$OPTARG ;;
			*) die 2 "format '$OPTARG' is not text, json or rules" ;;
			esac ;;
		p) l4=${OPTARG%%,*}
			l6=${OPTARG#*,}
			case $OPTARG in
			*,*) max4=32 ;;
			*) max4=128 ;;
			esac
			if ! is_uint "$l4" || ! is_uint "$l6" || [ "${#l4}" -gt 3 ] || [ "${#l6}" -gt 3 ] ||
				[ "$l4" -gt "$max4" ] || [ "$l6" -gt 128 ]; then
				die 2 "prefix '$OPTARG' is not LEN (0 to 128) or LEN4,LEN6 (0 to 32, 0 to 128)"
			fi
			prefix=$OPTARG ;;
		:) die 2 "-$OPTARG needs a value (see $XK_PROG --help)" ;;
		*) die 2 "unknown option -$OPTARG for top (see $XK_PROG --help)" ;;
		esac
	done
	if [ -n "$json" ] && [ -n "$format" ] && [ "$format" != json ]; then
		die 2 "-j and -f $format: choose one format"
	fi
	[ -z "$format" ] || json="-f $format"
	[ -z "$prefix" ] || prefix="-p $prefix"
	if ! is_uint "$count" || [ "$count" -lt 1 ] || [ "$count" -gt 1000000 ]; then
		die 2 "count '$count' is not a number from 1 to 1000000"
	fi
	if ! is_decimal "$interval" || [ "${#interval}" -gt 8 ] || [ "${interval%.*}" -gt 3600 ]; then
		die 2 "interval '$interval' is not a number of seconds from 0 to 3600"
	fi ;;
follow)
	while getopts :j opt; do
		case $opt in
		j) json=-j ;;
		*) die 2 "unknown option -$OPTARG for follow (see $XK_PROG --help)" ;;
		esac
	done ;;
log)
	[ "$#" -eq 1 ] || die 2 "log takes on, off or a number N"
	log=$1
	shift
	OPTIND=1 ;;
status | reset | stop) OPTIND=1 ;;
*) die 2 "unknown command '$cmd': start, stop, status, reset, top, follow or log" ;;
esac
shift $((OPTIND - 1))
[ "$#" -eq 0 ] || die 2 "unexpected argument '$1' (see $XK_PROG --help)"
case $log in
on | off) ;;
*) if ! is_uint "$log" || [ "$log" -lt 1 ]; then
	die 2 "log '$log' is not on, off or a number N >= 1"
fi ;;
esac

need_root
need_tools ip bpftool
need_built "$OBJ"
need_built "$MAP"
need_built "$FOLLOW"
iface_check "$iface"
ifindex=$(iface_index "$iface")

set -- "$(xdp_prog "$iface")"
case $1 in
*" srclog "*) ours=1 ;;
*) ours=0 ;;
esac
current=$1

if [ "$cmd" = start ] && [ "$ours" -eq 0 ] && [ -n "$current" ]; then
	die 3 "$iface already has an XDP program (${current#* }); xdpkit never replaces one"
fi
bpffs_init
if [ "$ours" -eq 0 ] && [ "$cmd" != start ] && [ "$cmd" != stop ]; then
	bpffs_done
	[ "$cmd" != status ] || { echo "srclog not attached to $iface"; exit 1; }
	die 1 "srclog is not running on $iface (start it with: $XK_PROG $iface start)"
fi

case $cmd in
start)
	if [ "$ours" -eq 1 ]; then
		echo "srclog already attached to $iface (prog ${current%% *})"
		"$MAP" log "$XK_PINS" "$log" || die 3 "cannot set the live log in $XK_PINS/srclog_config"
		exit 0
	fi
	# shellcheck disable=SC2086 # one word per pin name
	attach_own "$iface" "$mode" "$OBJ" $PINNED
	if ! "$MAP" log "$XK_PINS" "$log"; then
		# a start that fails leaves nothing behind
		xdp_detach_own "$iface" || true
		# shellcheck disable=SC2086
		pins_release $PINNED
		bpffs_done
		die 3 "cannot set the live log in $XK_PINS/srclog_config"
	fi
	say_attached "$iface" "$(xdp_prog "$iface")"
	;;
stop)
	# shellcheck disable=SC2086
	stop_own "$iface" "$current" srclog $PINNED
	;;
status)
	say_attached "$iface" "$current"
	"$MAP" -I "$ifindex" status "$XK_PINS"
	;;
reset)
	"$MAP" -I "$ifindex" reset "$XK_PINS" || die 3 "cannot reset the maps in $XK_PINS"
	echo "srclog on $iface: sources forgotten, counters zeroed"
	;;
log)
	"$MAP" log "$XK_PINS" "$log" || die 3 "cannot set the live log in $XK_PINS/srclog_config"
	;;
top)
	# shellcheck disable=SC2086 # empty options vanish, the others split
	exec "$MAP" $json $prefix $by_bytes -n "$count" -i "$interval" -I "$ifindex" top "$XK_PINS"
	;;
follow)
	# The reader runs until a signal, or until srclog leaves IFACE.
	# shellcheck disable=SC2086
	"$FOLLOW" $json -i "$iface" "$XK_PINS" &
	reader=$!
	trap 'kill "$reader" 2>/dev/null || true; wait "$reader" 2>/dev/null || true; exit 0' INT TERM HUP
	while kill -0 "$reader" 2>/dev/null; do
		case $(xdp_prog "$iface") in
		*" srclog "*) ;;
		*) kill "$reader" 2>/dev/null || true ;;
		esac
		sleep 0.5
	done
	wait "$reader" || exit $?
	;;
esac
exit 0
