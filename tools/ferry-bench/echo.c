/*
 * echo.c -- the ceiling mode (see echo.h).
 */
#include "echo.h"

#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_ether.h>
#include <rte_mbuf.h>

#include "dp_core.h"
#include "report.h"

#define ECHO_MAGIC 0xfe77be9cu
#define ECHO_BURST 32
#define ECHO_LOSS_US 100000
#define ECHO_QUIET_US 5000		/* the peer idles after 1 ms */
#define ECHO_QUIET_MAX_US 200000

struct echo_payload {
	uint32_t magic;
	uint32_t slot;
	uint64_t tsc;
} __attribute__((packed));

static bool
stopped(struct fb_run *run)
{
	return atomic_load_explicit(&run->sh.stop, memory_order_relaxed);
}

static int
echo_server(struct fb_run *run)
{
	struct dp_core *dp = run->dcores[0];
	struct rte_mbuf *pkts[ECHO_BURST];
	uint64_t end = run->opt.duration_s > 0 ? rte_rdtsc() +
		(uint64_t)(run->opt.duration_s * (double)run->tsc_hz) : 0;
	uint64_t bounced = 0;

	fprintf(stderr, "ferry-bench: echo server on port %u\n",
		run->port.port_id);
	uint64_t idle_since = rte_rdtsc(), idle_tsc = run->tsc_hz / 1000;

	while (!stopped(run) && (end == 0 || rte_rdtsc() < end)) {
		uint16_t n = dp_port_rx(dp->ports[0], dp->queue, pkts, ECHO_BURST);
		uint16_t sent;

		/* idle over 1 ms: poll every 50 us.  Besides sparing the
		 * core, this narrows a DPDK 22.11 memif race: the PMD unmaps
		 * its regions on the peer's disconnect (control thread) with
		 * no synchronisation with an rx_burst in progress. */
		if (n == 0) {
			if (rte_rdtsc() - idle_since > idle_tsc)
				rte_delay_us_sleep(50);
			continue;
		}
		idle_since = rte_rdtsc();

		for (uint16_t i = 0; i < n; i++) {
			struct rte_ether_hdr *eh = rte_pktmbuf_mtod(pkts[i],
				struct rte_ether_hdr *);

			rte_ether_addr_copy(&eh->src_addr, &eh->dst_addr);
			rte_ether_addr_copy(&run->port.mac, &eh->src_addr);
		}
		sent = n ? dp_port_tx(dp->ports[0], dp->queue, pkts, n) : 0;
		for (uint16_t i = sent; i < n; i++)
			rte_pktmbuf_free(pkts[i]);
		bounced += sent;
	}
	fprintf(stderr, "ferry-bench: echo server bounced %llu frames\n",
		(unsigned long long)bounced);
	return FB_EXIT_OK;
}

/* A fresh frame for slot s, stamped now. */
static struct rte_mbuf *
echo_frame(struct fb_run *run, const struct rte_ether_addr *dst,
	   uint32_t slot, uint32_t len)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(run->dcores[0]->pool);
	struct rte_ether_hdr *eh;
	struct echo_payload *pl;
	char *p;

	if (m == NULL)
		return NULL;
	p = rte_pktmbuf_append(m, (uint16_t)len);
	if (p == NULL) {
		rte_pktmbuf_free(m);
		return NULL;
	}
	memset(p, 0, len);
	eh = (struct rte_ether_hdr *)p;
	rte_ether_addr_copy(dst, &eh->dst_addr);
	rte_ether_addr_copy(&run->port.mac, &eh->src_addr);
	eh->ether_type = rte_cpu_to_be_16(FB_ECHO_ETHERTYPE);
	pl = (struct echo_payload *)(eh + 1);
	pl->magic = ECHO_MAGIC;
	pl->slot = slot;
	pl->tsc = rte_rdtsc();
	return m;
}

/* Stop sending and drop what comes back until the link has been quiet
 * for ECHO_QUIET_US (at most ECHO_QUIET_MAX_US), so that the peer is
 * idle when our port closes.  DPDK 22.11's memif PMD unmaps its regions
 * on a peer's disconnect (control thread) with no synchronisation with
 * an rx_burst in progress: a peer still bouncing frames at full rate
 * when we leave can crash. */
static void
echo_quiesce(struct fb_run *run)
{
	struct dp_core *dp = run->dcores[0];
	struct rte_mbuf *pkts[ECHO_BURST];
	uint64_t hz = run->tsc_hz;
	uint64_t now = rte_rdtsc(), last = now;
	uint64_t quiet = hz / 1000000 * ECHO_QUIET_US;
	uint64_t end = now + hz / 1000000 * ECHO_QUIET_MAX_US;

	while (now - last < quiet && now < end) {
		uint16_t n = dp_port_rx(dp->ports[0], dp->queue, pkts,
					ECHO_BURST);

		now = rte_rdtsc();
		if (n > 0)
			last = now;
		rte_pktmbuf_free_bulk(pkts, n);
	}
}

static int
echo_client(struct fb_run *run)
{
	struct dp_core *dp = run->dcores[0];
	uint32_t nslots = run->opt.clients;
	uint32_t len = run->opt.data_max + RTE_ETHER_HDR_LEN;
	uint64_t *sent_at = calloc(nslots, sizeof(*sent_at));
	struct st_hdr *hdr = malloc(sizeof(*hdr));
	struct rte_ether_addr dst;
	struct fb_echo_result r = {0};
	uint64_t hz = run->tsc_hz, start, end, warm_end, loss_tsc;
	double dur = run->opt.duration_s > 0 ? run->opt.duration_s : 5;
	int status;

	if (sent_at == NULL || hdr == NULL) {
		free(sent_at);
		free(hdr);
		return FB_EXIT_START;
	}
	if (len > RTE_MBUF_DEFAULT_DATAROOM)
		len = RTE_MBUF_DEFAULT_DATAROOM;
	if (len < RTE_ETHER_MIN_LEN - RTE_ETHER_CRC_LEN)
		len = RTE_ETHER_MIN_LEN - RTE_ETHER_CRC_LEN;
	if (len < RTE_ETHER_HDR_LEN + sizeof(struct echo_payload))
		len = RTE_ETHER_HDR_LEN + sizeof(struct echo_payload);
	st_hdr_reset(hdr);
	memset(&dst, 0xff, sizeof(dst));
	start = rte_rdtsc();
	warm_end = start + (uint64_t)(run->opt.warmup_s * (double)hz);
	end = start + (uint64_t)(dur * (double)hz) +
	      (uint64_t)(run->opt.warmup_s * (double)hz);
	loss_tsc = hz / 1000000 * ECHO_LOSS_US;
	while (!stopped(run)) {
		struct rte_mbuf *pkts[ECHO_BURST], *out[ECHO_BURST];
		uint64_t now = rte_rdtsc();
		uint16_t n, nout = 0, txd;

		if (now >= end)
			break;
		n = dp_port_rx(dp->ports[0], dp->queue, pkts, ECHO_BURST);
		for (uint16_t i = 0; i < n; i++) {
			struct rte_ether_hdr *eh = rte_pktmbuf_mtod(pkts[i],
				struct rte_ether_hdr *);
			struct echo_payload *pl = (struct echo_payload *)(eh + 1);

			if (pkts[i]->data_len < RTE_ETHER_HDR_LEN + sizeof(*pl) ||
			    eh->ether_type !=
			    rte_cpu_to_be_16(FB_ECHO_ETHERTYPE) ||
			    pl->magic != ECHO_MAGIC || pl->slot >= nslots ||
			    sent_at[pl->slot] != pl->tsc) {
				rte_pktmbuf_free(pkts[i]);	/* stale or foreign */
				continue;
			}
			rte_ether_addr_copy(&eh->src_addr, &dst);
			if (pl->tsc >= warm_end) {
				st_hdr_record(hdr, (uint64_t)((double)(now - pl->tsc) *
							      run->ns_per_tsc));
				r.round_trips++;
			}
			/* send it again at once */
			rte_ether_addr_copy(&dst, &eh->dst_addr);
			rte_ether_addr_copy(&run->port.mac, &eh->src_addr);
			pl->tsc = now;
			sent_at[pl->slot] = now;
			out[nout++] = pkts[i];
		}
		/* first frames, and replacements for lost ones */
		for (uint32_t s = 0; s < nslots && nout < ECHO_BURST; s++) {
			struct rte_mbuf *m;

			if (sent_at[s] && now - sent_at[s] < loss_tsc)
				continue;
			if (sent_at[s])
				r.lost++;
			m = echo_frame(run, &dst, s, len);
			if (m == NULL)
				break;
			sent_at[s] = ((struct echo_payload *)(rte_pktmbuf_mtod(
				m, struct rte_ether_hdr *) + 1))->tsc;
			out[nout++] = m;
		}
		txd = nout ? dp_port_tx(dp->ports[0], dp->queue, out, nout) : 0;
		for (uint16_t i = txd; i < nout; i++)
			rte_pktmbuf_free(out[i]);	/* retried as lost */
		r.sent += txd;
	}
	r.seconds = (double)(rte_rdtsc() - (warm_end > start ? warm_end :
					    start)) / (double)hz;
	echo_quiesce(run);
	r.frame_len = len;
	r.in_flight = nslots;
	r.hdr = hdr;
	status = fb_report_echo(run, &r, stdout);
	free(sent_at);
	free(hdr);
	return status;
}

int
fb_echo_run(struct fb_run *run)
{
	if (run->opt.echo == FB_ECHO_SERVER)
		return echo_server(run);
	return echo_client(run);
}
