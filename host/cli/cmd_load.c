/* langevin load: put a device image on a device through the firmware driver
 * (probe, two-pass verified load, read-back), optionally run one trajectory
 * to prove the loaded device runs. */
#include <cjson/cJSON.h>
#include <getopt.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cli_chip.h"
#include "device_image_io.h"
#include "device_run.h"
#include "driver_run.h"
#include "energy_meter.h"
#include "fileio.h"
#include "lv_cal.h"
#include "progress.h"

static const char *help =
    "usage: langevin load --image IMAGE.lvimg [--device emu|rtl|uio:PATH] [options]\n"
    "\n"
    "Load a device image (from `langevin quantize`) onto a device through the\n"
    "firmware driver (docs/firmware.md), exactly as a board's CPU does: probe\n"
    "the device (ID, register version, capacities), verify the whole image\n"
    "without writing anything (magic, version, CRCs, sizes, formats, physical\n"
    "parameters, code ranges, capacity), then stream the configuration and the\n"
    "memories through the register interface, commit each with its CRC, and\n"
    "read every memory back.  Any failure names its cause, exits 1, and leaves\n"
    "the device without a valid image (STATUS.IMAGE_VALID clear).\n"
    "\n"
    "  --image FILE     the device image (required)\n"
    "  --cal RECORD     apply a calibration record (`langevin calibrate`,\n"
    "                   docs/calibration.md) to the image before loading: noise\n"
    "                   GAIN and OFFSET trims, per-unit offsets folded into the\n"
    "                   biases, coupling codes pre-distorted against the chip's\n"
    "                   measured mismatch; the trimmed image gets fresh CRCs\n"
    "  --save-image OUT write the image that was loaded (trimmed with --cal) to\n"
    "                   OUT, atomically, e.g. for `generate --device emu --image`\n"
    "  --device D       emu: the register-level emulated device (default);\n"
    "                   rtl: the Verilated RTL (rtl/langevin_axi.v);\n"
    "                   uio:PATH: a board's register window, /dev/uioN or\n"
    "                   /dev/mem (the image stays loaded after langevin exits).\n"
    "                   The emulated device and the RTL live in this process:\n"
    "                   `load` on them is a dry run of the board's sequence\n"
    "  --uio-offset N   with uio:/dev/mem: the device's physical base address\n"
    "                   (a multiple of 4096)\n"
    "  chip options     with --device emu, an emulated chip with analog errors\n"
    "                   (docs/fixed-point.md §7):\n"
    "%s"
    "  --check-run      after the load, run one trajectory of the image's\n"
    "                   two-phase protocol and print its meters (V0, V, Q,\n"
    "                   saturation counters): the loaded device runs\n"
    "  --seed N         noise seed of the check run (default 1)\n"
    "  --json FILE      also write what was done and measured as JSON\n"
    "\n"
    "Prints the device found, the image, the register traffic (reads, writes;\n"
    "clock cycles on the RTL) and the wall time.\n";

static void add_u(cJSON *o, const char *k, double v) { cJSON_AddNumberToObject(o, k, v); }

int cmd_load(int argc, char **argv)
{
    const char *C = "load", *image_path = NULL, *device = "emu", *json_path = NULL, *cal_path = NULL,
               *save_path = NULL;
    lv_target_opts target = {.kind = LV_TARGET_EMU};
    long long uio_offset = -1;
    int check_run = 0;
    uint64_t seed = 1;
    cli_chip chip = cli_chip_default();
    enum { O_IMAGE = 256, O_DEVICE, O_UIOOFF, O_CHECK, O_SEED, O_JSON, O_CAL, O_SAVE };
    static const struct option opts[] = {
        {"image", required_argument, 0, O_IMAGE}, {"device", required_argument, 0, O_DEVICE},
        {"uio-offset", required_argument, 0, O_UIOOFF}, {"check-run", no_argument, 0, O_CHECK},
        {"seed", required_argument, 0, O_SEED}, {"json", required_argument, 0, O_JSON},
        {"cal", required_argument, 0, O_CAL}, {"save-image", required_argument, 0, O_SAVE}, CLI_CHIP_OPTIONS,
        {"help", no_argument, 0, 'h'}, {0, 0, 0, 0}};
    optind = 1;
    int c;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        int bad = 0;
        switch (c) {
        case O_IMAGE: image_path = optarg; break;
        case O_DEVICE: {
            lv_error perr;
            device = optarg;
            if (lv_target_parse(optarg, &target, &perr))
                return cli_usage_error(C, "--device must be emu, rtl or uio:PATH, not '%s'", optarg);
            break;
        }
        case O_UIOOFF: bad = cli_uio_offset(C, optarg, &uio_offset); break;
        case O_CHECK: check_run = 1; break;
        case O_SEED: bad = cli_u64(C, "--seed", optarg, &seed); break;
        case O_JSON: json_path = optarg; break;
        case O_CAL: cal_path = optarg; break;
        case O_SAVE: save_path = optarg; break;
        case 'h': printf(help, cli_chip_help); return LV_EXIT_OK;
        default:
            if (!cli_chip_option(C, c, optarg, &chip, &bad)) return cli_usage_error(C, "unknown option");
        }
        if (bad) return LV_EXIT_USAGE;
    }
    if (optind < argc) return cli_usage_error(C, "unexpected argument '%s'", argv[optind]);
    if (!image_path) return cli_usage_error(C, "--image IMAGE is required (make one with `langevin quantize`)");
    if (uio_offset >= 0 && target.kind != LV_TARGET_UIO) return cli_usage_error(C, "--uio-offset needs --device uio:PATH");
    if (uio_offset >= 0) target.offset = (off_t)uio_offset;
    if (cli_chip_injected(&chip) && target.kind != LV_TARGET_EMU)
        return cli_usage_error(C, "the chip options describe an emulated chip: use them with --device emu");

    lv_error err;
    lv_dev_image img = {0};
    lv_cal_record rec = {0};
    lv_cal_apply_info ci = {0};
    char *meta = NULL;
    uint8_t *file = NULL;
    size_t flen = 0;
    lv_target *t = NULL;
    cJSON *root = NULL;
    int rc = LV_EXIT_FAIL;
    /* The host parses the image too: the driver re-verifies every byte, but
     * the host needs the dimensions and the protocol for the report. */
    if (lv_read_file(image_path, &file, &flen, (size_t)1 << 31, &err) ||
        lv_dev_image_decode(file, flen, image_path, &img, &meta, &err))
        goto out;
    if (cal_path) {
        /* The trimmed image is re-encoded (new CRCs) and the driver verifies
         * and loads those bytes like any other image. */
        free(file);
        file = NULL;
        if (lv_cal_read(cal_path, &rec, &err) || lv_cal_apply_stats(&rec, &img, &ci, &err)) {
            lv_fail_prefix(&err, cal_path);
            goto out;
        }
        if (lv_dev_image_encode(&img, meta, &file, &flen, &err)) goto out;
    }
    lv_dev_instance inst;
    if (cli_chip_instance(&chip, &img, &inst, &err)) goto out;
    if (cli_chip_injected(&chip)) target.inst = &inst;
    if (lv_target_open(&t, &target, &err)) goto out;
    double t0 = lv_now();
    lv_fw_dev dev;
    if (lv_driver_load(t, &dev, file, flen, NULL, &err)) goto out;
    double t_load = lv_now() - t0;
    lv_target_stats ls;
    lv_target_get_stats(t, &ls);
    if (ls.bus_errors) {
        lv_fail(&err, "the device answered %llu register accesses with an error", (unsigned long long)ls.bus_errors);
        goto out;
    }
    if (save_path && lv_write_file_atomic(save_path, file, flen, &err)) goto out;
    const unsigned N = (unsigned)(img.nv + img.nh);
    /* The accumulator width the image needs (the driver checked it against
     * CAP_ACC_W; an unprobed handle recomputes it without bus access). */
    lv_fw_dev idev = {0};
    lv_fw_image_info info = {0};
    lv_fw_membuf imem;
    lv_fw_image_src isrc;
    lv_fw_src_buffer(&isrc, &imem, file, flen);
    if (lv_fw_image_check(&idev, &isrc, &info) != LV_FW_OK) info.acc_bits = 0;
    printf("device: %s, register map version %u.%u, capacity %u units, %u couplings, %u-bit coupling "
           "accumulators\n",
           lv_target_name(t), dev.version >> 16, dev.version & 0xFFFFu, dev.cap_max_n, dev.cap_max_m, dev.cap_acc_w);
    printf("image: %s, %d visible + %d hidden units, %zu couplings (%d-bit), %zu stored rows; its coupling field "
           "needs %u-bit accumulators\n",
           image_path, img.nv, img.nh, (size_t)img.m, img.bj, (size_t)img.n_rows, info.acc_bits);
    if (cal_path)
        printf("calibration %s (chip \"%s\"): GAIN %u -> %u, OFFSET %d -> %d, %d bias codes trimmed (max %.3g), "
               "%zu coupling codes pre-distorted (%zu clipped)\n",
               cal_path, rec.chip, ci.gain_before, ci.gain_after, ci.offset_before, ci.offset_after, ci.bias_changed,
               ci.bias_trim_max, ci.couplings_changed, ci.couplings_clipped);
    if (cal_path && (ci.eb_after[0] != ci.eb_before[0] || ci.eb_after[1] != ci.eb_before[1]))
        printf("  bias exponents lowered to make room for the offset trims: visible %d -> %d, hidden %d -> %d "
               "(quantize with --bias-headroom to choose them yourself)\n",
               ci.eb_before[0], ci.eb_after[0], ci.eb_before[1], ci.eb_after[1]);
    printf("loaded and verified: configuration (CONFIG_CRC), couplings, row exponents, biases, bias exponents "
           "committed with their CRCs and read back; STATUS.IMAGE_VALID set\n");
    printf("register traffic: %llu reads, %llu writes", (unsigned long long)ls.reads, (unsigned long long)ls.writes);
    if (target.kind == LV_TARGET_RTL) printf(", %llu clock cycles", (unsigned long long)ls.cycles);
    printf("; %.3f s\n", t_load);

    root = cJSON_CreateObject();
    cJSON_AddStringToObject(root, "image", image_path);
    cJSON_AddStringToObject(root, "device", device);
    cJSON_AddStringToObject(root, "device_name", lv_target_name(t));
    add_u(root, "register_version", dev.version);
    add_u(root, "cap_max_n", dev.cap_max_n);
    add_u(root, "cap_max_m", dev.cap_max_m);
    add_u(root, "cap_acc_w", dev.cap_acc_w);
    add_u(root, "acc_bits", info.acc_bits);
    add_u(root, "nv", img.nv);
    add_u(root, "nh", img.nh);
    add_u(root, "couplings", (double)img.m);
    if (cal_path) {
        cJSON *co = cJSON_AddObjectToObject(root, "calibration");
        cJSON_AddStringToObject(co, "record", cal_path);
        cJSON_AddStringToObject(co, "chip", rec.chip);
        add_u(co, "gain_before", ci.gain_before);
        add_u(co, "gain_after", ci.gain_after);
        add_u(co, "offset_before", ci.offset_before);
        add_u(co, "offset_after", ci.offset_after);
        add_u(co, "bias_codes_changed", ci.bias_changed);
        add_u(co, "bias_exp_visible_before", ci.eb_before[0]);
        add_u(co, "bias_exp_visible_after", ci.eb_after[0]);
        add_u(co, "bias_exp_hidden_before", ci.eb_before[1]);
        add_u(co, "bias_exp_hidden_after", ci.eb_after[1]);
        add_u(co, "couplings_changed", (double)ci.couplings_changed);
        add_u(co, "couplings_clipped", (double)ci.couplings_clipped);
    }
    if (save_path) cJSON_AddStringToObject(root, "saved_image", save_path);
    cJSON *lo = cJSON_AddObjectToObject(root, "load");
    add_u(lo, "register_reads", (double)ls.reads);
    add_u(lo, "register_writes", (double)ls.writes);
    if (target.kind == LV_TARGET_RTL) add_u(lo, "rtl_clock_cycles", (double)ls.cycles);
    add_u(lo, "seconds", t_load);

    if (check_run) {
        int32_t *x = malloc(N * sizeof *x);
        if (!x) {
            lv_fail(&err, "out of memory");
            goto out;
        }
        lv_fw_meters mt;
        lv_fw_result fr = lv_fw_generate(&dev, lv_device_seed(seed, 0), img.ticks_eq, img.ticks_run, x, N, &mt);
        free(x);
        if (fr != LV_FW_OK) {
            lv_fail(&err, "check run: %s (detail %u, device error %s)", lv_fw_strerror(fr), dev.detail,
                    lv_fw_dev_err_name(dev.dev_err));
            goto out;
        }
        const double kT = img.kT;
        printf("check run (seed %llu, %u + %u ticks): V0 %.6g kT, V %.6g kT, path heat Q %.6g kT, "
               "V0 - V %.6g kT; saturations: state %u, force %u unit-ticks; TICK %u\n",
               (unsigned long long)seed, img.ticks_eq, img.ticks_run, lv_meter_to_double(mt.v0) / kT,
               lv_meter_to_double(mt.v) / kT, lv_meter_to_double(mt.q) / kT,
               lv_meter_diff_to_double(mt.v0, mt.v) / kT, mt.sat_state, mt.sat_force, mt.tick);
        cJSON *cr = cJSON_AddObjectToObject(root, "check_run");
        add_u(cr, "seed", (double)seed);
        add_u(cr, "V0_kT", lv_meter_to_double(mt.v0) / kT);
        add_u(cr, "V_kT", lv_meter_to_double(mt.v) / kT);
        add_u(cr, "Q_path_kT", lv_meter_to_double(mt.q) / kT);
        add_u(cr, "sat_state", mt.sat_state);
        add_u(cr, "sat_force", mt.sat_force);
        add_u(cr, "tick", mt.tick);
    }
    if (target.kind != LV_TARGET_UIO)
        printf("note: the %s lives in this process; a board (--device uio:PATH) keeps the image after exit\n",
               target.kind == LV_TARGET_RTL ? "Verilated RTL" : "emulated device");
    if (json_path && lv_cli_write_json(json_path, root, &err)) goto out;
    rc = LV_EXIT_OK;
out:
    if (rc) cli_fail(C, &err);
    cJSON_Delete(root);
    lv_target_close(t);
    lv_dev_image_free(&img);
    lv_cal_free(&rec);
    free(meta);
    free(file);
    return rc;
}
