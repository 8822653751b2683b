/*
 * le_dir.c -- one direction's pipeline (see le_dir.h for the call chain).
 */
#include "le_dir.h"

#include <errno.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_ethdev.h>

#include "le_time.h"

int
le_dir_init(struct le_dir *d, enum le_dir_id id, uint16_t in_port,
	    uint16_t out_port, struct rte_mempool *pool, uint32_t queue_cap,
	    uint64_t seed, uint64_t hz, uint64_t now)
{
	int rc;

	memset(d, 0, sizeof(*d));
	d->id = id;
	d->in_port = in_port;
	d->out_port = out_port;
	d->hz = hz;
	d->pool = pool;
	le_dir_cfg_defaults(&d->cfg);
	/* distinct streams per direction from one seed */
	le_rand_seed(&d->rand, seed * 2 + (uint64_t)id);
	le_loss_init(&d->loss);
	rc = le_rate_init(&d->rate, hz, now);
	if (rc < 0)
		return rc;
	rc = le_delay_init(&d->delay, queue_cap);
	if (rc < 0) {
		le_rate_fini(&d->rate);
		return rc;
	}
	return 0;
}

void
le_dir_fini(struct le_dir *d)
{
	void *m;

	if (d->rate.ring) {
		while ((m = le_rate_pop_any(&d->rate)) != NULL)
			rte_pktmbuf_free(m);
		le_rate_fini(&d->rate);
	}
	if (d->delay.heap) {
		while ((m = le_delay_pop_any(&d->delay)) != NULL)
			rte_pktmbuf_free(m);
		le_delay_fini(&d->delay);
	}
}

static inline void
update_depth(struct le_dir *d)
{
	d->st.queue_depth = le_rate_count(&d->rate) +
			    le_delay_count(&d->delay);
	if (d->st.queue_depth > d->st.queue_depth_max)
		d->st.queue_depth_max = d->st.queue_depth;
}

/* Delay stage: pick the release time and queue. */
static void
delay_in(struct le_dir *d, struct rte_mbuf *m, uint64_t now)
{
	uint64_t rel = le_delay_release_time(&d->delay, &d->cfg.delay,
					     &d->rand, now, d->hz);

	if (le_delay_push(&d->delay, rel, m) < 0) {
		d->st.drop_overflow++;
		rte_pktmbuf_free(m);
		return;
	}
	if (rel > now)
		d->st.delayed++;
}

/* Rate stage: straight to the delay stage when unlimited and empty. */
static void
rate_in(struct le_dir *d, struct rte_mbuf *m, uint64_t now)
{
	if (d->cfg.rate.rate_bps == 0 && le_rate_count(&d->rate) == 0) {
		delay_in(d, m, now);
		return;
	}
	if (le_rate_enqueue(&d->rate, &d->cfg.rate, m, rte_pktmbuf_pkt_len(m),
			    now) < 0) {
		d->st.drop_queue++;
		rte_pktmbuf_free(m);
	}
}

void
le_dir_input(struct le_dir *d, struct rte_mbuf **pkts, uint16_t n,
	     uint64_t now)
{
	for (uint16_t i = 0; i < n; i++) {
		struct rte_mbuf *m = pkts[i], *dup;

		d->st.received++;
		if (d->cfg.partition) {
			d->st.drop_partition++;
			rte_pktmbuf_free(m);
			continue;
		}
		switch (le_loss_decide(&d->cfg.loss, &d->loss, &d->rand)) {
		case LE_LOSS_DROP:
			d->st.drop_loss++;
			rte_pktmbuf_free(m);
			continue;
		case LE_LOSS_BURST:
			d->st.drop_burst++;
			rte_pktmbuf_free(m);
			continue;
		case LE_LOSS_PASS:
			break;
		}
		rate_in(d, m, now);
		if (d->cfg.dup > 0 && le_rand_chance(&d->rand, d->cfg.dup)) {
			dup = rte_pktmbuf_copy(m, d->pool, 0, UINT32_MAX);
			if (dup == NULL) {
				d->st.drop_nombuf++;
			} else {
				d->st.duplicated++;
				rate_in(d, dup, now);
			}
		}
	}
	update_depth(d);
}

/* Send txb[0..n) whose release times are rel[]; count lateness. */
static void
transmit(struct le_dir *d, struct rte_mbuf **txb, const uint64_t *rel,
	 uint16_t n)
{
	uint64_t t = rte_rdtsc();
	uint16_t sent = 0;

	for (uint16_t i = 0; i < n; i++) {
		uint64_t late = t > rel[i] ? le_ticks_to_ns(t - rel[i], d->hz) : 0;
		int b = 0;

		while (b < LE_LATE_BUCKETS - 1 &&
		       late >= (uint64_t)le_late_bounds_us[b] * 1000)
			b++;
		d->st.late_hist[b]++;
		d->st.late_sum_ns += late;
		if (late > d->st.late_max_ns)
			d->st.late_max_ns = late;
	}
	/* a full TX ring is transient: retry briefly, then drop */
	for (int tries = 0; sent < n && tries < 64; tries++)
		sent += rte_eth_tx_burst(d->out_port, 0, txb + sent, n - sent);
	d->st.forwarded += sent;
	if (sent < n) {
		d->st.drop_tx += n - sent;
		rte_pktmbuf_free_bulk(txb + sent, n - sent);
	}
}

unsigned
le_dir_output(struct le_dir *d, uint64_t now)
{
	struct rte_mbuf *txb[LE_BURST];
	uint64_t rel[LE_BURST];
	unsigned work = 0;
	uint16_t n = 0;
	uint64_t dep;
	void *m;

	/* the delay counts from the frame's departure on the emulated link:
	 * a poll that came late does not add its lateness to the delay */
	while ((m = le_rate_dequeue(&d->rate, &d->cfg.rate, now, &dep)) != NULL) {
		delay_in(d, m, dep);
		work++;
	}
	while ((m = le_delay_pop_due(&d->delay, now, &rel[n])) != NULL) {
		work++;
		if (d->cfg.partition) {
			d->st.drop_partition++;
			rte_pktmbuf_free(m);
			continue;
		}
		txb[n++] = m;
		if (n == LE_BURST) {
			transmit(d, txb, rel, n);
			n = 0;
		}
	}
	if (n)
		transmit(d, txb, rel, n);
	if (work)
		update_depth(d);
	return work;
}

uint64_t
le_dir_next_event(struct le_dir *d, uint64_t now)
{
	uint64_t a = le_rate_next(&d->rate, &d->cfg.rate, now);
	uint64_t b = le_delay_next(&d->delay);

	return a < b ? a : b;
}

void
le_dir_set_cfg(struct le_dir *d, const struct le_dir_cfg *cfg)
{
	d->cfg = *cfg;
}

void
le_dir_stats_reset(struct le_dir *d)
{
	uint64_t depth = d->st.queue_depth;

	memset(&d->st, 0, sizeof(d->st));
	d->st.queue_depth = depth;
	d->st.queue_depth_max = depth;
}
