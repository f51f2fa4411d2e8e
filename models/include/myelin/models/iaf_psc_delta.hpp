#pragma once
// iaf_psc_delta: leaky integrate-and-fire neuron with delta-shaped synaptic input
// (NEST's model of the same name: parameter names, units and defaults).
//
//   dV/dt = -(V - E_L)/tau_m + (I_e + I_stim)/C_m + sum_k w_k delta(t - t_k)   (w in mV)
//   V >= V_th  ->  spike; V = V_reset, held there for t_ref; V is bounded below by V_min
//
// Exact integration over one step h (Rotter & Diesmann 1999):
//   V(t+h) = E_L + (V - E_L) P33 + (I_e + I_stim) P30 + (weights arriving at t+h)
// with P33 = exp(-h/tau_m), P30 = tau_m/C_m (1 - P33). Input of either sign jumps V
// directly. As in NEST, spikes arriving while refractory are discarded, unless
// refractory_input is set: then they are kept, decayed by exp(-r h/tau_m) for the r
// refractory steps left, and added when the neuron becomes active again.
#include <myelin/models/checks.hpp>
#include <myelin/simulator/model.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <optional>

namespace myelin::models {

struct iaf_psc_delta {
    static constexpr std::string_view name = "iaf_psc_delta";
    static constexpr std::string_view summary = "LIF, delta synapses (voltage jumps), exact integration";
    static constexpr std::string_view weight_unit = "mV";

    struct params {
        double E_L_mV = -70.0, C_m_pF = 250.0, tau_m_ms = 10.0, t_ref_ms = 2.0;
        double V_th_mV = -55.0, V_reset_mV = -70.0, I_e_pA = 0.0;
        double V_min_mV = -std::numeric_limits<double>::infinity();
        bool refractory_input = false;
    };
    static constexpr param_field<params> param_table[] = {
        {"E_L", &params::E_L_mV, "mV", constraint::finite, "resting potential"},
        {"C_m", &params::C_m_pF, "pF", constraint::positive, "membrane capacitance"},
        {"tau_m", &params::tau_m_ms, "ms", constraint::positive, "membrane time constant"},
        {"t_ref", &params::t_ref_ms, "ms", constraint::nonnegative, "absolute refractory period"},
        {"V_th", &params::V_th_mV, "mV", constraint::finite, "spike threshold"},
        {"V_reset", &params::V_reset_mV, "mV", constraint::finite, "reset potential"},
        {"I_e", &params::I_e_pA, "pA", constraint::finite, "constant external current"},
        {"V_min", &params::V_min_mV, "mV", constraint::any, "lower bound of V_m (-inf: none)"},
        {"refractory_input", &params::refractory_input, "", constraint::any,
         "keep input that arrives while refractory"},
    };

    struct state {
        std::vector<double> V_m_mV, refractory_input_mV;
        std::vector<std::int32_t> refractory_steps;
    };
    static constexpr state_field<state> state_table[] = {
        {"V_m", &state::V_m_mV, "mV", "membrane potential (initially E_L)"},
        {"refractory_input", &state::refractory_input_mV, "mV",
         "input kept during the refractory period (with refractory_input), added when it ends"},
    };
    static constexpr counter_field<state> counter_table[] = {{"refractory_steps", &state::refractory_steps}};

    struct propagators {
        double P33, P30, refractory_decay;  // exp(-h/tau_m), tau_m/C_m (1-P33), per remaining step
        std::int32_t t_ref_steps;
    };

    static std::optional<param_problem> check(const params& p, double) {
        return check_reset(p.V_reset_mV, p.V_th_mV, p.V_min_mV);
    }

    static propagators prepare(const params& p, double h_ms) {
        return {std::exp(-h_ms / p.tau_m_ms), -p.tau_m_ms / p.C_m_pF * std::expm1(-h_ms / p.tau_m_ms),
                std::exp(-h_ms / p.tau_m_ms), static_cast<std::int32_t>(std::lround(p.t_ref_ms / h_ms))};
    }

    static void resize(const params& p, state& s, std::size_t n) {
        s.V_m_mV.assign(n, p.E_L_mV);
        s.refractory_input_mV.assign(n, 0.0);
        s.refractory_steps.assign(n, 0);
    }

    static void step(const params& p, const propagators& k, state& s, const neuron_input& in, spike_sink& out) {
        const std::size_t n = s.V_m_mV.size();
        double* V = s.V_m_mV.data();
        double* kept = s.refractory_input_mV.data();
        std::int32_t* ref = s.refractory_steps.data();
        for (std::size_t i = 0; i < n; ++i) {
            const double arriving = in.excitatory[i] + in.inhibitory[i];
            if (ref[i] == 0) {
                const double V_new = p.E_L_mV + (V[i] - p.E_L_mV) * k.P33 + (p.I_e_pA + in.current_pA[i]) * k.P30 +
                                     kept[i] + arriving;
                kept[i] = 0.0;
                V[i] = std::max(V_new, p.V_min_mV);
            } else {
                if (p.refractory_input) kept[i] += arriving * std::pow(k.refractory_decay, ref[i]);
                --ref[i];
            }
            if (V[i] >= p.V_th_mV) {
                out.emit(i);
                V[i] = p.V_reset_mV;
                ref[i] = k.t_ref_steps;
            }
        }
    }
};

}  // namespace myelin::models
