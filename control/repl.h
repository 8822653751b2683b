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

/* Once, before st_store_init: registers the replication command table
 * (st_cmd_register_family) and the role hooks (st_set_role_hooks),
 * makes a random replid.  0 or -errno. */
int ctl_repl_init(void);

/* ---- the backlog (repl_backlog.c) -------------------------------------------
 * A ring of the last repl-backlog-size stream bytes.  One writer at a time
 * (the replication core on a primary, the master link's core on a replica:
 * appends are serialised by an internal spinlock); any number of lock-free
 * readers (data cores pumping replicas), which copy and then validate that
 * the bytes they copied were not overwritten meanwhile. */

/* Create it if there is none (Redis: when the first replica attaches;
 * first byte = master_repl_offset + 1, and with no backlog before, a new
 * replid and replid2 cleared).  Any thread, under ctl_repl.lock. */
int ctl_backlog_create(long long size);
bool ctl_backlog_exists(void);
/* Append stream bytes; advances ctl_repl.master_repl_offset (published
 * with release order: readers that see the new offset see the bytes). */
void ctl_backlog_append(const void *p, size_t n);
/* Copy stream bytes from offset 'off' (1-based, Redis's numbering) up to n
 * bytes; returns the count (0 if off is past the end), or -ERANGE if 'off'
 * is no longer in the backlog (the reader fell too far behind). */
long ctl_backlog_read(long long off, void *buf, size_t n);
long long ctl_backlog_first_byte(void);	/* repl_backlog_first_byte_offset */
long long ctl_backlog_histlen(void);
long long ctl_backlog_size(void);
void ctl_backlog_free(void);			/* shutdown */

/* ---- PSYNC2 (repl_master.c) ---------------------------------------------- */
/* Redis's masterTryPartialResynchronization rule: may a replica asking
 * for (replid, off) continue from the backlog?  Under ctl_repl.lock. */
bool ctl_repl_can_continue(const char *replid, long long off);

/* Promotion (REPLICAOF NO ONE): replid2 = replid, second_repl_offset =
 * offset + 1, new replid, disconnect our replicas, force SELECT. */
void ctl_repl_shift_replid(void);

#endif
