/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the packet tests share: TAP output, tests chosen by name (-t),
 * frames built byte by byte with checksums computed here from scratch
 * (RFC 1071), the fixtures (MACs, VLAN tags, a network namespace of the
 * test's own), loading an object without pinning its maps, and running
 * an XDP program over one frame with BPF_PROG_TEST_RUN. The callers
 * define _GNU_SOURCE (unshare()) before any include.
 *
 * Values passed to the builders are in host byte order; the builders put
 * them on the wire in network byte order.
 */
#ifndef XDPKIT_TESTS_PKT_H
#define XDPKIT_TESTS_PKT_H

#include <errno.h>
#include <sched.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <net/if.h>
#include <linux/bpf.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
/* Per-CPU sums, as the helpers read them: mapio_percpu_sum(). */
#include "../../scripts/lib/mapio.h"

/* ---- TAP: one result line per test, the first failed check described ---- */

struct tap {
	unsigned int tests;	/* results printed */
	unsigned int failed;	/* of which "not ok" */
	unsigned int fails;	/* failed checks in the current test */
	size_t diag_len;
	char diag[8192];	/* "# " lines describing the first failed check */
	const char *name;	/* of the test running (pkt_want()), shown on its result lines */
	char **only;		/* -t patterns: run the tests whose name holds one */
	int nonly;
};

/* One for the whole program, however many files include this (weak:
 * the linker keeps one of the identical definitions). */
__attribute__((weak)) struct tap tap;

static inline void tap_vnote(const char *fmt, va_list ap)
{
	size_t room = sizeof(tap.diag) - tap.diag_len;
	int n;

	if (room < 4)
		return;
	memcpy(tap.diag + tap.diag_len, "# ", 2);
	tap.diag_len += 2;
	n = vsnprintf(tap.diag + tap.diag_len, room - 3, fmt, ap);
	if (n < 0)
		n = 0;
	if ((size_t)n > room - 4)
		n = room - 4;
	tap.diag_len += n;
	tap.diag[tap.diag_len++] = '\n';
	tap.diag[tap.diag_len] = '\0';
}

/* A diagnostic line about the first failed check; later ones are counted only. */
static inline void tap_note(const char *fmt, ...)
{
	va_list ap;

	if (tap.fails != 1)
		return;
	va_start(ap, fmt);
	tap_vnote(fmt, ap);
	va_end(ap);
}

/* One check of the current test; returns ok. */
static inline bool tap_check(bool ok, const char *fmt, ...)
{
	va_list ap;

	if (ok)
		return true;
	if (++tap.fails == 1) {
		va_start(ap, fmt);
		tap_vnote(fmt, ap);
		va_end(ap);
	}
	return false;
}

/* Ends the current test: its result line, then the diagnostics. */
static inline void tap_end(const char *fmt, ...)
{
	va_list ap;

	tap.tests++;
	if (tap.fails)
		tap.failed++;
	printf("%sok %u - ", tap.fails ? "not " : "", tap.tests);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	if (tap.name)
		printf(" [-t %s]", tap.name);
	putchar('\n');
	if (tap.fails) {
		fputs(tap.diag, stdout);
		if (tap.fails > 1)
			printf("# (%u failed checks in all)\n", tap.fails);
	}
	fflush(stdout);
	tap.fails = 0;
	tap.diag_len = 0;
	tap.diag[0] = '\0';
}

/* A test not run, and why. */
static inline void tap_skip(const char *why, const char *desc)
{
	printf("ok %u - %s # SKIP %s\n", ++tap.tests, desc, why);
	fflush(stdout);
}

/* Prints the plan; returns the exit status: 0 when every test passed. */
static inline int tap_done(void)
{
	printf("1..%u\n", tap.tests);
	if (tap.failed)
		printf("# %u of %u failed\n", tap.failed, tap.tests);
	return tap.failed ? 1 : 0;
}

/*
 * Tests by name, as the kernel's test_progs -t: `PROG [-t NAME]... [DIR]`
 * runs the tests whose name contains one of the NAMEs (all of them
 * without -t). Set-up is the caller's: done (and reported) on the way to
 * the first selected test that needs it.
 * Returns DIR (default "xdp"); exits 2 on a bad command line.
 */
static inline const char *pkt_args(int argc, char **argv)
{
	int opt;

	tap.only = calloc(argc, sizeof(*tap.only));
	if (!tap.only)
		abort();
	while ((opt = getopt(argc, argv, "t:")) != -1) {
		if (opt != 't') {
			fprintf(stderr, "usage: %s [-t NAME]... [DIR]\n", argv[0]);
			exit(2);
		}
		tap.only[tap.nonly++] = optarg;
	}
	if (argc - optind > 1) {
		fprintf(stderr, "usage: %s [-t NAME]... [DIR]\n", argv[0]);
		exit(2);
	}
	return optind < argc ? argv[optind] : "xdp";
}

/* Whether the test name is selected; it names the result lines that follow. */
static inline bool pkt_want(const char *name)
{
	int i;

	tap.name = NULL;
	for (i = 0; i < tap.nonly; i++)
		if (strstr(name, tap.only[i]))
			break;
	if (tap.nonly && i == tap.nonly)
		return false;
	tap.name = name;
	return true;
}

static inline void tap_hexline(const char *tag, const uint8_t *b, size_t len, size_t from)
{
	char line[128];
	size_t i, n = 0;

	for (i = from; i < from + 16 && i < len; i++)
		n += snprintf(line + n, sizeof(line) - n, " %02x", b[i]);
	line[n] = '\0';
	tap_note("%5s %04zx:%s", tag, from, line);
}

/* Describes where two frames first differ, with 32 bytes of each around it. */
static inline void tap_hexdiff(const uint8_t *got, size_t glen, const uint8_t *want, size_t wlen)
{
	size_t i, min = glen < wlen ? glen : wlen, row;

	for (i = 0; i < min && got[i] == want[i]; i++)
		;
	tap_note("got %zu bytes, want %zu; first difference at byte %zu (0x%zx)",
		 glen, wlen, i, i);
	row = i & ~(size_t)15;
	if (row >= 16)
		row -= 16;
	for (; row <= (i | 15) && (row < glen || row < wlen); row += 16) {
		tap_hexline("got", got, glen, row);
		tap_hexline("want", want, wlen, row);
	}
}

/* ---- frames ---- */

#define PKT_MAX		2048

struct pkt {
	size_t len;
	uint8_t b[PKT_MAX];
};

/* Appends n bytes (zeros when src is NULL); returns their offset. */
static inline size_t pkt_put(struct pkt *p, const void *src, size_t n)
{
	size_t off = p->len;

	if (n > PKT_MAX - p->len) {
		fprintf(stderr, "pkt_put: frame over %d bytes\n", PKT_MAX);
		abort();
	}
	if (src)
		memcpy(p->b + off, src, n);
	else
		memset(p->b + off, 0, n);
	p->len += n;
	return off;
}

static inline void pkt_set16(uint8_t *at, uint16_t v)
{
	at[0] = v >> 8;
	at[1] = v & 0xff;
}

static inline uint16_t pkt_get16(const uint8_t *at)
{
	return at[0] << 8 | at[1];
}

static inline void pkt_set32(uint8_t *at, uint32_t v)
{
	pkt_set16(at, v >> 16);
	pkt_set16(at + 2, v & 0xffff);
}

static inline uint32_t pkt_get32(const uint8_t *at)
{
	return (uint32_t)pkt_get16(at) << 16 | pkt_get16(at + 2);
}

static inline size_t pkt_put16(struct pkt *p, uint16_t v)
{
	size_t off = pkt_put(p, NULL, 2);

	pkt_set16(p->b + off, v);
	return off;
}

/* xorshift32: reproducible "random" bytes; *state must not be 0. */
static inline uint32_t pkt_rand(uint32_t *state)
{
	uint32_t x = *state;

	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	return *state = x;
}

static inline void pkt_fill(uint8_t *buf, size_t n, uint32_t seed)
{
	uint32_t s = seed * 2654435761u | 1;
	size_t i;

	for (i = 0; i < n; i++)
		buf[i] = pkt_rand(&s) >> 24;
}

/*
 * RFC 1071: one's complement sum of the big-endian 16-bit words (an odd
 * last byte padded with zero), carries folded back in. A region holding
 * its own correct checksum sums to 0xffff.
 */
static inline uint16_t pkt_sum(const uint8_t *b, size_t len)
{
	uint32_t sum = 0;
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		sum += pkt_get16(b + i);
	if (len & 1)
		sum += b[len - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return sum;
}

/* Writes the checksum of b[0..len) (its field at b[at], zeroed first). */
static inline void pkt_csum_set(uint8_t *b, size_t len, size_t at)
{
	pkt_set16(b + at, 0);
	pkt_set16(b + at, ~pkt_sum(b, len) & 0xffff);
}

/* ---- fixtures ---- */

static inline const char *pkt_verdict_name(uint32_t v)
{
	static const char *names[] = { "XDP_ABORTED", "XDP_DROP", "XDP_PASS", "XDP_TX",
				       "XDP_REDIRECT" };

	return v < 5 ? names[v] : "unknown verdict";
}

/* "a" runs the program, "b" is its peer. */
static const uint8_t pkt_mac_a[6] = { 0x02, 0x11, 0x22, 0x33, 0x44, 0x55 };
static const uint8_t pkt_mac_b[6] = { 0x0a, 0xbb, 0xcc, 0xdd, 0xee, 0xf1 };

/*
 * Moves into a network namespace of its own (nothing to clean up: it goes
 * with the process), where lo is ifindex 1, and makes a second device
 * there named dev (a dummy, or a veth when dummy is missing). Returns its
 * ifindex, 0 if none could be made.
 */
static inline uint32_t pkt_own_netns(const char *dev)
{
	const char *kinds[] = { "type dummy", "type veth peer name %s-p" };
	char cmd[128], kind[64];
	uint32_t ifindex = 0;
	size_t i;

	if (unshare(CLONE_NEWNET)) {
		printf("# unshare(CLONE_NEWNET): %s; staying in this netns\n", strerror(errno));
		return 0;
	}
	for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]) && !ifindex; i++) {
		snprintf(kind, sizeof(kind), kinds[i], dev);
		snprintf(cmd, sizeof(cmd), "ip link add %s %s >/dev/null 2>&1", dev, kind);
		if (system(cmd) == 0)
			ifindex = if_nametoindex(dev);
	}
	return ifindex;
}

/* ---- headers ---- */

#define PKT_ETH_HLEN	14
#define PKT_ETH_ZLEN	60	/* minimum frame, FCS not counted */
#define PKT_ETH_P_IP	0x0800
#define PKT_ETH_P_ARP	0x0806
#define PKT_ETH_P_8021Q	0x8100
#define PKT_ETH_P_8021AD	0x88a8
#define PKT_ETH_P_IPV6	0x86dd

struct pkt_vlan {
	uint16_t tpid;
	uint16_t tci;
};

/* Tag stacks the tests share, outer tag first. */
static const struct pkt_vlan pkt_tags_1q[] = { { PKT_ETH_P_8021Q, 0x0064 } };
static const struct pkt_vlan pkt_tags_qinq[] = { { PKT_ETH_P_8021AD, 0x2123 },
						 { PKT_ETH_P_8021Q, 0xe064 } };
static const struct pkt_vlan pkt_tags_qq[] = { { PKT_ETH_P_8021Q, 0x0fff },
					       { PKT_ETH_P_8021Q, 0x0001 } };
static const struct pkt_vlan pkt_tags_3[] = { { PKT_ETH_P_8021AD, 0x0010 },
					      { PKT_ETH_P_8021Q, 0x0020 },
					      { PKT_ETH_P_8021Q, 0x0030 } };

/* Ethernet header, then the tags; returns the offset of what follows. */
static inline size_t pkt_put_eth(struct pkt *p, const uint8_t dst[6], const uint8_t src[6],
				 const struct pkt_vlan *tags, int ntags, uint16_t type)
{
	int i;

	pkt_put(p, dst, 6);
	pkt_put(p, src, 6);
	for (i = 0; i < ntags; i++) {
		pkt_put16(p, tags[i].tpid);
		pkt_put16(p, tags[i].tci);
	}
	pkt_put16(p, type);
	return p->len;
}

#define PKT_IP_DF	0x4000
#define PKT_IP_MF	0x2000

struct pkt_ipv4 {
	uint8_t tos;
	uint8_t ttl;
	uint8_t proto;
	uint8_t opt_len;	/* a multiple of 4, at most 40 */
	uint16_t id;
	uint16_t frag;		/* flags and fragment offset */
	uint32_t saddr;		/* 0xc6120001 is 198.18.0.1 */
	uint32_t daddr;
	int tot_len_adj;	/* added to the true total length */
	uint16_t check_adj;	/* added to the correct header checksum */
	uint8_t opts[40];
};

/*
 * An IPv4 header (IHL 5 + opt_len / 4) for l4_len bytes of payload, with
 * its checksum; returns the header's offset.
 */
static inline size_t pkt_put_ipv4(struct pkt *p, const struct pkt_ipv4 *ip, size_t l4_len)
{
	size_t hlen = 20 + ip->opt_len, off = pkt_put(p, NULL, hlen);
	uint8_t *h = p->b + off;

	h[0] = 0x40 | hlen / 4;
	h[1] = ip->tos;
	pkt_set16(h + 2, hlen + l4_len + ip->tot_len_adj);
	pkt_set16(h + 4, ip->id);
	pkt_set16(h + 6, ip->frag);
	h[8] = ip->ttl;
	h[9] = ip->proto;
	pkt_set32(h + 12, ip->saddr);
	pkt_set32(h + 16, ip->daddr);
	memcpy(h + 20, ip->opts, ip->opt_len);
	pkt_csum_set(h, hlen, 10);
	pkt_set16(h + 10, pkt_get16(h + 10) + ip->check_adj);
	return off;
}

/* An ICMP echo header and payload, with its checksum; returns its offset. */
static inline size_t pkt_put_icmp_echo(struct pkt *p, uint8_t type, uint8_t code, uint16_t id,
				       uint16_t seq, const uint8_t *payload, size_t plen)
{
	size_t off = pkt_put(p, NULL, 8);
	uint8_t *h = p->b + off;

	h[0] = type;
	h[1] = code;
	pkt_set16(h + 4, id);
	pkt_set16(h + 6, seq);
	pkt_put(p, payload, plen);
	pkt_csum_set(p->b + off, 8 + plen, 2);
	return off;
}

struct pkt_ipv6 {
	uint8_t tclass;
	uint32_t flow;		/* 20 bits */
	uint8_t next;		/* next header */
	uint8_t hlim;
	uint8_t saddr[16];
	uint8_t daddr[16];
	int plen_adj;		/* added to the true payload length */
};

/* An IPv6 header for l4_len bytes of payload; returns the header's offset. */
static inline size_t pkt_put_ipv6(struct pkt *p, const struct pkt_ipv6 *ip, size_t l4_len)
{
	size_t off = pkt_put(p, NULL, 40);
	uint8_t *h = p->b + off;

	pkt_set32(h, 6u << 28 | (uint32_t)ip->tclass << 20 | (ip->flow & 0xfffff));
	pkt_set16(h + 4, l4_len + ip->plen_adj);
	h[6] = ip->next;
	h[7] = ip->hlim;
	memcpy(h + 8, ip->saddr, 16);
	memcpy(h + 24, ip->daddr, 16);
	return off;
}

/*
 * RFC 1071 sum of an upper-layer message of len bytes behind the IPv6
 * pseudo-header (RFC 8200 8.1: source, destination, upper-layer length
 * as 32 bits, three zero bytes, next header). A message holding its own
 * correct checksum sums to 0xffff.
 */
static inline uint16_t pkt_sum6(const uint8_t saddr[16], const uint8_t daddr[16], uint8_t next,
				const uint8_t *msg, size_t len)
{
	uint8_t pseudo[40];
	uint32_t sum;

	memcpy(pseudo, saddr, 16);
	memcpy(pseudo + 16, daddr, 16);
	pkt_set32(pseudo + 32, len);
	pkt_set32(pseudo + 36, next);
	/* 40 bytes: the message's words line up as if it followed directly. */
	sum = pkt_sum(pseudo, sizeof(pseudo)) + pkt_sum(msg, len);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return sum;
}

/* Writes the checksum of msg[0..len) behind the pseudo-header (its field at msg[at]). */
static inline void pkt_csum6_set(const uint8_t saddr[16], const uint8_t daddr[16], uint8_t next,
				 uint8_t *msg, size_t len, size_t at)
{
	pkt_set16(msg + at, 0);
	pkt_set16(msg + at, ~pkt_sum6(saddr, daddr, next, msg, len) & 0xffff);
}

/* ---- BPF ---- */

static inline int pkt_libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	if (level == LIBBPF_DEBUG)
		return 0;
	fputs("# libbpf: ", stderr);
	return vfprintf(stderr, fmt, ap);
}

/*
 * Opens dir/name.o with nothing pinned (every map private to this
 * process), lets prep (when not NULL) adjust the object before it is
 * loaded (map sizes, say; a non-zero return is the error), and loads it.
 * Returns the fd of its first program, or a negative errno.
 */
static inline int pkt_load_with(const char *dir, const char *name, struct bpf_object **objp,
				int (*prep)(struct bpf_object *, void *), void *arg)
{
	struct bpf_program *prog;
	struct bpf_object *obj;
	struct bpf_map *map;
	char path[4096];
	int err;

	libbpf_set_print(pkt_libbpf_print);
	snprintf(path, sizeof(path), "%s/%s.o", dir, name);
	obj = bpf_object__open_file(path, NULL);
	if (!obj)
		return -errno;
	bpf_object__for_each_map(map, obj) {
		err = bpf_map__set_pin_path(map, NULL);
		if (err)
			goto fail;
	}
	if (prep) {
		err = prep(obj, arg);
		if (err)
			goto fail;
	}
	err = bpf_object__load(obj);
	if (err)
		goto fail;
	prog = bpf_object__next_program(obj, NULL);
	if (!prog) {
		err = -ENOENT;
		goto fail;
	}
	*objp = obj;
	return bpf_program__fd(prog);
fail:
	bpf_object__close(obj);
	return err;
}

/*
 * Opens and loads dir/name.o with nothing pinned (every map private to
 * this process); returns the fd of its first program, or a negative errno.
 */
static inline int pkt_load(const char *dir, const char *name, struct bpf_object **objp)
{
	return pkt_load_with(dir, name, objp, NULL, NULL);
}

static inline uint64_t pkt_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + ts.tv_nsec;
}

/*
 * Runs the XDP program once over a copy of in; out gets the frame as the
 * program left it. ifindex 0 passes no context, so the kernel uses the
 * loopback of the current netns as the ingress device. Returns 0 or a
 * negative errno; *verdict gets the XDP action.
 */
static inline int pkt_xdp_run(int prog_fd, uint32_t ifindex, const struct pkt *in,
			      struct pkt *out, uint32_t *verdict)
{
	struct xdp_md ctx = { .data_end = in->len, .ingress_ifindex = ifindex };
	LIBBPF_OPTS(bpf_test_run_opts, opts,
		.data_in = in->b,
		.data_size_in = in->len,
		.data_out = out->b,
		.data_size_out = sizeof(out->b),
		.repeat = 1,
	);
	int err;

	if (ifindex) {
		opts.ctx_in = &ctx;
		opts.ctx_size_in = sizeof(ctx);
	}
	memset(out->b, 0, sizeof(out->b));
	err = bpf_prog_test_run_opts(prog_fd, &opts);
	if (err)
		return err < 0 ? err : -errno;
	out->len = opts.data_size_out;
	*verdict = opts.retval;
	return 0;
}

#endif
