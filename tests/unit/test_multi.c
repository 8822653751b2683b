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

static void
flush_store(void)
{
	struct st_client *c = th_client();

	for (unsigned s = 0; s < ST_STRIPES; s++)
		st_stripe_lock(s);
	for (int db = 0; db < ST_DBNUM; db++)
		st_db_flush(c, db);
	for (unsigned s = ST_STRIPES; s-- > 0;)
		st_stripe_unlock(s);
	st_client_free(c);
}

static int
setup(void **state)
{
	(void)state;
	flush_store();
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

static void
print_escaped(const char *what, const char *p, size_t len)
{
	print_error("%s (%zu bytes): \"", what, len);
	for (size_t i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)p[i];

		if (ch == '\r')
			print_error("\\r");
		else if (ch == '\n')
			print_error("\\n");
		else if (ch < 32 || ch >= 127)
			print_error("\\x%02x", ch);
		else
			print_error("%c", ch);
	}
	print_error("\"\n");
}

/* Run a command (C strings, NULL-terminated) and compare the whole reply. */
static void
expect_at(const char *file, int line, struct st_client *c, const char *exp,
	  size_t explen, ...)
{
	const char *argv[64];
	size_t lens[64];
	int argc = 0;
	const char *s, *got;
	size_t gotlen;
	va_list ap;

	va_start(ap, explen);
	while ((s = va_arg(ap, const char *)) != NULL && argc < 64) {
		argv[argc] = s;
		lens[argc] = strlen(s);
		argc++;
	}
	va_end(ap);
	got = th_cmdv(c, argc, argv, lens);
	gotlen = th_last_len();
	if (gotlen != explen || memcmp(got, exp, explen) != 0) {
		print_error("command:");
		for (int i = 0; i < argc; i++)
			print_error(" '%s'", argv[i]);
		print_error("\n");
		print_escaped("got     ", got, gotlen);
		print_escaped("expected", exp, explen);
	}
	_assert_int_equal(gotlen, explen, file, line);
	_assert_memory_equal(got, exp, explen, file, line);
}

#define EXPECT(c, exp, ...) \
	expect_at(__FILE__, __LINE__, (c), (exp), sizeof(exp) - 1, __VA_ARGS__, NULL)

static void
sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) != 0)
		;
}

/* ---- basics ----------------------------------------------------------------- */

static void
t_multi_exec_basic(void **state)
{
	(void)state;
	EXPECT(ca, OK, "MULTI");
	EXPECT(ca, QUEUED, "SET", "a", "1");
	EXPECT(ca, QUEUED, "INCR", "a");
	EXPECT(ca, QUEUED, "GET", "a");
	/* nothing ran yet */
	EXPECT(cb, NIL, "GET", "a");
	EXPECT(ca, "*3\r\n+OK\r\n:2\r\n$1\r\n2\r\n", "EXEC");
	EXPECT(cb, "$1\r\n2\r\n", "GET", "a");
	/* out of the transaction again */
	EXPECT(ca, OK, "SET", "a", "3");
	EXPECT(ca, "$1\r\n3\r\n", "GET", "a");
	/* empty transaction, lower case names */
	EXPECT(ca, OK, "multi");
	EXPECT(ca, "*0\r\n", "exec");
	/* replies of every shape inside the array */
	EXPECT(ca, ":1\r\n", "RPUSH", "l", "x");
	EXPECT(ca, OK, "MULTI");
	EXPECT(ca, QUEUED, "GET", "nokey");
	EXPECT(ca, QUEUED, "MGET", "a", "nokey");
	EXPECT(ca, QUEUED, "GETRANGE", "a", "0", "-1");
	EXPECT(ca, QUEUED, "LPOP", "l");
	EXPECT(ca, QUEUED, "LPOP", "l");
	EXPECT(ca, QUEUED, "STRLEN", "a");
	EXPECT(ca, "*6\r\n$-1\r\n*2\r\n$1\r\n3\r\n$-1\r\n$1\r\n3\r\n$1\r\nx\r\n$-1\r\n:1\r\n",
	       "EXEC");
	/* a command that writes and then reads the same key in one EXEC */
	EXPECT(ca, OK, "MULTI");
	EXPECT(ca, QUEUED, "SET", "k", "v", "EX", "100");
	EXPECT(ca, QUEUED, "APPEND", "k", "w");
	EXPECT(ca, QUEUED, "GETDEL", "k");
	EXPECT(ca, QUEUED, "GET", "k");
	EXPECT(ca, "*4\r\n+OK\r\n:2\r\n$2\r\nvw\r\n$-1\r\n", "EXEC");
}

static void
t_without_multi(void **state)
{
	(void)state;
	EXPECT(ca, "-ERR EXEC without MULTI\r\n", "EXEC");
	EXPECT(ca, "-ERR DISCARD without MULTI\r\n", "DISCARD");
	EXPECT(ca, ARITY("multi"), "MULTI", "x");
	EXPECT(ca, ARITY("discard"), "DISCARD", "x");
	EXPECT(ca, ARITY("watch"), "WATCH");
	EXPECT(ca, ARITY("unwatch"), "UNWATCH", "x");
	EXPECT(ca, OK, "UNWATCH");
	/* the client is not left in MULTI by any of these */
	EXPECT(ca, OK, "SET", "a", "1");
}

/*
 * A rejected EXEC (here: wrong arity) aborts the transaction with the reason,
 * in or out of MULTI (Redis's rejectCommand -> execCommandAbort).
 */
static void
t_exec_rejected(void **state)
{
	(void)state;
	EXPECT(ca, "-EXECABORT Transaction discarded because of: wrong number of arguments for 'exec' command\r\n",
	       "EXEC", "x");
	EXPECT(ca, OK, "WATCH", "a");
	EXPECT(ca, OK, "MULTI");
	EXPECT(ca, QUEUED, "SET", "a", "1");
	EXPECT(ca, "-EXECABORT Transaction discarded because of: wrong number of arguments for 'exec' command\r\n",
	       "EXEC", "x");
	/* the transaction is gone, and so is the watch */
	EXPECT(ca, "-ERR EXEC without MULTI\r\n", "EXEC");
	EXPECT(ca, NIL, "GET", "a");
	EXPECT(cb, OK, "SET", "a", "2");
	EXPECT(ca, OK, "MULTI");
	EXPECT(ca, QUEUED, "GET", "a");
	EXPECT(ca, "*1\r\n$1\r\n2\r\n", "EXEC");
	/* the arity errors of the other transaction commands abort at EXEC */
	EXPECT(ca, OK, "MULTI");
	EXPECT(ca, ARITY("discard"), "DISCARD", "x");
	EXPECT(ca, EXECABORT, "EXEC");
	EXPECT(ca, OK, "MULTI");
	EXPECT(ca, ARITY("multi"), "MULTI", "x");
	EXPECT(ca, EXECABORT, "EXEC");
	EXPECT(ca, OK, "MULTI");
	EXPECT(ca, ARITY("watch"), "WATCH");
	EXPECT(ca, EXECABORT, "EXEC");
	EXPECT(ca, OK, "MULTI");
	EXPECT(ca, ARITY("unwatch"), "UNWATCH", "x");
	EXPECT(ca, EXECABORT, "EXEC");
}

/* Queue-time errors: the error now, EXECABORT at EXEC, nothing runs. */
static void
t_queue_errors(void **state)
{
	(void)state;
	EXPECT(ca, OK, "SET", "a", "5");
	EXPECT(ca, OK, "MULTI");
	EXPECT(ca, "-ERR unknown command 'NOSUCH', with args beginning with: 'x' 'y' \r\n",
	       "NOSUCH", "x", "y");
	EXPECT(ca, QUEUED, "SET", "a", "9");
	EXPECT(ca, EXECABORT, "EXEC");
	EXPECT(ca, "$1\r\n5\r\n", "GET", "a");
	/* EXECABORT ended the transaction */
	EXPECT(ca, "-ERR EXEC without MULTI\r\n", "EXEC");

	/* wrong arity, after a good command */
	EXPECT(ca, OK, "MULTI");
	EXPECT(ca, QUEUED, "SET", "a", "6");
	EXPECT(ca, ARITY("set"), "SET", "a");
	EXPECT(ca, QUEUED, "INCR", "a");
	EXPECT(ca, EXECABORT, "EXEC");
	EXPECT(ca, "$1\r\n5\r\n", "GET", "a");

	/* arity of a command with a minimum */
	EXPECT(ca, OK, "MULTI");
	EXPECT(ca, ARITY("mget"), "MGET");
	EXPECT(ca, EXECABORT, "EXEC");

	/* an unknown command with no arguments */
	EXPECT(ca, OK, "MULTI");
	EXPECT(ca, "-ERR unknown command 'foo', with args beginning with: \r\n", "foo");
	EXPECT(ca, EXECABORT, "EXEC");

	/* DISCARD after a queue-time error: +OK, and no abort left behind */
	EXPECT(ca, OK, "MULTI");
	EXPECT(ca, ARITY("get"), "GET");
	EXPECT(ca, OK, "DISCARD");
	EXPECT(ca, OK, "MULTI");
	EXPECT(ca, QUEUED, "GET", "a");
	EXPECT(ca, "*1\r\n$1\r\n5\r\n", "EXEC");
}

/* Errors while running: inside the array; the other commands still run. */
static void
t_runtime_errors(void **state)
{
	(void)state;
	EXPECT(ca, OK, "MULTI");
	EXPECT(ca, QUEUED, "SET", "s", "str");
	EXPECT(ca, QUEUED, "INCR", "s");
	EXPECT(ca, QUEUED, "SET", "t", "1");
	EXPECT(ca, QUEUED, "GET", "t");
	EXPECT(ca, "*4\r\n+OK\r\n" NOTINT "+OK\r\n$1\r\n1\r\n", "EXEC");
	EXPECT(ca, "$1\r\n1\r\n", "GET", "t");

	/* syntax and option errors are found only at EXEC */
	EXPECT(ca, OK, "MULTI");
	EXPECT(ca, QUEUED, "SET", "x", "1", "EX", "0");
	EXPECT(ca, QUEUED, "SET", "x", "1", "NX", "XX");
	EXPECT(ca, QUEUED, "INCR", "x");
	EXPECT(ca, QUEUED, "INCRBYFLOAT", "x", "1.5");
	EXPECT(ca, QUEUED, "GETEX", "x", "EX", "0");
	EXPECT(ca, "*5\r\n-ERR invalid expire time in 'set' command\r\n-ERR syntax error\r\n"
	       ":1\r\n$3\r\n2.5\r\n-ERR invalid expire time in 'getex' command\r\n", "EXEC");

	/* WRONGTYPE inside */
	EXPECT(ca, ":1\r\n", "RPUSH", "l", "a");
	EXPECT(ca, OK, "MULTI");
	EXPECT(ca, QUEUED, "GET", "l");
	EXPECT(ca, QUEUED, "LLEN", "l");
	EXPECT(ca, "*2\r\n-WRONGTYPE Operation against a key holding the wrong kind of value\r\n:1\r\n",
	       "EXEC");
}

static void
t_nested_multi(void **state)
{
	(void)state;
	EXPECT(ca, OK, "MULTI");
	EXPECT(ca, "-ERR MULTI calls can not be nested\r\n", "MULTI");
	EXPECT(ca, QUEUED, "SET", "a", "5");
	/* the transaction is still good */
	EXPECT(ca, "*1\r\n+OK\r\n", "EXEC");
	EXPECT(ca, "$1\r\n5\r\n", "GET", "a");
}

static void
t_watch_inside_multi(void **state)
{
	(void)state;
	EXPECT(ca, OK, "MULTI");
	EXPECT(ca, "-ERR WATCH inside MULTI is not allowed\r\n", "WATCH", "a");
	EXPECT(ca, "*0\r\n", "EXEC");
	EXPECT(ca, OK, "MULTI");
	EXPECT(ca, QUEUED, "SET", "a", "1");
	EXPECT(ca, "-ERR WATCH inside MULTI is not allowed\r\n", "WATCH", "a");
	EXPECT(ca, "*1\r\n+OK\r\n", "EXEC");
	/* and it did not watch: a change by another client does not abort */
	EXPECT(ca, OK, "MULTI");
	EXPECT(ca, "-ERR WATCH inside MULTI is not allowed\r\n", "WATCH", "a");
	EXPECT(cb, OK, "SET", "a", "2");
	EXPECT(ca, QUEUED, "GET", "a");
	EXPECT(ca, "*1\r\n$1\r\n2\r\n", "EXEC");
}

/* ---- WATCH ----------------------------------------------------------------- */

static void
t_watch_changed_by_other(void **state)
{
	(void)state;
	EXPECT(ca, OK, "SET", "w", "1");
	EXPECT(ca, OK, "WATCH", "w");
	EXPECT(cb, OK, "SET", "w", "2");
	EXPECT(ca, OK, "MULTI");
	EXPECT(ca, QUEUED, "SET", "w", "from-a");
	EXPECT(ca, NULL_ARRAY, "EXEC");
	EXPECT(ca, "$1\r\n2\r\n", "GET", "w");
	/* EXEC ended the transaction and forgot the watch */
	EXPECT(ca, "-ERR EXEC without MULTI\r\n", "EXEC");
	EXPECT(ca, OK, "MULTI");
	EXPECT(ca, QUEUED, "GET", "w");
	EXPECT(ca, "*1\r\n$1\r\n2\r\n", "EXEC");

	/* in-place changes by the other client abort too */
	EXPECT(ca, OK, "WATCH", "w");
	EXPECT(cb, ":3\r\n", "INCR", "w");
	EXPECT(ca, OK, "MULTI");
	EXPECT(ca, QUEUED, "GET", "w");
	EXPECT(ca, NULL_ARRAY, "EXEC");
	EXPECT(ca, OK, "WATCH", "w");
	EXPECT(cb, ":2\r\n", "APPEND", "w", "x");
	EXPECT(ca, OK, "MULTI");
	EXPECT(ca, NULL_ARRAY, "EXEC");
	EXPECT(ca, OK, "WATCH", "w");
	EXPECT(cb, "$2\r\n3x\r\n", "GETDEL", "w");
	EXPECT(ca, OK, "MULTI");
	EXPECT(ca, NULL_ARRAY, "EXEC");

	/* several keys: a change to any of them aborts */
	EXPECT(ca, OK, "MSET", "k1", "1", "k2", "2");
	EXPECT(ca, OK, "WATCH", "k1", "k2", "k3");
	EXPECT(ca, OK, "WATCH", "k1");		/* watching twice is fine */
	EXPECT(cb, ":1\r\n", "SETRANGE", "k2", "0", "x");
	EXPECT(ca, OK, "MULTI");
	EXPECT(ca, QUEUED, "GET", "k1");
	EXPECT(ca, NULL_ARRAY, "EXEC");

	/* RESP3: the null */
	ca->resp = 3;
	EXPECT(ca, OK, "WATCH", "k1");
	EXPECT(cb, OK, "SET", "k1", "z");
	EXPECT(ca, OK, "MULTI");
	EXPECT(ca, QUEUED, "GET", "k1");
	EXPECT(ca, "_\r\n", "EXEC");
	ca->resp = 2;
}

static void
t_watch_unchanged(void **state)
{
	(void)state;
	EXPECT(ca, OK, "SET", "w", "1");
	EXPECT(ca, OK, "WATCH", "w", "nokey");
	/* reads by anyone do not abort */
	EXPECT(cb, "$1\r\n1\r\n", "GET", "w");
	EXPECT(cb, NIL, "GET", "nokey");
	EXPECT(cb, "*2\r\n$1\r\n1\r\n$-1\r\n", "MGET", "w", "nokey");
	EXPECT(ca, OK, "MULTI");
	EXPECT(ca, QUEUED, "INCR", "w");
	EXPECT(ca, QUEUED, "SET", "nokey", "x");
	EXPECT(ca, "*2\r\n:2\r\n+OK\r\n", "EXEC");
	EXPECT(ca, "*2\r\n$1\r\n2\r\n$1\r\nx\r\n", "MGET", "w", "nokey");
}

/* Writes that change nothing do not abort (Redis signals no modification). */
static void
t_watch_noop_writes(void **state)
{
	(void)state;
	EXPECT(ca, OK, "SET", "w", "1");
	EXPECT(ca, OK, "WATCH", "w", "nokey");
	EXPECT(cb, ":0\r\n", "SETNX", "w", "z");
	EXPECT(cb, NIL, "SET", "w", "z", "NX");
	EXPECT(cb, NIL, "SET", "nokey", "z", "XX");
	EXPECT(cb, "$1\r\n1\r\n", "GETEX", "w", "PERSIST");	/* had no TTL */
	EXPECT(cb, "$1\r\n1\r\n", "GETEX", "w");
	EXPECT(cb, ":1\r\n", "SETRANGE", "w", "0", "");
	EXPECT(cb, NIL, "GETDEL", "nokey");
	EXPECT(cb, ":0\r\n", "MSETNX", "w", "1", "nokey", "2");
	EXPECT(cb, NOTINT, "INCRBY", "w", "x");
	EXPECT(ca, OK, "MULTI");
	EXPECT(ca, QUEUED, "GET", "w");
	EXPECT(ca, "*1\r\n$1\r\n1\r\n", "EXEC");
}

static void
t_watch_missing_key(void **state)
{
	(void)state;
	/* created by another client */
	EXPECT(ca, OK, "WATCH", "wm");
	EXPECT(cb, OK, "SET", "wm", "x");
	EXPECT(ca, OK, "MULTI");
	EXPECT(ca, QUEUED, "GET", "wm");
	EXPECT(ca, NULL_ARRAY, "EXEC");
	/* created and deleted again before EXEC: still aborts */
	EXPECT(ca, OK, "WATCH", "wm2");
	EXPECT(cb, OK, "SET", "wm2", "x");
	EXPECT(cb, "$1\r\nx\r\n", "GETDEL", "wm2");
	EXPECT(ca, OK, "MULTI");
	EXPECT(ca, QUEUED, "GET", "wm2");
	EXPECT(ca, NULL_ARRAY, "EXEC");
	/* still missing: runs */
	EXPECT(ca, OK, "WATCH", "wm3");
	EXPECT(ca, OK, "MULTI");
	EXPECT(ca, QUEUED, "SET", "wm3", "mine");
	EXPECT(ca, "*1\r\n+OK\r\n", "EXEC");
	EXPECT(cb, "$4\r\nmine\r\n", "GET", "wm3");
}

/* A change by the watching client itself also aborts. */
static void
t_watch_own_change(void **state)
{
	(void)state;
	EXPECT(ca, OK, "SET", "w", "1");
	EXPECT(ca, OK, "WATCH", "w");
	EXPECT(ca, OK, "SET", "w", "3");
	EXPECT(ca, OK, "MULTI");
	EXPECT(ca, QUEUED, "GET", "w");
	EXPECT(ca, NULL_ARRAY, "EXEC");
}

/* A watched key that expires before EXEC aborts it (Redis 7.0). */
static void
t_watch_expire(void **state)
{
	(void)state;
	EXPECT(ca, OK, "SET", "we", "v", "PX", "30");
	EXPECT(ca, OK, "WATCH", "we");
	sleep_ms(60);
	EXPECT(ca, OK, "MULTI");
	EXPECT(ca, QUEUED, "GET", "we");
	EXPECT(ca, NULL_ARRAY, "EXEC");
	/* a TTL that is still running does not abort */
	EXPECT(ca, OK, "SET", "we", "v", "EX", "100");
	EXPECT(ca, OK, "WATCH", "we");
	EXPECT(ca, OK, "MULTI");
	EXPECT(ca, QUEUED, "GET", "we");
	EXPECT(ca, "*1\r\n$1\r\nv\r\n", "EXEC");
}

/* WATCH against the generic commands and other databases (keys/server
 * families): what aborts and what does not. */
static void
t_watch_generic_commands(void **state)
{
	(void)state;
	/* FLUSHALL aborts a watcher of an existing key */
	EXPECT(ca, OK, "SET", "w", "1");
	EXPECT(ca, OK, "WATCH", "w");
	EXPECT(cb, OK, "FLUSHALL");
	EXPECT(ca, OK, "MULTI");
	EXPECT(ca, QUEUED, "GET", "w");
	EXPECT(ca, NULL_ARRAY, "EXEC");
	/* the same key name in another database is another key */
	EXPECT(ca, OK, "SET", "w", "1");
	EXPECT(ca, OK, "WATCH", "w");
	EXPECT(cb, OK, "SELECT", "1");
	EXPECT(cb, OK, "SET", "w", "2");
	EXPECT(cb, OK, "FLUSHDB");
	EXPECT(cb, OK, "SELECT", "0");
	EXPECT(ca, OK, "MULTI");
	EXPECT(ca, QUEUED, "GET", "w");
	EXPECT(ca, "*1\r\n$1\r\n1\r\n", "EXEC");
	/* the watch stays on the database it was made in */
	EXPECT(ca, OK, "WATCH", "w");
	EXPECT(ca, OK, "SELECT", "1");
	EXPECT(cb, OK, "SET", "w", "3");
	EXPECT(ca, OK, "MULTI");
	EXPECT(ca, QUEUED, "GET", "w");
	EXPECT(ca, NULL_ARRAY, "EXEC");
	EXPECT(ca, OK, "SELECT", "0");
	/* EXPIRE and DEL abort; PERSIST of a key without TTL, DEL of a
	 * missing key do not */
	EXPECT(ca, OK, "WATCH", "w");
	EXPECT(cb, ":1\r\n", "EXPIRE", "w", "100");
	EXPECT(ca, OK, "MULTI");
	EXPECT(ca, NULL_ARRAY, "EXEC");
	EXPECT(cb, OK, "SET", "w", "4");
	EXPECT(ca, OK, "WATCH", "w", "zz");
	EXPECT(cb, ":0\r\n", "PERSIST", "w");
	EXPECT(cb, ":0\r\n", "DEL", "zz");
	EXPECT(ca, OK, "MULTI");
	EXPECT(ca, QUEUED, "GET", "w");
	EXPECT(ca, "*1\r\n$1\r\n4\r\n", "EXEC");
	EXPECT(ca, OK, "WATCH", "w");
	EXPECT(cb, ":1\r\n", "DEL", "w");
	EXPECT(ca, OK, "MULTI");
	EXPECT(ca, NULL_ARRAY, "EXEC");
	/* RENAME onto the key, SWAPDB of its database */
	EXPECT(ca, OK, "MSET", "w", "6", "o", "7");
	EXPECT(ca, OK, "WATCH", "w");
	EXPECT(cb, OK, "RENAME", "o", "w");
	EXPECT(ca, OK, "MULTI");
	EXPECT(ca, NULL_ARRAY, "EXEC");
	EXPECT(ca, OK, "WATCH", "w");
	EXPECT(cb, OK, "SWAPDB", "0", "1");
	EXPECT(ca, OK, "MULTI");
	EXPECT(ca, QUEUED, "GET", "w");
	EXPECT(ca, NULL_ARRAY, "EXEC");
	EXPECT(cb, OK, "SWAPDB", "0", "1");
	EXPECT(ca, "$1\r\n7\r\n", "GET", "w");
}

/* SELECT inside MULTI: the commands after it use the new database, and the
 * client stays there after EXEC. */
static void
t_select_in_multi(void **state)
{
	(void)state;
	EXPECT(ca, OK, "MULTI");
	EXPECT(ca, QUEUED, "SELECT", "1");
	EXPECT(ca, QUEUED, "SET", "s", "x");
	EXPECT(ca, "*2\r\n+OK\r\n+OK\r\n", "EXEC");
	EXPECT(ca, "$1\r\nx\r\n", "GET", "s");
	EXPECT(ca, OK, "SELECT", "0");
	EXPECT(ca, NIL, "GET", "s");
	/* a bad SELECT inside is a runtime error; the rest still runs */
	EXPECT(ca, OK, "MULTI");
	EXPECT(ca, QUEUED, "SELECT", "99");
	EXPECT(ca, QUEUED, "SET", "s", "y");
	EXPECT(ca, "*2\r\n-ERR DB index is out of range\r\n+OK\r\n", "EXEC");
	EXPECT(ca, "$1\r\ny\r\n", "GET", "s");
}

static void
t_unwatch(void **state)
{
	(void)state;
	EXPECT(ca, OK, "SET", "w", "1");
	EXPECT(ca, OK, "WATCH", "w");
	EXPECT(cb, OK, "SET", "w", "4");
	EXPECT(ca, OK, "UNWATCH");
	EXPECT(ca, OK, "MULTI");
	EXPECT(ca, QUEUED, "GET", "w");
	EXPECT(ca, "*1\r\n$1\r\n4\r\n", "EXEC");
	/* UNWATCH inside MULTI is queued like any command */
	EXPECT(ca, OK, "MULTI");
	EXPECT(ca, QUEUED, "UNWATCH");
	EXPECT(ca, "*1\r\n+OK\r\n", "EXEC");
	/* and once queued it is too late: the watch still aborts */
	EXPECT(ca, OK, "WATCH", "w");
	EXPECT(cb, OK, "SET", "w", "5");
	EXPECT(ca, OK, "MULTI");
	EXPECT(ca, QUEUED, "UNWATCH");
	EXPECT(ca, NULL_ARRAY, "EXEC");
}

static void
t_discard(void **state)
{
	(void)state;
	EXPECT(ca, OK, "SET", "a", "1");
	EXPECT(ca, OK, "MULTI");
	EXPECT(ca, QUEUED, "SET", "a", "7");
	EXPECT(ca, QUEUED, "INCR", "a");
	EXPECT(ca, OK, "DISCARD");
	EXPECT(ca, "$1\r\n1\r\n", "GET", "a");
	EXPECT(ca, "-ERR EXEC without MULTI\r\n", "EXEC");
	/* a new transaction starts empty */
	EXPECT(ca, OK, "MULTI");
	EXPECT(ca, QUEUED, "GET", "a");
	EXPECT(ca, "*1\r\n$1\r\n1\r\n", "EXEC");
	/* DISCARD forgets watched keys */
	EXPECT(ca, OK, "WATCH", "a");
	EXPECT(ca, OK, "MULTI");
	EXPECT(ca, OK, "DISCARD");
	EXPECT(cb, OK, "SET", "a", "5");
	EXPECT(ca, OK, "MULTI");
	EXPECT(ca, QUEUED, "GET", "a");
	EXPECT(ca, "*1\r\n$1\r\n5\r\n", "EXEC");
	/* so does an EXEC that ran, and one that was aborted */
	EXPECT(ca, OK, "WATCH", "a");
	EXPECT(ca, OK, "MULTI");
	EXPECT(ca, "*0\r\n", "EXEC");
	EXPECT(cb, OK, "SET", "a", "6");
	EXPECT(ca, OK, "MULTI");
	EXPECT(ca, QUEUED, "GET", "a");
	EXPECT(ca, "*1\r\n$1\r\n6\r\n", "EXEC");
	EXPECT(ca, OK, "WATCH", "a");
	EXPECT(cb, OK, "SET", "a", "7");
	EXPECT(ca, OK, "MULTI");
	EXPECT(ca, ARITY("get"), "GET");
	EXPECT(ca, EXECABORT, "EXEC");
	EXPECT(cb, OK, "SET", "a", "8");
	EXPECT(ca, OK, "MULTI");
	EXPECT(ca, QUEUED, "GET", "a");
	EXPECT(ca, "*1\r\n$1\r\n8\r\n", "EXEC");
	/* freeing a client in MULTI with watched keys leaks nothing */
	EXPECT(ca, OK, "WATCH", "a", "b");
	EXPECT(ca, OK, "MULTI");
	EXPECT(ca, QUEUED, "SET", "a", "9");
}

/* ---- write log --------------------------------------------------------------- */

#define CAP_MAX 32

struct cap_rec {
	uint64_t seq;
	int ncmds;
	char text[512];		/* commands joined by ' ', separated by " ; " */
};

static struct {
	pthread_mutex_t lock;
	int n;
	struct cap_rec r[CAP_MAX];
} cap = { .lock = PTHREAD_MUTEX_INITIALIZER };

static void
cap_sink(const struct st_wlog_rec *rec, void *arg)
{
	struct cap_rec *r;
	size_t off = 0;

	(void)arg;
	pthread_mutex_lock(&cap.lock);
	if (cap.n < CAP_MAX) {
		r = &cap.r[cap.n++];
		r->seq = rec->seq;
		r->ncmds = rec->ncmds;
		r->text[0] = '\0';
		for (int i = 0; i < rec->ncmds; i++) {
			const struct st_wlog_cmd *cmd = &rec->cmds[i];

			if (i)
				off += (size_t)snprintf(r->text + off, sizeof(r->text) - off, " ; ");
			for (int j = 0; j < cmd->argc && off < sizeof(r->text); j++)
				off += (size_t)snprintf(r->text + off, sizeof(r->text) - off,
							"%s%.*s", j ? " " : "",
							(int)cmd->argv[j].len, cmd->argv[j].p);
			if (off >= sizeof(r->text))
				off = sizeof(r->text) - 1;
		}
	}
	pthread_mutex_unlock(&cap.lock);
}

static int
wlog_setup(void **state)
{
	setup(state);
	cap.n = 0;
	st_wlog_set_sink(cap_sink, NULL);
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
	if (cap.n - from != 1) {
		print_error("write log: %d records, expected 1\n", cap.n - from);
		for (int i = from; i < cap.n; i++)
			print_error("  [%d] %s\n", i - from, cap.r[i].text);
	}
	_assert_int_equal(cap.n - from, 1, file, line);
	_assert_string_equal(cap.r[from].text, text, file, line);
	_assert_int_equal(cap.r[from].ncmds, ncmds, file, line);
}

#define EXPECT_REC(from, ncmds, text) expect_rec_at(__FILE__, __LINE__, (from), (ncmds), (text))
#define EXPECT_NO_REC(from) do { \
	if (cap.n != (from)) \
		print_error("unexpected record: %s\n", cap.r[from].text); \
	assert_int_equal(cap.n, (from)); \
} while (0)

static void
t_exec_wlog(void **state)
{
	int m;

	(void)state;
	/* one record for the whole transaction, one command per write */
	m = cap.n;
	EXPECT(ca, OK, "MULTI");
	EXPECT(ca, QUEUED, "SET", "a", "1");
	EXPECT(ca, QUEUED, "INCR", "a");
	EXPECT(ca, QUEUED, "GET", "a");
	EXPECT(ca, QUEUED, "SETNX", "a", "5");		/* writes nothing */
	EXPECT(ca, QUEUED, "INCRBYFLOAT", "f", "1.5");
	EXPECT(ca, QUEUED, "INCR", "f");		/* error */
	EXPECT(ca, QUEUED, "GETDEL", "a");
	EXPECT_NO_REC(m);				/* nothing before EXEC */
	EXPECT(ca, "*7\r\n+OK\r\n:2\r\n$1\r\n2\r\n:0\r\n$3\r\n1.5\r\n" NOTINT "$1\r\n2\r\n",
	       "EXEC");
	EXPECT_REC(m, 4, "SET a 1 ; INCR a ; SET f 1.5 KEEPTTL ; DEL a");

	/* a single write: still one record */
	m = cap.n;
	EXPECT(ca, OK, "MULTI");
	EXPECT(ca, QUEUED, "GET", "f");
	EXPECT(ca, QUEUED, "APPEND", "f", "0");
	EXPECT(ca, "*2\r\n$3\r\n1.5\r\n:4\r\n", "EXEC");
	EXPECT_REC(m, 1, "APPEND f 0");

	/* read-only, empty, aborted and discarded transactions: nothing */
	m = cap.n;
	EXPECT(ca, OK, "MULTI");
	EXPECT(ca, QUEUED, "GET", "f");
	EXPECT(ca, QUEUED, "MGET", "f", "a");
	EXPECT(ca, "*2\r\n$4\r\n1.50\r\n*2\r\n$4\r\n1.50\r\n$-1\r\n", "EXEC");
	EXPECT(ca, OK, "MULTI");
	EXPECT(ca, "*0\r\n", "EXEC");
	EXPECT(ca, OK, "MULTI");
	EXPECT(ca, QUEUED, "SET", "x", "1");
	EXPECT(ca, OK, "DISCARD");
	EXPECT(ca, OK, "MULTI");
	EXPECT(ca, QUEUED, "SET", "x", "1");
	EXPECT(ca, ARITY("set"), "SET", "x");
	EXPECT(ca, EXECABORT, "EXEC");
	EXPECT(ca, OK, "WATCH", "f");
	EXPECT_NO_REC(m);
	EXPECT(cb, OK, "SET", "f", "other");
	EXPECT_REC(m, 1, "SET f other");
	m = cap.n;
	EXPECT(ca, OK, "MULTI");
	EXPECT(ca, QUEUED, "SET", "x", "1");
	EXPECT(ca, NULL_ARRAY, "EXEC");
	EXPECT_NO_REC(m);

	/* relative TTLs are rewritten inside a transaction too */
	m = cap.n;
	EXPECT(ca, OK, "MULTI");
	EXPECT(ca, QUEUED, "SET", "t", "v", "EXAT", "99999999999");
	EXPECT(ca, QUEUED, "SET", "u", "v");
	EXPECT(ca, "*2\r\n+OK\r\n+OK\r\n", "EXEC");
	EXPECT_REC(m, 2, "SET t v PXAT 99999999999000 ; SET u v");
	/* sequence numbers increase */
	for (int i = 1; i < cap.n; i++)
		assert_true(cap.r[i].seq > cap.r[i - 1].seq);
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
	EXPECT(ca, "*2\r\n$4\r\n2000\r\n$4\r\n2000\r\n", "MGET", "atom:a", "atom:b");
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
