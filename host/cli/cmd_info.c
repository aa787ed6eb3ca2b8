/* langevin info: describe and check a model or checkpoint file. */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "device.h"
#include "device_image_io.h"
#include "model_io.h"
#include "safetensors.h"

static const char *help =
    "usage: langevin info FILE.safetensors | IMAGE.lvimg\n"
    "\n"
    "Print a model's physical parameters, noising protocol, training\n"
    "provenance, tensors and coupling statistics, after the full load-time\n"
    "checks (shapes, finiteness, symmetry).  For a device image (from\n"
    "`langevin quantize`): its dimensions, formats, physical parameters,\n"
    "memories and metadata, after the file checks (magic, version, section and\n"
    "file CRCs, sizes, code ranges) and the device's own bound checks\n"
    "(docs/fixed-point.md §10).  Exit status 1 if any check fails.\n";

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

static int is_device_image(const char *path)
{
    FILE *fp = fopen(path, "rb");
    char magic[8] = {0};
    int yes = fp && fread(magic, 1, 8, fp) == 8 && memcmp(magic, "LVDEVIMG", 8) == 0;
    if (fp) fclose(fp);
    return yes;
}

static void code_stats(const char *name, const int16_t *c, size_t n, int bits)
{
    size_t nz = 0, at_max = 0;
    int qmax = (1 << (bits - 1)) - 1;
    for (size_t i = 0; i < n; ++i) nz += c[i] != 0, at_max += c[i] == qmax || c[i] == -qmax;
    printf("  %-4s %9zu codes  nonzero %.1f%%  at +-max %.3f%%\n", name, n, n ? 100.0 * nz / n : 0,
           n ? 100.0 * at_max / n : 0);
}

static int info_image(const char *C, const char *path)
{
    lv_error err;
    lv_dev_image img;
    char *meta = NULL;
    if (lv_dev_image_read(path, &img, &meta, &err)) return cli_fail(C, &err);
    printf("%s: device image (docs/device-image.md), checks passed (magic, version, CRCs, sizes, code ranges)\n",
           path);
    printf("units: %d visible + %d hidden, %zu couplings (each pair once)%s, %zu stored rows\n", img.nv, img.nh,
           img.m, img.vv ? ", visible-visible on" : "", img.n_rows);
    printf("formats: state Q%d.%d (%d bits), force Q%d.%d (%d bits), couplings %d bits, biases %d bits, "
           "noise DAC %d bits\n", img.wx - img.fx, img.fx, img.wx, img.wf - img.ff, img.ff, img.wf, img.bj, img.bb,
           img.bn);
    printf("codes: J2 %d, J4 %d (Q16.16), K %u (Q0.32), noise gain %u (Q16.16), offset %d, colour a %u c %u\n",
           img.j2, img.j4, img.k, img.gain, img.offset, img.colour_a, img.colour_c);
    printf("physics: J2 = %g, J4 = %g, kT = %g, mu = %g, dt = %g, t_f = %g, t_eq = %g\n", img.J2, img.J4, img.kT,
           img.mu, img.dt, img.tf, img.t_eq);
    printf("protocol: %u coupling-free ticks, then %u coupled ticks\n", img.ticks_eq, img.ticks_run);
    size_t nvh = (size_t)img.nv * img.nh, nhh = (size_t)img.nh * (img.nh - 1) / 2;
    code_stats("vh", img.c, nvh, img.bj);
    code_stats("hh", img.c + nvh, nhh, img.bj);
    if (img.vv) code_stats("vv", img.c + nvh + nhh, img.m - nvh - nhh, img.bj);
    int emin = 127, emax = -128;
    for (size_t r = 0; r < img.n_rows; ++r) emin = img.ej[r] < emin ? img.ej[r] : emin, emax = img.ej[r] > emax ? img.ej[r] : emax;
    printf("  row exponents %d..%d, bias exponents %d (visible) %d (hidden)\n", emin, emax, img.eb[0], img.eb[1]);
    printf("reference digits: %d", img.n_digits);
    for (int d = 0; d < img.n_digits; ++d) printf("%s label %d", d ? "," : "", img.digit_labels[d]);
    printf("\nmetadata: %s\n", meta ? meta : "(none)");
    free(meta);
    lv_dev *d = lv_dev_create(&img, NULL, 1, &err);
    int rc = LV_EXIT_OK;
    if (!d) {
        rc = cli_fail(C, &err);
    } else {
        printf("device checks (docs/fixed-point.md §10): passed; coupling field path %s\n",
               lv_dev_field_path(d) == LV_CN_INT64 ? "int64" : "exact GEMM");
        lv_dev_free(d);
    }
    lv_dev_image_free(&img);
    return rc;
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
    if (is_device_image(path)) return info_image(C, path);
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
