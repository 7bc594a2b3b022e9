// SPDX-License-Identifier: GPL-2.0
/*
 * xdping_server: answers in XDP the ICMP and ICMPv6 echo requests the
 * host's own stack would answer, with the reply the stack would send, out
 * of the interface it would use (XDP_TX). Everything else, and everything
 * it cannot be sure of, goes to the stack (XDP_PASS), which then answers
 * or not by its own rules. Passing is always safe; a wrong answer never is.
 *
 * A request is answered only when all of these hold:
 *  - xdping-server.sh has set it up (xdping_srvconf.ttl != 0): a plain
 *    `ip link ... obj` load answers nothing until `xdping-server.sh start`;
 *  - untagged, or one 802.1Q tag whose VID has a VLAN device on this
 *    interface (xdping_vlans), priority bits 0;
 *  - IPv4 without options, IPv6 without extension headers, neither
 *    link-local nor martian addresses, checksums that verify;
 *  - the destination is one of the host's addresses (xdping_addr4/6) and
 *    the kernel's FIB still says it is not a unicast route (it is local);
 *  - the source is allowed (xdping_allow4/6, when in force);
 *  - the kernel's FIB, asked the way the stack asks for its own reply,
 *    sends the reply back out of the interface (or VLAN device) the
 *    request came in on, from the MAC the request was sent to, to the MAC
 *    it came from (the neighbour entry of the next hop).
 */
#include "xdping.h"
#include "../maps/xdping_server.h"

#define FAMILY_INET		2	/* AF_INET, AF_INET6: <sys/socket.h> is glibc's */
#define FAMILY_INET6		10
#define LOOPBACK_IFINDEX	1	/* lo, in every network namespace */
#define VLAN_VID_MASK		0x0fff
/* Longest ICMP message whose checksum is verified here (a 1500-byte MTU's
 * worth); a longer one goes to the stack: the verifier walks the loop once
 * per word, and a jumbo frame's worth does not fit its budget. */
#define CSUM_MAX_LEN		1500

static __always_inline int mac_eq(const __u8 *a, const __u8 *b)
{
	return word_at(a) == word_at(b) && word_at(a + 2) == word_at(b + 2) &&
	       word_at(a + 4) == word_at(b + 4);
}

static __always_inline __u16 fold64(__u64 s)
{
	s = (s & 0xffffffff) + (s >> 32);
	s = (s & 0xffffffff) + (s >> 32);
	s = (s & 0xffff) + (s >> 16);
	s = (s & 0xffff) + (s >> 16);
	return s;
}

/*
 * One's complement sum of len bytes at p, read as 64-bit words in memory
 * order and added up in 32-bit halves (RFC 1071: byte order does not
 * matter as long as it is the same throughout; BPF runs little-endian
 * here, x86-64 and arm64). Returns 0 when the bytes are not all in the
 * frame, else the sum + 1 (so a real sum is never taken for that 0).
 */
static __always_inline __u64 sum_bytes(__u8 *p, void *end, __u32 len)
{
	__u32 i, words = len / 8, r = len & 7;
	__u64 sum = 0, w, tail = 0;

	for (i = 0; i < CSUM_MAX_LEN / 8; i++) {
		if (i >= words)
			break;
		/* Keeps clang from rewriting the bound as arithmetic on the
		 * frame's end, which the verifier refuses. */
		asm volatile("" : "+r"(end));
		if ((void *)(p + 8) > end)
			return 0;
		w = *(__u64 *)p;
		sum += (w & 0xffffffff) + (w >> 32);
		p += 8;
	}
	asm volatile("" : "+r"(end));
	/* The last 1..7 bytes, zero-padded (RFC 1071). */
	if (r >= 4) {
		if ((void *)(p + 4) > end)
			return 0;
		sum += *(__u32 *)p;
		p += 4;
		r -= 4;
	}
	asm volatile("" : "+r"(end));
	if (r >= 2) {
		if ((void *)(p + 2) > end)
			return 0;
		tail = *(__u16 *)p;
		p += 2;
	}
	asm volatile("" : "+r"(end));
	if (r & 1) {
		if ((void *)(p + 1) > end)
			return 0;
		tail |= (__u32)*p << (r & 2 ? 16 : 0);
	}
	return sum + tail + 1;
}

/* The IPv4 header (IHL 5) and the ICMP message verify. */
static __always_inline int csums_ok4(struct echo *e, void *end)
{
	__u64 s;

	if (fold64(sum_bytes((__u8 *)e->ip, end, sizeof(struct iphdr)) - 1) != 0xffff)
		return 0;
	if (e->icmp_len > CSUM_MAX_LEN)
		return 0;
	s = sum_bytes((__u8 *)e->icmp, end, e->icmp_len);
	return s && fold64(s - 1) == 0xffff;
}

/* The ICMPv6 message verifies, with its pseudo-header. */
static __always_inline int csums_ok6(struct echo *e, void *end)
{
	__u64 s;

	if (e->icmp_len > CSUM_MAX_LEN)
		return 0;
	s = sum_bytes((__u8 *)e->icmp, end, e->icmp_len);
	if (!s)
		return 0;
	s += sum_bytes((__u8 *)&e->ip6->saddr, end, 32) - 2;
	/* Apart: two 32-bit words can carry out of 32 bits. */
	s += (__u64)bpf_htonl(e->icmp_len) + bpf_htonl(IPPROTO_ICMPV6);
	return fold64(s) == 0xffff;
}

/* Sources the stack drops as martians before any route lookup. */
static __always_inline int martian4(__be32 a)
{
	__u8 first = bpf_ntohl(a) >> 24;

	return first == 0 || first == 127 || first >= 224;
}

/* ::/128 (and all of ::/96), ::1, ff00::/8, fe80::/10, ::ffff:0:0/96. */
static __always_inline int unusable6(const struct in6_addr *a)
{
	__u32 w0 = bpf_ntohl(a->s6_addr32[0]);

	if (a->s6_addr[0] == 0xff || (w0 >> 22) == (0xfe80 >> 6))
		return 1;
	if (w0 || a->s6_addr32[1])
		return 0;
	return !a->s6_addr32[2] || a->s6_addr32[2] == bpf_htonl(0xffff);
}

/*
 * The kernel's FIB asked about the reply: from the request's destination
 * to its source, as the stack looks up a route for a packet of its own
 * (input interface lo, no output interface given). Returns the lookup's
 * result, with f filled in.
 */
static __always_inline int fib_reply(struct xdp_md *ctx, struct echo *e, struct bpf_fib_lookup *f,
				     int to_dst)
{
	f->ifindex = LOOPBACK_IFINDEX;
	f->l4_protocol = e->family == 4 ? IPPROTO_ICMP : IPPROTO_ICMPV6;
	if (e->family == 4) {
		f->family = FAMILY_INET;
		f->tos = e->ip->tos;
		f->tot_len = bpf_ntohs(e->ip->tot_len);
		f->ipv4_src = to_dst ? e->ip->saddr : e->ip->daddr;
		f->ipv4_dst = to_dst ? e->ip->daddr : e->ip->saddr;
	} else {
		f->family = FAMILY_INET6;
		f->tot_len = sizeof(struct ipv6hdr) + e->icmp_len;
		__builtin_memcpy(f->ipv6_src, to_dst ? &e->ip6->saddr : &e->ip6->daddr, 16);
		__builtin_memcpy(f->ipv6_dst, to_dst ? &e->ip6->daddr : &e->ip6->saddr, 16);
	}
	return bpf_fib_lookup(ctx, f, sizeof(*f), 0);
}

/* Would the stack answer e itself, out of dev? See the list at the top. */
static __always_inline int stack_would_answer(struct xdp_md *ctx, struct echo *e,
					      const struct xdping_server_config *cf, __u32 dev)
{
	void *end = (void *)(long)ctx->data_end;
	struct bpf_fib_lookup f = {};

	if (e->family == 4) {
		struct xdping_prefix4 p = { .prefixlen = 32 };
		struct xdping_addr4 a;

		if (e->ip->ihl != 5 || martian4(e->ip->saddr))
			return 0;
		__builtin_memcpy(a.addr, &e->ip->daddr, 4);
		if (!bpf_map_lookup_elem(&xdping_addr4, &a))
			return 0;
		__builtin_memcpy(p.addr, &e->ip->saddr, 4);
		if (cf->allow4 && !bpf_map_lookup_elem(&xdping_allow4, &p))
			return 0;
		if (!csums_ok4(e, end))
			return 0;
	} else {
		struct xdping_prefix6 p = { .prefixlen = 128 };
		struct xdping_addr6 a;

		if (!cf->hop_limit || unusable6(&e->ip6->saddr) || unusable6(&e->ip6->daddr))
			return 0;
		__builtin_memcpy(a.addr, &e->ip6->daddr, 16);
		if (!bpf_map_lookup_elem(&xdping_addr6, &a))
			return 0;
		__builtin_memcpy(p.addr, &e->ip6->saddr, 16);
		if (cf->allow6 && !bpf_map_lookup_elem(&xdping_allow6, &p))
			return 0;
		if (!csums_ok6(e, end))
			return 0;
	}
	/* The destination is still local (not since removed and now
	 * somebody else's): local, broadcast and anycast all give NOT_FWDED,
	 * and the address map holds local unicast addresses only. */
	if (fib_reply(ctx, e, &f, 1) != BPF_FIB_LKUP_RET_NOT_FWDED)
		return 0;
	__builtin_memset(&f, 0, sizeof(f));
	/* NO_NEIGH: the stack resolves the neighbour; later requests come here. */
	if (fib_reply(ctx, e, &f, 0) != BPF_FIB_LKUP_RET_SUCCESS || f.ifindex != dev)
		return 0;
	return mac_eq(f.smac, e->eth->h_dest) && mac_eq(f.dmac, e->eth->h_source);
}

/*
 * The device the stack sees the request on: the interface itself when
 * untagged; for one 802.1Q tag, the VLAN device for its VID (0: none,
 * the stack would not take the frame as it is, or would answer untagged).
 */
static __always_inline __u32 ingress_dev(struct xdp_md *ctx, struct ethhdr *eth, __u32 in_if)
{
	struct vlan_tag *v = (void *)(eth + 1);
	struct xdping_vlan_dev *d;
	struct xdping_vlan k;

	if (eth->h_proto == bpf_htons(ETH_P_IP) || eth->h_proto == bpf_htons(ETH_P_IPV6))
		return in_if;
	if (eth->h_proto != bpf_htons(ETH_P_8021Q) ||
	    (void *)(v + 1) > (void *)(long)ctx->data_end || proto_is_vlan(v->proto))
		return 0;
	/* Priority and DEI bits, or VID 0 (priority tag): the stack's reply
	 * would not carry them as they are. */
	k.vid = bpf_ntohs(v->tci);
	if (k.vid & ~VLAN_VID_MASK || !k.vid)
		return 0;
	d = bpf_map_lookup_elem(&xdping_vlans, &k);
	return d ? d->ifindex : 0;
}

SEC("xdp")
int xdping_server(struct xdp_md *ctx)
{
	const struct xdping_server_config *cf;
	struct xdping_stats *st;
	struct echo e;
	__u32 zero = 0, dev, in_if = ctx->ingress_ifindex;
	int type;
	__u16 old;

	/* Untagged IPv4 or IPv6 that is not ICMP (the bulk of any traffic)
	 * passes after two loads; frames that are not echo requests cost a
	 * parse and nothing else. */
	if (other_protocol(ctx))
		return XDP_PASS;
	type = parse_echo(ctx, &e);
	if (type != (e.family == 4 ? ICMP_ECHO : ICMPV6_ECHO_REQUEST))
		return XDP_PASS;
	st = xdping_stats_of(XDPING_ROLE_SERVER);
	cf = bpf_map_lookup_elem(&xdping_srvconf, &zero);
	if (!st || !cf)
		return XDP_PASS;
	dev = ingress_dev(ctx, e.eth, in_if);
	if (!cf->ttl || !dev || !stack_would_answer(ctx, &e, cf, dev))
		return pass(st);
	echo_turn_ttl(&e, e.family == 4 ? cf->ttl : cf->hop_limit);
	/* The stack sends its echo replies with DF clear (its ICMP socket
	 * does no path MTU discovery); the fragment offset is 0 here. */
	if (e.family == 4 && e.ip->frag_off) {
		old = word_at(&e.ip->frag_off);
		e.ip->frag_off = 0;
		csum_replace2(&e.ip->check, old, 0);
	}
	old = word_at(&e.icmp->type);
	e.icmp->type = e.family == 4 ? ICMP_ECHOREPLY : ICMPV6_ECHO_REPLY;
	csum_replace2(&e.icmp->checksum, old, word_at(&e.icmp->type));
	return answer(st);
}

char _license[] SEC("license") = "GPL";
