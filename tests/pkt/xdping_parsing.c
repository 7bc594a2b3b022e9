// SPDX-License-Identifier: GPL-2.0
/*
 * Frames neither xdping object may take: malformed or partial IPv4 and
 * IPv6, extension headers, wrong lengths, padding, truncations, other
 * protocols. The same corpus is fed to the server (frame_check
 * server_refuse_frame) and to the client (client_refuse_frame, with a run
 * in flight that must stay as it is).
 */
#define _GNU_SOURCE
#include "xdping.h"

/* The run in flight that refused frames must leave alone. */
static struct chain *pending;

/* Frames with an echo inside that is not IPv4 ICMP. */
static void not_ipv4_icmp(const struct echo *base, frame_check refused)
{
	static const uint16_t types[] = { PKT_ETH_P_ARP, PKT_ETH_P_IPV6, 0x8847, 0x88cc,
					  0x9100, 0x05dc, 0x0000, 0xffff };
	struct echo in;
	size_t i;
	unsigned int proto;

	for (i = 0; i < ARRAY_SIZE(types); i++) {
		in = *base;
		in.ethertype = types[i];
		refuse_echo(refused, &in, "EtherType %04x", types[i]);
	}
	for (proto = 0; proto < 256; proto++) {
		if (proto == 1)
			continue;
		in = *base;
		in.ip.proto = proto;
		refuse_echo(refused, &in, "IP protocol %u", proto);
	}
}

void put_arp(struct pkt *p)
{
	static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	size_t off;

	p->len = 0;
	pkt_put_eth(p, bcast, pkt_mac_b, NULL, 0, PKT_ETH_P_ARP);
	off = pkt_put(p, NULL, 28);
	pkt_set16(p->b + off, 1);
	pkt_set16(p->b + off + 2, PKT_ETH_P_IP);
	p->b[off + 4] = 6;
	p->b[off + 5] = 4;
	pkt_set16(p->b + off + 6, 1);
	memcpy(p->b + off + 8, pkt_mac_b, 6);
	pkt_set32(p->b + off + 14, ADDR_B);
	pkt_set32(p->b + off + 24, ADDR_A);
	pkt_put(p, NULL, PKT_ETH_ZLEN - p->len);
}

/*
 * Written out byte by byte, apart from echo_build(): an ICMPv6 echo
 * request (type 128, hop limit 63) from 2001:db8::2 to 2001:db8::1, or
 * (reply) the reply to it: MACs and addresses swapped, type 129, hop
 * limit 64.
 */
static void put_ipv6_echo(struct pkt *p, bool reply)
{
	uint8_t pseudo[40 + 8 + 56];
	size_t ip, icmp, len = 8 + 56;

	p->len = 0;
	if (reply)
		pkt_put_eth(p, pkt_mac_b, pkt_mac_a, NULL, 0, PKT_ETH_P_IPV6);
	else
		pkt_put_eth(p, pkt_mac_a, pkt_mac_b, NULL, 0, PKT_ETH_P_IPV6);
	ip = pkt_put(p, NULL, 40);
	pkt_set32(p->b + ip, 0x60000000);
	pkt_set16(p->b + ip + 4, len);
	p->b[ip + 6] = 58;
	p->b[ip + 7] = reply ? 64 : 63;
	pkt_set32(p->b + ip + 8, 0x20010db8);
	p->b[ip + 23] = reply ? 1 : 2;
	pkt_set32(p->b + ip + 24, 0x20010db8);
	p->b[ip + 39] = reply ? 2 : 1;
	icmp = pkt_put(p, NULL, len);
	p->b[icmp] = reply ? 129 : 128;
	pkt_set16(p->b + icmp + 4, 0x1234);
	pkt_set16(p->b + icmp + 6, 1);
	pkt_fill(p->b + icmp + 8, 56, 6);
	memcpy(pseudo, p->b + ip + 8, 32);
	pkt_set32(pseudo + 32, len);
	pkt_set32(pseudo + 36, 58);
	memcpy(pseudo + 40, p->b + icmp, len);
	pkt_set16(p->b + icmp + 2, ~pkt_sum(pseudo, sizeof(pseudo)) & 0xffff);
}

static void server_refuse_frame(const struct pkt *p, const char *what)
{
	expect_pass(&server, p, what);
}

void server_not_ipv4_icmp(void)
{
	struct echo base = request(&ipv4, 56);
	struct pkt p, want, out;

	not_ipv4_icmp(&base, server_refuse_frame);
	put_arp(&p);
	expect_pass(&server, &p, "ARP request");
	put_ipv6_echo(&p, false);
	put_ipv6_echo(&want, true);
	/* hand-written: 2001:db8::2 -> ::1, its reply's hop limit 64 */
	srv_config(SRV_TTL, 64, 0, 0);
	expect_frame(&server, srv_if, &p, XDP_TX, &want, &out, "ICMPv6 echo request");
	srv_config(SRV_TTL, SRV_HOP, 0, 0);
	tap_end("server: ARP, other EtherTypes (0x86dd over an IPv4 header included), UDP/TCP/any "
		"IP protocol but ICMP -> XDP_PASS untouched; a hand-written ICMPv6 echo request "
		"-> its hand-written reply (XDP_TX)");
}

/*
 * An IPv4 header of IHL 4 (16 bytes, up to the source address) and then
 * the echo: taken for a header, IHL 4 would put the echo right after it.
 */
static void build_ihl4(const struct echo *e, struct pkt *p)
{
	size_t l3 = echo_l3(e), l4 = echo_l4(e);
	struct pkt full;

	echo_build(e, &full);
	p->len = 0;
	pkt_put(p, full.b, l3 + 16);
	pkt_put(p, full.b + l4, full.len - l4);
	p->b[l3] = 0x44;
	pkt_set16(p->b + l3 + 2, 16 + 8 + e->plen);
	pkt_csum_set(p->b + l3, 16, 10);
}

/* Malformed or partial IPv4 around a good echo. */
static void bad_ipv4(const struct echo *base, frame_check refused)
{
	static const uint16_t frags[] = { PKT_IP_MF, PKT_IP_MF | PKT_IP_DF, 1, 0x1fff,
					  PKT_IP_MF | 185, PKT_IP_DF | 1 };
	static const int longer[] = { 1, 2, 1000 };
	size_t l3 = echo_l3(base), i;
	char what[64];
	struct echo in;
	struct pkt p;
	unsigned int v;

	for (i = 0; i < ARRAY_SIZE(frags); i++) {
		in = *base;
		in.ip.frag = frags[i];
		refuse_echo(refused, &in, "flags/offset %04x", frags[i]);
	}
	for (i = 0; i < ARRAY_SIZE(longer); i++) {
		in = *base;
		in.ip.tot_len_adj = longer[i];
		refuse_echo(refused, &in, "total length %d over the frame", longer[i]);
	}
	build_ihl4(base, &p);
	refused(&p, "IHL 4, echo after 16 bytes");
	for (v = 0; v < 256; v++) {
		if (v >> 4 == 4 && (v & 15) >= 4)
			continue;
		echo_build(base, &p);
		p.b[l3] = v;	/* version and IHL, then the header checksum made right again */
		pkt_csum_set(p.b + l3, 20, 10);
		snprintf(what, sizeof(what), "version %u, IHL %u", v >> 4, v & 15);
		refused(&p, what);
	}
}

/* An extension header of len bytes (a multiple of 8) before the ICMPv6 header. */
void ext_header(struct echo *e, uint8_t type, size_t len)
{
	e->ip6.next = type;
	e->ext_len = len;
	memset(e->ext, 0, len);
	e->ext[0] = NEXT_ICMPV6;
	e->ext[1] = len / 8 - 1;
}

/* Pad1/PadN options filling an options header from byte 2 on. */
void ext_padn(struct echo *e)
{
	e->ext[2] = 1;
	e->ext[3] = e->ext_len - 4;
}

/* Extension headers between the IPv6 header and a good ICMPv6 echo. */
static void ipv6_ext_headers(const struct echo *base, frame_check refused)
{
	static const uint16_t frag[] = { 0x0000, 0x0001, 0x0008, 0xfff9 };
	struct echo in;
	size_t i;

	in = *base;
	ext_header(&in, 0, 8);
	ext_padn(&in);
	refuse_echo(refused, &in, "hop-by-hop options (PadN), then ICMPv6");
	in = *base;
	ext_header(&in, 0, 16);
	in.ext[2] = 5;		/* router alert, MLD */
	in.ext[3] = 2;
	in.ext[6] = 1;
	in.ext[7] = 8;
	refuse_echo(refused, &in, "hop-by-hop options (router alert), then ICMPv6");
	in = *base;
	ext_header(&in, 60, 8);
	ext_padn(&in);
	refuse_echo(refused, &in, "destination options, then ICMPv6");
	in = *base;
	ext_header(&in, 43, 24);
	memcpy(in.ext + 8, addr6_a, 16);
	refuse_echo(refused, &in, "routing header (segments left 0), then ICMPv6");
	for (i = 0; i < ARRAY_SIZE(frag); i++) {
		in = *base;
		ext_header(&in, 44, 8);
		in.ext[1] = 0;
		pkt_set16(in.ext + 2, frag[i]);
		pkt_set32(in.ext + 4, 0xc0ffee00 + i);
		refuse_echo(refused, &in, "fragment header (offset/M %04x), then ICMPv6", frag[i]);
	}
	in = *base;
	ext_header(&in, 51, 16);
	in.ext[1] = 16 / 4 - 2;
	pkt_set32(in.ext + 4, 0x100);
	refuse_echo(refused, &in, "authentication header, then ICMPv6");
	in = *base;
	ext_header(&in, 0, 8);
	ext_padn(&in);
	in.ext[0] = 60;
	refuse_echo(refused, &in, "hop-by-hop options, then the echo as if it were options");
}

/* Payload lengths that disagree with the frame, trailing bytes. */
static void ipv6_bad_lengths(const struct echo *base, frame_check refused)
{
	static const int longer[] = { 1, 2, 7, 8, 1000 };
	size_t i, min = PKT_ETH_ZLEN + 4 * base->ntags;
	char what[80];
	struct echo in;
	struct pkt p;
	int adj;

	for (i = 0; i < ARRAY_SIZE(longer); i++) {
		in = *base;
		in.ip6.plen_adj = longer[i];
		refuse_echo(refused, &in, "payload length %d over the frame", longer[i]);
	}
	for (adj = -1; adj >= -(8 + base->plen); adj--) {
		in = *base;
		in.ip6.plen_adj = adj;
		refuse_echo(refused, &in, "payload length %d, %zu-byte frame", 8 + base->plen + adj,
			    echo_l4(base) + 8 + base->plen);
	}
	for (i = 0; i < 3; i++) {
		in = *base;
		in.pad = i == 2 ? 100 : i + 1;
		refuse_echo(refused, &in, "%u trailing bytes", in.pad);
	}
	/* A minimum-size frame with the ICMPv6 header cut short by it. */
	for (adj = -8; adj < 0; adj++) {
		in = *base;
		in.plen = 0;
		in.ip6.plen_adj = adj;
		echo_build(&in, &p);
		p.len = min;
		snprintf(what, sizeof(what), "payload length %d, %zu-byte frame", 8 + adj, min);
		refused(&p, what);
	}
}

/* Malformed IPv6 around a good ICMPv6 echo, or not a bare IPv6 + ICMPv6 datagram. */
static void bad_ipv6(const struct echo *base, frame_check refused)
{
	static const uint16_t types[] = { PKT_ETH_P_IP, 0x86dc, 0x86de, 0xdd86, 0x88dd, 0x8100 };
	size_t l3 = echo_l3(base), i;
	char what[80];
	struct echo in;
	struct pkt p;
	unsigned int v;

	for (v = 0; v < 256; v++) {
		if (v == NEXT_ICMPV6)
			continue;
		in = *base;
		in.ip6.next = v;
		refuse_echo(refused, &in, "next header %u, ICMPv6 right behind", v);
	}
	ipv6_ext_headers(base, refused);
	ipv6_bad_lengths(base, refused);
	for (v = 0; v < 16; v++) {
		if (v == 6)
			continue;
		echo_build(base, &p);
		p.b[l3] = (p.b[l3] & 0x0f) | v << 4;
		snprintf(what, sizeof(what), "IP version %u under EtherType 86dd", v);
		refused(&p, what);
	}
	for (i = 0; i < ARRAY_SIZE(types); i++) {
		in = *base;
		in.ethertype = types[i];
		refuse_echo(refused, &in, "IPv6 under EtherType %04x", types[i]);
	}
}

/* base (an echo frame that would be taken) made malformed or not a bare IP + ICMP datagram. */
static void bad_ip(const struct echo *base, frame_check refused)
{
	if (base->v6) {
		bad_ipv6(base, refused);
	} else {
		bad_ipv4(base, refused);
		not_ipv4_icmp(base, refused);
	}
}

void server_bad(const struct fam *f, const char *desc)
{
	struct echo base = request(f, 56);

	bad_ip(&base, server_refuse_frame);
	set_tags(&base, pkt_tags_qinq, 2);
	set_ihl(&base, 7);
	bad_ip(&base, server_refuse_frame);
	base = request(f, 0);
	set_tags(&base, pkt_tags_1q, 1);
	bad_ip(&base, server_refuse_frame);
	tap_end("%s: %s -> XDP_PASS untouched", f->server, desc);
}

/*
 * Trailing bytes after the IPv4 datagram: Ethernet padding of a minimum-size
 * frame (60 bytes, 4 more per tag) is taken, padding kept; a longer frame
 * with trailing bytes is not. (IPv6 echoes are never that short.)
 */
static void padding(echo_maker make, echo_check taken, echo_check refused)
{
	static const uint16_t extra[] = { 1, 2, 100 };
	char what[64];
	unsigned int plen;
	int ntags;
	size_t i;

	for (ntags = 0; ntags <= 2; ntags++) {
		size_t min = PKT_ETH_ZLEN + 4 * ntags, bare = 42 + 4 * ntags;

		for (plen = 0; bare + plen < min; plen++) {
			struct echo in = make(&ipv4, plen);

			set_tags(&in, pkt_tags_qinq, ntags);
			in.pad = min - bare - plen;
			snprintf(what, sizeof(what), "%d tags, payload %u, %u bytes padding", ntags,
				 plen, in.pad);
			taken(&in, what);
			in.pad++;
			snprintf(what, sizeof(what), "%d tags, %zu-byte frame", ntags, min + 1);
			refused(&in, what);
		}
		for (i = 0; i < ARRAY_SIZE(extra); i++) {
			struct echo in = make(&ipv4, 56);

			set_tags(&in, pkt_tags_qinq, ntags);
			in.pad = extra[i];
			snprintf(what, sizeof(what), "%d tags, payload 56, %u trailing bytes", ntags,
				 in.pad);
			refused(&in, what);
		}
	}
}

/* padding() tags with 802.1ad first: the server leaves those to the stack. */
static void server_answer_untagged(const struct echo *in, const char *what)
{
	if (in->ntags)
		server_refuse(in, what);
	else
		server_answer(in, what);
}

void server_padding(void)
{
	struct echo in = request(&ipv4, 0);
	char what[64];
	int adj;

	padding(request, server_answer_untagged, server_refuse);
	/* ICMP (by the IP length) shorter than its header, the rest padding */
	for (adj = -1; adj >= -28; adj--) {
		in.ip.tot_len_adj = adj;
		in.pad = 60 - 42;
		snprintf(what, sizeof(what), "total length %d", 28 + adj);
		expect_echo_pass(&server, &in, what);
	}
	tap_end("server: minimum-size untagged frame with Ethernet padding answered (padding "
		"kept); other trailing bytes, ICMP under 8 bytes, 802.1ad tags -> XDP_PASS untouched");
}

void server_truncations(const struct fam *f)
{
	struct echo in = request(f, 0);

	echo_truncations(&server, &in);
	truncations(&server, request(f, 56));
	tap_end("%s: a request cut at every length 14..L-1 -> XDP_PASS untouched", f->server);
}

/* echo_build() against put_ipv6_echo(), written out apart from it. */
void server6_builder(void)
{
	struct echo e = echo_from_b(&ipv6, ECHO6_REQUEST, 0x1234, 1, 56);
	struct pkt mine, hand;

	e.ip6.tclass = 0;
	e.ip6.flow = 0;
	e.ip6.hlim = 63;
	memset(e.ip6.saddr + 4, 0, 12);
	e.ip6.saddr[15] = 2;
	memset(e.ip6.daddr + 4, 0, 12);
	e.ip6.daddr[15] = 1;
	e.seed = 6;
	echo_build(&e, &mine);
	put_ipv6_echo(&hand, false);
	same_frame(&mine, &hand, "%s: echo_build() differs from the hand-written frame",
		   "request");
	echo_csums_ok(&e, &hand, "hand-written request");
	turn(&e, ECHO6_REPLY);
	echo_build(&e, &mine);
	put_ipv6_echo(&hand, true);
	same_frame(&mine, &hand, "%s: echo_build() differs from the hand-written frame", "reply");
	echo_csums_ok(&e, &hand, "hand-written reply");
	tap_end("IPv6: the test's ICMPv6 frames (checksum over the pseudo-header) equal "
		"hand-written ones");
}

static void client_refuse(const struct echo *in, const char *what)
{
	struct echo r = *in;

	r.id = ntohs(pending->key.id);
	r.seq = ntohs(pending->v.seq);
	foreign_echo(pending, &r, what);
}

static void client_refuse_frame(const struct pkt *p, const char *what)
{
	foreign_on(pending, lo, p, what);
}

void client_padding(void)
{
	struct echo t = reply(&ipv4, 1, 56);
	struct chain c;

	t.id = CLIENT_ID + 1;	/* the runs client_run2() makes use CLIENT_ID */
	if (chain_midway(&c, &t)) {
		pending = &c;
		padding(reply_seq1, client_run2, client_refuse);
		chain_goes_on(&c, &t);
	}
	tap_end("client: minimum-size frame with Ethernet padding: run goes on (padding kept, "
		"icmp_len without it); other trailing bytes -> XDP_PASS untouched");
}

void client_not_reply(const struct fam *f)
{
	struct echo t = reply(f, 1, 56), r;
	struct chain c;
	char what[64];
	unsigned int v;

	if (!chain_midway(&c, &t))
		goto out;
	for (v = 0; v < 256; v++) {
		if (v == f->reply)
			continue;
		r = chain_reply(&c, &t);
		r.type = v;
		snprintf(what, sizeof(what), "%s type %u", f->icmp, v);
		foreign_echo(&c, &r, what);
	}
	for (v = 1; v < 256; v++) {
		r = chain_reply(&c, &t);
		r.code = v;
		snprintf(what, sizeof(what), "%s code %u", f->icmp, v);
		foreign_echo(&c, &r, what);
	}
	r = chain_reply(&c, &t);
	set_tags(&r, pkt_tags_3, 3);
	foreign_echo(&c, &r, "three VLAN tags");
	chain_goes_on(&c, &t);
out:
	tap_end("%s: matching id/seq/source but an echo request (%u), any other %s type or "
		"code, 3 tags -> XDP_PASS untouched, run unchanged", f->client, f->request,
		f->icmp);
}

void client_malformed(const struct fam *f, const char *desc)
{
	struct echo t = reply(f, 1, 56), r;
	struct chain c;

	if (!chain_midway(&c, &t))
		goto out;
	pending = &c;
	r = chain_reply(&c, &t);
	bad_ip(&r, client_refuse_frame);
	set_tags(&r, pkt_tags_qinq, 2);
	set_ihl(&r, 9);
	bad_ip(&r, client_refuse_frame);
	chain_goes_on(&c, &t);
out:
	tap_end("%s: the awaited reply %s -> XDP_PASS untouched, run unchanged", f->client, desc);
}

void client_truncations(const struct fam *f)
{
	struct echo t = reply(f, 1, 56);
	struct chain c;

	if (!chain_midway(&c, &t))
		goto out;
	truncations(&client, chain_reply(&c, &t));
	run_is(&c.key, &c.v, "after the truncations");
	chain_goes_on(&c, &t);
out:
	tap_end("%s: the awaited reply cut at every length 14..L-1 -> XDP_PASS untouched, run "
		"unchanged, then the whole reply goes on", f->client);
}
