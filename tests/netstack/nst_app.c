/*
 * nst_app.c -- the smallest TCP application for netstack tests (see
 * nst_app.h).
 */
#include <stddef.h>

#include "nst_app.h"

unsigned nst_app_connected_calls;

static void
app_connected(struct dp_core *core, struct dp_tcp_conn *c, void *ctx)
{
	(void)core;
	(void)c;
	(void)ctx;
	nst_app_connected_calls++;
}

static int
app_accepted(struct dp_core *core, struct dp_tcp_conn *c, void **ctx)
{
	(void)core;
	(void)c;
	*ctx = NULL;
	return 0;
}

const struct dp_tcp_app_ops nst_app_ops = {
	.accepted = app_accepted,
	.connected = app_connected,
};
