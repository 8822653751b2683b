/*
 * repl_master.c -- the primary side of a replica connection: PSYNC / SYNC
 * decisions, full syncs from snapshots, REPLCONF, and the pump that feeds
 * the replica's TCP connection on its data core (repl_master.h, repl.h).
 *
 * Call chains:
 *   PSYNC/SYNC (data core) -> ctl_psync_command -> continue: "+CONTINUE",
 *     ONLINE from the asked offset | full: sync_enqueue -> the snapshot
 *     thread (one at a time, started on demand): snapshot_save ->
 *     job_on_begin (sequence S -> FULLRESYNC offset through the core's
 *     map) -> job_write (RDB bytes into the job's chunk queue)
 *   transport poll (data core) -> ctl_replica_pump -> output limit check
 *     -> outq (control lines, RDB) -> backlog -> send callback (dp_tcp_send)
 *   backlog writer (replication core / master link) -> ctl_backlog_append
 *     -> ctl_replicas_min_needed (registry walk: which bytes to keep)
 *   REPLCONF ACK -> ack_off / ack_ms (WAIT, INFO, min-replicas)
 *   client freed -> ctl_replica_free_client (registry out, job abandoned)
 *
 * Snapshots.  snapshot_save uses ctl_rdb_save_snapshot (a point-in-time
 * image at write sequence S; -EBUSY while another snapshot runs: retried).
 * Its fallback, kept in a comment there, is ctl_rdb_save with
 * S = st_wlog_last_seq() taken just before: a fuzzy image (writes racing
 * with the scan may be in it and replayed again from the stream --
 * harmless for SET/DEL/PXAT, not for INCR/APPEND/LPUSH).
 *
 * Buffering.  EOF framing ($EOF:<mark>, replicas with capa eof) streams the
 * image through a bounded queue (SYNC_BUF_MAX): the snapshot thread waits
 * when it is full.  That wait may happen inside the keyspace scan, i.e.
 * online for QSBR: a slow replica then delays memory reclamation (deferred
 * frees pile up) for as long as it stalls; it is bounded by the replica's
 * timeout.  $<len> framing (replicas without capa eof, SYNC) needs the
 * length first: the whole image is buffered in memory, then sent.
 *
 * Falling behind.  Stream bytes a replica cannot take yet (waiting for its
 * snapshot, during the RDB transfer, a slow or stopped TCP peer) stay in
 * the backlog: the writer asks ctl_replicas_min_needed before it would
 * overwrite them and grows the ring instead (repl_backlog.c), so the
 * pump's reads never fall out of it while the replica is within Redis's
 * client-output-buffer-limit replica class -- lag (end - send_off + 1)
 * over the hard limit, or over the soft limit for more than its seconds,
 * closes the replica (-ENOBUFS), as Redis closes a replica whose output
 * buffer passed the limit.  A WAIT_BGSAVE replica pins from the moment
 * job_on_begin chose its FULLRESYNC offset (it sets send_off under the
 * registry lock), before the pump sends +FULLRESYNC.
 */
#include "repl_master.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "client.h"
#include "cmd_util.h"
#include "config.h"
#include "rdb.h"
#include "resp_compose.h"
#include "util.h"
#include "wlog.h"
#include "worker.h"

#define SYNC_BUF_MAX (8u << 20)		/* EOF framing: queued RDB bytes */
#define PULL_MAX (256u << 10)		/* RDB bytes moved to outq at once */

static const char *const replica_state_names[CTL_REPLICA_NSTATES] = {
	[CTL_REPLICA_WAIT_BGSAVE] = "wait_bgsave",
	[CTL_REPLICA_SEND_BULK] = "send_bulk",
	[CTL_REPLICA_ONLINE] = "online",
};

const char *
ctl_replica_state_name(enum ctl_replica_state s)
{
	return (unsigned)s < CTL_REPLICA_NSTATES ? replica_state_names[s] :
						    "unknown";
}

/* ---- output queues ---------------------------------------------------------- */

static int
outq_append(struct ctl_outq *q, const void *p, size_t n)
{
	if (q->off > 0 && q->off == q->len) {
		q->off = q->len = 0;
	}
	if (q->len + n > q->cap) {
		size_t cap = q->cap ? q->cap : 4096;
		char *np;

		if (q->off > 0) {	/* compact first */
			memmove(q->p, q->p + q->off, q->len - q->off);
			q->len -= q->off;
			q->off = 0;
		}
		while (cap < q->len + n)
			cap *= 2;
		if (cap != q->cap) {
			np = realloc(q->p, cap);
			if (np == NULL)
				return -ENOMEM;
			q->p = np;
			q->cap = cap;
		}
	}
	memcpy(q->p + q->len, p, n);
	q->len += n;
	return 0;
}

static size_t
outq_pending(const struct ctl_outq *q)
{
	return q->len - q->off;
}

/* Send what the connection takes; true when the queue is empty. */
static bool
outq_flush(struct ctl_outq *q, ctl_send_fn send, void *ctx, size_t *budget,
	   long *sent)
{
	while (q->off < q->len && *budget > 0) {
		size_t n = q->len - q->off, k;

		if (n > *budget)
			n = *budget;
		k = send(ctx, q->p + q->off, n);
		q->off += k;
		*sent += (long)k;
		*budget -= k;
		if (k < n)
			break;
	}
	if (q->off == q->len) {
		q->off = q->len = 0;
		if (q->cap > (1u << 20)) {
			free(q->p);
			q->p = NULL;
			q->cap = 0;
		}
		return true;
	}
	return false;
}

static void
outq_free(struct ctl_outq *q)
{
	free(q->p);
	memset(q, 0, sizeof(*q));
}

/* ---- full-sync jobs ------------------------------------------------------- */

enum job_state { JOB_QUEUED = 0, JOB_RUNNING, JOB_DONE, JOB_FAILED };

struct job_chunk {
	struct job_chunk *next;
	size_t len;
	char data[];
};

struct ctl_sync_job {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int refs;
	enum job_state st;
	bool eof;
	bool abandoned;
	char mark[CTL_REPLID_LEN + 1];
	char replid[CTL_REPLID_LEN + 1];
	long long offset;
	struct job_chunk *head, *tail;
	size_t queued;
	uint64_t total;
	struct ctl_rdb_writer w;
	/* the replica it is for, until it goes (under reg_lock): job_on_begin
	 * pins its send_off at the chosen offset */
	struct ctl_replica *owner;
	struct ctl_sync_job *next;	/* sync queue */
};

static pthread_mutex_t sync_lock = PTHREAD_MUTEX_INITIALIZER;
/* the replica registry (below); job owners are cleared under it too */
static pthread_mutex_t reg_lock = PTHREAD_MUTEX_INITIALIZER;
static struct ctl_replica *reg_head;
static _Atomic int reg_count;
static struct ctl_sync_job *sync_head, *sync_tail;
static struct ctl_sync_job *sync_running;	/* the snapshot in progress */
static bool sync_thread_on;
static pthread_cond_t sync_idle = PTHREAD_COND_INITIALIZER;

static void
job_unref(struct ctl_sync_job *j)
{
	bool last;

	pthread_mutex_lock(&j->mu);
	last = --j->refs == 0;
	pthread_mutex_unlock(&j->mu);
	if (!last)
		return;
	while (j->head) {
		struct job_chunk *ch = j->head;

		j->head = ch->next;
		free(ch);
	}
	pthread_mutex_destroy(&j->mu);
	pthread_cond_destroy(&j->cv);
	free(j);
}

static void
job_on_begin(void *arg, uint64_t seq)
{
	struct ctl_sync_job *j = arg;
	long long off;
	int db = -1, rc = 0;

	if (ctl_repl_role() == CTL_ROLE_MASTER && ctl_repl_core_running() &&
	    seq <= ctl_repl_promotion_seq(&off)) {
		/* promoted, no write since: the old history's end, exact
		 * (the core's map does not know the replica-era offsets) */
		db = -1;
	} else if (ctl_repl_role() == CTL_ROLE_MASTER && ctl_repl_core_running()) {
		/* not offline: the snapshot may call us inside its scan */
		rc = ctl_repl_core_seq_offset(seq, &off, &db, 30000, false);
	} else if (ctl_repl_core_running() &&
		   ctl_repl_core_applied_offset(seq, &off, &db, 5000) == 0) {
		/* a replica: the end of the master's command that drew seq
		 * (or of the image we loaded), as our master link recorded
		 * it -- exact */
	} else {
		/* no record of seq (a write of our own on a writable
		 * replica, or no core): the current offset, approximate */
		off = atomic_load(&ctl_repl.master_repl_offset);
	}
	ctl_repl_core_reset_seldb();
	pthread_mutex_lock(&ctl_repl.lock);
	memcpy(j->replid, ctl_repl.replid, sizeof(j->replid));
	pthread_mutex_unlock(&ctl_repl.lock);
	if (rc == 0) {
		/* from now on the writer keeps the stream after 'off' for
		 * this replica (before the pump even sent +FULLRESYNC) */
		pthread_mutex_lock(&reg_lock);
		if (j->owner != NULL)
			atomic_store_explicit(&j->owner->send_off, off + 1,
					      memory_order_release);
		pthread_mutex_unlock(&reg_lock);
	}
	pthread_mutex_lock(&j->mu);
	if (rc < 0) {
		j->st = JOB_FAILED;
	} else {
		j->offset = off;
		j->w.repl_id = j->replid;
		j->w.repl_offset = off;
		j->w.repl_stream_db = db < 0 ? 0 : db;
		j->st = JOB_RUNNING;
	}
	pthread_cond_broadcast(&j->cv);
	pthread_mutex_unlock(&j->mu);
}

static int
job_write(void *ctx, const void *p, size_t n)
{
	struct ctl_sync_job *j = ctx;
	struct job_chunk *ch;
	int rc = 0;

	ch = malloc(sizeof(*ch) + n);
	if (ch == NULL)
		return -ENOMEM;
	ch->next = NULL;
	ch->len = n;
	memcpy(ch->data, p, n);
	pthread_mutex_lock(&j->mu);
	if (j->abandoned || j->st == JOB_FAILED) {
		rc = -ECANCELED;
		free(ch);
		goto out;
	}
	if (j->tail)
		j->tail->next = ch;
	else
		j->head = ch;
	j->tail = ch;
	j->queued += n;
	j->total += n;
	while (j->eof && j->queued > SYNC_BUF_MAX && !j->abandoned) {
		struct timespec ts;

		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_nsec += 100 * 1000000L;
		if (ts.tv_nsec >= 1000000000L) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000L;
		}
		pthread_cond_timedwait(&j->cv, &j->mu, &ts);
	}
	if (j->abandoned)
		rc = -ECANCELED;
out:
	pthread_mutex_unlock(&j->mu);
	return rc;
}

/* The one place that picks the snapshot primitive (see the top). */
static int
snapshot_save(struct ctl_rdb_writer *w, void (*on_begin)(void *, uint64_t),
	      void *arg)
{
	int rc;

	/* fallback without point-in-time snapshots (fuzzy image):
	 *	on_begin(arg, st_wlog_last_seq()); return ctl_rdb_save(w); */
	for (int tries = 0; tries < 200; tries++) {
		struct timespec ts = { 0, 50 * 1000000L };

		rc = ctl_rdb_save_snapshot(w, on_begin, arg);
		if (rc != -EBUSY)
			return rc;
		st_worker_offline();	/* someone else's snapshot: wait */
		nanosleep(&ts, NULL);
		st_worker_online();
	}
	return rc;
}

static void *
sync_thread(void *arg)
{
	struct st_worker *w = st_thread_register();

	(void)arg;
	for (;;) {
		struct ctl_sync_job *j;
		int rc;

		pthread_mutex_lock(&sync_lock);
		j = sync_head;
		if (j == NULL) {
			sync_thread_on = false;
			pthread_cond_broadcast(&sync_idle);
			pthread_mutex_unlock(&sync_lock);
			break;
		}
		sync_head = j->next;
		if (sync_head == NULL)
			sync_tail = NULL;
		sync_running = j;
		pthread_mutex_unlock(&sync_lock);

		pthread_mutex_lock(&j->mu);
		rc = j->abandoned ? -ECANCELED : 0;
		pthread_mutex_unlock(&j->mu);
		if (rc == 0) {
			j->w.write = job_write;
			j->w.ctx = j;
			j->w.repl_stream_db = 0;
			rc = snapshot_save(&j->w, job_on_begin, j);
		}
		pthread_mutex_lock(&j->mu);
		if (rc < 0 && j->st != JOB_FAILED) {
			if (rc != -ECANCELED)
				fprintf(stderr, "ferryd: full sync snapshot "
					"failed: %s\n", strerror(-rc));
			j->st = JOB_FAILED;
		} else if (rc == 0 && j->st == JOB_RUNNING) {
			j->st = JOB_DONE;
		}
		pthread_cond_broadcast(&j->cv);
		pthread_mutex_unlock(&j->mu);
		pthread_mutex_lock(&sync_lock);
		sync_running = NULL;
		pthread_mutex_unlock(&sync_lock);
		job_unref(j);
		st_worker_quiescent();
	}
	if (w)
		st_thread_unregister(w);
	return NULL;
}

static struct ctl_sync_job *
sync_enqueue(bool eof, struct ctl_replica *owner)
{
	struct ctl_sync_job *j = calloc(1, sizeof(*j));
	pthread_t t;
	bool start = false;

	if (j == NULL)
		return NULL;
	pthread_mutex_init(&j->mu, NULL);
	pthread_cond_init(&j->cv, NULL);
	j->refs = 2;			/* the replica, the queue/thread */
	j->eof = eof;
	j->owner = owner;
	ctl_repl_random_hex(j->mark, CTL_REPLID_LEN);
	pthread_mutex_lock(&sync_lock);
	if (sync_tail)
		sync_tail->next = j;
	else
		sync_head = j;
	sync_tail = j;
	if (!sync_thread_on) {
		sync_thread_on = true;
		start = true;
	}
	pthread_mutex_unlock(&sync_lock);
	if (start) {
		pthread_attr_t at;

		pthread_attr_init(&at);
		pthread_attr_setdetachstate(&at, PTHREAD_CREATE_DETACHED);
		if (pthread_create(&t, &at, sync_thread, NULL) != 0) {
			pthread_mutex_lock(&sync_lock);
			sync_thread_on = false;
			pthread_mutex_unlock(&sync_lock);
			/* the replica sees JOB_FAILED: the job stays queued
			 * for the next attempt's thread */
			pthread_mutex_lock(&j->mu);
			j->st = JOB_FAILED;
			pthread_mutex_unlock(&j->mu);
		}
		pthread_attr_destroy(&at);
	}
	return j;
}

static void
job_abandon(struct ctl_sync_job *j)
{
	pthread_mutex_lock(&j->mu);
	j->abandoned = true;
	pthread_cond_broadcast(&j->cv);
	pthread_mutex_unlock(&j->mu);
}

void
ctl_repl_sync_stop(void)
{
	struct timespec ts;

	pthread_mutex_lock(&sync_lock);
	for (struct ctl_sync_job *j = sync_head; j; j = j->next)
		job_abandon(j);
	if (sync_running)
		job_abandon(sync_running);
	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += 10;
	while (sync_thread_on &&
	       pthread_cond_timedwait(&sync_idle, &sync_lock, &ts) == 0)
		;
	pthread_mutex_unlock(&sync_lock);
}

/* ---- the registry (reg_lock, reg_head, reg_count: declared above) ---------- */

static void
reg_add(struct ctl_replica *r)
{
	pthread_mutex_lock(&reg_lock);
	r->reg_next = reg_head;
	reg_head = r;
	r->registered = true;
	atomic_fetch_add(&reg_count, 1);
	pthread_mutex_unlock(&reg_lock);
}

static void
reg_del(struct ctl_replica *r)
{
	pthread_mutex_lock(&reg_lock);
	for (struct ctl_replica **pp = &reg_head; *pp; pp = &(*pp)->reg_next) {
		if (*pp == r) {
			*pp = r->reg_next;
			atomic_fetch_sub(&reg_count, 1);
			break;
		}
	}
	r->registered = false;
	pthread_mutex_unlock(&reg_lock);
}

int
ctl_replicas_count(void)
{
	return atomic_load(&reg_count);
}

int
ctl_replicas_snapshot(struct ctl_replica_view *v, int max)
{
	int n = 0;
	int64_t now = st_mstime();

	pthread_mutex_lock(&reg_lock);
	for (struct ctl_replica *r = reg_head; r && n < max; r = r->reg_next) {
		snprintf(v[n].ip, sizeof(v[n].ip), "%s", r->ip);
		v[n].port = r->port;
		v[n].state = (enum ctl_replica_state)atomic_load(&r->state);
		v[n].ack_off = atomic_load(&r->ack_off);
		v[n].lag_s = (now - atomic_load(&r->ack_ms)) / 1000;
		n++;
	}
	pthread_mutex_unlock(&reg_lock);
	/* the registry is newest-first; Redis lists in attach order */
	for (int i = 0; i < n / 2; i++) {
		struct ctl_replica_view t = v[i];

		v[i] = v[n - 1 - i];
		v[n - 1 - i] = t;
	}
	return n;
}

int
ctl_replicas_acked(long long off)
{
	int n = 0;

	pthread_mutex_lock(&reg_lock);
	for (struct ctl_replica *r = reg_head; r; r = r->reg_next)
		if (atomic_load(&r->state) == CTL_REPLICA_ONLINE &&
		    atomic_load(&r->ack_off) >= off)
			n++;
	pthread_mutex_unlock(&reg_lock);
	return n;
}

void
ctl_repl_refresh_good(void)
{
	int64_t now = st_mstime();
	long long lag = CTL_CFG(min_replicas_max_lag);
	int good = 0;

	pthread_mutex_lock(&reg_lock);
	for (struct ctl_replica *r = reg_head; r; r = r->reg_next)
		if (atomic_load(&r->state) == CTL_REPLICA_ONLINE &&
		    (now - atomic_load(&r->ack_ms)) / 1000 <= lag)
			good++;
	pthread_mutex_unlock(&reg_lock);
	atomic_store(&ctl_repl.good_replicas, good);
}

/* Redis replicationCron: a master that had no replicas for
 * repl-backlog-ttl seconds frees its backlog and starts a new history. */
static void
backlog_ttl_cron(void)
{
	static int64_t no_replicas_since;
	int64_t now = st_mstime();
	long long ttl = CTL_CFG(repl_backlog_ttl);

	if (ctl_replicas_count() > 0 || !ctl_backlog_exists() ||
	    ctl_repl_role() != CTL_ROLE_MASTER) {
		no_replicas_since = 0;
		return;
	}
	if (no_replicas_since == 0) {
		no_replicas_since = now;
		return;
	}
	if (ttl == 0 || now - no_replicas_since < ttl * 1000)
		return;
	pthread_mutex_lock(&ctl_repl.lock);
	if (ctl_replicas_count() == 0 && ctl_backlog_retire() == 0) {
		ctl_repl_new_replid_locked();
		fprintf(stderr, "ferryd: replication backlog freed after %lld "
			"seconds without replicas\n", ttl);
	}
	pthread_mutex_unlock(&ctl_repl.lock);
	no_replicas_since = 0;
}

void
ctl_repl_cron(void)
{
	ctl_repl_refresh_good();
	backlog_ttl_cron();
}

/* r no longer wants pins set through its job (it goes, or got its
 * offset). */
static void
job_disown(struct ctl_replica *r)
{
	if (r->job == NULL)
		return;
	pthread_mutex_lock(&reg_lock);
	r->job->owner = NULL;
	pthread_mutex_unlock(&reg_lock);
}

long long
ctl_replicas_min_needed(long long floor, long long end)
{
	long long hard = CTL_CFG(client_output_buffer_limit_replica);
	long long min = LLONG_MAX;

	if (atomic_load(&reg_count) == 0)
		return min;	/* the common case, without the lock: a
				 * replica registering now pins at or after
				 * what it was given, which the ring's slack
				 * covers */
	pthread_mutex_lock(&reg_lock);
	for (struct ctl_replica *r = reg_head; r; r = r->reg_next) {
		long long next = atomic_load_explicit(&r->send_off,
						      memory_order_acquire);

		if (next <= 0 || next < floor || next > end)
			continue;	/* unknown yet, lost, or caught up */
		if (atomic_load_explicit(&r->c->kill, memory_order_relaxed))
			continue;	/* being closed */
		if (hard > 0 && end - next + 1 > hard) {
			/* over its limit: the pump drops it */
			atomic_store(&r->over_limit, true);
			continue;
		}
		if (next < min)
			min = next;
	}
	pthread_mutex_unlock(&reg_lock);
	return min;
}

void
ctl_replicas_disconnect_all(void)
{
	pthread_mutex_lock(&reg_lock);
	for (struct ctl_replica *r = reg_head; r; r = r->reg_next)
		atomic_store(&r->c->kill, 1);
	pthread_mutex_unlock(&reg_lock);
}

/* ---- per-client state ----------------------------------------------------- */

struct ctl_replica *
ctl_replica_of(struct st_client *c)
{
	struct ctl_replica *r = c->repl;

	return r != NULL && r->magic == CTL_REPLICA_MAGIC ? r : NULL;
}

static struct ctl_replica *
replica_get(struct st_client *c)
{
	struct ctl_replica *r = ctl_replica_of(c);
	const char *colon;

	if (r != NULL || c->repl != NULL)
		return r;
	r = calloc(1, sizeof(*r));
	if (r == NULL)
		return NULL;
	r->magic = CTL_REPLICA_MAGIC;
	r->c = c;
	/* the peer's address until REPLCONF ip-address says otherwise */
	colon = strrchr(c->addr, ':');
	snprintf(r->ip, sizeof(r->ip), "%.*s",
		 colon ? (int)(colon - c->addr) : (int)strlen(c->addr), c->addr);
	c->repl = r;
	return r;
}

void
ctl_replica_free_client(struct st_client *c)
{
	struct ctl_replica *r = ctl_replica_of(c);

	ctl_failover_client_free(c);
	if (r == NULL)
		return;
	if (r->registered) {
		reg_del(r);
		ctl_repl_refresh_good();
	}
	if (r->job) {
		job_disown(r);
		pthread_mutex_lock(&r->job->mu);
		r->job->abandoned = true;
		pthread_cond_broadcast(&r->job->cv);
		pthread_mutex_unlock(&r->job->mu);
		job_unref(r->job);
	}
	outq_free(&r->out);
	r->magic = 0;
	free(r);
	c->repl = NULL;
}

/* ---- PSYNC / SYNC ---------------------------------------------------------- */

static void
attach_full(struct st_client *c, struct ctl_replica *r)
{
	pthread_mutex_lock(&ctl_repl.lock);
	if (!ctl_backlog_exists()) {
		/* Redis syncCommand: a new history starts with the backlog */
		if (ctl_repl_role() == CTL_ROLE_MASTER)
			ctl_repl_new_replid_locked();
		ctl_backlog_create(CTL_CFG(repl_backlog_size));
		ctl_repl_core_reset_seldb();
	}
	atomic_store(&r->state, CTL_REPLICA_WAIT_BGSAVE);
	atomic_store(&r->ack_ms, st_mstime());
	r->keepalive_ms = st_mstime();
	c->flags |= ST_CLIENT_REPLICA;
	/* registered under the lock: the backlog TTL never drops a backlog
	 * a replica was just given */
	reg_add(r);
	pthread_mutex_unlock(&ctl_repl.lock);
	r->job = sync_enqueue(r->capa_eof && !r->old_sync, r);
	atomic_fetch_add(&ctl_repl_stats.sync_full, 1);
}

static bool
psync_refused_here(struct st_client *c)
{
	if (c->flags & ST_CLIENT_REPLICA)
		return true;		/* already one: ignored, as Redis */
	if (c->flags & ST_CLIENT_MULTI) {
		st_reply_error(c, "Command not allowed inside a transaction");
		return true;
	}
	/* PSYNC <our replid> <off> FAILOVER: promoted first (Redis order) */
	if (ctl_failover_psync_request(c) < 0)
		return true;
	if (ctl_failover_state() != CTL_FAILOVER_NONE) {
		st_reply_error(c, "-NOMASTERLINK Can't SYNC while failing over");
		return true;
	}
	if (ctl_repl_role() == CTL_ROLE_REPLICA &&
	    atomic_load(&ctl_repl.link_state) != CTL_LINK_CONNECTED) {
		st_reply_error(c, "-NOMASTERLINK Can't SYNC while not connected "
			       "with my master");
		return true;
	}
	return false;
}

void
ctl_psync_command(struct st_client *c)
{
	struct ctl_replica *r;
	char id[CTL_REPLID_LEN + 2];
	long long off;
	bool cont;

	if (psync_refused_here(c))
		return;
	if (!st_get_ll_or_reply(c, &c->argv[2], &off, NULL))
		return;
	r = replica_get(c);
	if (r == NULL) {
		st_reply_error(c, "out of memory");
		return;
	}
	snprintf(id, sizeof(id), "%.*s",
		 (int)(c->argv[1].len > CTL_REPLID_LEN + 1 ? CTL_REPLID_LEN + 1 :
		       c->argv[1].len), c->argv[1].p);
	pthread_mutex_lock(&ctl_repl.lock);
	cont = ctl_repl_can_continue(id, off);
	if (cont) {
		char line[64];

		snprintf(line, sizeof(line), "CONTINUE %s", ctl_repl.replid);
		atomic_store_explicit(&r->send_off, off, memory_order_release);
		atomic_store(&r->ack_off, off - 1);
		atomic_store(&r->ack_ms, st_mstime());
		atomic_store(&r->state, CTL_REPLICA_ONLINE);
		c->flags |= ST_CLIENT_REPLICA;
		reg_add(r);
		pthread_mutex_unlock(&ctl_repl.lock);
		/* never for "PSYNC ? -1": can_continue refuses '?' */
		st_reply_status(c, r->capa_psync2 ? line : "CONTINUE");
		atomic_fetch_add(&ctl_repl_stats.sync_partial_ok, 1);
		ctl_repl_refresh_good();
		return;
	}
	if (strcmp(id, "?") != 0 && getenv("FERRY_REPL_QUIET") == NULL)
		/* Redis logs why (masterTryPartialResynchronization) */
		fprintf(stderr, "ferryd: partial resynchronization not accepted "
			"from %s: asked %s:%lld, have %s (replid2 %s up to %lld), "
			"backlog %lld..%lld\n", c->addr, id, off, ctl_repl.replid,
			ctl_repl.replid2, ctl_repl.second_repl_offset,
			ctl_backlog_first_byte(),
			ctl_backlog_first_byte() + ctl_backlog_histlen() - 1);
	pthread_mutex_unlock(&ctl_repl.lock);
	if (strcmp(id, "?") != 0)
		atomic_fetch_add(&ctl_repl_stats.sync_partial_err, 1);
	attach_full(c, r);
}

void
ctl_sync_command(struct st_client *c)
{
	struct ctl_replica *r;

	if (psync_refused_here(c))
		return;
	r = replica_get(c);
	if (r == NULL) {
		st_reply_error(c, "out of memory");
		return;
	}
	r->old_sync = true;
	attach_full(c, r);
}

/* ---- REPLCONF ------------------------------------------------------------- */

void
ctl_replconf_command(struct st_client *c)
{
	struct ctl_replica *r;

	if ((c->argc % 2) == 0) {
		st_reply_error(c, "syntax error");
		return;
	}
	r = replica_get(c);
	for (int i = 1; i < c->argc; i += 2) {
		const struct st_arg *opt = &c->argv[i], *val = &c->argv[i + 1];

		if (st_arg_is(opt, "listening-port")) {
			long long port;

			if (!st_get_ll_or_reply(c, val, &port, NULL))
				return;
			if (r)
				r->port = (int)port;
		} else if (st_arg_is(opt, "ip-address")) {
			if (val->len >= 46) {
				st_reply_errorf(c, "REPLCONF ip-address provided by "
						"replica instance is too long: %zu bytes",
						val->len);
				return;
			}
			if (r)
				snprintf(r->ip, sizeof(r->ip), "%.*s",
					 (int)val->len, val->p);
		} else if (st_arg_is(opt, "capa")) {
			if (r && st_arg_is(val, "eof"))
				r->capa_eof = true;
			else if (r && st_arg_is(val, "psync2"))
				r->capa_psync2 = true;
		} else if (st_arg_is(opt, "ack") || st_arg_is(opt, "fack")) {
			long long off;

			/* no reply to ACK, ever */
			if (r == NULL || !(c->flags & ST_CLIENT_REPLICA) ||
			    !st_arg_is(opt, "ack"))
				return;
			if (st_str2ll(val->p, val->len, &off) != 0)
				return;
			if (off > atomic_load(&r->ack_off))
				atomic_store(&r->ack_off, off);
			atomic_store(&r->ack_ms, st_mstime());
			if (r->wait_first_ack) {
				r->wait_first_ack = false;
				ctl_repl_refresh_good();
			}
			return;
		} else if (st_arg_is(opt, "getack")) {
			/* a master ignores it (a replica's link answers) */
			return;
		} else if (st_arg_is(opt, "rdb-only") ||
			   st_arg_is(opt, "rdb-filter-only")) {
			/* accepted, ignored */
		} else {
			st_reply_errorf(c, "Unrecognized REPLCONF option: %.*s",
					(int)opt->len, opt->p);
			return;
		}
	}
	st_reply_ok(c);
}

/* ---- the pump ------------------------------------------------------------- */

/* Redis's client-output-buffer-limit for the replica class, applied to
 * the stream bytes the replica has not been sent (they wait in the
 * backlog): over the hard limit, or over the soft limit continuously for
 * more than its seconds, the replica is closed (-ENOBUFS). */
static int
output_limit_check(struct ctl_replica *r, int64_t now)
{
	long long end = atomic_load_explicit(&ctl_repl.master_repl_offset,
					     memory_order_acquire);
	long long next = atomic_load_explicit(&r->send_off,
					      memory_order_relaxed);
	long long hard = CTL_CFG(client_output_buffer_limit_replica);
	long long soft = CTL_CFG(client_output_buffer_soft_replica);
	long long secs = CTL_CFG(client_output_buffer_soft_seconds_replica);
	long long lag = next > 0 && next <= end ? end - next + 1 : 0;
	bool over = false;

	if ((hard > 0 && lag > hard) || atomic_load(&r->over_limit)) {
		/* over_limit: the writer saw the lag pass the hard limit and
		 * no longer keeps our bytes (perhaps before the new end is
		 * published: the bytes at send_off may already be gone) */
		over = true;
	} else if (soft > 0 && lag > soft) {
		if (r->soft_since_ms == 0)
			r->soft_since_ms = now;
		else if (now - r->soft_since_ms > secs * 1000)
			over = true;
	} else {
		r->soft_since_ms = 0;
	}
	if (!over)
		return 0;
	if (getenv("FERRY_REPL_QUIET") == NULL)
		fprintf(stderr, "ferryd: replica %s:%d (%s) closed for overcoming "
			"of output buffer limits: %lld stream bytes not sent "
			"(client-output-buffer-limit replica %lld %lld %lld)\n",
			r->ip, r->port, r->c->addr, lag, hard, soft, secs);
	return -ENOBUFS;
}

static void
keepalive(struct ctl_replica *r, int64_t now)
{
	if (now - r->keepalive_ms >= 1000) {
		r->keepalive_ms = now;
		outq_append(&r->out, "\n", 1);
	}
}

/*
 * The pump's state handlers (enum ctl_replica_state, one each).  Called
 * with r->out empty; each queues what is due in r->out (or sends stream
 * bytes itself), may move r to the next state (the pump then runs that
 * state's handler too), and returns 0, or a negative errno to close.
 */
struct pump_io {
	ctl_send_fn send;
	void *ctx;
	size_t budget;
	long sent;
	int64_t now;
};

static enum job_state
job_state(struct ctl_sync_job *j)
{
	enum job_state st;

	pthread_mutex_lock(&j->mu);
	st = j->st;
	pthread_mutex_unlock(&j->mu);
	return st;
}

/* WAIT_BGSAVE: keepalives until the snapshot has its offset, then
 * "+FULLRESYNC <replid> <offset>" (not for SYNC) -> SEND_BULK. */
static int
pump_wait_bgsave(struct ctl_replica *r, struct pump_io *io)
{
	struct ctl_sync_job *j = r->job;
	enum job_state st;
	char line[128];
	int n;

	if (j == NULL)
		return -ENOMEM;		/* sync_enqueue failed */
	st = job_state(j);
	if (st == JOB_FAILED)
		return -EIO;
	if (st == JOB_QUEUED) {
		keepalive(r, io->now);
		return 0;
	}
	if (!r->old_sync) {
		n = snprintf(line, sizeof(line), "+FULLRESYNC %s %lld\r\n",
			     j->replid, j->offset);
		outq_append(&r->out, line, (size_t)n);
	}
	atomic_store_explicit(&r->send_off, j->offset + 1, memory_order_release);
	atomic_store(&r->ack_off, j->offset);
	atomic_store(&r->state, CTL_REPLICA_SEND_BULK);
	return 0;
}

/* SEND_BULK: "$EOF:<mark>" at once or "$<len>" once the image is
 * complete, the image in pieces of PULL_MAX, the mark -> ONLINE. */
static int
pump_send_bulk(struct ctl_replica *r, struct pump_io *io)
{
	struct ctl_sync_job *j = r->job;
	enum job_state st = job_state(j);
	char line[128];
	size_t moved = 0;
	int n;

	if (st == JOB_FAILED)
		return -EIO;
	if (!r->bulk_hdr_sent) {
		if (j->eof) {
			n = snprintf(line, sizeof(line), "$EOF:%s\r\n", j->mark);
		} else {
			if (st != JOB_DONE) {
				keepalive(r, io->now);
				return 0;
			}
			n = snprintf(line, sizeof(line), "$%llu\r\n",
				     (unsigned long long)j->total);
		}
		outq_append(&r->out, line, (size_t)n);
		r->bulk_hdr_sent = true;
		return 0;	/* the header goes first */
	}
	pthread_mutex_lock(&j->mu);
	while (j->head && moved < PULL_MAX) {
		struct job_chunk *ch = j->head;

		if (outq_append(&r->out, ch->data, ch->len) < 0)
			break;
		moved += ch->len;
		j->queued -= ch->len;
		j->head = ch->next;
		if (j->head == NULL)
			j->tail = NULL;
		free(ch);
	}
	if (moved)
		pthread_cond_broadcast(&j->cv);
	st = j->st;
	pthread_mutex_unlock(&j->mu);
	if (st != JOB_DONE || j->head != NULL || moved > 0)
		return 0;
	/* all of the image was sent: the mark, and online */
	if (j->eof) {
		outq_append(&r->out, j->mark, CTL_REPLID_LEN);
		r->wait_first_ack = true;
	}
	job_disown(r);
	job_unref(j);
	r->job = NULL;
	atomic_store(&r->ack_ms, io->now);
	atomic_store(&r->state, CTL_REPLICA_ONLINE);
	ctl_repl_refresh_good();
	return 0;
}

/* ONLINE: (EOF framing: nothing until the first ACK) straight from the
 * backlog; repl-timeout without ACK closes. */
static int
pump_online(struct ctl_replica *r, struct pump_io *io)
{
	if (r->wait_first_ack)
		return 0;
	if (CTL_CFG(repl_timeout) > 0 &&
	    io->now - atomic_load(&r->ack_ms) > (int64_t)CTL_CFG(repl_timeout) * 1000)
		return -ETIMEDOUT;
	while (io->budget > 0) {
		char tmp[16384];
		size_t want = io->budget < sizeof(tmp) ? io->budget : sizeof(tmp);
		long long next = atomic_load_explicit(&r->send_off,
						      memory_order_relaxed);
		long n = ctl_backlog_read(next, tmp, want);
		size_t k;

		if (n < 0) {
			/* fell out of the backlog: the writer let it go
			 * because it is over its limit (over_limit), else
			 * it was never protected (out of memory) */
			int rc = output_limit_check(r, io->now);

			return rc < 0 ? rc : (int)n;
		}
		if (n == 0)
			break;
		/* disconnected by a history change (promotion, new replid,
		 * full sync upstream): the kill flag is set before the new
		 * history's first byte is appended, so bytes we just copied
		 * may be the new history's -- never send them */
		if (atomic_load_explicit(&r->c->kill, memory_order_acquire))
			return -ECONNRESET;
		k = io->send(io->ctx, tmp, (size_t)n);
		atomic_store_explicit(&r->send_off, next + (long long)k,
				      memory_order_release);
		io->sent += (long)k;
		io->budget -= k;
		if (k < (size_t)n)
			break;
	}
	return 0;
}

static int (*const pump_handlers[CTL_REPLICA_NSTATES])(struct ctl_replica *,
							struct pump_io *) = {
	[CTL_REPLICA_WAIT_BGSAVE] = pump_wait_bgsave,
	[CTL_REPLICA_SEND_BULK] = pump_send_bulk,
	[CTL_REPLICA_ONLINE] = pump_online,
};

long
ctl_replica_pump(struct ctl_replica *r, ctl_send_fn send, void *ctx,
		 size_t max)
{
	struct pump_io io = { send, ctx, max, 0, st_mstime() };
	int rc;

	if (r == NULL || !r->registered)
		return 0;
	if (atomic_load_explicit(&r->c->kill, memory_order_acquire))
		return -ECONNRESET;	/* see pump_online */
	rc = output_limit_check(r, io.now);
	if (rc < 0)
		return rc;
	/* run the state's handler while the queue drains; a state change
	 * runs the next state's handler at once */
	for (int guard = 0; guard < 64; guard++) {
		int st;

		if (!outq_flush(&r->out, send, ctx, &io.budget, &io.sent))
			break;
		st = atomic_load(&r->state);
		rc = pump_handlers[st](r, &io);
		if (rc < 0)
			return rc;
		if (outq_pending(&r->out) == 0 && atomic_load(&r->state) == st)
			break;
	}
	return io.sent;
}
