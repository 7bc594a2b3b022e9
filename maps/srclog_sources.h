/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Pinned map srclog_sources: packets, bytes, first and last time seen of
 * every IPv4 and IPv6 source address, per CPU, least recently used
 * sources evicted. Written by xdp/srclog.o (scripts/lib/srclog-map reset
 * deletes); read by scripts/lib/srclog-map top and status (libbpf batch
 * lookups). Layout: maps/README.md.
 *
 * Byte order: maps/layout.h. Per CPU: a source's totals are the sums of
 * packets and bytes over the CPUs, first_seen_ns the least non-zero one,
 * last_seen_ns the greatest.
 */
#ifndef XDPKIT_MAPS_SRCLOG_SOURCES_H
#define XDPKIT_MAPS_SRCLOG_SOURCES_H

#include <linux/types.h>
#include "layout.h"
#include "family.h"

/* Sources the map holds; set at build time (-DSRCLOG_MAX_SOURCES=N). */
#ifndef SRCLOG_MAX_SOURCES
#define SRCLOG_MAX_SOURCES	65536
#endif


struct srclog_key {
	__u32 ifindex;		/* interface the frames came in on */
	__u8 family;		/* XDPKIT_FAMILY_IPV4 or XDPKIT_FAMILY_IPV6 */
	__u8 pad[3];		/* zero */
	__u8 addr[16];		/* source address; IPv4 in addr[0..3], the rest zero */
};
MAPS_SIZE(srclog_key, 24);
MAPS_AT(srclog_key, family, 4);
MAPS_AT(srclog_key, pad, 5);
MAPS_AT(srclog_key, addr, 8);

struct srclog_source {
	__u64 packets;		/* frames from this source, on this CPU */
	__u64 bytes;		/* their frame lengths (Ethernet header on, FCS off) */
	/* bpf_ktime_get_coarse_ns(): CLOCK_MONOTONIC_COARSE, one jiffy resolution */
	__u64 first_seen_ns;	/* when the first frame came */
	__u64 last_seen_ns;	/* when the latest frame came */
};
MAPS_SIZE(srclog_source, 32);
MAPS_AT(srclog_source, bytes, 8);
MAPS_AT(srclog_source, first_seen_ns, 16);
MAPS_AT(srclog_source, last_seen_ns, 24);

#ifdef __bpf__
/*
 * -DSRCLOG_SHARED builds one value for all CPUs, added to atomically: the
 * bench's comparison only (BENCHMARKS.md), never installed or pinned.
 */
#ifdef SRCLOG_SHARED
#define SRCLOG_SOURCES_TYPE	BPF_MAP_TYPE_LRU_HASH
#else
#define SRCLOG_SOURCES_TYPE	BPF_MAP_TYPE_LRU_PERCPU_HASH
#endif
struct {
	__uint(type, SRCLOG_SOURCES_TYPE);
	__uint(max_entries, SRCLOG_MAX_SOURCES);
	__type(key, struct srclog_key);
	__type(value, struct srclog_source);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} srclog_sources SEC(".maps");
#endif

#endif
