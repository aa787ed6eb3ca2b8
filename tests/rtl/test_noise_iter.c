/* test_noise_iter.c - rtl/noise_source_iter.v (Verilated, DigitW = 1, 2, 4, 8, 16,
 * 32) against the C reference lv_noise_z (emu/src/noise_source.c), bit for bit,
 * and against the pipelined rtl/noise_source.v fed the same requests.
 *
 * For each iterative model, N random requests (default 10,000; seed, tick and unit
 * uniform 64/32/32-bit words, a quarter of the fields set to 0 or all ones, random
 * 16-bit side bands) are offered in three ways, chosen at random per request:
 *   - held: valid_i high from the moment the request exists (while the source is
 *     busy it must not be taken), so it is accepted in the first ready cycle:
 *     back-to-back requests;
 *   - junk: while !ready_o, valid_i is high with fresh random fields every cycle
 *     (a protocol error the module documents as dropped), and the real request is
 *     presented exactly in the first ready cycle;
 *   - gap: valid_i low for 1..20 cycles of idle after ready_o, then the request.
 * Every accepted request is also given to a pipelined noise_source in the same
 * cycle (whose seed_i then stays at that request's seed, as noise_source requires).  Checked every cycle: valid_o of each model pulses exactly LATENCY cycles
 * after an accepted request (10 S + 2 for the iterative model, S = 32 / DigitW,
 * 12 for the pipelined one) with the expected z and side band, and never
 * otherwise; ready_o is low for exactly 10 S cycles after an accept (the documented
 * throughput of one sample per 10 S + 1 cycles).
 *
 * Usage: test_noise_iter [requests [rng seed]] */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "noise_iter_shim.h"
#include "noise_source.h"
#include "test_util.h"
#define splitmix64 lv_t_splitmix64

#define PIPE_LATENCY 12
#define FIFO_CAP 64

typedef struct {
    int32_t z;
    uint32_t side;
    long due; /* loop index whose nit_cycle output must show valid_o */
} expect;

typedef struct {
    expect e[FIFO_CAP];
    int head, n;
} fifo;

static void push(fifo *f, expect e)
{
    if (f->n == FIFO_CAP) {
        fprintf(stderr, "test_noise_iter: FIFO overflow\n");
        exit(1);
    }
    f->e[(f->head + f->n) % FIFO_CAP] = e;
    f->n++;
}

static expect pop(fifo *f)
{
    expect e = f->e[f->head];
    f->head = (f->head + 1) % FIFO_CAP;
    f->n--;
    return e;
}

static uint32_t field32(uint64_t *s)
{
    uint64_t r = splitmix64(s);
    switch (r % 8) {
    case 0: return 0;
    case 1: return 0xFFFFFFFFu;
    default: return (uint32_t)(r >> 32);
    }
}

static uint64_t field64(uint64_t *s)
{
    uint64_t r = splitmix64(s);
    switch (r % 8) {
    case 0: return 0;
    case 1: return ~(uint64_t)0;
    default: return splitmix64(s);
    }
}

static void random_request(nit_in *in, uint64_t *s)
{
    in->valid = 1;
    in->seed = field64(s);
    in->unit = field32(s);
    in->tick = field32(s);
    in->side = (uint32_t)(splitmix64(s) & 0xFFFFu);
}

/* Checks one model's output of loop index j against its FIFO; returns 1 on a z mismatch. */
static int check_out(const char *name, const nit_out *o, fifo *f, long j, long *seen)
{
    int bad = 0;
    int due = f->n > 0 && f->e[f->head].due == j;
    CHECK_MSG(o->valid == due, "%s: valid_o = %d at cycle %ld, expected %d", name, o->valid, j, due);
    if (due) {
        expect e = pop(f);
        (*seen)++;
        if (o->valid) {
            CHECK_MSG(o->z == e.z, "%s: z = %" PRId32 ", expected %" PRId32 " (cycle %ld)", name, o->z, e.z, j);
            CHECK_MSG(o->side == e.side, "%s: side = 0x%04" PRIx32 ", expected 0x%04" PRIx32, name, o->side,
                      e.side);
            bad = o->z != e.z || o->side != e.side;
        }
    }
    return bad;
}

static void run_model(int mi, int pipe_i, long n_req, uint64_t rng)
{
    const char *name = nit_name(mi);
    int dw = nit_digit_w(mi);
    long period = 10L * (32 / dw) + 1;
    long latency = period + 1;
    nit *it = nit_create(mi), *pp = nit_create(pipe_i);
    nit_out o_it, o_pp;
    nit_reset(it, &o_it);
    nit_reset(pp, &o_pp);
    CHECK_MSG(o_it.ready && !o_it.valid, "%s: not ready / valid after reset", name);

    fifo f_it = {.n = 0}, f_pp = {.n = 0};
    nit_in req = {0}, in, pin = {0};
    int have_req = 0, mode = 0, gap = 0;
    long accepted = 0, seen_it = 0, seen_pp = 0, last_accept = -1000000, back_to_back = 0, junk = 0, gaps = 0;
    long bad_it = 0, bad_pp = 0;
    int32_t zmin = 0, zmax = 0;
    int fail0 = lv_t_fail;
    long j;
    long budget = (n_req + 2) * (period + 25) + 100;
    for (j = 0; j < budget && (accepted < n_req || f_it.n > 0 || f_pp.n > 0); ++j) {
        int ready = o_it.ready;
        if (!have_req && accepted < n_req) {
            random_request(&req, &rng);
            have_req = 1;
            mode = (int)(splitmix64(&rng) % 3);
            gap = mode == 2 ? 1 + (int)(splitmix64(&rng) % 20) : 0;
        }
        memset(&in, 0, sizeof in);
        if (have_req) {
            if (mode == 0) {
                in = req; /* held high until taken */
            } else if (mode == 1) {
                if (ready) in = req;
                else { random_request(&in, &rng); junk++; } /* dropped */
            } else if (ready) {
                if (gap > 0) gap--;
                else in = req;
            }
        }
        int accept = in.valid && ready;
        pin.valid = 0; /* pin.seed stays: noise_source needs seed_i constant while in flight */
        if (accept) {
            int32_t z = lv_noise_z(req.seed, req.tick, req.unit);
            if (z < zmin) zmin = z;
            if (z > zmax) zmax = z;
            push(&f_it, (expect){z, req.side, j + latency - 1});
            push(&f_pp, (expect){z, req.side, j + PIPE_LATENCY - 1});
            if (j - last_accept == period) back_to_back++;
            if (mode == 2) gaps++;
            CHECK_MSG(j - last_accept >= period, "%s: accepted %ld cycles after the previous request", name,
                      j - last_accept);
            last_accept = j;
            accepted++;
            have_req = 0;
            pin = req;
        }
        nit_cycle(it, &in, &o_it);
        nit_cycle(pp, &pin, &o_pp);
        /* ready_o (for cycle j + 1) is low for exactly 10 S cycles after an accept. */
        int want_ready = j + 1 >= last_accept + period;
        CHECK_MSG(o_it.ready == want_ready, "%s: ready_o = %d at cycle %ld, %ld after an accept", name, o_it.ready,
                  j + 1, j + 1 - last_accept);
        bad_it += check_out(name, &o_it, &f_it, j, &seen_it);
        bad_pp += check_out("pipelined", &o_pp, &f_pp, j, &seen_pp);
        if (lv_t_fail > fail0 + 20) {
            fprintf(stderr, "%s: too many failures, stopping\n", name);
            break;
        }
    }
    CHECK_MSG(accepted == n_req && seen_it == n_req && seen_pp == n_req,
              "%s: %ld requests accepted, %ld / %ld results seen (iterative / pipelined) of %ld", name, accepted,
              seen_it, seen_pp, n_req);
    CHECK(bad_it == 0);
    CHECK(bad_pp == 0);
    CHECK(back_to_back > n_req / 10);
    printf("%-10s DigitW %2d: %ld requests in %ld cycles (%ld back to back at %ld cycles, %ld after idle gaps, "
           "%ld dropped junk requests), latency %ld, z in [%" PRId32 ", %" PRId32 "]; mismatches: %ld iterative, "
           "%ld pipelined\n",
           name, dw, accepted, j, back_to_back, period, gaps, junk, latency, zmin, zmax, bad_it, bad_pp);
    nit_destroy(it);
    nit_destroy(pp);
}

int main(int argc, char **argv)
{
    long n_req = argc > 1 ? atol(argv[1]) : 10000;
    uint64_t seed = argc > 2 ? strtoull(argv[2], NULL, 0) : 0x4E4F495349544552ull;
    if (n_req < 1) {
        fprintf(stderr, "usage: test_noise_iter [requests [rng seed]]\n");
        return 2;
    }
    int pipe_i = -1;
    for (int i = 0; i < nit_count(); ++i)
        if (nit_digit_w(i) == 0) pipe_i = i;
    if (pipe_i < 0) {
        fprintf(stderr, "test_noise_iter: no pipelined model\n");
        return 1;
    }
    for (int i = 0; i < nit_count(); ++i) {
        if (nit_digit_w(i) == 0) continue;
        run_model(i, pipe_i, n_req, seed + (uint64_t)i);
    }
    return lv_test_report("test_noise_iter");
}
