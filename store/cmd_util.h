/*
 * cmd_util.h -- helpers shared by the command families (cmd_*.c).
 *
 * Argument matching, number arguments with Redis 7.0's exact error texts,
 * the SCAN family's cursor, options and reply framing, range clamping, and
 * the bookkeeping after a collection lost elements.
 *
 * Threads: every function here is for command handlers, on the worker
 * thread running the command, with the dispatcher holding the stripe locks
 * of the command's keys (command.h); the st_arg_* matchers, st_clamp_range
 * and st_getkeys_numkeys are pure and callable from anywhere.  Helpers named
 * ..._or_reply have replied with an error when they return false / NULL;
 * the others never reply an error.  Nothing here keeps a pointer to its
 * arguments after it returns, except struct st_scan_acc (see there).
 */
#ifndef ST_CMD_UTIL_H
#define ST_CMD_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <string.h>
#include <strings.h>

#include "client.h"

struct st_entry;
struct st_value;

/* ---- argument matching -------------------------------------------------- */

/* True if argument a is s, ignoring ASCII case; the lengths must be equal
 * (an embedded NUL makes them differ).  Pure. */
static inline bool
st_arg_is(const struct st_arg *a, const char *s)
{
	size_t n = strlen(s);

	return a->len == n && strncasecmp(a->p, s, n) == 0;
}

/* As st_arg_is, but as Redis's strcasecmp() on the NUL-terminated sds: an
 * embedded NUL ends the argument ("nx\0junk" is "nx").  Pure. */
static inline bool
st_arg_is_cstr(const struct st_arg *a, const char *s)
{
	size_t n = strlen(s);

	return a->len >= n && strncasecmp(a->p, s, n) == 0 &&
	       (a->len == n || a->p[n] == '\0');
}

/* True if the two arguments hold the same bytes (keys, members).  Pure. */
static inline bool
st_arg_eq(const struct st_arg *a, const struct st_arg *b)
{
	return a->len == b->len && memcmp(a->p, b->p, a->len) == 0;
}

/* ---- number arguments ----------------------------------------------------- */

/* Redis's getLongLongFromObjectOrReply: a strict integer (st_str2ll) into
 * *out and true; otherwise replies msg (NULL: ST_ERR_NOTINT) and returns
 * false. */
bool st_get_ll_or_reply(struct st_client *c, const struct st_arg *a,
			long long *out, const char *msg);

/* Redis's getRangeLongFromObjectOrReply: as st_get_ll_or_reply, and a value
 * outside [min, max] replies msg too, or, with msg NULL, "value is out of
 * range, value must between <min> and <max>".  *out is only meaningful
 * after true.  With min 0 and msg ST_ERR_NOTPOSITIVE this is
 * getPositiveLongFromObjectOrReply. */
bool st_get_range_ll_or_reply(struct st_client *c, const struct st_arg *a,
			      long long min, long long max, long long *out,
			      const char *msg);

/* Clamp the inclusive range [*start, *end] (negative = from the end) to a
 * sequence of len elements, as Redis's LRANGE / LTRIM / ZRANGE /
 * ZREMRANGEBYRANK: false when the range is empty, otherwise true with
 * 0 <= *start <= *end < len.  Pure. */
bool st_clamp_range(long long len, long long *start, long long *end);

/* getkeys (command.h) of "CMD numkeys key [key ...] ..." commands (LMPOP,
 * SINTERCARD): keys at argv[2 .. 2+numkeys-1]; -1 when argv[1] is not an
 * integer in 1..argc-2, or above max (the handler replies the error). */
int st_getkeys_numkeys(int argc, struct st_arg *argv, int *keys, int max);

/* ---- keys ----------------------------------------------------------------- */

/* The value of key for a write when it holds 'type', *e its entry.  NULL
 * when the key is absent (*e NULL, *wrongtype false, nothing replied) or
 * holds another type (*wrongtype true, WRONGTYPE replied). */
struct st_value *st_lookup_write_entry_or_reply(struct st_client *c,
						const struct st_arg *key,
						int type, struct st_entry **e,
						bool *wrongtype);

/* Delete the key of entry e when its collection holds 'remaining' == 0
 * elements: Redis never keeps an empty collection.  Call after the last
 * use of the collection (it is freed after a grace period). */
void st_delete_if_empty(struct st_client *c, struct st_entry *e,
			size_t remaining);

/* After 'removed' elements left the collection of entry e, which now holds
 * 'remaining': nothing when removed is 0; otherwise signal the key
 * (st_touch, WATCH), add removed to c->dirty and st_delete_if_empty(). */
void st_elements_removed(struct st_client *c, struct st_entry *e,
			 size_t remaining, long long removed);

/* ---- replies -------------------------------------------------------------- */

/* True when a long reply (HRANDFIELD, SRANDMEMBER with repeats) should stop
 * early: the client is being killed, or its output passed the normal
 * client-output-buffer-limit (then it is marked to close after this reply),
 * as Redis's CLIENT_CLOSE_ASAP check.  Never replies. */
bool st_reply_must_stop(struct st_client *c);

/* ---- the SCAN family ------------------------------------------------------- */

/* Redis's parseScanCursorOrReply: strtoul rules (st_str2ull) into *cursor;
 * otherwise replies "invalid cursor" and returns false. */
bool st_parse_scan_cursor_or_reply(struct st_client *c, const struct st_arg *a,
				   unsigned long *cursor);

enum st_scan_opt_flag {
	ST_SCAN_OPT_TYPE = 1u << 0,	/* accept TYPE type (SCAN only) */
	ST_SCAN_OPT_CSTR = 1u << 1,	/* option names match as st_arg_is_cstr */
};

struct st_scan_opts {
	long long count;		/* COUNT, >= 1; 10 when not given */
	const struct st_arg *pat;	/* MATCH; NULL when not given or "*" */
	const struct st_arg *type;	/* TYPE; NULL when not given */
};

/* Parse [MATCH pattern] [COUNT count] (and [TYPE type] with
 * ST_SCAN_OPT_TYPE) from argv[first ...] as Redis's scanGenericCommand:
 * a non-integer COUNT replies ST_ERR_NOTINT, COUNT < 1 or anything else
 * ST_ERR_SYNTAX.  o points into c->argv. */
bool st_parse_scan_opts_or_reply(struct st_client *c, int first,
				 unsigned flags, struct st_scan_opts *o);

/* The head of a SCAN-family reply: a 2-element array and the next cursor
 * as a bulk string; the caller then replies the array of elements. */
void st_reply_scan_cursor(struct st_client *c, unsigned long cursor);

/* Borrowed byte strings gathered by a SCAN-family walk: the bytes are not
 * copied and must stay valid until st_reply_scan(); the array is st_malloc
 * memory, freed by st_reply_scan(). */
struct st_scan_acc {
	struct st_arg *items;
	size_t n, cap;
};

/* Append p[0..len) to acc (grows the array). */
void st_scan_acc_push(struct st_scan_acc *acc, const char *p, size_t len);

/* Reply a whole SCAN-family result: st_reply_scan_cursor(), then the items
 * of acc taken in groups of 'stride' (1: members, 2: field and value) whose
 * first item matches pat (glob; NULL: every group).  Frees acc->items. */
void st_reply_scan(struct st_client *c, unsigned long cursor,
		   struct st_scan_acc *acc, size_t stride,
		   const struct st_arg *pat);

#endif
