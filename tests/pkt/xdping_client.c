// SPDX-License-Identifier: GPL-2.0
/*
 * xdp/xdping_client.o: which replies belong to a run (interface, family,
 * identifier, source address, sequence) and which pass untouched, over
 * sizes, options, tags and random fields; its counters.
 */
#define _GNU_SOURCE
#include "xdping.h"

void client_ifindex(void)
{
	struct echo r = reply(&ipv4, 1, 56), want = r;
	struct chain c;

	turn(&want, ECHO_REQUEST);
	want.seq = 2;
	if (chain_start(&c, 1, &r, 1, 1)) {
		tap_check(lo == 1, "lo has ifindex %u", lo);
		expect_echo(&client, 0, &r, XDP_TX, &want, "no ctx_in, run keyed with ifindex 1");
		chain_end(&c);
	}
	tap_end("client: without ctx_in the ingress ifindex is lo's (1); tests pass ctx_in "
		"ingress_ifindex = lo (%u)", lo);
}

void client_no_run(void)
{
	struct echo r = reply(&ipv4, 1, 56);

	expect_echo_pass(&client, &r, "no run at all");
	r.seq = 2;
	expect_echo_pass(&client, &r, "no run at all, seq 2");
	tap_end("client: a reply with no run in the map -> XDP_PASS untouched");
}

void client_sizes(const struct fam *f)
{
	char what[64];
	unsigned int plen;

	for (plen = 0; plen <= f->max_payload; plen++) {
		struct echo t = reply(f, 1, plen);

		snprintf(what, sizeof(what), "payload %u", plen);
		if (!chain_run(1, 1, &t, what))
			break;
	}
	tap_end("%s: count 1, payload 0..%u: next request (XDP_TX) and the handed-back reply, "
		"exact bytes, run state", f->client, f->max_payload);
}

struct echo reply_seq1(const struct fam *f, uint16_t plen)
{
	return reply(f, 1, plen);
}

/* A run of 2 from t's sequence on. */
void client_run2(const struct echo *t, const char *what)
{
	char buf[96];

	snprintf(buf, sizeof(buf), "%s (count 2)", what);
	chain_run(2, t->seq, t, buf);
}

void client_ihl(void)
{
	each_shape(&ipv4, reply_seq1, NULL, 0, 1, client_run2);
	tap_end("client: IHL 5..15, count 2: exact bytes, options kept, icmp_len right");
}

void client_tags(const struct fam *f, const struct pkt_vlan *tags, int ntags,
		 const char *desc)
{
	each_shape(f, reply_seq1, tags, ntags, 10, client_run2);
	tap_end("%s: %s, count 2: exact bytes, tags kept", f->client, desc);
}

void client_ids_seqs(void)
{
	static const uint16_t ids[] = { 0, 1, 0x0100, 0x7e4a, 0xffff };
	static const uint16_t firsts[] = { 0, 0x00ff, 0x0100, 0x7fff, 0xfffe, 0xffff };
	char what[64];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(ids); i++) {
		struct echo t = echo_from_b(&ipv4, ECHO_REPLY, ids[i], 0, 56);

		snprintf(what, sizeof(what), "id %#x", ids[i]);
		chain_run(3, 1, &t, what);
	}
	for (i = 0; i < ARRAY_SIZE(firsts); i++) {
		struct echo t = reply(&ipv4, 0, 56);

		snprintf(what, sizeof(what), "first seq %#x", firsts[i]);
		chain_run(3, firsts[i], &t, what);
	}
	tap_end("client: echo ids 0..ffff, first seqs incl. 0 and a wrap past ffff, count 3");
}

void client_random(const struct fam *f, uint32_t s, const char *varied)
{
	char what[64];
	int i;

	for (i = 0; i < 300; i++) {
		struct echo t = random_echo(f, &s, f->reply);
		uint16_t count = 1 + pkt_rand(&s) % 4, first = pkt_rand(&s);

		t.id = first ^ 0x5a5a;
		snprintf(what, sizeof(what), "random run #%d (count %u, payload %u)", i, count,
			 t.plen);
		if (!chain_run(count, first, &t, what))
			break;
	}
	tap_end("%s: 300 random runs (%s, ids, first seqs, tags, payloads, count 1..4)",
		f->client, varied);
}

/* Replies from sources near c's: each byte off by a bit, - 1, reversed, a's, swapped. */
static void wrong_sources(const struct chain *c, const struct echo *t)
{
	unsigned int n = fam_of(t)->addr_len, i;
	uint8_t src[16], dst[16], a[16];
	char what[64];
	struct echo r;

	addrs_get(t, src, dst);
	for (i = 0; i < n; i++) {
		r = chain_reply(c, t);
		memcpy(a, src, 16);
		a[i] ^= 1;
		addrs_set(&r, a, dst);
		snprintf(what, sizeof(what), "source with byte %u off by one bit", i);
		foreign_echo(c, &r, what);
	}
	r = chain_reply(c, t);
	memcpy(a, src, 16);
	a[n - 1]--;
	addrs_set(&r, a, dst);
	foreign_echo(c, &r, "source - 1");
	r = chain_reply(c, t);
	for (i = 0; i < n; i++)
		a[i] = src[n - 1 - i];
	addrs_set(&r, a, dst);
	foreign_echo(c, &r, "source bytes reversed");
	r = chain_reply(c, t);
	addrs_set(&r, dst, dst);
	foreign_echo(c, &r, "source = destination");
	r = chain_reply(c, t);
	swap_addrs(&r);
	foreign_echo(c, &r, "addresses swapped");
}

void client_mismatch(const struct fam *f)
{
	static const uint16_t ids[] = { CLIENT_ID + 1, CLIENT_ID - 1, 0x7e4a, 0 };
	static const int off[] = { -1, 1, -3, 2, 100, -100 };	/* -2 is the carriers' */
	struct echo t = reply(f, 1, 56), t7 = t, r;
	struct chain c, other;
	char what[64];
	uint16_t seq;
	size_t i;

	if (!chain_midway(&c, &t))
		goto out;
	seq = ntohs(c.v.seq);
	for (i = 0; i < ARRAY_SIZE(ids); i++) {
		r = chain_reply(&c, &t);
		r.id = ids[i];
		snprintf(what, sizeof(what), "id %#x", ids[i]);
		foreign_echo(&c, &r, what);
	}
	for (i = 0; i < ARRAY_SIZE(off); i++) {
		r = chain_reply(&c, &t);
		r.seq = seq + off[i];
		snprintf(what, sizeof(what), "seq %u (run waits for %u)", r.seq, seq);
		foreign_echo(&c, &r, what);
	}
	r = chain_reply(&c, &t);
	r.seq = seq << 8 | seq >> 8;
	foreign_echo(&c, &r, "seq byte-swapped");
	wrong_sources(&c, &t);
	/* The same reply for a run on another interface: lo's has another id. */
	t7.id = CLIENT_ID + 7;
	if (chain_start(&other, lo + 1000, &t7, 5, 1)) {
		r = chain_reply(&other, &t7);
		foreign_echo(&other, &r, "run on ifindex lo+1000");
		run_is(&c.key, &c.v, "lo's run");
		chain_end(&other);
	}
	chain_goes_on(&c, &t);
out:
	tap_end("%s: wrong id, seq (before/after, byte-swapped), source address (any byte of "
		"the %u) or ifindex -> XDP_PASS untouched, run unchanged", f->client, f->addr_len);
}

/* A run on each device; a reply only counts on the device of its run. */
void client_other_device(void)
{
	static const char desc[] = "client: run keyed on a second device: its reply on lo, or "
				   "lo's reply on it -> XDP_PASS untouched, runs unchanged";
	struct echo t = reply(&ipv4, 1, 56), t3, r;
	struct chain on_lo, on_other;
	struct pkt p;

	if (!other_if) {
		tap_skip("no second device (needs its own netns and ip link add)", desc);
		return;
	}
	t.id = CLIENT_ID + 2;
	t3 = t;
	t3.id = CLIENT_ID + 3;
	if (!chain_midway(&on_lo, &t))
		goto out;
	if (chain_start(&on_other, other_if, &t3, 5, 1)) {
		r = chain_reply(&on_other, &t3);
		echo_build(&r, &p);
		foreign_on(&on_lo, lo, &p, "other device's reply on lo");
		run_is(&on_other.key, &on_other.v, "other device's run");
		chain_step(&on_other, &r, "other device's reply on it");
		r = chain_reply(&on_lo, &t);
		echo_build(&r, &p);
		foreign_on(&on_other, other_if, &p, "lo's reply on the other device");
		chain_end(&on_other);
	}
	chain_goes_on(&on_lo, &t);
out:
	tap_end("%s", desc);
}

/*
 * Runs of both families whose keys differ only in the family: the IPv4
 * address 32.1.13.184 and the IPv6 address 2001:db8:: share their 16
 * key bytes, as do 198.19.7.2 and c613:702::.
 */
void client_family(void)
{
	struct echo t4 = reply(&ipv4, 1, 56), t6 = reply(&ipv6, 1, 56), r;
	struct chain c4, c6;
	int n;

	t4.ip.saddr = 0x20010db8;
	memset(t6.ip6.saddr + 4, 0, 12);
	if (!chain_midway(&c6, &t6))
		goto out;
	r = chain_reply(&c6, &t4);
	foreign_echo(&c6, &r, "IPv4 reply from 32.1.13.184, IPv6 run of 2001:db8::");
	chain_goes_on(&c6, &t6);

	t4.ip.saddr = ADDR_B;
	memset(t6.ip6.saddr, 0, 16);
	pkt_set32(t6.ip6.saddr, ADDR_B);
	if (!chain_midway(&c4, &t4))
		goto out;
	r = chain_reply(&c4, &t6);
	foreign_echo(&c4, &r, "IPv6 reply from c613:702::, IPv4 run of 198.19.7.2");
	chain_goes_on(&c4, &t4);

	/* Both at once, same ifindex, id and seq: each reply moves its own run only. */
	t4.ip.saddr = 0x20010db8;
	memcpy(t6.ip6.saddr, addr6_a, 4);
	memset(t6.ip6.saddr + 4, 0, 12);
	if (!chain_start(&c4, lo, &t4, 3, 9) || !chain_start(&c6, lo, &t6, 3, 9))
		goto out;
	tap_check(!memcmp(c4.v.addr, c6.v.addr, 16) && c4.key.id == c6.key.id,
		  "the two keys differ in more than the family");
	for (n = 0; n < 4; n++) {
		r = chain_reply(&c6, &t6);
		if (!chain_step(&c6, &r, "IPv6 reply, both runs seeded") ||
		    !run_is(&c4.key, &c4.v, "IPv4 run after an IPv6 reply"))
			break;
		r = chain_reply(&c4, &t4);
		if (!chain_step(&c4, &r, "IPv4 reply, both runs seeded") ||
		    !run_is(&c6.key, &c6.v, "IPv6 run after an IPv4 reply"))
			break;
	}
	chain_end(&c4);
	chain_end(&c6);
out:
	tap_end("client: the family is part of the key: an IPv4 reply never moves an IPv6 run "
		"with the same first 4 address bytes, nor the reverse; both run side by side");
}

void client_totals(void)
{
	struct xdping_stats st;

	if (stats_get(&client, XDPING_ROLE_CLIENT, &st)) {
		tap_check(st.answered == client.tx, "answered %llu, XDP_TX seen %llu",
			  (unsigned long long)st.answered, (unsigned long long)client.tx);
		tap_check(st.passed + st.errors == client.pass,
			  "passed %llu + errors %llu, XDP_PASS seen %llu",
			  (unsigned long long)st.passed, (unsigned long long)st.errors,
			  (unsigned long long)client.pass);
		tap_check(st.samples == want_samples && st.completed == want_completed &&
			  st.errors == want_errors,
			  "samples/completed/errors %llu/%llu/%llu, want %llu/%llu/%llu",
			  (unsigned long long)st.samples, (unsigned long long)st.completed,
			  (unsigned long long)st.errors, (unsigned long long)want_samples,
			  (unsigned long long)want_completed, (unsigned long long)want_errors);
	}
	tap_end("client: counters over the whole test match the verdicts, samples and runs seen");
}
