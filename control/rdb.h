/*
 * rdb.h -- Redis RDB images (format version 10, as Redis 7.0 writes them):
 * save the keyspace to a byte stream, load a stream into the keyspace.
 *
 * This is the groundwork of replication (a full resync sends an RDB image,
 * with "$<len>\r\n" or "$EOF:<mark>" framing) and of DEBUG RELOAD / SAVE-like
 * persistence.  The byte format, opcodes and encodings follow Redis 7.0.15's
 * rdb.c, listpack.c, ziplist.c and intset.c (the top comments of rdb_save.c
 * and rdb_load.c list them); shared/reference/redis_repl_interop.md has the
 * interop checklist.
 *
 * Saving (rdb_save.c) streams through a writer callback: the image is never
 * built whole in memory.  The save is "fuzzy" across keys -- it does not
 * pause writers, so keys written while it runs may or may not be in it, as
 * with any SCAN -- but every key is consistent: its value and TTL are
 * serialised while its stripe lock is held.  ctl_rdb_save_snapshot writes
 * an exact point-in-time image instead (store/snapshot.h), still without
 * pausing writers.
 *
 * Loading (rdb_load.c) parses the whole stream into a staging area first
 * (values built with the store's type APIs, st_malloc-accounted), checking
 * every length against the bytes left, the internal consistency of every
 * listpack / ziplist / intset blob, duplicate keys and the CRC64 trailer.
 * Only when all of it is valid is it applied to the keyspace, all stripes
 * held, so no client ever sees a half-loaded image; on any error nothing
 * changes and the staging area is freed.
 *
 * Threads: both functions run on a thread registered with the store
 * (st_thread_register) and online, holding no stripe lock and no pointer
 * into the keyspace: they may announce quiescent states
 * (st_worker_quiescent) between batches of keys.  Callbacks are called on
 * that thread, never with a stripe lock held.
 */
#ifndef CTL_RDB_H
#define CTL_RDB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define CTL_RDB_VERSION 10		/* what we write */
#define CTL_RDB_VERSION_MIN_LOAD 1	/* oldest we load (as Redis 7.0; tested: 9, 10) */

/* Opcodes (Redis rdb.h). */
enum {
	CTL_RDB_OPCODE_FUNCTION2 = 245,
	CTL_RDB_OPCODE_FUNCTION = 246,	/* 7.0 release candidates only */
	CTL_RDB_OPCODE_MODULE_AUX = 247,
	CTL_RDB_OPCODE_IDLE = 248,
	CTL_RDB_OPCODE_FREQ = 249,
	CTL_RDB_OPCODE_AUX = 250,
	CTL_RDB_OPCODE_RESIZEDB = 251,
	CTL_RDB_OPCODE_EXPIRETIME_MS = 252,
	CTL_RDB_OPCODE_EXPIRETIME = 253,
	CTL_RDB_OPCODE_SELECTDB = 254,
	CTL_RDB_OPCODE_EOF = 255,
};

/* Object types (Redis rdb.h). */
enum {
	CTL_RDB_TYPE_STRING = 0,
	CTL_RDB_TYPE_LIST = 1,
	CTL_RDB_TYPE_SET = 2,
	CTL_RDB_TYPE_ZSET = 3,
	CTL_RDB_TYPE_HASH = 4,
	CTL_RDB_TYPE_ZSET_2 = 5,
	CTL_RDB_TYPE_MODULE = 6,
	CTL_RDB_TYPE_MODULE_2 = 7,
	CTL_RDB_TYPE_HASH_ZIPMAP = 9,
	CTL_RDB_TYPE_LIST_ZIPLIST = 10,
	CTL_RDB_TYPE_SET_INTSET = 11,
	CTL_RDB_TYPE_ZSET_ZIPLIST = 12,
	CTL_RDB_TYPE_HASH_ZIPLIST = 13,
	CTL_RDB_TYPE_LIST_QUICKLIST = 14,
	CTL_RDB_TYPE_STREAM_LISTPACKS = 15,
	CTL_RDB_TYPE_HASH_LISTPACK = 16,
	CTL_RDB_TYPE_ZSET_LISTPACK = 17,
	CTL_RDB_TYPE_LIST_QUICKLIST_2 = 18,
	CTL_RDB_TYPE_STREAM_LISTPACKS_2 = 19,
};

/* ---- saving --------------------------------------------------------------- */

/* Where the bytes go.  write() returns 0 or a negative errno (the save stops
 * and returns it).  Called with chunks of any size (up to about 256 KiB plus
 * one serialised key), in order, never with a stripe lock held but possibly
 * inside an RCU read-side section (the keyspace scan): it must not call
 * into the store, and blocking in it delays memory reclamation, so a network
 * writer should queue rather than wait for a slow peer. */
struct ctl_rdb_writer {
	int (*write)(void *ctx, const void *p, size_t n);
	void *ctx;
	/* AUX fields; repl_id NULL writes 40 '0's (Redis with no backlog). */
	const char *repl_id;
	long long repl_offset;
	int repl_stream_db;		/* -1 omits the field (Redis: no master) */
	/* Filled in by the save. */
	uint64_t bytes;			/* bytes written */
	uint64_t keys;			/* keys written */
};

/*
 * Stream an RDB v10 image of all ST_DBNUM databases through w: "REDIS0010",
 * AUX fields (redis-ver 7.0.15, redis-bits, ctime, used-mem, repl-stream-db,
 * repl-id, repl-offset, aof-base), then per non-empty database SELECTDB +
 * RESIZEDB and its keys (EXPIRETIME_MS when the key has a TTL, then the
 * value in the encoding Redis 7.0 would write), EOF and the CRC64 trailer.
 * Expired keys are left out.  Returns 0 or the writer's negative errno.
 * Fuzzy across keys, consistent per key (see the top of this file).
 */
int ctl_rdb_save(struct ctl_rdb_writer *w);

/*
 * Stream an exact point-in-time RDB v10 image through w: the keyspace as it
 * was right after write record S (store/wlog.h), while writers go on.  A
 * replica that loads it and applies exactly the records with seq > S ends
 * identical to the primary.  Steps: begin a snapshot (store/snapshot.h;
 * every stripe held for an instant), call on_begin(arg, S) (may be NULL;
 * it runs before any byte is written, so it may still fill w->repl_id,
 * repl_offset and repl_stream_db; it must not block for long: writers
 * queue pre-images meanwhile), stream the same layout as ctl_rdb_save
 * (same encodings), interleaving the pre-images of keys that writers
 * changed after S (each under its own SELECTDB; a database may therefore
 * appear several times, which Redis's loader and ours accept), end the
 * snapshot, write EOF and the CRC.  Unlike ctl_rdb_save, keys whose TTL
 * has passed but that are still present are kept, as Redis does (a
 * replica loads them and the primary's DEL follows in the stream; leaving
 * them out could disagree with a writer whose command clock still saw the
 * key alive).  Each key appears once.
 * Returns 0, -EBUSY if a snapshot is already active (nothing written),
 * -EPERM if the thread is not registered, or the writer's negative errno
 * (the snapshot is ended either way).
 * Threads: a thread registered with the store, online, no stripe lock
 * held (it returns online).  on_begin is called on it online.  w->write
 * is called on it only between batches of keys, with no stripe lock and
 * no keyspace pointer held and the thread *offline* (RCU): it may block,
 * e.g. on a bounded network buffer, without holding up memory
 * reclamation (it must still not call into the store).  Writers
 * meanwhile pay one serialisation of each key they change first (under
 * its stripe lock); the pre-images wait in memory until written, at most
 * one per key of S.
 */
int ctl_rdb_save_snapshot(struct ctl_rdb_writer *w,
			  void (*on_begin)(void *arg, uint64_t seq), void *arg);

/* List elements of at least 'bytes' bytes are saved as PLAIN quicklist
 * nodes (Redis's packed_threshold: 1 GiB by default, DEBUG
 * QUICKLIST-PACKED-THRESHOLD in Redis).  Any thread; the next save uses it. */
void ctl_rdb_set_packed_threshold(size_t bytes);

/* Save to a file: written to "<path>.tmp-<pid>", fsync'ed, renamed over
 * path.  0 or a negative errno (the temporary file is removed). */
int ctl_rdb_save_file(const char *path, struct ctl_rdb_writer *w);

/* ---- loading -------------------------------------------------------------- */

/* Where the bytes come from.  read() works as read(2): returns the bytes
 * copied into buf (1..n), 0 at the end of the input, or a negative errno.
 * 'size' is the total input size when known (a file, a "$<len>" transfer):
 * every length in the image is then checked against the bytes left before
 * anything is allocated; UINT64_MAX when unknown (big values then grow as
 * their bytes arrive, so a bogus length still fails on the truncation). */
struct ctl_rdb_reader {
	ssize_t (*read)(void *ctx, void *buf, size_t n);
	void *ctx;
	uint64_t size;
};

/* Reader over a memory buffer (ctx = the struct). */
struct ctl_rdb_mem {
	const unsigned char *p;
	size_t len, pos;
};
void ctl_rdb_reader_mem(struct ctl_rdb_reader *r, struct ctl_rdb_mem *m,
			const void *p, size_t len);

/* ctl_rdb_load flags. */
enum {
	/* Load keys whose TTL has passed (a replica does; a primary skips
	 * them, as Redis's iAmMaster()). */
	CTL_RDB_LOAD_KEEP_EXPIRED = 1u << 0,
	/* Empty every database before applying (full resync, DEBUG RELOAD);
	 * otherwise keys of the image replace keys of the same name and the
	 * others stay. */
	CTL_RDB_LOAD_FLUSH = 1u << 1,
	/* Fail on FUNCTION2 records instead of skipping them (the store has
	 * no functions; skipping loses the libraries but keeps the data). */
	CTL_RDB_LOAD_STRICT_FUNCTIONS = 1u << 2,
};

/* What a load found. */
struct ctl_rdb_info {
	int version;			/* RDB format version of the image */
	int repl_stream_db;		/* AUX repl-stream-db, -1 if absent */
	char repl_id[41];		/* AUX repl-id, "" if absent */
	long long repl_offset;		/* AUX repl-offset, -1 if absent */
	bool crc_checked;		/* false: the image had 8 zero bytes */
	uint64_t keys_loaded;		/* keys applied */
	uint64_t keys_expired;		/* skipped: TTL passed (primary) */
	uint64_t keys_empty;		/* skipped: empty collections */
	uint64_t functions_skipped;	/* FUNCTION2 records skipped */
	uint64_t bytes;			/* bytes consumed */
	char err[160];			/* what went wrong, "" on success */
};

/*
 * Parse an RDB image of version 9 or 10 from r and apply it to the
 * keyspace (see the flags).  info may be NULL.  Returns 0, or:
 *   -EINVAL   not an RDB image (bad magic)
 *   -ENOTSUP  a version, type or opcode we cannot load (RDB 11+, modules,
 *             streams, FUNCTION2 with CTL_RDB_LOAD_STRICT_FUNCTIONS)
 *   -EBADMSG  corrupt or truncated image, duplicate key, bad database
 *   -EILSEQ   CRC64 mismatch
 *   or the reader's negative errno.
 * On any error the keyspace is unchanged and info->err says why.  With
 * r->size known the reader is never asked for bytes past it; with an
 * unknown size it is read in chunks of up to 64 KiB, so it must end where
 * the image ends (strip "$EOF:" marks before): bytes read past the CRC are
 * dropped.  Big images hold every stripe while they are applied (as Redis
 * blocks while it loads).
 */
int ctl_rdb_load(struct ctl_rdb_reader *r, unsigned flags,
		 struct ctl_rdb_info *info);

/* Load a file (size known).  0 or a negative errno as ctl_rdb_load. */
int ctl_rdb_load_file(const char *path, unsigned flags,
		      struct ctl_rdb_info *info);

#endif
