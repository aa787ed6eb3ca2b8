/* core_timing.c - see core_timing.h. */
#include "core_timing.h"

uint64_t lv_core_couplings(int64_t nv, int64_t nh, int vv)
{
    if (nv < 0 || nh < 0) return 0;
    uint64_t m = (uint64_t)nv * (uint64_t)nh;
    if (nh >= 2) m += (uint64_t)nh * (uint64_t)(nh - 1) / 2;
    if (vv && nv >= 2) m += (uint64_t)nv * (uint64_t)(nv - 1) / 2;
    return m;
}

uint64_t lv_core_pass_bound(int64_t nv, int64_t nh, int vv, int lanes, int overlap)
{
    if (nv < 0 || nh < 0 || nv + nh < 1 || lanes < 1) return 0;
    const uint64_t n = (uint64_t)(nv + nh);
    const uint64_t a = (lv_core_couplings(nv, nh, vv) + (uint64_t)lanes - 1) / (uint64_t)lanes;
    if (!overlap) return a + n + 21;
    const uint64_t field = a + (uint64_t)lanes + 23;
    return n + 22 > field ? n + 22 : field;
}

uint64_t lv_core_setup_cycles(int64_t nv, int64_t nh, int vv)
{
    if (nv < 0 || nh < 0) return 0;
    return (uint64_t)(nv + nh + (vv ? nv : 0)) + 3;
}

/* The stored rows in §3 order with what the frontier K (units complete,
 * read order) is while the walker is inside row `r` of a block. */
typedef struct {
    int64_t nv, nh;
    int vv;
    int blk;      /* 0 visible-hidden, 1 hidden-hidden, 2 visible-visible, 3 end */
    int64_t row;  /* row index within the block */
    uint64_t end; /* stream index one past the row's last coupling */
} walker;

static uint64_t row_len(const walker *w)
{
    switch (w->blk) {
    case 0: return (uint64_t)w->nh;
    case 1: return (uint64_t)(w->nh - 1 - w->row);
    case 2: return (uint64_t)(w->nv - 1 - w->row);
    default: return 0;
    }
}

static int64_t rows_of(const walker *w)
{
    switch (w->blk) {
    case 0: return w->nh >= 1 ? w->nv : 0;
    case 1: return w->nh >= 2 ? w->nh - 1 : 0;
    case 2: return (w->vv && w->nv >= 2) ? w->nv - 1 : 0;
    default: return 1;
    }
}

/* Move to the next non-empty row (or the end), starting at (blk, row). */
static void settle(walker *w)
{
    while (w->blk < 3) {
        if (w->row < rows_of(w) && row_len(w) > 0) break;
        if (w->row + 1 < rows_of(w)) w->row++;
        else { w->blk++; w->row = 0; }
    }
}

static int64_t frontier(const walker *w)
{
    switch (w->blk) {
    case 0: return w->vv ? 0 : w->row;
    case 1: return w->vv ? w->row : w->nv + w->row;
    case 2: return w->nh + w->row;
    default: return w->nv + w->nh;
    }
}

uint64_t lv_core_field_cycles(int64_t nv, int64_t nh, int vv, int lanes, int pair)
{
    if (nv < 0 || nh < 0 || nv + nh < 1 || lanes < 1) return 0;
    const uint64_t a = (lv_core_couplings(nv, nh, vv) + (uint64_t)lanes - 1) / (uint64_t)lanes;
    return pair ? a : 2 * a;
}

uint64_t lv_core_pass_cycles(int64_t nv, int64_t nh, int vv, int lanes, int couple, int overlap)
{
    return lv_core_pass_cycles_pair(nv, nh, vv, lanes, couple, overlap, 1);
}

uint64_t lv_core_pass_cycles_pair(int64_t nv, int64_t nh, int vv, int lanes, int couple, int overlap,
                                  int pair)
{
    if (nv < 0 || nh < 0 || nv + nh < 1 || lanes < 1) return 0;
    const int64_t n = nv + nh;
    if (!couple) return (uint64_t)n + 18;
    if (!overlap) return lv_core_field_cycles(nv, nh, vv, lanes, pair) + (uint64_t)n + 21;
    if (!pair) return 0; /* Pair = 0 needs Overlap = 0 */

    walker w = {nv, nh, vv ? 1 : 0, 0, 0, 0};
    settle(&w);
    w.end = row_len(&w);
    uint64_t last = 0; /* issue cycle of the previous unit (0: none yet) */
    int64_t k = 0;     /* next unit of the read order */
    for (uint64_t a = 0; k < n; a++) {
        const uint64_t m = a * (uint64_t)lanes; /* lane 0's stream index */
        while (w.blk < 3 && m >= w.end) {       /* past this row */
            w.row++;
            settle(&w);
            w.end += row_len(&w);
        }
        for (int64_t kk = frontier(&w); k < kk; k++) {
            uint64_t c = a + 4;
            if (c < last + 1) c = last + 1;
            last = c;
        }
    }
    return last + 18;
}

uint64_t lv_core_pass_cycles_serial(int64_t nv, int64_t nh, int vv, int lanes, int couple, int upd,
                                    int cyc_vis, int cyc_hid)
{
    return lv_core_pass_cycles_serial_pair(nv, nh, vv, lanes, couple, upd, cyc_vis, cyc_hid, 1);
}

uint64_t lv_core_pass_cycles_serial_pair(int64_t nv, int64_t nh, int vv, int lanes, int couple, int upd,
                                         int cyc_vis, int cyc_hid, int pair)
{
    if (nv < 0 || nh < 0 || nv + nh < 1 || lanes < 1 || cyc_vis < 1 || cyc_hid < 1) return 0;
    uint64_t i = couple ? lv_core_field_cycles(nv, nh, vv, lanes, pair) + 4 : 1;
    /* A unit's z is there NOISE_READY cycles after its request: the request
     * cycle, noise_source_iter's latency (10 * 32/DigitW + 2 = 82 at the
     * DigitW 4 that core_units_serial uses) and the cycle that registers it.
     * Unit 0's request is in cycle 1, unit k+1's the cycle after unit k starts. */
    enum { NOISE_ITER_LATENCY = 10 * (32 / 4) + 2, NOISE_READY = 1 + NOISE_ITER_LATENCY + 1 };
    uint64_t z = upd ? NOISE_READY : 0, t = 0, nu = 0;
    for (int64_t k = 0; k < nv + nh; ++k) {
        /* read order: 0 .. N-1, or the hidden units first with the vv block */
        const int hidden = vv ? k < nh : k >= nv;
        nu = (uint64_t)(hidden ? cyc_hid : cyc_vis);
        if (i < z) i = z; /* issue waits for the unit's noise */
        t = i + 3;        /* unit_serial starts with the field */
        i = t + nu + 1;   /* done_o at t + nu, idle after it */
        if (upd) z = t + NOISE_READY;
    }
    return t + nu + 3;
}
