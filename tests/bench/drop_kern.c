// SPDX-License-Identifier: GPL-2.0
/*
 * The fastest drop there is (`make bench`, family 6): every frame gets
 * XDP_DROP, nothing is read. srcfilter's drop rate is measured against it.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int bare_drop(struct xdp_md *ctx)
{
	(void)ctx;
	return XDP_DROP;
}

char _license[] SEC("license") = "GPL";
