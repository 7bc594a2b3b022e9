/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Header parsing shared by the xdpkit objects: one parse_<header>() per
 * header, each advancing a cursor past a header it has bounds checked.
 * Multi-byte header fields stay in network byte order (maps/layout.h
 * states the rule for the whole project).
 */
#ifndef XDPKIT_PARSING_H
#define XDPKIT_PARSING_H

#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/in.h>
#include <linux/in6.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "proto.h"

#define VLAN_MAX_DEPTH	2
#define IP_MF		0x2000
#define IP_OFFSET	0x1fff

struct cursor {
	void *pos;
	void *end;
};

struct vlan_tag {
	__be16 tci;
	__be16 proto;
};

static __always_inline int proto_is_vlan(__be16 proto)
{
	return proto == bpf_htons(ETH_P_8021Q) || proto == bpf_htons(ETH_P_8021AD);
}

/*
 * Ethernet, then up to VLAN_MAX_DEPTH 802.1Q/802.1ad tags. Returns the
 * EtherType that follows (network order), or -1 if the frame is too short.
 * *tags is set to the number of tags skipped.
 */
static __always_inline int parse_eth(struct cursor *c, struct ethhdr **eth, int *tags)
{
	struct ethhdr *e = c->pos;
	struct vlan_tag *v;
	__be16 proto;
	int i;

	if ((void *)(e + 1) > c->end)
		return -1;
	c->pos = e + 1;
	*eth = e;
	proto = e->h_proto;
	*tags = 0;
#pragma unroll
	for (i = 0; i < VLAN_MAX_DEPTH; i++) {
		if (!proto_is_vlan(proto))
			break;
		v = c->pos;
		if ((void *)(v + 1) > c->end)
			return -1;
		c->pos = v + 1;
		proto = v->proto;
		*tags = i + 1;
	}
	return proto;
}

/* A whole IPv4 header (version 4, IHL 5..15, all of it in the frame):
 * returns 0 with the cursor past it, or -1. Nothing else is looked at. */
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

/* The fixed IPv6 header (version 6): 0 with the cursor past it, or -1. */
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

/* The IP datagram fills the frame: its length is what follows its header
 * start, or less on a minimum-size frame (Ethernet padding). */
static __always_inline int ip_len_ok(__u32 len, void *start, void *frame, void *end, int tags)
{
	__u32 avail = end - start, flen = end - frame;

	if (len > avail)
		return 0;
	return len == avail || flen <= ETH_ZLEN + tags * sizeof(struct vlan_tag);
}

/*
 * IPv4 header with options. Returns the protocol, or -1 when the frame
 * cannot be trusted as a whole datagram: bad version or IHL, truncated,
 * a fragment, or a total length that disagrees with the frame.
 */
static __always_inline int parse_ipv4(struct cursor *c, void *frame, int tags,
				      struct iphdr **iph)
{
	struct iphdr *ip;
	__u32 tot;

	if (parse_ipv4_header(c, &ip))
		return -1;
	if (ip->frag_off & bpf_htons(IP_MF | IP_OFFSET))
		return -1;
	tot = bpf_ntohs(ip->tot_len);
	if (tot < ip->ihl * 4u || !ip_len_ok(tot, ip, frame, c->end, tags))
		return -1;
	*iph = ip;
	return ip->protocol;
}

/*
 * IPv6 header followed directly by next_hdr. Returns next_hdr, or -1 when
 * the frame cannot be trusted as a whole datagram: bad version, truncated,
 * or a payload length that disagrees with the frame. Extension headers are
 * not walked: a frame with any is the stack's.
 */
static __always_inline int parse_ipv6(struct cursor *c, void *frame, int tags,
				      struct ipv6hdr **ip6h)
{
	struct ipv6hdr *ip6;

	if (parse_ipv6_header(c, &ip6))
		return -1;
	if (!ip_len_ok(bpf_ntohs(ip6->payload_len), c->pos, frame, c->end, tags))
		return -1;
	*ip6h = ip6;
	return ip6->nexthdr;
}

/*
 * An ICMP or ICMPv6 echo header (the two share one layout: type, code,
 * checksum, identifier, sequence); returns its type, or -1 when it is not
 * all there or its code is not 0.
 */
static __always_inline int parse_icmp_echo(struct cursor *c, struct echohdr **icmp)
{
	struct echohdr *h = c->pos;

	if ((void *)(h + 1) > c->end)
		return -1;
	if (h->code != 0)
		return -1;
	c->pos = h + 1;
	*icmp = h;
	return h->type;
}

#endif
