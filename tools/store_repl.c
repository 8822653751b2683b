/*
 * store_repl.c -- ferry-store-repl: the store behind a pair of pipes.
 *
 * Reads RESP requests (or inline commands) from stdin, executes them on one
 * client of an in-process store, and writes the raw reply bytes to stdout.
 * There is no network, no data plane and one thread: it is the smallest
 * transport that exercises the real parser, dispatcher and commands, and it
 * is what tests/golden/golden.py compares byte-for-byte against a stock
 * redis-server.
 *
 * Loop: read() up to 64 KB, run one active expiry cycle (as every polling
 * loop does: keys whose time passed while we waited for input are gone, as
 * Redis's cron would have removed them), st_client_feed(),
 * st_client_process(), write every byte of c->out, reset it, pass a
 * quiescent state.  It ends at EOF on stdin or once the client is marked
 * ST_CLIENT_CLOSE_AFTER_REPLY (QUIT, a protocol error), after its last reply
 * was written.
 *
 * Usage: ferry-store-repl < requests > replies
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "buf.h"
#include "client.h"
#include "expire.h"
#include "worker.h"

#define REPL_CHUNK (64 * 1024)
/* Keys examined per expiry cycle: generous, there is one cycle per read. */
#define REPL_EXPIRE_BUDGET 1024

/* Write all 'n' bytes of 'p' to 'fd'; 0 or a negative errno. */
static int
write_all(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* Send the client's pending replies to stdout and empty its buffer. */
static int
flush_replies(struct st_client *c)
{
	int rc = 0;

	if (c->out.len > 0)
		rc = write_all(STDOUT_FILENO, c->out.p, c->out.len);
	st_buf_reset(&c->out);
	return rc;
}

int
main(int argc, char **argv)
{
	static char chunk[REPL_CHUNK];
	struct st_worker *w;
	struct st_client *c;
	int status = EXIT_SUCCESS;

	(void)argc;
	(void)argv;

	/* A reader that went away must end us with an error, not a signal. */
	signal(SIGPIPE, SIG_IGN);

	if (st_store_init() != 0) {
		fprintf(stderr, "ferry-store-repl: st_store_init failed\n");
		return EXIT_FAILURE;
	}
	w = st_thread_register();
	if (w == NULL) {
		fprintf(stderr, "ferry-store-repl: no worker slot\n");
		st_store_shutdown();
		return EXIT_FAILURE;
	}
	c = st_client_new(w);

	for (;;) {
		ssize_t n = read(STDIN_FILENO, chunk, sizeof(chunk));

		if (n < 0) {
			if (errno == EINTR)
				continue;
			perror("ferry-store-repl: read");
			status = EXIT_FAILURE;
			break;
		}
		if (n == 0)
			break;			/* EOF */

		st_expire_cycle(w, REPL_EXPIRE_BUDGET);
		st_client_feed(c, chunk, (size_t)n);
		st_client_process(c);
		if (flush_replies(c) != 0) {
			status = EXIT_FAILURE;
			break;
		}
		/* No pointer into the keyspace survives this point. */
		st_worker_quiescent();
		if (c->flags & ST_CLIENT_CLOSE_AFTER_REPLY)
			break;
	}

	st_client_free(c);
	st_thread_unregister(w);
	st_store_shutdown();
	return status;
}
