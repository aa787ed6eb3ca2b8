#include "progress.h"

#include <stdio.h>
#include <time.h>
#include <unistd.h>

double lv_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

void lv_progress_start(lv_progress *p, const char *label)
{
    p->label = label;
    p->t0 = lv_now();
    p->last = 0;
    p->tty = isatty(STDERR_FILENO);
    p->active = 0;
}

void lv_progress_update(lv_progress *p, double done, double total, const char *extra)
{
    if (!p->tty) return;
    double t = lv_now();
    if (done < total && t - p->last < 0.2) return;
    p->last = t;
    double el = t - p->t0;
    double frac = total > 0 ? done / total : 0;
    double eta = frac > 0 ? el * (1 - frac) / frac : 0;
    fprintf(stderr, "\r\033[K%s: %.0f/%.0f (%.0f%%) %.0fs elapsed, ~%.0fs left%s%s", p->label, done,
            total, 100 * frac, el, eta, extra ? "  " : "", extra ? extra : "");
    fflush(stderr);
    p->active = 1;
}

void lv_progress_end(lv_progress *p)
{
    if (p->tty && p->active) {
        fputs("\r\033[K", stderr);
        fflush(stderr);
    }
    p->active = 0;
}

void lv_progress_count(void *ctx, long done, long total)
{
    lv_progress_update((lv_progress *)ctx, (double)done, (double)total, NULL);
}
