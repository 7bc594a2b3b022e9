#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Runs tests/run.sh inside Debian's own kernel under qemu, so the suite
# meets the kernel a Debian 12 user runs, with what this host's kernel
# may lack (8021q, sch_netem).
#
#   tests/vm/vm.sh [FILE...]     (default: the whole suite)
#
# The guest's root is this machine's / shared read-only over virtio-9p,
# under an overlay whose upper layer is guest tmpfs: the guest writes
# nothing back except into a scratch directory of ours (its log and exit
# status), which goes when we do. The last line is the guest's
# 'N passed, N failed[, N skipped]'; the exit status follows it:
# 0 all passed, 1 a test failed, 3 the VM could not run the suite.
#
# Environment: XDPKIT_VM_KERNEL (a vmlinuz; default the newest
# /boot/vmlinuz-* whose modules are installed), XDPKIT_VM_ACCEL (kvm or
# tcg; default kvm only when /dev/kvm can run a stock kernel),
# XDPKIT_VM_TIMEOUT (seconds before the VM is killed; default 7200),
# XDPKIT_VM_CPUS (default 2), XDPKIT_VM_MEM (MiB, default 2048),
# XDPKIT_TEST_FILTER (passed on to tests/run.sh in the guest).
set -eu

cd -- "$(dirname -- "$0")/../.."
tree=$(pwd -P)
me=check-vm

fail() {
	echo "$me: $*" >&2
	exit 3
}

[ "$(id -u)" -eq 0 ] || fail "run as root (sudo make check-vm): the guest reads the host's files as root"
for t in qemu-system-x86_64 busybox cpio timeout; do
	command -v "$t" >/dev/null 2>&1 || fail "'$t' not found (scripts/lib/deps.sh vm installs it)"
done
case $tree in
*[!A-Za-z0-9_./+-]*) fail "the tree's path '$tree' has characters the kernel command line cannot carry" ;;
esac
for f in "$@"; do
	case $f in
	tests/pkt/*_test | tests/*.bats) [ -e "$f" ] || [ -e "$f.c" ] || fail "no test file '$f'" ;;
	*) fail "'$f' is not a test file (tests/pkt/NAME_test or tests/NAME.bats)" ;;
	esac
done

# The kernel: the newest one whose modules are here.
kernel=${XDPKIT_VM_KERNEL:-}
if [ -z "$kernel" ]; then
	kernel=$(for k in /boot/vmlinuz-*; do
		[ ! -e "/lib/modules/${k#/boot/vmlinuz-}/modules.dep" ] || echo "$k"
	done | sort -V | tail -n 1)
fi
if [ -z "$kernel" ] || [ ! -r "$kernel" ]; then
	fail "no kernel with modules under /boot (apt-get install linux-image-amd64)"
fi
kver=${kernel##*/vmlinuz-}
mods=/lib/modules/$kver
[ -e "$mods/modules.dep" ] || fail "no modules for $kver in $mods"

# KVM only when it can run a stock kernel: a PVM host's /dev/kvm cannot.
accel=${XDPKIT_VM_ACCEL:-}
if [ -z "$accel" ]; then
	accel=tcg
	if [ -w /dev/kvm ] && [ ! -d /sys/module/kvm_pvm ] &&
		{ [ -d /sys/module/kvm_intel ] || [ -d /sys/module/kvm_amd ]; }; then
		accel=kvm
	fi
fi
case $accel in
kvm) cpu=host ;;
tcg) cpu=max ;;
*) fail "XDPKIT_VM_ACCEL must be kvm or tcg" ;;
esac
limit=${XDPKIT_VM_TIMEOUT:-7200}
cpus=${XDPKIT_VM_CPUS:-2}
mem=${XDPKIT_VM_MEM:-2048}
for v in "$limit" "$cpus" "$mem"; do
	case $v in '' | *[!0-9]*) fail "XDPKIT_VM_TIMEOUT, _CPUS and _MEM are whole numbers" ;; esac
done

tmp=
qpid=
spid=
# shellcheck disable=SC2317 # run from the trap
cleanup() {
	[ -z "$spid" ] || kill "$spid" 2>/dev/null || true
	if [ -n "$qpid" ]; then
		kill "$qpid" 2>/dev/null || true
		wait "$qpid" 2>/dev/null || true
	fi
	[ -z "$tmp" ] || rm -rf -- "$tmp"
}
trap cleanup EXIT
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 143' TERM
tmp=$(mktemp -d "${TMPDIR:-/tmp}/xdpkit-vm.XXXXXX")

# The initramfs: static busybox, the modules that mount the root, and
# tests/vm/init. Everything else comes from the host's / once mounted.
mkdir -p "$tmp/initrd/bin" "$tmp/initrd/mod" "$tmp/out"
cp "$(command -v busybox)" "$tmp/initrd/bin/busybox"
cp tests/vm/init "$tmp/initrd/init"
chmod 0755 "$tmp/initrd/init"
: >"$tmp/initrd/mod/order"
for m in virtio_pci 9pnet_virtio 9p overlay; do
	line=$(grep -E "^([^:]*/)?$m\.ko[^:]*:" "$mods/modules.dep" | head -n 1)
	[ -n "$line" ] || fail "$kver has no module $m"
	# modules.dep lists what a module needs deepest last: load in reverse.
	# shellcheck disable=SC2086 # one word per module
	for d in $(printf '%s\n' ${line#*:} | sed '1!G;h;$!d') "${line%%:*}"; do
		b=${d##*/}
		[ ! -e "$tmp/initrd/mod/$b" ] || continue
		case $d in
		*.ko) cp "$mods/$d" "$tmp/initrd/mod/$b" ;;
		*.ko.xz) xz -dc "$mods/$d" >"$tmp/initrd/mod/${b%.xz}"; b=${b%.xz} ;;
		*.ko.zst) zstd -qdc "$mods/$d" >"$tmp/initrd/mod/${b%.zst}"; b=${b%.zst} ;;
		*) fail "cannot read module $d" ;;
		esac
		echo "$b" >>"$tmp/initrd/mod/order"
	done
done
(cd "$tmp/initrd" && find . | cpio -o -H newc --quiet) >"$tmp/initrd.cpio"

# What the guest runs: the tree and the files, read by tests/vm/guest.sh.
printf '%s\n' "$@" >"$tmp/out/files"
printf '%s\n' "${XDPKIT_TEST_FILTER:-}" >"$tmp/out/filter"

echo "$me: Linux $kver, qemu $accel, $cpus CPUs, ${mem} MiB, at most ${limit} s"
start=$(date +%s)
timeout -k 10 "$limit" qemu-system-x86_64 \
	-accel "$accel" -cpu "$cpu" -smp "$cpus" -m "$mem" \
	-nodefaults -no-user-config -display none -no-reboot \
	-chardev "file,id=con,path=$tmp/console" -serial chardev:con \
	-device virtio-rng-pci \
	-fsdev "local,id=root,path=/,security_model=none,readonly=on,multidevs=remap" \
	-device virtio-9p-pci,fsdev=root,mount_tag=xkroot \
	-fsdev "local,id=out,path=$tmp/out,security_model=none" \
	-device virtio-9p-pci,fsdev=out,mount_tag=xkout \
	-kernel "$kernel" -initrd "$tmp/initrd.cpio" \
	-append "console=ttyS0 quiet loglevel=3 panic=-1 xdpkit.tree=$tree" \
	>"$tmp/qemu.err" 2>&1 &
qpid=$!
# The console, live, until qemu ends; in the background, so that a signal
# to us interrupts the wait below and the trap stops qemu.
(
	until [ -e "$tmp/console" ] || ! kill -0 "$qpid" 2>/dev/null; do
		sleep 0.1
	done
	[ ! -e "$tmp/console" ] || tail -n +1 -s 0.5 -f --pid="$qpid" "$tmp/console" |
		sed -u 's/\r$//; /^\[ *[0-9.]*\] \(sysrq\|reboot\): /d'
) &
spid=$!
qrc=0
wait "$qpid" || qrc=$?
qpid=
wait "$spid" || true
spid=
took=$(($(date +%s) - start))

if [ ! -s "$tmp/out/rc" ]; then
	[ ! -s "$tmp/qemu.err" ] || sed 's/^/qemu: /' "$tmp/qemu.err" >&2
	if [ "$qrc" -eq 124 ] || [ "$qrc" -eq 137 ]; then
		fail "the VM did not finish in ${limit} s (XDPKIT_VM_TIMEOUT); killed"
	fi
	fail "the VM stopped before the suite finished (qemu exit $qrc)"
fi
rc=$(cat "$tmp/out/rc")
summary=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$tmp/out/log" | tail -n 1 || true)
[ -n "$summary" ] || fail "the suite in the VM printed no summary (exit $rc)"
echo "$me: $took s in the VM (Linux $kver, $accel)"
echo "$summary"
case $rc in
0) exit 0 ;;
3) exit 3 ;;
*) exit 1 ;;
esac
