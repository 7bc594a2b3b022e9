#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# srcfilter end to end: srcfilter.sh on the far side of a veth lab, frames
# sent to it from many sources by tests/tools/blast. What the filter let
# through is counted by the far side's own kernel (UDP to port 9, where
# nobody listens: Udp NoPorts and Udp6NoPorts), and must equal what the
# filter's counters say it passed.
# shellcheck disable=SC2154 # status, output, stderr come from bats' run

bats_require_minimum_version 1.5.0
load helpers

SF=$XK/scripts/srcfilter.sh

setup() {
	lab_up
	N=$((BATS_TEST_NUMBER % 250))
	S4=198.19.$N
	S6=2001:db8:$N:ff:
	export XDPKIT_RUN_DIR=$BATS_TEST_TMPDIR/run
}

teardown() {
	show_failure
	ip netns exec "$NS" env TC_BPF_MNT="$FAR_FS" "$SF" "$P" stop >/dev/null 2>&1 || true
	"$SF" "$C" stop >/dev/null 2>&1 || true
	lab_down
}

# far_sf ARGS...: srcfilter.sh $P ARGS on the far side, with bats' run.
far_sf() {
	in_far "$NS" "$SF" "$P" "$@"
}

# far_sf_ok ARGS...: the same, which must exit 0 with a quiet stderr.
far_sf_ok() {
	far_sf "$@"
	[ "$status" -eq 0 ] && [ -z "$stderr" ] || { echo "srcfilter.sh $*:"; show_run; return 1; }
}

# noports [6]: the far side kernel's count of UDP datagrams to a port
# nobody listens on (IPv4, or IPv6 with 6).
noports() {
	if [ "${1:-}" = 6 ]; then
		ip netns exec "$NS" awk '$1 == "Udp6NoPorts" { print $2 }' /proc/net/snmp6
	else
		ip netns exec "$NS" awk '$1 == "Udp:" && $2 ~ /^[0-9]/ { print $3 }' /proc/net/snmp
	fi
}

# to_far ARGS...: tests/tools/blast from here ($C) to the far side ($P).
to_far() {
	local opts=()
	while [ "$#" -gt 2 ]; do
		opts+=("$1")
		shift
	done
	taskset -c 0 "$XK/tests/tools/blast" "${opts[@]}" "$C" "$(mac_of "$P" "$NS")" "$1" "$2"
}

# rule_is PREFIX FILTER: jq -e FILTER on that rule of the far side's list -j.
rule_is() {
	far_sf_ok list -j
	jq -e --arg p "$1" ".[] | select(.prefix == \$p) | $2" <<<"$output" >/dev/null ||
		{ echo "rule $1 is not $2: $output"; return 1; }
}

@test "IPv4: drop, count and no rule; the far kernel receives exactly what the filter passed" {
	lab_quiet
	far_sf_ok start -S
	far_sf_ok add "$S4.0/29"
	far_sf_ok add -a count "$S4.8/32"
	local before after
	before=$(noports)
	# 16 sources x 5 frames: .1-.7 dropped, .8 counted, .9-.16 unmatched
	to_far -r 16 -n 5 "$S4.1" "$P_ADDR"
	wait_until 3 test "$(($(noports) - before))" -ge 45 || true
	after=$(noports)
	[ "$((after - before))" -eq 45 ] || { echo "the far kernel got $((after - before)) datagrams, want 45"; return 1; }
	rule_is "$S4.0/29" '.action == "drop" and .packets == 35 and .bytes == 35 * 60 and .last_hit_s_ago != null'
	rule_is "$S4.8/32" '.action == "count" and .packets == 5 and .bytes == 300'
	far_sf_ok stats -j
	jq -e '.dropped == 35 and .counted == 5 and .unmatched == 40 and .xdp_drop == 35
		and .allowed == 0 and .xdp_pass == .counted + .unmatched + .not_ip + .malformed' \
		<<<"$output" >/dev/null || { echo "$output"; return 1; }
}

@test "IPv6: an allow rule beats a longer or shorter drop rule; the far kernel agrees" {
	lab_v6
	far_sf_ok start -S
	far_sf_ok add "${S6}:/120" "${S6}:4/126"
	far_sf_ok add -a allow "${S6}:5/128" "${S6}:8/125"
	local before after
	before=$(noports 6)
	# sources ::1-::10, 3 frames each: the /120 drops ::1-::3 and ::10, the
	# /126 ::4, ::6 and ::7; allowed are ::5 (a /128 inside the /126) and
	# ::8-::f (a /125 inside the /120)
	to_far -6 -r 16 -n 3 "${S6}:1" "$P6"
	wait_until 3 test "$(($(noports 6) - before))" -ge 27 || true
	after=$(noports 6)
	[ "$((after - before))" -eq 27 ] || { echo "the far kernel got $((after - before)) datagrams, want 27"; return 1; }
	rule_is "${S6}:/120" '.packets == 12'
	rule_is "${S6}:4/126" '.packets == 9'
	rule_is "${S6}:5/128" '.action == "allow" and .packets == 3'
	rule_is "${S6}:8/125" '.action == "allow" and .packets == 24'
	far_sf_ok stats -j
	jq -e '.dropped == 21 and .allowed == 27 and .xdp_drop == 21' <<<"$output" >/dev/null ||
		{ echo "$output"; return 1; }
}

@test "rules are per interface; stop removes them, detaches, and leaves no pin" {
	far_sf_ok start -S
	far_sf_ok add "$S4.0/24"
	far_sf_ok status
	[[ $output == *"rules: 1"* ]] || { show_run; return 1; }
	# the same prefix on our side is not the far side's rule
	run --separate-stderr "$SF" "$C" start -S
	expect_ok
	run --separate-stderr "$SF" "$C" list -j
	[ "$(jq length <<<"$output")" -eq 0 ] || { show_run; return 1; }
	run --separate-stderr "$SF" "$C" stop
	expect_ok
	assert_clean "$C" "" srcfilter
	far_sf_ok stop
	[ -z "$(xdp_id "$P" "$NS")" ] || { echo "program left on $P"; return 1; }
	no_pins "$FAR_FS" srcfilter
}

@test "apply --confirm: without confirm, the previous rules come back and nothing is left" {
	far_sf_ok start -S
	far_sf_ok add "$S4.0/24"
	far_sf_ok add -a count "$S4.128/25"
	printf '%s\n' "# the new set" "$S4.7/32 drop" "$S4.0/24 count" >"$BATS_TEST_TMPDIR/new"
	# 15 s: list and status below come well inside it, even in a VM
	# without KVM (5 s ran out there before status)
	far_sf_ok apply --confirm 15 "$BATS_TEST_TMPDIR/new"
	local pid
	pid=$(cat "$XDPKIT_RUN_DIR"/srcfilter.*/pid)
	far_sf_ok list -j
	jq -e --arg a "$S4.7/32" --arg b "$S4.0/24" 'length == 2 and
		([.[] | [.prefix, .action]] | sort) == ([[$a, "drop"], [$b, "count"]] | sort)' \
		<<<"$output" >/dev/null || { echo "new set: $output"; return 1; }
	far_sf_ok status
	[[ $output == *"apply pending"* ]] || { show_run; return 1; }
	# the roll-back: the first set, with its actions, and no pending state
	rolled_back() {
		ip netns exec "$NS" env TC_BPF_MNT="$FAR_FS" "$SF" "$P" list -j |
			jq -e --arg a "$S4.0/24" --arg b "$S4.128/25" 'length == 2 and
			([.[] | [.prefix, .action]] | sort) == ([[$a, "drop"], [$b, "count"]] | sort)' >/dev/null
	}
	wait_until 25 rolled_back || { far_sf list -j; show_run; return 1; }
	wait_until 3 test ! -e "$XDPKIT_RUN_DIR" || { ls -R "$XDPKIT_RUN_DIR"; return 1; }
	far_sf_ok status
	[[ $output != *"apply pending"* ]] || { show_run; return 1; }
	gone "$pid" || { echo "the timer $pid is still there"; return 1; }
}

@test "apply --confirm then confirm: the new rules stay, the timer is gone" {
	far_sf_ok start -S
	far_sf_ok add "$S4.0/24"
	printf '%s\n' "$S4.9/32" >"$BATS_TEST_TMPDIR/new"
	far_sf_ok apply --confirm 6 "$BATS_TEST_TMPDIR/new"
	local pid
	pid=$(cat "$XDPKIT_RUN_DIR"/srcfilter.*/pid)
	alive "$pid" || { echo "no timer"; return 1; }
	far_sf_ok confirm
	gone "$pid" || { echo "timer $pid still there"; return 1; }
	[ ! -e "$XDPKIT_RUN_DIR" ] || { ls -R "$XDPKIT_RUN_DIR"; return 1; }
	sleep 7
	far_sf_ok save
	[ "$output" = "$S4.9/32 drop" ] || { show_run; return 1; }
	far_sf confirm
	expect_error 1 "no apply is pending" srcfilter.sh
}

@test "load of 100,000 prefixes (IPv4 and IPv6) from a file: all listed, then flushed" {
	far_sf_ok start -S
	awk 'BEGIN { for (i = 0; i < 60000; i++) printf "10.%d.%d.0/24\n", int(i / 256) % 256, i % 256;
		for (i = 0; i < 40000; i++) printf "2001:db8:%x:%x::/64 count\n", int(i / 256), i % 256 }' \
		>"$BATS_TEST_TMPDIR/rules"
	far_sf_ok load "$BATS_TEST_TMPDIR/rules"
	[[ $output == "100000 rules written" ]] || { show_run; return 1; }
	far_sf_ok list -j
	jq -e 'length == 100000 and ([.[] | select(.action == "drop")] | length) == 60000
		and ([.[] | select(.family == "ipv6")] | length) == 40000' <<<"$output" >/dev/null ||
		{ echo "list: ${output:0:300}"; return 1; }
	far_sf_ok flush
	[[ $output == "100000 rules removed" ]] || { show_run; return 1; }
}

@test "srclog and srcfilter in one program (start -l): srclog.sh top and srcfilter.sh list at once" {
	lab_quiet
	far_sf_ok start -S -l
	[ "$(prog_name "$P" "$NS")" = srclog_filter ] || { echo "program: $(prog_name "$P" "$NS")"; return 1; }
	far_sf_ok add "$S4.0/30"
	to_far -r 6 -n 4 "$S4.1" "$P_ADDR"
	in_far "$NS" "$SRCLOG" "$P" top -j -i 0 -n 10
	[ "$status" -eq 0 ] || { show_run; return 1; }
	# every source counted by srclog, the dropped ones too
	jq -e --arg s "$S4." '[.[] | select(.address | startswith($s))] | length == 6 and all(.[]; .packets == 4)' \
		<<<"$output" >/dev/null || { echo "top: $output"; return 1; }
	rule_is "$S4.0/30" '.packets == 12'
	# srclog.sh sees it as running, and will not stop srcfilter's program
	in_far "$NS" "$SRCLOG" "$P" status
	[ "$status" -eq 0 ] || { show_run; return 1; }
	in_far "$NS" "$SRCLOG" "$P" stop
	expect_error 3 "srcfilter.sh $P stop" srclog.sh
	[ "$(prog_name "$P" "$NS")" = srclog_filter ]
	far_sf_ok stop
	[ -z "$(xdp_id "$P" "$NS")" ]
	no_pins "$FAR_FS" srcfilter
	no_pins "$FAR_FS" srclog
}

@test "srclog_filter's live log marks the frames it dropped" {
	lab_quiet
	far_sf_ok start -S -l
	far_sf_ok add "$S4.1/32"
	ip netns exec "$NS" env TC_BPF_MNT="$FAR_FS" timeout 10 "$SRCLOG" "$P" follow -j \
		>"$BATS_TEST_TMPDIR/log" 2>&1 &
	local reader=$! i
	for i in 1 2 3 4 5 6 7 8 9 10; do
		to_far -r 2 -n 1 "$S4.1" "$P_ADDR"
		grep -q "\"$S4.2\"" "$BATS_TEST_TMPDIR/log" && break
		sleep 0.3
	done
	kill "$reader" 2>/dev/null || true
	wait "$reader" 2>/dev/null || true
	# (the lines of the reader's JSON; the shell may add a "Terminated")
	grep '^{' "$BATS_TEST_TMPDIR/log" | jq -se --arg d "$S4.1" --arg p "$S4.2" '
		any(.[]; .address == $d and .action == "drop")
		and any(.[]; .address == $p and .action == "pass")
		and all(.[]; (.address == $d) == (.action == "drop"))' >/dev/null ||
		{ cat "$BATS_TEST_TMPDIR/log"; return 1; }
}

@test "observe, then act: srclog.sh top --format rules piped into srcfilter.sh load" {
	lab_quiet
	far_sf_ok start -S -l
	to_far -r 3 -n 10 "$S4.1" "$P_ADDR"
	to_far -r 1 -n 2 "$S4.9" "$P_ADDR"
	run --separate-stderr ip netns exec "$NS" env TC_BPF_MNT="$FAR_FS" sh -c \
		'"$1" "$2" top -n 3 -i 0 --prefix 32 --format rules | "$3" "$2" load -' sh "$SRCLOG" "$P" "$SF"
	expect_ok
	far_sf_ok save
	# the three busiest sources, and not the quiet one
	[ "$(sort <<<"$output")" = "$(printf '%s drop\n' "$S4.1/32" "$S4.2/32" "$S4.3/32")" ] ||
		{ echo "rules: $output"; return 1; }
	to_far -r 9 -n 2 "$S4.1" "$P_ADDR"
	far_sf_ok stats -j
	jq -e '.dropped == 6 and .xdp_drop == 6' <<<"$output" >/dev/null || { echo "$output"; return 1; }
}

@test "apply's roll-back follows the interface when it is renamed while pending" {
	far_sf_ok start -S
	far_sf_ok add "$S4.0/24"
	printf '%s\n' "$S4.9/32" >"$BATS_TEST_TMPDIR/new"
	far_sf_ok apply --confirm 5 "$BATS_TEST_TMPDIR/new"
	ip -n "$NS" link set "$P" down
	ip -n "$NS" link set "$P" name "${P}r"
	ip -n "$NS" link set "${P}r" up
	P=${P}r
	rolled_back() {
		[ "$(ip netns exec "$NS" env TC_BPF_MNT="$FAR_FS" "$SF" "$P" save)" = "$S4.0/24 drop" ]
	}
	wait_until 12 rolled_back || { far_sf save; show_run; return 1; }
	wait_until 3 test ! -e "$XDPKIT_RUN_DIR" || { ls -R "$XDPKIT_RUN_DIR"; return 1; }
}

@test "start gives fresh totals: what an earlier attachment counted is gone" {
	lab_quiet
	# a second interface keeps the maps (and so the old totals) alive
	ip -n "$NS" link add "${P}d" type veth peer name "${P}e"
	ip -n "$NS" link set "${P}d" up
	in_far "$NS" "$SF" "${P}d" start -S
	[ "$status" -eq 0 ] || { show_run; return 1; }
	far_sf_ok start -S
	far_sf_ok add -a count "$S4.0/24"
	to_far -r 2 -n 3 "$S4.1" "$P_ADDR"
	far_sf_ok stats -j
	jq -e '.counted == 6' <<<"$output" >/dev/null || { echo "$output"; return 1; }
	far_sf_ok stop
	far_sf_ok start -S
	far_sf_ok stats -j
	jq -e '[.xdp_pass, .xdp_drop, .counted, .unmatched, .dropped, .allowed] | all(. == 0)' \
		<<<"$output" >/dev/null || { echo "$output"; return 1; }
	in_far "$NS" "$SF" "${P}d" stop
}
