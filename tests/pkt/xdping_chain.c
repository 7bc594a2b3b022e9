// SPDX-License-Identifier: GPL-2.0
/*
 * The client's runs: a model of what xdping_runs must hold (struct chain),
 * stepped reply by reply beside the object, and the tests of a run's
 * life: samples, completion, the map's limits, restarts after a stall,
 * the carriers' sequence skipped after a wrap.
 */
#define _GNU_SOURCE
#include "xdping.h"

uint64_t want_samples, want_completed, want_errors;

/*
 * Slack between CLOCK_MONOTONIC read here and bpf_ktime_get_ns() in the
 * program: it only has to tell a timestamp of this run from a wrong one.
 */
#define CLOCK_SLACK_NS 1000000ull

/* The key of a run for the replies t stands for: its id and family. */
static struct xdping_key run_key(uint32_t ifindex, const struct echo *t)
{
	struct xdping_key k;

	memset(&k, 0, sizeof(k));
	k.ifindex = ifindex;
	k.id = htons(t->id);
	k.family = fam_of(t)->family;
	return k;
}

static bool run_get(const struct xdping_key *k, struct xdping_run *v, const char *what)
{
	return tap_check(!bpf_map_lookup_elem(client.runs, k, v), "%s: run lookup: %s", what,
			 strerror(errno));
}

/* Seeds a run on ifindex for the replies t stands for (id, family, source address). */
bool chain_start(struct chain *c, uint32_t ifindex, const struct echo *t,
		 uint16_t count, uint16_t first_seq)
{
	uint8_t dst[16];

	memset(c, 0, sizeof(*c));
	c->key = run_key(ifindex, t);
	addrs_get(t, c->v.addr, dst);
	c->v.count = count;
	c->v.seq = c->v.first_seq = htons(first_seq);
	return tap_check(!bpf_map_update_elem(client.runs, &c->key, &c->v, BPF_ANY),
			 "seeding a run: %s", strerror(errno));
}

void chain_end(const struct chain *c)
{
	bpf_map_delete_elem(client.runs, &c->key);
}

/* Names the first field where the run differs from what it must hold. */
static void run_diff(const struct xdping_run *got, const struct xdping_run *want)
{
	int i, n = 0;

#define FIELD(f) if (got->f != want->f) \
		tap_note(#f ": got %llu, want %llu", (unsigned long long)got->f, \
			 (unsigned long long)want->f)
	FIELD(sent_ns);
	FIELD(seq);
	FIELD(first_seq);
	FIELD(count);
	FIELD(done);
	FIELD(icmp_len);
	FIELD(chains);
	FIELD(pad2);
#undef FIELD
	for (i = 0; i < XDPING_MAX_SAMPLES && n < 8; i++) {
		n += got->rtt_ns[i] != want->rtt_ns[i] || got->ttl[i] != want->ttl[i] ||
		     got->at_ns[i] != want->at_ns[i] || got->seqs[i] != want->seqs[i];
		if (got->seqs[i] != want->seqs[i])
			tap_note("seqs[%d]: got %u, want %u", i, ntohs(got->seqs[i]),
				 ntohs(want->seqs[i]));
		if (got->at_ns[i] != want->at_ns[i])
			tap_note("at_ns[%d]: got %llu, want %llu", i,
				 (unsigned long long)got->at_ns[i],
				 (unsigned long long)want->at_ns[i]);
		if (got->rtt_ns[i] != want->rtt_ns[i])
			tap_note("rtt_ns[%d]: got %llu, want %llu", i,
				 (unsigned long long)got->rtt_ns[i],
				 (unsigned long long)want->rtt_ns[i]);
		if (got->ttl[i] != want->ttl[i])
			tap_note("ttl[%d]: got %u, want %u", i, got->ttl[i], want->ttl[i]);
	}
}

bool run_is(const struct xdping_key *k, const struct xdping_run *want, const char *what)
{
	struct xdping_run got;

	if (!run_get(k, &got, what))
		return false;
	if (tap_check(!memcmp(&got, want, sizeof(got)), "%s: run state is not the expected one",
		      what))
		return true;
	run_diff(&got, want);
	return false;
}

static bool within_run(uint64_t t)
{
	return t + CLOCK_SLACK_NS >= client.t0 && t <= client.t1 + CLOCK_SLACK_NS;
}

/*
 * Checks the times the latest run wrote and copies them into c->v: a new
 * sent_ns taken during the run; a sample's rtt measured from the previous
 * sent_ns to a moment during the run, and before the new sent_ns.
 */
static bool chain_times(struct chain *c, bool sent, int sample, const char *what)
{
	struct xdping_run got;
	uint64_t rtt, prev = c->v.sent_ns;

	if (!run_get(&c->key, &got, what))
		return false;
	if (sent) {
		if (!tap_check(within_run(got.sent_ns), "%s: sent_ns %llu not within the run "
			       "[%llu, %llu]", what, (unsigned long long)got.sent_ns,
			       (unsigned long long)client.t0, (unsigned long long)client.t1))
			return false;
		c->v.sent_ns = got.sent_ns;
	}
	if (sample < 0)
		return true;
	rtt = got.rtt_ns[sample];
	c->v.rtt_ns[sample] = rtt;
	/* the sample's arrival: the very clock read its rtt ends at */
	c->v.at_ns[sample] = prev + rtt;
	return tap_check(rtt > 0 && within_run(prev + rtt) && (!sent || prev + rtt <= got.sent_ns),
			 "%s: rtt_ns[%d] %llu does not run from sent_ns %llu to this run [%llu, "
			 "%llu] (new sent_ns %llu)", what, sample, (unsigned long long)rtt,
			 (unsigned long long)prev, (unsigned long long)client.t0,
			 (unsigned long long)client.t1, (unsigned long long)got.sent_ns);
}

/* The sequence the client puts on its next request: one past the last one
 * sent, never the carriers' (first_seq). */
static uint16_t next_seq(const struct chain *c)
{
	uint16_t next = ntohs(c->v.seq) + 1;

	return next == ntohs(c->v.first_seq) ? next + 1 : next;
}

/*
 * Feeds r, a reply with the sequence the run waits for (or a carrier's,
 * first_seq); checks the verdict, every byte out, the run and the
 * counters afterwards.
 */
bool chain_step(struct chain *c, const struct echo *r, const char *what)
{
	struct xdping_stats before, d = { 0 };
	bool start = r->seq == ntohs(c->v.first_seq);
	bool sample = !start && c->v.sent_ns != 0, last = false, ok;
	struct echo want = *r;
	int i = c->v.done;

	if (!stats_get(&client, XDPING_ROLE_CLIENT, &before))
		return false;
	if (sample && i >= XDPING_MAX_SAMPLES) {
		d.errors = 1;
		want_errors++;
		return expect_echo_pass(&client, r, what) && run_is(&c->key, &c->v, what) &&
		       stats_moved(&client, &before, &d, what);
	}
	if (sample) {
		c->v.ttl[i] = echo_ttl(r);
		c->v.seqs[i] = htons(r->seq);
		c->v.icmp_len = 8 + r->plen;
		c->v.done++;
		last = c->v.done >= c->v.count;
		d.samples = 1;
		want_samples++;
	}
	if (last) {
		want.seq = ntohs(c->v.first_seq);
		d.passed = d.completed = 1;
		want_completed++;
		ok = expect_echo(&client, c->key.ifindex, r, XDP_PASS, &want, what);
	} else {
		turn(&want, fam_of(r)->request);
		want.seq = next_seq(c);
		c->v.seq = htons(want.seq);
		c->v.chains += start;
		d.answered = 1;
		ok = expect_echo(&client, c->key.ifindex, r, XDP_TX, &want, what);
	}
	return ok && chain_times(c, !last, sample ? i : -1, what) &&
	       run_is(&c->key, &c->v, what) && stats_moved(&client, &before, &d, what);
}

/* The reply the run waits for next, from template t; the TTL (hop limit) varies by step. */
struct echo chain_reply(const struct chain *c, const struct echo *t)
{
	struct echo r = *t;

	r.seq = ntohs(c->v.seq);
	set_ttl(&r, echo_ttl(t) + c->v.done * 7);
	return r;
}

/* A whole run from template t: count + 1 replies, the last one handed back. */
bool chain_run(uint16_t count, uint16_t first_seq, const struct echo *t,
	       const char *what)
{
	struct chain *c = malloc(sizeof(*c));
	char buf[128];
	bool ok;
	int n;

	if (!c || !chain_start(c, lo, t, count, first_seq)) {
		free(c);
		return false;
	}
	for (n = 0, ok = true; ok && n <= count; n++) {
		struct echo r = chain_reply(c, t);

		snprintf(buf, sizeof(buf), "%s, reply %d of %u (seq %u)", what, n + 1, count + 1,
			 r.seq);
		ok = chain_step(c, &r, buf);
	}
	chain_end(c);
	free(c);
	return ok;
}

/* Feeds p on ifindex (no match expected): XDP_PASS untouched, c's run unchanged. */
void foreign_on(const struct chain *c, uint32_t ifindex, const struct pkt *p,
		const char *what)
{
	struct xdping_stats before, d = { .passed = 1 };

	if (stats_get(&client, XDPING_ROLE_CLIENT, &before) &&
	    expect_pass_on(&client, ifindex, p, what) &&
	    run_is(&c->key, &c->v, what))
		stats_moved(&client, &before, &d, what);
}

void foreign_echo(const struct chain *c, const struct echo *r, const char *what)
{
	struct pkt p;

	echo_build(r, &p);
	foreign_on(c, lo, &p, what);
}

/* A run of 5 in flight: 2 replies in, so sent_ns, a sample and seq 3 are set. */
bool chain_midway(struct chain *c, const struct echo *t)
{
	struct echo r;
	int n;

	if (!chain_start(c, lo, t, 5, 1))
		return false;
	for (n = 0; n < 2; n++) {
		r = chain_reply(c, t);
		if (!chain_step(c, &r, "setting up a run"))
			return false;
	}
	return true;
}

/* The run still works after the foreign frames: its next reply is answered. */
void chain_goes_on(struct chain *c, const struct echo *t)
{
	struct echo r = chain_reply(c, t);

	chain_step(c, &r, "the run's own next reply");
	chain_end(c);
}

/* The run for b's replies: its family, and b's address in the first addr_len bytes. */
static bool key_is_b(const struct fam *f, const struct chain *c)
{
	uint8_t want[16] = { 0 };

	if (f->v6)
		memcpy(want, addr6_b, 16);
	else
		pkt_set32(want, ADDR_B);
	return tap_check(c->key.family == f->family && !memcmp(c->v.addr, want, 16),
			 "run is not family %u with the %u-byte source", f->family,
			 f->addr_len);
}

/* Replies with any seq to a completed run pass untouched; the run stays as it is. */
static void completed_run(const struct chain *c, const struct echo *t)
{
	struct xdping_stats before, d = { .passed = 1 };
	char what[64];
	struct echo r = *t;
	uint16_t seq;

	for (seq = 0;; seq++) {
		snprintf(what, sizeof(what), "reply seq %u after completion", seq);
		r.seq = seq;
		if (!stats_get(&client, XDPING_ROLE_CLIENT, &before) ||
		    !expect_echo_pass(&client, &r, what) || !run_is(&c->key, &c->v, what) ||
		    !stats_moved(&client, &before, &d, what) || seq == 0xffff)
			break;
	}
}

/* One run of 3 samples, step by step. */
void client_steps(const struct fam *f)
{
	struct echo t = reply(f, 1, 56), r;
	struct chain c;

	if (!chain_start(&c, lo, &t, 3, 1))
		goto out;
	key_is_b(f, &c);
	r = chain_reply(&c, &t);
	chain_step(&c, &r, "reply seq 1");
	tap_end("%s: run {lo, id, family %u, %u-byte address}: reply (%u) seq 1 -> request (%u) "
		"seq 2 (XDP_TX), %s %d, exact bytes; run: seq 2, sent_ns set, done 0", f->client,
		f->family, f->addr_len, f->reply, f->request, f->ttl, XDPING_TTL);
	r = chain_reply(&c, &t);
	chain_step(&c, &r, "reply seq 2");
	tap_end("%s: reply seq 2 -> request seq 3; sample 0 stored (rtt, %s), icmp_len 64, "
		"done 1", f->client, f->ttl);
	r = chain_reply(&c, &t);
	chain_step(&c, &r, "reply seq 3");
	tap_end("%s: reply seq 3 -> request seq 4; sample 1, done 2", f->client);
	r = chain_reply(&c, &t);
	chain_step(&c, &r, "reply seq 4");
	tap_end("%s: reply seq 4 completes the run: XDP_PASS with seq 1, %s checksum right, "
		"other bytes kept; completed +1", f->client, f->icmp);
	completed_run(&c, &t);
	chain_end(&c);
out:
	tap_end("%s: replies with any seq (0..65535) to a completed run -> XDP_PASS untouched, "
		"no sample", f->client);
}

void client_max_samples(const struct fam *f, uint16_t first_seq)
{
	struct echo t = reply(f, 1, 56);
	struct xdping_stats before, d = { .answered = XDPING_MAX_SAMPLES, .samples =
		XDPING_MAX_SAMPLES, .completed = 1, .passed = 1 };

	if (stats_get(&client, XDPING_ROLE_CLIENT, &before) &&
	    chain_run(XDPING_MAX_SAMPLES, first_seq, &t, "count 1024"))
		stats_moved(&client, &before, &d, "count 1024");
	tap_end("%s: count %d (XDPING_MAX_SAMPLES) from seq %#x%s to completion: every sample "
		"and %s in place", f->client, XDPING_MAX_SAMPLES, first_seq,
		first_seq + XDPING_MAX_SAMPLES > 0xffff ? " (wrapping)" : "", f->ttl);
}

/* A run asking for more than the map holds stops short, counted as an error. */
void client_over_max(void)
{
	struct echo t = reply(&ipv4, 1, 56);
	struct chain *c = malloc(sizeof(*c));
	char what[64];
	int n;

	if (c && chain_start(c, lo, &t, XDPING_MAX_SAMPLES + 1, 1)) {
		for (n = 0; n <= XDPING_MAX_SAMPLES + 1; n++) {
			struct echo r = chain_reply(c, &t);

			snprintf(what, sizeof(what), "reply %d of %d", n + 1,
				 XDPING_MAX_SAMPLES + 2);
			if (!chain_step(c, &r, what))
				break;
		}
		chain_end(c);
	}
	free(c);
	tap_end("client: count %d (over the contract): reply for sample %d -> XDP_PASS "
		"untouched, errors +1", XDPING_MAX_SAMPLES + 1, XDPING_MAX_SAMPLES + 1);
}

/*
 * A stalled chain restarted by another carrier: the carrier's reply is no
 * sample and gets a sequence never sent before; the late reply to the
 * abandoned chain's request then passes untouched, never a sample, even
 * though it comes from the target with the run's identifier.
 */
void client_restart(const struct fam *f)
{
	struct echo t = reply(f, 1, 56), r, late;
	struct chain c;
	int n;

	if (!chain_midway(&c, &t))
		goto out;
	late = chain_reply(&c, &t);		/* the reply to the request in flight (seq 3) */
	r = t;
	r.seq = ntohs(c.v.first_seq);		/* a second carrier's reply */
	if (!chain_step(&c, &r, "carrier's reply mid-chain") ||
	    !tap_check(ntohs(c.v.seq) == 4 && c.v.chains == 2 && c.v.done == 1,
		       "restart: seq %u chains %u done %u, want 4 2 1", ntohs(c.v.seq),
		       c.v.chains, c.v.done))
		goto end;
	foreign_echo(&c, &late, "late reply of the abandoned chain (seq 3)");
	for (n = 0; n < 4; n++) {
		r = chain_reply(&c, &t);
		if (!chain_step(&c, &r, "the restarted chain"))
			goto end;
	}
	foreign_echo(&c, &late, "late reply once the run is complete");
	tap_check(c.v.done == 5, "done %u, want 5", c.v.done);
end:
	chain_end(&c);
out:
	tap_end("%s: a carrier's reply mid-chain restarts it (no sample, chains +1, request "
		"with a fresh seq 4); the abandoned request's late reply (seq 3) -> XDP_PASS "
		"untouched, no sample; the run completes with 5 real samples", f->client);
}

/* After a wrap, the client skips the carriers' sequence. */
void client_skip_first(const struct fam *f)
{
	struct echo t = reply(f, 1, 56), r;
	struct chain c;

	if (!chain_start(&c, lo, &t, 3, 5))
		goto out;
	c.v.seq = htons(3);	/* as if 65534 requests had gone by */
	if (!tap_check(!bpf_map_update_elem(client.runs, &c.key, &c.v, BPF_EXIST),
		       "setting seq 3: %s", strerror(errno)))
		goto end;
	r = t;
	r.seq = 5;
	if (!chain_step(&c, &r, "carrier's reply, seq 5 -> request 4"))
		goto end;
	r.seq = 4;
	if (!chain_step(&c, &r, "reply 4 -> request 6, not 5") ||
	    !tap_check(ntohs(c.v.seq) == 6, "seq %u, want 6", ntohs(c.v.seq)))
		goto end;
	r.seq = 6;
	chain_step(&c, &r, "reply 6");
end:
	chain_end(&c);
out:
	tap_end("%s: the sequence after 4 is 6 when the carriers use 5: a request never "
		"carries the carriers' sequence", f->client);
}
