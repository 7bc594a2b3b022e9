// SPDX-License-Identifier: GPL-2.0
/*
 * Test object, never installed: answers every unicast-MAC echo request
 * (IPv4 or IPv6, any tags, any addresses) with XDP_TX, tags kept, TTL 64.
 * That is what xdping_server did before it learned to answer only what the
 * host would: here it stands in for a far host whose VLAN devices this
 * kernel (no 802.1Q) cannot make, so the client's handling of tagged
 * replies can still be tested over a veth pair.
 */
#include "../../xdp/xdping_echo.h"

SEC("xdp")
int echo_any(struct xdp_md *ctx)
{
	struct echo e;
	int type = parse_echo(ctx, &e);
	__u16 old;

	if (type != (e.family == 4 ? ICMP_ECHO : ICMPV6_ECHO_REQUEST) || e.eth->h_dest[0] & 1)
		return XDP_PASS;
	echo_turn(&e);
	old = word_at(&e.icmp->type);
	e.icmp->type = e.family == 4 ? ICMP_ECHOREPLY : ICMPV6_ECHO_REPLY;
	csum_replace2(&e.icmp->checksum, old, word_at(&e.icmp->type));
	return XDP_TX;
}

char _license[] SEC("license") = "GPL";
