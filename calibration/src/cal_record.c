/* cal_record.c - the calibration record file: JSON (cJSON) with a CRC-32
 * over its compact form, written atomically.  Schema: docs/calibration.md. */
#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "device_image_io.h"
#include "fileio.h"
#include "lv_cal.h"

/* A record for the largest device is ~2^23 couplings x 2 numbers. */
#define LV_CAL_MAX_BYTES ((size_t)1 << 30)

void lv_cal_free(lv_cal_record *rec)
{
    if (!rec) return;
    free(rec->units);
    free(rec->coupling_d);
    free(rec->coupling_d_err);
    memset(rec, 0, sizeof *rec);
}

int lv_cal_alloc(lv_cal_record *rec, int nv, int nh, int vv, size_t m, lv_error *err)
{
    if (nv < 1 || nh < 0 || nv + nh > LV_DEV_MAX_N || (vv != 0 && vv != 1))
        return lv_fail(err, "calibration record: unit counts nv = %d, nh = %d, vv = %d are invalid", nv, nh, vv);
    if (m != 0 && m != lv_dev_couplings(nv, nh, vv))
        return lv_fail(err, "calibration record: %zu coupling estimates do not match nv = %d, nh = %d, vv = %d "
                            "(%zu stored couplings)",
                       m, nv, nh, vv, lv_dev_couplings(nv, nh, vv));
    lv_cal_record r;
    memset(&r, 0, sizeof r);
    r.nv = nv;
    r.nh = nh;
    r.vv = vv;
    r.gain_trim = 1.0;
    r.n_units = nv + nh;
    r.m = m;
    r.units = calloc((size_t)r.n_units, sizeof *r.units);
    if (m) {
        r.coupling_d = calloc(m, sizeof(double));
        r.coupling_d_err = calloc(m, sizeof(double));
    }
    if (!r.units || (m && (!r.coupling_d || !r.coupling_d_err))) {
        lv_cal_free(&r);
        return lv_fail(err, "calibration record: out of memory for %d units and %zu couplings", nv + nh, m);
    }
    *rec = r;
    return 0;
}

int lv_cal_check(const lv_cal_record *r, lv_error *err)
{
    if (!r) return lv_fail(err, "calibration record: none given (NULL pointer)");
    if (r->nv < 1 || r->nh < 0 || r->nv + r->nh > LV_DEV_MAX_N || (r->vv != 0 && r->vv != 1) ||
        r->n_units != r->nv + r->nh || !r->units)
        return lv_fail(err, "calibration record: unit counts nv = %d, nh = %d, vv = %d, %d units are "
                            "inconsistent or out of range (1 <= nv, 0 <= nh, nv + nh <= %d)",
                       r->nv, r->nh, r->vv, r->n_units, LV_DEV_MAX_N);
    if (r->fx < 4 || r->fx > 30)
        return lv_fail(err, "calibration record: state fraction bits fx = %d outside 4..30", r->fx);
    if (r->k < 1 || r->k >= (1u << 31))
        return lv_fail(err, "calibration record: K = %u outside 1..2^31-1", r->k);
    if (!isfinite(r->kT_target) || r->kT_target <= 0)
        return lv_fail(err, "calibration record: target kT = %g must be a positive number", r->kT_target);
    if (!isfinite(r->gain_trim) || r->gain_trim <= 0.25 || r->gain_trim >= 4.0)
        return lv_fail(err, "calibration record: gain trim factor %g is outside (0.25, 4): no plausible "
                            "calibration asks for that; the record is corrupt or the chip is broken",
                       r->gain_trim);
    if (r->offset_trim == INT32_MIN)
        return lv_fail(err, "calibration record: offset trim -2^31 is outside the symmetric OFFSET range");
    if (memchr(r->chip, '\0', sizeof r->chip) == NULL)
        return lv_fail(err, "calibration record: chip name is not terminated");
    for (int i = 0; i < r->n_units; ++i) {
        const lv_cal_unit *u = &r->units[i];
        if (!isfinite(u->kT) || u->kT <= 0 || !isfinite(u->kT_err) || u->kT_err < 0 || !isfinite(u->gain_error) ||
            u->gain_error <= -1 || !isfinite(u->offset_lsb) || fabs(u->offset_lsb) >= 2147483648.0 ||
            !isfinite(u->offset_err) || u->offset_err < 0)
            return lv_fail(err, "calibration record: unit %d has an invalid entry (kT %g +- %g, gain error %g, "
                                "offset %g +- %g LSB): temperatures must be positive, errors non-negative, all "
                                "finite",
                           i, u->kT, u->kT_err, u->gain_error, u->offset_lsb, u->offset_err);
    }
    if (r->m) {
        if (r->m != lv_dev_couplings(r->nv, r->nh, r->vv) || !r->coupling_d || !r->coupling_d_err)
            return lv_fail(err, "calibration record: %zu coupling estimates, but nv = %d, nh = %d, vv = %d have "
                                "%zu stored couplings",
                           r->m, r->nv, r->nh, r->vv, lv_dev_couplings(r->nv, r->nh, r->vv));
        for (size_t k = 0; k < r->m; ++k)
            if (!isfinite(r->coupling_d[k]) || r->coupling_d[k] <= -0.5 || r->coupling_d[k] >= 0.5 ||
                !isfinite(r->coupling_d_err[k]) || r->coupling_d_err[k] < 0)
                return lv_fail(err, "calibration record: coupling %zu has relative error %g +- %g; it must be "
                                    "finite and within (-0.5, 0.5), its error finite and >= 0",
                               k, r->coupling_d[k], r->coupling_d_err[k]);
    }
    return 0;
}

/* ---- writing ------------------------------------------------------------ */

static cJSON *num_array(const double *base, size_t n, size_t stride)
{
    cJSON *a = cJSON_CreateArray();
    for (size_t k = 0; a && k < n; ++k) {
        cJSON *v = cJSON_CreateNumber(*(const double *)((const char *)base + k * stride));
        if (!v || !cJSON_AddItemToArray(a, v)) {
            cJSON_Delete(v);
            cJSON_Delete(a);
            return NULL;
        }
    }
    return a;
}

static int add(cJSON *o, const char *name, cJSON *item)
{
    if (!item) return -1;
    if (!cJSON_AddItemToObject(o, name, item)) {
        cJSON_Delete(item);
        return -1;
    }
    return 0;
}

/* The record without its crc32 member. */
static cJSON *to_json(const lv_cal_record *r)
{
    cJSON *o = cJSON_CreateObject(), *dev = cJSON_CreateObject(), *units = cJSON_CreateObject();
    int bad = !o || !dev || !units;
    if (!bad) {
        bad |= add(dev, "nv", cJSON_CreateNumber(r->nv)) | add(dev, "nh", cJSON_CreateNumber(r->nh)) |
               add(dev, "vv", cJSON_CreateNumber(r->vv)) | add(dev, "fx", cJSON_CreateNumber(r->fx)) |
               add(dev, "k", cJSON_CreateNumber(r->k));
        const size_t n = (size_t)r->n_units, st = sizeof(lv_cal_unit);
        bad |= add(units, "kT", num_array(&r->units[0].kT, n, st)) |
               add(units, "kT_err", num_array(&r->units[0].kT_err, n, st)) |
               add(units, "gain_error", num_array(&r->units[0].gain_error, n, st)) |
               add(units, "offset_lsb", num_array(&r->units[0].offset_lsb, n, st)) |
               add(units, "offset_err", num_array(&r->units[0].offset_err, n, st));
        bad |= add(o, "format", cJSON_CreateString(LV_CAL_FORMAT)) |
               add(o, "version", cJSON_CreateNumber(LV_CAL_VERSION)) | add(o, "device", dev);
        dev = NULL;
        bad |= add(o, "chip", cJSON_CreateString(r->chip)) | add(o, "kT_target", cJSON_CreateNumber(r->kT_target)) |
               add(o, "gain_trim", cJSON_CreateNumber(r->gain_trim)) |
               add(o, "offset_trim", cJSON_CreateNumber(r->offset_trim)) | add(o, "units", units);
        units = NULL;
        if (!bad && r->m) {
            cJSON *c = cJSON_CreateObject();
            if (!c || add(o, "couplings", c)) {
                bad = 1;
            } else {
                bad |= add(c, "d", num_array(r->coupling_d, r->m, sizeof(double))) |
                       add(c, "d_err", num_array(r->coupling_d_err, r->m, sizeof(double)));
            }
        }
    }
    cJSON_Delete(dev);
    cJSON_Delete(units);
    if (bad) {
        cJSON_Delete(o);
        return NULL;
    }
    return o;
}

/* cJSON prints doubles with 15 significant digits when they compare equal
 * within a relative DBL_EPSILON, which loses the last bit: every number is
 * replaced by a raw "%.17g" literal, which strtod reads back exactly (and
 * prints identically again, so the CRC of a parsed file is reproducible). */
static int exact_numbers(cJSON *o)
{
    cJSON *it = o ? o->child : NULL;
    while (it) {
        cJSON *next = it->next;
        if (cJSON_IsNumber(it)) {
            char buf[32];
            snprintf(buf, sizeof buf, "%.17g", it->valuedouble);
            cJSON *raw = cJSON_CreateRaw(buf);
            if (raw) { /* the member name moves to the replacement */
                raw->string = it->string;
                it->string = NULL;
            }
            if (!raw || !cJSON_ReplaceItemViaPointer(o, it, raw)) {
                cJSON_Delete(raw);
                return -1;
            }
        } else if ((cJSON_IsArray(it) || cJSON_IsObject(it)) && exact_numbers(it)) {
            return -1;
        }
        it = next;
    }
    return 0;
}

static int crc_of(cJSON *o, uint32_t *crc)
{
    if (exact_numbers(o)) return -1;
    char *s = cJSON_PrintUnformatted(o);
    if (!s) return -1;
    *crc = (uint32_t)crc32(0L, (const Bytef *)s, (uInt)strlen(s));
    free(s);
    return 0;
}

int lv_cal_write(const char *path, const lv_cal_record *rec, lv_error *err)
{
    if (lv_cal_check(rec, err)) return lv_fail_prefix(err, "not writing %s", path);
    cJSON *o = to_json(rec);
    uint32_t crc;
    char hex[16];
    if (!o || crc_of(o, &crc)) {
        cJSON_Delete(o);
        return lv_fail(err, "out of memory encoding the calibration record for %s", path);
    }
    snprintf(hex, sizeof hex, "%08x", crc);
    char *s = NULL;
    if (!add(o, "crc32", cJSON_CreateString(hex))) s = cJSON_Print(o);
    cJSON_Delete(o);
    if (!s) return lv_fail(err, "out of memory encoding the calibration record for %s", path);
    size_t len = strlen(s);
    s[len] = '\n'; /* cJSON_Print's terminator becomes the file's final newline */
    int rc = lv_write_file_atomic(path, s, len + 1, err);
    free(s);
    return rc;
}

/* ---- reading ------------------------------------------------------------ */

static const cJSON *member(const cJSON *o, const char *name, const char *path, lv_error *err)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);
    if (!v) lv_fail(err, "calibration record %s: the member \"%s\" is missing", path, name);
    return v;
}

static int get_num(const cJSON *o, const char *name, double *out, const char *path, lv_error *err)
{
    const cJSON *v = member(o, name, path, err);
    if (!v) return -1;
    if (!cJSON_IsNumber(v))
        return lv_fail(err, "calibration record %s: \"%s\" must be a number", path, name);
    *out = v->valuedouble;
    return 0;
}

static int get_int(const cJSON *o, const char *name, long lo, long hi, long *out, const char *path, lv_error *err)
{
    double d;
    if (get_num(o, name, &d, path, err)) return -1;
    if (!(d >= (double)lo && d <= (double)hi) || d != floor(d))
        return lv_fail(err, "calibration record %s: \"%s\" = %g must be an integer in %ld..%ld", path, name, d, lo,
                       hi);
    *out = (long)d;
    return 0;
}

static int get_array(const cJSON *o, const char *name, size_t n, double *base, size_t stride, const char *path,
                     lv_error *err)
{
    const cJSON *a = member(o, name, path, err), *v;
    if (!a) return -1;
    if (!cJSON_IsArray(a) || (size_t)cJSON_GetArraySize(a) != n)
        return lv_fail(err, "calibration record %s: \"%s\" must be an array of %zu numbers", path, name, n);
    size_t k = 0;
    cJSON_ArrayForEach(v, a)
    {
        if (!cJSON_IsNumber(v))
            return lv_fail(err, "calibration record %s: \"%s\"[%zu] is not a number", path, name, k);
        *(double *)((char *)base + k * stride) = v->valuedouble;
        ++k;
    }
    return 0;
}

static int from_json(const cJSON *o, const char *path, lv_cal_record *out, lv_error *err)
{
    const cJSON *fmt = member(o, "format", path, err), *dev, *units, *chip, *coup;
    if (!fmt) return -1;
    if (!cJSON_IsString(fmt) || strcmp(fmt->valuestring, LV_CAL_FORMAT) != 0)
        return lv_fail(err, "calibration record %s: \"format\" is not \"%s\": not a calibration record", path,
                       LV_CAL_FORMAT);
    long ver, nv, nh, vv, fx, k;
    if (get_int(o, "version", 0, 1000000, &ver, path, err)) return -1;
    if (ver != LV_CAL_VERSION)
        return lv_fail(err, "calibration record %s has version %ld; this program reads version %d", path, ver,
                       LV_CAL_VERSION);
    if (!(dev = member(o, "device", path, err)) || !(units = member(o, "units", path, err)) ||
        !(chip = member(o, "chip", path, err)))
        return -1;
    if (!cJSON_IsObject(dev) || !cJSON_IsObject(units) || !cJSON_IsString(chip))
        return lv_fail(err, "calibration record %s: \"device\" and \"units\" must be objects, \"chip\" a string",
                       path);
    if (strlen(chip->valuestring) >= sizeof out->chip)
        return lv_fail(err, "calibration record %s: \"chip\" is longer than %zu characters", path,
                       sizeof out->chip - 1);
    if (get_int(dev, "nv", 1, LV_DEV_MAX_N, &nv, path, err) || get_int(dev, "nh", 0, LV_DEV_MAX_N, &nh, path, err) ||
        get_int(dev, "vv", 0, 1, &vv, path, err) || get_int(dev, "fx", 4, 30, &fx, path, err) ||
        get_int(dev, "k", 1, 2147483647L, &k, path, err))
        return -1;
    if (nv + nh > LV_DEV_MAX_N)
        return lv_fail(err, "calibration record %s: nv + nh = %ld exceeds the device's %d units", path, nv + nh,
                       LV_DEV_MAX_N);
    coup = cJSON_GetObjectItemCaseSensitive(o, "couplings");
    size_t m = coup ? lv_dev_couplings((int)nv, (int)nh, (int)vv) : 0;
    if (coup && !cJSON_IsObject(coup))
        return lv_fail(err, "calibration record %s: \"couplings\" must be an object", path);
    lv_cal_record r;
    if (lv_cal_alloc(&r, (int)nv, (int)nh, (int)vv, m, err)) return -1;
    long ot;
    const size_t n = (size_t)r.n_units, st = sizeof(lv_cal_unit);
    r.fx = (int)fx;
    r.k = (uint32_t)k;
    strcpy(r.chip, chip->valuestring);
    if (get_num(o, "kT_target", &r.kT_target, path, err) || get_num(o, "gain_trim", &r.gain_trim, path, err) ||
        get_int(o, "offset_trim", -2147483647L, 2147483647L, &ot, path, err) ||
        get_array(units, "kT", n, &r.units[0].kT, st, path, err) ||
        get_array(units, "kT_err", n, &r.units[0].kT_err, st, path, err) ||
        get_array(units, "gain_error", n, &r.units[0].gain_error, st, path, err) ||
        get_array(units, "offset_lsb", n, &r.units[0].offset_lsb, st, path, err) ||
        get_array(units, "offset_err", n, &r.units[0].offset_err, st, path, err) ||
        (m && (get_array(coup, "d", m, r.coupling_d, sizeof(double), path, err) ||
               get_array(coup, "d_err", m, r.coupling_d_err, sizeof(double), path, err)))) {
        lv_cal_free(&r);
        return -1;
    }
    r.offset_trim = (int32_t)ot;
    if (lv_cal_check(&r, err)) {
        lv_cal_free(&r);
        return lv_fail_prefix(err, "%s", path);
    }
    *out = r;
    return 0;
}

int lv_cal_read(const char *path, lv_cal_record *rec, lv_error *err)
{
    if (!path || !rec) return lv_fail(err, "lv_cal_read: NULL argument");
    uint8_t *data;
    size_t len;
    if (lv_read_file(path, &data, &len, LV_CAL_MAX_BYTES, err)) return lv_fail_prefix(err, "calibration record");
    const char *end = NULL;
    cJSON *o = cJSON_ParseWithLengthOpts((const char *)data, len, &end, 0);
    if (!o || !cJSON_IsObject(o)) {
        long at = o ? 0 : (long)(cJSON_GetErrorPtr() ? cJSON_GetErrorPtr() - (const char *)data : -1);
        cJSON_Delete(o);
        free(data);
        if (at >= 0 && (size_t)at <= len)
            return lv_fail(err, "calibration record %s is not a JSON object (parse error near byte %ld): the "
                                "file is corrupt or not a calibration record",
                           path, at);
        return lv_fail(err, "calibration record %s is not a JSON object: the file is corrupt or not a "
                            "calibration record",
                       path);
    }
    for (const char *p = end; p && (size_t)(p - (const char *)data) < len; ++p)
        if (*p != ' ' && *p != '\n' && *p != '\r' && *p != '\t') {
            cJSON_Delete(o);
            free(data);
            return lv_fail(err, "calibration record %s has data after its JSON object: the file is corrupt", path);
        }
    free(data);
    cJSON *c = cJSON_DetachItemFromObjectCaseSensitive(o, "crc32");
    uint32_t want = 0, got;
    int bad_crc = !c || !cJSON_IsString(c) || strlen(c->valuestring) != 8 ||
                  strspn(c->valuestring, "0123456789abcdef") != 8;
    if (!bad_crc) want = (uint32_t)strtoul(c->valuestring, NULL, 16);
    cJSON_Delete(c);
    if (bad_crc) {
        cJSON_Delete(o);
        return lv_fail(err, "calibration record %s has no valid \"crc32\" member (8 lower-case hex digits): the "
                            "file is corrupt or was not written by `langevin calibrate`",
                       path);
    }
    cJSON *dup = cJSON_Duplicate(o, 1); /* crc_of rewrites numbers as raw text */
    int crc_failed = !dup || crc_of(dup, &got);
    cJSON_Delete(dup);
    if (crc_failed) {
        cJSON_Delete(o);
        return lv_fail(err, "out of memory checking the calibration record %s", path);
    }
    if (got != want) {
        cJSON_Delete(o);
        return lv_fail(err, "calibration record %s fails its CRC-32 check (stored %08x, content %08x): the file "
                            "was corrupted or edited; re-run `langevin calibrate`",
                       path, want, got);
    }
    int rc = from_json(o, path, rec, err);
    cJSON_Delete(o);
    return rc;
}
