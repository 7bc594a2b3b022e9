// SPDX-License-Identifier: GPL-2.0
/*
 * Packet tests of xdp/xdping_server.o and xdp/xdping_client.o, ICMP echo
 * over IPv4 and ICMPv6 echo over IPv6: crafted frames through
 * BPF_PROG_TEST_RUN, the verdict and every byte out checked against a
 * frame built here from scratch (ICMPv6 checksums over the pseudo-header),
 * run state and counters checked around them. TAP on stdout. Most tests
 * take the family (struct fam) and run once for each.
 *
 *   xdping_test [-t NAME]... [DIR]     DIR holds the objects (default: xdp)
 *
 * -t runs only the tests whose name contains NAME (each result line ends
 * with its test's name), as the kernel's test_progs -t does; the object a
 * test needs is loaded, and the server's lab made, on the way to the first
 * one. The tests live by feature: xdping_server.c, xdping_client.c,
 * xdping_chain.c (the client's runs), xdping_parsing.c (frames neither
 * object may take), on the frame model of xdping_frames.c; this file
 * lists them in the order they run.
 *
 * It moves into a network namespace of its own, where lo is ifindex 1 and
 * a second device (dummy or veth, made with ip(8)) lets the client's
 * ifindex match be tested. Frames are fed with an xdp_md context whose
 * ingress_ifindex is lo's unless said otherwise.
 */
#define _GNU_SOURCE
#include "xdping.h"

struct obj server = { .name = "xdping_server", .role = XDPING_ROLE_SERVER,
		      .stats = -1, .runs = -1 };
struct obj client = { .name = "xdping_client", .role = XDPING_ROLE_CLIENT,
		      .stats = -1, .runs = -1 };
uint32_t lo, other_if, srv_if;

static const char *dir;

/* The server loaded and its lab made, once, before the first server test
 * (their result lines carry no test's name: they are nobody's in particular). */
static bool server_ready(void)
{
	static int ready = -1;
	const char *name = tap.name;

	tap.name = NULL;
	if (ready < 0)
		ready = load(&server, dir) && server_lab();
	tap.name = name;
	return ready;
}

static bool client_ready(void)
{
	static int ready = -1;
	const char *name = tap.name;

	tap.name = NULL;
	if (ready < 0)
		ready = load(&client, dir);
	tap.name = name;
	return ready;
}

#define SERVER(name, call) do { if (pkt_want(name) && server_ready()) call; } while (0)
#define CLIENT(name, call) do { if (pkt_want(name) && client_ready()) call; } while (0)

static void server_tests(void)
{
	SERVER("server/host/ipv4", server_host(&ipv4));
	SERVER("server/host/ipv6", server_host(&ipv6));
	SERVER("server/allow_unset", server_allow_unset());
	SERVER("server/other_tags/ipv4", server_other_tags(&ipv4));
	SERVER("server/other_tags/ipv6", server_other_tags(&ipv6));
	SERVER("server/sizes/ipv4", server_sizes(&ipv4));
	SERVER("server/ihl", server_ihl());
	SERVER("server/random/ipv4",
	       server_random(&ipv4, 20261122, "TOS, TTL, DF, id, seq, VLAN 100 or none, payload"));
	SERVER("server/bad_csums/ipv4", server_bad_csums(&ipv4));
	SERVER("server/tags/1q/ipv4",
	       server_tags(&ipv4, pkt_tags_1q, 1, "one 802.1Q tag, VID 100 (a VLAN device's)", true));
	SERVER("server/tags/qinq/ipv4",
	       server_tags(&ipv4, pkt_tags_qinq, 2, "802.1ad + 802.1Q tags", false));
	SERVER("server/tags/qq/ipv4", server_tags(&ipv4, pkt_tags_qq, 2, "two 802.1Q tags", false));
	SERVER("server/l2/ipv4", server_l2(&ipv4));
	SERVER("server/ip_group/ipv4", server_ip_group());
	SERVER("server/types_codes/ipv4", server_types_codes(&ipv4, "echo reply included"));
	SERVER("parsing/server/not_ipv4_icmp", server_not_ipv4_icmp());
	SERVER("parsing/server/bad/ipv4",
	       server_bad(&ipv4, "fragments, total length over the frame, version != 4, IHL < 5, "
			  "other EtherType or IP protocol"));
	SERVER("parsing/server/padding", server_padding());
	SERVER("parsing/server/truncations/ipv4", server_truncations(&ipv4));
	SERVER("server/counters/ipv4", server_counters(&ipv4, server_others4, 7, 1));
	SERVER("parsing/server/builder6", server6_builder());
	SERVER("server/sizes/ipv6", server_sizes(&ipv6));
	SERVER("server/tags/1q/ipv6",
	       server_tags(&ipv6, pkt_tags_1q, 1, "one 802.1Q tag, VID 100 (a VLAN device's)", true));
	SERVER("server/tags/qinq/ipv6",
	       server_tags(&ipv6, pkt_tags_qinq, 2, "802.1ad + 802.1Q tags", false));
	SERVER("server/tags/qq/ipv6", server_tags(&ipv6, pkt_tags_qq, 2, "two 802.1Q tags", false));
	SERVER("server/random/ipv6",
	       server_random(&ipv6, 20261123, "traffic class, flow label, hop limit, id, seq, "
			     "VLAN 100 or none, payload"));
	SERVER("server/bad_csums/ipv6", server_bad_csums(&ipv6));
	SERVER("server/l2/ipv6", server_l2(&ipv6));
	SERVER("server/ip_group/ipv6", server6_ip_group());
	SERVER("server/types_codes/ipv6",
	       server_types_codes(&ipv6, "echo reply 129, neighbour solicitation 135, IPv4's 8 "
				  "included"));
	SERVER("parsing/server/bad/ipv6",
	       server_bad(&ipv6, "any next header but 58 (hop-by-hop, routing, fragment, "
			  "destination options, AH before ICMPv6 included), payload length over or "
			  "under the frame, trailing bytes, version != 6"));
	SERVER("parsing/server/truncations/ipv6", server_truncations(&ipv6));
	SERVER("server/counters/ipv6", server_counters(&ipv6, server_others6, 6, 2));
	SERVER("server/totals", server_totals());
}

static void client_tests(void)
{
	CLIENT("client/ifindex", client_ifindex());
	CLIENT("client/no_run", client_no_run());
	CLIENT("chain/steps/ipv4", client_steps(&ipv4));
	CLIENT("client/sizes/ipv4", client_sizes(&ipv4));
	CLIENT("client/ihl", client_ihl());
	CLIENT("client/tags/1q/ipv4", client_tags(&ipv4, pkt_tags_1q, 1, "one 802.1Q tag"));
	CLIENT("client/tags/qinq/ipv4",
	       client_tags(&ipv4, pkt_tags_qinq, 2, "802.1ad + 802.1Q tags"));
	CLIENT("client/ids_seqs", client_ids_seqs());
	CLIENT("parsing/client/padding", client_padding());
	CLIENT("chain/max_samples/ipv4", client_max_samples(&ipv4, 1));
	CLIENT("chain/over_max", client_over_max());
	CLIENT("client/mismatch/ipv4", client_mismatch(&ipv4));
	CLIENT("chain/restart/ipv4", client_restart(&ipv4));
	CLIENT("chain/skip_first/ipv4", client_skip_first(&ipv4));
	CLIENT("client/other_device", client_other_device());
	CLIENT("parsing/client/not_reply/ipv4", client_not_reply(&ipv4));
	CLIENT("parsing/client/malformed/ipv4",
	       client_malformed(&ipv4, "as fragment, with a bad length/version/IHL, another "
				"EtherType or IP protocol"));
	CLIENT("parsing/client/truncations/ipv4", client_truncations(&ipv4));
	CLIENT("chain/steps/ipv6", client_steps(&ipv6));
	CLIENT("client/sizes/ipv6", client_sizes(&ipv6));
	CLIENT("client/tags/1q/ipv6", client_tags(&ipv6, pkt_tags_1q, 1, "one 802.1Q tag"));
	CLIENT("client/tags/qinq/ipv6",
	       client_tags(&ipv6, pkt_tags_qinq, 2, "802.1ad + 802.1Q tags"));
	CLIENT("client/random/ipv6",
	       client_random(&ipv6, 20261124, "2001:db8::/32 addresses, hop limits"));
	CLIENT("chain/max_samples/ipv6", client_max_samples(&ipv6, 0xfff0));
	CLIENT("client/mismatch/ipv6", client_mismatch(&ipv6));
	CLIENT("chain/restart/ipv6", client_restart(&ipv6));
	CLIENT("client/family", client_family());
	CLIENT("parsing/client/not_reply/ipv6", client_not_reply(&ipv6));
	CLIENT("parsing/client/malformed/ipv6",
	       client_malformed(&ipv6, "behind an extension header (hop-by-hop, fragment, ...), "
				"with a bad payload length, trailing bytes or version != 6"));
	CLIENT("parsing/client/truncations/ipv6", client_truncations(&ipv6));
	CLIENT("client/totals", client_totals());
}

int main(int argc, char **argv)
{
	dir = pkt_args(argc, argv);
	other_if = pkt_own_netns("xdpkt0");
	lo = if_nametoindex("lo");
	server_tests();
	client_tests();
	return tap_done();
}
