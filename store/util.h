/*
 * util.h -- number parsing and formatting with Redis's exact rules.
 *
 * Pure functions, any thread, no allocation unless stated.
 */
#ifndef ST_UTIL_H
#define ST_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>

/* Strict signed 64-bit integer parse as Redis string2ll: no spaces, no '+',
 * no leading zeros (except "0"), no overflow.  0 or -EINVAL. */
int st_str2ll(const char *s, size_t len, long long *out);
/* Unsigned variant (SCAN cursors). 0 or -EINVAL. */
int st_str2ull(const char *s, size_t len, unsigned long long *out);
/* Long double parse as Redis string2ld (INCRBYFLOAT, HINCRBYFLOAT):
 * rejects spaces, empty, nan; 0 or -EINVAL. */
int st_str2ld(const char *s, size_t len, long double *out);
/* Double parse as Redis getDoubleFromObject / zset scores: accepts
 * "inf", "+inf", "-inf" (any case); rejects nan, spaces, empty. 0 or -EINVAL. */
int st_str2d(const char *s, size_t len, double *out);

/* Format helpers; return the number of bytes written (no NUL counted).
 * 'buf' must hold at least ST_NUMBUF bytes. */
#define ST_NUMBUF 128
int st_ll2str(char *buf, long long v);
int st_ull2str(char *buf, unsigned long long v);
/* As Redis ld2string(LD_STR_HUMAN): INCRBYFLOAT results ("%.17Lf" trimmed).
 * 'buf' needs ST_LDBUF bytes for every long double (1e4000 has 4001 digits). */
#define ST_LDBUF 5120
int st_ld2str_human(char *buf, size_t cap, long double v);
/* As Redis addReplyDouble in RESP2 / zset scores: "%.17g", "inf", "-inf". */
int st_d2str(char *buf, size_t cap, double v);

/* Glob-style match as Redis stringmatchlen (KEYS, SCAN MATCH). */
bool st_glob_match(const char *pat, size_t patlen, const char *s, size_t slen,
		   bool nocase);

/* 64-bit hash of a byte string (keys, hash fields, set members). */
uint64_t st_hash64(const void *data, size_t len);

/* Fast thread-local PRNG (xorshift); not for cryptography. */
uint64_t st_rand64(void);

/* Wall clock in milliseconds / microseconds. */
int64_t st_mstime(void);
int64_t st_ustime(void);

#endif
