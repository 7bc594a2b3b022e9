/* SPDX-License-Identifier: GPL-2.0 */
/*
 * IP headers on their own, for programs that read the header and not the
 * datagram: unlike parse_ipv4() in parsing.h, fragments, total lengths
 * and trailing bytes are not looked at. Same cursor convention.
 */
#ifndef XDPKIT_PARSE_IP_H
#define XDPKIT_PARSE_IP_H

#include <linux/ipv6.h>
#include "parsing.h"

/* A whole IPv4 header (version 4, IHL 5..15, all of it in the frame); 0 or -1. */
static __always_inline int parse_ipv4_header(struct cursor *c, struct iphdr **iph)
{
	struct iphdr *ip = c->pos;
	__u32 hlen;

	if ((void *)(ip + 1) > c->end)
		return -1;
	if (ip->version != 4 || ip->ihl < 5)
		return -1;
	hlen = ip->ihl * 4;
	/* A variable offset has to be checked against data_end once more. */
	if (c->pos + hlen > c->end)
		return -1;
	c->pos += hlen;
	*iph = ip;
	return 0;
}

/* The fixed IPv6 header (version 6); 0 or -1. Extension headers are not walked. */
static __always_inline int parse_ipv6_header(struct cursor *c, struct ipv6hdr **ip6h)
{
	struct ipv6hdr *ip6 = c->pos;

	if ((void *)(ip6 + 1) > c->end)
		return -1;
	if (ip6->version != 6)
		return -1;
	c->pos = ip6 + 1;
	*ip6h = ip6;
	return 0;
}

#endif
