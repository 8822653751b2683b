/*
 * ipv4_out.c -- IPv4 output: header, identification, IP and TCP checksums
 * in software or as offload requests (see dp_ipv4.h).
 *
 * Call chain: dp_tcp_output... | dp_icmp_input -> dp_ipv4_output ->
 *             dp_eth_output -> dp_arp_resolve -> dp_eth_xmit -> dp_core_tx
 *
 * Route: dp_core_route picks the port (the one whose subnet holds dst,
 * else port 0 through its gateway) and the next hop; no route is
 * DP_DROP_NO_ROUTE, -EHOSTUNREACH.  Broadcast (255.255.255.255) leaves
 * by port 0.
 * Offloads (that port's offloads): DP_OFF_IPV4_CKSUM sets
 * RTE_MBUF_F_TX_IPV4 | RTE_MBUF_F_TX_IP_CKSUM and leaves hdr_checksum 0;
 * DP_OFF_TCP_CKSUM sets RTE_MBUF_F_TX_IPV4 | RTE_MBUF_F_TX_TCP_CKSUM and
 * puts the pseudo-header sum in the TCP checksum field, as DPDK requires.
 * m->l2_len / l3_len are set for the PMD.  Only TCP gets an L4 checksum
 * here: ICMP computes its own (it has no pseudo-header).  A TCP segment
 * whose 20-byte header is not all in the first segment is a caller bug:
 * counted as DP_DROP_TCP_SHORT, dropped, -EINVAL.  The MTU is not checked
 * here (TCP sizes segments from the MSS).
 */
#include <errno.h>
#include <netinet/in.h>

#include <rte_byteorder.h>
#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_tcp.h>

#include "dp_core.h"
#include "dp_eth.h"
#include "dp_ipv4.h"

uint16_t
dp_raw_cksum_mbuf(const struct rte_mbuf *m, uint32_t off, uint32_t len)
{
	const struct rte_mbuf *seg = m;
	uint32_t sum = 0, done = 0;

	if ((uint64_t)off + len > m->pkt_len)
		return 0;
	while (seg != NULL && off >= seg->data_len) {
		off -= seg->data_len;
		seg = seg->next;
	}
	while (seg != NULL && done < len) {
		uint32_t n = seg->data_len - off;
		uint16_t part;

		if (n > len - done)
			n = len - done;
		part = rte_raw_cksum(rte_pktmbuf_mtod_offset(seg, const void *,
							     off), n);
		if (done & 1)
			part = rte_bswap16(part);
		sum += part;
		done += n;
		off = 0;
		seg = seg->next;
	}
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)sum;
}

/*
 * The value to store in an L4 checksum field: the complemented one's
 * complement sum of the pseudo-header (src, dst, proto, len) and len bytes
 * of m from off.  Over a segment whose checksum field is correct it
 * returns 0; with the field 0 it returns the checksum to write.
 */
uint16_t
dp_ipv4_l4_cksum(uint32_t src, uint32_t dst, uint8_t proto,
		 const struct rte_mbuf *m, uint32_t off, uint32_t len)
{
	struct {
		rte_be32_t src, dst;
		uint8_t zero, proto;
		rte_be16_t len;
	} __rte_packed ph = {
		.src = rte_cpu_to_be_32(src),
		.dst = rte_cpu_to_be_32(dst),
		.proto = proto,
		.len = rte_cpu_to_be_16((uint16_t)len),
	};
	uint32_t sum;

	if ((uint64_t)off + len > m->pkt_len)
		return 0xffff;	/* range beyond m: cannot be right */
	sum = (uint32_t)rte_raw_cksum(&ph, sizeof(ph)) +
	      dp_raw_cksum_mbuf(m, off, len);
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

int
dp_ipv4_output(struct dp_core *core, struct rte_mbuf *m, uint32_t src,
	       uint32_t dst, uint8_t proto)
{
	uint32_t l4len = m->pkt_len, offloads, nexthop = UINT32_MAX;
	struct rte_ipv4_hdr *ip;
	int pi = 0;

	if (dst != UINT32_MAX) {
		pi = dp_core_route(core, dst, &nexthop);
		if (pi < 0) {
			dp_core_drop(core, m, DP_DROP_NO_ROUTE);
			return -EHOSTUNREACH;
		}
	} else if (core->nports == 0) {
		dp_core_drop(core, m, DP_DROP_NO_ROUTE);
		return -EHOSTUNREACH;
	}
	offloads = core->ports[pi]->offloads;

	ip = (struct rte_ipv4_hdr *)rte_pktmbuf_prepend(m, sizeof(*ip));
	if (ip == NULL) {
		dp_core_drop(core, m, DP_DROP_NO_MBUF);
		return -ENOBUFS;
	}
	ip->version_ihl = RTE_IPV4_VHL_DEF;
	ip->type_of_service = 0;
	ip->total_length = rte_cpu_to_be_16((uint16_t)(sizeof(*ip) + l4len));
	ip->packet_id = rte_cpu_to_be_16(core->ip_id++);
	ip->fragment_offset = rte_cpu_to_be_16(RTE_IPV4_HDR_DF_FLAG);
	ip->time_to_live = 64;
	ip->next_proto_id = proto;
	ip->hdr_checksum = 0;
	ip->src_addr = rte_cpu_to_be_32(src);
	ip->dst_addr = rte_cpu_to_be_32(dst);

	/* Keep only the buffer-type flags of whatever m was (e.g. a
	 * received echo request turned into a reply). */
	m->ol_flags &= RTE_MBUF_F_EXTERNAL | RTE_MBUF_F_INDIRECT;
	m->l2_len = RTE_ETHER_HDR_LEN;
	m->l3_len = sizeof(*ip);
	if (proto == IPPROTO_TCP) {
		struct rte_tcp_hdr *th = (struct rte_tcp_hdr *)(ip + 1);

		/* contract: the TCP header lies in the first segment */
		if (m->data_len < sizeof(*ip) + sizeof(*th)) {
			dp_core_drop(core, m, DP_DROP_TCP_SHORT);
			return -EINVAL;
		}
		if (offloads & DP_OFF_TCP_CKSUM) {
			m->ol_flags |= RTE_MBUF_F_TX_IPV4 |
				       RTE_MBUF_F_TX_TCP_CKSUM;
			th->cksum = rte_ipv4_phdr_cksum(ip, m->ol_flags);
		} else {
			th->cksum = 0;
			th->cksum = dp_ipv4_l4_cksum(src, dst, proto, m,
						     sizeof(*ip), l4len);
		}
	}
	if (offloads & DP_OFF_IPV4_CKSUM)
		m->ol_flags |= RTE_MBUF_F_TX_IPV4 | RTE_MBUF_F_TX_IP_CKSUM;
	else
		ip->hdr_checksum = rte_ipv4_cksum(ip);
	return dp_eth_output(core, (unsigned)pi, m, nexthop);
}
