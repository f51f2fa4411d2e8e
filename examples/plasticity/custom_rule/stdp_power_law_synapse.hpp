#pragma once
// stdp_power_law_synapse: the power-law STDP of Morrison, Aertsen & Diesmann (2007,
// Neural Comput 19:1437), a worked example of a rule written outside Myelin (see
// docs/plasticity.md). Presynaptic trace x (tau_plus), postsynaptic trace y (tau_minus):
//
//   postsynaptic spike:  w <- w + lambda w0^(1 - mu) w^mu x
//   presynaptic spike:   w <- max(0, w - lambda alpha w y)
//
// For independent Poisson spike trains the expected change vanishes at
//   w* = w0 (tau_plus / (alpha tau_minus))^(1 / (1 - mu)),
// a stable fixed point that the weights fluctuate around.
#include <myelin/simulator/lanes.hpp>
#include <myelin/simulator/model.hpp>
#include <myelin/simulator/trace_spec.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <optional>

struct stdp_power_law_synapse {
    // 1. The name configs use, and a line for `myelin models`.
    static constexpr std::string_view name = "stdp_power_law_synapse";
    static constexpr std::string_view summary = "power-law STDP (Morrison et al. 2007)";

    // 2. Parameters: names, units, the values they may take, a line of documentation.
    struct params {
        double tau_plus_ms = 20.0, tau_minus_ms = 20.0, lambda = 0.1, alpha = 0.0513, mu = 0.4, w0 = 1.0;
    };
    static constexpr myelin::param_field<params> param_table[] = {
        {"tau_plus", &params::tau_plus_ms, "ms", myelin::constraint::positive, "presynaptic trace"},
        {"tau_minus", &params::tau_minus_ms, "ms", myelin::constraint::positive, "postsynaptic trace"},
        {"lambda", &params::lambda, "", myelin::constraint::nonnegative, "learning rate"},
        {"alpha", &params::alpha, "", myelin::constraint::nonnegative, "depression relative to potentiation"},
        {"mu", &params::mu, "", myelin::constraint::nonnegative, "exponent of the weight dependence"},
        {"w0", &params::w0, "", myelin::constraint::positive, "reference weight (target's weight unit)"},
    };
    // Checks across parameters (none needed beyond the table's here) and the weights a
    // projection may start with.
    static std::optional<myelin::param_problem> check(const params& p, double) {
        if (p.mu >= 1.0) return myelin::param_problem{"mu", fmt::format("mu = {}; must be < 1", p.mu)};
        return std::nullopt;
    }
    static std::pair<double, double> weight_range(const params&) {
        return {0.0, std::numeric_limits<double>::max()};
    }

    // 3. Traces: one presynaptic, one postsynaptic, both all-to-all.
    static constexpr std::size_t n_pre = 1, n_post = 1;
    static constexpr std::string_view pre_trace_names[n_pre] = {"x"};
    static std::array<myelin::trace_spec, n_pre> pre_traces(const params& p) { return {{{p.tau_plus_ms, false}}}; }
    static std::array<myelin::trace_spec, n_post> post_traces(const params& p) { return {{{p.tau_minus_ms, false}}}; }

    // 4. The updates, over a number type V: double, or myelin::f64x4 to update four
    // synapses at once. Hence myelin::pow and myelin::max, which take both.
    template <class V>
    static V on_post(const params& p, V w, const V* pre) {
        return w + p.lambda * std::pow(p.w0, 1.0 - p.mu) * myelin::pow(w, p.mu) * pre[0];
    }
    template <class V>
    static V on_pre(const params& p, V w, const V* post, const V*) {
        return myelin::max(0.0, w - p.lambda * p.alpha * w * post[0]);
    }
};
