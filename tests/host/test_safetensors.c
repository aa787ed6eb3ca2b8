/* test_safetensors.c - safetensors writer/reader: round trips, metadata,
 * alignment, files laid out by other writers, and rejection of every class
 * of corrupt file (hand-crafted bytes) with a telling message. */
#include <stdint.h>
#include <string.h>

#include "fileio.h"
#include "safetensors.h"
#include "test_util.h"

#define BAD_PATH "bad.safetensors"

static void put_le64(uint8_t *b, uint64_t v)
{
    for (int i = 0; i < 8; i++) b[i] = (uint8_t)(v >> (8 * i));
}

static uint64_t get_le64(const uint8_t *b)
{
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--) v = (v << 8) | b[i];
    return v;
}

/* Write a file: 8-byte length field (hlen_field), header bytes, data. */
static void craft_raw(const char *path, uint64_t hlen_field, const char *hdr, size_t hdr_len,
                      const void *data, size_t dlen)
{
    size_t n = 8 + hdr_len + dlen;
    uint8_t *buf = malloc(n);
    put_le64(buf, hlen_field);
    memcpy(buf + 8, hdr, hdr_len);
    if (dlen) memcpy(buf + 8 + hdr_len, data, dlen);
    lv_error err;
    int rc = lv_write_file_atomic(path, buf, n, &err);
    CHECK_MSG(rc == 0, "%s", err.msg);
    free(buf);
}

static void craft(const char *hdr, const void *data, size_t dlen)
{
    craft_raw(BAD_PATH, strlen(hdr), hdr, strlen(hdr), data, dlen);
}

/* lv_st_open(path) must fail, leave *out NULL, and say `word` and the path. */
static void expect_bad_at(const char *path, const char *word, int line)
{
    lv_error err;
    memset(&err, 0, sizeof err);
    lv_st_file *f = (lv_st_file *)&err; /* must be reset to NULL */
    int rc = lv_st_open(path, &f, &err);
    CHECK_MSG(rc != 0, "line %d: opening a bad file succeeded (expected \"%s\")", line, word);
    CHECK_MSG(f == NULL, "line %d: *out not NULL on failure", line);
    if (rc == 0) {
        lv_st_close(f);
        return;
    }
    CHECK_MSG(strstr(err.msg, word) != NULL, "line %d: message lacks \"%s\": %s", line, word, err.msg);
    CHECK_MSG(strstr(err.msg, path) != NULL, "line %d: message lacks the path: %s", line, err.msg);
}
#define EXPECT_BAD(word) expect_bad_at(BAD_PATH, word, __LINE__)

static const uint8_t zeros[64];

/* ---------------------------------------------------------------- round trip */

static void test_round_trip(void)
{
    double f64[6] = {1.0, -2.5, 3.25, 1e300, -0.0, 6.0};
    float f32[4] = {0.5f, -1.5f, 3.0f, 1e-30f};
    double scalar = 273.15;
    int64_t i64 = -1234567890123LL;
    int32_t i32[8] = {1, -2, 3, -4, 5, -6, 7, INT32_MIN};
    int16_t i16[3] = {-32768, 0, 32767};
    int8_t i8[5] = {-128, -1, 0, 1, 127};
    uint16_t u16[1] = {65535};
    uint32_t u32[2] = {0, 4294967295u};
    uint64_t u64[3] = {0, 1, UINT64_MAX};
    uint8_t u8_odd[3] = {9, 8, 7}; /* odd size: later tensors start unaligned */

    const int64_t s_23[] = {2, 3}, s_4[] = {4}, s_222[] = {2, 2, 2}, s_3[] = {3}, s_5[] = {5},
                  s_03[] = {0, 3}, s_11[] = {1, 1}, s_2[] = {2}, s_302[] = {3, 0, 2};
    struct {
        const char *name;
        lv_st_dtype dt;
        int ndim;
        const int64_t *shape;
        const void *data;
        size_t nbytes;
    } ts[] = {
        {"f64", LV_ST_F64, 2, s_23, f64, sizeof f64},
        {"odd", LV_ST_U8, 1, s_3, u8_odd, sizeof u8_odd},
        {"f32", LV_ST_F32, 1, s_4, f32, sizeof f32},
        {"scalar", LV_ST_F64, 0, NULL, &scalar, sizeof scalar},
        {"i64 scalar", LV_ST_I64, 0, NULL, &i64, sizeof i64},
        {"i32", LV_ST_I32, 3, s_222, i32, sizeof i32},
        {"i16", LV_ST_I16, 1, s_3, i16, sizeof i16},
        {"empty u8", LV_ST_U8, 2, s_03, NULL, 0},
        {"i8", LV_ST_I8, 1, s_5, i8, sizeof i8},
        {"layer.0/w \"q\"\\\n\xc3\xa9", LV_ST_U16, 2, s_11, u16, sizeof u16},
        {"empty u64", LV_ST_U64, 3, s_302, u64, 0},
        {"u32", LV_ST_U32, 1, s_2, u32, sizeof u32},
        {"u64", LV_ST_U64, 1, s_3, u64, sizeof u64},
    };
    const size_t nt = sizeof ts / sizeof ts[0];
    const char *path = "round.safetensors";
    lv_error err;

    lv_st_writer *w = lv_st_writer_new();
    CHECK(w != NULL);
    for (size_t i = 0; i < nt; i++) {
        int rc = lv_st_writer_add(w, ts[i].name, ts[i].dt, ts[i].ndim, ts[i].shape, ts[i].data, &err);
        CHECK_MSG(rc == 0, "add %s: %s", ts[i].name, err.msg);
    }
    const char *mk[] = {"format", "note", "empty", "unicode \xe2\x88\x82"};
    const char *mv[] = {"langevin", "quote \" backslash \\ newline \n tab \t ctl \x01 end", "", "\xf0\x9f\x98\x80"};
    CHECK(lv_st_writer_meta(w, "format", "placeholder", &err) == 0);
    for (size_t i = 0; i < 4; i++) CHECK(lv_st_writer_meta(w, mk[i], mv[i], &err) == 0);
    /* Data is copied at add time: clobbering the source must not matter. */
    double f64_saved[6];
    memcpy(f64_saved, f64, sizeof f64);
    f64[0] = 99.0;
    CHECK_MSG(lv_st_writer_write(w, path, &err) == 0, "%s", err.msg);
    memcpy(f64, f64_saved, sizeof f64);
    lv_st_writer_free(w);

    lv_st_file *f = NULL;
    CHECK_MSG(lv_st_open(path, &f, &err) == 0, "%s", err.msg);
    if (!f) return;
    CHECK(lv_st_count(f) == nt);
    size_t off = 0;
    for (size_t i = 0; i < nt && i < lv_st_count(f); i++) {
        const lv_st_tensor *t = lv_st_at(f, i);
        CHECK_MSG(strcmp(t->name, ts[i].name) == 0, "at(%zu) = %s, want %s", i, t->name, ts[i].name);
        CHECK(lv_st_find(f, ts[i].name) == t);
        CHECK(t->dtype == ts[i].dt);
        CHECK(t->ndim == ts[i].ndim);
        for (int d = 0; d < t->ndim; d++) CHECK(t->shape[d] == ts[i].shape[d]);
        CHECK(t->nbytes == ts[i].nbytes);
        CHECK_MSG(t->offset == off, "%s offset %zu, want %zu (insertion order)", t->name, t->offset, off);
        off += t->nbytes;
        if (ts[i].nbytes) CHECK(memcmp(lv_st_data(f, t), ts[i].data, ts[i].nbytes) == 0);
    }
    CHECK(lv_st_at(f, nt) == NULL);
    CHECK(lv_st_find(f, "nope") == NULL);
    CHECK(lv_st_find(f, "") == NULL);

    double got[6];
    CHECK_MSG(lv_st_read_f64(f, "f64", 2, s_23, got, &err) == 0, "%s", err.msg);
    CHECK(memcmp(got, f64, sizeof got) == 0);
    CHECK_MSG(lv_st_read_f64(f, "f32", 1, s_4, got, &err) == 0, "%s", err.msg);
    for (int i = 0; i < 4; i++) CHECK(got[i] == (double)f32[i]);
    CHECK_MSG(lv_st_read_f64(f, "scalar", 0, NULL, got, &err) == 0, "%s", err.msg);
    CHECK(got[0] == scalar);

    /* Metadata: order, lookup, replacement of "format". */
    CHECK(lv_st_meta_count(f) == 4);
    for (size_t i = 0; i < 4 && i < lv_st_meta_count(f); i++) {
        const char *k = NULL, *v = NULL;
        CHECK(lv_st_meta_at(f, i, &k, &v) == 0);
        CHECK_MSG(k && strcmp(k, mk[i]) == 0, "meta key %zu = %s", i, k ? k : "(null)");
        CHECK(v && strcmp(v, mv[i]) == 0);
        CHECK(lv_st_meta(f, mk[i]) && strcmp(lv_st_meta(f, mk[i]), mv[i]) == 0);
    }
    CHECK(lv_st_meta(f, "absent") == NULL);
    CHECK(lv_st_meta_at(f, 4, NULL, NULL) == -1);
    lv_st_close(f);

    /* Truncating the valid file anywhere must fail cleanly. */
    uint8_t *bytes;
    size_t n;
    CHECK(lv_read_file(path, &bytes, &n, 1 << 20, &err) == 0);
    uint64_t hlen = get_le64(bytes);
    size_t cuts[] = {0, 1, 7, 8, 9, 8 + hlen / 2, 8 + hlen - 1, 8 + hlen, 8 + hlen + 1, n - 9, n - 1};
    for (size_t i = 0; i < sizeof cuts / sizeof cuts[0]; i++) {
        CHECK(lv_write_file_atomic(BAD_PATH, bytes, cuts[i], &err) == 0);
        expect_bad_at(BAD_PATH, "truncated", (int)cuts[i]);
    }
    /* The intact bytes still load (sanity check of the copy). */
    CHECK(lv_write_file_atomic(BAD_PATH, bytes, n, &err) == 0);
    CHECK(lv_st_open(BAD_PATH, &f, &err) == 0);
    lv_st_close(f);
    free(bytes);
}

/* Data start is 8-aligned and the padding is spaces, for every header length mod 8. */
static void test_alignment(void)
{
    char name[32];
    lv_error err;
    for (int len = 1; len <= 16; len++) {
        memset(name, 'n', (size_t)len);
        name[len] = '\0';
        lv_st_writer *w = lv_st_writer_new();
        int32_t v = len;
        CHECK(lv_st_writer_add(w, name, LV_ST_I32, 0, NULL, &v, &err) == 0);
        CHECK(lv_st_writer_write(w, "align.safetensors", &err) == 0);
        lv_st_writer_free(w);

        uint8_t *bytes;
        size_t n;
        CHECK(lv_read_file("align.safetensors", &bytes, &n, 1 << 20, &err) == 0);
        uint64_t hlen = get_le64(bytes);
        CHECK_MSG((8 + hlen) % 8 == 0, "name length %d: data starts at %llu", len,
                  (unsigned long long)(8 + hlen));
        CHECK(n == 8 + hlen + 4);
        size_t end = (size_t)hlen;
        while (end > 0 && bytes[8 + end - 1] == ' ') end--;
        CHECK(end > 0 && bytes[8 + end - 1] == '}');
        CHECK(hlen - end < 8);
        CHECK(memcmp(bytes + 8 + hlen, &v, 4) == 0);
        free(bytes);
    }

    /* An empty writer makes a valid, empty file. */
    lv_st_writer *w = lv_st_writer_new();
    CHECK(lv_st_writer_write(w, "empty.safetensors", &err) == 0);
    lv_st_writer_free(w);
    lv_st_file *f = NULL;
    CHECK_MSG(lv_st_open("empty.safetensors", &f, &err) == 0, "%s", err.msg);
    if (f) {
        CHECK(lv_st_count(f) == 0 && lv_st_meta_count(f) == 0);
        CHECK(lv_st_find(f, "x") == NULL && lv_st_meta(f, "x") == NULL);
        lv_st_close(f);
    }
}

/* A file as another writer might lay it out: unaligned data start, entries
 * not in offset order, metadata last, extra keys, empty tensors sharing an
 * offset, padding spaces. */
static void test_foreign_layout(void)
{
    const char *hdr =
        "{\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[8,16],\"extra\":[1]},"
        "\"a\":{\"shape\":[],\"dtype\":\"F64\",\"data_offsets\":[0,8]},"
        "\"e\":{\"dtype\":\"U8\",\"shape\":[0],\"data_offsets\":[16,16]},"
        "\"e2\":{\"dtype\":\"I8\",\"shape\":[2,0],\"data_offsets\":[0,0]},"
        "\"e3\":{\"dtype\":\"I8\",\"shape\":[0],\"data_offsets\":[8,8]},"
        "\"__metadata__\":{\"k\":\"v\"}}  ";
    CHECK(strlen(hdr) % 8 != 0);
    uint8_t data[16];
    double a = 1.5;
    float b[2] = {2.5f, -3.0f};
    memcpy(data, &a, 8);
    memcpy(data + 8, b, 8);
    craft_raw("foreign.safetensors", strlen(hdr), hdr, strlen(hdr), data, sizeof data);

    lv_error err;
    lv_st_file *f = NULL;
    CHECK_MSG(lv_st_open("foreign.safetensors", &f, &err) == 0, "%s", err.msg);
    if (!f) return;
    CHECK(lv_st_count(f) == 5);
    CHECK(strcmp(lv_st_at(f, 0)->name, "b") == 0); /* header order */
    double got[2];
    CHECK(lv_st_read_f64(f, "a", 0, NULL, got, &err) == 0 && got[0] == 1.5);
    const int64_t s2[] = {2};
    CHECK(lv_st_read_f64(f, "b", 1, s2, got, &err) == 0 && got[0] == 2.5 && got[1] == -3.0);
    float fb;
    memcpy(&fb, (const uint8_t *)lv_st_data(f, lv_st_find(f, "b")) + 4, 4);
    CHECK(fb == -3.0f);
    CHECK(lv_st_find(f, "e2")->nbytes == 0);
    CHECK(strcmp(lv_st_meta(f, "k"), "v") == 0);
    lv_st_close(f);
}

/* ------------------------------------------------------------- bad inputs */

static void test_read_f64_errors(void)
{
    lv_error err;
    lv_st_writer *w = lv_st_writer_new();
    double d[6] = {0};
    int32_t i[2] = {0};
    const int64_t s23[] = {2, 3}, s32[] = {3, 2}, s6[] = {6}, s2[] = {2};
    CHECK(lv_st_writer_add(w, "weights", LV_ST_F64, 2, s23, d, &err) == 0);
    CHECK(lv_st_writer_add(w, "ints", LV_ST_I32, 1, s2, i, &err) == 0);
    CHECK(lv_st_writer_write(w, "r.safetensors", &err) == 0);
    lv_st_writer_free(w);
    lv_st_file *f = NULL;
    CHECK(lv_st_open("r.safetensors", &f, &err) == 0);
    if (!f) return;
    double out[6];

    CHECK(lv_st_read_f64(f, "weights", 2, s32, out, &err) != 0);
    CHECK_MSG(strstr(err.msg, "\"weights\"") && strstr(err.msg, "has shape [2, 3]") &&
                  strstr(err.msg, "shape [3, 2] was expected"), "%s", err.msg);
    CHECK(lv_st_read_f64(f, "weights", 1, s6, out, &err) != 0);
    CHECK_MSG(strstr(err.msg, "[2, 3]") && strstr(err.msg, "[6]"), "%s", err.msg);
    CHECK(lv_st_read_f64(f, "weights", 0, NULL, out, &err) != 0);
    CHECK_MSG(strstr(err.msg, "[]"), "%s", err.msg);
    CHECK(lv_st_read_f64(f, "ints", 1, s2, out, &err) != 0);
    CHECK_MSG(strstr(err.msg, "dtype I32"), "%s", err.msg);
    CHECK(lv_st_read_f64(f, "missing", 1, s2, out, &err) != 0);
    CHECK_MSG(strstr(err.msg, "\"missing\" not found") && strstr(err.msg, "r.safetensors"), "%s", err.msg);
    lv_st_close(f);
}

static void test_writer_errors(void)
{
    lv_error err;
    lv_st_writer *w = lv_st_writer_new();
    double d[4] = {0};
    const int64_t s2[] = {2}, neg[] = {2, -1}, big[] = {INT64_MAX / 2, 4};
    const int64_t nine[9] = {1, 1, 1, 1, 1, 1, 1, 1, 1};
    CHECK(lv_st_writer_add(w, "a", LV_ST_F64, 1, s2, d, &err) == 0);
    CHECK(lv_st_writer_add(w, "a", LV_ST_F64, 1, s2, d, &err) != 0 && strstr(err.msg, "already"));
    CHECK(lv_st_writer_add(w, "__metadata__", LV_ST_F64, 1, s2, d, &err) != 0 && strstr(err.msg, "reserved"));
    CHECK(lv_st_writer_add(w, "", LV_ST_F64, 1, s2, d, &err) != 0 && strstr(err.msg, "empty"));
    CHECK(lv_st_writer_add(w, "bad\xff", LV_ST_F64, 1, s2, d, &err) != 0 && strstr(err.msg, "UTF-8"));
    CHECK(lv_st_writer_add(w, "n", LV_ST_F64, 2, neg, d, &err) != 0 && strstr(err.msg, "-1"));
    CHECK(lv_st_writer_add(w, "n", LV_ST_F64, 9, nine, d, &err) != 0 && strstr(err.msg, "dimensions"));
    CHECK(lv_st_writer_add(w, "n", LV_ST_F64, -1, s2, d, &err) != 0 && strstr(err.msg, "dimensions"));
    CHECK(lv_st_writer_add(w, "n", (lv_st_dtype)42, 1, s2, d, &err) != 0 && strstr(err.msg, "dtype"));
    CHECK(lv_st_writer_add(w, "n", LV_ST_F64, 2, big, d, &err) != 0);
    CHECK(lv_st_writer_add(w, "n", LV_ST_F64, 1, s2, NULL, &err) != 0 && strstr(err.msg, "NULL"));
    CHECK(lv_st_writer_meta(w, "k", "bad\xc3", &err) != 0 && strstr(err.msg, "UTF-8"));
    /* A failed write leaves no file and names the path. */
    CHECK(lv_st_writer_write(w, "no/such/dir/x.safetensors", &err) != 0 && strstr(err.msg, "no/such/dir"));
    /* Failures left the writer intact. */
    CHECK(lv_st_writer_write(w, "w.safetensors", &err) == 0);
    lv_st_writer_free(w);
    lv_st_file *f = NULL;
    CHECK(lv_st_open("w.safetensors", &f, &err) == 0 && lv_st_count(f) == 1);
    lv_st_close(f);
    lv_st_writer_free(NULL);
    lv_st_close(NULL);
}

static void test_corrupt(void)
{
    lv_error err;
    lv_st_file *f = NULL;

    /* Unopenable file: errno text. */
    CHECK(lv_st_open("does-not-exist.safetensors", &f, &err) != 0 && f == NULL);
    CHECK_MSG(strstr(err.msg, "does-not-exist.safetensors") && strstr(err.msg, "No such file"), "%s", err.msg);

    /* Shorter than the length field. */
    CHECK(lv_write_file_atomic(BAD_PATH, "\x02\0\0\0\0", 5, &err) == 0);
    EXPECT_BAD("too short");
    CHECK(lv_write_file_atomic(BAD_PATH, "", 0, &err) == 0);
    EXPECT_BAD("too short");

    /* Header length larger than the file, or than 100 MB. */
    craft_raw(BAD_PATH, 1000, "{}", 2, NULL, 0);
    EXPECT_BAD("larger than");
    craft_raw(BAD_PATH, 100000001, "{}", 2, NULL, 0);
    EXPECT_BAD("limit");
    craft_raw(BAD_PATH, UINT64_MAX, "{}", 2, NULL, 0);
    EXPECT_BAD("limit");

    /* Not JSON / not an object / not UTF-8 / NUL inside. */
    craft("{\"a\":", NULL, 0);
    EXPECT_BAD("not valid JSON");
    craft("{} x", NULL, 0);
    EXPECT_BAD("not valid JSON");
    craft("", NULL, 0);
    EXPECT_BAD("not valid JSON");
    craft("[1, 2]", NULL, 0);
    EXPECT_BAD("not a JSON object");
    craft("\"str\"", NULL, 0);
    EXPECT_BAD("not a JSON object");
    craft("{\"\xc3\x28\":{}}", NULL, 0);
    EXPECT_BAD("UTF-8");
    craft("{\"\xed\xa0\x80\":{}}", NULL, 0); /* encoded surrogate */
    EXPECT_BAD("UTF-8");
    craft_raw(BAD_PATH, 4, "{}\0 ", 4, NULL, 0);
    EXPECT_BAD("NUL");
    craft("{\"a\x01\":{}}", NULL, 0); /* raw control byte in a string */
    EXPECT_BAD("control byte 0x01");
    craft("{}\x01", NULL, 0);         /* cJSON alone would skip it as space */
    EXPECT_BAD("control byte");
    craft("\t{}\r\n", NULL, 0);       /* JSON whitespace is fine... */
    CHECK_MSG(lv_st_open(BAD_PATH, &f, &err) == 0, "%s", err.msg);
    lv_st_close(f);

    /* Entries with missing or mistyped fields. */
    craft("{\"a\":3}", NULL, 0);
    EXPECT_BAD("not a JSON object");
    craft("{\"a\":{\"shape\":[1],\"data_offsets\":[0,1]}}", zeros, 1);
    EXPECT_BAD("no \"dtype\"");
    craft("{\"a\":{\"dtype\":\"U8\",\"data_offsets\":[0,1]}}", zeros, 1);
    EXPECT_BAD("no \"shape\"");
    craft("{\"a\":{\"dtype\":\"U8\",\"shape\":[1]}}", zeros, 1);
    EXPECT_BAD("no \"data_offsets\"");
    craft("{\"a\":{\"dtype\":8,\"shape\":[1],\"data_offsets\":[0,1]}}", zeros, 1);
    EXPECT_BAD("not a string");
    craft("{\"a\":{\"dtype\":\"U8\",\"shape\":\"1\",\"data_offsets\":[0,1]}}", zeros, 1);
    EXPECT_BAD("not an array");
    craft("{\"a\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[1]}}", zeros, 1);
    EXPECT_BAD("two integers");
    craft("{\"a\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":{\"b\":0,\"e\":1}}}", zeros, 1);
    EXPECT_BAD("two integers");
    craft("{\"a\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[\"0\",\"1\"]}}", zeros, 1);
    EXPECT_BAD("non-negative");
    craft("{\"a\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[-1,0]}}", zeros, 1);
    EXPECT_BAD("non-negative");
    craft("{\"a\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[0.5,1]}}", zeros, 1);
    EXPECT_BAD("non-negative");

    /* Unknown dtypes. */
    craft("{\"a\":{\"dtype\":\"F16\",\"shape\":[1],\"data_offsets\":[0,2]}}", zeros, 2);
    EXPECT_BAD("unsupported dtype \"F16\"");
    craft("{\"a\":{\"dtype\":\"f32\",\"shape\":[1],\"data_offsets\":[0,4]}}", zeros, 4);
    EXPECT_BAD("unsupported dtype");

    /* Bad dims. */
    craft("{\"a\":{\"dtype\":\"U8\",\"shape\":[-1],\"data_offsets\":[0,0]}}", NULL, 0);
    EXPECT_BAD("dimension 0");
    craft("{\"a\":{\"dtype\":\"U8\",\"shape\":[2,1.5],\"data_offsets\":[0,3]}}", zeros, 3);
    EXPECT_BAD("dimension 1 of tensor \"a\" is not a non-negative integer");
    craft("{\"a\":{\"dtype\":\"U8\",\"shape\":[true],\"data_offsets\":[0,1]}}", zeros, 1);
    EXPECT_BAD("non-negative integer");
    craft("{\"a\":{\"dtype\":\"U8\",\"shape\":[1e300],\"data_offsets\":[0,1]}}", zeros, 1);
    EXPECT_BAD("non-negative integer");
    craft("{\"a\":{\"dtype\":\"U8\",\"shape\":[1,1,1,1,1,1,1,1,1],\"data_offsets\":[0,1]}}", zeros, 1);
    EXPECT_BAD("9 dimensions");

    /* Size overflow and size mismatch. */
    craft("{\"a\":{\"dtype\":\"F64\",\"shape\":[9007199254740992,9007199254740992],"
          "\"data_offsets\":[0,8]}}", zeros, 8);
    EXPECT_BAD("overflows");
    craft("{\"a\":{\"dtype\":\"U8\",\"shape\":[4294967296,4294967296],\"data_offsets\":[0,8]}}", zeros, 8);
    EXPECT_BAD("overflows");
    craft("{\"a\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}", zeros, 8);
    EXPECT_BAD("size mismatch");
    craft("{\"a\":{\"dtype\":\"F32\",\"shape\":[],\"data_offsets\":[0,0]}}", NULL, 0);
    EXPECT_BAD("size mismatch");

    /* Offsets: out of range, reversed, overlapping, holes, trailing bytes. */
    craft("{\"a\":{\"dtype\":\"F64\",\"shape\":[2],\"data_offsets\":[0,16]}}", zeros, 8);
    EXPECT_BAD("out of range");
    craft("{\"a\":{\"dtype\":\"F64\",\"shape\":[1],\"data_offsets\":[8,0]}}", zeros, 8);
    EXPECT_BAD("end before they begin");
    craft("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
          "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}", zeros, 12);
    EXPECT_BAD("overlaps");
    craft("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
          "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", zeros, 8);
    EXPECT_BAD("overlaps");
    craft("{\"a\":{\"dtype\":\"F64\",\"shape\":[1],\"data_offsets\":[0,8]},"
          "\"e\":{\"dtype\":\"U8\",\"shape\":[0],\"data_offsets\":[4,4]}}", zeros, 8);
    EXPECT_BAD("overlaps");
    craft("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
          "\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[8,12]}}", zeros, 12);
    EXPECT_BAD("hole");
    craft("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", zeros, 8);
    EXPECT_BAD("hole");
    craft("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", zeros, 8);
    EXPECT_BAD("4 trailing bytes");
    craft("{}", zeros, 3);
    EXPECT_BAD("3 trailing bytes");
    craft("{\"__metadata__\":{}}", zeros, 1);
    EXPECT_BAD("trailing");

    /* Duplicates. */
    craft("{\"a\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[0,1]},"
          "\"a\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[1,2]}}", zeros, 2);
    EXPECT_BAD("\"a\" appears twice");
    craft("{\"__metadata__\":{},\"__metadata__\":{}}", NULL, 0);
    EXPECT_BAD("appears twice");
    craft("{\"__metadata__\":{\"k\":\"1\",\"j\":\"2\",\"k\":\"3\"}}", NULL, 0);
    EXPECT_BAD("\"k\" appears twice");

    /* Metadata types. */
    craft("{\"__metadata__\":{\"k\":1}}", NULL, 0);
    EXPECT_BAD("value for key \"k\" is not a string");
    craft("{\"__metadata__\":{\"k\":null}}", NULL, 0);
    EXPECT_BAD("not a string");
    craft("{\"__metadata__\":\"x\"}", NULL, 0);
    EXPECT_BAD("\"__metadata__\" is not a JSON object");

    /* Sanity: the crafting itself produces loadable files when valid. */
    craft("{\"__metadata__\":{\"k\":\"v\"},\"a\":{\"dtype\":\"U8\",\"shape\":[1],"
          "\"data_offsets\":[0,1]}}    ", zeros, 1);
    CHECK_MSG(lv_st_open(BAD_PATH, &f, &err) == 0, "%s", err.msg);
    lv_st_close(f);
}

int main(void)
{
    CHECK(lv_st_dtype_size(LV_ST_F64) == 8 && lv_st_dtype_size(LV_ST_I8) == 1 &&
          lv_st_dtype_size(LV_ST_U16) == 2 && lv_st_dtype_size((lv_st_dtype)99) == 0);
    CHECK(strcmp(lv_st_dtype_name(LV_ST_U32), "U32") == 0);
    lv_st_dtype dt;
    CHECK(lv_st_dtype_parse("I16", &dt) == 0 && dt == LV_ST_I16);
    CHECK(lv_st_dtype_parse("BF16", &dt) != 0);

    test_round_trip();
    test_alignment();
    test_foreign_layout();
    test_read_f64_errors();
    test_writer_errors();
    test_corrupt();
    return lv_test_report("safetensors");
}
