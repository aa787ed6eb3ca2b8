/* energy_meter.c - §8 meter: constants and row forms (the device fuses the
 * inline per-unit forms into its field pass). */
#include "energy_meter.h"


void lv_meter_init(lv_meter *m, int fx, int ff, int32_t j2, int32_t j4)
{
    m->fx = fx;
    m->ff = ff;
    m->s_loc = 16 + fx - LV_FE;
    m->s_bias = ff + fx - LV_FE;
    m->s_half = ff + fx + 1 - LV_FE;
    m->j2 = j2;
    m->j4 = j4;
    m->r_fx = lv_rs_make(fx);
    m->r_loc = lv_rs_make(m->s_loc);
    m->r_bias = lv_rs_make(m->s_bias);
    m->r_half = lv_rs_make(m->s_half);
}

int64_t lv_meter_energy(const lv_meter *m, size_t n, const int32_t *x, const int64_t *bf,
                        const int64_t *f)
{
    int64_t v = 0;
    for (size_t i = 0; i < n; ++i) {
        int64_t xi = x[i];
        v += lv_meter_local(m, lv_rs_apply(m->r_fx, xi * xi));
        if (bf || f) v += lv_meter_coupled(m, xi, bf ? bf[i] : 0, f ? f[i] : 0);
    }
    return v;
}

int64_t lv_meter_heat(const lv_meter *m, size_t n, const int64_t *g0, const int64_t *g1,
                      const int32_t *x0, const int32_t *x1)
{
    int64_t q = 0;
    for (size_t i = 0; i < n; ++i) q += lv_meter_heat_unit(m, g0[i], g1[i], (int64_t)x1[i] - x0[i]);
    return q;
}
