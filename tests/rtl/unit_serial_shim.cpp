// unit_serial_shim.cpp - extern "C" shim owning the Verilated rtl/unit_serial.v
// (PREFIX Vunit_serial); API in unit_serial_shim.h.
#include "unit_serial_shim.h"

#include <memory>

#include "Vunit_serial.h"
#include "verilated.h"

struct uss {
    std::unique_ptr<VerilatedContext> ctx{new VerilatedContext};
    std::unique_ptr<Vunit_serial> top{new Vunit_serial(ctx.get(), "top")};
};

namespace {

int64_t sext(uint64_t v, int w) { return (int64_t)(v << (64 - w)) >> (64 - w); }

void apply_cfg(Vunit_serial *t, const uss_cfg *c)
{
    t->fx_i = (uint8_t)c->fx;
    t->ff_i = (uint8_t)c->ff;
    t->wf_i = (uint8_t)c->wf;
    t->wx_i = (uint8_t)c->wx;
    t->bn_i = (uint8_t)c->bn;
    t->j2_i = c->j2;
    t->j4_i = c->j4;
    t->k_i = c->k;
    t->gain_i = c->gain;
    t->offset_i = (uint32_t)c->offset;
    t->colour_a_i = c->a;
    t->colour_c_i = c->ca;
    t->e_i = (uint8_t)c->e;
}

void apply_in(Vunit_serial *t, const uss_in *in)
{
    t->couple_i = in->couple ? 1 : 0;
    t->heat_i = in->heat ? 1 : 0;
    t->update_i = in->update ? 1 : 0;
    t->x_i = (uint32_t)in->x;
    t->xp_i = (uint32_t)in->xp;
    t->gp_i = (uint64_t)in->gp & 0xFFFFFFFFFFull;
    t->cb_i = (uint32_t)in->cb & 0xFFFFFFu;
    t->eb_i = (uint8_t)in->eb;
    t->acc_i = (uint64_t)in->acc;
    t->z_i = (uint16_t)((uint32_t)in->z & 0x3FFFu);
    t->nprev_i = (uint32_t)in->nprev;
}

void cycle(uss *h)
{
    h->top->clk_i = 0;
    h->top->eval();
    h->ctx->timeInc(1);
    h->top->clk_i = 1;
    h->top->eval();
    h->ctx->timeInc(1);
}

/* The strobed meter terms visible in this cycle (after the edge). */
void terms(const Vunit_serial *t, uss_out *out)
{
    if (t->v_valid_o) {
        out->vsum = (int64_t)((uint64_t)out->vsum + (uint64_t)t->term_o);
        out->nv++;
    }
    if (t->q_valid_o) {
        out->qsum = (int64_t)((uint64_t)out->qsum + (uint64_t)t->term_o);
        out->nq++;
    }
}

} // namespace

extern "C" {

uss *uss_create(void) { return new uss; }

void uss_reset(uss *h)
{
    h->top->clk_i = 0;
    h->top->start_i = 0;
    h->top->rst_ni = 1;
    h->top->eval();
    h->top->rst_ni = 0;
    h->top->eval();
    h->top->rst_ni = 1;
    h->top->eval();
}

int uss_run(uss *h, const uss_cfg *cfg, const uss_in *in, const uss_in *junk, long max_cycles, uss_out *out)
{
    Vunit_serial *t = h->top.get();
    apply_cfg(t, cfg);
    apply_in(t, in);
    t->start_i = 1;
    t->clk_i = 0;
    t->eval();
    out->ready_ok = t->ready_o == 1;
    out->vsum = out->qsum = 0;
    out->nv = out->nq = 0;
    cycle(h); /* the start cycle */
    apply_in(t, junk);
    terms(t, out);
    long n = 1;
    while (!t->done_o && n < max_cycles) {
        if (t->ready_o) out->ready_ok = 0;
        cycle(h);
        terms(t, out);
        ++n;
    }
    t->start_i = 0;
    t->eval();
    if (!t->done_o) return -1;
    if (!t->ready_o) out->ready_ok = 0;
    out->cycles = n;
    out->g = (int64_t)t->g_o;
    out->x2 = (int64_t)t->x2_o;
    out->v = (int64_t)t->v_o;
    out->q = (int64_t)t->q_o;
    out->eta = (int64_t)t->eta_o;
    out->sat_force = t->sat_force_o;
    out->sat_state = t->sat_state_o;
    out->n_we = t->n_we_o;
    out->n = (int32_t)sext(t->n_o, 32);
    out->x = (int32_t)sext(t->x_o, 32);
    return 0;
}

void uss_destroy(uss *h) { delete h; }

} // extern "C"
