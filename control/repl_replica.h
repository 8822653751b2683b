/*
 * repl_replica.h -- the replica side of replication: REPLICAOF / SLAVEOF,
 * the READONLY / MASTERDOWN check of a replica, and the master link's
 * protocol state machine (repl_replica.c), glued to TCP by
 * dataplane/repl_link.c.
 *
 * Call chains:
 *   command: REPLICAOF (any core) -> ctl_replicaof_command -> ctl_repl
 *            (role, master_host/port, link_state) under ctl_repl.lock, and
 *            a new "master generation" the link notices.
 *   link:    core 0's poll loop -> dp_repl_link_poll -> ctl_link_cron
 *            (timers, master changes: CONNECT / CLOSE actions) ->
 *            dp_tcp_connect ... recv -> ctl_link_input -> per-state handler:
 *            HANDSHAKE (PING, AUTH, REPLCONF, PSYNC) -> TRANSFER ($len or
 *            $EOF: RDB into memory -> ctl_rdb_load(FLUSH|KEEP_EXPIRED)) ->
 *            CONNECTED (each command: ST_CLIENT_MASTER client ->
 *            st_dispatch; its raw bytes -> ctl_backlog_append) ->
 *            ctl_link_output -> dp_tcp_send (handshake, REPLCONF ACK).
 *
 * The link is transport independent: bytes in, bytes out, time passed in
 * (milliseconds), so tests drive it with scripted master bytes.  It never
 * blocks.  All ctl_link_* functions run on the one thread that owns the
 * link (core 0 in ferryd; the test thread in tests), registered with the
 * store (st_thread_register) and online: applying the stream executes
 * commands and loading an RDB takes every stripe lock.
 */
#ifndef CTL_REPL_REPLICA_H
#define CTL_REPL_REPLICA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "command.h"	/* repl.h declares a struct st_cmd table */
#include "repl.h"

struct st_client;
struct st_cmd;
struct st_worker;

/* ---- commands and checks (any thread) ------------------------------------ */

/* REPLICAOF host port | NO ONE, and its alias SLAVEOF.  Command handler
 * (st_cmd_fn): any polling core, no stripe lock held; takes ctl_repl.lock.
 * Replies +OK, "+OK Already connected to specified master",
 * -ERR Invalid master port, or -ERR Command is not valid when client is a
 * replica. */
void ctl_replicaof_command(struct st_client *c);

/* The replica's dispatch check (st_role_hooks.check; Redis processCommand):
 * 0 = go on; otherwise replied -READONLY or -MASTERDOWN with Redis's exact
 * texts, set ST_CLIENT_DIRTY_EXEC if c is in MULTI (EXEC: the transaction
 * is discarded with -EXECABORT ... because of: <reason>), and returns -1.
 * Any thread, no lock held; reads ctl_repl's atomics only. */
int ctl_replica_check(struct st_client *c, const struct st_cmd *cmd);

/* Become a replica of host:port (port 0..65535), or, with host NULL, a
 * master again (promotion: ctl_repl_shift_replid).  What REPLICAOF does
 * (a master being demoted offers its own replid and offset to PSYNC, §5);
 * for tests and embedders.  Any thread; takes ctl_repl.lock.  0,
 * -EALREADY (already that master), -EINVAL (empty host or bad port). */
int ctl_replica_set_master(const char *host, int port);

/* Apply the `replicaof` config value ("host port", "" = none) at start-up
 * (main thread, once, after ctl_repl_init and the options; the first
 * PSYNC is "? -1").  0 or -EINVAL. */
int ctl_replica_apply_config(void);

/* Full-sync progress for INFO (master_sync_total_bytes / read_bytes):
 * total is -1 for $EOF: transfers; both 0 when no transfer runs.  Any
 * thread (relaxed atomics). */
void ctl_replica_sync_progress(long long *total, long long *read);

/* ---- the master link (one owner thread) ----------------------------------- */

struct ctl_link;

/* What the transport must do after ctl_link_cron. */
enum ctl_link_action {
	CTL_LINK_ACT_NONE = 0,
	CTL_LINK_ACT_CONNECT,	/* open a connection to ctl_link_target() */
	CTL_LINK_ACT_CLOSE,	/* abort the connection (then ctl_link_closed) */
};

/* A link applying the stream with worker w's identity.  NULL on ENOMEM.
 * Owner thread; free with ctl_link_free (frees the master client). */
struct ctl_link *ctl_link_new(struct st_worker *w);
void ctl_link_free(struct ctl_link *l);

/* Timers (connect retry with backoff, repl-timeout, 1 s REPLCONF ACK) and
 * master changes made by REPLICAOF.  Call every loop iteration or so. */
enum ctl_link_action ctl_link_cron(struct ctl_link *l, int64_t now_ms);
/* The master to connect to (after CTL_LINK_ACT_CONNECT). */
void ctl_link_target(const struct ctl_link *l, char *host, size_t hostlen,
		     int *port);
/* Transport events: the connection could not be made (refused, no
 * route, SYN timeout); it is established (the handshake starts: PING). */
void ctl_link_connect_failed(struct ctl_link *l, int64_t now_ms,
			     const char *why);
void ctl_link_connected(struct ctl_link *l, int64_t now_ms);
/* Bytes from the master; all are consumed (buffered as needed).  Errors
 * drop the link: ctl_link_should_close() is then true. */
void ctl_link_input(struct ctl_link *l, const void *p, size_t n,
		    int64_t now_ms);
/* The connection is gone (RST, FIN, timeout, or our abort). */
void ctl_link_closed(struct ctl_link *l, int64_t now_ms);
/* The machine dropped the link: the transport must abort the connection
 * (and then call ctl_link_closed). */
bool ctl_link_should_close(const struct ctl_link *l);

/* Bytes to send to the master (handshake, ACKs); consume what TCP took. */
const void *ctl_link_output(struct ctl_link *l, size_t *n);
void ctl_link_output_consume(struct ctl_link *l, size_t n);

/* The link's own state (ctl_repl.link_state mirrors it for INFO/ROLE). */
enum ctl_link_state ctl_link_get_state(const struct ctl_link *l);
/* Offset processed from the master (= ctl_repl.master_repl_offset). */
long long ctl_link_offset(const struct ctl_link *l);
/* Why the link last dropped ("" if never), for logs and tests. */
const char *ctl_link_last_error(const struct ctl_link *l);

#endif
