/* safetensors.c - see safetensors.h for the format and the contracts. */
#include "safetensors.h"

#include <cjson/cJSON.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fileio.h"

/* Tensor bytes are copied verbatim between memory and file, and the format
 * is little-endian.  Refuse to build where the compiler says otherwise; the
 * run-time check below covers compilers that do not say. */
#if defined(__BYTE_ORDER__) && defined(__ORDER_LITTLE_ENDIAN__)
#if __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "safetensors.c supports little-endian hosts only"
#endif
#endif

static int host_is_little_endian(void)
{
    const uint16_t one = 1;
    unsigned char first;
    memcpy(&first, &one, 1);
    return first == 1;
}

/* Integers above 2^53 are not exactly representable as the doubles cJSON
 * stores, so dims and offsets beyond it cannot be validated: refuse them. */
#define MAX_JSON_INT 9007199254740992.0
#define MAX_JSON_U64 ((uint64_t)1 << 53)

static const struct {
    const char *name;
    size_t size;
} dtypes[] = {
    [LV_ST_F64] = {"F64", 8}, [LV_ST_F32] = {"F32", 4}, [LV_ST_I64] = {"I64", 8},
    [LV_ST_I32] = {"I32", 4}, [LV_ST_I16] = {"I16", 2}, [LV_ST_I8] = {"I8", 1},
    [LV_ST_U8] = {"U8", 1},   [LV_ST_U16] = {"U16", 2}, [LV_ST_U32] = {"U32", 4},
    [LV_ST_U64] = {"U64", 8},
};
#define N_DTYPES (sizeof dtypes / sizeof dtypes[0])
#define DTYPE_LIST "F64, F32, I64, I32, I16, I8, U8, U16, U32, U64"

static int dtype_ok(lv_st_dtype dt) { return (unsigned)dt < N_DTYPES; }

const char *lv_st_dtype_name(lv_st_dtype dt) { return dtype_ok(dt) ? dtypes[dt].name : "?"; }

size_t lv_st_dtype_size(lv_st_dtype dt) { return dtype_ok(dt) ? dtypes[dt].size : 0; }

int lv_st_dtype_parse(const char *name, lv_st_dtype *dt)
{
    for (size_t i = 0; i < N_DTYPES; i++) {
        if (strcmp(name, dtypes[i].name) == 0) {
            *dt = (lv_st_dtype)i;
            return 0;
        }
    }
    return -1;
}

/* ------------------------------------------------------------------ helpers */

static char *dup_str(const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (d) memcpy(d, s, n);
    return d;
}

/* Strict UTF-8 check (no overlongs, surrogates or code points past U+10FFFF).
 * Returns n if valid, else the offset of the first bad byte. */
static size_t utf8_check(const unsigned char *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        unsigned c = s[i];
        size_t len;
        unsigned lo = 0x80, hi = 0xBF; /* allowed range of the 2nd byte */
        if (c < 0x80) {
            i++;
            continue;
        } else if (c >= 0xC2 && c <= 0xDF) {
            len = 2;
        } else if (c >= 0xE0 && c <= 0xEF) {
            len = 3;
            if (c == 0xE0) lo = 0xA0;      /* overlong */
            if (c == 0xED) hi = 0x9F;      /* surrogates */
        } else if (c >= 0xF0 && c <= 0xF4) {
            len = 4;
            if (c == 0xF0) lo = 0x90;      /* overlong */
            if (c == 0xF4) hi = 0x8F;      /* > U+10FFFF */
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

static int utf8_ok(const char *s) { size_t n = strlen(s); return utf8_check((const unsigned char *)s, n) == n; }

/* Bytes needed by a dense tensor; -1 on overflow of size_t.  Dims must be
 * non-negative.  A zero dimension makes the tensor empty whatever the other
 * dims are, so it is looked for first. */
static int tensor_bytes(int ndim, const int64_t *shape, size_t elem, size_t *out)
{
    for (int i = 0; i < ndim; i++) {
        if (shape[i] == 0) {
            *out = 0;
            return 0;
        }
    }
    size_t n = elem;
    for (int i = 0; i < ndim; i++) {
        uint64_t d = (uint64_t)shape[i];
        if (d > SIZE_MAX || n > SIZE_MAX / (size_t)d) return -1;
        n *= (size_t)d;
    }
    *out = n;
    return 0;
}

/* "[3, 4]"; "[]" for a scalar. */
static const char *fmt_shape(char *buf, size_t cap, int ndim, const int64_t *shape)
{
    size_t k = 0;
    k += (size_t)snprintf(buf, cap, "[");
    for (int i = 0; i < ndim && k < cap; i++)
        k += (size_t)snprintf(buf + k, cap - k, "%s%lld", i ? ", " : "", (long long)shape[i]);
    if (k < cap) snprintf(buf + k, cap - k, "]");
    return buf;
}
#define SHAPE_BUF 256 /* 8 dims x 20 digits + separators */

static void put_u64_le(unsigned char b[8], uint64_t v)
{
    for (int i = 0; i < 8; i++) b[i] = (unsigned char)(v >> (8 * i));
}

static uint64_t get_u64_le(const unsigned char b[8])
{
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--) v = (v << 8) | b[i];
    return v;
}

/* Grow *p (of elem-sized items, capacity *cap) to hold at least need items. */
static int grow(void **p, size_t *cap, size_t need, size_t elem)
{
    if (need <= *cap) return 0;
    size_t nc = *cap ? *cap : 8;
    while (nc < need) {
        if (nc > SIZE_MAX / 2 / elem) return -1;
        nc *= 2;
    }
    void *q = realloc(*p, nc * elem);
    if (!q) return -1;
    *p = q;
    *cap = nc;
    return 0;
}

typedef struct {
    char *key;
    char *value;
} kv_pair;

/* ------------------------------------------------------------------- writer */

typedef struct {
    char *name;
    lv_st_dtype dtype;
    int ndim;
    int64_t shape[LV_ST_MAX_DIMS];
    size_t nbytes;
    void *data;
} wtensor;

struct lv_st_writer {
    wtensor *t;
    size_t n, cap;
    kv_pair *meta;
    size_t nmeta, capmeta;
    size_t total; /* bytes of tensor data so far = offset of the next tensor */
};

lv_st_writer *lv_st_writer_new(void) { return calloc(1, sizeof(lv_st_writer)); }

void lv_st_writer_free(lv_st_writer *w)
{
    if (!w) return;
    for (size_t i = 0; i < w->n; i++) {
        free(w->t[i].name);
        free(w->t[i].data);
    }
    for (size_t i = 0; i < w->nmeta; i++) {
        free(w->meta[i].key);
        free(w->meta[i].value);
    }
    free(w->t);
    free(w->meta);
    free(w);
}

int lv_st_writer_add(lv_st_writer *w, const char *name, lv_st_dtype dt, int ndim,
                     const int64_t *shape, const void *data, lv_error *err)
{
    if (!w) return lv_fail(err, "cannot add a tensor: the safetensors writer is NULL");
    if (!name || !*name) return lv_fail(err, "cannot add a tensor with an empty name to a safetensors file");
    if (!utf8_ok(name)) return lv_fail(err, "cannot add tensor \"%s\": its name is not valid UTF-8", name);
    if (strcmp(name, "__metadata__") == 0)
        return lv_fail(err, "cannot add a tensor named \"__metadata__\": that key is reserved for metadata");
    if (!dtype_ok(dt)) return lv_fail(err, "cannot add tensor \"%s\": invalid dtype code %d", name, (int)dt);
    if (ndim < 0 || ndim > LV_ST_MAX_DIMS)
        return lv_fail(err, "cannot add tensor \"%s\" with %d dimensions: 0 to %d are supported",
                       name, ndim, LV_ST_MAX_DIMS);
    if (ndim > 0 && !shape) return lv_fail(err, "cannot add tensor \"%s\": its shape is NULL", name);
    for (int i = 0; i < ndim; i++) {
        if (shape[i] < 0 || (uint64_t)shape[i] > MAX_JSON_U64)
            return lv_fail(err, "cannot add tensor \"%s\": dimension %d is %lld, outside 0..2^53",
                           name, i, (long long)shape[i]);
    }
    size_t nbytes;
    if (tensor_bytes(ndim, shape, dtypes[dt].size, &nbytes) != 0 || nbytes > MAX_JSON_U64 - w->total)
        return lv_fail(err, "cannot add tensor \"%s\": its size in bytes overflows", name);
    if (nbytes > 0 && !data) return lv_fail(err, "cannot add tensor \"%s\": its data is NULL", name);
    /* Linear scan: writers hold tens to thousands of tensors, not millions. */
    for (size_t i = 0; i < w->n; i++)
        if (strcmp(w->t[i].name, name) == 0)
            return lv_fail(err, "cannot add tensor \"%s\": a tensor of that name was already added", name);

    if (grow((void **)&w->t, &w->cap, w->n + 1, sizeof *w->t) != 0)
        return lv_fail(err, "out of memory adding tensor \"%s\"", name);
    wtensor *t = &w->t[w->n];
    memset(t, 0, sizeof *t);
    t->name = dup_str(name);
    t->data = malloc(nbytes ? nbytes : 1);
    if (!t->name || !t->data) {
        free(t->name);
        free(t->data);
        return lv_fail(err, "out of memory adding tensor \"%s\" (%zu bytes)", name, nbytes);
    }
    if (nbytes) memcpy(t->data, data, nbytes);
    t->dtype = dt;
    t->ndim = ndim;
    for (int i = 0; i < ndim; i++) t->shape[i] = shape[i];
    t->nbytes = nbytes;
    w->total += nbytes;
    w->n++;
    return 0;
}

int lv_st_writer_meta(lv_st_writer *w, const char *key, const char *value, lv_error *err)
{
    if (!w) return lv_fail(err, "cannot set metadata: the safetensors writer is NULL");
    if (!key || !value) return lv_fail(err, "cannot set safetensors metadata: the key or value is NULL");
    if (!utf8_ok(key) || !utf8_ok(value))
        return lv_fail(err, "cannot set safetensors metadata \"%s\": key and value must be valid UTF-8", key);
    char *v = dup_str(value);
    if (!v) return lv_fail(err, "out of memory setting metadata \"%s\"", key);
    for (size_t i = 0; i < w->nmeta; i++) {
        if (strcmp(w->meta[i].key, key) == 0) {
            free(w->meta[i].value);
            w->meta[i].value = v;
            return 0;
        }
    }
    char *k = dup_str(key);
    if (!k || grow((void **)&w->meta, &w->capmeta, w->nmeta + 1, sizeof *w->meta) != 0) {
        free(k);
        free(v);
        return lv_fail(err, "out of memory setting metadata \"%s\"", key);
    }
    w->meta[w->nmeta].key = k;
    w->meta[w->nmeta].value = v;
    w->nmeta++;
    return 0;
}

/* Growable string; an allocation failure is sticky and checked once. */
typedef struct {
    char *p;
    size_t n, cap;
    int oom;
} sbuf;

static void sb_put(sbuf *b, const char *s, size_t n)
{
    if (b->oom) return;
    if (grow((void **)&b->p, &b->cap, b->n + n + 1, 1) != 0) {
        b->oom = 1;
        return;
    }
    memcpy(b->p + b->n, s, n);
    b->n += n;
    b->p[b->n] = '\0';
}

static void sb_str(sbuf *b, const char *s) { sb_put(b, s, strlen(s)); }

static void sb_u64(sbuf *b, uint64_t v)
{
    char tmp[32];
    int k = snprintf(tmp, sizeof tmp, "%llu", (unsigned long long)v);
    sb_put(b, tmp, (size_t)k);
}

/* JSON string literal; s is valid UTF-8, so only '"', '\\' and control
 * characters need escaping. */
static void sb_json_str(sbuf *b, const char *s)
{
    sb_put(b, "\"", 1);
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\') {
            char e[2] = {'\\', (char)c};
            sb_put(b, e, 2);
        } else if (c < 0x20) {
            char e[8];
            snprintf(e, sizeof e, "\\u%04x", c);
            sb_put(b, e, 6);
        } else {
            sb_put(b, (const char *)&c, 1);
        }
    }
    sb_put(b, "\"", 1);
}

static int build_header(const lv_st_writer *w, sbuf *b)
{
    sb_str(b, "{");
    int first = 1;
    if (w->nmeta) {
        sb_str(b, "\"__metadata__\":{");
        for (size_t i = 0; i < w->nmeta; i++) {
            if (i) sb_str(b, ",");
            sb_json_str(b, w->meta[i].key);
            sb_str(b, ":");
            sb_json_str(b, w->meta[i].value);
        }
        sb_str(b, "}");
        first = 0;
    }
    size_t off = 0;
    for (size_t i = 0; i < w->n; i++) {
        const wtensor *t = &w->t[i];
        if (!first) sb_str(b, ",");
        first = 0;
        sb_json_str(b, t->name);
        sb_str(b, ":{\"dtype\":\"");
        sb_str(b, dtypes[t->dtype].name);
        sb_str(b, "\",\"shape\":[");
        for (int d = 0; d < t->ndim; d++) {
            if (d) sb_str(b, ",");
            sb_u64(b, (uint64_t)t->shape[d]);
        }
        sb_str(b, "],\"data_offsets\":[");
        sb_u64(b, off);
        sb_str(b, ",");
        sb_u64(b, off + t->nbytes);
        sb_str(b, "]}");
        off += t->nbytes;
    }
    sb_str(b, "}");
    /* Pad so the data buffer (after the 8-byte length) starts 8-aligned. */
    while (!b->oom && (8 + b->n) % 8 != 0) sb_str(b, " ");
    return b->oom ? -1 : 0;
}

int lv_st_writer_write(lv_st_writer *w, const char *path, lv_error *err)
{
    if (!w) return lv_fail(err, "cannot write %s: the safetensors writer is NULL", path);
    if (!host_is_little_endian())
        return lv_fail(err, "cannot write %s: safetensors support requires a little-endian host", path);
    sbuf hdr = {0};
    if (build_header(w, &hdr) != 0) {
        free(hdr.p);
        return lv_fail(err, "out of memory building the safetensors header for %s", path);
    }
    if (hdr.n > LV_ST_MAX_HEADER) {
        free(hdr.p);
        return lv_fail(err, "cannot write %s: its safetensors header would be %zu bytes, over the "
                       "format's %u-byte limit (too many tensors or too much metadata)",
                       path, hdr.n, LV_ST_MAX_HEADER);
    }
    unsigned char len[8];
    put_u64_le(len, hdr.n);

    lv_atomic_file *af;
    if (lv_atomic_open(&af, path, err) != 0) {
        free(hdr.p);
        return -1;
    }
    FILE *fp = lv_atomic_stream(af);
    int ok = fwrite(len, 1, 8, fp) == 8 && fwrite(hdr.p, 1, hdr.n, fp) == hdr.n;
    free(hdr.p);
    for (size_t i = 0; ok && i < w->n; i++)
        if (w->t[i].nbytes) ok = fwrite(w->t[i].data, 1, w->t[i].nbytes, fp) == w->t[i].nbytes;
    if (!ok) {
        int rc = lv_fail_errno(err, "writing %s failed", path);
        lv_atomic_abort(af);
        return rc;
    }
    return lv_atomic_commit(af, err);
}

/* ------------------------------------------------------------------- reader */

struct lv_st_file {
    char *path;
    uint8_t *buf; /* the whole file */
    const uint8_t *data;
    size_t data_len;
    lv_st_tensor *t; /* header order */
    size_t n;
    const lv_st_tensor **by_name; /* sorted by name, for lookup */
    kv_pair *meta;                /* header order */
    size_t nmeta;
    const kv_pair **meta_by_key;  /* sorted by key, for lookup */
};

void lv_st_close(lv_st_file *f)
{
    if (!f) return;
    for (size_t i = 0; i < f->n; i++) free(f->t[i].name);
    for (size_t i = 0; i < f->nmeta; i++) {
        free(f->meta[i].key);
        free(f->meta[i].value);
    }
    free(f->t);
    free(f->by_name);
    free(f->meta);
    free(f->meta_by_key);
    free(f->buf);
    free(f->path);
    free(f);
}

/* Fail with "<path> is not a valid safetensors file: <detail>". */
__attribute__((format(printf, 3, 4)))
static int bad(lv_error *err, const char *path, const char *fmt, ...)
{
    char detail[768];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(detail, sizeof detail, fmt, ap);
    va_end(ap);
    return lv_fail(err, "%s is not a valid safetensors file: %s", path, detail);
}

/* A JSON number holding an integer in [0, 2^53]. */
static int json_uint(const cJSON *v, uint64_t *out)
{
    if (!cJSON_IsNumber(v)) return -1;
    double d = v->valuedouble;
    if (!(d >= 0 && d <= MAX_JSON_INT)) return -1; /* also rejects NaN */
    uint64_t u = (uint64_t)d;
    if ((double)u != d) return -1;                  /* fractional */
    *out = u;
    return 0;
}

static int parse_entry(const char *path, const cJSON *e, size_t data_len, lv_st_tensor *t, lv_error *err)
{
    const char *name = e->string;
    if (!cJSON_IsObject(e)) return bad(err, path, "the entry for tensor \"%s\" is not a JSON object", name);

    const cJSON *dt = cJSON_GetObjectItemCaseSensitive(e, "dtype");
    const cJSON *sh = cJSON_GetObjectItemCaseSensitive(e, "shape");
    const cJSON *of = cJSON_GetObjectItemCaseSensitive(e, "data_offsets");
    if (!dt) return bad(err, path, "tensor \"%s\" has no \"dtype\"", name);
    if (!sh) return bad(err, path, "tensor \"%s\" has no \"shape\"", name);
    if (!of) return bad(err, path, "tensor \"%s\" has no \"data_offsets\"", name);

    if (!cJSON_IsString(dt)) return bad(err, path, "the \"dtype\" of tensor \"%s\" is not a string", name);
    if (lv_st_dtype_parse(dt->valuestring, &t->dtype) != 0)
        return bad(err, path, "tensor \"%s\" has unsupported dtype \"%s\" (supported: " DTYPE_LIST ")",
                   name, dt->valuestring);

    if (!cJSON_IsArray(sh)) return bad(err, path, "the \"shape\" of tensor \"%s\" is not an array", name);
    int nd = cJSON_GetArraySize(sh);
    if (nd > LV_ST_MAX_DIMS)
        return bad(err, path, "tensor \"%s\" has %d dimensions; at most %d are supported",
                   name, nd, LV_ST_MAX_DIMS);
    t->ndim = nd;
    int d = 0;
    const cJSON *x;
    cJSON_ArrayForEach(x, sh) {
        uint64_t v;
        if (json_uint(x, &v) != 0)
            return bad(err, path, "dimension %d of tensor \"%s\" is not a non-negative integer "
                       "(at most 2^53)", d, name);
        t->shape[d++] = (int64_t)v;
    }

    if (!cJSON_IsArray(of) || cJSON_GetArraySize(of) != 2)
        return bad(err, path, "the \"data_offsets\" of tensor \"%s\" is not an array of two integers", name);
    uint64_t beg, end;
    if (json_uint(cJSON_GetArrayItem(of, 0), &beg) != 0 || json_uint(cJSON_GetArrayItem(of, 1), &end) != 0)
        return bad(err, path, "the \"data_offsets\" of tensor \"%s\" are not non-negative integers "
                   "(at most 2^53)", name);
    if (end < beg)
        return bad(err, path, "the data_offsets [%llu, %llu] of tensor \"%s\" end before they begin",
                   (unsigned long long)beg, (unsigned long long)end, name);
    if (end > data_len)
        return bad(err, path, "the data_offsets [%llu, %llu] of tensor \"%s\" are out of range: the "
                   "data buffer is only %zu bytes (truncated file?)",
                   (unsigned long long)beg, (unsigned long long)end, name, data_len);

    size_t nbytes;
    char sbuf_[SHAPE_BUF];
    if (tensor_bytes(t->ndim, t->shape, dtypes[t->dtype].size, &nbytes) != 0)
        return bad(err, path, "tensor \"%s\" with shape %s and dtype %s has a byte size that overflows",
                   name, fmt_shape(sbuf_, sizeof sbuf_, t->ndim, t->shape), dtypes[t->dtype].name);
    if (nbytes != end - beg)
        return bad(err, path, "tensor \"%s\" with shape %s and dtype %s needs %zu bytes, but its "
                   "data_offsets [%llu, %llu] span %llu bytes (size mismatch)",
                   name, fmt_shape(sbuf_, sizeof sbuf_, t->ndim, t->shape), dtypes[t->dtype].name,
                   nbytes, (unsigned long long)beg, (unsigned long long)end,
                   (unsigned long long)(end - beg));
    t->offset = (size_t)beg;
    t->nbytes = nbytes;
    t->name = dup_str(name);
    if (!t->name) return lv_fail(err, "out of memory loading %s", path);
    return 0;
}

static int cmp_tensor_name(const void *a, const void *b)
{
    return strcmp((*(const lv_st_tensor *const *)a)->name, (*(const lv_st_tensor *const *)b)->name);
}

static int cmp_tensor_offset(const void *a, const void *b)
{
    const lv_st_tensor *x = *(const lv_st_tensor *const *)a, *y = *(const lv_st_tensor *const *)b;
    if (x->offset != y->offset) return x->offset < y->offset ? -1 : 1;
    if (x->nbytes != y->nbytes) return x->nbytes < y->nbytes ? -1 : 1;
    return 0;
}

static int cmp_kv_key(const void *a, const void *b)
{
    return strcmp((*(const kv_pair *const *)a)->key, (*(const kv_pair *const *)b)->key);
}

static int parse_meta(const char *path, const cJSON *m, lv_st_file *f, lv_error *err)
{
    if (!cJSON_IsObject(m)) return bad(err, path, "\"__metadata__\" is not a JSON object");
    size_t n = (size_t)cJSON_GetArraySize(m);
    f->meta = calloc(n ? n : 1, sizeof *f->meta);
    f->meta_by_key = calloc(n ? n : 1, sizeof *f->meta_by_key);
    if (!f->meta || !f->meta_by_key) return lv_fail(err, "out of memory loading %s", path);
    const cJSON *x;
    cJSON_ArrayForEach(x, m) {
        if (!cJSON_IsString(x))
            return bad(err, path, "the metadata value for key \"%s\" is not a string", x->string);
        kv_pair *p = &f->meta[f->nmeta];
        p->key = dup_str(x->string);
        p->value = dup_str(x->valuestring);
        f->meta_by_key[f->nmeta] = p;
        f->nmeta++; /* count it now so lv_st_close frees a half-made pair */
        if (!p->key || !p->value) return lv_fail(err, "out of memory loading %s", path);
    }
    qsort(f->meta_by_key, f->nmeta, sizeof *f->meta_by_key, cmp_kv_key);
    for (size_t i = 1; i < f->nmeta; i++)
        if (strcmp(f->meta_by_key[i - 1]->key, f->meta_by_key[i]->key) == 0)
            return bad(err, path, "metadata key \"%s\" appears twice (duplicate key)", f->meta_by_key[i]->key);
    return 0;
}

/* Everything after reading the bytes; fills f or fails. */
static int parse_file(lv_st_file *f, size_t len, lv_error *err)
{
    const char *path = f->path;
    if (len < 8)
        return bad(err, path, "the file is only %zu bytes, too short to hold the 8-byte header length (empty or truncated file?)", len);
    uint64_t hlen = get_u64_le(f->buf);
    if (hlen > LV_ST_MAX_HEADER)
        return bad(err, path, "the header length is %llu bytes, over the format's %u-byte limit "
                   "(corrupt, or not a safetensors file)", (unsigned long long)hlen, LV_ST_MAX_HEADER);
    if (hlen > len - 8)
        return bad(err, path, "the header length is %llu bytes, larger than the %zu bytes that follow "
                   "it (truncated, or not a safetensors file)", (unsigned long long)hlen, len - 8);
    const char *hdr = (const char *)f->buf + 8;
    f->data = f->buf + 8 + hlen;
    f->data_len = len - 8 - (size_t)hlen;

    /* JSON allows no raw control bytes besides tab, CR and LF (not even in
     * strings), but cJSON skips every byte <= 0x20 as whitespace and would
     * stop at a NUL, so they are refused here. */
    for (size_t i = 0; i < hlen; i++) {
        unsigned char c = (unsigned char)hdr[i];
        if (c < 0x20 && c != '\t' && c != '\n' && c != '\r')
            return bad(err, path, "the header is not valid JSON: it contains the control byte 0x%02x "
                       "at offset %zu%s", c, i, c == 0 ? " (NUL)" : "");
    }
    size_t u = utf8_check((const unsigned char *)hdr, (size_t)hlen);
    if (u != hlen) return bad(err, path, "the header is not valid UTF-8 (bad byte at offset %zu)", u);

    char *text = malloc((size_t)hlen + 1);
    if (!text) return lv_fail(err, "out of memory loading %s", path);
    memcpy(text, hdr, (size_t)hlen);
    text[hlen] = '\0';
    const char *stop = NULL;
    /* require_null_terminated: trailing non-space bytes are an error, while
     * the spaces writers pad with are skipped. */
    cJSON *root = cJSON_ParseWithOpts(text, &stop, 1);
    if (!root) {
        size_t at = stop ? (size_t)(stop - text) : 0;
        free(text);
        return bad(err, path, "the header is not valid JSON (syntax error near byte %zu of %llu)",
                   at, (unsigned long long)hlen);
    }
    free(text);

    int rc = 0;
    if (!cJSON_IsObject(root)) {
        rc = bad(err, path, "the header is not a JSON object");
        goto done;
    }
    size_t ntensor = 0;
    const cJSON *meta = NULL, *e;
    cJSON_ArrayForEach(e, root) {
        if (strcmp(e->string, "__metadata__") != 0) {
            ntensor++;
        } else if (meta) {
            rc = bad(err, path, "the key \"__metadata__\" appears twice (duplicate key)");
            goto done;
        } else {
            meta = e;
        }
    }
    f->t = calloc(ntensor ? ntensor : 1, sizeof *f->t);
    f->by_name = calloc(ntensor ? ntensor : 1, sizeof *f->by_name);
    const lv_st_tensor **by_off = calloc(ntensor ? ntensor : 1, sizeof *by_off);
    if (!f->t || !f->by_name || !by_off) {
        free(by_off);
        rc = lv_fail(err, "out of memory loading %s", path);
        goto done;
    }
    cJSON_ArrayForEach(e, root) {
        if (e == meta) continue;
        /* parse_entry sets the name last, so a failed entry owns nothing. */
        rc = parse_entry(path, e, f->data_len, &f->t[f->n], err);
        if (rc) break;
        f->by_name[f->n] = by_off[f->n] = &f->t[f->n];
        f->n++;
    }
    if (rc == 0 && meta) rc = parse_meta(path, meta, f, err);
    if (rc == 0) {
        qsort(f->by_name, f->n, sizeof *f->by_name, cmp_tensor_name);
        for (size_t i = 1; i < f->n && rc == 0; i++)
            if (strcmp(f->by_name[i - 1]->name, f->by_name[i]->name) == 0)
                rc = bad(err, path, "tensor name \"%s\" appears twice (duplicate key)", f->by_name[i]->name);
    }
    if (rc == 0) {
        /* Sorted by (begin, end), each tensor must start where the previous
         * ended: this rules out holes and overlaps in one pass (empty
         * tensors sort first at their offset, so they may share it). */
        qsort(by_off, f->n, sizeof *by_off, cmp_tensor_offset);
        size_t pos = 0;
        const char *prev = NULL;
        for (size_t i = 0; i < f->n && rc == 0; i++) {
            const lv_st_tensor *t = by_off[i];
            if (t->offset > pos)
                rc = bad(err, path, "bytes %zu to %zu of the data buffer belong to no tensor (a hole "
                         "before tensor \"%s\")", pos, t->offset, t->name);
            else if (t->offset < pos)
                rc = bad(err, path, "tensor \"%s\" (bytes %zu to %zu) overlaps tensor \"%s\", which ends "
                         "at byte %zu", t->name, t->offset, t->offset + t->nbytes, prev, pos);
            pos = t->offset + t->nbytes;
            prev = t->name;
        }
        if (rc == 0 && pos != f->data_len)
            rc = bad(err, path, "the data buffer has %zu trailing bytes that belong to no tensor "
                     "(tensors cover %zu of %zu bytes)", f->data_len - pos, pos, f->data_len);
    }
    free(by_off);
done:
    cJSON_Delete(root);
    return rc;
}

int lv_st_open(const char *path, lv_st_file **out, lv_error *err)
{
    *out = NULL;
    if (!host_is_little_endian())
        return lv_fail(err, "cannot read %s: safetensors support requires a little-endian host", path);
    lv_st_file *f = calloc(1, sizeof *f);
    if (!f || !(f->path = dup_str(path))) {
        free(f);
        return lv_fail(err, "out of memory loading %s", path);
    }
    size_t len;
    /* No size cap beyond what fits in memory: the data buffer is the bulk. */
    if (lv_read_file(path, &f->buf, &len, SIZE_MAX - 1, err) != 0 || parse_file(f, len, err) != 0) {
        lv_st_close(f);
        return -1;
    }
    *out = f;
    return 0;
}

size_t lv_st_count(const lv_st_file *f) { return f->n; }

const lv_st_tensor *lv_st_at(const lv_st_file *f, size_t i) { return i < f->n ? &f->t[i] : NULL; }

static int cmp_name_key(const void *key, const void *elem)
{
    return strcmp((const char *)key, (*(const lv_st_tensor *const *)elem)->name);
}

const lv_st_tensor *lv_st_find(const lv_st_file *f, const char *name)
{
    const lv_st_tensor *const *p = bsearch(name, f->by_name, f->n, sizeof *f->by_name, cmp_name_key);
    return p ? *p : NULL;
}

const void *lv_st_data(const lv_st_file *f, const lv_st_tensor *t) { return f->data + t->offset; }

int lv_st_read_f64(const lv_st_file *f, const char *name, int ndim, const int64_t *shape,
                   double *out, lv_error *err)
{
    const lv_st_tensor *t = lv_st_find(f, name);
    if (!t) return lv_fail(err, "tensor \"%s\" not found in %s", name, f->path);
    if (t->dtype != LV_ST_F64 && t->dtype != LV_ST_F32)
        return lv_fail(err, "tensor \"%s\" in %s has dtype %s; expected F64 or F32",
                       name, f->path, dtypes[t->dtype].name);
    if (ndim < 0 || ndim > LV_ST_MAX_DIMS || (ndim > 0 && !shape))
        return lv_fail(err, "cannot read tensor \"%s\" from %s: the expected shape is invalid "
                       "(%d dimensions)", name, f->path, ndim);
    int same = ndim == t->ndim;
    for (int i = 0; same && i < ndim; i++) same = shape[i] == t->shape[i];
    if (!same) {
        char want[SHAPE_BUF], got[SHAPE_BUF];
        return lv_fail(err, "tensor \"%s\" in %s has shape %s, but shape %s was expected",
                       name, f->path, fmt_shape(got, sizeof got, t->ndim, t->shape),
                       fmt_shape(want, sizeof want, ndim, shape));
    }
    const uint8_t *p = f->data + t->offset;
    if (t->dtype == LV_ST_F64) {
        if (t->nbytes) memcpy(out, p, t->nbytes);
    } else {
        size_t n = t->nbytes / sizeof(float);
        for (size_t i = 0; i < n; i++) {
            float v;
            memcpy(&v, p + i * sizeof v, sizeof v); /* p may be unaligned */
            out[i] = v;
        }
    }
    return 0;
}

const char *lv_st_meta(const lv_st_file *f, const char *key)
{
    if (f->nmeta == 0) return NULL; /* meta_by_key may be NULL */
    kv_pair k = {(char *)key, NULL};
    const kv_pair *kp = &k;
    const kv_pair *const *p = bsearch(&kp, f->meta_by_key, f->nmeta, sizeof *f->meta_by_key, cmp_kv_key);
    return p ? (*p)->value : NULL;
}

size_t lv_st_meta_count(const lv_st_file *f) { return f->nmeta; }

int lv_st_meta_at(const lv_st_file *f, size_t i, const char **key, const char **value)
{
    if (i >= f->nmeta) return -1;
    if (key) *key = f->meta[i].key;
    if (value) *value = f->meta[i].value;
    return 0;
}
