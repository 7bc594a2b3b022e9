/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The few protocol definitions the objects need that the kernel's UAPI
 * headers would only give together with glibc's: <linux/icmp.h> and
 * <linux/icmpv6.h> include <linux/if.h>, which includes <sys/socket.h>,
 * and under -target bpf glibc then wants gnu/stubs-32.h (libc6-dev-i386,
 * amd64 only). No BPF source of ours may reach a glibc header; the lint
 * test `bpf sources read only UAPI and libbpf headers` keeps it so.
 */
#ifndef XDPKIT_PROTO_H
#define XDPKIT_PROTO_H

#include <linux/types.h>

/* ICMP (RFC 792) and ICMPv6 (RFC 4443) echo types. */
#define ICMP_ECHOREPLY		0
#define ICMP_ECHO		8
#define ICMPV6_ECHO_REQUEST	128
#define ICMPV6_ECHO_REPLY	129

/* An ICMP or ICMPv6 echo header: the two share this layout. */
struct echohdr {
	__u8 type;
	__u8 code;
	__sum16 checksum;
	__be16 id;
	__be16 seq;
};

#endif
