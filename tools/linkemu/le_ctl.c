/*
 * le_ctl.c -- control protocol parser and renderers (see le_ctl.h).
 *
 * Call chain: le_ctlsock.c (a line) -> le_ctl_execute -> tokenize ->
 *   cmd_set | cmd_partition | cmd_reset | cmd_show | cmd_stats | ...
 *   -> parse_params -> parse_time / parse_pct / parse_rate / parse_size
 */
#include "le_ctl.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define CTL_MAX_TOKENS 64
#define CTL_MAX_LINE 1024
#define MAX_DELAY_NS (3600ULL * 1000000000ULL)	/* one hour */

const char *const le_dir_names[LE_NDIR] = { "a2b", "b2a" };
const unsigned le_late_bounds_us[LE_LATE_BUCKETS - 1] = {
	10, 20, 50, 100, 200, 500, 1000, 2000, 5000
};

static const char ctl_help[] =
	"set DIR PARAM VALUE [PARAM VALUE ...]  (DIR: a2b|b2a|both)\n"
	"  delay TIME | jitter TIME | dist uniform|normal | reorder on|off\n"
	"  loss PCT | ge P R BAD GOOD | ge off | dup PCT\n"
	"  rate RATE | burst SIZE | limit N | limit-bytes SIZE | overhead N\n"
	"  partition on|off\n"
	"partition on|off [DIR]\n"
	"reset [DIR]\n"
	"show\n"
	"stats [json|reset]\n"
	"help\n"
	"quit\n"
	"TIME: 35ms 500us 1.5s 250ns (bare: ms)  PCT: 1% 0.5 (percent)\n"
	"RATE: 100mbit 1gbit 64kbit 800bit 0|off  SIZE: 1514 64kb 1mb\n";

void
le_dir_cfg_defaults(struct le_dir_cfg *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->delay.dist = LE_DIST_UNIFORM;
	cfg->delay.reorder = false;
	cfg->loss.ge_bad_loss = 1.0;
	cfg->rate.limit_pkts = LE_RATE_LIMIT_DEFAULT;
	cfg->rate.overhead = LE_RATE_OVERHEAD_DEFAULT;
}

/* ---- value parsers: 0 or -EINVAL ---------------------------------------- */

/* A non-negative finite decimal number followed by a unit suffix. */
static int
parse_number(const char *s, double *v, const char **unit)
{
	char *end;

	if (*s == '\0' || *s == '-' || *s == '+')
		return -EINVAL;
	errno = 0;
	*v = strtod(s, &end);
	if (end == s || errno || !isfinite(*v) || *v < 0)
		return -EINVAL;
	/* no hex, no "inf"/"nan" (strtod takes them) */
	for (const char *p = s; p < end; p++)
		if (!((*p >= '0' && *p <= '9') || *p == '.' || *p == 'e' ||
		      *p == 'E' || *p == '-' || *p == '+'))
			return -EINVAL;
	*unit = end;
	return 0;
}

static int
parse_time(const char *s, uint64_t *ns)
{
	double v, mult;
	const char *u;

	if (parse_number(s, &v, &u) < 0)
		return -EINVAL;
	if (*u == '\0' || strcasecmp(u, "ms") == 0)
		mult = 1e6;
	else if (strcasecmp(u, "us") == 0)
		mult = 1e3;
	else if (strcasecmp(u, "ns") == 0)
		mult = 1;
	else if (strcasecmp(u, "s") == 0)
		mult = 1e9;
	else
		return -EINVAL;
	v *= mult;
	if (v > (double)MAX_DELAY_NS)
		return -EINVAL;
	*ns = (uint64_t)llround(v);
	return 0;
}

static int
parse_pct(const char *s, double *p)
{
	double v;
	const char *u;

	if (parse_number(s, &v, &u) < 0)
		return -EINVAL;
	if (!(*u == '\0' || strcmp(u, "%") == 0) || v > 100)
		return -EINVAL;
	*p = v / 100;
	return 0;
}

static int
parse_rate(const char *s, uint64_t *bps)
{
	double v, mult;
	const char *u;

	if (strcasecmp(s, "off") == 0) {
		*bps = 0;
		return 0;
	}
	if (parse_number(s, &v, &u) < 0)
		return -EINVAL;
	if (*u == '\0' || strcasecmp(u, "bit") == 0)
		mult = 1;
	else if (strcasecmp(u, "kbit") == 0)
		mult = 1e3;
	else if (strcasecmp(u, "mbit") == 0)
		mult = 1e6;
	else if (strcasecmp(u, "gbit") == 0)
		mult = 1e9;
	else
		return -EINVAL;
	v *= mult;
	if (v > 1e12 || (v > 0 && v < 1))	/* 1 bit/s .. 1 Tbit/s */
		return -EINVAL;
	*bps = (uint64_t)llround(v);
	return 0;
}

static int
parse_size(const char *s, uint64_t *bytes)
{
	double v, mult;
	const char *u;

	if (parse_number(s, &v, &u) < 0)
		return -EINVAL;
	if (*u == '\0' || strcasecmp(u, "b") == 0)
		mult = 1;
	else if (strcasecmp(u, "kb") == 0 || strcasecmp(u, "k") == 0)
		mult = 1024;
	else if (strcasecmp(u, "mb") == 0 || strcasecmp(u, "m") == 0)
		mult = 1024 * 1024;
	else
		return -EINVAL;
	v *= mult;
	if (v > (double)(1ULL << 40) || v != floor(v))
		return -EINVAL;
	*bytes = (uint64_t)v;
	return 0;
}

static int
parse_onoff(const char *s, bool *b)
{
	if (strcasecmp(s, "on") == 0)
		*b = true;
	else if (strcasecmp(s, "off") == 0)
		*b = false;
	else
		return -EINVAL;
	return 0;
}

/* ---- parameter lists ----------------------------------------------------- */

static int
ctl_err(char *err, size_t len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, len, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

/* Apply tok[0..n) to *cfg (which the caller discards on error). */
static int
parse_params(char **tok, int n, struct le_dir_cfg *cfg, char *err,
	     size_t errlen)
{
	int i = 0;
	uint64_t u;

	if (n == 0)
		return ctl_err(err, errlen, "no parameters");
	while (i < n) {
		const char *k = tok[i];
		const char *v = i + 1 < n ? tok[i + 1] : NULL;

		if (strcasecmp(k, "ge") == 0 && v && strcasecmp(v, "off") == 0) {
			cfg->loss.ge = false;
			i += 2;
			continue;
		}
		if (strcasecmp(k, "ge") == 0) {
			double g[4];

			if (i + 4 >= n)
				return ctl_err(err, errlen,
				    "ge needs 4 values (P R BAD GOOD) or off");
			for (int j = 0; j < 4; j++)
				if (parse_pct(tok[i + 1 + j], &g[j]) < 0)
					return ctl_err(err, errlen,
					    "bad percentage '%s' for ge",
					    tok[i + 1 + j]);
			cfg->loss.ge = true;
			cfg->loss.ge_p = g[0];
			cfg->loss.ge_r = g[1];
			cfg->loss.ge_bad_loss = g[2];
			cfg->loss.ge_good_loss = g[3];
			i += 5;
			continue;
		}
		if (v == NULL)
			return ctl_err(err, errlen, "missing value for %s", k);
		if (strcasecmp(k, "delay") == 0) {
			if (parse_time(v, &cfg->delay.delay_ns) < 0)
				goto bad_time;
		} else if (strcasecmp(k, "jitter") == 0) {
			if (parse_time(v, &cfg->delay.jitter_ns) < 0)
				goto bad_time;
		} else if (strcasecmp(k, "dist") == 0) {
			int d;

			for (d = 0; d < LE_DIST__COUNT; d++)
				if (strcasecmp(v, le_dist_names[d]) == 0)
					break;
			if (d == LE_DIST__COUNT)
				return ctl_err(err, errlen,
				    "bad value '%s' for dist (uniform or normal)",
				    v);
			cfg->delay.dist = (enum le_dist)d;
		} else if (strcasecmp(k, "reorder") == 0) {
			if (parse_onoff(v, &cfg->delay.reorder) < 0)
				goto bad_onoff;
		} else if (strcasecmp(k, "partition") == 0) {
			if (parse_onoff(v, &cfg->partition) < 0)
				goto bad_onoff;
		} else if (strcasecmp(k, "loss") == 0) {
			if (parse_pct(v, &cfg->loss.loss) < 0)
				goto bad_pct;
		} else if (strcasecmp(k, "dup") == 0) {
			if (parse_pct(v, &cfg->dup) < 0)
				goto bad_pct;
		} else if (strcasecmp(k, "rate") == 0) {
			if (parse_rate(v, &cfg->rate.rate_bps) < 0)
				return ctl_err(err, errlen, "bad rate '%s'", v);
		} else if (strcasecmp(k, "burst") == 0) {
			if (parse_size(v, &cfg->rate.burst_bytes) < 0)
				goto bad_size;
		} else if (strcasecmp(k, "limit-bytes") == 0) {
			if (parse_size(v, &cfg->rate.limit_bytes) < 0)
				goto bad_size;
		} else if (strcasecmp(k, "limit") == 0) {
			if (parse_size(v, &u) < 0 || u < 1 ||
			    u > LE_RATE_QUEUE_MAX)
				return ctl_err(err, errlen,
				    "bad value '%s' for limit (1..%u)", v,
				    LE_RATE_QUEUE_MAX);
			cfg->rate.limit_pkts = (uint32_t)u;
		} else if (strcasecmp(k, "overhead") == 0) {
			if (parse_size(v, &u) < 0 || u > 1000)
				return ctl_err(err, errlen,
				    "bad value '%s' for overhead (0..1000)", v);
			cfg->rate.overhead = (uint32_t)u;
		} else {
			return ctl_err(err, errlen, "unknown parameter '%s'", k);
		}
		i += 2;
		continue;
bad_time:
		return ctl_err(err, errlen, "bad time '%s' for %s", v, k);
bad_onoff:
		return ctl_err(err, errlen, "bad value '%s' for %s (on or off)",
			       v, k);
bad_pct:
		return ctl_err(err, errlen, "bad percentage '%s' for %s", v, k);
bad_size:
		return ctl_err(err, errlen, "bad size '%s' for %s", v, k);
	}
	return 0;
}

/* Split s (modified) on blanks.  Returns the count, -E2BIG when more than
 * max tokens. */
static int
tokenize(char *s, char **tok, int max)
{
	int n = 0;
	char *save = NULL;

	for (char *t = strtok_r(s, " \t\r\n", &save); t;
	     t = strtok_r(NULL, " \t\r\n", &save)) {
		if (n == max)
			return -E2BIG;
		tok[n++] = t;
	}
	return n;
}

int
le_ctl_parse_spec(const char *spec, struct le_dir_cfg *cfg, char *err,
		  size_t errlen)
{
	char buf[CTL_MAX_LINE + 1];
	char *tok[CTL_MAX_TOKENS];
	struct le_dir_cfg next = *cfg;
	int n;

	if (strlen(spec) > CTL_MAX_LINE)
		return ctl_err(err, errlen, "line too long");
	strcpy(buf, spec);
	n = tokenize(buf, tok, CTL_MAX_TOKENS);
	if (n < 0)
		return ctl_err(err, errlen, "too many words");
	if (parse_params(tok, n, &next, err, errlen) < 0)
		return -EINVAL;
	*cfg = next;
	return 0;
}

/* "a2b" | "b2a" | "both" -> mask (bit per direction), 0 when unknown. */
static unsigned
parse_dir(const char *s)
{
	if (strcasecmp(s, "a2b") == 0)
		return 1u << LE_A2B;
	if (strcasecmp(s, "b2a") == 0)
		return 1u << LE_B2A;
	if (strcasecmp(s, "both") == 0)
		return (1u << LE_A2B) | (1u << LE_B2A);
	return 0;
}

/* ---- renderers ------------------------------------------------------------ */

static int
fmt_time(char *b, size_t n, uint64_t ns)
{
	if (ns % 1000000 == 0)
		return snprintf(b, n, "%" PRIu64 "ms", ns / 1000000);
	if (ns % 1000 == 0)
		return snprintf(b, n, "%" PRIu64 "us", ns / 1000);
	return snprintf(b, n, "%" PRIu64 "ns", ns);
}

static int
fmt_rate(char *b, size_t n, uint64_t bps)
{
	if (bps == 0)
		return snprintf(b, n, "off");
	if (bps % 1000000000 == 0)
		return snprintf(b, n, "%" PRIu64 "gbit", bps / 1000000000);
	if (bps % 1000000 == 0)
		return snprintf(b, n, "%" PRIu64 "mbit", bps / 1000000);
	if (bps % 1000 == 0)
		return snprintf(b, n, "%" PRIu64 "kbit", bps / 1000);
	return snprintf(b, n, "%" PRIu64 "bit", bps);
}

int
le_ctl_format_cfg(const char *dir, const struct le_dir_cfg *c, char *buf,
		  size_t len)
{
	char d[32], j[32], r[32], ge[96];

	fmt_time(d, sizeof(d), c->delay.delay_ns);
	fmt_time(j, sizeof(j), c->delay.jitter_ns);
	fmt_rate(r, sizeof(r), c->rate.rate_bps);
	if (c->loss.ge)
		snprintf(ge, sizeof(ge), "%g%% %g%% %g%% %g%%",
			 c->loss.ge_p * 100, c->loss.ge_r * 100,
			 c->loss.ge_bad_loss * 100, c->loss.ge_good_loss * 100);
	else
		snprintf(ge, sizeof(ge), "off");
	return snprintf(buf, len,
		"%s delay %s jitter %s dist %s reorder %s loss %g%% ge %s "
		"dup %g%% rate %s burst %" PRIu64 " limit %u limit-bytes %"
		PRIu64 " overhead %u partition %s\n",
		dir, d, j, le_dist_names[c->delay.dist],
		c->delay.reorder ? "on" : "off", c->loss.loss * 100, ge,
		c->dup * 100, r, c->rate.burst_bytes, c->rate.limit_pkts,
		c->rate.limit_bytes, c->rate.overhead,
		c->partition ? "on" : "off");
}

/* name, offset of the counter: the order of "stats" */
static const struct {
	const char *name;
	size_t off;
} stat_fields[] = {
#define F(n, m) { n, offsetof(struct le_dir_stats, m) }
	F("received", received),
	F("forwarded", forwarded),
	F("delayed", delayed),
	F("duplicated", duplicated),
	F("dropped_loss", drop_loss),
	F("dropped_burst", drop_burst),
	F("dropped_queue", drop_queue),
	F("dropped_overflow", drop_overflow),
	F("dropped_partition", drop_partition),
	F("dropped_nombuf", drop_nombuf),
	F("dropped_tx", drop_tx),
	F("queue_depth", queue_depth),
	F("queue_depth_max", queue_depth_max),
	F("late_max_ns", late_max_ns),
#undef F
};

/* snprintf into buf at *pos, never past len. */
static void
app(char *buf, size_t len, size_t *pos, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (*pos >= len)
		return;
	va_start(ap, fmt);
	n = vsnprintf(buf + *pos, len - *pos, fmt, ap);
	va_end(ap);
	if (n > 0)
		*pos += (size_t)n;
}

int
le_ctl_format_stats(const struct le_dir_stats st[LE_NDIR], bool json,
		    char *buf, size_t len)
{
	size_t pos = 0;

	if (json)
		app(buf, len, &pos, "{");
	for (int d = 0; d < LE_NDIR; d++) {
		const struct le_dir_stats *s = &st[d];
		uint64_t nlate = 0, mean;

		for (int b = 0; b < LE_LATE_BUCKETS; b++)
			nlate += s->late_hist[b];
		mean = nlate ? s->late_sum_ns / nlate : 0;
		app(buf, len, &pos, json ? "%s\"%s\":{" : "%s%s", d ? (json ? "," : "") : "",
		    le_dir_names[d]);
		for (size_t f = 0; f < sizeof(stat_fields) / sizeof(stat_fields[0]); f++) {
			uint64_t v = *(const uint64_t *)((const char *)s +
							 stat_fields[f].off);
			app(buf, len, &pos, json ? "%s\"%s\":%" PRIu64 :
			    " %s%s=%" PRIu64, f && json ? "," : "",
			    stat_fields[f].name, v);
		}
		app(buf, len, &pos, json ? ",\"late_mean_ns\":%" PRIu64 :
		    " late_mean_ns=%" PRIu64, mean);
		app(buf, len, &pos, json ? ",\"late_hist\":[" : " late_hist=");
		for (int b = 0; b < LE_LATE_BUCKETS; b++)
			app(buf, len, &pos, "%s%" PRIu64, b ? "," : "",
			    s->late_hist[b]);
		app(buf, len, &pos, json ? "]}" : "\n");
	}
	if (json) {
		app(buf, len, &pos, ",\"late_hist_bounds_us\":[");
		for (int b = 0; b < LE_LATE_BUCKETS - 1; b++)
			app(buf, len, &pos, "%s%u", b ? "," : "",
			    le_late_bounds_us[b]);
		app(buf, len, &pos, "]}\n");
	}
	app(buf, len, &pos, "OK\n");
	return (int)pos;
}

/* ---- commands ------------------------------------------------------------- */

static enum le_ctl_op
reply_err(char *reply, size_t len, const char *msg)
{
	snprintf(reply, len, "ERR %s\n", msg);
	return LE_CTL_ERROR;
}

static enum le_ctl_op
reply_ok(char *reply, size_t len, enum le_ctl_op op)
{
	snprintf(reply, len, "OK\n");
	return op;
}

static enum le_ctl_op
cmd_set(char **tok, int n, struct le_dir_cfg cfg[LE_NDIR], char *reply,
	size_t len)
{
	struct le_dir_cfg next[LE_NDIR];
	char err[160], msg[200];
	unsigned mask;

	if (n < 2)
		return reply_err(reply, len,
				 "usage: set a2b|b2a|both PARAM VALUE ...");
	mask = parse_dir(tok[1]);
	if (mask == 0) {
		snprintf(msg, sizeof(msg),
			 "unknown direction '%s' (a2b, b2a or both)", tok[1]);
		return reply_err(reply, len, msg);
	}
	memcpy(next, cfg, sizeof(next));
	for (int d = 0; d < LE_NDIR; d++) {
		if (!(mask & (1u << d)))
			continue;
		if (parse_params(tok + 2, n - 2, &next[d], err,
				 sizeof(err)) < 0)
			return reply_err(reply, len, err);
	}
	memcpy(cfg, next, sizeof(next));
	return reply_ok(reply, len, LE_CTL_CONFIG);
}

static enum le_ctl_op
cmd_partition(char **tok, int n, struct le_dir_cfg cfg[LE_NDIR], char *reply,
	      size_t len)
{
	unsigned mask = (1u << LE_A2B) | (1u << LE_B2A);
	char msg[200];
	bool on;

	if (n < 2 || n > 3)
		return reply_err(reply, len,
				 "usage: partition on|off [a2b|b2a|both]");
	if (parse_onoff(tok[1], &on) < 0) {
		snprintf(msg, sizeof(msg),
			 "bad value '%s' for partition (on or off)", tok[1]);
		return reply_err(reply, len, msg);
	}
	if (n == 3 && (mask = parse_dir(tok[2])) == 0) {
		snprintf(msg, sizeof(msg),
			 "unknown direction '%s' (a2b, b2a or both)", tok[2]);
		return reply_err(reply, len, msg);
	}
	for (int d = 0; d < LE_NDIR; d++)
		if (mask & (1u << d))
			cfg[d].partition = on;
	return reply_ok(reply, len, LE_CTL_CONFIG);
}

static enum le_ctl_op
cmd_reset(char **tok, int n, struct le_dir_cfg cfg[LE_NDIR], char *reply,
	  size_t len)
{
	unsigned mask = (1u << LE_A2B) | (1u << LE_B2A);
	char msg[200];

	if (n > 2)
		return reply_err(reply, len, "usage: reset [a2b|b2a|both]");
	if (n == 2 && (mask = parse_dir(tok[1])) == 0) {
		snprintf(msg, sizeof(msg),
			 "unknown direction '%s' (a2b, b2a or both)", tok[1]);
		return reply_err(reply, len, msg);
	}
	for (int d = 0; d < LE_NDIR; d++)
		if (mask & (1u << d))
			le_dir_cfg_defaults(&cfg[d]);
	return reply_ok(reply, len, LE_CTL_CONFIG);
}

enum le_ctl_op
le_ctl_execute(const char *line, struct le_dir_cfg cfg[LE_NDIR], char *reply,
	       size_t len)
{
	char buf[CTL_MAX_LINE + 1];
	char *tok[CTL_MAX_TOKENS];
	char msg[200];
	int n;

	reply[0] = '\0';
	if (strlen(line) > CTL_MAX_LINE)
		return reply_err(reply, len, "line too long");
	strcpy(buf, line);
	n = tokenize(buf, tok, CTL_MAX_TOKENS);
	if (n < 0)
		return reply_err(reply, len, "too many words");
	if (n == 0)
		return LE_CTL_EMPTY;
	if (strcasecmp(tok[0], "set") == 0)
		return cmd_set(tok, n, cfg, reply, len);
	if (strcasecmp(tok[0], "partition") == 0)
		return cmd_partition(tok, n, cfg, reply, len);
	if (strcasecmp(tok[0], "reset") == 0)
		return cmd_reset(tok, n, cfg, reply, len);
	if (strcasecmp(tok[0], "stats") == 0) {
		if (n == 1)
			return LE_CTL_STATS;
		if (n == 2 && strcasecmp(tok[1], "json") == 0)
			return LE_CTL_STATS_JSON;
		if (n == 2 && strcasecmp(tok[1], "reset") == 0)
			return reply_ok(reply, len, LE_CTL_STATS_RESET);
		return reply_err(reply, len, "usage: stats [json|reset]");
	}
	if (strcasecmp(tok[0], "show") == 0 && n == 1) {
		size_t pos = 0;

		for (int d = 0; d < LE_NDIR; d++) {
			int w = le_ctl_format_cfg(le_dir_names[d], &cfg[d],
						  reply + pos, len - pos);
			if (w < 0 || (size_t)w >= len - pos)
				return reply_err(reply, len, "reply too long");
			pos += (size_t)w;
		}
		snprintf(reply + pos, len - pos, "OK\n");
		return LE_CTL_REPLY;
	}
	if (strcasecmp(tok[0], "help") == 0 && n == 1) {
		snprintf(reply, len, "%sOK\n", ctl_help);
		return LE_CTL_REPLY;
	}
	if (strcasecmp(tok[0], "quit") == 0 && n == 1)
		return reply_ok(reply, len, LE_CTL_QUIT);
	if (strcasecmp(tok[0], "show") == 0 || strcasecmp(tok[0], "help") == 0 ||
	    strcasecmp(tok[0], "quit") == 0) {
		snprintf(msg, sizeof(msg), "'%s' takes no arguments", tok[0]);
		return reply_err(reply, len, msg);
	}
	snprintf(msg, sizeof(msg), "unknown command '%.64s' (try help)", tok[0]);
	return reply_err(reply, len, msg);
}
