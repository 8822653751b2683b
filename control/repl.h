/*
 * repl.h -- replication: the state both sides share (role, replication ids
 * and offsets, the backlog), and the pieces each side builds on it.
 *
 * Threads and data flow (docs/design.md has the long version):
 *
 *   primary:  data core (command, under stripe locks) -> st_wlog_emit ->
 *             sink: per-thread SPSC ring (repl_feed.c) -> replication core
 *             thread (repl_core.c): merge the rings in sequence order ->
 *             stream builder (repl_stream.c: SELECT on db change, RESP
 *             multibulk, MULTI/EXEC wrapper, ping, GETACK) -> backlog
 *             (repl_backlog.c) -> published offset -> each data core that
 *             owns a replica's TCP connection pulls its bytes from the
 *             backlog into dp_tcp_send (ctl_replica_pump, repl_master.c).
 *   full sync: PSYNC/SYNC on a data core -> ctl_replica (repl_master.c) ->
 *             snapshot thread: ctl_rdb_save_snapshot at sequence S (point in
 *             time, no pause) -> per-replica RDB buffer -> pumped by the
 *             data core ($EOF: or $len framing) -> then the backlog from
 *             the FULLRESYNC offset + 1.
 *   replica:  REPLICAOF (any core) sets the wanted master -> core 0 runs
 *             the master link (repl_replica.c protocol state machine, glued
 *             to dp_tcp by dataplane/repl_link.c): handshake, RDB into
 *             memory, ctl_rdb_load(FLUSH|KEEP_EXPIRED), then the stream fed
 *             to a client with ST_CLIENT_MASTER; each applied command's raw
 *             bytes are appended to our own backlog (chained replicas get
 *             the identical stream and offsets).
 *
 * Offsets follow Redis exactly (shared/reference/redis_repl_interop.md §1.1,
 * §5): byte #1 is the first stream byte after the backlog was created;
 * master_repl_offset counts stream bytes generated (or, on a replica,
 * processed from the master).
 */
#ifndef CTL_REPL_H
#define CTL_REPL_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"		/* st_cfg (CTL_CFG) */

#define CTL_REPLID_LEN 40

enum ctl_role {
	CTL_ROLE_MASTER = 0,
	CTL_ROLE_REPLICA,
};

/* The replica side's link to its master (Redis's repl_state), one enum,
 * names for logs and ROLE (ctl_link_state_name). */
enum ctl_link_state {
	CTL_LINK_NONE = 0,		/* no master */
	CTL_LINK_CONNECT,		/* must connect */
	CTL_LINK_CONNECTING,		/* SYN sent */
	CTL_LINK_HANDSHAKE,		/* PING / AUTH / REPLCONF / PSYNC */
	CTL_LINK_TRANSFER,		/* receiving the RDB */
	CTL_LINK_CONNECTED,		/* streaming */
	CTL_LINK_NSTATES
};
const char *ctl_link_state_name(enum ctl_link_state s);
/* ROLE's word for it: none|connect|connecting|handshake|sync|connected. */
const char *ctl_link_state_role_word(enum ctl_link_state s);

/*
 * The process's replication state (one, ctl_repl).  'lock' serialises
 * role changes, replid shifts, backlog creation and the replica registry;
 * the hot fields are atomics readable without it.
 */
struct ctl_repl {
	pthread_mutex_t lock;
	enum ctl_role role;
	char replid[CTL_REPLID_LEN + 1];
	char replid2[CTL_REPLID_LEN + 1];	/* 40 '0's when none */
	long long second_repl_offset;		/* -1 when none */
	/* Stream bytes generated (master) or processed (replica); equals
	 * ctl_backlog_end() once a backlog exists, 0 before. */
	_Atomic long long master_repl_offset;

	/* replica side (valid while role == CTL_ROLE_REPLICA) */
	char master_host[64];
	int master_port;
	_Atomic int link_state;			/* enum ctl_link_state */
	_Atomic int64_t link_down_since_ms;	/* 0 = never connected */
	_Atomic int64_t last_io_ms;

	/* primary side: replicas by state (for INFO, ROLE, WAIT, min-replicas) */
	_Atomic int good_replicas;		/* refreshed 1 Hz and on changes */
};

extern struct ctl_repl ctl_repl;

/* A store config value (st_cfg.field) read as config.h says: a relaxed
 * atomic load (CONFIG SET may store it on another thread meanwhile). */
#define CTL_CFG(field) __atomic_load_n(&st_cfg.field, __ATOMIC_RELAXED)

/* ctl_repl.role read / written by any thread without the lock (relaxed
 * atomic accesses: the field itself is a plain enum). */
static inline enum ctl_role
ctl_repl_role(void)
{
	return (enum ctl_role)__atomic_load_n((int *)&ctl_repl.role,
					      __ATOMIC_ACQUIRE);
}
static inline void
ctl_repl_set_role(enum ctl_role r)
{
	__atomic_store_n((int *)&ctl_repl.role, (int)r, __ATOMIC_RELEASE);
}

/* Once, before st_store_init: registers the replication command table
 * (st_cmd_register_family) and the role hooks (st_set_role_hooks),
 * makes a random replid.  0 or -errno. */
int ctl_repl_init(void);

/* ---- the backlog (repl_backlog.c) -------------------------------------------
 * A ring of stream bytes: logically the last repl-backlog-size of them
 * (PSYNC, INFO), physically more -- it grows rather than overwrite bytes a
 * connected replica within its output limit still needs, and shrinks back
 * after.  The ring is a table of fixed-size chunks: growing or shrinking
 * moves chunk pointers into a new table (at most one chunk's worth of
 * bytes copied), never the whole span.  One writer at a time (the
 * replication core on a primary, the master link's core on a replica:
 * appends are serialised by an internal mutex); any number of lock-free
 * readers (data cores pumping replicas; registered QSBR threads: a
 * replaced table and the chunks it no longer uses are freed after a grace
 * period), which copy and then validate that the bytes they copied were
 * not overwritten meanwhile.  Lock order: ctl_repl.lock -> the backlog's
 * writer lock -> the replica registry lock (the pin function). */

/* Create it if there is none (Redis: when the first replica attaches;
 * first byte = master_repl_offset + 1, and with no backlog before, a new
 * replid and replid2 cleared).  Any thread, under ctl_repl.lock. */
int ctl_backlog_create(long long size);
bool ctl_backlog_exists(void);
/* Append stream bytes; advances ctl_repl.master_repl_offset (published
 * with release order: readers that see the new offset see the bytes). */
void ctl_backlog_append(const void *p, size_t n);
/* Copy stream bytes from offset 'off' (1-based, Redis's numbering) up to n
 * bytes; returns the count (0 if off is past the end, or if the writer
 * remapped the ring during each of a few attempts: try again later), or
 * -ERANGE if 'off' is no longer in the backlog (the reader fell too far
 * behind).  Lock-free; registered QSBR threads only (between two
 * quiescent states). */
long ctl_backlog_read(long long off, void *buf, size_t n);
long long ctl_backlog_first_byte(void);	/* repl_backlog_first_byte_offset */
long long ctl_backlog_histlen(void);
long long ctl_backlog_size(void);		/* logical: repl_backlog_size */
/* Physical bytes of the ring (tests, memory accounting). */
long long ctl_backlog_capacity(void);
/* Remap counters (tests, tools/bench/backlog_bench.c): remaps (grow,
 * shrink, resize) and bytes they copied, since process start over all
 * backlogs; chunk_bytes: the live backlog's chunk size (0: none).  Any
 * thread, no lock; approximate while a writer runs. */
struct ctl_backlog_stats {
	long long remaps, copied_bytes, chunk_bytes;
};
void ctl_backlog_get_stats(struct ctl_backlog_stats *st);
/* Self-check (tests): 0 if the live table is sound (chunk size a power of
 * two in range, every slot a distinct chunk) or there is no backlog, else
 * -EINVAL (-ENOMEM: could not check).  Any thread; takes the writer lock. */
int ctl_backlog_check(void);
/* Tests only: fn(off) runs inside ctl_backlog_read once it has loaded the
 * end and the chunk table and before it copies, in the reader's thread,
 * with no lock held (it may append or resize: a writer racing the copy,
 * made deterministic).  NULL removes it.  Any thread. */
typedef void (*ctl_backlog_read_hook_fn)(long long off);
void ctl_backlog_set_read_hook(ctl_backlog_read_hook_fn fn);
/* Resize the live backlog's logical size (Redis resizeReplicationBacklog:
 * the newest min(histlen, size) bytes stay); a CONFIG SET of
 * repl-backlog-size is applied the same way as soon as the writer or a
 * reader of the size/histlen/first byte looks.  Any thread; takes the
 * writer lock.  0 or -EINVAL. */
int ctl_backlog_resize(long long size);
/* Where the writer learns which bytes are still needed: fn(floor, end)
 * returns the smallest offset >= floor that a connected replica within
 * its output limit (lag measured with the end at 'end') has not sent yet,
 * or LLONG_MAX.  Called by the writer under its lock (so it may take the
 * registry lock, nothing above it).  NULL restores the default,
 * ctl_replicas_min_needed.  Tests install their own. */
typedef long long (*ctl_backlog_pin_fn)(long long floor, long long end);
void ctl_backlog_set_pin_fn(ctl_backlog_pin_fn fn);
void ctl_backlog_free(void);			/* shutdown */
/* Drop the backlog (repl-backlog-ttl with no replicas): later appends are
 * dropped until ctl_backlog_create; the ring is kept for readers that may
 * still copy from it (freed by ctl_backlog_free, or after an RCU grace
 * period once 64 newer ones were retired: readers must be registered
 * threads reading between quiescent states).  Under ctl_repl.lock.
 * Returns 0. */
int ctl_backlog_retire(void);

/* ---- PSYNC2 (repl_master.c) ---------------------------------------------- */
/* Redis's masterTryPartialResynchronization rule: may a replica asking
 * for (replid, off) continue from the backlog?  Under ctl_repl.lock. */
bool ctl_repl_can_continue(const char *replid, long long off);

/* Promotion (REPLICAOF NO ONE): replid2 = replid, second_repl_offset =
 * offset + 1, new replid, disconnect our replicas, force SELECT. */
void ctl_repl_shift_replid(void);
/* The write sequence drawn last before the latest promotion (0: none)
 * and, in *off, the offset the old history ended at.  Records up to it
 * were applied from the old master: the replication core never streams
 * them again, and a full sync from a snapshot at a sequence <= it
 * starts at that offset.  Any thread. */
uint64_t ctl_repl_promotion_seq(long long *off);
/* Mark a promotion (the sequence and offset above) / a demotion (the last
 * sequence drawn as a master): called under ctl_repl.lock just BEFORE the
 * role switch, with the master link stopped for a promotion. */
void ctl_repl_mark_promotion(void);
void ctl_repl_mark_demotion(void);
/* Does the write record 'seq' belong to our own history (drawn while we
 * were a master: after the last promotion, and, if we are a replica now,
 * up to the demotion)?  Records drawn as a replica are the master's: the
 * master link puts its bytes in the backlog, the core must not stream
 * them.  Reads the role (acquire) before the marks.  Any thread. */
bool ctl_repl_seq_is_ours(uint64_t seq);

/* ==== added by the primary side (repl_state.c, repl_feed.c, repl_core.c,
 * repl_stream.c, repl_master.c, repl_info.c, cmd_repl.c) ==== */

struct st_client;
struct st_cmd;
struct st_buf;
struct st_wlog_rec;
struct st_arg;

/* Counters (INFO stats / replication; relaxed atomics, any thread). */
struct ctl_repl_stats {
	_Atomic uint64_t sync_full;		/* full resyncs served */
	_Atomic uint64_t sync_partial_ok;	/* +CONTINUE answers */
	_Atomic uint64_t sync_partial_err;	/* PSYNC <id> <off> refused */
	_Atomic uint64_t feed_waits;		/* writers that found their ring full */
	_Atomic uint64_t records;		/* wlog records the core consumed */
	_Atomic uint64_t publishes;		/* backlog appends (batches) */
	_Atomic uint64_t lag_stamps;		/* repl-lag-probe-ms stamps written */
};
extern struct ctl_repl_stats ctl_repl_stats;

/* ctl_link_state_name / ctl_link_state_role_word live in repl_state.c. */

/* Fill 'out' with CTL_REPLID_LEN random lower-case hex digits and a NUL.
 * Any thread. */
void ctl_repl_random_hex(char *out, size_t n);

/* New replid, replid2 cleared, second offset -1 (Redis's
 * changeReplicationId + clearReplicationId2).  Under ctl_repl.lock. */
void ctl_repl_new_replid_locked(void);

/* ---- the write-log feed (repl_feed.c) -------------------------------------
 * st_wlog sink: each writer thread serialises its records into its own
 * single-producer ring (created on the thread's first record); the
 * replication core is the only consumer.  A writer whose ring is full
 * waits (it holds stripe locks, but the core takes none).  A record is:
 *   u32 total length, u32 ncmds, u64 seq, then per command: i32 db,
 *   u32 length of its RESP multibulk, the multibulk bytes.
 * Records too big for a ring are passed by pointer (malloc'ed copy). */

/* The sink function (st_wlog_set_sink(ctl_feed_sink, NULL)). */
void ctl_feed_sink(const struct st_wlog_rec *rec, void *arg);

/* A consumed record as the core sees it: 'cmds' holds ncmds encoded
 * commands, each: i32 db, u32 len, bytes. */
struct ctl_feed_rec {
	uint64_t seq;
	uint32_t ncmds;
	const uint8_t *body;
	size_t body_len;
};
/* Consumer side (the replication core only): the record with sequence
 * 'seq' if its writer has pushed it; returns 1 and fills *out (valid
 * until ctl_feed_release), 0 if not there (yet).  Records with a lower
 * sequence found at a ring's head are dropped (drawn before the sink was
 * installed). */
int ctl_feed_take(uint64_t seq, struct ctl_feed_rec *out);
void ctl_feed_release(struct ctl_feed_rec *rec);
/* Bytes queued in all rings (tests, INFO). */
size_t ctl_feed_pending(void);
/* Drop everything queued (core stop).  Core thread or with the core stopped. */
void ctl_feed_reset(void);

/* ---- the stream builder (repl_stream.c) ----------------------------------
 * Turns records into Redis's replication stream bytes. */
struct ctl_stream {
	int seldb;			/* last db a SELECT was emitted for, -1 = none */
	struct st_buf *out;		/* appended to */
};
/* Append one command as a RESP multibulk (what the feed stores). */
void ctl_stream_encode_cmd(struct st_buf *b, int argc, const struct st_arg *argv);
/* Append a record: SELECT when the db differs from s->seldb, the commands,
 * MULTI ... EXEC around them when ncmds > 1. */
void ctl_stream_append_feed(struct ctl_stream *s, const struct ctl_feed_rec *r);
/* Same from a wlog record (tests; encodes the argv). */
void ctl_stream_append_rec(struct ctl_stream *s, const struct st_wlog_rec *rec);
/* "*1\r\n$4\r\nping\r\n" and "*3\r\n$8\r\nREPLCONF\r\n$6\r\nGETACK\r\n$1\r\n*\r\n". */
void ctl_stream_append_ping(struct ctl_stream *s);
void ctl_stream_append_getack(struct ctl_stream *s);

/* ---- the replication core (repl_core.c) ----------------------------------- */

/* Start the core thread (registered with the store), pinned to 'cpu' when
 * cpu >= 0, and install the wlog sink.  Main thread, once.  0 or -errno. */
int ctl_repl_core_start(int cpu);
/* Remove the sink, stop and join the thread.  Main thread. */
void ctl_repl_core_stop(void);
bool ctl_repl_core_running(void);
/* The last sequence the core consumed (all records <= it are in the
 * stream or were dropped).  Any thread. */
uint64_t ctl_repl_core_seq(void);
/* The stream offset right after record 'seq' (before seq+1) and the db a
 * SELECT was last emitted for at that point (-1: none since the last
 * reset).  Waits (sleeping, offline for QSBR if 'offline') until the core
 * consumed seq; -ETIMEDOUT after timeout_ms, -ESTALE if the mapping was
 * already overwritten (about 64K records ago), -ENOTCONN if the core is not
 * running.  Any thread. */
int ctl_repl_core_seq_offset(uint64_t seq, long long *off, int *db,
			     int timeout_ms, bool offline);
/* Replica side: the master link's history.  After applying a command of
 * its master's stream that drew write sequences first..last, the link
 * records that they end at stream offset 'off' (the command's last byte)
 * with the master client in db 'db'; after a full sync it records the
 * load (first = last = st_wlog_last_seq()).  The core does not map
 * records itself while we are a replica.  Master link's thread. */
void ctl_repl_core_map_applied(uint64_t first, uint64_t last, long long off,
			       int db);
/* The offset and db recorded for 'seq' by ctl_repl_core_map_applied,
 * waiting up to timeout_ms (the command that drew seq may still be
 * running); -ETIMEDOUT, or -ESTALE if no such record.  Any thread. */
int ctl_repl_core_applied_offset(uint64_t seq, long long *off, int *db,
				 int timeout_ms);
/* Ask for one "REPLCONF GETACK *" in the stream (a WAIT blocked). */
void ctl_repl_core_request_getack(void);
/* Next record gets a SELECT (Redis's slaveseldb = -1). */
void ctl_repl_core_reset_seldb(void);

/* ---- primary side: replicas (repl_master.c) ------------------------------- */

enum ctl_replica_state {
	CTL_REPLICA_WAIT_BGSAVE = 0,	/* waiting for (or in) the snapshot start */
	CTL_REPLICA_SEND_BULK,		/* RDB being sent */
	CTL_REPLICA_ONLINE,		/* streaming from the backlog */
	CTL_REPLICA_NSTATES
};
/* INFO's word: wait_bgsave|send_bulk|online. */
const char *ctl_replica_state_name(enum ctl_replica_state s);

struct ctl_replica;

/* The send function the transport gives the pump: copies up to n bytes
 * into the connection, returns how many it took (0: no room). */
typedef size_t (*ctl_send_fn)(void *ctx, const void *p, size_t n);

/* Each poll iteration on the replica connection's core, only when the
 * client's reply buffer is empty: sends what is due (keepalives,
 * +FULLRESYNC, RDB bytes, stream bytes) up to 'max' bytes.  Never blocks.
 * Returns bytes sent, or a negative errno when the connection must be
 * closed (timeout, fell out of the backlog, output limit, snapshot failed):
 * the transport then closes it (st_client_free releases r). */
long ctl_replica_pump(struct ctl_replica *r, ctl_send_fn send, void *ctx,
		      size_t max);
/* The client's replica state (NULL if c is not a replica). */
struct ctl_replica *ctl_replica_of(struct st_client *c);

/* PSYNC/SYNC/REPLCONF handlers (cmd_repl.c's table). */
void ctl_psync_command(struct st_client *c);
void ctl_sync_command(struct st_client *c);
void ctl_replconf_command(struct st_client *c);
/* Release c->repl (role hook client_free). */
void ctl_replica_free_client(struct st_client *c);
/* Close every replica connection (promotion, ROLE changes). Any thread. */
void ctl_replicas_disconnect_all(void);
/* Replica registry walk (INFO, ROLE, WAIT): under the registry lock. */
struct ctl_replica_view {
	char ip[64];
	int port;
	enum ctl_replica_state state;
	long long ack_off;
	long long lag_s;
};
int ctl_replicas_snapshot(struct ctl_replica_view *v, int max);
int ctl_replicas_count(void);
/* The default backlog pin function (ctl_backlog_set_pin_fn): the smallest
 * next-byte-to-send >= floor over registered replicas that are streaming,
 * sending their RDB, or waiting for a snapshot whose offset is chosen,
 * leaving out replicas being closed and those whose lag (end - next + 1)
 * is over the client-output-buffer-limit replica hard limit (the pump
 * drops those).  Takes the registry lock. */
long long ctl_replicas_min_needed(long long floor, long long end);
/* Online replicas whose ACK offset >= off. */
int ctl_replicas_acked(long long off);
/* Cancel queued and running snapshots and wait (up to 10 s) for the
 * snapshot thread to end (shutdown: ctl_repl_core_stop calls it). */
void ctl_repl_sync_stop(void);
/* Recount good replicas (min-replicas-max-lag); any thread. */
void ctl_repl_refresh_good(void);
/* 1 Hz housekeeping (good count, backlog TTL); the core calls it. */
void ctl_repl_cron(void);

/* ---- WAIT (cmd_repl.c) ------------------------------------------------------
 * A WAIT that cannot answer at once sets ST_CLIENT_BLOCKED; the transport
 * calls ctl_wait_poll(c) for such clients every iteration: it replies and
 * clears the flag when enough replicas acknowledged or the timeout passed
 * (returns true), else false.  Owner thread of c. */
bool ctl_wait_poll(struct st_client *c);
void ctl_wait_command(struct st_client *c);
/* c is going away while blocked (the transport, before st_client_free). */
void ctl_wait_abort(struct st_client *c);
/* Blocked WAITs (the core feeds GETACK while > 0). */
extern _Atomic int ctl_wait_blocked;

/* ---- FAILOVER (repl_failover.c) ---------------------------------------------
 * Redis 7.0's coordinated failover; the state machine is described in
 * repl_failover.c. */
enum ctl_failover_state {
	CTL_FAILOVER_NONE = 0,		/* no-failover */
	CTL_FAILOVER_WAIT_FOR_SYNC,	/* writes paused, waiting for an ACK */
	CTL_FAILOVER_IN_PROGRESS,	/* PSYNC ... FAILOVER sent to the target */
	CTL_FAILOVER_NSTATES
};
/* INFO's master_failover_state words. */
const char *ctl_failover_state_name(enum ctl_failover_state s);
/* The current state (acquire load; any thread, no lock). */
enum ctl_failover_state ctl_failover_state(void);
/* FAILOVER's handler (any polling core; takes ctl_repl.lock and the
 * replica registry lock).  Replies +OK or Redis 7.0's error texts. */
void ctl_failover_command(struct st_client *c);
/* The replication core, every loop iteration: the timeout, a caught-up
 * replica, the switch to failover-in-progress (ctl_replica_set_master).
 * Takes ctl_repl.lock. */
void ctl_failover_cron(void);
/* The master link (its owner thread): whether its PSYNC carries
 * FAILOVER; the answer to it (true: +CONTINUE or +FULLRESYNC, the
 * failover is done; false: refused or the link dropped, failover
 * aborted and master again). */
bool ctl_failover_psync_arg(void);
void ctl_failover_psync_result(bool accepted);
/* PSYNC <replid> <offset> FAILOVER on the target (PSYNC's handler, before
 * anything else): 0 = go on (promoted if the replid is ours, or no
 * FAILOVER argument); -1 = replied the error. */
int ctl_failover_psync_request(struct st_client *c);
/* Dispatch check (ctl_repl_check): while a failover runs, a client
 * sending a write ('writes': the command writes, or EXEC of writes) is
 * blocked (ST_CLIENT_BLOCKED, its arguments copied into c->repl) and 1
 * is returned (nothing replied); else 0.  Client's thread. */
int ctl_failover_block_if_paused(struct st_client *c, bool writes);
/* Is c blocked by the pause?  Poll it (ctl_wait_poll): false while the
 * failover runs; then the command is dispatched again (its reply, e.g.
 * -READONLY once we are a replica) and true returned.  Client's thread. */
bool ctl_failover_paused_client(struct st_client *c);
bool ctl_failover_poll_paused(struct st_client *c);
/* Release a paused command's copy (client_free hook). */
void ctl_failover_client_free(struct st_client *c);

/* ---- INFO / ROLE (repl_info.c) -------------------------------------------- */
void ctl_repl_info(struct st_buf *b);
void ctl_role_command(struct st_client *c);
/* The dispatch check (role hook): -NOREPLICAS, then ctl_replica_check. */
int ctl_repl_check(struct st_client *c, const struct st_cmd *cmd);
/* The command table, ctl_cmds_repl[] (cmd_repl.c): in repl_master.h,
 * which has the complete struct st_cmd. */

#endif
