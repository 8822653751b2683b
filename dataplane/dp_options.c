/*
 * dp_options.c -- ferryd's command line (see dp_options.h).
 *
 * Call chain: main -> dp_options_split -> dp_options_parse ->
 *             parse_ferry_opt | st_config_load_file | st_config_set
 */
#include "dp_options.h"

#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "dp_tcp.h"

/* Ferry's own options: name, takes a value, help. */
enum dp_opt {
	OPT_ADDR, OPT_GATEWAY, OPT_PORT, OPT_CONFIG, OPT_DATA_CORES,
	OPT_IDLE_PAUSE, OPT_IDLE_SLEEP, OPT_SLEEP_MAX, OPT_BUSY_POLL,
	OPT_MBUFS, OPT_LOSS_PPM, OPT_PORT_ID, OPT_OUTPUT_LIMIT, OPT_REPL_CPU,
	OPT_CYCLE_STATS, OPT_TAP_RX_TRIGGER, OPT_TCP_CC, OPT_LATENCY_STATS,
	OPT_EXTRA_PORT, OPT_HELP,
	OPT__COUNT
};

static const struct {
	const char *name;
	bool has_arg;
	const char *arg;
	const char *help;
} dp_opt_table[OPT__COUNT] = {
	[OPT_ADDR] = {"addr", true, "IP/PREFIX",
		"ferry's IPv4 address on the port (required)"},
	[OPT_GATEWAY] = {"gateway", true, "IP", "default gateway (off-link peers)"},
	[OPT_PORT] = {"port", true, "N", "RESP listening port (default 6379)"},
	[OPT_CONFIG] = {"config", true, "FILE",
		"redis.conf-style file of store directives"},
	[OPT_DATA_CORES] = {"data-cores", true, "N",
		"polling cores, one RX/TX queue each (default: every lcore)"},
	[OPT_IDLE_PAUSE] = {"idle-pause-us", true, "US",
		"idle this long: rte_pause() between polls (default 20)"},
	[OPT_IDLE_SLEEP] = {"idle-sleep-us", true, "US",
		"idle this long: sleep 10..max us between polls (default 200)"},
	[OPT_SLEEP_MAX] = {"idle-sleep-max-us", true, "US",
		"longest idle sleep (default 100)"},
	[OPT_BUSY_POLL] = {"busy-poll", false, NULL,
		"never back off: poll at full speed"},
	[OPT_MBUFS] = {"mbufs", true, "N", "mbufs per core (default 16383)"},
	[OPT_LOSS_PPM] = {"loss-ppm", true, "N",
		"test option: drop N per million frames (RX and TX)"},
	[OPT_PORT_ID] = {"port-id", true, "N", "DPDK port to use (default 0)"},
	[OPT_OUTPUT_LIMIT] = {"output-limit", true, "BYTES",
		"reply-buffer cap per client when client-output-buffer-limit "
		"is 0 (default 256mb)"},
	[OPT_REPL_CPU] = {"repl-cpu", true, "N",
		"pin the replication core thread to CPU N (default: not pinned)"},
	[OPT_CYCLE_STATS] = {"cycle-stats", false, NULL,
		"count TSC cycles per layer of the poll loop (SIGUSR1 dump)"},
	[OPT_TAP_RX_TRIGGER] = {"tap-rx-trigger", false, NULL,
		"keep net_tap's signal per received packet (default: off, "
		"the tap is read on every poll)"},
	[OPT_TCP_CC] = {"tcp-cc", true, "ALGO",
		"TCP congestion control: cubic (default) or newreno"},
	[OPT_LATENCY_STATS] = {"latency-stats", false, NULL,
		"histogram of each command's time in the server, per core "
		"(SIGUSR1 dump, INFO residence)"},
	[OPT_EXTRA_PORT] = {"extra-port", true, "ID,IP/PREFIX",
		"another DPDK port and ferry's address on it (up to 3; "
		"destinations on its subnet leave by it; one data core)"},
	[OPT_HELP] = {"help", false, NULL, "this text"},
};

void
dp_options_defaults(struct dp_options *o)
{
	memset(o, 0, sizeof(*o));
	o->port = 6379;
	o->idle_pause_us = 20;
	o->idle_sleep_us = 200;
	o->sleep_max_us = 100;
	o->mbufs = 16383;
	o->output_limit = 256ull << 20;
	o->repl_cpu = -1;
	o->tcp_cc = DP_TCP_CC_CUBIC;
}

int
dp_options_split(int argc, char **argv, struct dp_argv_split *s)
{
	static char defbuf[sizeof(DP_DEFAULT_ARGS)];
	static char *defv[64];
	int n = 0;

	memset(s, 0, sizeof(*s));
	if (argc <= 1 || (argc == 2 && strcmp(argv[1], "--default") == 0)) {
		/* the embedded default: split a fresh static copy in place */
		memcpy(defbuf, DP_DEFAULT_ARGS, sizeof(defbuf));
		defv[n++] = argv[0] ? argv[0] : "ferryd";
		for (char *save = NULL, *t = strtok_r(defbuf, " ", &save);
		     t && n < 63; t = strtok_r(NULL, " ", &save))
			defv[n++] = t;
		defv[n] = NULL;
		argc = n;
		argv = defv;
		s->is_default = true;
	}
	s->eal_argv = argv;
	s->eal_argc = argc;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0) {
			s->eal_argc = i;
			s->ferry_argv = argv + i + 1;
			s->ferry_argc = argc - i - 1;
			break;
		}
	}
	return 0;
}

static int
parse_u64(const char *s, uint64_t max, uint64_t *out)
{
	char *end;
	unsigned long long v;
	unsigned long long mul = 1;

	if (s == NULL || *s == '\0' || *s == '-')
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || end == s)
		return -EINVAL;
	if (strcasecmp(end, "k") == 0 || strcasecmp(end, "kb") == 0)
		mul = 1024;
	else if (strcasecmp(end, "m") == 0 || strcasecmp(end, "mb") == 0)
		mul = 1024 * 1024;
	else if (strcasecmp(end, "g") == 0 || strcasecmp(end, "gb") == 0)
		mul = 1024ull * 1024 * 1024;
	else if (*end != '\0')
		return -EINVAL;
	if (v > max / mul)
		return -EINVAL;
	*out = v * mul;
	return 0;
}

static int
parse_ip(const char *s, uint32_t *ip)
{
	struct in_addr a;

	if (inet_pton(AF_INET, s, &a) != 1)
		return -EINVAL;
	*ip = ntohl(a.s_addr);
	return 0;
}

/* "IP/PREFIX" (a non-zero address, prefix 1..32).  0 or -EINVAL. */
static int
parse_ip_prefix(const char *val, uint32_t *ip, uint8_t *prefix_len)
{
	char buf[64];
	char *slash;
	uint64_t plen;

	if (strlen(val) >= sizeof(buf))
		return -EINVAL;
	strcpy(buf, val);
	slash = strchr(buf, '/');
	if (slash == NULL)
		return -EINVAL;
	*slash = '\0';
	if (parse_ip(buf, ip) < 0 || *ip == 0 ||
	    parse_u64(slash + 1, 32, &plen) < 0 || plen == 0)
		return -EINVAL;
	*prefix_len = (uint8_t)plen;
	return 0;
}

static int
parse_addr(struct dp_options *o, const char *val, char *err, size_t errlen)
{
	if (parse_ip_prefix(val, &o->addr, &o->prefix_len) == 0)
		return 0;
	snprintf(err, errlen, "--addr: '%s' is not IP/PREFIX (e.g. 198.18.0.2/24)",
		 val);
	return -EINVAL;
}

/* --extra-port ID,IP/PREFIX */
static int
parse_extra_port(struct dp_options *o, const char *val, char *err,
		 size_t errlen)
{
	char buf[80];
	char *comma;
	uint64_t id;

	if (o->nextra == DP_OPT_EXTRA_PORTS) {
		snprintf(err, errlen, "--extra-port: at most %d extra ports",
			 DP_OPT_EXTRA_PORTS);
		return -EINVAL;
	}
	if (strlen(val) >= sizeof(buf))
		goto bad;
	strcpy(buf, val);
	comma = strchr(buf, ',');
	if (comma == NULL)
		goto bad;
	*comma = '\0';
	if (parse_u64(buf, UINT16_MAX - 1, &id) < 0 ||
	    parse_ip_prefix(comma + 1, &o->extra[o->nextra].addr,
			    &o->extra[o->nextra].prefix_len) < 0)
		goto bad;
	o->extra[o->nextra++].port_id = (uint16_t)id;
	return 0;
bad:
	snprintf(err, errlen, "--extra-port: '%s' is not ID,IP/PREFIX "
		 "(e.g. 1,198.18.61.1/24)", val);
	return -EINVAL;
}

static int
parse_ferry_opt(struct dp_options *o, enum dp_opt id, const char *val,
		char *err, size_t errlen)
{
	uint64_t v = 0;
	int rc = 0;

	switch (id) {
	case OPT_ADDR:
		return parse_addr(o, val, err, errlen);
	case OPT_EXTRA_PORT:
		return parse_extra_port(o, val, err, errlen);
	case OPT_GATEWAY:
		rc = parse_ip(val, &o->gateway);
		break;
	case OPT_PORT:
		rc = parse_u64(val, 65535, &v);
		if (rc == 0 && v == 0)
			rc = -EINVAL;
		if (rc == 0) {
			char e[128];

			o->port = (uint16_t)v;
			/* CONFIG GET port reports it */
			st_config_set("port", val, e, sizeof(e));
		}
		break;
	case OPT_CONFIG:
		rc = st_config_load_file(val, err, errlen);
		if (rc < 0) {
			size_t l = strlen(err);

			if (l == 0)
				snprintf(err, errlen, "--config %s: %s", val,
					 strerror(-rc));
			return -EINVAL;
		}
		return 0;
	case OPT_DATA_CORES:
		rc = parse_u64(val, 128, &v);
		if (rc == 0 && v == 0)
			rc = -EINVAL;
		o->data_cores = (unsigned)v;
		break;
	case OPT_IDLE_PAUSE:
		rc = parse_u64(val, UINT32_MAX, &v);
		o->idle_pause_us = (uint32_t)v;
		break;
	case OPT_IDLE_SLEEP:
		rc = parse_u64(val, UINT32_MAX, &v);
		o->idle_sleep_us = (uint32_t)v;
		break;
	case OPT_SLEEP_MAX:
		rc = parse_u64(val, 1000000, &v);
		if (rc == 0 && v == 0)
			rc = -EINVAL;
		o->sleep_max_us = (uint32_t)v;
		break;
	case OPT_BUSY_POLL:
		o->busy_poll = true;
		break;
	case OPT_CYCLE_STATS:
		o->cycle_stats = true;
		break;
	case OPT_LATENCY_STATS:
		o->latency_stats = true;
		break;
	case OPT_TAP_RX_TRIGGER:
		o->tap_rx_trigger = true;
		break;
	case OPT_TCP_CC:
		rc = dp_tcp_cc_parse(val);
		if (rc >= 0) {
			o->tcp_cc = rc;
			rc = 0;
		}
		break;
	case OPT_MBUFS:
		rc = parse_u64(val, 1u << 24, &v);
		if (rc == 0 && v < 1024)
			rc = -EINVAL;
		o->mbufs = (uint32_t)v;
		break;
	case OPT_LOSS_PPM:
		rc = parse_u64(val, 1000000, &v);
		o->loss_ppm = (uint32_t)v;
		break;
	case OPT_PORT_ID:
		rc = parse_u64(val, UINT16_MAX - 1, &v);
		o->port_id = (uint16_t)v;
		break;
	case OPT_OUTPUT_LIMIT:
		rc = parse_u64(val, UINT64_MAX, &v);
		if (rc == 0 && v < 65536)
			rc = -EINVAL;
		o->output_limit = v;
		break;
	case OPT_REPL_CPU:
		rc = parse_u64(val, 4095, &v);
		o->repl_cpu = (int)v;
		break;
	case OPT_HELP:
		o->help = true;
		break;
	case OPT__COUNT:
		break;
	}
	if (rc < 0)
		snprintf(err, errlen, "--%s: bad value '%s'",
			 dp_opt_table[id].name, val ? val : "");
	return rc < 0 ? -EINVAL : 0;
}

int
dp_options_parse(struct dp_options *o, int argc, char **argv,
		 char *err, size_t errlen)
{
	err[0] = '\0';
	for (int i = 0; i < argc; i++) {
		char name[128];
		const char *arg = argv[i], *val = NULL, *eq;
		int id;

		if (strcmp(arg, "-h") == 0) {
			o->help = true;
			continue;
		}
		if (strncmp(arg, "--", 2) != 0 || arg[2] == '\0') {
			snprintf(err, errlen, "unexpected argument '%s' "
				 "(ferry options look like --name [value])", arg);
			return -EINVAL;
		}
		arg += 2;
		eq = strchr(arg, '=');
		if ((eq ? (size_t)(eq - arg) : strlen(arg)) >= sizeof(name)) {
			snprintf(err, errlen, "option name too long");
			return -EINVAL;
		}
		if (eq) {
			memcpy(name, arg, (size_t)(eq - arg));
			name[eq - arg] = '\0';
			val = eq + 1;
		} else {
			strcpy(name, arg);
		}
		for (id = 0; id < OPT__COUNT; id++)
			if (strcmp(dp_opt_table[id].name, name) == 0)
				break;
		if (id < OPT__COUNT && !dp_opt_table[id].has_arg) {
			if (val) {
				snprintf(err, errlen, "--%s takes no value", name);
				return -EINVAL;
			}
		} else if (val == NULL) {
			if (i + 1 >= argc) {
				snprintf(err, errlen, "--%s needs a value", name);
				return -EINVAL;
			}
			val = argv[++i];
		}
		if (id < OPT__COUNT) {
			if (parse_ferry_opt(o, (enum dp_opt)id, val, err,
					    errlen) < 0)
				return -EINVAL;
			continue;
		}
		/* a store directive: --maxmemory 1gb */
		char cerr[256] = "";
		int rc = st_config_set(name, val, cerr, sizeof(cerr));

		if (rc == -ENOENT) {
			snprintf(err, errlen, "unknown option --%s (see --help)",
				 name);
			return -EINVAL;
		}
		if (rc < 0) {
			snprintf(err, errlen, "--%s %s: %s", name, val,
				 cerr[0] ? cerr : "bad value");
			return -EINVAL;
		}
	}
	return 0;
}

void
dp_options_usage(FILE *f, const char *prog)
{
	fprintf(f,
		"usage: %s [EAL options] -- [ferry options]\n"
		"       %s --default   (or no arguments)\n"
		"       %s --help\n\n"
		"ferryd serves the Redis protocol over its own userspace TCP/IP\n"
		"stack on a DPDK port, one polling core per RX/TX queue.\n\n"
		"The embedded default is:\n  %s %s\n"
		"(net_tap interface ferry0, ferry at 198.18.0.2; give the\n"
		"kernel side 198.18.0.1/24: see tools/netns.sh).\n\n"
		"EAL options (before --) are DPDK's: -l CORES, -m MB, --no-huge,\n"
		"--file-prefix NAME, --vdev DEVICE, --no-pci, -a PCI, ...\n"
		"The EAL's own list follows this text.\n\n"
		"ferry options (after --):\n",
		prog, prog, prog, prog, DP_DEFAULT_ARGS);
	for (int i = 0; i < OPT__COUNT; i++) {
		char lhs[48];

		snprintf(lhs, sizeof(lhs), "--%s%s%s", dp_opt_table[i].name,
			 dp_opt_table[i].has_arg ? " " : "",
			 dp_opt_table[i].has_arg ? dp_opt_table[i].arg : "");
		fprintf(f, "  %-24s %s\n", lhs, dp_opt_table[i].help);
	}
	fprintf(f,
		"  --NAME VALUE             any store directive of redis.conf\n"
		"                           (e.g. --maxmemory 1gb --maxclients 20000)\n"
		"  --replicaof \"HOST PORT\"   start as a replica of HOST (IPv4) PORT\n"
		"                           (also --masterauth, --replica-announce-ip, ...)\n\n"
		"Signals: SIGINT/SIGTERM shut down gracefully (FIN on every\n"
		"connection); SIGUSR1 prints per-core counters to stderr.\n");
}
