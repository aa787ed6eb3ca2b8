/* langevin quantize: float model -> device image (+ $readmemh hex). */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "device_image_io.h"
#include "model_io.h"
#include "quantize.h"

static const char *help =
    "usage: langevin quantize --model MODEL.safetensors --out IMAGE.lvimg [options]\n"
    "\n"
    "Turn a trained float model into the integer image the emulated device and\n"
    "the RTL load (formats: docs/fixed-point.md; file: docs/device-image.md).\n"
    "Prints, per block, the scale exponent, clip fraction, SQNR and max error.\n"
    "\n"
    "couplings:\n"
    "  --bits N          coupling code bits, 2..16 (default 8)\n"
    "  --scale block|row power-of-two scale per block or per stored row (default block)\n"
    "  --round nearest|stochastic  ties-to-even, or stochastic rounding (default nearest)\n"
    "  --clip P          clip at the P-th percentile of |w| (default 100 = max-abs, no clipping)\n"
    "  --seed N          seed of stochastic rounding (default 1)\n"
    "formats:\n"
    "  --bias-bits N     bias code bits, 2..24 (default 16)\n"
    "  --bias-headroom F bias codes reach at least +-F (force units) in both\n"
    "                    blocks, so `langevin load --cal` can fold a chip's noise\n"
    "                    offsets into them (default 0: just the model's biases)\n"
    "  --state-bits N    state width Wx, 8..32 (default 24)\n"
    "  --state-frac N    state fraction bits Fx, 4..Wx-2 (default 20)\n"
    "  --force-bits N    force width Wf, 16..40 (default 32)\n"
    "  --force-frac N    force fraction bits Ff, 4..Wf-2 (default 16)\n"
    "  --dac-bits N      noise DAC resolution, 2..14 (default 14)\n"
    "output:\n"
    "  --hex DIR         also write each memory as $readmemh hex into DIR\n"
    "\n"
    "Exit status: 0 done, 1 error (bad model, formats that cannot hold it), 2 usage.\n";

static int parse_scale(const char *s, lv_q_scale *o)
{
    if (!strcmp(s, "block")) *o = LV_Q_SCALE_BLOCK;
    else if (!strcmp(s, "row")) *o = LV_Q_SCALE_ROW;
    else return cli_usage_error("quantize", "--scale must be 'block' or 'row', not '%s'", s);
    return 0;
}

static int parse_round(const char *s, lv_q_round *o)
{
    if (!strcmp(s, "nearest")) *o = LV_Q_ROUND_NEAREST_EVEN;
    else if (!strcmp(s, "stochastic")) *o = LV_Q_ROUND_STOCHASTIC;
    else return cli_usage_error("quantize", "--round must be 'nearest' or 'stochastic', not '%s'", s);
    return 0;
}

int cmd_quantize(int argc, char **argv)
{
    const char *C = "quantize", *model_path = NULL, *out = NULL, *hex = NULL;
    lv_quant_opts o = lv_quant_opts_default();
    long lv;
    enum { O_MODEL = 256, O_OUT, O_BITS, O_SCALE, O_ROUND, O_CLIP, O_SEED, O_BB, O_WX, O_FX, O_WF, O_FF, O_BN, O_HEX, O_BHR };
    static const struct option opts[] = {
        {"model", required_argument, 0, O_MODEL}, {"out", required_argument, 0, O_OUT},
        {"bits", required_argument, 0, O_BITS}, {"scale", required_argument, 0, O_SCALE},
        {"round", required_argument, 0, O_ROUND}, {"clip", required_argument, 0, O_CLIP},
        {"seed", required_argument, 0, O_SEED}, {"bias-bits", required_argument, 0, O_BB},
        {"bias-headroom", required_argument, 0, O_BHR},
        {"state-bits", required_argument, 0, O_WX}, {"state-frac", required_argument, 0, O_FX},
        {"force-bits", required_argument, 0, O_WF}, {"force-frac", required_argument, 0, O_FF},
        {"dac-bits", required_argument, 0, O_BN}, {"hex", required_argument, 0, O_HEX},
        {"help", no_argument, 0, 'h'}, {0, 0, 0, 0}};
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        int bad = 0;
        switch (c) {
        case O_MODEL: model_path = optarg; break;
        case O_OUT: out = optarg; break;
        case O_BITS: bad = cli_int(C, "--bits", optarg, 2, 16, &lv); o.bj = (int)lv; break;
        case O_SCALE: bad = parse_scale(optarg, &o.scale); break;
        case O_ROUND: bad = parse_round(optarg, &o.round); break;
        case O_CLIP: bad = cli_double(C, "--clip", optarg, 1e-9, 100, &o.clip_percentile); break;
        case O_SEED: bad = cli_u64(C, "--seed", optarg, &o.seed); break;
        case O_BHR: bad = cli_double(C, "--bias-headroom", optarg, 0, 1e6, &o.bias_headroom); break;
        case O_BB: bad = cli_int(C, "--bias-bits", optarg, 2, 24, &lv); o.bb = (int)lv; break;
        case O_WX: bad = cli_int(C, "--state-bits", optarg, 8, 32, &lv); o.wx = (int)lv; break;
        case O_FX: bad = cli_int(C, "--state-frac", optarg, 4, 30, &lv); o.fx = (int)lv; break;
        case O_WF: bad = cli_int(C, "--force-bits", optarg, 16, 40, &lv); o.wf = (int)lv; break;
        case O_FF: bad = cli_int(C, "--force-frac", optarg, 4, 38, &lv); o.ff = (int)lv; break;
        case O_BN: bad = cli_int(C, "--dac-bits", optarg, 2, 14, &lv); o.bn = (int)lv; break;
        case O_HEX: hex = optarg; break;
        case 'h': fputs(help, stdout); return LV_EXIT_OK;
        default: return cli_usage_error(C, "unknown option");
        }
        if (bad) return LV_EXIT_USAGE;
    }
    if (optind < argc) return cli_usage_error(C, "unexpected argument '%s'", argv[optind]);
    if (!model_path) return cli_usage_error(C, "--model FILE is required");
    if (!out) return cli_usage_error(C, "--out IMAGE is required");
    if (o.fx > o.wx - 2) return cli_usage_error(C, "--state-frac %d must be <= --state-bits - 2 = %d", o.fx, o.wx - 2);
    if (o.ff > o.wf - 2) return cli_usage_error(C, "--force-frac %d must be <= --force-bits - 2 = %d", o.ff, o.wf - 2);

    lv_error err;
    lv_model m;
    if (lv_model_load(model_path, &m, &err)) return cli_fail(C, &err);
    lv_dev_image img;
    lv_quant_report rep;
    int rc = lv_quantize(&m, &o, &img, &rep, &err);
    lv_model_free(&m);
    if (rc) return cli_fail(C, &err);
    char meta[1024];
    snprintf(meta, sizeof meta,
             "{\"source_model\": \"%s\", \"quantizer\": {\"bits\": %d, \"scale\": \"%s\", \"round\": \"%s\", "
             "\"clip_percentile\": %.17g, \"seed\": %llu, \"bias_bits\": %d, \"bias_headroom\": %.17g}}",
             model_path, o.bj, o.scale == LV_Q_SCALE_ROW ? "row" : "block",
             o.round == LV_Q_ROUND_STOCHASTIC ? "stochastic" : "nearest", o.clip_percentile,
             (unsigned long long)o.seed, o.bb, o.bias_headroom);
    if (strchr(model_path, '"') || strchr(model_path, '\\'))
        snprintf(meta, sizeof meta, "{\"quantizer\": {\"bits\": %d}}", o.bj); /* keep the JSON valid */
    if (lv_dev_image_write(out, &img, meta, &err) || (hex && lv_dev_image_export_readmemh(&img, hex, &err))) {
        lv_dev_image_free(&img);
        return cli_fail(C, &err);
    }
    printf("%s: %d+%d units, %zu couplings of %d bits (%s scales, %s rounding), state Q%d.%d, force Q%d.%d, "
           "DAC %d bits\n",
           out, img.nv, img.nh, img.m, o.bj, o.scale == LV_Q_SCALE_ROW ? "per-row" : "per-block",
           o.round == LV_Q_ROUND_STOCHASTIC ? "stochastic" : "nearest-even", o.wx - o.fx, o.fx, o.wf - o.ff,
           o.ff, o.bn);
    printf("%-7s %9s %11s %10s %10s %10s %10s\n", "block", "values", "exponent", "max|w|", "clipped", "SQNR[dB]",
           "max err");
    for (int b = 0; b < rep.n; ++b) {
        const lv_quant_block *q = &rep.b[b];
        char e[32];
        if (q->exp_min == q->exp_max) snprintf(e, sizeof e, "%d", q->exp_min);
        else snprintf(e, sizeof e, "%d..%d", q->exp_min, q->exp_max);
        printf("%-7s %9zu %11s %10.4g %9.3f%% %10.2f %10.3g\n", q->name, q->count, e, q->max_abs,
               100 * q->clip_frac, q->sqnr_db, q->max_err);
    }
    if (hex) printf("wrote $readmemh files to %s/\n", hex);
    lv_dev_image_free(&img);
    return LV_EXIT_OK;
}
