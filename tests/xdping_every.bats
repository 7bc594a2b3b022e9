#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# xdping.sh --every: a continuous probe that keeps its program attached,
# adds every round to the metrics file, and on a signal leaves nothing
# behind, as a single run does. XDPKIT_SOAK=SECONDS (make soak) runs the
# long one: SECONDS at one round a second, memory and counts checked.

bats_require_minimum_version 1.5.0
load helpers

setup() {
	lab_up
	D=$BATS_TEST_TMPDIR/textfile
	mkdir "$D"
	F=$D/xdping.prom
}

teardown() {
	stop_bg
	lab_down
}

# value SERIES: its value in $F (name{labels}, exact), or nothing.
value() {
	awk -v s="$1" 'index($0, s " ") == 1 { print substr($0, length(s) + 2) }' "$F" 2>/dev/null
}

# labels: the labels of the lab's target in $F.
labels() {
	printf 'interface="%s",target="%s",address="%s",family="ipv4",mode="generic"' "$C" "$P_ADDR" "$P_ADDR"
}

# rounds_in_file: the rounds the file holds so far (0 before the first).
rounds_in_file() {
	local r
	r=$(value "xdping_rounds_total{$(labels)}")
	echo "${r:-0}"
}

# rounds_reach N: true once the file holds N rounds, or the probe ended.
rounds_reach() {
	[ "$(rounds_in_file)" -ge "$1" ] || ended "$BG_PID"
}

# nothing_left: no program, pins, temporary directory, temporary metrics
# file or ping of the probe.
nothing_left() {
	assert_clean "$C"
	[ -z "$(find "$TMPDIR" -maxdepth 1 -name 'xdping.*')" ] || { echo "tmp left: $(ls "$TMPDIR")"; return 1; }
	[ "$(ls -A "$D")" = xdping.prom ] || { echo "in $D: $(ls -A "$D")"; return 1; }
	# the pings were sent SIGTERM on the way out: gone a moment later
	wait_until 3 no_pings || { echo "pings left: $(pgrep -af "ping .*-I $C ")"; return 1; }
}

no_pings() {
	! pgrep -f "ping .*-I $C " >/dev/null
}

# shape: the file without its digits: the same from round to round when
# nothing but the numbers changes (no series added, no line grows but by
# its digits).
shape() {
	tr -d '0-9' <"$F" | cksum
}

@test "--every --rounds 20: every round in the file, counts exact, the file's shape fixed, nothing left" {
	local seen=" " r shapes="" first_size last_size rtts n
	start_bg "$XDPING" -S -c 3 -i 0.05 -j --every 1 --rounds 20 --prom "$F" "$C" "$P_ADDR"
	# one look per round: the shape of the file after each one seen
	while alive "$BG_PID"; do
		r=$(rounds_in_file)
		if [ "$r" -gt 0 ] && [[ $seen != *" $r "* ]]; then
			seen="$seen$r "
			shapes="$shapes$(shape)"$'\n'
			[ -n "${first_size:-}" ] || first_size=$(stat -c %s "$F")
		fi
		wait_until 3 rounds_reach $((r + 1)) || true
	done
	exited "$BG_PID"
	[ "$EXIT_RC" -eq 0 ] || { echo "exit $EXIT_RC: $(cat "$BG_ERR")"; return 1; }
	BG_PID=
	# 20 JSON documents, one per round, and the file holds their sum
	[ "$(grep -c . "$BG_OUT")" -eq 20 ]
	rtts=$(jq -s -c '[.[].targets[0].xdp.rtt_ns[]]' "$BG_OUT")
	n=$(jq length <<<"$rtts")
	[ "$n" -eq 60 ] || { echo "$n XDP samples in the JSON"; return 1; }
	[ "$(value "xdping_xdp_rtt_seconds_count{$(labels)}")" -eq "$n" ]
	[ "$(value "xdping_samples_total{$(labels),source=\"xdp\"}")" -eq "$n" ]
	[ "$(value "xdping_ping_rtt_seconds_count{$(labels)}")" -eq \
		"$(jq -s '[.[].targets[0].ping.rtt_ns[]] | length' "$BG_OUT")" ]
	[ "$(value "xdping_lost_total{$(labels),source=\"xdp\"}")" -eq 0 ]
	[ "$(rounds_in_file)" -eq 20 ]
	# every bucket holds exactly the samples of every round at or below it
	for le in 1e-06 1e-05 0.0001 0.001 +Inf; do
		[ "$(value "xdping_xdp_rtt_seconds_bucket{$(labels),le=\"$le\"}")" -eq \
			"$(jq --arg le "$le" 'if $le == "+Inf" then length else ($le | tonumber * 1e9 | round) as $b |
				map(select(. <= $b)) | length end' <<<"$rtts")" ]
	done
	promtool check metrics <"$F"
	# the shape never changed from the first round seen to the last, and
	# the size grew by digits only
	[ "$(printf '%s' "$shapes" | grep -c .)" -ge 2 ]
	[ "$(printf '%s' "$shapes" | sort -u | grep -c .)" -eq 1 ] || { echo "shapes: $shapes"; return 1; }
	[[ $seen == *" 20 " ]]
	last_size=$(stat -c %s "$F")
	[ "$last_size" -le $((first_size + 2 * $(grep -c . "$F"))) ]
	nothing_left
}

@test "--every: SIGTERM, SIGINT and SIGHUP end it with exit 0 and leave nothing behind" {
	local sig r
	for sig in TERM INT HUP; do
		rm -f "$F"
		start_bg "$XDPING" -S -c 2 -i 0.05 --every 1 --prom "$F" "$C" "$P_ADDR"
		wait_until 20 rounds_reach 2
		alive "$BG_PID" || { echo "ended early: $(cat "$BG_ERR")"; return 1; }
		r=$(rounds_in_file)
		[ "$r" -ge 2 ]
		[ -n "$(xdp_id "$C")" ]
		kill -s "$sig" "$BG_PID"
		exited "$BG_PID" 10
		[ "$EXIT_RC" -eq 0 ] || { echo "SIG$sig: exit $EXIT_RC: $(cat "$BG_ERR")"; return 1; }
		BG_PID=
		nothing_left
		promtool check metrics <"$F"
		[ "$(rounds_in_file)" -ge "$r" ]
	done
}

@test "--every: one run per interface, while it runs and after" {
	start_bg "$XDPING" -S -c 2 -i 0.05 --every 1 --prom "$F" "$C" "$P_ADDR"
	wait_until 20 rounds_reach 1
	alive "$BG_PID"
	fails_with "$XDPING" 3 "another xdping run" -S -c 1 "$C" "$P_ADDR"
	kill "$BG_PID"
	exited "$BG_PID" 10
	BG_PID=
	nothing_left
	xdping -S -c 1 "$C" "$P_ADDR"
	expect_ok
}

@test "--every: a host down at the start counts as lost, and is measured once it answers" {
	local l
	peer_responder off
	start_bg "$XDPING" -S -c 2 -i 0.05 -W 1 --every 1 --prom "$F" "$C" "$P_ADDR"
	wait_until 30 rounds_reach 1
	alive "$BG_PID" || { echo "ended: $(cat "$BG_ERR")"; return 1; }
	l=$(labels)
	[ "$(value "xdping_lost_total{$l,source=\"xdp\"}")" -ge 2 ]
	[ "$(value "xdping_xdp_rtt_seconds_count{$l}")" -eq 0 ]
	peer_responder on
	wait_until 30 test_positive "xdping_xdp_rtt_seconds_count{$l}"
	test_positive "xdping_xdp_rtt_seconds_count{$l}"
	kill "$BG_PID"
	exited "$BG_PID" 10
	[ "$EXIT_RC" -eq 0 ]
	BG_PID=
	nothing_left
}

# test_positive SERIES: its value in $F is above 0.
test_positive() {
	[ "$(value "$1")" -gt 0 ] 2>/dev/null
}

@test "soak: XDPKIT_SOAK seconds at one round a second, memory flat, counts exact" {
	[ -n "${XDPKIT_SOAK:-}" ] || skip "set XDPKIT_SOAK=SECONDS (make soak: 600) to run it"
	local rounds=$XDPKIT_SOAK rss5 rss_end n
	[ "$rounds" -ge 10 ] || { echo "XDPKIT_SOAK=$rounds: at least 10"; return 1; }
	start_bg "$XDPING" -S -c 5 -i 0.02 -j --every 1 --rounds "$rounds" --prom "$F" "$C" "$P_ADDR"
	wait_until 60 rounds_reach 5
	rss5=$(awk '/^VmRSS/ { print $2 }' "/proc/$BG_PID/status")
	wait_until $((rounds * 3)) rounds_reach $((rounds - 1))
	rss_end=$(awk '/^VmRSS/ { print $2 }' "/proc/$BG_PID/status")
	exited "$BG_PID" 60
	BG_PID=
	echo "# RSS of xdping.sh: ${rss5} kB after 5 rounds, ${rss_end} kB after $((rounds - 1))" >&3
	[ "$rss_end" -le $((rss5 + 256)) ] || { echo "RSS grew: $rss5 -> $rss_end kB"; return 1; }
	n=$(jq -s '[.[].targets[0].xdp.rtt_ns[]] | length' "$BG_OUT")
	[ "$(grep -c . "$BG_OUT")" -eq "$rounds" ]
	[ "$(value "xdping_xdp_rtt_seconds_count{$(labels)}")" -eq "$n" ]
	[ "$(rounds_in_file)" -eq "$rounds" ]
	promtool check metrics <"$F"
	nothing_left
}
