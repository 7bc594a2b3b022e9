#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# deps.sh build|check|bench|vm|fresh|deb: installs the Debian packages a target
# needs and that are missing. Exit 2 on an unknown target, 3 when they
# cannot be installed.
#
# Each list names the package of every command the target's scripts,
# Makefile rules and tests call, unless Debian marks that package Essential
# (coreutils, util-linux, dash, bash, grep, sed, findutils, libc-bin, dpkg,
# tar, gzip: present on every Debian machine). tests/fresh/run.sh checks the
# lists where nothing else is installed: a minimal Debian 12 root.
set -eu

# make:         the Makefile
# gcc libc6-dev: the C helpers (gcc alone does not bring libc's headers)
# clang:        the BPF objects; clang emits them itself, no llvm tool is called
# libbpf-dev linux-libc-dev: the only headers BPF sources read; libbpf for the helpers
# iproute2:     ip, tc, bridge      bpftool: maps and programs
# iputils-ping: ping                jq: xdping-server.sh reads ip's and bpftool's JSON
# procps:       sysctl (demo, tests), ps and pgrep (tests)
# mount mawk:   mount/umount, awk: priority 'required' but not Essential,
#               so a minimal root may lack them
build="make gcc libc6-dev clang libbpf-dev linux-libc-dev iproute2 bpftool iputils-ping jq procps mount mawk"
# bats shellcheck: the suite and its lint     ethtool: VLAN offload settings
# python3-scapy: the oracle tests' frames      kmod: modprobe 8021q, sch_netem
# fping hping3 nmap (nping): the real clients xdping_server must answer
# git: fresh_cli.bats asks tests/fresh/run.sh which commit a REF is
# prometheus (promtool too) prometheus-node-exporter curl: the metrics
# files checked, and scraped by a real node_exporter and Prometheus
check="$build bats shellcheck ethtool python3-scapy kmod fping hping3 nmap git mandoc \
	prometheus prometheus-node-exporter curl"

case ${1:-build} in
build) want=$build ;;
check) want=$check ;;
# xz-utils: tar -xJ of the kernel source that holds the reference xdping
bench) want="$build linux-source-6.1 xz-utils" ;;
# the guest runs the suite on the host's tools, shared over 9p
vm) want="$check qemu-system-x86 linux-image-amd64 busybox-static cpio" ;;
# make deb: dpkg-buildpackage (dpkg-dev) wants build-essential, then
# debian/control's Build-Depends (debhelper, and build's own); lintian checks
deb) want="$build build-essential dpkg-dev debhelper lintian" ;;
# tests/fresh/run.sh: mmdebstrap builds the root, git clones into it
fresh) want="mmdebstrap git mount mawk" ;;
*) echo "usage: deps.sh build|check|bench|vm|fresh|deb" >&2; exit 2 ;;
esac

missing=
for p in $want; do
	if ! dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q 'install ok installed'; then
		missing="$missing $p"
	fi
done
[ -n "$missing" ] || exit 0

if [ "$(id -u)" -ne 0 ]; then
	echo "deps.sh: missing packages:$missing; run as root (sudo make ...) to install them" >&2
	exit 3
fi
echo "deps.sh: installing$missing"
export DEBIAN_FRONTEND=noninteractive
# shellcheck disable=SC2086 # one word per package
if ! { apt-get update -qq && apt-get install -y -qq --no-install-recommends $missing >/dev/null; }; then
	echo "deps.sh: apt-get could not install:$missing" >&2
	exit 3
fi
