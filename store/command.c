/*
 * command.c -- the command registry and the dispatcher.
 *
 * Call chain: st_client_process -> st_dispatch -> (checks) -> call_command ->
 * lock stripes -> [snapshot capture of the keys] -> handler ->
 * st_wlog_command_done -> unlock.
 *
 * The family tables (st_cmds_*) are the only place a command is declared;
 * st_cmd_init() indexes them in a hash table by lower-case name.
 */
#include "command.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "alloc.h"
#include "client.h"
#include "config.h"
#include "role.h"
#include "evict.h"
#include "keyspace.h"
#include "resp_compose.h"
#include "snapshot.h"
#include "util.h"
#include "wlog.h"
#include "worker.h"

#define LOOKUP_SIZE 1024	/* power of two, > 2x the command count */
#define NAME_MAX_LEN 64

static const struct st_cmd *const families[] = {
	st_cmds_string, st_cmds_keys, st_cmds_list, st_cmds_hash,
	st_cmds_set, st_cmds_zset, st_cmds_server, st_cmds_multi,
};

#define EXTRA_FAMILIES_MAX 8
static const struct st_cmd *extra_families[EXTRA_FAMILIES_MAX];
static int nextra;

static const struct st_cmd *lookup_table[LOOKUP_SIZE];
static const struct st_cmd **all_cmds;
static size_t ncmds;

static uint64_t
name_hash(const char *s, size_t len)
{
	uint64_t h = 1469598103934665603ULL;

	for (size_t i = 0; i < len; i++) {
		h ^= (unsigned char)s[i];
		h *= 1099511628211ULL;
	}
	return h;
}

static int
cmp_cmd(const void *a, const void *b)
{
	return strcmp((*(const struct st_cmd *const *)a)->name,
		      (*(const struct st_cmd *const *)b)->name);
}

int
st_cmd_register_family(const struct st_cmd *tbl)
{
	for (int i = 0; i < nextra; i++)
		if (extra_families[i] == tbl)
			return -EEXIST;
	if (nextra == EXTRA_FAMILIES_MAX)
		return -ENOSPC;
	extra_families[nextra++] = tbl;
	return 0;
}

static const struct st_cmd *
family_at(size_t f)
{
	size_t nbuiltin = sizeof(families) / sizeof(families[0]);

	return f < nbuiltin ? families[f] : extra_families[f - nbuiltin];
}

void
st_cmd_init(void)
{
	size_t n = 0, cap = 0;
	size_t nfam = sizeof(families) / sizeof(families[0]) + (size_t)nextra;

	if (all_cmds != NULL)
		return;
	for (size_t f = 0; f < nfam; f++)
		for (const struct st_cmd *c = family_at(f); c->name; c++)
			cap++;
	all_cmds = calloc(cap ? cap : 1, sizeof(*all_cmds));
	for (size_t f = 0; f < nfam; f++) {
		for (const struct st_cmd *c = family_at(f); c->name; c++) {
			uint64_t h = name_hash(c->name, strlen(c->name));
			size_t i = h & (LOOKUP_SIZE - 1);

			while (lookup_table[i] != NULL) {
				if (strcmp(lookup_table[i]->name, c->name) == 0) {
					fprintf(stderr, "ferry: command '%s' declared twice\n",
						c->name);
					abort();
				}
				i = (i + 1) & (LOOKUP_SIZE - 1);
			}
			lookup_table[i] = c;
			all_cmds[n++] = c;
		}
	}
	ncmds = n;
	qsort(all_cmds, ncmds, sizeof(*all_cmds), cmp_cmd);
}

const struct st_cmd *
st_cmd_lookup(const char *name, size_t len)
{
	char low[NAME_MAX_LEN];
	size_t i;

	if (len == 0 || len >= NAME_MAX_LEN)
		return NULL;
	for (size_t k = 0; k < len; k++)
		low[k] = (char)tolower((unsigned char)name[k]);
	i = name_hash(low, len) & (LOOKUP_SIZE - 1);
	while (lookup_table[i] != NULL) {
		const struct st_cmd *c = lookup_table[i];

		if (strncmp(c->name, low, len) == 0 && c->name[len] == '\0')
			return c;
		i = (i + 1) & (LOOKUP_SIZE - 1);
	}
	return NULL;
}

const struct st_cmd *
st_cmd_lookup_sub(const struct st_cmd *parent, const char *name, size_t len)
{
	size_t plen = strlen(parent->name);

	if (parent->subcmds == NULL)
		return NULL;
	for (const struct st_cmd *s = parent->subcmds; s->name; s++) {
		/* subcommand names are "parent|sub" */
		const char *sub = s->name + plen + 1;

		if (strlen(sub) == len && strncasecmp(sub, name, len) == 0)
			return s;
	}
	return NULL;
}

size_t
st_cmd_count(void)
{
	return ncmds;
}

const struct st_cmd *
st_cmd_at(size_t i)
{
	return i < ncmds ? all_cmds[i] : NULL;
}

int
st_cmd_keys(const struct st_cmd *cmd, int argc, struct st_arg *argv,
	    int *keys, int max)
{
	int n = 0, last;

	if (cmd->getkeys)
		return cmd->getkeys(argc, argv, keys, max);
	if (cmd->first_key <= 0)
		return 0;
	last = cmd->last_key;
	if (last < 0)
		last = argc + last;
	for (int i = cmd->first_key; i <= last && i < argc && n < max;
	     i += cmd->step ? cmd->step : 1)
		keys[n++] = i;
	return n;
}

void
st_reply_arity_error(struct st_client *c, const struct st_cmd *cmd)
{
	st_reply_errorf(c, "wrong number of arguments for '%s' command",
			cmd->name);
}

/* ---- stripe sets ---------------------------------------------------------- */

struct stripe_set {
	unsigned *s;
	int n, cap;
	unsigned inline_s[16];
	bool all;
};

static void
sset_init(struct stripe_set *ss)
{
	ss->s = ss->inline_s;
	ss->n = 0;
	ss->cap = 16;
	ss->all = false;
}

static void
sset_add(struct stripe_set *ss, unsigned s)
{
	if (ss->n == ss->cap) {
		unsigned *ns = st_malloc(sizeof(*ns) * (size_t)ss->cap * 2);

		memcpy(ns, ss->s, sizeof(*ns) * (size_t)ss->n);
		if (ss->s != ss->inline_s)
			st_free(ss->s);
		ss->s = ns;
		ss->cap *= 2;
	}
	ss->s[ss->n++] = s;
}

static void
sset_free(struct stripe_set *ss)
{
	if (ss->s != ss->inline_s)
		st_free(ss->s);
}

static int
cmp_uint(const void *a, const void *b)
{
	unsigned x = *(const unsigned *)a, y = *(const unsigned *)b;

	return (x > y) - (x < y);
}

static void
sset_sort_unique(struct stripe_set *ss)
{
	int j = 0;

	if (ss->n < 2)
		return;
	qsort(ss->s, (size_t)ss->n, sizeof(unsigned), cmp_uint);
	for (int i = 1; i < ss->n; i++)
		if (ss->s[i] != ss->s[j])
			ss->s[++j] = ss->s[i];
	ss->n = j + 1;
}

static void
collect_stripes(const struct st_cmd *cmd, int argc, struct st_arg *argv,
		       struct stripe_set *ss)
{
	int kbuf[64], *keys = kbuf, n;

	if (cmd->flags & ST_CMD_ALLKEYS) {
		ss->all = true;
		return;
	}
	if (cmd->flags & ST_CMD_NOKEYLOCK)
		return;

	if (argc > 64)
		keys = st_malloc(sizeof(int) * (size_t)argc);
	n = st_cmd_keys(cmd, argc, argv, keys, argc > 64 ? argc : 64);
	for (int i = 0; i < n; i++)
		sset_add(ss, st_stripe_of(st_key_hash(argv[keys[i]].p,
						     argv[keys[i]].len)));
	if (keys != kbuf)
		st_free(keys);
}

static void
sset_lock(struct stripe_set *ss)
{
	if (ss->all) {
		for (unsigned s = 0; s < ST_STRIPES; s++)
			st_stripe_lock(s);
		return;
	}
	sset_sort_unique(ss);
	for (int i = 0; i < ss->n; i++)
		st_stripe_lock(ss->s[i]);
}

static void
sset_unlock(struct stripe_set *ss)
{
	if (ss->all) {
		for (unsigned s = ST_STRIPES; s-- > 0;)
			st_stripe_unlock(s);
		return;
	}
	for (int i = ss->n; i-- > 0;)
		st_stripe_unlock(ss->s[i]);
}

/* ---- execution ------------------------------------------------------------ */

/*
 * Point-in-time snapshot hook (snapshot.h): before a write command's
 * handler runs, with its stripes held, capture every key it names in c's
 * database that an active snapshot has not got yet (the handler may change
 * it in place).  keyspace.c hooks its own change paths as well.
 */
static void
preserve_command_keys(struct st_client *c, const struct st_cmd *cmd)
{
	int kbuf[64], *keys = kbuf, n;

	if (cmd->flags & ST_CMD_NOKEYLOCK)
		return;		/* holds no stripe: changes no key */
	if (c->argc > 64)
		keys = st_malloc(sizeof(int) * (size_t)c->argc);
	n = st_cmd_keys(cmd, c->argc, c->argv, keys, c->argc > 64 ? c->argc : 64);
	for (int i = 0; i < n; i++)
		st_db_preserve_key(c, c->argv[keys[i]].p, c->argv[keys[i]].len);
	if (keys != kbuf)
		st_free(keys);
}

/*
 * Run the handler with the locks already held by the caller (EXEC), and
 * account its propagation.
 */
static void
call_locked(struct st_client *c, const struct st_cmd *cmd)
{
	if ((cmd->flags & ST_CMD_WRITE) && st_snapshot_active())
		preserve_command_keys(c, cmd);
	c->cmd = cmd;
	c->dirty = 0;
	c->last_cmd = cmd->name;
	c->ndfr = 0;
	cmd->proc(c);
	if ((cmd->flags & ST_CMD_WRITE) || c->prop_len)
		st_wlog_command_done(c);
	ST_STAT_INC(c->w, commands);
}

#define LOCKFREE_MAX_TRIES 64

static void
call_lockfree(struct st_client *c, const struct st_cmd *cmd,
	      struct stripe_set *ss)
{
	uint64_t begin_inline[16], *begin = begin_inline;
	size_t saved = c->out.len;
	int tries = 0;

	if (ss->n > 16)
		begin = st_malloc(sizeof(uint64_t) * (size_t)ss->n);
	for (;;) {
		bool retry = false;

		for (int i = 0; i < ss->n; i++)
			begin[i] = st_stripe_read_begin(ss->s[i]);
		c->flags |= ST_CLIENT_LOCKFREE_READ;
		c->cmd = cmd;
		c->dirty = 0;
		c->ndfr = 0;
		cmd->proc(c);
		c->flags &= ~ST_CLIENT_LOCKFREE_READ;
		for (int i = 0; i < ss->n && !retry; i++)
			retry = st_stripe_read_retry(ss->s[i], begin[i]);
		if (!retry)
			break;
		ST_STAT_INC(c->w, lockfree_retries);
		c->out.len = saved;
		if (++tries == LOCKFREE_MAX_TRIES) {
			/* Hot stripe under constant writes: take the locks. */
			sset_sort_unique(ss);
			sset_lock(ss);
			cmd->proc(c);
			sset_unlock(ss);
			break;
		}
	}
	if (begin != begin_inline)
		st_free(begin);
	c->last_cmd = cmd->name;
	ST_STAT_INC(c->w, commands);
}

static void
call_command(struct st_client *c, const struct st_cmd *cmd)
{
	struct stripe_set ss;

	sset_init(&ss);
	if (cmd->getkeys == NULL && cmd->first_key == 1 && cmd->last_key == 1 &&
	    c->argc > 1 && !(cmd->flags & (ST_CMD_ALLKEYS | ST_CMD_NOKEYLOCK))) {
		/* the common single-key command: hash the key once, for its
		 * stripe here and for the lookup in keyspace.c */
		c->hc_key = c->argv[1].p;
		c->hc_len = c->argv[1].len;
		c->hc_hash = st_key_hash(c->hc_key, c->hc_len);
		sset_add(&ss, st_stripe_of(c->hc_hash));
	} else {
		collect_stripes(cmd, c->argc, c->argv, &ss);
	}
	if ((cmd->flags & ST_CMD_LOCKFREE) && !ss.all) {
		call_lockfree(c, cmd, &ss);
	} else {
		sset_lock(&ss);
		call_locked(c, cmd);
		sset_unlock(&ss);
	}
	sset_free(&ss);
}

bool
st_cmd_exec_transaction(struct st_client *c,
			bool (*precheck)(struct st_client *c))
{
	struct stripe_set ss;
	int saved_argc = c->argc, saved_db;
	struct st_arg *saved_argv = c->argv;

	sset_init(&ss);
	for (int i = 0; i < c->mq_len && !ss.all; i++)
		collect_stripes(c->mq[i].cmd, c->mq[i].argc, c->mq[i].argv, &ss);
	for (int i = 0; i < c->nwatched && !ss.all; i++)
		sset_add(&ss, st_stripe_of(st_key_hash(c->watched[i].key,
						      c->watched[i].len)));
	sset_lock(&ss);
	if (precheck && !precheck(c)) {
		sset_unlock(&ss);
		sset_free(&ss);
		return false;
	}
	saved_db = c->db;
	(void)saved_db;
	c->flags |= ST_CLIENT_IN_EXEC;
	st_reply_array_len(c, c->mq_len);
	for (int i = 0; i < c->mq_len; i++) {
		c->argc = c->mq[i].argc;
		c->argv = c->mq[i].argv;
		c->cmd_time_ms = st_mstime();
		call_locked(c, c->mq[i].cmd);
	}
	c->flags &= ~ST_CLIENT_IN_EXEC;
	c->argc = saved_argc;
	c->argv = saved_argv;
	st_wlog_flush_client(c);
	sset_unlock(&ss);
	sset_free(&ss);
	return true;
}

/* Reply for an unknown command, with Redis's exact wording. */
static void
reply_unknown(struct st_client *c)
{
	char args[300];
	size_t al = 0;

	args[0] = '\0';
	for (int i = 1; i < c->argc && al < 128; i++) {
		int room = 128 - (int)al;
		int n = snprintf(args + al, sizeof(args) - al, "'%.*s' ",
				 room < (int)c->argv[i].len ? room : (int)c->argv[i].len,
				 c->argv[i].p);
		if (n < 0)
			break;
		al += (size_t)n;
		if (al >= sizeof(args))
			al = sizeof(args) - 1;
	}
	st_reply_errorf(c, "unknown command '%.*s', with args beginning with: %s",
			c->argv[0].len > 128 ? 128 : (int)c->argv[0].len,
			c->argv[0].p, args);
}

static void
reply_unknown_sub(struct st_client *c, const struct st_cmd *parent)
{
	char up[NAME_MAX_LEN];
	size_t i;

	for (i = 0; parent->name[i] && i < sizeof(up) - 1; i++)
		up[i] = (char)toupper((unsigned char)parent->name[i]);
	up[i] = '\0';
	st_reply_errorf(c, "unknown subcommand '%.*s'. Try %s HELP.",
			c->argv[1].len > 128 ? 128 : (int)c->argv[1].len,
			c->argv[1].p, up);
}

static bool
is_multi_control(const struct st_cmd *cmd)
{
	const char *n = cmd->name;

	return strcmp(n, "exec") == 0 || strcmp(n, "discard") == 0 ||
	       strcmp(n, "multi") == 0 || strcmp(n, "watch") == 0 ||
	       strcmp(n, "quit") == 0 || strcmp(n, "reset") == 0;
}

/*
 * A rejection while in MULTI also aborts the transaction (flagTransaction);
 * a rejected EXEC itself discards the transaction with an EXECABORT that
 * carries the reason (Redis's execCommandAbort).
 */
static void
reject(struct st_client *c, const struct st_cmd *cmd, const char *msg)
{
	if (cmd != NULL && cmd->proc != NULL && strcmp(cmd->name, "exec") == 0) {
		st_client_discard_multi(c);
		st_client_unwatch(c);
		st_reply_errorf(c, "-EXECABORT Transaction discarded because of: %s",
				msg[0] == '-' ? msg + 1 : msg);
		return;
	}
	if (c->flags & ST_CLIENT_MULTI)
		c->flags |= ST_CLIENT_DIRTY_EXEC;
	st_reply_error(c, msg);
}

static void
queue_command(struct st_client *c, const struct st_cmd *cmd)
{
	struct st_queued_cmd *q;

	if (c->mq_len == c->mq_cap) {
		c->mq_cap = c->mq_cap ? c->mq_cap * 2 : 8;
		c->mq = st_realloc(c->mq, sizeof(*c->mq) * (size_t)c->mq_cap);
	}
	q = &c->mq[c->mq_len++];
	q->cmd = cmd;
	q->argc = c->argc;
	q->argv = st_malloc(sizeof(*q->argv) * (size_t)c->argc);
	for (int i = 0; i < c->argc; i++) {
		q->argv[i].p = st_strndup(c->argv[i].p, c->argv[i].len);
		q->argv[i].len = c->argv[i].len;
	}
	st_buf_append(&c->out, "+QUEUED\r\n", 9);
}

void
st_dispatch(struct st_client *c)
{
	const struct st_cmd *cmd;

	c->hc_key = NULL;
	cmd = c->last_lookup;
	if (cmd == NULL || strncasecmp(cmd->name, c->argv[0].p, c->argv[0].len) != 0 ||
	    cmd->name[c->argv[0].len] != '\0') {
		cmd = st_cmd_lookup(c->argv[0].p, c->argv[0].len);
		c->last_lookup = cmd;
	}
	if (cmd == NULL) {
		if (c->flags & ST_CLIENT_MULTI)
			c->flags |= ST_CLIENT_DIRTY_EXEC;
		reply_unknown(c);
		return;
	}
	if (cmd->subcmds != NULL && c->argc >= 2) {
		const struct st_cmd *sub = st_cmd_lookup_sub(cmd, c->argv[1].p,
							     c->argv[1].len);
		if (sub == NULL) {
			if (c->flags & ST_CLIENT_MULTI)
				c->flags |= ST_CLIENT_DIRTY_EXEC;
			reply_unknown_sub(c, cmd);
			return;
		}
		cmd = sub;
	}
	if ((cmd->arity > 0 && c->argc != cmd->arity) ||
	    (cmd->arity < 0 && c->argc < -cmd->arity)) {
		char msg[128];

		snprintf(msg, sizeof(msg),
			 "wrong number of arguments for '%s' command", cmd->name);
		reject(c, cmd, msg);
		return;
	}
	if (!(c->flags & ST_CLIENT_AUTHENTICATED) &&
	    !(cmd->flags & ST_CMD_NO_AUTH) && st_config_has_password()) {
		reject(c, cmd, ST_ERR_NOAUTH);
		return;
	}
	if ((c->flags & ST_CLIENT_MULTI) && (cmd->flags & ST_CMD_NO_MULTI)) {
		reject(c, cmd, "Command not allowed inside a transaction");
		return;
	}
	if ((cmd->flags & ST_CMD_DENYOOM) && st_cfg.maxmemory > 0 &&
	    !(c->flags & ST_CLIENT_MASTER) && st_evict_or_oom(c) != 0) {
		ST_STAT_INC(c->w, rejected_calls);
		reject(c, cmd, ST_ERR_OOM);
		return;
	}
	if (!(c->flags & ST_CLIENT_MASTER)) {
		const struct st_role_hooks *rh = st_role_hooks();

		if (rh != NULL && rh->check != NULL && rh->check(c, cmd) != 0) {
			ST_STAT_INC(c->w, rejected_calls);
			return;
		}
	}
	if ((c->flags & ST_CLIENT_MULTI) && !is_multi_control(cmd)) {
		queue_command(c, cmd);
		return;
	}
	call_command(c, cmd);
}

/* ---- COMMAND ---------------------------------------------------------------- */

static int
strcasecmp_len(const struct st_arg *a, const char *lit)
{
	size_t n = strlen(lit);

	return a->len == n ? strncasecmp(a->p, lit, n) : 1;
}

static const struct {
	uint32_t flag;
	const char *name;
} flag_names[] = {
	{ ST_CMD_WRITE, "write" },	{ ST_CMD_READONLY, "readonly" },
	{ ST_CMD_DENYOOM, "denyoom" },	{ ST_CMD_ADMIN, "admin" },
	{ ST_CMD_PUBSUB, "pubsub" },	{ ST_CMD_NOSCRIPT, "noscript" },
	{ ST_CMD_LOADING, "loading" },	{ ST_CMD_STALE, "stale" },
	{ ST_CMD_SKIP_MONITOR, "skip_monitor" },
	{ ST_CMD_SKIP_SLOWLOG, "skip_slowlog" },
	{ ST_CMD_FAST, "fast" },	{ ST_CMD_NO_AUTH, "no_auth" },
	{ ST_CMD_NO_MULTI, "no_multi" }, { ST_CMD_ALLOW_BUSY, "allow_busy" },
};

static int
count_words(const char *s)
{
	int n = 0;

	while (s && *s) {
		while (*s == ' ')
			s++;
		if (!*s)
			break;
		n++;
		while (*s && *s != ' ')
			s++;
	}
	return n;
}

static void
reply_words(struct st_client *c, const char *s, bool as_set)
{
	int n = count_words(s);

	if (as_set)
		st_reply_set_len(c, n);
	else
		st_reply_array_len(c, n);
	while (s && *s) {
		const char *e;

		while (*s == ' ')
			s++;
		if (!*s)
			break;
		e = s;
		while (*e && *e != ' ')
			e++;
		st_resp_status(&c->out, s, (size_t)(e - s));
		s = e;
	}
}

static void reply_command_info(struct st_client *c, const struct st_cmd *cmd);

static int
count_subcmds(const struct st_cmd *cmd)
{
	int n = 0;

	for (const struct st_cmd *s = cmd->subcmds; s && s->name; s++)
		n++;
	return n;
}

static void
reply_command_info(struct st_client *c, const struct st_cmd *cmd)
{
	int nflags = 0;

	st_reply_array_len(c, 10);
	st_reply_bulk_cstr(c, cmd->name);
	st_reply_int(c, cmd->arity);
	for (size_t i = 0; i < sizeof(flag_names) / sizeof(flag_names[0]); i++)
		if (cmd->flags & flag_names[i].flag)
			nflags++;
	if (cmd->getkeys)
		nflags++;
	st_reply_set_len(c, nflags);
	for (size_t i = 0; i < sizeof(flag_names) / sizeof(flag_names[0]); i++)
		if (cmd->flags & flag_names[i].flag)
			st_reply_status(c, flag_names[i].name);
	if (cmd->getkeys)
		st_reply_status(c, "movablekeys");
	st_reply_int(c, cmd->getkeys ? 0 : cmd->first_key);
	st_reply_int(c, cmd->getkeys ? 0 : cmd->last_key);
	st_reply_int(c, cmd->getkeys ? 0 : cmd->step);
	reply_words(c, cmd->acl, true);
	st_reply_array_len(c, 0);	/* tips */
	st_reply_array_len(c, 0);	/* key specs */
	st_reply_array_len(c, count_subcmds(cmd));
	for (const struct st_cmd *s = cmd->subcmds; s && s->name; s++)
		reply_command_info(c, s);
}

static void
reply_command_docs(struct st_client *c, const struct st_cmd *cmd)
{
	int nsub = count_subcmds(cmd);

	st_reply_bulk_cstr(c, cmd->name);
	st_reply_map_len(c, 3 + (nsub ? 1 : 0));
	st_reply_bulk_cstr(c, "summary");
	st_reply_bulk_cstr(c, cmd->summary ? cmd->summary : "");
	st_reply_bulk_cstr(c, "since");
	st_reply_bulk_cstr(c, cmd->since ? cmd->since : "1.0.0");
	st_reply_bulk_cstr(c, "group");
	st_reply_bulk_cstr(c, cmd->group ? cmd->group : "generic");
	if (nsub) {
		st_reply_bulk_cstr(c, "subcommands");
		st_reply_map_len(c, nsub);
		for (const struct st_cmd *s = cmd->subcmds; s->name; s++)
			reply_command_docs(c, s);
	}
}

static const struct st_cmd *
lookup_fullname(const char *p, size_t len)
{
	const char *bar = memchr(p, '|', len);
	const struct st_cmd *cmd;

	if (bar == NULL)
		return st_cmd_lookup(p, len);
	cmd = st_cmd_lookup(p, (size_t)(bar - p));
	if (cmd == NULL)
		return NULL;
	return st_cmd_lookup_sub(cmd, bar + 1, len - (size_t)(bar - p) - 1);
}

void st_command_command(struct st_client *c);
void st_command_count_command(struct st_client *c);
void st_command_info_command(struct st_client *c);
void st_command_docs_command(struct st_client *c);
void st_command_list_command(struct st_client *c);
void st_command_getkeys_command(struct st_client *c);

void
st_command_command(struct st_client *c)
{
	st_reply_array_len(c, (long long)ncmds);
	for (size_t i = 0; i < ncmds; i++)
		reply_command_info(c, all_cmds[i]);
}

void
st_command_count_command(struct st_client *c)
{
	st_reply_int(c, (long long)ncmds);
}

void
st_command_info_command(struct st_client *c)
{
	if (c->argc == 2) {
		st_command_command(c);
		return;
	}
	st_reply_array_len(c, c->argc - 2);
	for (int i = 2; i < c->argc; i++) {
		const struct st_cmd *cmd = lookup_fullname(c->argv[i].p,
							   c->argv[i].len);
		if (cmd)
			reply_command_info(c, cmd);
		else
			st_reply_null(c);	/* Redis: $-1 / _ */
	}
}

void
st_command_docs_command(struct st_client *c)
{
	if (c->argc == 2) {
		st_reply_map_len(c, (long long)ncmds);
		for (size_t i = 0; i < ncmds; i++)
			reply_command_docs(c, all_cmds[i]);
		return;
	}
	{
		size_t h = st_reply_deferred_len(c);
		int n = 0;

		for (int i = 2; i < c->argc; i++) {
			const struct st_cmd *cmd = lookup_fullname(c->argv[i].p,
								   c->argv[i].len);
			if (cmd) {
				reply_command_docs(c, cmd);
				n++;
			}
		}
		st_reply_set_deferred_map_len(c, h, n);
	}
}

/* Does 'cmd' match COMMAND LIST's FILTERBY (type: 0 none, 1 aclcat,
 * 2 pattern; MODULE matches nothing, ferry has no modules)? */
static bool
list_filter_match(const struct st_cmd *cmd, int type, const struct st_arg *arg)
{
	if (type == 1) {
		const char *s = cmd->acl ? cmd->acl : "";
		size_t n = arg->len;

		while (*s) {
			size_t wl;

			while (*s == ' ')
				s++;
			wl = strcspn(s, " ");
			if (wl == n + 1 && s[0] == '@' && strncasecmp(s + 1, arg->p, n) == 0)
				return true;
			s += wl;
		}
		return false;
	}
	if (type == 2)
		return st_glob_match(arg->p, arg->len, cmd->name, strlen(cmd->name),
				     true);
	return true;
}

void
st_command_list_command(struct st_client *c)
{
	const struct st_arg *arg = NULL;
	int type = 0;
	size_t h;
	long long n = 0;

	if (c->argc != 2) {
		if (c->argc != 5 || strcasecmp_len(&c->argv[2], "filterby") != 0) {
			st_reply_error(c, ST_ERR_SYNTAX);
			return;
		}
		if (strcasecmp_len(&c->argv[3], "module") == 0)
			type = 3;
		else if (strcasecmp_len(&c->argv[3], "aclcat") == 0)
			type = 1;
		else if (strcasecmp_len(&c->argv[3], "pattern") == 0)
			type = 2;
		else {
			st_reply_error(c, ST_ERR_SYNTAX);
			return;
		}
		arg = &c->argv[4];
	}
	h = st_reply_deferred_len(c);
	for (size_t i = 0; i < ncmds && type != 3; i++) {
		const struct st_cmd *cmd = all_cmds[i];

		if (list_filter_match(cmd, type, arg)) {
			st_reply_bulk_cstr(c, cmd->name);
			n++;
		}
		for (const struct st_cmd *s = cmd->subcmds; s && s->name; s++) {
			if (list_filter_match(s, type, arg)) {
				st_reply_bulk_cstr(c, s->name);
				n++;
			}
		}
	}
	st_reply_set_deferred_array_len(c, h, n);
}

void
st_command_getkeys_command(struct st_client *c)
{
	const struct st_cmd *cmd = st_cmd_lookup(c->argv[2].p, c->argv[2].len);
	int kbuf[256], *keys = kbuf, n, argc = c->argc - 2;

	/* Redis resolves a container's subcommand ("CONFIG GET x") */
	if (cmd && cmd->subcmds && argc >= 2)
		cmd = st_cmd_lookup_sub(cmd, c->argv[3].p, c->argv[3].len);
	if (cmd == NULL) {
		st_reply_error(c, "Invalid command specified");
		return;
	}
	if (cmd->first_key <= 0 && cmd->getkeys == NULL) {
		st_reply_error(c, "The command has no key arguments");
		return;
	}
	if ((cmd->arity > 0 && argc != cmd->arity) ||
	    (cmd->arity < 0 && argc < -cmd->arity)) {
		st_reply_error(c, "Invalid number of arguments specified for command");
		return;
	}
	if (argc > 256)
		keys = st_malloc(sizeof(int) * (size_t)argc);
	n = st_cmd_keys(cmd, argc, c->argv + 2, keys, argc > 256 ? argc : 256);
	if (n <= 0) {
		st_reply_error(c, "Invalid arguments specified for command");
	} else {
		st_reply_array_len(c, n);
		for (int i = 0; i < n; i++)
			st_reply_bulk(c, c->argv[2 + keys[i]].p,
				      c->argv[2 + keys[i]].len);
	}
	if (keys != kbuf)
		st_free(keys);
}
