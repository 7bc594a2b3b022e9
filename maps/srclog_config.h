/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Pinned map srclog_config: whether srclog puts frames in the live log.
 * Written by scripts/lib/srclog-map log (libbpf; by hand, bpftool map
 * update); read by xdp/srclog.o on every frame. Layout: maps/README.md;
 * byte order: maps/layout.h.
 */
#ifndef XDPKIT_MAPS_SRCLOG_CONFIG_H
#define XDPKIT_MAPS_SRCLOG_CONFIG_H

#include <linux/types.h>
#include "layout.h"

struct srclog_config {
	/*
	 * 0: no live log (the all-zero map a fresh load starts with);
	 * 1: every frame with a source; N: one in N of them, counted per CPU.
	 * Sources are counted in srclog_sources whatever the value.
	 */
	__u32 log_every;
	__u32 pad;		/* zero */
};
MAPS_SIZE(srclog_config, 8);
MAPS_AT(srclog_config, pad, 4);

#ifdef __bpf__
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct srclog_config);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} srclog_config SEC(".maps");
#endif

#endif
