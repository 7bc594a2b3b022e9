// SPDX-License-Identifier: GPL-2.0
/*
 * srclogbench: srclog's per-packet cost on its three paths, beside the
 * XDP_PASS floor and the bare counter it is compared with, in one run
 * (`make bench`, family 5; method in BENCHMARKS.md).
 *
 *   srclogbench ROUNDS PASS.o SRCLOG.o SRCLOG_SHARED.o BARE.o BARE_SHARED.o
 *
 * Every object is loaded unpinned; the frame is a 98-byte IPv4/UDP one
 * from 198.18.0.0/15. Figures, once per round, as "V NAME ns VALUE":
 *
 *   churn/OBJ/known         repeat mode (100000 runs over one buffer): a
 *                           source already in the map
 *   churn/OBJ/known-fresh   the same, one run per BPF_PROG_TEST_RUN call,
 *                           median of 3001 calls
 *   churn/OBJ/new           one run per call, each from a source never
 *                           seen (198.18.0.0/15 in turn), the map full:
 *                           the eviction path
 *   churn/OBJ/known-2cpu    repeat mode on two CPUs at once, one source:
 *                           the mean of the two threads' figures
 *   churn/srclog/{known,new}-log  the same with the live log on and no
 *                           reader (the ring full: every event a counted drop)
 *
 * OBJ is pass, srclog, srclog_shared, bare or bare_shared. Exit 0, or 1
 * with a line on stderr.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <unistd.h>

#include "../pkt/pkt.h"
#include "../../maps/srclog_config.h"
#include "../../maps/srclog_sources.h"

#define REPEAT		100000
#define FRESH		3001
#define FIRST_SRC	0xc6120000u	/* 198.18.0.0 */
#define SRC_SPAN	(1u << 17)	/* 198.18.0.0/15: twice a default map */

static const uint8_t MAC_A[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x0a };
static const uint8_t MAC_B[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x0b };

struct obj {
	const char *name;
	struct bpf_object *bpf;
	int prog, config, sources;
	uint32_t capacity;
	uint32_t next_src;	/* the next source never seen (index in SRC_SPAN) */
};

static struct pkt frame;
static uint32_t samples[FRESH];

static void die(const char *what, int err)
{
	fprintf(stderr, "srclogbench: %s: %s\n", what, strerror(err < 0 ? -err : err));
	exit(1);
}

static void load(struct obj *o, const char *name, const char *path)
{
	struct bpf_map *m;
	int err;

	o->name = name;
	o->config = o->sources = -1;
	libbpf_set_print(pkt_libbpf_print);
	o->bpf = bpf_object__open_file(path, NULL);
	if (!o->bpf)
		die(path, errno);
	bpf_object__for_each_map(m, o->bpf)
		if (bpf_map__set_pin_path(m, NULL))
			die(path, errno);
	err = bpf_object__load(o->bpf);
	if (err)
		die(path, err);
	o->prog = bpf_program__fd(bpf_object__next_program(o->bpf, NULL));
	m = bpf_object__find_map_by_name(o->bpf, "srclog_config");
	if (m)
		o->config = bpf_map__fd(m);
	m = bpf_object__find_map_by_name(o->bpf, "srclog_sources");
	if (m) {
		o->sources = bpf_map__fd(m);
		o->capacity = bpf_map__max_entries(m);
	}
}

static void set_source(uint32_t saddr)
{
	struct pkt_ipv4 ip = { .ttl = 64, .proto = 17, .saddr = saddr, .daddr = 0xc6120001,
			       .frag = PKT_IP_DF };
	uint8_t payload[56];
	size_t off;

	pkt_fill(payload, sizeof(payload), 9);
	frame.len = 0;
	pkt_put_eth(&frame, MAC_A, MAC_B, NULL, 0, PKT_ETH_P_IP);
	pkt_put_ipv4(&frame, &ip, 8 + sizeof(payload));
	off = pkt_put(&frame, NULL, 8);
	pkt_set16(frame.b + off, 5353);
	pkt_set16(frame.b + off + 2, 53);
	pkt_set16(frame.b + off + 4, 8 + sizeof(payload));
	pkt_put(&frame, payload, sizeof(payload));
}

static uint32_t run(int fd, const struct pkt *p, uint32_t repeat)
{
	struct xdp_md ctx = { .data_end = p->len, .ingress_ifindex = 1 };
	LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = p->b, .data_size_in = p->len,
		    .ctx_in = &ctx, .ctx_size_in = sizeof(ctx), .repeat = repeat);

	if (bpf_prog_test_run_opts(fd, &o))
		die("BPF_PROG_TEST_RUN", errno);
	if (o.retval != XDP_PASS)
		die("a verdict other than XDP_PASS", EINVAL);
	return o.duration;
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

static double median(uint32_t *v, size_t n)
{
	qsort(v, n, sizeof(*v), cmp_u32);
	return v[n / 2];
}

static void set_log(struct obj *o, uint32_t every)
{
	struct srclog_config cfg = { .log_every = every };
	uint32_t zero = 0;

	if (o->config >= 0 && bpf_map_update_elem(o->config, &zero, &cfg, BPF_ANY))
		die("srclog_config", errno);
}

static double known(struct obj *o)
{
	set_source(FIRST_SRC + SRC_SPAN - 1);
	return run(o->prog, &frame, REPEAT);
}

static double known_fresh(struct obj *o)
{
	size_t i;

	set_source(FIRST_SRC + SRC_SPAN - 1);
	for (i = 0; i < FRESH; i++)
		samples[i] = run(o->prog, &frame, 1);
	return median(samples, FRESH);
}

/* A source the map has not seen (or has evicted long since). */
static void next_new(struct obj *o)
{
	set_source(FIRST_SRC + o->next_src);
	o->next_src = (o->next_src + 1) % (SRC_SPAN - 1);
}

static double churn(struct obj *o)
{
	size_t i;

	for (i = 0; i < FRESH; i++) {
		next_new(o);
		samples[i] = run(o->prog, &frame, 1);
	}
	return median(samples, FRESH);
}

/* Fills the map with sources before the first eviction-path sample. */
static void fill(struct obj *o)
{
	uint32_t i;

	for (i = 0; o->sources >= 0 && i < o->capacity + o->capacity / 4; i++) {
		next_new(o);
		run(o->prog, &frame, 1);
	}
}

struct two {
	struct obj *o;
	int cpu;
	pthread_barrier_t *go;
	double ns;
};

static void *one_cpu(void *arg)
{
	struct two *t = arg;
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(t->cpu, &set);
	if (pthread_setaffinity_np(pthread_self(), sizeof(set), &set))
		die("pthread_setaffinity_np", errno);
	pthread_barrier_wait(t->go);
	t->ns = run(t->o->prog, &frame, REPEAT);
	return NULL;
}

/* One source, frames on two CPUs at once. */
static double known_2cpu(struct obj *o)
{
	pthread_barrier_t go;
	struct two t[2];
	pthread_t th[2];
	int i;

	set_source(FIRST_SRC + SRC_SPAN - 1);
	pthread_barrier_init(&go, NULL, 2);
	for (i = 0; i < 2; i++) {
		t[i] = (struct two){ .o = o, .cpu = i, .go = &go };
		if (pthread_create(&th[i], NULL, one_cpu, &t[i]))
			die("pthread_create", errno);
	}
	for (i = 0; i < 2; i++)
		pthread_join(th[i], NULL);
	pthread_barrier_destroy(&go);
	return (t[0].ns + t[1].ns) / 2;
}

static void put(const struct obj *o, const char *what, double v)
{
	printf("V churn/%s/%s ns %.3f\n", o->name, what, v);
	fflush(stdout);
}

int main(int argc, char **argv)
{
	static const char *names[] = { "pass", "srclog", "srclog_shared", "bare", "bare_shared" };
	struct obj objs[5];
	long rounds, r, ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	char *end;
	int i;

	if (argc != 7) {
		fprintf(stderr, "usage: srclogbench ROUNDS PASS.o SRCLOG.o SRCLOG_SHARED.o BARE.o "
			"BARE_SHARED.o\n");
		return 1;
	}
	rounds = strtol(argv[1], &end, 10);
	if (*end || rounds < 1 || rounds > 99)
		die("ROUNDS is not a number from 1 to 99", EINVAL);
	for (i = 0; i < 5; i++) {
		load(&objs[i], names[i], argv[i + 2]);
		set_log(&objs[i], 0);
		fill(&objs[i]);
	}
	printf("# %d objects, %ld rounds; %d-entry maps filled; %ld CPUs online\n", 5, rounds,
	       objs[1].capacity, ncpu);
	for (r = 0; r < rounds; r++) {
		for (i = 0; i < 5; i++) {
			struct obj *o = &objs[i];

			put(o, "known", known(o));
			put(o, "known-fresh", known_fresh(o));
			put(o, "new", churn(o));
			if (ncpu >= 2)
				put(o, "known-2cpu", known_2cpu(o));
			if (!strcmp(o->name, "srclog")) {
				set_log(o, 1);
				put(o, "known-log", known(o));
				put(o, "new-log", churn(o));
				set_log(o, 0);
			}
		}
	}
	return 0;
}
