/*
 * no_tcp.c -- link stand-in for the TCP layer in the L2/L3 tests and the
 * frame fuzzer, which are built from dp_l3_sources alone: TCP segments are
 * counted (DP_DROP_IP_PROTO) and dropped, as if TCP were not compiled in.
 * Never linked with the real dataplane library (tcp_in.c defines it).
 */
#include "dp_core.h"
#include "dp_tcp.h"

void
dp_tcp_input(struct dp_core *core, struct rte_mbuf *m, uint32_t src,
	     uint32_t dst)
{
	dp_core_drop(core, m, DP_DROP_IP_PROTO);
}
