// SPDX-License-Identifier: GPL-2.0
/* xdping_server: answers IPv4 ICMP echo requests with XDP_TX. */
#include "xdping.h"

static __always_inline int is_unicast4(__be32 addr)
{
	__u8 first = bpf_ntohl(addr) >> 24;

	return first < 224 && addr != 0;
}

SEC("xdp")
int xdping_server(struct xdp_md *ctx)
{
	struct xdping_stats *st = xdping_stats_of(XDPING_ROLE_SERVER);
	struct echo4 e;

	if (!st)
		return XDP_PASS;
	/* Broadcast and multicast echoes are the stack's: it knows which
	 * address to answer from, if any. */
	if (parse_echo4(ctx, &e) != ICMP_ECHO || (e.eth->h_dest[0] & 1) ||
	    !is_unicast4(e.ip->daddr) || !is_unicast4(e.ip->saddr)) {
		st->passed++;
		return XDP_PASS;
	}
	echo4_turn(&e, ICMP_ECHOREPLY);
	st->answered++;
	return XDP_TX;
}

char _license[] SEC("license") = "GPL";
