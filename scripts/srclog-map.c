// SPDX-License-Identifier: GPL-2.0
/*
 * srclog-map: srclog's maps for the scripts, through bpftool.
 *
 *   srclog-map [-j] [-b] [-n COUNT] [-i SECONDS] [-I IFINDEX] top PIN_DIR
 *   srclog-map [-I IFINDEX] status PIN_DIR
 *   srclog-map [-I IFINDEX] reset PIN_DIR
 *   srclog-map log PIN_DIR on|off|N
 *
 * PIN_DIR is where the maps are pinned ($BPFFS/xdp/globals). top reads
 * srclog_sources twice, SECONDS apart (0: once, no rates), and prints the
 * COUNT busiest sources by packets (-b: bytes); -j prints a JSON array.
 * -I keeps the sources seen on one interface. reset deletes the sources
 * (of IFINDEX, or all) and zeroes the counters; log sets srclog_config.
 * Exit: 0 done, 2 bad arguments, 3 bpftool failed.
 */
#include <arpa/inet.h>
#include <time.h>

static const char *helper_name = "srclog-map";

#include "bpftool_cmd.h"
#include "../maps/srclog_sources.h"
#include "../maps/srclog_stats.h"
#include "../maps/srclog_config.h"

struct source {
	struct srclog_key key;
	struct srclog_source v;		/* summed over the CPUs */
	double pps, bps;
};

struct opts {
	int json, by_bytes;
	unsigned long count;
	double interval;
	long ifindex;			/* -1: every interface */
};

static void usage(void)
{
	fprintf(stderr,
		"usage: srclog-map [-j] [-b] [-n COUNT] [-i SECONDS] [-I IFINDEX] top PIN_DIR\n"
		"       srclog-map [-I IFINDEX] status PIN_DIR\n"
		"       srclog-map [-I IFINDEX] reset PIN_DIR\n"
		"       srclog-map log PIN_DIR on|off|N\n");
	exit(EXIT_USAGE);
}

static char *pin_of(const char *dir, const char *name)
{
	size_t len = strlen(dir) + strlen(name) + 2;
	char *p = malloc(len);

	if (!p)
		die(EXIT_BPFTOOL, "out of memory", name);
	snprintf(p, len, "%s/%s", dir, name);
	return p;
}

static char *dump(const char *pin)
{
	struct args a = bpftool("-j", "dump", pin);
	char *out;

	if (run_bpftool(&a, &out))
		die(EXIT_BPFTOOL, "cannot read", pin);
	return out;
}

/* Sums one entry's per-CPU values, found between p and end. */
static void sum_cpus(char *p, char *end, struct srclog_source *sum)
{
	struct srclog_source v;
	const char *q = p;
	char keep = *end;

	*end = '\0';
	memset(sum, 0, sizeof(*sum));
	while (hex_array(&q, "value", (uint8_t *)&v, sizeof(v)) == sizeof(v)) {
		sum->packets += v.packets;
		sum->bytes += v.bytes;
		if (v.first_seen_ns && (!sum->first_seen_ns || v.first_seen_ns < sum->first_seen_ns))
			sum->first_seen_ns = v.first_seen_ns;
		if (v.last_seen_ns > sum->last_seen_ns)
			sum->last_seen_ns = v.last_seen_ns;
	}
	*end = keep;
}

/* Every source in srclog_sources (of ifindex, unless -1). */
static struct source *read_sources(const char *pin, long ifindex, size_t *n)
{
	char *out = dump(pin), *p = out, *next;
	size_t cap = 0;
	struct source *s = NULL;
	struct srclog_key key;
	const char *q;

	*n = 0;
	for (;;) {
		q = p;
		if (hex_array(&q, "key", (uint8_t *)&key, sizeof(key)) != sizeof(key))
			break;
		p = (char *)q;
		next = strstr(p, "\"key\":");
		if (!next)
			next = p + strlen(p);
		if (ifindex >= 0 && key.ifindex != (uint32_t)ifindex) {
			p = next;
			continue;
		}
		if (*n == cap) {
			cap = cap ? cap * 2 : 256;
			s = realloc(s, cap * sizeof(*s));
			if (!s)
				die(EXIT_BPFTOOL, "out of memory", "sources");
		}
		memset(&s[*n], 0, sizeof(s[*n]));
		s[*n].key = key;
		sum_cpus(p, next, &s[*n].v);
		(*n)++;
		p = next;
	}
	free(out);
	return s;
}

static int read_stats(const char *pin, struct srclog_stats *sum)
{
	struct args a = bpftool("-j", "lookup", pin);
	struct srclog_stats v;
	uint32_t zero = 0;
	const char *p;
	char *out;
	size_t i;

	add(&a, "key");
	add_hex(&a, &zero, sizeof(zero));
	if (run_bpftool(&a, &out))
		return -1;
	memset(sum, 0, sizeof(*sum));
	p = out;
	while (hex_array(&p, "value", (uint8_t *)&v, sizeof(v)) == sizeof(v))
		for (i = 0; i < sizeof(v) / sizeof(__u64); i++)
			((__u64 *)sum)[i] += ((__u64 *)&v)[i];
	free(out);
	return 0;
}

static int by_key(const void *a, const void *b)
{
	return memcmp(&((const struct source *)a)->key, &((const struct source *)b)->key,
		      sizeof(struct srclog_key));
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

static const char *addr_text(const struct srclog_key *k, char *buf, size_t len)
{
	int af = k->family == XDPKIT_FAMILY_IPV6 ? AF_INET6 : AF_INET;

	if (!inet_ntop(af, k->addr, buf, len))
		snprintf(buf, len, "?");
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

static int top(const char *dir, const struct opts *o)
{
	char *pin = pin_of(dir, "srclog_sources"), *spin = pin_of(dir, "srclog_stats");
	struct source *before = NULL, *now;
	size_t nb = 0, n, i;
	double t0 = 0, dt = 0, tnow;
	struct srclog_stats st;
	char a[INET6_ADDRSTRLEN], h[4][16];

	if (o->interval > 0) {
		before = read_sources(pin, o->ifindex, &nb);
		t0 = mono_now();
		usleep(o->interval * 1e6);
	}
	now = read_sources(pin, o->ifindex, &n);
	tnow = mono_now();
	if (o->interval > 0)
		dt = tnow - t0;
	if (nb)
		qsort(before, nb, sizeof(*before), by_key);
	for (i = 0; i < n && dt > 0; i++) {
		const struct source *was = nb ? bsearch(&now[i], before, nb, sizeof(*before), by_key) : NULL;
		__u64 p0 = was ? was->v.packets : 0, b0 = was ? was->v.bytes : 0;

		now[i].pps = (now[i].v.packets - p0) / dt;
		now[i].bps = (now[i].v.bytes - b0) * 8 / dt;
	}
	qsort(now, n, sizeof(*now), o->by_bytes ? by_bytes : by_packets);
	if (n > o->count)
		n = o->count;

	if (o->json) {
		printf("[");
		for (i = 0; i < n; i++)
			printf("%s{\"address\": \"%s\", \"family\": \"%s\", \"ifindex\": %u, "
			       "\"packets\": %llu, \"bytes\": %llu, \"first_seen_ns\": %llu, "
			       "\"last_seen_ns\": %llu, \"packets_per_s\": %.1f, \"bits_per_s\": %.1f}",
			       i ? ", " : "", addr_text(&now[i].key, a, sizeof(a)),
			       now[i].key.family == XDPKIT_FAMILY_IPV6 ? "ipv6" : "ipv4",
			       now[i].key.ifindex, (unsigned long long)now[i].v.packets,
			       (unsigned long long)now[i].v.bytes,
			       (unsigned long long)now[i].v.first_seen_ns,
			       (unsigned long long)now[i].v.last_seen_ns, now[i].pps, now[i].bps);
		printf("]\n");
		return 0;
	}
	tnow *= 1e9;
	printf("%-39s %9s %9s %9s %9s %10s %10s\n", "SOURCE", "PACKETS", "BYTES", "PKT/S",
	       "BIT/S", "FIRST", "LAST");
	for (i = 0; i < n; i++)
		printf("%-39s %9s %9s %9s %9s %9.1fs %9.1fs\n",
		       addr_text(&now[i].key, a, sizeof(a)),
		       human(now[i].v.packets, h[0], sizeof(h[0])),
		       human(now[i].v.bytes, h[1], sizeof(h[1])),
		       dt > 0 ? human(now[i].pps, h[2], sizeof(h[2])) : "-",
		       dt > 0 ? human(now[i].bps, h[3], sizeof(h[3])) : "-",
		       (tnow - now[i].v.first_seen_ns) / 1e9, (tnow - now[i].v.last_seen_ns) / 1e9);
	if (!read_stats(spin, &st))
		print_stats(&st);
	printf("(FIRST and LAST: seconds ago)\n");
	free(before);
	free(now);
	return 0;
}

/* max_entries of the pinned map (it may be built with another size). */
static long capacity(const char *pin)
{
	struct args a = { 0 };
	const char *p;
	char *out;
	long n = -1;

	add(&a, "bpftool");
	add(&a, "-j");
	add(&a, "map");
	add(&a, "show");
	add(&a, "pinned");
	add(&a, pin);
	if (run_bpftool(&a, &out))
		return -1;
	p = strstr(out, "\"max_entries\":");
	if (p)
		n = strtol(p + strlen("\"max_entries\":"), NULL, 10);
	free(out);
	return n;
}

static int status(const char *dir, const struct opts *o)
{
	char *spin = pin_of(dir, "srclog_stats"), *cpin = pin_of(dir, "srclog_config");
	struct args a = bpftool("-j", "lookup", cpin);
	struct srclog_config cfg = { 0 };
	struct srclog_stats st;
	struct source *s;
	uint32_t zero = 0;
	const char *p;
	char *out;
	size_t n;

	s = read_sources(pin_of(dir, "srclog_sources"), o->ifindex, &n);
	free(s);
	printf("sources: %zu in the map (capacity %ld, least recently seen evicted)\n", n,
	       capacity(pin_of(dir, "srclog_sources")));
	if (read_stats(spin, &st))
		die(EXIT_BPFTOOL, "cannot read", spin);
	printf("frames with a source: ipv4 %llu, ipv6 %llu\n", (unsigned long long)st.ipv4,
	       (unsigned long long)st.ipv6);
	print_stats(&st);
	add(&a, "key");
	add_hex(&a, &zero, sizeof(zero));
	if (!run_bpftool(&a, &out)) {
		p = out;
		hex_array(&p, "value", (uint8_t *)&cfg, sizeof(cfg));
		free(out);
	}
	if (!cfg.log_every)
		printf("log: off\n");
	else if (cfg.log_every == 1)
		printf("log: every frame\n");
	else
		printf("log: one frame in %u\n", cfg.log_every);
	return 0;
}

static int run_quiet(struct args *a)
{
	return run_bpftool(a, NULL) ? EXIT_BPFTOOL : 0;
}

/* Deletes the sources with one bpftool process: a batch file of deletes. */
static int reset(const char *dir, const struct opts *o)
{
	char *pin = pin_of(dir, "srclog_sources"), *spin = pin_of(dir, "srclog_stats");
	struct args z = bpftool(NULL, "update", spin);
	char batch[] = "/tmp/srclog-reset.XXXXXX";
	struct srclog_stats zero_stats = { 0 };
	char *said = NULL;
	struct source *s;
	uint32_t zero = 0;
	size_t n, i, k;
	FILE *f = NULL;
	int fd, rc = 0;

	s = read_sources(pin, o->ifindex, &n);
	if (n) {
		fd = mkstemp(batch);
		f = fd < 0 ? NULL : fdopen(fd, "w");
		if (!f)
			die(EXIT_BPFTOOL, "cannot write a batch file", batch);
	}
	for (i = 0; i < n; i++) {
		fprintf(f, "map delete pinned %s key hex", pin);
		for (k = 0; k < sizeof(s[i].key); k++)
			fprintf(f, " %02x", ((uint8_t *)&s[i].key)[k]);
		fprintf(f, "\n");
	}
	free(s);
	if (f) {
		struct args b = { 0 };

		fclose(f);
		add(&b, "bpftool");
		add(&b, "batch");
		add(&b, "file");
		add(&b, batch);
		/* Its "processed N commands" is not for our reader. */
		rc = run_bpftool(&b, &said) ? EXIT_BPFTOOL : 0;
		free(said);
		unlink(batch);
	}
	/* One value for a per-CPU map: bpftool writes it on every CPU. */
	add(&z, "key");
	add_hex(&z, &zero, sizeof(zero));
	add(&z, "value");
	add_hex(&z, &zero_stats, sizeof(zero_stats));
	return run_quiet(&z) ? EXIT_BPFTOOL : rc;
}

static int set_log(const char *dir, const char *what)
{
	struct args a = bpftool(NULL, "update", pin_of(dir, "srclog_config"));
	struct srclog_config cfg = { 0 };
	uint32_t zero = 0;

	if (!strcmp(what, "on"))
		cfg.log_every = 1;
	else if (strcmp(what, "off"))
		cfg.log_every = number(what, UINT32_MAX, "log takes on, off or a number N");
	add(&a, "key");
	add_hex(&a, &zero, sizeof(zero));
	add(&a, "value");
	add_hex(&a, &cfg, sizeof(cfg));
	return run_quiet(&a);
}

int main(int argc, char **argv)
{
	struct opts o = { .count = 20, .interval = 1, .ifindex = -1 };
	const char *cmd, *dir;
	char *end;
	int opt;

	while ((opt = getopt(argc, argv, "+jbn:i:I:")) != -1) {
		switch (opt) {
		case 'j':
			o.json = 1;
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
		default:
			usage();
		}
	}
	if (argc - optind < 2)
		usage();
	cmd = argv[optind];
	dir = argv[optind + 1];
	if (!strcmp(cmd, "top") && argc - optind == 2)
		return top(dir, &o);
	if (!strcmp(cmd, "status") && argc - optind == 2)
		return status(dir, &o);
	if (!strcmp(cmd, "reset") && argc - optind == 2)
		return reset(dir, &o);
	if (!strcmp(cmd, "log") && argc - optind == 3)
		return set_log(dir, argv[optind + 2]);
	usage();
	return EXIT_USAGE;
}
