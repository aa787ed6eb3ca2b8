// lvaxi_shim.cpp - extern "C" shim owning the Verilated langevin_axi (see
// lvaxi.h).  LVAXI_P, LVAXI_MAX_N, LVAXI_MAX_M and LVAXI_ACC_W are the
// model's parameters.
#include "lvaxi.h"

#include <memory>

#include "Vlangevin_axi.h"
#include "verilated.h"

struct lvaxi {
    std::unique_ptr<VerilatedContext> ctx;
    std::unique_ptr<Vlangevin_axi> top;
    uint64_t cycles = 0;
    uint64_t rng = 0; /* 0: no jitter */
};

static unsigned jit(lvaxi *h)
{
    if (!h->rng) return 0;
    uint64_t z = (h->rng += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return (unsigned)((z ^ (z >> 31)) % 3);
}

// Settle the inputs with the clock low (the slave's outputs are then those of
// the current cycle), so the caller can sample valid/ready before the edge.
static void low(lvaxi *h)
{
    h->top->clk_i = 0;
    h->top->eval();
    h->ctx->timeInc(1);
}
static void rise(lvaxi *h)
{
    h->top->clk_i = 1;
    h->top->eval();
    h->ctx->timeInc(1);
    h->cycles++;
}

extern "C" {

int lvaxi_lanes(void) { return LVAXI_P; }
int lvaxi_max_n(void) { return LVAXI_MAX_N; }
int lvaxi_max_m(void) { return LVAXI_MAX_M; }
int lvaxi_acc_width(void) { return LVAXI_ACC_W; }

lvaxi *lvaxi_create(uint64_t jitter)
{
    lvaxi *h = new lvaxi;
    h->rng = jitter;
    h->ctx.reset(new VerilatedContext);
    h->top.reset(new Vlangevin_axi(h->ctx.get(), "top"));
    Vlangevin_axi *t = h->top.get();
    t->clk_i = 0;
    t->rst_ni = 1;
    t->s_axi_awvalid_i = 0;
    t->s_axi_wvalid_i = 0;
    t->s_axi_arvalid_i = 0;
    t->s_axi_bready_i = 0;
    t->s_axi_rready_i = 0;
    t->eval();
    t->rst_ni = 0;
    t->eval();
    low(h);
    rise(h);
    t->rst_ni = 1;
    low(h);
    rise(h);
    return h;
}

void lvaxi_free(lvaxi *h)
{
    if (!h) return;
    h->top->final();
    delete h;
}

int lvaxi_write(lvaxi *h, uint32_t addr, uint32_t data, unsigned strb)
{
    Vlangevin_axi *t = h->top.get();
    unsigned aw_delay = jit(h), w_delay = jit(h), b_delay = jit(h);
    bool aw_done = false, w_done = false;
    t->s_axi_awaddr_i = addr & 0xFFFu;
    t->s_axi_wdata_i = data;
    t->s_axi_wstrb_i = strb & 0xFu;
    t->s_axi_bready_i = 0;
    for (uint64_t guard = 0; !(aw_done && w_done); ++guard) {
        t->s_axi_awvalid_i = !aw_done && aw_delay == 0;
        t->s_axi_wvalid_i = !w_done && w_delay == 0;
        low(h);
        bool aw_fire = t->s_axi_awvalid_i && t->s_axi_awready_o;
        bool w_fire = t->s_axi_wvalid_i && t->s_axi_wready_o;
        rise(h);
        aw_done |= aw_fire;
        w_done |= w_fire;
        if (aw_delay) aw_delay--;
        if (w_delay) w_delay--;
        if (guard > 100000) return -1;
    }
    t->s_axi_awvalid_i = 0;
    t->s_axi_wvalid_i = 0;
    for (uint64_t guard = 0;; ++guard) {
        t->s_axi_bready_i = b_delay == 0;
        low(h);
        bool fire = t->s_axi_bvalid_o && t->s_axi_bready_i;
        int resp = t->s_axi_bresp_o;
        rise(h);
        if (b_delay) b_delay--;
        if (fire) {
            t->s_axi_bready_i = 0;
            return resp;
        }
        if (guard > 100000) return -1;
    }
}

uint32_t lvaxi_read(lvaxi *h, uint32_t addr, int *resp)
{
    Vlangevin_axi *t = h->top.get();
    unsigned ar_delay = jit(h), r_delay = jit(h);
    t->s_axi_araddr_i = addr & 0xFFFu;
    t->s_axi_rready_i = 0;
    for (uint64_t guard = 0;; ++guard) {
        t->s_axi_arvalid_i = ar_delay == 0;
        low(h);
        bool fire = t->s_axi_arvalid_i && t->s_axi_arready_o;
        rise(h);
        if (ar_delay) ar_delay--;
        if (fire) break;
        if (guard > 100000) break;
    }
    t->s_axi_arvalid_i = 0;
    for (uint64_t guard = 0;; ++guard) {
        t->s_axi_rready_i = r_delay == 0;
        low(h);
        bool fire = t->s_axi_rvalid_o && t->s_axi_rready_i;
        uint32_t data = t->s_axi_rdata_o;
        int r = t->s_axi_rresp_o;
        rise(h);
        if (r_delay) r_delay--;
        if (fire) {
            t->s_axi_rready_i = 0;
            if (resp) *resp = r;
            return data;
        }
        if (guard > 100000) {
            if (resp) *resp = -1;
            return 0xDEADBEEFu;
        }
    }
}

void lvaxi_idle(lvaxi *h, uint64_t cycles)
{
    for (uint64_t i = 0; i < cycles; ++i) {
        low(h);
        rise(h);
    }
}

uint64_t lvaxi_cycles(const lvaxi *h) { return h->cycles; }

}  // extern "C"
