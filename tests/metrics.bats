#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# The metrics files (Prometheus text format): xdping.sh --prom,
# srclog.sh IFACE metrics, xdping-server.sh IFACE metrics. Each one passes
# promtool check metrics, and says exactly what the tool's own output says.

bats_require_minimum_version 1.5.0
load helpers

setup() {
	lab_up
	D=$BATS_TEST_TMPDIR/textfile
	mkdir "$D"
}

teardown() {
	lab_down
}

# value FILE SERIES: the value of SERIES (name{labels}, exact) in FILE;
# fails when FILE has it not exactly once.
value() {
	local v
	v=$(awk -v s="$2" 'index($0, s " ") == 1 { print substr($0, length(s) + 2) }' "$1")
	if [ "$(printf '%s' "$v" | grep -c .)" -ne 1 ]; then
		echo "$2: '$v' in $1" >&2
		return 1
	fi
	printf '%s\n' "$v"
}

# promtool_ok FILE: promtool check metrics finds nothing to say.
promtool_ok() {
	local out
	out=$(promtool check metrics <"$1" 2>&1) || { echo "promtool: $out"; return 1; }
	[ -z "$out" ] || { echo "promtool: $out"; return 1; }
}

# only FILE: the directory of FILE holds FILE and nothing else (no
# temporary file).
only() {
	local left
	left=$(ls -A "${1%/*}")
	[ "$left" = "${1##*/}" ] || { echo "in ${1%/*}: $left"; return 1; }
}

# hist_agrees FILE NAME LABELS JSON: the histogram NAME{LABELS} in FILE holds
# exactly the round trips JSON (an array of ns) lists: every bucket, the
# sum (to the ns) and the count.
hist_agrees() {
	local f=$1 name=$2 labels=$3 rtts=$4 le want got sum
	[ "$(grep -c "^${name}_bucket{$labels,le=" "$f")" -eq 26 ] ||
		{ echo "$name: not 26 buckets"; return 1; }
	for le in $(sed -n "s/^${name}_bucket{$labels,le=\"\([^\"]*\)\"}.*/\1/p" "$f"); do
		want=$(jq --arg le "$le" 'if $le == "+Inf" then length
			else ($le | tonumber * 1e9 | round) as $b | map(select(. <= $b)) | length end' <<<"$rtts")
		got=$(value "$f" "${name}_bucket{$labels,le=\"$le\"}")
		[ "$got" = "$want" ] || { echo "$name le=$le: $got in the file, $want in the JSON"; return 1; }
	done
	[ "$(value "$f" "${name}_count{$labels}")" = "$(jq length <<<"$rtts")" ]
	sum=$(value "$f" "${name}_sum{$labels}")
	sum=${sum/./}
	sum=${sum#"${sum%%[!0]*}"}
	[ "${sum:-0}" = "$(jq 'add // 0' <<<"$rtts")" ] || { echo "$name sum: $sum ns"; return 1; }
}

@test "xdping --prom: histograms and counters agree with the JSON, sample by sample" {
	local f=$D/xdping.prom t0 t1 l js ts
	t0=$(date +%s)
	xdping -S -c 12 -i 0.01 -j --prom "$f" "$C" "$P_ADDR"
	expect_ok
	t1=$(date +%s)
	js=$output
	promtool_ok "$f"
	only "$f"
	[ "$(stat -c %a "$f")" = 644 ]
	l="interface=\"$C\",target=\"$P_ADDR\",address=\"$P_ADDR\",family=\"ipv4\",mode=\"generic\""
	[ "$(jq '.targets[0].xdp.rtt_ns | length' <<<"$js")" -eq 12 ]
	hist_agrees "$f" xdping_xdp_rtt_seconds "$l" "$(jq -c '.targets[0].xdp.rtt_ns' <<<"$js")"
	hist_agrees "$f" xdping_ping_rtt_seconds "$l" "$(jq -c '.targets[0].ping.rtt_ns' <<<"$js")"
	[ "$(value "$f" "xdping_samples_total{$l,source=\"xdp\"}")" -eq 12 ]
	[ "$(value "$f" "xdping_samples_total{$l,source=\"ping\"}")" -eq 12 ]
	[ "$(value "$f" "xdping_lost_total{$l,source=\"xdp\"}")" -eq 0 ]
	[ "$(value "$f" "xdping_lost_total{$l,source=\"ping\"}")" -eq 0 ]
	[ "$(value "$f" "xdping_rounds_total{$l}")" -eq 1 ]
	ts=$(value "$f" "xdping_last_round_timestamp_seconds{$l}")
	[ "${ts%.*}" -ge "$t0" ] && [ "${ts%.*}" -le "$t1" ]
	# one HELP and one TYPE per family, the bucket bounds stated
	[ "$(grep -c '^# TYPE xdping_xdp_rtt_seconds histogram$' "$f")" -eq 1 ]
	[ "$(grep -c '^# HELP ' "$f")" -eq "$(grep -c '^# TYPE ' "$f")" ]
	grep -q "^xdping_xdp_rtt_seconds_bucket{$l,le=\"1e-07\"} " "$f"
	grep -q "^xdping_xdp_rtt_seconds_bucket{$l,le=\"10\"} " "$f"
	assert_clean "$C"
}

@test "xdping --prom: a host that never answers counts every sample lost" {
	local f=$D/x.prom dead=198.18.$((BATS_TEST_NUMBER % 250)).99 l
	xdping -S -c 3 -i 0.01 -W 1 --prom "$f" "$C" "$P_ADDR" "$dead"
	[ "$status" -eq 1 ] || { show_run; return 1; }
	promtool_ok "$f"
	only "$f"
	l="interface=\"$C\",target=\"$dead\",address=\"$dead\",family=\"ipv4\",mode=\"generic\""
	[ "$(value "$f" "xdping_lost_total{$l,source=\"xdp\"}")" -eq 3 ]
	[ "$(value "$f" "xdping_lost_total{$l,source=\"ping\"}")" -eq 3 ]
	[ "$(value "$f" "xdping_xdp_rtt_seconds_count{$l}")" -eq 0 ]
	[ "$(value "$f" "xdping_rounds_total{$l}")" -eq 1 ]
	l="interface=\"$C\",target=\"$P_ADDR\",address=\"$P_ADDR\",family=\"ipv4\",mode=\"generic\""
	[ "$(value "$f" "xdping_xdp_rtt_seconds_count{$l}")" -eq 3 ]
	assert_clean "$C"
}

@test "xdping --prom over IPv6: family ipv6, the canonical address" {
	local f=$D/x.prom l
	lab_v6
	xdping -S -c 2 -i 0.01 --prom "$f" "$C" "$P6"
	expect_ok
	promtool_ok "$f"
	l="interface=\"$C\",target=\"$P6\",address=\"$P6\",family=\"ipv6\",mode=\"generic\""
	[ "$(value "$f" "xdping_xdp_rtt_seconds_count{$l}")" -eq 2 ]
}

@test "xdping --prom: bad paths are exit 2 before anything; a FILE that cannot be replaced is exit 3, nothing left" {
	fails_with "$XDPING" 2 "no directory" --prom "$D/none/x.prom" "$C" "$P_ADDR"
	fails_with "$XDPING" 2 "not a file name" --prom "$D/" "$C" "$P_ADDR"
	fails_with "$XDPING" 2 "needs a value" --prom
	fails_with "$XDPING" 2 "--rounds goes with --every" --rounds 2 "$C" "$P_ADDR"
	fails_with "$XDPING" 2 "--every" --every 0 "$C" "$P_ADDR"
	fails_with "$XDPING" 2 "--every" --every=-1 "$C" "$P_ADDR"
	fails_with "$XDPING" 2 "--rounds" --every 1 --rounds 0 "$C" "$P_ADDR"
	[ -z "$(ls -A "$D")" ]
	# a directory where the file should go: rename(2) refuses it
	mkdir "$D/x.prom"
	fails_with "$XDPING" 3 "metrics" -S -c 1 --prom "$D/x.prom" "$C" "$P_ADDR"
	[ "$(ls -A "$D")" = x.prom ] && [ -z "$(ls -A "$D/x.prom")" ]
	assert_clean "$C"
	[ -z "$(find "$TMPDIR" -maxdepth 1 -name 'xdping.*')" ]
}

@test "xdping --prom: an existing file is replaced whole" {
	local f=$D/x.prom
	printf 'garbage{\n' >"$f"
	xdping -S -c 1 --prom "$f" "$C" "$P_ADDR"
	expect_ok
	promtool_ok "$f"
	only "$f"
	! grep -q garbage "$f"
}

@test "srclog metrics: the counters and the 10 busiest sources, as top and status give them" {
	local f=$D/srclog.prom n=$((BATS_TEST_NUMBER % 250)) l s4 s6
	s4=198.19.$n
	s6=2001:db8:fe$((n % 100))
	l="interface=\"$C\""
	lab_quiet
	fails_with "$SRCLOG" 1 "not running" "$C" metrics "$f"
	[ ! -e "$f" ]
	srclog_ok "$C" start -S
	srclog_ok "$C" reset
	blast -r 12 -n 2 "$s4.1" "$C_ADDR"
	blast -r 1 -n 50 "$s4.100" "$C_ADDR"
	blast -r 1 -n 9 "$s6::1" "$s6::ffff"
	srclog_ok "$C" metrics "$f"
	promtool_ok "$f"
	only "$f"
	[ "$(value "$f" "srclog_frames_total{$l,class=\"ipv4\"}")" -eq 74 ]
	[ "$(value "$f" "srclog_frames_total{$l,class=\"ipv6\"}")" -eq 9 ]
	[ "$(value "$f" "srclog_sources{$l}")" -eq 14 ]
	[ "$(value "$f" "srclog_new_sources_total{$l}")" -eq 14 ]
	[ "$(value "$f" "srclog_sources_capacity{$l}")" -eq 65536 ]
	[ "$(value "$f" "srclog_log_events_total{$l}")" -eq 83 ]
	[ "$(value "$f" "srclog_log_ring_full_total{$l}")" -eq 0 ]
	# 10 sources, no more: the busiest two, then eight of the twelve ties
	[ "$(grep -c '^srclog_top_source_packets_total{' "$f")" -eq 10 ]
	[ "$(grep -c '^srclog_top_source_bytes_total{' "$f")" -eq 10 ]
	[ "$(value "$f" "srclog_top_source_packets_total{$l,address=\"$s4.100\",family=\"ipv4\"}")" -eq 50 ]
	[ "$(value "$f" "srclog_top_source_bytes_total{$l,address=\"$s4.100\",family=\"ipv4\"}")" -eq 3000 ]
	[ "$(value "$f" "srclog_top_source_packets_total{$l,address=\"$s6::1\",family=\"ipv6\"}")" -eq 9 ]
	[ "$(value "$f" "srclog_top_source_bytes_total{$l,address=\"$s6::1\",family=\"ipv6\"}")" -eq 720 ]
	[ "$(grep '^srclog_top_source_packets_total{' "$f" | awk '{ s += $2 } END { print s }')" -eq 75 ]
	# the same as status says
	srclog_ok "$C" status
	[[ $output == *"frames with a source: ipv4 74, ipv6 9"* ]] || { show_run; return 1; }
	# a directory where the file should go: exit 3, nothing left
	mkdir "$D/d.prom"
	fails_with "$SRCLOG" 3 "metrics" "$C" metrics "$D/d.prom"
	[ -z "$(ls -A "$D/d.prom")" ] && [ "$(ls -A "$D" | wc -l)" -eq 2 ]
	fails_with "$SRCLOG" 2 "metrics takes one FILE" "$C" metrics
	fails_with "$SRCLOG" 2 "no directory" "$C" metrics "$D/none/x"
	srclog_ok "$C" stop
	srclog_clean "$C"
}

@test "xdping-server metrics: answered, passed, errors, as status gives them" {
	local f=$D/srv.prom l
	l="interface=\"$P\""
	far_server "$P" metrics "$f"
	expect_error 1 "not attached" xdping-server.sh
	[ ! -e "$f" ]
	peer_responder off
	far_server "$P" start -S
	expect_ok
	run ping -n -q -c 7 -i 0.01 -W 1 -I "$C" "$P_ADDR"
	[ "$status" -eq 0 ] || { show_run; return 1; }
	far_server "$P" metrics "$f"
	expect_ok
	promtool_ok "$f"
	only "$f"
	[ "$(value "$f" "xdping_server_answered_total{$l}")" -eq 7 ]
	far_server "$P" status
	[ "$(counter_of answered)" -eq 7 ]
	# passed: what else came (neighbour discovery...), a number
	[[ $(value "$f" "xdping_server_passed_total{$l}") =~ ^[0-9]+$ ]]
	[ "$(value "$f" "xdping_server_errors_total{$l}")" -eq 0 ]
	far_server "$P" metrics
	expect_error 2 "metrics takes one FILE" xdping-server.sh
	mkdir "$D/d.prom"
	far_server "$P" metrics "$D/d.prom"
	expect_error 3 "metrics" xdping-server.sh
	[ -z "$(ls -A "$D/d.prom")" ] && [ "$(ls -A "$D" | wc -l)" -eq 2 ]
	far_server "$P" stop
	expect_ok
}

@test "make install: the probe unit runs the installed xdping, with options it takes" {
	local root=$BATS_TEST_TMPDIR/inst unit exec
	make -C "$XK" -s install DESTDIR="$root" PREFIX=/usr
	unit=$root/usr/lib/systemd/system/xdping-probe@.service
	[ -f "$unit" ]
	exec=$(sed -n 's/^ExecStart=//p' "$unit")
	[[ $exec == "/usr/sbin/xdping --every "* ]] || { echo "ExecStart=$exec"; return 1; }
	[ -x "$root${exec%% *}" ]
	# its command line, as systemd expands it with the unit's defaults,
	# gets past xdping's argument checks (to the interface, missing here)
	run --separate-stderr "$root/usr/sbin/xdping" --every 60 --prom "$D/xdping-none0.prom" \
		-c 10 -i 0.2 none0 198.18.0.1
	expect_error 2 "no interface 'none0'" xdping
	make -C "$XK" -s uninstall DESTDIR="$root" PREFIX=/usr
	[ ! -e "$unit" ]
}

@test "label values are escaped as the format wants (xdping-map, what the scripts never pass)" {
	local m=$XK/scripts/lib/xdping-map f=$D/e.prom
	"$m" -c 2 -H 'a"b\c' -P "$BATS_TEST_TMPDIR/state" missed 198.18.0.1
	"$m" -I "$(printf 'if\nx')" -m generic prom "$f" "$BATS_TEST_TMPDIR/state"
	promtool_ok "$f"
	grep -qF 'xdping_lost_total{interface="if\nx",target="a\"b\\c",address="198.18.0.1",family="ipv4",mode="generic",source="xdp"} 2' "$f"
	# a state is one target's: another's is refused, the state kept
	run --separate-stderr "$m" -c 2 -H other -P "$BATS_TEST_TMPDIR/state" missed 198.18.0.1
	[ "$status" -eq 2 ] && [[ $stderr == *"another target's"* ]]
	[ "$(ls -A "$BATS_TEST_TMPDIR" | grep -c '^\.state')" -eq 0 ]
}
