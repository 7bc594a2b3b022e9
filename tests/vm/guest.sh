#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The VM's second stage, PID 1 on the overlay root tests/vm/init built:
# mounts what a booted system has, loads the modules the suite needs,
# builds the tree if it was not built (into the overlay), runs
# tests/run.sh on the files vm.sh listed, and writes its output and exit
# status where vm.sh reads them. Then the VM powers off.
#
#   guest.sh TREE
set -u
PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
HOME=/root
LC_ALL=C.UTF-8
export PATH HOME LC_ALL
out=/run/xkout

off() {
	echo 1 >/proc/sys/kernel/printk
	sync
	umount "$out" 2>/dev/null
	echo o >/proc/sysrq-trigger
	sleep 10 2>/dev/null
}

mount -t proc proc /proc
mount -t sysfs sysfs /sys
mkdir -p /dev/pts /dev/shm
mount -t devpts -o newinstance,ptmxmode=0666 devpts /dev/pts
mount -t tmpfs tmpfs /dev/shm
# What udev would add: bash's process substitution needs /dev/fd.
ln -sf /proc/self/fd /dev/fd
ln -sf /proc/self/fd/0 /dev/stdin
ln -sf /proc/self/fd/1 /dev/stdout
ln -sf /proc/self/fd/2 /dev/stderr
# The host's /run and /tmp came along in the 9p root: hide them, and
# bring the tree back if it lived there (a clone in /tmp).
tree=$1
mkdir -p /xkvm-tree
mount --bind "$tree" /xkvm-tree
for d in /run /tmp /var/tmp; do
	mount -t tmpfs -o mode=1777 tmpfs "$d"
done
chmod 0755 /run
if [ ! -d "$tree/tests/vm" ]; then
	mkdir -p "$tree"
	mount --bind /xkvm-tree "$tree"
fi
mkdir -p "$out"
if ! mount -t 9p -o trans=virtio,version=9p2000.L,msize=262144 xkout "$out"; then
	echo "vm guest: cannot mount the result directory"
	off
fi
hostname xdpkit-vm
ip link set lo up

cd -- "$tree" || { echo "vm guest: no tree at $tree"; off; }
# veth for every lab; 8021q and sch_netem for the tests that need them
# (they skip where a module is missing).
for m in veth 8021q sch_netem; do
	modprobe "$m" 2>/dev/null || echo "vm guest: no module $m in $(uname -r)"
done

files=$(cat "$out/files")
XDPKIT_TEST_FILTER=$(cat "$out/filter" 2>/dev/null || true)
export XDPKIT_TEST_FILTER
{
	echo "vm guest: Linux $(uname -r), $(nproc) CPUs"
	rc=0
	if ! make --no-print-directory check-build >"$out/build" 2>&1; then
		cat "$out/build"
		echo "vm guest: the build failed"
		echo 0 passed, 1 failed
		rc=3
	else
		# shellcheck disable=SC2086 # one word per test file
		./tests/run.sh $files || rc=$?
	fi
	echo "$rc" >"$out/rc.tmp"
} 2>&1 | tee "$out/log"
mv "$out/rc.tmp" "$out/rc"
off
