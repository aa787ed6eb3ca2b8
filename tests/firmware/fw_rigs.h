/* fw_rigs.h - the two devices the firmware's RTL tests drive side by side
 * (test_fw_rtl.c, test_fw_acc_rtl.c): the emulated MMIO device and a
 * Verilated langevin_axi, each behind lv_fw with its HAL, probed; and
 * loading an encoded image from a buffer.  Header-only, for tests built with
 * LV_FW_HAVE_RTL. */
#ifndef LV_FW_RIGS_H
#define LV_FW_RIGS_H

#include <stdio.h>
#include <string.h>

#include "lv_fw.h"
#include "lv_fw_emu.h"
#include "lv_fw_rtl.h"

typedef struct {
    lv_dev_mmio *m;
    lv_fw_emu emu;
    lv_fw_dev dev;
} emu_rig;

typedef struct {
    lv_fw_rtl rtl;
    lv_fw_dev dev;
} rtl_rig;

/* The emulated device, 16 ticks per HAL step; 0 on success. */
static inline int emu_open(emu_rig *r)
{
    lv_error err = {{0}};
    memset(r, 0, sizeof *r);
    r->m = lv_dev_mmio_create(NULL, &err);
    if (!r->m) {
        fprintf(stderr, "emu: %s\n", err.msg);
        return -1;
    }
    r->emu.m = r->m;
    r->emu.step_ticks = 16;
    lv_fw_hal hal;
    lv_fw_emu_hal(&hal, &r->emu);
    if (lv_fw_init(&r->dev, &hal) != LV_FW_OK || lv_fw_probe(&r->dev) != LV_FW_OK) return -1;
    r->dev.max_polls = 1u << 20;
    return 0;
}
static inline void emu_close(emu_rig *r) { lv_dev_mmio_free(r->m); }

/* The Verilated device (bus-handshake jitter seed `jitter`, 0: none), 64
 * cycles per HAL step; 0 on success. */
static inline int rtl_open(rtl_rig *r, uint64_t jitter)
{
    memset(r, 0, sizeof *r);
    r->rtl.h = lvaxi_create(jitter);
    if (!r->rtl.h) return -1;
    r->rtl.step_cycles = 64;
    lv_fw_hal hal;
    lv_fw_rtl_hal(&hal, &r->rtl);
    if (lv_fw_init(&r->dev, &hal) != LV_FW_OK || lv_fw_probe(&r->dev) != LV_FW_OK) return -1;
    r->dev.max_polls = 1u << 20;
    return 0;
}
static inline void rtl_close(rtl_rig *r) { lvaxi_free(r->rtl.h); }

/* lv_fw_load of an encoded image held in memory. */
static inline lv_fw_result load_buf(lv_fw_dev *d, const uint8_t *b, size_t n)
{
    lv_fw_image_src src;
    lv_fw_membuf mb;
    lv_fw_src_buffer(&src, &mb, b, n);
    return lv_fw_load(d, &src);
}

#endif
