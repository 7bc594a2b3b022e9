// SPDX-License-Identifier: GPL-2.0
/*
 * srclog: counts every frame's IPv4 or IPv6 source address in
 * srclog_sources and, when srclog_config asks for it, puts it in the live
 * log srclog_events. Other frames are counted by EtherType class in
 * srclog_stats. Nothing is ever modified or dropped: every path is
 * XDP_PASS. The program is xdp/source.h's, built with the log only.
 */
#define SOURCE_LOG	1
#define SOURCE_FILTER	0
#include "source.h"

SEC("xdp")
int srclog(struct xdp_md *ctx)
{
	return source_main(ctx);
}

char _license[] SEC("license") = "GPL";
