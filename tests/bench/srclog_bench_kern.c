// SPDX-License-Identifier: GPL-2.0
/*
 * The limit srclog is measured against (`make bench`, BENCHMARKS.md):
 * a bare source counter. It parses Ethernet (and its tags) and the IPv4
 * or IPv6 header exactly as xdp/srclog.o does, then does one lookup and
 * add in a map of the same type, key and value as srclog_sources, and
 * nothing else: no statistics, no configuration, no clock, no log.
 *
 * Built twice: as is (per-CPU LRU hash, plain adds) and with
 * -DSRCLOG_SHARED (one LRU hash for all CPUs, atomic adds).
 */
#include "../../xdp/parsing.h"
#include "../../maps/srclog_sources.h"

SEC("xdp")
int bare_count(struct xdp_md *ctx)
{
	struct cursor c = { .pos = (void *)(long)ctx->data, .end = (void *)(long)ctx->data_end };
	__u32 len = c.end - c.pos;
	struct srclog_key key = {};
	struct srclog_source *v;
	struct ipv6hdr *ip6;
	struct ethhdr *eth;
	struct iphdr *ip;
	int proto, tags;

	proto = parse_eth(&c, &eth, &tags);
	if (proto == bpf_htons(ETH_P_IP)) {
		if (parse_ipv4_header(&c, &ip))
			return XDP_PASS;
		key.family = XDPKIT_FAMILY_IPV4;
		__builtin_memcpy(key.addr, &ip->saddr, sizeof(ip->saddr));
	} else if (proto == bpf_htons(ETH_P_IPV6)) {
		if (parse_ipv6_header(&c, &ip6))
			return XDP_PASS;
		key.family = XDPKIT_FAMILY_IPV6;
		__builtin_memcpy(key.addr, &ip6->saddr, sizeof(ip6->saddr));
	} else {
		return XDP_PASS;
	}
	key.ifindex = ctx->ingress_ifindex;
	v = bpf_map_lookup_elem(&srclog_sources, &key);
	if (v) {
#ifdef SRCLOG_SHARED
		__sync_fetch_and_add(&v->packets, 1);
		__sync_fetch_and_add(&v->bytes, len);
#else
		v->packets++;
		v->bytes += len;
#endif
	} else {
		struct srclog_source first = { 1, len, 0, 0 };

		bpf_map_update_elem(&srclog_sources, &key, &first, BPF_ANY);
	}
	return XDP_PASS;
}

char _license[] SEC("license") = "GPL";
