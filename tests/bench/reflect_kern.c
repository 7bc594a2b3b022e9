// SPDX-License-Identifier: GPL-2.0
/*
 * The bench's bare reflector (never installed, never in xdp/): swaps the
 * Ethernet addresses and sends the frame back (XDP_TX), nothing else. No
 * responder can be faster than this on the same path: `make bench`
 * measures xdping_server's replies per second against it (family 4).
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int reflect(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	struct ethhdr *eth = data;
	__u8 mac[ETH_ALEN];

	if ((void *)(eth + 1) > (void *)(long)ctx->data_end)
		return XDP_PASS;
	__builtin_memcpy(mac, eth->h_source, ETH_ALEN);
	__builtin_memcpy(eth->h_source, eth->h_dest, ETH_ALEN);
	__builtin_memcpy(eth->h_dest, mac, ETH_ALEN);
	return XDP_TX;
}

char _license[] SEC("license") = "GPL";
