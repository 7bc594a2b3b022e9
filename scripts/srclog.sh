#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# srclog: who is sending to IFACE. Counts every frame's source address in
# XDP, keeps a live log, never touches the traffic.
#
# The functions, then main: arguments, environment, one command.
# shellcheck disable=SC3043 # local: dash, bash and busybox sh all have it
set -eu

usage() {
	usage_named <<'EOF'
usage: srclog.sh IFACE start [-N|-S] [-l on|off|N]
       srclog.sh IFACE top [-n COUNT] [-i SECONDS] [-b] [-j | -f FORMAT]
                           [-p|--prefix LEN[,LEN6]]
       srclog.sh IFACE follow [-j]
       srclog.sh IFACE log on|off|N
       srclog.sh IFACE metrics FILE
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
  metrics  write FILE in the Prometheus text format (for node_exporter's
           textfile collector), atomically: the frame, log and ring
           counters, the number of sources, and IFACE's 10 busiest
           sources by packets (a fixed number: bounded label cardinality)
  status   whether srclog is attached, how many sources it holds, its counters
  reset    forget IFACE's sources and zero the counters
  stop     detach it and remove the pins no program uses any more

Exit: 0 done; 1 srclog is not running on IFACE (status, top, follow, log,
reset, metrics); 2 usage or bad input; 3 environment (root, tools, bpffs,
IFACE busy with another XDP program, FILE not writable).
EOF
}

# shellcheck source-path=SCRIPTDIR source=lib/lib.sh
. "$(dirname -- "$(readlink -f -- "$0")")/lib/lib.sh"

MAP=$XK_LIB/srclog-map
FOLLOW=$XK_LIB/srclog-follow
OBJ=$XK_HOME/xdp/srclog.o
PINNED="srclog_sources srclog_events srclog_config srclog_stats"
ifindex=
READER=           # follow: the pid of srclog-follow

# The options, as parse_args leaves them.
iface=
cmd=
mode=xdp          # ip's keyword: xdp (the kernel chooses), xdpdrv, xdpgeneric
log=on            # start, log: on, off or N (one frame in N)
count=20          # top -n
interval=1        # top -i
by_bytes=         # top -b
json=             # top, follow: -j, or top's -f FORMAT
prefix=           # top: -p LEN[,LEN6]
file=             # metrics FILE

# parse_args ARGS...: IFACE, the command and its options into the
# variables above. Exit 2 on bad input, before anything is touched.
parse_args() {
	local opt val l4 l6 max4 format=
	want_iface_command "a command" "$@"
	iface=$1
	cmd=$2
	shift 2
	OPTIND=1
	case $cmd in
	start)
		while getopts :NSl: opt; do
			case $opt in
			N | S) mode=$(pick_mode "$mode" "$opt") || exit 2 ;;
			l) log=$OPTARG ;;
			:) die 2 "-$OPTARG needs a value (see $XK_PROG --help)" ;;
			*) die 2 "unknown option -$OPTARG for start (see $XK_PROG --help)" ;;
			esac
		done ;;
	top)
		while getopts :n:i:bjf:p:-: opt; do
			if [ "$opt" = - ]; then
				# --prefix and --format: =VALUE, or VALUE as the next word
				case $OPTARG in
				prefix=* | format=*) val=${OPTARG#*=} ;;
				prefix | format)
					[ "$OPTIND" -le "$#" ] || die 2 "--$OPTARG needs a value (see $XK_PROG --help)"
					# the word at OPTIND (a dot keeps its trailing newlines)
					val=$(shift $((OPTIND - 1)) && printf '%s.' "$1")
					val=${val%.}
					OPTIND=$((OPTIND + 1)) ;;
				*) die 2 "unknown option --$OPTARG for top (see $XK_PROG --help)" ;;
				esac
				case $OPTARG in
				prefix*) opt=p ;;
				*) opt=f ;;
				esac
				OPTARG=$val
			fi
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
		shift ;;
	metrics)
		[ "$#" -eq 1 ] || die 2 "metrics takes one FILE"
		file=$1
		shift
		case $file in
		'' | */ | */. | */.. | . | ..) die 2 "metrics: '$file' is not a file name" ;;
		*/*) [ -d "${file%/*}/" ] || die 2 "metrics: no directory ${file%/*}" ;;
		esac ;;
	status | reset | stop) ;;
	*) die 2 "unknown command '$cmd': start, stop, status, reset, top, follow, log or metrics" ;;
	esac
	shift $((OPTIND - 1))
	[ "$#" -eq 0 ] || die 2 "unexpected argument '$1' (see $XK_PROG --help)"
	case $log in
	on | off) ;;
	*) if ! is_uint "$log" || [ "$log" -lt 1 ]; then
		die 2 "log '$log' is not on, off or a number N >= 1"
	fi ;;
	esac
}

# is_ours "ID NAME MODE": whether the program logs sources: srclog.o, or
# srcfilter's srclog_filter.o, which does all srclog.o does.
is_ours() {
	case $1 in
	*" srclog "* | *" srclog_filter "*) return 0 ;;
	esac
	return 1
}

# cmd_start CURRENT: attach and switch the log; on srclog already attached
# (CURRENT, "ID NAME MODE"), only switch the log.
cmd_start() {
	case $1 in
	*" srclog "* | *" srclog_filter "*)
		case $1 in
		*" srclog_filter "*) echo "srclog already runs on $iface, in srcfilter's srclog_filter (prog ${1%% *})" ;;
		*) echo "srclog already attached to $iface (prog ${1%% *})" ;;
		esac
		"$MAP" log "$XK_PINS" "$log" || die 3 "cannot set the live log in $XK_PINS/srclog_config"
		return 0 ;;
	esac
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
}

cmd_stop() {
	case $1 in
	*" srclog_filter "*) die 3 "srclog runs inside srcfilter's program on $iface: 'srcfilter.sh $iface stop' detaches both" ;;
	esac
	# shellcheck disable=SC2086 # one word per pin name
	stop_own "$iface" "$1" srclog $PINNED
}

cmd_status() {
	say_attached "$iface" "$1"
	"$MAP" -I "$ifindex" status "$XK_PINS"
}

cmd_reset() {
	"$MAP" -I "$ifindex" reset "$XK_PINS" || die 3 "cannot reset the maps in $XK_PINS"
	echo "srclog on $iface: sources forgotten, counters zeroed"
}

cmd_log() {
	"$MAP" log "$XK_PINS" "$log" || die 3 "cannot set the live log in $XK_PINS/srclog_config"
}

# cmd_metrics: FILE, replaced at once (scripts/lib/promfile.h).
cmd_metrics() {
	local err
	err=$("$MAP" -I "$ifindex" -L "$iface" metrics "$XK_PINS" "$file" 2>&1) ||
		die 3 "cannot write the metrics of srclog on $iface: ${err#srclog-map: }"
}

cmd_top() {
	# shellcheck disable=SC2086 # empty options vanish, the others split
	exec "$MAP" $json $prefix $by_bytes -n "$count" -i "$interval" -I "$ifindex" top "$XK_PINS"
}

# cmd_follow: the reader runs until a signal, or until srclog leaves IFACE
# (a watch for as long as the reader lives, not a bounded wait).
cmd_follow() {
	# shellcheck disable=SC2086
	"$FOLLOW" $json -i "$iface" "$XK_PINS" &
	READER=$!
	trap 'kill "$READER" 2>/dev/null || true; wait "$READER" 2>/dev/null || true; exit 0' INT TERM HUP
	while kill -0 "$READER" 2>/dev/null; do
		is_ours "$(xdp_prog "$iface")" || kill "$READER" 2>/dev/null || true
		sleep 0.5
	done
	wait "$READER" || exit $?
}

main() {
	local current
	parse_args "$@"
	need_root
	need_tools ip bpftool jq
	need_built "$OBJ"
	need_built "$MAP"
	need_built "$FOLLOW"
	iface_check "$iface"
	ifindex=$(iface_index "$iface")
	current=$(xdp_prog "$iface")
	if [ -n "$current" ] && ! is_ours "$current" && [ "$cmd" = start ]; then
		die 3 "$iface already has an XDP program (${current#* }); xdpkit never replaces one"
	fi
	bpffs_init
	# only start and stop have something to do where srclog is not
	if ! is_ours "$current" && [ "$cmd" != start ] && [ "$cmd" != stop ]; then
		bpffs_done
		[ "$cmd" != status ] || { echo "srclog not attached to $iface"; exit 1; }
		die 1 "srclog is not running on $iface (start it with: $XK_PROG $iface start)"
	fi
	"cmd_$cmd" "$current"
}

main "$@"
