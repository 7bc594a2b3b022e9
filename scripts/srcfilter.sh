#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# srcfilter: drops, in XDP, the frames of IFACE whose source address is in
# a drop rule's prefix; counts what count rules match; an allow rule wins
# over every drop rule. Rules are per interface, counted one by one.
#
# The functions, then main: arguments, environment, one command.
# shellcheck disable=SC3043 # local: dash, bash and busybox sh all have it
set -eu

usage() {
	usage_named <<'EOF'
usage: srcfilter.sh IFACE start [-N|-S] [-l]
       srcfilter.sh IFACE add [-a drop|count|allow] [--force] PREFIX...
       srcfilter.sh IFACE load [-a drop|count|allow] [--force] FILE|-
       srcfilter.sh IFACE del PREFIX...
       srcfilter.sh IFACE list [-j] | stats [-j] | save | status | flush | stop
       srcfilter.sh IFACE apply --confirm SECONDS [--force] FILE|-
       srcfilter.sh IFACE confirm

  start    attach xdp/srcfilter.o to IFACE (-N native, -S generic; default:
           the kernel chooses); -l attaches xdp/srclog_filter.o instead,
           which also does all srclog does, live log on (srclog.sh works
           with it, and its log marks the frames dropped)
  add      rules for each PREFIX (ADDRESS[/LEN], IPv4 or IPv6), with the
           action -a (default drop); an existing rule takes the new action
           and keeps its counters. A drop rule for 0.0.0.0/0 or ::/0 needs
           --force
  load     the rules of FILE (- reads stdin): one a line, 'PREFIX
           [ACTION]', '#' comments; -a is the action of lines with none.
           Every line is checked first: a bad one changes nothing
  del      remove the rules of each PREFIX
  list     the rules with packets, bytes and seconds since the last hit;
           -j: a JSON array
  save     the rules in load's format (a backup: 'save > FILE', 'load FILE')
  stats    IFACE's totals: XDP_PASS, XDP_DROP, and why (not IP,
           malformed, unmatched, allowed, counted, dropped); -j: JSON
  status   whether srcfilter is attached, its rules, a pending apply
  flush    remove every rule of IFACE
  apply    make IFACE's rules exactly FILE's, and put the previous ones
           back after SECONDS unless 'confirm' comes first: a rule that
           cuts off your own session undoes itself
  confirm  keep the rules of the pending apply
  stop     remove IFACE's rules, detach the program, remove the pins no
           program uses any more

Exit: 0 done; 1 srcfilter is not running on IFACE, or no apply is pending
(confirm); 2 usage or bad input; 3 environment (root, tools, bpffs, IFACE
busy with another XDP program).
EOF
}

# shellcheck source-path=SCRIPTDIR source=lib/lib.sh
. "$(dirname -- "$(readlink -f -- "$0")")/lib/lib.sh"

MAP=$XK_LIB/srcfilter-map
PINNED="srcfilter_rules4 srcfilter_rules6 srcfilter_allow4 srcfilter_allow6 srcfilter_hits srcfilter_stats"
LOG_PINNED="srclog_sources srclog_events srclog_config srclog_stats"
# Where a pending apply keeps the rules it replaced and its timer.
RUN_DIR=${XDPKIT_RUN_DIR:-/run/xdpkit}
ifindex=
pending=          # this interface's pending-apply directory

# The options, as parse_args leaves them.
iface=
cmd=
mode=xdp          # ip's keyword: xdp (the kernel chooses), xdpdrv, xdpgeneric
with_log=         # start -l
action=drop       # add, load -a
force=            # add, load, apply --force: -f for the map helper
json=             # list, stats -j
confirm_s=        # apply --confirm SECONDS
file=             # load, apply FILE
prefixes=         # add, del: the count of PREFIX words left in "$@"

# parse_args ARGS...: IFACE, the command and its options into the
# variables above; the PREFIX words stay for main. Exit 2 on bad input,
# before anything is touched.
parse_args() {
	local opt
	want_iface_command "a command" "$@"
	iface=$1
	cmd=$2
	shift 2
	OPTIND=1
	case $cmd in
	start)
		while getopts :NSl opt; do
			case $opt in
			N | S) mode=$(pick_mode "$mode" "$opt") || exit 2 ;;
			l) with_log=1 ;;
			*) die 2 "unknown option -$OPTARG for start (see $XK_PROG --help)" ;;
			esac
		done ;;
	add | load | apply)
		while getopts :a:-: opt; do
			if [ "$opt" = - ]; then
				case $OPTARG in
				force) opt=f ;;
				confirm=*) opt=c
					OPTARG=${OPTARG#*=} ;;
				confirm)
					[ "$OPTIND" -le "$#" ] || die 2 "--confirm needs a number of seconds"
					opt=c
					OPTARG=$(shift $((OPTIND - 1)) && printf '%s' "$1")
					OPTIND=$((OPTIND + 1)) ;;
				*) die 2 "unknown option --$OPTARG for $cmd (see $XK_PROG --help)" ;;
				esac
			fi
			case $opt in
			a) case $OPTARG in
				drop | count | allow) action=$OPTARG ;;
				*) die 2 "action '$OPTARG' is not drop, count or allow" ;;
				esac ;;
			f) force=-f ;;
			c) [ "$cmd" = apply ] || die 2 "--confirm is apply's (see $XK_PROG --help)"
				confirm_s=$OPTARG ;;
			:) die 2 "-$OPTARG needs a value (see $XK_PROG --help)" ;;
			*) die 2 "unknown option -$OPTARG for $cmd (see $XK_PROG --help)" ;;
			esac
		done ;;
	list | stats)
		while getopts :j opt; do
			case $opt in
			j) json=-j ;;
			*) die 2 "unknown option -$OPTARG for $cmd (see $XK_PROG --help)" ;;
			esac
		done ;;
	del | save | status | flush | stop | confirm | _rollback) ;;
	*) die 2 "unknown command '$cmd': start, add, load, del, list, save, stats, status, flush, apply, confirm or stop" ;;
	esac
	shift $((OPTIND - 1))
	case $cmd in
	add | del)
		[ "$#" -ge 1 ] || die 2 "$cmd needs at least one PREFIX"
		prefixes=$#
		for opt in "$@"; do
			case $opt in
			-*) die 2 "'$opt' after a PREFIX: options go before the prefixes (see $XK_PROG --help)" ;;
			esac
		done ;;
	load | apply)
		[ "$#" -eq 1 ] || die 2 "$cmd takes one FILE (- for stdin)"
		file=$1 ;;
	*) [ "$#" -eq 0 ] || die 2 "unexpected argument '$1' (see $XK_PROG --help)" ;;
	esac
	if [ "$cmd" = apply ]; then
		[ -n "$confirm_s" ] || die 2 "apply needs --confirm SECONDS: the rules come back unless confirmed"
		if ! is_uint "$confirm_s" || [ "${#confirm_s}" -gt 5 ] || [ "$confirm_s" -lt 5 ] ||
			[ "$confirm_s" -gt 86400 ]; then
			die 2 "--confirm '$confirm_s' is not a number of seconds from 5 to 86400"
		fi
	fi
	if [ "$cmd" = load ] || [ "$cmd" = apply ]; then
		[ "$file" = - ] || [ -r "$file" ] || die 2 "cannot read '$file'"
	fi
}

# is_ours "ID NAME MODE": whether the program is srcfilter's (either object).
is_ours() {
	case $1 in
	*" srcfilter "* | *" srclog_filter "*) return 0 ;;
	esac
	return 1
}

# -- commands ------------------------------------------------------------

cmd_start() {
	local obj="$XK_HOME/xdp/srcfilter.o" pins="$PINNED"
	if is_ours "$1"; then
		echo "srcfilter already attached to $iface (prog ${1%% *}, ${1#* })"
		return 0
	fi
	case $1 in
	*" srclog "*) die 3 "srclog runs on $iface: stop it ('srclog.sh $iface stop'), then 'start -l' filters and logs in one program" ;;
	?*) die 3 "$iface already has an XDP program (${1#* }); xdpkit never replaces one" ;;
	esac
	if [ -n "$with_log" ]; then
		obj=$XK_HOME/xdp/srclog_filter.o
		pins="$PINNED $LOG_PINNED"
	fi
	need_built "$obj"
	# a device that had this ifindex before may have left rules, and an
	# apply pending with their roll-back: never inherit either
	cancel_pending
	forget_rollback
	# shellcheck disable=SC2086 # one word per pin name
	attach_own "$iface" "$mode" "$obj" $pins
	# and with srclog in it, its live log on, as srclog.sh start does
	if ! "$MAP" -n "$XK_PROG" reset "$XK_PINS" "$ifindex" >/dev/null ||
		{ [ -n "$with_log" ] && ! "$XK_LIB/srclog-map" log "$XK_PINS" on; }; then
		xdp_detach_own "$iface" || true
		# shellcheck disable=SC2086
		pins_release $pins
		bpffs_done
		die 3 "cannot set up the maps in $XK_PINS"
	fi
	say_attached "$iface" "$(xdp_prog "$iface")"
}

cmd_stop() {
	local name=srcfilter
	cancel_pending
	forget_rollback
	if is_ours "$1"; then
		"$MAP" -n "$XK_PROG" flush "$XK_PINS" "$ifindex" >/dev/null || warn "could not remove the rules of $iface"
		case $1 in
		*" srclog_filter "*) name=srclog_filter ;;
		esac
	fi
	# shellcheck disable=SC2086 # one word per pin name
	stop_own "$iface" "$1" "$name" $PINNED $LOG_PINNED
}

cmd_status() {
	local n
	say_attached "$iface" "$1"
	n=$("$MAP" -n "$XK_PROG" save "$XK_PINS" "$ifindex" | wc -l)
	echo "rules: $n"
	if [ -f "$pending/deadline" ]; then
		echo "apply pending: the previous rules come back in $(($(cat "$pending/deadline") - $(now_s))) s unless '$XK_PROG $iface confirm'"
	fi
	if [ -f "$pending.rollback" ]; then
		echo "last roll-back: $(cat "$pending.rollback")"
	fi
	"$MAP" -n "$XK_PROG" stats "$XK_PINS" "$ifindex"
}

cmd_add() {
	shift $(($# - prefixes))
	# shellcheck disable=SC2086 # empty -f vanishes
	"$MAP" -n "$XK_PROG" $force add "$XK_PINS" "$ifindex" "$action" "$@"
}

cmd_del() {
	shift $(($# - prefixes))
	"$MAP" -n "$XK_PROG" del "$XK_PINS" "$ifindex" "$@"
}

cmd_load() {
	# shellcheck disable=SC2086 # empty -f vanishes
	"$MAP" -n "$XK_PROG" $force load "$XK_PINS" "$ifindex" "$action" "$file"
}

cmd_list() {
	# shellcheck disable=SC2086
	exec "$MAP" -n "$XK_PROG" $json list "$XK_PINS" "$ifindex"
}

cmd_save() {
	exec "$MAP" -n "$XK_PROG" save "$XK_PINS" "$ifindex"
}

cmd_stats() {
	# shellcheck disable=SC2086
	exec "$MAP" -n "$XK_PROG" $json stats "$XK_PINS" "$ifindex"
}

cmd_flush() {
	cancel_pending
	"$MAP" -n "$XK_PROG" flush "$XK_PINS" "$ifindex"
}

# -- apply, confirm, roll-back -------------------------------------------

# pending_dir IFINDEX: where an apply pending on IFINDEX, in this network
# namespace, keeps its state.
pending_dir() {
	echo "$RUN_DIR/srcfilter.$(stat -L -c %i /proc/self/ns/net).$1"
}

now_s() {
	local up rest
	read -r up rest </proc/uptime
	echo "${up%.*}"
}

# timer_alive: whether the pending apply's timer still runs.
timer_alive() {
	local pid
	[ -f "$pending/pid" ] && read -r pid <"$pending/pid" && kill -0 "$pid" 2>/dev/null
}

# cancel_pending: stops the timer of a pending apply and forgets it.
cancel_pending() {
	local pid
	[ -d "$pending" ] || return 0
	if [ -f "$pending/pid" ] && read -r pid <"$pending/pid"; then
		# the timer leads a process group of its own: it and its sleep
		kill -- "-$pid" 2>/dev/null || true
	fi
	rm -rf -- "$pending"
	rmdir -- "$RUN_DIR" 2>/dev/null || true
}

# forget_rollback: the note of the last roll-back goes (start, stop, apply).
forget_rollback() {
	rm -f -- "$pending.rollback"
	rmdir -- "$RUN_DIR" 2>/dev/null || true
}

# cmd_apply: the old rules saved and the timer started, then the new
# rules in place: an apply killed halfway (its session cut by the very
# rules it writes) is still rolled back. A bad FILE changes nothing and
# leaves nothing.
cmd_apply() {
	local self
	if [ -d "$pending" ]; then
		if [ -f "$pending/pid" ] && ! timer_alive; then
			# its timer is gone (killed, or its roll-back could not run):
			# nothing will ever come back from it
			cancel_pending
		elif [ -f "$pending/pid" ]; then
			die 3 "an apply is pending on $iface: '$XK_PROG $iface confirm' it, or wait for its roll-back"
		else
			die 3 "an apply is under way on $iface (or was killed before it changed a rule: '$XK_PROG $iface confirm' clears it)"
		fi
	fi
	forget_rollback
	mkdir -p -- "$RUN_DIR" 2>/dev/null || die 3 "cannot make $RUN_DIR"
	mkdir -m 0700 -- "$pending" 2>/dev/null || die 3 "an apply is under way on $iface"
	if ! "$MAP" -n "$XK_PROG" save "$XK_PINS" "$ifindex" >"$pending/previous"; then
		cancel_pending
		die 3 "cannot save the rules of $iface in $pending"
	fi
	# the program the saved rules belong to: a roll-back never writes them
	# for another one (a new device that got the same ifindex)
	echo "${1%% *}" >"$pending/prog"
	echo "$(($(now_s) + confirm_s))" >"$pending/deadline"
	self=$(readlink -f -- "$0")
	# its own session: the timer outlives the shell (and the connection)
	# that ran apply; it names the interface by ifindex, which a rename
	# keeps
	# shellcheck disable=SC2016 # expanded by the timer's own sh
	setsid sh -c 'sleep "$1" && exec "$2" "$3" _rollback' sh "$confirm_s" "$self" "@$ifindex" \
		</dev/null >/dev/null 2>&1 &
	echo "$!" >"$pending/pid"
	# shellcheck disable=SC2086 # empty -f vanishes
	if ! "$MAP" -n "$XK_PROG" $force replace "$XK_PINS" "$ifindex" "$action" "$file" >/dev/null; then
		cancel_pending
		exit 2
	fi
	echo "$(grep -c . "$pending/previous" || true) rules saved; the new ones are in place. Confirm within $confirm_s s ('$XK_PROG $iface confirm') or they are rolled back"
}

cmd_confirm() {
	[ -d "$pending" ] || die 1 "no apply is pending on $iface"
	cancel_pending
	echo "rules of $iface confirmed"
}

# rollback_said [-k] MESSAGE: what the roll-back did, in the system log
# (logger, when there is one); with -k (it went wrong) also in a note
# beside the pending directory, which status shows until the next start,
# apply or stop.
rollback_said() {
	if [ "$1" = -k ]; then
		shift
		printf '%s: %s\n' "$(date -u '+%Y-%m-%d %H:%M:%S UTC')" "$1" >"$pending.rollback" 2>/dev/null || true
	fi
	logger -t srcfilter -p daemon.warning -- "$1" 2>/dev/null || true
}

# cmd__rollback: the timer's end: the saved rules back, the pending gone;
# only onto the program they were saved from. Should the saved rules not
# go back, every rule of the interface goes: the point of the roll-back is
# that the operator reaches the host again, and no rule is the state that
# never cuts anybody off.
cmd__rollback() {
	local prog='' err
	[ -d "$pending" ] || exit 0
	read -r prog <"$pending/prog" 2>/dev/null || true
	if [ "$prog" = "${1%% *}" ]; then
		if "$MAP" -n "$XK_PROG" -f replace "$XK_PINS" "$ifindex" drop "$pending/previous" \
			>/dev/null 2>"$pending/error"; then
			rollback_said "apply on $iface not confirmed: its previous $(grep -c . "$pending/previous" || true) rules are back"
		else
			err=$(head -n 1 "$pending/error")
			if "$MAP" -n "$XK_PROG" flush "$XK_PINS" "$ifindex" >/dev/null 2>&1; then
				rollback_said -k "apply on $iface not confirmed, and its previous rules could not be put back ($err): every rule of $iface removed"
			else
				rollback_said -k "apply on $iface not confirmed, and neither its previous rules could be put back ($err) nor its rules removed: the applied rules are still in place"
			fi
		fi
	fi
	rm -rf -- "$pending"
	rmdir -- "$RUN_DIR" 2>/dev/null || true
}

main() {
	local current
	parse_args "$@"
	need_root
	need_tools ip bpftool jq setsid
	need_built "$MAP"
	if [ "$cmd" = _rollback ]; then
		# the timer names the interface by its index, @N
		ifindex=${iface#@}
		iface=$(ip -j link show | jq -r --arg i "$ifindex" '.[] | select(.ifindex == ($i | tonumber)) | .ifname')
		if [ -z "$iface" ]; then
			# gone: its rules went with it, and so does the pending apply
			rm -rf -- "$(pending_dir "$ifindex")" "$(pending_dir "$ifindex").rollback"
			rmdir -- "$RUN_DIR" 2>/dev/null || true
			exit 0
		fi
	fi
	iface_check "$iface"
	ifindex=$(iface_index "$iface")
	pending=$(pending_dir "$ifindex")
	current=$(xdp_prog "$iface")
	bpffs_init
	if ! is_ours "$current" && [ "$cmd" != start ] && [ "$cmd" != stop ]; then
		bpffs_done
		case $cmd in
		status) echo "srcfilter not attached to $iface"; exit 1 ;;
		_rollback) rm -rf -- "$pending"; exit 0 ;;
		esac
		die 1 "srcfilter is not running on $iface (start it with: $XK_PROG $iface start)"
	fi
	"cmd_$cmd" "$current" "$@"
}

main "$@"
