/*
 * role.h -- where the store asks the replication layer (control/) about
 * the server's role: the checks Redis's processCommand makes for a primary
 * with min-replicas or for a replica (-NOREPLICAS, -READONLY,
 * -MASTERDOWN), the INFO replication section, and the end of a client that
 * replication attached state to (c->repl).
 *
 * The store does not depend on control/: control installs these hooks once
 * at start-up (before any worker dispatches) and the store calls them.
 * Without hooks (store-only tests, tools) the server is a master with no
 * replicas and INFO replication says so.
 *
 * Concurrency: the hooks are called on the client's thread (any polling
 * core) during dispatch or st_client_free, with no stripe lock held; they
 * must be thread-safe against each other and the replication core.
 */
#ifndef ST_ROLE_H
#define ST_ROLE_H

#include <stdbool.h>

struct st_client;
struct st_cmd;
struct st_buf;

struct st_role_hooks {
	/* Before a command runs or is queued in MULTI (after the arity, auth
	 * and OOM checks; never for the master link's client, which has
	 * ST_CLIENT_MASTER).  Return 0 to go on; otherwise reply the error
	 * (st_reply_error, Redis's exact text), set ST_CLIENT_DIRTY_EXEC if the
	 * client is in MULTI, and return -1.  EXEC is passed here too: decide
	 * from the queued commands (c->mq). */
	int (*check)(struct st_client *c, const struct st_cmd *cmd);
	/* Append the body of INFO's "# Replication" section (lines ending in
	 * \r\n, no header). */
	void (*info)(struct st_buf *b);
	/* c->repl != NULL and c is being freed: release what replication
	 * attached (called before anything of c is freed). */
	void (*client_free)(struct st_client *c);
	/* INFO stats' replication counters: full resyncs served, PSYNCs
	 * answered +CONTINUE, PSYNC <id> <off> refused (relaxed reads; any
	 * thread).  NULL: all three are 0. */
	void (*sync_stats)(unsigned long long *full,
			   unsigned long long *partial_ok,
			   unsigned long long *partial_err);
	/* CONFIG RESETSTAT: empty replication's own statistics (the
	 * replica's lag probe).  Any worker thread; must not block.  NULL:
	 * nothing. */
	void (*resetstat)(void);
};

/* Install (NULL: back to the built-in master-without-replicas). */
void st_set_role_hooks(const struct st_role_hooks *h);
const struct st_role_hooks *st_role_hooks(void);

#endif
