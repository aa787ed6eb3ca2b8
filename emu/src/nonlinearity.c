/* nonlinearity.c - §5 force: constants and the row form used by tests and
 * tools (the device fuses the per-unit inline form with the meter). */
#include "nonlinearity.h"

void lv_nl_init(lv_nl *nl, int fx, int ff, int wf, int32_t j2, int32_t j4)
{
    nl->fx = fx;
    nl->ff = ff;
    nl->wf = wf;
    nl->s_nl = 16 + fx - ff;
    nl->two_j2 = 2 * (int64_t)j2;
    nl->four_j4 = 4 * (int64_t)j4;
    nl->gmax = lv_fx_max(wf);
    nl->r_fx = lv_rs_make(fx);
    nl->r_nl = lv_rs_make(nl->s_nl);
}

void lv_nl_row(const lv_nl *nl, size_t n, const int32_t *x, const int64_t *bf, const int64_t *f,
               int64_t *g, uint64_t *sat_force)
{
    uint64_t ev = 0;
    for (size_t i = 0; i < n; ++i) {
        int64_t xi = x[i];
        g[i] = lv_nl_force(nl, xi, lv_nl_x2(nl, xi), bf ? bf[i] : 0, f ? f[i] : 0, &ev);
    }
    if (sat_force) *sat_force += ev;
}
