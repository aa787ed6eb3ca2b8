/* coupling_network.c - §4 coupling field: exact int64 reference path and
 * the exact double-GEMM path (see coupling_network.h for the argument). */
#include "coupling_network.h"

#include <cblas.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "noise_source.h"

/* Bound arithmetic needs more than 64 bits (a shifted code times a state
 * can reach 2^120 before the check refuses it). */
__extension__ typedef unsigned __int128 u128;

#define LV_CN_MAX_SLICES 8
/* LV_CN_AUTO: batches of at most this many rows take the int64 path.
 * bench_emu prints both paths by rows (docs/benchmarks.md): at paper size
 * int64 / GEMM is 0.21 at 1 row, 0.42 at 8, 0.93 at 16, 1.47 at 32. */
#define LV_CN_INT64_MAX_ROWS 8

struct lv_coupling_net {
    int nv, nh, vv, n;
    size_t m, n_rows;
    int wx, fx, ff;
    int e_max;          /* E: largest effective row exponent */
    int s_round;        /* Fx + E - Ff */
    int32_t *code;      /* [m] effective codes */
    int *rexp;          /* [n_rows] effective exponents */
    int64_t *a;         /* [m] scaled codes c * 2^(E - eJ[r]) */
    int64_t *fmax;      /* [n] bound on |f_i| */
    double acc_log2;
    int acc_bits;       /* two's-complement bits of the largest |acc_i|: bitlen(accmax) + 1 */
    int max_rows;
    int slices, wbits;  /* GEMM digit count (0: GEMM not exact) and width */
    lv_cn_path path;    /* active path: LV_CN_INT64 or LV_CN_GEMM */
    int chosen;         /* the path was LV_CN_AUTO's choice: small batches take int64 */
    double *avh, *ahh, *avv; /* dense scaled blocks (NULL until needed) */
    double *xd, *fd;    /* [slices * max_rows * n] digit and result scratch */
};

/* Geometry of stored row r (§3): unit i, column units j0 .. j0+cnt-1. */
static void row_geom(const lv_coupling_net *cn, size_t r, int *i, int *j0, int *cnt)
{
    const int nv = cn->nv, nh = cn->nh;
    if (r < (size_t)nv) { /* visible-hidden */
        *i = (int)r;
        *j0 = nv;
        *cnt = nh;
    } else if (r < (size_t)(nv + nh)) { /* hidden-hidden, strict upper triangle */
        int h = (int)r - nv;
        *i = nv + h;
        *j0 = nv + h + 1;
        *cnt = nh - h - 1;
    } else { /* visible-visible */
        int v = (int)r - nv - nh;
        *i = v;
        *j0 = v + 1;
        *cnt = nv - v - 1;
    }
}

static double u128_log2(u128 v)
{
    return v == 0 ? -INFINITY : log2((double)(v >> 64) * 0x1p64 + (double)(uint64_t)v);
}

void lv_cn_free(lv_coupling_net *cn)
{
    if (!cn) return;
    free(cn->code);
    free(cn->rexp);
    free(cn->a);
    free(cn->fmax);
    free(cn->avh);
    free(cn->ahh);
    free(cn->avv);
    free(cn->xd);
    free(cn->fd);
    free(cn);
}

/* Allocate and fill the dense double blocks and the digit scratch. */
static int build_dense(lv_coupling_net *cn)
{
    if (cn->avh) return 0;
    const size_t nv = (size_t)cn->nv, nh = (size_t)cn->nh, n = (size_t)cn->n;
    double *avh = calloc(nv * nh > 0 ? nv * nh : 1, sizeof(double));
    double *ahh = calloc(nh > 0 ? nh * nh : 1, sizeof(double));
    double *avv = cn->vv ? calloc(nv * nv, sizeof(double)) : NULL;
    size_t sc = (size_t)LV_CN_MAX_SLICES * (size_t)cn->max_rows * n;
    double *xd = malloc(sc * sizeof(double)), *fd = malloc(sc * sizeof(double));
    if (!avh || !ahh || (cn->vv && !avv) || !xd || !fd) {
        free(avh);
        free(ahh);
        free(avv);
        free(xd);
        free(fd);
        return -1;
    }
    size_t off = 0;
    for (size_t r = 0; r < cn->n_rows; ++r) {
        int i, j0, cnt;
        row_geom(cn, r, &i, &j0, &cnt);
        for (int k = 0; k < cnt; ++k) {
            double v = (double)cn->a[off + (size_t)k]; /* exact: |a| <= R <= 2^53 */
            size_t j = (size_t)(j0 + k);
            if (r < nv) {
                avh[(size_t)i * nh + (j - nv)] = v;
            } else if (r < nv + nh) {
                size_t hi = (size_t)i - nv, hj = j - nv;
                ahh[hi * nh + hj] = v;
                ahh[hj * nh + hi] = v;
            } else {
                avv[(size_t)i * nv + j] = v;
                avv[j * nv + (size_t)i] = v;
            }
        }
        off += (size_t)cnt;
    }
    cn->avh = avh;
    cn->ahh = ahh;
    cn->avv = avv;
    cn->xd = xd;
    cn->fd = fd;
    return 0;
}

int lv_cn_create(lv_coupling_net **out, const lv_dev_image *img, int mismatch, uint64_t mm_seed,
                 uint32_t sm, int max_rows, lv_cn_path path, lv_error *err)
{
    *out = NULL;
    if (max_rows < 1) return lv_fail(err, "coupling network: batch size %d must be at least 1", max_rows);
    if (mismatch && sm >= (1u << 16))
        return lv_fail(err, "coupling network: mismatch spread Sm = %u is not a Q0.16 fraction "
                            "(must be < 65536, i.e. sigma_m < 1)", sm);
    lv_coupling_net *cn = calloc(1, sizeof *cn);
    if (!cn) return lv_fail(err, "coupling network: out of memory");
    cn->nv = img->nv;
    cn->nh = img->nh;
    cn->vv = img->vv ? 1 : 0;
    cn->n = img->nv + img->nh;
    cn->m = img->m;
    cn->n_rows = img->n_rows;
    cn->wx = img->wx;
    cn->fx = img->fx;
    cn->ff = img->ff;
    cn->max_rows = max_rows;
    const size_t n = (size_t)cn->n, m = cn->m;
    cn->code = malloc((m ? m : 1) * sizeof(int32_t));
    cn->rexp = malloc(cn->n_rows * sizeof(int));
    cn->a = malloc((m ? m : 1) * sizeof(int64_t));
    cn->fmax = malloc(n * sizeof(int64_t));
    u128 *rowsum = calloc(n, sizeof(u128));
    if (!cn->code || !cn->rexp || !cn->a || !cn->fmax || !rowsum) {
        free(rowsum);
        lv_cn_free(cn);
        return lv_fail(err, "coupling network: out of memory for %zu couplings", m);
    }
    /* Effective codes and exponents (§7 mismatch: c' with 8 more fraction bits). */
    /* E over the rows that hold couplings: a row without any (the last
     * hidden row of the hh triangle, the last vv row, every vh row when
     * nh = 0) adds nothing to any sum, and the rounding of §4 is
     * scale-invariant, so its exponent cannot change a bit -- but counting
     * it could widen the accumulator for nothing and refuse a valid image. */
    int e_all = -1000;
    cn->e_max = -1000;
    for (size_t r = 0; r < cn->n_rows; ++r) {
        int i, j0, cnt;
        row_geom(cn, r, &i, &j0, &cnt);
        cn->rexp[r] = img->ej[r] + (mismatch ? 8 : 0);
        if (cn->rexp[r] > e_all) e_all = cn->rexp[r];
        if (cnt > 0 && cn->rexp[r] > cn->e_max) cn->e_max = cn->rexp[r];
    }
    if (cn->e_max == -1000) cn->e_max = e_all; /* no couplings at all */
    for (size_t k = 0; k < m; ++k)
        cn->code[k] = mismatch ? lv_cn_mismatch_code(img->c[k], sm, lv_noise_mismatch_z(mm_seed, (uint32_t)k))
                               : img->c[k];
    cn->s_round = cn->fx + cn->e_max - cn->ff;
    /* Row sums of |A_ij| per unit, in 128 bits, before anything is shifted in 64. */
    size_t off = 0;
    for (size_t r = 0; r < cn->n_rows; ++r) {
        int i, j0, cnt, sh = cn->e_max - cn->rexp[r];
        row_geom(cn, r, &i, &j0, &cnt);
        for (int k = 0; k < cnt; ++k) {
            int32_t c = cn->code[off + (size_t)k];
            u128 av = (u128)(uint32_t)(c < 0 ? -c : c) << sh;
            rowsum[i] += av;
            rowsum[j0 + k] += av;
        }
        off += (size_t)cnt;
    }
    /* §10 for §4: |acc_i| <= xmax * rowsum_i, plus the rounding offset. */
    const u128 lim = (u128)1 << 63;
    const u128 xmax = (u128)((1ull << (cn->wx - 1)) - 1);
    u128 rmax = 0, accmax = 0;
    int worst = 0;
    for (size_t i = 0; i < n; ++i) {
        if (rowsum[i] > rmax) {
            rmax = rowsum[i];
            worst = (int)i;
        }
    }
    /* rowsum can itself exceed 2^64 only for absurd exponent spreads; the
     * product below is safe while rmax < 2^96 (xmax < 2^31). */
    int too_big = rmax >= ((u128)1 << 96);
    if (!too_big) {
        accmax = xmax * rmax;
        u128 need = accmax + (cn->s_round > 0 ? (u128)1 << (cn->s_round - 1) : 0);
        if (cn->s_round < 0) need = accmax << -cn->s_round;
        too_big = need >= lim;
    }
    if (too_big) {
        double l2 = rmax >= ((u128)1 << 96) ? u128_log2(rmax) + (cn->wx - 1) : u128_log2(accmax);
        free(rowsum);
        int emin = cn->e_max;
        for (size_t r = 0; r < cn->n_rows; ++r) {
            int i, j0, cnt;
            row_geom(cn, r, &i, &j0, &cnt);
            if (cnt > 0 && cn->rexp[r] < emin) emin = cn->rexp[r];
        }
        lv_fail(err, "the coupling field of unit %d can reach 2^%.1f over the state range, beyond the "
                     "64-bit datapath (docs/fixed-point.md §10 refuses anything >= 2^63): the exponent "
                     "spread E - min eJ = %d, the coupling width BJ = %d and the state width Wx = %d "
                     "are too large together; requantize with fewer coupling bits or a common exponent",
                worst, l2, cn->e_max - emin, img->bj, cn->wx);
        lv_cn_free(cn);
        return -1;
    }
    cn->acc_log2 = u128_log2(accmax);
    cn->acc_bits = 1;
    for (u128 v = accmax; v; v >>= 1) cn->acc_bits++;
    for (size_t i = 0; i < n; ++i) {
        u128 am = xmax * rowsum[i];
        u128 fm = cn->s_round > 0 ? (am + ((u128)1 << (cn->s_round - 1))) >> cn->s_round
                                  : am << -cn->s_round;
        cn->fmax[i] = (int64_t)fm;
    }
    free(rowsum);
    /* Scaled int64 codes (each |a| <= rowsum <= accmax < 2^63). */
    off = 0;
    for (size_t r = 0; r < cn->n_rows; ++r) {
        int i, j0, cnt, sh = cn->e_max - cn->rexp[r];
        row_geom(cn, r, &i, &j0, &cnt);
        for (int k = 0; k < cnt; ++k) cn->a[off + (size_t)k] = lv_fx_rnd(cn->code[off + (size_t)k], -sh);
        off += (size_t)cnt;
    }
    /* GEMM exactness: every partial sum <= R * digit max <= 2^53. */
    const u128 two53 = (u128)1 << 53;
    cn->slices = 0;
    if (xmax * rmax <= two53) {
        cn->slices = 1;
        cn->wbits = cn->wx;
    } else {
        for (int s = 2; s <= LV_CN_MAX_SLICES; ++s) {
            int w = (cn->wx - 1 + s - 1) / s;
            if (rmax << w <= two53) {
                cn->slices = s;
                cn->wbits = w;
                break;
            }
        }
    }
    cn->path = LV_CN_INT64;
    if (lv_cn_set_path(cn, path, err)) {
        lv_cn_free(cn);
        return -1;
    }
    *out = cn;
    return 0;
}

int lv_cn_set_path(lv_coupling_net *cn, lv_cn_path path, lv_error *err)
{
    switch (path) {
    case LV_CN_INT64:
        cn->path = LV_CN_INT64;
        cn->chosen = 0;
        return 0;
    case LV_CN_AUTO:
        cn->path = (cn->slices > 0 && build_dense(cn) == 0) ? LV_CN_GEMM : LV_CN_INT64;
        cn->chosen = 1;
        return 0;
    case LV_CN_GEMM:
        if (cn->slices == 0)
            return lv_fail(err, "the double-GEMM field path is not exact for this image: a row sum of "
                                "scaled couplings reaches 2^%.1f, so even 1-bit state digits exceed "
                                "2^53; use the int64 path",
                           cn->acc_log2 - (cn->wx - 1));
        if (build_dense(cn))
            return lv_fail(err, "out of memory for the dense coupling blocks of the GEMM path (%d units)",
                           cn->n);
        cn->path = LV_CN_GEMM;
        cn->chosen = 0;
        return 0;
    }
    return lv_fail(err, "unknown coupling-field path %d", (int)path);
}

lv_cn_path lv_cn_get_path(const lv_coupling_net *cn) { return cn->path; }
int lv_cn_gemm_slices(const lv_coupling_net *cn) { return cn->slices; }
int lv_cn_units(const lv_coupling_net *cn) { return cn->n; }
int lv_cn_exp_max(const lv_coupling_net *cn) { return cn->e_max; }
int lv_cn_round_shift(const lv_coupling_net *cn) { return cn->s_round; }
int32_t lv_cn_code(const lv_coupling_net *cn, size_t m) { return cn->code[m]; }
int lv_cn_row_exp(const lv_coupling_net *cn, size_t r) { return cn->rexp[r]; }
const int64_t *lv_cn_fmax(const lv_coupling_net *cn) { return cn->fmax; }
double lv_cn_acc_log2(const lv_coupling_net *cn) { return cn->acc_log2; }
int lv_cn_acc_bits(const lv_coupling_net *cn) { return cn->acc_bits; }

/* Reference: the stored couplings in §3 order, each serving both units.
 * Every partial sum is a sub-sum of the bounded total, so int64 is exact. */
static void field_int64_row(const lv_coupling_net *cn, const int32_t *x, size_t b, int64_t *f);

static void field_int64(const lv_coupling_net *cn, const int32_t *x, size_t rows, int64_t *f)
{
    /* Small work stays out of OpenMP: even an `if (0)` region costs a futex
     * call in libgomp, which dominated batch-1 ticks of small devices. */
    if (rows == 1 || cn->m * rows <= 65536) {
        for (size_t b = 0; b < rows; ++b) field_int64_row(cn, x, b, f);
        return;
    }
#pragma omp parallel for schedule(static)
    for (size_t b = 0; b < rows; ++b) field_int64_row(cn, x, b, f);
}

static void field_int64_row(const lv_coupling_net *cn, const int32_t *x, size_t b, int64_t *f)
{
    const size_t n = (size_t)cn->n;
    {
        const int32_t *xb = x + b * n;
        int64_t *acc = f + b * n;
        memset(acc, 0, n * sizeof(int64_t));
        size_t off = 0;
        for (size_t r = 0; r < cn->n_rows; ++r) {
            int i, j0, cnt;
            row_geom(cn, r, &i, &j0, &cnt);
            const int64_t *ar = cn->a + off;
            const int32_t *xj = xb + j0;
            int64_t *accj = acc + j0;
            const int64_t xi = xb[i];
            int64_t s = 0;
            for (int k = 0; k < cnt; ++k) {
                s += ar[k] * xj[k];
                accj[k] += ar[k] * xi;
            }
            acc[i] += s;
            off += (size_t)cnt;
        }
        for (size_t i = 0; i < n; ++i) acc[i] = lv_fx_rnd(acc[i], cn->s_round);
    }
}

/* C(R x cols, ld n) (+)= X(R x k, ld n) * op(A). Skips empty shapes (BLAS
 * rejects leading dimensions of 0). */
static void gemm(int rows, int cols, int k, const double *X, int ldx, const double *A, int lda,
                 int trans, double beta, double *C, int ldc)
{
    if (rows == 0 || cols == 0) return;
    if (k == 0) {
        if (beta == 0.0)
            for (int r = 0; r < rows; ++r) memset(C + (size_t)r * ldc, 0, (size_t)cols * sizeof(double));
        return;
    }
    cblas_dgemm(CblasRowMajor, CblasNoTrans, trans ? CblasTrans : CblasNoTrans, rows, cols, k, 1.0, X,
                ldx, A, lda, beta, C, ldc);
}

static void field_gemm(lv_coupling_net *cn, const int32_t *x, size_t rows, int64_t *f)
{
    const int n = cn->n, nv = cn->nv, nh = cn->nh, S = cn->slices, w = cn->wbits;
    const size_t N = (size_t)n, R = rows * (size_t)S;
    const int par = rows * N > 8192;
    /* Digits as exact doubles: slice k of row b is row k*rows + b. */
#pragma omp parallel for schedule(static) if (par)
    for (size_t b = 0; b < rows; ++b) {
        const int32_t *xb = x + b * N;
        for (int k = 0; k < S; ++k) {
            double *xd = cn->xd + ((size_t)k * rows + b) * N;
            if (S == 1) {
                for (size_t i = 0; i < N; ++i) xd[i] = (double)xb[i];
            } else if (k < S - 1) {
                const int32_t mask = (int32_t)((1u << w) - 1);
                for (size_t i = 0; i < N; ++i) xd[i] = (double)((xb[i] >> (k * w)) & mask);
            } else {
                for (size_t i = 0; i < N; ++i) xd[i] = (double)(xb[i] >> (k * w));
            }
        }
    }
    /* F_v = X_h Avh^T (+ X_v Avv);  F_h = X_v Avh + X_h Ahh. */
    double *X = cn->xd, *F = cn->fd;
    gemm((int)R, nv, nh, X + nv, n, cn->avh, nh, 1, 0.0, F, n);
    if (cn->vv) gemm((int)R, nv, nv, X, n, cn->avv, nv, 0, nh ? 1.0 : 0.0, F, n);
    if (nh) {
        gemm((int)R, nh, nv, X, n, cn->avh, nh, 0, 0.0, F + nv, n);
        gemm((int)R, nh, nh, X + nv, n, cn->ahh, nh, 0, 1.0, F + nv, n);
    }
    /* Recombine the digits (mod 2^64: the true sum fits, §10) and round. */
#pragma omp parallel for schedule(static) if (par)
    for (size_t b = 0; b < rows; ++b) {
        int64_t *fb = f + b * N;
        for (size_t i = 0; i < N; ++i) {
            uint64_t u = 0;
            for (int k = 0; k < S; ++k)
                u += (uint64_t)(int64_t)F[((size_t)k * rows + b) * N + i] << (k * w);
            fb[i] = lv_fx_rnd((int64_t)u, cn->s_round);
        }
    }
}

void lv_cn_field(lv_coupling_net *cn, const int32_t *x, size_t rows, int64_t *f)
{
    if (rows == 0) return;
    /* A dgemm with a handful of rows cannot reuse the coupling blocks across
     * rows, and OpenBLAS threads it anyway: at paper size a batch of one is
     * ~5x slower than the int64 loop (the register-level emulator, the
     * driver paths and calibration run batches of one).  Same bits. */
    if (cn->path == LV_CN_GEMM && !(cn->chosen && rows <= LV_CN_INT64_MAX_ROWS))
        field_gemm(cn, x, rows, f);
    else
        field_int64(cn, x, rows, f);
}
