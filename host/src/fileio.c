#include "fileio.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct lv_atomic_file {
    FILE *fp;
    char *path;
    char *tmp;
};

static char *dup_str(const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (d) memcpy(d, s, n);
    return d;
}

int lv_atomic_open(lv_atomic_file **out, const char *path, lv_error *err)
{
    *out = NULL;
    lv_atomic_file *f = calloc(1, sizeof *f);
    size_t n = strlen(path);
    if (!f) return lv_fail(err, "out of memory opening %s", path);
    f->path = dup_str(path);
    f->tmp = malloc(n + 16);
    if (!f->path || !f->tmp) {
        lv_atomic_abort(f);
        return lv_fail(err, "out of memory opening %s", path);
    }
    snprintf(f->tmp, n + 16, "%s.tmpXXXXXX", path);
    int fd = mkstemp(f->tmp);
    if (fd < 0) {
        free(f->tmp);
        f->tmp = NULL;
        lv_atomic_abort(f);
        return lv_fail_errno(err, "cannot create a temporary file next to %s", path);
    }
    /* mkstemp creates 0600; output files are ordinary user files. */
    mode_t mask = umask(0);
    umask(mask);
    fchmod(fd, 0666 & ~mask);
    f->fp = fdopen(fd, "wb");
    if (!f->fp) {
        close(fd);
        lv_atomic_abort(f);
        return lv_fail_errno(err, "cannot open a temporary file next to %s", path);
    }
    *out = f;
    return 0;
}

FILE *lv_atomic_stream(lv_atomic_file *f) { return f->fp; }

static void fsync_dir_of(const char *path)
{
    char *copy = dup_str(path);
    if (!copy) return;
    int dfd = open(dirname(copy), O_RDONLY | O_DIRECTORY);
    if (dfd >= 0) {
        fsync(dfd);
        close(dfd);
    }
    free(copy);
}

int lv_atomic_commit(lv_atomic_file *f, lv_error *err)
{
    int rc = 0;
    if (ferror(f->fp) || fflush(f->fp) != 0) {
        rc = lv_fail_errno(err, "writing %s failed", f->path);
    } else if (fsync(fileno(f->fp)) != 0) {
        rc = lv_fail_errno(err, "flushing %s to disk failed", f->path);
    }
    if (fclose(f->fp) != 0 && rc == 0)
        rc = lv_fail_errno(err, "closing %s failed", f->path);
    f->fp = NULL;
    if (rc == 0 && rename(f->tmp, f->path) != 0)
        rc = lv_fail_errno(err, "cannot move the new file into place at %s", f->path);
    if (rc == 0) {
        fsync_dir_of(f->path);
        free(f->tmp);
        f->tmp = NULL;
    }
    lv_atomic_abort(f);
    return rc;
}

void lv_atomic_abort(lv_atomic_file *f)
{
    if (!f) return;
    if (f->fp) fclose(f->fp);
    if (f->tmp) unlink(f->tmp);
    free(f->tmp);
    free(f->path);
    free(f);
}

int lv_write_file_atomic(const char *path, const void *data, size_t n, lv_error *err)
{
    lv_atomic_file *f;
    if (lv_atomic_open(&f, path, err)) return -1;
    if (n && fwrite(data, 1, n, f->fp) != n) {
        lv_atomic_abort(f);
        return lv_fail_errno(err, "writing %s failed", path);
    }
    return lv_atomic_commit(f, err);
}

int lv_read_file(const char *path, uint8_t **data, size_t *n, size_t max_bytes, lv_error *err)
{
    *data = NULL;
    *n = 0;
    FILE *fp = fopen(path, "rb");
    if (!fp) return lv_fail_errno(err, "cannot open %s", path);
    struct stat st;
    if (fstat(fileno(fp), &st) != 0 || !S_ISREG(st.st_mode)) {
        fclose(fp);
        return lv_fail(err, "%s is not a regular file", path);
    }
    if ((unsigned long long)st.st_size > max_bytes) {
        fclose(fp);
        return lv_fail(err, "%s is %lld bytes, larger than the %zu-byte limit for this kind of file",
                       path, (long long)st.st_size, max_bytes);
    }
    size_t size = (size_t)st.st_size;
    uint8_t *buf = malloc(size + 1);
    if (!buf) {
        fclose(fp);
        return lv_fail(err, "out of memory reading %s (%zu bytes)", path, size);
    }
    size_t got = fread(buf, 1, size, fp);
    int bad = ferror(fp);
    fclose(fp);
    if (bad || got != size) {
        free(buf);
        return lv_fail(err, "reading %s failed (got %zu of %zu bytes)", path, got, size);
    }
    buf[size] = '\0';
    *data = buf;
    *n = size;
    return 0;
}

int lv_mkdir_p(const char *path, lv_error *err)
{
    char *copy = dup_str(path);
    if (!copy) return lv_fail(err, "out of memory");
    for (char *p = copy + 1; ; ++p) {
        if (*p == '/' || *p == '\0') {
            char c = *p;
            *p = '\0';
            if (mkdir(copy, 0777) != 0 && errno != EEXIST) {
                int rc = lv_fail_errno(err, "cannot create directory %s", copy);
                free(copy);
                return rc;
            }
            *p = c;
            if (c == '\0') break;
        }
    }
    free(copy);
    struct stat st;
    if (stat(path, &st) != 0 || !S_ISDIR(st.st_mode))
        return lv_fail(err, "%s exists and is not a directory", path);
    return 0;
}
