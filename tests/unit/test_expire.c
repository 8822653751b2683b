/*
 * test_expire.c -- key expiry: lazy (on access, keyspace.c), active
 * (st_expire_cycle, expire.c), what both hand to the write log, TTL
 * arithmetic and the EXPIRE option matrix (cmd_keys.c), the TTL side of
 * SET / GETEX / PERSIST (cmd_string.c), replica mode, where keys are
 * never expired locally but reads report them absent, and the command
 * clock a poll loop sets (st_client_clock_set).
 *
 * Expected replies are stock redis-server 7.0.15's.  Keys expire with
 * PX 1 and a 5 ms sleep; nothing depends on finer timing.
 */
#include "harness.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "client.h"
#include "expire.h"
#include "keyspace.h"
#include "util.h"
#include "wlog.h"
#include "worker.h"

static struct st_client *tc;
static struct st_worker *tw;

/* ==== write-log capture ====================================================== */

struct rec {
	uint64_t seq;
	int db;
	int ncmds;
	char text[128];		/* "DEL key" (commands joined by ';') */
};

struct rec_log {
	pthread_mutex_t mu;
	struct rec *r;
	int n, cap;
};

/* The records captured by the running test (freed by teardown). */
static struct rec_log cap = { .mu = PTHREAD_MUTEX_INITIALIZER };

static void
rec_sink(const struct st_wlog_rec *rec, void *arg)
{
	struct rec_log *log = arg;
	struct rec *r;
	size_t len = 0;

	pthread_mutex_lock(&log->mu);
	if (log->n == log->cap) {
		log->cap = log->cap ? log->cap * 2 : 256;
		log->r = realloc(log->r, sizeof(*log->r) * (size_t)log->cap);
	}
	r = &log->r[log->n++];
	r->seq = rec->seq;
	r->db = rec->cmds[0].db;
	r->ncmds = rec->ncmds;
	r->text[0] = '\0';
	for (int i = 0; i < rec->ncmds; i++) {
		for (int j = 0; j < rec->cmds[i].argc; j++) {
			const struct st_arg *a = &rec->cmds[i].argv[j];

			len += (size_t)snprintf(r->text + len, sizeof(r->text) - len,
						"%s%.*s", j ? " " : (i ? ";" : ""),
						(int)a->len, a->p);
			if (len >= sizeof(r->text))
				len = sizeof(r->text) - 1;
		}
	}
	pthread_mutex_unlock(&log->mu);
}

static void
log_free(struct rec_log *log)
{
	free(log->r);
	log->r = NULL;
	log->n = log->cap = 0;
}

static void
log_start(struct rec_log *log)
{
	log_free(log);
	st_wlog_set_sink(rec_sink, log);
}

static void
log_stop(struct rec_log *log)
{
	st_wlog_set_sink(NULL, NULL);
}

/* Records must carry strictly increasing sequence numbers. */
static void
assert_seq_increasing(const struct rec_log *log)
{
	for (int i = 1; i < log->n; i++)
		assert_true(log->r[i].seq > log->r[i - 1].seq);
}

static int
setup(void **state)
{
	(void)state;
	tc = th_fresh_client();
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	st_wlog_set_sink(NULL, NULL);
	log_free(&cap);
	st_keyspace_set_replica(false);
	th_fresh_client_done(tc);
	tc = NULL;
	return 0;
}

static void
let_expire(void)
{
	usleep(5000);
}

/* ==== lazy expiry ============================================================= */

static void
lazy_expiry_reads(void **state)
{
	struct st_client *c = tc;
	uint64_t expired0 = ST_STAT_SUM(expired);

	th_assert_reply(c, "+OK\r\n", "SET", "k", "v", "PX", "1");
	th_assert_reply(c, "+OK\r\n", "SET", "live", "v");
	let_expire();
	log_start(&cap);
	/* Lock-free readers report the key absent but cannot delete it. */
	th_assert_reply(c, "$-1\r\n", "GET", "k");
	th_assert_reply(c, ":0\r\n", "EXISTS", "k");
	th_assert_reply(c, ":1\r\n", "EXISTS", "k", "live");
	th_assert_reply(c, ":-2\r\n", "TTL", "k");
	th_assert_reply(c, ":-2\r\n", "PTTL", "k");
	th_assert_reply(c, ":-2\r\n", "EXPIRETIME", "k");
	th_assert_reply(c, "+none\r\n", "TYPE", "k");
	th_assert_reply(c, "*2\r\n$-1\r\n$1\r\nv\r\n", "MGET", "k", "live");
	th_assert_reply(c, "*1\r\n$4\r\nlive\r\n", "KEYS", "*");
	th_assert_reply(c, "*2\r\n$1\r\n0\r\n*1\r\n$4\r\nlive\r\n", "SCAN", "0");
	/* As Redis, DBSIZE counts the key until something touches it. */
	th_assert_reply(c, ":2\r\n", "DBSIZE");
	assert_int_equal(cap.n, 0);
	/* A command holding the key's lock deletes it and logs a DEL. */
	th_assert_reply(c, ":0\r\n", "TOUCH", "k");
	th_assert_reply(c, ":1\r\n", "DBSIZE");
	log_stop(&cap);
	assert_int_equal(cap.n, 1);
	assert_string_equal(cap.r[0].text, "DEL k");
	assert_int_equal(cap.r[0].db, 0);
	assert_int_equal(ST_STAT_SUM(expired) - expired0, 1);
	log_free(&cap);
}

/* A write to an expired key: the expiry's DEL comes first, then the write. */
static void
lazy_expiry_writes(void **state)
{
	struct st_client *c = tc;
	uint64_t expired0 = ST_STAT_SUM(expired);

	th_assert_reply(c, "+OK\r\n", "SELECT", "2");
	th_assert_reply(c, "+OK\r\n", "SET", "k", "old", "PX", "1");
	th_assert_reply(c, "+OK\r\n", "SET", "n", "41", "PX", "1");
	th_assert_reply(c, "+OK\r\n", "SET", "s", "str", "PX", "1");
	th_assert_reply(c, "+OK\r\n", "SET", "g", "str", "PX", "1");
	let_expire();
	log_start(&cap);
	th_assert_reply(c, "+OK\r\n", "SET", "k", "new");
	th_assert_reply(c, ":1\r\n", "INCR", "n");
	th_assert_reply(c, ":1\r\n", "LPUSH", "s", "x");
	th_assert_reply(c, "$-1\r\n", "GETEX", "g", "PERSIST");
	th_assert_reply(c, ":0\r\n", "DEL", "g");
	log_stop(&cap);
	th_assert_reply(c, "$3\r\nnew\r\n", "GET", "k");
	th_assert_reply(c, ":-1\r\n", "TTL", "k");
	th_assert_reply(c, ":-1\r\n", "TTL", "n");
	th_assert_reply(c, "+list\r\n", "TYPE", "s");
	assert_int_equal(cap.n, 7);
	assert_string_equal(cap.r[0].text, "DEL k");
	assert_string_equal(cap.r[1].text, "SET k new");
	assert_string_equal(cap.r[2].text, "DEL n");
	assert_string_equal(cap.r[3].text, "INCR n");
	assert_string_equal(cap.r[4].text, "DEL s");
	assert_string_equal(cap.r[5].text, "LPUSH s x");
	assert_string_equal(cap.r[6].text, "DEL g");
	for (int i = 0; i < cap.n; i++)
		assert_int_equal(cap.r[i].db, 2);
	assert_seq_increasing(&cap);
	assert_int_equal(cap.r[1].seq, cap.r[0].seq + 1);
	assert_int_equal(ST_STAT_SUM(expired) - expired0, 4);
	th_assert_reply(c, ":3\r\n", "DBSIZE");
	log_free(&cap);
}

/* ==== active expiry =========================================================== */

#define N_VOL 600
#define N_LIVE 300
#define N_LONG 200

static void
fill(struct st_client *c, const char *db, const char *prefix, int n,
     const char *ttl_opt, const char *ttl)
{
	char key[64];

	th_cmd(c, "SELECT", db, NULL);
	for (int i = 0; i < n; i++) {
		snprintf(key, sizeof(key), "%s:%d", prefix, i);
		if (ttl_opt)
			th_cmd(c, "SET", key, "v", ttl_opt, ttl, NULL);
		else
			th_cmd(c, "SET", key, "v", NULL);
	}
}

static void
active_expiry_cycle(void **state)
{
	struct st_client *c = tc;
	uint64_t expired0 = ST_STAT_SUM(expired);
	static char seen0[N_VOL], seen3[N_VOL];
	int total = 0, calls = 0;

	/* Volatile keys in two databases, among live ones with and without
	 * a (distant) TTL. */
	fill(c, "0", "vol", N_VOL, "PX", "1");
	fill(c, "0", "live", N_LIVE, NULL, NULL);
	fill(c, "0", "long", N_LONG, "EX", "1000");
	fill(c, "3", "vol", N_VOL, "PX", "1");
	fill(c, "3", "long", N_LONG, "PX", "1000000");
	memset(seen0, 0, sizeof(seen0));
	memset(seen3, 0, sizeof(seen3));
	let_expire();
	log_start(&cap);
	assert_int_equal(st_expire_cycle(tw, 0), 0);
	while (total < 2 * N_VOL) {
		int n = st_expire_cycle(tw, 16);

		/* A bounded amount of work per call. */
		assert_true(n >= 0 && n <= 16);
		total += n;
		assert_true(++calls < 100000);
	}
	/* Nothing more to do, however often it runs. */
	for (int i = 0; i < 500; i++)
		assert_int_equal(st_expire_cycle(tw, 16), 0);
	log_stop(&cap);
	/* Several calls were needed: the budget bounds each one. */
	assert_true(calls >= 2 * N_VOL / 16);
	assert_int_equal(total, 2 * N_VOL);
	assert_int_equal(ST_STAT_SUM(expired) - expired0, 2 * N_VOL);
	th_assert_reply(c, "+OK\r\n", "SELECT", "0");
	th_assert_reply(c, ":500\r\n", "DBSIZE");
	th_assert_reply(c, "$1\r\nv\r\n", "GET", "live:7");
	th_assert_reply(c, ":1000\r\n", "TTL", "long:199");
	th_assert_reply(c, "+OK\r\n", "SELECT", "3");
	th_assert_reply(c, ":200\r\n", "DBSIZE");
	th_assert_reply(c, ":1000\r\n", "TTL", "long:0");

	/* One DEL per expired key, each once, in increasing sequence order. */
	assert_int_equal(cap.n, 2 * N_VOL);
	assert_seq_increasing(&cap);
	for (int i = 0; i < cap.n; i++) {
		int k;

		assert_int_equal(cap.r[i].ncmds, 1);
		assert_memory_equal(cap.r[i].text, "DEL vol:", 8);
		k = atoi(cap.r[i].text + 8);
		assert_true(k >= 0 && k < N_VOL);
		if (cap.r[i].db == 0) {
			assert_false(seen0[k]);
			seen0[k] = 1;
		} else {
			assert_int_equal(cap.r[i].db, 3);
			assert_false(seen3[k]);
			seen3[k] = 1;
		}
	}
	log_free(&cap);
}

static void
active_expiry_spares_live_keys(void **state)
{
	struct st_client *c = tc;
	uint64_t expired0 = ST_STAT_SUM(expired);

	fill(c, "0", "ttl", 1000, "EX", "100");
	fill(c, "0", "plain", 100, NULL, NULL);
	for (int i = 0; i < 1000; i++)
		assert_int_equal(st_expire_cycle(tw, 32), 0);
	th_assert_reply(c, ":1100\r\n", "DBSIZE");
	assert_int_equal(ST_STAT_SUM(expired) - expired0, 0);
	/* Keys given a past time by PEXPIREAT are gone at once, not left
	 * for the cycle. */
	th_assert_reply(c, ":1\r\n", "PEXPIREAT", "ttl:5", "1");
	th_assert_reply(c, ":1099\r\n", "DBSIZE");
}

/* ==== TTL arithmetic =========================================================== */

static void
ttl_rounding(void **state)
{
	struct st_client *c = tc;
	const char *r;
	long ms;

	th_assert_reply(c, "+OK\r\n", "SET", "k", "v");
	/* TTL rounds to the nearest second: (ms + 500) / 1000. */
	th_assert_reply(c, ":1\r\n", "PEXPIRE", "k", "1900");
	th_assert_reply(c, ":2\r\n", "TTL", "k");
	r = th_cmd(c, "PTTL", "k", NULL);
	ms = atol(r + 1);
	assert_true(ms > 1500 && ms <= 1900);
	th_assert_reply(c, ":1\r\n", "PEXPIRE", "k", "1400");
	th_assert_reply(c, ":1\r\n", "TTL", "k");
	th_assert_reply(c, ":1\r\n", "PEXPIRE", "k", "499");
	th_assert_reply(c, ":0\r\n", "TTL", "k");
	th_assert_reply(c, ":1\r\n", "PEXPIRE", "k", "400");
	th_assert_reply(c, ":0\r\n", "TTL", "k");
	th_assert_reply(c, ":1\r\n", "EXPIRE", "k", "100");
	th_assert_reply(c, ":100\r\n", "TTL", "k");
	r = th_cmd(c, "PTTL", "k", NULL);
	ms = atol(r + 1);
	assert_true(ms > 99900 && ms <= 100000);
	/* EXPIRETIME rounds the same way. */
	th_assert_reply(c, ":1\r\n", "PEXPIREAT", "k", "4000000000499");
	th_assert_reply(c, ":4000000000\r\n", "EXPIRETIME", "k");
	th_assert_reply(c, ":4000000000499\r\n", "PEXPIRETIME", "k");
	th_assert_reply(c, ":1\r\n", "PEXPIREAT", "k", "4000000000500");
	th_assert_reply(c, ":4000000001\r\n", "EXPIRETIME", "k");
	th_assert_reply(c, ":1\r\n", "EXPIREAT", "k", "4000000000");
	th_assert_reply(c, ":4000000000000\r\n", "PEXPIRETIME", "k");
	/* Zero and negative times delete the key. */
	th_assert_reply(c, ":1\r\n", "EXPIRE", "k", "0");
	th_assert_reply(c, ":0\r\n", "EXISTS", "k");
	th_assert_reply(c, "+OK\r\n", "SET", "k", "v");
	th_assert_reply(c, ":1\r\n", "PEXPIREAT", "k", "1");
	th_assert_reply(c, ":0\r\n", "EXISTS", "k");
	th_assert_reply(c, ":0\r\n", "EXPIRE", "nokey", "-1");
}

/* PEXPIREAT m <new> [options] on a key with no TTL or with TTL T0; the
 * expected replies and PEXPIRETIME afterwards are redis-server 7.0.15's. */
#define T0 4000000000000LL

static const struct {
	bool has_ttl;
	const char *opts[2];
	long long delta;	/* new = T0 + delta */
	int reply;
	long long after;	/* PEXPIRETIME afterwards */
} matrix[] = {
	{ false, { NULL }, -1000, 1, T0 - 1000 },
	{ false, { NULL }, 0, 1, T0 },
	{ false, { NULL }, 1000, 1, T0 + 1000 },
	{ false, { "NX" }, -1000, 1, T0 - 1000 },
	{ false, { "NX" }, 0, 1, T0 },
	{ false, { "NX" }, 1000, 1, T0 + 1000 },
	{ false, { "XX" }, -1000, 0, -1 },
	{ false, { "XX" }, 0, 0, -1 },
	{ false, { "XX" }, 1000, 0, -1 },
	{ false, { "GT" }, -1000, 0, -1 },
	{ false, { "GT" }, 0, 0, -1 },
	{ false, { "GT" }, 1000, 0, -1 },
	{ false, { "LT" }, -1000, 1, T0 - 1000 },
	{ false, { "LT" }, 0, 1, T0 },
	{ false, { "LT" }, 1000, 1, T0 + 1000 },
	{ false, { "XX", "GT" }, -1000, 0, -1 },
	{ false, { "XX", "GT" }, 0, 0, -1 },
	{ false, { "XX", "GT" }, 1000, 0, -1 },
	{ false, { "XX", "LT" }, -1000, 0, -1 },
	{ false, { "XX", "LT" }, 0, 0, -1 },
	{ false, { "XX", "LT" }, 1000, 0, -1 },
	{ false, { "gt", "xx" }, -1000, 0, -1 },
	{ false, { "gt", "xx" }, 0, 0, -1 },
	{ false, { "gt", "xx" }, 1000, 0, -1 },
	{ true, { NULL }, -1000, 1, T0 - 1000 },
	{ true, { NULL }, 0, 1, T0 },
	{ true, { NULL }, 1000, 1, T0 + 1000 },
	{ true, { "NX" }, -1000, 0, T0 },
	{ true, { "NX" }, 0, 0, T0 },
	{ true, { "NX" }, 1000, 0, T0 },
	{ true, { "XX" }, -1000, 1, T0 - 1000 },
	{ true, { "XX" }, 0, 1, T0 },
	{ true, { "XX" }, 1000, 1, T0 + 1000 },
	{ true, { "GT" }, -1000, 0, T0 },
	{ true, { "GT" }, 0, 0, T0 },
	{ true, { "GT" }, 1000, 1, T0 + 1000 },
	{ true, { "LT" }, -1000, 1, T0 - 1000 },
	{ true, { "LT" }, 0, 0, T0 },
	{ true, { "LT" }, 1000, 0, T0 },
	{ true, { "XX", "GT" }, -1000, 0, T0 },
	{ true, { "XX", "GT" }, 0, 0, T0 },
	{ true, { "XX", "GT" }, 1000, 1, T0 + 1000 },
	{ true, { "XX", "LT" }, -1000, 1, T0 - 1000 },
	{ true, { "XX", "LT" }, 0, 0, T0 },
	{ true, { "XX", "LT" }, 1000, 0, T0 },
	{ true, { "gt", "xx" }, -1000, 0, T0 },
	{ true, { "gt", "xx" }, 0, 0, T0 },
	{ true, { "gt", "xx" }, 1000, 1, T0 + 1000 },
};

static void
expire_option_matrix(void **state)
{
	struct st_client *c = tc;
	char t0[32], when[32], expect[48];

	snprintf(t0, sizeof(t0), "%lld", T0);
	for (size_t i = 0; i < sizeof(matrix) / sizeof(matrix[0]); i++) {
		const char *argv[5] = { "PEXPIREAT", "m", when };
		size_t lens[5];
		int argc = 3;

		th_assert_reply(c, "+OK\r\n", "SET", "m", "v");
		if (matrix[i].has_ttl)
			th_assert_reply(c, ":1\r\n", "PEXPIREAT", "m", t0);
		snprintf(when, sizeof(when), "%lld", T0 + matrix[i].delta);
		for (int j = 0; j < 2 && matrix[i].opts[j]; j++)
			argv[argc++] = matrix[i].opts[j];
		for (int j = 0; j < argc; j++)
			lens[j] = strlen(argv[j]);
		snprintf(expect, sizeof(expect), ":%d\r\n", matrix[i].reply);
		assert_string_equal(th_cmdv(c, argc, argv, lens), expect);
		snprintf(expect, sizeof(expect), ":%lld\r\n", matrix[i].after);
		assert_string_equal(th_cmd(c, "PEXPIRETIME", "m", NULL), expect);
	}
	/* The relative forms follow the same rules. */
	th_assert_reply(c, "+OK\r\n", "SET", "r", "v");
	th_assert_reply(c, ":1\r\n", "EXPIRE", "r", "100", "LT");
	th_assert_reply(c, ":0\r\n", "EXPIRE", "r", "200", "NX");
	th_assert_reply(c, ":0\r\n", "EXPIRE", "r", "50", "GT");
	th_assert_reply(c, ":1\r\n", "EXPIRE", "r", "150", "GT");
	th_assert_reply(c, ":150\r\n", "TTL", "r");
	th_assert_reply(c, ":0\r\n", "EXPIRE", "r", "150", "LT");
	th_assert_reply(c, ":1\r\n", "EXPIRE", "r", "10", "XX");
	th_assert_reply(c, ":10\r\n", "TTL", "r");
	th_assert_reply(c, ":1\r\n", "PEXPIRE", "r", "20000", "gt");
	th_assert_reply(c, ":20\r\n", "TTL", "r");
	/* A past time with a condition that holds deletes the key... */
	th_assert_reply(c, ":1\r\n", "EXPIRE", "r", "-1", "LT");
	th_assert_reply(c, ":0\r\n", "EXISTS", "r");
	/* ...and with one that fails leaves it alone. */
	th_assert_reply(c, "+OK\r\n", "SET", "r", "v");
	th_assert_reply(c, ":0\r\n", "EXPIRE", "r", "-1", "XX");
	th_assert_reply(c, ":1\r\n", "EXISTS", "r");
}

/* ==== PERSIST / SET KEEPTTL / GETEX ============================================ */

static void
persist_and_set_ttl(void **state)
{
	struct st_client *c = tc;

	th_assert_reply(c, "+OK\r\n", "SET", "k", "v", "EX", "100");
	th_assert_reply(c, ":100\r\n", "TTL", "k");
	th_assert_reply(c, ":1\r\n", "PERSIST", "k");
	th_assert_reply(c, ":-1\r\n", "TTL", "k");
	th_assert_reply(c, ":0\r\n", "PERSIST", "k");
	th_assert_reply(c, ":0\r\n", "PERSIST", "nokey");
	/* An expired key cannot be persisted back to life. */
	th_assert_reply(c, "+OK\r\n", "SET", "e", "v", "PX", "1");
	let_expire();
	th_assert_reply(c, ":0\r\n", "PERSIST", "e");
	th_assert_reply(c, ":0\r\n", "EXISTS", "e");

	/* SET clears the TTL unless KEEPTTL. */
	th_assert_reply(c, "+OK\r\n", "SET", "k", "v", "EX", "100");
	th_assert_reply(c, "+OK\r\n", "SET", "k", "v2", "KEEPTTL");
	th_assert_reply(c, ":100\r\n", "TTL", "k");
	th_assert_reply(c, "$2\r\nv2\r\n", "GET", "k");
	th_assert_reply(c, "+OK\r\n", "SET", "k", "v3");
	th_assert_reply(c, ":-1\r\n", "TTL", "k");
	th_assert_reply(c, "+OK\r\n", "SET", "k", "v4", "KEEPTTL");
	th_assert_reply(c, ":-1\r\n", "TTL", "k");
	th_assert_reply(c, "+OK\r\n", "SET", "k", "v", "PX", "100000");
	th_assert_reply(c, "$1\r\nv\r\n", "GETSET", "k", "w");
	th_assert_reply(c, ":-1\r\n", "TTL", "k");
	th_assert_reply(c, "+OK\r\n", "SET", "k", "v", "EXAT", "4000000000");
	th_assert_reply(c, ":4000000000\r\n", "EXPIRETIME", "k");
	th_assert_reply(c, ":1\r\n", "INCR", "cnt");
	th_assert_reply(c, ":1\r\n", "EXPIRE", "cnt", "100");
	th_assert_reply(c, ":2\r\n", "INCR", "cnt");
	th_assert_reply(c, ":100\r\n", "TTL", "cnt");
	th_assert_reply(c, ":4\r\n", "APPEND", "cnt", "xyz");
	th_assert_reply(c, ":100\r\n", "TTL", "cnt");
	/* A TTL on a collection survives changes to it. */
	th_assert_reply(c, ":1\r\n", "RPUSH", "l", "a");
	th_assert_reply(c, ":1\r\n", "EXPIRE", "l", "100");
	th_assert_reply(c, ":2\r\n", "RPUSH", "l", "b");
	th_assert_reply(c, ":100\r\n", "TTL", "l");
}

static void
getex_ttl(void **state)
{
	struct st_client *c = tc;

	th_assert_reply(c, "$-1\r\n", "GETEX", "nokey", "PERSIST");
	th_assert_reply(c, "+OK\r\n", "SET", "k", "v3");
	th_assert_reply(c, "$2\r\nv3\r\n", "GETEX", "k", "EX", "100");
	th_assert_reply(c, ":100\r\n", "TTL", "k");
	th_assert_reply(c, "$2\r\nv3\r\n", "GETEX", "k");
	th_assert_reply(c, ":100\r\n", "TTL", "k");
	th_assert_reply(c, "$2\r\nv3\r\n", "GETEX", "k", "PERSIST");
	th_assert_reply(c, ":-1\r\n", "TTL", "k");
	th_assert_reply(c, "-ERR invalid expire time in 'getex' command\r\n",
			"GETEX", "k", "EX", "0");
	th_assert_reply(c, "-ERR invalid expire time in 'getex' command\r\n",
			"GETEX", "k", "PX", "-1");
	th_assert_reply(c, "-ERR syntax error\r\n", "GETEX", "k", "PERSIST", "EX", "10");
	th_assert_reply(c, "$2\r\nv3\r\n", "GETEX", "k", "PXAT", "4000000000123");
	th_assert_reply(c, ":4000000000123\r\n", "PEXPIRETIME", "k");
	th_assert_reply(c, "$2\r\nv3\r\n", "GETEX", "k", "EXAT", "4000000001");
	th_assert_reply(c, ":4000000001000\r\n", "PEXPIRETIME", "k");
	/* A time in the past returns the value and deletes the key. */
	log_start(&cap);
	th_assert_reply(c, "$2\r\nv3\r\n", "GETEX", "k", "PXAT", "1");
	log_stop(&cap);
	th_assert_reply(c, ":0\r\n", "EXISTS", "k");
	assert_int_equal(cap.n, 1);
	assert_string_equal(cap.r[0].text, "DEL k");
	log_free(&cap);
	/* GETEX on an expired key is a miss. */
	th_assert_reply(c, "+OK\r\n", "SET", "e", "v", "PX", "1");
	let_expire();
	th_assert_reply(c, "$-1\r\n", "GETEX", "e", "EX", "100");
	th_assert_reply(c, ":-2\r\n", "TTL", "e");
}

/* ==== replica mode ============================================================= */

static void
replica_mode(void **state)
{
	struct st_client *c = tc, *m = th_client();
	uint64_t expired0 = ST_STAT_SUM(expired);
	char key[32];

	m->flags |= ST_CLIENT_MASTER;
	for (int i = 0; i < 10; i++) {
		snprintf(key, sizeof(key), "r:%d", i);
		th_assert_reply(c, "+OK\r\n", "SET", key, "v", "PX", "1");
	}
	th_assert_reply(c, "+OK\r\n", "SET", "live", "v");
	st_keyspace_set_replica(true);
	assert_true(st_keyspace_is_replica());
	let_expire();
	log_start(&cap);
	/* Reads report expired keys absent, lock-free or not... */
	th_assert_reply(c, "$-1\r\n", "GET", "r:0");
	th_assert_reply(c, ":0\r\n", "EXISTS", "r:1");
	th_assert_reply(c, ":-2\r\n", "TTL", "r:2");
	th_assert_reply(c, "+none\r\n", "TYPE", "r:3");
	th_assert_reply(c, ":0\r\n", "TOUCH", "r:4", "r:5");
	th_assert_reply(c, "$-1\r\n", "OBJECT", "ENCODING", "r:6");
	th_assert_reply(c, "*1\r\n$4\r\nlive\r\n", "KEYS", "*");
	/* ...but nothing is deleted, by lookups or by the cycle. */
	for (int i = 0; i < 100; i++)
		assert_int_equal(st_expire_cycle(tw, 32), 0);
	th_assert_reply(c, ":11\r\n", "DBSIZE");
	assert_int_equal(cap.n, 0);
	assert_int_equal(ST_STAT_SUM(expired) - expired0, 0);

	/* The master's link still sees the keys, and its DEL removes one. */
	th_assert_reply(m, ":1\r\n", "EXISTS", "r:7");
	th_assert_reply(m, ":1\r\n", "DEL", "r:7");
	th_assert_reply(c, ":10\r\n", "DBSIZE");
	/* A past expiry from the master is stored, not applied (the
	 * master will send the DEL). */
	th_assert_reply(m, ":1\r\n", "PEXPIREAT", "live", "1");
	th_assert_reply(c, ":10\r\n", "DBSIZE");
	th_assert_reply(c, "$-1\r\n", "GET", "live");
	th_assert_reply(m, ":1\r\n", "PEXPIRETIME", "live");
	log_stop(&cap);
	assert_int_equal(cap.n, 2);
	assert_string_equal(cap.r[0].text, "DEL r:7");
	assert_string_equal(cap.r[1].text, "PEXPIREAT live 1");
	log_free(&cap);

	/* Back to primary: the cycle now removes all ten, with DELs. */
	st_keyspace_set_replica(false);
	log_start(&cap);
	for (int i = 0; i < 1000 && st_db_size(0) > 0; i++)
		st_expire_cycle(tw, 8);
	log_stop(&cap);
	th_assert_reply(c, ":0\r\n", "DBSIZE");
	assert_int_equal(cap.n, 10);
	assert_int_equal(ST_STAT_SUM(expired) - expired0, 10);
	assert_seq_increasing(&cap);
	for (int i = 0; i < cap.n; i++)
		assert_memory_equal(cap.r[i].text, "DEL ", 4);
	log_free(&cap);
	st_client_free(m);
}

/* ==== the command clock ======================================================= */

/* st_client_clock_set: the thread's clock is the command time of every
 * st_client_process until cleared (ferryd's loop sets one per iteration);
 * 0 samples the real clock again. */
static void
client_clock(void **state)
{
	struct st_client *c = tc;
	int64_t now = st_mstime();

	/* ten seconds ago: a 5 s TTL has run out by the real clock */
	st_client_clock_set(now - 10000);
	th_assert_reply(c, "+OK\r\n", "SET", "k", "v", "PX", "5000");
	th_assert_reply(c, "$1\r\nv\r\n", "GET", "k");
	{
		/* PX counts from the thread's clock, not the real one */
		char want[32];

		snprintf(want, sizeof(want), ":%lld\r\n",
			 (long long)(now - 5000));
		th_assert_reply(c, want, "PEXPIRETIME", "k");
	}
	st_client_clock_set(0);
	th_assert_reply(c, "$-1\r\n", "GET", "k");
	th_assert_reply(c, ":-2\r\n", "PTTL", "k");
}

int
main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(lazy_expiry_reads),
		T(lazy_expiry_writes),
		T(active_expiry_cycle),
		T(active_expiry_spares_live_keys),
		T(ttl_rounding),
		T(expire_option_matrix),
		T(persist_and_set_ttl),
		T(getex_ttl),
		T(replica_mode),
		T(client_clock),
	};
#undef T

	tw = th_init();
	return cmocka_run_group_tests_name("expire", tests, NULL, NULL);
}
