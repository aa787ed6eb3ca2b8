#!/usr/bin/env bash
# The generated header is C99 and freestanding: it compiles with
# -ffreestanding -nostdlib (no libc headers but <stdint.h>), -pedantic, every
# warning an error, as C99 and C11, and its constants are usable in #if and
# in constant expressions (firmware uses them in both).
set -eu
cat > use.c <<'C'
#include "lv_regs.h"
#if LV_REG_ID_OFFSET != 0
#error "ID must be at offset 0"
#endif
/* C99 has no _Static_assert: a negative array size fails the compile. */
typedef char check_magic[(LV_REG_ID_RESVAL == UINT32_C(0x4C414E47)) ? 1 : -1];
typedef char check_field[(LV_FIELD_PREP(CTRL, START, 1) == LV_REG_CTRL_START_MASK) ? 1 : -1];
uint32_t lv_regs_use(volatile uint32_t *base)
{
    base[LV_REG_CTRL_OFFSET / 4] = LV_FIELD_PREP(CTRL, COUPLE, 1) | LV_FIELD_PREP(CTRL, START, 1);
    return LV_FIELD_GET(base[LV_REG_STATUS_OFFSET / 4], STATUS, BUSY) + LV_MEM_COUPLINGS_DEPTH;
}
C
for std in c99 c11; do
  "$CC" -std=$std -pedantic -Wall -Wextra -Werror -ffreestanding -nostdlib \
    -I"$LV_GEN_DIR" -c use.c -o use_$std.o
done
# Nothing in the header may need libc: no undefined symbols in the object.
if command -v nm >/dev/null; then
  undefined=$(nm -u use_c99.o)
  [ -z "$undefined" ] || { echo "FAIL: the header pulls in symbols: $undefined"; exit 1; }
fi
echo "lv_regs.h compiles freestanding as C99 and C11"
