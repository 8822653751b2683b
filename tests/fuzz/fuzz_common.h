/*
 * fuzz_common.h -- the body shared by the libFuzzer target and the corpus
 * replay test.
 */
#ifndef FUZZ_COMMON_H
#define FUZZ_COMMON_H

#include <stddef.h>
#include <stdint.h>

/* Run one input; aborts if an invariant is broken. */
void fuzz_resp_one(const uint8_t *data, size_t size);

#endif
