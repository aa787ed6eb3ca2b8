/* test_fw_uio.c - the Linux UIO / /dev/mem backend (firmware/backends/lv_fw_uio.h)
 * against a fake mapping: an ordinary file whose second page stands for the
 * device's register window.  A recording HAL around the backend logs every
 * access; the test checks the exact access sequence of probe and run_start,
 * that the values land at the right offsets of the file (little-endian
 * 32-bit words), that accesses outside the window or misaligned are refused
 * and counted, and that a bad path or unaligned offset gives a clear error. */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "lv_fw.h"
#include "lv_fw_uio.h"
#include "lv_regs.h"
#include "test_util.h"

#define PAGE 4096
#define MAX_LOG 64

typedef struct {
    lv_fw_hal inner;
    int n;
    char op[MAX_LOG];
    uint32_t off[MAX_LOG], val[MAX_LOG];
} rec_hal;

static uint32_t r_read(void *ctx, uint32_t off)
{
    rec_hal *r = ctx;
    uint32_t v = r->inner.read32(r->inner.ctx, off);
    if (r->n < MAX_LOG) r->op[r->n] = 'R', r->off[r->n] = off, r->val[r->n] = v, r->n++;
    return v;
}
static void r_write(void *ctx, uint32_t off, uint32_t v)
{
    rec_hal *r = ctx;
    if (r->n < MAX_LOG) r->op[r->n] = 'W', r->off[r->n] = off, r->val[r->n] = v, r->n++;
    /* Tiny register model: STATUS is w1c (plain memory is not). */
    if (off == LV_REG_STATUS_OFFSET) v = r->inner.read32(r->inner.ctx, off) & ~v;
    r->inner.write32(r->inner.ctx, off, v);
}

/* The file's register window: page 1. */
static void poke(int fd, uint32_t off, uint32_t v)
{
    uint8_t b[4] = {(uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24)};
    CHECK(pwrite(fd, b, 4, PAGE + off) == 4);
}
static uint32_t peek(int fd, uint32_t off)
{
    uint8_t b[4] = {0};
    CHECK(pread(fd, b, 4, PAGE + off) == 4);
    return b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
}

typedef struct {
    char op;
    uint32_t off, val; /* val checked for writes only */
} step;

static void check_seq(const rec_hal *r, const step *want, int n, const char *what)
{
    int ok = r->n == n;
    for (int i = 0; ok && i < n; ++i)
        ok = r->op[i] == want[i].op && r->off[i] == want[i].off && (want[i].op == 'R' || r->val[i] == want[i].val);
    CHECK_MSG(ok, "%s: access sequence differs", what);
    if (!ok)
        for (int i = 0; i < r->n; ++i) fprintf(stderr, "    %c 0x%03x 0x%08x\n", r->op[i], r->off[i], r->val[i]);
}

int main(void)
{
    const char *path = "fake_regs.bin";
    int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
    CHECK(fd >= 0 && ftruncate(fd, 2 * PAGE) == 0);
    poke(fd, LV_REG_ID_OFFSET, LV_REG_ID_MAGIC_RESVAL);
    poke(fd, LV_REG_VERSION_OFFSET, LV_REG_VERSION_RESVAL);
    poke(fd, LV_REG_CAP_MAX_N_OFFSET, 64);
    poke(fd, LV_REG_CAP_MAX_M_OFFSET, 2016);
    poke(fd, LV_REG_CAP_ACC_W_OFFSET, 40);
    poke(fd, LV_REG_STATUS_OFFSET, LV_REG_STATUS_IMAGE_VALID_MASK);

    lv_error err = {{0}};
    lv_fw_uio u;
    /* Errors: unaligned offset, missing path. */
    CHECK(lv_fw_uio_open(&u, path, 100, PAGE, &err) != 0 && strstr(err.msg, "page size"));
    CHECK(lv_fw_uio_open(&u, "no/such/uio0", 0, PAGE, &err) != 0 && strstr(err.msg, "no/such/uio0"));
    printf("  error: %s\n", err.msg);

    CHECK_MSG(lv_fw_uio_open(&u, path, PAGE, PAGE, &err) == 0, "%s", err.msg);
    rec_hal rec = {0};
    lv_fw_uio_hal(&rec.inner, &u);
    CHECK(rec.inner.wait == NULL);
    lv_fw_hal hal = {r_read, r_write, NULL, &rec};
    lv_fw_dev dev;
    CHECK(lv_fw_init(&dev, &hal) == LV_FW_OK);

    /* Probe: exactly five reads, values from the file. */
    CHECK(lv_fw_probe(&dev) == LV_FW_OK);
    const step probe_seq[] = {{'R', LV_REG_ID_OFFSET, 0},
                              {'R', LV_REG_VERSION_OFFSET, 0},
                              {'R', LV_REG_CAP_MAX_N_OFFSET, 0},
                              {'R', LV_REG_CAP_MAX_M_OFFSET, 0},
                              {'R', LV_REG_CAP_ACC_W_OFFSET, 0}};
    check_seq(&rec, probe_seq, 5, "probe");
    CHECK(dev.cap_max_n == 64 && dev.cap_max_m == 2016 && dev.cap_acc_w == 40);
    /* A device of VERSION.MINOR 0 has no CAP_ACC_W: four reads, 64 bits. */
    poke(fd, LV_REG_VERSION_OFFSET, LV_FIELD_PREP(VERSION, MAJOR, LV_REG_VERSION_MAJOR_RESVAL));
    rec.n = 0;
    CHECK(lv_fw_probe(&dev) == LV_FW_OK);
    check_seq(&rec, probe_seq, 4, "probe (MINOR 0)");
    CHECK(dev.cap_acc_w == 64);
    poke(fd, LV_REG_VERSION_OFFSET, LV_REG_VERSION_RESVAL);

    /* run_start: the documented run sequence, in order, values in the file. */
    rec.n = 0;
    lv_fw_run_cfg rc = {0x1122334455667788ull, 7, 1000, 1, 1};
    CHECK(lv_fw_run_start(&dev, &rc) == LV_FW_OK);
    const uint32_t ctrl = LV_REG_CTRL_COUPLE_MASK | LV_REG_CTRL_COLOUR_EN_MASK | LV_REG_CTRL_START_MASK;
    const step run_seq[] = {
        {'R', LV_REG_STATUS_OFFSET, 0},
        {'W', LV_REG_SEED_LO_OFFSET, 0x55667788u},
        {'W', LV_REG_SEED_HI_OFFSET, 0x11223344u},
        {'W', LV_REG_TICK0_OFFSET, 7},
        {'W', LV_REG_TICKS_OFFSET, 1000},
        {'W', LV_REG_STATUS_OFFSET, LV_REG_STATUS_DONE_MASK | LV_REG_STATUS_ERROR_MASK},
        {'W', LV_REG_CTRL_OFFSET, ctrl},
        {'R', LV_REG_STATUS_OFFSET, 0},
    };
    check_seq(&rec, run_seq, 8, "run_start");
    CHECK(peek(fd, LV_REG_SEED_LO_OFFSET) == 0x55667788u && peek(fd, LV_REG_SEED_HI_OFFSET) == 0x11223344u);
    CHECK(peek(fd, LV_REG_TICK0_OFFSET) == 7 && peek(fd, LV_REG_TICKS_OFFSET) == 1000);
    CHECK(peek(fd, LV_REG_CTRL_OFFSET) == ctrl);

    /* Meters: each pair LO then HI; values assembled as signed 64-bit. */
    poke(fd, LV_REG_V0_LO_OFFSET, 0x89abcdefu);
    poke(fd, LV_REG_V0_HI_OFFSET, 0xfffffffeu);
    poke(fd, LV_REG_Q_HI_OFFSET, 0x7fffffffu);
    rec.n = 0;
    lv_fw_meters mt;
    CHECK(lv_fw_read_meters(&dev, &mt) == LV_FW_OK);
    CHECK(mt.v0 == (int64_t)0xfffffffe89abcdefull && mt.q == (int64_t)0x7fffffff00000000ll);
    const step meter_seq[] = {{'R', LV_REG_V0_LO_OFFSET, 0}, {'R', LV_REG_V0_HI_OFFSET, 0},
                              {'R', LV_REG_V_LO_OFFSET, 0},  {'R', LV_REG_V_HI_OFFSET, 0},
                              {'R', LV_REG_Q_LO_OFFSET, 0},  {'R', LV_REG_Q_HI_OFFSET, 0},
                              {'R', LV_REG_TICK_OFFSET, 0},  {'R', LV_REG_SAT_STATE_OFFSET, 0},
                              {'R', LV_REG_SAT_FORCE_OFFSET, 0}};
    check_seq(&rec, meter_seq, 9, "read_meters");

    /* Out-of-window and misaligned accesses are refused and counted. */
    CHECK(u.faults == 0);
    hal.write32(hal.ctx, PAGE, 0xdeadbeef);
    hal.write32(hal.ctx, 2, 0xdeadbeef);
    CHECK(hal.read32(hal.ctx, PAGE - 2) == 0);
    CHECK(u.faults == 3);
    CHECK(peek(fd, 0) == LV_REG_ID_MAGIC_RESVAL);

    /* A window whose ID is wrong is refused by probe. */
    poke(fd, LV_REG_ID_OFFSET, 0);
    CHECK(lv_fw_probe(&dev) == LV_FW_E_NO_DEVICE);
    lv_fw_uio_close(&u);
    close(fd);
    return lv_test_report("firmware/test_fw_uio");
}
