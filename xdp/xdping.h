/* SPDX-License-Identifier: GPL-2.0 */
/* What xdping_client and xdping_server share. */
#ifndef XDPKIT_XDPING_H
#define XDPKIT_XDPING_H

#include "xdping_echo.h"
#include "../maps/xdping_stats.h"

static __always_inline struct xdping_stats *xdping_stats_of(__u32 role)
{
	return bpf_map_lookup_elem(&xdping_stats, &role);
}

/* An untagged IPv4 or IPv6 frame whose next protocol is not ICMP(v6):
 * no echo of ours can be in it (an IPv6 extension header first is left to
 * the stack anyway). Two loads: the bulk of any traffic stops here. */
static __always_inline int other_protocol(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	struct ethhdr *eth = data;
	struct ipv6hdr *ip6 = (void *)(eth + 1);
	struct iphdr *ip = (void *)(eth + 1);

	if ((void *)(ip6 + 1) > (void *)(long)ctx->data_end)
		return 0;
	if (eth->h_proto == bpf_htons(ETH_P_IP))
		return ip->protocol != IPPROTO_ICMP;
	if (eth->h_proto == bpf_htons(ETH_P_IPV6))
		return ip6->nexthdr != IPPROTO_ICMPV6;
	return 0;
}

/* The frame goes to the stack untouched, counted. */
static __always_inline int pass(struct xdping_stats *st)
{
	st->passed++;
	return XDP_PASS;
}

/* The rewritten frame goes back out, counted. */
static __always_inline int answer(struct xdping_stats *st)
{
	st->answered++;
	return XDP_TX;
}

#endif
