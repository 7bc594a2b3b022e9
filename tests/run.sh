#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The whole suite, inside its own network and mount namespaces with a
# private bpffs: the host's interfaces and pins are never touched. Every
# test program speaks TAP; this prints PASS/FAIL/SKIP per test, the output
# of failures, and last 'N passed, N failed[, N skipped]'.
#
#   tests/run.sh [FILE...]   (default: every tests/pkt/*_test and tests/*.bats)
#
# XDPKIT_TEST_FILTER=REGEX runs only the bats tests whose names match it
# (bats --filter). Lines a test writes to fd 3 ('# ...') are always shown.
set -eu

cd -- "$(dirname -- "$0")/.."
if [ "$(id -u)" -ne 0 ]; then
	echo "run.sh: the tests attach XDP programs and make namespaces: run as root (sudo make check)" >&2
	exit 3
fi

if [ "${XDPKIT_TEST_NS:-}" != 1 ]; then
	XDPKIT_TEST_NS=1 exec unshare --net --mount --propagation private -- "$0" "$@"
fi

# Inside: fresh mounts nobody else sees.
# No bpffs of the host's either: ip -n hides /sys/fs/bpf and then takes
# any other bpf mount it finds, whose pins would outlive the run and leak
# counts into the next one.
awk '$3 == "bpf" { print $2 }' /proc/self/mounts | sort -r | while read -r m; do
	umount -l "$m"
done
mount -t bpf bpf /sys/fs/bpf
mkdir -p /run/netns
mount -t tmpfs tmpfs /run/netns
XDPKIT_TEST_TMP=$(mktemp -d /tmp/xdpkit-test.XXXXXX)
mount -t tmpfs tmpfs "$XDPKIT_TEST_TMP"
mkdir "$XDPKIT_TEST_TMP/bpffs"
mount -t bpf bpf "$XDPKIT_TEST_TMP/bpffs"
export XDPKIT_TEST_TMP
# bats and the tests make their temporary files in the run's tmpfs: they
# go with it, even when the run is killed (the tree may live in /tmp
# itself, so /tmp stays as it is).
mkdir "$XDPKIT_TEST_TMP/tmp"
TMPDIR=$XDPKIT_TEST_TMP/tmp
export TMPDIR
trap 'umount -R "$XDPKIT_TEST_TMP" 2>/dev/null; rmdir "$XDPKIT_TEST_TMP" 2>/dev/null || true' EXIT
ip link set lo up
# The suite's namespace owns its private bpffs: its pins stay at the top,
# where the tests look; namespaces the tests make pin under
# xdpkit/netns/COOKIE (scripts/lib/lib.sh, pin_root).
XDPKIT_ROOT_NETNS=$(./scripts/lib/xdpkit-pins netns 2>/dev/null || true)
export XDPKIT_ROOT_NETNS

if [ "$#" -eq 0 ]; then
	set -- tests/pkt/*_test tests/*.bats
fi

passed=0
failed=0
skipped=0
out=$XDPKIT_TEST_TMP/out

for t in "$@"; do
	rc=0
	case $t in
	*.bats) bats --tap ${XDPKIT_TEST_FILTER:+--filter "$XDPKIT_TEST_FILTER"} "$t" >"$out" 2>&1 || rc=$? ;;
	*) "./$t" xdp >"$out" 2>&1 || rc=$? ;;
	esac
	name=${t##*/}
	if [ "$rc" -ne 0 ] && ! grep -q '^not ok ' "$out"; then
		echo "FAIL $name: exited $rc without a failed result"
		tail -n 20 "$out" | sed 's/^/    /'
		failed=$((failed + 1))
	fi
	if ! grep -q '^ok \|^not ok ' "$out"; then
		echo "FAIL $name: no test result"
		sed 's/^/    /' "$out"
		failed=$((failed + 1))
		continue
	fi
	plan=$(sed -n 's/^1\.\.\([0-9]*\).*/\1/p' "$out" | head -n 1)
	ran=$(grep -c '^ok \|^not ok ' "$out" || true)
	if [ -n "$plan" ] && [ "$plan" -ne "$ran" ]; then
		echo "FAIL $name: planned $plan results, got $ran"
		tail -n 20 "$out" | sed 's/^/    /'
		failed=$((failed + 1))
	fi
	# One line per result; the lines after a failure are its output.
	show=0
	while IFS= read -r line; do
		case $line in
		"not ok "*)
			echo "FAIL $name: ${line#not ok }"
			failed=$((failed + 1))
			show=1
			;;
		"ok "*"# skip"* | "ok "*"# SKIP"*)
			echo "SKIP $name: ${line#ok }"
			skipped=$((skipped + 1))
			show=0
			;;
		"ok "*)
			echo "PASS $name: ${line#ok }"
			passed=$((passed + 1))
			show=0
			;;
		"# "*)
			# What a test says on fd 3 (a measured figure), always.
			printf '    %s\n' "$line"
			;;
		*)
			[ "$show" -eq 0 ] || printf '    %s\n' "$line"
			;;
		esac
	done <"$out"
done

if [ "$skipped" -gt 0 ]; then
	echo "$passed passed, $failed failed, $skipped skipped"
else
	echo "$passed passed, $failed failed"
fi
[ "$failed" -eq 0 ]
