/* cal_report.c - calibration report: text and PNG plots.  See
 * lv_cal_report.h. */
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "fileio.h"
#include "lv_cal_report.h"
#include "plot.h"

typedef struct {
    double mean, rms, maxabs;
} summ;

static summ stats(const double *v, int n, double scale, double shift)
{
    summ s = {0, 0, 0};
    for (int i = 0; i < n; ++i) {
        double x = v[i] * scale + shift;
        s.mean += x;
        s.rms += x * x;
        s.maxabs = fmax(s.maxabs, fabs(x));
    }
    s.mean /= n;
    s.rms = sqrt(s.rms / n);
    return s;
}

/* Print to both streams (summary may be NULL). */
static void out2(FILE *a, FILE *b, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void out2(FILE *a, FILE *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vfprintf(a, fmt, ap);
    va_end(ap);
    if (b) {
        va_start(ap, fmt);
        vfprintf(b, fmt, ap);
        va_end(ap);
    }
}

static void thermal_lines(FILE *f, FILE *g, const char *what, const lv_cal_thermal *t, double kT)
{
    const int n = t->n;
    summ tk = stats(t->kT, n, 1 / kT, -1), off = stats(t->resid, n, 1, 0), se = stats(t->kT_err, n, 1 / kT, 0);
    summ inc = stats(t->kT_inc, n, 1 / kT, -1), ks = stats(t->ks, n, 1, 0);
    out2(f, g, "%s:\n", what);
    out2(f, g, "  kT / target - 1 over units: mean %+.4f, rms %.4f, max |.| %.4f (per-unit standard error %.4f)\n",
         tk.mean, tk.rms, tk.maxabs, se.rms);
    out2(f, g, "  kT from one-tick noise increments: mean %+.4f, rms %.4f (cross-check)\n", inc.mean, inc.rms);
    out2(f, g, "  residual offset force h - b: rms %.5f, max |.| %.5f (energy/length units)\n", off.rms, off.maxabs);
    out2(f, g, "  Euler correction of kT: %.2e relative; effective independent samples per unit: %.0f\n",
         t->euler_rel, t->n_eff);
    out2(f, g, "  KS distance to the Boltzmann law: mean %.4f, max %.4f (sampling noise ~%.4f)\n", ks.mean,
         ks.maxabs, 0.87 / sqrt(t->n_eff));
}

static int plot_units(const char *dir, const char *name, const double *a, const double *b, double ref, int n,
                      const char *title, const char *ylabel, const char *na, const char *nb, const char *nref,
                      lv_error *err)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    double *x = malloc((size_t)n * 3 * sizeof(double));
    if (!x) return lv_fail(err, "calibration report: out of memory");
    double *r = x + n, *bb = x + 2 * n;
    for (int i = 0; i < n; ++i) {
        x[i] = i;
        r[i] = ref;
        bb[i] = b ? b[i] : NAN;
    }
    lv_series s[3] = {{na, a}, {nb, bb}, {nref, r}};
    int ns = b ? 3 : 2;
    if (!b) s[1] = s[2];
    int rc = lv_plot_lines(path, x, (size_t)n, s, ns, title, "unit", ylabel, 0, err);
    free(x);
    return rc;
}

/* The text of the report to f (and g when not NULL). */
static void report_text(FILE *f, FILE *g, const lv_dev_image *img, const lv_cal_result *res, const double *d_true)
{
    const lv_cal_record *rec = &res->rec;
    const double kT = img->kT;
    out2(f, g, "Calibration of %s: %d units (nv %d, nh %d), target kT %g, mu*dt %.6g, %.3g device ticks\n",
         rec->chip[0] ? rec->chip : "a chip", rec->n_units, rec->nv, rec->nh, kT, img->k * 0x1p-32, res->ticks);
    thermal_lines(f, g, "Before trims (calibration image, untrimmed GAIN/OFFSET)", &res->before, kT);
    if (res->has_after) thermal_lines(f, g, "After trims (record applied to the calibration image)", &res->after, kT);
    summ ge = {0, 0, 0};
    {
        double s2 = 0, mx = 0;
        for (int i = 0; i < rec->n_units; ++i) {
            s2 += rec->units[i].gain_error * rec->units[i].gain_error;
            mx = fmax(mx, fabs(rec->units[i].gain_error));
        }
        ge.rms = sqrt(s2 / rec->n_units);
        ge.maxabs = mx;
    }
    out2(f, g, "Trims: GAIN x %.6f (global), OFFSET %+d (Q16.16 state LSBs), per-unit offsets folded into biases\n",
         rec->gain_trim, rec->offset_trim);
    out2(f, g, "Per-unit noise-gain error (cannot be trimmed with the global GAIN): rms %.4f, max |.| %.4f\n", ge.rms,
         ge.maxabs);
    for (int bits = 4; bits <= 8; bits += 2) {
        lv_cal_trim_dac td;
        lv_cal_gain_trim_dac(rec, bits, &td);
        out2(f, g, "  a %d-bit per-unit gain-trim DAC over +-%.3f (LSB %.4f) would leave rms %.4f (%.0f%% removed)\n",
             bits, td.range, td.lsb, td.residual_rms, 100 * (1 - td.residual_rms / fmax(td.before_rms, 1e-300)));
    }
    if (res->has_colour) {
        summ l = stats(res->colour.lag1, res->colour.n, 1, 0);
        out2(f, g, "Noise colour: lag-1 autocorrelation of the noise mean %.4f (rms over units %.4f), configured "
                   "a/2^15 = %.4f, standard error per unit %.4f\n",
             l.mean, l.rms, res->colour_expected, res->colour.lag1_err[0]);
    }
    {
        summ l = stats(res->before.lag1, res->before.n, 1, 0);
        summ k = stats(res->before.inc_exkurt, res->before.n, 1, 0);
        out2(f, g, "White noise: lag-1 autocorrelation mean %+.4f (expected 0, standard error per unit %.4f); "
                   "noise excess kurtosis mean %+.3f (Irwin-Hall source: -0.100)\n",
             l.mean, res->before.lag1_err[0], k.mean);
    }
    if (res->has_mm) {
        const size_t m = res->mm.m;
        double s2 = 0, e2 = 0, t2 = 0;
        for (size_t k = 0; k < m; ++k) {
            s2 += res->mm.d[k] * res->mm.d[k];
            e2 += res->mm.d_err[k] * res->mm.d_err[k];
            if (d_true) t2 += pow(res->mm.d[k] - d_true[k], 2);
        }
        out2(f, g, "Coupling mismatch: %zu elements in %d rounds; estimated relative error rms %.4f, standard error "
                   "rms %.4f",
             m, res->mm.rounds, sqrt(s2 / m), sqrt(e2 / m));
        if (d_true) out2(f, g, ", estimate - actual rms %.4f", sqrt(t2 / m));
        out2(f, g, "\n");
        lv_cal_trim_eval pe;
        lv_cal_coupling_trim_eval(img, res->mm.d, res->mm.d, &pe);
        out2(f, g, "  trim c' = round(c/(1+d)) of this image's %zu non-zero codes, predicted from the estimates: rms "
                   "element error %.3f -> %.3f code LSB (%.4f -> %.4f of the rms code)\n",
             pe.nonzero, pe.before_lsb, pe.after_lsb, pe.before_rel, pe.after_rel);
        if (d_true) {
            lv_cal_trim_eval te;
            lv_cal_coupling_trim_eval(img, d_true, res->mm.d, &te);
            out2(f, g, "  against the emulated chip's actual errors: %.3f -> %.3f code LSB (%.4f -> %.4f); rounding "
                       "to integer codes alone leaves >= %.3f LSB\n",
                 te.before_lsb, te.after_lsb, te.before_rel, te.after_rel, 1 / sqrt(12.0));
        }
    }
}

int lv_cal_report_write_summary(const lv_dev_image *img, const lv_cal_result *res, const double *d_true, FILE *out,
                                lv_error *err)
{
    if (!img || !res || !out) return lv_fail(err, "calibration report: NULL argument");
    report_text(out, NULL, img, res, d_true);
    return 0;
}

int lv_cal_report_write(const char *dir, const lv_dev_image *img, const lv_cal_result *res, const double *d_true,
                        FILE *summary, lv_error *err)
{
    if (lv_mkdir_p(dir, err)) return lv_fail_prefix(err, "calibration report");
    char path[4096];
    snprintf(path, sizeof path, "%s/report.txt", dir);
    lv_atomic_file *af;
    if (lv_atomic_open(&af, path, err)) return -1;
    report_text(lv_atomic_stream(af), summary, img, res, d_true);
    const lv_cal_record *rec = &res->rec;
    const double kT = img->kT;
    if (lv_atomic_commit(af, err)) return -1;
    /* Plots. */
    const int n = rec->n_units;
    if (plot_units(dir, "temperature.png", res->before.kT, res->has_after ? res->after.kT : NULL, kT, n,
                   "Effective temperature per unit", "kT", "before trims", "after trims", "target", err) ||
        plot_units(dir, "offset.png", res->before.resid, res->has_after ? res->after.resid : NULL, 0, n,
                   "Residual noise offset per unit (as a force)", "h - b", "before trims", "after trims", "zero", err))
        return -1;
    if (res->has_colour &&
        plot_units(dir, "colour.png", res->colour.lag1, res->before.lag1, res->colour_expected, n,
                   "Lag-1 autocorrelation of the noise", "lag-1 correlation", "colour on", "colour off",
                   "configured a/2^15", err))
        return -1;
    if (res->has_mm) {
        const size_t m = res->mm.m;
        double *x = malloc(m * 2 * sizeof(double));
        if (!x) return lv_fail(err, "calibration report: out of memory");
        for (size_t k = 0; k < m; ++k) x[k] = (double)k;
        lv_series s[2] = {{"estimated", res->mm.d}, {"actual (emulated chip)", d_true}};
        snprintf(path, sizeof path, "%s/mismatch.png", dir);
        int rc = lv_plot_lines(path, x, m, s, d_true ? 2 : 1, "Coupling element error", "stored coupling",
                               "relative error d", 0, err);
        free(x);
        if (rc) return -1;
    }
    return 0;
}
