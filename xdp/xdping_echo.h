/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The echo frame as the xdping objects see it: the headers they read and
 * rewrite, parse_echo() to find them, echo_turn*() to send the frame back.
 * No maps: test objects that break or answer xdping chains include this
 * alone (xdping.h adds the counters).
 */
#ifndef XDPKIT_XDPING_ECHO_H
#define XDPKIT_XDPING_ECHO_H

#include "parsing.h"
#include "csum.h"

/* TTL of every frame we send: a bounced frame must not age hop by hop. */
#define XDPING_TTL	64

/* The parts of an echo frame the xdping objects read and rewrite. */
struct echo {
	struct ethhdr *eth;
	struct iphdr *ip;	/* family 4 */
	struct ipv6hdr *ip6;	/* family 6 */
	struct echohdr *icmp;
	__u16 icmp_len;		/* ICMP header + payload */
	/* 4 or 6. The verifier cannot prove a packet pointer non-NULL, so
	 * which header is there is told by a scalar it tracks per path. */
	__u8 family;
};

/* Returns the ICMP type of a whole IPv4 or IPv6 echo frame, or -1. */
static __always_inline int parse_echo(struct xdp_md *ctx, struct echo *e)
{
	void *data = (void *)(long)ctx->data;
	struct cursor c = { .pos = data, .end = (void *)(long)ctx->data_end };
	int proto, tags;

	proto = parse_eth(&c, &e->eth, &tags);
	if (proto == bpf_htons(ETH_P_IP)) {
		e->family = 4;
		if (parse_ipv4(&c, data, tags, &e->ip) != IPPROTO_ICMP)
			return -1;
		e->icmp_len = bpf_ntohs(e->ip->tot_len) - e->ip->ihl * 4;
	} else if (proto == bpf_htons(ETH_P_IPV6)) {
		e->family = 6;
		if (parse_ipv6(&c, data, tags, &e->ip6) != IPPROTO_ICMPV6)
			return -1;
		e->icmp_len = bpf_ntohs(e->ip6->payload_len);
	} else {
		return -1;
	}
	if (e->icmp_len < sizeof(struct echohdr))
		return -1;
	return parse_icmp_echo(&c, &e->icmp);
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
		csum_replace2(&e->ip->check, old, word_at(&e->ip->ttl));
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
