// SPDX-License-Identifier: GPL-2.0
/*
 * Packet tests of xdp/srclog.o: crafted frames through BPF_PROG_TEST_RUN.
 * Every frame must come out XDP_PASS and byte for byte as it went in;
 * after every frame the counters in srclog_stats, the source's entry in
 * srclog_sources and the events in srclog_events are checked against a
 * model kept here. TAP on stdout.
 *
 *   srclog_test [-t NAME]... [DIR]     DIR holds the objects (default: xdp);
 *                                      -t: the tests whose name holds NAME
 *
 * It moves into a network namespace of its own (lo, and a dummy or veth
 * device made with ip(8) for a second ifindex) and pins itself to one CPU,
 * so that per-CPU values and 1-in-N sampling are exact. Map sizes of the
 * extra objects (a small ring, a small source table) are set with libbpf
 * before load; the object file is the same.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <net/if.h>
#include <sched.h>
#include <stddef.h>
#include "pkt.h"
#include "../../maps/srclog_sources.h"
#include "../../maps/srclog_events.h"
#include "../../maps/srclog_config.h"
#include "../../maps/srclog_stats.h"

/* A ring record: 8-byte header, then the event rounded up to 8 bytes. */
#define RECORD_BYTES	(8 + ((sizeof(struct srclog_event) + 7) & ~7u))
#define STATS_WORDS	(sizeof(struct srclog_stats) / 8)
#define MAX_WANT	8192	/* events queued for checking; more than a 256 KiB ring holds */

enum cls {	/* index of the counter in struct srclog_stats */
	C_IPV4 = offsetof(struct srclog_stats, ipv4) / 8,
	C_IPV6 = offsetof(struct srclog_stats, ipv6) / 8,
	C_ARP = offsetof(struct srclog_stats, arp) / 8,
	C_LLDP = offsetof(struct srclog_stats, lldp) / 8,
	C_OTHER = offsetof(struct srclog_stats, other) / 8,
	C_VLAN_DEEP = offsetof(struct srclog_stats, vlan_deep) / 8,
	C_TRUNCATED = offsetof(struct srclog_stats, truncated) / 8,
	C_MALFORMED = offsetof(struct srclog_stats, malformed) / 8,
};

static const char *const word_names[STATS_WORDS] = {
	"ipv4", "ipv6", "arp", "lldp", "other", "vlan_deep", "truncated", "malformed",
	"logged", "ring_full", "sampled_out", "sample_tick", "source_errors", "new_sources",
};

static uint32_t lo, other_if;
static int cpu = -1;		/* the CPU we run on, -1 if we could not pin */
static int ncpus;

/* An event the model expects, with the window its timestamp must fall in. */
struct want_event {
	struct srclog_event ev;	/* timestamp_ns unused */
	uint64_t t0, t1;
};

struct obj {
	const char *desc;
	const char *file;		/* the object, without .o */
	struct bpf_object *bpf;
	int prog, sources, events, config, stats;
	struct ring_buffer *rb;
	uint32_t ring_bytes, max_sources;
	uint32_t log_every;
	struct srclog_stats want;	/* the model of srclog_stats */
	uint64_t room;			/* records that still fit in the ring */
	struct want_event *queue;	/* events logged, not read back yet */
	size_t queued, seen;		/* ... and how many of them the reader has checked */
	bool reading;			/* within drain(): checks go to the current test */
	uint64_t frames, passed;
	uint64_t t0, t1;		/* CLOCK_MONOTONIC around the latest run */
	uint64_t c0, c1;		/* CLOCK_MONOTONIC_COARSE around it */
};

static struct obj def = { .desc = "srclog.o", .file = "srclog" };
static struct obj small = { .desc = "srclog.o, 4 KiB ring, 1024 sources", .file = "srclog" };
/* The combined object, no rule loaded: it must be srclog, frame for frame. */
static struct obj both = { .desc = "srclog_filter.o, no rules", .file = "srclog_filter" };

/* ---- frames ---- */

struct frame {
	struct pkt_vlan tags[4];
	int ntags;
	uint16_t ethertype;
	int family;		/* 4, 6, or 0: plen bytes of something else */
	struct pkt_ipv4 ip;
	struct pkt_ipv6 ip6;
	uint16_t plen;		/* bytes after the IP header */
	uint32_t seed;
};

/* Tag stacks beyond pkt.h's pkt_tags_*. */
static const struct pkt_vlan tags_1ad[] = { { PKT_ETH_P_8021AD, 0x0065 } };
static const struct pkt_vlan tags_adad[] = { { PKT_ETH_P_8021AD, 0x0007 },
					     { PKT_ETH_P_8021AD, 0x0008 } };
static const struct pkt_vlan tags_4[] = { { PKT_ETH_P_8021Q, 0x0010 },
					  { PKT_ETH_P_8021Q, 0x0020 },
					  { PKT_ETH_P_8021AD, 0x0030 },
					  { PKT_ETH_P_8021Q, 0x0040 } };

static void set_tags(struct frame *f, const struct pkt_vlan *tags, int n)
{
	memcpy(f->tags, tags, n * sizeof(*tags));
	f->ntags = n;
}

/* n tags, outer first: 802.1ad then 802.1Q ones */
static const struct pkt_vlan *tags_for(int n)
{
	return n == 1 ? pkt_tags_1q : n == 2 ? pkt_tags_qinq : pkt_tags_3;
}

static struct frame ipv4(uint32_t saddr, uint16_t plen)
{
	struct frame f;

	memset(&f, 0, sizeof(f));
	f.ethertype = PKT_ETH_P_IP;
	f.family = 4;
	f.ip.ttl = 61;
	f.ip.proto = 17;
	f.ip.id = 0x3e01 + plen;
	f.ip.frag = PKT_IP_DF;
	f.ip.saddr = saddr;
	f.ip.daddr = 0xc6120001;	/* 198.18.0.1 */
	f.plen = plen;
	f.seed = saddr ^ plen;
	return f;
}

/* 2001:db8:SSSS::LLLL, s and l in host order. */
static void addr6(uint8_t a[16], uint16_t s, uint32_t l)
{
	memset(a, 0, 16);
	pkt_set32(a, 0x20010db8);
	pkt_set16(a + 4, s);
	pkt_set32(a + 12, l);
}

static struct frame ipv6(uint32_t low, uint16_t plen)
{
	struct frame f;

	memset(&f, 0, sizeof(f));
	f.ethertype = PKT_ETH_P_IPV6;
	f.family = 6;
	f.ip6.tclass = 0xb8;
	f.ip6.flow = 0x12345;
	f.ip6.next = 17;
	f.ip6.hlim = 63;
	addr6(f.ip6.saddr, 7, low);
	addr6(f.ip6.daddr, 1, 1);
	f.plen = plen;
	f.seed = low ^ plen;
	return f;
}

static struct frame raw(uint16_t ethertype, uint16_t plen)
{
	struct frame f;

	memset(&f, 0, sizeof(f));
	f.ethertype = ethertype;
	f.plen = plen;
	f.seed = ethertype ^ plen;
	return f;
}

static size_t l3_off(const struct frame *f)
{
	return PKT_ETH_HLEN + 4 * f->ntags;
}

static void build(const struct frame *f, struct pkt *p)
{
	uint8_t bytes[PKT_MAX];

	p->len = 0;
	pkt_put_eth(p, pkt_mac_a, pkt_mac_b, f->tags, f->ntags, f->ethertype);
	if (f->family == 4)
		pkt_put_ipv4(p, &f->ip, f->plen);
	else if (f->family == 6)
		pkt_put_ipv6(p, &f->ip6, f->plen);
	pkt_fill(bytes, f->plen, f->seed);
	pkt_put(p, bytes, f->plen);
}

/* The key srclog must count f under when it comes in on lo (built from f,
 * not from the frame). */
static struct srclog_key key_of(const struct frame *f)
{
	struct srclog_key k;

	memset(&k, 0, sizeof(k));
	k.ifindex = lo;
	k.family = f->family;
	if (f->family == 4)
		pkt_set32(k.addr, f->ip.saddr);
	else
		memcpy(k.addr, f->ip6.saddr, 16);
	return k;
}

static const char *key_str(const struct srclog_key *k)
{
	static char buf[2][INET6_ADDRSTRLEN + 8];
	static int i;

	i ^= 1;
	if (!inet_ntop(k->family == 4 ? AF_INET : AF_INET6, k->addr, buf[i], sizeof(buf[i])))
		snprintf(buf[i], sizeof(buf[i]), "family %u", k->family);
	return buf[i];
}

/* ---- maps ---- */

static bool stats_get(struct obj *o, struct srclog_stats *st)
{
	uint64_t sum[STATS_WORDS];
	uint32_t zero = 0;
	int err = mapio_percpu_sum(o->stats, &zero, sizeof(*st), sum, STATS_WORDS);

	memcpy(st, sum, sizeof(*st));
	return tap_check(!err, "%s: lookup of srclog_stats: %s", o->desc, strerror(-err));
}

/* srclog_stats is the model, field by field. */
static bool stats_are(struct obj *o, const char *what)
{
	struct srclog_stats st;
	uint64_t *got = (uint64_t *)&st, *want = (uint64_t *)&o->want;
	bool ok = true;
	size_t i;

	if (!stats_get(o, &st))
		return false;
	for (i = 0; i < STATS_WORDS; i++)
		ok = tap_check(got[i] == want[i], "%s: srclog_stats.%s is %llu, want %llu", what,
			       word_names[i], (unsigned long long)got[i],
			       (unsigned long long)want[i]) && ok;
	return ok;
}

/*
 * A source's entry: the value on our CPU and the totals over every CPU
 * (packets and bytes summed, first_seen the least non-zero, last_seen the
 * greatest). Returns 1 found, 0 absent, -1 error (reported).
 */
static int source_get(struct obj *o, const struct srclog_key *k, struct srclog_source *mine,
		      struct srclog_source *total)
{
	struct srclog_source *v = calloc(ncpus, sizeof(*v));
	int i, found = 1;

	memset(mine, 0, sizeof(*mine));
	memset(total, 0, sizeof(*total));
	if (!tap_check(v != NULL, "out of memory"))
		return -1;
	if (bpf_map_lookup_elem(o->sources, k, v)) {
		found = errno == ENOENT ? 0 : -1;
		tap_check(found == 0, "lookup of %s in srclog_sources: %s", key_str(k),
			  strerror(errno));
		free(v);
		return found;
	}
	for (i = 0; i < ncpus; i++) {
		total->packets += v[i].packets;
		total->bytes += v[i].bytes;
		if (v[i].packets && (!total->first_seen_ns ||
				     v[i].first_seen_ns < total->first_seen_ns))
			total->first_seen_ns = v[i].first_seen_ns;
		if (v[i].last_seen_ns > total->last_seen_ns)
			total->last_seen_ns = v[i].last_seen_ns;
	}
	if (cpu >= 0)
		*mine = v[cpu];
	else
		*mine = *total;
	free(v);
	return 1;
}

static bool config_set(struct obj *o, uint32_t log_every)
{
	struct srclog_config c = { .log_every = log_every };
	uint32_t zero = 0;

	o->log_every = log_every;
	return tap_check(!bpf_map_update_elem(o->config, &zero, &c, BPF_ANY),
			 "%s: update of srclog_config: %s", o->desc, strerror(errno));
}

static uint64_t count_entries(int fd, size_t key_size)
{
	uint8_t k[64], next[64];
	uint64_t n = 0;
	void *prev = NULL;

	while (!bpf_map_get_next_key(fd, prev, next)) {
		memcpy(k, next, key_size);
		prev = k;
		n++;
	}
	return n;
}

/* ---- events ---- */

static int on_event(void *ctx, void *data, size_t size)
{
	struct obj *o = ctx;
	const struct srclog_event *e = data;
	const struct want_event *w;

	if (!o->reading) {
		tap_check(false, "%s: event read outside a check", o->desc);
		return 0;
	}
	if (!tap_check(size == sizeof(*e), "%s: event of %zu bytes, want %zu", o->desc, size,
		       sizeof(*e)))
		return 0;
	if (!tap_check(o->seen < o->queued, "%s: event %zu: not expected (%zu queued)", o->desc,
		       o->seen + 1, o->queued))
		return 0;
	w = &o->queue[o->seen++];
	tap_check(e->timestamp_ns >= w->t0 && e->timestamp_ns <= w->t1,
		  "event %zu: timestamp %llu outside [%llu, %llu]", o->seen,
		  (unsigned long long)e->timestamp_ns, (unsigned long long)w->t0,
		  (unsigned long long)w->t1);
	tap_check(e->ifindex == w->ev.ifindex && e->len == w->ev.len &&
		  e->family == w->ev.family && e->action == XDP_PASS &&
		  !memcmp(e->addr, w->ev.addr, 16),
		  "event %zu: ifindex %u len %u family %u action %u addr %02x%02x%02x%02x.., want "
		  "ifindex %u len %u family %u action XDP_PASS addr %02x%02x%02x%02x..", o->seen,
		  e->ifindex, e->len, e->family, e->action, e->addr[0], e->addr[1], e->addr[2],
		  e->addr[3], w->ev.ifindex, w->ev.len, w->ev.family, w->ev.addr[0],
		  w->ev.addr[1], w->ev.addr[2], w->ev.addr[3]);
	return 0;
}

/* Reads every event in the ring; they must be the queued ones, in order. */
static bool drain(struct obj *o, const char *what)
{
	int n;

	o->reading = true;
	n = ring_buffer__consume(o->rb);
	o->reading = false;
	if (!tap_check(n >= 0, "%s: ring_buffer__consume: %s", what, strerror(-n)))
		return false;
	tap_check(o->seen == o->queued, "%s: %zu events read, %zu expected", what, o->seen,
		  o->queued);
	o->seen = o->queued = 0;
	o->room = (o->ring_bytes - 1) / RECORD_BYTES;
	return true;
}

/* ---- running frames ---- */

/* The clock of first_seen_ns and last_seen_ns: bpf_ktime_get_coarse_ns(). */
static uint64_t coarse_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + ts.tv_nsec;
}

/* Returns once the coarse clock has moved on (a jiffy, a few ms at most). */
static void next_tick(void)
{
	uint64_t c = coarse_ns();
	struct timespec ms = { 0, 1000000 };

	while (coarse_ns() == c)
		nanosleep(&ms, NULL);
}

/* Runs p once: XDP_PASS, and the frame out byte for byte the frame in. */
static bool run(struct obj *o, uint32_t ifindex, const struct pkt *p, const char *what)
{
	struct pkt out;
	uint32_t verdict = XDP_ABORTED;
	int err;

	o->c0 = coarse_ns();
	o->t0 = pkt_now_ns();
	err = pkt_xdp_run(o->prog, ifindex, p, &out, &verdict);
	o->t1 = pkt_now_ns();
	o->c1 = coarse_ns();
	o->frames++;
	if (!tap_check(!err, "%s: BPF_PROG_TEST_RUN on %zu bytes: %s", what, p->len,
		       strerror(-err)))
		return false;
	if (!tap_check(verdict == XDP_PASS, "%s: %s, want XDP_PASS", what, pkt_verdict_name(verdict)))
		return false;
	o->passed++;
	if (!tap_check(out.len == p->len && !memcmp(out.b, p->b, p->len),
		       "%s: frame out is not the frame in", what)) {
		tap_hexdiff(out.b, out.len, p->b, p->len);
		return false;
	}
	return true;
}

/* The model's side of a frame of class c (and key k for IPv4/IPv6). */
static void model(struct obj *o, enum cls c, const struct srclog_key *k, uint32_t ifindex,
		  size_t len, bool is_new)
{
	struct want_event *w;

	((uint64_t *)&o->want)[c]++;
	if ((c == C_IPV4 || c == C_IPV6) && is_new)
		o->want.new_sources++;
	if ((c != C_IPV4 && c != C_IPV6) || !o->log_every)
		return;
	if (o->want.sample_tick++ % o->log_every) {
		o->want.sampled_out++;
		return;
	}
	if (!o->room) {
		o->want.ring_full++;
		return;
	}
	o->room--;
	o->want.logged++;
	if (o->queued >= MAX_WANT) {
		tap_check(false, "test bug: more than %d events queued", MAX_WANT);
		return;
	}
	w = &o->queue[o->queued++];
	memset(w, 0, sizeof(*w));
	w->ev.ifindex = ifindex;
	w->ev.len = len;
	w->ev.family = k->family;
	memcpy(w->ev.addr, k->addr, 16);
	w->t0 = o->t0;
	w->t1 = o->t1;
}

/*
 * One frame, fully checked: PASS and untouched, srclog_stats as modelled,
 * the source's entry moved by exactly this frame, the events as queued.
 */
static bool frame_on(struct obj *o, uint32_t ifindex, const struct pkt *p, enum cls c,
		     const struct srclog_key *k, const char *what)
{
	struct srclog_source mine0, tot0, mine, tot;
	bool ip = c == C_IPV4 || c == C_IPV6;
	int had = 0;

	if (ip && (had = source_get(o, k, &mine0, &tot0)) < 0)
		return false;
	if (!run(o, ifindex, p, what))
		return false;
	model(o, c, k, ifindex, p->len, !had);
	if (!stats_are(o, what))
		return false;
	if (!drain(o, what))
		return false;
	if (!ip)
		return true;
	if (!tap_check(source_get(o, k, &mine, &tot) == 1, "%s: source %s not in srclog_sources",
		       what, key_str(k)))
		return false;
	tap_check(mine.packets == mine0.packets + 1 && mine.bytes == mine0.bytes + p->len,
		  "%s: source %s: packets %llu bytes %llu, want %llu %llu", what, key_str(k),
		  (unsigned long long)mine.packets, (unsigned long long)mine.bytes,
		  (unsigned long long)mine0.packets + 1,
		  (unsigned long long)(mine0.bytes + p->len));
	tap_check(mine.last_seen_ns >= o->c0 && mine.last_seen_ns <= o->c1,
		  "%s: last_seen_ns %llu outside the run [%llu, %llu] (coarse clock)", what,
		  (unsigned long long)mine.last_seen_ns, (unsigned long long)o->c0,
		  (unsigned long long)o->c1);
	if (had)
		tap_check(mine.first_seen_ns == mine0.first_seen_ns,
			  "%s: first_seen_ns moved from %llu to %llu", what,
			  (unsigned long long)mine0.first_seen_ns,
			  (unsigned long long)mine.first_seen_ns);
	else
		tap_check(mine.first_seen_ns == mine.last_seen_ns,
			  "%s: new source: first_seen_ns %llu != last_seen_ns %llu", what,
			  (unsigned long long)mine.first_seen_ns,
			  (unsigned long long)mine.last_seen_ns);
	tap_check(mine.first_seen_ns <= mine.last_seen_ns, "%s: first_seen after last_seen",
		  what);
	return tap_check(tot.packets == mine.packets && tot.bytes == mine.bytes &&
			 tot.first_seen_ns == mine.first_seen_ns &&
			 tot.last_seen_ns == mine.last_seen_ns,
			 "%s: other CPUs hold values for %s", what, key_str(k));
}

static bool frame(struct obj *o, const struct frame *f, enum cls c, const char *what)
{
	struct srclog_key k = key_of(f);
	struct pkt p;

	build(f, &p);
	return frame_on(o, lo, &p, c, &k, what);
}

/* A frame counted under its source. */
static bool source_frame(struct obj *o, const struct frame *f, const char *what)
{
	return frame(o, f, f->family == 4 ? C_IPV4 : C_IPV6, what);
}

/* Every frame alike, only the model checked: for the bulk tests. */
static bool bulk_frame(struct obj *o, const struct frame *f, const char *what)
{
	struct srclog_key k = key_of(f);
	struct srclog_source mine, tot;
	struct pkt p;
	int had = source_get(o, &k, &mine, &tot);

	build(f, &p);
	if (had < 0 || !run(o, lo, &p, what))
		return false;
	model(o, f->family == 4 ? C_IPV4 : C_IPV6, &k, lo, p.len, !had);
	return true;
}

/* ---- set-up ---- */

static int shrink(struct bpf_object *obj, void *arg)
{
	struct bpf_map *ring = bpf_object__find_map_by_name(obj, "srclog_events");
	struct bpf_map *src = bpf_object__find_map_by_name(obj, "srclog_sources");

	(void)arg;
	if (!ring || !src)
		return -ENOENT;
	return bpf_map__set_max_entries(ring, 4096) ?: bpf_map__set_max_entries(src, 1024);
}

static bool map_is(struct obj *o, const char *name, enum bpf_map_type type, uint32_t key,
		   uint32_t value, uint32_t max, int *fd)
{
	struct bpf_map *m = bpf_object__find_map_by_name(o->bpf, name);

	if (!tap_check(m != NULL, "%s: no map %s", o->desc, name))
		return false;
	*fd = bpf_map__fd(m);
	return tap_check(bpf_map__type(m) == type && bpf_map__key_size(m) == key &&
			 bpf_map__value_size(m) == value && bpf_map__max_entries(m) == max,
			 "%s: %s is type %d key %u value %u max_entries %u, want %d %u %u %u",
			 o->desc, name, bpf_map__type(m), bpf_map__key_size(m),
			 bpf_map__value_size(m), bpf_map__max_entries(m), type, key, value, max);
}

static bool load(struct obj *o, const char *dir, bool shrunk)
{
	struct srclog_config c;
	uint32_t zero = 0;
	int fd;
	bool ok;

	o->ring_bytes = shrunk ? 4096 : SRCLOG_RING_BYTES;
	o->max_sources = shrunk ? 1024 : SRCLOG_MAX_SOURCES;
	fd = pkt_load_with(dir, o->file, &o->bpf, shrunk ? shrink : NULL, NULL);
	if (!tap_check(fd >= 0, "%s/%s.o: %s", dir, o->file, strerror(-fd)))
		goto out;
	o->prog = fd;
	ok = map_is(o, "srclog_sources", BPF_MAP_TYPE_LRU_PERCPU_HASH, sizeof(struct srclog_key), 32, o->max_sources,
		    &o->sources);
	ok = map_is(o, "srclog_events", BPF_MAP_TYPE_RINGBUF, 0, 0, o->ring_bytes,
		    &o->events) && ok;
	ok = map_is(o, "srclog_config", BPF_MAP_TYPE_ARRAY, 4, 8, 1, &o->config) && ok;
	ok = map_is(o, "srclog_stats", BPF_MAP_TYPE_PERCPU_ARRAY, 4, 112, 1, &o->stats) && ok;
	if (!ok)
		goto out;
	if (tap_check(!bpf_map_lookup_elem(o->config, &zero, &c), "lookup of srclog_config"))
		tap_check(c.log_every == 0 && c.pad == 0, "srclog_config starts as %u/%u, want 0/0",
			  c.log_every, c.pad);
	o->rb = ring_buffer__new(o->events, on_event, o, NULL);
	if (!tap_check(o->rb != NULL, "ring_buffer__new: %s", strerror(errno)))
		goto out;
	o->queue = calloc(MAX_WANT, sizeof(*o->queue));
	if (!tap_check(o->queue != NULL, "out of memory"))
		goto out;
	o->room = (o->ring_bytes - 1) / RECORD_BYTES;
	stats_are(o, "fresh load");
out:
	tap_end("%s loads unpinned: sources LRU_PERCPU_HASH %u, events RINGBUF %u, config "
		"ARRAY 1 (all zero), stats PERCPU_ARRAY 1 (all zero)", o->desc,
		o->max_sources, o->ring_bytes);
	return o->rb && o->queue;
}

/* ---- tests ---- */

static void t_log_off(struct obj *o)
{
	struct frame f4 = ipv4(0xc6120a01, 100), f6 = ipv6(0x0a01, 100);
	int i;

	for (i = 0; i < 3; i++) {
		source_frame(o, &f4, "IPv4, log off");
		source_frame(o, &f6, "IPv6, log off");
	}
	tap_end("log off (the all-zero srclog_config): IPv4/IPv6 counted, no event, sample_tick "
		"still");
}

static void t_ipv4(struct obj *o)
{
	static const uint32_t srcs[] = { 0xc6336407, 0x00000000, 0xffffffff, 0x0a000001,
					 0xe0000001, 0x7f000001, 0xc0000201 };
	static const uint16_t frags[] = { PKT_IP_MF, 1, 0x1fff, PKT_IP_MF | 185, 0 };
	static const uint16_t plens[] = { 0, 1, 26, 1000, 1480 };
	char what[96];
	size_t i;
	unsigned int ihl;

	config_set(o, 1);
	for (i = 0; i < sizeof(srcs) / sizeof(srcs[0]); i++) {
		struct frame f = ipv4(srcs[i], 64);

		snprintf(what, sizeof(what), "IPv4 from %08x", srcs[i]);
		source_frame(o, &f, what);
	}
	for (i = 0; i < sizeof(plens) / sizeof(plens[0]); i++) {
		struct frame f = ipv4(0xc6336407, plens[i]);

		snprintf(what, sizeof(what), "IPv4, %u bytes after the header", plens[i]);
		source_frame(o, &f, what);
	}
	for (ihl = 5; ihl <= 15; ihl++) {
		struct frame f = ipv4(0xc6336408, 30);

		f.ip.opt_len = (ihl - 5) * 4;
		memset(f.ip.opts, 1, f.ip.opt_len);
		snprintf(what, sizeof(what), "IPv4, IHL %u", ihl);
		source_frame(o, &f, what);
	}
	for (i = 0; i < sizeof(frags) / sizeof(frags[0]); i++) {
		struct frame f = ipv4(0xc6336409, 40);

		f.ip.frag = frags[i];
		snprintf(what, sizeof(what), "IPv4 fragment, flags/offset %04x", frags[i]);
		source_frame(o, &f, what);
	}
	{
		struct frame f = ipv4(0xc633640a, 40);

		f.ip.check_adj = 0x1234;
		source_frame(o, &f, "IPv4, bad header checksum");
		f.ip.check_adj = 0;
		f.ip.tot_len_adj = 500;
		source_frame(o, &f, "IPv4, total length over the frame");
		f.ip.tot_len_adj = -45;
		source_frame(o, &f, "IPv4, total length under the header");
		f.ip.tot_len_adj = 0;
		f.ip.proto = 6;
		source_frame(o, &f, "IPv4, TCP");
	}
	tap_end("IPv4 (log every frame): any source, size 34..1514, IHL 5..15, fragments, bad "
		"checksum or total length: counted, one exact event each");
}

static void t_ipv6(struct obj *o)
{
	static const uint8_t next[] = { 17, 6, 58, 0, 43, 44, 59 };
	static const uint16_t plens[] = { 0, 1, 20, 1000, 1460 };
	char what[96];
	size_t i;

	config_set(o, 1);
	for (i = 0; i < sizeof(plens) / sizeof(plens[0]); i++) {
		struct frame f = ipv6(0x6001, plens[i]);

		snprintf(what, sizeof(what), "IPv6, %u bytes after the header", plens[i]);
		source_frame(o, &f, what);
	}
	for (i = 0; i < sizeof(next) / sizeof(next[0]); i++) {
		struct frame f = ipv6(0x6002, 64);

		f.ip6.next = next[i];
		snprintf(what, sizeof(what), "IPv6, next header %u", next[i]);
		source_frame(o, &f, what);
	}
	{
		struct frame f = ipv6(0, 64);

		memset(f.ip6.saddr, 0, 16);
		source_frame(o, &f, "IPv6 from ::");
		memset(f.ip6.saddr, 0xff, 16);
		source_frame(o, &f, "IPv6 from ffff:...:ffff");
		memset(f.ip6.saddr, 0, 16);
		f.ip6.saddr[0] = 0xfe;
		f.ip6.saddr[1] = 0x80;
		f.ip6.saddr[15] = 0x42;
		source_frame(o, &f, "IPv6 from fe80::42");
		f.ip6.plen_adj = 1000;
		source_frame(o, &f, "IPv6, payload length over the frame");
	}
	{
		/* 198.51.100.7 as an IPv4-mapped IPv6 source is not the IPv4 source */
		struct frame f6 = ipv6(0, 10), f4 = ipv4(0xc6336407, 10);
		struct srclog_source m4, t4, m6, t6;
		struct srclog_key k4 = key_of(&f4), k6;

		memset(f6.ip6.saddr, 0, 16);
		f6.ip6.saddr[10] = f6.ip6.saddr[11] = 0xff;
		pkt_set32(f6.ip6.saddr + 12, 0xc6336407);
		k6 = key_of(&f6);
		source_frame(o, &f4, "IPv4 198.51.100.7");
		if (source_get(o, &k4, &m4, &t4) == 1) {
			source_frame(o, &f6, "IPv6 ::ffff:198.51.100.7");
			tap_check(source_get(o, &k4, &m4, &t6) == 1 && t6.packets == t4.packets,
				  "the IPv6 frame moved the IPv4 source");
			tap_check(source_get(o, &k6, &m6, &t6) == 1 && m6.packets == 1,
				  "::ffff:198.51.100.7 not a source of its own");
		}
	}
	tap_end("IPv6 (log every frame): sizes 54..1514, any next header, any source: counted "
		"apart from IPv4, one exact event each");
}

static void t_tags(struct obj *o)
{
	static const struct {
		const struct pkt_vlan *tags;
		int n;
		const char *name;
	} sets[] = {
		{ pkt_tags_1q, 1, "802.1Q" }, { tags_1ad, 1, "802.1ad" },
		{ pkt_tags_qinq, 2, "802.1ad+802.1Q" }, { pkt_tags_qq, 2, "802.1Q+802.1Q" },
		{ tags_adad, 2, "802.1ad+802.1ad" },
	};
	char what[96];
	size_t i;

	config_set(o, 1);
	for (i = 0; i < sizeof(sets) / sizeof(sets[0]); i++) {
		struct frame f4 = ipv4(0xc6120100 + i, 56), f6 = ipv6(0x100 + i, 56);
		struct frame arp = raw(PKT_ETH_P_ARP, 46), lldp = raw(0x88cc, 46);
		struct frame other = raw(0x8847, 46);

		set_tags(&f4, sets[i].tags, sets[i].n);
		set_tags(&f6, sets[i].tags, sets[i].n);
		set_tags(&arp, sets[i].tags, sets[i].n);
		set_tags(&lldp, sets[i].tags, sets[i].n);
		set_tags(&other, sets[i].tags, sets[i].n);
		snprintf(what, sizeof(what), "%s, IPv4", sets[i].name);
		source_frame(o, &f4, what);
		f4.ip.opt_len = 40;
		snprintf(what, sizeof(what), "%s, IPv4 IHL 15", sets[i].name);
		source_frame(o, &f4, what);
		snprintf(what, sizeof(what), "%s, IPv6", sets[i].name);
		source_frame(o, &f6, what);
		snprintf(what, sizeof(what), "%s, ARP", sets[i].name);
		frame(o, &arp, C_ARP, what);
		snprintf(what, sizeof(what), "%s, LLDP", sets[i].name);
		frame(o, &lldp, C_LLDP, what);
		snprintf(what, sizeof(what), "%s, MPLS", sets[i].name);
		frame(o, &other, C_OTHER, what);
	}
	tap_end("one and two VLAN tags (802.1Q, 802.1ad, both): IPv4/IPv6 sources counted with "
		"the tags in the bytes, ARP/LLDP/other classed");
}

static void t_deep(struct obj *o)
{
	struct frame f4 = ipv4(0xc6120201, 56), f6 = ipv6(0x201, 56), arp = raw(PKT_ETH_P_ARP, 46);

	config_set(o, 1);
	set_tags(&f4, pkt_tags_3, 3);
	set_tags(&f6, pkt_tags_3, 3);
	set_tags(&arp, pkt_tags_3, 3);
	frame(o, &f4, C_VLAN_DEEP, "three tags, IPv4");
	frame(o, &f6, C_VLAN_DEEP, "three tags, IPv6");
	frame(o, &arp, C_VLAN_DEEP, "three tags, ARP");
	set_tags(&f4, tags_4, 4);
	frame(o, &f4, C_VLAN_DEEP, "four tags, IPv4");
	tap_end("three or four VLAN tags -> vlan_deep, no source, no event, XDP_PASS untouched");
}

static void t_ethertypes(struct obj *o)
{
	static const struct {
		uint16_t type;
		enum cls c;
	} types[] = {
		{ PKT_ETH_P_ARP, C_ARP }, { 0x88cc, C_LLDP }, { 0x8035, C_OTHER },
		{ 0x0000, C_OTHER }, { 0x002e, C_OTHER }, { 0x05dc, C_OTHER },
		{ 0x0600, C_OTHER }, { 0x0801, C_OTHER }, { 0x86dc, C_OTHER },
		{ 0x86de, C_OTHER }, { 0x8847, C_OTHER }, { 0x8848, C_OTHER },
		{ 0x88e5, C_OTHER }, { 0x88f7, C_OTHER }, { 0x8906, C_OTHER },
		{ 0x9100, C_OTHER }, { 0xcc88, C_OTHER }, { 0x0008, C_OTHER },
		{ 0xdd86, C_OTHER }, { 0x0608, C_OTHER }, { 0xffff, C_OTHER },
	};
	char what[64];
	size_t i;

	config_set(o, 1);
	for (i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		struct frame f = raw(types[i].type, 46);

		snprintf(what, sizeof(what), "EtherType %04x", types[i].type);
		frame(o, &f, types[i].c, what);
		f.plen = 0;
		snprintf(what, sizeof(what), "EtherType %04x, nothing after it", types[i].type);
		frame(o, &f, types[i].c, what);
	}
	tap_end("ARP -> arp, LLDP -> lldp, RARP, MPLS, 802.3 lengths, byte-swapped IP types and "
		"the rest -> other; no event");
}

static void t_malformed(struct obj *o)
{
	char what[64];
	unsigned int v;

	config_set(o, 1);
	for (v = 0; v < 256; v++) {
		struct frame f = ipv4(0xc6120301, 40);
		struct pkt p;
		size_t l3 = l3_off(&f);
		bool good = v >> 4 == 4 && (v & 15) >= 5 && (v & 15) <= 15;

		/* IHL up to 15 with 40 bytes after a 20-byte header: all of it is there */
		build(&f, &p);
		p.b[l3] = v;
		pkt_csum_set(p.b + l3, 20, 10);
		snprintf(what, sizeof(what), "EtherType IPv4, version %u, IHL %u", v >> 4, v & 15);
		if (good) {
			struct srclog_key k = key_of(&f);

			frame_on(o, lo, &p, C_IPV4, &k, what);
		} else {
			frame_on(o, lo, &p, C_MALFORMED, NULL, what);
		}
	}
	for (v = 0; v < 16; v++) {
		struct frame f = ipv6(0x301, 40);
		struct srclog_key k = key_of(&f);
		struct pkt p;
		size_t l3 = l3_off(&f);

		build(&f, &p);
		p.b[l3] = v << 4 | (p.b[l3] & 15);
		snprintf(what, sizeof(what), "EtherType IPv6, version %u", v);
		frame_on(o, lo, &p, v == 6 ? C_IPV6 : C_MALFORMED, &k, what);
	}
	{
		/* IHL 15 but only 40 bytes of header and payload in the frame */
		struct frame f = ipv4(0xc6120302, 19);
		struct pkt p;

		f.ip.opt_len = 40;
		build(&f, &p);
		p.len = l3_off(&f) + 59;
		frame_on(o, lo, &p, C_MALFORMED, NULL, "IHL 15, 59 bytes of IP");
		f.ntags = 2;
		memcpy(f.tags, pkt_tags_qinq, sizeof(pkt_tags_qinq));
		build(&f, &p);
		p.b[l3_off(&f)] = 0x46;
		p.len = l3_off(&f) + 23;
		frame_on(o, lo, &p, C_MALFORMED, NULL, "2 tags, IHL 6, 23 bytes of IP");
	}
	{
		/* an IPv6 frame sent as IPv4 and the other way round */
		struct frame f4 = ipv4(0xc6120303, 40), f6 = ipv6(0x303, 40);

		f4.ethertype = PKT_ETH_P_IPV6;
		frame(o, &f4, C_MALFORMED, "IPv4 header, EtherType IPv6");
		f6.ethertype = PKT_ETH_P_IP;
		frame(o, &f6, C_MALFORMED, "IPv6 header, EtherType IPv4");
	}
	tap_end("IPv4 version != 4 or IHL < 5, IHL beyond the frame, IPv6 version != 6, "
		"swapped EtherTypes -> malformed, no source, no event");
}

/* What srclog makes of f cut to len bytes, worked out from the layout. */
static enum cls cut_class(const struct frame *f, size_t len)
{
	size_t l3 = l3_off(f), hlen = f->family == 4 ? 20 + f->ip.opt_len : 40;
	int parsed = f->ntags < 2 ? f->ntags : 2;

	if (len < PKT_ETH_HLEN + 4 * (size_t)parsed)
		return C_TRUNCATED;
	if (f->ntags > 2)
		return C_VLAN_DEEP;
	if (len < l3 + hlen)
		return C_MALFORMED;
	return f->family == 4 ? C_IPV4 : C_IPV6;
}

static void truncations(struct obj *o, const struct frame *f, const char *desc)
{
	struct srclog_key k = key_of(f);
	struct pkt whole, cut;
	char what[96];
	size_t len;

	build(f, &whole);
	for (len = PKT_ETH_HLEN; len < whole.len; len++) {
		cut.len = len;
		memcpy(cut.b, whole.b, len);
		snprintf(what, sizeof(what), "%s cut to %zu of %zu bytes", desc, len, whole.len);
		if (!frame_on(o, lo, &cut, cut_class(f, len), &k, what))
			return;
	}
}

static void t_truncations(struct obj *o)
{
	struct frame f;
	int n;

	config_set(o, 1);
	for (n = 0; n <= 3; n++) {
		char desc[64];

		f = ipv4(0xc6120400 + n, 26);
		set_tags(&f, tags_for(n), n);
		snprintf(desc, sizeof(desc), "IPv4, %d tags, IHL 5", n);
		truncations(o, &f, desc);
		f.ip.opt_len = 40;
		memset(f.ip.opts, 1, 40);
		snprintf(desc, sizeof(desc), "IPv4, %d tags, IHL 15", n);
		truncations(o, &f, desc);
		f = ipv6(0x400 + n, 26);
		set_tags(&f, tags_for(n), n);
		snprintf(desc, sizeof(desc), "IPv6, %d tags", n);
		truncations(o, &f, desc);
	}
	tap_end("valid IPv4 (IHL 5, 15) and IPv6 frames, 0..3 tags, cut at every length "
		"14..L-1: XDP_PASS untouched; truncated/malformed/vlan_deep or the source with "
		"the cut length, exactly");
}

static void t_counting(struct obj *o)
{
	struct frame f = ipv4(0xc6120501, 0);
	struct srclog_key k = key_of(&f);
	struct srclog_source first = { 0 }, mine, tot;
	uint64_t packets = 0, bytes = 0, last = 0;
	char what[64];
	int i;

	config_set(o, 0);
	for (i = 0; i < 50; i++) {
		struct pkt p;

		f.plen = i * 29 % 1400;
		build(&f, &p);
		next_tick();
		snprintf(what, sizeof(what), "frame %d from one source", i + 1);
		if (!frame_on(o, lo, &p, C_IPV4, &k, what))
			break;
		packets++;
		bytes += p.len;
		if (source_get(o, &k, &mine, &tot) != 1)
			break;
		if (i == 0)
			first = mine;
		tap_check(mine.packets == packets && mine.bytes == bytes,
			  "%s: packets %llu bytes %llu, want %llu %llu", what,
			  (unsigned long long)mine.packets, (unsigned long long)mine.bytes,
			  (unsigned long long)packets, (unsigned long long)bytes);
		tap_check(mine.first_seen_ns == first.first_seen_ns, "%s: first_seen moved", what);
		tap_check(mine.last_seen_ns > last, "%s: last_seen did not move on", what);
		last = mine.last_seen_ns;
	}
	tap_end("one source, 50 frames of 34..1414 bytes, a jiffy apart: packets and bytes "
		"exact, first_seen fixed, last_seen moves on with every frame");
}

static bool pin_to(int c)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(c, &set);
	if (sched_setaffinity(0, sizeof(set), &set))
		return false;
	cpu = c;
	return true;
}

/* A source seen on a second CPU: that CPU's share starts on its own. */
static void t_two_cpus(struct obj *o)
{
	static const char desc[] = "one source on two CPUs: each CPU's share has its own "
				   "first_seen; the totals add up";
	struct frame f = ipv4(0xc6120601, 100);
	struct srclog_key k = key_of(&f);
	struct srclog_source a, ta, b, tb;
	struct pkt p;
	int home = cpu, other = -1, c;

	for (c = 0; c < ncpus && home >= 0 && other < 0; c++)
		if (c != home && pin_to(c))
			other = c;
	if (other < 0) {
		tap_skip("needs a second CPU to run on", desc);
		return;
	}
	pin_to(home);
	config_set(o, 0);
	build(&f, &p);
	frame_on(o, lo, &p, C_IPV4, &k, "first frame, first CPU");
	source_get(o, &k, &a, &ta);
	next_tick();
	pin_to(other);
	if (run(o, lo, &p, "second frame, second CPU")) {
		model(o, C_IPV4, &k, lo, p.len, false);
		stats_are(o, "second frame, second CPU");
		if (source_get(o, &k, &b, &tb) == 1) {
			tap_check(b.packets == 1 && b.bytes == p.len && b.first_seen_ns == b.last_seen_ns &&
				  b.last_seen_ns >= o->c0 && b.last_seen_ns <= o->c1,
				  "second CPU: packets %llu, first/last %llu/%llu",
				  (unsigned long long)b.packets, (unsigned long long)b.first_seen_ns,
				  (unsigned long long)b.last_seen_ns);
			tap_check(tb.packets == 2 && tb.bytes == 2 * p.len &&
				  tb.first_seen_ns == a.first_seen_ns &&
				  tb.last_seen_ns == b.last_seen_ns && a.first_seen_ns < b.first_seen_ns,
				  "totals: packets %llu, first %llu (want %llu), last %llu (want %llu)",
				  (unsigned long long)tb.packets, (unsigned long long)tb.first_seen_ns,
				  (unsigned long long)a.first_seen_ns,
				  (unsigned long long)tb.last_seen_ns,
				  (unsigned long long)b.last_seen_ns);
		}
	}
	pin_to(home);
	tap_end("%s", desc);
}

/* log_every n: exactly every n-th frame considered is logged, whatever the phase. */
static void t_sampling(struct obj *o)
{
	static const uint32_t every[] = { 2, 3, 7, 64, 1, 1000, 5 };
	char what[96];
	size_t i;
	uint32_t j;

	for (i = 0; i < sizeof(every) / sizeof(every[0]); i++) {
		uint32_t n = every[i], k = n == 1000 ? 2 : 5;
		uint64_t logged0;
		struct srclog_stats st;

		config_set(o, n);
		logged0 = o->want.logged;
		for (j = 0; j < n * k; j++) {
			struct frame f = j & 1 ? ipv6(0x7000 + j, 20) : ipv4(0xc6127000 + j, 20);

			snprintf(what, sizeof(what), "log_every %u, frame %u", n, j + 1);
			if (!bulk_frame(o, &f, what))
				break;
		}
		snprintf(what, sizeof(what), "log_every %u, %u frames", n, n * k);
		if (stats_are(o, what))
			drain(o, what);
		tap_check(o->want.logged - logged0 == k, "%s: model logged %llu, want %u", what,
			  (unsigned long long)(o->want.logged - logged0), k);
		if (stats_get(o, &st) && cpu >= 0)
			tap_check(st.sample_tick == o->want.sample_tick, "%s: sample_tick", what);
	}
	config_set(o, 0);
	for (j = 0; j < 20; j++) {
		struct frame f = ipv4(0xc6127100 + j, 20);

		bulk_frame(o, &f, "log_every 0");
	}
	if (stats_are(o, "log_every 0, 20 frames"))
		drain(o, "log_every 0, 20 frames");
	tap_end("log_every N (2, 3, 7, 64, 1, 1000, 5; then 0): of N*K frames exactly K logged, "
		"every N-th, the rest sampled_out; 0 logs none");
}

static void t_ring_full(struct obj *o)
{
	uint64_t fit = (o->ring_bytes - 1) / RECORD_BYTES, n = fit + fit / 10 + 3, i;
	uint64_t logged0 = o->want.logged, full0 = o->want.ring_full;
	char what[96];

	config_set(o, 1);
	for (i = 0; i < n; i++) {
		struct frame f = i & 1 ? ipv6(0x8000 + i, 10) : ipv4(0xc6128000 + i, 10);

		snprintf(what, sizeof(what), "frame %llu, nobody reading", (unsigned long long)i + 1);
		if (!bulk_frame(o, &f, what))
			break;
	}
	snprintf(what, sizeof(what), "%llu frames into a %u-byte ring", (unsigned long long)n,
		 o->ring_bytes);
	tap_check(o->want.logged - logged0 == fit && o->want.ring_full - full0 == n - fit,
		  "%s: model says %llu logged, %llu lost", what,
		  (unsigned long long)(o->want.logged - logged0),
		  (unsigned long long)(o->want.ring_full - full0));
	if (stats_are(o, what))
		drain(o, what);
	{
		struct frame f = ipv4(0xc6128fff, 10);

		source_frame(o, &f, "after reading the ring: logged again");
	}
	tap_end("%s, nobody reading: %llu frames -> XDP_PASS untouched, the first %llu logged, "
		"%llu counted ring_full; once read, logging goes on", o->desc,
		(unsigned long long)n, (unsigned long long)fit, (unsigned long long)(n - fit));
}

static void t_ifindex(struct obj *o)
{
	static const char desc[] = "events and counts carry the ingress ifindex (lo, a second "
				   "device): one source, one entry per interface";
	struct frame f = ipv6(0x9001, 30);
	struct srclog_key k = key_of(&f), k2 = k;
	struct pkt p;

	if (!other_if) {
		tap_skip("no second device (needs its own netns and ip link add)", desc);
		return;
	}
	config_set(o, 1);
	build(&f, &p);
	frame_on(o, lo, &p, C_IPV6, &k, "on lo");
	k2.ifindex = other_if;
	frame_on(o, other_if, &p, C_IPV6, &k2, "on the second device");
	frame_on(o, lo, &p, C_IPV6, &k, "on lo again");
	tap_end("%s", desc);
}

/* More sources than the map holds: it evicts, never grows, never fails a frame. */
static void t_lru(struct obj *o, uint64_t n)
{
	struct srclog_source mine, tot;
	struct srclog_key k;
	uint64_t i, entries;
	char what[96];
	struct frame f;

	config_set(o, 0);
	for (i = 0; i < n; i++) {
		f = i % 3 == 0 ? ipv6(0xa0000000 + i, 0) : ipv4(0x0a000000 + i, 0);
		snprintf(what, sizeof(what), "source %llu of %llu", (unsigned long long)i + 1,
			 (unsigned long long)n);
		if (!bulk_frame(o, &f, what))
			break;
	}
	snprintf(what, sizeof(what), "%llu sources into %u entries", (unsigned long long)n,
		 o->max_sources);
	stats_are(o, what);
	entries = count_entries(o->sources, sizeof(struct srclog_key));
	tap_check(entries <= o->max_sources && entries >= o->max_sources / 2,
		  "%s: %llu entries in srclog_sources", what, (unsigned long long)entries);
	k = key_of(&f);
	tap_check(source_get(o, &k, &mine, &tot) == 1 && tot.packets == 1 &&
		  tot.bytes == l3_off(&f) + (f.family == 4 ? 20 : 40),
		  "%s: the latest source %s is not there with 1 packet", what, key_str(&k));
	f = ipv4(0x0b000001, 0);
	source_frame(o, &f, "a new source after the evictions");
	tap_end("%s: %llu sources (IPv4 and IPv6) -> XDP_PASS, %llu entries kept (at most %u), "
		"the latest exact, source_errors 0", o->desc, (unsigned long long)n,
		(unsigned long long)entries, o->max_sources);
}

/*
 * The eviction path: the map full, every frame but one in ten from a new
 * source. Each new source is taken in (new_sources), the map never holds
 * more than its capacity, the oldest are evicted, and the source hit
 * every ten frames stays, counted exactly from its first frame.
 */
static void t_churn(struct obj *o, uint64_t n)
{
	struct frame heavy = ipv6(0xbeef0001, 0), f;
	struct srclog_key hk = key_of(&heavy), k0;
	struct srclog_source mine, tot;
	uint64_t i, hits = 0, entries, new0 = o->want.new_sources;
	char what[96];
	int found;

	config_set(o, 0);
	for (i = 0; i < n; i++) {
		if (i % 10 == 0) {
			f = heavy;
			hits++;
		} else {
			f = i % 2 ? ipv4(0x0c000000 + i, 0) : ipv6(0xc0000000 + i, 0);
		}
		if (i == 1)
			k0 = key_of(&f);
		snprintf(what, sizeof(what), "churn frame %llu of %llu", (unsigned long long)i + 1,
			 (unsigned long long)n);
		if (!bulk_frame(o, &f, what))
			break;
	}
	snprintf(what, sizeof(what), "%llu frames through %u entries", (unsigned long long)n,
		 o->max_sources);
	stats_are(o, what);
	tap_check(o->want.new_sources - new0 == n - hits + 1,
		  "%s: %llu new sources modelled, want %llu", what,
		  (unsigned long long)(o->want.new_sources - new0),
		  (unsigned long long)(n - hits + 1));
	entries = count_entries(o->sources, sizeof(struct srclog_key));
	tap_check(entries <= o->max_sources, "%s: %llu entries in srclog_sources", what,
		  (unsigned long long)entries);
	/* Looked up first: the arguments below read tot, in no set order. */
	found = source_get(o, &hk, &mine, &tot);
	tap_check(found == 1 && tot.packets == hits && tot.bytes == hits * (14 + 40),
		  "%s: the heavy source %s has %llu packets, want %llu", what, key_str(&hk),
		  (unsigned long long)tot.packets, (unsigned long long)hits);
	tap_check(source_get(o, &k0, &mine, &tot) == 0, "%s: the first new source %s was not evicted",
		  what, key_str(&k0));
	tap_end("%s: eviction path, %llu frames, 9 in 10 from a new source: new_sources counts "
		"each, at most %u entries, the source of 1 in 10 kept with its exact count",
		o->desc, (unsigned long long)n, o->max_sources);
}

static void t_totals(struct obj *o)
{
	struct srclog_stats st;
	uint64_t sum = 0, *w = (uint64_t *)&st;
	int i;

	if (stats_get(o, &st)) {
		for (i = 0; i <= C_MALFORMED; i++)
			sum += w[i];
		tap_check(sum == o->frames && o->passed == o->frames,
			  "classes sum to %llu, frames fed %llu, XDP_PASS seen %llu",
			  (unsigned long long)sum, (unsigned long long)o->frames,
			  (unsigned long long)o->passed);
		tap_check(st.logged + st.ring_full + st.sampled_out == st.sample_tick,
			  "logged + ring_full + sampled_out != sample_tick");
		stats_are(o, "at the end");
	}
	tap_end("%s: every frame XDP_PASS and in exactly one class (%llu frames)", o->desc,
		(unsigned long long)o->frames);
}

/* Pinned to the CPU we run on, so per-CPU values can be checked one by one. */
static void one_cpu(void)
{
	cpu_set_t set;

	ncpus = libbpf_num_possible_cpus();
	cpu = sched_getcpu();
	CPU_ZERO(&set);
	if (cpu >= 0)
		CPU_SET(cpu, &set);
	if (cpu < 0 || sched_setaffinity(0, sizeof(set), &set)) {
		printf("# could not pin to one CPU: %s; per-CPU checks are on the sums\n",
		       strerror(errno));
		cpu = -1;
	}
}

static const char *dir;

/* o loaded (shrunk: the small build's maps), once, before its first test;
 * its result line carries no test's name. */
static bool ready(struct obj *o, bool shrunk)
{
	static int ready_def = -1, ready_small = -1, ready_both = -1;
	int *r = shrunk ? &ready_small : o == &both ? &ready_both : &ready_def;
	const char *name = tap.name;

	tap.name = NULL;
	if (*r < 0)
		*r = load(o, dir, shrunk);
	tap.name = name;
	return *r;
}

#define DEF(name, call) do { if (pkt_want("srclog/" name) && ready(&def, false)) call; } while (0)
#define BOTH(name, call) do { if (pkt_want("both/" name) && ready(&both, false)) call; } while (0)
#define SMALL(name, call) do { if (pkt_want("small/" name) && ready(&small, true)) call; } while (0)

/* srclog_test [-t NAME]... [DIR]: the tests whose name holds a NAME (all by default). */
int main(int argc, char **argv)
{
	dir = pkt_args(argc, argv);
	one_cpu();
	other_if = pkt_own_netns("slt0");
	lo = if_nametoindex("lo");
	DEF("log_off", t_log_off(&def));
	DEF("ipv4", t_ipv4(&def));
	DEF("ipv6", t_ipv6(&def));
	DEF("tags", t_tags(&def));
	DEF("deep", t_deep(&def));
	DEF("ethertypes", t_ethertypes(&def));
	DEF("malformed", t_malformed(&def));
	DEF("truncations", t_truncations(&def));
	DEF("counting", t_counting(&def));
	DEF("ifindex", t_ifindex(&def));
	DEF("two_cpus", t_two_cpus(&def));
	DEF("sampling", t_sampling(&def));
	DEF("ring_full", t_ring_full(&def));
	DEF("lru", t_lru(&def, SRCLOG_MAX_SOURCES + SRCLOG_MAX_SOURCES / 4));
	DEF("totals", t_totals(&def));
	BOTH("ipv4", t_ipv4(&both));
	BOTH("ipv6", t_ipv6(&both));
	BOTH("tags", t_tags(&both));
	BOTH("ethertypes", t_ethertypes(&both));
	BOTH("malformed", t_malformed(&both));
	BOTH("truncations", t_truncations(&both));
	BOTH("two_cpus", t_two_cpus(&both));
	BOTH("totals", t_totals(&both));
	SMALL("ring_full/1", t_ring_full(&small));
	SMALL("ring_full/2", t_ring_full(&small));
	SMALL("lru", t_lru(&small, 4096));
	SMALL("churn", t_churn(&small, 20000));
	SMALL("totals", t_totals(&small));
	return tap_done();
}
