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
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "client.h"
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

#endif
