/*
 * dp_cycles.c -- printing a core's per-layer cycle counters (see
 * dp_cycles.h; the counting itself is inline there).
 *
 * Call chain: SIGUSR1 -> (core 0) dp_loop_dump_stats -> dp_cycles_dump;
 *             ferryd's exit -> dp_loop_dump_stats -> dp_cycles_dump
 */
#include "dp_cycles.h"

#include <inttypes.h>
#include <string.h>

const char *const dp_cyc_names[DP_CYC__COUNT] = {
	[DP_CYC_LOOP] = "loop",
	[DP_CYC_RX] = "rx",
	[DP_CYC_ETH] = "eth_ip",
	[DP_CYC_TCP_IN] = "tcp_in",
	[DP_CYC_APP] = "resp",
	[DP_CYC_STORE] = "store",
	[DP_CYC_TCP_SEND] = "tcp_send",
	[DP_CYC_TIMERS] = "timers",
	[DP_CYC_TCP_OUT] = "tcp_out",
	[DP_CYC_TX] = "tx",
	[DP_CYC_QSBR] = "qsbr",
};

void
dp_cycles_enable(struct dp_cycles *c)
{
	memset(c, 0, sizeof(*c));
	c->long_tsc = rte_get_tsc_hz() / 1000000 * DP_CYC_LONG_US;
	c->on = true;
}

static inline uint64_t
rd(const uint64_t *p)
{
	return __atomic_load_n(p, __ATOMIC_RELAXED);
}

void
dp_cycles_dump(FILE *f, unsigned core_id, const struct dp_cycles *c,
	       uint64_t commands, uint64_t rx_pkts)
{
	uint64_t busy[DP_CYC__COUNT], bcmds;

	if (!__atomic_load_n(&c->on, __ATOMIC_RELAXED))
		return;
	for (int i = 0; i < DP_CYC__COUNT; i++)
		busy[i] = rd(&c->busy[i]);
	fprintf(f, "core %u cycles: tsc_hz=%" PRIu64 " commands=%" PRIu64
		" rx_pkts=%" PRIu64 " busy_iters=%" PRIu64 " idle_iters=%"
		PRIu64 " long_iters=%" PRIu64 " busy_cmds=%" PRIu64
		" long_cmds=%" PRIu64 " busy=%" PRIu64 " idle=%" PRIu64
		" long=%" PRIu64 " outside=%" PRIu64,
		core_id, rte_get_tsc_hz(), commands, rx_pkts,
		rd(&c->busy_iters), rd(&c->idle_iters), rd(&c->long_iters),
		rd(&c->busy_cmds), rd(&c->long_cmds), rd(&c->busy_cycles),
		rd(&c->idle_cycles), rd(&c->long_cycles),
		rd(&c->outside_cycles));
	for (int i = 0; i < DP_CYC__COUNT; i++)
		fprintf(f, " %s=%" PRIu64, dp_cyc_names[i], busy[i]);
	fputc('\n', f);
	bcmds = rd(&c->busy_cmds);
	if (bcmds == 0 || commands == 0)
		return;
	/* the layers over the commands of the same (busy) iterations; all:
	 * every cycle of the core (idle, long, outside too) per command */
	fprintf(f, "core %u cycles/command:", core_id);
	for (int i = 0; i < DP_CYC__COUNT; i++)
		fprintf(f, " %s=%.1f", dp_cyc_names[i],
			(double)busy[i] / (double)bcmds);
	fprintf(f, " busy=%.1f all=%.1f\n",
		(double)rd(&c->busy_cycles) / (double)bcmds,
		(double)(rd(&c->busy_cycles) + rd(&c->idle_cycles) +
			 rd(&c->long_cycles) + rd(&c->outside_cycles)) /
		(double)commands);
}
