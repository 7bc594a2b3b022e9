/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The maps of one xdping_server attachment. They are not pinned: every
 * `ip link set ... obj xdp/xdping_server.o` creates its own, so what they
 * hold belongs to that attachment (its interface, its network namespace)
 * and goes away with it. scripts/xdping-server.sh fills them after the
 * attach, by map id (scripts/lib/xdping-srvmap prints the `bpftool
 * batch` commands); until then they are
 * all zero and the object answers nothing (every frame passes).
 * Byte order: maps/layout.h.
 */
#ifndef XDPKIT_MAPS_XDPING_SERVER_H
#define XDPKIT_MAPS_XDPING_SERVER_H

#include <linux/types.h>
#include "layout.h"

#define XDPING_SERVER_ADDRS	1024	/* addresses of this host, per family */
#define XDPING_SERVER_VLANS	4096	/* one per 802.1Q VID */
#define XDPING_SERVER_ALLOWED	1024	/* allowed-source prefixes, per family */

/* xdping_srvconf: ARRAY, 1 entry, key __u32 0. */
struct xdping_server_config {
	__u8 ttl;		/* IPv4 replies: net.ipv4.ip_default_ttl; 0: not set up, answer nothing */
	__u8 hop_limit;		/* IPv6 replies: net.ipv6.conf.IFACE.hop_limit; 0: answer no IPv6 */
	__u8 allow4;		/* 1: answer only sources in xdping_allow4 */
	__u8 allow6;		/* 1: answer only sources in xdping_allow6 */
	__u32 lo_fwd;		/* bit 0/1: the script set net.ipv4/ipv6.conf.lo.forwarding (restored by stop) */
};
MAPS_SIZE(xdping_server_config, 8);
MAPS_AT(xdping_server_config, hop_limit, 1);
MAPS_AT(xdping_server_config, allow4, 2);
MAPS_AT(xdping_server_config, allow6, 3);
MAPS_AT(xdping_server_config, lo_fwd, 4);

/* xdping_addr4 / xdping_addr6: HASH, an address this host answers for. */
struct xdping_addr4 {
	__u8 addr[4];
};
MAPS_SIZE(xdping_addr4, 4);

struct xdping_addr6 {
	__u8 addr[16];
};
MAPS_SIZE(xdping_addr6, 16);

struct xdping_addr_owner {
	__u32 ifindex;		/* the device that holds the address (for the reader only) */
};
MAPS_SIZE(xdping_addr_owner, 4);

/* xdping_vlans: HASH, VLAN id of a tagged request -> the VLAN device on IFACE. */
struct xdping_vlan {
	__u32 vid;		/* 0..4095, host order */
};
MAPS_SIZE(xdping_vlan, 4);

struct xdping_vlan_dev {
	__u32 ifindex;
};
MAPS_SIZE(xdping_vlan_dev, 4);

/* xdping_allow4 / xdping_allow6: LPM_TRIE, sources allowed an answer. */
struct xdping_prefix4 {
	__u32 prefixlen;	/* host order, as the LPM trie wants it */
	__u8 addr[4];
};
MAPS_SIZE(xdping_prefix4, 8);
MAPS_AT(xdping_prefix4, addr, 4);

struct xdping_prefix6 {
	__u32 prefixlen;
	__u8 addr[16];
};
MAPS_SIZE(xdping_prefix6, 20);
MAPS_AT(xdping_prefix6, addr, 4);

struct xdping_allowed {
	__u32 on;		/* 1 */
};
MAPS_SIZE(xdping_allowed, 4);

#ifdef __bpf__
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct xdping_server_config);
} xdping_srvconf SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, XDPING_SERVER_ADDRS);
	__type(key, struct xdping_addr4);
	__type(value, struct xdping_addr_owner);
} xdping_addr4 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, XDPING_SERVER_ADDRS);
	__type(key, struct xdping_addr6);
	__type(value, struct xdping_addr_owner);
} xdping_addr6 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, XDPING_SERVER_VLANS);
	__type(key, struct xdping_vlan);
	__type(value, struct xdping_vlan_dev);
} xdping_vlans SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, XDPING_SERVER_ALLOWED);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct xdping_prefix4);
	__type(value, struct xdping_allowed);
} xdping_allow4 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, XDPING_SERVER_ALLOWED);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct xdping_prefix6);
	__type(value, struct xdping_allowed);
} xdping_allow6 SEC(".maps");
#endif

#endif
