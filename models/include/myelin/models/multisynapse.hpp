#pragma once
// iaf_psc_exp_multisynapse and iaf_psc_alpha_multisynapse: leaky integrate-and-fire
// neurons with any number of current-based receptor ports, each with its own synaptic
// time constant (NEST's models of the same names: parameter names, units, defaults).
//
//   dV/dt = -(V - E_L)/tau_m + (sum_q I_q + I_e + I_stim)/C_m
//   exp:    dI_q/dt = -I_q/tau_syn[q]                  spike of weight w at port q: I_q += w
//   alpha:  dI_q/dt = dI_q - I_q/tau_syn[q],
//           d(dI_q)/dt = -dI_q/tau_syn[q]              spike of weight w at port q: dI_q += w e/tau_syn[q]
//   V >= V_th  ->  spike; V = V_reset, held there for t_ref   (alpha: V >= V_min always)
//
// One port per entry of tau_syn, named "1", "2", ... as NEST's receptor_type (a
// population's "receptors" may name them); a projection names its port ("receptor": 2).
// Weights are currents in pA of either sign at any port. Each port's current is recorded
// as I_syn_PORT (alpha: also dI_syn_PORT).
// Exact integration over one step h (Rotter & Diesmann 1999, Biol Cybern 81:381-402),
// with the propagators of iaf_psc_exp and iaf_psc_alpha per port (those headers give
// them, singularity-free where tau_syn = tau_m; NEST's multisynapse models refuse that
// case, these do not need to). Order in a step (as NEST): V uses the currents at the
// step's start; then the currents advance and take the arriving spikes; then the
// threshold is checked.
#include <myelin/models/checks.hpp>
#include <myelin/models/iaf_psc_alpha.hpp>
#include <myelin/models/iaf_psc_exp.hpp>
#include <myelin/simulator/model.hpp>

#include <fmt/format.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <vector>

namespace myelin::models {

namespace detail {

// Ports "1" ... "n", one per synaptic time constant; any weight sign (currents).
inline std::vector<port_info> numbered_ports(std::size_t n, weight_sign sign) {
    std::vector<port_info> out;
    for (std::size_t q = 0; q < n; ++q) out.push_back({std::to_string(q + 1), sign});
    return out;
}

inline std::optional<param_problem> check_port_list(const char* key, const std::vector<double>& values) {
    if (values.empty()) return param_problem{key, fmt::format("{} is empty; give one value per receptor port", key)};
    return std::nullopt;
}

}  // namespace detail

struct iaf_psc_exp_multisynapse {
    static constexpr std::string_view name = "iaf_psc_exp_multisynapse";
    static constexpr std::string_view summary = "LIF, exponential current synapses at numbered ports, exact integration";
    static constexpr std::string_view weight_unit = "pA";

    struct params {
        double E_L_mV = -70.0, C_m_pF = 250.0, tau_m_ms = 10.0, t_ref_ms = 2.0;
        double V_th_mV = -55.0, V_reset_mV = -70.0, I_e_pA = 0.0;
        std::vector<double> tau_syn_ms{2.0};
    };
    static constexpr param_field<params> param_table[] = {
        {"E_L", &params::E_L_mV, "mV", constraint::finite, "resting potential"},
        {"C_m", &params::C_m_pF, "pF", constraint::positive, "membrane capacitance"},
        {"tau_m", &params::tau_m_ms, "ms", constraint::positive, "membrane time constant"},
        {"t_ref", &params::t_ref_ms, "ms", constraint::nonnegative, "absolute refractory period"},
        {"V_th", &params::V_th_mV, "mV", constraint::finite, "spike threshold"},
        {"V_reset", &params::V_reset_mV, "mV", constraint::finite, "reset potential"},
        {"I_e", &params::I_e_pA, "pA", constraint::finite, "constant external current"},
        {"tau_syn", &params::tau_syn_ms, "ms", constraint::positive, "synaptic time constant, one per port"},
    };
    static std::vector<port_info> ports(const params& p) {
        return detail::numbered_ports(p.tau_syn_ms.size(), weight_sign::any);
    }

    struct state {
        std::vector<double> V_m_mV;
        std::vector<double> I_syn_pA;  // [port][neuron]
        std::vector<std::int32_t> refractory_steps;
    };
    static constexpr state_field<state> state_table[] = {
        {"V_m", &state::V_m_mV, "mV", "membrane potential (initially E_L)"},
    };
    static constexpr port_state_field<state> port_state_table[] = {
        {"I_syn", &state::I_syn_pA, "pA", "synaptic current"},
    };
    static constexpr counter_field<state> counter_table[] = {{"refractory_steps", &state::refractory_steps}};

    struct propagators {
        double P22, P20;
        std::vector<double> P11, P21;  // per port
        std::int32_t t_ref_steps;
    };

    static std::optional<param_problem> check(const params& p, double) {
        if (auto problem = detail::check_port_list("tau_syn", p.tau_syn_ms)) return problem;
        return check_reset(p.V_reset_mV, p.V_th_mV);
    }

    static propagators prepare(const params& p, double h) {
        propagators k{std::exp(-h / p.tau_m_ms), -p.tau_m_ms / p.C_m_pF * std::expm1(-h / p.tau_m_ms), {}, {},
                      static_cast<std::int32_t>(std::lround(p.t_ref_ms / h))};
        for (const double tau : p.tau_syn_ms) {
            k.P11.push_back(std::exp(-h / tau));
            k.P21.push_back(psc_exp_to_V(h, p.tau_m_ms, tau, p.C_m_pF));
        }
        return k;
    }

    static void resize(const params& p, state& s, std::size_t n) {
        s.V_m_mV.assign(n, p.E_L_mV);
        s.I_syn_pA.assign(n * p.tau_syn_ms.size(), 0.0);
        s.refractory_steps.assign(n, 0);
    }

    static void step(const params& p, const propagators& k, state& s, const neuron_input& in, spike_sink& out) {
        const std::size_t n = s.V_m_mV.size(), n_ports = k.P11.size();
        double* __restrict V = s.V_m_mV.data();
        std::int32_t* __restrict ref = s.refractory_steps.data();
        const double E_L = p.E_L_mV, I_e = p.I_e_pA, P22 = k.P22, P20 = k.P20;
        for (std::size_t i = 0; i < n; ++i) {
            double V_free = E_L + (V[i] - E_L) * P22 + (I_e + in.current_pA[i]) * P20;
            for (std::size_t q = 0; q < n_ports; ++q) V_free += s.I_syn_pA[q * n + i] * k.P21[q];
            const bool active = ref[i] == 0;
            V[i] = active ? V_free : V[i];
            ref[i] = active ? 0 : ref[i] - 1;
        }
        // Port by port, so that each loop walks two contiguous rows.
        for (std::size_t q = 0; q < n_ports; ++q) {
            double* __restrict I = s.I_syn_pA.data() + q * n;
            const double* __restrict arriving = in.port[q];
            const double P11 = k.P11[q];
            for (std::size_t i = 0; i < n; ++i) I[i] = I[i] * P11 + arriving[i];
        }
        fire_and_reset(n, V, ref, p.V_th_mV, p.V_reset_mV, k.t_ref_steps, out);
    }
};

struct iaf_psc_alpha_multisynapse {
    static constexpr std::string_view name = "iaf_psc_alpha_multisynapse";
    static constexpr std::string_view summary = "LIF, alpha-shaped current synapses at numbered ports, exact integration";
    static constexpr std::string_view weight_unit = "pA";

    struct params {
        double E_L_mV = -70.0, C_m_pF = 250.0, tau_m_ms = 10.0, t_ref_ms = 2.0;
        double V_th_mV = -55.0, V_reset_mV = -70.0, V_min_mV = -std::numeric_limits<double>::infinity();
        double I_e_pA = 0.0;
        std::vector<double> tau_syn_ms{2.0};
    };
    static constexpr param_field<params> param_table[] = {
        {"E_L", &params::E_L_mV, "mV", constraint::finite, "resting potential"},
        {"C_m", &params::C_m_pF, "pF", constraint::positive, "membrane capacitance"},
        {"tau_m", &params::tau_m_ms, "ms", constraint::positive, "membrane time constant"},
        {"t_ref", &params::t_ref_ms, "ms", constraint::nonnegative, "absolute refractory period"},
        {"V_th", &params::V_th_mV, "mV", constraint::finite, "spike threshold"},
        {"V_reset", &params::V_reset_mV, "mV", constraint::finite, "reset potential"},
        {"V_min", &params::V_min_mV, "mV", constraint::any, "lower bound of V (-inf: none)"},
        {"I_e", &params::I_e_pA, "pA", constraint::finite, "constant external current"},
        {"tau_syn", &params::tau_syn_ms, "ms", constraint::positive, "synaptic rise time, one per port"},
    };
    static std::vector<port_info> ports(const params& p) {
        return detail::numbered_ports(p.tau_syn_ms.size(), weight_sign::any);
    }

    struct state {
        std::vector<double> V_m_mV;
        std::vector<double> I_syn_pA, dI_syn;  // [port][neuron]
        std::vector<std::int32_t> refractory_steps;
    };
    static constexpr state_field<state> state_table[] = {
        {"V_m", &state::V_m_mV, "mV", "membrane potential (initially E_L)"},
    };
    static constexpr port_state_field<state> port_state_table[] = {
        {"I_syn", &state::I_syn_pA, "pA", "synaptic current"},
        {"dI_syn", &state::dI_syn, "pA/ms", "derivative of the synaptic current"},
    };
    static constexpr counter_field<state> counter_table[] = {{"refractory_steps", &state::refractory_steps}};

    struct propagators {
        double P33, P30;
        std::vector<double> P11, P21, P31, P32, jump;  // per port; jump = e/tau_syn
        std::int32_t t_ref_steps;
    };

    static std::optional<param_problem> check(const params& p, double) {
        if (auto problem = detail::check_port_list("tau_syn", p.tau_syn_ms)) return problem;
        return check_reset(p.V_reset_mV, p.V_th_mV, p.V_min_mV);
    }

    static propagators prepare(const params& p, double h) {
        propagators k{std::exp(-h / p.tau_m_ms), -p.tau_m_ms / p.C_m_pF * std::expm1(-h / p.tau_m_ms), {}, {}, {}, {},
                      {}, static_cast<std::int32_t>(std::lround(p.t_ref_ms / h))};
        for (const double tau : p.tau_syn_ms) {
            k.P11.push_back(std::exp(-h / tau));
            k.P21.push_back(h * std::exp(-h / tau));
            k.P31.push_back(psc_alpha_P31(h, p.tau_m_ms, tau, p.C_m_pF));
            k.P32.push_back(psc_alpha_P32(h, p.tau_m_ms, tau, p.C_m_pF));
            k.jump.push_back(std::exp(1.0) / tau);
        }
        return k;
    }

    static void resize(const params& p, state& s, std::size_t n) {
        s.V_m_mV.assign(n, p.E_L_mV);
        s.I_syn_pA.assign(n * p.tau_syn_ms.size(), 0.0);
        s.dI_syn.assign(n * p.tau_syn_ms.size(), 0.0);
        s.refractory_steps.assign(n, 0);
    }

    static void step(const params& p, const propagators& k, state& s, const neuron_input& in, spike_sink& out) {
        const std::size_t n = s.V_m_mV.size(), n_ports = k.P11.size();
        double* __restrict V = s.V_m_mV.data();
        std::int32_t* __restrict ref = s.refractory_steps.data();
        const double E_L = p.E_L_mV, I_e = p.I_e_pA, V_min = p.V_min_mV, P33 = k.P33, P30 = k.P30;
        for (std::size_t i = 0; i < n; ++i) {
            double V_free = E_L + (V[i] - E_L) * P33 + (I_e + in.current_pA[i]) * P30;
            for (std::size_t q = 0; q < n_ports; ++q)
                V_free += s.I_syn_pA[q * n + i] * k.P32[q] + s.dI_syn[q * n + i] * k.P31[q];
            V_free = V_free < V_min ? V_min : V_free;
            const bool active = ref[i] == 0;
            V[i] = active ? V_free : V[i];
            ref[i] = active ? 0 : ref[i] - 1;
        }
        for (std::size_t q = 0; q < n_ports; ++q) {
            double* __restrict I = s.I_syn_pA.data() + q * n;
            double* __restrict dI = s.dI_syn.data() + q * n;
            const double* __restrict arriving = in.port[q];
            const double P11 = k.P11[q], P21 = k.P21[q], jump = k.jump[q];
            for (std::size_t i = 0; i < n; ++i) {
                I[i] = I[i] * P11 + dI[i] * P21;
                dI[i] = dI[i] * P11 + arriving[i] * jump;
            }
        }
        fire_and_reset(n, V, ref, p.V_th_mV, p.V_reset_mV, k.t_ref_steps, out);
    }
};

}  // namespace myelin::models
