/*
 * test_repl_master.c -- the primary's side of a replica connection,
 * through the real command path (harness clients) and the pump with a
 * capturing send function (control/repl_master.c, cmd_repl.c,
 * repl_info.c).
 *
 * Cases: REPLCONF options and replies (none for ACK); PSYNC ? -1 with capa
 * eof: "+FULLRESYNC <replid> <offset>", "$EOF:<mark>", an RDB image that
 * loads, the mark, then nothing until the first REPLCONF ACK, then the
 * stream from offset + 1 starting with SELECT; INFO's slave line and ROLE's
 * exact bytes; PSYNC <replid> <off> -> "+CONTINUE <replid>" and the
 * backlog's bytes; no capa eof -> "$<len>" framing with exactly len
 * bytes; min-replicas -> -NOREPLICAS (and EXECABORT), INFO
 * min_slaves_good_slaves; WAIT: immediate for a fresh client, blocked
 * until an ACK, timeout reply; WAIT on a replica: Redis's text; a pump
 * whose TCP takes nothing while 10 backlogs are written keeps its bytes
 * (the ring grows; PSYNC's window does not), then gets every byte in
 * order and the ring shrinks back; it is dropped (-ENOBUFS) past the
 * client-output-buffer-limit replica hard limit (or the soft one for
 * longer than its seconds), without growing the ring;
 * client-output-buffer-limit's syntax, texts, redis.conf lines and CONFIG
 * GET format; a full sync not pumped at all while 10 backlogs are written
 * after its snapshot chose the offset still gets every byte from it;
 * repl-backlog-ttl frees the backlog and changes the replid; INFO stats'
 * sync_full / sync_partial_ok / sync_partial_err; a master demoted by
 * REPLICAOF host port disconnects its replicas, which the pump then
 * never sends another byte; FAILOVER (texts, the
 * write pause, TIMEOUT, ABORT, the hand-over, PSYNC ... FAILOVER).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "config.h"
#include "harness.h"
#include "rdb.h"
#include "repl_master.h"
#include "repl_replica.h"
#include "util.h"

static struct st_buf wire;
static size_t wire_room = (size_t)-1;

static size_t
cap_send(void *ctx, const void *p, size_t n)
{
	if (n > wire_room)
		n = wire_room;
	st_buf_append(&wire, p, n);
	return n;
}

static void
sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	st_worker_offline();
	nanosleep(&ts, NULL);
	st_worker_online();
}

/* Pump until 'pred' holds or ~3 s pass. */
static long
pump_until(struct st_client *c, bool (*pred)(void), int max_ms)
{
	long total = 0;

	for (int i = 0; i < max_ms; i++) {
		long n = ctl_replica_pump(ctl_replica_of(c), cap_send, NULL,
					  1 << 20);

		if (n < 0)
			return n;
		total += n;
		if (pred && pred())
			break;
		sleep_ms(1);
	}
	return total;
}

static char mark[41];

/* memmem on the captured bytes (NULL while nothing was captured) */
static char *
wfind(const char *needle, size_t n)
{
	return wire.len ? memmem(wire.p, wire.len, needle, n) : NULL;
}

static bool
have_eof_end(void)
{
	char *p = wfind("$EOF:", 5);

	if (p == NULL || wire.len < (size_t)(p - wire.p) + 47)
		return false;
	memcpy(mark, p + 5, 40);
	mark[40] = '\0';
	return wire.len >= 40 && memcmp(wire.p + wire.len - 40, mark, 40) == 0 &&
	       wire.p + wire.len - 40 > p + 47;
}

static void
wait_core(void)
{
	for (int i = 0; i < 2000 && ctl_repl_core_seq() < st_wlog_last_seq(); i++)
		sleep_ms(1);
	sleep_ms(5);
}

static struct st_client *
replica_client(const char *addr)
{
	struct st_client *c = th_client();

	snprintf(c->addr, sizeof(c->addr), "%s", addr);
	return c;
}

static void
test_full_sync_eof(void **state)
{
	struct st_client *c = replica_client("10.0.0.5:40000");
	struct st_client *w = th_client();
	char replid[41], *p, line[128];
	long long off;
	struct ctl_rdb_reader rd;
	struct ctl_rdb_mem mem;
	struct ctl_rdb_info info;
	size_t rdb_start, rdb_len;

	th_expect(w, "+OK\r\n", "SET", "before", "1");
	th_expect(c, "+OK\r\n", "REPLCONF", "listening-port", "7001");
	th_expect(c, "+OK\r\n", "REPLCONF", "capa", "eof", "capa", "psync2");
	th_expect(c, "-ERR Unrecognized REPLCONF option: bogus\r\n",
		  "REPLCONF", "bogus", "1");
	th_expect(c, "-ERR syntax error\r\n", "REPLCONF", "capa");
	/* PSYNC replies through the pump, not c->out */
	th_expect(c, "", "PSYNC", "?", "-1");
	assert_non_null(ctl_replica_of(c));
	st_buf_reset(&wire);
	assert_true(pump_until(c, have_eof_end, 5000) > 0);
	assert_true(have_eof_end());
	/* "+FULLRESYNC <40 hex> <offset>\r\n" first (keepalives may precede) */
	p = wfind("+FULLRESYNC ", 12);
	assert_non_null(p);
	assert_int_equal(sscanf(p, "+FULLRESYNC %40s %lld", replid, &off), 2);
	assert_int_equal(strlen(replid), 40);
	pthread_mutex_lock(&ctl_repl.lock);
	assert_string_equal(replid, ctl_repl.replid);
	pthread_mutex_unlock(&ctl_repl.lock);
	assert_true(ctl_backlog_exists());
	/* records the core had not consumed when the backlog was made are
	 * in the stream before the snapshot's offset */
	assert_true(ctl_backlog_first_byte() <= off + 1);
	/* the image between "$EOF:<mark>\r\n" and the trailing mark loads */
	p = wfind("$EOF:", 5);
	rdb_start = (size_t)(p - wire.p) + 47;
	rdb_len = wire.len - 40 - rdb_start;
	assert_memory_equal(wire.p + rdb_start, "REDIS0010", 9);
	ctl_rdb_reader_mem(&rd, &mem, wire.p + rdb_start, rdb_len);
	memset(&info, 0, sizeof(info));
	assert_int_equal(ctl_rdb_load(&rd, 0, &info), 0);
	assert_true(info.keys_loaded >= 1);
	assert_string_equal(info.repl_id, replid);
	assert_int_equal(info.repl_offset, off);

	/* nothing after the mark until the first ACK */
	th_expect(w, "+OK\r\n", "SET", "after", "2");
	wait_core();
	st_buf_reset(&wire);
	pump_until(c, NULL, 20);
	assert_int_equal(wire.len, 0);
	th_expect(c, "", "REPLCONF", "ACK", "0");
	pump_until(c, NULL, 20);
	{
		static const char exp[] =
			"*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n"
			"*3\r\n$3\r\nSET\r\n$5\r\nafter\r\n$1\r\n2\r\n";

		assert_true(wire.len >= sizeof(exp) - 1);
		assert_memory_equal(wire.p, exp, sizeof(exp) - 1);
	}
	/* INFO and ROLE see an online replica at its ACK offset */
	{
		long long end = atomic_load(&ctl_repl.master_repl_offset);
		char ack[32], exp_role[256];
		const char *inf;

		snprintf(ack, sizeof(ack), "%lld", end);
		th_expect(c, "", "REPLCONF", "ACK", ack);
		inf = th_cmd(w, "INFO", "replication", NULL);
		snprintf(line, sizeof(line),
			 "slave0:ip=10.0.0.5,port=7001,state=online,offset=%lld,lag=0\r\n",
			 end);
		if (strstr(inf, line) == NULL || !strstr(inf, "connected_slaves:1\r\n") ||
		    !strstr(inf, "repl_backlog_active:1\r\n") ||
		    !strstr(inf, "master_failover_state:no-failover\r\n")) {
			print_error("INFO:\n%s\nwanted %s", inf, line);
			fail();
		}
		snprintf(exp_role, sizeof(exp_role),
			 "*3\r\n$6\r\nmaster\r\n:%lld\r\n*1\r\n*3\r\n$8\r\n10.0.0.5\r\n"
			 "$4\r\n7001\r\n$%zu\r\n%lld\r\n", end, strlen(ack), end);
		assert_string_equal(th_cmd(w, "ROLE", NULL), exp_role);
	}
	st_client_free(c);
	st_client_free(w);
	assert_int_equal(ctl_replicas_count(), 0);
}

static void
test_psync_continue_and_len_framing(void **state)
{
	struct st_client *w = th_client();
	struct st_client *c = replica_client("10.0.0.6:40001");
	char cmd_off[32], exp[128], replid[41];
	long long end;

	th_expect(w, "+OK\r\n", "SET", "x", "1");
	wait_core();
	end = atomic_load(&ctl_repl.master_repl_offset);
	pthread_mutex_lock(&ctl_repl.lock);
	memcpy(replid, ctl_repl.replid, 41);
	pthread_mutex_unlock(&ctl_repl.lock);
	/* continue from 10 bytes back: those bytes follow +CONTINUE */
	snprintf(cmd_off, sizeof(cmd_off), "%lld", end - 9);
	th_expect(c, "+OK\r\n", "REPLCONF", "capa", "psync2");
	snprintf(exp, sizeof(exp), "+CONTINUE %s\r\n", replid);
	assert_string_equal(th_cmd(c, "PSYNC", replid, cmd_off, NULL), exp);
	st_buf_reset(&wire);
	pump_until(c, NULL, 5);
	assert_int_equal(wire.len, 10);
	{
		char tail[10];

		assert_int_equal(ctl_backlog_read(end - 9, tail, 10), 10);
		assert_memory_equal(wire.p, tail, 10);
	}
	st_client_free(c);

	/* without psync2: plain +CONTINUE */
	c = replica_client("10.0.0.6:40002");
	snprintf(cmd_off, sizeof(cmd_off), "%lld", end + 1);
	th_expect(c, "+CONTINUE\r\n", "PSYNC", replid, cmd_off);
	st_client_free(c);

	/* a wrong id: full sync with $<len> framing (no capa eof) */
	c = replica_client("10.0.0.6:40003");
	th_expect(c, "", "PSYNC", "cccccccccccccccccccccccccccccccccccccccc", "5");
	st_buf_reset(&wire);
	for (int i = 0; i < 5000 && ctl_replica_of(c) &&
	     !wfind("REDIS0010", 9); i++) {
		assert_true(ctl_replica_pump(ctl_replica_of(c), cap_send, NULL,
					     1 << 20) >= 0);
		sleep_ms(1);
	}
	pump_until(c, NULL, 50);
	{
		char *p = wfind("\r\n$", 3);
		long len;
		char *body;

		assert_non_null(p);
		len = strtol(p + 3, &body, 10);
		assert_memory_equal(body, "\r\nREDIS0010", 11);
		body += 2;
		/* exactly len bytes of image: ends with EOF + 8-byte CRC */
		assert_true(body + len <= wire.p + wire.len);
		assert_int_equal((unsigned char)body[len - 9], 0xff);
		/* the stream follows at once, no ACK needed: write and see it */
		st_buf_reset(&wire);
		th_expect(w, "+OK\r\n", "SET", "y", "2");
		wait_core();
		pump_until(c, NULL, 20);
		assert_non_null(wfind("$1\r\ny\r\n$1\r\n2\r\n", 14));
	}
	assert_true(atomic_load(&ctl_repl_stats.sync_partial_ok) >= 2);
	assert_true(atomic_load(&ctl_repl_stats.sync_partial_err) >= 1);
	st_client_free(c);
	st_client_free(w);
}

static void
test_min_replicas_and_wait(void **state)
{
	struct st_client *w = th_client();
	struct st_client *c = replica_client("10.0.0.7:40000");
	char end_s[32];
	const char *r;

	th_expect(w, "+OK\r\n", "CONFIG", "SET", "min-replicas-to-write", "1");
	th_expect(w, "+OK\r\n", "CONFIG", "SET", "min-replicas-max-lag", "10");
	ctl_repl_refresh_good();
	th_expect(w, "-NOREPLICAS Not enough good replicas to write.\r\n",
		  "SET", "k", "v");
	th_expect(w, "$-1\r\n", "GET", "k");
	th_expect(w, "+OK\r\n", "MULTI");
	th_expect(w, "-NOREPLICAS Not enough good replicas to write.\r\n",
		  "SET", "k", "v");
	th_expect(w, "-EXECABORT Transaction discarded because of previous errors.\r\n",
		  "EXEC");
	assert_non_null(strstr(th_cmd(w, "INFO", "replication", NULL),
			       "min_slaves_good_slaves:0\r\n"));

	/* an online replica (PSYNC continue) makes writes possible again */
	{
		char replid[41], off[32];

		pthread_mutex_lock(&ctl_repl.lock);
		memcpy(replid, ctl_repl.replid, 41);
		pthread_mutex_unlock(&ctl_repl.lock);
		snprintf(off, sizeof(off), "%lld",
			 (long long)atomic_load(&ctl_repl.master_repl_offset) + 1);
		th_expect(c, "+CONTINUE\r\n", "PSYNC", replid, off);
	}
	th_expect(w, "+OK\r\n", "SET", "k", "v");
	assert_non_null(strstr(th_cmd(w, "INFO", "replication", NULL),
			       "min_slaves_good_slaves:1\r\n"));
	th_expect(w, "+OK\r\n", "CONFIG", "SET", "min-replicas-to-write", "0");

	/* WAIT: a fresh client returns at once */
	{
		struct st_client *f = th_client();

		th_expect(f, ":1\r\n", "WAIT", "1", "0");
		st_client_free(f);
	}
	/* w wrote: WAIT blocks until the replica ACKs the offset */
	th_expect(w, "", "WAIT", "1", "0");
	assert_true(w->flags & ST_CLIENT_BLOCKED);
	assert_int_equal(atomic_load(&ctl_wait_blocked), 1);
	assert_false(ctl_wait_poll(w));
	wait_core();
	/* a GETACK went into the stream */
	st_buf_reset(&wire);
	pump_until(c, NULL, 20);
	assert_non_null(wfind("GETACK", 6));
	assert_false(ctl_wait_poll(w));
	snprintf(end_s, sizeof(end_s), "%lld",
		 (long long)atomic_load(&ctl_repl.master_repl_offset));
	th_expect(c, "", "REPLCONF", "ACK", end_s);
	assert_true(ctl_wait_poll(w));
	assert_false(w->flags & ST_CLIENT_BLOCKED);
	assert_int_equal(atomic_load(&ctl_wait_blocked), 0);
	r = th_cmd(w, "PING", NULL);	/* collects WAIT's reply too */
	assert_string_equal(r, ":1\r\n+PONG\r\n");

	/* timeout: 2 replicas wanted, 1 there */
	th_expect(w, "+OK\r\n", "SET", "k2", "v");
	th_expect(w, "", "WAIT", "2", "30");
	sleep_ms(40);
	assert_true(ctl_wait_poll(w));
	r = th_cmd(w, "PING", NULL);
	assert_true(strcmp(r, ":1\r\n+PONG\r\n") == 0 ||
		    strcmp(r, ":0\r\n+PONG\r\n") == 0);
	th_expect(w, "-ERR timeout is negative\r\n", "WAIT", "1", "-1");

	/* as a replica: Redis's text; ROLE's replica form */
	ctl_repl_set_role(CTL_ROLE_REPLICA);
	snprintf(ctl_repl.master_host, sizeof(ctl_repl.master_host), "10.1.1.1");
	ctl_repl.master_port = 6380;
	atomic_store(&ctl_repl.link_state, CTL_LINK_CONNECTING);
	th_expect(w, "-ERR WAIT cannot be used with replica instances. Please also "
		  "note that since Redis 4.0 if a replica is configured to be "
		  "writable (which is not the default) writes to replicas are just "
		  "local and are not propagated.\r\n", "WAIT", "1", "0");
	th_expect(w, "*5\r\n$5\r\nslave\r\n$8\r\n10.1.1.1\r\n:6380\r\n"
		  "$10\r\nconnecting\r\n:-1\r\n", "ROLE");
	{
		struct st_client *x = th_client();

		th_expect(x, "-NOMASTERLINK Can't SYNC while not connected with my "
			  "master\r\n", "PSYNC", "?", "-1");
		st_client_free(x);
	}
	assert_non_null(strstr(th_cmd(w, "INFO", "replication", NULL),
			       "role:slave\r\nmaster_host:10.1.1.1\r\n"
			       "master_port:6380\r\nmaster_link_status:down\r\n"));
	ctl_repl_set_role(CTL_ROLE_MASTER);
	atomic_store(&ctl_repl.link_state, CTL_LINK_NONE);
	st_client_free(c);
	st_client_free(w);
}

static struct st_client *
continue_client(const char *addr)
{
	struct st_client *c = replica_client(addr);
	char replid[41], off[32], exp[16];

	pthread_mutex_lock(&ctl_repl.lock);
	memcpy(replid, ctl_repl.replid, 41);
	pthread_mutex_unlock(&ctl_repl.lock);
	wait_core();
	snprintf(off, sizeof(off), "%lld",
		 (long long)atomic_load(&ctl_repl.master_repl_offset) + 1);
	snprintf(exp, sizeof(exp), "+CONTINUE\r\n");
	assert_string_equal(th_cmd(c, "PSYNC", replid, off, NULL), exp);
	return c;
}

static void
write_bytes(struct st_client *w, size_t total)
{
	static char v[4001];

	memset(v, 'x', sizeof(v) - 1);
	for (size_t done = 0; done < total; done += sizeof(v) - 1)
		th_expect(w, "+OK\r\n", "SET", "big", v);
	wait_core();
}

/* Pump until the replica has everything (TCP takes all again). */
static void
drain(struct st_client *c)
{
	for (int i = 0; i < 10000; i++) {
		long n = ctl_replica_pump(ctl_replica_of(c), cap_send, NULL,
					  4 << 20);

		assert_true(n >= 0);
		if (n == 0)
			break;
	}
}

static void
test_slow_replicas(void **state)
{
	struct st_client *w = th_client();
	struct st_client *c;
	long long size = ctl_backlog_size(), cap0, start, end;
	char err[128];

	assert_true(size >= 1 << 20);
	cap0 = ctl_backlog_capacity();
	/* never pumped while 10 backlogs were written: the ring grew for it
	 * (Redis keeps them in its output buffer), nothing was dropped */
	c = continue_client("10.0.0.8:40000");
	start = atomic_load(&ctl_replica_of(c)->send_off);
	wire_room = 0;
	write_bytes(w, (size_t)size * 10);
	assert_true(ctl_backlog_capacity() > 10 * size);
	/* PSYNC's window is still repl-backlog-size */
	assert_int_equal(ctl_backlog_histlen(), size);
	assert_true(ctl_replica_pump(ctl_replica_of(c), cap_send, NULL,
				     1 << 20) == 0);	/* TCP full: kept */
	wire_room = (size_t)-1;
	st_buf_reset(&wire);
	drain(c);
	end = atomic_load(&ctl_repl.master_repl_offset);
	/* every byte, in order: the stream is the backlog's bytes, and the
	 * last command written is at the end */
	assert_int_equal((long long)wire.len, end - start + 1);
	{
		char tail[4096];

		assert_int_equal(ctl_backlog_read(end - 4095, tail, sizeof(tail)),
				 4096);
		assert_memory_equal(wire.p + wire.len - 4096, tail, 4096);
		assert_memory_equal(wire.p, "*3\r\n$3\r\nSET\r\n", 13);
	}
	/* caught up: the next append shrinks the ring back */
	th_expect(w, "+OK\r\n", "SET", "small", "1");
	wait_core();
	for (int i = 0; i < 3000 && ctl_backlog_capacity() != cap0; i++)
		sleep_ms(1);	/* the core publishes it (slow under TSan) */
	assert_int_equal(ctl_backlog_capacity(), cap0);
	st_client_free(c);

	/* one append bigger than the whole ring, while the replica's TCP
	 * takes nothing, with the 4mb hard limit the integration test uses */
	th_expect(w, "+OK\r\n", "CONFIG", "SET", "client-output-buffer-limit",
		  "replica 4mb 0 0");
	c = continue_client("10.0.0.8:40010");
	start = atomic_load(&ctl_replica_of(c)->send_off);
	wire_room = 0;
	{
		size_t n = 2500000;
		char *v = malloc(n + 1);

		memset(v, 'h', n);
		v[n] = '\0';
		th_expect(w, "+OK\r\n", "SET", "huge", v);
		free(v);
	}
	wait_core();
	for (int i = 0; i < 3000 && atomic_load(&ctl_repl.master_repl_offset) -
	     start < 2500000; i++)
		sleep_ms(1);
	assert_true(ctl_backlog_capacity() > 2500000);
	assert_true(ctl_replica_pump(ctl_replica_of(c), cap_send, NULL,
				     1 << 20) == 0);
	wire_room = (size_t)-1;
	st_buf_reset(&wire);
	drain(c);
	end = atomic_load(&ctl_repl.master_repl_offset);
	assert_int_equal((long long)wire.len, end - start + 1);
	st_client_free(c);
	th_expect(w, "+OK\r\n", "CONFIG", "SET", "client-output-buffer-limit",
		  "replica 256mb 64mb 60");

	/* over the hard limit (ferry's replica-output-buffer-limit alias):
	 * dropped, and the ring did not grow for it */
	th_expect(w, "+OK\r\n", "CONFIG", "SET", "replica-output-buffer-limit", "100000");
	c = continue_client("10.0.0.8:40001");
	wire_room = 0;
	write_bytes(w, (size_t)size * 3);
	assert_int_equal(ctl_backlog_capacity(), cap0);
	assert_int_equal(ctl_replica_pump(ctl_replica_of(c), cap_send, NULL, 1 << 20),
			 -ENOBUFS);
	st_client_free(c);
	wire_room = (size_t)-1;

	/* Redis's syntax: the replica class's hard limit, same effect */
	th_expect(w, "+OK\r\n", "CONFIG", "SET", "client-output-buffer-limit",
		  "replica 200kb 0 0");
	assert_int_equal(st_cfg.client_output_buffer_limit_replica, 200 << 10);
	c = continue_client("10.0.0.8:40002");
	wire_room = 0;
	write_bytes(w, 150 << 10);	/* within: kept */
	assert_true(ctl_replica_pump(ctl_replica_of(c), cap_send, NULL, 1 << 20) == 0);
	write_bytes(w, 100 << 10);	/* past it */
	assert_int_equal(ctl_replica_pump(ctl_replica_of(c), cap_send, NULL, 1 << 20),
			 -ENOBUFS);
	st_client_free(c);

	/* the soft limit: over it for longer than its seconds */
	th_expect(w, "+OK\r\n", "CONFIG", "SET", "client-output-buffer-limit",
		  "slave 256mb 100kb 1");
	c = continue_client("10.0.0.8:40003");
	write_bytes(w, 150 << 10);
	assert_true(ctl_replica_pump(ctl_replica_of(c), cap_send, NULL, 1 << 20) == 0);
	sleep_ms(500);
	assert_true(ctl_replica_pump(ctl_replica_of(c), cap_send, NULL, 1 << 20) == 0);
	sleep_ms(700);
	assert_int_equal(ctl_replica_pump(ctl_replica_of(c), cap_send, NULL, 1 << 20),
			 -ENOBUFS);
	st_client_free(c);
	wire_room = (size_t)-1;
	/* under the soft limit again in time: kept */
	c = continue_client("10.0.0.8:40004");
	wire_room = 0;
	write_bytes(w, 150 << 10);
	assert_true(ctl_replica_pump(ctl_replica_of(c), cap_send, NULL, 1 << 20) == 0);
	wire_room = (size_t)-1;
	st_buf_reset(&wire);
	drain(c);
	sleep_ms(1200);
	assert_true(ctl_replica_pump(ctl_replica_of(c), cap_send, NULL, 1 << 20) >= 0);
	st_client_free(c);
	assert_int_equal(st_config_set("client-output-buffer-limit",
				       "replica 256mb 64mb 60", err, sizeof(err)), 0);
	st_client_free(w);
}

/* A full sync whose replica is not pumped at all while 10 backlogs are
 * written after its snapshot chose the FULLRESYNC offset: the offset is
 * pinned from that moment (job_on_begin), so once pumped it gets
 * +FULLRESYNC, the image, and then every stream byte from offset + 1. */
static void
test_full_sync_pinned(void **state)
{
	struct st_client *w = th_client();
	struct st_client *c = replica_client("10.0.0.9:40000");
	long long size = ctl_backlog_size(), start = 0, off, end;
	char *p;

	th_expect(w, "+OK\r\n", "SET", "before", "1");
	th_expect(c, "+OK\r\n", "REPLCONF", "capa", "eof", "capa", "psync2");
	th_expect(c, "", "PSYNC", "?", "-1");
	for (int i = 0; i < 5000 && start == 0; i++) {
		start = atomic_load(&ctl_replica_of(c)->send_off);
		if (start == 0)
			sleep_ms(1);
	}
	assert_true(start > 0);			/* pinned before any pump */
	assert_int_equal(atomic_load(&ctl_replica_of(c)->state),
			 CTL_REPLICA_WAIT_BGSAVE);
	write_bytes(w, (size_t)size * 10);
	assert_true(ctl_backlog_capacity() > 10 * size);
	st_buf_reset(&wire);
	assert_true(pump_until(c, have_eof_end, 5000) > 0);
	p = wfind("+FULLRESYNC ", 12);
	assert_non_null(p);
	assert_int_equal(sscanf(p, "+FULLRESYNC %*40s %lld", &off), 1);
	assert_int_equal(off + 1, start);
	st_buf_reset(&wire);
	th_expect(c, "", "REPLCONF", "ACK", "0");
	drain(c);
	end = atomic_load(&ctl_repl.master_repl_offset);
	assert_int_equal((long long)wire.len, end - start + 1);
	{
		char tail[4096];

		assert_int_equal(ctl_backlog_read(end - 4095, tail, sizeof(tail)),
				 4096);
		assert_memory_equal(wire.p + wire.len - 4096, tail, 4096);
	}
	assert_int_equal(ctl_replica_pump(ctl_replica_of(c), cap_send, NULL,
					  1 << 20), 0);
	st_client_free(c);
	st_client_free(w);
}

static void
expect_cobl(struct st_client *w, const char *val)
{
	char exp[256];

	snprintf(exp, sizeof(exp), "*2\r\n$26\r\nclient-output-buffer-limit\r\n"
		 "$%zu\r\n%s\r\n", strlen(val), val);
	assert_string_equal(th_cmd(w, "CONFIG", "GET", "client-output-buffer-limit",
				   NULL), exp);
}

/* client-output-buffer-limit: Redis 7.0.15's parsing, texts and CONFIG GET
 * format; replica-output-buffer-limit is the replica hard limit. */
static void
test_output_limit_config(void **state)
{
	struct st_client *w = th_client();
	static const char def[] =
		"normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60";

	expect_cobl(w, def);
	th_expect(w, "+OK\r\n", "CONFIG", "SET", "client-output-buffer-limit",
		  "replica 4mb 0 0");
	expect_cobl(w, "normal 0 0 0 slave 4194304 0 0 pubsub 33554432 8388608 60");
	th_expect(w, "*2\r\n$27\r\nreplica-output-buffer-limit\r\n$7\r\n4194304\r\n",
		  "CONFIG", "GET", "replica-output-buffer-limit");
	th_expect(w, "+OK\r\n", "CONFIG", "SET", "client-output-buffer-limit",
		  "slave 1 2 3 normal 1k 2kb 7");
	expect_cobl(w, "normal 1000 2048 7 slave 1 2 3 pubsub 33554432 8388608 60");
	assert_int_equal(st_cfg.client_output_buffer_limit_normal, 1000);
	assert_int_equal(st_cfg.client_output_buffer_soft_replica, 2);
	assert_int_equal(st_cfg.client_output_buffer_soft_seconds_replica, 3);
	/* errors: Redis's texts, nothing changed */
	th_expect(w, "-ERR CONFIG SET failed (possibly related to argument "
		  "'client-output-buffer-limit') - Invalid client class specified "
		  "in buffer limit configuration.\r\n", "CONFIG", "SET",
		  "client-output-buffer-limit", "master 1 2 3");
	th_expect(w, "-ERR CONFIG SET failed (possibly related to argument "
		  "'client-output-buffer-limit') - Wrong number of arguments in "
		  "buffer limit configuration.\r\n", "CONFIG", "SET",
		  "client-output-buffer-limit", "replica 1 2 3 pubsub");
	th_expect(w, "-ERR CONFIG SET failed (possibly related to argument "
		  "'client-output-buffer-limit') - Error in hard, soft or "
		  "soft_seconds setting in buffer limit configuration.\r\n",
		  "CONFIG", "SET", "client-output-buffer-limit",
		  "normal 5 5 5 replica 1mb 2 -3");
	th_expect(w, "-ERR CONFIG SET failed (possibly related to argument "
		  "'client-output-buffer-limit') - Error in hard, soft or "
		  "soft_seconds setting in buffer limit configuration.\r\n",
		  "CONFIG", "SET", "client-output-buffer-limit", "replica x 2 3");
	th_expect(w, "-ERR CONFIG SET failed (possibly related to argument "
		  "'client-output-buffer-limit') - Error in hard, soft or "
		  "soft_seconds setting in buffer limit configuration.\r\n",
		  "CONFIG", "SET", "client-output-buffer-limit",
		  "replica 1 2 99999999999999999999");
	th_expect(w, "+OK\r\n", "CONFIG", "SET", "client-output-buffer-limit", "");
	expect_cobl(w, "normal 1000 2048 7 slave 1 2 3 pubsub 33554432 8388608 60");
	/* the alias sets the replica hard limit */
	th_expect(w, "+OK\r\n", "CONFIG", "SET", "replica-output-buffer-limit", "8mb");
	assert_non_null(strstr(th_cmd(w, "CONFIG", "GET", "client-output-buffer-limit",
				      NULL), "slave 8388608 2 3 "));
	/* redis.conf: one class per line, the others kept */
	{
		char path[] = "/tmp/h10-cobl-XXXXXX", err[256];
		int fd = mkstemp(path);
		static const char conf[] =
			"client-output-buffer-limit normal 1mb 2mb 3\n"
			"client-output-buffer-limit replica 5mb 6mb 7\n";

		assert_true(fd >= 0);
		assert_int_equal(write(fd, conf, sizeof(conf) - 1),
				 (ssize_t)sizeof(conf) - 1);
		close(fd);
		assert_int_equal(st_config_load_file(path, err, sizeof(err)), 0);
		unlink(path);
		expect_cobl(w, "normal 1048576 2097152 3 slave 5242880 6291456 7 "
			    "pubsub 33554432 8388608 60");
	}
	th_expect(w, "+OK\r\n", "CONFIG", "SET", "client-output-buffer-limit", def);
	assert_int_equal(st_cfg.client_output_buffer_limit_normal, 0);
	assert_int_equal(st_cfg.client_output_buffer_limit_replica, 256 << 20);
	st_client_free(w);
}

/* repl-backlog-ttl: no replicas for that long frees the backlog and
 * starts a new history (new replid); the next replica makes a new one. */
static void
test_backlog_ttl(void **state)
{
	struct st_client *w = th_client();
	char old[41];
	const char *inf;

	assert_true(ctl_backlog_exists());
	assert_int_equal(ctl_replicas_count(), 0);
	pthread_mutex_lock(&ctl_repl.lock);
	memcpy(old, ctl_repl.replid, 41);
	pthread_mutex_unlock(&ctl_repl.lock);
	th_expect(w, "+OK\r\n", "CONFIG", "SET", "repl-backlog-ttl", "1");
	for (int i = 0; i < 5000 && ctl_backlog_exists(); i++)
		sleep_ms(1);
	assert_false(ctl_backlog_exists());
	inf = th_cmd(w, "INFO", "replication", NULL);
	assert_non_null(strstr(inf, "repl_backlog_active:0\r\n"));
	assert_null(strstr(inf, old));
	/* writes without a backlog do not move the offset */
	{
		long long off = atomic_load(&ctl_repl.master_repl_offset);

		th_expect(w, "+OK\r\n", "SET", "nobacklog", "1");
		wait_core();
		assert_int_equal(atomic_load(&ctl_repl.master_repl_offset), off);
	}
	th_expect(w, "+OK\r\n", "CONFIG", "SET", "repl-backlog-ttl", "3600");
	st_client_free(w);
}

/* INFO stats shows the PSYNC counters (role hook sync_stats). */
static void
test_info_stats_counters(void **state)
{
	struct st_client *w = th_client();
	char exp[160];
	const char *inf;

	assert_true(atomic_load(&ctl_repl_stats.sync_full) >= 2);
	assert_true(atomic_load(&ctl_repl_stats.sync_partial_ok) >= 2);
	assert_true(atomic_load(&ctl_repl_stats.sync_partial_err) >= 1);
	snprintf(exp, sizeof(exp), "\r\nsync_full:%llu\r\nsync_partial_ok:%llu\r\n"
		 "sync_partial_err:%llu\r\n",
		 (unsigned long long)atomic_load(&ctl_repl_stats.sync_full),
		 (unsigned long long)atomic_load(&ctl_repl_stats.sync_partial_ok),
		 (unsigned long long)atomic_load(&ctl_repl_stats.sync_partial_err));
	inf = th_cmd(w, "INFO", "stats", NULL);
	assert_non_null(strstr(inf, exp));
	st_client_free(w);
}

static bool
have_before_kill(void)
{
	return wfind("before-kill", 11) != NULL;
}

/* A replica disconnected by a history change gets no byte after the
 * kill flag, even if the transport pumps it once more. */
static void
test_killed_replica_gets_nothing(void **state)
{
	struct st_client *w = th_client();
	struct st_client *c = continue_client("10.0.0.9:40001");

	th_expect(w, "+OK\r\n", "SET", "before-kill", "1");
	wait_core();
	st_buf_reset(&wire);
	/* until the core published it (slow under TSan) */
	assert_true(pump_until(c, have_before_kill, 3000) > 0);
	assert_non_null(wfind("before-kill", 11));
	ctl_replicas_disconnect_all();
	th_expect(w, "+OK\r\n", "SET", "after-kill", "1");
	wait_core();
	st_buf_reset(&wire);
	assert_int_equal(ctl_replica_pump(ctl_replica_of(c), cap_send, NULL,
					  1 << 20), -ECONNRESET);
	assert_int_equal(wire.len, 0);
	st_client_free(c);
	st_client_free(w);
}

/* REPLICAOF host port on a master: its replicas are disconnected (they
 * re-PSYNC and follow the new topology), then NO ONE brings it back. */
static void
test_demotion_disconnects_replicas(void **state)
{
	struct st_client *w = th_client();
	struct st_client *c = continue_client("10.0.0.9:40000");

	assert_int_equal(ctl_replicas_count(), 1);
	assert_int_equal(atomic_load(&c->kill), 0);
	th_expect(w, "+OK\r\n", "REPLICAOF", "198.18.20.1", "6379");
	assert_int_equal(ctl_repl_role(), CTL_ROLE_REPLICA);
	assert_int_equal(atomic_load(&c->kill), 1);
	st_client_free(c);
	th_expect(w, "+OK\r\n", "REPLICAOF", "NO", "ONE");
	assert_int_equal(ctl_repl_role(), CTL_ROLE_MASTER);
	assert_int_equal(ctl_replicas_count(), 0);
	st_client_free(w);
}

/* A replica announced at addr:port, online at our offset (+CONTINUE). */
static struct st_client *
online_replica(const char *addr, const char *port)
{
	struct st_client *c = replica_client(addr);
	char replid[41], off[32];

	th_expect(c, "+OK\r\n", "REPLCONF", "listening-port", port);
	pthread_mutex_lock(&ctl_repl.lock);
	memcpy(replid, ctl_repl.replid, 41);
	pthread_mutex_unlock(&ctl_repl.lock);
	wait_core();
	snprintf(off, sizeof(off), "%lld",
		 (long long)atomic_load(&ctl_repl.master_repl_offset) + 1);
	assert_string_equal(th_cmd(c, "PSYNC", replid, off, NULL), "+CONTINUE\r\n");
	return c;
}

/* The client's pending output is exactly 's' (then cleared). */
static void
expect_out_of(struct st_client *c, const char *s)
{
	assert_int_equal(c->out.len, strlen(s));
	assert_memory_equal(c->out.p, s, strlen(s));
	st_buf_reset(&c->out);
}

static const char *
failover_state_line(struct st_client *w)
{
	const char *inf = th_cmd(w, "INFO", "replication", NULL);
	const char *p = strstr(inf, "master_failover_state:");

	assert_non_null(p);
	return p;
}

#define assert_fo_state(w, s) \
	assert_memory_equal(failover_state_line(w), \
			    "master_failover_state:" s "\r\n", \
			    sizeof("master_failover_state:" s "\r\n") - 1)

static void
wait_fo_state(enum ctl_failover_state s)
{
	for (int i = 0; i < 5000 && ctl_failover_state() != s; i++)
		sleep_ms(1);
	assert_int_equal(ctl_failover_state(), s);
}

/* FAILOVER: Redis 7.0's texts (checked against redis-server 7.0.15), the
 * write pause (writers blocked, readers served), TIMEOUT, ABORT, the
 * switch to a replica of the caught-up target, PSYNC ... FAILOVER. */
static void
test_failover(void **state)
{
	struct st_client *w = th_client();
	struct st_client *x = th_client();
	struct st_client *c, *t;
	char ack[32], replid[41], off[32], exp[80];

	assert_int_equal(ctl_replicas_count(), 0);
	th_expect(w, "-ERR FAILOVER requires connected replicas.\r\n", "FAILOVER");
	th_expect(w, "-ERR No failover in progress.\r\n", "FAILOVER", "ABORT");
	th_expect(w, "-ERR FAILOVER timeout must be greater than 0\r\n",
		  "FAILOVER", "TIMEOUT", "0");
	th_expect(w, "-ERR FAILOVER timeout must be greater than 0\r\n",
		  "FAILOVER", "TIMEOUT", "-1");
	th_expect(w, "-ERR value is not an integer or out of range\r\n",
		  "FAILOVER", "TIMEOUT", "abc");
	th_expect(w, "-ERR syntax error\r\n", "FAILOVER", "bogus");
	th_expect(w, "-ERR syntax error\r\n", "FAILOVER", "TO", "x");
	th_expect(w, "-ERR syntax error\r\n", "FAILOVER", "ABORT", "TIMEOUT", "5");
	th_expect(w, "-ERR value is not an integer or out of range\r\n",
		  "FAILOVER", "TO", "10.0.0.10", "abc");
	th_expect(w, "-ERR FAILOVER requires connected replicas.\r\n",
		  "FAILOVER", "FORCE", "TIMEOUT", "100");
	c = online_replica("10.0.0.10:40000", "7010");
	th_expect(w, "-ERR FAILOVER target HOST and PORT is not a replica.\r\n",
		  "FAILOVER", "TO", "10.0.0.10", "9999");
	th_expect(w, "-ERR FAILOVER with force option requires both a timeout "
		  "and target HOST and IP.\r\n", "FAILOVER", "FORCE", "TIMEOUT", "100");
	th_expect(w, "-ERR FAILOVER with force option requires both a timeout "
		  "and target HOST and IP.\r\n", "FAILOVER", "FORCE", "TO",
		  "10.0.0.10", "7010");
	assert_fo_state(w, "no-failover");

	/* TIMEOUT without an ACK of the newest write: writes wait, then the
	 * failover aborts and the paused write runs */
	th_expect(w, "+OK\r\n", "SET", "unacked", "1");
	wait_core();
	th_expect(w, "+OK\r\n", "FAILOVER", "TO", "10.0.0.10", "7010",
		  "TIMEOUT", "300");
	assert_fo_state(w, "waiting-for-sync");
	th_expect(w, "-ERR FAILOVER already in progress.\r\n", "FAILOVER");
	th_expect(x, "", "SET", "paused", "1");
	assert_true(x->flags & ST_CLIENT_BLOCKED);
	assert_false(ctl_wait_poll(x));
	th_expect(w, "$-1\r\n", "GET", "paused");	/* reads are served */
	/* a new replica may not sync meanwhile */
	t = replica_client("10.0.0.11:40000");
	th_expect(t, "-NOMASTERLINK Can't SYNC while failing over\r\n",
		  "PSYNC", "?", "-1");
	st_client_free(t);
	wait_fo_state(CTL_FAILOVER_NONE);
	assert_true(ctl_wait_poll(x));
	assert_false(x->flags & ST_CLIENT_BLOCKED);
	expect_out_of(x, "+OK\r\n");
	assert_string_equal(th_cmd(x, "GET", "paused", NULL), "$1\r\n1\r\n");
	assert_int_equal(ctl_repl_role(), CTL_ROLE_MASTER);

	/* ABORT: back to no-failover, a paused EXEC of writes runs (a
	 * write queued during the pause would wait too, as in Redis) */
	th_expect(x, "+OK\r\n", "MULTI");
	th_expect(x, "+QUEUED\r\n", "INCR", "ctr");
	th_expect(w, "+OK\r\n", "FAILOVER");
	th_expect(x, "", "EXEC");
	assert_false(ctl_wait_poll(x));
	th_expect(w, "+OK\r\n", "FAILOVER", "ABORT");
	assert_fo_state(w, "no-failover");
	assert_true(ctl_wait_poll(x));
	expect_out_of(x, "*1\r\n:1\r\n");
	assert_string_equal(th_cmd(x, "GET", "ctr", NULL), "$1\r\n1\r\n");
	wait_core();

	/* the target ACKs our whole offset: we become its replica and
	 * our PSYNC would carry FAILOVER; the paused writer gets -READONLY
	 * once the target accepted */
	th_expect(w, "+OK\r\n", "FAILOVER", "TO", "10.0.0.10", "7010");
	th_expect(x, "", "SET", "late", "1");
	snprintf(ack, sizeof(ack), "%lld",
		 (long long)atomic_load(&ctl_repl.master_repl_offset));
	th_expect(c, "", "REPLCONF", "ACK", ack);
	wait_fo_state(CTL_FAILOVER_IN_PROGRESS);
	assert_fo_state(w, "failover-in-progress");
	assert_int_equal(ctl_repl_role(), CTL_ROLE_REPLICA);
	assert_string_equal(ctl_repl.master_host, "10.0.0.10");
	assert_int_equal(ctl_repl.master_port, 7010);
	assert_int_equal(atomic_load(&c->kill), 1);
	assert_true(ctl_failover_psync_arg());
	assert_false(ctl_wait_poll(x));
	{
		/* the link to the target fails, before and after its PSYNC
		 * FAILOVER went out: the failover stays in progress and the
		 * link retries with FAILOVER again (Redis); +CONTINUE ends it */
		struct ctl_link *l = ctl_link_new(th_init());
		int64_t t0 = st_mstime();

		assert_int_equal(ctl_link_cron(l, t0), CTL_LINK_ACT_CONNECT);
		ctl_link_closed(l, t0);		/* connect failed */
		assert_int_equal(ctl_failover_state(), CTL_FAILOVER_IN_PROGRESS);
		for (int round = 0; round < 2; round++) {
			const char *o;
			size_t n;

			t0 += 10000;
			assert_int_equal(ctl_link_cron(l, t0), CTL_LINK_ACT_CONNECT);
			ctl_link_connected(l, t0);
			ctl_link_output(l, &n);
			ctl_link_output_consume(l, n);		/* PING */
			ctl_link_input(l, "+PONG\r\n", 7, t0);
			ctl_link_output(l, &n);
			ctl_link_output_consume(l, n);		/* REPLCONF */
			ctl_link_input(l, "+OK\r\n+OK\r\n", 10, t0);
			o = ctl_link_output(l, &n);
			assert_non_null(memmem(o, n, "PSYNC", 5));
			assert_non_null(memmem(o, n, "$8\r\nFAILOVER\r\n", 14));
			ctl_link_output_consume(l, n);
			if (round == 0) {
				ctl_link_closed(l, t0);	/* no answer */
				assert_int_equal(ctl_failover_state(),
						 CTL_FAILOVER_IN_PROGRESS);
				assert_false(ctl_wait_poll(x));
			}
		}
		snprintf(exp, sizeof(exp), "+CONTINUE %s\r\n", ctl_repl.replid);
		ctl_link_input(l, exp, strlen(exp), t0);
		assert_int_equal(ctl_link_get_state(l), CTL_LINK_CONNECTED);
		ctl_link_free(l);
	}
	assert_fo_state(w, "no-failover");
	assert_true(ctl_wait_poll(x));
	expect_out_of(x, "-READONLY You can't write against a read only replica.\r\n");
	st_client_free(c);

	/* the other end: PSYNC <our replid> <off> FAILOVER promotes us */
	t = replica_client("10.0.0.12:40000");
	th_expect(t, "-ERR PSYNC FAILOVER replid must match my replid.\r\n",
		  "PSYNC", "cccccccccccccccccccccccccccccccccccccccc", "1", "FAILOVER");
	assert_int_equal(ctl_repl_role(), CTL_ROLE_REPLICA);
	st_client_free(t);
	pthread_mutex_lock(&ctl_repl.lock);
	memcpy(replid, ctl_repl.replid, 41);
	pthread_mutex_unlock(&ctl_repl.lock);
	snprintf(off, sizeof(off), "%lld",
		 (long long)atomic_load(&ctl_repl.master_repl_offset) + 1);
	t = replica_client("10.0.0.12:40001");
	th_expect(t, "+OK\r\n", "REPLCONF", "capa", "psync2");
	{
		const char *r = th_cmd(t, "PSYNC", replid, off, "FAILOVER", NULL);

		assert_int_equal(ctl_repl_role(), CTL_ROLE_MASTER);
		assert_string_equal(ctl_repl.replid2, replid);
		snprintf(exp, sizeof(exp), "+CONTINUE %s\r\n", ctl_repl.replid);
		assert_string_equal(r, exp);
	}
	st_client_free(t);
	st_client_free(x);
	st_client_free(w);
}

static int
setup(void **state)
{
	st_buf_init(&wire);
	ctl_backlog_free();
	atomic_store(&ctl_repl.master_repl_offset, 0);
	return ctl_repl_core_start(-1);
}

static int
teardown(void **state)
{
	ctl_repl_core_stop();
	st_buf_free(&wire);
	return 0;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_full_sync_eof),
		cmocka_unit_test(test_psync_continue_and_len_framing),
		cmocka_unit_test(test_min_replicas_and_wait),
		cmocka_unit_test(test_slow_replicas),
		cmocka_unit_test(test_output_limit_config),
		cmocka_unit_test(test_full_sync_pinned),
		cmocka_unit_test(test_info_stats_counters),
		cmocka_unit_test(test_killed_replica_gets_nothing),
		cmocka_unit_test(test_demotion_disconnects_replicas),
		cmocka_unit_test(test_failover),
		cmocka_unit_test(test_backlog_ttl),
	};

	assert_int_equal(ctl_repl_init(), 0);
	th_init();
	return cmocka_run_group_tests(tests, setup, teardown);
}
