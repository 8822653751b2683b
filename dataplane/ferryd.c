/*
 * ferryd.c -- the ferry daemon: EAL, the port, one polling core per queue,
 * the RESP server on each.
 *
 * Call chain: main -> dp_options_split -> ctl_repl_init -> st_store_init
 *   -> dp_options_parse
 *   -> rte_eal_init -> make_cores (pools) -> dp_port_ethdev_init ->
 *   rte_eal_remote_launch(lcore_main) (+ lcore_main on the main lcore) ->
 *   dp_loop_run -> [core_init: dp_arp_init, dp_tcp_stack_init,
 *   dp_resp_server_init, dp_arp_announce] (+ ctl_repl_core_start before
 *   the launch, ctl_repl_core_stop after the join; st_housekeep_start /
 *   st_housekeep_stop likewise) ... -> SIGINT/SIGTERM -> drain ->
 *   [core_fini] -> rte_eal_wait_lcore -> dp_port_ethdev_fini ->
 *   st_store_shutdown -> rte_eal_cleanup.
 *
 * Exit codes: 0 clean shutdown, 2 bad command line (ferry or EAL), 1 any
 * other start-up failure.
 *
 * Signals: SIGINT/SIGTERM and the SHUTDOWN command stop (graceful: FIN on
 * every connection, at most drain_us), SIGUSR1 prints per-core counters on stderr (core 0 does it at
 * its next iteration).  The handlers reach the loops through the one
 * static pointer below, set before the handlers are installed.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>

#include "command.h"
#include "config.h"
#include "dp_arp.h"
#include "dp_core.h"
#include "dp_loop.h"
#include "dp_options.h"
#include "dp_port_ethdev.h"
#include "housekeep.h"
#include "dp_tcp.h"
#include "repl.h"
#include "repl_link.h"
#include "repl_replica.h"
#include "resp_server.h"
#include "worker.h"

struct ferryd {
	struct dp_options opt;
	struct dp_port port;
	struct dp_port extra[DP_OPT_EXTRA_PORTS];	/* --extra-port */
	unsigned nextra_up;		/* extra ports started */
	struct dp_core *cores[RTE_MAX_LCORE];
	unsigned ncores;
	struct dp_loop_shared sh;
	struct dp_tcp_config tcp;
	struct dp_resp_params resp;
};

/* The signal handlers' way to the loops (set once, before they exist). */
static struct dp_loop_shared *volatile ferryd_sig_shared;

static void
on_stop_signal(int sig)
{
	struct dp_loop_shared *sh = ferryd_sig_shared;

	if (sh)
		atomic_store(&sh->stop, 1);
}

static void
on_stats_signal(int sig)
{
	struct dp_loop_shared *sh = ferryd_sig_shared;

	if (sh)
		atomic_store(&sh->dump_stats, 1);
}

/* SHUTDOWN (store/cmd_server.c): runs on a polling core, inside a command;
 * only asks the loops to stop (the graceful path of SIGTERM). */
static void
on_shutdown_command(void *arg)
{
	struct dp_loop_shared *sh = arg;

	atomic_store(&sh->stop, 1);
}

static void
install_signals(struct dp_loop_shared *sh)
{
	struct sigaction sa;

	ferryd_sig_shared = sh;
	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = on_stop_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sa.sa_handler = on_stats_signal;
	sigaction(SIGUSR1, &sa, NULL);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);
}

/* ---- per-core lifetime (hooks run on the core's lcore) --------------------- */

static int
core_init(struct dp_core *core, void *arg)
{
	struct ferryd *fd = arg;
	int rc;

	rc = dp_arp_init(core);
	if (rc < 0)
		return rc;
	rc = dp_tcp_stack_init(core, &fd->tcp);
	if (rc < 0)
		return rc;
	rc = dp_resp_server_init(core, &fd->resp);
	if (rc < 0)
		return rc;
	rc = dp_repl_link_init(core);	/* core 0: the master link */
	if (rc < 0)
		return rc;
	if (core->id == 0)
		dp_arp_announce(core);
	return 0;
}

static void
core_app_poll(struct dp_core *core, void *arg)
{
	dp_resp_server_poll(core);
	dp_repl_link_poll(core);
}

static void
core_app_flush(struct dp_core *core, void *arg)
{
	dp_resp_server_flush(core);
}

static void
core_app_stop(struct dp_core *core, void *arg)
{
	dp_resp_server_stop(core);
	dp_repl_link_stop(core);
}

static size_t
core_app_active(struct dp_core *core, void *arg)
{
	return dp_resp_server_conns(core) + dp_repl_link_active(core);
}

static void
core_fini(struct dp_core *core, void *arg)
{
	if (core->tcp)
		dp_tcp_stack_fini(core);
	dp_resp_server_fini(core);
	dp_repl_link_fini(core);
	if (core->arp)
		dp_arp_fini(core);
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
		fprintf(stderr, "ferryd: core %u failed to start: %s\n",
			la->core->id, strerror(-rc));
	return rc;
}

/* ---- start-up --------------------------------------------------------------- */

static int
make_cores(struct ferryd *fd, unsigned *lcores)
{
	for (unsigned i = 0; i < fd->ncores; i++) {
		char name[RTE_MEMPOOL_NAMESIZE];
		int socket = (int)rte_lcore_to_socket_id(lcores[i]);
		struct dp_core *core;

		core = rte_zmalloc_socket("dp_core", sizeof(*core),
					  RTE_CACHE_LINE_SIZE, socket);
		if (core == NULL)
			return -ENOMEM;
		snprintf(name, sizeof(name), "ferry_mb%u", i);
		core->pool = rte_pktmbuf_pool_create(name, fd->opt.mbufs, 256,
						     0, RTE_MBUF_DEFAULT_BUF_SIZE,
						     socket);
		if (core->pool == NULL) {
			rte_free(core);
			return -rte_errno;
		}
		core->id = i;
		core->ncores = fd->ncores;
		core->queue = (uint16_t)i;
		core->loss_ppm = fd->opt.loss_ppm;
		if (fd->opt.cycle_stats)
			dp_cycles_enable(&core->cyc);
		if (fd->opt.latency_stats &&
		    dp_latency_enable(&core->lat) < 0) {
			rte_mempool_free(core->pool);
			rte_free(core);
			return -ENOMEM;
		}
		core->rand_state = rte_rdtsc() ^ ((uint64_t)(i + 1) << 32) ^
				   (uint64_t)getpid();
		fd->cores[i] = core;
	}
	return 0;
}

static void
free_cores(struct ferryd *fd)
{
	for (unsigned i = 0; i < fd->ncores; i++) {
		if (fd->cores[i] == NULL)
			continue;
		rte_mempool_free(fd->cores[i]->pool);
		dp_latency_fini(&fd->cores[i]->lat);
		rte_free(fd->cores[i]);
		fd->cores[i] = NULL;
	}
}

/* --extra-port, before the cores exist: ports that exist, distinct, and
 * one data core (hand-over between cores assumes one port).  0 or 2
 * (usage error, printed). */
static int
check_extra_ports(struct ferryd *fd)
{
	if (fd->opt.nextra == 0)
		return 0;
	if (fd->ncores != 1) {
		fprintf(stderr, "ferryd: --extra-port needs one data core "
			"(--data-cores 1 or -l with one lcore), not %u\n",
			fd->ncores);
		return 2;
	}
	for (unsigned i = 0; i < fd->opt.nextra; i++) {
		uint16_t id = fd->opt.extra[i].port_id;

		if (!rte_eth_dev_is_valid_port(id)) {
			fprintf(stderr, "ferryd: --extra-port: no DPDK port %u "
				"(%u available)\n", id,
				rte_eth_dev_count_avail());
			return 2;
		}
		if (id == fd->opt.port_id) {
			fprintf(stderr, "ferryd: --extra-port: port %u is "
				"--port-id already\n", id);
			return 2;
		}
		for (unsigned j = 0; j < i; j++)
			if (fd->opt.extra[j].port_id == id) {
				fprintf(stderr, "ferryd: --extra-port: port %u "
					"given twice\n", id);
				return 2;
			}
	}
	return 0;
}

/* Configure and start the --extra-port ports (one queue: one core).
 * 0 or 1 (printed); fd->nextra_up counts the started ones. */
static int
start_extra_ports(struct ferryd *fd)
{
	for (unsigned i = 0; i < fd->opt.nextra; i++) {
		struct dp_port *p = &fd->extra[i];
		struct rte_mempool *pool = fd->cores[0]->pool;
		int rc = dp_port_ethdev_init(p, fd->opt.extra[i].port_id, 1,
					     &pool, 0, 0);

		if (rc < 0) {
			fprintf(stderr, "ferryd: port %u: %s\n",
				fd->opt.extra[i].port_id, strerror(-rc));
			return 1;
		}
		fd->nextra_up++;
		p->ip = fd->opt.extra[i].addr;
		p->prefix_len = fd->opt.extra[i].prefix_len;
		p->gateway = 0;		/* the default route is --port-id's */
	}
	return 0;
}

/* Give every core its ports: --port-id first (the default route), then the
 * extra ones.  0 or 2 (overlapping subnets, printed). */
static int
attach_ports(struct ferryd *fd)
{
	for (unsigned c = 0; c < fd->ncores; c++) {
		struct dp_core *core = fd->cores[c];

		if (dp_core_add_port(core, &fd->port) < 0)
			return 1;
		for (unsigned i = 0; i < fd->nextra_up; i++)
			if (dp_core_add_port(core, &fd->extra[i]) < 0) {
				const struct dp_port *p = &fd->extra[i];

				fprintf(stderr, "ferryd: --extra-port %u,"
					"%u.%u.%u.%u/%u: its subnet overlaps "
					"another port's\n", p->port_id,
					p->ip >> 24, (p->ip >> 16) & 255,
					(p->ip >> 8) & 255, p->ip & 255,
					p->prefix_len);
				return 2;
			}
	}
	return 0;
}

static void
print_eal_help(const char *prog)
{
	char *hv[] = {(char *)prog, "--help", NULL};

	fflush(stdout);
	/* the EAL prints its usage and exits */
	rte_eal_init(2, hv);
}

int
main(int argc, char **argv)
{
	static struct ferryd fd;
	struct dp_argv_split sp;
	struct lcore_arg largs[RTE_MAX_LCORE];
	unsigned lcores[RTE_MAX_LCORE], n = 0, lc;
	char err[512];
	int rc, ret;

	if (argc >= 2 && (strcmp(argv[1], "--help") == 0 ||
			  strcmp(argv[1], "-h") == 0)) {
		dp_options_usage(stdout, argv[0]);
		print_eal_help(argv[0]);
		return 0;
	}
	dp_options_split(argc, argv, &sp);
	if (ctl_repl_init() < 0) {
		fprintf(stderr, "ferryd: replication initialisation failed\n");
		return 1;
	}
	if (st_store_init() < 0) {
		fprintf(stderr, "ferryd: store initialisation failed\n");
		return 1;
	}
	dp_options_defaults(&fd.opt);
	if (dp_options_parse(&fd.opt, sp.ferry_argc, sp.ferry_argv, err,
			     sizeof(err)) < 0) {
		fprintf(stderr, "ferryd: %s\n", err);
		return 2;
	}
	if (fd.opt.help) {
		dp_options_usage(stdout, argv[0]);
		print_eal_help(argv[0]);
		return 0;
	}
	if (fd.opt.addr == 0) {
		fprintf(stderr, "ferryd: --addr IP/PREFIX is required "
			"(ferryd [EAL options] -- --addr 198.18.0.2/24 ...; "
			"see --help)\n");
		return 2;
	}
	/* --replicaof "HOST PORT" / the replicaof directive */
	if (ctl_replica_apply_config() < 0) {
		fprintf(stderr, "ferryd: replicaof: expected \"HOST PORT\" "
			"(an IPv4 address and a port 0-65535)\n");
		return 2;
	}
	/* net_tap's per-packet signal off, unless asked (before the EAL
	 * probes the vdevs: the PMD picks its signal when it opens a queue) */
	if (!fd.opt.tap_rx_trigger)
		dp_port_tap_trigger_off();
	ret = rte_eal_init(sp.eal_argc, sp.eal_argv);
	if (ret < 0) {
		fprintf(stderr, "ferryd: EAL initialisation failed: %s\n",
			rte_strerror(rte_errno));
		return rte_errno == EINVAL ? 2 : 1;
	}

	/* the data cores: the main lcore first, then the workers */
	lcores[n++] = rte_get_main_lcore();
	RTE_LCORE_FOREACH_WORKER(lc)
		lcores[n++] = lc;
	fd.ncores = fd.opt.data_cores ? fd.opt.data_cores : n;
	if (fd.ncores > n) {
		fprintf(stderr, "ferryd: --data-cores %u but the EAL has only "
			"%u lcores (-l)\n", fd.ncores, n);
		rc = 2;
		goto out_eal;
	}
	if (!rte_eth_dev_is_valid_port(fd.opt.port_id)) {
		fprintf(stderr, "ferryd: no DPDK port %u (%u available; give "
			"one with --vdev or a PCI device)\n", fd.opt.port_id,
			rte_eth_dev_count_avail());
		rc = 2;
		goto out_eal;
	}
	rc = check_extra_ports(&fd);
	if (rc != 0)
		goto out_eal;
	rc = make_cores(&fd, lcores);
	if (rc < 0) {
		fprintf(stderr, "ferryd: mbuf pools: %s (more -m?)\n",
			rte_strerror(-rc));
		rc = 1;
		goto out_cores;
	}
	/* INFO residence, CONFIG RESETSTAT (dp_latency.h) */
	dp_latency_register_info(fd.cores, fd.ncores);
	{
		struct rte_mempool *pools[RTE_MAX_LCORE];

		for (unsigned i = 0; i < fd.ncores; i++)
			pools[i] = fd.cores[i]->pool;
		rc = dp_port_ethdev_init(&fd.port, fd.opt.port_id,
					 (uint16_t)fd.ncores, pools, 0, 0);
	}
	if (rc < 0) {
		fprintf(stderr, "ferryd: port %u: %s\n", fd.opt.port_id,
			strerror(-rc));
		rc = 1;
		goto out_cores;
	}
	fd.port.ip = fd.opt.addr;
	fd.port.prefix_len = fd.opt.prefix_len;
	fd.port.gateway = fd.opt.gateway;
	rc = start_extra_ports(&fd);
	if (rc == 0)
		rc = attach_ports(&fd);
	if (rc != 0)
		goto out_ports;

	dp_tcp_config_defaults(&fd.tcp);
	fd.tcp.cc = (uint8_t)fd.opt.tcp_cc;	/* --tcp-cc */
	/* window scale 9: windows up to 32 MiB, what a replication link
	 * (repl-tcp-buffer) needs for 1 Gbit/s at 250 ms RTT; wscale 7 caps
	 * them at 8 MiB (tcp_wan_sim: 268 vs 956 Mbit/s at 125 ms one way) */
	fd.tcp.wscale = 9;
	/* one core may get every client (and their TIME_WAITs) */
	if (fd.tcp.max_conns < st_cfg.maxclients + 4096 &&
	    st_cfg.maxclients < (1 << 22))
		fd.tcp.max_conns = (uint32_t)st_cfg.maxclients + 4096;
	fd.resp.port = fd.opt.port;
	fd.resp.output_limit = fd.opt.output_limit;

	dp_loop_params_defaults(&fd.sh.params);
	fd.sh.params.busy_poll = fd.opt.busy_poll;
	fd.sh.params.idle_pause_us = fd.opt.idle_pause_us;
	fd.sh.params.idle_sleep_us = fd.opt.idle_sleep_us;
	fd.sh.params.sleep_max_us = fd.opt.sleep_max_us;
	fd.sh.cores = fd.cores;
	fd.sh.ncores = fd.ncores;
	fd.sh.hooks = (struct dp_loop_hooks){
		.core_init = core_init,
		.app_poll = core_app_poll,
		.app_flush = core_app_flush,
		.app_stop = core_app_stop,
		.app_active = core_app_active,
		.core_fini = core_fini,
		.arg = &fd,
	};
	install_signals(&fd.sh);
	st_set_shutdown_hook(on_shutdown_command, &fd.sh);

	fprintf(stderr, "ferryd: serving RESP on %u.%u.%u.%u:%u (port %u, "
		"%u core%s, MAC " RTE_ETHER_ADDR_PRT_FMT ")\n",
		fd.opt.addr >> 24, (fd.opt.addr >> 16) & 255,
		(fd.opt.addr >> 8) & 255, fd.opt.addr & 255, fd.opt.port,
		fd.opt.port_id, fd.ncores, fd.ncores > 1 ? "s" : "",
		RTE_ETHER_ADDR_BYTES(&fd.port.mac));
	for (unsigned i = 0; i < fd.nextra_up; i++) {
		const struct dp_port *p = &fd.extra[i];

		fprintf(stderr, "ferryd: and on %u.%u.%u.%u/%u (port %u, MAC "
			RTE_ETHER_ADDR_PRT_FMT ")\n", p->ip >> 24,
			(p->ip >> 16) & 255, (p->ip >> 8) & 255, p->ip & 255,
			p->prefix_len, p->port_id, RTE_ETHER_ADDR_BYTES(&p->mac));
	}
	rc = ctl_repl_core_start(fd.opt.repl_cpu);
	if (rc < 0) {
		fprintf(stderr, "ferryd: replication core: %s\n", strerror(-rc));
		rc = 1;
		goto out_ports;
	}
	/* hash tables grown to one bucket per key off the data cores */
	rc = st_housekeep_start(0);
	if (rc < 0)
		fprintf(stderr, "ferryd: housekeeping thread: %s (tables grow "
			"lazily)\n", strerror(-rc));
	for (unsigned i = 0; i < fd.ncores; i++)
		largs[i] = (struct lcore_arg){fd.cores[i], &fd.sh};
	for (unsigned i = 1; i < fd.ncores; i++)
		rte_eal_remote_launch(lcore_main, &largs[i], lcores[i]);
	rc = lcore_main(&largs[0]) < 0 ? 1 : 0;
	atomic_store(&fd.sh.stop, 1);
	for (unsigned i = 1; i < fd.ncores; i++)
		if (rte_eal_wait_lcore(lcores[i]) < 0)
			rc = 1;
	ctl_repl_core_stop();
	st_housekeep_stop();	/* the data cores are unregistered by now */
	dp_loop_dump_stats(stderr, fd.cores, fd.ncores);
	fprintf(stderr, "ferryd: stopped\n");
out_ports:
	for (unsigned i = 0; i < fd.nextra_up; i++)
		dp_port_ethdev_fini(&fd.extra[i]);
	dp_port_ethdev_fini(&fd.port);	/* rte_eth_dev_stop + close */
out_cores:
	free_cores(&fd);
out_eal:
	st_store_shutdown();
	rte_eal_cleanup();
	return rc;
}
