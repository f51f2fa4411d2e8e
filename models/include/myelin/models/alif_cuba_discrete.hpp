#pragma once
// alif_cuba_discrete: lif_cuba_discrete with an adaptive threshold, the ALIF of the LSNN
// (Bellec, Salaj, Subramoney, Legenstein & Maass 2018, "Long short-term memory and
// learning-to-learn in networks of spiking neurons", NeurIPS), in the discrete update of
// learning/'s `alif` layer, so that a trained adaptive network runs here with the same
// spikes. Per step k -> k+1, with x the input of the step (weights arriving plus the
// stimulus current, dimensionless) and S the previous step's spike:
//
//   alpha = exp(-h/tau_syn), beta = exp(-h/tau_mem), rho = exp(-h/tau_adapt)
//   I <- alpha I + x
//   V <- beta V + I - theta S
//   A <- rho A + S
//   S <- 1 if V - theta - adapt A > 0 else 0     (a spike, stamped k+1)
//
// The threshold theta + adapt A rises by `adapt` with each spike and decays back with
// tau_adapt; the reset subtracts theta (Bellec's v_th). With t_ref > 0 (a whole number n
// of steps) a spike is blocked in the n steps after one (V, I and A go on).
#include <myelin/simulator/model.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <optional>

namespace myelin::models {

struct alif_cuba_discrete {
    static constexpr std::string_view name = "alif_cuba_discrete";
    static constexpr std::string_view summary = "discrete-time current-based adaptive LIF (LSNN) of surrogate-gradient training";
    static constexpr std::string_view weight_unit = "1";

    struct params {
        double tau_syn_ms = 5.0, tau_mem_ms = 10.0, theta = 1.0, tau_adapt_ms = 200.0, adapt = 1.8, t_ref_ms = 0.0;
    };
    static constexpr param_field<params> param_table[] = {
        {"tau_syn", &params::tau_syn_ms, "ms", constraint::positive, "synaptic time constant: alpha = exp(-h/tau_syn)"},
        {"tau_mem", &params::tau_mem_ms, "ms", constraint::positive, "membrane time constant: beta = exp(-h/tau_mem)"},
        {"theta", &params::theta, "", constraint::positive, "baseline threshold, subtracted at the reset"},
        {"tau_adapt", &params::tau_adapt_ms, "ms", constraint::positive,
         "adaptation time constant: rho = exp(-h/tau_adapt)"},
        {"adapt", &params::adapt, "", constraint::nonnegative, "threshold increase per unit of adaptation A"},
        {"t_ref", &params::t_ref_ms, "ms", constraint::nonnegative,
         "refractory period: no spike in the t_ref / h steps after one (a multiple of h)"},
    };

    struct state {
        std::vector<double> I, V, A, S, R;
    };
    static constexpr state_field<state> state_table[] = {
        {"I", &state::I, "", "synaptic current"},
        {"V", &state::V, "", "membrane potential"},
        {"A", &state::A, "", "adaptation (the threshold is theta + adapt A)"},
        {"S", &state::S, "", "spike of the last step (0 or 1)"},
        {"R", &state::R, "", "refractory steps left"},
    };

    struct propagators {
        double alpha, beta, rho, n_ref;
    };

    static std::optional<param_problem> check(const params& p, double h_ms) {
        const double n = p.t_ref_ms / h_ms;
        if (std::abs(n - std::round(n)) > 1e-9 * std::max(1.0, n))
            return param_problem{"t_ref", fmt::format("t_ref = {} ms; must be a whole number of steps of {} ms",
                                                      p.t_ref_ms, h_ms)};
        return std::nullopt;
    }
    static propagators prepare(const params& p, double h_ms) {
        return {std::exp(-h_ms / p.tau_syn_ms), std::exp(-h_ms / p.tau_mem_ms), std::exp(-h_ms / p.tau_adapt_ms),
                std::round(p.t_ref_ms / h_ms)};
    }
    static void resize(const params&, state& s, std::size_t n) {
        for (auto* v : {&s.I, &s.V, &s.A, &s.S, &s.R}) v->assign(n, 0.0);
    }

    static void step(const params& p, const propagators& k, state& s, const neuron_input& in, spike_sink& out) {
        const std::size_t n = s.V.size();
        for (std::size_t i = 0; i < n; ++i) {
            s.I[i] = k.alpha * s.I[i] + (in.excitatory[i] + in.inhibitory[i] + in.current_pA[i]);
            s.V[i] = (k.beta * s.V[i] + s.I[i]) - p.theta * s.S[i];
            s.A[i] = k.rho * s.A[i] + s.S[i];
            const bool refractory = s.R[i] > 0.0;
            if (refractory) s.R[i] -= 1.0;
            s.S[i] = !refractory && s.V[i] - p.theta - p.adapt * s.A[i] > 0.0 ? 1.0 : 0.0;
            if (s.S[i] != 0.0) {
                s.R[i] = k.n_ref;
                out.emit(i);
            }
        }
    }
};

}  // namespace myelin::models
