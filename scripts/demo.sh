#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# demo: xdping in a throwaway lab of two namespaces joined by a veth pair,
# first against the kernel's echo responder, then against xdping_server.
# Nothing outside the lab is touched, and the lab is gone afterwards.
# shellcheck disable=SC3043 # local: dash, bash and busybox sh all have it
set -eu

usage() {
	cat <<'EOF_USAGE'
usage: demo.sh

Builds a lab of two network namespaces joined by a veth pair, in a private
mount namespace with a bpffs of its own, and runs xdping there: first
against the kernel's echo responder, then against xdping_server. The lab
goes with the command, however it ends. 'sudo make demo' installs what is
missing, builds, and runs it.

Exit: 0 both runs measured everything; 1 a run did not; 2 usage;
3 environment (not root, a tool missing, not built).
EOF_USAGE
}

# shellcheck source-path=SCRIPTDIR source=lib/lib.sh
. "$(dirname -- "$(readlink -f -- "$0")")/lib/lib.sh"

A=xdpkit-demo-$$-a
B=xdpkit-demo-$$-b
A_ADDR=198.18.100.1
B_ADDR=198.18.100.2
BPFFS=

# shellcheck disable=SC2317 # run from the trap
teardown() {
	ip netns del "$A" 2>/dev/null || true
	ip netns del "$B" 2>/dev/null || true
	[ -n "$BPFFS" ] || return 0
	umount "$BPFFS" 2>/dev/null || true
	rmdir "$BPFFS" 2>/dev/null || true
}

# lab_up: $A (demo0, $A_ADDR) and $B (demo1, $B_ADDR), and a bpffs at
# $BPFFS that both see.
lab_up() {
	local ns
	BPFFS=$(mktemp -d /tmp/xdpkit-demo.XXXXXX)
	mkdir -p /run/netns
	mount -t tmpfs tmpfs /run/netns
	mount -t bpf bpf "$BPFFS"
	ip netns add "$A"
	ip netns add "$B"
	ip -n "$A" link add demo0 type veth peer name demo1 netns "$B"
	ip -n "$A" addr add "$A_ADDR/24" dev demo0
	ip -n "$B" addr add "$B_ADDR/24" dev demo1
	for ns in "$A" "$B"; do
		ip -n "$ns" link set lo up
	done
	ip -n "$A" link set demo0 up
	ip -n "$B" link set demo1 up
}

# ip netns exec remounts /sys: the scripts find the bpffs via TC_BPF_MNT.
in_a() {
	ip netns exec "$A" env TC_BPF_MNT="$BPFFS" "$@"
}
in_b() {
	ip netns exec "$B" env TC_BPF_MNT="$BPFFS" "$@"
}

main() {
	local rc1=0 rc2=0
	no_args "$@"
	need_root
	need_tools ip bpftool ping unshare
	need_built "$XK_HOME/xdp/xdping_client.o"
	need_built "$XK_LIB/xdping-map"

	# A private mount namespace: the lab's namespace names and its bpffs
	# are invisible to the host and vanish with this process.
	if [ "${XDPKIT_DEMO_NS:-}" != 1 ]; then
		XDPKIT_DEMO_NS=1 exec unshare --mount --propagation private -- "$0"
	fi
	trap teardown EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
	lab_up

	echo "== lab: $A (demo0 $A_ADDR) <-veth-> $B (demo1 $B_ADDR)"
	echo
	echo "== 1. xdping against the kernel's echo responder"
	echo "   (a veth drops native XDP_TX unless its peer has an XDP program: xdp/pass.o on demo1)"
	echo "\$ ./scripts/xdping.sh -c 5 -i 0.2 demo0 $B_ADDR"
	ip -n "$B" link set dev demo1 xdp obj "$XK_HOME/xdp/pass.o" sec xdp
	in_a "$XK_SCRIPTS/xdping.sh" -c 5 -i 0.2 demo0 "$B_ADDR" || rc1=$?
	ip -n "$B" link set dev demo1 xdp off

	echo
	echo "== 2. xdping against xdping_server, the kernel's responder switched off"
	ip netns exec "$B" sysctl -qw net.ipv4.icmp_echo_ignore_all=1
	echo "\$ ./scripts/xdping-server.sh demo1 start"
	in_b "$XK_SCRIPTS/xdping-server.sh" demo1 start
	echo "\$ ./scripts/xdping.sh -c 5 -i 0.2 demo0 $B_ADDR"
	in_a "$XK_SCRIPTS/xdping.sh" -c 5 -i 0.2 demo0 "$B_ADDR" || rc2=$?
	echo "\$ ./scripts/xdping-server.sh demo1 status"
	in_b "$XK_SCRIPTS/xdping-server.sh" demo1 status || true
	echo "\$ ./scripts/xdping-server.sh demo1 stop"
	in_b "$XK_SCRIPTS/xdping-server.sh" demo1 stop

	echo
	echo "== lab torn down"
	[ "$rc1" -eq 0 ] && [ "$rc2" -eq 0 ]
}

main "$@"
