/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Pinned map srcfilter_stats: per interface and per CPU, what the filter
 * did. Written by xdp/srcfilter.o and xdp/srclog_filter.o; read by
 * scripts/srcfilter.sh (summed over the CPUs). Layout: maps/README.md.
 *
 * The index is the ifindex; an interface whose ifindex is
 * SRCFILTER_MAX_IFINDEX or more shares entry 0 with every other such
 * interface (no device has ifindex 0), and srcfilter.sh says so.
 *
 * Every frame adds 1 to exactly one of xdp_pass and xdp_drop (the action
 * returned: the objects have no path to any other), and to exactly one of
 * not_ip, malformed, unmatched, allowed, counted and dropped (why).
 */
#ifndef XDPKIT_MAPS_SRCFILTER_STATS_H
#define XDPKIT_MAPS_SRCFILTER_STATS_H

#include <linux/types.h>
#include "layout.h"

#ifndef SRCFILTER_MAX_IFINDEX
#define SRCFILTER_MAX_IFINDEX	4096
#endif

struct srcfilter_stats {
	__u64 xdp_pass;		/* frames returned XDP_PASS */
	__u64 xdp_drop;		/* frames returned XDP_DROP */
	__u64 not_ip;		/* neither IPv4 nor IPv6, or a third VLAN tag: passed */
	__u64 malformed;	/* cut short (Ethernet, a VLAN tag, the IP header) or a bad IP header: passed */
	__u64 unmatched;	/* IP frames no rule matched: passed */
	__u64 allowed;		/* matched an allow rule: passed */
	__u64 counted;		/* matched a count rule: passed */
	__u64 dropped;		/* matched a drop rule: dropped */
};
MAPS_SIZE(srcfilter_stats, 64);
MAPS_AT(srcfilter_stats, xdp_drop, 8);
MAPS_AT(srcfilter_stats, not_ip, 16);
MAPS_AT(srcfilter_stats, malformed, 24);
MAPS_AT(srcfilter_stats, unmatched, 32);
MAPS_AT(srcfilter_stats, allowed, 40);
MAPS_AT(srcfilter_stats, counted, 48);
MAPS_AT(srcfilter_stats, dropped, 56);

#ifdef __bpf__
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, SRCFILTER_MAX_IFINDEX);
	__type(key, __u32);
	__type(value, struct srcfilter_stats);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} srcfilter_stats SEC(".maps");
#endif

#endif
