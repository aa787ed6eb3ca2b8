// lvrtl_shim.cpp - extern "C" shim owning the Verilated langevin_core
// (see lvrtl.h).  Compiled once per Verilated model (one per lane count P);
// LVRTL_P, LVRTL_MAX_N, LVRTL_MAX_M, LVRTL_CW, LVRTL_OVERLAP, LVRTL_SERIAL,
// LVRTL_ACC_W and LVRTL_PAIR are the model's parameters.
#include "lvrtl.h"

#include <memory>

#include "Vlangevin_core.h"
#include "verilated.h"
#if VM_TRACE_FST
#include "verilated_fst_c.h"
#endif

struct lvrtl {
    std::unique_ptr<VerilatedContext> ctx;
    std::unique_ptr<Vlangevin_core> top;
#if VM_TRACE_FST
    std::unique_ptr<VerilatedFstC> fst;
#endif
    uint64_t cycles = 0;
};

static void half(lvrtl *h, int clk)
{
    h->top->clk_i = clk;
    h->top->eval();
    h->ctx->timeInc(1);
#if VM_TRACE_FST
    if (h->fst) h->fst->dump(h->ctx->time());
#endif
}

static void edge(lvrtl *h, lvrtl_out *o)
{
    half(h, 0);
    half(h, 1);
    h->cycles++;
    if (!o) return;
    Vlangevin_core *t = h->top.get();
    o->busy = t->busy_o;
    o->done = t->done_o;
    o->pass_done = t->pass_done_o;
    o->tick = t->tick_o;
    o->v0 = (int64_t)t->v0_o;
    o->v = (int64_t)t->v_o;
    o->q = (int64_t)t->q_o;
    o->sat_state = t->sat_state_o;
    o->sat_force = t->sat_force_o;
    o->e_max = (int8_t)t->e_max_o;
    o->xw_valid = t->xw_valid_o;
    o->xw_unit = t->xw_unit_o;
    o->xw_x = (int32_t)t->xw_x_o;
}

extern "C" {

int lvrtl_lanes(void) { return LVRTL_P; }
int lvrtl_max_n(void) { return LVRTL_MAX_N; }
int lvrtl_max_m(void) { return LVRTL_MAX_M; }
int lvrtl_coupling_width(void) { return LVRTL_CW; }
int lvrtl_overlap(void) { return LVRTL_SERIAL ? 0 : LVRTL_OVERLAP; }
int lvrtl_serial(void) { return LVRTL_SERIAL; }
int lvrtl_acc_width(void) { return LVRTL_ACC_W; }
int lvrtl_pair(void) { return LVRTL_PAIR; }

lvrtl *lvrtl_create(const char *fst_path)
{
    lvrtl *h = new lvrtl;
    h->ctx.reset(new VerilatedContext);
    h->top.reset(new Vlangevin_core(h->ctx.get(), "top"));
#if VM_TRACE_FST
    if (fst_path) {
        h->ctx->traceEverOn(true);
        h->fst.reset(new VerilatedFstC);
        h->top->trace(h->fst.get(), 99);
        h->fst->open(fst_path);
    }
#else
    (void)fst_path;
#endif
    Vlangevin_core *t = h->top.get();
    t->clk_i = 0;
    t->rst_ni = 1;
    t->ld_we_i = 0;
    t->start_i = 0;
    t->eval();
    t->rst_ni = 0;
    t->eval();
    edge(h, nullptr);
    t->rst_ni = 1;
    edge(h, nullptr);
    return h;
}

void lvrtl_free(lvrtl *h)
{
    if (!h) return;
    h->top->final();
#if VM_TRACE_FST
    if (h->fst) h->fst->close();
#endif
    delete h;
}

void lvrtl_set_cfg(lvrtl *h, const lvrtl_cfg *c)
{
    Vlangevin_core *t = h->top.get();
    t->cfg_nv_i = (uint32_t)c->nv;
    t->cfg_nh_i = (uint32_t)c->nh;
    t->cfg_vv_i = c->vv ? 1 : 0;
    t->cfg_wx_i = (uint32_t)c->wx;
    t->cfg_fx_i = (uint32_t)c->fx;
    t->cfg_wf_i = (uint32_t)c->wf;
    t->cfg_ff_i = (uint32_t)c->ff;
    t->cfg_j2_i = (uint32_t)c->j2;
    t->cfg_j4_i = (uint32_t)c->j4;
    t->cfg_k_i = c->k;
    t->cfg_bn_i = (uint32_t)c->bn;
    t->cfg_gain_i = c->gain;
    t->cfg_offset_i = (uint32_t)c->offset;
    t->cfg_colour_a_i = c->colour_a;
    t->cfg_colour_c_i = c->colour_c;
    t->cfg_eb_vis_i = (uint8_t)c->eb_vis;
    t->cfg_eb_hid_i = (uint8_t)c->eb_hid;
}

void lvrtl_load(lvrtl *h, int mem, uint32_t addr, uint32_t data, lvrtl_out *out)
{
    Vlangevin_core *t = h->top.get();
    t->ld_we_i = 1;
    t->ld_mem_i = (uint32_t)mem;
    t->ld_addr_i = addr;
    t->ld_data_i = data;
    edge(h, out);
    t->ld_we_i = 0;
}

void lvrtl_start(lvrtl *h, uint64_t seed, uint32_t tick0, uint32_t ticks, int couple, int latch, int clear,
                 lvrtl_out *out)
{
    Vlangevin_core *t = h->top.get();
    t->start_i = 1;
    t->seed_i = seed;
    t->tick0_i = tick0;
    t->ticks_i = ticks;
    t->couple_i = couple ? 1 : 0;
    t->latch_i = latch ? 1 : 0;
    t->clear_i = clear ? 1 : 0;
    edge(h, out);
    t->start_i = 0;
}

void lvrtl_cycle(lvrtl *h, lvrtl_out *out) { edge(h, out); }

uint64_t lvrtl_cycles(const lvrtl *h) { return h->cycles; }

}  // extern "C"
