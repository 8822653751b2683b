/*
 * resp_compose.h -- the reply composer, separate from the parser.
 *
 * Two layers:
 *  - st_resp_*: RESP wire primitives on a byte buffer (used for client
 *    replies and, later, for the replication stream).
 *  - st_reply_*: replies to a client; they pick RESP2 or RESP3 framing from
 *    the client's protocol (HELLO 2|3): maps become flat arrays in RESP2,
 *    doubles become bulk strings, nulls become $-1 / *-1.
 *
 * All error replies go through st_reply_error(): a message that does not
 * start with '-' gets "-ERR " in front, as Redis's addReplyError does.  The
 * common texts are the ST_ERR_* constants below, byte for byte Redis 7.0's.
 *
 * Concurrency: a client's reply buffer is touched by the thread executing
 * the client's command only.
 */
#ifndef ST_RESP_COMPOSE_H
#define ST_RESP_COMPOSE_H

#include <stddef.h>
#include <stdint.h>
#include "buf.h"

struct st_client;

/* Errors with their own code carry the leading '-'. */
#define ST_ERR_WRONGTYPE "-WRONGTYPE Operation against a key holding the wrong kind of value"
#define ST_ERR_NOTINT "value is not an integer or out of range"
#define ST_ERR_NOTFLOAT "value is not a valid float"
#define ST_ERR_SYNTAX "syntax error"
#define ST_ERR_NOKEY "no such key"
#define ST_ERR_OUTOFRANGE "index out of range"
#define ST_ERR_OVERFLOW "increment or decrement would overflow"
#define ST_ERR_NOTPOSITIVE "value is out of range, must be positive"
#define ST_ERR_OOM "-OOM command not allowed when used memory > 'maxmemory'."
#define ST_ERR_NOAUTH "-NOAUTH Authentication required."
#define ST_ERR_EXECABORT "-EXECABORT Transaction discarded because of previous errors."
#define ST_ERR_INVALID_DB "DB index is out of range"
#define ST_ERR_NAN_OR_INF "increment would produce NaN or Infinity"

/* ---- wire primitives (RESP2 encodings) -------------------------------- */
void st_resp_status(struct st_buf *b, const char *s, size_t len);	/* +s */
void st_resp_error(struct st_buf *b, const char *s, size_t len);	/* -s (adds ERR) */
void st_resp_int(struct st_buf *b, long long v);			/* :v */
void st_resp_hdr(struct st_buf *b, char type, long long n);		/* e.g. *n, $n, %n */
void st_resp_bulk(struct st_buf *b, const char *p, size_t len);		/* $len p */
/* A command as an array of bulk strings (replication stream). */
void st_resp_command(struct st_buf *b, int argc, const char *const *argv,
		     const size_t *lens);

/* ---- client replies ----------------------------------------------------- */
void st_reply_status(struct st_client *c, const char *s);
void st_reply_ok(struct st_client *c);
void st_reply_error(struct st_client *c, const char *msg);
void st_reply_errorf(struct st_client *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void st_reply_int(struct st_client *c, long long v);
void st_reply_bulk(struct st_client *c, const char *p, size_t len);
void st_reply_bulk_cstr(struct st_client *c, const char *s);
void st_reply_bulk_ll(struct st_client *c, long long v);	/* number as bulk */
void st_reply_null(struct st_client *c);		/* $-1 / _ */
void st_reply_null_array(struct st_client *c);		/* *-1 / _ */
void st_reply_array_len(struct st_client *c, long long n);
void st_reply_map_len(struct st_client *c, long long n);	/* RESP2: *2n */
void st_reply_set_len(struct st_client *c, long long n);	/* RESP2: *n  */
void st_reply_push_len(struct st_client *c, long long n);	/* RESP2: *n  */
void st_reply_double(struct st_client *c, double d);	/* RESP2: bulk */
void st_reply_bool(struct st_client *c, int v);		/* RESP2: :1/:0 */
/* RESP3 verbatim string ("txt"/"mkd"); RESP2: plain bulk. */
void st_reply_verbatim(struct st_client *c, const char *p, size_t len,
		       const char *ext);
/* Raw protocol bytes, already encoded. */
void st_reply_proto(struct st_client *c, const char *p, size_t len);

/* Deferred aggregate lengths: reserve now, fill in when the count is known. */
size_t st_reply_deferred_len(struct st_client *c);
void st_reply_set_deferred_array_len(struct st_client *c, size_t handle, long long n);
void st_reply_set_deferred_map_len(struct st_client *c, size_t handle, long long n);
void st_reply_set_deferred_set_len(struct st_client *c, size_t handle, long long n);

#endif
