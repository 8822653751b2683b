/*
 * test_repl_replica.c -- the replica side's master link (control/
 * repl_replica.c) driven by scripted master conversations: no network,
 * time passed in by hand.
 *
 *  - handshake bytes exact, without and with masterauth / masteruser /
 *    replica-announce-ip / replica-announce-port (the transcript of
 *    shared/reference/redis_repl_interop.md §1.1); bare "\n" skipped;
 *  - +FULLRESYNC + "$len" RDB (the 98-byte image of §2) + stream: keys
 *    loaded, ACK right after the load, offsets counted per command
 *    (the 65 / 102 example of §1.3: GETACK not counted in its own ACK),
 *    backlog holding the processed bytes, replid / replid2 / offsets;
 *  - "$EOF:<mark>" framing fed one byte at a time;
 *  - reconnection: PSYNC <replid> <offset+1>, +CONTINUE, +CONTINUE <newid>
 *    (replid2, second_repl_offset), the master client's db kept;
 *  - -NOMASTERLINK / -LOADING (retry later), other -ERR (SYNC fallback);
 *  - hostile masters: truncated RDB, bad CRC (link dropped, keyspace
 *    unchanged), garbage instead of +FULLRESYNC, negative and huge $len,
 *    an endless line without CRLF, an endless $EOF image, a PSYNC answer
 *    that never comes (repl-timeout), a bad command in the stream;
 *  - REPLICAOF replies and READONLY / MASTERDOWN texts;
 *  - sub-replicas kept on +CONTINUE with the same id, disconnected on a
 *    new id;
 *  - promoted with no write since: a sub-replica's FULLRESYNC offset is
 *    the old history's end (PINGs included);
 *  - INFO's master_sync_* lines during $len and $EOF: transfers,
 *    slave_priority from replica-priority;
 *  - 100 full syncs while a registered thread keeps reading the backlog
 *    (each restarts it after the FULLRESYNC offset; the old rings are
 *    retired, never freed under a reader);
 *  - role flips by REPLICAOF while another thread reads the role (TSan);
 *  - REPLICAOF NO ONE while the link applies a stream of INCRs on another
 *    thread: every applied command is in the backlog exactly once (the
 *    replication core does not stream it again as the new history).
 */
#include "harness.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "command.h"
#include "config.h"
#include "rdb.h"
#include "repl.h"
#include "repl_lagprobe.h"
#include "repl_replica.h"
#include "util.h"
#include "wlog.h"

/* The minimal valid image of §2 (redis-check-rdb OK): foo=bar,
 * session=xyz with PXAT 1893456000000, counter=12345. */
static const unsigned char rdb98[] = {
	0x52, 0x45, 0x44, 0x49, 0x53, 0x30, 0x30, 0x31, 0x30,
	0xfa, 0x09, 0x72, 0x65, 0x64, 0x69, 0x73, 0x2d, 0x76, 0x65, 0x72,
	0x06, 0x37, 0x2e, 0x30, 0x2e, 0x31, 0x35,
	0xfa, 0x0a, 0x72, 0x65, 0x64, 0x69, 0x73, 0x2d, 0x62, 0x69, 0x74,
	0x73, 0xc0, 0x40, 0xfe, 0x00, 0xfb, 0x03, 0x01,
	0x00, 0x03, 0x66, 0x6f, 0x6f, 0x03, 0x62, 0x61, 0x72,
	0xfc, 0x00, 0xb4, 0xc5, 0xda, 0xb8, 0x01, 0x00, 0x00, 0x00, 0x07,
	0x73, 0x65, 0x73, 0x73, 0x69, 0x6f, 0x6e, 0x03, 0x78, 0x79, 0x7a,
	0x00, 0x07, 0x63, 0x6f, 0x75, 0x6e, 0x74, 0x65, 0x72, 0xc1, 0x39, 0x30,
	0xff, 0x3a, 0xfd, 0xf5, 0x4b, 0xb3, 0xa7, 0x12, 0xce,
};

#define ID_A "aa46aa46aa46aa46aa46aa46aa46aa46aa46aa46"
#define ID_B "fedcfedcfedcfedcfedcfedcfedcfedcfedcfedc"
#define MARK "c7172b3a501b58c715e05ceab666bbdec3187185"

#define S_SELECT0 "*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n"
#define S_SETK1 "*3\r\n$3\r\nSET\r\n$2\r\nk1\r\n$1\r\nv\r\n"
#define S_PING "*1\r\n$4\r\nping\r\n"
#define S_GETACK "*3\r\n$8\r\nREPLCONF\r\n$6\r\nGETACK\r\n$1\r\n*\r\n"

#define HS_PING "*1\r\n$4\r\nPING\r\n"
#define HS_PORT6379 "*3\r\n$8\r\nREPLCONF\r\n$14\r\nlistening-port\r\n$4\r\n6379\r\n"
#define HS_CAPA "*5\r\n$8\r\nREPLCONF\r\n$4\r\ncapa\r\n$3\r\neof\r\n$4\r\ncapa\r\n$6\r\npsync2\r\n"
#define HS_PSYNC_NEW "*3\r\n$5\r\nPSYNC\r\n$1\r\n?\r\n$2\r\n-1\r\n"

static int64_t now = 1000000;
static struct st_client *cli;		/* a normal client, to look */

/* ---- helpers ---------------------------------------------------------------- */

static void
feed(struct ctl_link *l, const void *p, size_t n)
{
	ctl_link_input(l, p, n, now);
}

#define FEEDS(l, s) feed((l), (s), sizeof(s) - 1)

/* Take the link's whole output as a string (consumed). */
static char *
take_out(struct ctl_link *l)
{
	static char buf[8192];
	size_t n;
	const void *p = ctl_link_output(l, &n);

	assert_true(n < sizeof(buf));
	memcpy(buf, p, n);
	buf[n] = '\0';
	ctl_link_output_consume(l, n);
	return buf;
}

#define expect_out(l, s) assert_string_equal(take_out(l), (s))

static const char *
get(const char *key)
{
	return th_cmd(cli, "GET", key, NULL);
}

static void
set_cfg(const char *name, const char *v)
{
	char err[256];

	assert_int_equal(st_config_set(name, v, err, sizeof(err)), 0);
}

/* Back to a master with an empty keyspace and default settings. */
static void
reset_all(void)
{
	ctl_replica_set_master(NULL, 0);
	th_flush_store();
	set_cfg("masterauth", "");
	set_cfg("masteruser", "");
	set_cfg("replica-announce-ip", "");
	set_cfg("replica-announce-port", "0");
	set_cfg("replicaof", "");
	set_cfg("repl-rdb-max-bytes", "4gb");
	set_cfg("repl-timeout", "60");
	set_cfg("replica-serve-stale-data", "yes");
}

/* A link whose cron connected it (CONNECT -> CONNECTING -> HANDSHAKE). */
static struct ctl_link *
link_up(void)
{
	struct ctl_link *l = ctl_link_new(th_init());
	char host[64];
	int port;

	assert_int_equal(ctl_link_cron(l, now), CTL_LINK_ACT_CONNECT);
	ctl_link_target(l, host, sizeof(host), &port);
	assert_string_equal(host, "198.18.30.1");
	assert_int_equal(port, 6379);
	assert_int_equal(ctl_link_get_state(l), CTL_LINK_CONNECTING);
	ctl_link_connected(l, now);
	assert_int_equal(ctl_link_get_state(l), CTL_LINK_HANDSHAKE);
	expect_out(l, HS_PING);
	return l;
}

/* Reconnect a dropped link: wait out the backoff, connect, PING. */
static void
relink(struct ctl_link *l)
{
	enum ctl_link_action a;

	if (ctl_link_should_close(l))
		assert_int_equal(ctl_link_cron(l, now), CTL_LINK_ACT_CLOSE);
	ctl_link_closed(l, now);
	assert_int_equal(ctl_link_get_state(l), CTL_LINK_CONNECT);
	take_out(l);
	now += 5000;
	a = ctl_link_cron(l, now);
	assert_int_equal(a, CTL_LINK_ACT_CONNECT);
	ctl_link_connected(l, now);
	expect_out(l, HS_PING);
}

/* Start-up replica (replicaof directive): PSYNC ? -1. */
static struct ctl_link *
fresh_replica_link(void)
{
	reset_all();
	set_cfg("replicaof", "198.18.30.1 6379");
	assert_int_equal(ctl_replica_apply_config(), 0);
	return link_up();
}

/* Through the handshake of a link without auth / announce: up to PSYNC. */
static void
handshake_to_psync(struct ctl_link *l, const char *psync)
{
	FEEDS(l, "+PONG\r\n");
	expect_out(l, HS_PORT6379 HS_CAPA);
	FEEDS(l, "+OK\r\n+OK\r\n");
	expect_out(l, psync);
}

static void
feed_fullsync_len(struct ctl_link *l, const char *id, long long off)
{
	char hdr[128];

	snprintf(hdr, sizeof(hdr), "+FULLRESYNC %s %lld\r\n$%zu\r\n", id, off,
		 sizeof(rdb98));
	feed(l, hdr, strlen(hdr));
	feed(l, rdb98, sizeof(rdb98));
}

static char *
ack_str(long long off)
{
	static char buf[128];
	char n[32];

	snprintf(n, sizeof(n), "%lld", off);
	snprintf(buf, sizeof(buf), "*3\r\n$8\r\nREPLCONF\r\n$3\r\nACK\r\n$%zu\r\n%s\r\n",
		 strlen(n), n);
	return buf;
}

/* A connected replica of ID_A at offset 0 with rdb98 loaded. */
static struct ctl_link *
synced_link(void)
{
	struct ctl_link *l = fresh_replica_link();

	handshake_to_psync(l, HS_PSYNC_NEW);
	feed_fullsync_len(l, ID_A, 0);
	assert_int_equal(ctl_link_get_state(l), CTL_LINK_CONNECTED);
	expect_out(l, ack_str(0));
	return l;
}

static void
link_done(struct ctl_link *l)
{
	ctl_link_free(l);
	reset_all();
}

/* ---- handshake ------------------------------------------------------------------ */

static void
test_handshake_plain(void **state)
{
	struct ctl_link *l = fresh_replica_link();

	assert_int_equal(atomic_load(&ctl_repl.link_state), CTL_LINK_HANDSHAKE);
	FEEDS(l, "\n");			/* keepalive: ignored */
	expect_out(l, "");
	FEEDS(l, "+PONG\r\n");
	expect_out(l, HS_PORT6379 HS_CAPA);
	FEEDS(l, "+OK\r\n");
	expect_out(l, "");		/* one reply at a time */
	FEEDS(l, "-ERR unknown capa\r\n");	/* REPLCONF errors: logged */
	expect_out(l, HS_PSYNC_NEW);
	assert_int_equal(ctl_link_get_state(l), CTL_LINK_HANDSHAKE);
	link_done(l);
}

static void
test_handshake_auth_announce(void **state)
{
	struct ctl_link *l;

	reset_all();
	set_cfg("masterauth", "secret");
	set_cfg("replica-announce-ip", "127.0.0.1");
	set_cfg("replica-announce-port", "17011");
	set_cfg("replicaof", "198.18.30.1 6379");
	assert_int_equal(ctl_replica_apply_config(), 0);
	l = link_up();
	FEEDS(l, "-NOAUTH Authentication required.\r\n");	/* accepted */
	/* the transcript of §1.1, byte for byte */
	expect_out(l, "*2\r\n$4\r\nAUTH\r\n$6\r\nsecret\r\n"
		   "*3\r\n$8\r\nREPLCONF\r\n$14\r\nlistening-port\r\n$5\r\n17011\r\n"
		   "*3\r\n$8\r\nREPLCONF\r\n$10\r\nip-address\r\n$9\r\n127.0.0.1\r\n"
		   HS_CAPA);
	FEEDS(l, "+OK\r\n+OK\r\n+OK\r\n");
	expect_out(l, "");
	FEEDS(l, "+OK\r\n");
	expect_out(l, HS_PSYNC_NEW);
	ctl_link_free(l);

	/* masteruser: AUTH user pass; a refused AUTH drops the link */
	set_cfg("masteruser", "repl");
	l = ctl_link_new(th_init());
	assert_int_equal(ctl_link_cron(l, now), CTL_LINK_ACT_CONNECT);
	ctl_link_connected(l, now);
	expect_out(l, HS_PING);
	FEEDS(l, "+PONG\r\n");
	assert_non_null(strstr(take_out(l),
		"*3\r\n$4\r\nAUTH\r\n$4\r\nrepl\r\n$6\r\nsecret\r\n*3\r\n$8\r\nREPLCONF"));
	FEEDS(l, "-WRONGPASS invalid username-password pair\r\n");
	assert_true(ctl_link_should_close(l));
	assert_int_equal(ctl_link_get_state(l), CTL_LINK_CONNECT);
	assert_non_null(strstr(ctl_link_last_error(l), "AUTH"));
	link_done(l);
}

static void
test_ping_error_drops(void **state)
{
	struct ctl_link *l = fresh_replica_link();

	FEEDS(l, "-ERR something else\r\n");
	assert_true(ctl_link_should_close(l));
	assert_int_equal(ctl_link_cron(l, now), CTL_LINK_ACT_CLOSE);
	ctl_link_closed(l, now);
	assert_false(ctl_link_should_close(l));
	/* backoff: not at once */
	assert_int_equal(ctl_link_cron(l, now), CTL_LINK_ACT_NONE);
	assert_int_equal(ctl_link_cron(l, now + 5000), CTL_LINK_ACT_CONNECT);
	link_done(l);
}

/* ---- full sync and the stream ---------------------------------------------------------- */

static void
test_fullsync_len_and_stream(void **state)
{
	struct ctl_link *l = fresh_replica_link();
	char buf[256];
	long n;

	/* a key that the full sync must flush (written as the master would) */
	cli->flags |= ST_CLIENT_MASTER;
	th_cmd(cli, "SET", "old", "x", NULL);
	cli->flags &= ~ST_CLIENT_MASTER;
	assert_string_equal(get("old"), "$1\r\nx\r\n");
	handshake_to_psync(l, HS_PSYNC_NEW);
	FEEDS(l, "\n\n");		/* keepalives before the reply */
	FEEDS(l, "+FULLRESYNC " ID_A " 0\r\n");
	assert_int_equal(ctl_link_get_state(l), CTL_LINK_TRANSFER);
	expect_out(l, "");
	FEEDS(l, "\n");			/* keepalive before $ */
	feed(l, "$98\r\n", 5);
	feed(l, rdb98, 50);		/* no ACK before the whole RDB (§0.5) */
	expect_out(l, "");
	assert_int_equal(ctl_link_get_state(l), CTL_LINK_TRANSFER);
	assert_string_equal(get("foo"), "$-1\r\n");
	feed(l, rdb98 + 50, sizeof(rdb98) - 50);
	assert_int_equal(ctl_link_get_state(l), CTL_LINK_CONNECTED);
	expect_out(l, ack_str(0));	/* right after loading */
	assert_string_equal(get("foo"), "$3\r\nbar\r\n");
	assert_string_equal(get("counter"), "$5\r\n12345\r\n");
	assert_string_equal(th_cmd(cli, "PEXPIRETIME", "session", NULL),
			    ":1893456000000\r\n");
	assert_string_equal(get("old"), "$-1\r\n");
	assert_string_equal(ctl_repl.replid, ID_A);
	assert_string_equal(ctl_repl.replid2,
			    "0000000000000000000000000000000000000000");
	assert_int_equal(ctl_repl.second_repl_offset, -1);
	assert_int_equal(atomic_load(&ctl_repl.link_state), CTL_LINK_CONNECTED);

	/* §1.3: SELECT(23) SET(28) PING(14) GETACK(37) -> ACK 65, then 102 */
	FEEDS(l, S_SELECT0 S_SETK1 S_PING S_GETACK);
	expect_out(l, ack_str(65));
	assert_int_equal(ctl_link_offset(l), 102);
	assert_string_equal(get("k1"), "$1\r\nv\r\n");
	assert_int_equal(ctl_link_cron(l, now + 500), CTL_LINK_ACT_NONE);
	expect_out(l, "");
	now += 1000;
	assert_int_equal(ctl_link_cron(l, now), CTL_LINK_ACT_NONE);
	expect_out(l, ack_str(102));

	/* the backlog holds exactly the processed bytes, from offset 1 */
	assert_true(ctl_backlog_exists());
	assert_int_equal(ctl_backlog_first_byte(), 1);
	assert_int_equal(ctl_backlog_histlen(), 102);
	n = ctl_backlog_read(1, buf, sizeof(buf));
	assert_int_equal(n, 102);
	assert_memory_equal(buf, S_SELECT0 S_SETK1 S_PING S_GETACK, 102);

	/* a command split anywhere is applied once complete */
	FEEDS(l, "*3\r\n$3\r\nSET\r\n$2\r\nk2");
	assert_int_equal(ctl_link_offset(l), 102);
	FEEDS(l, "\r\n$2\r\nv2\r\n*2\r\n$4\r\nINCR\r\n$3\r\nctr\r\n");
	assert_int_equal(ctl_link_offset(l), 102 + 29 + 23);
	assert_string_equal(get("k2"), "$2\r\nv2\r\n");
	assert_string_equal(get("ctr"), "$1\r\n1\r\n");
	/* MULTI ... EXEC from the master, SELECT of another db */
	FEEDS(l, "*2\r\n$6\r\nSELECT\r\n$1\r\n2\r\n*1\r\n$5\r\nMULTI\r\n"
	      "*3\r\n$3\r\nSET\r\n$1\r\na\r\n$1\r\n1\r\n*2\r\n$4\r\nINCR\r\n$1\r\nb\r\n"
	      "*1\r\n$4\r\nEXEC\r\n");
	th_cmd(cli, "SELECT", "2", NULL);
	assert_string_equal(get("a"), "$1\r\n1\r\n");
	assert_string_equal(get("b"), "$1\r\n1\r\n");
	th_cmd(cli, "SELECT", "0", NULL);
	/* writes from clients are refused on a replica */
	assert_string_equal(th_cmd(cli, "SET", "x", "1", NULL),
			    "-READONLY You can't write against a read only replica.\r\n");
	link_done(l);
}

static void
test_fullsync_eof_bytewise(void **state)
{
	struct ctl_link *l = fresh_replica_link();
	const char *hdr = "+FULLRESYNC " ID_B " 100\r\n$EOF:" MARK "\r\n";

	handshake_to_psync(l, HS_PSYNC_NEW);
	for (size_t i = 0; hdr[i]; i++)
		feed(l, hdr + i, 1);
	assert_int_equal(ctl_link_get_state(l), CTL_LINK_TRANSFER);
	for (size_t i = 0; i < sizeof(rdb98); i++)
		feed(l, rdb98 + i, 1);
	const char *mark = MARK;

	for (size_t i = 0; i < 39; i++)
		feed(l, &mark[i], 1);
	assert_int_equal(ctl_link_get_state(l), CTL_LINK_TRANSFER);
	expect_out(l, "");
	feed(l, &mark[39], 1);
	assert_int_equal(ctl_link_get_state(l), CTL_LINK_CONNECTED);
	/* the master starts the stream on this ACK (§1.2) */
	expect_out(l, ack_str(100));
	assert_string_equal(get("foo"), "$3\r\nbar\r\n");
	assert_string_equal(ctl_repl.replid, ID_B);
	assert_int_equal(ctl_link_offset(l), 100);
	FEEDS(l, S_SELECT0 S_SETK1);
	assert_int_equal(ctl_link_offset(l), 151);
	assert_int_equal(ctl_backlog_first_byte(), 101);
	link_done(l);
}

/* ---- reconnection: PSYNC2 ---------------------------------------------------------------- */

static void
test_continue_same_and_new_id(void **state)
{
	struct ctl_link *l = synced_link();
	char psync[160];

	FEEDS(l, "*2\r\n$6\r\nSELECT\r\n$1\r\n3\r\n" S_SETK1);	/* 23 + 28 */
	assert_int_equal(ctl_link_offset(l), 51);
	/* the connection breaks: PSYNC <replid> <offset+1> */
	relink(l);
	handshake_to_psync(l, "*3\r\n$5\r\nPSYNC\r\n$40\r\n" ID_A "\r\n$2\r\n52\r\n");
	FEEDS(l, "+CONTINUE\r\n");
	assert_int_equal(ctl_link_get_state(l), CTL_LINK_CONNECTED);
	expect_out(l, ack_str(51));
	/* the master client's db survived: no SELECT after +CONTINUE */
	FEEDS(l, "*3\r\n$3\r\nSET\r\n$2\r\nk9\r\n$1\r\nz\r\n");
	th_cmd(cli, "SELECT", "3", NULL);
	assert_string_equal(get("k9"), "$1\r\nz\r\n");
	th_cmd(cli, "SELECT", "0", NULL);
	assert_int_equal(ctl_link_offset(l), 79);
	assert_string_equal(ctl_repl.replid, ID_A);

	/* +CONTINUE <newid>: replid2 = old, second_repl_offset = off + 1 */
	relink(l);
	handshake_to_psync(l, "*3\r\n$5\r\nPSYNC\r\n$40\r\n" ID_A "\r\n$2\r\n80\r\n");
	FEEDS(l, "+CONTINUE " ID_B "\r\n");
	assert_int_equal(ctl_link_get_state(l), CTL_LINK_CONNECTED);
	assert_string_equal(ctl_repl.replid, ID_B);
	assert_string_equal(ctl_repl.replid2, ID_A);
	assert_int_equal(ctl_repl.second_repl_offset, 80);
	expect_out(l, ack_str(79));
	/* the next PSYNC uses the new id */
	relink(l);
	snprintf(psync, sizeof(psync),
		 "*3\r\n$5\r\nPSYNC\r\n$40\r\n" ID_B "\r\n$2\r\n80\r\n");
	handshake_to_psync(l, psync);
	link_done(l);
}

static void
test_try_later_and_sync_fallback(void **state)
{
	struct ctl_link *l = fresh_replica_link();

	handshake_to_psync(l, HS_PSYNC_NEW);
	FEEDS(l, "-NOMASTERLINK Can't SYNC while not connected with my master\r\n");
	assert_true(ctl_link_should_close(l));
	relink(l);
	handshake_to_psync(l, HS_PSYNC_NEW);
	FEEDS(l, "-LOADING Redis is loading the dataset in memory\r\n");
	assert_true(ctl_link_should_close(l));
	relink(l);
	handshake_to_psync(l, HS_PSYNC_NEW);
	/* an old master: SYNC, then the RDB without +FULLRESYNC */
	FEEDS(l, "-ERR unknown command 'PSYNC'\r\n");
	expect_out(l, "*1\r\n$4\r\nSYNC\r\n");
	assert_int_equal(ctl_link_get_state(l), CTL_LINK_TRANSFER);
	feed(l, "$98\r\n", 5);
	feed(l, rdb98, sizeof(rdb98));
	assert_int_equal(ctl_link_get_state(l), CTL_LINK_CONNECTED);
	expect_out(l, "");		/* no ACKs to a SYNC master */
	assert_string_equal(get("foo"), "$3\r\nbar\r\n");
	link_done(l);
}

/* ---- hostile masters ---------------------------------------------------------------------- */

/* After a drop the keyspace must still be rdb98's. */
static void
assert_rdb98_keys(void)
{
	assert_string_equal(get("foo"), "$3\r\nbar\r\n");
	assert_string_equal(get("counter"), "$5\r\n12345\r\n");
}

static void
test_truncated_and_bad_crc(void **state)
{
	struct ctl_link *l = synced_link();
	unsigned char bad[sizeof(rdb98)];

	/* truncated: the connection ends inside the image */
	relink(l);
	handshake_to_psync(l, "*3\r\n$5\r\nPSYNC\r\n$40\r\n" ID_A "\r\n$1\r\n1\r\n");
	FEEDS(l, "+FULLRESYNC " ID_B " 7\r\n$98\r\n");
	feed(l, rdb98, 60);
	ctl_link_closed(l, now);
	assert_int_equal(ctl_link_get_state(l), CTL_LINK_CONNECT);
	assert_rdb98_keys();
	assert_string_equal(ctl_repl.replid, ID_A);

	/* bad CRC: dropped, keyspace unchanged, still PSYNC with ID_A */
	memcpy(bad, rdb98, sizeof(bad));
	bad[sizeof(bad) - 1] ^= 1;
	relink(l);
	handshake_to_psync(l, "*3\r\n$5\r\nPSYNC\r\n$40\r\n" ID_A "\r\n$1\r\n1\r\n");
	FEEDS(l, "+FULLRESYNC " ID_B " 7\r\n$98\r\n");
	feed(l, bad, sizeof(bad));
	assert_true(ctl_link_should_close(l));
	assert_non_null(strstr(ctl_link_last_error(l), "keyspace unchanged"));
	assert_rdb98_keys();
	assert_string_equal(ctl_repl.replid, ID_A);
	assert_int_equal(ctl_link_offset(l), 0);

	/* a corrupt image over $EOF: same */
	bad[sizeof(bad) - 1] ^= 1;
	bad[60] ^= 0xff;
	relink(l);
	handshake_to_psync(l, "*3\r\n$5\r\nPSYNC\r\n$40\r\n" ID_A "\r\n$1\r\n1\r\n");
	FEEDS(l, "+FULLRESYNC " ID_B " 7\r\n$EOF:" MARK "\r\n");
	feed(l, bad, sizeof(bad));
	FEEDS(l, MARK);
	assert_true(ctl_link_should_close(l));
	assert_rdb98_keys();

	/* MASTERDOWN while the link is down and serve-stale-data is no */
	set_cfg("replica-serve-stale-data", "no");
	assert_string_equal(get("foo"),
		"-MASTERDOWN Link with MASTER is down and replica-serve-stale-data is set to 'no'.\r\n");
	th_assert_prefix(th_cmd(cli, "PING", NULL), "-MASTERDOWN");
	th_assert_prefix(th_cmd(cli, "INFO", "replication", NULL), "$");
	link_done(l);
}

static void
test_garbage_replies(void **state)
{
	static const char *const bad_psync[] = {
		"HELLO\r\n",
		"+WHAT 1 2\r\n",
		"+FULLRESYNC " ID_A " notanumber\r\n",
	};
	static const char *const bad_hdr[] = {
		"$-5\r\n",
		"$99999999999999999999\r\n",
		"$0\r\n",
		"*1\r\n",
		"-ERR aborted\r\n",
	};
	struct ctl_link *l = fresh_replica_link();

	for (size_t i = 0; i < sizeof(bad_psync) / sizeof(bad_psync[0]); i++) {
		if (i > 0)
			relink(l);
		handshake_to_psync(l, HS_PSYNC_NEW);
		feed(l, bad_psync[i], strlen(bad_psync[i]));
		assert_true(ctl_link_should_close(l));
	}
	for (size_t i = 0; i < sizeof(bad_hdr) / sizeof(bad_hdr[0]); i++) {
		relink(l);
		handshake_to_psync(l, HS_PSYNC_NEW);
		FEEDS(l, "+FULLRESYNC " ID_A " 0\r\n");
		feed(l, bad_hdr[i], strlen(bad_hdr[i]));
		assert_true(ctl_link_should_close(l));
	}
	/* a $len over repl-rdb-max-bytes is refused before any byte */
	set_cfg("repl-rdb-max-bytes", "1000");
	relink(l);
	handshake_to_psync(l, HS_PSYNC_NEW);
	FEEDS(l, "+FULLRESYNC " ID_A " 0\r\n$1001\r\n");
	assert_true(ctl_link_should_close(l));
	assert_non_null(strstr(ctl_link_last_error(l), "repl-rdb-max-bytes"));
	assert_string_equal(get("foo"), "$-1\r\n");
	link_done(l);
}

static void
test_endless_input(void **state)
{
	struct ctl_link *l = fresh_replica_link();
	char junk[1024];

	memset(junk, 'x', sizeof(junk));
	/* a reply line that never ends */
	for (int i = 0; i < 5 && !ctl_link_should_close(l); i++)
		feed(l, junk, sizeof(junk));
	assert_true(ctl_link_should_close(l));

	/* an $EOF image that never ends: bounded by repl-rdb-max-bytes */
	set_cfg("repl-rdb-max-bytes", "100000");
	relink(l);
	handshake_to_psync(l, HS_PSYNC_NEW);
	FEEDS(l, "+FULLRESYNC " ID_A " 0\r\n$EOF:" MARK "\r\n");
	for (int i = 0; i < 200 && !ctl_link_should_close(l); i++)
		feed(l, junk, sizeof(junk));
	assert_true(ctl_link_should_close(l));
	set_cfg("repl-rdb-max-bytes", "4gb");

	/* an inline "command" without newline in the stream: protocol error */
	relink(l);
	handshake_to_psync(l, HS_PSYNC_NEW);
	feed_fullsync_len(l, ID_A, 0);
	take_out(l);
	for (int i = 0; i < 100 && !ctl_link_should_close(l); i++)
		feed(l, junk, sizeof(junk));
	assert_true(ctl_link_should_close(l));
	assert_non_null(strstr(ctl_link_last_error(l), "protocol error"));
	link_done(l);
}

static void
test_timeouts(void **state)
{
	struct ctl_link *l;

	reset_all();
	set_cfg("repl-timeout", "5");
	set_cfg("replicaof", "198.18.30.1 6379");
	assert_int_equal(ctl_replica_apply_config(), 0);
	l = link_up();
	handshake_to_psync(l, HS_PSYNC_NEW);
	/* the PSYNC answer never comes */
	assert_int_equal(ctl_link_cron(l, now + 4000), CTL_LINK_ACT_NONE);
	assert_int_equal(ctl_link_cron(l, now + 5001), CTL_LINK_ACT_CLOSE);
	assert_non_null(strstr(ctl_link_last_error(l), "timeout"));
	now += 5001;
	/* a connected master that goes silent */
	relink(l);
	handshake_to_psync(l, HS_PSYNC_NEW);
	feed_fullsync_len(l, ID_A, 0);
	assert_int_equal(ctl_link_get_state(l), CTL_LINK_CONNECTED);
	now += 3000;
	FEEDS(l, S_PING);		/* data resets the timer */
	now += 4000;
	assert_int_equal(ctl_link_cron(l, now), CTL_LINK_ACT_NONE);
	now += 1001;
	assert_int_equal(ctl_link_cron(l, now), CTL_LINK_ACT_CLOSE);
	/* CLIENT KILL TYPE master: the link drops and PSYNCs again */
	relink(l);
	handshake_to_psync(l, "*3\r\n$5\r\nPSYNC\r\n$40\r\n" ID_A "\r\n$2\r\n15\r\n");
	FEEDS(l, "+CONTINUE\r\n");
	assert_string_equal(th_cmd(cli, "CLIENT", "KILL", "TYPE", "master", NULL),
			    ":1\r\n");
	assert_int_equal(ctl_link_cron(l, now), CTL_LINK_ACT_CLOSE);
	link_done(l);
}

/* ---- REPLICAOF and the checks -------------------------------------------------------------- */

static void
test_replicaof_and_checks(void **state)
{
	struct ctl_link *l;
	char old_id[CTL_REPLID_LEN + 1];
	const struct st_cmd *set = st_cmd_lookup("set", 3);
	const struct st_cmd *get_cmd = st_cmd_lookup("get", 3);
	struct st_client *c = th_client();

	reset_all();
	assert_int_equal(ctl_replica_check(c, set), 0);	/* master */
	memcpy(old_id, ctl_repl.replid, sizeof(old_id));
	assert_int_equal(ctl_replica_set_master("198.18.30.1", 6379), 0);
	assert_int_equal(ctl_replica_set_master("198.18.30.1", 6379), -EALREADY);
	assert_int_equal(ctl_replica_set_master("198.18.30.1", 70000), -EINVAL);
	assert_int_equal(ctl_repl.role, CTL_ROLE_REPLICA);
	assert_int_equal(atomic_load(&ctl_repl.link_state), CTL_LINK_CONNECT);
	/* demotion: PSYNC with our own history (§5) */
	l = link_up();
	FEEDS(l, "+PONG\r\n+OK\r\n+OK\r\n");
	{
		char expect[256];
		char off[24];

		snprintf(off, sizeof(off), "%lld",
			 atomic_load(&ctl_repl.master_repl_offset) + 1);
		snprintf(expect, sizeof(expect), HS_PORT6379 HS_CAPA
			 "*3\r\n$5\r\nPSYNC\r\n$40\r\n%s\r\n$%zu\r\n%s\r\n",
			 old_id, strlen(off), off);
		expect_out(l, expect);
	}
	/* READONLY for writes (queued in MULTI: EXEC aborts), reads pass */
	assert_int_equal(ctl_replica_check(c, set), -1);
	{
		static const char ro[] =
			"-READONLY You can't write against a read only replica.\r\n";

		assert_int_equal(c->out.len, sizeof(ro) - 1);
		assert_memory_equal(c->out.p, ro, sizeof(ro) - 1);
		st_buf_reset(&c->out);
	}
	assert_int_equal(ctl_replica_check(c, get_cmd), 0);
	th_cmd(c, "MULTI", NULL);
	th_assert_prefix(th_cmd(c, "SET", "a", "1", NULL), "-READONLY");
	assert_string_equal(th_cmd(c, "EXEC", NULL),
		"-EXECABORT Transaction discarded because of previous errors.\r\n");
	/* a new master while connected: the link resets and reconnects */
	assert_int_equal(ctl_replica_set_master("198.18.30.2", 6380), 0);
	assert_int_equal(ctl_link_cron(l, now), CTL_LINK_ACT_CLOSE);
	ctl_link_closed(l, now);
	assert_int_equal(ctl_link_cron(l, now), CTL_LINK_ACT_CONNECT);
	/* NO ONE: promotion shifts the replid */
	memcpy(old_id, ctl_repl.replid, sizeof(old_id));
	assert_int_equal(ctl_replica_set_master(NULL, 0), 0);
	assert_int_equal(ctl_repl.role, CTL_ROLE_MASTER);
	assert_string_equal(ctl_repl.replid2, old_id);
	assert_string_not_equal(ctl_repl.replid, old_id);
	assert_int_equal(ctl_repl.second_repl_offset,
			 atomic_load(&ctl_repl.master_repl_offset) + 1);
	assert_int_equal(ctl_link_cron(l, now), CTL_LINK_ACT_CLOSE);
	ctl_link_closed(l, now);
	assert_int_equal(ctl_link_get_state(l), CTL_LINK_NONE);
	assert_int_equal(ctl_link_cron(l, now + 10000), CTL_LINK_ACT_NONE);
	assert_int_equal(ctl_replica_check(c, set), 0);
	st_client_free(c);
	link_done(l);
}

static void
test_replicaof_command_texts(void **state)
{
	struct st_client *c = th_client();

	reset_all();
	if (st_cmd_lookup("replicaof", 9) == NULL) {
		/* the command table (cmd_repl.c) is the primary side's: call
		 * the handler as the dispatcher would */
		fail_msg("replicaof is not in the command table");
	}
	assert_string_equal(th_cmd(c, "REPLICAOF", "198.18.30.1", "abc", NULL),
			    "-ERR Invalid master port\r\n");
	assert_string_equal(th_cmd(c, "REPLICAOF", "198.18.30.1", "65536", NULL),
			    "-ERR Invalid master port\r\n");
	assert_string_equal(th_cmd(c, "REPLICAOF", "198.18.30.1", "6379", NULL),
			    "+OK\r\n");
	assert_string_equal(th_cmd(c, "SLAVEOF", "198.18.30.1", "6379", NULL),
			    "+OK Already connected to specified master\r\n");
	c->flags |= ST_CLIENT_REPLICA;
	assert_string_equal(th_cmd(c, "REPLICAOF", "198.18.30.9", "6379", NULL),
			    "-ERR Command is not valid when client is a replica.\r\n");
	c->flags &= ~ST_CLIENT_REPLICA;
	assert_string_equal(th_cmd(c, "REPLICAOF", "NO", "ONE", NULL), "+OK\r\n");
	assert_int_equal(ctl_repl.role, CTL_ROLE_MASTER);
	assert_string_equal(th_cmd(c, "REPLICAOF", "no", "one", NULL), "+OK\r\n");
	st_client_free(c);
	reset_all();
}

/* Our own replicas follow the history: +CONTINUE with the same id keeps
 * them, a new id (and a demotion) disconnects them so they re-PSYNC. */
static void
test_sub_replicas_on_new_history(void **state)
{
	struct ctl_link *l = synced_link();
	struct st_client *sub = th_client();
	char off[32], exp[80];

	FEEDS(l, S_SELECT0 S_SETK1);
	snprintf(off, sizeof(off), "%lld", ctl_link_offset(l) + 1);
	th_cmd(sub, "REPLCONF", "capa", "psync2", NULL);
	snprintf(exp, sizeof(exp), "+CONTINUE %s\r\n", ID_A);
	assert_string_equal(th_cmd(sub, "PSYNC", ID_A, off, NULL), exp);
	assert_int_equal(ctl_replicas_count(), 1);
	/* same id: kept */
	relink(l);
	handshake_to_psync(l, "*3\r\n$5\r\nPSYNC\r\n$40\r\n" ID_A "\r\n$2\r\n52\r\n");
	FEEDS(l, "+CONTINUE " ID_A "\r\n");
	assert_int_equal(ctl_link_get_state(l), CTL_LINK_CONNECTED);
	assert_int_equal(atomic_load(&sub->kill), 0);
	/* a new id: disconnected */
	relink(l);
	handshake_to_psync(l, "*3\r\n$5\r\nPSYNC\r\n$40\r\n" ID_A "\r\n$2\r\n52\r\n");
	FEEDS(l, "+CONTINUE " ID_B "\r\n");
	assert_int_equal(ctl_link_get_state(l), CTL_LINK_CONNECTED);
	assert_int_equal(atomic_load(&sub->kill), 1);
	st_client_free(sub);
	assert_int_equal(ctl_replicas_count(), 0);
	link_done(l);
}

static struct st_buf cap;

static size_t
cap_send(void *ctx, const void *p, size_t n)
{
	(void)ctx;
	st_buf_append(&cap, p, n);
	return n;
}

/* Promoted with no write since: a sub-replica's full sync starts exactly
 * where the old history ended (bytes without a write record, like PING,
 * included), and the replica-era records are not streamed again. */
static void
test_fullsync_offset_after_promotion(void **state)
{
	struct ctl_link *l;
	struct st_client *sub = th_client();
	char want[96];
	long long off;

	assert_int_equal(ctl_repl_core_start(-1), 0);
	l = synced_link();
	FEEDS(l, S_SELECT0 S_SETK1);			/* 23 + 28 */
	for (int i = 0; i < 2000 && ctl_repl_core_seq() < st_wlog_last_seq(); i++)
		th_sleep_ms(1);
	th_sleep_ms(5);
	FEEDS(l, S_PING S_PING);			/* no write records */
	assert_int_equal(ctl_link_offset(l), 79);
	assert_int_equal(ctl_replica_set_master(NULL, 0), 0);
	assert_int_equal(ctl_repl_promotion_seq(&off), st_wlog_last_seq());
	assert_int_equal(off, 79);
	th_sleep_ms(20);
	assert_int_equal(atomic_load(&ctl_repl.master_repl_offset), 79);
	th_cmd(sub, "REPLCONF", "capa", "eof", NULL);
	th_cmd(sub, "PSYNC", "?", "-1", NULL);
	assert_non_null(ctl_replica_of(sub));
	st_buf_init(&cap);
	snprintf(want, sizeof(want), "+FULLRESYNC %s 79\r\n", ctl_repl.replid);
	for (int i = 0; i < 5000 && (cap.len < strlen(want) ||
				     memmem(cap.p, cap.len, "$EOF:", 5) == NULL); i++) {
		assert_true(ctl_replica_pump(ctl_replica_of(sub), cap_send, NULL,
					     1 << 20) >= 0);
		th_sleep_ms(1);
	}
	assert_non_null(memmem(cap.p, cap.len, want, strlen(want)));
	st_client_free(sub);
	st_buf_free(&cap);
	ctl_repl_core_stop();
	link_done(l);
}

/* ---- INFO during a transfer, the backlog across full syncs, role races ---------------- */

static void
test_info_sync_progress(void **state)
{
	struct ctl_link *l = fresh_replica_link();
	const char *inf;

	handshake_to_psync(l, HS_PSYNC_NEW);
	FEEDS(l, "+FULLRESYNC " ID_A " 0\r\n$98\r\n");
	feed(l, rdb98, 49);
	inf = th_cmd(cli, "INFO", "replication", NULL);
	assert_non_null(strstr(inf, "master_sync_in_progress:1\r\n"
			       "slave_read_repl_offset:"));
	assert_non_null(strstr(inf, "\r\nmaster_sync_total_bytes:98\r\n"
			       "master_sync_read_bytes:49\r\n"
			       "master_sync_left_bytes:49\r\n"
			       "master_sync_perc:50.00\r\n"
			       "master_sync_last_io_seconds_ago:"));
	assert_non_null(strstr(inf, "\r\nmaster_link_down_since_seconds:"));
	feed(l, rdb98 + 49, sizeof(rdb98) - 49);
	assert_int_equal(ctl_link_get_state(l), CTL_LINK_CONNECTED);
	inf = th_cmd(cli, "INFO", "replication", NULL);
	assert_null(strstr(inf, "master_sync_total_bytes"));
	assert_non_null(strstr(inf, "master_sync_in_progress:0\r\n"));

	/* $EOF: Redis's transfer size is 0: left_bytes negative, perc 0 */
	relink(l);
	handshake_to_psync(l, "*3\r\n$5\r\nPSYNC\r\n$40\r\n" ID_A "\r\n$1\r\n1\r\n");
	FEEDS(l, "+FULLRESYNC " ID_B " 7\r\n$EOF:" MARK "\r\n");
	feed(l, rdb98, 10);
	inf = th_cmd(cli, "INFO", "replication", NULL);
	assert_non_null(strstr(inf, "master_sync_total_bytes:0\r\n"
			       "master_sync_read_bytes:10\r\n"
			       "master_sync_left_bytes:-10\r\n"
			       "master_sync_perc:0.00\r\n"));
	/* replica-priority reaches slave_priority */
	set_cfg("replica-priority", "42");
	inf = th_cmd(cli, "INFO", "replication", NULL);
	assert_non_null(strstr(inf, "\r\nslave_priority:42\r\n"));
	set_cfg("replica-priority", "100");
	link_done(l);
}

static _Atomic int reader_stop;
static _Atomic long reader_reads;

/* A sub-replica's pump as the backlog sees it: lock-free reads from a
 * registered thread, quiescent between them. */
static void *
backlog_reader(void *arg)
{
	char buf[256];
	struct st_worker *w;

	(void)arg;
	w = st_thread_register();
	while (!atomic_load(&reader_stop)) {
		long long first = ctl_backlog_first_byte();
		long n = ctl_backlog_read(first, buf, sizeof(buf));

		assert_true(n >= 0 || n == -ERANGE);
		atomic_fetch_add(&reader_reads, 1);
		st_worker_quiescent();
	}
	st_thread_unregister(w);
	return NULL;
}

/* Each full sync restarts the backlog after the FULLRESYNC offset while
 * readers keep copying from it (the old ring is retired, never freed
 * under them); more than the 64 kept retired rings. */
static void
test_fullsync_backlog_readers(void **state)
{
	struct ctl_link *l = synced_link();
	pthread_t t;

	atomic_store(&reader_stop, 0);
	atomic_store(&reader_reads, 0);
	assert_int_equal(pthread_create(&t, NULL, backlog_reader, NULL), 0);
	for (int i = 0; i < 100; i++) {
		char hdr[160];
		long long off = 1000 + i * 100;

		FEEDS(l, S_SELECT0 S_SETK1);
		relink(l);
		FEEDS(l, "+PONG\r\n+OK\r\n+OK\r\n");
		take_out(l);
		snprintf(hdr, sizeof(hdr), "+FULLRESYNC %s %lld\r\n$%zu\r\n",
			 (i & 1) ? ID_A : ID_B, off, sizeof(rdb98));
		feed(l, hdr, strlen(hdr));
		feed(l, rdb98, sizeof(rdb98));
		assert_int_equal(ctl_link_get_state(l), CTL_LINK_CONNECTED);
		assert_int_equal(ctl_backlog_first_byte(), off + 1);
		assert_int_equal(ctl_backlog_histlen(), 0);
		assert_int_equal(ctl_link_offset(l), off);
		st_worker_quiescent();
	}
	FEEDS(l, S_SELECT0 S_SETK1);
	assert_int_equal(ctl_backlog_histlen(), 51);
	for (int i = 0; i < 1000 && atomic_load(&reader_reads) < 100; i++)
		th_sleep_ms(1);
	atomic_store(&reader_stop, 1);
	st_worker_offline();
	pthread_join(t, NULL);
	st_worker_online();
	assert_true(atomic_load(&reader_reads) > 0);
	link_done(l);
}

/* REPLICAOF flips the role while other threads read it (the replication
 * core, INFO, the dispatch check): atomic on both sides (TSan). */
static void *
role_reader(void *arg)
{
	long *masters = arg;

	while (!atomic_load(&reader_stop))
		*masters += ctl_repl_role() == CTL_ROLE_MASTER;
	return NULL;
}

static void
test_role_changes_are_atomic(void **state)
{
	pthread_t t;
	long masters = 0;

	reset_all();
	atomic_store(&reader_stop, 0);
	assert_int_equal(pthread_create(&t, NULL, role_reader, &masters), 0);
	for (int i = 0; i < 200; i++) {
		assert_int_equal(ctl_replica_set_master("198.18.30.1", 6379), 0);
		assert_int_equal(ctl_repl_role(), CTL_ROLE_REPLICA);
		assert_int_equal(ctl_replica_set_master(NULL, 0), 0);
		assert_int_equal(ctl_repl_role(), CTL_ROLE_MASTER);
	}
	atomic_store(&reader_stop, 1);
	pthread_join(t, NULL);
	assert_true(masters >= 0);
	reset_all();
}

#define S_INCR "*2\r\n$4\r\nINCR\r\n$1\r\nn\r\n"

struct feeder {
	struct ctl_link *l;
	_Atomic long fed;
};

/* The master link's thread: one INCR per input call until stopped. */
static void *
link_feeder(void *arg)
{
	struct feeder *f = arg;
	struct st_worker *w = st_thread_register();

	while (!atomic_load(&reader_stop)) {
		ctl_link_input(f->l, S_INCR, sizeof(S_INCR) - 1, now);
		atomic_fetch_add(&f->fed, 1);
		st_worker_quiescent();
	}
	st_thread_unregister(w);
	return NULL;
}

/* Promotion racing with the command the link is applying: a command is
 * either wholly of the old history (applied, its bytes in the backlog,
 * its write record at or below the promotion sequence) or not applied at
 * all.  After the core drained, the backlog holds the SELECT and one
 * INCR per unit of n, and nothing else (no second copy streamed by the
 * core under the new replid). */
static void
test_promotion_while_applying(void **state)
{
	assert_int_equal(ctl_repl_core_start(-1), 0);
	set_cfg("repl-ping-replica-period", "3600");
	for (int i = 0; i < 60; i++) {
		struct feeder f = { synced_link(), 0 };
		pthread_t t;
		long long n, off;
		char buf[64];

		FEEDS(f.l, S_SELECT0);
		atomic_store(&reader_stop, 0);
		assert_int_equal(pthread_create(&t, NULL, link_feeder, &f), 0);
		while (atomic_load(&f.fed) < 50 + i * 7)
			;
		assert_int_equal(ctl_replica_set_master(NULL, 0), 0);
		atomic_store(&reader_stop, 1);
		st_worker_offline();
		pthread_join(t, NULL);
		st_worker_online();
		for (int k = 0; k < 2000 &&
		     ctl_repl_core_seq() < st_wlog_last_seq(); k++)
			th_sleep_ms(1);
		th_sleep_ms(2);
		{
			const char *r = get("n");	/* "$len\r\nvalue\r\n" */
			const char *v = strstr(r, "\r\n");

			assert_int_equal(r[0], '$');
			n = atoll(v + 2);
		}
		assert_true(n > 0);
		off = atomic_load(&ctl_repl.master_repl_offset);
		assert_int_equal(off, (long long)(sizeof(S_SELECT0) - 1) +
				 n * (long long)(sizeof(S_INCR) - 1));
		assert_int_equal(ctl_backlog_read(off - (long long)(sizeof(S_INCR) - 1) + 1,
						  buf, sizeof(S_INCR) - 1),
				 (long)(sizeof(S_INCR) - 1));
		assert_memory_equal(buf, S_INCR, sizeof(S_INCR) - 1);
		ctl_link_free(f.l);
		reset_all();
	}
	set_cfg("repl-ping-replica-period", "10");
	ctl_repl_core_stop();
}

/* ---- the lag probe (repl_lagprobe.h) --------------------------------------------- */

/* INFO replication's numeric field 'name', or -1 if absent. */
static long long
info_repl_field(const char *name)
{
	const char *r = th_cmd(cli, "INFO", "replication", NULL);
	char pat[64];
	const char *p;

	snprintf(pat, sizeof(pat), "\r\n%s:", name);
	p = strstr(r, pat);
	return p == NULL ? -1 : atoll(p + strlen(pat));
}

/* SET <key> <stamp> from the master, as RESP. */
static void
feed_set(struct ctl_link *l, const char *cmd, const char *key, const char *v)
{
	char m[256];

	snprintf(m, sizeof(m), "*3\r\n$%zu\r\n%s\r\n$%zu\r\n%s\r\n$%zu\r\n%s\r\n",
		 strlen(cmd), cmd, strlen(key), key, strlen(v), v);
	feed(l, m, strlen(m));
}

static void
stamp_ago(char *out, size_t n, int64_t ago_us)
{
	int64_t t = st_ustime() - ago_us;

	snprintf(out, n, "%lld.%03lld", (long long)(t / 1000),
		 (long long)(t % 1000));
}

static void
test_lag_probe_parse(void **state)
{
	static const char *const bad[] = {
		"", ".", "5.", ".5", "-1", "+1", "1e3", " 1", "1 ", "0x10",
		"1.2.3", "99999999999999999999", "9000000000001",
	};
	int64_t us;

	assert_int_equal(ctl_lagprobe_parse_stamp("1700000000000.123", 17, &us), 0);
	assert_int_equal(us, INT64_C(1700000000000123));
	assert_int_equal(ctl_lagprobe_parse_stamp("5", 1, &us), 0);
	assert_int_equal(us, 5000);
	assert_int_equal(ctl_lagprobe_parse_stamp("5.5", 3, &us), 0);
	assert_int_equal(us, 5500);
	assert_int_equal(ctl_lagprobe_parse_stamp("5.12345", 7, &us), 0);
	assert_int_equal(us, 5123);
	assert_int_equal(ctl_lagprobe_parse_stamp("12", 1, &us), 0);	/* len */
	assert_int_equal(us, 1000);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(ctl_lagprobe_parse_stamp(bad[i], strlen(bad[i]),
							  &us), -EINVAL);
}

static void
test_lag_probe(void **state)
{
	struct ctl_link *l = synced_link();
	char v[64];
	long long p50;

	/* off by default: no lines, nothing recorded */
	assert_int_equal(info_repl_field("lag_probe_samples"), -1);
	stamp_ago(v, sizeof(v), 50000);
	feed_set(l, "SET", "lp:stamp", v);
	set_cfg("repl-lag-probe-key", "lp:stamp");
	assert_int_equal(info_repl_field("lag_probe_samples"), 0);
	/* the link picks the key up at its next refresh (cron) */
	now += CTL_LAGPROBE_REFRESH_MS;
	ctl_link_cron(l, now);
	take_out(l);
	/* written 1 s ago (then one 2 ms old must read less: a margin no
	 * stall of this thread under TSan comes near) */
	stamp_ago(v, sizeof(v), 1000000);
	feed_set(l, "SET", "lp:stamp", v);
	assert_int_equal(info_repl_field("lag_probe_samples"), 1);
	p50 = info_repl_field("lag_probe_p50_us");
	assert_true(p50 >= 1000000 && p50 < 1000000 + 5000000);
	assert_int_equal(info_repl_field("lag_probe_max_us"), p50);
	assert_memory_equal(get("lp:stamp"), "$17\r\n", 5);	/* applied */
	stamp_ago(v, sizeof(v), 2000);
	feed_set(l, "set", "lp:stamp", v);	/* any case */
	assert_int_equal(info_repl_field("lag_probe_samples"), 2);
	assert_true(info_repl_field("lag_probe_last_us") < p50);
	/* other keys, bad and future stamps */
	feed_set(l, "SET", "lp:other", v);
	feed_set(l, "SET", "lp:stampx", v);
	assert_int_equal(info_repl_field("lag_probe_samples"), 2);
	feed_set(l, "SET", "lp:stamp", "soon");
	stamp_ago(v, sizeof(v), -10000000);	/* 10 s ahead */
	feed_set(l, "SET", "lp:stamp", v);
	assert_int_equal(info_repl_field("lag_probe_samples"), 2);
	assert_int_equal(info_repl_field("lag_probe_rejected"), 2);
	/* applied all the same (the last one: the future stamp) */
	assert_memory_equal(get("lp:stamp"), "$17\r\n", 5);
	/* CONFIG RESETSTAT empties it */
	assert_string_equal(th_cmd(cli, "CONFIG", "RESETSTAT", NULL), "+OK\r\n");
	assert_int_equal(info_repl_field("lag_probe_samples"), 0);
	assert_int_equal(info_repl_field("lag_probe_rejected"), 0);
	assert_int_equal(info_repl_field("lag_probe_p99_us"), 0);
	/* a key with CR LF stays one INFO line */
	set_cfg("repl-lag-probe-key", "lp\r\nx");
	assert_non_null(strstr(th_cmd(cli, "INFO", "replication", NULL),
			       "\r\nlag_probe_key:lp??x\r\n"));
	/* off again: no lines, and the link stops matching after a refresh */
	set_cfg("repl-lag-probe-key", "");
	assert_int_equal(info_repl_field("lag_probe_samples"), -1);
	now += CTL_LAGPROBE_REFRESH_MS;
	ctl_link_cron(l, now);
	take_out(l);
	stamp_ago(v, sizeof(v), 1000);
	feed_set(l, "SET", "lp:stamp", v);
	set_cfg("repl-lag-probe-key", "lp:stamp");
	assert_int_equal(info_repl_field("lag_probe_samples"), 0);
	set_cfg("repl-lag-probe-key", "");
	link_done(l);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_handshake_plain),
		cmocka_unit_test(test_handshake_auth_announce),
		cmocka_unit_test(test_ping_error_drops),
		cmocka_unit_test(test_fullsync_len_and_stream),
		cmocka_unit_test(test_fullsync_eof_bytewise),
		cmocka_unit_test(test_continue_same_and_new_id),
		cmocka_unit_test(test_try_later_and_sync_fallback),
		cmocka_unit_test(test_truncated_and_bad_crc),
		cmocka_unit_test(test_garbage_replies),
		cmocka_unit_test(test_endless_input),
		cmocka_unit_test(test_timeouts),
		cmocka_unit_test(test_replicaof_and_checks),
		cmocka_unit_test(test_replicaof_command_texts),
		cmocka_unit_test(test_sub_replicas_on_new_history),
		cmocka_unit_test(test_fullsync_offset_after_promotion),
		cmocka_unit_test(test_info_sync_progress),
		cmocka_unit_test(test_fullsync_backlog_readers),
		cmocka_unit_test(test_role_changes_are_atomic),
		cmocka_unit_test(test_promotion_while_applying),
		cmocka_unit_test(test_lag_probe_parse),
		cmocka_unit_test(test_lag_probe),
	};
	int rc;

	setenv("FERRY_REPL_QUIET", "1", 1);
	if (ctl_repl_init() != 0)
		return 1;
	th_init();
	cli = th_client();
	st_client_register(cli);
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	st_client_unregister(cli);
	st_client_free(cli);
	reset_all();
	ctl_backlog_free();
	th_thread_done();
	return rc;
}
