// SPDX-License-Identifier: GPL-2.0
/*
 * srclog-map: srclog's maps for the scripts, read and written directly
 * through the bpf() syscall (libbpf), not through bpftool's text.
 *
 *   srclog-map [-j|-f FORMAT] [-b] [-n COUNT] [-i SECONDS] [-p LEN[,LEN6]]
 *              [-I IFINDEX] top PIN_DIR
 *   srclog-map [-I IFINDEX] status PIN_DIR
 *   srclog-map [-I IFINDEX] reset PIN_DIR
 *   srclog-map log PIN_DIR on|off|N
 *   srclog-map -I IFINDEX -L IFACE metrics PIN_DIR FILE
 *
 * PIN_DIR is where the maps are pinned ($BPFFS/xdp/globals). top reads
 * srclog_sources twice, SECONDS apart (0: once, no rates), and prints the
 * COUNT busiest sources by packets (-b: bytes). FORMAT is text (default),
 * json (-j: a JSON array) or rules (one prefix per line, for a filter).
 * -p aggregates the sources by prefix: IPv4 by /LEN, IPv6 by /LEN6 (LEN
 * alone: both). -I keeps the sources seen on one interface. reset deletes
 * the sources (of IFINDEX, or all) and zeroes the counters; log sets
 * srclog_config. metrics writes FILE in the Prometheus text format
 * (atomically, promfile.h): the counters, the sources of IFINDEX, and its
 * SRCLOG_PROM_TOP busiest sources by packets, labelled with IFACE.
 *
 * Why not bpftool: its dump walks the map with GET_NEXT_KEY, which starts
 * again from the first bucket whenever the key it stands on has been
 * evicted, so under churn it returns the same source several times (and
 * more entries than the map holds); and its JSON grows with entries x
 * CPUs. Here one pass of BPF_MAP_LOOKUP_BATCH walks the buckets in order,
 * each once, summing the CPUs as it goes, in memory bounded by the map's
 * size (not by its CPU count).
 *
 * Exit: 0 done, 2 bad arguments, 3 a map is missing, unreadable or not
 * laid out as maps/ says.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

static const char *helper_name = "srclog-map";

#include "cli.h"
#include "mapio.h"
#include "promfile.h"
#include "../../maps/srclog_sources.h"
#include "../../maps/srclog_stats.h"
#include "../../maps/srclog_config.h"

/* metrics: the busiest sources as labelled series, no more (a bounded
 * label cardinality: at most this many addresses per interface). */
#define SRCLOG_PROM_TOP	10

/* Per-CPU values read in one batch call: at most this many bytes. */
#define BATCH_BYTES	(4u << 20)

enum format { TEXT, JSON, RULES };

struct source {
	struct srclog_key key;		/* with -p: the prefix, host bits zero */
	struct srclog_source v;		/* summed over the CPUs */
	double pps, bps;
	uint64_t order;			/* when it was read: the later read wins */
	uint64_t sources;		/* with -p: sources in the prefix */
};

struct opts {
	enum format format;
	int by_bytes;
	unsigned long count;
	double interval;
	long ifindex;			/* -1: every interface */
	int len4, len6;			/* -1: no aggregation */
};

/* What one pass over srclog_sources saw. */
struct pass {
	struct source *s;
	size_t n;
	uint64_t twice;			/* read twice (only if the kernel ever did) */
	uint64_t over;			/* beyond capacity: the least recently seen, left out */
	uint64_t added;			/* new sources the program took in meanwhile */
};

struct maps {
	int sources, stats, config;
	uint32_t capacity;
	unsigned int ncpus;
	unsigned int values;		/* per source: ncpus, or 1 for a shared map */
};

static void usage(void)
{
	fprintf(stderr,
		"usage: srclog-map [-j|-f text|json|rules] [-b] [-n COUNT] [-i SECONDS] "
		"[-p LEN[,LEN6]] [-I IFINDEX] top PIN_DIR\n"
		"       srclog-map [-I IFINDEX] status PIN_DIR\n"
		"       srclog-map [-I IFINDEX] reset PIN_DIR\n"
		"       srclog-map log PIN_DIR on|off|N\n"
		"       srclog-map -I IFINDEX -L IFACE metrics PIN_DIR FILE\n");
	exit(EXIT_USAGE);
}

static void *alloc(size_t n)
{
	void *p = calloc(1, n ? n : 1);

	if (!p)
		die(EXIT_ENV, "out of memory", NULL);
	return p;
}

/* The pinned map dir/name, checked against the layout in maps/ (type2:
 * another type accepted, 0 if none); its info in *info when not NULL. */
static int open_map(const char *dir, const char *name, enum bpf_map_type type,
		    enum bpf_map_type type2, uint32_t key, uint32_t value, struct bpf_map_info *info)
{
	char path[4096];
	struct mapio m;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (mapio_open(&m, path, type, type2, key, value))
		die(EXIT_ENV, m.err, errno == EINVAL ? "stop and start srclog" : NULL);
	if (info)
		*info = m.info;
	return m.fd;
}

static void open_maps(const char *dir, struct maps *m)
{
	struct bpf_map_info info;
	int n = libbpf_num_possible_cpus();

	if (n <= 0)
		die(EXIT_ENV, "cannot count the possible CPUs", strerror(-n));
	m->ncpus = n;
	/* A build with -DSRCLOG_SHARED has one value for all CPUs. */
	m->sources = open_map(dir, "srclog_sources", BPF_MAP_TYPE_LRU_PERCPU_HASH,
			      BPF_MAP_TYPE_LRU_HASH, sizeof(struct srclog_key),
			      sizeof(struct srclog_source), &info);
	m->capacity = info.max_entries;
	m->values = info.type == BPF_MAP_TYPE_LRU_HASH ? 1 : m->ncpus;
	m->stats = open_map(dir, "srclog_stats", BPF_MAP_TYPE_PERCPU_ARRAY, 0, sizeof(__u32),
			    sizeof(struct srclog_stats), NULL);
	m->config = open_map(dir, "srclog_config", BPF_MAP_TYPE_ARRAY, 0, sizeof(__u32),
			     sizeof(struct srclog_config), NULL);
}

static void read_stats(const struct maps *m, struct srclog_stats *sum)
{
	uint32_t zero = 0;
	int err = mapio_percpu_sum(m->stats, &zero, sizeof(*sum), (uint64_t *)sum,
				   sizeof(*sum) / sizeof(__u64));

	if (err)
		die(EXIT_ENV, "cannot read srclog_stats", strerror(-err));
}

static int by_key(const void *a, const void *b)
{
	const struct source *x = a, *y = b;
	int d = memcmp(&x->key, &y->key, sizeof(x->key));

	if (d)
		return d;
	return x->order < y->order ? -1 : x->order > y->order;
}

static int by_recent(const void *a, const void *b)
{
	const struct source *x = a, *y = b;

	return x->v.last_seen_ns < y->v.last_seen_ns ? 1 : x->v.last_seen_ns > y->v.last_seen_ns ? -1 : 0;
}

/*
 * One pass over srclog_sources (of ifindex, unless -1): every source
 * once, with its CPUs summed as one lookup copied them, and never more
 * than the map holds.
 */
static void read_sources(const struct maps *m, long ifindex, struct pass *p)
{
	size_t vsz = sizeof(struct srclog_source), cap = 1024, chunk;
	struct srclog_stats st0, st1;
	struct srclog_key *keys;
	struct srclog_source *vals;
	uint32_t token = 0;
	uint64_t order = 0;
	size_t i, k;
	int first = 1, end = 0;

	/* Enough entries per call to be quick, few enough to bound memory. */
	chunk = BATCH_BYTES / (vsz * m->values);
	if (chunk < 64)
		chunk = 64;
	if (chunk > 8192)
		chunk = 8192;
	keys = alloc(chunk * sizeof(*keys));
	vals = alloc(chunk * vsz * m->values);
	memset(p, 0, sizeof(*p));
	p->s = alloc(cap * sizeof(*p->s));

	read_stats(m, &st0);
	while (!end) {
		__u32 count = chunk;
		int err = bpf_map_lookup_batch(m->sources, first ? NULL : &token, &token, keys,
					       vals, &count, NULL);

		if (err && errno == ENOSPC && !count) {
			/* One bucket holds more than a batch: a bigger batch. */
			chunk *= 2;
			free(keys);
			free(vals);
			keys = alloc(chunk * sizeof(*keys));
			vals = alloc(chunk * vsz * m->values);
			continue;
		}
		if (err && errno != ENOENT)
			die(EXIT_ENV, "cannot read srclog_sources", strerror(errno));
		end = err != 0;
		first = 0;
		for (i = 0; i < count; i++) {
			const struct srclog_source *v = vals + i * m->values;
			struct source *s;

			if (ifindex >= 0 && keys[i].ifindex != (uint32_t)ifindex)
				continue;
			if (p->n == cap) {
				cap *= 2;
				p->s = realloc(p->s, cap * sizeof(*p->s));
				if (!p->s)
					die(EXIT_ENV, "out of memory", NULL);
			}
			s = &p->s[p->n++];
			memset(s, 0, sizeof(*s));
			s->key = keys[i];
			s->order = order++;
			for (k = 0; k < m->values; k++) {
				s->v.packets += v[k].packets;
				s->v.bytes += v[k].bytes;
				if (v[k].first_seen_ns && (!s->v.first_seen_ns ||
							   v[k].first_seen_ns < s->v.first_seen_ns))
					s->v.first_seen_ns = v[k].first_seen_ns;
				if (v[k].last_seen_ns > s->v.last_seen_ns)
					s->v.last_seen_ns = v[k].last_seen_ns;
			}
		}
	}
	read_stats(m, &st1);
	p->added = st1.new_sources >= st0.new_sources ? st1.new_sources - st0.new_sources : 0;
	free(keys);
	free(vals);

	/* A source twice (the kernel's walk is by bucket, so only defensively): the later read. */
	qsort(p->s, p->n, sizeof(*p->s), by_key);
	for (i = 0, k = 0; i < p->n; i++) {
		if (i + 1 < p->n && !memcmp(&p->s[i].key, &p->s[i + 1].key, sizeof(p->s[i].key))) {
			p->twice++;
			continue;
		}
		p->s[k++] = p->s[i];
	}
	p->n = k;
	/*
	 * While the pass walks the buckets, sources evicted from buckets
	 * not read yet make room for new ones in buckets already read, so
	 * it can meet more sources than the map ever held at once. Those
	 * beyond its capacity are the least recently seen: the ones the
	 * LRU evicted meanwhile.
	 */
	if (p->n > m->capacity) {
		qsort(p->s, p->n, sizeof(*p->s), by_recent);
		p->over = p->n - m->capacity;
		p->n = m->capacity;
	}
}

/* The churn during a pass, one line; nothing when there was none. */
static void say_churn(const struct pass *p, FILE *f)
{
	if (!p->added && !p->over && !p->twice)
		return;
	fprintf(f, "churn: %llu new sources came in while the map was read (the LRU evicts one "
		"for each when full); %llu seen beyond the capacity left out (the least recently "
		"seen)%s\n", (unsigned long long)p->added, (unsigned long long)p->over,
		p->twice ? "; some read twice, counted once" : "");
}

static int by_packets(const void *a, const void *b)
{
	const struct source *x = a, *y = b;

	if (x->v.packets != y->v.packets)
		return x->v.packets < y->v.packets ? 1 : -1;
	return x->v.bytes < y->v.bytes ? 1 : x->v.bytes > y->v.bytes ? -1 : 0;
}

static int by_bytes(const void *a, const void *b)
{
	const struct source *x = a, *y = b;

	if (x->v.bytes != y->v.bytes)
		return x->v.bytes < y->v.bytes ? 1 : -1;
	return x->v.packets < y->v.packets ? 1 : x->v.packets > y->v.packets ? -1 : 0;
}

static int by_prefix(const void *a, const void *b)
{
	return memcmp(&((const struct source *)a)->key, &((const struct source *)b)->key,
		      sizeof(struct srclog_key));
}

/* Host bits of the address off, for a prefix of len bits. */
static void mask(uint8_t *addr, int len, int bytes)
{
	int i;

	for (i = 0; i < bytes; i++, len -= 8) {
		if (len <= 0)
			addr[i] = 0;
		else if (len < 8)
			addr[i] &= (uint8_t)(0xff << (8 - len));
	}
}

/* Sources into prefixes: counts and rates summed, first and last seen kept. */
static void aggregate(struct source *s, size_t *n, int len4, int len6)
{
	size_t i, k = 0;

	for (i = 0; i < *n; i++) {
		if (s[i].key.family == XDPKIT_FAMILY_IPV6)
			mask(s[i].key.addr, len6, 16);
		else
			mask(s[i].key.addr, len4, 4);
		s[i].sources = 1;
	}
	qsort(s, *n, sizeof(*s), by_prefix);
	for (i = 0; i < *n; i++) {
		if (k && !by_prefix(&s[k - 1], &s[i])) {
			struct source *t = &s[k - 1];

			t->v.packets += s[i].v.packets;
			t->v.bytes += s[i].v.bytes;
			if (s[i].v.first_seen_ns && (!t->v.first_seen_ns ||
						     s[i].v.first_seen_ns < t->v.first_seen_ns))
				t->v.first_seen_ns = s[i].v.first_seen_ns;
			if (s[i].v.last_seen_ns > t->v.last_seen_ns)
				t->v.last_seen_ns = s[i].v.last_seen_ns;
			t->pps += s[i].pps;
			t->bps += s[i].bps;
			t->sources++;
			continue;
		}
		s[k++] = s[i];
	}
	*n = k;
}

/* "198.18.0.7", or "198.18.0.0/24" when len >= 0. */
static const char *addr_text(const struct srclog_key *k, int len, char *buf, size_t size)
{
	int af = k->family == XDPKIT_FAMILY_IPV6 ? AF_INET6 : AF_INET;
	size_t used;

	if (!inet_ntop(af, k->addr, buf, size)) {
		snprintf(buf, size, "?");
		return buf;
	}
	used = strlen(buf);
	if (len >= 0)
		snprintf(buf + used, size - used, "/%d", len);
	return buf;
}

static double mono_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* 1234567 -> "1.2M": counts and rates in a narrow column. */
static const char *human(double v, char *buf, size_t len)
{
	static const char unit[] = " kMGTP";
	int u = 0;

	while (v >= 10000 && u < 5) {
		v /= 1000;
		u++;
	}
	if (u)
		snprintf(buf, len, "%.1f%c", v, unit[u]);
	else
		snprintf(buf, len, "%.0f", v);
	return buf;
}

static void print_stats(const struct srclog_stats *st)
{
	printf("non-IP frames: arp %llu, lldp %llu, other %llu; vlan tags > 2 %llu, "
	       "truncated %llu, malformed IP %llu\n",
	       (unsigned long long)st->arp, (unsigned long long)st->lldp,
	       (unsigned long long)st->other, (unsigned long long)st->vlan_deep,
	       (unsigned long long)st->truncated, (unsigned long long)st->malformed);
	printf("live log: logged %llu, dropped (ring full) %llu, sampled out %llu\n",
	       (unsigned long long)st->logged, (unsigned long long)st->ring_full,
	       (unsigned long long)st->sampled_out);
}

static int top(const struct maps *m, const struct opts *o)
{
	struct pass before = { 0 }, now;
	double t0 = 0, dt = 0, tnow;
	struct srclog_stats st;
	char a[INET6_ADDRSTRLEN + 8], h[4][16];
	int prefix = o->len4 >= 0;
	size_t i, n;

	if (o->interval > 0) {
		read_sources(m, o->ifindex, &before);
		t0 = mono_now();
		usleep(o->interval * 1e6);
	}
	read_sources(m, o->ifindex, &now);
	tnow = mono_now();
	if (o->interval > 0)
		dt = tnow - t0;
	if (before.n)
		qsort(before.s, before.n, sizeof(*before.s), by_prefix);
	for (i = 0; i < now.n && dt > 0; i++) {
		const struct source *was = before.n ? bsearch(&now.s[i], before.s, before.n,
							      sizeof(*before.s), by_prefix) : NULL;
		__u64 p0 = was ? was->v.packets : 0, b0 = was ? was->v.bytes : 0;

		/* Evicted and back meanwhile: counted from zero again. */
		if (was && (was->v.packets > now.s[i].v.packets || was->v.bytes > now.s[i].v.bytes))
			p0 = b0 = 0;
		now.s[i].pps = (now.s[i].v.packets - p0) / dt;
		now.s[i].bps = (now.s[i].v.bytes - b0) * 8 / dt;
	}
	free(before.s);
	n = now.n;
	if (prefix)
		aggregate(now.s, &n, o->len4, o->len6);
	qsort(now.s, n, sizeof(*now.s), o->by_bytes ? by_bytes : by_packets);
	if (n > o->count)
		n = o->count;

	if (o->format == RULES) {
		for (i = 0; i < n; i++) {
			int six = now.s[i].key.family == XDPKIT_FAMILY_IPV6;

			printf("%s\n", addr_text(&now.s[i].key, prefix ? (six ? o->len6 : o->len4)
									: (six ? 128 : 32), a, sizeof(a)));
		}
		free(now.s);
		return 0;
	}
	if (o->format == JSON) {
		printf("[");
		for (i = 0; i < n; i++) {
			const struct source *s = &now.s[i];
			int six = s->key.family == XDPKIT_FAMILY_IPV6;

			printf("%s{", i ? ", " : "");
			if (prefix)
				printf("\"prefix\": \"%s\", \"sources\": %llu, ",
				       addr_text(&s->key, six ? o->len6 : o->len4, a, sizeof(a)),
				       (unsigned long long)s->sources);
			else
				printf("\"address\": \"%s\", ", addr_text(&s->key, -1, a, sizeof(a)));
			printf("\"family\": \"%s\", \"ifindex\": %u, "
			       "\"packets\": %llu, \"bytes\": %llu, \"first_seen_ns\": %llu, "
			       "\"last_seen_ns\": %llu, \"packets_per_s\": %.1f, \"bits_per_s\": %.1f}",
			       six ? "ipv6" : "ipv4", s->key.ifindex,
			       (unsigned long long)s->v.packets, (unsigned long long)s->v.bytes,
			       (unsigned long long)s->v.first_seen_ns,
			       (unsigned long long)s->v.last_seen_ns, s->pps, s->bps);
		}
		printf("]\n");
		free(now.s);
		return 0;
	}
	tnow *= 1e9;
	if (prefix)
		printf("%-43s %8s", "PREFIX", "SOURCES");
	else
		printf("%-39s", "SOURCE");
	printf(" %9s %9s %9s %9s %10s %10s\n", "PACKETS", "BYTES", "PKT/S", "BIT/S", "FIRST",
	       "LAST");
	for (i = 0; i < n; i++) {
		const struct source *s = &now.s[i];
		int six = s->key.family == XDPKIT_FAMILY_IPV6;

		if (prefix)
			printf("%-43s %8llu", addr_text(&s->key, six ? o->len6 : o->len4, a, sizeof(a)),
			       (unsigned long long)s->sources);
		else
			printf("%-39s", addr_text(&s->key, -1, a, sizeof(a)));
		printf(" %9s %9s %9s %9s %9.1fs %9.1fs\n", human(s->v.packets, h[0], sizeof(h[0])),
		       human(s->v.bytes, h[1], sizeof(h[1])),
		       dt > 0 ? human(s->pps, h[2], sizeof(h[2])) : "-",
		       dt > 0 ? human(s->bps, h[3], sizeof(h[3])) : "-",
		       (tnow - s->v.first_seen_ns) / 1e9, (tnow - s->v.last_seen_ns) / 1e9);
	}
	read_stats(m, &st);
	print_stats(&st);
	say_churn(&now, stdout);
	printf("(FIRST and LAST: seconds ago)\n");
	free(now.s);
	return 0;
}

static int status(const struct maps *m, const struct opts *o)
{
	struct srclog_config cfg = { 0 };
	struct srclog_stats st;
	struct pass p;
	uint32_t zero = 0;

	read_sources(m, o->ifindex, &p);
	free(p.s);
	printf("sources: %zu in the map (capacity %u, least recently seen evicted)\n", p.n,
	       m->capacity);
	read_stats(m, &st);
	printf("frames with a source: ipv4 %llu, ipv6 %llu\n", (unsigned long long)st.ipv4,
	       (unsigned long long)st.ipv6);
	print_stats(&st);
	printf("new sources taken in: %llu\n", (unsigned long long)st.new_sources);
	say_churn(&p, stdout);
	if (bpf_map_lookup_elem(m->config, &zero, &cfg))
		die(EXIT_ENV, "cannot read srclog_config", strerror(errno));
	if (!cfg.log_every)
		printf("log: off\n");
	else if (cfg.log_every == 1)
		printf("log: every frame\n");
	else
		printf("log: one frame in %u\n", cfg.log_every);
	return 0;
}

/*
 * Deletes the sources (of ifindex, or all) and zeroes the counters. A
 * source the LRU evicted between the read and the delete is gone all the
 * same: not an error.
 */
static int reset(const struct maps *m, const struct opts *o)
{
	struct srclog_stats *zero_stats = alloc(m->ncpus * sizeof(*zero_stats));
	uint32_t zero = 0;
	struct pass p;
	size_t i;

	read_sources(m, o->ifindex, &p);
	for (i = 0; i < p.n; i++)
		if (bpf_map_delete_elem(m->sources, &p.s[i].key) && errno != ENOENT)
			die(EXIT_ENV, "cannot delete from srclog_sources", strerror(errno));
	free(p.s);
	if (bpf_map_update_elem(m->stats, &zero, zero_stats, BPF_ANY))
		die(EXIT_ENV, "cannot zero srclog_stats", strerror(errno));
	free(zero_stats);
	return 0;
}

static int set_log(const struct maps *m, const char *what)
{
	struct srclog_config cfg = { 0 };
	uint32_t zero = 0;

	if (!strcmp(what, "on"))
		cfg.log_every = 1;
	else if (strcmp(what, "off"))
		cfg.log_every = number(what, UINT32_MAX, "log takes on, off or a number N");
	if (bpf_map_update_elem(m->config, &zero, &cfg, BPF_ANY))
		die(EXIT_ENV, "cannot write srclog_config", strerror(errno));
	return 0;
}

/* One counter of srclog_stats, as a family of its own or a sample of one. */
static void prom_counter(FILE *f, const char *name, const char *help, const struct prom_label *l,
			 const char *extra, const char *xvalue, __u64 v)
{
	if (help)
		prom_family(f, name, "counter", help);
	prom_sample(f, name, l, 1, extra, xvalue);
	fprintf(f, "%llu\n", (unsigned long long)v);
}

/* A family of the busiest sources: packets, or bytes. l[0] is the
 * interface; l[1] and l[2] are each source's address and family. */
static void top_sources(FILE *f, const char *name, const char *help, struct prom_label l[3],
			const struct source *s, size_t n, int bytes)
{
	char a[INET6_ADDRSTRLEN + 8];
	size_t i;

	prom_family(f, name, "counter", help);
	for (i = 0; i < n; i++) {
		l[1] = (struct prom_label){ "address", addr_text(&s[i].key, -1, a, sizeof(a)) };
		l[2] = (struct prom_label){ "family",
					    s[i].key.family == XDPKIT_FAMILY_IPV6 ? "ipv6" : "ipv4" };
		prom_sample(f, name, l, 3, NULL, NULL);
		fprintf(f, "%llu\n", (unsigned long long)(bytes ? s[i].v.bytes : s[i].v.packets));
	}
}

/*
 * The metrics file. srclog_stats is one map for the network namespace:
 * its counters are those of every interface srclog runs on, labelled with
 * the one asked for; the sources are IFINDEX's own.
 */
static int metrics(const struct maps *m, const struct opts *o, const char *iface, const char *out)
{
	static const char *classes[] = { "ipv4", "ipv6", "arp", "lldp", "other", "vlan_deep",
					 "truncated", "malformed" };
	struct prom_label l[3] = { { "interface", iface } };
	struct srclog_stats st;
	struct promfile p;
	struct pass now;
	size_t i, n;

	read_sources(m, o->ifindex, &now);
	read_stats(m, &st);
	const __u64 frames[] = { st.ipv4, st.ipv6, st.arp, st.lldp, st.other, st.vlan_deep,
				 st.truncated, st.malformed };
	const struct { const char *name, *help; __u64 v; } counters[] = {
		{ "srclog_log_events_total", "Events put in the live log ring (srclog_events).",
		  st.logged },
		{ "srclog_log_ring_full_total",
		  "Events lost because the live log ring was full (reader slow or absent).", st.ring_full },
		{ "srclog_log_sampled_out_total", "Frames left out of the live log by sampling (log N).",
		  st.sampled_out },
		{ "srclog_new_sources_total",
		  "Sources srclog_sources took in (once full, the LRU evicts one for each).", st.new_sources },
		{ "srclog_source_errors_total", "Frames whose new source srclog_sources could not take.",
		  st.source_errors },
	}, gauges[] = {
		{ "srclog_sources", "Sources in srclog_sources for the interface.", now.n },
		{ "srclog_sources_capacity",
		  "Sources srclog_sources holds at most (every interface together).", m->capacity },
	};
	qsort(now.s, now.n, sizeof(*now.s), by_packets);
	n = now.n < SRCLOG_PROM_TOP ? now.n : SRCLOG_PROM_TOP;
	prom_open(&p, out);
	for (i = 0; i < sizeof(classes) / sizeof(classes[0]); i++)
		prom_counter(p.f, "srclog_frames_total",
			     i ? NULL : "Frames srclog saw, by class: ipv4 and ipv6 (counted by source), "
			     "arp, lldp, other EtherTypes, vlan_deep (a third tag), truncated, malformed IP.",
			     l, "class", classes[i], frames[i]);
	for (i = 0; i < sizeof(counters) / sizeof(counters[0]); i++)
		prom_counter(p.f, counters[i].name, counters[i].help, l, NULL, NULL, counters[i].v);
	for (i = 0; i < sizeof(gauges) / sizeof(gauges[0]); i++) {
		prom_family(p.f, gauges[i].name, "gauge", gauges[i].help);
		prom_sample(p.f, gauges[i].name, l, 1, NULL, NULL);
		fprintf(p.f, "%llu\n", (unsigned long long)gauges[i].v);
	}
	top_sources(p.f, "srclog_top_source_packets_total",
		    "Frames from each of the interface's 10 busiest sources (by frames), since the map took it in.",
		    l, now.s, n, 0);
	top_sources(p.f, "srclog_top_source_bytes_total",
		    "Bytes (frame lengths) from each of the same sources.", l, now.s, n, 1);
	prom_commit(&p);
	free(now.s);
	return 0;
}

/* "24" (both families) or "24,48" (IPv4, IPv6). */
static void prefix_lengths(const char *arg, struct opts *o)
{
	const char *comma = strchr(arg, ',');
	char four[16];

	if (!comma) {
		o->len6 = number(arg, 128, "prefix length is not a number from 0 to 128");
		o->len4 = o->len6 > 32 ? 32 : o->len6;
		return;
	}
	if ((size_t)(comma - arg) >= sizeof(four))
		die(EXIT_USAGE, "prefix length is not a number from 0 to 32", arg);
	memcpy(four, arg, comma - arg);
	four[comma - arg] = '\0';
	o->len4 = number(four, 32, "IPv4 prefix length is not a number from 0 to 32");
	o->len6 = number(comma + 1, 128, "IPv6 prefix length is not a number from 0 to 128");
}

int main(int argc, char **argv)
{
	struct opts o = { .count = 20, .interval = 1, .ifindex = -1, .len4 = -1, .len6 = -1 };
	const char *cmd, *dir, *iface = NULL;
	struct maps m;
	char *end;
	int opt;

	while ((opt = getopt(argc, argv, "+jf:bn:i:I:p:L:")) != -1) {
		switch (opt) {
		case 'j':
			o.format = JSON;
			break;
		case 'f':
			if (!strcmp(optarg, "text"))
				o.format = TEXT;
			else if (!strcmp(optarg, "json"))
				o.format = JSON;
			else if (!strcmp(optarg, "rules"))
				o.format = RULES;
			else
				die(EXIT_USAGE, "format is text, json or rules", optarg);
			break;
		case 'b':
			o.by_bytes = 1;
			break;
		case 'n':
			o.count = number(optarg, 1000000, "bad count");
			if (!o.count)
				die(EXIT_USAGE, "bad count", optarg);
			break;
		case 'i':
			errno = 0;
			o.interval = strtod(optarg, &end);
			if (errno || end == optarg || *end || o.interval < 0 || o.interval > 3600)
				die(EXIT_USAGE, "bad interval", optarg);
			break;
		case 'I':
			o.ifindex = number(optarg, UINT32_MAX, "bad ifindex");
			break;
		case 'p':
			prefix_lengths(optarg, &o);
			break;
		case 'L':
			iface = optarg;
			break;
		default:
			usage();
		}
	}
	if (argc - optind < 2)
		usage();
	cmd = argv[optind];
	dir = argv[optind + 1];
	if (strcmp(cmd, "top") && strcmp(cmd, "status") && strcmp(cmd, "reset") && strcmp(cmd, "log") &&
	    strcmp(cmd, "metrics"))
		usage();
	if (argc - optind != (strcmp(cmd, "log") && strcmp(cmd, "metrics") ? 2 : 3))
		usage();
	if (!strcmp(cmd, "metrics") && (!iface || o.ifindex < 0))
		usage();
	libbpf_set_strict_mode(LIBBPF_STRICT_ALL);
	open_maps(dir, &m);
	if (!strcmp(cmd, "top"))
		return top(&m, &o);
	if (!strcmp(cmd, "status"))
		return status(&m, &o);
	if (!strcmp(cmd, "reset"))
		return reset(&m, &o);
	if (!strcmp(cmd, "metrics"))
		return metrics(&m, &o, iface, argv[optind + 2]);
	return set_log(&m, argv[optind + 2]);
}
