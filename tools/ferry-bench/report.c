/*
 * report.c -- summaries, JSON and HdrHistogram files (see report.h).
 */
#include "report.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "keygen.h"

struct phase_result {
	struct fb_stats *t;		/* merged over the cores */
	uint64_t errors;		/* every kind */
	double seconds;			/* measured window */
	double ops_per_s;
	bool complete;			/* every request sent and verified */
};

static const double pcts[] = {50, 90, 99, 99.9, 99.99};
static const char *const pct_keys[] = {"p50", "p90", "p99", "p99_9",
				       "p99_99"};

static void
merge_stats(struct fb_stats *dst, const struct fb_stats *src)
{
	dst->sent += src->sent;
	dst->replies += src->replies;
	dst->ok += src->ok;
	dst->warmup_ok += src->warmup_ok;
	for (int e = 0; e < FB_ERR__COUNT; e++)
		dst->errors[e] += src->errors[e];
	for (int i = 0; i < FB_ERRTEXT_SLOTS && src->errtext[i].n; i++) {
		int j;

		for (j = 0; j < FB_ERRTEXT_SLOTS; j++) {
			if (dst->errtext[j].n == 0)
				memcpy(dst->errtext[j].text,
				       src->errtext[i].text, FB_ERRTEXT_LEN);
			if (strcmp(dst->errtext[j].text,
				   src->errtext[i].text) == 0) {
				dst->errtext[j].n += src->errtext[i].n;
				break;
			}
		}
		if (j == FB_ERRTEXT_SLOTS)
			dst->errtext_other += src->errtext[i].n;
	}
	dst->errtext_other += src->errtext_other;
	if (src->first_tsc && (dst->first_tsc == 0 ||
			       src->first_tsc < dst->first_tsc))
		dst->first_tsc = src->first_tsc;
	if (src->last_tsc > dst->last_tsc)
		dst->last_tsc = src->last_tsc;
	st_hdr_merge(&dst->hdr, &src->hdr);
}

static uint64_t
error_total(const struct fb_stats *s)
{
	uint64_t n = 0;

	for (int e = 1; e < FB_ERR__COUNT; e++)
		n += s->errors[e];
	return n;
}

/* idx: 0 set-up, p + 1 phase p */
static void
phase_merge(struct fb_run *run, unsigned idx, struct phase_result *r)
{
	st_hdr_reset(&r->t->hdr);
	for (unsigned c = 0; c < run->ncores; c++)
		merge_stats(r->t, &run->cores[c]->stats[idx]);
	r->errors = error_total(r->t);
	r->seconds = 0;
	r->ops_per_s = 0;
	r->complete = r->errors == 0;
	if (idx == 0)
		return;
	{
		unsigned p = idx - 1;
		const struct fb_phase *ph = &run->wl.phases[p];
		uint64_t start = run->phase_start_tsc[p], end = r->t->last_tsc;
		double warm = ph->test == FB_TEST_PRELOAD ? 0 :
			run->opt.warmup_s;

		if (end == 0 || end < start)
			end = run->finish_tsc[p] ? run->finish_tsc[p] : start;
		r->seconds = (double)(end - start) / (double)run->tsc_hz - warm;
		if (r->seconds > 0)
			r->ops_per_s = (double)r->t->ok / r->seconds;
		if (ph->requests && r->t->sent != ph->requests)
			r->complete = false;
		if (r->t->ok + r->t->warmup_ok != r->t->sent)
			r->complete = false;
		if (atomic_load(&run->phase) <= (int)p)
			r->complete = false;	/* interrupted */
	}
}

static double
ms(uint64_t ns)
{
	return (double)ns / 1e6;
}

static void
print_errors(FILE *out, const struct fb_stats *t, const char *indent)
{
	fprintf(out, "%serrors:", indent);
	for (int e = 1; e < FB_ERR__COUNT; e++)
		if (t->errors[e])
			fprintf(out, " %s %" PRIu64, fb_err_names[e],
				t->errors[e]);
	for (int i = 0; i < FB_ERRTEXT_SLOTS && t->errtext[i].n; i++)
		fprintf(out, "%s%s %" PRIu64, i ? ", -" : " (-", t->errtext[i].text,
			t->errtext[i].n);
	if (t->errtext[0].n)
		fprintf(out, ")");
	fputc('\n', out);
}

static void
report_text(struct fb_run *run, unsigned p, const struct phase_result *r,
	    FILE *out)
{
	const struct fb_options *o = &run->opt;
	const struct fb_stats *t = r->t;
	const char *name = fb_phase_name(&run->wl, p);

	if (o->quiet) {
		fprintf(out, "%s: %.2f requests per second, p50=%.3f msec, "
			"errors %" PRIu64 "\n", name, r->ops_per_s,
			ms(st_hdr_percentile(&t->hdr, 50)), r->errors);
		return;
	}
	fprintf(out, "====== %s ======\n", name);
	fprintf(out, "  %" PRIu64 " requests sent, %" PRIu64 " replies, %"
		PRIu64 " verified (%" PRIu64 " in warm-up), %" PRIu64
		" errors%s\n", t->sent, t->replies, t->ok + t->warmup_ok,
		t->warmup_ok, r->errors, r->complete ? "" : "  [INCOMPLETE]");
	fprintf(out, "  %u connections over %u core%s, pipeline %u, values "
		"%u-%u B, %s\n", o->clients, run->ncores,
		run->ncores > 1 ? "s" : "", o->pipeline, o->data_min,
		o->data_max, o->rate > 0 && run->wl.phases[p].test !=
		FB_TEST_PRELOAD ? "open loop (--rate)" : "closed loop");
	if (o->rate > 0 && run->wl.phases[p].test != FB_TEST_PRELOAD)
		fprintf(out, "  target %.0f ops/s; latency from the scheduled "
			"send time\n", o->rate);
	fprintf(out, "  %.3f s, %.1f ops/s\n", r->seconds, r->ops_per_s);
	fprintf(out, "  latency ms: p50 %.3f  p90 %.3f  p99 %.3f  p99.9 %.3f"
		"  p99.99 %.3f  max %.3f  mean %.3f\n",
		ms(st_hdr_percentile(&t->hdr, 50)),
		ms(st_hdr_percentile(&t->hdr, 90)),
		ms(st_hdr_percentile(&t->hdr, 99)),
		ms(st_hdr_percentile(&t->hdr, 99.9)),
		ms(st_hdr_percentile(&t->hdr, 99.99)), ms(t->hdr.max),
		st_hdr_mean(&t->hdr) / 1e6);
	if (r->errors)
		print_errors(out, t, "  ");
}

static void
json_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;

		if (ch == '"' || ch == '\\')
			fprintf(f, "\\%c", ch);
		else if (ch < 0x20 || ch >= 0x7f)
			fprintf(f, "\\u%04x", ch);
		else
			fputc(ch, f);
	}
	fputc('"', f);
}

static void
json_ip(FILE *f, uint32_t ip, uint16_t port)
{
	fprintf(f, "\"%u.%u.%u.%u:%u\"", ip >> 24, (ip >> 16) & 255,
		(ip >> 8) & 255, ip & 255, port);
}

static void
json_errors(FILE *f, const struct fb_stats *t)
{
	fprintf(f, "\"errors\": {");
	for (int e = 1; e < FB_ERR__COUNT; e++)
		fprintf(f, "%s\"%s\": %" PRIu64, e > 1 ? ", " : "",
			fb_err_names[e], t->errors[e]);
	fprintf(f, "}, \"error_replies\": {");
	for (int i = 0; i < FB_ERRTEXT_SLOTS && t->errtext[i].n; i++) {
		if (i)
			fprintf(f, ", ");
		json_str(f, t->errtext[i].text);
		fprintf(f, ": %" PRIu64, t->errtext[i].n);
	}
	if (t->errtext_other)
		fprintf(f, "%s\"other\": %" PRIu64, t->errtext[0].n ? ", " : "",
			t->errtext_other);
	fprintf(f, "}");
}

static void
json_config(FILE *f, const struct fb_run *run)
{
	const struct fb_options *o = &run->opt;

	fprintf(f, "  \"tool\": \"ferry-bench\",\n  \"server\": ");
	json_ip(f, o->host, o->port);
	fprintf(f, ",\n  \"config\": {\"clients\": %u, \"cores\": %u, "
		"\"pipeline\": %u, \"requests\": %" PRIu64 ", \"duration_s\": "
		"%g, \"rate\": %g, \"warmup_s\": %g, \"data_min\": %u, "
		"\"data_max\": %u, \"keyspace\": %" PRIu64 ", \"dist\": \"%s\", "
		"\"zipf_s\": %g, \"preload\": %s, \"auth\": %s},\n",
		o->clients, run->ncores, o->pipeline, o->requests,
		o->duration_s, o->rate, o->warmup_s, o->data_min, o->data_max,
		o->keyspace, o->dist == FB_DIST_ZIPF ? "zipf" : "uniform",
		o->zipf_s, o->preload ? "true" : "false",
		o->password ? "true" : "false");
}

static int
report_json(struct fb_run *run, struct phase_result *res, int status)
{
	FILE *f = fopen(run->opt.json, "w");
	uint64_t sent = 0, verified = 0, ops = 0, errors = 0;

	if (f == NULL) {
		fprintf(stderr, "ferry-bench: --json %s: %s\n", run->opt.json,
			strerror(errno));
		return -errno;
	}
	fprintf(f, "{\n");
	json_config(f, run);
	fprintf(f, "  \"setup\": {");
	json_errors(f, res[0].t);
	fprintf(f, "},\n  \"phases\": [");
	for (unsigned p = 0; p < run->wl.nphases; p++) {
		const struct phase_result *r = &res[p + 1];
		const struct fb_stats *t = r->t;

		sent += t->sent;
		verified += t->ok + t->warmup_ok;
		ops += t->ok;
		errors += r->errors;
		fprintf(f, "%s\n    {\"name\": ", p ? "," : "");
		json_str(f, fb_phase_name(&run->wl, p));
		fprintf(f, ", \"requests_sent\": %" PRIu64 ", \"replies\": %"
			PRIu64 ", \"verified\": %" PRIu64 ", \"ops\": %" PRIu64
			", \"warmup_ops\": %" PRIu64 ", \"errors_total\": %"
			PRIu64 ", \"complete\": %s,\n     ", t->sent, t->replies,
			t->ok + t->warmup_ok, t->ok, t->warmup_ok, r->errors,
			r->complete ? "true" : "false");
		json_errors(f, t);
		fprintf(f, ",\n     \"seconds\": %.6f, \"ops_per_sec\": %.2f, "
			"\"latency_ms\": {", r->seconds, r->ops_per_s);
		for (size_t i = 0; i < sizeof(pcts) / sizeof(pcts[0]); i++)
			fprintf(f, "\"%s\": %.6f, ", pct_keys[i],
				ms(st_hdr_percentile(&t->hdr, pcts[i])));
		fprintf(f, "\"min\": %.6f, \"max\": %.6f, \"mean\": %.6f}}",
			ms(t->hdr.count ? t->hdr.min : 0), ms(t->hdr.max),
			st_hdr_mean(&t->hdr) / 1e6);
	}
	errors += res[0].errors;
	fprintf(f, "\n  ],\n  \"requests_sent\": %" PRIu64 ", \"verified\": %"
		PRIu64 ", \"ops\": %" PRIu64 ", \"errors_total\": %" PRIu64
		", \"interrupted\": %s, \"exit_status\": %d\n}\n", sent,
		verified, ops, errors,
		atomic_load(&run->interrupted) ? "true" : "false", status);
	if (fclose(f) != 0)
		return -EIO;
	return 0;
}

static int
report_hdr(struct fb_run *run, struct phase_result *res)
{
	unsigned measured = 0;

	for (unsigned p = 0; p < run->wl.nphases; p++)
		measured += run->wl.phases[p].test != FB_TEST_PRELOAD;
	for (unsigned p = 0; p < run->wl.nphases; p++) {
		char path[4096], name[32];
		FILE *f;
		size_t i;

		if (run->wl.phases[p].test == FB_TEST_PRELOAD)
			continue;
		snprintf(name, sizeof(name), "%s", fb_phase_name(&run->wl, p));
		for (i = 0; name[i]; i++)
			name[i] = name[i] == ':' ? '-' :
				(char)(name[i] | 0x20);
		if (measured == 1)
			snprintf(path, sizeof(path), "%s", run->opt.hdr);
		else
			snprintf(path, sizeof(path), "%s.%s", run->opt.hdr,
				 name);
		f = fopen(path, "w");
		if (f == NULL) {
			fprintf(stderr, "ferry-bench: --hdr %s: %s\n", path,
				strerror(errno));
			return -errno;
		}
		st_hdr_write_percentiles(&res[p + 1].t->hdr, f, 5, 1e6);
		if (fclose(f) != 0)
			return -EIO;
	}
	return 0;
}

int
fb_report(struct fb_run *run, FILE *out)
{
	unsigned n = run->wl.nphases + 1;
	struct phase_result *res = calloc(n, sizeof(*res));
	int status = FB_EXIT_OK;

	if (res == NULL)
		return FB_EXIT_START;
	for (unsigned i = 0; i < n; i++) {
		res[i].t = calloc(1, sizeof(*res[i].t));
		if (res[i].t == NULL) {
			status = FB_EXIT_START;
			goto out;
		}
		phase_merge(run, i, &res[i]);
		if (!res[i].complete)
			status = FB_EXIT_ERRORS;
	}
	if (res[0].errors) {
		fprintf(out, "set-up: ");
		print_errors(out, res[0].t, "");
	}
	for (unsigned p = 0; p < run->wl.nphases; p++)
		report_text(run, p, &res[p + 1], out);
	if (atomic_load(&run->interrupted))
		fprintf(out, "interrupted: the figures cover the run so far\n");
	fflush(out);
	if (run->opt.json && report_json(run, res, status) < 0)
		status = FB_EXIT_START;
	if (run->opt.hdr && report_hdr(run, res) < 0)
		status = FB_EXIT_START;
out:
	for (unsigned i = 0; i < n; i++)
		free(res[i].t);
	free(res);
	return status;
}

int
fb_report_echo(struct fb_run *run, const struct fb_echo_result *r, FILE *out)
{
	double rate = r->seconds > 0 ? (double)r->round_trips / r->seconds : 0;
	FILE *f;

	fprintf(out, "====== ECHO (port ceiling, no TCP) ======\n"
		"  %" PRIu64 " round trips of %u-byte frames, %u in flight, "
		"%" PRIu64 " lost, %.3f s\n  %.1f round trips/s (%.1f frames/s "
		"each way)\n  rtt ms: p50 %.3f  p99 %.3f  p99.9 %.3f  max %.3f\n",
		r->round_trips, r->frame_len, r->in_flight, r->lost,
		r->seconds, rate, rate, ms(st_hdr_percentile(r->hdr, 50)),
		ms(st_hdr_percentile(r->hdr, 99)),
		ms(st_hdr_percentile(r->hdr, 99.9)), ms(r->hdr->max));
	if (run->opt.json == NULL)
		return r->round_trips ? FB_EXIT_OK : FB_EXIT_ERRORS;
	f = fopen(run->opt.json, "w");
	if (f == NULL) {
		fprintf(stderr, "ferry-bench: --json %s: %s\n", run->opt.json,
			strerror(errno));
		return FB_EXIT_START;
	}
	fprintf(f, "{\n  \"tool\": \"ferry-bench\",\n  \"mode\": \"echo\",\n"
		"  \"frame_bytes\": %u, \"in_flight\": %u, \"round_trips\": %"
		PRIu64 ", \"lost\": %" PRIu64 ", \"seconds\": %.6f,\n"
		"  \"round_trips_per_sec\": %.2f,\n  \"rtt_ms\": {",
		r->frame_len, r->in_flight, r->round_trips, r->lost,
		r->seconds, rate);
	for (size_t i = 0; i < sizeof(pcts) / sizeof(pcts[0]); i++)
		fprintf(f, "\"%s\": %.6f, ", pct_keys[i],
			ms(st_hdr_percentile(r->hdr, pcts[i])));
	fprintf(f, "\"max\": %.6f}\n}\n", ms(r->hdr->max));
	if (fclose(f) != 0)
		return FB_EXIT_START;
	return r->round_trips ? FB_EXIT_OK : FB_EXIT_ERRORS;
}
