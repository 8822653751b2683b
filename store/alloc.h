/*
 * alloc.h -- accounted allocation for everything the keyspace owns.
 *
 * Every byte a key, value or collection owns goes through st_malloc /
 * st_realloc / st_free, which add the allocator's usable size to a per-thread
 * counter.  st_mem_used() sums the counters; it is INFO's used_memory and the
 * figure maxmemory is checked against.
 *
 * Concurrency: any thread.  A thread that called st_thread_register()
 * (store/worker.h) owns a private, cache-line padded counter (relaxed atomic
 * adds, no sharing); other threads share slot 0 (atomic adds).  Memory freed
 * by a thread other than the one that allocated it simply moves the two
 * counters in opposite directions; only the sum is meaningful.
 *
 * Failure: allocation failure aborts the process with a message, as Redis's
 * zmalloc does; callers never see NULL.
 */
#ifndef ST_ALLOC_H
#define ST_ALLOC_H

#include <stddef.h>
#include <stdint.h>

#define ST_MEM_SLOTS 128

void *st_malloc(size_t size);
void *st_calloc(size_t size);
void *st_realloc(void *ptr, size_t size);
void st_free(void *ptr);
char *st_strndup(const char *s, size_t len);   /* NUL-terminated copy */
size_t st_alloc_size(const void *ptr);          /* usable size, 0 for NULL */

/* Bytes currently allocated through this module (sum over all slots). */
int64_t st_mem_used(void);
/* Select the calling thread's counter slot (0 = shared). Called by st_thread_register. */
void st_mem_set_slot(unsigned slot);

#endif
