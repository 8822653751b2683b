/*
 * config.c -- the parameter table behind CONFIG GET/SET, config files and
 * `--name value` options (see config.h).
 */
#include "config.h"

#include <ctype.h>
#include <limits.h>
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util.h"

struct st_config st_cfg;

static char requirepass[512];
static _Atomic int has_password;	/* requirepass[0] != 0, lock-free */
static pthread_mutex_t pass_lock = PTHREAD_MUTEX_INITIALIZER;

enum param_type { P_BOOL, P_INT, P_LL, P_MEM, P_ENUM, P_STRING, P_FIXED,
		  P_STRBUF, P_COBL };

struct param {
	const char *name;
	enum param_type type;
	void *ptr;			/* int* or long long* */
	long long min, max;
	const char *const *enum_names;
	const char *def;		/* default, as text */
	bool immutable;			/* refused by CONFIG SET */
};

static const char *const policy_names[] = {
	"noeviction", "allkeys-lru", "volatile-lru", "allkeys-random",
	"volatile-random", "volatile-ttl", NULL
};

#define P(name, type, field, min, max, names, def) \
	{ name, type, &st_cfg.field, min, max, names, def, false }
#define PI(name, type, field, min, max, names, def) \
	{ name, type, &st_cfg.field, min, max, names, def, true }
/* A string parameter (P_STRBUF): its own buffer, read and written under
 * pass_lock with st_config_get / st_config_set. */
#define PS(name, buf) \
	{ name, P_STRBUF, buf, 0, sizeof(buf), NULL, "", false }

static char masterauth[512], masteruser[256], replica_announce_ip[256];
static char replicaof[256];
static char repl_lag_probe_key[256];

static const struct param params[] = {
	P("maxmemory", P_MEM, maxmemory, 0, LLONG_MAX, NULL, "0"),
	P("maxmemory-policy", P_ENUM, maxmemory_policy, 0, 0, policy_names, "noeviction"),
	P("maxmemory-samples", P_INT, maxmemory_samples, 1, 64, NULL, "5"),
	P("proto-max-bulk-len", P_MEM, proto_max_bulk_len, 1024 * 1024, LLONG_MAX, NULL, "536870912"),
	P("hz", P_INT, hz, 1, 500, NULL, "10"),
	P("active-expire-effort", P_INT, active_expire_effort, 1, 10, NULL, "1"),
	PI("databases", P_INT, databases, 1, 16, NULL, "16"),
	P("list-max-listpack-size", P_LL, list_max_listpack_size, -5, LLONG_MAX, NULL, "-2"),
	P("list-max-ziplist-size", P_LL, list_max_listpack_size, -5, LLONG_MAX, NULL, "-2"),
	P("hash-max-listpack-entries", P_LL, hash_max_listpack_entries, 0, LLONG_MAX, NULL, "512"),
	P("hash-max-ziplist-entries", P_LL, hash_max_listpack_entries, 0, LLONG_MAX, NULL, "512"),
	P("hash-max-listpack-value", P_LL, hash_max_listpack_value, 0, LLONG_MAX, NULL, "64"),
	P("hash-max-ziplist-value", P_LL, hash_max_listpack_value, 0, LLONG_MAX, NULL, "64"),
	P("set-max-intset-entries", P_LL, set_max_intset_entries, 0, LLONG_MAX, NULL, "512"),
	P("zset-max-listpack-entries", P_LL, zset_max_listpack_entries, 0, LLONG_MAX, NULL, "128"),
	P("zset-max-ziplist-entries", P_LL, zset_max_listpack_entries, 0, LLONG_MAX, NULL, "128"),
	P("zset-max-listpack-value", P_LL, zset_max_listpack_value, 0, LLONG_MAX, NULL, "64"),
	P("zset-max-ziplist-value", P_LL, zset_max_listpack_value, 0, LLONG_MAX, NULL, "64"),
	P("lazyfree-lazy-user-del", P_BOOL, lazyfree_lazy_user_del, 0, 1, NULL, "no"),
	P("client-query-buffer-limit", P_MEM, client_query_buffer_limit, 1024 * 1024, LLONG_MAX, NULL, "1073741824"),
	P("timeout", P_INT, timeout, 0, 2147483647, NULL, "0"),
	P("replica-read-only", P_BOOL, replica_read_only, 0, 1, NULL, "yes"),
	P("slave-read-only", P_BOOL, replica_read_only, 0, 1, NULL, "yes"),
	P("replica-serve-stale-data", P_BOOL, replica_serve_stale_data, 0, 1, NULL, "yes"),
	P("slave-serve-stale-data", P_BOOL, replica_serve_stale_data, 0, 1, NULL, "yes"),
	P("min-replicas-to-write", P_INT, min_replicas_to_write, 0, 2147483647, NULL, "0"),
	P("min-slaves-to-write", P_INT, min_replicas_to_write, 0, 2147483647, NULL, "0"),
	P("min-replicas-max-lag", P_INT, min_replicas_max_lag, 0, 2147483647, NULL, "10"),
	P("min-slaves-max-lag", P_INT, min_replicas_max_lag, 0, 2147483647, NULL, "10"),
	P("repl-backlog-size", P_MEM, repl_backlog_size, 1, LLONG_MAX, NULL, "1048576"),
	P("repl-ping-replica-period", P_INT, repl_ping_replica_period, 1, 2147483647, NULL, "10"),
	P("repl-timeout", P_INT, repl_timeout, 1, 2147483647, NULL, "60"),
	P("repl-diskless-sync", P_BOOL, repl_diskless_sync, 0, 1, NULL, "yes"),
	/* 0, not Redis's 5: ferry's snapshot is taken without a fork, so there
	 * is little to gain by waiting for more replicas to share it */
	P("repl-diskless-sync-delay", P_INT, repl_diskless_sync_delay, 0, 2147483647, NULL, "0"),
	P("repl-backlog-ttl", P_LL, repl_backlog_ttl, 0, LLONG_MAX, NULL, "3600"),
	P("repl-batch-window-us", P_LL, repl_batch_window_us, 0, 10000000, NULL, "0"),
	P("repl-batch-bytes", P_MEM, repl_batch_bytes, 1, LLONG_MAX, NULL, "65536"),
	/* the replica class of Redis's client-output-buffer-limit (hard limit) */
	P("replica-output-buffer-limit", P_MEM, client_output_buffer_limit_replica, 0, LLONG_MAX, NULL, "268435456"),
	/* Redis's "<class> <hard> <soft> <soft-seconds> ..." (P_COBL below) */
	{ "client-output-buffer-limit", P_COBL, NULL, 0, 0, NULL,
	  "normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60",
	  false },
	P("replica-announce-port", P_INT, replica_announce_port, 0, 65535, NULL, "0"),
	P("slave-announce-port", P_INT, replica_announce_port, 0, 65535, NULL, "0"),
	P("replica-priority", P_INT, replica_priority, 0, 2147483647, NULL, "100"),
	P("slave-priority", P_INT, replica_priority, 0, 2147483647, NULL, "100"),
	/* ferry's: TCP receive/send buffer of a replication link (both ends):
	 * its window must cover the bandwidth-delay product of the link
	 * between regions (1 Gbit/s x 250 ms RTT = 31 MB; ferryd offers
	 * window scale 9, windows up to 32 MiB) */
	P("repl-tcp-buffer", P_MEM, repl_tcp_buffer, 65536, 1073741824, NULL, "33554432"),
	/* ferry's: the bound on a full sync's RDB image, buffered in memory */
	P("repl-rdb-max-bytes", P_MEM, repl_rdb_max_bytes, 1, LLONG_MAX, NULL, "4294967296"),
	PS("masterauth", masterauth),
	PS("masteruser", masteruser),
	PS("replica-announce-ip", replica_announce_ip),
	PS("slave-announce-ip", replica_announce_ip),
	/* "host port": applied at start by control/repl_replica.c */
	PS("replicaof", replicaof),
	PS("slaveof", replicaof),
	/* ferry's: SET <key> <unix ms> applied from the master records its
	 * lag (control/repl_lagprobe.h); "" = off */
	PS("repl-lag-probe-key", repl_lag_probe_key),
	/* ferry's: a primary with replicas writes SET <repl-lag-probe-key>
	 * <unix ms> itself every this many ms (control/repl_core.c), so its
	 * replicas' probe measures from the primary's write; 0 = off */
	P("repl-lag-probe-ms", P_LL, repl_lag_probe_ms, 0, 3600000, NULL, "0"),
	P("maxclients", P_LL, maxclients, 1, LLONG_MAX, NULL, "10000"),
	PI("port", P_INT, port, 0, 65535, NULL, "6379"),
	{ "requirepass", P_STRING, NULL, 0, 0, NULL, "", false },
	{ "save", P_FIXED, NULL, 0, 0, NULL, "", false },
	{ "appendonly", P_FIXED, NULL, 0, 0, NULL, "no", false },
};

#define NPARAMS (sizeof(params) / sizeof(params[0]))

static const struct param *
find_param(const char *name)
{
	for (size_t i = 0; i < NPARAMS; i++)
		if (strcasecmp(params[i].name, name) == 0)
			return &params[i];
	return NULL;
}

/* Redis memtoull: digits with an optional unit b, k, kb, m, mb, g, gb. */
static int
parse_mem(const char *s, long long *out)
{
	char *end;
	unsigned long long mul = 1, v;

	if (*s == '\0' || *s == '-' || isspace((unsigned char)*s))
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || end == s)
		return -EINVAL;
	if (*end == '\0' || strcasecmp(end, "b") == 0)
		mul = 1;
	else if (strcasecmp(end, "k") == 0)
		mul = 1000;
	else if (strcasecmp(end, "kb") == 0)
		mul = 1024;
	else if (strcasecmp(end, "m") == 0)
		mul = 1000 * 1000;
	else if (strcasecmp(end, "mb") == 0)
		mul = 1024 * 1024;
	else if (strcasecmp(end, "g") == 0)
		mul = 1000ULL * 1000 * 1000;
	else if (strcasecmp(end, "gb") == 0)
		mul = 1024ULL * 1024 * 1024;
	else
		return -EINVAL;
	if (v > (unsigned long long)LLONG_MAX / mul)
		return -EINVAL;
	*out = (long long)(v * mul);
	return 0;
}

/* ---- client-output-buffer-limit (P_COBL) -----------------------------------
 * Redis's "<class> <hard> <soft> <soft-seconds> ..." for the classes normal,
 * replica (alias slave) and pubsub; a value sets only the classes it names,
 * and nothing unless all of it is valid (Redis 7.0's
 * setConfigClientOutputBufferLimitOption, same error texts).  The normal
 * and replica hard limits are st_cfg's client_output_buffer_limit_normal /
 * _replica (the latter also ferry's replica-output-buffer-limit); the
 * replica soft limit and seconds are in st_cfg too; the rest is only kept
 * for CONFIG GET. */
enum { COBL_NORMAL, COBL_REPLICA, COBL_PUBSUB, COBL_NCLASS };
static long long cobl_normal_soft, cobl_normal_secs;
static long long cobl_pubsub_hard, cobl_pubsub_soft, cobl_pubsub_secs;
static long long *const cobl_vals[COBL_NCLASS][3] = {
	[COBL_NORMAL] = { &st_cfg.client_output_buffer_limit_normal,
			  &cobl_normal_soft, &cobl_normal_secs },
	[COBL_REPLICA] = { &st_cfg.client_output_buffer_limit_replica,
			   &st_cfg.client_output_buffer_soft_replica,
			   &st_cfg.client_output_buffer_soft_seconds_replica },
	[COBL_PUBSUB] = { &cobl_pubsub_hard, &cobl_pubsub_soft,
			  &cobl_pubsub_secs },
};

static int
cobl_class(const char *name)
{
	if (strcasecmp(name, "normal") == 0)
		return COBL_NORMAL;
	if (strcasecmp(name, "slave") == 0 || strcasecmp(name, "replica") == 0)
		return COBL_REPLICA;
	if (strcasecmp(name, "pubsub") == 0)
		return COBL_PUBSUB;
	return -1;			/* "master" too, as Redis */
}

#define COBL_MAX_ARGS 64

static int
cobl_set(const char *value, char *err, size_t errlen)
{
	char copy[1024], *argv[COBL_MAX_ARGS], *save = NULL, *tok;
	long long vals[COBL_MAX_ARGS / 4][3];
	int cls[COBL_MAX_ARGS / 4], argc = 0;

	if (strlen(value) >= sizeof(copy)) {
		snprintf(err, errlen, "argument is too long");
		return -EINVAL;
	}
	snprintf(copy, sizeof(copy), "%s", value);
	for (tok = strtok_r(copy, " \t\r\n", &save); tok != NULL;
	     tok = strtok_r(NULL, " \t\r\n", &save)) {
		if (argc == COBL_MAX_ARGS) {
			snprintf(err, errlen, "Wrong number of arguments in "
				 "buffer limit configuration.");
			return -EINVAL;
		}
		argv[argc++] = tok;
	}
	if (argc % 4 != 0) {
		snprintf(err, errlen, "Wrong number of arguments in buffer "
			 "limit configuration.");
		return -EINVAL;
	}
	for (int j = 0; j < argc; j += 4) {
		char *end;
		int serr;

		cls[j / 4] = cobl_class(argv[j]);
		if (cls[j / 4] < 0) {
			snprintf(err, errlen, "Invalid client class specified in "
				 "buffer limit configuration.");
			return -EINVAL;
		}
		errno = 0;
		vals[j / 4][2] = strtoll(argv[j + 3], &end, 10);
		serr = errno;
		if (parse_mem(argv[j + 1], &vals[j / 4][0]) != 0 ||
		    parse_mem(argv[j + 2], &vals[j / 4][1]) != 0 || serr != 0 ||
		    end == argv[j + 3] || *end != '\0' || vals[j / 4][2] < 0) {
			snprintf(err, errlen, "Error in hard, soft or soft_seconds "
				 "setting in buffer limit configuration.");
			return -EINVAL;
		}
	}
	for (int k = 0; k < argc / 4; k++)
		for (int i = 0; i < 3; i++)
			__atomic_store_n(cobl_vals[cls[k]][i], vals[k][i],
					 __ATOMIC_RELAXED);
	return 0;
}

static void
cobl_get(char *out, size_t outlen)
{
	long long v[COBL_NCLASS][3];

	for (int k = 0; k < COBL_NCLASS; k++)
		for (int i = 0; i < 3; i++)
			v[k][i] = __atomic_load_n(cobl_vals[k][i], __ATOMIC_RELAXED);
	snprintf(out, outlen, "normal %lld %lld %lld slave %lld %lld %lld "
		 "pubsub %lld %lld %lld", v[0][0], v[0][1], v[0][2], v[1][0],
		 v[1][1], v[1][2], v[2][0], v[2][1], v[2][2]);
}

static int
param_set(const struct param *p, const char *value, char *err, size_t errlen)
{
	long long v = 0;

	switch (p->type) {
	case P_BOOL:
		if (strcasecmp(value, "yes") == 0)
			v = 1;
		else if (strcasecmp(value, "no") == 0)
			v = 0;
		else {
			snprintf(err, errlen, "argument must be 'yes' or 'no'");
			return -EINVAL;
		}
		__atomic_store_n((int *)p->ptr, (int)v, __ATOMIC_RELAXED);
		return 0;
	case P_INT:
	case P_LL:
		if (st_str2ll(value, strlen(value), &v) != 0) {
			snprintf(err, errlen, "argument couldn't be parsed into an integer");
			return -EINVAL;
		}
		goto range;
	case P_MEM:
		if (parse_mem(value, &v) != 0) {
			snprintf(err, errlen, "argument must be a memory value");
			return -EINVAL;
		}
	range:
		if (v < p->min || v > p->max) {
			snprintf(err, errlen, "argument must be between %lld and %lld inclusive",
				 p->min, p->max);
			return -EINVAL;
		}
		/* relaxed atomic stores, as config.h promises readers */
		if (p->type == P_INT)
			__atomic_store_n((int *)p->ptr, (int)v, __ATOMIC_RELAXED);
		else
			__atomic_store_n((long long *)p->ptr, v, __ATOMIC_RELAXED);
		return 0;
	case P_ENUM:
		for (int i = 0; p->enum_names[i]; i++) {
			if (strcasecmp(value, p->enum_names[i]) == 0) {
				__atomic_store_n((int *)p->ptr, i, __ATOMIC_RELAXED);
				return 0;
			}
		}
		snprintf(err, errlen, "argument(s) must be one of the following: ");
		for (int i = 0; p->enum_names[i]; i++) {
			size_t l = strlen(err);
			snprintf(err + l, errlen - l, "%s%s", i ? ", " : "",
				 p->enum_names[i]);
		}
		return -EINVAL;
	case P_STRING:
		pthread_mutex_lock(&pass_lock);
		snprintf(requirepass, sizeof(requirepass), "%s", value);
		atomic_store(&has_password, requirepass[0] != '\0');
		pthread_mutex_unlock(&pass_lock);
		return 0;
	case P_FIXED:
		return 0;	/* accepted and ignored: no persistence in ferry */
	case P_COBL:
		return cobl_set(value, err, errlen);
	case P_STRBUF:
		if (strlen(value) >= (size_t)p->max) {
			snprintf(err, errlen, "argument is too long");
			return -EINVAL;
		}
		pthread_mutex_lock(&pass_lock);
		snprintf(p->ptr, (size_t)p->max, "%s", value);
		pthread_mutex_unlock(&pass_lock);
		return 0;
	}
	return -EINVAL;
}

void
st_config_defaults(void)
{
	char err[256];

	memset(&st_cfg, 0, sizeof(st_cfg));
	for (size_t i = 0; i < NPARAMS; i++)
		param_set(&params[i], params[i].def, err, sizeof(err));
	st_cfg.client_output_buffer_limit_normal = 0;
}

bool
st_config_has_password(void)
{
	return atomic_load_explicit(&has_password, memory_order_relaxed) != 0;
}

bool
st_config_check_password(const char *pass, size_t len)
{
	unsigned char diff;
	size_t plen;

	pthread_mutex_lock(&pass_lock);
	plen = strlen(requirepass);
	diff = (unsigned char)(plen != len);
	for (size_t i = 0; i < len; i++)
		diff |= (unsigned char)(requirepass[i % (plen ? plen : 1)] ^ pass[i]);
	pthread_mutex_unlock(&pass_lock);
	return diff == 0;
}

int
st_config_set(const char *name, const char *value, char *err, size_t errlen)
{
	const struct param *p = find_param(name);

	if (p == NULL)
		return -ENOENT;
	if (p->immutable) {
		snprintf(err, errlen, "can't set immutable config");
		return -EINVAL;
	}
	return param_set(p, value, err, errlen);
}

int
st_config_get(const char *name, char *out, size_t outlen)
{
	const struct param *p = find_param(name);

	if (p == NULL)
		return -ENOENT;
	switch (p->type) {
	case P_BOOL:
		snprintf(out, outlen, "%s", *(int *)p->ptr ? "yes" : "no");
		break;
	case P_INT:
		snprintf(out, outlen, "%d", *(int *)p->ptr);
		break;
	case P_LL:
	case P_MEM:
		snprintf(out, outlen, "%lld", *(long long *)p->ptr);
		break;
	case P_ENUM:
		snprintf(out, outlen, "%s", p->enum_names[*(int *)p->ptr]);
		break;
	case P_STRING:
		pthread_mutex_lock(&pass_lock);
		snprintf(out, outlen, "%s", requirepass);
		pthread_mutex_unlock(&pass_lock);
		break;
	case P_FIXED:
		snprintf(out, outlen, "%s", p->def);
		break;
	case P_COBL:
		cobl_get(out, outlen);
		break;
	case P_STRBUF:
		pthread_mutex_lock(&pass_lock);
		snprintf(out, outlen, "%s", (const char *)p->ptr);
		pthread_mutex_unlock(&pass_lock);
		break;
	}
	return 0;
}

size_t
st_config_count(void)
{
	return NPARAMS;
}

const char *
st_config_name_at(size_t i)
{
	return i < NPARAMS ? params[i].name : NULL;
}

int
st_config_load_file(const char *path, char *err, size_t errlen)
{
	FILE *f = fopen(path, "r");
	char line[1024];
	int lineno = 0;

	if (f == NULL) {
		snprintf(err, errlen, "cannot open config file '%s': %s", path,
			 strerror(errno));
		return -errno;
	}
	while (fgets(line, sizeof(line), f) != NULL) {
		char *name, *value, *end, msg[256];
		int rc;

		lineno++;
		name = line;
		while (isspace((unsigned char)*name))
			name++;
		if (*name == '#' || *name == '\0')
			continue;
		end = name + strlen(name);
		while (end > name && isspace((unsigned char)end[-1]))
			*--end = '\0';
		value = name;
		while (*value && !isspace((unsigned char)*value))
			value++;
		if (*value)
			*value++ = '\0';
		while (isspace((unsigned char)*value))
			value++;
		if (value[0] == '"' && end > value + 1 && end[-1] == '"') {
			value++;
			end[-1] = '\0';
		}
		rc = st_config_set(name, value, msg, sizeof(msg));
		if (rc == -ENOENT) {
			snprintf(err, errlen, "%s:%d: unknown directive '%s'",
				 path, lineno, name);
			fclose(f);
			return rc;
		}
		if (rc != 0) {
			snprintf(err, errlen, "%s:%d: '%s': %s", path, lineno,
				 name, msg);
			fclose(f);
			return rc;
		}
	}
	fclose(f);
	return 0;
}
