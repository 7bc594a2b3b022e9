// SPDX-License-Identifier: GPL-2.0
/*
 * xdping_client: an echo reply that belongs to a run in xdping_runs is
 * timed and sent straight back as the next request (XDP_TX), until the
 * run holds its samples; the last reply then goes up to the stack with
 * the sequence number ping sent. Every other frame passes untouched.
 */
#include "xdping.h"
#include "../maps/xdping_runs.h"

static __always_inline int pass(struct xdping_stats *st)
{
	st->passed++;
	return XDP_PASS;
}

SEC("xdp")
int xdping_client(struct xdp_md *ctx)
{
	struct xdping_stats *st = xdping_stats_of(XDPING_ROLE_CLIENT);
	struct xdping_key key = {};
	struct xdping_run *run;
	struct echo4 e;
	__be16 seq;
	__u64 now;
	__u32 i;

	if (!st)
		return XDP_PASS;
	if (parse_echo4(ctx, &e) != ICMP_ECHOREPLY)
		return pass(st);

	key.ifindex = ctx->ingress_ifindex;
	key.id = e.icmp->un.echo.id;
	key.family = XDPING_FAMILY_IPV4;
	__builtin_memcpy(key.addr, &e.ip->saddr, sizeof(e.ip->saddr));
	run = bpf_map_lookup_elem(&xdping_runs, &key);
	if (!run || run->seq != e.icmp->un.echo.sequence || run->done >= run->count)
		return pass(st);

	if (run->sent_ns) {
		now = bpf_ktime_get_ns();
		i = run->done;
		if (i >= XDPING_MAX_SAMPLES) {
			st->errors++;
			return XDP_PASS;
		}
		run->rtt_ns[i] = now - run->sent_ns;
		run->ttl[i] = e.ip->ttl;
		run->icmp_len = bpf_ntohs(e.ip->tot_len) - e.ip->ihl * 4;
		run->done = ++i;
		st->samples++;
		if (i >= run->count) {
			/* Hand ping back the reply to the request it sent. */
			csum_replace16(&e.icmp->checksum, e.icmp->un.echo.sequence,
				       run->first_seq);
			e.icmp->un.echo.sequence = run->first_seq;
			st->completed++;
			return pass(st);
		}
	}

	echo4_turn(&e, ICMP_ECHO);
	seq = bpf_htons(bpf_ntohs(e.icmp->un.echo.sequence) + 1);
	csum_replace16(&e.icmp->checksum, e.icmp->un.echo.sequence, seq);
	e.icmp->un.echo.sequence = seq;
	run->seq = seq;
	run->sent_ns = bpf_ktime_get_ns();
	st->answered++;
	return XDP_TX;
}

char _license[] SEC("license") = "GPL";
