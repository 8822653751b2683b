/*
 * test_stress.c -- concurrency stress of the store (suite "stress").
 *
 * THREADS workers run a mix of non-idempotent writes and reads on a small
 * set of shared keys (so every stripe is contended), each through its own
 * client and the full parse/dispatch path.  Every write record is captured
 * from the write log.  At the end:
 *   - INCR totals are exact, list lengths equal pushes minus pops, no SADD or
 *     ZINCRBY or APPEND was lost;
 *   - lock-free MGET never saw half of a MULTI/EXEC;
 *   - the captured records, applied in sequence order to database 1 by a
 *     single client, rebuild a database identical to database 0 (the
 *     property the replication stream relies on).
 * Bounded in time: ITERS operations per thread.  Run under TSan and ASan by
 * ./ferry.sh test.
 */
#include "harness.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "client.h"
#include "keyspace.h"
#include "resp_compose.h"
#include "wlog.h"
#include "worker.h"

#define THREADS 4
#define ITERS 6000
#define NCTR 8
#define NLIST 4
#define NSET 4
#define NZ 4

/* ---- write-log capture ---------------------------------------------------- */

struct rec {
	uint64_t seq;
	struct st_buf proto;	/* SELECT-free RESP commands, with MULTI/EXEC */
	int db;
};

static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;
static struct rec *recs;
static size_t nrecs, caprecs;

static void
capture(const struct st_wlog_rec *r, void *arg)
{
	struct rec *x;

	(void)arg;
	pthread_mutex_lock(&log_lock);
	if (nrecs == caprecs) {
		caprecs = caprecs ? caprecs * 2 : 1024;
		recs = realloc(recs, caprecs * sizeof(*recs));
	}
	x = &recs[nrecs++];
	x->seq = r->seq;
	x->db = r->cmds[0].db;
	st_buf_init(&x->proto);
	if (r->ncmds > 1)
		st_buf_append(&x->proto, "*1\r\n$5\r\nMULTI\r\n", 15);
	for (int i = 0; i < r->ncmds; i++) {
		const struct st_wlog_cmd *c = &r->cmds[i];

		st_resp_hdr(&x->proto, '*', c->argc);
		for (int j = 0; j < c->argc; j++)
			st_resp_bulk(&x->proto, c->argv[j].p, c->argv[j].len);
	}
	if (r->ncmds > 1)
		st_buf_append(&x->proto, "*1\r\n$4\r\nEXEC\r\n", 14);
	pthread_mutex_unlock(&log_lock);
}

static int
cmp_rec(const void *a, const void *b)
{
	uint64_t x = ((const struct rec *)a)->seq, y = ((const struct rec *)b)->seq;

	return (x > y) - (x < y);
}

/* ---- the workers -------------------------------------------------------------- */

struct tstate {
	int id;
	long incrs[NCTR];
	long pushes[NLIST], pops[NLIST];
	long zincr[NZ];
	long appended;
	long torn;		/* MGET saw a != b */
	long txns;
};

static const char *
run(struct st_client *c, const char *fmt, ...)
{
	char buf[256];
	const char *argv[16];
	size_t lens[16];
	int argc = 0;
	va_list ap;
	char *save, *tok;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	for (tok = strtok_r(buf, " ", &save); tok && argc < 16;
	     tok = strtok_r(NULL, " ", &save)) {
		argv[argc] = tok;
		lens[argc++] = strlen(tok);
	}
	return th_cmdv(c, argc, argv, lens);
}

static void *
worker_main(void *arg)
{
	struct tstate *t = arg;
	struct st_client *c = th_client();
	unsigned seed = (unsigned)t->id * 7919u + 1;

	for (int i = 0; i < ITERS; i++) {
		int op = (int)(rand_r(&seed) % 9), k = (int)(rand_r(&seed) % 4);
		const char *r;

		switch (op) {
		case 0:
			run(c, "INCR ctr:%d", k);
			t->incrs[k]++;
			break;
		case 1:
			run(c, "LPUSH list:%d t%d-%d", k % NLIST, t->id, i);
			t->pushes[k % NLIST]++;
			break;
		case 2:
			r = run(c, "RPOP list:%d", k % NLIST);
			if (r[0] == '$' && r[1] != '-')
				t->pops[k % NLIST]++;
			break;
		case 3:
			run(c, "SADD set:%d t%d-%d", k % NSET, t->id, i);
			break;
		case 4:
			run(c, "ZINCRBY z:%d 1 m%d", k % NZ, i % 16);
			t->zincr[k % NZ]++;
			break;
		case 5:
			run(c, "APPEND log:%d abcd", k);
			t->appended += 4;
			break;
		case 6:
			run(c, "MULTI");
			run(c, "INCR pair:a");
			run(c, "INCR pair:b");
			r = run(c, "EXEC");
			if (strncmp(r, "*2\r\n", 4) == 0)
				t->txns++;
			break;
		case 7: {
			long a = 0, b = 0;

			r = run(c, "MGET pair:a pair:b");
			/* "*2\r\n$n\r\nA\r\n$n\r\nB\r\n" or nulls */
			if (sscanf(r, "*2\r\n$%*d\r\n%ld\r\n$%*d\r\n%ld", &a, &b) == 2 &&
			    a != b)
				t->torn++;
			break;
		}
		default:
			run(c, "GET ctr:%d", k);
			run(c, "HINCRBY h:%d f%d 1", k, i % 8);
			break;
		}
		st_worker_quiescent();
	}
	st_client_free(c);
	th_thread_done();
	return NULL;
}

static long
get_ll(struct st_client *c, const char *fmt, ...)
{
	char key[128];
	const char *r;
	va_list ap;
	long v = 0;

	va_start(ap, fmt);
	vsnprintf(key, sizeof(key), fmt, ap);
	va_end(ap);
	r = run(c, "%s", key);
	if (r[0] == ':')
		sscanf(r + 1, "%ld", &v);
	else if (r[0] == '$' && r[1] != '-')
		sscanf(strchr(r, '\n') + 1, "%ld", &v);
	return v;
}

/* A canonical text of db 'db': every key with type and sorted content. */
static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * The elements of a flat array reply, grouped by 'group' (2 = field/value
 * pairs), sorted and joined: unordered replies compare equal whatever the
 * hash-table order.  Returns a static buffer.
 */
static const char *
sorted_elements(const char *reply, int group)
{
	static char out[1 << 20];
	char *copy = strdup(reply), *save, *tok, **toks = NULL, **el;
	size_t ntok = 0, n, len = 0;

	strtok_r(copy, "\r\n", &save);	/* *N */
	while ((tok = strtok_r(NULL, "\r\n", &save)) != NULL) {
		if (tok[0] == '$')
			continue;
		toks = realloc(toks, (ntok + 1) * sizeof(*toks));
		toks[ntok++] = tok;
	}
	n = ntok / (size_t)group;
	el = calloc(n ? n : 1, sizeof(*el));
	for (size_t i = 0; i < n; i++) {
		if (group == 1)
			assert_true(asprintf(&el[i], "%s", toks[i]) > 0);
		else
			assert_true(asprintf(&el[i], "%s=%s", toks[2 * i],
					     toks[2 * i + 1]) > 0);
	}
	qsort(el, n, sizeof(*el), cmp_str);
	out[0] = '\0';
	for (size_t i = 0; i < n; i++) {
		size_t l = strlen(el[i]);

		if (len + l + 2 < sizeof(out)) {
			memcpy(out + len, el[i], l);
			out[len + l] = ',';
			len += l + 1;
			out[len] = '\0';
		}
		free(el[i]);
	}
	free(el);
	free(toks);
	free(copy);
	return out;
}

static bool
collect_key(struct st_entry *e, void *arg)
{
	struct st_buf *b = arg;

	st_buf_append(b, e->key, e->keylen);
	st_buf_putc(b, '\n');
	return true;
}

static char *
dump_db(struct st_client *c, int db)
{
	struct st_buf keys, out;
	char **list = NULL;
	size_t n = 0;
	uint64_t cur = 0;
	char sel[16];

	st_buf_init(&keys);
	st_buf_init(&out);
	do {
		cur = st_db_scan(db, cur, 1000, collect_key, &keys);
	} while (cur != 0);
	st_buf_putc(&keys, '\0');
	for (char *p = keys.p, *save, *k = strtok_r(p, "\n", &save); k;
	     k = strtok_r(NULL, "\n", &save)) {
		list = realloc(list, (n + 1) * sizeof(*list));
		list[n++] = k;
	}
	qsort(list, n, sizeof(*list), cmp_str);
	snprintf(sel, sizeof(sel), "%d", db);
	th_cmd(c, "SELECT", sel, NULL);
	for (size_t i = 0; i < n; i++) {
		const char *type = th_cmd(c, "TYPE", list[i], NULL);
		const char *r;

		st_buf_append(&out, list[i], strlen(list[i]));
		st_buf_append(&out, type, strlen(type));
		if (strcmp(type, "+string\r\n") == 0)
			r = th_cmd(c, "GET", list[i], NULL);
		else if (strcmp(type, "+list\r\n") == 0)
			r = th_cmd(c, "LRANGE", list[i], "0", "-1", NULL);
		else if (strcmp(type, "+set\r\n") == 0)
			r = sorted_elements(th_cmd(c, "SMEMBERS", list[i], NULL), 1);
		else if (strcmp(type, "+zset\r\n") == 0)
			r = th_cmd(c, "ZRANGE", list[i], "0", "-1", "WITHSCORES", NULL);
		else
			r = sorted_elements(th_cmd(c, "HGETALL", list[i], NULL), 2);
		st_buf_append(&out, r, strlen(r));
	}
	st_buf_putc(&out, '\0');
	free(list);
	st_buf_free(&keys);
	th_cmd(c, "SELECT", "0", NULL);
	return out.p;
}

static void
test_mixed_load(void **state)
{
	pthread_t th[THREADS];
	struct tstate ts[THREADS];
	struct st_client *c;
	long want;

	(void)state;
	th_init();
	th_flushall();
	st_wlog_set_sink(capture, NULL);
	memset(ts, 0, sizeof(ts));
	for (int i = 0; i < THREADS; i++) {
		ts[i].id = i;
		pthread_create(&th[i], NULL, worker_main, &ts[i]);
	}
	st_worker_offline();	/* QSBR: never block while online */
	for (int i = 0; i < THREADS; i++)
		pthread_join(th[i], NULL);
	st_worker_online();
	st_wlog_set_sink(NULL, NULL);

	c = th_client();
	for (int k = 0; k < NCTR; k++) {
		want = 0;
		for (int i = 0; i < THREADS; i++)
			want += ts[i].incrs[k];
		if (want)
			assert_int_equal(get_ll(c, "GET ctr:%d", k), want);
	}
	for (int k = 0; k < NLIST; k++) {
		want = 0;
		for (int i = 0; i < THREADS; i++)
			want += ts[i].pushes[k] - ts[i].pops[k];
		assert_int_equal(get_ll(c, "LLEN list:%d", k), want);
	}
	for (int k = 0; k < NZ; k++) {
		long sum = 0;
		const char *r;
		char *p;

		want = 0;
		for (int i = 0; i < THREADS; i++)
			want += ts[i].zincr[k];
		r = run(c, "ZRANGE z:%d 0 -1 WITHSCORES", k);
		/* sum the scores: every second bulk */
		p = strdup(r);
		{
			int idx = 0;
			char *save, *tok;

			strtok_r(p, "\r\n", &save);	/* *N */
			while ((tok = strtok_r(NULL, "\r\n", &save)) != NULL) {
				if (tok[0] == '$')
					continue;
				if (idx++ % 2 == 1)
					sum += atol(tok);
			}
		}
		free(p);
		assert_int_equal(sum, want);
	}
	{
		long sadds = 0, total_scard = 0, appended = 0, log_len = 0;
		long txns = 0;

		for (int i = 0; i < THREADS; i++) {
			appended += ts[i].appended;
			txns += ts[i].txns;
			assert_int_equal(ts[i].torn, 0);
		}
		for (int k = 0; k < 4; k++)
			log_len += get_ll(c, "STRLEN log:%d", k);
		assert_int_equal(log_len, appended);
		for (int k = 0; k < NSET; k++)
			total_scard += get_ll(c, "SCARD set:%d", k);
		/* every SADD added a unique member */
		for (size_t i = 0; i < nrecs; i++)
			if (memmem(recs[i].proto.p, recs[i].proto.len, "SADD", 4) != NULL)
				sadds++;
		assert_int_equal(total_scard, sadds);
		assert_int_equal(get_ll(c, "GET pair:a"), txns);
		assert_int_equal(get_ll(c, "GET pair:b"), txns);
	}

	/* Replay the write log in sequence order into db 1. */
	qsort(recs, nrecs, sizeof(*recs), cmp_rec);
	for (size_t i = 1; i < nrecs; i++)
		assert_true(recs[i].seq > recs[i - 1].seq);
	{
		struct st_client *r = th_client();
		char *a, *b;

		th_cmd(r, "SELECT", "1", NULL);
		th_cmd(r, "FLUSHDB", NULL);
		for (size_t i = 0; i < nrecs; i++) {
			assert_int_equal(recs[i].db, 0);
			th_raw(r, recs[i].proto.p, recs[i].proto.len);
			st_buf_free(&recs[i].proto);
			st_worker_quiescent();
		}
		a = dump_db(c, 0);
		b = dump_db(c, 1);
		assert_true(strlen(a) > 100);
		assert_string_equal(a, b);
		st_free(a);
		st_free(b);
		st_client_free(r);
	}
	free(recs);
	recs = NULL;
	nrecs = caprecs = 0;
	st_client_free(c);
	th_flushall();
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mixed_load),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
