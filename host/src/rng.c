#include "rng.h"

#include <math.h>
#include <string.h>
#if defined(__SSE2__)
#include <immintrin.h>
#endif

/* The noise must be the same bits on every machine and build (see rng.h),
 * so log/sin/cos are evaluated here with fixed polynomials using only IEEE
 * basic operations (+ - * / sqrt and exact conversions).  That holds only if
 * the compiler neither contracts a*b+c into FMAs nor reassociates: the
 * pragmas below switch contraction off for this file even under -std=gnu11
 * (GCC's default there is fp-contract=fast) or clang (default "on"), and
 * -ffast-math is refused.  Verified: GCC 12 and clang 14, -O0..-O3,
 * -march=x86-64/-v2/-v3/native, c11/gnu11 give bit-identical output. */
#if defined(__clang__)
#pragma STDC FP_CONTRACT OFF
#elif defined(__GNUC__)
#pragma GCC optimize("fp-contract=off")
#endif
#if defined(__FAST_MATH__)
#error "rng.c must not be compiled with -ffast-math: the noise would depend on the compiler"
#endif

#define PHILOX_M0 0xD2511F53u
#define PHILOX_M1 0xCD9E8D57u
#define PHILOX_W0 0x9E3779B9u
#define PHILOX_W1 0xBB67AE85u

static inline void philox_round(uint32_t c[4], const uint32_t k[2])
{
    uint64_t p0 = (uint64_t)PHILOX_M0 * c[0];
    uint64_t p1 = (uint64_t)PHILOX_M1 * c[2];
    uint32_t n0 = (uint32_t)(p1 >> 32) ^ c[1] ^ k[0];
    uint32_t n1 = (uint32_t)p1;
    uint32_t n2 = (uint32_t)(p0 >> 32) ^ c[3] ^ k[1];
    uint32_t n3 = (uint32_t)p0;
    c[0] = n0;
    c[1] = n1;
    c[2] = n2;
    c[3] = n3;
}

void lv_philox4x32(const uint32_t ctr[4], const uint32_t key[2], uint32_t out[4])
{
    uint32_t c[4] = {ctr[0], ctr[1], ctr[2], ctr[3]};
    uint32_t k[2] = {key[0], key[1]};
    for (int r = 0; r < 10; ++r) {
        philox_round(c, k);
        k[0] += PHILOX_W0;
        k[1] += PHILOX_W1;
    }
    /* The loop bumps the key once too often after the last round; harmless
     * because k is local.  Rounds: 10, as in Random123's Philox4x32-10. */
    out[0] = c[0];
    out[1] = c[1];
    out[2] = c[2];
    out[3] = c[3];
}

static inline double u01(uint32_t b) { return ((double)b + 0.5) * (1.0 / 4294967296.0); }

/* ---- Batched noise: a Philox pass and a Box-Muller pass ------------------
 *
 * Both passes are plain loops over independent lanes that GCC vectorises
 * (-O3 -march=native: 8 lanes with AVX-512, 4 with AVX2).  Philox writes the
 * radial words (r0, r2) and angular words (r1, r3) of each counter block to
 * two arrays, pair p = 2*quad + {0, 1}; Box-Muller turns pair p into units
 * 2p and 2p+1 of the block. */

#define LV_CHUNK_QUADS 128 /* 512 normals per pass: 2 KiB of words + 2 KiB of radii, on the stack */

static void philox_pass(uint32_t quad0, size_t nq, uint32_t step, uint32_t s_lo, uint32_t s_hi,
                        const uint32_t ks0[10], const uint32_t ks1[10], uint32_t *restrict ra,
                        uint32_t *restrict rb)
{
    /* 32-bit words held in 64-bit lanes: GCC then keeps one lane per block
     * (vpmuludq-style widening multiplies, no repacking between rounds);
     * with uint32_t variables it splits and re-merges halves every round
     * and runs 2x slower. */
    const uint64_t lo = 0xFFFFFFFFu;
    for (size_t j = 0; j < nq; ++j) {
        uint64_t c0 = (uint32_t)(quad0 + (uint32_t)j), c1 = step, c2 = s_lo, c3 = s_hi;
        for (int r = 0; r < 10; ++r) {
            uint64_t p0 = (c0 & lo) * PHILOX_M0;
            uint64_t p1 = (c2 & lo) * PHILOX_M1;
            uint64_t n0 = (p1 >> 32) ^ c1 ^ ks0[r];
            uint64_t n2 = (p0 >> 32) ^ c3 ^ ks1[r];
            c1 = p1 & lo;
            c3 = p0 & lo;
            c0 = n0;
            c2 = n2;
        }
        ra[2 * j] = (uint32_t)c0;
        rb[2 * j] = (uint32_t)c1;
        ra[2 * j + 1] = (uint32_t)c2;
        rb[2 * j + 1] = (uint32_t)c3;
    }
}

/* ln(u) for u = (b + 0.5) / 2^32, b a 32-bit word: u is exact, in
 * [2^-33, 1).  musl/fdlibm log algorithm (reduce to 2^k (1+f) with
 * 1+f in [sqrt(2)/2, sqrt(2)), log(1+f) = f - hfsq + s (hfsq + R(s^2)),
 * s = f / (2 + f)), branch-free since u is always a positive normal. */
static inline double log_u(uint32_t b)
{
    static const double ln2_hi = 6.93147180369123816490e-01, /* 0x3fe62e42fee00000 */
        ln2_lo = 1.90821492927058770002e-10,                  /* 0x3dea39ef35793c76 */
        Lg1 = 6.666666666666735130e-01, Lg2 = 3.999999999940941908e-01,
        Lg3 = 2.857142874366239149e-01, Lg4 = 2.222219843214978396e-01,
        Lg5 = 1.818357216161805012e-01, Lg6 = 1.531383769920937332e-01,
        Lg7 = 1.479819860511658591e-01;
    union {
        double d;
        uint64_t i;
    } v;
    v.d = ((double)b + 0.5) * 0x1p-32;
    uint64_t ix = v.i + ((uint64_t)(0x3ff00000u - 0x3fe6a09eu) << 32);
    double dk = (double)((int64_t)(ix >> 52) - 0x3ff);
    v.i = (ix & 0x000fffffffffffffull) + ((uint64_t)0x3fe6a09eu << 32);
    double f = v.d - 1.0;
    double hfsq = 0.5 * f * f;
    double s = f / (2.0 + f);
    double z = s * s;
    double w = z * z;
    double t1 = w * (Lg2 + w * (Lg4 + w * Lg6));
    double t2 = z * (Lg1 + w * (Lg3 + w * (Lg5 + w * Lg7)));
    double R = t2 + t1;
    return s * (hfsq + R) + dk * ln2_lo - hfsq + f + dk * ln2_hi;
}

/* sin and cos of x, |x| <= pi/4: fdlibm __kernel_sin / __kernel_cos. */
static inline double sin_k(double x)
{
    static const double S1 = -1.66666666666666324348e-01, S2 = 8.33333333332248946124e-03,
                        S3 = -1.98412698298579493134e-04, S4 = 2.75573137070700676789e-06,
                        S5 = -2.50507602534068634195e-08, S6 = 1.58969099521155010221e-10;
    double z = x * x;
    double v = z * x;
    double r = S2 + z * (S3 + z * (S4 + z * (S5 + z * S6)));
    return x + v * (S1 + z * r);
}

static inline double cos_k(double x)
{
    static const double C1 = 4.16666666666666019037e-02, C2 = -1.38888888888741095749e-03,
                        C3 = 2.48015872894767294178e-05, C4 = -2.75573143513906633035e-07,
                        C5 = 2.08757232129817482790e-09, C6 = -1.13596475577881948265e-11;
    double z = x * x;
    double w = z * z;
    double r = z * (C1 + z * (C2 + z * C3)) + w * w * (C4 + z * (C5 + z * C6));
    double hz = 0.5 * z;
    double one_m_hz = 1.0 - hz;
    return one_m_hz + (((1.0 - one_m_hz) - hz) + z * r);
}

/* In-place sqrt of x[0..n), x >= 0.  libm's sqrt may set errno, which
 * keeps GCC from vectorising it under the project's flags; the SSE2/AVX
 * instructions are the same correctly rounded IEEE sqrt. */
static void sqrt_pass(size_t n, double *x)
{
    size_t i = 0;
#if defined(__AVX512F__)
    for (; i + 8 <= n; i += 8) _mm512_storeu_pd(x + i, _mm512_sqrt_pd(_mm512_loadu_pd(x + i)));
#elif defined(__AVX__)
    for (; i + 4 <= n; i += 4) _mm256_storeu_pd(x + i, _mm256_sqrt_pd(_mm256_loadu_pd(x + i)));
#elif defined(__SSE2__)
    for (; i + 2 <= n; i += 2) _mm_storeu_pd(x + i, _mm_sqrt_pd(_mm_loadu_pd(x + i)));
#endif
    for (; i < n; ++i) x[i] = sqrt(x[i]);
}

/* Pairs p in [0, np): units 2p, 2p+1 from radial word ra[p], angular rb[p].
 * rho: scratch of np doubles. */
static void box_muller_pass(size_t np, const uint32_t *restrict ra, const uint32_t *restrict rb,
                            double *restrict rho, double *restrict out)
{
    const double pio2 = 1.57079632679489661923;
    for (size_t p = 0; p < np; ++p) rho[p] = -2.0 * log_u(ra[p]);
    sqrt_pass(np, rho);
    for (size_t p = 0; p < np; ++p) {
        /* 2 pi u(b) = (pi/2) (q + r) with q = round(4u) mod 4 (the top two
         * bits of b + 2^29) and r in (-1/2, 1/2) exact: the quadrant
         * reduction is done on the integer, without rounding error. */
        uint32_t t = rb[p] + 0x20000000u;
        uint32_t q = t >> 30;
        double r = ((double)(int32_t)((t & 0x3FFFFFFFu) - 0x20000000u) + 0.5) * 0x1p-30;
        double x = pio2 * r;
        double sk = sin_k(x), ck = cos_k(x);
        /* cos/sin of q*pi/2 + x */
        double c = (q & 1u) ? sk : ck;
        double s = (q & 1u) ? ck : sk;
        c = ((q + 1u) & 2u) ? -c : c;
        s = (q & 2u) ? -s : s;
        out[2 * p] = rho[p] * c;
        out[2 * p + 1] = rho[p] * s;
    }
}

void lv_normals(uint64_t seed, uint64_t stream, uint32_t step, uint32_t unit0, size_t n, double *out)
{
    uint32_t ks0[10], ks1[10];
    ks0[0] = (uint32_t)seed;
    ks1[0] = (uint32_t)(seed >> 32);
    for (int r = 1; r < 10; ++r) {
        ks0[r] = ks0[r - 1] + PHILOX_W0;
        ks1[r] = ks1[r - 1] + PHILOX_W1;
    }
    const uint32_t s_lo = (uint32_t)stream, s_hi = (uint32_t)(stream >> 32);
    uint32_t ra[2 * LV_CHUNK_QUADS], rb[2 * LV_CHUNK_QUADS];
    double rho[2 * LV_CHUNK_QUADS];
    uint32_t quad = unit0 >> 2;
    size_t done = 0;
    while (done < n) {
        size_t left = n - done;
        size_t nq = (left + 3) / 4;
        if (nq > LV_CHUNK_QUADS) nq = LV_CHUNK_QUADS;
        philox_pass(quad, nq, step, s_lo, s_hi, ks0, ks1, ra, rb);
        if (4 * nq <= left) {
            box_muller_pass(2 * nq, ra, rb, rho, out + done);
            done += 4 * nq;
        } else {
            /* final partial block: whole quads first, then the rest via a
             * scratch block */
            size_t whole = nq - 1;
            box_muller_pass(2 * whole, ra, rb, rho, out + done);
            double z[4];
            box_muller_pass(2, ra + 2 * whole, rb + 2 * whole, rho, z);
            memcpy(out + done + 4 * whole, z, (left - 4 * whole) * sizeof(double));
            done = n;
        }
        quad += (uint32_t)nq;
    }
}

double lv_uniform(uint64_t seed, uint64_t stream, uint32_t index)
{
    const uint32_t key[2] = {(uint32_t)seed, (uint32_t)(seed >> 32)};
    uint32_t ctr[4] = {index, 0xFFFFFFFFu, (uint32_t)stream, (uint32_t)(stream >> 32)};
    uint32_t r[4];
    lv_philox4x32(ctr, key, r);
    return u01(r[0]);
}
