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
// (E_in, with conductance |w|). There is no closed form: each step is integrated with
// Dormand-Prince 5(4) under error control (models/ode.hpp), absolute tolerance 1e-6 (mV,
// nS) and relative 1e-9 — tighter than NEST's RKF45 at 1e-3 absolute, so that the result
// is the ODE's to ~1e-6 mV, not the stepper's.
// Order in a step (as NEST): integrate over the step with the conductances at its start;
// if refractory, count down and hold V at V_reset, else check the threshold; then add the
// spikes arriving at the step's end.
#include <myelin/models/ode.hpp>
#include <myelin/models/checks.hpp>
#include <myelin/simulator/model.hpp>

#include <fmt/format.h>

#include <array>
#include <cmath>
#include <cstdint>
#include <optional>

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
    };

    static std::optional<param_problem> check(const params& p, double) { return detail::check_cond(p); }
    static propagators prepare(const params& p, double h) {
        return {h, static_cast<std::int32_t>(std::lround(p.t_ref_ms / h))};
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
        for (std::size_t i = 0; i < s.V_m_mV.size(); ++i) {
            std::array<double, 3> y{s.V_m_mV[i], s.g_ex_nS[i], s.g_in_nS[i]};
            const detail::cond_context c{&p, in.current_pA[i]};
            ode::integrate(y, k.h_ms, detail::cond_tolerance,
                           [&](const std::array<double, 3>& x, std::array<double, 3>& f) { rhs(x, f, &c); });
            y[0] = detail::cond_threshold(p, y[0], s.refractory_steps[i], k.t_ref_steps, out, i);
            s.V_m_mV[i] = y[0];
            s.g_ex_nS[i] = y[1] + in.excitatory[i];
            s.g_in_nS[i] = y[2] - in.inhibitory[i];  // inhibitory weights are negative
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
    };

    static std::optional<param_problem> check(const params& p, double) { return detail::check_cond(p); }
    static propagators prepare(const params& p, double h) {
        return {h, std::exp(1.0) / p.tau_syn_ex_ms, std::exp(1.0) / p.tau_syn_in_ms,
                static_cast<std::int32_t>(std::lround(p.t_ref_ms / h))};
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
        for (std::size_t i = 0; i < s.V_m_mV.size(); ++i) {
            std::array<double, 5> y{s.V_m_mV[i], s.g_ex_nS[i], s.dg_ex[i], s.g_in_nS[i], s.dg_in[i]};
            const detail::cond_context c{&p, in.current_pA[i]};
            ode::integrate(y, k.h_ms, detail::cond_tolerance,
                           [&](const std::array<double, 5>& x, std::array<double, 5>& f) { rhs(x, f, &c); });
            y[0] = detail::cond_threshold(p, y[0], s.refractory_steps[i], k.t_ref_steps, out, i);
            s.V_m_mV[i] = y[0];
            s.g_ex_nS[i] = y[1];
            s.dg_ex[i] = y[2] + in.excitatory[i] * k.jump_ex;
            s.g_in_nS[i] = y[3];
            s.dg_in[i] = y[4] - in.inhibitory[i] * k.jump_in;
        }
    }
};

}  // namespace myelin::models
