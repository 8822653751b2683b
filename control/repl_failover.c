/*
 * repl_failover.c -- FAILOVER [TO host port [FORCE]] [ABORT] [TIMEOUT ms]:
 * a coordinated hand-over from this master to one of its replicas, with
 * Redis 7.0's semantics, texts and INFO states (replication.c:
 * failoverCommand, updateFailoverStatus, abortFailover).
 *
 * One state machine (enum ctl_failover_state, names for INFO and logs):
 *
 *   no-failover --FAILOVER--> waiting-for-sync: writes paused (clients
 *       sending a write, or EXEC of a transaction with writes, are blocked,
 *       not refused), replication pings stop so the offset settles;
 *   waiting-for-sync --a replica (the target, or any) ACKed our whole
 *       offset, or TIMEOUT with FORCE--> failover-in-progress: we become a
 *       replica of the target (ctl_replica_set_master: our replicas are
 *       disconnected) and our master link sends
 *       "PSYNC <our replid> <offset+1> FAILOVER": the target promotes
 *       itself (its replid is ours) and answers +CONTINUE <newid>;
 *   failover-in-progress --+CONTINUE or +FULLRESYNC--> no-failover (the
 *       paused clients run again: writes now get -READONLY);
 *   any --TIMEOUT without FORCE, FAILOVER ABORT, the target refusing the
 *       PSYNC or the link dropping before the answer--> no-failover, and
 *       from failover-in-progress a master again (REPLICAOF NO ONE).
 *
 * Call chains:
 *   FAILOVER (any polling core) -> ctl_failover_command (ctl_repl.lock);
 *   replication core loop -> ctl_failover_cron (timeouts, caught-up
 *       replica, the switch to failover-in-progress);
 *   dispatch -> ctl_repl_check -> ctl_failover_block_if_paused (the
 *       command's arguments copied into c->repl, ST_CLIENT_BLOCKED);
 *   transport poll -> ctl_wait_poll -> ctl_failover_poll_paused (re-runs
 *       the command through st_dispatch once writes are allowed);
 *   master link (core 0) -> ctl_failover_psync_result;
 *   the target's PSYNC handler (repl_master.c) ->
 *       ctl_failover_psync_request.
 */
#include "repl_master.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "alloc.h"
#include "client.h"
#include "cmd_util.h"
#include "command.h"
#include "repl_replica.h"
#include "resp_compose.h"
#include "util.h"

static const char *const failover_state_names[CTL_FAILOVER_NSTATES] = {
	[CTL_FAILOVER_NONE] = "no-failover",
	[CTL_FAILOVER_WAIT_FOR_SYNC] = "waiting-for-sync",
	[CTL_FAILOVER_IN_PROGRESS] = "failover-in-progress",
};

/* Under ctl_repl.lock, except 'state' (read anywhere). */
static struct {
	_Atomic int state;		/* enum ctl_failover_state */
	char host[64];			/* target, "" = any replica */
	int port;
	int64_t end_ms;			/* 0 = no timeout */
	bool force;
} fo;

const char *
ctl_failover_state_name(enum ctl_failover_state s)
{
	return (unsigned)s < CTL_FAILOVER_NSTATES ? failover_state_names[s] :
						   "unknown";
}

enum ctl_failover_state
ctl_failover_state(void)
{
	return (enum ctl_failover_state)atomic_load_explicit(&fo.state,
							    memory_order_acquire);
}

static void
fo_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void
fo_log(const char *fmt, ...)
{
	va_list ap;

	if (getenv("FERRY_REPL_QUIET") != NULL)
		return;
	fprintf(stderr, "ferryd: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* Redis clearFailoverState: writes resume.  Under ctl_repl.lock. */
static void
fo_clear_locked(void)
{
	fo.host[0] = '\0';
	fo.port = 0;
	fo.end_ms = 0;
	fo.force = false;
	atomic_store_explicit(&fo.state, CTL_FAILOVER_NONE,
			      memory_order_release);
}

/* Redis abortFailover.  Takes ctl_repl.lock. */
static void
fo_abort(const char *why)
{
	bool unset;

	pthread_mutex_lock(&ctl_repl.lock);
	if (ctl_failover_state() == CTL_FAILOVER_NONE) {
		pthread_mutex_unlock(&ctl_repl.lock);
		return;
	}
	if (fo.host[0])
		fo_log("FAILOVER to %s:%d aborted: %s", fo.host, fo.port, why);
	else
		fo_log("FAILOVER to any replica aborted: %s", why);
	unset = ctl_failover_state() == CTL_FAILOVER_IN_PROGRESS;
	fo_clear_locked();
	pthread_mutex_unlock(&ctl_repl.lock);
	if (unset)
		ctl_replica_set_master(NULL, 0);
}

/* The online replica at host:port (Redis findReplica), or NULL. */
static bool
find_replica(const struct ctl_replica_view *v, int n, const char *host,
	     int port, long long *ack)
{
	for (int i = 0; i < n; i++) {
		if (strcasecmp(v[i].ip, host) == 0 && v[i].port == port) {
			if (ack)
				*ack = v[i].state == CTL_REPLICA_ONLINE ?
					v[i].ack_off : -1;
			return true;
		}
	}
	return false;
}

#define FO_MAX_REPLICAS 256

void
ctl_failover_command(struct st_client *c)
{
	static struct ctl_replica_view v[FO_MAX_REPLICAS];
	static pthread_mutex_t v_lock = PTHREAD_MUTEX_INITIALIZER;
	long long timeout = 0, port = 0, ack;
	const struct st_arg *host = NULL;
	bool force = false;
	char h[sizeof(fo.host)];
	int n;

	if (c->argc == 2 && st_arg_is(&c->argv[1], "abort")) {
		if (ctl_failover_state() == CTL_FAILOVER_NONE) {
			st_reply_error(c, "No failover in progress.");
			return;
		}
		fo_abort("Failover manually aborted");
		st_reply_ok(c);
		return;
	}
	for (int j = 1; j < c->argc; j++) {
		if (st_arg_is(&c->argv[j], "timeout") && j + 1 < c->argc &&
		    timeout == 0) {
			if (!st_get_ll_or_reply(c, &c->argv[j + 1], &timeout, NULL))
				return;
			if (timeout <= 0) {
				st_reply_error(c, "FAILOVER timeout must be "
					       "greater than 0");
				return;
			}
			j++;
		} else if (st_arg_is(&c->argv[j], "to") && j + 2 < c->argc &&
			   host == NULL) {
			if (!st_get_ll_or_reply(c, &c->argv[j + 2], &port, NULL))
				return;
			host = &c->argv[j + 1];
			j += 2;
		} else if (st_arg_is(&c->argv[j], "force") && !force) {
			force = true;
		} else {
			st_reply_error(c, "syntax error");
			return;
		}
	}
	if (ctl_failover_state() != CTL_FAILOVER_NONE) {
		st_reply_error(c, "FAILOVER already in progress.");
		return;
	}
	if (ctl_repl_role() == CTL_ROLE_REPLICA) {
		st_reply_error(c, "FAILOVER is not valid when server is a replica.");
		return;
	}
	if (ctl_replicas_count() == 0) {
		st_reply_error(c, "FAILOVER requires connected replicas.");
		return;
	}
	if (force && (timeout == 0 || host == NULL)) {
		st_reply_error(c, "FAILOVER with force option requires both a "
			       "timeout and target HOST and IP.");
		return;
	}
	h[0] = '\0';
	if (host != NULL) {
		snprintf(h, sizeof(h), "%.*s",
			 (int)(host->len < sizeof(h) ? host->len : sizeof(h) - 1),
			 host->p);
		pthread_mutex_lock(&v_lock);
		n = ctl_replicas_snapshot(v, FO_MAX_REPLICAS);
		if (host->len >= sizeof(h) ||
		    !find_replica(v, n, h, (int)port, &ack)) {
			pthread_mutex_unlock(&v_lock);
			st_reply_error(c, "FAILOVER target HOST and PORT is not "
				       "a replica.");
			return;
		}
		pthread_mutex_unlock(&v_lock);
		if (ack < 0) {
			st_reply_error(c, "FAILOVER target replica is not online.");
			return;
		}
	}
	pthread_mutex_lock(&ctl_repl.lock);
	if (ctl_failover_state() != CTL_FAILOVER_NONE ||
	    ctl_repl_role() != CTL_ROLE_MASTER) {
		pthread_mutex_unlock(&ctl_repl.lock);
		st_reply_error(c, "FAILOVER already in progress.");
		return;
	}
	memcpy(fo.host, h, sizeof(fo.host));
	fo.port = (int)port;
	fo.end_ms = timeout ? st_mstime() + timeout : 0;
	fo.force = force;
	atomic_store_explicit(&fo.state, CTL_FAILOVER_WAIT_FOR_SYNC,
			      memory_order_release);
	pthread_mutex_unlock(&ctl_repl.lock);
	if (h[0])
		fo_log("FAILOVER requested to %s:%lld.", h, port);
	else
		fo_log("FAILOVER requested to any replica.");
	st_reply_ok(c);
}

/* Redis updateFailoverStatus. */
void
ctl_failover_cron(void)
{
	static struct ctl_replica_view v[FO_MAX_REPLICAS];
	char host[sizeof(fo.host)];
	long long off, ack = -1;
	int port, n;
	bool go = false, forced = false;

	if (ctl_failover_state() != CTL_FAILOVER_WAIT_FOR_SYNC)
		return;
	pthread_mutex_lock(&ctl_repl.lock);
	if (ctl_failover_state() != CTL_FAILOVER_WAIT_FOR_SYNC) {
		pthread_mutex_unlock(&ctl_repl.lock);
		return;
	}
	if (fo.end_ms && fo.end_ms <= st_mstime()) {
		if (!fo.force) {
			pthread_mutex_unlock(&ctl_repl.lock);
			fo_abort("Replica never caught up before timeout");
			return;
		}
		fo_log("FAILOVER to %s:%d time out exceeded, failing over.",
		       fo.host, fo.port);
		go = forced = true;
	}
	off = atomic_load(&ctl_repl.master_repl_offset);
	n = ctl_replicas_snapshot(v, FO_MAX_REPLICAS);
	if (!go && fo.host[0]) {
		go = find_replica(v, n, fo.host, fo.port, &ack) && ack == off;
	} else if (!go) {
		for (int i = 0; i < n; i++) {
			if (v[i].state == CTL_REPLICA_ONLINE &&
			    v[i].ack_off == off) {
				snprintf(fo.host, sizeof(fo.host), "%s", v[i].ip);
				fo.port = v[i].port;
				go = true;
				break;
			}
		}
	}
	if (!go) {
		pthread_mutex_unlock(&ctl_repl.lock);
		return;
	}
	if (!forced)
		fo_log("Failover target %s:%d is synced, failing over.",
		       fo.host, fo.port);
	memcpy(host, fo.host, sizeof(host));
	port = fo.port;
	atomic_store_explicit(&fo.state, CTL_FAILOVER_IN_PROGRESS,
			      memory_order_release);
	pthread_mutex_unlock(&ctl_repl.lock);
	/* our replicas are disconnected; the master link PSYNCs with
	 * FAILOVER (ctl_failover_psync_arg) */
	if (ctl_replica_set_master(host, port) < 0)
		fo_abort("bad target address");
}

bool
ctl_failover_psync_arg(void)
{
	return ctl_failover_state() == CTL_FAILOVER_IN_PROGRESS;
}

void
ctl_failover_psync_result(bool accepted)
{
	if (ctl_failover_state() != CTL_FAILOVER_IN_PROGRESS)
		return;
	if (!accepted) {
		fo_abort("Failover target rejected psync request");
		return;
	}
	pthread_mutex_lock(&ctl_repl.lock);
	if (ctl_failover_state() == CTL_FAILOVER_IN_PROGRESS) {
		fo_log("FAILOVER to %s:%d done: now a replica", fo.host, fo.port);
		fo_clear_locked();
	}
	pthread_mutex_unlock(&ctl_repl.lock);
}

int
ctl_failover_psync_request(struct st_client *c)
{
	char id[CTL_REPLID_LEN + 1];
	bool mine;

	if (c->argc <= 3 || !st_arg_is(&c->argv[3], "failover"))
		return 0;
	pthread_mutex_lock(&ctl_repl.lock);
	memcpy(id, ctl_repl.replid, sizeof(id));
	pthread_mutex_unlock(&ctl_repl.lock);
	mine = c->argv[1].len == CTL_REPLID_LEN &&
	       strncasecmp(c->argv[1].p, id, CTL_REPLID_LEN) == 0;
	if (!mine) {
		st_reply_error(c, "PSYNC FAILOVER replid must match my replid.");
		return -1;
	}
	ctl_replica_set_master(NULL, 0);
	fo_log("MASTER MODE enabled (failover request from '%s')", c->addr);
	return 0;
}

/* ---- paused writers --------------------------------------------------------- */

#define FO_PAUSED_MAGIC 0x50415553u	/* "PAUS": c->repl is a paused command */

struct fo_paused {
	uint32_t magic;
	int argc;
	struct st_arg *argv;		/* into 'bytes' */
	char *bytes;
};

static struct fo_paused *
paused_of(struct st_client *c)
{
	struct fo_paused *p = c->repl;

	return p != NULL && p->magic == FO_PAUSED_MAGIC ? p : NULL;
}

static void
paused_free(struct st_client *c)
{
	struct fo_paused *p = paused_of(c);

	if (p == NULL)
		return;
	c->repl = NULL;
	st_free(p->bytes);
	st_free(p->argv);
	st_free(p);
}

int
ctl_failover_block_if_paused(struct st_client *c, bool writes)
{
	struct fo_paused *p;
	size_t total = 0, pos = 0;

	if (ctl_failover_state() == CTL_FAILOVER_NONE || !writes ||
	    (c->flags & (ST_CLIENT_REPLICA | ST_CLIENT_MASTER |
			 ST_CLIENT_IN_EXEC)) || c->repl != NULL)
		return 0;
	for (int i = 0; i < c->argc; i++)
		total += c->argv[i].len;
	p = st_malloc(sizeof(*p));
	p->magic = FO_PAUSED_MAGIC;
	p->argc = c->argc;
	p->argv = st_malloc(sizeof(*p->argv) * (size_t)c->argc);
	p->bytes = st_malloc(total ? total : 1);
	for (int i = 0; i < c->argc; i++) {
		memcpy(p->bytes + pos, c->argv[i].p, c->argv[i].len);
		p->argv[i].p = p->bytes + pos;
		p->argv[i].len = c->argv[i].len;
		pos += c->argv[i].len;
	}
	c->repl = p;
	c->flags |= ST_CLIENT_BLOCKED;
	return 1;
}

bool
ctl_failover_paused_client(struct st_client *c)
{
	return paused_of(c) != NULL;
}

bool
ctl_failover_poll_paused(struct st_client *c)
{
	struct fo_paused *p = paused_of(c);

	if (p == NULL)
		return true;
	if (ctl_failover_state() != CTL_FAILOVER_NONE)
		return false;
	c->flags &= ~(uint32_t)ST_CLIENT_BLOCKED;
	if (c->argv_cap < p->argc) {
		c->argv = st_realloc(c->argv, sizeof(*c->argv) * (size_t)p->argc);
		c->argv_cap = p->argc;
	}
	memcpy(c->argv, p->argv, sizeof(*c->argv) * (size_t)p->argc);
	c->argc = p->argc;
	c->repl = NULL;
	st_dispatch(c);		/* may block again (a new FAILOVER): new copy */
	st_free(p->bytes);
	st_free(p->argv);
	st_free(p);
	return !(c->flags & ST_CLIENT_BLOCKED);
}

void
ctl_failover_client_free(struct st_client *c)
{
	paused_free(c);
}
