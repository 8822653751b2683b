/*
 * test_ipv4_icmp.c -- IPv4 validation and output (software and offloaded
 * checksums), ICMP echo, over the fake port.  TCP segments reach the
 * no_tcp.c stand-in here (counted as DP_DROP_IP_PROTO).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <string.h>
#include <netinet/in.h>

#include <rte_ip.h>

#include "dp_arp.h"
#include "dp_eth.h"
#include "dp_ipv4.h"
#include "nstest.h"

static uint8_t buf[NST_FRAME_MAX];

static void
assert_drops_only(const struct nst *t, enum dp_drop why, uint64_t n)
{
	for (int i = 0; i < DP_DROP__COUNT; i++)
		if (i == (int)why)
			assert_int_equal(nst_drops(t, i), n);
		else if (nst_drops(t, i) != 0)
			fail_msg("unexpected drop %s = %llu", dp_drop_names[i],
				 (unsigned long long)nst_drops(t, i));
}

static void
fill(uint8_t *p, uint32_t len, uint32_t seed)
{
	for (uint32_t i = 0; i < len; i++)
		p[i] = (uint8_t)(seed + i * 7 + (i >> 8));
}

/* Pop and check an echo reply to the peer for id/seq/data. */
static void
assert_pong(struct nst *t, uint16_t id, uint16_t seq, const uint8_t *data,
	    uint32_t len)
{
	struct nst_frame f;
	struct nst_icmp r;

	if (!nst_pop(t, &f)) {
		for (int i = 0; i < DP_DROP__COUNT; i++)
			if (nst_drops(t, i))
				print_message("drop %s\n", dp_drop_names[i]);
		fail();
	}
	assert_int_equal(nst_parse_icmp(&f, &r), 0);
	assert_memory_equal(&r.ip.eth.dst, &t->peer_mac, 6);
	assert_memory_equal(&r.ip.eth.src, &t->mac, 6);
	assert_int_equal(r.ip.version, 4);
	assert_int_equal(r.ip.ihl, 5);
	assert_int_equal(r.ip.ttl, 64);
	assert_int_equal(r.ip.frag, RTE_IPV4_HDR_DF_FLAG);
	assert_int_equal(r.ip.proto, IPPROTO_ICMP);
	assert_int_equal(r.ip.src, NST_IP);
	assert_int_equal(r.ip.dst, NST_PEER_IP);
	assert_int_equal(r.ip.tot_len, 20 + 8 + len);
	assert_int_equal(f.len, 14 + 20 + 8 + len);
	assert_true(r.ip.cksum_ok);
	assert_int_equal(r.type, 0);
	assert_int_equal(r.code, 0);
	assert_int_equal(r.id, id);
	assert_int_equal(r.seq, seq);
	assert_int_equal(r.data_len, len);
	if (len)
		assert_memory_equal(r.data, data, len);
	assert_true(r.cksum_ok);
}

static void
test_ping_pong(void **state)
{
	struct nst *t = *state;
	uint8_t data[56];
	struct nst_icmp ic;

	fill(data, sizeof(data), 3);
	nst_icmp_echo_defaults(t, &ic, 0x4242, 7, data, sizeof(data));
	assert_int_equal(nst_input_icmp(t, &ic), 0);
	assert_int_equal(nst_sent_count(t), 1);
	assert_pong(t, 0x4242, 7, data, sizeof(data));
	assert_int_equal(t->core.stats.icmp_echo, 1);
	/* zero-length data, odd length, and a minimum-size padded frame */
	nst_icmp_echo_defaults(t, &ic, 1, 2, NULL, 0);
	{
		uint32_t n = nst_build_icmp(buf, sizeof(buf), &ic);

		assert_int_equal(n, 42);
		memset(buf + n, 0xa5, 60 - n);
		assert_int_equal(nst_input(t, buf, 60), 0);
	}
	assert_pong(t, 1, 2, NULL, 0);
	nst_icmp_echo_defaults(t, &ic, 0xffff, 0xfffe, data, 33);
	assert_int_equal(nst_input_icmp(t, &ic), 0);
	assert_pong(t, 0xffff, 0xfffe, data, 33);
	assert_drops_only(t, 0, 0);
	/* the IP id advances per packet */
	assert_int_equal(t->core.ip_id, 3);
}

static void
test_ping_large_segmented(void **state)
{
	struct nst *t = *state;
	static uint8_t data[1472];
	struct nst_icmp ic;
	uint32_t n;

	fill(data, sizeof(data), 9);
	nst_icmp_echo_defaults(t, &ic, 9, 9, data, sizeof(data));
	n = nst_build_icmp(buf, sizeof(buf), &ic);
	assert_int_equal(n, 1514);
	assert_int_equal(nst_inject_segmented(t, buf, n, 257), 0);
	nst_poll(t);
	assert_pong(t, 9, 9, data, sizeof(data));
	/* odd data length across odd segment boundaries */
	nst_icmp_echo_defaults(t, &ic, 10, 11, data, 1001);
	n = nst_build_icmp(buf, sizeof(buf), &ic);
	assert_int_equal(nst_inject_segmented(t, buf, n, 99), 0);
	nst_poll(t);
	assert_pong(t, 10, 11, data, 1001);
	assert_drops_only(t, 0, 0);
}

static void
test_ping_with_ip_options(void **state)
{
	struct nst *t = *state;
	uint8_t data[20];
	struct nst_icmp ic;

	fill(data, sizeof(data), 1);
	nst_icmp_echo_defaults(t, &ic, 5, 6, data, sizeof(data));
	ic.ip.ihl = 7;
	assert_int_equal(nst_input_icmp(t, &ic), 0);
	assert_pong(t, 5, 6, data, sizeof(data));
	assert_drops_only(t, 0, 0);
}

static void
test_icmp_bad(void **state)
{
	struct nst *t = *state;
	uint8_t data[16] = { 1, 2, 3 };
	struct nst_icmp ic;
	struct nst_ip ip;

	nst_icmp_echo_defaults(t, &ic, 1, 1, data, sizeof(data));
	ic.bad_cksum = true;
	assert_int_equal(nst_input_icmp(t, &ic), 0);
	assert_drops_only(t, DP_DROP_ICMP_BAD, 1);
	/* 4-byte ICMP message */
	nst_ip_defaults(t, &ip, IPPROTO_ICMP);
	{
		uint8_t l4[4] = { 8, 0, 0xf7, 0xff };	/* sums right */
		uint32_t n = nst_build_ipv4(buf, sizeof(buf), &ip, l4, 4);

		assert_int_equal(nst_input(t, buf, n), 0);
	}
	assert_drops_only(t, DP_DROP_ICMP_BAD, 2);
	/* other types: echo reply, timestamp */
	nst_icmp_echo_defaults(t, &ic, 1, 1, data, sizeof(data));
	ic.type = 0;
	assert_int_equal(nst_input_icmp(t, &ic), 0);
	ic.type = 13;
	assert_int_equal(nst_input_icmp(t, &ic), 0);
	assert_int_equal(nst_drops(t, DP_DROP_ICMP_TYPE), 2);
	assert_int_equal(nst_sent_count(t), 0);
	assert_int_equal(t->core.stats.icmp_echo, 0);
}

/* Build a ping with ip tweaked by fn, feed it (cut to len when nonzero)
 * and expect exactly one drop of why and no output. */
static void
bad_ip(struct nst *t, struct nst_ip *tweak, uint32_t cut, enum dp_drop why)
{
	uint8_t data[32];
	struct nst_icmp ic;
	uint32_t n;
	uint64_t before = nst_drops(t, why);

	fill(data, sizeof(data), 5);
	nst_icmp_echo_defaults(t, &ic, 3, 4, data, sizeof(data));
	if (tweak != NULL) {
		tweak->eth = ic.ip.eth;
		ic.ip = *tweak;
	}
	n = nst_build_icmp(buf, sizeof(buf), &ic);
	assert_true(n > 0);
	if (cut)
		n = cut;
	assert_int_equal(nst_input(t, buf, n), 0);
	assert_int_equal(nst_drops(t, why), before + 1);
	assert_int_equal(nst_sent_count(t), 0);
}

static void
test_ipv4_bad_headers(void **state)
{
	struct nst *t = *state;
	struct nst_ip ip;
	uint64_t total = 0;

#define BASE() nst_ip_defaults(t, &ip, IPPROTO_ICMP)
	bad_ip(t, (BASE(), ip.bad_cksum = true, &ip), 0, DP_DROP_IP_CKSUM);
	bad_ip(t, NULL, 14 + 19, DP_DROP_IP_SHORT);
	bad_ip(t, (BASE(), ip.version = 6, &ip), 0, DP_DROP_IP_VERSION);
	bad_ip(t, (BASE(), ip.ihl = 4, &ip), 0, DP_DROP_IP_HLEN);
	/* IHL 15 (60 bytes) but the frame holds 20 + 8 + 32 = 60 -> make
	 * the frame shorter than the header */
	bad_ip(t, (BASE(), ip.ihl = 15, &ip), 14 + 40, DP_DROP_IP_HLEN);
	bad_ip(t, (BASE(), ip.tot_len = 200, &ip), 0, DP_DROP_IP_LEN);
	bad_ip(t, (BASE(), ip.tot_len = 19, &ip), 0, DP_DROP_IP_LEN);
	bad_ip(t, (BASE(), ip.ihl = 6, ip.tot_len = 22, &ip), 0,
	       DP_DROP_IP_LEN);
	bad_ip(t, NULL, 14 + 20 + 8 + 31, DP_DROP_IP_LEN);	/* truncated */
	bad_ip(t, (BASE(), ip.frag = 0x2000, &ip), 0, DP_DROP_IP_FRAG);
	bad_ip(t, (BASE(), ip.frag = 0x0001, &ip), 0, DP_DROP_IP_FRAG);
	bad_ip(t, (BASE(), ip.frag = 0x4000 | 0x0100, &ip), 0,
	       DP_DROP_IP_FRAG);
	bad_ip(t, (BASE(), ip.dst = NST_PEER_IP, &ip), 0, DP_DROP_IP_NOT_US);
	bad_ip(t, (BASE(), ip.dst = 0xffffffff, &ip), 0, DP_DROP_IP_NOT_US);
	bad_ip(t, (BASE(), ip.dst = 0xc61200ff, &ip), 0, DP_DROP_IP_NOT_US);
#undef BASE
	for (int i = 0; i < DP_DROP__COUNT; i++)
		total += nst_drops(t, i);
	assert_int_equal(total, 15);
	assert_int_equal(t->core.stats.icmp_echo, 0);
}

static void
test_ipv4_other_protocols(void **state)
{
	struct nst *t = *state;
	struct nst_ip ip;
	struct nst_tcp s;
	uint8_t l4[8] = { 0 };
	uint32_t n;

	nst_ip_defaults(t, &ip, IPPROTO_UDP);
	n = nst_build_ipv4(buf, sizeof(buf), &ip, l4, sizeof(l4));
	assert_int_equal(nst_input(t, buf, n), 0);
	ip.proto = 47;
	n = nst_build_ipv4(buf, sizeof(buf), &ip, l4, sizeof(l4));
	assert_int_equal(nst_input(t, buf, n), 0);
	/* TCP reaches dp_tcp_input (here the no_tcp.c stand-in) */
	nst_tcp_defaults(t, &s);
	s.flags = RTE_TCP_SYN_FLAG;
	assert_int_equal(nst_input_tcp(t, &s), 0);
	assert_drops_only(t, DP_DROP_IP_PROTO, 3);
	assert_int_equal(nst_sent_count(t), 0);
}

/* The NIC's checksum verdict in ol_flags is honoured. */
static void
test_ipv4_rx_cksum_flags(void **state)
{
	struct nst *t = *state;
	uint8_t data[8] = { 9 };
	struct nst_icmp ic;
	struct rte_mbuf *m;
	uint32_t n;

	nst_icmp_echo_defaults(t, &ic, 1, 2, data, sizeof(data));
	ic.ip.bad_cksum = true;
	n = nst_build_icmp(buf, sizeof(buf), &ic);
	m = nst_mbuf(t, buf, n);
	m->ol_flags |= RTE_MBUF_F_RX_IP_CKSUM_GOOD;	/* trusted */
	assert_int_equal(fake_port_inject(&t->fp, 0, m), 0);
	nst_poll(t);
	assert_int_equal(nst_sent_count(t), 1);
	nst_clear_sent(t);
	ic.ip.bad_cksum = false;
	n = nst_build_icmp(buf, sizeof(buf), &ic);
	m = nst_mbuf(t, buf, n);
	m->ol_flags |= RTE_MBUF_F_RX_IP_CKSUM_BAD;
	assert_int_equal(fake_port_inject(&t->fp, 0, m), 0);
	nst_poll(t);
	assert_int_equal(nst_sent_count(t), 0);
	assert_drops_only(t, DP_DROP_IP_CKSUM, 1);
}

/* A TCP segment (header with options + payload) through dp_ipv4_output. */
static struct rte_mbuf *
tcp_segment(struct nst *t, uint32_t paylen, uint32_t split)
{
	static uint8_t seg[2048];
	struct nst_tcp s;
	struct rte_mbuf *m, *m2;
	uint32_t hl = 20 + 20;

	memset(seg, 0, sizeof(seg));
	seg[0] = 6379 >> 8;
	seg[1] = 6379 & 0xff;
	seg[2] = 40000 >> 8;
	seg[3] = 40000 & 0xff;
	seg[4] = 0x11;			/* seq 0x11223344 */
	seg[5] = 0x22;
	seg[6] = 0x33;
	seg[7] = 0x44;
	seg[11] = 1;			/* ack 1 */
	seg[12] = (hl / 4) << 4;
	seg[13] = RTE_TCP_ACK_FLAG | RTE_TCP_PSH_FLAG;
	seg[14] = 0x10;			/* win 4096 */
	/* options: MSS 1460, NOP NOP TS(1,2), NOP WS 7, NOP NOP SACK-perm? */
	{
		const uint8_t o[20] = { 2, 4, 0x05, 0xb4, 1, 1, 8, 10,
					0, 0, 0, 1, 0, 0, 0, 2, 1, 3, 3, 7 };
		memcpy(seg + 20, o, sizeof(o));
	}
	fill(seg + hl, paylen, 77);
	(void)s;
	if (split == 0)
		return nst_mbuf(t, seg, hl + paylen);
	m = nst_mbuf(t, seg, split);
	m2 = rte_pktmbuf_alloc(t->pool);
	memcpy(rte_pktmbuf_append(m2, (uint16_t)(hl + paylen - split)),
	       seg + split, hl + paylen - split);
	assert_int_equal(rte_pktmbuf_chain(m, m2), 0);
	return m;
}

static void
check_tcp_out(struct nst *t, uint32_t paylen, uint16_t id)
{
	struct nst_frame f;
	struct nst_tcp r;
	uint8_t expect[2048];

	assert_int_equal(nst_pop_tcp(t, &r, &f), 0);
	assert_memory_equal(&r.ip.eth.dst, &t->peer_mac, 6);
	assert_memory_equal(&r.ip.eth.src, &t->mac, 6);
	assert_int_equal(r.ip.ttl, 64);
	assert_int_equal(r.ip.frag, RTE_IPV4_HDR_DF_FLAG);
	assert_int_equal(r.ip.id, id);
	assert_int_equal(r.ip.tos, 0);
	assert_int_equal(r.ip.src, NST_IP);
	assert_int_equal(r.ip.dst, NST_PEER_IP);
	assert_int_equal(r.ip.tot_len, 20 + 40 + paylen);
	assert_true(r.ip_cksum_ok);
	assert_true(r.l4_cksum_ok);
	assert_int_equal(r.sport, 6379);
	assert_int_equal(r.dport, 40000);
	assert_int_equal(r.seq, 0x11223344);
	assert_int_equal(r.ack, 1);
	assert_int_equal(r.flags, RTE_TCP_ACK_FLAG | RTE_TCP_PSH_FLAG);
	assert_int_equal(r.win, 4096);
	assert_int_equal(r.doff, 40);
	assert_int_equal(r.opt.mss, 1460);
	assert_true(r.opt.ts);
	assert_int_equal(r.opt.tsval, 1);
	assert_int_equal(r.opt.tsecr, 2);
	assert_int_equal(r.opt.ws, 7);
	assert_int_equal(r.nunknown_opts, 0);
	assert_int_equal(r.len, paylen);
	fill(expect, paylen, 77);
	if (paylen)
		assert_memory_equal(r.payload, expect, paylen);
	assert_int_equal(f.l2_len, 14);
	assert_int_equal(f.l3_len, 20);
	if (t->port.offloads & (DP_OFF_IPV4_CKSUM | DP_OFF_TCP_CKSUM))
		assert_int_equal(f.ol_flags & (RTE_MBUF_F_TX_IPV4 |
			RTE_MBUF_F_TX_IP_CKSUM | RTE_MBUF_F_TX_L4_MASK),
			RTE_MBUF_F_TX_IPV4 | RTE_MBUF_F_TX_IP_CKSUM |
			RTE_MBUF_F_TX_TCP_CKSUM);
	else
		assert_int_equal(f.ol_flags & (RTE_MBUF_F_TX_IPV4 |
			RTE_MBUF_F_TX_IP_CKSUM | RTE_MBUF_F_TX_L4_MASK), 0);
}

static void
run_tcp_output(struct nst *t)
{
	const uint32_t lens[] = { 0, 1, 2, 3, 100, 1001, 1420 };
	uint16_t id = t->core.ip_id;

	for (unsigned i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
		assert_int_equal(dp_ipv4_output(&t->core,
			tcp_segment(t, lens[i], 0), NST_IP, NST_PEER_IP,
			IPPROTO_TCP), 0);
		nst_poll(t);
		check_tcp_out(t, lens[i], id++);
		if (lens[i] < 2)
			continue;
		/* the same, chained at an odd offset inside the payload */
		assert_int_equal(dp_ipv4_output(&t->core,
			tcp_segment(t, lens[i], 40 + lens[i] / 2 + 1), NST_IP,
			NST_PEER_IP, IPPROTO_TCP), 0);
		nst_poll(t);
		check_tcp_out(t, lens[i], id++);
	}
	assert_drops_only(t, 0, 0);
}

static void
test_tcp_output_software_cksum(void **state)
{
	run_tcp_output(*state);
}

static void
test_tcp_output_offload(void **state)
{
	struct nst *t = *state;
	uint8_t data[40];
	struct nst_icmp ic;

	assert_int_equal(t->port.offloads & ~DP_OFF_MULTI_SEGS,
			 DP_OFF_IPV4_CKSUM | DP_OFF_TCP_CKSUM);
	run_tcp_output(t);
	/* ICMP with IP offload: the fake NIC fills the header sum */
	fill(data, sizeof(data), 2);
	nst_icmp_echo_defaults(t, &ic, 8, 9, data, sizeof(data));
	assert_int_equal(nst_input_icmp(t, &ic), 0);
	assert_pong(t, 8, 9, data, sizeof(data));
}

/* The stack's own L4 checksum: 0 over a correct segment, and it agrees
 * with the independent implementation. */
static void
test_l4_cksum_helper(void **state)
{
	struct nst *t = *state;
	struct nst_tcp s;
	struct nst_frame f;
	struct rte_mbuf *m;
	uint8_t payload[77];
	uint32_t n;

	fill(payload, sizeof(payload), 4);
	nst_tcp_defaults(t, &s);
	s.flags = RTE_TCP_ACK_FLAG;
	s.payload = payload;
	s.len = sizeof(payload);
	s.opt.ts = true;
	s.opt.tsval = 0xdeadbeef;
	n = nst_build_tcp(f.data, sizeof(f.data), &s);
	f.len = n;
	{
		struct nst_tcp r;

		assert_int_equal(nst_parse_tcp(&f, &r), 0);
		assert_true(r.l4_cksum_ok);
		assert_true(r.ip_cksum_ok);
		assert_true(r.opt.ts);
		assert_int_equal(r.opt.tsval, 0xdeadbeef);
	}
	m = nst_mbuf(t, f.data + 34, n - 34);
	assert_int_equal(dp_ipv4_l4_cksum(NST_PEER_IP, NST_IP, IPPROTO_TCP, m,
					  0, n - 34), 0);
	f.data[34 + 16] = 0;
	f.data[34 + 17] = 0;
	rte_pktmbuf_free(m);
	m = nst_mbuf(t, f.data + 34, n - 34);
	{
		uint16_t c = dp_ipv4_l4_cksum(NST_PEER_IP, NST_IP, IPPROTO_TCP,
					      m, 0, n - 34);
		uint16_t want = (uint16_t)~nst_sum16(f.data + 34, n - 34,
			nst_pseudo_sum(NST_PEER_IP, NST_IP, IPPROTO_TCP,
				       (uint16_t)(n - 34)));

		assert_int_equal(rte_be_to_cpu_16(c), want);
	}
	rte_pktmbuf_free(m);
}

static void
test_ipv4_output_no_headroom(void **state)
{
	struct nst *t = *state;
	struct rte_mbuf *m = rte_pktmbuf_alloc(t->pool);

	m->data_off = 10;
	memset(rte_pktmbuf_append(m, 20), 0, 20);
	assert_int_equal(dp_ipv4_output(&t->core, m, NST_IP, NST_PEER_IP,
					IPPROTO_UDP), -ENOBUFS);
	assert_drops_only(t, DP_DROP_NO_MBUF, 1);
	/* room for IPv4 but not Ethernet */
	m = rte_pktmbuf_alloc(t->pool);
	m->data_off = 25;
	memset(rte_pktmbuf_append(m, 20), 0, 20);
	assert_int_equal(dp_ipv4_output(&t->core, m, NST_IP, NST_PEER_IP,
					IPPROTO_UDP), -ENOBUFS);
	assert_drops_only(t, DP_DROP_NO_MBUF, 2);
	/* TCP whose header is split over two segments */
	m = tcp_segment(t, 10, 12);
	assert_int_equal(dp_ipv4_output(&t->core, m, NST_IP, NST_PEER_IP,
					IPPROTO_TCP), -EINVAL);
	assert_int_equal(nst_drops(t, DP_DROP_TCP_SHORT), 1);
	nst_poll(t);
	assert_int_equal(nst_sent_count(t), 0);
}

static int
setup_offloads(void **state)
{
	*state = nst_create(NST_F_OFFLOADS);
	return *state == NULL ? -1 : 0;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, nst_setup, nst_teardown)
		T(test_ping_pong),
		T(test_ping_large_segmented),
		T(test_ping_with_ip_options),
		T(test_icmp_bad),
		T(test_ipv4_bad_headers),
		T(test_ipv4_other_protocols),
		T(test_ipv4_rx_cksum_flags),
		T(test_tcp_output_software_cksum),
		cmocka_unit_test_setup_teardown(test_tcp_output_offload,
						setup_offloads, nst_teardown),
		T(test_l4_cksum_helper),
		T(test_ipv4_output_no_headroom),
#undef T
	};

	if (nst_eal_init() != 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
