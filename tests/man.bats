#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# The man pages, scripts/NAME.8 beside scripts/NAME.sh: one for every command make install puts in sbin,
# clean under mandoc -Tlint, and naming exactly the options the command
# takes: every option the script's getopts or its long-option cases accept
# is in the page, and every option the page lists is one the script takes.

XK=$(cd "$BATS_TEST_DIRNAME/.." && pwd)
COMMANDS="xdping xdping-server srclog srcfilter"

# script_short CMD: the option letters of every getopts in the script.
script_short() {
	grep -o 'getopts :[^ ]*' "$XK/scripts/$1.sh" | sed 's/getopts ://' | tr -d ':-' | fold -w1 | sort -u
}

# script_long CMD: the long options its --help names.
script_long() {
	"$XK/scripts/$1.sh" --help | grep -o -- '--[a-z][a-z-]*' | sed 's/^--//' | sort -u
}

# page_short CMD, page_long CMD: the options the page's lists give (.It Fl X).
# -h and --help, which every command takes (checked apart), are left out.
page_short() {
	grep -o '^\.It Fl [A-Za-z0-9]\b.*' "$XK/scripts/$1.8" | grep -o 'Fl [A-Za-z0-9]\b' | cut -c4 |
		grep -vx h | sort -u
}

page_long() {
	grep -o '^\.It Fl .*' "$XK/scripts/$1.8" | grep -o 'Fl -[a-z][a-z-]*' | sed 's/^Fl --*//' |
		grep -vx help | sort -u
}

@test "a man page for every command in sbin, and make install knows them all" {
	local c
	for c in $COMMANDS; do
		[ -f "$XK/scripts/$c.8" ] || { echo "no scripts/$c.8"; return 1; }
		grep -q "for s in .*\b$c\b" "$XK/Makefile" || { echo "make install does not link $c"; return 1; }
	done
	[ "$(find "$XK/scripts" -name '*.8' | wc -l)" -eq "$(set -- $COMMANDS && echo $#)" ]
}

@test "mandoc -Tlint: no warning or error in any page" {
	run mandoc -Tlint -W warning "$XK"/scripts/*.8
	[ "$status" -eq 0 ] && [ -z "$output" ] || { echo "$output"; return 1; }
}

@test "every option a command takes is in its page, and every option of a page is taken" {
	local c o bad=""
	for c in $COMMANDS; do
		for o in $(script_short "$c" | grep -vx h); do
			grep -q "Fl $o\b" "$XK/scripts/$c.8" || bad="$bad $c:-$o(not in the page)"
		done
		for o in $(script_long "$c"); do
			grep -q "Fl -$o\b" "$XK/scripts/$c.8" || bad="$bad $c:--$o(not in the page)"
		done
		for o in $(page_short "$c"); do
			script_short "$c" | grep -qx "$o" || bad="$bad $c:-$o(not taken)"
		done
		for o in $(page_long "$c"); do
			script_long "$c" | grep -qx "$o" || bad="$bad $c:--$o(not taken)"
		done
	done
	[ -z "$bad" ] || { echo "mismatch:$bad"; return 1; }
}

@test "every command takes -h and --help (usage, exit 0), and its page lists them" {
	local c o
	for c in $COMMANDS; do
		for o in -h --help; do
			run "$XK/scripts/$c.sh" "$o"
			[ "$status" -eq 0 ] && [[ $output == usage:* ]] || { echo "$c $o: $status $output"; return 1; }
		done
		grep -q '^\.It Fl h , Fl -help$' "$XK/scripts/$c.8" || { echo "scripts/$c.8 lacks -h, --help"; return 1; }
	done
}

@test "called by the page's name (a link, as /usr/sbin/NAME), the usage names the command so" {
	local c
	for c in $COMMANDS; do
		ln -s "$XK/scripts/$c.sh" "$BATS_TEST_TMPDIR/$c"
		run "$BATS_TEST_TMPDIR/$c" --help
		[ "$status" -eq 0 ] && [[ ${lines[0]} == "usage: $c "* ]] || { echo "$c: $output"; return 1; }
		[[ $output != *"$c.sh"* ]] || { echo "$c: $output"; return 1; }
	done
}

@test "the option check catches a page that lists an option the command lacks" {
	local t=$BATS_TEST_TMPDIR
	mkdir -p "$t/scripts"
	cp -r "$XK/scripts/." "$t/scripts/"
	printf '.It Fl Q\nNothing.\n' >>"$t/scripts/srclog.8"
	XK=$t
	run page_short srclog
	[[ $output == *Q* ]]
	! script_short srclog | grep -qx Q
}
