/*
 * harness.h -- helpers for the store's cmocka tests.
 *
 * th_init() sets up the store once per process and registers the calling
 * thread; th_client() makes a client; th_cmd() runs one command through the
 * whole path (RESP encode -> st_client_feed -> parse -> dispatch -> compose)
 * and returns the raw reply bytes as a NUL-terminated string owned by the
 * harness (valid until the next th_cmd on that thread).
 */
#ifndef TH_HARNESS_H
#define TH_HARNESS_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <pthread.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "client.h"
#include "wlog.h"
#include "worker.h"

struct st_worker *th_init(void);
struct st_client *th_client(void);
/* Run a command given as C strings, NULL-terminated:
 * th_cmd(c, "SET", "k", "v", NULL) -> "+OK\r\n" */
const char *th_cmd(struct st_client *c, ...);
/* Binary-safe variant. */
const char *th_cmdv(struct st_client *c, int argc, const char *const *argv,
		    const size_t *lens);
/* Feed raw protocol bytes and process; returns the output produced. */
const char *th_raw(struct st_client *c, const char *bytes, size_t len);
/* Length of the last reply returned on this thread (binary replies). */
size_t th_last_len(void);
/* End of a test thread: free the harness's per-thread buffer and
 * unregister the thread from the store (st_thread_unregister). */
void th_thread_done(void);
/* FLUSHALL through a fresh client. */
void th_flushall(void);

#define th_assert_reply(c, expect, ...) \
	assert_string_equal(th_cmd((c), __VA_ARGS__, NULL), (expect))

/* ---- helpers shared by the test files ------------------------------------ */

/* Print 'len' bytes of 'p' through cmocka's print_error, labelled 'what',
 * with CR, LF and other control or non-ASCII bytes escaped. */
void th_print_escaped(const char *what, const char *p, size_t len);

/* Run a command (C strings, NULL-terminated after 'explen') on 'c' and
 * compare the whole reply, binary safe, with 'exp' of 'explen' bytes.  On a
 * mismatch prints the command, the reply and the expectation (escaped) and
 * fails at file:line (the caller's line through the macros below). */
void th_expect_at(const char *file, int line, struct st_client *c,
		  const char *exp, size_t explen, ...);

/* th_expect(c, "reply", "CMD", "arg", ...): 'reply' is a string literal. */
#define th_expect(c, exp, ...) \
	th_expect_at(__FILE__, __LINE__, (c), (exp), sizeof(exp) - 1, \
		     __VA_ARGS__, NULL)
/* Binary-safe variant: 'exp' of 'len' bytes. */
#define th_expect_bin(c, exp, len, ...) \
	th_expect_at(__FILE__, __LINE__, (c), (exp), (len), __VA_ARGS__, NULL)

/* Assert that the NUL-terminated 'reply' starts with 'prefix', showing both
 * when not. */
#define th_assert_prefix(reply, prefix) do { \
	const char *r_ = (reply), *p_ = (prefix); \
	if (strncmp(r_, p_, strlen(p_)) != 0) \
		fail_msg("reply\n%s\ndoes not start with\n%s", r_, p_); \
} while (0)

/* Empty every database through the keyspace API (all stripes locked,
 * st_db_flush), without going through any command. */
void th_flush_store(void);

/* Sleep 'ms' milliseconds (restarting after signals). */
void th_sleep_ms(long ms);

/* A new client on the next database (1, 2, ... modulo ST_DBNUM) so that
 * tests sharing a process do not see each other's keys.  Free it with
 * st_client_free. */
struct st_client *th_client_next_db(void);

/* Fixture pair for tests that want an empty store: th_fresh_client() waits
 * for the workers to be quiescent, FLUSHALLs and returns a new client;
 * th_fresh_client_done(c) removes any write-log sink, frees 'c', FLUSHALLs
 * and waits for quiescence again. */
struct st_client *th_fresh_client(void);
void th_fresh_client_done(struct st_client *c);

/* st_config_set(name, value) that must succeed. */
void th_config_set(const char *name, const char *value);

/* What OBJECT ENCODING would say for 'key' in c's database (read from the
 * value's enc, no stats touched), "none" if absent. */
const char *th_enc_of(struct st_client *c, const char *key);
/* Whether 'key' exists in c's database (no stats touched). */
bool th_key_exists(struct st_client *c, const char *key);

/* Run "cmd key f(from) [v(from)] ... f(to-1) [v(to-1)]" on 'c', where f(i)
 * is ffmt formatted with i and, when vfmt is not NULL, each field is
 * followed by vfmt formatted with i.  Returns th_cmdv's reply. */
const char *th_cmd_range(struct st_client *c, const char *cmd,
			 const char *key, int from, int to, const char *ffmt,
			 const char *vfmt);

/* qsort comparator for an array of C strings. */
int th_cmp_str(const void *a, const void *b);

/* Parse a whole RESP2 array (or RESP3 set) of bulk strings; returns
 * malloc'ed NUL-terminated copies of the elements and stores their count.
 * Free with th_free_bulks. */
char **th_parse_bulks(const char *reply, long *count);
void th_free_bulks(char **items, long n);
/* The elements of such a reply, sorted and '\n'-joined (malloc'ed, the
 * caller frees); stores the count. */
char *th_sorted_bulks(const char *reply, long *count);

/* Write-log capture, process-wide text form: between th_wlog_start() and
 * th_wlog_stop() every propagated command is appended as "ARG ARG ...\n";
 * th_wlog_text() returns the text so far (owned by the harness, valid until
 * the next th_wlog_start). */
void th_wlog_start(void);
void th_wlog_stop(void);
const char *th_wlog_text(void);
/* Free the captured text (th_wlog_text() is "" afterwards). */
void th_wlog_reset(void);

/* Write-log capture into a caller-owned log: st_wlog_set_sink(th_wlog_sink,
 * &log) appends each command as "ARG ARG;" to log.text (stops appending
 * once 8 KiB would be exceeded) and records each command's db in dbs[]
 * (first 64).  Not thread-safe: for sinks fed by one thread at a time. */
struct th_wlog {
	char text[8192];
	size_t len;
	int dbs[64];
	int nrec;
};
void th_wlog_sink(const struct st_wlog_rec *rec, void *arg);

/* Write-log capture by record, thread-safe: after th_cap_start() (which
 * empties th_cap and installs th_cap_sink) each record is appended to
 * th_cap.r (the first TH_CAP_MAX; later ones are dropped) with its sequence
 * number, command count, first command's db and text: each command's
 * arguments joined by ' ', commands separated by " ; " (truncated to 511
 * bytes).  Read th_cap.n / th_cap.r once the writers are done; remove the
 * sink with st_wlog_set_sink(NULL, NULL). */
#define TH_CAP_MAX 64
struct th_cap_rec {
	uint64_t seq;
	int ncmds;
	int db;
	char text[512];
};
struct th_cap {
	pthread_mutex_t lock;
	int n;
	struct th_cap_rec r[TH_CAP_MAX];
};
extern struct th_cap th_cap;
void th_cap_sink(const struct st_wlog_rec *rec, void *arg);
void th_cap_start(void);

#endif
