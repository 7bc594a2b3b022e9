// SPDX-License-Identifier: GPL-2.0
/*
 * xdping_client: an echo reply that belongs to a run in xdping_runs is
 * timed and sent straight back as the next request (XDP_TX), until the
 * run holds its samples; the last reply then goes up to the stack with
 * the sequence number ping sent. Every other frame passes untouched.
 *
 * A chain starts at the reply to a carrier (ping's request with the run's
 * identifier and first_seq); another carrier's reply restarts a chain that
 * stalled. Each request we send carries a sequence number the run has not
 * used before, and a sample is taken only for the reply carrying the
 * sequence of the request in flight: a late reply of an abandoned chain
 * never matches, so it is never a sample.
 */
#include "xdping.h"
#include "../maps/xdping_runs.h"

/* The reply comes from the run's remote address. */
static __always_inline int from_target(const struct echo *e, const struct xdping_run *run)
{
	__u32 a[4], r[4];

	__builtin_memcpy(r, run->addr, sizeof(r));
	if (e->family == 4) {
		__builtin_memcpy(a, &e->ip->saddr, 4);
		return a[0] == r[0];
	}
	__builtin_memcpy(a, &e->ip6->saddr, sizeof(a));
	return ((a[0] ^ r[0]) | (a[1] ^ r[1]) | (a[2] ^ r[2]) | (a[3] ^ r[3])) == 0;
}

SEC("xdp")
int xdping_client(struct xdp_md *ctx)
{
	struct xdping_stats *st = xdping_stats_of(XDPING_ROLE_CLIENT);
	struct xdping_key key = {};
	struct xdping_run *run;
	struct echo e;
	__be16 seq;
	__u16 old, next;
	__u64 now;
	__u32 i;
	int type;

	if (!st)
		return XDP_PASS;
	/* Untagged traffic that is not ICMP(v6) passes after two loads. */
	if (other_protocol(ctx))
		return pass(st);
	type = parse_echo(ctx, &e);
	if (type < 0)
		return pass(st);

	if (type != (e.family == 4 ? ICMP_ECHOREPLY : ICMPV6_ECHO_REPLY))
		return pass(st);
	key.ifindex = ctx->ingress_ifindex;
	key.id = e.icmp->id;
	key.family = e.family;
	run = bpf_map_lookup_elem(&xdping_runs, &key);
	if (!run || run->done >= run->count || !from_target(&e, run))
		return pass(st);

	/* One clock read per bounce: a sample runs from the reply that sent
	 * a request to the reply that answers it, our turnaround included. */
	now = bpf_ktime_get_ns();
	if (e.icmp->seq == run->first_seq) {
		/* A carrier's reply: nothing of ours was in flight for it, so
		 * no sample; whatever chain was in flight is abandoned. */
		run->chains++;
	} else if (e.icmp->seq == run->seq && run->sent_ns) {
		i = run->done;
		if (i >= XDPING_MAX_SAMPLES) {
			st->errors++;
			return XDP_PASS;
		}
		run->rtt_ns[i] = now - run->sent_ns;
		run->at_ns[i] = now;
		run->seqs[i] = e.icmp->seq;
		run->ttl[i] = e.family == 4 ? e.ip->ttl : e.ip6->hop_limit;
		run->icmp_len = e.icmp_len;
		run->done = ++i;
		st->samples++;
		if (i >= run->count) {
			/* Hand ping back the reply to the request it sent. */
			csum_replace2(&e.icmp->checksum, e.icmp->seq,
				       run->first_seq);
			e.icmp->seq = run->first_seq;
			st->completed++;
			return pass(st);
		}
	} else {
		/* A reply to a request no longer in flight (an abandoned
		 * chain, a duplicate), or to none of ours. */
		return pass(st);
	}

	echo_turn(&e);
	old = word_at(&e.icmp->type);
	e.icmp->type = e.family == 4 ? ICMP_ECHO : ICMPV6_ECHO_REQUEST;
	/* A sequence this run has not sent yet: one past the last one sent,
	 * never the carriers' own. */
	next = bpf_ntohs(run->seq) + 1;
	if (bpf_htons(next) == run->first_seq)
		next++;
	seq = bpf_htons(next);
	csum_replace2x2(&e.icmp->checksum, old, word_at(&e.icmp->type),
			 e.icmp->seq, seq);
	e.icmp->seq = seq;
	run->seq = seq;
	run->sent_ns = now;
	return answer(st);
}

char _license[] SEC("license") = "GPL";
