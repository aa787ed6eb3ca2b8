/* regmap_gen.c - validate the device register map and generate its views.
 *
 * Usage: regmap_gen MAP.json [--header OUT.h] [--verilog OUT.vh]
 *                            [--markdown OUT.md] [--source-name NAME]
 *
 * Contract: MAP.json (regmap/langevin_device.json) is the single source of
 * truth for the register interface.  regmap_gen refuses it, naming the
 * object and the problem, if it has unknown keys, bad names, duplicate
 * names, misaligned / out-of-window / overlapping registers, fields outside
 * the data width or overlapping each other, reset or enum values that do
 * not fit their field, memories whose ID or depth does not fit the memory
 * port, a configuration-CRC list that disagrees with the "load" registers,
 * or two generated identifiers that would collide.  Otherwise it writes each
 * requested output atomically: a C99 freestanding header (<stdint.h> only),
 * a Verilog include of localparams, and the Markdown register map.  Outputs
 * are deterministic (no dates, no absolute paths: NAME, default MAP.json as
 * given, is the only provenance written), so docs/register-map.md can be
 * compared byte for byte with a fresh one.
 * Exit status: 0 success, 1 invalid map or I/O error, 2 usage error.
 */
#include <cjson/cJSON.h>
#include <ctype.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "fileio.h"

#define DATA_WIDTH 32
#define MAX_MAP_BYTES (1u << 22)

typedef struct {
    const char *name, *desc;
    uint32_t value;
} enum_val;

typedef struct {
    const char *name, *desc, *access;
    int msb, lsb;
    uint32_t reset;
    enum_val *enums;
    int n_enums;
} field;

typedef struct {
    const char *name, *desc, *access;
    uint32_t offset;
    int load;
    field *fields;
    int n_fields;
} reg;

typedef struct {
    const char *name, *desc;
    uint32_t value;
} param;

typedef struct {
    const char *name, *desc, *access, *depth_name; /* depth_name: the parameter, or NULL */
    uint32_t id, width, depth;
} memory;

typedef struct {
    const char *src;       /* provenance written into the outputs */
    const char *title;
    uint32_t addr_bytes;
    int addr_bits;
    const cJSON *desc;     /* array of Markdown lines */
    param *params;
    int n_params;
    reg *regs;             /* sorted by offset after parsing */
    int n_regs;
    memory *mems;
    int n_mems;
    const field *sel, *addr; /* the memory port's select and address fields */
    const char *sel_name, *addr_name;
    int *crc;              /* indexes into regs, CRC order */
    int n_crc;
} regmap;

static void map_free(regmap *m)
{
    for (int i = 0; i < m->n_regs; i++) {
        for (int f = 0; f < m->regs[i].n_fields; f++) free(m->regs[i].fields[f].enums);
        free(m->regs[i].fields);
    }
    free(m->regs);
    free(m->params);
    free(m->mems);
    free(m->crc);
}

/* ------------------------------------------------------------- parsing */

/* Refuse keys other than the allowed ones: a typo ("acess") must not pass
 * silently as a default. */
static int check_keys(const cJSON *o, const char *const *allowed, const char *where, lv_error *err)
{
    if (!cJSON_IsObject(o)) return lv_fail(err, "%s is not a JSON object", where);
    const cJSON *c;
    cJSON_ArrayForEach(c, o) {
        int ok = 0;
        for (const char *const *a = allowed; *a && !ok; a++) ok = strcmp(c->string, *a) == 0;
        if (!ok) return lv_fail(err, "%s has an unknown key \"%s\" (misspelt?)", where, c->string);
        for (const cJSON *d = c->next; d; d = d->next)
            if (strcmp(c->string, d->string) == 0)
                return lv_fail(err, "%s has the key \"%s\" twice", where, c->string);
    }
    return 0;
}

/* Names become C and Verilog identifiers: upper-case, digits, underscores. */
static int check_name(const char *s, const char *where, lv_error *err)
{
    size_t n = strlen(s);
    int ok = n > 0 && n <= 40 && isupper((unsigned char)s[0]) && s[n - 1] != '_' && !strstr(s, "__");
    for (size_t i = 0; ok && i < n; i++)
        ok = isupper((unsigned char)s[i]) || isdigit((unsigned char)s[i]) || s[i] == '_';
    if (!ok)
        return lv_fail(err, "%s has the name \"%s\": names must be 1 to 40 characters of A-Z, 0-9 and single "
                       "underscores, starting with a letter", where, s);
    return 0;
}

/* A description goes into one comment line and one table cell: no control
 * characters, and no comment terminator. */
static int check_text(const char *s, const char *where, lv_error *err)
{
    if (!*s) return lv_fail(err, "%s: its description is empty", where);
    for (const char *p = s; *p; p++)
        if ((unsigned char)*p < 0x20)
            return lv_fail(err, "%s: its description contains a control character (byte 0x%02x); use plain "
                           "one-line text", where, (unsigned char)*p);
    if (strstr(s, "*/")) return lv_fail(err, "%s: its description contains \"*/\", which would end a C comment", where);
    return 0;
}

static const char *get_str(const cJSON *o, const char *key, int required, const char *where, lv_error *err,
                           int *rc)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    if (!v) {
        if (required) *rc = lv_fail(err, "%s has no \"%s\"", where, key);
        return NULL;
    }
    if (!cJSON_IsString(v)) {
        *rc = lv_fail(err, "%s: \"%s\" must be a string", where, key);
        return NULL;
    }
    return v->valuestring;
}

static const param *find_param(const regmap *m, const char *name)
{
    for (int i = 0; i < m->n_params; i++)
        if (strcmp(m->params[i].name, name) == 0) return &m->params[i];
    return NULL;
}

/* A 32-bit unsigned value: a JSON integer, a "0x..." hex string, or (when
 * allow_param) a parameter name, whose name goes to *pname. */
static int get_u32(const regmap *m, const cJSON *v, const char *key, const char *where, int allow_param,
                   uint32_t *out, const char **pname, lv_error *err)
{
    if (pname) *pname = NULL;
    if (cJSON_IsNumber(v)) {
        double d = v->valuedouble;
        if (!(d >= 0 && d <= 4294967295.0) || d != (double)(uint32_t)d)
            return lv_fail(err, "%s: \"%s\" = %g is not an integer in 0..2^32-1", where, key, d);
        *out = (uint32_t)d;
        return 0;
    }
    if (cJSON_IsString(v)) {
        const char *s = v->valuestring;
        if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X') && s[2]) {
            char *end;
            unsigned long long u = strtoull(s + 2, &end, 16);
            if (*end || u > 0xFFFFFFFFull || !isxdigit((unsigned char)s[2]))
                return lv_fail(err, "%s: \"%s\" = \"%s\" is not a hex number in 0..0xFFFFFFFF", where, key, s);
            *out = (uint32_t)u;
            return 0;
        }
        if (allow_param) {
            const param *p = find_param(m, s);
            if (!p) return lv_fail(err, "%s: \"%s\" = \"%s\" names no parameter", where, key, s);
            *out = p->value;
            if (pname) *pname = p->name;
            return 0;
        }
    }
    return lv_fail(err, "%s: \"%s\" must be an integer or a \"0x...\" hex string%s", where, key,
                   allow_param ? " or a parameter name" : "");
}

/* "msb:lsb" or "bit". */
static int parse_bits(const char *s, int *msb, int *lsb)
{
    char *end;
    if (!isdigit((unsigned char)s[0])) return -1;
    long a = strtol(s, &end, 10);
    long b = a;
    if (*end == ':') {
        if (!isdigit((unsigned char)end[1])) return -1;
        b = strtol(end + 1, &end, 10);
    }
    if (*end || a > 1000 || b > 1000) return -1;
    *msb = (int)a, *lsb = (int)b;
    return 0;
}

static int valid_access(const char *a) { return !strcmp(a, "ro") || !strcmp(a, "rw") || !strcmp(a, "w1c") || !strcmp(a, "wo"); }

static int parse_field(const regmap *m, const reg *r, const cJSON *o, field *f, lv_error *err)
{
    static const char *const keys[] = {"name", "bits", "access", "reset", "desc", "enum", NULL};
    char where[160];
    const cJSON *nm = cJSON_GetObjectItemCaseSensitive(o, "name");
    if (cJSON_IsString(nm))
        snprintf(where, sizeof where, "register %s, field %s", r->name, nm->valuestring);
    else
        snprintf(where, sizeof where, "register %s: field number %d (counting from 1)", r->name, r->n_fields + 1);
    if (check_keys(o, keys, where, err)) return -1;
    int rc = 0;
    f->name = get_str(o, "name", 1, where, err, &rc);
    if (rc) return rc;
    snprintf(where, sizeof where, "register %s, field %s", r->name, f->name);
    if (check_name(f->name, where, err)) return -1;
    const char *bits = get_str(o, "bits", 1, where, err, &rc);
    f->desc = get_str(o, "desc", 1, where, err, &rc);
    f->access = get_str(o, "access", 0, where, err, &rc);
    if (rc) return rc;
    if (check_text(f->desc, where, err)) return -1;
    if (!f->access) f->access = r->access;
    if (!valid_access(f->access))
        return lv_fail(err, "%s: access \"%s\" is not one of ro, rw, w1c, wo", where, f->access);
    if (parse_bits(bits, &f->msb, &f->lsb))
        return lv_fail(err, "%s: bits \"%s\" is not \"msb:lsb\" or \"bit\"", where, bits);
    if (f->lsb > f->msb)
        return lv_fail(err, "%s: bits %d:%d have msb below lsb (write \"%d:%d\")", where, f->msb, f->lsb, f->lsb, f->msb);
    if (f->msb >= DATA_WIDTH)
        return lv_fail(err, "%s: bits %d:%d are outside the %d-bit register (%d:0)", where, f->msb, f->lsb,
                       DATA_WIDTH, DATA_WIDTH - 1);
    int width = f->msb - f->lsb + 1;
    uint64_t limit = (uint64_t)1 << width;
    const cJSON *rv = cJSON_GetObjectItemCaseSensitive(o, "reset");
    if (!rv) return lv_fail(err, "%s has no \"reset\"", where);
    if (get_u32(m, rv, "reset", where, 1, &f->reset, NULL, err)) return -1;
    if (f->reset >= limit)
        return lv_fail(err, "%s: reset value %lu does not fit its %d bit%s", where, (unsigned long)f->reset, width,
                       width > 1 ? "s" : "");
    const cJSON *en = cJSON_GetObjectItemCaseSensitive(o, "enum");
    if (en) {
        if (!cJSON_IsArray(en) || cJSON_GetArraySize(en) == 0)
            return lv_fail(err, "%s: \"enum\" must be a non-empty array", where);
        f->enums = calloc((size_t)cJSON_GetArraySize(en), sizeof *f->enums);
        if (!f->enums) return lv_fail(err, "out of memory");
        const cJSON *e;
        static const char *const ekeys[] = {"name", "value", "desc", NULL};
        cJSON_ArrayForEach(e, en) {
            enum_val *ev = &f->enums[f->n_enums];
            char ew[200];
            snprintf(ew, sizeof ew, "%s: an enum value", where);
            if (check_keys(e, ekeys, ew, err)) return -1;
            ev->name = get_str(e, "name", 1, ew, err, &rc);
            if (rc) return rc;
            snprintf(ew, sizeof ew, "%s, enum value %s", where, ev->name);
            ev->desc = get_str(e, "desc", 1, ew, err, &rc);
            if (rc || check_name(ev->name, ew, err) || check_text(ev->desc, ew, err)) return -1;
            const cJSON *vv = cJSON_GetObjectItemCaseSensitive(e, "value");
            if (!vv) return lv_fail(err, "%s has no \"value\"", ew);
            if (get_u32(m, vv, "value", ew, 0, &ev->value, NULL, err)) return -1;
            if (ev->value >= limit)
                return lv_fail(err, "%s: value %lu does not fit the field's %d bits", ew, (unsigned long)ev->value, width);
            for (int k = 0; k < f->n_enums; k++) {
                if (!strcmp(f->enums[k].name, ev->name))
                    return lv_fail(err, "%s: the name %s is used twice", where, ev->name);
                if (f->enums[k].value == ev->value)
                    return lv_fail(err, "%s: enum values %s and %s are both %lu", where, f->enums[k].name, ev->name,
                                   (unsigned long)ev->value);
            }
            f->n_enums++;
        }
    }
    return 0;
}

static int parse_reg(const regmap *m, const cJSON *o, int idx, reg *r, lv_error *err)
{
    static const char *const keys[] = {"name", "offset", "access", "desc", "load", "fields", NULL};
    char where[128];
    /* Name the register in messages as soon as its name is known. */
    const cJSON *nm = cJSON_GetObjectItemCaseSensitive(o, "name");
    if (cJSON_IsString(nm))
        snprintf(where, sizeof where, "register %s", nm->valuestring);
    else
        snprintf(where, sizeof where, "register number %d (counting from 1)", idx + 1);
    if (check_keys(o, keys, where, err)) return -1;
    int rc = 0;
    r->name = get_str(o, "name", 1, where, err, &rc);
    if (rc) return rc;
    snprintf(where, sizeof where, "register %s", r->name);
    if (check_name(r->name, where, err)) return -1;
    r->access = get_str(o, "access", 1, where, err, &rc);
    r->desc = get_str(o, "desc", 1, where, err, &rc);
    if (rc || check_text(r->desc, where, err)) return -1;
    if (!valid_access(r->access))
        return lv_fail(err, "%s: access \"%s\" is not one of ro, rw, w1c, wo", where, r->access);
    const cJSON *off = cJSON_GetObjectItemCaseSensitive(o, "offset");
    if (!off) return lv_fail(err, "%s has no \"offset\"", where);
    if (get_u32(m, off, "offset", where, 0, &r->offset, NULL, err)) return -1;
    if (r->offset % (DATA_WIDTH / 8))
        return lv_fail(err, "%s: offset 0x%03lx is not a multiple of %d (registers are 32-bit aligned)", where,
                       (unsigned long)r->offset, DATA_WIDTH / 8);
    if (r->offset >= m->addr_bytes)
        return lv_fail(err, "%s: offset 0x%03lx is outside the %lu-byte register window", where,
                       (unsigned long)r->offset, (unsigned long)m->addr_bytes);
    const cJSON *ld = cJSON_GetObjectItemCaseSensitive(o, "load");
    if (ld && !cJSON_IsBool(ld)) return lv_fail(err, "%s: \"load\" must be true or false", where);
    r->load = ld && cJSON_IsTrue(ld);
    if (r->load && strcmp(r->access, "rw"))
        return lv_fail(err, "%s: a \"load\" register must be rw (the loader writes it)", where);
    const cJSON *fs = cJSON_GetObjectItemCaseSensitive(o, "fields");
    if (!cJSON_IsArray(fs) || cJSON_GetArraySize(fs) == 0)
        return lv_fail(err, "%s: \"fields\" must be a non-empty array (a whole-register value is one field "
                       "\"31:0\")", where);
    r->fields = calloc((size_t)cJSON_GetArraySize(fs), sizeof *r->fields);
    if (!r->fields) return lv_fail(err, "out of memory");
    const cJSON *fo;
    cJSON_ArrayForEach(fo, fs) {
        field *f = &r->fields[r->n_fields];
        int frc = parse_field(m, r, fo, f, err);
        r->n_fields++; /* counted even on failure so map_free frees its enums */
        if (frc) return -1;
        for (int k = 0; k + 1 < r->n_fields; k++) {
            const field *g = &r->fields[k];
            if (!strcmp(g->name, f->name))
                return lv_fail(err, "%s: two fields are named %s", where, f->name);
            if (f->lsb <= g->msb && g->lsb <= f->msb)
                return lv_fail(err, "%s: field %s (bits %d:%d) overlaps field %s (bits %d:%d)", where, f->name,
                               f->msb, f->lsb, g->name, g->msb, g->lsb);
        }
    }
    return 0;
}

/* "REG.FIELD" -> the field. */
static const field *find_field(const regmap *m, const char *spec, const char *where, lv_error *err)
{
    const char *dot = strchr(spec, '.');
    if (dot) {
        size_t n = (size_t)(dot - spec);
        for (int i = 0; i < m->n_regs; i++)
            if (strlen(m->regs[i].name) == n && !strncmp(m->regs[i].name, spec, n))
                for (int f = 0; f < m->regs[i].n_fields; f++)
                    if (!strcmp(m->regs[i].fields[f].name, dot + 1)) return &m->regs[i].fields[f];
    }
    lv_fail(err, "%s: \"%s\" names no REGISTER.FIELD of the map", where, spec);
    return NULL;
}

static int cmp_reg(const void *a, const void *b)
{
    const reg *x = a, *y = b;
    return x->offset < y->offset ? -1 : x->offset > y->offset;
}

static int parse_map(const cJSON *root, regmap *m, lv_error *err)
{
    static const char *const keys[] = {"name", "title", "data_width", "addr_bytes", "description", "params",
                                       "memory_port", "memories", "config_crc_registers", "registers", NULL};
    if (check_keys(root, keys, "the map", err)) return -1;
    int rc = 0;
    m->title = get_str(root, "title", 1, "the map", err, &rc);
    if (rc || !get_str(root, "name", 1, "the map", err, &rc)) return -1;
    const cJSON *dw = cJSON_GetObjectItemCaseSensitive(root, "data_width");
    if (!cJSON_IsNumber(dw) || dw->valuedouble != DATA_WIDTH)
        return lv_fail(err, "the map: \"data_width\" must be %d (the generator emits 32-bit registers)", DATA_WIDTH);
    const cJSON *ab = cJSON_GetObjectItemCaseSensitive(root, "addr_bytes");
    if (!ab) return lv_fail(err, "the map has no \"addr_bytes\"");
    if (get_u32(m, ab, "addr_bytes", "the map", 0, &m->addr_bytes, NULL, err)) return -1;
    if (m->addr_bytes < 4 || (m->addr_bytes & (m->addr_bytes - 1)))
        return lv_fail(err, "the map: \"addr_bytes\" = %lu must be a power of two >= 4", (unsigned long)m->addr_bytes);
    while (((uint64_t)1 << m->addr_bits) < m->addr_bytes) m->addr_bits++;
    m->desc = cJSON_GetObjectItemCaseSensitive(root, "description");
    if (!cJSON_IsArray(m->desc)) return lv_fail(err, "the map: \"description\" must be an array of Markdown lines");
    const cJSON *line;
    cJSON_ArrayForEach(line, m->desc) {
        if (!cJSON_IsString(line)) return lv_fail(err, "the map: every \"description\" line must be a string");
        for (const char *p = line->valuestring; *p; p++)
            if ((unsigned char)*p < 0x20)
                return lv_fail(err, "the map: a \"description\" line contains a control character; use one array "
                               "element per line");
    }

    /* Parameters first: resets and depths may name them. */
    const cJSON *ps = cJSON_GetObjectItemCaseSensitive(root, "params"), *o;
    if (!cJSON_IsArray(ps)) return lv_fail(err, "the map: \"params\" must be an array");
    m->params = calloc((size_t)cJSON_GetArraySize(ps) + 1, sizeof *m->params);
    if (!m->params) return lv_fail(err, "out of memory");
    cJSON_ArrayForEach(o, ps) {
        static const char *const pk[] = {"name", "value", "desc", NULL};
        param *p = &m->params[m->n_params];
        if (check_keys(o, pk, "a parameter", err)) return -1;
        p->name = get_str(o, "name", 1, "a parameter", err, &rc);
        if (rc) return -1;
        char where[96];
        snprintf(where, sizeof where, "parameter %s", p->name);
        p->desc = get_str(o, "desc", 1, where, err, &rc);
        if (rc || check_name(p->name, where, err) || check_text(p->desc, where, err)) return -1;
        if (find_param(m, p->name)) return lv_fail(err, "two parameters are named %s", p->name);
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, "value");
        if (!v) return lv_fail(err, "%s has no \"value\"", where);
        if (get_u32(m, v, "value", where, 0, &p->value, NULL, err)) return -1;
        m->n_params++;
    }

    const cJSON *rs = cJSON_GetObjectItemCaseSensitive(root, "registers");
    if (!cJSON_IsArray(rs) || cJSON_GetArraySize(rs) == 0)
        return lv_fail(err, "the map: \"registers\" must be a non-empty array");
    m->regs = calloc((size_t)cJSON_GetArraySize(rs), sizeof *m->regs);
    if (!m->regs) return lv_fail(err, "out of memory");
    cJSON_ArrayForEach(o, rs) {
        reg *r = &m->regs[m->n_regs];
        int rrc = parse_reg(m, o, m->n_regs, r, err);
        m->n_regs++;
        if (rrc) return -1;
        for (int k = 0; k + 1 < m->n_regs; k++) {
            if (!strcmp(m->regs[k].name, r->name)) return lv_fail(err, "two registers are named %s", r->name);
            if (m->regs[k].offset == r->offset)
                return lv_fail(err, "registers %s and %s overlap: both are at offset 0x%03lx", m->regs[k].name,
                               r->name, (unsigned long)r->offset);
        }
    }
    qsort(m->regs, (size_t)m->n_regs, sizeof *m->regs, cmp_reg);

    /* Memory port and memories. */
    const cJSON *mp = cJSON_GetObjectItemCaseSensitive(root, "memory_port");
    static const char *const mpk[] = {"select", "address", NULL};
    if (!mp) return lv_fail(err, "the map has no \"memory_port\"");
    if (check_keys(mp, mpk, "\"memory_port\"", err)) return -1;
    m->sel_name = get_str(mp, "select", 1, "\"memory_port\"", err, &rc);
    m->addr_name = get_str(mp, "address", 1, "\"memory_port\"", err, &rc);
    if (rc) return -1;
    if (!(m->sel = find_field(m, m->sel_name, "\"memory_port\" select", err))) return -1;
    if (!(m->addr = find_field(m, m->addr_name, "\"memory_port\" address", err))) return -1;
    const cJSON *ms = cJSON_GetObjectItemCaseSensitive(root, "memories");
    if (!cJSON_IsArray(ms)) return lv_fail(err, "the map: \"memories\" must be an array");
    m->mems = calloc((size_t)cJSON_GetArraySize(ms) + 1, sizeof *m->mems);
    if (!m->mems) return lv_fail(err, "out of memory");
    int sel_w = m->sel->msb - m->sel->lsb + 1, addr_w = m->addr->msb - m->addr->lsb + 1;
    cJSON_ArrayForEach(o, ms) {
        static const char *const mk[] = {"name", "id", "width", "depth", "access", "desc", NULL};
        memory *e = &m->mems[m->n_mems];
        if (check_keys(o, mk, "a memory", err)) return -1;
        e->name = get_str(o, "name", 1, "a memory", err, &rc);
        if (rc) return -1;
        char where[96];
        snprintf(where, sizeof where, "memory %s", e->name);
        e->desc = get_str(o, "desc", 1, where, err, &rc);
        e->access = get_str(o, "access", 1, where, err, &rc);
        if (rc || check_name(e->name, where, err) || check_text(e->desc, where, err)) return -1;
        if (strcmp(e->access, "rw") && strcmp(e->access, "ro"))
            return lv_fail(err, "%s: access \"%s\" must be rw or ro", where, e->access);
        const cJSON *id = cJSON_GetObjectItemCaseSensitive(o, "id"), *w = cJSON_GetObjectItemCaseSensitive(o, "width"),
                    *d = cJSON_GetObjectItemCaseSensitive(o, "depth");
        if (!id || !w || !d) return lv_fail(err, "%s needs \"id\", \"width\" and \"depth\"", where);
        if (get_u32(m, id, "id", where, 0, &e->id, NULL, err) || get_u32(m, w, "width", where, 0, &e->width, NULL, err) ||
            get_u32(m, d, "depth", where, 1, &e->depth, &e->depth_name, err))
            return -1;
        if (e->id >= ((uint64_t)1 << sel_w))
            return lv_fail(err, "%s: id %lu does not fit %s (%d bits)", where, (unsigned long)e->id, m->sel_name, sel_w);
        if (e->width < 1 || e->width > DATA_WIDTH)
            return lv_fail(err, "%s: width %lu is outside 1..%d", where, (unsigned long)e->width, DATA_WIDTH);
        if (e->depth < 1 || e->depth > ((uint64_t)1 << addr_w))
            return lv_fail(err, "%s: depth %lu is outside 1..2^%d (the %s field's reach)", where,
                           (unsigned long)e->depth, addr_w, m->addr_name);
        for (int k = 0; k < m->n_mems; k++) {
            if (!strcmp(m->mems[k].name, e->name)) return lv_fail(err, "two memories are named %s", e->name);
            if (m->mems[k].id == e->id)
                return lv_fail(err, "memories %s and %s both have id %lu", m->mems[k].name, e->name,
                               (unsigned long)e->id);
        }
        m->n_mems++;
    }

    /* The configuration CRC covers exactly the load registers. */
    const cJSON *cr = cJSON_GetObjectItemCaseSensitive(root, "config_crc_registers");
    if (!cJSON_IsArray(cr)) return lv_fail(err, "the map: \"config_crc_registers\" must be an array of register names");
    m->crc = calloc((size_t)cJSON_GetArraySize(cr) + 1, sizeof *m->crc);
    if (!m->crc) return lv_fail(err, "out of memory");
    cJSON_ArrayForEach(o, cr) {
        if (!cJSON_IsString(o)) return lv_fail(err, "the map: \"config_crc_registers\" must hold register names");
        int found = -1;
        for (int i = 0; i < m->n_regs; i++)
            if (!strcmp(m->regs[i].name, o->valuestring)) found = i;
        if (found < 0) return lv_fail(err, "\"config_crc_registers\" names %s, which is no register", o->valuestring);
        if (!m->regs[found].load)
            return lv_fail(err, "\"config_crc_registers\" lists %s, which is not a \"load\" register", o->valuestring);
        for (int k = 0; k < m->n_crc; k++)
            if (m->crc[k] == found) return lv_fail(err, "\"config_crc_registers\" lists %s twice", o->valuestring);
        m->crc[m->n_crc++] = found;
    }
    for (int i = 0; i < m->n_regs; i++) {
        int listed = 0;
        for (int k = 0; k < m->n_crc; k++) listed |= m->crc[k] == i;
        if (m->regs[i].load && !listed)
            return lv_fail(err, "register %s is a \"load\" register but is missing from \"config_crc_registers\"",
                           m->regs[i].name);
    }
    return 0;
}

/* --------------------------------------------------------------- output */

typedef struct {
    char *p;
    size_t n, cap;
    int oom;
} sbuf;

__attribute__((format(printf, 2, 3)))
static void sb_printf(sbuf *b, const char *fmt, ...)
{
    if (b->oom) return;
    va_list ap;
    va_start(ap, fmt);
    int k = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (k < 0) {
        b->oom = 1;
        return;
    }
    if (b->n + (size_t)k + 1 > b->cap) {
        size_t nc = b->cap ? b->cap : 4096;
        while (nc < b->n + (size_t)k + 1) nc *= 2;
        char *q = realloc(b->p, nc);
        if (!q) {
            b->oom = 1;
            return;
        }
        b->p = q, b->cap = nc;
    }
    va_start(ap, fmt);
    vsnprintf(b->p + b->n, (size_t)k + 1, fmt, ap);
    va_end(ap);
    b->n += (size_t)k;
}

/* Word-wrap text into lines of at most `width` columns, the first starting
 * with `prefix`, the others with `cont`. */
static void sb_wrap(sbuf *b, const char *prefix, const char *cont, const char *text, size_t width)
{
    size_t col = 0;
    int started = 0;
    const char *p = text;
    while (*p) {
        while (*p == ' ') p++;
        if (!*p) break;
        const char *e = p;
        while (*e && *e != ' ') e++;
        size_t w = (size_t)(e - p);
        if (col > 0 && col + 1 + w > width) {
            sb_printf(b, "\n");
            col = 0;
        }
        if (col == 0) {
            const char *pre = started ? cont : prefix;
            sb_printf(b, "%s", pre);
            col = strlen(pre);
            started = 1;
        } else {
            sb_printf(b, " ");
            col++;
        }
        sb_printf(b, "%.*s", (int)w, p);
        col += w;
        p = e;
    }
    if (col) sb_printf(b, "\n");
}

/* A wrapped C comment, "<prefix>text ...", closed on its last line. */
static void sb_comment(sbuf *b, const char *prefix, const char *text)
{
    char cont[16];
    snprintf(cont, sizeof cont, "%s", prefix);
    if (cont[0] == '/') cont[0] = ' '; /* continuation lines start " *" */
    sb_wrap(b, prefix, cont, text, 96);
    if (!b->oom && b->n > 0 && b->p[b->n - 1] == '\n') b->n--;
    sb_printf(b, " */\n");
}

static uint32_t field_mask(const field *f)
{
    return (uint32_t)((((uint64_t)1 << (f->msb - f->lsb + 1)) - 1) << f->lsb);
}

static uint32_t reg_reset(const reg *r)
{
    uint32_t v = 0;
    for (int f = 0; f < r->n_fields; f++) v |= r->fields[f].reset << r->fields[f].lsb;
    return v;
}

/* "ro", or "ro/w1c" for a register whose fields differ. */
static void reg_access(const reg *r, char *out, size_t cap)
{
    out[0] = '\0';
    static const char *const order[] = {"ro", "rw", "wo", "w1c"};
    for (int a = 0; a < 4; a++)
        for (int f = 0; f < r->n_fields; f++)
            if (!strcmp(r->fields[f].access, order[a])) {
                size_t n = strlen(out);
                snprintf(out + n, cap - n, "%s%s", n ? "/" : "", order[a]);
                break;
            }
}

static void bits_str(const field *f, char *out, size_t cap)
{
    if (f->msb == f->lsb)
        snprintf(out, cap, "%d", f->lsb);
    else
        snprintf(out, cap, "%d:%d", f->msb, f->lsb);
}

/* Every generated identifier must be unique: REG "A" with field "B_C" and
 * REG "A_B" with field "C" would otherwise both give LV_REG_A_B_C_MASK. */
static int check_identifiers(const regmap *m, lv_error *err)
{
    size_t cap = 16 + (size_t)m->n_params + 2 * (size_t)m->n_regs + 3 * (size_t)m->n_mems;
    for (int i = 0; i < m->n_regs; i++)
        for (int f = 0; f < m->regs[i].n_fields; f++) cap += 4 + (size_t)m->regs[i].fields[f].n_enums;
    char (*ids)[128] = calloc(cap, sizeof *ids);
    if (!ids) return lv_fail(err, "out of memory");
    size_t n = 0;
#define ADD(...) snprintf(ids[n++], sizeof ids[0], __VA_ARGS__)
    ADD("LV_REGS_ADDR_BYTES");
    ADD("LV_REGS_ADDR_WIDTH");
    for (int i = 0; i < m->n_params; i++) ADD("LV_PARAM_%s", m->params[i].name);
    for (int i = 0; i < m->n_regs; i++) {
        const reg *r = &m->regs[i];
        ADD("LV_REG_%s_OFFSET", r->name);
        ADD("LV_REG_%s_RESVAL", r->name);
        for (int f = 0; f < r->n_fields; f++) {
            const field *fl = &r->fields[f];
            ADD("LV_REG_%s_%s_SHIFT", r->name, fl->name);
            ADD("LV_REG_%s_%s_WIDTH", r->name, fl->name);
            ADD("LV_REG_%s_%s_MASK", r->name, fl->name);
            ADD("LV_REG_%s_%s_RESVAL", r->name, fl->name);
            for (int e = 0; e < fl->n_enums; e++) ADD("LV_REG_%s_%s_%s", r->name, fl->name, fl->enums[e].name);
        }
    }
    for (int i = 0; i < m->n_mems; i++) {
        ADD("LV_MEM_%s_ID", m->mems[i].name);
        ADD("LV_MEM_%s_WIDTH", m->mems[i].name);
        ADD("LV_MEM_%s_DEPTH", m->mems[i].name);
    }
#undef ADD
    /* The duplicate is copied out before the message: GCC 12 with the
     * sanitizers misreads ids[i] as a possibly null %s argument. */
    char dup[128] = "";
    for (size_t i = 0; i < n && !dup[0]; i++)
        for (size_t j = i + 1; j < n && !dup[0]; j++)
            if (!strcmp(ids[i], ids[j])) memcpy(dup, ids[i], sizeof dup);
    free(ids);
    if (dup[0])
        return lv_fail(err, "two names in the map generate the same identifier %s; rename a register, field "
                       "or enum value", dup);
    return 0;
}

static void gen_header(const regmap *m, sbuf *b)
{
    sb_printf(b,
        "/* lv_regs.h - %s.\n"
        " *\n"
        " * GENERATED by regmap_gen from %s: do not edit; change the JSON\n"
        " * and rebuild.  C99, freestanding: needs only <stdint.h>.  Prose (access\n"
        " * protocol, load and run sequences): docs/register-map.md.\n"
        " *\n"
        " * Register R:  LV_REG_R_OFFSET (byte offset), LV_REG_R_RESVAL (reset value).\n"
        " * Field F of R: LV_REG_R_F_SHIFT (lowest bit), LV_REG_R_F_WIDTH (bits),\n"
        " *              LV_REG_R_F_MASK (the field's bits in place, so\n"
        " *              value = (reg & MASK) >> SHIFT), LV_REG_R_F_RESVAL (reset value,\n"
        " *              unshifted), LV_REG_R_F_E for each enumerated value E.\n"
        " * Memory M:    LV_MEM_M_ID (the MEM_SEL value), LV_MEM_M_WIDTH, LV_MEM_M_DEPTH.\n"
        " * Parameter P: LV_PARAM_P.\n"
        " * X-macros:    LV_REG_LIST(X) calls X(R) per register in offset order,\n"
        " *              LV_REG_FIELD_LIST(X) X(R, F) per field, LV_MEM_LIST(X) X(M),\n"
        " *              LV_CONFIG_CRC_LIST(X) X(R) in CONFIG_CRC order.\n"
        " */\n"
        "#ifndef LV_REGS_H\n#define LV_REGS_H\n\n#include <stdint.h>\n\n",
        m->title, m->src);
    sb_printf(b, "/* Extract / place a field value: LV_FIELD_GET(v, CTRL, COUPLE). */\n");
    sb_printf(b, "#define LV_FIELD_GET(v, R, F) \\\n"
                 "    (((uint32_t)(v) & LV_REG_##R##_##F##_MASK) >> LV_REG_##R##_##F##_SHIFT)\n");
    sb_printf(b, "#define LV_FIELD_PREP(R, F, x) \\\n"
                 "    (((uint32_t)(x) << LV_REG_##R##_##F##_SHIFT) & LV_REG_##R##_##F##_MASK)\n\n");
    sb_printf(b, "#define LV_REGS_ADDR_BYTES UINT32_C(0x%lx)\n", (unsigned long)m->addr_bytes);
    sb_printf(b, "#define LV_REGS_ADDR_WIDTH %d\n\n", m->addr_bits);
    for (int i = 0; i < m->n_params; i++) {
        sb_comment(b, "/* ", m->params[i].desc);
        sb_printf(b, "#define LV_PARAM_%s UINT32_C(%lu)\n", m->params[i].name, (unsigned long)m->params[i].value);
    }
    for (int i = 0; i < m->n_regs; i++) {
        const reg *r = &m->regs[i];
        char acc[32], head[2048];
        reg_access(r, acc, sizeof acc);
        snprintf(head, sizeof head, "%s (0x%03lx, %s%s): %s", r->name, (unsigned long)r->offset, acc,
                 r->load ? ", load" : "", r->desc);
        sb_printf(b, "\n");
        sb_comment(b, "/* ", head);
        sb_printf(b, "#define LV_REG_%s_OFFSET UINT32_C(0x%03lx)\n", r->name, (unsigned long)r->offset);
        sb_printf(b, "#define LV_REG_%s_RESVAL UINT32_C(0x%08lx)\n", r->name, (unsigned long)reg_reset(r));
        for (int f = 0; f < r->n_fields; f++) {
            const field *fl = &r->fields[f];
            char bits[16];
            bits_str(fl, bits, sizeof bits);
            snprintf(head, sizeof head, "%s [%s] %s: %s", fl->name, bits, fl->access, fl->desc);
            sb_comment(b, "/*   ", head);
            sb_printf(b, "#define LV_REG_%s_%s_SHIFT %d\n", r->name, fl->name, fl->lsb);
            sb_printf(b, "#define LV_REG_%s_%s_WIDTH %d\n", r->name, fl->name, fl->msb - fl->lsb + 1);
            sb_printf(b, "#define LV_REG_%s_%s_MASK UINT32_C(0x%08lx)\n", r->name, fl->name,
                      (unsigned long)field_mask(fl));
            sb_printf(b, "#define LV_REG_%s_%s_RESVAL UINT32_C(0x%lx)\n", r->name, fl->name, (unsigned long)fl->reset);
            for (int e = 0; e < fl->n_enums; e++)
                sb_printf(b, "#define LV_REG_%s_%s_%s UINT32_C(%lu) /* %s */\n", r->name, fl->name, fl->enums[e].name,
                          (unsigned long)fl->enums[e].value, fl->enums[e].desc);
        }
    }
    sb_printf(b, "\n/* Memories, reached through %s and %s. */\n", m->sel_name, m->addr_name);
    for (int i = 0; i < m->n_mems; i++) {
        const memory *e = &m->mems[i];
        sb_comment(b, "/* ", e->desc);
        sb_printf(b, "#define LV_MEM_%s_ID UINT32_C(%lu)\n", e->name, (unsigned long)e->id);
        sb_printf(b, "#define LV_MEM_%s_WIDTH %lu\n", e->name, (unsigned long)e->width);
        if (e->depth_name)
            sb_printf(b, "#define LV_MEM_%s_DEPTH LV_PARAM_%s\n", e->name, e->depth_name);
        else
            sb_printf(b, "#define LV_MEM_%s_DEPTH UINT32_C(%lu)\n", e->name, (unsigned long)e->depth);
    }
    sb_printf(b, "\n#define LV_REG_LIST(X)");
    for (int i = 0; i < m->n_regs; i++) sb_printf(b, " \\\n    X(%s)", m->regs[i].name);
    sb_printf(b, "\n\n#define LV_REG_FIELD_LIST(X)");
    for (int i = 0; i < m->n_regs; i++)
        for (int f = 0; f < m->regs[i].n_fields; f++)
            sb_printf(b, " \\\n    X(%s, %s)", m->regs[i].name, m->regs[i].fields[f].name);
    sb_printf(b, "\n\n#define LV_MEM_LIST(X)");
    for (int i = 0; i < m->n_mems; i++) sb_printf(b, " \\\n    X(%s)", m->mems[i].name);
    sb_printf(b, "\n\n/* CONFIG_CRC = CRC-32 of these registers' values, in this order, each as 4\n"
                 " * little-endian bytes. */\n#define LV_CONFIG_CRC_LIST(X)");
    for (int i = 0; i < m->n_crc; i++) sb_printf(b, " \\\n    X(%s)", m->regs[m->crc[i]].name);
    sb_printf(b, "\n\n#endif /* LV_REGS_H */\n");
}

static void gen_verilog(const regmap *m, sbuf *b)
{
    int aw = m->addr_bits;
    sb_printf(b,
        "// lv_regs.vh - %s.\n"
        "//\n"
        "// GENERATED by regmap_gen from %s: do not edit; change the JSON and\n"
        "// rebuild.  Include inside a module body (localparams are module-scoped):\n"
        "//     `include \"lv_regs.vh\"\n"
        "// Naming follows lv_regs.h: *_OFFSET (byte offset), *_RESVAL, *_SHIFT, *_WIDTH,\n"
        "// *_MASK (field bits in place), enum values, LV_MEM_* and LV_PARAM_*.\n"
        "// A module uses a few of these, so unused-parameter lint is off here only.\n"
        "/* verilator lint_off UNUSEDPARAM */\n\n",
        m->title, m->src);
    sb_printf(b, "localparam integer LV_REGS_ADDR_BYTES = %lu;\n", (unsigned long)m->addr_bytes);
    sb_printf(b, "localparam integer LV_REGS_ADDR_WIDTH = %d;\n", aw);
    for (int i = 0; i < m->n_params; i++) {
        if (m->params[i].value <= 0x7FFFFFFFu)
            sb_printf(b, "localparam integer LV_PARAM_%s = %lu;\n", m->params[i].name, (unsigned long)m->params[i].value);
        else
            sb_printf(b, "localparam [31:0] LV_PARAM_%s = 32'd%lu;\n", m->params[i].name, (unsigned long)m->params[i].value);
    }
    int hexd = (aw + 3) / 4;
    for (int i = 0; i < m->n_regs; i++) {
        const reg *r = &m->regs[i];
        char acc[32];
        reg_access(r, acc, sizeof acc);
        sb_printf(b, "\n// %s (%s%s)\n", r->name, acc, r->load ? ", load" : "");
        sb_printf(b, "localparam [%d:0] LV_REG_%s_OFFSET = %d'h%0*lx;\n", aw - 1, r->name, aw, hexd,
                  (unsigned long)r->offset);
        sb_printf(b, "localparam [31:0] LV_REG_%s_RESVAL = 32'h%08lx;\n", r->name, (unsigned long)reg_reset(r));
        for (int f = 0; f < r->n_fields; f++) {
            const field *fl = &r->fields[f];
            int w = fl->msb - fl->lsb + 1;
            sb_printf(b, "localparam integer LV_REG_%s_%s_SHIFT = %d;\n", r->name, fl->name, fl->lsb);
            sb_printf(b, "localparam integer LV_REG_%s_%s_WIDTH = %d;\n", r->name, fl->name, w);
            sb_printf(b, "localparam [31:0] LV_REG_%s_%s_MASK = 32'h%08lx;\n", r->name, fl->name,
                      (unsigned long)field_mask(fl));
            sb_printf(b, "localparam [%d:0] LV_REG_%s_%s_RESVAL = %d'h%lx;\n", w - 1, r->name, fl->name, w,
                      (unsigned long)fl->reset);
            for (int e = 0; e < fl->n_enums; e++)
                sb_printf(b, "localparam [%d:0] LV_REG_%s_%s_%s = %d'h%lx;\n", w - 1, r->name, fl->name,
                          fl->enums[e].name, w, (unsigned long)fl->enums[e].value);
        }
    }
    sb_printf(b, "\n// Memories (%s selects, %s addresses words)\n", m->sel_name, m->addr_name);
    for (int i = 0; i < m->n_mems; i++) {
        const memory *e = &m->mems[i];
        sb_printf(b, "localparam integer LV_MEM_%s_ID = %lu;\n", e->name, (unsigned long)e->id);
        sb_printf(b, "localparam integer LV_MEM_%s_WIDTH = %lu;\n", e->name, (unsigned long)e->width);
        sb_printf(b, "localparam integer LV_MEM_%s_DEPTH = %lu;\n", e->name, (unsigned long)e->depth);
    }
    sb_printf(b, "\n/* verilator lint_on UNUSEDPARAM */\n");
}

/* Markdown table cell: '|' would end the cell. */
static void sb_cell(sbuf *b, const char *s)
{
    for (; *s; s++) {
        if (*s == '|')
            sb_printf(b, "\\|");
        else
            sb_printf(b, "%c", *s);
    }
}

static void gen_markdown(const regmap *m, sbuf *b)
{
    sb_printf(b, "# %s\n\n", m->title);
    sb_printf(b, "<!-- GENERATED by regmap_gen from %s: do not edit. Change the JSON, rebuild, and copy "
                 "build/generated/register-map.md here (or run the regmap_docs target). -->\n\n", m->src);
    const cJSON *line;
    cJSON_ArrayForEach(line, m->desc) sb_printf(b, "%s\n", line->valuestring);

    sb_printf(b, "\n## Parameters\n\n| Name | Value | Description |\n|---|---:|---|\n");
    for (int i = 0; i < m->n_params; i++) {
        sb_printf(b, "| `%s` | %lu | ", m->params[i].name, (unsigned long)m->params[i].value);
        sb_cell(b, m->params[i].desc);
        sb_printf(b, " |\n");
    }

    sb_printf(b, "\n## Register summary\n\n%lu-byte window, %d-bit registers. **load**: part of the loaded image "
                 "(written while idle; see Bus).\n\n", (unsigned long)m->addr_bytes, DATA_WIDTH);
    sb_printf(b, "| Offset | Name | Access | Reset | Description |\n|---|---|---|---|---|\n");
    for (int i = 0; i < m->n_regs; i++) {
        const reg *r = &m->regs[i];
        char acc[32];
        reg_access(r, acc, sizeof acc);
        sb_printf(b, "| `0x%03lx` | [`%s`](#%s) | %s%s | `0x%08lx` | ", (unsigned long)r->offset, r->name,
                  r->name, acc, r->load ? ", **load**" : "", (unsigned long)reg_reset(r));
        sb_cell(b, r->desc);
        sb_printf(b, " |\n");
    }

    sb_printf(b, "\n## Registers\n");
    for (int i = 0; i < m->n_regs; i++) {
        const reg *r = &m->regs[i];
        char acc[32];
        reg_access(r, acc, sizeof acc);
        /* An explicit anchor keeps the summary's links independent of the renderer's slug rules. */
        sb_printf(b, "\n<a id=\"%s\"></a>\n### `0x%03lx` %s\n\n%s\n\nAccess %s%s, reset `0x%08lx`.\n\n", r->name,
                  (unsigned long)r->offset, r->name, r->desc, acc, r->load ? ", **load** register" : "",
                  (unsigned long)reg_reset(r));
        sb_printf(b, "| Bits | Field | Access | Reset | Description |\n|---|---|---|---|---|\n");
        for (int f = r->n_fields - 1; f >= 0; f--) { /* most significant first, as in a datasheet */
            const field *fl = &r->fields[f];
            char bits[16];
            bits_str(fl, bits, sizeof bits);
            sb_printf(b, "| %s | `%s` | %s | `0x%lx` | ", bits, fl->name, fl->access, (unsigned long)fl->reset);
            sb_cell(b, fl->desc);
            sb_printf(b, " |\n");
        }
        for (int f = 0; f < r->n_fields; f++) {
            const field *fl = &r->fields[f];
            if (!fl->n_enums) continue;
            sb_printf(b, "\n`%s.%s` values:\n\n| Value | Name | Meaning |\n|---:|---|---|\n", r->name, fl->name);
            for (int e = 0; e < fl->n_enums; e++) {
                sb_printf(b, "| %lu | `%s` | ", (unsigned long)fl->enums[e].value, fl->enums[e].name);
                sb_cell(b, fl->enums[e].desc);
                sb_printf(b, " |\n");
            }
        }
    }

    sb_printf(b, "\n## Memories\n\nSelected by `%s`, addressed in words by `%s`; capacity in words (depth) for the "
                 "largest supported size.\n\n| ID | Name | Width | Depth | Access | Description |\n"
                 "|---:|---|---:|---:|---|---|\n", m->sel_name, m->addr_name);
    for (int i = 0; i < m->n_mems; i++) {
        const memory *e = &m->mems[i];
        char depth[64];
        if (e->depth_name)
            snprintf(depth, sizeof depth, "%lu (`%s`)", (unsigned long)e->depth, e->depth_name);
        else
            snprintf(depth, sizeof depth, "%lu", (unsigned long)e->depth);
        sb_printf(b, "| %lu | `%s` | %lu | %s | %s | ", (unsigned long)e->id, e->name, (unsigned long)e->width, depth,
                  e->access);
        sb_cell(b, e->desc);
        sb_printf(b, " |\n");
    }

    sb_printf(b, "\n## Configuration CRC\n\n`CONFIG_CRC` = CRC-32 of these registers' values, in this order, each "
                 "as 4 little-endian bytes:\n\n");
    for (int i = 0; i < m->n_crc; i++)
        sb_printf(b, "%d. `%s` (`0x%03lx`)\n", i + 1, m->regs[m->crc[i]].name, (unsigned long)m->regs[m->crc[i]].offset);
}

static int emit(const char *path, void (*gen)(const regmap *, sbuf *), const regmap *m, lv_error *err)
{
    sbuf b = {0};
    gen(m, &b);
    if (b.oom) {
        free(b.p);
        return lv_fail(err, "out of memory generating %s", path);
    }
    int rc = lv_write_file_atomic(path, b.p, b.n, err);
    free(b.p);
    return rc;
}

/* ------------------------------------------------------------------ main */

static int usage(void)
{
    fprintf(stderr, "usage: regmap_gen MAP.json [--header OUT.h] [--verilog OUT.vh] [--markdown OUT.md] "
                    "[--source-name NAME]\n");
    return 2;
}

int main(int argc, char **argv)
{
    const char *in = NULL, *hdr = NULL, *vh = NULL, *md = NULL, *src = NULL;
    for (int i = 1; i < argc; i++) {
        const char **dst = NULL;
        if (!strcmp(argv[i], "--header")) dst = &hdr;
        else if (!strcmp(argv[i], "--verilog")) dst = &vh;
        else if (!strcmp(argv[i], "--markdown")) dst = &md;
        else if (!strcmp(argv[i], "--source-name")) dst = &src;
        else if (argv[i][0] == '-' || in) return usage();
        else in = argv[i];
        if (dst) {
            if (i + 1 >= argc) return usage();
            *dst = argv[++i];
        }
    }
    if (!in) return usage();

    lv_error err;
    uint8_t *text;
    size_t n;
    if (lv_read_file(in, &text, &n, MAX_MAP_BYTES, &err)) {
        fprintf(stderr, "regmap_gen: %s\n", err.msg);
        return 1;
    }
    const char *stop = NULL;
    cJSON *root = cJSON_ParseWithOpts((const char *)text, &stop, 1);
    if (!root) {
        /* Report a line number: the map is edited by hand. */
        size_t at = stop ? (size_t)(stop - (const char *)text) : 0, line = 1;
        for (size_t i = 0; i < at && i < n; i++) line += text[i] == '\n';
        fprintf(stderr, "regmap_gen: %s is not valid JSON (syntax error near line %zu)\n", in, line);
        free(text);
        return 1;
    }
    regmap m;
    memset(&m, 0, sizeof m);
    m.src = src ? src : in;
    int rc = parse_map(root, &m, &err) || check_identifiers(&m, &err);
    if (!rc && hdr) rc = emit(hdr, gen_header, &m, &err);
    if (!rc && vh) rc = emit(vh, gen_verilog, &m, &err);
    if (!rc && md) rc = emit(md, gen_markdown, &m, &err);
    if (rc) fprintf(stderr, "regmap_gen: %s: %s\n", in, err.msg);
    map_free(&m);
    cJSON_Delete(root);
    free(text);
    return rc ? 1 : 0;
}
