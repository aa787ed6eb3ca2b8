/* coupling_network.h - the resistor network: the coupling field of
 * docs/fixed-point.md §4 for a batch of states.
 *
 * Contract: for every trajectory b and unit i,
 *     acc_i = sum over stored couplings (i, j) of c * x_j * 2^(E - eJ[r])
 *     f_i   = rnd(acc_i, Fx + E - Ff)
 * with the image's codes c (or, for a chip instance with mismatch, the
 * effective codes c' of §7 with eJ + 8), E = max eJ over the stored rows
 * that hold at least one coupling (an empty row's exponent cannot change a
 * bit, since §4's rounding is scale-invariant, but would widen the
 * accumulator bound).
 * acc is an exact integer, so f does not depend on the order of summation,
 * the batch composition or the thread count.  Two paths give identical bits:
 *
 *   LV_CN_INT64  the reference: the stored couplings in §3 order, each
 *                serving both of its units, summed in int64 (the bound check
 *                at creation proves no partial sum can overflow);
 *   LV_CN_GEMM   the scaled codes A_ij = c * 2^(E - eJ[r]) laid out as dense
 *                double blocks (visible-hidden, hidden-hidden symmetric with
 *                a zero diagonal, visible-visible if stored) and one OpenBLAS
 *                dgemm per block for the whole batch.  Every product and
 *                partial sum is an integer of magnitude <= xmax * R (R the
 *                largest row sum of |A_ij|), and the path is used only when
 *                xmax * R <= 2^53, where doubles are exact integers whatever
 *                the summation order or FMA use.  When that fails but
 *                R <= 2^52, x is split into S digits of w bits
 *                (x = sum_k d_k 2^(k w), low digits unsigned, the top one
 *                signed) with 2^w * R <= 2^53; the S digit matrices are
 *                stacked as S*B rows of one GEMM and recombined in int64
 *                (mod 2^64, exact because the true sum fits, §10).  S = 1 is
 *                exactly the "<= 52 bits" case of §10 (with the actual codes
 *                in place of the worst-case formula).
 *
 * LV_CN_AUTO picks GEMM whenever S <= 8 and the dense blocks can be
 * allocated, the int64 path otherwise; even then a call with at most 8 rows
 * takes the int64 path, which is faster for small batches (no reuse of the
 * blocks across rows, no BLAS threading).  lv_cn_get_path reports the
 * choice for large batches.  Creation also enforces the §10
 * bounds of §4 (every |acc_i| and its rounding below 2^63) from the actual
 * codes and reports per-unit bounds on |f_i| for the rest of the checks.
 */
#ifndef LV_COUPLING_NETWORK_H
#define LV_COUPLING_NETWORK_H

#include <stddef.h>
#include <stdint.h>

#include "device_image.h"
#include "err.h"
#include "fx_prims.h"

typedef enum { LV_CN_AUTO = 0, LV_CN_INT64 = 1, LV_CN_GEMM = 2 } lv_cn_path;

typedef struct lv_coupling_net lv_coupling_net;

/* Build the network of img (units, connectivity, codes c, exponents ej, and
 * the formats wx, fx, ff) for batches of up to max_rows states.  mismatch:
 * 0 = ideal codes; 1 = effective codes c' = rnd(c (2^26 + sm * zm), 18) with
 * zm = lv_noise_mismatch_z(mm_seed, m) and sm (Q0.16) < 2^16.  The image's
 * own sizes and code ranges must already be valid (lv_dev_create checks
 * them); this checks the §4 bounds.  Returns 0 or -1 with err set. */
int lv_cn_create(lv_coupling_net **out, const lv_dev_image *img, int mismatch, uint64_t mm_seed,
                 uint32_t sm, int max_rows, lv_cn_path path, lv_error *err);
void lv_cn_free(lv_coupling_net *cn);

/* Switch path (LV_CN_AUTO: the automatic choice).  Forcing LV_CN_GEMM fails
 * with a message when the exactness condition does not hold. */
int lv_cn_set_path(lv_coupling_net *cn, lv_cn_path path, lv_error *err);
lv_cn_path lv_cn_get_path(const lv_coupling_net *cn);
/* Digits per state for the GEMM path (1 = the plain §10 case; 0 = the
 * GEMM path is not exact for this image). */
int lv_cn_gemm_slices(const lv_coupling_net *cn);

/* f[b*N + i] for rows b < rows (<= max_rows) of row-major codes x (N per
 * row).  Cannot fail.  Uses scratch inside cn: one call at a time per
 * network (it parallelises internally with OpenMP and OpenBLAS). */
void lv_cn_field(lv_coupling_net *cn, const int32_t *x, size_t rows, int64_t *f);

/* Introspection (tests, reports). */
int lv_cn_units(const lv_coupling_net *cn);
int lv_cn_exp_max(const lv_coupling_net *cn);           /* E (+8 with mismatch) */
int lv_cn_round_shift(const lv_coupling_net *cn);       /* Fx + E - Ff */
int32_t lv_cn_code(const lv_coupling_net *cn, size_t m); /* effective code of stored coupling m */
int lv_cn_row_exp(const lv_coupling_net *cn, size_t r); /* effective eJ of stored row r */
/* Bound on |f_i| over the whole state range, per unit (N values). */
const int64_t *lv_cn_fmax(const lv_coupling_net *cn);
/* log2 of the largest possible |acc_i| (for reports). */
double lv_cn_acc_log2(const lv_coupling_net *cn);
/* The accumulator width that bound needs, exactly: the smallest A with
 * max_i xmax rowsum_i < 2^(A-1) (two's complement; <= 64 here, since
 * creation refused anything >= 2^63).  A device instance with CAP_ACC_W >= A
 * computes this network's field exactly; the firmware computes the same
 * number from the image file (lv_fw_image_acc_bits). */
int lv_cn_acc_bits(const lv_coupling_net *cn);

/* Mismatch-effective code of §7: rnd(c * (2^26 + sm * zm), 18). */
static inline int32_t lv_cn_mismatch_code(int32_t c, uint32_t sm, int32_t zm)
{
    return (int32_t)lv_fx_rnd((int64_t)c * (((int64_t)1 << 26) + (int64_t)sm * zm), 18);
}

#endif
