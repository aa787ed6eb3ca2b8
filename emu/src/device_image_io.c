/* device_image_io.c - see device_image_io.h; the byte layout is
 * docs/device-image.md, and every constant below is named there. */
#include "device_image_io.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "fileio.h"

/* Doubles are stored as their IEEE-754 binary64 bit patterns. */
_Static_assert(sizeof(double) == 8 && sizeof(uint64_t) == 8, "device images need 64-bit IEEE doubles");

#define MAGIC "LVDEVIMG"
#define FIXED_BYTES 160u       /* fixed header; the section table follows */
#define ENTRY_BYTES 32u        /* one section table entry */
#define MIN_SECTIONS 4u        /* the four memories */
#define MAX_SECTIONS 6u        /* plus DIGITS and METADATA */
#define DIGITS_HEAD 16u        /* n_digits, rows, cols, reserved */
#define EXP_MIN (-16)          /* scale exponents, docs/fixed-point.md §2 */
#define EXP_MAX 47
/* Largest file the reader accepts: 16 MiB of couplings plus up to
 * LV_DEV_MAX_DIGITS reference digits of up to LV_DEV_MAX_N pixels. */
#define MAX_FILE_BYTES ((size_t)1 << 30)
#define MAX_META_BYTES ((size_t)1 << 24)

static const char *const sec_name[] = {
    [LV_DEV_SEC_COUPLINGS] = "COUPLINGS",   [LV_DEV_SEC_ROW_EXPONENTS] = "ROW_EXPONENTS",
    [LV_DEV_SEC_BIASES] = "BIASES",         [LV_DEV_SEC_BIAS_EXPONENTS] = "BIAS_EXPONENTS",
    [LV_DEV_SEC_DIGITS] = "DIGITS",         [LV_DEV_SEC_METADATA] = "METADATA",
};

/* ------------------------------------------------------------ byte helpers */

static void put_u16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)v, p[1] = (uint8_t)(v >> 8); }
static void put_u32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++) p[i] = (uint8_t)(v >> (8 * i));
}
static void put_u64(uint8_t *p, uint64_t v)
{
    for (int i = 0; i < 8; i++) p[i] = (uint8_t)(v >> (8 * i));
}
static void put_f64(uint8_t *p, double d)
{
    uint64_t u;
    memcpy(&u, &d, 8);
    put_u64(p, u);
}
static uint16_t get_u16(const uint8_t *p) { return (uint16_t)(p[0] | p[1] << 8); }
static uint32_t get_u32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}
static uint64_t get_u64(const uint8_t *p) { return (uint64_t)get_u32(p) | (uint64_t)get_u32(p + 4) << 32; }
static double get_f64(const uint8_t *p)
{
    uint64_t u = get_u64(p);
    double d;
    memcpy(&d, &u, 8);
    return d;
}

static uint64_t align8(uint64_t x) { return (x + 7) & ~(uint64_t)7; }

/* zlib's CRC-32 (IEEE 802.3, reflected 0xEDB88320, init and final XOR
 * 0xFFFFFFFF); crc32() takes a uInt length, so feed it in 1 GiB pieces. */
static uint32_t crc_of(const uint8_t *p, size_t n)
{
    uLong c = crc32(0L, Z_NULL, 0);
    while (n > 0) {
        uInt k = n > ((size_t)1 << 30) ? (uInt)1 << 30 : (uInt)n;
        c = crc32(c, p, k);
        p += k;
        n -= k;
    }
    return (uint32_t)c;
}

/* Strict UTF-8 (no overlongs, surrogates or code points past U+10FFFF).
 * Returns n if valid, else the offset of the first bad byte. */
static size_t utf8_check(const unsigned char *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        unsigned c = s[i];
        size_t len;
        unsigned lo = 0x80, hi = 0xBF;
        if (c < 0x80) {
            i++;
            continue;
        } else if (c >= 0xC2 && c <= 0xDF) {
            len = 2;
        } else if (c >= 0xE0 && c <= 0xEF) {
            len = 3;
            if (c == 0xE0) lo = 0xA0;
            if (c == 0xED) hi = 0x9F;
        } else if (c >= 0xF0 && c <= 0xF4) {
            len = 4;
            if (c == 0xF0) lo = 0x90;
            if (c == 0xF4) hi = 0x8F;
        } else {
            return i;
        }
        if (n - i < len || s[i + 1] < lo || s[i + 1] > hi) return i;
        for (size_t k = 2; k < len; k++)
            if ((s[i + k] & 0xC0) != 0x80) return i;
        i += len;
    }
    return n;
}

/* Check that text[0..n) is UTF-8 holding one JSON object; *why gets the
 * reason on failure.  cJSON stops at a NUL, so NULs are refused first. */
static int json_object_ok(const char *text, size_t n, char *why, size_t cap)
{
    if (memchr(text, '\0', n)) {
        snprintf(why, cap, "it contains a NUL byte");
        return -1;
    }
    size_t u = utf8_check((const unsigned char *)text, n);
    if (u != n) {
        snprintf(why, cap, "it is not valid UTF-8 (bad byte at offset %zu)", u);
        return -1;
    }
    char *copy = malloc(n + 1);
    if (!copy) {
        snprintf(why, cap, "out of memory");
        return -1;
    }
    memcpy(copy, text, n);
    copy[n] = '\0';
    const char *stop = NULL;
    cJSON *root = cJSON_ParseWithOpts(copy, &stop, 1);
    int ok = root && cJSON_IsObject(root);
    if (!root)
        snprintf(why, cap, "it is not valid JSON (syntax error near byte %zu)", stop ? (size_t)(stop - copy) : 0);
    else if (!ok)
        snprintf(why, cap, "it is valid JSON but not an object ({...})");
    cJSON_Delete(root);
    free(copy);
    return ok ? 0 : -1;
}

/* Round half away from zero of sqrt(v) for v < 2^62: (isqrt(4v) + 1) / 2. */
static uint64_t isqrt64(uint64_t v)
{
    uint64_t r = (uint64_t)sqrt((double)v);
    while (r * r > v) r--;
    while ((r + 1) * (r + 1) <= v) r++;
    return r;
}

/* ca = round(sqrt(1 - (a/2^15)^2) * 2^15) = round(sqrt(2^30 - a^2)), exactly. */
static uint32_t colour_c_of(uint32_t a)
{
    uint64_t v = ((uint64_t)1 << 30) - (uint64_t)a * a;
    return (uint32_t)((isqrt64(4 * v) + 1) >> 1);
}

/* ------------------------------------------------------------- validation */

static int out_of_range(lv_error *err, const char *field, const char *what, long long v, long long lo,
                        long long hi)
{
    return lv_fail(err, "device image field %s = %lld is outside the allowed range %lld..%lld (%s, "
                   "docs/fixed-point.md §2)", field, v, lo, hi, what);
}

#define RANGE(field, what, v, lo, hi)                                                   \
    do {                                                                                \
        if ((long long)(v) < (long long)(lo) || (long long)(v) > (long long)(hi))       \
            return out_of_range(err, field, what, (long long)(v), (long long)(lo), (long long)(hi)); \
    } while (0)

/* The stored row of coupling index k (docs/fixed-point.md §3), for messages. */
static size_t row_of(const lv_dev_image *img, size_t k)
{
    size_t nv = (size_t)img->nv, nh = (size_t)img->nh;
    if (k < nv * nh) return k / nh;
    k -= nv * nh;
    for (size_t h = 0; h < nh; h++) {
        if (k < nh - 1 - h) return nv + h;
        k -= nh - 1 - h;
    }
    for (size_t v = 0; v < nv; v++) {
        if (k < nv - 1 - v) return nv + nh + v;
        k -= nv - 1 - v;
    }
    return (size_t)-1;
}

static int phys_ok(lv_error *err, const char *name, double v, int positive)
{
    if (!isfinite(v) || v < 0 || (positive && v == 0))
        return lv_fail(err, "device image parameter %s = %g must be finite and %s (it records the physics "
                       "the codes were made from)", name, v, positive ? "> 0" : ">= 0");
    return 0;
}

int lv_dev_image_validate(const lv_dev_image *img, lv_error *err)
{
    if (!img) return lv_fail(err, "device image is NULL");
    /* Dimensions first: everything else is sized from them. */
    RANGE("nv", "visible units", img->nv, 1, LV_DEV_MAX_N);
    RANGE("nh", "hidden units", img->nh, 0, LV_DEV_MAX_N);
    if (img->nv + img->nh > LV_DEV_MAX_N)
        return lv_fail(err, "device image has nv + nh = %d + %d = %d units; the device holds at most %d",
                       img->nv, img->nh, img->nv + img->nh, LV_DEV_MAX_N);
    RANGE("vv", "visible-visible block stored, 0 or 1", img->vv, 0, 1);
    size_t m = lv_dev_couplings(img->nv, img->nh, img->vv), rows = lv_dev_rows(img->nv, img->nh, img->vv);
    if (img->m != m)
        return lv_fail(err, "device image has m = %zu stored couplings, but nv = %d, nh = %d, vv = %d need "
                       "exactly %zu (docs/fixed-point.md §3)", img->m, img->nv, img->nh, img->vv, m);
    if (m == 0)
        return lv_fail(err, "device image has no couplings (nv = %d, nh = 0, vv = 0): nothing to run",
                       img->nv);
    if (m > LV_DEV_MAX_M)
        return lv_fail(err, "device image has %zu stored couplings; the device's coupling memory holds at "
                       "most %u", m, LV_DEV_MAX_M);
    if (img->n_rows != rows)
        return lv_fail(err, "device image has n_rows = %zu stored rows, but nv = %d, nh = %d, vv = %d need "
                       "exactly %zu (docs/fixed-point.md §3)", img->n_rows, img->nv, img->nh, img->vv, rows);

    /* Formats (§2). */
    RANGE("wx", "state width Wx", img->wx, 8, 32);
    RANGE("fx", "state fraction bits Fx, 4..Wx-2", img->fx, 4, img->wx - 2);
    RANGE("bj", "coupling code width BJ", img->bj, 2, 16);
    RANGE("bb", "bias code width Bb", img->bb, 2, 24);
    RANGE("wf", "force width Wf", img->wf, 16, 40);
    RANGE("ff", "force fraction bits Ff, 4..Wf-2", img->ff, 4, img->wf - 2);
    RANGE("bn", "noise DAC resolution Bn", img->bn, 2, 14);
    RANGE("j2", "J2 in Q16.16, >= 0", img->j2, 0, INT32_MAX);
    RANGE("j4", "J4 in Q16.16, >= 0", img->j4, 0, INT32_MAX);
    RANGE("k", "mu*dt in Q0.32, 1 <= K < 2^31", img->k, 1, INT32_MAX);
    RANGE("offset", "noise offset O in Q16.16, |O| < 2^31", img->offset, -INT32_MAX, INT32_MAX);
    RANGE("colour_a", "noise colour a in Q1.15, 0 <= a < 2^15", img->colour_a, 0, 32767);
    /* One valid value per a (also a = 0: ca = 2^15), the value the noise DAC checks. */
    uint32_t ca = colour_c_of(img->colour_a);
    if (img->colour_c != ca)
        return lv_fail(err, "device image field colour_c = %u does not match colour_a = %u: it must be "
                       "round(sqrt(1 - (a/2^15)^2) * 2^15) = %u (docs/fixed-point.md §2)",
                       (unsigned)img->colour_c, (unsigned)img->colour_a, (unsigned)ca);

    /* Physical parameters: reports only, but they must describe the codes. */
    if (phys_ok(err, "J2", img->J2, 0) || phys_ok(err, "J4", img->J4, 0) || phys_ok(err, "kT", img->kT, 0) ||
        phys_ok(err, "mu", img->mu, 1) || phys_ok(err, "dt", img->dt, 1) || phys_ok(err, "tf", img->tf, 0) ||
        phys_ok(err, "t_eq", img->t_eq, 0))
        return -1;
    /* One LSB of slack: the host conversions round (§9). */
    if (fabs((double)img->j2 - ldexp(img->J2, 16)) > 1.0)
        return lv_fail(err, "device image field j2 = %ld (Q16.16) does not encode J2 = %.17g (expected "
                       "fix16_from_dbl(J2) = %.0f): the image is inconsistent", (long)img->j2, img->J2,
                       round(ldexp(img->J2, 16)));
    if (fabs((double)img->j4 - ldexp(img->J4, 16)) > 1.0)
        return lv_fail(err, "device image field j4 = %ld (Q16.16) does not encode J4 = %.17g (expected "
                       "fix16_from_dbl(J4) = %.0f): the image is inconsistent", (long)img->j4, img->J4,
                       round(ldexp(img->J4, 16)));
    if (fabs((double)img->k - ldexp(img->mu * img->dt, 32)) > 1.0)
        return lv_fail(err, "device image field k = %lu (Q0.32) does not encode mu*dt = %.17g (expected "
                       "round(mu*dt*2^32) = %.0f): the image is inconsistent", (unsigned long)img->k,
                       img->mu * img->dt, round(ldexp(img->mu * img->dt, 32)));

    /* Memories. */
    if (!img->c || !img->ej || !img->cb)
        return lv_fail(err, "device image has a NULL memory (couplings %s, row exponents %s, biases %s)",
                       img->c ? "set" : "NULL", img->ej ? "set" : "NULL", img->cb ? "set" : "NULL");
    int32_t cmax = (1 << (img->bj - 1)) - 1;
    for (size_t k = 0; k < m; k++)
        if (img->c[k] < -cmax || img->c[k] > cmax)
            return lv_fail(err, "device image coupling code %d at index %zu (stored row %zu) is outside the "
                           "BJ = %d-bit range %d..%d (codes are symmetric, docs/fixed-point.md §2)",
                           img->c[k], k, row_of(img, k), img->bj, (int)-cmax, (int)cmax);
    for (size_t r = 0; r < rows; r++)
        if (img->ej[r] < EXP_MIN || img->ej[r] > EXP_MAX)
            return lv_fail(err, "device image row exponent ej[%zu] = %d is outside %d..%d "
                           "(docs/fixed-point.md §2)", r, img->ej[r], EXP_MIN, EXP_MAX);
    int32_t bmax = (int32_t)(((int64_t)1 << (img->bb - 1)) - 1);
    size_t n = (size_t)img->nv + (size_t)img->nh;
    for (size_t i = 0; i < n; i++)
        if (img->cb[i] < -bmax || img->cb[i] > bmax)
            return lv_fail(err, "device image bias code %ld of unit %zu is outside the Bb = %d-bit range "
                           "%ld..%ld (docs/fixed-point.md §2)", (long)img->cb[i], i, img->bb, (long)-bmax,
                           (long)bmax);
    for (int b = 0; b < 2; b++)
        if (img->eb[b] < EXP_MIN || img->eb[b] > EXP_MAX)
            return lv_fail(err, "device image %s bias exponent eb[%d] = %d is outside %d..%d "
                           "(docs/fixed-point.md §2)", b ? "hidden" : "visible", b, img->eb[b], EXP_MIN,
                           EXP_MAX);

    /* Reference digits (optional). */
    RANGE("n_digits", "number of reference digits", img->n_digits, 0, LV_DEV_MAX_DIGITS);
    if (img->n_digits > 0) {
        if (img->rows < 1 || img->cols < 1 || (long long)img->rows * img->cols != img->nv)
            return lv_fail(err, "device image reference digits are %d x %d pixels, which does not match "
                           "nv = %d visible units (rows * cols must equal nv)", img->rows, img->cols, img->nv);
        if (!img->digits || !img->digit_labels)
            return lv_fail(err, "device image has n_digits = %d but its digits or labels are NULL",
                           img->n_digits);
    }
    return 0;
}

/* --------------------------------------------------------------- encoding */

typedef struct {
    uint32_t type;
    uint64_t off, len;
} layout_sec;

/* Section sizes of img in table order; returns the section count. */
static unsigned plan(const lv_dev_image *img, size_t meta_len, int has_meta, layout_sec *s)
{
    size_t n = (size_t)img->nv + (size_t)img->nh;
    unsigned k = 0;
    s[k++] = (layout_sec){LV_DEV_SEC_COUPLINGS, 0, 2 * (uint64_t)img->m};
    s[k++] = (layout_sec){LV_DEV_SEC_ROW_EXPONENTS, 0, img->n_rows};
    s[k++] = (layout_sec){LV_DEV_SEC_BIASES, 0, 4 * (uint64_t)n};
    s[k++] = (layout_sec){LV_DEV_SEC_BIAS_EXPONENTS, 0, 2};
    if (img->n_digits > 0)
        s[k++] = (layout_sec){LV_DEV_SEC_DIGITS, 0,
                              DIGITS_HEAD + (uint64_t)img->n_digits * ((uint64_t)img->nv + 1)};
    if (has_meta) s[k++] = (layout_sec){LV_DEV_SEC_METADATA, 0, meta_len};
    uint64_t pos = FIXED_BYTES + ENTRY_BYTES * k + 4;
    for (unsigned i = 0; i < k; i++) {
        s[i].off = align8(pos);
        pos = s[i].off + s[i].len;
    }
    return k;
}

static void encode_header(const lv_dev_image *img, uint8_t *p, unsigned nsec, uint64_t file_bytes)
{
    memcpy(p, MAGIC, 8);
    put_u32(p + 8, LV_DEV_IMAGE_VERSION);
    put_u32(p + 12, FIXED_BYTES + ENTRY_BYTES * nsec + 4);
    put_u64(p + 16, file_bytes);
    put_u32(p + 24, nsec);
    put_u32(p + 28, img->vv ? 1u : 0u);
    put_u32(p + 32, (uint32_t)img->nv);
    put_u32(p + 36, (uint32_t)img->nh);
    put_u64(p + 40, img->m);
    put_u32(p + 48, (uint32_t)img->n_rows);
    const int fmt[7] = {img->wx, img->fx, img->bj, img->bb, img->wf, img->ff, img->bn};
    for (int i = 0; i < 7; i++) p[52 + i] = (uint8_t)fmt[i];
    put_u32(p + 60, (uint32_t)img->j2);
    put_u32(p + 64, (uint32_t)img->j4);
    put_u32(p + 68, img->k);
    put_u32(p + 72, img->gain);
    put_u32(p + 76, (uint32_t)img->offset);
    put_u16(p + 80, img->colour_a);
    put_u16(p + 82, img->colour_c);
    put_u32(p + 84, img->ticks_eq);
    put_u32(p + 88, img->ticks_run);
    const double phys[7] = {img->J2, img->J4, img->kT, img->mu, img->dt, img->tf, img->t_eq};
    for (int i = 0; i < 7; i++) put_f64(p + 96 + 8 * i, phys[i]);
}

int lv_dev_image_encode(const lv_dev_image *img, const char *metadata_json, uint8_t **buf, size_t *len,
                        lv_error *err)
{
    *buf = NULL;
    *len = 0;
    if (lv_dev_image_validate(img, err)) return -1;
    size_t meta_len = metadata_json ? strlen(metadata_json) : 0;
    if (metadata_json) {
        char why[160];
        if (meta_len > MAX_META_BYTES)
            return lv_fail(err, "the device image metadata is %zu bytes, over the %zu-byte limit", meta_len,
                           MAX_META_BYTES);
        if (json_object_ok(metadata_json, meta_len, why, sizeof why))
            return lv_fail(err, "the device image metadata must be a JSON object, but %s", why);
    }
    layout_sec s[MAX_SECTIONS];
    unsigned nsec = plan(img, meta_len, metadata_json != NULL, s);
    uint64_t trailer = align8(s[nsec - 1].off + s[nsec - 1].len);
    size_t total = (size_t)trailer + 4;
    uint8_t *p = calloc(1, total); /* zero: reserved fields and padding */
    if (!p) return lv_fail(err, "out of memory encoding a device image of %zu bytes", total);

    encode_header(img, p, nsec, total);
    size_t n = (size_t)img->nv + (size_t)img->nh;
    for (unsigned i = 0; i < nsec; i++) {
        uint8_t *d = p + s[i].off;
        switch (s[i].type) {
        case LV_DEV_SEC_COUPLINGS:
            for (size_t k = 0; k < img->m; k++) put_u16(d + 2 * k, (uint16_t)img->c[k]);
            break;
        case LV_DEV_SEC_ROW_EXPONENTS:
            for (size_t r = 0; r < img->n_rows; r++) d[r] = (uint8_t)img->ej[r];
            break;
        case LV_DEV_SEC_BIASES:
            for (size_t k = 0; k < n; k++) put_u32(d + 4 * k, (uint32_t)img->cb[k]);
            break;
        case LV_DEV_SEC_BIAS_EXPONENTS:
            d[0] = (uint8_t)img->eb[0], d[1] = (uint8_t)img->eb[1];
            break;
        case LV_DEV_SEC_DIGITS: {
            size_t px = (size_t)img->n_digits * (size_t)img->nv;
            put_u32(d, (uint32_t)img->n_digits);
            put_u32(d + 4, (uint32_t)img->rows);
            put_u32(d + 8, (uint32_t)img->cols);
            memcpy(d + DIGITS_HEAD, img->digits, px);
            memcpy(d + DIGITS_HEAD + px, img->digit_labels, (size_t)img->n_digits);
            break;
        }
        case LV_DEV_SEC_METADATA:
            memcpy(d, metadata_json, meta_len);
            break;
        }
        uint8_t *e = p + FIXED_BYTES + ENTRY_BYTES * i;
        put_u32(e, s[i].type);
        put_u64(e + 8, s[i].off);
        put_u64(e + 16, s[i].len);
        put_u32(e + 24, crc_of(d, (size_t)s[i].len));
    }
    size_t head = FIXED_BYTES + ENTRY_BYTES * nsec;
    put_u32(p + head, crc_of(p, head));
    put_u32(p + trailer, crc_of(p, (size_t)trailer));
    *buf = p;
    *len = total;
    return 0;
}

int lv_dev_image_write(const char *path, const lv_dev_image *img, const char *metadata_json, lv_error *err)
{
    uint8_t *buf;
    size_t len;
    if (lv_dev_image_encode(img, metadata_json, &buf, &len, err))
        return lv_fail_prefix(err, "cannot write the device image %s", path);
    int rc = lv_write_file_atomic(path, buf, len, err);
    free(buf);
    return rc;
}

/* --------------------------------------------------------------- decoding */

/* Fail with "<name> is not a valid device image: <detail>". */
__attribute__((format(printf, 3, 4)))
static int bad(lv_error *err, const char *name, const char *fmt, ...)
{
    char detail[900];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(detail, sizeof detail, fmt, ap);
    va_end(ap);
    return lv_fail(err, "%s is not a valid device image: %s", name, detail);
}

typedef struct {
    uint32_t type, crc;
    uint64_t off, len;
} rsec;

/* Sizes the header's dimensions require of each section; 0 on success. */
static int check_sizes(const uint8_t *b, const rsec *s, unsigned nsec, const char *name, lv_error *err)
{
    uint32_t flags = get_u32(b + 28), nv = get_u32(b + 32), nh = get_u32(b + 36);
    uint64_t m = get_u64(b + 40);
    uint32_t rows = get_u32(b + 48);
    int vv = (int)(flags & 1);
    if (nv < 1 || nv > LV_DEV_MAX_N || nh > LV_DEV_MAX_N || nv + nh > LV_DEV_MAX_N)
        return bad(err, name, "the header's dimensions nv = %lu, nh = %lu are outside the device's range "
                   "(1 <= nv, 0 <= nh, nv + nh <= %d)", (unsigned long)nv, (unsigned long)nh, LV_DEV_MAX_N);
    size_t want_m = lv_dev_couplings((int)nv, (int)nh, vv), want_rows = lv_dev_rows((int)nv, (int)nh, vv);
    if (m != want_m || rows != want_rows)
        return bad(err, name, "the header says m = %llu couplings in %lu rows, but nv = %lu, nh = %lu, vv = %d "
                   "need %zu couplings in %zu rows (docs/fixed-point.md §3)", (unsigned long long)m,
                   (unsigned long)rows, (unsigned long)nv, (unsigned long)nh, vv, want_m, want_rows);
    for (unsigned i = 0; i < nsec; i++) {
        uint64_t want;
        const char *unit;
        switch (s[i].type) {
        case LV_DEV_SEC_COUPLINGS: want = 2 * m, unit = "m couplings x 2 bytes"; break;
        case LV_DEV_SEC_ROW_EXPONENTS: want = rows, unit = "n_rows exponents x 1 byte"; break;
        case LV_DEV_SEC_BIASES: want = 4 * ((uint64_t)nv + nh), unit = "nv + nh biases x 4 bytes"; break;
        case LV_DEV_SEC_BIAS_EXPONENTS: want = 2, unit = "2 exponents x 1 byte"; break;
        case LV_DEV_SEC_DIGITS: {
            if (s[i].len < DIGITS_HEAD)
                return bad(err, name, "section DIGITS is %llu bytes, shorter than its %u-byte head",
                           (unsigned long long)s[i].len, DIGITS_HEAD);
            const uint8_t *d = b + s[i].off;
            uint32_t nd = get_u32(d), r = get_u32(d + 4), c = get_u32(d + 8);
            if (get_u32(d + 12) != 0)
                return bad(err, name, "section DIGITS has a non-zero reserved word");
            if (nd < 1 || nd > LV_DEV_MAX_DIGITS)
                return bad(err, name, "section DIGITS holds %lu digits; 1..%d are allowed", (unsigned long)nd,
                           LV_DEV_MAX_DIGITS);
            if ((uint64_t)r * c != nv)
                return bad(err, name, "section DIGITS has %lu x %lu-pixel digits, but nv = %lu (rows * cols "
                           "must equal nv)", (unsigned long)r, (unsigned long)c, (unsigned long)nv);
            want = DIGITS_HEAD + (uint64_t)nd * ((uint64_t)nv + 1), unit = "16 + n_digits x (nv + 1) bytes";
            break;
        }
        default: /* METADATA: any size up to the cap */
            if (s[i].len > MAX_META_BYTES)
                return bad(err, name, "section METADATA is %llu bytes, over the %zu-byte limit",
                           (unsigned long long)s[i].len, MAX_META_BYTES);
            continue;
        }
        if (s[i].len != want)
            return bad(err, name, "section %s is %llu bytes, but the header's dimensions (nv = %lu, nh = %lu, "
                       "vv = %d) need %s = %llu bytes (mis-sized section)", sec_name[s[i].type],
                       (unsigned long long)s[i].len, (unsigned long)nv, (unsigned long)nh, vv, unit,
                       (unsigned long long)want);
    }
    return 0;
}

/* Everything but the ownership hand-over; fills *img and *meta (which the
 * caller frees on failure). */
static int decode(const uint8_t *b, size_t len, const char *name, lv_dev_image *img, char **meta, lv_error *err)
{
    /* Magic and version come first: they say what kind of file this is. */
    if (len < 8) {
        if (memcmp(b, MAGIC, len) == 0)
            return bad(err, name, "the file is only %zu bytes (empty or truncated)", len);
        return bad(err, name, "it does not start with the magic \"" MAGIC "\" (wrong file?)");
    }
    if (memcmp(b, MAGIC, 8) != 0)
        return bad(err, name, "it does not start with the magic \"" MAGIC "\" (wrong file, or corrupt magic)");
    if (len < 12) return bad(err, name, "the file is only %zu bytes: truncated inside the header", len);
    uint32_t version = get_u32(b + 8);
    if (version != LV_DEV_IMAGE_VERSION)
        return bad(err, name, "it is format version %lu; this build reads version %u only (re-quantize the "
                   "model, or use a matching build)", (unsigned long)version, LV_DEV_IMAGE_VERSION);
    if (len < FIXED_BYTES)
        return bad(err, name, "the file is only %zu bytes: truncated inside the %u-byte header", len, FIXED_BYTES);
    uint32_t nsec = get_u32(b + 24), head_bytes = get_u32(b + 12);
    if (nsec < MIN_SECTIONS || nsec > MAX_SECTIONS)
        return bad(err, name, "the header is corrupt: it lists %lu sections, and version 1 has %u to %u",
                   (unsigned long)nsec, MIN_SECTIONS, MAX_SECTIONS);
    size_t head = FIXED_BYTES + ENTRY_BYTES * nsec; /* the head CRC sits here */
    if (head_bytes != head + 4)
        return bad(err, name, "the header is corrupt: head_bytes = %lu, but %lu sections need %zu",
                   (unsigned long)head_bytes, (unsigned long)nsec, head + 4);
    if (len < head + 4)
        return bad(err, name, "the file is only %zu bytes: truncated inside the %zu-byte header and section "
                   "table", len, head + 4);
    uint32_t hcrc = crc_of(b, head);
    if (hcrc != get_u32(b + head))
        return bad(err, name, "the header is corrupt (header CRC-32 stored 0x%08lx, computed 0x%08lx)",
                   (unsigned long)get_u32(b + head), (unsigned long)hcrc);
    uint64_t file_bytes = get_u64(b + 16);
    if (len < file_bytes)
        return bad(err, name, "the file is %zu bytes, but its header says %llu: truncated", len,
                   (unsigned long long)file_bytes);
    if (len > file_bytes)
        return bad(err, name, "the file is %zu bytes, but its header says %llu: %llu trailing bytes follow "
                   "the image", len, (unsigned long long)file_bytes, (unsigned long long)(len - file_bytes));
    uint32_t flags = get_u32(b + 28);
    if (flags & ~1u)
        return bad(err, name, "the header's flags 0x%08lx set bits that version 1 does not define",
                   (unsigned long)flags);
    if (b[59] || get_u32(b + 92) || get_u64(b + 152))
        return bad(err, name, "reserved header bytes are not zero");

    /* Section table: known types in ascending order, laid out back to back
     * at 8-byte alignment (the only layout version 1 allows). */
    rsec s[MAX_SECTIONS];
    uint64_t pos = head + 4, data_end = file_bytes - 4;
    uint32_t prev = 0;
    for (unsigned i = 0; i < nsec; i++) {
        const uint8_t *e = b + FIXED_BYTES + ENTRY_BYTES * i;
        s[i] = (rsec){get_u32(e), get_u32(e + 24), get_u64(e + 8), get_u64(e + 16)};
        if (s[i].type < LV_DEV_SEC_COUPLINGS || s[i].type > LV_DEV_SEC_METADATA)
            return bad(err, name, "section table entry %u has unknown type %lu (version 1 knows 1..6)", i,
                       (unsigned long)s[i].type);
        if (s[i].type <= prev)
            return bad(err, name, "section %s is listed after section %s: the table must be in ascending "
                       "type order with no repeats", sec_name[s[i].type], sec_name[prev]);
        if (get_u32(e + 4) || get_u32(e + 28))
            return bad(err, name, "section %s has non-zero reserved words in its table entry",
                       sec_name[s[i].type]);
        if (s[i].off != align8(pos))
            return bad(err, name, "section %s starts at byte %llu, but the layout puts it at %llu", sec_name[s[i].type],
                       (unsigned long long)s[i].off, (unsigned long long)align8(pos));
        if (s[i].off > data_end || s[i].len > data_end - s[i].off)
            return bad(err, name, "section %s (%llu bytes at byte %llu) runs past the end of the image "
                       "(%llu bytes)", sec_name[s[i].type], (unsigned long long)s[i].len,
                       (unsigned long long)s[i].off, (unsigned long long)file_bytes);
        pos = s[i].off + s[i].len;
        prev = s[i].type;
    }
    for (uint32_t t = LV_DEV_SEC_COUPLINGS; t <= LV_DEV_SEC_BIAS_EXPONENTS; t++)
        if (s[t - 1].type != t)
            return bad(err, name, "required section %s is missing", sec_name[t]);
    if (align8(pos) != data_end)
        return bad(err, name, "the sections end at byte %llu, so the file should be %llu bytes, but its header "
                   "says %llu", (unsigned long long)pos, (unsigned long long)(align8(pos) + 4),
                   (unsigned long long)file_bytes);

    /* Integrity: each section, the padding, then the whole file. */
    for (unsigned i = 0; i < nsec; i++) {
        uint32_t c = crc_of(b + s[i].off, (size_t)s[i].len);
        if (c != s[i].crc)
            return bad(err, name, "section %s is corrupt (CRC-32 stored 0x%08lx, computed 0x%08lx)",
                       sec_name[s[i].type], (unsigned long)s[i].crc, (unsigned long)c);
    }
    pos = head + 4;
    for (unsigned i = 0; i <= nsec; i++) {
        uint64_t end = i < nsec ? s[i].off : data_end;
        for (uint64_t q = pos; q < end; q++)
            if (b[q])
                return bad(err, name, "padding byte %llu is not zero (corrupt file)", (unsigned long long)q);
        if (i < nsec) pos = s[i].off + s[i].len;
    }
    uint32_t fcrc = crc_of(b, (size_t)data_end);
    if (fcrc != get_u32(b + data_end))
        return bad(err, name, "the file CRC-32 does not match (stored 0x%08lx, computed 0x%08lx): corrupt file",
                   (unsigned long)get_u32(b + data_end), (unsigned long)fcrc);

    if (check_sizes(b, s, nsec, name, err)) return -1;

    /* Decode into *img, then validate the values. */
    img->vv = (int)(flags & 1);
    img->nv = (int)get_u32(b + 32);
    img->nh = (int)get_u32(b + 36);
    img->m = (size_t)get_u64(b + 40);
    img->n_rows = get_u32(b + 48);
    img->wx = b[52], img->fx = b[53], img->bj = b[54], img->bb = b[55];
    img->wf = b[56], img->ff = b[57], img->bn = b[58];
    img->j2 = (int32_t)get_u32(b + 60);
    img->j4 = (int32_t)get_u32(b + 64);
    img->k = get_u32(b + 68);
    img->gain = get_u32(b + 72);
    img->offset = (int32_t)get_u32(b + 76);
    img->colour_a = get_u16(b + 80);
    img->colour_c = get_u16(b + 82);
    img->ticks_eq = get_u32(b + 84);
    img->ticks_run = get_u32(b + 88);
    double *phys[7] = {&img->J2, &img->J4, &img->kT, &img->mu, &img->dt, &img->tf, &img->t_eq};
    for (int i = 0; i < 7; i++) *phys[i] = get_f64(b + 96 + 8 * i);

    size_t n = (size_t)img->nv + (size_t)img->nh;
    img->c = malloc(img->m * sizeof *img->c);
    img->ej = malloc(img->n_rows);
    img->cb = malloc(n * sizeof *img->cb);
    if (!img->c || !img->ej || !img->cb)
        return lv_fail(err, "out of memory reading %s (%zu couplings)", name, img->m);
    for (unsigned i = 0; i < nsec; i++) {
        const uint8_t *d = b + s[i].off;
        switch (s[i].type) {
        case LV_DEV_SEC_COUPLINGS:
            for (size_t k = 0; k < img->m; k++) img->c[k] = (int16_t)get_u16(d + 2 * k);
            break;
        case LV_DEV_SEC_ROW_EXPONENTS:
            for (size_t r = 0; r < img->n_rows; r++) img->ej[r] = (int8_t)d[r];
            break;
        case LV_DEV_SEC_BIASES:
            for (size_t k = 0; k < n; k++) img->cb[k] = (int32_t)get_u32(d + 4 * k);
            break;
        case LV_DEV_SEC_BIAS_EXPONENTS:
            img->eb[0] = (int8_t)d[0], img->eb[1] = (int8_t)d[1];
            break;
        case LV_DEV_SEC_DIGITS: {
            img->n_digits = (int)get_u32(d);
            img->rows = (int)get_u32(d + 4);
            img->cols = (int)get_u32(d + 8);
            size_t px = (size_t)img->n_digits * (size_t)img->nv;
            img->digits = malloc(px);
            img->digit_labels = malloc((size_t)img->n_digits);
            if (!img->digits || !img->digit_labels)
                return lv_fail(err, "out of memory reading the reference digits of %s", name);
            memcpy(img->digits, d + DIGITS_HEAD, px);
            memcpy(img->digit_labels, d + DIGITS_HEAD + px, (size_t)img->n_digits);
            break;
        }
        case LV_DEV_SEC_METADATA: {
            char why[160];
            if (json_object_ok((const char *)d, (size_t)s[i].len, why, sizeof why))
                return bad(err, name, "section METADATA must hold a JSON object, but %s", why);
            *meta = malloc((size_t)s[i].len + 1);
            if (!*meta) return lv_fail(err, "out of memory reading the metadata of %s", name);
            memcpy(*meta, d, (size_t)s[i].len);
            (*meta)[s[i].len] = '\0';
            break;
        }
        }
    }
    if (lv_dev_image_validate(img, err))
        return lv_fail_prefix(err, "%s is not a valid device image", name);
    return 0;
}

int lv_dev_image_decode(const uint8_t *buf, size_t len, const char *name, lv_dev_image *img,
                        char **metadata_json, lv_error *err)
{
    lv_dev_image tmp;
    memset(&tmp, 0, sizeof tmp);
    char *meta = NULL;
    if (!buf && len) return lv_fail(err, "cannot decode %s: the buffer is NULL", name);
    if (decode(buf ? buf : (const uint8_t *)"", len, name, &tmp, &meta, err)) {
        lv_dev_image_free(&tmp);
        free(meta);
        return -1;
    }
    *img = tmp;
    if (metadata_json)
        *metadata_json = meta;
    else
        free(meta);
    return 0;
}

int lv_dev_image_read(const char *path, lv_dev_image *img, char **metadata_json, lv_error *err)
{
    uint8_t *buf;
    size_t len;
    if (lv_read_file(path, &buf, &len, MAX_FILE_BYTES, err)) return -1;
    int rc = lv_dev_image_decode(buf, len, path, img, metadata_json, err);
    free(buf);
    return rc;
}

/* ------------------------------------------------------- $readmemh export */

/* One memory: n words of `width` bits, two's complement, one per line,
 * ceil(width/4) lower-case hex digits, zero-padded. */
static int write_hex(const char *dir, const char *file, const void *data, int elem, size_t n, int width,
                     lv_error *err)
{
    char path[4096];
    if ((size_t)snprintf(path, sizeof path, "%s/%s", dir, file) >= sizeof path)
        return lv_fail(err, "the export directory name %s is too long", dir);
    lv_atomic_file *f;
    if (lv_atomic_open(&f, path, err)) return -1;
    FILE *fp = lv_atomic_stream(f);
    uint64_t mask = ((uint64_t)1 << width) - 1;
    int digits = (width + 3) / 4;
    for (size_t i = 0; i < n; i++) {
        int64_t v = elem == 1 ? ((const int8_t *)data)[i]
                  : elem == 2 ? ((const int16_t *)data)[i] : ((const int32_t *)data)[i];
        if (fprintf(fp, "%0*llx\n", digits, (unsigned long long)((uint64_t)v & mask)) < 0) {
            lv_atomic_abort(f);
            return lv_fail_errno(err, "writing %s failed", path);
        }
    }
    return lv_atomic_commit(f, err);
}

int lv_dev_image_export_readmemh(const lv_dev_image *img, const char *dir, lv_error *err)
{
    if (lv_dev_image_validate(img, err))
        return lv_fail_prefix(err, "cannot export the device image to %s", dir);
    if (lv_mkdir_p(dir, err)) return -1;
    size_t n = (size_t)img->nv + (size_t)img->nh;
    const struct {
        const char *name;
        const void *data;
        int elem;
        size_t depth;
        int width;
        unsigned long max_depth;
    } mem[4] = {
        {"couplings", img->c, 2, img->m, img->bj, LV_DEV_MAX_M},
        {"row_exp", img->ej, 1, img->n_rows, 8, 2ul * LV_DEV_MAX_N},
        {"bias", img->cb, 4, n, img->bb, LV_DEV_MAX_N},
        {"bias_exp", img->eb, 1, 2, 8, 2},
    };
    char man[4096];
    size_t k = (size_t)snprintf(man, sizeof man,
        "{\n  \"format\": \"langevin.readmemh\",\n  \"version\": 1,\n"
        "  \"nv\": %d, \"nh\": %d, \"vv\": %d, \"m\": %zu, \"n_rows\": %zu,\n"
        "  \"wx\": %d, \"fx\": %d, \"bj\": %d, \"bb\": %d, \"wf\": %d, \"ff\": %d, \"bn\": %d,\n"
        "  \"j2\": %ld, \"j4\": %ld, \"k\": %lu, \"gain\": %lu, \"offset\": %ld, \"colour_a\": %u, "
        "\"colour_c\": %u,\n  \"ticks_eq\": %lu, \"ticks_run\": %lu,\n  \"memories\": [\n",
        img->nv, img->nh, img->vv, img->m, img->n_rows, img->wx, img->fx, img->bj, img->bb, img->wf, img->ff,
        img->bn, (long)img->j2, (long)img->j4, (unsigned long)img->k, (unsigned long)img->gain,
        (long)img->offset, (unsigned)img->colour_a, (unsigned)img->colour_c, (unsigned long)img->ticks_eq,
        (unsigned long)img->ticks_run);
    for (int i = 0; i < 4; i++) {
        char file[32];
        snprintf(file, sizeof file, "%s.hex", mem[i].name);
        if (write_hex(dir, file, mem[i].data, mem[i].elem, mem[i].depth, mem[i].width, err)) return -1;
        k += (size_t)snprintf(man + k, sizeof man - k,
            "    {\"name\": \"%s\", \"file\": \"%s\", \"width\": %d, \"depth\": %zu, \"max_depth\": %lu, "
            "\"signed\": true}%s\n", mem[i].name, file, mem[i].width, mem[i].depth, mem[i].max_depth,
            i < 3 ? "," : "");
    }
    k += (size_t)snprintf(man + k, sizeof man - k, "  ]\n}\n");
    /* The manifest goes last: its presence means the hex files are complete. */
    char path[4096];
    if ((size_t)snprintf(path, sizeof path, "%s/manifest.json", dir) >= sizeof path)
        return lv_fail(err, "the export directory name %s is too long", dir);
    return lv_write_file_atomic(path, man, k, err);
}
