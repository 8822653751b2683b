/*
 * options.c -- ferry-bench's command line (see options.h).
 *
 * Call chain: main -> fb_options_parse -> (per option) fb_opt_apply ->
 *             parse_u64 | parse_double | parse_ip | parse_tests | ...
 */
#include "options.h"

#include <arpa/inet.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

const char *const fb_test_names[FB_TEST__COUNT] = {
	[FB_TEST_PING] = "PING",
	[FB_TEST_SET] = "SET",
	[FB_TEST_GET] = "GET",
	[FB_TEST_INCR] = "INCR",
	[FB_TEST_MGET] = "MGET",
	[FB_TEST_MIX] = "SET:GET",
	[FB_TEST_CUSTOM] = "COMMAND",
	[FB_TEST_PRELOAD] = "PRELOAD",
};

enum fb_opt {
	OPT_HOST, OPT_PORT, OPT_CLIENTS, OPT_REQUESTS, OPT_PIPELINE,
	OPT_DATA, OPT_KEYSPACE, OPT_TESTS, OPT_PASSWORD, OPT_QUIET,
	OPT_ADDR, OPT_GATEWAY, OPT_DURATION, OPT_RATE, OPT_RATIO,
	OPT_COMMAND, OPT_KEY_PREFIX, OPT_DIST, OPT_DATA_SIZE, OPT_PRELOAD,
	OPT_WARMUP, OPT_JSON, OPT_HDR, OPT_ECHO, OPT_TIMEOUT, OPT_MGET_KEYS,
	OPT_PORT_ID, OPT_MBUFS, OPT_LINK_WAIT, OPT_HELP,
	OPT__COUNT
};

static const struct {
	char short_name;		/* 0 = long only */
	const char *name;
	const char *arg;		/* NULL = flag */
	const char *help;
} fb_opt_table[OPT__COUNT] = {
	[OPT_HOST] = {'h', "host", "IP", "server address (required, IPv4)"},
	[OPT_PORT] = {'p', "port", "N", "server port (default 6379)"},
	[OPT_CLIENTS] = {'c', "clients", "N",
		"connections, spread over the lcores (default 50)"},
	[OPT_REQUESTS] = {'n', "requests", "N",
		"requests per test (default 100000; ignored with --duration)"},
	[OPT_PIPELINE] = {'P', "pipeline", "N",
		"closed loop: N requests sent together, the next N after all "
		"N replies, as redis-benchmark -P (default 1); with --rate: "
		"at most N in flight per connection"},
	[OPT_DATA] = {'d', "data", "BYTES", "value size (default 3)"},
	[OPT_KEYSPACE] = {'r', "keyspace", "N",
		"keys key:000000000000 .. N-1 (default: one key)"},
	[OPT_TESTS] = {'t', "tests", "LIST",
		"comma list of ping,set,get,incr,mget, run in order "
		"(default set,get)"},
	[OPT_PASSWORD] = {'a', "password", "PASS", "AUTH PASS on connect"},
	[OPT_QUIET] = {'q', "quiet", NULL,
		"no progress lines; one summary line per test"},
	[OPT_ADDR] = {0, "addr", "IP/PREFIX",
		"ferry-bench's own address on the port (required)"},
	[OPT_GATEWAY] = {0, "gateway", "IP", "gateway for an off-link -h"},
	[OPT_DURATION] = {0, "duration", "S",
		"run each test S seconds instead of -n requests"},
	[OPT_RATE] = {0, "rate", "OPS",
		"open loop: requests scheduled at OPS per second in all; "
		"latency counts from the scheduled time (no coordinated "
		"omission)"},
	[OPT_RATIO] = {0, "ratio", "SET:GET",
		"one mixed test of SETs and GETs in that ratio (replaces -t)"},
	[OPT_COMMAND] = {0, "command", "TEMPLATE",
		"one test of this command; __key__ and __data__ are "
		"replaced; any non-error reply is right (replaces -t)"},
	[OPT_KEY_PREFIX] = {0, "key-prefix", "STR", "key prefix (default key:)"},
	[OPT_DIST] = {0, "dist", "uniform|zipf:S",
		"key popularity (default uniform; zipf exponent S > 0)"},
	[OPT_DATA_SIZE] = {0, "data-size", "MIN-MAX",
		"value sizes (each key's size is fixed: a hash of the key)"},
	[OPT_PRELOAD] = {0, "preload", NULL,
		"SET every key first (not measured); GETs then require the "
		"value (nil counts as an error)"},
	[OPT_WARMUP] = {0, "warmup", "S",
		"replies to requests sent in a test's first S seconds are "
		"verified but not recorded"},
	[OPT_JSON] = {0, "json", "FILE", "write the results as JSON"},
	[OPT_HDR] = {0, "hdr", "FILE",
		"write the latency distribution (HdrHistogram percentile "
		"text, ms) to FILE (FILE.TEST with several tests)"},
	[OPT_ECHO] = {0, "echo", "server|client",
		"the port's ceiling, no TCP: 'server' bounces every frame, "
		"'client' keeps -c frames of -d bytes in flight for "
		"--duration (default 5 s) and reports round trips/s"},
	[OPT_TIMEOUT] = {0, "timeout", "S",
		"give up on connecting, or on replies that stop coming, "
		"after S seconds (default 10)"},
	[OPT_MGET_KEYS] = {0, "mget-keys", "N", "keys per MGET (default 10)"},
	[OPT_PORT_ID] = {0, "port-id", "N", "DPDK port to use (default 0)"},
	[OPT_MBUFS] = {0, "mbufs", "N", "mbufs per core (default 16383)"},
	[OPT_LINK_WAIT] = {0, "link-wait", "S",
		"wait up to S seconds for the port's link (default 10; "
		"a memif client connects again every 3 s)"},
	[OPT_HELP] = {0, "help", NULL, "this text"},
};

void
fb_options_defaults(struct fb_options *o)
{
	memset(o, 0, sizeof(*o));
	o->port = 6379;
	o->clients = 50;
	o->requests = 100000;
	o->pipeline = 1;
	o->timeout_s = 10;
	o->tests[0] = FB_TEST_SET;
	o->tests[1] = FB_TEST_GET;
	o->ntests = 2;
	o->data_min = o->data_max = 3;
	o->key_prefix = "key:";
	o->mget_keys = 10;
	o->mbufs = 16383;
	o->link_wait_s = 10;
}

static int
fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

static int
parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
	char *end;
	unsigned long long v;

	if (*s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || *end || v < min || v > max)
		return -EINVAL;
	*out = v;
	return 0;
}

static int
parse_double(const char *s, double min, double max, double *out)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || *end || !isfinite(v) || v < min || v > max)
		return -EINVAL;
	*out = v;
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

static int
parse_addr(struct fb_options *o, const char *val)
{
	char buf[64];
	const char *slash = strchr(val, '/');
	uint64_t plen;

	if (slash == NULL || (size_t)(slash - val) >= sizeof(buf))
		return -EINVAL;
	memcpy(buf, val, (size_t)(slash - val));
	buf[slash - val] = 0;
	if (parse_ip(buf, &o->addr) < 0 || o->addr == 0 ||
	    parse_u64(slash + 1, 1, 32, &plen) < 0)
		return -EINVAL;
	o->prefix_len = (uint8_t)plen;
	return 0;
}

static int
parse_tests(struct fb_options *o, const char *val)
{
	static const struct { const char *name; enum fb_test t; } names[] = {
		{"ping", FB_TEST_PING}, {"ping_mbulk", FB_TEST_PING},
		{"set", FB_TEST_SET}, {"get", FB_TEST_GET},
		{"incr", FB_TEST_INCR}, {"mget", FB_TEST_MGET},
	};
	const char *p = val;

	o->ntests = 0;
	while (*p) {
		size_t len = strcspn(p, ",");
		size_t i;

		for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
			if (strlen(names[i].name) == len &&
			    strncasecmp(p, names[i].name, len) == 0)
				break;
		if (i == sizeof(names) / sizeof(names[0]) ||
		    o->ntests == FB_MAX_TESTS)
			return -EINVAL;
		o->tests[o->ntests++] = names[i].t;
		p += len;
		if (*p == ',')
			p++;
	}
	return o->ntests ? 0 : -EINVAL;
}

static int
parse_range(const char *val, uint32_t *min, uint32_t *max)
{
	char buf[64];
	const char *dash = strchr(val, '-');
	uint64_t a, b;

	if (dash == NULL)
		return parse_u64(val, 1, FB_MAX_VALUE, &a) < 0 ? -EINVAL :
			((*min = *max = (uint32_t)a), 0);
	if ((size_t)(dash - val) >= sizeof(buf))
		return -EINVAL;
	memcpy(buf, val, (size_t)(dash - val));
	buf[dash - val] = 0;
	if (parse_u64(buf, 1, FB_MAX_VALUE, &a) < 0 ||
	    parse_u64(dash + 1, 1, FB_MAX_VALUE, &b) < 0 || a > b)
		return -EINVAL;
	*min = (uint32_t)a;
	*max = (uint32_t)b;
	return 0;
}

static int
parse_ratio(struct fb_options *o, const char *val)
{
	char buf[32];
	const char *colon = strchr(val, ':');
	uint64_t s, g;

	if (colon == NULL || (size_t)(colon - val) >= sizeof(buf))
		return -EINVAL;
	memcpy(buf, val, (size_t)(colon - val));
	buf[colon - val] = 0;
	if (parse_u64(buf, 0, 1000000, &s) < 0 ||
	    parse_u64(colon + 1, 0, 1000000, &g) < 0 || s + g == 0)
		return -EINVAL;
	o->ratio_set = (uint32_t)s;
	o->ratio_get = (uint32_t)g;
	return 0;
}

static int
parse_dist(struct fb_options *o, const char *val)
{
	if (strcmp(val, "uniform") == 0) {
		o->dist = FB_DIST_UNIFORM;
		return 0;
	}
	if (strncmp(val, "zipf:", 5) == 0 &&
	    parse_double(val + 5, 1e-6, 100, &o->zipf_s) == 0) {
		o->dist = FB_DIST_ZIPF;
		return 0;
	}
	return -EINVAL;
}

/* Apply one option; -EINVAL with err set. */
static int
fb_opt_apply(struct fb_options *o, enum fb_opt id, const char *val,
	     char *err, size_t errlen)
{
	const char *name = fb_opt_table[id].name;
	uint64_t u = 0;
	int rc = 0;

	switch (id) {
	case OPT_HOST:
		rc = parse_ip(val, &o->host);
		if (rc == 0 && o->host == 0)
			rc = -EINVAL;
		break;
	case OPT_PORT:
		rc = parse_u64(val, 1, 65535, &u);
		o->port = (uint16_t)u;
		break;
	case OPT_CLIENTS:
		rc = parse_u64(val, 1, 1000000, &u);
		o->clients = (uint32_t)u;
		break;
	case OPT_REQUESTS:
		rc = parse_u64(val, 1, UINT64_C(1) << 48, &o->requests);
		break;
	case OPT_PIPELINE:
		rc = parse_u64(val, 1, 65536, &u);
		o->pipeline = (uint32_t)u;
		break;
	case OPT_DATA:
		rc = parse_u64(val, 1, FB_MAX_VALUE, &u);
		o->data_min = o->data_max = (uint32_t)u;
		break;
	case OPT_DATA_SIZE:
		rc = parse_range(val, &o->data_min, &o->data_max);
		break;
	case OPT_KEYSPACE:
		rc = parse_u64(val, 1, UINT64_C(1000000000000), &o->keyspace);
		break;
	case OPT_TESTS:
		rc = parse_tests(o, val);
		break;
	case OPT_PASSWORD:
		o->password = val;
		break;
	case OPT_QUIET:
		o->quiet = true;
		break;
	case OPT_ADDR:
		rc = parse_addr(o, val);
		break;
	case OPT_GATEWAY:
		rc = parse_ip(val, &o->gateway);
		break;
	case OPT_DURATION:
		rc = parse_double(val, 0.001, 86400 * 7, &o->duration_s);
		break;
	case OPT_RATE:
		rc = parse_double(val, 0.001, 1e10, &o->rate);
		break;
	case OPT_RATIO:
		rc = parse_ratio(o, val);
		break;
	case OPT_COMMAND:
		o->command = val;
		if (strspn(val, " \t") == strlen(val))
			rc = -EINVAL;
		break;
	case OPT_KEY_PREFIX:
		o->key_prefix = val;
		if (strlen(val) > 200)
			rc = -EINVAL;
		break;
	case OPT_DIST:
		rc = parse_dist(o, val);
		break;
	case OPT_PRELOAD:
		o->preload = true;
		break;
	case OPT_WARMUP:
		rc = parse_double(val, 0, 86400, &o->warmup_s);
		break;
	case OPT_JSON:
		o->json = val;
		rc = *val ? 0 : -EINVAL;
		break;
	case OPT_HDR:
		o->hdr = val;
		rc = *val ? 0 : -EINVAL;
		break;
	case OPT_ECHO:
		if (strcmp(val, "server") == 0)
			o->echo = FB_ECHO_SERVER;
		else if (strcmp(val, "client") == 0)
			o->echo = FB_ECHO_CLIENT;
		else
			rc = -EINVAL;
		break;
	case OPT_TIMEOUT:
		rc = parse_double(val, 0.01, 3600, &o->timeout_s);
		break;
	case OPT_MGET_KEYS:
		rc = parse_u64(val, 1, 10000, &u);
		o->mget_keys = (unsigned)u;
		break;
	case OPT_PORT_ID:
		rc = parse_u64(val, 0, 65535, &u);
		o->port_id = (uint16_t)u;
		break;
	case OPT_MBUFS:
		rc = parse_u64(val, 1023, 1u << 24, &u);
		o->mbufs = (uint32_t)u;
		break;
	case OPT_LINK_WAIT:
		rc = parse_double(val, 0, 3600, &o->link_wait_s);
		break;
	case OPT_HELP:
		o->help = true;
		break;
	case OPT__COUNT:
		break;
	}
	if (rc < 0)
		return fail(err, errlen, "bad value '%s' for --%s (%s %s)", val,
			    name, fb_opt_table[id].arg ? fb_opt_table[id].arg :
			    "", fb_opt_table[id].help);
	return 0;
}

/* Find the option an argument names: "-c", "--clients", "--clients=50".
 * *inline_val is set for the '=' form. */
static int
fb_opt_lookup(const char *a, const char **inline_val)
{
	*inline_val = NULL;
	if (a[0] == '-' && a[1] && a[1] != '-' && a[2] == 0) {
		for (int i = 0; i < OPT__COUNT; i++)
			if (fb_opt_table[i].short_name == a[1])
				return i;
		return -1;
	}
	if (a[0] == '-' && a[1] == '-') {
		const char *n = a + 2, *eq = strchr(n, '=');
		size_t len = eq ? (size_t)(eq - n) : strlen(n);

		for (int i = 0; i < OPT__COUNT; i++)
			if (strlen(fb_opt_table[i].name) == len &&
			    strncmp(fb_opt_table[i].name, n, len) == 0) {
				if (eq)
					*inline_val = eq + 1;
				return i;
			}
	}
	return -1;
}

/* Combinations that make no sense. */
static int
fb_options_check(struct fb_options *o, char *err, size_t errlen)
{
	if (o->help)
		return 0;
	if (o->addr == 0)
		return fail(err, errlen, "--addr IP/PREFIX is required "
			    "(ferry-bench's own address on the port; see "
			    "--help)");
	if (o->echo == FB_ECHO_OFF && o->host == 0)
		return fail(err, errlen, "-h HOST is required (the server's "
			    "IPv4 address; see --help)");
	if (o->ratio_set + o->ratio_get && o->command)
		return fail(err, errlen, "--ratio and --command exclude each "
			    "other");
	if (o->warmup_s > 0 && o->duration_s > 0 &&
	    o->warmup_s >= o->duration_s)
		return fail(err, errlen, "--warmup %.3g s leaves nothing of "
			    "--duration %.3g s", o->warmup_s, o->duration_s);
	if (o->dist == FB_DIST_ZIPF && o->keyspace < 2)
		return fail(err, errlen, "--dist zipf needs a keyspace (-r N, "
			    "N >= 2)");
	if (o->rate > 0 && o->rate / o->clients > 1e7)
		return fail(err, errlen, "--rate %.0f over %u connections is "
			    "over 10M/s per connection", o->rate, o->clients);
	if (o->echo == FB_ECHO_CLIENT && o->data_max < 16)
		o->data_min = o->data_max = 64;	/* a sane frame by default */
	return 0;
}

int
fb_options_parse(struct fb_options *o, int argc, char **argv, char *err,
		 size_t errlen)
{
	for (int i = 0; i < argc; i++) {
		const char *val = NULL;
		int id = fb_opt_lookup(argv[i], &val);
		int rc;

		if (id < 0)
			return fail(err, errlen, "unknown option '%s' (see "
				    "--help)", argv[i]);
		if (fb_opt_table[id].arg == NULL && val)
			return fail(err, errlen, "--%s takes no value",
				    fb_opt_table[id].name);
		if (fb_opt_table[id].arg && val == NULL) {
			if (i + 1 >= argc)
				return fail(err, errlen, "%s needs a value "
					    "(%s)", argv[i],
					    fb_opt_table[id].arg);
			val = argv[++i];
		}
		rc = fb_opt_apply(o, (enum fb_opt)id, val ? val : "", err,
				  errlen);
		if (rc < 0)
			return rc;
	}
	return fb_options_check(o, err, errlen);
}

/* Word-wrap text, each word after a space, from column 'indent' (the
 * cursor is there) to 'width'. */
static void
print_wrapped(FILE *f, const char *text, int indent, int width)
{
	int col = indent;

	while (*text) {
		size_t w = strcspn(text, " ");

		if (col > indent && col + 1 + (int)w > width) {
			fprintf(f, "\n%*s", indent, "");
			col = indent;
		}
		fputc(' ', f);
		col++;
		fwrite(text, 1, w, f);
		col += (int)w;
		text += w;
		while (*text == ' ')
			text++;
	}
	fputc('\n', f);
}

void
fb_options_usage(FILE *f, const char *prog)
{
	fprintf(f,
		"Usage: %s [EAL options] -- [bench options]\n"
		"\n"
		"A RESP load generator on DPDK and ferry's own TCP stack: "
		"every reply is\nverified; latency comes from an HDR "
		"histogram (relative error < 0.1%%).\n"
		"\n"
		"Bench options (after --; the EAL's own options, -c and -l\n"
		"among them, go before --):\n", prog);
	for (int i = 0; i < OPT__COUNT; i++) {
		char left[64];

		if (fb_opt_table[i].short_name)
			snprintf(left, sizeof(left), "-%c, --%s %s",
				 fb_opt_table[i].short_name,
				 fb_opt_table[i].name,
				 fb_opt_table[i].arg ? fb_opt_table[i].arg : "");
		else
			snprintf(left, sizeof(left), "    --%s %s",
				 fb_opt_table[i].name,
				 fb_opt_table[i].arg ? fb_opt_table[i].arg : "");
		fprintf(f, "  %-30s", left);
		print_wrapped(f, fb_opt_table[i].help, 32, 79);
	}
	fprintf(f,
		"\n"
		"Verification: SET and --preload expect +OK; GET a bulk "
		"string of the key's\nown value (its size and bytes follow "
		"from the key), or nil unless --preload;\nINCR an integer > "
		"0; MGET an array of such bulks; PING +PONG; --command any\n"
		"non-error reply.  Wrong, missing (connection lost, "
		"--timeout) and error\nreplies are counted by kind.\n"
		"\n"
		"Exit status: 0 every reply verified; 3 some were wrong or "
		"missing, or\nconnections failed; 2 bad command line; 1 "
		"start-up failure.\n"
		"\n"
		"Examples:\n"
		"  %s --no-huge -m 512 --file-prefix fb -l 1 \\\n"
		"     --vdev net_memif0,role=client,socket=/tmp/m.sock -- \\\n"
		"     --addr 198.18.40.1/24 -h 198.18.40.2 -t set,get -c 50 "
		"-n 100000\n"
		"  ... -- --addr 198.18.40.1/24 -h 198.18.40.2 --preload -r "
		"100000 --ratio 1:9 \\\n"
		"     --rate 200000 --duration 10 --dist zipf:0.99 --json "
		"out.json\n"
		"  ... --vdev net_memif0,role=server,... -- --addr "
		"198.18.40.2/24 --echo server\n"
		"\n"
		"EAL options: see the EAL's own list below (%s --help).\n",
		prog, prog);
}

bool
fb_memif_args_server(const char *args)
{
	const char *p = args;

	while (p != NULL && *p != '\0') {
		const char *end = strchr(p, ',');
		size_t len = end ? (size_t)(end - p) : strlen(p);
		char v[64];

		if (len > 5 && strncmp(p, "role=", 5) == 0) {
			len -= 5;
			if (len >= sizeof(v))
				len = sizeof(v) - 1;
			memcpy(v, p + 5, len);
			v[len] = '\0';
			/* the PMD's order: server, client, master, slave */
			if (strstr(v, "server") != NULL)
				return true;
			if (strstr(v, "client") != NULL)
				return false;
			return strstr(v, "master") != NULL;
		}
		p = end ? end + 1 : NULL;
	}
	return false;
}
