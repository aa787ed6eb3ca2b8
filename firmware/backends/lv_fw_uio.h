/* lv_fw_uio.h - firmware HAL backend for Linux: the device's register window
 * mapped from a UIO device (/dev/uioN, offset = map index * page size) or
 * from /dev/mem (offset = the AXI slave's physical base address).  Host only
 * (POSIX open/mmap).
 *
 * Accesses are single volatile 32-bit loads and stores at base + offset, in
 * program order.  Offsets outside the mapped window or not 4-byte aligned are
 * not performed (reads return 0) and counted in `faults`, so a driver bug
 * cannot touch memory beyond the device.  wait is NULL (busy polling): the
 * register map defines no interrupt yet; a UIO interrupt (blocking read() of
 * the UIO fd) plugs in there when the RTL gets one.
 *
 * lv_fw_uio_open returns 0, or -1 with a sentence in err (the path, offset
 * and the system error). */
#ifndef LV_FW_UIO_H
#define LV_FW_UIO_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "err.h"
#include "lv_fw_hal.h"

typedef struct {
    int fd;
    volatile uint8_t *base; /* mapped window */
    size_t len;             /* window bytes */
    uint32_t faults;        /* refused accesses (misaligned or outside) */
} lv_fw_uio;

/* Map `len` bytes (normally 4096, LV_REGS_ADDR_BYTES) of `path` at `offset`
 * (a multiple of the page size) read/write, shared. */
int lv_fw_uio_open(lv_fw_uio *u, const char *path, off_t offset, size_t len, lv_error *err);
void lv_fw_uio_close(lv_fw_uio *u);
/* Fill hal with this backend; u must outlive hal. */
void lv_fw_uio_hal(lv_fw_hal *hal, lv_fw_uio *u);

#endif
