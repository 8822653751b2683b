/*
 * test_resp_parse.c -- the RESP request parser (store/resp_parse.c).
 *
 * Every valid request is also fed cut at every byte offset, and byte by
 * byte, through exact-size copies (so that ASan sees any read past the
 * window): each prefix must give EUNFIN with nothing consumed, and the whole
 * request the same arguments as a single feed.  Error texts and the quirks
 * checked here (CRLF after payloads not verified, NUL hiding a line end,
 * limits for unauthenticated clients, ...) were observed on redis-server
 * 7.0.15 with raw bytes over a socket.  No store state is needed.
 */
#include "harness.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "alloc.h"
#include "buf.h"
#include "resp_parse.h"
#include "util.h"

struct arg {
	const char *p;
	size_t len;
};

#define A(lit) { lit, sizeof(lit) - 1 }
#define MAXA 24

struct req {
	const char *in;
	size_t len;
	enum st_parse_status st;
	int argc;
	struct arg argv[MAXA];
};

#define REQ(lit, st, n, ...) { lit, sizeof(lit) - 1, st, n, { __VA_ARGS__ } }

static char *
dup_bytes(const char *p, size_t n)
{
	char *b = malloc(n ? n : 1);

	memcpy(b, p, n);
	return b;
}

static void
init_parser(struct st_resp_parser *p)
{
	st_resp_parser_init(p);
}

/* The parser's result must be 'argc' arguments equal to 'argv'. */
static void
check_args(const struct st_resp_parser *p, const char *buf, size_t consumed,
	   int argc, const struct arg *argv)
{
	assert_int_equal(p->argc, argc);
	for (int i = 0; i < argc; i++) {
		assert_true(p->argv[i].off + p->argv[i].len <= consumed);
		assert_int_equal(p->argv[i].len, argv[i].len);
		assert_memory_equal(buf + p->argv[i].off, argv[i].p, argv[i].len);
	}
}

/* Parse a fresh copy of in[0..len) with 'p'. */
static enum st_parse_status
parse_copy(struct st_resp_parser *p, const char *in, size_t len,
	   size_t *consumed, char **copy)
{
	*copy = dup_bytes(in, len);
	return st_resp_parse(p, *copy, len, consumed);
}

static void
check_req(const struct req *r)
{
	struct st_resp_parser p;
	size_t consumed;
	char *b;

	/* 1. in one piece */
	init_parser(&p);
	assert_int_equal(parse_copy(&p, r->in, r->len, &consumed, &b), r->st);
	assert_int_equal(consumed, r->len);
	check_args(&p, b, consumed, r->argc, r->argv);
	free(b);

	/* 2. cut at every offset: prefix, then the whole (same parser, so the
	 * resume hint is used; the whole is in another, bigger buffer). */
	for (size_t k = 0; k < r->len; k++) {
		enum st_parse_status st = parse_copy(&p, r->in, k, &consumed, &b);

		assert_int_equal(st, ST_PARSE_EUNFIN);
		assert_int_equal(consumed, 0);
		free(b);
		assert_int_equal(parse_copy(&p, r->in, r->len, &consumed, &b),
				 r->st);
		assert_int_equal(consumed, r->len);
		check_args(&p, b, consumed, r->argc, r->argv);
		free(b);
	}

	/* 3. byte by byte with one parser */
	for (size_t k = 0; k <= r->len; k++) {
		enum st_parse_status st = parse_copy(&p, r->in, k, &consumed, &b);

		if (k < r->len) {
			assert_int_equal(st, ST_PARSE_EUNFIN);
			assert_int_equal(consumed, 0);
		} else {
			assert_int_equal(st, r->st);
			assert_int_equal(consumed, r->len);
			check_args(&p, b, consumed, r->argc, r->argv);
		}
		free(b);
	}

	/* 4. followed by another request: only this one is consumed */
	{
		static const char next[] = "*1\r\n$4\r\nPING\r\n";
		size_t n = r->len + sizeof(next) - 1;
		char *in = malloc(n);
		static const struct arg ping[] = { A("PING") };

		memcpy(in, r->in, r->len);
		memcpy(in + r->len, next, sizeof(next) - 1);
		assert_int_equal(st_resp_parse(&p, in, n, &consumed), r->st);
		assert_int_equal(consumed, r->len);
		check_args(&p, in, consumed, r->argc, r->argv);
		assert_int_equal(st_resp_parse(&p, in + consumed, n - consumed,
					       &consumed), ST_PARSE_OK);
		check_args(&p, in + r->len, consumed, 1, ping);
		free(in);
	}
	st_resp_parser_free(&p);
}

static const struct req valid_multibulk[] = {
	REQ("*2\r\n$3\r\nGET\r\n$3\r\nkey\r\n", ST_PARSE_OK, 2, A("GET"), A("key")),
	REQ("*1\r\n$4\r\nPING\r\n", ST_PARSE_OK, 1, A("PING")),
	/* binary payload with CR, LF and NUL inside */
	REQ("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$10\r\na\r\nb\0c\r\n\r\n\r\n",
	    ST_PARSE_OK, 3, A("SET"), A("k"), A("a\r\nb\0c\r\n\r\n")),
	/* zero-length bulks */
	REQ("*1\r\n$0\r\n\r\n", ST_PARSE_OK, 1, A("")),
	REQ("*3\r\n$0\r\n\r\n$0\r\n\r\n$1\r\n*\r\n", ST_PARSE_OK, 3,
	    A(""), A(""), A("*")),
	/* payload that looks like protocol */
	REQ("*2\r\n$4\r\nECHO\r\n$14\r\n*1\r\n$4\r\nPING\r\n\r\n", ST_PARSE_OK, 2,
	    A("ECHO"), A("*1\r\n$4\r\nPING\r\n")),
	/* Redis skips the two bytes after a header's '\r' and a payload */
	REQ("*1\rX$4\rYPINGxy", ST_PARSE_OK, 1, A("PING")),
	REQ("*2\r\n$1\r\na\0\0$1\r\nb\r\n", ST_PARSE_OK, 2, A("a"), A("b")),
	/* counts above 9 and a 20-digit negative count */
	REQ("*12\r\n$1\r\n0\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n$1\r\n4\r\n"
	    "$1\r\n5\r\n$1\r\n6\r\n$1\r\n7\r\n$1\r\n8\r\n$1\r\n9\r\n"
	    "$2\r\n10\r\n$2\r\n11\r\n", ST_PARSE_OK, 12,
	    A("0"), A("1"), A("2"), A("3"), A("4"), A("5"), A("6"), A("7"),
	    A("8"), A("9"), A("10"), A("11")),
	/* empty requests */
	REQ("*0\r\n", ST_PARSE_EMPTY, 0),
	REQ("*-1\r\n", ST_PARSE_EMPTY, 0),
	REQ("*-5\r\n", ST_PARSE_EMPTY, 0),
	REQ("*-9223372036854775808\r\n", ST_PARSE_EMPTY, 0),
};

static void
test_multibulk_splits(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(valid_multibulk) / sizeof(valid_multibulk[0]); i++)
		check_req(&valid_multibulk[i]);
}

static const struct req valid_inline[] = {
	REQ("PING\r\n", ST_PARSE_OK, 1, A("PING")),
	REQ("PING\n", ST_PARSE_OK, 1, A("PING")),
	REQ("  SET  a   b \r\n", ST_PARSE_OK, 3, A("SET"), A("a"), A("b")),
	REQ("set\tkey\tvalue\n", ST_PARSE_OK, 3, A("set"), A("key"), A("value")),
	REQ("$3\r\n", ST_PARSE_OK, 1, A("$3")),
	/* quotes and escapes (sdssplitargs) */
	REQ("ECHO \"a\\x41\\n\"\r\n", ST_PARSE_OK, 2, A("ECHO"), A("aA\n")),
	REQ("ECHO \"\\x4a\\x4B\\x00z\"\n", ST_PARSE_OK, 2, A("ECHO"), A("JK\0z")),
	REQ("ECHO \"\\xZZ\"\r\n", ST_PARSE_OK, 2, A("ECHO"), A("xZZ")),
	REQ("ECHO \"\\x4\"\r\n", ST_PARSE_OK, 2, A("ECHO"), A("x4")),
	REQ("ECHO 'a\\'b'\r\n", ST_PARSE_OK, 2, A("ECHO"), A("a'b")),
	REQ("ECHO 'a\\nb'\r\n", ST_PARSE_OK, 2, A("ECHO"), A("a\\nb")),
	REQ("ECHO a\"b c\"\r\n", ST_PARSE_OK, 2, A("ECHO"), A("ab c")),
	REQ("ECHO a'b c'd\r\n", ST_PARSE_EINVALID, 0),
	REQ("ECHO \"\\q\"\r\n", ST_PARSE_OK, 2, A("ECHO"), A("q")),
	REQ("SET \"k 1\" \"\\t\\r\\b\\a\\\\\\\"\"\r\n", ST_PARSE_OK, 3,
	    A("SET"), A("k 1"), A("\t\r\b\a\\\"")),
	REQ("ECHO \"\"\r\n", ST_PARSE_OK, 2, A("ECHO"), A("")),
	REQ("ECHO ''\r\n", ST_PARSE_OK, 2, A("ECHO"), A("")),
	REQ("\"a\" 'b' \"c\"\n", ST_PARSE_OK, 3, A("a"), A("b"), A("c")),
	REQ("\"a b\"\n", ST_PARSE_OK, 1, A("a b")),
	/* blanks: isspace between arguments, only " \n\r\t" inside one */
	REQ("ECHO \x0bx\r\n", ST_PARSE_OK, 2, A("ECHO"), A("x")),
	REQ("ECHO a\x0b" "b\r\n", ST_PARSE_OK, 2, A("ECHO"), A("a\x0b" "b")),
	REQ("ECHO \"ab\"\x0b\r\n", ST_PARSE_OK, 2, A("ECHO"), A("ab")),
	REQ("ECHO a\rb\r\n", ST_PARSE_OK, 3, A("ECHO"), A("a"), A("b")),
	REQ("ECHO a\r\r\n", ST_PARSE_OK, 2, A("ECHO"), A("a")),
	REQ("x\xff\x80y\n", ST_PARSE_OK, 1, A("x\xff\x80y")),
	/* empty lines */
	REQ("\r\n", ST_PARSE_EMPTY, 0),
	REQ("\n", ST_PARSE_EMPTY, 0),
	REQ("   \r\n", ST_PARSE_EMPTY, 0),
	REQ("\r\r\n", ST_PARSE_EMPTY, 0),
	REQ(" \t\x0b\x0c\n", ST_PARSE_EMPTY, 0),
};

static void
test_inline_splits(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(valid_inline) / sizeof(valid_inline[0]); i++) {
		if (valid_inline[i].st == ST_PARSE_EINVALID)
			continue;
		check_req(&valid_inline[i]);
	}
}

/* Plain inline requests and simple quoted arguments are not rewritten. */
static void
test_inline_in_place(void **state)
{
	static const char in[] = "SET \"key\" 'v a l' x\r\n";
	static const char esc[] = "SET k \"a\\nb\" tail\r\n";
	struct st_resp_parser p;
	size_t consumed;
	char buf[64];

	(void)state;
	init_parser(&p);
	memcpy(buf, in, sizeof(in));
	assert_int_equal(st_resp_parse(&p, buf, sizeof(in) - 1, &consumed),
			 ST_PARSE_OK);
	assert_memory_equal(buf, in, sizeof(in));
	assert_int_equal(p.argc, 4);
	assert_int_equal(p.argv[1].off, 5);
	assert_int_equal(p.argv[2].off, 11);
	/* an escape is resolved inside the request's own bytes */
	memcpy(buf, esc, sizeof(esc));
	assert_int_equal(st_resp_parse(&p, buf, sizeof(esc) - 1, &consumed),
			 ST_PARSE_OK);
	assert_int_equal(consumed, sizeof(esc) - 1);
	assert_int_equal(p.argc, 4);
	assert_int_equal(p.argv[2].len, 3);
	assert_memory_equal(buf + p.argv[2].off, "a\nb", 3);
	assert_true(p.argv[2].off >= 6 && p.argv[2].off + 3 <= 12);
	assert_memory_equal(buf + p.argv[3].off, "tail", 4);
	assert_memory_equal(buf + 13, "tail\r\n", 6);	/* after it: intact */
	st_resp_parser_free(&p);
}

/* ---- errors ------------------------------------------------------------- */

/* A fresh parser with the limits of 'tmpl' (each case is a new request:
 * the resume hint of an unfinished one must not carry over). */
static void
parser_like(struct st_resp_parser *p, const struct st_resp_parser *tmpl)
{
	st_resp_parser_init(p);
	p->max_bulk_len = tmpl->max_bulk_len;
	p->authenticated = tmpl->authenticated;
}

static void
expect_error(const struct st_resp_parser *tmpl, const char *in, size_t len,
	     const char *err)
{
	struct st_resp_parser p;
	size_t consumed = 12345;
	char *b = dup_bytes(in, len);

	parser_like(&p, tmpl);
	assert_int_equal(st_resp_parse(&p, b, len, &consumed), ST_PARSE_EINVALID);
	assert_int_equal(consumed, 0);
	assert_string_equal(p.err, err);
	free(b);
	/* no prefix of a bad request parses as something else */
	for (size_t k = 0; k < len; k++) {
		enum st_parse_status st;

		b = dup_bytes(in, k);
		st = st_resp_parse(&p, b, k, &consumed);
		assert_true(st == ST_PARSE_EUNFIN ||
			    (st == ST_PARSE_EINVALID && strcmp(p.err, err) == 0));
		assert_int_equal(consumed, 0);
		free(b);
	}
	st_resp_parser_free(&p);
}

#define ERR(p, lit, err) expect_error(p, lit, sizeof(lit) - 1, err)

/* Returns st_resp_parse_need() after the EUNFIN. */
static size_t
expect_unfin(const struct st_resp_parser *tmpl, const char *in, size_t len)
{
	struct st_resp_parser p;
	size_t consumed = 12345, need;
	char *b = dup_bytes(in, len);

	parser_like(&p, tmpl);
	assert_int_equal(st_resp_parse(&p, b, len, &consumed), ST_PARSE_EUNFIN);
	assert_int_equal(consumed, 0);
	need = st_resp_parse_need(&p);
	free(b);
	st_resp_parser_free(&p);
	return need;
}

#define UNFIN(p, lit) expect_unfin(p, lit, sizeof(lit) - 1)

#define E_MBULK "Protocol error: invalid multibulk length"
#define E_BULK "Protocol error: invalid bulk length"
#define E_QUOTES "Protocol error: unbalanced quotes in request"

static void
test_errors(void **state)
{
	struct st_resp_parser p;

	(void)state;
	init_parser(&p);
	/* multibulk count (string2ll, <= INT_MAX) */
	ERR(&p, "*\r\n", E_MBULK);
	ERR(&p, "*01\r\n", E_MBULK);
	ERR(&p, "*+1\r\n", E_MBULK);
	ERR(&p, "* 1\r\n", E_MBULK);
	ERR(&p, "*1 \r\n", E_MBULK);
	ERR(&p, "*-0\r\n", E_MBULK);
	ERR(&p, "*x\r\n", E_MBULK);
	ERR(&p, "*1.5\r\n", E_MBULK);
	ERR(&p, "*2147483648\r\n", E_MBULK);
	ERR(&p, "*9223372036854775807\r\n", E_MBULK);
	ERR(&p, "*99999999999999999999\r\n", E_MBULK);
	ERR(&p, "*000000000000000000001\r\n", E_MBULK);
	/* the type byte of an argument */
	ERR(&p, "*1\r\nx4\r\n", "Protocol error: expected '$', got 'x'");
	ERR(&p, "*2\r\n$1\r\na\r\n:1\r\n", "Protocol error: expected '$', got ':'");
	ERR(&p, "*1\r\n\r\n", "Protocol error: expected '$', got ' '");
	ERR(&p, "*1\r\n\n\r\n", "Protocol error: expected '$', got ' '");
	ERR(&p, "*1\r\n\x01\r\n", "Protocol error: expected '$', got '\x01'");
	ERR(&p, "*1\r\n\xff\r\n", "Protocol error: expected '$', got '\xff'");
	ERR(&p, "*1\r\n*1\r\n", "Protocol error: expected '$', got '*'");
	/* bulk lengths */
	ERR(&p, "*1\r\n$x\r\n", E_BULK);
	ERR(&p, "*1\r\n$\r\n", E_BULK);
	ERR(&p, "*1\r\n$-1\r\n", E_BULK);
	ERR(&p, "*1\r\n$-0\r\n", E_BULK);
	ERR(&p, "*1\r\n$04\r\n", E_BULK);
	ERR(&p, "*1\r\n$+4\r\n", E_BULK);
	ERR(&p, "*1\r\n$4 \r\n", E_BULK);
	ERR(&p, "*1\r\n$536870913\r\n", E_BULK);
	ERR(&p, "*1\r\n$9223372036854775807\r\n", E_BULK);
	ERR(&p, "*1\r\n$9999999999999999999999\r\n", E_BULK);
	ERR(&p, "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$y\r\nv\r\n", E_BULK);
	/* inline quoting */
	ERR(&p, "ECHO \"a\r\n", E_QUOTES);
	ERR(&p, "ECHO \"a\"b\r\n", E_QUOTES);
	ERR(&p, "ECHO 'a'b\r\n", E_QUOTES);
	ERR(&p, "ECHO 'a\r\n", E_QUOTES);
	ERR(&p, "ECHO \"a\\\"\r\n", E_QUOTES);
	ERR(&p, "ECHO \"a\\\n", E_QUOTES);
	ERR(&p, "a'b c'd\n", E_QUOTES);
	ERR(&p, "\"\"\"\"\n", E_QUOTES);
	/* the parser is usable again after an error */
	{
		size_t consumed;
		char in[] = "*1\r\n$4\r\nPING\r\n";

		assert_int_equal(st_resp_parse(&p, in, sizeof(in) - 1, &consumed),
				 ST_PARSE_OK);
		assert_int_equal(consumed, sizeof(in) - 1);
	}
	st_resp_parser_free(&p);
}

/* Limits that are not errors yet: the request just is not complete. */
static void
test_not_errors(void **state)
{
	struct st_resp_parser p;

	(void)state;
	init_parser(&p);
	UNFIN(&p, "*2147483647\r\n");
	UNFIN(&p, "*1048577\r\n$1\r\na\r\n");	/* no 1M limit in 7.0 */
	assert_int_equal(UNFIN(&p, "*1\r\n$536870912\r\n"), 536870912 + 2);
	UNFIN(&p, "*1\r\n$4\r\n\r\n");
	UNFIN(&p, "*1\r\n$1\r\n");
	UNFIN(&p, "*1\r");
	UNFIN(&p, "*1\r\n$4\r");
	/* a NUL before the '\r' hides it, as Redis's strchr() */
	UNFIN(&p, "*1\0\r\n$4\r\nPING\r\n");
	UNFIN(&p, "*1\r\n\0$4\r\nPING\r\n");
	UNFIN(&p, "*1\r\n$4\0\r\nPING\r\n");
	UNFIN(&p, "*1\r\n$x\0\r\nPING\r\n");
	UNFIN(&p, "ECHO a\0b\r\n");
	UNFIN(&p, "\0\n");
	UNFIN(&p, "ECHO \"a\\");
	st_resp_parser_free(&p);
}

static void
test_too_big(void **state)
{
	struct st_resp_parser p;
	size_t n = ST_PARSE_INLINE_MAX + 100, consumed;
	char *b = malloc(n);

	(void)state;
	init_parser(&p);
	/* multibulk count line without '\r': at most 64 KB buffered */
	b[0] = '*';
	memset(b + 1, '1', n - 1);
	assert_int_equal(st_resp_parse(&p, b, ST_PARSE_INLINE_MAX, &consumed),
			 ST_PARSE_EUNFIN);
	assert_int_equal(st_resp_parse(&p, b, ST_PARSE_INLINE_MAX + 1, &consumed),
			 ST_PARSE_EINVALID);
	assert_string_equal(p.err, "Protocol error: too big mbulk count string");
	/* same with a NUL hiding the '\r' */
	memcpy(b, "*1\0", 3);
	b[n - 2] = '\r';
	b[n - 1] = '\n';
	assert_int_equal(st_resp_parse(&p, b, n, &consumed), ST_PARSE_EINVALID);
	assert_string_equal(p.err, "Protocol error: too big mbulk count string");
	/* bulk count line: 64 KB counted from the line's start */
	memcpy(b, "*1\r\n$", 5);
	memset(b + 5, '1', n - 5);
	assert_int_equal(st_resp_parse(&p, b, 4 + ST_PARSE_INLINE_MAX, &consumed),
			 ST_PARSE_EUNFIN);
	assert_int_equal(st_resp_parse(&p, b, 5 + ST_PARSE_INLINE_MAX, &consumed),
			 ST_PARSE_EINVALID);
	assert_string_equal(p.err, "Protocol error: too big bulk count string");
	assert_int_equal(consumed, 0);
	/* ... also after earlier arguments, resuming from a hint */
	memcpy(b, "*2\r\n$1\r\na\r\n$", 12);
	assert_int_equal(st_resp_parse(&p, b, 100, &consumed), ST_PARSE_EUNFIN);
	assert_int_equal(st_resp_parse(&p, b, 11 + ST_PARSE_INLINE_MAX, &consumed),
			 ST_PARSE_EUNFIN);
	assert_int_equal(st_resp_parse(&p, b, 12 + ST_PARSE_INLINE_MAX, &consumed),
			 ST_PARSE_EINVALID);
	assert_string_equal(p.err, "Protocol error: too big bulk count string");
	/* inline line without '\n' */
	memset(b, 'A', n);
	assert_int_equal(st_resp_parse(&p, b, ST_PARSE_INLINE_MAX, &consumed),
			 ST_PARSE_EUNFIN);
	assert_int_equal(st_resp_parse(&p, b, ST_PARSE_INLINE_MAX + 1, &consumed),
			 ST_PARSE_EINVALID);
	assert_string_equal(p.err, "Protocol error: too big inline request");
	/* ... or with a NUL hiding the '\n' */
	b[10] = '\0';
	b[20] = '\n';
	assert_int_equal(st_resp_parse(&p, b, 30, &consumed), ST_PARSE_EUNFIN);
	assert_int_equal(st_resp_parse(&p, b, ST_PARSE_INLINE_MAX + 1, &consumed),
			 ST_PARSE_EINVALID);
	assert_string_equal(p.err, "Protocol error: too big inline request");
	/* an inline line longer than 64 KB is fine once its '\n' is there */
	memset(b, 'A', n);
	b[n - 1] = '\n';
	assert_int_equal(st_resp_parse(&p, b, n, &consumed), ST_PARSE_OK);
	assert_int_equal(consumed, n);
	assert_int_equal(p.argc, 1);
	assert_int_equal(p.argv[0].len, n - 1);
	free(b);
	st_resp_parser_free(&p);
}

static void
test_unauthenticated(void **state)
{
	struct st_resp_parser p;

	(void)state;
	init_parser(&p);
	p.authenticated = 0;
	UNFIN(&p, "*10\r\n");
	ERR(&p, "*11\r\n", "Protocol error: unauthenticated multibulk length");
	UNFIN(&p, "*1\r\n$16384\r\n");
	ERR(&p, "*1\r\n$16385\r\n", "Protocol error: unauthenticated bulk length");
	/* invalid is reported before unauthenticated */
	ERR(&p, "*2147483648\r\n", E_MBULK);
	ERR(&p, "*1\r\n$536870913\r\n", E_BULK);
	ERR(&p, "*1\r\n$-1\r\n", E_BULK);
	{
		static const struct req ok[] = {
			REQ("*-1\r\n", ST_PARSE_EMPTY, 0),
			REQ("*3\r\n$4\r\nAUTH\r\n$4\r\nuser\r\n$6\r\nsecret\r\n",
			    ST_PARSE_OK, 3, A("AUTH"), A("user"), A("secret")),
			/* inline requests have no such limit */
			REQ("A B C D E F G H I J K L\r\n", ST_PARSE_OK, 12, A("A"),
			    A("B"), A("C"), A("D"), A("E"), A("F"), A("G"), A("H"),
			    A("I"), A("J"), A("K"), A("L")),
		};
		size_t consumed;
		char *b;

		for (int i = 0; i < 3; i++) {
			assert_int_equal(parse_copy(&p, ok[i].in, ok[i].len, &consumed, &b),
					 ok[i].st);
			check_args(&p, b, consumed, ok[i].argc, ok[i].argv);
			free(b);
		}
	}
	/* once authenticated, the normal limits apply */
	p.authenticated = 1;
	UNFIN(&p, "*11\r\n");
	UNFIN(&p, "*1\r\n$16385\r\n");
	st_resp_parser_free(&p);
}

static void
test_max_bulk_len(void **state)
{
	struct st_resp_parser p;
	static const struct arg ten[] = { A("0123456789") };
	char in[] = "*1\r\n$10\r\n0123456789\r\n";
	size_t consumed;

	(void)state;
	init_parser(&p);
	assert_true(p.max_bulk_len == 512LL * 1024 * 1024);
	assert_int_equal(p.authenticated, 1);
	p.max_bulk_len = 10;
	assert_int_equal(st_resp_parse(&p, in, sizeof(in) - 1, &consumed), ST_PARSE_OK);
	check_args(&p, in, consumed, 1, ten);
	ERR(&p, "*1\r\n$11\r\n", E_BULK);
	p.max_bulk_len = 0;
	ERR(&p, "*1\r\n$1\r\n", E_BULK);
	UNFIN(&p, "*1\r\n$0\r\n");
	st_resp_parser_free(&p);
}

/* ---- pipelines, big requests, many arguments ---------------------------- */

struct gen_req {
	int argc;
	size_t off[40];
	size_t len[40];
	int kind;		/* 0 multibulk, 1 inline, 2 empty multibulk */
};

/* Append a random request to 'out'; describe its arguments in 'g'
 * (offsets into 'out'). */
static void
gen_request(struct st_buf *out, struct gen_req *g, size_t base)
{
	char hdr[32];
	int kind = (int)(st_rand64() % 10);

	g->argc = 0;
	if (kind == 0) {
		/* inline: plain words */
		int n = 1 + (int)(st_rand64() % 5);

		g->kind = 1;
		for (int i = 0; i < n; i++) {
			int l = 1 + (int)(st_rand64() % 8);

			if (i)
				st_buf_putc(out, ' ');
			g->off[i] = out->len - base;
			g->len[i] = l;
			for (int j = 0; j < l; j++)
				st_buf_putc(out, (char)('a' + st_rand64() % 26));
		}
		st_buf_append(out, "\r\n", 2);
		g->argc = n;
		return;
	}
	if (kind == 1) {
		g->kind = 2;
		st_buf_append(out, "*0\r\n", 4);
		return;
	}
	g->kind = 0;
	g->argc = 1 + (int)(st_rand64() % 40);
	st_buf_append(out, hdr, snprintf(hdr, sizeof(hdr), "*%d\r\n", g->argc));
	for (int i = 0; i < g->argc; i++) {
		size_t l = st_rand64() % 4 == 0 ? st_rand64() % 3000 : st_rand64() % 20;

		st_buf_append(out, hdr, snprintf(hdr, sizeof(hdr), "$%zu\r\n", l));
		g->off[i] = out->len - base;
		g->len[i] = l;
		for (size_t j = 0; j < l; j++)
			st_buf_putc(out, (char)st_rand64());
		st_buf_append(out, "\r\n", 2);
	}
}

/* A client loop: random fragments appended to a query buffer, every
 * complete request parsed and consumed. */
static void
test_pipeline_fragments(void **state)
{
	enum { NREQ = 3000 };
	struct st_buf stream, q;
	struct gen_req *g = malloc(NREQ * sizeof(*g));
	size_t *start = malloc(NREQ * sizeof(*start));
	struct st_resp_parser p;
	size_t fed = 0;
	int next = 0;

	(void)state;
	st_buf_init(&stream);
	st_buf_init(&q);
	for (int i = 0; i < NREQ; i++) {
		start[i] = stream.len;
		gen_request(&stream, &g[i], stream.len);
	}
	init_parser(&p);
	for (int round = 0; round < 2; round++) {
		size_t qstart = 0;	/* offset of q in the stream */

		fed = 0;
		next = 0;
		st_buf_reset(&q);
		while (next < NREQ) {
			size_t n = round == 0 ? 1 + st_rand64() % 700 : stream.len;
			size_t consumed;
			enum st_parse_status st;

			if (n > stream.len - fed)
				n = stream.len - fed;
			st_buf_append(&q, stream.p + fed, n);
			fed += n;
			while ((st = st_resp_parse(&p, q.p, q.len, &consumed)) !=
			       ST_PARSE_EUNFIN) {
				struct gen_req *r = &g[next];

				assert_int_not_equal(st, ST_PARSE_EINVALID);
				assert_int_equal(qstart, start[next]);
				assert_int_equal(st, r->kind == 2 ? ST_PARSE_EMPTY :
							ST_PARSE_OK);
				assert_int_equal(p.argc, r->argc);
				for (int i = 0; i < r->argc; i++) {
					assert_int_equal(p.argv[i].off, r->off[i]);
					assert_int_equal(p.argv[i].len, r->len[i]);
				}
				st_buf_consume(&q, consumed);
				qstart += consumed;
				next++;
			}
			assert_int_equal(consumed, 0);
		}
		assert_int_equal(q.len, 0);
		assert_int_equal(fed, stream.len);
	}
	st_resp_parser_free(&p);
	st_buf_free(&stream);
	st_buf_free(&q);
	free(g);
	free(start);
}

/* A 1 MB bulk arriving in 1 KB fragments: need() says what is missing,
 * and the arguments before it are not rescanned. */
static void
test_big_bulk_fragments(void **state)
{
	enum { BIG = 1 << 20 };
	static const char head[] = "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1048576\r\n";
	size_t total = sizeof(head) - 1 + BIG + 2, have, consumed;
	struct st_resp_parser p;
	struct st_buf q;
	char *stream = malloc(total);
	enum st_parse_status st = ST_PARSE_EUNFIN;

	(void)state;
	memcpy(stream, head, sizeof(head) - 1);
	for (size_t i = 0; i < BIG; i++)
		stream[sizeof(head) - 1 + i] = (char)(i * 31 + (i >> 9));
	memcpy(stream + total - 2, "\r\n", 2);
	st_buf_init(&q);
	init_parser(&p);
	assert_int_equal(st_resp_parse_need(&p), 0);
	for (have = 0; have < total;) {
		size_t n = total - have < 1024 ? total - have : 1024;

		st_buf_append(&q, stream + have, n);
		have += n;
		st = st_resp_parse(&p, q.p, q.len, &consumed);
		if (have < total) {
			assert_int_equal(st, ST_PARSE_EUNFIN);
			assert_int_equal(consumed, 0);
			/* the header is in the first fragment */
			assert_int_equal(st_resp_parse_need(&p), total - have);
			assert_int_equal(p.mb_done, 2);
			assert_int_equal(p.mb_pos, 20);
			/* the caller can reserve it all at once */
			if (have == 1024) {
				st_buf_reserve(&q, st_resp_parse_need(&p));
				assert_true(q.cap >= total);
			}
		}
	}
	assert_int_equal(st, ST_PARSE_OK);
	assert_int_equal(consumed, total);
	assert_int_equal(p.argc, 3);
	assert_int_equal(p.argv[2].off, sizeof(head) - 1);
	assert_int_equal(p.argv[2].len, BIG);
	assert_memory_equal(q.p + p.argv[2].off, stream + sizeof(head) - 1, BIG);
	assert_int_equal(st_resp_parse_need(&p), 0);
	/* need() while the length line itself is incomplete: unknown */
	assert_int_equal(st_resp_parse(&p, stream, 25, &consumed), ST_PARSE_EUNFIN);
	assert_int_equal(st_resp_parse_need(&p), 0);
	assert_int_equal(st_resp_parse(&p, stream, 31, &consumed), ST_PARSE_EUNFIN);
	assert_int_equal(st_resp_parse_need(&p), total - 31);
	/* inline: unknown */
	assert_int_equal(st_resp_parse(&p, "GET", 3, &consumed), ST_PARSE_EUNFIN);
	assert_int_equal(st_resp_parse_need(&p), 0);
	st_buf_free(&q);
	free(stream);
	st_resp_parser_free(&p);
}

/* Many small arguments arriving in fragments: scanned once. */
static void
test_many_args(void **state)
{
	enum { N = 100000 };
	struct st_buf q;
	struct st_resp_parser p;
	size_t consumed, fed = 0;
	char hdr[32];
	enum st_parse_status st = ST_PARSE_EUNFIN;
	struct st_buf in;
	int last_done = 0;

	(void)state;
	st_buf_init(&in);
	st_buf_init(&q);
	st_buf_append(&in, hdr, snprintf(hdr, sizeof(hdr), "*%d\r\n", N));
	for (int i = 0; i < N; i++) {
		int l = snprintf(hdr + 16, 16, "%d", i);

		st_buf_append(&in, hdr, snprintf(hdr, 16, "$%d\r\n", l));
		st_buf_append(&in, hdr + 16, l);
		st_buf_append(&in, "\r\n", 2);
	}
	init_parser(&p);
	while (fed < in.len) {
		size_t n = in.len - fed < 1000 ? in.len - fed : 1000;

		st_buf_append(&q, in.p + fed, n);
		fed += n;
		st = st_resp_parse(&p, q.p, q.len, &consumed);
		if (fed < in.len) {
			assert_int_equal(st, ST_PARSE_EUNFIN);
			assert_true(p.mb_done >= last_done);
			assert_true(p.mb_pos <= q.len);
			last_done = p.mb_done;
		}
	}
	assert_int_equal(st, ST_PARSE_OK);
	assert_int_equal(consumed, in.len);
	assert_int_equal(p.argc, N);
	for (int i = 0; i < N; i += 997) {
		int l = snprintf(hdr, sizeof(hdr), "%d", i);

		assert_int_equal(p.argv[i].len, l);
		assert_memory_equal(q.p + p.argv[i].off, hdr, l);
	}
	/* an inline request with many arguments */
	st_buf_reset(&q);
	for (int i = 0; i < 5000; i++)
		st_buf_append(&q, "ab ", 3);
	st_buf_append(&q, "\n", 1);
	assert_int_equal(st_resp_parse(&p, q.p, q.len, &consumed), ST_PARSE_OK);
	assert_int_equal(p.argc, 5000);
	assert_int_equal(p.argv[4999].off, 4999 * 3);
	st_buf_free(&in);
	st_buf_free(&q);
	st_resp_parser_free(&p);
}

/* Random bytes: never crash, never read past the window, never consume on
 * EUNFIN, same answer whether or not a prefix was seen before. */
static void
test_random_input(void **state)
{
	static const char alpha[] = "*$\r\n\r\n0123456789-+ \t\"'\\xab\0";
	struct st_resp_parser p, q;
	char in[64];

	(void)state;
	for (int iter = 0; iter < 20000; iter++) {
		size_t len = 1 + st_rand64() % sizeof(in), cut = st_rand64() % len;
		size_t c1, c2, c3;
		enum st_parse_status s1, s2, s3;
		char *a, *b, *c;

		for (size_t i = 0; i < len; i++)
			in[i] = alpha[st_rand64() % (sizeof(alpha) - 1)];
		if (iter % 2)
			in[0] = '*';
		init_parser(&p);
		init_parser(&q);
		a = dup_bytes(in, len);
		s1 = st_resp_parse(&p, a, len, &c1);
		if (s1 == ST_PARSE_OK || s1 == ST_PARSE_EMPTY) {
			assert_true(c1 > 0 && c1 <= len);
			for (int i = 0; i < p.argc; i++)
				assert_true(p.argv[i].off + p.argv[i].len <= c1);
		} else {
			assert_int_equal(c1, 0);
		}
		if (s1 == ST_PARSE_EINVALID)
			assert_memory_equal(p.err, "Protocol error: ", 16);
		/* the same after a prefix that was incomplete */
		b = dup_bytes(in, cut);
		s2 = st_resp_parse(&q, b, cut, &c2);
		free(b);
		if (s2 == ST_PARSE_EUNFIN) {
			c = dup_bytes(in, len);
			s3 = st_resp_parse(&q, c, len, &c3);
			assert_int_equal(s3, s1);
			assert_int_equal(c3, c1);
			if (s1 == ST_PARSE_OK) {
				assert_int_equal(q.argc, p.argc);
				for (int i = 0; i < p.argc; i++) {
					assert_int_equal(q.argv[i].off, p.argv[i].off);
					assert_int_equal(q.argv[i].len, p.argv[i].len);
					assert_memory_equal(c + q.argv[i].off,
							    a + p.argv[i].off,
							    p.argv[i].len);
				}
			} else if (s1 == ST_PARSE_EINVALID) {
				assert_string_equal(q.err, p.err);
			}
			free(c);
		} else {
			/* a prefix can only be complete or wrong if the whole is */
			assert_true(s1 != ST_PARSE_EUNFIN);
			if (s2 == ST_PARSE_EINVALID)
				assert_int_equal(s1, ST_PARSE_EINVALID);
		}
		free(a);
		st_resp_parser_free(&p);
		st_resp_parser_free(&q);
	}
}

/* ---- init / free / speed ------------------------------------------------ */

static void
test_init_free(void **state)
{
	struct st_resp_parser p;
	int64_t mem0 = st_mem_used();
	char in[] = "*2\r\n$3\r\nGET\r\n$1\r\nk\r\n";
	size_t consumed;

	(void)state;
	init_parser(&p);
	assert_int_equal(p.argc, 0);
	assert_true(p.mb_len == -1);
	assert_int_equal(p.mb_done, 0);
	assert_int_equal(p.mb_pos, 0);
	assert_int_equal(st_resp_parse(&p, in, 0, &consumed), ST_PARSE_EUNFIN);
	assert_int_equal(st_resp_parse(&p, in, sizeof(in) - 1, &consumed), ST_PARSE_OK);
	assert_true(st_mem_used() > mem0);	/* argv is accounted */
	st_resp_parser_free(&p);
	assert_null(p.argv);
	assert_true(st_mem_used() == mem0);
	/* free is idempotent */
	st_resp_parser_free(&p);
	assert_null(p.argv);
}

static double
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

/* Once warm, parsing allocates nothing and every parse of the same GET
 * consumes it whole.  The time per parse is printed, never asserted (tests
 * check behaviour; speed is BENCHMARKS.md's): tens of ns in a plain build. */
static void
test_warm_no_alloc(void **state)
{
	char in[] = "*2\r\n$3\r\nGET\r\n$16\r\nkey:000000012345\r\n";
	struct st_resp_parser p;
	size_t consumed, sum = 0;
	int64_t mem;
	double t0, ns;
	enum { N = 2000000 };

	(void)state;
	init_parser(&p);
	assert_int_equal(st_resp_parse(&p, in, sizeof(in) - 1, &consumed), ST_PARSE_OK);
	mem = st_mem_used();
	t0 = now_ns();
	for (int i = 0; i < N; i++) {
		st_resp_parse(&p, in, sizeof(in) - 1, &consumed);
		sum += consumed + p.argv[1].len;
	}
	ns = (now_ns() - t0) / N;
	assert_int_equal(sum, (size_t)N * (sizeof(in) - 1 + 16));
	assert_true(st_mem_used() == mem);
	print_message("GET parse: %.1f ns\n", ns);
	st_resp_parser_free(&p);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_multibulk_splits),
		cmocka_unit_test(test_inline_splits),
		cmocka_unit_test(test_inline_in_place),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_not_errors),
		cmocka_unit_test(test_too_big),
		cmocka_unit_test(test_unauthenticated),
		cmocka_unit_test(test_max_bulk_len),
		cmocka_unit_test(test_pipeline_fragments),
		cmocka_unit_test(test_big_bulk_fragments),
		cmocka_unit_test(test_many_args),
		cmocka_unit_test(test_random_input),
		cmocka_unit_test(test_init_free),
		cmocka_unit_test(test_warm_no_alloc),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
