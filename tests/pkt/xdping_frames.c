// SPDX-License-Identifier: GPL-2.0
/*
 * The frame model of the xdping packet tests: echo frames built byte by
 * byte (ICMPv6 checksums over the pseudo-header),
 * random ones, running a frame through an object and checking the
 * verdict, every byte out and its checksums, the counters, loading.
 */
#define _GNU_SOURCE
#include "xdping.h"

size_t echo_l3(const struct echo *e)
{
	return PKT_ETH_HLEN + 4 * e->ntags;
}

size_t echo_l4(const struct echo *e)
{
	return echo_l3(e) + (e->v6 ? 40 + e->ext_len : 20 + e->ip.opt_len);
}

/* The TTL or hop limit of e. */
uint8_t echo_ttl(const struct echo *e)
{
	return e->v6 ? e->ip6.hlim : e->ip.ttl;
}

void set_ttl(struct echo *e, uint8_t ttl)
{
	if (e->v6)
		e->ip6.hlim = ttl;
	else
		e->ip.ttl = ttl;
}

/* The addresses of e as the client's key holds them: IPv4 in the first 4 of 16 bytes. */
void addrs_get(const struct echo *e, uint8_t src[16], uint8_t dst[16])
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

void addrs_set(struct echo *e, const uint8_t src[16], const uint8_t dst[16])
{
	if (e->v6) {
		memcpy(e->ip6.saddr, src, 16);
		memcpy(e->ip6.daddr, dst, 16);
		return;
	}
	e->ip.saddr = pkt_get32(src);
	e->ip.daddr = pkt_get32(dst);
}

void swap_addrs(struct echo *e)
{
	uint8_t src[16], dst[16];

	addrs_get(e, src, dst);
	addrs_set(e, dst, src);
}

const char *addr_str(const struct echo *e, const uint8_t a[16], char buf[INET6_ADDRSTRLEN])
{
	return inet_ntop(e->v6 ? AF_INET6 : AF_INET, a, buf, INET6_ADDRSTRLEN);
}

void echo_build(const struct echo *e, struct pkt *p)
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
struct echo echo_from_b(const struct fam *f, uint8_t type, uint16_t id, uint16_t seq,
			uint16_t plen)
{
	struct echo e;

	memset(&e, 0, sizeof(e));
	memcpy(e.dst, pkt_mac_a, 6);
	memcpy(e.src, pkt_mac_b, 6);
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

struct echo request(const struct fam *f, uint16_t plen)
{
	return echo_from_b(f, f->request, 0x1234, 7, plen);
}

struct echo reply(const struct fam *f, uint16_t seq, uint16_t plen)
{
	return echo_from_b(f, f->reply, CLIENT_ID, seq, plen);
}

/* The frame sent back: addresses swapped, fresh TTL (hop limit), new type. */
void turn(struct echo *e, uint8_t type)
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
void set_ihl(struct echo *e, unsigned int ihl)
{
	if (e->v6)
		return;
	ip_options(&e->ip, (ihl - 5) * 4, ihl);
	if (e->plen > MAX_PAYLOAD - e->ip.opt_len)
		e->plen = MAX_PAYLOAD - e->ip.opt_len;
}

void set_tags(struct echo *e, const struct pkt_vlan *tags, int n)
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
bool same_frame(const struct pkt *got, const struct pkt *want, const char *fmt,
		const char *what)
{
	if (tap_check(got->len == want->len && !memcmp(got->b, want->b, want->len), fmt, what))
		return true;
	tap_hexdiff(got->b, got->len, want->b, want->len);
	return false;
}

/* Feeds in; checks the verdict and the whole frame out (want NULL: in, untouched). */
bool expect_frame(struct obj *o, uint32_t ifindex, const struct pkt *in,
		  uint32_t verdict, const struct pkt *want, struct pkt *out,
		  const char *what)
{
	uint32_t got;

	if (!want)
		want = in;
	if (!run(o, ifindex, in, out, &got))
		return false;
	if (!tap_check(got == verdict, "%s: %s, want %s", what, pkt_verdict_name(got),
		       pkt_verdict_name(verdict)))
		return false;
	return same_frame(out, want, "%s: frame out is not the expected one", what);
}

bool expect_pass_on(struct obj *o, uint32_t ifindex, const struct pkt *in,
		    const char *what)
{
	struct pkt out;

	return expect_frame(o, ifindex, in, XDP_PASS, NULL, &out, what);
}

bool expect_pass(struct obj *o, const struct pkt *in, const char *what)
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
bool echo_csums_ok(const struct echo *e, const struct pkt *p, const char *what)
{
	size_t l3 = echo_l3(e), l4 = echo_l4(e);

	if (!e->v6 && !tap_check(pkt_sum(p->b + l3, l4 - l3) == 0xffff,
				 "%s: IP checksum does not verify", what))
		return false;
	return tap_check(icmp_sum(e, p) == 0xffff, "%s: %s checksum does not verify", what,
			 fam_of(e)->icmp);
}

/* Feeds in; the frame out must be want, byte for byte, with good checksums. */
bool expect_echo(struct obj *o, uint32_t ifindex, const struct echo *in,
		 uint32_t verdict, const struct echo *want, const char *what)
{
	struct pkt pin, pwant, out;

	echo_build(in, &pin);
	echo_build(want, &pwant);
	return expect_frame(o, ifindex, &pin, verdict, &pwant, &out, what) &&
	       echo_csums_ok(want, &out, what);
}

bool expect_echo_pass(struct obj *o, const struct echo *in, const char *what)
{
	struct pkt pin;

	echo_build(in, &pin);
	return expect_pass(o, &pin, what);
}

/* The server's answer to in. */
bool expect_answer(const struct echo *in, const char *what)
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

void echo_truncations(struct obj *o, const struct echo *e)
{
	char what[64];
	struct pkt p;

	echo_build(e, &p);
	expect_truncations_pass(o, &p, echo_shape(e, what, sizeof(what)));
}

/* e, then e with two tags and (IPv4) IHL 15, cut at every length. */
void truncations(struct obj *o, struct echo e)
{
	echo_truncations(o, &e);
	set_tags(&e, pkt_tags_qinq, 2);
	set_ihl(&e, 15);
	echo_truncations(o, &e);
}

/* Builds e and hands it to refused(), described by fmt. */
void __attribute__((format(printf, 3, 4)))
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

/* check() on make()'s frame of each size, with the tags, for IHL 5, 5 + ihl_step, .. max. */
void each_shape(const struct fam *f, echo_maker make, const struct pkt_vlan *tags,
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

bool stats_get(const struct obj *o, uint32_t role, struct xdping_stats *st)
{
	uint64_t sum[STATS_WORDS];
	int err = mapio_percpu_sum(o->stats, &role, sizeof(*st), sum, STATS_WORDS);

	memcpy(st, sum, sizeof(*st));
	return tap_check(!err, "%s: lookup of xdping_stats[%u]: %s", o->name, role,
			 strerror(-err));
}

/* The counters of o's role moved by d since before. */
bool stats_moved(const struct obj *o, const struct xdping_stats *before,
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

bool load(struct obj *o, const char *dir)
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
struct echo random_echo(const struct fam *f, uint32_t *s, uint8_t type)
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
