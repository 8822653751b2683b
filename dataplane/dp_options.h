/*
 * dp_options.h -- ferryd's command line, the DPDK way:
 *
 *   ferryd [EAL options] -- [ferry options]
 *   ferryd --default           (or no arguments: the embedded default)
 *   ferryd --help
 *
 * Call chain: main (ferryd.c) -> dp_options_split (EAL / ferry halves) ->
 * st_store_init -> dp_options_parse (ferry half; store directives go to
 * st_config_set / st_config_load_file) -> rte_eal_init (EAL half).
 *
 * Contract: parsing never exits and never crashes; a bad option returns
 * -EINVAL with a one-line message in 'err' (ferryd prints it and exits 2).
 */
#ifndef DP_OPTIONS_H
#define DP_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* The embedded default command line (`ferryd --default` or no arguments). */
#define DP_DEFAULT_ARGS \
	"--no-huge -m 512 --file-prefix ferryd --vdev net_tap0,iface=ferry0 " \
	"--no-pci -l 0-1 -- --addr 198.18.0.2/24 --port 6379"

/* Ports beyond --port-id (--extra-port): e.g. the replication link on
 * memif to the WAN emulator while clients use a tap. */
#define DP_OPT_EXTRA_PORTS 3

struct dp_options {
	uint32_t addr;			/* host order; 0 = not given */
	uint8_t prefix_len;
	struct {
		uint16_t port_id;
		uint8_t prefix_len;
		uint32_t addr;		/* host order */
	} extra[DP_OPT_EXTRA_PORTS];	/* --extra-port ID,IP/PREFIX */
	unsigned nextra;
	uint32_t gateway;		/* host order; 0 = none */
	uint16_t port;			/* RESP listening port */
	uint16_t port_id;		/* DPDK ethdev port */
	unsigned data_cores;		/* 0 = every lcore */
	uint32_t idle_pause_us;		/* idle this long: rte_pause() */
	uint32_t idle_sleep_us;		/* idle this long: short sleeps */
	uint32_t sleep_max_us;		/* longest idle sleep */
	bool busy_poll;			/* no idle backoff at all */
	uint32_t mbufs;			/* mbufs per core's pool */
	uint32_t loss_ppm;		/* injected loss (tests) */
	uint64_t output_limit;		/* c->out cap when the store has none */
	int repl_cpu;			/* replication core's CPU, -1 = not pinned */
	bool cycle_stats;		/* per-layer cycle counters (dp_cycles.h) */
	bool latency_stats;		/* residence histograms (dp_latency.h) */
	bool tap_rx_trigger;		/* leave SIGIO to net_tap's trigger */
	int tcp_cc;			/* enum dp_tcp_cc (--tcp-cc), cubic */
	bool help;
};

/* Both halves of argv, pointing into the caller's argv (or into a static
 * copy of DP_DEFAULT_ARGS).  eal_argv[0] is the program name. */
struct dp_argv_split {
	int eal_argc;
	char **eal_argv;
	int ferry_argc;
	char **ferry_argv;	/* options only, no program name */
	bool is_default;
};

void dp_options_defaults(struct dp_options *o);

/* Split argv at the first "--"; no arguments or "--default" select the
 * embedded default.  0 or -ENOMEM. */
int dp_options_split(int argc, char **argv, struct dp_argv_split *s);

/* Parse the ferry half.  Store directives (--maxmemory 1gb, --config FILE)
 * are applied to the store's configuration at once, so the store must be
 * initialised (st_store_init) first.  0 or -EINVAL (err says why). */
int dp_options_parse(struct dp_options *o, int argc, char **argv,
		     char *err, size_t errlen);

/* Print the usage of both halves (ferry options, and how to get EAL's). */
void dp_options_usage(FILE *f, const char *prog);

#endif
