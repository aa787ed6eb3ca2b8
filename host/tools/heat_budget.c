/* heat_budget.c - energy comparison arithmetic (see heat_budget.h). */
#include "heat_budget.h"

#include <errno.h>
#include <stdlib.h>

double lv_mlp_macs(const int *w, int n)
{
    double m = 0;
    for (int i = 0; i + 1 < n; ++i) m += (double)w[i] * (double)w[i + 1];
    return m;
}

double lv_langevin_step_macs(int nv, int nh, int vv)
{
    double M = (double)nv * nh + (double)nh * (nh - 1) / 2 + (vv ? (double)nv * (nv - 1) / 2 : 0);
    return 2 * M + (double)(nv + nh);
}

int lv_parse_layers(const char *s, int *w, int *n, lv_error *err)
{
    *n = 0;
    const char *p = s;
    for (;;) {
        char *end;
        errno = 0;
        long v = strtol(p, &end, 10);
        if (end == p || errno || v < 1 || v > 1000000 || (*end && *end != ','))
            return lv_fail(err, "layer widths '%s': expected comma-separated integers in [1, 1000000]", s);
        if (*n >= 16) return lv_fail(err, "layer widths '%s': more than 16 layers", s);
        w[(*n)++] = (int)v;
        if (!*end) break;
        p = end + 1;
    }
    if (*n < 2) return lv_fail(err, "layer widths '%s': need at least an input and an output width", s);
    return 0;
}

lv_energy lv_energy_of_macs(double macs, double pj_per_mac, double t_kelvin)
{
    lv_energy e = {macs, macs * pj_per_mac * 1e-12, 0};
    e.kT = e.joules / (LV_BOLTZMANN * t_kelvin);
    return e;
}

double lv_kT_to_joules(double q_kT, double t_kelvin) { return q_kT * LV_BOLTZMANN * t_kelvin; }
