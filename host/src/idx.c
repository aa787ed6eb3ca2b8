/* idx.c - IDX reader/writer; see idx.h for the contract. */
#include "idx.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <zlib.h>

#include "fileio.h"

/* gzread takes an unsigned and returns an int: read in bounded chunks. */
#define READ_CHUNK ((size_t)1 << 24)
/* Payload buffers grow as data actually arrives, so a lying header on a
 * tiny file cannot make us allocate a gigabyte up front. */
#define FIRST_ALLOC ((size_t)1 << 22)
/* How far past the payload we look when counting trailing bytes. */
#define TRAILING_SCAN ((uint64_t)1 << 20)

typedef struct {
    const char *path;
    gzFile gz;
} reader;

static int reader_open(reader *r, const char *path, lv_error *err)
{
    r->path = path;
    r->gz = NULL;
    struct stat st;
    if (stat(path, &st) != 0) return lv_fail_errno(err, "cannot open %s", path);
    if (S_ISDIR(st.st_mode)) return lv_fail(err, "%s is a directory, not an IDX file", path);
    errno = 0;
    r->gz = gzopen(path, "rb");
    if (!r->gz) {
        if (errno) return lv_fail_errno(err, "cannot open %s", path);
        return lv_fail(err, "cannot open %s: out of memory", path);
    }
    gzbuffer(r->gz, 1u << 18); /* the default 8 KiB makes big files slow */
    return 0;
}

static void reader_close(reader *r)
{
    if (r->gz) gzclose_r(r->gz);
    r->gz = NULL;
}

/* Read up to n bytes; *got is what arrived before end of file.  Fails only
 * on I/O errors and corrupt gzip data.  A gzip stream that simply stops
 * reads as end of file here; truncated_gz() tells that case apart. */
static int reader_read(reader *r, void *buf, size_t n, size_t *got, lv_error *err)
{
    *got = 0;
    while (*got < n) {
        size_t want = n - *got < READ_CHUNK ? n - *got : READ_CHUNK;
        int k = gzread(r->gz, (uint8_t *)buf + *got, (unsigned)want);
        if (k < 0) {
            int errnum;
            const char *msg = gzerror(r->gz, &errnum);
            if (errnum == Z_ERRNO) return lv_fail_errno(err, "reading %s failed", r->path);
            /* zlib prefixes its message with "path: "; we already say it. */
            size_t pl = strlen(r->path);
            if (strncmp(msg, r->path, pl) == 0 && strncmp(msg + pl, ": ", 2) == 0) msg += pl + 2;
            return lv_fail(err, "%s: corrupt gzip data (%s)", r->path, msg);
        }
        if (k == 0) break;
        *got += (size_t)k;
    }
    return 0;
}

static const char *truncated_gz(reader *r)
{
    int errnum;
    gzerror(r->gz, &errnum);
    return errnum == Z_BUF_ERROR ? " (the gzip stream is cut short)" : "";
}

static const char *type_name(unsigned t)
{
    switch (t) {
    case 0x08: return "unsigned byte";
    case 0x09: return "signed byte";
    case 0x0B: return "16-bit integer";
    case 0x0C: return "32-bit integer";
    case 0x0D: return "32-bit float";
    case 0x0E: return "64-bit float";
    default: return "unknown-type";
    }
}

static uint32_t be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void put_be32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

/* Read and check the magic and the dimension sizes; want_ndims is 3 for
 * images, 1 for labels.  Dimension sizes are returned unchecked. */
static int read_header(reader *r, unsigned want_ndims, uint32_t *dims, lv_error *err)
{
    const char *path = r->path;
    const char *want = want_ndims == 3 ? "images" : "labels";
    const char *a_want = want_ndims == 3 ? "an images" : "a labels";
    uint32_t want_magic = want_ndims == 3 ? LV_IDX_MAGIC_IMAGES : LV_IDX_MAGIC_LABELS;
    uint8_t m[4];
    size_t got;
    if (reader_read(r, m, 4, &got, err)) return -1;
    if (got == 0) return lv_fail(err, "%s is empty%s, not an IDX %s file", path, truncated_gz(r), want);
    if (got < 4)
        return lv_fail(err, "%s: truncated header: only %zu bytes%s, too short for an IDX magic number",
                       path, got, truncated_gz(r));
    uint32_t magic = be32(m);
    if (m[0] || m[1])
        return lv_fail(err,
                       "%s is not an IDX file: it starts with bytes %02x %02x %02x %02x, but IDX "
                       "files start with 00 00 (expected %s magic 0x%08x)",
                       path, m[0], m[1], m[2], m[3], want, (unsigned)want_magic);
    if (m[2] != 0x08)
        return lv_fail(err,
                       "%s: IDX magic 0x%08x says %s elements (type 0x%02x); only unsigned bytes "
                       "(type 0x08) are supported",
                       path, (unsigned)magic, type_name(m[2]), m[2]);
    if (m[3] != want_ndims) {
        if (m[3] == 1 || m[3] == 3)
            return lv_fail(err, "%s is an IDX %s file (magic 0x%08x), not %s file (magic 0x%08x)",
                           path, m[3] == 1 ? "labels" : "images", (unsigned)magic, a_want,
                           (unsigned)want_magic);
        return lv_fail(err,
                       "%s: IDX magic 0x%08x says %u dimensions, but %s file has %u "
                       "(magic 0x%08x)",
                       path, (unsigned)magic, m[3], a_want, want_ndims, (unsigned)want_magic);
    }
    uint8_t d[12];
    if (reader_read(r, d, 4 * want_ndims, &got, err)) return -1;
    if (got < 4 * want_ndims)
        return lv_fail(err,
                       "%s: truncated header: an IDX %s header is %u bytes but the file ends after %zu%s",
                       path, want, 4 + 4 * want_ndims, 4 + got, truncated_gz(r));
    for (unsigned i = 0; i < want_ndims; ++i) dims[i] = be32(d + 4 * i);
    return 0;
}

/* Read exactly `total` payload bytes and then insist on end of file.
 * `what` describes the promised content for the truncation message. */
static int read_payload(reader *r, uint64_t total, const char *what, uint8_t **out, lv_error *err)
{
    *out = NULL;
    size_t cap = total < FIRST_ALLOC ? (size_t)total : FIRST_ALLOC;
    size_t have = 0;
    uint8_t *buf = malloc(cap);
    if (!buf) return lv_fail(err, "%s: out of memory (%zu bytes)", r->path, cap);
    for (;;) {
        size_t got;
        if (reader_read(r, buf + have, cap - have, &got, err)) goto fail;
        have += got;
        if (have < cap) {
            lv_fail(err, "%s: truncated: header promises %s (%llu bytes) but only %zu bytes follow%s",
                    r->path, what, (unsigned long long)total, have, truncated_gz(r));
            goto fail;
        }
        if (have == total) break;
        size_t ncap = cap * 2 < total ? cap * 2 : (size_t)total;
        uint8_t *nb = realloc(buf, ncap);
        if (!nb) {
            lv_fail(err, "%s: out of memory (%zu bytes)", r->path, ncap);
            goto fail;
        }
        buf = nb;
        cap = ncap;
    }
    /* Trailing bytes usually mean the header is wrong or two files were
     * concatenated; either way the data cannot be trusted. */
    uint8_t scratch[4096];
    uint64_t extra = 0;
    for (;;) {
        size_t got;
        if (reader_read(r, scratch, sizeof scratch, &got, err)) goto fail;
        extra += got;
        if (got < sizeof scratch || extra >= TRAILING_SCAN) break;
    }
    if (extra) {
        lv_fail(err,
                "%s: %s%llu unexpected bytes after the %llu-byte payload of %s (trailing garbage, "
                "or a header that understates the size)",
                r->path, extra >= TRAILING_SCAN ? "at least " : "", (unsigned long long)extra,
                (unsigned long long)total, what);
        goto fail;
    }
    *out = buf;
    return 0;
fail:
    free(buf);
    return -1;
}

/* Shared limits for reading and writing; `who` prefixes the message. */
static int check_image_dims(const char *who, uint32_t count, uint32_t rows, uint32_t cols,
                            uint64_t *total, lv_error *err)
{
    if (!count || !rows || !cols)
        return lv_fail(err, "%s: %u images of %ux%u: every dimension must be nonzero", who,
                       (unsigned)count, (unsigned)rows, (unsigned)cols);
    if (rows > LV_IDX_MAX_SIDE || cols > LV_IDX_MAX_SIDE)
        return lv_fail(err, "%s: images of %ux%u are larger than the %ux%u limit (corrupt header?)",
                       who, (unsigned)rows, (unsigned)cols, LV_IDX_MAX_SIDE, LV_IDX_MAX_SIDE);
    /* count < 2^32 and rows*cols <= 2^24, so this cannot overflow 64 bits. */
    *total = (uint64_t)count * rows * cols;
    if (*total > LV_IDX_MAX_BYTES)
        return lv_fail(err, "%s: %u images of %ux%u are %llu bytes, more than the 1 GiB limit", who,
                       (unsigned)count, (unsigned)rows, (unsigned)cols,
                       (unsigned long long)*total);
    return 0;
}

static int check_label_count(const char *who, uint32_t count, lv_error *err)
{
    if (!count) return lv_fail(err, "%s: the label count is zero", who);
    if (count > LV_IDX_MAX_BYTES)
        return lv_fail(err, "%s: %u labels are more than the 1 GiB limit", who, (unsigned)count);
    return 0;
}

int lv_idx_read_images(const char *path, lv_idx_images *out, lv_error *err)
{
    memset(out, 0, sizeof *out);
    reader r;
    if (reader_open(&r, path, err)) return -1;
    uint32_t d[3];
    uint64_t total;
    uint8_t *px;
    char what[96];
    int rc = read_header(&r, 3, d, err);
    if (!rc) rc = check_image_dims(path, d[0], d[1], d[2], &total, err);
    if (!rc) {
        snprintf(what, sizeof what, "%u images of %ux%u", (unsigned)d[0], (unsigned)d[1],
                 (unsigned)d[2]);
        rc = read_payload(&r, total, what, &px, err);
    }
    reader_close(&r);
    if (rc) return -1;
    out->count = d[0];
    out->rows = d[1];
    out->cols = d[2];
    out->pixels = px;
    return 0;
}

int lv_idx_read_labels(const char *path, lv_idx_labels *out, lv_error *err)
{
    memset(out, 0, sizeof *out);
    reader r;
    if (reader_open(&r, path, err)) return -1;
    uint32_t n;
    uint8_t *lb;
    char what[48];
    int rc = read_header(&r, 1, &n, err);
    if (!rc) rc = check_label_count(path, n, err);
    if (!rc) {
        snprintf(what, sizeof what, "%u labels", (unsigned)n);
        rc = read_payload(&r, n, what, &lb, err);
    }
    reader_close(&r);
    if (rc) return -1;
    out->count = n;
    out->labels = lb;
    return 0;
}

static int refuse_gz_name(const char *path, lv_error *err)
{
    size_t n = strlen(path);
    if (n >= 3 && strcmp(path + n - 3, ".gz") == 0)
        return lv_fail(err,
                       "%s: IDX files are written uncompressed, so a name ending in .gz would be "
                       "misleading; drop the .gz (gzip it afterwards if needed)",
                       path);
    return 0;
}

/* Write header and payload to a fresh temporary; the caller commits. */
static int stage(const char *path, const uint8_t *hdr, size_t hdr_n, const uint8_t *data, size_t n,
                 lv_atomic_file **out, lv_error *err)
{
    lv_atomic_file *f;
    *out = NULL;
    if (lv_atomic_open(&f, path, err)) return -1;
    FILE *fp = lv_atomic_stream(f);
    if (fwrite(hdr, 1, hdr_n, fp) != hdr_n || fwrite(data, 1, n, fp) != n) {
        int rc = lv_fail_errno(err, "writing %s failed", path);
        lv_atomic_abort(f);
        return rc;
    }
    *out = f;
    return 0;
}

static int stage_images(const char *path, const lv_idx_images *im, lv_atomic_file **out,
                        lv_error *err)
{
    uint64_t total;
    *out = NULL;
    if (refuse_gz_name(path, err)) return -1;
    if (check_image_dims(path, im->count, im->rows, im->cols, &total, err)) return -1;
    if (!im->pixels) return lv_fail(err, "%s: no pixel data to write", path);
    uint8_t hdr[16];
    put_be32(hdr, LV_IDX_MAGIC_IMAGES);
    put_be32(hdr + 4, im->count);
    put_be32(hdr + 8, im->rows);
    put_be32(hdr + 12, im->cols);
    return stage(path, hdr, sizeof hdr, im->pixels, (size_t)total, out, err);
}

static int stage_labels(const char *path, const lv_idx_labels *lb, lv_atomic_file **out,
                        lv_error *err)
{
    *out = NULL;
    if (refuse_gz_name(path, err)) return -1;
    if (check_label_count(path, lb->count, err)) return -1;
    if (!lb->labels) return lv_fail(err, "%s: no label data to write", path);
    uint8_t hdr[8];
    put_be32(hdr, LV_IDX_MAGIC_LABELS);
    put_be32(hdr + 4, lb->count);
    return stage(path, hdr, sizeof hdr, lb->labels, lb->count, out, err);
}

int lv_idx_write_images(const char *path, const lv_idx_images *im, lv_error *err)
{
    lv_atomic_file *f;
    if (stage_images(path, im, &f, err)) return -1;
    return lv_atomic_commit(f, err);
}

int lv_idx_write_labels(const char *path, const lv_idx_labels *lb, lv_error *err)
{
    lv_atomic_file *f;
    if (stage_labels(path, lb, &f, err)) return -1;
    return lv_atomic_commit(f, err);
}

int lv_idx_write_pair(const char *images_path, const lv_idx_images *im, const char *labels_path,
                      const lv_idx_labels *lb, lv_error *err)
{
    if (strcmp(images_path, labels_path) == 0)
        return lv_fail(err, "%s: images and labels cannot be written to the same file",
                       images_path);
    if (im->count != lb->count)
        return lv_fail(err, "%s and %s: %u images but %u labels; the counts must match",
                       images_path, labels_path, (unsigned)im->count, (unsigned)lb->count);
    lv_atomic_file *fi, *fl;
    if (stage_images(images_path, im, &fi, err)) return -1;
    if (stage_labels(labels_path, lb, &fl, err)) {
        lv_atomic_abort(fi);
        return -1;
    }
    if (lv_atomic_commit(fi, err)) {
        lv_atomic_abort(fl);
        return -1;
    }
    if (lv_atomic_commit(fl, err))
        return lv_fail_prefix(err, "%s was written but its labels were not", images_path);
    return 0;
}

void lv_idx_images_free(lv_idx_images *im)
{
    if (!im) return;
    free(im->pixels);
    memset(im, 0, sizeof *im);
}

void lv_idx_labels_free(lv_idx_labels *lb)
{
    if (!lb) return;
    free(lb->labels);
    memset(lb, 0, sizeof *lb);
}
