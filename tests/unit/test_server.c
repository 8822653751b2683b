/*
 * test_server.c -- server and connection commands (store/cmd_server.c):
 * PING, ECHO, TIME, LASTSAVE, HELLO, AUTH, QUIT, RESET, INFO, CONFIG,
 * CLIENT, and maxmemory as seen through CONFIG SET and INFO.
 *
 * Expected bytes come from stock redis-server 7.0.15.  Every test that
 * changes the configuration puts it back before it ends.
 */
#include "harness.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "alloc.h"
#include "buf.h"
#include "command.h"
#include "client.h"
#include "config.h"
#include "keyspace.h"
#include "resp_compose.h"
#include "worker.h"

/* ---- helpers ----------------------------------------------------------------- */

/*
 * Let every deferred free of this thread run: seal the batch, wait for a
 * grace period and the call_rcu callbacks, then run the frees.
 */
static void
grace(void)
{
	st_worker_quiescent();
	urcu_qsbr_synchronize_rcu();
	st_worker_offline();
	urcu_qsbr_barrier();
	st_worker_online();
	st_worker_quiescent();
}

/* The body of a bulk ("$N\r\n...") or verbatim ("=N\r\ntxt:...") reply,
 * copied into a malloc'ed NUL-terminated string. */
static char *
bulk_body(const char *reply)
{
	const char *p;
	long n;
	char *out;

	assert_true(reply[0] == '$' || reply[0] == '=');
	n = strtol(reply + 1, NULL, 10);
	assert_true(n >= 0);
	p = strstr(reply, "\r\n");
	assert_non_null(p);
	p += 2;
	if (reply[0] == '=') {
		assert_memory_equal(p, "txt:", 4);
		p += 4;
		n -= 4;
	}
	assert_memory_equal(p + n, "\r\n", 3);	/* and the NUL after it */
	out = malloc((size_t)n + 1);
	memcpy(out, p, (size_t)n);
	out[n] = '\0';
	return out;
}

/* Assert a bulk reply (RESP2) or verbatim "txt" (RESP3) with this body. */
static void
assert_text_reply(const char *reply, bool resp3, const char *body)
{
	char hdr[32];
	size_t hl, bl = strlen(body);

	hl = (size_t)snprintf(hdr, sizeof(hdr), resp3 ? "=%zu\r\ntxt:" : "$%zu\r\n",
			      bl + (resp3 ? 4 : 0));
	if (strlen(reply) != hl + bl + 2 || memcmp(reply, hdr, hl) != 0 ||
	    memcmp(reply + hl, body, bl) != 0 || memcmp(reply + hl + bl, "\r\n", 2) != 0)
		fail_msg("reply \"%s\" is not text \"%s\"", reply, body);
}

static char *
info_text(struct st_client *c, const char *section)
{
	return bulk_body(section ? th_cmd(c, "INFO", section, NULL)
				 : th_cmd(c, "INFO", NULL));
}

/* Value of "name:value\r\n" in an INFO text; false if absent. */
static bool
info_get(const char *info, const char *name, char *out, size_t outlen)
{
	size_t nl = strlen(name);

	for (const char *p = info; p && *p;) {
		const char *eol = strstr(p, "\r\n");

		if (eol == NULL)
			break;
		if ((size_t)(eol - p) > nl && memcmp(p, name, nl) == 0 &&
		    p[nl] == ':') {
			size_t vl = (size_t)(eol - p) - nl - 1;

			if (vl >= outlen)
				vl = outlen - 1;
			memcpy(out, p + nl + 1, vl);
			out[vl] = '\0';
			return true;
		}
		p = eol + 2;
	}
	return false;
}

static long long
info_ll(struct st_client *c, const char *section, const char *name)
{
	char *info = info_text(c, section);
	char v[128];
	long long n;

	if (!info_get(info, name, v, sizeof(v)))
		fail_msg("INFO %s has no field %s", section ? section : "", name);
	n = strtoll(v, NULL, 10);
	free(info);
	return n;
}

static void
set_config(struct st_client *c, const char *name, const char *value)
{
	assert_string_equal(th_cmd(c, "CONFIG", "SET", name, value, NULL),
			    "+OK\r\n");
}

static char *
big_value(size_t n, char ch)
{
	char *v = malloc(n + 1);

	memset(v, ch, n);
	v[n] = '\0';
	return v;
}

static int
setup(void **state)
{
	(void)state;
	th_init();
	th_flushall();
	grace();
	return 0;
}

/* ---- PING / ECHO / TIME / LASTSAVE ------------------------------------------------ */

static void
test_ping_echo(void **state)
{
	struct st_client *c = th_client();

	(void)state;
	th_assert_reply(c, "+PONG\r\n", "PING");
	th_assert_reply(c, "+PONG\r\n", "ping");
	th_assert_reply(c, "$2\r\nhi\r\n", "PING", "hi");
	th_assert_reply(c, "$0\r\n\r\n", "PING", "");
	th_assert_reply(c, "-ERR wrong number of arguments for 'ping' command\r\n",
			"PING", "a", "b");
	th_assert_reply(c, "$5\r\nhello\r\n", "ECHO", "hello");
	th_assert_reply(c, "$0\r\n\r\n", "ECHO", "");
	th_assert_reply(c, "-ERR wrong number of arguments for 'echo' command\r\n",
			"ECHO");
	th_assert_reply(c, "-ERR wrong number of arguments for 'echo' command\r\n",
			"ECHO", "a", "b");
	{
		const char *argv[] = { "ECHO", "a\0\r\nb" };
		size_t lens[] = { 4, 5 };

		th_cmdv(c, 2, argv, lens);
		assert_int_equal(th_last_len(), 4 + 7);
	}
	/* RESP3 does not change PING */
	th_cmd(c, "HELLO", "3", NULL);
	th_assert_reply(c, "+PONG\r\n", "PING");
	th_assert_reply(c, "$1\r\nx\r\n", "PING", "x");
	st_client_free(c);
}

static void
test_time_lastsave(void **state)
{
	struct st_client *c = th_client();
	const char *r;
	long long sec, usec, now = (long long)time(NULL), last;
	int n1, n2, consumed = 0;

	(void)state;
	r = th_cmd(c, "TIME", NULL);
	assert_int_equal(sscanf(r, "*2\r\n$%d\r\n%lld\r\n$%d\r\n%lld\r\n%n",
				&n1, &sec, &n2, &usec, &consumed), 4);
	assert_int_equal(consumed, (int)strlen(r));
	assert_true(sec >= now - 2 && sec <= now + 2);
	assert_true(usec >= 0 && usec < 1000000);
	assert_int_equal(n1, snprintf(NULL, 0, "%lld", sec));
	assert_int_equal(n2, snprintf(NULL, 0, "%lld", usec));
	th_assert_reply(c, "-ERR wrong number of arguments for 'time' command\r\n",
			"TIME", "x");

	r = th_cmd(c, "LASTSAVE", NULL);
	assert_int_equal(sscanf(r, ":%lld\r\n", &last), 1);
	/* the process start: not in the future, not long ago */
	assert_true(last <= now + 1 && last > now - 600);
	/* constant */
	assert_string_equal(th_cmd(c, "LASTSAVE", NULL), r);
	th_assert_reply(c, "-ERR wrong number of arguments for 'lastsave' command\r\n",
			"LASTSAVE", "x");
	st_client_free(c);
}

/* ---- HELLO ---------------------------------------------------------------------- */

static void
expect_hello(struct st_client *c, int proto, const char *reply)
{
	char exp[512];

	snprintf(exp, sizeof(exp),
		 "%s\r\n$6\r\nserver\r\n$5\r\nredis\r\n$7\r\nversion\r\n"
		 "$6\r\n7.0.15\r\n$5\r\nproto\r\n:%d\r\n$2\r\nid\r\n:%llu\r\n"
		 "$4\r\nmode\r\n$10\r\nstandalone\r\n$4\r\nrole\r\n$6\r\nmaster\r\n"
		 "$7\r\nmodules\r\n*0\r\n",
		 proto == 3 ? "%7" : "*14", proto, (unsigned long long)c->id);
	assert_string_equal(reply, exp);
}

static void
test_hello(void **state)
{
	struct st_client *c = th_client();

	(void)state;
	expect_hello(c, 2, th_cmd(c, "HELLO", NULL));
	expect_hello(c, 2, th_cmd(c, "HELLO", "2", NULL));
	th_cmd(c, "SET", "hk", "v", NULL);

	expect_hello(c, 3, th_cmd(c, "HELLO", "3", NULL));
	assert_int_equal(c->resp, 3);
	/* replies are RESP3 from now on */
	th_assert_reply(c, "_\r\n", "GET", "missing");
	th_assert_reply(c, "%0\r\n", "HGETALL", "missing");
	th_assert_reply(c, "%1\r\n$9\r\nmaxmemory\r\n$1\r\n0\r\n",
			"CONFIG", "GET", "maxmemory");
	expect_hello(c, 3, th_cmd(c, "HELLO", NULL));	/* keeps 3 */

	/* errors leave the protocol alone */
	th_assert_reply(c, "-NOPROTO unsupported protocol version\r\n", "HELLO", "4");
	th_assert_reply(c, "-NOPROTO unsupported protocol version\r\n", "HELLO", "1");
	th_assert_reply(c, "-NOPROTO unsupported protocol version\r\n", "HELLO", "0");
	th_assert_reply(c, "-NOPROTO unsupported protocol version\r\n", "HELLO", "-1");
	th_assert_reply(c, "-ERR Protocol version is not an integer or out of range\r\n",
			"HELLO", "abc");
	th_assert_reply(c, "-ERR Protocol version is not an integer or out of range\r\n",
			"HELLO", "3.0");
	th_assert_reply(c, "-ERR Syntax error in HELLO option 'AUTH'\r\n",
			"HELLO", "2", "AUTH", "default");
	th_assert_reply(c, "-ERR Syntax error in HELLO option 'SETNAME'\r\n",
			"HELLO", "2", "SETNAME");
	th_assert_reply(c, "-ERR Syntax error in HELLO option 'BOGUS'\r\n",
			"HELLO", "2", "BOGUS");
	th_assert_reply(c, "-WRONGPASS invalid username-password pair or user is disabled.\r\n",
			"HELLO", "2", "AUTH", "nouser", "x");
	th_assert_reply(c, "-ERR Client names cannot contain spaces, newlines or special characters.\r\n",
			"HELLO", "2", "SETNAME", "bad name");
	assert_int_equal(c->resp, 3);
	assert_null(c->name);

	/* no requirepass: the default user takes any password */
	expect_hello(c, 2, th_cmd(c, "HELLO", "2", "AUTH", "default", "any",
				  "SETNAME", "myname", NULL));
	assert_int_equal(c->resp, 2);
	th_assert_reply(c, "$6\r\nmyname\r\n", "CLIENT", "GETNAME");
	th_assert_reply(c, "$-1\r\n", "GET", "missing");
	th_assert_reply(c, "*0\r\n", "HGETALL", "missing");
	expect_hello(c, 3, th_cmd(c, "hello", "3", "setname", "other", NULL));
	th_assert_reply(c, "$5\r\nother\r\n", "CLIENT", "GETNAME");
	th_assert_reply(c, "$1\r\nv\r\n", "GET", "hk");
	th_cmd(c, "DEL", "hk", NULL);
	st_client_free(c);
}

/* ---- AUTH / QUIT / RESET ------------------------------------------------------- */

#define WRONGPASS "-WRONGPASS invalid username-password pair or user is disabled.\r\n"
#define NOAUTH "-NOAUTH Authentication required.\r\n"

static void
test_auth_without_password(void **state)
{
	struct st_client *c = th_client();

	(void)state;
	th_assert_reply(c, "-ERR AUTH <password> called without any password "
			"configured for the default user. Are you sure your "
			"configuration is correct?\r\n", "AUTH", "secret");
	th_assert_reply(c, "-ERR AUTH <password> called without any password "
			"configured for the default user. Are you sure your "
			"configuration is correct?\r\n", "AUTH", "");
	th_assert_reply(c, "+OK\r\n", "AUTH", "default", "secret");
	th_assert_reply(c, WRONGPASS, "AUTH", "nouser", "secret");
	th_assert_reply(c, WRONGPASS, "AUTH", "DEFAULT", "secret");
	th_assert_reply(c, "-ERR syntax error\r\n", "AUTH", "a", "b", "c");
	th_assert_reply(c, "-ERR wrong number of arguments for 'auth' command\r\n",
			"AUTH");
	th_assert_reply(c, "+PONG\r\n", "PING");
	st_client_free(c);
}

static void
test_auth_with_password(void **state)
{
	struct st_client *admin = th_client();
	struct st_client *c;

	(void)state;
	set_config(admin, "requirepass", "s3cret");
	/* the connection that set it keeps its access, as in Redis */
	th_assert_reply(admin, "+PONG\r\n", "PING");
	th_assert_reply(admin, "*2\r\n$11\r\nrequirepass\r\n$6\r\ns3cret\r\n",
			"CONFIG", "GET", "requirepass");

	c = th_client();
	th_assert_reply(c, NOAUTH, "GET", "k");
	th_assert_reply(c, NOAUTH, "PING");
	th_assert_reply(c, NOAUTH, "CONFIG", "GET", "requirepass");
	/* unknown commands and arity errors come before the auth check */
	th_assert_reply(c, "-ERR unknown command 'nosuch', with args beginning with: \r\n",
			"nosuch");
	th_assert_reply(c, "-NOAUTH HELLO must be called with the client already "
			"authenticated, otherwise the HELLO <proto> AUTH <user> <pass> "
			"option can be used to authenticate the client and select the "
			"RESP protocol version at the same time\r\n", "HELLO", "3");
	assert_int_equal(c->resp, 2);
	th_assert_reply(c, WRONGPASS, "AUTH", "wrong");
	th_assert_reply(c, WRONGPASS, "AUTH", "default", "wrong");
	th_assert_reply(c, WRONGPASS, "AUTH", "other", "s3cret");
	th_assert_reply(c, WRONGPASS, "AUTH", "s3cre");
	th_assert_reply(c, WRONGPASS, "AUTH", "s3crett");
	th_assert_reply(c, WRONGPASS, "HELLO", "3", "AUTH", "default", "nope");
	assert_int_equal(c->resp, 2);
	th_assert_reply(c, NOAUTH, "GET", "k");

	th_assert_reply(c, "+OK\r\n", "AUTH", "s3cret");
	assert_true(c->flags & ST_CLIENT_AUTHENTICATED);
	th_assert_reply(c, "$-1\r\n", "GET", "k");
	/* a failed AUTH does not take access away */
	th_assert_reply(c, WRONGPASS, "AUTH", "wrong");
	th_assert_reply(c, "+PONG\r\n", "PING");

	/* RESET deauthenticates when a password is set */
	th_assert_reply(c, "+RESET\r\n", "RESET");
	th_assert_reply(c, NOAUTH, "GET", "k");
	th_assert_reply(c, "+OK\r\n", "AUTH", "default", "s3cret");
	th_assert_reply(c, "$-1\r\n", "GET", "k");
	th_assert_reply(c, "+RESET\r\n", "RESET");

	/* HELLO AUTH authenticates and switches protocol at once */
	expect_hello(c, 3, th_cmd(c, "HELLO", "3", "AUTH", "default", "s3cret", NULL));
	th_assert_reply(c, "_\r\n", "GET", "k");

	/* QUIT needs no authentication */
	{
		struct st_client *q = th_client();

		th_assert_reply(q, "+OK\r\n", "QUIT");
		assert_true(q->flags & ST_CLIENT_CLOSE_AFTER_REPLY);
		st_client_free(q);
	}

	set_config(admin, "requirepass", "");
	th_assert_reply(admin, "*2\r\n$11\r\nrequirepass\r\n$0\r\n\r\n",
			"CONFIG", "GET", "requirepass");
	st_client_free(c);
	c = th_client();
	th_assert_reply(c, "+PONG\r\n", "PING");
	st_client_free(c);
	st_client_free(admin);
}

static void
test_quit(void **state)
{
	struct st_client *c = th_client();

	(void)state;
	th_assert_reply(c, "+OK\r\n", "QUIT");
	assert_true(c->flags & ST_CLIENT_CLOSE_AFTER_REPLY);
	/* nothing more is executed */
	th_assert_reply(c, "", "PING");
	st_client_free(c);

	/* QUIT with arguments is accepted too (arity -1) */
	c = th_client();
	th_assert_reply(c, "+OK\r\n", "QUIT", "now");
	st_client_free(c);

	/* pipelined: the replies before QUIT are kept, nothing after */
	c = th_client();
	{
		static const char req[] = "*1\r\n$4\r\nPING\r\n*1\r\n$4\r\nQUIT\r\n"
					  "*1\r\n$4\r\nPING\r\n";

		assert_string_equal(th_raw(c, req, sizeof(req) - 1),
				    "+PONG\r\n+OK\r\n");
	}
	st_client_free(c);
}

static void
test_reset(void **state)
{
	struct st_client *c = th_client();

	(void)state;
	th_assert_reply(c, "+OK\r\n", "SELECT", "3");
	th_assert_reply(c, "+OK\r\n", "CLIENT", "SETNAME", "before");
	th_assert_reply(c, "+OK\r\n", "WATCH", "wk");
	assert_int_equal(c->nwatched, 1);
	th_cmd(c, "HELLO", "3", NULL);
	th_assert_reply(c, "+OK\r\n", "MULTI");
	th_assert_reply(c, "+QUEUED\r\n", "SET", "rk", "v");
	/* RESET is not queued */
	th_assert_reply(c, "+RESET\r\n", "RESET");
	assert_int_equal(c->db, 0);
	assert_int_equal(c->resp, 2);
	assert_null(c->name);
	assert_int_equal(c->nwatched, 0);
	assert_int_equal(c->mq_len, 0);
	assert_false(c->flags & ST_CLIENT_MULTI);
	th_assert_reply(c, "-ERR EXEC without MULTI\r\n", "EXEC");
	th_assert_reply(c, "$-1\r\n", "CLIENT", "GETNAME");
	th_assert_reply(c, "$-1\r\n", "GET", "rk");	/* never ran */
	th_assert_reply(c, "-ERR wrong number of arguments for 'reset' command\r\n",
			"RESET", "x");
	st_client_free(c);
}

/* ---- INFO ------------------------------------------------------------------------ */

static const char *const default_sections[] = {
	"Server", "Clients", "Memory", "Persistence", "Stats", "Replication",
	"CPU", "Modules", "Errorstats", "Cluster", "Keyspace", NULL
};

/* Check the layout: "# Title\r\n" headers in the given order, every line
 * ends in CRLF, a blank line before each header but the first, and every
 * other line is "field:value". */
static void
check_layout(const char *info, const char *const *titles)
{
	const char *p = info;
	int sec = 0;

	while (*p) {
		const char *eol = strstr(p, "\r\n");
		size_t len;

		assert_non_null(eol);
		len = (size_t)(eol - p);
		assert_null(memchr(p, '\n', len));
		if (len == 0) {
			/* a blank line: only between sections */
			assert_true(sec > 0);
			assert_memory_equal(eol + 2, "# ", 2);
		} else if (p[0] == '#') {
			char want[64];

			assert_non_null(titles[sec]);
			snprintf(want, sizeof(want), "# %s", titles[sec]);
			assert_int_equal(len, strlen(want));
			assert_memory_equal(p, want, len);
			if (sec > 0)
				assert_memory_equal(p - 4, "\r\n\r\n", 4);
			sec++;
		} else {
			const char *colon = memchr(p, ':', len);

			assert_non_null(colon);
			assert_true(colon > p);
		}
		p = eol + 2;
	}
	assert_null(titles[sec]);
}

static void
test_info_layout(void **state)
{
	struct st_client *c = th_client();
	static const char *const all[] = {
		"Server", "Clients", "Memory", "Persistence", "Stats",
		"Replication", "CPU", "Modules", "Commandstats", "Errorstats",
		"Latencystats", "Cluster", "Keyspace", NULL
	};
	static const char *const two[] = { "Server", "Clients", NULL };
	static const char *const fields[] = {
		"redis_version", "ferry_version", "redis_mode", "process_id",
		"run_id", "tcp_port", "uptime_in_seconds", "uptime_in_days", "hz",
		"connected_clients", "maxclients", "used_memory",
		"used_memory_human", "used_memory_rss", "used_memory_peak",
		"maxmemory", "maxmemory_human", "maxmemory_policy", "loading",
		"rdb_last_save_time", "aof_enabled", "total_connections_received",
		"total_commands_processed", "instantaneous_ops_per_sec",
		"keyspace_hits", "keyspace_misses", "expired_keys", "evicted_keys",
		"rejected_calls", "role", "connected_slaves", "master_replid",
		"master_repl_offset", "used_cpu_sys", "used_cpu_user",
		"cluster_enabled", NULL
	};
	char *info, v[128];

	(void)state;
	info = info_text(c, NULL);
	check_layout(info, default_sections);
	for (int i = 0; fields[i]; i++)
		if (!info_get(info, fields[i], v, sizeof(v)))
			fail_msg("INFO lacks %s", fields[i]);
	th_assert_prefix(info, "# Server\r\nredis_version:7.0.15\r\n");
	assert_true(info_get(info, "ferry_version", v, sizeof(v)));
	assert_string_equal(v, "0.1.0");
	assert_true(info_get(info, "redis_mode", v, sizeof(v)));
	assert_string_equal(v, "standalone");
	assert_true(info_get(info, "role", v, sizeof(v)));
	assert_string_equal(v, "master");
	assert_true(info_get(info, "connected_slaves", v, sizeof(v)));
	assert_string_equal(v, "0");
	assert_true(info_get(info, "master_replid", v, sizeof(v)));
	assert_int_equal(strlen(v), 40);
	assert_int_equal(strspn(v, "0123456789abcdef"), 40);
	assert_true(info_get(info, "maxmemory_policy", v, sizeof(v)));
	assert_string_equal(v, "noeviction");
	assert_true(info_get(info, "maxmemory_human", v, sizeof(v)));
	assert_string_equal(v, "0B");
	assert_true(info_get(info, "process_id", v, sizeof(v)));
	assert_int_equal(atol(v), (long)getpid());
	assert_true(info_get(info, "cluster_enabled", v, sizeof(v)));
	assert_string_equal(v, "0");
	assert_true(info_get(info, "master_replid", v, sizeof(v)));
	{
		/* the replication id is fixed for the process */
		char *again = info_text(c, "replication");
		char v2[128];

		assert_true(info_get(again, "master_replid", v2, sizeof(v2)));
		assert_string_equal(v, v2);
		free(again);
	}
	free(info);

	/* "default" is the same set; "all" and "everything" add the rest */
	info = info_text(c, "default");
	check_layout(info, default_sections);
	free(info);
	info = info_text(c, "all");
	check_layout(info, all);
	free(info);
	info = info_text(c, "everything");
	check_layout(info, all);
	free(info);

	/* several sections: Redis's order, whatever the order asked */
	info = bulk_body(th_cmd(c, "INFO", "clients", "SERVER", "clients", NULL));
	check_layout(info, two);
	free(info);

	/* empty database: just the header; unknown section: nothing */
	th_assert_reply(c, "$12\r\n# Keyspace\r\n\r\n", "INFO", "keyspace");
	th_assert_reply(c, "$12\r\n# Keyspace\r\n\r\n", "INFO", "KeySpace");
	th_assert_reply(c, "$0\r\n\r\n", "INFO", "nosuchsection");
	th_assert_reply(c, "$11\r\n# Modules\r\n\r\n", "INFO", "modules");
	assert_text_reply(th_cmd(c, "INFO", "cluster", NULL), false,
			  "# Cluster\r\ncluster_enabled:0\r\n");
	st_client_free(c);
}

static void
test_info_keyspace(void **state)
{
	struct st_client *c = th_client();

	(void)state;
	th_assert_reply(c, "+OK\r\n", "SET", "a", "1");
	th_assert_reply(c, "+OK\r\n", "SET", "b", "2", "EX", "100");
	assert_text_reply(th_cmd(c, "INFO", "keyspace", NULL), false,
			  "# Keyspace\r\ndb0:keys=2,expires=1,avg_ttl=0\r\n");
	assert_text_reply(th_cmd(c, "INFO", "keyspace", "cluster", NULL), false,
			  "# Cluster\r\ncluster_enabled:0\r\n\r\n"
			  "# Keyspace\r\ndb0:keys=2,expires=1,avg_ttl=0\r\n");
	th_assert_reply(c, "+OK\r\n", "SELECT", "5");
	th_assert_reply(c, "+OK\r\n", "SET", "c", "3");
	assert_text_reply(th_cmd(c, "INFO", "keyspace", NULL), false,
			  "# Keyspace\r\ndb0:keys=2,expires=1,avg_ttl=0\r\n"
			  "db5:keys=1,expires=0,avg_ttl=0\r\n");
	th_assert_reply(c, ":1\r\n", "EXPIRE", "c", "100");
	assert_text_reply(th_cmd(c, "INFO", "keyspace", NULL), false,
			  "# Keyspace\r\ndb0:keys=2,expires=1,avg_ttl=0\r\n"
			  "db5:keys=1,expires=1,avg_ttl=0\r\n");
	/* RESP3: a verbatim string */
	th_cmd(c, "HELLO", "3", NULL);
	assert_text_reply(th_cmd(c, "INFO", "keyspace", NULL), true,
			  "# Keyspace\r\ndb0:keys=2,expires=1,avg_ttl=0\r\n"
			  "db5:keys=1,expires=1,avg_ttl=0\r\n");
	th_assert_reply(c, "=4\r\ntxt:\r\n", "INFO", "nosuchsection");
	th_flushall();
	th_assert_reply(c, "=16\r\ntxt:# Keyspace\r\n\r\n", "INFO", "keyspace");
	st_client_free(c);
}

static void
test_info_stats_change(void **state)
{
	struct st_client *c = th_client();
	long long cmds, cmds2, hits, misses, off, off2;
	char *info;

	(void)state;
	cmds = info_ll(c, "stats", "total_commands_processed");
	for (int i = 0; i < 5; i++)
		th_cmd(c, "PING", NULL);
	/* the 5 PINGs and the first INFO (counted once it finished) */
	cmds2 = info_ll(c, "stats", "total_commands_processed");
	assert_int_equal(cmds2 - cmds, 6);
	/* errors before execution are not commands processed */
	th_cmd(c, "nosuchcommand", NULL);
	th_cmd(c, "GET", NULL);
	assert_int_equal(info_ll(c, "stats", "total_commands_processed") - cmds2, 1);

	th_cmd(c, "SET", "hit", "v", NULL);
	hits = info_ll(c, "stats", "keyspace_hits");
	misses = info_ll(c, "stats", "keyspace_misses");
	th_assert_reply(c, "$1\r\nv\r\n", "GET", "hit");
	th_assert_reply(c, "$1\r\nv\r\n", "GET", "hit");
	th_assert_reply(c, "$-1\r\n", "GET", "miss");
	assert_int_equal(info_ll(c, "stats", "keyspace_hits") - hits, 2);
	assert_int_equal(info_ll(c, "stats", "keyspace_misses") - misses, 1);

	/* without a backlog (no replica ever attached) the stream is not
	 * generated: Redis keeps master_repl_offset at 0 */
	off = info_ll(c, "replication", "master_repl_offset");
	assert_int_equal(off, 0);
	th_cmd(c, "SET", "w1", "v", NULL);
	th_cmd(c, "SET", "w2", "v", NULL);
	off2 = info_ll(c, "replication", "master_repl_offset");
	assert_int_equal(off2, 0);

	/* expired keys are counted */
	{
		long long exp0 = info_ll(c, "stats", "expired_keys");

		th_assert_reply(c, "+OK\r\n", "SET", "gone", "v", "PX", "1");
		usleep(5000);
		/* a lock-free GET only reports it absent; a write deletes it */
		th_assert_reply(c, "$-1\r\n", "GET", "gone");
		th_assert_reply(c, ":0\r\n", "DEL", "gone");
		assert_int_equal(info_ll(c, "stats", "expired_keys") - exp0, 1);
	}

	/* total_connections_received covers this connection */
	assert_true(info_ll(c, "stats", "total_connections_received") >=
		    (long long)c->id);

	/* CONFIG RESETSTAT: counters start again (RESETSTAT itself counts) */
	th_assert_reply(c, "+OK\r\n", "CONFIG", "RESETSTAT");
	info = info_text(c, "stats");
	{
		char v[64];

		assert_true(info_get(info, "total_commands_processed", v, sizeof(v)));
		assert_string_equal(v, "1");
		assert_true(info_get(info, "keyspace_hits", v, sizeof(v)));
		assert_string_equal(v, "0");
		assert_true(info_get(info, "keyspace_misses", v, sizeof(v)));
		assert_string_equal(v, "0");
		assert_true(info_get(info, "expired_keys", v, sizeof(v)));
		assert_string_equal(v, "0");
	}
	free(info);
	th_assert_reply(c, "-ERR wrong number of arguments for 'config|resetstat' command\r\n",
			"CONFIG", "RESETSTAT", "x");
	th_flushall();
	st_client_free(c);
}

static void
test_info_memory(void **state)
{
	struct st_client *c = th_client();
	char *v = big_value(1024 * 1024, 'm');
	long long m0, m1, m2;
	char key[16], *info, h[64];

	(void)state;
	grace();
	m0 = info_ll(c, "memory", "used_memory");
	assert_true(m0 > 0);
	for (int i = 0; i < 8; i++) {
		snprintf(key, sizeof(key), "big%d", i);
		th_assert_reply(c, "+OK\r\n", "SET", key, v);
	}
	grace();
	m1 = info_ll(c, "memory", "used_memory");
	assert_true(m1 - m0 >= 8LL * 1024 * 1024);
	assert_true(m1 - m0 < 10LL * 1024 * 1024);
	assert_true(info_ll(c, "memory", "used_memory_peak") >= m1);
	info = info_text(c, "memory");
	assert_true(info_get(info, "used_memory_human", h, sizeof(h)));
	/* Redis's bytesToHuman: two decimals and a unit */
	assert_int_equal(h[strlen(h) - 1], 'M');
	assert_non_null(strchr(h, '.'));
	assert_true(atof(h) >= 8.0);
	free(info);
	assert_text_reply(th_cmd(c, "INFO", "keyspace", NULL), false,
			  "# Keyspace\r\ndb0:keys=8,expires=0,avg_ttl=0\r\n");

	for (int i = 0; i < 8; i++) {
		snprintf(key, sizeof(key), "big%d", i);
		th_assert_reply(c, ":1\r\n", "DEL", key);
	}
	/* freed only after a grace period */
	grace();
	m2 = info_ll(c, "memory", "used_memory");
	assert_true(m1 - m2 >= 8LL * 1024 * 1024);
	assert_true(m2 < m0 + 256 * 1024);
	/* the peak stays */
	assert_true(info_ll(c, "memory", "used_memory_peak") >= m1);
	th_assert_reply(c, "$12\r\n# Keyspace\r\n\r\n", "INFO", "keyspace");
	free(v);
	st_client_free(c);
}

static void
test_info_arity_and_resp(void **state)
{
	struct st_client *c = th_client();
	const char *r;

	(void)state;
	r = th_cmd(c, "INFO", "server", NULL);
	th_assert_prefix(r, "$");
	th_cmd(c, "HELLO", "3", NULL);
	r = th_cmd(c, "INFO", "server", NULL);
	th_assert_prefix(r, "=");
	assert_non_null(strstr(r, "\r\ntxt:# Server\r\nredis_version:7.0.15\r\n"));
	st_client_free(c);
}

/* ---- CONFIG ---------------------------------------------------------------------- */

/* Pair names of a CONFIG GET reply (RESP2 flat array), in order. */
static int
config_names(const char *r, char names[][64], int max)
{
	int n, k = 0;
	const char *p;

	assert_int_equal(r[0], '*');
	n = atoi(r + 1);
	assert_int_equal(n % 2, 0);
	p = strstr(r, "\r\n") + 2;
	for (int i = 0; i < n; i++) {
		int len = atoi(p + 1);

		p = strstr(p, "\r\n") + 2;
		if (i % 2 == 0 && k < max) {
			memcpy(names[k], p, (size_t)len);
			names[k++][len] = '\0';
		}
		p += len + 2;
	}
	assert_int_equal(*p, '\0');
	return n / 2;
}

static bool
has_name(char names[][64], int n, const char *name)
{
	for (int i = 0; i < n; i++)
		if (strcmp(names[i], name) == 0)
			return true;
	return false;
}

static void
test_config_get(void **state)
{
	struct st_client *c = th_client();
	char names[64][64];
	int n;

	(void)state;
	th_assert_reply(c, "*2\r\n$9\r\nmaxmemory\r\n$1\r\n0\r\n",
			"CONFIG", "GET", "maxmemory");
	th_assert_reply(c, "*2\r\n$2\r\nhz\r\n$2\r\n10\r\n", "CONFIG", "GET", "hz");
	/* an exact name is echoed as typed */
	th_assert_reply(c, "*2\r\n$2\r\nHZ\r\n$2\r\n10\r\n", "config", "get", "HZ");
	/* several patterns, duplicates once */
	th_assert_reply(c, "*4\r\n$2\r\nhz\r\n$2\r\n10\r\n$9\r\nmaxmemory\r\n$1\r\n0\r\n",
			"CONFIG", "GET", "hz", "maxmemory");
	th_assert_reply(c, "*2\r\n$2\r\nhz\r\n$2\r\n10\r\n", "CONFIG", "GET", "hz", "hz");
	th_assert_reply(c, "*2\r\n$2\r\nhz\r\n$2\r\n10\r\n", "CONFIG", "GET", "hz", "h?");
	th_assert_reply(c, "*0\r\n", "CONFIG", "GET", "nosuch");
	th_assert_reply(c, "*0\r\n", "CONFIG", "GET", "nosuch*");
	assert_string_equal(th_cmd(c, "CONFIG", "GET", "maxmemory-policy", NULL),
			    "*2\r\n$16\r\nmaxmemory-policy\r\n$10\r\nnoeviction\r\n");

	n = config_names(th_cmd(c, "CONFIG", "GET", "maxmemory*", NULL), names, 64);
	assert_int_equal(n, 3);
	assert_true(has_name(names, n, "maxmemory"));
	assert_true(has_name(names, n, "maxmemory-policy"));
	assert_true(has_name(names, n, "maxmemory-samples"));

	/* glob, case-insensitive, aliases included (as Redis 7.0) */
	n = config_names(th_cmd(c, "CONFIG", "GET", "*MAX-*-entries*", NULL), names, 64);
	assert_int_equal(n, 5);
	assert_true(has_name(names, n, "hash-max-listpack-entries"));
	assert_true(has_name(names, n, "hash-max-ziplist-entries"));
	assert_true(has_name(names, n, "set-max-intset-entries"));
	assert_true(has_name(names, n, "zset-max-listpack-entries"));
	assert_true(has_name(names, n, "zset-max-ziplist-entries"));
	n = config_names(th_cmd(c, "CONFIG", "GET", "*", NULL), names, 64);
	assert_int_equal(n, (int)st_config_count());
	n = config_names(th_cmd(c, "CONFIG", "GET", "maxmemory", "*", NULL), names, 64);
	assert_int_equal(n, (int)st_config_count());

	th_assert_reply(c, "-ERR wrong number of arguments for 'config|get' command\r\n",
			"CONFIG", "GET");
	th_assert_reply(c, "-ERR wrong number of arguments for 'config' command\r\n",
			"CONFIG");
	th_assert_reply(c, "-ERR unknown subcommand 'x'. Try CONFIG HELP.\r\n",
			"CONFIG", "x");
	th_assert_reply(c, "-ERR unknown subcommand 'bogus'. Try CONFIG HELP.\r\n",
			"config", "bogus", "a", "b");
	th_assert_reply(c, "-ERR The server is running without a config file\r\n",
			"CONFIG", "REWRITE");
	th_assert_reply(c, "-ERR wrong number of arguments for 'config|rewrite' command\r\n",
			"CONFIG", "REWRITE", "x");
	th_assert_reply(c,
		"*11\r\n+CONFIG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:\r\n"
		"+GET <pattern>\r\n"
		"+    Return parameters matching the glob-like <pattern> and their values.\r\n"
		"+SET <directive> <value>\r\n"
		"+    Set the configuration <directive> to <value>.\r\n"
		"+RESETSTAT\r\n"
		"+    Reset statistics reported by the INFO command.\r\n"
		"+REWRITE\r\n"
		"+    Rewrite the configuration file.\r\n"
		"+HELP\r\n"
		"+    Prints this help.\r\n", "CONFIG", "HELP");
	/* RESP3: a map */
	th_cmd(c, "HELLO", "3", NULL);
	th_assert_reply(c, "%2\r\n$2\r\nhz\r\n$2\r\n10\r\n$9\r\nmaxmemory\r\n$1\r\n0\r\n",
			"CONFIG", "GET", "hz", "maxmemory");
	th_assert_reply(c, "%0\r\n", "CONFIG", "GET", "nosuch");
	st_client_free(c);
}

static void
test_config_set(void **state)
{
	struct st_client *c = th_client();

	(void)state;
	set_config(c, "hz", "20");
	th_assert_reply(c, "*2\r\n$2\r\nhz\r\n$2\r\n20\r\n", "CONFIG", "GET", "hz");
	assert_int_equal(st_cfg.hz, 20);
	/* several pairs at once, names case-insensitive */
	th_assert_reply(c, "+OK\r\n", "CONFIG", "SET", "HZ", "15",
			"maxmemory-samples", "7");
	assert_int_equal(st_cfg.hz, 15);
	assert_int_equal(st_cfg.maxmemory_samples, 7);
	/* memory units */
	set_config(c, "maxmemory", "1mb");
	assert_int_equal(st_cfg.maxmemory, 1024 * 1024);
	set_config(c, "maxmemory", "2k");
	assert_int_equal(st_cfg.maxmemory, 2000);
	th_assert_reply(c, "*2\r\n$9\r\nmaxmemory\r\n$4\r\n2000\r\n",
			"CONFIG", "GET", "maxmemory");
	set_config(c, "maxmemory", "0");
	set_config(c, "maxmemory-policy", "ALLKEYS-LRU");
	assert_int_equal(st_cfg.maxmemory_policy, ST_MM_ALLKEYS_LRU);
	set_config(c, "maxmemory-policy", "noeviction");

	th_assert_reply(c, "-ERR Unknown option or number of arguments for CONFIG SET - 'nosuch'\r\n",
			"CONFIG", "SET", "nosuch", "1");
	/* unknown names win over every other error, whatever their position */
	th_assert_reply(c, "-ERR Unknown option or number of arguments for CONFIG SET - 'nosuch'\r\n",
			"CONFIG", "SET", "maxmemory", "bad", "nosuch", "1");
	th_assert_reply(c, "-ERR syntax error\r\n", "CONFIG", "SET", "hz", "1", "hz");
	th_assert_reply(c, "-ERR wrong number of arguments for 'config|set' command\r\n",
			"CONFIG", "SET", "hz");
	th_assert_reply(c, "-ERR CONFIG SET failed (possibly related to argument 'maxmemory') - argument must be a memory value\r\n",
			"CONFIG", "SET", "maxmemory", "x");
	th_assert_reply(c, "-ERR CONFIG SET failed (possibly related to argument 'maxmemory') - argument must be a memory value\r\n",
			"CONFIG", "SET", "maxmemory", "-1");
	th_assert_reply(c, "-ERR CONFIG SET failed (possibly related to argument 'hz') - duplicate parameter\r\n",
			"CONFIG", "SET", "hz", "10", "hz", "11");
	th_assert_reply(c, "-ERR CONFIG SET failed (possibly related to argument 'databases') - can't set immutable config\r\n",
			"CONFIG", "SET", "databases", "3");
	th_assert_reply(c, "-ERR CONFIG SET failed (possibly related to argument 'lazyfree-lazy-user-del') - argument must be 'yes' or 'no'\r\n",
			"CONFIG", "SET", "lazyfree-lazy-user-del", "maybe");
	{
		const char *r = th_cmd(c, "CONFIG", "SET", "maxmemory-policy", "x", NULL);
		static const char pfx[] =
			"-ERR CONFIG SET failed (possibly related to argument "
			"'maxmemory-policy') - argument(s) must be one of the following: ";

		assert_memory_equal(r, pfx, sizeof(pfx) - 1);
	}
	/* all or nothing: a bad second value restores the first */
	th_assert_reply(c, "-ERR CONFIG SET failed (possibly related to argument 'maxmemory') - argument must be a memory value\r\n",
			"CONFIG", "SET", "hz", "33", "maxmemory", "bad");
	assert_int_equal(st_cfg.hz, 15);
	assert_int_equal(st_cfg.maxmemory, 0);
	th_assert_reply(c, "*2\r\n$2\r\nhz\r\n$2\r\n15\r\n", "CONFIG", "GET", "hz");
	/* and an immutable one refuses the whole command before anything is set */
	th_assert_reply(c, "-ERR CONFIG SET failed (possibly related to argument 'databases') - can't set immutable config\r\n",
			"CONFIG", "SET", "hz", "44", "databases", "16");
	assert_int_equal(st_cfg.hz, 15);

	set_config(c, "hz", "10");
	set_config(c, "maxmemory-samples", "5");
	assert_int_equal(st_cfg.hz, 10);
	st_client_free(c);
}

/* ---- CLIENT ---------------------------------------------------------------------- */

/* The field names of a CLIENT LIST line, in Redis 7.0's order. */
static const char *const client_fields[] = {
	"id", "addr", "laddr", "fd", "name", "age", "idle", "flags", "db",
	"sub", "psub", "ssub", "multi", "qbuf", "qbuf-free", "argv-mem",
	"multi-mem", "rbs", "rbp", "obl", "oll", "omem", "tot-mem", "events",
	"cmd", "user", "redir", "resp", NULL
};

/* Value of field 'name' in one line ("k=v k=v ...\n"). */
static bool
line_field(const char *line, const char *name, char *out, size_t outlen)
{
	size_t nl = strlen(name);
	const char *p = line;

	while (*p && *p != '\n') {
		const char *end = p + strcspn(p, " \n");

		if ((size_t)(end - p) > nl && memcmp(p, name, nl) == 0 &&
		    p[nl] == '=') {
			size_t vl = (size_t)(end - p) - nl - 1;

			if (vl >= outlen)
				vl = outlen - 1;
			memcpy(out, p + nl + 1, vl);
			out[vl] = '\0';
			return true;
		}
		p = *end == ' ' ? end + 1 : end;
	}
	return false;
}

static void
check_line_format(const char *line)
{
	const char *p = line;

	for (int i = 0; client_fields[i]; i++) {
		size_t nl = strlen(client_fields[i]);

		assert_memory_equal(p, client_fields[i], nl);
		assert_int_equal(p[nl], '=');
		p += nl + 1;
		p += strcspn(p, " \n");
		if (client_fields[i + 1])
			assert_int_equal(*p++, ' ');
	}
	assert_int_equal(*p, '\n');
}

static void
test_client_basic(void **state)
{
	struct st_client *c = th_client();
	char exp[64], *body, v[128];

	(void)state;
	snprintf(exp, sizeof(exp), ":%llu\r\n", (unsigned long long)c->id);
	th_assert_reply(c, exp, "CLIENT", "ID");
	th_assert_reply(c, "$-1\r\n", "CLIENT", "GETNAME");
	th_assert_reply(c, "+OK\r\n", "CLIENT", "SETNAME", "conn-1");
	th_assert_reply(c, "$6\r\nconn-1\r\n", "CLIENT", "GETNAME");
	th_assert_reply(c, "-ERR Client names cannot contain spaces, newlines or special characters.\r\n",
			"CLIENT", "SETNAME", "a b");
	th_assert_reply(c, "-ERR Client names cannot contain spaces, newlines or special characters.\r\n",
			"CLIENT", "SETNAME", "a\nb");
	th_assert_reply(c, "-ERR Client names cannot contain spaces, newlines or special characters.\r\n",
			"CLIENT", "SETNAME", "caf\xc3\xa9");
	th_assert_reply(c, "$6\r\nconn-1\r\n", "CLIENT", "GETNAME");
	th_assert_reply(c, "+OK\r\n", "CLIENT", "SETNAME", "a\"b~!");
	th_assert_reply(c, "$5\r\na\"b~!\r\n", "CLIENT", "GETNAME");
	/* an empty name clears it */
	th_assert_reply(c, "+OK\r\n", "CLIENT", "SETNAME", "");
	th_assert_reply(c, "$-1\r\n", "CLIENT", "GETNAME");
	th_assert_reply(c, "-ERR wrong number of arguments for 'client|setname' command\r\n",
			"CLIENT", "SETNAME", "a", "b");
	th_assert_reply(c, "-ERR wrong number of arguments for 'client|setname' command\r\n",
			"CLIENT", "SETNAME");
	th_assert_reply(c, "-ERR wrong number of arguments for 'client|getname' command\r\n",
			"CLIENT", "GETNAME", "x");
	th_assert_reply(c, "-ERR wrong number of arguments for 'client|id' command\r\n",
			"CLIENT", "ID", "x");
	th_assert_reply(c, "-ERR wrong number of arguments for 'client' command\r\n",
			"CLIENT");
	th_assert_reply(c, "-ERR unknown subcommand 'foo'. Try CLIENT HELP.\r\n",
			"CLIENT", "foo");

	th_assert_reply(c, "+OK\r\n", "CLIENT", "SETNAME", "me");
	th_assert_reply(c, "+OK\r\n", "SELECT", "2");
	body = bulk_body(th_cmd(c, "CLIENT", "INFO", NULL));
	check_line_format(body);
	assert_int_equal(strchr(body, '\n')[1], '\0');
	snprintf(exp, sizeof(exp), "id=%llu addr=127.0.0.1:0 laddr=127.0.0.1:0 ",
		 (unsigned long long)c->id);
	assert_memory_equal(body, exp, strlen(exp));
	assert_true(line_field(body, "name", v, sizeof(v)));
	assert_string_equal(v, "me");
	assert_true(line_field(body, "flags", v, sizeof(v)));
	assert_string_equal(v, "N");
	assert_true(line_field(body, "db", v, sizeof(v)));
	assert_string_equal(v, "2");
	assert_true(line_field(body, "multi", v, sizeof(v)));
	assert_string_equal(v, "-1");
	assert_true(line_field(body, "cmd", v, sizeof(v)));
	assert_string_equal(v, "client|info");
	assert_true(line_field(body, "argv-mem", v, sizeof(v)));
	assert_string_equal(v, "10");	/* "CLIENT" + "INFO" */
	assert_true(line_field(body, "qbuf", v, sizeof(v)));
	assert_string_equal(v, "26");	/* the request itself */
	assert_true(line_field(body, "resp", v, sizeof(v)));
	assert_string_equal(v, "2");
	assert_true(line_field(body, "user", v, sizeof(v)));
	assert_string_equal(v, "default");
	assert_true(line_field(body, "age", v, sizeof(v)));
	assert_string_equal(v, "0");
	free(body);

	/* inside MULTI: flag x and the queue length */
	th_assert_reply(c, "+OK\r\n", "MULTI");
	th_assert_reply(c, "+QUEUED\r\n", "PING");
	th_assert_reply(c, "+QUEUED\r\n", "PING");
	th_assert_reply(c, "+QUEUED\r\n", "CLIENT", "INFO");
	{
		const char *r = th_cmd(c, "EXEC", NULL);

		assert_non_null(strstr(r, " flags=x "));
		assert_non_null(strstr(r, " multi=3 "));
	}
	/* RESP3: verbatim */
	th_cmd(c, "HELLO", "3", NULL);
	th_assert_prefix(th_cmd(c, "CLIENT", "INFO", NULL), "=");
	body = bulk_body(th_cmd(c, "CLIENT", "INFO", NULL));
	assert_true(line_field(body, "resp", v, sizeof(v)));
	assert_string_equal(v, "3");
	free(body);

	{
		const char *r = th_cmd(c, "CLIENT", "HELP", NULL);

		th_assert_prefix(r, "*48\r\n+CLIENT <subcommand> [<arg> [value] "
				       "[opt] ...]. Subcommands are:\r\n");
		assert_non_null(strstr(r, "\r\n+KILL <ip:port>\r\n"));
		static const char tail[] = "+HELP\r\n+    Prints this help.\r\n";

		assert_string_equal(r + strlen(r) - (sizeof(tail) - 1), tail);
	}
	st_client_free(c);
}

/* Lines of a CLIENT LIST body. */
static int
count_lines(const char *body)
{
	int n = 0;

	for (const char *p = body; *p; p++)
		n += *p == '\n';
	return n;
}

static void
test_client_list_kill(void **state)
{
	struct st_client *a = th_client(), *b = th_client(), *lone = th_client();
	char *body, v[128], id[32], idb[32];

	(void)state;
	strcpy(a->addr, "10.0.0.1:1111");
	strcpy(a->laddr, "10.0.0.9:6379");
	strcpy(b->addr, "10.0.0.2:2222");
	strcpy(b->laddr, "10.0.0.9:6380");
	st_client_register(a);
	st_client_register(b);
	th_assert_reply(a, "+OK\r\n", "CLIENT", "SETNAME", "alpha");
	th_assert_reply(b, "+OK\r\n", "CLIENT", "SETNAME", "beta");
	th_assert_reply(b, "$-1\r\n", "GET", "x");

	/* both, oldest first, each with the full line format */
	body = bulk_body(th_cmd(a, "CLIENT", "LIST", NULL));
	assert_true(count_lines(body) >= 2);
	{
		char *la = strstr(body, "name=alpha"), *lb = strstr(body, "name=beta");
		char *sa, *sb;

		assert_non_null(la);
		assert_non_null(lb);
		assert_true(la < lb);
		for (sa = la; sa > body && sa[-1] != '\n'; sa--)
			;
		for (sb = lb; sb > body && sb[-1] != '\n'; sb--)
			;
		check_line_format(sa);
		check_line_format(sb);
		assert_true(line_field(sa, "addr", v, sizeof(v)));
		assert_string_equal(v, "10.0.0.1:1111");
		assert_true(line_field(sa, "cmd", v, sizeof(v)));
		assert_string_equal(v, "client|list");
		assert_true(line_field(sb, "laddr", v, sizeof(v)));
		assert_string_equal(v, "10.0.0.9:6380");
		assert_true(line_field(sb, "cmd", v, sizeof(v)));
		assert_string_equal(v, "get");
		assert_true(line_field(sb, "argv-mem", v, sizeof(v)));
		assert_string_equal(v, "0");	/* idle: no live argv */
	}
	free(body);

	/* an unregistered caller still sees itself */
	body = bulk_body(th_cmd(lone, "CLIENT", "LIST", NULL));
	snprintf(id, sizeof(id), "id=%llu ", (unsigned long long)lone->id);
	assert_non_null(strstr(body, id));
	assert_non_null(strstr(body, "name=alpha"));
	free(body);

	{
		char ida[32], idl[32];

		snprintf(ida, sizeof(ida), "%llu", (unsigned long long)a->id);
		snprintf(idl, sizeof(idl), "%llu", (unsigned long long)lone->id);
		body = bulk_body(th_cmd(lone, "CLIENT", "LIST", "ID", ida, idl, ida, NULL));
		/* one line per ID asked, in that order */
		{
			char *l1 = body, *l2 = strchr(l1, '\n') + 1;
			char *l3 = strchr(l2, '\n') + 1;

			assert_int_equal(count_lines(body), 3);
			check_line_format(l1);
			check_line_format(l2);
			check_line_format(l3);
			assert_true(line_field(l1, "name", v, sizeof(v)));
			assert_string_equal(v, "alpha");
			assert_true(line_field(l2, "id", v, sizeof(v)));
			assert_string_equal(v, idl);
			assert_true(line_field(l3, "name", v, sizeof(v)));
			assert_string_equal(v, "alpha");
		}
		free(body);
	}

	/* filters */
	body = bulk_body(th_cmd(a, "CLIENT", "LIST", "TYPE", "normal", NULL));
	assert_non_null(strstr(body, "name=alpha"));
	assert_non_null(strstr(body, "name=beta"));
	free(body);
	th_assert_reply(a, "$0\r\n\r\n", "CLIENT", "LIST", "TYPE", "master");
	th_assert_reply(a, "$0\r\n\r\n", "CLIENT", "LIST", "TYPE", "replica");
	th_assert_reply(a, "$0\r\n\r\n", "CLIENT", "LIST", "TYPE", "pubsub");
	snprintf(idb, sizeof(idb), "%llu", (unsigned long long)b->id);
	body = bulk_body(th_cmd(a, "CLIENT", "LIST", "ID", idb, NULL));
	assert_int_equal(count_lines(body), 1);
	assert_non_null(strstr(body, "name=beta"));
	free(body);
	snprintf(id, sizeof(id), "%llu", (unsigned long long)a->id);
	body = bulk_body(th_cmd(a, "CLIENT", "LIST", "ID", idb, "999999", id, NULL));
	assert_int_equal(count_lines(body), 2);
	assert_true(strstr(body, "name=beta") < strstr(body, "name=alpha"));
	free(body);
	th_assert_reply(a, "$0\r\n\r\n", "CLIENT", "LIST", "ID", "999999");
	th_assert_reply(a, "-ERR Unknown client type 'foo'\r\n",
			"CLIENT", "LIST", "TYPE", "foo");
	th_assert_reply(a, "-ERR Invalid client ID\r\n", "CLIENT", "LIST", "ID", "1", "x");
	th_assert_reply(a, "-ERR syntax error\r\n", "CLIENT", "LIST", "ID");
	th_assert_reply(a, "-ERR syntax error\r\n", "CLIENT", "LIST", "x");
	th_assert_reply(a, "-ERR syntax error\r\n", "CLIENT", "LIST", "TYPE", "normal", "x");

	/* KILL: errors first */
	th_assert_reply(a, "-ERR No such client\r\n", "CLIENT", "KILL", "1.2.3.4:5");
	th_assert_reply(a, "-ERR No such client\r\n", "CLIENT", "KILL", "ID");
	th_assert_reply(a, "-ERR client-id should be greater than 0\r\n",
			"CLIENT", "KILL", "ID", "x");
	th_assert_reply(a, "-ERR client-id should be greater than 0\r\n",
			"CLIENT", "KILL", "ID", "0");
	th_assert_reply(a, "-ERR syntax error\r\n", "CLIENT", "KILL", "foo", "bar");
	th_assert_reply(a, "-ERR syntax error\r\n", "CLIENT", "KILL", "SKIPME", "x");
	th_assert_reply(a, "-ERR syntax error\r\n", "CLIENT", "KILL", "ID", "5", "SKIPME");
	th_assert_reply(a, "-ERR Unknown client type 'foo'\r\n",
			"CLIENT", "KILL", "TYPE", "foo");
	th_assert_reply(a, "-ERR No such user 'bob'\r\n", "CLIENT", "KILL", "USER", "bob");
	th_assert_reply(a, ":0\r\n", "CLIENT", "KILL", "ID", "999999");
	th_assert_reply(a, ":0\r\n", "CLIENT", "KILL", "ADDR", "1.2.3.4:5", "SKIPME", "yes");
	th_assert_reply(a, "-ERR wrong number of arguments for 'client|kill' command\r\n",
			"CLIENT", "KILL");
	assert_int_equal(atomic_load(&b->kill), 0);
	assert_int_equal(atomic_load(&a->kill), 0);

	/* the caller is skipped by default */
	th_assert_reply(a, ":0\r\n", "CLIENT", "KILL", "ADDR", "10.0.0.1:1111");
	assert_false(a->flags & ST_CLIENT_CLOSE_AFTER_REPLY);

	/* new form by ID: the target's kill flag is set */
	th_assert_reply(a, ":1\r\n", "CLIENT", "KILL", "ID", idb);
	assert_int_equal(atomic_load(&b->kill), 1);
	/* it stops executing */
	th_assert_reply(b, "", "PING");
	assert_true(b->flags & ST_CLIENT_CLOSE_AFTER_REPLY);
	/* a client on its way out is not killed twice */
	th_assert_reply(a, ":0\r\n", "CLIENT", "KILL", "ID", idb);
	st_client_unregister(b);
	st_client_free(b);

	/* old form by address */
	b = th_client();
	strcpy(b->addr, "10.0.0.3:3333");
	st_client_register(b);
	th_assert_reply(a, "+OK\r\n", "CLIENT", "KILL", "10.0.0.3:3333");
	assert_int_equal(atomic_load(&b->kill), 1);
	st_client_unregister(b);
	st_client_free(b);

	/* LADDR and TYPE filters; USER default matches everyone */
	b = th_client();
	strcpy(b->addr, "10.0.0.4:4444");
	strcpy(b->laddr, "10.0.0.9:7000");
	st_client_register(b);
	th_assert_reply(a, ":0\r\n", "CLIENT", "KILL", "LADDR", "10.0.0.9:7001");
	th_assert_reply(a, ":0\r\n", "CLIENT", "KILL", "LADDR", "10.0.0.9:7000",
			"TYPE", "master");
	th_assert_reply(a, ":1\r\n", "CLIENT", "KILL", "LADDR", "10.0.0.9:7000",
			"TYPE", "normal", "USER", "default");
	assert_int_equal(atomic_load(&b->kill), 1);
	st_client_unregister(b);
	st_client_free(b);

	/* SKIPME no: the caller closes after the reply */
	th_assert_reply(a, ":1\r\n", "CLIENT", "KILL", "ADDR", "10.0.0.1:1111",
			"SKIPME", "no");
	assert_true(a->flags & ST_CLIENT_CLOSE_AFTER_REPLY);
	th_assert_reply(a, "", "PING");
	/* old form may kill the caller too; an unregistered one as well */
	th_assert_reply(lone, "+OK\r\n", "CLIENT", "KILL", "127.0.0.1:0");
	assert_true(lone->flags & ST_CLIENT_CLOSE_AFTER_REPLY);

	st_client_unregister(a);
	st_client_free(a);
	st_client_free(lone);
}

#define LIST_ROUNDS 3000

static _Atomic int names_stop, names_started;

/*
 * CLIENT SETNAME without the harness (its per-thread reply buffer would
 * outlive this thread); true if the reply is +OK.
 */
static bool
setname_direct(struct st_client *c, const char *name)
{
	const char *argv[] = { "CLIENT", "SETNAME", name };
	size_t lens[] = { 6, 7, strlen(name) };
	struct st_buf req;
	bool ok;

	st_buf_init(&req);
	st_resp_command(&req, 3, argv, lens);
	st_client_feed(c, req.p, req.len);
	st_buf_free(&req);
	st_client_process(c);
	ok = c->out.len == 5 && memcmp(c->out.p, "+OK\r\n", 5) == 0;
	st_buf_reset(&c->out);
	return ok;
}

/* Renames its registered client over and over. */
static void *
renamer(void *arg)
{
	struct st_worker *w = th_init();
	struct st_client *c = th_client();
	char name[32];

	(void)arg;
	st_client_register(c);
	atomic_store(&names_started, 1);
	for (int i = 0; !atomic_load(&names_stop); i++) {
		/* lengths vary so the old name's memory is really freed */
		snprintf(name, sizeof(name), "renamer-%0*d", 1 + i % 16, i);
		if (!setname_direct(c, name))
			abort();
		if (i % 3 == 0 && !setname_direct(c, ""))
			abort();
		st_worker_quiescent();
	}
	st_client_unregister(c);
	st_client_free(c);
	st_thread_unregister(w);
	return NULL;
}

static void
test_client_list_concurrent(void **state)
{
	struct st_client *c = th_client();
	pthread_t t;
	long lists = 0;

	(void)state;
	atomic_store(&names_stop, 0);
	atomic_store(&names_started, 0);
	assert_int_equal(pthread_create(&t, NULL, renamer, NULL), 0);
	while (!atomic_load(&names_started))
		usleep(100);
	/* CLIENT LIST and KILL read the other thread's client while it
	 * renames itself: every line stays well formed (ASan checks the
	 * name is never read after it was freed) */
	while (lists < LIST_ROUNDS) {
		char *body = bulk_body(th_cmd(c, "CLIENT", "LIST", NULL));

		for (char *line = body; *line; line = strchr(line, '\n') + 1)
			check_line_format(line);
		free(body);
		th_assert_reply(c, ":0\r\n", "CLIENT", "KILL", "ADDR", "9.9.9.9:9");
		lists++;
		st_worker_quiescent();
	}
	atomic_store(&names_stop, 1);
	assert_int_equal(pthread_join(t, NULL), 0);
	/* the other client is gone from the registry */
	{
		char *body = bulk_body(th_cmd(c, "CLIENT", "LIST", NULL));

		assert_null(strstr(body, "renamer-"));
		assert_int_equal(count_lines(body), 1);
		free(body);
	}
	st_client_free(c);
}

/* ---- maxmemory --------------------------------------------------------------------- */

#define OOM "-OOM command not allowed when used memory > 'maxmemory'.\r\n"

static void
test_maxmemory_noeviction(void **state)
{
	struct st_client *c = th_client();
	char *big = big_value(1024 * 1024, 'x');
	char limit[32];
	long long used, rejected;

	(void)state;
	th_assert_reply(c, "+OK\r\n", "SET", "small", "v");
	set_config(c, "maxmemory-policy", "noeviction");
	rejected = info_ll(c, "stats", "rejected_calls");
	grace();
	used = st_mem_used();
	snprintf(limit, sizeof(limit), "%lld", used + 16 * 1024);
	set_config(c, "maxmemory", limit);
	/* the big request alone takes memory over the limit */
	th_assert_reply(c, OOM, "SET", "big", big);
	th_assert_reply(c, "$1\r\nv\r\n", "GET", "small");
	th_assert_reply(c, "$-1\r\n", "GET", "big");
	/* small writes still fit */
	th_assert_reply(c, "+OK\r\n", "SET", "small2", "v");
	assert_int_equal(info_ll(c, "stats", "rejected_calls") - rejected, 1);
	{
		char *info = info_text(c, "memory");
		char v[64];

		assert_true(info_get(info, "maxmemory", v, sizeof(v)));
		assert_string_equal(v, limit);
		assert_true(info_get(info, "maxmemory_policy", v, sizeof(v)));
		assert_string_equal(v, "noeviction");
		free(info);
	}

	/* far over the limit: every DENYOOM command is refused */
	set_config(c, "maxmemory", "1");
	th_assert_reply(c, OOM, "SET", "small3", "v");
	th_assert_reply(c, OOM, "LPUSH", "l", "v");
	th_assert_reply(c, OOM, "APPEND", "small", "v");
	/* reads and commands that free memory still run */
	th_assert_reply(c, "$1\r\nv\r\n", "GET", "small");
	th_assert_reply(c, ":1\r\n", "EXISTS", "small2");
	th_assert_reply(c, ":1\r\n", "DEL", "small2");
	th_assert_reply(c, "+PONG\r\n", "PING");
	assert_int_equal(info_ll(c, "stats", "rejected_calls") - rejected, 4);
	/* in MULTI the rejection aborts the transaction */
	th_assert_reply(c, "+OK\r\n", "MULTI");
	th_assert_reply(c, OOM, "SET", "t", "v");
	th_assert_reply(c, "+QUEUED\r\n", "GET", "small");
	th_assert_reply(c, "-EXECABORT Transaction discarded because of previous errors.\r\n",
			"EXEC");

	set_config(c, "maxmemory", "0");
	th_assert_reply(c, "+OK\r\n", "SET", "big", big);
	th_flushall();
	grace();
	free(big);
	st_client_free(c);
}

static void
test_maxmemory_allkeys_lru(void **state)
{
	struct st_client *c = th_client();
	char *val = big_value(10 * 1024, 'v');
	char key[32], limit[32];
	long long used, lim, evicted0, evicted;
	int hot_alive = 0, cold_alive = 0, n_old = 200, n_hot = 50;

	(void)state;
	grace();
	evicted0 = info_ll(c, "stats", "evicted_keys");
	for (int i = 0; i < n_old; i++) {
		snprintf(key, sizeof(key), "old:%d", i);
		th_assert_reply(c, "+OK\r\n", "SET", key, val);
	}
	grace();
	used = st_mem_used();
	lim = used + 100 * 1024;
	snprintf(limit, sizeof(limit), "%lld", lim);
	set_config(c, "maxmemory-policy", "allkeys-lru");
	set_config(c, "maxmemory", limit);
	/* the LRU clock has a one-second resolution */
	usleep(1100 * 1000);
	for (int i = 0; i < n_hot; i++) {
		snprintf(key, sizeof(key), "old:%d", i);
		th_cmd(c, "GET", key, NULL);
	}
	/* twice the limit's worth of new keys: they must push old ones out */
	for (int i = 0; i < n_old; i++) {
		snprintf(key, sizeof(key), "new:%d", i);
		th_assert_reply(c, "+OK\r\n", "SET", key, val);
		/* a poll-loop iteration: lets evicted values be reclaimed */
		grace();
	}
	evicted = info_ll(c, "stats", "evicted_keys") - evicted0;
	assert_true(evicted > 0);
	used = info_ll(c, "memory", "used_memory");
	/* near the limit: at most a value and a command above it, and most of
	 * the room still in use */
	assert_true(used <= lim + 64 * 1024);
	assert_true(used >= lim / 2);
	for (int i = 0; i < n_old; i++) {
		snprintf(key, sizeof(key), "old:%d", i);
		if (strcmp(th_cmd(c, "EXISTS", key, NULL), ":1\r\n") == 0) {
			if (i < n_hot)
				hot_alive++;
			else
				cold_alive++;
		}
	}
	/* recently read keys survive more often than the others (weak: the
	 * policy samples) */
	assert_true((double)hot_alive / n_hot >=
		    (double)cold_alive / (n_old - n_hot));
	assert_true(hot_alive > 0);

	set_config(c, "maxmemory", "0");
	set_config(c, "maxmemory-policy", "noeviction");
	th_flushall();
	grace();
	free(val);
	st_client_free(c);
}

static int shutdown_calls;

static void
count_shutdown(void *arg)
{
	(void)arg;
	shutdown_calls++;
}

/* SHUTDOWN: an error without a host hook; with one, the hook runs and the
 * connection closes without a reply (as Redis). */
static void
test_shutdown(void **state)
{
	struct st_client *c = th_client();

	(void)state;
	assert_string_equal(th_cmd(c, "SHUTDOWN", NULL),
			    "-ERR Errors trying to SHUTDOWN. Check logs.\r\n");
	assert_string_equal(th_cmd(c, "SHUTDOWN", "SAVE", "NOSAVE", NULL),
			    "-ERR syntax error\r\n");
	assert_string_equal(th_cmd(c, "SHUTDOWN", "BOGUS", NULL),
			    "-ERR syntax error\r\n");
	assert_string_equal(th_cmd(c, "SHUTDOWN", "ABORT", NULL),
			    "-ERR No shutdown in progress.\r\n");
	assert_int_equal(shutdown_calls, 0);
	st_set_shutdown_hook(count_shutdown, NULL);
	assert_string_equal(th_cmd(c, "SHUTDOWN", "NOSAVE", "NOW", NULL), "");
	assert_int_equal(shutdown_calls, 1);
	assert_true(c->flags & ST_CLIENT_CLOSE_AFTER_REPLY);
	st_set_shutdown_hook(NULL, NULL);
	st_client_free(c);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_ping_echo, setup),
		cmocka_unit_test_setup(test_time_lastsave, setup),
		cmocka_unit_test_setup(test_hello, setup),
		cmocka_unit_test_setup(test_auth_without_password, setup),
		cmocka_unit_test_setup(test_auth_with_password, setup),
		cmocka_unit_test_setup(test_quit, setup),
		cmocka_unit_test_setup(test_reset, setup),
		cmocka_unit_test_setup(test_info_layout, setup),
		cmocka_unit_test_setup(test_info_keyspace, setup),
		cmocka_unit_test_setup(test_info_stats_change, setup),
		cmocka_unit_test_setup(test_info_memory, setup),
		cmocka_unit_test_setup(test_info_arity_and_resp, setup),
		cmocka_unit_test_setup(test_config_get, setup),
		cmocka_unit_test_setup(test_config_set, setup),
		cmocka_unit_test_setup(test_client_basic, setup),
		cmocka_unit_test_setup(test_client_list_kill, setup),
		cmocka_unit_test_setup(test_client_list_concurrent, setup),
		cmocka_unit_test_setup(test_maxmemory_noeviction, setup),
		cmocka_unit_test_setup(test_maxmemory_allkeys_lru, setup),
		cmocka_unit_test_setup(test_shutdown, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
