/*
 * cmd_repl.c -- the replication commands (PSYNC, SYNC, REPLCONF, WAIT,
 * ROLE, REPLICAOF, SLAVEOF, FAILOVER), the primary's dispatch check
 * (min-replicas -> -NOREPLICAS) and WAIT's blocking (repl.h).
 *
 * Call chains:
 *   st_dispatch -> role hook ctl_repl_check -> [FAILOVER pause: the
 *     write blocks, repl_failover.c] -> [-NOREPLICAS] ->
 *     ctl_replica_check (repl_replica.c: -READONLY / -MASTERDOWN)
 *   WAIT -> ctl_wait_command -> reply now, or ST_CLIENT_BLOCKED +
 *     ctl_repl_core_request_getack; transport poll -> ctl_wait_poll ->
 *     ":<n>" and unblock (or, for a write paused by FAILOVER,
 *     ctl_failover_poll_paused: dispatched again)
 *
 * WAIT's offset: before each command the check notes, when the previous
 * command of the client wrote (c->dirty > 0), the newest write-log
 * sequence (c->repl_woff_seq: at least that write's own, as Redis's woff
 * covers everything before the client's last command); WAIT maps it to a
 * stream offset through the core's seq -> offset map.  A client that
 * never wrote waits for offset 0 (every online replica qualifies).
 * Arity and flags are redis-server 7.0.15's (COMMAND INFO).
 */
#include "repl_master.h"

#include <errno.h>
#include <string.h>

#include "client.h"
#include "cmd_util.h"
#include "command.h"
#include "config.h"
#include "repl_replica.h"
#include "resp_compose.h"
#include "util.h"
#include "wlog.h"

_Atomic int ctl_wait_blocked;

static const char noreplicas_err[] =
	"-NOREPLICAS Not enough good replicas to write.";

static bool
exec_has_write(const struct st_client *c)
{
	for (int i = 0; i < c->mq_len; i++)
		if (c->mq[i].cmd && (c->mq[i].cmd->flags & ST_CMD_WRITE))
			return true;
	return false;
}

int
ctl_repl_check(struct st_client *c, const struct st_cmd *cmd)
{
	bool is_exec = strcmp(cmd->name, "exec") == 0;

	if (c->dirty > 0)
		c->repl_woff_seq = st_wlog_last_seq();
	if (ctl_failover_state() != CTL_FAILOVER_NONE &&
	    ctl_failover_block_if_paused(c, (cmd->flags & ST_CMD_WRITE) ||
					 (is_exec && exec_has_write(c))))
		return -1;
	if (ctl_repl_role() == CTL_ROLE_MASTER &&
	    !(c->flags & ST_CLIENT_REPLICA) &&
	    CTL_CFG(min_replicas_to_write) > 0 && CTL_CFG(min_replicas_max_lag) > 0 &&
	    ((cmd->flags & ST_CMD_WRITE) || (is_exec && exec_has_write(c))) &&
	    atomic_load(&ctl_repl.good_replicas) < CTL_CFG(min_replicas_to_write)) {
		if (is_exec) {
			st_client_discard_multi(c);
			st_client_unwatch(c);
			st_reply_errorf(c, "-EXECABORT Transaction discarded "
					"because of: %s", noreplicas_err + 1);
			return -1;
		}
		st_reply_error(c, noreplicas_err);
		if (c->flags & ST_CLIENT_MULTI)
			c->flags |= ST_CLIENT_DIRTY_EXEC;
		return -1;
	}
	return ctl_replica_check(c, cmd);
}

/* ---- WAIT ----------------------------------------------------------------- */

/* The stream offset of the client's writes, -1 while the core has not
 * consumed them yet. */
static long long
wait_offset(struct st_client *c)
{
	long long off;
	int db;

	if (c->repl_woff_seq == 0)
		return 0;
	if (ctl_repl_core_seq() < c->repl_woff_seq)
		return ctl_repl_core_running() ? -1 : 0;
	if (ctl_repl_core_seq_offset(c->repl_woff_seq, &off, &db, 0, false) < 0)
		off = atomic_load(&ctl_repl.master_repl_offset); /* conservative */
	return off;
}

void
ctl_wait_command(struct st_client *c)
{
	long long num, timeout, woff;
	int acked;

	if (ctl_repl_role() == CTL_ROLE_REPLICA) {
		st_reply_error(c, "WAIT cannot be used with replica instances. "
			       "Please also note that since Redis 4.0 if a replica "
			       "is configured to be writable (which is not the "
			       "default) writes to replicas are just local and are "
			       "not propagated.");
		return;
	}
	if (!st_get_ll_or_reply(c, &c->argv[1], &num, NULL))
		return;
	if (!st_get_ll_or_reply(c, &c->argv[2], &timeout,
				"timeout is not an integer or out of range"))
		return;
	if (timeout < 0) {
		st_reply_error(c, "timeout is negative");
		return;
	}
	woff = wait_offset(c);
	acked = woff >= 0 ? ctl_replicas_acked(woff) : 0;
	if (acked >= num || (c->flags & ST_CLIENT_IN_EXEC)) {
		st_reply_int(c, acked);
		return;
	}
	c->wait_numreplicas = num;
	c->wait_woff = woff;
	c->wait_deadline_ms = timeout > 0 ? st_mstime() + timeout : 0;
	c->flags |= ST_CLIENT_BLOCKED;
	atomic_fetch_add(&ctl_wait_blocked, 1);
	ctl_repl_core_request_getack();
}

bool
ctl_wait_poll(struct st_client *c)
{
	int acked;

	if (!(c->flags & ST_CLIENT_BLOCKED))
		return true;
	if (ctl_failover_paused_client(c))
		return ctl_failover_poll_paused(c);
	if (c->wait_woff < 0)
		c->wait_woff = wait_offset(c);
	acked = c->wait_woff >= 0 ? ctl_replicas_acked(c->wait_woff) : 0;
	if (acked < c->wait_numreplicas &&
	    (c->wait_deadline_ms == 0 || st_mstime() < c->wait_deadline_ms))
		return false;
	st_reply_int(c, acked);
	c->flags &= ~(uint32_t)ST_CLIENT_BLOCKED;
	atomic_fetch_sub(&ctl_wait_blocked, 1);
	return true;
}

void
ctl_wait_abort(struct st_client *c)
{
	if (!(c->flags & ST_CLIENT_BLOCKED))
		return;
	c->flags &= ~(uint32_t)ST_CLIENT_BLOCKED;
	if (ctl_failover_paused_client(c))
		return;		/* a paused write: freed with the client */
	atomic_fetch_sub(&ctl_wait_blocked, 1);
}

#define RF(name, arity, flags, proc, summary, since, hint, acl) \
	{ name, arity, (flags) | ST_CMD_NOKEYLOCK, 0, 0, 0, NULL, proc, \
	  "server", summary, since, hint, acl, NULL }

const struct st_cmd ctl_cmds_repl[] = {
	RF("psync", -3, ST_CMD_ADMIN | ST_CMD_NOSCRIPT | ST_CMD_NO_MULTI,
	   ctl_psync_command, "An internal command used in replication",
	   "2.8.0", "replicationid offset", "@admin @slow @dangerous"),
	RF("sync", 1, ST_CMD_ADMIN | ST_CMD_NOSCRIPT | ST_CMD_NO_MULTI,
	   ctl_sync_command, "An internal command used in replication",
	   "1.0.0", "", "@admin @slow @dangerous"),
	RF("replconf", -1, ST_CMD_ADMIN | ST_CMD_NOSCRIPT | ST_CMD_LOADING |
	   ST_CMD_STALE | ST_CMD_ALLOW_BUSY, ctl_replconf_command,
	   "An internal command for configuring the replication stream",
	   "3.0.0", "", "@admin @slow @dangerous"),
	{ "wait", 3, ST_CMD_NOSCRIPT | ST_CMD_NOKEYLOCK, 0, 0, 0, NULL,
	  ctl_wait_command, "generic",
	  "Wait for the synchronous replication of all the write commands "
	  "sent in the context of the current connection", "3.0.0",
	  "numreplicas timeout", "@slow @connection", NULL },
	RF("role", 1, ST_CMD_NOSCRIPT | ST_CMD_LOADING | ST_CMD_STALE |
	   ST_CMD_FAST, ctl_role_command,
	   "Return the role of the instance in the context of replication",
	   "2.8.12", "", "@admin @fast @dangerous"),
	RF("replicaof", 3, ST_CMD_ADMIN | ST_CMD_NOSCRIPT | ST_CMD_STALE,
	   ctl_replicaof_command,
	   "Make the server a replica of another instance, or promote it as master.",
	   "5.0.0", "host port", "@admin @slow @dangerous"),
	RF("slaveof", 3, ST_CMD_ADMIN | ST_CMD_NOSCRIPT | ST_CMD_STALE,
	   ctl_replicaof_command,
	   "Make the server a replica of another instance, or promote it as master.",
	   "1.0.0", "host port", "@admin @slow @dangerous"),
	RF("failover", -1, ST_CMD_ADMIN | ST_CMD_NOSCRIPT | ST_CMD_STALE,
	   ctl_failover_command, "Start a coordinated failover between this server "
	   "and one of its replicas.", "6.2.0",
	   "[TO host port [FORCE]] [ABORT] [TIMEOUT milliseconds]",
	   "@admin @slow @dangerous"),
	{ NULL },
};
