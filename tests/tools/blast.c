// SPDX-License-Identifier: GPL-2.0
/*
 * blast: sends UDP frames from many source addresses, for the srclog tests.
 *
 *   blast [-6] [-r NSRC] [-n PER] [-s BYTES] IFNAME DSTMAC SRCADDR DSTADDR
 *
 * Through an AF_PACKET SOCK_RAW socket bound to IFNAME, sends NSRC x PER
 * Ethernet frames (IPv4/UDP, or IPv6/UDP with -6 or when the addresses are
 * IPv6) from SRCADDR, SRCADDR+1, ... SRCADDR+NSRC-1 (PER frames each, in
 * PER rounds over the sources) to DSTADDR, UDP port 9 (discard), with a
 * payload of BYTES (default 18: IPv4 frames of 60 bytes, IPv6 of 80).
 * The Ethernet source is IFNAME's own address. IP and UDP checksums are
 * valid. Addresses must lie in 198.18.0.0/15 or 2001:db8::/32 (test
 * ranges only). Prints nothing; exit 0 when every frame was handed to the
 * kernel, 1 when sending failed, 2 on bad arguments (one line on stderr).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <netinet/ip.h>
#include <netinet/ip6.h>
#include <netinet/udp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_SOURCES	(1ul << 20)
#define MAX_FRAMES	(10ul * 1000 * 1000)
#define MAX_PAYLOAD	1400

static void usage(const char *why, const char *arg)
{
	if (why)
		fprintf(stderr, "blast: %s%s%s\n", why, arg ? ": " : "", arg ? arg : "");
	else
		fprintf(stderr, "usage: blast [-6] [-r NSRC] [-n PER] [-s BYTES] "
			"IFNAME DSTMAC SRCADDR DSTADDR\n");
	exit(2);
}

static unsigned long count(const char *s, unsigned long min, unsigned long max, const char *what)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || end == s || *end || *s == '-' || v < min || v > max)
		usage(what, s);
	return v;
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

/* addr + n, as a big-endian number of len bytes. */
static void add_to(uint8_t *addr, size_t len, unsigned long n)
{
	size_t i = len;
	unsigned long carry = n;

	while (carry && i--) {
		carry += addr[i];
		addr[i] = carry & 0xff;
		carry >>= 8;
	}
}

/* 198.18.0.0/15 or 2001:db8::/32. */
static int test_range(int v6, const uint8_t *a)
{
	static const uint8_t doc6[4] = { 0x20, 0x01, 0x0d, 0xb8 };

	if (v6)
		return !memcmp(a, doc6, sizeof(doc6));
	return a[0] == 198 && (a[1] & 0xfe) == 18;
}

int main(int argc, char **argv)
{
	unsigned long nsrc = 1, per = 1, payload = 18, r, s, sent = 0;
	uint8_t src[16], dst[16], first[16], last[16], mac[ETH_ALEN], frame[1600];
	struct sockaddr_ll sll = { 0 };
	struct ifreq ifr = { 0 };
	int opt, v6 = 0, force6 = 0, fd;
	size_t alen, hlen, len;
	unsigned int m[ETH_ALEN];
	char tail;

	while ((opt = getopt(argc, argv, "+6r:n:s:")) != -1) {
		switch (opt) {
		case '6':
			force6 = 1;
			break;
		case 'r':
			nsrc = count(optarg, 1, MAX_SOURCES, "NSRC is not a number from 1 to 1048576");
			break;
		case 'n':
			per = count(optarg, 1, MAX_FRAMES, "PER is not a number from 1 to 10000000");
			break;
		case 's':
			payload = count(optarg, 0, MAX_PAYLOAD, "BYTES is not a number from 0 to 1400");
			break;
		default:
			usage(NULL, NULL);
		}
	}
	if (argc - optind != 4)
		usage(NULL, NULL);
	if (nsrc * per > MAX_FRAMES)
		usage("NSRC x PER is more than 10000000 frames", NULL);
	if (strlen(argv[optind]) >= IF_NAMESIZE || !if_nametoindex(argv[optind]))
		usage("no such interface", argv[optind]);
	if (sscanf(argv[optind + 1], "%x:%x:%x:%x:%x:%x%c", &m[0], &m[1], &m[2], &m[3], &m[4],
		   &m[5], &tail) != 6)
		usage("not a MAC address", argv[optind + 1]);
	for (s = 0; s < ETH_ALEN; s++) {
		if (m[s] > 0xff)
			usage("not a MAC address", argv[optind + 1]);
		mac[s] = m[s];
	}
	memset(src, 0, sizeof(src));
	memset(dst, 0, sizeof(dst));
	v6 = force6 || strchr(argv[optind + 2], ':');
	if (inet_pton(v6 ? AF_INET6 : AF_INET, argv[optind + 2], src) != 1)
		usage(v6 ? "not an IPv6 address" : "not an IPv4 address", argv[optind + 2]);
	if (inet_pton(v6 ? AF_INET6 : AF_INET, argv[optind + 3], dst) != 1)
		usage(v6 ? "not an IPv6 address" : "not an IPv4 address", argv[optind + 3]);
	alen = v6 ? 16 : 4;
	memcpy(first, src, alen);
	memcpy(last, src, alen);
	add_to(last, alen, nsrc - 1);
	if (!test_range(v6, first) || !test_range(v6, last) || memcmp(last, first, alen) < 0)
		usage(v6 ? "sources must lie in 2001:db8::/32" : "sources must lie in 198.18.0.0/15",
		      argv[optind + 2]);
	if (!test_range(v6, dst))
		usage(v6 ? "DSTADDR must lie in 2001:db8::/32" : "DSTADDR must lie in 198.18.0.0/15",
		      argv[optind + 3]);

	fd = socket(AF_PACKET, SOCK_RAW, 0);
	if (fd < 0) {
		fprintf(stderr, "blast: socket(AF_PACKET): %s\n", strerror(errno));
		return 1;
	}
	strncpy(ifr.ifr_name, argv[optind], IF_NAMESIZE - 1);
	if (ioctl(fd, SIOCGIFHWADDR, &ifr)) {
		fprintf(stderr, "blast: %s: no MAC address: %s\n", argv[optind], strerror(errno));
		return 1;
	}
	sll.sll_family = AF_PACKET;
	sll.sll_ifindex = if_nametoindex(argv[optind]);
	sll.sll_protocol = 0;	/* send only: no frame is ever read */
	if (bind(fd, (struct sockaddr *)&sll, sizeof(sll))) {
		fprintf(stderr, "blast: bind %s: %s\n", argv[optind], strerror(errno));
		return 1;
	}

	/* Ethernet */
	memcpy(frame, mac, ETH_ALEN);
	memcpy(frame + ETH_ALEN, ifr.ifr_hwaddr.sa_data, ETH_ALEN);
	frame[12] = v6 ? 0x86 : 0x08;
	frame[13] = v6 ? 0xdd : 0x00;
	hlen = ETH_HLEN + (v6 ? sizeof(struct ip6_hdr) : sizeof(struct iphdr));
	len = hlen + sizeof(struct udphdr) + payload;
	for (s = 0; s < payload; s++)
		frame[hlen + sizeof(struct udphdr) + s] = "xdpkit-blast      "[s % 18];

	for (r = 0; r < per; r++) {
		memcpy(src, first, alen);
		for (s = 0; s < nsrc; s++, add_to(src, alen, 1)) {
			struct udphdr *udp = (struct udphdr *)(frame + hlen);
			uint16_t ulen = sizeof(*udp) + payload;
			uint32_t pseudo;

			if (v6) {
				struct ip6_hdr *ip6 = (struct ip6_hdr *)(frame + ETH_HLEN);

				memset(ip6, 0, sizeof(*ip6));
				ip6->ip6_flow = htonl(6u << 28);
				ip6->ip6_plen = htons(ulen);
				ip6->ip6_nxt = IPPROTO_UDP;
				ip6->ip6_hlim = 64;
				memcpy(&ip6->ip6_src, src, 16);
				memcpy(&ip6->ip6_dst, dst, 16);
			} else {
				struct iphdr *ip = (struct iphdr *)(frame + ETH_HLEN);

				memset(ip, 0, sizeof(*ip));
				ip->version = 4;
				ip->ihl = 5;
				ip->tot_len = htons(sizeof(*ip) + ulen);
				ip->id = htons((uint16_t)sent);
				ip->ttl = 64;
				ip->protocol = IPPROTO_UDP;
				memcpy(&ip->saddr, src, 4);
				memcpy(&ip->daddr, dst, 4);
				ip->check = fold(sum16(ip, sizeof(*ip), 0));
			}
			udp->source = htons(40000 + (s & 0x3fff));
			udp->dest = htons(9);
			udp->len = htons(ulen);
			udp->check = 0;
			pseudo = sum16(src, alen, 0);
			pseudo = sum16(dst, alen, pseudo);
			pseudo += IPPROTO_UDP + ulen;
			udp->check = fold(sum16(udp, ulen, pseudo));
			if (!udp->check)
				udp->check = 0xffff;

			while (send(fd, frame, len, 0) != (ssize_t)len) {
				struct timespec ts = { 0, 1000000 };

				/* A full device queue: wait and send the same frame again. */
				if (errno != ENOBUFS && errno != EAGAIN && errno != EINTR) {
					fprintf(stderr, "blast: sending on %s: %s\n", argv[optind],
						strerror(errno));
					return 1;
				}
				nanosleep(&ts, NULL);
			}
			sent++;
		}
	}
	close(fd);
	return 0;
}
