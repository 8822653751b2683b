/*
 * tcp_wan_sim.c -- ferry's TCP over a long, lossy WAN link, in virtual
 * time (tests/netstack/wan_sim.c): a bulk stream from one ferry TCP stack
 * to another through a simulated link (one-way delay, rate cap with a
 * tail-drop queue, Bernoulli loss both ways), as the replication stream
 * runs through ferry-linkemu in tools/bench/repl_bench.sh.  Prints one
 * table row per delay x loss setting: goodput after the warm-up and the
 * sender's recovery counters, then the out-of-order segments the receiver
 * could not record and the SACK blocks the sender's scoreboard had no
 * room for (ooo full, sb full) and the most ranges each held (max ooo,
 * max sb; tcp_ranges.h).  Deterministic: same options, same table.
 *
 * Usage: tcp_wan_sim [-d MS,MS,..] [-l PCT,PCT,..] [-r MBIT] [-q PKTS]
 *                    [-b BYTES] [-w SECS] [-m SECS] [-s SEED] [-c CC]
 *                    [-t 0|1] [-H 0|1] [-W WSCALE] [-S EVERY_MS:STALL_MS]
 *   defaults: -d 0,35,125 -l 0,1 -r 1000 -q 20000 -b 8388608 -w 10 -m 20
 *             -s 1, the stack's congestion control, TLP, HyStart (-H) and window scale
 *             (7: windows up to 8 MiB) settings, no stalls (-S: the ACK
 *             path delivers nothing for STALL_MS every EVERY_MS, as a
 *             descheduled emulator does: spurious RTOs).
 *
 * Call chain: main -> wan_sim_run (per setting) -> printf.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "nstest.h"
#include "wan_sim.h"

static unsigned
parse_list(const char *s, double *out, unsigned max)
{
	unsigned n = 0;
	char *end;

	while (*s && n < max) {
		out[n++] = strtod(s, &end);
		if (end == s)
			return 0;
		s = *end == ',' ? end + 1 : end;
	}
	return n;
}

int
main(int argc, char **argv)
{
	double delays[8] = { 0, 35, 125 }, losses[8] = { 0, 1 };
	unsigned nd = 3, nl = 2;
	struct wan_params p;
	int o;

	wan_params_defaults(&p);
	p.warmup_us = 10000000;
	p.measure_us = 20000000;
	while ((o = getopt(argc, argv, "d:l:r:q:b:w:m:s:c:t:H:W:S:h")) != -1) {
		switch (o) {
		case 'd': nd = parse_list(optarg, delays, 8); break;
		case 'l': nl = parse_list(optarg, losses, 8); break;
		case 'r': p.rate_bps = (uint64_t)(atof(optarg) * 1e6); break;
		case 'q': p.queue_pkts = (uint32_t)atoi(optarg); break;
		case 'b': p.buf_bytes = (uint32_t)strtoul(optarg, NULL, 0); break;
		case 'w': p.warmup_us = (uint64_t)(atof(optarg) * 1e6); break;
		case 'm': p.measure_us = (uint64_t)(atof(optarg) * 1e6); break;
		case 's': p.seed = strtoull(optarg, NULL, 0); break;
		case 'c':
			p.cc = dp_tcp_cc_parse(optarg);
			if (p.cc < 0) {
				fprintf(stderr, "tcp_wan_sim: unknown cc '%s'\n",
					optarg);
				return 2;
			}
			break;
		case 't': p.tlp = atoi(optarg) ? 1 : 0; break;
		case 'H': p.hystart = atoi(optarg) ? 1 : 0; break;
		case 'W': p.wscale = atoi(optarg) & 15; break;
		case 'S': {
			double e = 0, st = 0;

			if (sscanf(optarg, "%lf:%lf", &e, &st) != 2 || e <= 0 ||
			    st < 0) {
				fprintf(stderr, "tcp_wan_sim: -S EVERY_MS:STALL_MS\n");
				return 2;
			}
			p.stall_every_us = (uint64_t)(e * 1000);
			p.stall_us = (uint64_t)(st * 1000);
			break;
		}
		default:
			fprintf(stderr, "usage: tcp_wan_sim [-d MS,..] [-l PCT,..] "
				"[-r MBIT] [-q PKTS] [-b BYTES] [-w SECS] "
				"[-m SECS] [-s SEED] [-c newreno|cubic] "
				"[-t 0|1] [-H 0|1] [-W WSCALE] [-S EVERY_MS:STALL_MS]\n");
			return o == 'h' ? 0 : 2;
		}
	}
	if (nd == 0 || nl == 0 || p.rate_bps == 0 || p.measure_us == 0) {
		fprintf(stderr, "tcp_wan_sim: bad arguments\n");
		return 2;
	}
	if (nst_eal_init() != 0)
		return 1;
	printf("# rate %.0f Mbit/s, queue %u frames, buffers %u B, warm-up "
	       "%.1f s, measured %.1f s, seed %llu, cc %s, tlp %s, hystart %s, "
	       "wscale %d\n",
	       p.rate_bps / 1e6, p.queue_pkts, p.buf_bytes, p.warmup_us / 1e6,
	       p.measure_us / 1e6, (unsigned long long)p.seed,
	       p.cc < 0 ? "default" : dp_tcp_cc_name(p.cc),
	       p.tlp < 0 ? "default" : p.tlp ? "on" : "off",
	       p.hystart < 0 ? "default" : p.hystart ? "on" : "off",
	       p.wscale < 0 ? 7 : p.wscale);
	if (p.stall_us)
		printf("# ACK path stalled %.0f ms every %.0f ms\n",
		       p.stall_us / 1e3, p.stall_every_us / 1e3);
	printf("| one-way ms | loss %% | goodput Mbit/s | %% of link | "
	       "fast rtx | RTOs | spurious RTOs | TLPs | lost rtx | "
	       "retransmits | data lost | acks lost | queue drops | "
	       "cwnd end | srtt ms | ooo full | sb full | max ooo | "
	       "max sb |\n");
	printf("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"
	       "---|---|---|---|\n");
	for (unsigned i = 0; i < nd; i++) {
		for (unsigned j = 0; j < nl; j++) {
			struct wan_result r;

			p.delay_us = (uint64_t)(delays[i] * 1000);
			p.loss_ppm = (uint32_t)(losses[j] * 10000);
			if (wan_sim_run(&p, &r) != 0)
				return 1;
			printf("| %g | %g | %.1f | %.1f | %llu | %llu | %llu | "
			       "%llu | %llu | %llu | %llu | %llu | %llu | %u | "
			       "%.1f | %llu | %llu | %u | %u |\n",
			       delays[i], losses[j],
			       r.goodput_bps / 1e6,
			       100.0 * r.goodput_bps / p.rate_bps,
			       (unsigned long long)r.fast_retransmits,
			       (unsigned long long)r.rto_timeouts,
			       (unsigned long long)r.spurious_rtos,
			       (unsigned long long)r.tlp_probes,
			       (unsigned long long)r.lost_retransmits,
			       (unsigned long long)r.retransmits,
			       (unsigned long long)r.lost_data,
			       (unsigned long long)r.lost_acks,
			       (unsigned long long)r.queue_drops, r.cwnd_end,
			       r.srtt_us_end / 1000.0,
			       (unsigned long long)r.ooo_full,
			       (unsigned long long)r.sack_sb_full, r.max_ooo,
			       r.max_sacked);
			fflush(stdout);
		}
	}
	return 0;
}
