/* test_util.h - minimal assertion helpers for the C test programs.
 * Each failed check prints file:line and the expression; main() returns
 * lv_test_report(), which prints "N passed, N failed" and is non-zero on
 * any failure. */
#ifndef LV_TEST_UTIL_H
#define LV_TEST_UTIL_H

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

static int lv_t_pass, lv_t_fail;

#define CHECK(cond)                                                          \
    do {                                                                     \
        if (cond) {                                                          \
            lv_t_pass++;                                                     \
        } else {                                                             \
            lv_t_fail++;                                                     \
            fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, \
                    #cond);                                                  \
        }                                                                    \
    } while (0)

#define CHECK_MSG(cond, ...)                                                 \
    do {                                                                     \
        if (cond) {                                                          \
            lv_t_pass++;                                                     \
        } else {                                                             \
            lv_t_fail++;                                                     \
            fprintf(stderr, "%s:%d: CHECK failed: %s: ", __FILE__, __LINE__, \
                    #cond);                                                  \
            fprintf(stderr, __VA_ARGS__);                                    \
            fputc('\n', stderr);                                             \
        }                                                                    \
    } while (0)

#define CHECK_NEAR(a, b, tol)                                                \
    CHECK_MSG(fabs((double)(a) - (double)(b)) <= (tol),                      \
              "%s = %.10g, %s = %.10g, tol %.3g", #a, (double)(a), #b,       \
              (double)(b), (double)(tol))

/* Count a bulk comparison as one check; print at most a few mismatches
 * (`bad` is the caller's mismatch counter; CHECK(bad == 0) afterwards). */
#define BULK_FAIL(bad, ...)                                                  \
    do {                                                                     \
        if ((bad)++ < 5) {                                                   \
            fprintf(stderr, "  mismatch: ");                                 \
            fprintf(stderr, __VA_ARGS__);                                    \
            fputc('\n', stderr);                                             \
        }                                                                    \
    } while (0)

/* SplitMix64: a small, well-mixed generator for test inputs. */
static inline uint64_t lv_t_splitmix64(uint64_t *s)
{
    uint64_t z = (*s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static inline int lv_test_report(const char *name)
{
    printf("%s: %d passed, %d failed\n", name, lv_t_pass, lv_t_fail);
    return lv_t_fail ? 1 : 0;
}

#endif
