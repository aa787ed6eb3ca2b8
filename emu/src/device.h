/* device.h - the emulated Langevin device: a batch of B independent copies
 * of the chip running one device image, bit-exact with
 * docs/fixed-point.md.
 *
 * Contract:
 *  - lv_dev_create validates the image completely (sizes, every format and
 *    code range of §2, K < 2^31, the DAC configuration, and every §10 bound
 *    computed from the actual codes over the whole state and force range)
 *    and refuses it with a sentence naming the offending field otherwise.
 *    inst != NULL gives a chip instance with coupling mismatch and analog
 *    noise-DAC errors (§7 "chip instance"); an instance with sm = sg = ge =
 *    so = 0 is bit-identical to the ideal device.
 *  - Trajectory b of a batch is a pure function of (image, instance,
 *    seeds[b], tick0, the sequence of runs): it does not depend on the
 *    batch size, its position in the batch, the coupling-field path or the
 *    OpenMP / OpenBLAS thread count (all arithmetic is integer or exact).
 *  - Noise of tick t of trajectory b: lv_noise_z_block(seeds[b], t, 0, N).
 *    The tick counter starts at tick0 (lv_dev_reset) and continues across
 *    runs; a run that would pass 2^32 - 1 is refused.
 *  - A run of T ticks makes T + 1 field passes (energy_meter.h): pass k
 *    computes g(x_k) and V(x_k) and completes the heat of tick k - 1; the
 *    last is the measure pass.  Runs can be split: run(T1); run(T2) with
 *    the same COUPLE gives the bits of run(T1 + T2) (state, Q, counters).
 *  - With COUPLE clear the field and the biases are 0 in the force and in
 *    the meter (§5, §8).  latch != 0 clears Q and latches V(x_0) at pass 0.
 *  - Saturation counters are per trajectory (each trajectory is a chip),
 *    32-bit sticky, counting unit-ticks: SAT_STATE the clamps of §7,
 *    SAT_FORCE the clamps of §5 in passes followed by an update (the
 *    measure pass recomputes the next run's first force and does not count,
 *    so split runs count like one run).  lv_dev_sat_totals sums them.
 *  - Doubles appear only in the conversions at the end (lv_dev_codes_to_double,
 *    lv_meter_to_double, lv_dev_generate's result).
 */
#ifndef LV_DEVICE_H
#define LV_DEVICE_H

#include <stddef.h>
#include <stdint.h>

#include "coupling_network.h"
#include "device_image.h"
#include "err.h"

typedef struct lv_dev lv_dev;

/* A chip instance with coupling mismatch and noise-DAC errors (emulator
 * only, docs/fixed-point.md §7).  Zero fields are an ideal chip in that
 * respect; all deviates are pure functions of (seed, element). */
typedef struct {
    uint64_t seed; /* instance seed: Philox key of the mismatch and error deviates */
    uint32_t sm;   /* coupling mismatch: relative spread sigma_m in Q0.16, < 10923 */
    uint32_t sg;   /* per-unit noise-gain error: relative spread in Q0.16, < 10923 */
    int32_t ge;    /* global noise-gain error: relative, signed Q0.16, |ge| < 32768 */
    uint32_t so;   /* per-unit noise offset: spread in Q16.16 state LSBs per tick, < 2^28 */
} lv_dev_instance;

/* Check an instance's ranges (NULL is the ideal chip and passes):
 * sm, sg < 10923 and |ge| * 2^10 + sg * 6138 < 2^26 keep every coupling's
 * sign and every unit's gain positive; so < 2^28.  0 or -1 with err set. */
int lv_dev_instance_check(const lv_dev_instance *inst, lv_error *err);

/* The effective per-unit noise gain G_i (Q16.16) and offset O_i (Q16.16
 * state LSBs) of unit i for an image's GAIN / OFFSET on this instance
 * (inst may be NULL: G_i = G, O_i = O).  For tests and reports. */
int64_t lv_dev_instance_gain(const lv_dev_instance *inst, uint32_t gain, uint32_t unit);
int64_t lv_dev_instance_offset(const lv_dev_instance *inst, int32_t offset, uint32_t unit);

/* Registers of one trajectory. */
typedef struct {
    int64_t v0;         /* V(x_0) latched at the start of the last latching run (FE = 32) */
    int64_t v;          /* V of the last field pass (FE = 32) */
    int64_t q;          /* path heat since the latch (FE = 32), modulo 2^64 */
    uint32_t sat_state; /* sticky 32-bit counters (unit-ticks) */
    uint32_t sat_force;
} lv_dev_regs;

/* Validate img and build a device for batches of up to `batch`
 * trajectories.  The device copies what it needs; img may be freed after.
 * Returns NULL with err set on failure. */
lv_dev *lv_dev_create(const lv_dev_image *img, const lv_dev_instance *inst, int batch, lv_error *err);
void lv_dev_free(lv_dev *d);

/* Coupling-field path (LV_CN_AUTO by default; see coupling_network.h).  The
 * bits are identical either way; forcing LV_CN_INT64 is for tests. */
int lv_dev_set_field_path(lv_dev *d, lv_cn_path path, lv_error *err);
lv_cn_path lv_dev_field_path(const lv_dev *d);
const lv_coupling_net *lv_dev_network(const lv_dev *d);

int lv_dev_units(const lv_dev *d);   /* N */
int lv_dev_visible(const lv_dev *d); /* Nv */
int lv_dev_batch(const lv_dev *d);   /* maximum trajectories per batch */
int lv_dev_active(const lv_dev *d);  /* trajectories of the current batch */
int lv_dev_fx(const lv_dev *d);      /* state fraction bits */

/* Start a batch of nb (1..batch) trajectories with the given seeds: state
 * codes 0, colour filters 0, registers and counters 0, tick counter tick0. */
int lv_dev_reset(lv_dev *d, const uint64_t *seeds, int nb, uint32_t tick0, lv_error *err);

/* Load state codes (nb x N, row-major); each must lie in [-(2^(Wx-1)-1), 2^(Wx-1)-1]. */
int lv_dev_set_state(lv_dev *d, const int32_t *x, lv_error *err);

/* Run `ticks` ticks (T + 1 field passes) with COUPLE = couple. */
int lv_dev_run(lv_dev *d, int couple, uint32_t ticks, int latch, lv_error *err);

const int32_t *lv_dev_state(const lv_dev *d);    /* nb x N state codes x[b*N + i] */
const int64_t *lv_dev_force(const lv_dev *d);    /* nb x N, g of the last field pass (Ff) */
const int64_t *lv_dev_last_eta(const lv_dev *d); /* nb x N, eta of the last tick (state LSBs) */
uint32_t lv_dev_tick(const lv_dev *d);           /* next tick to run */
void lv_dev_regs_get(const lv_dev *d, int b, lv_dev_regs *r);
/* Sums of the per-trajectory counters of the current batch. */
void lv_dev_sat_totals(const lv_dev *d, uint64_t *sat_state, uint64_t *sat_force);

/* out[k] = codes[k] * 2^-fx (exact). */
void lv_dev_codes_to_double(const int32_t *codes, size_t n, int fx, double *out);

/* Generation: for each trajectory, state 0, img->ticks_eq coupling-free
 * ticks, latch V(x0), img->ticks_run coupled ticks, measure pass. */
typedef struct {
    size_t n;
    int nv, nh;
    int32_t *visible_codes;   /* n x nv final visible state codes */
    double *visible;          /* n x nv, in x units */
    double *hidden;           /* n x nh, in x units */
    double *v0, *vf;          /* V(x0), V(xf), energy units */
    double *q_end, *q_path;   /* V(x0) - V(xf) (exact in int64 first), Q register */
    uint32_t *sat_state, *sat_force; /* per trajectory, both phases */
} lv_dev_gen_result;

/* Runs n trajectories (seeds[0..n)) in batches of lv_dev_batch(d); fills
 * *res (free with lv_dev_gen_result_free).  The device's batch state is
 * left at the last batch. */
int lv_dev_generate(lv_dev *d, size_t n, const uint64_t *seeds, lv_dev_gen_result *res, lv_error *err);
void lv_dev_gen_result_free(lv_dev_gen_result *res);

#endif
