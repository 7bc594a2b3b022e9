#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# Namespaces and the bpffs: two network namespaces sharing one bpffs (the
# README's TC_BPF_MNT for ip netns exec) never see or touch each other's
# runs, sources or counters, even on devices with the same ifindex; a
# TC_BPF_MNT that is an ordinary directory with files is refused; what a
# script mounts is mode 0700 and goes again; a pin of ours with another
# layout is named, refused and left in place.

bats_require_minimum_version 1.5.0

load helpers

# shared_up: namespaces $A and $B joined by a veth pair, $XA (in $A,
# $A_ADDR) and $XB (in $B, $B_ADDR), both made inside their namespace so
# that both get the same ifindex; one bpffs $SH, mounted here and so seen
# by both through ip netns exec. No IPv6: every IP frame is one we sent.
shared_up() {
	local n=$BATS_TEST_NUMBER
	A=xknsa$n.$$
	B=xknsb$n.$$
	XA=xka$n
	XB=xkb$n
	A_ADDR=198.19.$((n % 250)).1
	B_ADDR=198.19.$((n % 250)).2
	SH=$XDPKIT_TEST_TMP/shared.$n
	mkdir "$SH"
	mount -t bpf bpf "$SH"
	ip netns add "$A"
	ip netns add "$B"
	ip -n "$A" link add "$XA" type veth peer name "$XB" netns "$B"
	for ns in "$A" "$B"; do
		ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1
		ip -n "$ns" link set lo up
	done
	ip -n "$A" addr add "$A_ADDR/24" dev "$XA"
	ip -n "$B" addr add "$B_ADDR/24" dev "$XB"
	ip -n "$A" link set "$XA" up
	ip -n "$B" link set "$XB" up
}

shared_down() {
	show_failure
	[ -z "${BG_PID:-}" ] || kill "$BG_PID" 2>/dev/null || true
	ip netns del "${A:-none}" 2>/dev/null || true
	ip netns del "${B:-none}" 2>/dev/null || true
	ip netns del "${A2:-none}" 2>/dev/null || true
	if [ -n "${SH:-}" ]; then
		umount "$SH" 2>/dev/null || true
		rmdir "$SH" 2>/dev/null || true
	fi
}

teardown() {
	shared_down
	lab_down
}

# in NS CMD...: CMD in namespace NS with the shared bpffs as TC_BPF_MNT.
in_ns() {
	local ns=$1
	shift
	ip netns exec "$ns" env TC_BPF_MNT="$SH" "$@"
}

# seeded: one run in the shared bpffs's xdping_runs, which goes in $runs.
seeded() {
	runs=$(pins_named "$SH" xdping_runs | head -n 1) && [ -n "$runs" ] &&
		[ "$(bpftool -j map dump pinned "$runs" | jq length)" = 1 ]
}

# top_of NS IFACE: srclog's sources on IFACE in NS, "address:packets ...".
top_of() {
	run --separate-stderr in_ns "$1" "$SRCLOG" "$2" top -j -i 0
	expect_ok || return 1
	jq -r '[.[] | "\(.address):\(.packets)"] | sort | join(" ")' <<<"$output"
}

@test "two namespaces on one bpffs, same ifindex: srclog never lists or resets the other's sources" {
	shared_up
	# the collision this is about: both ends have the same ifindex
	[ "$(ifindex_of "$XA" "$A")" = "$(ifindex_of "$XB" "$B")" ]

	run --separate-stderr in_ns "$A" "$SRCLOG" "$XA" start -S -l off
	expect_ok
	run --separate-stderr in_ns "$B" "$SRCLOG" "$XB" start -S -l off
	expect_ok

	run ip netns exec "$A" ping -n -c 3 -i 0.2 -W 1 "$B_ADDR"
	[ "$status" -eq 0 ] || { echo "$output"; return 1; }
	# $A saw $B's three replies, $B saw $A's three requests: nothing else.
	run top_of "$A" "$XA"
	[ "$output" = "$B_ADDR:3" ] || { echo "A lists: $output"; return 1; }
	run top_of "$B" "$XB"
	[ "$output" = "$A_ADDR:3" ] || { echo "B lists: $output"; return 1; }
	run --separate-stderr in_ns "$A" "$SRCLOG" "$XA" status
	expect_ok
	[[ $output == *"ipv4 3, "* ]] || { show_run; return 1; }

	# A reset in $B forgets $B's sources only.
	run --separate-stderr in_ns "$B" "$SRCLOG" "$XB" reset
	expect_ok
	run top_of "$A" "$XA"
	[ "$output" = "$B_ADDR:3" ] || { echo "A lists after B's reset: $output"; return 1; }
	run top_of "$B" "$XB"
	[ "$output" = "" ] || { echo "B lists after its reset: $output"; return 1; }

	run --separate-stderr in_ns "$A" "$SRCLOG" "$XA" stop
	expect_ok
	run --separate-stderr in_ns "$B" "$SRCLOG" "$XB" stop
	expect_ok
	# nothing left in the shared bpffs, not even the namespaces' directories
	[ -z "$(find "$SH" -mindepth 1 ! -name '*.debug')" ] || { find "$SH"; return 1; }
}

@test "plain iproute2 with TC_BPF_MNT from pin-root.sh pins where the scripts look" {
	shared_up
	# $A the way the README tells a plain iproute2 user; $B with the script
	run --separate-stderr ip netns exec "$A" env TC_BPF_MNT="$SH" "$XK/scripts/pin-root.sh" extra
	expect_error 2 "unexpected argument 'extra'" pin-root.sh
	run --separate-stderr ip netns exec "$A" env TC_BPF_MNT="$SH" "$XK/scripts/pin-root.sh"
	expect_ok
	[ "$output" = "${SH}/xdpkit/netns/$(ip netns exec "$A" "$XK/scripts/lib/xdpkit-pins" netns)" ] ||
		{ show_run; return 1; }
	ip netns exec "$A" env TC_BPF_MNT="$output" ip link set dev "$XA" xdpgeneric obj "$XK/xdp/srclog.o" sec xdp
	[ -e "$(ns_pins "$A" "$SH")/srclog_sources" ]
	run --separate-stderr in_ns "$B" "$SRCLOG" "$XB" start -S -l off
	expect_ok
	[ -e "$(ns_pins "$B" "$SH")/srclog_sources" ]
	[ "$(ns_pins "$A" "$SH")" != "$(ns_pins "$B" "$SH")" ]

	run ip netns exec "$B" ping -n -c 2 -i 0.2 -W 1 "$A_ADDR"
	[ "$status" -eq 0 ] || { echo "$output"; return 1; }
	run top_of "$A" "$XA"
	[ "$output" = "$B_ADDR:2" ] || { echo "A lists: $output"; return 1; }
	run top_of "$B" "$XB"
	[ "$output" = "$A_ADDR:2" ] || { echo "B lists: $output"; return 1; }

	# the script stops what plain ip started: $B's srclog and pins go on
	run --separate-stderr in_ns "$A" "$SRCLOG" "$XA" stop
	expect_ok
	[ -z "$(xdp_id "$XA" "$A")" ]
	[ ! -e "$(ns_pins "$A" "$SH")/srclog_sources" ]
	[ -e "$(ns_pins "$B" "$SH")/srclog_sources" ]
	run --separate-stderr in_ns "$B" "$SRCLOG" "$XB" stop
	expect_ok
	[ -z "$(find "$SH" -mindepth 1 ! -name '*.debug')" ] || { find "$SH"; return 1; }
}

@test "xdping --cleanup in one namespace never deletes a live run in the other" {
	local runs
	shared_up
	[ "$(ifindex_of "$XA" "$A")" = "$(ifindex_of "$XB" "$B")" ]
	# the run's entry lives from its seeding through ping's 40 requests
	# (12 s): B's cleanup below comes well inside that, even in a VM
	# without KVM
	in_ns "$A" "$XDPING" -S -c 40 -i 0.3 "$XA" "$B_ADDR" >"$BATS_TEST_TMPDIR/a.out" 2>&1 &
	BG_PID=$!
	# wait until $A's run is seeded, wherever it is pinned (attaching and
	# the first answer took over 5 s in Debian's kernel under TCG)
	wait_until 20 seeded || { echo "not seeded in 20 s"; cat "$BATS_TEST_TMPDIR/a.out"; return 1; }

	# $B's cleanup of its own interface, same ifindex: $A's run stays.
	run --separate-stderr in_ns "$B" "$XDPING" --cleanup "$XB"
	expect_ok
	# (while A runs, its entry is there; only A's own exit removes it)
	if [ "$(bpftool -j map dump pinned "$runs" | jq length)" != 1 ] &&
		kill -0 "$BG_PID" 2>/dev/null; then
		echo "B's --cleanup deleted A's live run"
		return 1
	fi

	exited "$BG_PID" 30
	BG_PID=
	output=$(cat "$BATS_TEST_TMPDIR/a.out")
	[ "$EXIT_RC" -eq 0 ] || { echo "A's run exited $EXIT_RC"; echo "$output"; return 1; }
	[ "$(xdp_samples "$output")" -eq 40 ] || { echo "$output"; return 1; }
	no_pins "$SH"
	[ -z "$(find "$SH" -mindepth 1 ! -name '*.debug')" ] || { find "$SH"; return 1; }
}

@test "a new namespace never inherits the pins a dead one left" {
	local before
	shared_up
	# $A's srclog counts $B's pings, then $A dies without a stop
	run --separate-stderr in_ns "$A" "$SRCLOG" "$XA" start -S -l off
	expect_ok
	ip netns exec "$B" ping -n -c 2 -i 0.2 -W 1 "$A_ADDR" >/dev/null
	run top_of "$A" "$XA"
	[ "$output" = "$B_ADDR:2" ] || { echo "A lists: $output"; return 1; }
	before=$(pins_named "$SH" srclog_sources)
	[ -n "$before" ]
	ip netns del "$A"
	A=

	# A new namespace (its inode may well be the dead one's), the same
	# names, ifindex and addresses: it starts from nothing.
	A2=xknsa2$BATS_TEST_NUMBER.$$
	ip netns add "$A2"
	ip -n "$B" link add "$XB.2" type veth peer name "$XA" netns "$A2"
	ip -n "$A2" link set lo up
	ip netns exec "$A2" sysctl -qw net.ipv6.conf.all.disable_ipv6=1
	ip -n "$A2" addr add "$A_ADDR/24" dev "$XA"
	ip -n "$A2" link set "$XA" up
	run --separate-stderr in_ns "$A2" "$SRCLOG" "$XA" start -S -l off
	expect_ok
	run top_of "$A2" "$XA"
	[ "$output" = "" ] || { echo "the new namespace lists: $output"; return 1; }
	[ "$(pins_named "$SH" srclog_sources | grep -cvxF -- "$before")" -eq 1 ]
	run --separate-stderr in_ns "$A2" "$SRCLOG" "$XA" stop
	expect_ok
	# the dead namespace's pins are still there, untouched
	[ "$(pins_named "$SH" srclog_sources)" = "$before" ]
}

# -- TC_BPF_MNT that is not a bpffs --------------------------------------

@test "TC_BPF_MNT on a directory with files: exit 3, one line, nothing mounted over it" {
	local d=$XDPKIT_TEST_TMP/ordinary.$BATS_TEST_NUMBER
	lab_up
	mkdir -p "$d/sub"
	echo keep >"$d/file"
	not_mounted() { ! grep -q " $d " /proc/self/mounts; }
	run --separate-stderr env TC_BPF_MNT="$d" "$SRV" "$C" start -S
	expect_error 3 "$d" xdping-server.sh
	[[ $stderr == *"never mounts over"* ]] || { show_run; return 1; }
	not_mounted
	run --separate-stderr env TC_BPF_MNT="$d" "$SRCLOG" "$C" start -S
	expect_error 3 "never mounts over" srclog.sh
	not_mounted
	run --separate-stderr env TC_BPF_MNT="$d" "$XDPING" -S -c 1 "$C" "$P_ADDR"
	expect_error 3 "never mounts over"
	not_mounted
	run --separate-stderr env TC_BPF_MNT="$d/" "$XDPING" --cleanup "$C"
	expect_error 3 "never mounts over"
	not_mounted
	# its files are there and untouched; nothing was attached
	[ "$(cat "$d/file")" = keep ] && [ -d "$d/sub" ]
	[ "$(ls -A "$d" | sort | tr '\n' ' ')" = "file sub " ]
	[ -z "$(xdp_id "$C")" ]
	rm -rf "$d"
}

@test "a bpffs a script mounts is mode 0700, and goes with stop, with the directory it made" {
	local d=$XDPKIT_TEST_TMP/made.$BATS_TEST_NUMBER mnt
	lab_up
	mnt=$d/a/bpffs
	unmounted() { ! grep -q " $1 " /proc/self/mounts; }
	# missing: made, mounted 0700 (the sticky bit bpffs always adds aside)
	run --separate-stderr env TC_BPF_MNT="$mnt" "$SRV" "$C" start -S
	expect_ok
	grep -q " $mnt bpf " /proc/self/mounts
	[ "$(stat -c %a "$mnt")" = 1700 ] || { stat -c '%a %A' "$mnt"; return 1; }
	[ "$(stat -c %a "$d")" = 700 ] && [ "$(stat -c %a "$d/a")" = 700 ]
	[ -e "$mnt/xdp/globals/xdping_stats" ]
	run --separate-stderr env TC_BPF_MNT="$mnt" "$SRV" "$C" stop
	expect_ok
	unmounted "$mnt"
	[ ! -e "$d" ] || { ls -laR "$d"; return 1; }

	# an empty directory that was there: mounted 0700, left as it was
	mkdir -m 0755 "$d"
	run --separate-stderr env TC_BPF_MNT="$d" "$SRCLOG" "$C" start -S
	expect_ok
	[ "$(stat -c %a "$d")" = 1700 ] || { stat -c '%a %A' "$d"; return 1; }
	run --separate-stderr env TC_BPF_MNT="$d" "$SRCLOG" "$C" stop
	expect_ok
	unmounted "$d"
	[ -d "$d" ] && [ "$(stat -c %a "$d")" = 755 ] && [ -z "$(ls -A "$d")" ]
	rmdir "$d"
}

# -- a pin of ours with another layout -----------------------------------

# plant NAME bpftool-map-create-args...: a map pinned as one of ours.
plant() {
	local name=$1
	shift
	mkdir -p "$PINS"
	bpftool map create "$PINS/$name" "$@" name "$name"
	bpftool -j map show pinned "$PINS/$name" | jq -r .id
}

@test "a pin of ours with another layout: exit 3 naming the pin and what differs, left in place" {
	local id
	lab_up
	# iproute2 makes the directories; a pin planted before any load
	ip link set dev "$C" xdpgeneric obj "$XK/xdp/pass.o" sec xdp
	ip link set dev "$C" xdpgeneric off

	id=$(plant xdping_stats type array key 4 value 8 entries 2)
	run --separate-stderr "$SRV" "$C" start -S
	expect_error 3 "$PINS/xdping_stats" xdping-server.sh
	[[ $stderr == *"type array, not percpu_array; value size 8, not 40"* ]] || { show_run; return 1; }
	[[ $stderr == *"left in place"* ]] || { show_run; return 1; }
	[ "$(bpftool -j map show pinned "$PINS/xdping_stats" | jq -r .id)" = "$id" ]
	[ -z "$(xdp_id "$C")" ]
	# xdping.sh reads the same pin first
	run --separate-stderr "$XDPING" -S -c 1 "$C" "$P_ADDR"
	expect_error 3 "$PINS/xdping_stats"
	[ "$(bpftool -j map show pinned "$PINS/xdping_stats" | jq -r .id)" = "$id" ]
	[ -z "$(xdp_id "$C")" ]
	rm -f "$PINS/xdping_stats"

	id=$(plant xdping_runs type hash key 8 value 9256 entries 16)
	run --separate-stderr "$XDPING" -S -c 1 "$C" "$P_ADDR"
	expect_error 3 "$PINS/xdping_runs"
	[[ $stderr == *"max entries 16, not 256"* ]] || { show_run; return 1; }
	[ "$(bpftool -j map show pinned "$PINS/xdping_runs" | jq -r .id)" = "$id" ]
	[ -z "$(xdp_id "$C")" ]
	[ ! -e "$PINS/xdping_stats" ]
	rm -f "$PINS/xdping_runs"

	id=$(plant srclog_config type array key 4 value 4 entries 1)
	run --separate-stderr "$SRCLOG" "$C" start -S
	expect_error 3 "$PINS/srclog_config" srclog.sh
	[[ $stderr == *"value size 4, not 8"* ]] || { show_run; return 1; }
	[ "$(bpftool -j map show pinned "$PINS/srclog_config" | jq -r .id)" = "$id" ]
	[ -z "$(xdp_id "$C")" ]
	[ -z "$(pins_named /sys/fs/bpf 'srclog_*' | grep -v srclog_config)" ]
	rm -f "$PINS/srclog_config"

	# a program pinned where a map of ours goes
	ip link set dev "$C" xdpgeneric obj "$XK/xdp/pass.o" sec xdp
	bpftool prog pin id "$(xdp_id "$C")" "$PINS/xdping_stats"
	ip link set dev "$C" xdpgeneric off
	run --separate-stderr "$SRV" "$C" start -S
	expect_error 3 "$PINS/xdping_stats" xdping-server.sh
	[[ $stderr == *"not a BPF map"* ]] || { show_run; return 1; }
	[ -e "$PINS/xdping_stats" ]
	[ -z "$(xdp_id "$C")" ]
	rm -f "$PINS/xdping_stats"

	# the right layout is reused, as before
	run --separate-stderr "$SRV" "$C" start -S
	expect_ok
	run --separate-stderr "$SRV" "$C" stop
	expect_ok
	assert_clean "$C"
}
