// SPDX-License-Identifier: GPL-2.0
/*
 * srcfilter: drops (XDP_DROP) the frames whose IPv4 or IPv6 source
 * matches a drop rule of their interface, counts the frames of count
 * rules, and passes everything else; an allow rule beats every drop rule.
 * Loaded with no rules it passes everything. The program is
 * xdp/source.h's, built with the filter only.
 */
#define SOURCE_LOG	0
#define SOURCE_FILTER	1
#include "source.h"

SEC("xdp")
int srcfilter(struct xdp_md *ctx)
{
	return source_main(ctx);
}

char _license[] SEC("license") = "GPL";
