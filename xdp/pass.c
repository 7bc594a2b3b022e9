// SPDX-License-Identifier: GPL-2.0
/*
 * pass: every frame to the stack. Attached to the peer of a veth, it lets
 * the other end's XDP_TX frames through in native mode (a veth drops them
 * unless its peer has an XDP program); it is also the benchmarks' floor.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int xdp_pass(struct xdp_md *ctx)
{
	(void)ctx;
	return XDP_PASS;
}

char _license[] SEC("license") = "GPL";
