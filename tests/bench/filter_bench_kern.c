// SPDX-License-Identifier: GPL-2.0
/*
 * The limit srcfilter is measured against (`make bench`, family 6,
 * BENCHMARKS.md): Ethernet (and its tags) and the IPv4 or IPv6 header
 * parsed exactly as xdp/srcfilter.o parses them, then ONE lookup of the
 * source in an LPM trie of srcfilter's own layout (maps/srcfilter_rules.h),
 * and nothing else: no statistics, no allow trie, no per-rule counters,
 * no clock. A hit is dropped, anything else passes. Each family's lookup
 * is a direct call of the trie's own (lookup_here): the limit is the
 * best a program can do.
 *
 * The bench gives this object the very tries of the srcfilter.o it is
 * compared with (bpf_map__reuse_fd before the load), so both look up the
 * same prefixes.
 */
#include "../../xdp/parsing.h"
#include "../../xdp/lookup.h"
#include "../../maps/srcfilter_rules.h"

SEC("xdp")
int bare_filter(struct xdp_md *ctx)
{
	struct cursor c = { .pos = (void *)(long)ctx->data, .end = (void *)(long)ctx->data_end };
	struct ipv6hdr *ip6;
	struct ethhdr *eth;
	struct iphdr *ip;
	int proto, tags;
	void *hit;

	proto = parse_eth(&c, &eth, &tags);
	if (proto == bpf_htons(ETH_P_IP)) {
		struct srcfilter_key4 k = {
			.prefixlen = SRCFILTER_IFINDEX_BITS + 32,
			.ifindex = ctx->ingress_ifindex,
		};

		if (parse_ipv4_header(&c, &ip))
			return XDP_PASS;
		__builtin_memcpy(k.addr, &ip->saddr, sizeof(k.addr));
		hit = lookup_here(&srcfilter_rules4, &k);
	} else if (proto == bpf_htons(ETH_P_IPV6)) {
		struct srcfilter_key6 k = {
			.prefixlen = SRCFILTER_IFINDEX_BITS + 128,
			.ifindex = ctx->ingress_ifindex,
		};

		if (parse_ipv6_header(&c, &ip6))
			return XDP_PASS;
		__builtin_memcpy(k.addr, &ip6->saddr, sizeof(k.addr));
		hit = lookup_here(&srcfilter_rules6, &k);
	} else {
		return XDP_PASS;
	}
	return hit ? XDP_DROP : XDP_PASS;
}

char _license[] SEC("license") = "GPL";
