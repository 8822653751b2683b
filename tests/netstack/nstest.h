/*
 * nstest.h -- the netstack test harness: one dp_core wired to a fake port,
 * frame builders and parsers, virtual time, mbuf leak check.
 *
 * HOW TO USE
 *   struct nst *t = nst_create(0);     // EAL (once per process), pool, core
 *   // our side: NST_IP 198.18.0.2/24, MAC NST_MAC, gateway NST_GW_IP;
 *   // the peer: NST_PEER_IP / NST_PEER_MAC.  Static ARP entries for peer and
 *   // gateway exist unless NST_F_NO_STATIC_ARP, so TCP tests see no ARP.
 *   t->poll_hook = dp_tcp_flush;       // optional, run after each input
 *   t->timer_hook = dp_tcp_timers;     // optional, run by nst_advance
 *   t->fini_hook = dp_tcp_stack_fini;  // optional, run first by nst_destroy
 *
 *   struct nst_tcp s;
 *   nst_tcp_defaults(t, &s);           // peer:40000 -> us:6379, win 65535
 *   s.flags = RTE_TCP_SYN_FLAG; s.seq = 1000; s.opt.mss = 1460;
 *   nst_input_tcp(t, &s);              // build, receive, poll, flush
 *
 *   struct nst_frame f;                // what the stack sent, oldest first
 *   assert_true(nst_pop(t, &f));
 *   struct nst_tcp r;
 *   assert_int_equal(nst_parse_tcp(&f, &r), 0);
 *   assert_true(r.ip_cksum_ok && r.l4_cksum_ok);   // checked independently
 *   assert_int_equal(r.flags, RTE_TCP_SYN_FLAG | RTE_TCP_ACK_FLAG);
 *
 *   nst_advance(t, 200000);            // +200 ms: ARP + timer_hook, flush
 *   assert_int_equal(nst_destroy(t), 0);   // 0 = no mbuf leaked
 *
 * cmocka: nst_setup / nst_teardown are group-or-test fixtures
 * (state = struct nst *); nst_teardown fails the test on a leak.
 *
 * Conventions: addresses and ports are host order in every struct here;
 * builders write into a caller buffer and return the frame length (0 if it
 * does not fit); parsers return 0 or -1 (not that kind of frame, or
 * truncated); payload pointers of parsed structs point into the frame.
 * Checksums are verified with the harness's own byte-wise implementation,
 * independent of DPDK's and the stack's.  Nothing here depends on TCP code.
 */
#ifndef NSTEST_H
#define NSTEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <rte_ether.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>
#include <rte_tcp.h>

#include "dp_core.h"
#include "dp_port.h"
#include "fake_port.h"

#define NST_IP		0xc6120002u	/* 198.18.0.2, ours */
#define NST_PREFIX	24
#define NST_GW_IP	0xc6120001u	/* 198.18.0.1 */
#define NST_PEER_IP	0xc612000au	/* 198.18.0.10 */
#define NST_FAR_IP	0xc6130105u	/* 198.19.1.5, off-link (via gateway) */
#define NST_MAC		{ { 0x02, 0x00, 0x00, 0x00, 0x00, 0x02 } }
#define NST_GW_MAC	{ { 0x02, 0x00, 0x00, 0x00, 0x00, 0x01 } }
#define NST_PEER_MAC	{ { 0x02, 0x00, 0x00, 0x00, 0x00, 0x0a } }
#define NST_START_US	1000000000ull	/* core->now_us at creation */
/* the second port (nst_add_port2): another link, no gateway */
#define NST2_IP		0xc6123d01u	/* 198.18.61.1, ours */
#define NST2_PREFIX	24
#define NST2_PEER_IP	0xc6123d02u	/* 198.18.61.2 */
#define NST2_MAC	{ { 0x02, 0x00, 0x00, 0x00, 0x3d, 0x01 } }
#define NST2_PEER_MAC	{ { 0x02, 0x00, 0x00, 0x00, 0x3d, 0x02 } }

#define NST_FRAME_MAX	9216

/* nst_create flags */
#define NST_F_NO_STATIC_ARP	(1u << 0)	/* empty ARP cache */
#define NST_F_OFFLOADS		(1u << 1)	/* port offers IP+TCP cksum */
#define NST_F_NO_MULTI_SEGS	(1u << 2)	/* port cannot send chains
						 * (else DP_OFF_MULTI_SEGS:
						 * TCP zero copy) */

struct nst {
	struct rte_mempool *pool;
	struct fake_port fp;
	struct dp_port port;
	struct dp_core core;
	/* a second port, after nst_add_port2 (core.ports[1]) */
	struct fake_port fp2;
	struct dp_port port2;
	bool has_port2;
	unsigned avail0;		/* pool free count at creation */
	struct rte_ether_addr mac, gw_mac, peer_mac;
	void (*poll_hook)(struct dp_core *core);
	void (*timer_hook)(struct dp_core *core);
	void (*fini_hook)(struct dp_core *core);
};

/* A frame the stack sent, copied out of its mbuf. */
struct nst_frame {
	uint8_t data[NST_FRAME_MAX];
	uint32_t len;
	uint64_t ol_flags;		/* as the stack set them */
	uint16_t nb_segs;
	uint16_t l2_len, l3_len;	/* as the stack set them */
};

/* EAL with --no-huge --no-pci -m 256 --file-prefix nstest_<pid>
 * --no-telemetry --log-level=error, once per process.  0 or -1. */
int nst_eal_init(void);
/* The process-wide test pool (8191 mbufs, no cache). */
struct rte_mempool *nst_pool(void);

/* A fresh core + fake port (ARP initialised, announce NOT sent).  NULL on
 * failure (message on stderr). */
struct nst *nst_create(unsigned flags);
/* fini_hook, flush, drop everything queued, dp_arp_fini, free t.  Returns
 * the number of mbufs leaked (0 = clean), printing a message if any. */
int nst_destroy(struct nst *t);
/* cmocka fixtures: *state = nst_create(0) / nst_destroy (fails on leak). */
int nst_setup(void **state);
int nst_setup_no_arp(void **state);	/* NST_F_NO_STATIC_ARP */
int nst_teardown(void **state);
/* mbufs currently out of the pool (held by the stack or the fake port). */
unsigned nst_mbufs_in_use(const struct nst *t);

/* A fresh mbuf from the test pool holding a copy of data (one segment,
 * default headroom), e.g. an L4 segment for dp_ipv4_output.  NULL if the
 * pool is empty or len exceeds one buffer. */
struct rte_mbuf *nst_mbuf(struct nst *t, const void *data, uint32_t len);

/* Give the core a second fake port: NST2_IP/NST2_PREFIX, MAC NST2_MAC, no
 * gateway, MTU 1500, the same offloads as the first.  nst_poll polls it
 * after the first (core.rx_port 1).  0 or -1. */
int nst_add_port2(struct nst *t);
/* Queue a frame for reception on the second port.  0 or -1. */
int nst_inject2(struct nst *t, const void *frame, uint32_t len);
/* Frames the stack sent on the second port; pop the oldest (as nst_pop). */
unsigned nst_sent_count2(const struct nst *t);
bool nst_pop2(struct nst *t, struct nst_frame *f);

/* ---- receive side ---- */
/* Queue a frame for reception (copied into one mbuf, or a chain of
 * seg_len-byte segments when seg_len != 0 or the frame is too large for
 * one).  0 or -1. */
int nst_inject(struct nst *t, const void *frame, uint32_t len);
int nst_inject_segmented(struct nst *t, const void *frame, uint32_t len,
			 uint32_t seg_len);
/* One loop iteration: every queued frame -> dp_eth_input, poll_hook,
 * dp_core_tx_flush.  Returns the frames received. */
unsigned nst_poll(struct nst *t);
/* nst_inject + nst_poll.  0 or -1. */
int nst_input(struct nst *t, const void *frame, uint32_t len);

/* ---- time ---- */
/* now_us += us, then dp_arp_timers, timer_hook, poll_hook, flush. */
void nst_advance(struct nst *t, uint64_t us);
/* nst_advance in steps of step_us (timers fire at each step). */
void nst_advance_by_steps(struct nst *t, uint64_t us, uint64_t step_us);

/* ---- transmit side ---- */
unsigned nst_sent_count(const struct nst *t);
/* Pop the oldest frame sent (copied into f, the mbuf freed). */
bool nst_pop(struct nst *t, struct nst_frame *f);
/* Free every sent frame not popped; returns how many. */
unsigned nst_clear_sent(struct nst *t);
/* Drop counter shortcut. */
static inline uint64_t
nst_drops(const struct nst *t, enum dp_drop why)
{
	return t->core.stats.drops[why];
}

/* ---- checksums (independent implementation) ---- */
/* One's complement sum of len bytes as big-endian 16-bit words, plus
 * init, folded (host order).  A correct checksummed region sums to 0xffff. */
uint16_t nst_sum16(const void *p, size_t len, uint32_t init);
/* Pseudo-header sum for the TCP/UDP checksum. */
uint32_t nst_pseudo_sum(uint32_t src, uint32_t dst, uint8_t proto,
			uint16_t l4len);

/* ---- frames ---- */
struct nst_eth {
	struct rte_ether_addr dst, src;
	uint16_t type;
};

struct nst_arp {
	struct nst_eth eth;
	uint16_t op;			/* 1 request, 2 reply */
	struct rte_ether_addr sha, tha;
	uint32_t spa, tpa;
	/* builder only: header field overrides when nonzero */
	uint16_t hrd, pro;
	uint8_t hln, pln;
};

struct nst_ip {
	struct nst_eth eth;
	uint8_t version;		/* 0 -> 4 */
	uint8_t ihl;			/* words; 0 -> 5 (options zero-filled) */
	uint8_t tos, ttl;		/* ttl 0 -> 64 when building */
	uint16_t tot_len;		/* 0 -> computed */
	uint16_t id;
	uint16_t frag;			/* flags+offset field, host order */
	uint8_t proto;
	uint32_t src, dst;
	bool bad_cksum;			/* builder: corrupt the header sum */
	bool cksum_ok;			/* parser */
	/* parser: the L4 part, by total length */
	const uint8_t *l4;
	uint32_t l4_len;
};

struct nst_icmp {
	struct nst_ip ip;
	uint8_t type, code;
	uint16_t id, seq;		/* echo */
	const uint8_t *data;
	uint32_t data_len;
	bool bad_cksum;			/* builder */
	bool cksum_ok;			/* parser */
};

struct nst_tcp_opts {
	uint16_t mss;			/* 0 = absent */
	int ws;				/* -1 = absent (nst_tcp_defaults) */
	bool sack_perm;
	bool ts;
	uint32_t tsval, tsecr;
	uint8_t nsack;			/* SACK blocks, <= 4 */
	struct { uint32_t left, right; } sack[4];
	/* builder: use these raw option bytes instead (padded to 4) */
	const uint8_t *raw;
	uint8_t raw_len;
};

struct nst_tcp {
	struct nst_ip ip;		/* eth + addresses; proto forced to 6 */
	uint16_t sport, dport;
	uint32_t seq, ack;
	uint8_t flags;			/* RTE_TCP_*_FLAG */
	uint16_t win, urp;
	struct nst_tcp_opts opt;
	const uint8_t *payload;
	uint32_t len;
	bool bad_cksum;			/* builder */
	/* parser */
	uint8_t doff;			/* header length in bytes */
	bool ip_cksum_ok, l4_cksum_ok;
	uint8_t nunknown_opts;		/* options the parser did not know */
};

uint32_t nst_build_eth(uint8_t *buf, uint32_t cap, const struct nst_eth *e,
		       const void *payload, uint32_t len);
uint32_t nst_build_arp(uint8_t *buf, uint32_t cap, const struct nst_arp *a);
uint32_t nst_build_ipv4(uint8_t *buf, uint32_t cap, const struct nst_ip *ip,
			const void *l4, uint32_t l4_len);
uint32_t nst_build_icmp(uint8_t *buf, uint32_t cap, const struct nst_icmp *ic);
uint32_t nst_build_tcp(uint8_t *buf, uint32_t cap, const struct nst_tcp *s);

/* Defaults: peer -> us at Ethernet and IP (TTL 64, DF), and for TCP ports
 * 40000 -> 6379, window 65535, no options (opt.ws = -1). */
void nst_ip_defaults(const struct nst *t, struct nst_ip *ip, uint8_t proto);
void nst_icmp_echo_defaults(const struct nst *t, struct nst_icmp *ic,
			    uint16_t id, uint16_t seq, const void *data,
			    uint32_t len);
void nst_tcp_defaults(const struct nst *t, struct nst_tcp *s);
/* An ARP request from the peer asking for tpa. */
void nst_arp_request_defaults(const struct nst *t, struct nst_arp *a,
			      uint32_t tpa);

/* Build + nst_input.  0 or -1. */
int nst_input_tcp(struct nst *t, const struct nst_tcp *s);
int nst_input_icmp(struct nst *t, const struct nst_icmp *ic);
int nst_input_arp(struct nst *t, const struct nst_arp *a);

int nst_parse_eth(const struct nst_frame *f, struct nst_eth *e);
int nst_parse_arp(const struct nst_frame *f, struct nst_arp *a);
int nst_parse_ipv4(const struct nst_frame *f, struct nst_ip *ip);
int nst_parse_icmp(const struct nst_frame *f, struct nst_icmp *ic);
int nst_parse_tcp(const struct nst_frame *f, struct nst_tcp *s);

/* Pop the next sent frame and parse it as TCP.  0 or -1 (none / not TCP). */
int nst_pop_tcp(struct nst *t, struct nst_tcp *s, struct nst_frame *f);

#endif
