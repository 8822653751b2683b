/*
 * le_ctl.h -- the link emulator's control protocol: a pure function from
 * one text line to a configuration change and a reply, plus the renderers
 * for "show" and "stats".  No I/O, no DPDK: le_ctlsock.c carries the lines,
 * le_main.c applies the result.
 *
 * Protocol (unix stream socket, one command per line, '\n' or "\r\n";
 * every reply ends with a line starting "OK" or "ERR "; "stats", "show"
 * and "help" put their body lines before the final "OK"):
 *
 *   set DIR PARAM VALUE [PARAM VALUE ...]   DIR: a2b | b2a | both
 *       delay TIME        fixed one-way delay (TIME: 35ms, 500us, 1.5s,
 *                         250000ns; a bare number is ms)
 *       jitter TIME       uniform: +-TIME; normal: stddev TIME
 *       dist uniform|normal
 *       reorder on|off    off (default): jitter never reorders packets
 *       loss PCT          independent loss (PCT: 1%, 0.5, 100%; percent)
 *       ge P R BAD GOOD   Gilbert-Elliott: P(good->bad), P(bad->good),
 *                         loss in bad (1-h), loss in good (1-k), percent
 *       ge off
 *       dup PCT           duplicate packets
 *       rate RATE         bandwidth cap on the wire incl. Ethernet overhead
 *                         (RATE: 100mbit, 1.5gbit, 64kbit, 800bit; 0|off:
 *                         unlimited)
 *       burst SIZE        token bucket depth (SIZE: 1514, 64kb, 1mb; bytes)
 *       limit N           rate queue limit, packets (1..65536)
 *       limit-bytes SIZE  rate queue limit, wire bytes (0: none)
 *       overhead N        bytes added per frame on the wire (default 24)
 *       partition on|off  drop everything in DIR
 *   partition on|off [DIR]   (DIR defaults to both)
 *   reset [DIR]           back to the defaults (no impairment)
 *   show                  the configuration, one "set" line per direction
 *   stats                 counters, one line per direction (key=value)
 *   stats json            counters as one JSON object
 *   stats reset           zero the counters
 *   help                  this list
 *   quit                  close the connection
 *
 * A "set" line is applied whole or not at all.  Errors: "ERR <text>".
 */
#ifndef LE_CTL_H
#define LE_CTL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "le_delay.h"
#include "le_loss.h"
#include "le_rate.h"

enum le_dir_id {
	LE_A2B,
	LE_B2A,
	LE_NDIR
};

extern const char *const le_dir_names[LE_NDIR];	/* "a2b", "b2a" */

/* Everything that shapes one direction. */
struct le_dir_cfg {
	struct le_delay_cfg delay;
	struct le_loss_cfg loss;
	struct le_rate_cfg rate;
	double dup;		/* duplication probability, 0..1 */
	bool partition;
};

#define LE_LATE_BUCKETS 10
/* Upper bounds (us) of the lateness buckets; the last is open. */
extern const unsigned le_late_bounds_us[LE_LATE_BUCKETS - 1];

/* Counters of one direction (written by the forwarding thread only). */
struct le_dir_stats {
	uint64_t received;	/* frames read from the ingress port */
	uint64_t forwarded;	/* frames handed to the egress port */
	uint64_t delayed;	/* frames held with a non-zero delay */
	uint64_t duplicated;	/* extra copies made */
	uint64_t drop_loss;	/* Bernoulli loss */
	uint64_t drop_burst;	/* Gilbert-Elliott loss */
	uint64_t drop_queue;	/* rate queue limit (tail drop) */
	uint64_t drop_overflow;	/* delay queue full */
	uint64_t drop_partition;
	uint64_t drop_nombuf;	/* no mbuf for a duplicate */
	uint64_t drop_tx;	/* egress port refused */
	uint64_t queue_depth;	/* now: rate queue + delay queue */
	uint64_t queue_depth_max;
	uint64_t late_max_ns;	/* TX time - release time */
	uint64_t late_sum_ns;
	uint64_t late_hist[LE_LATE_BUCKETS];
};

enum le_ctl_op {
	LE_CTL_EMPTY,		/* blank line: no reply */
	LE_CTL_CONFIG,		/* cfg changed; reply "OK" */
	LE_CTL_ERROR,		/* reply "ERR ..." */
	LE_CTL_REPLY,		/* reply filled (show, help), nothing to do */
	LE_CTL_STATS,		/* caller renders le_ctl_format_stats(text) */
	LE_CTL_STATS_JSON,	/* caller renders le_ctl_format_stats(json) */
	LE_CTL_STATS_RESET,	/* caller zeroes the counters; reply "OK" */
	LE_CTL_QUIT,		/* reply "OK", then close */
};

/* Defaults: no delay, no loss, unlimited rate, limit 1000 packets,
 * overhead 24, not partitioned. */
void
le_dir_cfg_defaults(struct le_dir_cfg *cfg);

/*
 * Execute one line (without or with its '\n') against cfg[LE_NDIR].
 * Pure: touches only cfg and reply.  cfg is changed only for LE_CTL_CONFIG
 * (and then consistently).  reply (len >= 64; 4096 holds "help") gets the
 * whole reply, each line '\n'-terminated, except for LE_CTL_STATS and
 * LE_CTL_STATS_JSON, where the caller writes the counters.
 */
enum le_ctl_op
le_ctl_execute(const char *line, struct le_dir_cfg cfg[LE_NDIR], char *reply,
	       size_t len);

/* Apply a parameter list ("delay 35ms loss 1%": the part of a "set" line
 * after DIR) to cfg, whole or not at all (command-line --a2b/--b2a/--both).
 * 0, or -EINVAL with a message in err. */
int
le_ctl_parse_spec(const char *spec, struct le_dir_cfg *cfg, char *err,
		  size_t errlen);

/* Render cfg as "DIR delay ... partition off\n" (the "set" syntax).
 * Returns the length written (snprintf semantics). */
int
le_ctl_format_cfg(const char *dir, const struct le_dir_cfg *cfg, char *buf,
		  size_t len);

/* Render the counters of both directions, text (one line per direction)
 * or JSON (one line), followed by "OK\n".  Returns the length (snprintf
 * semantics). */
int
le_ctl_format_stats(const struct le_dir_stats st[LE_NDIR], bool json,
		    char *buf, size_t len);

#endif
