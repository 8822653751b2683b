/*
 * client.c -- client lifecycle, the read-parse-execute loop, the registry.
 *
 * Call chain: transport -> st_client_feed -> st_client_process ->
 * [st_resp_peek -> st_keyspace_prefetch, once per batch of pipelined
 * requests] -> st_resp_parse -> st_dispatch -> handler -> st_reply_* ->
 * c->out.
 */
#include "client.h"
#include "role.h"

#include <limits.h>
#include <pthread.h>
#include <string.h>

#include "alloc.h"
#include "command.h"
#include "config.h"
#include "keyspace.h"
#include "resp_compose.h"
#include "util.h"
#include "worker.h"

static _Atomic uint64_t next_client_id;
static _Atomic int prefetch_mode = ST_PREFETCH_AUTO;
static pthread_mutex_t reg_lock = PTHREAD_MUTEX_INITIALIZER;
static struct st_client *reg_head;
static size_t reg_count;

struct st_client *
st_client_new(struct st_worker *w)
{
	struct st_client *c = st_calloc(sizeof(*c));

	c->id = atomic_fetch_add(&next_client_id, 1) + 1;
	c->w = w;
	c->resp = 2;
	/* As Redis: a connection made while no password is set stays
	 * authenticated if one is set later. */
	if (!st_config_has_password())
		c->flags |= ST_CLIENT_AUTHENTICATED;
	st_buf_init(&c->query);
	st_buf_init(&c->out);
	st_resp_parser_init(&c->parser);
	c->parser.max_bulk_len = st_cfg.proto_max_bulk_len;
	c->ctime_ms = c->last_ms = st_mstime();
	strcpy(c->addr, "127.0.0.1:0");
	strcpy(c->laddr, "127.0.0.1:0");
	st_client_publish(c);
	return c;
}

void
st_client_free(struct st_client *c)
{
	if (c == NULL)
		return;
	if (c->repl != NULL) {
		const struct st_role_hooks *rh = st_role_hooks();

		if (rh != NULL && rh->client_free != NULL)
			rh->client_free(c);
	}
	st_client_unwatch(c);
	st_client_discard_multi(c);
	st_free(c->mq);
	st_free(c->watched);
	for (int i = 0; i < c->prop_len; i++) {
		for (int j = 0; j < c->prop[i].argc; j++)
			st_free((void *)c->prop[i].argv[j].p);
		st_free(c->prop[i].argv);
	}
	st_free(c->prop);
	st_free(c->argv);
	st_free(c->dfr);
	st_free(c->name);
	st_buf_free(&c->query);
	st_buf_free(&c->out);
	st_resp_parser_free(&c->parser);
	st_free(c);
}

void
st_client_feed(struct st_client *c, const void *p, size_t n)
{
	if (c->flags & ST_CLIENT_CLOSE_AFTER_REPLY)
		return;
	if ((long long)(c->query.len - c->qpos + n) >
	    st_cfg.client_query_buffer_limit) {
		/* Redis closes such a client without a reply. */
		c->flags |= ST_CLIENT_CLOSE_AFTER_REPLY;
		return;
	}
	st_buf_append(&c->query, p, n);
}

static void
set_argv(struct st_client *c, const char *base)
{
	int argc = c->parser.argc;

	if (argc > c->argv_cap) {
		c->argv_cap = argc < 16 ? 16 : argc;
		c->argv = st_realloc(c->argv, sizeof(*c->argv) * (size_t)c->argv_cap);
	}
	for (int i = 0; i < argc; i++) {
		c->argv[i].p = base + c->parser.argv[i].off;
		c->argv[i].len = c->parser.argv[i].len;
	}
	c->argc = argc;
}

/*
 * Batch prefetch (keyspace.c's design note 7): peek at the requests queued
 * at base[0..avail) -- up to ST_PREFETCH_MAX of them -- hash the second
 * argument of each (the key of most commands) and have the keyspace start
 * loading their stripes, nodes and values, so that the cache misses of the
 * batch's lookups overlap instead of following one another.  Only
 * prefetches: the requests are then parsed and executed one by one as
 * always, so nothing about their results, order or errors can change
 * (a wrong guess -- a command whose second argument is no key, a SELECT in
 * the batch -- only wastes a prefetch).  A single request is not worth it:
 * nothing to overlap with.  Returns how many requests to execute before
 * peeking again (at least 1).
 */
static int
prefetch_ahead(const char *base, size_t avail)
{
	uint64_t hash[ST_PREFETCH_MAX];
	int found = 0, nkeys = 0;
	size_t pos = 0;

	while (found < ST_PREFETCH_MAX && pos < avail) {
		const char *key;
		size_t klen, n = st_resp_peek(base + pos, avail - pos, &key, &klen);

		if (n == 0)
			break;
		if (key != NULL)
			hash[nkeys++] = st_key_hash(key, klen);
		pos += n;
		found++;
	}
	if (found >= 2 && nkeys > 0)
		st_keyspace_prefetch(hash, nkeys);
	return found > 0 ? found : 1;
}

void
st_client_set_prefetch(enum st_prefetch_mode mode)
{
	atomic_store_explicit(&prefetch_mode, (int)mode, memory_order_relaxed);
	/* hints are written only where they will be read */
	st_keyspace_set_hints(mode == ST_PREFETCH_ALWAYS ? ST_HINTS_ALL :
			      mode == ST_PREFETCH_OFF ? ST_HINTS_NONE :
			      ST_HINTS_AUTO);
}

/* Whether st_client_process peeks ahead for c (see ST_PREFETCH_AUTO). */
static inline bool
prefetch_wanted(struct st_client *c)
{
	int mode = atomic_load_explicit(&prefetch_mode, memory_order_relaxed);

	if (mode == ST_PREFETCH_AUTO)
		return st_db_size(c->db) >= ST_PREFETCH_MIN_KEYS;
	return mode == ST_PREFETCH_ALWAYS;
}

/* st_client_clock_set's: this thread's command time, 0 = none */
static __thread int64_t clock_ms;

void
st_client_clock_set(int64_t now_ms)
{
	clock_ms = now_ms;
}

int
st_client_process(struct st_client *c)
{
	/* peeked: requests left before the next peek (INT_MAX: never) */
	int executed = 0, peeked = prefetch_wanted(c) ? 0 : INT_MAX;
	bool has_password = st_config_has_password();

	/* One clock sample per batch of pipelined requests: they arrived
	 * together, and clock_gettime is a measurable share of a GET; none
	 * when the thread's poll loop keeps one (st_client_clock_set). */
	c->cmd_time_ms = clock_ms ? clock_ms : st_mstime();
	while (!(c->flags & ST_CLIENT_CLOSE_AFTER_REPLY)) {
		const char *base = c->query.p + c->qpos;
		size_t avail = c->query.len - c->qpos, used = 0;
		enum st_parse_status st;

		if (atomic_load_explicit(&c->kill, memory_order_relaxed)) {
			c->flags |= ST_CLIENT_CLOSE_AFTER_REPLY;
			break;
		}
		if (c->flags & ST_CLIENT_BLOCKED)
			break;		/* WAIT: the transport resumes us */
		if (avail == 0)
			break;
		if (peeked == 0)
			peeked = prefetch_ahead(base, avail);
		c->parser.authenticated = (c->flags & ST_CLIENT_AUTHENTICATED) ||
					  !has_password;
		st = st_resp_parse(&c->parser, base, avail, &used);
		if (st == ST_PARSE_EUNFIN)
			break;
		if (st == ST_PARSE_EINVALID) {
			st_reply_error(c, c->parser.err);
			c->flags |= ST_CLIENT_CLOSE_AFTER_REPLY;
			break;
		}
		c->qpos += used;
		peeked--;
		if (st == ST_PARSE_EMPTY || c->parser.argc == 0)
			continue;
		set_argv(c, base);
		st_dispatch(c);
		c->last_ms = c->cmd_time_ms;
		executed++;
	}
	if (c->qpos == c->query.len) {
		c->query.len = 0;
		c->qpos = 0;
		st_buf_shrink(&c->query);
	} else if (c->qpos > 0) {
		st_buf_consume(&c->query, c->qpos);
		c->qpos = 0;
	}
	st_client_publish(c);
	return executed;
}

void
st_client_publish(struct st_client *c)
{
	struct st_client_pub *p = &c->pub;

	atomic_store_explicit(&p->last_ms, c->last_ms, memory_order_relaxed);
	atomic_store_explicit(&p->db, c->db, memory_order_relaxed);
	atomic_store_explicit(&p->flags, c->flags, memory_order_relaxed);
	atomic_store_explicit(&p->qlen, c->query.len, memory_order_relaxed);
	atomic_store_explicit(&p->qcap, c->query.cap, memory_order_relaxed);
	atomic_store_explicit(&p->olen, c->out.len, memory_order_relaxed);
	atomic_store_explicit(&p->ocap, c->out.cap, memory_order_relaxed);
	atomic_store_explicit(&p->mq_len, c->mq_len, memory_order_relaxed);
	atomic_store_explicit(&p->argv_cap, c->argv_cap, memory_order_relaxed);
	atomic_store_explicit(&p->resp, c->resp, memory_order_relaxed);
	atomic_store_explicit(&p->last_cmd, c->last_cmd, memory_order_relaxed);
}

/* ---- registry ------------------------------------------------------------ */

void
st_client_register(struct st_client *c)
{
	pthread_mutex_lock(&reg_lock);
	c->reg_prev = NULL;
	c->reg_next = reg_head;
	if (reg_head)
		reg_head->reg_prev = c;
	reg_head = c;
	reg_count++;
	pthread_mutex_unlock(&reg_lock);
}

void
st_client_unregister(struct st_client *c)
{
	pthread_mutex_lock(&reg_lock);
	if (c->reg_prev)
		c->reg_prev->reg_next = c->reg_next;
	else if (reg_head == c)
		reg_head = c->reg_next;
	if (c->reg_next)
		c->reg_next->reg_prev = c->reg_prev;
	c->reg_prev = c->reg_next = NULL;
	reg_count--;
	pthread_mutex_unlock(&reg_lock);
}

size_t
st_client_count(void)
{
	size_t n;

	pthread_mutex_lock(&reg_lock);
	n = reg_count;
	pthread_mutex_unlock(&reg_lock);
	return n;
}

void
st_client_foreach(void (*fn)(struct st_client *c, void *arg), void *arg)
{
	pthread_mutex_lock(&reg_lock);
	for (struct st_client *c = reg_head; c; c = c->reg_next)
		fn(c, arg);
	pthread_mutex_unlock(&reg_lock);
}

/* ---- MULTI / WATCH state ------------------------------------------------ */

void
st_client_unwatch(struct st_client *c)
{
	for (int i = 0; i < c->nwatched; i++)
		st_free(c->watched[i].key);
	c->nwatched = 0;
	c->flags &= ~ST_CLIENT_DIRTY_CAS;
}

void
st_client_discard_multi(struct st_client *c)
{
	for (int i = 0; i < c->mq_len; i++) {
		for (int j = 0; j < c->mq[i].argc; j++)
			st_free((void *)c->mq[i].argv[j].p);
		st_free(c->mq[i].argv);
	}
	c->mq_len = 0;
	c->flags &= ~(ST_CLIENT_MULTI | ST_CLIENT_DIRTY_EXEC);
}
