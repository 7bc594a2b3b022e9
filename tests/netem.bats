#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# xdping over an impaired path: netem on the far side's egress delays,
# jitters, duplicates, reorders or drops the replies of the far side's
# kernel. Every XDP sample is a real round trip, so none can be shorter
# than the delay the path adds. Needs sch_netem: skipped, with the
# reason, on a kernel without it; `make check-vm` runs it in Debian's own
# kernel.
# shellcheck disable=SC2154 # stderr comes from bats' run

bats_require_minimum_version 1.5.0
load helpers

setup() {
	need_kernel netem
	lab_up
	lab_v6
	XDPING=$XK/scripts/xdping.sh
}

teardown() {
	lab_down
}

# impair NETEM-ARGS...: netem on the far side's egress (its replies).
impair() {
	tc -n "$NS" qdisc add dev "$P" root netem "$@"
}

# xdping_json ARGS...: xdping.sh -j -S ARGS, stdout and stderr apart.
xdping_json() {
	run --separate-stderr "$XDPING" -j -S "$@"
}

# json_check FILTER [ARGS...]: jq -e FILTER on the last output, or say why.
json_check() {
	local f=$1
	shift
	printf '%s\n' "$output" | jq -e "$@" "$f" >/dev/null && return 0
	echo "not true: $f"
	show_run
	return 1
}

# at_least MS: every XDP and ping sample of every target is at least MS ms.
at_least() {
	json_check 'all(.targets[]; all(.xdp.rtt_ns[], .ping.rtt_ns[]; . >= $ms * 1000000))' \
		--argjson ms "$1"
}

# complete COUNT: every target brought COUNT XDP and COUNT ping samples.
complete() {
	json_check 'all(.targets[]; (.xdp.rtt_ns | length) == $n and (.ping.rtt_ns | length) == $n
		and .lost == 0)' --argjson n "$1"
}

# xdp_times: the XDP sample times (ms) of the last text output, one a line.
xdp_times() {
	printf '%s\n' "$output" | sed -n '/^XDPING /,$s/.* bytes from .* time=\([0-9.]*\) ms.*/\1/p'
}

@test "fixed delay: no XDP or ping sample below the path's 20 ms, IPv4 and IPv6" {
	impair delay 20ms
	xdping_json -c 10 -i 0.05 "$C" "$P_ADDR" "$P6"
	expect_ok
	complete 10
	at_least 20
}

@test "delay with jitter (20 ms +- 10 ms): no sample below 10 ms, and the jitter shows" {
	impair delay 20ms 10ms
	xdping_json -c 10 -i 0.05 "$C" "$P_ADDR" "$P6"
	expect_ok
	complete 10
	at_least 10
	json_check 'all(.targets[]; .xdp.max_ns - .xdp.min_ns > 2000000)'
}

@test "every reply duplicated: ping sees the duplicates, XDP takes one sample per request" {
	impair delay 10ms duplicate 100%
	run --separate-stderr "$XDPING" -S -c 10 -i 0.05 "$C" "$P_ADDR"
	expect_ok
	[[ $output == *"DUP!"* ]] || { show_run; false; }
	[ "$(xdp_times | wc -l)" -eq 10 ] || { show_run; false; }
	[ -z "$(xdp_times | awk '$1 < 10')" ] || { show_run; false; }
	xdping_json -c 10 -i 0.05 "$C" "$P6"
	expect_ok
	json_check 'all(.targets[]; (.xdp.rtt_ns | length) == 10 and .lost == 0)'
	at_least 10
}

@test "reordering (jitter above the interval): ping's replies overtake, XDP samples stay real" {
	impair delay 30ms 25ms
	run --separate-stderr "$XDPING" -S -c 20 -i 0.01 "$C" "$P_ADDR"
	expect_ok
	# the path did reorder: ping printed its replies out of sequence
	printf '%s\n' "$output" | sed -n '/^XDPING /q; s/.*icmp_seq=\([0-9]*\) .*/\1/p' |
		awk 'NR > 1 && $1 < last { out = 1 } { last = $1 } END { exit !out }' || { show_run; false; }
	[ "$(xdp_times | wc -l)" -eq 20 ] || { show_run; false; }
	[ -z "$(xdp_times | awk '$1 < 5')" ] || { show_run; false; }
}

@test "loss: samples stay real, and exit 0 only when nothing was lost, from XDP or ping" {
	impair delay 10ms loss 25%
	xdping_json -c 10 -i 0.05 -W 2 "$C" "$P_ADDR" "$P6"
	[ "$status" -eq 0 ] || [ "$status" -eq 1 ] || { show_run; false; }
	at_least 10
	# what was lost, from XDP and from ping, decides the exit and the
	# top-level lost
	json_check '[.targets[] | .xdp.lost + .ping.lost] | add | if . > 0 then $rc == 1 else $rc == 0 end' \
		--argjson rc "$status"
	json_check 'all(.targets[]; .lost >= ([.xdp.lost, .ping.lost] | max)
		and ((.lost == 0) == (.xdp.lost + .ping.lost == 0)))'
}

@test "a dead HOST first, then live ones over a 60% lossy path: each live one still found alive" {
	# every HOST is asked at once, with requests until the first reply:
	# a dead HOST before them must not leave the live ones a single try.
	# The loss is meant for the echo replies: the neighbours are pinned,
	# or a lost ARP reply or neighbour advertisement fails resolution for
	# 3 s of the 4 s window, and the check measures luck (it did in the VM).
	ip neigh replace "$P_ADDR" lladdr "$(mac_of "$P" "$NS")" dev "$C" nud permanent
	ip neigh replace "$P6" lladdr "$(mac_of "$P" "$NS")" dev "$C" nud permanent
	ip -n "$NS" neigh replace "$C_ADDR" lladdr "$(mac_of "$C")" dev "$P" nud permanent
	ip -n "$NS" neigh replace "$C6" lladdr "$(mac_of "$C")" dev "$P" nud permanent
	impair delay 10ms loss 60%
	xdping_json -c 5 -i 0.05 -W 1 "$C" "${P_ADDR%.*}.9" "$P_ADDR" "$P6"
	[ "$status" -eq 1 ] || { show_run; false; }
	json_check '.targets[0].error == "no answer"'
	json_check '[.targets[1:][] | has("error")] == [false, false]'
	json_check 'all(.targets[1:][]; all(.xdp.rtt_ns[], .ping.rtt_ns[]; . >= 10000000))'
}
