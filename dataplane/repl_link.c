/*
 * repl_link.c -- the replica's master link over dp_tcp (see repl_link.h).
 *
 * Call chains:
 *   poll:  dp_repl_link_poll -> ctl_link_cron -> link_connect ->
 *          dp_tcp_connect | dp_tcp_abort ; link_flush -> dp_tcp_send
 *   in:    rl_connected -> ctl_link_connected ; rl_recv -> ctl_link_input
 *   out:   rl_sendable -> link_flush
 *   close: rl_peer_closed -> abort (the master is gone: reconnect) ;
 *          rl_closed -> ctl_link_closed
 *
 * The connection's own life is a small state machine (enum rl_conn):
 * IDLE -> OPENING (SYN sent) -> OPEN -> CLOSING (abort asked) -> IDLE
 * (closed callback).  The protocol's states live in control/.
 */
#include "repl_link.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dp_core.h"
#include "dp_tcp.h"
#include "repl_replica.h"
#include "util.h"

enum rl_conn {
	RL_IDLE = 0,
	RL_OPENING,
	RL_OPEN,
	RL_CLOSING,
	RL__N
};

static const char *const rl_conn_names[RL__N] __attribute__((unused)) = {
	[RL_IDLE] = "idle",
	[RL_OPENING] = "opening",
	[RL_OPEN] = "open",
	[RL_CLOSING] = "closing",
};

struct repl_link {
	struct dp_core *core;
	struct ctl_link *l;
	struct dp_tcp_conn *tc;
	enum rl_conn st;
	bool stopping;
};

/* One per process (core 0). */
static struct repl_link *the_link;

static void
link_flush(struct repl_link *rl)
{
	size_t n;
	const void *p;

	if (rl->tc == NULL || rl->st != RL_OPEN)
		return;
	while ((p = ctl_link_output(rl->l, &n)), n > 0) {
		size_t sent = dp_tcp_send(rl->core, rl->tc, p, n);

		if (sent == 0)
			break;		/* rl_sendable resumes */
		ctl_link_output_consume(rl->l, sent);
	}
}

static void
link_abort(struct repl_link *rl)
{
	if (rl->tc == NULL || rl->st == RL_CLOSING)
		return;
	rl->st = RL_CLOSING;
	dp_tcp_abort(rl->core, rl->tc);	/* rl_closed follows */
}

/* ---- dp_tcp callbacks ------------------------------------------------------ */

static void
rl_connected(struct dp_core *core, struct dp_tcp_conn *tc, void *ctx)
{
	struct repl_link *rl = ctx;

	if (rl->tc != tc)
		return;
	rl->st = RL_OPEN;
	/* the stream from a master far away needs a receive window of the
	 * link's bandwidth-delay product (repl-tcp-buffer) */
	{
		uint32_t b = (uint32_t)CTL_CFG(repl_tcp_buffer);

		if (dp_tcp_set_buffers(core, tc, b, b) != 0)
			fprintf(stderr, "ferryd: replica: cannot grow the link's "
				"TCP buffers to %u bytes\n", b);
	}
	ctl_link_connected(rl->l, st_mstime());
	link_flush(rl);
}

static size_t
rl_recv(struct dp_core *core, struct dp_tcp_conn *tc, void *ctx,
	const uint8_t *data, size_t len)
{
	struct repl_link *rl = ctx;

	if (rl->tc != tc || rl->st != RL_OPEN)
		return len;
	ctl_link_input(rl->l, data, len, st_mstime());
	if (ctl_link_should_close(rl->l))
		link_abort(rl);
	else
		link_flush(rl);
	return len;
}

static void
rl_sendable(struct dp_core *core, struct dp_tcp_conn *tc, void *ctx)
{
	struct repl_link *rl = ctx;

	if (rl->tc == tc)
		link_flush(rl);
}

static void
rl_peer_closed(struct dp_core *core, struct dp_tcp_conn *tc, void *ctx)
{
	struct repl_link *rl = ctx;

	if (rl->tc == tc)
		link_abort(rl);
}

static void
rl_closed(struct dp_core *core, struct dp_tcp_conn *tc, void *ctx,
	  enum dp_tcp_close_reason why)
{
	struct repl_link *rl = ctx;

	if (rl->tc != tc)
		return;
	rl->tc = NULL;
	if (rl->st == RL_OPENING && why != DP_TCP_CLOSED_ABORTED)
		ctl_link_connect_failed(rl->l, st_mstime(),
					why == DP_TCP_CLOSED_REFUSED ?
					"connection refused" : "timeout");
	else
		ctl_link_closed(rl->l, st_mstime());
	rl->st = RL_IDLE;
}

static const struct dp_tcp_app_ops rl_ops = {
	.connected = rl_connected,
	.recv = rl_recv,
	.sendable = rl_sendable,
	.peer_closed = rl_peer_closed,
	.closed = rl_closed,
};

/* ---- poll ------------------------------------------------------------------ */

static void
link_connect(struct repl_link *rl)
{
	char host[64];
	int port;
	struct in_addr a;

	ctl_link_target(rl->l, host, sizeof(host), &port);
	/* ferry's stack has no resolver: the master is a dotted IPv4
	 * address, on-link (ARP) or behind --gateway */
	if (inet_pton(AF_INET, host, &a) != 1 || port <= 0) {
		ctl_link_connect_failed(rl->l, st_mstime(),
					"not an IPv4 address and port");
		return;
	}
	rl->tc = dp_tcp_connect(rl->core, ntohl(a.s_addr), (uint16_t)port,
				&rl_ops, rl);
	if (rl->tc == NULL) {
		ctl_link_connect_failed(rl->l, st_mstime(), strerror(errno));
		return;
	}
	rl->st = RL_OPENING;
}

int
dp_repl_link_init(struct dp_core *core)
{
	struct repl_link *rl;

	if (core->id != 0 || the_link != NULL)
		return 0;
	rl = calloc(1, sizeof(*rl));
	if (rl == NULL)
		return -ENOMEM;
	rl->core = core;
	rl->l = ctl_link_new(core->worker);
	if (rl->l == NULL) {
		free(rl);
		return -ENOMEM;
	}
	the_link = rl;
	return 0;
}

void
dp_repl_link_poll(struct dp_core *core)
{
	struct repl_link *rl = the_link;
	enum ctl_link_action act;

	if (rl == NULL || rl->core != core || rl->stopping)
		return;
	act = ctl_link_cron(rl->l, st_mstime());
	if (act == CTL_LINK_ACT_CLOSE) {
		if (rl->tc != NULL)
			link_abort(rl);
		else
			ctl_link_closed(rl->l, st_mstime());
	} else if (act == CTL_LINK_ACT_CONNECT && rl->tc == NULL) {
		link_connect(rl);
	}
	link_flush(rl);
}

void
dp_repl_link_stop(struct dp_core *core)
{
	struct repl_link *rl = the_link;

	if (rl == NULL || rl->core != core)
		return;
	rl->stopping = true;
	if (rl->tc != NULL && rl->st == RL_OPEN) {
		rl->st = RL_CLOSING;
		dp_tcp_close(core, rl->tc);
	} else {
		link_abort(rl);
	}
}

size_t
dp_repl_link_active(struct dp_core *core)
{
	struct repl_link *rl = the_link;

	return rl != NULL && rl->core == core && rl->tc != NULL ? 1 : 0;
}

void
dp_repl_link_fini(struct dp_core *core)
{
	struct repl_link *rl = the_link;

	if (rl == NULL || rl->core != core)
		return;
	the_link = NULL;
	ctl_link_free(rl->l);
	free(rl);
}
