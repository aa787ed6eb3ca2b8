/* test_core_timing.c - the schedule model of rtl/langevin_core.v
 * (rtl/sim/core_timing.c).  The co-simulation checks the model against the
 * Verilated core pass by pass (test_cosim.c); this test checks the model's
 * own claims, without Verilator:
 *   - a pass worked out by hand (nv = 2, nh = 2, P = 1: 28 cycles);
 *   - its coupling count equals the emulator's lv_dev_couplings;
 *   - coupling-free passes N + 18, coupled passes without couplings N + 21;
 *   - the documented bound max(N + 22, ceil(M/P) + P + 23) over every shape
 *     nv, nh <= 120 (both connectivities) and a spread of P up to 255;
 *   - at the paper's size (784 + 512 units, M = 532,224): within
 *     1.05 ceil(M/P) + 23 for P <= 231 (rtl/README.md), and within
 *     ceil(M/P) + P/2 + 30 for every P <= 255. */
#include <inttypes.h>
#include <stdio.h>

#include "core_timing.h"
#include "device_image.h"
#include "test_util.h"

int main(void)
{
    /* Hand-worked: rows in stream order: visible-hidden row 0 (couplings
     * 0-1), row 1 (2-3), hidden-hidden row of unit 2 (4); M = 5.  With
     * P = 1, field cycle a holds coupling a, so units 0, 1, 2, 3 complete
     * at a = 2, 4, 5, 5 and are readable from cycles 6, 8, 9, 9: issued at
     * 6, 8, 9, 10; the pass ends 18 cycles after the last issue. */
    CHECK(lv_core_couplings(2, 2, 0) == 5);
    CHECK(lv_core_pass_cycles(2, 2, 0, 1, 1, 1) == 28);
    /* The same with P = 8: every unit is complete at a = 1 (cycle 5), so
     * units issue at 5, 6, 7, 8: 26 cycles. */
    CHECK(lv_core_pass_cycles(2, 2, 0, 8, 1, 1) == 26);

    CHECK(lv_core_pass_cycles(13, 7, 1, 3, 0, 1) == 20 + 18);
    CHECK(lv_core_pass_cycles(40, 0, 0, 5, 1, 1) == 40 + 21); /* M = 0 */
    CHECK(lv_core_pass_cycles(1, 0, 1, 2, 1, 1) == 1 + 21);
    CHECK(lv_core_pass_cycles(0, 0, 0, 1, 1, 1) == 0);      /* refused shapes */
    CHECK(lv_core_pass_cycles(3, 3, 0, 0, 1, 1) == 0);
    CHECK(lv_core_setup_cycles(784, 512, 0) == 1299);
    /* Overlap = 0: every unit after the field pass, ceil(M/P) + N + 21. */
    CHECK(lv_core_pass_cycles(2, 2, 0, 1, 1, 0) == 5 + 4 + 21);
    CHECK(lv_core_pass_cycles(784, 512, 0, 8, 1, 0) == 66528 + 1296 + 21);
    CHECK(lv_core_pass_cycles(40, 0, 0, 5, 1, 0) == lv_core_pass_cycles(40, 0, 0, 5, 1, 1));
    CHECK(lv_core_pass_cycles(13, 7, 1, 3, 0, 0) == 20 + 18);
    /* Pair = 0: the field pass is 2 ceil(M/P) issue cycles (Overlap = 0 only). */
    CHECK(lv_core_field_cycles(2, 2, 0, 1, 1) == 5 && lv_core_field_cycles(2, 2, 0, 1, 0) == 10);
    CHECK(lv_core_field_cycles(13, 7, 0, 3, 0) == 2 * 38);
    CHECK(lv_core_pass_cycles_pair(2, 2, 0, 1, 1, 0, 0) == 10 + 4 + 21);
    CHECK(lv_core_pass_cycles_pair(13, 7, 0, 3, 1, 0, 0) == 117); /* rtl/cosim_p3_seq_half's example */
    CHECK(lv_core_pass_cycles_pair(784, 512, 0, 8, 1, 0, 0) == 2 * 66528 + 1296 + 21);
    CHECK(lv_core_pass_cycles_pair(2, 2, 0, 1, 1, 1, 0) == 0);       /* needs Overlap = 0 */
    CHECK(lv_core_pass_cycles_pair(13, 7, 1, 3, 0, 0, 0) == 20 + 18); /* no field phase */
    CHECK(lv_core_pass_cycles_pair(13, 7, 1, 3, 1, 1, 1) == lv_core_pass_cycles(13, 7, 1, 3, 1, 1));
    /* Serial = 1: unit 0 issued at F + 4, then N (cyc + 4) cycles: F = 5 or 10. */
    CHECK(lv_core_pass_cycles_serial(2, 2, 0, 1, 1, 0, 100, 100) == 427);
    CHECK(lv_core_pass_cycles_serial_pair(2, 2, 0, 1, 1, 0, 100, 100, 1) == 427);
    CHECK(lv_core_pass_cycles_serial_pair(2, 2, 0, 1, 1, 0, 100, 100, 0) == 432);
    CHECK(lv_core_pass_cycles_serial_pair(2, 2, 0, 1, 0, 0, 100, 100, 0) ==
          lv_core_pass_cycles_serial(2, 2, 0, 1, 0, 0, 100, 100));

    /* The coupling count is the emulator's (§3), computed here without emu/
     * so that core_cycles builds alone: the two must agree. */
    for (int nv = 0; nv <= 60; ++nv)
        for (int nh = 0; nh <= 60; ++nh)
            for (int vv = 0; vv < 2; ++vv)
                CHECK_MSG(lv_core_couplings(nv, nh, vv) == (uint64_t)lv_dev_couplings(nv, nh, vv),
                          "M(nv %d, nh %d, vv %d): core_timing %" PRIu64 ", emu %zu", nv, nh, vv,
                          lv_core_couplings(nv, nh, vv), (size_t)lv_dev_couplings(nv, nh, vv));

    long shapes = 0, worst = -1000000;
    for (int nv = 0; nv <= 120; ++nv)
        for (int nh = 0; nh <= 120; nh += (nv < 24 ? 1 : 5))
            for (int vv = 0; vv < 2; ++vv)
                for (int p = 1; p <= 255; p += (p < 10 ? 1 : 23)) {
                    if (nv + nh < 1) continue;
                    const long n = nv + nh, a = (long)((lv_core_couplings(nv, nh, vv) + (uint64_t)p - 1) / (uint64_t)p);
                    const long c = (long)lv_core_pass_cycles(nv, nh, vv, p, 1, 1);
                    const long bound = (long)lv_core_pass_bound(nv, nh, vv, p, 1);
                    CHECK(lv_core_pass_cycles(nv, nh, vv, p, 1, 0) == lv_core_pass_bound(nv, nh, vv, p, 0));
                    if (c - bound > worst) worst = c - bound;
                    CHECK_MSG(c <= bound && c >= a + 22 && c >= n + 18,
                              "nv %d nh %d vv %d P %d: %ld cycles, ceil(M/P) %ld, bound %ld", nv, nh, vv, p, c, a,
                              bound);
                    shapes++;
                }
    printf("core timing: %ld shapes, worst cycles - max(N + 22, ceil(M/P) + P + 23) = %ld\n", shapes, worst);

    const uint64_t m = lv_core_couplings(784, 512, 0);
    CHECK(m == 532224);
    for (int p = 1; p <= 255; ++p) {
        const uint64_t a = (m + (uint64_t)p - 1) / (uint64_t)p, c = lv_core_pass_cycles(784, 512, 0, p, 1, 1);
        if (p <= 231) CHECK_MSG((double)c <= 1.05 * (double)a + 23, "paper size, P %d: %" PRIu64 " cycles", p, c);
        CHECK_MSG(c <= a + (uint64_t)p / 2 + 30, "paper size, P %d: %" PRIu64 " cycles, ceil(M/P) %" PRIu64, p, c, a);
        if (p == 8 || p == 64 || p == 255)
            printf("  paper size, P = %3d: %" PRIu64 " cycles per coupled tick, ceil(M/P) = %" PRIu64 " (+%" PRIu64
                   ")\n",
                   p, c, a, c - a);
    }
    return lv_test_report("core timing");
}
