#include "model.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

lv_physics lv_physics_default(void)
{
    lv_physics p = {.nv = 784, .nh = 512, .vv = 0, .J2 = 1.0, .J4 = 1.0,
                    .mu = 1.0, .kT = 0.1, .dt = 1e-3, .tf = 2.5};
    return p;
}

lv_protocol lv_protocol_default(void)
{
    lv_protocol p = {.strength = 3.0, .hidden_strength = 3.0, .t_eq = 1.0};
    return p;
}

static int finite_pos(double v) { return isfinite(v) && v > 0.0; }

int lv_steps_for(double t, double dt, long *steps, lv_error *err)
{
    double k = t / dt;
    double kr = nearbyint(k);
    if (!isfinite(k) || kr < 0 || kr > 1e9)
        return lv_fail(err, "time %g with dt %g gives an unusable step count", t, dt);
    if (fabs(k - kr) > 1e-6 * (kr > 1 ? kr : 1))
        return lv_fail(err, "time %g is not an integer number of time steps dt = %g "
                            "(t/dt = %.6f); choose dt that divides it", t, dt, k);
    *steps = (long)kr;
    return 0;
}

int lv_physics_check(const lv_physics *ph, lv_error *err)
{
    if (ph->nv < 1 || ph->nv > 1 << 20)
        return lv_fail(err, "visible unit count nv = %d is out of range [1, 1048576]", ph->nv);
    if (ph->nh < 1 || ph->nh > 1 << 20)
        return lv_fail(err, "hidden unit count nh = %d is out of range [1, 1048576]", ph->nh);
    if (!finite_pos(ph->J2)) return lv_fail(err, "J2 = %g must be positive and finite (monostable units)", ph->J2);
    if (!finite_pos(ph->J4)) return lv_fail(err, "J4 = %g must be positive and finite (thermodynamic stability)", ph->J4);
    if (!finite_pos(ph->mu)) return lv_fail(err, "mobility mu = %g must be positive and finite", ph->mu);
    if (!finite_pos(ph->kT)) return lv_fail(err, "kT = %g must be positive and finite", ph->kT);
    if (!finite_pos(ph->dt)) return lv_fail(err, "time step dt = %g must be positive and finite", ph->dt);
    if (!finite_pos(ph->tf)) return lv_fail(err, "duration t_f = %g must be positive and finite", ph->tf);
    /* Euler on the quadratic part alone diverges once mu*dt*2*J2 >= 2 and is
     * useless well before; the quartic and coupling terms only stiffen it. */
    if (ph->mu * ph->dt * 2.0 * ph->J2 >= 0.5)
        return lv_fail(err, "time step dt = %g is unstable: mu*dt*2*J2 = %g must be well below 1 "
                            "(the quartic term and couplings make it stiffer still); reduce dt",
                       ph->dt, ph->mu * ph->dt * 2.0 * ph->J2);
    long k;
    if (lv_steps_for(ph->tf, ph->dt, &k, err)) return lv_fail_prefix(err, "t_f");
    if (k < 1) return lv_fail(err, "t_f = %g is shorter than one time step dt = %g", ph->tf, ph->dt);
    return 0;
}

int lv_protocol_check(const lv_protocol *pr, lv_error *err)
{
    if (!isfinite(pr->strength) || pr->strength < 0)
        return lv_fail(err, "digit strength %g must be finite and >= 0", pr->strength);
    if (!isfinite(pr->hidden_strength) || pr->hidden_strength < 0)
        return lv_fail(err, "hidden digit strength %g must be finite and >= 0", pr->hidden_strength);
    if (!isfinite(pr->t_eq) || pr->t_eq < 0)
        return lv_fail(err, "equilibration time t_eq = %g must be finite and >= 0", pr->t_eq);
    return 0;
}

int lv_params_alloc(lv_params *p, const lv_physics *ph, lv_error *err)
{
    size_t nv = (size_t)ph->nv, nh = (size_t)ph->nh;
    memset(p, 0, sizeof *p);
    p->Wvh = calloc(nv * nh, sizeof(double));
    p->Whh = calloc(nh * nh, sizeof(double));
    p->bv = calloc(nv, sizeof(double));
    p->bh = calloc(nh, sizeof(double));
    if (ph->vv) p->Wvv = calloc(nv * nv, sizeof(double));
    if (!p->Wvh || !p->Whh || !p->bv || !p->bh || (ph->vv && !p->Wvv)) {
        lv_params_free(p);
        return lv_fail(err, "out of memory allocating parameters for %d visible + %d hidden units",
                       ph->nv, ph->nh);
    }
    return 0;
}

void lv_params_free(lv_params *p)
{
    free(p->Wvh);
    free(p->Whh);
    free(p->Wvv);
    free(p->bv);
    free(p->bh);
    memset(p, 0, sizeof *p);
}

void lv_params_zero(lv_params *p, const lv_physics *ph)
{
    size_t nv = (size_t)ph->nv, nh = (size_t)ph->nh;
    memset(p->Wvh, 0, nv * nh * sizeof(double));
    memset(p->Whh, 0, nh * nh * sizeof(double));
    memset(p->bv, 0, nv * sizeof(double));
    memset(p->bh, 0, nh * sizeof(double));
    if (p->Wvv) memset(p->Wvv, 0, nv * nv * sizeof(double));
}

void lv_params_copy(lv_params *dst, const lv_params *src, const lv_physics *ph)
{
    size_t nv = (size_t)ph->nv, nh = (size_t)ph->nh;
    memcpy(dst->Wvh, src->Wvh, nv * nh * sizeof(double));
    memcpy(dst->Whh, src->Whh, nh * nh * sizeof(double));
    memcpy(dst->bv, src->bv, nv * sizeof(double));
    memcpy(dst->bh, src->bh, nh * sizeof(double));
    if (dst->Wvv && src->Wvv) memcpy(dst->Wvv, src->Wvv, nv * nv * sizeof(double));
}

int lv_model_init(lv_model *m, const lv_physics *ph, const lv_protocol *pr, lv_error *err)
{
    memset(m, 0, sizeof *m);
    if (lv_physics_check(ph, err) || lv_protocol_check(pr, err)) return -1;
    m->phys = *ph;
    m->proto = *pr;
    /* Square layers display as squares (784 -> 28x28); others as one row. */
    int side = 1;
    while ((side + 1) * (side + 1) <= ph->nv) side++;
    m->rows = side * side == ph->nv ? side : 1;
    m->cols = ph->nv / m->rows;
    return lv_params_alloc(&m->p, ph, err);
}

void lv_model_free(lv_model *m)
{
    lv_params_free(&m->p);
    free(m->digits);
    free(m->digit_labels);
    free(m->digit_index);
    memset(m, 0, sizeof *m);
}

int lv_model_set_digits(lv_model *m, int n, const double *digits, const int32_t *labels,
                        const int32_t *index, lv_error *err)
{
    size_t nv = (size_t)m->phys.nv;
    free(m->digits);
    free(m->digit_labels);
    free(m->digit_index);
    m->digits = NULL;
    m->digit_labels = m->digit_index = NULL;
    m->ndigits = 0;
    if (n <= 0) return 0;
    m->digits = malloc((size_t)n * nv * sizeof(double));
    m->digit_labels = malloc((size_t)n * sizeof(int32_t));
    m->digit_index = malloc((size_t)n * sizeof(int32_t));
    if (!m->digits || !m->digit_labels || !m->digit_index)
        return lv_fail(err, "out of memory storing %d training digits", n);
    memcpy(m->digits, digits, (size_t)n * nv * sizeof(double));
    for (int i = 0; i < n; ++i) {
        m->digit_labels[i] = labels ? labels[i] : -1;
        m->digit_index[i] = index ? index[i] : -1;
    }
    m->ndigits = n;
    return 0;
}

static int check_finite(const double *a, size_t n, const char *what, lv_error *err)
{
    for (size_t i = 0; i < n; ++i)
        if (!isfinite(a[i]))
            return lv_fail(err, "%s[%zu] = %g is not finite (NaN or infinite weights)", what, i, a[i]);
    return 0;
}

static int check_symmetric(const double *W, size_t n, const char *what, lv_error *err)
{
    for (size_t i = 0; i < n; ++i) {
        if (W[i * n + i] != 0.0)
            return lv_fail(err, "%s has a self-coupling %s[%zu][%zu] = %g; units have no self-coupling",
                           what, what, i, i, W[i * n + i]);
        for (size_t j = i + 1; j < n; ++j)
            if (W[i * n + j] != W[j * n + i])
                return lv_fail(err, "%s is not symmetric: [%zu][%zu] = %g but [%zu][%zu] = %g", what,
                               i, j, W[i * n + j], j, i, W[j * n + i]);
    }
    return 0;
}

int lv_model_validate(const lv_model *m, lv_error *err)
{
    const lv_physics *ph = &m->phys;
    size_t nv = (size_t)ph->nv, nh = (size_t)ph->nh;
    if (lv_physics_check(ph, err) || lv_protocol_check(&m->proto, err)) return -1;
    if (check_finite(m->p.Wvh, nv * nh, "Wvh", err) || check_finite(m->p.Whh, nh * nh, "Whh", err) ||
        check_finite(m->p.bv, nv, "bv", err) || check_finite(m->p.bh, nh, "bh", err))
        return -1;
    if (check_symmetric(m->p.Whh, nh, "Whh", err)) return -1;
    if (ph->vv) {
        if (!m->p.Wvv) return lv_fail(err, "visible-visible couplings are enabled but Wvv is missing");
        if (check_finite(m->p.Wvv, nv * nv, "Wvv", err) || check_symmetric(m->p.Wvv, nv, "Wvv", err))
            return -1;
    }
    if (m->rows < 1 || m->cols < 1 || (long)m->rows * m->cols != ph->nv)
        return lv_fail(err, "display shape %dx%d does not hold nv = %d visible units", m->rows, m->cols, ph->nv);
    if (m->ndigits > 0 && check_finite(m->digits, (size_t)m->ndigits * nv, "training digits", err))
        return -1;
    return 0;
}

size_t lv_coupling_count(const lv_physics *ph)
{
    size_t nv = (size_t)ph->nv, nh = (size_t)ph->nh;
    size_t c = nv * nh + nh * (nh - 1) / 2;
    if (ph->vv) c += nv * (nv - 1) / 2;
    return c;
}
