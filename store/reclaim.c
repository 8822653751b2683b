/*
 * reclaim.c -- per-thread batched deferred frees (see reclaim.h).
 */
#include "reclaim.h"

#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <urcu/urcu-qsbr.h>

#include "alloc.h"

#define BATCH_SIZE 256

struct defer_item {
	void (*fn)(void *p);
	void *p;
};

enum batch_state { BATCH_WAITING, BATCH_DONE, BATCH_ORPHANED };

struct defer_batch {
	struct rcu_head rcu;
	_Atomic int state;		/* enum batch_state */
	int n;
	struct defer_batch *next;
	struct defer_item items[BATCH_SIZE];
};

struct single {
	struct rcu_head rcu;
	void (*fn)(void *p);
	void *p;
};

#ifdef ST_TSAN
static _Atomic unsigned long tsan_qs;
#endif

void
st_reclaim_tsan_release(void)
{
#ifdef ST_TSAN
	atomic_fetch_add_explicit(&tsan_qs, 1, memory_order_release);
#endif
}

static inline void
tsan_acquire(void)
{
#ifdef ST_TSAN
	(void)atomic_load_explicit(&tsan_qs, memory_order_acquire);
#endif
}

static _Thread_local bool active;
static _Thread_local struct defer_batch *cur;
static _Thread_local struct defer_batch *head, *tail;	/* sealed, FIFO */

static void run_batch(struct defer_batch *b);

/* call_rcu callback: the grace period is over.  Normally the owner frees
 * the batch; if the owner has exited meanwhile, free it here. */
static void
mark_done(struct rcu_head *h)
{
	struct defer_batch *b = caa_container_of(h, struct defer_batch, rcu);
	int expect = BATCH_WAITING;

	if (!atomic_compare_exchange_strong_explicit(&b->state, &expect,
						     BATCH_DONE,
						     memory_order_acq_rel,
						     memory_order_acquire))
		run_batch(b);	/* orphaned by its exiting owner */
}

static void
single_free(struct rcu_head *h)
{
	struct single *s = caa_container_of(h, struct single, rcu);

	tsan_acquire();
	s->fn(s->p);
	free(s);
}

static void
seal(void)
{
	struct defer_batch *b = cur;

	if (b == NULL || b->n == 0)
		return;
	cur = NULL;
	b->next = NULL;
	if (tail)
		tail->next = b;
	else
		head = b;
	tail = b;
	urcu_qsbr_call_rcu(&b->rcu, mark_done);
}

static void
run_batch(struct defer_batch *b)
{
	tsan_acquire();
	for (int i = 0; i < b->n; i++)
		b->items[i].fn(b->items[i].p);
	free(b);
}

void
st_defer_free(void (*fn)(void *p), void *p)
{
	if (!active) {
		struct single *s = malloc(sizeof(*s));

		if (s == NULL)
			abort();
		s->fn = fn;
		s->p = p;
		urcu_qsbr_call_rcu(&s->rcu, single_free);
		return;
	}
	if (cur == NULL) {
		cur = malloc(sizeof(*cur));
		if (cur == NULL)
			abort();
		atomic_init(&cur->state, BATCH_WAITING);
		cur->n = 0;
	}
	cur->items[cur->n].fn = fn;
	cur->items[cur->n].p = p;
	if (++cur->n == BATCH_SIZE)
		seal();
}

void
st_reclaim_poll(void)
{
	seal();
	while (head && atomic_load_explicit(&head->state, memory_order_acquire) ==
			       BATCH_DONE) {
		struct defer_batch *b = head;

		head = b->next;
		if (head == NULL)
			tail = NULL;
		run_batch(b);
	}
}

void
st_reclaim_thread_init(void)
{
	active = true;
}

void
st_reclaim_thread_exit(void)
{
	if (!active)
		return;
	seal();
	/* Hand every batch still waiting to its call_rcu callback; free the
	 * ones whose grace period is already over.  Never blocks. */
	while (head) {
		struct defer_batch *b = head;
		int expect = BATCH_WAITING;

		head = b->next;
		if (!atomic_compare_exchange_strong_explicit(&b->state, &expect,
							     BATCH_ORPHANED,
							     memory_order_acq_rel,
							     memory_order_acquire))
			run_batch(b);
	}
	tail = NULL;
	active = false;
}
