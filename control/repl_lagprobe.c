/*
 * repl_lagprobe.c -- the replica's replication-lag probe (see
 * repl_lagprobe.h).
 *
 * Call chain: ctl_link_cron -> ctl_lagprobe_refresh (the key, every
 *   CTL_LAGPROBE_REFRESH_MS); in_connected (repl_replica.c) after each
 *   applied command -> ctl_lagprobe_observe -> st_hdr_record;
 *   INFO -> ctl_repl_info -> ctl_lagprobe_info; CONFIG RESETSTAT ->
 *   the role hooks' resetstat -> ctl_lagprobe_reset.
 */
#include "repl_lagprobe.h"

#include <errno.h>
#include <pthread.h>
#include <string.h>
#include <strings.h>

#include "buf.h"
#include "config.h"
#include "hdr.h"
#include "repl.h"
#include "util.h"

/* The master link's thread only. */
static char probe_key[CTL_LAGPROBE_KEY_MAX];
static size_t probe_len;		/* 0: off */
static int64_t refresh_at_ms;

/* Under lock. */
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct st_hdr hist;		/* microseconds */
static unsigned long long rejected;
static uint64_t last_us;
static int hist_ready;

static void
hist_init_locked(void)
{
	if (!hist_ready) {
		st_hdr_reset(&hist);
		hist_ready = 1;
	}
}

void
ctl_lagprobe_refresh(int64_t now_ms)
{
	char v[CTL_LAGPROBE_KEY_MAX + 1];

	if (now_ms < refresh_at_ms &&
	    now_ms + CTL_LAGPROBE_REFRESH_MS >= refresh_at_ms)
		return;
	refresh_at_ms = now_ms + CTL_LAGPROBE_REFRESH_MS;
	if (st_config_get("repl-lag-probe-key", v, sizeof(v)) != 0)
		v[0] = '\0';
	probe_len = strnlen(v, sizeof(probe_key) - 1);
	memcpy(probe_key, v, probe_len);
}

int
ctl_lagprobe_parse_stamp(const char *p, size_t len, int64_t *us)
{
	int64_t ms = 0, frac = 0;
	size_t i = 0;
	int fd = 0;

	if (len == 0)
		return -EINVAL;
	for (; i < len && p[i] >= '0' && p[i] <= '9'; i++) {
		if (ms > INT64_C(9000000000000))	/* 2^53 us */
			return -EINVAL;
		ms = ms * 10 + (p[i] - '0');
	}
	if (i == 0)
		return -EINVAL;
	if (i < len) {
		if (p[i] != '.' || i + 1 == len)
			return -EINVAL;
		for (i++; i < len; i++) {
			if (p[i] < '0' || p[i] > '9')
				return -EINVAL;
			if (fd < 3) {		/* microseconds; finer is cut */
				frac = frac * 10 + (p[i] - '0');
				fd++;
			}
		}
	}
	while (fd++ < 3)
		frac *= 10;
	if (ms > INT64_C(9000000000000))
		return -EINVAL;
	*us = ms * 1000 + frac;
	return 0;
}

void
ctl_lagprobe_observe(const char *base, const struct st_slice *argv, int argc)
{
	int64_t stamp, now_us;
	int ok;

	if (probe_len == 0 || argc < 3 || argv[1].len != probe_len ||
	    argv[0].len != 3 || strncasecmp(base + argv[0].off, "set", 3) != 0 ||
	    memcmp(base + argv[1].off, probe_key, probe_len) != 0)
		return;
	now_us = st_ustime();
	ok = ctl_lagprobe_parse_stamp(base + argv[2].off, argv[2].len,
				      &stamp) == 0 && stamp <= now_us;
	pthread_mutex_lock(&lock);
	hist_init_locked();
	if (ok) {
		last_us = (uint64_t)(now_us - stamp);
		st_hdr_record(&hist, last_us);
	} else {
		rejected++;
	}
	pthread_mutex_unlock(&lock);
}

void
ctl_lagprobe_info(struct st_buf *b)
{
	char key[CTL_LAGPROBE_KEY_MAX + 1];

	if (st_config_get("repl-lag-probe-key", key, sizeof(key)) != 0 ||
	    key[0] == '\0')
		return;
	for (char *k = key; *k != '\0'; k++)	/* one INFO line */
		if ((unsigned char)*k < 0x20 || *k == 0x7f)
			*k = '?';
	pthread_mutex_lock(&lock);
	hist_init_locked();
	st_buf_printf(b, "lag_probe_key:%s\r\nlag_probe_samples:%llu\r\n"
		"lag_probe_rejected:%llu\r\nlag_probe_p50_us:%llu\r\n"
		"lag_probe_p99_us:%llu\r\nlag_probe_max_us:%llu\r\n"
		"lag_probe_last_us:%llu\r\nlag_probe_stamps_written:%llu\r\n",
		key,
		(unsigned long long)hist.count, rejected,
		(unsigned long long)st_hdr_percentile(&hist, 50),
		(unsigned long long)st_hdr_percentile(&hist, 99),
		(unsigned long long)(hist.count ? hist.max : 0),
		(unsigned long long)last_us,
		(unsigned long long)atomic_load_explicit(&ctl_repl_stats.lag_stamps,
							 memory_order_relaxed));
	pthread_mutex_unlock(&lock);
}

void
ctl_lagprobe_reset(void)
{
	pthread_mutex_lock(&lock);
	st_hdr_reset(&hist);
	hist_ready = 1;
	rejected = 0;
	last_us = 0;
	pthread_mutex_unlock(&lock);
}
