/*
 * storebench.c -- in-process benchmark of the store: RESP parse + execute +
 * compose, no network.
 *
 *   ferry-storebench [--check] [--ops N] [--threads 1,2,4] [--keys N]
 *                    [--value-size N] [--batch N] [--tests get,set,incr]
 *
 * Each thread owns a client and feeds it batches of pre-encoded requests
 * (--batch requests per st_client_feed, as a TCP segment full of pipelined
 * requests would arrive), processes them and drops the replies.  GET reads
 * --keys preloaded keys holding --value-size byte values; SET writes the
 * same keys; INCR increments per-thread counters spread over the keys.
 * Each thread first runs a tenth of its operations untimed (warm-up).
 * Reports ns/op (per thread) and total Mops/s for each thread count, which
 * shows the read-scaling of the lock-free GET path.
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
#include "resp_compose.h"
#include "util.h"
#include "worker.h"

struct opts {
	long ops;
	long keys;
	int value_size;
	int batch;
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
	long done;
};

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
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
	struct st_client *c = st_client_new(w);
	enum { NBATCH = 64 };
	struct st_buf batches[NBATCH];
	char *value = malloc((size_t)o->value_size + 1);
	long per_thread = o->ops, done = 0;
	double t0;

	memset(value, 'v', (size_t)o->value_size);
	value[o->value_size] = '\0';
	for (int i = 0; i < NBATCH; i++) {
		st_buf_init(&batches[i]);
		build_batch(&batches[i], o, j->test, j->tid,
			    (long)i * o->batch + j->tid * 104729L, o->batch, value);
	}
	/* warm-up (untimed): caches, allocator, branch predictors */
	for (long i = 0, warm = 0; warm < per_thread / 10; i++) {
		struct st_buf *b = &batches[i % NBATCH];

		st_client_feed(c, b->p, b->len);
		warm += st_client_process(c);
		st_buf_reset(&c->out);
		st_worker_quiescent();
	}
	pthread_barrier_wait(j->start);
	t0 = now_s();
	for (long i = 0; done < per_thread; i++) {
		struct st_buf *b = &batches[i % NBATCH];

		st_client_feed(c, b->p, b->len);
		done += st_client_process(c);
		st_buf_reset(&c->out);
		st_worker_quiescent();
	}
	j->seconds = now_s() - t0;
	j->done = done;
	for (int i = 0; i < NBATCH; i++)
		st_buf_free(&batches[i]);
	free(value);
	st_client_free(c);
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
}

static void
bench(const struct opts *o, const char *test)
{
	for (int t = 0; t < o->nthreads; t++) {
		int n = o->threads[t];
		pthread_t th[64];
		struct job jobs[64];
		pthread_barrier_t start;
		double max_s = 0, sum_ns = 0;
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
		}
		pthread_barrier_destroy(&start);
		printf("%-5s threads=%-2d value=%-5dB batch=%-3d  %8.1f ns/op/thread  %7.2f Mops/s total\n",
		       test, n, o->value_size, o->batch, sum_ns / n,
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
		"                        [--value-size N] [--batch N] [--tests get,set,incr]\n");
	exit(2);
}

int
main(int argc, char **argv)
{
	struct opts o = { .ops = 2000000, .keys = 100000, .value_size = 16,
			  .batch = 16, .nthreads = 1, .threads = { 1 } };
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
	    o.value_size > 1 << 20 || o.batch > 4096)
		usage();
	for (int t = 0; t < o.nthreads; t++)
		if (o.threads[t] < 1 || o.threads[t] > 64)
			usage();
	if (st_store_init() != 0) {
		fprintf(stderr, "ferry-storebench: store init failed\n");
		return 1;
	}
	if (check)
		return self_check();
	preload(&o);
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
