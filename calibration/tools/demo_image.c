/* lv_cal_demo_image - write a small random device image (the paper's well,
 * kT, mu dt; random couplings |J| <= 0.4 and biases |b| <= 0.5) to calibrate
 * emulated chips with, e.g. for docs/calibration.md's figures:
 *     lv_cal_demo_image OUT.lvimg NV NH [COLOUR_A] [SEED]
 * (a small chip: the mismatch procedure's cost grows with the number of
 * couplings at one unit). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "device_image_io.h"
#include "noise_dac.h"

static double urand(uint64_t *s) /* splitmix64 -> [-1, 1) */
{
    uint64_t z = (*s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return (double)((z ^ (z >> 31)) >> 11) * 0x1p-52 - 1.0;
}

int main(int argc, char **argv)
{
    if (argc < 4 || argc > 6) {
        fprintf(stderr, "usage: lv_cal_demo_image OUT.lvimg NV NH [COLOUR_A 0..32767] [SEED]\n");
        return 2;
    }
    const int nv = atoi(argv[2]), nh = atoi(argv[3]);
    const long a = argc > 4 ? atol(argv[4]) : 0;
    uint64_t seed = argc > 5 ? strtoull(argv[5], NULL, 10) : 5;
    if (nv < 1 || nh < 1 || nv + nh > 256 || a < 0 || a > 32767) {
        fprintf(stderr, "lv_cal_demo_image: need 1 <= NV, 1 <= NH, NV + NH <= 256, 0 <= COLOUR_A <= 32767\n");
        return 2;
    }
    lv_dev_image img;
    memset(&img, 0, sizeof img);
    img.nv = nv;
    img.nh = nh;
    img.wx = 24;
    img.fx = 20;
    img.bj = 8;
    img.bb = 16;
    img.wf = 32;
    img.ff = 16;
    img.j2 = img.j4 = 65536;
    img.J2 = img.J4 = 1;
    img.kT = 0.1;
    img.mu = 1;
    img.dt = 1e-3;
    img.tf = 2.5;
    img.t_eq = 1;
    img.k = (uint32_t)lrint(1e-3 * 4294967296.0);
    img.bn = 14;
    img.colour_a = (uint16_t)a;
    img.colour_c = lv_dac_colour_c((uint16_t)a);
    img.ticks_eq = 1000;
    img.ticks_run = 2500;
    lv_error err;
    if (lv_dac_gain(sqrt(2 * 0.1 * 1e-3) * 1048576.0, 14, (uint16_t)a, 0, &img.gain, &err)) {
        fprintf(stderr, "lv_cal_demo_image: %s\n", err.msg);
        return 1;
    }
    img.m = lv_dev_couplings(nv, nh, 0);
    img.n_rows = lv_dev_rows(nv, nh, 0);
    img.c = malloc(img.m * sizeof(int16_t));
    img.ej = malloc(img.n_rows);
    img.cb = malloc((size_t)(nv + nh) * sizeof(int32_t));
    if (!img.c || !img.ej || !img.cb) return 1;
    for (size_t r = 0; r < img.n_rows; ++r) img.ej[r] = 8; /* |J| <= 0.4: codes <= 102 */
    for (size_t k = 0; k < img.m; ++k) img.c[k] = (int16_t)lrint(0.4 * urand(&seed) * 256);
    img.eb[0] = img.eb[1] = 15; /* |b| <= 0.5 < 32767 / 2^15 */
    for (int i = 0; i < nv + nh; ++i) img.cb[i] = (int32_t)lrint(0.5 * urand(&seed) * 32768);
    if (lv_dev_image_write(argv[1], &img, NULL, &err)) {
        fprintf(stderr, "lv_cal_demo_image: %s\n", err.msg);
        return 1;
    }
    printf("%s: %d + %d units, %zu couplings, kT 0.1, colour a = %ld\n", argv[1], nv, nh, img.m, a);
    lv_dev_image_free(&img);
    return 0;
}
