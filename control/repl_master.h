/*
 * repl_master.h -- the primary's view of one replica (struct ctl_replica,
 * attached to the replica connection's client as c->repl) and of the full
 * syncs it serves.  The public API is in repl.h (ctl_replica_pump, the
 * PSYNC/SYNC/REPLCONF handlers, the registry walks); this header is for
 * repl_master.c, repl_info.c, cmd_repl.c and tests.
 *
 * A replica's state machine (enum ctl_replica_state, Redis's names):
 *   (REPLCONF before PSYNC: not registered yet, no state)
 *   PSYNC accepted             -> ONLINE (stream from the asked offset)
 *   PSYNC refused / SYNC       -> WAIT_BGSAVE (queued for a snapshot;
 *                                 "\n" keepalives every second)
 *   snapshot started (offset)  -> SEND_BULK (+FULLRESYNC, then the RDB with
 *                                 $EOF:<mark> or $<len> framing)
 *   RDB sent                   -> ONLINE (EOF framing: the stream starts
 *                                 at the replica's first REPLCONF ACK)
 * Threads: everything but the registry fields is owned by the connection's
 * core; ack_off/ack_ms/state are atomics read by INFO, WAIT and the cron;
 * send_off is also read by the backlog's writer (its pin) and set once by
 * the snapshot thread when the FULLRESYNC offset is chosen.
 *
 * Falling behind: the replica's unsent stream bytes stay in the backlog
 * ring (which grows for them) until its lag passes the
 * client-output-buffer-limit replica class (hard limit, or the soft limit
 * for longer than its seconds): then the pump closes it (-ENOBUFS).
 */
#ifndef CTL_REPL_MASTER_H
#define CTL_REPL_MASTER_H

#include "command.h"
#include "repl.h"

/* The replication command table (cmd_repl.c), registered by ctl_repl_init. */
extern const struct st_cmd ctl_cmds_repl[];

#define CTL_REPLICA_MAGIC 0x52504c43u	/* "RPLC": c->repl is ours */

struct ctl_sync_job;

/* Bytes the pump still has to send, in order (plain malloc: replication
 * buffers are not keyspace memory). */
struct ctl_outq {
	char *p;
	size_t len, off, cap;
};

struct ctl_replica {
	uint32_t magic;
	struct st_client *c;
	_Atomic int state;		/* enum ctl_replica_state */
	bool registered;
	bool capa_eof, capa_psync2;
	bool old_sync;			/* SYNC: no FULLRESYNC line, $len */
	bool wait_first_ack;		/* EOF: stream starts on first ACK */
	bool bulk_hdr_sent, bulk_mark_sent;
	char ip[64];			/* REPLCONF ip-address, else the peer's */
	int port;			/* REPLCONF listening-port */
	_Atomic long long ack_off;
	_Atomic int64_t ack_ms;
	/* next stream byte to send: 0 until known (WAIT_BGSAVE before the
	 * snapshot chose its offset); stored with release by the pump (and
	 * by job_on_begin), loaded with acquire by the backlog's writer
	 * (ctl_replicas_min_needed): the ring keeps bytes from here on */
	_Atomic long long send_off;
	int64_t soft_since_ms;		/* over the soft limit since (0: not) */
	/* set by the backlog's writer when it stopped keeping our bytes
	 * (lag over the hard limit): the pump closes us (-ENOBUFS) */
	_Atomic bool over_limit;
	int64_t keepalive_ms;
	struct ctl_sync_job *job;
	struct ctl_outq out;		/* control lines, keepalives, RDB bytes */
	struct ctl_replica *reg_next;
};

#endif
