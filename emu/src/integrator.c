/* integrator.c - §7 Euler tick over a row of units. */
#include "integrator.h"

void lv_integ_init(lv_integ *in, uint32_t k, int fx, int ff, int wx)
{
    in->k = k;
    in->s_drift = ff + 32 - fx;
    in->wx = wx;
    in->xmax = lv_fx_max(wx);
    in->r_drift = lv_rs_make(in->s_drift);
}

void lv_integ_row(const lv_integ *in, const lv_noise_dac *dac, size_t n, const int32_t *x,
                  const int64_t *g, const int32_t *z, int64_t *colour, int64_t *eta_out,
                  int32_t *x_out, uint64_t *sat_state)
{
    enum { CHUNK = 256 }; /* eta scratch on the stack when the caller wants none */
    int64_t buf[CHUNK];
    uint64_t ev = 0;
    for (size_t i0 = 0; i0 < n; i0 += CHUNK) {
        size_t cnt = n - i0 < CHUNK ? n - i0 : CHUNK;
        int64_t *eta = eta_out ? eta_out + i0 : buf;
        lv_dac_eta_block(dac, z + i0, cnt, colour ? colour + i0 : NULL, eta);
        for (size_t i = 0; i < cnt; ++i) x_out[i0 + i] = lv_integ_update(in, x[i0 + i], g[i0 + i], eta[i], &ev);
    }
    if (sat_state) *sat_state += ev;
}

void lv_integ_row_units(const lv_integ *in, const lv_noise_dac *dac, const int64_t *gain, const int64_t *offset,
                        size_t n, const int32_t *x, const int64_t *g, const int32_t *z, int64_t *colour,
                        int64_t *eta_out, int32_t *x_out, uint64_t *sat_state)
{
    enum { CHUNK = 256 };
    int64_t buf[CHUNK];
    uint64_t ev = 0;
    for (size_t i0 = 0; i0 < n; i0 += CHUNK) {
        size_t cnt = n - i0 < CHUNK ? n - i0 : CHUNK;
        int64_t *eta = eta_out ? eta_out + i0 : buf;
        lv_dac_eta_block_units(dac, gain + i0, offset + i0, z + i0, cnt, colour ? colour + i0 : NULL, eta);
        for (size_t i = 0; i < cnt; ++i) x_out[i0 + i] = lv_integ_update(in, x[i0 + i], g[i0 + i], eta[i], &ev);
    }
    if (sat_state) *sat_state += ev;
}
