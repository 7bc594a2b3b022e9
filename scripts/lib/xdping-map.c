// SPDX-License-Identifier: GPL-2.0
/*
 * xdping-map: the bytes of the xdping maps, for the scripts. It builds
 * keys and values from maps/xdping_runs.h and maps/xdping_stats.h and
 * hands them to bpftool to write (seed, delete, purge: the commands the
 * README shows, printed by -n); it reads the pins itself, through libbpf
 * (scripts/lib/mapio.h), and turns what they hold into text.
 *
 *   xdping-map [-n] seed   PIN IFINDEX ADDR ID COUNT
 *   xdping-map [-n] delete PIN IFINDEX ADDR ID
 *   xdping-map progress    PIN IFINDEX ADDR ID     (prints "DONE COUNT")
 *   xdping-map state       PIN IFINDEX ADDR ID     (prints "DONE COUNT CHAINS")
 *   xdping-map [-f text|json|jsonl] [-p PINGLOG] [-H HOST] [-I IFACE] [-c COUNT]
 *              report      PIN IFINDEX ADDR ID
 *   xdping-map [-n] purge  PIN IFINDEX             (every run of IFINDEX)
 *   xdping-map stats       PIN
 *   xdping-map -c COUNT -H HOST -P STATE missed ADDR (a target that never answered)
 *   xdping-map -I IFACE -m MODE prom FILE STATE...  (the metrics file of a run)
 *   xdping-map -I IFACE server-prom PIN FILE         (xdping_server's counters)
 *   xdping-map canon       ADDR                    (prints "4|6 CANONICAL-ADDR")
 *
 * ADDR is an IPv4 or IPv6 address. PINGLOG is ping's output, for the
 * comparison and the losses; with ping -D its timestamps go into jsonl
 * records. report -c COUNT: when the run is gone from the map, the target
 * is still reported, with an error and COUNT samples lost.
 * report -P STATE (and missed) adds the target's samples and losses to
 * STATE, a small text file per target that holds its histograms across
 * the rounds of xdping.sh --every; prom turns the STATE files into one
 * file in the Prometheus text format, written atomically (promfile.h).
 * -n prints the bpftool command instead of running it. Exit status: 0
 * done, 1 the run is incomplete or missing (report: anything asked for,
 * from XDP or ping, did not arrive), 2 bad arguments, 3 bpftool failed or
 * a pin is not the map maps/ describes.
 */
#include <arpa/inet.h>
#include <bpf/bpf.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static const char *helper_name = "xdping-map";

#include "bpftool_cmd.h"
#include "mapio.h"
#include "promfile.h"
#include "../../maps/xdping_runs.h"
#include "../../maps/xdping_stats.h"

#define EXIT_INCOMPLETE	1

/* -n: print the bpftool command instead of running it. */
static int dry_run;


static void usage(void)
{
	fprintf(stderr,
		"usage: xdping-map [-n] seed PIN IFINDEX ADDR ID COUNT\n"
		"       xdping-map [-n] delete PIN IFINDEX ADDR ID\n"
		"       xdping-map progress|state PIN IFINDEX ADDR ID\n"
		"       xdping-map [-f text|json|jsonl] [-p PINGLOG] [-H HOST] [-I IFACE] [-c COUNT]\n"
		"                  report PIN IFINDEX ADDR ID\n"
		"       xdping-map [-n] purge PIN IFINDEX\n"
		"       xdping-map stats PIN\n"
		"       xdping-map -c COUNT -H HOST -P STATE missed ADDR\n"
		"       xdping-map -I IFACE -m MODE prom FILE STATE...\n"
		"       xdping-map -I IFACE server-prom PIN FILE\n"
		"       xdping-map canon ADDR\n");
	exit(EXIT_USAGE);
}

/* The key of IFINDEX ADDR ID (arg[0..2]); the address's bytes go to addr. */
static struct xdping_key make_key(char **arg, uint8_t addr[16])
{
	struct xdping_key key;
	uint8_t unused[16];

	if (!addr)
		addr = unused;
	memset(&key, 0, sizeof(key));
	memset(addr, 0, 16);
	key.ifindex = number(arg[0], UINT32_MAX, "bad ifindex");
	if (inet_pton(AF_INET, arg[1], addr) == 1)
		key.family = XDPKIT_FAMILY_IPV4;
	else if (inet_pton(AF_INET6, arg[1], addr) == 1)
		key.family = XDPKIT_FAMILY_IPV6;
	else
		die(EXIT_USAGE, "not an IPv4 or IPv6 address", arg[1]);
	key.id = htons(number(arg[2], UINT16_MAX, "bad echo identifier"));
	return key;
}

/*
 * The pin of xdping_runs, checked against maps/xdping_runs.h. A pin that
 * is not there returns -1 (no runs); one of another layout ends here.
 */
static int open_runs(const char *pin)
{
	struct mapio m;

	if (mapio_open(&m, pin, BPF_MAP_TYPE_HASH, 0, sizeof(struct xdping_key),
		       sizeof(struct xdping_run))) {
		if (errno == ENOENT)
			return -1;
		die(EXIT_BPFTOOL, "not the map maps/xdping_runs.h describes", m.err);
	}
	return m.fd;
}

/*
 * Reads one run through libbpf: bpftool printed a run (19 KiB, with its
 * BTF view) in about 200 ms on a loaded 2-core machine, and the script
 * polls every run 20 times a second.
 */
static int lookup_run(const char *pin, const struct xdping_key *key, struct xdping_run *run)
{
	int fd = open_runs(pin), rc;

	if (fd < 0)
		return -1;
	rc = bpf_map_lookup_elem(fd, key, run);
	close(fd);
	return rc ? -1 : 0;
}

/* A series of round trips, in ns, and what we say about it. */
struct series {
	double *ns;
	size_t n;
	double min, avg, max, mdev, p50, p90, p99;
};

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* Nearest-rank percentile of sorted v: the smallest value with at least
 * p percent of the values at or below it. */
static double percentile(const double *v, size_t n, unsigned int p)
{
	size_t rank = (n * p + 99) / 100;

	return v[rank ? rank - 1 : 0];
}

static void summarize(struct series *s)
{
	double sum = 0, sq = 0, *v;
	size_t i;

	if (!s->n)
		return;
	v = malloc(s->n * sizeof(*v));
	if (!v)
		die(EXIT_BPFTOOL, "out of memory", "samples");
	for (i = 0; i < s->n; i++) {
		v[i] = s->ns[i];
		sum += v[i];
		sq += v[i] * v[i];
	}
	qsort(v, s->n, sizeof(*v), cmp_double);
	s->min = v[0];
	s->max = v[s->n - 1];
	s->avg = sum / s->n;
	s->mdev = sqrt(fmax(sq / s->n - s->avg * s->avg, 0));
	s->p50 = percentile(v, s->n, 50);
	s->p90 = percentile(v, s->n, 90);
	s->p99 = percentile(v, s->n, 99);
	free(v);
}

/* ping's replies: "[1763770000.123456] 64 bytes from a: icmp_seq=3 ttl=64 time=0.052 ms"
 * (the timestamp only with ping -D; no time with a payload under 16
 * bytes); duplicates left out. received counts the sequences answered,
 * n the replies that carry a time. */
struct ping_log {
	double ns[65536], ts[65536];
	unsigned int seq[65536];
	unsigned char seen[65536];
	size_t n, received;
};

static void read_ping(const char *path, struct ping_log *pl)
{
	const char *t, *q;
	unsigned int seq;
	char line[512];
	FILE *f;

	pl->n = pl->received = 0;
	memset(pl->seen, 0, sizeof(pl->seen));
	if (!path)
		return;
	f = fopen(path, "r");
	if (!f)
		die(EXIT_USAGE, "cannot read ping output", path);
	while (pl->n < 65536 && fgets(line, sizeof(line), f)) {
		q = strstr(line, "icmp_seq=");
		if (!q || !strstr(line, " bytes from ") || strstr(line, "DUP!"))
			continue;
		seq = strtoul(q + 9, NULL, 10) & 0xffff;
		if (pl->seen[seq])
			continue;
		pl->seen[seq] = 1;
		pl->received++;
		t = strstr(line, " time=");
		if (!t)
			continue;
		pl->ns[pl->n] = round(strtod(t + 6, NULL) * 1e6);
		pl->seq[pl->n] = seq;
		pl->ts[pl->n] = line[0] == '[' ? strtod(line + 1, NULL) : 0;
		pl->n++;
	}
	fclose(f);
}

struct report {
	const char *format;	/* text, json or jsonl */
	const char *state;	/* -P: the target's metrics state, updated */
	const char *host;
	const char *iface;
	const char *pinglog;
	unsigned int count;	/* -c: what was asked, for a run gone from the map */
	const char *error;	/* set when the run was gone */
};

static void text_stats(const char *what, const struct series *s)
{
	printf("%s min/avg/max/mdev = %.5f/%.5f/%.5f/%.5f ms, p50/p90/p99 = %.5f/%.5f/%.5f ms\n",
	       what, s->min / 1e6, s->avg / 1e6, s->max / 1e6, s->mdev / 1e6,
	       s->p50 / 1e6, s->p90 / 1e6, s->p99 / 1e6);
}

static void json_stats(const char *name, const struct series *s, size_t lost)
{
	size_t i;

	printf("\"%s\": {\"rtt_ns\": [", name);
	for (i = 0; i < s->n; i++)
		printf(i ? ", %.0f" : "%.0f", s->ns[i]);
	printf("]");
	if (s->n)
		printf(", \"min_ns\": %.0f, \"avg_ns\": %.0f, \"max_ns\": %.0f, \"mdev_ns\": %.0f, "
		       "\"p50_ns\": %.0f, \"p90_ns\": %.0f, \"p99_ns\": %.0f",
		       s->min, s->avg, s->max, s->mdev, s->p50, s->p90, s->p99);
	else
		printf(", \"min_ns\": null, \"avg_ns\": null, \"max_ns\": null, \"mdev_ns\": null, "
		       "\"p50_ns\": null, \"p90_ns\": null, \"p99_ns\": null");
	printf(", \"lost\": %zu}", lost);
}

/* Wall-clock seconds of a bpf_ktime_get_ns() (CLOCK_MONOTONIC) instant. */
static double wall_of(uint64_t mono_ns)
{
	struct timespec rt, mt;

	clock_gettime(CLOCK_REALTIME, &rt);
	clock_gettime(CLOCK_MONOTONIC, &mt);
	return rt.tv_sec + rt.tv_nsec / 1e9 -
	       ((double)mt.tv_sec * 1e9 + mt.tv_nsec - (double)mono_ns) / 1e9;
}

/*
 * The metrics. Histogram buckets (upper bounds, ns): 1-2-5 steps from
 * 100 ns to 10 s, enough for an XDP round trip on a veth (a few us) and
 * a ping across a continent alike; above 10 s, +Inf. README.md, "Metrics",
 * lists them.
 */
#define PROM_BUCKETS	25
static const uint64_t bucket_ns[PROM_BUCKETS] = {
	100, 200, 500, 1000, 2000, 5000, 10000, 20000, 50000,
	100000, 200000, 500000, 1000000, 2000000, 5000000,
	10000000, 20000000, 50000000, 100000000, 200000000, 500000000,
	1000000000, 2000000000, 5000000000, 10000000000,
};

/* One histogram and its counters; bucket[PROM_BUCKETS] is +Inf. Not
 * cumulative here; the file's are. */
struct hist {
	uint64_t samples, sum_ns, lost, bucket[PROM_BUCKETS + 1];
};

/* A target's state: its labels, the rounds, the last one's time. */
struct state {
	char host[256], addr[INET6_ADDRSTRLEN], family[8];
	uint64_t rounds;
	double last;
	struct hist xdp, ping;
};

#define STATE_MAGIC	"xdping-prom-state 1"

static void hist_add(struct hist *h, const struct series *s, size_t lost)
{
	size_t i, b;

	for (i = 0; i < s->n; i++) {
		uint64_t ns = (uint64_t)s->ns[i];

		for (b = 0; b < PROM_BUCKETS && ns > bucket_ns[b]; b++)
			;
		h->bucket[b]++;
		h->sum_ns += ns;
		h->samples++;
	}
	h->lost += lost;
}

static int hist_read(FILE *f, const char *name, struct hist *h)
{
	char word[8];
	size_t b;

	if (fscanf(f, " %7s %" SCNu64 " %" SCNu64 " %" SCNu64, word, &h->samples, &h->sum_ns,
		   &h->lost) != 4 || strcmp(word, name))
		return -1;
	for (b = 0; b <= PROM_BUCKETS; b++)
		if (fscanf(f, " %" SCNu64, &h->bucket[b]) != 1)
			return -1;
	return 0;
}

/* STATE into st; a file that is not there is a target's first round
 * (returns 1), one that is not a state ends here. */
static int state_read(const char *path, struct state *st)
{
	FILE *f = fopen(path, "r");
	char magic[32];
	int ok;

	memset(st, 0, sizeof(*st));
	if (!f) {
		if (errno == ENOENT)
			return 1;
		die_err(EXIT_BPFTOOL, "cannot read", path, errno);
	}
	ok = fscanf(f, " %31[^\n]", magic) == 1 && !strcmp(magic, STATE_MAGIC) &&
	     fscanf(f, " target %255s address %45s family %7s rounds %" SCNu64 " last %lf",
		    st->host, st->addr, st->family, &st->rounds, &st->last) == 5 &&
	     !hist_read(f, "xdp", &st->xdp) && !hist_read(f, "ping", &st->ping);
	fclose(f);
	if (!ok)
		die(EXIT_USAGE, "not an xdping metrics state", path);
	return 0;
}

static void hist_write(FILE *f, const char *name, const struct hist *h)
{
	size_t b;

	fprintf(f, "%s %" PRIu64 " %" PRIu64 " %" PRIu64, name, h->samples, h->sum_ns, h->lost);
	for (b = 0; b <= PROM_BUCKETS; b++)
		fprintf(f, " %" PRIu64, h->bucket[b]);
	fputc('\n', f);
}

/* STATE from st, through a temporary file and a rename, as the metrics. */
static void state_write(const char *path, const struct state *st)
{
	struct promfile p;

	prom_open(&p, path);
	fprintf(p.f, "%s\ntarget %s\naddress %s\nfamily %s\nrounds %" PRIu64 "\nlast %.3f\n",
		STATE_MAGIC, st->host, st->addr, st->family, st->rounds, st->last);
	hist_write(p.f, "xdp", &st->xdp);
	hist_write(p.f, "ping", &st->ping);
	prom_commit(&p);
}

/* Adds one round of a target (its XDP and ping samples and losses) to STATE. */
static void account(const char *path, const char *host, const char *addr,
		    const struct series *x, size_t xlost, const struct series *p, size_t plost)
{
	struct state st;
	struct timespec now;
	const char *c;

	if (!*host || strlen(host) >= sizeof(st.host))
		die(EXIT_USAGE, "a metrics state needs the host (-H)", host);
	for (c = host; *c; c++)
		if (*c <= ' ' || *c == 0x7f)
			die(EXIT_USAGE, "a host with a blank or control character", host);
	if (state_read(path, &st)) {
		snprintf(st.host, sizeof(st.host), "%s", host);
		snprintf(st.addr, sizeof(st.addr), "%s", addr);
		snprintf(st.family, sizeof(st.family), "%s", strchr(addr, ':') ? "ipv6" : "ipv4");
	} else if (strcmp(st.host, host) || strcmp(st.addr, addr)) {
		die(EXIT_USAGE, "the metrics state is another target's", path);
	}
	hist_add(&st.xdp, x, xlost);
	hist_add(&st.ping, p, plost);
	st.rounds++;
	clock_gettime(CLOCK_REALTIME, &now);
	st.last = now.tv_sec + now.tv_nsec / 1e9;
	state_write(path, &st);
}

static void prom_hist(FILE *f, const char *name, const struct prom_label *l, size_t n,
		      const struct hist *h)
{
	char metric[64], le[32];
	uint64_t cum = 0;
	size_t b;

	snprintf(metric, sizeof(metric), "%s_bucket", name);
	for (b = 0; b < PROM_BUCKETS; b++) {
		cum += h->bucket[b];
		snprintf(le, sizeof(le), "%g", bucket_ns[b] / 1e9);
		prom_sample(f, metric, l, n, "le", le);
		fprintf(f, "%" PRIu64 "\n", cum);
	}
	cum += h->bucket[PROM_BUCKETS];
	prom_sample(f, metric, l, n, "le", "+Inf");
	fprintf(f, "%" PRIu64 "\n", cum);
	snprintf(metric, sizeof(metric), "%s_sum", name);
	prom_sample(f, metric, l, n, NULL, NULL);
	fprintf(f, "%" PRIu64 ".%09" PRIu64 "\n", h->sum_ns / 1000000000, h->sum_ns % 1000000000);
	snprintf(metric, sizeof(metric), "%s_count", name);
	prom_sample(f, metric, l, n, NULL, NULL);
	fprintf(f, "%" PRIu64 "\n", h->samples);
}

/* What a family of per-target series shows. */
enum series_of { XDP_HIST, PING_HIST, SAMPLES, LOST, ROUNDS, LAST };

static const struct family {
	const char *name, *type, *help;
} families[] = {
	[XDP_HIST] = { "xdping_xdp_rtt_seconds", "histogram",
		       "Round-trip times measured in XDP (xdp/xdping_client.o), each sample one request and its reply." },
	[PING_HIST] = { "xdping_ping_rtt_seconds", "histogram",
			"Round-trip times ping measured on the same path, through the host's stack." },
	[SAMPLES] = { "xdping_samples_total", "counter", "Round trips measured, by source (xdp or ping)." },
	[LOST] = { "xdping_lost_total", "counter",
		   "Round trips asked for that did not arrive in time, by source (xdp or ping)." },
	[ROUNDS] = { "xdping_rounds_total", "counter",
		     "Rounds run to the target (one with a single run; one per interval with --every)." },
	[LAST] = { "xdping_last_round_timestamp_seconds", "gauge",
		   "When the target's last round ended, in seconds since the Unix epoch." },
};

/* One family: its HELP and TYPE, then the series of every target. */
static void prom_series(FILE *f, enum series_of what, const struct state *st, int n,
			const char *iface, const char *mode)
{
	const char *name = families[what].name;
	int i;

	prom_family(f, name, families[what].type, families[what].help);
	for (i = 0; i < n; i++) {
		const struct state *s = &st[i];
		const struct prom_label l[5] = {
			{ "interface", iface }, { "target", s->host }, { "address", s->addr },
			{ "family", s->family }, { "mode", mode },
		};

		switch (what) {
		case XDP_HIST:
		case PING_HIST:
			prom_hist(f, name, l, 5, what == XDP_HIST ? &s->xdp : &s->ping);
			break;
		case SAMPLES:
		case LOST:
			prom_sample(f, name, l, 5, "source", "xdp");
			fprintf(f, "%" PRIu64 "\n", what == SAMPLES ? s->xdp.samples : s->xdp.lost);
			prom_sample(f, name, l, 5, "source", "ping");
			fprintf(f, "%" PRIu64 "\n", what == SAMPLES ? s->ping.samples : s->ping.lost);
			break;
		case ROUNDS:
			prom_sample(f, name, l, 5, NULL, NULL);
			fprintf(f, "%" PRIu64 "\n", s->rounds);
			break;
		case LAST:
			prom_sample(f, name, l, 5, NULL, NULL);
			fprintf(f, "%.3f\n", s->last);
			break;
		}
	}
}

/* The metrics file of the targets whose STATE files are given, in that
 * order; every family once, its samples together (the format wants it). */
static int prom(const char *out, char **paths, int n, const char *iface, const char *mode)
{
	struct state *st = calloc(n, sizeof(*st));
	struct promfile p;
	int i;

	if (!st)
		die(EXIT_BPFTOOL, "out of memory", "states");
	for (i = 0; i < n; i++)
		if (state_read(paths[i], &st[i]))
			die(EXIT_USAGE, "no such metrics state", paths[i]);
	prom_open(&p, out);
	for (i = XDP_HIST; i <= LAST; i++)
		prom_series(p.f, i, st, n, iface, mode);
	prom_commit(&p);
	free(st);
	return 0;
}

/*
 * What was lost: the samples asked for and not measured in XDP, plus the
 * replies ping asked for and did not get (duplicates not counted). The
 * return is 1 (EXIT_INCOMPLETE) when anything was lost.
 */
static int report(const struct xdping_key *key, const struct xdping_run *r, const char *addr,
		  const struct report *o)
{
	static double xns[XDPING_MAX_SAMPLES];
	static struct ping_log pl;
	struct series x = { .ns = xns }, p = { .ns = pl.ns };
	size_t i, n = r->done < r->count ? r->done : r->count, xlost, plost;
	if (n > XDPING_MAX_SAMPLES)
		n = XDPING_MAX_SAMPLES;
	for (i = 0; i < n; i++)
		xns[i] = r->rtt_ns[i];
	x.n = n;
	read_ping(o->pinglog, &pl);
	p.n = pl.n;
	summarize(&x);
	summarize(&p);
	xlost = r->count - n;
	plost = r->count > pl.received ? r->count - pl.received : 0;
	if (o->state)
		account(o->state, o->host, addr, &x, xlost, &p, plost);

	if (!strcmp(o->format, "json")) {
		printf("{\"host\": \"%s\", \"address\": \"%s\", \"echo_id\": %u, \"count\": %u, ",
		       o->host, addr, ntohs(key->id), r->count);
		if (o->error)
			printf("\"error\": \"%s\", ", o->error);
		json_stats("xdp", &x, xlost);
		printf(", ");
		json_stats("ping", &p, plost);
		if (n && p.n && p.p50 > 0)
			printf(", \"median_ratio\": %.4f", x.p50 / p.p50);
		else
			printf(", \"median_ratio\": null");
		printf(", \"chains\": %u, \"lost\": %zu}\n", r->chains, xlost + plost);
	} else if (!strcmp(o->format, "jsonl")) {
		for (i = 0; i < p.n; i++)
			printf("{\"timestamp\": %.6f, \"interface\": \"%s\", \"host\": \"%s\", "
			       "\"address\": \"%s\", \"seq\": %u, \"rtt_ns\": %.0f, \"source\": \"ping\"}\n",
			       pl.ts[i], o->iface, o->host, addr, pl.seq[i], pl.ns[i]);
		/* Each sample's own arrival, recorded in XDP (CLOCK_MONOTONIC). */
		for (i = 0; i < n; i++)
			printf("{\"timestamp\": %.6f, \"interface\": \"%s\", \"host\": \"%s\", "
			       "\"address\": \"%s\", \"seq\": %u, \"rtt_ns\": %llu, \"source\": \"xdp\"}\n",
			       wall_of(r->at_ns[i]), o->iface, o->host, addr, ntohs(r->seqs[i]),
			       (unsigned long long)r->rtt_ns[i]);
		if (o->error)
			fprintf(stderr, "xdping-map: %s: %s\n", addr, o->error);
	} else {
		for (i = 0; i < n; i++)
			printf("%u bytes from %s: icmp_seq=%u ttl=%u time=%#.5f ms\n",
			       r->icmp_len, addr, ntohs(r->seqs[i]), r->ttl[i],
			       r->rtt_ns[i] / 1e6);
		printf("\n--- %s xdping statistics ---\n", addr);
		if (o->error)
			printf("error: %s\n", o->error);
		printf("%u samples asked, %zu measured in XDP\n", r->count, n);
		printf("%u ping replies asked, %zu received\n", r->count,
		       pl.received < r->count ? pl.received : (size_t)r->count);
		printf("lost %zu (xdp %zu, ping %zu)\n", xlost + plost, xlost, plost);
		if (n)
			text_stats("rtt", &x);
		if (p.n)
			text_stats("ping rtt", &p);
		if (n && p.n && p.p50 > 0)
			printf("median xdp/ping = %.5f/%.5f ms = %.3f\n", x.p50 / 1e6,
			       p.p50 / 1e6, x.p50 / p.p50);
		else if (n)
			printf("median xdp = %.5f ms (no ping time to compare with)\n", x.p50 / 1e6);
	}
	return xlost + plost || o->error ? EXIT_INCOMPLETE : 0;
}

/*
 * The keys of IFINDEX's runs, read with GET_NEXT_KEY (a plain hash, no
 * evictions: a walk sees every key once, unless another script deletes
 * the key it stands on, when it starts over: duplicates are dropped),
 * then deleted one by one with bpftool.
 */
static int purge(const char *pin, uint32_t ifindex)
{
	struct xdping_key *keys, key, *prev = NULL;
	size_t n = 0, i, max = XDPING_MAX_RUNS, steps = 0;
	int fd = open_runs(pin), rc = 0;

	if (fd < 0)
		return 0;
	keys = calloc(max, sizeof(*keys));
	if (!keys)
		die(EXIT_BPFTOOL, "out of memory", "keys");
	/* Bounded: walks that keep starting over end all the same. */
	while (n < max && steps++ < 4 * max && !bpf_map_get_next_key(fd, prev, &key)) {
		for (i = 0; i < n && memcmp(&keys[i], &key, sizeof(key)); i++)
			;
		if (i == n)
			keys[n++] = key;
		prev = &keys[i];
	}
	close(fd);
	for (i = 0; i < n; i++) {
		struct args d = bpftool("delete", pin);

		if (keys[i].ifindex != ifindex)
			continue;
		add(&d, "key");
		add_hex(&d, &keys[i], sizeof(keys[i]));
		if (dry_run)
			print_args(&d);
		else if (run_bpftool(&d))
			rc = EXIT_BPFTOOL;
	}
	free(keys);
	return rc;
}

/* The counters of both roles, summed over the CPUs. */
static void read_stats(const char *pin, struct xdping_stats sum[XDPING_ROLES])
{
	uint64_t w[sizeof(struct xdping_stats) / sizeof(uint64_t)];
	struct mapio m;
	uint32_t k;
	int err;

	if (mapio_open(&m, pin, BPF_MAP_TYPE_PERCPU_ARRAY, 0, sizeof(k), sizeof(sum[0])))
		die(EXIT_BPFTOOL, "cannot read xdping_stats", m.err);
	for (k = 0; k < XDPING_ROLES; k++) {
		err = mapio_percpu_sum(m.fd, &k, sizeof(sum[0]), w, sizeof(w) / sizeof(w[0]));
		if (err)
			die(EXIT_BPFTOOL, "cannot read xdping_stats", strerror(-err));
		memcpy(&sum[k], w, sizeof(sum[k]));
	}
	close(m.fd);
}

static int stats(const char *pin)
{
	static const char *role[XDPING_ROLES] = { "client", "server" };
	struct xdping_stats sum[XDPING_ROLES];
	uint32_t k;

	read_stats(pin, sum);
	for (k = 0; k < XDPING_ROLES; k++)
		printf("%s: answered %llu passed %llu samples %llu completed %llu errors %llu\n",
		       role[k], (unsigned long long)sum[k].answered,
		       (unsigned long long)sum[k].passed, (unsigned long long)sum[k].samples,
		       (unsigned long long)sum[k].completed, (unsigned long long)sum[k].errors);
	return 0;
}

/*
 * xdping_server's counters as a metrics file. xdping_stats is one map for
 * every xdping object of the network namespace: the counters are those of
 * all its servers, labelled with the interface the file was asked for.
 */
static int server_prom(const char *pin, const char *out, const char *iface)
{
	struct xdping_stats sum[XDPING_ROLES], *s = &sum[XDPING_ROLE_SERVER];
	struct prom_label l = { "interface", iface };
	struct promfile p;

	read_stats(pin, sum);
	prom_open(&p, out);
	prom_family(p.f, "xdping_server_answered_total", "counter",
		    "Echo requests xdping_server answered in XDP (all servers of the network namespace).");
	prom_sample(p.f, "xdping_server_answered_total", &l, 1, NULL, NULL);
	fprintf(p.f, "%llu\n", (unsigned long long)s->answered);
	prom_family(p.f, "xdping_server_passed_total", "counter",
		    "Frames xdping_server handed to the stack (all servers of the network namespace).");
	prom_sample(p.f, "xdping_server_passed_total", &l, 1, NULL, NULL);
	fprintf(p.f, "%llu\n", (unsigned long long)s->passed);
	prom_family(p.f, "xdping_server_errors_total", "counter",
		    "Frames xdping_server could not handle (all servers of the network namespace).");
	prom_sample(p.f, "xdping_server_errors_total", &l, 1, NULL, NULL);
	fprintf(p.f, "%llu\n", (unsigned long long)s->errors);
	prom_commit(&p);
	return 0;
}

int main(int argc, char **argv)
{
	struct report o = { .format = "text", .host = "", .iface = "" };
	const char *mode = "";
	struct xdping_key key;
	struct xdping_run r;
	const char *cmd;
	char **arg;
	int n, opt;

	while ((opt = getopt(argc, argv, "+nf:p:H:I:c:P:m:")) != -1) {
		switch (opt) {
		case 'n':
			dry_run = 1;
			break;
		case 'f':
			if (strcmp(optarg, "text") && strcmp(optarg, "json") && strcmp(optarg, "jsonl"))
				die(EXIT_USAGE, "format is text, json or jsonl, not", optarg);
			o.format = optarg;
			break;
		case 'p':
			o.pinglog = optarg;
			break;
		case 'H':
			o.host = optarg;
			break;
		case 'I':
			o.iface = optarg;
			break;
		case 'c':
			o.count = number(optarg, XDPING_MAX_SAMPLES, "bad count");
			break;
		case 'P':
			o.state = optarg;
			break;
		case 'm':
			mode = optarg;
			break;
		default:
			usage();
		}
	}
	if (argc - optind < 2)
		usage();
	cmd = argv[optind];
	arg = argv + optind + 1;
	n = argc - optind - 1;

	if (!strcmp(cmd, "seed") && n == 5) {
		struct args a = bpftool("update", arg[0]);

		memset(&r, 0, sizeof(r));
		key = make_key(arg + 1, r.addr);
		r.count = number(arg[4], XDPING_MAX_SAMPLES, "bad count");
		if (!r.count)
			die(EXIT_USAGE, "bad count", arg[4]);
		/* ping numbers its first request 1; that reply starts the chain. */
		r.seq = r.first_seq = htons(1);
		add(&a, "key");
		add_hex(&a, &key, sizeof(key));
		add(&a, "value");
		add_hex(&a, &r, sizeof(r));
		add(&a, "noexist");
		if (dry_run) {
			print_args(&a);
			return 0;
		}
		return run_bpftool(&a) ? EXIT_BPFTOOL : 0;
	}
	if (!strcmp(cmd, "delete") && n == 4) {
		struct args a = bpftool("delete", arg[0]);

		key = make_key(arg + 1, NULL);
		add(&a, "key");
		add_hex(&a, &key, sizeof(key));
		if (dry_run) {
			print_args(&a);
			return 0;
		}
		return run_bpftool(&a) ? EXIT_BPFTOOL : 0;
	}
	if (!strcmp(cmd, "report") && n == 4) {
		key = make_key(arg + 1, NULL);
		if (lookup_run(arg[0], &key, &r)) {
			/* The run is gone: the target is still reported, all lost. */
			if (!o.count)
				die(EXIT_INCOMPLETE, "no such run in", arg[0]);
			memset(&r, 0, sizeof(r));
			r.count = o.count;
			o.error = "the run was gone from xdping_runs at report time";
		}
		return report(&key, &r, arg[2], &o);
	}
	if ((!strcmp(cmd, "progress") || !strcmp(cmd, "state")) && n == 4) {
		key = make_key(arg + 1, NULL);
		if (lookup_run(arg[0], &key, &r))
			die(EXIT_INCOMPLETE, "no such run in", arg[0]);
		if (cmd[0] == 's')
			printf("%u %u %u\n", r.done, r.count, r.chains);
		else
			printf("%u %u\n", r.done, r.count);
		return r.done < r.count ? EXIT_INCOMPLETE : 0;
	}
	if (!strcmp(cmd, "canon") && n == 1) {
		char text[INET6_ADDRSTRLEN];
		uint8_t a[16];
		int af = strchr(arg[0], ':') ? AF_INET6 : AF_INET;

		if (inet_pton(af, arg[0], a) != 1 || !inet_ntop(af, a, text, sizeof(text)))
			die(EXIT_USAGE, "not an IPv4 or IPv6 address", arg[0]);
		printf("%d %s\n", af == AF_INET ? 4 : 6, text);
		return 0;
	}
	if (!strcmp(cmd, "purge") && n == 2)
		return purge(arg[0], number(arg[1], UINT32_MAX, "bad ifindex"));
	if (!strcmp(cmd, "stats") && n == 1)
		return stats(arg[0]);
	if (!strcmp(cmd, "server-prom") && n == 2 && *o.iface)
		return server_prom(arg[0], arg[1], o.iface);
	if (!strcmp(cmd, "prom") && n >= 1 && *o.iface && *mode)
		return prom(arg[0], arg + 1, n - 1, o.iface, mode);
	if (!strcmp(cmd, "missed") && n == 1 && o.state && o.count) {
		struct series none = { .n = 0 };
		uint8_t a[16];

		if (inet_pton(strchr(arg[0], ':') ? AF_INET6 : AF_INET, arg[0], a) != 1)
			die(EXIT_USAGE, "not an IPv4 or IPv6 address", arg[0]);
		account(o.state, o.host, arg[0], &none, o.count, &none, o.count);
		return 0;
	}
	usage();
	return EXIT_USAGE;
}
