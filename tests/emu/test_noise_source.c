/* test_noise_source.c - the device's noise source (docs/fixed-point.md §6, §7):
 * the Irwin-Hall shaping against a bit-by-bit extraction, (seed, tick, unit)
 * layout against lv_philox4x32, literal golden values, purity (block vs
 * scalar at any offset, length and order), range, the first four moments over
 * 1e7 samples, and independence of the thermal and mismatch streams and of
 * neighbouring ticks and units. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "noise_source.h"
#include "rng.h"

#include "test_util.h"

#define splitmix64 lv_t_splitmix64

/* Independent shaping: field k is bits 10k .. 10k+9 of the 128-bit word whose
 * bit j is bit (j mod 32) of w[j / 32], read one bit at a time. */
static int32_t ref_shape(const uint32_t w[4])
{
    int32_t sum = 0;
    for (int k = 0; k < 12; ++k) {
        uint32_t u = 0;
        for (int b = 0; b < 10; ++b) {
            int j = 10 * k + b;
            u |= ((w[j / 32] >> (j % 32)) & 1u) << b;
        }
        sum += (int32_t)u;
    }
    return sum - 6138;
}

static int32_t ref_z(uint64_t seed, uint32_t c0, uint32_t c1, uint32_t tag)
{
    const uint32_t key[2] = {(uint32_t)(seed & 0xFFFFFFFFu), (uint32_t)(seed >> 32)};
    const uint32_t ctr[4] = {c0, c1, tag, 0};
    uint32_t w[4];
    lv_philox4x32(ctr, key, w);
    return ref_shape(w);
}

static void test_shape(void)
{
    const uint32_t zero[4] = {0, 0, 0, 0}, ones[4] = {~0u, ~0u, ~0u, ~0u};
    const uint32_t top[4] = {0, 0, 0, 0xFF000000u}; /* bits 120..127: not used */
    CHECK(lv_noise_shape(zero) == -6138);
    CHECK(lv_noise_shape(ones) == 6138);
    CHECK(lv_noise_shape(top) == -6138);
    CHECK(LV_NOISE_Z_MAX == 6138 && LV_NOISE_TAG == 0x4E4F4953u && LV_MISMATCH_TAG == 0x4D49534Du);
    /* each single bit: weight 2^(j mod 10) for j < 120, 0 above */
    int bad = 0;
    for (int j = 0; j < 128; ++j) {
        uint32_t w[4] = {0, 0, 0, 0};
        w[j / 32] = 1u << (j % 32);
        int32_t want = j < 120 ? (1 << (j % 10)) - 6138 : -6138;
        if (lv_noise_shape(w) != want || ref_shape(w) != want)
            BULK_FAIL(bad, "bit %d: shape %d ref %d want %d", j, lv_noise_shape(w), ref_shape(w), want);
    }
    CHECK_MSG(bad == 0, "%d single-bit words wrong", bad);
    /* the straddling fields: u3 = w0[31:30] | w1[7:0] << 2, u6, u9 */
    {
        const uint32_t w[4] = {0xC0000000u, 0x000000FFu, 0, 0};
        CHECK(lv_noise_shape(w) == 1023 - 6138);
        const uint32_t w6[4] = {0, 0xF0000000u, 0x3Fu, 0};
        CHECK(lv_noise_shape(w6) == 1023 - 6138);
        const uint32_t w9[4] = {0, 0, 0xFC000000u, 0xFu};
        CHECK(lv_noise_shape(w9) == 1023 - 6138);
    }
    /* random words */
    uint64_t st = 10;
    bad = 0;
    for (int i = 0; i < 1000000; ++i) {
        uint64_t a = splitmix64(&st), b = splitmix64(&st);
        const uint32_t w[4] = {(uint32_t)a, (uint32_t)(a >> 32), (uint32_t)b, (uint32_t)(b >> 32)};
        if (lv_noise_shape(w) != ref_shape(w))
            BULK_FAIL(bad, "%08x %08x %08x %08x: %d vs %d", w[0], w[1], w[2], w[3], lv_noise_shape(w),
                      ref_shape(w));
    }
    CHECK_MSG(bad == 0, "%d random words shaped differently", bad);
}

/* Philox known answer (Random123), so a broken block function is reported
 * here too, and the documented layout of (seed, tick, unit). */
static void test_layout(void)
{
    {
        const uint32_t ctr[4] = {0x243f6a88u, 0x85a308d3u, 0x13198a2eu, 0x03707344u};
        const uint32_t key[2] = {0xa4093822u, 0x299f31d0u};
        uint32_t out[4];
        lv_philox4x32(ctr, key, out);
        CHECK(out[0] == 0xd16cfe09u && out[1] == 0x94fdccebu && out[2] == 0x5001e420u &&
              out[3] == 0x24126ea1u);
    }
    uint64_t st = 11;
    int bad = 0;
    for (int i = 0; i < 20000; ++i) {
        uint64_t seed = splitmix64(&st), r = splitmix64(&st);
        uint32_t tick = (uint32_t)r, unit = (uint32_t)(r >> 32);
        if (i % 4 == 0)
            unit %= 1296, tick %= 5000;
        int32_t want = ref_z(seed, unit, tick, 0x4E4F4953u);
        if (lv_noise_z(seed, tick, unit) != want)
            BULK_FAIL(bad, "z(%llx, %u, %u) = %d want %d", (unsigned long long)seed, tick, unit,
                      lv_noise_z(seed, tick, unit), want);
        int32_t wm = ref_z(seed, unit, 0, 0x4D49534Du);
        if (lv_noise_mismatch_z(seed, unit) != wm)
            BULK_FAIL(bad, "mismatch_z(%llx, %u) = %d want %d", (unsigned long long)seed, unit,
                      lv_noise_mismatch_z(seed, unit), wm);
    }
    CHECK_MSG(bad == 0, "%d samples differ from the documented layout", bad);
}

/* Literal values (computed by an independent Python Philox4x32-10 and
 * 128-bit integer field extraction): a change of the shaping, the tag, the counter layout or the
 * Philox rounds shows up here even if the reference above changed with it. */
static void test_golden(void)
{
    static const struct {
        uint64_t seed;
        uint32_t tick, unit;
        int32_t z;
    } g[] = {
        {0, 0, 0, -2911},
        {0x0123456789abcdefull, 7, 1295, 2390},
        {UINT64_MAX, UINT32_MAX, UINT32_MAX, -527},
        {20240501, 2499, 783, 2710},
    };
    for (size_t i = 0; i < sizeof g / sizeof g[0]; ++i) {
        int32_t z = lv_noise_z(g[i].seed, g[i].tick, g[i].unit);
        CHECK_MSG(z == g[i].z, "z(%#llx, %u, %u) = %d, golden %d", (unsigned long long)g[i].seed,
                  g[i].tick, g[i].unit, z, g[i].z);
    }
    int32_t m = lv_noise_mismatch_z(42, 532223);
    CHECK_MSG(m == -66, "mismatch_z(42, 532223) = %d, golden -66", m);
}

static void test_purity(void)
{
    enum { N = 1296 };
    static int32_t blk[N + 64], one[N];
    const uint64_t seed = 0x5eed5eed12345678ull;
    int bad = 0;
    for (uint32_t tick = 0; tick < 40; tick += 13) {
        lv_noise_z_block(seed, tick, 0, N, blk);
        for (uint32_t i = 0; i < N; ++i) {
            one[i] = lv_noise_z(seed, tick, i);
            if (blk[i] != one[i])
                BULK_FAIL(bad, "tick %u unit %u: block %d scalar %d", tick, i, blk[i], one[i]);
        }
        /* any split, offset, unaligned destination, reverse order of calls */
        uint64_t st = tick + 100;
        for (int rep = 0; rep < 200; ++rep) {
            uint32_t a = (uint32_t)(splitmix64(&st) % N);
            size_t n = (size_t)(splitmix64(&st) % (N - a + 1));
            size_t off = (size_t)(splitmix64(&st) % 17);
            blk[off + n] = 0x7777;
            lv_noise_z_block(seed, tick, a, n, blk + off);
            if (memcmp(blk + off, one + a, n * sizeof *blk) != 0)
                BULK_FAIL(bad, "tick %u: block [%u, +%zu) at offset %zu differs", tick, a, n, off);
            if (blk[off + n] != 0x7777)
                BULK_FAIL(bad, "block wrote past its end (n = %zu)", n);
        }
        for (uint32_t i = N; i-- > 0;)
            if (lv_noise_z(seed, tick, i) != one[i])
                BULK_FAIL(bad, "reverse order differs at unit %u", i);
    }
    /* unit counter wraps modulo 2^32, like the counter word */
    int32_t w[8];
    lv_noise_z_block(seed, 9, UINT32_MAX - 3, 8, w);
    for (uint32_t k = 0; k < 8; ++k)
        if (w[k] != lv_noise_z(seed, 9, UINT32_MAX - 3 + k))
            BULK_FAIL(bad, "wrap-around unit %u", UINT32_MAX - 3 + k);
    /* n = 0 writes nothing */
    w[0] = 12345;
    lv_noise_z_block(seed, 9, 0, 0, w);
    CHECK(w[0] == 12345);
    CHECK_MSG(bad == 0, "%d purity violations", bad);
}

/* Range and moments over 1e7 samples (10,000 units x 1,000 ticks).  Exact
 * values: mean 0, variance 2^20 - 1, kurtosis 3 - 1.2/12 = 2.9 (-6/(5*12);
 * the discrete fields change it by 2e-7).  Tolerances are 5 standard errors:
 *   mean      sigma / sqrt(n)                                  = 0.32
 *   variance  sigma^2 sqrt((mu4 - 1) / n), mu4 = 2.9              = 457
 *   kurtosis  sqrt((mu8 - mu4^2 - 4 mu4 (mu6 - mu4) + 4 mu4^2 (mu4 - 1)) / n)
 *             = sqrt(17.63 / n) = 0.0013, with the standardised Irwin-Hall
 *             moments mu6 = 13.548, mu8 = 85.633 (from the cumulants
 *             k4 = -1/10, k6 = 1/21, k8 = -1/20 of a sum of 12 uniforms). */
static void test_moments(void)
{
    enum { U = 10000, T = 1000 };
    static int32_t z[U];
    const double n = (double)U * T;
    int64_t s1 = 0, s2 = 0, s3 = 0;
    double s4 = 0;
    int32_t zmin = 0, zmax = 0;
    for (uint32_t t = 0; t < T; ++t) {
        lv_noise_z_block(0xC0FFEEull, t, 0, U, z);
        uint64_t q4 = 0; /* <= 10^4 * 6138^4 < 2^64 */
        for (int i = 0; i < U; ++i) {
            int64_t v = z[i], v2 = v * v;
            s1 += v;
            s2 += v2;
            s3 += v2 * v;
            q4 += (uint64_t)(v2 * v2);
            zmin = z[i] < zmin ? z[i] : zmin;
            zmax = z[i] > zmax ? z[i] : zmax;
        }
        s4 += (double)q4;
    }
    double mean = s1 / n, var = s2 / n - mean * mean;
    double m4 = (s4 - 4 * mean * s3 + 6 * mean * mean * s2) / n - 3 * mean * mean * mean * mean;
    double kurt = m4 / (var * var);
    const double v0 = 1048575.0, sd = sqrt(v0);
    printf("moments over %.0f samples: mean %.4f, variance %.1f (exact %.0f), kurtosis %.5f (2.9), "
           "range [%d, %d]\n",
           n, mean, var, v0, kurt, zmin, zmax);
    CHECK(zmin >= -6138 && zmax <= 6138);
    CHECK_MSG(fabs(mean) <= 5 * sd / sqrt(n), "mean %.4f", mean);
    CHECK_MSG(fabs(var - v0) <= 5 * v0 * sqrt(1.9 / n), "variance %.1f", var);
    CHECK_MSG(fabs(kurt - 2.9) <= 5 * sqrt(17.63 / n), "kurtosis %.5f", kurt);
    /* a normal source would have kurtosis 3: 75 standard errors away */
    CHECK(fabs(kurt - 3.0) > 0.05);
}

/* Correlations between streams that must be independent: thermal vs
 * mismatch on the same seed and index, neighbouring units, neighbouring
 * ticks, neighbouring seeds.  |r| <= 5 / sqrt(n). */
static void test_independence(void)
{
    enum { N = 1 << 20 };
    static int32_t a[N], b[N];
    const uint64_t seed = 777;
    struct {
        const char *what;
        double r;
    } res[4];
    int nr = 0;
    double lim = 5 / sqrt((double)N);

    lv_noise_z_block(seed, 0, 0, N, a);
    for (uint32_t m = 0; m < N; ++m)
        b[m] = lv_noise_mismatch_z(seed, m);
#define CORR(label, x, y, off)                                                            \
    do {                                                                                  \
        double sxy = 0, sxx = 0, syy = 0;                                                 \
        for (int i = 0; i + (off) < N; ++i) {                                             \
            sxy += (double)x[i] * y[i + (off)];                                           \
            sxx += (double)x[i] * x[i];                                                   \
            syy += (double)y[i + (off)] * y[i + (off)];                                   \
        }                                                                                 \
        res[nr].what = label;                                                             \
        res[nr++].r = sxy / sqrt(sxx * syy);                                              \
    } while (0)
    CORR("thermal vs mismatch (same seed, index)", a, b, 0);
    CORR("unit i vs unit i+1", a, a, 1);
    lv_noise_z_block(seed, 1, 0, N, b);
    CORR("tick 0 vs tick 1", a, b, 0);
    lv_noise_z_block(seed + 1, 0, 0, N, b);
    CORR("seed vs seed + 1", a, b, 0);
#undef CORR
    for (int i = 0; i < nr; ++i)
        CHECK_MSG(fabs(res[i].r) <= lim, "%s: correlation %.5f, limit %.5f", res[i].what, res[i].r, lim);
    /* the mismatch stream is not the thermal stream of tick 0 */
    int same = 0;
    for (uint32_t m = 0; m < 1000; ++m)
        same += lv_noise_mismatch_z(seed, m) == lv_noise_z(seed, 0, m);
    CHECK_MSG(same < 50, "%d of 1000 mismatch deviates equal thermal ones", same);
}

int main(void)
{
    test_shape();
    test_layout();
    test_golden();
    test_purity();
    test_moments();
    test_independence();
    return lv_test_report("test_noise_source");
}
