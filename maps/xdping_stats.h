/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Pinned map xdping_stats: what the xdping objects did, per CPU, one
 * entry per role. Written by xdp/xdping_client.o and xdp/xdping_server.o;
 * read by scripts/lib/xdping-map. Byte order: maps/layout.h (all host order).
 */
#ifndef XDPKIT_MAPS_XDPING_STATS_H
#define XDPKIT_MAPS_XDPING_STATS_H

#include <linux/types.h>
#include "layout.h"

#define XDPING_ROLE_CLIENT	0
#define XDPING_ROLE_SERVER	1
#define XDPING_ROLES		2

struct xdping_stats {
	__u64 passed;		/* frames handed to the stack (a run's last reply included) */
	__u64 answered;		/* frames rewritten and sent back out (XDP_TX) */
	__u64 samples;		/* client: RTT samples stored */
	__u64 completed;	/* client: runs finished, last reply handed to the stack */
	__u64 errors;		/* frames of a run that could not be handled */
};
MAPS_SIZE(xdping_stats, 40);
MAPS_AT(xdping_stats, answered, 8);
MAPS_AT(xdping_stats, samples, 16);
MAPS_AT(xdping_stats, completed, 24);
MAPS_AT(xdping_stats, errors, 32);

#ifdef __bpf__
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, XDPING_ROLES);
	__type(key, __u32);
	__type(value, struct xdping_stats);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} xdping_stats SEC(".maps");
#endif

#endif
