/*
 * workload.c -- phases, request composition and reply verification (see
 * workload.h).
 *
 * Call chains: main -> fb_workload_build;  conn.c (pump) ->
 *   fb_workload_compose -> fb_key_next / fb_key_format / fb_value_fill;
 *   conn.c (a reply) -> fb_workload_verify -> fb_value_check.
 */
#include "workload.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

const char *const fb_err_names[FB_ERR__COUNT] = {
	[FB_ERR_NONE] = "none",
	[FB_ERR_REPLY] = "error_reply",
	[FB_ERR_TYPE] = "wrong_type",
	[FB_ERR_VALUE] = "wrong_value",
	[FB_ERR_MISSING] = "missing_value",
	[FB_ERR_PROTOCOL] = "protocol",
	[FB_ERR_LOST] = "lost",
	[FB_ERR_TIMEOUT] = "timeout",
	[FB_ERR_CONNECT] = "connect",
	[FB_ERR_AUTH] = "auth",
};

/* ---- buffers ---- */

int
fb_buf_reserve(struct fb_buf *b, size_t extra)
{
	size_t cap;
	char *p;

	if (b->len + extra <= b->cap)
		return 0;
	cap = b->cap ? b->cap : 256;
	while (cap < b->len + extra)
		cap *= 2;
	p = realloc(b->p, cap);
	if (p == NULL)
		return -ENOMEM;
	b->p = p;
	b->cap = cap;
	return 0;
}

int
fb_buf_append(struct fb_buf *b, const void *data, size_t len)
{
	if (fb_buf_reserve(b, len) < 0)
		return -ENOMEM;
	memcpy(b->p + b->len, data, len);
	b->len += len;
	return 0;
}

void
fb_buf_compact(struct fb_buf *b)
{
	if (b->off == 0)
		return;
	if (b->off < b->len)
		memmove(b->p, b->p + b->off, b->len - b->off);
	b->len -= b->off;
	b->off = 0;
}

void
fb_buf_free(struct fb_buf *b)
{
	free(b->p);
	memset(b, 0, sizeof(*b));
}

/* ---- RESP writing (the caller reserved room) ---- */

static char *
put_num(char *d, char type, uint64_t n)
{
	char tmp[24];
	int i = 0;

	*d++ = type;
	do {
		tmp[i++] = (char)('0' + n % 10);
		n /= 10;
	} while (n);
	while (i)
		*d++ = tmp[--i];
	*d++ = '\r';
	*d++ = '\n';
	return d;
}

static char *
put_bulk(char *d, const void *s, size_t len)
{
	d = put_num(d, '$', len);
	memcpy(d, s, len);
	d += len;
	*d++ = '\r';
	*d++ = '\n';
	return d;
}

#define HDR_ROOM 32	/* "$" + digits + CRLF, and CRLF after the payload */

/* ---- building ---- */

static int
fail(char *err, size_t errlen, int rc, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return rc;
}

static unsigned
count_sub(const char *s, size_t len, const char *needle)
{
	size_t nl = strlen(needle);
	unsigned n = 0;

	for (size_t i = 0; i + nl <= len; i++)
		if (memcmp(s + i, needle, nl) == 0) {
			n++;
			i += nl - 1;
		}
	return n;
}

static int
split_template(struct fb_workload *w, const char *cmd, char *err,
	       size_t errlen)
{
	char *p, *save = NULL, *tok;
	int cap = 8;

	w->tmpl_copy = strdup(cmd);
	w->tmpl = calloc((size_t)cap, sizeof(*w->tmpl));
	if (w->tmpl_copy == NULL || w->tmpl == NULL)
		return -ENOMEM;
	for (p = w->tmpl_copy; (tok = strtok_r(p, " \t", &save)); p = NULL) {
		struct fb_tmpl_arg *a;

		if (w->tmpl_argc == cap) {
			struct fb_tmpl_arg *n = realloc(w->tmpl,
				(size_t)cap * 2 * sizeof(*n));

			if (n == NULL)
				return -ENOMEM;
			w->tmpl = n;
			cap *= 2;
		}
		a = &w->tmpl[w->tmpl_argc++];
		a->text = tok;
		a->len = strlen(tok);
		a->nkey = count_sub(tok, a->len, "__key__");
		a->ndata = count_sub(tok, a->len, "__data__");
		if (a->nkey)
			w->tmpl_has_key = true;
	}
	if (w->tmpl_argc == 0)
		return fail(err, errlen, -EINVAL, "--command is empty");
	return 0;
}

int
fb_workload_build(struct fb_workload *w, const struct fb_options *o,
		  char *err, size_t errlen)
{
	int rc;

	memset(w, 0, sizeof(*w));
	rc = fb_keygen_init(&w->kg, o);
	if (rc < 0)
		return fail(err, errlen, rc, "key generator: %s",
			    strerror(-rc));
	w->preloaded = o->preload;
	w->ratio_set = o->ratio_set;
	w->ratio_get = o->ratio_get;
	w->mget_keys = o->mget_keys;
	w->password = o->password;
	if (o->preload)
		w->phases[w->nphases++] = (struct fb_phase){
			FB_TEST_PRELOAD, w->kg.keyspace, 0};
	if (o->command) {
		rc = split_template(w, o->command, err, errlen);
		if (rc < 0)
			return rc == -ENOMEM ?
				fail(err, errlen, rc, "out of memory") : rc;
		w->phases[w->nphases++] = (struct fb_phase){
			FB_TEST_CUSTOM, 0, 0};
	} else if (o->ratio_set + o->ratio_get) {
		w->phases[w->nphases++] = (struct fb_phase){FB_TEST_MIX, 0, 0};
	} else {
		for (unsigned i = 0; i < o->ntests; i++)
			w->phases[w->nphases++] = (struct fb_phase){
				o->tests[i], 0, 0};
	}
	for (unsigned i = o->preload ? 1 : 0; i < w->nphases; i++) {
		if (o->duration_s > 0)
			w->phases[i].duration_s = o->duration_s;
		else
			w->phases[i].requests = o->requests;
	}
	return 0;
}

void
fb_workload_fini(struct fb_workload *w)
{
	fb_keygen_fini(&w->kg);
	free(w->tmpl);
	free(w->tmpl_copy);
	w->tmpl = NULL;
	w->tmpl_copy = NULL;
}

const char *
fb_phase_name(const struct fb_workload *w, unsigned phase)
{
	if (phase >= w->nphases)
		return "?";
	return fb_test_names[w->phases[phase].test];
}

/* ---- composing ---- */

static int
compose_set(const struct fb_workload *w, uint64_t k, struct fb_buf *out)
{
	const struct fb_keygen *kg = &w->kg;
	uint32_t vlen = fb_value_len(kg, k);
	char key[256], *d;
	size_t klen = fb_key_format(kg, "", k, key);

	if (fb_buf_reserve(out, 16 + HDR_ROOM * 3 + klen + vlen) < 0)
		return -ENOMEM;
	d = out->p + out->len;
	memcpy(d, "*3\r\n$3\r\nSET\r\n", 13);
	d = put_bulk(d + 13, key, klen);
	d = put_num(d, '$', vlen);
	fb_value_fill(kg, k, d, vlen);
	d += vlen;
	*d++ = '\r';
	*d++ = '\n';
	out->len = (size_t)(d - out->p);
	return 0;
}

static int
compose_key_cmd(const struct fb_workload *w, const char *cmd,
		const char *infix, uint64_t k, struct fb_buf *out)
{
	char key[256], *d;
	size_t klen = fb_key_format(&w->kg, infix, k, key);
	size_t cl = strlen(cmd);

	if (fb_buf_reserve(out, 8 + HDR_ROOM * 2 + cl + klen) < 0)
		return -ENOMEM;
	d = out->p + out->len;
	memcpy(d, "*2\r\n", 4);
	d = put_bulk(d + 4, cmd, cl);
	d = put_bulk(d, key, klen);
	out->len = (size_t)(d - out->p);
	return 0;
}

static int
compose_mget(const struct fb_workload *w, uint64_t k, struct fb_buf *out)
{
	char key[256], *d;
	size_t klen = fb_key_format(&w->kg, "", 0, key);

	if (fb_buf_reserve(out, HDR_ROOM * 2 + 4 +
			   (size_t)w->mget_keys * (klen + HDR_ROOM)) < 0)
		return -ENOMEM;
	d = put_num(out->p + out->len, '*', (uint64_t)w->mget_keys + 1);
	d = put_bulk(d, "MGET", 4);
	for (unsigned i = 0; i < w->mget_keys; i++) {
		klen = fb_key_format(&w->kg, "", (k + i) % w->kg.keyspace, key);
		d = put_bulk(d, key, klen);
	}
	out->len = (size_t)(d - out->p);
	return 0;
}

/* One template argument with its placeholders replaced. */
static char *
put_tmpl_arg(const struct fb_workload *w, const struct fb_tmpl_arg *a,
	     const char *key, size_t klen, uint64_t k, uint32_t vlen, char *d)
{
	size_t len = a->len - a->nkey * 7 - a->ndata * 8 +
		     a->nkey * klen + (size_t)a->ndata * vlen;
	const char *s = a->text, *end = a->text + a->len;

	d = put_num(d, '$', len);
	while (s < end) {
		if (end - s >= 7 && memcmp(s, "__key__", 7) == 0) {
			memcpy(d, key, klen);
			d += klen;
			s += 7;
		} else if (end - s >= 8 && memcmp(s, "__data__", 8) == 0) {
			fb_value_fill(&w->kg, k, d, vlen);
			d += vlen;
			s += 8;
		} else {
			*d++ = *s++;
		}
	}
	*d++ = '\r';
	*d++ = '\n';
	return d;
}

static int
compose_custom(const struct fb_workload *w, uint64_t k, struct fb_buf *out)
{
	char key[256], *d;
	size_t klen = fb_key_format(&w->kg, "", k, key);
	uint32_t vlen = fb_value_len(&w->kg, k);
	size_t need = HDR_ROOM;

	for (int i = 0; i < w->tmpl_argc; i++)
		need += HDR_ROOM + w->tmpl[i].len +
			w->tmpl[i].nkey * klen +
			(size_t)w->tmpl[i].ndata * vlen;
	if (fb_buf_reserve(out, need) < 0)
		return -ENOMEM;
	d = put_num(out->p + out->len, '*', (uint64_t)w->tmpl_argc);
	for (int i = 0; i < w->tmpl_argc; i++)
		d = put_tmpl_arg(w, &w->tmpl[i], key, klen, k, vlen, d);
	out->len = (size_t)(d - out->p);
	return 0;
}

int
fb_workload_compose(const struct fb_workload *w, unsigned phase,
		    uint64_t preload_key, uint64_t *rng, struct fb_buf *out,
		    struct fb_req *req)
{
	enum fb_test t = w->phases[phase].test;
	uint64_t k = 0;

	if (t == FB_TEST_MIX)
		t = fb_rand(rng) % ((uint64_t)w->ratio_set + w->ratio_get) <
			w->ratio_set ? FB_TEST_SET : FB_TEST_GET;
	if (t == FB_TEST_PRELOAD)
		k = preload_key;
	else if (t != FB_TEST_PING)
		k = fb_key_next(&w->kg, rng);
	req->key = k;
	switch (t) {
	case FB_TEST_PING:
		req->kind = FB_REQ_PING;
		return fb_buf_append(out, "*1\r\n$4\r\nPING\r\n", 14);
	case FB_TEST_SET:
	case FB_TEST_PRELOAD:
		req->kind = FB_REQ_SET;
		return compose_set(w, k, out);
	case FB_TEST_GET:
		req->kind = FB_REQ_GET;
		return compose_key_cmd(w, "GET", "", k, out);
	case FB_TEST_INCR:
		req->kind = FB_REQ_INCR;
		return compose_key_cmd(w, "INCR", "counter:", k, out);
	case FB_TEST_MGET:
		req->kind = FB_REQ_MGET;
		return compose_mget(w, k, out);
	case FB_TEST_CUSTOM:
		req->kind = FB_REQ_CUSTOM;
		return compose_custom(w, k, out);
	case FB_TEST_MIX:
	case FB_TEST__COUNT:
		break;
	}
	return -EINVAL;
}

int
fb_workload_compose_auth(const struct fb_workload *w, struct fb_buf *out,
			 struct fb_req *req)
{
	size_t pl = strlen(w->password);
	char *d;

	req->kind = FB_REQ_AUTH;
	req->key = 0;
	if (fb_buf_reserve(out, 16 + HDR_ROOM * 2 + pl) < 0)
		return -ENOMEM;
	d = out->p + out->len;
	memcpy(d, "*2\r\n$4\r\nAUTH\r\n", 14);
	d = put_bulk(d + 14, w->password, pl);
	out->len = (size_t)(d - out->p);
	return 0;
}

/* ---- verifying ---- */

static enum fb_err
verify_value(const struct fb_workload *w, uint64_t k, const struct fb_reply *r)
{
	if (r->type == FB_REPLY_NIL)
		return w->preloaded ? FB_ERR_MISSING : FB_ERR_NONE;
	if (r->type != FB_REPLY_BULK)
		return FB_ERR_TYPE;
	return fb_value_check(&w->kg, k, r->str, r->len) ? FB_ERR_NONE :
		FB_ERR_VALUE;
}

static enum fb_err
verify_status(const struct fb_reply *r, const char *want)
{
	size_t wl = strlen(want);

	if (r->type != FB_REPLY_STATUS)
		return FB_ERR_TYPE;
	return r->len == wl && memcmp(r->str, want, wl) == 0 ? FB_ERR_NONE :
		FB_ERR_VALUE;
}

enum fb_err
fb_workload_verify(const struct fb_workload *w, const struct fb_req *req,
		   const struct fb_reply *r)
{
	if (r->type == FB_REPLY_ERROR)
		return req->kind == FB_REQ_AUTH ? FB_ERR_AUTH : FB_ERR_REPLY;
	switch ((enum fb_req_kind)req->kind) {
	case FB_REQ_AUTH:
		return verify_status(r, "OK") == FB_ERR_NONE ? FB_ERR_NONE :
			FB_ERR_AUTH;
	case FB_REQ_SET:
		return verify_status(r, "OK");
	case FB_REQ_PING:
		return verify_status(r, "PONG");
	case FB_REQ_GET:
		return verify_value(w, req->key, r);
	case FB_REQ_INCR:
		if (r->type != FB_REPLY_INT)
			return FB_ERR_TYPE;
		return r->integer > 0 ? FB_ERR_NONE : FB_ERR_VALUE;
	case FB_REQ_MGET: {
		struct fb_reply e;
		size_t pos = 0;

		if (r->type != FB_REPLY_ARRAY)
			return FB_ERR_TYPE;
		if (r->integer != (long long)w->mget_keys)
			return FB_ERR_VALUE;
		for (unsigned i = 0; i < w->mget_keys; i++) {
			enum fb_err e2;

			if (fb_reply_next(r, &pos, &e) != FB_REPLY_OK)
				return FB_ERR_PROTOCOL;
			e2 = verify_value(w, (req->key + i) % w->kg.keyspace,
					  &e);
			if (e2 != FB_ERR_NONE)
				return e2;
		}
		return FB_ERR_NONE;
	}
	case FB_REQ_CUSTOM:
		return FB_ERR_NONE;
	case FB_REQ__COUNT:
		break;
	}
	return FB_ERR_PROTOCOL;
}
