/* unit_serial_shim.h - plain C API of tests/rtl/unit_serial_shim.cpp, which owns
 * the Verilated rtl/unit_serial.v (PREFIX Vunit_serial), for
 * tests/rtl/test_unit_serial.c. */
#ifndef LV_UNIT_SERIAL_SHIM_H
#define LV_UNIT_SERIAL_SHIM_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct uss uss;

typedef struct { /* the cfg inputs (held while busy) */
    int fx, ff, wf, wx, bn;
    int e; /* E, the coupling rows' largest exponent (e_i) */
    uint32_t j2, j4, k, gain;
    int32_t offset;
    uint16_t a, ca;
} uss_cfg;

typedef struct { /* one unit's request */
    int couple, heat, update;
    int32_t x, xp, cb, eb, z, nprev;
    int64_t gp, acc; /* acc: the raw coupling sum (acc_i) */
} uss_in;

typedef struct { /* results after done_o */
    int64_t g, x2, v, q, eta;
    int sat_force, sat_state, n_we;
    int32_t n, x;
    int64_t vsum, qsum; /* sums of term_o at v_valid_o / q_valid_o (the strobed terms) */
    int nv, nq;         /* how many v_valid_o / q_valid_o cycles */
    long cycles;   /* from the start cycle to the cycle showing done_o */
    int ready_ok;  /* ready_o was high before start, low while busy, high at done */
} uss_out;

uss *uss_create(void);
void uss_reset(uss *h);
/* One request: cfg and in applied, start_i pulsed for one cycle while ready_o,
 * then junk (random request fields and start_i = 1, which must be ignored) on
 * the inputs every cycle until done_o (at most max_cycles).  0, or -1 on timeout. */
int uss_run(uss *h, const uss_cfg *cfg, const uss_in *in, const uss_in *junk, long max_cycles, uss_out *out);
void uss_destroy(uss *h);

#ifdef __cplusplus
}
#endif

#endif
