// SPDX-License-Identifier: GPL-2.0
/*
 * Packet tests of xdp/xdping_server.o and xdp/xdping_client.o, ICMP echo
 * over IPv4 and ICMPv6 echo over IPv6: crafted frames through
 * BPF_PROG_TEST_RUN, the verdict and every byte out checked against a
 * frame built here from scratch (ICMPv6 checksums over the pseudo-header),
 * run state and counters checked around them. TAP on stdout. Most tests
 * take the family (struct fam) and run once for each.
 *
 *   xdping_test [DIR]     DIR holds the objects (default: xdp)
 *
 * It moves into a network namespace of its own, where lo is ifindex 1 and
 * a second device (dummy or veth, made with ip(8)) lets the client's
 * ifindex match be tested. Frames are fed with an xdp_md context whose
 * ingress_ifindex is lo's unless said otherwise.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <net/if.h>
#include <sched.h>
#include "pkt.h"
#include "../../maps/xdping_runs.h"
#include "../../maps/xdping_stats.h"
#include "../../maps/xdping_server.h"

#define ECHO_REPLY	0
#define ECHO_REQUEST	8
#define ECHO6_REQUEST	128
#define ECHO6_REPLY	129
#define NEXT_ICMPV6	58
#define XDPING_TTL	64
#define MAX_PAYLOAD	1472	/* 1500 - IPv4 header - ICMP header */
#define MAX_PAYLOAD6	1452	/* 1500 - IPv6 header - ICMPv6 header */
#define CLIENT_ID	0x4a7e
#define NSIZES		9
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

/* "a" runs the program, "b" is its peer. */
static const uint8_t mac_a[6] = { 0x02, 0x11, 0x22, 0x33, 0x44, 0x55 };
static const uint8_t mac_b[6] = { 0x0a, 0xbb, 0xcc, 0xdd, 0xee, 0xf1 };
#define ADDR_A	0xc6120001	/* 198.18.0.1 */
#define ADDR_B	0xc6130702	/* 198.19.7.2 */
/* 2001:db8::1 and 2001:db8:a1:b2c:0:ff:fe12:3402 */
static const uint8_t addr6_a[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 0x01 };
static const uint8_t addr6_b[16] = { 0x20, 0x01, 0x0d, 0xb8, 0x00, 0xa1, 0x0b, 0x2c,
				     0x00, 0x00, 0x00, 0xff, 0xfe, 0x12, 0x34, 0x02 };

struct obj {
	const char *name;
	uint32_t role;		/* index in xdping_stats */
	struct bpf_object *bpf;
	int prog;
	int stats;		/* fd of xdping_stats */
	int runs;		/* fd of xdping_runs (client) */
	uint64_t tx, pass;	/* verdicts seen */
	uint64_t t0, t1;	/* CLOCK_MONOTONIC before and after the latest run */
};

static struct obj server = { .name = "xdping_server", .role = XDPING_ROLE_SERVER,
			     .stats = -1, .runs = -1 };
static struct obj client = { .name = "xdping_client", .role = XDPING_ROLE_CLIENT,
			     .stats = -1, .runs = -1 };
static uint32_t lo;
static uint32_t other_if;	/* a second device, 0 if none could be made */
/* The server's lab (server_lab()): a veth end with a's MAC and addresses,
 * routes and permanent neighbour entries to b, lo forwarding on. */
static uint32_t srv_if;
#define SRV_TTL		61	/* what the server's config says, not 64 */
#define SRV_HOP		62

/* ---- the two families ---- */

struct fam {
	bool v6;
	uint8_t family;			/* XDPING_FAMILY_* */
	uint8_t request, reply;		/* echo types */
	unsigned int addr_len;
	unsigned int max_payload;	/* in a 1500-byte datagram */
	unsigned int max_ihl;		/* IPv6 has no options: 5 */
	const char *icmp, *ttl;		/* names */
	const char *server, *client;	/* what TAP lines start with */
	uint16_t sizes[NSIZES];		/* payloads the loops over sizes take */
};

static const struct fam ipv4 = {
	.family = XDPKIT_FAMILY_IPV4, .request = ECHO_REQUEST, .reply = ECHO_REPLY,
	.addr_len = 4, .max_payload = MAX_PAYLOAD, .max_ihl = 15,
	.icmp = "ICMP", .ttl = "TTL", .server = "server", .client = "client",
	.sizes = { 0, 1, 2, 17, 18, 56, 57, 1000, MAX_PAYLOAD },
};

static const struct fam ipv6 = {
	.v6 = true, .family = XDPKIT_FAMILY_IPV6, .request = ECHO6_REQUEST,
	.reply = ECHO6_REPLY, .addr_len = 16, .max_payload = MAX_PAYLOAD6, .max_ihl = 5,
	.icmp = "ICMPv6", .ttl = "hop limit", .server = "server IPv6", .client = "client IPv6",
	.sizes = { 0, 1, 2, 17, 18, 56, 57, 1000, MAX_PAYLOAD6 },
};

/* ---- echo frames ---- */

struct echo {
	uint8_t dst[6], src[6];
	struct pkt_vlan tags[3];
	int ntags;
	uint16_t ethertype;
	bool v6;		/* IPv6 + ICMPv6 (ip6, ext) rather than IPv4 + ICMP (ip) */
	struct pkt_ipv4 ip;
	struct pkt_ipv6 ip6;
	uint8_t ext_len;	/* bytes of IPv6 extension headers before the ICMPv6 header */
	uint8_t ext[64];
	uint8_t type, code;
	uint16_t id, seq;
	uint16_t plen;		/* ICMP payload bytes */
	uint16_t pad;		/* bytes after the IP datagram */
	uint32_t seed;		/* content of payload and padding */
	uint16_t icmp_check_adj;	/* added to the correct ICMP checksum */
};

static const struct fam *fam_of(const struct echo *e)
{
	return e->v6 ? &ipv6 : &ipv4;
}

static size_t echo_l3(const struct echo *e)
{
	return PKT_ETH_HLEN + 4 * e->ntags;
}

static size_t echo_l4(const struct echo *e)
{
	return echo_l3(e) + (e->v6 ? 40 + e->ext_len : 20 + e->ip.opt_len);
}

/* The TTL or hop limit of e. */
static uint8_t echo_ttl(const struct echo *e)
{
	return e->v6 ? e->ip6.hlim : e->ip.ttl;
}

static void set_ttl(struct echo *e, uint8_t ttl)
{
	if (e->v6)
		e->ip6.hlim = ttl;
	else
		e->ip.ttl = ttl;
}

/* The addresses of e as the client's key holds them: IPv4 in the first 4 of 16 bytes. */
static void addrs_get(const struct echo *e, uint8_t src[16], uint8_t dst[16])
{
	if (e->v6) {
		memcpy(src, e->ip6.saddr, 16);
		memcpy(dst, e->ip6.daddr, 16);
		return;
	}
	memset(src, 0, 16);
	memset(dst, 0, 16);
	pkt_set32(src, e->ip.saddr);
	pkt_set32(dst, e->ip.daddr);
}

static void addrs_set(struct echo *e, const uint8_t src[16], const uint8_t dst[16])
{
	if (e->v6) {
		memcpy(e->ip6.saddr, src, 16);
		memcpy(e->ip6.daddr, dst, 16);
		return;
	}
	e->ip.saddr = pkt_get32(src);
	e->ip.daddr = pkt_get32(dst);
}

static void swap_addrs(struct echo *e)
{
	uint8_t src[16], dst[16];

	addrs_get(e, src, dst);
	addrs_set(e, dst, src);
}

static const char *addr_str(const struct echo *e, const uint8_t a[16], char buf[INET6_ADDRSTRLEN])
{
	return inet_ntop(e->v6 ? AF_INET6 : AF_INET, a, buf, INET6_ADDRSTRLEN);
}

static void echo_build(const struct echo *e, struct pkt *p)
{
	uint8_t bytes[PKT_MAX];
	size_t icmp;

	p->len = 0;
	pkt_put_eth(p, e->dst, e->src, e->tags, e->ntags, e->ethertype);
	if (e->v6) {
		pkt_put_ipv6(p, &e->ip6, e->ext_len + 8 + e->plen);
		pkt_put(p, e->ext, e->ext_len);
	} else {
		pkt_put_ipv4(p, &e->ip, 8 + e->plen);
	}
	pkt_fill(bytes, e->plen, e->seed);
	icmp = pkt_put_icmp_echo(p, e->type, e->code, e->id, e->seq, bytes, e->plen);
	if (e->v6)	/* over the pseudo-header too (true length, final destination) */
		pkt_csum6_set(e->ip6.saddr, e->ip6.daddr, NEXT_ICMPV6, p->b + icmp,
			      8 + e->plen, 2);
	pkt_set16(p->b + icmp + 2, pkt_get16(p->b + icmp + 2) + e->icmp_check_adj);
	pkt_fill(bytes, e->pad, ~e->seed);
	pkt_put(p, bytes, e->pad);
}

static void ipv4_from_b(struct echo *e)
{
	e->ethertype = PKT_ETH_P_IP;
	e->ip.tos = 0x10;
	e->ip.ttl = 57;
	e->ip.proto = 1;
	e->ip.id = 0x1c46 + e->plen;
	e->ip.frag = PKT_IP_DF;
	e->ip.saddr = ADDR_B;
	e->ip.daddr = ADDR_A;
	e->seed = e->plen + 1;
}

static void ipv6_from_b(struct echo *e)
{
	e->ethertype = PKT_ETH_P_IPV6;
	e->v6 = true;
	e->ip6.tclass = 0xb8;
	e->ip6.flow = 0x9a5c3 + e->plen;
	e->ip6.next = NEXT_ICMPV6;
	e->ip6.hlim = 51;
	memcpy(e->ip6.saddr, addr6_b, 16);
	memcpy(e->ip6.daddr, addr6_a, 16);
	e->seed = e->plen + 7;
}

/* An echo frame of family f from b to a. */
static struct echo echo_from_b(const struct fam *f, uint8_t type, uint16_t id, uint16_t seq,
			       uint16_t plen)
{
	struct echo e;

	memset(&e, 0, sizeof(e));
	memcpy(e.dst, mac_a, 6);
	memcpy(e.src, mac_b, 6);
	e.type = type;
	e.id = id;
	e.seq = seq;
	e.plen = plen;
	if (f->v6)
		ipv6_from_b(&e);
	else
		ipv4_from_b(&e);
	return e;
}

static struct echo request(const struct fam *f, uint16_t plen)
{
	return echo_from_b(f, f->request, 0x1234, 7, plen);
}

static struct echo reply(const struct fam *f, uint16_t seq, uint16_t plen)
{
	return echo_from_b(f, f->reply, CLIENT_ID, seq, plen);
}

/* The frame sent back: addresses swapped, fresh TTL (hop limit), new type. */
static void turn(struct echo *e, uint8_t type)
{
	uint8_t mac[6];

	memcpy(mac, e->dst, 6);
	memcpy(e->dst, e->src, 6);
	memcpy(e->src, mac, 6);
	swap_addrs(e);
	set_ttl(e, XDPING_TTL);
	e->type = type;
}

/* n bytes of IP options: record route, NOPs, end of list. */
static void ip_options(struct pkt_ipv4 *ip, size_t n, uint32_t seed)
{
	size_t slots = n >= 8 ? (n - 4) / 4 : 0;

	ip->opt_len = n;
	memset(ip->opts, 1, n);
	if (slots) {
		ip->opts[0] = 7;
		ip->opts[1] = 3 + 4 * slots;
		ip->opts[2] = 4;
		pkt_fill(ip->opts + 3, 4 * slots, seed);
	}
	if (n)
		ip->opts[n - 1] = 0;
}

/* IPv4 options for an IHL of ihl (the payload cut to fit); IPv6 has none. */
static void set_ihl(struct echo *e, unsigned int ihl)
{
	if (e->v6)
		return;
	ip_options(&e->ip, (ihl - 5) * 4, ihl);
	if (e->plen > MAX_PAYLOAD - e->ip.opt_len)
		e->plen = MAX_PAYLOAD - e->ip.opt_len;
}

static const struct pkt_vlan tags_1q[] = { { PKT_ETH_P_8021Q, 0x0064 } };
static const struct pkt_vlan tags_qinq[] = { { PKT_ETH_P_8021AD, 0x2123 },
					     { PKT_ETH_P_8021Q, 0xe064 } };
static const struct pkt_vlan tags_qq[] = { { PKT_ETH_P_8021Q, 0x0fff },
					   { PKT_ETH_P_8021Q, 0x0001 } };
static const struct pkt_vlan tags_3[] = { { PKT_ETH_P_8021AD, 0x0010 },
					  { PKT_ETH_P_8021Q, 0x0020 },
					  { PKT_ETH_P_8021Q, 0x0030 } };

static void set_tags(struct echo *e, const struct pkt_vlan *tags, int n)
{
	if (n)
		memcpy(e->tags, tags, n * sizeof(*tags));
	e->ntags = n;
}

/* "2 tags, IHL 15, payload 56": the shape of e, for diagnostics. */
static const char *echo_shape(const struct echo *e, char *buf, size_t size)
{
	int n = 0;

	if (e->ntags)
		n = snprintf(buf, size, "%d tags, ", e->ntags);
	if (!e->v6)
		n += snprintf(buf + n, size - n, "IHL %u, ", 5 + e->ip.opt_len / 4);
	snprintf(buf + n, size - n, "payload %u", e->plen);
	return buf;
}

/* ---- running frames ---- */

static const char *verdict_name(uint32_t v)
{
	static const char *names[] = { "XDP_ABORTED", "XDP_DROP", "XDP_PASS", "XDP_TX",
				       "XDP_REDIRECT" };

	return v < 5 ? names[v] : "unknown verdict";
}

static bool run(struct obj *o, uint32_t ifindex, const struct pkt *in, struct pkt *out,
		uint32_t *verdict)
{
	int err;

	o->t0 = pkt_now_ns();
	err = pkt_xdp_run(o->prog, ifindex, in, out, verdict);
	o->t1 = pkt_now_ns();
	if (!tap_check(!err, "%s: BPF_PROG_TEST_RUN on %zu bytes: %s", o->name, in->len,
		       strerror(-err)))
		return false;
	if (*verdict == XDP_TX)
		o->tx++;
	else if (*verdict == XDP_PASS)
		o->pass++;
	return true;
}

/* got is want, byte for byte; fmt (with what) says otherwise. */
static bool same_frame(const struct pkt *got, const struct pkt *want, const char *fmt,
		       const char *what)
{
	if (tap_check(got->len == want->len && !memcmp(got->b, want->b, want->len), fmt, what))
		return true;
	tap_hexdiff(got->b, got->len, want->b, want->len);
	return false;
}

/* Feeds in; checks the verdict and the whole frame out (want NULL: in, untouched). */
static bool expect_frame(struct obj *o, uint32_t ifindex, const struct pkt *in,
			 uint32_t verdict, const struct pkt *want, struct pkt *out,
			 const char *what)
{
	uint32_t got;

	if (!want)
		want = in;
	if (!run(o, ifindex, in, out, &got))
		return false;
	if (!tap_check(got == verdict, "%s: %s, want %s", what, verdict_name(got),
		       verdict_name(verdict)))
		return false;
	return same_frame(out, want, "%s: frame out is not the expected one", what);
}

static bool expect_pass_on(struct obj *o, uint32_t ifindex, const struct pkt *in,
			   const char *what)
{
	struct pkt out;

	return expect_frame(o, ifindex, in, XDP_PASS, NULL, &out, what);
}

static bool expect_pass(struct obj *o, const struct pkt *in, const char *what)
{
	return expect_pass_on(o, o == &server ? srv_if : lo, in, what);
}

/* RFC 1071 sum of the ICMP message of p laid out as e; ICMPv6 with its pseudo-header. */
static uint16_t icmp_sum(const struct echo *e, const struct pkt *p)
{
	size_t l3 = echo_l3(e), l4 = echo_l4(e);

	if (e->v6)
		return pkt_sum6(p->b + l3 + 8, p->b + l3 + 24, NEXT_ICMPV6, p->b + l4,
				8 + e->plen);
	return pkt_sum(p->b + l4, 8 + e->plen);
}

/* The IP (IPv4) and ICMP checksums of an echo frame laid out as e verify. */
static bool echo_csums_ok(const struct echo *e, const struct pkt *p, const char *what)
{
	size_t l3 = echo_l3(e), l4 = echo_l4(e);

	if (!e->v6 && !tap_check(pkt_sum(p->b + l3, l4 - l3) == 0xffff,
				 "%s: IP checksum does not verify", what))
		return false;
	return tap_check(icmp_sum(e, p) == 0xffff, "%s: %s checksum does not verify", what,
			 fam_of(e)->icmp);
}

/* Feeds in; the frame out must be want, byte for byte, with good checksums. */
static bool expect_echo(struct obj *o, uint32_t ifindex, const struct echo *in,
			uint32_t verdict, const struct echo *want, const char *what)
{
	struct pkt pin, pwant, out;

	echo_build(in, &pin);
	echo_build(want, &pwant);
	return expect_frame(o, ifindex, &pin, verdict, &pwant, &out, what) &&
	       echo_csums_ok(want, &out, what);
}

static bool expect_echo_pass(struct obj *o, const struct echo *in, const char *what)
{
	struct pkt pin;

	echo_build(in, &pin);
	return expect_pass(o, &pin, what);
}

/* The server's answer to in. */
static bool expect_answer(const struct echo *in, const char *what)
{
	struct echo want = *in;

	turn(&want, fam_of(in)->reply);
	set_ttl(&want, in->v6 ? SRV_HOP : SRV_TTL);
	want.ip.frag = 0;	/* the stack's replies have DF clear */
	return expect_echo(&server, srv_if, in, XDP_TX, &want, what);
}

/* Every truncation of in, 14 (ETH_HLEN, the least the kernel takes) .. len-1. */
static void expect_truncations_pass(struct obj *o, const struct pkt *in, const char *what)
{
	char buf[96];
	struct pkt cut;
	size_t len;

	for (len = PKT_ETH_HLEN; len < in->len; len++) {
		cut.len = len;
		memcpy(cut.b, in->b, len);
		snprintf(buf, sizeof(buf), "%s cut to %zu of %zu bytes", what, len, in->len);
		expect_pass(o, &cut, buf);
	}
}

static void echo_truncations(struct obj *o, const struct echo *e)
{
	char what[64];
	struct pkt p;

	echo_build(e, &p);
	expect_truncations_pass(o, &p, echo_shape(e, what, sizeof(what)));
}

/* e, then e with two tags and (IPv4) IHL 15, cut at every length. */
static void truncations(struct obj *o, struct echo e)
{
	echo_truncations(o, &e);
	set_tags(&e, tags_qinq, 2);
	set_ihl(&e, 15);
	echo_truncations(o, &e);
}

/* What checks a frame the program must let pass untouched. */
typedef void (*frame_check)(const struct pkt *, const char *);

/* Builds e and hands it to refused(), described by fmt. */
static void __attribute__((format(printf, 3, 4)))
refuse_echo(frame_check refused, const struct echo *e, const char *fmt, ...)
{
	char what[96];
	struct pkt p;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	echo_build(e, &p);
	refused(&p, what);
}

/* What checks an echo frame: taken, or let pass untouched. */
typedef void (*echo_check)(const struct echo *, const char *);

/* Makes an echo frame of family f with plen bytes of payload. */
typedef struct echo (*echo_maker)(const struct fam *, uint16_t);

/* check() on make()'s frame of each size, with the tags, for IHL 5, 5 + ihl_step, .. max. */
static void each_shape(const struct fam *f, echo_maker make, const struct pkt_vlan *tags,
		       int ntags, unsigned int ihl_step, echo_check check)
{
	char what[64];
	unsigned int ihl;
	size_t i;

	for (ihl = 5; ihl <= f->max_ihl; ihl += ihl_step)
		for (i = 0; i < NSIZES; i++) {
			struct echo e = make(f, f->sizes[i]);

			set_tags(&e, tags, ntags);
			set_ihl(&e, ihl);
			check(&e, echo_shape(&e, what, sizeof(what)));
		}
}

/* ---- counters ---- */

#define STATS_WORDS (sizeof(struct xdping_stats) / sizeof(__u64))

static bool stats_get(const struct obj *o, uint32_t role, struct xdping_stats *st)
{
	uint64_t sum[STATS_WORDS];
	int err = mapio_percpu_sum(o->stats, &role, sizeof(*st), sum, STATS_WORDS);

	memcpy(st, sum, sizeof(*st));
	return tap_check(!err, "%s: lookup of xdping_stats[%u]: %s", o->name, role,
			 strerror(-err));
}

/* The counters of o's role moved by d since before. */
static bool stats_moved(const struct obj *o, const struct xdping_stats *before,
			const struct xdping_stats *d, const char *what)
{
	struct xdping_stats now;

	if (!stats_get(o, o->role, &now))
		return false;
#define MOVED(f) tap_check(now.f - before->f == d->f, "%s: " #f " moved by %lld, want %llu", \
			   what, (long long)(now.f - before->f), (unsigned long long)d->f)
	return MOVED(passed) && MOVED(answered) && MOVED(samples) && MOVED(completed) &&
	       MOVED(errors);
#undef MOVED
}

/* ---- set-up ---- */

static bool load(struct obj *o, const char *dir)
{
	int fd = pkt_load(dir, o->name, &o->bpf);

	if (fd >= 0) {
		o->prog = fd;
		o->stats = bpf_object__find_map_fd_by_name(o->bpf, "xdping_stats");
		o->runs = bpf_object__find_map_fd_by_name(o->bpf, "xdping_runs");
	}
	if (tap_check(fd >= 0, "%s/%s.o: %s", dir, o->name, strerror(-fd)) &&
	    tap_check(o->stats >= 0, "no map xdping_stats"))
		tap_check(o->role != XDPING_ROLE_CLIENT || o->runs >= 0, "no map xdping_runs");
	tap_end("%s: %s/%s.o loads with its maps unpinned", o->name, dir, o->name);
	return fd >= 0 && o->stats >= 0 && (o->role != XDPING_ROLE_CLIENT || o->runs >= 0);
}

/* ---- server ---- */

static bool srv_config(uint8_t ttl, uint8_t hop, uint8_t allow4, uint8_t allow6);

static void server_answer(const struct echo *in, const char *what)
{
	expect_answer(in, what);
}

static void server_refuse(const struct echo *in, const char *what)
{
	expect_echo_pass(&server, in, what);
}

static void server_sizes(const struct fam *f)
{
	char what[64];
	unsigned int plen;

	for (plen = 0; plen <= f->max_payload; plen++) {
		struct echo in = request(f, plen);

		snprintf(what, sizeof(what), "payload %u", plen);
		expect_answer(&in, what);
	}
	tap_end("%s: echo request (%u) -> reply (%u, XDP_TX), MACs and addresses swapped, %s %d "
		"(the config's), exact bytes, payload 0..%u", f->server, f->request, f->reply, f->ttl,
		f->v6 ? SRV_HOP : SRV_TTL, f->max_payload);
}

/* IPv4 options are the stack's: it fills in or refuses them (RFC 791, 1812). */
static void server_answer_no_options(const struct echo *in, const char *what)
{
	if (in->ip.opt_len)
		server_refuse(in, what);
	else
		server_answer(in, what);
}

static void server_ihl(void)
{
	each_shape(&ipv4, request, NULL, 0, 1, server_answer_no_options);
	tap_end("server: IHL 5 answered; IHL 6..15 (record route, NOPs, EOL) -> XDP_PASS untouched");
}

static void random_ipv4(struct echo *e, uint32_t *s)
{
	e->ip.saddr = (pkt_rand(s) % 223 + 1) << 24 | (pkt_rand(s) & 0xffffff);
	e->ip.daddr = (pkt_rand(s) % 223 + 1) << 24 | (pkt_rand(s) & 0xffffff);
	e->ip.tos = pkt_rand(s);
	e->ip.ttl = pkt_rand(s);
	e->ip.id = pkt_rand(s);
	e->ip.frag = pkt_rand(s) & 1 ? PKT_IP_DF : 0;
	set_ihl(e, 5 + pkt_rand(s) % 11);
	pkt_fill(e->ip.opts, e->ip.opt_len, pkt_rand(s));
}

/* A unicast address in 2001:db8::/32. */
static void random_addr6(uint8_t a[16], uint32_t *s)
{
	memcpy(a, addr6_a, 4);
	pkt_fill(a + 4, 12, pkt_rand(s));
}

static void random_ipv6(struct echo *e, uint32_t *s)
{
	random_addr6(e->ip6.saddr, s);
	random_addr6(e->ip6.daddr, s);
	e->ip6.tclass = pkt_rand(s);
	e->ip6.flow = pkt_rand(s);
	e->ip6.hlim = pkt_rand(s);
}

/* Unicast MACs and addresses, header fields, tags, id, seq and payload drawn from *s. */
static struct echo random_echo(const struct fam *f, uint32_t *s, uint8_t type)
{
	struct echo e = echo_from_b(f, type, 0, 0, pkt_rand(s) % (f->max_payload + 1));
	int i;

	pkt_fill(e.dst, 6, pkt_rand(s));
	pkt_fill(e.src, 6, pkt_rand(s));
	e.dst[0] &= ~1;
	if (f->v6)
		random_ipv6(&e, s);
	else
		random_ipv4(&e, s);
	e.ntags = pkt_rand(s) % 3;
	for (i = 0; i < e.ntags; i++) {
		e.tags[i].tpid = pkt_rand(s) & 1 ? PKT_ETH_P_8021Q : PKT_ETH_P_8021AD;
		e.tags[i].tci = pkt_rand(s);
	}
	e.id = pkt_rand(s);
	e.seq = pkt_rand(s);
	e.seed = pkt_rand(s);
	return e;
}

/*
 * 2000 random requests between a and b (header fields, id, seq, payload,
 * no tag or the lab's VLAN 100): all answered; and 2000 from and to
 * random MACs and addresses, tags: none answered (not ours, no path back).
 */
static void server_random(const struct fam *f, uint32_t s, const char *varied)
{
	char what[64];
	int i;

	for (i = 0; i < 2000; i++) {
		struct echo in = random_echo(f, &s, f->request), ab = request(f, 0);

		memcpy(in.dst, ab.dst, 6);
		memcpy(in.src, ab.src, 6);
		if (f->v6) {
			memcpy(in.ip6.saddr, ab.ip6.saddr, 16);
			memcpy(in.ip6.daddr, ab.ip6.daddr, 16);
		} else {
			in.ip.saddr = ab.ip.saddr;
			in.ip.daddr = ab.ip.daddr;
			set_ihl(&in, 5);
		}
		set_tags(&in, tags_1q, i & 1);
		snprintf(what, sizeof(what), "random request #%d (payload %u)", i, in.plen);
		expect_answer(&in, what);
	}
	for (i = 0; i < 2000; i++) {
		struct echo in = random_echo(f, &s, f->request);

		snprintf(what, sizeof(what), "random stranger #%d (payload %u)", i, in.plen);
		server_refuse(&in, what);
	}
	tap_end("%s: 2000 random requests a <- b answered (%s); 2000 between random MACs and "
		"addresses -> XDP_PASS untouched", f->server, varied);
}

/* The stack drops a request whose IP or ICMP checksum does not verify:
 * so must the server leave it to the stack (RFC 1122 3.2.1.2, 3.2.2). */
static void server_bad_csums(const struct fam *f)
{
	static const uint16_t adj[] = { 1, 0x1234, 0x8000, 0xfffe };
	char what[80];
	size_t i, j;

	for (i = 0; i < ARRAY_SIZE(adj); i++)
		for (j = 0; j < NSIZES; j++) {
			struct echo in = request(f, f->sizes[j]);

			in.icmp_check_adj = adj[i];
			snprintf(what, sizeof(what), "payload %u, %s checksum off by %#x", in.plen,
				 f->icmp, in.icmp_check_adj);
			server_refuse(&in, what);
			if (f->v6)
				continue;
			in.icmp_check_adj = 0;
			in.ip.check_adj = adj[i];
			snprintf(what, sizeof(what), "payload %u, IP checksum off by %#x", in.plen,
				 in.ip.check_adj);
			server_refuse(&in, what);
		}
	tap_end("%s: a bad %s checksum -> XDP_PASS untouched (the stack drops it)", f->server,
		f->v6 ? "ICMPv6" : "IP or ICMP");
}

static void server_tags(const struct fam *f, const struct pkt_vlan *tags, int ntags,
			const char *desc, bool ours)
{
	each_shape(f, request, tags, ntags, 10, ours ? server_answer_no_options : server_refuse);
	tap_end("%s: %s: %s", f->server, desc, ours ? "answered, tag kept (IPv4: IHL 5 only)" :
		"-> XDP_PASS untouched");
}

/* One 802.1Q tag the lab has no VLAN device for, or priority bits. */
static void server_other_tags(const struct fam *f)
{
	static const uint16_t tci[] = { 0x0065, 0x0000, 0x2064, 0x1064, 0xe064, 0x0fff };
	struct pkt_vlan t = { PKT_ETH_P_8021Q, 0 };
	char what[64];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(tci); i++) {
		struct echo in = request(f, 56);

		t.tci = tci[i];
		set_tags(&in, &t, 1);
		snprintf(what, sizeof(what), "802.1Q TCI %#06x", tci[i]);
		server_refuse(&in, what);
	}
	tap_end("%s: an 802.1Q tag of a VID with no VLAN device (101, 4095), VID 0, or priority/DEI "
		"bits -> XDP_PASS untouched", f->server);
}

static void server_l2(const struct fam *f)
{
	static const uint8_t dst[][6] = {
		{ 0x33, 0x33, 0x00, 0x00, 0x00, 0x01 }, { 0x33, 0x33, 0xff, 0x12, 0x34, 0x02 },
		{ 0xff, 0xff, 0xff, 0xff, 0xff, 0xff }, { 0x01, 0x00, 0x5e, 0x00, 0x00, 0x01 },
		{ 0x03, 0x11, 0x22, 0x33, 0x44, 0x55 },
	};
	char what[64];
	struct echo in;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(dst); i++) {
		in = request(f, 56);
		memcpy(in.dst, dst[i], 6);
		snprintf(what, sizeof(what), "destination MAC %02x:%02x:%02x:...", dst[i][0],
			 dst[i][1], dst[i][2]);
		expect_echo_pass(&server, &in, what);
		set_tags(&in, tags_qinq, 2);
		expect_echo_pass(&server, &in, what);
	}
	in = request(f, 56);
	set_tags(&in, tags_3, 3);
	expect_echo_pass(&server, &in, "three tags");
	tap_end("%s: broadcast/multicast (01:00:5e:..., 33:33:...) destination MAC, three VLAN "
		"tags (more than parsed) -> XDP_PASS untouched", f->server);
}

/* A request to a, and one from a: both pass untouched. */
static void addr_refused(const struct fam *f, const uint8_t a[16])
{
	struct echo in = request(f, 56);
	uint8_t src[16], dst[16];
	char what[80], buf[INET6_ADDRSTRLEN];

	addrs_get(&in, src, dst);
	addrs_set(&in, src, a);
	snprintf(what, sizeof(what), "destination %s", addr_str(&in, a, buf));
	expect_echo_pass(&server, &in, what);
	addrs_set(&in, a, dst);
	snprintf(what, sizeof(what), "source %s", buf);
	expect_echo_pass(&server, &in, what);
}

static void server_ip_group(void)
{
	static const uint8_t bad[][16] = {
		{ 224, 0, 0, 1 }, { 239, 255, 255, 250 }, { 240, 0, 0, 1 },
		{ 255, 255, 255, 255 }, { 0 },
	};
	struct echo in;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(bad); i++)
		addr_refused(&ipv4, bad[i]);
	in = request(&ipv4, 56);
	in.ip.daddr = 0xdfffffff;
	in.ip.saddr = 0x01000000;
	server_refuse(&in, "223.255.255.255 from 1.0.0.0 (unicast, not ours)");
	tap_end("server: multicast/broadcast/zero IP destination or source -> XDP_PASS untouched");
}

/* Unicast, however close to the refused ones: one bit set anywhere, fe.., 00ff.. */
static void server6_near_group(void)
{
	char what[64];
	struct echo in;
	int j;

	for (j = 0; j < 16; j++) {
		in = request(&ipv6, 56);
		memset(in.ip6.saddr, 0, 16);
		in.ip6.saddr[j] = j == 0 ? 0x80 : 1;
		snprintf(what, sizeof(what), "source with byte %d alone set", j);
		server_refuse(&in, what);
		in = request(&ipv6, 56);
		memset(in.ip6.daddr, 0, 16);
		in.ip6.daddr[j] = j == 15 ? 0x80 : 1;
		snprintf(what, sizeof(what), "destination with byte %d alone set", j);
		server_refuse(&in, what);
	}
	in = request(&ipv6, 56);
	in.ip6.saddr[0] = 0xfe;
	in.ip6.daddr[0] = 0x00;
	in.ip6.daddr[1] = 0xff;
	server_refuse(&in, "fe01:db8:... to 00ff:db8:... (unicast, not ours)");
	in = request(&ipv6, 56);
	in.ip6.saddr[0] = in.ip6.daddr[0] = 0xfe;
	in.ip6.saddr[1] = in.ip6.daddr[1] = 0xff;
	server_refuse(&in, "feff:db8:... to feff:db8:... (unicast, not ours)");
}

static void server6_ip_group(void)
{
	static const uint8_t bad[][16] = {
		{ 0xff, 0x02, [15] = 1 },
		{ 0xff, 0x01, [15] = 1 },
		{ 0xff, 0x05, [15] = 2 },
		{ 0xff, 0x0e, [13] = 1, [14] = 0x01, [15] = 0x01 },
		{ 0xff, 0x02, [11] = 1, [12] = 0xff, [13] = 0x12, [14] = 0x34, [15] = 0x02 },
		{ 0xff },
		{ 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
		  0xff, 0xff, 0xff },
		{ 0 },
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(bad); i++)
		addr_refused(&ipv6, bad[i]);
	server6_near_group();
	tap_end("server IPv6: multicast (ff00::/8) destination or source, :: source or "
		"destination, unicast next to them that is not ours -> XDP_PASS untouched");
}

static void server_types_codes(const struct fam *f, const char *included)
{
	char what[64];
	unsigned int v;

	for (v = 0; v < 256; v++) {
		struct echo in = request(f, 56);

		if (v == f->request)
			continue;
		in.type = v;
		snprintf(what, sizeof(what), "%s type %u", f->icmp, v);
		expect_echo_pass(&server, &in, what);
	}
	tap_end("%s: every %s type but %u (%s) -> XDP_PASS untouched", f->server, f->icmp,
		f->request, included);
	for (v = 1; v < 256; v++) {
		struct echo in = request(f, 56);

		in.code = v;
		snprintf(what, sizeof(what), "%s code %u", f->icmp, v);
		expect_echo_pass(&server, &in, what);
	}
	tap_end("%s: echo request with code 1..255 -> XDP_PASS untouched", f->server);
}

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

static void put_arp(struct pkt *p)
{
	static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	size_t off;

	p->len = 0;
	pkt_put_eth(p, bcast, mac_b, NULL, 0, PKT_ETH_P_ARP);
	off = pkt_put(p, NULL, 28);
	pkt_set16(p->b + off, 1);
	pkt_set16(p->b + off + 2, PKT_ETH_P_IP);
	p->b[off + 4] = 6;
	p->b[off + 5] = 4;
	pkt_set16(p->b + off + 6, 1);
	memcpy(p->b + off + 8, mac_b, 6);
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
		pkt_put_eth(p, mac_b, mac_a, NULL, 0, PKT_ETH_P_IPV6);
	else
		pkt_put_eth(p, mac_a, mac_b, NULL, 0, PKT_ETH_P_IPV6);
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

static void server_not_ipv4_icmp(void)
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
static void ext_header(struct echo *e, uint8_t type, size_t len)
{
	e->ip6.next = type;
	e->ext_len = len;
	memset(e->ext, 0, len);
	e->ext[0] = NEXT_ICMPV6;
	e->ext[1] = len / 8 - 1;
}

/* Pad1/PadN options filling an options header from byte 2 on. */
static void ext_padn(struct echo *e)
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

static void server_bad(const struct fam *f, const char *desc)
{
	struct echo base = request(f, 56);

	bad_ip(&base, server_refuse_frame);
	set_tags(&base, tags_qinq, 2);
	set_ihl(&base, 7);
	bad_ip(&base, server_refuse_frame);
	base = request(f, 0);
	set_tags(&base, tags_1q, 1);
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

			set_tags(&in, tags_qinq, ntags);
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

			set_tags(&in, tags_qinq, ntags);
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

static void server_padding(void)
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

static void server_truncations(const struct fam *f)
{
	struct echo in = request(f, 0);

	echo_truncations(&server, &in);
	truncations(&server, request(f, 56));
	tap_end("%s: a request cut at every length 14..L-1 -> XDP_PASS untouched", f->server);
}

/* 7 frames the server lets pass, for the counters. */
static void server_others4(void)
{
	struct echo in = request(&ipv4, 56);
	struct pkt p;

	in.type = ECHO_REPLY;
	expect_echo_pass(&server, &in, "reply");
	in = request(&ipv4, 56);
	in.dst[0] = 0xff;
	expect_echo_pass(&server, &in, "multicast MAC");
	in = request(&ipv4, 56);
	in.ip.frag = PKT_IP_MF;
	expect_echo_pass(&server, &in, "fragment");
	in = request(&ipv4, 56);
	in.ip.proto = 17;
	expect_echo_pass(&server, &in, "UDP");
	in = request(&ipv4, 56);
	in.pad = 1;
	expect_echo_pass(&server, &in, "trailing byte");
	put_arp(&p);
	expect_pass(&server, &p, "ARP");
	p.len = PKT_ETH_HLEN;
	expect_pass(&server, &p, "Ethernet header only");
}

/* 6 frames the server lets pass, for the counters. */
static void server_others6(void)
{
	struct echo in = request(&ipv6, 56);

	in.type = ECHO6_REPLY;
	expect_echo_pass(&server, &in, "reply");
	in = request(&ipv6, 56);
	in.type = 135;
	expect_echo_pass(&server, &in, "neighbour solicitation");
	in = request(&ipv6, 56);
	in.dst[0] = 0x33;
	expect_echo_pass(&server, &in, "multicast MAC");
	in = request(&ipv6, 56);
	in.ip6.daddr[0] = 0xff;
	expect_echo_pass(&server, &in, "multicast destination");
	in = request(&ipv6, 56);
	ext_header(&in, 0, 8);
	ext_padn(&in);
	expect_echo_pass(&server, &in, "hop-by-hop");
	in = request(&ipv6, 56);
	in.pad = 1;
	expect_echo_pass(&server, &in, "trailing byte");
}

/* 5 requests, then others() feeds n frames to pass, nreq of them echo
 * requests: answered moves by 5, passed by nreq (only echo requests left
 * to the stack are counted: other frames cost a parse and nothing else). */
static void server_counters(const struct fam *f, void (*others)(void), unsigned int n,
			    unsigned int nreq)
{
	struct xdping_stats before, d = { .answered = 5, .passed = nreq };
	char what[64];
	int i;

	if (stats_get(&server, XDPING_ROLE_SERVER, &before)) {
		for (i = 0; i < 5; i++) {
			struct echo in = request(f, i * 100);

			expect_answer(&in, "request");
		}
		others();
		snprintf(what, sizeof(what), "5 requests, %u others", n);
		stats_moved(&server, &before, &d, what);
	}
	tap_end("%s: counters: answered +5, passed +%u over 5 requests and %u other frames "
		"(%u of them echo requests)", f->server, nreq, n, nreq);
}

/* The counters match every verdict seen, and the client's entry is untouched. */
static void server_totals(void)
{
	struct xdping_stats st, other;

	if (stats_get(&server, XDPING_ROLE_SERVER, &st) &&
	    stats_get(&server, XDPING_ROLE_CLIENT, &other)) {
		tap_check(st.answered == server.tx, "answered %llu, XDP_TX seen %llu",
			  (unsigned long long)st.answered, (unsigned long long)server.tx);
		tap_check(st.passed && st.passed < server.pass, "passed %llu, XDP_PASS seen %llu",
			  (unsigned long long)st.passed, (unsigned long long)server.pass);
		tap_check(!st.samples && !st.completed && !st.errors,
			  "samples/completed/errors moved");
		tap_check(!other.passed && !other.answered && !other.samples &&
			  !other.completed && !other.errors, "client entry moved");
	}
	tap_end("server: counters over the whole test: answered = %llu XDP_TX, passed < %llu "
		"XDP_PASS (echo requests only)", (unsigned long long)server.tx,
		(unsigned long long)server.pass);
}

/* echo_build() against put_ipv6_echo(), written out apart from it. */
static void server6_builder(void)
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

/* ---- the server's lab, and what the host decides ---- */

static int srv_map(const char *name)
{
	return bpf_object__find_map_fd_by_name(server.bpf, name);
}

static bool srv_config(uint8_t ttl, uint8_t hop, uint8_t allow4, uint8_t allow6)
{
	struct xdping_server_config c = { .ttl = ttl, .hop_limit = hop, .allow4 = allow4,
					  .allow6 = allow6 };
	uint32_t zero = 0;

	return !bpf_map_update_elem(srv_map("xdping_srvconf"), &zero, &c, BPF_ANY);
}

static bool srv_addr(const struct fam *f, const uint8_t a[16], bool add)
{
	struct xdping_addr_owner o = { srv_if };
	int fd = srv_map(f->v6 ? "xdping_addr6" : "xdping_addr4");

	return add ? !bpf_map_update_elem(fd, a, &o, BPF_ANY) : !bpf_map_delete_elem(fd, a);
}

/*
 * xdpsrv0 (a's MAC, a's addresses) and its peer xdpsrv1, up; b reached
 * through xdpsrv0 by a host route and a permanent neighbour entry (b's
 * MAC), everything else through xdpsrv1 (default routes); forwarding on
 * lo (the FIB helper's condition); the maps filled as xdping-server.sh
 * would: TTL/hop limit, a's two addresses, VLAN 100 as a device whose
 * route is xdpsrv0's own (this kernel has no 802.1Q devices).
 */
static bool server_lab(void)
{
	static const char *cmds[] = {
		"ip link add xdpsrv0 address 02:11:22:33:44:55 type veth peer name xdpsrv1",
		"ip link set xdpsrv0 up && ip link set xdpsrv1 up",
		"echo 1 > /proc/sys/net/ipv4/conf/lo/forwarding",
		"echo 1 > /proc/sys/net/ipv6/conf/lo/forwarding",
		"ip addr add 198.18.0.1/32 dev xdpsrv0",
		"ip -6 addr add 2001:db8::1/128 dev xdpsrv0 nodad",
		"ip route add 198.19.7.2/32 dev xdpsrv0",
		"ip -6 route add 2001:db8:a1:b2c:0:ff:fe12:3402/128 dev xdpsrv0",
		"ip neigh add 198.19.7.2 lladdr 0a:bb:cc:dd:ee:f1 dev xdpsrv0 nud permanent",
		"ip -6 neigh add 2001:db8:a1:b2c:0:ff:fe12:3402 lladdr 0a:bb:cc:dd:ee:f1 "
		"dev xdpsrv0 nud permanent",
		"ip -6 route add 2001:db8::2/128 dev xdpsrv0",
		"ip -6 neigh add 2001:db8::2 lladdr 0a:bb:cc:dd:ee:f1 dev xdpsrv0 nud permanent",
		"ip route add default dev xdpsrv1",
		"ip -6 route add default dev xdpsrv1",
	};
	struct xdping_vlan v = { 100 };
	struct xdping_vlan_dev d;
	uint8_t a4[16] = { 198, 18, 0, 1 };
	bool ok = true;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cmds) && ok; i++)
		ok = tap_check(system(cmds[i]) == 0, "lab: %s failed", cmds[i]);
	srv_if = if_nametoindex("xdpsrv0");
	d.ifindex = srv_if;
	ok = ok && tap_check(srv_if, "lab: no xdpsrv0") &&
	     tap_check(srv_config(SRV_TTL, SRV_HOP, 0, 0), "lab: config") &&
	     tap_check(srv_addr(&ipv4, a4, true) && srv_addr(&ipv6, addr6_a, true), "lab: addresses") &&
	     tap_check(!bpf_map_update_elem(srv_map("xdping_vlans"), &v, &d, BPF_ANY), "lab: vlans");
	tap_end("server: lab: a veth end with a's MAC and addresses, b's route and neighbour, maps "
		"filled");
	return ok;
}

/* The request from b to a with its source (src) or destination replaced by addr. */
static struct echo with_addr(const struct fam *f, const uint8_t addr[16], bool src)
{
	struct echo in = request(f, 56);
	uint8_t s[16], d[16];

	addrs_get(&in, s, d);
	if (src)
		addrs_set(&in, addr, d);
	else
		addrs_set(&in, s, addr);
	return in;
}

/*
 * What only the host can tell: each request here is well formed, with
 * good checksums, and only one thing differs from one the server answers.
 */
static void server_host(const struct fam *f)
{
	static const uint8_t v4[][16] = {
		{ 198, 18, 0, 2 },	/* destination: not ours */
		{ 198, 18, 0, 1 },	/* source: our own address */
		{ 127, 0, 0, 1 }, { 0, 0, 0, 1 }, { 169, 254, 1, 1 },
		{ 198, 19, 7, 3 },	/* no route back this way */
	};
	static const uint8_t v6[][16] = {
		{ 0x20, 0x01, 0x0d, 0xb8, [15] = 2 },
		{ 0x20, 0x01, 0x0d, 0xb8, [15] = 1 },
		{ [15] = 1 }, { 0xfe, 0x80, [15] = 1 },
		{ [10] = 0xff, [11] = 0xff, 198, 19, 7, 2 },
		{ 0x20, 0x01, 0x0d, 0xb8, 0x00, 0xa1, 0x0b, 0x2c, [15] = 3 },
	};
	static const uint8_t other_mac[6] = { 0x0a, 0xbb, 0xcc, 0xdd, 0xee, 0xf2 };
	const uint8_t (*bad)[16] = f->v6 ? v6 : v4;
	char what[80], buf[INET6_ADDRSTRLEN];
	uint8_t gone[16];
	struct echo in;
	size_t i;

	for (i = 0; i < 6; i++) {
		in = with_addr(f, bad[i], i > 0);
		snprintf(what, sizeof(what), "%s %s", i ? "source" : "destination",
			 addr_str(&in, bad[i], buf));
		server_refuse(&in, what);
	}
	/* fe80:: destination too, even when listed */
	if (f->v6 && tap_check(srv_addr(f, v6[3], true), "add fe80::1")) {
		in = with_addr(f, v6[3], false);
		server_refuse(&in, "destination fe80::1 (listed)");
		srv_addr(f, v6[3], false);
	}
	/* An address in the map the host no longer has: the FIB says so. */
	memset(gone, 0, 16);
	memcpy(gone, bad[0], f->v6 ? 16 : 4);
	if (tap_check(srv_addr(f, gone, true), "add a stale address")) {
		in = with_addr(f, gone, false);
		server_refuse(&in, "destination in the map, not on the host");
		srv_addr(f, gone, false);
	}
	in = request(f, 56);
	memcpy(in.src, other_mac, 6);
	server_refuse(&in, "source MAC not b's neighbour entry");
	in = request(f, 56);
	memcpy(in.dst, other_mac, 6);
	server_refuse(&in, "destination MAC another host's (bridge, promiscuous)");
	in = request(f, 56);
	server_answer(&in, "the same request, unchanged");
	tap_end("%s: destination not ours (or listed but gone from the host, or link-local), "
		"source ours, loopback, martian, link-local, v4-mapped or routed elsewhere, "
		"source MAC not the neighbour's, destination MAC not ours -> XDP_PASS untouched",
		f->server);
}

/* The allowed-source list, and a config never set (a plain ip load). */
static void server_allow_unset(void)
{
	struct xdping_prefix4 p4 = { 16, { 198, 19 } }, q4 = { 8, { 10 } };
	struct xdping_prefix6 p6 = { 48, { 0x20, 0x01, 0x0d, 0xb8, 0x00, 0xa1 } };
	struct xdping_allowed on = { 1 };
	int a4 = srv_map("xdping_allow4"), a6 = srv_map("xdping_allow6");
	struct echo r4 = request(&ipv4, 56), r6 = request(&ipv6, 56);

	if (!tap_check(!bpf_map_update_elem(a4, &q4, &on, BPF_ANY), "allow 10/8") ||
	    !srv_config(SRV_TTL, SRV_HOP, 1, 1))
		goto out;
	server_refuse(&r4, "allow list 10.0.0.0/8");
	server_refuse(&r6, "allow list on, no IPv6 prefix");
	bpf_map_update_elem(a4, &p4, &on, BPF_ANY);
	bpf_map_update_elem(a6, &p6, &on, BPF_ANY);
	server_answer(&r4, "allow list 10.0.0.0/8, 198.19.0.0/16");
	server_answer(&r6, "allow list 2001:db8:a1::/48");
	srv_config(SRV_TTL, SRV_HOP, 0, 0);
	bpf_map_delete_elem(a4, &p4);
	bpf_map_delete_elem(a4, &q4);
	bpf_map_delete_elem(a6, &p6);
	srv_config(0, 0, 0, 0);
	server_refuse(&r4, "config all zero (plain ip load)");
	server_refuse(&r6, "config all zero (plain ip load)");
	srv_config(SRV_TTL, 0, 0, 0);
	server_answer(&r4, "hop limit 0: IPv4 still answered");
	server_refuse(&r6, "hop limit 0 (IPv6 off on the interface)");
	srv_config(SRV_TTL, SRV_HOP, 0, 0);
	server_answer(&r6, "config back");
out:
	tap_end("server: allowed-source prefixes (LPM) in force: others -> XDP_PASS; a config never "
		"set (plain ip load) answers nothing; hop limit 0 answers no IPv6");
}

static void server_tests(void)
{
	if (!server_lab())
		return;
	server_host(&ipv4);
	server_host(&ipv6);
	server_allow_unset();
	server_other_tags(&ipv4);
	server_other_tags(&ipv6);
	server_sizes(&ipv4);
	server_ihl();
	server_random(&ipv4, 20261122, "TOS, TTL, DF, id, seq, VLAN 100 or none, payload");
	server_bad_csums(&ipv4);
	server_tags(&ipv4, tags_1q, 1, "one 802.1Q tag, VID 100 (a VLAN device's)", true);
	server_tags(&ipv4, tags_qinq, 2, "802.1ad + 802.1Q tags", false);
	server_tags(&ipv4, tags_qq, 2, "two 802.1Q tags", false);
	server_l2(&ipv4);
	server_ip_group();
	server_types_codes(&ipv4, "echo reply included");
	server_not_ipv4_icmp();
	server_bad(&ipv4, "fragments, total length over the frame, version != 4, IHL < 5, "
		   "other EtherType or IP protocol");
	server_padding();
	server_truncations(&ipv4);
	server_counters(&ipv4, server_others4, 7, 1);
	server6_builder();
	server_sizes(&ipv6);
	server_tags(&ipv6, tags_1q, 1, "one 802.1Q tag, VID 100 (a VLAN device's)", true);
	server_tags(&ipv6, tags_qinq, 2, "802.1ad + 802.1Q tags", false);
	server_tags(&ipv6, tags_qq, 2, "two 802.1Q tags", false);
	server_random(&ipv6, 20261123, "traffic class, flow label, hop limit, id, seq, VLAN 100 "
		      "or none, payload");
	server_bad_csums(&ipv6);
	server_l2(&ipv6);
	server6_ip_group();
	server_types_codes(&ipv6, "echo reply 129, neighbour solicitation 135, IPv4's 8 included");
	server_bad(&ipv6, "any next header but 58 (hop-by-hop, routing, fragment, destination "
		   "options, AH before ICMPv6 included), payload length over or under the frame, "
		   "trailing bytes, version != 6");
	server_truncations(&ipv6);
	server_counters(&ipv6, server_others6, 6, 2);
	server_totals();
}

/* ---- client ---- */

/* What the test knows a run must hold, and when its request left. */
struct chain {
	struct xdping_key key;
	struct xdping_run v;
};

static uint64_t want_samples, want_completed, want_errors;

/* The key of a run for the replies t stands for: its id and family. */
static struct xdping_key run_key(uint32_t ifindex, const struct echo *t)
{
	struct xdping_key k;

	memset(&k, 0, sizeof(k));
	k.ifindex = ifindex;
	k.id = htons(t->id);
	k.family = fam_of(t)->family;
	return k;
}

static bool run_get(const struct xdping_key *k, struct xdping_run *v, const char *what)
{
	return tap_check(!bpf_map_lookup_elem(client.runs, k, v), "%s: run lookup: %s", what,
			 strerror(errno));
}

/* Seeds a run on ifindex for the replies t stands for (id, family, source address). */
static bool chain_start(struct chain *c, uint32_t ifindex, const struct echo *t,
			uint16_t count, uint16_t first_seq)
{
	uint8_t dst[16];

	memset(c, 0, sizeof(*c));
	c->key = run_key(ifindex, t);
	addrs_get(t, c->v.addr, dst);
	c->v.count = count;
	c->v.seq = c->v.first_seq = htons(first_seq);
	return tap_check(!bpf_map_update_elem(client.runs, &c->key, &c->v, BPF_ANY),
			 "seeding a run: %s", strerror(errno));
}

static void chain_end(const struct chain *c)
{
	bpf_map_delete_elem(client.runs, &c->key);
}

/* Names the first field where the run differs from what it must hold. */
static void run_diff(const struct xdping_run *got, const struct xdping_run *want)
{
	int i, n = 0;

#define FIELD(f) if (got->f != want->f) \
		tap_note(#f ": got %llu, want %llu", (unsigned long long)got->f, \
			 (unsigned long long)want->f)
	FIELD(sent_ns);
	FIELD(seq);
	FIELD(first_seq);
	FIELD(count);
	FIELD(done);
	FIELD(icmp_len);
	FIELD(chains);
	FIELD(pad2);
#undef FIELD
	for (i = 0; i < XDPING_MAX_SAMPLES && n < 8; i++) {
		n += got->rtt_ns[i] != want->rtt_ns[i] || got->ttl[i] != want->ttl[i] ||
		     got->at_ns[i] != want->at_ns[i] || got->seqs[i] != want->seqs[i];
		if (got->seqs[i] != want->seqs[i])
			tap_note("seqs[%d]: got %u, want %u", i, ntohs(got->seqs[i]),
				 ntohs(want->seqs[i]));
		if (got->at_ns[i] != want->at_ns[i])
			tap_note("at_ns[%d]: got %llu, want %llu", i,
				 (unsigned long long)got->at_ns[i],
				 (unsigned long long)want->at_ns[i]);
		if (got->rtt_ns[i] != want->rtt_ns[i])
			tap_note("rtt_ns[%d]: got %llu, want %llu", i,
				 (unsigned long long)got->rtt_ns[i],
				 (unsigned long long)want->rtt_ns[i]);
		if (got->ttl[i] != want->ttl[i])
			tap_note("ttl[%d]: got %u, want %u", i, got->ttl[i], want->ttl[i]);
	}
}

static bool run_is(const struct xdping_key *k, const struct xdping_run *want, const char *what)
{
	struct xdping_run got;

	if (!run_get(k, &got, what))
		return false;
	if (tap_check(!memcmp(&got, want, sizeof(got)), "%s: run state is not the expected one",
		      what))
		return true;
	run_diff(&got, want);
	return false;
}

/*
 * Slack between CLOCK_MONOTONIC read here and bpf_ktime_get_ns() in the
 * program: it only has to tell a timestamp of this run from a wrong one.
 */
#define CLOCK_SLACK_NS 1000000ull

static bool within_run(uint64_t t)
{
	return t + CLOCK_SLACK_NS >= client.t0 && t <= client.t1 + CLOCK_SLACK_NS;
}

/*
 * Checks the times the latest run wrote and copies them into c->v: a new
 * sent_ns taken during the run; a sample's rtt measured from the previous
 * sent_ns to a moment during the run, and before the new sent_ns.
 */
static bool chain_times(struct chain *c, bool sent, int sample, const char *what)
{
	struct xdping_run got;
	uint64_t rtt, prev = c->v.sent_ns;

	if (!run_get(&c->key, &got, what))
		return false;
	if (sent) {
		if (!tap_check(within_run(got.sent_ns), "%s: sent_ns %llu not within the run "
			       "[%llu, %llu]", what, (unsigned long long)got.sent_ns,
			       (unsigned long long)client.t0, (unsigned long long)client.t1))
			return false;
		c->v.sent_ns = got.sent_ns;
	}
	if (sample < 0)
		return true;
	rtt = got.rtt_ns[sample];
	c->v.rtt_ns[sample] = rtt;
	/* the sample's arrival: the very clock read its rtt ends at */
	c->v.at_ns[sample] = prev + rtt;
	return tap_check(rtt > 0 && within_run(prev + rtt) && (!sent || prev + rtt <= got.sent_ns),
			 "%s: rtt_ns[%d] %llu does not run from sent_ns %llu to this run [%llu, "
			 "%llu] (new sent_ns %llu)", what, sample, (unsigned long long)rtt,
			 (unsigned long long)prev, (unsigned long long)client.t0,
			 (unsigned long long)client.t1, (unsigned long long)got.sent_ns);
}

/* The sequence the client puts on its next request: one past the last one
 * sent, never the carriers' (first_seq). */
static uint16_t next_seq(const struct chain *c)
{
	uint16_t next = ntohs(c->v.seq) + 1;

	return next == ntohs(c->v.first_seq) ? next + 1 : next;
}

/*
 * Feeds r, a reply with the sequence the run waits for (or a carrier's,
 * first_seq); checks the verdict, every byte out, the run and the
 * counters afterwards.
 */
static bool chain_step(struct chain *c, const struct echo *r, const char *what)
{
	struct xdping_stats before, d = { 0 };
	bool start = r->seq == ntohs(c->v.first_seq);
	bool sample = !start && c->v.sent_ns != 0, last = false, ok;
	struct echo want = *r;
	int i = c->v.done;

	if (!stats_get(&client, XDPING_ROLE_CLIENT, &before))
		return false;
	if (sample && i >= XDPING_MAX_SAMPLES) {
		d.errors = 1;
		want_errors++;
		return expect_echo_pass(&client, r, what) && run_is(&c->key, &c->v, what) &&
		       stats_moved(&client, &before, &d, what);
	}
	if (sample) {
		c->v.ttl[i] = echo_ttl(r);
		c->v.seqs[i] = htons(r->seq);
		c->v.icmp_len = 8 + r->plen;
		c->v.done++;
		last = c->v.done >= c->v.count;
		d.samples = 1;
		want_samples++;
	}
	if (last) {
		want.seq = ntohs(c->v.first_seq);
		d.passed = d.completed = 1;
		want_completed++;
		ok = expect_echo(&client, c->key.ifindex, r, XDP_PASS, &want, what);
	} else {
		turn(&want, fam_of(r)->request);
		want.seq = next_seq(c);
		c->v.seq = htons(want.seq);
		c->v.chains += start;
		d.answered = 1;
		ok = expect_echo(&client, c->key.ifindex, r, XDP_TX, &want, what);
	}
	return ok && chain_times(c, !last, sample ? i : -1, what) &&
	       run_is(&c->key, &c->v, what) && stats_moved(&client, &before, &d, what);
}

/* The reply the run waits for next, from template t; the TTL (hop limit) varies by step. */
static struct echo chain_reply(const struct chain *c, const struct echo *t)
{
	struct echo r = *t;

	r.seq = ntohs(c->v.seq);
	set_ttl(&r, echo_ttl(t) + c->v.done * 7);
	return r;
}

/* A whole run from template t: count + 1 replies, the last one handed back. */
static bool chain_run(uint16_t count, uint16_t first_seq, const struct echo *t,
		      const char *what)
{
	struct chain *c = malloc(sizeof(*c));
	char buf[128];
	bool ok;
	int n;

	if (!c || !chain_start(c, lo, t, count, first_seq)) {
		free(c);
		return false;
	}
	for (n = 0, ok = true; ok && n <= count; n++) {
		struct echo r = chain_reply(c, t);

		snprintf(buf, sizeof(buf), "%s, reply %d of %u (seq %u)", what, n + 1, count + 1,
			 r.seq);
		ok = chain_step(c, &r, buf);
	}
	chain_end(c);
	free(c);
	return ok;
}

/* Feeds p on ifindex (no match expected): XDP_PASS untouched, c's run unchanged. */
static void foreign_on(const struct chain *c, uint32_t ifindex, const struct pkt *p,
		       const char *what)
{
	struct xdping_stats before, d = { .passed = 1 };

	if (stats_get(&client, XDPING_ROLE_CLIENT, &before) &&
	    expect_pass_on(&client, ifindex, p, what) &&
	    run_is(&c->key, &c->v, what))
		stats_moved(&client, &before, &d, what);
}

static void foreign_echo(const struct chain *c, const struct echo *r, const char *what)
{
	struct pkt p;

	echo_build(r, &p);
	foreign_on(c, lo, &p, what);
}

/* A run of 5 in flight: 2 replies in, so sent_ns, a sample and seq 3 are set. */
static bool chain_midway(struct chain *c, const struct echo *t)
{
	struct echo r;
	int n;

	if (!chain_start(c, lo, t, 5, 1))
		return false;
	for (n = 0; n < 2; n++) {
		r = chain_reply(c, t);
		if (!chain_step(c, &r, "setting up a run"))
			return false;
	}
	return true;
}

/* The run still works after the foreign frames: its next reply is answered. */
static void chain_goes_on(struct chain *c, const struct echo *t)
{
	struct echo r = chain_reply(c, t);

	chain_step(c, &r, "the run's own next reply");
	chain_end(c);
}

static void client_ifindex(void)
{
	struct echo r = reply(&ipv4, 1, 56), want = r;
	struct chain c;

	turn(&want, ECHO_REQUEST);
	want.seq = 2;
	if (chain_start(&c, 1, &r, 1, 1)) {
		tap_check(lo == 1, "lo has ifindex %u", lo);
		expect_echo(&client, 0, &r, XDP_TX, &want, "no ctx_in, run keyed with ifindex 1");
		chain_end(&c);
	}
	tap_end("client: without ctx_in the ingress ifindex is lo's (1); tests pass ctx_in "
		"ingress_ifindex = lo (%u)", lo);
}

static void client_no_run(void)
{
	struct echo r = reply(&ipv4, 1, 56);

	expect_echo_pass(&client, &r, "no run at all");
	r.seq = 2;
	expect_echo_pass(&client, &r, "no run at all, seq 2");
	tap_end("client: a reply with no run in the map -> XDP_PASS untouched");
}

/* The run for b's replies: its family, and b's address in the first addr_len bytes. */
static bool key_is_b(const struct fam *f, const struct chain *c)
{
	uint8_t want[16] = { 0 };

	if (f->v6)
		memcpy(want, addr6_b, 16);
	else
		pkt_set32(want, ADDR_B);
	return tap_check(c->key.family == f->family && !memcmp(c->v.addr, want, 16),
			 "run is not family %u with the %u-byte source", f->family,
			 f->addr_len);
}

/* Replies with any seq to a completed run pass untouched; the run stays as it is. */
static void completed_run(const struct chain *c, const struct echo *t)
{
	struct xdping_stats before, d = { .passed = 1 };
	char what[64];
	struct echo r = *t;
	uint16_t seq;

	for (seq = 0;; seq++) {
		snprintf(what, sizeof(what), "reply seq %u after completion", seq);
		r.seq = seq;
		if (!stats_get(&client, XDPING_ROLE_CLIENT, &before) ||
		    !expect_echo_pass(&client, &r, what) || !run_is(&c->key, &c->v, what) ||
		    !stats_moved(&client, &before, &d, what) || seq == 0xffff)
			break;
	}
}

/* One run of 3 samples, step by step. */
static void client_steps(const struct fam *f)
{
	struct echo t = reply(f, 1, 56), r;
	struct chain c;

	if (!chain_start(&c, lo, &t, 3, 1))
		goto out;
	key_is_b(f, &c);
	r = chain_reply(&c, &t);
	chain_step(&c, &r, "reply seq 1");
	tap_end("%s: run {lo, id, family %u, %u-byte address}: reply (%u) seq 1 -> request (%u) "
		"seq 2 (XDP_TX), %s %d, exact bytes; run: seq 2, sent_ns set, done 0", f->client,
		f->family, f->addr_len, f->reply, f->request, f->ttl, XDPING_TTL);
	r = chain_reply(&c, &t);
	chain_step(&c, &r, "reply seq 2");
	tap_end("%s: reply seq 2 -> request seq 3; sample 0 stored (rtt, %s), icmp_len 64, "
		"done 1", f->client, f->ttl);
	r = chain_reply(&c, &t);
	chain_step(&c, &r, "reply seq 3");
	tap_end("%s: reply seq 3 -> request seq 4; sample 1, done 2", f->client);
	r = chain_reply(&c, &t);
	chain_step(&c, &r, "reply seq 4");
	tap_end("%s: reply seq 4 completes the run: XDP_PASS with seq 1, %s checksum right, "
		"other bytes kept; completed +1", f->client, f->icmp);
	completed_run(&c, &t);
	chain_end(&c);
out:
	tap_end("%s: replies with any seq (0..65535) to a completed run -> XDP_PASS untouched, "
		"no sample", f->client);
}

static void client_sizes(const struct fam *f)
{
	char what[64];
	unsigned int plen;

	for (plen = 0; plen <= f->max_payload; plen++) {
		struct echo t = reply(f, 1, plen);

		snprintf(what, sizeof(what), "payload %u", plen);
		if (!chain_run(1, 1, &t, what))
			break;
	}
	tap_end("%s: count 1, payload 0..%u: next request (XDP_TX) and the handed-back reply, "
		"exact bytes, run state", f->client, f->max_payload);
}

static struct echo reply_seq1(const struct fam *f, uint16_t plen)
{
	return reply(f, 1, plen);
}

/* A run of 2 from t's sequence on. */
static void client_run2(const struct echo *t, const char *what)
{
	char buf[96];

	snprintf(buf, sizeof(buf), "%s (count 2)", what);
	chain_run(2, t->seq, t, buf);
}

static void client_ihl(void)
{
	each_shape(&ipv4, reply_seq1, NULL, 0, 1, client_run2);
	tap_end("client: IHL 5..15, count 2: exact bytes, options kept, icmp_len right");
}

static void client_tags(const struct fam *f, const struct pkt_vlan *tags, int ntags,
			const char *desc)
{
	each_shape(f, reply_seq1, tags, ntags, 10, client_run2);
	tap_end("%s: %s, count 2: exact bytes, tags kept", f->client, desc);
}

static void client_ids_seqs(void)
{
	static const uint16_t ids[] = { 0, 1, 0x0100, 0x7e4a, 0xffff };
	static const uint16_t firsts[] = { 0, 0x00ff, 0x0100, 0x7fff, 0xfffe, 0xffff };
	char what[64];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(ids); i++) {
		struct echo t = echo_from_b(&ipv4, ECHO_REPLY, ids[i], 0, 56);

		snprintf(what, sizeof(what), "id %#x", ids[i]);
		chain_run(3, 1, &t, what);
	}
	for (i = 0; i < ARRAY_SIZE(firsts); i++) {
		struct echo t = reply(&ipv4, 0, 56);

		snprintf(what, sizeof(what), "first seq %#x", firsts[i]);
		chain_run(3, firsts[i], &t, what);
	}
	tap_end("client: echo ids 0..ffff, first seqs incl. 0 and a wrap past ffff, count 3");
}

static void client_random(const struct fam *f, uint32_t s, const char *varied)
{
	char what[64];
	int i;

	for (i = 0; i < 300; i++) {
		struct echo t = random_echo(f, &s, f->reply);
		uint16_t count = 1 + pkt_rand(&s) % 4, first = pkt_rand(&s);

		t.id = first ^ 0x5a5a;
		snprintf(what, sizeof(what), "random run #%d (count %u, payload %u)", i, count,
			 t.plen);
		if (!chain_run(count, first, &t, what))
			break;
	}
	tap_end("%s: 300 random runs (%s, ids, first seqs, tags, payloads, count 1..4)",
		f->client, varied);
}

/* The run in flight that refused frames must leave alone. */
static struct chain *pending;

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

static void client_padding(void)
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

static void client_max_samples(const struct fam *f, uint16_t first_seq)
{
	struct echo t = reply(f, 1, 56);
	struct xdping_stats before, d = { .answered = XDPING_MAX_SAMPLES, .samples =
		XDPING_MAX_SAMPLES, .completed = 1, .passed = 1 };

	if (stats_get(&client, XDPING_ROLE_CLIENT, &before) &&
	    chain_run(XDPING_MAX_SAMPLES, first_seq, &t, "count 1024"))
		stats_moved(&client, &before, &d, "count 1024");
	tap_end("%s: count %d (XDPING_MAX_SAMPLES) from seq %#x%s to completion: every sample "
		"and %s in place", f->client, XDPING_MAX_SAMPLES, first_seq,
		first_seq + XDPING_MAX_SAMPLES > 0xffff ? " (wrapping)" : "", f->ttl);
}

/* A run asking for more than the map holds stops short, counted as an error. */
static void client_over_max(void)
{
	struct echo t = reply(&ipv4, 1, 56);
	struct chain *c = malloc(sizeof(*c));
	char what[64];
	int n;

	if (c && chain_start(c, lo, &t, XDPING_MAX_SAMPLES + 1, 1)) {
		for (n = 0; n <= XDPING_MAX_SAMPLES + 1; n++) {
			struct echo r = chain_reply(c, &t);

			snprintf(what, sizeof(what), "reply %d of %d", n + 1,
				 XDPING_MAX_SAMPLES + 2);
			if (!chain_step(c, &r, what))
				break;
		}
		chain_end(c);
	}
	free(c);
	tap_end("client: count %d (over the contract): reply for sample %d -> XDP_PASS "
		"untouched, errors +1", XDPING_MAX_SAMPLES + 1, XDPING_MAX_SAMPLES + 1);
}

/* Replies from sources near c's: each byte off by a bit, - 1, reversed, a's, swapped. */
static void wrong_sources(const struct chain *c, const struct echo *t)
{
	unsigned int n = fam_of(t)->addr_len, i;
	uint8_t src[16], dst[16], a[16];
	char what[64];
	struct echo r;

	addrs_get(t, src, dst);
	for (i = 0; i < n; i++) {
		r = chain_reply(c, t);
		memcpy(a, src, 16);
		a[i] ^= 1;
		addrs_set(&r, a, dst);
		snprintf(what, sizeof(what), "source with byte %u off by one bit", i);
		foreign_echo(c, &r, what);
	}
	r = chain_reply(c, t);
	memcpy(a, src, 16);
	a[n - 1]--;
	addrs_set(&r, a, dst);
	foreign_echo(c, &r, "source - 1");
	r = chain_reply(c, t);
	for (i = 0; i < n; i++)
		a[i] = src[n - 1 - i];
	addrs_set(&r, a, dst);
	foreign_echo(c, &r, "source bytes reversed");
	r = chain_reply(c, t);
	addrs_set(&r, dst, dst);
	foreign_echo(c, &r, "source = destination");
	r = chain_reply(c, t);
	swap_addrs(&r);
	foreign_echo(c, &r, "addresses swapped");
}

static void client_mismatch(const struct fam *f)
{
	static const uint16_t ids[] = { CLIENT_ID + 1, CLIENT_ID - 1, 0x7e4a, 0 };
	static const int off[] = { -1, 1, -3, 2, 100, -100 };	/* -2 is the carriers' */
	struct echo t = reply(f, 1, 56), t7 = t, r;
	struct chain c, other;
	char what[64];
	uint16_t seq;
	size_t i;

	if (!chain_midway(&c, &t))
		goto out;
	seq = ntohs(c.v.seq);
	for (i = 0; i < ARRAY_SIZE(ids); i++) {
		r = chain_reply(&c, &t);
		r.id = ids[i];
		snprintf(what, sizeof(what), "id %#x", ids[i]);
		foreign_echo(&c, &r, what);
	}
	for (i = 0; i < ARRAY_SIZE(off); i++) {
		r = chain_reply(&c, &t);
		r.seq = seq + off[i];
		snprintf(what, sizeof(what), "seq %u (run waits for %u)", r.seq, seq);
		foreign_echo(&c, &r, what);
	}
	r = chain_reply(&c, &t);
	r.seq = seq << 8 | seq >> 8;
	foreign_echo(&c, &r, "seq byte-swapped");
	wrong_sources(&c, &t);
	/* The same reply for a run on another interface: lo's has another id. */
	t7.id = CLIENT_ID + 7;
	if (chain_start(&other, lo + 1000, &t7, 5, 1)) {
		r = chain_reply(&other, &t7);
		foreign_echo(&other, &r, "run on ifindex lo+1000");
		run_is(&c.key, &c.v, "lo's run");
		chain_end(&other);
	}
	chain_goes_on(&c, &t);
out:
	tap_end("%s: wrong id, seq (before/after, byte-swapped), source address (any byte of "
		"the %u) or ifindex -> XDP_PASS untouched, run unchanged", f->client, f->addr_len);
}

/*
 * A stalled chain restarted by another carrier: the carrier's reply is no
 * sample and gets a sequence never sent before; the late reply to the
 * abandoned chain's request then passes untouched, never a sample, even
 * though it comes from the target with the run's identifier.
 */
static void client_restart(const struct fam *f)
{
	struct echo t = reply(f, 1, 56), r, late;
	struct chain c;
	int n;

	if (!chain_midway(&c, &t))
		goto out;
	late = chain_reply(&c, &t);		/* the reply to the request in flight (seq 3) */
	r = t;
	r.seq = ntohs(c.v.first_seq);		/* a second carrier's reply */
	if (!chain_step(&c, &r, "carrier's reply mid-chain") ||
	    !tap_check(ntohs(c.v.seq) == 4 && c.v.chains == 2 && c.v.done == 1,
		       "restart: seq %u chains %u done %u, want 4 2 1", ntohs(c.v.seq),
		       c.v.chains, c.v.done))
		goto end;
	foreign_echo(&c, &late, "late reply of the abandoned chain (seq 3)");
	for (n = 0; n < 4; n++) {
		r = chain_reply(&c, &t);
		if (!chain_step(&c, &r, "the restarted chain"))
			goto end;
	}
	foreign_echo(&c, &late, "late reply once the run is complete");
	tap_check(c.v.done == 5, "done %u, want 5", c.v.done);
end:
	chain_end(&c);
out:
	tap_end("%s: a carrier's reply mid-chain restarts it (no sample, chains +1, request "
		"with a fresh seq 4); the abandoned request's late reply (seq 3) -> XDP_PASS "
		"untouched, no sample; the run completes with 5 real samples", f->client);
}

/* After a wrap, the client skips the carriers' sequence. */
static void client_skip_first(const struct fam *f)
{
	struct echo t = reply(f, 1, 56), r;
	struct chain c;

	if (!chain_start(&c, lo, &t, 3, 5))
		goto out;
	c.v.seq = htons(3);	/* as if 65534 requests had gone by */
	if (!tap_check(!bpf_map_update_elem(client.runs, &c.key, &c.v, BPF_EXIST),
		       "setting seq 3: %s", strerror(errno)))
		goto end;
	r = t;
	r.seq = 5;
	if (!chain_step(&c, &r, "carrier's reply, seq 5 -> request 4"))
		goto end;
	r.seq = 4;
	if (!chain_step(&c, &r, "reply 4 -> request 6, not 5") ||
	    !tap_check(ntohs(c.v.seq) == 6, "seq %u, want 6", ntohs(c.v.seq)))
		goto end;
	r.seq = 6;
	chain_step(&c, &r, "reply 6");
end:
	chain_end(&c);
out:
	tap_end("%s: the sequence after 4 is 6 when the carriers use 5: a request never "
		"carries the carriers' sequence", f->client);
}

/* A run on each device; a reply only counts on the device of its run. */
static void client_other_device(void)
{
	static const char desc[] = "client: run keyed on a second device: its reply on lo, or "
				   "lo's reply on it -> XDP_PASS untouched, runs unchanged";
	struct echo t = reply(&ipv4, 1, 56), t3, r;
	struct chain on_lo, on_other;
	struct pkt p;

	if (!other_if) {
		tap_skip("no second device (needs its own netns and ip link add)", desc);
		return;
	}
	t.id = CLIENT_ID + 2;
	t3 = t;
	t3.id = CLIENT_ID + 3;
	if (!chain_midway(&on_lo, &t))
		goto out;
	if (chain_start(&on_other, other_if, &t3, 5, 1)) {
		r = chain_reply(&on_other, &t3);
		echo_build(&r, &p);
		foreign_on(&on_lo, lo, &p, "other device's reply on lo");
		run_is(&on_other.key, &on_other.v, "other device's run");
		chain_step(&on_other, &r, "other device's reply on it");
		r = chain_reply(&on_lo, &t);
		echo_build(&r, &p);
		foreign_on(&on_other, other_if, &p, "lo's reply on the other device");
		chain_end(&on_other);
	}
	chain_goes_on(&on_lo, &t);
out:
	tap_end("%s", desc);
}

static void client_not_reply(const struct fam *f)
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
	set_tags(&r, tags_3, 3);
	foreign_echo(&c, &r, "three VLAN tags");
	chain_goes_on(&c, &t);
out:
	tap_end("%s: matching id/seq/source but an echo request (%u), any other %s type or "
		"code, 3 tags -> XDP_PASS untouched, run unchanged", f->client, f->request,
		f->icmp);
}

static void client_malformed(const struct fam *f, const char *desc)
{
	struct echo t = reply(f, 1, 56), r;
	struct chain c;

	if (!chain_midway(&c, &t))
		goto out;
	pending = &c;
	r = chain_reply(&c, &t);
	bad_ip(&r, client_refuse_frame);
	set_tags(&r, tags_qinq, 2);
	set_ihl(&r, 9);
	bad_ip(&r, client_refuse_frame);
	chain_goes_on(&c, &t);
out:
	tap_end("%s: the awaited reply %s -> XDP_PASS untouched, run unchanged", f->client, desc);
}

static void client_truncations(const struct fam *f)
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

/*
 * Runs of both families whose keys differ only in the family: the IPv4
 * address 32.1.13.184 and the IPv6 address 2001:db8:: share their 16
 * key bytes, as do 198.19.7.2 and c613:702::.
 */
static void client_family(void)
{
	struct echo t4 = reply(&ipv4, 1, 56), t6 = reply(&ipv6, 1, 56), r;
	struct chain c4, c6;
	int n;

	t4.ip.saddr = 0x20010db8;
	memset(t6.ip6.saddr + 4, 0, 12);
	if (!chain_midway(&c6, &t6))
		goto out;
	r = chain_reply(&c6, &t4);
	foreign_echo(&c6, &r, "IPv4 reply from 32.1.13.184, IPv6 run of 2001:db8::");
	chain_goes_on(&c6, &t6);

	t4.ip.saddr = ADDR_B;
	memset(t6.ip6.saddr, 0, 16);
	pkt_set32(t6.ip6.saddr, ADDR_B);
	if (!chain_midway(&c4, &t4))
		goto out;
	r = chain_reply(&c4, &t6);
	foreign_echo(&c4, &r, "IPv6 reply from c613:702::, IPv4 run of 198.19.7.2");
	chain_goes_on(&c4, &t4);

	/* Both at once, same ifindex, id and seq: each reply moves its own run only. */
	t4.ip.saddr = 0x20010db8;
	memcpy(t6.ip6.saddr, addr6_a, 4);
	memset(t6.ip6.saddr + 4, 0, 12);
	if (!chain_start(&c4, lo, &t4, 3, 9) || !chain_start(&c6, lo, &t6, 3, 9))
		goto out;
	tap_check(!memcmp(c4.v.addr, c6.v.addr, 16) && c4.key.id == c6.key.id,
		  "the two keys differ in more than the family");
	for (n = 0; n < 4; n++) {
		r = chain_reply(&c6, &t6);
		if (!chain_step(&c6, &r, "IPv6 reply, both runs seeded") ||
		    !run_is(&c4.key, &c4.v, "IPv4 run after an IPv6 reply"))
			break;
		r = chain_reply(&c4, &t4);
		if (!chain_step(&c4, &r, "IPv4 reply, both runs seeded") ||
		    !run_is(&c6.key, &c6.v, "IPv6 run after an IPv4 reply"))
			break;
	}
	chain_end(&c4);
	chain_end(&c6);
out:
	tap_end("client: the family is part of the key: an IPv4 reply never moves an IPv6 run "
		"with the same first 4 address bytes, nor the reverse; both run side by side");
}

static void client_totals(void)
{
	struct xdping_stats st;

	if (stats_get(&client, XDPING_ROLE_CLIENT, &st)) {
		tap_check(st.answered == client.tx, "answered %llu, XDP_TX seen %llu",
			  (unsigned long long)st.answered, (unsigned long long)client.tx);
		tap_check(st.passed + st.errors == client.pass,
			  "passed %llu + errors %llu, XDP_PASS seen %llu",
			  (unsigned long long)st.passed, (unsigned long long)st.errors,
			  (unsigned long long)client.pass);
		tap_check(st.samples == want_samples && st.completed == want_completed &&
			  st.errors == want_errors,
			  "samples/completed/errors %llu/%llu/%llu, want %llu/%llu/%llu",
			  (unsigned long long)st.samples, (unsigned long long)st.completed,
			  (unsigned long long)st.errors, (unsigned long long)want_samples,
			  (unsigned long long)want_completed, (unsigned long long)want_errors);
	}
	tap_end("client: counters over the whole test match the verdicts, samples and runs seen");
}

static void client_tests(void)
{
	client_ifindex();
	client_no_run();
	client_steps(&ipv4);
	client_sizes(&ipv4);
	client_ihl();
	client_tags(&ipv4, tags_1q, 1, "one 802.1Q tag");
	client_tags(&ipv4, tags_qinq, 2, "802.1ad + 802.1Q tags");
	client_ids_seqs();
	client_padding();
	client_max_samples(&ipv4, 1);
	client_over_max();
	client_mismatch(&ipv4);
	client_restart(&ipv4);
	client_skip_first(&ipv4);
	client_other_device();
	client_not_reply(&ipv4);
	client_malformed(&ipv4, "as fragment, with a bad length/version/IHL, another "
			 "EtherType or IP protocol");
	client_truncations(&ipv4);
	client_steps(&ipv6);
	client_sizes(&ipv6);
	client_tags(&ipv6, tags_1q, 1, "one 802.1Q tag");
	client_tags(&ipv6, tags_qinq, 2, "802.1ad + 802.1Q tags");
	client_random(&ipv6, 20261124, "2001:db8::/32 addresses, hop limits");
	client_max_samples(&ipv6, 0xfff0);
	client_mismatch(&ipv6);
	client_restart(&ipv6);
	client_family();
	client_not_reply(&ipv6);
	client_malformed(&ipv6, "behind an extension header (hop-by-hop, fragment, ...), with "
			 "a bad payload length, trailing bytes or version != 6");
	client_truncations(&ipv6);
	client_totals();
}

/* A netns of our own (nothing to clean up) with a second device in it. */
static void own_netns(void)
{
	static const char *cmds[] = {
		"ip link add xdpkt0 type dummy >/dev/null 2>&1",
		"ip link add xdpkt0 type veth peer name xdpkt1 >/dev/null 2>&1",
	};
	size_t i;

	if (unshare(CLONE_NEWNET)) {
		printf("# unshare(CLONE_NEWNET): %s; staying in this netns\n", strerror(errno));
		return;
	}
	for (i = 0; i < ARRAY_SIZE(cmds) && !other_if; i++)
		if (system(cmds[i]) == 0)
			other_if = if_nametoindex("xdpkt0");
}

int main(int argc, char **argv)
{
	const char *dir = argc > 1 ? argv[1] : "xdp";

	own_netns();
	lo = if_nametoindex("lo");
	if (load(&server, dir))
		server_tests();
	if (load(&client, dir))
		client_tests();
	return tap_done();
}
