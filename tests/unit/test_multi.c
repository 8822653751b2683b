/*
 * test_multi.c -- MULTI / EXEC / DISCARD / WATCH / UNWATCH (cmd_multi.c and
 * st_cmd_exec_transaction in command.c).
 *
 * Reply bytes are those of stock redis-server 7.0.15 for the same sequences
 * (two connections where "another client" is involved).  The write log is
 * captured with a sink to check that a transaction is one record.  The last
 * test runs two threads, each with its own worker, and checks that a
 * lock-free MGET never sees half of a transaction.
 *
 * The database is emptied through the keyspace API (all stripes locked,
 * st_db_flush), so the tests depend on the string and multi families only.
 */
#include "harness.h"

#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "buf.h"
#include "keyspace.h"
#include "resp_compose.h"
#include "wlog.h"

#define OK "+OK\r\n"
#define QUEUED "+QUEUED\r\n"
#define NIL "$-1\r\n"
#define NULL_ARRAY "*-1\r\n"
#define EXECABORT "-EXECABORT Transaction discarded because of previous errors.\r\n"
#define NOTINT "-ERR value is not an integer or out of range\r\n"
#define ARITY(cmd) "-ERR wrong number of arguments for '" cmd "' command\r\n"

static struct st_client *ca, *cb;	/* two connections */

/* ---- helpers ------------------------------------------------------------- */

static int
setup(void **state)
{
	(void)state;
	th_flush_store();
	ca = th_client();
	cb = th_client();
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	st_client_free(ca);
	st_client_free(cb);
	ca = cb = NULL;
	return 0;
}

/* ---- basics ----------------------------------------------------------------- */

static void
t_multi_exec_basic(void **state)
{
	(void)state;
	th_expect(ca, OK, "MULTI");
	th_expect(ca, QUEUED, "SET", "a", "1");
	th_expect(ca, QUEUED, "INCR", "a");
	th_expect(ca, QUEUED, "GET", "a");
	/* nothing ran yet */
	th_expect(cb, NIL, "GET", "a");
	th_expect(ca, "*3\r\n+OK\r\n:2\r\n$1\r\n2\r\n", "EXEC");
	th_expect(cb, "$1\r\n2\r\n", "GET", "a");
	/* out of the transaction again */
	th_expect(ca, OK, "SET", "a", "3");
	th_expect(ca, "$1\r\n3\r\n", "GET", "a");
	/* empty transaction, lower case names */
	th_expect(ca, OK, "multi");
	th_expect(ca, "*0\r\n", "exec");
	/* replies of every shape inside the array */
	th_expect(ca, ":1\r\n", "RPUSH", "l", "x");
	th_expect(ca, OK, "MULTI");
	th_expect(ca, QUEUED, "GET", "nokey");
	th_expect(ca, QUEUED, "MGET", "a", "nokey");
	th_expect(ca, QUEUED, "GETRANGE", "a", "0", "-1");
	th_expect(ca, QUEUED, "LPOP", "l");
	th_expect(ca, QUEUED, "LPOP", "l");
	th_expect(ca, QUEUED, "STRLEN", "a");
	th_expect(ca, "*6\r\n$-1\r\n*2\r\n$1\r\n3\r\n$-1\r\n$1\r\n3\r\n$1\r\nx\r\n$-1\r\n:1\r\n",
	          "EXEC");
	/* a command that writes and then reads the same key in one EXEC */
	th_expect(ca, OK, "MULTI");
	th_expect(ca, QUEUED, "SET", "k", "v", "EX", "100");
	th_expect(ca, QUEUED, "APPEND", "k", "w");
	th_expect(ca, QUEUED, "GETDEL", "k");
	th_expect(ca, QUEUED, "GET", "k");
	th_expect(ca, "*4\r\n+OK\r\n:2\r\n$2\r\nvw\r\n$-1\r\n", "EXEC");
}

static void
t_without_multi(void **state)
{
	(void)state;
	th_expect(ca, "-ERR EXEC without MULTI\r\n", "EXEC");
	th_expect(ca, "-ERR DISCARD without MULTI\r\n", "DISCARD");
	th_expect(ca, ARITY("multi"), "MULTI", "x");
	th_expect(ca, ARITY("discard"), "DISCARD", "x");
	th_expect(ca, ARITY("watch"), "WATCH");
	th_expect(ca, ARITY("unwatch"), "UNWATCH", "x");
	th_expect(ca, OK, "UNWATCH");
	/* the client is not left in MULTI by any of these */
	th_expect(ca, OK, "SET", "a", "1");
}

/*
 * A rejected EXEC (here: wrong arity) aborts the transaction with the reason,
 * in or out of MULTI (Redis's rejectCommand -> execCommandAbort).
 */
static void
t_exec_rejected(void **state)
{
	(void)state;
	th_expect(ca, "-EXECABORT Transaction discarded because of: wrong number of arguments for 'exec' command\r\n",
	          "EXEC", "x");
	th_expect(ca, OK, "WATCH", "a");
	th_expect(ca, OK, "MULTI");
	th_expect(ca, QUEUED, "SET", "a", "1");
	th_expect(ca, "-EXECABORT Transaction discarded because of: wrong number of arguments for 'exec' command\r\n",
	          "EXEC", "x");
	/* the transaction is gone, and so is the watch */
	th_expect(ca, "-ERR EXEC without MULTI\r\n", "EXEC");
	th_expect(ca, NIL, "GET", "a");
	th_expect(cb, OK, "SET", "a", "2");
	th_expect(ca, OK, "MULTI");
	th_expect(ca, QUEUED, "GET", "a");
	th_expect(ca, "*1\r\n$1\r\n2\r\n", "EXEC");
	/* the arity errors of the other transaction commands abort at EXEC */
	th_expect(ca, OK, "MULTI");
	th_expect(ca, ARITY("discard"), "DISCARD", "x");
	th_expect(ca, EXECABORT, "EXEC");
	th_expect(ca, OK, "MULTI");
	th_expect(ca, ARITY("multi"), "MULTI", "x");
	th_expect(ca, EXECABORT, "EXEC");
	th_expect(ca, OK, "MULTI");
	th_expect(ca, ARITY("watch"), "WATCH");
	th_expect(ca, EXECABORT, "EXEC");
	th_expect(ca, OK, "MULTI");
	th_expect(ca, ARITY("unwatch"), "UNWATCH", "x");
	th_expect(ca, EXECABORT, "EXEC");
}

/* Queue-time errors: the error now, EXECABORT at EXEC, nothing runs. */
static void
t_queue_errors(void **state)
{
	(void)state;
	th_expect(ca, OK, "SET", "a", "5");
	th_expect(ca, OK, "MULTI");
	th_expect(ca, "-ERR unknown command 'NOSUCH', with args beginning with: 'x' 'y' \r\n",
	          "NOSUCH", "x", "y");
	th_expect(ca, QUEUED, "SET", "a", "9");
	th_expect(ca, EXECABORT, "EXEC");
	th_expect(ca, "$1\r\n5\r\n", "GET", "a");
	/* EXECABORT ended the transaction */
	th_expect(ca, "-ERR EXEC without MULTI\r\n", "EXEC");

	/* wrong arity, after a good command */
	th_expect(ca, OK, "MULTI");
	th_expect(ca, QUEUED, "SET", "a", "6");
	th_expect(ca, ARITY("set"), "SET", "a");
	th_expect(ca, QUEUED, "INCR", "a");
	th_expect(ca, EXECABORT, "EXEC");
	th_expect(ca, "$1\r\n5\r\n", "GET", "a");

	/* arity of a command with a minimum */
	th_expect(ca, OK, "MULTI");
	th_expect(ca, ARITY("mget"), "MGET");
	th_expect(ca, EXECABORT, "EXEC");

	/* an unknown command with no arguments */
	th_expect(ca, OK, "MULTI");
	th_expect(ca, "-ERR unknown command 'foo', with args beginning with: \r\n", "foo");
	th_expect(ca, EXECABORT, "EXEC");

	/* DISCARD after a queue-time error: +OK, and no abort left behind */
	th_expect(ca, OK, "MULTI");
	th_expect(ca, ARITY("get"), "GET");
	th_expect(ca, OK, "DISCARD");
	th_expect(ca, OK, "MULTI");
	th_expect(ca, QUEUED, "GET", "a");
	th_expect(ca, "*1\r\n$1\r\n5\r\n", "EXEC");
}

/* Errors while running: inside the array; the other commands still run. */
static void
t_runtime_errors(void **state)
{
	(void)state;
	th_expect(ca, OK, "MULTI");
	th_expect(ca, QUEUED, "SET", "s", "str");
	th_expect(ca, QUEUED, "INCR", "s");
	th_expect(ca, QUEUED, "SET", "t", "1");
	th_expect(ca, QUEUED, "GET", "t");
	th_expect(ca, "*4\r\n+OK\r\n" NOTINT "+OK\r\n$1\r\n1\r\n", "EXEC");
	th_expect(ca, "$1\r\n1\r\n", "GET", "t");

	/* syntax and option errors are found only at EXEC */
	th_expect(ca, OK, "MULTI");
	th_expect(ca, QUEUED, "SET", "x", "1", "EX", "0");
	th_expect(ca, QUEUED, "SET", "x", "1", "NX", "XX");
	th_expect(ca, QUEUED, "INCR", "x");
	th_expect(ca, QUEUED, "INCRBYFLOAT", "x", "1.5");
	th_expect(ca, QUEUED, "GETEX", "x", "EX", "0");
	th_expect(ca, "*5\r\n-ERR invalid expire time in 'set' command\r\n-ERR syntax error\r\n"
	          ":1\r\n$3\r\n2.5\r\n-ERR invalid expire time in 'getex' command\r\n", "EXEC");

	/* WRONGTYPE inside */
	th_expect(ca, ":1\r\n", "RPUSH", "l", "a");
	th_expect(ca, OK, "MULTI");
	th_expect(ca, QUEUED, "GET", "l");
	th_expect(ca, QUEUED, "LLEN", "l");
	th_expect(ca, "*2\r\n-WRONGTYPE Operation against a key holding the wrong kind of value\r\n:1\r\n",
	          "EXEC");
}

static void
t_nested_multi(void **state)
{
	(void)state;
	th_expect(ca, OK, "MULTI");
	th_expect(ca, "-ERR MULTI calls can not be nested\r\n", "MULTI");
	th_expect(ca, QUEUED, "SET", "a", "5");
	/* the transaction is still good */
	th_expect(ca, "*1\r\n+OK\r\n", "EXEC");
	th_expect(ca, "$1\r\n5\r\n", "GET", "a");
}

static void
t_watch_inside_multi(void **state)
{
	(void)state;
	th_expect(ca, OK, "MULTI");
	th_expect(ca, "-ERR WATCH inside MULTI is not allowed\r\n", "WATCH", "a");
	th_expect(ca, "*0\r\n", "EXEC");
	th_expect(ca, OK, "MULTI");
	th_expect(ca, QUEUED, "SET", "a", "1");
	th_expect(ca, "-ERR WATCH inside MULTI is not allowed\r\n", "WATCH", "a");
	th_expect(ca, "*1\r\n+OK\r\n", "EXEC");
	/* and it did not watch: a change by another client does not abort */
	th_expect(ca, OK, "MULTI");
	th_expect(ca, "-ERR WATCH inside MULTI is not allowed\r\n", "WATCH", "a");
	th_expect(cb, OK, "SET", "a", "2");
	th_expect(ca, QUEUED, "GET", "a");
	th_expect(ca, "*1\r\n$1\r\n2\r\n", "EXEC");
}

/* ---- WATCH ----------------------------------------------------------------- */

static void
t_watch_changed_by_other(void **state)
{
	(void)state;
	th_expect(ca, OK, "SET", "w", "1");
	th_expect(ca, OK, "WATCH", "w");
	th_expect(cb, OK, "SET", "w", "2");
	th_expect(ca, OK, "MULTI");
	th_expect(ca, QUEUED, "SET", "w", "from-a");
	th_expect(ca, NULL_ARRAY, "EXEC");
	th_expect(ca, "$1\r\n2\r\n", "GET", "w");
	/* EXEC ended the transaction and forgot the watch */
	th_expect(ca, "-ERR EXEC without MULTI\r\n", "EXEC");
	th_expect(ca, OK, "MULTI");
	th_expect(ca, QUEUED, "GET", "w");
	th_expect(ca, "*1\r\n$1\r\n2\r\n", "EXEC");

	/* in-place changes by the other client abort too */
	th_expect(ca, OK, "WATCH", "w");
	th_expect(cb, ":3\r\n", "INCR", "w");
	th_expect(ca, OK, "MULTI");
	th_expect(ca, QUEUED, "GET", "w");
	th_expect(ca, NULL_ARRAY, "EXEC");
	th_expect(ca, OK, "WATCH", "w");
	th_expect(cb, ":2\r\n", "APPEND", "w", "x");
	th_expect(ca, OK, "MULTI");
	th_expect(ca, NULL_ARRAY, "EXEC");
	th_expect(ca, OK, "WATCH", "w");
	th_expect(cb, "$2\r\n3x\r\n", "GETDEL", "w");
	th_expect(ca, OK, "MULTI");
	th_expect(ca, NULL_ARRAY, "EXEC");

	/* several keys: a change to any of them aborts */
	th_expect(ca, OK, "MSET", "k1", "1", "k2", "2");
	th_expect(ca, OK, "WATCH", "k1", "k2", "k3");
	th_expect(ca, OK, "WATCH", "k1");		/* watching twice is fine */
	th_expect(cb, ":1\r\n", "SETRANGE", "k2", "0", "x");
	th_expect(ca, OK, "MULTI");
	th_expect(ca, QUEUED, "GET", "k1");
	th_expect(ca, NULL_ARRAY, "EXEC");

	/* RESP3: the null */
	ca->resp = 3;
	th_expect(ca, OK, "WATCH", "k1");
	th_expect(cb, OK, "SET", "k1", "z");
	th_expect(ca, OK, "MULTI");
	th_expect(ca, QUEUED, "GET", "k1");
	th_expect(ca, "_\r\n", "EXEC");
	ca->resp = 2;
}

static void
t_watch_unchanged(void **state)
{
	(void)state;
	th_expect(ca, OK, "SET", "w", "1");
	th_expect(ca, OK, "WATCH", "w", "nokey");
	/* reads by anyone do not abort */
	th_expect(cb, "$1\r\n1\r\n", "GET", "w");
	th_expect(cb, NIL, "GET", "nokey");
	th_expect(cb, "*2\r\n$1\r\n1\r\n$-1\r\n", "MGET", "w", "nokey");
	th_expect(ca, OK, "MULTI");
	th_expect(ca, QUEUED, "INCR", "w");
	th_expect(ca, QUEUED, "SET", "nokey", "x");
	th_expect(ca, "*2\r\n:2\r\n+OK\r\n", "EXEC");
	th_expect(ca, "*2\r\n$1\r\n2\r\n$1\r\nx\r\n", "MGET", "w", "nokey");
}

/* Writes that change nothing do not abort (Redis signals no modification). */
static void
t_watch_noop_writes(void **state)
{
	(void)state;
	th_expect(ca, OK, "SET", "w", "1");
	th_expect(ca, OK, "WATCH", "w", "nokey");
	th_expect(cb, ":0\r\n", "SETNX", "w", "z");
	th_expect(cb, NIL, "SET", "w", "z", "NX");
	th_expect(cb, NIL, "SET", "nokey", "z", "XX");
	th_expect(cb, "$1\r\n1\r\n", "GETEX", "w", "PERSIST");	/* had no TTL */
	th_expect(cb, "$1\r\n1\r\n", "GETEX", "w");
	th_expect(cb, ":1\r\n", "SETRANGE", "w", "0", "");
	th_expect(cb, NIL, "GETDEL", "nokey");
	th_expect(cb, ":0\r\n", "MSETNX", "w", "1", "nokey", "2");
	th_expect(cb, NOTINT, "INCRBY", "w", "x");
	th_expect(ca, OK, "MULTI");
	th_expect(ca, QUEUED, "GET", "w");
	th_expect(ca, "*1\r\n$1\r\n1\r\n", "EXEC");
}

static void
t_watch_missing_key(void **state)
{
	(void)state;
	/* created by another client */
	th_expect(ca, OK, "WATCH", "wm");
	th_expect(cb, OK, "SET", "wm", "x");
	th_expect(ca, OK, "MULTI");
	th_expect(ca, QUEUED, "GET", "wm");
	th_expect(ca, NULL_ARRAY, "EXEC");
	/* created and deleted again before EXEC: still aborts */
	th_expect(ca, OK, "WATCH", "wm2");
	th_expect(cb, OK, "SET", "wm2", "x");
	th_expect(cb, "$1\r\nx\r\n", "GETDEL", "wm2");
	th_expect(ca, OK, "MULTI");
	th_expect(ca, QUEUED, "GET", "wm2");
	th_expect(ca, NULL_ARRAY, "EXEC");
	/* still missing: runs */
	th_expect(ca, OK, "WATCH", "wm3");
	th_expect(ca, OK, "MULTI");
	th_expect(ca, QUEUED, "SET", "wm3", "mine");
	th_expect(ca, "*1\r\n+OK\r\n", "EXEC");
	th_expect(cb, "$4\r\nmine\r\n", "GET", "wm3");
}

/* A change by the watching client itself also aborts. */
static void
t_watch_own_change(void **state)
{
	(void)state;
	th_expect(ca, OK, "SET", "w", "1");
	th_expect(ca, OK, "WATCH", "w");
	th_expect(ca, OK, "SET", "w", "3");
	th_expect(ca, OK, "MULTI");
	th_expect(ca, QUEUED, "GET", "w");
	th_expect(ca, NULL_ARRAY, "EXEC");
}

/* A watched key that expires before EXEC aborts it (Redis 7.0). */
static void
t_watch_expire(void **state)
{
	(void)state;
	th_expect(ca, OK, "SET", "we", "v", "PX", "30");
	th_expect(ca, OK, "WATCH", "we");
	th_sleep_ms(60);
	th_expect(ca, OK, "MULTI");
	th_expect(ca, QUEUED, "GET", "we");
	th_expect(ca, NULL_ARRAY, "EXEC");
	/* a TTL that is still running does not abort */
	th_expect(ca, OK, "SET", "we", "v", "EX", "100");
	th_expect(ca, OK, "WATCH", "we");
	th_expect(ca, OK, "MULTI");
	th_expect(ca, QUEUED, "GET", "we");
	th_expect(ca, "*1\r\n$1\r\nv\r\n", "EXEC");
}

/* WATCH against the generic commands and other databases (keys/server
 * families): what aborts and what does not. */
static void
t_watch_generic_commands(void **state)
{
	(void)state;
	/* FLUSHALL aborts a watcher of an existing key */
	th_expect(ca, OK, "SET", "w", "1");
	th_expect(ca, OK, "WATCH", "w");
	th_expect(cb, OK, "FLUSHALL");
	th_expect(ca, OK, "MULTI");
	th_expect(ca, QUEUED, "GET", "w");
	th_expect(ca, NULL_ARRAY, "EXEC");
	/* the same key name in another database is another key */
	th_expect(ca, OK, "SET", "w", "1");
	th_expect(ca, OK, "WATCH", "w");
	th_expect(cb, OK, "SELECT", "1");
	th_expect(cb, OK, "SET", "w", "2");
	th_expect(cb, OK, "FLUSHDB");
	th_expect(cb, OK, "SELECT", "0");
	th_expect(ca, OK, "MULTI");
	th_expect(ca, QUEUED, "GET", "w");
	th_expect(ca, "*1\r\n$1\r\n1\r\n", "EXEC");
	/* the watch stays on the database it was made in */
	th_expect(ca, OK, "WATCH", "w");
	th_expect(ca, OK, "SELECT", "1");
	th_expect(cb, OK, "SET", "w", "3");
	th_expect(ca, OK, "MULTI");
	th_expect(ca, QUEUED, "GET", "w");
	th_expect(ca, NULL_ARRAY, "EXEC");
	th_expect(ca, OK, "SELECT", "0");
	/* EXPIRE and DEL abort; PERSIST of a key without TTL, DEL of a
	 * missing key do not */
	th_expect(ca, OK, "WATCH", "w");
	th_expect(cb, ":1\r\n", "EXPIRE", "w", "100");
	th_expect(ca, OK, "MULTI");
	th_expect(ca, NULL_ARRAY, "EXEC");
	th_expect(cb, OK, "SET", "w", "4");
	th_expect(ca, OK, "WATCH", "w", "zz");
	th_expect(cb, ":0\r\n", "PERSIST", "w");
	th_expect(cb, ":0\r\n", "DEL", "zz");
	th_expect(ca, OK, "MULTI");
	th_expect(ca, QUEUED, "GET", "w");
	th_expect(ca, "*1\r\n$1\r\n4\r\n", "EXEC");
	th_expect(ca, OK, "WATCH", "w");
	th_expect(cb, ":1\r\n", "DEL", "w");
	th_expect(ca, OK, "MULTI");
	th_expect(ca, NULL_ARRAY, "EXEC");
	/* RENAME onto the key, SWAPDB of its database */
	th_expect(ca, OK, "MSET", "w", "6", "o", "7");
	th_expect(ca, OK, "WATCH", "w");
	th_expect(cb, OK, "RENAME", "o", "w");
	th_expect(ca, OK, "MULTI");
	th_expect(ca, NULL_ARRAY, "EXEC");
	th_expect(ca, OK, "WATCH", "w");
	th_expect(cb, OK, "SWAPDB", "0", "1");
	th_expect(ca, OK, "MULTI");
	th_expect(ca, QUEUED, "GET", "w");
	th_expect(ca, NULL_ARRAY, "EXEC");
	th_expect(cb, OK, "SWAPDB", "0", "1");
	th_expect(ca, "$1\r\n7\r\n", "GET", "w");
}

/* SELECT inside MULTI: the commands after it use the new database, and the
 * client stays there after EXEC. */
static void
t_select_in_multi(void **state)
{
	(void)state;
	th_expect(ca, OK, "MULTI");
	th_expect(ca, QUEUED, "SELECT", "1");
	th_expect(ca, QUEUED, "SET", "s", "x");
	th_expect(ca, "*2\r\n+OK\r\n+OK\r\n", "EXEC");
	th_expect(ca, "$1\r\nx\r\n", "GET", "s");
	th_expect(ca, OK, "SELECT", "0");
	th_expect(ca, NIL, "GET", "s");
	/* a bad SELECT inside is a runtime error; the rest still runs */
	th_expect(ca, OK, "MULTI");
	th_expect(ca, QUEUED, "SELECT", "99");
	th_expect(ca, QUEUED, "SET", "s", "y");
	th_expect(ca, "*2\r\n-ERR DB index is out of range\r\n+OK\r\n", "EXEC");
	th_expect(ca, "$1\r\ny\r\n", "GET", "s");
}

static void
t_unwatch(void **state)
{
	(void)state;
	th_expect(ca, OK, "SET", "w", "1");
	th_expect(ca, OK, "WATCH", "w");
	th_expect(cb, OK, "SET", "w", "4");
	th_expect(ca, OK, "UNWATCH");
	th_expect(ca, OK, "MULTI");
	th_expect(ca, QUEUED, "GET", "w");
	th_expect(ca, "*1\r\n$1\r\n4\r\n", "EXEC");
	/* UNWATCH inside MULTI is queued like any command */
	th_expect(ca, OK, "MULTI");
	th_expect(ca, QUEUED, "UNWATCH");
	th_expect(ca, "*1\r\n+OK\r\n", "EXEC");
	/* and once queued it is too late: the watch still aborts */
	th_expect(ca, OK, "WATCH", "w");
	th_expect(cb, OK, "SET", "w", "5");
	th_expect(ca, OK, "MULTI");
	th_expect(ca, QUEUED, "UNWATCH");
	th_expect(ca, NULL_ARRAY, "EXEC");
}

static void
t_discard(void **state)
{
	(void)state;
	th_expect(ca, OK, "SET", "a", "1");
	th_expect(ca, OK, "MULTI");
	th_expect(ca, QUEUED, "SET", "a", "7");
	th_expect(ca, QUEUED, "INCR", "a");
	th_expect(ca, OK, "DISCARD");
	th_expect(ca, "$1\r\n1\r\n", "GET", "a");
	th_expect(ca, "-ERR EXEC without MULTI\r\n", "EXEC");
	/* a new transaction starts empty */
	th_expect(ca, OK, "MULTI");
	th_expect(ca, QUEUED, "GET", "a");
	th_expect(ca, "*1\r\n$1\r\n1\r\n", "EXEC");
	/* DISCARD forgets watched keys */
	th_expect(ca, OK, "WATCH", "a");
	th_expect(ca, OK, "MULTI");
	th_expect(ca, OK, "DISCARD");
	th_expect(cb, OK, "SET", "a", "5");
	th_expect(ca, OK, "MULTI");
	th_expect(ca, QUEUED, "GET", "a");
	th_expect(ca, "*1\r\n$1\r\n5\r\n", "EXEC");
	/* so does an EXEC that ran, and one that was aborted */
	th_expect(ca, OK, "WATCH", "a");
	th_expect(ca, OK, "MULTI");
	th_expect(ca, "*0\r\n", "EXEC");
	th_expect(cb, OK, "SET", "a", "6");
	th_expect(ca, OK, "MULTI");
	th_expect(ca, QUEUED, "GET", "a");
	th_expect(ca, "*1\r\n$1\r\n6\r\n", "EXEC");
	th_expect(ca, OK, "WATCH", "a");
	th_expect(cb, OK, "SET", "a", "7");
	th_expect(ca, OK, "MULTI");
	th_expect(ca, ARITY("get"), "GET");
	th_expect(ca, EXECABORT, "EXEC");
	th_expect(cb, OK, "SET", "a", "8");
	th_expect(ca, OK, "MULTI");
	th_expect(ca, QUEUED, "GET", "a");
	th_expect(ca, "*1\r\n$1\r\n8\r\n", "EXEC");
	/* freeing a client in MULTI with watched keys leaks nothing */
	th_expect(ca, OK, "WATCH", "a", "b");
	th_expect(ca, OK, "MULTI");
	th_expect(ca, QUEUED, "SET", "a", "9");
}

/* ---- write log --------------------------------------------------------------- */

static int
wlog_setup(void **state)
{
	setup(state);
	th_cap_start();
	return 0;
}

static int
wlog_teardown(void **state)
{
	st_wlog_set_sink(NULL, NULL);
	return teardown(state);
}

static void
expect_rec_at(const char *file, int line, int from, int ncmds, const char *text)
{
	if (th_cap.n - from != 1) {
		print_error("write log: %d records, expected 1\n", th_cap.n - from);
		for (int i = from; i < th_cap.n; i++)
			print_error("  [%d] %s\n", i - from, th_cap.r[i].text);
	}
	_assert_int_equal(th_cap.n - from, 1, file, line);
	_assert_string_equal(th_cap.r[from].text, text, file, line);
	_assert_int_equal(th_cap.r[from].ncmds, ncmds, file, line);
}

#define EXPECT_REC(from, ncmds, text) expect_rec_at(__FILE__, __LINE__, (from), (ncmds), (text))
#define EXPECT_NO_REC(from) do { \
	if (th_cap.n != (from)) \
		print_error("unexpected record: %s\n", th_cap.r[from].text); \
	assert_int_equal(th_cap.n, (from)); \
} while (0)

static void
t_exec_wlog(void **state)
{
	int m;

	(void)state;
	/* one record for the whole transaction, one command per write */
	m = th_cap.n;
	th_expect(ca, OK, "MULTI");
	th_expect(ca, QUEUED, "SET", "a", "1");
	th_expect(ca, QUEUED, "INCR", "a");
	th_expect(ca, QUEUED, "GET", "a");
	th_expect(ca, QUEUED, "SETNX", "a", "5");		/* writes nothing */
	th_expect(ca, QUEUED, "INCRBYFLOAT", "f", "1.5");
	th_expect(ca, QUEUED, "INCR", "f");		/* error */
	th_expect(ca, QUEUED, "GETDEL", "a");
	EXPECT_NO_REC(m);				/* nothing before EXEC */
	th_expect(ca, "*7\r\n+OK\r\n:2\r\n$1\r\n2\r\n:0\r\n$3\r\n1.5\r\n" NOTINT "$1\r\n2\r\n",
	          "EXEC");
	EXPECT_REC(m, 4, "SET a 1 ; INCR a ; SET f 1.5 KEEPTTL ; DEL a");

	/* a single write: still one record */
	m = th_cap.n;
	th_expect(ca, OK, "MULTI");
	th_expect(ca, QUEUED, "GET", "f");
	th_expect(ca, QUEUED, "APPEND", "f", "0");
	th_expect(ca, "*2\r\n$3\r\n1.5\r\n:4\r\n", "EXEC");
	EXPECT_REC(m, 1, "APPEND f 0");

	/* read-only, empty, aborted and discarded transactions: nothing */
	m = th_cap.n;
	th_expect(ca, OK, "MULTI");
	th_expect(ca, QUEUED, "GET", "f");
	th_expect(ca, QUEUED, "MGET", "f", "a");
	th_expect(ca, "*2\r\n$4\r\n1.50\r\n*2\r\n$4\r\n1.50\r\n$-1\r\n", "EXEC");
	th_expect(ca, OK, "MULTI");
	th_expect(ca, "*0\r\n", "EXEC");
	th_expect(ca, OK, "MULTI");
	th_expect(ca, QUEUED, "SET", "x", "1");
	th_expect(ca, OK, "DISCARD");
	th_expect(ca, OK, "MULTI");
	th_expect(ca, QUEUED, "SET", "x", "1");
	th_expect(ca, ARITY("set"), "SET", "x");
	th_expect(ca, EXECABORT, "EXEC");
	th_expect(ca, OK, "WATCH", "f");
	EXPECT_NO_REC(m);
	th_expect(cb, OK, "SET", "f", "other");
	EXPECT_REC(m, 1, "SET f other");
	m = th_cap.n;
	th_expect(ca, OK, "MULTI");
	th_expect(ca, QUEUED, "SET", "x", "1");
	th_expect(ca, NULL_ARRAY, "EXEC");
	EXPECT_NO_REC(m);

	/* relative TTLs are rewritten inside a transaction too */
	m = th_cap.n;
	th_expect(ca, OK, "MULTI");
	th_expect(ca, QUEUED, "SET", "t", "v", "EXAT", "99999999999");
	th_expect(ca, QUEUED, "SET", "u", "v");
	th_expect(ca, "*2\r\n+OK\r\n+OK\r\n", "EXEC");
	EXPECT_REC(m, 2, "SET t v PXAT 99999999999000 ; SET u v");
	/* sequence numbers increase */
	for (int i = 1; i < th_cap.n; i++)
		assert_true(th_cap.r[i].seq > th_cap.r[i - 1].seq);
}

/* ---- atomicity across threads ------------------------------------------------ */

#define ATOMIC_ITERS 2000

struct thr {
	atomic_int *writer_done;
	atomic_int *reader_started;
	long iterations;	/* reader: MGETs done */
	long torn;		/* reader: replies with a != b */
	long bad;		/* unexpected reply bytes */
	char first_bad[160];
	int ok;			/* thread ran to its end */
};

/* Run one command on c (no harness TLS buffers: this thread exits);
 * the reply is left in c->out. */
static void
thr_cmd(struct st_client *c, struct st_buf *req, int argc, const char *const *argv)
{
	size_t lens[8];

	for (int i = 0; i < argc; i++)
		lens[i] = strlen(argv[i]);
	st_buf_reset(req);
	st_resp_command(req, argc, argv, lens);
	st_buf_reset(&c->out);
	st_client_feed(c, req->p, req->len);
	st_client_process(c);
}

static bool
out_is(struct st_client *c, const char *exp)
{
	size_t n = strlen(exp);

	return c->out.len == n && memcmp(c->out.p, exp, n) == 0;
}

static void
note_bad(struct thr *t, struct st_client *c)
{
	if (t->bad++ == 0)
		snprintf(t->first_bad, sizeof(t->first_bad), "%.*s",
			 (int)(c->out.len < 150 ? c->out.len : 150), c->out.p);
}

static void *
writer_main(void *arg)
{
	struct thr *t = arg;
	struct st_worker *w = th_init();
	struct st_client *c = st_client_new(w);
	struct st_buf req;
	static const char *const multi[] = { "MULTI" };
	static const char *const incr_a[] = { "INCR", "atom:a" };
	static const char *const incr_b[] = { "INCR", "atom:b" };
	static const char *const exec[] = { "EXEC" };

	st_buf_init(&req);
	/* start once the reader runs, so that the two really overlap */
	while (atomic_load(t->reader_started) == 0) {
		st_worker_quiescent();
		sched_yield();
	}
	for (int i = 1; i <= ATOMIC_ITERS; i++) {
		char exp[64];

		thr_cmd(c, &req, 1, multi);
		if (!out_is(c, OK))
			note_bad(t, c);
		thr_cmd(c, &req, 2, incr_a);
		if (!out_is(c, QUEUED))
			note_bad(t, c);
		thr_cmd(c, &req, 2, incr_b);
		if (!out_is(c, QUEUED))
			note_bad(t, c);
		thr_cmd(c, &req, 1, exec);
		snprintf(exp, sizeof(exp), "*2\r\n:%d\r\n:%d\r\n", i, i);
		if (!out_is(c, exp))
			note_bad(t, c);
		st_worker_quiescent();
	}
	atomic_store(t->writer_done, 1);
	st_buf_free(&req);
	st_client_free(c);
	st_thread_unregister(w);
	t->ok = 1;
	return NULL;
}

/* Parse one bulk or null at *p; returns the value (-1 for null), -2 on error. */
static long
parse_bulk_num(const char **p, const char *end)
{
	long len, v = 0;
	char *e;

	if (end - *p >= 5 && memcmp(*p, "$-1\r\n", 5) == 0) {
		*p += 5;
		return -1;
	}
	if (*p >= end || **p != '$')
		return -2;
	len = strtol(*p + 1, &e, 10);
	if (len <= 0 || e + 2 + len + 2 > end || e[0] != '\r' || e[1] != '\n')
		return -2;
	for (long i = 0; i < len; i++) {
		char ch = e[2 + i];

		if (ch < '0' || ch > '9')
			return -2;
		v = v * 10 + (ch - '0');
	}
	if (e[2 + len] != '\r' || e[3 + len] != '\n')
		return -2;
	*p = e + 4 + len;
	return v;
}

static void *
reader_main(void *arg)
{
	struct thr *t = arg;
	struct st_worker *w = th_init();
	struct st_client *c = st_client_new(w);
	struct st_buf req;
	static const char *const mget[] = { "MGET", "atom:a", "atom:b" };

	st_buf_init(&req);
	atomic_store(t->reader_started, 1);
	for (;;) {
		bool last = atomic_load(t->writer_done) != 0;
		const char *p, *end;
		long a, b;

		thr_cmd(c, &req, 3, mget);
		p = c->out.p;
		end = p + c->out.len;
		if (c->out.len < 4 || memcmp(p, "*2\r\n", 4) != 0) {
			note_bad(t, c);
		} else {
			p += 4;
			a = parse_bulk_num(&p, end);
			b = a == -2 ? -2 : parse_bulk_num(&p, end);
			if (a == -2 || b == -2 || p != end)
				note_bad(t, c);
			else if (a != b)
				t->torn++;
		}
		t->iterations++;
		st_worker_quiescent();
		if (last)
			break;
	}
	st_buf_free(&req);
	st_client_free(c);
	st_thread_unregister(w);
	t->ok = 1;
	return NULL;
}

static void
t_atomic_across_threads(void **state)
{
	atomic_int done = 0, started = 0;
	struct thr wt = { .writer_done = &done, .reader_started = &started };
	struct thr rt = { .writer_done = &done, .reader_started = &started };
	pthread_t wth, rth;

	(void)state;
	/* this thread blocks in join: let grace periods go on without it */
	st_worker_offline();
	assert_int_equal(pthread_create(&rth, NULL, reader_main, &rt), 0);
	assert_int_equal(pthread_create(&wth, NULL, writer_main, &wt), 0);
	pthread_join(wth, NULL);
	pthread_join(rth, NULL);
	st_worker_online();

	if (wt.bad)
		print_error("writer: %ld bad replies, first: %s\n", wt.bad, wt.first_bad);
	if (rt.bad)
		print_error("reader: %ld bad replies, first: %s\n", rt.bad, rt.first_bad);
	if (rt.torn)
		print_error("reader: %ld of %ld MGETs saw a != b\n", rt.torn, rt.iterations);
	assert_int_equal(wt.ok, 1);
	assert_int_equal(rt.ok, 1);
	assert_int_equal(wt.bad, 0);
	assert_int_equal(rt.bad, 0);
	assert_int_equal(rt.torn, 0);
	assert_true(rt.iterations > 0);
	th_expect(ca, "*2\r\n$4\r\n2000\r\n$4\r\n2000\r\n", "MGET", "atom:a", "atom:b");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(t_multi_exec_basic, setup, teardown),
		cmocka_unit_test_setup_teardown(t_without_multi, setup, teardown),
		cmocka_unit_test_setup_teardown(t_exec_rejected, setup, teardown),
		cmocka_unit_test_setup_teardown(t_queue_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(t_runtime_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(t_nested_multi, setup, teardown),
		cmocka_unit_test_setup_teardown(t_watch_inside_multi, setup, teardown),
		cmocka_unit_test_setup_teardown(t_watch_changed_by_other, setup, teardown),
		cmocka_unit_test_setup_teardown(t_watch_unchanged, setup, teardown),
		cmocka_unit_test_setup_teardown(t_watch_noop_writes, setup, teardown),
		cmocka_unit_test_setup_teardown(t_watch_missing_key, setup, teardown),
		cmocka_unit_test_setup_teardown(t_watch_own_change, setup, teardown),
		cmocka_unit_test_setup_teardown(t_watch_expire, setup, teardown),
		cmocka_unit_test_setup_teardown(t_watch_generic_commands, setup, teardown),
		cmocka_unit_test_setup_teardown(t_select_in_multi, setup, teardown),
		cmocka_unit_test_setup_teardown(t_unwatch, setup, teardown),
		cmocka_unit_test_setup_teardown(t_discard, setup, teardown),
		cmocka_unit_test_setup_teardown(t_exec_wlog, wlog_setup, wlog_teardown),
		cmocka_unit_test_setup_teardown(t_atomic_across_threads, setup, teardown),
	};

	th_init();
	return cmocka_run_group_tests_name("multi", tests, NULL, NULL);
}
