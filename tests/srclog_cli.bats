#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# srclog.sh from the command line: bad input for every command (exit 2),
# commands before start (exit 1), the environment and foreign programs
# (exit 3), start and stop leaving nothing behind, follow ending on
# signals and on stop, and a far side driven through 'ip netns exec' with
# TC_BPF_MNT. Every error must leave one line on stderr and the interface
# as found.
# shellcheck disable=SC2154 # stderr_lines comes from bats' run
# shellcheck disable=SC2153 # PINS comes from helpers.bash
# shellcheck disable=SC2016 # metacharacters in single quotes on purpose

bats_require_minimum_version 1.5.0
load helpers

setup() {
	lab_up
	S4=198.19.$((BATS_TEST_NUMBER % 250))
	BG_PID=
	BRIDGE=
}

teardown() {
	stop_bg
	[ -z "$BRIDGE" ] || ip link del "$BRIDGE" 2>/dev/null || true
	lab_down
}

# fails CODE WORD ARGS...: srclog.sh ARGS exits CODE with one line on
# stderr that mentions WORD.
fails() {
	fails_with "$SRCLOG" "$@"
}

# following: starts 'srclog.sh $C follow' in the background (with any
# extra command in front, e.g. setsid) and waits until it prints a frame;
# sets READER to the pid of its srclog-follow.
following() {
	start_bg "$@" "$SRCLOG" "$C" follow
	follow_sees "$S4.250" blast "$S4.250" "$C_ADDR"
	READER=$(pgrep -P "$BG_PID" -x srclog-follow)
	[ -n "$READER" ] || { echo "no srclog-follow under $BG_PID"; return 1; }
}

# follow_ends: the follower ended with exit 0, its reader too, quietly.
follow_ends() {
	exited "$BG_PID"
	BG_PID=
	if [ "$EXIT_RC" -ne 0 ]; then
		echo "follow exited $EXIT_RC: $(cat "$BG_ERR")"
		return 1
	fi
	gone "$READER"
	[ ! -s "$BG_ERR" ] || { echo "stderr: $(cat "$BG_ERR")"; return 1; }
}

# -- usage and input: exit 2 -------------------------------------------

@test "no arguments, IFACE only: exit 2" {
	fails 2 "IFACE and a command"
	fails 2 "IFACE and a command" "$C"
	srclog_clean "$C"
}

@test "unknown command: exit 2, names the commands" {
	fails 2 "unknown command 'bogus'" "$C" bogus
	fails 2 "unknown command" "$C" ''
	fails 2 "start, stop, status" "$C" START
	# IFACE comes first
	fails 2 "unknown command '$C'" start "$C"
	srclog_clean "$C"
}

@test "unknown or bad IFACE, with every command: exit 2" {
	local cmd name
	for cmd in start stop status reset top follow "log on"; do
		# shellcheck disable=SC2086 # 'log on' is two words
		fails 2 "no interface 'xknosuch0'" xknosuch0 $cmd
	done
	for name in abcdefghijklmnopq 'x;>pwned' '$(>pwned)' "$C/x" "-$C" "$C x"; do
		fails 2 "interface" "$name" start
		fails 2 "interface" "$name" status
	done
	[ ! -e pwned ] && [ ! -e "$XK/pwned" ]
	srclog_clean "$C"
}

@test "-N with -S, unknown options, a missing -l value: exit 2" {
	fails 2 "exclude" "$C" start -N -S
	fails 2 "exclude" "$C" start -S -N
	fails 2 "unknown option -x" "$C" start -x
	fails 2 "unknown option -N for top" "$C" top -N
	fails 2 "unknown option -b for follow" "$C" follow -b
	fails 2 "-l needs a value" "$C" start -l
	fails 2 "-n needs a value" "$C" top -n
	fails 2 "-i needs a value" "$C" top -j -i
	srclog_clean "$C"
}

@test "start -l 0, abc, -1, empty, too big: exit 2" {
	local l
	for l in 0 00 abc -1 '' 1.5 4294967296 ' 2'; do
		fails 2 "log '$l'" "$C" start -l "$l"
	done
	srclog_clean "$C"
}

@test "top -n 0, abc, too big; top -i abc, negative, above 3600: exit 2" {
	local v
	for v in 0 abc -1 '' 1000001 1e3 2.5; do
		fails 2 "count '$v'" "$C" top -n "$v"
	done
	for v in abc -1 '' 3601 1e3 .5 1. 1.2.3 1,5 99999999; do
		fails 2 "interval '$v'" "$C" top -i "$v"
	done
	srclog_clean "$C"
}

@test "top --prefix and --format: bad lengths, formats, missing values, two formats: exit 2" {
	local v
	for v in 129 -1 '' abc 33,48 24,129 24, ,48 1,2,3 0x10 1000; do
		fails 2 "prefix '$v'" "$C" top --prefix "$v"
		fails 2 "prefix '$v'" "$C" top -p "$v"
	done
	fails 2 "prefix '33,48'" "$C" top --prefix=33,48
	for v in xml '' JSON rule; do
		fails 2 "format '$v'" "$C" top --format "$v"
		fails 2 "format '$v'" "$C" top -f "$v"
	done
	fails 2 "--prefix needs a value" "$C" top --prefix
	fails 2 "--format needs a value" "$C" top -n 3 --format
	fails 2 "unknown option --bytes" "$C" top --bytes
	fails 2 "-j and -f rules" "$C" top -j -f rules
	srclog_clean "$C"
}

@test "log without a value, or a bad one, or two: exit 2" {
	local v
	fails 2 "log takes on, off or a number" "$C" log
	fails 2 "log takes on, off or a number" "$C" log on off
	for v in 0 abc -1 '' ON 4294967296; do
		fails 2 "log '$v'" "$C" log "$v"
	done
	srclog_clean "$C"
}

@test "extra arguments, with every command: exit 2" {
	fails 2 "unexpected argument 'extra'" "$C" start extra
	fails 2 "unexpected argument 'extra'" "$C" start -N -l 4 extra
	fails 2 "unexpected argument 'extra'" "$C" stop extra
	fails 2 "unexpected argument '-N'" "$C" stop -N
	fails 2 "unexpected argument 'extra'" "$C" status extra
	fails 2 "unexpected argument 'extra'" "$C" reset extra
	fails 2 "unexpected argument 'extra'" "$C" top -n 3 extra
	fails 2 "unexpected argument 'extra'" "$C" follow -j extra
	srclog_clean "$C"
	# and while srclog runs: nothing is changed
	srclog "$C" start -S -l off
	expect_ok
	fails 2 "unexpected argument" "$C" stop now
	fails 2 "unexpected argument" "$C" reset now
	fails 2 "log takes" "$C" log on now
	[ "$(prog_name "$C")" = srclog ]
	srclog "$C" status
	expect_ok
	[[ $output == *$'\nlog: off'* ]] || { show_run; return 1; }
}

@test "--help and -h: usage on stdout, exit 0" {
	srclog --help
	expect_ok
	[[ ${lines[0]} == "usage: srclog.sh IFACE start "* ]] || { show_run; return 1; }
	[[ $output == *"Exit: 0 done"* ]]
	srclog -h
	expect_ok
	[[ ${lines[0]} == "usage: srclog.sh "* ]]
}

# -- before start: exit 1 ----------------------------------------------

@test "top, follow, reset, log before start: exit 1, nothing made" {
	fails 1 "not running on $C" "$C" top
	fails 1 "not running" "$C" top -j -i 0
	fails 1 "not running" "$C" follow
	fails 1 "not running" "$C" follow -j
	fails 1 "not running" "$C" reset
	fails 1 "not running" "$C" log on
	fails 1 "not running" "$C" log 5
	srclog_clean "$C"
}

@test "status before start: 'not attached' on stdout, exit 1" {
	srclog "$C" status
	[ "$status" -eq 1 ] || { show_run; return 1; }
	[ "$output" = "srclog not attached to $C" ] || { show_run; return 1; }
	[ -z "$stderr" ]
	# the same after a stop
	srclog "$C" start -S
	expect_ok
	srclog "$C" stop
	expect_ok
	srclog "$C" status
	[ "$status" -eq 1 ] && [ "$output" = "srclog not attached to $C" ] || { show_run; return 1; }
	fails 1 "not running" "$C" top
	srclog_clean "$C"
}

# -- start and stop ----------------------------------------------------

@test "start, status, stop: nothing left; start twice and stop twice: exit 0" {
	local id
	srclog "$C" start -N
	expect_ok
	[[ $output == "srclog attached to $C (native mode, prog "* ]] || { show_run; return 1; }
	id=$(xdp_id "$C")
	[ -n "$id" ]
	[ "$(prog_name "$C")" = srclog ]
	for p in $SRCLOG_PINS; do
		[ -e "$PINS/$p" ] || { echo "no pin $p: $(ls "$PINS")"; return 1; }
	done

	srclog "$C" start -S
	expect_ok
	[[ $output == *"already attached to $C (prog $id)"* ]] || { show_run; return 1; }
	[ "$(xdp_id "$C")" = "$id" ]

	srclog "$C" status
	expect_ok
	[ "${lines[0]}" = "srclog attached to $C (native mode, prog $id)" ] || { show_run; return 1; }
	[[ ${lines[1]} =~ ^"sources: "[0-9]+" in the map (capacity 65536, " ]] || { show_run; return 1; }
	[[ $output == *$'\nlog: every frame'* ]] || { show_run; return 1; }

	srclog "$C" stop
	expect_ok
	[ "$output" = "srclog detached from $C" ] || { show_run; return 1; }
	srclog_clean "$C"
	srclog "$C" stop
	expect_ok
	[[ $output == *"nothing to stop"* ]] || { show_run; return 1; }
	srclog_clean "$C"
}

@test "start -l sets the live log; start again sets it anew" {
	srclog "$C" start -S -l off
	expect_ok
	srclog "$C" status
	[[ $output == *$'\nlog: off'* ]] || { show_run; return 1; }
	srclog "$C" start -l 7
	expect_ok
	srclog "$C" status
	[[ $output == *$'\nlog: one frame in 7'* ]] || { show_run; return 1; }
	srclog "$C" log on
	expect_ok
	srclog "$C" status
	[[ $output == *$'\nlog: every frame'* ]] || { show_run; return 1; }
	[ "$(prog_name "$C")" = srclog ]
	srclog "$C" stop
	expect_ok
	srclog_clean "$C"
}

@test "attached with plain iproute2: the log is off, srclog.sh drives it and stops it" {
	ip link set dev "$C" xdpgeneric obj "$XK/xdp/srclog.o" sec xdp
	srclog "$C" status
	expect_ok
	[[ ${lines[0]} == "srclog attached to $C (generic mode, prog $(xdp_id "$C"))" ]] || { show_run; return 1; }
	[[ $output == *$'\nlog: off'* ]] || { show_run; return 1; }
	srclog "$C" top -j -i 0
	expect_ok
	srclog "$C" log on
	expect_ok
	srclog "$C" status
	[[ $output == *$'\nlog: every frame'* ]] || { show_run; return 1; }
	srclog "$C" stop
	expect_ok
	srclog_clean "$C"
}

@test "stop leaves the maps another interface's srclog uses; the last stop removes them" {
	local o=xk${BATS_TEST_NUMBER}o
	BRIDGE=$o
	ip link add "$o" type veth peer name "${o}x"
	srclog "$C" start -S
	expect_ok
	srclog "$o" start -S
	expect_ok
	srclog "$C" stop
	expect_ok
	[ -z "$(xdp_id "$C")" ]
	[ "$(prog_name "$o")" = srclog ]
	for p in $SRCLOG_PINS; do
		[ -e "$PINS/$p" ] || { echo "pin $p removed while in use"; return 1; }
	done
	srclog "$o" status
	expect_ok
	srclog "$o" stop
	expect_ok
	srclog_clean "$o"
	srclog_clean "$C"
}

# -- environment: exit 3 -----------------------------------------------

@test "foreign XDP program on IFACE: start exit 3, left in place, no pins" {
	local id
	id=$(foreign_prog "$C")
	[ -n "$id" ]
	fails 3 "never replaces" "$C" start
	fails 3 "never replaces" "$C" start -N
	fails 3 "never replaces" "$C" start -S -l off
	[ "$(xdp_id "$C")" = "$id" ]
	[ "$(prog_name "$C")" = xdp_pass ]
	no_srclog_pins
	# The other commands see no srclog there, and leave it too.
	srclog "$C" status
	[ "$status" -eq 1 ] && [ "$output" = "srclog not attached to $C" ] || { show_run; return 1; }
	fails 1 "not running" "$C" top
	fails 1 "not running" "$C" reset
	srclog "$C" stop
	expect_ok
	[[ $output == *"nothing to stop"* ]] || { show_run; return 1; }
	[ "$(xdp_id "$C")" = "$id" ]
	no_srclog_pins
}

@test "kernel refuses native mode: exit 3, no pin left" {
	# A bridge has no native XDP: iproute2 loads the object, pins its
	# maps, then the attach fails.
	BRIDGE=xk${BATS_TEST_NUMBER}br
	ip link add "$BRIDGE" type bridge
	ip link set "$BRIDGE" up
	fails 3 "$BRIDGE" "$BRIDGE" start -N
	srclog_clean "$BRIDGE"
	# and a generic start on it works afterwards
	srclog "$BRIDGE" start -S
	expect_ok
	srclog "$BRIDGE" stop
	expect_ok
	srclog_clean "$BRIDGE"
}

@test "not root: exit 3" {
	local d
	d=$(copy_tree)
	run --separate-stderr setpriv --reuid=65534 --regid=65534 --clear-groups \
		"$d/scripts/srclog.sh" "$C" start -S
	expect_error 3 "root" srclog.sh
	run --separate-stderr setpriv --reuid=65534 --regid=65534 --clear-groups \
		"$d/scripts/srclog.sh" "$C" status
	expect_error 3 "root" srclog.sh
	srclog_clean "$C"
}

@test "objects not built: exit 3, names the file" {
	local d
	d=$(copy_tree)
	rm "$d/xdp/srclog.o"
	run --separate-stderr "$d/scripts/srclog.sh" "$C" start -S
	expect_error 3 "xdp/srclog.o is missing" srclog.sh
	d=$(copy_tree)
	rm "$d/scripts/lib/srclog-follow"
	run --separate-stderr "$d/scripts/srclog.sh" "$C" start -S
	expect_error 3 "srclog-follow is missing" srclog.sh
	srclog_clean "$C"
}

@test "bpffs unusable or TC_BPF_MNT relative: exit 3" {
	run --separate-stderr env TC_BPF_MNT=relative/bpffs "$SRCLOG" "$C" start -S
	expect_error 3 "absolute" srclog.sh
	[ ! -e relative ] && [ ! -e "$XK/relative" ]
	run --separate-stderr env TC_BPF_MNT=/proc/xdpkit-bpffs "$SRCLOG" "$C" start -S
	expect_error 3 "bpffs" srclog.sh
	srclog_clean "$C"
}

@test "a bpffs mounted for the run: unmounted again on every error" {
	local mnt=$XDPKIT_TEST_TMP/fresh-bpffs.$BATS_TEST_NUMBER
	mounted() { grep -q " $mnt bpf " /proc/self/mounts; }
	# ('! mounted' alone would never fail a bats test)
	unmounted() { ! mounted; }
	run --separate-stderr env TC_BPF_MNT="$mnt" "$SRCLOG" "$C" status
	[ "$status" -eq 1 ] || { show_run; return 1; }
	unmounted
	run --separate-stderr env TC_BPF_MNT="$mnt" "$SRCLOG" "$C" top
	expect_error 1 "not running" srclog.sh
	unmounted
	BRIDGE=xk${BATS_TEST_NUMBER}br
	ip link add "$BRIDGE" type bridge
	run --separate-stderr env TC_BPF_MNT="$mnt" "$SRCLOG" "$BRIDGE" start -N
	expect_error 3 "$BRIDGE" srclog.sh
	unmounted
	# A start mounts it and pins there; stop removes the pins.
	run --separate-stderr env TC_BPF_MNT="$mnt" "$SRCLOG" "$C" start -S
	expect_ok
	mounted
	[ -e "$mnt/xdp/globals/srclog_sources" ]
	no_srclog_pins
	run --separate-stderr env TC_BPF_MNT="$mnt" "$SRCLOG" "$C" stop
	expect_ok
	no_srclog_pins "$mnt"
	umount "$mnt" 2>/dev/null || true
	srclog_clean "$C"
}

# -- follow's end ------------------------------------------------------

@test "follow ends with exit 0 on SIGINT to the script" {
	srclog "$C" start -S
	expect_ok
	following
	kill -INT "$BG_PID"
	follow_ends
	# srclog itself goes on
	[ "$(prog_name "$C")" = srclog ]
}

@test "follow ends with exit 0 on Ctrl-C (SIGINT to its process group)" {
	srclog "$C" start -S
	expect_ok
	following setsid
	[ "$(ps -o pgid= -p "$BG_PID" | tr -d ' ')" = "$BG_PID" ]
	kill -INT -- "-$BG_PID"
	follow_ends
	[ "$(prog_name "$C")" = srclog ]
}

@test "follow ends with exit 0 on SIGTERM" {
	srclog "$C" start -N
	expect_ok
	following
	kill -TERM "$BG_PID"
	follow_ends
	[ "$(prog_name "$C")" = srclog ]
}

@test "follow ends with exit 0 when srclog is stopped" {
	srclog "$C" start -S
	expect_ok
	following
	srclog "$C" stop
	expect_ok
	follow_ends
	srclog_clean "$C"
}

# -- the far side, through ip netns exec -------------------------------

@test "far side through ip netns exec with TC_BPF_MNT: start, top, follow, stop" {
	local mac
	mac=$(mac_of "$P" "$NS")
	far_srclog "$P" start -N
	expect_ok
	[[ $output == "srclog attached to $P (native mode, prog "* ]] || { show_run; return 1; }
	# The pins live in the bpffs TC_BPF_MNT names, not in /sys/fs/bpf,
	# under the far namespace's own directory.
	[ -e "$(ns_pins "$NS" "$FAR_FS")/srclog_sources" ] || { ls -R "$FAR_FS"; return 1; }
	no_srclog_pins

	far_srclog "$P" reset
	expect_ok
	"$XK/tests/tools/blast" -r 3 -n 5 "$C" "$mac" "$S4.1" "$P_ADDR"
	"$XK/tests/tools/blast" -r 1 -n 2 "$C" "$mac" 2001:db8:1::9 2001:db8:1::2
	far_srclog "$P" top -j -i 0
	expect_ok
	run jq -c --arg p "$S4." '[.[] | select(.address | startswith($p) or startswith("2001:db8:1::")) |
		[.address, .packets]] | sort' <<<"$output"
	[ "$output" = "[[\"$S4.1\",5],[\"$S4.2\",5],[\"$S4.3\",5],[\"2001:db8:1::9\",2]]" ] || {
		echo "$output"
		return 1
	}
	far_srclog "$P" status
	expect_ok
	[[ $output == *"ipv4 15, "* ]] || { show_run; return 1; }

	start_bg ip netns exec "$NS" env TC_BPF_MNT="$FAR_FS" "$SRCLOG" "$P" follow -j
	follow_sees "$S4.250" "$XK/tests/tools/blast" "$C" "$mac" "$S4.250" "$P_ADDR"
	jq -se --arg i "$P" 'all(.[]; .interface == $i)' "$BG_OUT" >/dev/null

	far_srclog "$P" stop
	expect_ok
	exited "$BG_PID"
	BG_PID=
	[ "$EXIT_RC" -eq 0 ] || { cat "$BG_ERR"; return 1; }
	[ -z "$(xdp_id "$P" "$NS")" ]
	no_srclog_pins "$FAR_FS"
	far_srclog "$P" status
	[ "$status" -eq 1 ] || { show_run; return 1; }
}
