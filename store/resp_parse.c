/*
 * resp_parse.c -- resumable RESP request parser (see resp_parse.h).
 *
 * This follows Redis 7.0.15's processMultibulkBuffer() and
 * processInlineBuffer() byte for byte, quirks included:
 *
 *  - A header line ("*N", "$N") ends at the first '\r'; one more byte must
 *    be present, and it is skipped without being looked at.  Redis finds
 *    the '\r' with strchr(), so a NUL byte before it hides it: the line
 *    counts as not found (wait, or "too big ... count string" once more than
 *    64 KB are buffered).  We search with memchr() and look for a NUL only
 *    when the line did not parse, so the fast path never pays for it.
 *  - Counts and lengths are parsed with string2ll (no '+', no leading zeros,
 *    no "-0").  A multibulk count above INT_MAX is invalid (7.0 no longer
 *    has the old 1024*1024 limit); a count <= 0 is an empty request.
 *    Unauthenticated clients may not send a count above 10 or a bulk
 *    length above 16384.
 *  - The two bytes after a bulk payload are skipped, not checked.
 *  - An inline request ends at the first '\n' (with an optional '\r' before
 *    it) and is split as sdssplitargs() does; a NUL byte before the '\n'
 *    hides it, as with strchr().
 *
 * Multibulk requests are parsed in one pass over the window.  On incomplete
 * input nothing is consumed, but the arguments already scanned are kept
 * (mb_done, mb_pos) so that the next call resumes after them: a request
 * arriving in many fragments costs O(size), not O(size^2).  While a bulk
 * payload is incomplete, the slot argv[mb_done] remembers where it ends and
 * how much input there was, for st_resp_parse_need().
 *
 * Arguments are slices of the window.  Inline arguments that contain
 * quotes or escapes are unescaped in place, inside the request's own bytes
 * (the result is never longer than its source, and those bytes are
 * consumed with the request), so inline parsing may write to 'buf'; bytes
 * already in their final place are not rewritten, so plain inline requests
 * leave the buffer untouched.
 */
#include "resp_parse.h"

#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "alloc.h"
#include "util.h"

#define DEFAULT_MAX_BULK_LEN (512LL * 1024 * 1024)
/* Redis 7.0.15 rejects multibulk counts above INT_MAX only. */
#define MBULK_COUNT_MAX INT_MAX
#define UNAUTH_MBULK_MAX 10
#define UNAUTH_BULK_MAX 16384

/* mb_len values when no multibulk count is known. */
#define HINT_NONE (-1)
#define HINT_INLINE (-2)	/* mb_pos = bytes known to hold no '\n' */

void
st_resp_parser_init(struct st_resp_parser *p)
{
	memset(p, 0, sizeof(*p));
	p->max_bulk_len = DEFAULT_MAX_BULK_LEN;
	p->authenticated = 1;
	p->mb_len = HINT_NONE;
}

void
st_resp_parser_free(struct st_resp_parser *p)
{
	st_free(p->argv);
	p->argv = NULL;
	p->argv_cap = 0;
	p->argc = 0;
	p->mb_len = HINT_NONE;
	p->mb_done = 0;
	p->mb_pos = 0;
}

static inline void
hint_reset(struct st_resp_parser *p)
{
	p->mb_len = HINT_NONE;
	p->mb_done = 0;
	p->mb_pos = 0;
}

static enum st_parse_status
proto_error(struct st_resp_parser *p, const char *msg)
{
	snprintf(p->err, sizeof(p->err), "%s", msg);
	hint_reset(p);
	return ST_PARSE_EINVALID;
}

/* Make room for at least 'need' slices. */
static void
argv_grow(struct st_resp_parser *p, size_t need)
{
	size_t cap = p->argv_cap ? (size_t)p->argv_cap : 8;

	while (cap < need)
		cap *= 2;
	if (cap > INT_MAX)
		cap = INT_MAX;
	p->argv = st_realloc(p->argv, cap * sizeof(*p->argv));
	p->argv_cap = (int)cap;
}

/* ---- multibulk ---------------------------------------------------------- */

enum hdr_res {
	HDR_OK,		/* *num parsed, *next is the offset after the line */
	HDR_WAIT,	/* the '\r' is there, the byte after it is not yet */
	HDR_NOLINE,	/* no visible '\r' (Redis's strchr() found none) */
	HDR_BADTYPE,	/* complete line not starting with 'type' */
	HDR_BADNUM,	/* complete line, not a valid number */
};

/* Read the header line at buf[pos..len) that should be 'type' + number. */
static inline enum hdr_res
read_header(const char *buf, size_t pos, size_t len, char type,
	    long long *num, size_t *next)
{
	const char *line = buf + pos, *end = buf + len, *s = line + 1, *q, *cr;

	if (pos >= len)
		return HDR_NOLINE;
	/* Fast path: 1 to 18 digits without a leading zero, then '\r' and
	 * one more byte; exactly what string2ll accepts on such a line. */
	if (line[0] == type && s < end && (unsigned)(*s - '1') < 9) {
		long long v = *s - '0';

		q = s + 1;
		while (q < end && (unsigned)(*q - '0') < 10 && q - s < 18) {
			v = v * 10 + (*q - '0');
			q++;
		}
		if (q + 1 < end && *q == '\r') {
			*num = v;
			*next = (size_t)(q - buf) + 2;
			return HDR_OK;
		}
	}
	cr = memchr(line, '\r', (size_t)(end - line));
	if (cr == NULL)
		return HDR_NOLINE;
	if (cr + 1 >= end)
		return memchr(line, '\0', (size_t)(cr - line)) ? HDR_NOLINE :
								 HDR_WAIT;
	if (line[0] == type && st_str2ll(s, (size_t)(cr - s), num) == 0) {
		*next = (size_t)(cr - buf) + 2;
		return HDR_OK;
	}
	if (memchr(line, '\0', (size_t)(cr - line)))
		return HDR_NOLINE;
	return line[0] == type ? HDR_BADNUM : HDR_BADTYPE;
}

/* Remember how far the request in progress was scanned; 'need_end' is
 * the offset the current bulk payload (with its CRLF) ends at, 0 if none. */
static enum st_parse_status
save_hint(struct st_resp_parser *p, long long count, int done, size_t pos,
	  size_t need_end, size_t len)
{
	if (done >= p->argv_cap)
		argv_grow(p, (size_t)done + 1);
	p->mb_len = count;
	p->mb_done = done;
	p->mb_pos = pos;
	p->argv[done].off = need_end;
	p->argv[done].len = len;
	return ST_PARSE_EUNFIN;
}

static enum st_parse_status
parse_multibulk(struct st_resp_parser *p, const char *buf, size_t len,
		size_t *consumed)
{
	long long count, ll;
	size_t pos, next;
	int done;

	if (p->mb_len >= 0 && p->mb_pos <= len && p->mb_done < p->mb_len) {
		count = p->mb_len;
		done = p->mb_done;
		pos = p->mb_pos;
	} else {
		switch (read_header(buf, 0, len, '*', &ll, &next)) {
		case HDR_OK:
			break;
		case HDR_NOLINE:
			if (len > ST_PARSE_INLINE_MAX)
				return proto_error(p,
					"Protocol error: too big mbulk count string");
			/* fall through */
		case HDR_WAIT:
			hint_reset(p);
			return ST_PARSE_EUNFIN;
		default:
			return proto_error(p,
				"Protocol error: invalid multibulk length");
		}
		if (ll > MBULK_COUNT_MAX)
			return proto_error(p,
				"Protocol error: invalid multibulk length");
		if (ll > UNAUTH_MBULK_MAX && !p->authenticated)
			return proto_error(p,
				"Protocol error: unauthenticated multibulk length");
		if (ll <= 0) {
			hint_reset(p);
			p->argc = 0;
			*consumed = next;
			return ST_PARSE_EMPTY;
		}
		count = ll;
		done = 0;
		pos = next;
	}

	while (done < count) {
		switch (read_header(buf, pos, len, '$', &ll, &next)) {
		case HDR_OK:
			break;
		case HDR_NOLINE:
			if (len - pos > ST_PARSE_INLINE_MAX)
				return proto_error(p,
					"Protocol error: too big bulk count string");
			/* fall through */
		case HDR_WAIT:
			return save_hint(p, count, done, pos, 0, len);
		case HDR_BADTYPE: {
			char ch = buf[pos];

			/* addReplyErrorFormat maps CR and LF to spaces. */
			if (ch == '\r' || ch == '\n')
				ch = ' ';
			snprintf(p->err, sizeof(p->err),
				 "Protocol error: expected '$', got '%c'", ch);
			hint_reset(p);
			return ST_PARSE_EINVALID;
		}
		default:
			return proto_error(p,
				"Protocol error: invalid bulk length");
		}
		if (ll < 0 || ll > p->max_bulk_len)
			return proto_error(p,
				"Protocol error: invalid bulk length");
		if (ll > UNAUTH_BULK_MAX && !p->authenticated)
			return proto_error(p,
				"Protocol error: unauthenticated bulk length");
		if (len - next < (size_t)ll + 2)
			return save_hint(p, count, done, pos,
					 next + (size_t)ll + 2, len);
		if (done >= p->argv_cap)
			argv_grow(p, (size_t)done + 1);
		p->argv[done].off = next;
		p->argv[done].len = (size_t)ll;
		done++;
		pos = next + (size_t)ll + 2;
	}
	hint_reset(p);
	p->argc = done;
	*consumed = pos;
	return ST_PARSE_OK;
}

/* ---- inline ------------------------------------------------------------- */

static inline int
c_isspace(int ch)
{
	return ch == ' ' || (ch >= '\t' && ch <= '\r');
}

static inline int
hex_val(int ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

/* Append one output byte at s[*w], writing only if it differs. */
static inline void
put_byte(char *s, size_t *w, char ch)
{
	if (s[*w] != ch)
		s[*w] = ch;
	(*w)++;
}

static void
add_arg(struct st_resp_parser *p, int *argc, size_t off, size_t len)
{
	if (*argc >= p->argv_cap)
		argv_grow(p, (size_t)*argc + 1);
	p->argv[*argc].off = off;
	p->argv[*argc].len = len;
	(*argc)++;
}

/*
 * sdssplitargs() over s[0..n) (which holds no NUL; reading past n yields
 * NUL as Redis's terminator would), unescaping in place.  Returns 0 and
 * sets p->argc, or -1 on unbalanced quotes.
 */
static int
split_args(struct st_resp_parser *p, char *s, size_t n)
{
	size_t r = 0;
	int argc = 0;

#define PEEK(i) ((i) < n ? s[i] : '\0')
	for (;;) {
		size_t start, w;
		int inq = 0, insq = 0, done = 0;

		while (r < n && c_isspace(s[r]))
			r++;
		if (r >= n)
			break;
		start = w = r;
		while (!done) {
			char ch = PEEK(r), nx = PEEK(r + 1);

			if (inq) {
				if (ch == '\\' && nx == 'x' &&
				    hex_val(PEEK(r + 2)) >= 0 &&
				    hex_val(PEEK(r + 3)) >= 0) {
					put_byte(s, &w, (char)(hex_val(s[r + 2]) * 16 +
							       hex_val(s[r + 3])));
					r += 3;
				} else if (ch == '\\' && nx) {
					r++;
					switch (nx) {
					case 'n': ch = '\n'; break;
					case 'r': ch = '\r'; break;
					case 't': ch = '\t'; break;
					case 'b': ch = '\b'; break;
					case 'a': ch = '\a'; break;
					default: ch = nx; break;
					}
					put_byte(s, &w, ch);
				} else if (ch == '"') {
					/* must be followed by a space or the end */
					if (nx && !c_isspace(nx))
						return -1;
					done = 1;
				} else if (!ch) {
					return -1;	/* unterminated quotes */
				} else {
					put_byte(s, &w, ch);
				}
			} else if (insq) {
				if (ch == '\\' && nx == '\'') {
					r++;
					put_byte(s, &w, '\'');
				} else if (ch == '\'') {
					if (nx && !c_isspace(nx))
						return -1;
					done = 1;
				} else if (!ch) {
					return -1;
				} else {
					put_byte(s, &w, ch);
				}
			} else {
				switch (ch) {
				case ' ':
				case '\n':
				case '\r':
				case '\t':
				case '\0':
					done = 1;
					break;
				case '"':
				case '\'':
					if (ch == '"')
						inq = 1;
					else
						insq = 1;
					/* Nothing collected yet: start after
					 * the quote, so no byte has to move. */
					if (w == start)
						start = w = r + 1;
					break;
				default:
					put_byte(s, &w, ch);
					break;
				}
			}
			if (r < n)
				r++;
		}
		add_arg(p, &argc, start, w - start);
	}
#undef PEEK
	p->argc = argc;
	return 0;
}

static enum st_parse_status
parse_inline(struct st_resp_parser *p, const char *buf, size_t len,
	     size_t *consumed)
{
	size_t from = 0, end, qlen;
	const char *nl;

	if (p->mb_len == HINT_INLINE && p->mb_pos <= len)
		from = p->mb_pos;
	nl = memchr(buf + from, '\n', len - from);
	/* Redis's strchr() does not see a '\n' behind a NUL byte. */
	if (nl != NULL && memchr(buf, '\0', (size_t)(nl - buf)) != NULL)
		nl = NULL;
	if (nl == NULL) {
		if (len > ST_PARSE_INLINE_MAX)
			return proto_error(p,
				"Protocol error: too big inline request");
		p->mb_len = HINT_INLINE;
		p->mb_done = 0;
		p->mb_pos = len;
		return ST_PARSE_EUNFIN;
	}
	end = (size_t)(nl - buf);
	qlen = end;
	if (qlen > 0 && buf[qlen - 1] == '\r')
		qlen--;
	/* The request's bytes are the caller's query buffer: see above. */
	if (split_args(p, (char *)buf, qlen) != 0)
		return proto_error(p,
			"Protocol error: unbalanced quotes in request");
	hint_reset(p);
	*consumed = end + 1;
	return p->argc ? ST_PARSE_OK : ST_PARSE_EMPTY;
}

/* ---- peeking ahead (prefetch) -------------------------------------------- */

#define PEEK_MAX_ARGS 1024

/* A '*' or '$' header of plain digits at buf[pos..len); false otherwise. */
static inline bool
peek_header(const char *buf, size_t pos, size_t len, char type, size_t *num,
	    size_t *next)
{
	size_t v = 0, q = pos + 1;

	if (pos >= len || buf[pos] != type)
		return false;
	while (q < len && (unsigned)(buf[q] - '0') < 10 && q - pos <= 10) {
		v = v * 10 + (size_t)(buf[q] - '0');
		q++;
	}
	if (q == pos + 1 || q + 1 >= len || buf[q] != '\r')
		return false;
	*num = v;
	*next = q + 2;
	return true;
}

size_t
st_resp_peek(const char *buf, size_t len, const char **key, size_t *keylen)
{
	size_t count, pos, n;

	*key = NULL;
	*keylen = 0;
	if (!peek_header(buf, 0, len, '*', &count, &pos) || count == 0 ||
	    count > PEEK_MAX_ARGS)
		return 0;
	for (size_t i = 0; i < count; i++) {
		if (!peek_header(buf, pos, len, '$', &n, &pos) ||
		    n > len || len - pos < n + 2)
			return 0;
		if (i == 1) {
			*key = buf + pos;
			*keylen = n;
		}
		pos += n + 2;
	}
	return pos;
}

/* ---- entry points ------------------------------------------------------- */

enum st_parse_status
st_resp_parse(struct st_resp_parser *p, const char *buf, size_t len,
	      size_t *consumed)
{
	*consumed = 0;
	if (len == 0)
		return ST_PARSE_EUNFIN;
	if (buf[0] == '*')
		return parse_multibulk(p, buf, len, consumed);
	return parse_inline(p, buf, len, consumed);
}

size_t
st_resp_parse_need(const struct st_resp_parser *p)
{
	const struct st_slice *s;

	if (p->mb_len < 0 || p->argv == NULL || p->mb_done >= p->argv_cap)
		return 0;
	s = &p->argv[p->mb_done];
	return s->off > s->len ? s->off - s->len : 0;
}
