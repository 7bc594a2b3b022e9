/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the xdping packet tests share (tests/pkt/xdping_*.c, one program:
 * tests/pkt/xdping_test): the two families, the echo frame model and its
 * builder, running a frame through an object and checking what comes out,
 * the counters, the run model of the client's chains, and the frames
 * neither object may take. Each feature's tests live in a file of their
 * own; xdping_test.c lists them all, in order, each with its name for -t.
 */
#ifndef XDPKIT_TESTS_XDPING_H
#define XDPKIT_TESTS_XDPING_H

#include <arpa/inet.h>
#include <net/if.h>
#include "pkt.h"
#include "../../maps/xdping_runs.h"
#include "../../maps/xdping_stats.h"
#include "../../maps/xdping_server.h"

#define ECHO_REPLY	0
#define ECHO_REQUEST	8
#define ECHO6_REQUEST	128
#define ECHO6_REPLY	129
#define NEXT_ICMPV6	58
#define XDPING_TTL	64
#define MAX_PAYLOAD	1472	/* 1500 - IPv4 header - ICMP header */
#define MAX_PAYLOAD6	1452	/* 1500 - IPv6 header - ICMPv6 header */
#define CLIENT_ID	0x4a7e
#define NSIZES		9
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

/* "a" runs the program (MAC pkt_mac_a), "b" is its peer (pkt_mac_b). */
#define ADDR_A	0xc6120001	/* 198.18.0.1 */
#define ADDR_B	0xc6130702	/* 198.19.7.2 */
/* 2001:db8::1 and 2001:db8:a1:b2c:0:ff:fe12:3402 */
static const uint8_t addr6_a[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 0x01 };
static const uint8_t addr6_b[16] = { 0x20, 0x01, 0x0d, 0xb8, 0x00, 0xa1, 0x0b, 0x2c,
				     0x00, 0x00, 0x00, 0xff, 0xfe, 0x12, 0x34, 0x02 };

struct obj {
	const char *name;
	uint32_t role;		/* index in xdping_stats */
	struct bpf_object *bpf;
	int prog;
	int stats;		/* fd of xdping_stats */
	int runs;		/* fd of xdping_runs (client) */
	uint64_t tx, pass;	/* verdicts seen */
	uint64_t t0, t1;	/* CLOCK_MONOTONIC before and after the latest run */
};

extern struct obj server, client;
extern uint32_t lo;
extern uint32_t other_if;	/* a second device, 0 if none could be made */
/* The server's lab (server_lab()): a veth end with a's MAC and addresses,
 * routes and permanent neighbour entries to b, lo forwarding on. */
extern uint32_t srv_if;
#define SRV_TTL		61	/* what the server's config says, not 64 */
#define SRV_HOP		62

/* ---- the two families ---- */

struct fam {
	bool v6;
	uint8_t family;			/* XDPING_FAMILY_* */
	uint8_t request, reply;		/* echo types */
	unsigned int addr_len;
	unsigned int max_payload;	/* in a 1500-byte datagram */
	unsigned int max_ihl;		/* IPv6 has no options: 5 */
	const char *icmp, *ttl;		/* names */
	const char *server, *client;	/* what TAP lines start with */
	uint16_t sizes[NSIZES];		/* payloads the loops over sizes take */
};

/* Static: each file sees the values (and the compiler the address lengths). */
static const struct fam ipv4 = {
	.family = XDPKIT_FAMILY_IPV4, .request = ECHO_REQUEST, .reply = ECHO_REPLY,
	.addr_len = 4, .max_payload = MAX_PAYLOAD, .max_ihl = 15,
	.icmp = "ICMP", .ttl = "TTL", .server = "server", .client = "client",
	.sizes = { 0, 1, 2, 17, 18, 56, 57, 1000, MAX_PAYLOAD },
};

static const struct fam ipv6 = {
	.v6 = true, .family = XDPKIT_FAMILY_IPV6, .request = ECHO6_REQUEST,
	.reply = ECHO6_REPLY, .addr_len = 16, .max_payload = MAX_PAYLOAD6, .max_ihl = 5,
	.icmp = "ICMPv6", .ttl = "hop limit", .server = "server IPv6", .client = "client IPv6",
	.sizes = { 0, 1, 2, 17, 18, 56, 57, 1000, MAX_PAYLOAD6 },
};

/* ---- echo frames ---- */

struct echo {
	uint8_t dst[6], src[6];
	struct pkt_vlan tags[3];
	int ntags;
	uint16_t ethertype;
	bool v6;		/* IPv6 + ICMPv6 (ip6, ext) rather than IPv4 + ICMP (ip) */
	struct pkt_ipv4 ip;
	struct pkt_ipv6 ip6;
	uint8_t ext_len;	/* bytes of IPv6 extension headers before the ICMPv6 header */
	uint8_t ext[64];
	uint8_t type, code;
	uint16_t id, seq;
	uint16_t plen;		/* ICMP payload bytes */
	uint16_t pad;		/* bytes after the IP datagram */
	uint32_t seed;		/* content of payload and padding */
	uint16_t icmp_check_adj;	/* added to the correct ICMP checksum */
};

static inline const struct fam *fam_of(const struct echo *e)
{
	return e->v6 ? &ipv6 : &ipv4;
}

/* What checks a frame the program must let pass untouched. */
typedef void (*frame_check)(const struct pkt *, const char *);

/* What checks an echo frame: taken, or let pass untouched. */
typedef void (*echo_check)(const struct echo *, const char *);

/* Makes an echo frame of family f with plen bytes of payload. */
typedef struct echo (*echo_maker)(const struct fam *, uint16_t);

#define STATS_WORDS (sizeof(struct xdping_stats) / sizeof(__u64))

/* ---- the client's runs (xdping_chain.c) ---- */

/* What the test knows a run must hold, and when its request left. */
struct chain {
	struct xdping_key key;
	struct xdping_run v;
};

/* What the client's counters must have come to (client_totals()). */
extern uint64_t want_samples, want_completed, want_errors;

/* ---- echo frames, running them, counters, loading (xdping_frames.c) ---- */

size_t echo_l3(const struct echo *e);
size_t echo_l4(const struct echo *e);
uint8_t echo_ttl(const struct echo *e);
void set_ttl(struct echo *e, uint8_t ttl);
void addrs_get(const struct echo *e, uint8_t src[16], uint8_t dst[16]);
void addrs_set(struct echo *e, const uint8_t src[16], const uint8_t dst[16]);
void swap_addrs(struct echo *e);
const char *addr_str(const struct echo *e, const uint8_t a[16], char buf[INET6_ADDRSTRLEN]);
void echo_build(const struct echo *e, struct pkt *p);
struct echo echo_from_b(const struct fam *f, uint8_t type, uint16_t id, uint16_t seq,
			uint16_t plen);
struct echo request(const struct fam *f, uint16_t plen);
struct echo reply(const struct fam *f, uint16_t seq, uint16_t plen);
void turn(struct echo *e, uint8_t type);
void set_ihl(struct echo *e, unsigned int ihl);
void set_tags(struct echo *e, const struct pkt_vlan *tags, int n);
bool same_frame(const struct pkt *got, const struct pkt *want, const char *fmt,
		const char *what);
bool expect_frame(struct obj *o, uint32_t ifindex, const struct pkt *in,
		  uint32_t verdict, const struct pkt *want, struct pkt *out,
		  const char *what);
bool expect_pass_on(struct obj *o, uint32_t ifindex, const struct pkt *in,
		    const char *what);
bool expect_pass(struct obj *o, const struct pkt *in, const char *what);
bool echo_csums_ok(const struct echo *e, const struct pkt *p, const char *what);
bool expect_echo(struct obj *o, uint32_t ifindex, const struct echo *in,
		 uint32_t verdict, const struct echo *want, const char *what);
bool expect_echo_pass(struct obj *o, const struct echo *in, const char *what);
bool expect_answer(const struct echo *in, const char *what);
void echo_truncations(struct obj *o, const struct echo *e);
void truncations(struct obj *o, struct echo e);
void __attribute__((format(printf, 3, 4)))
refuse_echo(frame_check refused, const struct echo *e, const char *fmt, ...);
void each_shape(const struct fam *f, echo_maker make, const struct pkt_vlan *tags,
		int ntags, unsigned int ihl_step, echo_check check);
bool stats_get(const struct obj *o, uint32_t role, struct xdping_stats *st);
bool stats_moved(const struct obj *o, const struct xdping_stats *before,
		 const struct xdping_stats *d, const char *what);
struct echo random_echo(const struct fam *f, uint32_t *s, uint8_t type);

bool load(struct obj *o, const char *dir);

/* ---- the server (xdping_server.c) ---- */

void server_answer(const struct echo *in, const char *what);
void server_refuse(const struct echo *in, const char *what);
void server_sizes(const struct fam *f);
void server_ihl(void);
void server_random(const struct fam *f, uint32_t s, const char *varied);
void server_bad_csums(const struct fam *f);
void server_tags(const struct fam *f, const struct pkt_vlan *tags, int ntags,
		 const char *desc, bool ours);
void server_other_tags(const struct fam *f);
void server_l2(const struct fam *f);
void server_ip_group(void);
void server6_ip_group(void);
void server_types_codes(const struct fam *f, const char *included);
void server_others4(void);
void server_others6(void);
void server_counters(const struct fam *f, void (*others)(void), unsigned int n,
		     unsigned int nreq);
void server_totals(void);
bool srv_config(uint8_t ttl, uint8_t hop, uint8_t allow4, uint8_t allow6);
bool server_lab(void);
void server_host(const struct fam *f);
void server_allow_unset(void);

/* ---- what neither object may take (xdping_parsing.c) ---- */

void put_arp(struct pkt *p);
void server_not_ipv4_icmp(void);
void ext_header(struct echo *e, uint8_t type, size_t len);
void ext_padn(struct echo *e);
void server_bad(const struct fam *f, const char *desc);
void server_padding(void);
void server_truncations(const struct fam *f);
void server6_builder(void);
void client_padding(void);
void client_not_reply(const struct fam *f);
void client_malformed(const struct fam *f, const char *desc);
void client_truncations(const struct fam *f);

/* ---- the client's runs (xdping_chain.c) ---- */

bool chain_start(struct chain *c, uint32_t ifindex, const struct echo *t,
		 uint16_t count, uint16_t first_seq);
void chain_end(const struct chain *c);
bool run_is(const struct xdping_key *k, const struct xdping_run *want, const char *what);
bool chain_step(struct chain *c, const struct echo *r, const char *what);
struct echo chain_reply(const struct chain *c, const struct echo *t);
bool chain_run(uint16_t count, uint16_t first_seq, const struct echo *t,
	       const char *what);
void foreign_on(const struct chain *c, uint32_t ifindex, const struct pkt *p,
		const char *what);
void foreign_echo(const struct chain *c, const struct echo *r, const char *what);
bool chain_midway(struct chain *c, const struct echo *t);
void chain_goes_on(struct chain *c, const struct echo *t);
void client_steps(const struct fam *f);
void client_max_samples(const struct fam *f, uint16_t first_seq);
void client_over_max(void);
void client_restart(const struct fam *f);
void client_skip_first(const struct fam *f);

/* ---- the client (xdping_client.c) ---- */

void client_ifindex(void);
void client_no_run(void);
void client_sizes(const struct fam *f);
struct echo reply_seq1(const struct fam *f, uint16_t plen);
void client_run2(const struct echo *t, const char *what);
void client_ihl(void);
void client_tags(const struct fam *f, const struct pkt_vlan *tags, int ntags,
		 const char *desc);
void client_ids_seqs(void);
void client_random(const struct fam *f, uint32_t s, const char *varied);
void client_mismatch(const struct fam *f);
void client_other_device(void);
void client_family(void);
void client_totals(void);

#endif
