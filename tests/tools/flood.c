// SPDX-License-Identifier: GPL-2.0
/*
 * flood: a spoofed-source flood for the srclog churn tests, bounded in
 * frames and in time, from the test ranges only.
 *
 *   flood [-n FRAMES] [-t SECONDS] [-6 PERCENT] [-r SEED] [-H ADDR]...
 *         IFNAME DSTMAC DST4 DST6
 *
 * Sends FRAMES Ethernet frames (default 100000, at most 100000000) through
 * an AF_PACKET socket bound to IFNAME, or fewer when SECONDS (default 60,
 * at most 600) run out first, or on SIGINT/SIGTERM. Frame i comes from the
 * heavy source number i % 100 when that is below the number of -H ADDR
 * (at most 16, each in 198.18.0.0/15 or 2001:db8::/32): each heavy source
 * sends one frame in 100. Every other frame comes from a random source,
 * IPv6 (2001:db8::/32, 96 random bits) for PERCENT % of them (default 50),
 * else IPv4 (198.18.0.0/15, 17 random bits), never a heavy address. The
 * frames are UDP to port 9 of DST4 or DST6, with valid checksums, 60
 * bytes (IPv4) or 80 bytes (IPv6) long; the Ethernet source is IFNAME's.
 * SEED (default 1) makes the random sources repeatable.
 *
 * At the end, on stdout: 'sent N' (frames handed to the kernel), then
 * 'heavy ADDR N' for each heavy source. Exit 0 when the frames were sent
 * (or the time ran out), 1 when sending failed, 2 on bad arguments (one
 * line on stderr).
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <netinet/ip.h>
#include <netinet/ip6.h>
#include <netinet/udp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_FRAMES	100000000ul
#define MAX_SECONDS	600ul
#define MAX_HEAVY	16
#define BATCH		64
#define FRAME_MAX	(ETH_HLEN + 40 + 8 + 18)

struct src {
	int v6;
	uint8_t a[16];
};

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static void usage(const char *why, const char *arg)
{
	if (why)
		fprintf(stderr, "flood: %s%s%s\n", why, arg ? ": " : "", arg ? arg : "");
	else
		fprintf(stderr, "usage: flood [-n FRAMES] [-t SECONDS] [-6 PERCENT] [-r SEED] "
			"[-H ADDR]... IFNAME DSTMAC DST4 DST6\n");
	exit(2);
}

static unsigned long number(const char *s, unsigned long min, unsigned long max, const char *what)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || end == s || *end || *s == '-' || v < min || v > max)
		usage(what, s);
	return v;
}

/* 198.18.0.0/15 or 2001:db8::/32. */
static int test_range(const struct src *s)
{
	static const uint8_t doc6[4] = { 0x20, 0x01, 0x0d, 0xb8 };

	if (s->v6)
		return !memcmp(s->a, doc6, sizeof(doc6));
	return s->a[0] == 198 && (s->a[1] & 0xfe) == 18;
}

static int parse_addr(const char *text, struct src *s)
{
	memset(s, 0, sizeof(*s));
	s->v6 = strchr(text, ':') != NULL;
	return inet_pton(s->v6 ? AF_INET6 : AF_INET, text, s->a) == 1 && test_range(s);
}

static uint64_t rng;

/* xorshift64*: plenty for spreading sources, and repeatable. */
static uint64_t next_random(void)
{
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return rng * 0x2545f4914f6cdd1dull;
}

static uint32_t sum16(const void *p, size_t len, uint32_t sum)
{
	const uint8_t *b = p;

	for (; len > 1; len -= 2, b += 2)
		sum += (uint32_t)b[0] << 8 | b[1];
	if (len)
		sum += (uint32_t)b[0] << 8;
	return sum;
}

static uint16_t fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return htons((uint16_t)~sum);
}

/* One frame from s to dst4/dst6 in buf; returns its length. */
static size_t build(uint8_t *buf, const uint8_t *hdr_eth, const struct src *s,
		    const uint8_t *dst4, const uint8_t *dst6, uint16_t id)
{
	size_t alen = s->v6 ? 16 : 4, hlen = ETH_HLEN + (s->v6 ? 40 : 20);
	struct udphdr *udp = (struct udphdr *)(buf + hlen);
	uint16_t ulen = sizeof(*udp) + 18;
	const uint8_t *dst = s->v6 ? dst6 : dst4;
	uint32_t pseudo;

	memcpy(buf, hdr_eth, 12);
	buf[12] = s->v6 ? 0x86 : 0x08;
	buf[13] = s->v6 ? 0xdd : 0x00;
	if (s->v6) {
		struct ip6_hdr *ip6 = (struct ip6_hdr *)(buf + ETH_HLEN);

		memset(ip6, 0, sizeof(*ip6));
		ip6->ip6_flow = htonl(6u << 28);
		ip6->ip6_plen = htons(ulen);
		ip6->ip6_nxt = IPPROTO_UDP;
		ip6->ip6_hlim = 64;
		memcpy(&ip6->ip6_src, s->a, 16);
		memcpy(&ip6->ip6_dst, dst, 16);
	} else {
		struct iphdr *ip = (struct iphdr *)(buf + ETH_HLEN);

		memset(ip, 0, sizeof(*ip));
		ip->version = 4;
		ip->ihl = 5;
		ip->tot_len = htons(sizeof(*ip) + ulen);
		ip->id = htons(id);
		ip->ttl = 64;
		ip->protocol = IPPROTO_UDP;
		memcpy(&ip->saddr, s->a, 4);
		memcpy(&ip->daddr, dst, 4);
		ip->check = fold(sum16(ip, sizeof(*ip), 0));
	}
	udp->source = htons(40000 + (id & 0x3fff));
	udp->dest = htons(9);
	udp->len = htons(ulen);
	udp->check = 0;
	memcpy(buf + hlen + sizeof(*udp), "xdpkit-flood      ", 18);
	pseudo = sum16(s->a, alen, 0);
	pseudo = sum16(dst, alen, pseudo);
	pseudo += IPPROTO_UDP + ulen;
	udp->check = fold(sum16(udp, ulen, pseudo));
	if (!udp->check)
		udp->check = 0xffff;
	return hlen + ulen;
}

static int is_heavy(const struct src *s, const struct src *heavy, int nheavy)
{
	int h;

	for (h = 0; h < nheavy; h++)
		if (heavy[h].v6 == s->v6 && !memcmp(heavy[h].a, s->a, 16))
			return 1;
	return 0;
}

static void random_source(struct src *s, unsigned long v6_percent, const struct src *heavy,
			  int nheavy)
{
	uint64_t r;

	do {
		memset(s, 0, sizeof(*s));
		r = next_random();
		s->v6 = r % 100 < v6_percent;
		if (s->v6) {
			s->a[0] = 0x20;
			s->a[1] = 0x01;
			s->a[2] = 0x0d;
			s->a[3] = 0xb8;
			r = next_random();
			memcpy(s->a + 4, &r, 8);
			r = next_random();
			memcpy(s->a + 12, &r, 4);
		} else {
			r = next_random();
			s->a[0] = 198;
			s->a[1] = 18 | ((r >> 16) & 1);
			s->a[2] = r >> 8;
			s->a[3] = r;
		}
	} while (is_heavy(s, heavy, nheavy));
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	unsigned long frames = 100000, seconds = 60, v6_percent = 50, sent = 0, i, b;
	unsigned long heavy_sent[MAX_HEAVY] = { 0 };
	static uint8_t bufs[BATCH][FRAME_MAX];
	struct mmsghdr msgs[BATCH];
	struct iovec iov[BATCH];
	struct src heavy[MAX_HEAVY], s;
	int heavy_of[BATCH];
	uint8_t dst4[16] = { 0 }, dst6[16], eth[12];
	struct sockaddr_ll sll = { 0 };
	struct ifreq ifr = { 0 };
	struct sigaction sa = { 0 };
	unsigned int m[ETH_ALEN];
	int opt, fd, nheavy = 0, h, rc = 0;
	double deadline;
	char tail, text[INET6_ADDRSTRLEN];

	rng = 1;
	while ((opt = getopt(argc, argv, "+n:t:6:r:H:")) != -1) {
		switch (opt) {
		case 'n':
			frames = number(optarg, 1, MAX_FRAMES, "FRAMES is not a number from 1 to 100000000");
			break;
		case 't':
			seconds = number(optarg, 1, MAX_SECONDS, "SECONDS is not a number from 1 to 600");
			break;
		case '6':
			v6_percent = number(optarg, 0, 100, "PERCENT is not a number from 0 to 100");
			break;
		case 'r':
			rng = number(optarg, 1, ~0ul, "SEED is not a number from 1");
			break;
		case 'H':
			if (nheavy == MAX_HEAVY)
				usage("at most 16 heavy sources", optarg);
			if (!parse_addr(optarg, &heavy[nheavy]))
				usage("not an address in 198.18.0.0/15 or 2001:db8::/32", optarg);
			if (is_heavy(&heavy[nheavy], heavy, nheavy))
				usage("heavy source given twice", optarg);
			nheavy++;
			break;
		default:
			usage(NULL, NULL);
		}
	}
	if (argc - optind != 4)
		usage(NULL, NULL);
	if (strlen(argv[optind]) >= IF_NAMESIZE || !if_nametoindex(argv[optind]))
		usage("no such interface", argv[optind]);
	if (sscanf(argv[optind + 1], "%x:%x:%x:%x:%x:%x%c", &m[0], &m[1], &m[2], &m[3], &m[4],
		   &m[5], &tail) != 6)
		usage("not a MAC address", argv[optind + 1]);
	for (h = 0; h < ETH_ALEN; h++) {
		if (m[h] > 0xff)
			usage("not a MAC address", argv[optind + 1]);
		eth[h] = m[h];
	}
	if (!parse_addr(argv[optind + 2], &s) || s.v6)
		usage("DST4 is not an address in 198.18.0.0/15", argv[optind + 2]);
	memcpy(dst4, s.a, 4);
	if (!parse_addr(argv[optind + 3], &s) || !s.v6)
		usage("DST6 is not an address in 2001:db8::/32", argv[optind + 3]);
	memcpy(dst6, s.a, 16);

	fd = socket(AF_PACKET, SOCK_RAW, 0);
	if (fd < 0) {
		fprintf(stderr, "flood: socket(AF_PACKET): %s\n", strerror(errno));
		return 1;
	}
	strncpy(ifr.ifr_name, argv[optind], IF_NAMESIZE - 1);
	if (ioctl(fd, SIOCGIFHWADDR, &ifr)) {
		fprintf(stderr, "flood: %s: no MAC address: %s\n", argv[optind], strerror(errno));
		return 1;
	}
	memcpy(eth + ETH_ALEN, ifr.ifr_hwaddr.sa_data, ETH_ALEN);
	sll.sll_family = AF_PACKET;
	sll.sll_ifindex = if_nametoindex(argv[optind]);
	sll.sll_protocol = 0;	/* send only */
	if (bind(fd, (struct sockaddr *)&sll, sizeof(sll))) {
		fprintf(stderr, "flood: bind %s: %s\n", argv[optind], strerror(errno));
		return 1;
	}
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);

	deadline = now() + seconds;
	for (i = 0; i < frames && !stop && now() < deadline;) {
		unsigned long n = frames - i < BATCH ? frames - i : BATCH, done = 0;

		for (b = 0; b < n; b++) {
			unsigned long slot = (i + b) % 100;

			heavy_of[b] = slot < (unsigned long)nheavy ? (int)slot : -1;
			if (heavy_of[b] >= 0)
				s = heavy[heavy_of[b]];
			else
				random_source(&s, v6_percent, heavy, nheavy);
			iov[b].iov_base = bufs[b];
			iov[b].iov_len = build(bufs[b], eth, &s, dst4, dst6, (uint16_t)(i + b));
			memset(&msgs[b], 0, sizeof(msgs[b]));
			msgs[b].msg_hdr.msg_iov = &iov[b];
			msgs[b].msg_hdr.msg_iovlen = 1;
		}
		while (done < n && !stop) {
			int r = sendmmsg(fd, msgs + done, n - done, 0);

			if (r < 0) {
				struct timespec ts = { 0, 200000 };

				/* A full device queue: wait, then send the rest again. */
				if (errno != ENOBUFS && errno != EAGAIN && errno != EINTR) {
					fprintf(stderr, "flood: sending on %s: %s\n", argv[optind],
						strerror(errno));
					rc = 1;
					stop = 1;
					break;
				}
				nanosleep(&ts, NULL);
				continue;
			}
			for (b = done; b < done + (unsigned long)r; b++)
				if (heavy_of[b] >= 0)
					heavy_sent[heavy_of[b]]++;
			done += r;
		}
		sent += done;
		i += done;
	}
	close(fd);
	printf("sent %lu\n", sent);
	for (h = 0; h < nheavy; h++)
		printf("heavy %s %lu\n", inet_ntop(heavy[h].v6 ? AF_INET6 : AF_INET, heavy[h].a,
						   text, sizeof(text)), heavy_sent[h]);
	return rc;
}
