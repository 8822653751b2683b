/*
 * cmd_server.c -- server and connection commands: PING, ECHO, HELLO, AUTH,
 * QUIT, RESET, INFO, CONFIG, CLIENT, COMMAND, TIME, LASTSAVE.
 *
 * None of these touches a key, so the dispatcher takes no stripe lock for
 * them.  What they read of the rest of the process is either atomic (worker
 * statistics, database sizes, st_mem_used, the config words) or protected by
 * the client registry mutex (CLIENT LIST / KILL / INFO walk the registry
 * with st_client_foreach).  A client's name is the one string other threads
 * read, so it is only ever replaced while the registry mutex is held (see
 * set_client_name()).
 *
 * Replies follow Redis 7.0.15 byte for byte, including the HELP texts and
 * the INFO layout ("# Section\r\nfield:value\r\n", a blank line between
 * sections; RESP3 clients get INFO and CLIENT LIST/INFO as verbatim "txt").
 *
 * CONFIG RESETSTAT cannot zero the workers' counters (other threads own
 * them); it records a baseline that INFO subtracts instead.
 */
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "alloc.h"
#include "buf.h"
#include "client.h"
#include "cmd_util.h"
#include "command.h"
#include "config.h"
#include "role.h"
#include "keyspace.h"
#include "resp_compose.h"
#include "util.h"
#include "wlog.h"
#include "worker.h"

#define FERRY_VERSION "0.1.0"
#define REDIS_VERSION "7.0.15"


/* COMMAND's handlers live with the table they describe (command.c). */
void st_command_command(struct st_client *c);
void st_command_count_command(struct st_client *c);
void st_command_info_command(struct st_client *c);
void st_command_docs_command(struct st_client *c);
void st_command_list_command(struct st_client *c);
void st_command_getkeys_command(struct st_client *c);

/* ---- process identity ------------------------------------------------------ */

static int64_t start_ms;		/* process start (LASTSAVE, uptime) */
static char run_id[41];			/* random per process */
static char master_replid[41];		/* random per process */

/* n random hex digits (n even, at most 64) and a NUL, as Redis's
 * getRandomHexChars: /dev/urandom, or a time-seeded mix without it. */
static void
random_hex(char *out, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	unsigned char raw[32];
	size_t need = n / 2, got = 0;
	uint64_t seed = (uint64_t)st_ustime() ^ ((uint64_t)getpid() << 32);
	FILE *f = fopen("/dev/urandom", "r");

	if (f != NULL) {
		got = fread(raw, 1, need, f);
		fclose(f);
	}
	for (size_t i = got; i < need; i++) {
		uint64_t z = (seed += 0x9e3779b97f4a7c15ULL);	/* splitmix64 */

		z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
		z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
		raw[i] = (unsigned char)(z ^ (z >> 31));
	}
	for (size_t i = 0; i < need; i++) {
		out[2 * i] = hex[raw[i] >> 4];
		out[2 * i + 1] = hex[raw[i] & 15];
	}
	out[n] = '\0';
}

/*
 * Runs when the program is loaded: the process start time is LASTSAVE's
 * answer (ferry never saves) and the base of uptime_in_seconds.
 */
__attribute__((constructor)) static void
server_identity_init(void)
{
	start_ms = st_mstime();
	random_hex(run_id, 40);
	random_hex(master_replid, 40);
}

/* ---- statistics baseline (CONFIG RESETSTAT) ---------------------------------- */

struct stat_base {
	uint64_t commands, hits, misses, expired, evicted, rejected, retries;
};

static pthread_mutex_t base_lock = PTHREAD_MUTEX_INITIALIZER;
static struct stat_base base;
static _Atomic int64_t mem_peak;

static void
stats_now(struct stat_base *s)
{
	s->commands = ST_STAT_SUM(commands);
	s->hits = ST_STAT_SUM(hits);
	s->misses = ST_STAT_SUM(misses);
	s->expired = ST_STAT_SUM(expired);
	s->evicted = ST_STAT_SUM(evicted);
	s->rejected = ST_STAT_SUM(rejected_calls);
	s->retries = ST_STAT_SUM(lockfree_retries);
}

/* Current counters minus the RESETSTAT baseline. */
static void
stats_since_reset(struct stat_base *s)
{
	struct stat_base b;

	stats_now(s);
	pthread_mutex_lock(&base_lock);
	b = base;
	pthread_mutex_unlock(&base_lock);
#define SUB(f) s->f = s->f >= b.f ? s->f - b.f : 0
	SUB(commands); SUB(hits); SUB(misses); SUB(expired);
	SUB(evicted); SUB(rejected); SUB(retries);
#undef SUB
}

static int64_t
mem_used_and_peak(int64_t *peak)
{
	int64_t used = st_mem_used();
	int64_t p = atomic_load(&mem_peak);

	while (used > p && !atomic_compare_exchange_weak(&mem_peak, &p, used))
		;
	*peak = used > p ? used : p;
	return used;
}

/* ---- client names -------------------------------------------------------------- */

struct name_swap {
	struct st_client *c;
	char *name;
	bool done;
};

static void
swap_name_cb(struct st_client *x, void *arg)
{
	struct name_swap *ns = arg;

	if (x == ns->c && !ns->done) {
		char *old = x->name;

		x->name = ns->name;
		ns->name = old;
		ns->done = true;
	}
}

/*
 * Replace c's name (NULL clears it).  CLIENT LIST on another thread reads
 * names under the registry mutex, so a registered client's name is swapped
 * from inside st_client_foreach; an unregistered one is ours alone.
 */
static void
set_client_name(struct st_client *c, const char *p, size_t len)
{
	struct name_swap ns = { c, p && len ? st_strndup(p, len) : NULL, false };

	st_client_foreach(swap_name_cb, &ns);
	if (!ns.done) {
		char *old = c->name;

		c->name = ns.name;
		ns.name = old;
	}
	st_free(ns.name);
}

/* Redis's clientSetNameOrReply: no byte below '!' or above '~'. */
static bool
set_name_or_reply(struct st_client *c, const struct st_arg *a)
{
	for (size_t i = 0; i < a->len; i++) {
		unsigned char ch = (unsigned char)a->p[i];

		if (ch < '!' || ch > '~') {
			st_reply_error(c, "Client names cannot contain spaces, "
				       "newlines or special characters.");
			return false;
		}
	}
	set_client_name(c, a->p, a->len);
	return true;
}

/* ---- PING / ECHO / TIME / LASTSAVE ------------------------------------------ */

static void
ping_command(struct st_client *c)
{
	if (c->argc > 2) {
		st_reply_arity_error(c, c->cmd);
		return;
	}
	if (c->argc == 1)
		st_reply_status(c, "PONG");
	else
		st_reply_bulk(c, c->argv[1].p, c->argv[1].len);
}

static void
echo_command(struct st_client *c)
{
	st_reply_bulk(c, c->argv[1].p, c->argv[1].len);
}

static void
time_command(struct st_client *c)
{
	struct timeval tv;

	gettimeofday(&tv, NULL);
	st_reply_array_len(c, 2);
	st_reply_bulk_ll(c, (long long)tv.tv_sec);
	st_reply_bulk_ll(c, (long long)tv.tv_usec);
}

static void
lastsave_command(struct st_client *c)
{
	st_reply_int(c, start_ms / 1000);
}

/* ---- SHUTDOWN --------------------------------------------------------------- */

static void (*_Atomic shutdown_fn)(void *arg);
static void *_Atomic shutdown_arg;

void
st_set_shutdown_hook(void (*fn)(void *arg), void *arg)
{
	atomic_store(&shutdown_arg, arg);
	atomic_store(&shutdown_fn, fn);
}

/* the host's INFO section (st_set_info_section) */
static const struct st_info_section *_Atomic info_host;

void
st_set_info_section(const struct st_info_section *s)
{
	atomic_store(&info_host, s);
}

/*
 * SHUTDOWN [NOSAVE|SAVE] [NOW] [FORCE] [ABORT].  ferry keeps no snapshot on
 * disk, so SAVE and NOSAVE mean the same; there is no pending shutdown to
 * ABORT.  On success the connection closes without a reply, as Redis.
 */
static void
shutdown_command(struct st_client *c)
{
	void (*fn)(void *arg);
	bool save = false, nosave = false, abort_req = false;

	for (int j = 1; j < c->argc; j++) {
		if (st_arg_is(&c->argv[j], "nosave"))
			nosave = true;
		else if (st_arg_is(&c->argv[j], "save"))
			save = true;
		else if (st_arg_is(&c->argv[j], "now") || st_arg_is(&c->argv[j], "force"))
			;
		else if (st_arg_is(&c->argv[j], "abort"))
			abort_req = true;
		else {
			st_reply_error(c, ST_ERR_SYNTAX);
			return;
		}
	}
	if ((save && nosave) || (abort_req && c->argc > 2)) {
		st_reply_error(c, ST_ERR_SYNTAX);
		return;
	}
	if (abort_req) {
		st_reply_error(c, "No shutdown in progress.");
		return;
	}
	fn = atomic_load(&shutdown_fn);
	if (fn == NULL) {
		st_reply_error(c, "Errors trying to SHUTDOWN. Check logs.");
		return;
	}
	fn(atomic_load(&shutdown_arg));
	c->flags |= ST_CLIENT_CLOSE_AFTER_REPLY;
}

/* ---- authentication: AUTH, HELLO, QUIT, RESET --------------------------------- */

#define ERR_WRONGPASS "-WRONGPASS invalid username-password pair or user is disabled."

static bool
client_authenticated(struct st_client *c)
{
	return (c->flags & ST_CLIENT_AUTHENTICATED) || !st_config_has_password();
}

/*
 * ACLAuthenticateUser with the only user there is, "default": with no
 * requirepass it has nopass (any password matches).  Replies WRONGPASS on
 * failure; on success marks the client authenticated without replying.
 */
static bool
authenticate_or_reply(struct st_client *c, const struct st_arg *user,
		      const struct st_arg *pass)
{
	/* user names are case-sensitive */
	bool ok = user->len == 7 && memcmp(user->p, "default", 7) == 0;

	if (ok && st_config_has_password())
		ok = st_config_check_password(pass->p, pass->len);
	if (!ok) {
		st_reply_error(c, ERR_WRONGPASS);
		return false;
	}
	c->flags |= ST_CLIENT_AUTHENTICATED;
	return true;
}

static void
auth_command(struct st_client *c)
{
	static const struct st_arg def = { "default", 7 };

	if (c->argc > 3) {
		st_reply_error(c, ST_ERR_SYNTAX);
		return;
	}
	if (c->argc == 2) {
		if (!st_config_has_password()) {
			st_reply_error(c, "AUTH <password> called without any "
				       "password configured for the default user. "
				       "Are you sure your configuration is correct?");
			return;
		}
		if (authenticate_or_reply(c, &def, &c->argv[1]))
			st_reply_ok(c);
		return;
	}
	if (authenticate_or_reply(c, &c->argv[1], &c->argv[2]))
		st_reply_ok(c);
}

static void
hello_command(struct st_client *c)
{
	const struct st_arg *user = NULL, *pass = NULL, *name = NULL;
	long long ver = 0;
	int j = 1;

	if (c->argc >= 2) {
		if (st_str2ll(c->argv[1].p, c->argv[1].len, &ver) != 0) {
			st_reply_error(c, "Protocol version is not an integer or out of range");
			return;
		}
		j = 2;
		if (ver < 2 || ver > 3) {
			st_reply_error(c, "-NOPROTO unsupported protocol version");
			return;
		}
	}
	for (; j < c->argc; j++) {
		int more = c->argc - 1 - j;

		if (st_arg_is(&c->argv[j], "AUTH") && more >= 2) {
			user = &c->argv[j + 1];
			pass = &c->argv[j + 2];
			j += 2;
		} else if (st_arg_is(&c->argv[j], "SETNAME") && more >= 1) {
			name = &c->argv[j + 1];
			j++;
		} else {
			st_reply_errorf(c, "Syntax error in HELLO option '%.*s'",
					(int)c->argv[j].len, c->argv[j].p);
			return;
		}
	}
	if (user && !authenticate_or_reply(c, user, pass))
		return;
	if (!client_authenticated(c)) {
		st_reply_error(c, "-NOAUTH HELLO must be called with the client already "
			       "authenticated, otherwise the HELLO <proto> AUTH <user> "
			       "<pass> option can be used to authenticate the client and "
			       "select the RESP protocol version at the same time");
		return;
	}
	if (name && !set_name_or_reply(c, name))
		return;
	if (ver)
		c->resp = (uint8_t)ver;
	st_reply_map_len(c, 7);
	st_reply_bulk_cstr(c, "server");
	st_reply_bulk_cstr(c, "redis");
	st_reply_bulk_cstr(c, "version");
	st_reply_bulk_cstr(c, REDIS_VERSION);
	st_reply_bulk_cstr(c, "proto");
	st_reply_int(c, c->resp);
	st_reply_bulk_cstr(c, "id");
	st_reply_int(c, (long long)c->id);
	st_reply_bulk_cstr(c, "mode");
	st_reply_bulk_cstr(c, "standalone");
	st_reply_bulk_cstr(c, "role");
	st_reply_bulk_cstr(c, "master");
	st_reply_bulk_cstr(c, "modules");
	st_reply_array_len(c, 0);
}

static void
quit_command(struct st_client *c)
{
	st_reply_ok(c);
	c->flags |= ST_CLIENT_CLOSE_AFTER_REPLY;
}

/* Redis's clearClientConnectionState. */
static void
reset_command(struct st_client *c)
{
	st_client_discard_multi(c);
	st_client_unwatch(c);
	c->db = 0;
	c->resp = 2;
	set_client_name(c, NULL, 0);
	if (st_config_has_password())
		c->flags &= ~ST_CLIENT_AUTHENTICATED;
	else
		c->flags |= ST_CLIENT_AUTHENTICATED;
	st_reply_status(c, "RESET");
}

/* ---- HELP replies ------------------------------------------------------------- */

static void
reply_help(struct st_client *c, const char *const *lines)
{
	int n = 0;

	while (lines[n])
		n++;
	st_reply_array_len(c, n);
	for (int i = 0; i < n; i++)
		st_reply_status(c, lines[i]);
}

static const char *const config_help[] = {
	"CONFIG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
	"GET <pattern>",
	"    Return parameters matching the glob-like <pattern> and their values.",
	"SET <directive> <value>",
	"    Set the configuration <directive> to <value>.",
	"RESETSTAT",
	"    Reset statistics reported by the INFO command.",
	"REWRITE",
	"    Rewrite the configuration file.",
	"HELP",
	"    Prints this help.",
	NULL
};

static const char *const client_help[] = {
	"CLIENT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
	"CACHING (YES|NO)",
	"    Enable/disable tracking of the keys for next command in OPTIN/OPTOUT modes.",
	"GETREDIR",
	"    Return the client ID we are redirecting to when tracking is enabled.",
	"GETNAME",
	"    Return the name of the current connection.",
	"ID",
	"    Return the ID of the current connection.",
	"INFO",
	"    Return information about the current client connection.",
	"KILL <ip:port>",
	"    Kill connection made from <ip:port>.",
	"KILL <option> <value> [<option> <value> [...]]",
	"    Kill connections. Options are:",
	"    * ADDR (<ip:port>|<unixsocket>:0)",
	"      Kill connections made from the specified address",
	"    * LADDR (<ip:port>|<unixsocket>:0)",
	"      Kill connections made to specified local address",
	"    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
	"      Kill connections by type.",
	"    * USER <username>",
	"      Kill connections authenticated by <username>.",
	"    * SKIPME (YES|NO)",
	"      Skip killing current connection (default: yes).",
	"LIST [options ...]",
	"    Return information about client connections. Options:",
	"    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
	"      Return clients of specified type.",
	"UNPAUSE",
	"    Stop the current client pause, resuming traffic.",
	"PAUSE <timeout> [WRITE|ALL]",
	"    Suspend all, or just write, clients for <timeout> milliseconds.",
	"REPLY (ON|OFF|SKIP)",
	"    Control the replies sent to the current connection.",
	"SETNAME <name>",
	"    Assign the name <name> to the current connection.",
	"UNBLOCK <clientid> [TIMEOUT|ERROR]",
	"    Unblock the specified blocked client.",
	"TRACKING (ON|OFF) [REDIRECT <id>] [BCAST] [PREFIX <prefix> [...]]",
	"         [OPTIN] [OPTOUT] [NOLOOP]",
	"    Control server assisted client side caching.",
	"TRACKINGINFO",
	"    Report tracking status for the current connection.",
	"NO-EVICT (ON|OFF)",
	"    Protect current client connection from eviction.",
	"HELP",
	"    Prints this help.",
	NULL
};

static const char *const command_help[] = {
	"COMMAND <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
	"(no subcommand)",
	"    Return details about all Redis commands.",
	"COUNT",
	"    Return the total number of commands in this Redis server.",
	"LIST",
	"    Return a list of all commands in this Redis server.",
	"INFO [<command-name> ...]",
	"    Return details about multiple Redis commands.",
	"    If no command names are given, documentation details for all",
	"    commands are returned.",
	"DOCS [<command-name> ...]",
	"    Return documentation details about multiple Redis commands.",
	"    If no command names are given, documentation details for all",
	"    commands are returned.",
	"GETKEYS <full-command>",
	"    Return the keys from a full Redis command.",
	"GETKEYSANDFLAGS <full-command>",
	"    Return the keys and the access flags from a full Redis command.",
	"HELP",
	"    Prints this help.",
	NULL
};

static void
config_help_command(struct st_client *c)
{
	reply_help(c, config_help);
}

static void
client_help_command(struct st_client *c)
{
	reply_help(c, client_help);
}

static void
command_help_command(struct st_client *c)
{
	reply_help(c, command_help);
}

/*
 * The handler of a container command itself (CONFIG, CLIENT): the dispatcher
 * resolves the subcommand first, so this only runs when there is none, which
 * the arity (-2) already refuses.  Kept so every entry has a handler.
 */
static void
container_command(struct st_client *c)
{
	st_reply_arity_error(c, c->cmd);
}

/* ---- text building ------------------------------------------------------------ */

/* Redis's bytesToHuman. */
static void
bytes_to_human(char *s, size_t size, unsigned long long n)
{
	static const char units[] = "KMGTP";
	double d = (double)n;
	int u = -1;

	if (n < 1024) {
		snprintf(s, size, "%lluB", n);
		return;
	}
	while (d >= 1024 && u < 4) {
		d /= 1024;
		u++;
	}
	if (d >= 1024) {	/* beyond petabytes */
		snprintf(s, size, "%lluB", n);
		return;
	}
	snprintf(s, size, "%.2f%c", d, units[u]);
}

/* ---- CLIENT ------------------------------------------------------------------ */

enum client_type { CT_NORMAL, CT_REPLICA, CT_PUBSUB, CT_MASTER };

static int
client_type_by_name(const struct st_arg *a)
{
	if (st_arg_is(a, "normal"))
		return CT_NORMAL;
	if (st_arg_is(a, "slave") || st_arg_is(a, "replica"))
		return CT_REPLICA;
	if (st_arg_is(a, "pubsub"))
		return CT_PUBSUB;
	if (st_arg_is(a, "master"))
		return CT_MASTER;
	return -1;
}

static int
client_type(const struct st_client *x)
{
	uint32_t f = atomic_load_explicit(&x->pub.flags, memory_order_relaxed);

	if (f & ST_CLIENT_MASTER)
		return CT_MASTER;
	if (f & ST_CLIENT_REPLICA)
		return CT_REPLICA;
	return CT_NORMAL;
}

static void
reply_unknown_type(struct st_client *c, const struct st_arg *a)
{
	st_reply_errorf(c, "Unknown client type '%.*s'", (int)a->len, a->p);
}

/*
 * One CLIENT LIST line (Redis 7.0's catClientInfoString), without the
 * trailing newline.  'self' is the client running the command: only its
 * argv is live (other clients' argv are stale pointers into their buffers).
 * Other clients' fields come from what their owner published
 * (struct st_client_pub): values may be a moment old, never torn (the name
 * is read under the registry mutex, see set_client_name()).
 */
static void
client_info_line(struct st_buf *b, struct st_client *x, struct st_client *self)
{
	int64_t now = st_mstime();
	const struct st_client_pub *pub = &x->pub;
	uint32_t f;
	char flags[16], *p = flags;
	size_t qlen, qcap, ocap, olen;
	int mq_len;
	const char *cmd;
	unsigned long long argv_mem = 0, multi_mem = 0, tot;
	int64_t idle_ms;

	if (x == self)
		st_client_publish(x);
	f = atomic_load_explicit(&pub->flags, memory_order_relaxed);
	qlen = atomic_load_explicit(&pub->qlen, memory_order_relaxed);
	qcap = atomic_load_explicit(&pub->qcap, memory_order_relaxed);
	ocap = atomic_load_explicit(&pub->ocap, memory_order_relaxed);
	olen = atomic_load_explicit(&pub->olen, memory_order_relaxed);
	mq_len = atomic_load_explicit(&pub->mq_len, memory_order_relaxed);
	cmd = atomic_load_explicit(&pub->last_cmd, memory_order_relaxed);
	idle_ms = now - atomic_load_explicit(&pub->last_ms, memory_order_relaxed);

	if (f & ST_CLIENT_REPLICA)
		*p++ = 'S';
	if (f & ST_CLIENT_MASTER)
		*p++ = 'M';
	if (f & (ST_CLIENT_MULTI | ST_CLIENT_IN_EXEC))
		*p++ = 'x';
	if (f & ST_CLIENT_DIRTY_CAS)
		*p++ = 'd';
	if (f & ST_CLIENT_CLOSE_AFTER_REPLY)
		*p++ = 'c';
	if (atomic_load_explicit(&x->kill, memory_order_relaxed))
		*p++ = 'A';
	if (p == flags)
		*p++ = 'N';
	*p = '\0';

	if (x == self) {
		for (int i = 0; i < x->argc; i++)
			argv_mem += x->argv[i].len;
		for (int i = 0; i < x->mq_len; i++)
			for (int j = 0; j < x->mq[i].argc; j++)
				multi_mem += x->mq[i].argv[j].len;
		idle_ms = 0;
	}
	tot = sizeof(*x) + qcap + ocap + argv_mem + multi_mem +
	      (unsigned long long)atomic_load_explicit(&pub->argv_cap,
						       memory_order_relaxed) *
	      sizeof(struct st_arg);
	st_buf_printf(b, "id=%llu addr=%s laddr=%s fd=-1 name=%s age=%lld idle=%lld "
		  "flags=%s db=%d sub=0 psub=0 ssub=0 multi=%d qbuf=%zu "
		  "qbuf-free=%zu argv-mem=%llu multi-mem=%llu rbs=%zu rbp=%zu "
		  "obl=%zu oll=0 omem=0 tot-mem=%llu events=r cmd=%s "
		  "user=default redir=-1 resp=%d",
		  (unsigned long long)x->id, x->addr, x->laddr,
		  x->name ? x->name : "",
		  (long long)((now - x->ctime_ms) / 1000),
		  (long long)(idle_ms > 0 ? idle_ms / 1000 : 0), flags,
		  atomic_load_explicit(&pub->db, memory_order_relaxed),
		  (f & (ST_CLIENT_MULTI | ST_CLIENT_IN_EXEC)) ? mq_len : -1, qlen,
		  qcap > qlen ? qcap - qlen : 0, argv_mem, multi_mem,
		  ocap, olen, olen, tot, cmd ? cmd : "NULL",
		  atomic_load_explicit(&pub->resp, memory_order_relaxed));
}

static void
reply_text(struct st_client *c, struct st_buf *b)
{
	st_reply_verbatim(c, b->p ? b->p : "", b->len, "txt");
}

static void
client_id_command(struct st_client *c)
{
	st_reply_int(c, (long long)c->id);
}

static void
client_setname_command(struct st_client *c)
{
	if (set_name_or_reply(c, &c->argv[2]))
		st_reply_ok(c);
}

static void
client_getname_command(struct st_client *c)
{
	if (c->name)
		st_reply_bulk_cstr(c, c->name);
	else
		st_reply_null(c);
}

static void
client_info_command(struct st_client *c)
{
	struct st_buf b;

	st_buf_init(&b);
	client_info_line(&b, c, c);
	st_buf_putc(&b, '\n');
	reply_text(c, &b);
	st_buf_free(&b);
}

/* CLIENT LIST collects lines newest first (registry order) and reverses. */
struct list_ctx {
	struct st_client *self;
	int type;			/* -1 = any */
	long long id;			/* 0 = any */
	bool seen_self;
	struct st_buf *lines;		/* one buffer per matching client */
	int n, cap;
};

/* Format x's line into a new slot, at the end or (front) at index 0. */
static void
list_add(struct list_ctx *lc, struct st_client *x, bool front)
{
	struct st_buf *line;

	if (lc->n == lc->cap) {
		lc->cap = lc->cap ? lc->cap * 2 : 8;
		lc->lines = st_realloc(lc->lines, sizeof(*lc->lines) * (size_t)lc->cap);
	}
	if (front)
		memmove(lc->lines + 1, lc->lines, sizeof(*lc->lines) * (size_t)lc->n);
	line = front ? &lc->lines[0] : &lc->lines[lc->n];
	lc->n++;
	st_buf_init(line);
	client_info_line(line, x, lc->self);
	st_buf_putc(line, '\n');
}

static bool
list_match(struct list_ctx *lc, struct st_client *x)
{
	return (lc->type < 0 || client_type(x) == lc->type) &&
	       (lc->id == 0 || x->id == (uint64_t)lc->id);
}

static void
list_cb(struct st_client *x, void *arg)
{
	struct list_ctx *lc = arg;

	if (x == lc->self)
		lc->seen_self = true;
	if (list_match(lc, x))
		list_add(lc, x, false);
}

static void
list_collect(struct list_ctx *lc, int type, long long id)
{
	lc->type = type;
	lc->id = id;
	lc->seen_self = false;
	st_client_foreach(list_cb, lc);
	/* The caller always exists, registered with the transport or not; as
	 * the newest connection it goes first in a full list (which is then
	 * reversed), at the end of an ID lookup (which is not). */
	if (!lc->seen_self && list_match(lc, lc->self))
		list_add(lc, lc->self, id == 0);
}

static void
client_list_command(struct st_client *c)
{
	struct list_ctx lc = { .self = c };
	struct st_buf out;

	st_buf_init(&out);
	if (c->argc == 4 && st_arg_is(&c->argv[2], "type")) {
		int type = client_type_by_name(&c->argv[3]);

		if (type < 0) {
			reply_unknown_type(c, &c->argv[3]);
			st_buf_free(&out);
			return;
		}
		list_collect(&lc, type, 0);
		for (int i = lc.n; i-- > 0;)
			st_buf_append(&out, lc.lines[i].p, lc.lines[i].len);
	} else if (c->argc > 3 && st_arg_is(&c->argv[2], "id")) {
		long long id;

		for (int j = 3; j < c->argc; j++) {
			if (st_str2ll(c->argv[j].p, c->argv[j].len, &id) != 0) {
				st_reply_error(c, "Invalid client ID");
				st_buf_free(&out);
				return;
			}
		}
		/* in the order asked, as Redis */
		for (int j = 3; j < c->argc; j++) {
			int before = lc.n;

			st_str2ll(c->argv[j].p, c->argv[j].len, &id);
			if (id <= 0)
				continue;
			list_collect(&lc, -1, id);
			for (int i = before; i < lc.n; i++)
				st_buf_append(&out, lc.lines[i].p, lc.lines[i].len);
		}
	} else if (c->argc != 2) {
		st_reply_error(c, ST_ERR_SYNTAX);
		st_buf_free(&out);
		return;
	} else {
		list_collect(&lc, -1, 0);
		for (int i = lc.n; i-- > 0;)
			st_buf_append(&out, lc.lines[i].p, lc.lines[i].len);
	}
	reply_text(c, &out);
	for (int i = 0; i < lc.n; i++)
		st_buf_free(&lc.lines[i]);
	st_free(lc.lines);
	st_buf_free(&out);
}

struct kill_ctx {
	struct st_client *self;
	const struct st_arg *addr, *laddr;
	int type;
	long long id;
	bool skipme;
	bool kill_self;
	long long killed;
};

static bool
str_is(const char *s, const struct st_arg *a)
{
	return strlen(s) == a->len && memcmp(s, a->p, a->len) == 0;
}

static void
kill_cb(struct st_client *x, void *arg)
{
	struct kill_ctx *k = arg;

	if (k->addr && !str_is(x->addr, k->addr))
		return;
	if (k->laddr && !str_is(x->laddr, k->laddr))
		return;
	if (k->type >= 0 && client_type(x) != k->type)
		return;
	if (k->id && x->id != (uint64_t)k->id)
		return;
	if (x == k->self) {
		if (k->skipme)
			return;
		k->kill_self = true;
		k->killed++;
		return;
	}
	/* already on its way out: Redis would have freed it */
	if (atomic_exchange(&x->kill, 1) == 0)
		k->killed++;
}

static void
client_kill_command(struct st_client *c)
{
	struct kill_ctx k = { .self = c, .type = -1, .skipme = true };

	if (c->argc == 3) {
		/* old form: CLIENT KILL ip:port, may kill the caller */
		k.addr = &c->argv[2];
		k.skipme = false;
	}
	for (int i = 2; c->argc > 3 && i < c->argc; i += 2) {
		const struct st_arg *opt = &c->argv[i];
		const struct st_arg *val = i + 1 < c->argc ? &c->argv[i + 1] : NULL;

		if (st_arg_is(opt, "id") && val) {
			if (st_str2ll(val->p, val->len, &k.id) != 0 || k.id < 1) {
				st_reply_error(c, "client-id should be greater than 0");
				return;
			}
		} else if (st_arg_is(opt, "type") && val) {
			k.type = client_type_by_name(val);
			if (k.type < 0) {
				reply_unknown_type(c, val);
				return;
			}
		} else if (st_arg_is(opt, "addr") && val) {
			k.addr = val;
		} else if (st_arg_is(opt, "laddr") && val) {
			k.laddr = val;
		} else if (st_arg_is(opt, "user") && val) {
			if (!(val->len == 7 && memcmp(val->p, "default", 7) == 0)) {
				st_reply_errorf(c, "No such user '%.*s'",
						(int)val->len, val->p);
				return;
			}
		} else if (st_arg_is(opt, "skipme") && val) {
			if (st_arg_is(val, "yes")) {
				k.skipme = true;
			} else if (st_arg_is(val, "no")) {
				k.skipme = false;
			} else {
				st_reply_error(c, ST_ERR_SYNTAX);
				return;
			}
		} else {
			st_reply_error(c, ST_ERR_SYNTAX);
			return;
		}
	}
	st_client_foreach(kill_cb, &k);
	/* An unregistered caller (tests, internal links) is matched here; a
	 * registered one was seen by kill_cb with the same criteria. */
	if (!k.kill_self && !k.skipme &&
	    (!k.addr || str_is(c->addr, k.addr)) &&
	    (!k.laddr || str_is(c->laddr, k.laddr)) &&
	    (k.type < 0 || client_type(c) == k.type) &&
	    (!k.id || c->id == (uint64_t)k.id)) {
		k.kill_self = true;
		k.killed++;
	}
	if (c->argc == 3) {
		if (k.killed == 0)
			st_reply_error(c, "No such client");
		else
			st_reply_ok(c);
	} else {
		st_reply_int(c, k.killed);
	}
	if (k.kill_self)
		c->flags |= ST_CLIENT_CLOSE_AFTER_REPLY;
}

/* ---- CONFIG ---------------------------------------------------------------------- */

#define CONFIG_VALUE_MAX 1024

static bool
has_glob(const struct st_arg *a)
{
	for (size_t i = 0; i < a->len; i++)
		if (a->p[i] == '*' || a->p[i] == '?' || a->p[i] == '[')
			return true;
	return false;
}

static ssize_t
config_index(const char *name, size_t len)
{
	size_t n = st_config_count();

	for (size_t i = 0; i < n; i++) {
		const char *p = st_config_name_at(i);

		if (strlen(p) == len && strncasecmp(p, name, len) == 0)
			return (ssize_t)i;
	}
	return -1;
}

static void
config_get_command(struct st_client *c)
{
	size_t n = st_config_count(), handle;
	bool *seen = st_calloc(sizeof(*seen) * (n ? n : 1));
	char val[CONFIG_VALUE_MAX];
	long long nreplied = 0;

	handle = st_reply_deferred_len(c);
	for (int a = 2; a < c->argc; a++) {
		const struct st_arg *pat = &c->argv[a];

		if (!has_glob(pat)) {
			ssize_t i = config_index(pat->p, pat->len);

			if (i < 0 || seen[i])
				continue;
			seen[i] = true;
			st_config_get(st_config_name_at((size_t)i), val, sizeof(val));
			st_reply_bulk(c, pat->p, pat->len);	/* as typed */
			st_reply_bulk_cstr(c, val);
			nreplied++;
			continue;
		}
		for (size_t i = 0; i < n; i++) {
			const char *name = st_config_name_at(i);

			if (seen[i] || !st_glob_match(pat->p, pat->len, name,
						      strlen(name), true))
				continue;
			seen[i] = true;
			st_config_get(name, val, sizeof(val));
			st_reply_bulk_cstr(c, name);
			st_reply_bulk_cstr(c, val);
			nreplied++;
		}
	}
	st_reply_set_deferred_map_len(c, handle, nreplied);
	st_free(seen);
}

/* CONFIG SET is the only writer of parameters once workers run. */
static pthread_mutex_t config_set_lock = PTHREAD_MUTEX_INITIALIZER;

/*
 * CONFIG SET name value [name value ...], all or nothing, with Redis 7.0's
 * order of checks: unknown names first (over all pairs), then per pair
 * immutability and duplicates, then the values in order; a bad value
 * restores the pairs already set.  Serialised by config_set_lock.
 */
static void
config_set_locked(struct st_client *c, int npairs, ssize_t *idx, char **old)
{
	char err[256], cur[CONFIG_VALUE_MAX];
	int i, done = 0;

	for (i = 0; i < npairs; i++) {
		const struct st_arg *name = &c->argv[2 + 2 * i];
		const char *why = NULL;

		/* immutability: setting the current value changes nothing
		 * for a mutable parameter and is refused for the others */
		st_config_get(st_config_name_at((size_t)idx[i]), cur, sizeof(cur));
		if (st_config_set(st_config_name_at((size_t)idx[i]), cur, err,
				  sizeof(err)) != 0)
			why = err;
		for (int j = 0; j < i && !why; j++)
			if (idx[j] == idx[i])
				why = "duplicate parameter";
		if (why) {
			st_reply_errorf(c, "CONFIG SET failed (possibly related to "
					"argument '%.*s') - %s", (int)name->len,
					name->p, why);
			return;
		}
	}
	for (i = 0; i < npairs; i++) {
		const char *cname = st_config_name_at((size_t)idx[i]);
		const struct st_arg *v = &c->argv[3 + 2 * i];
		char *value = st_strndup(v->p, v->len);
		int rc;

		st_config_get(cname, cur, sizeof(cur));
		old[i] = st_strndup(cur, strlen(cur));
		done = i + 1;
		rc = st_config_set(cname, value, err, sizeof(err));
		st_free(value);
		if (rc != 0) {
			char ignored[256];

			for (int j = done; j-- > 0;)
				st_config_set(st_config_name_at((size_t)idx[j]),
					      old[j], ignored, sizeof(ignored));
			st_reply_errorf(c, "CONFIG SET failed (possibly related to "
					"argument '%s') - %s", cname, err);
			goto out;
		}
		if (strcmp(cname, "requirepass") == 0)
			/* as in Redis, a connection keeps the access it had */
			c->flags |= ST_CLIENT_AUTHENTICATED;
	}
	st_reply_ok(c);
out:
	for (i = 0; i < done; i++)
		st_free(old[i]);
}

static void
config_set_command(struct st_client *c)
{
	int npairs = (c->argc - 2) / 2;
	ssize_t *idx;
	char **old;

	if (c->argc & 1) {
		st_reply_error(c, ST_ERR_SYNTAX);
		return;
	}
	idx = st_malloc(sizeof(*idx) * (size_t)npairs);
	old = st_malloc(sizeof(*old) * (size_t)npairs);
	for (int i = 0; i < npairs; i++) {
		const struct st_arg *name = &c->argv[2 + 2 * i];

		idx[i] = config_index(name->p, name->len);
		if (idx[i] < 0) {
			st_reply_errorf(c, "Unknown option or number of arguments "
					"for CONFIG SET - '%.*s'",
					(int)name->len, name->p);
			goto out;
		}
	}
	pthread_mutex_lock(&config_set_lock);
	config_set_locked(c, npairs, idx, old);
	pthread_mutex_unlock(&config_set_lock);
out:
	st_free(idx);
	st_free(old);
}

static void
config_resetstat_command(struct st_client *c)
{
	struct stat_base now;

	stats_now(&now);
	pthread_mutex_lock(&base_lock);
	base = now;
	pthread_mutex_unlock(&base_lock);
	atomic_store(&mem_peak, st_mem_used());
	{
		const struct st_info_section *h = atomic_load(&info_host);

		const struct st_role_hooks *rh = st_role_hooks();

		if (h != NULL && h->resetstat != NULL)
			h->resetstat(h->arg);
		if (rh != NULL && rh->resetstat != NULL)
			rh->resetstat();
	}
	st_reply_ok(c);
}

static void
config_rewrite_command(struct st_client *c)
{
	st_reply_error(c, "The server is running without a config file");
}

/* ---- INFO ----------------------------------------------------------------------- */

enum {
	SEC_SERVER = 1 << 0,
	SEC_CLIENTS = 1 << 1,
	SEC_MEMORY = 1 << 2,
	SEC_PERSISTENCE = 1 << 3,
	SEC_STATS = 1 << 4,
	SEC_REPLICATION = 1 << 5,
	SEC_CPU = 1 << 6,
	SEC_MODULES = 1 << 7,
	SEC_COMMANDSTATS = 1 << 8,
	SEC_ERRORSTATS = 1 << 9,
	SEC_LATENCYSTATS = 1 << 10,
	SEC_CLUSTER = 1 << 11,
	SEC_KEYSPACE = 1 << 12,
	SEC_HOST = 1 << 13,		/* st_set_info_section's */
};

#define SEC_DEFAULT (SEC_SERVER | SEC_CLIENTS | SEC_MEMORY | SEC_PERSISTENCE | \
		     SEC_STATS | SEC_REPLICATION | SEC_CPU | SEC_MODULES | \
		     SEC_ERRORSTATS | SEC_CLUSTER | SEC_KEYSPACE)
#define SEC_ALL (SEC_DEFAULT | SEC_COMMANDSTATS | SEC_LATENCYSTATS)

static const struct {
	const char *name;
	unsigned bit;
} info_sections[] = {
	{ "server", SEC_SERVER },	{ "clients", SEC_CLIENTS },
	{ "memory", SEC_MEMORY },	{ "persistence", SEC_PERSISTENCE },
	{ "stats", SEC_STATS },		{ "replication", SEC_REPLICATION },
	{ "cpu", SEC_CPU },		{ "modules", SEC_MODULES },
	{ "module_list", SEC_MODULES },	{ "commandstats", SEC_COMMANDSTATS },
	{ "errorstats", SEC_ERRORSTATS }, { "latencystats", SEC_LATENCYSTATS },
	{ "cluster", SEC_CLUSTER },	{ "keyspace", SEC_KEYSPACE },
	{ "default", SEC_DEFAULT },	{ "all", SEC_ALL },
	{ "everything", SEC_ALL | SEC_HOST },
};

static unsigned
info_parse_sections(struct st_client *c)
{
	unsigned mask = 0;
	const struct st_info_section *h = atomic_load(&info_host);

	if (c->argc == 1)
		return SEC_DEFAULT;
	for (int i = 1; i < c->argc; i++) {
		if (h != NULL && strlen(h->name) == c->argv[i].len &&
		    strncasecmp(h->name, c->argv[i].p, c->argv[i].len) == 0)
			mask |= SEC_HOST;
		for (size_t s = 0; s < sizeof(info_sections) / sizeof(info_sections[0]); s++)
			if (strlen(info_sections[s].name) == c->argv[i].len &&
			    strncasecmp(info_sections[s].name, c->argv[i].p,
					c->argv[i].len) == 0)
				mask |= info_sections[s].bit;
	}
	return mask;
}

/* Start a section: a blank line before every section but the first. */
static void
info_section(struct st_buf *b, int *nsec, const char *title)
{
	if ((*nsec)++)
		st_buf_append(b, "\r\n", 2);
	st_buf_printf(b, "# %s\r\n", title);
}

static void
info_server(struct st_buf *b)
{
	struct utsname u;
	char exe[PATH_MAX];
	ssize_t el = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	int64_t now_us = st_ustime();
	int64_t up = (now_us / 1000 - start_ms) / 1000;

	exe[el > 0 ? el : 0] = '\0';
	uname(&u);
	st_buf_printf(b,
		  "redis_version:" REDIS_VERSION "\r\n"
		  "ferry_version:" FERRY_VERSION "\r\n"
		  "redis_git_sha1:00000000\r\n"
		  "redis_git_dirty:0\r\n"
		  "redis_build_id:0\r\n"
		  "redis_mode:standalone\r\n"
		  "os:%s %s %s\r\n"
		  "arch_bits:%d\r\n"
		  "monotonic_clock:POSIX clock_gettime\r\n"
		  "multiplexing_api:polling\r\n"
		  "atomicvar_api:c11-builtin\r\n"
		  "gcc_version:%d.%d.%d\r\n"
		  "process_id:%ld\r\n"
		  "process_supervised:no\r\n"
		  "run_id:%s\r\n"
		  "tcp_port:%d\r\n"
		  "server_time_usec:%lld\r\n"
		  "uptime_in_seconds:%lld\r\n"
		  "uptime_in_days:%lld\r\n"
		  "hz:%d\r\n"
		  "configured_hz:%d\r\n"
		  "lru_clock:%lld\r\n"
		  "executable:%s\r\n"
		  "config_file:\r\n"
		  "io_threads_active:0\r\n",
		  u.sysname, u.release, u.machine,
		  (int)(sizeof(void *) * 8),
#ifdef __GNUC__
		  __GNUC__, __GNUC_MINOR__, __GNUC_PATCHLEVEL__,
#else
		  0, 0, 0,
#endif
		  (long)getpid(), run_id, st_cfg.port, (long long)now_us,
		  (long long)up, (long long)(up / 86400), st_cfg.hz, st_cfg.hz,
		  (long long)((now_us / 1000000) & ((1 << 24) - 1)), exe);
}

static void
info_clients(struct st_buf *b)
{
	st_buf_printf(b,
		  "connected_clients:%zu\r\n"
		  "cluster_connections:0\r\n"
		  "maxclients:%lld\r\n"
		  "client_recent_max_input_buffer:0\r\n"
		  "client_recent_max_output_buffer:0\r\n"
		  "blocked_clients:0\r\n"
		  "tracking_clients:0\r\n"
		  "clients_in_timeout_table:0\r\n",
		  st_client_count(), st_cfg.maxclients);
}

static unsigned long long
rss_bytes(void)
{
	FILE *f = fopen("/proc/self/statm", "r");
	unsigned long long size = 0, res = 0;

	if (f == NULL)
		return 0;
	if (fscanf(f, "%llu %llu", &size, &res) != 2)
		res = 0;
	fclose(f);
	return res * (unsigned long long)sysconf(_SC_PAGESIZE);
}

static void
info_memory(struct st_buf *b)
{
	int64_t peak, used = mem_used_and_peak(&peak);
	unsigned long long rss = rss_bytes();
	unsigned long long sysmem = (unsigned long long)sysconf(_SC_PHYS_PAGES) *
				    (unsigned long long)sysconf(_SC_PAGESIZE);
	long long maxmem = st_cfg.maxmemory;
	char h_used[32], h_rss[32], h_peak[32], h_sys[32], h_max[32];
	char policy[64];

	bytes_to_human(h_used, sizeof(h_used), (unsigned long long)used);
	bytes_to_human(h_rss, sizeof(h_rss), rss);
	bytes_to_human(h_peak, sizeof(h_peak), (unsigned long long)peak);
	bytes_to_human(h_sys, sizeof(h_sys), sysmem);
	bytes_to_human(h_max, sizeof(h_max), (unsigned long long)maxmem);
	if (st_config_get("maxmemory-policy", policy, sizeof(policy)) != 0)
		policy[0] = '\0';
	st_buf_printf(b,
		  "used_memory:%lld\r\n"
		  "used_memory_human:%s\r\n"
		  "used_memory_rss:%llu\r\n"
		  "used_memory_rss_human:%s\r\n"
		  "used_memory_peak:%lld\r\n"
		  "used_memory_peak_human:%s\r\n"
		  "used_memory_peak_perc:%.2f%%\r\n"
		  "total_system_memory:%llu\r\n"
		  "total_system_memory_human:%s\r\n"
		  "used_memory_lua:0\r\n"
		  "used_memory_scripts:0\r\n"
		  "number_of_cached_scripts:0\r\n"
		  "maxmemory:%lld\r\n"
		  "maxmemory_human:%s\r\n"
		  "maxmemory_policy:%s\r\n"
		  "mem_allocator:libc\r\n"
		  "lazyfree_pending_objects:0\r\n",
		  (long long)used, h_used, rss, h_rss, (long long)peak, h_peak,
		  peak > 0 ? (double)used * 100 / (double)peak : 100.0,
		  sysmem, h_sys, maxmem, h_max, policy);
}

static void
info_persistence(struct st_buf *b)
{
	st_buf_printf(b,
		  "loading:0\r\n"
		  "async_loading:0\r\n"
		  "rdb_changes_since_last_save:0\r\n"
		  "rdb_bgsave_in_progress:0\r\n"
		  "rdb_last_save_time:%lld\r\n"
		  "rdb_last_bgsave_status:ok\r\n"
		  "rdb_last_bgsave_time_sec:-1\r\n"
		  "rdb_current_bgsave_time_sec:-1\r\n"
		  "rdb_saves:0\r\n"
		  "aof_enabled:0\r\n"
		  "aof_rewrite_in_progress:0\r\n"
		  "aof_rewrite_scheduled:0\r\n"
		  "aof_last_rewrite_time_sec:-1\r\n"
		  "aof_current_rewrite_time_sec:-1\r\n"
		  "aof_last_bgrewrite_status:ok\r\n"
		  "aof_rewrites:0\r\n"
		  "aof_last_write_status:ok\r\n"
		  "module_fork_in_progress:0\r\n",
		  (long long)(start_ms / 1000));
}

/* Highest client id seen: ids are handed out in order from 1, so while the
 * newest connection lives this is the number of connections received. */
static void
max_id_cb(struct st_client *x, void *arg)
{
	uint64_t *m = arg;

	if (x->id > *m)
		*m = x->id;
}

static void
info_stats(struct st_buf *b, struct st_client *c)
{
	struct stat_base s;
	uint64_t conns = c->id;
	const struct st_role_hooks *rh = st_role_hooks();
	unsigned long long sync_full = 0, sync_ok = 0, sync_err = 0;

	stats_since_reset(&s);
	st_client_foreach(max_id_cb, &conns);
	if (rh != NULL && rh->sync_stats != NULL)
		rh->sync_stats(&sync_full, &sync_ok, &sync_err);
	st_buf_printf(b,
		  "total_connections_received:%llu\r\n"
		  "total_commands_processed:%llu\r\n"
		  "instantaneous_ops_per_sec:0\r\n"
		  "rejected_connections:0\r\n"
		  "sync_full:%llu\r\n"
		  "sync_partial_ok:%llu\r\n"
		  "sync_partial_err:%llu\r\n"
		  "expired_keys:%llu\r\n"
		  "expired_stale_perc:0.00\r\n"
		  "expired_time_cap_reached_count:0\r\n"
		  "evicted_keys:%llu\r\n"
		  "evicted_clients:0\r\n"
		  "keyspace_hits:%llu\r\n"
		  "keyspace_misses:%llu\r\n"
		  "pubsub_channels:0\r\n"
		  "pubsub_patterns:0\r\n"
		  "pubsubshard_channels:0\r\n"
		  "latest_fork_usec:0\r\n"
		  "total_forks:0\r\n"
		  "migrate_cached_sockets:0\r\n"
		  "slave_expires_tracked_keys:0\r\n"
		  "active_defrag_hits:0\r\n"
		  "active_defrag_misses:0\r\n"
		  "active_defrag_key_hits:0\r\n"
		  "active_defrag_key_misses:0\r\n"
		  "tracking_total_keys:0\r\n"
		  "tracking_total_items:0\r\n"
		  "tracking_total_prefixes:0\r\n"
		  "unexpected_error_replies:0\r\n"
		  "rejected_calls:%llu\r\n"
		  "lockfree_read_retries:%llu\r\n",
		  (unsigned long long)conns, (unsigned long long)s.commands,
		  sync_full, sync_ok, sync_err,
		  (unsigned long long)s.expired, (unsigned long long)s.evicted,
		  (unsigned long long)s.hits, (unsigned long long)s.misses,
		  (unsigned long long)s.rejected, (unsigned long long)s.retries);
}

static void
info_replication(struct st_buf *b)
{
	st_buf_printf(b,
		  "role:master\r\n"
		  "connected_slaves:0\r\n"
		  "master_failover_state:no-failover\r\n"
		  "master_replid:%s\r\n"
		  "master_replid2:0000000000000000000000000000000000000000\r\n"
		  "master_repl_offset:%llu\r\n"
		  "second_repl_offset:-1\r\n"
		  "repl_backlog_active:0\r\n"
		  "repl_backlog_size:%lld\r\n"
		  "repl_backlog_first_byte_offset:0\r\n"
		  "repl_backlog_histlen:0\r\n",
		  master_replid, 0ULL,
		  st_cfg.repl_backlog_size);
}

static void
info_cpu(struct st_buf *b)
{
	struct rusage self, children, thread;

	getrusage(RUSAGE_SELF, &self);
	getrusage(RUSAGE_CHILDREN, &children);
	getrusage(RUSAGE_THREAD, &thread);
	st_buf_printf(b,
		  "used_cpu_sys:%ld.%06ld\r\n"
		  "used_cpu_user:%ld.%06ld\r\n"
		  "used_cpu_sys_children:%ld.%06ld\r\n"
		  "used_cpu_user_children:%ld.%06ld\r\n"
		  "used_cpu_sys_main_thread:%ld.%06ld\r\n"
		  "used_cpu_user_main_thread:%ld.%06ld\r\n",
		  (long)self.ru_stime.tv_sec, (long)self.ru_stime.tv_usec,
		  (long)self.ru_utime.tv_sec, (long)self.ru_utime.tv_usec,
		  (long)children.ru_stime.tv_sec, (long)children.ru_stime.tv_usec,
		  (long)children.ru_utime.tv_sec, (long)children.ru_utime.tv_usec,
		  (long)thread.ru_stime.tv_sec, (long)thread.ru_stime.tv_usec,
		  (long)thread.ru_utime.tv_sec, (long)thread.ru_utime.tv_usec);
}

static void
info_keyspace(struct st_buf *b)
{
	for (int i = 0; i < ST_DBNUM; i++) {
		long long keys = st_db_size(i);
		long long expires = atomic_load(&st_db_get(i)->expires);

		if (keys <= 0)
			continue;
		st_buf_printf(b, "db%d:keys=%lld,expires=%lld,avg_ttl=0\r\n", i, keys,
			  expires > 0 ? expires : 0);
	}
}

static void
info_command(struct st_client *c)
{
	unsigned mask = info_parse_sections(c);
	struct st_buf b;
	int nsec = 0;

	st_buf_init(&b);
	if (mask & SEC_SERVER) {
		info_section(&b, &nsec, "Server");
		info_server(&b);
	}
	if (mask & SEC_CLIENTS) {
		info_section(&b, &nsec, "Clients");
		info_clients(&b);
	}
	if (mask & SEC_MEMORY) {
		info_section(&b, &nsec, "Memory");
		info_memory(&b);
	}
	if (mask & SEC_PERSISTENCE) {
		info_section(&b, &nsec, "Persistence");
		info_persistence(&b);
	}
	if (mask & SEC_STATS) {
		info_section(&b, &nsec, "Stats");
		info_stats(&b, c);
	}
	if (mask & SEC_REPLICATION) {
		const struct st_role_hooks *rh = st_role_hooks();

		info_section(&b, &nsec, "Replication");
		if (rh != NULL && rh->info != NULL)
			rh->info(&b);
		else
			info_replication(&b);
	}
	if (mask & SEC_CPU) {
		info_section(&b, &nsec, "CPU");
		info_cpu(&b);
	}
	if (mask & SEC_MODULES)
		info_section(&b, &nsec, "Modules");
	if (mask & SEC_COMMANDSTATS)
		info_section(&b, &nsec, "Commandstats");
	if (mask & SEC_ERRORSTATS)
		info_section(&b, &nsec, "Errorstats");
	if (mask & SEC_LATENCYSTATS)
		info_section(&b, &nsec, "Latencystats");
	if (mask & SEC_CLUSTER) {
		info_section(&b, &nsec, "Cluster");
		st_buf_printf(&b, "cluster_enabled:0\r\n");
	}
	if (mask & SEC_KEYSPACE) {
		info_section(&b, &nsec, "Keyspace");
		info_keyspace(&b);
	}
	if (mask & SEC_HOST) {
		const struct st_info_section *h = atomic_load(&info_host);

		if (h != NULL) {
			info_section(&b, &nsec, h->title);
			h->write(&b, h->arg);
		}
	}
	reply_text(c, &b);
	st_buf_free(&b);
}

/* ---- the table --------------------------------------------------------------- */

#define LOADING_STALE (ST_CMD_LOADING | ST_CMD_STALE)
#define CONN_FLAGS (ST_CMD_NOSCRIPT | LOADING_STALE | ST_CMD_FAST | \
		    ST_CMD_NO_AUTH | ST_CMD_ALLOW_BUSY)
#define ADMIN_FLAGS (ST_CMD_ADMIN | ST_CMD_NOSCRIPT | LOADING_STALE)
#define CLIENT_FLAGS (ST_CMD_NOSCRIPT | LOADING_STALE)

static const struct st_cmd config_subcmds[] = {
	{ "config|get", -3, ADMIN_FLAGS, 0, 0, 0, NULL, config_get_command,
	  "server", "Returns the effective values of configuration parameters.",
	  "2.0.0", "parameter [parameter ...]", "@admin @slow @dangerous", NULL },
	{ "config|set", -4, ADMIN_FLAGS, 0, 0, 0, NULL, config_set_command,
	  "server", "Sets configuration parameters in-flight.", "2.0.0",
	  "parameter value [parameter value ...]", "@admin @slow @dangerous",
	  NULL },
	{ "config|resetstat", 2, ADMIN_FLAGS, 0, 0, 0, NULL,
	  config_resetstat_command, "server", "Resets the server's statistics.",
	  "2.0.0", "", "@admin @slow @dangerous", NULL },
	{ "config|rewrite", 2, ADMIN_FLAGS, 0, 0, 0, NULL, config_rewrite_command,
	  "server", "Persists the effective configuration to file.", "2.8.0", "",
	  "@admin @slow @dangerous", NULL },
	{ "config|help", 2, LOADING_STALE, 0, 0, 0, NULL, config_help_command,
	  "server", "Returns helpful text about the different subcommands.",
	  "5.0.0", "", "@slow", NULL },
	{ 0 }
};

static const struct st_cmd client_subcmds[] = {
	{ "client|id", 2, CLIENT_FLAGS, 0, 0, 0, NULL, client_id_command,
	  "connection", "Returns the unique client ID of the connection.",
	  "5.0.0", "", "@slow @connection", NULL },
	{ "client|setname", 3, CLIENT_FLAGS, 0, 0, 0, NULL,
	  client_setname_command, "connection", "Sets the connection name.",
	  "2.6.9", "connection-name", "@slow @connection", NULL },
	{ "client|getname", 2, CLIENT_FLAGS, 0, 0, 0, NULL,
	  client_getname_command, "connection",
	  "Returns the name of the connection.", "2.6.9", "",
	  "@slow @connection", NULL },
	{ "client|list", -2, ADMIN_FLAGS, 0, 0, 0, NULL, client_list_command,
	  "connection", "Lists open connections.", "2.4.0",
	  "[TYPE NORMAL|MASTER|REPLICA|PUBSUB] [ID client-id [client-id ...]]",
	  "@admin @slow @dangerous @connection", NULL },
	{ "client|info", 2, CLIENT_FLAGS, 0, 0, 0, NULL, client_info_command,
	  "connection", "Returns information about the connection.", "6.2.0", "",
	  "@slow @connection", NULL },
	{ "client|kill", -3, ADMIN_FLAGS, 0, 0, 0, NULL, client_kill_command,
	  "connection", "Terminates open connections.", "2.4.0",
	  "ip:port|[ID client-id] [TYPE NORMAL|MASTER|SLAVE|REPLICA|PUBSUB] "
	  "[USER username] [ADDR ip:port] [LADDR ip:port] [SKIPME YES|NO]",
	  "@admin @slow @dangerous @connection", NULL },
	{ "client|help", 2, LOADING_STALE, 0, 0, 0, NULL, client_help_command,
	  "connection", "Returns helpful text about the different subcommands.",
	  "5.0.0", "", "@slow @connection", NULL },
	{ 0 }
};

static const struct st_cmd command_subcmds[] = {
	{ "command|count", 2, LOADING_STALE, 0, 0, 0, NULL,
	  st_command_count_command, "server",
	  "Returns a count of commands.", "2.8.13", "", "@slow @connection",
	  NULL },
	{ "command|info", -2, LOADING_STALE, 0, 0, 0, NULL,
	  st_command_info_command, "server",
	  "Returns information about one, multiple or all commands.", "2.8.13",
	  "[command-name [command-name ...]]", "@slow @connection", NULL },
	{ "command|docs", -2, LOADING_STALE, 0, 0, 0, NULL,
	  st_command_docs_command, "server",
	  "Returns documentary information about one, multiple or all commands.",
	  "7.0.0", "[command-name [command-name ...]]", "@slow @connection",
	  NULL },
	{ "command|list", -2, LOADING_STALE, 0, 0, 0, NULL,
	  st_command_list_command, "server", "Returns a list of command names.",
	  "7.0.0", "[FILTERBY MODULE module-name|ACLCAT category|PATTERN pattern]",
	  "@slow @connection", NULL },
	{ "command|getkeys", -4, LOADING_STALE, 0, 0, 0, NULL,
	  st_command_getkeys_command, "server",
	  "Extracts the key names from an arbitrary command.", "2.8.13",
	  "command [arg [arg ...]]", "@slow @connection", NULL },
	{ "command|help", 2, LOADING_STALE, 0, 0, 0, NULL, command_help_command,
	  "server", "Returns helpful text about the different subcommands.",
	  "5.0.0", "", "@slow @connection", NULL },
	{ 0 }
};

const struct st_cmd st_cmds_server[] = {
	{ "ping", -1, ST_CMD_FAST, 0, 0, 0, NULL, ping_command, "connection",
	  "Returns the server's liveliness response.", "1.0.0", "[message]",
	  "@fast @connection", NULL },
	{ "echo", 2, LOADING_STALE | ST_CMD_FAST, 0, 0, 0, NULL, echo_command,
	  "connection", "Returns the given string.", "1.0.0", "message",
	  "@fast @connection", NULL },
	{ "hello", -1, CONN_FLAGS, 0, 0, 0, NULL, hello_command, "connection",
	  "Handshakes with the Redis server.", "6.0.0",
	  "[protover [AUTH username password] [SETNAME clientname]]",
	  "@fast @connection", NULL },
	{ "auth", -2, CONN_FLAGS, 0, 0, 0, NULL, auth_command, "connection",
	  "Authenticates the connection.", "1.0.0", "[username] password",
	  "@fast @connection", NULL },
	{ "quit", -1, CONN_FLAGS, 0, 0, 0, NULL, quit_command, "connection",
	  "Closes the connection.", "1.0.0", "", "@fast @connection", NULL },
	{ "reset", 1, CONN_FLAGS, 0, 0, 0, NULL, reset_command, "connection",
	  "Resets the connection.", "6.2.0", "", "@fast @connection", NULL },
	{ "info", -1, LOADING_STALE, 0, 0, 0, NULL, info_command, "server",
	  "Returns information and statistics about the server.", "1.0.0",
	  "[section [section ...]]", "@slow @dangerous", NULL },
	{ "config", -2, 0, 0, 0, 0, NULL, container_command, "server",
	  "A container for server configuration commands.", "2.0.0", "",
	  "@slow", config_subcmds },
	{ "client", -2, 0, 0, 0, 0, NULL, container_command, "connection",
	  "A container for client connection commands.", "2.4.0", "",
	  "@slow", client_subcmds },
	{ "command", -1, LOADING_STALE, 0, 0, 0, NULL, st_command_command,
	  "server", "Returns detailed information about all commands.",
	  "2.8.13", "", "@slow @connection", command_subcmds },
	{ "time", 1, LOADING_STALE | ST_CMD_FAST, 0, 0, 0, NULL, time_command,
	  "server", "Returns the server time.", "2.6.0", "", "@fast", NULL },
	{ "shutdown", -1, ST_CMD_ADMIN | ST_CMD_NOSCRIPT | LOADING_STALE |
	  ST_CMD_NO_MULTI | ST_CMD_ALLOW_BUSY, 0, 0, 0, NULL, shutdown_command,
	  "server", "Synchronously saves the database(s) to disk and shuts down the Redis server.",
	  "1.0.0", "[NOSAVE|SAVE] [NOW] [FORCE] [ABORT]",
	  "@admin @slow @dangerous", NULL },
	{ "lastsave", 1, LOADING_STALE | ST_CMD_FAST, 0, 0, 0, NULL,
	  lastsave_command, "server",
	  "Returns the Unix timestamp of the last successful save to disk.",
	  "1.0.0", "", "@admin @fast @dangerous", NULL },
	{ 0 }
};
