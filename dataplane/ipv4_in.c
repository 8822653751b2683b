/*
 * ipv4_in.c -- IPv4 input: validation, padding trim, demultiplexing on the
 * protocol (see dp_ipv4.h).
 *
 * Call chain: dp_eth_input -> dp_ipv4_input -> dp_icmp_input | dp_tcp_input
 *
 * Checks, in order, each with its drop counter: first segment holds a
 * minimal header (IP_SHORT), version 4 (IP_VERSION), 5 <= IHL and the
 * header within the first segment (IP_HLEN), IHL*4 <= total length <= frame
 * (IP_LEN), header checksum unless the NIC says GOOD (IP_CKSUM; a NIC BAD
 * verdict is trusted), destination is our address (IP_NOT_US: others and
 * broadcasts), not a fragment (IP_FRAG).  Options are skipped.
 */
#include <rte_byteorder.h>
#include <rte_ip.h>
#include <rte_mbuf.h>

#include "dp_core.h"
#include "dp_icmp.h"
#include "dp_ipv4.h"
#include "dp_tcp.h"

/* Cut m to its first len bytes (len <= pkt_len), whatever its segments. */
static void
ipv4_trim_to(struct rte_mbuf *m, uint32_t len)
{
	struct rte_mbuf *seg = m, *rest;
	uint32_t left = len;
	uint16_t nseg = 1;

	if (len == m->pkt_len)
		return;
	while (left > seg->data_len && seg->next != NULL) {
		left -= seg->data_len;
		seg = seg->next;
		nseg++;
	}
	seg->data_len = left;
	rest = seg->next;
	seg->next = NULL;
	if (rest != NULL)
		rte_pktmbuf_free(rest);
	m->nb_segs = nseg;
	m->pkt_len = len;
}

void
dp_ipv4_input(struct dp_core *core, struct rte_mbuf *m)
{
	const struct rte_ipv4_hdr *ip;
	uint32_t hlen, tot, src, dst;
	uint64_t ck;

	if (m->data_len < sizeof(*ip)) {
		dp_core_drop(core, m, DP_DROP_IP_SHORT);
		return;
	}
	ip = rte_pktmbuf_mtod(m, const struct rte_ipv4_hdr *);
	if ((ip->version_ihl >> 4) != 4) {
		dp_core_drop(core, m, DP_DROP_IP_VERSION);
		return;
	}
	hlen = (uint32_t)(ip->version_ihl & 0x0f) * 4;
	if (hlen < sizeof(*ip) || hlen > m->data_len) {
		dp_core_drop(core, m, DP_DROP_IP_HLEN);
		return;
	}
	tot = rte_be_to_cpu_16(ip->total_length);
	if (tot < hlen || tot > m->pkt_len) {
		dp_core_drop(core, m, DP_DROP_IP_LEN);
		return;
	}
	ck = m->ol_flags & RTE_MBUF_F_RX_IP_CKSUM_MASK;
	if (ck == RTE_MBUF_F_RX_IP_CKSUM_BAD ||
	    (ck != RTE_MBUF_F_RX_IP_CKSUM_GOOD &&
	     rte_raw_cksum(ip, hlen) != 0xffff)) {
		dp_core_drop(core, m, DP_DROP_IP_CKSUM);
		return;
	}
	dst = rte_be_to_cpu_32(ip->dst_addr);
	if (!dp_core_is_local(core, dst)) {
		dp_core_drop(core, m, DP_DROP_IP_NOT_US);
		return;
	}
	if (ip->fragment_offset &
	    rte_cpu_to_be_16(RTE_IPV4_HDR_MF_FLAG | RTE_IPV4_HDR_OFFSET_MASK)) {
		dp_core_drop(core, m, DP_DROP_IP_FRAG);
		return;
	}
	src = rte_be_to_cpu_32(ip->src_addr);
	ipv4_trim_to(m, tot);	/* Ethernet padding */
	m->l3_len = hlen;
	switch (ip->next_proto_id) {
	case IPPROTO_TCP:
		rte_pktmbuf_adj(m, hlen);
		DP_CYC_RUN(&core->cyc, DP_CYC_TCP_IN,
			   dp_tcp_input(core, m, src, dst));
		return;
	case IPPROTO_ICMP:
		rte_pktmbuf_adj(m, hlen);
		dp_icmp_input(core, m, src, dst);
		return;
	default:
		dp_core_drop(core, m, DP_DROP_IP_PROTO);
		return;
	}
}
