/* emu_test_util.h - helpers shared by the emulated-device tests: random
 * test inputs and a 128-bit reference of the rounding primitive, so each
 * module can be checked against its formulas evaluated without overflow. */
#ifndef LV_EMU_TEST_UTIL_H
#define LV_EMU_TEST_UTIL_H

#include <stdint.h>

#include "test_util.h"

__extension__ typedef __int128 i128;

#define splitmix64 lv_t_splitmix64

/* Uniform integer in [lo, hi] (test inputs only: the modulo bias is harmless). */
static inline int64_t irand(uint64_t *s, int64_t lo, int64_t hi)
{
    return lo + (int64_t)(lv_t_splitmix64(s) % (uint64_t)(hi - lo + 1));
}

/* rnd(v, s) of docs/fixed-point.md §1 in 128 bits. */
static inline i128 rnd128(i128 v, int s)
{
    if (s > 0) return (v + ((i128)1 << (s - 1)) - (v < 0)) >> s;
    return v * ((i128)1 << -s);
}

#endif
