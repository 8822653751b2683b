/*
 * crc64.h -- CRC-64/Jones as Redis computes it (RDB checksums, DUMP payloads).
 *
 * Polynomial 0xad93d23594c935a9, reflected input and output, initial value 0,
 * no final xor; the check value of "123456789" is 0xe9c6d914c4b8d9ca.  The
 * RDB trailer is this CRC of every byte from the 'R' of "REDIS" through the
 * EOF opcode, stored as 8 bytes little endian.
 *
 * Table driven (slicing by 8, tables built once, thread safe).  Pure
 * functions, any thread, no allocation.
 */
#ifndef CTL_CRC64_H
#define CTL_CRC64_H

#include <stddef.h>
#include <stdint.h>

/* Continue a CRC over p[0..n): start with crc = 0. */
uint64_t ctl_crc64(uint64_t crc, const void *p, size_t n);

#endif
