/*
 * rdb_tool.c -- drive the store and the RDB code from the command line, for
 * the integration test (rdb_redis_check.py).
 *
 *   rdb_tool save OUT.rdb  < commands   run the RESP commands on stdin
 *                                       (replies dropped), save OUT.rdb
 *   rdb_tool load IN.rdb   < commands   load IN.rdb (as a primary), run the
 *                                       RESP commands on stdin, write the
 *                                       raw replies to stdout
 * RDB_PACKED_THRESHOLD=N in the environment saves list elements of N bytes
 * or more as PLAIN quicklist nodes.  Exit status 0, or 1 with the error on
 * stderr.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "client.h"
#include "rdb.h"
#include "util.h"
#include "worker.h"

static void
run_stdin(struct st_client *c, FILE *out)
{
	char buf[65536];
	ssize_t n;

	while ((n = read(0, buf, sizeof(buf))) > 0) {
		st_client_feed(c, buf, (size_t)n);
		st_client_process(c);
		if (out)
			fwrite(c->out.p, 1, c->out.len, out);
		st_buf_reset(&c->out);
	}
}

int
main(int argc, char **argv)
{
	struct st_worker *w;
	struct st_client *c;
	int rc;

	if (argc != 3 || (strcmp(argv[1], "save") && strcmp(argv[1], "load"))) {
		fprintf(stderr, "usage: rdb_tool save|load FILE < commands\n");
		return 2;
	}
	if (getenv("RDB_PACKED_THRESHOLD"))
		ctl_rdb_set_packed_threshold(
			strtoull(getenv("RDB_PACKED_THRESHOLD"), NULL, 10));
	if (st_store_init() != 0 || (w = st_thread_register()) == NULL) {
		fprintf(stderr, "store init failed\n");
		return 1;
	}
	c = st_client_new(w);
	if (strcmp(argv[1], "save") == 0) {
		struct ctl_rdb_writer wr = { .repl_stream_db = 0 };

		int64_t t0;

		run_stdin(c, NULL);
		t0 = st_mstime();
		rc = ctl_rdb_save_file(argv[2], &wr);
		if (rc != 0)
			fprintf(stderr, "save: %s\n", strerror(-rc));
		else
			fprintf(stderr, "saved %llu keys, %llu bytes in %lld ms\n",
				(unsigned long long)wr.keys,
				(unsigned long long)wr.bytes,
				(long long)(st_mstime() - t0));
	} else {
		struct ctl_rdb_info info;

		rc = ctl_rdb_load_file(argv[2], 0, &info);
		if (rc != 0) {
			fprintf(stderr, "load: %s (%s)\n", info.err,
				strerror(-rc));
		} else {
			run_stdin(c, stdout);
			fflush(stdout);
		}
	}
	st_client_free(c);
	st_thread_unregister(w);
	st_store_shutdown();
	return rc == 0 ? 0 : 1;
}
