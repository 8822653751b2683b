/*
 * le_main.c -- ferry-linkemu: a DPDK link emulator between two ports.
 *
 *   ferry-linkemu [EAL options] -- [options]
 *
 * Frames read on port 0 go to port 1 (direction a2b) and frames read on
 * port 1 go to port 0 (b2a), each direction shaped by its own delay,
 * jitter, loss, Gilbert-Elliott burst loss, duplication, rate cap and
 * partition switch (le_dir.h), changeable at run time through the control
 * socket (le_ctl.h: the protocol; le_ctlsock.h: the transport).
 *
 * Call chain: main -> parse_options -> rte_eal_init -> rte_pktmbuf_pool_create
 *   -> le_port_init (x2) -> le_dir_init (x2) -> le_ctlsock_open -> run:
 *   loop { rte_eth_rx_burst -> le_dir_input ; le_dir_output ;
 *          le_ctlsock_poll -> ctl_handler -> le_ctl_execute ;
 *          idle: spin within --spin-us of the next release, else
 *          wait_events (ppoll on the RX-interrupt fds and the control
 *          socket until the next release - --spin-us) or, without RX
 *          interrupts, nanosleep up to --idle-sleep-us }
 *   -> (SIGINT/SIGTERM) le_ctlsock_close -> le_dir_fini -> le_port_fini
 *   -> rte_mempool_free -> rte_eal_cleanup
 *
 * Memory: the mbuf pool holds --mbufs mbufs of LE_MBUF_SIZE bytes each
 * (128 B struct + 128 B headroom + 1536 B data, about 1.9 KB with the
 * mempool header); the default, 2 x --queue-cap + 6144 = 268,288 mbufs, is
 * about 490 MiB, so EAL needs -m 640 or more with the defaults (with
 * --no-huge the pool is ordinary anonymous memory).  The delay queues add
 * 24 B per --queue-cap entry and direction, the rate FIFOs 1 MiB each.
 * A full 1514-byte frame fits one mbuf; larger ones chain.
 */
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <time.h>

#include <rte_common.h>
#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>
#include <rte_pause.h>

#include "le_ctl.h"
#include "le_ctlsock.h"
#include "le_dir.h"
#include "le_port.h"
#include "le_time.h"

#define LE_QUEUE_CAP_DEFAULT 131072u
#define LE_MBUF_DATA (RTE_PKTMBUF_HEADROOM + 1536)
#define LE_POOL_CACHE 256
#define LE_CTL_POLL_US 1000
#define LE_SPIN_MARGIN_US 100	/* default: wake this early, then spin */
#define LE_IDLE_SPIN_US 20	/* spin this long after work (at most) */
#define LE_WAIT_MAX_NS 100000000ULL	/* longest wait for an event */

struct le_opts {
	struct le_dir_cfg cfg[LE_NDIR];
	const char *ctl_path;
	unsigned stats_interval;	/* s, 0: never */
	uint64_t seed;
	uint32_t queue_cap;
	uint32_t mbufs;
	bool busy_poll;
	unsigned sleep_max_us;
	unsigned spin_us;		/* wake this early before a release */
	int rt_prio;			/* SCHED_FIFO priority, 0: none */
};

struct le_emu {
	struct le_dir dir[LE_NDIR];
	struct le_ctlsock ctl;
	uint64_t hz;
	int rx_fd[2];		/* per port: readable with frames, or -1 */
};

static volatile sig_atomic_t le_stop;

static void
on_signal(int sig)
{
	(void)sig;
	le_stop = 1;
}

static void
usage(FILE *f)
{
	fprintf(f,
"usage: ferry-linkemu [EAL options] -- [options]\n"
"\n"
"Forwards frames between DPDK ports 0 and 1 (a2b: 0 -> 1, b2a: 1 -> 0),\n"
"applying per direction delay, jitter, loss, burst loss, duplication, a\n"
"rate cap and a partition switch.  Example (two net_tap ports):\n"
"  ferry-linkemu -l 0 --no-huge -m 768 --file-prefix emu \\\n"
"    --vdev net_tap0,iface=ta --vdev net_tap1,iface=tb -- \\\n"
"    --both 'delay 35ms jitter 1ms dist normal' --ctl /tmp/emu.sock\n"
"\n"
"options:\n"
"  --a2b SPEC          shape a2b (SPEC: PARAM VALUE ..., as after\n"
"                      'set DIR' below); applied in command-line order\n"
"  --b2a SPEC          shape b2a\n"
"  --both SPEC         shape both directions\n"
"  --ctl PATH          control socket (unix stream) at PATH\n"
"  --stats-interval S  print the counters every S seconds (0: never)\n"
"  --seed N            PRNG seed (default 1; same seed, same decisions)\n"
"  --queue-cap N       delay queue capacity per direction, packets\n"
"                      (default %u; more are dropped as overflow)\n"
"  --mbufs N           mbuf pool size (default 2 x queue-cap + 6144;\n"
"                      about 1.9 KB each: see -m)\n"
"  --busy-poll         never sleep when idle (uses a whole core)\n"
"  --idle-sleep-us N   ports without RX interrupts: longest idle sleep\n"
"                      (default 20; 1..1000; net_memif has none); with\n"
"                      them (net_tap) the emulator sleeps in ppoll until\n"
"                      a frame, a control request or --spin-us before\n"
"                      the next release\n"
"  --spin-us N         wake N us before each release and spin to it\n"
"                      (default %u; 0..1000), and after a burst spin at\n"
"                      most N us (default %u) for the next frame; less\n"
"                      spins less (a busy machine keeps more of the\n"
"                      core) but a release is then late by the sleep's\n"
"                      overshoot (about 10 us, at times 50-250 us)\n"
"  --rt-prio N         run the forwarding thread SCHED_FIFO at priority N\n"
"                      (1..99): a loaded machine then delays releases\n"
"                      less; not with --busy-poll on a shared machine\n"
"  --help              this text\n"
"\n"
"control protocol (one command per line; each reply ends with a line\n"
"starting OK or ERR):\n"
"  set DIR PARAM VALUE [PARAM VALUE ...]   DIR: a2b | b2a | both\n"
"    delay TIME        fixed one-way delay (35ms 500us 1.5s 250ns; bare: ms)\n"
"    jitter TIME       uniform: +-TIME; normal: stddev TIME\n"
"    dist uniform|normal\n"
"    reorder on|off    off (default): jitter never reorders\n"
"    loss PCT          independent loss (1%%, 0.5: percent)\n"
"    ge P R BAD GOOD   Gilbert-Elliott: P(good->bad) P(bad->good)\n"
"                      loss-in-bad (1-h) loss-in-good (1-k), percent\n"
"    ge off\n"
"    dup PCT           duplication\n"
"    rate RATE         cap incl. Ethernet overhead (100mbit 1gbit 64kbit;\n"
"                      0|off: unlimited)\n"
"    burst SIZE        token bucket depth, bytes (1514 64kb 1mb)\n"
"    limit N           rate queue limit, packets (1..%u, default %u)\n"
"    limit-bytes SIZE  rate queue limit, wire bytes (0: none)\n"
"    overhead N        per-frame wire overhead, bytes (default %u)\n"
"    partition on|off  drop everything\n"
"  partition on|off [a2b|b2a|both]\n"
"  reset [DIR]         no impairment\n"
"  show                configuration\n"
"  stats | stats json | stats reset\n"
"  help | quit\n"
"\n"
"exit status: 0 after SIGINT/SIGTERM, 2 on bad options, 1 on start-up\n"
"failure.\n",
		LE_QUEUE_CAP_DEFAULT, LE_SPIN_MARGIN_US, LE_IDLE_SPIN_US,
		LE_RATE_QUEUE_MAX, LE_RATE_LIMIT_DEFAULT,
		LE_RATE_OVERHEAD_DEFAULT);
}

static int
parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *v)
{
	char *end;
	unsigned long long x;

	if (*s == '\0' || *s == '-')
		return -EINVAL;
	errno = 0;
	x = strtoull(s, &end, 10);
	if (errno || *end != '\0' || x < min || x > max)
		return -EINVAL;
	*v = x;
	return 0;
}

/* Parse the application's options (after "--").  0 or -EINVAL (reported). */
static int
parse_options(int argc, char **argv, struct le_opts *o)
{
	enum { O_A2B = 256, O_B2A, O_BOTH, O_CTL, O_STATS, O_SEED, O_QCAP,
	       O_MBUFS, O_BUSY, O_SLEEP, O_SPIN, O_RT, O_HELP };
	static const struct option lo[] = {
		{ "a2b", required_argument, NULL, O_A2B },
		{ "b2a", required_argument, NULL, O_B2A },
		{ "both", required_argument, NULL, O_BOTH },
		{ "ctl", required_argument, NULL, O_CTL },
		{ "stats-interval", required_argument, NULL, O_STATS },
		{ "seed", required_argument, NULL, O_SEED },
		{ "queue-cap", required_argument, NULL, O_QCAP },
		{ "mbufs", required_argument, NULL, O_MBUFS },
		{ "busy-poll", no_argument, NULL, O_BUSY },
		{ "idle-sleep-us", required_argument, NULL, O_SLEEP },
		{ "spin-us", required_argument, NULL, O_SPIN },
		{ "rt-prio", required_argument, NULL, O_RT },
		{ "help", no_argument, NULL, O_HELP },
		{ NULL, 0, NULL, 0 },
	};
	char err[200];
	uint64_t v;
	int c, li = 0;

	for (int d = 0; d < LE_NDIR; d++)
		le_dir_cfg_defaults(&o->cfg[d]);
	o->ctl_path = NULL;
	o->stats_interval = 0;
	o->seed = 1;
	o->queue_cap = LE_QUEUE_CAP_DEFAULT;
	o->mbufs = 0;
	o->busy_poll = false;
	o->sleep_max_us = 20;
	o->spin_us = LE_SPIN_MARGIN_US;
	o->rt_prio = 0;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":", lo, &li)) != -1) {
		switch (c) {
		case O_A2B:
		case O_B2A:
		case O_BOTH:
			for (int d = 0; d < LE_NDIR; d++) {
				if ((c == O_A2B && d != LE_A2B) ||
				    (c == O_B2A && d != LE_B2A))
					continue;
				if (le_ctl_parse_spec(optarg, &o->cfg[d], err,
						      sizeof(err)) < 0) {
					fprintf(stderr, "ferry-linkemu: --%s: %s\n",
						lo[li].name, err);
					return -EINVAL;
				}
			}
			break;
		case O_CTL:
			o->ctl_path = optarg;
			break;
		case O_STATS:
			if (parse_u64(optarg, 0, 86400, &v) < 0)
				goto bad;
			o->stats_interval = (unsigned)v;
			break;
		case O_SEED:
			if (parse_u64(optarg, 0, UINT64_MAX, &v) < 0)
				goto bad;
			o->seed = v;
			break;
		case O_QCAP:
			if (parse_u64(optarg, 1, 1u << 24, &v) < 0)
				goto bad;
			o->queue_cap = (uint32_t)v;
			break;
		case O_MBUFS:
			if (parse_u64(optarg, 1024, 1u << 26, &v) < 0)
				goto bad;
			o->mbufs = (uint32_t)v;
			break;
		case O_BUSY:
			o->busy_poll = true;
			break;
		case O_SLEEP:
			if (parse_u64(optarg, 1, 1000, &v) < 0)
				goto bad;
			o->sleep_max_us = (unsigned)v;
			break;
		case O_SPIN:
			if (parse_u64(optarg, 0, 1000, &v) < 0)
				goto bad;
			o->spin_us = (unsigned)v;
			break;
		case O_RT:
			if (parse_u64(optarg, 1, 99, &v) < 0)
				goto bad;
			o->rt_prio = (int)v;
			break;
		case O_HELP:
			usage(stdout);
			exit(0);
		case ':':
			fprintf(stderr, "ferry-linkemu: %s needs a value\n",
				argv[optind - 1]);
			return -EINVAL;
		default:
			fprintf(stderr, "ferry-linkemu: unknown option '%s' "
				"(--help lists them)\n", argv[optind - 1]);
			return -EINVAL;
		}
		continue;
bad:
		fprintf(stderr, "ferry-linkemu: bad value '%s' for --%s\n",
			optarg, lo[li].name);
		return -EINVAL;
	}
	if (optind < argc) {
		fprintf(stderr, "ferry-linkemu: unexpected argument '%s'\n",
			argv[optind]);
		return -EINVAL;
	}
	if (o->mbufs == 0)
		o->mbufs = 2 * o->queue_cap + 6144;
	return 0;
}

/* ---- control ------------------------------------------------------------- */

static void
log_cfg(const struct le_emu *e)
{
	char line[512];

	for (int d = 0; d < LE_NDIR; d++) {
		le_ctl_format_cfg(le_dir_names[d], &e->dir[d].cfg, line,
				  sizeof(line));
		printf("ferry-linkemu: %s", line);
	}
	fflush(stdout);
}

static size_t
ctl_handler(void *arg, const char *line, char *reply, size_t len,
	    bool *close_after)
{
	struct le_emu *e = arg;
	struct le_dir_cfg cfg[LE_NDIR];
	struct le_dir_stats st[LE_NDIR];
	enum le_ctl_op op;

	for (int d = 0; d < LE_NDIR; d++)
		cfg[d] = e->dir[d].cfg;
	op = le_ctl_execute(line, cfg, reply, len);
	switch (op) {
	case LE_CTL_EMPTY:
		return 0;
	case LE_CTL_CONFIG:
		for (int d = 0; d < LE_NDIR; d++)
			le_dir_set_cfg(&e->dir[d], &cfg[d]);
		log_cfg(e);
		break;
	case LE_CTL_STATS:
	case LE_CTL_STATS_JSON:
		for (int d = 0; d < LE_NDIR; d++)
			st[d] = e->dir[d].st;
		le_ctl_format_stats(st, op == LE_CTL_STATS_JSON, reply, len);
		break;
	case LE_CTL_STATS_RESET:
		for (int d = 0; d < LE_NDIR; d++)
			le_dir_stats_reset(&e->dir[d]);
		break;
	case LE_CTL_QUIT:
		*close_after = true;
		break;
	case LE_CTL_ERROR:
	case LE_CTL_REPLY:
		break;
	}
	return strnlen(reply, len);
}

static void
print_stats(struct le_emu *e)
{
	static char buf[4096];
	struct le_dir_stats st[LE_NDIR];
	int n;

	for (int d = 0; d < LE_NDIR; d++)
		st[d] = e->dir[d].st;
	n = le_ctl_format_stats(st, false, buf, sizeof(buf));
	if (n >= 3 && (size_t)n < sizeof(buf))
		buf[n - 3] = '\0';	/* without the final "OK\n" */
	printf("%s", buf);
	fflush(stdout);
}

/* ---- time base ----------------------------------------------------------- */

/* A (TSC, CLOCK_MONOTONIC_RAW ns) pair read as close together as we can. */
static void
tsc_clock_pair(uint64_t *tsc, uint64_t *ns)
{
	uint64_t best = UINT64_MAX;

	for (int i = 0; i < 5; i++) {
		struct timespec ts;
		uint64_t t0 = rte_rdtsc(), t1;

		clock_gettime(CLOCK_MONOTONIC_RAW, &ts);
		t1 = rte_rdtsc();
		if (t1 - t0 < best) {
			best = t1 - t0;
			*tsc = t0 + (t1 - t0) / 2;
			*ns = (uint64_t)ts.tv_sec * 1000000000ULL +
			      (uint64_t)ts.tv_nsec;
		}
	}
}

/*
 * The TSC rate measured against CLOCK_MONOTONIC_RAW over 200 ms.  DPDK's
 * rte_get_tsc_hz() may be the nominal rate (2.6 GHz on a CPU whose TSC
 * runs at 2.5961 GHz here): 0.15% off, 104 us at 70 ms.  The measured
 * rate is within about 1 ppm (0.1 us at 70 ms).
 */
static uint64_t
tsc_hz_measured(void)
{
	uint64_t t0, n0, t1, n1;
	struct timespec d = { 0, 200000000 };

	tsc_clock_pair(&t0, &n0);
	nanosleep(&d, NULL);
	tsc_clock_pair(&t1, &n1);
	if (n1 <= n0 || t1 <= t0)
		return rte_get_tsc_hz();
	return (uint64_t)((unsigned __int128)(t1 - t0) * 1000000000ULL /
			  (n1 - n0));
}

/* ---- the poll loop ------------------------------------------------------- */

/* ppoll on both ports' RX descriptors and the control socket for up to
 * ns nanoseconds (hrtimer precision: the timer slack is 1 ns). */
static void
wait_events(struct le_emu *e, uint64_t ns)
{
	struct pollfd pfd[2 + LE_CTLSOCK_CLIENTS + 1];
	struct timespec ts = { (time_t)(ns / 1000000000ULL),
			       (long)(ns % 1000000000ULL) };
	int n = 0;

	for (int p = 0; p < 2; p++)
		pfd[n++] = (struct pollfd){ .fd = e->rx_fd[p], .events = POLLIN };
	n += le_ctlsock_pollfds(&e->ctl, pfd + n, LE_CTLSOCK_CLIENTS + 1);
	(void)ppoll(pfd, (nfds_t)n, &ts, NULL);	/* EINTR: le_stop */
}

static void
run(struct le_emu *e, const struct le_opts *o)
{
	struct rte_mbuf *pkts[LE_BURST];
	uint64_t hz = e->hz, per_us = hz / 1000000 ? hz / 1000000 : 1;
	uint64_t now = rte_rdtsc(), idle_since = now;
	uint64_t next_ctl = now, next_stats = UINT64_MAX;
	uint64_t sleep_ns = 2000, sleep_max_ns = o->sleep_max_us * 1000ULL;
	uint64_t margin = o->spin_us * per_us;
	uint64_t after_work = RTE_MIN(o->spin_us, LE_IDLE_SPIN_US) * per_us;

	if (o->stats_interval)
		next_stats = now + o->stats_interval * hz;
	while (!le_stop) {
		unsigned work = 0;

		now = rte_rdtsc();
		for (int d = 0; d < LE_NDIR; d++) {
			uint16_t n = rte_eth_rx_burst(e->dir[d].in_port, 0,
						      pkts, LE_BURST);
			if (n) {
				/* stamped after the read: never early */
				le_dir_input(&e->dir[d], pkts, n, rte_rdtsc());
				work += n;
			}
		}
		if (work)	/* what just arrived may be due already */
			now = rte_rdtsc();
		for (int d = 0; d < LE_NDIR; d++)
			work += le_dir_output(&e->dir[d], now);
		if (now >= next_ctl) {
			le_ctlsock_poll(&e->ctl, ctl_handler, e);
			next_ctl = now + LE_CTL_POLL_US * per_us;
		}
		if (now >= next_stats) {
			print_stats(e);
			next_stats = now + o->stats_interval * hz;
		}
		if (work || o->busy_poll) {
			idle_since = now;
			sleep_ns = 2000;
			continue;
		}
		if (now - idle_since < after_work) {
			rte_pause();
			continue;
		}
		/* idle: wait, but wake --spin-us before the next release
		 * and spin to it */
		uint64_t next = UINT64_MAX;
		uint64_t ns;

		for (int d = 0; d < LE_NDIR; d++) {
			uint64_t t = le_dir_next_event(&e->dir[d], now);
			if (t < next)
				next = t;
		}
		if (next != UINT64_MAX && next <= now + margin) {
			rte_pause();
			continue;
		}
		if (e->rx_fd[0] >= 0 && e->rx_fd[1] >= 0) {
			/* sleep in the kernel until a frame, a control
			 * request or the next release (at most 100 ms) */
			ns = LE_WAIT_MAX_NS;
			if (next != UINT64_MAX &&
			    le_ticks_to_ns(next - now - margin, hz) < ns)
				ns = le_ticks_to_ns(next - now - margin, hz);
			if (next_stats != UINT64_MAX) {
				uint64_t s = next_stats > now ?
					le_ticks_to_ns(next_stats - now, hz) : 0;
				if (s < ns)
					ns = s;
			}
			wait_events(e, ns);
			next_ctl = 0;	/* serve what woke us */
			continue;
		}
		/* no RX descriptors to wait on: sleep and poll */
		ns = sleep_ns;
		if (next != UINT64_MAX) {
			uint64_t until = le_ticks_to_ns(next - now - margin, hz);
			if (until < ns)
				ns = until;
		}
		struct timespec ts = { 0, (long)ns };
		nanosleep(&ts, NULL);
		sleep_ns = sleep_ns * 2 > sleep_max_ns ? sleep_max_ns :
			   sleep_ns * 2;
	}
}

/* ---- main ---------------------------------------------------------------- */

int
main(int argc, char **argv)
{
	struct le_opts o;
	static struct le_emu e;
	struct rte_mempool *pool = NULL;
	int sep = argc, rc, ndirs = 0, ret = 1;
	bool ports_up[2] = { false, false };

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0) {
			sep = i;
			break;
		}
	}
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			usage(stdout);
			return 0;
		}
	}
	/* application options: argv[sep+1..], with argv[0] as name */
	{
		char *app[argc - sep + 1];
		int n = 0;

		app[n++] = argv[0];
		for (int i = sep + 1; i < argc; i++)
			app[n++] = argv[i];
		app[n] = NULL;
		if (parse_options(n, app, &o) < 0)
			return 2;
	}
	rc = rte_eal_init(sep, argv);
	if (rc < 0) {
		fprintf(stderr, "ferry-linkemu: EAL init failed: %s\n",
			rte_strerror(rte_errno));
		return 2;
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	prctl(PR_SET_TIMERSLACK, 1UL, 0, 0, 0);	/* precise nanosleep */
	e.ctl.lfd = -1;
	e.rx_fd[0] = e.rx_fd[1] = -1;
	for (int i = 0; i < LE_CTLSOCK_CLIENTS; i++)
		e.ctl.cli[i].fd = -1;
	if (o.rt_prio) {
		struct sched_param sp = { .sched_priority = o.rt_prio };

		rc = pthread_setschedparam(pthread_self(), SCHED_FIFO, &sp);
		if (rc != 0) {
			fprintf(stderr, "ferry-linkemu: --rt-prio %d: %s\n",
				o.rt_prio, strerror(rc));
			goto out;
		}
	}
	if (rte_eth_dev_count_avail() < 2) {
		fprintf(stderr, "ferry-linkemu: need two DPDK ports (found %u); "
			"give two --vdev or PCI devices\n",
			rte_eth_dev_count_avail());
		ret = 2;
		goto out;
	}
	e.hz = tsc_hz_measured();
	pool = rte_pktmbuf_pool_create("le_pool", o.mbufs, LE_POOL_CACHE, 0,
				       LE_MBUF_DATA, rte_socket_id());
	if (pool == NULL) {
		fprintf(stderr, "ferry-linkemu: mbuf pool of %u: %s "
			"(raise -m: about %u MiB needed)\n", o.mbufs,
			rte_strerror(rte_errno),
			(unsigned)((uint64_t)o.mbufs * 1984 >> 20) + 16);
		goto out;
	}
	printf("ferry-linkemu: mbuf pool %u x %u B = %" PRIu64 " MiB, "
	       "delay queues %u packets per direction, tsc %" PRIu64 " Hz "
	       "(measured; DPDK says %" PRIu64 ")\n",
	       o.mbufs, pool->elt_size + pool->header_size + pool->trailer_size,
	       ((uint64_t)o.mbufs * (pool->elt_size + pool->header_size +
				     pool->trailer_size)) >> 20,
	       o.queue_cap, e.hz, rte_get_tsc_hz());
	for (uint16_t p = 0; p < 2; p++) {
		if (le_port_init(p, pool, !o.busy_poll, &e.rx_fd[p]) < 0)
			goto out;
		ports_up[p] = true;
	}
	for (int d = 0; d < LE_NDIR; d++) {
		uint16_t in = d == LE_A2B ? 0 : 1;

		if (le_dir_init(&e.dir[d], (enum le_dir_id)d, in, 1 - in, pool,
				o.queue_cap, o.seed, e.hz, rte_rdtsc()) < 0) {
			fprintf(stderr, "ferry-linkemu: out of memory\n");
			goto out;
		}
		ndirs++;
		le_dir_set_cfg(&e.dir[d], &o.cfg[d]);
	}
	if (o.ctl_path) {
		rc = le_ctlsock_open(&e.ctl, o.ctl_path);
		if (rc < 0) {
			fprintf(stderr, "ferry-linkemu: --ctl %s: %s\n",
				o.ctl_path, strerror(-rc));
			goto out;
		}
	}
	log_cfg(&e);
	if (o.busy_poll)
		printf("ferry-linkemu: when idle: busy-poll\n");
	else if (e.rx_fd[0] >= 0 && e.rx_fd[1] >= 0)
		printf("ferry-linkemu: when idle: wait on the RX queues' "
		       "descriptors (ppoll); wake %u us before a release\n",
		       o.spin_us);
	else
		printf("ferry-linkemu: when idle: sleep and poll (no RX "
		       "interrupts) every <= %u us; wake %u us before a "
		       "release\n", o.sleep_max_us, o.spin_us);
	printf("ferry-linkemu: forwarding port 0 <-> port 1%s%s\n",
	       o.ctl_path ? ", control socket " : "",
	       o.ctl_path ? o.ctl_path : "");
	fflush(stdout);
	run(&e, &o);
	print_stats(&e);
	ret = 0;
out:
	le_ctlsock_close(&e.ctl);
	for (int d = 0; d < ndirs; d++)
		le_dir_fini(&e.dir[d]);
	for (uint16_t p = 0; p < 2; p++)
		if (ports_up[p])
			le_port_fini(p);
	rte_mempool_free(pool);
	rte_eal_cleanup();
	if (ret == 0)
		printf("ferry-linkemu: stopped\n");
	return ret;
}
