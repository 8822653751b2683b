/*
 * resp_parse.h -- resumable RESP request parser (multibulk and inline).
 *
 * The parser reads one request at a time from a contiguous input window
 * (the connection's query buffer).  It never consumes anything unless a whole
 * request is available: on incomplete input it returns ST_PARSE_EUNFIN and
 * the caller's read position stays where it was; it may remember how far it
 * got (a scan hint) so that a large request arriving in many fragments is not
 * rescanned from its start each time.  Bulk payloads are not copied: the
 * parsed arguments are (offset, length) slices of the window.
 *
 * Limits and error texts are those of Redis 7.0's processMultibulkBuffer and
 * processInlineBuffer.  After ST_PARSE_EINVALID the connection must be closed
 * once the error reply has been sent ('err' holds the reply text, without the
 * leading '-' and trailing CRLF).
 *
 * Concurrency: a parser belongs to one connection, used by one thread.
 */
#ifndef ST_RESP_PARSE_H
#define ST_RESP_PARSE_H

#include <stddef.h>
#include <stdint.h>

enum st_parse_status {
	ST_PARSE_OK = 0,	/* one request parsed; *consumed bytes used */
	ST_PARSE_EUNFIN,	/* need more input; nothing consumed */
	ST_PARSE_EINVALID,	/* protocol error; see parser->err */
	ST_PARSE_EMPTY,		/* an empty inline line was skipped: *consumed > 0, argc 0 */
};

struct st_slice {
	size_t off;	/* offset from the start of the request */
	size_t len;
};

#define ST_PARSE_INLINE_MAX (64 * 1024)		/* PROTO_INLINE_MAX_SIZE */
#define ST_PARSE_MBULK_MAX 2147483647	/* Redis 7.0.15: INT_MAX (no 1M limit) */

struct st_resp_parser {
	/* limits (set by the owner; defaults from st_resp_parser_init) */
	long long max_bulk_len;		/* proto-max-bulk-len */
	int authenticated;		/* unauthenticated clients get tighter limits, as Redis */

	/* result of the last ST_PARSE_OK */
	int argc;
	struct st_slice *argv;		/* argc slices, owned by the parser */
	int argv_cap;

	/* resume hint for the request in progress (internal) */
	long long mb_len;		/* declared multibulk count, -1 none */
	int mb_done;			/* arguments fully scanned so far */
	size_t mb_pos;			/* offset just after them */

	char err[128];			/* protocol error text */
};

void st_resp_parser_init(struct st_resp_parser *p);
void st_resp_parser_free(struct st_resp_parser *p);

/*
 * Parse one request from buf[0..len).  Inline requests with quotes or
 * escapes are unescaped in place, inside the request's own bytes, so buf
 * must be writable (the query buffer is); multibulk requests are never
 * written to.  On ST_PARSE_OK and ST_PARSE_EMPTY,
 * *consumed is the request's size in bytes; argv slices are relative to buf.
 * On ST_PARSE_EUNFIN and ST_PARSE_EINVALID, *consumed is 0.
 * The caller must call again with the same start (buf may have been
 * reallocated and extended) until it gets something other than EUNFIN.
 */
enum st_parse_status st_resp_parse(struct st_resp_parser *p, const char *buf,
				   size_t len, size_t *consumed);

/*
 * Peek at the multibulk request at the start of buf[0..len) without parsing
 * it for execution (the batch prefetch in client.c looks at the requests
 * queued behind the current one): returns its size in bytes and sets *key
 * to its second argument (the key of most commands; NULL, 0 when it has
 * fewer than two).  Only the common shape, '*' and '$' headers of plain
 * digits, is recognised: anything else -- incomplete, inline, unusual or
 * malformed -- returns 0, and st_resp_parse decides what it is.  A request
 * st_resp_peek sizes is not necessarily valid (limits are not checked).
 * Reads buf only; any thread.
 */
size_t st_resp_peek(const char *buf, size_t len, const char **key,
		    size_t *keylen);

/* How many bytes the request in progress still needs at least (so the caller
 * can size its buffer for a large bulk); 0 if unknown. */
size_t st_resp_parse_need(const struct st_resp_parser *p);

#endif
