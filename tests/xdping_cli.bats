#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# xdping.sh from the command line: usage and input errors (exit 2), the
# environment (exit 3), signals, and --cleanup after a killed run. Every
# error must leave one line on stderr and the interface as found.
# shellcheck disable=SC2016 # metacharacters in single quotes on purpose
# shellcheck disable=SC2154 # stderr_lines comes from bats' run
# shellcheck disable=SC2153 # PINS comes from helpers.bash
# shellcheck disable=SC2030,SC2031 # each @test is its own subshell, on purpose

bats_require_minimum_version 1.5.0
load helpers

setup() {
	lab_up
	BG_PID=
	BG_KIDS=
	BRIDGE=
	OTHER=
}

teardown() {
	local p
	for p in $BG_PID $BG_KIDS; do
		kill -9 "$p" 2>/dev/null || true
	done
	[ -z "$BRIDGE" ] || ip link del "$BRIDGE" 2>/dev/null || true
	[ -z "$OTHER" ] || ip link del "$OTHER" 2>/dev/null || true
	lab_down
}

# wait_measuring COUNT: waits (at most 10 s) until our program is on $C
# and the script start_bg started runs its 'ping -c COUNT'; sets BG_KIDS to
# the script's children.
wait_measuring() {
	if ! wait_until 10 measuring "$1"; then
		echo "no measuring run after 10 s: $(cat "$BG_OUT" "$BG_ERR")"
		return 1
	fi
	if ! alive "$BG_PID"; then
		echo "xdping.sh ended early: $(cat "$BG_OUT" "$BG_ERR")"
		return 1
	fi
	BG_KIDS=$(ps -o pid= --ppid "$BG_PID" | tr -s ' \n' ' ')
	[ -n "${BG_KIDS// /}" ]
}

# measuring COUNT: true once the background xdping.sh measures (see
# wait_measuring), or has ended.
measuring() {
	alive "$BG_PID" || return 0
	# shellcheck disable=SC2009 # pgrep cannot match args and parent at once
	[ "$(prog_name "$C")" = xdping_client ] &&
		ps -o args= --ppid "$BG_PID" | grep -q "^ping .* -c $1 "
}

# run_has_samples N: the busiest run in $PINS/xdping_runs holds N samples.
run_has_samples() {
	[ "$(bpftool -j map dump pinned "$PINS/xdping_runs" 2>/dev/null |
		jq '[.[].formatted.value.done] | max // 0' 2>/dev/null)" = "$1" ]
}

# interrupted SIGNAL CODE: a measuring run stopped by SIGNAL exits CODE,
# kills its children and leaves $C clean.
interrupted() {
	local rc=0
	start_bg "$XDPING" -S -c 50 -i 0.2 "$C" "$P_ADDR"
	wait_measuring 50
	kill -s "$1" "$BG_PID"
	wait "$BG_PID" || rc=$?
	BG_PID=
	if [ "$rc" -ne "$2" ]; then
		echo "exit $rc after SIG$1, expected $2"
		cat "$BG_OUT" "$BG_ERR"
		return 1
	fi
	# shellcheck disable=SC2086
	gone $BG_KIDS
	BG_KIDS=
	assert_clean "$C"
}

# -- usage and input: exit 2 -------------------------------------------

@test "no arguments: exit 2" {
	xdping
	expect_error 2 "IFACE and at least one HOST"
	assert_clean "$C"
}

@test "unknown option: exit 2, one line" {
	xdping -x "$C" "$P_ADDR"
	expect_error 2 "unknown option"
	xdping -c 4 --bogus "$C" "$P_ADDR"
	expect_error 2 "option"
	assert_clean "$C"
}

@test "-N with -S: exit 2" {
	xdping -N -S "$C" "$P_ADDR"
	expect_error 2 "exclude"
	xdping -S -N "$C" "$P_ADDR"
	expect_error 2 "exclude"
	assert_clean "$C"
}

@test "missing HOST: exit 2" {
	xdping "$C"
	expect_error 2 "HOST"
	xdping -c 2 "$C"
	expect_error 2 "HOST"
	assert_clean "$C"
}

@test "every argument after IFACE is a HOST: one that does not resolve is exit 2" {
	xdping "$C" "$P_ADDR" extra
	expect_error 2 "'extra' does not resolve"
	assert_clean "$C"
}

@test "more targets than the runs map holds: exit 2" {
	local many=() i
	for i in $(seq 1 257); do many+=("198.18.1.$((i % 250 + 1))"); done
	xdping "$C" "${many[@]}"
	expect_error 2 "holds 256"
	assert_clean "$C"
}

@test "-4 with -6, -j with --jsonl: exit 2" {
	xdping -4 -6 "$C" "$P_ADDR"
	expect_error 2 "exclude"
	xdping -j --jsonl "$C" "$P_ADDR"
	expect_error 2 "exclude"
	xdping --jsonl --json "$C" "$P_ADDR"
	expect_error 2 "exclude"
	assert_clean "$C"
}

@test "count 0, 1025, abc, -1, empty: exit 2" {
	local c
	for c in 0 1025 abc -1 '' 1e3 99999999999; do
		xdping -c "$c" "$C" "$P_ADDR"
		expect_error 2 "count" || { echo "with -c '$c'"; return 1; }
	done
	assert_clean "$C"
}

@test "size abc, -1: exit 2" {
	local s
	for s in abc -1 '' 65508; do
		xdping -s "$s" "$C" "$P_ADDR"
		expect_error 2 "size" || { echo "with -s '$s'"; return 1; }
	done
	assert_clean "$C"
}

@test "size above MTU-28: exit 2, names the MTU" {
	xdping -s 1473 "$C" "$P_ADDR"
	expect_error 2 "MTU 1500"
	[[ $stderr == *1472* ]]
	# The limit follows the interface's MTU.
	ip link set dev "$C" mtu 1400
	xdping -s 1373 "$C" "$P_ADDR"
	expect_error 2 "MTU 1400"
	assert_clean "$C"
}

@test "-W 0, abc, 3601: exit 2" {
	local w
	for w in 0 abc 0.0 -1 3601 1e2; do
		xdping -W "$w" "$C" "$P_ADDR"
		expect_error 2 "wait" || { echo "with -W '$w'"; return 1; }
	done
	assert_clean "$C"
}

@test "-i abc, 0: exit 2" {
	local i
	for i in abc 0 0.000 -1 1.2.3 1,5; do
		xdping -i "$i" "$C" "$P_ADDR"
		expect_error 2 "interval" || { echo "with -i '$i'"; return 1; }
	done
	assert_clean "$C"
}

@test "unknown interface: exit 2" {
	xdping xknosuch0 "$P_ADDR"
	expect_error 2 "xknosuch0"
	[[ $stderr == *interface* ]]
	xdping abcdefghijklmnopq "$P_ADDR"
	expect_error 2 "interface"
	xdping -S -- "-$C" "$P_ADDR"
	expect_error 2 "interface"
	assert_clean "$C"
}

@test "shell metacharacters in IFACE and HOST are data: exit 2, nothing run" {
	local d=$XDPKIT_TEST_TMP/meta.$BATS_TEST_NUMBER name
	mkdir -p "$d"
	cd "$d"
	for name in "x;touch $d/pwned" "\$(touch $d/pwned)" "\`touch $d/pwned\`" \
		'x;>pwned' '$(>pwned)' '`>pwned`' 'x|tee pwned' "$C;>pwned"; do
		xdping "$name" "$P_ADDR"
		expect_error 2 "interface" || { echo "with IFACE '$name'"; return 1; }
		[ ! -e "$d/pwned" ] || { echo "IFACE '$name' ran a command"; return 1; }
	done
	for name in '$(>pwned)' '`>pwned`' 'x;>pwned' "$P_ADDR;>pwned"; do
		xdping "$C" "$name"
		expect_error 2 "is not a host" || { echo "with HOST '$name'"; return 1; }
		[ ! -e "$d/pwned" ] || { echo "HOST '$name' ran a command"; return 1; }
	done
	assert_clean "$C"
}

@test "host that does not resolve: exit 2" {
	xdping "$C" something.invalid
	expect_error 2 "something.invalid"
	[[ $stderr == *resolve* ]]
	xdping "$C" 198.18.0.256
	expect_error 2 "resolve"
	assert_clean "$C"
}

@test "-4 with an IPv6 literal, -6 with an IPv4 literal: exit 2" {
	xdping -4 "$C" 2001:db8::1
	expect_error 2 "-4 with the IPv6 address 2001:db8::1"
	xdping -6 "$C" "$P_ADDR"
	expect_error 2 "-6 with the IPv4 address"
	xdping -6 "$C" 198.18.0.1 2001:db8::1
	expect_error 2 "-6 with the IPv4 address"
	assert_clean "$C"
}

@test "an IPv6 host on an interface without IPv6: exit 2" {
	sysctl -qw "net.ipv6.conf.$C.disable_ipv6=1"
	xdping "$C" 2001:db8::1
	expect_error 2 "has no IPv6 address"
	xdping "$C" "$P_ADDR" 2001:db8::1
	expect_error 2 "has no IPv6 address"
	assert_clean "$C"
}

@test "a name that has no address of the forced family: exit 2" {
	printf '198.18.9.9 v4only.test\n2001:db8::99 v6only.test\n' >"$BATS_TEST_TMPDIR/hosts"
	mount --bind "$BATS_TEST_TMPDIR/hosts" /etc/hosts
	xdping -6 "$C" v4only.test
	local rc=$status err=$stderr
	xdping -4 "$C" v6only.test
	umount /etc/hosts
	status=$rc stderr=$err stderr_lines=("$err")
	expect_error 2 "does not resolve to an IPv6 address"
	assert_clean "$C"
}

@test "host beginning with '-': exit 2" {
	xdping "$C" -foo
	expect_error 2 "'-foo' is not a host"
	xdping -- "$C" -c
	expect_error 2 "not a host"
	assert_clean "$C"
}

@test "--help and -h: usage on stdout, exit 0" {
	xdping --help
	[ "$status" -eq 0 ] || { show_run; return 1; }
	[[ ${lines[0]} == "usage: xdping.sh "* ]]
	[[ $output == *--cleanup* ]]
	[[ $output == *Exit:* ]]
	[ -z "$stderr" ]
	xdping -h
	[ "$status" -eq 0 ]
	[[ ${lines[0]} == "usage: xdping.sh "* ]]
}

# -- environment: exit 3 -----------------------------------------------

@test "not root: exit 3" {
	local d
	d=$(copy_tree)
	cd "$d"
	run --separate-stderr setpriv --reuid=65534 --regid=65534 --clear-groups \
		"$d/scripts/xdping.sh" -S -c 1 "$C" "$P_ADDR"
	expect_error 3 "root"
	assert_clean "$C"
	no_pins
}

@test "ping missing: exit 3, names the tool" {
	local bin=$XDPKIT_TEST_TMP/bin.$BATS_TEST_NUMBER f
	mkdir -p "$bin"
	for f in /usr/bin/*; do
		[ "${f##*/}" = ping ] || ln -s "$f" "$bin/"
	done
	run --separate-stderr env PATH="$bin" "$XDPING" -S -c 1 "$C" "$P_ADDR"
	expect_error 3 "'ping'"
	[[ $stderr == *"not found"* ]]
	assert_clean "$C"
	no_pins
}

@test "TC_BPF_MNT relative: exit 3" {
	run --separate-stderr env TC_BPF_MNT=relative/bpffs "$XDPING" -S -c 1 "$C" "$P_ADDR"
	expect_error 3 "absolute"
	[ ! -e relative ] && [ ! -e "$XK/relative" ]
	assert_clean "$C"
}

@test "TC_BPF_MNT where no bpffs can be mounted: exit 3" {
	run --separate-stderr env TC_BPF_MNT=/proc/xdpkit-bpffs "$XDPING" -S -c 1 "$C" "$P_ADDR"
	expect_error 3 "/proc/xdpkit-bpffs"
	[[ $stderr == *bpffs* ]]
	# A regular file is no bpffs either.
	: >"$XDPKIT_TEST_TMP/notbpffs"
	run --separate-stderr env TC_BPF_MNT="$XDPKIT_TEST_TMP/notbpffs" "$XDPING" -S -c 1 "$C" "$P_ADDR"
	expect_error 3 "bpffs"
	assert_clean "$C"
	no_pins
}

@test "a bpffs mounted for the run is unmounted on every early error" {
	local mnt=$XDPKIT_TEST_TMP/fresh-bpffs
	# a negated command never fails a bats test: the negation goes in a function
	unmounted() { ! grep -q " $mnt bpf " /proc/self/mounts; }
	run --separate-stderr env TC_BPF_MNT="$mnt" "$XDPING" -S -c 1 "$C" no-such-host.invalid
	expect_error 2 "resolve"
	unmounted
	run --separate-stderr env TC_BPF_MNT="$mnt" "$XDPING" -S -c 1 -s 1473 "$C" "$P_ADDR"
	expect_error 2 "MTU"
	unmounted
	ip link set dev "$C" xdpgeneric obj "$XK/xdp/pass.o" sec xdp
	run --separate-stderr env TC_BPF_MNT="$mnt" "$XDPING" -S -c 1 "$C" "$P_ADDR"
	expect_error 3 "never replaces"
	unmounted
	run --separate-stderr env TC_BPF_MNT="$mnt" "$XK/scripts/xdping-server.sh" "$C" start
	expect_error 3 "never replaces" xdping-server.sh
	unmounted
	ip link set dev "$C" xdpgeneric off
	# a whole run mounts it, and unmounts it at the end
	run --separate-stderr env TC_BPF_MNT="$mnt" "$XDPING" -S -c 1 "$C" "$P_ADDR"
	[ "$status" -eq 0 ]
	unmounted
	assert_clean "$C"
}

@test "foreign XDP program on IFACE: exit 3, left in place" {
	local id
	id=$(foreign_prog "$C")
	[ -n "$id" ]
	xdping -S -c 1 "$C" "$P_ADDR"
	expect_error 3 "never replaces"
	[ "$(xdp_id "$C")" = "$id" ]
	xdping -c 1 "$C" "$P_ADDR"
	expect_error 3 "never replaces"
	xdping -N -c 1 "$C" "$P_ADDR"
	expect_error 3 "never replaces"
	[ "$(xdp_id "$C")" = "$id" ]
	[ "$(prog_name "$C")" = xdp_pass ]
	no_pins
}

@test "xdping_client already on IFACE: exit 3, points at --cleanup" {
	local id
	ip link set dev "$C" xdpgeneric obj "$XK/xdp/xdping_client.o" sec xdp
	id=$(xdp_id "$C")
	[ -n "$id" ]
	xdping -S -c 1 "$C" "$P_ADDR"
	expect_error 3 "--cleanup $C"
	[ "$(xdp_id "$C")" = "$id" ]
	# Its maps stay pinned: they are that program's.
	[ -e "$PINS/xdping_runs" ]
	[ -e "$PINS/xdping_stats" ]
}

@test "kernel refuses native mode: exit 3, no pin left" {
	# A bridge has no native XDP: iproute2 loads the object, pins its
	# maps, then the attach fails.
	BRIDGE=xk${BATS_TEST_NUMBER}br
	ip link add "$BRIDGE" type bridge
	ip link set "$BRIDGE" up
	xdping -N -c 1 "$BRIDGE" "$P_ADDR"
	expect_error 3 "$BRIDGE"
	assert_clean "$BRIDGE"
}

@test "target that does not answer: exit 1, interface clean" {
	peer_responder off
	xdping -S -c 1 -W 1 "$C" "$P_ADDR"
	expect_error 1 "does not answer"
	assert_clean "$C"
}

# -- signals -----------------------------------------------------------

@test "SIGINT during a run: exit 130, clean" {
	interrupted INT 130
}

@test "SIGTERM during a run: exit 143, clean" {
	interrupted TERM 143
}

@test "SIGHUP during a run: exit 129, clean" {
	interrupted HUP 129
}

# -- --cleanup ---------------------------------------------------------

@test "SIGKILL leaves the program; --cleanup removes it, its runs and pins" {
	local rc=0 p
	start_bg "$XDPING" -S -c 50 -i 0.2 "$C" "$P_ADDR"
	wait_measuring 50
	kill -9 "$BG_PID"
	wait "$BG_PID" || rc=$?
	[ "$rc" -eq 137 ]
	BG_PID=
	for p in $BG_KIDS; do
		kill "$p" 2>/dev/null || true
	done
	# shellcheck disable=SC2086
	gone $BG_KIDS
	BG_KIDS=
	# Left behind: the program, its pins and the run.
	[ "$(prog_name "$C")" = xdping_client ]
	[ -e "$PINS/xdping_runs" ]
	[ -e "$PINS/xdping_stats" ]
	[ "$(bpftool -j map dump pinned "$PINS/xdping_runs")" != "[]" ]

	xdping --cleanup "$C"
	[ "$status" -eq 0 ] || { show_run; return 1; }
	[ -z "$stderr" ]
	[[ $output == *detached* ]]
	assert_clean "$C"

	# A second time: nothing to do, still exit 0.
	xdping --cleanup "$C"
	[ "$status" -eq 0 ] || { show_run; return 1; }
	assert_clean "$C"
}

@test "SIGKILL: --cleanup also removes the killed run's temporary directory and pings" {
	local tdir=$BATS_TEST_TMPDIR/tmp kids p alive=0
	mkdir "$tdir"
	export TMPDIR=$tdir
	start_bg "$XDPING" -S -c 50 -i 0.2 "$C" "$P_ADDR"
	wait_measuring 50
	kids=$BG_KIDS
	kill -9 "$BG_PID"
	wait "$BG_PID" || true
	BG_PID=
	[ "$(find "$tdir" -mindepth 1 -maxdepth 1 -name 'xdping.*' | wc -l)" -eq 1 ]
	for p in $kids; do
		! kill -0 "$p" 2>/dev/null || alive=1
	done
	[ "$alive" -eq 1 ]	# its ping -c 50 goes on without it

	xdping --cleanup "$C"
	[ "$status" -eq 0 ] || { show_run; return 1; }
	[ -z "$(ls -A "$tdir")" ] || { echo "left in TMPDIR: $(ls -A "$tdir")"; return 1; }
	# shellcheck disable=SC2086
	gone $kids
	BG_KIDS=
	assert_clean "$C"
}

@test "--cleanup leaves the temporary directory of a run still going" {
	local tdir=$BATS_TEST_TMPDIR/tmp
	mkdir "$tdir"
	export TMPDIR=$tdir
	start_bg "$XDPING" -S -c 50 -i 0.2 "$C" "$P_ADDR"
	wait_measuring 50
	# (--cleanup detaches its program: it is meant for killed runs)
	xdping --cleanup "$C"
	[ "$status" -eq 0 ] || { show_run; return 1; }
	[ "$(find "$tdir" -mindepth 1 -maxdepth 1 -name 'xdping.*' | wc -l)" -eq 1 ]
	kill -TERM "$BG_PID"
	exited "$BG_PID" 10
	BG_PID=
	[ -z "$(ls -A "$tdir")" ]
}

@test "a run gone from the map at report time: the target is still in -j, with its losses" {
	# the far side drops the chain's requests after its first 3 samples
	ip -n "$NS" link set dev "$P" xdp obj "$XK/tests/xdp/drop_after.o" sec xdp
	start_bg "$XDPING" -j -S -c 10 -i 0.01 -W 3 "$C" "$P_ADDR"
	wait_until 10 run_has_samples 3 ||
		{ echo "no run with 3 samples: $(cat "$BG_OUT" "$BG_ERR")"; return 1; }
	"$XK/scripts/lib/xdping-map" purge "$PINS/xdping_runs" "$(ifindex_of "$C")"
	exited "$BG_PID" 10
	BG_PID=
	[ "$EXIT_RC" -eq 1 ] || { cat "$BG_OUT" "$BG_ERR"; return 1; }
	jq -e --arg a "$P_ADDR" '.targets | length == 1 and .[0].address == $a
		and (.[0].error | test("gone"))
		and .[0].xdp.lost == 10 and .[0].ping.lost == 0 and .[0].lost == 10' "$BG_OUT"
	assert_clean "$C"
}

@test "--cleanup removes only IFACE's runs while another client shares the map" {
	local rc=0 p oidx
	# Another interface with an xdping_client and a run of its own.
	OTHER=xk${BATS_TEST_NUMBER}o
	ip link add "$OTHER" type veth peer name "${OTHER}x"
	ip link set dev "$OTHER" xdpgeneric obj "$XK/xdp/xdping_client.o" sec xdp
	oidx=$(ifindex_of "$OTHER")
	"$XK/scripts/lib/xdping-map" seed "$PINS/xdping_runs" "$oidx" 198.18.250.9 4242 1

	start_bg "$XDPING" -S -c 50 -i 0.2 "$C" "$P_ADDR"
	wait_measuring 50
	kill -9 "$BG_PID"
	wait "$BG_PID" || rc=$?
	BG_PID=
	for p in $BG_KIDS; do
		kill "$p" 2>/dev/null || true
	done
	# shellcheck disable=SC2086
	gone $BG_KIDS
	BG_KIDS=
	[ "$(bpftool -j map dump pinned "$PINS/xdping_runs" | jq length)" -eq 2 ]

	xdping --cleanup "$C"
	[ "$status" -eq 0 ] || { show_run; return 1; }
	[ -z "$(xdp_id "$C")" ]
	# The map stays (the other client uses it), with the other run only.
	[ -e "$PINS/xdping_runs" ]
	[ "$(bpftool -j map dump pinned "$PINS/xdping_runs" | jq length)" -eq 1 ]
	run "$XK/scripts/lib/xdping-map" progress "$PINS/xdping_runs" "$oidx" 198.18.250.9 4242
	[ "$output" = "0 1" ]
	[ "$(prog_name "$OTHER")" = xdping_client ]
}

@test "--cleanup on a clean interface: exit 0" {
	xdping --cleanup "$C"
	[ "$status" -eq 0 ] || { show_run; return 1; }
	[ -z "$stderr" ]
	[[ $output == *clean* ]]
	assert_clean "$C"
}

@test "--cleanup with a foreign program: exit 0, left in place" {
	local id
	id=$(foreign_prog "$C")
	xdping --cleanup "$C"
	[ "$status" -eq 0 ] || { show_run; return 1; }
	[[ $output == *"left in place"* ]]
	[ "$(xdp_id "$C")" = "$id" ]
	no_pins
}

@test "--cleanup without or with a bad interface: exit 2" {
	xdping --cleanup
	expect_error 2 "--cleanup IFACE"
	xdping --cleanup "$C" extra
	expect_error 2 "--cleanup IFACE"
	xdping --cleanup xknosuch0
	expect_error 2 "xknosuch0"
	xdping --cleanup 'x;>pwned'
	expect_error 2 "interface"
	assert_clean "$C"
}
