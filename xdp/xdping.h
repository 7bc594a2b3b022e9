/* SPDX-License-Identifier: GPL-2.0 */
/* What xdping_client and xdping_server share. */
#ifndef XDPKIT_XDPING_H
#define XDPKIT_XDPING_H

#include "parsing.h"
#include "csum.h"
#include "../maps/xdping_stats.h"

/* TTL of every frame we send: a bounced frame must not age hop by hop. */
#define XDPING_TTL	64

static __always_inline struct xdping_stats *xdping_stats_of(__u32 role)
{
	return bpf_map_lookup_elem(&xdping_stats, &role);
}

/*
 * Turns an echo frame around: MACs and addresses swapped (neither the IPv4
 * header checksum nor the ICMPv6 pseudo-header sum changes), TTL or hop
 * limit set to ttl (echo_turn: XDPING_TTL). The caller changes the ICMP
 * type (and sequence).
 */
static __always_inline void echo_turn_ttl(struct echo *e, __u8 ttl)
{
	struct in6_addr addr6;
	__u8 mac[ETH_ALEN];
	__be32 addr;
	__u16 old;

	__builtin_memcpy(mac, e->eth->h_source, ETH_ALEN);
	__builtin_memcpy(e->eth->h_source, e->eth->h_dest, ETH_ALEN);
	__builtin_memcpy(e->eth->h_dest, mac, ETH_ALEN);

	if (e->family == 4) {
		addr = e->ip->saddr;
		e->ip->saddr = e->ip->daddr;
		e->ip->daddr = addr;
		old = word_at(&e->ip->ttl);
		e->ip->ttl = ttl;
		csum_replace16(&e->ip->check, old, word_at(&e->ip->ttl));
	} else {
		addr6 = e->ip6->saddr;
		e->ip6->saddr = e->ip6->daddr;
		e->ip6->daddr = addr6;
		e->ip6->hop_limit = ttl;
	}
}

static __always_inline void echo_turn(struct echo *e)
{
	echo_turn_ttl(e, XDPING_TTL);
}

#endif
