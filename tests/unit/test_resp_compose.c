/*
 * test_resp_compose.c -- the reply composer (resp_compose.h).
 *
 * Two layers are checked byte for byte:
 *  - the st_resp_* wire primitives, on a bare st_buf;
 *  - the st_reply_* client replies, in RESP2 and in RESP3 (c->resp = 3),
 *    including deferred aggregate lengths (nested, filled in either order).
 *
 * Expected bytes are those of stock redis-server 7.0.15 for the same kind of
 * reply (e.g. ZSCORE for doubles, LOLWUT for verbatim strings, GET on a
 * missing key for nulls, EXEC after a failed WATCH for the null array).
 */
#include "harness.h"

#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "buf.h"
#include "resp_compose.h"

static struct st_client *tc;
static struct st_buf wb;		/* wire tests' buffer, freed in teardown */
static char big[1 << 20];

static int
setup(void **state)
{
	(void)state;
	tc = th_client();
	tc->resp = 2;
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	st_client_free(tc);
	tc = NULL;
	return 0;
}

/* Compare the whole buffer with 'exp' (binary safe) and empty it; failures
 * are reported at the caller's line. */
static void
buf_eq_at(struct st_buf *b, const char *exp, size_t len, const char *file,
	  int line)
{
	if (b->len != len || (len && memcmp(b->p, exp, len) != 0)) {
		th_print_escaped("got     ", b->p ? b->p : "", b->len);
		th_print_escaped("expected", exp, len);
	}
	_assert_int_equal(b->len, len, file, line);
	if (len)
		_assert_memory_equal(b->p, exp, len, file, line);
	st_buf_reset(b);
}

#define buf_eq(b, exp, len) buf_eq_at((b), (exp), (len), __FILE__, __LINE__)
#define BUF_EQ(b, lit) buf_eq((b), (lit), sizeof(lit) - 1)
#define OUT_EQ(c, lit) buf_eq(&(c)->out, (lit), sizeof(lit) - 1)

/* ---- wire primitives -------------------------------------------------- */

static int
wire_setup(void **state)
{
	(void)state;
	st_buf_init(&wb);
	return 0;
}

static int
wire_teardown(void **state)
{
	(void)state;
	st_buf_free(&wb);
	return 0;
}

static void
t_resp_status_int_hdr(void **state)
{
	struct st_buf *b = &wb;

	(void)state;
	st_resp_status(b, "OK", 2);
	BUF_EQ(b, "+OK\r\n");
	st_resp_status(b, "", 0);
	BUF_EQ(b, "+\r\n");
	/* only 'len' bytes are used */
	st_resp_status(b, "QUEUEDxyz", 6);
	BUF_EQ(b, "+QUEUED\r\n");

	st_resp_int(b, 0);
	BUF_EQ(b, ":0\r\n");
	st_resp_int(b, -1);
	BUF_EQ(b, ":-1\r\n");
	st_resp_int(b, LLONG_MAX);
	BUF_EQ(b, ":9223372036854775807\r\n");
	st_resp_int(b, LLONG_MIN);
	BUF_EQ(b, ":-9223372036854775808\r\n");

	st_resp_hdr(b, '*', 3);
	BUF_EQ(b, "*3\r\n");
	st_resp_hdr(b, '*', -1);
	BUF_EQ(b, "*-1\r\n");
	st_resp_hdr(b, '$', 0);
	BUF_EQ(b, "$0\r\n");
	st_resp_hdr(b, '%', 12345678901LL);
	BUF_EQ(b, "%12345678901\r\n");
	st_resp_hdr(b, '~', 2);
	BUF_EQ(b, "~2\r\n");
	st_resp_hdr(b, '>', 3);
	BUF_EQ(b, ">3\r\n");

	/* many primitives in a row grow the buffer correctly */
	for (int i = 0; i < 1000; i++)
		st_resp_int(b, i);
	{
		size_t off = 0;

		for (int i = 0; i < 1000; i++) {
			char exp[32];
			int n = snprintf(exp, sizeof(exp), ":%d\r\n", i);

			assert_true(off + (size_t)n <= b->len);
			assert_memory_equal(b->p + off, exp, (size_t)n);
			off += (size_t)n;
		}
		assert_int_equal(off, b->len);
	}
}

static void
t_resp_error(void **state)
{
	struct st_buf *b = &wb;

	(void)state;
	/* no code: "-ERR " is added, as addReplyError */
	st_resp_error(b, "syntax error", 12);
	BUF_EQ(b, "-ERR syntax error\r\n");
	/* own code: kept as is */
	st_resp_error(b, ST_ERR_WRONGTYPE, strlen(ST_ERR_WRONGTYPE));
	BUF_EQ(b, "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n");
	st_resp_error(b, "-EXECABORT x", 12);
	BUF_EQ(b, "-EXECABORT x\r\n");
	/* empty message */
	st_resp_error(b, "", 0);
	BUF_EQ(b, "-ERR \r\n");
	/* newlines become spaces, in the text and in a code */
	st_resp_error(b, "bad\r\nthing\nhere\r", 16);
	BUF_EQ(b, "-ERR bad  thing here \r\n");
	st_resp_error(b, "-CODE a\nb", 9);
	BUF_EQ(b, "-CODE a b\r\n");
	/* a lone "-" is a code with no text */
	st_resp_error(b, "-", 1);
	BUF_EQ(b, "-\r\n");
}

static void
t_resp_bulk_and_command(void **state)
{
	struct st_buf *b = &wb;
	const size_t biglen = sizeof(big);

	(void)state;
	st_resp_bulk(b, "foo", 3);
	BUF_EQ(b, "$3\r\nfoo\r\n");
	st_resp_bulk(b, "", 0);
	BUF_EQ(b, "$0\r\n\r\n");
	/* binary: NUL, CR and LF pass untouched */
	st_resp_bulk(b, "a\0b\r\nc", 6);
	BUF_EQ(b, "$6\r\na\0b\r\nc\r\n");

	/* a large bulk */
	for (size_t i = 0; i < biglen; i++)
		big[i] = (char)('a' + i % 26);
	st_resp_bulk(b, big, biglen);
	assert_int_equal(b->len, 10 + biglen + 2);
	assert_memory_equal(b->p, "$1048576\r\n", 10);
	assert_memory_equal(b->p + 10, big, biglen);
	assert_memory_equal(b->p + 10 + biglen, "\r\n", 2);
	st_buf_reset(b);

	{
		const char *argv[] = { "SET", "k", "", "a\0b" };
		const size_t lens[] = { 3, 1, 0, 3 };

		st_resp_command(b, 4, argv, lens);
		BUF_EQ(b, "*4\r\n$3\r\nSET\r\n$1\r\nk\r\n$0\r\n\r\n$3\r\na\0b\r\n");
		st_resp_command(b, 0, argv, lens);
		BUF_EQ(b, "*0\r\n");
	}
}

/* ---- client replies: scalars -------------------------------------------- */

static void
t_reply_simple(void **state)
{
	struct st_client *c = tc;

	(void)state;
	for (int resp = 2; resp <= 3; resp++) {
		c->resp = (uint8_t)resp;
		/* the same bytes in both protocols */
		st_reply_status(c, "PONG");
		OUT_EQ(c, "+PONG\r\n");
		st_reply_ok(c);
		OUT_EQ(c, "+OK\r\n");
		st_reply_int(c, 42);
		OUT_EQ(c, ":42\r\n");
		st_reply_int(c, LLONG_MIN);
		OUT_EQ(c, ":-9223372036854775808\r\n");
		st_reply_bulk(c, "v\0x", 3);
		OUT_EQ(c, "$3\r\nv\0x\r\n");
		st_reply_bulk(c, "", 0);
		OUT_EQ(c, "$0\r\n\r\n");
		st_reply_bulk_cstr(c, "hello");
		OUT_EQ(c, "$5\r\nhello\r\n");
		st_reply_bulk_ll(c, 0);
		OUT_EQ(c, "$1\r\n0\r\n");
		st_reply_bulk_ll(c, -123);
		OUT_EQ(c, "$4\r\n-123\r\n");
		st_reply_bulk_ll(c, LLONG_MAX);
		OUT_EQ(c, "$19\r\n9223372036854775807\r\n");
		st_reply_array_len(c, 0);
		OUT_EQ(c, "*0\r\n");
		st_reply_array_len(c, 17);
		OUT_EQ(c, "*17\r\n");
		st_reply_proto(c, "+raw\r\n:1\r\n", 10);
		OUT_EQ(c, "+raw\r\n:1\r\n");
	}
}

static void
t_reply_errors(void **state)
{
	struct st_client *c = tc;

	(void)state;
	for (int resp = 2; resp <= 3; resp++) {
		c->resp = (uint8_t)resp;
		st_reply_error(c, ST_ERR_SYNTAX);
		OUT_EQ(c, "-ERR syntax error\r\n");
		st_reply_error(c, ST_ERR_WRONGTYPE);
		OUT_EQ(c, "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n");
		st_reply_error(c, ST_ERR_NOTINT);
		OUT_EQ(c, "-ERR value is not an integer or out of range\r\n");
		st_reply_error(c, ST_ERR_NOTFLOAT);
		OUT_EQ(c, "-ERR value is not a valid float\r\n");
		st_reply_error(c, ST_ERR_OVERFLOW);
		OUT_EQ(c, "-ERR increment or decrement would overflow\r\n");
		st_reply_error(c, ST_ERR_NAN_OR_INF);
		OUT_EQ(c, "-ERR increment would produce NaN or Infinity\r\n");
		st_reply_error(c, ST_ERR_EXECABORT);
		OUT_EQ(c, "-EXECABORT Transaction discarded because of previous errors.\r\n");
		st_reply_error(c, ST_ERR_OOM);
		OUT_EQ(c, "-OOM command not allowed when used memory > 'maxmemory'.\r\n");
		st_reply_error(c, ST_ERR_NOAUTH);
		OUT_EQ(c, "-NOAUTH Authentication required.\r\n");
		st_reply_error(c, "line1\nline2");
		OUT_EQ(c, "-ERR line1 line2\r\n");

		st_reply_errorf(c, "invalid expire time in '%s' command", "set");
		OUT_EQ(c, "-ERR invalid expire time in 'set' command\r\n");
		st_reply_errorf(c, "-%s %d", "MYCODE", 7);
		OUT_EQ(c, "-MYCODE 7\r\n");
		/* newlines from the arguments are replaced too (addReplyErrorFormat) */
		st_reply_errorf(c, "unknown command '%s'", "a\r\nb");
		OUT_EQ(c, "-ERR unknown command 'a  b'\r\n");
		st_reply_errorf(c, "%s", "");
		OUT_EQ(c, "-ERR \r\n");
	}
}

static void
t_reply_nulls(void **state)
{
	struct st_client *c = tc;

	(void)state;
	c->resp = 2;
	st_reply_null(c);		/* GET nokey */
	OUT_EQ(c, "$-1\r\n");
	st_reply_null_array(c);		/* EXEC after a touched WATCH */
	OUT_EQ(c, "*-1\r\n");
	c->resp = 3;
	st_reply_null(c);
	OUT_EQ(c, "_\r\n");
	st_reply_null_array(c);
	OUT_EQ(c, "_\r\n");
}

static void
t_reply_aggregates(void **state)
{
	struct st_client *c = tc;

	(void)state;
	c->resp = 2;
	st_reply_map_len(c, 3);		/* HGETALL: flat array of 2n */
	OUT_EQ(c, "*6\r\n");
	st_reply_map_len(c, 0);
	OUT_EQ(c, "*0\r\n");
	st_reply_set_len(c, 4);
	OUT_EQ(c, "*4\r\n");
	st_reply_push_len(c, 3);
	OUT_EQ(c, "*3\r\n");
	st_reply_bool(c, 1);
	OUT_EQ(c, ":1\r\n");
	st_reply_bool(c, 0);
	OUT_EQ(c, ":0\r\n");

	c->resp = 3;
	st_reply_map_len(c, 3);
	OUT_EQ(c, "%3\r\n");
	st_reply_map_len(c, 0);		/* HGETALL nohash */
	OUT_EQ(c, "%0\r\n");
	st_reply_set_len(c, 4);
	OUT_EQ(c, "~4\r\n");
	st_reply_set_len(c, 0);		/* SMEMBERS noset */
	OUT_EQ(c, "~0\r\n");
	st_reply_push_len(c, 3);
	OUT_EQ(c, ">3\r\n");
	st_reply_bool(c, 1);
	OUT_EQ(c, "#t\r\n");
	st_reply_bool(c, 0);
	OUT_EQ(c, "#f\r\n");
	st_reply_array_len(c, 2);
	OUT_EQ(c, "*2\r\n");
}

/* Doubles: "%.17g" (Redis 7.0 addReplyDouble); RESP2 bulk, RESP3 ','. */
static void
t_reply_double(void **state)
{
	static const struct {
		double d;
		const char *resp2, *resp3;
	} cases[] = {
		{ 1.5, "$3\r\n1.5\r\n", ",1.5\r\n" },
		{ 3, "$1\r\n3\r\n", ",3\r\n" },
		{ 0, "$1\r\n0\r\n", ",0\r\n" },
		{ -2, "$2\r\n-2\r\n", ",-2\r\n" },
		{ 1.1, "$18\r\n1.1000000000000001\r\n", ",1.1000000000000001\r\n" },
		{ 0.1, "$19\r\n0.10000000000000001\r\n", ",0.10000000000000001\r\n" },
		{ 1e20, "$5\r\n1e+20\r\n", ",1e+20\r\n" },
		{ 1e-5, "$22\r\n1.0000000000000001e-05\r\n", ",1.0000000000000001e-05\r\n" },
		{ 123456789012345678.0, "$22\r\n1.2345678901234568e+17\r\n",
		  ",1.2345678901234568e+17\r\n" },
		{ 9007199254740993.0, "$16\r\n9007199254740992\r\n", ",9007199254740992\r\n" },
		{ -0.0, "$2\r\n-0\r\n", ",-0\r\n" },
		{ INFINITY, "$3\r\ninf\r\n", ",inf\r\n" },
		{ -INFINITY, "$4\r\n-inf\r\n", ",-inf\r\n" },
	};
	struct st_client *c = tc;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		c->resp = 2;
		st_reply_double(c, cases[i].d);
		buf_eq(&c->out, cases[i].resp2, strlen(cases[i].resp2));
		c->resp = 3;
		st_reply_double(c, cases[i].d);
		buf_eq(&c->out, cases[i].resp3, strlen(cases[i].resp3));
	}
	/* ZRANGE z 0 0 WITHSCORES in RESP3: [[member, score]] */
	c->resp = 3;
	st_reply_array_len(c, 1);
	st_reply_array_len(c, 2);
	st_reply_bulk_cstr(c, "d");
	st_reply_double(c, -INFINITY);
	OUT_EQ(c, "*1\r\n*2\r\n$1\r\nd\r\n,-inf\r\n");
}

static void
t_reply_verbatim(void **state)
{
	static const char text[] = "line one\nline two\n";
	struct st_client *c = tc;

	(void)state;
	c->resp = 2;
	st_reply_verbatim(c, text, sizeof(text) - 1, "txt");
	OUT_EQ(c, "$18\r\nline one\nline two\n\r\n");
	st_reply_verbatim(c, "", 0, "txt");
	OUT_EQ(c, "$0\r\n\r\n");
	c->resp = 3;
	/* "=<len + 4>\r\n<ext>:<text>\r\n", as LOLWUT / INFO in RESP3 */
	st_reply_verbatim(c, text, sizeof(text) - 1, "txt");
	OUT_EQ(c, "=22\r\ntxt:line one\nline two\n\r\n");
	st_reply_verbatim(c, "# x", 3, "mkd");
	OUT_EQ(c, "=7\r\nmkd:# x\r\n");
	st_reply_verbatim(c, "", 0, "txt");
	OUT_EQ(c, "=4\r\ntxt:\r\n");
}

/* ---- deferred lengths ---------------------------------------------------- */

static void
t_deferred_flat(void **state)
{
	struct st_client *c = tc;
	size_t h;

	(void)state;
	for (int resp = 2; resp <= 3; resp++) {
		c->resp = (uint8_t)resp;
		/* an earlier reply stays in front */
		st_reply_ok(c);
		h = st_reply_deferred_len(c);
		st_reply_bulk_cstr(c, "a");
		st_reply_int(c, 2);
		st_reply_set_deferred_array_len(c, h, 2);
		st_reply_ok(c);
		OUT_EQ(c, "+OK\r\n*2\r\n$1\r\na\r\n:2\r\n+OK\r\n");

		/* empty */
		h = st_reply_deferred_len(c);
		st_reply_set_deferred_array_len(c, h, 0);
		OUT_EQ(c, "*0\r\n");

		/* multi-digit count */
		h = st_reply_deferred_len(c);
		for (int i = 0; i < 12; i++)
			st_reply_int(c, i % 10);
		st_reply_set_deferred_array_len(c, h, 12);
		OUT_EQ(c, "*12\r\n:0\r\n:1\r\n:2\r\n:3\r\n:4\r\n:5\r\n:6\r\n:7\r\n:8\r\n:9\r\n:0\r\n:1\r\n");
	}

	c->resp = 2;
	h = st_reply_deferred_len(c);
	st_reply_bulk_cstr(c, "f");
	st_reply_bulk_cstr(c, "v");
	st_reply_set_deferred_map_len(c, h, 1);
	OUT_EQ(c, "*2\r\n$1\r\nf\r\n$1\r\nv\r\n");
	h = st_reply_deferred_len(c);
	st_reply_bulk_cstr(c, "m");
	st_reply_set_deferred_set_len(c, h, 1);
	OUT_EQ(c, "*1\r\n$1\r\nm\r\n");

	c->resp = 3;
	h = st_reply_deferred_len(c);
	st_reply_bulk_cstr(c, "f");
	st_reply_bulk_cstr(c, "v");
	st_reply_set_deferred_map_len(c, h, 1);
	OUT_EQ(c, "%1\r\n$1\r\nf\r\n$1\r\nv\r\n");
	h = st_reply_deferred_len(c);
	st_reply_bulk_cstr(c, "m");
	st_reply_set_deferred_set_len(c, h, 1);
	OUT_EQ(c, "~1\r\n$1\r\nm\r\n");
	h = st_reply_deferred_len(c);
	st_reply_set_deferred_map_len(c, h, 0);
	OUT_EQ(c, "%0\r\n");
}

/* Nested, the inner one filled in first (the usual order). */
static void
t_deferred_nested(void **state)
{
	struct st_client *c = tc;
	size_t outer, inner1, inner2;

	(void)state;
	c->resp = 2;
	outer = st_reply_deferred_len(c);
	inner1 = st_reply_deferred_len(c);
	st_reply_bulk_cstr(c, "a");
	st_reply_bulk_cstr(c, "b");
	st_reply_set_deferred_array_len(c, inner1, 2);
	inner2 = st_reply_deferred_len(c);
	st_reply_bulk_cstr(c, "k");
	st_reply_double(c, 2.5);
	st_reply_set_deferred_map_len(c, inner2, 1);
	st_reply_null(c);
	st_reply_set_deferred_array_len(c, outer, 3);
	OUT_EQ(c, "*3\r\n*2\r\n$1\r\na\r\n$1\r\nb\r\n*2\r\n$1\r\nk\r\n$3\r\n2.5\r\n$-1\r\n");

	c->resp = 3;
	outer = st_reply_deferred_len(c);
	inner1 = st_reply_deferred_len(c);
	st_reply_bulk_cstr(c, "a");
	st_reply_bulk_cstr(c, "b");
	st_reply_set_deferred_set_len(c, inner1, 2);
	inner2 = st_reply_deferred_len(c);
	st_reply_bulk_cstr(c, "k");
	st_reply_double(c, 2.5);
	st_reply_set_deferred_map_len(c, inner2, 1);
	st_reply_null(c);
	st_reply_set_deferred_array_len(c, outer, 3);
	OUT_EQ(c, "*3\r\n~2\r\n$1\r\na\r\n$1\r\nb\r\n%1\r\n$1\r\nk\r\n,2.5\r\n_\r\n");

	/* three levels deep */
	c->resp = 2;
	{
		size_t l1 = st_reply_deferred_len(c), l2, l3;

		st_reply_int(c, 1);
		l2 = st_reply_deferred_len(c);
		st_reply_int(c, 2);
		l3 = st_reply_deferred_len(c);
		st_reply_int(c, 3);
		st_reply_set_deferred_array_len(c, l3, 1);
		st_reply_set_deferred_array_len(c, l2, 2);
		st_reply_set_deferred_array_len(c, l1, 2);
		OUT_EQ(c, "*2\r\n:1\r\n*2\r\n:2\r\n*1\r\n:3\r\n");
	}
}

/*
 * Nested, the outer one filled in first.  Redis's setDeferred*Len works in
 * any order (the placeholder is its own reply node); a handler that learns
 * the outer count before an inner one must still produce a valid reply.
 */
static void
t_deferred_outer_first(void **state)
{
	struct st_client *c = tc;
	size_t outer, inner;

	(void)state;
	c->resp = 2;
	outer = st_reply_deferred_len(c);
	st_reply_bulk_cstr(c, "x");
	inner = st_reply_deferred_len(c);
	st_reply_int(c, 1);
	st_reply_int(c, 2);
	st_reply_set_deferred_array_len(c, outer, 2);
	st_reply_set_deferred_array_len(c, inner, 2);
	OUT_EQ(c, "*2\r\n$1\r\nx\r\n*2\r\n:1\r\n:2\r\n");

	/* reserved one right after the other (same offset), outer filled first */
	outer = st_reply_deferred_len(c);
	inner = st_reply_deferred_len(c);
	st_reply_int(c, 7);
	st_reply_set_deferred_array_len(c, outer, 1);
	st_reply_set_deferred_array_len(c, inner, 1);
	OUT_EQ(c, "*1\r\n*1\r\n:7\r\n");
}

/* Two sibling aggregates, the first filled in after the second was reserved. */
static void
t_deferred_siblings_late(void **state)
{
	struct st_client *c = tc;
	size_t outer, s1, s2;

	(void)state;
	c->resp = 2;
	outer = st_reply_deferred_len(c);
	s1 = st_reply_deferred_len(c);
	st_reply_int(c, 1);
	s2 = st_reply_deferred_len(c);
	st_reply_int(c, 2);
	st_reply_int(c, 3);
	st_reply_set_deferred_array_len(c, s1, 1);
	st_reply_set_deferred_array_len(c, s2, 2);
	st_reply_set_deferred_array_len(c, outer, 2);
	OUT_EQ(c, "*2\r\n*1\r\n:1\r\n*2\r\n:2\r\n:3\r\n");
}

int
main(void)
{
	const struct CMUnitTest wire[] = {
		cmocka_unit_test_setup_teardown(t_resp_status_int_hdr, wire_setup, wire_teardown),
		cmocka_unit_test_setup_teardown(t_resp_error, wire_setup, wire_teardown),
		cmocka_unit_test_setup_teardown(t_resp_bulk_and_command, wire_setup, wire_teardown),
	};
	const struct CMUnitTest replies[] = {
		cmocka_unit_test_setup_teardown(t_reply_simple, setup, teardown),
		cmocka_unit_test_setup_teardown(t_reply_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(t_reply_nulls, setup, teardown),
		cmocka_unit_test_setup_teardown(t_reply_aggregates, setup, teardown),
		cmocka_unit_test_setup_teardown(t_reply_double, setup, teardown),
		cmocka_unit_test_setup_teardown(t_reply_verbatim, setup, teardown),
		cmocka_unit_test_setup_teardown(t_deferred_flat, setup, teardown),
		cmocka_unit_test_setup_teardown(t_deferred_nested, setup, teardown),
		cmocka_unit_test_setup_teardown(t_deferred_outer_first, setup, teardown),
		cmocka_unit_test_setup_teardown(t_deferred_siblings_late, setup, teardown),
	};
	int fails;

	th_init();
	fails = cmocka_run_group_tests_name("resp_wire", wire, NULL, NULL);
	fails += cmocka_run_group_tests_name("resp_reply", replies, NULL, NULL);
	return fails;
}
