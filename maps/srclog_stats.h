/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Pinned map srclog_stats: what xdp/srclog.o saw, per CPU, one entry.
 * Written by xdp/srclog.o (scripts/lib/srclog-map reset zeroes it); read
 * by scripts/lib/srclog-map top and status (libbpf; they sum the CPUs).
 * Layout: maps/README.md; byte order: maps/layout.h.
 *
 * Every frame adds 1 to exactly one of ipv4, ipv6, arp, lldp, other,
 * vlan_deep, truncated and malformed. Every frame counted in ipv4 or
 * ipv6 while the log is on adds 1 to exactly one of logged, ring_full
 * and sampled_out. Every frame counted in ipv4 or ipv6 adds 1 to at most
 * one of new_sources and source_errors.
 */
#ifndef XDPKIT_MAPS_SRCLOG_STATS_H
#define XDPKIT_MAPS_SRCLOG_STATS_H

#include <linux/types.h>
#include "layout.h"

struct srclog_stats {
	__u64 ipv4;		/* frames with an IPv4 source (counted in srclog_sources) */
	__u64 ipv6;		/* frames with an IPv6 source (counted in srclog_sources) */
	__u64 arp;		/* EtherType 0x0806 */
	__u64 lldp;		/* EtherType 0x88cc */
	__u64 other;		/* any other EtherType, 802.3 length fields (< 0x0600) included */
	__u64 vlan_deep;	/* a third VLAN tag (802.1Q or 802.1ad): not parsed */
	__u64 truncated;	/* the frame ends inside the Ethernet header or a VLAN tag */
	__u64 malformed;	/* IPv4/IPv6 EtherType, but the IP header is bad or cut short */
	__u64 logged;		/* events put in srclog_events */
	__u64 ring_full;	/* events lost: no room in srclog_events (reader slow or absent) */
	__u64 sampled_out;	/* frames left out of the log by log_every > 1 */
	__u64 sample_tick;	/* frames considered for the log; log_every = N logs tick % N == 0 */
	__u64 source_errors;	/* srclog_sources could not take a new source (frame still counted above) */
	__u64 new_sources;	/* sources srclog_sources took in; once full, the LRU evicts one for each */
};
MAPS_SIZE(srclog_stats, 112);
MAPS_AT(srclog_stats, ipv6, 8);
MAPS_AT(srclog_stats, arp, 16);
MAPS_AT(srclog_stats, lldp, 24);
MAPS_AT(srclog_stats, other, 32);
MAPS_AT(srclog_stats, vlan_deep, 40);
MAPS_AT(srclog_stats, truncated, 48);
MAPS_AT(srclog_stats, malformed, 56);
MAPS_AT(srclog_stats, logged, 64);
MAPS_AT(srclog_stats, ring_full, 72);
MAPS_AT(srclog_stats, sampled_out, 80);
MAPS_AT(srclog_stats, sample_tick, 88);
MAPS_AT(srclog_stats, source_errors, 96);
MAPS_AT(srclog_stats, new_sources, 104);

#ifdef __bpf__
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct srclog_stats);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} srclog_stats SEC(".maps");
#endif

#endif
