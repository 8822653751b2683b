/*
 * resp_server.h -- the RESP server: the store's clients over dp_tcp
 * connections, one st_client per connection, on the connection's core.
 *
 * Call chains:
 *   in:  dp_tcp_input -> ... -> recv callback (resp_server.c) ->
 *        st_client_feed -> st_client_process -> c->out -> dp_tcp_send
 *   out: sendable callback -> dp_tcp_send (rest of c->out) ->
 *        dp_tcp_recv_resume (input resumes once c->out is empty)
 *   end: closed callback -> st_client_unregister -> st_client_free
 *
 * Flow control: a connection consumes no input while it has unsent
 * output (the TCP receive window closes: backpressure on pipelining
 * clients and slow readers); input is fed in adaptive pieces so that one
 * receive cannot turn into an unbounded pile of replies.  A reply buffer
 * over the limit (client-output-buffer-limit's hard limit, or
 * dp_resp_params.output_limit when that is 0) aborts the connection (RST).
 * CLIENT KILL, QUIT and protocol errors: the queued reply is sent, then FIN.
 *
 * State lives in core->app (one struct per core); every function takes the
 * core first and runs on the core's thread.
 */
#ifndef RESP_SERVER_H
#define RESP_SERVER_H

#include <stddef.h>
#include <stdint.h>

struct dp_core;

struct dp_resp_params {
	uint16_t port;
	uint64_t output_limit;		/* bytes; used when the store's is 0 */
};

/* Allocate core->app and listen on params->port.  0 or -errno. */
int dp_resp_server_init(struct dp_core *core, const struct dp_resp_params *p);
/* Periodic: close connections whose client was killed (CLIENT KILL). */
void dp_resp_server_poll(struct dp_core *core);
/* Every iteration, before dp_tcp_flush: the FINs decided inside recv
 * callbacks (QUIT, protocol errors), which TCP cannot take there. */
void dp_resp_server_flush(struct dp_core *core);
/* Graceful stop: refuse new connections, send what is queued, FIN all. */
void dp_resp_server_stop(struct dp_core *core);
/* Open connections on this core. */
size_t dp_resp_server_conns(struct dp_core *core);
/* Free core->app.  Call after dp_tcp_stack_fini (which closes, and so
 * frees, every connection left). */
void dp_resp_server_fini(struct dp_core *core);

#endif
