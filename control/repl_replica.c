/*
 * repl_replica.c -- the replica side of replication (see repl_replica.h):
 * REPLICAOF / SLAVEOF, the READONLY / MASTERDOWN check, and the master
 * link's protocol state machine.
 *
 * Call chain (link): ctl_link_cron -> link_cron_handlers[state] (connect,
 *   repl-timeout, 1 s ACK); ctl_link_connected (PING); ctl_link_input ->
 *   link_input_handlers[state]: in_handshake -> hs_* steps | in_transfer
 *   -> xfer_header, xfer_load -> ctl_rdb_load -> link_attach_stream |
 *   in_connected -> st_client_feed + st_client_process (master client) ->
 *   ctl_backlog_append; ctl_link_closed -> link_drop.
 *
 * The link's states are repl.h's enum ctl_link_state; the handshake's
 * steps are a second enum (Redis's REPL_STATE_RECEIVE_*_REPLY).  One
 * handler per state for input, one for the timers.  Every error "drops"
 * the link: back to CONNECT (retry after a backoff), buffers and the
 * master client freed, and the transport told to abort the connection.
 * The keyspace is only ever replaced by a complete, valid image
 * (ctl_rdb_load is all-or-nothing).
 *
 * Offsets (shared/reference/redis_repl_interop.md §1): the offset counts
 * every stream byte processed, including SELECT, PING and REPLCONF GETACK;
 * the ACK a GETACK triggers carries the offset before the GETACK.  Each
 * processed command's raw bytes go to our backlog, so ctl_repl's
 * master_repl_offset is the processed offset.
 *
 * Concurrency: REPLICAOF (any core) changes ctl_repl under its lock and
 * bumps 'master_gen'; the link (one thread) sees the new generation in its
 * cron or before each applied command, and resets.  Applying one command
 * (generation check, execution, its bytes into the backlog) holds
 * 'apply_lock', and a promotion takes it around the role switch: a command
 * is either wholly of the old history (its write records <= the promotion
 * sequence, its bytes in the backlog before the new replid) or not applied
 * at all -- never streamed twice.  Lock order: apply_lock, then
 * ctl_repl.lock.
 */
#include "repl_replica.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "alloc.h"
#include "buf.h"
#include "client.h"
#include "cmd_util.h"
#include "command.h"
#include "config.h"
#include "keyspace.h"
#include "rdb.h"
#include "repl_lagprobe.h"
#include "resp_compose.h"
#include "resp_parse.h"
#include "util.h"
#include "wlog.h"

#define LINK_LINE_MAX 4096		/* a handshake / $ header line */
#define LINK_RETRY_MIN_MS 100		/* reconnect backoff */
#define LINK_RETRY_MAX_MS 2000
#define LINK_ACK_PERIOD_MS 1000
#define LINK_OUT_MAX (1u << 20)		/* ACKs the master does not read */

#define ERR_READONLY "-READONLY You can't write against a read only replica."
#define ERR_MASTERDOWN "-MASTERDOWN Link with MASTER is down and " \
	"replica-serve-stale-data is set to 'no'."

/* ---- shared replica-side state (under ctl_repl.lock unless atomic) ------- */

/* Bumped by every master change; the link compares it with its own. */
static _Atomic uint64_t master_gen;
/* PSYNC with ctl_repl.replid / master_repl_offset + 1 (Redis's cached
 * master: after a sync, or our own history after a demotion); false:
 * PSYNC ? -1.  Under ctl_repl.lock. */
static bool have_cached_master;
/* The master client's db carried across reconnections (Redis keeps the
 * cached master's db; +CONTINUE sends no SELECT). */
static _Atomic int cached_master_db;
/* Held while the link applies one command and while a promotion switches
 * the role (see the header). */
static pthread_mutex_t apply_lock = PTHREAD_MUTEX_INITIALIZER;
/* Full-sync progress for INFO. */
static _Atomic long long sync_total_bytes, sync_read_bytes;

/* ---- the link -------------------------------------------------------------- */

/* Handshake steps (Redis's REPL_STATE_RECEIVE_*_REPLY). */
enum link_hs {
	HS_PING_REPLY = 0,
	HS_AUTH_REPLY,
	HS_PORT_REPLY,
	HS_IP_REPLY,
	HS_CAPA_REPLY,
	HS_PSYNC_REPLY,
	HS__N
};

static const char *const link_hs_names[HS__N] = {
	[HS_PING_REPLY] = "ping-reply",
	[HS_AUTH_REPLY] = "auth-reply",
	[HS_PORT_REPLY] = "port-reply",
	[HS_IP_REPLY] = "ip-reply",
	[HS_CAPA_REPLY] = "capa-reply",
	[HS_PSYNC_REPLY] = "psync-reply",
};

struct ctl_link {
	enum ctl_link_state state;
	enum link_hs hs;
	struct st_worker *w;
	uint64_t gen;			/* master_gen this link works for */
	char host[64];
	int port;

	struct st_buf in;		/* unprocessed input */
	size_t in_pos;
	struct st_buf out;		/* bytes for the transport */
	size_t out_pos;
	bool want_close;
	bool failover_psync;		/* our PSYNC carried FAILOVER */

	/* handshake */
	bool send_auth, send_ip;
	char psync_id[CTL_REPLID_LEN + 1];	/* "?" or the cached replid */
	long long psync_off;		/* what PSYNC asked for (-1 with ?) */
	bool sync_fallback;		/* the master did not know PSYNC */

	/* transfer */
	bool got_header;
	bool eof_mode;
	char eofmark[CTL_REPLID_LEN];
	long long bulk_len;		/* $len mode */
	char full_replid[CTL_REPLID_LEN + 1];
	long long full_offset;
	unsigned char *rdb;
	size_t rdb_len, rdb_cap;

	/* streaming */
	struct st_client *mc;		/* ST_CLIENT_MASTER */
	struct st_resp_parser parser;

	/* time */
	int64_t last_io_ms;
	int64_t retry_at_ms;
	int64_t retry_backoff_ms;
	int64_t next_ack_ms;

	char last_error[160];
};

typedef void (*link_input_fn)(struct ctl_link *l, int64_t now_ms);
typedef void (*link_cron_fn)(struct ctl_link *l, int64_t now_ms,
			     enum ctl_link_action *act);

static void link_drop(struct ctl_link *l, int64_t now_ms, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void link_log(const struct ctl_link *l, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void link_attach_stream(struct ctl_link *l, int db, int64_t now_ms);
static void link_handlers_input(struct ctl_link *l, int64_t now_ms);

/* A new history (full sync, or +CONTINUE with a new replid): our own
 * replicas must resync with us (Redis's disconnectSlaves).  Under
 * ctl_repl.lock. */
static void
ctl_replica_new_history_locked(void)
{
	ctl_replicas_disconnect_all();
}

/* Restart the backlog empty after 'off' (a full sync: the old bytes
 * belong to another history).  Sub-replicas' pumps read the ring without
 * a lock, so the old ring is retired (ctl_backlog_retire keeps it until
 * no reader can hold it) and a new one created; never freed here.
 * Under ctl_repl.lock. */
static void
backlog_restart_locked(long long off)
{
	ctl_backlog_retire();
	atomic_store(&ctl_repl.master_repl_offset, off);
	ctl_backlog_create(st_cfg.repl_backlog_size);
}

static void
link_log(const struct ctl_link *l, const char *fmt, ...)
{
	va_list ap;

	if (getenv("FERRY_REPL_QUIET") != NULL)
		return;
	fprintf(stderr, "ferryd: replica: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* Mirror the state into ctl_repl (INFO, ROLE) while our generation is the
 * current one. */
static void
link_set_state(struct ctl_link *l, enum ctl_link_state s, int64_t now_ms)
{
	enum ctl_link_state old = l->state;

	l->state = s;
	pthread_mutex_lock(&ctl_repl.lock);
	if (atomic_load(&master_gen) == l->gen &&
	    ctl_repl_role() == CTL_ROLE_REPLICA) {
		atomic_store(&ctl_repl.link_state, (int)s);
		if (s == CTL_LINK_CONNECTED)
			atomic_store(&ctl_repl.link_down_since_ms, 0);
		else if (old == CTL_LINK_CONNECTED)
			atomic_store(&ctl_repl.link_down_since_ms, now_ms);
	}
	pthread_mutex_unlock(&ctl_repl.lock);
}

static void
out_append(struct ctl_link *l, const void *p, size_t n)
{
	if (l->out.len - l->out_pos + n > LINK_OUT_MAX)
		return;		/* the master reads nothing: ACKs are idempotent */
	st_buf_append(&l->out, p, n);
}

static void
out_command(struct ctl_link *l, int argc, const char *const *argv)
{
	size_t lens[8];
	struct st_buf b;

	for (int i = 0; i < argc; i++)
		lens[i] = strlen(argv[i]);
	st_buf_init(&b);
	st_resp_command(&b, argc, argv, lens);
	out_append(l, b.p, b.len);
	st_buf_free(&b);
}

static void
send_ack(struct ctl_link *l)
{
	char off[32];
	const char *argv[3] = {"REPLCONF", "ACK", off};

	snprintf(off, sizeof(off), "%lld",
		 atomic_load(&ctl_repl.master_repl_offset));
	out_command(l, 3, argv);
}

static void
xfer_reset(struct ctl_link *l)
{
	st_free(l->rdb);
	l->rdb = NULL;
	l->rdb_len = l->rdb_cap = 0;
	l->got_header = false;
	l->eof_mode = false;
	l->bulk_len = 0;
	atomic_store(&sync_total_bytes, 0);
	atomic_store(&sync_read_bytes, 0);
}

static void
master_client_free(struct ctl_link *l)
{
	if (l->mc == NULL)
		return;
	cached_master_db = l->mc->db;
	st_client_unregister(l->mc);
	st_client_free(l->mc);
	l->mc = NULL;
}

/* Forget the connection's state (input, output, transfer, master client);
 * the state becomes 'next'. */
static void
link_reset(struct ctl_link *l, enum ctl_link_state next, int64_t now_ms)
{
	st_buf_reset(&l->in);
	st_buf_shrink(&l->in);
	l->in_pos = 0;
	st_buf_reset(&l->out);
	st_buf_shrink(&l->out);
	l->out_pos = 0;
	xfer_reset(l);
	master_client_free(l);
	l->sync_fallback = false;
	link_set_state(l, next, now_ms);
}

static void
link_drop(struct ctl_link *l, int64_t now_ms, const char *fmt, ...)
{
	va_list ap;
	bool had_conn = l->state >= CTL_LINK_CONNECTING;

	va_start(ap, fmt);
	vsnprintf(l->last_error, sizeof(l->last_error), fmt, ap);
	va_end(ap);
	/* a hand-over whose link fails before the target answered stays in
	 * progress: the link retries and its next PSYNC carries FAILOVER
	 * again (Redis syncWithMaster: only a refused PSYNC aborts; an
	 * operator can FAILOVER ABORT) */
	l->failover_psync = false;
	link_log(l, "link to %s:%d dropped (%s): %s", l->host, l->port,
		 ctl_link_state_name(l->state), l->last_error);
	if (l->state == CTL_LINK_NONE)
		return;
	link_reset(l, CTL_LINK_CONNECT, now_ms);
	if (had_conn)
		l->want_close = true;
	l->retry_at_ms = now_ms + l->retry_backoff_ms;
	l->retry_backoff_ms *= 2;
	if (l->retry_backoff_ms > LINK_RETRY_MAX_MS)
		l->retry_backoff_ms = LINK_RETRY_MAX_MS;
}

/*
 * One line from the input ('\n' ends it, a '\r' before it is stripped).
 * 1: *line / *len set; 0: need more; -1: over LINK_LINE_MAX.
 */
static int
read_line(struct ctl_link *l, char *line, size_t *len)
{
	const char *p = l->in.p + l->in_pos;
	size_t avail = l->in.len - l->in_pos;
	const char *nl = memchr(p, '\n', avail);
	size_t n;

	if (nl == NULL)
		return avail > LINK_LINE_MAX ? -1 : 0;
	n = (size_t)(nl - p);
	if (n > LINK_LINE_MAX)
		return -1;
	l->in_pos += n + 1;
	if (n > 0 && p[n - 1] == '\r')
		n--;
	memcpy(line, p, n);
	line[n] = '\0';
	*len = n;
	return 1;
}

/* ---- HANDSHAKE -------------------------------------------------------------- */

static void
hs_send_psync(struct ctl_link *l)
{
	char off[32];
	const char *argv[4] = {"PSYNC", l->psync_id, off, "FAILOVER"};

	pthread_mutex_lock(&ctl_repl.lock);
	if (have_cached_master) {
		memcpy(l->psync_id, ctl_repl.replid, CTL_REPLID_LEN + 1);
		l->psync_off = atomic_load(&ctl_repl.master_repl_offset) + 1;
	} else {
		strcpy(l->psync_id, "?");
		l->psync_off = -1;
	}
	pthread_mutex_unlock(&ctl_repl.lock);
	snprintf(off, sizeof(off), "%lld", l->psync_off);
	/* a master handing over (FAILOVER): the target promotes itself */
	l->failover_psync = ctl_failover_psync_arg();
	out_command(l, l->failover_psync ? 4 : 3, argv);
	l->hs = HS_PSYNC_REPLY;
}

/* After +PONG: AUTH, REPLCONF listening-port, [ip-address], capa, in one
 * write (Redis sends them back to back and then reads the replies). */
static void
hs_send_identity(struct ctl_link *l)
{
	char user[256] = "", pass[512] = "", ip[256] = "", port[16];
	const char *argv[5];

	st_config_get("masteruser", user, sizeof(user));
	st_config_get("masterauth", pass, sizeof(pass));
	st_config_get("replica-announce-ip", ip, sizeof(ip));
	l->send_auth = pass[0] != '\0';
	l->send_ip = ip[0] != '\0';
	if (l->send_auth) {
		argv[0] = "AUTH";
		if (user[0]) {
			argv[1] = user;
			argv[2] = pass;
			out_command(l, 3, argv);
		} else {
			argv[1] = pass;
			out_command(l, 2, argv);
		}
	}
	snprintf(port, sizeof(port), "%d", st_cfg.replica_announce_port ?
		 st_cfg.replica_announce_port : st_cfg.port);
	argv[0] = "REPLCONF";
	argv[1] = "listening-port";
	argv[2] = port;
	out_command(l, 3, argv);
	if (l->send_ip) {
		argv[1] = "ip-address";
		argv[2] = ip;
		out_command(l, 3, argv);
	}
	argv[1] = "capa";
	argv[2] = "eof";
	argv[3] = "capa";
	argv[4] = "psync2";
	out_command(l, 5, argv);
	l->hs = l->send_auth ? HS_AUTH_REPLY : HS_PORT_REPLY;
}

/* A valid 40-character replid (Redis checks only the length). */
static bool
replid_ok(const char *p, size_t n)
{
	return n == CTL_REPLID_LEN;
}

/* +CONTINUE [newid]: go on streaming from our offset. */
static void
hs_continue(struct ctl_link *l, const char *rest, int64_t now_ms)
{
	const char *id = rest, *end;

	while (*id == ' ' || *id == '\t')
		id++;
	end = id;
	while (*end && *end != ' ' && *end != '\r' && *end != '\n')
		end++;
	pthread_mutex_lock(&ctl_repl.lock);
	if (!have_cached_master) {
		/* never answer PSYNC ? -1 with CONTINUE (the master is broken) */
		pthread_mutex_unlock(&ctl_repl.lock);
		link_drop(l, now_ms, "+CONTINUE to PSYNC ? -1");
		return;
	}
	if (replid_ok(id, (size_t)(end - id)) &&
	    memcmp(id, ctl_repl.replid, CTL_REPLID_LEN) != 0) {
		/* §5: the master's history forked from ours at our offset */
		memcpy(ctl_repl.replid2, ctl_repl.replid, CTL_REPLID_LEN + 1);
		ctl_repl.second_repl_offset =
			atomic_load(&ctl_repl.master_repl_offset) + 1;
		memcpy(ctl_repl.replid, id, CTL_REPLID_LEN);
		ctl_repl.replid[CTL_REPLID_LEN] = '\0';
		ctl_replica_new_history_locked();
		link_log(l, "master replication id changed: replid2 = %s "
			 "valid up to %lld", ctl_repl.replid2,
			 ctl_repl.second_repl_offset);
	}
	if (!ctl_backlog_exists()) {
		char keep[CTL_REPLID_LEN + 1];

		/* creating a backlog must not change the id we continue */
		memcpy(keep, ctl_repl.replid, sizeof(keep));
		ctl_backlog_create(st_cfg.repl_backlog_size);
		memcpy(ctl_repl.replid, keep, sizeof(keep));
	}
	pthread_mutex_unlock(&ctl_repl.lock);
	link_log(l, "partial resynchronization from %s:%d at offset %lld",
		 l->host, l->port, l->psync_off);
	link_attach_stream(l, cached_master_db, now_ms);
}

static void
hs_psync_reply(struct ctl_link *l, const char *line, int64_t now_ms)
{
	if (l->failover_psync) {
		/* Redis syncWithMaster: the hand-over is done when the
		 * target accepted the PSYNC; anything else aborts it (and
		 * makes us a master again) */
		bool ok = strncmp(line, "+FULLRESYNC", 11) == 0 ||
			  strncmp(line, "+CONTINUE", 9) == 0;

		l->failover_psync = false;
		ctl_failover_psync_result(ok);
		if (!ok) {
			link_drop(l, now_ms, "FAILOVER target refused PSYNC: "
				  "%.64s", line);
			return;
		}
	}
	if (strncmp(line, "+FULLRESYNC", 11) == 0) {
		const char *id = line + 11, *off;

		while (*id == ' ')
			id++;
		off = strchr(id, ' ');
		if (off != NULL && replid_ok(id, (size_t)(off - id))) {
			memcpy(l->full_replid, id, CTL_REPLID_LEN);
			l->full_replid[CTL_REPLID_LEN] = '\0';
			if (st_str2ll(off + 1, strlen(off + 1),
				      &l->full_offset) != 0 ||
			    l->full_offset < 0) {
				link_drop(l, now_ms, "bad +FULLRESYNC offset");
				return;
			}
		} else {
			/* Redis blanks an id that is not 40 characters */
			memset(l->full_replid, '0', CTL_REPLID_LEN);
			l->full_replid[CTL_REPLID_LEN] = '\0';
			l->full_offset = 0;
		}
		link_log(l, "full resync from %s:%d: replid %s offset %lld",
			 l->host, l->port, l->full_replid, l->full_offset);
		link_set_state(l, CTL_LINK_TRANSFER, now_ms);
		return;
	}
	if (strncmp(line, "+CONTINUE", 9) == 0) {
		hs_continue(l, line + 9, now_ms);
		return;
	}
	if (strncmp(line, "-NOMASTERLINK", 13) == 0 ||
	    strncmp(line, "-LOADING", 8) == 0) {
		link_drop(l, now_ms, "master not ready, retry later: %s", line);
		return;
	}
	if (line[0] == '-') {
		/* an old master: SYNC (RDB with $len framing, no offsets) */
		static const char sync[] = "*1\r\n$4\r\nSYNC\r\n";

		link_log(l, "PSYNC refused (%s): falling back to SYNC", line);
		out_append(l, sync, sizeof(sync) - 1);
		l->sync_fallback = true;
		memset(l->full_replid, '0', CTL_REPLID_LEN);
		l->full_replid[CTL_REPLID_LEN] = '\0';
		l->full_offset = 0;
		link_set_state(l, CTL_LINK_TRANSFER, now_ms);
		return;
	}
	link_drop(l, now_ms, "unexpected reply to PSYNC: %.64s", line);
}

static void
in_handshake(struct ctl_link *l, int64_t now_ms)
{
	char line[LINK_LINE_MAX + 1];
	size_t len;
	int r;

	while (l->state == CTL_LINK_HANDSHAKE &&
	       (r = read_line(l, line, &len)) != 0) {
		if (r < 0) {
			link_drop(l, now_ms, "handshake reply too long");
			return;
		}
		if (len == 0)
			continue;	/* keepalive newline */
		switch (l->hs) {
		case HS_PING_REPLY:
			if (line[0] == '-' &&
			    strncmp(line, "-NOAUTH", 7) != 0 &&
			    strncmp(line, "-NOPERM", 7) != 0 &&
			    strncmp(line, "-ERR operation not permitted", 28) != 0) {
				link_drop(l, now_ms, "error reply to PING: %.64s",
					  line);
				return;
			}
			hs_send_identity(l);
			break;
		case HS_AUTH_REPLY:
			if (line[0] == '-') {
				link_drop(l, now_ms, "unable to AUTH to MASTER: "
					  "%.64s", line);
				return;
			}
			l->hs = HS_PORT_REPLY;
			break;
		case HS_PORT_REPLY:
			if (line[0] == '-')
				link_log(l, "REPLCONF listening-port: %.64s", line);
			l->hs = l->send_ip ? HS_IP_REPLY : HS_CAPA_REPLY;
			break;
		case HS_IP_REPLY:
			if (line[0] == '-')
				link_log(l, "REPLCONF ip-address: %.64s", line);
			l->hs = HS_CAPA_REPLY;
			break;
		case HS_CAPA_REPLY:
			if (line[0] == '-')
				link_log(l, "REPLCONF capa: %.64s", line);
			hs_send_psync(l);
			break;
		case HS_PSYNC_REPLY:
			hs_psync_reply(l, line, now_ms);
			break;
		case HS__N:
			break;
		}
	}
	/* leftovers belong to the next state (RDB bytes, stream) */
	if (l->state == CTL_LINK_TRANSFER || l->state == CTL_LINK_CONNECTED)
		link_handlers_input(l, now_ms);
}

/* ---- TRANSFER ---------------------------------------------------------------- */

static long long
rdb_limit(void)
{
	return st_cfg.repl_rdb_max_bytes;
}

/* Room for 'need' image bytes: doubling, never past a $len image's size
 * (grown as bytes arrive, so a bogus $len costs nothing up front). */
static void
rdb_grow(struct ctl_link *l, size_t need)
{
	size_t cap = l->rdb_cap ? l->rdb_cap : 64 * 1024;

	if (need <= l->rdb_cap)
		return;
	while (cap < need)
		cap *= 2;
	if (!l->eof_mode && cap > (size_t)l->bulk_len)
		cap = (size_t)l->bulk_len;
	l->rdb = st_realloc(l->rdb, cap);
	l->rdb_cap = cap;
}

/* "$<len>" or "$EOF:<40 chars>"; newlines before it are keepalives. */
static void
xfer_header(struct ctl_link *l, int64_t now_ms)
{
	char line[LINK_LINE_MAX + 1];
	size_t len;
	int r;

	while ((r = read_line(l, line, &len)) != 0) {
		if (r < 0) {
			link_drop(l, now_ms, "bad protocol from MASTER: header "
				  "line too long");
			return;
		}
		if (len == 0)
			continue;
		if (line[0] == '-') {
			link_drop(l, now_ms, "MASTER aborted replication: %.64s",
				  line);
			return;
		}
		if (line[0] != '$') {
			link_drop(l, now_ms, "bad protocol from MASTER, the "
				  "first byte is not '$': %.64s", line);
			return;
		}
		if (strncmp(line + 1, "EOF:", 4) == 0 &&
		    len == 5 + CTL_REPLID_LEN) {
			l->eof_mode = true;
			memcpy(l->eofmark, line + 5, CTL_REPLID_LEN);
			atomic_store(&sync_total_bytes, -1);
		} else {
			long long n;

			if (st_str2ll(line + 1, len - 1, &n) != 0 || n <= 0) {
				link_drop(l, now_ms, "bad RDB length: %.64s",
					  line);
				return;
			}
			if (n > rdb_limit()) {
				link_drop(l, now_ms, "RDB of %lld bytes is over "
					  "repl-rdb-max-bytes (%lld)", n,
					  rdb_limit());
				return;
			}
			l->bulk_len = n;
			atomic_store(&sync_total_bytes, n);
		}
		l->got_header = true;
		return;
	}
}

/* The whole image arrived: load it (all or nothing), then stream. */
static void
xfer_load(struct ctl_link *l, size_t img_len, int64_t now_ms)
{
	struct ctl_rdb_reader r;
	struct ctl_rdb_mem m;
	struct ctl_rdb_info info;
	int rc;

	ctl_rdb_reader_mem(&r, &m, l->rdb, img_len);
	rc = ctl_rdb_load(&r, CTL_RDB_LOAD_FLUSH | CTL_RDB_LOAD_KEEP_EXPIRED,
			  &info);
	st_free(l->rdb);
	l->rdb = NULL;
	l->rdb_len = l->rdb_cap = 0;
	if (rc < 0) {
		link_drop(l, now_ms, "loading the RDB from MASTER failed, "
			  "keyspace unchanged (%s): %s", strerror(-rc),
			  info.err);
		return;
	}
	if (atomic_load(&master_gen) != l->gen) {
		link_drop(l, now_ms, "master changed during the transfer");
		return;
	}
	link_log(l, "MASTER <-> REPLICA sync: loaded %llu keys (%zu bytes)",
		 (unsigned long long)info.keys_loaded, img_len);
	pthread_mutex_lock(&ctl_repl.lock);
	ctl_replica_new_history_locked();
	/* §1.4: replid = master's, offset = FULLRESYNC offset, no replid2,
	 * and a backlog starting at offset + 1 for our own replicas */
	backlog_restart_locked(l->full_offset);
	atomic_store(&ctl_repl.master_repl_offset, l->full_offset);
	memcpy(ctl_repl.replid, l->full_replid, CTL_REPLID_LEN + 1);
	memset(ctl_repl.replid2, '0', CTL_REPLID_LEN);
	ctl_repl.replid2[CTL_REPLID_LEN] = '\0';
	ctl_repl.second_repl_offset = -1;
	have_cached_master = !l->sync_fallback;
	pthread_mutex_unlock(&ctl_repl.lock);
	xfer_reset(l);
	link_attach_stream(l, info.repl_stream_db >= 0 &&
			   info.repl_stream_db < ST_DBNUM ?
			   info.repl_stream_db : 0, now_ms);
	/* the loaded image is the history up to the FULLRESYNC offset */
	ctl_repl_core_map_applied(st_wlog_last_seq(), st_wlog_last_seq(),
				  l->full_offset, l->mc != NULL ? l->mc->db : 0);
}

static void
in_transfer(struct ctl_link *l, int64_t now_ms)
{
	const char *p;
	size_t avail, take;

	if (!l->got_header) {
		xfer_header(l, now_ms);
		if (l->state != CTL_LINK_TRANSFER || !l->got_header)
			return;
	}
	p = l->in.p + l->in_pos;
	avail = l->in.len - l->in_pos;
	if (l->eof_mode) {
		if (l->rdb_len + avail > (unsigned long long)rdb_limit()) {
			link_drop(l, now_ms, "RDB over repl-rdb-max-bytes "
				  "(%lld) without its EOF mark", rdb_limit());
			return;
		}
		take = avail;
	} else {
		take = (size_t)l->bulk_len - l->rdb_len;
		if (take > avail)
			take = avail;
	}
	if (take == 0)
		return;
	rdb_grow(l, l->rdb_len + take);
	memcpy(l->rdb + l->rdb_len, p, take);
	l->rdb_len += take;
	l->in_pos += take;
	atomic_store(&sync_read_bytes, (long long)l->rdb_len);
	if (l->eof_mode) {
		/* as Redis: the mark ends the last read */
		if (l->rdb_len >= CTL_REPLID_LEN &&
		    memcmp(l->rdb + l->rdb_len - CTL_REPLID_LEN, l->eofmark,
			   CTL_REPLID_LEN) == 0)
			xfer_load(l, l->rdb_len - CTL_REPLID_LEN, now_ms);
	} else if (l->rdb_len == (size_t)l->bulk_len) {
		xfer_load(l, l->rdb_len, now_ms);
	}
	if (l->state == CTL_LINK_CONNECTED)
		link_handlers_input(l, now_ms);
}

/* ---- CONNECTED ----------------------------------------------------------------- */

static void
link_attach_stream(struct ctl_link *l, int db, int64_t now_ms)
{
	struct st_client *c = st_client_new(l->w);

	c->flags |= ST_CLIENT_MASTER | ST_CLIENT_AUTHENTICATED;
	c->db = db;
	c->parser.max_bulk_len = LLONG_MAX;	/* the master has no limit */
	snprintf(c->addr, sizeof(c->addr), "%.48s:%d", l->host, l->port);
	st_client_publish(c);		/* CLIENT LIST / KILL see the flags */
	st_client_register(c);
	l->mc = c;
	st_resp_parser_free(&l->parser);
	st_resp_parser_init(&l->parser);
	l->parser.max_bulk_len = LLONG_MAX;
	l->parser.authenticated = 1;
	l->retry_backoff_ms = LINK_RETRY_MIN_MS;
	link_set_state(l, CTL_LINK_CONNECTED, now_ms);
	/* right after loading (and at once after +CONTINUE), then 1 Hz */
	if (!l->sync_fallback)
		send_ack(l);
	l->next_ack_ms = now_ms + LINK_ACK_PERIOD_MS;
}

static bool
arg_is(const char *base, const struct st_slice *s, const char *lit)
{
	size_t n = strlen(lit);

	return s->len == n && strncasecmp(base + s->off, lit, n) == 0;
}

/* Apply every complete command: execute, count, append to the backlog. */
static void
in_connected(struct ctl_link *l, int64_t now_ms)
{
	struct st_client *c = l->mc;

	while (l->state == CTL_LINK_CONNECTED && l->in_pos < l->in.len) {
		char *base = l->in.p + l->in_pos;
		size_t avail = l->in.len - l->in_pos, used = 0;
		enum st_parse_status st;

		if (atomic_load_explicit(&c->kill, memory_order_relaxed)) {
			link_drop(l, now_ms, "master client killed");
			return;
		}
		st = st_resp_parse(&l->parser, base, avail, &used);
		if (st == ST_PARSE_EUNFIN)
			break;
		if (st == ST_PARSE_EINVALID) {
			link_drop(l, now_ms, "protocol error in the stream "
				  "from MASTER: %s", l->parser.err);
			return;
		}
		pthread_mutex_lock(&apply_lock);
		if (atomic_load(&master_gen) != l->gen) {
			pthread_mutex_unlock(&apply_lock);
			return;		/* the cron resets the link */
		}
		if (st == ST_PARSE_OK && l->parser.argc >= 1 &&
		    arg_is(base, &l->parser.argv[0], "replconf")) {
			/* GETACK: ACK the offset before this command */
			if (l->parser.argc >= 2 &&
			    arg_is(base, &l->parser.argv[1], "getack"))
				send_ack(l);
		} else if (st == ST_PARSE_OK && l->parser.argc > 0) {
			uint64_t s0 = st_wlog_last_seq(), s1;

			st_client_feed(c, base, used);
			st_client_process(c);
			ctl_lagprobe_observe(base, l->parser.argv,
					     l->parser.argc);
			/* where the records this command drew end in the
			 * stream: a full sync of our own replicas at one of
			 * them starts right after its bytes (exact) */
			s1 = st_wlog_last_seq();
			if (s1 != s0)
				ctl_repl_core_map_applied(s0 + 1, s1,
					atomic_load(&ctl_repl.master_repl_offset) +
					(long long)used, c->db);
			st_buf_reset(&c->out);	/* no replies to the master */
			if (c->flags & ST_CLIENT_CLOSE_AFTER_REPLY) {
				pthread_mutex_unlock(&apply_lock);
				link_drop(l, now_ms, "master client closed "
					  "(bad command in the stream)");
				return;
			}
		}
		ctl_backlog_append(base, used);
		pthread_mutex_unlock(&apply_lock);
		l->in_pos += used;
	}
	st_buf_shrink(&c->out);
}

static void
in_discard(struct ctl_link *l, int64_t now_ms)
{
	l->in_pos = l->in.len;
}

static const link_input_fn link_input_handlers[CTL_LINK_NSTATES] = {
	[CTL_LINK_NONE] = in_discard,
	[CTL_LINK_CONNECT] = in_discard,
	[CTL_LINK_CONNECTING] = in_discard,
	[CTL_LINK_HANDSHAKE] = in_handshake,
	[CTL_LINK_TRANSFER] = in_transfer,
	[CTL_LINK_CONNECTED] = in_connected,
};

static void
link_handlers_input(struct ctl_link *l, int64_t now_ms)
{
	link_input_handlers[l->state](l, now_ms);
}

/* ---- timers ------------------------------------------------------------------------ */

static void
cron_idle(struct ctl_link *l, int64_t now_ms, enum ctl_link_action *act)
{
}

static void
cron_connect(struct ctl_link *l, int64_t now_ms, enum ctl_link_action *act)
{
	if (now_ms < l->retry_at_ms || l->want_close)
		return;
	l->last_io_ms = now_ms;
	atomic_store(&ctl_repl.last_io_ms, now_ms);
	link_set_state(l, CTL_LINK_CONNECTING, now_ms);
	*act = CTL_LINK_ACT_CONNECT;
}

/* repl-timeout without a byte from the master: drop (Redis's
 * "Timeout connecting to the MASTER" / "MASTER timeout"). */
static void
cron_timeout(struct ctl_link *l, int64_t now_ms, enum ctl_link_action *act)
{
	if (now_ms - l->last_io_ms > (int64_t)st_cfg.repl_timeout * 1000)
		link_drop(l, now_ms, "timeout: no data from MASTER for %d s "
			  "(repl-timeout)", st_cfg.repl_timeout);
}

static void
cron_connected(struct ctl_link *l, int64_t now_ms, enum ctl_link_action *act)
{
	if (atomic_load_explicit(&l->mc->kill, memory_order_relaxed)) {
		link_drop(l, now_ms, "master client killed");
		return;
	}
	cron_timeout(l, now_ms, act);
	if (l->state != CTL_LINK_CONNECTED)
		return;
	if (now_ms >= l->next_ack_ms) {
		if (!l->sync_fallback)
			send_ack(l);
		l->next_ack_ms = now_ms + LINK_ACK_PERIOD_MS;
	}
}

static const link_cron_fn link_cron_handlers[CTL_LINK_NSTATES] = {
	[CTL_LINK_NONE] = cron_idle,
	[CTL_LINK_CONNECT] = cron_connect,
	[CTL_LINK_CONNECTING] = cron_timeout,
	[CTL_LINK_HANDSHAKE] = cron_timeout,
	[CTL_LINK_TRANSFER] = cron_timeout,
	[CTL_LINK_CONNECTED] = cron_connected,
};

/* REPLICAOF changed the master: forget the connection, adopt the new one. */
static void
link_adopt_master(struct ctl_link *l, int64_t now_ms)
{
	bool had_conn = l->state >= CTL_LINK_CONNECTING;
	bool replica;

	link_reset(l, l->state, now_ms);	/* frees the master client */
	pthread_mutex_lock(&ctl_repl.lock);
	l->gen = atomic_load(&master_gen);
	replica = ctl_repl_role() == CTL_ROLE_REPLICA;
	snprintf(l->host, sizeof(l->host), "%s", ctl_repl.master_host);
	l->port = ctl_repl.master_port;
	pthread_mutex_unlock(&ctl_repl.lock);
	if (had_conn)
		l->want_close = true;
	l->retry_at_ms = now_ms;
	l->retry_backoff_ms = LINK_RETRY_MIN_MS;
	link_set_state(l, replica ? CTL_LINK_CONNECT : CTL_LINK_NONE, now_ms);
	if (replica)
		link_log(l, "connecting to MASTER %s:%d", l->host, l->port);
}

/* ---- the link's API ---------------------------------------------------------------- */

struct ctl_link *
ctl_link_new(struct st_worker *w)
{
	struct ctl_link *l = st_calloc(sizeof(*l));

	l->w = w;
	l->state = CTL_LINK_NONE;
	l->gen = (uint64_t)-1;		/* adopt whatever is configured */
	st_buf_init(&l->in);
	st_buf_init(&l->out);
	st_resp_parser_init(&l->parser);
	l->retry_backoff_ms = LINK_RETRY_MIN_MS;
	return l;
}

void
ctl_link_free(struct ctl_link *l)
{
	if (l == NULL)
		return;
	xfer_reset(l);
	master_client_free(l);
	st_buf_free(&l->in);
	st_buf_free(&l->out);
	st_resp_parser_free(&l->parser);
	st_free(l);
}

enum ctl_link_action
ctl_link_cron(struct ctl_link *l, int64_t now_ms)
{
	enum ctl_link_action act = CTL_LINK_ACT_NONE;

	if (atomic_load(&master_gen) != l->gen)
		link_adopt_master(l, now_ms);
	ctl_lagprobe_refresh(now_ms);
	link_cron_handlers[l->state](l, now_ms, &act);
	if (l->want_close)
		return CTL_LINK_ACT_CLOSE;
	return act;
}

void
ctl_link_target(const struct ctl_link *l, char *host, size_t hostlen,
		int *port)
{
	snprintf(host, hostlen, "%s", l->host);
	*port = l->port;
}

void
ctl_link_connect_failed(struct ctl_link *l, int64_t now_ms, const char *why)
{
	if (l->state != CTL_LINK_CONNECTING)
		return;
	l->state = CTL_LINK_CONNECT;	/* nothing to close */
	link_drop(l, now_ms, "connecting to MASTER failed: %s", why);
	l->want_close = false;
}

void
ctl_link_connected(struct ctl_link *l, int64_t now_ms)
{
	static const char ping[] = "*1\r\n$4\r\nPING\r\n";

	if (l->state != CTL_LINK_CONNECTING)
		return;
	l->last_io_ms = now_ms;
	l->hs = HS_PING_REPLY;
	link_set_state(l, CTL_LINK_HANDSHAKE, now_ms);
	out_append(l, ping, sizeof(ping) - 1);
	link_log(l, "MASTER <-> REPLICA sync started (%s)",
		 link_hs_names[l->hs]);
}

void
ctl_link_input(struct ctl_link *l, const void *p, size_t n, int64_t now_ms)
{
	if (l->state < CTL_LINK_HANDSHAKE || l->want_close)
		return;
	l->last_io_ms = now_ms;
	atomic_store_explicit(&ctl_repl.last_io_ms, now_ms,
			      memory_order_relaxed);
	st_buf_append(&l->in, p, n);
	link_handlers_input(l, now_ms);
	/* drop what was processed (keep a partial command or line) */
	if (l->in_pos == l->in.len) {
		st_buf_reset(&l->in);
		l->in_pos = 0;
		st_buf_shrink(&l->in);
	} else if (l->in_pos > 0) {
		st_buf_consume(&l->in, l->in_pos);
		l->in_pos = 0;
	}
}

void
ctl_link_closed(struct ctl_link *l, int64_t now_ms)
{
	l->want_close = false;
	if (l->state >= CTL_LINK_CONNECTING)
		link_drop(l, now_ms, "connection lost");
	l->want_close = false;
}

bool
ctl_link_should_close(const struct ctl_link *l)
{
	return l->want_close;
}

const void *
ctl_link_output(struct ctl_link *l, size_t *n)
{
	*n = l->out.len - l->out_pos;
	return l->out.p + l->out_pos;
}

void
ctl_link_output_consume(struct ctl_link *l, size_t n)
{
	l->out_pos += n;
	if (l->out_pos >= l->out.len) {
		st_buf_reset(&l->out);
		l->out_pos = 0;
		st_buf_shrink(&l->out);
	}
}

enum ctl_link_state
ctl_link_get_state(const struct ctl_link *l)
{
	return l->state;
}

long long
ctl_link_offset(const struct ctl_link *l)
{
	return atomic_load(&ctl_repl.master_repl_offset);
}

const char *
ctl_link_last_error(const struct ctl_link *l)
{
	return l->last_error;
}

void
ctl_replica_sync_progress(long long *total, long long *read)
{
	*total = atomic_load_explicit(&sync_total_bytes, memory_order_relaxed);
	*read = atomic_load_explicit(&sync_read_bytes, memory_order_relaxed);
}

/* ---- REPLICAOF ---------------------------------------------------------------------- */

/* 'cache_self': a master being demoted PSYNCs with its own history (§5);
 * at start-up (the replicaof directive) there is none to offer. */
static int
replica_set_master(const char *host, int port, bool cache_self)
{
	/* a promotion waits for the command the link is applying */
	if (host == NULL)
		pthread_mutex_lock(&apply_lock);
	pthread_mutex_lock(&ctl_repl.lock);
	if (host == NULL) {
		if (ctl_repl_role() == CTL_ROLE_REPLICA) {
			/* our replicas go before the role switch lets the
			 * core append the new history (ctl_replica_pump) */
			ctl_replicas_disconnect_all();
			ctl_repl_mark_promotion();
			ctl_repl_set_role(CTL_ROLE_MASTER);
			ctl_repl.master_host[0] = '\0';
			ctl_repl.master_port = 0;
			atomic_store(&ctl_repl.link_state, CTL_LINK_NONE);
			have_cached_master = false;
			/* replid2 = replid, new replid, our replicas reconnect */
			ctl_repl_shift_replid();
			st_keyspace_set_replica(false);
			atomic_fetch_add(&master_gen, 1);
		}
		pthread_mutex_unlock(&ctl_repl.lock);
		pthread_mutex_unlock(&apply_lock);
		return 0;
	}
	if (host[0] == '\0' || strlen(host) >= sizeof(ctl_repl.master_host) ||
	    port < 0 || port > 65535) {
		pthread_mutex_unlock(&ctl_repl.lock);
		return -EINVAL;
	}
	if (ctl_repl_role() == CTL_ROLE_REPLICA &&
	    strcasecmp(ctl_repl.master_host, host) == 0 &&
	    ctl_repl.master_port == port) {
		pthread_mutex_unlock(&ctl_repl.lock);
		return -EALREADY;
	}
	if (ctl_repl_role() == CTL_ROLE_MASTER) {
		/* §5 demotion: our own history is the cached master; our
		 * replicas must follow the new topology (Redis
		 * replicationSetMaster: disconnectSlaves), they re-PSYNC */
		have_cached_master = cache_self;
		cached_master_db = 0;
		ctl_replicas_disconnect_all();
		ctl_repl_mark_demotion();
	}
	ctl_repl_set_role(CTL_ROLE_REPLICA);
	snprintf(ctl_repl.master_host, sizeof(ctl_repl.master_host), "%s",
		 host);
	ctl_repl.master_port = port;
	atomic_store(&ctl_repl.link_state, CTL_LINK_CONNECT);
	if (atomic_load(&ctl_repl.link_down_since_ms) == 0)
		atomic_store(&ctl_repl.link_down_since_ms, 0);
	st_keyspace_set_replica(true);
	atomic_fetch_add(&master_gen, 1);
	pthread_mutex_unlock(&ctl_repl.lock);
	return 0;
}

int
ctl_replica_set_master(const char *host, int port)
{
	return replica_set_master(host, port, true);
}

int
ctl_replica_apply_config(void)
{
	char v[256], host[128];
	int port;

	if (st_config_get("replicaof", v, sizeof(v)) != 0 || v[0] == '\0')
		return 0;
	if (sscanf(v, "%127s %d", host, &port) != 2)
		return -EINVAL;
	return replica_set_master(host, port, false) == -EINVAL ? -EINVAL : 0;
}

void
ctl_replicaof_command(struct st_client *c)
{
	char host[sizeof(ctl_repl.master_host)];
	long long port;
	int rc;

	if (st_arg_is(&c->argv[1], "no") && st_arg_is(&c->argv[2], "one")) {
		ctl_replica_set_master(NULL, 0);
		st_reply_ok(c);
		return;
	}
	if (c->flags & ST_CLIENT_REPLICA) {
		st_reply_error(c, "Command is not valid when client is a replica.");
		return;
	}
	if (st_str2ll(c->argv[2].p, c->argv[2].len, &port) != 0 ||
	    port < 0 || port > 65535) {
		st_reply_error(c, "Invalid master port");
		return;
	}
	if (c->argv[1].len == 0 || c->argv[1].len >= sizeof(host)) {
		st_reply_error(c, "Invalid master host");
		return;
	}
	memcpy(host, c->argv[1].p, c->argv[1].len);
	host[c->argv[1].len] = '\0';
	rc = ctl_replica_set_master(host, (int)port);
	if (rc == -EALREADY) {
		st_reply_status(c, "OK Already connected to specified master");
		return;
	}
	if (rc < 0) {
		st_reply_error(c, "Invalid master host");
		return;
	}
	st_reply_ok(c);
}

/* ---- READONLY / MASTERDOWN ------------------------------------------------------------ */

/* EXEC: the flags of the queued commands. */
static void
queued_flags(const struct st_client *c, bool *any_write, bool *any_nonstale)
{
	*any_write = *any_nonstale = false;
	for (int i = 0; i < c->mq_len; i++) {
		uint32_t f = c->mq[i].cmd->flags;

		if (f & ST_CMD_WRITE)
			*any_write = true;
		if (!(f & ST_CMD_STALE))
			*any_nonstale = true;
	}
}

static int
check_reject(struct st_client *c, const struct st_cmd *cmd, const char *msg)
{
	if (strcmp(cmd->name, "exec") == 0) {
		/* Redis's execCommandAbort */
		st_client_discard_multi(c);
		st_client_unwatch(c);
		st_reply_errorf(c, "-EXECABORT Transaction discarded because "
				"of: %s", msg + 1);
		return -1;
	}
	if (c->flags & ST_CLIENT_MULTI)
		c->flags |= ST_CLIENT_DIRTY_EXEC;
	st_reply_error(c, msg);
	return -1;
}

int
ctl_replica_check(struct st_client *c, const struct st_cmd *cmd)
{
	bool is_exec, write, denystale;

	if (c->flags & ST_CLIENT_MASTER)
		return 0;
	if (__atomic_load_n(&ctl_repl.role, __ATOMIC_RELAXED) !=
	    CTL_ROLE_REPLICA)
		return 0;
	is_exec = strcmp(cmd->name, "exec") == 0;
	write = (cmd->flags & ST_CMD_WRITE) != 0;
	denystale = !(cmd->flags & ST_CMD_STALE);
	if (is_exec) {
		bool qw, qns;

		queued_flags(c, &qw, &qns);
		write = write || qw;
		denystale = denystale || qns;
	}
	if (st_cfg.replica_read_only && write)
		return check_reject(c, cmd, ERR_READONLY);
	if (atomic_load_explicit(&ctl_repl.link_state, memory_order_relaxed) !=
	    CTL_LINK_CONNECTED && !st_cfg.replica_serve_stale_data &&
	    denystale)
		return check_reject(c, cmd, ERR_MASTERDOWN);
	return 0;
}
