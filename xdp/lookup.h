/* SPDX-License-Identifier: GPL-2.0 */
/*
 * lookup_here(MAP, KEY): bpf_map_lookup_elem() that stays at its own call
 * site.
 *
 * Where two branches look up two maps (an IPv4 and an IPv6 trie), clang
 * may merge the two calls into one and choose the map at run time. The
 * verifier then cannot tell which map that call looks up: instead of a
 * direct call to the map's own lookup it leaves the generic helper, whose
 * indirect call cost about 12 ns a frame here (BENCHMARKS.md, srcfilter).
 * An empty asm on the result ends each branch with something clang never
 * merges. tests/lint.bats loads every object and fails on a generic map
 * call left in it.
 */
#ifndef XDPKIT_LOOKUP_H
#define XDPKIT_LOOKUP_H

#include <bpf/bpf_helpers.h>

#define lookup_here(map, key)						\
	({								\
		void *lookup_here_v = bpf_map_lookup_elem(map, key);	\
		asm volatile("" : "+r"(lookup_here_v));			\
		lookup_here_v;						\
	})

#endif
