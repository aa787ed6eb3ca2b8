/* noise_source.c - the device's thermal-noise source (docs/fixed-point.md §6,
 * mismatch deviates §7; design notes and measured moments in docs/noise.md).
 *
 * lv_noise_z and lv_noise_mismatch_z call host/src/rng.c's lv_philox4x32 and
 * are the definition.  lv_noise_z_block is the hot path (one call per tick
 * and trajectory over all N units): it runs the same Philox4x32-10 rounds on
 * a plain loop over independent units that GCC vectorises (-O3 -march=native:
 * 8 units per AVX-512 instruction), with the round keys precomputed once per
 * call.  tests/emu/test_noise_source.c checks it against the scalar path bit
 * for bit. */
#include "noise_source.h"

#include "rng.h"

#define PHILOX_M0 0xD2511F53u
#define PHILOX_M1 0xCD9E8D57u
#define PHILOX_W0 0x9E3779B9u
#define PHILOX_W1 0xBB67AE85u

/* Sum of the twelve 10-bit fields of the 128-bit word lo | hi << 64, where
 * lo = w0 | w1 << 32 and hi = w2 | w3 << 32.  Fields 0-5 lie in lo (bits
 * 0..59), field 6 straddles (lo bits 60..63, hi bits 0..5), fields 7-11 lie in
 * hi (bits 6..55); hi bits 56..63 (the top byte of w3) are unused.
 * SWAR: adding fields k and k+1 in place leaves 20-bit slots holding at most
 * 2046, so no slot carries into the next. */
static inline uint64_t field_sum(uint64_t lo, uint64_t hi)
{
    const uint64_t slots3 = 0x0003FF003FF003FFull; /* 10 bits at 0, 20, 40 */
    const uint64_t slots2 = 0x000000003FF003FFull; /* 10 bits at 0, 20 */
    uint64_t a = (lo & slots3) + ((lo >> 10) & slots3); /* fields 0+1, 2+3, 4+5 */
    uint64_t h = hi >> 6;                               /* fields 7..11 at bits 0, 10, .., 40 */
    uint64_t b = (h & slots3) + ((h >> 10) & slots2);   /* fields 7+8, 9+10, 11 */
    uint64_t s = a + b;                                 /* slots <= 4092: still no carry */
    uint64_t f6 = ((lo >> 60) | (hi << 4)) & 0x3FFu;
    return (s & 0xFFFFFu) + ((s >> 20) & 0xFFFFFu) + (s >> 40) + f6;
}

int32_t lv_noise_shape(const uint32_t w[4])
{
    uint64_t lo = (uint64_t)w[0] | (uint64_t)w[1] << 32;
    uint64_t hi = (uint64_t)w[2] | (uint64_t)w[3] << 32;
    return (int32_t)field_sum(lo, hi) - LV_NOISE_Z_MAX;
}

static int32_t shaped_block(uint64_t seed, uint32_t c0, uint32_t c1, uint32_t tag)
{
    const uint32_t key[2] = {(uint32_t)seed, (uint32_t)(seed >> 32)};
    const uint32_t ctr[4] = {c0, c1, tag, 0};
    uint32_t w[4];
    lv_philox4x32(ctr, key, w);
    return lv_noise_shape(w);
}

int32_t lv_noise_z(uint64_t seed, uint32_t tick, uint32_t unit)
{
    return shaped_block(seed, unit, tick, LV_NOISE_TAG);
}

int32_t lv_noise_mismatch_z(uint64_t instance_seed, uint32_t m)
{
    return shaped_block(instance_seed, m, 0, LV_MISMATCH_TAG);
}

int32_t lv_noise_chip_z(uint64_t instance_seed, uint32_t unit, uint32_t tag)
{
    return shaped_block(instance_seed, unit, 0, tag);
}

void lv_noise_z_block(uint64_t seed, uint32_t tick, uint32_t unit0, size_t n, int32_t *restrict z)
{
    /* Round keys: round r uses key + r * (W0, W1) (mod 2^32). */
    uint32_t ks0[10], ks1[10];
    uint32_t k0 = (uint32_t)seed, k1 = (uint32_t)(seed >> 32);
    for (int r = 0; r < 10; ++r) {
        ks0[r] = k0;
        ks1[r] = k1;
        k0 += PHILOX_W0;
        k1 += PHILOX_W1;
    }
    /* 32-bit words held in 64-bit lanes, as in rng.c's philox_pass: GCC then
     * keeps one unit per 64-bit lane and uses widening 32x32->64 multiplies,
     * without repacking halves between rounds. */
    const uint64_t lo32 = 0xFFFFFFFFu;
    for (size_t j = 0; j < n; ++j) {
        uint64_t c0 = (uint32_t)(unit0 + (uint32_t)j), c1 = tick, c2 = LV_NOISE_TAG, c3 = 0;
        for (int r = 0; r < 10; ++r) {
            uint64_t p0 = (c0 & lo32) * PHILOX_M0;
            uint64_t p1 = (c2 & lo32) * PHILOX_M1;
            uint64_t n0 = ((p1 >> 32) ^ c1 ^ ks0[r]) & lo32;
            uint64_t n2 = ((p0 >> 32) ^ c3 ^ ks1[r]) & lo32;
            c1 = p1 & lo32;
            c3 = p0 & lo32;
            c0 = n0;
            c2 = n2;
        }
        z[j] = (int32_t)field_sum(c0 | c1 << 32, c2 | c3 << 32) - LV_NOISE_Z_MAX;
    }
}
