/*
 * test_prefetch.c -- the batch prefetch of pipelined requests
 * (st_client_process -> st_resp_peek -> st_keyspace_prefetch) and the
 * keyspace's prefetch hints (keyspace.c, design note 7).
 *
 *  - st_resp_peek sizes the common multibulk shape and declines the rest;
 *  - a script of mixed requests (writes, reads, a DEL of a key the batch
 *    created, keys sharing a hint slot and a stripe, MULTI/EXEC, queue-time
 *    and run-time errors, unknown commands, SELECT, an inline request) gets
 *    byte-identical replies one request at a time (no prefetch: nothing to
 *    overlap), pipelined as one buffer (batches of ST_PREFETCH_MAX), and
 *    pipelined in odd-sized pieces (batches cut mid-request);
 *  - the hint array names a key's node after an insert or a write (AUTO:
 *    only in databases of ST_PREFETCH_MIN_KEYS keys or more), and
 *    never a removed node (DEL, RENAME, FLUSHALL, SWAPDB then DEL): the
 *    prefetch reads hinted nodes, so a stale hint would be a use after
 *    free (a test has a reader pipelining GETs while a writer SETs and
 *    DELs the same keys, for ASan/TSan);
 *  - st_keyspace_grow resizes a table that outgrew its buckets, once, while
 *    a reader keeps finding every key.
 */
#include "harness.h"

#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "keyspace.h"
#include "resp_compose.h"
#include "resp_parse.h"

#define HINT_MASK ((UINT64_C(1) << 20) - 1)	/* keyspace.c's ST_HINT_BITS */

static uint64_t
hash_of(const char *k)
{
	return st_key_hash(k, strlen(k));
}

/* A key "prefix:N" whose hash selects the same hint slot as 'other' but
 * carries another tag (hash bits 32..47). */
static void
find_slot_twin(const char *other, const char *prefix, char *out, size_t cap)
{
	uint64_t h = hash_of(other);

	for (long i = 0;; i++) {
		uint64_t g;

		snprintf(out, cap, "%s:%ld", prefix, i);
		g = hash_of(out);
		if ((g & HINT_MASK) == (h & HINT_MASK) &&
		    ((g >> 32) & 0xffff) != ((h >> 32) & 0xffff))
			return;
	}
}

/* A key "prefix:N" in the same stripe as 'other' (another hint slot). */
static void
find_stripe_twin(const char *other, const char *prefix, char *out, size_t cap)
{
	uint64_t h = hash_of(other);

	for (long i = 0;; i++) {
		uint64_t g;

		snprintf(out, cap, "%s:%ld", prefix, i);
		g = hash_of(out);
		if (st_stripe_of(g) == st_stripe_of(h) &&
		    (g & HINT_MASK) != (h & HINT_MASK))
			return;
	}
}

/* ---- st_resp_peek ----------------------------------------------------------- */

static void
t_peek(void **state)
{
	const char *key;
	size_t klen;
	static const char get[] = "*2\r\n$3\r\nGET\r\n$3\r\nabc\r\n";
	static const char set[] = "*3\r\n$3\r\nSET\r\n$0\r\n\r\n$2\r\nvv\r\n*1\r\n";
	static const char ping[] = "*1\r\n$4\r\nPING\r\n";

	(void)state;
	assert_int_equal(st_resp_peek(get, sizeof(get) - 1, &key, &klen),
			 sizeof(get) - 1);
	assert_non_null(key);
	assert_int_equal(klen, 3);
	assert_memory_equal(key, "abc", 3);
	/* the size of the first request only; an empty key */
	assert_int_equal(st_resp_peek(set, sizeof(set) - 1, &key, &klen),
			 sizeof(set) - 1 - 4);
	assert_int_equal(klen, 0);
	assert_ptr_equal(key, set + 17);
	/* one argument: no key */
	assert_int_equal(st_resp_peek(ping, sizeof(ping) - 1, &key, &klen),
			 sizeof(ping) - 1);
	assert_null(key);
	/* every truncation of a request: 0 */
	for (size_t n = 0; n < sizeof(get) - 1; n++)
		assert_int_equal(st_resp_peek(get, n, &key, &klen), 0);
	/* what st_resp_parse must decide: inline, malformed, unusual */
	assert_int_equal(st_resp_peek("PING\r\n", 6, &key, &klen), 0);
	assert_int_equal(st_resp_peek("*2\r\n$3\r\nGET\r\n:3\r\nabc\r\n", 22,
				      &key, &klen), 0);
	assert_int_equal(st_resp_peek("*x\r\n", 4, &key, &klen), 0);
	assert_int_equal(st_resp_peek("*0\r\n", 4, &key, &klen), 0);
	assert_int_equal(st_resp_peek("*-1\r\n", 5, &key, &klen), 0);
	assert_int_equal(st_resp_peek("*2\r\n$99999999999999999999\r\n", 27,
				      &key, &klen), 0);
	assert_int_equal(st_resp_peek("*99999\r\n$1\r\na\r\n", 15,
				      &key, &klen), 0);
}

/* ---- pipelined = one at a time ---------------------------------------------- */

struct script {
	struct st_buf all;	/* every request, back to back */
	size_t off[256];	/* where each starts */
	int n;
};

static void
script_add(struct script *s, int argc, const char *const *argv)
{
	size_t lens[16];

	for (int i = 0; i < argc; i++)
		lens[i] = strlen(argv[i]);
	s->off[s->n++] = s->all.len;
	st_resp_command(&s->all, argc, argv, lens);
}

static void
script_raw(struct script *s, const char *raw)
{
	s->off[s->n++] = s->all.len;
	st_buf_append(&s->all, raw, strlen(raw));
}

#define ADD(s, ...) do { \
	const char *const a_[] = { __VA_ARGS__ }; \
	script_add((s), (int)(sizeof(a_) / sizeof(a_[0])), a_); \
} while (0)

static void
build_script(struct script *s)
{
	char twin[64], stwin[64];

	find_slot_twin("pf:col", "pf:twin", twin, sizeof(twin));
	find_stripe_twin("pf:col", "pf:stripe", stwin, sizeof(stwin));
	st_buf_init(&s->all);
	s->n = 0;
	for (int round = 0; round < 3; round++) {
		ADD(s, "SET", "pf:a", "1");
		ADD(s, "GET", "pf:a");
		ADD(s, "SET", "pf:col", "x");
		ADD(s, "SET", twin, "y");		/* same hint slot */
		ADD(s, "SET", stwin, "z");		/* same stripe */
		ADD(s, "GET", "pf:col");
		ADD(s, "GET", twin);
		ADD(s, "MGET", "pf:col", twin, stwin, "pf:none");
		ADD(s, "DEL", "pf:col");		/* created by this batch */
		ADD(s, "GET", "pf:col");
		ADD(s, "GET", twin);
		ADD(s, "INCR", "pf:n");
		ADD(s, "INCR", "pf:a");
		ADD(s, "SET", "pf:s", "hello");
		ADD(s, "INCR", "pf:s");			/* not an integer */
		ADD(s, "LPUSH", "pf:l", "a", "b");
		ADD(s, "GET", "pf:l");			/* WRONGTYPE */
		ADD(s, "NOSUCHCMD", "pf:a");		/* unknown */
		ADD(s, "GET");				/* arity */
		ADD(s, "MULTI");
		ADD(s, "SET", "pf:m", "5");
		ADD(s, "INCR", "pf:m");
		ADD(s, "GET", "pf:m");
		ADD(s, "DEL", "pf:a");
		ADD(s, "EXEC");
		ADD(s, "GET", "pf:a");			/* deleted inside EXEC */
		ADD(s, "MULTI");
		ADD(s, "SET", "pf:q", "1");
		ADD(s, "GET");				/* queue-time error */
		ADD(s, "EXEC");				/* EXECABORT */
		ADD(s, "GET", "pf:q");
		script_raw(s, "PING\r\n");		/* inline: peek declines */
		ADD(s, "SELECT", "1");
		ADD(s, "GET", "pf:n");			/* other database */
		ADD(s, "SET", "pf:n", "db1");
		ADD(s, "SELECT", "0");
		ADD(s, "GET", "pf:n");
		ADD(s, "SET", "pf:d", "v");
		ADD(s, "DEL", "pf:d");
		ADD(s, "EXISTS", "pf:d");
		ADD(s, "APPEND", stwin, "zz");
		ADD(s, "STRLEN", stwin);
		ADD(s, "RENAME", twin, "pf:renamed");
		ADD(s, "GET", "pf:renamed");
		ADD(s, "DEL", "pf:renamed", stwin, "pf:l", "pf:s", "pf:m");
		script_raw(s, "*0\r\n");		/* empty multibulk */
		ADD(s, "ECHO", "end");
	}
}

/* Replies of the script fed in pieces of 'piece' bytes (0: one request per
 * feed), on a fresh client over an empty store; malloc'ed, NUL-terminated. */
static char *
run_script(const struct script *s, size_t piece, size_t *len)
{
	struct st_client *c;
	struct st_buf out;
	char *r;

	th_flush_store();
	c = th_client();
	st_buf_init(&out);
	if (piece == 0) {
		for (int i = 0; i < s->n; i++) {
			size_t end = i + 1 < s->n ? s->off[i + 1] : s->all.len;

			st_client_feed(c, s->all.p + s->off[i], end - s->off[i]);
			st_client_process(c);
			st_buf_append(&out, c->out.p, c->out.len);
			st_buf_reset(&c->out);
		}
	} else {
		for (size_t pos = 0; pos < s->all.len; pos += piece) {
			size_t n = s->all.len - pos < piece ? s->all.len - pos : piece;

			st_client_feed(c, s->all.p + pos, n);
			st_client_process(c);
			st_buf_append(&out, c->out.p, c->out.len);
			st_buf_reset(&c->out);
		}
	}
	st_client_free(c);
	*len = out.len;
	r = malloc(out.len + 1);
	memcpy(r, out.p, out.len);
	r[out.len] = '\0';
	st_buf_free(&out);
	th_flush_store();
	return r;
}

static void
t_pipelined_equals_serial(void **state)
{
	struct script s;
	size_t slen, plen;
	char *serial, *piped;
	static const size_t pieces[] = { SIZE_MAX, 7, 64, 100, 333, 1000 };

	(void)state;
	build_script(&s);
	assert_true(s.n > 3 * ST_PREFETCH_MAX);
	serial = run_script(&s, 0, &slen);
	/* the script really went through these paths */
	assert_non_null(strstr(serial, "-WRONGTYPE"));
	assert_non_null(strstr(serial, "-EXECABORT"));
	assert_non_null(strstr(serial, "-ERR unknown command 'NOSUCHCMD'"));
	assert_non_null(strstr(serial, "-ERR value is not an integer"));
	assert_non_null(strstr(serial, "*4\r\n+OK\r\n:6\r\n$1\r\n6\r\n:1\r\n"));
	assert_non_null(strstr(serial, "$3\r\ndb1\r\n"));
	assert_non_null(strstr(serial, "$3\r\nend\r\n"));
	for (size_t i = 0; i < sizeof(pieces) / sizeof(pieces[0]); i++) {
		piped = run_script(&s, pieces[i], &plen);
		if (plen != slen || memcmp(piped, serial, slen) != 0) {
			th_print_escaped("serial", serial, slen);
			th_print_escaped("pipelined", piped, plen);
			fail_msg("pieces of %zu bytes: replies differ", pieces[i]);
		}
		free(piped);
	}
	free(serial);
	st_buf_free(&s.all);
}

/* ---- hints ---------------------------------------------------------------- */

static struct st_entry *
entry_of(struct st_client *c, const char *k)
{
	return st_lookup_nostats(c, k, strlen(k));
}

static void
t_hints(void **state)
{
	struct st_client *c;
	char twin[64];
	struct st_entry *e, *e2;

	(void)state;
	th_flush_store();
	c = th_client();
	find_slot_twin("h:k", "h:twin", twin, sizeof(twin));

	/* an insert names the node */
	th_expect(c, "+OK\r\n", "SET", "h:k", "1");
	e = entry_of(c, "h:k");
	assert_non_null(e);
	assert_ptr_equal(st_keyspace_hinted(hash_of("h:k")), e);
	/* another key in the slot takes it; the tag tells them apart */
	th_expect(c, "+OK\r\n", "SET", twin, "2");
	e2 = entry_of(c, twin);
	assert_ptr_equal(st_keyspace_hinted(hash_of(twin)), e2);
	assert_null(st_keyspace_hinted(hash_of("h:k")));
	/* a write claims it back */
	th_expect(c, "+OK\r\n", "SET", "h:k", "3");
	assert_ptr_equal(entry_of(c, "h:k"), e);
	assert_ptr_equal(st_keyspace_hinted(hash_of("h:k")), e);
	/* a removed node is never named: DEL */
	th_expect(c, ":1\r\n", "DEL", "h:k");
	assert_null(st_keyspace_hinted(hash_of("h:k")));
	/* ... RENAME (st_db_take) */
	th_expect(c, "+OK\r\n", "SET", "h:k", "4");
	th_expect(c, "+OK\r\n", "RENAME", "h:k", "h:new");
	assert_null(st_keyspace_hinted(hash_of("h:k")));
	assert_ptr_equal(st_keyspace_hinted(hash_of("h:new")),
			 entry_of(c, "h:new"));
	/* ... FLUSHALL */
	th_expect(c, "+OK\r\n", "FLUSHALL");
	assert_null(st_keyspace_hinted(hash_of("h:new")));
	assert_null(st_keyspace_hinted(hash_of(twin)));
	/* ... SWAPDB moves the node to database 1; DEL there clears it */
	th_expect(c, "+OK\r\n", "SET", "h:k", "5");
	th_expect(c, "+OK\r\n", "SWAPDB", "0", "1");
	th_expect(c, "+OK\r\n", "SELECT", "1");
	assert_ptr_equal(st_keyspace_hinted(hash_of("h:k")), entry_of(c, "h:k"));
	th_expect(c, ":1\r\n", "DEL", "h:k");
	assert_null(st_keyspace_hinted(hash_of("h:k")));
	/* ... lazy expiry */
	th_expect(c, "+OK\r\n", "SET", "h:x", "6", "PX", "1");
	th_sleep_ms(5);
	th_expect(c, "$-1\r\n", "GET", "h:x");		/* lock-free: stays */
	th_expect(c, ":0\r\n", "DEL", "h:x");		/* expired: removed */
	assert_null(st_keyspace_hinted(hash_of("h:x")));
	st_client_free(c);
	th_flush_store();
}

/* AUTO keeps hints only in databases of ST_PREFETCH_MIN_KEYS keys or more
 * (the only ones AUTO prefetch reads): below, writes leave the array alone;
 * past the threshold new and rewritten keys get hints, older keys none
 * until written; a hinted key is still cleared when removed, even after
 * the database shrank below the threshold; OFF keeps none. */
static void
t_hints_auto(void **state)
{
	struct st_client *c;
	struct st_buf b;
	char key[32];

	(void)state;
	th_flush_store();
	c = th_client();
	st_client_set_prefetch(ST_PREFETCH_AUTO);
	th_expect(c, "+OK\r\n", "SET", "ha:old", "1");
	assert_null(st_keyspace_hinted(hash_of("ha:old")));
	assert_int_equal(entry_of(c, "ha:old")->hinted, 0);
	th_expect(c, "+OK\r\n", "SET", "ha:old", "2");	/* a write: none */
	assert_null(st_keyspace_hinted(hash_of("ha:old")));
	/* fill to the threshold (one key is there already) */
	st_buf_init(&b);
	for (long k = 1; k < ST_PREFETCH_MIN_KEYS; k++) {
		int n = snprintf(key, sizeof(key), "ha:%ld", k);
		char hdr[64];
		int hn = snprintf(hdr, sizeof(hdr),
				  "*3\r\n$3\r\nSET\r\n$%d\r\n", n);

		st_buf_append(&b, hdr, (size_t)hn);
		st_buf_append(&b, key, (size_t)n);
		st_buf_append(&b, "\r\n$1\r\nx\r\n", 9);
		if (b.len > 65536 || k == ST_PREFETCH_MIN_KEYS - 1) {
			st_client_feed(c, b.p, b.len);
			st_client_process(c);
			st_buf_reset(&c->out);
			st_buf_reset(&b);
			st_worker_quiescent();
		}
	}
	st_buf_free(&b);
	assert_int_equal(st_db_size(0), ST_PREFETCH_MIN_KEYS);
	/* the last key made the threshold only once inserted: no hint */
	assert_null(st_keyspace_hinted(hash_of(key)));
	/* at the threshold: a new key gets one, an older key only when
	 * written */
	th_expect(c, "+OK\r\n", "SET", "ha:new", "1");
	assert_ptr_equal(st_keyspace_hinted(hash_of("ha:new")),
			 entry_of(c, "ha:new"));
	assert_null(st_keyspace_hinted(hash_of("ha:old")));
	th_expect(c, "+OK\r\n", "SET", "ha:old", "3");
	assert_ptr_equal(st_keyspace_hinted(hash_of("ha:old")),
			 entry_of(c, "ha:old"));
	/* back below the threshold: removing a hinted key still clears */
	th_expect(c, ":1\r\n", "DEL", "ha:1");
	th_expect(c, ":1\r\n", "DEL", "ha:2");
	assert_true(st_db_size(0) < ST_PREFETCH_MIN_KEYS);
	th_expect(c, ":1\r\n", "DEL", "ha:old");
	assert_null(st_keyspace_hinted(hash_of("ha:old")));
	th_expect(c, "$1\r\n1\r\n", "GET", "ha:new");
	/* OFF keeps none, whatever the size */
	st_client_set_prefetch(ST_PREFETCH_OFF);
	th_expect(c, "+OK\r\n", "SET", "ha:off", "1");
	assert_null(st_keyspace_hinted(hash_of("ha:off")));
	st_client_set_prefetch(ST_PREFETCH_ALWAYS);	/* as main() set it */
	st_client_free(c);
	th_flush_store();
}

/* ---- a reader pipelining GETs while a writer SETs and DELs the keys ------ */

#define RACE_KEYS 64
#define RACE_ROUNDS 3000

struct race {
	atomic_int *stop;
	long bad;
	atomic_long rounds;
	struct race *peer;	/* the writer's: the reader */
};

static void *
race_writer(void *arg)
{
	struct race *r = arg;
	struct st_worker *w = th_init();
	struct st_client *c = st_client_new(w);
	char k[32];

	for (int i = 0; i < RACE_ROUNDS; i++) {
		snprintf(k, sizeof(k), "race:%d", i % RACE_KEYS);
		if ((i / RACE_KEYS) % 2) {
			if (strcmp(th_cmd(c, "DEL", k, NULL), ":1\r\n") != 0)
				r->bad++;
		} else if (strcmp(th_cmd(c, "SET", k, "value", NULL),
				  "+OK\r\n") != 0) {
			r->bad++;
		}
		st_worker_quiescent();
		atomic_fetch_add(&r->rounds, 1);
		/* half way: the reader does two whole rounds among the
		 * writes, however the scheduler placed the threads (else on
		 * a loaded box it may not have started before the end) */
		if (i == RACE_ROUNDS / 2) {
			long seen = atomic_load(&r->peer->rounds);

			while (atomic_load(&r->peer->rounds) < seen + 2)
				sched_yield();
		}
	}
	atomic_store(r->stop, 1);
	st_client_free(c);
	th_thread_done();
	return NULL;
}

static void *
race_reader(void *arg)
{
	struct race *r = arg;
	struct st_worker *w = th_init();
	struct st_client *c = st_client_new(w);
	struct st_buf req;

	st_buf_init(&req);
	for (int k = 0; k < RACE_KEYS; k++) {
		char key[32];
		const char *argv[2] = { "GET", key };
		size_t lens[2];

		snprintf(key, sizeof(key), "race:%d", k);
		lens[0] = 3;
		lens[1] = strlen(key);
		st_resp_command(&req, 2, argv, lens);
	}
	while (!atomic_load(r->stop)) {
		const char *p, *end;

		st_client_feed(c, req.p, req.len);
		st_client_process(c);
		/* every reply: "$-1\r\n" or "$5\r\nvalue\r\n" */
		p = c->out.p;
		end = p + c->out.len;
		for (int k = 0; k < RACE_KEYS; k++) {
			if (end - p >= 5 && memcmp(p, "$-1\r\n", 5) == 0)
				p += 5;
			else if (end - p >= 11 && memcmp(p, "$5\r\nvalue\r\n", 11) == 0)
				p += 11;
			else
				break;
		}
		if (p != end)
			r->bad++;
		st_buf_reset(&c->out);
		st_worker_quiescent();
		atomic_fetch_add(&r->rounds, 1);
	}
	st_buf_free(&req);
	st_client_free(c);
	th_thread_done();
	return NULL;
}

static void
t_prefetch_races_deletes(void **state)
{
	atomic_int stop = 0;
	struct race rd = { .stop = &stop };
	struct race wr = { .stop = &stop, .peer = &rd };
	pthread_t wt, rt;

	(void)state;
	th_flush_store();
	st_worker_offline();	/* we block in join: grace periods go on */
	assert_int_equal(pthread_create(&rt, NULL, race_reader, &rd), 0);
	assert_int_equal(pthread_create(&wt, NULL, race_writer, &wr), 0);
	pthread_join(wt, NULL);
	pthread_join(rt, NULL);
	st_worker_online();
	assert_int_equal(atomic_load(&wr.rounds), RACE_ROUNDS);
	assert_int_equal(wr.bad, 0);
	assert_int_equal(rd.bad, 0);
	assert_true(atomic_load(&rd.rounds) >= 2);
	th_flush_store();
}

/* ---- explicit growth ------------------------------------------------------ */

#define GROW_KEYS 5000

struct grow_reader {
	atomic_int *stop;
	long bad;
	atomic_long rounds;	/* read by the main thread while it runs */
};

static void *
grow_reader_main(void *arg)
{
	struct grow_reader *r = arg;
	struct st_worker *w = th_init();
	struct st_client *c = st_client_new(w);

	th_expect(c, "+OK\r\n", "SELECT", "3");
	while (!atomic_load(r->stop)) {
		char k[32];

		snprintf(k, sizeof(k), "g:%ld",
			 (atomic_load(&r->rounds) * 7919) % GROW_KEYS);
		if (strcmp(th_cmd(c, "GET", k, NULL), "$1\r\nv\r\n") != 0)
			r->bad++;
		st_worker_quiescent();
		atomic_fetch_add(&r->rounds, 1);
	}
	st_client_free(c);
	th_thread_done();
	return NULL;
}

static void
t_grow(void **state)
{
	struct st_client *c;
	struct st_buf req;
	atomic_int stop = 0;
	struct grow_reader rd = { .stop = &stop };
	pthread_t rt;
	int n;

	(void)state;
	th_flush_store();
	c = th_client();
	th_expect(c, "+OK\r\n", "SELECT", "3");
	st_buf_init(&req);
	for (int i = 0; i < GROW_KEYS; i++) {
		char k[32];
		const char *argv[3] = { "SET", k, "v" };
		size_t lens[3] = { 3, 0, 1 };

		snprintf(k, sizeof(k), "g:%d", i);
		lens[1] = strlen(k);
		st_resp_command(&req, 3, argv, lens);
	}
	st_client_feed(c, req.p, req.len);
	assert_int_equal(st_client_process(c), GROW_KEYS);
	st_buf_reset(&c->out);
	st_buf_free(&req);
	assert_int_equal(st_db_size(3), GROW_KEYS);

	assert_int_equal(pthread_create(&rt, NULL, grow_reader_main, &rd), 0);
	while (atomic_load(&rd.rounds) == 0)
		sched_yield();
	n = st_keyspace_grow();		/* goes offline while it resizes */
	assert_true(n >= 1);
	assert_int_equal(st_keyspace_grow(), 0);	/* grown already */
	atomic_store(&stop, 1);
	st_worker_offline();
	pthread_join(rt, NULL);
	st_worker_online();
	assert_int_equal(rd.bad, 0);
	assert_true(atomic_load(&rd.rounds) > 0);
	/* every key still there */
	for (int i = 0; i < GROW_KEYS; i++) {
		char k[32];

		snprintf(k, sizeof(k), "g:%d", i);
		assert_non_null(st_lookup_nostats(c, k, strlen(k)));
	}
	st_client_free(c);
	th_flush_store();
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(t_peek),
		cmocka_unit_test(t_pipelined_equals_serial),
		cmocka_unit_test(t_hints),
		cmocka_unit_test(t_hints_auto),
		cmocka_unit_test(t_prefetch_races_deletes),
		cmocka_unit_test(t_grow),
	};

	th_init();
	/* these tests' databases are small: AUTO would never peek */
	st_client_set_prefetch(ST_PREFETCH_ALWAYS);
	return cmocka_run_group_tests_name("prefetch", tests, NULL, NULL);
}
