/* lvrtl.h - plain-C interface to the Verilated langevin_core (rtl/).
 *
 * lvrtl_shim.cpp owns the VerilatedContext and the model and exposes this
 * extern "C" API, so the co-simulation harness stays C11.  One clock cycle
 * per call: inputs are applied, the rising edge is evaluated, and the
 * outputs (all registered in the RTL) are read back after the edge.
 * Memory ids follow regmap/langevin_device.json. */
#ifndef LVRTL_H
#define LVRTL_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

enum { LVRTL_MEM_COUPLINGS = 0, LVRTL_MEM_ROW_EXP = 1, LVRTL_MEM_BIAS = 2, LVRTL_MEM_STATE = 4 };

typedef struct lvrtl lvrtl;

/* Image configuration (docs/fixed-point.md §2): held on the cfg_* ports. */
typedef struct {
    int nv, nh, vv;
    int wx, fx, wf, ff;
    int32_t j2, j4;
    uint32_t k;
    int bn;
    uint32_t gain;
    int32_t offset;
    uint16_t colour_a, colour_c;
    int8_t eb_vis, eb_hid;
} lvrtl_cfg;

/* Outputs after a clock edge. */
typedef struct {
    int busy, done, pass_done;
    uint32_t tick;
    int64_t v0, v, q;
    uint32_t sat_state, sat_force;
    int e_max;
    int xw_valid, xw_unit;
    int32_t xw_x;
} lvrtl_out;

/* Build parameters of the linked model. */
int lvrtl_lanes(void);
int lvrtl_max_n(void);
int lvrtl_max_m(void);
/* Stored coupling width CW (images need BJ <= CW). */
int lvrtl_coupling_width(void);
/* The core's Overlap parameter (1: per-unit phase during the field pass). */
int lvrtl_overlap(void);
/* The core's Serial parameter (1: core_units_serial, one unit at a time;
 * its Overlap is then 0, as lvrtl_overlap() says). */
int lvrtl_serial(void);
/* Coupling accumulator width AccW (33 .. 64): the field is exact for images
 * whose bound max_u xmax sum |c| 2^(E - eJ) is below 2^(AccW - 1)
 * (lv_fw_image_acc_bits of firmware/include/lv_fw.h gives the bits an image
 * needs). */
int lvrtl_acc_width(void);
/* The core's Pair parameter (coupling_mac): 1 (default) serves both updates
 * of a stored coupling in one cycle; 0 in two cycles through one multiplier
 * and one accumulator per lane (the field pass takes 2 ceil(M/P) issue
 * cycles; lv_core_pass_cycles_pair / lv_core_pass_cycles_serial_pair). */
int lvrtl_pair(void);

/* fst_path: write an FST waveform there (only in builds configured with
 * LANGEVIN_RTL_TRACE=ON; otherwise ignored), or NULL.  The model comes out
 * of an asynchronous reset. */
lvrtl *lvrtl_create(const char *fst_path);
void lvrtl_free(lvrtl *h);

void lvrtl_set_cfg(lvrtl *h, const lvrtl_cfg *cfg);
/* One load-port write (one cycle). */
void lvrtl_load(lvrtl *h, int mem, uint32_t addr, uint32_t data, lvrtl_out *out);
/* One cycle with start_i = 1 and the run inputs. */
void lvrtl_start(lvrtl *h, uint64_t seed, uint32_t tick0, uint32_t ticks, int couple, int latch, int clear,
                 lvrtl_out *out);
/* One idle cycle. */
void lvrtl_cycle(lvrtl *h, lvrtl_out *out);
/* Clock cycles since creation. */
uint64_t lvrtl_cycles(const lvrtl *h);

#ifdef __cplusplus
}
#endif

#endif
