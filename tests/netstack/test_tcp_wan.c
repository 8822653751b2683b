/*
 * test_tcp_wan.c -- ferry's TCP over a long, lossy WAN link, in virtual
 * time (wan_sim.c: two stacks, 1 Gbit/s link with a 20000-frame tail-drop
 * queue, one-way delay, Bernoulli loss both ways from a seeded PRNG; the
 * replication link's 8 MiB buffers).  Deterministic: the same seed gives
 * the same run, so the bounds below are not timing-dependent.
 *
 * The bounds:
 *  - clean 70 ms RTT: >= 90% of the link rate in the 3 s after a 3 s
 *    warm-up (the window, 8 MiB = 65535 << 7, just covers the path's
 *    bandwidth-delay product: 956 Mbit/s of payload x 70 ms = 8.37 MB);
 *  - 1% loss, 70 ms RTT: the Mathis bound for a Reno-like response (CUBIC
 *    is in its Reno-friendly region at such a small window: RFC 9438 4.3)
 *    is MSS / RTT * sqrt(3 / (2p)) = 1448 B / 70 ms * 12.25 = 2.03
 *    Mbit/s; we ask for 70% of it, every loss repaired by fast
 *    retransmit (fast retransmits >= data segments lost) and no RTO
 *    that was not found spurious and undone (Eifel);
 *  - 1% loss, no delay: the window holds dozens of segments, several
 *    losses per round trip are repaired in one SACK recovery: >= 25% of
 *    the link (the code before CUBIC / RFC 6675 pipe / lost-retransmit
 *    detection made 1.3%).
 *  - a stalled ACK path (400 ms every 4 s, as a descheduled emulator):
 *    every RTO it causes is found spurious and undone, nothing is
 *    resent but the RTO's segment and the tail probes, the ACK flood
 *    after it does not overflow the TX ring (TCP_TX_BURST), and
 *    goodput stays >= 80% (the stalls alone cost 10%).
 *  - slow start overflowing a tail-drop queue smaller than what the
 *    replication link's 32 MiB window puts in flight (70 ms RTT, queues
 *    of 2000 and 8000 frames, 6 s from the handshake): thousands of
 *    frames dropped in one burst, alternate ones, more holes than the
 *    receiver can record as out-of-order ranges (TCP_OOO_MAX), so most
 *    of the lost data lies above the highest SACK.  Repaired without
 *    any RTO (time-ordered loss detection, rack_edge, and the recovery
 *    paced by PRR, RFC 6937) and >= 75% / 68% of the link.  Before
 *    (IsLost only, cwnd = ssthresh at once): one RTO each and a
 *    go-back-N of SACKed data, 45.4% / 66.5% (issue 6: the live 35 ms
 *    run's 2248-frame drop burst, repaired by RTOs).
 *  - the same on a slower path (300 Mbit/s: the 20000-frame queue is
 *    800 ms deep, as the live emulator on a busy box): the RTO fires
 *    while the retransmissions still wait in the queue; it is found
 *    spurious (Eifel) and the SACK recovery it cut short resumes with its
 *    scoreboard instead of a go-back-N after the next, real, RTO.
 *    >= 72% of the link (before: 66.4%, one RTO not undone).  Resuming,
 *    it does not resend what it had resent before the RTO: at most 1.2
 *    retransmissions per drop, >= 85% (before: 2.0 per drop, 85.3%).
 *  - those bursts again (queues 2000, 4000, 8000): each drop resent
 *    once, no RTO (the out-of-order list and SACK scoreboard grow with
 *    the buffers, tcp_ranges.h; before: up to 2.3 retransmissions per
 *    drop).
 * Before this work (NewReno, 8-range scoreboard, receiver forgetting
 * SACKed ranges, one MSS per stretch ACK in slow start) the first three
 * gave 82.7%, 0.7 Mbit/s with 9 RTOs, 11.7 Mbit/s.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <cmocka.h>

#include "nstest.h"
#include "wan_sim.h"

static void
show(const char *name, const struct wan_result *r)
{
	printf("# %s: goodput %.1f Mbit/s, fast rtx %llu, RTOs %llu "
	       "(spurious %llu), TLPs %llu, lost rtx %llu, data lost %llu, "
	       "acks lost %llu, queue drops %llu\n", name,
	       r->goodput_bps / 1e6, (unsigned long long)r->fast_retransmits,
	       (unsigned long long)r->rto_timeouts,
	       (unsigned long long)r->spurious_rtos,
	       (unsigned long long)r->tlp_probes,
	       (unsigned long long)r->lost_retransmits,
	       (unsigned long long)r->lost_data,
	       (unsigned long long)r->lost_acks,
	       (unsigned long long)r->queue_drops);
}

static void
test_wan_70ms_clean(void **state)
{
	struct wan_params p;
	struct wan_result r;

	(void)state;
	wan_params_defaults(&p);
	p.delay_us = 35000;
	p.warmup_us = 3000000;
	p.measure_us = 3000000;
	assert_int_equal(wan_sim_run(&p, &r), 0);
	show("70 ms RTT, no loss", &r);
	assert_int_equal(r.retransmits, 0);
	assert_int_equal(r.queue_drops, 0);
	assert_true(r.goodput_bps >= p.rate_bps * 90 / 100);
}

static void
test_wan_70ms_lossy(void **state)
{
	struct wan_params p;
	struct wan_result r;
	const uint64_t mathis_bps = 2030000;

	(void)state;
	wan_params_defaults(&p);
	p.delay_us = 35000;
	p.loss_ppm = 10000;
	p.seed = 3;
	p.warmup_us = 5000000;
	p.measure_us = 30000000;
	assert_int_equal(wan_sim_run(&p, &r), 0);
	show("70 ms RTT, 1% loss", &r);
	assert_true(r.lost_data > 0);
	assert_true(r.fast_retransmits >= r.lost_data);
	assert_int_equal(r.rto_timeouts, r.spurious_rtos);
	assert_true(r.goodput_bps >= mathis_bps * 70 / 100);
}

static void
test_wan_lan_lossy(void **state)
{
	struct wan_params p;
	struct wan_result r;

	(void)state;
	wan_params_defaults(&p);
	p.delay_us = 0;
	p.loss_ppm = 10000;
	p.warmup_us = 2000000;
	p.measure_us = 4000000;
	assert_int_equal(wan_sim_run(&p, &r), 0);
	show("no delay, 1% loss", &r);
	assert_true(r.fast_retransmits >= r.lost_data * 9 / 10);
	assert_true(r.goodput_bps >= p.rate_bps * 25 / 100);
}

static void
test_wan_stall_spurious_rto(void **state)
{
	struct wan_params p;
	struct wan_result r;

	(void)state;
	wan_params_defaults(&p);
	p.delay_us = 35000;
	p.stall_every_us = 4000000;
	p.stall_us = 400000;
	p.warmup_us = 3000000;
	p.measure_us = 8000000;
	assert_int_equal(wan_sim_run(&p, &r), 0);
	show("70 ms RTT, ACK path stalled 400 ms every 4 s", &r);
	printf("# stalls %llu, TX ring full %llu\n",
	       (unsigned long long)r.stalls, (unsigned long long)r.tx_full);
	assert_true(r.stalls >= 2);
	assert_true(r.rto_timeouts >= 2);
	assert_int_equal(r.spurious_rtos, r.rto_timeouts);
	assert_int_equal(r.fast_retransmits, 0);
	assert_true(r.retransmits <= r.rto_timeouts + r.tlp_probes);
	assert_int_equal(r.tx_full, 0);
	assert_true(r.goodput_bps >= p.rate_bps * 80 / 100);
}

/* 70 ms RTT, a 32 MiB window (repl-tcp-buffer, wscale 9) against a
 * queue of 'queue' frames: slow start without HyStart overflows it (these
 * tests are about recovering from that burst; test_wan_hystart shows
 * HyStart avoiding it); run for 6 s, show the result under 'what'. */
static void
wan_burst_sim(uint32_t queue, const char *what, struct wan_params *p,
	      struct wan_result *r)
{
	char name[64];

	wan_params_defaults(p);
	p->delay_us = 35000;
	p->queue_pkts = queue;
	p->buf_bytes = 32u << 20;
	p->wscale = 9;
	p->hystart = 0;
	p->warmup_us = 0;
	p->measure_us = 6000000;
	assert_int_equal(wan_sim_run(p, r), 0);
	snprintf(name, sizeof(name), "32 MiB, queue %u, %s", queue, what);
	show(name, r);
}

static void
wan_overflow_run(uint32_t queue, unsigned min_pct)
{
	struct wan_params p;
	struct wan_result r;

	wan_burst_sim(queue, "70 ms RTT", &p, &r);
	assert_true(r.queue_drops > 1000);	/* the burst happened */
	assert_int_equal(r.rto_timeouts, 0);
	assert_true(r.fast_retransmits >= r.queue_drops);
	assert_true(r.goodput_bps >= p.rate_bps * min_pct / 100);
}

static void
test_wan_slow_start_overflow(void **state)
{
	(void)state;
	wan_overflow_run(2000, 75);
	wan_overflow_run(8000, 68);
}

/*
 * The same bursts, counted: every dropped frame is resent once (at most
 * 1.2 retransmissions per drop), no RTO, >= 80% of the link.  The burst
 * leaves hundreds of holes in the 32 MiB window (more out-of-order
 * ranges than the 128 kept inline): the receiver records them all and
 * the sender's scoreboard holds them all, both grown with the buffers
 * (tcp_ranges.h).  Before (128 ranges each): the segments beyond the
 * receiver's 128th range were not SACKed and were resent: 4088
 * retransmissions for 2585 drops at queue 2000, 22327 for 13600 at 4000,
 * 22602 for 9985 at 8000.
 */
static void
wan_burst_run(uint32_t queue)
{
	struct wan_params p;
	struct wan_result r;

	wan_burst_sim(queue, "retransmits", &p, &r);
	printf("# retransmits %llu, ooo full %llu, scoreboard full %llu, "
	       "max ranges %u / %u\n", (unsigned long long)r.retransmits,
	       (unsigned long long)r.ooo_full,
	       (unsigned long long)r.sack_sb_full, r.max_ooo, r.max_sacked);
	assert_true(r.queue_drops > 1000);
	assert_int_equal(r.rto_timeouts, 0);
	assert_true(r.retransmits >= r.queue_drops);
	assert_true(r.retransmits * 10 <= r.queue_drops * 12);
	assert_true(r.max_ooo > 128);	/* beyond the inline list */
	assert_int_equal(r.ooo_full, 0);
	assert_int_equal(r.sack_sb_full, 0);
	assert_true(r.goodput_bps >= p.rate_bps * 80 / 100);
}

static void
test_wan_burst_holes_resent_once(void **state)
{
	(void)state;
	wan_burst_run(2000);
	wan_burst_run(4000);
	wan_burst_run(8000);
}

static void
test_wan_slow_path_rto_in_recovery(void **state)
{
	struct wan_params p;
	struct wan_result r;

	(void)state;
	wan_params_defaults(&p);
	p.delay_us = 35000;
	p.rate_bps = 300000000ull;
	p.buf_bytes = 32u << 20;
	p.wscale = 9;
	/* a queue the 32 MiB window overflows for sure (at 20000 frames it
	 * holds BDP + queue within a few frames of the window: whether the
	 * burst happens depends on the send queue's exact accounting) */
	p.queue_pkts = 10000;
	p.hystart = 0;		/* the burst comes from slow start */
	p.warmup_us = 0;
	p.measure_us = 10000000;
	assert_int_equal(wan_sim_run(&p, &r), 0);
	show("70 ms RTT, 300 Mbit/s, 32 MiB", &r);
	assert_true(r.queue_drops > 1000);
	assert_true(r.rto_timeouts >= 1);	/* the case under test */
	assert_int_equal(r.spurious_rtos, r.rto_timeouts);
	/* the resumed recovery does not resend what the one cut short had
	 * resent (undo_high_rxt; before: 23719 retransmissions) */
	assert_true(r.retransmits * 10 <= r.queue_drops * 12);
	assert_true(r.goodput_bps >= p.rate_bps * 85 / 100);
}

/*
 * HyStart (tcp_cc.c): slow start ends when the queue delay reaches a
 * quarter of the base RTT, before the queue overflows.  70 ms RTT, 32 MiB
 * window, 10 s from the connection's start.  At 200 Mbit/s behind a
 * 4000-frame queue (240 ms) slow start alone reached 15.9 MB where link +
 * queue hold 7.7 MB: ~11000 drops, RTOs in the recovery, 72% of the link
 * -- checked here too, so the case keeps proving something; with HyStart
 * no drop, no RTO, >= 85%.  At 1 Gbit/s behind 4000 frames (48 ms) the
 * burst shrinks from ~9100 drops to a few hundred and the goodput is not
 * lower (HyStart leaving slow start too early would show here: Linux's
 * base / 8 threshold gave 74%).
 */
static void
test_wan_hystart(void **state)
{
	struct wan_params p;
	struct wan_result r;

	(void)state;
	for (int hs = 0; hs <= 1; hs++) {
		wan_params_defaults(&p);
		p.delay_us = 35000;
		p.rate_bps = 200000000ull;
		p.queue_pkts = 4000;
		p.buf_bytes = 32u << 20;
		p.wscale = 9;
		p.hystart = hs;
		p.warmup_us = 0;
		p.measure_us = 10000000;
		assert_int_equal(wan_sim_run(&p, &r), 0);
		show(hs ? "200 Mbit/s, queue 4000, HyStart" :
			  "200 Mbit/s, queue 4000, no HyStart", &r);
		if (hs) {
			assert_int_equal(r.queue_drops, 0);
			assert_int_equal(r.rto_timeouts, 0);
			assert_true(r.goodput_bps >= p.rate_bps * 85 / 100);
		} else {
			assert_true(r.queue_drops > 1000);
			assert_true(r.goodput_bps < p.rate_bps * 80 / 100);
		}
	}
	wan_params_defaults(&p);
	p.delay_us = 35000;
	p.queue_pkts = 4000;
	p.buf_bytes = 32u << 20;
	p.wscale = 9;
	p.warmup_us = 0;
	p.measure_us = 10000000;
	assert_int_equal(wan_sim_run(&p, &r), 0);
	show("1 Gbit/s, queue 4000, HyStart", &r);
	assert_true(r.queue_drops < 1000);
	assert_int_equal(r.rto_timeouts, 0);
	assert_true(r.goodput_bps >= p.rate_bps * 85 / 100);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_wan_70ms_clean),
		cmocka_unit_test(test_wan_70ms_lossy),
		cmocka_unit_test(test_wan_lan_lossy),
		cmocka_unit_test(test_wan_stall_spurious_rto),
		cmocka_unit_test(test_wan_slow_start_overflow),
		cmocka_unit_test(test_wan_burst_holes_resent_once),
		cmocka_unit_test(test_wan_slow_path_rto_in_recovery),
		cmocka_unit_test(test_wan_hystart),
	};

	if (nst_eal_init() != 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
