/*
 * loop_peer.h -- a TCP peer that drives ferryd's real poll loop
 * (dp_loop_iteration) over the fake port, with the RESP server and the
 * store behind it: what test_dp_cycles and test_dp_latency share.  The
 * peer's segments are injected into the port's RX queue, so the loop
 * reads them as it would a NIC's.
 *
 * test_resp_server uses lp_setup's server alone, driven by nst's polling.
 *
 * Threads: the test's thread only (it is the store's registered worker).
 */
#ifndef LOOP_PEER_H
#define LOOP_PEER_H

#include <stddef.h>
#include <stdint.h>

#include "dp_loop.h"
#include "nstest.h"

struct st_worker;

struct lp_peer {
	struct nst *t;
	struct dp_loop_shared sh;
	struct dp_loop_state ls;
	uint16_t sport;
	uint32_t seq, ack;
	char rx[32768];		/* the server's payload for us, NUL-ended */
	size_t rx_len;
};

/* cmocka setup: EAL and store (once), a fake-port core with the TCP stack
 * and the RESP server on port 6379; *state is the struct nst.  0 / -1. */
int lp_setup(void **state);
/* The store worker lp_setup registered (this thread); NULL before. */
struct st_worker *lp_worker(void);
/* A peer from port sport, its loop state ready (not connected yet). */
void lp_init(struct lp_peer *p, struct nst *t, uint16_t sport);
/* One loop iteration; returns what dp_loop_iteration does (frames moved). */
unsigned lp_iterate(struct lp_peer *p);
/* Take the server's frames for us: payload appended to rx, ack advanced. */
void lp_drain(struct lp_peer *p);
/* A segment (data: a C string or NULL) into the port's RX queue, then one
 * iteration (asserts it moved a frame) and lp_drain. */
void lp_send(struct lp_peer *p, uint8_t flags, const char *data);

#endif
