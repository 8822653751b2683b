/*
 * le_ctlsock.c -- non-blocking unix socket server for the control
 * protocol (see le_ctlsock.h).
 *
 * Call chain: le_main poll loop -> le_ctlsock_poll -> accept_new ->
 *   serve_client -> read -> (per line) handler (le_main: le_ctl_execute)
 *   -> send_all
 */
#include "le_ctlsock.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

static void
client_close(struct le_ctlsock_client *c)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	c->len = 0;
	c->overlong = false;
}

/* Write all of buf or fail (the client is not reading). */
static int
send_all(int fd, const char *buf, size_t len)
{
	while (len > 0) {
		ssize_t w = send(fd, buf, len, MSG_NOSIGNAL | MSG_DONTWAIT);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		buf += w;
		len -= (size_t)w;
	}
	return 0;
}

int
le_ctlsock_open(struct le_ctlsock *s, const char *path)
{
	struct sockaddr_un sa;
	struct stat stt;
	int fd, rc;

	s->lfd = -1;
	s->path[0] = '\0';
	for (int i = 0; i < LE_CTLSOCK_CLIENTS; i++)
		s->cli[i].fd = -1;
	if (strlen(path) >= sizeof(sa.sun_path) || path[0] == '\0')
		return -ENAMETOOLONG;
	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	strcpy(sa.sun_path, path);
	if (lstat(path, &stt) == 0) {
		if (!S_ISSOCK(stt.st_mode))
			return -EEXIST;
		fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (fd < 0)
			return -errno;
		rc = connect(fd, (struct sockaddr *)&sa, sizeof(sa));
		close(fd);
		if (rc == 0)
			return -EADDRINUSE;
		unlink(path);	/* stale */
	}
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -errno;
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    listen(fd, 16) < 0) {
		rc = -errno;
		close(fd);
		return rc;
	}
	s->lfd = fd;
	strcpy(s->path, path);
	return 0;
}

void
le_ctlsock_close(struct le_ctlsock *s)
{
	for (int i = 0; i < LE_CTLSOCK_CLIENTS; i++)
		client_close(&s->cli[i]);
	if (s->lfd >= 0) {
		close(s->lfd);
		s->lfd = -1;
		unlink(s->path);
	}
}

static void
accept_new(struct le_ctlsock *s)
{
	static const char busy[] = "ERR too many connections\n";

	for (;;) {
		int fd = accept4(s->lfd, NULL, NULL,
				 SOCK_NONBLOCK | SOCK_CLOEXEC);
		int i;

		if (fd < 0)
			return;
		for (i = 0; i < LE_CTLSOCK_CLIENTS; i++)
			if (s->cli[i].fd < 0)
				break;
		if (i == LE_CTLSOCK_CLIENTS) {
			(void)send_all(fd, busy, sizeof(busy) - 1);
			close(fd);
			continue;
		}
		s->cli[i].fd = fd;
		s->cli[i].len = 0;
		s->cli[i].overlong = false;
	}
}

/* Handle the complete lines in c->buf; false when c was closed. */
static bool
handle_lines(struct le_ctlsock_client *c, le_ctlsock_handler h, void *arg,
	     unsigned *lines)
{
	static char reply[LE_CTLSOCK_REPLY];
	char *start = c->buf, *nl;
	bool close_after, has_nul;

	c->buf[c->len] = '\0';
	while ((nl = memchr(start, '\n', c->len - (size_t)(start - c->buf)))) {
		size_t n;

		*nl = '\0';
		if (c->overlong) {	/* the tail of a line we refused */
			c->overlong = false;
			start = nl + 1;
			continue;
		}
		has_nul = memchr(start, '\0', (size_t)(nl - start)) != NULL;
		if (nl > start && nl[-1] == '\r')
			nl[-1] = '\0';
		close_after = false;
		if (has_nul)
			n = (size_t)snprintf(reply, sizeof(reply),
					     "ERR NUL byte in line\n");
		else
			n = h(arg, start, reply, sizeof(reply), &close_after);
		(*lines)++;
		if ((n && send_all(c->fd, reply, n) < 0) || close_after) {
			client_close(c);
			return false;
		}
		start = nl + 1;
	}
	c->len -= (size_t)(start - c->buf);
	memmove(c->buf, start, c->len);
	if (c->len == LE_CTLSOCK_LINE) {	/* no '\n' in a full buffer */
		static const char msg[] = "ERR line too long\n";

		c->len = 0;
		if (!c->overlong && send_all(c->fd, msg, sizeof(msg) - 1) < 0) {
			client_close(c);
			return false;
		}
		c->overlong = true;
	}
	return true;
}

static void
serve_client(struct le_ctlsock_client *c, le_ctlsock_handler h, void *arg,
	     unsigned *lines)
{
	for (;;) {
		ssize_t r = read(c->fd, c->buf + c->len,
				 LE_CTLSOCK_LINE - c->len);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return;
		if (r <= 0) {
			client_close(c);
			return;
		}
		c->len += (size_t)r;
		if (!handle_lines(c, h, arg, lines))
			return;
	}
}

int
le_ctlsock_pollfds(const struct le_ctlsock *s, struct pollfd *pfd, int max)
{
	int n = 0;

	if (s->lfd < 0 || max < 1)
		return 0;
	pfd[n++] = (struct pollfd){ .fd = s->lfd, .events = POLLIN };
	for (int i = 0; i < LE_CTLSOCK_CLIENTS && n < max; i++)
		if (s->cli[i].fd >= 0)
			pfd[n++] = (struct pollfd){ .fd = s->cli[i].fd,
						    .events = POLLIN };
	return n;
}

unsigned
le_ctlsock_poll(struct le_ctlsock *s, le_ctlsock_handler h, void *arg)
{
	struct pollfd pfd[LE_CTLSOCK_CLIENTS + 1];
	int map[LE_CTLSOCK_CLIENTS + 1];
	unsigned lines = 0;
	int n = 0;

	if (s->lfd < 0)
		return 0;
	pfd[n] = (struct pollfd){ .fd = s->lfd, .events = POLLIN };
	map[n++] = -1;
	for (int i = 0; i < LE_CTLSOCK_CLIENTS; i++) {
		if (s->cli[i].fd < 0)
			continue;
		pfd[n] = (struct pollfd){ .fd = s->cli[i].fd, .events = POLLIN };
		map[n++] = i;
	}
	if (poll(pfd, (nfds_t)n, 0) <= 0)
		return 0;
	for (int k = 1; k < n; k++)
		if (pfd[k].revents)
			serve_client(&s->cli[map[k]], h, arg, &lines);
	if (pfd[0].revents & POLLIN)
		accept_new(s);
	return lines;
}
