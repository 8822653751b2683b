/*
 * harness.c -- see harness.h.
 */
#include "harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "buf.h"
#include "config.h"
#include "keyspace.h"
#include "object.h"
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

void
th_print_escaped(const char *what, const char *p, size_t len)
{
	print_error("%s (%zu bytes): \"", what, len);
	for (size_t i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)p[i];

		if (ch == '\r')
			print_error("\\r");
		else if (ch == '\n')
			print_error("\\n");
		else if (ch < 32 || ch >= 127)
			print_error("\\x%02x", ch);
		else
			print_error("%c", ch);
	}
	print_error("\"\n");
}

void
th_expect_at(const char *file, int line, struct st_client *c, const char *exp,
	     size_t explen, ...)
{
	const char *argv[64];
	size_t lens[64];
	int argc = 0;
	const char *s, *got;
	size_t gotlen;
	va_list ap;

	va_start(ap, explen);
	while ((s = va_arg(ap, const char *)) != NULL && argc < 64) {
		argv[argc] = s;
		lens[argc] = strlen(s);
		argc++;
	}
	va_end(ap);
	got = th_cmdv(c, argc, argv, lens);
	gotlen = th_last_len();
	if (gotlen != explen || memcmp(got, exp, explen) != 0) {
		print_error("%s:%d: command:", file, line);
		for (int i = 0; i < argc; i++)
			print_error(" '%s'", argv[i]);
		print_error("\n");
		th_print_escaped("got     ", got, gotlen);
		th_print_escaped("expected", exp, explen);
	}
	_assert_int_equal(gotlen, explen, file, line);
	_assert_memory_equal(got, exp, explen, file, line);
}

void
th_flush_store(void)
{
	struct st_client *c = th_client();

	for (unsigned s = 0; s < ST_STRIPES; s++)
		st_stripe_lock(s);
	for (int db = 0; db < ST_DBNUM; db++)
		st_db_flush(c, db);
	for (unsigned s = ST_STRIPES; s-- > 0;)
		st_stripe_unlock(s);
	st_client_free(c);
}

struct st_client *
th_client_next_db(void)
{
	static int next_db = 1;
	struct st_client *c = th_client();

	c->db = next_db++ % ST_DBNUM;
	return c;
}

struct st_client *
th_fresh_client(void)
{
	st_worker_quiescent();
	th_flushall();
	return th_client();
}

void
th_fresh_client_done(struct st_client *c)
{
	st_wlog_set_sink(NULL, NULL);
	st_client_free(c);
	th_flushall();
	st_worker_quiescent();
}

void
th_config_set(const char *name, const char *value)
{
	char err[128];

	th_init();
	assert_int_equal(st_config_set(name, value, err, sizeof(err)), 0);
}

const char *
th_enc_of(struct st_client *c, const char *key)
{
	struct st_entry *e = st_lookup_nostats(c, key, strlen(key));

	if (e == NULL)
		return "none";
	return st_encoding_name((enum st_encoding)st_entry_value(e)->enc);
}

bool
th_key_exists(struct st_client *c, const char *key)
{
	return st_lookup_nostats(c, key, strlen(key)) != NULL;
}

const char *
th_cmd_range(struct st_client *c, const char *cmd, const char *key, int from,
	     int to, const char *ffmt, const char *vfmt)
{
	int n = to - from, argc = 2 + n * (vfmt ? 2 : 1);
	const char **argv = calloc((size_t)argc, sizeof(*argv));
	size_t *lens = calloc((size_t)argc, sizeof(*lens));
	char *arena = calloc((size_t)argc, 32);
	const char *r;
	int a = 0;

	argv[a++] = cmd;
	argv[a++] = key;
	for (int i = from; i < to; i++) {
		char *p = arena + a * 32;

		snprintf(p, 32, ffmt, i);
		argv[a++] = p;
		if (vfmt) {
			p = arena + a * 32;
			snprintf(p, 32, vfmt, i);
			argv[a++] = p;
		}
	}
	for (int i = 0; i < argc; i++)
		lens[i] = strlen(argv[i]);
	r = th_cmdv(c, argc, argv, lens);
	free(argv);
	free(lens);
	free(arena);
	return r;
}

int
th_cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

char **
th_parse_bulks(const char *reply, long *count)
{
	const char *p = reply;
	long n;
	char **items;

	assert_true(*p == '*' || *p == '~');
	n = strtol(p + 1, (char **)&p, 10);
	p += 2;
	items = calloc((size_t)n + 1, sizeof(*items));
	for (long i = 0; i < n; i++) {
		long len;

		assert_int_equal(*p, '$');
		len = strtol(p + 1, (char **)&p, 10);
		p += 2;
		items[i] = strndup(p, (size_t)len);
		p += len + 2;
	}
	assert_int_equal(*p, '\0');
	*count = n;
	return items;
}

void
th_free_bulks(char **items, long n)
{
	for (long i = 0; i < n; i++)
		free(items[i]);
	free(items);
}

char *
th_sorted_bulks(const char *reply, long *count)
{
	char **items = th_parse_bulks(reply, count);
	size_t total = 1;
	char *out;

	for (long i = 0; i < *count; i++)
		total += strlen(items[i]) + 1;
	qsort(items, (size_t)*count, sizeof(*items), th_cmp_str);
	out = calloc(total, 1);
	for (long i = 0; i < *count; i++) {
		strcat(out, items[i]);
		if (i + 1 < *count)
			strcat(out, "\n");
	}
	th_free_bulks(items, *count);
	return out;
}

static char *wlog_text;
static size_t wlog_len;

static void
wlog_capture(const struct st_wlog_rec *rec, void *arg)
{
	(void)arg;
	for (int i = 0; i < rec->ncmds; i++) {
		for (int j = 0; j < rec->cmds[i].argc; j++) {
			const struct st_arg *a = &rec->cmds[i].argv[j];

			wlog_text = realloc(wlog_text, wlog_len + a->len + 2);
			if (j)
				wlog_text[wlog_len++] = ' ';
			memcpy(wlog_text + wlog_len, a->p, a->len);
			wlog_len += a->len;
		}
		wlog_text = realloc(wlog_text, wlog_len + 2);
		wlog_text[wlog_len++] = '\n';
		wlog_text[wlog_len] = '\0';
	}
}

void
th_wlog_start(void)
{
	free(wlog_text);
	wlog_text = calloc(1, 1);
	wlog_len = 0;
	st_wlog_set_sink(wlog_capture, NULL);
}

void
th_wlog_stop(void)
{
	st_wlog_set_sink(NULL, NULL);
}

void
th_wlog_reset(void)
{
	free(wlog_text);
	wlog_text = NULL;
	wlog_len = 0;
}

const char *
th_wlog_text(void)
{
	return wlog_text ? wlog_text : "";
}

void
th_wlog_sink(const struct st_wlog_rec *rec, void *arg)
{
	struct th_wlog *log = arg;

	for (int i = 0; i < rec->ncmds; i++) {
		if (log->nrec < 64)
			log->dbs[log->nrec] = rec->cmds[i].db;
		log->nrec++;
		for (int j = 0; j < rec->cmds[i].argc; j++) {
			const struct st_arg *a = &rec->cmds[i].argv[j];

			if (log->len + a->len + 2 >= sizeof(log->text))
				return;
			memcpy(log->text + log->len, a->p, a->len);
			log->len += a->len;
			log->text[log->len++] = j + 1 < rec->cmds[i].argc ? ' ' : ';';
		}
	}
	log->text[log->len] = '\0';
}

void
th_sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) != 0)
		;
}

struct th_cap th_cap = { .lock = PTHREAD_MUTEX_INITIALIZER };

void
th_cap_sink(const struct st_wlog_rec *rec, void *arg)
{
	struct th_cap_rec *r;
	size_t off = 0;

	(void)arg;
	pthread_mutex_lock(&th_cap.lock);
	if (th_cap.n < TH_CAP_MAX) {
		r = &th_cap.r[th_cap.n++];
		r->seq = rec->seq;
		r->ncmds = rec->ncmds;
		r->db = rec->ncmds > 0 ? rec->cmds[0].db : -1;
		r->text[0] = '\0';
		for (int i = 0; i < rec->ncmds; i++) {
			const struct st_wlog_cmd *cmd = &rec->cmds[i];

			if (i)
				off += (size_t)snprintf(r->text + off, sizeof(r->text) - off, " ; ");
			for (int j = 0; j < cmd->argc && off < sizeof(r->text); j++)
				off += (size_t)snprintf(r->text + off, sizeof(r->text) - off,
							"%s%.*s", j ? " " : "",
							(int)cmd->argv[j].len, cmd->argv[j].p);
			if (off >= sizeof(r->text))
				off = sizeof(r->text) - 1;
		}
	}
	pthread_mutex_unlock(&th_cap.lock);
}

void
th_cap_start(void)
{
	pthread_mutex_lock(&th_cap.lock);
	th_cap.n = 0;
	pthread_mutex_unlock(&th_cap.lock);
	st_wlog_set_sink(th_cap_sink, NULL);
}
