#pragma once
// aeif_cond_exp and aeif_cond_alpha: the adaptive exponential integrate-and-fire neuron
// (AdEx; Brette & Gerstner 2005, J Neurophysiol 94:3637-3642) with conductance-based
// synapses, as NEST's models of the same names (parameters, defaults, spike handling).
//
//   C_m dV/dt  = -g_L (V - E_L) + g_L Delta_T e^((V - V_th)/Delta_T) - g_ex (V - E_ex)
//                - g_in (V - E_in) - w + I_e + I_stim
//   tau_w dw/dt = a (V - E_L) - w
//   conductances: as iaf_cond_exp / iaf_cond_alpha (weights in nS, sign picks the receptor)
//   V >= V_peak -> spike; V = V_reset, w = w + b; V held at V_reset for t_ref
//
// As in NEST, the spike is detected after every accepted sub-step of the adaptive
// integration (Dormand-Prince 5(4), models/ode.hpp, absolute tolerance 1e-6, relative
// 1e-9), not only at the step's end: the exponential term makes V diverge within a
// fraction of a step, and the reset and the jump of w take effect at once. In the right-
// hand side V is capped at V_peak (NEST does the same) so that the exponential cannot
// overflow in an overshooting trial sub-step, and during t_ref V is held at V_reset.
// With Delta_T = 0 the model is a conductance-based LIF with adaptation and V_peak is
// replaced by V_th. A neuron spikes at most once per step here (NEST may send several
// events in one step when t_ref = 0); a second threshold crossing in the same step still
// resets V and increments w.
#include <myelin/models/ode.hpp>
#include <myelin/simulator/model.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <optional>

namespace myelin::models {

namespace detail {

struct aeif_params {
    double C_m_pF = 281.0, t_ref_ms = 0.0, V_reset_mV = -60.0, E_L_mV = -70.6, g_L_nS = 30.0, I_e_pA = 0.0;
    double a_nS = 4.0, b_pA = 80.5, Delta_T_mV = 2.0, tau_w_ms = 144.0, V_th_mV = -50.4, V_peak_mV = 0.0;
    double E_ex_mV = 0.0, E_in_mV = -85.0, tau_syn_ex_ms = 0.2, tau_syn_in_ms = 2.0;
};

inline constexpr param_field<aeif_params> aeif_param_table[] = {
    {"C_m", &aeif_params::C_m_pF, "pF", constraint::positive, "membrane capacitance"},
    {"t_ref", &aeif_params::t_ref_ms, "ms", constraint::nonnegative, "refractory period"},
    {"V_reset", &aeif_params::V_reset_mV, "mV", constraint::finite, "reset potential"},
    {"E_L", &aeif_params::E_L_mV, "mV", constraint::finite, "leak reversal potential"},
    {"g_L", &aeif_params::g_L_nS, "nS", constraint::positive, "leak conductance"},
    {"I_e", &aeif_params::I_e_pA, "pA", constraint::finite, "constant external current"},
    {"a", &aeif_params::a_nS, "nS", constraint::finite, "subthreshold adaptation"},
    {"b", &aeif_params::b_pA, "pA", constraint::finite, "spike-triggered adaptation"},
    {"Delta_T", &aeif_params::Delta_T_mV, "mV", constraint::nonnegative, "slope factor of the exponential"},
    {"tau_w", &aeif_params::tau_w_ms, "ms", constraint::positive, "adaptation time constant"},
    {"V_th", &aeif_params::V_th_mV, "mV", constraint::finite, "spike initiation threshold"},
    {"V_peak", &aeif_params::V_peak_mV, "mV", constraint::finite, "spike detection threshold"},
    {"E_ex", &aeif_params::E_ex_mV, "mV", constraint::finite, "excitatory reversal potential"},
    {"E_in", &aeif_params::E_in_mV, "mV", constraint::finite, "inhibitory reversal potential"},
    {"tau_syn_ex", &aeif_params::tau_syn_ex_ms, "ms", constraint::positive, "excitatory synaptic time constant"},
    {"tau_syn_in", &aeif_params::tau_syn_in_ms, "ms", constraint::positive, "inhibitory synaptic time constant"},
};

inline std::optional<param_problem> check_aeif(const aeif_params& p) {
    const double peak = p.Delta_T_mV > 0.0 ? p.V_peak_mV : p.V_th_mV;
    if (!(p.V_reset_mV < peak))
        return param_problem{"V_reset", fmt::format("V_reset = {} mV; must be < {} = {} mV", p.V_reset_mV,
                                                    p.Delta_T_mV > 0.0 ? "V_peak" : "V_th", peak)};
    if (p.Delta_T_mV > 0.0 && !(p.V_th_mV < p.V_peak_mV))
        return param_problem{"V_peak", fmt::format("V_peak = {} mV; must be > V_th = {} mV", p.V_peak_mV, p.V_th_mV)};
    // e^((V_peak - V_th)/Delta_T) must be finite: the current at the peak.
    if (p.Delta_T_mV > 0.0 && (p.V_peak_mV - p.V_th_mV) / p.Delta_T_mV > 700.0)
        return param_problem{"Delta_T", fmt::format("(V_peak - V_th)/Delta_T = {}; must be <= 700 (the exponential "
                                                    "would overflow)", (p.V_peak_mV - p.V_th_mV) / p.Delta_T_mV)};
    return std::nullopt;
}

// The context of a neuron's step: parameters, input current, refractory count (the event
// handler starts it; the right-hand side holds V while it runs) and whether it spiked.
struct aeif_context {
    const aeif_params* p;
    double I_stim_pA, V_peak_mV;
    std::int32_t refractory, t_ref_steps;
    bool spiked;
};

inline double aeif_dV(const aeif_context& c, double V_state, double g_ex, double g_in, double w) {
    if (c.refractory > 0) return 0.0;
    const aeif_params& p = *c.p;
    const double V = std::min(V_state, c.V_peak_mV);
    const double I_spike = p.Delta_T_mV == 0.0 ? 0.0 : p.g_L_nS * p.Delta_T_mV * std::exp((V - p.V_th_mV) / p.Delta_T_mV);
    return (-p.g_L_nS * (V - p.E_L_mV) + I_spike - g_ex * (V - p.E_ex_mV) - g_in * (V - p.E_in_mV) - w + p.I_e_pA +
            c.I_stim_pA) /
           p.C_m_pF;
}
inline double aeif_dw(const aeif_context& c, double V_state, double w) {
    const aeif_params& p = *c.p;
    const double V = c.refractory > 0 ? p.V_reset_mV : std::min(V_state, c.V_peak_mV);
    return (p.a_nS * (V - p.E_L_mV) - w) / p.tau_w_ms;
}

// After each accepted sub-step: hold V while refractory, else reset at V_peak. y[0] is V,
// y[w_index] is w.
template <std::size_t N, std::size_t w_index>
void aeif_after_substep(std::array<double, N>& y, void* context) {
    auto& c = *static_cast<aeif_context*>(context);
    if (c.refractory > 0) {
        y[0] = c.p->V_reset_mV;
    } else if (y[0] >= c.V_peak_mV) {
        y[0] = c.p->V_reset_mV;
        y[w_index] += c.p->b_pA;
        c.refractory = c.t_ref_steps > 0 ? c.t_ref_steps + 1 : 0;  // +1: counted down at the step's end
        c.spiked = true;
    }
}

inline constexpr ode::tolerance aeif_tolerance{1e-6, 1e-9};

}  // namespace detail

struct aeif_cond_exp {
    static constexpr std::string_view name = "aeif_cond_exp";
    static constexpr std::string_view summary = "AdEx, exponential conductance synapses, adaptive Dormand-Prince";
    static constexpr std::string_view weight_unit = "nS";

    using params = detail::aeif_params;
    static constexpr auto& param_table = detail::aeif_param_table;

    struct state {
        std::vector<double> V_m_mV, w_pA, g_ex_nS, g_in_nS;
        std::vector<std::int32_t> refractory_steps;
    };
    static constexpr state_field<state> state_table[] = {
        {"V_m", &state::V_m_mV, "mV", "membrane potential (initially E_L)"},
        {"w", &state::w_pA, "pA", "adaptation current"},
        {"g_ex", &state::g_ex_nS, "nS", "excitatory conductance"},
        {"g_in", &state::g_in_nS, "nS", "inhibitory conductance"},
    };
    static constexpr counter_field<state> counter_table[] = {{"refractory_steps", &state::refractory_steps}};

    struct propagators {
        double h_ms, V_peak_mV;
        std::int32_t t_ref_steps;
    };

    static std::optional<param_problem> check(const params& p, double) { return detail::check_aeif(p); }
    static propagators prepare(const params& p, double h) {
        return {h, p.Delta_T_mV > 0.0 ? p.V_peak_mV : p.V_th_mV, static_cast<std::int32_t>(std::lround(p.t_ref_ms / h))};
    }
    static void resize(const params& p, state& s, std::size_t n) {
        s.V_m_mV.assign(n, p.E_L_mV);
        for (auto* v : {&s.w_pA, &s.g_ex_nS, &s.g_in_nS}) v->assign(n, 0.0);
        s.refractory_steps.assign(n, 0);
    }

    // y = (V, w, g_ex, g_in)
    static void rhs(const std::array<double, 4>& y, std::array<double, 4>& f, const void* context) {
        const auto& c = *static_cast<const detail::aeif_context*>(context);
        f[0] = detail::aeif_dV(c, y[0], y[2], y[3], y[1]);
        f[1] = detail::aeif_dw(c, y[0], y[1]);
        f[2] = -y[2] / c.p->tau_syn_ex_ms;
        f[3] = -y[3] / c.p->tau_syn_in_ms;
    }

    static void step(const params& p, const propagators& k, state& s, const neuron_input& in, spike_sink& out) {
        for (std::size_t i = 0; i < s.V_m_mV.size(); ++i) {
            std::array<double, 4> y{s.V_m_mV[i], s.w_pA[i], s.g_ex_nS[i], s.g_in_nS[i]};
            detail::aeif_context c{&p, in.current_pA[i], k.V_peak_mV, s.refractory_steps[i], k.t_ref_steps, false};
            ode::integrate(
                y, k.h_ms, detail::aeif_tolerance,
                [&](const std::array<double, 4>& x, std::array<double, 4>& f) { rhs(x, f, &c); },
                [&](std::array<double, 4>& x) { detail::aeif_after_substep<4, 1>(x, &c); });
            if (c.refractory > 0) --c.refractory;
            if (c.spiked) out.emit(i);
            s.refractory_steps[i] = c.refractory;
            s.V_m_mV[i] = y[0];
            s.w_pA[i] = y[1];
            s.g_ex_nS[i] = y[2] + in.excitatory[i];
            s.g_in_nS[i] = y[3] - in.inhibitory[i];
        }
    }
};

struct aeif_cond_alpha {
    static constexpr std::string_view name = "aeif_cond_alpha";
    static constexpr std::string_view summary = "AdEx, alpha-shaped conductance synapses, adaptive Dormand-Prince";
    static constexpr std::string_view weight_unit = "nS";

    using params = detail::aeif_params;
    static constexpr auto& param_table = detail::aeif_param_table;

    struct state {
        std::vector<double> V_m_mV, w_pA, g_ex_nS, dg_ex, g_in_nS, dg_in;
        std::vector<std::int32_t> refractory_steps;
    };
    static constexpr state_field<state> state_table[] = {
        {"V_m", &state::V_m_mV, "mV", "membrane potential (initially E_L)"},
        {"w", &state::w_pA, "pA", "adaptation current"},
        {"g_ex", &state::g_ex_nS, "nS", "excitatory conductance"},
        {"dg_ex", &state::dg_ex, "nS/ms", "derivative of the excitatory conductance"},
        {"g_in", &state::g_in_nS, "nS", "inhibitory conductance"},
        {"dg_in", &state::dg_in, "nS/ms", "derivative of the inhibitory conductance"},
    };
    static constexpr counter_field<state> counter_table[] = {{"refractory_steps", &state::refractory_steps}};

    struct propagators {
        double h_ms, V_peak_mV, jump_ex, jump_in;
        std::int32_t t_ref_steps;
    };

    static std::optional<param_problem> check(const params& p, double) { return detail::check_aeif(p); }
    static propagators prepare(const params& p, double h) {
        return {h, p.Delta_T_mV > 0.0 ? p.V_peak_mV : p.V_th_mV, std::exp(1.0) / p.tau_syn_ex_ms,
                std::exp(1.0) / p.tau_syn_in_ms, static_cast<std::int32_t>(std::lround(p.t_ref_ms / h))};
    }
    static void resize(const params& p, state& s, std::size_t n) {
        s.V_m_mV.assign(n, p.E_L_mV);
        for (auto* v : {&s.w_pA, &s.g_ex_nS, &s.dg_ex, &s.g_in_nS, &s.dg_in}) v->assign(n, 0.0);
        s.refractory_steps.assign(n, 0);
    }

    // y = (V, w, g_ex, dg_ex, g_in, dg_in)
    static void rhs(const std::array<double, 6>& y, std::array<double, 6>& f, const void* context) {
        const auto& c = *static_cast<const detail::aeif_context*>(context);
        f[0] = detail::aeif_dV(c, y[0], y[2], y[4], y[1]);
        f[1] = detail::aeif_dw(c, y[0], y[1]);
        f[2] = y[3] - y[2] / c.p->tau_syn_ex_ms;
        f[3] = -y[3] / c.p->tau_syn_ex_ms;
        f[4] = y[5] - y[4] / c.p->tau_syn_in_ms;
        f[5] = -y[5] / c.p->tau_syn_in_ms;
    }

    static void step(const params& p, const propagators& k, state& s, const neuron_input& in, spike_sink& out) {
        for (std::size_t i = 0; i < s.V_m_mV.size(); ++i) {
            std::array<double, 6> y{s.V_m_mV[i], s.w_pA[i], s.g_ex_nS[i], s.dg_ex[i], s.g_in_nS[i], s.dg_in[i]};
            detail::aeif_context c{&p, in.current_pA[i], k.V_peak_mV, s.refractory_steps[i], k.t_ref_steps, false};
            ode::integrate(
                y, k.h_ms, detail::aeif_tolerance,
                [&](const std::array<double, 6>& x, std::array<double, 6>& f) { rhs(x, f, &c); },
                [&](std::array<double, 6>& x) { detail::aeif_after_substep<6, 1>(x, &c); });
            if (c.refractory > 0) --c.refractory;
            if (c.spiked) out.emit(i);
            s.refractory_steps[i] = c.refractory;
            s.V_m_mV[i] = y[0];
            s.w_pA[i] = y[1];
            s.g_ex_nS[i] = y[2];
            s.dg_ex[i] = y[3] + in.excitatory[i] * k.jump_ex;
            s.g_in_nS[i] = y[4];
            s.dg_in[i] = y[5] - in.inhibitory[i] * k.jump_in;
        }
    }
};

}  // namespace myelin::models
