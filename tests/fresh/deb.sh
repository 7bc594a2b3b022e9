#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# shellcheck disable=SC3043 # dash, the project's sh, has local
#
# The installed package, checked where tests/fresh/run.sh installed it (a
# minimal Debian 12 root, XDPKIT_FRESH_DEB=1), as root:
#
#   deb.sh installed   the files where Debian puts them, the commands from
#                      /usr/sbin (xdping -c 3 in a lab of two namespaces
#                      joined by a veth pair, 198.18.200.0/24), man -w
#                      xdping (man-db is installed for it), the completion,
#                      no unit enabled; keeps dpkg -L xdpkit in LIST
#   deb.sh purged LIST after apt-get purge xdpkit: no file of LIST is left
#
# Exit 0 pass, 1 a check failed (one line on stderr says which), 2 usage.
set -eu

PROG=deb.sh
LAB_A=198.18.200.1
LAB_B=198.18.200.2

fail() {
	printf '%s: %s\n' "$PROG" "$*" >&2
	exit 1
}

# lab: inside private network and mount namespaces (nothing of the host's
# is touched, and the lab goes with them): a far namespace joined by a
# veth pair, its kernel answering pings, then xdping from /usr/sbin.
lab() {
	mount -t bpf bpf /sys/fs/bpf
	# the namespace's name in a /run/netns of the lab's own: on a failure
	# before 'ip netns del', nothing is left in anybody's /run
	mkdir -p /run/netns
	mount -t tmpfs tmpfs /run/netns
	ip link set lo up
	ip netns add far
	ip link add xkdeb0 type veth peer name xkdeb1 netns far
	ip addr add "$LAB_A/24" dev xkdeb0
	ip link set xkdeb0 up
	ip -n far addr add "$LAB_B/24" dev xkdeb1
	ip -n far link set xkdeb1 up
	ip -n far link set lo up
	# a veth drops XDP_TX in native mode unless its peer has a program
	ip -n far link set dev xkdeb1 xdp obj /usr/lib/xdpkit/xdp/pass.o sec xdp
	out=$(xdping -c 3 xkdeb0 "$LAB_B") || fail "xdping -c 3 xkdeb0 $LAB_B: exit $?: $out"
	printf '%s\n' "$out"
	n=$(printf '%s\n' "$out" | sed -n '/^XDPING /,$p' | grep -c ' bytes from .* time=' || true)
	[ "$n" -eq 3 ] || fail "xdping printed $n XDP samples, not 3"
	[ -z "$(ip -j link show dev xkdeb0 | jq -r '.[0].xdp // empty')" ] ||
		fail "xdping left an XDP program on xkdeb0"
	ip netns del far
}

installed() {
	local list="$1" c f
	dpkg -L xdpkit >"$list"
	for c in xdping xdping-server srclog srcfilter; do
		[ "$(command -v "$c")" = "/usr/sbin/$c" ] || fail "$c is not /usr/sbin/$c"
		"$c" --help | grep -q "^usage: $c " || fail "$c --help does not name $c"
		f=/usr/share/man/man8/$c.8.gz
		grep -qx "$f" "$list" || fail "no $f in dpkg -L xdpkit"
		grep -qx "/lib/systemd/system/$c@.service" "$list" || [ "$c" = xdping ] ||
			fail "no $c@.service in dpkg -L xdpkit"
		# bash-completion loads a file by the command's name
		bash -c '. "/usr/share/bash-completion/completions/$1" && complete -p "$1"' sh "$c" |
			grep -q _xdpkit || fail "no bash completion for $c"
	done
	for f in /usr/lib/xdpkit/xdp/xdping_client.o /usr/share/doc/xdpkit/copyright \
		/usr/share/doc/xdpkit/README.md.gz /etc/xdpkit/units.conf; do
		grep -qx "$f" "$list" || fail "no $f in dpkg -L xdpkit"
	done
	[ "$(man -w xdping)" = /usr/share/man/man8/xdping.8.gz ] || fail "man -w xdping: '$(man -w xdping 2>&1)'"
	# the templates are never enabled by the package: no maintainer
	# script enables or starts anything, and no wants link exists
	! grep -rqs 'enable\|deb-systemd-invoke start' /var/lib/dpkg/info/xdpkit.postinst ||
		fail "postinst enables or starts a unit"
	! ls /etc/systemd/system/*.wants/xdping-server@* /etc/systemd/system/*.wants/srclog@* \
		/etc/systemd/system/*.wants/srcfilter@* >/dev/null 2>&1 || fail "a unit is enabled"
	XDPKIT_DEB_LAB=1 unshare -n -m --propagation private "$0" lab
}

purged() {
	local list="$1" left=
	! dpkg-query -W -f '${Status}\n' xdpkit 2>/dev/null | grep -q 'installed' ||
		fail "dpkg still lists xdpkit as installed"
	# every file and link, and every directory of ours (shared ones such
	# as /usr/sbin stay, and /lib, a link to usr/lib on a merged /usr)
	while IFS= read -r f; do
		if [ -d "$f" ]; then
			case $f in
			*xdpkit*) left="$left $f" ;;
			esac
		elif [ -e "$f" ] || [ -L "$f" ]; then
			left="$left $f"
		fi
	done <"$list"
	[ -z "$left" ] || fail "left after apt-get purge xdpkit:$left"
	[ "$(wc -l <"$list")" -gt 20 ] || fail "$list holds $(wc -l <"$list") paths, too few for dpkg -L xdpkit"
	echo "none of the $(wc -l <"$list") paths of dpkg -L xdpkit is left"
}

case ${1:-} in
installed | purged)
	[ "$#" -eq 2 ] || { echo "usage: deb.sh installed|purged LIST" >&2; exit 2; }
	"$1" "$2" ;;
lab)
	[ "${XDPKIT_DEB_LAB:-}" = 1 ] || { echo "$PROG: lab runs in namespaces of its own (deb.sh installed)" >&2; exit 2; }
	lab ;;
*) echo "usage: deb.sh installed|purged LIST" >&2; exit 2 ;;
esac
