#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# deps.sh build|check|bench|vm: installs the Debian packages a target needs
# and that are missing. Exit 3 when they cannot be installed.
set -eu

build="make gcc libc6-dev clang llvm libbpf-dev linux-libc-dev iproute2 bpftool iputils-ping jq"
case ${1:-build} in
build) want=$build ;;
check) want="$build bats shellcheck util-linux jq ethtool python3-scapy" ;;
bench) want="$build linux-source-6.1 xz-utils" ;;
vm) want="$build bats shellcheck util-linux jq ethtool qemu-system-x86 linux-image-amd64 busybox-static cpio kmod" ;;
*) echo "usage: deps.sh build|check|bench|vm" >&2; exit 2 ;;
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
