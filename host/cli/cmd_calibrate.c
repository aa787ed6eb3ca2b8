/* langevin calibrate: measure a chip through the firmware driver and write
 * its calibration record and report (docs/calibration.md). */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cli_chip.h"
#include "device_image_io.h"
#include "driver_target.h"
#include "lv_cal_report.h"
#include "lv_cal_run.h"
#include "noise_source.h"
#include "progress.h"

static const char *help_head =
    "usage: langevin calibrate --image IMAGE.lvimg --out RECORD.json [options]\n"
    "\n"
    "Calibrate one chip through the firmware driver: per-unit effective\n"
    "temperature (stationary variance with couplings off, Boltzmann inversion of\n"
    "the quartic well, Euler-corrected) and noise offset, the global GAIN and\n"
    "OFFSET trims, per-unit offsets folded into bias codes, noise colour and\n"
    "distribution checks, and per-element coupling mismatch from pinned-unit\n"
    "responses.  Writes the record `langevin load --cal` applies, and a report\n"
    "(report.txt and PNG plots) with the figures before and after the trims.\n"
    "The image gives the formats, J2, J4, mu*dt, the noise DAC and the target kT;\n"
    "its couplings and biases are not run.\n"
    "\n"
    "device:\n"
    "  --device emu|rtl|uio:PATH  the chip (default emu: the emulated device)\n"
    "emulated chip (emu only; docs/fixed-point.md §7 \"chip instance\"):\n";
static const char *help_tail =
    "sampling:\n"
    "  --blocks N           temperature sampling blocks, each GAP+2 ticks (default 60000)\n"
    "  --gap N              ticks between blocks (default 50)\n"
    "  --burn N             ticks before the first block (default 5000)\n"
    "  --mismatch-reads N   state reads per pinning configuration (default 2000)\n"
    "  --mismatch-noise S   noise gain factor during mismatch runs, 0..1 (default 0.1)\n"
    "  --no-mismatch        skip the coupling-mismatch measurement\n"
    "  --no-verify          skip the re-measurement with the trims applied\n"
    "  --seed N             noise seed of the calibration runs\n"
    "output:\n"
    "  --out FILE           the calibration record (JSON, written atomically)\n"
    "  --report DIR         report.txt and plots (default: no report files)\n"
    "\n"
    "Cost: about (blocks x (gap + 2) + rounds x 4 x (2000 + reads x 20)) ticks,\n"
    "rounds ~ the most couplings at one unit; a 10-unit emulated chip takes a\n"
    "few seconds with the defaults.  Progress is shown on a terminal.\n"
    "Exit status: 0 done, 1 error (bad image, device refused, estimate failed), 2 usage.\n";

int cmd_calibrate(int argc, char **argv)
{
    const char *C = "calibrate", *image_path = NULL, *out = NULL, *report = NULL, *device = "emu";
    double mn = -1;
    cli_chip chipo = cli_chip_default();
    lv_cal_opts o = lv_cal_defaults();
    long lv;
    enum { O_IMAGE = 256, O_OUT, O_REPORT, O_DEVICE, O_BLOCKS, O_GAP, O_BURN, O_MREADS, O_MNOISE, O_NOMM,
           O_NOVERIFY, O_SEED };
    static const struct option opts[] = {
        {"image", required_argument, 0, O_IMAGE}, {"out", required_argument, 0, O_OUT},
        {"report", required_argument, 0, O_REPORT}, {"device", required_argument, 0, O_DEVICE},
        CLI_CHIP_OPTIONS, {"blocks", required_argument, 0, O_BLOCKS},
        {"gap", required_argument, 0, O_GAP}, {"burn", required_argument, 0, O_BURN},
        {"mismatch-reads", required_argument, 0, O_MREADS}, {"mismatch-noise", required_argument, 0, O_MNOISE},
        {"no-mismatch", no_argument, 0, O_NOMM}, {"no-verify", no_argument, 0, O_NOVERIFY},
        {"seed", required_argument, 0, O_SEED}, {"help", no_argument, 0, 'h'}, {0, 0, 0, 0}};
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        int bad = 0;
        switch (c) {
        case O_IMAGE: image_path = optarg; break;
        case O_OUT: out = optarg; break;
        case O_REPORT: report = optarg; break;
        case O_DEVICE: device = optarg; break;
        case O_BLOCKS: bad = cli_int(C, "--blocks", optarg, 40, 100000000L, &o.blocks); break;
        case O_GAP: bad = cli_int(C, "--gap", optarg, 1, 1000000, &lv); o.gap = (uint32_t)lv; break;
        case O_BURN: bad = cli_int(C, "--burn", optarg, 0, 100000000L, &lv); o.burn = (uint32_t)lv; break;
        case O_MREADS: bad = cli_int(C, "--mismatch-reads", optarg, 16, 100000000L, &o.mm.reads); break;
        case O_MNOISE: bad = cli_double(C, "--mismatch-noise", optarg, 1e-6, 1, &mn); break;
        case O_NOMM: o.mismatch = 0; break;
        case O_NOVERIFY: o.verify = 0; break;
        case O_SEED: bad = cli_u64(C, "--seed", optarg, &o.seed); break;
        case 'h':
            fputs(help_head, stdout);
            fputs(cli_chip_help, stdout);
            fputs(help_tail, stdout);
            return LV_EXIT_OK;
        default:
            if (!cli_chip_option(C, c, optarg, &chipo, &bad)) return cli_usage_error(C, "unknown option");
        }
        if (bad) return LV_EXIT_USAGE;
    }
    if (optind < argc) return cli_usage_error(C, "unexpected argument '%s'", argv[optind]);
    if (!image_path) return cli_usage_error(C, "--image IMAGE is required");
    if (!out) return cli_usage_error(C, "--out RECORD.json is required");
    if (mn > 0) o.mm.noise_scale = mn;
    lv_error err;
    lv_target_opts topt;
    if (lv_target_parse(device, &topt, &err)) return cli_usage_error(C, "%s", err.msg);
    if (cli_chip_injected(&chipo) && topt.kind != LV_TARGET_EMU)
        return cli_usage_error(C, "--gain-spread, --gain-error, --offset-spread and --mismatch describe an emulated "
                                  "chip: use them with --device emu");

    lv_dev_image img = {0};
    lv_target *t = NULL;
    lv_cal_result res = {0};
    double *d_true = NULL;
    int rc = LV_EXIT_FAIL;
    if (lv_dev_image_read(image_path, &img, NULL, &err)) goto fail;
    lv_dev_instance inst;
    if (cli_chip_instance(&chipo, &img, &inst, &err)) goto fail;
    if (topt.kind == LV_TARGET_EMU) topt.inst = &inst;
    if (lv_target_open(&t, &topt, &err)) goto fail;
    lv_fw_dev dev;
    lv_fw_result fr = lv_fw_init(&dev, lv_target_hal(t));
    if (fr == LV_FW_OK) fr = lv_fw_probe(&dev);
    if (fr != LV_FW_OK) {
        lv_fail(&err, "the firmware cannot reach the device %s: %s", device, lv_fw_strerror(fr));
        goto fail;
    }
    char chip[128];
    if (topt.kind == LV_TARGET_EMU)
        snprintf(chip, sizeof chip, "emulated chip seed %llu (gain spread %g, gain error %g, offset spread %g, "
                 "mismatch %g)", (unsigned long long)chipo.seed, chipo.gs, chipo.ge, chipo.os, chipo.sm);
    else
        snprintf(chip, sizeof chip, "%s", lv_target_name(t));
    o.chip = chip;
    lv_progress prog;
    lv_progress_start(&prog, "calibrate");
    o.progress = &prog;
    int r = lv_cal_run(&dev, &img, &o, &res, &err);
    lv_progress_end(&prog);
    if (r) goto fail;
    if (lv_cal_write(out, &res.rec, &err)) goto fail;
    if (topt.kind == LV_TARGET_EMU && res.has_mm && chipo.sm > 0) {
        d_true = malloc(img.m * sizeof(double));
        if (!d_true) {
            lv_fail(&err, "out of memory");
            goto fail;
        }
        for (size_t k = 0; k < img.m; ++k)
            d_true[k] = (double)inst.sm * lv_noise_mismatch_z(inst.seed, (uint32_t)k) / 67108864.0;
    }
    if (report) {
        if (lv_cal_report_write(report, &img, &res, d_true, stdout, &err)) goto fail;
    } else {
        if (lv_cal_report_write_summary(&img, &res, d_true, stdout, &err)) goto fail;
    }
    printf("wrote %s%s%s\n", out, report ? " and the report in " : "", report ? report : "");
    rc = LV_EXIT_OK;
fail:
    if (rc != LV_EXIT_OK) cli_fail(C, &err);
    free(d_true);
    lv_cal_result_free(&res);
    lv_target_close(t);
    lv_dev_image_free(&img);
    return rc;
}
