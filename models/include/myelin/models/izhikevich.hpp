#pragma once
// izhikevich: the simple spiking model of Izhikevich (2003, IEEE Trans Neural Netw
// 14:1569-1572), as NEST's izhikevich (parameter names, defaults, and its
// consistent_integration scheme).
//
//   dV/dt = 0.04 V^2 + 5 V + 140 - U + I_e + I_stim      (V in mV, t in ms, I in mV/ms)
//   dU/dt = a (b V - U)
//   V >= V_th  ->  spike; V = c, U = U + d
//
// The model is defined together with its numerical scheme: its published parameter sets
// were tuned with forward Euler, which NEST keeps (consistent_integration = true):
//   V(t+h) = V + h (0.04 V^2 + 5 V + 140 - U + I_e + I_stim) + (weights arriving at t+h)
//   U(t+h) = U + h a (b V - U)          (both from the values at t)
//   V = max(V, V_min); then the threshold check.
// An adaptive integrator would not be more faithful here: the reset at V_th = 30 mV
// truncates the blow-up of V^2, so the dynamics near threshold are those of the scheme.
// Weights are voltage jumps in mV (excitatory and inhibitory alike by their sign).
#include <myelin/simulator/model.hpp>

#include <fmt/format.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <optional>

namespace myelin::models {

struct izhikevich {
    static constexpr std::string_view name = "izhikevich";
    static constexpr std::string_view summary = "Izhikevich (2003) simple model, NEST's Euler scheme";
    static constexpr std::string_view weight_unit = "mV";

    struct params {
        double a = 0.02, b = 0.2, c_mV = -65.0, d = 8.0, I_e = 0.0, V_th_mV = 30.0,
               V_min_mV = -std::numeric_limits<double>::infinity();
    };
    static constexpr param_field<params> param_table[] = {
        {"a", &params::a, "1/ms", constraint::finite, "time scale of the recovery variable U"},
        {"b", &params::b, "1/ms", constraint::finite, "sensitivity of U to V"},
        {"c", &params::c_mV, "mV", constraint::finite, "reset of V after a spike"},
        {"d", &params::d, "mV/ms", constraint::finite, "increment of U after a spike"},
        {"I_e", &params::I_e, "pA", constraint::finite, "constant input current (R = 1: enters dV/dt in mV/ms)"},
        {"V_th", &params::V_th_mV, "mV", constraint::finite, "spike cut-off"},
        {"V_min", &params::V_min_mV, "mV", constraint::any, "lower bound of V (-inf: none)"},
    };

    struct state {
        std::vector<double> V_m_mV, U_m;
    };
    static constexpr state_field<state> state_table[] = {
        {"V_m", &state::V_m_mV, "mV", "membrane potential (initially c)"},
        {"U_m", &state::U_m, "mV/ms", "recovery variable (initially b c)"},
    };

    struct propagators {
        double h_ms;
    };

    static std::optional<param_problem> check(const params& p, double) {
        if (!(p.c_mV < p.V_th_mV))
            return param_problem{"c", fmt::format("c = {} mV; must be < V_th = {} mV", p.c_mV, p.V_th_mV)};
        return std::nullopt;
    }
    static propagators prepare(const params&, double h) { return {h}; }
    static void resize(const params& p, state& s, std::size_t n) {
        s.V_m_mV.assign(n, p.c_mV);
        s.U_m.assign(n, p.b * p.c_mV);
    }

    static void step(const params& p, const propagators& k, state& s, const neuron_input& in, spike_sink& out) {
        const double h = k.h_ms;
        for (std::size_t i = 0; i < s.V_m_mV.size(); ++i) {
            const double V = s.V_m_mV[i], U = s.U_m[i];
            double V_new = V + h * (0.04 * V * V + 5.0 * V + 140.0 - U + p.I_e + in.current_pA[i]) + in.excitatory[i] +
                           in.inhibitory[i];
            double U_new = U + h * p.a * (p.b * V - U);
            V_new = V_new < p.V_min_mV ? p.V_min_mV : V_new;
            if (V_new >= p.V_th_mV) {
                V_new = p.c_mV;
                U_new += p.d;
                out.emit(i);
            }
            s.V_m_mV[i] = V_new;
            s.U_m[i] = U_new;
        }
    }
};

}  // namespace myelin::models
