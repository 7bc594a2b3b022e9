#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# xdping-server: answer on IFACE, in XDP, the echo requests the host's own
# stack would answer (see README.md, "xdping_server").
#
# The functions, then main: arguments, environment, one action.
# shellcheck disable=SC3043 # local: dash, bash and busybox sh all have it
set -eu

usage() {
	usage_named <<'EOF2'
usage: xdping-server.sh IFACE start [-N|-S] [-a PREFIX]...
       xdping-server.sh IFACE stop|status
       xdping-server.sh IFACE metrics FILE

  start    attach xdp/xdping_server.o to IFACE (-N native, -S generic,
           default: the kernel chooses) and give it what it checks against:
           the host's addresses, IFACE's VLAN devices, the reply TTL and
           hop limit; nothing keeps running. On a server already attached
           (by this script or by plain ip), it reloads all of that.
           -a PREFIX (repeatable, IPv4 or IPv6, ADDRESS[/LEN]): answer only
           these sources in XDP; any other request goes to the stack.
  stop     detach it and remove the pins no program uses any more
  status   whether it is attached, and its counters
  metrics  write its counters (answered, passed, errors) to FILE in the
           Prometheus text format (for node_exporter's textfile
           collector), atomically; the counters are those of every
           xdping_server in this network namespace (one shared map)

XDP answers before netfilter and before net.ipv4.icmp_echo_ignore_all
are consulted: while attached, it overrides both for the requests it
answers (use -a to limit who gets answered).

Exit: 0 done (status: attached); 1 status, metrics: not attached; 2 usage
or bad input; 3 environment (root, tools, bpffs, IFACE busy with another
program, counters out of reach, FILE not writable).
EOF2
}

# shellcheck source-path=SCRIPTDIR source=lib/lib.sh
. "$(dirname -- "$(readlink -f -- "$0")")/lib/lib.sh"

MAP=$XK_LIB/xdping-map
SRVMAP=$XK_LIB/xdping-srvmap
OBJ=$XK_HOME/xdp/xdping_server.o

# The options, as parse_args leaves them.
iface=
action=
mode=xdp          # ip's keyword: xdp (the kernel chooses), xdpdrv, xdpgeneric
allow=            # the -a prefixes, each after a space
file=             # metrics FILE

# parse_args ARGS...: IFACE, the action and its options into the variables
# above. Exit 2 on bad input, before anything is touched.
parse_args() {
	local opt p
	want_iface_command "start, stop, status or metrics" "$@"
	iface=$1
	action=$2
	shift 2
	if [ "$action" = metrics ]; then
		[ "$#" -eq 1 ] || die 2 "metrics takes one FILE"
		file=$1
		case $file in
		'' | -* | */ | */. | */.. | . | ..) die 2 "metrics: '$file' is not a file name" ;;
		*/*) [ -d "${file%/*}/" ] || die 2 "metrics: no directory ${file%/*}" ;;
		esac
		return 0
	fi
	OPTIND=1
	while getopts :NSa:-: opt; do
		case $opt in
		N | S) mode=$(pick_mode "$mode" "$opt") || exit 2 ;;
		a)
			case $OPTARG in
			'' | *[!0-9A-Fa-f.:/]*) die 2 "'$OPTARG' is not an IPv4 or IPv6 prefix" ;;
			esac
			allow="$allow $OPTARG" ;;
		:) die 2 "-a needs a PREFIX" ;;
		-) die 2 "unknown argument '--$OPTARG' (see $XK_PROG --help)" ;;
		*) die 2 "unknown argument '-$OPTARG' (see $XK_PROG --help)" ;;
		esac
	done
	shift $((OPTIND - 1))
	[ "$#" -eq 0 ] || die 2 "unknown argument '$1' (see $XK_PROG --help)"
	case $action in
	start) ;;
	stop | status)
		[ "$mode" = xdp ] || die 2 "-N and -S go with start"
		[ -z "$allow" ] || die 2 "-a goes with start"
		;;
	*) die 2 "unknown action '$action': start, stop, status or metrics" ;;
	esac
	# Every prefix is checked before anything is touched.
	for p in $allow; do
		printf 'allow %s\n' "$p" | "$SRVMAP" 0 0 0 0 0 0 >/dev/null 2>&1 ||
			die 2 "'$p' is not an IPv4 or IPv6 prefix"
	done
}

# srv_map PROG NAME: the id of the map NAME of program PROG.
srv_map() {
	local m
	for m in $(bpftool -j prog show id "$1" | jq -r '.map_ids[]?'); do
		if [ "$(bpftool -j map show id "$m" | jq -r '.name')" = "$2" ]; then
			echo "$m"
			return 0
		fi
	done
	return 1
}

# srv_maps PROG: the six map ids xdping-srvmap takes, in its order.
srv_maps() {
	local n
	for n in xdping_srvconf xdping_addr4 xdping_addr6 xdping_vlans xdping_allow4 xdping_allow6; do
		srv_map "$1" "$n" || return 1
	done
}

# lo_fwd_of PROG: what the config of PROG says the script set on lo (0..3).
lo_fwd_of() {
	local c
	c=$(srv_map "$1" xdping_srvconf) || { echo 0; return 0; }
	bpftool -j map lookup id "$c" key 0 0 0 0 2>/dev/null |
		jq -r '.formatted.value.lo_fwd // 0' 2>/dev/null || echo 0
}

# sysctl_get PATH: the value of /proc/sys/PATH, empty when there is none.
# A path, not sysctl's dotted name: an interface name may hold a dot
# (eth0.100, a VLAN device), and sysctl's name for it swaps it to a slash.
sysctl_get() {
	if [ -r "/proc/sys/$1" ]; then cat "/proc/sys/$1"; fi
}

# items PROG LOFWD: the lines xdping-srvmap takes, for IFACE now.
items() {
	local ttl hop a4=0 a6=0 p
	ttl=$(sysctl_get net/ipv4/ip_default_ttl)
	hop=$(sysctl_get "net/ipv6/conf/$iface/hop_limit")
	[ "$(sysctl_get "net/ipv6/conf/$iface/disable_ipv6")" != 1 ] || hop=0
	[ -z "$allow" ] || a4=1 a6=1
	echo "config ${ttl:-64} ${hop:-0} $a4 $a6 $2"
	# Every unicast address of this namespace the stack answers for
	# (weak host: an address of another device too), but neither
	# loopback nor link-local (the object passes link-local anyway),
	# nor an IPv6 address that is not usable yet (tentative, dadfailed).
	ip -j addr show | jq -r '.[] | .ifindex as $i | .addr_info[]? |
		select(.scope != "host" and .scope != "link") |
		select((.tentative // false) == false and (.dadfailed // false) == false) |
		select(.family == "inet" or .family == "inet6") |
		"addr \(.local) \($i)"'
	# The 802.1Q devices on IFACE: a tagged request is theirs.
	ip -j -d link show | jq -r --arg l "$iface" '.[] |
		select(.link == $l and .linkinfo.info_kind == "vlan" and
		       .linkinfo.info_data.protocol == "802.1Q") |
		"vlan \(.linkinfo.info_data.id) \(.ifindex)"'
	for p in $allow; do
		echo "allow $p"
	done
}

# load_maps PROG LOFWD: empties and fills the maps of PROG.
load_maps() {
	local m
	# shellcheck disable=SC2046 # one word per map id
	set -- "$1" "$2" $(srv_maps "$1") || return 1
	[ "$#" -eq 8 ] || return 1
	{
		for m in "$4" "$5" "$6" "$7" "$8"; do
			bpftool -j map dump id "$m" | jq -r --arg m "$m" \
				'.[] | "map delete id \($m) key hex \(.key | map(ltrimstr("0x")) | join(" "))"'
		done
		items "$1" "$2" | "$SRVMAP" "$3" "$4" "$5" "$6" "$7" "$8"
	} | bpftool batch file - >/dev/null
}

# lo_forwarding_on: the FIB helper answers an XDP program only for a
# device that forwards; the object asks as the stack asks for its own
# packets, from lo. Prints the bits it set (1 IPv4, 2 IPv6).
lo_forwarding_on() {
	local bits=0
	if [ "$(sysctl_get net/ipv4/conf/lo/forwarding)" = 0 ]; then
		echo 1 >/proc/sys/net/ipv4/conf/lo/forwarding
		bits=1
	fi
	if [ "$(sysctl_get net/ipv6/conf/lo/forwarding)" = 0 ]; then
		echo 1 >/proc/sys/net/ipv6/conf/lo/forwarding
		bits=$((bits + 2))
	fi
	echo "$bits"
}

# lo_forwarding_restore BITS: puts back what lo_forwarding_on changed,
# unless another xdping_server of this namespace still needs it.
lo_forwarding_restore() {
	[ "$1" -ne 0 ] || return 0
	if ip -j link show | jq -e 'any(.[].xdp.attached[]?; .prog.name == "xdping_server")' >/dev/null; then
		return 0
	fi
	[ $(($1 & 1)) -eq 0 ] || echo 0 >/proc/sys/net/ipv4/conf/lo/forwarding
	[ $(($1 & 2)) -eq 0 ] || echo 0 >/proc/sys/net/ipv6/conf/lo/forwarding
}

# notes: what an operator must know once the server answers.
notes() {
	local peer
	echo "note: XDP answers before netfilter and icmp_echo_ignore_all are consulted; $(
		if [ -n "$allow" ]; then echo "only sources in$allow get an answer from XDP"
		else echo "limit who gets answered with -a PREFIX"; fi)"
	if [ "$1" -ne 0 ]; then
		echo "note: set net.ipv$(
			case $1 in 1) echo 4 ;; 2) echo 6 ;; *) echo '4/ipv6' ;; esac
		).conf.lo.forwarding=1 (the kernel's FIB helper needs it; stop puts it back)"
	fi
	# Native XDP_TX on a veth goes nowhere unless the peer has a program.
	case $2 in
	xdpgeneric) return 0 ;;
	esac
	set -- "$(ip -j -d link show dev "$iface")"
	[ "$(printf '%s' "$1" | jq -r '.[0].linkinfo.info_kind // ""')" = veth ] || return 0
	peer=$(printf '%s' "$1" | jq -r '.[0].link // ""')
	if [ "$(printf '%s' "$1" | jq -r '.[0].link_netnsid // ""')" != "" ] || [ -z "$peer" ]; then
		echo "note: $iface is a veth in native mode: its replies are dropped unless the peer veth (in another namespace) has an XDP program (xdp/pass.o will do), or use -S"
	elif [ -z "$(xdp_prog "$peer")" ]; then
		echo "note: $iface is a veth in native mode: its replies are dropped unless its peer $peer has an XDP program (xdp/pass.o will do), or use -S"
	fi
}

# cmd_start CURRENT: attach and fill the maps; on a server already attached
# (CURRENT, "ID NAME MODE"), fill them again.
cmd_start() {
	local id lo new
	case $1 in
	*" xdping_server "*)
		id=${1%% *}
		lo=$(lo_fwd_of "$id")
		new=$(lo_forwarding_on)
		lo=$((lo | new))
		load_maps "$id" "$lo" || die 3 "cannot fill the maps of xdping_server on $iface (prog $id)"
		echo "xdping_server already attached to $iface (prog $id): addresses, VLANs, TTL and allowed sources reloaded"
		notes "$new" "${1##* }"
		return 0 ;;
	?*)
		bpffs_done
		die 3 "$iface already has an XDP program (${1#* }); xdpkit never replaces one" ;;
	esac
	attach_own "$iface" "$mode" "$OBJ" xdping_stats
	lo=$(lo_forwarding_on)
	if ! load_maps "${XK_ATTACHED%% *}" "$lo"; then
		# a start that fails leaves nothing behind
		xdp_detach_own "$iface" || true
		lo_forwarding_restore "$lo"
		pins_release xdping_stats
		bpffs_done
		die 3 "cannot fill the maps of xdping_server on $iface"
	fi
	set -- "$(xdp_prog "$iface")"
	say_attached "$iface" "$1"
	notes "$lo" "${1##* }"
}

# cmd_stop CURRENT: detach, remove the pins, put lo's forwarding back.
cmd_stop() {
	local lo=0
	case $1 in
	*" xdping_server "*) lo=$(lo_fwd_of "${1%% *}") ;;
	esac
	stop_own "$iface" "$1" xdping_server xdping_stats
	lo_forwarding_restore "$lo"
}

# cmd_status CURRENT: attached or not (exit 1), and the counters.
cmd_status() {
	local stats="$XK_PINS/xdping_stats" counters
	case $1 in
	*" xdping_server "*) ;;
	*)
		echo "xdping_server not attached to $iface"
		bpffs_done
		exit 1 ;;
	esac
	if [ ! -e "$stats" ] || ! counters=$("$MAP" stats "$stats" 2>/dev/null); then
		bpffs_done
		die 3 "xdping_server is attached to $iface, but its counters are not at $stats (another bpffs? point TC_BPF_MNT at the one it was started with)"
	fi
	say_attached "$iface" "$1"
	printf '%s\n' "$counters" | sed -n 's/^server: \(answered [0-9]* passed [0-9]*\).*/counters: \1/p'
}

# cmd_metrics CURRENT: the counters into FILE, replaced at once
# (scripts/lib/promfile.h); not attached: exit 1, FILE untouched.
cmd_metrics() {
	local stats="$XK_PINS/xdping_stats" err
	case $1 in
	*" xdping_server "*) ;;
	*)
		bpffs_done
		die 1 "xdping_server not attached to $iface: no metrics written" ;;
	esac
	if [ ! -e "$stats" ]; then
		bpffs_done
		die 3 "xdping_server is attached to $iface, but its counters are not at $stats (another bpffs? point TC_BPF_MNT at the one it was started with)"
	fi
	if ! err=$("$MAP" -I "$iface" server-prom "$stats" "$file" 2>&1); then
		bpffs_done
		die 3 "cannot write the metrics of xdping_server on $iface: ${err#xdping-map: }"
	fi
	bpffs_done
}

main() {
	parse_args "$@"
	need_root
	need_tools ip bpftool jq
	need_built "$OBJ"
	need_built "$MAP"
	need_built "$SRVMAP"
	iface_check "$iface"
	bpffs_init
	"cmd_$action" "$(xdp_prog "$iface")"
}

main "$@"
