#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# xdping: ICMP echo round-trip times measured in XDP, beside ping's own.
set -eu

usage() {
	cat <<'EOF'
usage: xdping.sh [-c count] [-s size] [-i interval] [-W seconds] [-N|-S] [-4|-6]
                 [-j|--jsonl] IFACE HOST...
       xdping.sh --cleanup IFACE

Attaches xdp/xdping_client.o to IFACE, runs ping to every HOST (IPv4 or
IPv6 address, or name) through IFACE, then lets one echo exchange per HOST
bounce COUNT times in XDP and prints the XDP round trips beside ping's.

  -c count     samples per HOST, 1..1024 (default 4); ping sends as many
  -s size      ICMP payload bytes, 0..MTU-28 (IPv6: MTU-48) (default 56)
  -i interval  seconds between ping's requests (default 1)
  -W seconds   how long to wait for an answer (default 2)
  -N | -S      attach in native (driver) or generic (skb) mode, and keep
               to it; default: the kernel chooses, and xdping switches to
               generic when native bounces never come back but ping's do
  -4 | -6      resolve names to IPv4 or IPv6 only (default: as ping does)
  -j, --json   one JSON document on stdout, times in integer ns
  --jsonl      one JSON object per sample and line, for log shippers
  --cleanup    detach an xdping_client left on IFACE by a killed run and
               remove its map entries, temporary files and pings

Exit: 0 every XDP sample and every ping reply arrived; 1 something asked
for did not arrive (what did is printed, and 'lost' says what did not);
2 usage or bad input; 3 environment (root, tools, bpffs, IFACE busy).
EOF
}

# shellcheck source=scripts/lib.sh
. "$(dirname -- "$(readlink -f -- "$0")")/lib.sh"

MAP=$XK_SCRIPTS/xdping-map
OBJ=$XK_HOME/xdp/xdping_client.o
count=4
size=56
interval=1
wait_s=2
mode=xdp
force=
format=text
cleanup_only=0

# Long options become short ones for getopts.
for arg in "$@"; do
	shift
	case $arg in
	--) set -- "$@" -- ;;
	--cleanup) cleanup_only=1 ;;
	--json) set -- "$@" -j ;;
	--jsonl) set -- "$@" -J ;;
	--help) set -- "$@" -h ;;
	--*) die 2 "unknown option $arg (see $XK_PROG --help)" ;;
	*) set -- "$@" "$arg" ;;
	esac
done

if [ "$cleanup_only" -eq 1 ]; then
	[ "$#" -eq 1 ] || die 2 "usage: $XK_PROG --cleanup IFACE"
else
	while getopts :c:s:i:W:NS46jJh opt; do
		case $opt in
		c) count=$OPTARG ;;
		s) size=$OPTARG ;;
		i) interval=$OPTARG ;;
		W) wait_s=$OPTARG ;;
		N | S) pick_mode "$opt" ;;
		4 | 6)
			[ -z "$force" ] || die 2 "-4 and -6 exclude each other"
			force=$opt ;;
		j | J)
			[ "$format" = text ] || die 2 "-j and --jsonl exclude each other"
			if [ "$opt" = j ]; then format=json; else format=jsonl; fi ;;
		h) usage; exit 0 ;;
		:) die 2 "-$OPTARG needs a value (see $XK_PROG --help)" ;;
		*) die 2 "unknown option -$OPTARG (see $XK_PROG --help)" ;;
		esac
	done
	shift $((OPTIND - 1))
	[ "$#" -ge 2 ] || die 2 "expected IFACE and at least one HOST (see $XK_PROG --help)"
	[ "$#" -le 257 ] || die 2 "$(($# - 1)) targets: the runs map holds 256"
	if ! is_uint "$count" || [ "$count" -lt 1 ] || [ "$count" -gt 1024 ]; then
		die 2 "count '$count' is not a number from 1 to 1024"
	fi
	if ! is_uint "$size" || [ "$size" -gt 65507 ]; then
		die 2 "size '$size' is not a number of bytes"
	fi
	if ! is_positive "$interval" || [ "${#interval}" -gt 8 ]; then
		die 2 "interval '$interval' is not a positive number of seconds"
	fi
	if ! is_positive "$wait_s" || [ "${#wait_s}" -gt 8 ] || [ "${wait_s%.*}" -gt 3600 ]; then
		die 2 "wait '$wait_s' is not a positive number of seconds up to 3600"
	fi
fi
iface=$1
shift

need_root
need_tools ip bpftool ping getent
need_built "$MAP"
need_built "$OBJ"
iface_check "$iface"
ifindex=$(iface_index "$iface")

# purge_tmp: the temporary directories of xdping runs on IFACE, in this
# network namespace, whose process is gone (killed with SIGKILL), with the
# pings they left running.
purge_tmp() {
	mine=$(readlink /proc/self/ns/net)
	for t in "${TMPDIR:-/tmp}"/xdping.*; do
		if [ ! -d "$t" ] || [ -L "$t" ] || [ ! -O "$t" ] || [ ! -f "$t/owner" ] ||
			! read -r o_pid o_iface o_ns <"$t/owner" ||
			[ "$o_iface" != "$iface" ] || [ "$o_ns" != "$mine" ]; then
			continue
		fi
		if [ -r "/proc/$o_pid/cmdline" ] &&
			tr '\0' ' ' <"/proc/$o_pid/cmdline" | grep -q 'xdping'; then
			continue
		fi
		if [ -f "$t/pids" ]; then
			while read -r pid; do
				[ -r "/proc/$pid/cmdline" ] || continue
				case $(tr '\0' ' ' <"/proc/$pid/cmdline") in
				"ping "*" -I $iface "* | "tail "*"$t/"*) kill "$pid" 2>/dev/null || true ;;
				esac
			done <"$t/pids"
		fi
		rm -rf -- "$t"
	done
}

if [ "$cleanup_only" -eq 1 ]; then
	purge_tmp
	bpffs_init
	RUNS=$XK_PINS/xdping_runs
	if [ -e "$RUNS" ]; then
		"$MAP" purge "$RUNS" "$ifindex" || die 3 "cannot remove the runs of $iface from $RUNS"
	fi
	stop_own "$iface" "$(xdp_prog "$iface")" xdping_client xdping_runs xdping_stats
	echo "$iface: clean"
	exit 0
fi

# resolve HOST: sets t_addr and t_family (4 or 6), as ping would, or exits 2.
resolve() {
	case $1 in
	-* | '' | *[!A-Za-z0-9._:%-]*) die 2 "'$1' is not a host" ;;
	esac
	if is_ipv4 "$1"; then
		[ "$force" != 6 ] || die 2 "-6 with the IPv4 address $1"
		t_addr=$1
		t_family=4
		return 0
	fi
	case $1 in
	*:*)
		[ "$force" != 4 ] || die 2 "-4 with the IPv6 address $1"
		set -- "$("$MAP" canon "${1%%%*}" 2>/dev/null)" "$1"
		[ -n "$1" ] || die 2 "'$2' is not an IPv6 address"
		t_addr=${1#6 }
		t_family=6
		return 0 ;;
	esac
	case $force in
	4) db=ahostsv4 ;;
	6) db=ahostsv6 ;;
	*) db=ahosts ;;
	esac
	t_addr=$(getent "$db" -- "$1" 2>/dev/null | awk 'NR == 1 { print $1 }')
	case $t_addr in
	'' | ::ffff:*.*) die 2 "'$1' does not resolve${force:+ to an IPv$force address}" ;;
	*:*) t_family=6 ;;
	*) t_family=4 ;;
	esac
}

mtu=$(iface_mtu "$iface")
targets=
for host in "$@"; do
	resolve "$host"
	case $t_family in
	4) room=$((mtu - 28)) ;;
	6) room=$((mtu - 48))
		[ -n "$(ip -6 -o addr show dev "$iface" 2>/dev/null)" ] ||
			die 2 "$iface has no IPv6 address, so it cannot reach $host" ;;
	esac
	[ "$size" -le "$room" ] ||
		die 2 "size $size does not fit $iface unfragmented (MTU $mtu: at most $room for $host)"
	targets="$targets$host $t_addr
"
done
ntargets=$#

set -- "$(xdp_prog "$iface")"
case $1 in
"") ;;
*" xdping_client "*) die 3 "$iface: another xdping run is in progress (prog ${1%% *}); wait for it, or '$XK_PROG --cleanup $iface' if it was killed" ;;
*) die 3 "$iface already has an XDP program (${1#* }); xdpkit never replaces one" ;;
esac
bpffs_init
RUNS=$XK_PINS/xdping_runs

# Per target N, $tmp/00N holds: host addr id ping state; $tmp/pids every
# process we started.
tmp=
# shellcheck disable=SC2317 # run from the traps below
cleanup() {
	if [ -n "$tmp" ] && [ -f "$tmp/pids" ]; then
		while read -r pid; do
			kill "$pid" 2>/dev/null || true
		done <"$tmp/pids"
		for d in "$tmp"/[0-9]*; do
			[ -s "$d/id" ] || continue
			"$MAP" delete "$RUNS" "$ifindex" "$(cat "$d/addr")" "$(cat "$d/id")" 2>/dev/null || true
		done
	fi
	xdp_detach_own "$iface" || warn "could not detach our program from $iface"
	pins_release xdping_runs xdping_stats
	bpffs_done
	[ -z "$tmp" ] || rm -rf -- "$tmp"
}
# shellcheck disable=SC2317
on_exit() {
	rc=$?
	trap - EXIT
	cleanup
	exit "$rc"
}
trap on_exit EXIT
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 143' TERM

pins_snapshot xdping_runs xdping_stats
tmp=$(mktemp -d "${TMPDIR:-/tmp}/xdping.XXXXXX")
: >"$tmp/pids"
# whose it is, for --cleanup after a SIGKILL
printf '%s %s %s\n' "$$" "$iface" "$(readlink /proc/self/ns/net)" >"$tmp/owner"
n=0
while read -r host addr; do
	[ -n "$host" ] || continue
	n=$((n + 1))
	# zero-padded, so that the shell's sorted globs keep the user's order
	d=$tmp/$(printf '%03d' "$n")
	mkdir "$d"
	printf '%s\n' "$host" >"$d/host"
	printf '%s\n' "$addr" >"$d/addr"
done <<EOF
$targets
EOF

xdp_attach "$iface" "$mode" "$OBJ"
set -- "$(xdp_prog "$iface")"
shown=$(mode_name "${1##* }")
case $mode in
xdpdrv) mode_reason="asked for (-N)" ;;
xdpgeneric) mode_reason="asked for (-S)" ;;
*) mode_reason="the kernel's choice" ;;
esac
mode_note=

# spawn CMD...: CMD in the background, its pid in $last_pid and in the pid list.
spawn() {
	"$@" &
	echo "$!" >>"$tmp/pids"
	last_pid=$!
}

now_ms() {
	t=$(date +%s%N)
	echo "$((t / 1000000))"
}

# Wait, bounded, until each HOST answers through IFACE (no fixed sleep).
limit=$(($(now_ms) + ${wait_s%.*} * 1000 + 3000))
for d in "$tmp"/[0-9]*; do
	addr=$(cat "$d/addr")
	until ping -n -c 1 -W 1 -I "$iface" "$addr" >/dev/null 2>&1; do
		if [ "$(now_ms)" -ge "$limit" ]; then
			[ "$ntargets" -gt 1 ] || die 1 "$(cat "$d/host") ($addr) does not answer through $iface"
			warn "$(cat "$d/host") ($addr) does not answer through $iface"
			: >"$d/dead"
			break
		fi
		sleep 0.1
	done
done

# Each target gets its own echo identifier; noexist makes two runs never
# share one, and ping's own requests carry another.
for d in "$tmp"/[0-9]*; do
	[ ! -e "$d/dead" ] || continue
	addr=$(cat "$d/addr")
	i=0
	until id=$(rand16) && "$MAP" seed "$RUNS" "$ifindex" "$addr" "$id" "$count" 2>/dev/null; do
		i=$((i + 1))
		[ "$i" -lt 5 ] || die 3 "cannot add a run to $RUNS"
	done
	printf '%s\n' "$id" >"$d/id"
done

stamp=
[ "$format" != jsonl ] || stamp=-D
for d in "$tmp"/[0-9]*; do
	[ -s "$d/id" ] || continue
	id=$(cat "$d/id")
	spawn ping -n ${stamp:+"$stamp"} -c "$count" -s "$size" -i "$interval" -W "$wait_s" -e "$((id % 65535 + 1))" \
		-I "$iface" "$(cat "$d/addr")" >"$d/ping" 2>&1
	echo "$last_pid" >"$d/ping_pid"
done
if [ "$ntargets" -eq 1 ] && [ "$format" = text ] && [ -e "$tmp/001/ping_pid" ]; then
	tail -n +1 -s 0.1 -f --pid="$(cat "$tmp/001/ping_pid")" "$tmp/001/ping" &
	echo "$!" >>"$tmp/pids"
fi
ping_failed=0
for d in "$tmp"/[0-9]*; do
	[ -e "$d/ping_pid" ] || continue
	wait "$(cat "$d/ping_pid")" || ping_failed=1
done
wait

# One more request per target, with the run's identifier (a carrier):
# XDP bounces its reply COUNT times. A chain that stalls (a frame lost) is
# restarted by another carrier, whose reply starts a fresh chain in XDP,
# until no sample has come for -W seconds.
carrier() {
	spawn ping -n -c 1 -s "$size" -e "$(cat "$1/id")" -W "$wait_s" -I "$iface" "$(cat "$1/addr")"
}

# switch_generic: with no mode asked for, native XDP_TX frames that never
# come back (a veth whose peer has no XDP program drops them) make us
# reattach in generic mode, once.
switch_generic() {
	xdp_detach_own "$iface" || die 3 "could not detach our program from $iface to switch to generic mode"
	xdp_attach "$iface" xdpgeneric "$OBJ"
	shown=generic
	mode_reason="switched from native: the first bounce never came back while ping's replies did"
	mode_note=" (switched from native: XDP_TX frames never came back)"
	if ip -d link show dev "$iface" 2>/dev/null | grep -q ' veth '; then
		mode_reason="$mode_reason (a veth drops native XDP_TX unless its peer has an XDP program)"
	fi
	now=$(now_ms)
	for t in "$tmp"/[0-9]*; do
		[ -s "$t/state" ] || continue
		rm -f -- "$t/restarts"
		echo "0 $now $now" >"$t/state"
		carrier "$t" >/dev/null 2>&1
	done
}

stall_ms=$(cat "$tmp"/[0-9]*/ping 2>/dev/null | awk '
	/ time=/ { sub(/.* time=/, ""); if ($1 > max) max = $1 }
	END { ms = int(max * 4); print (ms > 200 ? ms : 200) }')
give_up_ms=$(awk -v w="$wait_s" 'BEGIN { print int(w * 1000) }')
start=$(now_ms)
for d in "$tmp"/[0-9]*; do
	[ -s "$d/id" ] || continue
	echo "0 $start $start" >"$d/state"
	carrier "$d" >/dev/null 2>&1
done
while :; do
	pending=0
	switch=0
	now=$(now_ms)
	for d in "$tmp"/[0-9]*; do
		[ -s "$d/state" ] || continue
		read -r seen changed kicked <"$d/state"
		id=$(cat "$d/id")
		addr=$(cat "$d/addr")
		# complete (exit 0), or gone from the map (no output): done polling
		if state=$("$MAP" state "$RUNS" "$ifindex" "$addr" "$id" 2>/dev/null) ||
			[ -z "$state" ]; then
			: >"$d/state"
			continue
		fi
		read -r done_n _ chains_n <<-EOF
		$state
		EOF
		if [ "$done_n" != "$seen" ]; then
			seen=$done_n
			changed=$now
			kicked=$now
		elif [ $((now - changed)) -ge "$give_up_ms" ]; then
			: >"$d/state"
			continue
		elif [ $((now - kicked)) -ge "$stall_ms" ]; then
			# Two chains started and not one bounce came back, while
			# ping's replies did: native XDP_TX goes nowhere here.
			if [ "$mode" = xdp ] && [ "$shown" = native ] && [ "$done_n" -eq 0 ] &&
				[ "$chains_n" -ge 2 ] && grep -q ' time=' "$d/ping"; then
				switch=1
			fi
			carrier "$d" >/dev/null 2>&1
			echo $(($(cat "$d/restarts" 2>/dev/null || echo 0) + 1)) >"$d/restarts"
			kicked=$now
		fi
		echo "$seen $changed $kicked" >"$d/state"
		pending=1
	done
	[ "$switch" -eq 0 ] || switch_generic
	[ "$pending" -eq 1 ] || break
	sleep 0.05
done

# Report, per target: each one appears, whatever happened to it.
failed=$ping_failed
first=1
[ "$format" != json ] ||
	printf '{"interface": "%s", "mode": "%s", "mode_reason": "%s", "count": %s, "size": %s, "targets": [' \
		"$iface" "$shown" "$mode_reason" "$count" "$size"
for d in "$tmp"/[0-9]*; do
	host=$(cat "$d/host")
	addr=$(cat "$d/addr")
	if [ ! -s "$d/id" ]; then
		failed=1
		[ "$format" != json ] || {
			[ "$first" -eq 1 ] || printf ', '
			printf '{"host": "%s", "address": "%s", "error": "no answer", "lost": %s}' \
				"$host" "$addr" "$((2 * count))"
			first=0
		}
		continue
	fi
	id=$(cat "$d/id")
	if [ "$format" = text ]; then
		[ "$ntargets" -eq 1 ] || cat "$d/ping"
		printf '\nXDPING %s (%s) via %s, %s mode%s, echo id %s\n' "$host" "$addr" "$iface" \
			"$shown" "$mode_note" "$id"
		if [ -s "$d/restarts" ]; then
			echo "(the chain stalled and was restarted $(cat "$d/restarts") times)"
		fi
	fi
	[ "$format" != json ] || [ "$first" -eq 1 ] || printf ', '
	first=0
	rc=0
	"$MAP" -f "$format" -p "$d/ping" -H "$host" -I "$iface" -c "$count" \
		report "$RUNS" "$ifindex" "$addr" "$id" >"$d/report" || rc=$?
	[ "$rc" -eq 0 ] || failed=1
	if [ "$format" = json ]; then tr -d '\n' <"$d/report"; else cat "$d/report"; fi
	[ "$format" != text ] || [ "$ntargets" -eq 1 ] || echo
done
[ "$format" != json ] || printf ']}\n'

if [ "$failed" -eq 1 ] && [ "$shown" = native ] &&
	ip -d link show dev "$iface" 2>/dev/null | grep -q ' veth '; then
	warn "hint: in native mode a veth drops XDP_TX frames unless its peer has an XDP program; attach xdp/pass.o there, or use -S"
fi
if [ "$failed" -ne 0 ]; then
	warn "not every sample or reply asked for arrived in time"
	exit 1
fi
exit 0
