#pragma once
// hh_psc_alpha: the Hodgkin-Huxley neuron (Hodgkin & Huxley 1952, J Physiol 117:500-544)
// with alpha-shaped synaptic currents, as NEST's hh_psc_alpha (parameters, defaults, the
// rate functions of Gerstner & Kistler 2002 with V in mV, and NEST's spike detection).
//
//   C_m dV/dt = -g_Na m^3 h (V - E_Na) - g_K n^4 (V - E_K) - g_L (V - E_L)
//               + I_syn_ex + I_syn_in + I_e + I_stim
//   dx/dt     = alpha_x(V) (1 - x) - beta_x(V) x          x = m, h, n
//   alpha_n = 0.01 (V + 55) / (1 - e^(-(V + 55)/10))     beta_n = 0.125 e^(-(V + 65)/80)
//   alpha_m = 0.1 (V + 40) / (1 - e^(-(V + 40)/10))      beta_m = 4 e^(-(V + 65)/18)
//   alpha_h = 0.07 e^(-(V + 65)/20)                       beta_h = 1 / (1 + e^(-(V + 35)/10))
//   synaptic currents: alpha functions as iaf_psc_alpha's (a weight w peaks at w pA).
//
// alpha_n and alpha_m are evaluated as u/(1 - e^-u) with expm1, which is smooth through
// their removable singularities at V = -55 and -40 mV. A spike is emitted when V is at
// or above 0 mV and falling (the step passed the action potential's peak: NEST's rule),
// unless the neuron is within t_ref of its last spike; V is not reset.
// Integration: Dormand-Prince 5(4) with error control per step (models/ode.hpp), absolute
// tolerance 1e-6 and relative 1e-9, as the conductance-based LIF models.
#include <myelin/models/ode.hpp>
#include <myelin/simulator/model.hpp>

#include <array>
#include <cmath>
#include <cstdint>
#include <optional>

namespace myelin::models {

struct hh_psc_alpha {
    static constexpr std::string_view name = "hh_psc_alpha";
    static constexpr std::string_view summary = "Hodgkin-Huxley, alpha-shaped current synapses, adaptive Dormand-Prince";
    static constexpr std::string_view weight_unit = "pA";

    struct params {
        double t_ref_ms = 2.0, g_Na_nS = 12000.0, g_K_nS = 3600.0, g_L_nS = 30.0, C_m_pF = 100.0;
        double E_Na_mV = 50.0, E_K_mV = -77.0, E_L_mV = -54.402, tau_syn_ex_ms = 0.2, tau_syn_in_ms = 2.0, I_e_pA = 0.0;
    };
    static constexpr param_field<params> param_table[] = {
        {"t_ref", &params::t_ref_ms, "ms", constraint::nonnegative, "no new spike for this long after one"},
        {"g_Na", &params::g_Na_nS, "nS", constraint::nonnegative, "sodium peak conductance"},
        {"g_K", &params::g_K_nS, "nS", constraint::nonnegative, "potassium peak conductance"},
        {"g_L", &params::g_L_nS, "nS", constraint::nonnegative, "leak conductance"},
        {"C_m", &params::C_m_pF, "pF", constraint::positive, "membrane capacitance"},
        {"E_Na", &params::E_Na_mV, "mV", constraint::finite, "sodium reversal potential"},
        {"E_K", &params::E_K_mV, "mV", constraint::finite, "potassium reversal potential"},
        {"E_L", &params::E_L_mV, "mV", constraint::finite, "leak reversal potential"},
        {"tau_syn_ex", &params::tau_syn_ex_ms, "ms", constraint::positive, "excitatory synaptic rise time"},
        {"tau_syn_in", &params::tau_syn_in_ms, "ms", constraint::positive, "inhibitory synaptic rise time"},
        {"I_e", &params::I_e_pA, "pA", constraint::finite, "constant external current"},
    };

    struct state {
        std::vector<double> V_m_mV, m, h, n, I_syn_ex_pA, dI_syn_ex, I_syn_in_pA, dI_syn_in;
        std::vector<std::int32_t> refractory_steps;
    };
    static constexpr state_field<state> state_table[] = {
        {"V_m", &state::V_m_mV, "mV", "membrane potential (initially -65 mV)"},
        {"Act_m", &state::m, "1", "sodium activation (initially at rest for -65 mV)"},
        {"Inact_h", &state::h, "1", "sodium inactivation"},
        {"Act_n", &state::n, "1", "potassium activation"},
        {"I_syn_ex", &state::I_syn_ex_pA, "pA", "excitatory synaptic current"},
        {"dI_syn_ex", &state::dI_syn_ex, "pA/ms", "derivative of the excitatory current"},
        {"I_syn_in", &state::I_syn_in_pA, "pA", "inhibitory synaptic current"},
        {"dI_syn_in", &state::dI_syn_in, "pA/ms", "derivative of the inhibitory current"},
    };
    static constexpr counter_field<state> counter_table[] = {{"refractory_steps", &state::refractory_steps}};

    struct propagators {
        double h_ms, jump_ex, jump_in;
        std::int32_t t_ref_steps;
    };

    // u / (1 - e^-u), 1 at u = 0.
    static double ratio(double u) { return u == 0.0 ? 1.0 : u / -std::expm1(-u); }
    static double alpha_n(double V) { return 0.1 * ratio((V + 55.0) / 10.0); }
    static double beta_n(double V) { return 0.125 * std::exp(-(V + 65.0) / 80.0); }
    static double alpha_m(double V) { return ratio((V + 40.0) / 10.0); }
    static double beta_m(double V) { return 4.0 * std::exp(-(V + 65.0) / 18.0); }
    static double alpha_h(double V) { return 0.07 * std::exp(-(V + 65.0) / 20.0); }
    static double beta_h(double V) { return 1.0 / (1.0 + std::exp(-(V + 35.0) / 10.0)); }

    static std::optional<param_problem> check(const params&, double) { return std::nullopt; }
    static propagators prepare(const params& p, double h) {
        return {h, std::exp(1.0) / p.tau_syn_ex_ms, std::exp(1.0) / p.tau_syn_in_ms,
                static_cast<std::int32_t>(std::lround(p.t_ref_ms / h))};
    }
    static void resize(const params&, state& s, std::size_t n) {
        const double V = -65.0;
        s.V_m_mV.assign(n, V);
        s.m.assign(n, alpha_m(V) / (alpha_m(V) + beta_m(V)));
        s.h.assign(n, alpha_h(V) / (alpha_h(V) + beta_h(V)));
        s.n.assign(n, alpha_n(V) / (alpha_n(V) + beta_n(V)));
        for (auto* v : {&s.I_syn_ex_pA, &s.dI_syn_ex, &s.I_syn_in_pA, &s.dI_syn_in}) v->assign(n, 0.0);
        s.refractory_steps.assign(n, 0);
    }

    struct context {
        const params* p;
        double I_stim_pA;
    };
    // y = (V, m, h, n, I_ex, dI_ex, I_in, dI_in)
    static void rhs(const std::array<double, 8>& y, std::array<double, 8>& f, const void* ctx) {
        const auto& c = *static_cast<const context*>(ctx);
        const params& p = *c.p;
        const double V = y[0], m = y[1], h = y[2], n = y[3];
        const double I_Na = p.g_Na_nS * m * m * m * h * (V - p.E_Na_mV);
        const double I_K = p.g_K_nS * n * n * n * n * (V - p.E_K_mV);
        const double I_L = p.g_L_nS * (V - p.E_L_mV);
        f[0] = (-I_Na - I_K - I_L + y[4] + y[6] + p.I_e_pA + c.I_stim_pA) / p.C_m_pF;
        f[1] = alpha_m(V) * (1.0 - m) - beta_m(V) * m;
        f[2] = alpha_h(V) * (1.0 - h) - beta_h(V) * h;
        f[3] = alpha_n(V) * (1.0 - n) - beta_n(V) * n;
        f[4] = y[5] - y[4] / p.tau_syn_ex_ms;
        f[5] = -y[5] / p.tau_syn_ex_ms;
        f[6] = y[7] - y[6] / p.tau_syn_in_ms;
        f[7] = -y[7] / p.tau_syn_in_ms;
    }

    static void step(const params& p, const propagators& k, state& s, const neuron_input& in, spike_sink& out) {
        for (std::size_t i = 0; i < s.V_m_mV.size(); ++i) {
            std::array<double, 8> y{s.V_m_mV[i], s.m[i], s.h[i], s.n[i],
                                    s.I_syn_ex_pA[i], s.dI_syn_ex[i], s.I_syn_in_pA[i], s.dI_syn_in[i]};
            const double V_before = y[0];
            const context c{&p, in.current_pA[i]};
            ode::integrate(y, k.h_ms, {1e-6, 1e-9},
                           [&](const std::array<double, 8>& x, std::array<double, 8>& f) { rhs(x, f, &c); });
            if (s.refractory_steps[i] > 0) {
                --s.refractory_steps[i];
            } else if (y[0] >= 0.0 && V_before > y[0]) {  // past the peak of an action potential
                s.refractory_steps[i] = k.t_ref_steps;
                out.emit(i);
            }
            s.V_m_mV[i] = y[0];
            s.m[i] = y[1];
            s.h[i] = y[2];
            s.n[i] = y[3];
            s.I_syn_ex_pA[i] = y[4];
            s.dI_syn_ex[i] = y[5] + in.excitatory[i] * k.jump_ex;
            s.I_syn_in_pA[i] = y[6];
            s.dI_syn_in[i] = y[7] + in.inhibitory[i] * k.jump_in;
        }
    }
};

}  // namespace myelin::models
