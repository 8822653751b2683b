/*
 * nst_app.h -- the smallest TCP application for netstack tests: accepts
 * every connection (no context) and counts the connected callbacks.
 * Linked into the TCP tests (nstest_tcp_sources); single-threaded tests
 * only.
 */
#ifndef NST_APP_H
#define NST_APP_H

#include "dp_tcp.h"

extern unsigned nst_app_connected_calls;
extern const struct dp_tcp_app_ops nst_app_ops;

#endif
