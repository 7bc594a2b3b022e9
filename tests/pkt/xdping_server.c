// SPDX-License-Identifier: GPL-2.0
/*
 * xdp/xdping_server.o: which well-formed echo requests it answers (what
 * the host's stack would answer, with the reply the stack would send) and
 * which it leaves to the stack; the lab it runs in, the maps filled as
 * xdping-server.sh would, its counters.
 */
#define _GNU_SOURCE
#include "xdping.h"

void server_answer(const struct echo *in, const char *what)
{
	expect_answer(in, what);
}

void server_refuse(const struct echo *in, const char *what)
{
	expect_echo_pass(&server, in, what);
}

void server_sizes(const struct fam *f)
{
	char what[64];
	unsigned int plen;

	for (plen = 0; plen <= f->max_payload; plen++) {
		struct echo in = request(f, plen);

		snprintf(what, sizeof(what), "payload %u", plen);
		expect_answer(&in, what);
	}
	tap_end("%s: echo request (%u) -> reply (%u, XDP_TX), MACs and addresses swapped, %s %d "
		"(the config's), exact bytes, payload 0..%u", f->server, f->request, f->reply, f->ttl,
		f->v6 ? SRV_HOP : SRV_TTL, f->max_payload);
}

/* IPv4 options are the stack's: it fills in or refuses them (RFC 791, 1812). */
static void server_answer_no_options(const struct echo *in, const char *what)
{
	if (in->ip.opt_len)
		server_refuse(in, what);
	else
		server_answer(in, what);
}

void server_ihl(void)
{
	each_shape(&ipv4, request, NULL, 0, 1, server_answer_no_options);
	tap_end("server: IHL 5 answered; IHL 6..15 (record route, NOPs, EOL) -> XDP_PASS untouched");
}

/*
 * 2000 random requests between a and b (header fields, id, seq, payload,
 * no tag or the lab's VLAN 100): all answered; and 2000 from and to
 * random MACs and addresses, tags: none answered (not ours, no path back).
 */
void server_random(const struct fam *f, uint32_t s, const char *varied)
{
	char what[64];
	int i;

	for (i = 0; i < 2000; i++) {
		struct echo in = random_echo(f, &s, f->request), ab = request(f, 0);

		memcpy(in.dst, ab.dst, 6);
		memcpy(in.src, ab.src, 6);
		if (f->v6) {
			memcpy(in.ip6.saddr, ab.ip6.saddr, 16);
			memcpy(in.ip6.daddr, ab.ip6.daddr, 16);
		} else {
			in.ip.saddr = ab.ip.saddr;
			in.ip.daddr = ab.ip.daddr;
			set_ihl(&in, 5);
		}
		set_tags(&in, pkt_tags_1q, i & 1);
		snprintf(what, sizeof(what), "random request #%d (payload %u)", i, in.plen);
		expect_answer(&in, what);
	}
	for (i = 0; i < 2000; i++) {
		struct echo in = random_echo(f, &s, f->request);

		snprintf(what, sizeof(what), "random stranger #%d (payload %u)", i, in.plen);
		server_refuse(&in, what);
	}
	tap_end("%s: 2000 random requests a <- b answered (%s); 2000 between random MACs and "
		"addresses -> XDP_PASS untouched", f->server, varied);
}

/* The stack drops a request whose IP or ICMP checksum does not verify:
 * so must the server leave it to the stack (RFC 1122 3.2.1.2, 3.2.2). */
void server_bad_csums(const struct fam *f)
{
	static const uint16_t adj[] = { 1, 0x1234, 0x8000, 0xfffe };
	char what[80];
	size_t i, j;

	for (i = 0; i < ARRAY_SIZE(adj); i++)
		for (j = 0; j < NSIZES; j++) {
			struct echo in = request(f, f->sizes[j]);

			in.icmp_check_adj = adj[i];
			snprintf(what, sizeof(what), "payload %u, %s checksum off by %#x", in.plen,
				 f->icmp, in.icmp_check_adj);
			server_refuse(&in, what);
			if (f->v6)
				continue;
			in.icmp_check_adj = 0;
			in.ip.check_adj = adj[i];
			snprintf(what, sizeof(what), "payload %u, IP checksum off by %#x", in.plen,
				 in.ip.check_adj);
			server_refuse(&in, what);
		}
	tap_end("%s: a bad %s checksum -> XDP_PASS untouched (the stack drops it)", f->server,
		f->v6 ? "ICMPv6" : "IP or ICMP");
}

void server_tags(const struct fam *f, const struct pkt_vlan *tags, int ntags,
		 const char *desc, bool ours)
{
	each_shape(f, request, tags, ntags, 10, ours ? server_answer_no_options : server_refuse);
	tap_end("%s: %s: %s", f->server, desc, ours ? "answered, tag kept (IPv4: IHL 5 only)" :
		"-> XDP_PASS untouched");
}

/* One 802.1Q tag the lab has no VLAN device for, or priority bits. */
void server_other_tags(const struct fam *f)
{
	static const uint16_t tci[] = { 0x0065, 0x0000, 0x2064, 0x1064, 0xe064, 0x0fff };
	struct pkt_vlan t = { PKT_ETH_P_8021Q, 0 };
	char what[64];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(tci); i++) {
		struct echo in = request(f, 56);

		t.tci = tci[i];
		set_tags(&in, &t, 1);
		snprintf(what, sizeof(what), "802.1Q TCI %#06x", tci[i]);
		server_refuse(&in, what);
	}
	tap_end("%s: an 802.1Q tag of a VID with no VLAN device (101, 4095), VID 0, or priority/DEI "
		"bits -> XDP_PASS untouched", f->server);
}

void server_l2(const struct fam *f)
{
	static const uint8_t dst[][6] = {
		{ 0x33, 0x33, 0x00, 0x00, 0x00, 0x01 }, { 0x33, 0x33, 0xff, 0x12, 0x34, 0x02 },
		{ 0xff, 0xff, 0xff, 0xff, 0xff, 0xff }, { 0x01, 0x00, 0x5e, 0x00, 0x00, 0x01 },
		{ 0x03, 0x11, 0x22, 0x33, 0x44, 0x55 },
	};
	char what[64];
	struct echo in;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(dst); i++) {
		in = request(f, 56);
		memcpy(in.dst, dst[i], 6);
		snprintf(what, sizeof(what), "destination MAC %02x:%02x:%02x:...", dst[i][0],
			 dst[i][1], dst[i][2]);
		expect_echo_pass(&server, &in, what);
		set_tags(&in, pkt_tags_qinq, 2);
		expect_echo_pass(&server, &in, what);
	}
	in = request(f, 56);
	set_tags(&in, pkt_tags_3, 3);
	expect_echo_pass(&server, &in, "three tags");
	tap_end("%s: broadcast/multicast (01:00:5e:..., 33:33:...) destination MAC, three VLAN "
		"tags (more than parsed) -> XDP_PASS untouched", f->server);
}

/* A request to a, and one from a: both pass untouched. */
static void addr_refused(const struct fam *f, const uint8_t a[16])
{
	struct echo in = request(f, 56);
	uint8_t src[16], dst[16];
	char what[80], buf[INET6_ADDRSTRLEN];

	addrs_get(&in, src, dst);
	addrs_set(&in, src, a);
	snprintf(what, sizeof(what), "destination %s", addr_str(&in, a, buf));
	expect_echo_pass(&server, &in, what);
	addrs_set(&in, a, dst);
	snprintf(what, sizeof(what), "source %s", buf);
	expect_echo_pass(&server, &in, what);
}

void server_ip_group(void)
{
	static const uint8_t bad[][16] = {
		{ 224, 0, 0, 1 }, { 239, 255, 255, 250 }, { 240, 0, 0, 1 },
		{ 255, 255, 255, 255 }, { 0 },
	};
	struct echo in;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(bad); i++)
		addr_refused(&ipv4, bad[i]);
	in = request(&ipv4, 56);
	in.ip.daddr = 0xdfffffff;
	in.ip.saddr = 0x01000000;
	server_refuse(&in, "223.255.255.255 from 1.0.0.0 (unicast, not ours)");
	tap_end("server: multicast/broadcast/zero IP destination or source -> XDP_PASS untouched");
}

/* Unicast, however close to the refused ones: one bit set anywhere, fe.., 00ff.. */
static void server6_near_group(void)
{
	char what[64];
	struct echo in;
	int j;

	for (j = 0; j < 16; j++) {
		in = request(&ipv6, 56);
		memset(in.ip6.saddr, 0, 16);
		in.ip6.saddr[j] = j == 0 ? 0x80 : 1;
		snprintf(what, sizeof(what), "source with byte %d alone set", j);
		server_refuse(&in, what);
		in = request(&ipv6, 56);
		memset(in.ip6.daddr, 0, 16);
		in.ip6.daddr[j] = j == 15 ? 0x80 : 1;
		snprintf(what, sizeof(what), "destination with byte %d alone set", j);
		server_refuse(&in, what);
	}
	in = request(&ipv6, 56);
	in.ip6.saddr[0] = 0xfe;
	in.ip6.daddr[0] = 0x00;
	in.ip6.daddr[1] = 0xff;
	server_refuse(&in, "fe01:db8:... to 00ff:db8:... (unicast, not ours)");
	in = request(&ipv6, 56);
	in.ip6.saddr[0] = in.ip6.daddr[0] = 0xfe;
	in.ip6.saddr[1] = in.ip6.daddr[1] = 0xff;
	server_refuse(&in, "feff:db8:... to feff:db8:... (unicast, not ours)");
}

void server6_ip_group(void)
{
	static const uint8_t bad[][16] = {
		{ 0xff, 0x02, [15] = 1 },
		{ 0xff, 0x01, [15] = 1 },
		{ 0xff, 0x05, [15] = 2 },
		{ 0xff, 0x0e, [13] = 1, [14] = 0x01, [15] = 0x01 },
		{ 0xff, 0x02, [11] = 1, [12] = 0xff, [13] = 0x12, [14] = 0x34, [15] = 0x02 },
		{ 0xff },
		{ 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
		  0xff, 0xff, 0xff },
		{ 0 },
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(bad); i++)
		addr_refused(&ipv6, bad[i]);
	server6_near_group();
	tap_end("server IPv6: multicast (ff00::/8) destination or source, :: source or "
		"destination, unicast next to them that is not ours -> XDP_PASS untouched");
}

void server_types_codes(const struct fam *f, const char *included)
{
	char what[64];
	unsigned int v;

	for (v = 0; v < 256; v++) {
		struct echo in = request(f, 56);

		if (v == f->request)
			continue;
		in.type = v;
		snprintf(what, sizeof(what), "%s type %u", f->icmp, v);
		expect_echo_pass(&server, &in, what);
	}
	tap_end("%s: every %s type but %u (%s) -> XDP_PASS untouched", f->server, f->icmp,
		f->request, included);
	for (v = 1; v < 256; v++) {
		struct echo in = request(f, 56);

		in.code = v;
		snprintf(what, sizeof(what), "%s code %u", f->icmp, v);
		expect_echo_pass(&server, &in, what);
	}
	tap_end("%s: echo request with code 1..255 -> XDP_PASS untouched", f->server);
}

/* 7 frames the server lets pass, for the counters. */
void server_others4(void)
{
	struct echo in = request(&ipv4, 56);
	struct pkt p;

	in.type = ECHO_REPLY;
	expect_echo_pass(&server, &in, "reply");
	in = request(&ipv4, 56);
	in.dst[0] = 0xff;
	expect_echo_pass(&server, &in, "multicast MAC");
	in = request(&ipv4, 56);
	in.ip.frag = PKT_IP_MF;
	expect_echo_pass(&server, &in, "fragment");
	in = request(&ipv4, 56);
	in.ip.proto = 17;
	expect_echo_pass(&server, &in, "UDP");
	in = request(&ipv4, 56);
	in.pad = 1;
	expect_echo_pass(&server, &in, "trailing byte");
	put_arp(&p);
	expect_pass(&server, &p, "ARP");
	p.len = PKT_ETH_HLEN;
	expect_pass(&server, &p, "Ethernet header only");
}

/* 6 frames the server lets pass, for the counters. */
void server_others6(void)
{
	struct echo in = request(&ipv6, 56);

	in.type = ECHO6_REPLY;
	expect_echo_pass(&server, &in, "reply");
	in = request(&ipv6, 56);
	in.type = 135;
	expect_echo_pass(&server, &in, "neighbour solicitation");
	in = request(&ipv6, 56);
	in.dst[0] = 0x33;
	expect_echo_pass(&server, &in, "multicast MAC");
	in = request(&ipv6, 56);
	in.ip6.daddr[0] = 0xff;
	expect_echo_pass(&server, &in, "multicast destination");
	in = request(&ipv6, 56);
	ext_header(&in, 0, 8);
	ext_padn(&in);
	expect_echo_pass(&server, &in, "hop-by-hop");
	in = request(&ipv6, 56);
	in.pad = 1;
	expect_echo_pass(&server, &in, "trailing byte");
}

/* 5 requests, then others() feeds n frames to pass, nreq of them echo
 * requests: answered moves by 5, passed by nreq (only echo requests left
 * to the stack are counted: other frames cost a parse and nothing else). */
void server_counters(const struct fam *f, void (*others)(void), unsigned int n,
		     unsigned int nreq)
{
	struct xdping_stats before, d = { .answered = 5, .passed = nreq };
	char what[64];
	int i;

	if (stats_get(&server, XDPING_ROLE_SERVER, &before)) {
		for (i = 0; i < 5; i++) {
			struct echo in = request(f, i * 100);

			expect_answer(&in, "request");
		}
		others();
		snprintf(what, sizeof(what), "5 requests, %u others", n);
		stats_moved(&server, &before, &d, what);
	}
	tap_end("%s: counters: answered +5, passed +%u over 5 requests and %u other frames "
		"(%u of them echo requests)", f->server, nreq, n, nreq);
}

/* The counters match every verdict seen, and the client's entry is untouched. */
void server_totals(void)
{
	struct xdping_stats st, other;

	if (stats_get(&server, XDPING_ROLE_SERVER, &st) &&
	    stats_get(&server, XDPING_ROLE_CLIENT, &other)) {
		tap_check(st.answered == server.tx, "answered %llu, XDP_TX seen %llu",
			  (unsigned long long)st.answered, (unsigned long long)server.tx);
		tap_check(st.passed && st.passed < server.pass, "passed %llu, XDP_PASS seen %llu",
			  (unsigned long long)st.passed, (unsigned long long)server.pass);
		tap_check(!st.samples && !st.completed && !st.errors,
			  "samples/completed/errors moved");
		tap_check(!other.passed && !other.answered && !other.samples &&
			  !other.completed && !other.errors, "client entry moved");
	}
	tap_end("server: counters over the whole test: answered = %llu XDP_TX, passed < %llu "
		"XDP_PASS (echo requests only)", (unsigned long long)server.tx,
		(unsigned long long)server.pass);
}

static int srv_map(const char *name)
{
	return bpf_object__find_map_fd_by_name(server.bpf, name);
}

bool srv_config(uint8_t ttl, uint8_t hop, uint8_t allow4, uint8_t allow6)
{
	struct xdping_server_config c = { .ttl = ttl, .hop_limit = hop, .allow4 = allow4,
					  .allow6 = allow6 };
	uint32_t zero = 0;

	return !bpf_map_update_elem(srv_map("xdping_srvconf"), &zero, &c, BPF_ANY);
}

static bool srv_addr(const struct fam *f, const uint8_t a[16], bool add)
{
	struct xdping_addr_owner o = { srv_if };
	int fd = srv_map(f->v6 ? "xdping_addr6" : "xdping_addr4");

	return add ? !bpf_map_update_elem(fd, a, &o, BPF_ANY) : !bpf_map_delete_elem(fd, a);
}

/*
 * xdpsrv0 (a's MAC, a's addresses) and its peer xdpsrv1, up; b reached
 * through xdpsrv0 by a host route and a permanent neighbour entry (b's
 * MAC), everything else through xdpsrv1 (default routes); forwarding on
 * lo (the FIB helper's condition); the maps filled as xdping-server.sh
 * would: TTL/hop limit, a's two addresses, VLAN 100 as a device whose
 * route is xdpsrv0's own (this kernel has no 802.1Q devices).
 */
bool server_lab(void)
{
	static const char *cmds[] = {
		"ip link add xdpsrv0 address 02:11:22:33:44:55 type veth peer name xdpsrv1",
		"ip link set xdpsrv0 up && ip link set xdpsrv1 up",
		"echo 1 > /proc/sys/net/ipv4/conf/lo/forwarding",
		"echo 1 > /proc/sys/net/ipv6/conf/lo/forwarding",
		"ip addr add 198.18.0.1/32 dev xdpsrv0",
		"ip -6 addr add 2001:db8::1/128 dev xdpsrv0 nodad",
		"ip route add 198.19.7.2/32 dev xdpsrv0",
		"ip -6 route add 2001:db8:a1:b2c:0:ff:fe12:3402/128 dev xdpsrv0",
		"ip neigh add 198.19.7.2 lladdr 0a:bb:cc:dd:ee:f1 dev xdpsrv0 nud permanent",
		"ip -6 neigh add 2001:db8:a1:b2c:0:ff:fe12:3402 lladdr 0a:bb:cc:dd:ee:f1 "
		"dev xdpsrv0 nud permanent",
		"ip -6 route add 2001:db8::2/128 dev xdpsrv0",
		"ip -6 neigh add 2001:db8::2 lladdr 0a:bb:cc:dd:ee:f1 dev xdpsrv0 nud permanent",
		"ip route add default dev xdpsrv1",
		"ip -6 route add default dev xdpsrv1",
	};
	struct xdping_vlan v = { 100 };
	struct xdping_vlan_dev d;
	uint8_t a4[16] = { 198, 18, 0, 1 };
	bool ok = true;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cmds) && ok; i++)
		ok = tap_check(system(cmds[i]) == 0, "lab: %s failed", cmds[i]);
	srv_if = if_nametoindex("xdpsrv0");
	d.ifindex = srv_if;
	ok = ok && tap_check(srv_if, "lab: no xdpsrv0") &&
	     tap_check(srv_config(SRV_TTL, SRV_HOP, 0, 0), "lab: config") &&
	     tap_check(srv_addr(&ipv4, a4, true) && srv_addr(&ipv6, addr6_a, true), "lab: addresses") &&
	     tap_check(!bpf_map_update_elem(srv_map("xdping_vlans"), &v, &d, BPF_ANY), "lab: vlans");
	tap_end("server: lab: a veth end with a's MAC and addresses, b's route and neighbour, maps "
		"filled");
	return ok;
}

/* The request from b to a with its source (src) or destination replaced by addr. */
static struct echo with_addr(const struct fam *f, const uint8_t addr[16], bool src)
{
	struct echo in = request(f, 56);
	uint8_t s[16], d[16];

	addrs_get(&in, s, d);
	if (src)
		addrs_set(&in, addr, d);
	else
		addrs_set(&in, s, addr);
	return in;
}

/*
 * What only the host can tell: each request here is well formed, with
 * good checksums, and only one thing differs from one the server answers.
 */
void server_host(const struct fam *f)
{
	static const uint8_t v4[][16] = {
		{ 198, 18, 0, 2 },	/* destination: not ours */
		{ 198, 18, 0, 1 },	/* source: our own address */
		{ 127, 0, 0, 1 }, { 0, 0, 0, 1 }, { 169, 254, 1, 1 },
		{ 198, 19, 7, 3 },	/* no route back this way */
	};
	static const uint8_t v6[][16] = {
		{ 0x20, 0x01, 0x0d, 0xb8, [15] = 2 },
		{ 0x20, 0x01, 0x0d, 0xb8, [15] = 1 },
		{ [15] = 1 }, { 0xfe, 0x80, [15] = 1 },
		{ [10] = 0xff, [11] = 0xff, 198, 19, 7, 2 },
		{ 0x20, 0x01, 0x0d, 0xb8, 0x00, 0xa1, 0x0b, 0x2c, [15] = 3 },
	};
	static const uint8_t other_mac[6] = { 0x0a, 0xbb, 0xcc, 0xdd, 0xee, 0xf2 };
	const uint8_t (*bad)[16] = f->v6 ? v6 : v4;
	char what[80], buf[INET6_ADDRSTRLEN];
	uint8_t gone[16];
	struct echo in;
	size_t i;

	for (i = 0; i < 6; i++) {
		in = with_addr(f, bad[i], i > 0);
		snprintf(what, sizeof(what), "%s %s", i ? "source" : "destination",
			 addr_str(&in, bad[i], buf));
		server_refuse(&in, what);
	}
	/* fe80:: destination too, even when listed */
	if (f->v6 && tap_check(srv_addr(f, v6[3], true), "add fe80::1")) {
		in = with_addr(f, v6[3], false);
		server_refuse(&in, "destination fe80::1 (listed)");
		srv_addr(f, v6[3], false);
	}
	/* An address in the map the host no longer has: the FIB says so. */
	memset(gone, 0, 16);
	memcpy(gone, bad[0], f->v6 ? 16 : 4);
	if (tap_check(srv_addr(f, gone, true), "add a stale address")) {
		in = with_addr(f, gone, false);
		server_refuse(&in, "destination in the map, not on the host");
		srv_addr(f, gone, false);
	}
	in = request(f, 56);
	memcpy(in.src, other_mac, 6);
	server_refuse(&in, "source MAC not b's neighbour entry");
	in = request(f, 56);
	memcpy(in.dst, other_mac, 6);
	server_refuse(&in, "destination MAC another host's (bridge, promiscuous)");
	in = request(f, 56);
	server_answer(&in, "the same request, unchanged");
	tap_end("%s: destination not ours (or listed but gone from the host, or link-local), "
		"source ours, loopback, martian, link-local, v4-mapped or routed elsewhere, "
		"source MAC not the neighbour's, destination MAC not ours -> XDP_PASS untouched",
		f->server);
}

/* The allowed-source list, and a config never set (a plain ip load). */
void server_allow_unset(void)
{
	struct xdping_prefix4 p4 = { 16, { 198, 19 } }, q4 = { 8, { 10 } };
	struct xdping_prefix6 p6 = { 48, { 0x20, 0x01, 0x0d, 0xb8, 0x00, 0xa1 } };
	struct xdping_allowed on = { 1 };
	int a4 = srv_map("xdping_allow4"), a6 = srv_map("xdping_allow6");
	struct echo r4 = request(&ipv4, 56), r6 = request(&ipv6, 56);

	if (!tap_check(!bpf_map_update_elem(a4, &q4, &on, BPF_ANY), "allow 10/8") ||
	    !srv_config(SRV_TTL, SRV_HOP, 1, 1))
		goto out;
	server_refuse(&r4, "allow list 10.0.0.0/8");
	server_refuse(&r6, "allow list on, no IPv6 prefix");
	bpf_map_update_elem(a4, &p4, &on, BPF_ANY);
	bpf_map_update_elem(a6, &p6, &on, BPF_ANY);
	server_answer(&r4, "allow list 10.0.0.0/8, 198.19.0.0/16");
	server_answer(&r6, "allow list 2001:db8:a1::/48");
	srv_config(SRV_TTL, SRV_HOP, 0, 0);
	bpf_map_delete_elem(a4, &p4);
	bpf_map_delete_elem(a4, &q4);
	bpf_map_delete_elem(a6, &p6);
	srv_config(0, 0, 0, 0);
	server_refuse(&r4, "config all zero (plain ip load)");
	server_refuse(&r6, "config all zero (plain ip load)");
	srv_config(SRV_TTL, 0, 0, 0);
	server_answer(&r4, "hop limit 0: IPv4 still answered");
	server_refuse(&r6, "hop limit 0 (IPv6 off on the interface)");
	srv_config(SRV_TTL, SRV_HOP, 0, 0);
	server_answer(&r6, "config back");
out:
	tap_end("server: allowed-source prefixes (LPM) in force: others -> XDP_PASS; a config never "
		"set (plain ip load) answers nothing; hop limit 0 answers no IPv6");
}
