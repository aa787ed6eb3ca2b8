/* progress.h - a one-line progress indicator on stderr, shown only when
 * stderr is a terminal (logs and CI stay clean), at most ~5 updates/s. */
#ifndef LV_PROGRESS_H
#define LV_PROGRESS_H

typedef struct {
    const char *label;
    double t0, last;
    int tty;
    int active;
} lv_progress;

void lv_progress_start(lv_progress *p, const char *label);
/* extra: optional short status text (may be NULL). */
void lv_progress_update(lv_progress *p, double done, double total, const char *extra);
void lv_progress_end(lv_progress *p);
/* A work-count callback (lv_progress_fn of generate.h) whose ctx is an
 * lv_progress: done of total items. */
void lv_progress_count(void *ctx, long done, long total);
double lv_now(void); /* monotonic seconds */

#endif
