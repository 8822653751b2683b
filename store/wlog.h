/*
 * wlog.h -- the global write order, and what each write hands on.
 *
 * Every change to the keyspace becomes a record: a sequence number from one
 * global counter, drawn while the stripe locks of the written keys are still
 * held, and the commands that reproduce the change on a replica (the argv,
 * or the handler's rewrite: SET ... PXAT for relative TTLs, DEL for expiries
 * and evictions, SET ... KEEPTTL for INCRBYFLOAT, a MULTI/EXEC wrapper for
 * transactions).  A replica applying the records in sequence order ends
 * identical to the primary.  Records go to a sink; the replication core
 * (a later stage) installs one; tests install their own.
 *
 * Concurrency: st_wlog_emit is called by any worker while it holds the
 * stripe locks of the keys the record writes; the sink must be thread-safe
 * and must not call back into the store.
 */
#ifndef ST_WLOG_H
#define ST_WLOG_H

#include <stdint.h>
#include <stddef.h>

struct st_client;
struct st_arg;

struct st_wlog_cmd {
	int db;
	int argc;
	const struct st_arg *argv;
};

struct st_wlog_rec {
	uint64_t seq;
	int ncmds;			/* > 1: apply as one transaction */
	const struct st_wlog_cmd *cmds;
};

typedef void (*st_wlog_sink_fn)(const struct st_wlog_rec *rec, void *arg);

/* Install the sink (NULL: records are numbered and dropped). */
void st_wlog_set_sink(st_wlog_sink_fn fn, void *arg);
/* The last sequence number drawn. */
uint64_t st_wlog_last_seq(void);

/* Emit one record now (used for expiry / eviction DELs). */
uint64_t st_wlog_emit(const struct st_wlog_rec *rec);

/* Handler side: replace what the current command propagates with this
 * command (may be called several times: all are propagated, in order). */
void st_propagate(struct st_client *c, int argc, const struct st_arg *argv);
/* Convenience: propagate a command given as C strings / lengths. */
void st_propagatev(struct st_client *c, int argc, const char *const *argv,
		   const size_t *lens);

/* Dispatcher side: append the command's propagation to c->prop (argv copy if
 * dirty and not rewritten) and, unless in EXEC, emit it as one record. */
void st_wlog_command_done(struct st_client *c);
/* Emit c->prop as one record (EXEC) and clear it. */
void st_wlog_flush_client(struct st_client *c);

#endif
