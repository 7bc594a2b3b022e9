// SPDX-License-Identifier: GPL-2.0
/*
 * Packet tests of xdp/srcfilter.o and xdp/srclog_filter.o: crafted frames
 * through BPF_PROG_TEST_RUN against rules written straight into the
 * tries. What each frame should get is decided here by a model that
 * walks the rule list (no trie): the longest matching rule of the frame's
 * interface, unless any allow rule matches. Per-rule counters, last hits
 * and the per-interface totals are checked against the model. TAP on
 * stdout.
 *
 *   srcfilter_test [-t NAME]... [DIR]  DIR holds the objects (default: xdp)
 *
 * Like srclog_test it moves into a network namespace of its own (lo and a
 * second device, for a second ifindex) and pins itself to one CPU.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <net/if.h>
#include <sched.h>
#include <stddef.h>
#include "pkt.h"
#include "../../maps/srcfilter_rules.h"
#include "../../maps/srcfilter_hits.h"
#include "../../maps/srcfilter_stats.h"
#include "../../maps/srclog_sources.h"
#include "../../maps/srclog_events.h"
#include "../../maps/srclog_config.h"

#define STATS_WORDS	(sizeof(struct srcfilter_stats) / 8)
#define MAX_RULES	512
#define VLAN_DEPTH	2	/* tags the program reads (xdp/parsing.h) */

enum why {	/* index of the reason counter in struct srcfilter_stats */
	W_NOT_IP = offsetof(struct srcfilter_stats, not_ip) / 8,
	W_MALFORMED = offsetof(struct srcfilter_stats, malformed) / 8,
	W_UNMATCHED = offsetof(struct srcfilter_stats, unmatched) / 8,
	W_ALLOWED = offsetof(struct srcfilter_stats, allowed) / 8,
	W_COUNTED = offsetof(struct srcfilter_stats, counted) / 8,
	W_DROPPED = offsetof(struct srcfilter_stats, dropped) / 8,
};

struct rule {
	uint32_t ifindex;
	int family;		/* 4 or 6 */
	uint8_t addr[16];
	int len;		/* prefix length */
	uint32_t action, slot;
	uint64_t packets, bytes;	/* the model's counters */
};

struct obj {
	const char *desc, *file;
	struct bpf_object *bpf;
	int prog, rules4, rules6, allow4, allow6, hits, stats, sources, config, events;
	struct rule rules[MAX_RULES];
	int nrules;
	uint64_t want[2][STATS_WORDS];	/* the model of srcfilter_stats: [0] lo, [1] other_if */
	uint64_t c0, c1;		/* CLOCK_MONOTONIC_COARSE around the latest run */
};

static struct obj filt = { .desc = "srcfilter.o", .file = "srcfilter" };
static struct obj both = { .desc = "srclog_filter.o", .file = "srclog_filter" };
static uint32_t lo, other_if;

static uint64_t coarse_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + ts.tv_nsec;
}

/* ---- frames ---- */

struct frame {
	int family;		/* 4, 6, or 0 (ARP) */
	uint8_t src[16];
	const struct pkt_vlan *tags;
	int ntags;
	uint8_t ihl_opts;	/* IPv4 option bytes */
	uint16_t frag;		/* IPv4 flags and offset */
	uint8_t next;		/* IPv6 next header (44: a fragment header follows) */
	uint16_t plen;
};

static struct frame v4(const char *src)
{
	struct frame f = { .family = 4, .plen = 26 };

	inet_pton(AF_INET, src, f.src);
	return f;
}

static struct frame v6(const char *src)
{
	struct frame f = { .family = 6, .next = 17, .plen = 26 };

	inet_pton(AF_INET6, src, f.src);
	return f;
}

static void build(const struct frame *f, struct pkt *p)
{
	uint8_t bytes[PKT_MAX];

	p->len = 0;
	if (f->family == 4) {
		struct pkt_ipv4 ip = { .ttl = 60, .proto = 17, .id = 7, .frag = f->frag,
				       .opt_len = f->ihl_opts, .saddr = pkt_get32(f->src),
				       .daddr = 0xc6120001 };

		memset(ip.opts, 1, sizeof(ip.opts));	/* NOPs */
		pkt_put_eth(p, pkt_mac_a, pkt_mac_b, f->tags, f->ntags, PKT_ETH_P_IP);
		pkt_put_ipv4(p, &ip, f->plen);
	} else if (f->family == 6) {
		struct pkt_ipv6 ip = { .next = f->next, .hlim = 60 };

		memcpy(ip.saddr, f->src, 16);
		inet_pton(AF_INET6, "2001:db8:1::1", ip.daddr);
		pkt_put_eth(p, pkt_mac_a, pkt_mac_b, f->tags, f->ntags, PKT_ETH_P_IPV6);
		pkt_put_ipv6(p, &ip, f->plen);
	} else {
		pkt_put_eth(p, pkt_mac_a, pkt_mac_b, f->tags, f->ntags, PKT_ETH_P_ARP);
	}
	pkt_fill(bytes, f->plen, f->plen + f->family);
	pkt_put(p, bytes, f->plen);
}

/* ---- rules and the model ---- */

static bool in_prefix(const uint8_t *a, const uint8_t *p, int len)
{
	int full = len / 8, rest = len % 8;

	if (memcmp(a, p, full))
		return false;
	return !rest || ((a[full] ^ p[full]) & (0xff00 >> rest) & 0xff) == 0;
}

/* add: a rule into the tries and the model; its slot's counters zeroed. */
static bool add(struct obj *o, uint32_t ifindex, const char *prefix, uint32_t action, uint32_t slot)
{
	struct srcfilter_rule v = { .action = action, .slot = slot };
	struct rule *r = &o->rules[o->nrules];
	char a[64];
	int fd, err;

	snprintf(a, sizeof(a), "%s", prefix);
	*strchr(a, '/') = '\0';
	memset(r, 0, sizeof(*r));
	r->ifindex = ifindex;
	r->family = strchr(a, ':') ? 6 : 4;
	r->len = atoi(strchr(prefix, '/') + 1);
	r->action = action;
	r->slot = slot;
	inet_pton(r->family == 4 ? AF_INET : AF_INET6, a, r->addr);
	if (slot) {
		struct srcfilter_hit zero[256];

		memset(zero, 0, sizeof(zero));
		if (!tap_check(!bpf_map_update_elem(o->hits, &slot, zero, 0), "zeroing slot %u", slot))
			return false;
	}
	if (r->family == 4) {
		struct srcfilter_key4 k = { .prefixlen = 32 + r->len, .ifindex = ifindex };

		memcpy(k.addr, r->addr, 4);
		fd = action == SRCFILTER_ALLOW ? o->allow4 : o->rules4;
		err = bpf_map_update_elem(fd, &k, &v, 0);
	} else {
		struct srcfilter_key6 k = { .prefixlen = 32 + r->len, .ifindex = ifindex };

		memcpy(k.addr, r->addr, 16);
		fd = action == SRCFILTER_ALLOW ? o->allow6 : o->rules6;
		err = bpf_map_update_elem(fd, &k, &v, 0);
	}
	if (!tap_check(!err, "adding %s: %s", prefix, strerror(errno)))
		return false;
	o->nrules++;
	return true;
}

/* clear: every rule out of the tries and the model. */
static void clear(struct obj *o)
{
	int fds[] = { o->rules4, o->rules6, o->allow4, o->allow6 };
	uint8_t key[24], next[24];
	size_t i;

	for (i = 0; i < sizeof(fds) / sizeof(fds[0]); i++)
		while (!bpf_map_get_next_key(fds[i], NULL, next)) {
			memcpy(key, next, sizeof(key));
			if (!tap_check(!bpf_map_delete_elem(fds[i], key), "delete: %s", strerror(errno)))
				break;
		}
	o->nrules = 0;
}

/* model: the rule that decides f on ifindex (NULL: none), and why. */
static struct rule *model(struct obj *o, uint32_t ifindex, const struct frame *f, enum why *w)
{
	struct rule *best = NULL, *allow = NULL;
	int i;

	for (i = 0; i < o->nrules; i++) {
		struct rule *r = &o->rules[i];

		if (r->ifindex != ifindex || r->family != f->family || !in_prefix(f->src, r->addr, r->len))
			continue;
		if (r->action == SRCFILTER_ALLOW) {
			if (!allow || r->len > allow->len)
				allow = r;
		} else if (!best || r->len > best->len) {
			best = r;
		}
	}
	if (allow)
		best = allow;
	*w = !best ? W_UNMATCHED : best->action == SRCFILTER_ALLOW ? W_ALLOWED :
	     best->action == SRCFILTER_DROP ? W_DROPPED : W_COUNTED;
	return best;
}

/* ---- running frames ---- */

/* feed: f through the program on ifindex; its verdict and counters are
 * the model's. */
static bool feed(struct obj *o, uint32_t ifindex, const struct frame *f, const char *what)
{
	uint64_t *want = o->want[ifindex == lo ? 0 : 1];
	uint32_t verdict = XDP_ABORTED, wverdict;
	struct pkt in, out;
	struct rule *r;
	enum why w;
	int err;

	build(f, &in);
	r = f->family ? model(o, ifindex, f, &w) : NULL;
	if (!f->family)
		w = W_NOT_IP;
	wverdict = w == W_DROPPED ? XDP_DROP : XDP_PASS;
	o->c0 = coarse_ns();
	err = pkt_xdp_run(o->prog, ifindex, &in, &out, &verdict);
	o->c1 = coarse_ns();
	if (!tap_check(!err, "%s: BPF_PROG_TEST_RUN: %s", what, strerror(-err)))
		return false;
	want[w]++;
	want[wverdict == XDP_DROP ? 1 : 0]++;
	if (r) {
		r->packets++;
		r->bytes += in.len;
	}
	if (!tap_check(verdict == wverdict, "%s: %s, want %s", what, pkt_verdict_name(verdict),
		       pkt_verdict_name(wverdict)))
		return false;
	if (verdict == XDP_PASS && !tap_check(out.len == in.len && !memcmp(out.b, in.b, in.len),
					       "%s: the frame came out changed", what))
		return false;
	return true;
}

/* counters_are: every rule's slot and both interfaces' totals are the model's. */
static bool counters_are(struct obj *o, const char *what)
{
	uint32_t ifs[2] = { lo, other_if };
	struct srcfilter_hit h;
	bool ok = true;
	int i, err;

	for (i = 0; i < o->nrules; i++) {
		struct rule *r = &o->rules[i];

		if (!r->slot)
			continue;
		err = mapio_percpu_sum(o->hits, &r->slot, sizeof(h), (uint64_t *)&h, 2);
		ok = tap_check(!err && h.packets == r->packets && h.bytes == r->bytes,
			       "%s: rule %d (slot %u): %llu packets %llu bytes, want %llu %llu", what, i,
			       r->slot, (unsigned long long)h.packets, (unsigned long long)h.bytes,
			       (unsigned long long)r->packets, (unsigned long long)r->bytes) && ok;
	}
	for (i = 0; i < 2; i++) {
		uint64_t got[STATS_WORDS];
		size_t k;

		if (!ifs[i])
			continue;
		err = mapio_percpu_sum(o->stats, &ifs[i], sizeof(got), got, STATS_WORDS);
		if (!tap_check(!err, "%s: lookup of srcfilter_stats[%u]", what, ifs[i]))
			return false;
		for (k = 0; k < STATS_WORDS; k++)
			ok = tap_check(got[k] == o->want[i][k], "%s: ifindex %u, word %zu of srcfilter_stats is %llu, want %llu",
				       what, ifs[i], k, (unsigned long long)got[k],
				       (unsigned long long)o->want[i][k]) && ok;
	}
	return ok;
}

/* ---- loading ---- */

static int map_fd(struct obj *o, const char *name, enum bpf_map_type type, uint32_t key,
		  uint32_t value, uint32_t max)
{
	struct bpf_map *m = bpf_object__find_map_by_name(o->bpf, name);

	if (!tap_check(m != NULL, "%s: no map %s", o->desc, name))
		return -1;
	if (!tap_check(bpf_map__type(m) == type && bpf_map__key_size(m) == key &&
		       bpf_map__value_size(m) == value && bpf_map__max_entries(m) == max,
		       "%s: map %s is type %d key %u value %u max %u", o->desc, name, bpf_map__type(m),
		       bpf_map__key_size(m), bpf_map__value_size(m), bpf_map__max_entries(m)))
		return -1;
	return bpf_map__fd(m);
}

static bool load(struct obj *o, const char *dir)
{
	int fd = pkt_load(dir, o->file, &o->bpf);
	bool ok = false;

	if (!tap_check(fd >= 0, "%s/%s.o: %s", dir, o->file, strerror(-fd)))
		goto out;
	o->prog = fd;
	o->rules4 = map_fd(o, "srcfilter_rules4", BPF_MAP_TYPE_LPM_TRIE, 12, 16, SRCFILTER_MAX_RULES);
	o->rules6 = map_fd(o, "srcfilter_rules6", BPF_MAP_TYPE_LPM_TRIE, 24, 16, SRCFILTER_MAX_RULES);
	o->allow4 = map_fd(o, "srcfilter_allow4", BPF_MAP_TYPE_LPM_TRIE, 12, 16, SRCFILTER_MAX_ALLOW);
	o->allow6 = map_fd(o, "srcfilter_allow6", BPF_MAP_TYPE_LPM_TRIE, 24, 16, SRCFILTER_MAX_ALLOW);
	o->hits = map_fd(o, "srcfilter_hits", BPF_MAP_TYPE_PERCPU_ARRAY, 4, 16, SRCFILTER_SLOTS);
	o->stats = map_fd(o, "srcfilter_stats", BPF_MAP_TYPE_PERCPU_ARRAY, 4, 64, SRCFILTER_MAX_IFINDEX);
	ok = o->rules4 >= 0 && o->rules6 >= 0 && o->allow4 >= 0 && o->allow6 >= 0 && o->hits >= 0 &&
	     o->stats >= 0;
	if (ok && !strcmp(o->file, "srclog_filter")) {
		o->sources = map_fd(o, "srclog_sources", BPF_MAP_TYPE_LRU_PERCPU_HASH, 24, 32, SRCLOG_MAX_SOURCES);
		o->config = map_fd(o, "srclog_config", BPF_MAP_TYPE_ARRAY, 4, 8, 1);
		o->events = map_fd(o, "srclog_events", BPF_MAP_TYPE_RINGBUF, 0, 0, SRCLOG_RING_BYTES);
		ok = o->sources >= 0 && o->config >= 0 && o->events >= 0;
	}
	if (ok)
		ok = counters_are(o, "fresh load");
out:
	tap_end("%s loads unpinned: four LPM tries (rules %u, allow %u per family), hits "
		"PERCPU_ARRAY %u, stats PERCPU_ARRAY %u, all empty", o->desc, SRCFILTER_MAX_RULES,
		SRCFILTER_MAX_ALLOW, SRCFILTER_SLOTS, SRCFILTER_MAX_IFINDEX);
	return fd >= 0 && ok;
}

/* ---- tests ---- */

static void t_no_rules(struct obj *o)
{
	struct frame f[] = { v4("198.18.0.9"), v6("2001:db8::9"), { .plen = 28 } };
	size_t i;

	clear(o);
	for (i = 0; i < sizeof(f) / sizeof(f[0]); i++)
		feed(o, lo, &f[i], "no rules");
	counters_are(o, "no rules");
	tap_end("%s, no rules: IPv4, IPv6 and ARP frames XDP_PASS untouched, counted unmatched / not_ip",
		o->desc);
}

static void t_longest(struct obj *o)
{
	const char *srcs4[] = { "198.18.9.1", "198.18.7.1", "198.18.7.7", "198.20.0.1", "198.19.255.255" };
	const char *srcs6[] = { "2001:db8:9::1", "2001:db8:bad::1", "2001:db8:bad::7", "2001:db9::1" };
	size_t i;

	clear(o);
	add(o, lo, "198.18.0.0/15", SRCFILTER_DROP, 1);
	add(o, lo, "198.18.7.0/24", SRCFILTER_COUNT, 2);
	add(o, lo, "198.18.7.7/32", SRCFILTER_DROP, 3);
	add(o, lo, "2001:db8::/32", SRCFILTER_COUNT, 4);
	add(o, lo, "2001:db8:bad::/48", SRCFILTER_DROP, 5);
	add(o, lo, "2001:db8:bad::7/128", SRCFILTER_COUNT, 6);
	for (i = 0; i < sizeof(srcs4) / sizeof(srcs4[0]); i++) {
		struct frame f = v4(srcs4[i]);

		feed(o, lo, &f, srcs4[i]);
	}
	for (i = 0; i < sizeof(srcs6) / sizeof(srcs6[0]); i++) {
		struct frame f = v6(srcs6[i]);

		feed(o, lo, &f, srcs6[i]);
	}
	counters_are(o, "longest prefix");
	tap_end("%s: nested drop/count rules /15 /24 /32 and /32 /48 /128: the longest match decides, "
		"counted on its own rule", o->desc);
}

static void t_allow(struct obj *o)
{
	const char *srcs[] = { "198.18.5.5", "198.18.5.6", "198.19.1.1", "198.19.1.2",
			       "2001:db8:1::5", "2001:db8:2::5" };
	size_t i;

	clear(o);
	add(o, lo, "198.18.0.0/16", SRCFILTER_ALLOW, 1);
	add(o, lo, "198.18.5.5/32", SRCFILTER_DROP, 2);	/* longer, inside the allow */
	add(o, lo, "198.19.0.0/16", SRCFILTER_DROP, 3);
	add(o, lo, "198.19.1.1/32", SRCFILTER_ALLOW, 4);	/* inside the drop */
	add(o, lo, "2001:db8:1::/48", SRCFILTER_ALLOW, 5);
	add(o, lo, "2001:db8:1::5/128", SRCFILTER_DROP, 6);
	add(o, lo, "2001:db8::/32", SRCFILTER_DROP, 7);
	for (i = 0; i < sizeof(srcs) / sizeof(srcs[0]); i++) {
		struct frame f = strchr(srcs[i], ':') ? v6(srcs[i]) : v4(srcs[i]);

		feed(o, lo, &f, srcs[i]);
		feed(o, lo, &f, srcs[i]);
	}
	counters_are(o, "allow");
	tap_end("%s: an allow rule beats every drop rule that matches, longer or shorter; the allow "
		"rule counts the frame", o->desc);
}

static void t_interfaces(struct obj *o)
{
	struct frame f4 = v4("198.18.3.3"), f6 = v6("2001:db8:3::3");

	if (!other_if) {
		printf("ok %u # SKIP no second device in this netns\n", ++tap.tests);
		return;
	}
	clear(o);
	add(o, lo, "198.18.3.0/24", SRCFILTER_DROP, 1);
	add(o, other_if, "2001:db8:3::/48", SRCFILTER_DROP, 2);
	feed(o, lo, &f4, "IPv4 on lo");
	feed(o, other_if, &f4, "IPv4 on the other device");
	feed(o, lo, &f6, "IPv6 on lo");
	feed(o, other_if, &f6, "IPv6 on the other device");
	counters_are(o, "two interfaces");
	tap_end("%s: a rule acts on its own interface only; totals kept per interface", o->desc);
}

static void t_everything(struct obj *o)
{
	struct frame f[] = { v4("198.18.0.1"), v4("203.0.113.9"), v6("2001:db8::1"), { .plen = 28 } };
	size_t i;

	clear(o);
	add(o, lo, "0.0.0.0/0", SRCFILTER_DROP, 1);
	for (i = 0; i < sizeof(f) / sizeof(f[0]); i++)
		feed(o, lo, &f[i], "0.0.0.0/0");
	clear(o);
	add(o, lo, "::/0", SRCFILTER_COUNT, 2);
	for (i = 0; i < sizeof(f) / sizeof(f[0]); i++)
		feed(o, lo, &f[i], "::/0");
	counters_are(o, "/0");
	tap_end("%s: 0.0.0.0/0 drops every IPv4 frame and nothing else; ::/0 counts every IPv6 one",
		o->desc);
}

static void t_shapes(struct obj *o)
{
	const struct pkt_vlan *stacks[] = { NULL, pkt_tags_1q, pkt_tags_qinq, pkt_tags_qq, pkt_tags_3 };
	int ntags[] = { 0, 1, 2, 2, 3 };
	struct frame f;
	size_t i;

	clear(o);
	add(o, lo, "198.18.8.0/24", SRCFILTER_DROP, 1);
	add(o, lo, "2001:db8:8::/48", SRCFILTER_DROP, 2);
	for (i = 0; i < sizeof(ntags) / sizeof(ntags[0]); i++) {
		f = v4("198.18.8.8");
		f.tags = stacks[i];
		f.ntags = ntags[i];
		if (ntags[i] > VLAN_DEPTH) {
			/* a third tag is not read: not IP to the program */
			struct pkt in, out;
			uint32_t verdict = XDP_ABORTED;

			build(&f, &in);
			tap_check(!pkt_xdp_run(o->prog, lo, &in, &out, &verdict) && verdict == XDP_PASS,
				  "three tags: %s, want XDP_PASS", pkt_verdict_name(verdict));
			o->want[0][W_NOT_IP]++;
			o->want[0][0]++;
			continue;
		}
		feed(o, lo, &f, "tagged IPv4");
		f = v6("2001:db8:8::8");
		f.tags = stacks[i];
		f.ntags = ntags[i];
		feed(o, lo, &f, "tagged IPv6");
	}
	f = v4("198.18.8.9");
	f.ihl_opts = 40;
	feed(o, lo, &f, "IPv4, IHL 15");
	f = v4("198.18.8.9");
	f.frag = PKT_IP_MF;
	feed(o, lo, &f, "IPv4, first fragment");
	f.frag = 185;
	feed(o, lo, &f, "IPv4, last fragment (offset 1480)");
	f = v6("2001:db8:8::9");
	f.next = 44;
	feed(o, lo, &f, "IPv6 with a fragment header");
	counters_are(o, "shapes");
	tap_end("%s: 0, 1 and 2 VLAN tags, IP options, IPv4 and IPv6 fragments: matched by source; "
		"a third tag passes as not IP", o->desc);
}

static void t_truncated(struct obj *o)
{
	struct frame fs[] = { v4("198.18.8.8"), v6("2001:db8:8::8") };
	size_t i, cut;
	bool ok = true;

	clear(o);
	add(o, lo, "198.18.8.0/24", SRCFILTER_DROP, 1);
	add(o, lo, "2001:db8:8::/48", SRCFILTER_DROP, 2);
	for (i = 0; i < 2; i++) {
		struct pkt whole, in, out;
		size_t hdr = PKT_ETH_HLEN + (fs[i].family == 4 ? 20 : 40);

		fs[i].tags = pkt_tags_qinq;
		fs[i].ntags = 2;
		build(&fs[i], &whole);
		hdr += 8;
		for (cut = 0; cut < hdr && ok; cut++) {
			uint32_t verdict = XDP_ABORTED;

			in.len = cut;
			memcpy(in.b, whole.b, cut);
			if (cut < PKT_ETH_HLEN)
				continue;	/* the kernel refuses a frame shorter than Ethernet */
			ok = tap_check(!pkt_xdp_run(o->prog, lo, &in, &out, &verdict) &&
				       verdict == XDP_PASS && out.len == cut && !memcmp(out.b, in.b, cut),
				       "cut at %zu of a tagged IPv%d header: %s", cut, fs[i].family,
				       pkt_verdict_name(verdict));
			/* cut in the tags or the IP header: malformed */
			o->want[0][W_MALFORMED]++;
			o->want[0][0]++;
		}
	}
	counters_are(o, "truncated");
	tap_end("%s: a source's frame cut anywhere before the source address's end passes untouched, "
		"counted malformed", o->desc);
}

/* Random rules and sources in 198.18.0.0/15 and 2001:db8::/32, nested by
 * construction; every verdict and counter against the model. */
static void t_random(struct obj *o)
{
	uint32_t seed = 12345, actions[] = { SRCFILTER_DROP, SRCFILTER_COUNT, SRCFILTER_ALLOW };
	uint64_t before[3] = { o->want[0][W_DROPPED], o->want[0][W_COUNTED], o->want[0][W_ALLOWED] };
	int i, n = 300;
	char p[80], a[INET6_ADDRSTRLEN];

	clear(o);
	for (i = 0; i < n && o->nrules < MAX_RULES; i++) {
		uint32_t r = pkt_rand(&seed), act = actions[r % 7 == 0 ? 2 : r % 2];
		uint8_t b[16];

		if (r & 0x100) {
			uint32_t x = 0xc6120000 | (pkt_rand(&seed) & 0x1ffff);
			/* allow rules narrow, so that drops and counts happen too */
			int len = act == SRCFILTER_ALLOW ? 22 + pkt_rand(&seed) % 11 :
				  r % 8 ? 15 + pkt_rand(&seed) % 10 : 32;

			x &= len ? ~0u << (32 - len) : 0;
			pkt_set32(b, x);
			inet_ntop(AF_INET, b, a, sizeof(a));
			snprintf(p, sizeof(p), "%s/%d", a, len);
		} else {
			int len = act == SRCFILTER_ALLOW ? 60 + pkt_rand(&seed) % 5 :
				  r % 8 ? 32 + pkt_rand(&seed) % 33 : 128, k;

			memset(b, 0, 16);
			pkt_set32(b, 0x20010db8);
			for (k = 4; k < 8; k++)
				b[k] = pkt_rand(&seed) & 1;
			b[15] = pkt_rand(&seed) & 3;
			for (k = len; k < 128; k++)
				b[k / 8] &= ~(0x80 >> (k % 8));
			inet_ntop(AF_INET6, b, a, sizeof(a));
			snprintf(p, sizeof(p), "%s/%d", a, len);
		}
		/* a prefix twice: the model keeps one rule per prefix too */
		{
			int j, dup = 0;

			for (j = 0; j < o->nrules; j++) {
				char q[80];

				inet_ntop(o->rules[j].family == 4 ? AF_INET : AF_INET6, o->rules[j].addr, q, sizeof(q));
				snprintf(q + strlen(q), sizeof(q) - strlen(q), "/%d", o->rules[j].len);
				dup |= !strcmp(q, p) && (o->rules[j].action == SRCFILTER_ALLOW) == (act == SRCFILTER_ALLOW);
			}
			if (dup)
				continue;
		}
		add(o, lo, p, act, o->nrules + 1);
	}
	for (i = 0; i < 4000; i++) {
		uint32_t r = pkt_rand(&seed);
		struct frame f;
		uint8_t b[16];
		int k;

		if (r & 1) {
			pkt_set32(b, 0xc6120000 | (pkt_rand(&seed) & 0x1ffff));
			inet_ntop(AF_INET, b, a, sizeof(a));
			f = v4(a);
		} else {
			memset(b, 0, 16);
			pkt_set32(b, 0x20010db8);
			for (k = 4; k < 8; k++)
				b[k] = pkt_rand(&seed) & 1;
			b[15] = pkt_rand(&seed) & 3;
			inet_ntop(AF_INET6, b, a, sizeof(a));
			f = v6(a);
		}
		f.plen = 20 + r % 900;
		if (!feed(o, lo, &f, a))
			break;
	}
	counters_are(o, "random");
	tap_end("%s: %d random nested rules (drop, count, allow; IPv4 and IPv6), 4000 frames "
		"(%llu dropped, %llu counted, %llu allowed): every verdict and counter as the model says",
		o->desc, o->nrules, (unsigned long long)(o->want[0][W_DROPPED] - before[0]),
		(unsigned long long)(o->want[0][W_COUNTED] - before[1]),
		(unsigned long long)(o->want[0][W_ALLOWED] - before[2]));
}

static void t_last_hit(struct obj *o)
{
	struct srcfilter_key4 k = { .prefixlen = 32 + 24, .ifindex = lo };
	struct srcfilter_rule v;
	struct frame f = v4("198.18.4.4");
	uint64_t first;

	clear(o);
	add(o, lo, "198.18.4.0/24", SRCFILTER_COUNT, 0);	/* slot 0: not counted one by one */
	pkt_set32(k.addr, 0xc6120400);
	feed(o, lo, &f, "first hit");
	if (tap_check(!bpf_map_lookup_elem(o->rules4, &k, &v), "lookup of the rule")) {
		first = v.last_hit_ns;
		tap_check(first >= o->c0 && first <= o->c1, "last_hit_ns %llu outside [%llu, %llu]",
			  (unsigned long long)first, (unsigned long long)o->c0, (unsigned long long)o->c1);
		feed(o, lo, &f, "second hit");
		tap_check(!bpf_map_lookup_elem(o->rules4, &k, &v) && v.last_hit_ns == first,
			  "a hit within the second rewrote last_hit_ns");
	}
	counters_are(o, "slot 0");
	tap_end("%s: last_hit_ns is the coarse clock of the first hit, not rewritten within a second; "
		"a rule with slot 0 acts and is counted in the totals only", o->desc);
}

/* The combined object: a dropped source is still counted by srclog, and
 * the log says it was dropped. */
static int on_event(void *ctx, void *data, size_t size)
{
	struct srclog_event *e = data, *want = ctx;

	if (size >= sizeof(*e) && want->len == 0)
		*want = *e;
	return 0;
}

static void t_logged(struct obj *o)
{
	struct srclog_config cfg = { .log_every = 1 };
	struct srclog_event got = { .len = 0 }, got2;
	struct srclog_key key = { .ifindex = lo, .family = 4 };
	struct srclog_source src[256];
	struct ring_buffer *rb;
	struct frame f = v4("198.18.6.6"), g = v4("198.18.7.7");
	uint32_t zero = 0;

	clear(o);
	add(o, lo, "198.18.6.0/24", SRCFILTER_DROP, 1);
	tap_check(!bpf_map_update_elem(o->config, &zero, &cfg, 0), "log on");
	rb = ring_buffer__new(o->events, on_event, &got, NULL);
	if (!tap_check(rb != NULL, "ring_buffer__new"))
		goto out;
	feed(o, lo, &f, "dropped source");
	ring_buffer__consume(rb);
	tap_check(got.len && got.action == XDP_DROP && !memcmp(got.addr, f.src, 4),
		  "event of the dropped frame: action %u, want XDP_DROP", got.action);
	got2 = got;
	memset(&got, 0, sizeof(got));
	feed(o, lo, &g, "passed source");
	ring_buffer__consume(rb);
	tap_check(got.len && got.action == XDP_PASS && got2.len == got.len,
		  "event of the passed frame: action %u, want XDP_PASS", got.action);
	memcpy(key.addr, f.src, 4);
	tap_check(!bpf_map_lookup_elem(o->sources, &key, src) && src[sched_getcpu()].packets == 1,
		  "the dropped source is in srclog_sources with 1 packet");
	ring_buffer__free(rb);
	cfg.log_every = 0;
	bpf_map_update_elem(o->config, &zero, &cfg, 0);
	counters_are(o, "logged");
out:
	tap_end("%s: a dropped source is counted in srclog_sources, and its event says XDP_DROP; a "
		"passed one says XDP_PASS", o->desc);
}

static void t_totals(struct obj *o)
{
	uint64_t *w = o->want[0];

	tap_check(w[0] + w[1] == w[W_NOT_IP] + w[W_MALFORMED] + w[W_UNMATCHED] + w[W_ALLOWED] +
		  w[W_COUNTED] + w[W_DROPPED] && w[1] == w[W_DROPPED],
		  "the model's totals do not add up");
	counters_are(o, "at the end");
	tap_end("%s: every frame in exactly one action (%llu passed, %llu dropped) and one reason",
		o->desc, (unsigned long long)w[0], (unsigned long long)w[1]);
}

/* ---- main ---- */

static const char *dir;

static bool ready(struct obj *o)
{
	static int ready_filt = -1, ready_both = -1;
	int *r = o == &filt ? &ready_filt : &ready_both;
	const char *name = tap.name;

	tap.name = NULL;
	if (*r < 0)
		*r = load(o, dir);
	tap.name = name;
	return *r;
}

#define RUN(o, prefix, name, call) \
	do { if (pkt_want(prefix "/" name) && ready(o)) call; } while (0)

int main(int argc, char **argv)
{
	cpu_set_t set;
	int cpu;

	dir = pkt_args(argc, argv);
	cpu = sched_getcpu();
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set))
		printf("# could not pin to CPU %d: %s\n", cpu, strerror(errno));
	other_if = pkt_own_netns("sft0");
	lo = if_nametoindex("lo");
	RUN(&filt, "filter", "no_rules", t_no_rules(&filt));
	RUN(&filt, "filter", "longest", t_longest(&filt));
	RUN(&filt, "filter", "allow", t_allow(&filt));
	RUN(&filt, "filter", "interfaces", t_interfaces(&filt));
	RUN(&filt, "filter", "everything", t_everything(&filt));
	RUN(&filt, "filter", "shapes", t_shapes(&filt));
	RUN(&filt, "filter", "truncated", t_truncated(&filt));
	RUN(&filt, "filter", "random", t_random(&filt));
	RUN(&filt, "filter", "last_hit", t_last_hit(&filt));
	RUN(&filt, "filter", "totals", t_totals(&filt));
	RUN(&both, "both", "longest", t_longest(&both));
	RUN(&both, "both", "allow", t_allow(&both));
	RUN(&both, "both", "random", t_random(&both));
	RUN(&both, "both", "logged", t_logged(&both));
	RUN(&both, "both", "totals", t_totals(&both));
	return tap_done();
}
