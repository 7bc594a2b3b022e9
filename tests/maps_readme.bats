#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# maps/README.md retypes every struct of maps/ with its fields, types,
# offsets and sizes. These tests hold it to the BTF of the built objects
# (what the kernel, bpftool and libbpf see), so the tables cannot drift:
# a wrong row fails here, and the headers' own MAPS_SIZE/MAPS_AT checks
# fail the build.

XK=$(cd "$BATS_TEST_DIRNAME/.." && pwd)
# The objects whose BTF holds the structs of maps/: the programs' maps
# carry their keys and values; tests/xdp/maps_btf.o names the ring
# buffer's record, which no map type carries.
OBJS="xdp/xdping_client.o xdp/xdping_server.o xdp/srclog.o xdp/srcfilter.o tests/xdp/maps_btf.o"

setup() {
	local o
	for o in $OBJS; do
		[ -f "$XK/$o" ] || { echo "# $o not built (make check builds it)"; return 1; }
	done
}

# What README.md says, one line per field: "WHERE STRUCT FIELD TYPE COUNT
# OFFSET" (WHERE names the table line, COUNT is 1 or the array length,
# OFFSET "-" where the table gives none), and "size WHERE STRUCT BYTES".
# Fields come from the code blocks (struct NAME { ... };) and from table
# cells such as `struct xdping_prefix4` (`__u32 prefixlen`; `__u8 addr[4]`).
readme_rows() {
	awk '
	function field(where, s, decl, off,    n, w, name, type, cnt, i) {
		n = split(decl, w, " ")
		name = w[n]
		type = w[1]
		for (i = 2; i < n; i++)
			type = type " " w[i]
		cnt = 1
		if (match(name, /\[[0-9]+\]$/)) {
			cnt = substr(name, RSTART + 1, RLENGTH - 2)
			name = substr(name, 1, RSTART - 1)
		}
		print where, s, name, type, cnt, off
	}
	/^```/ { block = !block; s = ""; next }
	block && /^struct [a-z0-9_]+ \{/ { s = $2; where = "line" NR; next }
	block && /^\};/ { s = ""; next }
	block && s != "" && /^\t[_a-z][_a-z0-9 ]* [_a-z0-9]+(\[[0-9]+\])?;/ {
		line = $0
		sub(/^\t/, "", line)
		decl = substr(line, 1, index(line, ";") - 1)
		split(substr(line, index(line, ";") + 1), r, " ")
		field(where, s, decl, r[1] ~ /^[0-9]+$/ ? r[1] : "-")
		next
	}
	!block {
		rest = $0
		while (match(rest, /`struct [a-z0-9_]+`, [0-9]+ bytes/)) {
			split(substr(rest, RSTART, RLENGTH), w, /[` ,]+/)
			print "size", "line" NR, w[3], w[4]
			rest = substr(rest, RSTART + RLENGTH)
		}
		rest = $0
		k = 0
		while (match(rest, /`struct [a-z0-9_]+` \([^)]*\)/)) {
			cell = substr(rest, RSTART, RLENGTH)
			rest = substr(rest, RSTART + RLENGTH)
			split(cell, w, /[` ]+/)
			s = w[3]
			where = "line" NR "." ++k
			inner = substr(cell, index(cell, "(") + 1)
			while (match(inner, /`[_a-z][_a-z0-9 ]* [_a-z0-9]+(\[[0-9]+\])?`/)) {
				# field() matches too: take what is needed of RSTART first.
				decl = substr(inner, RSTART + 1, RLENGTH - 2)
				inner = substr(inner, RSTART + RLENGTH)
				field(where, s, decl, "-")
			}
		}
	}' "$1"
}

# What an object's BTF says, in the same shape: "btf STRUCT FIELD TYPE
# COUNT OFFSET" for every field of every named struct, "size btf STRUCT
# BYTES" for each struct.
btf_rows() {
	bpftool -j btf dump file "$1" | jq -r '
		(.types | map({key: (.id | tostring), value: .}) | from_entries) as $t
		| def elem($id): $t[$id | tostring] as $x
			| if $x.kind == "ARRAY" then $t[$x.type_id | tostring].name else $x.name end;
		  def count($id): $t[$id | tostring] as $x
			| if $x.kind == "ARRAY" then $x.nr_elems else 1 end;
		.types[] | select(.kind == "STRUCT" and .name != "(anon)")
		| "size btf \(.name) \(.size)",
		  (.name as $s | .members[]
		   | "btf \($s) \(.name) \(elem(.type_id)) \(count(.type_id)) \(.bits_offset / 8)")'
}

# Every struct README.md describes, against the BTF: the same fields in
# the same order, with the same types, array lengths and offsets, and the
# sizes it states. Prints one line per difference; fails if there is any.
check_readme() {
	local readme=$1 o btf
	btf=$(for o in $OBJS; do btf_rows "$XK/$o"; done | sort -u)
	{ printf '%s\n' "$btf"; echo "--"; readme_rows "$readme"; } | awk '
	$0 == "--" { readme = 1; next }
	!readme && $1 == "size" {
		if (($3 in size) && size[$3] != $4)
			printf "struct %s: %s bytes in one object, %s in another\n", $3, size[$3], $4
		size[$3] = $4
		next
	}
	!readme {
		# sort -u put them in order of struct and field name: index by offset.
		key = $2 SUBSEP $6
		if (key in got && got[key] != $3 " " $4 " " $5)
			printf "struct %s: objects disagree at offset %s\n", $2, $6
		got[key] = $3 " " $4 " " $5
		nf[$2]++
		offs[$2] = offs[$2] " " $6
		next
	}
	$1 == "size" {
		if (!($3 in size))
			printf "README %s: struct %s is in no object BTF\n", $2, $3
		else if (size[$3] != $4)
			printf "README %s: struct %s is %s bytes, the BTF says %s\n", $2, $3, $4, size[$3]
		next
	}
	{
		where = $1; s = $2
		if (!(s in nf)) {
			if (!(where in bad))
				printf "README %s: struct %s is in no object BTF\n", where, s
			bad[where] = 1
			next
		}
		n[where]++
		sname[where] = s
		# The BTF field at the same position (fields in offset order).
		split(substr(sorted(s), 2), o, " ")
		want_off = o[n[where]]
		want = got[s SUBSEP want_off]
		have = $3 " " $4 " " $5
		if (want_off == "")
			printf "README %s: struct %s has no field %d (%s)\n", where, s, n[where], $3
		else if (have != want || ($6 != "-" && $6 != want_off))
			printf "README %s: struct %s field %d is \"%s at %s\", the BTF says \"%s at %s\"\n", \
				where, s, n[where], have, $6, want, want_off
	}
	function sorted(s,    a, k, i, j, t, out) {
		k = split(substr(offs[s], 2), a, " ")
		for (i = 2; i <= k; i++)
			for (j = i; j > 1 && a[j - 1] + 0 > a[j] + 0; j--) {
				t = a[j]; a[j] = a[j - 1]; a[j - 1] = t
			}
		for (i = 1; i <= k; i++)
			out = out " " a[i]
		return out
	}
	END {
		for (where in n)
			if (n[where] != nf[sname[where]])
				printf "README %s: struct %s lists %d fields, the BTF has %d\n", \
					where, sname[where], n[where], nf[sname[where]]
	}' | sort
}

@test "maps/README.md: every struct table matches the BTF of the built objects" {
	run readme_rows "$XK/maps/README.md"
	# Not vacuous: the tables of all eight maps' structs are read.
	[ "$(printf '%s\n' "$output" | awk '$1 != "size" { print $2 }' | sort -u | wc -l)" -ge 12 ]
	run check_readme "$XK/maps/README.md"
	[ "$status" -eq 0 ] && [ -z "$output" ] || { printf '# %s\n' "$output"; false; }
}

@test "maps/README.md check: a wrong offset, type, name, size or a missing field fails" {
	local r=$BATS_TEST_TMPDIR/README.md edit
	# Each sed edit makes one table row wrong; the check must say so.
	while IFS= read -r edit; do
		sed "$edit" "$XK/maps/README.md" >"$r"
		! cmp -s "$r" "$XK/maps/README.md" || { echo "# $edit changed nothing"; false; }
		run check_readme "$r"
		[ -n "$output" ] || { echo "# README with $edit passed the check"; false; }
	done <<-'EOF'
	s/__u8 ttl\[1024\];     8232/__u8 ttl[1024];     8240/
	s/__be16 id;             4/__u16 id;             4/
	s/__u32 log_every;       0/__u32 every;           0/
	s/`struct xdping_run`, 19496 bytes/`struct xdping_run`, 19494 bytes/
	s/(`__u32 prefixlen`; `__u8 addr\[16\]`)/(`__u32 prefixlen`; `__u8 addr[4]`)/
	s/__u64 completed;/__u64 complete;/
	/__u32 action; *36 /d
	s/__u32 slot;            4/__u32 slot;            8/
	EOF
}
