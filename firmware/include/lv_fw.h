/* lv_fw.h - the Langevin device firmware driver (issue 5).
 *
 * Portable C99, freestanding: needs only <stdint.h> and <stddef.h>, uses no
 * heap, no libc function and no floating point.  Every register access goes
 * through the HAL (lv_fw_hal.h); offsets, masks and codes come from the
 * generated lv_regs.h.  Style after OpenTitan's DIFs: a handle struct
 * initialised by lv_fw_init, every operation returns an lv_fw_result, and
 * lv_fw_strerror(r) gives a sentence for each code.
 *
 * Contract:
 *  - lv_fw_probe reads ID, VERSION and the capacities (CAP_ACC_W when
 *    VERSION.MINOR >= 1; an older device has 64-bit accumulators) and
 *    refuses a bus that does not reach a Langevin device or speaks another
 *    register MAJOR.
 *  - lv_fw_load streams a device image file (docs/device-image.md) from a
 *    caller's read callback (flash, a file, a buffer: lv_fw_src_buffer).  It
 *    reads the stream twice.  Pass 1 writes NOTHING to the device: it checks
 *    magic, version, sizes, head CRC, section table, dimensions (and that the
 *    image fits the probed device), formats, physical parameters, every
 *    section CRC, padding, the file CRC and every memory code, and finally
 *    that the coupling field's bound fits the device's accumulators
 *    (lv_fw_image_acc_bits against CAP_ACC_W).  Pass 2 loads
 *    through the registers (docs/register-map.md "Load sequence"):
 *    SOFT_RESET, the ten load registers (read back), CONFIG_CRC, then each of
 *    COUPLINGS, ROW_EXP, BIAS, BIAS_EXP streamed through the memory port with
 *    its section CRC re-checked before LOAD_CRC is committed (a source that
 *    changed between passes is never committed), LOAD_COUNT / LOAD_CRC_CALC
 *    compared, the commit checked in LOAD_STATE, the memory read back
 *    (CRC-32 of the read-back words against the written ones), and finally
 *    STATUS.IMAGE_VALID.  Any failure leaves the image uncommitted and names
 *    the cause in the result code (and dev->dev_err / dev->detail).
 *  - Runs: lv_fw_run_start programs SEED, TICK0, TICKS and CTRL; it refuses
 *    to start without STATUS.IMAGE_VALID.  lv_fw_run_wait polls STATUS
 *    (calling hal.wait between polls), lv_fw_read_meters reads the 64-bit
 *    meters LO then HI.  lv_fw_generate is the paper's two-phase protocol
 *    and sums the saturation counters of both phases (docs/fixed-point.md §8
 *    "Run boundaries"), sticky at 2^32 - 1.
 *  - The handle holds no pointers into caller memory other than the HAL
 *    context; there is no global state.  One handle per device; not
 *    thread-safe.
 */
#ifndef LV_FW_H
#define LV_FW_H

#include <stddef.h>
#include <stdint.h>

#include "lv_fw_hal.h"

/* Result codes: one per failure cause.  lv_fw_strerror(r) explains each. */
typedef enum {
    LV_FW_OK = 0,
    LV_FW_E_BAD_ARG,         /* NULL pointer or argument out of range */
    LV_FW_E_NOT_PROBED,      /* lv_fw_probe has not succeeded on this handle */
    LV_FW_E_NO_DEVICE,       /* ID is not "LANG" */
    LV_FW_E_REG_VERSION,     /* VERSION.MAJOR is not the one this driver speaks */
    LV_FW_E_BUSY,            /* the device is running */
    /* Image stream (pass 1: nothing written to the device). */
    LV_FW_E_IMG_READ,        /* the read callback failed */
    LV_FW_E_IMG_TRUNCATED,   /* fewer bytes than the header / table / file_bytes */
    LV_FW_E_IMG_TRAILING,    /* more bytes than file_bytes */
    LV_FW_E_IMG_MAGIC,       /* not "LVDEVIMG" */
    LV_FW_E_IMG_VERSION,     /* image format version other than 1 (dev->detail) */
    LV_FW_E_IMG_HEAD_CRC,    /* header + table CRC mismatch */
    LV_FW_E_IMG_HEADER,      /* header fields: n_sections, head_bytes, flags, reserved */
    LV_FW_E_IMG_LAYOUT,      /* section table: types, order, required, offsets */
    LV_FW_E_IMG_DIMS,        /* nv, nh, m, n_rows out of range or inconsistent */
    LV_FW_E_IMG_SECTION_SIZE,/* a section's length does not follow from the dims */
    LV_FW_E_IMG_FORMAT,      /* formats / parameter codes outside docs/fixed-point.md §2 */
    LV_FW_E_IMG_PHYSICS,     /* a physical parameter NaN/inf/negative, or j2/j4 not encoding it */
    LV_FW_E_IMG_SECTION_CRC, /* a section's CRC mismatch (dev->detail = section type) */
    LV_FW_E_IMG_PADDING,     /* non-zero padding */
    LV_FW_E_IMG_FILE_CRC,    /* whole-file CRC mismatch */
    LV_FW_E_IMG_CODE_RANGE,  /* a memory code outside its BJ/Bb bits or exponent range */
    LV_FW_E_IMG_DIGITS,      /* DIGITS section header invalid */
    LV_FW_E_IMG_CHANGED,     /* pass 2 read different bytes than pass 1 (not committed) */
    LV_FW_E_CAPACITY,        /* the image needs more units/couplings than the device has */
    LV_FW_E_ACC_WIDTH,       /* the image's field bound needs more accumulator bits than CAP_ACC_W
                              * (dev->detail = the bits it needs, dev->cap_acc_w = what the device has) */
    /* Device (pass 2 and runs). */
    LV_FW_E_DEV_REG_READBACK,/* a load register read back differently (dev->detail = offset) */
    LV_FW_E_DEV_CONFIG,      /* CONFIG_CRC commit refused (dev->dev_err = ERR_CODE) */
    LV_FW_E_DEV_STREAM,      /* LOAD_COUNT / LOAD_CRC_CALC disagree with what was written */
    LV_FW_E_DEV_COMMIT,      /* LOAD_CRC commit refused or LOAD_STATE bit clear */
    LV_FW_E_DEV_MEM_READBACK,/* a memory read back differently (dev->detail = MEM_SEL id) */
    LV_FW_E_DEV_ERROR,       /* the device raised STATUS.ERROR (dev->dev_err = ERR_CODE) */
    LV_FW_E_NOT_LOADED,      /* STATUS.IMAGE_VALID is clear: no complete image loaded */
    LV_FW_E_NO_DONE,         /* a run ended without STATUS.DONE */
    LV_FW_E_TIMEOUT,         /* dev->max_polls STATUS polls without the run ending */
    LV_FW_E_WAIT_ABORTED,    /* hal.wait returned non-zero */
    LV_FW_E_TICKS,           /* tick0 + ticks, or ticks_eq + ticks_run, pass 2^32 */
    LV_FW_E_BUF_SMALL,       /* caller's buffer smaller than the units asked for */
    LV_FW_RESULT_COUNT
} lv_fw_result;

/* A sentence for r (never NULL; "unknown result code" outside the enum). */
const char *lv_fw_strerror(lv_fw_result r);
/* The name of a device ERR_CODE value ("NONE", "NOT_LOADED", ...). */
const char *lv_fw_dev_err_name(uint32_t code);

/* The driver handle. */
typedef struct {
    lv_fw_hal hal;
    uint32_t max_polls;  /* 0: wait forever; else LV_FW_E_TIMEOUT after that many STATUS polls */
    /* Filled by lv_fw_probe. */
    int probed;
    uint32_t version, cap_max_n, cap_max_m;
    uint32_t cap_acc_w;  /* CAP_ACC_W (64 for a device older than VERSION.MINOR 1) */
    /* Filled by a successful lv_fw_load (the run protocol is not a register). */
    uint32_t nv, nh, ticks_eq, ticks_run;
    uint16_t colour_a;
    /* Diagnostics of the last failure. */
    uint32_t dev_err;    /* ERR_CODE read when the device refused something, else 0 */
    uint32_t detail;     /* result-specific: offset, section type, memory id, value found */
} lv_fw_dev;

/* Bind a handle to a HAL (read32 and write32 required).  No bus access. */
lv_fw_result lv_fw_init(lv_fw_dev *dev, const lv_fw_hal *hal);
/* Read ID, VERSION, CAP_MAX_N, CAP_MAX_M and, when VERSION.MINOR >= 1,
 * CAP_ACC_W (reads only). */
lv_fw_result lv_fw_probe(lv_fw_dev *dev);

/* ---- image source --------------------------------------------------------- */

/* read(ctx, offset, buf, len) copies len bytes of the image starting at
 * offset into buf and returns 0, or non-zero on a read failure.  size is the
 * number of bytes available; a source larger than the image (a flash
 * partition) sets allow_trailing. */
typedef struct {
    int (*read)(void *ctx, uint32_t offset, uint8_t *buf, uint32_t len);
    void *ctx;
    uint32_t size;
    int allow_trailing;
} lv_fw_image_src;

/* A source over a byte buffer; mem must outlive src. */
typedef struct {
    const uint8_t *data;
    size_t len;
} lv_fw_membuf;
void lv_fw_src_buffer(lv_fw_image_src *src, lv_fw_membuf *mem, const void *data, size_t len);

/* Summary of a verified image (pass 1). */
typedef struct {
    uint32_t file_bytes, n_sections;
    uint32_t nv, nh, vv, m, n_rows;
    uint32_t cfg[10];          /* the load registers, CONFIG_CRC order */
    uint32_t ticks_eq, ticks_run;
    uint32_t sec_off[4], sec_len[4], sec_crc[4]; /* COUPLINGS, ROW_EXP, BIAS, BIAS_EXP */
    uint32_t acc_bits;         /* accumulator bits the coupling field needs (lv_fw_image_acc_bits) */
} lv_fw_image_info;

/* Pass 1 only: verify the stream, touch no register.  info may be NULL.
 * Capacity (units, couplings, accumulator width) is checked when dev has
 * been probed. */
lv_fw_result lv_fw_image_check(lv_fw_dev *dev, const lv_fw_image_src *src, lv_fw_image_info *info);

/* The accumulator width A (bits, two's complement) the coupling field of the
 * image needs: the smallest A with
 *     max_u xmax * rowsum_u < 2^(A-1),
 *     rowsum_u = sum over the stored couplings c of unit u of |c| 2^(E - eJ[r]),
 * xmax = 2^(Wx-1) - 1 and E = max eJ over the stored rows holding a
 * coupling: docs/fixed-point.md §4 / §10, the bound emu's coupling network
 * checks against 2^63 (so A <= 64 is what a 64-bit device computes exactly;
 * A = 1 when every code is 0).  Computed in integers from the image's codes
 * and exponents in the §3 stored order: a device with CAP_ACC_W >= A
 * computes its field exactly.  info comes from a successful
 * lv_fw_image_check of the same src (which also stores A in info->acc_bits).
 * No heap: each unit's sum is re-read from src (its own stored row and one
 * code of every row it is a column of), about m + n_rows 2-byte reads in
 * all.  Returns LV_FW_OK, or a read error of src. */
lv_fw_result lv_fw_image_acc_bits(const lv_fw_image_src *src, const lv_fw_image_info *info, uint32_t *bits);
/* Pass 1, then the load (pass 2).  Requires a probed, idle device. */
lv_fw_result lv_fw_load(lv_fw_dev *dev, const lv_fw_image_src *src);

/* ---- runs ------------------------------------------------------------------ */

typedef struct {
    uint64_t seed;      /* SEED_HI:SEED_LO */
    uint32_t tick0;     /* TICK0 */
    uint32_t ticks;     /* TICKS */
    int couple;         /* CTRL.COUPLE */
    int colour;         /* CTRL.COLOUR_EN */
} lv_fw_run_cfg;

typedef struct {
    int64_t v0, v, q;              /* Q31.32 */
    uint32_t tick, sat_state, sat_force;
} lv_fw_meters;

/* Trim the noise gain and offset after a load and recommit CONFIG_CRC over
 * the ten load registers as they read back (the memories stay committed). */
lv_fw_result lv_fw_trim(lv_fw_dev *dev, uint32_t gain, int32_t offset);
/* Write SEED, TICK0, TICKS, clear DONE/ERROR, START.  Refuses without
 * IMAGE_VALID (LV_FW_E_NOT_LOADED) or while busy. */
lv_fw_result lv_fw_run_start(lv_fw_dev *dev, const lv_fw_run_cfg *cfg);
/* One STATUS read: *busy = BUSY bit.  Reports a raised ERROR. */
lv_fw_result lv_fw_run_poll(lv_fw_dev *dev, int *busy);
/* Poll until BUSY clears (hal.wait between polls), check DONE, clear it. */
lv_fw_result lv_fw_run_wait(lv_fw_dev *dev);
/* CTRL.STOP: end a run after the current tick. */
lv_fw_result lv_fw_run_stop(lv_fw_dev *dev);
/* V0, V, Q (each LO then HI), TICK, SAT_STATE, SAT_FORCE. */
lv_fw_result lv_fw_read_meters(lv_fw_dev *dev, lv_fw_meters *out);
/* STATE memory words [first, first + count) (visible: first = 0, count = nv;
 * hidden: first = nv, count = nh). */
lv_fw_result lv_fw_read_state(lv_fw_dev *dev, uint32_t first, int32_t *out, uint32_t count);
/* Write STATE words [first, first + count) (not committed: optional). */
lv_fw_result lv_fw_write_state(lv_fw_dev *dev, uint32_t first, const int32_t *x, uint32_t count);
/* Two-phase generation: STATE = 0; COUPLE = 0, TICK0 = 0, TICKS = ticks_eq;
 * then COUPLE = 1, TICK0 = TICK, TICKS = ticks_run; COLOUR_EN when
 * COLOUR_A != 0.  out gets V0/V/Q/TICK of the coupled phase and the counters
 * summed over both phases; state (may be NULL) all nv + nh final codes. */
lv_fw_result lv_fw_generate(lv_fw_dev *dev, uint64_t seed, uint32_t ticks_eq, uint32_t ticks_run, int32_t *state,
                            uint32_t state_cap, lv_fw_meters *out);

/* CRC-32 (zlib's) helpers, exposed for tests and tools. */
uint32_t lv_fw_crc32_update(uint32_t crc, const uint8_t *p, size_t n); /* crc: running value, 0 to start */
uint32_t lv_fw_crc32_word(uint32_t crc, uint32_t w);                   /* 4 little-endian bytes */

#endif
