// SPDX-License-Identifier: GPL-2.0
/*
 * xdpbench: the measuring half of `make bench` (tests/bench/bench.sh is
 * the other half: namespaces, veths, rounds, table, JSON).
 *
 *   xdpbench unit    ROUNDS REF.o OBJ.o...        per-packet cost, BPF_PROG_TEST_RUN
 *   xdpbench inplace ROUNDS CHAINS CNS SNS REF.o  in-place cost over veth traffic
 *   xdpbench refrtt  COUNT INTERVAL CNS SNS REF.o the reference client's RTT beside ping's
 *   xdpbench flood   ROUNDS FRAMES CNS SNS BENCH.o REFLECT.o
 *                                                  replies per second, live frames
 *   xdpbench attach  NS IFACE OBJ.o [PROG]         attach (native), then exit
 *
 * Families 2 to 4 use the veth pair bench.sh made: xkbc0 (198.18.0.1) in
 * the netns file CNS, xkbs0 (198.18.0.2) in SNS; our objects come from
 * xdp/ beside the current directory. Every figure is printed as
 *   V NAME UNIT VALUE
 * once per round; bench.sh takes medians. Anything else on stdout is
 * "S KIND VALUE" (samples) or "# text". Nothing is pinned: every map is
 * private to this process. Exit 0, or 1 with a line on stderr.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <fcntl.h>
#include <linux/if_link.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sched.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <pthread.h>

#include "../pkt/pkt.h"
#define DRIVER_NAME "xdpbench"
#include "driver.h"
#include "../../maps/xdping_runs.h"
#include "../../maps/srclog_config.h"
#include "../../maps/xdping_server.h"
#include "xdping.h"		/* the reference's struct pinginfo, from build/ref */

#define C_IF		"xkbc0"
#define S_IF		"xkbs0"
#define C_ADDR		0xc6120001u	/* 198.18.0.1 */
#define S_ADDR		0xc6120002u	/* 198.18.0.2 */
#define ECHO_PAYLOAD	56		/* ping's default: the only size the reference takes */
#define ECHO_ID		0x4b42

static const uint8_t MAC_A[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x0a };
static const uint8_t MAC_B[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x0b };

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

static double median_u32(uint32_t *v, size_t n)
{
	qsort(v, n, sizeof(*v), cmp_u32);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2.0;
}

/* ---- objects ---- */

static struct bpf_object *load(const char *path)
{
	struct bpf_object *obj;
	struct bpf_map *map;
	int err;

	libbpf_set_print(pkt_libbpf_print);
	obj = bpf_object__open_file(path, NULL);
	if (!obj)
		die(path, errno);
	bpf_object__for_each_map(map, obj)
		if (bpf_map__set_pin_path(map, NULL))
			die(path, errno);
	err = bpf_object__load(obj);
	if (err)
		die(path, err);
	return obj;
}

/* The program called name, or the first one when name is NULL. */
static int prog_fd(struct bpf_object *obj, const char *name)
{
	struct bpf_program *p = name ? bpf_object__find_program_by_name(obj, name)
				     : bpf_object__next_program(obj, NULL);

	if (!p)
		fail(name ? name : "object without a program");
	return bpf_program__fd(p);
}

static int map_fd(struct bpf_object *obj, const char *name)
{
	struct bpf_map *m = bpf_object__find_map_by_name(obj, name);

	if (!m)
		fail(name);
	return bpf_map__fd(m);
}

/* What xdping-server.sh start gives an xdping_server: TTL and hop limit,
 * the host's address (network order). bench.sh turns lo forwarding on. */
static void server_setup(struct bpf_object *obj, uint32_t addr)
{
	struct xdping_server_config c = { .ttl = 64, .hop_limit = 64 };
	struct xdping_addr_owner o = { 0 };
	uint32_t zero = 0, a = htonl(addr);

	if (bpf_map_update_elem(map_fd(obj, "xdping_srvconf"), &zero, &c, BPF_ANY) ||
	    bpf_map_update_elem(map_fd(obj, "xdping_addr4"), &a, &o, BPF_ANY))
		die("xdping_server maps", errno);
}

/* ---- frames ---- */

static void put_echo(struct pkt *p, uint8_t type, uint32_t src, uint32_t dst, uint16_t seq,
		     const uint8_t smac[6], const uint8_t dmac[6])
{
	struct pkt_ipv4 ip = { .ttl = 64, .proto = 1, .saddr = src, .daddr = dst,
			       .frag = PKT_IP_DF };
	uint8_t payload[ECHO_PAYLOAD];

	pkt_fill(payload, sizeof(payload), 7);
	p->len = 0;
	pkt_put_eth(p, dmac, smac, NULL, 0, PKT_ETH_P_IP);
	pkt_put_ipv4(p, &ip, 8 + sizeof(payload));
	pkt_put_icmp_echo(p, type, 0, ECHO_ID, seq, payload, sizeof(payload));
}

static void put_udp(struct pkt *p)
{
	struct pkt_ipv4 ip = { .ttl = 64, .proto = 17, .saddr = S_ADDR, .daddr = C_ADDR,
			       .frag = PKT_IP_DF };
	uint8_t payload[64];
	size_t off;

	pkt_fill(payload, sizeof(payload), 9);
	p->len = 0;
	pkt_put_eth(p, MAC_A, MAC_B, NULL, 0, PKT_ETH_P_IP);
	pkt_put_ipv4(p, &ip, 8 + sizeof(payload));
	off = pkt_put(p, NULL, 8);
	pkt_set16(p->b + off, 5353);
	pkt_set16(p->b + off + 2, 53);
	pkt_set16(p->b + off + 4, 8 + sizeof(payload));
	pkt_put(p, payload, sizeof(payload));	/* UDP checksum 0: none */
}

#define ICMP_SEQ_OFF	(14 + 20 + 6)

/* ---- BPF_PROG_TEST_RUN ---- */

/* ns per run of repeat runs over the same buffer (the kernel's average). */
/* The ingress interface of BPF_PROG_TEST_RUN: lo, but C_IF for
 * xdping_server, which answers only what comes in where the FIB says. */
static uint32_t run_if = 1;

static uint32_t run_repeat(int fd, const struct pkt *p, uint32_t repeat, uint32_t *verdict)
{
	struct xdp_md ctx = { .data_end = p->len, .ingress_ifindex = run_if };
	LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = p->b, .data_size_in = p->len,
		    .ctx_in = &ctx, .ctx_size_in = sizeof(ctx), .repeat = repeat);
	int err = bpf_prog_test_run_opts(fd, &o);

	if (err)
		die("BPF_PROG_TEST_RUN", errno);
	if (verdict)
		*verdict = o.retval;
	return o.duration;
}

/* Output of one run, to tell whether a program rewrites a frame. */
static bool rewrites(int fd, const struct pkt *p)
{
	struct pkt out;
	uint32_t verdict = 0;
	int err = pkt_xdp_run(fd, run_if, p, &out, &verdict);

	if (err)
		die("BPF_PROG_TEST_RUN", err);
	return verdict == XDP_TX || out.len != p->len || memcmp(out.b, p->b, p->len);
}

/* ---- unit: family 1 ---- */

#define REPEAT		100000	/* runs per repeat-mode sample */
#define FRESH		3001	/* single runs per fresh-mode sample */
#define CHAIN		10	/* samples per chain: the reference's maximum */
#define CHAINS_UNIT	200	/* chains per matched-reply sample */

enum mode { REPEATED, FRESH_RUNS, CHAIN_OURS, CHAIN_REF };

struct ucase {
	char name[96];
	int fd;
	const struct pkt *frame;
	enum mode mode;
	int map;		/* chain modes: the run map */
	/* srclog: the live log on (config map), with a reader on the ring or not */
	int config, ring;
	bool reader;
	uint32_t ifindex;	/* 0: lo */
};

static uint32_t samples[CHAINS_UNIT * (CHAIN + 1) > FRESH ? CHAINS_UNIT * (CHAIN + 1) : FRESH];

static void seed_ours(int map, uint32_t ifindex, uint16_t first, uint16_t count)
{
	static struct xdping_run run;
	struct xdping_key key;
	uint32_t addr = htonl(S_ADDR);

	memset(&key, 0, sizeof(key));
	key.ifindex = ifindex;
	key.id = htons(ECHO_ID);
	key.family = XDPKIT_FAMILY_IPV4;
	memset(&run, 0, sizeof(run));
	memcpy(run.addr, &addr, sizeof(addr));
	run.seq = run.first_seq = htons(first);
	run.count = count;
	if (bpf_map_update_elem(map, &key, &run, BPF_ANY))
		die("seed xdping_runs", errno);
}

static void unseed_ours(int map, uint32_t ifindex)
{
	struct xdping_key key;

	memset(&key, 0, sizeof(key));
	key.ifindex = ifindex;
	key.id = htons(ECHO_ID);
	key.family = XDPKIT_FAMILY_IPV4;
	bpf_map_delete_elem(map, &key);
}

static void unseed_ref(int map)
{
	uint32_t addr = htonl(S_ADDR);

	bpf_map_delete_elem(map, &addr);
}

static void seed_ref(int map, uint16_t seq, uint16_t count)
{
	struct pinginfo pi;
	uint32_t addr = htonl(S_ADDR);

	memset(&pi, 0, sizeof(pi));
	pi.seq = htons(seq);
	pi.count = count;
	if (bpf_map_update_elem(map, &addr, &pi, BPF_ANY))
		die("seed ping_map", errno);
}

/*
 * One sample of a case. Fresh mode: every BPF_PROG_TEST_RUN call copies
 * the frame anew, so repeat=1 calls each see the original; the figure is
 * the median of the kernel's per-call durations (which include the
 * harness's own clock reads: compare with the floor measured the same way).
 * Chain modes: a run seeded for CHAIN samples is fed the replies of a
 * whole chain, sequence numbers counting up (start, CHAIN samples, the
 * last one passed up), re-seeded between chains.
 */
static double sample_plain(const struct ucase *c);
static volatile int reading;

/* A reader like scripts/lib/srclog-follow: it sleeps in epoll until woken or
 * 100 ms have passed, then drains what is there (events thrown away). */
static int drop_event(void *ctx, void *data, size_t size)
{
	(void)ctx;
	(void)data;
	(void)size;
	return 0;
}

static void *read_ring(void *arg)
{
	struct ring_buffer *rb = ring_buffer__new(*(int *)arg, drop_event, NULL, NULL);

	if (!rb)
		die("ring_buffer__new", errno);
	while (reading)
		ring_buffer__poll(rb, 100);
	ring_buffer__free(rb);
	return NULL;
}

static void set_log(int config, uint32_t every)
{
	struct srclog_config cfg = { .log_every = every };
	uint32_t zero = 0;

	if (bpf_map_update_elem(config, &zero, &cfg, BPF_ANY))
		die("srclog_config", errno);
}

static double sample_logging(const struct ucase *c)
{
	pthread_t t;
	int ring = c->ring;
	double v;

	set_log(c->config, 1);
	if (c->reader) {
		reading = 1;
		if (pthread_create(&t, NULL, read_ring, &ring))
			fail("pthread_create");
	}
	v = run_repeat(c->fd, c->frame, REPEAT, NULL);
	if (c->reader) {
		reading = 0;
		pthread_join(t, NULL);
	}
	set_log(c->config, 0);
	return v;
}

static double sample(const struct ucase *c)
{
	run_if = c->ifindex ? c->ifindex : 1;
	if (c->config >= 0)
		return sample_logging(c);
	return sample_plain(c);
}

static double sample_plain(const struct ucase *c)
{
	struct pkt f;
	uint32_t verdict, tx = 0;
	size_t n = 0, i, k;

	switch (c->mode) {
	case REPEATED:
		/* The kernel's own clock, paused while the loop yields the CPU;
		 * whole ns. (A wall clock around the call would add the call's
		 * fixed cost, milliseconds here: the XDP dispatcher is updated.) */
		return run_repeat(c->fd, c->frame, REPEAT, NULL);
	case FRESH_RUNS:
		for (i = 0; i < FRESH; i++)
			samples[n++] = run_repeat(c->fd, c->frame, 1, NULL);
		return median_u32(samples, n);
	case CHAIN_OURS:
	case CHAIN_REF:
		f = *c->frame;
		for (k = 0; k < CHAINS_UNIT; k++) {
			if (c->mode == CHAIN_OURS)
				seed_ours(c->map, 1, 1, CHAIN);
			else
				seed_ref(c->map, 1, CHAIN);
			for (i = 0; i <= CHAIN; i++) {
				pkt_set16(f.b + ICMP_SEQ_OFF, 1 + i);
				samples[n++] = run_repeat(c->fd, &f, 1, &verdict);
				tx += verdict == XDP_TX;
			}
		}
		/* Leave no run behind: "reply-norun" must find none. */
		if (c->mode == CHAIN_OURS)
			unseed_ours(c->map, 1);
		else
			unseed_ref(c->map);
		if (tx != CHAINS_UNIT * CHAIN) {
			fprintf(stderr, "xdpbench: %s: %u of %u replies bounced\n", c->name,
				tx, CHAINS_UNIT * CHAIN);
			exit(1);
		}
		return median_u32(samples, n);
	}
	return 0;
}

static const char *base(const char *path, char *buf, size_t len)
{
	const char *b = strrchr(path, '/');
	size_t n;

	b = b ? b + 1 : path;
	n = strlen(b);
	if (n > 2 && !strcmp(b + n - 2, ".o"))
		n -= 2;
	snprintf(buf, len, "%.*s", (int)n, b);
	return buf;
}

struct uprog {
	char name[64];
	struct bpf_object *obj;
	int fd;
};

static struct uprog progs[16];
static size_t nprogs;

static void add_prog(const char *name, struct bpf_object *obj, int fd)
{
	if (nprogs == sizeof(progs) / sizeof(progs[0]))
		fail("too many objects");
	snprintf(progs[nprogs].name, sizeof(progs[nprogs].name), "%s", name);
	progs[nprogs].obj = obj;
	progs[nprogs++].fd = fd;
}

static int cmd_unit(int argc, char **argv)
{
	static struct pkt udp, reply, request;
	static struct ucase cases[16 * 5];
	unsigned long rounds;
	const struct pkt *frames[3] = { &udp, &reply, &request };
	const char *fnames[3] = { "udp", "reply-norun", "request" };
	struct bpf_object *ref, *obj;
	size_t nc = 0, i;
	int a, f;
	char name[64];
	unsigned long r;

	if (argc < 3)
		fail("usage: unit ROUNDS REF.o OBJ.o...");
	rounds = num(argv[0], 1, 99);
	put_udp(&udp);
	put_echo(&reply, 0, S_ADDR, C_ADDR, 1, MAC_B, MAC_A);
	put_echo(&request, 8, S_ADDR, C_ADDR, 1, MAC_B, MAC_A);

	/* Ours: each object's one program; the reference: both of its. */
	ref = load(argv[1]);
	for (a = 2; a < argc; a++) {
		obj = load(argv[a]);
		add_prog(base(argv[a], name, sizeof(name)), obj, prog_fd(obj, NULL));
	}
	add_prog("ref_xdping_client", ref, prog_fd(ref, "xdping_client"));
	add_prog("ref_xdping_server", ref, prog_fd(ref, "xdping_server"));
	for (i = 0; i < nprogs; i++) {
		struct uprog *p = &progs[i];
		uint32_t ifindex = 0;

		/* ours: set up as xdping-server.sh would, on C_IF (C_ADDR) */
		if (bpf_object__find_map_by_name(p->obj, "xdping_srvconf")) {
			server_setup(p->obj, C_ADDR);
			ifindex = if_nametoindex(C_IF);
		}
		run_if = ifindex ? ifindex : 1;
		for (f = 0; f < 3; f++) {
			struct ucase *c = &cases[nc++];

			c->config = -1;
			c->ifindex = ifindex;
			c->fd = p->fd;
			c->frame = frames[f];
			c->mode = rewrites(p->fd, frames[f]) ? FRESH_RUNS : REPEATED;
			snprintf(c->name, sizeof(c->name), "pkt/%.40s/%s%s", p->name, fnames[f],
				 c->mode == FRESH_RUNS ? "/fresh" : "");
		}
		/* srclog with its live log on: nobody reading (every event is
		 * a counted drop once the ring is full), and a reader draining it. */
		if (bpf_object__find_map_by_name(p->obj, "srclog_config")) {
			for (f = 0; f < 2; f++) {
				struct ucase *c = &cases[nc++];

				*c = (struct ucase){ .fd = p->fd, .frame = &udp, .mode = REPEATED,
						     .config = map_fd(p->obj, "srclog_config"),
						     .ring = map_fd(p->obj, "srclog_events"),
						     .reader = f };
				snprintf(c->name, sizeof(c->name), "pkt/%.40s/udp/log-%s", p->name,
					 f ? "reader" : "noreader");
			}
		}
		/* The floor, measured the way rewriting paths are. */
		if (!strcmp(p->name, "pass")) {
			struct ucase *c = &cases[nc++];

			*c = (struct ucase){ .fd = p->fd, .frame = &udp, .mode = FRESH_RUNS,
					     .config = -1 };
			snprintf(c->name, sizeof(c->name), "pkt/pass/udp/fresh");
		}
		/* A client's own replies, a whole chain of them. */
		if (bpf_object__find_map_by_name(p->obj, "xdping_runs") ||
		    !strcmp(p->name, "ref_xdping_client")) {
			struct ucase *c = &cases[nc++];
			bool ours = strcmp(p->name, "ref_xdping_client");

			*c = (struct ucase){ .fd = p->fd, .frame = &reply, .config = -1,
					     .mode = ours ? CHAIN_OURS : CHAIN_REF,
					     .map = map_fd(p->obj, ours ? "xdping_runs" : "ping_map") };
			snprintf(c->name, sizeof(c->name), "pkt/%.40s/reply-chain/fresh", p->name);
		}
	}
	printf("# %zu cases, %lu rounds; repeat mode %d runs, fresh mode %d runs\n",
	       nc, rounds, REPEAT, FRESH);
	for (r = 0; r < rounds; r++)
		for (i = 0; i < nc; i++)
			put(cases[i].name, "ns", sample(&cases[i]));
	return 0;
}

/* ---- namespaces and interfaces ---- */

static int ns_c = -1, ns_s = -1;
/* What this process attached, and detaches whatever way it ends. */
static bool own_c, own_s;

static void enter(int ns)
{
	if (setns(ns, CLONE_NEWNET))
		die("setns", errno);
}

static void open_ns(const char *c, const char *s)
{
	ns_c = open(c, O_RDONLY | O_CLOEXEC);
	ns_s = open(s, O_RDONLY | O_CLOEXEC);
	if (ns_c < 0 || ns_s < 0)
		die("open netns", errno);
	enter(ns_c);
}

static unsigned int ifindex_in(int ns, const char *name)
{
	unsigned int i;

	enter(ns);
	i = if_nametoindex(name);
	enter(ns_c);
	if (!i)
		die(name, errno);
	return i;
}

static void hwaddr_in(int ns, const char *name, uint8_t mac[6])
{
	struct ifreq ifr;
	int s;

	enter(ns);
	s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
	if (s < 0 || ioctl(s, SIOCGIFHWADDR, &ifr))
		die(name, errno);
	memcpy(mac, ifr.ifr_hwaddr.sa_data, 6);
	close(s);
	enter(ns_c);
}

/* Attaches fd in native mode (fd < 0: detaches) on iface in ns. */
static void xdp_set(int ns, const char *iface, int fd)
{
	unsigned int i = ifindex_in(ns, iface);
	int err;

	enter(ns);
	err = fd >= 0 ? bpf_xdp_attach(i, fd, XDP_FLAGS_DRV_MODE, NULL)
		      : bpf_xdp_detach(i, XDP_FLAGS_DRV_MODE, NULL);
	enter(ns_c);
	if (err)
		die(iface, err);
	if (ns == ns_c)
		own_c = fd >= 0;
	else
		own_s = fd >= 0;
}


static void detach_quietly(int ns, const char *iface)
{
	unsigned int i;

	if (setns(ns, CLONE_NEWNET))
		return;
	i = if_nametoindex(iface);
	if (i)
		bpf_xdp_detach(i, XDP_FLAGS_DRV_MODE, NULL);
}

static void cleanup(void)
{
	bool c = own_c, s = own_s;

	own_c = own_s = false;
	if (c)
		detach_quietly(ns_c, C_IF);
	if (s)
		detach_quietly(ns_s, S_IF);
}

static void on_signal(int sig)
{
	(void)sig;
	exit(1);	/* atexit: detach */
}

static void trap_signals(void)
{
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	signal(SIGHUP, on_signal);
	atexit(cleanup);
}

/* ---- in place: family 2 ---- */

struct stats {
	uint64_t ns, cnt;
};

static struct stats prog_stats(int fd)
{
	struct bpf_prog_info info;
	uint32_t len = sizeof(info);

	memset(&info, 0, sizeof(info));
	if (bpf_obj_get_info_by_fd(fd, &info, &len))
		die("prog info", errno);
	return (struct stats){ info.run_time_ns, info.run_cnt };
}

static int raw_sock(void)
{
	int s = socket(AF_INET, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_ICMP);

	if (s < 0)
		die("raw ICMP socket", errno);
	if (setsockopt(s, SOL_SOCKET, SO_BINDTODEVICE, C_IF, sizeof(C_IF)))
		die("SO_BINDTODEVICE", errno);
	return s;
}

/* One echo request to S_ADDR with ECHO_ID and seq, as ping would send it. */
static void send_request(int s, uint16_t seq)
{
	struct pkt p = { 0 };
	struct sockaddr_in to = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(S_ADDR) };
	uint8_t payload[ECHO_PAYLOAD];
	size_t off;

	pkt_fill(payload, sizeof(payload), seq);
	off = pkt_put_icmp_echo(&p, 8, 0, ECHO_ID, seq, payload, sizeof(payload));
	if (sendto(s, p.b + off, p.len - off, 0, (struct sockaddr *)&to, sizeof(to)) < 0)
		die("sendto", errno);
}

static void pause_us(long us)
{
	struct timespec ts = { 0, us * 1000 };

	nanosleep(&ts, NULL);
}

/* Drains what the raw socket received, so it never fills. */
static void drain(int s)
{
	uint8_t buf[2048];

	while (recv(s, buf, sizeof(buf), MSG_DONTWAIT) > 0)
		;
}

/* Waits until the chain just started is over; false after 200 ms. */
static bool chain_done_ours(int map, uint32_t ifindex)
{
	static struct xdping_run run;
	struct xdping_key key;
	int i;

	memset(&key, 0, sizeof(key));
	key.ifindex = ifindex;
	key.id = htons(ECHO_ID);
	key.family = XDPKIT_FAMILY_IPV4;
	for (i = 0; i < 4000; i++) {
		if (!bpf_map_lookup_elem(map, &key, &run) && run.done >= run.count)
			return true;
		pause_us(50);
	}
	return false;
}

static bool chain_done_ref(int map)
{
	struct pinginfo pi;
	uint32_t addr = htonl(S_ADDR);
	int i;

	for (i = 0; i < 4000; i++) {
		if (!bpf_map_lookup_elem(map, &addr, &pi) && pi.times[CHAIN - 1])
			return true;
		pause_us(50);
	}
	return false;
}

static int cmd_inplace(int argc, char **argv)
{
	struct bpf_object *oc, *os, *ref, *op;
	unsigned long rounds, chains, r, k;
	int fds[5], runs, pmap, s, stat_fd;
	unsigned int ifc;
	int cfg;
	struct stats b[5], e[5];
	uint64_t dns[5], dcnt[5], lost;

	if (argc != 5)
		fail("usage: inplace ROUNDS CHAINS CNS SNS REF.o");
	rounds = num(argv[0], 1, 99);
	chains = num(argv[1], 1, 100000);
	open_ns(argv[2], argv[3]);
	trap_signals();
	oc = load("xdp/xdping_client.o");
	os = load("xdp/xdping_server.o");
	server_setup(os, S_ADDR);
	ref = load(argv[4]);
	fds[0] = prog_fd(oc, NULL);
	fds[1] = prog_fd(ref, "xdping_client");
	fds[2] = prog_fd(os, NULL);
	fds[3] = prog_fd(ref, "xdping_server");
	op = load("xdp/pass.o");
	fds[4] = prog_fd(op, NULL);
	runs = map_fd(oc, "xdping_runs");
	pmap = map_fd(ref, "ping_map");
	ifc = ifindex_in(ns_c, C_IF);
	s = raw_sock();
	/* Run-time statistics for as long as this fd is open: the kernel
	 * drops them when we exit, however we exit. */
	stat_fd = bpf_enable_stats(BPF_STATS_RUN_TIME);
	if (stat_fd < 0)
		die("BPF_ENABLE_STATS", errno);

	for (r = 0; r < rounds; r++) {
		memset(dns, 0, sizeof(dns));
		memset(dcnt, 0, sizeof(dcnt));
		lost = 0;
		/* client ours|ref x server ours|ref, the same chains each */
		for (cfg = 0; cfg < 4; cfg++) {
			int cl = cfg < 2 ? 0 : 1, sv = (cfg == 0 || cfg == 3) ? 2 : 3, j;

			xdp_set(ns_c, C_IF, fds[cl]);
			xdp_set(ns_s, S_IF, fds[sv]);
			pause_us(20000);
			for (j = 0; j < 4; j++)
				b[j] = prog_stats(fds[j]);
			for (k = 0; k < chains; k++) {
				bool ok;

				if (cl == 0) {
					seed_ours(runs, ifc, 1, CHAIN);
					send_request(s, 1);
					ok = chain_done_ours(runs, ifc);
				} else {
					seed_ref(pmap, 1, CHAIN);
					send_request(s, 1);
					ok = chain_done_ref(pmap);
				}
				lost += !ok;
				drain(s);
			}
			for (j = 0; j < 4; j++) {
				e[j] = prog_stats(fds[j]);
				dns[j] += e[j].ns - b[j].ns;
				dcnt[j] += e[j].cnt - b[j].cnt;
			}
		}
		/* The floor in place: XDP_PASS on the client side, taking the
		 * same echo replies, with their run-time accounting. */
		xdp_set(ns_c, C_IF, fds[4]);
		xdp_set(ns_s, S_IF, fds[2]);
		pause_us(20000);
		b[4] = prog_stats(fds[4]);
		for (k = 0; k < chains; k++) {
			send_request(s, 1);
			pause_us(200);
			drain(s);
		}
		e[4] = prog_stats(fds[4]);
		dns[4] = e[4].ns - b[4].ns;
		dcnt[4] = e[4].cnt - b[4].cnt;
		if (lost)
			printf("# round %lu: %lu of %lu chains did not finish\n", r + 1,
			       (unsigned long)lost, 4 * chains);
		put("inplace/xdping_client/chain", "ns", (double)dns[0] / dcnt[0]);
		put("inplace/ref_xdping_client/chain", "ns", (double)dns[1] / dcnt[1]);
		put("inplace/xdping_server/request", "ns", (double)dns[2] / dcnt[2]);
		put("inplace/ref_xdping_server/request", "ns", (double)dns[3] / dcnt[3]);
		if (dcnt[4])
			put("inplace/pass/reply", "ns", (double)dns[4] / dcnt[4]);
		printf("# runs: client %llu ref client %llu server %llu ref server %llu\n",
		       (unsigned long long)dcnt[0], (unsigned long long)dcnt[1],
		       (unsigned long long)dcnt[2], (unsigned long long)dcnt[3]);
	}
	close(stat_fd);
	close(s);
	return 0;
}

/* ---- refrtt: family 3, the reference client ---- */

static int cmd_refrtt(int argc, char **argv)
{
	struct bpf_object *ref;
	unsigned long count;
	int pmap, p[2], st, i;
	pid_t pid;
	struct pinginfo pi;
	uint32_t addr = htonl(S_ADDR);
	char line[512], cnt[16], addr_s[16];
	FILE *in;

	if (argc != 5)
		fail("usage: refrtt COUNT INTERVAL CNS SNS REF.o");
	count = num(argv[0], 1, XDPING_MAX_COUNT);
	open_ns(argv[2], argv[3]);
	atexit(cleanup);
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	ref = load(argv[4]);
	pmap = map_fd(ref, "ping_map");
	xdp_set(ns_c, C_IF, prog_fd(ref, "xdping_client"));
	/* The path must carry traffic before the run (the reference sleeps 10 s). */
	for (i = 0; i < 50; i++) {
		if (!system("ping -n -q -c 1 -W 1 -I " C_IF " 198.18.0.2 >/dev/null 2>&1"))
			break;
		pause_us(100000);
	}
	seed_ref(pmap, count, count);
	snprintf(cnt, sizeof(cnt), "%lu", count);
	snprintf(addr_s, sizeof(addr_s), "198.18.0.2");
	if (pipe(p))
		die("pipe", errno);
	pid = fork();
	if (pid < 0)
		die("fork", errno);
	if (!pid) {
		dup2(p[1], 1);
		close(p[0]);
		close(p[1]);
		execlp("ping", "ping", "-n", "-c", cnt, "-i", argv[1], "-W", "1", "-I", C_IF,
		       addr_s, (char *)NULL);
		_exit(127);
	}
	close(p[1]);
	in = fdopen(p[0], "r");
	while (in && fgets(line, sizeof(line), in)) {
		char *t = strstr(line, "time=");

		if (t)
			printf("S ping %.6f\n", strtod(t + 5, NULL));
	}
	waitpid(pid, &st, 0);
	if (bpf_map_lookup_elem(pmap, &addr, &pi))
		die("ping_map", errno);
	for (i = 0; i < XDPING_MAX_COUNT && pi.times[i]; i++)
		printf("S xdp %.6f\n", pi.times[i] / 1e6);
	return 0;
}

/* ---- flood: family 4 ---- */

static uint64_t replies(int map)
{
	uint64_t sum;
	uint32_t zero = 0;
	int err = mapio_percpu_sum(map, &zero, sizeof(uint64_t), &sum, 1);

	if (err)
		die("bench_replies", err);
	return sum;
}

static int cmd_flood(int argc, char **argv)
{
	struct bpf_object *bench, *os, *pass, *refl;
	unsigned long rounds, frames, r;
	int tx, cnt_map, srv[3], i;
	const char *names[3] = { "flood/xdping_server", "flood/kernel", "flood/reflector" };
	uint8_t mac_c[6], mac_s[6];
	struct pkt req;
	struct xdp_md ctx = { 0 };

	if (argc != 6)
		fail("usage: flood ROUNDS FRAMES CNS SNS BENCH.o REFLECT.o");
	rounds = num(argv[0], 1, 99);
	frames = num(argv[1], 1000, 100000000);
	open_ns(argv[2], argv[3]);
	trap_signals();
	bench = load(argv[4]);
	os = load("xdp/xdping_server.o");
	server_setup(os, S_ADDR);
	pass = load("xdp/pass.o");
	refl = load(argv[5]);
	tx = prog_fd(bench, "bench_tx");
	cnt_map = map_fd(bench, "bench_replies");
	srv[0] = prog_fd(os, NULL);
	srv[1] = prog_fd(pass, NULL);
	srv[2] = prog_fd(refl, NULL);
	hwaddr_in(ns_c, C_IF, mac_c);
	hwaddr_in(ns_s, S_IF, mac_s);
	put_echo(&req, 8, C_ADDR, S_ADDR, 1, mac_c, mac_s);
	if (bpf_map_update_elem(map_fd(bench, "bench_tmpl"), &(uint32_t){ 0 }, req.b, BPF_ANY))
		die("bench_tmpl", errno);
	ctx.data_end = req.len;
	ctx.ingress_ifindex = ifindex_in(ns_c, C_IF);
	xdp_set(ns_c, C_IF, prog_fd(bench, "bench_count"));

	for (r = 0; r < rounds; r++) {
		for (i = 0; i < 3; i++) {
			LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = req.b, .data_size_in = req.len,
				    .ctx_in = &ctx, .ctx_size_in = sizeof(ctx),
				    .flags = BPF_F_TEST_XDP_LIVE_FRAMES, .repeat = frames,
				    .batch_size = 64);
			uint64_t before, now, last;
			double t0, t_end;
			int still = 0;

			xdp_set(ns_s, S_IF, srv[i]);
			pause_us(20000);
			before = last = replies(cnt_map);
			t0 = pkt_now_ns();
			if (bpf_prog_test_run_opts(tx, &o))
				die("BPF_PROG_TEST_RUN live frames", errno);
			t_end = pkt_now_ns();
			/* Replies still in the rings: count them, and their time. */
			while (still < 20) {
				pause_us(100);
				now = replies(cnt_map);
				if (now == last) {
					still++;
					continue;
				}
				still = 0;
				last = now;
				t_end = pkt_now_ns() - 50000;
			}
			put(names[i], "pps", (last - before) / ((t_end - t0) / 1e9));
			printf("# %s: %lu sent, %llu answered in %.1f ms\n", names[i], frames,
			       (unsigned long long)(last - before), (t_end - t0) / 1e6);
		}
	}
	return 0;
}

/* ---- attach ---- */

static int cmd_attach(int argc, char **argv)
{
	struct bpf_object *obj;
	int ns, err;
	unsigned int i;

	if (argc < 3 || argc > 4)
		fail("usage: attach NS IFACE OBJ.o [PROG]");
	ns = open(argv[0], O_RDONLY | O_CLOEXEC);
	if (ns < 0 || setns(ns, CLONE_NEWNET))
		die(argv[0], errno);
	obj = load(argv[2]);
	i = if_nametoindex(argv[1]);
	if (!i)
		die(argv[1], errno);
	err = bpf_xdp_attach(i, prog_fd(obj, argc == 4 ? argv[3] : NULL), XDP_FLAGS_DRV_MODE,
			     NULL);
	if (err)
		die(argv[1], err);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 2)
		fail("usage: xdpbench unit|inplace|refrtt|flood|attach ...");
	if (!strcmp(argv[1], "unit"))
		return cmd_unit(argc - 2, argv + 2);
	if (!strcmp(argv[1], "inplace"))
		return cmd_inplace(argc - 2, argv + 2);
	if (!strcmp(argv[1], "refrtt"))
		return cmd_refrtt(argc - 2, argv + 2);
	if (!strcmp(argv[1], "flood"))
		return cmd_flood(argc - 2, argv + 2);
	if (!strcmp(argv[1], "attach"))
		return cmd_attach(argc - 2, argv + 2);
	fail("unknown command");
	return 1;
}
