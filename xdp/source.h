/* SPDX-License-Identifier: GPL-2.0 */
/*
 * One program, built three ways: every frame's source address is read
 * once, then counted and logged (SOURCE_LOG: xdp/srclog.o), matched
 * against per-interface prefix rules and maybe dropped (SOURCE_FILTER:
 * xdp/srcfilter.o), or both in one pass (xdp/srclog_filter.o: the log
 * then says which frames were dropped). The maps are the same whichever
 * object writes them, so srclog.sh and srcfilter.sh work with all three.
 *
 * Each object's .c defines the features, includes this file, and names
 * its program: source_main() is the whole of it.
 */
#ifndef XDPKIT_SOURCE_H
#define XDPKIT_SOURCE_H

#include "parsing.h"
#include "lookup.h"
#include "../maps/family.h"

#if !defined(SOURCE_LOG) || !defined(SOURCE_FILTER)
#error "define SOURCE_LOG and SOURCE_FILTER (0 or 1) before including source.h"
#endif

/*
 * A frame's source, as both features take it. Its first 24 bytes are laid
 * out as srclog's key (maps/srclog_sources.h), so srclog looks the source
 * up with it as it stands: no second key is built on the path every frame
 * takes (the bench found one copy more to cost about 4 ns).
 */
struct source {
	__u32 ifindex;
	__u8 family;		/* XDPKIT_FAMILY_IPV4 or XDPKIT_FAMILY_IPV6 */
	__u8 pad[3];		/* zero */
	__u8 addr[16];		/* IPv4 in addr[0..3], the rest zero */
	__u32 len;		/* frame length (Ethernet header on, FCS off) */
};

#if SOURCE_LOG
#include "../maps/srclog_sources.h"
#include "../maps/srclog_events.h"
#include "../maps/srclog_config.h"
#include "../maps/srclog_stats.h"

_Static_assert(__builtin_offsetof(struct source, ifindex) == __builtin_offsetof(struct srclog_key, ifindex) &&
	       __builtin_offsetof(struct source, family) == __builtin_offsetof(struct srclog_key, family) &&
	       __builtin_offsetof(struct source, pad) == __builtin_offsetof(struct srclog_key, pad) &&
	       __builtin_offsetof(struct source, addr) == __builtin_offsetof(struct srclog_key, addr) &&
	       __builtin_offsetof(struct source, len) == sizeof(struct srclog_key),
	       "struct source must begin with srclog_key's layout");

static __always_inline void count_source(struct srclog_stats *st, const struct source *s, __u64 now)
{
	const struct srclog_key *key = (const void *)s;
	struct srclog_source *v;

	v = bpf_map_lookup_elem(&srclog_sources, key);
	if (!v) {
		struct srclog_source first = {
			.packets = 1,
			.bytes = s->len,
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
	__sync_fetch_and_add(&v->bytes, s->len);
	if (v->last_seen_ns != now)
		v->last_seen_ns = now;
#else
	/* The source may be known from other CPUs only. */
	if (!v->packets)
		v->first_seen_ns = now;
	v->packets++;
	v->bytes += s->len;
	v->last_seen_ns = now;
#endif
}

/* log_source: the frame in the live log, with the action it got. */
static __always_inline void log_source(struct srclog_stats *st, const struct source *s, int action)
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
	e->ifindex = s->ifindex;
	e->len = s->len;
	__builtin_memcpy(e->addr, s->addr, sizeof(e->addr));
	e->family = s->family;
	/* Every field is written: reserved ring memory is not zeroed. */
	e->action = action;
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
#endif /* SOURCE_LOG */

#if SOURCE_FILTER
#include "../maps/srcfilter_rules.h"
#include "../maps/srcfilter_hits.h"
#include "../maps/srcfilter_stats.h"

#define NSEC_PER_SEC	1000000000ULL

/* filter_stats: the interface's entry (entry 0 past the last ifindex). */
static __always_inline struct srcfilter_stats *filter_stats(__u32 ifindex)
{
	__u32 i = ifindex < SRCFILTER_MAX_IFINDEX ? ifindex : 0;

	return bpf_map_lookup_elem(&srcfilter_stats, &i);
}

/* match: the rule for S, allow rules first; NULL when none matches. */
static __always_inline struct srcfilter_rule *match(const struct source *s, int *allowed)
{
	struct srcfilter_rule *r;

	if (s->family == XDPKIT_FAMILY_IPV4) {
		struct srcfilter_key4 k = {
			.prefixlen = SRCFILTER_IFINDEX_BITS + 32,
			.ifindex = s->ifindex,
		};

		__builtin_memcpy(k.addr, s->addr, sizeof(k.addr));
		r = lookup_here(&srcfilter_allow4, &k);
		*allowed = r != 0;
		return r ? r : lookup_here(&srcfilter_rules4, &k);
	} else {
		struct srcfilter_key6 k = {
			.prefixlen = SRCFILTER_IFINDEX_BITS + 128,
			.ifindex = s->ifindex,
		};

		__builtin_memcpy(k.addr, s->addr, sizeof(k.addr));
		r = lookup_here(&srcfilter_allow6, &k);
		*allowed = r != 0;
		return r ? r : lookup_here(&srcfilter_rules6, &k);
	}
}

/*
 * filter_source: what the rules say of S, counted; XDP_DROP or XDP_PASS.
 * NOW is the coarse clock, or 0 when the caller has not read it: then it
 * is read only for a frame that matches a rule.
 */
static __always_inline int filter_source(struct srcfilter_stats *fs, const struct source *s, __u64 now)
{
	int allowed = 0;
	struct srcfilter_rule *r = match(s, &allowed);
	struct srcfilter_hit *h;
	__u32 slot;

	if (!r) {
		fs->unmatched++;
		return XDP_PASS;
	}
	slot = r->slot;
	if (slot) {
		h = bpf_map_lookup_elem(&srcfilter_hits, &slot);
		if (h) {
			h->packets++;
			h->bytes += s->len;
		}
	}
	if (!now)
		now = bpf_ktime_get_coarse_ns();
	if (now - r->last_hit_ns >= NSEC_PER_SEC)
		r->last_hit_ns = now;
	/* An entry of the allow tries allows, whatever its action says. */
	if (allowed || r->action == SRCFILTER_ALLOW) {
		fs->allowed++;
		return XDP_PASS;
	}
	if (r->action == SRCFILTER_DROP) {
		fs->dropped++;
		return XDP_DROP;
	}
	fs->counted++;
	return XDP_PASS;
}
#endif /* SOURCE_FILTER */

/*
 * source_main: the source of an IPv4 or IPv6 frame (0, 1 or 2 VLAN tags,
 * IP options, any fragment), then each feature built in. Every other
 * frame passes, counted by class.
 */
static __always_inline int source_main(struct xdp_md *ctx)
{
	struct cursor c = { .pos = (void *)(long)ctx->data, .end = (void *)(long)ctx->data_end };
	struct source s = { .ifindex = ctx->ingress_ifindex, .len = c.end - c.pos };
	int action = XDP_PASS, proto, tags;
	struct ipv6hdr *ip6;
	struct ethhdr *eth;
	struct iphdr *ip;
	__u64 now;
#if SOURCE_LOG
	__u32 zero = 0;
	struct srclog_stats *st = bpf_map_lookup_elem(&srclog_stats, &zero);

	if (!st)
		return XDP_PASS;
#endif
#if SOURCE_FILTER
	struct srcfilter_stats *fs = filter_stats(s.ifindex);

	if (!fs)
		return XDP_PASS;
#endif

	proto = parse_eth(&c, &eth, &tags);
	if (proto == bpf_htons(ETH_P_IP)) {
		if (parse_ipv4_header(&c, &ip))
			goto malformed;
		s.family = XDPKIT_FAMILY_IPV4;
		__builtin_memcpy(s.addr, &ip->saddr, sizeof(ip->saddr));
	} else if (proto == bpf_htons(ETH_P_IPV6)) {
		if (parse_ipv6_header(&c, &ip6))
			goto malformed;
		s.family = XDPKIT_FAMILY_IPV6;
		__builtin_memcpy(s.addr, &ip6->saddr, sizeof(ip6->saddr));
	} else {
#if SOURCE_LOG
		/* parse_eth() stops after VLAN_MAX_DEPTH tags, on the next TPID. */
		if (proto < 0)
			st->truncated++;
		else if (proto_is_vlan(proto))
			st->vlan_deep++;
		else if (proto == bpf_htons(ETH_P_ARP))
			st->arp++;
		else if (proto == bpf_htons(ETH_P_LLDP))
			st->lldp++;
		else
			st->other++;
#endif
#if SOURCE_FILTER
		if (proto < 0)
			fs->malformed++;
		else
			fs->not_ip++;
		fs->xdp_pass++;
#endif
		return XDP_PASS;
	}

	/*
	 * The coarse clock (one jiffy) costs a fraction of bpf_ktime_get_ns(),
	 * which would make up a third of the per-frame cost; events, rarer,
	 * take the precise one. srclog needs it for every source; the filter
	 * alone, only for a frame a rule matches.
	 */
	now = SOURCE_LOG ? bpf_ktime_get_coarse_ns() : 0;
#if SOURCE_FILTER
	action = filter_source(fs, &s, now);
	if (action == XDP_DROP)
		fs->xdp_drop++;
	else
		fs->xdp_pass++;
#endif
#if SOURCE_LOG
	if (s.family == XDPKIT_FAMILY_IPV4)
		st->ipv4++;
	else
		st->ipv6++;
	count_source(st, &s, now);
	log_source(st, &s, action);
#endif
	return action;

malformed:
#if SOURCE_LOG
	st->malformed++;
#endif
#if SOURCE_FILTER
	fs->malformed++;
	fs->xdp_pass++;
#endif
	return XDP_PASS;
}

#endif
