/*
 * fuzz_common.c -- one fuzz input: bytes -> client -> replies, with checks.
 */
#include "fuzz_common.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client.h"
#include "config.h"
#include "resp_parse.h"
#include "worker.h"

static struct st_worker *worker;
static unsigned long runs;

/* Skip one RESP2/RESP3 reply starting at p; returns its end or NULL. */
static const char *
skip_reply(const char *p, const char *end, int depth)
{
	const char *nl;
	long long n;

	if (p >= end || depth > 64)
		return NULL;
	nl = memchr(p, '\n', (size_t)(end - p));
	if (nl == NULL || nl == p || nl[-1] != '\r')
		return NULL;
	switch (*p) {
	case '+': case '-': case ':': case '_': case ',': case '#': case '(':
		return nl + 1;
	case '$': case '=': case '!':
		n = strtoll(p + 1, NULL, 10);
		if (n < 0)
			return nl + 1;
		if (end - (nl + 1) < n + 2)
			return NULL;
		if (nl[1 + n] != '\r' || nl[2 + n] != '\n')
			return NULL;
		return nl + 1 + n + 2;
	case '*': case '~': case '>': case '%': case '|':
		n = strtoll(p + 1, NULL, 10);
		if (*p == '%' || *p == '|')
			n *= 2;
		p = nl + 1;
		for (long long i = 0; i < n; i++) {
			p = skip_reply(p, end, depth + 1);
			if (p == NULL)
				return NULL;
		}
		return p;
	}
	return NULL;
}

static void
check_replies(const char *p, size_t len)
{
	const char *end;

	if (len == 0)
		return;
	end = p + len;
	while (p < end) {
		p = skip_reply(p, end, 0);
		if (p == NULL) {
			fprintf(stderr, "fuzz: malformed reply stream\n");
			abort();
		}
	}
}

/* st_resp_peek (the batch prefetch's look-ahead; it only runs on large
 * databases, so the client path above rarely reaches it) on the input
 * from each of its first 256 offsets: it reads inside the buffer (ASan),
 * never sizes a request longer than what it was given, and a key it
 * reports lies inside the request it sized. */
static void
peek_check(const char *p, size_t size)
{
	for (size_t off = 0; off < size && off < 256; off++) {
		const char *key;
		size_t klen, n = st_resp_peek(p + off, size - off, &key, &klen);

		if (n > size - off)
			abort();
		if (n > 0 && key != NULL &&
		    (key < p + off || klen > n || key + klen > p + off + n))
			abort();
	}
}

void
fuzz_resp_one(const uint8_t *data, size_t size)
{
	struct st_client *c;
	size_t frag, off = 0;

	if (worker == NULL) {
		if (st_store_init() != 0)
			abort();
		worker = st_thread_register();
	}
	peek_check((const char *)data, size);
	st_config_defaults();
	/* keep single inputs from asking for gigabytes */
	st_cfg.proto_max_bulk_len = 1 << 20;
	st_cfg.client_query_buffer_limit = 1 << 24;
	frag = size ? (size_t)(data[0] % 64) + 1 : 1;
	c = st_client_new(worker);
	while (off < size && !(c->flags & ST_CLIENT_CLOSE_AFTER_REPLY)) {
		size_t n = size - off < frag ? size - off : frag;

		st_client_feed(c, data + off, n);
		off += n;
		st_client_process(c);
		check_replies(c->out.p, c->out.len);
		st_buf_reset(&c->out);
	}
	st_client_free(c);
	if (++runs % 256 == 0) {
		c = st_client_new(worker);
		st_client_feed(c, "FLUSHALL\r\n", 10);
		st_client_process(c);
		st_client_free(c);
	}
	st_worker_quiescent();
}
