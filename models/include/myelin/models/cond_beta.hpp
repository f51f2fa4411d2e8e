#pragma once
// Conductance-based neurons whose synaptic conductances are beta functions (differences
// of two exponentials; Roth & van Rossum 2009, in De Schutter (ed.), Computational
// Modeling Methods for Neuroscientists, MIT Press, ch. 6), as NEST's models of the same
// names (parameter names, units, defaults):
//
//   iaf_cond_beta (Meffin, Burkitt & Grayden 2004, J Comput Neurosci 16:159-175):
//     C_m dV/dt = -g_L (V - E_L) - g_ex (V - E_ex) - g_in (V - E_in) + I_e + I_stim
//     ports "excitatory" (weights >= 0) and "inhibitory" (weights <= 0, conductance |w|);
//     without a receptor named, the weight's sign picks the port, as in NEST.
//   aeif_cond_beta_multisynapse (Brette & Gerstner 2005, J Neurophysiol 94:3637-3642):
//     C_m dV/dt = -g_L (V - E_L) + g_L Delta_T e^((V - V_th)/Delta_T)
//                 - sum_q g_q (V - E_rev[q]) - w + I_e + I_stim
//     tau_w dw/dt = a (V - E_L) - w;   V >= V_peak -> V = V_reset, w += b, held for t_ref
//     one port per entry of E_rev, tau_rise and tau_decay, named "1", "2", ... (NEST's
//     receptor_type); weights >= 0 (nS) at every port, E_rev decides their effect.
//
// Each conductance: dg/dt = x - g/tau_decay, dx/dt = -x/tau_rise; a spike of weight w
// adds w N to x, with N = (1/tau_rise - 1/tau_decay) / (e^(-t_p/tau_decay) - e^(-t_p/tau_rise)),
// t_p = tau_rise tau_decay ln(tau_decay/tau_rise) / (tau_decay - tau_rise) the time of the
// peak, so that g peaks at w (nS); N = e/tau where the two are equal (the alpha function).
// NEST's iaf_cond_beta writes the pair with the time constants the other way round; the
// conductance is the same function.
//
// Integration: Boost.Odeint's Dormand-Prince 5(4) with step-size control (absolute 1e-6,
// relative 1e-9; models/ode.hpp), over each step h from one sub-step of h, as NEST's GSL
// steppers do (RKF45 at 1e-3 for iaf_cond_beta). iaf_cond_beta follows NEST's order: integrate
// (V held, and the currents taken at V_reset, while refractory; V bounded by V_th in the
// right-hand side), then count the refractory steps down or check V >= V_th, then add
// the spikes arriving at the step's end. aeif_cond_beta_multisynapse detects V_peak after
// every accepted sub-step, as aeif_cond_exp does (aeif_cond_exp.hpp).
#include <myelin/models/aeif_cond_exp.hpp>
#include <myelin/models/checks.hpp>
#include <myelin/models/iaf_cond_exp.hpp>
#include <myelin/models/multisynapse.hpp>
#include <myelin/models/ode.hpp>
#include <myelin/simulator/model.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <optional>
#include <vector>

namespace myelin::models {

// The jump of x per nS of weight that makes the conductance peak at the weight (above).
inline double beta_normalization(double tau_rise_ms, double tau_decay_ms) {
    if (std::abs(tau_decay_ms - tau_rise_ms) <= 1e-12 * tau_decay_ms) return std::exp(1.0) / tau_decay_ms;
    const double t_peak =
        tau_rise_ms * tau_decay_ms * std::log(tau_decay_ms / tau_rise_ms) / (tau_decay_ms - tau_rise_ms);
    return (1.0 / tau_rise_ms - 1.0 / tau_decay_ms) / (std::exp(-t_peak / tau_decay_ms) - std::exp(-t_peak / tau_rise_ms));
}

struct iaf_cond_beta {
    static constexpr std::string_view name = "iaf_cond_beta";
    static constexpr std::string_view summary = "LIF, beta-function conductance synapses, adaptive Dormand-Prince";
    static constexpr std::string_view weight_unit = "nS";

    struct params {
        double V_th_mV = -55.0, V_reset_mV = -60.0, t_ref_ms = 2.0, g_L_nS = 16.6667, C_m_pF = 250.0;
        double E_ex_mV = 0.0, E_in_mV = -85.0, E_L_mV = -70.0;
        double tau_rise_ex_ms = 0.2, tau_decay_ex_ms = 0.2, tau_rise_in_ms = 2.0, tau_decay_in_ms = 2.0, I_e_pA = 0.0;
    };
    static constexpr param_field<params> param_table[] = {
        {"V_th", &params::V_th_mV, "mV", constraint::finite, "spike threshold"},
        {"V_reset", &params::V_reset_mV, "mV", constraint::finite, "reset potential"},
        {"t_ref", &params::t_ref_ms, "ms", constraint::nonnegative, "absolute refractory period"},
        {"g_L", &params::g_L_nS, "nS", constraint::positive, "leak conductance"},
        {"C_m", &params::C_m_pF, "pF", constraint::positive, "membrane capacitance"},
        {"E_ex", &params::E_ex_mV, "mV", constraint::finite, "excitatory reversal potential"},
        {"E_in", &params::E_in_mV, "mV", constraint::finite, "inhibitory reversal potential"},
        {"E_L", &params::E_L_mV, "mV", constraint::finite, "leak reversal (resting) potential"},
        {"tau_rise_ex", &params::tau_rise_ex_ms, "ms", constraint::positive, "excitatory rise time"},
        {"tau_decay_ex", &params::tau_decay_ex_ms, "ms", constraint::positive, "excitatory decay time"},
        {"tau_rise_in", &params::tau_rise_in_ms, "ms", constraint::positive, "inhibitory rise time"},
        {"tau_decay_in", &params::tau_decay_in_ms, "ms", constraint::positive, "inhibitory decay time"},
        {"I_e", &params::I_e_pA, "pA", constraint::finite, "constant external current"},
    };

    struct state {
        std::vector<double> V_m_mV, g_ex_nS, dg_ex, g_in_nS, dg_in;
        std::vector<std::int32_t> refractory_steps;
    };
    static constexpr state_field<state> state_table[] = {
        {"V_m", &state::V_m_mV, "mV", "membrane potential (initially E_L)"},
        {"g_ex", &state::g_ex_nS, "nS", "excitatory conductance"},
        {"dg_ex", &state::dg_ex, "nS/ms", "excitatory conductance's rising component"},
        {"g_in", &state::g_in_nS, "nS", "inhibitory conductance"},
        {"dg_in", &state::dg_in, "nS/ms", "inhibitory conductance's rising component"},
    };
    static constexpr counter_field<state> counter_table[] = {{"refractory_steps", &state::refractory_steps}};

    struct propagators {
        double h_ms, jump_ex, jump_in;
        std::int32_t t_ref_steps;
    };

    static std::optional<param_problem> check(const params& p, double) { return check_reset(p.V_reset_mV, p.V_th_mV); }
    static propagators prepare(const params& p, double h) {
        return {h, beta_normalization(p.tau_rise_ex_ms, p.tau_decay_ex_ms),
                beta_normalization(p.tau_rise_in_ms, p.tau_decay_in_ms),
                static_cast<std::int32_t>(std::lround(p.t_ref_ms / h))};
    }
    static void resize(const params& p, state& s, std::size_t n) {
        s.V_m_mV.assign(n, p.E_L_mV);
        for (auto* v : {&s.g_ex_nS, &s.dg_ex, &s.g_in_nS, &s.dg_in}) v->assign(n, 0.0);
        s.refractory_steps.assign(n, 0);
    }

    // y = (V, g_ex, dg_ex, g_in, dg_in)
    static void rhs(const params& p, bool refractory, double I_stim, const std::array<double, 5>& y,
                    std::array<double, 5>& f) {
        const double V = refractory ? p.V_reset_mV : std::min(y[0], p.V_th_mV);
        f[0] = refractory ? 0.0
                          : (-p.g_L_nS * (V - p.E_L_mV) - y[1] * (V - p.E_ex_mV) - y[3] * (V - p.E_in_mV) + p.I_e_pA +
                             I_stim) / p.C_m_pF;
        f[1] = y[2] - y[1] / p.tau_decay_ex_ms;
        f[2] = -y[2] / p.tau_rise_ex_ms;
        f[3] = y[4] - y[3] / p.tau_decay_in_ms;
        f[4] = -y[4] / p.tau_rise_in_ms;
    }

    static void step(const params& p, const propagators& k, state& s, const neuron_input& in, spike_sink& out) {
        for (std::size_t i = 0; i < s.V_m_mV.size(); ++i) {
            std::array<double, 5> y{s.V_m_mV[i], s.g_ex_nS[i], s.dg_ex[i], s.g_in_nS[i], s.dg_in[i]};
            const bool refractory = s.refractory_steps[i] > 0;
            const double I_stim = in.current_pA[i];
            ode::integrate(y, k.h_ms, detail::cond_tolerance,
                           [&](const std::array<double, 5>& x, std::array<double, 5>& f) { rhs(p, refractory, I_stim, x, f); });
            if (refractory) {
                --s.refractory_steps[i];
                y[0] = p.V_reset_mV;
            } else if (y[0] >= p.V_th_mV) {
                s.refractory_steps[i] = k.t_ref_steps;
                y[0] = p.V_reset_mV;
                out.emit(i);
            }
            s.V_m_mV[i] = y[0];
            s.g_ex_nS[i] = y[1];
            s.dg_ex[i] = y[2] + in.excitatory[i] * k.jump_ex;
            s.g_in_nS[i] = y[3];
            s.dg_in[i] = y[4] - in.inhibitory[i] * k.jump_in;  // inhibitory weights are negative
        }
    }
};

struct aeif_cond_beta_multisynapse {
    static constexpr std::string_view name = "aeif_cond_beta_multisynapse";
    static constexpr std::string_view summary = "AdEx, beta-function conductances at numbered ports, adaptive Dormand-Prince";
    static constexpr std::string_view weight_unit = "nS";

    struct params {
        double C_m_pF = 281.0, t_ref_ms = 0.0, V_reset_mV = -60.0, E_L_mV = -70.6, g_L_nS = 30.0, I_e_pA = 0.0;
        double a_nS = 4.0, b_pA = 80.5, Delta_T_mV = 2.0, tau_w_ms = 144.0, V_th_mV = -50.4, V_peak_mV = 0.0;
        std::vector<double> E_rev_mV{0.0}, tau_rise_ms{2.0}, tau_decay_ms{20.0};
    };
    static constexpr param_field<params> param_table[] = {
        {"C_m", &params::C_m_pF, "pF", constraint::positive, "membrane capacitance"},
        {"t_ref", &params::t_ref_ms, "ms", constraint::nonnegative, "refractory period"},
        {"V_reset", &params::V_reset_mV, "mV", constraint::finite, "reset potential"},
        {"E_L", &params::E_L_mV, "mV", constraint::finite, "leak reversal potential"},
        {"g_L", &params::g_L_nS, "nS", constraint::positive, "leak conductance"},
        {"I_e", &params::I_e_pA, "pA", constraint::finite, "constant external current"},
        {"a", &params::a_nS, "nS", constraint::finite, "subthreshold adaptation"},
        {"b", &params::b_pA, "pA", constraint::finite, "spike-triggered adaptation"},
        {"Delta_T", &params::Delta_T_mV, "mV", constraint::nonnegative, "slope factor of the exponential"},
        {"tau_w", &params::tau_w_ms, "ms", constraint::positive, "adaptation time constant"},
        {"V_th", &params::V_th_mV, "mV", constraint::finite, "spike initiation threshold"},
        {"V_peak", &params::V_peak_mV, "mV", constraint::finite, "spike detection threshold"},
        {"E_rev", &params::E_rev_mV, "mV", constraint::finite, "reversal potential, one per port"},
        {"tau_rise", &params::tau_rise_ms, "ms", constraint::positive, "conductance rise time, one per port"},
        {"tau_decay", &params::tau_decay_ms, "ms", constraint::positive, "conductance decay time, one per port"},
    };
    static std::vector<port_info> ports(const params& p) {
        return detail::numbered_ports(p.E_rev_mV.size(), weight_sign::nonnegative);
    }

    struct state {
        std::vector<double> V_m_mV, w_pA;
        std::vector<double> g_nS, dg;  // [port][neuron]
        std::vector<std::int32_t> refractory_steps;
        ode::vector_stepper stepper{detail::aeif_tolerance};
        std::vector<double> y;  // the integrator's state: V, w, then g and dg of each port
    };
    static constexpr state_field<state> state_table[] = {
        {"V_m", &state::V_m_mV, "mV", "membrane potential (initially E_L)"},
        {"w", &state::w_pA, "pA", "adaptation current"},
    };
    static constexpr port_state_field<state> port_state_table[] = {
        {"g", &state::g_nS, "nS", "synaptic conductance"},
        {"dg", &state::dg, "nS/ms", "synaptic conductance's rising component"},
    };
    static constexpr counter_field<state> counter_table[] = {{"refractory_steps", &state::refractory_steps}};

    struct propagators {
        double h_ms, V_peak_mV;
        std::vector<double> jump;  // per port
        std::int32_t t_ref_steps;
        detail::aeif_params scalar;  // the AdEx parameters, for the shared right-hand side
    };

    static detail::aeif_params scalar_params(const params& p) {
        detail::aeif_params s;
        s.C_m_pF = p.C_m_pF, s.t_ref_ms = p.t_ref_ms, s.V_reset_mV = p.V_reset_mV, s.E_L_mV = p.E_L_mV;
        s.g_L_nS = p.g_L_nS, s.I_e_pA = p.I_e_pA, s.a_nS = p.a_nS, s.b_pA = p.b_pA, s.Delta_T_mV = p.Delta_T_mV;
        s.tau_w_ms = p.tau_w_ms, s.V_th_mV = p.V_th_mV, s.V_peak_mV = p.V_peak_mV;
        return s;
    }

    static std::optional<param_problem> check(const params& p, double) {
        if (p.tau_rise_ms.size() != p.E_rev_mV.size())
            return param_problem{"tau_rise", fmt::format("{} values for {} ports (E_rev); one per port",
                                                         p.tau_rise_ms.size(), p.E_rev_mV.size())};
        if (p.tau_decay_ms.size() != p.E_rev_mV.size())
            return param_problem{"tau_decay", fmt::format("{} values for {} ports (E_rev); one per port",
                                                          p.tau_decay_ms.size(), p.E_rev_mV.size())};
        if (auto problem = detail::check_port_list("E_rev", p.E_rev_mV)) return problem;
        return detail::check_aeif(scalar_params(p));
    }
    static propagators prepare(const params& p, double h) {
        propagators k{h, p.Delta_T_mV > 0.0 ? p.V_peak_mV : p.V_th_mV, {},
                      static_cast<std::int32_t>(std::lround(p.t_ref_ms / h)), scalar_params(p)};
        for (std::size_t q = 0; q < p.E_rev_mV.size(); ++q)
            k.jump.push_back(beta_normalization(p.tau_rise_ms[q], p.tau_decay_ms[q]));
        return k;
    }
    static void resize(const params& p, state& s, std::size_t n) {
        const std::size_t n_ports = p.E_rev_mV.size();
        s.V_m_mV.assign(n, p.E_L_mV);
        s.w_pA.assign(n, 0.0);
        s.g_nS.assign(n * n_ports, 0.0);
        s.dg.assign(n * n_ports, 0.0);
        s.refractory_steps.assign(n, 0);
        s.y.assign(2 + 2 * n_ports, 0.0);
    }

    // y = (V, w, g_1, dg_1, g_2, dg_2, ...)
    static void rhs(const params& p, const detail::aeif_context& c, const std::vector<double>& y, std::vector<double>& f) {
        const std::size_t n_ports = p.E_rev_mV.size();
        const double V = c.refractory > 0 ? p.V_reset_mV : std::min(y[0], c.V_peak_mV);
        double I_syn = 0.0;
        for (std::size_t q = 0; q < n_ports; ++q) I_syn += y[2 + 2 * q] * (V - p.E_rev_mV[q]);
        if (c.refractory > 0) {
            f[0] = 0.0;
        } else {
            const double I_spike =
                p.Delta_T_mV == 0.0 ? 0.0 : p.g_L_nS * p.Delta_T_mV * std::exp((V - p.V_th_mV) / p.Delta_T_mV);
            f[0] = (-p.g_L_nS * (V - p.E_L_mV) + I_spike - I_syn - y[1] + p.I_e_pA + c.I_stim_pA) / p.C_m_pF;
        }
        f[1] = detail::aeif_dw(c, y[0], y[1]);
        for (std::size_t q = 0; q < n_ports; ++q) {
            f[2 + 2 * q] = y[3 + 2 * q] - y[2 + 2 * q] / p.tau_decay_ms[q];
            f[3 + 2 * q] = -y[3 + 2 * q] / p.tau_rise_ms[q];
        }
    }

    static void step(const params& p, const propagators& k, state& s, const neuron_input& in, spike_sink& out) {
        const std::size_t n = s.V_m_mV.size(), n_ports = p.E_rev_mV.size();
        auto& y = s.y;
        for (std::size_t i = 0; i < n; ++i) {
            y[0] = s.V_m_mV[i];
            y[1] = s.w_pA[i];
            for (std::size_t q = 0; q < n_ports; ++q) {
                y[2 + 2 * q] = s.g_nS[q * n + i];
                y[3 + 2 * q] = s.dg[q * n + i];
            }
            detail::aeif_context c{&k.scalar, in.current_pA[i], k.V_peak_mV, s.refractory_steps[i], k.t_ref_steps, false};
            s.stepper.integrate(
                y, k.h_ms, [&](const std::vector<double>& x, std::vector<double>& f) { rhs(p, c, x, f); },
                [&](std::vector<double>& x) {
                    if (c.refractory > 0) {
                        x[0] = p.V_reset_mV;
                    } else if (x[0] >= c.V_peak_mV) {  // as detail::aeif_after_substep
                        x[0] = p.V_reset_mV;
                        x[1] += p.b_pA;
                        c.refractory = c.t_ref_steps > 0 ? c.t_ref_steps + 1 : 0;
                        c.spiked = true;
                    }
                });
            if (c.refractory > 0) --c.refractory;
            if (c.spiked) out.emit(i);
            s.refractory_steps[i] = c.refractory;
            s.V_m_mV[i] = y[0];
            s.w_pA[i] = y[1];
            for (std::size_t q = 0; q < n_ports; ++q) {
                s.g_nS[q * n + i] = y[2 + 2 * q];
                s.dg[q * n + i] = y[3 + 2 * q] + in.port[q][i] * k.jump[q];
            }
        }
    }
};

}  // namespace myelin::models
