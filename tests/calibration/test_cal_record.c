/* test_cal_record.c - the calibration record: write/read round trip, refusal
 * of corrupt or mismatched records (nothing changed on refusal), and
 * lv_cal_apply's trims checked against their formulas; a trimmed image must
 * still load through the firmware driver (emulator backend). */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "device_image_io.h"
#include "device_mmio.h"
#include "fileio.h"
#include "firmware/fw_test_image.h"
#include "lv_cal.h"
#include "lv_fw.h"
#include "lv_fw_emu.h"
#include "test_util.h"

static void fill(lv_cal_record *r, uint64_t seed)
{
    r->fx = 20;
    r->k = 4294967;
    r->kT_target = 0.1;
    r->gain_trim = 1.0 + 0.05 * (lv_t_splitmix64(&seed) % 1000) / 1000.0;
    r->offset_trim = -123457;
    snprintf(r->chip, sizeof r->chip, "emulated chip \"seed\" 7");
    for (int i = 0; i < r->n_units; ++i) {
        lv_cal_unit *u = &r->units[i];
        u->kT = 0.1 * (1 + 0.01 * i) + 1.0 / 3.0 * 1e-7;
        u->kT_err = 1e-3 / 7.0;
        u->gain_error = 0.003 * i - 0.02;
        u->offset_lsb = 1.8838 + 37.1 * sin(i) + 1e-9 / 3;
        u->offset_err = 0.25;
    }
    for (size_t k = 0; k < r->m; ++k) {
        r->coupling_d[k] = 0.08 * sin(0.7 * (double)k) + 1e-12 / 3.0;
        r->coupling_d_err[k] = 0.004;
    }
}

static int same(const lv_cal_record *a, const lv_cal_record *b)
{
    if (a->nv != b->nv || a->nh != b->nh || a->vv != b->vv || a->fx != b->fx || a->k != b->k ||
        a->kT_target != b->kT_target || a->gain_trim != b->gain_trim || a->offset_trim != b->offset_trim ||
        strcmp(a->chip, b->chip) || a->n_units != b->n_units || a->m != b->m)
        return 0;
    if (memcmp(a->units, b->units, (size_t)a->n_units * sizeof *a->units)) return 0;
    for (size_t k = 0; k < a->m; ++k)
        if (a->coupling_d[k] != b->coupling_d[k] || a->coupling_d_err[k] != b->coupling_d_err[k]) return 0;
    return 1;
}

static void write_text(const char *path, const char *s)
{
    FILE *f = fopen(path, "wb");
    fputs(s, f);
    fclose(f);
}

static void test_round_trip_and_corruption(void)
{
    lv_error err;
    lv_cal_record r, back, untouched;
    CHECK(lv_cal_alloc(&r, 12, 7, 0, lv_dev_couplings(12, 7, 0), &err) == 0);
    fill(&r, 1);
    CHECK(lv_cal_write("rec.json", &r, &err) == 0);
    memset(&back, 0, sizeof back);
    CHECK_MSG(lv_cal_read("rec.json", &back, &err) == 0, "%s", err.msg);
    CHECK(same(&r, &back)); /* bit-exact doubles */
    lv_cal_free(&back);
    lv_cal_free(&back); /* safe twice */

    /* A record without couplings round-trips too. */
    lv_cal_record r0;
    CHECK(lv_cal_alloc(&r0, 3, 0, 1, 0, &err) == 0);
    fill(&r0, 2);
    CHECK(lv_cal_write("rec0.json", &r0, &err) == 0);
    CHECK(lv_cal_read("rec0.json", &back, &err) == 0 && same(&r0, &back));
    lv_cal_free(&back);
    lv_cal_free(&r0);

    /* Corruptions: each refused with a sentence, *rec untouched. */
    uint8_t *data;
    size_t len;
    CHECK(lv_read_file("rec.json", &data, &len, 1 << 26, &err) == 0);
    char *s = (char *)data;
    memset(&untouched, 0x5A, sizeof untouched);
    /* 1: one digit changed (the CRC catches it). */
    char *p = strstr(s, "\"gain_trim\":");
    CHECK(p != NULL);
    p += strlen("\"gain_trim\":");
    while (*p == ' ' || *p == '\t') ++p;
    char save = p[2];
    p[2] = p[2] == '7' ? '8' : '7';
    write_text("bad1.json", s);
    back = untouched;
    CHECK(lv_cal_read("bad1.json", &back, &err) == -1 && strstr(err.msg, "CRC") && !memcmp(&back, &untouched, sizeof back));
    p[2] = save;
    /* 2: truncated. */
    char keep = s[len / 2];
    s[len / 2] = '\0';
    write_text("bad2.json", s);
    CHECK(lv_cal_read("bad2.json", &back, &err) == -1 && strstr(err.msg, "not a JSON object") &&
          !memcmp(&back, &untouched, sizeof back));
    s[len / 2] = keep;
    /* 3: crc member removed. */
    p = strstr(s, "\"crc32\"");
    CHECK(p != NULL);
    memcpy(p, "\"crc33\"", 7);
    write_text("bad3.json", s);
    CHECK(lv_cal_read("bad3.json", &back, &err) == -1 && strstr(err.msg, "crc32"));
    memcpy(p, "\"crc32\"", 7);
    /* 4: trailing garbage; 5: not a record; 6: missing file. */
    write_text("bad4.json", s);
    FILE *f = fopen("bad4.json", "ab");
    fputs("{}", f);
    fclose(f);
    CHECK(lv_cal_read("bad4.json", &back, &err) == -1 && strstr(err.msg, "after its JSON"));
    write_text("bad5.json", "{\"format\": \"something else\"}");
    CHECK(lv_cal_read("bad5.json", &back, &err) == -1);
    CHECK(lv_cal_read("no_such_file.json", &back, &err) == -1 && strstr(err.msg, "no_such_file"));
    CHECK(!memcmp(&back, &untouched, sizeof back));
    free(data);

    /* Invalid records are not written (and an existing file is kept). */
    r.units[3].kT = NAN;
    CHECK(lv_cal_write("rec.json", &r, &err) == -1 && strstr(err.msg, "unit 3"));
    CHECK(lv_cal_read("rec.json", &back, &err) == 0);
    lv_cal_free(&back);
    r.units[3].kT = 0.1;
    r.coupling_d[5] = 0.7;
    CHECK(lv_cal_write("x.json", &r, &err) == -1 && strstr(err.msg, "coupling 5"));
    lv_cal_free(&r);
}

/* Load an encoded image through the firmware driver on an emulated chip. */
static int fw_loads(const lv_dev_image *img)
{
    lv_error err;
    uint8_t *buf;
    size_t len;
    if (lv_dev_image_encode(img, NULL, &buf, &len, &err)) return 0;
    lv_dev_mmio *m = lv_dev_mmio_create(NULL, &err);
    lv_fw_emu emu = {m, 0};
    lv_fw_hal hal;
    lv_fw_emu_hal(&hal, &emu);
    lv_fw_dev dev;
    lv_fw_image_src src;
    lv_fw_membuf mem;
    lv_fw_src_buffer(&src, &mem, buf, len);
    int ok = lv_fw_init(&dev, &hal) == LV_FW_OK && lv_fw_probe(&dev) == LV_FW_OK && lv_fw_load(&dev, &src) == LV_FW_OK;
    lv_dev_mmio_free(m);
    free(buf);
    return ok;
}

static void test_apply(void)
{
    lv_error err;
    fw_spec sp = fw_spec_default();
    lv_dev_image img, orig, other;
    CHECK(fw_build_image(&img, &sp, 11) == 0);
    CHECK(fw_build_image(&orig, &sp, 11) == 0);
    lv_cal_record r;
    CHECK(lv_cal_alloc(&r, sp.nv, sp.nh, sp.vv, img.m, &err) == 0);
    fill(&r, 3);
    lv_cal_apply_info st;
    CHECK_MSG(lv_cal_apply_stats(&r, &img, &st, &err) == 0, "%s", err.msg);
    CHECK(img.gain == (uint32_t)round(orig.gain * r.gain_trim));
    CHECK(img.offset == orig.offset + r.offset_trim);
    const double mudt = img.k * 0x1p-32;
    int bias_ok = 1;
    double w[64], s2 = 0;
    lv_cal_offset_weights(&r, w);
    for (int i = 0; i < r.n_units; ++i) s2 += pow(r.units[i].offset_lsb + r.offset_trim / 65536.0, 2) / r.n_units;
    s2 -= 0.25 * 0.25;
    for (int i = 0; i < r.n_units; ++i) CHECK_NEAR(w[i], s2 / (s2 + 0.25 * 0.25), 1e-12);
    for (int i = 0; i < sp.nv + sp.nh; ++i) {
        int eb = img.eb[i < sp.nv ? 0 : 1];
        double db = w[i] * (r.units[i].offset_lsb + r.offset_trim / 65536.0) * ldexp(1, -img.fx) / mudt;
        if (img.cb[i] != orig.cb[i] + (int32_t)round(ldexp(db, eb))) bias_ok = 0;
    }
    CHECK(bias_ok && st.bias_changed > 0);
    size_t bad = 0;
    for (size_t k = 0; k < img.m; ++k) {
        double t = round(orig.c[k] / (1 + r.coupling_d[k]));
        t = fmin(127, fmax(-127, t));
        if (img.c[k] != (int16_t)t) bad++;
    }
    CHECK(bad == 0 && st.couplings_changed > 0);
    /* The effective coupling c'(1 + d) is closer to c than c (1 + d) was. */
    double e0 = 0, e1 = 0;
    for (size_t k = 0; k < img.m; ++k) {
        e0 += pow(orig.c[k] * r.coupling_d[k], 2);
        e1 += pow(img.c[k] * (1 + r.coupling_d[k]) - orig.c[k], 2);
    }
    CHECK_MSG(e1 < 0.2 * e0, "rms error before %g, after %g codes", sqrt(e0 / img.m), sqrt(e1 / img.m));
    CHECK(fw_loads(&img));

    /* Refusals leave the image untouched. */
    fw_spec sp2 = sp;
    sp2.nh = 6;
    CHECK(fw_build_image(&other, &sp2, 12) == 0);
    uint32_t g0 = other.gain;
    CHECK(lv_cal_apply(&r, &other, &err) == -1 && strstr(err.msg, "nh = 6") && other.gain == g0);
    lv_dev_image_free(&other);
    lv_dev_image_free(&img);
    CHECK(fw_build_image(&img, &sp, 11) == 0);
    /* A trim beyond the visible block's bias range: its exponent drops until
     * the trimmed biases fit (the hidden block keeps its exponent). */
    r.units[4].offset_lsb = 2e6; /* ~1900 in force units */
    CHECK_MSG(lv_cal_apply_stats(&r, &img, &st, &err) == 0, "%s", err.msg);
    CHECK(st.eb_after[0] < st.eb_before[0] && st.eb_after[1] == st.eb_before[1] && img.eb[0] == st.eb_after[0]);
    {
        lv_cal_offset_weights(&r, w);
        double db = w[4] * (2e6 + r.offset_trim / 65536.0) * ldexp(1, -img.fx) / mudt;
        CHECK(labs((long)img.cb[4] - lrint(ldexp(orig.cb[4], img.eb[0] - orig.eb[0]) + ldexp(db, img.eb[0]))) <= 1);
        CHECK(labs(img.cb[4]) > 16383); /* the smallest exponent that fits */
    }
    lv_dev_image_free(&img);
    CHECK(fw_build_image(&img, &sp, 11) == 0);
    r.units[4].offset_lsb = 0;
    r.gain_trim = 3.9;
    img.gain = 4000000000u;
    CHECK(lv_cal_apply(&r, &img, &err) == -1 && strstr(err.msg, "32-bit") && img.gain == 4000000000u);
    lv_dev_image_free(&img);
    lv_dev_image_free(&orig);
    lv_cal_free(&r);
}

int main(void)
{
    test_round_trip_and_corruption();
    test_apply();
    return lv_test_report("test_cal_record");
}
