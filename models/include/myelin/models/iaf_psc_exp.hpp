#pragma once
// iaf_psc_exp: leaky integrate-and-fire neuron with exponentially decaying current synapses
// (NEST's model of the same name: parameter names, units and defaults).
//
//   dV/dt      = -(V - E_L)/tau_m + (I_syn_ex + I_syn_in + I_e + I_stim)/C_m
//   dI_syn_X/dt = -I_syn_X/tau_syn_X          spike of weight w: I_syn_X += w   (pA)
//   V >= V_th  ->  spike; V = V_reset, held there for t_ref
//
// Input ports "excitatory" and "inhibitory": without a port named, the weight's sign picks it (w >= 0: ex).
// Exact integration over one step h (Rotter & Diesmann 1999, Biol Cybern 81:381-402):
//   V(t+h)     = E_L + (V - E_L) P22 + I_ex P21_ex + I_in P21_in + (I_e + I_stim) P20
//   I_X(t+h)   = I_X P11_X + (weights arriving at t+h)
// with P22 = exp(-h/tau_m), P11_X = exp(-h/tau_syn_X), P20 = tau_m/C_m (1 - P22),
// P21_X = (1/C_m) exp(-h/tau_m) (1 - exp(-h d)) / d,  d = 1/tau_syn_X - 1/tau_m,
// which tends to h/C_m exp(-h/tau_m) as tau_syn_X -> tau_m: no singularity (see
// docs/dev/numerics.md). I_stim (stimulus devices) is constant over a step.
// Order in a step (as NEST): V uses the currents at the step's start; then the currents
// decay and take the arriving spikes; then the threshold is checked.
#include <myelin/models/checks.hpp>
#include <myelin/simulator/model.hpp>

#include <fmt/format.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <optional>

namespace myelin::models {

// h/C * exp(-h/tau_m) * (1 - exp(-h d)) / (h d), evaluated without cancellation.
inline double psc_exp_to_V(double h_ms, double tau_m_ms, double tau_syn_ms, double C_m_pF) {
    const double d = 1.0 / tau_syn_ms - 1.0 / tau_m_ms;
    const double x = h_ms * d;
    const double ratio = std::abs(x) < 1e-12 ? 1.0 - 0.5 * x : -std::expm1(-x) / x;
    return h_ms / C_m_pF * std::exp(-h_ms / tau_m_ms) * ratio;
}

// The end of an integrate-and-fire step: neurons at or above V_th spike, are reset and
// start their refractory count (a pass of its own, after the branch-free update).
inline void fire_and_reset(std::size_t n, double* __restrict V, std::int32_t* __restrict ref, double V_th,
                           double V_reset, std::int32_t t_ref_steps, spike_sink& out) {
    for (std::size_t i = 0; i < n; ++i)
        if (V[i] >= V_th) {
            out.emit(i);
            V[i] = V_reset;
            ref[i] = t_ref_steps;
        }
}

struct iaf_psc_exp {
    static constexpr std::string_view name = "iaf_psc_exp";
    static constexpr std::string_view summary = "LIF, exponential current synapses, exact integration";
    static constexpr std::string_view weight_unit = "pA";

    struct params {
        double E_L_mV = -70.0, C_m_pF = 250.0, tau_m_ms = 10.0, t_ref_ms = 2.0;
        double V_th_mV = -55.0, V_reset_mV = -70.0;
        double tau_syn_ex_ms = 2.0, tau_syn_in_ms = 2.0, I_e_pA = 0.0;
    };
    static constexpr param_field<params> param_table[] = {
        {"E_L", &params::E_L_mV, "mV", constraint::finite, "resting potential"},
        {"C_m", &params::C_m_pF, "pF", constraint::positive, "membrane capacitance"},
        {"tau_m", &params::tau_m_ms, "ms", constraint::positive, "membrane time constant"},
        {"t_ref", &params::t_ref_ms, "ms", constraint::nonnegative, "absolute refractory period"},
        {"V_th", &params::V_th_mV, "mV", constraint::finite, "spike threshold"},
        {"V_reset", &params::V_reset_mV, "mV", constraint::finite, "reset potential"},
        {"tau_syn_ex", &params::tau_syn_ex_ms, "ms", constraint::positive, "excitatory synaptic time constant"},
        {"tau_syn_in", &params::tau_syn_in_ms, "ms", constraint::positive, "inhibitory synaptic time constant"},
        {"I_e", &params::I_e_pA, "pA", constraint::finite, "constant external current"},
    };

    struct state {
        std::vector<double> V_m_mV, I_syn_ex_pA, I_syn_in_pA;
        std::vector<std::int32_t> refractory_steps;
    };
    static constexpr state_field<state> state_table[] = {
        {"V_m", &state::V_m_mV, "mV", "membrane potential (initially E_L)"},
        {"I_syn_ex", &state::I_syn_ex_pA, "pA", "excitatory synaptic current"},
        {"I_syn_in", &state::I_syn_in_pA, "pA", "inhibitory synaptic current"},
    };
    static constexpr counter_field<state> counter_table[] = {{"refractory_steps", &state::refractory_steps}};

    struct propagators {
        double P22, P11_ex, P11_in, P21_ex, P21_in, P20;
        std::int32_t t_ref_steps;
    };

    static std::optional<param_problem> check(const params& p, double) {
        return check_reset(p.V_reset_mV, p.V_th_mV);
    }

    static propagators prepare(const params& p, double h_ms) {
        return {std::exp(-h_ms / p.tau_m_ms),
                std::exp(-h_ms / p.tau_syn_ex_ms),
                std::exp(-h_ms / p.tau_syn_in_ms),
                psc_exp_to_V(h_ms, p.tau_m_ms, p.tau_syn_ex_ms, p.C_m_pF),
                psc_exp_to_V(h_ms, p.tau_m_ms, p.tau_syn_in_ms, p.C_m_pF),
                -p.tau_m_ms / p.C_m_pF * std::expm1(-h_ms / p.tau_m_ms),
                static_cast<std::int32_t>(std::lround(p.t_ref_ms / h_ms))};
    }

    static void resize(const params& p, state& s, std::size_t n) {
        s.V_m_mV.assign(n, p.E_L_mV);
        s.I_syn_ex_pA.assign(n, 0.0);
        s.I_syn_in_pA.assign(n, 0.0);
        s.refractory_steps.assign(n, 0);
    }

    static void step(const params& p, const propagators& k, state& s, const neuron_input& in, spike_sink& out) {
        const std::size_t n = s.V_m_mV.size();
        double* __restrict V = s.V_m_mV.data();
        double* __restrict I_ex = s.I_syn_ex_pA.data();
        double* __restrict I_in = s.I_syn_in_pA.data();
        std::int32_t* __restrict ref = s.refractory_steps.data();
        const double* __restrict ex = in.excitatory;
        const double* __restrict inh = in.inhibitory;
        const double* __restrict cur = in.current_pA;
        // Copies, so that the stores above cannot be suspected to change them.
        const double E_L = p.E_L_mV, I_e = p.I_e_pA, P22 = k.P22, P21_ex = k.P21_ex, P21_in = k.P21_in;
        const double P20 = k.P20, P11_ex = k.P11_ex, P11_in = k.P11_in;
        // Branch-free so that the compiler vectorises it; threshold crossings are rare
        // and handled in a second pass.
        for (std::size_t i = 0; i < n; ++i) {
            const double V_free = E_L + (V[i] - E_L) * P22 + I_ex[i] * P21_ex + I_in[i] * P21_in + (I_e + cur[i]) * P20;
            const bool active = ref[i] == 0;
            V[i] = active ? V_free : V[i];
            ref[i] = active ? 0 : ref[i] - 1;
            I_ex[i] = I_ex[i] * P11_ex + ex[i];
            I_in[i] = I_in[i] * P11_in + inh[i];
        }
        fire_and_reset(n, V, ref, p.V_th_mV, p.V_reset_mV, k.t_ref_steps, out);
    }
};

}  // namespace myelin::models
