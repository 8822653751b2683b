/*
 * test_repl_backlog.c -- the replication backlog ring (control/
 * repl_backlog.c) and Redis's PSYNC continuation rule
 * (ctl_repl_can_continue, repl_state.c).
 *
 * Backlog: offsets start at master_repl_offset + 1, appends wrap, reads
 * return what is there, -ERANGE for offsets that fell out, 0 past the end;
 * first_byte / histlen as INFO shows them; a writer thread racing readers
 * never hands a reader overwritten bytes.  PSYNC: the table of
 * (replid, replid2, second offset, backlog window) cases of §1.1 / §5.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "harness.h"
#include "repl.h"

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
	assert_int_equal(ctl_backlog_read(4, buf, 4), -ERANGE);
	assert_int_equal(ctl_backlog_read(5, buf, 64), 16);
	assert_memory_equal(buf, "456789abcdefghij", 16);
	assert_int_equal(ctl_backlog_read(15, buf, 64), 6);
	assert_memory_equal(buf, "efghij", 6);
	/* an append bigger than the ring keeps its tail */
	ctl_backlog_append("ABCDEFGHIJKLMNOPQRSTUVWXYZ", 26);
	assert_int_equal(atomic_load(&ctl_repl.master_repl_offset), 46);
	assert_int_equal(ctl_backlog_first_byte(), 31);
	assert_int_equal(ctl_backlog_read(31, buf, 64), 16);
	assert_memory_equal(buf, "KLMNOPQRSTUVWXYZ", 16);
}

/* A writer appends a counting pattern until the reader has validated
 * enough copies; the reader checks that every byte it is handed is the
 * pattern's byte for its offset (stale copies must come back -ERANGE). */
static _Atomic int race_stop;
static _Atomic long race_appends;

static void *
race_writer(void *arg)
{
	unsigned char chunk[97];
	long long off = 0;

	for (long i = 0; !atomic_load(&race_stop); i++) {
		size_t n = 1 + (size_t)(i * 7) % sizeof(chunk);

		for (size_t j = 0; j < n; j++)
			chunk[j] = (unsigned char)((off + 1 + (long long)j) * 31 % 251);
		ctl_backlog_append(chunk, n);
		off += (long long)n;
		atomic_fetch_add(&race_appends, 1);
	}
	return NULL;
}

static void
test_race(void **state)
{
	pthread_t t;
	unsigned char buf[300];
	long ok = 0, stale = 0;

	reset(512, 0);
	atomic_store(&race_stop, 0);
	atomic_store(&race_appends, 0);
	pthread_create(&t, NULL, race_writer, NULL);
	/* enough validated copies while the writer is really running */
	while (ok < 5000 || atomic_load(&race_appends) < 20000) {
		long long end = atomic_load(&ctl_repl.master_repl_offset);
		long long off = end - 400 > 1 ? end - 400 : 1;
		long n = ctl_backlog_read(off, buf, sizeof(buf));

		if (n == -ERANGE) {
			stale++;
			continue;
		}
		assert_true(n >= 0);
		for (long j = 0; j < n; j++)
			assert_int_equal(buf[j], (unsigned char)((off + j) * 31 % 251));
		if (n > 0)
			ok++;
	}
	atomic_store(&race_stop, 1);
	pthread_join(t, NULL);
	(void)stale;
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
		cmocka_unit_test(test_psync_rule),
		cmocka_unit_test(test_shift_replid),
	};

	assert_int_equal(ctl_repl_init(), 0);
	th_init();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
