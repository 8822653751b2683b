/*
 * repl_link.h -- the replica's link to its master over ferry's own TCP:
 * the glue between dp_tcp (active open from core 0) and the transport
 * independent protocol machine of control/repl_replica.c.
 *
 * Call chains:
 *   poll:  dp_loop (core 0, app_poll) -> dp_repl_link_poll -> ctl_link_cron
 *          -> CONNECT: dp_tcp_connect(master) | CLOSE: dp_tcp_abort
 *          -> link_flush -> dp_tcp_send (ctl_link_output, backpressure)
 *   in:    dp_tcp -> rl_recv -> ctl_link_input (handshake, RDB, stream
 *          applied on this core) -> link_flush (ACKs at once)
 *   close: dp_tcp -> rl_closed -> ctl_link_closed (reconnect with backoff)
 *
 * One link per process, owned by core 0 (the hand-over ring returns the
 * flows of active opens to the core that made them).  Every function
 * runs on core 0's thread, registered with the store.
 */
#ifndef DP_REPL_LINK_H
#define DP_REPL_LINK_H

#include <stddef.h>

struct dp_core;

/* core_init of core 0: create the link (idle until REPLICAOF or the
 * replicaof directive).  0 or -ENOMEM. */
int dp_repl_link_init(struct dp_core *core);
/* Periodic (app_poll): timers, master changes, connect / close. */
void dp_repl_link_poll(struct dp_core *core);
/* Graceful stop: close the connection (no reconnection). */
void dp_repl_link_stop(struct dp_core *core);
/* 1 while the link's TCP connection exists (drain accounting). */
size_t dp_repl_link_active(struct dp_core *core);
/* core_fini, after dp_tcp_stack_fini: free the link. */
void dp_repl_link_fini(struct dp_core *core);

#endif
