/*
 * client.h -- a client connection as the store sees it.
 *
 * The transport (the data plane's TCP connections, or a test harness) feeds
 * bytes with st_client_feed() and calls st_client_process(), which parses and
 * executes every complete request in order and appends the replies to
 * c->out; the transport then sends c->out and calls st_buf_consume() on what
 * it sent.  After a protocol error, a QUIT, or CLIENT KILL, the
 * ST_CLIENT_CLOSE_AFTER_REPLY flag is set and no further input is executed.
 *
 * Concurrency: a client is owned by one thread (its connection's core).  The
 * only fields touched by other threads are 'kill' (CLIENT KILL) and the
 * registry links (under the registry mutex, for CLIENT LIST).
 */
#ifndef ST_CLIENT_H
#define ST_CLIENT_H

#include <stdint.h>
#include <stddef.h>
#include <stdbool.h>
#include <stdatomic.h>

#include "buf.h"
#include "resp_parse.h"

struct st_worker;
struct st_cmd;
struct st_entry;

/* One argument of the current command: bytes, not NUL-terminated, valid
 * until the command returns (they point into the query buffer). */
struct st_arg {
	const char *p;
	size_t len;
};

enum st_client_flag {
	ST_CLIENT_MULTI = 1u << 0,		/* inside MULTI */
	ST_CLIENT_DIRTY_CAS = 1u << 1,		/* a watched key changed */
	ST_CLIENT_DIRTY_EXEC = 1u << 2,		/* queue-time error: EXEC aborts */
	ST_CLIENT_CLOSE_AFTER_REPLY = 1u << 3,
	ST_CLIENT_AUTHENTICATED = 1u << 4,
	ST_CLIENT_IN_EXEC = 1u << 5,
	ST_CLIENT_REPLICA = 1u << 6,
	ST_CLIENT_MASTER = 1u << 7,		/* the link to our master: no checks */
	ST_CLIENT_NO_PROPAGATE = 1u << 8,
	ST_CLIENT_LOCKFREE_READ = 1u << 9,	/* handler runs without stripe locks */
	/* blocked (WAIT): st_client_process executes no further input until
	 * the transport's poll (ctl_wait_poll) replies and clears it */
	ST_CLIENT_BLOCKED = 1u << 10,
};

/* A command queued by MULTI: its own copies of the arguments. */
struct st_queued_cmd {
	const struct st_cmd *cmd;
	int argc;
	struct st_arg *argv;	/* each p allocated with st_malloc */
};

struct st_watched_key {
	int db;
	char *key;
	size_t len;
	uint64_t version;	/* entry version when watched; 0 = key absent */
	uint64_t del_epoch;	/* stripe delete epoch when watched (absent keys) */
	bool had_ttl_alive;	/* existed with a TTL and was not expired */
};

struct st_prop_cmd {
	int db;
	int argc;
	struct st_arg *argv;	/* owned copies */
};

/*
 * What other threads may read about a client (CLIENT LIST / INFO): the
 * owner publishes these with relaxed atomic stores at the end of every
 * st_client_process (st_client_publish); readers see values a moment old,
 * never torn ones.  Everything else in st_client is the owner's alone.
 */
struct st_client_pub {
	_Atomic int64_t last_ms;
	_Atomic int db;
	_Atomic uint32_t flags;
	_Atomic size_t qlen, qcap, olen, ocap;
	_Atomic int mq_len, argv_cap, resp;
	_Atomic(const char *) last_cmd;
};

struct st_client {
	uint64_t id;
	struct st_worker *w;		/* the executing thread's context */
	int db;
	uint8_t resp;			/* 2 or 3 */
	uint32_t flags;
	_Atomic int kill;		/* set by CLIENT KILL from any thread */

	/* input */
	struct st_buf query;
	size_t qpos;			/* start of the unparsed part of query */
	struct st_resp_parser parser;

	/* the command being executed */
	int argc;
	struct st_arg *argv;
	int argv_cap;
	const struct st_cmd *cmd;
	const struct st_cmd *last_lookup;	/* command lookup cache */
	/* hash of the command's first key, computed once by the dispatcher
	 * for its stripe and reused by the keyspace lookup */
	const char *hc_key;
	size_t hc_len;
	uint64_t hc_hash;
	long long dirty;		/* changes made by the current command */
	int64_t cmd_time_ms;		/* wall clock sampled once per command */

	/* output */
	struct st_buf out;
	size_t *dfr;			/* deferred-length offsets (resp_compose.c) */
	int ndfr, dfr_cap;

	/* MULTI / WATCH */
	struct st_queued_cmd *mq;
	int mq_len, mq_cap;
	struct st_watched_key *watched;
	int nwatched, watched_cap;

	/* propagation of the current command (or transaction) */
	struct st_prop_cmd *prop;
	int prop_len, prop_cap;
	bool prop_rewritten;		/* handler called st_propagate() */

	/* identity and bookkeeping (CLIENT LIST / INFO) */
	char *name;
	char addr[64];
	char laddr[64];
	int64_t ctime_ms;
	int64_t last_ms;
	const char *last_cmd;
	struct st_client *reg_prev, *reg_next;	/* registry (client.c) */
	/* replication state attached by control/ (a replica's link on the
	 * primary, the master link on a replica); owner's thread only;
	 * released through st_role_hooks()->client_free */
	void *repl;
	/* WAIT (control/cmd_repl.c): the write-log sequence the client's
	 * writes reached, and the blocked WAIT's target; owner's thread only */
	uint64_t repl_woff_seq;
	long long wait_numreplicas;
	long long wait_woff;		/* stream offset, -1 until mapped */
	int64_t wait_deadline_ms;	/* 0 = no timeout */
	struct st_client_pub pub;
};

/* Create / destroy.  'w' is the owning thread's worker. */
struct st_client *st_client_new(struct st_worker *w);
void st_client_free(struct st_client *c);

/* Append received bytes to the query buffer. */
void st_client_feed(struct st_client *c, const void *p, size_t n);
/* Parse and execute every complete request; returns the number executed.
 * Stops after a protocol error (ST_CLIENT_CLOSE_AFTER_REPLY set). */
int st_client_process(struct st_client *c);

/*
 * The calling thread's clock for its st_client_process calls: now_ms
 * (unix ms) is the command time of every batch it processes until the
 * next call, instead of a clock_gettime per call (a fifth of an
 * unpipelined GET in process).  A poll loop sets it once per iteration,
 * as Redis caches its clock per event-loop cycle; 0 (the default) samples
 * the clock in every st_client_process.  The calling thread only (thread-
 * local); no lock.
 */
void st_client_clock_set(int64_t now_ms);

/*
 * Batch prefetch of pipelined requests (client.c, keyspace.c's design note
 * 7).  AUTO (the default) peeks ahead only while the client's database holds
 * at least ST_PREFETCH_MIN_KEYS keys: below that the keyspace's lines are
 * mostly in the cache and the peek, hash and hint loads cost more than the
 * misses they hide (BENCHMARKS.md: +6-15% per GET at 10k-30k keys, -2-14%
 * at 100k-1M).  OFF never peeks, ALWAYS always does; the replies are the
 * same in every mode.  For benchmarks (in-process A/B) and tests; any
 * thread; takes effect at the next st_client_process.
 */
enum st_prefetch_mode {
	ST_PREFETCH_AUTO = 0,
	ST_PREFETCH_OFF,
	ST_PREFETCH_ALWAYS,
};
#define ST_PREFETCH_MIN_KEYS 131072
void st_client_set_prefetch(enum st_prefetch_mode mode);

/* Publish the fields other threads read (struct st_client_pub). */
void st_client_publish(struct st_client *c);

/* Registry for CLIENT LIST / KILL / INFO clients (mutex inside). */
void st_client_register(struct st_client *c);
void st_client_unregister(struct st_client *c);
size_t st_client_count(void);
/* Call fn for every registered client under the registry lock. */
void st_client_foreach(void (*fn)(struct st_client *c, void *arg), void *arg);

/* Release watched keys (UNWATCH, EXEC, DISCARD, RESET, free). */
void st_client_unwatch(struct st_client *c);
/* Discard the MULTI queue and flags. */
void st_client_discard_multi(struct st_client *c);

#endif
