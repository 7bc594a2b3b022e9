// SPDX-License-Identifier: GPL-2.0
/*
 * srcfilterbench: srcfilter's per-packet cost beside the limit, its drop
 * rate, and the cost of the combined object, in one run (`make bench`,
 * family 6; method in BENCHMARKS.md).
 *
 *   srcfilterbench ROUNDS FRAMES IFACE SIZES PASS.o SRCFILTER.o SRCLOG.o
 *                  SRCLOG_FILTER.o BARE.o DROP.o
 *
 * SIZES: prefixes per family, comma-separated (e.g. 1,1000,100000,1000000).
 * FRAMES: frames per live-frames run. IFACE: the rules' interface, and
 * the ingress_ifindex of every run (it must exist in the current netns).
 *
 * For every size, one srcfilter.o whose tries hold that many prefixes per
 * family, and one BARE.o (tests/bench/filter_bench_kern.c) given the same
 * tries with bpf_map__reuse_fd. Every map is unpinned. Figures, once per
 * round, as "V NAME UNIT VALUE":
 *
 *   filter/SIZE/OBJ/FRAME   ns per run, repeat mode; OBJ is pass (the
 *                           XDP_PASS floor), srcfilter or bare; FRAME is
 *                           v4-match, v4-nomatch, v6-match or v6-nomatch
 *   filter/drop/{srcfilter,bare}      frames dropped per second, live
 *                           frames (srcfilter with 1,000 rules, the frame
 *                           matching a drop rule; DROP.o drops everything)
 *   filter/drop/{srcfilter,bare}-repeat  ns per dropped frame, repeat mode
 *   filter/combined/OBJ/FRAME  ns per run, repeat mode, 1,000 rules, one
 *                           source: OBJ is pass, srclog, srcfilter or
 *                           srclog_filter; FRAME is v4-match or v4-nomatch
 *
 * Every run's verdict is checked (a match is dropped, anything else
 * passes), and so are srcfilter's counters: the matching rule's slot and
 * the interface's XDP_DROP total. Exit 0, 1 with a line on stderr when a
 * measurement failed, 2 on a bad command line.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <stddef.h>

#include "../pkt/pkt.h"
#define DRIVER_NAME "srcfilterbench"
#include "driver.h"
#include "../../maps/srcfilter_rules.h"
#include "../../maps/srcfilter_hits.h"
#include "../../maps/srcfilter_stats.h"

#define REPEAT		100000	/* runs per BPF_PROG_TEST_RUN call, repeat mode */
#define CALLS		5	/* calls per sample: their mean, below 1 ns */
#define MAX_SIZES	8
#define COMBINED_RULES	1000
#define SLOT4		1	/* the matching rules' counters */
#define SLOT6		2
#define NFRAMES		4

static const uint8_t MAC_A[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x0a };
static const uint8_t MAC_B[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x0b };

/* Sources: the matching ones are in the rules below, the others in none. */
#define MATCH4		"198.18.0.1"
#define NOMATCH4	"198.19.0.1"
#define MATCH6		"2001:db8:1::1"
#define NOMATCH6	"2001:db8:2::1"
#define RULE4		"198.18.0.0"	/* /24 */
#define RULE6		"2001:db8:1::"	/* /48 */

static const char *frame_names[NFRAMES] = { "v4-match", "v4-nomatch", "v6-match", "v6-nomatch" };
static struct pkt frames[NFRAMES];
static uint32_t ifindex;
static uint32_t rng = 0x5eed;

struct obj {
	struct bpf_object *bpf;
	int prog;
};

static int map_fd(const struct obj *o, const char *name)
{
	struct bpf_map *m = bpf_object__find_map_by_name(o->bpf, name);

	if (!m)
		fail(name);
	return bpf_map__fd(m);
}

/*
 * Loads PATH unpinned. With SHARE, every map of PATH named srcfilter_*
 * that SHARE has too is SHARE's very map: the same tries, counters and
 * statistics.
 */
static void load(struct obj *o, const char *path, const struct obj *share)
{
	struct bpf_map *m;
	int err;

	libbpf_set_print(pkt_libbpf_print);
	o->bpf = bpf_object__open_file(path, NULL);
	if (!o->bpf)
		die(path, errno);
	bpf_object__for_each_map(m, o->bpf) {
		const char *name = bpf_map__name(m);

		if (bpf_map__set_pin_path(m, NULL))
			die(path, errno);
		if (share && !strncmp(name, "srcfilter_", 10) &&
		    bpf_object__find_map_by_name(share->bpf, name)) {
			err = bpf_map__reuse_fd(m, map_fd(share, name));
			if (err)
				die(name, err);
		}
	}
	err = bpf_object__load(o->bpf);
	if (err)
		die(path, err);
	o->prog = bpf_program__fd(bpf_object__next_program(o->bpf, NULL));
}

/* ---- frames and rules ---- */

static void build_frames(void)
{
	const char *src[NFRAMES] = { MATCH4, NOMATCH4, MATCH6, NOMATCH6 };
	uint8_t payload[64];
	int i;

	pkt_fill(payload, sizeof(payload), 6);
	for (i = 0; i < NFRAMES; i++) {
		struct pkt *p = &frames[i];

		p->len = 0;
		if (i < 2) {
			struct pkt_ipv4 ip = { .ttl = 64, .proto = 17, .daddr = 0xc6120002,
					       .frag = PKT_IP_DF };
			uint8_t a[4];

			inet_pton(AF_INET, src[i], a);
			ip.saddr = pkt_get32(a);
			pkt_put_eth(p, MAC_B, MAC_A, NULL, 0, PKT_ETH_P_IP);
			pkt_put_ipv4(p, &ip, sizeof(payload));
			pkt_put(p, payload, sizeof(payload));	/* 98 bytes */
		} else {
			struct pkt_ipv6 ip = { .next = 17, .hlim = 64 };

			inet_pton(AF_INET6, src[i], ip.saddr);
			inet_pton(AF_INET6, "2001:db8::2", ip.daddr);
			pkt_put_eth(p, MAC_B, MAC_A, NULL, 0, PKT_ETH_P_IPV6);
			pkt_put_ipv6(p, &ip, sizeof(payload) - 20);
			pkt_put(p, payload, sizeof(payload) - 20);	/* 98 bytes */
		}
	}
}

/* Sets the bits of a past len to zero (alen bytes). */
static void mask(uint8_t *a, size_t alen, unsigned int len)
{
	size_t i;

	for (i = 0; i < alen; i++) {
		if (len >= 8)
			len -= 8;
		else {
			a[i] &= (uint8_t)(0xff00 >> len);
			len = 0;
		}
	}
}

/* Adds one rule; false when the prefix is there already. */
static bool add_rule(int map, int family, const uint8_t *addr, unsigned int len, uint32_t slot)
{
	struct srcfilter_rule r = { .action = SRCFILTER_DROP, .slot = slot };
	struct srcfilter_key4 k4 = { .prefixlen = SRCFILTER_IFINDEX_BITS + len, .ifindex = ifindex };
	struct srcfilter_key6 k6 = { .prefixlen = SRCFILTER_IFINDEX_BITS + len, .ifindex = ifindex };
	const void *key = family == 4 ? (const void *)&k4 : (const void *)&k6;

	memcpy(k4.addr, addr, sizeof(k4.addr));
	memcpy(k6.addr, addr, sizeof(k6.addr));
	if (!bpf_map_update_elem(map, key, &r, BPF_NOEXIST))
		return true;
	if (errno != EEXIST)
		die(family == 4 ? "srcfilter_rules4" : "srcfilter_rules6", errno);
	return false;
}

/*
 * N prefixes per family into the drop tries of srcfilter object O: the
 * matching rule (with a slot, so its counters are updated), then N - 1
 * others of mixed lengths (IPv4 /16../32, IPv6 /32../128) from anywhere
 * but 198.18.0.0/15 and 2001:db8::/32, where the frames' sources are.
 * The tries are map contents, not traffic: no frame is ever sent from
 * these prefixes.
 */
static void fill(const struct obj *o, unsigned long n)
{
	int m4 = map_fd(o, "srcfilter_rules4"), m6 = map_fd(o, "srcfilter_rules6");
	unsigned long have;
	uint8_t a[16];

	inet_pton(AF_INET, RULE4, a);
	add_rule(m4, 4, a, 24, SLOT4);
	for (have = 1; have < n;) {
		unsigned int len = 16 + pkt_rand(&rng) % 17;

		pkt_set32(a, pkt_rand(&rng));
		mask(a, 4, len);
		if ((pkt_get32(a) & 0xfffe0000u) == 0xc6120000u)
			continue;
		have += add_rule(m4, 4, a, len, 0);
	}
	inet_pton(AF_INET6, RULE6, a);
	add_rule(m6, 6, a, 48, SLOT6);
	for (have = 1; have < n;) {
		unsigned int len = 32 + pkt_rand(&rng) % 97, i;

		for (i = 0; i < 16; i += 4)
			pkt_set32(a + i, pkt_rand(&rng));
		mask(a, 16, len);
		if (pkt_get32(a) == 0x20010db8u)
			continue;
		have += add_rule(m6, 6, a, len, 0);
	}
}

/* ---- runs ---- */

static uint32_t want(const char *obj, int frame)
{
	if (!strcmp(obj, "pass") || !strcmp(obj, "srclog"))
		return XDP_PASS;
	return frame % 2 ? XDP_PASS : XDP_DROP;	/* v4-match, v6-match: dropped */
}

/* ns per run in repeat mode: the mean of CALLS calls of REPEAT runs. */
static double sample(int prog, const struct pkt *p, uint32_t verdict)
{
	struct xdp_md ctx = { .data_end = p->len, .ingress_ifindex = ifindex };
	double sum = 0;
	int i;

	for (i = 0; i < CALLS; i++) {
		LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = p->b, .data_size_in = p->len,
			    .ctx_in = &ctx, .ctx_size_in = sizeof(ctx), .repeat = REPEAT);

		if (bpf_prog_test_run_opts(prog, &o))
			die("BPF_PROG_TEST_RUN", errno);
		if (o.retval != verdict) {
			fprintf(stderr, "srcfilterbench: verdict %s, expected %s\n",
				pkt_verdict_name(o.retval), pkt_verdict_name(verdict));
			exit(1);
		}
		sum += o.duration;
	}
	return sum / CALLS;
}

/* Frames per second in live-frames mode (each frame a fresh page). */
static double live(int prog, const struct pkt *p, unsigned long n)
{
	struct xdp_md ctx = { .data_end = p->len, .ingress_ifindex = ifindex };
	LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = p->b, .data_size_in = p->len,
		    .ctx_in = &ctx, .ctx_size_in = sizeof(ctx),
		    .flags = BPF_F_TEST_XDP_LIVE_FRAMES, .repeat = n, .batch_size = 64);
	uint64_t t0 = pkt_now_ns(), t1;

	if (bpf_prog_test_run_opts(prog, &o))
		die("BPF_PROG_TEST_RUN live frames", errno);
	t1 = pkt_now_ns();
	return n / ((t1 - t0) / 1e9);
}

static uint64_t stat_word(const struct obj *o, size_t off)
{
	uint64_t sum[sizeof(struct srcfilter_stats) / 8];
	int err = mapio_percpu_sum(map_fd(o, "srcfilter_stats"), &ifindex, sizeof(struct srcfilter_stats),
				   sum, sizeof(struct srcfilter_stats) / 8);

	if (err)
		die("srcfilter_stats", err);
	return sum[off / 8];
}

static uint64_t slot_packets(const struct obj *o, uint32_t slot)
{
	uint64_t sum[2];
	int err = mapio_percpu_sum(map_fd(o, "srcfilter_hits"), &slot, sizeof(struct srcfilter_hit), sum, 2);

	if (err)
		die("srcfilter_hits", err);
	return sum[0];
}

static void put_ns(const char *group, const char *obj, int frame, double v)
{
	printf("V filter/%s/%s/%s ns %.3f\n", group, obj, frame_names[frame], v);
	fflush(stdout);
}

/* "1000000" -> "1m", "100000" -> "100k", "1000" -> "1k", else as is. */
static void size_label(unsigned long n, char *buf, size_t len)
{
	if (n >= 1000000 && n % 1000000 == 0)
		snprintf(buf, len, "%lum", n / 1000000);
	else if (n >= 1000 && n % 1000 == 0)
		snprintf(buf, len, "%luk", n / 1000);
	else
		snprintf(buf, len, "%lu", n);
}

int main(int argc, char **argv)
{
	struct obj pass, sf[MAX_SIZES], bare[MAX_SIZES], c_both, c_sf, c_log, drop;
	unsigned long rounds, nframes, sizes[MAX_SIZES], r;
	char labels[MAX_SIZES][24], *list, *tok, *save;
	int nsizes = 0, i, f, drop_sf = 0;
	uint64_t hits0, hits, drops0;
	double fps_sf, fps_bare;

	if (argc != 11) {
		fprintf(stderr, "usage: srcfilterbench ROUNDS FRAMES IFACE SIZES PASS.o SRCFILTER.o SRCLOG.o "
			"SRCLOG_FILTER.o BARE.o DROP.o\n");
		return 2;
	}
	rounds = num(argv[1], 1, 99);
	nframes = num(argv[2], 64, 100000000);
	ifindex = if_nametoindex(argv[3]);
	if (!ifindex)
		die(argv[3], errno);
	list = strdup(argv[4]);
	if (!list)
		die("strdup", ENOMEM);
	for (tok = strtok_r(list, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		if (nsizes == MAX_SIZES) {
			fprintf(stderr, "srcfilterbench: at most %d sizes\n", MAX_SIZES);
			return 2;
		}
		sizes[nsizes] = num(tok, 1, SRCFILTER_MAX_RULES);
		size_label(sizes[nsizes], labels[nsizes], sizeof(labels[0]));
		nsizes++;
	}
	if (!nsizes) {
		fprintf(stderr, "srcfilterbench: no size in '%s'\n", argv[4]);
		return 2;
	}
	build_frames();

	load(&pass, argv[5], NULL);
	for (i = 0; i < nsizes; i++) {
		uint64_t t0 = pkt_now_ns();

		load(&sf[i], argv[6], NULL);
		fill(&sf[i], sizes[i]);
		load(&bare[i], argv[9], &sf[i]);
		printf("# %lu prefixes per family in %.1f s\n", sizes[i], (pkt_now_ns() - t0) / 1e9);
		/* the drop rate: with 1,000 rules when measured, else the most */
		if (sizes[drop_sf] != COMBINED_RULES &&
		    (sizes[i] == COMBINED_RULES || sizes[i] > sizes[drop_sf]))
			drop_sf = i;
	}
	/* The combined object and both halves alone: the same tries. */
	load(&c_both, argv[8], NULL);
	fill(&c_both, COMBINED_RULES);
	load(&c_sf, argv[6], &c_both);
	load(&c_log, argv[7], NULL);
	load(&drop, argv[10], NULL);
	printf("# drop rate with %lu prefixes per family; %lu frames per live run\n", sizes[drop_sf], nframes);
	fflush(stdout);

	hits0 = slot_packets(&sf[0], SLOT4);
	for (r = 0; r < rounds; r++) {
		for (i = 0; i < nsizes; i++)
			for (f = 0; f < NFRAMES; f++) {
				put_ns(labels[i], "pass", f, sample(pass.prog, &frames[f], XDP_PASS));
				put_ns(labels[i], "srcfilter", f,
				       sample(sf[i].prog, &frames[f], want("srcfilter", f)));
				put_ns(labels[i], "bare", f, sample(bare[i].prog, &frames[f], want("bare", f)));
			}

		/* drop rate: live frames, then repeat mode */
		drops0 = stat_word(&sf[drop_sf], offsetof(struct srcfilter_stats, xdp_drop));
		fps_sf = live(sf[drop_sf].prog, &frames[0], nframes);
		if (stat_word(&sf[drop_sf], offsetof(struct srcfilter_stats, xdp_drop)) - drops0 != nframes)
			fail("srcfilter did not drop every live frame");
		fps_bare = live(drop.prog, &frames[0], nframes);
		put("filter/drop/srcfilter", "pps", fps_sf);
		put("filter/drop/bare", "pps", fps_bare);
		put("filter/drop/srcfilter-repeat", "ns", sample(sf[drop_sf].prog, &frames[0], XDP_DROP));
		put("filter/drop/bare-repeat", "ns", sample(drop.prog, &frames[0], XDP_DROP));

		for (f = 0; f < 2; f++) {
			put_ns("combined", "pass", f, sample(pass.prog, &frames[f], XDP_PASS));
			put_ns("combined", "srclog", f, sample(c_log.prog, &frames[f], XDP_PASS));
			put_ns("combined", "srcfilter", f, sample(c_sf.prog, &frames[f], want("srcfilter", f)));
			put_ns("combined", "srclog_filter", f,
			       sample(c_both.prog, &frames[f], want("srclog_filter", f)));
		}
	}
	/* The counter path was taken: the matching rule's slot counted every run. */
	hits = rounds * (uint64_t)CALLS * REPEAT;
	if (drop_sf == 0)
		hits += rounds * (nframes + (uint64_t)CALLS * REPEAT);
	if (slot_packets(&sf[0], SLOT4) - hits0 != hits)
		fail("the matching rule's counters do not add up");
	return 0;
}
