/*
 * le_rate.h -- the link emulator's bandwidth cap: a token bucket at line
 * rate (Ethernet overhead included) fed by a FIFO with a queue limit in
 * packets and bytes (tail drop when exceeded).
 *
 * Call chain (le_dir.c): RX -> loss -> le_rate_enqueue (tail drop) ...
 * le_rate_dequeue (when the head conforms) -> delay stage.
 *
 * A frame of len bytes (as the port gives it: no FCS) costs
 * max(len, 60) + overhead bytes on the wire; overhead defaults to 24
 * (FCS 4 + preamble/SFD 8 + inter-frame gap 12).  Tokens accrue at rate_bps
 * up to the bucket depth (burst bytes; a bucket smaller than the head frame
 * is treated as exactly one head frame deep) -- but only while the FIFO is
 * empty: while frames wait, the link is busy and tokens accrue without a
 * cap, so a poll that comes late (the emulator descheduled for a few ms)
 * releases every frame the link would have sent meanwhile instead of
 * losing that capacity, and le_rate_dequeue reports each frame's departure
 * time on the emulated link (when its tokens were complete, never before
 * it arrived) so the next stage can schedule from the link's time, not
 * from the late poll's.  rate_bps 0 means unlimited: the queue drains at
 * once.  The limits bound the FIFO: a packet that would
 * make it exceed limit_pkts packets or limit_bytes bytes (wire bytes; 0 =
 * no byte limit) is refused (-ENOBUFS).  The FIFO's storage is fixed at
 * LE_RATE_QUEUE_MAX packets.  Not thread safe: one owner.
 */
#ifndef LE_RATE_H
#define LE_RATE_H

#include <stdint.h>

#define LE_RATE_QUEUE_MAX 65536u	/* storage, power of two */
#define LE_RATE_OVERHEAD_DEFAULT 24u
#define LE_RATE_LIMIT_DEFAULT 1000u
#define LE_RATE_MIN_FRAME 60u

struct le_rate_cfg {
	uint64_t rate_bps;	/* 0: unlimited */
	uint64_t burst_bytes;	/* bucket depth (wire bytes) */
	uint32_t limit_pkts;	/* 1..LE_RATE_QUEUE_MAX */
	uint64_t limit_bytes;	/* 0: none */
	uint32_t overhead;	/* bytes added per frame */
};

struct le_rate_slot {
	void *pkt;
	uint32_t wire;		/* wire bytes */
	uint64_t t_in;		/* enqueue time (ticks) */
};

struct le_rate {
	struct le_rate_slot *ring;	/* LE_RATE_QUEUE_MAX slots */
	uint32_t head, tail;		/* free-running */
	uint64_t qbytes;		/* wire bytes queued */
	unsigned __int128 tokens;	/* bits * hz */
	uint64_t last;			/* ticks of the last refill */
	uint64_t hz;
};

/* Allocate the FIFO (malloc) for a clock of hz ticks per second; the bucket
 * starts full.  0 or -ENOMEM / -EINVAL. */
int
le_rate_init(struct le_rate *q, uint64_t hz, uint64_t now);

/* Free the FIFO (the payloads are the caller's: drain first). */
void
le_rate_fini(struct le_rate *q);

/* Wire bytes of a frame of len bytes under cfg. */
static inline uint32_t
le_rate_wire_bytes(const struct le_rate_cfg *cfg, uint32_t len)
{
	return (len < LE_RATE_MIN_FRAME ? LE_RATE_MIN_FRAME : len) +
	       cfg->overhead;
}

/* Append pkt (len bytes) at time now.  0, or -ENOBUFS when the limits
 * refuse it (tail drop: the caller frees it). */
int
le_rate_enqueue(struct le_rate *q, const struct le_rate_cfg *cfg, void *pkt,
		uint32_t len, uint64_t now);

/* The head packet if it conforms at now (its tokens are taken), else
 * NULL.  *dep (when dep is not NULL) gets its departure time on the
 * emulated link: the instant its tokens were complete (<= now; earlier
 * when this poll came late), never before it was enqueued. */
void *
le_rate_dequeue(struct le_rate *q, const struct le_rate_cfg *cfg, uint64_t now,
		uint64_t *dep);

/* Earliest time the head conforms: now if it does, UINT64_MAX when the
 * FIFO is empty. */
uint64_t
le_rate_next(struct le_rate *q, const struct le_rate_cfg *cfg, uint64_t now);

/* Remove and return the head regardless of tokens (draining), or NULL. */
void *
le_rate_pop_any(struct le_rate *q);

/* Packets queued. */
static inline uint32_t
le_rate_count(const struct le_rate *q)
{
	return q->tail - q->head;
}

#endif
