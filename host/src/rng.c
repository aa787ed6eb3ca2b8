#include "rng.h"

#include <math.h>

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

void lv_normals(uint64_t seed, uint64_t stream, uint32_t step, uint32_t unit0, size_t n, double *out)
{
    const uint32_t key[2] = {(uint32_t)seed, (uint32_t)(seed >> 32)};
    const double two_pi = 6.283185307179586476925286766559;
    uint32_t quad = unit0 >> 2;
    for (size_t i = 0; i < n; i += 4, ++quad) {
        uint32_t ctr[4] = {quad, step, (uint32_t)stream, (uint32_t)(stream >> 32)};
        uint32_t r[4];
        lv_philox4x32(ctr, key, r);
        double z[4];
        double rho0 = sqrt(-2.0 * log(u01(r[0]))), a0 = two_pi * u01(r[1]);
        double rho1 = sqrt(-2.0 * log(u01(r[2]))), a1 = two_pi * u01(r[3]);
        z[0] = rho0 * cos(a0);
        z[1] = rho0 * sin(a0);
        z[2] = rho1 * cos(a1);
        z[3] = rho1 * sin(a1);
        size_t m = n - i < 4 ? n - i : 4;
        for (size_t k = 0; k < m; ++k) out[i + k] = z[k];
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
