// SPDX-License-Identifier: GPL-2.0
/* xdping_server: answers ICMP and ICMPv6 echo requests with XDP_TX. */
#include "xdping.h"

static __always_inline int is_unicast4(__be32 addr)
{
	__u8 first = bpf_ntohl(addr) >> 24;

	return first < 224 && addr != 0;
}

/* Multicast is ff00::/8; :: is no one's address. */
static __always_inline int is_unicast6(const struct in6_addr *a)
{
	return a->s6_addr[0] != 0xff &&
	       (a->s6_addr32[0] | a->s6_addr32[1] | a->s6_addr32[2] | a->s6_addr32[3]);
}

/* Broadcast and multicast echoes are the stack's: it knows which address
 * to answer from, if any. */
static __always_inline int is_unicast_request(const struct echo *e, int type)
{
	if (e->eth->h_dest[0] & 1)
		return 0;
	if (e->family == 4)
		return type == ICMP_ECHO && is_unicast4(e->ip->daddr) &&
		       is_unicast4(e->ip->saddr);
	return type == ICMPV6_ECHO_REQUEST && is_unicast6(&e->ip6->daddr) &&
	       is_unicast6(&e->ip6->saddr);
}

SEC("xdp")
int xdping_server(struct xdp_md *ctx)
{
	struct xdping_stats *st = xdping_stats_of(XDPING_ROLE_SERVER);
	struct echo e;
	int type;
	__u16 old;

	if (!st)
		return XDP_PASS;
	type = parse_echo(ctx, &e);
	if (type < 0 || !is_unicast_request(&e, type)) {
		st->passed++;
		return XDP_PASS;
	}
	echo_turn(&e);
	old = word_at(&e.icmp->type);
	e.icmp->type = e.family == 4 ? ICMP_ECHOREPLY : ICMPV6_ECHO_REPLY;
	csum_replace16(&e.icmp->checksum, old, word_at(&e.icmp->type));
	st->answered++;
	return XDP_TX;
}

char _license[] SEC("license") = "GPL";
