/*
 * repl_lagprobe.h -- the replica's replication-lag probe: how long writes
 * take from the primary's client to this replica, measured where the
 * replica applies them.
 *
 * With `repl-lag-probe-key K` set (ferry's parameter; "" = off, the
 * default), every `SET K V ...` the master link applies whose V is a
 * wall-clock stamp -- unix time in milliseconds, decimal, a fraction
 * allowed (tools/geo_watch.py stamp writes "%.3f") -- records
 * now - V in microseconds, now read (CLOCK_REALTIME) right after the
 * command was applied.  The figure is the replication lag plus the
 * writer's own time from reading its clock to the primary applying the
 * SET; it means something only where the writer and the replica share a
 * clock (one machine: the emulated regions of tools/geo.sh; across hosts
 * the clocks' offset adds in).  Stamps that do not parse, or lie in the
 * future (a negative lag), are counted apart and not recorded.
 *
 * The stamps usually come from a client (tools/geo_watch.py stamp), so
 * the figure includes that client's way to the primary.  With
 * `repl-lag-probe-ms N` on the primary (ferry's; 0 = off) the primary
 * writes the SET itself every N ms (repl_core.c, lag_stamp) while it has
 * replicas: the replica then measures from the primary's write alone.
 *
 * INFO replication shows, while the key is set: lag_probe_key,
 * lag_probe_samples, lag_probe_rejected, lag_probe_p50_us,
 * lag_probe_p99_us, lag_probe_max_us, lag_probe_last_us (the histogram:
 * store/hdr.h, relative error < 0.1%), lag_probe_stamps_written (by this
 * process as a primary).  CONFIG RESETSTAT empties the histogram.
 *
 * Concurrency: the module holds one histogram behind one mutex; observe
 * runs on the master link's thread, only for commands whose key matches
 * (a compare against the cached key otherwise), info and reset on any
 * worker; none of them blocks on anything but that mutex.  The cached key
 * is re-read from the configuration by ctl_lagprobe_refresh (the link's
 * cron, at most every CTL_LAGPROBE_REFRESH_MS), so a CONFIG SET takes
 * effect within that time.
 */
#ifndef CTL_REPL_LAGPROBE_H
#define CTL_REPL_LAGPROBE_H

#include <stddef.h>
#include <stdint.h>

#include "resp_parse.h"

struct st_buf;

#define CTL_LAGPROBE_REFRESH_MS 100
#define CTL_LAGPROBE_KEY_MAX 256	/* longer keys are not accepted */

/* Re-read repl-lag-probe-key if CTL_LAGPROBE_REFRESH_MS passed since the
 * last read, or the clock went back (now_ms: the link's clock, ms).  The
 * master link's thread. */
void ctl_lagprobe_refresh(int64_t now_ms);

/* A command the master link has just applied: argv[] slices of 'base'.
 * If it is SET of the probe key, reads the clock (st_ustime) and records
 * its lag, or counts the stamp rejected.  The master link's thread. */
void ctl_lagprobe_observe(const char *base, const struct st_slice *argv,
			  int argc);

/* Parse a stamp (unix ms, optional fraction) into microseconds: 0, or
 * -EINVAL for anything else (empty, signs, junk, > 2^53 us).  Any thread. */
int ctl_lagprobe_parse_stamp(const char *p, size_t len, int64_t *us);

/* Append the lag_probe_* lines of INFO replication (nothing while the
 * probe is off).  Any worker thread. */
void ctl_lagprobe_info(struct st_buf *b);

/* Empty the histogram and counters (CONFIG RESETSTAT).  Any thread. */
void ctl_lagprobe_reset(void);

#endif
