#pragma once
// lif_cuba_discrete: the discrete-time current-based LIF neuron of surrogate-gradient
// training (snnTorch's `Synaptic`, NIR's `CubaLIF` discretised with the step; Zenke &
// Ganguli 2018, Neural Comput 30:1514; Neftci, Mostafa & Zenke 2019, IEEE Signal Process
// Mag 36:51), so that a network trained with learning/ runs here with the same spikes.
// Per step k -> k+1, with x the input of the step (weights arriving plus the stimulus
// current, dimensionless):
//
//   alpha = exp(-h/tau_syn), beta = exp(-h/tau_mem)
//   I <- alpha I + x
//   V <- beta V + I - theta S          (reset by subtraction, the default)
//   V <- (beta V + I) (1 - S)          (reset_to_zero)
//   S <- 1 if V - theta > 0 else 0     (a spike, stamped k+1)
//
// With t_ref > 0 (a whole number n of steps) a spike is blocked in the n steps after one
// (absolute refractoriness; V and I go on as above), as learning/ trains it.
//
// S is the previous step's spike, so the reset acts one step after the spike, as in
// training. Weights and currents are in the units of V (theta = 1 by default). A
// synapse's minimal delay is one step: layer l+1 of a trained feed-forward network runs
// one step behind layer l here (in training a spike reaches the next layer in its step);
// recurrent input (from the step before) arrives exactly as in training.
#include <myelin/simulator/model.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <optional>

namespace myelin::models {

struct lif_cuba_discrete {
    static constexpr std::string_view name = "lif_cuba_discrete";
    static constexpr std::string_view summary = "discrete-time current-based LIF of surrogate-gradient training";
    static constexpr std::string_view weight_unit = "1";

    struct params {
        double tau_syn_ms = 5.0, tau_mem_ms = 10.0, theta = 1.0, t_ref_ms = 0.0;
        bool reset_to_zero = false;
    };
    static constexpr param_field<params> param_table[] = {
        {"tau_syn", &params::tau_syn_ms, "ms", constraint::positive, "synaptic time constant: alpha = exp(-h/tau_syn)"},
        {"tau_mem", &params::tau_mem_ms, "ms", constraint::positive, "membrane time constant: beta = exp(-h/tau_mem)"},
        {"theta", &params::theta, "", constraint::positive, "threshold"},
        {"reset_to_zero", &params::reset_to_zero, "", constraint::any,
         "reset V to zero after a spike instead of subtracting theta"},
        {"t_ref", &params::t_ref_ms, "ms", constraint::nonnegative,
         "refractory period: no spike in the t_ref / h steps after one (a multiple of h)"},
    };

    struct state {
        std::vector<double> I, V, S, R;
    };
    static constexpr state_field<state> state_table[] = {
        {"I", &state::I, "", "synaptic current"},
        {"V", &state::V, "", "membrane potential"},
        {"S", &state::S, "", "spike of the last step (0 or 1)"},
        {"R", &state::R, "", "refractory steps left"},
    };

    struct propagators {
        double alpha, beta, n_ref;
    };

    static std::optional<param_problem> check(const params& p, double h_ms) {
        const double n = p.t_ref_ms / h_ms;
        if (std::abs(n - std::round(n)) > 1e-9 * std::max(1.0, n))
            return param_problem{"t_ref", fmt::format("t_ref = {} ms; must be a whole number of steps of {} ms",
                                                      p.t_ref_ms, h_ms)};
        return std::nullopt;
    }
    static propagators prepare(const params& p, double h_ms) {
        return {std::exp(-h_ms / p.tau_syn_ms), std::exp(-h_ms / p.tau_mem_ms), std::round(p.t_ref_ms / h_ms)};
    }
    static void resize(const params&, state& s, std::size_t n) {
        s.I.assign(n, 0.0);
        s.V.assign(n, 0.0);
        s.S.assign(n, 0.0);
        s.R.assign(n, 0.0);
    }

    static void step(const params& p, const propagators& k, state& s, const neuron_input& in, spike_sink& out) {
        const std::size_t n = s.V.size();
        for (std::size_t i = 0; i < n; ++i) {
            s.I[i] = k.alpha * s.I[i] + (in.excitatory[i] + in.inhibitory[i] + in.current_pA[i]);
            const double V = k.beta * s.V[i] + s.I[i];
            s.V[i] = p.reset_to_zero ? V * (1.0 - s.S[i]) : V - p.theta * s.S[i];
            const bool refractory = s.R[i] > 0.0;
            if (refractory) s.R[i] -= 1.0;
            s.S[i] = !refractory && s.V[i] - p.theta > 0.0 ? 1.0 : 0.0;
            if (s.S[i] != 0.0) {
                s.R[i] = k.n_ref;
                out.emit(i);
            }
        }
    }
};

}  // namespace myelin::models
