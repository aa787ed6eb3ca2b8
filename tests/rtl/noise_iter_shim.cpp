// noise_iter_shim.cpp - extern "C" shim owning Verilated noise sources (API in
// noise_iter_shim.h): rtl/noise_source_iter.v with DigitW = 1, 2, 4, 8, 16, 32
// (PREFIX Vnsi_dwN) and the pipelined rtl/noise_source.v (PREFIX Vns_pipe), all
// with the default Tag and SideW = 16.
#include "noise_iter_shim.h"

#include <memory>

#include "Vns_pipe.h"
#include "Vnsi_dw1.h"
#include "Vnsi_dw16.h"
#include "Vnsi_dw2.h"
#include "Vnsi_dw32.h"
#include "Vnsi_dw4.h"
#include "Vnsi_dw8.h"
#include "verilated.h"

namespace {

struct model {
    virtual ~model() = default;
    virtual void reset(nit_out *o) = 0;
    virtual void cycle(const nit_in *in, nit_out *o) = 0;
};

template <class V, bool Iter> struct model_t : model {
    std::unique_ptr<VerilatedContext> ctx{new VerilatedContext};
    std::unique_ptr<V> top{new V(ctx.get(), "top")};

    void out(nit_out *o)
    {
        if (!o) return;
        if constexpr (Iter) o->ready = top->ready_o;
        else o->ready = 1;
        o->valid = top->valid_o;
        o->side = top->side_o;
        o->z = (int32_t)(int16_t)(uint16_t)(top->z_o << 2) >> 2; /* sign-extend 14 bits */
    }
    void reset(nit_out *o) override
    {
        top->clk_i = 0;
        top->valid_i = 0;
        top->rst_ni = 1;
        top->eval();
        top->rst_ni = 0;
        top->eval();
        top->rst_ni = 1;
        top->eval();
        out(o);
    }
    void cycle(const nit_in *in, nit_out *o) override
    {
        top->clk_i = 0;
        top->valid_i = in->valid ? 1 : 0;
        top->seed_i = in->seed;
        top->unit_i = in->unit;
        top->tick_i = in->tick;
        top->side_i = in->side & 0xFFFFu;
        top->eval();
        ctx->timeInc(1);
        top->clk_i = 1;
        top->eval();
        ctx->timeInc(1);
        out(o);
    }
};

struct info {
    const char *name;
    int digit_w;
};
const info models[] = {{"iter_dw4", 4},   {"iter_dw1", 1},   {"iter_dw2", 2}, {"iter_dw8", 8},
                       {"iter_dw16", 16}, {"iter_dw32", 32}, {"pipelined", 0}};
const int n_models = (int)(sizeof models / sizeof models[0]);

} // namespace

struct nit {
    std::unique_ptr<model> m;
};

extern "C" {

int nit_count(void) { return n_models; }
const char *nit_name(int i) { return i >= 0 && i < n_models ? models[i].name : nullptr; }
int nit_digit_w(int i) { return i >= 0 && i < n_models ? models[i].digit_w : -1; }

nit *nit_create(int i)
{
    if (i < 0 || i >= n_models) return nullptr;
    nit *h = new nit;
    switch (models[i].digit_w) {
    case 1: h->m.reset(new model_t<Vnsi_dw1, true>); break;
    case 2: h->m.reset(new model_t<Vnsi_dw2, true>); break;
    case 4: h->m.reset(new model_t<Vnsi_dw4, true>); break;
    case 8: h->m.reset(new model_t<Vnsi_dw8, true>); break;
    case 16: h->m.reset(new model_t<Vnsi_dw16, true>); break;
    case 32: h->m.reset(new model_t<Vnsi_dw32, true>); break;
    default: h->m.reset(new model_t<Vns_pipe, false>); break;
    }
    return h;
}

void nit_reset(nit *h, nit_out *o) { h->m->reset(o); }
void nit_cycle(nit *h, const nit_in *in, nit_out *o) { h->m->cycle(in, o); }
void nit_destroy(nit *h) { delete h; }

} // extern "C"
