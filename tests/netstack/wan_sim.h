/*
 * wan_sim.h -- a deterministic long-fat-link model in VIRTUAL time: two
 * ferry TCP stacks (nstest cores over fake ports) joined by a simulated
 * link, per direction: one-way delay, a rate cap (serialisation at
 * rate_bps with a FIFO of queue_pkts frames, tail drop) and Bernoulli loss
 * from a seeded PRNG.  The receiver (the replica: it connects, as a
 * replica's link does) consumes at once; the sender (the master: it
 * accepts) keeps its send buffer full, as the replication pump does.
 * Both grow their buffers to buf_bytes after the handshake, as the
 * replication link does with repl-tcp-buffer (dp_tcp_set_buffers).
 *
 * The instrument behind tools/bench/tcp_wan_sim and the test
 * tests/netstack/test_tcp_wan.c.  Same parameters, same numbers: nothing
 * here reads a clock.
 *
 * Call chain per step: link_deliver (frames whose arrival time came ->
 * fake_port_inject on the far side) -> nst_advance(receiver) /
 * nst_advance(sender) (timers, RX, dp_tcp_flush, TX) -> link_take
 * (fake_port_pop_tx -> loss -> queue / tail drop -> departure, arrival).
 */
#ifndef WAN_SIM_H
#define WAN_SIM_H

#include <stdint.h>

#include "dp_tcp.h"

struct wan_params {
	uint64_t delay_us;	/* one way, both directions */
	uint64_t rate_bps;	/* cap on frame bits, both directions */
	uint32_t queue_pkts;	/* bottleneck FIFO (tail drop) */
	uint32_t loss_ppm;	/* Bernoulli, both directions */
	uint64_t seed;
	uint32_t buf_bytes;	/* both sides' TCP buffers (repl-tcp-buffer) */
	uint64_t warmup_us;	/* not measured (slow start) */
	uint64_t measure_us;	/* goodput interval after the warm-up */
	uint64_t step_us;	/* virtual time step (stack iteration) */
	int cc;			/* enum dp_tcp_cc, -1 = the stack default */
	int tlp;		/* tail loss probes: 0/1, -1 = default */
	int hystart;		/* HyStart (CUBIC): 0/1, -1 = default */
	int wscale;		/* our window scale shift, -1 = default (7):
				 * the window is at most 65535 << wscale */
	/* a stalled path (a descheduled emulator or tap, as seen on the
	 * bench box): every stall_every_us the ACK direction delivers
	 * nothing for stall_us, then everything held at once */
	uint64_t stall_every_us, stall_us;
};

struct wan_result {
	uint64_t goodput_bps;	/* payload bits/s during the measurement */
	uint64_t bytes;		/* payload bytes received in it */
	uint64_t total_bytes;	/* payload bytes received in the whole run */
	/* the sender's counters over the whole run */
	uint64_t retransmits, fast_retransmits, rto_timeouts;
	uint64_t spurious_rtos, tlp_probes, lost_retransmits;
	/* out-of-order segments the receiver could not record, SACK blocks
	 * the sender's scoreboard had no room for (tcp_ranges.h), and the
	 * most ranges each held at once */
	uint64_t ooo_full, sack_sb_full;
	uint32_t max_ooo, max_sacked;
	/* the link */
	uint64_t lost_data, lost_acks, queue_drops;
	uint32_t cwnd_end, ssthresh_end;	/* sender, at the end */
	uint32_t srtt_us_end;
	uint32_t max_queue;	/* deepest bottleneck queue, frames */
	uint64_t stalls;	/* ACK-path stalls applied */
	uint64_t tx_full;	/* frames the sender's TX ring refused */
};

/* Defaults: 35 ms one way, 1 Gbit/s, 20000-frame queue (ferry-linkemu
 * "limit 20000" as in repl_bench.sh), no loss, seed 1, 8 MiB buffers,
 * 3 s warm-up, 5 s measured, 100 us steps, stack defaults (cc, tlp,
 * wscale). */
void wan_params_defaults(struct wan_params *p);

/* Run one transfer (EAL initialised by the caller, nst_eal_init).
 * 0, or -1 with a message on stderr (set-up failed, or mbufs leaked). */
int wan_sim_run(const struct wan_params *p, struct wan_result *r);

#endif
