/*
 * harness.c -- see harness.h.
 */
#include "harness.h"

#include <stdio.h>
#include <stdlib.h>

#include "buf.h"
#include "resp_compose.h"

static _Thread_local struct st_buf th_out;
static _Thread_local struct st_worker *th_worker;
static int th_store_ready;

struct st_worker *
th_init(void)
{
	if (!th_store_ready) {
		if (st_store_init() != 0) {
			fprintf(stderr, "st_store_init failed\n");
			abort();
		}
		th_store_ready = 1;
	}
	if (th_worker == NULL)
		th_worker = st_thread_register();
	return th_worker;
}

struct st_client *
th_client(void)
{
	return st_client_new(th_init());
}

static const char *
collect(struct st_client *c)
{
	st_buf_reset(&th_out);
	st_buf_append(&th_out, c->out.p, c->out.len);
	st_buf_putc(&th_out, '\0');
	th_out.len--;
	st_buf_reset(&c->out);
	return th_out.p;
}

const char *
th_raw(struct st_client *c, const char *bytes, size_t len)
{
	st_client_feed(c, bytes, len);
	st_client_process(c);
	return collect(c);
}

const char *
th_cmdv(struct st_client *c, int argc, const char *const *argv,
	const size_t *lens)
{
	struct st_buf req;

	st_buf_init(&req);
	st_resp_command(&req, argc, argv, lens);
	st_client_feed(c, req.p, req.len);
	st_buf_free(&req);
	st_client_process(c);
	return collect(c);
}

const char *
th_cmd(struct st_client *c, ...)
{
	const char *argv[64];
	size_t lens[64];
	int argc = 0;
	va_list ap;
	const char *s;

	va_start(ap, c);
	while ((s = va_arg(ap, const char *)) != NULL && argc < 64) {
		argv[argc] = s;
		lens[argc] = strlen(s);
		argc++;
	}
	va_end(ap);
	return th_cmdv(c, argc, argv, lens);
}

size_t
th_last_len(void)
{
	return th_out.len;
}

void
th_thread_done(void)
{
	st_buf_free(&th_out);
	if (th_worker != NULL) {
		st_thread_unregister(th_worker);
		th_worker = NULL;
	}
}

void
th_flushall(void)
{
	struct st_client *c = th_client();

	th_cmd(c, "FLUSHALL", NULL);
	st_client_free(c);
}
