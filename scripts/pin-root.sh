#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# pin-root: prints the directory to give iproute2 as TC_BPF_MNT in this
# network namespace, so that a plain 'ip link set ... xdp obj' pins its
# maps where the xdpkit scripts of this namespace look for them.
# shellcheck disable=SC3043 # local: dash, bash and busybox sh all have it
set -eu

usage() {
	cat <<'EOF_USAGE'
usage: pin-root.sh

Prints this network namespace's pin root in the bpffs at $TC_BPF_MNT (else
/sys/fs/bpf), and makes the directory if it is missing (a bpffs is mounted
there, mode 0700, when there is none). The initial namespace pins at the
top of the bpffs; every other one under xdpkit/netns/COOKIE, so that
namespaces sharing one bpffs never see each other's maps. Use it as:

  TC_BPF_MNT=$(pin-root.sh) ip link set dev IFACE xdp obj xdp/NAME.o sec xdp

Exit: 0 done; 2 usage; 3 environment (not root, bpffs unusable).
EOF_USAGE
}

# shellcheck source-path=SCRIPTDIR source=lib/lib.sh
. "$(dirname -- "$(readlink -f -- "$0")")/lib/lib.sh"

main() {
	no_args "$@"
	need_root
	bpffs_init
	root_make
	printf '%s\n' "$XK_ROOT"
}

main "$@"
