/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Pinned map srclog_events: the live log, a ring buffer with one record
 * per logged frame. Written by xdp/srclog.o (bpf_ringbuf_reserve, never
 * waiting: a full ring counts ring_full in srclog_stats); read by
 * scripts/lib/srclog-follow. Layout: maps/README.md.
 * Byte order: maps/layout.h.
 */
#ifndef XDPKIT_MAPS_SRCLOG_EVENTS_H
#define XDPKIT_MAPS_SRCLOG_EVENTS_H

#include <linux/types.h>
#include "layout.h"
#include "family.h"

/* Ring size in bytes, a power of two and a multiple of the page size. */
#ifndef SRCLOG_RING_BYTES
#define SRCLOG_RING_BYTES	(256 * 1024)
#endif


/* The reader is woken when this much is waiting (it also polls every
 * 100 ms); an event takes its size plus an 8-byte ring header. */
#define SRCLOG_WAKE_BYTES	(SRCLOG_RING_BYTES / 16)
#define SRCLOG_EVENT_BYTES	48

struct srclog_event {
	__u64 timestamp_ns;	/* bpf_ktime_get_ns() (CLOCK_MONOTONIC) */
	__u32 ifindex;		/* interface the frame came in on */
	__u32 len;		/* frame length (Ethernet header on, FCS off) */
	__u8 addr[16];		/* source address; IPv4 in addr[0..3], the rest zero */
	__u32 family;		/* XDPKIT_FAMILY_IPV4 or XDPKIT_FAMILY_IPV6 */
	__u32 action;		/* what the program did with the frame: XDP_PASS (2) or XDP_DROP (1) */
};
MAPS_SIZE(srclog_event, 40);
MAPS_AT(srclog_event, ifindex, 8);
MAPS_AT(srclog_event, len, 12);
MAPS_AT(srclog_event, addr, 16);
MAPS_AT(srclog_event, family, 32);
MAPS_AT(srclog_event, action, 36);

#ifdef __bpf__
struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, SRCLOG_RING_BYTES);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} srclog_events SEC(".maps");
#endif

#endif
