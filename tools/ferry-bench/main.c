/*
 * main.c -- ferry-bench: a RESP load generator on DPDK using ferry's own
 * TCP stack (dataplane/, active opens), or the port's echo ceiling.
 *
 * Call chain: main -> dp_options_split -> fb_options_parse ->
 *   fb_workload_build -> st_store_init (the poll loop registers its thread
 *   with the store's QSBR) -> rte_eal_init -> make_cores (pools) ->
 *   dp_port_ethdev_init -> wait_link ->
 *     --echo: fb_echo_run
 *     else:   make_bench_cores (connections, statistics) ->
 *             rte_eal_remote_launch(lcore_main) (+ lcore_main on the main
 *             lcore) -> dp_loop_run with the hooks of bench_core.c ->
 *             [the run ends: core 0 sets stop] -> rte_eal_wait_lcore ->
 *             fb_report
 *   -> dp_port_ethdev_fini -> st_store_shutdown -> rte_eal_cleanup.
 *
 * Exit status (report.h): 0 everything verified, 3 errors or missing
 * replies, 2 bad command line (bench or EAL), 1 start-up failure.
 * SIGINT/SIGTERM stop the run (the report covers what ran).
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_dev.h>
#include <rte_devargs.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>

#include "bench.h"
#include "conn.h"
#include "dp_core.h"
#include "dp_options.h"
#include "dp_port_ethdev.h"
#include "echo.h"
#include "options.h"
#include "report.h"
#include "worker.h"

static struct fb_run *volatile fb_sig_run;

static void
on_stop_signal(int sig)
{
	struct fb_run *run = fb_sig_run;

	if (run) {
		atomic_store(&run->interrupted, 1);
		atomic_store(&run->sh.stop, 1);
	}
}

static void
install_signals(struct fb_run *run)
{
	struct sigaction sa;

	fb_sig_run = run;
	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = on_stop_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);
}

static void
print_eal_help(const char *prog)
{
	char *hv[] = {(char *)prog, "--help", NULL};

	fflush(stdout);
	rte_eal_init(2, hv);	/* prints the EAL's usage and exits */
}

/* One dp_core and mbuf pool per lcore. */
static int
make_cores(struct fb_run *run, const unsigned *lcores)
{
	for (unsigned i = 0; i < run->ncores; i++) {
		char name[RTE_MEMPOOL_NAMESIZE];
		int socket = (int)rte_lcore_to_socket_id(lcores[i]);
		struct dp_core *core;

		core = rte_zmalloc_socket("fb_core", sizeof(*core),
					  RTE_CACHE_LINE_SIZE, socket);
		if (core == NULL)
			return -ENOMEM;
		run->dcores[i] = core;
		snprintf(name, sizeof(name), "fbench_mb%u", i);
		core->pool = rte_pktmbuf_pool_create(name, run->opt.mbufs, 256,
						     0, RTE_MBUF_DEFAULT_BUF_SIZE,
						     socket);
		if (core->pool == NULL)
			return -rte_errno;
		core->id = i;
		core->ncores = run->ncores;
		core->queue = (uint16_t)i;
		core->rand_state = rte_rdtsc() ^ ((uint64_t)(i + 1) << 32) ^
				   (uint64_t)getpid();
	}
	return 0;
}

static void
free_cores(struct fb_run *run)
{
	for (unsigned i = 0; i < run->ncores; i++) {
		if (run->dcores[i] == NULL)
			continue;
		rte_mempool_free(run->dcores[i]->pool);
		rte_free(run->dcores[i]);
		run->dcores[i] = NULL;
	}
}

/* Connections in contiguous blocks per core, statistics per phase. */
static int
make_bench_cores(struct fb_run *run)
{
	uint32_t clients = run->opt.clients;
	uint32_t depth = run->opt.pipeline + 1;

	for (unsigned i = 0; i < run->ncores; i++) {
		struct fb_core *fc = calloc(1, sizeof(*fc));
		uint32_t first = (uint32_t)((uint64_t)clients * i / run->ncores);
		uint32_t last = (uint32_t)((uint64_t)clients * (i + 1) /
					   run->ncores);

		if (fc == NULL)
			return -ENOMEM;
		run->cores[i] = fc;
		fc->run = run;
		fc->id = i;
		fc->first_gidx = first;
		fc->nconns = last - first;
		fc->rng = (rte_rdtsc() ^ ((uint64_t)(i + 1) << 40) ^
			   (uint64_t)getpid()) | 1;
		fc->stats = calloc(run->wl.nphases + 1, sizeof(*fc->stats));
		fc->conns = calloc(fc->nconns ? fc->nconns : 1,
				   sizeof(*fc->conns));
		if (fc->stats == NULL || fc->conns == NULL)
			return -ENOMEM;
		for (unsigned p = 0; p <= run->wl.nphases; p++)
			st_hdr_reset(&fc->stats[p].hdr);
		for (uint32_t c = 0; c < fc->nconns; c++)
			if (fb_conn_init(&fc->conns[c], fc, first + c,
					 depth) < 0)
				return -ENOMEM;
	}
	run->scratch = malloc(sizeof(*run->scratch));
	return run->scratch ? 0 : -ENOMEM;
}

static void
free_bench_cores(struct fb_run *run)
{
	for (unsigned i = 0; i < run->ncores; i++) {
		struct fb_core *fc = run->cores[i];

		if (fc == NULL)
			continue;
		for (uint32_t c = 0; fc->conns && c < fc->nconns; c++)
			fb_conn_fini(&fc->conns[c]);
		free(fc->conns);
		free(fc->stats);
		free(fc);
		run->cores[i] = NULL;
	}
	free(run->scratch);
	run->scratch = NULL;
}

/* memif and real NICs need a moment (memif: the peer must connect).
 * A memif client whose handshake has not finished after
 * MEMIF_RETRY_S restarts the port, which connects again: DPDK's memif
 * PMD never retries by itself (libmemif does, every 2 s), so a
 * handshake the server dropped would otherwise leave the link down for
 * the whole wait. */
#define MEMIF_RETRY_S	3.0

/* Is the port a net_memif one?  Its info in *info. */
static bool
port_memif_info(uint16_t port_id, struct rte_eth_dev_info *info)
{
	return rte_eth_dev_info_get(port_id, info) == 0 &&
	       info->driver_name != NULL &&
	       strcmp(info->driver_name, "net_memif") == 0;
}

/* A memif port in the client role (memif's default): the side that
 * connects.  A server waits for its peer; restarting it would only cut
 * a handshake in progress. */
static bool
port_is_memif_client(uint16_t port_id)
{
	struct rte_eth_dev_info info;
	const struct rte_devargs *da;

	if (!port_memif_info(port_id, &info))
		return false;
	da = info.device != NULL ? rte_dev_devargs(info.device) : NULL;
	return da == NULL || !fb_memif_args_server(da->args);
}

static int
wait_link(struct fb_run *run)
{
	uint16_t port_id = run->port.port_id;
	uint64_t now = rte_rdtsc();
	uint64_t end = now +
		(uint64_t)(run->opt.link_wait_s * (double)run->tsc_hz);
	uint64_t retry_tsc = (uint64_t)(MEMIF_RETRY_S * (double)run->tsc_hz);
	uint64_t retry_at = port_is_memif_client(port_id) ? now + retry_tsc : 0;

	for (;;) {
		struct rte_eth_link link;

		memset(&link, 0, sizeof(link));
		if (rte_eth_link_get_nowait(port_id, &link) == 0 &&
		    link.link_status == RTE_ETH_LINK_UP)
			return 0;
		now = rte_rdtsc();
		if (now >= end || atomic_load(&run->sh.stop))
			return -ETIMEDOUT;
		if (retry_at != 0 && now >= retry_at) {
			int rc;

			fprintf(stderr, "ferry-bench: port %u: memif link "
				"still down after %g s: connecting again\n",
				port_id, MEMIF_RETRY_S);
			rc = rte_eth_dev_stop(port_id);
			if (rc == 0)
				rc = rte_eth_dev_start(port_id);
			if (rc != 0)
				return rc < 0 ? rc : -EIO;
			retry_at = rte_rdtsc() + retry_tsc;
		}
		rte_delay_us_sleep(10000);
	}
}

struct lcore_arg {
	struct dp_core *core;
	struct dp_loop_shared *sh;
};

static int
lcore_main(void *arg)
{
	struct lcore_arg *la = arg;
	int rc = dp_loop_run(la->core, la->sh);

	if (rc < 0)
		fprintf(stderr, "ferry-bench: core %u failed to start: %s\n",
			la->core->id, strerror(-rc));
	return rc;
}

static int
run_bench(struct fb_run *run, const unsigned *lcores)
{
	struct lcore_arg largs[RTE_MAX_LCORE];
	int rc = 0;

	if (make_bench_cores(run) < 0) {
		fprintf(stderr, "ferry-bench: out of memory\n");
		return FB_EXIT_START;
	}
	dp_tcp_config_defaults(&run->tcp);
	run->tcp.max_conns = run->opt.clients / run->ncores + 4096;
	dp_loop_params_defaults(&run->sh.params);
	run->sh.params.busy_poll = true;	/* a load generator polls */
	run->sh.params.app_interval_us = 10000;
	run->sh.cores = run->dcores;
	run->sh.ncores = run->ncores;
	run->sh.hooks = (struct dp_loop_hooks){
		.core_init = fb_core_init,
		.app_flush = fb_core_step,
		.app_poll = fb_core_poll,
		.app_stop = fb_core_stop,
		.app_active = fb_core_active,
		.core_fini = fb_core_fini,
		.arg = run,
	};
	atomic_store(&run->phase, -1);
	if (!run->opt.quiet)
		fprintf(stderr, "ferry-bench: %u connections to %u.%u.%u.%u:%u "
			"over %u core%s\n", run->opt.clients,
			run->opt.host >> 24, (run->opt.host >> 16) & 255,
			(run->opt.host >> 8) & 255, run->opt.host & 255,
			run->opt.port, run->ncores, run->ncores > 1 ? "s" : "");
	for (unsigned i = 0; i < run->ncores; i++)
		largs[i] = (struct lcore_arg){run->dcores[i], &run->sh};
	for (unsigned i = 1; i < run->ncores; i++)
		rte_eal_remote_launch(lcore_main, &largs[i], lcores[i]);
	if (lcore_main(&largs[0]) < 0)
		rc = FB_EXIT_START;
	atomic_store(&run->sh.stop, 1);
	for (unsigned i = 1; i < run->ncores; i++)
		if (rte_eal_wait_lcore(lcores[i]) < 0)
			rc = FB_EXIT_START;
	/* the stack's counters (retransmits, drops) explain odd latencies */
	dp_loop_dump_stats(stderr, run->dcores, run->ncores);
	if (rc == 0)
		rc = fb_report(run, stdout);
	free_bench_cores(run);
	return rc;
}

int
main(int argc, char **argv)
{
	static struct fb_run run;
	struct dp_argv_split sp;
	unsigned lcores[RTE_MAX_LCORE], n = 0, lc;
	char err[512];
	int rc;

	if (argc >= 2 && strcmp(argv[1], "--help") == 0) {
		fb_options_usage(stdout, argv[0]);
		print_eal_help(argv[0]);
		return FB_EXIT_OK;
	}
	if (argc < 2 || strcmp(argv[1], "--default") == 0) {
		fb_options_usage(stderr, argv[0]);
		return FB_EXIT_USAGE;
	}
	if (dp_options_split(argc, argv, &sp) < 0) {
		fprintf(stderr, "ferry-bench: out of memory\n");
		return FB_EXIT_START;
	}
	fb_options_defaults(&run.opt);
	if (fb_options_parse(&run.opt, sp.ferry_argc, sp.ferry_argv, err,
			     sizeof(err)) < 0) {
		fprintf(stderr, "ferry-bench: %s\n", err);
		return FB_EXIT_USAGE;
	}
	if (run.opt.help) {
		fb_options_usage(stdout, argv[0]);
		print_eal_help(argv[0]);
		return FB_EXIT_OK;
	}
	rc = fb_workload_build(&run.wl, &run.opt, err, sizeof(err));
	if (rc < 0) {
		fprintf(stderr, "ferry-bench: %s\n", err);
		fb_workload_fini(&run.wl);
		return rc == -EINVAL ? FB_EXIT_USAGE : FB_EXIT_START;
	}
	if (st_store_init() < 0) {
		fprintf(stderr, "ferry-bench: store initialisation failed\n");
		fb_workload_fini(&run.wl);
		return FB_EXIT_START;
	}
	install_signals(&run);
	/* no per-packet signal from net_tap (dp_port_ethdev.h): read it on
	 * every poll, as ferryd does by default */
	dp_port_tap_trigger_off();
	if (rte_eal_init(sp.eal_argc, sp.eal_argv) < 0) {
		fprintf(stderr, "ferry-bench: EAL initialisation failed: %s\n",
			rte_strerror(rte_errno));
		st_store_shutdown();
		fb_workload_fini(&run.wl);
		return rte_errno == EINVAL ? FB_EXIT_USAGE : FB_EXIT_START;
	}
	install_signals(&run);	/* the EAL may have installed its own */
	run.tsc_hz = rte_get_tsc_hz();
	run.ns_per_tsc = 1e9 / (double)run.tsc_hz;
	run.timeout_tsc = (uint64_t)(run.opt.timeout_s * (double)run.tsc_hz);

	lcores[n++] = rte_get_main_lcore();
	RTE_LCORE_FOREACH_WORKER(lc)
		lcores[n++] = lc;
	run.ncores = run.opt.echo ? 1 : n;
	if (run.opt.clients < run.ncores)
		run.ncores = run.opt.clients;
	if (!rte_eth_dev_is_valid_port(run.opt.port_id)) {
		fprintf(stderr, "ferry-bench: no DPDK port %u (%u available; "
			"give one with --vdev or a PCI device)\n",
			run.opt.port_id, rte_eth_dev_count_avail());
		rc = FB_EXIT_USAGE;
		goto out_eal;
	}
	rc = make_cores(&run, lcores);
	if (rc < 0) {
		fprintf(stderr, "ferry-bench: mbuf pools: %s (more -m?)\n",
			rte_strerror(-rc));
		rc = FB_EXIT_START;
		goto out_cores;
	}
	{
		struct rte_mempool *pools[RTE_MAX_LCORE];

		for (unsigned i = 0; i < run.ncores; i++)
			pools[i] = run.dcores[i]->pool;
		rc = dp_port_ethdev_init(&run.port, run.opt.port_id,
					 (uint16_t)run.ncores, pools, 0, 0);
	}
	if (rc < 0) {
		fprintf(stderr, "ferry-bench: port %u: %s\n", run.opt.port_id,
			strerror(-rc));
		rc = FB_EXIT_START;
		goto out_cores;
	}
	run.port.ip = run.opt.addr;
	run.port.prefix_len = run.opt.prefix_len;
	run.port.gateway = run.opt.gateway;
	for (unsigned i = 0; i < run.ncores; i++)
		dp_core_add_port(run.dcores[i], &run.port);	/* the only one */
	run.nexthop = dp_port_on_link(&run.port, run.opt.host) ?
		run.opt.host : run.opt.gateway;
	/* the echo server is the passive side: its peer comes later */
	if (run.opt.echo != FB_ECHO_SERVER && wait_link(&run) < 0) {
		fprintf(stderr, "ferry-bench: port %u: link down after %g s "
			"(memif: is the peer running on the same socket?)\n",
			run.opt.port_id, run.opt.link_wait_s);
		rc = FB_EXIT_START;
		goto out_port;
	}
	if (run.opt.echo) {
		rc = fb_echo_run(&run);
	} else {
		struct rte_eth_dev_info info;

		rc = run_bench(&run, lcores);
		/* our connections are closed: give a memif peer (ferryd, idle
		 * after 1 ms) time to back off to sleeping polls before our
		 * port goes and its PMD unmaps the regions under them (the
		 * DPDK 22.11 race in docs/design.md; echo.c does the same) */
		if (port_memif_info(run.opt.port_id, &info))
			rte_delay_us_sleep(5000);
	}
out_port:
	dp_port_ethdev_fini(&run.port);
out_cores:
	free_cores(&run);
out_eal:
	st_store_shutdown();
	rte_eal_cleanup();
	fb_workload_fini(&run.wl);
	return rc;
}
