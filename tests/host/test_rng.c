/* test_rng.c - counter-based noise: Philox4x32-10 known answers (Random123
 * test vectors), the documented (seed, stream, step, unit) layout, invariance
 * to how a unit range is split into calls, Gaussian moments, and the
 * independence of different streams, steps and seeds. */
#include <stdint.h>
#include <string.h>

#include "rng.h"
#include "test_util.h"

static void check_kat(const uint32_t ctr[4], const uint32_t key[2], const uint32_t want[4])
{
    uint32_t out[4];
    lv_philox4x32(ctr, key, out);
    for (int i = 0; i < 4; ++i)
        CHECK_MSG(out[i] == want[i], "word %d: got 0x%08x want 0x%08x", i, out[i], want[i]);
}

static void test_known_answers(void)
{
    {
        const uint32_t ctr[4] = {0, 0, 0, 0}, key[2] = {0, 0};
        const uint32_t want[4] = {0x6627e8d5u, 0xe169c58du, 0xbc57ac4cu, 0x9b00dbd8u};
        check_kat(ctr, key, want);
    }
    {
        const uint32_t ctr[4] = {0xffffffffu, 0xffffffffu, 0xffffffffu, 0xffffffffu};
        const uint32_t key[2] = {0xffffffffu, 0xffffffffu};
        const uint32_t want[4] = {0x408f276du, 0x41c83b0eu, 0xa20bc7c6u, 0x6d5451fdu};
        check_kat(ctr, key, want);
    }
    {
        const uint32_t ctr[4] = {0x243f6a88u, 0x85a308d3u, 0x13198a2eu, 0x03707344u};
        const uint32_t key[2] = {0xa4093822u, 0x299f31d0u};
        const uint32_t want[4] = {0xd16cfe09u, 0x94fdccebu, 0x5001e420u, 0x24126ea1u};
        check_kat(ctr, key, want);
    }
    /* The block function must not modify its inputs. */
    uint32_t ctr[4] = {1, 2, 3, 4}, key[2] = {5, 6}, out[4];
    lv_philox4x32(ctr, key, out);
    CHECK(ctr[0] == 1 && ctr[1] == 2 && ctr[2] == 3 && ctr[3] == 4 && key[0] == 5 && key[1] == 6);
}

static double u01(uint32_t b) { return ((double)b + 0.5) / 4294967296.0; }

/* The layout documented in rng.h, recomputed from the block function. */
static void test_layout(void)
{
    const uint64_t seed = 0x0123456789abcdefull, stream = 0xfedcba9876543210ull;
    const uint32_t step = 77;
    double z[12];
    lv_normals(seed, stream, step, 8, 10, z); /* units 8..17: quads 2, 3, 4 (partial) */
    const uint32_t key[2] = {(uint32_t)seed, (uint32_t)(seed >> 32)};
    int bad = 0;
    for (int u = 8; u < 18; ++u) {
        uint32_t ctr[4] = {(uint32_t)(u / 4), step, (uint32_t)stream, (uint32_t)(stream >> 32)}, r[4];
        lv_philox4x32(ctr, key, r);
        int k = u % 4;
        double rho = sqrt(-2.0 * log(u01(r[k < 2 ? 0 : 2])));
        double a = 6.283185307179586 * u01(r[k < 2 ? 1 : 3]);
        double want = (k % 2 == 0) ? rho * cos(a) : rho * sin(a);
        if (fabs(z[u - 8] - want) > 2e-14 * (1 + fabs(want))) {
            bad++;
            fprintf(stderr, "unit %d: %.17g vs %.17g\n", u, z[u - 8], want);
        }
    }
    CHECK(bad == 0);

    /* Accuracy over many units against the libm formula (rng.h documents
     * agreement to a few 1e-15 absolute). */
    enum { M = 1 << 16 };
    static double w[M];
    lv_normals(seed, stream, step, 0, M, w);
    double worst = 0;
    for (int q = 0; q < M / 4; ++q) {
        uint32_t ctr[4] = {(uint32_t)q, step, (uint32_t)stream, (uint32_t)(stream >> 32)}, r[4];
        lv_philox4x32(ctr, key, r);
        for (int k = 0; k < 4; ++k) {
            double rho = sqrt(-2.0 * log(u01(r[k < 2 ? 0 : 2])));
            double a = 6.283185307179586 * u01(r[k < 2 ? 1 : 3]);
            double want = (k % 2 == 0) ? rho * cos(a) : rho * sin(a);
            worst = fmax(worst, fabs(w[4 * q + k] - want));
        }
    }
    printf("max |z - libm formula| over %d units: %.3g\n", M, worst);
    CHECK(worst < 2e-14);

    /* lv_uniform: counter {index, 0xffffffff, stream}, first word. */
    uint32_t ctr[4] = {12345u, 0xffffffffu, (uint32_t)stream, (uint32_t)(stream >> 32)}, r[4];
    lv_philox4x32(ctr, key, r);
    CHECK(lv_uniform(seed, stream, 12345u) == u01(r[0]));
}

/* Same numbers however the range of units is split into calls, and a pure
 * function of its arguments. */
static void test_split_invariance(void)
{
    enum { N = 1234 };
    static double a[N], b[N], c[N];
    const uint64_t seed = 42, stream = LV_STREAM_GENERATE + 17;
    lv_normals(seed, stream, 3, 0, N, a);
    int splits[] = {4, 8, 400, 1232};
    for (size_t s = 0; s < sizeof splits / sizeof *splits; ++s) {
        int k = splits[s];
        for (int i = 0; i < N; ++i) b[i] = NAN;
        lv_normals(seed, stream, 3, 0, (size_t)k, b);
        lv_normals(seed, stream, 3, (uint32_t)k, (size_t)(N - k), b + k);
        CHECK_MSG(memcmp(a, b, sizeof a) == 0, "split at %d differs", k);
    }
    /* Unit-by-quad calls. */
    for (int q = 0; q < N; q += 4) lv_normals(seed, stream, 3, (uint32_t)q, (size_t)(N - q < 4 ? N - q : 4), c + q);
    CHECK(memcmp(a, c, sizeof a) == 0);
    /* Repeat call: identical. */
    lv_normals(seed, stream, 3, 0, N, b);
    CHECK(memcmp(a, b, sizeof a) == 0);
    /* A short call writes exactly n values. */
    double g[8];
    for (int i = 0; i < 8; ++i) g[i] = 999.0;
    lv_normals(seed, stream, 3, 0, 5, g);
    CHECK(g[5] == 999.0 && g[6] == 999.0 && g[7] == 999.0);
    CHECK(memcmp(g, a, 5 * sizeof(double)) == 0);
    /* Different argument -> different numbers. */
    lv_normals(seed, stream, 4, 0, N, b);
    CHECK(memcmp(a, b, sizeof a) != 0);
}

/* Mean, variance, skewness, excess kurtosis of ~4M normals within ~5 SE. */
static void test_moments(void)
{
    const size_t n = (size_t)1 << 22;
    double *z = malloc(n * sizeof(double));
    if (!z) {
        CHECK(!"out of memory");
        return;
    }
    /* Spread over streams and steps so the whole counter space is exercised. */
    const size_t per = 4096;
    for (size_t blk = 0; blk < n / per; ++blk)
        lv_normals(7, LV_STREAM_TRAIN + blk % 37, (uint32_t)(blk / 37), 0, per, z + blk * per);
    double m1 = 0;
    double zmax = 0;
    for (size_t i = 0; i < n; ++i) {
        m1 += z[i];
        if (fabs(z[i]) > zmax) zmax = fabs(z[i]);
    }
    m1 /= (double)n;
    double m2 = 0, m3 = 0, m4 = 0;
    for (size_t i = 0; i < n; ++i) {
        double d = z[i] - m1, d2 = d * d;
        m2 += d2;
        m3 += d2 * d;
        m4 += d2 * d2;
    }
    m2 /= (double)n;
    m3 /= (double)n;
    m4 /= (double)n;
    double skew = m3 / pow(m2, 1.5), kurt = m4 / (m2 * m2) - 3.0;
    double N = (double)n;
    printf("moments: mean %.3g var %.6f skew %.3g exkurt %.3g max|z| %.4f\n", m1, m2, skew, kurt, zmax);
    CHECK_NEAR(m1, 0.0, 5.0 / sqrt(N));
    CHECK_NEAR(m2, 1.0, 5.0 * sqrt(2.0 / N));
    CHECK_NEAR(skew, 0.0, 5.0 * sqrt(6.0 / N));
    CHECK_NEAR(kurt, 0.0, 5.0 * sqrt(24.0 / N));
    /* Tail reach: u >= 0.5/2^32 bounds |z| by sqrt(-2 ln(2^-33)) = 6.7638. */
    CHECK(zmax <= 6.7638);
    CHECK(zmax > 4.5); /* 4M normals reach past 4.5 sigma with near certainty */
    /* Fraction beyond 2 sigma: 0.0455003 with binomial SE. */
    size_t out2 = 0;
    for (size_t i = 0; i < n; ++i) out2 += fabs(z[i]) > 2.0;
    double p = 0.04550026389635842;
    CHECK_NEAR((double)out2 / N, p, 5.0 * sqrt(p * (1 - p) / N));
    free(z);
}

static double corr(const double *a, const double *b, size_t n)
{
    double sab = 0, saa = 0, sbb = 0, ma = 0, mb = 0;
    for (size_t i = 0; i < n; ++i) {
        ma += a[i];
        mb += b[i];
    }
    ma /= (double)n;
    mb /= (double)n;
    for (size_t i = 0; i < n; ++i) {
        sab += (a[i] - ma) * (b[i] - mb);
        saa += (a[i] - ma) * (a[i] - ma);
        sbb += (b[i] - mb) * (b[i] - mb);
    }
    return sab / sqrt(saa * sbb);
}

/* Correlation of (and between squares of) two noise vectors: |r| < 5/sqrt(n). */
static void check_uncorrelated(const char *what, const double *a, const double *b, size_t n)
{
    double r = corr(a, b, n);
    double *a2 = malloc(n * sizeof(double)), *b2 = malloc(n * sizeof(double));
    for (size_t i = 0; i < n; ++i) {
        a2[i] = a[i] * a[i];
        b2[i] = b[i] * b[i];
    }
    double r2 = corr(a2, b2, n);
    free(a2);
    free(b2);
    double tol = 5.0 / sqrt((double)n);
    CHECK_MSG(fabs(r) < tol, "%s: correlation %.4g (tol %.3g)", what, r, tol);
    CHECK_MSG(fabs(r2) < tol, "%s: correlation of squares %.4g (tol %.3g)", what, r2, tol);
}

static void test_independence(void)
{
    enum { N = 1 << 16 };
    static double base[N], other[N];
    const uint64_t seed = 2025, stream = 5;
    const uint32_t step = 100;
    lv_normals(seed, stream, step, 0, N, base);

    lv_normals(seed, stream + 1, step, 0, N, other);
    check_uncorrelated("adjacent stream", base, other, N);
    lv_normals(seed, stream + (1ull << 32), step, 0, N, other);
    check_uncorrelated("stream high word", base, other, N);
    lv_normals(seed, stream + LV_STREAM_GENERATE, step, 0, N, other);
    check_uncorrelated("stream tag", base, other, N);
    lv_normals(seed, stream, step + 1, 0, N, other);
    check_uncorrelated("adjacent step", base, other, N);
    lv_normals(seed + 1, stream, step, 0, N, other);
    check_uncorrelated("adjacent seed", base, other, N);
    lv_normals(seed + (1ull << 32), stream, step, 0, N, other);
    check_uncorrelated("seed high word", base, other, N);

    /* Within a vector: unit i vs unit i+1 (the cos/sin pair of one
     * Box-Muller draw), i+2 and i+4 (the next Philox block). */
    for (int lag = 1; lag <= 4; lag *= 2) {
        char what[32];
        snprintf(what, sizeof what, "unit lag %d", lag);
        check_uncorrelated(what, base, base + lag, N - (size_t)lag);
    }

    /* Pairs at the same position across many (stream, step) values. */
    static double p0[N], p1[N];
    double q[8];
    for (int k = 0; k < N; ++k) {
        lv_normals(seed, (uint64_t)k, (uint32_t)(k % 97), 0, 8, q);
        p0[k] = q[0];
        p1[k] = q[5];
    }
    check_uncorrelated("unit 0 vs unit 5 over streams", p0, p1, N);

    /* Uniforms: in (0,1), mean 1/2, variance 1/12. */
    double mu = 0, m2 = 0, lo = 1, hi = 0;
    for (uint32_t i = 0; i < N; ++i) {
        double u = lv_uniform(seed, LV_STREAM_MISC, i);
        mu += u;
        m2 += u * u;
        if (u < lo) lo = u;
        if (u > hi) hi = u;
    }
    mu /= N;
    m2 = m2 / N - mu * mu;
    CHECK(lo > 0.0 && hi < 1.0);
    CHECK_NEAR(mu, 0.5, 5.0 * sqrt(1.0 / 12.0 / N));
    CHECK_NEAR(m2, 1.0 / 12.0, 5.0 * sqrt(1.0 / 180.0 / N));
    CHECK(lv_uniform(seed, LV_STREAM_MISC, 0) != lv_uniform(seed, LV_STREAM_MISC, 1));
}

int main(void)
{
    test_known_answers();
    test_layout();
    test_split_invariance();
    test_moments();
    test_independence();
    return lv_test_report("test_rng");
}
