/*
 * command.h -- the command table and the dispatcher.
 *
 * Every command is declared once, in the table of its family file
 * (cmd_string.c, cmd_list.c, ...): name, arity, flags, key positions,
 * handler, docs.  st_cmd_init() gathers the family tables into one lookup;
 * the table drives dispatch, arity errors, COMMAND / COMMAND INFO / DOCS,
 * the stripe locks a command takes and what replicates (ST_CMD_WRITE).
 *
 * Handlers ("xxx_command") run with everything already checked and locked:
 * the command exists, its arity is right, the client may run it, maxmemory
 * allows it, and the stripe locks of all its keys are held (or, for
 * ST_CMD_LOCKFREE commands, the handler runs inside a seqlock read that the
 * dispatcher retries; such a handler must have no effect but its reply).
 * A handler reports how many changes it made in c->dirty; a write with
 * dirty > 0 is propagated to the write log as its argv unless the handler
 * called st_propagate() with a rewritten form (see wlog.h).
 */
#ifndef ST_COMMAND_H
#define ST_COMMAND_H

#include <stdint.h>
#include <stddef.h>
#include <stdbool.h>

struct st_client;
struct st_arg;

enum st_cmd_flag {
	ST_CMD_WRITE = 1u << 0,
	ST_CMD_READONLY = 1u << 1,
	ST_CMD_DENYOOM = 1u << 2,	/* refused over maxmemory */
	ST_CMD_ADMIN = 1u << 3,
	ST_CMD_PUBSUB = 1u << 4,
	ST_CMD_NOSCRIPT = 1u << 5,
	ST_CMD_RANDOM = 1u << 6,	/* nondeterministic output */
	ST_CMD_LOADING = 1u << 7,	/* allowed while loading */
	ST_CMD_STALE = 1u << 8,		/* allowed on a stale replica */
	ST_CMD_FAST = 1u << 9,
	ST_CMD_NO_AUTH = 1u << 10,	/* allowed before AUTH */
	ST_CMD_NO_MULTI = 1u << 11,	/* refused inside MULTI */
	ST_CMD_ALLOW_BUSY = 1u << 12,
	ST_CMD_SORT_FOR_SCRIPT = 1u << 13,
	ST_CMD_SKIP_MONITOR = 1u << 14,
	ST_CMD_SKIP_SLOWLOG = 1u << 15,
	/* ferry's own, not shown by COMMAND: */
	ST_CMD_LOCKFREE = 1u << 24,	/* seqlock read, no stripe lock */
	ST_CMD_ALLKEYS = 1u << 25,	/* touches every key: lock all stripes */
	ST_CMD_NOKEYLOCK = 1u << 26,	/* takes no stripe lock (walks RCU only) */
};

/* Key positions: first/last/step as Redis's legacy (last -1 = last arg,
 * -2 = second to last).  Commands whose keys move (SINTERCARD numkeys ...)
 * provide getkeys, which fills 'keys' with argument indexes and returns the
 * count, or -1 on a syntax error the handler will report. */
typedef int (*st_getkeys_fn)(int argc, struct st_arg *argv, int *keys, int max);
typedef void (*st_cmd_fn)(struct st_client *c);

struct st_cmd {
	const char *name;		/* lower case; "config|get" for subcommands */
	int arity;			/* >0 exact, <0 at least -arity */
	uint32_t flags;
	int first_key, last_key, step;
	st_getkeys_fn getkeys;
	st_cmd_fn proc;
	/* docs (COMMAND DOCS / redis-cli hints) */
	const char *group;		/* "string", "list", "generic", "server", ... */
	const char *summary;
	const char *since;
	const char *args_hint;		/* e.g. "key value [EX seconds|PX milliseconds] ..." */
	const char *acl;		/* ACL categories, e.g. "@write @string @slow" */
	const struct st_cmd *subcmds;	/* container commands: table ending in {0} */
};

/* A family's table: an array ending with an entry whose name is NULL. */
extern const struct st_cmd st_cmds_string[];
extern const struct st_cmd st_cmds_keys[];
extern const struct st_cmd st_cmds_list[];
extern const struct st_cmd st_cmds_hash[];
extern const struct st_cmd st_cmds_set[];
extern const struct st_cmd st_cmds_zset[];
extern const struct st_cmd st_cmds_server[];
extern const struct st_cmd st_cmds_multi[];

/* Add a family table declared outside store/ (control/: the replication
 * commands).  Call before st_cmd_init (st_store_init); the table must live
 * for the whole process.  0, -EEXIST if already added, -ENOSPC past 8. */
int st_cmd_register_family(const struct st_cmd *tbl);

/* Build the lookup (once, before any thread dispatches). */
void st_cmd_init(void);
/* Case-insensitive lookup of a top-level command; NULL if unknown. */
const struct st_cmd *st_cmd_lookup(const char *name, size_t len);
/* Lookup of a subcommand of a container command; NULL if unknown. */
const struct st_cmd *st_cmd_lookup_sub(const struct st_cmd *parent,
				       const char *name, size_t len);
/* Iterate the top-level commands (COMMAND, COMMAND COUNT). */
size_t st_cmd_count(void);
const struct st_cmd *st_cmd_at(size_t i);
/* Fill 'keys' with the argument indexes of the keys; returns the count. */
int st_cmd_keys(const struct st_cmd *cmd, int argc, struct st_arg *argv,
		int *keys, int max);

/* Execute the client's current command (c->argc/argv): lookup, checks,
 * locks, handler, propagation.  The reply is appended to c->out. */
void st_dispatch(struct st_client *c);

/* EXEC: lock the stripes of every queued command and every watched key
 * (ascending order), call 'precheck' (the WATCH check) under the locks; if it
 * returns false, unlock and return false.  Otherwise run the queued commands
 * in order as one atomic unit -- no other thread sees a state between them --
 * replying with the array of their replies; emit the transaction as one
 * write-log record; unlock; return true. */
bool st_cmd_exec_transaction(struct st_client *c,
			     bool (*precheck)(struct st_client *c));

/* The host's SHUTDOWN handler (ferryd installs one).  SHUTDOWN calls it on
 * the executing thread and closes the connection without a reply, as
 * Redis; the hook must only ask the host's loops to stop.  Without a hook
 * SHUTDOWN replies with an error. */
void st_set_shutdown_hook(void (*fn)(void *arg), void *arg);

struct st_buf;

/* A section the host adds to INFO (ferryd: "Residence", dataplane/
 * dp_latency.h).  'name' is the argument that selects it (case-
 * insensitive; "everything" includes it too, as Redis's module sections,
 * "all" and the default do not), 'title' its "# Title" line.  write
 * appends its "field:value\r\n" lines; resetstat (may be NULL) runs on
 * CONFIG RESETSTAT.  Both run on whichever worker thread executes the
 * command, must not block, and take no store lock. */
struct st_info_section {
	const char *name, *title;
	void (*write)(struct st_buf *b, void *arg);
	void (*resetstat)(void *arg);
	void *arg;
};

/* Install the host's INFO section (once, before workers run; NULL removes
 * it).  The struct must outlive every INFO. */
void st_set_info_section(const struct st_info_section *s);

/* Reply with Redis's arity error for 'cmd' ("wrong number of arguments for 'x' command"). */
void st_reply_arity_error(struct st_client *c, const struct st_cmd *cmd);

#endif
