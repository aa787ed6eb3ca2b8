/* lv_fw_uio.c - the Linux UIO / /dev/mem backend.  See lv_fw_uio.h. */
#include "lv_fw_uio.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

int lv_fw_uio_open(lv_fw_uio *u, const char *path, off_t offset, size_t len, lv_error *err)
{
    if (!u || !path) return lv_fail(err, "opening the device window: no handle or path given (NULL pointer)");
    u->fd = -1;
    u->base = NULL;
    u->len = 0;
    u->faults = 0;
    long page = sysconf(_SC_PAGESIZE);
    if (page <= 0) page = 4096;
    if (offset < 0 || offset % page != 0)
        return lv_fail(err, "opening the device window %s: offset 0x%llx is not a multiple of the page size (%ld); "
                            "map the page holding the registers and add the remainder to the offsets",
                       path, (long long)offset, page);
    if (len == 0 || len % 4 != 0)
        return lv_fail(err, "opening the device window %s: length %zu must be a non-zero multiple of 4", path, len);
    int fd = open(path, O_RDWR | O_SYNC);
    if (fd < 0) return lv_fail_errno(err, "cannot open the device window %s (need read/write access)", path);
    void *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, offset);
    if (p == MAP_FAILED) {
        int e = errno;
        close(fd);
        errno = e;
        return lv_fail_errno(err, "cannot map %zu bytes of %s at offset 0x%llx", len, path, (long long)offset);
    }
    u->fd = fd;
    u->base = p;
    u->len = len;
    return 0;
}

void lv_fw_uio_close(lv_fw_uio *u)
{
    if (!u) return;
    if (u->base) munmap((void *)u->base, u->len);
    if (u->fd >= 0) close(u->fd);
    u->base = NULL;
    u->fd = -1;
    u->len = 0;
}

static int in_window(lv_fw_uio *u, uint32_t offset)
{
    if ((offset & 3u) || (size_t)offset + 4 > u->len || !u->base) {
        u->faults++;
        return 0;
    }
    return 1;
}

static uint32_t uio_read32(void *ctx, uint32_t offset)
{
    lv_fw_uio *u = ctx;
    if (!in_window(u, offset)) return 0;
    return *(volatile uint32_t *)(u->base + offset);
}

static void uio_write32(void *ctx, uint32_t offset, uint32_t value)
{
    lv_fw_uio *u = ctx;
    if (!in_window(u, offset)) return;
    *(volatile uint32_t *)(u->base + offset) = value;
}

void lv_fw_uio_hal(lv_fw_hal *hal, lv_fw_uio *u)
{
    hal->read32 = uio_read32;
    hal->write32 = uio_write32;
    hal->wait = NULL;
    hal->ctx = u;
}
