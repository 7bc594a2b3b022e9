#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# `sudo make bench`: xdpkit's objects against the kernel selftest xdping
# and the kernel's own ICMP responder, in one run, rounds interleaved.
# Prints a table (with the targets met or missed) and writes
# build/bench.json in Bencher Metric Format. Method: BENCHMARKS.md.
#
# Everything runs inside a network and mount namespace of its own with a
# private bpffs; traffic stays on one veth pair between two namespaces
# made here (198.18.0.1 <-> 198.18.0.2). The host's interfaces, pins and
# kernel.bpf_stats_enabled are never touched: run-time statistics come
# from BPF_ENABLE_STATS, which the kernel drops when xdpbench exits.
#
#   BENCH_ROUNDS=N   rounds of every family (default 9, odd is best)
#   BENCH_FAMILIES   which families to run (default "1 2 3 4 5 6")
#   BENCH_FILTER_SIZES  family 6: prefixes per family in srcfilter's tries
#                    (default 1,1000,100000,1000000)
#   BENCH_JSON       where the JSON goes (default build/bench.json)
#
# Exit: 0 measured (targets missed are reported, not failed); 1 a
# measurement failed; 3 environment (not root, not built).
set -eu

cd -- "$(dirname -- "$0")/../.."
PATH=$PATH:/usr/sbin:/sbin
export PATH

ROUNDS=${BENCH_ROUNDS:-9}
FAMILIES=${BENCH_FAMILIES:-1 2 3 4 5 6}
FILTER_SIZES=${BENCH_FILTER_SIZES:-1,1000,100000,1000000}
BIN=build/bench/xdpbench
REF=build/ref/xdping_kern.o
KERN=build/bench/bench_kern.o
REFLECT=build/bench/reflect_kern.o
OUT=${BENCH_JSON:-build/bench.json}
CHAINS=300		# family 2: chains of 10 bounces per client and server, per round
FLOOD=1000000		# family 4: requests per flood
FILTER_FRAMES=1000000	# family 6: frames per live-frames run
RTT_COUNT=10		# family 3: samples per run (the reference keeps at most 10)
RTT_INTERVAL=0.02

case $ROUNDS in
'' | *[!0-9]*) echo "bench.sh: BENCH_ROUNDS must be a number" >&2; exit 2 ;;
esac
if [ "${#ROUNDS}" -gt 2 ] || [ "$ROUNDS" -lt 1 ]; then
	echo "bench.sh: BENCH_ROUNDS must be 1..99" >&2
	exit 2
fi
case $FILTER_SIZES in
'' | ,* | *, | *,,* | *[!0-9,]*)
	echo "bench.sh: BENCH_FILTER_SIZES must be prefix counts separated by commas, e.g. 1,1000" >&2
	exit 2
	;;
esac
if [ "$(id -u)" -ne 0 ]; then
	echo "bench.sh: attaches XDP programs and makes namespaces: run as root (sudo make bench)" >&2
	exit 3
fi
has_family() {
	case " $FAMILIES " in
	*" $1 "*) return 0 ;;
	esac
	return 1
}
# What the chosen families need (family 6 alone needs no reference).
need="xdp/pass.o"
if has_family 1 || has_family 2 || has_family 3 || has_family 4; then
	need="$need $BIN $REF $KERN $REFLECT xdp/xdping_client.o xdp/xdping_server.o scripts/lib/xdping-map"
fi
if has_family 5; then
	need="$need build/bench/srclogbench build/bench/srclog_shared.o build/bench/bare_count.o"
	need="$need build/bench/bare_count_shared.o xdp/srclog.o"
fi
if has_family 6; then
	need="$need build/bench/srcfilterbench build/bench/filter_bare.o build/bench/drop_bare.o"
	need="$need xdp/srcfilter.o xdp/srclog.o xdp/srclog_filter.o"
fi
for f in $need; do
	[ -e "$f" ] || { echo "bench.sh: $f is missing: run 'sudo make bench'" >&2; exit 3; }
done

if [ "${XDPKIT_BENCH_NS:-}" != 1 ]; then
	started=$(date +%s)
	XDPKIT_BENCH_NS=1 XDPKIT_BENCH_START=$started \
		exec unshare --net --mount --propagation private -- "$0" "$@"
fi

# ---- inside: private mounts, two namespaces, one veth pair ----

T=$(mktemp -d /tmp/xdpkit-bench.XXXXXX)
mount -t tmpfs tmpfs "$T"
mount -t bpf bpf /sys/fs/bpf
mkdir -p /run/netns
mount -t tmpfs tmpfs /run/netns
mkdir "$T/bpffs"
mount -t bpf bpf "$T/bpffs"
# shellcheck disable=SC2317 # run from the trap
done_() {
	rc=$?
	trap - EXIT INT TERM HUP
	ip netns del xkb_c 2>/dev/null || true
	ip netns del xkb_s 2>/dev/null || true
	umount -R "$T" 2>/dev/null || true
	rmdir "$T" 2>/dev/null || true
	exit "$rc"
}
trap done_ EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

NS_C=/run/netns/xkb_c
NS_S=/run/netns/xkb_s
ip link set lo up
ip netns add xkb_c
ip netns add xkb_s
ip -n xkb_c link add xkbc0 address 02:00:00:00:00:0a type veth \
	peer name xkbs0 address 02:00:00:00:00:0b netns xkb_s
for ns in xkb_c xkb_s; do
	ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1
	ip netns exec "$ns" sysctl -qw net.ipv6.conf.default.disable_ipv6=1
	ip -n "$ns" link set lo up
	# xdping_server asks the kernel's FIB from lo, as xdping-server.sh
	# start lets it (the helper answers only for a device that forwards).
	ip netns exec "$ns" sysctl -qw net.ipv4.conf.lo.forwarding=1
done
ip -n xkb_c addr add 198.18.0.1/24 dev xkbc0
ip -n xkb_s addr add 198.18.0.2/24 dev xkbs0
# No ARP in the middle of a measurement.
ip -n xkb_c neigh replace 198.18.0.2 lladdr 02:00:00:00:00:0b dev xkbc0 nud permanent
ip -n xkb_s neigh replace 198.18.0.1 lladdr 02:00:00:00:00:0a dev xkbs0 nud permanent
ip -n xkb_c link set xkbc0 up
ip -n xkb_s link set xkbs0 up

RES=$T/results
: >"$RES"
# xdpbench prints "V NAME UNIT VALUE" lines, once per round; keep those.
collect() {
	grep '^V ' >>"$RES" || true
}
say() {
	printf 'bench: %s\n' "$*" >&2
}

# ---- family 1: per-packet cost, BPF_PROG_TEST_RUN, every object in xdp/ ----
if has_family 1; then
	say "1/4 per-packet cost (BPF_PROG_TEST_RUN), $ROUNDS rounds"
	ip netns exec xkb_c "$BIN" unit "$ROUNDS" "$REF" xdp/*.o >"$T/f1"
	collect <"$T/f1"
fi

# ---- family 3: RTT, XDP-measured against ping, on the same exchange ----

# stats FILE: "median p90" of the numbers in FILE (nearest rank).
stats() {
	sort -g "$1" | awk '{ v[++n] = $1 }
		END {
			if (n == 0) { print "nan nan"; exit }
			m = n % 2 ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
			k = int(0.9 * n); if (k < 0.9 * n) k++
			print m, v[k]
		}'
}

# rtt_put NAME FILE_PING FILE_XDP: V lines (in us) for one run.
rtt_put() {
	set -- "$1" "$(stats "$2")" "$(stats "$3")"
	printf 'V rtt/%s/ping_median us %s\n' "$1" "$(echo "${2% *}" | awk '{ print $1 * 1000 }')"
	printf 'V rtt/%s/ping_p90 us %s\n' "$1" "$(echo "${2#* }" | awk '{ print $1 * 1000 }')"
	printf 'V rtt/%s/xdp_median us %s\n' "$1" "$(echo "${3% *}" | awk '{ print $1 * 1000 }')"
	printf 'V rtt/%s/xdp_p90 us %s\n' "$1" "$(echo "${3#* }" | awk '{ print $1 * 1000 }')"
}

server_on() {
	ip -n xkb_s link set dev xkbs0 xdp off
	"$BIN" attach "$NS_S" xkbs0 "$@"
	# what a user does: xdping-server.sh gives it the host's addresses
	if [ "$1" = xdp/xdping_server.o ]; then
		ip netns exec xkb_s env TC_BPF_MNT="$T/bpffs" ./scripts/xdping-server.sh xkbs0 start \
			>/dev/null
	fi
}

if has_family 3; then
	say "3/4 RTT: xdping and the reference, against xdping_server and the kernel, $ROUNDS rounds"
	r=0
	while [ "$r" -lt "$ROUNDS" ]; do
		r=$((r + 1))
		for srv in xdping_server kernel; do
			if [ "$srv" = kernel ]; then
				server_on xdp/pass.o
			else
				server_on xdp/xdping_server.o
			fi
			# ours: the script a user runs, its own output parsed
			rc=0
			ip netns exec xkb_c env TC_BPF_MNT="$T/bpffs" ./scripts/xdping.sh -c "$RTT_COUNT" \
				-i "$RTT_INTERVAL" -W 2 xkbc0 198.18.0.2 >"$T/ours" 2>&1 || rc=$?
			if [ "$rc" -ne 0 ]; then
				sed 's/^/    /' "$T/ours" >&2
				say "xdping.sh exited $rc (round $r, $srv)"
				exit 1
			fi
			sed -n '/^XDPING /q; s/.* time=\([0-9.]*\) ms.*/\1/p' "$T/ours" >"$T/p"
			sed -n '/^XDPING /,$ s/.* time=\([0-9.]*\) ms.*/\1/p' "$T/ours" >"$T/x"
			rtt_put "xdping_client/$srv" "$T/p" "$T/x" >>"$RES"
			# the reference: seeded map, ping, its samples
			"$BIN" refrtt "$RTT_COUNT" "$RTT_INTERVAL" "$NS_C" "$NS_S" "$REF" >"$T/ref"
			sed -n 's/^S ping //p' "$T/ref" >"$T/p"
			sed -n 's/^S xdp //p' "$T/ref" >"$T/x"
			if [ ! -s "$T/x" ]; then
				say "the reference client stored no sample (round $r, $srv)"
				exit 1
			fi
			rtt_put "ref_xdping_client/$srv" "$T/p" "$T/x" >>"$RES"
		done
	done
	ip -n xkb_s link set dev xkbs0 xdp off
fi

# ---- family 2: in place, real traffic, run_time_ns / run_cnt ----
if has_family 2; then
	say "2/4 in-place cost over veth traffic (BPF run-time stats), $ROUNDS rounds"
	"$BIN" inplace "$ROUNDS" "$CHAINS" "$NS_C" "$NS_S" "$REF" >"$T/f2"
	grep '^# ' "$T/f2" | grep -v '^# runs' >&2 || true
	collect <"$T/f2"
fi

# ---- family 4: responder throughput under a live-frames flood ----
if has_family 4; then
	say "4/4 responder throughput (live-frames flood), $ROUNDS rounds"
	"$BIN" flood "$ROUNDS" "$FLOOD" "$NS_C" "$NS_S" "$KERN" "$REFLECT" >"$T/f4"
	grep '^# ' "$T/f4" >&2 || true
	collect <"$T/f4"
fi

# srclog's counters on a known source, with the live log on, with a
# reader and without, are measured in family 1 as well.

# ---- family 5: srclog's known-source and eviction paths, against a bare counter ----
if has_family 5; then
	say "5/5 srclog known source and eviction path vs a bare counter, $ROUNDS rounds"
	ip netns exec xkb_c build/bench/srclogbench "$ROUNDS" xdp/pass.o xdp/srclog.o \
		build/bench/srclog_shared.o build/bench/bare_count.o build/bench/bare_count_shared.o >"$T/f5"
	collect <"$T/f5"
fi

# ---- family 6: srcfilter against a bare lookup, a bare drop, and in the combined object ----
if has_family 6; then
	say "6/6 srcfilter vs a bare trie lookup ($FILTER_SIZES prefixes), drop rate, combined object, $ROUNDS rounds"
	ip netns exec xkb_c build/bench/srcfilterbench "$ROUNDS" "$FILTER_FRAMES" xkbc0 "$FILTER_SIZES" \
		xdp/pass.o xdp/srcfilter.o xdp/srclog.o xdp/srclog_filter.o build/bench/filter_bare.o \
		build/bench/drop_bare.o >"$T/f6"
	grep '^# ' "$T/f6" >&2 || true
	collect <"$T/f6"
fi

# ---- table and JSON ----
mkdir -p "$(dirname -- "$OUT")"
elapsed=$(($(date +%s) - ${XDPKIT_BENCH_START:-$(date +%s)}))
srclog=0
[ ! -e xdp/srclog.o ] || srclog=1
awk -v json="$OUT.tmp" -v rounds="$ROUNDS" -v elapsed="$elapsed" -v srclog="$srclog" \
	-f tests/bench/report.awk "$RES"
mv "$OUT.tmp" "$OUT"
say "wrote $OUT"
