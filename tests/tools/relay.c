// SPDX-License-Identifier: GPL-2.0
/*
 * relay: an impaired path for the tests, where the kernel has no netem.
 * It forwards every frame between two interfaces (raw AF_PACKET sockets,
 * run in a namespace of its own between two veth pairs) and impairs the
 * ICMP and ICMPv6 echo frames on the way:
 *
 *   relay [-d MS] [-j MS] [-R] [-l PCT] [-u PCT] [-s SEED] [-x SEQ:N]...
 *         [-X SEQ] [-H SEQ:N:MS] [-t SECONDS] IF_A IF_B
 *
 *   -d MS        every frame, both ways, is held at least MS ms
 *   -j MS        echo frames: plus a random 0..MS ms (jitter)
 *   -R           frames may overtake each other (default: one way keeps
 *                its order, so jitter alone never reorders)
 *   -l PCT       echo frames: drop PCT percent at random
 *   -u PCT       echo frames: send PCT percent twice
 *   -s SEED      seed of the random choices (default 1)
 *   -x SEQ:N     drop the Nth echo reply (B to A) carrying sequence SEQ
 *   -X SEQ       drop every echo reply carrying sequence SEQ or more
 *   -H SEQ:N:MS  hold the Nth echo reply carrying SEQ until an echo request
 *                with its identifier and SEQ goes from A to B again (then
 *                send it at once, ahead of that request's own reply), or
 *                MS ms have gone by
 *   -t SECONDS   end after SECONDS (default 60)
 *
 * IF_A is the client's side, IF_B the far side. Frames other than echo
 * requests and replies (ARP, neighbour discovery) only get -d. Prints
 * "ready" once both sockets are bound, and on SIGTERM, SIGINT or -t one
 * line of counts. Exit: 0, 2 usage, 3 sockets.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_QUEUED	4096
#define MAX_FRAME	65536
#define MAX_DROPS	16

struct frame {
	uint64_t due;		/* CLOCK_MONOTONIC ns when it may go; 0: held */
	uint64_t hold_until;	/* held: the latest it may wait */
	uint64_t order;		/* arrival order, for equal due times */
	int to;			/* socket index it goes out on */
	uint16_t id, seq;	/* held: the request that releases it */
	size_t len;
	unsigned char *data;
};

struct echo_info {
	int is_echo, is_request;
	uint16_t id, seq;
};

static struct frame queue[MAX_QUEUED];
static volatile sig_atomic_t stop;
static uint64_t rng = 1;

static struct {
	unsigned long relayed, dropped, duplicated, held, released_by_request, reordered;
} count;

static void usage(void)
{
	fprintf(stderr, "usage: relay [-d MS] [-j MS] [-R] [-l PCT] [-u PCT] [-s SEED] "
		"[-x SEQ:N]... [-X SEQ] [-H SEQ:N:MS] [-t SECONDS] IF_A IF_B\n");
	exit(2);
}

static uint64_t now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000000000ull + t.tv_nsec;
}

/* xorshift64: deterministic for a seed, good enough for test choices. */
static uint64_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static int chance(unsigned int pct)
{
	return pct && rnd() % 100 < pct;
}

static unsigned long num(const char *s, unsigned long max)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || end == s || *end || v > max)
		usage();
	return v;
}

/* Untagged IPv4 or IPv6 (no extension header) echo request or reply. */
static struct echo_info parse(const unsigned char *p, size_t len)
{
	struct echo_info e = { 0 };
	const unsigned char *icmp;
	uint16_t proto;
	size_t ihl;

	if (len < 14)
		return e;
	proto = p[12] << 8 | p[13];
	if (proto == ETH_P_IP && len >= 14 + 20 && (p[14] >> 4) == 4 && p[14 + 9] == 1) {
		ihl = (p[14] & 0xf) * 4;
		if (ihl < 20 || len < 14 + ihl + 8)
			return e;
		icmp = p + 14 + ihl;
		if (icmp[0] != 0 && icmp[0] != 8)
			return e;
		e.is_request = icmp[0] == 8;
	} else if (proto == ETH_P_IPV6 && len >= 14 + 40 + 8 && (p[14] >> 4) == 6 &&
		   p[14 + 6] == 58) {
		icmp = p + 14 + 40;
		if (icmp[0] != 128 && icmp[0] != 129)
			return e;
		e.is_request = icmp[0] == 128;
	} else {
		return e;
	}
	e.is_echo = 1;
	e.id = icmp[4] << 8 | icmp[5];
	e.seq = icmp[6] << 8 | icmp[7];
	return e;
}

static int open_on(const char *ifname)
{
	struct sockaddr_ll sll = { .sll_family = AF_PACKET, .sll_protocol = htons(ETH_P_ALL) };
	struct packet_mreq mr = { .mr_type = PACKET_MR_PROMISC };
	int fd, one = 1;

	sll.sll_ifindex = if_nametoindex(ifname);
	if (!sll.sll_ifindex) {
		fprintf(stderr, "relay: no interface %s\n", ifname);
		exit(3);
	}
	mr.mr_ifindex = sll.sll_ifindex;
	fd = socket(AF_PACKET, SOCK_RAW, htons(ETH_P_ALL));
	if (fd < 0 || bind(fd, (struct sockaddr *)&sll, sizeof(sll)) ||
	    setsockopt(fd, SOL_PACKET, PACKET_ADD_MEMBERSHIP, &mr, sizeof(mr)) ||
	    setsockopt(fd, SOL_PACKET, PACKET_IGNORE_OUTGOING, &one, sizeof(one))) {
		fprintf(stderr, "relay: %s: %s\n", ifname, strerror(errno));
		exit(3);
	}
	return fd;
}

static struct frame *slot(void)
{
	size_t i;

	for (i = 0; i < MAX_QUEUED; i++)
		if (!queue[i].data)
			return &queue[i];
	return NULL;
}

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

int main(int argc, char **argv)
{
	static unsigned char buf[MAX_FRAME];
	unsigned long delay_ms = 0, jitter_ms = 0, lifetime = 60;
	unsigned int loss = 0, dup = 0, ndrops = 0;
	unsigned long drop_seq[MAX_DROPS], drop_nth[MAX_DROPS], drop_seen[MAX_DROPS] = { 0 };
	long drop_from = -1, hold_seq = -1;
	unsigned long hold_nth = 0, hold_ms = 0, hold_seen = 0;
	uint64_t last_due[2] = { 0, 0 }, order = 0, end, last_sent_order[2] = { 0, 0 };
	int reorder = 0, fd[2], opt, i;
	struct sigaction sa = { .sa_handler = on_signal };

	while ((opt = getopt(argc, argv, "d:j:Rl:u:s:x:X:H:t:")) != -1) {
		char *a, *b;

		switch (opt) {
		case 'd': delay_ms = num(optarg, 60000); break;
		case 'j': jitter_ms = num(optarg, 60000); break;
		case 'R': reorder = 1; break;
		case 'l': loss = num(optarg, 100); break;
		case 'u': dup = num(optarg, 100); break;
		case 's': rng = num(optarg, 0xffffffff) | 1; break;
		case 'X': drop_from = num(optarg, 0xffff); break;
		case 't': lifetime = num(optarg, 3600); break;
		case 'x':
			a = strchr(optarg, ':');
			if (!a || ndrops >= MAX_DROPS)
				usage();
			*a++ = 0;
			drop_seq[ndrops] = num(optarg, 0xffff);
			drop_nth[ndrops++] = num(a, 1000000);
			break;
		case 'H':
			a = strchr(optarg, ':');
			b = a ? strchr(a + 1, ':') : NULL;
			if (!b)
				usage();
			*a++ = 0;
			*b++ = 0;
			hold_seq = num(optarg, 0xffff);
			hold_nth = num(a, 1000000);
			hold_ms = num(b, 60000);
			break;
		default:
			usage();
		}
	}
	if (argc - optind != 2)
		usage();
	fd[0] = open_on(argv[optind]);
	fd[1] = open_on(argv[optind + 1]);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	printf("ready\n");
	fflush(stdout);
	end = now_ns() + lifetime * 1000000000ull;

	while (!stop) {
		struct pollfd pfd[2] = { { fd[0], POLLIN, 0 }, { fd[1], POLLIN, 0 } };
		uint64_t now = now_ns(), next = end;
		struct timespec ts;
		struct frame *f;
		size_t k;

		if (now >= end)
			break;
		/* Send what is due, earliest first (arrival order among equals). */
		for (;;) {
			struct frame *best = NULL;

			for (k = 0; k < MAX_QUEUED; k++) {
				f = &queue[k];
				if (!f->data)
					continue;
				if (!f->due && now >= f->hold_until)
					f->due = now;	/* held long enough */
				if (!f->due || f->due > now)
					continue;
				if (!best || f->due < best->due ||
				    (f->due == best->due && f->order < best->order))
					best = f;
			}
			if (!best)
				break;
			if (send(fd[best->to], best->data, best->len, 0) < 0 && errno != ENOBUFS)
				fprintf(stderr, "relay: send: %s\n", strerror(errno));
			if (best->order < last_sent_order[best->to])
				count.reordered++;
			else
				last_sent_order[best->to] = best->order;
			count.relayed++;
			free(best->data);
			best->data = NULL;
		}
		for (k = 0; k < MAX_QUEUED; k++) {
			f = &queue[k];
			if (!f->data)
				continue;
			if (f->due && f->due < next)
				next = f->due;
			if (!f->due && f->hold_until < next)
				next = f->hold_until;
		}
		ts.tv_sec = (next - now) / 1000000000ull;
		ts.tv_nsec = (next - now) % 1000000000ull;
		if (ppoll(pfd, 2, &ts, NULL) < 0) {
			if (errno == EINTR)
				continue;
			fprintf(stderr, "relay: poll: %s\n", strerror(errno));
			return 3;
		}
		for (i = 0; i < 2; i++) {
			struct sockaddr_ll from;
			socklen_t fl = sizeof(from);
			struct echo_info e;
			uint64_t due;
			ssize_t n;
			int copies = 1, held = 0, to = !i, c;
			unsigned int d;

			if (!(pfd[i].revents & POLLIN))
				continue;
			n = recvfrom(fd[i], buf, sizeof(buf), MSG_DONTWAIT, (struct sockaddr *)&from, &fl);
			if (n <= 0 || from.sll_pkttype == PACKET_OUTGOING)
				continue;
			now = now_ns();
			e = parse(buf, n);
			due = now + delay_ms * 1000000ull;
			if (e.is_echo) {
				/* A request from A releases the reply held for it. */
				if (i == 0 && e.is_request) {
					for (k = 0; k < MAX_QUEUED; k++) {
						f = &queue[k];
						if (f->data && !f->due && f->id == e.id && f->seq == e.seq) {
							f->due = now;
							count.released_by_request++;
						}
					}
				}
				if (chance(loss)) {
					count.dropped++;
					continue;
				}
				if (i == 1 && !e.is_request) {
					int drop = drop_from >= 0 && e.seq >= drop_from;

					for (d = 0; d < ndrops; d++)
						if (e.seq == drop_seq[d] && ++drop_seen[d] == drop_nth[d])
							drop = 1;
					if (drop) {
						count.dropped++;
						continue;
					}
					if (hold_seq >= 0 && e.seq == hold_seq && ++hold_seen == hold_nth)
						held = 1;
				}
				if (jitter_ms)
					due += rnd() % (jitter_ms * 1000000ull + 1);
				if (chance(dup))
					copies = 2;
			}
			if (!reorder && !held) {
				if (due < last_due[to])
					due = last_due[to];
				last_due[to] = due;
			}
			for (c = 0; c < copies; c++) {
				f = slot();
				if (!f) {
					count.dropped++;
					break;
				}
				f->data = malloc(n);
				if (!f->data) {
					count.dropped++;
					break;
				}
				memcpy(f->data, buf, n);
				f->len = n;
				f->to = to;
				f->order = ++order;
				f->id = e.id;
				f->seq = e.seq;
				f->due = held ? 0 : due;
				f->hold_until = now + hold_ms * 1000000ull;
				count.held += held;
				count.duplicated += c;
			}
		}
	}
	printf("relayed %lu dropped %lu duplicated %lu held %lu released_by_request %lu "
	       "reordered %lu\n", count.relayed, count.dropped, count.duplicated, count.held,
	       count.released_by_request, count.reordered);
	return 0;
}
