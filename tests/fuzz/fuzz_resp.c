/*
 * fuzz_resp.c -- libFuzzer target: arbitrary bytes through the RESP parser
 * and the command dispatcher, as a client connection would deliver them.
 *
 * The first byte picks the fragment size the input is fed in, so the
 * parser's resumption is fuzzed as well as its grammar.  Each input runs on
 * a fresh client with the default configuration (bounded value sizes so a
 * single input cannot ask for gigabytes); the keyspace is flushed every few
 * hundred inputs.  Invariants checked: the reply stream is well-formed
 * RESP (fuzz_common.c) and nothing crashes or leaks (ASan/LSan/UBSan).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client.h"
#include "config.h"
#include "worker.h"
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_resp_one(data, size);
	return 0;
}
