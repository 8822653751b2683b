/*
 * alloc.c -- accounted allocation (see alloc.h for the contract).
 */
#include "alloc.h"

#include <malloc.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct mem_slot {
	_Atomic int64_t bytes;
	char pad[64 - sizeof(int64_t)];
};

static struct mem_slot mem_slots[ST_MEM_SLOTS] __attribute__((aligned(64)));
static _Thread_local unsigned mem_slot;

void
st_mem_set_slot(unsigned slot)
{
	mem_slot = slot < ST_MEM_SLOTS ? slot : 0;
}

static inline void
mem_add(int64_t delta)
{
	atomic_fetch_add_explicit(&mem_slots[mem_slot].bytes, delta,
				  memory_order_relaxed);
}

static void
oom(size_t size)
{
	fprintf(stderr, "ferry: out of memory allocating %zu bytes\n", size);
	abort();
}

void *
st_malloc(size_t size)
{
	void *p = malloc(size ? size : 1);

	if (p == NULL)
		oom(size);
	mem_add((int64_t)malloc_usable_size(p));
	return p;
}

void *
st_calloc(size_t size)
{
	void *p = calloc(1, size ? size : 1);

	if (p == NULL)
		oom(size);
	mem_add((int64_t)malloc_usable_size(p));
	return p;
}

void *
st_realloc(void *ptr, size_t size)
{
	size_t old = ptr ? malloc_usable_size(ptr) : 0;
	void *p = realloc(ptr, size ? size : 1);

	if (p == NULL)
		oom(size);
	mem_add((int64_t)malloc_usable_size(p) - (int64_t)old);
	return p;
}

void
st_free(void *ptr)
{
	if (ptr == NULL)
		return;
	mem_add(-(int64_t)malloc_usable_size(ptr));
	free(ptr);
}

char *
st_strndup(const char *s, size_t len)
{
	char *p = st_malloc(len + 1);

	memcpy(p, s, len);
	p[len] = '\0';
	return p;
}

size_t
st_alloc_size(const void *ptr)
{
	return ptr ? malloc_usable_size((void *)ptr) : 0;
}

int64_t
st_mem_used(void)
{
	int64_t sum = 0;

	for (unsigned i = 0; i < ST_MEM_SLOTS; i++)
		sum += atomic_load_explicit(&mem_slots[i].bytes,
					    memory_order_relaxed);
	return sum;
}
