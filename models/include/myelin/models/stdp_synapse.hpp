#pragma once
// stdp_synapse: pair-based spike-timing-dependent plasticity with the weight dependence
// of Gütig, Aharonov, Rotter & Sompolinsky (2003, J Neurosci 23:3697), as NEST's
// stdp_synapse (and, with `nearest`, NEST's stdp_nn_symm_synapse). With w^ = w / Wmax:
//
//   postsynaptic spike:  w^ <- min(1, w^ + lambda (1 - w^)^mu_plus x)
//   presynaptic spike:   w^ <- max(0, w^ - alpha lambda w^^mu_minus y)
//
// x is the presynaptic trace (time constant tau_plus), y the postsynaptic one (tau_minus),
// each read at the moment the other spike reaches the synapse. All-to-all pairing: each
// trace jumps by 1 per spike, so every pre/post pair counts; nearest (symmetric nearest-
// neighbour): each trace is reset to 1, so a spike pairs only with the nearest earlier
// spike of the other side. mu = 0 gives additive STDP (van Rossum et al. 2000; Song et al.
// 2000), mu = 1 multiplicative. The pair window is, for dt = t_post + delay - t_pre:
//   dt > 0: lambda (1 - w^)^mu_plus exp(-dt / tau_plus) Wmax;
//   dt < 0: -alpha lambda w^^mu_minus exp(dt / tau_minus) Wmax.
// Unlike NEST, tau_minus is the synapse's parameter, not the neuron's.
#include <myelin/simulator/lanes.hpp>
#include <myelin/simulator/model.hpp>
#include <myelin/simulator/trace_spec.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <optional>

namespace myelin::models {

// x^mu, with the exponents of the multiplicative and additive rules done without pow.
// In the one-at-a-time synapse loop the compiler hoists the tests out (see
// models/CMakeLists.txt); the four-at-a-time loop tests once per four synapses.
template <class V>
V weight_power(V x, double mu) {
    if (mu == 1.0) return x;
    if (mu == 0.0) return 1.0;
    return pow(x, mu);
}

struct stdp_synapse {
    static constexpr std::string_view name = "stdp_synapse";
    static constexpr std::string_view summary = "pair-based STDP, additive to multiplicative (Gutig et al. 2003)";

    struct params {
        double tau_plus_ms = 20.0, tau_minus_ms = 20.0, lambda = 0.01, alpha = 1.0, mu_plus = 1.0, mu_minus = 1.0,
               Wmax = 100.0;
        bool nearest = false;
    };
    static constexpr param_field<params> param_table[] = {
        {"tau_plus", &params::tau_plus_ms, "ms", constraint::positive, "presynaptic trace (potentiation window)"},
        {"tau_minus", &params::tau_minus_ms, "ms", constraint::positive, "postsynaptic trace (depression window)"},
        {"lambda", &params::lambda, "", constraint::nonnegative, "learning rate, in units of Wmax"},
        {"alpha", &params::alpha, "", constraint::nonnegative, "depression relative to potentiation"},
        {"mu_plus", &params::mu_plus, "", constraint::nonnegative, "weight dependence of potentiation (0 additive)"},
        {"mu_minus", &params::mu_minus, "", constraint::nonnegative, "weight dependence of depression (0 additive)"},
        {"Wmax", &params::Wmax, "", constraint::positive, "upper bound of the weight (target's weight unit)"},
        {"nearest", &params::nearest, "", constraint::any, "nearest-neighbour pairing instead of all-to-all"},
    };

    static std::optional<param_problem> check(const params& p, double) {
        if (!std::isfinite(p.Wmax)) return param_problem{"Wmax", fmt::format("Wmax = {}; must be finite", p.Wmax)};
        return std::nullopt;
    }
    static std::pair<double, double> weight_range(const params& p) { return {0.0, p.Wmax}; }

    static constexpr std::size_t n_pre = 1, n_post = 1;
    static constexpr std::string_view pre_trace_names[n_pre] = {"x"};
    static std::array<trace_spec, n_pre> pre_traces(const params& p) { return {{{p.tau_plus_ms, p.nearest}}}; }
    static std::array<trace_spec, n_post> post_traces(const params& p) { return {{{p.tau_minus_ms, p.nearest}}}; }

    // In the weight's units: w + lambda Wmax (1 - w/Wmax)^mu_plus x, and for mu = 1
    // w (1 - lambda x) + lambda x Wmax, where x does not wait on w: a synapse's updates
    // follow one another, so the fewer operations between w and the next w, the more
    // synapses' updates the processor overlaps (docs/performance.md). w * (1 / Wmax)
    // rather than w / Wmax: in a synapse loop the reciprocal is computed once, and a
    // division per update would cost more than the rest of the rule. V is double or,
    // four synapses at once, f64x4 (see docs/plasticity.md).
    template <class V>
    static V on_post(const params& p, V w, const V* pre) {
        const V a = p.lambda * pre[0];
        if (p.mu_plus == 1.0) return min(p.Wmax, w * (1.0 - a) + a * p.Wmax);
        return min(p.Wmax, w + a * p.Wmax * weight_power(1.0 - w * (1.0 / p.Wmax), p.mu_plus));
    }
    template <class V>
    static V on_pre(const params& p, V w, const V* post, const V*) {
        const V b = p.alpha * p.lambda * post[0];
        if (p.mu_minus == 1.0) return max(0.0, w * (1.0 - b));
        return max(0.0, w - b * p.Wmax * weight_power(w * (1.0 / p.Wmax), p.mu_minus));
    }
};

}  // namespace myelin::models
