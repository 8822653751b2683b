/*
 * wlog.c -- the global write order (see wlog.h).
 *
 * Call chain: st_dispatch -> handler -> [st_propagate] ->
 * st_wlog_command_done -> st_wlog_emit -> sink.  Lazy expiry and eviction
 * call st_wlog_emit directly.  The sequence counter is one cache line shared
 * by all writers: its cost is one atomic add per write.
 */
#include "wlog.h"

#include <stdatomic.h>
#include <string.h>

#include "alloc.h"
#include "client.h"
#include "command.h"

static _Atomic uint64_t wlog_seq;
static _Atomic(st_wlog_sink_fn) wlog_sink;
static void *_Atomic wlog_sink_arg;

void
st_wlog_set_sink(st_wlog_sink_fn fn, void *arg)
{
	atomic_store(&wlog_sink_arg, arg);
	atomic_store(&wlog_sink, fn);
}

uint64_t
st_wlog_last_seq(void)
{
	return atomic_load(&wlog_seq);
}

uint64_t
st_wlog_emit(const struct st_wlog_rec *rec)
{
	struct st_wlog_rec r = *rec;
	st_wlog_sink_fn fn;

	r.seq = atomic_fetch_add_explicit(&wlog_seq, 1, memory_order_relaxed) + 1;
	fn = atomic_load_explicit(&wlog_sink, memory_order_acquire);
	if (fn != NULL)
		fn(&r, atomic_load_explicit(&wlog_sink_arg, memory_order_relaxed));
	return r.seq;
}

static void
prop_push(struct st_client *c, int db, int argc, const struct st_arg *argv)
{
	struct st_prop_cmd *pc;

	if (c->prop_len == c->prop_cap) {
		c->prop_cap = c->prop_cap ? c->prop_cap * 2 : 4;
		c->prop = st_realloc(c->prop, sizeof(*c->prop) * (size_t)c->prop_cap);
	}
	pc = &c->prop[c->prop_len++];
	pc->db = db;
	pc->argc = argc;
	pc->argv = st_malloc(sizeof(*pc->argv) * (size_t)(argc ? argc : 1));
	for (int i = 0; i < argc; i++) {
		pc->argv[i].p = st_strndup(argv[i].p, argv[i].len);
		pc->argv[i].len = argv[i].len;
	}
}

static void
prop_clear(struct st_client *c)
{
	for (int i = 0; i < c->prop_len; i++) {
		for (int j = 0; j < c->prop[i].argc; j++)
			st_free((void *)c->prop[i].argv[j].p);
		st_free(c->prop[i].argv);
	}
	c->prop_len = 0;
	c->prop_rewritten = false;
}

void
st_propagate(struct st_client *c, int argc, const struct st_arg *argv)
{
	prop_push(c, c->db, argc, argv);
	c->prop_rewritten = true;
}

void
st_propagatev(struct st_client *c, int argc, const char *const *argv,
	      const size_t *lens)
{
	struct st_arg a[argc > 0 ? argc : 1];

	for (int i = 0; i < argc; i++) {
		a[i].p = argv[i];
		a[i].len = lens[i];
	}
	st_propagate(c, argc, a);
}

void
st_wlog_flush_client(struct st_client *c)
{
	struct st_wlog_cmd *cmds;
	struct st_wlog_rec rec;

	if (c->prop_len == 0) {
		c->prop_rewritten = false;
		return;
	}
	cmds = st_malloc(sizeof(*cmds) * (size_t)c->prop_len);
	for (int i = 0; i < c->prop_len; i++) {
		cmds[i].db = c->prop[i].db;
		cmds[i].argc = c->prop[i].argc;
		cmds[i].argv = c->prop[i].argv;
	}
	rec.seq = 0;
	rec.ncmds = c->prop_len;
	rec.cmds = cmds;
	st_wlog_emit(&rec);
	st_free(cmds);
	prop_clear(c);
}

void
st_wlog_command_done(struct st_client *c)
{
	bool in_exec = (c->flags & ST_CLIENT_IN_EXEC) != 0;

	if (c->flags & ST_CLIENT_NO_PROPAGATE) {
		prop_clear(c);
		return;
	}
	if (c->dirty > 0 && !c->prop_rewritten) {
		if (!in_exec && c->prop_len == 0) {
			/* Common case: the command's own argv, no copy. */
			struct st_wlog_cmd cmd = { c->db, c->argc, c->argv };
			struct st_wlog_rec rec = { 0, 1, &cmd };

			st_wlog_emit(&rec);
			return;
		}
		prop_push(c, c->db, c->argc, c->argv);
	}
	c->prop_rewritten = false;
	if (!in_exec)
		st_wlog_flush_client(c);
}
