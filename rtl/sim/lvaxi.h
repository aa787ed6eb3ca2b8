/* lvaxi.h - plain-C interface to the Verilated AXI4-Lite register slave
 * rtl/langevin_axi.v (rtl/sim/lvaxi_shim.cpp owns the VerilatedContext and
 * the model).  Every call performs complete AXI4-Lite handshakes, clock
 * cycle by clock cycle: a write drives AW and W (optionally in different
 * cycles) and waits for B; a read drives AR and waits for R.  With a jitter
 * seed the master also delays W against AW and BREADY / RREADY by 0-2
 * cycles at random, to exercise the slave's handshakes. */
#ifndef LVAXI_H
#define LVAXI_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct lvaxi lvaxi;

enum { LVAXI_OKAY = 0, LVAXI_SLVERR = 2 };

int lvaxi_lanes(void);
int lvaxi_max_n(void);
int lvaxi_max_m(void);
/* The model's AccW (what CAP_ACC_W reads). */
int lvaxi_acc_width(void);

/* A model out of reset; jitter = 0: no random delays. */
lvaxi *lvaxi_create(uint64_t jitter);
void lvaxi_free(lvaxi *h);

/* One write of `data` with byte strobes `strb` (0xF: full word); returns BRESP. */
int lvaxi_write(lvaxi *h, uint32_t addr, uint32_t data, unsigned strb);
/* One read; *resp (if not NULL) gets RRESP. */
uint32_t lvaxi_read(lvaxi *h, uint32_t addr, int *resp);
/* Idle clock cycles. */
void lvaxi_idle(lvaxi *h, uint64_t cycles);
uint64_t lvaxi_cycles(const lvaxi *h);

#ifdef __cplusplus
}
#endif

#endif
