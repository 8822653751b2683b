/*
 * repl_core.c -- the replication core: one thread that merges the
 * writers' rings strictly in sequence order and turns the records into
 * the stream in the backlog (repl.h).
 *
 * Call chain: ferryd -> ctl_repl_core_start -> core_main (loop):
 *   ctl_feed_take(next) -> ctl_stream_append_feed -> staging buffer ->
 *   [publish] ctl_backlog_append (advances master_repl_offset: pumps on
 *   the data cores may send it) ; ping every repl-ping-replica-period ;
 *   GETACK when a WAIT asked ; lag_stamp every repl-lag-probe-ms ;
 *   ctl_repl_cron at 1 Hz ;
 *   st_worker_quiescent ; idle backoff (pause, then offline sleeps).
 *
 * Batching: records are staged and published (appended to the backlog)
 * when repl-batch-window-us elapsed since the first staged byte, or
 * repl-batch-bytes accumulated; with window 0, at the end of every
 * iteration.  With the default window 0 everything that arrived while the core was
 * busy goes out at the end of the iteration: an idle primary publishes
 * each write at once (latency), a loaded one publishes bigger batches
 * per iteration on its own (throughput: fewer release stores, bigger TCP
 * segments on the pumps).  A window > 0 trades latency for larger
 * batches even at low rates.
 *
 * The seq -> offset map: after each record the core stores (seq, stream
 * offset after it, the db last SELECTed) in a ring of 64K slots (a seqlock
 * per slot, the seq itself), which full syncs read to turn a snapshot's
 * sequence into the FULLRESYNC offset and WAIT to turn a client's last
 * write into an offset.
 *
 * While ctl_repl_role() == CTL_ROLE_REPLICA records are consumed and
 * discarded: the master link appends the master's bytes itself.
 */
#include "repl.h"

#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "buf.h"
#include "client.h"
#include "config.h"
#include "repl_lagprobe.h"
#include "util.h"
#include "wlog.h"
#include "worker.h"

#define MAP_SLOTS 65536u
#define CORE_BURST 4096			/* records between housekeeping */

struct map_slot {
	_Atomic uint64_t seq;
	_Atomic long long off;
	_Atomic int db;
};

static struct {
	pthread_t thread;
	_Atomic bool running;
	_Atomic bool stop;
	_Atomic bool reset_seldb;
	_Atomic bool getack;
	_Atomic uint64_t seq;		/* last consumed */
	int cpu;
	struct map_slot map[MAP_SLOTS];
} core;

static void
map_put(uint64_t seq, long long off, int db)
{
	struct map_slot *m = &core.map[seq & (MAP_SLOTS - 1)];

	atomic_store_explicit(&m->seq, 0, memory_order_relaxed);
	atomic_thread_fence(memory_order_release);
	atomic_store_explicit(&m->off, off, memory_order_relaxed);
	atomic_store_explicit(&m->db, db, memory_order_relaxed);
	atomic_store_explicit(&m->seq, seq, memory_order_release);
}

static int
map_get(uint64_t seq, long long *off, int *db)
{
	struct map_slot *m = &core.map[seq & (MAP_SLOTS - 1)];
	uint64_t s1 = atomic_load_explicit(&m->seq, memory_order_acquire);
	long long o = atomic_load_explicit(&m->off, memory_order_relaxed);
	int d = atomic_load_explicit(&m->db, memory_order_relaxed);

	atomic_thread_fence(memory_order_acquire);
	if (s1 != seq || atomic_load_explicit(&m->seq, memory_order_relaxed) != seq)
		return -ESTALE;
	*off = o;
	*db = d;
	return 0;
}

static void
publish(struct st_buf *b)
{
	if (b->len == 0)
		return;
	if (ctl_repl_role() != CTL_ROLE_MASTER) {
		/* became a replica meanwhile: the master link owns the
		 * backlog now; what we staged is not part of that stream */
		st_buf_reset(b);
		return;
	}
	ctl_backlog_append(b->p, b->len);	/* dropped without a backlog */
	atomic_fetch_add_explicit(&ctl_repl_stats.publishes, 1,
				  memory_order_relaxed);
	st_buf_reset(b);
	st_buf_shrink(b);
}

/*
 * The primary's lag-probe stamp: with repl-lag-probe-ms > 0, a
 * repl-lag-probe-key set, replicas attached and no failover under way,
 * SET <key> <unix ms, 3 decimals> every repl-lag-probe-ms, executed here
 * as an ordinary write (applied to the keyspace, numbered, replicated:
 * stock replicas just get a SET).  A ferry replica with the same
 * repl-lag-probe-key then measures each stamp from the moment the
 * primary wrote it (repl_lagprobe.h), without a client's round trip.
 * Like pt-heartbeat's row, it writes into the keyspace: off by default.
 * The replication core's thread only (its own client and feed ring; the
 * core drains that ring itself, one small record per period).
 */
static void
lag_stamp(struct st_worker *w, struct st_client **cp, int64_t now_ms,
	  int64_t *next_ms)
{
	long long every = CTL_CFG(repl_lag_probe_ms);
	char key[CTL_LAGPROBE_KEY_MAX + 1], val[32], req[CTL_LAGPROBE_KEY_MAX + 96];
	struct st_client *c = *cp;
	int64_t us;
	size_t klen;
	int vlen, n;

	if (every <= 0 || now_ms < *next_ms)
		return;
	*next_ms = now_ms + every;
	if (ctl_repl_role() != CTL_ROLE_MASTER || ctl_replicas_count() == 0 ||
	    ctl_failover_state() != CTL_FAILOVER_NONE ||
	    st_config_get("repl-lag-probe-key", key, sizeof(key)) != 0 ||
	    key[0] == '\0')
		return;
	klen = strlen(key);
	if (klen >= CTL_LAGPROBE_KEY_MAX)
		return;			/* the replicas do not accept it */
	if (c == NULL) {
		c = st_client_new(w);
		if (c == NULL)
			return;
		c->flags |= ST_CLIENT_AUTHENTICATED;
		snprintf(c->addr, sizeof(c->addr), "repl-lag-probe");
		*cp = c;
	}
	us = st_ustime();
	vlen = snprintf(val, sizeof(val), "%lld.%03lld",
			(long long)(us / 1000), (long long)(us % 1000));
	n = snprintf(req, sizeof(req), "*3\r\n$3\r\nSET\r\n$%zu\r\n%s\r\n"
		     "$%d\r\n%s\r\n", klen, key, vlen, val);
	if (n <= 0 || (size_t)n >= sizeof(req))
		return;
	c->db = 0;
	st_client_feed(c, req, (size_t)n);
	st_client_process(c);
	st_buf_reset(&c->out);		/* +OK, or an error nobody reads */
	c->flags &= ~ST_CLIENT_CLOSE_AFTER_REPLY;
	atomic_fetch_add_explicit(&ctl_repl_stats.lag_stamps, 1,
				  memory_order_relaxed);
}

static void
idle_sleep(unsigned idle)
{
	if (idle < 64) {
#if defined(__x86_64__) || defined(__i386__)
		__builtin_ia32_pause();
#else
		sched_yield();
#endif
		return;
	}
	{
		long us = idle < 256 ? 10 : 100;
		struct timespec ts = { 0, us * 1000 };

		st_worker_offline();
		nanosleep(&ts, NULL);
		st_worker_online();
	}
}

static void *
core_main(void *arg)
{
	struct st_worker *w = st_thread_register();
	struct st_client *stamp_client = NULL;
	int64_t next_stamp_ms = 0;
	struct st_buf sbuf;
	struct ctl_stream st = { -1, &sbuf };
	uint64_t next = atomic_load(&core.seq) + 1;
	int64_t last_ping_ms = st_mstime(), last_cron_ms = 0, first_staged_us = 0;
	unsigned idle = 0;

	(void)arg;
	st_buf_init(&sbuf);
	while (!atomic_load_explicit(&core.stop, memory_order_acquire)) {
		struct ctl_feed_rec r;
		int work = 0;
		bool primary = ctl_repl_role() == CTL_ROLE_MASTER;
		long long window = CTL_CFG(repl_batch_window_us);
		long long bbytes = CTL_CFG(repl_batch_bytes);
		int64_t now_ms;

		if (atomic_exchange_explicit(&core.reset_seldb, false,
					     memory_order_acq_rel))
			st.seldb = -1;
		while (work < CORE_BURST && ctl_feed_take(next, &r)) {
			/* records applied from a master (as a replica, or
			 * before a promotion) are in the backlog already:
			 * decided per record, by when it was drawn, not by
			 * the role when this burst started */
			bool keep = ctl_backlog_exists() &&
				    ctl_repl_seq_is_ours(next);

			primary = ctl_repl_role() == CTL_ROLE_MASTER;

			if (keep) {
				if (sbuf.len == 0)
					first_staged_us = st_ustime();
				ctl_stream_append_feed(&st, &r);
			}
			ctl_feed_release(&r);
			/* as a replica the master link maps its records
			 * (ctl_repl_core_map_applied): only it knows where
			 * each command's bytes end */
			if (primary)
				map_put(next, atomic_load_explicit(
					&ctl_repl.master_repl_offset,
					memory_order_relaxed) +
					(long long)sbuf.len, st.seldb);
			atomic_store_explicit(&core.seq, next, memory_order_release);
			atomic_fetch_add_explicit(&ctl_repl_stats.records, 1,
						  memory_order_relaxed);
			next++;
			work++;
			if ((long long)sbuf.len >= bbytes)
				publish(&sbuf);
		}
		now_ms = st_mstime();
		if (primary && ctl_backlog_exists()) {
			/* no pings while a failover waits for the offset
			 * to settle (Redis replicationCron) */
			if (now_ms - last_ping_ms >=
			    (int64_t)CTL_CFG(repl_ping_replica_period) * 1000 &&
			    ctl_failover_state() == CTL_FAILOVER_NONE) {
				last_ping_ms = now_ms;
				if (ctl_replicas_count() > 0) {
					ctl_stream_append_ping(&st);
					work++;
				}
			}
			if (atomic_exchange_explicit(&core.getack, false,
						     memory_order_acq_rel)) {
				ctl_stream_append_getack(&st);
				work++;
			}
		} else {
			atomic_store(&core.getack, false);
		}
		/* window 0: publish whenever the rings ran dry (or a burst
		 * ended); window > 0: hold the staged bytes until the window
		 * elapsed (or repl-batch-bytes accumulated, above) */
		if (sbuf.len > 0 &&
		    (window == 0 || st_ustime() - first_staged_us >= window))
			publish(&sbuf);
		lag_stamp(w, &stamp_client, now_ms, &next_stamp_ms);
		if (now_ms - last_cron_ms >= 1000) {
			last_cron_ms = now_ms;
			ctl_repl_cron();
		}
		ctl_failover_cron();
		st_worker_quiescent();
		if (work)
			idle = 0;
		else
			idle_sleep(idle++);
		if (window > 0 && sbuf.len > 0 && work == 0 &&
		    st_ustime() - first_staged_us >= window)
			publish(&sbuf);
	}
	publish(&sbuf);
	st_buf_free(&sbuf);
	if (stamp_client != NULL)
		st_client_free(stamp_client);
	st_thread_unregister(w);
	return NULL;
}

int
ctl_repl_core_start(int cpu)
{
	int rc;

	if (atomic_load(&core.running))
		return -EALREADY;
	core.cpu = cpu;
	atomic_store(&core.stop, false);
	/* sink first, then the starting point: a record drawn after we read
	 * the counter sees the sink; earlier ones that reach a ring anyway
	 * are dropped by ctl_feed_take (seq < next) */
	st_wlog_set_sink(ctl_feed_sink, NULL);
	atomic_store(&core.seq, st_wlog_last_seq());
	map_put(atomic_load(&core.seq), atomic_load(&ctl_repl.master_repl_offset), -1);
	rc = pthread_create(&core.thread, NULL, core_main, NULL);
	if (rc != 0) {
		st_wlog_set_sink(NULL, NULL);
		return -rc;
	}
	pthread_setname_np(core.thread, "ferry-repl");
	if (cpu >= 0) {
		cpu_set_t set;

		CPU_ZERO(&set);
		CPU_SET(cpu, &set);
		rc = pthread_setaffinity_np(core.thread, sizeof(set), &set);
		if (rc != 0)
			fprintf(stderr, "ferryd: --repl-cpu %d: %s (not pinned)\n",
				cpu, strerror(rc));
	}
	atomic_store(&core.running, true);
	return 0;
}

void
ctl_repl_core_stop(void)
{
	if (!atomic_load(&core.running))
		return;
	ctl_repl_sync_stop();
	st_wlog_set_sink(NULL, NULL);
	atomic_store(&core.stop, true);
	pthread_join(core.thread, NULL);
	atomic_store(&core.running, false);
	ctl_feed_reset();
}

bool
ctl_repl_core_running(void)
{
	return atomic_load(&core.running);
}

uint64_t
ctl_repl_core_seq(void)
{
	return atomic_load_explicit(&core.seq, memory_order_acquire);
}

int
ctl_repl_core_seq_offset(uint64_t seq, long long *off, int *db,
			 int timeout_ms, bool offline)
{
	int64_t deadline = st_mstime() + timeout_ms;
	int rc = 0;

	if (!atomic_load(&core.running))
		return -ENOTCONN;
	if (offline)
		st_worker_offline();
	while (ctl_repl_core_seq() < seq) {
		struct timespec ts = { 0, 50000 };

		if (st_mstime() > deadline || !atomic_load(&core.running)) {
			rc = -ETIMEDOUT;
			break;
		}
		nanosleep(&ts, NULL);
	}
	if (offline)
		st_worker_online();
	if (rc == 0)
		rc = map_get(seq, off, db);
	return rc;
}

void
ctl_repl_core_map_applied(uint64_t first, uint64_t last, long long off,
			  int db)
{
	if (last >= first && last - first >= MAP_SLOTS)
		first = last - MAP_SLOTS + 1;
	for (uint64_t s = first; s <= last && s != 0; s++)
		map_put(s, off, db);
}

int
ctl_repl_core_applied_offset(uint64_t seq, long long *off, int *db,
			     int timeout_ms)
{
	int64_t deadline = st_mstime() + timeout_ms;
	int rc;

	/* the command that drew seq may still be running on the master
	 * link's core: its record appears when it returns */
	while ((rc = map_get(seq, off, db)) != 0 && st_mstime() <= deadline) {
		struct timespec ts = { 0, 50000 };

		nanosleep(&ts, NULL);
	}
	return rc == 0 ? 0 : (st_mstime() > deadline ? -ETIMEDOUT : rc);
}

void
ctl_repl_core_request_getack(void)
{
	atomic_store_explicit(&core.getack, true, memory_order_release);
}

void
ctl_repl_core_reset_seldb(void)
{
	atomic_store_explicit(&core.reset_seldb, true, memory_order_release);
}
