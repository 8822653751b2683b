/*
 * test_dict.c -- the generic dict (store/dict.h) and the intset
 * (store/intset.h): add/find/delete, growth and shrink, the SCAN guarantee
 * across resizes, iteration, random entries, memory accounting.
 */
#include "harness.h"

#include <stdio.h>
#include <stdlib.h>

#include "alloc.h"
#include "dict.h"
#include "intset.h"

static int
keyf(char *buf, const char *prefix, int i)
{
	return snprintf(buf, 32, "%s%d", prefix, i);
}

static void
test_add_find_delete(void **state)
{
	struct st_dict *d = st_dict_new();
	struct st_dict_entry *e, *e2;
	bool created;
	size_t len;
	void *val = NULL;
	int marker = 7;

	(void)state;
	assert_int_equal(st_dict_size(d), 0);
	assert_null(st_dict_find(d, "a", 1));

	e = st_dict_add_or_find(d, "a", 1, &created);
	assert_non_null(e);
	assert_true(created);
	assert_null(st_dict_entry_val(e));
	st_dict_entry_set_val(e, &marker);
	assert_int_equal(st_dict_size(d), 1);

	e2 = st_dict_add_or_find(d, "a", 1, &created);
	assert_ptr_equal(e, e2);
	assert_false(created);
	assert_ptr_equal(st_dict_entry_val(e2), &marker);
	assert_int_equal(st_dict_size(d), 1);

	/* The key is a NUL-terminated copy. */
	assert_string_equal(st_dict_entry_key(e, &len), "a");
	assert_int_equal(len, 1);

	/* Binary keys: embedded NUL, empty key, prefixes are distinct. */
	st_dict_add_or_find(d, "a\0b", 3, &created);
	assert_true(created);
	st_dict_add_or_find(d, "", 0, &created);
	assert_true(created);
	st_dict_add_or_find(d, "ab", 2, &created);
	assert_true(created);
	assert_int_equal(st_dict_size(d), 4);
	assert_non_null(st_dict_find(d, "a\0b", 3));
	assert_non_null(st_dict_find(d, "", 0));
	assert_null(st_dict_find(d, "a\0c", 3));
	st_dict_entry_key(st_dict_find(d, "", 0), &len);
	assert_int_equal(len, 0);

	/* Doubles share the value slot. */
	e = st_dict_find(d, "ab", 2);
	st_dict_entry_set_double(e, -2.5);
	assert_true(st_dict_entry_double(st_dict_find(d, "ab", 2)) == -2.5);

	assert_true(st_dict_delete(d, "a", 1, &val));
	assert_ptr_equal(val, &marker);
	assert_false(st_dict_delete(d, "a", 1, &val));
	assert_null(st_dict_find(d, "a", 1));
	assert_true(st_dict_delete(d, "", 0, NULL));
	assert_int_equal(st_dict_size(d), 2);
	st_dict_free(d, NULL);
	st_dict_free(NULL, NULL);
}

static int freed_count;

static void
count_free(void *p)
{
	freed_count++;
	st_free(p);
}

static void
test_free_val_and_memory(void **state)
{
	int64_t before = st_mem_used();
	struct st_dict *d = st_dict_new();
	size_t empty_mem = st_dict_mem(d);
	char k[32];

	(void)state;
	for (int i = 0; i < 1000; i++) {
		int n = keyf(k, "key:", i);
		struct st_dict_entry *e = st_dict_add_or_find(d, k, (size_t)n, NULL);

		st_dict_entry_set_val(e, st_malloc(16));
	}
	assert_true(st_dict_mem(d) > empty_mem + 1000 * 16);
	freed_count = 0;
	st_dict_clear(d, count_free);
	assert_int_equal(freed_count, 1000);
	assert_int_equal(st_dict_size(d), 0);
	assert_int_equal(st_dict_mem(d), empty_mem);

	for (int i = 0; i < 10; i++) {
		int n = keyf(k, "v", i);

		st_dict_entry_set_val(st_dict_add_or_find(d, k, (size_t)n, NULL),
				      st_malloc(8));
	}
	freed_count = 0;
	st_dict_free(d, count_free);
	assert_int_equal(freed_count, 10);
	assert_int_equal(st_mem_used(), before);
}

static void
test_growth_and_shrink(void **state)
{
	struct st_dict *d = st_dict_new();
	size_t small = st_dict_mem(d);
	size_t big;
	char k[32];
	const int n = 100000;

	(void)state;
	for (int i = 0; i < n; i++) {
		int l = keyf(k, "k", i);
		bool created;

		st_dict_add_or_find(d, k, (size_t)l, &created);
		assert_true(created);
	}
	assert_int_equal(st_dict_size(d), n);
	for (int i = 0; i < n; i++) {
		int l = keyf(k, "k", i);

		assert_non_null(st_dict_find(d, k, (size_t)l));
	}
	assert_null(st_dict_find(d, "absent", 6));
	big = st_dict_mem(d);
	/* The table has at least one bucket per entry. */
	assert_true(big >= small + (size_t)n * sizeof(void *));

	/* Delete all but 10: the table shrinks back. */
	for (int i = 10; i < n; i++) {
		int l = keyf(k, "k", i);

		assert_true(st_dict_delete(d, k, (size_t)l, NULL));
	}
	assert_int_equal(st_dict_size(d), 10);
	assert_true(st_dict_mem(d) < small + 4096);
	for (int i = 0; i < 10; i++) {
		int l = keyf(k, "k", i);

		assert_non_null(st_dict_find(d, k, (size_t)l));
	}
	st_dict_free(d, NULL);
}

struct scan_seen {
	unsigned char *seen;	/* per "a" key: times returned */
	int n;
	long calls;
};

static void
scan_mark(struct st_dict_entry *e, void *arg)
{
	struct scan_seen *s = arg;
	size_t len;
	const char *k = st_dict_entry_key(e, &len);

	if (k[0] == 'a') {
		int i = atoi(k + 1);

		assert_true(i >= 0 && i < s->n);
		if (s->seen[i] < 255)
			s->seen[i]++;
	}
	s->calls++;
}

static void
add_keys(struct st_dict *d, const char *prefix, int from, int to)
{
	char k[32];

	for (int i = from; i < to; i++) {
		int l = keyf(k, prefix, i);

		st_dict_add_or_find(d, k, (size_t)l, NULL);
	}
}

static void
del_keys(struct st_dict *d, const char *prefix, int from, int to)
{
	char k[32];

	for (int i = from; i < to; i++) {
		int l = keyf(k, prefix, i);

		st_dict_delete(d, k, (size_t)l, NULL);
	}
}

/* No change during the scan: every entry exactly once. */
static void
test_scan_exactly_once(void **state)
{
	struct st_dict *d = st_dict_new();
	const int n = 100000;
	struct scan_seen s = { calloc(n, 1), n, 0 };
	unsigned long cursor = 0;
	long steps = 0;

	(void)state;
	assert_int_equal(st_dict_scan(d, 0, scan_mark, &s), 0);
	add_keys(d, "a", 0, n);
	do {
		cursor = st_dict_scan(d, cursor, scan_mark, &s);
		steps++;
	} while (cursor != 0);
	assert_true(steps > 1);
	for (int i = 0; i < n; i++)
		assert_int_equal(s.seen[i], 1);
	assert_int_equal(s.calls, n);
	free(s.seen);
	st_dict_free(d, NULL);
}

/* The table grows and shrinks between SCAN calls: every entry present for
 * the whole scan is still returned at least once. */
static void
test_scan_across_resizes(void **state)
{
	struct st_dict *d = st_dict_new();
	const int n = 100000;
	struct scan_seen s = { calloc(n, 1), n, 0 };
	unsigned long cursor = 0;
	long step = 0;
	int extra = 0, grows = 0, shrinks = 0;

	(void)state;
	add_keys(d, "a", 0, n);
	do {
		cursor = st_dict_scan(d, cursor, scan_mark, &s);
		step++;
		if (step % 5000 == 1000 && extra < 400000) {
			/* grow: the table doubles at least once */
			add_keys(d, "x", extra, extra + 150000);
			extra += 150000;
			grows++;
		} else if (step % 5000 == 3000 && extra > 0) {
			/* shrink: drop every extra key again */
			del_keys(d, "x", 0, extra);
			extra = 0;
			shrinks++;
		}
	} while (cursor != 0);
	assert_true(grows >= 2);
	assert_true(shrinks >= 2);
	for (int i = 0; i < n; i++) {
		if (s.seen[i] == 0)
			fail_msg("a%d was never returned by the scan", i);
	}
	assert_int_equal(st_dict_size(d), n + extra);
	free(s.seen);
	st_dict_free(d, NULL);
}

/* Shrink to the minimum size in the middle of a scan of a big table. */
static void
test_scan_after_big_shrink(void **state)
{
	struct st_dict *d = st_dict_new();
	const int n = 50;
	struct scan_seen s = { calloc(n, 1), n, 0 };
	unsigned long cursor = 0;

	(void)state;
	add_keys(d, "a", 0, n);
	add_keys(d, "x", 0, 200000);
	for (int i = 0; i < 100; i++)
		cursor = st_dict_scan(d, cursor, scan_mark, &s);
	assert_int_not_equal(cursor, 0);
	del_keys(d, "x", 0, 200000);
	while (cursor != 0)
		cursor = st_dict_scan(d, cursor, scan_mark, &s);
	for (int i = 0; i < n; i++)
		assert_true(s.seen[i] >= 1);
	free(s.seen);
	st_dict_free(d, NULL);
}

static void
test_iterate(void **state)
{
	struct st_dict *d = st_dict_new();
	struct st_dict_iter it;
	struct st_dict_entry *e;
	const int n = 5000;
	unsigned char *seen = calloc(n, 1);
	int count = 0;

	(void)state;
	st_dict_iter_init(d, &it);
	assert_null(st_dict_iter_next(&it));
	add_keys(d, "a", 0, n);
	st_dict_iter_init(d, &it);
	while ((e = st_dict_iter_next(&it)) != NULL) {
		const char *k = st_dict_entry_key(e, NULL);

		seen[atoi(k + 1)]++;
		count++;
	}
	assert_int_equal(count, n);
	for (int i = 0; i < n; i++)
		assert_int_equal(seen[i], 1);
	free(seen);
	st_dict_free(d, NULL);
}

static void
test_random(void **state)
{
	struct st_dict *d = st_dict_new();
	int hits[10] = { 0 };
	const int draws = 20000;

	(void)state;
	assert_null(st_dict_random(d));
	add_keys(d, "a", 0, 1);
	assert_string_equal(st_dict_entry_key(st_dict_random(d), NULL), "a0");
	add_keys(d, "a", 1, 10);
	for (int i = 0; i < draws; i++) {
		const char *k = st_dict_entry_key(st_dict_random(d), NULL);

		hits[atoi(k + 1)]++;
	}
	/* Roughly uniform: each of 10 keys near 2000 draws. */
	for (int i = 0; i < 10; i++) {
		assert_true(hits[i] > 800);
		assert_true(hits[i] < 3500);
	}
	/* After deleting most of a big table, random still finds the rest. */
	add_keys(d, "x", 0, 10000);
	del_keys(d, "x", 0, 10000);
	for (int i = 0; i < 100; i++) {
		const char *k = st_dict_entry_key(st_dict_random(d), NULL);

		assert_int_equal(k[0], 'a');
	}
	st_dict_free(d, NULL);
}

static void
test_intset(void **state)
{
	struct st_intset is;
	int64_t vals[] = { 5, -3, INT64_MAX, 0, INT64_MIN, 70000, 5 };

	(void)state;
	st_intset_init(&is);
	assert_false(st_intset_find(&is, 0));
	assert_false(st_intset_remove(&is, 0));
	for (size_t i = 0; i < sizeof(vals) / sizeof(vals[0]) - 1; i++)
		assert_true(st_intset_add(&is, vals[i]));
	assert_false(st_intset_add(&is, 5));	/* duplicate */
	assert_int_equal(st_intset_len(&is), 6);
	/* ascending */
	assert_true(st_intset_get(&is, 0) == INT64_MIN);
	assert_true(st_intset_get(&is, 1) == -3);
	assert_true(st_intset_get(&is, 2) == 0);
	assert_true(st_intset_get(&is, 3) == 5);
	assert_true(st_intset_get(&is, 4) == 70000);
	assert_true(st_intset_get(&is, 5) == INT64_MAX);
	assert_true(st_intset_find(&is, INT64_MAX));
	assert_false(st_intset_find(&is, 6));
	assert_true(st_intset_remove(&is, 0));
	assert_false(st_intset_find(&is, 0));
	assert_int_equal(st_intset_len(&is), 5);
	st_intset_remove_at(&is, 0);
	assert_true(st_intset_get(&is, 0) == -3);
	st_intset_destroy(&is);
	assert_int_equal(st_intset_len(&is), 0);

	/* Many values, random order: sorted and all found. */
	for (int i = 0; i < 2000; i++)
		st_intset_add(&is, (int64_t)((i * 7919) % 2000) - 1000);
	assert_int_equal(st_intset_len(&is), 2000);
	for (uint32_t i = 1; i < st_intset_len(&is); i++)
		assert_true(st_intset_get(&is, i - 1) < st_intset_get(&is, i));
	for (int i = -1000; i < 1000; i++)
		assert_true(st_intset_remove(&is, i));
	assert_int_equal(st_intset_len(&is), 0);
	assert_int_equal(st_intset_mem(&is), 0);
	st_intset_destroy(&is);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_add_find_delete),
		cmocka_unit_test(test_free_val_and_memory),
		cmocka_unit_test(test_growth_and_shrink),
		cmocka_unit_test(test_scan_exactly_once),
		cmocka_unit_test(test_scan_across_resizes),
		cmocka_unit_test(test_scan_after_big_shrink),
		cmocka_unit_test(test_iterate),
		cmocka_unit_test(test_random),
		cmocka_unit_test(test_intset),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
