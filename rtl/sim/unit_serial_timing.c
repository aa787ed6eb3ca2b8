/* unit_serial_timing.c - the cycle count of rtl/unit_serial.v; see
 * unit_serial_timing.h. */
#include "unit_serial_timing.h"

#include <stddef.h>

int lv_unit_serial_round_cycles(int s)
{
    if (s > 64 || s < -63) return -1;
    if (s > 0) return 8 - (s + 15) / 16; /* sign, shift load, 5 - ceil(s/16) shift products, sign extension */
    if (s < 0) return 5 - (-s) / 16;     /* shift load, 4 - floor(-s/16) shift products */
    return 0;
}

/* Digit products of an A x B instruction (na A digits, nb B digits, the
 * products with i + j <= 3). */
static int partials(int na, int nb)
{
    int p = 0;
    for (int j = 0; j < nb; ++j) p += na < 4 - j ? na : 4 - j;
    return p;
}

int lv_unit_serial_cycles(int fx, int ff, int bn, int eb, int e, int couple, int heat, int update, int colour)
{
    enum { ALL, CPL, HEAT, UPD, COL, WHITE };
    enum { CHAIN = 1000 }; /* a product summed with the next one: no rounding */
    /* The micro-program of rtl/unit_serial.v, in its order. */
    const struct {
        int when, na, nb, s;
    } prog[] = {
        {ALL, 2, 2, fx},                /* x2 */
        {ALL, 4, 2, fx},                /* x3 */
        {ALL, 4, 2, 14 + fx - ff},      /* cub */
        {ALL, 2, 2, 15 + fx - ff},      /* lin */
        {CPL, 4, 1, fx + e - ff},       /* f = rnd(acc, Fx + E - Ff) */
        {CPL, 1, 2, eb - ff},           /* bf */
        {CPL, 4, 2, ff + fx - 32},      /* bf x */
        {CPL, 4, 2, ff + fx - 31},      /* f x */
        {ALL, 2, 2, fx},                /* x4 */
        {ALL, 4, 2, fx - 16},           /* j4 x4 */
        {ALL, 4, 2, fx - 16},           /* j2 x2 */
        {HEAT, 4, 2, ff + fx - 31},     /* q */
        {UPD, 1, 1, 14 - bn},           /* d */
        {COL, 1, 2, CHAIN},             /* a nprev */
        {COL, 1, 2, 15},                /* + ca d 2^8: n */
        {WHITE, 1, 1, 0},               /* n = d 2^8 */
        {UPD, 2, 2, CHAIN},             /* G n */
        {UPD, 1, 2, 24},                /* + O 2^8: eta */
        {UPD, 4, 2, ff + 32 - fx},      /* drift */
        {UPD, 1, 2, 0},                 /* + x */
    };
    int n = 3; /* the start cycle, the last write-back, the last saturation test */
    for (size_t i = 0; i < sizeof prog / sizeof prog[0]; ++i) {
        int w = prog[i].when;
        int on = w == ALL || (w == CPL && couple) || (w == HEAT && heat) || (w == UPD && update) ||
                 (w == COL && update && colour) || (w == WHITE && update && !colour);
        if (!on) continue;
        n += 1 + partials(prog[i].na, prog[i].nb);
        if (prog[i].s == CHAIN) continue;
        int r = lv_unit_serial_round_cycles(prog[i].s);
        if (r < 0) return 0;
        n += r;
    }
    return n;
}
