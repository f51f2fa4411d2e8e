#pragma once
// iaf_cond_exp and iaf_cond_alpha: leaky integrate-and-fire neurons with conductance-based
// synapses (NEST's models of the same names: parameter names, units and defaults; Meffin,
// Burkitt & Grayden 2004, J Comput Neurosci 16:159-175, for the exponential one, as
// used in Vogels & Abbott 2005).
//
//   C_m dV/dt = -g_L (V - E_L) - g_ex (V - E_ex) - g_in (V - E_in) + I_e + I_stim
//   exp:    dg_X/dt = -g_X/tau_syn_X                        spike of weight w: g_X += |w|
//   alpha:  dg_X/dt = dg_X - g_X/tau_syn_X,
//           d(dg_X)/dt = -dg_X/tau_syn_X                    spike of weight w: dg_X += |w| e/tau_syn_X
//   V >= V_th at the end of a step -> spike; V = V_reset and held there for t_ref
//
// Weights are conductances in nS; positive ones excite (E_ex), negative ones inhibit
// (E_in, with conductance |w|). The conductances follow their closed form; V has none.
// Each step integrates V with one Dormand-Prince 5(4) step, the conductances taken exactly
// at the stages, for all neurons in one vectorised loop. A neuron whose error estimate
// exceeds the tolerance (absolute 1e-6 mV, relative 1e-9 — tighter than NEST's RKF45 at
// 1e-3 absolute, so that the result is the ODE's to ~1e-6 mV) is redone in 2, 4, ..., 64
// sub-steps until each passes, and beyond that with Boost.Odeint's adaptive stepper
// (models/ode.hpp), so every step is error-controlled as NEST's GSL stepper would be.
// Order in a step (as NEST): integrate over the step with the conductances at its start;
// if refractory, count down and hold V at V_reset, else check the threshold; then add the
// spikes arriving at the step's end.
#include <myelin/core/clones.hpp>
#include <myelin/models/ode.hpp>
#include <myelin/models/checks.hpp>
#include <myelin/simulator/model.hpp>

#include <fmt/format.h>

#include <array>
#include <cmath>
#include <cstdint>
#include <optional>
#include <utility>
#include <vector>

namespace myelin::models {

namespace detail {

struct cond_params {
    double V_th_mV = -55.0, V_reset_mV = -60.0, t_ref_ms = 2.0, g_L_nS = 16.6667, C_m_pF = 250.0;
    double E_ex_mV = 0.0, E_in_mV = -85.0, E_L_mV = -70.0, tau_syn_ex_ms = 0.2, tau_syn_in_ms = 2.0, I_e_pA = 0.0;
};

inline constexpr param_field<cond_params> cond_param_table[] = {
    {"V_th", &cond_params::V_th_mV, "mV", constraint::finite, "spike threshold"},
    {"V_reset", &cond_params::V_reset_mV, "mV", constraint::finite, "reset potential"},
    {"t_ref", &cond_params::t_ref_ms, "ms", constraint::nonnegative, "absolute refractory period"},
    {"g_L", &cond_params::g_L_nS, "nS", constraint::positive, "leak conductance"},
    {"C_m", &cond_params::C_m_pF, "pF", constraint::positive, "membrane capacitance"},
    {"E_ex", &cond_params::E_ex_mV, "mV", constraint::finite, "excitatory reversal potential"},
    {"E_in", &cond_params::E_in_mV, "mV", constraint::finite, "inhibitory reversal potential"},
    {"E_L", &cond_params::E_L_mV, "mV", constraint::finite, "leak reversal (resting) potential"},
    {"tau_syn_ex", &cond_params::tau_syn_ex_ms, "ms", constraint::positive, "excitatory synaptic time constant"},
    {"tau_syn_in", &cond_params::tau_syn_in_ms, "ms", constraint::positive, "inhibitory synaptic time constant"},
    {"I_e", &cond_params::I_e_pA, "pA", constraint::finite, "constant external current"},
};

inline std::optional<param_problem> check_cond(const cond_params& p) {
    return check_reset(p.V_reset_mV, p.V_th_mV);
}

// What the right-hand side needs besides the state.
struct cond_context {
    const cond_params* p;
    double I_stim_pA;
};

inline double cond_dV(const cond_params& p, double V, double g_ex, double g_in, double I_stim) {
    return (-p.g_L_nS * (V - p.E_L_mV) - g_ex * (V - p.E_ex_mV) - g_in * (V - p.E_in_mV) + p.I_e_pA + I_stim) /
           p.C_m_pF;
}

inline constexpr ode::tolerance cond_tolerance{1e-6, 1e-9};

// The Dormand-Prince 5(4) pair (Dormand & Prince 1980, J Comput Appl Math 6:19), as in
// Boost.Odeint's runge_kutta_dopri5: stage times, stage weights, the fifth-order weights
// b and the error weights e = b - b* (b*: the embedded fourth order; the seventh stage is
// the derivative at the new point).
namespace dp5 {
inline constexpr double c[7] = {0.0, 1.0 / 5, 3.0 / 10, 4.0 / 5, 8.0 / 9, 1.0, 1.0};
inline constexpr double a21 = 1.0 / 5;
inline constexpr double a31 = 3.0 / 40, a32 = 9.0 / 40;
inline constexpr double a41 = 44.0 / 45, a42 = -56.0 / 15, a43 = 32.0 / 9;
inline constexpr double a51 = 19372.0 / 6561, a52 = -25360.0 / 2187, a53 = 64448.0 / 6561, a54 = -212.0 / 729;
inline constexpr double a61 = 9017.0 / 3168, a62 = -355.0 / 33, a63 = 46732.0 / 5247, a64 = 49.0 / 176,
                        a65 = -5103.0 / 18656;
inline constexpr double b1 = 35.0 / 384, b3 = 500.0 / 1113, b4 = 125.0 / 192, b5 = -2187.0 / 6784, b6 = 11.0 / 84;
inline constexpr double e1 = b1 - 5179.0 / 57600, e3 = b3 - 7571.0 / 16695, e4 = b4 - 393.0 / 640,
                        e5 = b5 + 92097.0 / 339200, e6 = b6 - 187.0 / 2100, e7 = -1.0 / 40;
}  // namespace dp5

// One Dormand-Prince step of h for V of every neuron, the conductances taken exactly at
// the seven stages (stages 6 and 7 are both at the step's end): g(t) = (g0 + dg0 t)
// exp(-t/tau) (dg0 = 0 for exponential conductances). Writes V(h) and the error
// estimate's size relative to cond_tolerance (<= 1: accepted). The neurons are
// independent and the loop has no branch, so the compiler vectorises it and the CPU
// overlaps neurons (one step alone is a chain of dependent stages). Compiled twice, for
// AVX2 and for any x86-64, the one to run chosen at load time: the same IEEE operations
// lane by lane (no FMA: -ffp-contract=off), so the same results on every machine.
struct cond_stages {
    double t[7], decay_ex[7], decay_in[7];  // c_s h, exp(-c_s h / tau_syn)
    cond_stages(const cond_params& p, double h) {
        for (int st = 0; st < 7; ++st) {
            t[st] = dp5::c[st] * h;
            decay_ex[st] = std::exp(-t[st] / p.tau_syn_ex_ms);
            decay_in[st] = std::exp(-t[st] / p.tau_syn_in_ms);
        }
    }
};

template <bool alpha>
MYELIN_X86_CLONES void cond_dp5(const cond_params& p, const cond_stages& k, double h, std::size_t n, const double* __restrict V_in,
              const double* __restrict g_ex, const double* __restrict dg_ex, const double* __restrict g_in,
              const double* __restrict dg_in, const double* __restrict I, double* __restrict V_out,
              double* __restrict error) {
    using namespace dp5;
    const double inv_C = 1.0 / p.C_m_pF, base = p.g_L_nS * p.E_L_mV + p.I_e_pA;
    const double E_ex = p.E_ex_mV, E_in = p.E_in_mV, g_L = p.g_L_nS;
    const cond_stages q = k;  // local: the compiler keeps the constants in registers
#pragma omp simd
    for (std::size_t i = 0; i < n; ++i) {
        const double V = V_in[i], I_all = base + I[i];
        const double gx = g_ex[i], gi = g_in[i];
        const double dgx = alpha ? dg_ex[i] : 0.0, dgi = alpha ? dg_in[i] : 0.0;
        // dV/dt at stage st for membrane potential v
#define MYELIN_COND_RATE(st, v)                                                                              \
    ((I_all + (gx + dgx * q.t[st]) * q.decay_ex[st] * E_ex + (gi + dgi * q.t[st]) * q.decay_in[st] * E_in -   \
      (g_L + (gx + dgx * q.t[st]) * q.decay_ex[st] + (gi + dgi * q.t[st]) * q.decay_in[st]) * (v)) *         \
     inv_C)
        const double k1 = MYELIN_COND_RATE(0, V);
        const double k2 = MYELIN_COND_RATE(1, V + h * a21 * k1);
        const double k3 = MYELIN_COND_RATE(2, V + h * (a31 * k1 + a32 * k2));
        const double k4 = MYELIN_COND_RATE(3, V + h * (a41 * k1 + a42 * k2 + a43 * k3));
        const double k5 = MYELIN_COND_RATE(4, V + h * (a51 * k1 + a52 * k2 + a53 * k3 + a54 * k4));
        const double k6 = MYELIN_COND_RATE(5, V + h * (a61 * k1 + a62 * k2 + a63 * k3 + a64 * k4 + a65 * k5));
        const double V1 = V + h * (b1 * k1 + b3 * k3 + b4 * k4 + b5 * k5 + b6 * k6);
        const double k7 = MYELIN_COND_RATE(6, V1);
#undef MYELIN_COND_RATE
        const double err = h * (e1 * k1 + e3 * k3 + e4 * k4 + e5 * k5 + e6 * k6 + e7 * k7);
        V_out[i] = V1;
        error[i] = std::abs(err) / (cond_tolerance.absolute + cond_tolerance.relative * std::abs(V1));
    }
}

// A step whose single Dormand-Prince step failed the tolerance, again in 2, 4, ..., 64
// sub-steps (levels[L]: the stages of h / 2^(L+1)) until every sub-step passes. Returns
// false if none does (then the caller uses Odeint's adaptive stepper).
template <bool alpha>
bool cond_substeps(const cond_params& p, const std::vector<cond_stages>& levels, double h, double V0, double gx,
                   double dgx, double gi, double dgi, double I, double& V) {
    for (std::size_t L = 0; L < levels.size(); ++L) {
        const std::size_t m = std::size_t{2} << L;
        const double dt = h / static_cast<double>(m);
        const cond_stages& q = levels[L];
        double v = V0, ge = gx, dge = dgx, g_i = gi, dg_i = dgi;
        bool ok = true;
        for (std::size_t j = 0; j < m && ok; ++j) {
            double next = 0.0, error = 0.0;
            cond_dp5<alpha>(p, q, dt, 1, &v, &ge, &dge, &g_i, &dg_i, &I, &next, &error);
            ok = error <= 1.0;
            v = next;
            ge = (ge + dge * dt) * q.decay_ex[6];
            g_i = (g_i + dg_i * dt) * q.decay_in[6];
            dge *= q.decay_ex[6];
            dg_i *= q.decay_in[6];
        }
        if (ok) {
            V = v;
            return true;
        }
    }
    return false;
}

inline std::vector<cond_stages> cond_levels(const cond_params& p, double h) {
    std::vector<cond_stages> out;
    for (int L = 1; L <= 6; ++L) out.emplace_back(p, h / static_cast<double>(1 << L));
    return out;
}

// After a step's integration: count down and hold V at V_reset while refractory, else
// spike at V >= V_th. Returns the new V.
inline double cond_threshold(const cond_params& p, double V, std::int32_t& refractory, std::int32_t t_ref_steps,
                             spike_sink& out, std::size_t i) {
    if (refractory > 0) {
        --refractory;
        return p.V_reset_mV;
    }
    if (V >= p.V_th_mV) {
        refractory = t_ref_steps;
        out.emit(i);
        return p.V_reset_mV;
    }
    return V;
}

}  // namespace detail

struct iaf_cond_exp {
    static constexpr std::string_view name = "iaf_cond_exp";
    static constexpr std::string_view summary = "LIF, exponential conductance synapses, adaptive Dormand-Prince";
    static constexpr std::string_view weight_unit = "nS";

    using params = detail::cond_params;
    static constexpr auto& param_table = detail::cond_param_table;

    struct state {
        std::vector<double> V_m_mV, g_ex_nS, g_in_nS;
        std::vector<std::int32_t> refractory_steps;
        std::vector<double> V_next, error;  // scratch of a step
    };
    static constexpr state_field<state> state_table[] = {
        {"V_m", &state::V_m_mV, "mV", "membrane potential (initially E_L)"},
        {"g_ex", &state::g_ex_nS, "nS", "excitatory conductance"},
        {"g_in", &state::g_in_nS, "nS", "inhibitory conductance"},
    };
    static constexpr counter_field<state> counter_table[] = {{"refractory_steps", &state::refractory_steps}};

    struct propagators {
        double h_ms;
        std::int32_t t_ref_steps;
        detail::cond_stages stages;
        std::vector<detail::cond_stages> levels;  // for steps that need sub-steps
    };

    static std::optional<param_problem> check(const params& p, double) { return detail::check_cond(p); }
    static propagators prepare(const params& p, double h) {
        return {h, static_cast<std::int32_t>(std::lround(p.t_ref_ms / h)), detail::cond_stages(p, h),
                detail::cond_levels(p, h)};
    }
    static void resize(const params& p, state& s, std::size_t n) {
        s.V_m_mV.assign(n, p.E_L_mV);
        s.g_ex_nS.assign(n, 0.0);
        s.g_in_nS.assign(n, 0.0);
        s.refractory_steps.assign(n, 0);
    }

    // y = (V, g_ex, g_in)
    static void rhs(const std::array<double, 3>& y, std::array<double, 3>& f, const void* context) {
        const auto& c = *static_cast<const detail::cond_context*>(context);
        f[0] = detail::cond_dV(*c.p, y[0], y[1], y[2], c.I_stim_pA);
        f[1] = -y[1] / c.p->tau_syn_ex_ms;
        f[2] = -y[2] / c.p->tau_syn_in_ms;
    }

    static void step(const params& p, const propagators& k, state& s, const neuron_input& in, spike_sink& out) {
        const std::size_t n = s.V_m_mV.size();
        s.V_next.resize(n);
        s.error.resize(n);
        detail::cond_dp5<false>(p, k.stages, k.h_ms, n, s.V_m_mV.data(), s.g_ex_nS.data(), nullptr, s.g_in_nS.data(),
                                nullptr, in.current_pA, s.V_next.data(), s.error.data());
        for (std::size_t i = 0; i < n; ++i) {
            double V = s.V_next[i];
            if (!(s.error[i] <= 1.0) &&
                !detail::cond_substeps<false>(p, k.levels, k.h_ms, s.V_m_mV[i], s.g_ex_nS[i], 0.0, s.g_in_nS[i], 0.0,
                                              in.current_pA[i], V)) {
                std::array<double, 3> y{s.V_m_mV[i], s.g_ex_nS[i], s.g_in_nS[i]};
                const detail::cond_context c{&p, in.current_pA[i]};
                ode::integrate(y, k.h_ms, detail::cond_tolerance,
                               [&](const std::array<double, 3>& x, std::array<double, 3>& f) { rhs(x, f, &c); });
                V = y[0];
            }
            s.V_m_mV[i] = detail::cond_threshold(p, V, s.refractory_steps[i], k.t_ref_steps, out, i);
            s.g_ex_nS[i] = s.g_ex_nS[i] * k.stages.decay_ex[6] + in.excitatory[i];
            s.g_in_nS[i] = s.g_in_nS[i] * k.stages.decay_in[6] - in.inhibitory[i];  // inhibitory weights are negative
        }
    }
};

struct iaf_cond_alpha {
    static constexpr std::string_view name = "iaf_cond_alpha";
    static constexpr std::string_view summary = "LIF, alpha-shaped conductance synapses, adaptive Dormand-Prince";
    static constexpr std::string_view weight_unit = "nS";

    using params = detail::cond_params;
    static constexpr auto& param_table = detail::cond_param_table;

    struct state {
        std::vector<double> V_m_mV, g_ex_nS, dg_ex, g_in_nS, dg_in;
        std::vector<std::int32_t> refractory_steps;
        std::vector<double> V_next, error;  // scratch of a step
    };
    static constexpr state_field<state> state_table[] = {
        {"V_m", &state::V_m_mV, "mV", "membrane potential (initially E_L)"},
        {"g_ex", &state::g_ex_nS, "nS", "excitatory conductance"},
        {"dg_ex", &state::dg_ex, "nS/ms", "derivative of the excitatory conductance"},
        {"g_in", &state::g_in_nS, "nS", "inhibitory conductance"},
        {"dg_in", &state::dg_in, "nS/ms", "derivative of the inhibitory conductance"},
    };
    static constexpr counter_field<state> counter_table[] = {{"refractory_steps", &state::refractory_steps}};

    struct propagators {
        double h_ms, jump_ex, jump_in;  // e/tau_syn: dg per nS of weight
        std::int32_t t_ref_steps;
        detail::cond_stages stages;
        std::vector<detail::cond_stages> levels;  // for steps that need sub-steps
    };

    static std::optional<param_problem> check(const params& p, double) { return detail::check_cond(p); }
    static propagators prepare(const params& p, double h) {
        return {h, std::exp(1.0) / p.tau_syn_ex_ms, std::exp(1.0) / p.tau_syn_in_ms,
                static_cast<std::int32_t>(std::lround(p.t_ref_ms / h)), detail::cond_stages(p, h),
                detail::cond_levels(p, h)};
    }
    static void resize(const params& p, state& s, std::size_t n) {
        s.V_m_mV.assign(n, p.E_L_mV);
        for (auto* v : {&s.g_ex_nS, &s.dg_ex, &s.g_in_nS, &s.dg_in}) v->assign(n, 0.0);
        s.refractory_steps.assign(n, 0);
    }

    // y = (V, g_ex, dg_ex, g_in, dg_in)
    static void rhs(const std::array<double, 5>& y, std::array<double, 5>& f, const void* context) {
        const auto& c = *static_cast<const detail::cond_context*>(context);
        f[0] = detail::cond_dV(*c.p, y[0], y[1], y[3], c.I_stim_pA);
        f[1] = y[2] - y[1] / c.p->tau_syn_ex_ms;
        f[2] = -y[2] / c.p->tau_syn_ex_ms;
        f[3] = y[4] - y[3] / c.p->tau_syn_in_ms;
        f[4] = -y[4] / c.p->tau_syn_in_ms;
    }

    static void step(const params& p, const propagators& k, state& s, const neuron_input& in, spike_sink& out) {
        const std::size_t n = s.V_m_mV.size();
        s.V_next.resize(n);
        s.error.resize(n);
        detail::cond_dp5<true>(p, k.stages, k.h_ms, n, s.V_m_mV.data(), s.g_ex_nS.data(), s.dg_ex.data(),
                               s.g_in_nS.data(), s.dg_in.data(), in.current_pA, s.V_next.data(), s.error.data());
        for (std::size_t i = 0; i < n; ++i) {
            double V = s.V_next[i];
            if (!(s.error[i] <= 1.0) &&
                !detail::cond_substeps<true>(p, k.levels, k.h_ms, s.V_m_mV[i], s.g_ex_nS[i], s.dg_ex[i], s.g_in_nS[i],
                                             s.dg_in[i], in.current_pA[i], V)) {
                std::array<double, 5> y{s.V_m_mV[i], s.g_ex_nS[i], s.dg_ex[i], s.g_in_nS[i], s.dg_in[i]};
                const detail::cond_context c{&p, in.current_pA[i]};
                ode::integrate(y, k.h_ms, detail::cond_tolerance,
                               [&](const std::array<double, 5>& x, std::array<double, 5>& f) { rhs(x, f, &c); });
                V = y[0];
            }
            s.V_m_mV[i] = detail::cond_threshold(p, V, s.refractory_steps[i], k.t_ref_steps, out, i);
            s.g_ex_nS[i] = (s.g_ex_nS[i] + s.dg_ex[i] * k.h_ms) * k.stages.decay_ex[6];
            s.dg_ex[i] = s.dg_ex[i] * k.stages.decay_ex[6] + in.excitatory[i] * k.jump_ex;
            s.g_in_nS[i] = (s.g_in_nS[i] + s.dg_in[i] * k.h_ms) * k.stages.decay_in[6];
            s.dg_in[i] = s.dg_in[i] * k.stages.decay_in[6] - in.inhibitory[i] * k.jump_in;
        }
    }
};

}  // namespace myelin::models
