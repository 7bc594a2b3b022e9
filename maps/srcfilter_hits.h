/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Pinned map srcfilter_hits: packets and bytes each rule matched, per
 * CPU, one slot per rule (the slot is in the rule's value in
 * maps/srcfilter_rules.h). Written by xdp/srcfilter.o and
 * xdp/srclog_filter.o; read (summed over the CPUs) and zeroed for a new
 * rule by scripts/srcfilter.sh's map helper. Layout: maps/README.md.
 *
 * Per CPU, so a flood spread over every CPU never bounces one counter
 * between them. The cost is memory: 16 bytes per slot per CPU, taken when
 * the object loads. Slot 0 is never a rule's: rules past the last slot
 * still act, and are counted in srcfilter_stats only.
 */
#ifndef XDPKIT_MAPS_SRCFILTER_HITS_H
#define XDPKIT_MAPS_SRCFILTER_HITS_H

#include <linux/types.h>
#include "layout.h"

/* Slots, slot 0 included; set at build time (-DSRCFILTER_SLOTS=N). */
#ifndef SRCFILTER_SLOTS
#define SRCFILTER_SLOTS		(1 << 17)
#endif

struct srcfilter_hit {
	__u64 packets;		/* frames the rule matched, on this CPU */
	__u64 bytes;		/* their frame lengths (Ethernet header on, FCS off) */
};
MAPS_SIZE(srcfilter_hit, 16);
MAPS_AT(srcfilter_hit, bytes, 8);

#ifdef __bpf__
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, SRCFILTER_SLOTS);
	__type(key, __u32);
	__type(value, struct srcfilter_hit);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} srcfilter_hits SEC(".maps");
#endif

#endif
