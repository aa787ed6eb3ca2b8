/* driver_target.c - emulated device, Verilated RTL or board behind one
 * firmware HAL (see driver_target.h). */
#include "driver_target.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "device_mmio.h"
#include "lv_fw_emu.h"
#include "lv_fw_uio.h"
#include "lv_regs.h"
#ifdef LV_HAVE_RTL
#include "lv_fw_rtl.h"
#include "lvaxi.h"
#endif

struct lv_target {
    lv_target_kind kind;
    lv_fw_hal inner; /* the backend's HAL */
    lv_fw_hal hal;   /* counting wrapper handed out */
    uint64_t reads, writes;
    char name[96];
    lv_dev_mmio *mmio;
    lv_fw_emu emu;
    lv_fw_uio uio;
#ifdef LV_HAVE_RTL
    lv_fw_rtl rtl;
#endif
};

int lv_target_rtl_available(void)
{
#ifdef LV_HAVE_RTL
    return 1;
#else
    return 0;
#endif
}

int lv_target_parse(const char *spec, lv_target_opts *o, lv_error *err)
{
    memset(o, 0, sizeof *o);
    if (!strcmp(spec, "emu")) {
        o->kind = LV_TARGET_EMU;
        return 0;
    }
    if (!strcmp(spec, "rtl")) {
        o->kind = LV_TARGET_RTL;
        return 0;
    }
    if (!strncmp(spec, "uio:", 4) && spec[4]) {
        o->kind = LV_TARGET_UIO;
        o->path = spec + 4;
        return 0;
    }
    return lv_fail(err, "device '%s' is not one of: emu, rtl, uio:/dev/uioN (or uio:/dev/mem)", spec);
}

static uint32_t count_read(void *ctx, uint32_t off)
{
    lv_target *t = ctx;
    t->reads++;
    return t->inner.read32(t->inner.ctx, off);
}

static void count_write(void *ctx, uint32_t off, uint32_t v)
{
    lv_target *t = ctx;
    t->writes++;
    t->inner.write32(t->inner.ctx, off, v);
}

static int pass_wait(void *ctx)
{
    lv_target *t = ctx;
    return t->inner.wait(t->inner.ctx);
}

static int injected(const lv_dev_instance *i) { return i && (i->sm || i->sg || i->ge || i->so); }

int lv_target_open(lv_target **out, const lv_target_opts *o, lv_error *err)
{
    *out = NULL;
    lv_target *t = calloc(1, sizeof *t);
    if (!t) return lv_fail(err, "out of memory");
    t->kind = o->kind;
    t->uio.fd = -1;
    switch (o->kind) {
    case LV_TARGET_EMU: {
        lv_dev_mmio_opts mo = {.instance = o->inst, .poll_ticks = 0};
        t->mmio = lv_dev_mmio_create(&mo, err);
        if (!t->mmio) goto fail;
        t->emu.m = t->mmio;
        t->emu.step_ticks = 0;
        lv_fw_emu_hal(&t->inner, &t->emu);
        snprintf(t->name, sizeof t->name, "emulated device");
        break;
    }
    case LV_TARGET_RTL:
#ifdef LV_HAVE_RTL
        if (injected(o->inst)) {
            lv_fail(err, "the RTL has no analog errors (coupling mismatch, noise-DAC gain and offset errors are "
                         "emulator-only chip properties)");
            goto fail;
        }
        t->rtl.h = lvaxi_create(0);
        if (!t->rtl.h) {
            lv_fail(err, "could not create the Verilated RTL model");
            goto fail;
        }
        t->rtl.step_cycles = 4096;
        t->rtl.budget_cycles = o->cycle_budget ? o->cycle_budget : (uint64_t)1 << 40;
        lv_fw_rtl_hal(&t->inner, &t->rtl);
        snprintf(t->name, sizeof t->name, "Verilated RTL (P = %d)", lvaxi_lanes());
        break;
#else
        lv_fail(err, "this langevin was built without Verilator, so it has no RTL device "
                     "(install verilator, e.g. scripts/bootstrap.sh, and rebuild)");
        goto fail;
#endif
    case LV_TARGET_UIO:
        if (injected(o->inst)) {
            lv_fail(err, "injected analog errors are emulator-only chip properties: a board has its own");
            goto fail;
        }
        if (lv_fw_uio_open(&t->uio, o->path, o->offset, LV_REGS_ADDR_BYTES, err)) goto fail;
        lv_fw_uio_hal(&t->inner, &t->uio);
        snprintf(t->name, sizeof t->name, "%s", o->path);
        break;
    default:
        lv_fail(err, "unknown device kind %d", (int)o->kind);
        goto fail;
    }
    t->hal.read32 = count_read;
    t->hal.write32 = count_write;
    t->hal.wait = t->inner.wait ? pass_wait : NULL;
    t->hal.ctx = t;
    *out = t;
    return 0;
fail:
    lv_target_close(t);
    return -1;
}

void lv_target_close(lv_target *t)
{
    if (!t) return;
    lv_dev_mmio_free(t->mmio);
    if (t->uio.fd >= 0) lv_fw_uio_close(&t->uio);
#ifdef LV_HAVE_RTL
    if (t->rtl.h) lvaxi_free(t->rtl.h);
#endif
    free(t);
}

const lv_fw_hal *lv_target_hal(const lv_target *t) { return &t->hal; }
const char *lv_target_name(const lv_target *t) { return t->name; }

void lv_target_get_stats(const lv_target *t, lv_target_stats *s)
{
    memset(s, 0, sizeof *s);
    s->reads = t->reads, s->writes = t->writes;
#ifdef LV_HAVE_RTL
    if (t->kind == LV_TARGET_RTL) s->cycles = lvaxi_cycles(t->rtl.h), s->bus_errors = t->rtl.bus_errors;
#endif
    if (t->kind == LV_TARGET_UIO) s->bus_errors = t->uio.faults;
}
