#pragma once
// iaf_psc_alpha: leaky integrate-and-fire neuron with alpha-shaped current synapses
// (NEST's model of the same name: parameter names, units and defaults).
//
//   dV/dt       = -(V - E_L)/tau_m + (I_syn_ex + I_syn_in + I_e + I_stim)/C_m
//   dI_X/dt     = dI_X - I_X/tau_syn_X
//   d(dI_X)/dt  = -dI_X/tau_syn_X        spike of weight w: dI_X += w e/tau_syn_X   (X = ex, in)
//   V >= V_th   ->  spike; V = V_reset, held there for t_ref;  V >= V_min always
//
// A spike of weight w gives the current w (t/tau_s) e^(1 - t/tau_s): it peaks at w (pA)
// at t = tau_s. Ports "excitatory" and "inhibitory"; the sign picks one unless named.
// Exact integration over one step h (Rotter & Diesmann 1999, Biol Cybern 81:381-402),
// with a = 1/tau_syn, b = 1/tau_m, c = b - a:
//   dI(t+h) = dI P11,  I(t+h) = I P22 + dI P21,  P11 = P22 = e^(-ah),  P21 = h e^(-ah)
//   V(t+h)  = E_L + (V - E_L) P33 + I P32 + dI P31 + (I_e + I_stim) P30
//   P33 = e^(-bh),  P30 = tau_m/C_m (1 - P33)
//   P32 = (e^(-ah) - e^(-bh)) / (C_m c)          = h/C_m e^(-ah) (-expm1(-ch)/(ch))
//   P31 = ((e^(-bh) - e^(-ah))/c^2 + h e^(-ah)/c) / C_m = h^2/C_m e^(-ah) (expm1(-ch) + ch)/(ch)^2
// Both are evaluated in the expm1 forms, with their series where ch is tiny, so that
// tau_syn = tau_m is no singularity (limits h e^(-ah)/C_m and h^2 e^(-ah)/(2 C_m)).
// Order in a step (as NEST): V uses the currents at the step's start; then the currents
// advance and take the arriving spikes; then the threshold is checked.
#include <myelin/models/iaf_psc_exp.hpp>
#include <myelin/models/checks.hpp>
#include <myelin/simulator/model.hpp>

#include <fmt/format.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <optional>

namespace myelin::models {

// P32 and P31 of the alpha kernel (see above).
inline double psc_alpha_P32(double h_ms, double tau_m_ms, double tau_syn_ms, double C_m_pF) {
    return psc_exp_to_V(h_ms, tau_m_ms, tau_syn_ms, C_m_pF);  // the same expression as iaf_psc_exp's P21
}
inline double psc_alpha_P31(double h_ms, double tau_m_ms, double tau_syn_ms, double C_m_pF) {
    const double x = h_ms * (1.0 / tau_m_ms - 1.0 / tau_syn_ms);  // ch
    // (expm1(-x) + x)/x^2 = 1/2 - x/6 + x^2/24 - x^3/120 + ...; the direct form loses
    // digits to cancellation for small x.
    const double ratio = std::abs(x) < 1e-3 ? 0.5 - x / 6.0 + x * x / 24.0 - x * x * x / 120.0
                                            : (std::expm1(-x) + x) / (x * x);
    return h_ms * h_ms / C_m_pF * std::exp(-h_ms / tau_syn_ms) * ratio;
}

struct iaf_psc_alpha {
    static constexpr std::string_view name = "iaf_psc_alpha";
    static constexpr std::string_view summary = "LIF, alpha-shaped current synapses, exact integration";
    static constexpr std::string_view weight_unit = "pA";

    struct params {
        double E_L_mV = -70.0, C_m_pF = 250.0, tau_m_ms = 10.0, t_ref_ms = 2.0;
        double V_th_mV = -55.0, V_reset_mV = -70.0, V_min_mV = -std::numeric_limits<double>::infinity();
        double tau_syn_ex_ms = 2.0, tau_syn_in_ms = 2.0, I_e_pA = 0.0;
    };
    static constexpr param_field<params> param_table[] = {
        {"E_L", &params::E_L_mV, "mV", constraint::finite, "resting potential"},
        {"C_m", &params::C_m_pF, "pF", constraint::positive, "membrane capacitance"},
        {"tau_m", &params::tau_m_ms, "ms", constraint::positive, "membrane time constant"},
        {"t_ref", &params::t_ref_ms, "ms", constraint::nonnegative, "absolute refractory period"},
        {"V_th", &params::V_th_mV, "mV", constraint::finite, "spike threshold"},
        {"V_reset", &params::V_reset_mV, "mV", constraint::finite, "reset potential"},
        {"V_min", &params::V_min_mV, "mV", constraint::any, "lower bound of V (-inf: none)"},
        {"tau_syn_ex", &params::tau_syn_ex_ms, "ms", constraint::positive, "excitatory synaptic rise time"},
        {"tau_syn_in", &params::tau_syn_in_ms, "ms", constraint::positive, "inhibitory synaptic rise time"},
        {"I_e", &params::I_e_pA, "pA", constraint::finite, "constant external current"},
    };

    struct state {
        std::vector<double> V_m_mV, I_syn_ex_pA, I_syn_in_pA, dI_syn_ex, dI_syn_in;
        std::vector<std::int32_t> refractory_steps;
    };
    static constexpr state_field<state> state_table[] = {
        {"V_m", &state::V_m_mV, "mV", "membrane potential (initially E_L)"},
        {"I_syn_ex", &state::I_syn_ex_pA, "pA", "excitatory synaptic current"},
        {"I_syn_in", &state::I_syn_in_pA, "pA", "inhibitory synaptic current"},
        {"dI_syn_ex", &state::dI_syn_ex, "pA/ms", "derivative of the excitatory current"},
        {"dI_syn_in", &state::dI_syn_in, "pA/ms", "derivative of the inhibitory current"},
    };
    static constexpr counter_field<state> counter_table[] = {{"refractory_steps", &state::refractory_steps}};

    struct propagators {
        double P33, P30, P11_ex, P21_ex, P31_ex, P32_ex, P11_in, P21_in, P31_in, P32_in;
        double jump_ex, jump_in;  // e/tau_syn: dI per pA of weight
        std::int32_t t_ref_steps;
    };

    static std::optional<param_problem> check(const params& p, double) {
        return check_reset(p.V_reset_mV, p.V_th_mV, p.V_min_mV);
    }

    static propagators prepare(const params& p, double h) {
        const double e = std::exp(1.0);
        return {std::exp(-h / p.tau_m_ms),
                -p.tau_m_ms / p.C_m_pF * std::expm1(-h / p.tau_m_ms),
                std::exp(-h / p.tau_syn_ex_ms),
                h * std::exp(-h / p.tau_syn_ex_ms),
                psc_alpha_P31(h, p.tau_m_ms, p.tau_syn_ex_ms, p.C_m_pF),
                psc_alpha_P32(h, p.tau_m_ms, p.tau_syn_ex_ms, p.C_m_pF),
                std::exp(-h / p.tau_syn_in_ms),
                h * std::exp(-h / p.tau_syn_in_ms),
                psc_alpha_P31(h, p.tau_m_ms, p.tau_syn_in_ms, p.C_m_pF),
                psc_alpha_P32(h, p.tau_m_ms, p.tau_syn_in_ms, p.C_m_pF),
                e / p.tau_syn_ex_ms,
                e / p.tau_syn_in_ms,
                static_cast<std::int32_t>(std::lround(p.t_ref_ms / h))};
    }

    static void resize(const params& p, state& s, std::size_t n) {
        s.V_m_mV.assign(n, p.E_L_mV);
        for (auto* v : {&s.I_syn_ex_pA, &s.I_syn_in_pA, &s.dI_syn_ex, &s.dI_syn_in}) v->assign(n, 0.0);
        s.refractory_steps.assign(n, 0);
    }

    static void step(const params& p, const propagators& k, state& s, const neuron_input& in, spike_sink& out) {
        const std::size_t n = s.V_m_mV.size();
        double* __restrict V = s.V_m_mV.data();
        double* __restrict I_ex = s.I_syn_ex_pA.data();
        double* __restrict I_in = s.I_syn_in_pA.data();
        double* __restrict dI_ex = s.dI_syn_ex.data();
        double* __restrict dI_in = s.dI_syn_in.data();
        std::int32_t* __restrict ref = s.refractory_steps.data();
        const double* __restrict ex = in.excitatory;
        const double* __restrict inh = in.inhibitory;
        const double* __restrict cur = in.current_pA;
        const propagators c = k;  // a copy: stores through the state cannot change it
        const double E_L = p.E_L_mV, I_e = p.I_e_pA, V_min = p.V_min_mV;
        for (std::size_t i = 0; i < n; ++i) {
            double V_free = E_L + (V[i] - E_L) * c.P33 + I_ex[i] * c.P32_ex + dI_ex[i] * c.P31_ex + I_in[i] * c.P32_in +
                            dI_in[i] * c.P31_in + (I_e + cur[i]) * c.P30;
            V_free = V_free < V_min ? V_min : V_free;
            const bool active = ref[i] == 0;
            V[i] = active ? V_free : V[i];
            ref[i] = active ? 0 : ref[i] - 1;
            I_ex[i] = I_ex[i] * c.P11_ex + dI_ex[i] * c.P21_ex;
            dI_ex[i] = dI_ex[i] * c.P11_ex + ex[i] * c.jump_ex;
            I_in[i] = I_in[i] * c.P11_in + dI_in[i] * c.P21_in;
            dI_in[i] = dI_in[i] * c.P11_in + inh[i] * c.jump_in;
        }
        fire_and_reset(n, V, ref, p.V_th_mV, p.V_reset_mV, c.t_ref_steps, out);
    }
};

}  // namespace myelin::models
