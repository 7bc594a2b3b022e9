#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# srcfilter.sh from the command line: every bad input (exit 2), rule
# commands without srcfilter (exit 1), the environment and foreign
# programs (exit 3), apply and confirm misused, and what a careful
# operator tries (options after prefixes, conflicting lines, mapped
# addresses, an apply killed halfway, a device gone and its ifindex
# reused). Every error must give one line on stderr naming srcfilter.sh,
# and leave the interface, the pins, the rules and the run directory as
# they were.
# shellcheck disable=SC2154 # stderr_lines comes from bats' run
# shellcheck disable=SC2153 # PINS comes from helpers.bash

bats_require_minimum_version 1.5.0
load helpers

SF=$XK/scripts/srcfilter.sh

setup() {
	lab_up
	S4=198.19.$((BATS_TEST_NUMBER % 250))
	S6=2001:db8:$((BATS_TEST_NUMBER % 250))
	# never /run of the host: apply's state goes here
	XDPKIT_RUN_DIR=$BATS_TEST_TMPDIR/run
	export XDPKIT_RUN_DIR
	EXTRA=
	BG_PID=
}

teardown() {
	local pid
	stop_bg
	for pid in "$XDPKIT_RUN_DIR"/*/pid; do
		[ -f "$pid" ] && kill -- "-$(cat "$pid")" 2>/dev/null || true
	done
	[ -z "$EXTRA" ] || ip link del "$EXTRA" 2>/dev/null || true
	lab_down
}

sf() {
	run --separate-stderr "$SF" "$@"
}

# sf_ok ARGS...: srcfilter.sh ARGS exits 0 with a quiet stderr.
sf_ok() {
	sf "$@"
	expect_ok || { echo "with: srcfilter.sh $*"; return 1; }
}

# fails CODE WORD ARGS...: srcfilter.sh ARGS exits CODE with one line on
# stderr, "srcfilter.sh: ...", that mentions WORD.
fails() {
	fails_with "$SF" "$@"
}

# rules: IFACE's rules as one sorted line of "PREFIX ACTION" pairs.
rules() {
	"$SF" "$1" list -j | jq -c 'map(.prefix + " " + .action) | sort'
}

# no_rules IFACE: IFACE has no rule.
no_rules() {
	[ "$(rules "$1")" = "[]" ]
}

# wrapped_tree: a copy of the tree (copy_tree) whose srcfilter-map is the
# sh text on stdin, with $REAL the real helper; prints the copy's path.
wrapped_tree() {
	local d
	d=$(copy_tree)
	mv "$d/scripts/lib/srcfilter-map" "$d/scripts/lib/srcfilter-map.real"
	{
		echo '#!/bin/sh'
		echo "REAL='$d/scripts/lib/srcfilter-map.real'"
		cat
	} >"$d/scripts/lib/srcfilter-map"
	chmod +x "$d/scripts/lib/srcfilter-map"
	printf '%s\n' "$d"
}

# run_dir_empty: nothing under the run directory.
run_dir_empty() {
	local left
	left=$(find "$XDPKIT_RUN_DIR" -mindepth 1 2>/dev/null || true)
	[ -z "$left" ] || { echo "left in the run directory: $left"; return 1; }
}

# sf_clean IFACE: no XDP program on IFACE, no srcfilter pin, no run state.
sf_clean() {
	assert_clean "$1" "" srcfilter
	run_dir_empty
}

# started: srcfilter on $C with a known rule set; RULES is its list.
started() {
	sf_ok "$C" start -S
	sf_ok "$C" add "$S4.0/24" "$S6::/48"
	sf_ok "$C" add -a count "$S4.128/25"
	RULES=$(rules "$C")
	[ "$RULES" = "[\"$S4.0/24 drop\",\"$S4.128/25 count\",\"$S6::/48 drop\"]" ] || {
		echo "rules: $RULES"
		return 1
	}
}

# unchanged: the rules of $C are still RULES, srcfilter still attached,
# no apply pending.
unchanged() {
	local now
	now=$(rules "$C")
	[ "$now" = "$RULES" ] || { echo "rules changed: $RULES -> $now"; return 1; }
	[ "$(prog_name "$C")" = srcfilter ] || { echo "program on $C: $(prog_name "$C")"; return 1; }
	run_dir_empty
}

# -- usage: exit 2 -------------------------------------------------------

@test "no arguments, IFACE only: exit 2" {
	fails 2 "IFACE and a command"
	fails 2 "IFACE and a command" "$C"
	sf_clean "$C"
}

@test "-h and --help: usage on stdout, exit 0" {
	sf -h
	expect_ok
	[[ ${lines[0]} == "usage: srcfilter.sh IFACE start "* ]] || { show_run; return 1; }
	[[ $output == *"Exit: 0 done"* ]]
	sf --help
	expect_ok
	[[ ${lines[0]} == "usage: srcfilter.sh "* ]]
	sf_clean "$C"
}

@test "unknown command, unknown options, extra arguments: exit 2, nothing touched" {
	fails 2 "unknown command 'bogus'" "$C" bogus
	fails 2 "unknown command 'START'" "$C" START
	fails 2 "unknown command '$C'" start "$C"
	fails 2 "unknown option -x for start" "$C" start -x
	fails 2 "exclude" "$C" start -N -S
	fails 2 "unknown option -j for add" "$C" add -j "$S4.0/24"
	fails 2 "unknown option --bogus for load" "$C" load --bogus -
	fails 2 "unknown option -a for list" "$C" list -a drop
	fails 2 "-a needs a value" "$C" add -a
	fails 2 "--confirm is apply's" "$C" load --confirm 60 -
	fails 2 "unexpected argument 'now'" "$C" stop now
	fails 2 "unexpected argument 'x'" "$C" status x
	fails 2 "unexpected argument" "$C" confirm -j
	fails 2 "needs at least one PREFIX" "$C" add
	fails 2 "needs at least one PREFIX" "$C" del
	fails 2 "one FILE" "$C" load
	fails 2 "one FILE" "$C" load a b
	sf_clean "$C"
}

@test "bad IFACE, with every command: exit 2" {
	local cmd name
	for cmd in start stop status list stats flush confirm "add $S4.0/24" "del $S4.0/24"; do
		# shellcheck disable=SC2086 # a command and its argument
		fails 2 "no interface 'xknosuch0'" xknosuch0 $cmd
	done
	for name in abcdefghijklmnopq 'x;>pwned' '$(>pwned)' "$C/x" "-$C" "$C x"; do
		fails 2 "interface" "$name" start
		fails 2 "interface" "$name" add "$S4.0/24"
	done
	[ ! -e pwned ] && [ ! -e "$XK/pwned" ]
	sf_clean "$C"
}

# -- bad rules: exit 2, no rule changed ------------------------------------

@test "bad prefixes: exit 2, named, no rule changed" {
	local p
	started
	for p in bogus 198.18.0.256 198.18.0 01.2.3.4 1.2.3.4/ 1.2.3.4/33 1.2.3.4/-1 \
		1.2.3.4/+3 1.2.3.4/0x10 "$S6::/129" "$S6::1::2" 'fe80::1%eth0' '' "$S4.0/24 "; do
		fails 2 "'$p'" "$C" add "$p"
		fails 2 "'$p'" "$C" add -a count "$S4.64/26" "$p"
		fails 2 "'$p'" "$C" del "$p"
	done
	unchanged
}

@test "host bits set: exit 2, the message names the prefix meant" {
	started
	fails 2 "'198.18.7.1/24' has host bits set (the prefix is 198.18.7.0/24)" "$C" add 198.18.7.1/24
	fails 2 "(the prefix is 198.18.0.0/15)" "$C" add 198.19.0.0/15
	fails 2 "(the prefix is 2001:db8::/32)" "$C" add -a allow 2001:db8:0:1::/32
	fails 2 "(the prefix is 0.0.0.0/0)" "$C" add -a count 1.0.0.0/0
	unchanged
}

@test "bad -a action: exit 2, no rule changed" {
	local a
	started
	for a in DROP pass accept '' 'drop '; do
		fails 2 "action '$a'" "$C" add -a "$a" "$S4.64/26"
		fails 2 "action '$a'" "$C" load -a "$a" -
	done
	unchanged
}

@test "options after the prefixes: exit 2, no rule changed" {
	started
	fails 2 "options go before" "$C" add "$S4.64/26" -a count
	fails 2 "options go before" "$C" add "$S4.64/26" --force
	fails 2 "options go before" "$C" del "$S4.0/24" -a drop
	unchanged
}

@test "IPv4-mapped IPv6 prefix: exit 2, names the IPv4 prefix; ::ffff:0:0/96 itself is taken" {
	started
	fails 2 "write the IPv4 prefix (198.18.0.1/32)" "$C" add ::ffff:198.18.0.1
	fails 2 "(198.18.0.0/24)" "$C" add -a count ::ffff:198.18.0.0/120
	printf '%s\n' "$S4.64/26" ::ffff:c612:1/128 >"$BATS_TEST_TMPDIR/mapped"
	fails 2 "$BATS_TEST_TMPDIR/mapped:2:" "$C" load "$BATS_TEST_TMPDIR/mapped"
	unchanged
	sf_ok "$C" add ::ffff:0.0.0.0/96
	[[ $(rules "$C") == *'"::ffff:0.0.0.0/96 drop"'* ]] || rules "$C"
}

@test "drop of 0.0.0.0/0 or ::/0 needs --force (exit 2); count and allow do not" {
	started
	fails 2 "--force" "$C" add 0.0.0.0/0
	fails 2 "--force" "$C" add -a drop ::/0
	printf '%s\n' "$S4.64/26" '::/0 drop' >"$BATS_TEST_TMPDIR/all"
	fails 2 "$BATS_TEST_TMPDIR/all:2:" "$C" load "$BATS_TEST_TMPDIR/all"
	fails 2 "--force" "$C" apply --confirm 60 "$BATS_TEST_TMPDIR/all"
	unchanged
	sf_ok "$C" add -a count 0.0.0.0/0
	sf_ok "$C" add -a allow ::/0
	[[ $(rules "$C") == *'"0.0.0.0/0 count"'*'"::/0 allow"'* ]] || { rules "$C"; return 1; }
	sf_ok "$C" add --force 0.0.0.0/0
	sf_ok "$C" load --force "$BATS_TEST_TMPDIR/all"
	[[ $(rules "$C") == *'"0.0.0.0/0 drop"'*'"::/0 drop"'* ]] || { rules "$C"; return 1; }
}

@test "unreadable FILE: exit 2, no rule changed" {
	started
	fails 2 "cannot read '$BATS_TEST_TMPDIR/none'" "$C" load "$BATS_TEST_TMPDIR/none"
	fails 2 "cannot read" "$C" load "$BATS_TEST_TMPDIR"
	fails 2 "cannot read '$BATS_TEST_TMPDIR/none'" "$C" apply --confirm 60 "$BATS_TEST_TMPDIR/none"
	fails 2 "cannot read" "$C" apply --confirm 60 "$BATS_TEST_TMPDIR"
	unchanged
}

@test "a bad line in load: exit 2 with FILE:LINE, not even the good lines before it written" {
	local f=$BATS_TEST_TMPDIR/rules
	started
	printf '# new rules\n%s\n%s count\n\n%s\n' 198.18.1.0/24 198.18.2.0/24 198.18.3.1/24 >"$f"
	fails 2 "$f:5: '198.18.3.1/24' has host bits set" "$C" load "$f"
	printf '%s\n%s DROP\n' 198.18.1.0/24 198.18.2.0/24 >"$f"
	fails 2 "$f:2: 'DROP' is not an action" "$C" load "$f"
	printf '%s\n%s drop now\n' 198.18.1.0/24 198.18.2.0/24 >"$f"
	fails 2 "$f:2: want 'PREFIX [drop|count|allow]'" "$C" load "$f"
	sf "$C" load - <<<"198.18.1.0/24
bogus"
	expect_error 2 "stdin:2: 'bogus'" srcfilter.sh
	fails 2 "$f:2:" "$C" apply --confirm 60 "$f"
	unchanged
}

@test "one prefix twice in a file: one rule; with two actions: exit 2 naming both lines" {
	local f=$BATS_TEST_TMPDIR/rules
	started
	printf '%s\n%s count\n%s allow\n' 198.18.1.0/24 198.18.1.0/24 198.18.1.0/24 >"$f"
	fails 2 "$f:2: 198.18.1.0/24 is on line 1 too, as drop" "$C" load "$f"
	unchanged
	printf '%s\n%s drop\n%s\n' 198.18.1.0/24 198.18.1.0/24 "$S6::/48" >"$f"
	sf_ok "$C" load "$f"
	[ "$(rules "$C" | jq -r '.[]' | grep -c '^198.18.1.0/24 ')" -eq 1 ] || { rules "$C"; return 1; }
	sf_ok "$C" add -a allow 198.18.2.0/24 198.18.2.0/24
	[ "$(rules "$C" | jq -r '.[]' | grep -c '^198.18.2.0/24 allow$')" -eq 1 ] || { rules "$C"; return 1; }
}

@test "CRLF line endings: read as lines" {
	local f=$BATS_TEST_TMPDIR/rules
	started
	printf '# from a Windows editor\r\n%s\r\n%s count\r\n' 198.18.1.0/24 2001:db8:1::/48 >"$f"
	sf_ok "$C" load "$f"
	[[ $(rules "$C") == *'"198.18.1.0/24 drop"'*'"2001:db8:1::/48 count"'* ]] || { rules "$C"; return 1; }
}

@test "del of a prefix without a rule: exit 2, named, no rule removed" {
	started
	fails 2 "198.18.9.0/24" "$C" del 198.18.9.0/24
	fails 2 "$S4.0/25" "$C" del "$S4.0/25"
	# the others given with it stay too
	fails 2 "198.18.9.0/24" "$C" del "$S4.0/24" 198.18.9.0/24 "$S6::/48"
	unchanged
	sf_ok "$C" del "$S4.0/24" "$S6::/48"
	[ "$(rules "$C")" = "[\"$S4.128/25 count\"]" ] || { rules "$C"; return 1; }
}

# -- srcfilter not running: exit 1 -----------------------------------------

@test "every rule command when srcfilter is not running: exit 1, nothing made" {
	local f=$BATS_TEST_TMPDIR/rules
	echo "$S4.0/24" >"$f"
	fails 1 "not running on $C" "$C" add "$S4.0/24"
	fails 1 "not running" "$C" load "$f"
	fails 1 "not running" "$C" load - </dev/null
	fails 1 "not running" "$C" del "$S4.0/24"
	fails 1 "not running" "$C" list
	fails 1 "not running" "$C" list -j
	fails 1 "not running" "$C" stats -j
	fails 1 "not running" "$C" flush
	fails 1 "not running" "$C" apply --confirm 60 "$f"
	fails 1 "not running" "$C" confirm
	sf_clean "$C"
}

@test "status when not attached: on stdout, exit 1; stop: exit 0" {
	sf "$C" status
	[ "$status" -eq 1 ] && [ "$output" = "srcfilter not attached to $C" ] && [ -z "$stderr" ] ||
		{ show_run; return 1; }
	sf_ok "$C" stop
	[[ $output == *"nothing to stop"* ]] || { show_run; return 1; }
	sf_clean "$C"
	# the same after a start and a stop
	sf_ok "$C" start -S
	sf_ok "$C" stop
	[ "$output" = "srcfilter detached from $C" ] || { show_run; return 1; }
	sf "$C" status
	[ "$status" -eq 1 ] || { show_run; return 1; }
	sf_ok "$C" stop
	sf_clean "$C"
}

# -- start: exit 3 when IFACE is busy ---------------------------------------

@test "foreign XDP program: start exit 3, left in place; other commands exit 1" {
	local id
	id=$(foreign_prog "$C")
	[ -n "$id" ]
	fails 3 "never replaces" "$C" start
	fails 3 "never replaces" "$C" start -S -l
	[ "$(xdp_id "$C")" = "$id" ]
	no_pins "" srcfilter
	fails 1 "not running" "$C" add "$S4.0/24"
	sf_ok "$C" stop
	[[ $output == *"is another's: left in place"* ]] || { show_run; return 1; }
	[ "$(xdp_id "$C")" = "$id" ]
	no_pins "" srcfilter
	run_dir_empty
}

@test "srclog.o on IFACE: start exit 3 with the hint start -l, srclog left running" {
	local id
	ip link set dev "$C" xdpgeneric obj "$XK/xdp/srclog.o" sec xdp
	id=$(xdp_id "$C")
	fails 3 "'start -l'" "$C" start -S
	[ "$(xdp_id "$C")" = "$id" ]
	no_pins "" srcfilter
	ip link set dev "$C" xdpgeneric off
	rm -f "$PINS"/srclog_*
	sf_clean "$C"
}

@test "start twice: exit 0, the same program; start -l on srcfilter: the same" {
	local id
	sf_ok "$C" start -S
	id=$(xdp_id "$C")
	[ "$(prog_name "$C")" = srcfilter ]
	sf_ok "$C" start -S
	[[ $output == *"already attached to $C (prog $id"* ]] || { show_run; return 1; }
	sf_ok "$C" start -l
	[ "$(xdp_id "$C")" = "$id" ]
	sf_ok "$C" stop
	sf_clean "$C"
}

# -- apply and confirm ------------------------------------------------------

@test "apply without --confirm, or with a bad SECONDS: exit 2, nothing changed" {
	local f=$BATS_TEST_TMPDIR/rules s
	started
	echo 198.18.1.0/24 >"$f"
	fails 2 "apply needs --confirm" "$C" apply "$f"
	fails 2 "--confirm needs" "$C" apply --confirm
	fails 2 "apply needs --confirm" "$C" apply --confirm '' "$f"
	for s in 0 4 abc -1 1.5 86401 999999 ' 60' 1e3; do
		fails 2 "--confirm '$s'" "$C" apply --confirm "$s" "$f"
		fails 2 "--confirm '$s'" "$C" apply "--confirm=$s" "$f"
	done
	fails 2 "one FILE" "$C" apply --confirm 60
	unchanged
}

@test "apply while one is pending: exit 3; confirm keeps; confirm again: exit 1" {
	local f=$BATS_TEST_TMPDIR/rules pid
	started
	echo 198.18.1.0/24 >"$f"
	sf_ok "$C" apply --confirm 600 "$f"
	[ "$(rules "$C")" = '["198.18.1.0/24 drop"]' ] || { rules "$C"; return 1; }
	pid=$(cat "$XDPKIT_RUN_DIR"/srcfilter.*/pid)
	alive "$pid"
	fails 3 "pending" "$C" apply --confirm 60 "$f"
	sf_ok "$C" status
	[[ $output == *"apply pending"* ]] || { show_run; return 1; }
	sf_ok "$C" confirm
	gone "$pid"
	run_dir_empty
	[ "$(rules "$C")" = '["198.18.1.0/24 drop"]' ] || { rules "$C"; return 1; }
	fails 1 "no apply is pending" "$C" confirm
	run_dir_empty
}

@test "stop while an apply is pending: its timer ends with it" {
	local f=$BATS_TEST_TMPDIR/rules pid
	started
	echo 198.18.1.0/24 >"$f"
	sf_ok "$C" apply --confirm 600 "$f"
	pid=$(cat "$XDPKIT_RUN_DIR"/srcfilter.*/pid)
	sf_ok "$C" stop
	gone "$pid"
	sf_clean "$C"
}

@test "apply killed halfway (after the rules changed): the timer still rolls them back" {
	local d f=$BATS_TEST_TMPDIR/rules
	# the helper, but the first replace hangs once it has written the
	# rules: as if the session that ran apply were cut there
	d=$(wrapped_tree <<EOF
"\$REAL" "\$@" || exit
case " \$* " in
*" replace "*) rm "$BATS_TEST_TMPDIR/hang" 2>/dev/null && exec sleep 600 ;;
esac
exit 0
EOF
)
	started
	echo 198.18.1.0/24 >"$f"
	touch "$BATS_TEST_TMPDIR/hang"
	start_bg setsid "$d/scripts/srcfilter.sh" "$C" apply --confirm 5 "$f"
	wait_until 10 test ! -e "$BATS_TEST_TMPDIR/hang"
	[ "$(rules "$C")" = '["198.18.1.0/24 drop"]' ] || { rules "$C"; return 1; }
	kill -9 -- "-$BG_PID"
	exited "$BG_PID"
	BG_PID=
	# the roll-back comes within the 5 s the apply asked for
	wait_until 15 run_dir_empty
	run_dir_empty
	unchanged
}

@test "a roll-back whose saved rules cannot go back removes every rule, and status says so until stop" {
	local d f=$BATS_TEST_TMPDIR/rules
	# the helper, but putting the saved rules back fails, as with a
	# damaged run directory
	d=$(wrapped_tree <<'EOF'
case " $* " in
*"/previous "*) echo "srcfilter-map: saved rules unreadable" >&2; exit 2 ;;
esac
exec "$REAL" "$@"
EOF
)
	started
	printf '%s\n' 198.18.1.0/24 198.18.2.0/24 >"$f"
	run --separate-stderr "$d/scripts/srcfilter.sh" "$C" apply --confirm 10 "$f"
	[ "$status" -eq 0 ] || { show_run; return 1; }
	[ "$(rules "$C")" = '["198.18.1.0/24 drop","198.18.2.0/24 drop"]' ] || { rules "$C"; return 1; }
	# the applied rules do not stay: no rule at all is what never cuts
	# the operator off
	wait_until 25 no_rules "$C"
	no_rules "$C"
	sf_ok "$C" status
	[[ $output == *"last roll-back: "*"previous rules could not be put back (srcfilter-map: saved rules unreadable): every rule of $C removed"* ]] ||
		{ show_run; return 1; }
	# stop forgets it
	sf_ok "$C" stop
	run_dir_empty
	sf_clean "$C"
}

@test "IFACE deleted with rules and an apply pending; a new device with its ifindex: nothing inherited" {
	local f=$BATS_TEST_TMPDIR/rules pid idx
	started
	idx=$(ifindex_of "$C")
	echo 198.18.1.0/24 >"$f"
	sf_ok "$C" apply --confirm 600 "$f"
	pid=$(cat "$XDPKIT_RUN_DIR"/srcfilter.*/pid)
	ip link del "$C"
	ip link add "$C" index "$idx" type veth peer name "${C}x"
	EXTRA=$C
	ip link set "$C" up
	sf_ok "$C" start -S
	[ "$(rules "$C")" = '[]' ] || { rules "$C"; return 1; }
	gone "$pid"
	run_dir_empty
	sf_ok "$C" status
	[[ $output != *"apply pending"* ]] || { show_run; return 1; }
}

# -- the environment: exit 3 ------------------------------------------------

@test "not root: exit 3" {
	local d
	d=$(copy_tree)
	run --separate-stderr setpriv --reuid=65534 --regid=65534 --clear-groups \
		"$d/scripts/srcfilter.sh" "$C" start -S
	expect_error 3 "root" srcfilter.sh
	run --separate-stderr setpriv --reuid=65534 --regid=65534 --clear-groups \
		"$d/scripts/srcfilter.sh" "$C" add "$S4.0/24"
	expect_error 3 "root" srcfilter.sh
	sf_clean "$C"
}
