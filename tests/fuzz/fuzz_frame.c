/*
 * fuzz_frame.c -- libFuzzer target: arbitrary Ethernet frames into
 * dp_eth_input on a fake-port core (L2/L3: Ethernet, ARP, IPv4, ICMP; TCP
 * segments reach the no_tcp.c stand-in).
 *
 * Input: byte 0 = options (bit 0: empty ARP cache, bit 1: checksum
 * offloads, bit 2: advance virtual time 1.5 s after each frame, bits 4-7:
 * segment size of the injected mbufs, 0 = one segment, else 16*n bytes);
 * then up to 16 frames, each a 2-byte big-endian length and its bytes (a
 * length past the end takes the rest).  Before each frame but the first,
 * the core also sends a packet to a fuzz-chosen on-link address (so ARP
 * resolution, held packets and the answers to them are exercised).
 * Invariants: no crash (ASan/UBSan), everything sent parses as a frame we
 * may send (ARP, or IPv4 with a correct header checksum and, for ICMP, a
 * correct ICMP checksum), and no mbuf leaks (nst_destroy == 0).
 *
 * Linked with replay_main.c instead of libFuzzer it replays the corpus
 * directories given as arguments (the 'fuzz' test suite).
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>

#include "dp_arp.h"
#include "dp_eth.h"
#include "dp_ipv4.h"
#include "nstest.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_sent(struct nst *t)
{
	static struct nst_frame f;

	while (nst_pop(t, &f)) {
		struct nst_eth e;
		struct nst_arp a;
		struct nst_ip ip;
		struct nst_icmp ic;

		if (nst_parse_eth(&f, &e) != 0)
			abort();
		if (e.type == RTE_ETHER_TYPE_ARP) {
			if (nst_parse_arp(&f, &a) != 0 || a.spa != NST_IP ||
			    (a.op != 1 && a.op != 2))
				abort();
			continue;
		}
		if (e.type != RTE_ETHER_TYPE_IPV4 ||
		    nst_parse_ipv4(&f, &ip) != 0 || !ip.cksum_ok ||
		    ip.src != NST_IP)
			abort();
		if (ip.proto == IPPROTO_ICMP &&
		    (nst_parse_icmp(&f, &ic) != 0 || !ic.cksum_ok ||
		     ic.type != 0))
			abort();
	}
}

static void
fuzz_frame_one(const uint8_t *data, size_t size)
{
	struct nst *t;
	uint8_t opt;
	uint32_t seg;

	if (size < 1)
		return;
	opt = data[0];
	data++;
	size--;
	t = nst_create(((opt & 1) ? NST_F_NO_STATIC_ARP : 0) |
		       ((opt & 2) ? NST_F_OFFLOADS : 0));
	if (t == NULL)
		abort();
	seg = (uint32_t)(opt >> 4) * 16;
	for (int i = 0; i < 16 && size >= 2; i++) {
		uint32_t len = (uint32_t)data[0] << 8 | data[1];

		data += 2;
		size -= 2;
		if (len > size)
			len = (uint32_t)size;
		if (len > NST_FRAME_MAX)
			len = NST_FRAME_MAX;
		if (i > 0) {
			uint8_t payload[16] = { 0 };
			struct rte_mbuf *m = nst_mbuf(t, payload, 16);

			if (m == NULL)
				abort();
			dp_ipv4_output(&t->core, m, NST_IP,
				       (NST_IP & 0xffffff00u) | (len & 0xff),
				       IPPROTO_UDP);
		}
		if (nst_inject_segmented(t, data, len, seg) != 0)
			abort();
		nst_poll(t);
		if (opt & 4)
			nst_advance(t, 1500000);
		check_sent(t);
		data += len;
		size -= len;
	}
	/* let every ARP entry retry and expire */
	nst_advance_by_steps(t, 10 * DP_ARP_RETRY_US, DP_ARP_RETRY_US);
	nst_advance(t, DP_ARP_REACHABLE_US);
	check_sent(t);
	if (nst_destroy(t) != 0)
		abort();
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	if (nst_pool() == NULL)
		abort();
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_frame_one(data, size);
	return 0;
}

