#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# shellcheck disable=SC3043 # dash, the project's sh, has local
#
# The fresh-machine check: a minimal Debian 12 root (mmdebstrap minbase plus
# make, the one thing a user types before the README's first command), a
# clean clone of REF in it, and inside a chroot the README's own steps as a
# user runs them:
#
#   make demo                   deps.sh build, make, the demo lab
#   ./scripts/lib/deps.sh check     what 'make check' installs first
#   make                        nothing left to build
#   packet tests                tests/run.sh tests/pkt/*_test
#                               (XDPKIT_FRESH_TESTS=all: 'make check', the whole suite)
#
# and with XDPKIT_FRESH_DEB=1 (make check-fresh-deb), the package as a user
# builds and installs it (tests/fresh/deb.sh checks it):
#
#   make deb                    deps.sh deb, the .deb in dist/, lintian
#   apt-get install ./dist/...  the package and what it depends on
#   installed package           the files, xdping -c 3 from /usr/sbin in a
#                               namespace lab, man -w xdping (man-db is
#                               installed for it), completion, no unit enabled
#   apt-get purge xdpkit        and none of dpkg -L xdpkit's files is left
#
# The mirror comes from this machine's apt sources; downloaded packages and
# package lists are kept between runs in $XDPKIT_FRESH_CACHE
# (/var/cache/xdpkit-fresh), outside the clone. The root lives on a tmpfs in
# private mount and PID namespaces: whatever happens, nothing survives the run.
#
#   tests/fresh/run.sh [REF]    (default HEAD; a commit of this clone)
#
# Last line: 'fresh: PASS ...' with the test counts, or "fresh: FAIL at 'STEP'"
# after the tail of that step's output. Exit 0 pass, 1 a step failed, 2 usage
# or an unknown REF, 3 environment (not root, mmdebstrap or git missing, no
# Debian bookworm entry in the apt sources, the mirror unreachable).
set -eu

PATH=$PATH:/usr/sbin:/sbin
export PATH
PROG=run.sh
CACHE=${XDPKIT_FRESH_CACHE:-/var/cache/xdpkit-fresh}
SUITE=bookworm
# Where the clone sits in the root: a user's clone, built with sudo.
SRC=/home/user/xdpkit

die() {
	local code="$1"
	shift
	printf '%s: %s\n' "$PROG" "$*" >&2
	exit "$code"
}

usage() {
	echo "usage: tests/fresh/run.sh [REF]   (REF a commit of this clone, default HEAD;"
	echo "       XDPKIT_FRESH_TESTS=all runs the whole suite instead of the packet tests;"
	echo "       XDPKIT_FRESH_DEB=1 then builds, installs, checks and purges the .deb)"
}

# apt_sources: one 'deb URI SUITE main' line per Debian bookworm,
# bookworm-updates and bookworm-security entry with the main component in
# this machine's apt sources, one-line (.list) and deb822 (.sources) alike.
apt_sources() {
	local f
	for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
		[ -f "$f" ] || continue
		awk -v suite="$SUITE" '
		{ sub(/#.*/, "") }
		$1 != "deb" { next }
		{
			i = 2
			if ($i ~ /^\[/) { while (i <= NF && $i !~ /\]$/) i++; i++ }
			uri = $(i); s = $(i + 1)
			if (s != suite && s != suite "-updates" && s != suite "-security") next
			for (j = i + 2; j <= NF; j++) if ($j == "main") { print "deb " uri " " s " main"; next }
		}' "$f"
	done
	for f in /etc/apt/sources.list.d/*.sources; do
		[ -f "$f" ] || continue
		awk -v suite="$SUITE" '
		function flush(   nt, t, nu, u, ns, s, nc, c, a, b, k, deb, main) {
			if (tolower(v["enabled"]) == "no") { split("", v); return }
			nt = split(v["types"], t, " "); deb = 0
			for (a = 1; a <= nt; a++) if (t[a] == "deb") deb = 1
			nc = split(v["components"], c, " "); main = 0
			for (a = 1; a <= nc; a++) if (c[a] == "main") main = 1
			if (deb && main) {
				nu = split(v["uris"], u, " "); ns = split(v["suites"], s, " ")
				for (a = 1; a <= nu; a++) for (b = 1; b <= ns; b++) {
					k = s[b]
					if (k == suite || k == suite "-updates" || k == suite "-security")
						print "deb " u[a] " " k " main"
				}
			}
			split("", v)
		}
		/^#/ { next }
		/^[ \t]*$/ { flush(); next }
		/^[ \t]/ { if (key != "") v[key] = v[key] " " $0; next }
		{
			key = tolower($0); sub(/:.*/, "", key)
			val = $0; sub(/^[^:]*:[ \t]*/, "", val); sub(/[ \t]+$/, "", val)
			v[key] = val
		}
		END { flush() }' "$f"
	done
}

# -- outside: arguments, environment, then into private namespaces ------
if [ "${XDPKIT_FRESH_NS:-}" != 1 ]; then
	case ${1:-} in
	-h | --help) usage; exit 0 ;;
	-*) die 2 "unknown option '$1' (usage: tests/fresh/run.sh [REF])" ;;
	esac
	[ "$#" -le 1 ] || die 2 "one REF at most (usage: tests/fresh/run.sh [REF])"
	case ${XDPKIT_FRESH_TESTS:-pkt} in
	pkt | all) ;;
	*) die 2 "XDPKIT_FRESH_TESTS must be 'pkt' or 'all', not '$XDPKIT_FRESH_TESTS'" ;;
	esac
	case ${XDPKIT_FRESH_DEB:-0} in
	0 | 1) ;;
	*) die 2 "XDPKIT_FRESH_DEB must be 0 or 1, not '$XDPKIT_FRESH_DEB'" ;;
	esac
	command -v git >/dev/null 2>&1 || die 3 "'git' not found; sudo ./scripts/lib/deps.sh fresh installs it"
	XK=$(CDPATH='' cd -- "$(dirname -- "$0")/../.." && pwd)
	ref=${1:-HEAD}
	# safe.directory: a user other than the clone's owner may still ask
	# which commit REF is (and be told that they are not root).
	git -c safe.directory="$XK" -C "$XK" rev-parse --git-dir >/dev/null 2>&1 ||
		die 3 "$XK is not a git clone (or git cannot read it)"
	commit=$(git -c safe.directory="$XK" -C "$XK" rev-parse -q --verify "$ref^{commit}" 2>/dev/null) ||
		die 2 "unknown REF '$ref': not a commit of $XK"

	[ "$(id -u)" -eq 0 ] || die 3 "must run as root (it builds and chroots into a Debian root)"
	command -v mmdebstrap >/dev/null 2>&1 || die 3 "'mmdebstrap' not found; sudo ./scripts/lib/deps.sh fresh installs it"
	command -v unshare >/dev/null 2>&1 || die 3 "'unshare' not found; install util-linux"
	apt_sources | grep -q " $SUITE main\$" ||
		die 3 "no Debian '$SUITE' entry with 'main' in /etc/apt/sources.list or /etc/apt/sources.list.d/"
	export XDPKIT_FRESH_NS=1 XDPKIT_FRESH_XK="$XK" XDPKIT_FRESH_COMMIT="$commit"
	# A new PID namespace: when this script ends, however it ends, the
	# kernel ends every process it started, and the mount namespace with
	# its tmpfs goes with them.
	exec unshare --mount --propagation private --pid --fork --kill-child -- "$0"
fi

# -- inside: our own mounts, our own PIDs --------------------------------
XK=$XDPKIT_FRESH_XK
COMMIT=$XDPKIT_FRESH_COMMIT
SHORT=$(printf '%.9s' "$COMMIT")
START=$(date +%s)

# since T0: elapsed time as 1m24
since() {
	local s
	s=$(($(date +%s) - $1))
	printf '%dm%02d' $((s / 60)) $((s % 60))
}

# fail STEP LOG [CODE]: the tail of the step's output, the verdict, exit.
fail() {
	local step="$1" log="$2" code="${3:-1}"
	if [ -s "$log" ]; then
		echo "--- last lines of '$step':"
		tail -n 30 "$log" | sed 's/^/    /'
	fi
	echo "fresh: FAIL at '$step' ($SHORT, $(since "$START"))"
	exit "$code"
}

# inroot CMD...: CMD in the clone inside the chroot, as 'sudo' gives it to a user.
inroot() {
	# shellcheck disable=SC2016 # expanded by the shell in the root
	chroot "$ROOT" /usr/bin/env -i HOME=/root TERM=dumb LANG=C.UTF-8 \
		PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
		/bin/sh -c 'cd "$1" && shift && exec "$@"' inroot "$SRC" "$@"
}

# step NAME CMD...: one of the user's steps; its output goes to a log, shown
# only when it fails.
step() {
	local name="$1" t0
	shift
	t0=$(date +%s)
	inroot "$@" >"$T/step.log" 2>&1 || fail "$name" "$T/step.log"
	echo "fresh: $name: ok ($(since "$t0"))"
}

# Nothing here is visible outside, and all of it vanishes with us. The
# tmpfs goes on a directory of the cache's own, so that it hides nothing a
# user may have passed in (a clone or a cache under /tmp).
mkdir -p "$CACHE/archives/partial" "$CACHE/lists/partial" "$CACHE/run"
T=$CACHE/run
mount -t tmpfs -o mode=0755 xdpkit-fresh "$T"
ROOT=$T/root
mkdir "$ROOT"
# The root is a mount point of its own: 'unshare --propagation private'
# inside the chroot (tests/run.sh, the demo) fails with EINVAL otherwise.
mount --bind "$ROOT" "$ROOT"
export TMPDIR="$T"

# One run at a time uses the cache: apt locks it only while it downloads.
exec 9>>"$CACHE/lock"
if ! flock -n 9; then
	echo "fresh: waiting for another run that uses $CACHE"
	flock 9
fi

echo "fresh: $SHORT in a minimal Debian 12 root (packages cached in $CACHE)"

apt_sources | awk '!seen[$0]++' >"$T/sources.list"

# apt settings of this machine that decide whether its mirror works
# (proxies, snapshot dates) go into the root as they are here.
set --
for k in Acquire::http::Proxy Acquire::https::Proxy Acquire::Check-Valid-Until Acquire::Check-Date; do
	while IFS= read -r opt; do
		[ -z "$opt" ] || set -- "$@" "--aptopt=$opt"
	done <<EOF
$(apt-config dump --no-empty "$k" 2>/dev/null | grep -F "$k")
EOF
done

# The cache is bound where apt keeps packages and lists, in the root: what
# mmdebstrap and then deps.sh download stays for the next run.
mkdir -p "$ROOT/var/cache/apt/archives" "$ROOT/var/lib/apt/lists"
mount --bind "$CACHE/archives" "$ROOT/var/cache/apt/archives"
mount --bind "$CACHE/lists" "$ROOT/var/lib/apt/lists"

t0=$(date +%s)
if ! mmdebstrap --mode=root --variant=minbase --include=make \
	--skip=check/empty --skip=essential/unlink --skip=cleanup/apt \
	"$@" "$SUITE" "$ROOT" - <"$T/sources.list" >"$T/mmdebstrap.log" 2>&1; then
	fail "mmdebstrap" "$T/mmdebstrap.log" 3
fi
echo "fresh: root: Debian $(cat "$ROOT/etc/debian_version"), $(chroot "$ROOT" dpkg-query -W | wc -l) packages ($(since "$t0"))"

# What a booted machine has: proc, sys, dev, a bpffs, a tmpfs /run, and
# name resolution for apt.
mount -t proc proc "$ROOT/proc"
mount -t sysfs sysfs "$ROOT/sys"
mount -t bpf bpf "$ROOT/sys/fs/bpf"
mount --rbind /dev "$ROOT/dev"
mount -t tmpfs -o mode=0755 tmpfs "$ROOT/run"
cat /etc/resolv.conf >"$ROOT/etc/resolv.conf"
cat /etc/hosts >"$ROOT/etc/hosts"

# A clean clone of the commit, not this working tree, owned by a user.
mkdir -p "${ROOT}${SRC%/*}"
if ! { git clone -q --no-checkout "$XK" "${ROOT}${SRC}" &&
	{ git -C "${ROOT}${SRC}" cat-file -e "$COMMIT^{commit}" 2>/dev/null ||
		git -C "${ROOT}${SRC}" fetch -q origin "$COMMIT"; } &&
	git -C "${ROOT}${SRC}" checkout -q --detach "$COMMIT"; } >"$T/clone.log" 2>&1; then
	fail "git clone" "$T/clone.log" 3
fi
chown -R 1000:1000 "${ROOT}${SRC%/*}"

step "make demo" make demo
step "deps.sh check" ./scripts/lib/deps.sh check
step "make" make
if [ "${XDPKIT_FRESH_TESTS:-pkt}" = all ]; then
	tests="make check"
	set -- make check
else
	tests="packet tests"
	set --
	for c in "${ROOT}${SRC}"/tests/pkt/*_test.c; do
		c=${c#"${ROOT}${SRC}/"}
		set -- "$@" "${c%.c}"
	done
	[ "$#" -gt 0 ] || fail "$tests" /dev/null
	inroot make "$@" >"$T/step.log" 2>&1 || fail "$tests" "$T/step.log"
	set -- ./tests/run.sh "$@"
fi
t0=$(date +%s)
rc=0
inroot "$@" >"$T/step.log" 2>&1 || rc=$?
counts=$(tail -n 1 "$T/step.log")
case $counts in
*" passed, "*" failed"*) ;;
*) fail "$tests" "$T/step.log" ;;
esac
[ "$rc" -eq 0 ] || fail "$tests" "$T/step.log"
echo "fresh: $tests: ok ($(since "$t0"))"

# The package, as the README's install section has a user build, install
# and remove it; the file list is kept outside what the purge removes.
deb=
if [ "${XDPKIT_FRESH_DEB:-0}" = 1 ]; then
	LIST=/root/xdpkit.list
	step "make deb" make deb
	step "apt-get install ./dist/xdpkit_*.deb" sh -c \
		'DEBIAN_FRONTEND=noninteractive apt-get install -y -q ./dist/xdpkit_*.deb'
	step "man-db for man -w" env DEBIAN_FRONTEND=noninteractive \
		apt-get install -y -q --no-install-recommends man-db
	step "installed package" ./tests/fresh/deb.sh installed "$LIST"
	step "apt-get purge xdpkit" env DEBIAN_FRONTEND=noninteractive apt-get purge -y -q xdpkit
	step "nothing left" ./tests/fresh/deb.sh purged "$LIST"
	deb=", the package"
fi
echo "fresh: PASS $SHORT: $tests $counts$deb ($(since "$START"))"
