/*
 * nstest.c -- the netstack test harness (see nstest.h).
 *
 * Call chains:
 *   nst_input -> nst_inject -> fake_port_inject;  nst_poll -> dp_port_rx ->
 *   dp_eth_input -> ... -> poll_hook -> dp_core_tx_flush -> fake_port
 *   nst_advance -> dp_arp_timers, timer_hook, poll_hook, dp_core_tx_flush
 *   nst_pop -> fake_port_pop_tx -> copy -> free
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <netinet/in.h>

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_lcore.h>
#include <rte_log.h>

#include "dp_arp.h"
#include "dp_eth.h"
#include "nstest.h"

#define NST_POOL_SIZE 8191
#define NST_BURST 32

static struct rte_mempool *nst_the_pool;
static bool nst_eal_done;

int
nst_eal_init(void)
{
	char prefix[64];
	char *argv[] = {
		"nstest", "--no-huge", "--no-pci", "-m", "256",
		"--file-prefix", prefix, "--no-telemetry",
		"--log-level=error", "-l", "0", NULL
	};
	int argc = (int)(sizeof(argv) / sizeof(argv[0])) - 1;

	if (nst_eal_done)
		return 0;
	snprintf(prefix, sizeof(prefix), "nstest_%d", (int)getpid());
	if (rte_eal_init(argc, argv) < 0) {
		fprintf(stderr, "nstest: rte_eal_init: %s\n",
			rte_strerror(rte_errno));
		return -1;
	}
	nst_eal_done = true;
	return 0;
}

struct rte_mempool *
nst_pool(void)
{
	if (nst_the_pool != NULL)
		return nst_the_pool;
	if (nst_eal_init() != 0)
		return NULL;
	nst_the_pool = rte_pktmbuf_pool_create("nst_pool", NST_POOL_SIZE, 0, 0,
					       RTE_MBUF_DEFAULT_BUF_SIZE,
					       rte_socket_id());
	if (nst_the_pool == NULL)
		fprintf(stderr, "nstest: pool: %s\n", rte_strerror(rte_errno));
	return nst_the_pool;
}

struct nst *
nst_create(unsigned flags)
{
	static const struct rte_ether_addr mac = NST_MAC, gw = NST_GW_MAC,
		peer = NST_PEER_MAC;
	struct rte_mempool *pool = nst_pool();
	struct nst *t;

	if (pool == NULL)
		return NULL;
	t = calloc(1, sizeof(*t));
	if (t == NULL)
		return NULL;
	t->pool = pool;
	t->avail0 = rte_mempool_avail_count(pool);
	t->mac = mac;
	t->gw_mac = gw;
	t->peer_mac = peer;
	t->port.mtu = 1500;
	fake_port_init(&t->port, &t->fp, 1);
	t->port.mac = mac;
	t->port.ip = NST_IP;
	t->port.prefix_len = NST_PREFIX;
	t->port.gateway = NST_GW_IP;
	if (flags & NST_F_OFFLOADS)
		t->port.offloads = DP_OFF_IPV4_CKSUM | DP_OFF_TCP_CKSUM;
	if (!(flags & NST_F_NO_MULTI_SEGS))
		t->port.offloads |= DP_OFF_MULTI_SEGS;
	t->core.id = 0;
	t->core.ncores = 1;
	dp_core_add_port(&t->core, &t->port);
	t->core.queue = 0;
	t->core.pool = pool;
	t->core.now_us = NST_START_US;
	t->core.rand_state = 0x1234567887654321ull;
	if (dp_arp_init(&t->core) != 0) {
		free(t);
		return NULL;
	}
	if (!(flags & NST_F_NO_STATIC_ARP)) {
		dp_arp_add_static(&t->core, NST_PEER_IP, &peer);
		dp_arp_add_static(&t->core, NST_GW_IP, &gw);
	}
	return t;
}

unsigned
nst_mbufs_in_use(const struct nst *t)
{
	unsigned now = rte_mempool_avail_count(t->pool);

	return now >= t->avail0 ? 0 : t->avail0 - now;
}

int
nst_destroy(struct nst *t)
{
	unsigned leaked;

	if (t == NULL)
		return 0;
	if (t->fini_hook != NULL)
		t->fini_hook(&t->core);
	dp_core_tx_flush(&t->core);
	fake_port_drain(&t->fp);
	if (t->has_port2)
		fake_port_drain(&t->fp2);
	dp_arp_fini(&t->core);
	leaked = nst_mbufs_in_use(t);
	if (leaked != 0)
		fprintf(stderr, "nstest: %u mbufs leaked\n", leaked);
	free(t);
	return (int)leaked;
}

int
nst_setup(void **state)
{
	*state = nst_create(0);
	return *state == NULL ? -1 : 0;
}

int
nst_setup_no_arp(void **state)
{
	*state = nst_create(NST_F_NO_STATIC_ARP);
	return *state == NULL ? -1 : 0;
}

int
nst_teardown(void **state)
{
	int leaked = nst_destroy(*state);

	*state = NULL;
	return leaked == 0 ? 0 : -1;
}

struct rte_mbuf *
nst_mbuf(struct nst *t, const void *data, uint32_t len)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(t->pool);
	char *p;

	if (m == NULL)
		return NULL;
	p = len > UINT16_MAX ? NULL : rte_pktmbuf_append(m, (uint16_t)len);
	if (p == NULL) {
		rte_pktmbuf_free(m);
		return NULL;
	}
	memcpy(p, data, len);
	return m;
}

int
nst_add_port2(struct nst *t)
{
	static const struct rte_ether_addr mac = NST2_MAC;

	t->port2.mtu = 1500;
	fake_port_init(&t->port2, &t->fp2, 1);
	t->port2.mac = mac;
	t->port2.ip = NST2_IP;
	t->port2.prefix_len = NST2_PREFIX;
	t->port2.offloads = t->port.offloads;
	if (dp_core_add_port(&t->core, &t->port2) != 0)
		return -1;
	t->has_port2 = true;
	return 0;
}

int
nst_inject2(struct nst *t, const void *frame, uint32_t len)
{
	struct rte_mbuf *m = nst_mbuf(t, frame, len);

	if (m == NULL)
		return -1;
	if (!t->has_port2 || fake_port_inject(&t->fp2, t->core.queue, m) != 0) {
		rte_pktmbuf_free(m);
		return -1;
	}
	return 0;
}

unsigned
nst_sent_count2(const struct nst *t)
{
	return t->has_port2 ? fake_port_tx_pending(&t->fp2, t->core.queue) : 0;
}

/* ---- receive side ---- */

int
nst_inject_segmented(struct nst *t, const void *frame, uint32_t len,
		     uint32_t seg_len)
{
	const uint8_t *p = frame;
	struct rte_mbuf *head = NULL, *last = NULL;
	uint32_t room = rte_pktmbuf_data_room_size(t->pool) -
			RTE_PKTMBUF_HEADROOM;
	uint32_t off = 0;

	if (seg_len == 0 || seg_len > room)
		seg_len = room;
	do {
		struct rte_mbuf *m = rte_pktmbuf_alloc(t->pool);
		uint32_t n = len - off < seg_len ? len - off : seg_len;

		if (m == NULL) {
			rte_pktmbuf_free(head);
			return -1;
		}
		memcpy(rte_pktmbuf_append(m, (uint16_t)n), p + off, n);
		off += n;
		if (head == NULL) {
			head = m;
		} else {
			last->next = m;
			head->nb_segs++;
			head->pkt_len += n;
		}
		last = m;
	} while (off < len);
	if (fake_port_inject(&t->fp, t->core.queue, head) != 0) {
		rte_pktmbuf_free(head);
		return -1;
	}
	return 0;
}

int
nst_inject(struct nst *t, const void *frame, uint32_t len)
{
	return nst_inject_segmented(t, frame, len, 0);
}

unsigned
nst_poll(struct nst *t)
{
	struct rte_mbuf *pkts[NST_BURST];
	unsigned total = 0;
	uint16_t n;

	t->core.rx_port = 0;
	while ((n = dp_port_rx(&t->port, t->core.queue, pkts, NST_BURST)) > 0) {
		for (uint16_t i = 0; i < n; i++)
			dp_eth_input(&t->core, pkts[i]);
		total += n;
	}
	if (t->has_port2) {
		t->core.rx_port = 1;
		while ((n = dp_port_rx(&t->port2, t->core.queue, pkts,
				       NST_BURST)) > 0) {
			for (uint16_t i = 0; i < n; i++)
				dp_eth_input(&t->core, pkts[i]);
			total += n;
		}
		t->core.rx_port = 0;
	}
	if (t->poll_hook != NULL)
		t->poll_hook(&t->core);
	dp_core_tx_flush(&t->core);
	return total;
}

int
nst_input(struct nst *t, const void *frame, uint32_t len)
{
	if (nst_inject(t, frame, len) != 0)
		return -1;
	nst_poll(t);
	return 0;
}

/* ---- time ---- */

void
nst_advance(struct nst *t, uint64_t us)
{
	t->core.now_us += us;
	dp_arp_timers(&t->core);
	if (t->timer_hook != NULL)
		t->timer_hook(&t->core);
	nst_poll(t);
}

void
nst_advance_by_steps(struct nst *t, uint64_t us, uint64_t step_us)
{
	while (us > 0) {
		uint64_t d = step_us == 0 || us < step_us ? us : step_us;

		nst_advance(t, d);
		us -= d;
	}
}

/* ---- transmit side ---- */

unsigned
nst_sent_count(const struct nst *t)
{
	return fake_port_tx_pending(&t->fp, t->core.queue);
}

/* Copy m into f and free it. */
static void
nst_copy_out(struct rte_mbuf *m, struct nst_frame *f)
{
	f->len = m->pkt_len < NST_FRAME_MAX ? m->pkt_len : NST_FRAME_MAX;
	f->ol_flags = m->ol_flags;
	f->nb_segs = m->nb_segs;
	f->l2_len = m->l2_len;
	f->l3_len = m->l3_len;
	{
		/* a pointer into m when contiguous, else f->data filled */
		const void *d = rte_pktmbuf_read(m, 0, f->len, f->data);

		if (d != NULL && d != f->data)
			memcpy(f->data, d, f->len);
	}
	rte_pktmbuf_free(m);
}

bool
nst_pop(struct nst *t, struct nst_frame *f)
{
	struct rte_mbuf *m = fake_port_pop_tx(&t->fp, t->core.queue);

	if (m == NULL)
		return false;
	nst_copy_out(m, f);
	return true;
}

bool
nst_pop2(struct nst *t, struct nst_frame *f)
{
	struct rte_mbuf *m = t->has_port2 ?
		fake_port_pop_tx(&t->fp2, t->core.queue) : NULL;

	if (m == NULL)
		return false;
	nst_copy_out(m, f);
	return true;
}

unsigned
nst_clear_sent(struct nst *t)
{
	struct rte_mbuf *m;
	unsigned n = 0;

	while ((m = fake_port_pop_tx(&t->fp, t->core.queue)) != NULL) {
		rte_pktmbuf_free(m);
		n++;
	}
	return n;
}

/* ---- checksums ---- */

uint16_t
nst_sum16(const void *p, size_t len, uint32_t init)
{
	const uint8_t *b = p;
	uint64_t sum = init;
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)b[i] << 8 | b[i + 1];
	if (i < len)
		sum += (uint32_t)b[i] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)sum;
}

uint32_t
nst_pseudo_sum(uint32_t src, uint32_t dst, uint8_t proto, uint16_t l4len)
{
	return (src >> 16) + (src & 0xffff) + (dst >> 16) + (dst & 0xffff) +
	       proto + l4len;
}

/* ---- builders ---- */

static void
put16(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = v & 0xff;
}

static void
put32(uint8_t *p, uint32_t v)
{
	p[0] = v >> 24;
	p[1] = (v >> 16) & 0xff;
	p[2] = (v >> 8) & 0xff;
	p[3] = v & 0xff;
}

static uint16_t
get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t
get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

uint32_t
nst_build_eth(uint8_t *buf, uint32_t cap, const struct nst_eth *e,
	      const void *payload, uint32_t len)
{
	if (cap < 14 + len)
		return 0;
	memcpy(buf, e->dst.addr_bytes, 6);
	memcpy(buf + 6, e->src.addr_bytes, 6);
	put16(buf + 12, e->type);
	if (len != 0)
		memmove(buf + 14, payload, len);
	return 14 + len;
}

uint32_t
nst_build_arp(uint8_t *buf, uint32_t cap, const struct nst_arp *a)
{
	uint8_t p[28];
	struct nst_eth e = a->eth;

	put16(p, a->hrd ? a->hrd : 1);
	put16(p + 2, a->pro ? a->pro : 0x0800);
	p[4] = a->hln ? a->hln : 6;
	p[5] = a->pln ? a->pln : 4;
	put16(p + 6, a->op);
	memcpy(p + 8, a->sha.addr_bytes, 6);
	put32(p + 14, a->spa);
	memcpy(p + 18, a->tha.addr_bytes, 6);
	put32(p + 24, a->tpa);
	e.type = RTE_ETHER_TYPE_ARP;
	return nst_build_eth(buf, cap, &e, p, sizeof(p));
}

uint32_t
nst_build_ipv4(uint8_t *buf, uint32_t cap, const struct nst_ip *ip,
	       const void *l4, uint32_t l4_len)
{
	uint8_t ihl = ip->ihl ? ip->ihl : 5;
	uint32_t hlen = (uint32_t)ihl * 4;
	uint8_t *h = buf + 14;
	struct nst_eth e = ip->eth;

	if (cap < 14 + hlen + l4_len)
		return 0;
	memmove(h + hlen, l4, l4_len);
	memset(h, 0, hlen);
	h[0] = (uint8_t)((ip->version ? ip->version : 4) << 4 | (ihl & 0x0f));
	h[1] = ip->tos;
	put16(h + 2, ip->tot_len ? ip->tot_len : (uint16_t)(hlen + l4_len));
	put16(h + 4, ip->id);
	put16(h + 6, ip->frag);
	h[8] = ip->ttl ? ip->ttl : 64;
	h[9] = ip->proto;
	put32(h + 12, ip->src);
	put32(h + 16, ip->dst);
	put16(h + 10, (uint16_t)~nst_sum16(h, hlen, 0));
	if (ip->bad_cksum)
		h[11] ^= 0x5a;
	e.type = RTE_ETHER_TYPE_IPV4;
	memcpy(buf, e.dst.addr_bytes, 6);
	memcpy(buf + 6, e.src.addr_bytes, 6);
	put16(buf + 12, e.type);
	return 14 + hlen + l4_len;
}

uint32_t
nst_build_icmp(uint8_t *buf, uint32_t cap, const struct nst_icmp *ic)
{
	uint8_t l4[NST_FRAME_MAX];
	struct nst_ip ip = ic->ip;

	if (8 + ic->data_len > sizeof(l4))
		return 0;
	l4[0] = ic->type;
	l4[1] = ic->code;
	put16(l4 + 2, 0);
	put16(l4 + 4, ic->id);
	put16(l4 + 6, ic->seq);
	if (ic->data_len)
		memcpy(l4 + 8, ic->data, ic->data_len);
	put16(l4 + 2, (uint16_t)~nst_sum16(l4, 8 + ic->data_len, 0));
	if (ic->bad_cksum)
		l4[3] ^= 0x33;
	ip.proto = IPPROTO_ICMP;
	return nst_build_ipv4(buf, cap, &ip, l4, 8 + ic->data_len);
}

static uint32_t
tcp_put_opts(uint8_t *o, const struct nst_tcp_opts *opt)
{
	uint32_t n = 0;

	if (opt->raw != NULL) {
		memcpy(o, opt->raw, opt->raw_len);
		n = opt->raw_len;
	} else {
		if (opt->mss) {
			o[n++] = 2;
			o[n++] = 4;
			put16(o + n, opt->mss);
			n += 2;
		}
		if (opt->ws >= 0) {
			o[n++] = 1;
			o[n++] = 3;
			o[n++] = 3;
			o[n++] = (uint8_t)opt->ws;
		}
		if (opt->sack_perm) {
			o[n++] = 1;
			o[n++] = 1;
			o[n++] = 4;
			o[n++] = 2;
		}
		if (opt->ts) {
			o[n++] = 1;
			o[n++] = 1;
			o[n++] = 8;
			o[n++] = 10;
			put32(o + n, opt->tsval);
			put32(o + n + 4, opt->tsecr);
			n += 8;
		}
		if (opt->nsack) {
			uint8_t k = opt->nsack > 4 ? 4 : opt->nsack;

			o[n++] = 1;
			o[n++] = 1;
			o[n++] = 5;
			o[n++] = (uint8_t)(2 + 8 * k);
			for (uint8_t i = 0; i < k; i++) {
				put32(o + n, opt->sack[i].left);
				put32(o + n + 4, opt->sack[i].right);
				n += 8;
			}
		}
	}
	while (n % 4)
		o[n++] = 0;	/* end of option list */
	return n;
}

uint32_t
nst_build_tcp(uint8_t *buf, uint32_t cap, const struct nst_tcp *s)
{
	static uint8_t l4[NST_FRAME_MAX];
	uint32_t olen, hlen, l4len;
	struct nst_ip ip = s->ip;

	if (60 + s->len > sizeof(l4))
		return 0;
	olen = tcp_put_opts(l4 + 20, &s->opt);
	if (olen > 40)
		return 0;
	hlen = 20 + olen;
	l4len = hlen + s->len;
	put16(l4, s->sport);
	put16(l4 + 2, s->dport);
	put32(l4 + 4, s->seq);
	put32(l4 + 8, s->ack);
	l4[12] = (uint8_t)((hlen / 4) << 4);
	l4[13] = s->flags;
	put16(l4 + 14, s->win);
	put16(l4 + 16, 0);
	put16(l4 + 18, s->urp);
	if (s->len)
		memcpy(l4 + hlen, s->payload, s->len);
	put16(l4 + 16, (uint16_t)~nst_sum16(l4, l4len,
		nst_pseudo_sum(ip.src, ip.dst, IPPROTO_TCP, (uint16_t)l4len)));
	if (s->bad_cksum)
		l4[17] ^= 0x42;
	ip.proto = IPPROTO_TCP;
	return nst_build_ipv4(buf, cap, &ip, l4, l4len);
}

void
nst_ip_defaults(const struct nst *t, struct nst_ip *ip, uint8_t proto)
{
	memset(ip, 0, sizeof(*ip));
	ip->eth.dst = t->mac;
	ip->eth.src = t->peer_mac;
	ip->eth.type = RTE_ETHER_TYPE_IPV4;
	ip->ttl = 64;
	ip->frag = 0x4000;	/* DF */
	ip->proto = proto;
	ip->src = NST_PEER_IP;
	ip->dst = NST_IP;
	ip->id = 0x1234;
}

void
nst_icmp_echo_defaults(const struct nst *t, struct nst_icmp *ic, uint16_t id,
		       uint16_t seq, const void *data, uint32_t len)
{
	memset(ic, 0, sizeof(*ic));
	nst_ip_defaults(t, &ic->ip, IPPROTO_ICMP);
	ic->type = 8;
	ic->id = id;
	ic->seq = seq;
	ic->data = data;
	ic->data_len = len;
}

void
nst_tcp_defaults(const struct nst *t, struct nst_tcp *s)
{
	memset(s, 0, sizeof(*s));
	nst_ip_defaults(t, &s->ip, IPPROTO_TCP);
	s->sport = 40000;
	s->dport = 6379;
	s->win = 65535;
	s->opt.ws = -1;
}

void
nst_arp_request_defaults(const struct nst *t, struct nst_arp *a, uint32_t tpa)
{
	memset(a, 0, sizeof(*a));
	memset(a->eth.dst.addr_bytes, 0xff, 6);
	a->eth.src = t->peer_mac;
	a->eth.type = RTE_ETHER_TYPE_ARP;
	a->op = 1;
	a->sha = t->peer_mac;
	a->spa = NST_PEER_IP;
	a->tpa = tpa;
}

int
nst_input_tcp(struct nst *t, const struct nst_tcp *s)
{
	static uint8_t buf[NST_FRAME_MAX];
	uint32_t n = nst_build_tcp(buf, sizeof(buf), s);

	return n == 0 ? -1 : nst_input(t, buf, n);
}

int
nst_input_icmp(struct nst *t, const struct nst_icmp *ic)
{
	static uint8_t buf[NST_FRAME_MAX];
	uint32_t n = nst_build_icmp(buf, sizeof(buf), ic);

	return n == 0 ? -1 : nst_input(t, buf, n);
}

int
nst_input_arp(struct nst *t, const struct nst_arp *a)
{
	uint8_t buf[64];
	uint32_t n = nst_build_arp(buf, sizeof(buf), a);

	return n == 0 ? -1 : nst_input(t, buf, n);
}

/* ---- parsers ---- */

int
nst_parse_eth(const struct nst_frame *f, struct nst_eth *e)
{
	if (f->len < 14)
		return -1;
	memcpy(e->dst.addr_bytes, f->data, 6);
	memcpy(e->src.addr_bytes, f->data + 6, 6);
	e->type = get16(f->data + 12);
	return 0;
}

int
nst_parse_arp(const struct nst_frame *f, struct nst_arp *a)
{
	const uint8_t *p = f->data + 14;

	memset(a, 0, sizeof(*a));
	if (nst_parse_eth(f, &a->eth) != 0 || a->eth.type != 0x0806 ||
	    f->len < 14 + 28)
		return -1;
	a->hrd = get16(p);
	a->pro = get16(p + 2);
	a->hln = p[4];
	a->pln = p[5];
	a->op = get16(p + 6);
	memcpy(a->sha.addr_bytes, p + 8, 6);
	a->spa = get32(p + 14);
	memcpy(a->tha.addr_bytes, p + 18, 6);
	a->tpa = get32(p + 24);
	return 0;
}

int
nst_parse_ipv4(const struct nst_frame *f, struct nst_ip *ip)
{
	const uint8_t *h = f->data + 14;
	uint32_t hlen;

	memset(ip, 0, sizeof(*ip));
	if (nst_parse_eth(f, &ip->eth) != 0 || ip->eth.type != 0x0800 ||
	    f->len < 14 + 20)
		return -1;
	ip->version = h[0] >> 4;
	ip->ihl = h[0] & 0x0f;
	hlen = (uint32_t)ip->ihl * 4;
	ip->tos = h[1];
	ip->tot_len = get16(h + 2);
	ip->id = get16(h + 4);
	ip->frag = get16(h + 6);
	ip->ttl = h[8];
	ip->proto = h[9];
	ip->src = get32(h + 12);
	ip->dst = get32(h + 16);
	if (ip->version != 4 || hlen < 20 || ip->tot_len < hlen ||
	    14u + ip->tot_len > f->len)
		return -1;
	ip->cksum_ok = nst_sum16(h, hlen, 0) == 0xffff;
	ip->l4 = h + hlen;
	ip->l4_len = ip->tot_len - hlen;
	return 0;
}

int
nst_parse_icmp(const struct nst_frame *f, struct nst_icmp *ic)
{
	memset(ic, 0, sizeof(*ic));
	if (nst_parse_ipv4(f, &ic->ip) != 0 || ic->ip.proto != IPPROTO_ICMP ||
	    ic->ip.l4_len < 8)
		return -1;
	ic->type = ic->ip.l4[0];
	ic->code = ic->ip.l4[1];
	ic->id = get16(ic->ip.l4 + 4);
	ic->seq = get16(ic->ip.l4 + 6);
	ic->data = ic->ip.l4 + 8;
	ic->data_len = ic->ip.l4_len - 8;
	ic->cksum_ok = nst_sum16(ic->ip.l4, ic->ip.l4_len, 0) == 0xffff;
	return 0;
}

static void
tcp_parse_opts(struct nst_tcp *s, const uint8_t *o, uint32_t n)
{
	uint32_t i = 0;

	s->opt.ws = -1;
	while (i < n) {
		uint8_t kind = o[i], len;

		if (kind == 0)
			break;
		if (kind == 1) {
			i++;
			continue;
		}
		if (i + 1 >= n || (len = o[i + 1]) < 2 || i + len > n) {
			s->nunknown_opts++;	/* malformed */
			break;
		}
		if (kind == 2 && len == 4) {
			s->opt.mss = get16(o + i + 2);
		} else if (kind == 3 && len == 3) {
			s->opt.ws = o[i + 2];
		} else if (kind == 4 && len == 2) {
			s->opt.sack_perm = true;
		} else if (kind == 8 && len == 10) {
			s->opt.ts = true;
			s->opt.tsval = get32(o + i + 2);
			s->opt.tsecr = get32(o + i + 6);
		} else if (kind == 5 && len >= 10 && (len - 2) % 8 == 0) {
			s->opt.nsack = (uint8_t)((len - 2) / 8);
			for (uint8_t k = 0; k < s->opt.nsack && k < 4; k++) {
				s->opt.sack[k].left = get32(o + i + 2 + 8 * k);
				s->opt.sack[k].right = get32(o + i + 6 + 8 * k);
			}
		} else {
			s->nunknown_opts++;
		}
		i += len;
	}
}

int
nst_parse_tcp(const struct nst_frame *f, struct nst_tcp *s)
{
	const uint8_t *th;

	memset(s, 0, sizeof(*s));
	if (nst_parse_ipv4(f, &s->ip) != 0 || s->ip.proto != IPPROTO_TCP ||
	    s->ip.l4_len < 20)
		return -1;
	th = s->ip.l4;
	s->sport = get16(th);
	s->dport = get16(th + 2);
	s->seq = get32(th + 4);
	s->ack = get32(th + 8);
	s->doff = (uint8_t)((th[12] >> 4) * 4);
	s->flags = th[13];
	s->win = get16(th + 14);
	s->urp = get16(th + 18);
	if (s->doff < 20 || s->doff > s->ip.l4_len)
		return -1;
	tcp_parse_opts(s, th + 20, s->doff - 20u);
	s->payload = th + s->doff;
	s->len = s->ip.l4_len - s->doff;
	s->ip_cksum_ok = s->ip.cksum_ok;
	s->l4_cksum_ok = nst_sum16(th, s->ip.l4_len,
		nst_pseudo_sum(s->ip.src, s->ip.dst, IPPROTO_TCP,
			       (uint16_t)s->ip.l4_len)) == 0xffff;
	return 0;
}

int
nst_pop_tcp(struct nst *t, struct nst_tcp *s, struct nst_frame *f)
{
	if (!nst_pop(t, f))
		return -1;
	return nst_parse_tcp(f, s);
}
