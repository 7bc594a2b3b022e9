#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# The systemd template units of the package (debian/xdpkit.NAME@.service,
# instance = interface): systemd-analyze verify accepts each one where the
# package installs it; and their command lines, run as systemd runs them
# (ExecStart= lines in order until one fails, then ExecStopPost=; %I the
# interface; $VAR split into words from /etc/xdpkit/units.conf, then
# /etc/xdpkit/interfaces/IFACE.conf) attach on start, refuse an
# interface held by another XDP program with exit 3 and one line, and
# leave nothing behind on stop, nor after a start that failed halfway.
# shellcheck disable=SC2154 # stderr_lines comes from bats' run
# shellcheck disable=SC2153 # PINS comes from helpers.bash

bats_require_minimum_version 1.5.0
load helpers

UNITS="xdping-server srclog srcfilter"

setup() {
	lab_up
	# what /etc/xdpkit is for the units under test
	ETC=$BATS_TEST_TMPDIR/etc
	mkdir -p "$ETC/interfaces" "$ETC/srcfilter"
	cp "$XK/debian/units.conf" "$ETC/"
}

teardown() {
	lab_down
}

# unit_lines NAME KEY IFACE: the command lines of KEY in NAME's template,
# one a line, for instance IFACE, with /etc/xdpkit at $ETC and
# /usr/sbin/NAME this clone's scripts/NAME.sh.
unit_lines() {
	local line
	grep "^$2=" "$XK/debian/xdpkit.$1@.service" | while IFS= read -r line; do
		line=${line#"$2="}
		line=${line//%I/$3}
		line=${line//%i/$3}
		line=${line//\/etc\/xdpkit/$ETC}
		printf '%s\n' "${line//\/usr\/sbin\/$1 /$XK/scripts/$1.sh }"
	done
}

# unit_run NAME KEY IFACE: KEY's lines run as systemd runs them, in order,
# up to the first that fails, whose status is returned; the variables of
# $ETC/units.conf, then $ETC/interfaces/IFACE.conf, are set (in the
# subshell bats' run gives it).
unit_run() {
	local line w name words cmd
	set -a
	# shellcheck source=debian/units.conf
	. "$ETC/units.conf"
	# shellcheck disable=SC1090 # the interface's file, made by a test
	[ ! -f "$ETC/interfaces/$3.conf" ] || . "$ETC/interfaces/$3.conf"
	set +a
	while IFS= read -r line; do
		read -r -a words <<<"$line"
		cmd=()
		for w in "${words[@]}"; do
			if [[ $w == \$* ]]; then
				name=${w#\$}
				# unquoted on purpose: systemd splits $VAR into words
				# shellcheck disable=SC2206
				cmd+=(${!name})
			else
				cmd+=("$w")
			fi
		done
		"${cmd[@]}" </dev/null || return
	done < <(unit_lines "$1" "$2" "$3")
}

# unit NAME start|stop IFACE: the unit's start (ExecStart=) or stop
# (ExecStopPost=) with bats' run: $status, $output (stdout), $stderr.
unit() {
	local key=ExecStart
	[ "$2" = stop ] && key=ExecStopPost
	run --separate-stderr unit_run "$1" "$key" "$3"
}

@test "systemd-analyze verify: every unit, as the package installs it" {
	command -v systemd-analyze >/dev/null || skip "systemd-analyze missing (package systemd)"
	local r=$BATS_TEST_TMPDIR/root u c
	make -C "$XK" -s install PREFIX=/usr DESTDIR="$r"
	mkdir -p "$r/lib/systemd/system" "$r/sbin"
	for u in $UNITS; do
		cp "$XK/debian/xdpkit.$u@.service" "$r/lib/systemd/system/$u@.service"
	done
	# /usr/sbin as the package leaves it, seen only by systemd-analyze: the
	# host's commands, and ours (verify checks that ExecStart= runs a file)
	cp -as /usr/sbin/. "$r/sbin/"
	for c in $UNITS xdping; do
		ln -sf "$r/usr/lib/xdpkit/scripts/$c.sh" "$r/sbin/$c"
	done
	# an instance of each template, and one whose name has a dash (escaped)
	set --
	for u in $UNITS; do
		set -- "$@" "$r/lib/systemd/system/$u@eth0.service" "$r/lib/systemd/system/$u@veth\\x2da.service"
	done
	# MANPATH: Documentation= names man:NAME(8), the pages installed above
	# shellcheck disable=SC2016 # expanded by the inner sh
	run unshare -m --propagation private sh -c 'mount --bind "$1" /usr/sbin && shift &&
		MANPATH="$0" exec systemd-analyze verify "$@"' "$r/usr/share/man" "$r/sbin" "$@"
	[ "$status" -eq 0 ] && [ -z "$output" ] || { echo "$output"; return 1; }
	# and it does find fault: a command that is not there
	sed 's|^ExecStart=/usr/sbin/srclog |ExecStart=/usr/sbin/xk-no-such |' \
		"$XK/debian/xdpkit.srclog@.service" >"$r/lib/systemd/system/srclog@.service"
	# shellcheck disable=SC2016
	run unshare -m --propagation private sh -c 'mount --bind "$1" /usr/sbin && shift &&
		MANPATH="$0" exec systemd-analyze verify "$@"' "$r/usr/share/man" "$r/sbin" \
		"$r/lib/systemd/system/srclog@eth0.service"
	[ "$status" -ne 0 ] && [[ $output == *xk-no-such* ]] || { echo "$output"; return 1; }
}

@test "each unit: ordered after its interface, stopped with it, never enabled by the package" {
	local u f
	for u in $UNITS; do
		f=$XK/debian/xdpkit.$u@.service
		grep -qx 'BindsTo=sys-subsystem-net-devices-%i.device' "$f"
		grep -qx 'After=sys-subsystem-net-devices-%i.device' "$f"
		grep -qx 'Type=oneshot' "$f"
		grep -qx 'RemainAfterExit=yes' "$f"
		grep -qx "ExecStopPost=/usr/sbin/$u %I stop" "$f"
		grep -qx "Documentation=man:$u(8)" "$f"
		# what unit_run sets, in its order: the interface's file wins
		[ "$(grep '^EnvironmentFile=' "$f")" = "EnvironmentFile=-/etc/xdpkit/units.conf
EnvironmentFile=-/etc/xdpkit/interfaces/%I.conf" ]
	done
	grep -qx 'After=network-online.target' "$XK/debian/xdpkit.xdping-server@.service"
	grep -q -- '--no-enable --no-start' "$XK/debian/rules"
}

@test "xdping-server@: start attaches and answers for the host, stop detaches and leaves nothing" {
	unit xdping-server start "$C"
	expect_ok
	[ "$(prog_name "$C")" = xdping_server ]
	# the far side's pings, answered in XDP (a veth's XDP_TX needs a
	# program on its peer)
	peer_xdp pass.o
	ip netns exec "$NS" ping -n -q -c 3 -i 0.2 -W 2 "$C_ADDR" >/dev/null
	run "$SRV" "$C" status
	[ "$status" -eq 0 ] && [ "$(counter_of answered)" -ge 3 ] || { echo "$output"; return 1; }
	unit xdping-server stop "$C"
	expect_ok
	assert_clean "$C"
}

@test "srclog@: the options of units.conf, then interfaces/IFACE.conf's, reach start" {
	sed -i 's/^SRCLOG_OPTS=.*/SRCLOG_OPTS="-N"/' "$ETC/units.conf"
	unit srclog start "$C"
	expect_ok
	[ "$(prog_name "$C")" = srclog ]
	ip -d link show dev "$C" | grep -qw xdp
	unit srclog stop "$C"
	expect_ok
	srclog_clean "$C"
	# the interface's own file wins over units.conf
	echo 'SRCLOG_OPTS="-S -l off"' >"$ETC/interfaces/$C.conf"
	unit srclog start "$C"
	expect_ok
	ip -d link show dev "$C" | grep -qw xdpgeneric
	run "$SRCLOG" "$C" status
	[[ $output == *"log: off"* ]] || { echo "$output"; return 1; }
	unit srclog stop "$C"
	expect_ok
	srclog_clean "$C"
}

@test "srcfilter@: the rules of srcfilter/IFACE.rules, and stop removes them with the program" {
	local s=198.19.$((BATS_TEST_NUMBER % 250))
	printf '# the unit test\n%s.0/24 drop\n%s.7 count\n' "$s" "$s" >"$ETC/srcfilter/$C.rules"
	unit srcfilter start "$C"
	expect_ok
	[ "$(prog_name "$C")" = srcfilter ]
	run "$XK/scripts/srcfilter.sh" "$C" save
	[ "$status" -eq 0 ] && [ "$(sort <<<"$output")" = "$s.0/24 drop
$s.7/32 count" ] || { echo "$output"; return 1; }
	unit srcfilter stop "$C"
	expect_ok
	assert_clean "$C" "" srcfilter
}

@test "srcfilter@: no rules file, or a bad one: start fails, and its stop leaves no filter" {
	unit srcfilter start "$C"
	[ "$status" -eq 2 ] && [[ $stderr == *"cannot read '$ETC/srcfilter/$C.rules'"* ]] || { show_run; return 1; }
	# systemd runs ExecStopPost= after a start that failed
	[ "$(prog_name "$C")" = srcfilter ]
	unit srcfilter stop "$C"
	expect_ok
	assert_clean "$C" "" srcfilter
	printf 'not-a-prefix drop\n' >"$ETC/srcfilter/$C.rules"
	unit srcfilter start "$C"
	[ "$status" -eq 2 ] || { show_run; return 1; }
	unit srcfilter stop "$C"
	expect_ok
	assert_clean "$C" "" srcfilter
}

@test "another XDP program on the interface: every unit fails with exit 3 and one line, and leaves it" {
	local id u
	id=$(foreign_prog "$C")
	for u in $UNITS; do
		: >"$ETC/srcfilter/$C.rules"
		unit "$u" start "$C"
		expect_error 3 "$C" "$u.sh" || return 1
		unit "$u" stop "$C"
		expect_ok
		[ "$(xdp_id "$C")" = "$id" ] || { echo "$u: the foreign program is gone"; return 1; }
	done
	no_pins "" srclog
	no_pins "" srcfilter
	no_pins "" xdping
}
