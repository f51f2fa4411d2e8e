#pragma once
// stdp_triplet_synapse: the triplet rule of Pfister & Gerstner (2006, J Neurosci
// 26:9673), as NEST's stdp_triplet_synapse. Presynaptic traces r1 (tau_plus) and r2
// (tau_plus_triplet), postsynaptic o1 (tau_minus) and o2 (tau_minus_triplet):
//
//   postsynaptic spike:  w <- min(Wmax, w + r1 (Aplus + Aplus_triplet o2))
//   presynaptic spike:   w <- max(0,    w - o1 (Aminus + Aminus_triplet r2))
//
// o2 and r2 are read just before the spike's own increment. All-to-all: every trace jumps
// by 1 per spike; `nearest` gives Pfister & Gerstner's minimal (nearest-spike) model, in
// which every trace is reset to 1. Defaults: the all-to-all fit to visual cortex data
// (their Table 4). Weights and amplitudes are in the target's weight unit (not scaled by
// Wmax, as in NEST). Unlike NEST, tau_minus and tau_minus_triplet are the synapse's
// parameters, not the neuron's.
#include <myelin/simulator/lanes.hpp>
#include <myelin/simulator/model.hpp>
#include <myelin/simulator/trace_spec.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <optional>

namespace myelin::models {

struct stdp_triplet_synapse {
    static constexpr std::string_view name = "stdp_triplet_synapse";
    static constexpr std::string_view summary = "triplet STDP, all-to-all or minimal (Pfister & Gerstner 2006)";

    struct params {
        double tau_plus_ms = 16.8, tau_plus_triplet_ms = 101.0, tau_minus_ms = 33.7, tau_minus_triplet_ms = 125.0,
               Aplus = 5e-10, Aplus_triplet = 6.2e-3, Aminus = 7e-3, Aminus_triplet = 2.3e-4, Wmax = 100.0;
        bool nearest = false;
    };
    static constexpr param_field<params> param_table[] = {
        {"tau_plus", &params::tau_plus_ms, "ms", constraint::positive, "presynaptic trace r1"},
        {"tau_plus_triplet", &params::tau_plus_triplet_ms, "ms", constraint::positive, "presynaptic trace r2 (tau_x)"},
        {"tau_minus", &params::tau_minus_ms, "ms", constraint::positive, "postsynaptic trace o1"},
        {"tau_minus_triplet", &params::tau_minus_triplet_ms, "ms", constraint::positive, "postsynaptic trace o2 (tau_y)"},
        {"Aplus", &params::Aplus, "", constraint::nonnegative, "pair potentiation amplitude (A2+)"},
        {"Aplus_triplet", &params::Aplus_triplet, "", constraint::nonnegative, "triplet potentiation amplitude (A3+)"},
        {"Aminus", &params::Aminus, "", constraint::nonnegative, "pair depression amplitude (A2-)"},
        {"Aminus_triplet", &params::Aminus_triplet, "", constraint::nonnegative, "triplet depression amplitude (A3-)"},
        {"Wmax", &params::Wmax, "", constraint::positive, "upper bound of the weight (target's weight unit)"},
        {"nearest", &params::nearest, "", constraint::any, "minimal model: nearest-spike traces"},
    };

    static std::optional<param_problem> check(const params& p, double) {
        if (!std::isfinite(p.Wmax)) return param_problem{"Wmax", fmt::format("Wmax = {}; must be finite", p.Wmax)};
        return std::nullopt;
    }
    static std::pair<double, double> weight_range(const params& p) { return {0.0, p.Wmax}; }

    static constexpr std::size_t n_pre = 2, n_post = 2;
    static constexpr std::string_view pre_trace_names[n_pre] = {"r1", "r2"};
    static std::array<trace_spec, n_pre> pre_traces(const params& p) {
        return {{{p.tau_plus_ms, p.nearest}, {p.tau_plus_triplet_ms, p.nearest}}};
    }
    static std::array<trace_spec, n_post> post_traces(const params& p) {
        return {{{p.tau_minus_ms, p.nearest}, {p.tau_minus_triplet_ms, p.nearest}}};
    }

    // V: double, or f64x4 for four synapses at once (docs/plasticity.md).
    template <class V>
    static V on_post(const params& p, V w, const V* pre, const V* post_before) {
        return min(p.Wmax, w + pre[0] * (p.Aplus + p.Aplus_triplet * post_before[1]));
    }
    template <class V>
    static V on_pre(const params& p, V w, const V* post, const V* pre_before) {
        return max(0.0, w - post[0] * (p.Aminus + p.Aminus_triplet * pre_before[1]));
    }
};

}  // namespace myelin::models
