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
 *   xdping-map canon       ADDR                    (prints "4|6 CANONICAL-ADDR")
 *
 * ADDR is an IPv4 or IPv6 address. PINGLOG is ping's output, for the
 * comparison and the losses; with ping -D its timestamps go into jsonl
 * records. report -c COUNT: when the run is gone from the map, the target
 * is still reported, with an error and COUNT samples lost.
 * -n prints the bpftool command instead of running it. Exit status: 0
 * done, 1 the run is incomplete or missing (report: anything asked for,
 * from XDP or ping, did not arrive), 2 bad arguments, 3 bpftool failed or
 * a pin is not the map maps/ describes.
 */
#include <arpa/inet.h>
#include <bpf/bpf.h>
#include <errno.h>
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

static int stats(const char *pin)
{
	static const char *role[XDPING_ROLES] = { "client", "server" };
	uint64_t w[sizeof(struct xdping_stats) / sizeof(uint64_t)];
	struct xdping_stats sum;
	struct mapio m;
	uint32_t k;
	int err;

	if (mapio_open(&m, pin, BPF_MAP_TYPE_PERCPU_ARRAY, 0, sizeof(k), sizeof(sum)))
		die(EXIT_BPFTOOL, "cannot read xdping_stats", m.err);
	for (k = 0; k < XDPING_ROLES; k++) {
		err = mapio_percpu_sum(m.fd, &k, sizeof(sum), w, sizeof(w) / sizeof(w[0]));
		if (err)
			die(EXIT_BPFTOOL, "cannot read xdping_stats", strerror(-err));
		memcpy(&sum, w, sizeof(sum));
		printf("%s: answered %llu passed %llu samples %llu completed %llu errors %llu\n",
		       role[k], (unsigned long long)sum.answered,
		       (unsigned long long)sum.passed, (unsigned long long)sum.samples,
		       (unsigned long long)sum.completed, (unsigned long long)sum.errors);
	}
	close(m.fd);
	return 0;
}

int main(int argc, char **argv)
{
	struct report o = { .format = "text", .host = "", .iface = "" };
	struct xdping_key key;
	struct xdping_run r;
	const char *cmd;
	char **arg;
	int n, opt;

	while ((opt = getopt(argc, argv, "+nf:p:H:I:c:")) != -1) {
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
	usage();
	return EXIT_USAGE;
}
