/*
 * repl_stream.c -- the replication stream's bytes (repl.h), as Redis 7.0
 * writes them (shared/reference/redis_repl_interop.md §1.3):
 *
 *   SELECT   "*2\r\n$6\r\nSELECT\r\n$<n>\r\n<db>\r\n" whenever the db of
 *            the next command differs from the last one emitted (and
 *            after a reset: Redis's slaveseldb = -1)
 *   command  a RESP multibulk of the argv as given (handlers already
 *            rewrote relative TTLs to PXAT etc.)
 *   record   ncmds > 1: "*1\r\n$5\r\nMULTI\r\n" ... "*1\r\n$4\r\nEXEC\r\n",
 *            the SELECT of the first command before MULTI
 *   ping     "*1\r\n$4\r\nping\r\n"
 *   getack   "*3\r\n$8\r\nREPLCONF\r\n$6\r\nGETACK\r\n$1\r\n*\r\n"
 *
 * Call chain: writer thread: ctl_feed_sink -> ctl_stream_encode_cmd (the
 * multibulk, built in parallel on the writers); replication core:
 * ctl_feed_take -> ctl_stream_append_feed (SELECT, MULTI/EXEC, copies).
 * Pure functions of their arguments: no locks, no globals.
 */
#include "repl.h"

#include <stdio.h>
#include <string.h>

#include "buf.h"
#include "client.h"
#include "wlog.h"

static const char multi_bytes[] = "*1\r\n$5\r\nMULTI\r\n";
static const char exec_bytes[] = "*1\r\n$4\r\nEXEC\r\n";
static const char ping_bytes[] = "*1\r\n$4\r\nping\r\n";
static const char getack_bytes[] =
	"*3\r\n$8\r\nREPLCONF\r\n$6\r\nGETACK\r\n$1\r\n*\r\n";

static void
put_hdr(struct st_buf *b, char type, unsigned long long n)
{
	char tmp[32];
	int len = snprintf(tmp, sizeof(tmp), "%c%llu\r\n", type, n);

	st_buf_append(b, tmp, (size_t)len);
}

void
ctl_stream_encode_cmd(struct st_buf *b, int argc, const struct st_arg *argv)
{
	size_t need = 16;

	for (int i = 0; i < argc; i++)
		need += argv[i].len + 24;
	st_buf_reserve(b, need);
	put_hdr(b, '*', (unsigned long long)argc);
	for (int i = 0; i < argc; i++) {
		put_hdr(b, '$', argv[i].len);
		st_buf_append(b, argv[i].p, argv[i].len);
		st_buf_append(b, "\r\n", 2);
	}
}

static void
select_db(struct ctl_stream *s, int db)
{
	char num[16];
	int n;

	if (db == s->seldb)
		return;
	n = snprintf(num, sizeof(num), "%d", db);
	st_buf_append(s->out, "*2\r\n$6\r\nSELECT\r\n", 16);
	put_hdr(s->out, '$', (unsigned long long)n);
	st_buf_append(s->out, num, (size_t)n);
	st_buf_append(s->out, "\r\n", 2);
	s->seldb = db;
}

static uint32_t
get_u32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return v;
}

void
ctl_stream_append_feed(struct ctl_stream *s, const struct ctl_feed_rec *r)
{
	const uint8_t *p = r->body, *end = r->body + r->body_len;

	for (uint32_t i = 0; i < r->ncmds && p + 8 <= end; i++) {
		int db = (int)get_u32(p);
		uint32_t len = get_u32(p + 4);

		p += 8;
		if (p + len > end)
			break;
		select_db(s, db);
		if (i == 0 && r->ncmds > 1)
			st_buf_append(s->out, multi_bytes, sizeof(multi_bytes) - 1);
		st_buf_append(s->out, p, len);
		p += len;
	}
	if (r->ncmds > 1)
		st_buf_append(s->out, exec_bytes, sizeof(exec_bytes) - 1);
}

void
ctl_stream_append_rec(struct ctl_stream *s, const struct st_wlog_rec *rec)
{
	struct st_buf body;
	struct ctl_feed_rec fr;

	st_buf_init(&body);
	for (int i = 0; i < rec->ncmds; i++) {
		const struct st_wlog_cmd *c = &rec->cmds[i];
		uint32_t hdr[2] = { (uint32_t)c->db, 0 };
		size_t at = body.len;

		st_buf_append(&body, hdr, sizeof(hdr));
		ctl_stream_encode_cmd(&body, c->argc, c->argv);
		hdr[1] = (uint32_t)(body.len - at - sizeof(hdr));
		memcpy(body.p + at, hdr, sizeof(hdr));
	}
	fr.seq = rec->seq;
	fr.ncmds = (uint32_t)rec->ncmds;
	fr.body = (const uint8_t *)body.p;
	fr.body_len = body.len;
	ctl_stream_append_feed(s, &fr);
	st_buf_free(&body);
}

void
ctl_stream_append_ping(struct ctl_stream *s)
{
	st_buf_append(s->out, ping_bytes, sizeof(ping_bytes) - 1);
}

void
ctl_stream_append_getack(struct ctl_stream *s)
{
	st_buf_append(s->out, getack_bytes, sizeof(getack_bytes) - 1);
}
