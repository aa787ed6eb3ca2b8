/* core_cycles - print the clock cycles of rtl/langevin_core.v for an image
 * shape (rtl/sim/core_timing.h), for scripts and docs.
 *
 * Usage: core_cycles [--no-overlap] NV NH VV P [TEQ RUN]
 * (--no-overlap: a core built with Overlap = 0)
 * Prints M, ceil(M/P), the cycles of a coupled and of a coupling-free pass,
 * and with TEQ / RUN those of one trajectory: a run of TEQ coupling-free
 * ticks, then one of RUN coupled ticks (T ticks make T + 1 passes plus the
 * setup), as key=value lines. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core_timing.h"

static int arg(const char *s, int64_t lo, int64_t hi, int64_t *out)
{
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (errno || end == s || *end || v < lo || v > hi) return -1;
    *out = v;
    return 0;
}

int main(int argc, char **argv)
{
    int64_t nv, nh, vv, p, teq = -1, run = -1;
    int overlap = 1;
    if (argc > 1 && !strcmp(argv[1], "--no-overlap")) {
        overlap = 0;
        argv++;
        argc--;
    }
    if ((argc != 5 && argc != 7) || arg(argv[1], 0, 1 << 24, &nv) || arg(argv[2], 0, 1 << 24, &nh) ||
        arg(argv[3], 0, 1, &vv) || arg(argv[4], 1, 255, &p) ||
        (argc == 7 && (arg(argv[5], 0, INT32_MAX, &teq) || arg(argv[6], 0, INT32_MAX, &run))) || nv + nh < 1) {
        fprintf(stderr, "usage: core_cycles [--no-overlap] NV NH VV(0|1) P(1..255) [TEQ RUN]\n"
                        "  clock cycles of rtl/langevin_core.v per pass (and per trajectory);\n"
                        "  --no-overlap: a core built with Overlap = 0\n");
        return 2;
    }
    uint64_t m = lv_core_couplings(nv, nh, (int)vv);
    uint64_t coupled = lv_core_pass_cycles(nv, nh, (int)vv, (int)p, 1, overlap);
    uint64_t free_ = lv_core_pass_cycles(nv, nh, (int)vv, (int)p, 0, overlap);
    uint64_t setup = lv_core_setup_cycles(nv, nh, (int)vv);
    printf("M=%" PRIu64 "\nceil_M_over_P=%" PRIu64 "\ncoupled_pass=%" PRIu64 "\nfree_pass=%" PRIu64
           "\nsetup=%" PRIu64 "\n",
           m, (m + (uint64_t)p - 1) / (uint64_t)p, coupled, free_, setup);
    if (teq >= 0) {
        uint64_t traj = 2 * setup + (uint64_t)(teq + 1) * free_ + (uint64_t)(run + 1) * coupled;
        printf("trajectory=%" PRIu64 "\n", traj);
    }
    return 0;
}
