/*
 * test_repl_backlog.c -- the replication backlog ring (control/
 * repl_backlog.c) and Redis's PSYNC continuation rule
 * (ctl_repl_can_continue, repl_state.c).
 *
 * Backlog: offsets start at master_repl_offset + 1, appends wrap, reads
 * return what is there, -ERANGE for offsets that fell out, 0 past the end;
 * first_byte / histlen as INFO shows them (the logical backlog, bounded by
 * the size, while the physical ring keeps some slack); a writer thread
 * racing readers never hands a reader overwritten bytes.  Growth: a pinned
 * offset (the pin function stands in for a replica) keeps every byte from
 * it readable across appends of many times the size, the logical window
 * stays bounded, the ring shrinks back once the pin moves on; resize
 * (ctl_backlog_resize and CONFIG SET repl-backlog-size) keeps the newest
 * bytes and shows at once; a pinned reader thread racing a writer that
 * grows and shrinks the ring gets every byte in order (TSan build too).
 * Chunks: growing and shrinking moves chunk pointers and copies at most
 * two chunks per remap (the remap counters), at every alignment of the
 * kept span against the chunks, every slot keeps a distinct chunk
 * (ctl_backlog_check); readers racing many grows and shrinks (a pin that
 * alternates between lagging and caught up) never get a wrong byte; a
 * remap between a reader's table load and its copy (the read hook, made
 * deterministic) is refused and retried, a bounded number of times.
 * PSYNC: the table of (replid, replid2, second offset, backlog window)
 * cases of §1.1 / §5.
 */
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "config.h"
#include "harness.h"
#include "repl.h"
#include "worker.h"

static void
reset(long long size, long long start_off)
{
	ctl_backlog_free();
	atomic_store(&ctl_repl.master_repl_offset, start_off);
	assert_int_equal(ctl_backlog_create(size), 0);
}

static void
test_empty(void **state)
{
	char buf[8];

	ctl_backlog_free();
	assert_false(ctl_backlog_exists());
	assert_int_equal(ctl_backlog_read(1, buf, 8), -ERANGE);
	assert_int_equal(ctl_backlog_first_byte(), 0);
	assert_int_equal(ctl_backlog_histlen(), 0);
	reset(16, 100);
	assert_true(ctl_backlog_exists());
	assert_int_equal(ctl_backlog_first_byte(), 101);
	assert_int_equal(ctl_backlog_histlen(), 0);
	assert_int_equal(ctl_backlog_size(), 16);
	assert_int_equal(ctl_backlog_read(101, buf, 8), 0);
	/* a second create keeps the first */
	assert_int_equal(ctl_backlog_create(64), 0);
	assert_int_equal(ctl_backlog_size(), 16);
}

static void
test_wrap_and_range(void **state)
{
	char buf[64];

	reset(16, 0);
	ctl_backlog_append("0123456789", 10);
	assert_int_equal(atomic_load(&ctl_repl.master_repl_offset), 10);
	assert_int_equal(ctl_backlog_first_byte(), 1);
	assert_int_equal(ctl_backlog_histlen(), 10);
	assert_int_equal(ctl_backlog_read(1, buf, 64), 10);
	assert_memory_equal(buf, "0123456789", 10);
	assert_int_equal(ctl_backlog_read(4, buf, 3), 3);
	assert_memory_equal(buf, "345", 3);
	assert_int_equal(ctl_backlog_read(11, buf, 3), 0);
	/* wrap: 10 more bytes, the ring keeps the last 16 (offsets 5..20) */
	ctl_backlog_append("abcdefghij", 10);
	assert_int_equal(atomic_load(&ctl_repl.master_repl_offset), 20);
	assert_int_equal(ctl_backlog_first_byte(), 5);
	assert_int_equal(ctl_backlog_histlen(), 16);
	assert_int_equal(ctl_backlog_read(5, buf, 64), 16);
	assert_memory_equal(buf, "456789abcdefghij", 16);
	assert_int_equal(ctl_backlog_read(15, buf, 64), 6);
	assert_memory_equal(buf, "efghij", 6);
	/* the physical ring keeps slack beyond the logical size: the bytes
	 * before the first byte are still there (PSYNC refuses them) */
	assert_true(ctl_backlog_capacity() >= 16 + 4);
	assert_int_equal(ctl_backlog_read(1, buf, 4), 4);
	assert_memory_equal(buf, "0123", 4);
	ctl_backlog_append("ABCDEFGHIJKLMNOPQRSTUVWXYZ", 26);
	assert_int_equal(atomic_load(&ctl_repl.master_repl_offset), 46);
	assert_int_equal(ctl_backlog_first_byte(), 31);
	assert_int_equal(ctl_backlog_histlen(), 16);
	assert_int_equal(ctl_backlog_read(31, buf, 64), 16);
	assert_memory_equal(buf, "KLMNOPQRSTUVWXYZ", 16);
	/* an append bigger than the whole ring keeps its tail; what it
	 * overwrote is gone (nothing pinned it) */
	{
		long long cap = ctl_backlog_capacity(), end;
		size_t n = (size_t)cap + 100;
		char *big = malloc(n);

		for (size_t i = 0; i < n; i++)
			big[i] = (char)('a' + i % 26);
		ctl_backlog_append(big, n);
		end = 46 + (long long)n;
		assert_int_equal(atomic_load(&ctl_repl.master_repl_offset), end);
		assert_int_equal(ctl_backlog_capacity(), cap);
		assert_int_equal(ctl_backlog_read(46, buf, 4), -ERANGE);
		assert_int_equal(ctl_backlog_read(end - cap, buf, 4), -ERANGE);
		assert_int_equal(ctl_backlog_first_byte(), end - 15);
		assert_int_equal(ctl_backlog_read(end - 15, buf, 64), 16);
		assert_memory_equal(buf, big + n - 16, 16);
		assert_int_equal(ctl_backlog_read(end - cap + 1, buf, 4), 4);
		assert_memory_equal(buf, big + n - (size_t)cap, 4);
		free(big);
	}
}

/* ---- growth while pinned ---------------------------------------------------- */

/* The test's stand-in for a replica: the next offset it has to send
 * (LLONG_MAX: none), honoured like ctl_replicas_min_needed. */
static _Atomic long long test_pin = LLONG_MAX;

static long long
test_pin_fn(long long floor, long long end)
{
	long long p = atomic_load(&test_pin);

	return p >= floor && p <= end ? p : LLONG_MAX;
}

static unsigned char
pat(long long off)
{
	return (unsigned char)((off * 131 + off / 7) % 251);
}

/* Append n pattern bytes at the end. */
static void
append_pat(size_t n)
{
	static unsigned char chunk[1 << 16];
	long long off = atomic_load(&ctl_repl.master_repl_offset) + 1;

	while (n > 0) {
		size_t k = n < sizeof(chunk) ? n : sizeof(chunk);

		for (size_t j = 0; j < k; j++)
			chunk[j] = pat(off + (long long)j);
		ctl_backlog_append(chunk, k);
		off += (long long)k;
		n -= k;
	}
}

/* Every byte of [from, to] reads back as the pattern. */
static void
assert_pat(long long from, long long to)
{
	static unsigned char buf[1 << 16];

	while (from <= to) {
		long n = ctl_backlog_read(from, buf, sizeof(buf));

		if (n <= 0) {
			print_error("read at %lld: %ld\n", from, n);
			fail();
		}
		for (long j = 0; j < n; j++)
			if (buf[j] != pat(from + j)) {
				print_error("byte %lld\n", from + j);
				fail();
			}
		from += n;
	}
}

static void
test_grow_while_pinned(void **state)
{
	const long long size = 4096;
	long long cap0, end, grown;
	char buf[8];

	reset(size, 0);
	cap0 = ctl_backlog_capacity();
	ctl_backlog_set_pin_fn(test_pin_fn);
	append_pat(100);
	atomic_store(&test_pin, 1);		/* a replica that sends nothing */
	/* 40 appends of ~cap0/2 each: 20 times the ring, 200 the size */
	for (int i = 0; i < 40; i++) {
		append_pat((size_t)(cap0 / 2 + i * 97));
		end = atomic_load(&ctl_repl.master_repl_offset);
		/* the pinned byte never falls out */
		assert_int_equal(ctl_backlog_read(1, buf, 1), 1);
		assert_int_equal((unsigned char)buf[0], pat(1));
		/* PSYNC's window stays repl-backlog-size */
		assert_int_equal(ctl_backlog_histlen(), size);
		assert_int_equal(ctl_backlog_first_byte(), end - size + 1);
		assert_int_equal(ctl_backlog_size(), size);
	}
	end = atomic_load(&ctl_repl.master_repl_offset);
	assert_true(end > 20 * cap0);
	grown = ctl_backlog_capacity();
	assert_true(grown >= end);
	assert_pat(1, end);
	/* the replica sends half: only from there on is kept */
	atomic_store(&test_pin, end / 2);
	append_pat(10);
	assert_pat(end / 2, end + 10);
	/* it caught up: the next append shrinks the ring back */
	atomic_store(&test_pin, LLONG_MAX);
	append_pat(10);
	end += 20;
	assert_int_equal(ctl_backlog_capacity(), cap0);
	assert_int_equal(ctl_backlog_read(end / 2, buf, 1), -ERANGE);
	assert_pat(end - cap0 + 1, end);
	assert_int_equal(ctl_backlog_histlen(), size);
	/* no pin, no growth */
	append_pat((size_t)cap0 * 3);
	assert_int_equal(ctl_backlog_capacity(), cap0);
	/* a replica that has everything (pin = end + 1) needs all of the
	 * next append, even one bigger than the ring */
	end = atomic_load(&ctl_repl.master_repl_offset);
	atomic_store(&test_pin, end + 1);
	append_pat((size_t)cap0 * 3);
	assert_true(ctl_backlog_capacity() >= cap0 * 3);
	assert_pat(end + 1, end + cap0 * 3);
	ctl_backlog_set_pin_fn(NULL);
	atomic_store(&test_pin, LLONG_MAX);
}

/* A pin that says the replica is gone (its function stops naming the
 * offset, as ctl_replicas_min_needed does past the hard limit) is not
 * protected: the bytes are overwritten, the ring stays its size. */
static _Atomic long long test_limit;

static long long
test_limited_pin_fn(long long floor, long long end)
{
	long long p = test_pin_fn(floor, end);

	return p != LLONG_MAX && end - p + 1 > atomic_load(&test_limit) ?
	       LLONG_MAX : p;
}

static void
test_pin_over_limit(void **state)
{
	long long cap0;
	char buf[8];

	reset(4096, 0);
	cap0 = ctl_backlog_capacity();
	ctl_backlog_set_pin_fn(test_limited_pin_fn);
	atomic_store(&test_limit, cap0 * 3);
	atomic_store(&test_pin, 1);
	append_pat((size_t)cap0 * 2);		/* within: kept */
	assert_int_equal(ctl_backlog_read(1, buf, 1), 1);
	assert_true(ctl_backlog_capacity() > cap0);
	append_pat((size_t)cap0 * 8);		/* past the limit: dropped */
	assert_int_equal(ctl_backlog_read(1, buf, 1), -ERANGE);
	assert_true(ctl_backlog_capacity() < 4 * cap0);
	ctl_backlog_set_pin_fn(NULL);
	atomic_store(&test_pin, LLONG_MAX);
}

/* ---- chunks: remaps move pointers, copy little ------------------------------- */

static void
stats_now(struct ctl_backlog_stats *st)
{
	ctl_backlog_get_stats(st);
}

/* Since 'before': remaps >= 1 and at most two chunks copied per remap. */
static long long
assert_copied_little(const struct ctl_backlog_stats *before)
{
	struct ctl_backlog_stats now;
	long long remaps, copied;

	stats_now(&now);
	remaps = now.remaps - before->remaps;
	copied = now.copied_bytes - before->copied_bytes;
	if (remaps < 1 || copied > 2 * now.chunk_bytes * remaps) {
		print_error("remaps %lld copied %lld chunk %lld\n", remaps,
			    copied, now.chunk_bytes);
		fail();
	}
	return remaps;
}

static void
test_grow_copies_little(void **state)
{
	const long long size = 64 << 10, total = 64LL << 20;
	struct ctl_backlog_stats st0, st1;
	long long cap0, end, first, C;

	reset(size, 0);
	cap0 = ctl_backlog_capacity();
	stats_now(&st0);
	C = st0.chunk_bytes;
	/* the smallest power of two >= a quarter of the target, in range */
	assert_true(C >= 4096 && C <= 256 << 10 && (C & (C - 1)) == 0);
	assert_true(C * 4 >= size + size / 4 + (64 << 10));
	assert_int_equal(cap0 % C, 0);
	assert_true(cap0 >= size + size / 4 + (64 << 10) && cap0 - C <
		    size + size / 4 + (64 << 10));
	ctl_backlog_set_pin_fn(test_pin_fn);
	atomic_store(&test_pin, 1);		/* a replica that sends nothing */
	for (long long done = 0, i = 0; done < total; i++) {
		size_t n = 1 + (size_t)((i * 7919 + i * i * 13) % 200000);

		if ((long long)n > total - done)
			n = (size_t)(total - done);
		append_pat(n);
		done += (long long)n;
	}
	end = atomic_load(&ctl_repl.master_repl_offset);
	assert_int_equal(end, total);
	assert_true(ctl_backlog_capacity() >= end);
	assert_true(ctl_backlog_capacity() > cap0);
	assert_int_equal(ctl_backlog_check(), 0);
	assert_pat(1, end);
	/* the flat ring copied the whole span on every growth (~128 MiB) */
	assert_true(assert_copied_little(&st0) >= 5);
	stats_now(&st1);

	/* the replica caught up: the next append shrinks back, copying at
	 * most two chunks; what PSYNC may use reads back */
	atomic_store(&test_pin, LLONG_MAX);
	append_pat(1000);
	end += 1000;
	assert_int_equal(ctl_backlog_capacity(), cap0);
	assert_int_equal(assert_copied_little(&st1), 1);
	assert_int_equal(ctl_backlog_check(), 0);
	first = ctl_backlog_first_byte();
	assert_int_equal(first, end - size + 1);
	assert_pat(first, end);
	assert_pat(end - cap0 + 1, end);
	{
		char b1[1];

		assert_int_equal(ctl_backlog_read(end - cap0, b1, 1), -ERANGE);
	}
	/* and it goes on as a ring */
	append_pat((size_t)cap0 * 2 + 12345);
	end += cap0 * 2 + 12345;
	assert_pat(end - cap0 + 1, end);
	assert_int_equal(ctl_backlog_capacity(), cap0);
	ctl_backlog_set_pin_fn(NULL);
}

/* Grow and shrink with the kept span at many alignments against the
 * chunks (the oldest kept chunk sharing a slot with the newest in the old
 * table, in the new one, both, neither): every kept byte reads back, at
 * most two chunks are copied per remap, the slots stay distinct. */
static void
test_remap_alignments(void **state)
{
	const long long size = 4096;

	ctl_backlog_set_pin_fn(test_pin_fn);
	for (long long trial = 0; trial < 48; trial++) {
		struct ctl_backlog_stats st0, st1;
		long long cap0, C, first, end, lag, grows = 0, prev;
		size_t piece = 1 + (size_t)((trial * 3331) % 40000);

		reset(size, trial * 977);
		first = trial * 977 + 1;
		cap0 = prev = ctl_backlog_capacity();
		stats_now(&st0);
		C = st0.chunk_bytes;
		if (trial % 2 == 0) {
			append_pat((size_t)(trial * 1013 % C));
		} else {
			/* a full ring that wrapped: the oldest byte
			 * shares its slot with the newest */
			append_pat((size_t)(cap0 + trial * 1013 % C));
			first = atomic_load(&ctl_repl.master_repl_offset) -
				cap0 + 1 + trial % 5;
		}
		atomic_store(&test_pin, first);
		while (grows < 3) {
			append_pat(piece);
			if (ctl_backlog_capacity() > prev) {
				grows++;
				prev = ctl_backlog_capacity();
				assert_int_equal(ctl_backlog_check(), 0);
			}
		}
		end = atomic_load(&ctl_repl.master_repl_offset);
		assert_pat(first, end);
		assert_copied_little(&st0);
		/* a replica that caught up to 'lag' bytes behind */
		lag = trial * 12345 % ((size + size / 4 + (64 << 10)) / 2 - 1000);
		atomic_store(&test_pin, end - lag + 1);
		stats_now(&st1);
		append_pat((size_t)(trial % 7) * 100 + 1);
		end = atomic_load(&ctl_repl.master_repl_offset);
		assert_int_equal(ctl_backlog_capacity(), cap0);
		assert_int_equal(assert_copied_little(&st1), 1);
		assert_int_equal(ctl_backlog_check(), 0);
		assert_pat(end - cap0 + 1, end);
		atomic_store(&test_pin, LLONG_MAX);
	}
	ctl_backlog_set_pin_fn(NULL);
}

/* ---- a writer remapping inside a read (the read hook) ------------------------ */

static int hook_calls;
static long long hook_cap0;

/* The replica caught up: shrink, then write a whole small ring, so the
 * chunks the reader is about to copy through the old table hold other
 * offsets' bytes. */
static void
hook_shrink_and_overwrite(long long off)
{
	if (hook_calls++ > 0)
		return;
	atomic_store(&test_pin, LLONG_MAX);
	append_pat(10);
	append_pat((size_t)hook_cap0);
}

/* Once: a pinned append that grows the table. */
static void
hook_grow(long long off)
{
	if (hook_calls++ == 0)
		append_pat((size_t)ctl_backlog_capacity());
}

/* Every call remaps (the logical size flips between small and big). */
static void
hook_remap_always(long long off)
{
	assert_int_equal(ctl_backlog_resize(hook_calls++ % 2 ? 4096 : 1 << 20), 0);
}

static void
test_read_across_remap(void **state)
{
	unsigned char buf[4096];
	long long end, off, cap;
	long n;

	/* a shrink between the reader's table load and its copy: the
	 * kept chunks moved to slots that were rewritten, at offsets the
	 * old table's size does not flag; the table reload refuses the copy
	 * and the retry finds the offset gone */
	reset(4096, 0);
	hook_cap0 = ctl_backlog_capacity();
	ctl_backlog_set_pin_fn(test_pin_fn);
	atomic_store(&test_pin, 1);
	append_pat(2 << 20);
	end = atomic_load(&ctl_repl.master_repl_offset);
	assert_true(ctl_backlog_capacity() > 8 * hook_cap0);
	off = end - hook_cap0 / 2;
	hook_calls = 0;
	ctl_backlog_set_read_hook(hook_shrink_and_overwrite);
	n = ctl_backlog_read(off, buf, sizeof(buf));
	ctl_backlog_set_read_hook(NULL);
	assert_int_equal(hook_calls, 1);
	assert_int_equal(ctl_backlog_capacity(), hook_cap0);
	if (n > 0)
		for (long j = 0; j < n; j++)
			if (buf[j] != pat(off + j)) {
				print_error("wrong byte at %lld\n", off + j);
				fail();
			}
	assert_int_equal(n, -ERANGE);

	/* a growth there: the retry reads the bytes through the new table */
	reset(4096, 0);
	atomic_store(&test_pin, 1);
	append_pat(50000);
	cap = ctl_backlog_capacity();
	off = 5;
	hook_calls = 0;
	ctl_backlog_set_read_hook(hook_grow);
	n = ctl_backlog_read(off, buf, sizeof(buf));
	ctl_backlog_set_read_hook(NULL);
	assert_int_equal(hook_calls, 2);	/* the retry ran it again */
	assert_true(ctl_backlog_capacity() > cap);
	assert_int_equal(n, sizeof(buf));
	for (long j = 0; j < n; j++)
		assert_int_equal(buf[j], pat(off + j));

	/* remapped under every attempt: a bounded number of tries, then
	 * "nothing now" (0), never bytes it could not validate */
	atomic_store(&test_pin, LLONG_MAX);
	end = atomic_load(&ctl_repl.master_repl_offset);
	hook_calls = 0;
	ctl_backlog_set_read_hook(hook_remap_always);
	n = ctl_backlog_read(end - 100, buf, 64);
	ctl_backlog_set_read_hook(NULL);
	assert_int_equal(n, 0);
	assert_int_equal(hook_calls, 16);
	assert_int_equal(ctl_backlog_read(end - 100, buf, 64), 64);
	for (long j = 0; j < 64; j++)
		assert_int_equal(buf[j], pat(end - 100 + j));
	assert_int_equal(ctl_backlog_check(), 0);
	ctl_backlog_set_pin_fn(NULL);
}

/* ---- resize ------------------------------------------------------------------ */

static void
test_resize(void **state)
{
	char err[128];
	long long cap;

	reset(1000, 0);
	append_pat(3000);
	assert_int_equal(ctl_backlog_first_byte(), 2001);
	assert_int_equal(ctl_backlog_histlen(), 1000);
	/* smaller: the newest 400 bytes stay */
	assert_int_equal(ctl_backlog_resize(400), 0);
	assert_int_equal(ctl_backlog_size(), 400);
	assert_int_equal(ctl_backlog_histlen(), 400);
	assert_int_equal(ctl_backlog_first_byte(), 2601);
	assert_pat(2601, 3000);
	/* bigger: the history grows from what there is */
	assert_int_equal(ctl_backlog_resize(5000), 0);
	assert_int_equal(ctl_backlog_size(), 5000);
	assert_int_equal(ctl_backlog_histlen(), 400);
	append_pat(1000);
	assert_int_equal(ctl_backlog_histlen(), 1400);
	assert_int_equal(ctl_backlog_first_byte(), 2601);
	assert_pat(2601, 4000);
	assert_int_equal(ctl_backlog_resize(0), -EINVAL);

	/* CONFIG SET repl-backlog-size: seen at once, without an append */
	assert_int_equal(st_config_set("repl-backlog-size", "300", err,
				       sizeof(err)), 0);
	assert_int_equal(ctl_backlog_size(), 300);
	assert_int_equal(ctl_backlog_histlen(), 300);
	assert_int_equal(ctl_backlog_first_byte(), 3701);
	assert_pat(3701, 4000);
	/* a big ring shrinks with it, keeping the newest bytes */
	assert_int_equal(st_config_set("repl-backlog-size", "4mb", err,
				       sizeof(err)), 0);
	assert_int_equal(ctl_backlog_size(), 4 << 20);
	assert_true(ctl_backlog_capacity() >= 4 << 20);
	append_pat(3 << 20);
	assert_int_equal(ctl_backlog_histlen(), 300 + (3 << 20));
	assert_int_equal(st_config_set("repl-backlog-size", "1000", err,
				       sizeof(err)), 0);
	assert_int_equal(ctl_backlog_histlen(), 1000);
	cap = ctl_backlog_capacity();
	assert_true(cap < 1 << 20);
	assert_pat(atomic_load(&ctl_repl.master_repl_offset) - 999,
		   atomic_load(&ctl_repl.master_repl_offset));
	assert_int_equal(st_config_set("repl-backlog-size", "1mb", err,
				       sizeof(err)), 0);
	assert_int_equal(ctl_backlog_size(), 1 << 20);
}

/* ---- readers racing growth ---------------------------------------------------- */

static _Atomic long long race_next;	/* the pinned reader's next offset */
static _Atomic long long race_target;	/* bytes the writer produces */
static _Atomic int race_failed;

static long long
race_pin_fn(long long floor, long long end)
{
	long long p = atomic_load(&race_next);

	return p >= floor && p <= end ? p : LLONG_MAX;
}

/* Reads every byte in order, pinned; stalls now and then so the ring
 * must grow, then catches up so it shrinks (the writer waits for it every
 * 2 MiB). */
static void *
pinned_reader(void *arg)
{
	struct st_worker *w = st_thread_register();
	static unsigned char buf[8192];
	long long next = 1;

	(void)arg;
	while (next <= atomic_load(&race_target) && !atomic_load(&race_failed)) {
		long n = ctl_backlog_read(next, buf, sizeof(buf));

		if (n < 0) {
			atomic_store(&race_failed, 1);
			break;
		}
		for (long j = 0; j < n; j++)
			if (buf[j] != pat(next + j)) {
				atomic_store(&race_failed, 2);
				break;
			}
		next += n;
		atomic_store(&race_next, next);
		if ((next / 8192) % 64 == 0) {
			struct timespec ts = { 0, 2 * 1000000L };

			st_worker_offline();
			nanosleep(&ts, NULL);	/* fall behind */
			st_worker_online();
		}
		st_worker_quiescent();
	}
	st_thread_unregister(w);
	return NULL;
}

/* Reads near the oldest bytes without a pin: gets the pattern or
 * -ERANGE, never wrong bytes. */
static _Atomic int race_done;

static void *
loose_reader(void *arg)
{
	struct st_worker *w = st_thread_register();
	unsigned char buf[512];

	(void)arg;
	while (!atomic_load(&race_done)) {
		long long end = atomic_load(&ctl_repl.master_repl_offset);
		long long off = end - ctl_backlog_capacity() + 64;
		long n;

		if (off < 1)
			off = 1;
		n = ctl_backlog_read(off, buf, sizeof(buf));
		for (long j = 0; j < n; j++)
			if (buf[j] != pat(off + j))
				atomic_store(&race_failed, 3);
		st_worker_quiescent();
	}
	st_thread_unregister(w);
	return NULL;
}

static void
test_grow_race(void **state)
{
	pthread_t t1, t2;
	const long long total = 48 << 20;
	long long cap0, maxcap = 0, prev, grows = 0, shrinks = 0;
	struct ctl_backlog_stats st0;

	reset(64 << 10, 0);
	cap0 = prev = ctl_backlog_capacity();
	stats_now(&st0);
	atomic_store(&race_next, 1);
	atomic_store(&race_target, total);
	atomic_store(&race_failed, 0);
	atomic_store(&race_done, 0);
	ctl_backlog_set_pin_fn(race_pin_fn);
	pthread_create(&t1, NULL, pinned_reader, NULL);
	pthread_create(&t2, NULL, loose_reader, NULL);
	for (long long done = 0; done < total && !atomic_load(&race_failed);) {
		size_t n = 1 + (size_t)(done * 7919) % 30000;

		if ((long long)n > total - done)
			n = (size_t)(total - done);
		append_pat(n);
		done += (long long)n;
		/* every 2 MiB, let the reader catch up: the next append
		 * shrinks the ring */
		if ((done - (long long)n) >> 21 != done >> 21)
			while (atomic_load(&race_next) + 16384 <= done &&
			       !atomic_load(&race_failed)) {
				struct timespec ts = { 0, 20 * 1000L };

				st_worker_quiescent();
				nanosleep(&ts, NULL);
			}
		if (ctl_backlog_capacity() > maxcap)
			maxcap = ctl_backlog_capacity();
		grows += ctl_backlog_capacity() > prev;
		shrinks += ctl_backlog_capacity() < prev;
		prev = ctl_backlog_capacity();
		st_worker_quiescent();
	}
	st_worker_offline();
	pthread_join(t1, NULL);
	atomic_store(&race_done, 1);
	pthread_join(t2, NULL);
	st_worker_online();
	assert_int_equal(atomic_load(&race_failed), 0);
	assert_int_equal(atomic_load(&race_next), total + 1);
	assert_true(maxcap > cap0);	/* the reader made it grow */
	/* ... and shrink, many times, while both readers ran */
	print_message("grow race: %lld grows, %lld shrinks\n", grows, shrinks);
	if (grows < 4 || shrinks < 2) {
		print_error("grows %lld shrinks %lld\n", grows, shrinks);
		fail();
	}
	assert_copied_little(&st0);
	assert_int_equal(ctl_backlog_check(), 0);
	/* caught up: the next append shrinks the ring back */
	atomic_store(&race_next, LLONG_MAX);
	append_pat(1);
	assert_int_equal(ctl_backlog_capacity(), cap0);
	ctl_backlog_set_pin_fn(NULL);
}

/* A writer appends a counting pattern until the reader has validated
 * enough copies; the reader checks that every byte it is handed is the
 * pattern's byte for its offset (stale copies must come back -ERANGE).
 * The writer (a registered thread, like the replication core) pins the
 * offset it reached for RACE_PHASE appends, then lets go for as many:
 * the table grows while pinned and shrinks back after, over and over,
 * while the reader copies from all over the ring. */
#define RACE_PHASE 6000
static _Atomic int race_stop;
static _Atomic long race_appends;
static _Atomic long race_shrinks;

static void *
race_writer(void *arg)
{
	struct st_worker *w = st_thread_register();
	unsigned char chunk[97];
	long long off = 0, prev = ctl_backlog_capacity();

	(void)arg;
	for (long i = 0; !atomic_load(&race_stop); i++) {
		size_t n = 1 + (size_t)(i * 7) % sizeof(chunk);

		if (i % RACE_PHASE == 0)
			atomic_store(&race_next, (i / RACE_PHASE) % 2 ?
				     off + 1 : LLONG_MAX);
		for (size_t j = 0; j < n; j++)
			chunk[j] = (unsigned char)((off + 1 + (long long)j) * 31 % 251);
		ctl_backlog_append(chunk, n);
		off += (long long)n;
		if (ctl_backlog_capacity() < prev)
			atomic_fetch_add(&race_shrinks, 1);
		prev = ctl_backlog_capacity();
		atomic_fetch_add(&race_appends, 1);
		st_worker_quiescent();
	}
	st_thread_unregister(w);
	return NULL;
}

static void
test_race(void **state)
{
	pthread_t t;
	unsigned char buf[300];
	long ok = 0, deep = 0, stale = 0;
	struct ctl_backlog_stats st0, st1;

	reset(512, 0);
	stats_now(&st0);
	atomic_store(&race_stop, 0);
	atomic_store(&race_appends, 0);
	atomic_store(&race_shrinks, 0);
	atomic_store(&race_next, LLONG_MAX);
	ctl_backlog_set_pin_fn(race_pin_fn);
	pthread_create(&t, NULL, race_writer, NULL);
	/* enough validated copies while the writer is really running, across
	 * enough shrinks */
	for (long i = 0; ok < 5000 || deep < 2000 ||
	     atomic_load(&race_appends) < 20000 ||
	     atomic_load(&race_shrinks) < 6; i++) {
		long long end = atomic_load(&ctl_repl.master_repl_offset);
		long long cap = ctl_backlog_capacity();
		/* near the end, or anywhere down to just past the oldest */
		long long depth = i % 2 ? 400 : 64 + (i * 7919) % (cap + 4096);
		long long off = end - depth > 1 ? end - depth : 1;
		long n = ctl_backlog_read(off, buf, sizeof(buf));

		st_worker_quiescent();
		if (n == -ERANGE) {
			stale++;
			continue;
		}
		assert_true(n >= 0);
		for (long j = 0; j < n; j++)
			assert_int_equal(buf[j], (unsigned char)((off + j) * 31 % 251));
		if (n > 0 && depth == 400)
			ok++;
		else if (n > 0)
			deep++;
	}
	atomic_store(&race_stop, 1);
	pthread_join(t, NULL);
	stats_now(&st1);
	print_message("race: %lld remaps (%ld shrinks), %ld + %ld reads, "
		      "%ld stale\n", st1.remaps - st0.remaps,
		      atomic_load(&race_shrinks), ok, deep, stale);
	assert_true(st1.remaps - st0.remaps >= 12);
	assert_copied_little(&st0);
	assert_int_equal(ctl_backlog_check(), 0);
	ctl_backlog_set_pin_fn(NULL);
}

static void
set_ids(const char *id, const char *id2, long long off2)
{
	snprintf(ctl_repl.replid, sizeof(ctl_repl.replid), "%s", id);
	snprintf(ctl_repl.replid2, sizeof(ctl_repl.replid2), "%s", id2);
	ctl_repl.second_repl_offset = off2;
}

#define ID_A "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
#define ID_B "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
#define ID_Z "0000000000000000000000000000000000000000"

static void
test_psync_rule(void **state)
{
	static const struct {
		const char *ask;
		long long off;
		bool backlog;
		bool expect;
	} cases[] = {
		{ "?", -1, true, false },	/* never CONTINUE for ? -1 */
		{ "?", 101, true, false },
		{ ID_A, 101, true, true },	/* first byte */
		{ ID_A, 150, true, true },	/* inside */
		{ ID_A, 151, true, true },	/* end + 1: nothing to send yet */
		{ ID_A, 152, true, false },	/* past the end */
		{ ID_A, 100, true, false },	/* before the first byte */
		{ ID_A, 120, false, false },	/* no backlog */
		{ ID_B, 120, true, true },	/* replid2, off <= second offset */
		{ ID_B, 130, true, true },
		{ ID_B, 131, true, false },	/* replid2 past the second offset */
		{ "cccccccccccccccccccccccccccccccccccccccc", 120, true, false },
		{ ID_Z, 120, true, false },	/* the zero id is never ours */
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		if (cases[i].backlog) {
			reset(1024, 100);
			ctl_backlog_append("01234567890123456789012345678901234567890123456789", 50);
		} else {
			ctl_backlog_free();
			atomic_store(&ctl_repl.master_repl_offset, 150);
		}
		set_ids(ID_A, ID_B, 130);
		if (ctl_repl_can_continue(cases[i].ask, cases[i].off) != cases[i].expect) {
			print_error("case %zu: PSYNC %s %lld\n", i, cases[i].ask,
				    cases[i].off);
			fail();
		}
	}
	/* no replid2: the zero id with second offset -1 never matches */
	reset(1024, 100);
	set_ids(ID_A, ID_Z, -1);
	assert_false(ctl_repl_can_continue(ID_Z, 101));
}

static void
test_shift_replid(void **state)
{
	reset(1024, 0);
	ctl_backlog_append("0123456789", 10);
	set_ids(ID_A, ID_Z, -1);
	ctl_repl_shift_replid();
	assert_string_equal(ctl_repl.replid2, ID_A);
	assert_int_equal(ctl_repl.second_repl_offset, 11);
	assert_string_not_equal(ctl_repl.replid, ID_A);
	assert_int_equal(strlen(ctl_repl.replid), 40);
	/* the old id still continues up to the switch point */
	assert_true(ctl_repl_can_continue(ID_A, 11));
	assert_true(ctl_repl_can_continue(ctl_repl.replid, 5));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_wrap_and_range),
		cmocka_unit_test(test_race),
		cmocka_unit_test(test_grow_while_pinned),
		cmocka_unit_test(test_pin_over_limit),
		cmocka_unit_test(test_grow_copies_little),
		cmocka_unit_test(test_remap_alignments),
		cmocka_unit_test(test_read_across_remap),
		cmocka_unit_test(test_resize),
		cmocka_unit_test(test_grow_race),
		cmocka_unit_test(test_psync_rule),
		cmocka_unit_test(test_shift_replid),
	};

	assert_int_equal(ctl_repl_init(), 0);
	th_init();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
