#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# xdping-server: answer ICMP echo requests on IFACE in XDP.
set -eu

usage() {
	cat <<'EOF'
usage: xdping-server.sh IFACE start|stop|status [-N|-S]

  start    attach xdp/xdping_server.o to IFACE (-N native, -S generic,
           default: the kernel chooses); nothing keeps running
  stop     detach it and remove the pins no program uses any more
  status   whether it is attached, and its counters

Exit: 0 done (status: attached); 1 status: not attached; 2 usage or bad
input; 3 environment (root, tools, bpffs, IFACE busy with another program).
EOF
}

# shellcheck source=scripts/lib.sh
. "$(dirname -- "$(readlink -f -- "$0")")/lib.sh"

MAP=$XK_SCRIPTS/xdping-map
OBJ=$XK_HOME/xdp/xdping_server.o

case ${1:-} in
-h | --help) usage; exit 0 ;;
esac
[ "$#" -ge 2 ] || die 2 "expected IFACE and start, stop or status (see $XK_PROG --help)"
iface=$1
action=$2
shift 2
mode=xdp
for opt in "$@"; do
	case $opt in
	-N | -S) pick_mode "${opt#-}" ;;
	*) die 2 "unknown argument '$opt' (see $XK_PROG --help)" ;;
	esac
done
case $action in
start) ;;
stop | status) [ "$mode" = xdp ] || die 2 "-N and -S go with start" ;;
*) die 2 "unknown action '$action': start, stop or status" ;;
esac

need_root
need_tools ip bpftool
need_built "$OBJ"
need_built "$MAP"
iface_check "$iface"
bpffs_init
STATS=$XK_PINS/xdping_stats

set -- "$(xdp_prog "$iface")"
case $1 in
*" xdping_server "*) ours=1 ;;
*) ours=0 ;;
esac
current=$1

case $action in
start)
	if [ "$ours" -eq 1 ]; then
		echo "xdping_server already attached to $iface (prog ${current%% *})"
		exit 0
	fi
	if [ -n "$current" ]; then
		bpffs_done
		die 3 "$iface already has an XDP program (${current#* }); xdpkit never replaces one"
	fi
	attach_own "$iface" "$mode" "$OBJ" xdping_stats
	say_attached "$iface" "$(xdp_prog "$iface")"
	;;
stop)
	stop_own "$iface" "$current" xdping_server xdping_stats
	;;
status)
	if [ "$ours" -eq 0 ]; then
		echo "xdping_server not attached to $iface"
		bpffs_done
		exit 1
	fi
	say_attached "$iface" "$current"
	if [ -e "$STATS" ]; then
		"$MAP" stats "$STATS" | sed -n 's/^server: /counters: /p'
	fi
	;;
esac
exit 0
