/*
 * reclaim.h -- deferred frees, batched per thread.
 *
 * Unlinked values and entries must outlive every reader that may hold them:
 * they are freed after an RCU grace period.  Handing each one to call_rcu
 * costs a queue operation (and sometimes a wake-up) per write, and the frees
 * then run on the call_rcu thread, which starves the writer's malloc caches.
 * Instead each worker collects its frees in a batch; once per poll-loop
 * iteration (st_worker_quiescent) or when the batch is full, the batch is
 * sealed with one call_rcu whose callback only marks it "grace period over";
 * the owning worker then runs the frees itself on a later iteration.
 *
 * Concurrency: st_defer_free and st_reclaim_poll are called by the owning
 * thread only (a registered QSBR reader).  A thread that is not registered
 * through st_thread_register falls back to one call_rcu per free.
 */
#ifndef ST_RECLAIM_H
#define ST_RECLAIM_H

/*
 * ThreadSanitizer cannot see liburcu's grace periods.  Under TSan only, each
 * quiescent state is a release on one atomic and each deferred free runs
 * after an acquire of it, which gives TSan the happens-before edge the grace
 * period provides.  Production builds compile both to nothing.
 */
#if defined(__SANITIZE_THREAD__)
#define ST_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define ST_TSAN 1
#endif
#endif
void st_reclaim_tsan_release(void);

/* Free 'p' with fn(p) after a grace period. */
void st_defer_free(void (*fn)(void *p), void *p);
/* Seal the current batch and run the frees whose grace period is over. */
void st_reclaim_poll(void);
/* Thread start / exit (st_thread_register / st_thread_unregister).  Exit
 * does not wait: batches still in their grace period are freed by their
 * call_rcu callback instead of by the owner. */
void st_reclaim_thread_init(void);
void st_reclaim_thread_exit(void);

#endif
