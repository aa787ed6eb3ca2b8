/* noise_iter_shim.h - plain C API of tests/rtl/noise_iter_shim.cpp, which owns
 * Verilated noise sources (rtl/noise_source_iter.v at several DigitW, and the
 * pipelined rtl/noise_source.v), for tests/rtl/test_noise_iter.c. */
#ifndef LV_NOISE_ITER_SHIM_H
#define LV_NOISE_ITER_SHIM_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct nit nit;

typedef struct {
    int valid;
    uint64_t seed;
    uint32_t unit, tick, side;
} nit_in;

typedef struct {
    int ready; /* ready_o after the edge: may the next cycle present a request? (always 1: pipelined) */
    int valid; /* valid_o after the edge */
    uint32_t side;
    int32_t z;
} nit_out;

int nit_count(void);               /* number of models */
const char *nit_name(int i);       /* e.g. "iter_dw4", "pipelined" */
int nit_digit_w(int i);            /* DigitW of an iterative model; 0 for the pipelined one */
nit *nit_create(int i);            /* model i (0 .. nit_count() - 1); call nit_reset before use */
void nit_reset(nit *h, nit_out *o); /* asynchronous reset pulse */
void nit_cycle(nit *h, const nit_in *in, nit_out *o); /* one clock: inputs, rising edge, outputs */
void nit_destroy(nit *h);

#ifdef __cplusplus
}
#endif

#endif
