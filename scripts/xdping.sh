#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# xdping: ICMP echo round-trip times measured in XDP, beside ping's own.
#
# Read from the bottom: main runs the README's steps 1 to 9 in order, one
# function each; the functions above it are in the same order.
# shellcheck disable=SC3043 # local: dash, bash and busybox sh all have it
set -eu

usage() {
	usage_named <<'EOF'
usage: xdping.sh [-c count] [-s size] [-i interval] [-W seconds] [-N|-S] [-4|-6]
                 [-j|--jsonl] [--prom FILE] [--every SECONDS [--rounds N]]
                 IFACE HOST...
       xdping.sh --cleanup IFACE

Attaches xdp/xdping_client.o to IFACE, runs ping to every HOST (IPv4 or
IPv6 address, or name) through IFACE, then lets one echo exchange per HOST
bounce COUNT times in XDP and prints the XDP round trips beside ping's.

  -c count     samples per HOST, 1..1024 (default 4); ping sends as many
  -s size      ICMP payload bytes, 0..MTU-28 (IPv6: MTU-48) (default 56)
  -i interval  seconds between ping's requests (default 1)
  -W seconds   how long to wait for an answer (default 2)
  -N | -S      attach in native (driver) or generic (skb) mode, and keep
               to it; default: the kernel chooses, and xdping switches to
               generic when native bounces never come back but ping's do
  -4 | -6      resolve names to IPv4 or IPv6 only (default: as ping does)
  -j, --json   one JSON document on stdout, times in integer ns
  --jsonl      one JSON object per sample and line, for log shippers
  --prom FILE  write the metrics (Prometheus text format, for node_exporter's
               textfile collector) to FILE, atomically: after the run, or
               after every round with --every
  --every SECONDS
               keep attached and run a round to every HOST every SECONDS
               (at once when a round takes longer), each one reported as a
               single run is; histograms and counters add up across rounds.
               Ends on SIGINT, SIGTERM or SIGHUP (exit 0), cleaning up as a
               single run does
  --rounds N   with --every: stop after N rounds
  --cleanup    detach an xdping_client left on IFACE by a killed run and
               remove its map entries, temporary files and pings

Exit: 0 every XDP sample and every ping reply arrived (--every: stopped
by a signal, or --rounds ran with nothing lost); 1 something asked for
did not arrive (what did is printed, and 'lost' says what did not);
2 usage or bad input; 3 environment (root, tools, bpffs, IFACE busy, FILE
not writable).
EOF
}

# shellcheck source-path=SCRIPTDIR source=lib/lib.sh
. "$(dirname -- "$(readlink -f -- "$0")")/lib/lib.sh"

MAP=$XK_LIB/xdping-map
OBJ=$XK_HOME/xdp/xdping_client.o

# The options, as parse_args leaves them.
count=4
size=56
interval=1
wait_s=2
mode=xdp          # ip's keyword: xdp (the kernel chooses), xdpdrv, xdpgeneric
force=            # 4 or 6: resolve names to that family only
format=text       # text, json or jsonl
cleanup_only=0
iface=
prom=             # --prom FILE
every=            # --every SECONDS
rounds=           # --rounds N (with --every)

# The run.
ifindex=
RUNS=             # the pinned runs map
tmp=              # the run's directory: owner, pids, ping.N, report
shown=            # the mode the program runs in: native, generic, offload
mode_reason=
mode_note=
ping_failed=0
stall_ms=
give_up_ms=

# Per-target state: TARGETS holds one line per HOST, in the user's order,
#
#   N HOST ADDR ID STATE SEEN CHANGED KICKED RESTARTS
#
# N counts from 1 (ping's output goes to $tmp/ping.N); ADDR is what HOST
# resolved to; ID the run's echo identifier (- until seeded); STATE new,
# probe (being asked whether it answers; ID is the ping's pid), dead (it
# never answered), run (seeded), chain (being measured) or done;
# SEEN the samples at the last look, CHANGED (ms) when SEEN last grew,
# KICKED (ms) when the last carrier went out, RESTARTS the carriers after
# the first. A variable rather than a file per field: every field is one
# word, and for_targets below is the one place that walks it.
TARGETS=
NTARGETS=0
NL='
'

# for_targets FUNC: calls FUNC N HOST ADDR ID STATE SEEN CHANGED KICKED
# RESTARTS for each target, in order. FUNC changes a target by setting ROW
# to its new line; the table is whole again after each call, so the exit
# trap always sees every run seeded so far.
for_targets() {
	local rest="$TARGETS" before='' row
	while [ -n "$rest" ]; do
		row=${rest%%"$NL"*}
		rest=${rest#*"$NL"}
		ROW=$row
		# shellcheck disable=SC2086 # a row is words
		"$1" $row
		before=$before$ROW$NL
		TARGETS=$before$rest
	done
}

# -- step 1: arguments, environment, targets ---------------------------

# parse_args ARGS...: the options into the variables above, IFACE into
# iface; OPTIND is left at the first HOST. Exit 2 on bad input.
parse_args() {
	local opt arg n=0
	# --cleanup IFACE is a mode of its own: nothing else goes with it.
	for arg in "$@"; do
		if [ "$arg" = --cleanup ]; then
			cleanup_only=1
		else
			n=$((n + 1))
			iface=$arg
		fi
	done
	if [ "$cleanup_only" -eq 1 ]; then
		[ "$n" -eq 1 ] || die 2 "usage: $XK_PROG --cleanup IFACE"
		OPTIND=$(($# + 1))
		return 0
	fi
	OPTIND=1
	while getopts :c:s:i:W:NS46jh-: opt; do
		if [ "$opt" = - ]; then
			case $OPTARG in
			json) opt=j ;;
			jsonl) opt=J ;;
			help) opt=h ;;
			prom | prom=* | every | every=* | rounds | rounds=*)
				# =VALUE, or VALUE as the next word
				case $OPTARG in
				*=*) arg=${OPTARG#*=} ;;
				*)
					[ "$OPTIND" -le "$#" ] || die 2 "--$OPTARG needs a value (see $XK_PROG --help)"
					arg=$(shift $((OPTIND - 1)) && printf '%s.' "$1")
					arg=${arg%.}
					OPTIND=$((OPTIND + 1)) ;;
				esac
				case $OPTARG in
				prom*) prom=$arg ;;
				every*) every=$arg ;;
				*) rounds=$arg ;;
				esac
				continue ;;
			*) die 2 "unknown option --$OPTARG (see $XK_PROG --help)" ;;
			esac
		fi
		case $opt in
		c) count=$OPTARG ;;
		s) size=$OPTARG ;;
		i) interval=$OPTARG ;;
		W) wait_s=$OPTARG ;;
		N | S) mode=$(pick_mode "$mode" "$opt") || exit 2 ;;
		4 | 6)
			[ -z "$force" ] || die 2 "-4 and -6 exclude each other"
			force=$opt ;;
		j | J)
			[ "$format" = text ] || die 2 "-j and --jsonl exclude each other"
			if [ "$opt" = j ]; then format=json; else format=jsonl; fi ;;
		h) usage; exit 0 ;;
		:) die 2 "-$OPTARG needs a value (see $XK_PROG --help)" ;;
		*) die 2 "unknown option -$OPTARG (see $XK_PROG --help)" ;;
		esac
	done
	shift $((OPTIND - 1))
	[ "$#" -ge 2 ] || die 2 "expected IFACE and at least one HOST (see $XK_PROG --help)"
	[ "$#" -le 257 ] || die 2 "$(($# - 1)) targets: the runs map holds 256"
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
	if [ -n "$every" ] && { ! is_positive "$every" || [ "${#every}" -gt 8 ] ||
		[ "${every%.*}" -gt 86400 ]; }; then
		die 2 "--every '$every' is not a positive number of seconds up to 86400"
	fi
	if [ -n "$rounds" ]; then
		[ -n "$every" ] || die 2 "--rounds goes with --every"
		if ! is_uint "$rounds" || [ "$rounds" -lt 1 ]; then
			die 2 "--rounds '$rounds' is not a number from 1"
		fi
	fi
	case $prom in
	*/ | */. | */.. | . | ..) die 2 "--prom '$prom' is not a file name" ;;
	*/*) [ -d "${prom%/*}/" ] || die 2 "--prom '$prom': no directory ${prom%/*}" ;;
	esac
	iface=$1
	OPTIND=$((OPTIND + 1))
}

# check_env: root, the tools, what make builds, and IFACE.
check_env() {
	need_root
	need_tools ip bpftool ping getent jq
	need_built "$MAP"
	need_built "$OBJ"
	iface_check "$iface"
	ifindex=$(iface_index "$iface")
	case $prom in
	'') ;;
	*/*) [ -w "${prom%/*}/" ] || die 3 "--prom: cannot write in ${prom%/*}" ;;
	*) [ -w . ] || die 3 "--prom: cannot write in $(pwd)" ;;
	esac
}

# resolve HOST: prints "FAMILY ADDRESS" (FAMILY 4 or 6) as ping would
# resolve HOST, or exits 2.
resolve() {
	local addr db
	case $1 in
	-* | '' | *[!A-Za-z0-9._:%-]*) die 2 "'$1' is not a host" ;;
	esac
	if is_ipv4 "$1"; then
		[ "$force" != 6 ] || die 2 "-6 with the IPv4 address $1"
		echo "4 $1"
		return 0
	fi
	case $1 in
	*:*)
		[ "$force" != 4 ] || die 2 "-4 with the IPv6 address $1"
		addr=$("$MAP" canon "${1%%%*}" 2>/dev/null) || addr=
		[ -n "$addr" ] || die 2 "'$1' is not an IPv6 address"
		echo "6 ${addr#6 }"
		return 0 ;;
	esac
	case $force in
	4) db=ahostsv4 ;;
	6) db=ahostsv6 ;;
	*) db=ahosts ;;
	esac
	addr=$(getent "$db" -- "$1" 2>/dev/null | awk 'NR == 1 { print $1 }')
	case $addr in
	'' | ::ffff:*.*) die 2 "'$1' does not resolve${force:+ to an IPv$force address}" ;;
	*:*) echo "6 $addr" ;;
	*) echo "4 $addr" ;;
	esac
}

# add_targets HOST...: resolves each HOST, checks that SIZE fits IFACE for
# it, and fills TARGETS.
add_targets() {
	local mtu host found room n=0
	mtu=$(iface_mtu "$iface")
	for host in "$@"; do
		# resolve dies in its subshell: exit with its code
		found=$(resolve "$host") || exit
		case $found in
		4*) room=$((mtu - 28)) ;;
		6*) room=$((mtu - 48))
			[ -n "$(ip -j -6 addr show dev "$iface" 2>/dev/null |
				jq -r '.[].addr_info[]?.local')" ] ||
				die 2 "$iface has no IPv6 address, so it cannot reach $host" ;;
		esac
		[ "$size" -le "$room" ] ||
			die 2 "size $size does not fit $iface unfragmented (MTU $mtu: at most $room for $host)"
		n=$((n + 1))
		TARGETS="$TARGETS$n $host ${found#? } - new 0 0 0 0$NL"
	done
	NTARGETS=$n
}

# refuse_busy: exit 3 when IFACE has an XDP program already; never replace one.
refuse_busy() {
	set -- "$(xdp_prog "$iface")"
	case $1 in
	"") ;;
	*" xdping_client "*) die 3 "$iface: another xdping run is in progress (prog ${1%% *}); wait for it, or '$XK_PROG --cleanup $iface' if it was killed" ;;
	*) die 3 "$iface already has an XDP program (${1#* }); xdpkit never replaces one" ;;
	esac
}

# -- step 2: the bpffs, and the run's own directory --------------------

# open_run: the bpffs, the exit trap (step 9), and the run's directory.
open_run() {
	bpffs_init
	RUNS=$XK_PINS/xdping_runs
	trap on_exit EXIT
	if [ -n "$every" ]; then
		# the way to stop a continuous probe: not an error
		trap 'exit 0' HUP INT TERM
	else
		trap 'exit 129' HUP
		trap 'exit 130' INT
		trap 'exit 143' TERM
	fi
	pins_snapshot xdping_runs xdping_stats
	tmp=$(mktemp -d "${TMPDIR:-/tmp}/xdping.XXXXXX")
	: >"$tmp/pids"
	# whose it is, for --cleanup after a SIGKILL
	printf '%s %s %s\n' "$$" "$iface" "$(readlink /proc/self/ns/net)" >"$tmp/owner"
}

# spawn CMD...: CMD in the background, its pid in $last_pid and in the
# run's pid list (which the exit trap and --cleanup kill).
last_pid=
spawn() {
	"$@" &
	last_pid=$!
	echo "$last_pid" >>"$tmp/pids"
}

# now_ms: milliseconds of the wall clock.
now_ms() {
	local t
	t=$(date +%s%N)
	echo "$((t / 1000000))"
}

# -- step 3: attach ----------------------------------------------------

attach() {
	xdp_attach "$iface" "$mode" "$OBJ"
	set -- "$(xdp_prog "$iface")"
	shown=$(mode_name "${1##* }")
	case $mode in
	xdpdrv) mode_reason="asked for (-N)" ;;
	xdpgeneric) mode_reason="asked for (-S)" ;;
	*) mode_reason="the kernel's choice" ;;
	esac
}

# -- step 4: wait until each HOST answers (no fixed sleep) -------------

# Every HOST gets the whole window, at the same time: one ping each, five
# requests a second until the first reply or the deadline (-W + 3 s), so a
# lossy path costs a few requests, and a dead HOST never eats the time of
# the HOSTs after it.

ANSWER_BY=        # the deadline of step 4 (ms)

# ask ADDR: a ping in the background that stops at ADDR's first reply
# through IFACE, or at the deadline.
ask() {
	local left=$((ANSWER_BY - $(now_ms)))
	spawn ping -n -q -c 1 -i 0.2 -w "$(((left + 999) / 1000))" -I "$iface" "$1" >/dev/null 2>&1
}

# probe N HOST ADDR ...: starts asking ADDR; the ping's pid waits in the
# ID field, STATE probe.
probe() {
	ask "$3"
	ROW="$1 $2 $3 $last_pid probe $6 $7 $8 $9"
}

# answers N HOST ADDR PID ...: whether ADDR answered; a HOST that did not
# by the deadline is dead (with one HOST: exit 1).
answers() {
	local pid="$4" rc=0
	while ! wait "$pid"; do
		# ping also stops at an error before the deadline (a neighbour
		# that did not resolve, when a lossy path ate the answers): ask
		# again while a second is left
		[ $((ANSWER_BY - $(now_ms))) -ge 1200 ] || { rc=1; break; }
		sleep 0.2
		ask "$3"
		pid=$last_pid
	done
	if [ "$rc" -eq 0 ]; then
		ROW="$1 $2 $3 - new $6 $7 $8 $9"
		return 0
	fi
	[ "$NTARGETS" -gt 1 ] || [ -n "$every" ] || die 1 "$2 ($3) does not answer through $iface"
	warn "$2 ($3) does not answer through $iface"
	ROW="$1 $2 $3 - dead $6 $7 $8 $9"
}

# -- step 5: seed a run per HOST, each with its own echo identifier ----

# seed N HOST ADDR ...: a run for ADDR with a random identifier; noexist
# makes two runs never share one, and ping's own requests carry another.
seed() {
	local id i=0
	[ "$5" = new ] || return 0
	until id=$(rand16) && "$MAP" seed "$RUNS" "$ifindex" "$3" "$id" "$count" 2>/dev/null; do
		i=$((i + 1))
		[ "$i" -lt 5 ] || die 3 "cannot add a run to $RUNS"
	done
	ROW="$1 $2 $3 $id run $6 $7 $8 $9"
}

# -- step 6: ping every HOST at once -----------------------------------

ping_pids=

# start_ping N HOST ADDR ID STATE ...: ping's own run to ADDR, with an
# identifier XDP never takes.
start_ping() {
	local stamp=
	[ "$5" = run ] || return 0
	[ "$format" != jsonl ] || stamp=-D
	spawn ping -n ${stamp:+"$stamp"} -c "$count" -s "$size" -i "$interval" -W "$wait_s" \
		-e "$(($4 % 65535 + 1))" -I "$iface" "$3" >"$tmp/ping.$1" 2>&1
	ping_pids="$ping_pids $last_pid"
	# with one HOST, its output shows as it comes
	if [ "$1" -eq 1 ] && [ "$format" = text ] && [ "$NTARGETS" -eq 1 ]; then
		tail -n +1 -s 0.1 -f --pid="$last_pid" "$tmp/ping.1" &
		echo "$!" >>"$tmp/pids"
	fi
}

# pings_done: waits for every ping; ping_failed=1 when one failed.
pings_done() {
	local pid
	for pid in $ping_pids; do
		wait "$pid" || ping_failed=1
	done
	wait
}

# -- step 7: the chains, measured in XDP -------------------------------

# carrier N HOST ADDR ID: one request with the run's identifier; XDP
# bounces its reply COUNT times.
carrier() {
	spawn ping -n -c 1 -s "$size" -e "$4" -W "$wait_s" -I "$iface" "$3" >/dev/null 2>&1
}

# start_chain N HOST ADDR ID STATE ...: the first carrier of a seeded
# run; after a switch of mode, a chain being measured starts again from
# nothing (no samples, no restarts).
start_chain() {
	local now
	case $5 in
	run | chain) ;;
	*) return 0 ;;
	esac
	now=$(now_ms)
	carrier "$@"
	ROW="$1 $2 $3 $4 chain 0 $now $now 0"
}

SWITCH=0          # poll_chain found native XDP_TX going nowhere
PENDING=0         # poll_chain found a chain still going

# poll_chain N HOST ADDR ID STATE SEEN CHANGED KICKED RESTARTS: one look
# at a chain. A chain that stalls (a frame lost) is restarted by another
# carrier, whose reply starts a fresh chain in XDP, until no sample has
# come for -W seconds.
poll_chain() {
	local state done_n chains_n now seen="$6" changed="$7" kicked="$8" restarts="$9"
	[ "$5" = chain ] || return 0
	now=$(now_ms)
	# complete (exit 0), or gone from the map (no output): done polling
	if state=$("$MAP" state "$RUNS" "$ifindex" "$3" "$4" 2>/dev/null) ||
		[ -z "$state" ]; then
		ROW="$1 $2 $3 $4 done $6 $7 $8 $9"
		return 0
	fi
	read -r done_n _ chains_n <<-EOF
	$state
	EOF
	if [ "$done_n" != "$seen" ]; then
		seen=$done_n
		changed=$now
		kicked=$now
	elif [ $((now - changed)) -ge "$give_up_ms" ]; then
		ROW="$1 $2 $3 $4 done $6 $7 $8 $9"
		return 0
	elif [ $((now - kicked)) -ge "$stall_ms" ]; then
		# Two chains started and not one bounce came back, while
		# ping's replies did: native XDP_TX goes nowhere here.
		if [ "$mode" = xdp ] && [ "$shown" = native ] && [ "$done_n" -eq 0 ] &&
			[ "$chains_n" -ge 2 ] && grep -q ' time=' "$tmp/ping.$1"; then
			SWITCH=1
		fi
		carrier "$@"
		restarts=$((restarts + 1))
		kicked=$now
	fi
	ROW="$1 $2 $3 $4 chain $seen $changed $kicked $restarts"
	PENDING=1
}

# switch_generic: with no mode asked for, native XDP_TX frames that never
# come back (a veth whose peer has no XDP program drops them) make us
# reattach in generic mode, once.
switch_generic() {
	xdp_detach_own "$iface" || die 3 "could not detach our program from $iface to switch to generic mode"
	xdp_attach "$iface" xdpgeneric "$OBJ"
	shown=generic
	mode_reason="switched from native: the first bounce never came back while ping's replies did"
	mode_note=" (switched from native: XDP_TX frames never came back)"
	if [ "$(iface_kind "$iface")" = veth ]; then
		mode_reason="$mode_reason (a veth drops native XDP_TX unless its peer has an XDP program)"
	fi
	for_targets start_chain
}

# measure: every chain, until each is complete, gone, or given up.
measure() {
	stall_ms=$(cat "$tmp"/ping.* 2>/dev/null | awk '
		/ time=/ { sub(/.* time=/, ""); if ($1 > max) max = $1 }
		END { ms = int(max * 4); print (ms > 200 ? ms : 200) }')
	give_up_ms=$(awk -v w="$wait_s" 'BEGIN { print int(w * 1000) }')
	for_targets start_chain
	while :; do
		PENDING=0
		SWITCH=0
		for_targets poll_chain
		[ "$SWITCH" -eq 0 ] || switch_generic
		[ "$PENDING" -eq 1 ] || break
		sleep 0.05
	done
}

# -- step 8: the report ------------------------------------------------

FAILED=0
FIRST=1

# report_target N HOST ADDR ID STATE ...: ping's block, the XDP samples
# and the summary of one target; each one appears, whatever happened to it.
report_target() {
	local rc=0
	if [ "$4" = - ]; then
		FAILED=1
		[ -z "$prom" ] || "$MAP" -c "$count" -H "$2" -P "$tmp/prom.$1" missed "$3" 2>"$tmp/err" ||
			die 3 "cannot keep the metrics of $2: $(helper_error)"
		[ "$format" != json ] || {
			[ "$FIRST" -eq 1 ] || printf ', '
			printf '{"host": "%s", "address": "%s", "error": "no answer", "lost": %s}' \
				"$2" "$3" "$((2 * count))"
			FIRST=0
		}
		return 0
	fi
	if [ "$format" = text ]; then
		[ "$NTARGETS" -eq 1 ] || cat "$tmp/ping.$1"
		printf '\nXDPING %s (%s) via %s, %s mode%s, echo id %s\n' "$2" "$3" "$iface" \
			"$shown" "$mode_note" "$4"
		if [ "$9" -gt 0 ]; then
			echo "(the chain stalled and was restarted $9 times)"
		fi
	fi
	[ "$format" != json ] || [ "$FIRST" -eq 1 ] || printf ', '
	FIRST=0
	"$MAP" -f "$format" -p "$tmp/ping.$1" -H "$2" -I "$iface" -c "$count" \
		${prom:+-P "$tmp/prom.$1"} report "$RUNS" "$ifindex" "$3" "$4" >"$tmp/report" \
		2>"$tmp/err" || rc=$?
	[ "$rc" -le 1 ] || die 3 "cannot report on $2 ($3): $(helper_error)"
	cat "$tmp/err" >&2
	[ "$rc" -eq 0 ] || FAILED=1
	if [ "$format" = json ]; then tr -d '\n' <"$tmp/report"; else cat "$tmp/report"; fi
	[ "$format" != text ] || [ "$NTARGETS" -eq 1 ] || echo
}

# report: every target, then the exit status (1 when anything asked for
# did not arrive).
report() {
	FAILED=$ping_failed
	FIRST=1
	[ "$format" != json ] ||
		printf '{"interface": "%s", "mode": "%s", "mode_reason": "%s", "count": %s, "size": %s, "targets": [' \
			"$iface" "$shown" "$mode_reason" "$count" "$size"
	for_targets report_target
	[ "$format" != json ] || printf ']}\n'
	if [ "$FAILED" -eq 1 ] && [ "$shown" = native ] && [ "$(iface_kind "$iface")" = veth ]; then
		warn "hint: in native mode a veth drops XDP_TX frames unless its peer has an XDP program; attach xdp/pass.o there, or use -S"
	fi
	if [ "$FAILED" -ne 0 ]; then
		warn "not every sample or reply asked for arrived in time"
		return 1
	fi
}

# prom_state N ...: the metrics state of target N, for write_prom.
STATES=
prom_state() {
	STATES="$STATES $tmp/prom.$1"
}

# write_prom: --prom FILE from every target's state (each round adds to
# it: scripts/lib/xdping-map, report -P), replaced at once.
write_prom() {
	[ -n "$prom" ] || return 0
	STATES=
	for_targets prom_state
	# shellcheck disable=SC2086 # one word per state file (mktemp -d: no blanks)
	"$MAP" -I "$iface" -m "$shown" prom "$prom" $STATES 2>"$tmp/err" ||
		die 3 "metrics to $prom: $(helper_error)"
}

# helper_error: why the helper failed, from its one line in $tmp/err
# (without its name: ours leads the line).
helper_error() {
	local line
	line=$(tail -n 1 "$tmp/err")
	printf '%s\n' "${line#xdping-map: }"
}

# -- --every: one round after another ----------------------------------

# renew N HOST ADDR ...: a target as it was before its first round.
renew() {
	ROW="$1 $2 $3 - new 0 0 0 0"
}

# ours PID: PID is a child of this shell, not reaped yet (a pid reaped
# rounds ago may be another process's by now).
ours() {
	local st
	[ -r "/proc/$1/stat" ] && read -r st 2>/dev/null <"/proc/$1/stat" || return 1
	# after "PID (COMM) ": the state, then the parent's pid (numbers and
	# a letter: nothing to glob)
	# shellcheck disable=SC2086
	set -- ${st##*) }
	[ "${2:-}" = "$$" ]
}

# next_round START_MS: the end of a round: its runs deleted, what it
# started stopped and reaped (so nothing grows from round to round), then
# a wait until SECONDS after START_MS, which a signal cuts short.
next_round() {
	local pid left
	for_targets delete_run
	for_targets renew
	while read -r pid; do
		! ours "$pid" || kill "$pid" 2>/dev/null || true
	done <"$tmp/pids"
	wait
	: >"$tmp/pids"
	ping_pids=
	ping_failed=0
	left=$(awk -v e="$every" -v s="$1" -v n="$(now_ms)" 'BEGIN { l = s + e * 1000 - n; if (l > 0) printf "%.3f", l / 1000; else print 0 }')
	[ "$left" = 0 ] && return 0
	spawn sleep "$left"
	wait "$last_pid" || true
}

# -- step 9: leave nothing behind ---------------------------------------

# delete_run N HOST ADDR ID STATE: the run of a target, if it was seeded
# (before that, ID is - or, while probing, a ping's pid).
delete_run() {
	case $5 in
	run | chain | done) "$MAP" delete "$RUNS" "$ifindex" "$3" "$4" 2>/dev/null || true ;;
	esac
}

# cleanup: our processes, runs, program and pins, the bpffs if we mounted
# it, the run's directory; whatever the way the script ends.
cleanup() {
	local pid
	if [ -n "$tmp" ] && [ -f "$tmp/pids" ]; then
		while read -r pid; do
			kill "$pid" 2>/dev/null || true
		done <"$tmp/pids"
		for_targets delete_run
	fi
	xdp_detach_own "$iface" || warn "could not detach our program from $iface"
	pins_release xdping_runs xdping_stats
	bpffs_done
	[ -z "$tmp" ] || rm -rf -- "$tmp"
}

# shellcheck disable=SC2317 # run from the trap
on_exit() {
	local rc="$?"
	trap - EXIT
	# every step of the cleanup, whatever one of them returns
	set +e
	cleanup
	exit "$rc"
}

# purge_tmp: the directories of xdping runs on IFACE, in this network
# namespace, whose process is gone (killed with SIGKILL), with the pings
# they left running.
purge_tmp() {
	local mine t o_pid o_iface o_ns pid
	mine=$(readlink /proc/self/ns/net)
	for t in "${TMPDIR:-/tmp}"/xdping.*; do
		if [ ! -d "$t" ] || [ -L "$t" ] || [ ! -O "$t" ] || [ ! -f "$t/owner" ] ||
			! read -r o_pid o_iface o_ns <"$t/owner" ||
			[ "$o_iface" != "$iface" ] || [ "$o_ns" != "$mine" ]; then
			continue
		fi
		if [ -r "/proc/$o_pid/cmdline" ] &&
			tr '\0' ' ' <"/proc/$o_pid/cmdline" | grep -q 'xdping'; then
			continue
		fi
		if [ -f "$t/pids" ]; then
			while read -r pid; do
				[ -r "/proc/$pid/cmdline" ] || continue
				case $(tr '\0' ' ' <"/proc/$pid/cmdline") in
				"ping "*" -I $iface "* | "tail "*"$t/"*) kill "$pid" 2>/dev/null || true ;;
				esac
			done <"$t/pids"
		fi
		rm -rf -- "$t"
	done
}

# cleanup_killed: --cleanup IFACE, what step 9 would have done for a run
# killed with SIGKILL.
cleanup_killed() {
	purge_tmp
	bpffs_init
	RUNS=$XK_PINS/xdping_runs
	if [ -e "$RUNS" ]; then
		"$MAP" purge "$RUNS" "$ifindex" || die 3 "cannot remove the runs of $iface from $RUNS"
	fi
	stop_own "$iface" "$(xdp_prog "$iface")" xdping_client xdping_runs xdping_stats
	echo "$iface: clean"
}

# -- main: the README's steps 1 to 9 ------------------------------------

main() {
	parse_args "$@"                 # 1. arguments,
	shift $((OPTIND - 1))
	check_env                       #    environment,
	if [ "$cleanup_only" -eq 1 ]; then
		cleanup_killed
		exit 0
	fi
	add_targets "$@"                #    and every HOST resolved
	refuse_busy
	open_run                        # 2. the bpffs (9. the exit trap)
	attach                          # 3. xdping_client.o on IFACE
	local n=0 start rc=0
	while :; do
		start=$(now_ms)
		ANSWER_BY=$((start + ${wait_s%.*} * 1000 + 3000))
		for_targets probe       # 4. each HOST answers,
		for_targets answers     #    all asked at once
		for_targets seed        # 5. a run per HOST
		for_targets start_ping  # 6. ping's own view
		pings_done
		measure                 # 7. the chains in XDP
		report || rc=1          # 8. the report (and the metrics);
		write_prom
		n=$((n + 1))
		[ -n "$every" ] || break
		[ -z "$rounds" ] || [ "$n" -lt "$rounds" ] || break
		next_round "$start"     #    with --every, again
	done
	return "$rc"                # 9. on exit
}

main "$@"
