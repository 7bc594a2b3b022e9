/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Pinned maps srcfilter_rules4, srcfilter_rules6 (drop and count rules)
 * and srcfilter_allow4, srcfilter_allow6 (allow rules): longest-prefix
 * tries of source prefixes, per interface. Written by scripts/srcfilter.sh
 * (through its map helper); read by xdp/srcfilter.o and
 * xdp/srclog_filter.o on every IP frame. Layout: maps/README.md; byte
 * order: maps/layout.h.
 *
 * A key is the interface, then the prefix: prefixlen counts the 32 bits
 * of ifindex plus the prefix's own length, so a rule only ever matches
 * frames that came in on its interface. An allow rule wins over every
 * drop or count rule, whatever the lengths: the program asks the allow
 * trie first, and the rules trie only when no allow rule matched.
 */
#ifndef XDPKIT_MAPS_SRCFILTER_RULES_H
#define XDPKIT_MAPS_SRCFILTER_RULES_H

#include <linux/types.h>
#include "layout.h"

/* Prefixes each of srcfilter_rules4 and srcfilter_rules6 holds (all
 * interfaces together); the allow tries hold SRCFILTER_MAX_ALLOW. */
#ifndef SRCFILTER_MAX_RULES
#define SRCFILTER_MAX_RULES	(1 << 20)
#endif
#ifndef SRCFILTER_MAX_ALLOW
#define SRCFILTER_MAX_ALLOW	(1 << 16)
#endif

/* What a rule does with the frames it matches. */
#define SRCFILTER_DROP		1	/* XDP_DROP */
#define SRCFILTER_COUNT		2	/* XDP_PASS, counted: the dry run of a drop */
#define SRCFILTER_ALLOW		3	/* XDP_PASS, and no drop rule applies */

/* The bits of a key's prefixlen that are the interface, not the prefix. */
#define SRCFILTER_IFINDEX_BITS	32

struct srcfilter_key4 {
	__u32 prefixlen;	/* 32 (ifindex) + the prefix length, 0..32 */
	__u32 ifindex;		/* the interface the rule is for */
	__u8 addr[4];		/* the prefix; bits past its length zero */
};
MAPS_SIZE(srcfilter_key4, 12);
MAPS_AT(srcfilter_key4, ifindex, 4);
MAPS_AT(srcfilter_key4, addr, 8);

struct srcfilter_key6 {
	__u32 prefixlen;	/* 32 (ifindex) + the prefix length, 0..128 */
	__u32 ifindex;		/* the interface the rule is for */
	__u8 addr[16];		/* the prefix; bits past its length zero */
};
MAPS_SIZE(srcfilter_key6, 24);
MAPS_AT(srcfilter_key6, ifindex, 4);
MAPS_AT(srcfilter_key6, addr, 8);

struct srcfilter_rule {
	__u32 action;		/* SRCFILTER_DROP, _COUNT or _ALLOW */
	__u32 slot;		/* its counters in srcfilter_hits; 0: not counted one by one */
	/*
	 * bpf_ktime_get_coarse_ns() of a recent hit, shared by the CPUs:
	 * written at most once a second per CPU, so a flood does not bounce
	 * its cache line. 0: no hit since the rule was written.
	 */
	__u64 last_hit_ns;
};
MAPS_SIZE(srcfilter_rule, 16);
MAPS_AT(srcfilter_rule, slot, 4);
MAPS_AT(srcfilter_rule, last_hit_ns, 8);

#ifdef __bpf__
#define SRCFILTER_TRIE(name, keytype, max)			\
	struct {						\
		__uint(type, BPF_MAP_TYPE_LPM_TRIE);		\
		__uint(max_entries, max);			\
		__uint(map_flags, BPF_F_NO_PREALLOC);		\
		__type(key, struct keytype);			\
		__type(value, struct srcfilter_rule);		\
		__uint(pinning, LIBBPF_PIN_BY_NAME);		\
	} name SEC(".maps")

SRCFILTER_TRIE(srcfilter_rules4, srcfilter_key4, SRCFILTER_MAX_RULES);
SRCFILTER_TRIE(srcfilter_rules6, srcfilter_key6, SRCFILTER_MAX_RULES);
SRCFILTER_TRIE(srcfilter_allow4, srcfilter_key4, SRCFILTER_MAX_ALLOW);
SRCFILTER_TRIE(srcfilter_allow6, srcfilter_key6, SRCFILTER_MAX_ALLOW);
#endif

#endif
