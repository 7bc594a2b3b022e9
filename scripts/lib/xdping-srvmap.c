// SPDX-License-Identifier: GPL-2.0
/*
 * xdping-srvmap: the bytes of one xdping_server attachment's maps
 * (maps/xdping_server.h), for scripts/xdping-server.sh. It reads what to
 * put in them, one item a line, and prints the bpftool batch commands
 * that do it (`... | bpftool batch file -`): layouts come from the header,
 * never from offsets typed into shell.
 *
 *   xdping-srvmap CONF ADDR4 ADDR6 VLANS ALLOW4 ALLOW6   (map ids)
 *
 * Lines on stdin:
 *   config TTL HOP_LIMIT ALLOW4 ALLOW6 LO_FWD
 *   addr ADDRESS IFINDEX          IPv4 or IPv6
 *   vlan VID IFINDEX              1..4095
 *   allow PREFIX                  IPv4 or IPv6, ADDRESS[/LEN]
 *
 * Exit: 0 done; 2 a bad line (named on stderr, nothing printed after it).
 */
#include <arpa/inet.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *helper_name = "xdping-srvmap";

#include "bpftool_cmd.h"
#include "../../maps/xdping_server.h"

static unsigned long ids[6];
enum { CONF, ADDR4, ADDR6, VLANS, ALLOW4, ALLOW6 };

static void hex(const void *p, size_t n)
{
	const uint8_t *b = p;
	size_t i;

	for (i = 0; i < n; i++)
		printf(" %02x", b[i]);
}

static void update(int map, const void *k, size_t kn, const void *v, size_t vn)
{
	printf("map update id %lu key hex", ids[map]);
	hex(k, kn);
	printf(" value hex");
	hex(v, vn);
	printf("\n");
}

/* ADDRESS[/LEN] -> family 4 or 6, the bytes, the length (default: all). */
static int prefix(const char *s, uint8_t a[16], uint32_t *len)
{
	char buf[INET6_ADDRSTRLEN + 8], *slash;
	int fam;

	if (strlen(s) >= sizeof(buf))
		return 0;
	strcpy(buf, s);
	slash = strchr(buf, '/');
	if (slash)
		*slash++ = '\0';
	if (inet_pton(AF_INET, buf, a) == 1)
		fam = 4;
	else if (inet_pton(AF_INET6, buf, a) == 1)
		fam = 6;
	else
		return 0;
	*len = fam == 4 ? 32 : 128;
	if (slash)
		*len = number(slash, *len, "bad prefix length in");
	return fam;
}

int main(int argc, char **argv)
{
	char line[256], what[16], a1[128], a2[32];
	int i, n;

	if (argc != 7) {
		fprintf(stderr, "usage: xdping-srvmap CONF ADDR4 ADDR6 VLANS ALLOW4 ALLOW6 < items\n");
		return EXIT_USAGE;
	}
	for (i = 0; i < 6; i++)
		ids[i] = number(argv[i + 1], 0xffffffffUL, "bad map id");
	while (fgets(line, sizeof(line), stdin)) {
		n = sscanf(line, "%15s %127s %31s", what, a1, a2);
		if (n <= 0)
			continue;
		if (!strcmp(what, "config")) {
			struct xdping_server_config c = { 0 };
			unsigned int ttl, hop, al4, al6, lo;
			uint32_t zero = 0;

			if (sscanf(line, "config %u %u %u %u %u", &ttl, &hop, &al4, &al6, &lo) != 5 ||
			    ttl > 255 || hop > 255 || al4 > 1 || al6 > 1 || lo > 3)
				die(EXIT_USAGE, "bad config line", line);
			c.ttl = ttl;
			c.hop_limit = hop;
			c.allow4 = al4;
			c.allow6 = al6;
			c.lo_fwd = lo;
			update(CONF, &zero, sizeof(zero), &c, sizeof(c));
		} else if (!strcmp(what, "addr") && n == 3) {
			struct xdping_addr_owner o;
			uint8_t a[16];
			uint32_t len;
			int fam = prefix(a1, a, &len);

			if (!fam || strchr(a1, '/'))
				die(EXIT_USAGE, "not an address", a1);
			o.ifindex = number(a2, 0x7fffffff, "bad ifindex");
			update(fam == 4 ? ADDR4 : ADDR6, a, fam == 4 ? 4 : 16, &o, sizeof(o));
		} else if (!strcmp(what, "vlan") && n == 3) {
			struct xdping_vlan k;
			struct xdping_vlan_dev d;

			k.vid = number(a1, 4095, "bad VLAN id");
			if (!k.vid)
				die(EXIT_USAGE, "bad VLAN id", a1);
			d.ifindex = number(a2, 0x7fffffff, "bad ifindex");
			update(VLANS, &k, sizeof(k), &d, sizeof(d));
		} else if (!strcmp(what, "allow") && n == 2) {
			struct xdping_allowed on = { 1 };
			struct xdping_prefix6 p6 = { 0 };
			struct xdping_prefix4 p4 = { 0 };
			uint8_t a[16];
			uint32_t len;
			int fam = prefix(a1, a, &len);

			if (!fam)
				die(EXIT_USAGE, "not an address or prefix", a1);
			if (fam == 4) {
				p4.prefixlen = len;
				memcpy(p4.addr, a, 4);
				update(ALLOW4, &p4, sizeof(p4), &on, sizeof(on));
			} else {
				p6.prefixlen = len;
				memcpy(p6.addr, a, 16);
				update(ALLOW6, &p6, sizeof(p6), &on, sizeof(on));
			}
		} else {
			die(EXIT_USAGE, "bad line", line);
		}
	}
	return 0;
}
