// SPDX-License-Identifier: GPL-2.0
/*
 * The benchmarks' own XDP programs (never installed, never in xdp/):
 *
 * bench_tx     writes the frame's first BENCH_HDR bytes from bench_tmpl,
 *              then returns XDP_TX. Run with BPF_PROG_TEST_RUN in
 *              live-frames mode (BPF_F_TEST_XDP_LIVE_FRAMES), every test
 *              frame leaves through the ingress_ifindex given in the
 *              context: a packet generator with no copy to user space.
 *              The headers are rewritten because live mode recycles its
 *              pages without restoring their bytes: a responder that
 *              answered in place (XDP_TX) left a reply in the page, and
 *              the next run of that page would send the reply again.
 * bench_count  on the generator's side of the veth pair: counts IPv4 ICMP
 *              echo replies (and echo requests: the bare reflector of
 *              reflect_kern.c sends them back as they were) in a per-CPU
 *              array and drops them (the stack would only spend time on
 *              them); everything else passes.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/in.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "../../xdp/proto.h"

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} bench_replies SEC(".maps");

/* Ethernet, IPv4 (IHL 5) and ICMP echo headers. */
#define BENCH_HDR	(14 + 20 + 8)

struct bench_hdr {
	__u8 b[BENCH_HDR];
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct bench_hdr);
} bench_tmpl SEC(".maps");

SEC("xdp")
int bench_tx(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	struct bench_hdr *t;
	__u32 zero = 0;

	t = bpf_map_lookup_elem(&bench_tmpl, &zero);
	if (!t || data + BENCH_HDR > end)
		return XDP_ABORTED;
	__builtin_memcpy(data, t->b, BENCH_HDR);
	return XDP_TX;
}

SEC("xdp")
int bench_count(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip = (void *)(eth + 1);
	struct echohdr *icmp = (void *)(ip + 1);
	__u32 zero = 0;
	__u64 *n;

	/* IHL 5 is all the generator sends. */
	if ((void *)(icmp + 1) > end || eth->h_proto != bpf_htons(ETH_P_IP) ||
	    ip->ihl != 5 || ip->protocol != IPPROTO_ICMP ||
	    (icmp->type != ICMP_ECHOREPLY && icmp->type != ICMP_ECHO))
		return XDP_PASS;
	n = bpf_map_lookup_elem(&bench_replies, &zero);
	if (n)
		(*n)++;
	return XDP_DROP;
}

char _license[] SEC("license") = "GPL";
