#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# scripts/xdpkit.bash-completion, as bash runs it: a command line is set
# up the way bash hands it over (COMP_WORDS, COMP_CWORD), the completion
# function runs, and COMPREPLY must hold exactly what the command takes
# there. Interface names come from this namespace's /sys/class/net.

XK=$(cd "$BATS_TEST_DIRNAME/.." && pwd)

setup() {
	# shellcheck source=scripts/xdpkit.bash-completion
	source "$XK/scripts/xdpkit.bash-completion"
}

# comp WORD...: the completions of WORD... with the cursor on the last
# word, one a line, sorted.
comp() {
	COMP_WORDS=("$@")
	COMP_CWORD=$(($# - 1))
	COMPREPLY=()
	local fn
	fn=$(complete -p "${1##*/}" | awk '{ for (i = 1; i < NF; i++) if ($i == "-F") print $(i + 1) }')
	[ -n "$fn" ] || { echo "no completion for ${1##*/}" >&2; return 1; }
	"$fn"
	printf '%s\n' "${COMPREPLY[@]}" | sed '/^$/d' | sort
}

# lines WORD...: WORD... one a line, sorted, to compare with comp.
lines() {
	printf '%s\n' "$@" | sort
}

@test "every command, by name, path or script name, has the completion" {
	local c
	for c in xdping xdping-server srclog srcfilter xdping.sh xdping-server.sh srclog.sh srcfilter.sh; do
		complete -p "$c" | grep -q -- '-F _xdpkit' || { echo "$c: $(complete -p "$c" 2>&1)"; return 1; }
	done
	[ "$(comp /usr/sbin/srclog lo st)" = "$(lines start status stop)" ]
}

# in_ns WORDS...: for each argument (a command line, words split on
# spaces, '' for an empty last word), its completions on one line; run
# where /sys is this network namespace's (the suite's mount namespace
# keeps the host's sysfs), so /sys/class/net lists our interfaces. Last
# line: /sys/class/net itself.
in_ns() {
	# shellcheck disable=SC2016 # expanded by the inner bash
	unshare -m --propagation private bash -c '
		mount -t sysfs sysfs /sys || exit 3
		source "$1"
		shift
		for line in "$@"; do
			read -r -a COMP_WORDS <<<"$line"
			[[ $line == *" " ]] && COMP_WORDS+=("")
			COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
			COMPREPLY=()
			_xdpkit
			printf "%s\n" "${COMPREPLY[@]}" | sed "/^\$/d" | sort | paste -sd " " -
		done
		ls /sys/class/net | sort | paste -sd " " -
	' in_ns "$XK/scripts/xdpkit.bash-completion" "$@"
}

@test "the IFACE word: the interfaces in /sys/class/net, and only them" {
	ip link add xkcomp0 type veth peer name xkcomp1
	run in_ns "xdping " "xdping-server " "srcfilter xkc" "srclog xkcomp1" "xdping -c 3 -N xkcomp"
	[ "$status" -eq 0 ] && [ "${#lines[@]}" -eq 6 ] || { echo "$output"; return 1; }
	[[ ${lines[5]} == *lo*xkcomp0\ xkcomp1* ]]
	[ "${lines[0]}" = "${lines[5]}" ]
	[ "${lines[1]}" = "${lines[5]}" ]
	[ "${lines[2]}" = "xkcomp0 xkcomp1" ]
	[ "${lines[3]}" = xkcomp1 ]
	# after xdping's options, still the interface
	[ "${lines[4]}" = "xkcomp0 xkcomp1" ]
	ip link del xkcomp0
	run in_ns "srclog xkc"
	# bats drops the empty line of no completion: only the listing is left
	[ "$status" -eq 0 ] && [ "${#lines[@]}" -eq 1 ] && [[ ${lines[0]} != *xkcomp* ]] || { echo "$output"; return 1; }
}

@test "the COMMAND word: each script's subcommands" {
	[ "$(comp xdping-server lo '')" = "$(lines start stop status metrics)" ]
	[ "$(comp srclog lo '')" = "$(lines start top follow log status reset metrics stop)" ]
	[ "$(comp srcfilter lo '')" = "$(lines start add load del list stats save status flush apply confirm stop)" ]
	[ "$(comp srcfilter lo s)" = "$(lines start stats save status stop)" ]
	[ "$(comp srcfilter lo a)" = "$(lines add apply)" ]
	[ "$(comp srclog -)" = "$(lines -h --help)" ]
	[ -z "$(comp srclog --help '')" ]
}

@test "options: xdping's, and each subcommand's own" {
	[ "$(comp xdping -)" = "$(lines -c -s -i -W -N -S -4 -6 -j --json --jsonl --prom --every --rounds --cleanup -h --help)" ]
	[ "$(comp xdping --j)" = "$(lines --json --jsonl)" ]
	[ "$(comp xdping-server lo start -)" = "$(lines -N -S -a)" ]
	[ -z "$(comp xdping-server lo stop -)" ]
	[ "$(comp srclog lo start -)" = "$(lines -N -S -l)" ]
	[ "$(comp srclog lo top -)" = "$(lines -n -i -b -j -f --format -p --prefix)" ]
	[ "$(comp srclog lo follow -)" = -j ]
	[ "$(comp srcfilter lo start -)" = "$(lines -N -S -l)" ]
	[ "$(comp srcfilter lo add -)" = "$(lines -a --force)" ]
	[ "$(comp srcfilter lo apply --)" = "$(lines --confirm --force)" ]
	[ "$(comp srcfilter lo list -)" = -j ]
	[ -z "$(comp srcfilter lo flush -)" ]
}

@test "option values: the fixed sets, and nothing where a number goes" {
	[ "$(comp srcfilter lo add -a '')" = "$(lines drop count allow)" ]
	[ "$(comp srcfilter lo load -a c)" = count ]
	[ "$(comp srclog lo top -f '')" = "$(lines text json rules)" ]
	# bash splits --format=j at the '='
	[ "$(comp srclog lo top --format = j)" = json ]
	[ "$(comp srclog lo log '')" = "$(lines on off)" ]
	[ "$(comp srclog lo start -l o)" = "$(lines on off)" ]
	[ -z "$(comp xdping -c '')" ]
	[ -z "$(comp srcfilter lo apply --confirm '')" ]
	# xdping after --cleanup IFACE: nothing more
	[ -z "$(comp xdping --cleanup lo '')" ]
}

@test "load and apply complete file names, and - for stdin" {
	local d=$BATS_TEST_TMPDIR
	: >"$d/edge.rules"
	: >"$d/edge.save"
	cd "$d"
	[ "$(comp srcfilter lo load edge)" = "$(lines edge.rules edge.save)" ]
	[ "$(comp srcfilter lo apply --confirm 60 edge.r)" = edge.rules ]
	[[ $(comp srcfilter lo load '') == *-* ]]
}

@test "the completion the package installs is this file, under each command's name" {
	local d=$BATS_TEST_TMPDIR/inst c
	make -C "$XK" -s install-completion PREFIX=/usr DESTDIR="$d"
	for c in xdping xdping-server srclog srcfilter; do
		cmp "$XK/scripts/xdpkit.bash-completion" "$d/usr/share/bash-completion/completions/$c" ||
			{ echo "$c differs or is missing"; return 1; }
	done
}
