#pragma once
// vogels_sprekeler_synapse: inhibitory spike-timing plasticity of Vogels, Sprekeler,
// Zenke, Clopath & Gerstner (2011, Science 334:1569), as NEST's vogels_sprekeler_synapse.
// Pre- and postsynaptic traces x, y share one time constant tau; on the magnitude of the
// (negative, inhibitory) weight, |w| in [0, Wmax]:
//
//   postsynaptic spike:  |w| <- min(Wmax, |w| + eta x)
//   presynaptic spike:   |w| <- max(0,    |w| + eta (y - alpha))
//
// A symmetric window (near-coincident spikes strengthen inhibition) plus a constant
// depression per presynaptic spike: the rule settles where the postsynaptic rate is the
// target rate rho_0 = alpha / (2 tau). Unlike NEST's (which reads the neuron's tau_minus
// for y), both traces use this synapse's tau.
#include <myelin/simulator/lanes.hpp>
#include <myelin/simulator/model.hpp>
#include <myelin/simulator/trace_spec.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <optional>

namespace myelin::models {

struct vogels_sprekeler_synapse {
    static constexpr std::string_view name = "vogels_sprekeler_synapse";
    static constexpr std::string_view summary = "inhibitory STDP towards a target rate (Vogels et al. 2011)";

    struct params {
        double tau_ms = 20.0, eta = 0.001, alpha = 0.12, Wmax = 1.0;
    };
    static constexpr param_field<params> param_table[] = {
        {"tau", &params::tau_ms, "ms", constraint::positive, "pre- and postsynaptic trace"},
        {"eta", &params::eta, "", constraint::nonnegative, "learning rate (target's weight unit)"},
        {"alpha", &params::alpha, "", constraint::nonnegative, "depression per presynaptic spike: 2 rho_0 tau"},
        {"Wmax", &params::Wmax, "", constraint::positive, "largest inhibitory weight magnitude"},
    };

    static std::optional<param_problem> check(const params& p, double) {
        if (!std::isfinite(p.Wmax)) return param_problem{"Wmax", fmt::format("Wmax = {}; must be finite", p.Wmax)};
        return std::nullopt;
    }
    // Inhibitory: weights are negative.
    static std::pair<double, double> weight_range(const params& p) { return {-p.Wmax, 0.0}; }

    static constexpr std::size_t n_pre = 1, n_post = 1;
    static constexpr std::string_view pre_trace_names[n_pre] = {"x"};
    static std::array<trace_spec, n_pre> pre_traces(const params& p) { return {{{p.tau_ms, false}}}; }
    static std::array<trace_spec, n_post> post_traces(const params& p) { return {{{p.tau_ms, false}}}; }

    // V: double, or f64x4 for four synapses at once (docs/plasticity.md).
    template <class V>
    static V on_post(const params& p, V w, const V* pre) {
        return -min(p.Wmax, -w + p.eta * pre[0]);
    }
    template <class V>
    static V on_pre(const params& p, V w, const V* post, const V*) {
        return -clamp(-w + p.eta * (post[0] - p.alpha), 0.0, p.Wmax);
    }
};

}  // namespace myelin::models
