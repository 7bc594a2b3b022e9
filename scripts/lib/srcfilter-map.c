// SPDX-License-Identifier: GPL-2.0
/*
 * srcfilter-map: srcfilter's rules and counters in the pinned maps of
 * maps/srcfilter_*.h, for one interface, read and written through the
 * bpf() syscall (libbpf): one process for any number of rules.
 *
 *   srcfilter-map [-n NAME] [-f] add PIN_DIR IFINDEX ACTION PREFIX...
 *   srcfilter-map [-f] load    PIN_DIR IFINDEX ACTION FILE|-
 *   srcfilter-map [-f] replace PIN_DIR IFINDEX ACTION FILE|-
 *   srcfilter-map      del     PIN_DIR IFINDEX PREFIX...
 *   srcfilter-map      flush   PIN_DIR IFINDEX
 *   srcfilter-map      reset   PIN_DIR IFINDEX
 *   srcfilter-map [-j] list    PIN_DIR IFINDEX
 *   srcfilter-map      save    PIN_DIR IFINDEX
 *   srcfilter-map [-j] stats   PIN_DIR IFINDEX
 *
 * ACTION is drop, count or allow: the action of every PREFIX, and of a
 * FILE line that names none. A FILE has one rule a line, "PREFIX
 * [ACTION]", with blank lines and '#' comments. A PREFIX is an IPv4 or
 * IPv6 address with an optional /LEN (none: the whole address); one with
 * host bits set past LEN is refused, and so is a drop rule for /0 (every
 * source) unless -f is given.
 * Every rule of a command is checked before the first is written: a bad
 * one changes nothing (exit 2, with FILE:LINE).
 *
 * add and load add rules or change their action (a rule keeps its
 * counters); replace makes the interface's rules exactly FILE's (what
 * apply and its roll-back use); del removes rules (exit 2 if one is
 * absent, and then removes none); flush removes them all; reset also
 * zeroes the interface's totals (what a fresh start needs: a device that
 * had the ifindex before may have left both). list prints the rules with
 * their counters (in the tries' order), save prints them in FILE's
 * format. stats prints the interface's totals.
 *
 * -n NAME: messages begin with NAME (srcfilter.sh gives its own: the
 * operator ran srcfilter.sh, not this helper) instead of srcfilter-map.
 *
 * Writers take an exclusive flock on PIN_DIR, readers a shared one, so
 * two commands never pick the same counter slot or see a half-changed
 * set. Exit 0 done; 2 usage or bad input; 3 environment (maps absent or
 * of another layout, a full trie).
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <fcntl.h>
#include <stdbool.h>
#include <sys/file.h>
#include <time.h>

static const char *helper_name = "srcfilter-map";
#include "cli.h"
#include "mapio.h"
#include "../../maps/srcfilter_rules.h"
#include "../../maps/srcfilter_hits.h"
#include "../../maps/srcfilter_stats.h"

struct rule {
	int family;		/* 4 or 6 */
	int len;		/* prefix length */
	uint8_t addr[16];
	uint32_t action;
	unsigned long line;	/* in its file, 0 from the command line */
};

/* The four tries: [family 4/6][allow?]. */
struct maps {
	int trie[2][2];		/* [0] IPv4, [1] IPv6; [.][0] rules, [.][1] allow */
	int hits, stats;
	uint32_t slots, max_ifindex;
	int ncpu;
	uint8_t *used;		/* slots taken, one byte each */
};

static struct maps M;
static uint32_t ifindex;
static bool json, force;

/* ---- names ---- */

static const char *action_name(uint32_t a)
{
	return a == SRCFILTER_DROP ? "drop" : a == SRCFILTER_COUNT ? "count" :
	       a == SRCFILTER_ALLOW ? "allow" : "unknown";
}

static uint32_t action_of(const char *s)
{
	if (!strcmp(s, "drop"))
		return SRCFILTER_DROP;
	if (!strcmp(s, "count"))
		return SRCFILTER_COUNT;
	if (!strcmp(s, "allow"))
		return SRCFILTER_ALLOW;
	return 0;
}

static void prefix_str(const struct rule *r, char *out, size_t n)
{
	char a[INET6_ADDRSTRLEN];

	inet_ntop(r->family == 4 ? AF_INET : AF_INET6, r->addr, a, sizeof(a));
	snprintf(out, n, "%s/%d", a, r->len);
}

/*
 * parse_prefix: s into r (action untouched); NULL, or why it is not a
 * prefix we take (into why).
 */
static const char *parse_prefix(const char *s, struct rule *r, char *why, size_t n)
{
	char a[64], *slash, *end, fixed[80];
	int max, i;
	long len;

	if (strlen(s) >= sizeof(a))
		return snprintf(why, n, "'%.40s...' is not an address or prefix", s), why;
	strcpy(a, s);
	slash = strchr(a, '/');
	if (slash)
		*slash = '\0';
	memset(r->addr, 0, sizeof(r->addr));
	if (inet_pton(AF_INET, a, r->addr) == 1) {
		r->family = 4;
		max = 32;
	} else if (inet_pton(AF_INET6, a, r->addr) == 1) {
		r->family = 6;
		max = 128;
	} else {
		return snprintf(why, n, "'%s' is not an IPv4 or IPv6 address or prefix", s), why;
	}
	len = max;
	if (slash) {
		errno = 0;
		len = strtol(slash + 1, &end, 10);
		if (errno || end == slash + 1 || *end || !isdigit((unsigned char)slash[1]) ||
		    len < 0 || len > max)
			return snprintf(why, n, "'%s': the length is not 0..%d", s, max), why;
	}
	r->len = len;
	/*
	 * ::ffff:a.b.c.d is how dual-stack sockets show an IPv4 peer; no
	 * IPv4 frame is ever matched by it, and real IPv6 frames should not
	 * carry it: the operator means the IPv4 address. ::ffff:0:0/96 and
	 * shorter prefixes are plain IPv6 prefixes and taken as they are.
	 */
	if (r->family == 6 && len > 96 && !memcmp(r->addr, "\0\0\0\0\0\0\0\0\0\0\xff\xff", 12)) {
		struct rule c = { .family = 4, .len = len - 96 };

		memcpy(c.addr, r->addr + 12, 4);
		for (i = c.len; i < 32; i++)
			c.addr[i / 8] &= ~(0x80 >> (i % 8));
		prefix_str(&c, fixed, sizeof(fixed));
		return snprintf(why, n, "'%s' is an IPv4-mapped IPv6 address, which no IPv4 frame carries: write the IPv4 prefix (%s)", s, fixed), why;
	}
	for (i = len; i < max; i++)
		if (r->addr[i / 8] & (0x80 >> (i % 8))) {
			struct rule c = *r;

			for (; i < max; i++)
				c.addr[i / 8] &= ~(0x80 >> (i % 8));
			prefix_str(&c, fixed, sizeof(fixed));
			return snprintf(why, n, "'%s' has host bits set (the prefix is %s)", s, fixed), why;
		}
	return NULL;
}

/* everything_ok: exit 2 at a drop rule for every source, unless -f. */
static void everything_ok(const struct rule *r, const char *file)
{
	char p[80], msg[1200];

	if (r->len || r->action != SRCFILTER_DROP || force)
		return;
	prefix_str(r, p, sizeof(p));
	if (r->line)
		snprintf(msg, sizeof(msg), "%s:%lu: ", file, r->line);
	else
		msg[0] = '\0';
	snprintf(msg + strlen(msg), sizeof(msg) - strlen(msg),
		 "dropping %s drops every IPv%d frame: give --force if that is meant", p, r->family);
	die(EXIT_USAGE, msg, NULL);
}

/* ---- maps ---- */

static int open_map(const char *dir, const char *name, enum bpf_map_type type, uint32_t key,
		    uint32_t value, struct bpf_map_info *info)
{
	char path[4096];
	struct mapio m;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (mapio_open(&m, path, type, 0, key, value))
		die(EXIT_ENV, "cannot use the map", m.err);
	if (info)
		*info = m.info;
	return m.fd;
}

static int lock_fd = -1;

static void open_maps(const char *dir, bool write)
{
	struct bpf_map_info info;

	lock_fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (lock_fd < 0)
		die_err(EXIT_ENV, "cannot open the pin directory", dir, errno);
	if (flock(lock_fd, write ? LOCK_EX : LOCK_SH))
		die_err(EXIT_ENV, "cannot lock", dir, errno);
	M.trie[0][0] = open_map(dir, "srcfilter_rules4", BPF_MAP_TYPE_LPM_TRIE,
				sizeof(struct srcfilter_key4), sizeof(struct srcfilter_rule), NULL);
	M.trie[1][0] = open_map(dir, "srcfilter_rules6", BPF_MAP_TYPE_LPM_TRIE,
				sizeof(struct srcfilter_key6), sizeof(struct srcfilter_rule), NULL);
	M.trie[0][1] = open_map(dir, "srcfilter_allow4", BPF_MAP_TYPE_LPM_TRIE,
				sizeof(struct srcfilter_key4), sizeof(struct srcfilter_rule), NULL);
	M.trie[1][1] = open_map(dir, "srcfilter_allow6", BPF_MAP_TYPE_LPM_TRIE,
				sizeof(struct srcfilter_key6), sizeof(struct srcfilter_rule), NULL);
	M.hits = open_map(dir, "srcfilter_hits", BPF_MAP_TYPE_PERCPU_ARRAY, 4,
			  sizeof(struct srcfilter_hit), &info);
	M.slots = info.max_entries;
	M.stats = open_map(dir, "srcfilter_stats", BPF_MAP_TYPE_PERCPU_ARRAY, 4,
			   sizeof(struct srcfilter_stats), &info);
	M.max_ifindex = info.max_entries;
	M.ncpu = libbpf_num_possible_cpus();
	if (M.ncpu <= 0)
		die(EXIT_ENV, "cannot count the CPUs", NULL);
}

/* A trie key for r (family's layout) in buf; its size. */
static size_t key_of(const struct rule *r, uint32_t ifi, void *buf)
{
	if (r->family == 4) {
		struct srcfilter_key4 *k = buf;

		memset(k, 0, sizeof(*k));
		k->prefixlen = SRCFILTER_IFINDEX_BITS + r->len;
		k->ifindex = ifi;
		memcpy(k->addr, r->addr, 4);
		return sizeof(*k);
	} else {
		struct srcfilter_key6 *k = buf;

		memset(k, 0, sizeof(*k));
		k->prefixlen = SRCFILTER_IFINDEX_BITS + r->len;
		k->ifindex = ifi;
		memcpy(k->addr, r->addr, 16);
		return sizeof(*k);
	}
}

/* The rule a trie key holds (family f); its interface in *ifi. */
static void rule_of(int f, const void *key, struct rule *r, uint32_t *ifi)
{
	memset(r, 0, sizeof(*r));
	r->family = f ? 6 : 4;
	if (!f) {
		const struct srcfilter_key4 *k = key;

		r->len = k->prefixlen - SRCFILTER_IFINDEX_BITS;
		memcpy(r->addr, k->addr, 4);
		*ifi = k->ifindex;
	} else {
		const struct srcfilter_key6 *k = key;

		r->len = k->prefixlen - SRCFILTER_IFINDEX_BITS;
		memcpy(r->addr, k->addr, 16);
		*ifi = k->ifindex;
	}
}

/*
 * walk: calls fn for every entry of the four tries (every interface).
 * Keys are collected first, so fn may delete the entry it is given.
 */
typedef void (*walk_fn)(int f, int allow, const void *key, const struct srcfilter_rule *v, void *arg);

static void walk(walk_fn fn, void *arg)
{
	uint8_t key[24], next[24];
	struct srcfilter_rule v;
	int f, a, err;

	for (f = 0; f < 2; f++)
		for (a = 0; a < 2; a++) {
			int fd = M.trie[f][a];
			size_t ks = f ? sizeof(struct srcfilter_key6) : sizeof(struct srcfilter_key4);
			size_t n = 0, cap = 1024, i;
			uint8_t *keys = malloc(cap * ks);
			void *prev = NULL;

			if (!keys)
				die(EXIT_ENV, "out of memory", NULL);
			while (!(err = bpf_map_get_next_key(fd, prev, next))) {
				if (n == cap) {
					cap *= 2;
					keys = realloc(keys, cap * ks);
					if (!keys)
						die(EXIT_ENV, "out of memory", NULL);
				}
				memcpy(keys + n++ * ks, next, ks);
				memcpy(key, next, ks);
				prev = key;
			}
			if (errno != ENOENT)
				die_err(EXIT_ENV, "cannot walk the rules", "bpf_map_get_next_key", errno);
			for (i = 0; i < n; i++)
				if (!bpf_map_lookup_elem(fd, keys + i * ks, &v))
					fn(f, a, keys + i * ks, &v, arg);
			free(keys);
		}
}

/*
 * The interface's rules as they were when the command began, sorted, so
 * that put() finds a prefix's rule exactly: a lookup in an LPM trie,
 * from user space too, returns the longest match, not the prefix asked.
 */
struct have {
	int f, allow;
	uint8_t key[24];	/* the trie key, zero-padded */
	struct srcfilter_rule v;
};

static struct have *haves;
static size_t nhaves, caphaves;

static int have_cmp(const void *a, const void *b)
{
	const struct have *x = a, *y = b;

	if (x->f != y->f)
		return x->f - y->f;
	return memcmp(x->key, y->key, sizeof(x->key));
}

static void take_stock(int f, int a, const void *key, const struct srcfilter_rule *v, void *arg)
{
	struct have *h;
	uint32_t ifi;
	struct rule r;

	(void)arg;
	if (v->slot && v->slot < M.slots)
		M.used[v->slot] = 1;
	rule_of(f, key, &r, &ifi);
	if (ifi != ifindex)
		return;
	if (nhaves == caphaves) {
		caphaves = caphaves ? caphaves * 2 : 1024;
		haves = realloc(haves, caphaves * sizeof(*haves));
		if (!haves)
			die(EXIT_ENV, "out of memory", NULL);
	}
	h = &haves[nhaves++];
	memset(h, 0, sizeof(*h));
	h->f = f;
	h->allow = a;
	memcpy(h->key, key, f ? sizeof(struct srcfilter_key6) : sizeof(struct srcfilter_key4));
	h->v = *v;
}

/* stock: every rule and used slot, once, before the first write. */
static void stock(void)
{
	M.used = calloc(M.slots ? M.slots : 1, 1);
	if (!M.used)
		die(EXIT_ENV, "out of memory", NULL);
	walk(take_stock, NULL);
	qsort(haves, nhaves, sizeof(*haves), have_cmp);
}

/* found: the rule the interface had for r's prefix, or NULL. */
static struct have *found(const struct rule *r)
{
	struct have k;

	memset(&k, 0, sizeof(k));
	k.f = r->family == 6;
	key_of(r, ifindex, k.key);
	return nhaves ? bsearch(&k, haves, nhaves, sizeof(*haves), have_cmp) : NULL;
}

/* next_slot: the lowest free counter slot (0 when none is left). */
static uint32_t next_slot(void)
{
	static uint32_t from = 1;

	for (; from < M.slots; from++)
		if (!M.used[from]) {
			M.used[from] = 1;
			return from++;
		}
	return 0;
}

static void zero_slot(uint32_t slot)
{
	static uint8_t *zero;

	if (!zero) {
		zero = calloc(M.ncpu, sizeof(struct srcfilter_hit));
		if (!zero)
			die(EXIT_ENV, "out of memory", NULL);
	}
	if (bpf_map_update_elem(M.hits, &slot, zero, BPF_ANY))
		die_err(EXIT_ENV, "cannot zero the counters of a new rule", "srcfilter_hits", errno);
}

/*
 * put: r on the interface, keeping its counters and last hit when the
 * prefix already has a rule (in either trie: one action per prefix).
 */
static void put(const struct rule *r)
{
	int f = r->family == 6, a = r->action == SRCFILTER_ALLOW;
	struct srcfilter_rule v = { .action = r->action };
	struct have *h = found(r);
	uint8_t key[24];
	char p[80];

	key_of(r, ifindex, key);
	if (h) {
		v.slot = h->v.slot;
		v.last_hit_ns = h->v.last_hit_ns;
		if (h->allow != a && bpf_map_delete_elem(M.trie[f][h->allow], key) && errno != ENOENT)
			die_err(EXIT_ENV, "cannot move a rule", "delete", errno);
		h->allow = a;
	} else {
		v.slot = next_slot();
		if (v.slot)
			zero_slot(v.slot);
	}
	if (bpf_map_update_elem(M.trie[f][a], key, &v, BPF_ANY)) {
		int err = errno;

		prefix_str(r, p, sizeof(p));
		if (err == ENOSPC || err == E2BIG)
			die(EXIT_ENV, "the rule tries are full; not added", p);
		die_err(EXIT_ENV, "cannot add", p, err);
	}
}

/* drop_rule: r's prefix out of both tries; whether it had a rule. */
static bool drop_rule(const struct rule *r)
{
	int f = r->family == 6, a, found = 0;
	uint8_t key[24];

	key_of(r, ifindex, key);
	for (a = 0; a < 2; a++) {
		if (!bpf_map_delete_elem(M.trie[f][a], key))
			found = 1;
		else if (errno != ENOENT)
			die_err(EXIT_ENV, "cannot delete a rule", "bpf_map_delete_elem", errno);
	}
	return found;
}

/* ---- rule files ---- */

struct ruleset {
	struct rule *r;
	size_t n, cap;
};

static void ruleset_add(struct ruleset *s, const struct rule *r)
{
	if (s->n == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 1024;
		s->r = realloc(s->r, s->cap * sizeof(*s->r));
		if (!s->r)
			die(EXIT_ENV, "out of memory", NULL);
	}
	s->r[s->n++] = *r;
}

/* read_rules: every rule of the file (- is stdin), or exit 2 at the first bad line. */
static void read_rules(const char *path, uint32_t def, struct ruleset *s)
{
	FILE *in = strcmp(path, "-") ? fopen(path, "r") : stdin;
	const char *name = strcmp(path, "-") ? path : "stdin";
	char line[1024], why[256], msg[1400];
	unsigned long no = 0;

	if (!in)
		die_err(EXIT_USAGE, "cannot read", path, errno);
	while (fgets(line, sizeof(line), in)) {
		char *w[3], *p = line, *hash = strchr(line, '#');
		struct rule r;
		int n = 0;

		no++;
		if (!strchr(line, '\n') && !feof(in)) {
			snprintf(msg, sizeof(msg), "%s:%lu: the line is too long", name, no);
			die(EXIT_USAGE, msg, NULL);
		}
		if (hash)
			*hash = '\0';
		while (n < 3 && (w[n] = strtok(n ? NULL : p, " \t\r\n")))
			n++;
		if (n == 0)
			continue;
		if (n > 2) {
			snprintf(msg, sizeof(msg), "%s:%lu: want 'PREFIX [drop|count|allow]'", name, no);
			die(EXIT_USAGE, msg, NULL);
		}
		if (parse_prefix(w[0], &r, why, sizeof(why))) {
			snprintf(msg, sizeof(msg), "%s:%lu: %s", name, no, why);
			die(EXIT_USAGE, msg, NULL);
		}
		r.action = n == 2 ? action_of(w[1]) : def;
		if (!r.action) {
			snprintf(msg, sizeof(msg), "%s:%lu: '%s' is not an action (drop, count, allow)",
				 name, no, w[1]);
			die(EXIT_USAGE, msg, NULL);
		}
		r.line = no;
		everything_ok(&r, name);
		ruleset_add(s, &r);
	}
	if (ferror(in))
		die_err(EXIT_USAGE, "cannot read", path, errno);
	if (in != stdin)
		fclose(in);
}

/* rule_cmp: by family, address, then length (one prefix, one place). */
static int rule_cmp(const void *a, const void *b)
{
	const struct rule *x = a, *y = b;
	int c;

	if (x->family != y->family)
		return x->family - y->family;
	c = memcmp(x->addr, y->addr, 16);
	if (c)
		return c;
	if (x->len != y->len)
		return x->len - y->len;
	/* the same prefix: in the order given (the first one stays) */
	return x->line < y->line ? -1 : x->line > y->line;
}

/*
 * ruleset_unique: s sorted, each prefix once. The same prefix twice with
 * one action is one rule; with two actions nobody can tell which was
 * meant: exit 2, naming both lines (or both words), nothing written.
 */
static void ruleset_unique(struct ruleset *s, const char *file)
{
	char p[80], msg[1400];
	size_t i, n = 0;

	qsort(s->r, s->n, sizeof(*s->r), rule_cmp);
	for (i = 0; i < s->n; i++) {
		struct rule *r = &s->r[i], *last = n ? &s->r[n - 1] : NULL;

		if (last && last->family == r->family && last->len == r->len &&
		    !memcmp(last->addr, r->addr, 16)) {
			if (last->action == r->action)
				continue;
			prefix_str(r, p, sizeof(p));
			if (file)
				snprintf(msg, sizeof(msg), "%s:%lu: %s is on line %lu too, as %s: one action per prefix",
					 file, r->line, p, last->line, action_name(last->action));
			else
				snprintf(msg, sizeof(msg), "%s is given twice", p);
			die(EXIT_USAGE, msg, NULL);
		}
		s->r[n++] = *r;
	}
	s->n = n;
}

/* in_set: whether the sorted, unique set has r's prefix. */
static bool in_set(const struct ruleset *s, const struct rule *r)
{
	size_t lo = 0, hi = s->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct rule *m = &s->r[mid];
		int c = m->family != r->family ? m->family - r->family : memcmp(m->addr, r->addr, 16);

		if (!c)
			c = m->len - r->len;
		if (!c)
			return true;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return false;
}

/* ---- commands ---- */

/* keep: the rules of ifindex that are not in set (replace deletes them). */
struct keep_arg {
	const struct ruleset *set;
	struct ruleset gone;
};

static void collect_gone(int f, int a, const void *key, const struct srcfilter_rule *v, void *arg)
{
	struct keep_arg *k = arg;
	struct rule r;
	uint32_t ifi;

	(void)a, (void)v;
	rule_of(f, key, &r, &ifi);
	if (ifi != ifindex || in_set(k->set, &r))
		return;
	ruleset_add(&k->gone, &r);
}

static void flush_one(int f, int a, const void *key, const struct srcfilter_rule *v, void *arg)
{
	struct rule r;
	uint32_t ifi;

	(void)v;
	rule_of(f, key, &r, &ifi);
	if (ifi != ifindex)
		return;
	if (bpf_map_delete_elem(M.trie[f][a], key) && errno != ENOENT)
		die_err(EXIT_ENV, "cannot delete a rule", "bpf_map_delete_elem", errno);
	(*(unsigned long *)arg)++;
}

static uint64_t coarse_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

struct list_arg {
	unsigned long n;
	bool save;
	uint64_t now;
};

static void list_one(int f, int a, const void *key, const struct srcfilter_rule *v, void *arg)
{
	struct list_arg *l = arg;
	struct srcfilter_hit h = { 0, 0 };
	char p[80], ago[32] = "never";
	struct rule r;
	uint32_t ifi, action = a ? SRCFILTER_ALLOW : v->action;
	bool counted = v->slot && v->slot < M.slots;

	rule_of(f, key, &r, &ifi);
	if (ifi != ifindex)
		return;
	prefix_str(&r, p, sizeof(p));
	if (l->save) {
		printf("%s %s\n", p, action_name(action));
		l->n++;
		return;
	}
	if (counted && mapio_percpu_sum(M.hits, &v->slot, sizeof(h), (uint64_t *)&h, 2))
		die_err(EXIT_ENV, "cannot read the counters", "srcfilter_hits", errno);
	if (v->last_hit_ns)
		snprintf(ago, sizeof(ago), "%llu",
			 (unsigned long long)((l->now > v->last_hit_ns ? l->now - v->last_hit_ns : 0) /
					      1000000000ull));
	if (json) {
		printf("%s{\"prefix\": \"%s\", \"family\": \"ipv%d\", \"action\": \"%s\", ", l->n ? ", " : "",
		       p, r.family, action_name(action));
		if (counted)
			printf("\"packets\": %llu, \"bytes\": %llu, ", (unsigned long long)h.packets,
			       (unsigned long long)h.bytes);
		else
			printf("\"packets\": null, \"bytes\": null, ");
		printf("\"last_hit_s_ago\": %s}", v->last_hit_ns ? ago : "null");
	} else {
		if (!l->n)
			printf("%-44s %-6s %14s %16s %s\n", "PREFIX", "ACTION", "PACKETS", "BYTES",
			       "LAST HIT (s ago)");
		if (counted)
			printf("%-44s %-6s %14llu %16llu %s\n", p, action_name(action),
			       (unsigned long long)h.packets, (unsigned long long)h.bytes, ago);
		else
			printf("%-44s %-6s %14s %16s %s\n", p, action_name(action), "-", "-", ago);
	}
	l->n++;
}

static void cmd_stats(void)
{
	static const char *const names[] = { "xdp_pass", "xdp_drop", "not_ip", "malformed",
					     "unmatched", "allowed", "counted", "dropped" };
	uint64_t sum[sizeof(struct srcfilter_stats) / 8];
	uint32_t i = ifindex < M.max_ifindex ? ifindex : 0;
	size_t k;
	int err = mapio_percpu_sum(M.stats, &i, sizeof(struct srcfilter_stats), sum, 8);

	if (err)
		die_err(EXIT_ENV, "cannot read", "srcfilter_stats", -err);
	if (json)
		printf("{\"ifindex\": %u, \"shared\": %s", ifindex, i ? "false" : "true");
	else if (!i)
		printf("(ifindex %u is %u or more: these totals are shared with every such interface)\n",
		       ifindex, M.max_ifindex);
	for (k = 0; k < 8; k++) {
		if (json)
			printf(", \"%s\": %llu", names[k], (unsigned long long)sum[k]);
		else
			printf("%-10s %llu\n", names[k], (unsigned long long)sum[k]);
	}
	if (json)
		printf("}\n");
}

static void usage(void)
{
	die(EXIT_USAGE, "usage: srcfilter-map [-f] [-j] add|load|replace|del|flush|reset|list|save|stats "
		"PIN_DIR IFINDEX [ACTION] [PREFIX...|FILE]", NULL);
}

int main(int argc, char **argv)
{
	struct ruleset set = { 0 };
	const char *cmd, *dir;
	char why[256];
	uint32_t action = 0;
	size_t i;
	int opt;

	while ((opt = getopt(argc, argv, "+fjn:")) != -1) {
		if (opt == 'n')
			helper_name = optarg;
		else if (opt == 'f')
			force = true;
		else if (opt == 'j')
			json = true;
		else
			usage();
	}
	if (argc - optind < 3)
		usage();
	cmd = argv[optind];
	dir = argv[optind + 1];
	ifindex = number(argv[optind + 2], UINT32_MAX, "not an ifindex");
	argv += optind + 3;
	argc -= optind + 3;

	if (!strcmp(cmd, "add") || !strcmp(cmd, "load") || !strcmp(cmd, "replace")) {
		if (argc < 2 || (strcmp(cmd, "add") && argc != 2))
			usage();
		action = action_of(argv[0]);
		if (!action)
			die(EXIT_USAGE, "not an action (drop, count, allow)", argv[0]);
		if (!strcmp(cmd, "add")) {
			for (i = 1; i < (size_t)argc; i++) {
				struct rule r;

				if (parse_prefix(argv[i], &r, why, sizeof(why)))
					die(EXIT_USAGE, why, NULL);
				r.action = action;
				r.line = 0;
				everything_ok(&r, NULL);
				ruleset_add(&set, &r);
			}
			ruleset_unique(&set, NULL);
		} else {
			read_rules(argv[1], action, &set);
			ruleset_unique(&set, strcmp(argv[1], "-") ? argv[1] : "stdin");
		}
		open_maps(dir, true);
		stock();
		if (!strcmp(cmd, "replace")) {
			struct keep_arg k = { .set = &set };

			walk(collect_gone, &k);
			for (i = 0; i < k.gone.n; i++)
				drop_rule(&k.gone.r[i]);
		}
		for (i = 0; i < set.n; i++)
			put(&set.r[i]);
		if (!json)
			printf("%zu rule%s written\n", set.n, set.n == 1 ? "" : "s");
		return 0;
	}
	if (!strcmp(cmd, "del")) {
		struct rule r;
		int missing = -1;

		if (argc < 1)
			usage();
		for (i = 0; i < (size_t)argc; i++)
			if (parse_prefix(argv[i], &r, why, sizeof(why)))
				die(EXIT_USAGE, why, NULL);
		open_maps(dir, true);
		stock();
		for (i = 0; i < (size_t)argc && missing < 0; i++) {
			parse_prefix(argv[i], &r, why, sizeof(why));
			if (!found(&r))
				missing = i;
		}
		if (missing >= 0)
			die(EXIT_USAGE, "no rule for this prefix on the interface (none removed)", argv[missing]);
		for (i = 0; i < (size_t)argc; i++) {
			parse_prefix(argv[i], &r, why, sizeof(why));
			drop_rule(&r);
		}
		return 0;
	}
	if (argc)
		usage();
	if (!strcmp(cmd, "reset")) {
		unsigned long n = 0;
		uint32_t i = ifindex;
		uint8_t *zero;

		open_maps(dir, true);
		walk(flush_one, &n);
		/* an entry shared by every ifindex past the last is not ours alone */
		if (ifindex && ifindex < M.max_ifindex) {
			zero = calloc(M.ncpu, sizeof(struct srcfilter_stats));
			if (!zero)
				die(EXIT_ENV, "out of memory", NULL);
			if (bpf_map_update_elem(M.stats, &i, zero, BPF_ANY))
				die_err(EXIT_ENV, "cannot zero", "srcfilter_stats", errno);
			free(zero);
		}
		printf("%lu rule%s removed, totals zeroed\n", n, n == 1 ? "" : "s");
		return 0;
	}
	if (!strcmp(cmd, "flush")) {
		unsigned long n = 0;

		open_maps(dir, true);
		walk(flush_one, &n);
		printf("%lu rule%s removed\n", n, n == 1 ? "" : "s");
		return 0;
	}
	if (!strcmp(cmd, "list") || !strcmp(cmd, "save")) {
		struct list_arg l = { .save = !strcmp(cmd, "save"), .now = coarse_now() };

		open_maps(dir, false);
		if (json && !l.save)
			printf("[");
		walk(list_one, &l);
		if (json && !l.save)
			printf("]\n");
		return 0;
	}
	if (!strcmp(cmd, "stats")) {
		open_maps(dir, false);
		cmd_stats();
		return 0;
	}
	usage();
	return EXIT_USAGE;
}
