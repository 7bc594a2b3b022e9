// SPDX-License-Identifier: GPL-2.0
/*
 * srclog_filter: srcfilter and srclog in one pass, for an interface that
 * needs both (plain iproute2 attaches one XDP program per interface).
 * Every source is counted, dropped ones too, and the live log says which
 * frames were dropped. The program is xdp/source.h's, with both features.
 */
#define SOURCE_LOG	1
#define SOURCE_FILTER	1
#include "source.h"

SEC("xdp")
int srclog_filter(struct xdp_md *ctx)
{
	return source_main(ctx);
}

char _license[] SEC("license") = "GPL";
