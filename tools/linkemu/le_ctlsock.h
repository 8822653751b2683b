/*
 * le_ctlsock.h -- the control socket's transport: a unix stream socket,
 * non-blocking, served from the forwarding thread between bursts (no
 * thread of its own).  It splits input into lines and hands each to a
 * handler that writes the reply (le_ctl.h has the protocol).
 *
 * Up to LE_CTLSOCK_CLIENTS connections at once; a further one is accepted,
 * told "ERR too many connections" and closed.  A line longer than
 * LE_CTLSOCK_LINE bytes gets "ERR line too long" and is skipped, one with
 * a NUL byte "ERR NUL byte in line".  A client
 * that does not read its replies (write would block) is disconnected.
 * Single thread; not thread safe.
 */
#ifndef LE_CTLSOCK_H
#define LE_CTLSOCK_H

#include <stdbool.h>
#include <stddef.h>
#include <poll.h>

#define LE_CTLSOCK_CLIENTS 8
#define LE_CTLSOCK_LINE 1024
#define LE_CTLSOCK_REPLY 8192

/* Handle one line (NUL-terminated, no '\n'); write the reply into reply
 * (len bytes) and return its length; set *close_after to close the
 * connection after sending it. */
typedef size_t (*le_ctlsock_handler)(void *arg, const char *line,
				     char *reply, size_t len,
				     bool *close_after);

struct le_ctlsock_client {
	int fd;				/* -1: free slot */
	size_t len;			/* bytes in buf */
	bool overlong;			/* discarding to the next '\n' */
	char buf[LE_CTLSOCK_LINE + 1];
};

struct le_ctlsock {
	int lfd;			/* -1: closed */
	char path[108];
	struct le_ctlsock_client cli[LE_CTLSOCK_CLIENTS];
};

/* Bind and listen on path.  A stale socket file (nobody accepting) is
 * replaced; a live one or a non-socket file is an error (-EADDRINUSE /
 * -EEXIST), as is a path too long (-ENAMETOOLONG).  0 or a negative errno. */
int
le_ctlsock_open(struct le_ctlsock *s, const char *path);

/* Close every connection, the listener, and unlink the path. */
void
le_ctlsock_close(struct le_ctlsock *s);

/* Fill pfd (room for max >= LE_CTLSOCK_CLIENTS + 1 entries) with the
 * descriptors to wait on (POLLIN) until something is ready for
 * le_ctlsock_poll; returns the count (0 when closed). */
int
le_ctlsock_pollfds(const struct le_ctlsock *s, struct pollfd *pfd, int max);

/* Accept, read and answer whatever is ready now (never blocks).  Returns
 * the number of lines handled. */
unsigned
le_ctlsock_poll(struct le_ctlsock *s, le_ctlsock_handler h, void *arg);

#endif
