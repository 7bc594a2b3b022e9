#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# The metrics files read by what a fleet runs, nothing of ours in between:
# Debian's prometheus-node-exporter (textfile collector only) serves a
# temporary directory, Debian's prometheus scrapes it every second, both on
# 127.0.0.1 on free ports with their data in the test's directory; the
# answers of Prometheus's HTTP API must match xdping's JSON. Both servers
# are stopped and their files removed in the teardown, whatever happened.

bats_require_minimum_version 1.5.0
load helpers

setup() {
	lab_up
	# the suite's namespace: its loopback must be up for the servers
	ip -j link show dev lo | jq -e '.[0].flags | index("UP") != null' >/dev/null ||
		ip link set lo up
	W=$BATS_TEST_TMPDIR/prom
	TXT=$W/textfile
	mkdir -p "$TXT" "$W/data"
	NE_PID=
	PR_PID=
}

teardown() {
	local p
	for p in "$PR_PID" "$NE_PID"; do
		[ -n "$p" ] || continue
		kill "$p" 2>/dev/null || true
		exited "$p" 10 >/dev/null || kill -9 "$p" 2>/dev/null || true
	done
	if [ -z "${BATS_TEST_COMPLETED:-}" ] && [ -d "$W" ]; then
		tail -n 20 "$W"/*.log 2>/dev/null | sed 's/^/# /' >&3 || true
	fi
	rm -rf "$W"
	lab_down
}

# free_port: a TCP port nothing listens on here (the suite's own namespace).
free_port() {
	local p
	while :; do
		p=$((20000 + $(od -An -N2 -tu2 /dev/urandom) % 20000))
		ss -Htln "sport = :$p" | grep -q . || { echo "$p"; return 0; }
	done
}

# ready URL: the server at URL answers.
ready() {
	curl -sf -o /dev/null "$1"
}

# servers_up: node_exporter on $TXT, and Prometheus scraping it every second.
servers_up() {
	local ne pr
	ne=$(free_port)
	prometheus-node-exporter --web.listen-address="127.0.0.1:$ne" \
		--collector.disable-defaults --collector.textfile \
		--collector.textfile.directory="$TXT" >"$W/node.log" 2>&1 3>&- &
	NE_PID=$!
	wait_until 30 ready "http://127.0.0.1:$ne/metrics" || { echo "node_exporter did not start"; return 1; }
	pr=$(free_port)
	while [ "$pr" = "$ne" ]; do pr=$(free_port); done
	cat >"$W/prometheus.yml" <<-EOF
	global:
	  scrape_interval: 1s
	  evaluation_interval: 1s
	scrape_configs:
	  - job_name: node
	    static_configs:
	      - targets: ['127.0.0.1:$ne']
	EOF
	promtool check config "$W/prometheus.yml" >/dev/null
	prometheus --config.file="$W/prometheus.yml" --storage.tsdb.path="$W/data" \
		--web.listen-address="127.0.0.1:$pr" --log.level=warn >"$W/prometheus.log" 2>&1 3>&- &
	PR_PID=$!
	wait_until 60 ready "http://127.0.0.1:$pr/-/ready" || { echo "prometheus did not start"; return 1; }
	NE=http://127.0.0.1:$ne
	PR=http://127.0.0.1:$pr
}

# query EXPR: the value of Prometheus's one-element answer to EXPR, or
# nothing (no such series yet).
query() {
	curl -sf --data-urlencode "query=$1" "$PR/api/v1/query" |
		jq -r 'select(.status == "success") | .data.result | if length == 1 then .[0].value[1] else empty end'
}

# query_is EXPR VALUE: Prometheus answers EXPR with VALUE.
query_is() {
	[ "$(query "$1")" = "$2" ]
}

# readme_promql: the README's ratio queries, each as one line.
readme_promql() {
	awk '/^  histogram_quantile\(0\.5|^  \(rate\(/ { q = $0; next }
		q != "" && /^\/ / { print q " " $0; q = "" }' "$XK/README.md"
}

@test "the README's alert rules pass promtool, and it has both ratio queries" {
	awk '/^```yaml/ { f = 1; next } f && /^```/ { f = 0 } f' "$XK/README.md" >"$W/rules.yml"
	run promtool check rules "$W/rules.yml"
	[ "$status" -eq 0 ] && [[ $output == *"SUCCESS: 3 rules found"* ]] || { echo "$output"; return 1; }
	[ "$(readme_promql | grep -c xdping_ping_rtt_seconds)" -eq 2 ]
}

@test "Prometheus scrapes xdping's histogram: its count is the JSON's samples, its median within a bucket of the JSON's" {
	local js n p50 sel q lo hi
	servers_up
	peer_responder off
	far_server "$P" start -S
	expect_ok
	xdping -S -c 40 -i 0.01 -j --prom "$TXT/xdping.prom" "$C" "$P_ADDR"
	expect_ok
	js=$output
	n=$(jq '.targets[0].xdp.rtt_ns | length' <<<"$js")
	p50=$(jq '.targets[0].xdp.p50_ns' <<<"$js")
	[ "$n" -eq 40 ]
	sel="interface=\"$C\",target=\"$P_ADDR\",address=\"$P_ADDR\",family=\"ipv4\",mode=\"generic\""
	# node_exporter took the file whole
	curl -sf "$NE/metrics" | grep -qx 'node_textfile_scrape_error 0'
	wait_until 30 query_is "xdping_xdp_rtt_seconds_count{$sel}" "$n" ||
		{ echo "count: '$(query "xdping_xdp_rtt_seconds_count{$sel}")', JSON $n"; return 1; }
	query_is "xdping_samples_total{$sel,source=\"xdp\"}" "$n"
	query_is "xdping_ping_rtt_seconds_count{$sel}" "$(jq '.targets[0].ping.rtt_ns | length' <<<"$js")"
	query_is "xdping_lost_total{$sel,source=\"xdp\"}" 0
	q=$(query "histogram_quantile(0.5, xdping_xdp_rtt_seconds_bucket{$sel})")
	[ -n "$q" ] || { echo "no quantile"; return 1; }
	# the bucket (1-2-5 bounds, 100 ns to 10 s) of the JSON's median, and
	# one bucket either side of it
	read -r lo hi < <(awk -v m="$p50" 'BEGIN {
		b[0] = 0; n = 1
		for (d = 100; d <= 1e10; d *= 10) { b[n++] = d; if (d < 1e10) { b[n++] = 2 * d; b[n++] = 5 * d } }
		for (i = 1; i < n && b[i] < m; i++) ;
		l = i >= 2 ? i - 2 : 0; h = i + 1 < n ? i + 1 : n - 1
		print b[l] / 1e9, b[h] / 1e9 }')
	awk -v q="$q" -v lo="$lo" -v hi="$hi" 'BEGIN { exit !(q >= lo && q <= hi) }' ||
		{ echo "PromQL median $q s, JSON's $p50 ns: not within [$lo, $hi]"; return 1; }
	echo "# PromQL median $q s, JSON's $p50 ns, window [$lo, $hi] s" >&3
	# the server's counters and srclog's go through the same collector
	far_server "$P" metrics "$TXT/xdping-server.prom"
	expect_ok
	srclog_ok "$C" start -S
	run ip netns exec "$NS" ping -n -q -c 3 -i 0.01 "$C_ADDR"
	srclog_ok "$C" metrics "$TXT/srclog.prom"
	srclog_ok "$C" stop
	wait_until 30 query_is "srclog_frames_total{interface=\"$C\",class=\"ipv4\",job=\"node\"}" \
		"$(awk -v s="srclog_frames_total{interface=\"$C\",class=\"ipv4\"}" 'index($0, s " ") == 1 { print $2 }' "$TXT/srclog.prom")"
	[ "$(query "xdping_server_answered_total{interface=\"$P\"}")" -ge 41 ]
	# the README's PromQL: the XDP-to-ping ratio (on one scrape, without
	# rate) is a share of ping's round trip, and its expressions run
	q=$(query "histogram_quantile(0.5, xdping_xdp_rtt_seconds_bucket{$sel}) / histogram_quantile(0.5, xdping_ping_rtt_seconds_bucket{$sel})")
	awk -v q="$q" 'BEGIN { exit !(q > 0 && q < 1) }' || { echo "ratio '$q'"; return 1; }
	readme_promql | while IFS= read -r q; do
		curl -sf --data-urlencode "query=$q" "$PR/api/v1/query" | jq -e '.status == "success"' >/dev/null ||
			{ echo "README query fails: $q"; exit 1; }
	done
	curl -sf "$NE/metrics" | grep -qx 'node_textfile_scrape_error 0'
	far_server "$P" stop
	assert_clean "$C"
}
