/*
 * test_fb_reply.c -- ferry-bench's RESP2 reply parser (tools/ferry-bench/
 * reply.c): every type, incomplete input at every cut point (nothing
 * consumed), arrays and their elements, protocol errors and limits.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "reply.h"

static enum fb_reply_status
parse(const char *s, struct fb_reply *r, size_t *used)
{
	return fb_reply_parse(s, strlen(s), r, used);
}

static void
test_types(void **state)
{
	struct fb_reply r;
	size_t used;

	(void)state;
	assert_int_equal(parse("+OK\r\n", &r, &used), FB_REPLY_OK);
	assert_int_equal(r.type, FB_REPLY_STATUS);
	assert_int_equal(used, 5);
	assert_int_equal(r.len, 2);
	assert_memory_equal(r.str, "OK", 2);
	assert_int_equal(parse("-NOAUTH Authentication required.\r\n", &r,
			       &used), FB_REPLY_OK);
	assert_int_equal(r.type, FB_REPLY_ERROR);
	assert_int_equal(r.len, 31);
	assert_int_equal(parse(":-42\r\n", &r, &used), FB_REPLY_OK);
	assert_int_equal(r.type, FB_REPLY_INT);
	assert_int_equal(r.integer, -42);
	assert_int_equal(parse(":9223372036854775807\r\n", &r, &used),
			 FB_REPLY_OK);
	assert_int_equal(r.integer, INT64_MAX);
	assert_int_equal(parse("$5\r\nhel\r\n\r\n", &r, &used), FB_REPLY_OK);
	assert_int_equal(r.type, FB_REPLY_BULK);
	assert_int_equal(r.len, 5);
	assert_memory_equal(r.str, "hel\r\n", 5);	/* binary safe */
	assert_int_equal(used, 11);
	assert_int_equal(parse("$0\r\n\r\n", &r, &used), FB_REPLY_OK);
	assert_int_equal(r.len, 0);
	assert_int_equal(parse("$-1\r\n", &r, &used), FB_REPLY_OK);
	assert_int_equal(r.type, FB_REPLY_NIL);
	assert_int_equal(parse("*-1\r\n", &r, &used), FB_REPLY_OK);
	assert_int_equal(r.type, FB_REPLY_NIL_ARRAY);
	assert_int_equal(parse("*0\r\n", &r, &used), FB_REPLY_OK);
	assert_int_equal(r.type, FB_REPLY_ARRAY);
	assert_int_equal(r.integer, 0);
}

static void
test_array_elements(void **state)
{
	const char *s = "*4\r\n$3\r\nabc\r\n$-1\r\n*2\r\n:1\r\n+x\r\n:7\r\n+NEXT\r\n";
	struct fb_reply r, e;
	size_t used, pos = 0;

	(void)state;
	assert_int_equal(parse(s, &r, &used), FB_REPLY_OK);
	assert_int_equal(r.type, FB_REPLY_ARRAY);
	assert_int_equal(r.integer, 4);
	assert_int_equal(used, strlen(s) - strlen("+NEXT\r\n"));
	assert_int_equal(fb_reply_next(&r, &pos, &e), FB_REPLY_OK);
	assert_int_equal(e.type, FB_REPLY_BULK);
	assert_memory_equal(e.str, "abc", 3);
	assert_int_equal(fb_reply_next(&r, &pos, &e), FB_REPLY_OK);
	assert_int_equal(e.type, FB_REPLY_NIL);
	assert_int_equal(fb_reply_next(&r, &pos, &e), FB_REPLY_OK);
	assert_int_equal(e.type, FB_REPLY_ARRAY);
	assert_int_equal(e.integer, 2);
	assert_int_equal(fb_reply_next(&r, &pos, &e), FB_REPLY_OK);
	assert_int_equal(e.type, FB_REPLY_INT);
	assert_int_equal(e.integer, 7);
	assert_int_equal(fb_reply_next(&r, &pos, &e), FB_REPLY_EUNFIN);
}

/* every proper prefix of a reply is incomplete, and consumes nothing */
static void
test_every_cut(void **state)
{
	static const char *const replies[] = {
		"+OK\r\n", ":12345\r\n", "$10\r\n0123456789\r\n", "$-1\r\n",
		"*3\r\n$1\r\na\r\n:2\r\n*1\r\n$2\r\nzz\r\n",
		"-ERR unknown command\r\n",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(replies) / sizeof(replies[0]); i++) {
		size_t len = strlen(replies[i]);
		char *copy = malloc(len);	/* exact size: ASan sees overreads */

		assert_non_null(copy);
		memcpy(copy, replies[i], len);
		for (size_t cut = 0; cut < len; cut++) {
			struct fb_reply r;
			size_t used = 99;

			assert_int_equal(fb_reply_parse(copy, cut, &r, &used),
					 FB_REPLY_EUNFIN);
			assert_int_equal(used, 0);
		}
		{
			struct fb_reply r;
			size_t used;

			assert_int_equal(fb_reply_parse(copy, len, &r, &used),
					 FB_REPLY_OK);
			assert_int_equal(used, len);
		}
		free(copy);
	}
}

static void
test_protocol_errors(void **state)
{
	static const char *const bad[] = {
		"?what\r\n",		/* unknown type */
		":12a\r\n", ":\r\n", ":-\r\n",
		":99999999999999999999\r\n",	/* overflow */
		"$-2\r\n", "$abc\r\n",
		"$3\r\nabcXY",		/* payload not followed by CRLF */
		"+OK\rX",		/* CR without LF */
		"*-5\r\n", "*2\r\n?\r\n:1\r\n",
		"$600000000\r\n",	/* over 512 MiB */
		"*2000000\r\n",		/* over 1M elements */
	};
	struct fb_reply r;
	size_t used;
	char deep[64] = "";

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(parse(bad[i], &r, &used), FB_REPLY_EPROTO);
	/* nesting beyond FB_REPLY_MAX_DEPTH */
	for (int i = 0; i <= FB_REPLY_MAX_DEPTH + 1; i++)
		strcat(deep, "*1\r\n");
	strcat(deep, ":1\r\n");
	assert_int_equal(parse(deep, &r, &used), FB_REPLY_EPROTO);
}

/* a status line with no CRLF within the limit is an error, not a wait */
static void
test_line_limit(void **state)
{
	size_t len = FB_REPLY_MAX_LINE + 16;
	char *s = malloc(len);
	struct fb_reply r;
	size_t used;

	(void)state;
	assert_non_null(s);
	s[0] = '+';
	memset(s + 1, 'x', len - 1);
	assert_int_equal(fb_reply_parse(s, len, &r, &used), FB_REPLY_EPROTO);
	assert_int_equal(fb_reply_parse(s, 1000, &r, &used), FB_REPLY_EUNFIN);
	free(s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_types),
		cmocka_unit_test(test_array_elements),
		cmocka_unit_test(test_every_cut),
		cmocka_unit_test(test_protocol_errors),
		cmocka_unit_test(test_line_limit),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
