// SPDX-License-Identifier: GPL-2.0
/*
 * srclog: counts every frame's IPv4 or IPv6 source address in
 * srclog_sources and, when srclog_config asks for it, puts it in the live
 * log srclog_events. Other frames are counted by EtherType class in
 * srclog_stats. Nothing is ever modified or dropped: every path is XDP_PASS.
 */
#include "parsing.h"
#include "../maps/srclog_sources.h"
#include "../maps/srclog_events.h"
#include "../maps/srclog_config.h"
#include "../maps/srclog_stats.h"

static __always_inline void count_source(struct srclog_stats *st, const struct srclog_key *key,
					 __u32 len, __u64 now)
{
	struct srclog_source *v = bpf_map_lookup_elem(&srclog_sources, key);

	if (!v) {
		struct srclog_source first = {
			.packets = 1,
			.bytes = len,
			.first_seen_ns = now,
			.last_seen_ns = now,
		};

		/*
		 * BPF_ANY: should another CPU add the source meanwhile, this
		 * writes only this CPU's share of it, which was empty.
		 */
		if (bpf_map_update_elem(&srclog_sources, key, &first, BPF_ANY))
			st->source_errors++;
		else
			st->new_sources++;
		return;
	}
#ifdef SRCLOG_SHARED
	__sync_fetch_and_add(&v->packets, 1);
	__sync_fetch_and_add(&v->bytes, len);
	if (v->last_seen_ns != now)
		v->last_seen_ns = now;
#else
	/* The source may be known from other CPUs only. */
	if (!v->packets)
		v->first_seen_ns = now;
	v->packets++;
	v->bytes += len;
	v->last_seen_ns = now;
#endif
}

static __always_inline void log_source(struct xdp_md *ctx, struct srclog_stats *st,
				       const struct srclog_key *key, __u32 len)
{
	__u32 zero = 0, every;
	__u64 avail;
	struct srclog_config *cfg = bpf_map_lookup_elem(&srclog_config, &zero);
	struct srclog_event *e;

	if (!cfg || !cfg->log_every)
		return;
	every = cfg->log_every;
	if (st->sample_tick++ % every) {
		st->sampled_out++;
		return;
	}
	/* Never waits: with no room the event is lost, and counted. */
	e = bpf_ringbuf_reserve(&srclog_events, sizeof(*e), 0);
	if (!e) {
		st->ring_full++;
		return;
	}
	e->timestamp_ns = bpf_ktime_get_ns();
	e->ifindex = ctx->ingress_ifindex;
	e->len = len;
	__builtin_memcpy(e->addr, key->addr, sizeof(e->addr));
	e->family = key->family;
	/* Reserved ring memory is not zeroed. */
	e->pad = 0;
	/*
	 * Waking the reader costs microseconds, far more than the rest of
	 * the program: it is woken once when a batch has piled up, and
	 * otherwise finds the events when it polls on its own.
	 */
	avail = bpf_ringbuf_query(&srclog_events, BPF_RB_AVAIL_DATA);
	bpf_ringbuf_submit(e, avail >= SRCLOG_WAKE_BYTES && avail < SRCLOG_WAKE_BYTES + SRCLOG_EVENT_BYTES ?
			      BPF_RB_FORCE_WAKEUP : BPF_RB_NO_WAKEUP);
	st->logged++;
}

SEC("xdp")
int srclog(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	struct cursor c = { .pos = data, .end = (void *)(long)ctx->data_end };
	__u32 zero = 0, len = c.end - c.pos;
	struct srclog_stats *st = bpf_map_lookup_elem(&srclog_stats, &zero);
	struct srclog_key key = {};
	struct ipv6hdr *ip6;
	struct ethhdr *eth;
	struct iphdr *ip;
	int proto, tags;
	__u64 now;

	if (!st)
		return XDP_PASS;
	proto = parse_eth(&c, &eth, &tags);
	if (proto < 0) {
		st->truncated++;
		return XDP_PASS;
	}
	if (proto == bpf_htons(ETH_P_IP)) {
		if (parse_ipv4_header(&c, &ip)) {
			st->malformed++;
			return XDP_PASS;
		}
		key.family = XDPKIT_FAMILY_IPV4;
		__builtin_memcpy(key.addr, &ip->saddr, sizeof(ip->saddr));
		st->ipv4++;
	} else if (proto == bpf_htons(ETH_P_IPV6)) {
		if (parse_ipv6_header(&c, &ip6)) {
			st->malformed++;
			return XDP_PASS;
		}
		key.family = XDPKIT_FAMILY_IPV6;
		__builtin_memcpy(key.addr, &ip6->saddr, sizeof(ip6->saddr));
		st->ipv6++;
	} else {
		/* parse_eth() stops after VLAN_MAX_DEPTH tags, on the next TPID. */
		if (proto_is_vlan(proto))
			st->vlan_deep++;
		else if (proto == bpf_htons(ETH_P_ARP))
			st->arp++;
		else if (proto == bpf_htons(ETH_P_LLDP))
			st->lldp++;
		else
			st->other++;
		return XDP_PASS;
	}

	/*
	 * The coarse clock (one jiffy) costs a fraction of bpf_ktime_get_ns(),
	 * which would make up a third of the per-frame cost; events, rarer,
	 * take the precise one.
	 */
	now = bpf_ktime_get_coarse_ns();
	key.ifindex = ctx->ingress_ifindex;
	count_source(st, &key, len, now);
	log_source(ctx, st, &key, len);
	return XDP_PASS;
}

char _license[] SEC("license") = "GPL";
