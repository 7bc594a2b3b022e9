// SPDX-License-Identifier: GPL-2.0
/*
 * Test object for the far side of a lab: passes everything but chosen echo
 * requests (IPv4 or IPv6, sequence >= 2), to break an xdping chain.
 *   -DDROP_NTH_SEQ5=N  drop only the Nth request with sequence 5
 *   -DDROP_AFTER=N     pass the first N requests, drop every later one
 * Requests with sequence 1 (probes, chain starts) always pass.
 */
#include "../../xdp/xdping_echo.h"

static __u32 seen;

SEC("xdp")
int drop(struct xdp_md *ctx)
{
	struct echo e;
	int type = parse_echo(ctx, &e);
	__u16 seq;

	if (type != ICMP_ECHO && type != ICMPV6_ECHO_REQUEST)
		return XDP_PASS;
	seq = bpf_ntohs(e.icmp->seq);
#ifdef DROP_NTH_SEQ5
	if (seq == 5 && ++seen == DROP_NTH_SEQ5)
		return XDP_DROP;
#endif
#ifdef DROP_AFTER
	if (seq >= 2 && ++seen > DROP_AFTER)
		return XDP_DROP;
#endif
	return XDP_PASS;
}

char _license[] SEC("license") = "GPL";
