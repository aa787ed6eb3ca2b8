/* lv_fw.c - the Langevin device firmware driver.  See lv_fw.h.
 *
 * C99 freestanding: <stdint.h>, <stddef.h> and the generated lv_regs.h only;
 * no heap, no libc calls, no floating point, no 64-bit division (so a 32-bit
 * core without an FPU needs nothing from libgcc either). */
#include "lv_fw.h"

#include "lv_regs.h"

#define RD(R) dev->hal.read32(dev->hal.ctx, LV_REG_##R##_OFFSET)
#define WR(R, v) dev->hal.write32(dev->hal.ctx, LV_REG_##R##_OFFSET, (uint32_t)(v))
#define ERR_OF_DEVICE() LV_FIELD_GET(RD(ERR_CODE), ERR_CODE, CODE)

/* Image format constants (docs/device-image.md). */
#define IMG_VERSION 1u
#define HDR_BYTES 160u
#define SEC_ENTRY 32u
#define MIN_SECTIONS 4u
#define MAX_SECTIONS 6u
#define HEAD_MAX (HDR_BYTES + SEC_ENTRY * MAX_SECTIONS + 4u)
#define SEC_DIGITS 5u
#define SEC_METADATA 6u
#define MAX_META_BYTES (16u << 20)
#define MAX_DIGITS 100000u
#define EXP_MIN (-16)
#define EXP_MAX 47
#define CHUNK 64u /* stream chunk: a multiple of every element size */
#define MINOR_CAP_ACC_W 1u /* VERSION.MINOR that added CAP_ACC_W */
#define ACC_W_DEFAULT 64u  /* accumulators of a device without CAP_ACC_W */

/* ---- messages ---------------------------------------------------------------- */

static const char *const messages[LV_FW_RESULT_COUNT] = {
    [LV_FW_OK] = "success",
    [LV_FW_E_BAD_ARG] = "invalid argument: a NULL pointer, a HAL without read32/write32, or a range outside the "
                        "device's units",
    [LV_FW_E_NOT_PROBED] = "the device has not been probed: call lv_fw_probe first",
    [LV_FW_E_NO_DEVICE] = "ID does not read \"LANG\" (0x4c414e47): the bus does not reach a Langevin device "
                          "(check the base address and the HAL)",
    [LV_FW_E_REG_VERSION] = "the device's register interface has another VERSION.MAJOR than this driver "
                            "(dev->detail = VERSION): use a matching driver",
    [LV_FW_E_BUSY] = "the device is running (STATUS.BUSY = 1): wait for the run to end or stop it first",
    [LV_FW_E_IMG_READ] = "reading the image failed (the source's read callback returned an error)",
    [LV_FW_E_IMG_TRUNCATED] = "the image is truncated: shorter than its header, section table or file_bytes",
    [LV_FW_E_IMG_TRAILING] = "the image source holds bytes past file_bytes (set allow_trailing for a partition)",
    [LV_FW_E_IMG_MAGIC] = "not a device image: the magic is not \"LVDEVIMG\"",
    [LV_FW_E_IMG_VERSION] = "unsupported image format version (dev->detail = the version found; this driver reads 1)",
    [LV_FW_E_IMG_HEAD_CRC] = "the image header is corrupt: the head CRC-32 does not match",
    [LV_FW_E_IMG_HEADER] = "the image header is invalid: n_sections/head_bytes disagree, undefined flag bits or "
                           "non-zero reserved fields",
    [LV_FW_E_IMG_LAYOUT] = "the image's section table is invalid: unknown or out-of-order types, a missing required "
                           "section, or offsets other than the layout (dev->detail = entry index)",
    [LV_FW_E_IMG_DIMS] = "the image's dimensions are invalid: nv, nh out of range, or m / n_rows that do not follow "
                         "from nv, nh, vv",
    [LV_FW_E_IMG_SECTION_SIZE] = "an image section has the wrong length for the dimensions (dev->detail = type)",
    [LV_FW_E_IMG_FORMAT] = "an image format or parameter code is outside docs/fixed-point.md section 2 "
                           "(Wx, Fx, BJ, Bb, Wf, Ff, Bn, J2, J4, K, OFFSET, colour a / ca)",
    [LV_FW_E_IMG_PHYSICS] = "an image physical parameter is NaN, infinite or negative (mu, dt must be > 0), or "
                            "j2 / j4 do not encode J2 / J4 (dev->detail = byte offset of the field)",
    [LV_FW_E_IMG_SECTION_CRC] = "an image section is corrupt: its CRC-32 does not match (dev->detail = type)",
    [LV_FW_E_IMG_PADDING] = "the image has non-zero padding between sections",
    [LV_FW_E_IMG_FILE_CRC] = "the image is corrupt: the file CRC-32 does not match",
    [LV_FW_E_IMG_CODE_RANGE] = "an image memory code is out of range: a coupling or bias code outside its BJ / Bb "
                               "bits, or an exponent outside -16..47 (dev->detail = section type)",
    [LV_FW_E_IMG_DIGITS] = "the image's DIGITS section header is invalid",
    [LV_FW_E_IMG_CHANGED] = "the image source returned different bytes in the load pass than in the check pass; "
                            "the memory was not committed (dev->detail = section type)",
    [LV_FW_E_CAPACITY] = "the image needs more units or couplings than this device instance holds "
                         "(CAP_MAX_N, CAP_MAX_M, MEM_DEPTH)",
    [LV_FW_E_ACC_WIDTH] = "the image's coupling field needs wider accumulators than this device instance has: "
                          "its bound max_u xmax sum |c| 2^(E - eJ) needs dev->detail bits, the device has "
                          "dev->cap_acc_w (CAP_ACC_W); use a wider instance, or requantize with fewer coupling "
                          "bits, a smaller exponent spread or a narrower Wx",
    [LV_FW_E_DEV_REG_READBACK] = "a load register read back differently than written (dev->detail = offset)",
    [LV_FW_E_DEV_CONFIG] = "the device refused the configuration commit (CONFIG_CRC; dev->dev_err = ERR_CODE)",
    [LV_FW_E_DEV_STREAM] = "the device's LOAD_COUNT / LOAD_CRC_CALC disagree with the words written: words were "
                           "lost or corrupted on the bus (dev->detail = memory id, dev->dev_err = ERR_CODE)",
    [LV_FW_E_DEV_COMMIT] = "the device refused a memory commit (LOAD_CRC), or LOAD_STATE does not show it "
                           "(dev->detail = memory id, dev->dev_err = ERR_CODE)",
    [LV_FW_E_DEV_MEM_READBACK] = "a device memory read back differently than written (dev->detail = memory id)",
    [LV_FW_E_DEV_ERROR] = "the device raised STATUS.ERROR (dev->dev_err = ERR_CODE)",
    [LV_FW_E_NOT_LOADED] = "no complete image is loaded (STATUS.IMAGE_VALID = 0): an interrupted or refused load "
                           "must be redone before a run",
    [LV_FW_E_NO_DONE] = "a run ended (BUSY = 0) without STATUS.DONE",
    [LV_FW_E_TIMEOUT] = "the run did not end within dev->max_polls STATUS polls",
    [LV_FW_E_WAIT_ABORTED] = "the HAL's wait hook aborted the wait for the run",
    [LV_FW_E_TICKS] = "the ticks asked for pass the 32-bit tick counter",
    [LV_FW_E_BUF_SMALL] = "the caller's buffer is smaller than the device's units",
};

const char *lv_fw_strerror(lv_fw_result r)
{
    if ((unsigned)r >= (unsigned)LV_FW_RESULT_COUNT || !messages[r]) return "unknown result code";
    return messages[r];
}

const char *lv_fw_dev_err_name(uint32_t code)
{
    switch (code) {
    case LV_REG_ERR_CODE_CODE_NONE: return "NONE";
    case LV_REG_ERR_CODE_CODE_NOT_LOADED: return "NOT_LOADED";
    case LV_REG_ERR_CODE_CODE_CONFIG_RANGE: return "CONFIG_RANGE";
    case LV_REG_ERR_CODE_CODE_CONFIG_CRC: return "CONFIG_CRC";
    case LV_REG_ERR_CODE_CODE_LOAD_NO_CONFIG: return "LOAD_NO_CONFIG";
    case LV_REG_ERR_CODE_CODE_LOAD_COUNT: return "LOAD_COUNT";
    case LV_REG_ERR_CODE_CODE_LOAD_CRC: return "LOAD_CRC";
    case LV_REG_ERR_CODE_CODE_MEM_RANGE: return "MEM_RANGE";
    case LV_REG_ERR_CODE_CODE_BUSY: return "BUSY";
    case LV_REG_ERR_CODE_CODE_IMAGE_RANGE: return "IMAGE_RANGE";
    default: return "unknown";
    }
}

/* ---- CRC-32 (zlib's: reflected 0xEDB88320, init and final XOR ~0) --------------- */

static const uint32_t crc_nibble[16] = {
    0x00000000u, 0x1db71064u, 0x3b6e20c8u, 0x26d930acu, 0x76dc4190u, 0x6b6b51f4u, 0x4db26158u, 0x5005713cu,
    0xedb88320u, 0xf00f9344u, 0xd6d6a3e8u, 0xcb61b38cu, 0x9b64c2b0u, 0x86d3d2d4u, 0xa00ae278u, 0xbdbdf21cu,
};

uint32_t lv_fw_crc32_update(uint32_t crc, const uint8_t *p, size_t n)
{
    uint32_t c = ~crc;
    for (size_t i = 0; i < n; ++i) {
        c ^= p[i];
        c = (c >> 4) ^ crc_nibble[c & 15u];
        c = (c >> 4) ^ crc_nibble[c & 15u];
    }
    return ~c;
}

uint32_t lv_fw_crc32_word(uint32_t crc, uint32_t w)
{
    uint8_t b[4];
    b[0] = (uint8_t)w;
    b[1] = (uint8_t)(w >> 8);
    b[2] = (uint8_t)(w >> 16);
    b[3] = (uint8_t)(w >> 24);
    return lv_fw_crc32_update(crc, b, 4);
}

/* ---- little helpers ------------------------------------------------------------ */

static uint32_t le16(const uint8_t *p) { return (uint32_t)p[0] | (uint32_t)p[1] << 8; }
static uint32_t le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}
static uint64_t le64(const uint8_t *p) { return (uint64_t)le32(p) | (uint64_t)le32(p + 4) << 32; }
static int32_t s32(uint32_t w) { return (w & 0x80000000u) ? -(int32_t)(~w) - 1 : (int32_t)w; }
/* Sign-extend the low `bits` bits of w to 32 bits. */
static uint32_t sext(uint32_t w, unsigned bits)
{
    uint32_t m = 1u << (bits - 1);
    w &= (m << 1) - 1u;
    return (w ^ m) - m;
}
/* 64-bit shifts by a variable amount from 32-bit halves (a 32-bit core would
 * otherwise call libgcc's __lshrdi3 / __ashldi3). */
static uint64_t shr64(uint64_t x, unsigned s)
{
    uint32_t hi = (uint32_t)(x >> 32), lo = (uint32_t)x;
    if (s >= 64) return 0;
    if (s >= 32) {
        lo = hi >> (s - 32);
        hi = 0;
    } else if (s) {
        lo = (lo >> s) | (hi << (32 - s));
        hi >>= s;
    }
    return (uint64_t)hi << 32 | lo;
}
static uint64_t shl64(uint64_t x, unsigned s)
{
    uint32_t hi = (uint32_t)(x >> 32), lo = (uint32_t)x;
    if (s >= 64) return 0;
    if (s >= 32) {
        hi = lo << (s - 32);
        lo = 0;
    } else if (s) {
        hi = (hi << s) | (lo >> (32 - s));
        lo <<= s;
    }
    return (uint64_t)hi << 32 | lo;
}
static uint32_t align8(uint32_t x) { return (x + 7u) & ~7u; }

static lv_fw_result fail(lv_fw_dev *dev, lv_fw_result r, uint32_t detail)
{
    dev->detail = detail;
    return r;
}

/* Record ERR_CODE and return r. */
static lv_fw_result dev_fail(lv_fw_dev *dev, lv_fw_result r, uint32_t detail)
{
    dev->dev_err = ERR_OF_DEVICE();
    dev->detail = detail;
    return r;
}

static int dev_error_raised(lv_fw_dev *dev) { return (RD(STATUS) & LV_REG_STATUS_ERROR_MASK) != 0; }

/* ---- init / probe ----------------------------------------------------------- */

lv_fw_result lv_fw_init(lv_fw_dev *dev, const lv_fw_hal *hal)
{
    if (!dev || !hal || !hal->read32 || !hal->write32) return LV_FW_E_BAD_ARG;
    dev->hal.read32 = hal->read32; /* field by field: no memcpy in freestanding code */
    dev->hal.write32 = hal->write32;
    dev->hal.wait = hal->wait;
    dev->hal.ctx = hal->ctx;
    dev->max_polls = 0;
    dev->probed = 0;
    dev->version = dev->cap_max_n = dev->cap_max_m = dev->cap_acc_w = 0;
    dev->nv = dev->nh = dev->ticks_eq = dev->ticks_run = 0;
    dev->colour_a = 0;
    dev->dev_err = dev->detail = 0;
    return LV_FW_OK;
}

lv_fw_result lv_fw_probe(lv_fw_dev *dev)
{
    if (!dev || !dev->hal.read32) return LV_FW_E_BAD_ARG;
    dev->probed = 0;
    uint32_t id = RD(ID);
    if (id != LV_REG_ID_MAGIC_RESVAL) return fail(dev, LV_FW_E_NO_DEVICE, id);
    uint32_t v = RD(VERSION);
    if (LV_FIELD_GET(v, VERSION, MAJOR) != LV_REG_VERSION_MAJOR_RESVAL) return fail(dev, LV_FW_E_REG_VERSION, v);
    dev->version = v;
    dev->cap_max_n = RD(CAP_MAX_N);
    dev->cap_max_m = RD(CAP_MAX_M);
    dev->cap_acc_w = LV_FIELD_GET(v, VERSION, MINOR) >= MINOR_CAP_ACC_W ? LV_FIELD_GET(RD(CAP_ACC_W), CAP_ACC_W, VALUE)
                                                                        : ACC_W_DEFAULT;
    dev->probed = 1;
    return LV_FW_OK;
}

/* ---- image sources -------------------------------------------------------------- */

static int membuf_read(void *ctx, uint32_t offset, uint8_t *buf, uint32_t len)
{
    const lv_fw_membuf *m = (const lv_fw_membuf *)ctx;
    if (offset > m->len || len > m->len - offset) return -1;
    for (uint32_t i = 0; i < len; ++i) buf[i] = m->data[offset + i];
    return 0;
}

void lv_fw_src_buffer(lv_fw_image_src *src, lv_fw_membuf *mem, const void *data, size_t len)
{
    mem->data = (const uint8_t *)data;
    mem->len = len;
    src->read = membuf_read;
    src->ctx = mem;
    src->size = len > 0xffffffffu ? 0xffffffffu : (uint32_t)len;
    src->allow_trailing = 0;
}

static lv_fw_result src_read(const lv_fw_image_src *s, uint32_t off, uint8_t *buf, uint32_t len)
{
    if (off > s->size || len > s->size - off) return LV_FW_E_IMG_TRUNCATED;
    return s->read(s->ctx, off, buf, len) ? LV_FW_E_IMG_READ : LV_FW_OK;
}

/* ---- pass 1: verify the image ---------------------------------------------------- */

/* Physical parameter stored as f64 bits: finite, >= 0 (> 0 when positive). */
static int phys_bad(uint64_t b, int positive)
{
    uint32_t exp = (uint32_t)(b >> 52) & 0x7ffu;
    uint64_t mag = b & 0x7fffffffffffffffull;
    if (exp == 0x7ffu) return 1;            /* inf or NaN */
    if ((b >> 63) && mag != 0) return 1;    /* negative */
    if (positive && mag == 0) return 1;
    return 0;
}

/* |code - X * 2^16| <= 1 for a finite X >= 0 given as f64 bits, in integers. */
static int q16_mismatch(int32_t code, uint64_t b)
{
    uint32_t exp = (uint32_t)(b >> 52) & 0x7ffu;
    uint64_t mant = b & 0x000fffffffffffffull;
    int sh; /* X * 2^16 = mant * 2^sh */
    if (exp == 0) {
        sh = -1074 + 16;
    } else {
        mant |= 1ull << 52;
        sh = (int)exp - 1075 + 16;
    }
    if (mant == 0) return code > 1;
    if (sh >= 0) return 1; /* >= 2^52: no int32 code is within 1 */
    int64_t fl;
    int frac;
    if (-sh >= 64) {
        fl = 0;
        frac = 1;
    } else {
        uint64_t q = shr64(mant, (unsigned)(-sh));
        fl = (int64_t)q;
        frac = shl64(q, (unsigned)(-sh)) != mant;
    }
    int64_t c = code;
    if (fl < c - 1) return 1;                              /* X*2^16 < code - 1 */
    if (fl > c + 1 || (fl == c + 1 && frac)) return 1;     /* X*2^16 > code + 1 */
    return 0;
}

/* colour_c = round(sqrt(2^30 - a^2)), checked as (2c-1)^2 <= 4S < (2c+1)^2. */
static int colour_c_bad(uint32_t a, uint32_t c)
{
    uint64_t s4 = ((1ull << 30) - (uint64_t)a * a) * 4u;
    uint64_t lo = (uint64_t)(2u * c - 1u) * (2u * c - 1u), hi = (uint64_t)(2u * c + 1u) * (2u * c + 1u);
    return c == 0 || lo > s4 || s4 >= hi;
}

typedef struct {
    uint32_t type, off, len, crc;
} sec_ent;

/* Content check of one chunk of a memory section; returns 1 on a bad code. */
static int codes_bad(uint32_t type, const uint8_t *p, uint32_t n, uint32_t bj, uint32_t bb)
{
    uint32_t i;
    switch (type) {
    case 1: {
        int32_t cmax = (int32_t)((1u << (bj - 1)) - 1u);
        for (i = 0; i + 2 <= n; i += 2) {
            int32_t c = (int32_t)(le16(p + i) ^ 0x8000u) - 0x8000;
            if (c < -cmax || c > cmax) return 1;
        }
        return 0;
    }
    case 2:
    case 4:
        for (i = 0; i < n; ++i) {
            int32_t e = (int32_t)(p[i] ^ 0x80u) - 0x80;
            if (e < EXP_MIN || e > EXP_MAX) return 1;
        }
        return 0;
    case 3: {
        int32_t bmax = (int32_t)((1u << (bb - 1)) - 1u);
        for (i = 0; i + 4 <= n; i += 4) {
            int32_t c = s32(le32(p + i));
            if (c < -bmax || c > bmax) return 1;
        }
        return 0;
    }
    default: return 0;
    }
}

/* ---- the coupling field's accumulator bound (docs/fixed-point.md §4, §10) ------------ */

/* Unsigned 128-bit as two halves (C99, a 32-bit core: no __int128). */
typedef struct {
    uint64_t lo, hi;
} u128w;

/* a += v 2^sh, sh <= 63. */
static void u128_add_shl(u128w *a, uint32_t v, unsigned sh)
{
    const uint64_t lo = shl64(v, sh), hi = sh ? shr64(v, 64u - sh) : 0u;
    const uint64_t s = a->lo + lo;
    a->hi += hi + (s < lo);
    a->lo = s;
}

static unsigned bitlen32(uint32_t x)
{
    unsigned n = 0;
    for (; x; x >>= 1) ++n;
    return n;
}

/* Stored row r of the §3 order (as emu/src/coupling_network.c's row_geom):
 * unit i, column units j0 .. j0 + cnt - 1, its first coupling at index off. */
static void row_geom(uint32_t nv, uint32_t nh, uint32_t r, uint32_t *i, uint32_t *j0, uint32_t *cnt, uint32_t *off)
{
    const uint32_t n = nv + nh, hh0 = nv * nh, vv0 = hh0 + nh * (nh - (nh ? 1u : 0u)) / 2u;
    if (r < nv) { /* visible-hidden */
        *i = r;
        *j0 = nv;
        *cnt = nh;
        *off = r * nh;
    } else if (r < n) { /* hidden-hidden, strict upper triangle */
        const uint32_t h = r - nv;
        *i = r;
        *j0 = r + 1u;
        *cnt = nh - h - 1u;
        *off = hh0 + h * (nh - 1u) - h * (h - (h ? 1u : 0u)) / 2u;
    } else { /* visible-visible */
        const uint32_t v = r - n;
        *i = v;
        *j0 = v + 1u;
        *cnt = nv - v - 1u;
        *off = vv0 + v * (nv - 1u) - v * (v - (v ? 1u : 0u)) / 2u;
    }
}

static uint32_t code_abs(const uint8_t *p)
{
    const int32_t c = (int32_t)(le16(p) ^ 0x8000u) - 0x8000;
    return (uint32_t)(c < 0 ? -c : c);
}

static int32_t exp_of(uint8_t b) { return (int32_t)(b ^ 0x80u) - 0x80; }

/* The bits of lv_fw_image_acc_bits from the verified sections: couplings at
 * c_off (2 bytes each), row exponents at e_off (1 byte each).  The row sums
 * are emu's: |c| 2^(E - eJ[r]) added for both units of every coupling, in
 * 128 bits; no heap, so unit u's sum is gathered from its own stored rows
 * (row u, and row N + u for a visible unit with the visible-visible block)
 * and from one code of each row it is a column of (rows 0 .. u-1 for a
 * hidden unit, N .. N+u-1 for a visible one with that block). */
static lv_fw_result acc_bits_of(const lv_fw_image_src *src, uint32_t nv, uint32_t nh, uint32_t vv, uint32_t wx,
                                uint32_t c_off, uint32_t e_off, uint32_t *bits)
{
    const uint32_t n = nv + nh, rows = n + (vv ? nv : 0u);
    uint8_t buf[CHUNK];
    lv_fw_result r;
    uint32_t i, j0, cnt, off;

    /* E: the largest exponent of a row that holds a coupling. */
    int32_t e_max = EXP_MIN;
    int any = 0;
    for (uint32_t r0 = 0; r0 < rows; r0 += CHUNK) {
        const uint32_t k_n = rows - r0 < CHUNK ? rows - r0 : CHUNK;
        if ((r = src_read(src, e_off + r0, buf, k_n)) != LV_FW_OK) return r;
        for (uint32_t k = 0; k < k_n; ++k) {
            row_geom(nv, nh, r0 + k, &i, &j0, &cnt, &off);
            if (cnt > 0 && (!any || exp_of(buf[k]) > e_max)) {
                e_max = exp_of(buf[k]);
                any = 1;
            }
        }
    }

    u128w rmax = {0, 0};
    for (uint32_t u = 0; u < n; ++u) {
        u128w sum = {0, 0};
        /* Its own stored rows: |c| summed in 32 bits (< 2^27), shifted once. */
        for (uint32_t own = 0; own < 2; ++own) {
            if (own && (!vv || u >= nv)) break;
            const uint32_t row = own ? n + u : u;
            row_geom(nv, nh, row, &i, &j0, &cnt, &off);
            if (cnt == 0) continue;
            if ((r = src_read(src, e_off + row, buf, 1)) != LV_FW_OK) return r;
            const unsigned sh = (unsigned)(e_max - exp_of(buf[0]));
            uint32_t s = 0;
            for (uint32_t done = 0; done < cnt;) {
                const uint32_t k_n = cnt - done < CHUNK / 2u ? cnt - done : CHUNK / 2u;
                if ((r = src_read(src, c_off + 2u * (off + done), buf, 2u * k_n)) != LV_FW_OK) return r;
                for (uint32_t k = 0; k < k_n; ++k) s += code_abs(buf + 2u * k);
                done += k_n;
            }
            u128_add_shl(&sum, s, sh);
        }
        /* The rows it is a column of (exponents read CHUNK rows at a time). */
        const uint32_t ra = u >= nv ? 0u : n, rb = u >= nv ? u : vv ? n + u : n;
        uint8_t ex[CHUNK];
        uint32_t ebase = 0, elen = 0;
        for (uint32_t row = ra; row < rb; ++row) {
            if (row >= ebase + elen) {
                ebase = row;
                elen = rb - row < CHUNK ? rb - row : CHUNK;
                if ((r = src_read(src, e_off + row, ex, elen)) != LV_FW_OK) return r;
            }
            row_geom(nv, nh, row, &i, &j0, &cnt, &off);
            if ((r = src_read(src, c_off + 2u * (off + (u - j0)), buf, 2)) != LV_FW_OK) return r;
            u128_add_shl(&sum, code_abs(buf), (unsigned)(e_max - exp_of(ex[row - ebase])));
        }
        if (sum.hi > rmax.hi || (sum.hi == rmax.hi && sum.lo > rmax.lo)) rmax = sum;
    }

    /* xmax rmax in 32-bit limbs (rmax < 2^92, xmax < 2^31), then its length. */
    const uint32_t xmax = (1u << (wx - 1u)) - 1u;
    const uint32_t limb[4] = {(uint32_t)rmax.lo, (uint32_t)(rmax.lo >> 32), (uint32_t)rmax.hi,
                              (uint32_t)(rmax.hi >> 32)};
    uint32_t prod[5];
    uint64_t carry = 0;
    for (uint32_t k = 0; k < 4; ++k) {
        const uint64_t p = (uint64_t)limb[k] * xmax + carry;
        prod[k] = (uint32_t)p;
        carry = p >> 32;
    }
    prod[4] = (uint32_t)carry;
    unsigned len = 0;
    for (uint32_t k = 5; k-- > 0;)
        if (prod[k]) {
            len = 32u * k + bitlen32(prod[k]);
            break;
        }
    *bits = len + 1u; /* two's complement: |acc| < 2^len needs len + 1 bits */
    return LV_FW_OK;
}

lv_fw_result lv_fw_image_acc_bits(const lv_fw_image_src *src, const lv_fw_image_info *info, uint32_t *bits)
{
    if (!src || !src->read || !info || !bits) return LV_FW_E_BAD_ARG;
    const uint32_t nv = info->nv, nh = info->nh, vv = info->vv ? 1u : 0u;
    const uint32_t wx = LV_FIELD_GET(info->cfg[1], CFG_FMT_X, WX);
    /* Only what lv_fw_image_check can have produced. */
    if (nv < 1 || nv > LV_PARAM_MAX_N || nh > LV_PARAM_MAX_N - nv || wx < 8 || wx > 32)
        return LV_FW_E_BAD_ARG;
    const uint32_t m = nv * nh + (nh * (nh - (nh ? 1u : 0u))) / 2u + (vv ? nv * (nv - 1u) / 2u : 0u);
    if (info->m != m || info->n_rows != nv + nh + (vv ? nv : 0u) || info->sec_len[0] != 2u * m ||
        info->sec_len[1] != info->n_rows)
        return LV_FW_E_BAD_ARG;
    return acc_bits_of(src, nv, nh, vv, wx, info->sec_off[0], info->sec_off[1], bits);
}

lv_fw_result lv_fw_image_check(lv_fw_dev *dev, const lv_fw_image_src *src, lv_fw_image_info *info)
{
    uint8_t h[HEAD_MAX];
    uint8_t buf[CHUNK];
    sec_ent sec[MAX_SECTIONS];
    lv_fw_result r;
    uint32_t i;

    if (!dev || !src || !src->read) return LV_FW_E_BAD_ARG;
    dev->dev_err = dev->detail = 0;

    /* Magic, version, sizes. */
    uint32_t n0 = src->size < HDR_BYTES ? src->size : HDR_BYTES;
    if (n0 < 8) return LV_FW_E_IMG_TRUNCATED;
    if ((r = src_read(src, 0, h, n0)) != LV_FW_OK) return r;
    {
        static const uint8_t magic[8] = {'L', 'V', 'D', 'E', 'V', 'I', 'M', 'G'};
        for (i = 0; i < 8; ++i)
            if (h[i] != magic[i]) return LV_FW_E_IMG_MAGIC;
    }
    if (n0 < 12) return LV_FW_E_IMG_TRUNCATED;
    if (le32(h + 8) != IMG_VERSION) return fail(dev, LV_FW_E_IMG_VERSION, le32(h + 8));
    if (n0 < HDR_BYTES) return LV_FW_E_IMG_TRUNCATED;
    const uint32_t ns = le32(h + 24), head = le32(h + 12);
    if (ns < MIN_SECTIONS || ns > MAX_SECTIONS || head != HDR_BYTES + SEC_ENTRY * ns + 4u)
        return fail(dev, LV_FW_E_IMG_HEADER, 24);
    const uint64_t fb64 = le64(h + 16);
    if (fb64 > src->size) return LV_FW_E_IMG_TRUNCATED;
    if (fb64 < src->size && !src->allow_trailing) return LV_FW_E_IMG_TRAILING;
    const uint32_t fb = (uint32_t)fb64;
    if (fb < head + 4u) return LV_FW_E_IMG_TRUNCATED;
    if ((r = src_read(src, 0, h, head)) != LV_FW_OK) return r;
    if (lv_fw_crc32_update(0, h, head - 4u) != le32(h + head - 4u)) return LV_FW_E_IMG_HEAD_CRC;
    const uint32_t flags = le32(h + 28);
    if (flags & ~1u) return fail(dev, LV_FW_E_IMG_HEADER, 28);
    if (h[59] != 0) return fail(dev, LV_FW_E_IMG_HEADER, 59);
    if (le32(h + 92) != 0) return fail(dev, LV_FW_E_IMG_HEADER, 92);
    if (le64(h + 152) != 0) return fail(dev, LV_FW_E_IMG_HEADER, 152);

    /* Section table. */
    uint32_t expect = align8(head);
    for (i = 0; i < ns; ++i) {
        const uint8_t *e = h + HDR_BYTES + SEC_ENTRY * i;
        if (le32(e + 4) != 0 || le32(e + 28) != 0) return fail(dev, LV_FW_E_IMG_HEADER, HDR_BYTES + SEC_ENTRY * i);
        uint32_t t = le32(e);
        uint64_t off = le64(e + 8), len = le64(e + 16);
        if (t < 1 || t > SEC_METADATA || (i > 0 && t <= sec[i - 1].type) || (i < 4 && t != i + 1))
            return fail(dev, LV_FW_E_IMG_LAYOUT, i);
        if (off != expect || len > fb || off + len > fb) return fail(dev, LV_FW_E_IMG_LAYOUT, i);
        sec[i].type = t;
        sec[i].off = (uint32_t)off;
        sec[i].len = (uint32_t)len;
        sec[i].crc = le32(e + 24);
        expect = align8(sec[i].off + sec[i].len);
    }
    if (expect > fb - 4u || fb - 4u != expect) return fail(dev, LV_FW_E_IMG_LAYOUT, ns);

    /* Dimensions. */
    const uint32_t nv = le32(h + 32), nh = le32(h + 36), vv = flags & 1u;
    if (nv < 1 || nv > LV_PARAM_MAX_N || nh > LV_PARAM_MAX_N || nv + nh > LV_PARAM_MAX_N)
        return fail(dev, LV_FW_E_IMG_DIMS, 32);
    const uint32_t m = nv * nh + (nh * (nh - (nh ? 1u : 0u))) / 2u + (vv ? nv * (nv - 1u) / 2u : 0u);
    const uint32_t rows = nv + nh + (vv ? nv : 0u);
    if (le64(h + 40) != m || m == 0 || m > LV_PARAM_MAX_M) return fail(dev, LV_FW_E_IMG_DIMS, 40);
    if (le32(h + 48) != rows) return fail(dev, LV_FW_E_IMG_DIMS, 48);
    const uint32_t want_len[4] = {2u * m, rows, 4u * (nv + nh), 2u};
    for (i = 0; i < 4; ++i)
        if (sec[i].len != want_len[i]) return fail(dev, LV_FW_E_IMG_SECTION_SIZE, i + 1);
    for (i = 4; i < ns; ++i) {
        if (sec[i].type == SEC_METADATA && sec[i].len > MAX_META_BYTES)
            return fail(dev, LV_FW_E_IMG_SECTION_SIZE, SEC_METADATA);
        if (sec[i].type == SEC_DIGITS && sec[i].len < 16u) return fail(dev, LV_FW_E_IMG_SECTION_SIZE, SEC_DIGITS);
    }

    /* Formats and parameter codes (docs/fixed-point.md §2). */
    const uint32_t wx = h[52], fx = h[53], bj = h[54], bb = h[55], wf = h[56], ff = h[57], bn = h[58];
    const uint32_t j2 = le32(h + 60), j4 = le32(h + 64), k = le32(h + 68), gain = le32(h + 72);
    const uint32_t offset = le32(h + 76), ca = le16(h + 80), cc = le16(h + 82);
    if (wx < 8 || wx > 32 || fx < 4 || fx > wx - 2 || bj < 2 || bj > 16 || bb < 2 || bb > 24 || wf < 16 ||
        wf > 40 || ff < 4 || ff > wf - 2 || bn < 2 || bn > 14)
        return fail(dev, LV_FW_E_IMG_FORMAT, 52);
    if ((j2 & 0x80000000u) || (j4 & 0x80000000u) || k < 1 || (k & 0x80000000u) || offset == 0x80000000u ||
        ca > 32767u || colour_c_bad(ca, cc))
        return fail(dev, LV_FW_E_IMG_FORMAT, 60);

    /* Physical parameters: finite, >= 0 (mu, dt > 0); j2, j4 encode J2, J4. */
    for (i = 0; i < 7; ++i) {
        uint32_t at = 96u + 8u * i;
        if (phys_bad(le64(h + at), at == 120 || at == 128)) return fail(dev, LV_FW_E_IMG_PHYSICS, at);
    }
    if (q16_mismatch((int32_t)j2, le64(h + 96))) return fail(dev, LV_FW_E_IMG_PHYSICS, 60);
    if (q16_mismatch((int32_t)j4, le64(h + 104))) return fail(dev, LV_FW_E_IMG_PHYSICS, 64);

    /* Capacity of the probed device. */
    if (dev->probed && (nv + nh > dev->cap_max_n || m > dev->cap_max_m)) return LV_FW_E_CAPACITY;

    /* Stream the rest: section CRCs, padding, codes, file CRC. */
    uint32_t fcrc = lv_fw_crc32_update(0, h, head);
    uint32_t pos = head;
    int bad_sec = 0, bad_pad = 0, bad_code = 0, bad_digits = 0;
    uint32_t bad_sec_type = 0, bad_code_type = 0;
    for (i = 0; i <= ns; ++i) {
        uint32_t pad_end = i < ns ? sec[i].off : fb - 4u;
        while (pos < pad_end) { /* padding: < 8 bytes */
            uint32_t n = pad_end - pos;
            if ((r = src_read(src, pos, buf, n)) != LV_FW_OK) return r;
            for (uint32_t j = 0; j < n; ++j)
                if (buf[j]) bad_pad = 1;
            fcrc = lv_fw_crc32_update(fcrc, buf, n);
            pos += n;
        }
        if (i == ns) break;
        uint32_t scrc = 0;
        for (uint32_t done = 0; done < sec[i].len;) {
            uint32_t n = sec[i].len - done < CHUNK ? sec[i].len - done : CHUNK;
            if ((r = src_read(src, pos, buf, n)) != LV_FW_OK) return r;
            scrc = lv_fw_crc32_update(scrc, buf, n);
            fcrc = lv_fw_crc32_update(fcrc, buf, n);
            if (!bad_code && codes_bad(sec[i].type, buf, n, bj, bb)) {
                bad_code = 1;
                bad_code_type = sec[i].type;
            }
            if (sec[i].type == SEC_DIGITS && done == 0) {
                uint32_t nd = le32(buf), dr = le32(buf + 4), dc = le32(buf + 8);
                uint64_t want = 16u + (uint64_t)nd * (nv + 1u);
                if (nd < 1 || nd > MAX_DIGITS || (uint64_t)dr * dc != nv || le32(buf + 12) != 0 ||
                    want != sec[i].len)
                    bad_digits = 1;
            }
            done += n;
            pos += n;
        }
        if (scrc != sec[i].crc && !bad_sec) {
            bad_sec = 1;
            bad_sec_type = sec[i].type;
        }
    }
    if ((r = src_read(src, fb - 4u, buf, 4)) != LV_FW_OK) return r;
    if (bad_sec) return fail(dev, LV_FW_E_IMG_SECTION_CRC, bad_sec_type);
    if (bad_pad) return LV_FW_E_IMG_PADDING;
    if (fcrc != le32(buf)) return LV_FW_E_IMG_FILE_CRC;
    if (bad_digits) return fail(dev, LV_FW_E_IMG_DIGITS, SEC_DIGITS);
    if (bad_code) return fail(dev, LV_FW_E_IMG_CODE_RANGE, bad_code_type);

    /* The coupling field's bound against the device's accumulators. */
    uint32_t abits = 0;
    if (dev->probed || info) {
        if ((r = acc_bits_of(src, nv, nh, vv, wx, sec[0].off, sec[1].off, &abits)) != LV_FW_OK) return r;
        if (dev->probed && abits > dev->cap_acc_w) return fail(dev, LV_FW_E_ACC_WIDTH, abits);
    }

    if (info) {
        info->file_bytes = fb;
        info->n_sections = ns;
        info->nv = nv;
        info->nh = nh;
        info->vv = vv;
        info->m = m;
        info->n_rows = rows;
        info->cfg[0] = LV_FIELD_PREP(CFG_DIMS, NV, nv) | LV_FIELD_PREP(CFG_DIMS, NH, nh) |
                       LV_FIELD_PREP(CFG_DIMS, VV, vv);
        info->cfg[1] = LV_FIELD_PREP(CFG_FMT_X, WX, wx) | LV_FIELD_PREP(CFG_FMT_X, FX, fx) |
                       LV_FIELD_PREP(CFG_FMT_X, WF, wf) | LV_FIELD_PREP(CFG_FMT_X, FF, ff);
        info->cfg[2] = LV_FIELD_PREP(CFG_FMT_C, BJ, bj) | LV_FIELD_PREP(CFG_FMT_C, BB, bb) |
                       LV_FIELD_PREP(CFG_FMT_C, BN, bn);
        info->cfg[3] = LV_FIELD_PREP(J2, VALUE, j2);
        info->cfg[4] = LV_FIELD_PREP(J4, VALUE, j4);
        info->cfg[5] = LV_FIELD_PREP(K, VALUE, k);
        info->cfg[6] = LV_FIELD_PREP(GAIN, VALUE, gain);
        info->cfg[7] = LV_FIELD_PREP(OFFSET, VALUE, offset);
        info->cfg[8] = LV_FIELD_PREP(COLOUR_A, A, ca);
        info->cfg[9] = LV_FIELD_PREP(COLOUR_C, C, cc);
        info->ticks_eq = le32(h + 84);
        info->ticks_run = le32(h + 88);
        for (i = 0; i < 4; ++i) {
            info->sec_off[i] = sec[i].off;
            info->sec_len[i] = sec[i].len;
            info->sec_crc[i] = sec[i].crc;
        }
        info->acc_bits = abits;
    }
    return LV_FW_OK;
}

/* ---- pass 2: load through the registers --------------------------------------------- */

#define CFG_OFF(R) LV_REG_##R##_OFFSET,
static const uint32_t cfg_off[10] = {LV_CONFIG_CRC_LIST(CFG_OFF)};
#undef CFG_OFF

/* Stream section k (0..3: COUPLINGS, ROW_EXP, BIAS, BIAS_EXP) into its memory. */
static lv_fw_result load_memory(lv_fw_dev *dev, const lv_fw_image_src *src, const lv_fw_image_info *info,
                                uint32_t k)
{
    static const uint32_t ids[4] = {LV_MEM_COUPLINGS_ID, LV_MEM_ROW_EXP_ID, LV_MEM_BIAS_ID, LV_MEM_BIAS_EXP_ID};
    static const uint32_t bits[4] = {LV_REG_LOAD_STATE_COUPLINGS_MASK, LV_REG_LOAD_STATE_ROW_EXP_MASK,
                                     LV_REG_LOAD_STATE_BIAS_MASK, LV_REG_LOAD_STATE_BIAS_EXP_MASK};
    static const uint32_t esize[4] = {2, 1, 4, 1};
    const uint32_t id = ids[k], es = esize[k], words = info->sec_len[k] / es;
    uint8_t buf[CHUNK];
    lv_fw_result r;

    WR(MEM_SEL, LV_FIELD_PREP(MEM_SEL, ID, id));
    if (words > RD(MEM_DEPTH)) return fail(dev, LV_FW_E_CAPACITY, id);
    WR(MEM_ADDR, 0);
    uint32_t scrc = 0, wcrc = 0;
    for (uint32_t done = 0; done < info->sec_len[k];) {
        uint32_t n = info->sec_len[k] - done < CHUNK ? info->sec_len[k] - done : CHUNK;
        if ((r = src_read(src, info->sec_off[k] + done, buf, n)) != LV_FW_OK) return fail(dev, r, id);
        scrc = lv_fw_crc32_update(scrc, buf, n);
        for (uint32_t j = 0; j < n; j += es) {
            uint32_t w = es == 1 ? sext(buf[j], 8) : es == 2 ? sext(le16(buf + j), 16) : le32(buf + j);
            WR(MEM_WDATA, w);
            wcrc = lv_fw_crc32_word(wcrc, w);
        }
        done += n;
    }
    /* The bytes must be the ones pass 1 verified: otherwise never commit. */
    if (scrc != info->sec_crc[k]) return fail(dev, LV_FW_E_IMG_CHANGED, k + 1);
    if (dev_error_raised(dev)) return dev_fail(dev, LV_FW_E_DEV_STREAM, id);
    if (RD(LOAD_COUNT) != words || RD(LOAD_CRC_CALC) != wcrc) return fail(dev, LV_FW_E_DEV_STREAM, id);
    WR(LOAD_CRC, wcrc);
    if (dev_error_raised(dev)) return dev_fail(dev, LV_FW_E_DEV_COMMIT, id);
    if (!(RD(LOAD_STATE) & bits[k])) return fail(dev, LV_FW_E_DEV_COMMIT, id);
    /* Read back (MEM_ADDR = 0 restarts the stream counters, not the commit). */
    WR(MEM_ADDR, 0);
    uint32_t rcrc = 0;
    for (uint32_t j = 0; j < words; ++j) rcrc = lv_fw_crc32_word(rcrc, RD(MEM_RDATA));
    if (rcrc != wcrc) return fail(dev, LV_FW_E_DEV_MEM_READBACK, id);
    if (dev_error_raised(dev)) return dev_fail(dev, LV_FW_E_DEV_ERROR, id);
    return LV_FW_OK;
}

/* Commit CONFIG_CRC over the ten load registers as they read back. */
static lv_fw_result commit_config(lv_fw_dev *dev)
{
    uint32_t crc = 0;
    for (uint32_t i = 0; i < 10; ++i) crc = lv_fw_crc32_word(crc, dev->hal.read32(dev->hal.ctx, cfg_off[i]));
    WR(CONFIG_CRC, crc);
    if (dev_error_raised(dev)) return dev_fail(dev, LV_FW_E_DEV_CONFIG, 0);
    if (!(RD(LOAD_STATE) & LV_REG_LOAD_STATE_CONFIG_MASK)) return fail(dev, LV_FW_E_DEV_CONFIG, 0);
    return LV_FW_OK;
}

lv_fw_result lv_fw_load(lv_fw_dev *dev, const lv_fw_image_src *src)
{
    lv_fw_image_info info;
    lv_fw_result r;
    uint32_t i;

    if (!dev || !src || !src->read) return LV_FW_E_BAD_ARG;
    if (!dev->probed) return LV_FW_E_NOT_PROBED;
    dev->nv = dev->nh = 0;
    /* Pass 1: nothing is written before the whole image is verified. */
    if ((r = lv_fw_image_check(dev, src, &info)) != LV_FW_OK) return r;
    if (RD(STATUS) & LV_REG_STATUS_BUSY_MASK) return LV_FW_E_BUSY;

    /* Pass 2. */
    WR(CTRL, LV_REG_CTRL_SOFT_RESET_MASK);
    for (i = 0; i < 10; ++i) dev->hal.write32(dev->hal.ctx, cfg_off[i], info.cfg[i]);
    for (i = 0; i < 10; ++i)
        if (dev->hal.read32(dev->hal.ctx, cfg_off[i]) != info.cfg[i])
            return fail(dev, LV_FW_E_DEV_REG_READBACK, cfg_off[i]);
    if ((r = commit_config(dev)) != LV_FW_OK) return r;
    for (i = 0; i < 4; ++i)
        if ((r = load_memory(dev, src, &info, i)) != LV_FW_OK) return r;
    if (!(RD(STATUS) & LV_REG_STATUS_IMAGE_VALID_MASK)) return fail(dev, LV_FW_E_NOT_LOADED, RD(LOAD_STATE));
    dev->nv = info.nv;
    dev->nh = info.nh;
    dev->ticks_eq = info.ticks_eq;
    dev->ticks_run = info.ticks_run;
    dev->colour_a = (uint16_t)LV_FIELD_GET(info.cfg[8], COLOUR_A, A);
    return LV_FW_OK;
}

/* ---- runs --------------------------------------------------------------------- */

static lv_fw_result ready(lv_fw_dev *dev)
{
    if (!dev) return LV_FW_E_BAD_ARG;
    if (!dev->probed) return LV_FW_E_NOT_PROBED;
    return LV_FW_OK;
}

lv_fw_result lv_fw_trim(lv_fw_dev *dev, uint32_t gain, int32_t offset)
{
    lv_fw_result r = ready(dev);
    if (r != LV_FW_OK) return r;
    if (RD(STATUS) & LV_REG_STATUS_BUSY_MASK) return LV_FW_E_BUSY;
    WR(STATUS, LV_REG_STATUS_ERROR_MASK);
    WR(GAIN, LV_FIELD_PREP(GAIN, VALUE, gain));
    WR(OFFSET, LV_FIELD_PREP(OFFSET, VALUE, (uint32_t)offset));
    if (RD(GAIN) != gain) return fail(dev, LV_FW_E_DEV_REG_READBACK, LV_REG_GAIN_OFFSET);
    if (RD(OFFSET) != (uint32_t)offset) return fail(dev, LV_FW_E_DEV_REG_READBACK, LV_REG_OFFSET_OFFSET);
    return commit_config(dev);
}

lv_fw_result lv_fw_run_start(lv_fw_dev *dev, const lv_fw_run_cfg *cfg)
{
    lv_fw_result r = ready(dev);
    if (r != LV_FW_OK) return r;
    if (!cfg) return LV_FW_E_BAD_ARG;
    uint32_t st = RD(STATUS);
    if (st & LV_REG_STATUS_BUSY_MASK) return LV_FW_E_BUSY;
    if (!(st & LV_REG_STATUS_IMAGE_VALID_MASK)) return fail(dev, LV_FW_E_NOT_LOADED, RD(LOAD_STATE));
    WR(SEED_LO, LV_FIELD_PREP(SEED_LO, VALUE, (uint32_t)cfg->seed));
    WR(SEED_HI, LV_FIELD_PREP(SEED_HI, VALUE, (uint32_t)(cfg->seed >> 32)));
    WR(TICK0, LV_FIELD_PREP(TICK0, VALUE, cfg->tick0));
    WR(TICKS, LV_FIELD_PREP(TICKS, VALUE, cfg->ticks));
    /* w1c: the DONE waited for and any ERROR seen are this run's. */
    WR(STATUS, LV_REG_STATUS_DONE_MASK | LV_REG_STATUS_ERROR_MASK);
    WR(CTRL, (cfg->couple ? LV_REG_CTRL_COUPLE_MASK : 0u) | (cfg->colour ? LV_REG_CTRL_COLOUR_EN_MASK : 0u) |
                 LV_REG_CTRL_START_MASK);
    if (dev_error_raised(dev)) return dev_fail(dev, LV_FW_E_DEV_ERROR, 0);
    return LV_FW_OK;
}

lv_fw_result lv_fw_run_poll(lv_fw_dev *dev, int *busy)
{
    lv_fw_result r = ready(dev);
    if (r != LV_FW_OK) return r;
    if (!busy) return LV_FW_E_BAD_ARG;
    uint32_t st = RD(STATUS);
    *busy = (st & LV_REG_STATUS_BUSY_MASK) != 0;
    if (st & LV_REG_STATUS_ERROR_MASK) return dev_fail(dev, LV_FW_E_DEV_ERROR, 0);
    return LV_FW_OK;
}

lv_fw_result lv_fw_run_wait(lv_fw_dev *dev)
{
    lv_fw_result r = ready(dev);
    if (r != LV_FW_OK) return r;
    uint32_t polls = 0, st;
    for (;;) {
        st = RD(STATUS);
        if (st & LV_REG_STATUS_ERROR_MASK) return dev_fail(dev, LV_FW_E_DEV_ERROR, 0);
        if (!(st & LV_REG_STATUS_BUSY_MASK)) break;
        if (dev->max_polls && ++polls >= dev->max_polls) return LV_FW_E_TIMEOUT;
        if (dev->hal.wait && dev->hal.wait(dev->hal.ctx)) return LV_FW_E_WAIT_ABORTED;
    }
    if (!(st & LV_REG_STATUS_DONE_MASK)) return LV_FW_E_NO_DONE;
    WR(STATUS, LV_REG_STATUS_DONE_MASK);
    return LV_FW_OK;
}

lv_fw_result lv_fw_run_stop(lv_fw_dev *dev)
{
    lv_fw_result r = ready(dev);
    if (r != LV_FW_OK) return r;
    WR(CTRL, (RD(CTRL) & (LV_REG_CTRL_COUPLE_MASK | LV_REG_CTRL_COLOUR_EN_MASK)) | LV_REG_CTRL_STOP_MASK);
    return LV_FW_OK;
}

static int64_t read64(lv_fw_dev *dev, uint32_t lo_off, uint32_t hi_off)
{
    uint32_t lo = dev->hal.read32(dev->hal.ctx, lo_off); /* LO first: latches HI */
    uint32_t hi = dev->hal.read32(dev->hal.ctx, hi_off);
    uint64_t u = (uint64_t)hi << 32 | lo;
    return (u & 0x8000000000000000ull) ? -(int64_t)(~u) - 1 : (int64_t)u;
}

lv_fw_result lv_fw_read_meters(lv_fw_dev *dev, lv_fw_meters *out)
{
    lv_fw_result r = ready(dev);
    if (r != LV_FW_OK) return r;
    if (!out) return LV_FW_E_BAD_ARG;
    out->v0 = read64(dev, LV_REG_V0_LO_OFFSET, LV_REG_V0_HI_OFFSET);
    out->v = read64(dev, LV_REG_V_LO_OFFSET, LV_REG_V_HI_OFFSET);
    out->q = read64(dev, LV_REG_Q_LO_OFFSET, LV_REG_Q_HI_OFFSET);
    out->tick = RD(TICK);
    out->sat_state = RD(SAT_STATE);
    out->sat_force = RD(SAT_FORCE);
    return LV_FW_OK;
}

static uint32_t units(lv_fw_dev *dev)
{
    uint32_t d = RD(CFG_DIMS);
    return LV_FIELD_GET(d, CFG_DIMS, NV) + LV_FIELD_GET(d, CFG_DIMS, NH);
}

lv_fw_result lv_fw_read_state(lv_fw_dev *dev, uint32_t first, int32_t *out, uint32_t count)
{
    lv_fw_result r = ready(dev);
    if (r != LV_FW_OK) return r;
    uint32_t n = units(dev);
    if ((!out && count) || first > n || count > n - first) return LV_FW_E_BAD_ARG;
    WR(MEM_SEL, LV_FIELD_PREP(MEM_SEL, ID, LV_MEM_STATE_ID));
    WR(MEM_ADDR, LV_FIELD_PREP(MEM_ADDR, ADDR, first));
    for (uint32_t i = 0; i < count; ++i) out[i] = s32(RD(MEM_RDATA));
    if (dev_error_raised(dev)) return dev_fail(dev, LV_FW_E_DEV_ERROR, 0);
    return LV_FW_OK;
}

lv_fw_result lv_fw_write_state(lv_fw_dev *dev, uint32_t first, const int32_t *x, uint32_t count)
{
    lv_fw_result r = ready(dev);
    if (r != LV_FW_OK) return r;
    uint32_t n = units(dev);
    if (first > n || count > n - first) return LV_FW_E_BAD_ARG;
    WR(MEM_SEL, LV_FIELD_PREP(MEM_SEL, ID, LV_MEM_STATE_ID));
    WR(MEM_ADDR, LV_FIELD_PREP(MEM_ADDR, ADDR, first));
    for (uint32_t i = 0; i < count; ++i) WR(MEM_WDATA, x ? (uint32_t)x[i] : 0u);
    if (dev_error_raised(dev)) return dev_fail(dev, LV_FW_E_DEV_ERROR, 0);
    return LV_FW_OK;
}

static uint32_t sat_add(uint32_t a, uint32_t b) { return a > 0xffffffffu - b ? 0xffffffffu : a + b; }

static lv_fw_result phase(lv_fw_dev *dev, uint64_t seed, uint32_t tick0, uint32_t ticks, int couple, int colour)
{
    lv_fw_run_cfg c;
    c.seed = seed;
    c.tick0 = tick0;
    c.ticks = ticks;
    c.couple = couple;
    c.colour = colour;
    lv_fw_result r = lv_fw_run_start(dev, &c);
    return r != LV_FW_OK ? r : lv_fw_run_wait(dev);
}

lv_fw_result lv_fw_generate(lv_fw_dev *dev, uint64_t seed, uint32_t ticks_eq, uint32_t ticks_run, int32_t *state,
                            uint32_t state_cap, lv_fw_meters *out)
{
    lv_fw_result r = ready(dev);
    if (r != LV_FW_OK) return r;
    if (!out) return LV_FW_E_BAD_ARG;
    if (ticks_eq > 0xffffffffu - ticks_run) return LV_FW_E_TICKS;
    uint32_t st = RD(STATUS);
    if (st & LV_REG_STATUS_BUSY_MASK) return LV_FW_E_BUSY;
    if (!(st & LV_REG_STATUS_IMAGE_VALID_MASK)) return fail(dev, LV_FW_E_NOT_LOADED, RD(LOAD_STATE));
    const uint32_t n = units(dev);
    if (state && state_cap < n) return LV_FW_E_BUF_SMALL;
    const int colour = RD(COLOUR_A) != 0;
    WR(STATUS, LV_REG_STATUS_ERROR_MASK);
    /* Both phases start from state 0 (STATE is not committed: optional). */
    if ((r = lv_fw_write_state(dev, 0, NULL, n)) != LV_FW_OK) return r;
    if ((r = phase(dev, seed, 0, ticks_eq, 0, colour)) != LV_FW_OK) return r;
    uint32_t sat_state = RD(SAT_STATE), sat_force = RD(SAT_FORCE);
    const uint32_t tick1 = RD(TICK);
    if ((r = phase(dev, seed, tick1, ticks_run, 1, colour)) != LV_FW_OK) return r;
    if ((r = lv_fw_read_meters(dev, out)) != LV_FW_OK) return r;
    /* Every START clears the counters: the protocol's counts are the sums
     * of both phases (docs/fixed-point.md §8 "Run boundaries"), sticky. */
    out->sat_state = sat_add(sat_state, out->sat_state);
    out->sat_force = sat_add(sat_force, out->sat_force);
    if (state) return lv_fw_read_state(dev, 0, state, n);
    return LV_FW_OK;
}
