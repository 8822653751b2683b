/*
 * storebench.c -- in-process benchmark of the store: RESP parse + execute +
 * compose, no network.
 *
 *   ferry-storebench [--check] [--ops N] [--threads 1,2,4] [--keys N]
 *                    [--value-size N] [--batch N] [--tests get,set,incr]
 *                    [--clients N] [--nbatch N] [--ab N] [--grow]
 *
 * Each thread owns --clients clients (default 1) and feeds them, in turn,
 * batches of pre-encoded requests (--batch requests per st_client_feed, as
 * a TCP segment full of pipelined requests would arrive; --batch 1 is the
 * unpipelined case), processes them and drops the replies; it announces a
 * quiescent state once per round over its clients, as a poll-loop
 * iteration serving several connections would, and samples the clock once
 * per round for them (st_client_clock_set, as ferryd's loop).  --nbatch distinct batches
 * (default 64) are pre-encoded per thread and replayed in turn: with the
 * default the requests name only 64 x --batch keys, which stay in the
 * cache; --keys 1000000 --nbatch 65536 spreads them over the whole
 * keyspace, so each lookup misses the cache as on a busy server.  GET reads
 * --keys preloaded keys holding --value-size byte values; SET writes the
 * same keys; INCR increments per-thread counters spread over the keys.
 * After the preload it waits for the hash table's lazy growth to finish
 * (settle()).  Each thread first runs a tenth of its operations untimed
 * (warm-up).
 * Reports ns/op (per thread, wall clock), cpu-ns/op (per thread, the
 * thread's CPU time: less disturbed on a shared box) and total Mops/s for
 * each thread count, which shows the read-scaling of the lock-free GET
 * path.
 *
 * --ab N splits the timed operations into N pairs of segments, the batch
 * prefetch of pipelined requests (st_client_set_prefetch) ALWAYS in one and
 * OFF in the other (without --ab: the default, AUTO), alternating which goes first; it reports thread 0's median
 * cpu-ns/op per mode and the median per-pair ratio (one thread only: the
 * mode is process-wide).  Both modes run in the
 * same process, over the same keys, interleaved every few ms: the fair
 * comparison on a box whose speed swings 2-4x from one run to the next.
 *
 * --grow calls st_keyspace_grow() after the preload (one bucket per key)
 * instead of leaving the tables to liburcu's lazy growth.
 *
 * --check runs a short self-check of the store (a scripted exchange whose
 * replies are compared byte for byte) and exits 0 if it passes.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "buf.h"
#include "client.h"
#include "keyspace.h"
#include "resp_compose.h"
#include "util.h"
#include "worker.h"

struct opts {
	long ops;
	long keys;
	int value_size;
	int batch;
	int clients;
	long nbatch;
	int ab;
	bool grow;
	int threads[16];
	int nthreads;
	char tests[64];
};

struct job {
	const struct opts *o;
	const char *test;
	int tid;
	pthread_barrier_t *start;
	double seconds;
	double cpu_seconds;
	long done;
	/* --ab: cpu-ns/op of each segment, prefetch on [0] and off [1] */
	double seg[2][256];
	int nseg;
};

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The calling thread's CPU time: on a shared box, time spent descheduled
 * does not count (cache pollution by the other tenants still does). */
static double
cpu_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void
encode(struct st_buf *b, int argc, const char **argv)
{
	size_t lens[8];

	for (int i = 0; i < argc; i++)
		lens[i] = strlen(argv[i]);
	st_resp_command(b, argc, argv, lens);
}

/* Pre-encode 'count' requests of the test, starting at key 'first'. */
static void
build_batch(struct st_buf *b, const struct opts *o, const char *test,
	    int tid, long first, int count, const char *value)
{
	char key[64];

	for (int i = 0; i < count; i++) {
		long k = (first + i * 7919L) % o->keys;

		if (strcmp(test, "incr") == 0) {
			snprintf(key, sizeof(key), "ctr:%d:%ld", tid, k % 1024);
			encode(b, 2, (const char *[]){ "INCR", key });
		} else {
			snprintf(key, sizeof(key), "key:%012ld", k);
			if (strcmp(test, "get") == 0)
				encode(b, 2, (const char *[]){ "GET", key });
			else
				encode(b, 3, (const char *[]){ "SET", key, value });
		}
	}
}

static void *
run_job(void *arg)
{
	struct job *j = arg;
	const struct opts *o = j->o;
	struct st_worker *w = st_thread_register();
	long nbatch = o->nbatch;
	struct st_client **cl = calloc((size_t)o->clients, sizeof(*cl));
	struct st_buf *batches = calloc((size_t)nbatch, sizeof(*batches));
	char *value = malloc((size_t)o->value_size + 1);
	long per_thread = o->ops, done = 0, next = 0;
	double t0, c0;

	for (int k = 0; k < o->clients; k++)
		cl[k] = st_client_new(w);
	memset(value, 'v', (size_t)o->value_size);
	value[o->value_size] = '\0';
	for (long i = 0; i < nbatch; i++) {
		st_buf_init(&batches[i]);
		build_batch(&batches[i], o, j->test, j->tid,
			    i * o->batch + j->tid * 104729L, o->batch, value);
	}
	/* warm-up (untimed): caches, allocator, branch predictors */
	for (long warm = 0; warm < per_thread / 10;) {
		st_client_clock_set(st_mstime());	/* one per round */
		for (int k = 0; k < o->clients; k++) {
			struct st_buf *b = &batches[next++ % nbatch];

			st_client_feed(cl[k], b->p, b->len);
			warm += st_client_process(cl[k]);
			st_buf_reset(&cl[k]->out);
		}
		st_worker_quiescent();
	}
	pthread_barrier_wait(j->start);
	/* --ab N: N pairs of segments, batch prefetch on and off in turn
	 * (on first, then off first: neither mode always follows the
	 * other), in this one process, so both see the same box */
	for (int s = 0; s < 2 * o->ab; s++) {
		int off = (s / 2) % 2 == 0 ? s % 2 : 1 - s % 2;
		long seg_done = 0, seg_ops = per_thread / (2 * o->ab);
		double cs;

		st_client_set_prefetch(off ? ST_PREFETCH_OFF : ST_PREFETCH_ALWAYS);
		cs = cpu_s();
		while (seg_done < seg_ops) {
			st_client_clock_set(st_mstime());	/* one per round */
			for (int k = 0; k < o->clients; k++) {
				struct st_buf *b = &batches[next++ % nbatch];

				st_client_feed(cl[k], b->p, b->len);
				seg_done += st_client_process(cl[k]);
				st_buf_reset(&cl[k]->out);
			}
			st_worker_quiescent();
		}
		j->seg[off][s / 2] = (cpu_s() - cs) * 1e9 / (double)seg_done;
		j->nseg = s / 2 + 1;
	}
	st_client_set_prefetch(ST_PREFETCH_AUTO);
	t0 = now_s();
	c0 = cpu_s();
	while (o->ab == 0 && done < per_thread) {
		st_client_clock_set(st_mstime());	/* one per round */
		for (int k = 0; k < o->clients; k++) {
			struct st_buf *b = &batches[next++ % nbatch];

			st_client_feed(cl[k], b->p, b->len);
			done += st_client_process(cl[k]);
			st_buf_reset(&cl[k]->out);
		}
		st_worker_quiescent();
	}
	st_client_clock_set(0);
	j->seconds = now_s() - t0;
	j->cpu_seconds = cpu_s() - c0;
	j->done = done ? done : 1;
	for (long i = 0; i < nbatch; i++)
		st_buf_free(&batches[i]);
	free(batches);
	free(value);
	for (int k = 0; k < o->clients; k++)
		st_client_free(cl[k]);
	free(cl);
	st_thread_unregister(w);
	return NULL;
}

static void
preload(const struct opts *o)
{
	struct st_worker *w = st_thread_register();
	struct st_client *c = st_client_new(w);
	char *value = malloc((size_t)o->value_size + 1);
	struct st_buf b;

	memset(value, 'v', (size_t)o->value_size);
	value[o->value_size] = '\0';
	st_buf_init(&b);
	/* --ab: every preloaded key gets its prefetch hint, as before AUTO
	 * kept hints only from ST_PREFETCH_MIN_KEYS keys on (keyspace.h) */
	if (o->ab)
		st_keyspace_set_hints(ST_HINTS_ALL);
	for (long k = 0; k < o->keys; k++) {
		char key[64];

		snprintf(key, sizeof(key), "key:%012ld", k);
		encode(&b, 3, (const char *[]){ "SET", key, value });
		if (b.len > 65536 || k == o->keys - 1) {
			st_client_feed(c, b.p, b.len);
			st_client_process(c);
			st_buf_reset(&c->out);
			st_buf_reset(&b);
			st_worker_quiescent();
		}
	}
	st_buf_free(&b);
	free(value);
	st_client_free(c);
	st_thread_unregister(w);
	st_keyspace_set_hints(ST_HINTS_AUTO);
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double
median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* --ab: thread 0's segments: median cpu-ns/op with the batch prefetch on
 * and off, their ranges, and the median of the per-pair ratios on/off. */
static void
ab_report(const struct opts *o, const char *test, struct job *j)
{
	double on[256], off[256], ratio[256], mon, moff, mratio;
	int n = j->nseg;

	for (int i = 0; i < n; i++) {
		on[i] = j->seg[0][i];
		off[i] = j->seg[1][i];
		ratio[i] = on[i] / off[i];
	}
	mon = median(on, n);	/* sorts: on[0], on[n - 1] are the range */
	moff = median(off, n);
	mratio = median(ratio, n);
	printf("%-5s value=%-5dB batch=%-3d clients=%-3d keys=%-7ld nbatch=%-6ld pairs=%d  "
	       "prefetch on %.1f cpu-ns/op (%.1f-%.1f), off %.1f (%.1f-%.1f), on/off %.3f\n",
	       test, o->value_size, o->batch, o->clients, o->keys, o->nbatch, n,
	       mon, on[0], on[n - 1], moff, off[0], off[n - 1], mratio);
	fflush(stdout);
}

/*
 * Wait until the keyspace's hash table has caught up with the preload:
 * cds_lfht grows lazily, in liburcu's worker thread, and growing a table
 * of 1M keys from its 1024 initial buckets takes seconds on a loaded box;
 * a GET measured meanwhile walks chains of hundreds of nodes (tens of us).
 * Times 20000 GETs every 200 ms until a probe is no faster than the one
 * before (within 10%), at most 60 s.
 */
static void
settle(const struct opts *o)
{
	struct st_worker *w = st_thread_register();
	struct st_client *c = st_client_new(w);
	struct st_buf b;
	double prev = 0;

	st_buf_init(&b);
	if (o->grow)
		printf("st_keyspace_grow: %d table(s) resized\n",
		       st_keyspace_grow());
	build_batch(&b, o, "get", 0, 12345, 1000, "");
	for (int i = 0; i < 300; i++) {
		double t0 = cpu_s(), t;

		for (int k = 0; k < 20; k++) {
			st_client_feed(c, b.p, b.len);
			st_client_process(c);
			st_buf_reset(&c->out);
			st_worker_quiescent();
		}
		t = cpu_s() - t0;
		if (i > 0 && t > prev * 0.9)
			break;
		prev = t;
		st_worker_offline();
		nanosleep(&(struct timespec){ 0, 200 * 1000 * 1000 }, NULL);
		st_worker_online();
	}
	st_buf_free(&b);
	st_client_free(c);
	st_thread_unregister(w);
}

static void
bench(const struct opts *o, const char *test)
{
	for (int t = 0; t < o->nthreads; t++) {
		int n = o->threads[t];
		pthread_t th[64];
		struct job jobs[64];
		pthread_barrier_t start;
		double max_s = 0, sum_ns = 0, sum_cpu_ns = 0;
		long total = 0;

		pthread_barrier_init(&start, NULL, (unsigned)n);
		for (int i = 0; i < n; i++) {
			jobs[i] = (struct job){ .o = o, .test = test, .tid = i,
						.start = &start };
			pthread_create(&th[i], NULL, run_job, &jobs[i]);
		}
		for (int i = 0; i < n; i++) {
			pthread_join(th[i], NULL);
			total += jobs[i].done;
			if (jobs[i].seconds > max_s)
				max_s = jobs[i].seconds;
			sum_ns += jobs[i].seconds * 1e9 / (double)jobs[i].done;
			sum_cpu_ns += jobs[i].cpu_seconds * 1e9 /
				      (double)jobs[i].done;
		}
		pthread_barrier_destroy(&start);
		if (o->ab > 0) {
			ab_report(o, test, &jobs[0]);
			continue;
		}
		printf("%-5s threads=%-2d value=%-5dB batch=%-3d clients=%-3d keys=%-7ld nbatch=%-6ld %8.1f ns/op/thread  %8.1f cpu-ns/op/thread  %7.2f Mops/s total\n",
		       test, n, o->value_size, o->batch, o->clients, o->keys,
		       o->nbatch, sum_ns / n, sum_cpu_ns / n,
		       (double)total / max_s / 1e6);
		fflush(stdout);
	}
}

static int
self_check(void)
{
	static const struct {
		const char *req, *rep;
	} script[] = {
		{ "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$5\r\nhello\r\n", "+OK\r\n" },
		{ "*2\r\n$3\r\nGET\r\n$1\r\nk\r\n", "$5\r\nhello\r\n" },
		{ "*2\r\n$4\r\nINCR\r\n$1\r\nn\r\n", ":1\r\n" },
		{ "*2\r\n$4\r\nINCR\r\n$1\r\nk\r\n",
		  "-ERR value is not an integer or out of range\r\n" },
		{ "*2\r\n$3\r\nDEL\r\n$1\r\nk\r\n", ":1\r\n" },
		{ "*2\r\n$3\r\nGET\r\n$1\r\nk\r\n", "$-1\r\n" },
		{ "PING\r\n", "+PONG\r\n" },
	};
	struct st_worker *w = st_thread_register();
	struct st_client *c = st_client_new(w);
	int bad = 0;

	for (size_t i = 0; i < sizeof(script) / sizeof(script[0]); i++) {
		st_client_feed(c, script[i].req, strlen(script[i].req));
		st_client_process(c);
		if (c->out.len != strlen(script[i].rep) ||
		    memcmp(c->out.p, script[i].rep, c->out.len) != 0) {
			fprintf(stderr, "self-check: step %zu: expected %s got %.*s\n",
				i, script[i].rep, (int)c->out.len, c->out.p);
			bad++;
		}
		st_buf_reset(&c->out);
	}
	st_client_free(c);
	st_thread_unregister(w);
	printf("store self-check: %s\n", bad ? "FAILED" : "ok");
	return bad ? 1 : 0;
}

static void
usage(void)
{
	fprintf(stderr,
		"usage: ferry-storebench [--check] [--ops N] [--threads 1,2,4] [--keys N]\n"
		"                        [--value-size N] [--batch N] [--tests get,set,incr]\n"
		"                        [--clients N] [--nbatch N] [--ab N] [--grow]\n");
	exit(2);
}

int
main(int argc, char **argv)
{
	struct opts o = { .ops = 2000000, .keys = 100000, .value_size = 16,
			  .batch = 16, .clients = 1, .nbatch = 64, .nthreads = 1,
			  .threads = { 1 } };
	bool check = false;

	strcpy(o.tests, "get,set,incr");
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (strcmp(a, "--check") == 0) {
			check = true;
		} else if (v && strcmp(a, "--ops") == 0) {
			o.ops = atol(v), i++;
		} else if (v && strcmp(a, "--keys") == 0) {
			o.keys = atol(v), i++;
		} else if (v && strcmp(a, "--value-size") == 0) {
			o.value_size = atoi(v), i++;
		} else if (v && strcmp(a, "--batch") == 0) {
			o.batch = atoi(v), i++;
		} else if (v && strcmp(a, "--clients") == 0) {
			o.clients = atoi(v), i++;
		} else if (strcmp(a, "--grow") == 0) {
			o.grow = true;
		} else if (v && strcmp(a, "--ab") == 0) {
			o.ab = atoi(v), i++;
		} else if (v && strcmp(a, "--nbatch") == 0) {
			o.nbatch = atol(v), i++;
		} else if (v && strcmp(a, "--tests") == 0) {
			snprintf(o.tests, sizeof(o.tests), "%s", v), i++;
		} else if (v && strcmp(a, "--threads") == 0) {
			char *s = strdup(v), *tok, *save;

			o.nthreads = 0;
			for (tok = strtok_r(s, ",", &save); tok && o.nthreads < 16;
			     tok = strtok_r(NULL, ",", &save))
				o.threads[o.nthreads++] = atoi(tok);
			free(s);
			i++;
		} else {
			usage();
		}
	}
	if (o.ops <= 0 || o.keys <= 0 || o.value_size < 0 || o.batch <= 0 ||
	    o.value_size > 1 << 20 || o.batch > 4096 || o.clients < 1 ||
	    o.clients > 4096 || o.nbatch < 1 || o.nbatch > (1L << 24) ||
	    o.ab < 0 || o.ab > 256 || (o.ab > 0 && o.ops < 2 * o.ab))
		usage();
	for (int t = 0; t < o.nthreads; t++)
		if (o.threads[t] < 1 || o.threads[t] > 64)
			usage();
	/* the prefetch mode is process-wide: --ab toggles it per segment */
	if (o.ab > 0 && (o.nthreads != 1 || o.threads[0] != 1))
		usage();
	if (st_store_init() != 0) {
		fprintf(stderr, "ferry-storebench: store init failed\n");
		return 1;
	}
	if (check)
		return self_check();
	preload(&o);
	settle(&o);
	{
		char *s = strdup(o.tests), *tok, *save;

		for (tok = strtok_r(s, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
			if (strcmp(tok, "get") && strcmp(tok, "set") && strcmp(tok, "incr"))
				usage();
			bench(&o, tok);
		}
		free(s);
	}
	st_store_shutdown();
	return 0;
}
