/*
 * dp_latency.c -- per-core residence histograms: recording's slow path,
 * reset, and the readers (SIGUSR1 dump, INFO residence).  See
 * dp_latency.h; the per-iteration samples are inline there.
 *
 * Call chain: dp_loop_iteration -> dp_lat_tx -> dp_latency_account ->
 *   st_hdr_record_n;  SIGUSR1 -> (core 0) dp_loop_dump_stats ->
 *   dp_latency_dump;  INFO residence -> (store/cmd_server.c) info_command
 *   -> lat_info_write -> dp_latency_info -> dp_latency_summary;
 *   CONFIG RESETSTAT -> lat_info_reset -> dp_latency_reset_all.
 */
#include "dp_latency.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "command.h"
#include "dp_core.h"
/* ferry-bench's histogram, compiled into libferrydp (dataplane/meson.build) */
#include "hdr.h"

/* CONFIG RESETSTAT's generation: a histogram of another generation is
 * stale (its core empties it at its next iteration). */
static uint32_t lat_gen;

static inline uint64_t
rd(const uint64_t *p)
{
	return __atomic_load_n(p, __ATOMIC_RELAXED);
}

static inline uint32_t
gen_now(void)
{
	return __atomic_load_n(&lat_gen, __ATOMIC_ACQUIRE);
}

int
dp_latency_enable(struct dp_latency *l)
{
	struct st_hdr *h = malloc(sizeof(*h));

	if (h == NULL)
		return -ENOMEM;
	st_hdr_reset(h);
	memset(l, 0, sizeof(*l));
	l->h = h;
	l->gen = gen_now();
	l->on = true;
	return 0;
}

void
dp_latency_fini(struct dp_latency *l)
{
	l->on = false;
	free(l->h);
	l->h = NULL;
}

void
dp_latency_reset_all(void)
{
	__atomic_fetch_add(&lat_gen, 1, __ATOMIC_ACQ_REL);
}

/* The core's own thread: empty the histogram if RESETSTAT came. */
static void
lat_check_reset(struct dp_latency *l)
{
	uint32_t g = gen_now();

	if (l->gen == g)
		return;
	st_hdr_reset(l->h);
	__atomic_store_n(&l->held, 0, __ATOMIC_RELAXED);
	l->npend = 0;
	__atomic_store_n(&l->gen, g, __ATOMIC_RELEASE);
}

void
dp_latency_account(struct dp_latency *l, uint64_t commands, unsigned queued)
{
	uint64_t now = rte_rdtsc(), cmds = commands - l->cmds_rx;

	lat_check_reset(l);
	if (queued) {
		/* replies still wait for the port: park the iteration */
		if (cmds == 0)
			return;
		if (l->npend < DP_LAT_PEND) {
			l->pend[l->npend].t_rx = l->t_rx;
			l->pend[l->npend].cmds = cmds;
			l->npend++;
		} else {
			__atomic_store_n(&l->held, l->held + cmds,
					 __ATOMIC_RELAXED);
		}
		return;
	}
	/* the queue is empty: everything parked has left too */
	for (unsigned i = 0; i < l->npend; i++)
		st_hdr_record_n(l->h, now - l->pend[i].t_rx, l->pend[i].cmds);
	l->npend = 0;
	st_hdr_record_n(l->h, now - l->t_rx, cmds);
}

/* The core's histogram if recording and of the current generation. */
static const struct st_hdr *
lat_current(const struct dp_latency *l)
{
	if (!__atomic_load_n(&l->on, __ATOMIC_RELAXED) || l->h == NULL)
		return NULL;
	if (__atomic_load_n(&l->gen, __ATOMIC_ACQUIRE) != gen_now())
		return NULL;
	return l->h;
}

static void
lat_fill(const struct st_hdr *h, uint64_t held, struct dp_lat_summary *s)
{
	double per_us = (double)rte_get_tsc_hz() / 1e6;

	s->count = h->count;
	s->held = held;
	s->p50 = (double)st_hdr_percentile(h, 50.0) / per_us;
	s->p90 = (double)st_hdr_percentile(h, 90.0) / per_us;
	s->p99 = (double)st_hdr_percentile(h, 99.0) / per_us;
	s->p999 = (double)st_hdr_percentile(h, 99.9) / per_us;
	s->max = (double)(h->count ? h->max : 0) / per_us;
}

int
dp_latency_summary(struct dp_core *const *cores, unsigned n,
		   struct dp_lat_summary *out)
{
	struct st_hdr *m = malloc(sizeof(*m));
	uint64_t held = 0;

	memset(out, 0, sizeof(*out));
	if (m == NULL)
		return -ENOMEM;
	st_hdr_reset(m);
	for (unsigned i = 0; i < n; i++) {
		const struct st_hdr *h = lat_current(&cores[i]->lat);

		if (h == NULL)
			continue;
		st_hdr_merge(m, h);
		held += rd(&cores[i]->lat.held);
	}
	lat_fill(m, held, out);
	free(m);
	return 0;
}

/* One core, or NULL when it records nothing (off). */
static bool
lat_core_summary(const struct dp_core *core, struct dp_lat_summary *s)
{
	const struct dp_latency *l = &core->lat;
	const struct st_hdr *h;

	memset(s, 0, sizeof(*s));
	if (!__atomic_load_n(&l->on, __ATOMIC_RELAXED))
		return false;
	h = lat_current(l);
	if (h == NULL)		/* reset pending: empty */
		return true;
	{
		/* a stable copy of the counters the percentiles walk */
		struct st_hdr *m = malloc(sizeof(*m));

		if (m == NULL)
			return true;
		st_hdr_reset(m);
		st_hdr_merge(m, h);
		lat_fill(m, rd(&l->held), s);
		free(m);
	}
	return true;
}

void
dp_latency_dump(FILE *f, const struct dp_core *core)
{
	struct dp_lat_summary s;

	if (!lat_core_summary(core, &s))
		return;
	fprintf(f, "core %u residence_usec: count=%" PRIu64 " p50=%.3f"
		" p90=%.3f p99=%.3f p99.9=%.3f max=%.3f held=%" PRIu64 "\n",
		core->id, s.count, s.p50, s.p90, s.p99, s.p999, s.max, s.held);
}

void
dp_latency_info(struct st_buf *b, struct dp_core *const *cores, unsigned n)
{
	struct dp_lat_summary s;
	bool on = false;

	for (unsigned i = 0; i < n; i++)
		if (__atomic_load_n(&cores[i]->lat.on, __ATOMIC_RELAXED))
			on = true;
	st_buf_printf(b, "residence_enabled:%d\r\n", on ? 1 : 0);
	if (!on)
		return;
	dp_latency_summary(cores, n, &s);
	st_buf_printf(b, "residence_percentiles_usec:p50=%.3f,p90=%.3f,"
		   "p99=%.3f,p99.9=%.3f,max=%.3f\r\n",
		   s.p50, s.p90, s.p99, s.p999, s.max);
	st_buf_printf(b, "residence_count:%" PRIu64 "\r\n", s.count);
	st_buf_printf(b, "residence_held:%" PRIu64 "\r\n", s.held);
	for (unsigned i = 0; i < n; i++) {
		if (!lat_core_summary(cores[i], &s))
			continue;
		st_buf_printf(b, "core%u_residence_percentiles_usec:p50=%.3f,"
			   "p90=%.3f,p99=%.3f,p99.9=%.3f,max=%.3f,count=%"
			   PRIu64 "\r\n", cores[i]->id, s.p50, s.p90, s.p99,
			   s.p999, s.max, s.count);
	}
}

/* ---- INFO residence / CONFIG RESETSTAT (store/command.h hook) --------- */

static struct {
	struct dp_core *const *cores;
	unsigned n;
} lat_reg;

static void
lat_info_write(struct st_buf *b, void *arg)
{
	dp_latency_info(b, lat_reg.cores, lat_reg.n);
}

static void
lat_info_reset(void *arg)
{
	dp_latency_reset_all();
}

static const struct st_info_section lat_section = {
	.name = "residence",
	.title = "Residence",
	.write = lat_info_write,
	.resetstat = lat_info_reset,
};

void
dp_latency_register_info(struct dp_core *const *cores, unsigned n)
{
	lat_reg.cores = cores;
	lat_reg.n = n;
	st_set_info_section(&lat_section);
}
