/* test_device_image_io.c - the device image file (docs/device-image.md):
 * round trips, every corruption class the reader must refuse, validation
 * messages, atomic writes, and the $readmemh export read back.
 * Small images (nv = 12, nh = 7) keep the exhaustive bit-flip and
 * truncation sweeps fast. */
#include <cjson/cJSON.h>
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <zlib.h>

#include "device_image_io.h"
#include "fileio.h"
#include "test_util.h"

#define NV 12
#define NH 7

/* Deterministic codes: a 64-bit LCG, top bits. */
static uint32_t next(uint64_t *s)
{
    *s = *s * 6364136223846793005ull + 1442695040888963407ull;
    return (uint32_t)(*s >> 33);
}

static int32_t in_range(uint64_t *s, int bits)
{
    int32_t max = (int32_t)(((int64_t)1 << (bits - 1)) - 1);
    return (int32_t)(next(s) % (uint32_t)(2 * max + 1)) - max;
}

/* A valid image; digits: 3 reference digits of 3 x 4 pixels. */
static void make_image(lv_dev_image *img, int vv, int digits, int bj, int bb)
{
    memset(img, 0, sizeof *img);
    img->nv = NV, img->nh = NH, img->vv = vv;
    img->wx = 24, img->fx = 20, img->bj = bj, img->bb = bb, img->wf = 32, img->ff = 16, img->bn = 14;
    img->J2 = 1.0, img->J4 = 0.5, img->kT = 0.1, img->mu = 1.0, img->dt = 1e-3, img->tf = 2.5, img->t_eq = 1.0;
    img->j2 = 65536, img->j4 = 32768, img->k = 4294967u;
    img->gain = 123456789u, img->offset = -77;
    img->colour_a = 16384; /* a = 0.5 */
    img->colour_c = (uint16_t)lround(sqrt(1.0 - 0.25) * 32768.0);
    img->ticks_eq = 1000, img->ticks_run = 2500;
    img->m = lv_dev_couplings(NV, NH, vv);
    img->n_rows = lv_dev_rows(NV, NH, vv);
    img->c = malloc(img->m * sizeof *img->c);
    img->ej = malloc(img->n_rows);
    img->cb = malloc((NV + NH) * sizeof *img->cb);
    uint64_t s = 12345 + (uint64_t)vv;
    for (size_t k = 0; k < img->m; k++) img->c[k] = (int16_t)in_range(&s, bj);
    int cmax = (1 << (bj - 1)) - 1, bmax = (1 << (bb - 1)) - 1;
    img->c[0] = (int16_t)-cmax, img->c[img->m - 1] = (int16_t)cmax; /* the extremes round-trip */
    for (size_t r = 0; r < img->n_rows; r++) img->ej[r] = (int8_t)(-16 + (int)(next(&s) % 64));
    img->ej[0] = -16, img->ej[img->n_rows - 1] = 47;
    for (int i = 0; i < NV + NH; i++) img->cb[i] = in_range(&s, bb);
    img->cb[0] = -bmax, img->cb[NV + NH - 1] = bmax;
    img->eb[0] = 16, img->eb[1] = -3;
    if (digits) {
        img->n_digits = 3, img->rows = 3, img->cols = 4;
        img->digits = malloc(3 * NV);
        img->digit_labels = malloc(3);
        for (int i = 0; i < 3 * NV; i++) img->digits[i] = (uint8_t)next(&s);
        for (int i = 0; i < 3; i++) img->digit_labels[i] = (uint8_t)(i * 4 + 1);
    }
}

static int same_double(double a, double b) { return memcmp(&a, &b, sizeof a) == 0; }

static int images_equal(const lv_dev_image *a, const lv_dev_image *b)
{
    int ok = a->nv == b->nv && a->nh == b->nh && a->vv == b->vv && a->wx == b->wx && a->fx == b->fx &&
             a->bj == b->bj && a->bb == b->bb && a->wf == b->wf && a->ff == b->ff && a->j2 == b->j2 &&
             a->j4 == b->j4 && a->k == b->k && a->bn == b->bn && a->gain == b->gain && a->offset == b->offset &&
             a->colour_a == b->colour_a && a->colour_c == b->colour_c && a->ticks_eq == b->ticks_eq &&
             a->ticks_run == b->ticks_run && a->m == b->m && a->n_rows == b->n_rows && a->eb[0] == b->eb[0] &&
             a->eb[1] == b->eb[1] && same_double(a->J2, b->J2) && same_double(a->J4, b->J4) &&
             same_double(a->kT, b->kT) && same_double(a->mu, b->mu) && same_double(a->dt, b->dt) &&
             same_double(a->tf, b->tf) && same_double(a->t_eq, b->t_eq) && a->n_digits == b->n_digits;
    if (!ok) return 0;
    ok = memcmp(a->c, b->c, a->m * sizeof *a->c) == 0 && memcmp(a->ej, b->ej, a->n_rows) == 0 &&
         memcmp(a->cb, b->cb, (size_t)(a->nv + a->nh) * sizeof *a->cb) == 0;
    if (ok && a->n_digits)
        ok = a->rows == b->rows && a->cols == b->cols &&
             memcmp(a->digits, b->digits, (size_t)a->n_digits * (size_t)a->nv) == 0 &&
             memcmp(a->digit_labels, b->digit_labels, (size_t)a->n_digits) == 0;
    return ok;
}

/* ---- layout helpers, written from docs/device-image.md alone ---- */

static uint32_t rd32(const uint8_t *p) { return (uint32_t)p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24; }
static uint64_t rd64(const uint8_t *p) { return rd32(p) | (uint64_t)rd32(p + 4) << 32; }
static void wr32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++) p[i] = (uint8_t)(v >> (8 * i));
}
static void wr64(uint8_t *p, uint64_t v) { wr32(p, (uint32_t)v), wr32(p + 4, (uint32_t)(v >> 32)); }

static uint32_t crc(const uint8_t *p, size_t n) { return (uint32_t)crc32(crc32(0, Z_NULL, 0), p, (uInt)n); }

static uint32_t nsec_of(const uint8_t *b) { return rd32(b + 24); }
static size_t head_of(const uint8_t *b) { return 160 + 32 * (size_t)nsec_of(b); } /* offset of the head CRC */
static const uint8_t *entry(const uint8_t *b, unsigned i) { return b + 160 + 32 * i; }

/* Recompute the head CRC, every section CRC and the file CRC, so a test can
 * make a file whose checksums are right but whose content is wrong. */
static void refresh_crcs(uint8_t *b, size_t len)
{
    for (unsigned i = 0; i < nsec_of(b); i++) {
        uint8_t *e = b + 160 + 32 * i;
        wr32(e + 24, crc(b + rd64(e + 8), (size_t)rd64(e + 16)));
    }
    wr32(b + head_of(b), crc(b, head_of(b)));
    wr32(b + len - 4, crc(b, len - 4));
}

/* Section data of the given type, or NULL. */
static uint8_t *section(uint8_t *b, uint32_t type, size_t *len)
{
    for (unsigned i = 0; i < nsec_of(b); i++) {
        const uint8_t *e = entry(b, i);
        if (rd32(e) == type) {
            if (len) *len = (size_t)rd64(e + 16);
            return b + rd64(e + 8);
        }
    }
    return NULL;
}

static const char *sec_names[] = {"?", "COUPLINGS", "ROW_EXPONENTS", "BIASES", "BIAS_EXPONENTS", "DIGITS",
                                  "METADATA"};

/* What the reader must name when byte i of the file b is damaged. */
static const char *region(const uint8_t *b, size_t len, size_t i)
{
    if (i < 8) return "magic";
    if (i < 12) return "format version";
    if (i < head_of(b) + 4) return "header";
    if (i >= len - 4) return "file CRC";
    for (unsigned s = 0; s < nsec_of(b); s++) {
        const uint8_t *e = entry(b, s);
        if (i >= rd64(e + 8) && i < rd64(e + 8) + rd64(e + 16)) return sec_names[rd32(e)];
    }
    return "padding";
}

/* Decode must fail, mention `want`, and leave the outputs untouched. */
static void expect_bad(const uint8_t *b, size_t len, const char *want, const char *what)
{
    lv_dev_image out;
    memset(&out, 0x5A, sizeof out);
    lv_dev_image saved = out;
    char *meta = (char *)&saved; /* a sentinel that must survive */
    lv_error err = {{0}};
    int rc = lv_dev_image_decode(b, len, "x.lvimg", &out, &meta, &err);
    CHECK_MSG(rc != 0, "%s: decode accepted a bad file", what);
    if (rc == 0) {
        lv_dev_image_free(&out);
        free(meta);
        return;
    }
    CHECK_MSG(strstr(err.msg, want) != NULL, "%s: message \"%s\" does not mention \"%s\"", what, err.msg, want);
    CHECK_MSG(strstr(err.msg, "x.lvimg") != NULL, "%s: message \"%s\" does not name the file", what, err.msg);
    CHECK_MSG(memcmp(&out, &saved, sizeof out) == 0 && meta == (char *)&saved, "%s: outputs modified on failure",
              what);
}

/* ---- tests ---- */

static void test_round_trip(void)
{
    static const char *meta_in = "{\"source_model\": \"models/paper.safetensors\", \"quantizer\": {\"bits\": 8}}";
    for (int vv = 0; vv <= 1; vv++)
        for (int digits = 0; digits <= 1; digits++)
            for (int with_meta = 0; with_meta <= 1; with_meta++) {
                lv_dev_image a, b;
                make_image(&a, vv, digits, 8, 16);
                lv_error err;
                CHECK_MSG(lv_dev_image_validate(&a, &err) == 0, "%s", err.msg);
                CHECK_MSG(lv_dev_image_write("rt.lvimg", &a, with_meta ? meta_in : NULL, &err) == 0, "%s", err.msg);
                char *meta = (char *)"sentinel";
                memset(&b, 0, sizeof b);
                CHECK_MSG(lv_dev_image_read("rt.lvimg", &b, &meta, &err) == 0, "%s", err.msg);
                CHECK_MSG(images_equal(&a, &b), "round trip vv=%d digits=%d changed the image", vv, digits);
                if (with_meta)
                    CHECK(meta && strcmp(meta, meta_in) == 0);
                else
                    CHECK(meta == NULL);
                free(meta);
                lv_dev_image_free(&b);
                /* metadata_json may be NULL: the reader then skips it. */
                CHECK_MSG(lv_dev_image_read("rt.lvimg", &b, NULL, &err) == 0, "%s", err.msg);
                CHECK(images_equal(&a, &b));
                lv_dev_image_free(&b);
                lv_dev_image_free(&a);
            }
    /* Odd widths and the largest formats also round-trip. */
    lv_dev_image a, b;
    make_image(&a, 1, 0, 16, 24);
    a.wx = 32, a.fx = 30, a.wf = 40, a.ff = 38, a.bn = 2, a.colour_a = 32767;
    a.colour_c = 256; /* round(sqrt(2^30 - 32767^2)) = 255.99... */
    lv_error err;
    CHECK_MSG(lv_dev_image_validate(&a, &err) == 0, "%s", err.msg);
    uint8_t *buf;
    size_t len;
    CHECK_MSG(lv_dev_image_encode(&a, NULL, &buf, &len, &err) == 0, "%s", err.msg);
    CHECK_MSG(lv_dev_image_decode(buf, len, "mem", &b, NULL, &err) == 0, "%s", err.msg);
    CHECK(images_equal(&a, &b));
    /* Encoding is deterministic and canonical. */
    uint8_t *buf2;
    size_t len2;
    CHECK(lv_dev_image_encode(&b, NULL, &buf2, &len2, &err) == 0 && len2 == len && memcmp(buf, buf2, len) == 0);
    free(buf2);
    free(buf);
    lv_dev_image_free(&b);
    lv_dev_image_free(&a);
}

static void test_layout(void)
{
    /* The documented layout, checked byte by byte on a known image. */
    lv_dev_image a;
    make_image(&a, 0, 1, 8, 16);
    uint8_t *b;
    size_t len;
    lv_error err;
    CHECK_MSG(lv_dev_image_encode(&a, "{}", &b, &len, &err) == 0, "%s", err.msg);
    CHECK(memcmp(b, "LVDEVIMG", 8) == 0 && rd32(b + 8) == 1);
    CHECK(nsec_of(b) == 6 && rd32(b + 12) == 160 + 32 * 6 + 4 && rd64(b + 16) == len);
    CHECK(rd32(b + 28) == 0 && rd32(b + 32) == NV && rd32(b + 36) == NH && rd64(b + 40) == a.m &&
          rd32(b + 48) == a.n_rows);
    CHECK(b[52] == 24 && b[53] == 20 && b[54] == 8 && b[55] == 16 && b[56] == 32 && b[57] == 16 && b[58] == 14);
    CHECK(rd32(b + 60) == 65536 && rd32(b + 68) == 4294967u && rd32(b + 76) == (uint32_t)-77);
    double dt;
    uint64_t u = rd64(b + 128);
    memcpy(&dt, &u, 8);
    CHECK(dt == 1e-3);
    uint64_t pos = 160 + 32 * 6 + 4;
    for (unsigned i = 0; i < 6; i++) {
        const uint8_t *e = entry(b, i);
        CHECK(rd32(e) == i + 1);
        CHECK(rd64(e + 8) == ((pos + 7) & ~7ull));
        pos = rd64(e + 8) + rd64(e + 16);
    }
    CHECK(((pos + 7) & ~7ull) + 4 == len);
    size_t n;
    uint8_t *c = section(b, 1, &n);
    CHECK(n == 2 * a.m && (int16_t)(c[0] | c[1] << 8) == a.c[0]);
    uint8_t *d = section(b, 5, &n);
    CHECK(n == 16 + 3 * (NV + 1) && rd32(d) == 3 && rd32(d + 4) == 3 && rd32(d + 8) == 4);
    CHECK(rd32(b + len - 4) == crc(b, len - 4));
    free(b);
    lv_dev_image_free(&a);
}

static void test_corruption(void)
{
    lv_dev_image a;
    make_image(&a, 1, 1, 8, 16);
    uint8_t *good;
    size_t len;
    lv_error err;
    CHECK_MSG(lv_dev_image_encode(&a, "{\"k\": [1, 2, 3]}", &good, &len, &err) == 0, "%s", err.msg);
    uint8_t *b = malloc(len + 8);

    /* Every byte, one bit each (cycling through bit positions). */
    int flips = 0;
    for (size_t i = 0; i < len; i++) {
        memcpy(b, good, len);
        b[i] ^= (uint8_t)(1u << (i % 8));
        char what[64];
        snprintf(what, sizeof what, "bit flip at byte %zu", i);
        expect_bad(b, len, region(good, len, i), what);
        flips++;
    }
    CHECK(flips > 500);

    /* Truncation at every length, and a trailing byte. */
    for (size_t l = 0; l < len; l++) {
        char what[64];
        snprintf(what, sizeof what, "truncated to %zu bytes", l);
        expect_bad(good, l, "truncated", what);
    }
    memcpy(b, good, len);
    b[len] = 0;
    expect_bad(b, len + 1, "trailing", "one trailing byte");

    /* Wrong version, even with every CRC right. */
    memcpy(b, good, len);
    wr32(b + 8, 2);
    refresh_crcs(b, len);
    expect_bad(b, len, "format version 2; this build reads version 1 only", "version 2");

    /* Wrong dimensions: nv alone (m no longer matches), then nv, m and
     * n_rows together (the sections are mis-sized). */
    memcpy(b, good, len);
    wr32(b + 32, NV + 1);
    refresh_crcs(b, len);
    expect_bad(b, len, "need", "nv changed");
    memcpy(b, good, len);
    wr32(b + 32, NV + 1);
    wr64(b + 40, lv_dev_couplings(NV + 1, NH, 1));
    wr32(b + 48, (uint32_t)lv_dev_rows(NV + 1, NH, 1));
    refresh_crcs(b, len);
    expect_bad(b, len, "section COUPLINGS is", "nv, m, n_rows changed");
    memcpy(b, good, len);
    wr32(b + 36, 5000);
    refresh_crcs(b, len);
    expect_bad(b, len, "nh = 5000", "nh too large");

    /* Out-of-range formats, each named. */
    static const struct {
        int off, val;
        const char *want;
    } fmt[] = {{52, 7, "wx = 7"}, {53, 23, "fx = 23"}, {54, 17, "bj = 17"}, {55, 1, "bb = 1"},
               {56, 41, "wf = 41"}, {57, 31, "ff = 31"}, {58, 15, "bn = 15"}};
    for (size_t i = 0; i < sizeof fmt / sizeof fmt[0]; i++) {
        memcpy(b, good, len);
        b[fmt[i].off] = (uint8_t)fmt[i].val;
        refresh_crcs(b, len);
        expect_bad(b, len, fmt[i].want, fmt[i].want);
    }
    memcpy(b, good, len);
    wr32(b + 68, 0x80000000u);
    refresh_crcs(b, len);
    expect_bad(b, len, "k = 2147483648", "K >= 2^31");
    memcpy(b, good, len);
    wr64(b + 120, 0x7FF8000000000000ull); /* mu = NaN */
    refresh_crcs(b, len);
    expect_bad(b, len, "mu = nan", "mu NaN");

    /* Codes outside their widths, with CRCs right. */
    size_t n;
    memcpy(b, good, len);
    uint8_t *c = section(b, 1, &n);
    c[2 * 5] = 128, c[2 * 5 + 1] = 0; /* code 128 does not fit 8 symmetric bits */
    refresh_crcs(b, len);
    expect_bad(b, len, "coupling code 128 at index 5", "coupling code too wide");
    memcpy(b, good, len);
    c = section(b, 1, &n);
    c[0] = 0x80, c[1] = 0xFF; /* -128: the most negative code is never stored */
    refresh_crcs(b, len);
    expect_bad(b, len, "coupling code -128 at index 0", "coupling code -2^(BJ-1)");
    memcpy(b, good, len);
    c = section(b, 3, &n);
    wr32(c + 4 * 2, 40000);
    refresh_crcs(b, len);
    expect_bad(b, len, "bias code 40000 of unit 2", "bias code too wide");
    memcpy(b, good, len);
    c = section(b, 2, &n);
    c[3] = 48;
    refresh_crcs(b, len);
    expect_bad(b, len, "ej[3] = 48", "row exponent too large");
    memcpy(b, good, len);
    c = section(b, 4, &n);
    c[1] = (uint8_t)-17;
    refresh_crcs(b, len);
    expect_bad(b, len, "eb[1] = -17", "bias exponent too small");

    /* Structure: unknown section, bad metadata, dirty padding. */
    memcpy(b, good, len);
    wr32(b + 160 + 32 * 5, 9);
    refresh_crcs(b, len);
    expect_bad(b, len, "unknown type 9", "unknown section type");
    memcpy(b, good, len);
    wr32(b + 160 + 32 * 3, 2);
    refresh_crcs(b, len);
    expect_bad(b, len, "ascending", "repeated section");
    memcpy(b, good, len);
    c = section(b, 6, &n);
    memset(c, 'x', n);
    refresh_crcs(b, len);
    expect_bad(b, len, "section METADATA must hold a JSON object", "metadata not JSON");
    memcpy(b, good, len);
    c = section(b, 6, &n);
    c[0] = '[', c[n - 1] = ']';
    memset(c + 1, ' ', n - 2);
    refresh_crcs(b, len);
    expect_bad(b, len, "not an object", "metadata a JSON array");
    int found_pad = 0;
    for (size_t i = head_of(good) + 4; i < len - 4 && !found_pad; i++) {
        if (strcmp(region(good, len, i), "padding") == 0) {
            memcpy(b, good, len);
            b[i] = 1;
            refresh_crcs(b, len);
            expect_bad(b, len, "padding byte", "dirty padding");
            found_pad = 1;
        }
    }
    CHECK(found_pad);
    memcpy(b, good, len);
    c = section(b, 5, &n);
    wr32(c + 4, 2); /* 2 x 4 digits != nv */
    refresh_crcs(b, len);
    expect_bad(b, len, "rows * cols must equal nv", "digit shape");

    /* A file that is not an image at all. */
    {
        static const char zip[] = "PK\x03\x04 something else entirely";
        expect_bad((const uint8_t *)zip, sizeof zip - 1, "magic", "zip file");
    }

    /* The untouched buffer still decodes. */
    lv_dev_image r;
    char *meta;
    CHECK_MSG(lv_dev_image_decode(good, len, "good", &r, &meta, &err) == 0, "%s", err.msg);
    CHECK(images_equal(&a, &r) && strcmp(meta, "{\"k\": [1, 2, 3]}") == 0);
    lv_dev_image_free(&r);
    free(meta);
    free(b);
    free(good);
    lv_dev_image_free(&a);
}

/* Apply one mutation to a fresh valid image; validate must fail naming it. */
typedef void (*mutate_fn)(lv_dev_image *);
#define MUT(name, body) static void name(lv_dev_image *i) { body; }
MUT(m_nv0, i->nv = 0)
MUT(m_nvbig, i->nv = 5000)
MUT(m_sum, i->nv = 4000; i->nh = 100)
MUT(m_vv, i->vv = 2)
MUT(m_m, i->m -= 1)
MUT(m_rows, i->n_rows += 1)
MUT(m_wx, i->wx = 7)
MUT(m_fx, i->fx = 23)
MUT(m_bj, i->bj = 1)
MUT(m_bb, i->bb = 25)
MUT(m_wf, i->wf = 41)
MUT(m_ff, i->ff = 3)
MUT(m_bn, i->bn = 15)
MUT(m_j2, i->j2 = -1)
MUT(m_k0, i->k = 0)
MUT(m_kbig, i->k = 0x80000000u)
MUT(m_off, i->offset = INT32_MIN)
MUT(m_ca, i->colour_a = 32768)
MUT(m_cc, i->colour_c += 1)
MUT(m_cwhite, i->colour_a = 0; i->colour_c = 5)
MUT(m_J2nan, i->J2 = NAN)
MUT(m_kTinf, i->kT = INFINITY)
MUT(m_mu0, i->mu = 0)
MUT(m_dtneg, i->dt = -1e-3)
MUT(m_J2inc, i->J2 = 1.5)
MUT(m_Kinc, i->dt = 2e-3)
MUT(m_c, i->c[7] = 200)
MUT(m_ej, i->ej[2] = -17)
MUT(m_cb, i->cb[4] = -40000)
MUT(m_eb, i->eb[0] = 48)
MUT(m_nd, i->n_digits = -1)
MUT(m_dshape, i->n_digits = 1; i->rows = 5; i->cols = 5; i->digits = (uint8_t *)i->cb; i->digit_labels = (uint8_t *)i->cb)
MUT(m_null, free(i->ej); i->ej = NULL)

static void test_validate(void)
{
    static const struct {
        mutate_fn f;
        const char *want;
    } cases[] = {
        {m_nv0, "nv = 0"},        {m_nvbig, "nv = 5000"},     {m_sum, "4000 + 100"},
        {m_vv, "vv = 2"},         {m_m, "m = "},              {m_rows, "n_rows = "},
        {m_wx, "wx = 7"},         {m_fx, "fx = 23"},          {m_bj, "bj = 1"},
        {m_bb, "bb = 25"},        {m_wf, "wf = 41"},          {m_ff, "ff = 3"},
        {m_bn, "bn = 15"},        {m_j2, "j2 = -1"},          {m_k0, "k = 0"},
        {m_kbig, "k = 2147483648"}, {m_off, "offset = -2147483648"}, {m_ca, "colour_a = 32768"},
        {m_cc, "colour_c = 28379"}, {m_cwhite, "colour_c = 5"}, {m_J2nan, "J2 = nan"},
        {m_kTinf, "kT = inf"},    {m_mu0, "mu = 0"},          {m_dtneg, "dt = -0.001"},
        {m_J2inc, "does not encode J2"}, {m_Kinc, "does not encode mu*dt"}, {m_c, "coupling code 200 at index 7"},
        {m_ej, "ej[2] = -17"},    {m_cb, "bias code -40000 of unit 4"}, {m_eb, "eb[0] = 48"},
        {m_nd, "n_digits = -1"},  {m_dshape, "5 x 5 pixels"},  {m_null, "NULL"},
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        lv_dev_image img;
        make_image(&img, 0, 0, 8, 16);
        uint8_t *digits = img.digits;
        cases[k].f(&img);
        lv_error err = {{0}};
        CHECK_MSG(lv_dev_image_validate(&img, &err) != 0, "case %zu (%s) was accepted", k, cases[k].want);
        CHECK_MSG(strstr(err.msg, cases[k].want) != NULL, "case %zu: \"%s\" does not mention \"%s\"", k, err.msg,
                  cases[k].want);
        if (img.digits == (uint8_t *)img.cb) img.digits = digits, img.digit_labels = NULL;
        lv_dev_image_free(&img);
    }
    /* White noise: only ca = 32768 (the formula) passes, the value the
     * noise DAC itself checks; ca = 0 is refused. */
    lv_dev_image img;
    make_image(&img, 0, 0, 8, 16);
    lv_error err;
    img.colour_a = 0, img.colour_c = 0;
    CHECK(lv_dev_image_validate(&img, &err) != 0 && strstr(err.msg, "colour_c = 0") != NULL);
    img.colour_c = 32768;
    CHECK_MSG(lv_dev_image_validate(&img, &err) == 0, "%s", err.msg);
    /* No hidden units with the visible-visible block is a valid device. */
    lv_dev_image_free(&img);
    make_image(&img, 1, 0, 8, 16);
    img.nh = 0, img.m = lv_dev_couplings(NV, 0, 1), img.n_rows = lv_dev_rows(NV, 0, 1);
    CHECK_MSG(lv_dev_image_validate(&img, &err) == 0, "%s", err.msg);
    lv_dev_image_free(&img);
    CHECK(lv_dev_image_validate(NULL, &err) != 0);
}

static size_t dir_entries(const char *dir)
{
    DIR *d = opendir(dir);
    size_t n = 0;
    if (!d) return 0;
    for (struct dirent *e; (e = readdir(d));)
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) n++;
    closedir(d);
    return n;
}

static int file_equals(const char *path, const uint8_t *data, size_t n)
{
    uint8_t *got;
    size_t len;
    lv_error err;
    if (lv_read_file(path, &got, &len, 1 << 24, &err)) return 0;
    int eq = len == n && memcmp(got, data, n) == 0;
    free(got);
    return eq;
}

static void test_failed_write(void)
{
    lv_error err;
    CHECK(lv_mkdir_p("wr", &err) == 0);
    lv_dev_image a;
    make_image(&a, 0, 0, 8, 16);
    CHECK_MSG(lv_dev_image_write("wr/a.lvimg", &a, NULL, &err) == 0, "%s", err.msg);
    uint8_t *before;
    size_t n;
    CHECK(lv_read_file("wr/a.lvimg", &before, &n, 1 << 24, &err) == 0);

    /* An invalid image is refused before anything is written. */
    a.bj = 40;
    CHECK(lv_dev_image_write("wr/a.lvimg", &a, NULL, &err) != 0);
    CHECK_MSG(strstr(err.msg, "wr/a.lvimg") && strstr(err.msg, "bj = 40"), "%s", err.msg);
    a.bj = 8;
    /* So is metadata that is not a JSON object. */
    CHECK(lv_dev_image_write("wr/a.lvimg", &a, "{\"open\": ", &err) != 0);
    CHECK_MSG(strstr(err.msg, "JSON object"), "%s", err.msg);
    CHECK(lv_dev_image_write("wr/a.lvimg", &a, "[1]", &err) != 0);
    CHECK(file_equals("wr/a.lvimg", before, n));
    CHECK(dir_entries("wr") == 1);

    /* An I/O failure (the destination is a non-empty directory, so the
     * final rename fails) leaves it and its neighbours as they were. */
    CHECK(lv_mkdir_p("wr/busy", &err) == 0);
    CHECK(lv_write_file_atomic("wr/busy/keep", "k", 1, &err) == 0);
    CHECK(lv_dev_image_write("wr/busy", &a, NULL, &err) != 0);
    CHECK_MSG(strstr(err.msg, "wr/busy"), "%s", err.msg);
    CHECK(dir_entries("wr") == 2 && dir_entries("wr/busy") == 1);
    CHECK(file_equals("wr/busy/keep", (const uint8_t *)"k", 1));
    CHECK(file_equals("wr/a.lvimg", before, n));

    /* Reading a missing file fails cleanly too. */
    lv_dev_image r;
    memset(&r, 0, sizeof r);
    CHECK(lv_dev_image_read("wr/missing.lvimg", &r, NULL, &err) != 0 && r.c == NULL);
    CHECK_MSG(strstr(err.msg, "wr/missing.lvimg"), "%s", err.msg);
    free(before);
    lv_dev_image_free(&a);
}

/* Parse one $readmemh file: depth lines of exactly `digits` hex digits;
 * sign-extend from `width` bits into out[].  Returns lines read, -1 on a
 * malformed line. */
static long read_hex(const char *path, int width, int64_t *out, size_t cap)
{
    FILE *f = fopen(path, "r");
    if (!f) return -1;
    char line[64];
    long n = 0;
    int digits = (width + 3) / 4;
    while (fgets(line, sizeof line, f)) {
        size_t l = strlen(line);
        if (l != (size_t)digits + 1 || line[l - 1] != '\n' || (size_t)n >= cap) {
            n = -1;
            break;
        }
        char *end;
        unsigned long long v = strtoull(line, &end, 16);
        if (end != line + digits || v >> width) {
            n = -1;
            break;
        }
        int64_t s = (int64_t)v;
        if (v >> (width - 1)) s -= (int64_t)1 << width;
        out[n++] = s;
    }
    fclose(f);
    return n;
}

static int manifest_mem(const cJSON *mems, const char *name, int *width, long *depth)
{
    const cJSON *m;
    cJSON_ArrayForEach(m, mems) {
        const cJSON *nm = cJSON_GetObjectItemCaseSensitive(m, "name");
        if (cJSON_IsString(nm) && strcmp(nm->valuestring, name) == 0) {
            *width = cJSON_GetObjectItemCaseSensitive(m, "width")->valueint;
            *depth = (long)cJSON_GetObjectItemCaseSensitive(m, "depth")->valuedouble;
            return 0;
        }
    }
    return -1;
}

static void test_readmemh(void)
{
    static const int widths[][2] = {{8, 16}, {5, 13}, {16, 24}, {2, 2}};
    for (size_t w = 0; w < sizeof widths / sizeof widths[0]; w++) {
        lv_dev_image a;
        make_image(&a, (int)(w & 1), 0, widths[w][0], widths[w][1]);
        lv_error err;
        char dir[64];
        snprintf(dir, sizeof dir, "hex/bj%d", widths[w][0]);
        CHECK_MSG(lv_dev_image_export_readmemh(&a, dir, &err) == 0, "%s", err.msg);
        size_t N = NV + NH;
        int64_t *v = malloc((a.m + 8) * sizeof *v);
        char path[128];
        snprintf(path, sizeof path, "%s/couplings.hex", dir);
        long got = read_hex(path, a.bj, v, a.m + 8);
        CHECK_MSG(got == (long)a.m, "%s: %ld lines, want %zu", path, got, a.m);
        int ok = got == (long)a.m;
        for (size_t k = 0; ok && k < a.m; k++) ok = v[k] == a.c[k];
        CHECK_MSG(ok, "%s does not read back as the coupling codes", path);
        snprintf(path, sizeof path, "%s/row_exp.hex", dir);
        got = read_hex(path, 8, v, a.m + 8);
        ok = got == (long)a.n_rows;
        for (size_t k = 0; ok && k < a.n_rows; k++) ok = v[k] == a.ej[k];
        CHECK_MSG(ok, "%s does not read back as the row exponents", path);
        snprintf(path, sizeof path, "%s/bias.hex", dir);
        got = read_hex(path, a.bb, v, a.m + 8);
        ok = got == (long)N;
        for (size_t k = 0; ok && k < N; k++) ok = v[k] == a.cb[k];
        CHECK_MSG(ok, "%s does not read back as the bias codes", path);
        snprintf(path, sizeof path, "%s/bias_exp.hex", dir);
        got = read_hex(path, 8, v, a.m + 8);
        CHECK_MSG(got == 2 && v[0] == a.eb[0] && v[1] == a.eb[1], "%s does not read back", path);
        free(v);

        snprintf(path, sizeof path, "%s/manifest.json", dir);
        uint8_t *text;
        size_t n;
        CHECK(lv_read_file(path, &text, &n, 1 << 20, &err) == 0);
        cJSON *root = cJSON_Parse((const char *)text);
        CHECK_MSG(root != NULL, "%s is not JSON", path);
        if (root) {
            const cJSON *mems = cJSON_GetObjectItemCaseSensitive(root, "memories");
            int width;
            long depth;
            CHECK(manifest_mem(mems, "couplings", &width, &depth) == 0 && width == a.bj && depth == (long)a.m);
            CHECK(manifest_mem(mems, "row_exp", &width, &depth) == 0 && width == 8 && depth == (long)a.n_rows);
            CHECK(manifest_mem(mems, "bias", &width, &depth) == 0 && width == a.bb && depth == (long)N);
            CHECK(manifest_mem(mems, "bias_exp", &width, &depth) == 0 && width == 8 && depth == 2);
            CHECK(cJSON_GetObjectItemCaseSensitive(root, "k")->valuedouble == a.k);
            CHECK(cJSON_GetObjectItemCaseSensitive(root, "gain")->valuedouble == a.gain);
            cJSON_Delete(root);
        }
        free(text);
        CHECK(dir_entries(dir) == 5); /* no temporaries left */
        lv_dev_image_free(&a);
    }
    /* A few exact lines: BJ = 5, code -3 is 0x1d; BJ = 8, code -127 is 0x81. */
    lv_dev_image a;
    make_image(&a, 0, 0, 5, 13);
    a.c[0] = -3, a.c[1] = 15, a.cb[0] = -1;
    lv_error err;
    CHECK(lv_dev_image_export_readmemh(&a, "hex/exact", &err) == 0);
    uint8_t *t;
    size_t n;
    CHECK(lv_read_file("hex/exact/couplings.hex", &t, &n, 1 << 20, &err) == 0 && strncmp((char *)t, "1d\n0f\n", 6) == 0);
    free(t);
    CHECK(lv_read_file("hex/exact/bias.hex", &t, &n, 1 << 20, &err) == 0 && strncmp((char *)t, "1fff\n", 5) == 0);
    free(t);
    a.c[0] = 16; /* outside 5 bits: refused, nothing new written */
    CHECK(lv_dev_image_export_readmemh(&a, "hex/refused", &err) != 0);
    CHECK_MSG(strstr(err.msg, "coupling code 16"), "%s", err.msg);
    struct stat st;
    CHECK(stat("hex/refused", &st) != 0 && errno == ENOENT);
    lv_dev_image_free(&a);
}

int main(void)
{
    test_round_trip();
    test_layout();
    test_corruption();
    test_validate();
    test_failed_write();
    test_readmemh();
    return lv_test_report("test_device_image_io");
}
