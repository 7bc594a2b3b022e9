// SPDX-License-Identifier: GPL-2.0
/*
 * xdping-map: the bytes of the xdping maps, for the scripts. It builds
 * keys and values from maps/xdping_runs.h and maps/xdping_stats.h, hands
 * them to bpftool, and turns what bpftool prints back into text.
 *
 *   xdping-map [-n] seed   PIN IFINDEX ADDR ID COUNT
 *   xdping-map [-n] delete PIN IFINDEX ADDR ID
 *   xdping-map progress    PIN IFINDEX ADDR ID
 *   xdping-map report      PIN IFINDEX ADDR ID [PINGLOG]
 *   xdping-map purge       PIN IFINDEX
 *   xdping-map stats       PIN
 *
 * -n prints the bpftool command instead of running it. Exit status: 0
 * done, 1 the run is incomplete or missing, 2 bad arguments, 3 bpftool
 * failed.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../maps/xdping_runs.h"
#include "../maps/xdping_stats.h"

/* maps/README.md documents these layouts byte by byte. */
_Static_assert(sizeof(struct xdping_key) == 24, "xdping_key layout");
_Static_assert(sizeof(struct xdping_run) == 9240, "xdping_run layout");
_Static_assert(sizeof(struct xdping_stats) == 40, "xdping_stats layout");

#define EXIT_INCOMPLETE	1
#define EXIT_USAGE	2
#define EXIT_BPFTOOL	3

static int dry_run;

static void usage(void)
{
	fprintf(stderr,
		"usage: xdping-map [-n] seed PIN IFINDEX ADDR ID COUNT\n"
		"       xdping-map [-n] delete PIN IFINDEX ADDR ID\n"
		"       xdping-map progress|report PIN IFINDEX ADDR ID [PINGLOG]\n"
		"       xdping-map purge PIN IFINDEX\n"
		"       xdping-map stats PIN\n");
	exit(EXIT_USAGE);
}

static void die(int code, const char *what, const char *arg)
{
	fprintf(stderr, "xdping-map: %s: %s\n", what, arg);
	exit(code);
}

static unsigned long number(const char *s, unsigned long max, const char *what)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || end == s || *end || *s == '-' || v > max)
		die(EXIT_USAGE, what, s);
	return v;
}

static struct xdping_key make_key(char **arg)
{
	struct xdping_key key;

	memset(&key, 0, sizeof(key));
	key.ifindex = number(arg[0], UINT32_MAX, "bad ifindex");
	if (inet_pton(AF_INET, arg[1], key.addr) != 1)
		die(EXIT_USAGE, "not an IPv4 address", arg[1]);
	key.family = XDPING_FAMILY_IPV4;
	key.id = htons(number(arg[2], UINT16_MAX, "bad echo identifier"));
	return key;
}

/* argv grows as bytes are appended as "xx" hex words. */
struct args {
	char **v;
	size_t n, cap;
};

static void add(struct args *a, const char *s)
{
	if (a->n + 2 > a->cap) {
		a->cap = a->cap ? a->cap * 2 : 64;
		a->v = realloc(a->v, a->cap * sizeof(*a->v));
		if (!a->v)
			die(EXIT_BPFTOOL, "out of memory", "argv");
	}
	a->v[a->n] = strdup(s);
	if (!a->v[a->n])
		die(EXIT_BPFTOOL, "out of memory", "argv");
	a->v[++a->n] = NULL;
}

static void add_hex(struct args *a, const void *p, size_t len)
{
	const uint8_t *b = p;
	char w[3];
	size_t i;

	add(a, "hex");
	for (i = 0; i < len; i++) {
		snprintf(w, sizeof(w), "%02x", b[i]);
		add(a, w);
	}
}

static void print_args(const struct args *a)
{
	size_t i;

	for (i = 0; i < a->n; i++)
		printf(i ? " %s" : "%s", a->v[i]);
	putchar('\n');
}

/*
 * Runs bpftool with a's words, no shell involved. With out set, its
 * stdout is collected there (NUL terminated). Returns its exit status.
 */
static int run_bpftool(const struct args *a, char **out)
{
	size_t len = 0, cap = 0;
	int fd[2], status;
	char *buf = NULL;
	ssize_t r;
	pid_t pid;

	if (out && pipe(fd))
		die(EXIT_BPFTOOL, "pipe", strerror(errno));
	fflush(stdout);
	pid = fork();
	if (pid < 0)
		die(EXIT_BPFTOOL, "fork", strerror(errno));
	if (!pid) {
		if (out) {
			dup2(fd[1], 1);
			close(fd[0]);
			close(fd[1]);
		}
		execvp(a->v[0], a->v);
		fprintf(stderr, "xdping-map: %s: %s\n", a->v[0], strerror(errno));
		_exit(127);
	}
	if (out) {
		close(fd[1]);
		for (;;) {
			if (len + 4096 + 1 > cap) {
				cap = cap ? cap * 2 : 65536;
				buf = realloc(buf, cap);
				if (!buf)
					die(EXIT_BPFTOOL, "out of memory", "bpftool output");
			}
			r = read(fd[0], buf + len, cap - len - 1);
			if (r < 0 && errno == EINTR)
				continue;
			if (r <= 0)
				break;
			len += r;
		}
		close(fd[0]);
		buf[len] = '\0';
		*out = buf;
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			die(EXIT_BPFTOOL, "waitpid", strerror(errno));
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}

static struct args bpftool(const char *json, const char *verb, const char *pin)
{
	struct args a = { 0 };

	add(&a, "bpftool");
	if (json)
		add(&a, json);
	add(&a, "map");
	add(&a, verb);
	add(&a, "pinned");
	add(&a, pin);
	return a;
}

/*
 * bpftool -j prints raw bytes as "name":["0x01","0x02",...]. Finds the
 * next such array named name at or after *p, fills out with up to max
 * bytes, and returns how many were there (-1 when there is none).
 */
static long hex_array(const char **p, const char *name, uint8_t *out, size_t max)
{
	char pat[32];
	const char *s;
	unsigned int byte;
	long n = 0;
	int used;

	snprintf(pat, sizeof(pat), "\"%s\":", name);
	for (s = strstr(*p, pat); s; s = strstr(s + 1, pat)) {
		const char *q = s + strlen(pat);

		while (*q == ' ')
			q++;
		if (q[0] == '[' && q[1] == '"') {
			s = q + 1;
			break;
		}
	}
	if (!s)
		return -1;
	while (*s == '"' && sscanf(s, "\"0x%2x\"%n", &byte, &used) == 1) {
		if ((size_t)n < max)
			out[n] = byte;
		n++;
		s += used;
		while (*s == ',' || *s == ' ')
			s++;
	}
	*p = s;
	return n;
}

static int lookup_run(const char *pin, const struct xdping_key *key, struct xdping_run *run)
{
	struct args a = bpftool("-j", "lookup", pin);
	const char *p;
	char *out;
	int rc;

	add(&a, "key");
	add_hex(&a, key, sizeof(*key));
	rc = run_bpftool(&a, &out);
	p = out;
	if (rc || hex_array(&p, "value", (uint8_t *)run, sizeof(*run)) != sizeof(*run))
		return -1;
	free(out);
	return 0;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double median(double *v, size_t n)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* The times, in ms, of ping's replies: "... time=0.052 ms", duplicates left out. */
static size_t ping_times(const char *path, double *v, size_t max)
{
	char line[512];
	size_t n = 0;
	const char *t;
	FILE *f;

	f = fopen(path, "r");
	if (!f)
		die(EXIT_USAGE, "cannot read ping output", path);
	while (n < max && fgets(line, sizeof(line), f)) {
		t = strstr(line, " time=");
		if (t && !strstr(line, "DUP!"))
			v[n++] = strtod(t + 6, NULL);
	}
	fclose(f);
	return n;
}

static int report(const struct xdping_run *r, const char *addr, const char *pinglog)
{
	static double ms[XDPING_MAX_SAMPLES], pms[65536];
	double sum = 0, sq = 0, min = 0, max = 0, avg, mdev, xmed;
	size_t i, n = r->done < r->count ? r->done : r->count, pn = 0;

	if (n > XDPING_MAX_SAMPLES)
		n = XDPING_MAX_SAMPLES;
	for (i = 0; i < n; i++) {
		ms[i] = r->rtt_ns[i] / 1e6;
		printf("%u bytes from %s: icmp_seq=%u ttl=%u time=%#.5f ms\n",
		       r->icmp_len, addr, (unsigned int)(ntohs(r->first_seq) + i + 1) & 0xffff,
		       r->ttl[i], ms[i]);
		sum += ms[i];
		sq += ms[i] * ms[i];
		if (!i || ms[i] < min)
			min = ms[i];
		if (ms[i] > max)
			max = ms[i];
	}
	printf("\n--- %s xdping statistics ---\n", addr);
	printf("%u samples asked, %zu measured in XDP\n", r->count, n);
	if (!n)
		return EXIT_INCOMPLETE;
	avg = sum / n;
	mdev = sqrt(fmax(sq / n - avg * avg, 0));
	printf("rtt min/avg/max/mdev = %.5f/%.5f/%.5f/%.5f ms\n", min, avg, max, mdev);
	xmed = median(ms, n);
	if (pinglog)
		pn = ping_times(pinglog, pms, sizeof(pms) / sizeof(pms[0]));
	if (pn) {
		double pmed = median(pms, pn);

		printf("median xdp/ping = %.5f/%.5f ms = %.3f\n", xmed, pmed,
		       pmed > 0 ? xmed / pmed : 0);
	} else {
		printf("median xdp = %.5f ms (no ping time to compare with)\n", xmed);
	}
	return n < r->count ? EXIT_INCOMPLETE : 0;
}

static int purge(const char *pin, uint32_t ifindex)
{
	struct args a = bpftool("-j", "dump", pin);
	struct xdping_key key;
	const char *p;
	char *out;
	int rc = 0;

	if (run_bpftool(&a, &out))
		return EXIT_BPFTOOL;
	p = out;
	while (hex_array(&p, "key", (uint8_t *)&key, sizeof(key)) == sizeof(key)) {
		struct args d = bpftool(NULL, "delete", pin);

		if (key.ifindex != ifindex)
			continue;
		add(&d, "key");
		add_hex(&d, &key, sizeof(key));
		if (dry_run)
			print_args(&d);
		else if (run_bpftool(&d, NULL))
			rc = EXIT_BPFTOOL;
	}
	free(out);
	return rc;
}

static int stats(const char *pin)
{
	static const char *role[XDPING_ROLES] = { "client", "server" };
	struct xdping_stats s, sum;
	uint32_t k;

	for (k = 0; k < XDPING_ROLES; k++) {
		struct args a = bpftool("-j", "lookup", pin);
		const char *p;
		char *out;

		add(&a, "key");
		add_hex(&a, &k, sizeof(k));
		if (run_bpftool(&a, &out))
			return EXIT_BPFTOOL;
		memset(&sum, 0, sizeof(sum));
		p = out;
		while (hex_array(&p, "value", (uint8_t *)&s, sizeof(s)) == sizeof(s)) {
			sum.passed += s.passed;
			sum.answered += s.answered;
			sum.samples += s.samples;
			sum.completed += s.completed;
			sum.errors += s.errors;
		}
		free(out);
		printf("%s: answered %llu passed %llu samples %llu completed %llu errors %llu\n",
		       role[k], (unsigned long long)sum.answered,
		       (unsigned long long)sum.passed, (unsigned long long)sum.samples,
		       (unsigned long long)sum.completed, (unsigned long long)sum.errors);
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct xdping_key key;
	struct xdping_run r;
	const char *cmd;
	char **arg;
	int n;

	if (argc > 1 && !strcmp(argv[1], "-n")) {
		dry_run = 1;
		argv++;
		argc--;
	}
	if (argc < 3)
		usage();
	cmd = argv[1];
	arg = argv + 2;
	n = argc - 2;

	if (!strcmp(cmd, "seed") && n == 5) {
		struct args a = bpftool(NULL, "update", arg[0]);

		key = make_key(arg + 1);
		memset(&r, 0, sizeof(r));
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
		return run_bpftool(&a, NULL) ? EXIT_BPFTOOL : 0;
	}
	if (!strcmp(cmd, "delete") && n == 4) {
		struct args a = bpftool(NULL, "delete", arg[0]);

		key = make_key(arg + 1);
		add(&a, "key");
		add_hex(&a, &key, sizeof(key));
		if (dry_run) {
			print_args(&a);
			return 0;
		}
		return run_bpftool(&a, NULL) ? EXIT_BPFTOOL : 0;
	}
	if ((!strcmp(cmd, "progress") && n == 4) ||
	    (!strcmp(cmd, "report") && (n == 4 || n == 5))) {
		key = make_key(arg + 1);
		if (lookup_run(arg[0], &key, &r))
			die(EXIT_INCOMPLETE, "no such run in", arg[0]);
		if (cmd[0] == 'r')
			return report(&r, arg[2], n == 5 ? arg[4] : NULL);
		printf("%u %u\n", r.done, r.count);
		return r.done < r.count ? EXIT_INCOMPLETE : 0;
	}
	if (!strcmp(cmd, "purge") && n == 2)
		return purge(arg[0], number(arg[1], UINT32_MAX, "bad ifindex"));
	if (!strcmp(cmd, "stats") && n == 1)
		return stats(arg[0]);
	usage();
	return EXIT_USAGE;
}
