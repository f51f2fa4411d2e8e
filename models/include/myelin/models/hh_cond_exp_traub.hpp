#pragma once
// hh_cond_exp_traub: the Hodgkin-Huxley type neuron of Traub & Miles (1991, "Neuronal
// networks of the hippocampus", Cambridge UP) as reduced for the simulator review of
// Brette et al. (2007, J Comput Neurosci 23:349-398, the "HH COBA" benchmark), with
// exponential conductance synapses: NEST's hh_cond_exp_traub (parameters, defaults,
// initial state, spike rule) and PyNN's HH_cond_exp.
//
//   C_m dV/dt = -g_Na m^3 h (V - E_Na) - g_K n^4 (V - E_K) - g_L (V - E_L)
//               - g_ex (V - E_ex) - g_in (V - E_in) + I_e + I_stim
//   dx/dt     = alpha_x(u) - (alpha_x(u) + beta_x(u)) x,   x = m, h, n,   u = V - V_T
//   alpha_n = 0.032 (15 - u) / (e^((15 - u)/5) - 1)    beta_n = 0.5 e^((10 - u)/40)
//   alpha_m = 0.32 (13 - u) / (e^((13 - u)/4) - 1)     beta_m = 0.28 (u - 40) / (e^((u - 40)/5) - 1)
//   alpha_h = 0.128 e^((17 - u)/18)                    beta_h = 4 / (1 + e^((40 - u)/5))
//   dg_ex/dt = -g_ex / tau_syn_ex,  dg_in/dt = -g_in / tau_syn_in; a weight w (nS) steps
//   g_ex by w (w >= 0) or g_in by -w (w < 0) at the end of the step it arrives in.
//
// The three quotients are evaluated as x/(e^x - 1) with expm1, smooth through their
// removable singularities (u = 15, 13, 40 mV). The gating variables start at NEST's
// "equilibrium" values: the rates above evaluated with u = E_L (not E_L - V_T: NEST's
// choice, kept so that the first milliseconds match NEST's); V starts at E_L. A spike is
// emitted when V >= V_T + 30 mV and V fell during the step (the action potential's peak
// has passed), unless the neuron is within t_ref of its last spike; V is not reset.
// Integration: Dormand-Prince 5(4) with error control per step (models/ode.hpp), absolute
// tolerance 1e-6 and relative 1e-9, as hh_psc_alpha (NEST uses RKF45 at 1e-3 absolute).
#include <myelin/models/ode.hpp>
#include <myelin/simulator/model.hpp>

#include <array>
#include <cmath>
#include <cstdint>
#include <optional>

namespace myelin::models {

struct hh_cond_exp_traub {
    static constexpr std::string_view name = "hh_cond_exp_traub";
    static constexpr std::string_view summary = "Traub-Miles Hodgkin-Huxley, exponential conductance synapses, adaptive Dormand-Prince";
    static constexpr std::string_view weight_unit = "nS";

    struct params {
        double g_Na_nS = 20000.0, g_K_nS = 6000.0, g_L_nS = 10.0, C_m_pF = 200.0;
        double E_Na_mV = 50.0, E_K_mV = -90.0, E_L_mV = -60.0, V_T_mV = -63.0, E_ex_mV = 0.0, E_in_mV = -80.0;
        double tau_syn_ex_ms = 5.0, tau_syn_in_ms = 10.0, t_ref_ms = 2.0, I_e_pA = 0.0;
    };
    static constexpr param_field<params> param_table[] = {
        {"g_Na", &params::g_Na_nS, "nS", constraint::nonnegative, "sodium peak conductance"},
        {"g_K", &params::g_K_nS, "nS", constraint::nonnegative, "potassium peak conductance"},
        {"g_L", &params::g_L_nS, "nS", constraint::nonnegative, "leak conductance"},
        {"C_m", &params::C_m_pF, "pF", constraint::positive, "membrane capacitance"},
        {"E_Na", &params::E_Na_mV, "mV", constraint::finite, "sodium reversal potential"},
        {"E_K", &params::E_K_mV, "mV", constraint::finite, "potassium reversal potential"},
        {"E_L", &params::E_L_mV, "mV", constraint::finite, "leak reversal potential"},
        {"V_T", &params::V_T_mV, "mV", constraint::finite, "offset of the rate functions (-63 mV: threshold near -50 mV)"},
        {"E_ex", &params::E_ex_mV, "mV", constraint::finite, "excitatory reversal potential"},
        {"E_in", &params::E_in_mV, "mV", constraint::finite, "inhibitory reversal potential"},
        {"tau_syn_ex", &params::tau_syn_ex_ms, "ms", constraint::positive, "excitatory synaptic time constant"},
        {"tau_syn_in", &params::tau_syn_in_ms, "ms", constraint::positive, "inhibitory synaptic time constant"},
        {"t_ref", &params::t_ref_ms, "ms", constraint::nonnegative, "no new spike for this long after one"},
        {"I_e", &params::I_e_pA, "pA", constraint::finite, "constant external current"},
    };

    struct state {
        std::vector<double> V_m_mV, m, h, n, g_ex_nS, g_in_nS;
        std::vector<std::int32_t> refractory_steps;
    };
    static constexpr state_field<state> state_table[] = {
        {"V_m", &state::V_m_mV, "mV", "membrane potential (initially E_L)"},
        {"Act_m", &state::m, "1", "sodium activation"},
        {"Inact_h", &state::h, "1", "sodium inactivation"},
        {"Act_n", &state::n, "1", "potassium activation"},
        {"g_ex", &state::g_ex_nS, "nS", "excitatory conductance"},
        {"g_in", &state::g_in_nS, "nS", "inhibitory conductance"},
    };
    static constexpr counter_field<state> counter_table[] = {{"refractory_steps", &state::refractory_steps}};

    struct propagators {
        double h_ms;
        std::int32_t t_ref_steps;
    };

    // x / (e^x - 1), 1 at x = 0.
    static double quotient(double x) { return x == 0.0 ? 1.0 : x / std::expm1(x); }
    struct rates {
        double alpha_m, beta_m, alpha_h, beta_h, alpha_n, beta_n;
    };
    static rates rates_at(double u) {
        return {1.28 * quotient((13.0 - u) / 4.0), 1.4 * quotient((u - 40.0) / 5.0),
                0.128 * std::exp((17.0 - u) / 18.0), 4.0 / (1.0 + std::exp((40.0 - u) / 5.0)),
                0.16 * quotient((15.0 - u) / 5.0), 0.5 * std::exp((10.0 - u) / 40.0)};
    }

    static std::optional<param_problem> check(const params&, double) { return std::nullopt; }
    static propagators prepare(const params& p, double h) {
        return {h, static_cast<std::int32_t>(std::lround(p.t_ref_ms / h))};
    }
    static void resize(const params& p, state& s, std::size_t n) {
        const rates r = rates_at(p.E_L_mV);  // NEST's initial values (see above)
        s.V_m_mV.assign(n, p.E_L_mV);
        s.m.assign(n, r.alpha_m / (r.alpha_m + r.beta_m));
        s.h.assign(n, r.alpha_h / (r.alpha_h + r.beta_h));
        s.n.assign(n, r.alpha_n / (r.alpha_n + r.beta_n));
        s.g_ex_nS.assign(n, 0.0);
        s.g_in_nS.assign(n, 0.0);
        s.refractory_steps.assign(n, 0);
    }

    // y = (V, m, h, n, g_ex, g_in)
    static void rhs(const params& p, double I_stim_pA, const std::array<double, 6>& y, std::array<double, 6>& f) {
        const double V = y[0], m = y[1], h = y[2], n = y[3];
        const double I_Na = p.g_Na_nS * m * m * m * h * (V - p.E_Na_mV);
        const double I_K = p.g_K_nS * n * n * n * n * (V - p.E_K_mV);
        const double I_L = p.g_L_nS * (V - p.E_L_mV);
        const double I_syn = y[4] * (V - p.E_ex_mV) + y[5] * (V - p.E_in_mV);
        f[0] = (-I_Na - I_K - I_L - I_syn + p.I_e_pA + I_stim_pA) / p.C_m_pF;
        const rates r = rates_at(V - p.V_T_mV);
        f[1] = r.alpha_m - (r.alpha_m + r.beta_m) * m;
        f[2] = r.alpha_h - (r.alpha_h + r.beta_h) * h;
        f[3] = r.alpha_n - (r.alpha_n + r.beta_n) * n;
        f[4] = -y[4] / p.tau_syn_ex_ms;
        f[5] = -y[5] / p.tau_syn_in_ms;
    }

    static void step(const params& p, const propagators& k, state& s, const neuron_input& in, spike_sink& out) {
        for (std::size_t i = 0; i < s.V_m_mV.size(); ++i) {
            std::array<double, 6> y{s.V_m_mV[i], s.m[i], s.h[i], s.n[i], s.g_ex_nS[i], s.g_in_nS[i]};
            const double V_before = y[0], I_stim = in.current_pA[i];
            ode::integrate(y, k.h_ms, {1e-6, 1e-9},
                           [&](const std::array<double, 6>& x, std::array<double, 6>& f) { rhs(p, I_stim, x, f); });
            if (s.refractory_steps[i] > 0) {
                --s.refractory_steps[i];
            } else if (y[0] >= p.V_T_mV + 30.0 && V_before > y[0]) {  // past the peak of an action potential
                s.refractory_steps[i] = k.t_ref_steps;
                out.emit(i);
            }
            s.V_m_mV[i] = y[0];
            s.m[i] = y[1];
            s.h[i] = y[2];
            s.n[i] = y[3];
            s.g_ex_nS[i] = y[4] + in.excitatory[i];
            s.g_in_nS[i] = y[5] - in.inhibitory[i];  // inhibitory weights are negative
        }
    }
};

}  // namespace myelin::models
