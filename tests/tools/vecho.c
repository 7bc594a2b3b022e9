// SPDX-License-Identifier: GPL-2.0
/*
 * vecho: VLAN-tagged ICMP echo requests out of an interface, and a count
 * of the replies that come back with the same tags, for the xdping tests.
 *
 *   vecho [-n COUNT] [-t TAG[,TAG]] IFNAME DSTMAC SRCADDR DSTADDR
 *
 * Sends COUNT (default 10) echo requests, identifier 0x5845, sequence 1..
 * COUNT, 56 bytes of payload, from SRCADDR to DSTADDR (both IPv4 or both
 * IPv6), behind one 802.1Q tag or an 802.1ad tag and an 802.1Q tag, with
 * valid checksums; then reads, for up to 2 s, what IFNAME receives. A
 * reply counts when it comes from DSTADDR to SRCADDR with our identifier,
 * a sequence we sent and valid checksums; it counts as tagged when its
 * tags are the ones we sent. (The kernel hands a packet socket the outer
 * tag apart from the frame, in PACKET_AUXDATA.) Prints
 * "sent N replies M tagged K"; exit 0 when K == N, 1 otherwise, 2 on bad
 * arguments. Test address ranges only: 198.18.0.0/15, 2001:db8::/32.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define ECHO_ID		0x5845
#define PAYLOAD		56
#define MAX_COUNT	10000

struct frame {
	uint8_t b[256];
	size_t len;
};

static void usage(const char *why, const char *arg)
{
	if (why)
		fprintf(stderr, "vecho: %s%s%s\n", why, arg ? ": " : "", arg ? arg : "");
	else
		fprintf(stderr, "usage: vecho [-n COUNT] [-t TAG[,TAG]] IFNAME DSTMAC SRCADDR DSTADDR\n");
	exit(2);
}

static uint32_t sum16(const uint8_t *p, size_t len, uint32_t sum)
{
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)p[i] << 8 | p[i + 1];
	if (len & 1)
		sum += (uint32_t)p[len - 1] << 8;
	return sum;
}

static uint16_t fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = v & 0xff;
}

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

/* The ICMP(v6) checksum of msg (len bytes); IPv6 adds its pseudo-header. */
static uint16_t icmp_sum(int v6, const uint8_t *src, const uint8_t *dst, const uint8_t *msg,
			 size_t len)
{
	uint32_t sum = 0;

	if (v6) {
		sum = sum16(src, 16, sum);
		sum = sum16(dst, 16, sum);
		sum += len;
		sum += 58;
	}
	return fold(sum16(msg, len, sum));
}

static int in_test_range(int v6, const uint8_t *a)
{
	if (v6)
		return a[0] == 0x20 && a[1] == 0x01 && a[2] == 0x0d && a[3] == 0xb8;
	return a[0] == 198 && (a[1] & 0xfe) == 18;
}

struct cfg {
	int v6, ntags;
	uint16_t tags[2];
	uint8_t src[16], dst[16];
	uint8_t smac[6], dmac[6];
	unsigned int count;
};

static void build(const struct cfg *c, uint16_t seq, struct frame *f)
{
	uint8_t *p = f->b, *ip, *icmp;
	size_t alen = c->v6 ? 16 : 4, ilen = 8 + PAYLOAD, i;

	memset(f, 0, sizeof(*f));
	memcpy(p, c->dmac, 6);
	memcpy(p + 6, c->smac, 6);
	p += 12;
	for (i = 0; i < (size_t)c->ntags; i++) {
		put16(p, c->ntags == 2 && i == 0 ? 0x88a8 : 0x8100);
		put16(p + 2, c->tags[i]);
		p += 4;
	}
	put16(p, c->v6 ? 0x86dd : 0x0800);
	ip = p + 2;
	if (c->v6) {
		ip[0] = 0x60;
		put16(ip + 4, ilen);
		ip[6] = 58;
		ip[7] = 64;
		memcpy(ip + 8, c->src, 16);
		memcpy(ip + 24, c->dst, 16);
		icmp = ip + 40;
	} else {
		ip[0] = 0x45;
		put16(ip + 2, 20 + ilen);
		put16(ip + 4, seq);
		ip[8] = 64;
		ip[9] = 1;
		memcpy(ip + 12, c->src, 4);
		memcpy(ip + 16, c->dst, 4);
		put16(ip + 10, fold(sum16(ip, 20, 0)));
		icmp = ip + 20;
	}
	icmp[0] = c->v6 ? 128 : 8;
	put16(icmp + 4, ECHO_ID);
	put16(icmp + 6, seq);
	for (i = 0; i < PAYLOAD; i++)
		icmp[8 + i] = (uint8_t)(seq + i);
	put16(icmp + 2, icmp_sum(c->v6, c->src, c->dst, icmp, ilen));
	f->len = icmp + ilen - f->b;
	(void)alen;
}

/*
 * A reply to us: returns its sequence, or 0. *tagged is set when its tags
 * (the outer one from auxdata when the kernel took it off) are ours.
 */
static unsigned int check_reply(const struct cfg *c, const uint8_t *b, size_t len,
				const struct tpacket_auxdata *aux, int *tagged)
{
	uint16_t tags[3], proto;
	const uint8_t *p = b + 12, *ip, *icmp;
	int n = 0, i;
	size_t ilen;

	if (aux && (aux->tp_status & TP_STATUS_VLAN_VALID))
		tags[n++] = aux->tp_vlan_tci;
	if (len < 14)
		return 0;
	proto = get16(p);
	while ((proto == 0x8100 || proto == 0x88a8) && n < 3 && p + 6 <= b + len) {
		tags[n++] = get16(p + 2);
		p += 4;
		proto = get16(p);
	}
	ip = p + 2;
	if (proto != (c->v6 ? 0x86dd : 0x0800))
		return 0;
	if (c->v6) {
		if (ip + 40 + 8 > b + len || ip[6] != 58 || memcmp(ip + 8, c->dst, 16) ||
		    memcmp(ip + 24, c->src, 16))
			return 0;
		icmp = ip + 40;
		ilen = get16(ip + 4);
	} else {
		if (ip + 20 + 8 > b + len || ip[9] != 1 || memcmp(ip + 12, c->dst, 4) ||
		    memcmp(ip + 16, c->src, 4) || fold(sum16(ip, 20, 0)))
			return 0;
		icmp = ip + 20;
		ilen = get16(ip + 2) - 20;
	}
	if (icmp + ilen > b + len || icmp[0] != (c->v6 ? 129 : 0) || get16(icmp + 4) != ECHO_ID ||
	    icmp_sum(c->v6, c->dst, c->src, icmp, ilen))
		return 0;
	*tagged = n == c->ntags;
	for (i = 0; i < n && *tagged; i++)
		*tagged = (tags[i] & 0x0fff) == c->tags[i];
	return get16(icmp + 6);
}

static void parse_args(int argc, char **argv, struct cfg *c, unsigned int *ifindex)
{
	char *end, *comma;
	unsigned long v;
	int opt, fam;

	memset(c, 0, sizeof(*c));
	c->count = 10;
	c->ntags = 1;
	c->tags[0] = 100;
	while ((opt = getopt(argc, argv, "n:t:")) != -1) {
		switch (opt) {
		case 'n':
			v = strtoul(optarg, &end, 10);
			if (*end || !v || v > MAX_COUNT)
				usage("bad count", optarg);
			c->count = v;
			break;
		case 't':
			comma = strchr(optarg, ',');
			c->ntags = comma ? 2 : 1;
			v = strtoul(optarg, &end, 10);
			if (end == optarg || (*end && end != comma) || !v || v > 4094)
				usage("bad tag", optarg);
			c->tags[0] = v;
			if (comma) {
				v = strtoul(comma + 1, &end, 10);
				if (*end || !v || v > 4094)
					usage("bad tag", optarg);
				c->tags[1] = v;
			}
			break;
		default:
			usage(NULL, NULL);
		}
	}
	if (argc - optind != 4)
		usage(NULL, NULL);
	*ifindex = if_nametoindex(argv[optind]);
	if (!*ifindex)
		usage("no such interface", argv[optind]);
	if (sscanf(argv[optind + 1], "%hhx:%hhx:%hhx:%hhx:%hhx:%hhx", &c->dmac[0], &c->dmac[1],
		   &c->dmac[2], &c->dmac[3], &c->dmac[4], &c->dmac[5]) != 6)
		usage("bad MAC address", argv[optind + 1]);
	c->v6 = strchr(argv[optind + 2], ':') != NULL;
	fam = c->v6 ? AF_INET6 : AF_INET;
	if (inet_pton(fam, argv[optind + 2], c->src) != 1 || !in_test_range(c->v6, c->src))
		usage("source not a test address", argv[optind + 2]);
	if (inet_pton(fam, argv[optind + 3], c->dst) != 1 || !in_test_range(c->v6, c->dst))
		usage("destination not a test address of the same family", argv[optind + 3]);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	static uint8_t seen[MAX_COUNT + 1];
	struct sockaddr_ll ll = { .sll_family = AF_PACKET, .sll_protocol = htons(ETH_P_ALL) };
	unsigned int ifindex, i, replies = 0, tagged = 0, seq;
	union {
		struct cmsghdr h;
		char buf[CMSG_SPACE(sizeof(struct tpacket_auxdata))];
	} ctl;
	struct ifreq ifr;
	struct frame f;
	struct cfg c;
	double until;
	int s, one = 1;

	parse_args(argc, argv, &c, &ifindex);
	s = socket(AF_PACKET, SOCK_RAW, htons(ETH_P_ALL));
	if (s < 0) {
		perror("vecho: socket");
		return 1;
	}
	ll.sll_ifindex = ifindex;
	memset(&ifr, 0, sizeof(ifr));
	if_indextoname(ifindex, ifr.ifr_name);
	if (bind(s, (struct sockaddr *)&ll, sizeof(ll)) ||
	    setsockopt(s, SOL_PACKET, PACKET_AUXDATA, &one, sizeof(one)) ||
	    ioctl(s, SIOCGIFHWADDR, &ifr)) {
		perror("vecho: socket set-up");
		return 1;
	}
	memcpy(c.smac, ifr.ifr_hwaddr.sa_data, 6);
	for (i = 1; i <= c.count; i++) {
		build(&c, i, &f);
		if (send(s, f.b, f.len, 0) != (ssize_t)f.len) {
			perror("vecho: send");
			return 1;
		}
	}
	until = now() + 2;
	while (tagged < c.count && now() < until) {
		struct pollfd pfd = { .fd = s, .events = POLLIN };
		struct sockaddr_ll from;
		struct iovec iov = { .iov_base = f.b, .iov_len = sizeof(f.b) };
		struct msghdr msg = { .msg_name = &from, .msg_namelen = sizeof(from),
				      .msg_iov = &iov, .msg_iovlen = 1,
				      .msg_control = &ctl, .msg_controllen = sizeof(ctl) };
		struct tpacket_auxdata *aux = NULL;
		struct cmsghdr *cm;
		ssize_t n;
		int ok = 0;

		if (poll(&pfd, 1, 100) <= 0)
			continue;
		n = recvmsg(s, &msg, MSG_TRUNC);
		if (n <= 0 || from.sll_pkttype == PACKET_OUTGOING || (size_t)n > sizeof(f.b))
			continue;
		for (cm = CMSG_FIRSTHDR(&msg); cm; cm = CMSG_NXTHDR(&msg, cm))
			if (cm->cmsg_level == SOL_PACKET && cm->cmsg_type == PACKET_AUXDATA)
				aux = (struct tpacket_auxdata *)CMSG_DATA(cm);
		seq = check_reply(&c, f.b, n, aux, &ok);
		if (!seq || seq > c.count || seen[seq])
			continue;
		seen[seq] = 1;
		replies++;
		tagged += ok;
	}
	printf("sent %u replies %u tagged %u\n", c.count, replies, tagged);
	return tagged == c.count ? 0 : 1;
}
