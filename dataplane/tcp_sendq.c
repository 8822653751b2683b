/*
 * tcp_sendq.c -- a connection's send queue: a FIFO of refcounted blocks of
 * DPDK heap memory that TX frames reference (zero copy at transmit and
 * retransmit), and the reserve/commit API that lets the application
 * compose its bytes straight into it.
 *
 * Call chains:
 *   app -> dp_tcp_send | dp_tcp_send_reserve / dp_tcp_send_commit (tcp.c)
 *       -> dp_tcp_sq_reserve / dp_tcp_sq_commit
 *   tcp_in.c ACK processing -> dp_tcp_sq_drop (fully ACKed blocks released)
 *   dp_tcp_send_segment (tcp_out.c) -> dp_tcp_sq_attach (zero copy: one
 *       indirect mbuf per block touched, rte_pktmbuf_attach_extbuf) or
 *       dp_tcp_sq_copy (short segments, ports without multi-segment TX)
 *   PMD / fake port / core TX queue frees the frame -> rte_pktmbuf_free ->
 *       shinfo refcount -> tcp_sblk_free_cb (the last reference)
 *
 * A block: rte_malloc_socket memory (IOVA-valid: a NIC can DMA from it)
 * holding a struct rte_mbuf_ext_shared_info and the bytes.  Its refcount
 * is 1 for the queue while the block is queued, plus 1 per attached mbuf;
 * the block is freed when the count drops to 0, whoever drops it last (the
 * queue once every byte in it is ACKed, or the last frame's free).  The
 * queue holds bytes [head, tail) of each block; the bytes from snd_una on
 * are the concatenation, sbuf_len of them, bounded by sbuf_size (snd_buf).
 *
 * Sizes: the first block is TCP_SQ_MIN_BLOCK (idle connections stay
 * cheap), each new block doubles the last one up to TCP_SQ_MAX_BLOCK (a
 * reservation wanting more gets a block of its size).  An emptied block
 * that is the queue's only one, at most TCP_SQ_KEEP_MAX bytes and
 * referenced by no frame is kept and rewound (request / response traffic
 * allocates nothing, an idle connection holds one small block); others go
 * back to the heap.
 *
 * Indirect mbufs come from a small per-core pool with no data room
 * (created at stack init, shared by the stacks of the same core id in a
 * process, never freed: frames may outlive a stack), so queued send data
 * never takes mbufs from the RX pool.  An empty pool falls back to the
 * copy path.
 *
 * Threads: a connection's queue is touched by its core only.  The free
 * callback runs where the frame is freed (the core itself for every
 * ferry port); the process-wide block counters are atomic.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <rte_common.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>

#include "dp_core.h"
#include "tcp_priv.h"

struct dp_tcp_sblk {
	struct dp_tcp_sblk *next;
	uint32_t size;			/* bytes of data[] */
	uint32_t head, tail;		/* queued: [head, tail) */
	rte_iova_t iova;		/* of data[0] */
	struct rte_mbuf_ext_shared_info shinfo;
	uint8_t data[] __rte_cache_aligned;
};

static uint64_t sq_blocks_alive, sq_bytes_alive;

uint64_t
dp_tcp_sq_blocks_alive(void)
{
	return __atomic_load_n(&sq_blocks_alive, __ATOMIC_RELAXED);
}

uint64_t
dp_tcp_sq_bytes_alive(void)
{
	return __atomic_load_n(&sq_bytes_alive, __ATOMIC_RELAXED);
}

static void
tcp_sblk_free_cb(void *addr, void *opaque)
{
	struct dp_tcp_sblk *b = opaque;

	(void)addr;
#ifndef NDEBUG
	/* poison: a frame still pointing here shows wrong bytes in tests */
	memset(b->data, 0xdb, b->size);
#endif
	__atomic_fetch_sub(&sq_blocks_alive, 1, __ATOMIC_RELAXED);
	__atomic_fetch_sub(&sq_bytes_alive, b->size, __ATOMIC_RELAXED);
	rte_free(b);
}

/* Drop the queue's reference: freed now, or by the last frame's free. */
static void
tcp_sblk_release(struct dp_tcp_sblk *b)
{
	if (rte_mbuf_ext_refcnt_update(&b->shinfo, (int16_t)-1) == 0)
		tcp_sblk_free_cb(NULL, b);
}

static struct dp_tcp_sblk *
tcp_sblk_alloc(uint32_t size)
{
	struct dp_tcp_sblk *b;
	int socket = (int)rte_socket_id();

	b = rte_malloc_socket("tcp_sq", sizeof(*b) + size, RTE_CACHE_LINE_SIZE,
			      socket);
	if (b == NULL && socket != SOCKET_ID_ANY)
		b = rte_malloc_socket("tcp_sq", sizeof(*b) + size,
				      RTE_CACHE_LINE_SIZE, SOCKET_ID_ANY);
	if (b == NULL)
		return NULL;
	b->next = NULL;
	b->size = size;
	b->head = b->tail = 0;
	b->iova = rte_malloc_virt2iova(b);
	if (b->iova != RTE_BAD_IOVA)
		b->iova += offsetof(struct dp_tcp_sblk, data);
	b->shinfo.free_cb = tcp_sblk_free_cb;
	b->shinfo.fcb_opaque = b;
	rte_mbuf_ext_refcnt_set(&b->shinfo, 1);
	__atomic_fetch_add(&sq_blocks_alive, 1, __ATOMIC_RELAXED);
	__atomic_fetch_add(&sq_bytes_alive, size, __ATOMIC_RELAXED);
	return b;
}

static bool
tcp_sblk_unreferenced(const struct dp_tcp_sblk *b)
{
	return rte_mbuf_ext_refcnt_read(&b->shinfo) == 1;
}

void
dp_tcp_sq_free(struct dp_tcp_conn *c)
{
	struct dp_tcp_sblk *b = c->sq_head;

	while (b != NULL) {
		struct dp_tcp_sblk *next = b->next;

		tcp_sblk_release(b);
		b = next;
	}
	c->sq_head = c->sq_tail = c->sq_cur = NULL;
	c->sq_cur_off = 0;
	c->sbuf_len = 0;
}

/* Unlink the empty tail block t (rare: a reservation committed 0 bytes and
 * the next one needs a bigger block). */
static void
tcp_sq_drop_tail(struct dp_tcp_conn *c, struct dp_tcp_sblk *t)
{
	struct dp_tcp_sblk *p = NULL;

	if (c->sq_head != t) {
		p = c->sq_head;
		while (p->next != t)
			p = p->next;
		p->next = NULL;
	} else {
		c->sq_head = NULL;
	}
	c->sq_tail = p;
	if (c->sq_cur == t)
		c->sq_cur = NULL;
	tcp_sblk_release(t);
}

size_t
dp_tcp_sq_reserve(struct dp_tcp_conn *c, size_t want, uint8_t **p)
{
	uint32_t space = c->sbuf_size - c->sbuf_len;
	uint32_t goal = want < space ? (uint32_t)want : space;
	struct dp_tcp_sblk *t = c->sq_tail, *b;
	uint32_t size, free_at_tail = 0;

	*p = NULL;
	if (space == 0)
		return 0;
	if (t != NULL) {
		if (t->head == t->tail && tcp_sblk_unreferenced(t))
			t->head = t->tail = 0;	/* empty: rewind */
		free_at_tail = t->size - t->tail;
		if (free_at_tail > space)
			free_at_tail = space;
		if (free_at_tail > 0 && free_at_tail >= goal) {
			*p = t->data + t->tail;
			return free_at_tail;
		}
		if (want == 0)
			return 0;
	} else if (want == 0) {
		return 0;
	}
	/* a new block: double the last one, at least what is wanted */
	size = t != NULL ? t->size * 2 : TCP_SQ_MIN_BLOCK;
	if (size > TCP_SQ_MAX_BLOCK)
		size = TCP_SQ_MAX_BLOCK;
	if (size < TCP_SQ_MIN_BLOCK)
		size = TCP_SQ_MIN_BLOCK;
	if (goal > size)
		size = rte_align32pow2(goal);
	if (size == 0)			/* goal above 2^31 */
		size = goal;
	b = tcp_sblk_alloc(size);
	if (b == NULL) {
		if (free_at_tail > 0) {
			*p = t->data + t->tail;
			return free_at_tail;
		}
		return 0;
	}
	if (t != NULL && t->head == t->tail) {
		tcp_sq_drop_tail(c, t);	/* empty, nothing queued in it */
		t = c->sq_tail;
	}
	if (t != NULL)
		t->next = b;
	else
		c->sq_head = b;
	c->sq_tail = b;
	*p = b->data;
	return size < space ? size : space;
}

void
dp_tcp_sq_commit(struct dp_tcp_conn *c, size_t n)
{
	struct dp_tcp_sblk *t = c->sq_tail;

	if (n == 0 || t == NULL)
		return;
	if (n > t->size - t->tail)
		n = t->size - t->tail;	/* contract violation: clamp */
	if (n > c->sbuf_size - c->sbuf_len)
		n = c->sbuf_size - c->sbuf_len;
	t->tail += (uint32_t)n;
	c->sbuf_len += (uint32_t)n;
}

void
dp_tcp_sq_drop(struct dp_tcp_conn *c, uint32_t n)
{
	struct dp_tcp_sblk *b;

	if (n > c->sbuf_len)
		n = c->sbuf_len;
	c->sbuf_len -= n;
	/* the dropped bytes lay before the cursor's block or at its head */
	if (c->sq_cur != NULL)
		c->sq_cur_off = c->sq_cur_off > n ? c->sq_cur_off - n : 0;
	while ((b = c->sq_head) != NULL) {
		uint32_t k = b->tail - b->head;

		if (k > n)
			k = n;
		b->head += k;
		n -= k;
		if (b->head != b->tail)
			break;
		if (b == c->sq_tail) {
			/* the last block, emptied: keep a small unreferenced
			 * one for the next reply */
			if (b->size <= TCP_SQ_KEEP_MAX &&
			    tcp_sblk_unreferenced(b)) {
				b->head = b->tail = 0;
				break;
			}
			c->sq_head = c->sq_tail = NULL;
		} else {
			c->sq_head = b->next;
		}
		if (c->sq_cur == b)
			c->sq_cur = NULL;
		tcp_sblk_release(b);
	}
	if (c->sq_cur == NULL)
		c->sq_cur_off = 0;
}

/* The block holding queue offset off (bytes after snd_una), and off's
 * index in its data[]; NULL past the queued bytes. */
static struct dp_tcp_sblk *
tcp_sq_find(struct dp_tcp_conn *c, uint32_t off, uint32_t *at)
{
	struct dp_tcp_sblk *b = c->sq_head;
	uint32_t base = 0;

	if (c->sq_cur != NULL && off >= c->sq_cur_off) {
		b = c->sq_cur;
		base = c->sq_cur_off;
	}
	while (b != NULL && off - base >= b->tail - b->head) {
		base += b->tail - b->head;
		b = b->next;
	}
	if (b == NULL)
		return NULL;
	c->sq_cur = b;
	c->sq_cur_off = base;
	*at = b->head + (off - base);
	return b;
}

uint32_t
dp_tcp_sq_copy(struct dp_tcp_conn *c, uint32_t off, uint8_t *dst,
	       uint32_t len)
{
	uint32_t done = 0, at;
	struct dp_tcp_sblk *b = tcp_sq_find(c, off, &at);

	while (b != NULL && done < len) {
		uint32_t n = b->tail - at;

		if (n > len - done)
			n = len - done;
		memcpy(dst + done, b->data + at, n);
		done += n;
		b = b->next;
		if (b != NULL)
			at = b->head;
	}
	return done;
}

int
dp_tcp_sq_attach(struct dp_core *core, struct dp_tcp_conn *c, uint32_t off,
		 uint32_t len, struct rte_mbuf *m)
{
	struct rte_mempool *pool = core->tcp->zc_pool;
	struct rte_mbuf *seg[TCP_ZC_MAX_SEGS], *last;
	struct dp_tcp_sblk *blk[TCP_ZC_MAX_SEGS];
	uint32_t at[TCP_ZC_MAX_SEGS], n[TCP_ZC_MAX_SEGS];
	unsigned k = 0;
	uint32_t done = 0, a;
	struct dp_tcp_sblk *b;

	if (pool == NULL)
		return -ENOTSUP;
	b = tcp_sq_find(c, off, &a);
	/* the pieces: one per block; a piece that is not the last must be
	 * even-sized (PMDs that sum segments separately, e.g. net_tap's
	 * checksum offload, get odd boundaries wrong) */
	while (done < len) {
		if (b == NULL || k == TCP_ZC_MAX_SEGS)
			return -EINVAL;
		n[k] = b->tail - a;
		if (n[k] > len - done)
			n[k] = len - done;
		if (b->iova == RTE_BAD_IOVA)
			return -EINVAL;
		blk[k] = b;
		at[k] = a;
		done += n[k];
		if (done < len && (n[k] & 1))
			return -EINVAL;
		k++;
		b = b->next;
		if (b != NULL)
			a = b->head;
	}
	if (m->nb_segs + k > RTE_MBUF_MAX_NB_SEGS)
		return -EINVAL;
	if (rte_pktmbuf_alloc_bulk(pool, seg, k) != 0)
		return -ENOBUFS;
	last = rte_pktmbuf_lastseg(m);
	for (unsigned i = 0; i < k; i++) {
		rte_mbuf_ext_refcnt_update(&blk[i]->shinfo, 1);
		rte_pktmbuf_attach_extbuf(seg[i], blk[i]->data + at[i],
					  blk[i]->iova + at[i],
					  (uint16_t)n[i], &blk[i]->shinfo);
		seg[i]->data_len = (uint16_t)n[i];
		seg[i]->pkt_len = n[i];
		last->next = seg[i];
		last = seg[i];
	}
	m->nb_segs = (uint16_t)(m->nb_segs + k);
	m->pkt_len += len;
	return 0;
}

struct rte_mempool *
dp_tcp_sq_pool(unsigned core_id)
{
	char name[RTE_MEMPOOL_NAMESIZE];
	struct rte_mempool *mp;

	snprintf(name, sizeof(name), "dp_tcpzc_%u", core_id);
	mp = rte_mempool_lookup(name);
	if (mp != NULL)
		return mp;
	mp = rte_pktmbuf_pool_create(name, TCP_ZC_POOL_SIZE, 64, 0, 0,
				     (int)rte_socket_id());
	if (mp == NULL)
		mp = rte_mempool_lookup(name);	/* raced with another */
	return mp;
}
