# SPDX-License-Identifier: GPL-2.0
# Shared by the xdpkit scripts; sourced, never run. POSIX sh.
#
# Exit codes: 0 done; 1 the network did not answer as asked; 2 usage or
# bad input; 3 environment (not root, a tool missing, bpffs unusable, the
# interface busy with another XDP program).
#
# Helpers keep their own variables local and return values on stdout or
# through return codes. The only globals they set are the documented XK_*
# ones (the bpffs and the program a script attached), which belong to
# this file; a script's own variables are never touched.

# shellcheck disable=SC2034 # variables are read by the scripts that source us
# shellcheck disable=SC3043 # local: dash, bash and busybox sh all have it

PATH=$PATH:/usr/sbin:/sbin
export PATH

XK_PROG=${0##*/}

# XK_SCRIPTS: where the running command is (scripts/); XK_LIB: this
# file and the C helpers (scripts/lib/); XK_HOME: the checkout (or
# install) holding xdp/ and scripts/.
XK_SCRIPTS=$(CDPATH='' cd -- "$(dirname -- "$(readlink -f -- "$0")")" && pwd)
XK_LIB=$XK_SCRIPTS/lib
XK_HOME=${XK_SCRIPTS%/*}

# usage_named: a usage text from stdin to stdout, with the script's file
# name (NAME.sh) as the command was called: NAME through /usr/sbin/NAME.
usage_named() {
	sed "s/${XK_PROG%.sh}\.sh/$XK_PROG/g"
}

warn() {
	printf '%s: %s\n' "$XK_PROG" "$*" >&2
}

# die CODE MESSAGE...: MESSAGE on stderr, then exit CODE.
die() {
	local code="$1"
	shift
	warn "$@"
	exit "$code"
}

# no_args ARGS...: the argument parsing of a command that takes none but
# -h or --help, which print the script's usage() (exit 0); anything else
# is exit 2.
no_args() {
	local opt
	OPTIND=1
	while getopts :h-: opt; do
		case $opt in
		h) usage; exit 0 ;;
		-) [ "$OPTARG" != help ] || { usage; exit 0; }
			die 2 "unexpected argument '--$OPTARG' (see $XK_PROG --help)" ;;
		*) die 2 "unexpected argument '-$OPTARG' (see $XK_PROG --help)" ;;
		esac
	done
	shift $((OPTIND - 1))
	[ "$#" -eq 0 ] || die 2 "unexpected argument '$1' (see $XK_PROG --help)"
}

# want_iface_command WHAT ARGS...: the start of parse_args in a script
# used as 'SCRIPT IFACE COMMAND [options]': -h or --help first print the
# script's usage() (exit 0); fewer than two ARGS is exit 2, naming WHAT
# the command may be. The script then takes IFACE and COMMAND itself.
want_iface_command() {
	local what="$1"
	shift
	case ${1:-} in
	-h | --help) usage; exit 0 ;;
	esac
	[ "$#" -ge 2 ] || die 2 "expected IFACE and $what (see $XK_PROG --help)"
}

need_root() {
	[ "$(id -u)" -eq 0 ] || die 3 "must run as root (it attaches XDP programs)"
}

# need_tools TOOL...: exit 3 unless every TOOL is on the PATH.
need_tools() {
	local t
	for t in "$@"; do
		command -v "$t" >/dev/null 2>&1 ||
			die 3 "'$t' not found; install it (sudo make demo installs what is missing)"
	done
}

# need_built PATH: a file make builds.
need_built() {
	[ -e "$1" ] || die 3 "$1 is missing; run 'make' in $XK_HOME first"
}

# is_uint VALUE: a decimal number without sign.
is_uint() {
	case $1 in
	'' | *[!0-9]*) return 1 ;;
	esac
	[ "${#1}" -le 9 ]
}

# is_decimal VALUE: 1, 0.5, 2.25 (no sign, no exponent).
is_decimal() {
	case $1 in
	'' | .* | *. | *.*.* | *[!0-9.]*) return 1 ;;
	esac
}

# is_positive VALUE: a decimal number above zero.
is_positive() {
	is_decimal "$1" || return 1
	case $1 in
	*[1-9]*) return 0 ;;
	esac
	return 1
}

# is_ipv4 VALUE: a dotted quad, each part 0..255.
is_ipv4() {
	case $1 in
	*[!0-9.]* | .* | *. | *..*) return 1 ;;
	esac
	local old_ifs="$IFS" part
	IFS=.
	# shellcheck disable=SC2086 # split on dots on purpose
	set -- $1
	IFS=$old_ifs
	[ "$#" -eq 4 ] || return 1
	for part in "$@"; do
		is_uint "$part" && [ "${#part}" -le 3 ] && [ "$part" -le 255 ] || return 1
	done
}

# iface_json IFACE: ip's JSON view of IFACE (an array of one), or failure.
iface_json() {
	ip -j link show dev "$1" 2>/dev/null
}

# iface_check IFACE: exit 2 unless IFACE is an interface here.
iface_check() {
	# Names the kernel takes but no runbook uses (quotes, backslashes...)
	# are refused: they would have to be escaped in JSON output.
	case $1 in
	'' | -* | *[!A-Za-z0-9_.+@-]*) die 2 "'$1' is not an interface name" ;;
	esac
	[ "${#1}" -le 15 ] || die 2 "'$1' is not an interface name"
	iface_json "$1" >/dev/null || die 2 "no interface '$1' here"
}

# iface_index IFACE, iface_mtu IFACE: print IFACE's index, its MTU.
iface_index() {
	iface_json "$1" | jq -r '.[0].ifindex'
}

iface_mtu() {
	iface_json "$1" | jq -r '.[0].mtu'
}

# iface_kind IFACE: ip's link kind of IFACE (veth, vlan, bridge...), or
# nothing for a plain device.
iface_kind() {
	ip -j -d link show dev "$1" 2>/dev/null | jq -r '.[0].linkinfo.info_kind // empty'
}

# xdp_prog IFACE: "ID NAME MODE" of the XDP program on IFACE, or nothing.
# MODE is ip's keyword for it: xdp (native), xdpgeneric, xdpoffload,
# xdpmulti (native and generic at once: the first one is named). NAME is
# ? when the kernel gives none.
xdp_prog() {
	iface_json "$1" | jq -r '.[0].xdp // empty | (.prog // .attached[0].prog) as $p |
		select($p.id != null) |
		"\($p.id) \($p.name // "?") \({"1": "xdp", "2": "xdpgeneric", "3": "xdpoffload",
			"4": "xdpmulti"}[.mode | tostring] // "xdp")"'
}

# pick_mode CURRENT N|S: prints the mode ip takes for -N (native: xdpdrv)
# or -S (generic: xdpgeneric); CURRENT, the mode so far, must still be xdp
# (the kernel chooses): -N and -S exclude each other (exit 2).
pick_mode() {
	[ "$1" = xdp ] || die 2 "-N and -S exclude each other"
	if [ "$2" = N ]; then echo xdpdrv; else echo xdpgeneric; fi
}

# mode_name KEYWORD: what ip's xdp keyword means for a reader.
mode_name() {
	case $1 in
	xdpgeneric) echo generic ;;
	xdpoffload) echo offload ;;
	*) echo native ;;
	esac
}

# bpffs_init: finds the bpffs ($TC_BPF_MNT, else /sys/fs/bpf) and mounts
# one there, mode 0700, when there is none: on a missing or empty
# directory only, never over files (exit 3). Sets XK_BPFFS, XK_MOUNTED (1
# when we mounted it), XK_ROOT (this network namespace's pin root, see
# pin_root) and XK_PINS (where iproute2 pins our maps: $XK_ROOT/xdp/globals).
bpffs_init() {
	XK_BPFFS=${TC_BPF_MNT:-/sys/fs/bpf}
	XK_MOUNTED=0
	XK_MADE=
	XK_TIDY=0
	case $XK_BPFFS in
	/*) ;;
	*) die 3 "TC_BPF_MNT must be an absolute path" ;;
	esac
	while :; do
		case $XK_BPFFS in
		?*/) XK_BPFFS=${XK_BPFFS%/} ;;
		*) break ;;
		esac
	done
	need_built "$XK_LIB/xdpkit-pins"
	if [ "$(stat -f -c %T -- "$XK_BPFFS" 2>/dev/null)" != bpf_fs ]; then
		bpffs_mount
	elif XK_MADE=$(readlink -- "$XK_BPFFS/$XK_MARK" 2>/dev/null); then
		# an xdpkit script mounted it: the last one to need it unmounts it
		XK_MOUNTED=1
		[ "$XK_MADE" != - ] || XK_MADE=
	fi
	pin_root
	XK_PINS=$XK_ROOT/xdp/globals
}

# bpffs_mount: mounts a bpffs at XK_BPFFS, a missing or empty directory.
# Sets XK_MOUNTED, and XK_MADE to the topmost directory it had to make. A
# symlink XK_MARK at the top of the new bpffs (no dot: bpffs refuses names
# with one) records both, so that the script that removes the last pin (a
# stop) unmounts it and removes what was made for it, not only the script
# that mounted it.
XK_MARK=xdpkit-mounted
bpffs_mount() {
	if [ -d "$XK_BPFFS" ]; then
		[ -z "$(ls -A -- "$XK_BPFFS" 2>/dev/null)" ] ||
			die 3 "$XK_BPFFS is a directory with files in it, not a bpffs: xdpkit never mounts over it; point TC_BPF_MNT at a bpffs or an empty directory"
	elif [ -e "$XK_BPFFS" ] || [ -L "$XK_BPFFS" ]; then
		die 3 "no bpffs at $XK_BPFFS and it cannot be mounted (not a directory); point TC_BPF_MNT at a bpffs or an empty directory"
	else
		XK_MADE=$XK_BPFFS
		while [ -n "${XK_MADE%/*}" ] && [ ! -e "${XK_MADE%/*}" ]; do
			XK_MADE=${XK_MADE%/*}
		done
		(umask 077 && mkdir -p -- "$XK_BPFFS") 2>/dev/null || XK_MADE=
	fi
	if [ -d "$XK_BPFFS" ] && mount -t bpf -o mode=0700 bpf "$XK_BPFFS" 2>/dev/null; then
		XK_MOUNTED=1
		ln -s -- "${XK_MADE:--}" "$XK_BPFFS/$XK_MARK" 2>/dev/null || true
		return 0
	fi
	bpffs_unmade
	die 3 "no bpffs at $XK_BPFFS and it cannot be mounted; point TC_BPF_MNT at a directory where one can be"
}

# bpffs_unmade: removes the directories bpffs_mount made, if still empty.
bpffs_unmade() {
	[ -n "${XK_MADE:-}" ] || return 0
	set -- "$XK_BPFFS"
	while rmdir -- "$1" 2>/dev/null && [ "$1" != "$XK_MADE" ]; do
		set -- "${1%/*}"
	done
	XK_MADE=
}

# netns_is_init: true in the initial network namespace, the only one that
# shows the host-wide net.core sysctls (netdev_max_backlog among them).
netns_is_init() {
	[ -e /proc/sys/net/core/netdev_max_backlog ]
}

# pin_root: sets XK_NETNS, the cookie of this network namespace, and
# XK_ROOT, the directory it gives iproute2 as TC_BPF_MNT. A bpffs may be
# shared by several namespaces (ip netns exec with one TC_BPF_MNT), and
# runs and sources are keyed by ifindex, which repeats across them: so
# only one namespace pins at the top of the bpffs (the initial one, or
# the one whose cookie XDPKIT_ROOT_NETNS names), and every other one
# under $XK_BPFFS/xdpkit/netns/COOKIE. A cookie is never reused while the
# kernel runs, so a namespace never inherits the pins of a dead one.
pin_root() {
	XK_NETNS=$("$XK_LIB/xdpkit-pins" netns) ||
		die 3 "cannot tell which network namespace this is"
	case $XK_BPFFS in
	*/xdpkit/netns/"$XK_NETNS")
		XK_ROOT=$XK_BPFFS
		return 0 ;;
	*/xdpkit/netns/*)
		die 3 "$XK_BPFFS holds the pins of another network namespace (this one is ${XK_NETNS}); point TC_BPF_MNT at the bpffs itself" ;;
	esac
	if [ -n "${XDPKIT_ROOT_NETNS:-}" ]; then
		[ "$XK_NETNS" != "$XDPKIT_ROOT_NETNS" ] || { XK_ROOT=$XK_BPFFS; return 0; }
	elif netns_is_init; then
		XK_ROOT=$XK_BPFFS
		return 0
	fi
	XK_ROOT=$XK_BPFFS/xdpkit/netns/$XK_NETNS
	[ -d "$XK_ROOT" ] || XK_TIDY=1
}

# root_make: makes this namespace's pin root (iproute2 would mount a new
# bpffs over a missing TC_BPF_MNT, hiding it from everyone else).
root_make() {
	[ ! -d "$XK_ROOT" ] || return 0
	(umask 077 && mkdir -p -- "$XK_ROOT") 2>/dev/null ||
		die 3 "cannot make $XK_ROOT for the pins of this network namespace"
}

# root_prune: removes this namespace's pin root when no pin is left in it
# (only what iproute2 and root_make put there: xdp and ip links, tc/globals).
root_prune() {
	[ "$XK_ROOT" != "$XK_BPFFS" ] && [ -d "$XK_ROOT" ] || return 0
	[ -z "$(find "$XK_ROOT" ! -type d ! -type l 2>/dev/null)" ] || return 0
	local l
	for l in xdp ip; do
		[ ! -L "$XK_ROOT/$l" ] || rm -f -- "$XK_ROOT/$l"
	done
	rmdir -- "$XK_ROOT/tc/globals" "$XK_ROOT/tc" 2>/dev/null || true
	rmdir -- "$XK_ROOT" "${XK_ROOT%/*}" "${XK_ROOT%/*/*}" 2>/dev/null || true
}

# bpffs_done: removes this namespace's pin root when we made it or removed
# its last pins and it is empty; unmounts the bpffs we mounted, once
# nothing is pinned in it, and removes the directory we made for it.
bpffs_done() {
	[ "${XK_TIDY:-0}" -eq 0 ] || root_prune
	[ "${XK_MOUNTED:-0}" -eq 1 ] || return 0
	[ -z "$(find "$XK_BPFFS" -type f ! -name '*.debug' 2>/dev/null)" ] || return 0
	rm -f -- "$XK_BPFFS/$XK_MARK"
	if ! umount "$XK_BPFFS" 2>/dev/null; then
		ln -s -- "${XK_MADE:--}" "$XK_BPFFS/$XK_MARK" 2>/dev/null || true
		return 0
	fi
	XK_MOUNTED=0
	bpffs_unmade
}

# pins_fit OBJ: exit 3, naming the pin and what differs, when a map OBJ
# pins by name is already pinned with another type or layout (planted, or
# left by an old version); the pin is left in place.
pins_fit() {
	[ -d "$XK_PINS" ] || return 0
	local why
	why=$("$XK_LIB/xdpkit-pins" check "$1" "$XK_PINS" 2>&1) && return 0
	case $why in
	"$XK_PINS/"*) die 3 "$why; left in place (remove it if nothing uses it)" ;;
	'') die 3 "cannot compare the pins in $XK_PINS with $1" ;;
	*) die 3 "${why#xdpkit-pins: }" ;;
	esac
}

# xdp_attach IFACE MODE OBJ: plain iproute2; never -force. Sets XK_ATTACHED
# to "ID MODE" of what we attached. Exit 3 when IFACE refuses.
xdp_attach() {
	local err
	pins_fit "$3"
	root_make
	if ! err=$(TC_BPF_MNT=$XK_ROOT ip link set dev "$1" "$2" obj "$3" sec xdp 2>&1); then
		err=$(printf '%s' "$err" | grep -v '^$' | tail -n 1)
		case $err in
		*already*attached* | *busy* | *"can't be active"*)
			die 3 "$1 already has an XDP program; xdpkit never replaces one" ;;
		*"not support XDP in native mode"*)
			die 3 "$1 has no native XDP (VLAN devices, bridges and the like attach generic only): use -S" ;;
		esac
		die 3 "cannot attach $3 to $1: ${err:-ip failed}"
	fi
	set -- "$1" "$(xdp_prog "$1")"
	[ -n "$2" ] || die 3 "attached to $1, but ip shows no XDP program there"
	XK_ATTACHED="${2%% *} ${2##* }"
}

# xdp_detach_own IFACE: detaches the program XK_ATTACHED names, only if
# it is still the one on IFACE, and waits until the kernel freed it.
xdp_detach_own() {
	[ -n "${XK_ATTACHED:-}" ] || return 0
	set -- "$1" "${XK_ATTACHED%% *}" "${XK_ATTACHED##* }" "$(xdp_prog "$1")"
	XK_ATTACHED=
	[ "${4%% *}" = "$2" ] || return 0
	ip link set dev "$1" "$3" off 2>/dev/null || return 1
	prog_gone "$2"
}

# attach_own IFACE MODE OBJ PIN...: xdp_attach for a start command; when
# IFACE refuses, the pins the attempt made are removed and the bpffs let
# go before exit 3. Sets XK_ATTACHED.
attach_own() {
	local iface="$1" mode="$2" obj="$3"
	shift 3
	pins_snapshot "$@"
	if ! (xdp_attach "$iface" "$mode" "$obj"); then
		pins_release "$@"
		bpffs_done
		exit 3
	fi
	set -- "$(xdp_prog "$iface")"
	XK_ATTACHED="${1%% *} ${1##* }"
}

# say_attached IFACE "ID NAME MODE": the line start and status print.
say_attached() {
	set -- "$1" "${2%% *}" "${2#* }"
	echo "${3% *} attached to $1 ($(mode_name "${3##* }") mode, prog $2)"
}

# stop_own IFACE "ID NAME MODE" NAME PIN...: a stop command. Detaches the
# program on IFACE if it is NAME (exit 3 if ip refuses), then removes the
# pins no program uses and lets the bpffs go. Nothing there is not an error.
stop_own() {
	local iface="$1" cur="$2" name="$3"
	shift 3
	case $cur in
	*" $name "*)
		XK_ATTACHED="${cur%% *} ${cur##* }"
		xdp_detach_own "$iface" || die 3 "cannot detach $name from $iface"
		echo "$name detached from $iface" ;;
	"") echo "no $name on $iface; nothing to stop" ;;
	*) echo "no $name on $iface; nothing to stop (its XDP program, ${cur#* }, is another's: left in place)" ;;
	esac
	pins_release "$@"
	bpffs_done
}

# prog_gone ID: waits (at most 2 s) until program ID no longer exists; a
# program still held elsewhere is not an error.
prog_gone() {
	wait_until 2 prog_absent "$1" || true
}

# prog_absent ID: true when no program has ID.
prog_absent() {
	! bpftool prog show id "$1" >/dev/null 2>&1
}

# map_in_use PIN: true when a loaded program uses the map pinned at PIN.
map_in_use() {
	local id
	id=$(bpftool -j map show pinned "$1" 2>/dev/null | jq -r '.id // empty' 2>/dev/null)
	[ -n "$id" ] || return 1
	bpftool -j prog show 2>/dev/null |
		jq -e --argjson id "$id" 'any(.[]; (.map_ids // []) | index($id) != null)' >/dev/null
}

# pins_snapshot NAME...: remembers which of our pins exist unused now; those
# were left on purpose and pins_release leaves them.
pins_snapshot() {
	local name
	XK_KEEP=
	for name in "$@"; do
		if [ -e "$XK_PINS/$name" ] && ! map_in_use "$XK_PINS/$name"; then
			XK_KEEP="$XK_KEEP $name "
		fi
	done
}

# pins_release NAME...: removes each of our pins no program uses any more.
pins_release() {
	local name pin
	for name in "$@"; do
		pin=$XK_PINS/$name
		case ${XK_KEEP:-} in
		*" $name "*) continue ;;
		esac
		if [ -e "$pin" ] && ! map_in_use "$pin"; then
			rm -f -- "$pin"
			XK_TIDY=1
		fi
	done
}

# rand16: a random 16-bit number, 1..65535.
rand16() {
	local n
	n=$(od -An -N2 -tu2 /dev/urandom | tr -d ' ')
	[ "$n" -gt 0 ] || n=1
	printf '%s\n' "$n"
}

# wait_until TIMEOUT CMD...: runs CMD until it succeeds, for at most
# TIMEOUT seconds (whole or decimal, to 0.01 s): at once, then after 0.01,
# 0.02 and 0.05 s, then every 0.1 s. Returns 0 as soon as CMD succeeds, 1
# when the time is up (CMD always runs once, and once more at the end).
# The one bounded wait of the scripts and the tests: no fixed sleeps. The
# clock is /proc/uptime (monotonic, read without a fork).
wait_until() {
	local t="$1" int frac=100 end up rest step=0.01
	shift
	# TIMEOUT in hundredths: whole part (no leading zeros: not octal) and
	# two digits of fraction, as 1XY - 100
	int=${t%.*}
	int=${int#"${int%%[!0]*}"}
	case $t in
	*.*) frac=${t#*.}00
		frac=1${frac%"${frac#??}"} ;;
	esac
	read -r up rest </proc/uptime
	end=$((${up%.*} * 100 + 1${up#*.} - 100 + ${int:-0} * 100 + frac - 100))
	while :; do
		"$@" && return 0
		read -r up rest </proc/uptime
		[ $((${up%.*} * 100 + 1${up#*.} - 100)) -lt "$end" ] || return 1
		sleep "$step"
		case $step in
		0.01) step=0.02 ;;
		0.02) step=0.05 ;;
		*) step=0.1 ;;
		esac
	done
}
