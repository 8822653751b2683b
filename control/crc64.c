/*
 * crc64.c -- CRC-64/Jones, reflected, slicing by 8 (see crc64.h).
 *
 * The reflected form of the polynomial 0xad93d23594c935a9 is
 * 0x95ac9329ac4bc9b5: table[0][b] is the CRC of byte b alone, table[k][b]
 * the CRC of b followed by k zero bytes, so eight input bytes are folded in
 * with eight lookups.
 */
#include "crc64.h"

#include <pthread.h>
#include <string.h>

#define CRC64_JONES_REFLECTED 0x95ac9329ac4bc9b5ULL

static uint64_t crc_table[8][256];
static pthread_once_t crc_once = PTHREAD_ONCE_INIT;

static void
crc64_init(void)
{
	for (unsigned b = 0; b < 256; b++) {
		uint64_t c = b;

		for (int k = 0; k < 8; k++)
			c = (c & 1) ? (c >> 1) ^ CRC64_JONES_REFLECTED : c >> 1;
		crc_table[0][b] = c;
	}
	for (unsigned b = 0; b < 256; b++) {
		uint64_t c = crc_table[0][b];

		for (int k = 1; k < 8; k++) {
			c = crc_table[0][c & 0xff] ^ (c >> 8);
			crc_table[k][b] = c;
		}
	}
}

uint64_t
ctl_crc64(uint64_t crc, const void *p, size_t n)
{
	const unsigned char *s = p;

	pthread_once(&crc_once, crc64_init);
	while (n >= 8) {
		uint64_t w;

		memcpy(&w, s, 8);
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
		w = __builtin_bswap64(w);
#endif
		crc ^= w;
		crc = crc_table[7][crc & 0xff] ^
		      crc_table[6][(crc >> 8) & 0xff] ^
		      crc_table[5][(crc >> 16) & 0xff] ^
		      crc_table[4][(crc >> 24) & 0xff] ^
		      crc_table[3][(crc >> 32) & 0xff] ^
		      crc_table[2][(crc >> 40) & 0xff] ^
		      crc_table[1][(crc >> 48) & 0xff] ^
		      crc_table[0][crc >> 56];
		s += 8;
		n -= 8;
	}
	while (n--)
		crc = crc_table[0][(crc ^ *s++) & 0xff] ^ (crc >> 8);
	return crc;
}
