// SPDX-License-Identifier: GPL-2.0
/*
 * Never loaded: its BTF names struct srclog_event, for tests/maps_readme.bats.
 * The objects carry the structs of their maps' keys and values in their
 * BTF, but a ring buffer has no value type, so srclog.o's record appears
 * in none of them. This function's argument puts it in one.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "../../maps/srclog_events.h"

__u32 maps_btf_srclog_event(const struct srclog_event *e)
{
	return e->action;
}
