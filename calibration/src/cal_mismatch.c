/* cal_mismatch.c - coupling mismatch from pinned-unit responses.  See
 * lv_cal_mismatch.h for the procedure and docs/calibration.md for why. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "lv_cal_device.h"
#include "lv_cal_mismatch.h"
#include "nonlinearity.h"

enum { KB = 8 }; /* batches per configuration for the standard errors */

lv_cal_mismatch_opts lv_cal_mismatch_defaults(void)
{
    return (lv_cal_mismatch_opts){0.1, 1.0, 2000, 20, 2000, 0x5EEDull, NULL};
}

void lv_cal_mismatch_free(lv_cal_mismatch *mm)
{
    if (!mm) return;
    free(mm->d);
    free(mm->d_err);
    memset(mm, 0, sizeof *mm);
}

/* Units and stored row of every stored coupling, docs/fixed-point.md §3. */
static void edges(const lv_dev_image *img, int *ui, int *uj, int *row)
{
    const int nv = img->nv, nh = img->nh;
    size_t k = 0;
    for (int v = 0; v < nv; ++v)
        for (int h = 0; h < nh; ++h, ++k) ui[k] = v, uj[k] = nv + h, row[k] = v;
    for (int h = 0; h < nh; ++h)
        for (int h2 = h + 1; h2 < nh; ++h2, ++k) ui[k] = nv + h, uj[k] = nv + h2, row[k] = nv + h;
    if (img->vv)
        for (int v = 0; v < nv; ++v)
            for (int v2 = v + 1; v2 < nv; ++v2, ++k) ui[k] = v, uj[k] = v2, row[k] = nv + nh + v;
}

/* Greedy edge colouring: round[k] = the first round where neither unit of
 * coupling k is taken.  Returns the number of rounds, or -1 (memory). */
static int colour_edges(int n, size_t m, const int *ui, const int *uj, int *round)
{
    int cap = 0, rounds = 0;
    unsigned char *used = NULL; /* [cap][n] */
    for (size_t k = 0; k < m; ++k) {
        int r = 0;
        for (;; ++r) {
            if (r == cap) {
                int nc = cap ? 2 * cap : 16;
                unsigned char *u = realloc(used, (size_t)nc * (size_t)n);
                if (!u) {
                    free(used);
                    return -1;
                }
                memset(u + (size_t)cap * n, 0, (size_t)(nc - cap) * n);
                used = u;
                cap = nc;
            }
            unsigned char *ur = used + (size_t)r * n;
            if (!ur[ui[k]] && !ur[uj[k]]) {
                ur[ui[k]] = ur[uj[k]] = 1;
                break;
            }
        }
        round[k] = r;
        if (r + 1 > rounds) rounds = r + 1;
    }
    free(used);
    return rounds;
}

int lv_cal_mismatch_measure(lv_fw_dev *dev, const lv_dev_image *img, const lv_cal_mismatch_opts *o,
                            lv_cal_mismatch *out, lv_error *err)
{
    if (!dev || !img || !o || !out) return lv_fail(err, "mismatch calibration: NULL argument");
    if (!(o->noise_scale > 0 && o->noise_scale <= 1) || !(o->pin_x > 0 && o->pin_x <= 2) || o->reads < 16 ||
        o->gap < 1)
        return lv_fail(err, "mismatch calibration: options out of range (need 0 < noise scale <= 1, 0 < pin x <= 2, "
                            "reads >= 16, gap >= 1)");
    memset(out, 0, sizeof *out);
    const int n = img->nv + img->nh;
    const size_t m = img->m;
    int *ui = malloc(m * sizeof(int)), *uj = malloc(m * sizeof(int)), *row = malloc(m * sizeof(int)),
        *rnd = malloc(m * sizeof(int));
    double *acc = calloc(m * 4 * KB * 4, sizeof(double)); /* [k][config][batch][y_i, z_j, y_j, z_i] */
    int *pos = malloc((size_t)n * sizeof(int));           /* edge index of a unit in this round, or -1 */
    lv_dev_image cal = {0};
    lv_cal_samples S = {0};
    int rc = -1;
    if (!ui || !uj || !row || !rnd || !acc || !pos) {
        lv_fail(err, "mismatch calibration: out of memory for %zu couplings", m);
        goto done;
    }
    edges(img, ui, uj, row);
    const int rounds = colour_edges(n, m, ui, uj, rnd);
    if (rounds < 0) {
        lv_fail(err, "mismatch calibration: out of memory colouring the couplings");
        goto done;
    }
    if (lv_cal_blank_image(img, o->noise_scale, &cal, err)) goto done;
    const double j2 = img->j2 / 65536.0, j4 = img->j4 / 65536.0, lsb = ldexp(1, -img->fx);
    const int cmax = (1 << (img->bj - 1)) - 1;
    const double upin = 2 * j2 * o->pin_x + 4 * j4 * pow(o->pin_x, 3);
    /* Bias exponent: the pinning force plus one coupling's worth fits Bb bits. */
    const int eb = img->bb - 1 - (int)ceil(log2(upin + 2.0));
    cal.eb[0] = cal.eb[1] = (int8_t)(eb > 47 ? 47 : eb);
    const double tick_cfg = (double)o->burn + (double)o->reads * o->gap;
    for (int r = 0; r < rounds; ++r) {
        memset(cal.c, 0, m * sizeof(int16_t));
        memcpy(cal.ej, img->ej, img->n_rows);
        for (int i = 0; i < n; ++i) pos[i] = -1;
        for (size_t k = 0; k < m; ++k)
            if (rnd[k] == r) {
                cal.c[k] = (int16_t)cmax;
                cal.ej[row[k]] = (int8_t)(img->bj - 1);
                pos[ui[k]] = pos[uj[k]] = (int)k;
            }
        for (int p = 0; p < 4; ++p) {
            const int si = p & 1 ? -1 : 1, sj = p & 2 ? -1 : 1;
            for (int i = 0; i < n; ++i) {
                int k = pos[i];
                int s = k < 0 ? 0 : (i == ui[k] ? si : sj);
                cal.cb[i] = (int32_t)lrint(ldexp(-s * upin, cal.eb[0]));
            }
            lv_cal_sampling smp = {o->seed + (uint64_t)(4 * r + p), o->burn, o->gap, o->reads, 0, 0, NULL};
            if (lv_cal_load(dev, &cal, err) || lv_cal_sample(dev, n, &smp, &S, err)) goto done;
            const long per = o->reads / KB;
            for (int i = 0; i < n; ++i) {
                int k = pos[i];
                if (k < 0) continue;
                const int j = i == ui[k] ? uj[k] : ui[k], side = i == ui[k] ? 0 : 2;
                const double b = ldexp((double)lv_nl_bias(cal.cb[i], cal.eb[0], img->ff), -img->ff);
                for (int q = 0; q < KB; ++q) {
                    double y = 0, z = 0;
                    for (long t = q * per; t < (q + 1) * per; ++t) {
                        double xi = S.x0[(size_t)t * n + i] * lsb;
                        y += 2 * j2 * xi + 4 * j4 * xi * xi * xi + b;
                        z += S.x0[(size_t)t * n + j] * lsb;
                    }
                    double *a = acc + (((size_t)k * 4 + p) * KB + q) * 4;
                    a[side] = y / per;
                    a[side + 1] = z / per;
                }
            }
            lv_cal_samples_free(&S);
            out->ticks += tick_cfg;
            if (o->progress) lv_progress_update(o->progress, 4.0 * r + p + 1, 4.0 * rounds, "mismatch");
        }
    }
    out->m = m;
    out->rounds = rounds;
    out->j_nom = cmax * ldexp(1, -(img->bj - 1));
    out->d = malloc(m * sizeof(double));
    out->d_err = malloc(m * sizeof(double));
    if (!out->d || !out->d_err) {
        lv_fail(err, "mismatch calibration: out of memory");
        goto done;
    }
    for (size_t k = 0; k < m; ++k) {
        double s1 = 0, s2 = 0;
        for (int q = 0; q < KB; ++q) {
            double jsum = 0;
            for (int side = 0; side < 4; side += 2) {
                double my = 0, mz = 0, cyz = 0, czz = 0;
                for (int p = 0; p < 4; ++p) {
                    const double *a = acc + (((size_t)k * 4 + p) * KB + q) * 4;
                    my += a[side] / 4;
                    mz += a[side + 1] / 4;
                }
                for (int p = 0; p < 4; ++p) {
                    const double *a = acc + (((size_t)k * 4 + p) * KB + q) * 4;
                    cyz += (a[side] - my) * (a[side + 1] - mz);
                    czz += (a[side + 1] - mz) * (a[side + 1] - mz);
                }
                jsum += -cyz / czz;
            }
            double dq = 0.5 * jsum / out->j_nom - 1;
            s1 += dq;
            s2 += dq * dq;
        }
        out->d[k] = s1 / KB;
        out->d_err[k] = sqrt(fmax(0, (s2 / KB - out->d[k] * out->d[k]) * KB / (KB - 1)) / KB);
    }
    rc = 0;
done:
    if (rc) lv_cal_mismatch_free(out);
    lv_cal_samples_free(&S);
    free(cal.c);
    free(cal.ej);
    free(cal.cb);
    free(ui);
    free(uj);
    free(row);
    free(rnd);
    free(acc);
    free(pos);
    return rc;
}

void lv_cal_coupling_trim_eval(const lv_dev_image *img, const double *d, const double *d_est, lv_cal_trim_eval *o)
{
    const double cmax = (double)((1 << (img->bj - 1)) - 1);
    double b2 = 0, a2 = 0, c2 = 0;
    size_t nz = 0;
    for (size_t k = 0; k < img->m; ++k) {
        const double c = img->c[k];
        if (c == 0) continue;
        double t = round(c / (1 + d_est[k]));
        t = fmin(cmax, fmax(-cmax, t));
        b2 += pow(c * d[k], 2);
        a2 += pow(t * (1 + d[k]) - c, 2);
        c2 += c * c;
        nz++;
    }
    o->nonzero = nz;
    o->before_lsb = nz ? sqrt(b2 / nz) : 0;
    o->after_lsb = nz ? sqrt(a2 / nz) : 0;
    o->before_rel = c2 > 0 ? sqrt(b2 / c2) : 0;
    o->after_rel = c2 > 0 ? sqrt(a2 / c2) : 0;
}
