/* SPDX-License-Identifier: GPL-2.0 */
/* What xdping_client and xdping_server share. */
#ifndef XDPKIT_XDPING_H
#define XDPKIT_XDPING_H

#include "xdping_echo.h"
#include "../maps/xdping_stats.h"

static __always_inline struct xdping_stats *xdping_stats_of(__u32 role)
{
	return bpf_map_lookup_elem(&xdping_stats, &role);
}

/* The frame goes to the stack untouched, counted. */
static __always_inline int pass(struct xdping_stats *st)
{
	st->passed++;
	return XDP_PASS;
}

/* The rewritten frame goes back out, counted. */
static __always_inline int answer(struct xdping_stats *st)
{
	st->answered++;
	return XDP_TX;
}

#endif
