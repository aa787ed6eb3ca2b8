/* langevin info: describe and check a model or checkpoint file. */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "model_io.h"
#include "safetensors.h"

static const char *help =
    "usage: langevin info FILE.safetensors\n"
    "\n"
    "Print a model's physical parameters, noising protocol, training\n"
    "provenance, tensors and coupling statistics, after the full load-time\n"
    "checks (shapes, finiteness, symmetry).  Exit status 1 if any check fails.\n";

static void block_stats(const char *name, const double *w, size_t n)
{
    double mx = 0, ss = 0;
    size_t nz = 0;
    for (size_t i = 0; i < n; ++i) {
        if (fabs(w[i]) > mx) mx = fabs(w[i]);
        ss += w[i] * w[i];
        nz += w[i] != 0;
    }
    printf("  %-4s %9zu values  max|w| %.4g  rms %.4g  nonzero %.1f%%\n", name, n, mx, n ? sqrt(ss / (double)n) : 0,
           n ? 100.0 * (double)nz / (double)n : 0);
}

int cmd_info(int argc, char **argv)
{
    const char *C = "info";
    static const struct option opts[] = {{"help", no_argument, 0, 'h'}, {0, 0, 0, 0}};
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        if (c == 'h') {
            fputs(help, stdout);
            return LV_EXIT_OK;
        }
        return cli_usage_error(C, "unknown option");
    }
    if (argc - optind != 1) return cli_usage_error(C, "expects exactly one file");
    const char *path = argv[optind];
    lv_error err;
    lv_st_file *f;
    if (lv_st_open(path, &f, &err)) return cli_fail(C, &err);
    printf("%s: safetensors, %zu tensors\n", path, lv_st_count(f));
    for (size_t i = 0; i < lv_st_count(f); ++i) {
        const lv_st_tensor *t = lv_st_at(f, i);
        printf("  %-16s %s [", t->name, lv_st_dtype_name(t->dtype));
        for (int d = 0; d < t->ndim; ++d) printf("%s%lld", d ? ", " : "", (long long)t->shape[d]);
        printf("]\n");
    }
    printf("metadata:\n");
    for (size_t i = 0; i < lv_st_meta_count(f); ++i) {
        const char *k, *v;
        if (lv_st_meta_at(f, i, &k, &v) == 0) printf("  %-26s %s\n", k, v);
    }
    lv_st_close(f);
    lv_model m;
    if (lv_model_load(path, &m, &err)) return cli_fail(C, &err);
    const lv_physics *ph = &m.phys;
    long K = 0;
    lv_steps_for(ph->tf, ph->dt, &K, &err);
    printf("model: %d visible (%dx%d) + %d hidden units, %zu couplings (each pair once)%s\n", ph->nv, m.rows,
           m.cols, ph->nh, lv_coupling_count(ph), ph->vv ? ", visible-visible on" : "");
    printf("  J2 = %g (%.3g kT), J4 = %g (%.3g kT), mu = %g, kT = %g, dt = %g, t_f = %g (%ld steps)\n", ph->J2,
           ph->J2 / ph->kT, ph->J4, ph->J4 / ph->kT, ph->mu, ph->kT, ph->dt, ph->tf, K);
    printf("  protocol: strength %g, hidden strength %g, t_eq %g, linear ramp\n", m.proto.strength,
           m.proto.hidden_strength, m.proto.t_eq);
    printf("  trained %lld epochs x %lld trajectories, seed %llu, on %d digit(s):", (long long)m.epochs_done,
           (long long)m.batch, (unsigned long long)m.seed, m.ndigits);
    for (int i = 0; i < m.ndigits; ++i) printf(" #%d(label %d)", (int)m.digit_index[i], (int)m.digit_labels[i]);
    printf("\n");
    size_t nv = (size_t)ph->nv, nh = (size_t)ph->nh;
    block_stats("Wvh", m.p.Wvh, nv * nh);
    block_stats("Whh", m.p.Whh, nh * nh);
    if (ph->vv) block_stats("Wvv", m.p.Wvv, nv * nv);
    block_stats("bh", m.p.bh, nh);
    block_stats("bv", m.p.bv, nv);
    printf("checks: shapes, finiteness, symmetry and zero diagonals OK\n");
    lv_model_free(&m);
    return LV_EXIT_OK;
}
