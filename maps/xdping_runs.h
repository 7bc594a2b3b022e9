/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Pinned map xdping_runs: the xdping runs in progress and their samples.
 * Written by scripts/lib/xdping-map (seed, delete) and
 * xdp/xdping_client.o (chains and samples); read by scripts/lib/xdping-map.
 * Layout: maps/README.md; byte order: maps/layout.h.
 */
#ifndef XDPKIT_MAPS_XDPING_RUNS_H
#define XDPKIT_MAPS_XDPING_RUNS_H

#include <linux/types.h>
#include "layout.h"
#include "family.h"

/* Samples one run holds; a power of two, so a bounded index is cheap. */
#define XDPING_MAX_SAMPLES	1024
/* Runs at once, over all interfaces, targets and identifiers. */
#define XDPING_MAX_RUNS		256


/*
 * One run: one interface, one echo identifier, one family. The remote
 * address is in the value, checked after the lookup: a short key hashes
 * faster, and the scripts give every run of an interface its own
 * identifier anyway.
 */
struct xdping_key {
	__u32 ifindex;		/* interface the replies arrive on */
	__be16 id;		/* echo identifier the run owns */
	__u8 family;		/* XDPKIT_FAMILY_IPV4 or XDPKIT_FAMILY_IPV6 */
	__u8 pad;		/* zero */
};
MAPS_SIZE(xdping_key, 8);
MAPS_AT(xdping_key, id, 4);
MAPS_AT(xdping_key, family, 6);
MAPS_AT(xdping_key, pad, 7);

/*
 * A chain starts when a reply carrying first_seq comes back (ping's own
 * request with the run's identifier, a "carrier"). Every request the
 * client sends after that carries a sequence number the run has never
 * used (seq + 1, first_seq skipped), so a late reply of an abandoned
 * chain can never be taken for the answer to a request of a later one.
 */
struct xdping_run {
	__u64 sent_ns;		/* bpf_ktime_get_ns() when the request in flight left; 0 before */
	__be16 seq;		/* sequence of the request in flight: the next sample's reply carries it */
	__be16 first_seq;	/* sequence of the carriers; their replies (re)start a chain */
	__u16 count;		/* samples asked for, 1..XDPING_MAX_SAMPLES */
	__u16 done;		/* samples stored so far */
	__u16 icmp_len;		/* ICMP header + payload of the latest reply */
	__u16 chains;		/* chains started: carriers' replies turned into requests */
	__u32 pad2;		/* zero */
	__u8 addr[16];		/* remote address; IPv4 in addr[0..3], the rest zero */
	__u64 rtt_ns[XDPING_MAX_SAMPLES];	/* round trip of sample i */
	__u8 ttl[XDPING_MAX_SAMPLES];		/* TTL (hop limit) of the reply of sample i */
	__u64 at_ns[XDPING_MAX_SAMPLES];	/* bpf_ktime_get_ns() when sample i's reply came */
	__be16 seqs[XDPING_MAX_SAMPLES];	/* sequence number sample i's request and reply carried */
};
MAPS_SIZE(xdping_run, 19496);
MAPS_AT(xdping_run, seq, 8);
MAPS_AT(xdping_run, first_seq, 10);
MAPS_AT(xdping_run, count, 12);
MAPS_AT(xdping_run, done, 14);
MAPS_AT(xdping_run, icmp_len, 16);
MAPS_AT(xdping_run, chains, 18);
MAPS_AT(xdping_run, pad2, 20);
MAPS_AT(xdping_run, addr, 24);
MAPS_AT(xdping_run, rtt_ns, 40);
MAPS_AT(xdping_run, ttl, 8232);
MAPS_AT(xdping_run, at_ns, 9256);
MAPS_AT(xdping_run, seqs, 17448);

#ifdef __bpf__
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, XDPING_MAX_RUNS);
	__type(key, struct xdping_key);
	__type(value, struct xdping_run);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} xdping_runs SEC(".maps");
#endif

#endif
