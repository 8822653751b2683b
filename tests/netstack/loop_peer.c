/*
 * loop_peer.c -- a TCP peer driving the real poll loop over the fake port
 * (see loop_peer.h).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "dp_tcp.h"
#include "loop_peer.h"
#include "resp_server.h"
#include "worker.h"

static struct st_worker *worker;

static void
app_flush(struct dp_core *core, void *arg)
{
	dp_resp_server_flush(core);
}

static void
fini_hook(struct dp_core *core)
{
	dp_tcp_stack_fini(core);
	dp_resp_server_fini(core);
}

int
lp_setup(void **state)
{
	struct dp_tcp_config cfg;
	struct dp_resp_params rp = { .port = 6379, .output_limit = 256u << 20 };
	struct nst *t;

	if (worker == NULL) {
		if (nst_eal_init() < 0 || st_store_init() < 0)
			return -1;
		worker = st_thread_register();
	}
	t = nst_create(0);
	if (t == NULL)
		return -1;
	t->core.worker = worker;
	dp_tcp_config_defaults(&cfg);
	if (dp_tcp_stack_init(&t->core, &cfg) < 0)
		return -1;
	t->fini_hook = fini_hook;
	if (dp_resp_server_init(&t->core, &rp) < 0)
		return -1;
	*state = t;
	return 0;
}

struct st_worker *
lp_worker(void)
{
	return worker;
}

/* One loop iteration at TSC time. */
unsigned
lp_iterate(struct lp_peer *p)
{
	return dp_loop_iteration(&p->t->core, &p->sh, &p->ls);
}

/* Take the server's frames: payload for us appended to rx. */
void
lp_drain(struct lp_peer *p)
{
	struct nst_tcp s;
	struct nst_frame f;

	while (nst_pop_tcp(p->t, &s, &f) == 0) {
		if (s.dport != p->sport)
			continue;
		if (s.flags & RTE_TCP_SYN_FLAG)
			p->ack = s.seq + 1;
		if (s.len && s.seq == p->ack &&
		    p->rx_len + s.len < sizeof(p->rx)) {
			memcpy(p->rx + p->rx_len, s.payload, s.len);
			p->rx_len += s.len;
			p->rx[p->rx_len] = '\0';
			p->ack += s.len;
		}
	}
}

/* A segment into the port's RX queue, then one iteration: the loop reads
 * it (not nst_input, which bypasses dp_loop_iteration). */
void
lp_send(struct lp_peer *p, uint8_t flags, const char *data)
{
	static uint8_t buf[NST_FRAME_MAX];
	struct nst_tcp s;
	uint32_t len = data ? (uint32_t)strlen(data) : 0;
	uint32_t n;

	nst_tcp_defaults(p->t, &s);
	s.sport = p->sport;
	s.seq = p->seq;
	s.ack = p->ack;
	s.flags = flags;
	s.win = 65535;
	s.payload = (const uint8_t *)data;
	s.len = len;
	if (flags & RTE_TCP_SYN_FLAG)
		s.opt.mss = 1460;
	n = nst_build_tcp(buf, sizeof(buf), &s);
	assert_true(n > 0);
	assert_int_equal(nst_inject(p->t, buf, n), 0);
	p->seq += len + ((flags & (RTE_TCP_SYN_FLAG | RTE_TCP_FIN_FLAG)) ? 1 : 0);
	assert_true(lp_iterate(p) > 0);	/* it moved that frame at least */
	lp_drain(p);
}

void
lp_init(struct lp_peer *p, struct nst *t, uint16_t sport)
{
	memset(p, 0, sizeof(*p));
	p->t = t;
	p->sport = sport;
	p->seq = 5000;
	dp_loop_params_defaults(&p->sh.params);
	p->sh.hooks.app_flush = app_flush;
	p->sh.ncores = 1;
	dp_loop_state_init(&p->ls);
}
