#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# tests/fresh/run.sh on bad input and in a wrong environment: one line on
# stderr, the documented exit code, and nothing left behind (no mount, no
# temporary directory, no cache). How it reads the apt sources, checked on
# sources made up here, with a stand-in mmdebstrap that only records what
# it was given: no root is built and no mirror is asked.
# shellcheck disable=SC2154 # stderr_lines comes from bats' run

bats_require_minimum_version 1.5.0
load helpers

setup() {
	FRESH=$XK/tests/fresh/run.sh
	git -c safe.directory="$XK" -C "$XK" rev-parse --git-dir >/dev/null 2>&1 ||
		skip "$XK is not a git clone"
	W=$XDPKIT_TEST_TMP/fresh.$BATS_TEST_NUMBER
	mkdir -p "$W"
	export XDPKIT_FRESH_CACHE=$W/cache
	# mktemp and mmdebstrap would make their files here
	mkdir -p "$W/tmp"
	export TMPDIR=$W/tmp
	# A stand-in for mmdebstrap: it keeps the sources it reads and fails.
	mkdir -p "$W/bin"
	printf '#!/bin/sh\ncat >"%s/mmdebstrap.in"\nexit 42\n' "$W" >"$W/bin/mmdebstrap"
	chmod +x "$W/bin/mmdebstrap"
}

# snapshot NAME: the mount points this test sees, and what is in TMPDIR
snapshot() {
	{
		cut -d' ' -f5 /proc/self/mountinfo | sort
		ls -A "$TMPDIR"
	} >"$W/$1"
}

# nothing_left: the same mounts as before, nothing in TMPDIR, no cache
nothing_left() {
	snapshot after
	diff "$W/before" "$W/after" || { echo "# left behind (see above)" >&3; return 1; }
	[ ! -e "$XDPKIT_FRESH_CACHE" ] || { echo "# made $XDPKIT_FRESH_CACHE" >&3; return 1; }
}

# one_line CODE WORD: the last run exited CODE, wrote one line on stderr,
# "run.sh: ..." with WORD in it, and nothing on stdout.
one_line() {
	[ "$status" -eq "$1" ] || { echo "# exit $status, expected $1: $stderr" >&3; return 1; }
	[ "${#stderr_lines[@]}" -eq 1 ] || { echo "# stderr: $stderr, stdout: $output" >&3; return 1; }
	[[ $stderr == "run.sh: "*"$2"* ]] || { echo "# stderr: $stderr" >&3; return 1; }
	[ -z "$output" ] || { echo "# stdout: $output" >&3; return 1; }
}

@test "an unknown REF: exit 2, one line naming it, nothing left" {
	snapshot before
	run --separate-stderr "$FRESH" no-such-ref-d5c8
	one_line 2 "unknown REF 'no-such-ref-d5c8'"
	nothing_left
}

@test "a REF that is not a commit (a tree): exit 2" {
	snapshot before
	run --separate-stderr "$FRESH" 'HEAD^{tree}'
	one_line 2 "not a commit"
	nothing_left
}

@test "two REFs, an unknown option, a wrong XDPKIT_FRESH_TESTS or _DEB: exit 2, one line each" {
	snapshot before
	run --separate-stderr "$FRESH" HEAD HEAD
	one_line 2 "one REF at most"
	run --separate-stderr "$FRESH" --keep
	one_line 2 "unknown option '--keep'"
	run --separate-stderr env XDPKIT_FRESH_TESTS=some "$FRESH"
	one_line 2 "XDPKIT_FRESH_TESTS"
	run --separate-stderr env XDPKIT_FRESH_DEB=yes "$FRESH"
	one_line 2 "XDPKIT_FRESH_DEB must be 0 or 1"
	nothing_left
}

@test "-h: the usage on stdout, exit 0" {
	run --separate-stderr "$FRESH" -h
	[ "$status" -eq 0 ]
	[[ ${lines[0]} == "usage: tests/fresh/run.sh [REF]"* ]]
	[ -z "$stderr" ]
}

@test "not root: exit 3, one line; an unknown REF is still exit 2" {
	local d=$W/tree
	git -c safe.directory='*' clone -q "$XK" "$d"
	chmod -R a+rwX "$W"
	snapshot before
	run --separate-stderr setpriv --reuid=65534 --regid=65534 --clear-groups "$d/tests/fresh/run.sh"
	one_line 3 "must run as root"
	run --separate-stderr setpriv --reuid=65534 --regid=65534 --clear-groups "$d/tests/fresh/run.sh" nope-0
	one_line 2 "unknown REF 'nope-0'"
	nothing_left
}

@test "mmdebstrap missing: exit 3, names it, nothing left" {
	local f
	mkdir -p "$W/nobin"
	for f in /usr/bin/*; do
		[ "${f##*/}" = mmdebstrap ] || ln -s "$f" "$W/nobin/"
	done
	snapshot before
	run --separate-stderr env PATH="$W/nobin" "$FRESH"
	one_line 3 "'mmdebstrap' not found"
	nothing_left
}

# in_sources DIR CMD...: CMD in a mount namespace where the apt sources are
# the files in DIR.
in_sources() {
	local dir=$1
	shift
	unshare --mount --propagation private -- sh -c '
		mount --bind "$1" /etc/apt/sources.list.d
		[ ! -e /etc/apt/sources.list ] || mount --bind /dev/null /etc/apt/sources.list
		shift
		exec "$@"' in_sources "$dir" "$@"
}

@test "no bookworm main entry in the apt sources: exit 3 before anything is made" {
	mkdir -p "$W/src"
	# contrib only, a source entry, another suite, a comment, a disabled
	# stanza and a file apt does not read: none of them will do.
	cat >"$W/src/a.list" <<-EOF
		deb [arch=amd64] http://a.invalid/debian bookworm contrib
		deb-src http://a.invalid/debian bookworm main
		deb http://a.invalid/debian trixie main
		# deb http://a.invalid/debian bookworm main
	EOF
	cat >"$W/src/b.sources" <<-EOF
		Types: deb
		URIs: http://b.invalid/debian
		Suites: bookworm
		Components: main
		Enabled: no
	EOF
	printf 'deb http://c.invalid/debian bookworm main\n' >"$W/src/c.list.disabled"
	snapshot before
	run --separate-stderr in_sources "$W/src" env PATH="$W/bin:$PATH" "$FRESH"
	one_line 3 "no Debian 'bookworm' entry"
	[ ! -e "$W/mmdebstrap.in" ]
	nothing_left
}

@test "the apt sources, one-line and deb822: bookworm, -updates and -security main reach mmdebstrap" {
	mkdir -p "$W/src"
	cat >"$W/src/a.list" <<-EOF
		deb [ arch=amd64 signed-by=/usr/share/keyrings/debian-archive-keyring.gpg ] http://a.invalid/debian bookworm contrib main # first
		deb http://a.invalid/debian trixie main
		deb http://a.invalid/debian bookworm main
	EOF
	cat >"$W/src/b.sources" <<-EOF
		# the updates, and backports we do not want
		Types: deb-src deb
		URIs: http://b.invalid/debian
		Suites: bookworm-updates bookworm-backports
		Components: main non-free-firmware

		Types: deb
		URIs: http://c.invalid/debian-security
		Suites: bookworm-security
		Components: contrib main
		Signed-By:
		 -----BEGIN PGP PUBLIC KEY BLOCK-----
		 .
		 Suites: bookworm
		 -----END PGP PUBLIC KEY BLOCK-----
	EOF
	run --separate-stderr in_sources "$W/src" env PATH="$W/bin:$PATH" "$FRESH"
	[ "$status" -eq 3 ] || { echo "# exit $status: $stderr" >&3; false; }
	[[ ${lines[-1]} == "fresh: FAIL at 'mmdebstrap' "* ]]
	printf '%s\n' 'deb http://a.invalid/debian bookworm main' \
		'deb http://b.invalid/debian bookworm-updates main' \
		'deb http://c.invalid/debian-security bookworm-security main' >"$W/want"
	diff "$W/want" "$W/mmdebstrap.in"
	# the cache stays, for the next run; nothing else does
	[ -d "$XDPKIT_FRESH_CACHE/archives" ]
	! grep -q xdpkit-fresh /proc/self/mountinfo
}
