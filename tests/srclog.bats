#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# srclog end to end: frames from many IPv4 and IPv6 sources, sent by
# tests/tools/blast from the far side, counted exactly on $C; the live log
# (follow, text and JSON), its sampling and its ring running full; traffic
# never stalled; more sources than the map holds; reset; two interfaces.
# shellcheck disable=SC2154 # stderr_lines comes from bats' run
# shellcheck disable=SC2153 # PINS comes from helpers.bash
# shellcheck disable=SC2030,SC2031 # each @test is its own subshell, on purpose

bats_require_minimum_version 1.5.0
load helpers

setup() {
	lab_up
	# Sources of this test, outside every lab's /24: 198.19.N.0/24 and
	# 2001:db8:ff<N>::/48.
	N=$((BATS_TEST_NUMBER % 250))
	S4=198.19.$N
	S6=2001:db8:ff$((N % 100))
	BG_PID=
	C2=
}

teardown() {
	stop_bg
	[ -z "$C2" ] || ip link del "$C2" 2>/dev/null || true
	lab_down
}

# top_json IFACE: every source srclog holds for IFACE, as JSON.
top_json() {
	srclog_ok "$1" top -j -i 0 -n 1000000 || return 1
	jq -e 'type == "array"' <<<"$output" >/dev/null || { show_run; return 1; }
}

# packets ADDR: packets of ADDR in the last top_json output (0: absent).
packets() {
	jq -r --arg a "$1" '[.[] | select(.address == $a) | .packets] | add // 0' <<<"$output"
}

# stat_of NAME: a counter from the last status output ('ipv4', 'logged',
# 'dropped (ring full)', 'sampled out', ...).
stat_of() {
	printf '%s\n' "$output" | grep -o "$1 [0-9]*" | head -n 1 | awk '{ print $NF }'
}

# expect_packets ADDR COUNT [BYTES]: in the last top_json output, ADDR
# came COUNT times (and BYTES bytes).
expect_packets() {
	local got
	got=$(jq -c --arg a "$1" '[.[] | select(.address == $a) | [.packets, .bytes]]' <<<"$output")
	if [ "$got" != "[[$2,${3:-$(($2 * 60))}]]" ]; then
		echo "$1: [[packets, bytes]] = $got, expected [[$2,${3:-$(($2 * 60))}]]"
		return 1
	fi
}

# pings_through [ADDR]: 100 pings from the far side to ADDR (default
# $C_ADDR), 0.01 s apart: every one answered.
pings_through() {
	run ip netns exec "$NS" ping -n -q -c 100 -i 0.01 -W 1 "${1:-$C_ADDR}"
	if [ "$status" -ne 0 ] || [[ $output != *" 100 received"* ]]; then
		echo "pings to ${1:-$C_ADDR} through srclog: exit $status"
		echo "$output"
		return 1
	fi
}

# marker ADDR: one frame from ADDR (a marker for follow).
marker() {
	case $1 in
	*:*) blast "$1" "$S6::1" ;;
	*) blast "$1" "$C_ADDR" ;;
	esac
}

# counted MODE: the IPv4 and IPv6 sources of a few blasts, each with its
# own count, read back exactly from top -j.
counted() {
	local ifindex a
	lab_quiet
	srclog_ok "$C" start "$1"
	srclog_ok "$C" reset
	blast -r 3 -n 7 "$S4.1" "$C_ADDR"
	blast -r 1 -n 1 "$S4.10" "$C_ADDR"
	blast -r 2 -n 100 "$S4.20" "$C_ADDR"
	blast -r 2 -n 1 "$S4.20" "$C_ADDR"
	blast -r 4 -n 9 "$S6::1" "$S6::ffff"
	blast -6 -r 1 -n 5 "$S6::100" "$S6::ffff"
	blast -r 1 -n 3 -s 200 "$S6::200" "$S6::ffff"
	top_json "$C"
	ifindex=$(ifindex_of "$C")
	for a in "$S4.1" "$S4.2" "$S4.3"; do expect_packets "$a" 7; done
	expect_packets "$S4.10" 1
	expect_packets "$S4.20" 101
	expect_packets "$S4.21" 101
	for a in "$S6::1" "$S6::2" "$S6::3" "$S6::4"; do expect_packets "$a" 9 $((9 * 80)); done
	expect_packets "$S6::100" 5 $((5 * 80))
	expect_packets "$S6::200" 3 $((3 * (14 + 40 + 8 + 200)))
	# Nothing else: the neighbours of those addresses were never sent.
	[ "$(jq length <<<"$output")" -eq 12 ] || { echo "expected 12 sources: $output"; return 1; }
	[ "$(packets "$S4.4")" -eq 0 ]
	[ "$(packets "$S6::5")" -eq 0 ]
	# family and ifindex of each
	jq -e --argjson i "$ifindex" 'all(.[]; .ifindex == $i)' <<<"$output" >/dev/null
	jq -e 'all(.[]; (.family == "ipv6") == (.address | contains(":")))' <<<"$output" >/dev/null
	[ "$(jq '[.[] | select(.family == "ipv4")] | length' <<<"$output")" -eq 6 ]
	# Busiest first: by packets, and by bytes with -b.
	[ "$(jq -r '.[0].address' <<<"$output")" = "$S4.20" ] || [ "$(jq -r '.[0].address' <<<"$output")" = "$S4.21" ]
	srclog_ok "$C" top -j -b -i 0 -n 3
	[ "$(jq length <<<"$output")" -eq 3 ]
	[ "$(jq -r '.[2].address' <<<"$output")" = "$S6::200" ] || { show_run; return 1; }
	# The counters agree: 6 * 7 + 1 + 202 + 36 + 5 + 3 frames.
	srclog_ok "$C" status
	[ "$(stat_of ipv4)" -eq $((21 + 1 + 202)) ] || { show_run; return 1; }
	[ "$(stat_of ipv6)" -eq $((36 + 5 + 3)) ] || { show_run; return 1; }
	[[ $output == *"sources: 12 in the map (capacity 65536, "* ]] || { show_run; return 1; }
	srclog_ok "$C" stop
	srclog_clean "$C"
}

@test "IPv4 and IPv6 sources counted exactly, native mode" {
	counted -N
}

@test "IPv4 and IPv6 sources counted exactly, generic mode" {
	counted -S
}

@test "top: text columns, the non-IP counters, rates of 0 when nothing came" {
	lab_quiet
	srclog_ok "$C" start -S
	srclog_ok "$C" reset
	blast -r 2 -n 4 "$S4.1" "$C_ADDR"
	srclog_ok "$C" top -i 0
	[[ ${lines[0]} == "SOURCE "*"PACKETS"*"BYTES"*"PKT/S"*"BIT/S"*"FIRST"*"LAST" ]] || { show_run; return 1; }
	[[ $output =~ $'\n'"$S4.1 "+"4 "+"240 "+"- "+"- " ]] || { show_run; return 1; }
	[[ $output =~ $'\n'"$S4.2 "+"4 "+"240 " ]] || { show_run; return 1; }
	[[ $output == *$'\nlive log: logged 8, dropped (ring full) 0, sampled out 0\n'* ]] || { show_run; return 1; }
	# -n 1: one row
	srclog_ok "$C" top -i 0 -n 1
	[ "$(grep -c "^$S4\." <<<"$output")" -eq 1 ] || { show_run; return 1; }
	# Rates over an interval in which nothing came.
	srclog_ok "$C" top -j -i 0.2
	jq -e 'length == 2 and all(.[]; .packets == 4 and .packets_per_s == 0 and .bits_per_s == 0)' \
		<<<"$output" >/dev/null || { show_run; return 1; }
	srclog_ok "$C" stop
	srclog_clean "$C"
}

@test "follow: one line per frame, exact counts per source, IPv4 and IPv6" {
	local a
	lab_quiet
	srclog_ok "$C" start -N
	start_bg "$SRCLOG" "$C" follow
	follow_sees "$S4.250" marker "$S4.250"
	blast -r 3 -n 11 "$S4.1" "$C_ADDR"
	blast -r 2 -n 6 "$S6::1" "$S6::ffff"
	blast -r 1 -n 1 "$S4.9" "$C_ADDR"
	follow_sees "$S4.251" marker "$S4.251"
	for a in "$S4.1" "$S4.2" "$S4.3"; do
		[ "$(grep -cx "IPv4 Source Address: $a" "$BG_OUT")" -eq 11 ] || { cat "$BG_OUT"; return 1; }
	done
	[ "$(grep -cx "IPv4 Source Address: $S4.9" "$BG_OUT")" -eq 1 ]
	for a in "$S6::1" "$S6::2"; do
		[ "$(grep -cx "IPv6 Source Address: $a" "$BG_OUT")" -eq 6 ] || { cat "$BG_OUT"; return 1; }
	done
	# Every line is one of those, or a marker.
	run grep -cvx "IPv[46] Source Address: \($S4\.[0-9]*\|$S6::[0-9]\)" "$BG_OUT"
	[ "$output" -eq 0 ] || { cat "$BG_OUT"; return 1; }
	[ "$(wc -l <"$BG_OUT")" -eq $((33 + 12 + 1 + $(grep -c "$S4\.25[01]$" "$BG_OUT"))) ]
	[ ! -s "$BG_ERR" ]
}

@test "follow -j: JSON lines with interface, ifindex, family, address, length, action" {
	local ifindex
	lab_quiet
	srclog_ok "$C" start -S
	ifindex=$(ifindex_of "$C")
	start_bg "$SRCLOG" "$C" follow -j
	follow_sees "$S4.250" marker "$S4.250"
	blast -r 2 -n 5 "$S4.1" "$C_ADDR"
	blast -r 1 -n 4 -s 100 "$S6::7" "$S6::ffff"
	follow_sees "$S4.251" marker "$S4.251"
	# Every line is one JSON object of the documented shape.
	jq -se --arg i "$C" --argjson x "$ifindex" 'length > 0 and all(.[];
		.interface == $i and .ifindex == $x and .action == "pass" and (.timestamp_ns | type) == "number" and
		((.family == "ipv4" and (.address | test("^198\\.19\\.")) and .length == 60) or
		 (.family == "ipv6" and (.address | startswith("2001:db8:")) and .length == 162)))' \
		"$BG_OUT" >/dev/null || { cat "$BG_OUT"; return 1; }
	[ "$(jq -s length "$BG_OUT")" -eq "$(wc -l <"$BG_OUT")" ]
	run jq -sc '[.[] | select(.address | test("\\.25[01]$") | not)] | group_by(.address) |
		map([.[0].address, .[0].family, length])' "$BG_OUT"
	[ "$output" = "[[\"$S4.1\",\"ipv4\",5],[\"$S4.2\",\"ipv4\",5],[\"$S6::7\",\"ipv6\",4]]" ] || {
		echo "$output"
		return 1
	}
	# Time goes forward, line after line.
	jq -se '[.[].timestamp_ns] | . == sort' "$BG_OUT" >/dev/null
}

# flowing MODE: pings through srclog, IPv4 and IPv6, all answered, and
# counted under the far side's addresses.
flowing() {
	lab_v6
	srclog_ok "$C" start "$1"
	srclog_ok "$C" reset
	pings_through "$C_ADDR"
	pings_through "$C6"
	top_json "$C"
	[ "$(packets "$P_ADDR")" -ge 100 ] || { show_run; return 1; }
	[ "$(packets "$P6")" -ge 100 ] || { show_run; return 1; }
	# and the other way: the replies come in through srclog
	run ping -n -q -c 100 -i 0.01 -W 1 "$P_ADDR"
	[[ $output == *" 100 received"* ]] || { echo "$output"; return 1; }
	srclog_ok "$C" stop
	srclog_clean "$C"
}

@test "traffic flows while srclog is attached, native mode" {
	flowing -N
}

@test "traffic flows while srclog is attached, generic mode" {
	flowing -S
}

@test "no reader: the ring fills, drops are counted, traffic flows" {
	lab_quiet
	srclog_ok "$C" start -N
	srclog_ok "$C" reset
	# 256 KiB of 48-byte records holds 5461 events: send 7000.
	blast -r 10 -n 700 "$S4.1" "$C_ADDR"
	srclog_ok "$C" status
	[ "$(stat_of ipv4)" -eq 7000 ] || { show_run; return 1; }
	[ "$(stat_of '(ring full)')" -gt 0 ] || { show_run; return 1; }
	[ "$(stat_of logged)" -gt 0 ] && [ "$(stat_of logged)" -lt 7000 ] || { show_run; return 1; }
	[ $(($(stat_of logged) + $(stat_of '(ring full)'))) -eq 7000 ] || { show_run; return 1; }
	srclog_ok "$C" top -i 0
	[[ $output =~ "dropped (ring full) "[1-9] ]] || { show_run; return 1; }
	pings_through
	top_json "$C"
	expect_packets "$S4.1" 700
	expect_packets "$S4.10" 700
	srclog_ok "$C" stop
	srclog_clean "$C"
}

@test "a stopped reader: drops counted, traffic flows, it resumes afterwards" {
	local reader dropped
	lab_quiet
	srclog_ok "$C" start -S
	srclog_ok "$C" reset
	start_bg "$SRCLOG" "$C" follow
	follow_sees "$S4.250" marker "$S4.250"
	reader=$(pgrep -P "$BG_PID" -x srclog-follow)
	[ -n "$reader" ]
	kill -STOP "$reader"
	blast -r 10 -n 700 "$S4.1" "$C_ADDR"
	pings_through
	srclog_ok "$C" status
	dropped=$(stat_of '(ring full)')
	[ "$dropped" -gt 0 ] || { show_run; return 1; }
	[ $(($(stat_of logged) + dropped)) -eq $(($(stat_of ipv4) + $(stat_of ipv6))) ] || { show_run; return 1; }
	kill -CONT "$reader"
	# It reads on: the ring's backlog, then new frames.
	follow_sees "$S4.251" marker "$S4.251"
	kill -0 "$BG_PID"
	[ ! -s "$BG_ERR" ]
}

@test "more sources than the map holds: LRU, status shows it, traffic flows" {
	local d n
	d=$(copy_tree)
	cp "$XK/tests/xdp/srclog_small.o" "$d/xdp/srclog.o"
	SRCLOG=$d/scripts/srclog.sh
	lab_quiet
	srclog_ok "$C" start -N
	srclog_ok "$C" reset
	# 1000 IPv4 sources twice over, then 300 IPv6 ones, into 256 places.
	blast -r 1000 -n 2 "$S4.0" "$C_ADDR"
	blast -r 300 -n 1 "$S6::1:0" "$S6::ffff"
	srclog_ok "$C" status
	[[ $output =~ "sources: "([0-9]+)" in the map (capacity 256, " ]] || { show_run; return 1; }
	n=${BASH_REMATCH[1]}
	[ "$n" -gt 0 ] && [ "$n" -le 256 ] || { show_run; return 1; }
	[ "$(stat_of ipv4)" -eq 2000 ] && [ "$(stat_of ipv6)" -eq 300 ] || { show_run; return 1; }
	# A 4 KiB ring and no reader: most events dropped, and counted.
	[ "$(stat_of '(ring full)')" -gt 0 ] || { show_run; return 1; }
	[ $(($(stat_of logged) + $(stat_of '(ring full)'))) -eq 2300 ] || { show_run; return 1; }
	top_json "$C"
	[ "$(jq length <<<"$output")" -eq "$n" ]
	# The newest source is held, with its one frame.
	expect_packets "$S6::1:12b" 1 80
	# and the oldest were evicted
	[ "$(packets "$S4.0")" -eq 0 ]
	pings_through
	# The map still takes new sources.
	blast -r 1 -n 3 "$S4.254" "$C_ADDR"
	top_json "$C"
	expect_packets "$S4.254" 3
	srclog_ok "$C" stop
	srclog_clean "$C"
}

@test "log 2 on one CPU: exactly every other frame; log off: none; log on: all" {
	lab_quiet
	srclog_ok "$C" start -N -l 2
	srclog_ok "$C" reset
	srclog_ok "$C" status
	[[ $output == *$'\nlog: one frame in 2'* ]] || { show_run; return 1; }
	# blast runs on CPU 0, and the frames are taken in on the CPU that sent them.
	blast -r 3 -n 67 "$S4.1" "$C_ADDR"
	srclog_ok "$C" status
	[ "$(stat_of ipv4)" -eq 201 ] || { show_run; return 1; }
	[ "$(stat_of logged)" -eq 101 ] && [ "$(stat_of 'sampled out')" -eq 100 ] || { show_run; return 1; }

	srclog_ok "$C" log off
	srclog_ok "$C" status
	[[ $output == *$'\nlog: off'* ]] || { show_run; return 1; }
	blast -r 1 -n 50 "$S4.1" "$C_ADDR"
	srclog_ok "$C" status
	[ "$(stat_of ipv4)" -eq 251 ] || { show_run; return 1; }
	[ "$(stat_of logged)" -eq 101 ] && [ "$(stat_of 'sampled out')" -eq 100 ] || { show_run; return 1; }

	srclog_ok "$C" log on
	blast -r 1 -n 10 "$S4.1" "$C_ADDR"
	srclog_ok "$C" status
	[[ $output == *$'\nlog: every frame'* ]] || { show_run; return 1; }
	[ "$(stat_of logged)" -eq 111 ] && [ "$(stat_of 'sampled out')" -eq 100 ] || { show_run; return 1; }
	# Counting goes on whatever the log does.
	top_json "$C"
	expect_packets "$S4.1" $((67 + 50 + 10))
	expect_packets "$S4.3" 67
}

@test "log 3 over every CPU: logged + sampled out = frames, some of each" {
	local cpu logged sampled
	lab_quiet
	srclog_ok "$C" start -S
	srclog_ok "$C" log 3
	srclog_ok "$C" reset
	for cpu in $(seq 0 $(($(nproc) - 1))); do
		ip netns exec "$NS" taskset -c "$cpu" "$XK/tests/tools/blast" -r 5 -n 40 \
			"$P" "$(mac_of "$C")" "$S4.1" "$C_ADDR"
	done
	srclog_ok "$C" status
	logged=$(stat_of logged)
	sampled=$(stat_of 'sampled out')
	[ $((logged + sampled)) -eq $((200 * $(nproc))) ] || { show_run; return 1; }
	[ "$logged" -gt 0 ] && [ "$logged" -lt $((200 * $(nproc))) ] || { show_run; return 1; }
	# On each CPU one frame in three, rounded up.
	[ "$logged" -le $((67 * $(nproc))) ] || { show_run; return 1; }
}

@test "reset forgets IFACE's sources and zeroes the counters" {
	lab_quiet
	srclog_ok "$C" start -N
	blast -r 5 -n 3 "$S4.1" "$C_ADDR"
	blast -r 2 -n 3 "$S6::1" "$S6::ffff"
	top_json "$C"
	expect_packets "$S4.5" 3
	srclog_ok "$C" reset
	[[ $output == *"sources forgotten, counters zeroed"* ]] || { show_run; return 1; }
	top_json "$C"
	[ "$output" = "[]" ] || { show_run; return 1; }
	srclog_ok "$C" status
	[[ $output == *$'\nsources: 0 in the map'* ]] || { show_run; return 1; }
	[[ $output == *$'\nframes with a source: ipv4 0, ipv6 0\n'* ]] || { show_run; return 1; }
	[[ $output == *$'\nlive log: logged 0, dropped (ring full) 0, sampled out 0\n'* ]] || { show_run; return 1; }
	# It goes on counting from zero.
	blast -r 1 -n 2 "$S4.1" "$C_ADDR"
	top_json "$C"
	expect_packets "$S4.1" 2
	[ "$(jq length <<<"$output")" -eq 1 ]
	# A reset with nothing to forget is fine too.
	srclog_ok "$C" reset
	srclog_ok "$C" reset
	top_json "$C"
	[ "$output" = "[]" ]
}

@test "sources are per interface: top, follow and reset see only their own" {
	local n=$BATS_TEST_NUMBER P2 other
	C2=xk${n}d
	P2=xk${n}q
	ip link add "$C2" type veth peer name "$P2" netns "$NS"
	ip addr add "198.18.251.1/24" dev "$C2"
	ip link set "$C2" up
	ip -n "$NS" link set "$P2" up
	sysctl -qw "net.ipv6.conf.$C2.disable_ipv6=1"
	ip netns exec "$NS" sysctl -qw "net.ipv6.conf.$P2.disable_ipv6=1"
	lab_quiet
	srclog_ok "$C" start -N
	srclog_ok "$C2" start -S
	other=198.19.$(((N + 1) % 250))
	start_bg "$SRCLOG" "$C" follow
	follow_sees "$S4.250" marker "$S4.250"
	blast -r 3 -n 4 "$S4.1" "$C_ADDR"
	blast_via "$P2" "$C2" -r 2 -n 5 "$other.1" 198.18.251.1
	# One source sent to both.
	blast -r 1 -n 2 "$S4.100" "$C_ADDR"
	blast_via "$P2" "$C2" -r 1 -n 6 "$S4.100" 198.18.251.1
	follow_sees "$S4.251" marker "$S4.251"

	top_json "$C"
	# 3 + 1 sources, and the markers
	[ "$(jq '[.[] | select(.address | test("\\.25[01]$") | not)] | length' <<<"$output")" -eq 4 ] ||
		{ show_run; return 1; }
	expect_packets "$S4.1" 4
	expect_packets "$S4.100" 2
	[ "$(packets "$other.1")" -eq 0 ]
	jq -e --argjson i "$(ifindex_of "$C")" 'all(.[]; .ifindex == $i)' <<<"$output" >/dev/null
	top_json "$C2"
	[ "$(jq length <<<"$output")" -eq 3 ] || { show_run; return 1; }
	expect_packets "$other.1" 5
	expect_packets "$other.2" 5
	expect_packets "$S4.100" 6
	[ "$(packets "$S4.1")" -eq 0 ]
	jq -e --argjson i "$(ifindex_of "$C2")" 'all(.[]; .ifindex == $i)' <<<"$output" >/dev/null
	srclog_ok "$C2" status
	[[ $output == *$'\nsources: 3 in the map'* ]] || { show_run; return 1; }
	# follow on $C printed $C's frames only
	if grep -F "$other." "$BG_OUT"; then
		echo "follow on $C printed $C2's sources"
		return 1
	fi
	[ "$(grep -cx "IPv4 Source Address: $S4.100" "$BG_OUT")" -eq 2 ] || { cat "$BG_OUT"; return 1; }

	# reset on $C2 leaves $C's sources
	srclog_ok "$C2" reset
	top_json "$C2"
	[ "$output" = "[]" ]
	top_json "$C"
	[ "$(jq length <<<"$output")" -ge 5 ]
	expect_packets "$S4.1" 4
	# stop on $C leaves $C2's program and the maps it uses
	srclog_ok "$C" stop
	[ -z "$(xdp_id "$C")" ]
	[ -n "$(xdp_id "$C2")" ]
	exited "$BG_PID"
	BG_PID=
	[ "$EXIT_RC" -eq 0 ]
	blast_via "$P2" "$C2" -r 1 -n 1 "$other.9" 198.18.251.1
	top_json "$C2"
	expect_packets "$other.9" 1
	srclog_ok "$C2" stop
	srclog_clean "$C2"
	srclog_clean "$C"
}

@test "a full default-size map: status, top and reset read all 65536 entries" {
	lab_quiet
	srclog_ok "$C" start -l off
	blast -r 70000 -n 1 198.18.128.0 "$C_ADDR"
	srclog_ok "$C" status
	local held
	[[ "$output" =~ sources:\ ([0-9]+)\ in\ the\ map\ \(capacity\ 65536 ]]
	held=${BASH_REMATCH[1]}
	[ "$held" -gt 60000 ] && [ "$held" -le 65536 ]
	[[ "$output" == *"frames with a source: ipv4 70000, ipv6 0"* ]]
	srclog_ok "$C" top -i 0 -n 65536 -j
	[ "$(printf '%s\n' "$output" | jq 'length')" -eq "$held" ]
	printf '%s\n' "$output" | jq -e 'all(.[]; .packets == 1 and .bytes == 60)'
	# The helper's memory does not grow with the CPU count: per-CPU
	# values cross from the kernel in batches of at most 4 MiB and are
	# summed as they come (make check-vm XDPKIT_VM_CPUS=64 or 256 runs
	# this where entries x CPUs x 32 bytes is 134 or 537 MB).
	local kib mem
	kib=$(/usr/bin/python3 -c 'import resource, subprocess, sys
subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, check=True)
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)' \
		"$XK/scripts/lib/srclog-map" -j -n 65536 top "$PINS")
	mem=$(bpftool -j map show pinned "$PINS/srclog_sources" | jq '.bytes_memlock')
	echo "# $(nproc) CPUs: srclog-map top of $held sources: peak RSS $kib KiB; srclog_sources holds $mem bytes in the kernel" >&3
	[ "$kib" -lt 32768 ] || { echo "peak RSS $kib KiB"; return 1; }
	# with rates: two whole reads matched source by source
	srclog_ok "$C" top -i 0.2 -n 65536 -j
	[ "$(printf '%s\n' "$output" | jq 'length')" -eq "$held" ]
	printf '%s\n' "$output" | jq -e 'all(.[]; .packets_per_s == 0)'
	srclog_ok "$C" reset
	srclog_ok "$C" status
	[[ "$output" == *"sources: 0 in the map"* ]]
	srclog_ok "$C" stop
	srclog_clean "$C"
}
