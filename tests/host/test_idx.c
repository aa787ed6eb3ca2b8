/* test_idx.c - IDX reader/writer: round trips (plain and gzip), every
 * corruption class giving a clear error, and the installed Fashion-MNIST
 * files when Debian's dataset-fashion-mnist package is present. */
#include <stdint.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "../test_util.h"
#include "fileio.h"
#include "idx.h"

#define FASHION_DIR "/usr/share/datasets/fashion-mnist"

static void put_be32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

static void write_raw(const char *path, const void *data, size_t n)
{
    lv_error err;
    int rc = lv_write_file_atomic(path, data, n, &err);
    CHECK_MSG(rc == 0, "%s", err.msg);
}

/* A header for an IDX file with the given magic and dims, plus `payload`
 * bytes of a pattern.  Returns the total length written into buf. */
static size_t make_idx(uint8_t *buf, uint32_t magic, const uint32_t *dims, unsigned nd,
                       size_t payload)
{
    put_be32(buf, magic);
    for (unsigned i = 0; i < nd; ++i) put_be32(buf + 4 + 4 * i, dims[i]);
    size_t h = 4 + 4 * (size_t)nd;
    for (size_t i = 0; i < payload; ++i) buf[h + i] = (uint8_t)(i * 37 + 11);
    return h + payload;
}

/* Reading `path` as images must fail, mention the file name and `word`,
 * and leave the output zeroed. */
static void expect_images_fail(const char *path, const char *word)
{
    lv_error err = {{0}};
    lv_idx_images im;
    memset(&im, 0xAB, sizeof im);
    int rc = lv_idx_read_images(path, &im, &err);
    CHECK_MSG(rc != 0, "%s unexpectedly read as images", path);
    CHECK_MSG(strstr(err.msg, word) != NULL, "%s: message lacks \"%s\": %s", path, word, err.msg);
    CHECK_MSG(strstr(err.msg, path) != NULL, "message does not name %s: %s", path, err.msg);
    CHECK(im.pixels == NULL && im.count == 0 && im.rows == 0 && im.cols == 0);
    lv_idx_images_free(&im);
}

static void expect_labels_fail(const char *path, const char *word)
{
    lv_error err = {{0}};
    lv_idx_labels lb;
    memset(&lb, 0xAB, sizeof lb);
    int rc = lv_idx_read_labels(path, &lb, &err);
    CHECK_MSG(rc != 0, "%s unexpectedly read as labels", path);
    CHECK_MSG(strstr(err.msg, word) != NULL, "%s: message lacks \"%s\": %s", path, word, err.msg);
    CHECK_MSG(strstr(err.msg, path) != NULL, "message does not name %s: %s", path, err.msg);
    CHECK(lb.labels == NULL && lb.count == 0);
    lv_idx_labels_free(&lb);
}

static void gzip_file(const char *path, const uint8_t *data, size_t n)
{
    gzFile gz = gzopen(path, "wb");
    CHECK(gz != NULL);
    if (!gz) return;
    CHECK(gzwrite(gz, data, (unsigned)n) == (int)n);
    CHECK(gzclose(gz) == Z_OK);
}

static void test_round_trip(void)
{
    lv_error err = {{0}};
    enum { N = 3, R = 5, C = 7 };
    uint8_t px[N * R * C];
    for (int i = 0; i < N * R * C; ++i) px[i] = (uint8_t)(i * 13 + 1);
    lv_idx_images im = {N, R, C, px};
    CHECK_MSG(lv_idx_write_images("rt_images.idx", &im, &err) == 0, "%s", err.msg);

    /* The exact bytes: big-endian magic and dims, then the payload. */
    uint8_t *raw;
    size_t n;
    CHECK(lv_read_file("rt_images.idx", &raw, &n, 1 << 20, &err) == 0);
    CHECK(n == 16 + sizeof px);
    static const uint8_t hdr[16] = {0, 0, 8, 3, 0, 0, 0, N, 0, 0, 0, R, 0, 0, 0, C};
    CHECK(n >= 16 && memcmp(raw, hdr, 16) == 0);
    CHECK(n == 16 + sizeof px && memcmp(raw + 16, px, sizeof px) == 0);

    lv_idx_images back;
    CHECK_MSG(lv_idx_read_images("rt_images.idx", &back, &err) == 0, "%s", err.msg);
    CHECK(back.count == N && back.rows == R && back.cols == C);
    CHECK(back.pixels && memcmp(back.pixels, px, sizeof px) == 0);
    lv_idx_images_free(&back);
    CHECK(back.pixels == NULL && back.count == 0);
    lv_idx_images_free(&back); /* idempotent */
    lv_idx_images_free(NULL);

    uint8_t lab[N] = {7, 0, 255};
    lv_idx_labels lb = {N, lab};
    CHECK_MSG(lv_idx_write_labels("rt_labels.idx", &lb, &err) == 0, "%s", err.msg);
    lv_idx_labels lback;
    CHECK_MSG(lv_idx_read_labels("rt_labels.idx", &lback, &err) == 0, "%s", err.msg);
    CHECK(lback.count == N && lback.labels && memcmp(lback.labels, lab, N) == 0);
    lv_idx_labels_free(&lback);
    lv_idx_labels_free(NULL);

    /* gzip round trip: compress the plain file with zlib and read it back. */
    gzip_file("rt_images.idx.gz", raw, n);
    CHECK_MSG(lv_idx_read_images("rt_images.idx.gz", &back, &err) == 0, "%s", err.msg);
    CHECK(back.count == N && back.rows == R && back.cols == C);
    CHECK(back.pixels && memcmp(back.pixels, px, sizeof px) == 0);
    lv_idx_images_free(&back);

    /* Truncated gzip stream: the message says so. */
    uint8_t *gzraw;
    size_t gzn;
    CHECK(lv_read_file("rt_images.idx.gz", &gzraw, &gzn, 1 << 20, &err) == 0);
    write_raw("cut.idx.gz", gzraw, gzn / 2);
    expect_images_fail("cut.idx.gz", "gzip");
    /* Damaged compressed bytes: some error, never a crash or bad data. */
    for (size_t i = 10; i + 8 < gzn; ++i) gzraw[i] ^= 0x5A;
    write_raw("bad.idx.gz", gzraw, gzn);
    lv_idx_images tmp;
    CHECK(lv_idx_read_images("bad.idx.gz", &tmp, &err) != 0);
    CHECK(err.msg[0] != '\0' && strstr(err.msg, "bad.idx.gz"));
    free(gzraw);

    /* A big lying header on a tiny file fails on truncation (the reader
     * allocates as data arrives, not what the header promises). */
    uint8_t big[16 + 10];
    size_t bn = make_idx(big, LV_IDX_MAGIC_IMAGES, (uint32_t[]){1000000, 28, 28}, 3, 10);
    write_raw("lying.idx", big, bn);
    expect_images_fail("lying.idx",
                       "truncated: header promises 1000000 images of 28x28 (784000000 bytes) "
                       "but only 10 bytes follow");

    /* Every proper prefix of a valid file fails cleanly. */
    for (size_t cut = 0; cut < n; ++cut) {
        write_raw("prefix.idx", raw, cut);
        lv_idx_images p;
        lv_error e = {{0}};
        int rc = lv_idx_read_images("prefix.idx", &p, &e);
        CHECK_MSG(rc != 0 && (strstr(e.msg, "truncated") || strstr(e.msg, "empty")),
                  "cut at %zu: %s", cut, e.msg);
    }
    /* Flipping any single header byte never crashes; if it still reads, the
     * result is self-consistent. */
    for (size_t i = 0; i < 16; ++i) {
        for (int bit = 0; bit < 8; ++bit) {
            raw[i] ^= (uint8_t)(1u << bit);
            write_raw("flip.idx", raw, n);
            lv_idx_images p;
            lv_error e = {{0}};
            if (lv_idx_read_images("flip.idx", &p, &e) == 0) {
                CHECK((size_t)p.count * p.rows * p.cols == sizeof px);
                lv_idx_images_free(&p);
            } else {
                CHECK(e.msg[0] != '\0');
            }
            raw[i] ^= (uint8_t)(1u << bit);
        }
    }
    free(raw);
}

static void test_corruptions(void)
{
    uint8_t buf[256];
    size_t n;

    /* Not IDX at all. */
    write_raw("zip.idx", "PK\3\4 some zip file", 19);
    expect_images_fail("zip.idx", "not an IDX file");
    expect_labels_fail("zip.idx", "not an IDX file");

    /* Labels passed as images and vice versa. */
    n = make_idx(buf, LV_IDX_MAGIC_LABELS, (uint32_t[]){5}, 1, 5);
    write_raw("labels.idx", buf, n);
    expect_images_fail("labels.idx", "is an IDX labels file (magic 0x00000801), not an images file");
    n = make_idx(buf, LV_IDX_MAGIC_IMAGES, (uint32_t[]){1, 2, 2}, 3, 4);
    write_raw("images.idx", buf, n);
    expect_labels_fail("images.idx", "is an IDX images file (magic 0x00000803), not a labels file");

    /* Other element types and dimension counts. */
    n = make_idx(buf, 0x00000D03u, (uint32_t[]){1, 2, 2}, 3, 16);
    write_raw("float.idx", buf, n);
    expect_images_fail("float.idx", "32-bit float");
    n = make_idx(buf, 0x00000802u, (uint32_t[]){2, 2}, 2, 4);
    write_raw("2d.idx", buf, n);
    expect_images_fail("2d.idx", "2 dimensions");
    expect_labels_fail("2d.idx", "2 dimensions");

    /* Empty and truncated headers. */
    write_raw("empty.idx", "", 0);
    expect_images_fail("empty.idx", "empty");
    expect_labels_fail("empty.idx", "empty");
    write_raw("short2.idx", "\0\0", 2);
    expect_images_fail("short2.idx", "truncated header");
    n = make_idx(buf, LV_IDX_MAGIC_IMAGES, (uint32_t[]){1, 2, 2}, 3, 0);
    write_raw("short10.idx", buf, 10);
    expect_images_fail("short10.idx", "truncated header");
    n = make_idx(buf, LV_IDX_MAGIC_LABELS, (uint32_t[]){9}, 1, 0);
    write_raw("short6.idx", buf, 6);
    expect_labels_fail("short6.idx", "truncated header");

    /* Truncated payloads: expected vs found. */
    n = make_idx(buf, LV_IDX_MAGIC_IMAGES, (uint32_t[]){3, 5, 7}, 3, 50);
    write_raw("trunc.idx", buf, n);
    expect_images_fail("trunc.idx",
                       "truncated: header promises 3 images of 5x7 (105 bytes) but only 50 "
                       "bytes follow");
    n = make_idx(buf, LV_IDX_MAGIC_LABELS, (uint32_t[]){10}, 1, 4);
    write_raw("trunc_l.idx", buf, n);
    expect_labels_fail("trunc_l.idx", "10 labels (10 bytes) but only 4 bytes follow");

    /* Trailing bytes. */
    n = make_idx(buf, LV_IDX_MAGIC_IMAGES, (uint32_t[]){2, 3, 3}, 3, 18 + 3);
    write_raw("trail.idx", buf, n);
    expect_images_fail("trail.idx", "3 unexpected bytes after the 18-byte payload");
    n = make_idx(buf, LV_IDX_MAGIC_LABELS, (uint32_t[]){4}, 1, 5);
    write_raw("trail_l.idx", buf, n);
    expect_labels_fail("trail_l.idx", "1 unexpected bytes");

    /* Zero and absurd dimensions. */
    n = make_idx(buf, LV_IDX_MAGIC_IMAGES, (uint32_t[]){0, 28, 28}, 3, 0);
    write_raw("zero_n.idx", buf, n);
    expect_images_fail("zero_n.idx", "nonzero");
    n = make_idx(buf, LV_IDX_MAGIC_IMAGES, (uint32_t[]){5, 0, 28}, 3, 0);
    write_raw("zero_r.idx", buf, n);
    expect_images_fail("zero_r.idx", "nonzero");
    n = make_idx(buf, LV_IDX_MAGIC_LABELS, (uint32_t[]){0}, 1, 0);
    write_raw("zero_l.idx", buf, n);
    expect_labels_fail("zero_l.idx", "zero");
    n = make_idx(buf, LV_IDX_MAGIC_IMAGES, (uint32_t[]){1, 5000, 2}, 3, 16);
    write_raw("wide.idx", buf, n);
    expect_images_fail("wide.idx", "limit");
    n = make_idx(buf, LV_IDX_MAGIC_IMAGES, (uint32_t[]){70000, 4096, 4096}, 3, 16);
    write_raw("huge.idx", buf, n);
    expect_images_fail("huge.idx", "1 GiB");
    /* Would overflow 32-bit arithmetic many times over. */
    n = make_idx(buf, LV_IDX_MAGIC_IMAGES, (uint32_t[]){0xFFFFFFFFu, 4096, 4096}, 3, 16);
    write_raw("overflow.idx", buf, n);
    expect_images_fail("overflow.idx", "1 GiB");
    n = make_idx(buf, LV_IDX_MAGIC_LABELS, (uint32_t[]){0xFFFFFFFFu}, 1, 16);
    write_raw("huge_l.idx", buf, n);
    expect_labels_fail("huge_l.idx", "1 GiB");

    /* Not a file. */
    expect_images_fail("no_such_file.idx", "No such file");
    expect_images_fail(".", "directory");
}

static void test_write_errors(void)
{
    lv_error err = {{0}};
    uint8_t px[4] = {1, 2, 3, 4}, lab[2] = {0, 1};
    lv_idx_images im = {1, 2, 2, px};
    lv_idx_labels lb = {2, lab};

    CHECK(lv_idx_write_images("out.idx.gz", &im, &err) != 0);
    CHECK(strstr(err.msg, ".gz") != NULL);
    CHECK(access("out.idx.gz", F_OK) != 0);

    lv_idx_images zero = {0, 2, 2, px};
    CHECK(lv_idx_write_images("zero_out.idx", &zero, &err) != 0);
    CHECK(strstr(err.msg, "nonzero") != NULL);
    lv_idx_images nopx = {1, 2, 2, NULL};
    CHECK(lv_idx_write_images("nopx_out.idx", &nopx, &err) != 0);
    lv_idx_labels zl = {0, lab};
    CHECK(lv_idx_write_labels("zero_l_out.idx", &zl, &err) != 0);
    CHECK(access("zero_out.idx", F_OK) != 0 && access("nopx_out.idx", F_OK) != 0 &&
          access("zero_l_out.idx", F_OK) != 0);

    CHECK(lv_idx_write_images("no_dir/x.idx", &im, &err) != 0);
    CHECK_MSG(strstr(err.msg, "no_dir/x.idx") != NULL, "%s", err.msg);

    /* Pairs: counts must match, paths must differ, and a failure on the
     * labels side leaves the images destination untouched. */
    CHECK(lv_idx_write_pair("p_img.idx", &im, "p_lab.idx", &lb, &err) != 0);
    CHECK(strstr(err.msg, "1 images but 2 labels") != NULL);
    lb.count = 1;
    CHECK(lv_idx_write_pair("same.idx", &im, "same.idx", &lb, &err) != 0);
    CHECK(strstr(err.msg, "same file") != NULL);
    CHECK(lv_idx_write_pair("p_img.idx", &im, "no_dir/lab.idx", &lb, &err) != 0);
    CHECK(access("p_img.idx", F_OK) != 0);
    CHECK_MSG(lv_idx_write_pair("p_img.idx", &im, "p_lab.idx", &lb, &err) == 0, "%s", err.msg);
    lv_idx_images ib;
    lv_idx_labels lbb;
    CHECK(lv_idx_read_images("p_img.idx", &ib, &err) == 0 && ib.count == 1);
    CHECK(lv_idx_read_labels("p_lab.idx", &lbb, &err) == 0 && lbb.count == 1);
    lv_idx_images_free(&ib);
    lv_idx_labels_free(&lbb);
}

static void check_fashion(const char *images, const char *labels, uint32_t count)
{
    lv_error err = {{0}};
    lv_idx_images im;
    lv_idx_labels lb;
    CHECK_MSG(lv_idx_read_images(images, &im, &err) == 0, "%s", err.msg);
    CHECK_MSG(lv_idx_read_labels(labels, &lb, &err) == 0, "%s", err.msg);
    CHECK(im.count == count && im.rows == 28 && im.cols == 28);
    CHECK(lb.count == count);
    /* Fashion-MNIST is exactly balanced over its ten classes. */
    uint32_t per[256] = {0};
    for (uint32_t i = 0; i < lb.count; ++i) per[lb.labels[i]]++;
    for (int c = 0; c < 10; ++c) CHECK_MSG(per[c] == count / 10, "class %d: %u", c, per[c]);
    uint64_t sum = 0;
    for (size_t i = 0; i < (size_t)im.count * 784; ++i) sum += im.pixels[i];
    CHECK(sum > 0);
    lv_idx_images_free(&im);
    lv_idx_labels_free(&lb);
    /* And the real labels file offered as images is named as such. */
    expect_images_fail(labels, "labels file");
}

int main(void)
{
    test_round_trip();
    test_corruptions();
    test_write_errors();
    if (access(FASHION_DIR "/train-images-idx3-ubyte.gz", R_OK) == 0) {
        check_fashion(FASHION_DIR "/train-images-idx3-ubyte.gz",
                      FASHION_DIR "/train-labels-idx1-ubyte.gz", 60000);
        check_fashion(FASHION_DIR "/t10k-images-idx3-ubyte.gz",
                      FASHION_DIR "/t10k-labels-idx1-ubyte.gz", 10000);
    } else {
        printf("note: %s not installed (Debian package dataset-fashion-mnist); "
               "skipping the real-data checks\n", FASHION_DIR);
    }
    return lv_test_report("idx");
}
