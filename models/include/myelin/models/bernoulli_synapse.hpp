#pragma once
// bernoulli_synapse: a static synapse that transmits each presynaptic spike with
// probability p_transmit and otherwise nothing (NEST's bernoulli_synapse; PyNN's
// SimpleStochasticSynapse, parameter p). Each (spike, synapse) draw is independent.
//
// The draw must not depend on how the network is split: it comes from a counter-based
// stream keyed by (seed, projection; the pair source x n_target + target, population-local;
// the spike's time stamp and the synapse's rank among multapses of the pair), where the
// engine gives the target's population-local index (synapse_spike::target_index_base).
#include <myelin/core/rng.hpp>
#include <myelin/simulator/model.hpp>

#include <fmt/format.h>

#include <optional>

namespace myelin::models {

struct bernoulli_synapse {
    static constexpr std::string_view name = "bernoulli_synapse";
    static constexpr std::string_view summary = "transmits each spike with probability p_transmit (NEST's model)";

    struct params {
        double p_transmit = 1.0;
    };
    static constexpr param_field<params> param_table[] = {
        {"p_transmit", &params::p_transmit, "", constraint::nonnegative, "probability of transmission, in [0, 1]"},
    };
    struct state {};  // none: each draw is independent

    static std::optional<param_problem> check(const params& p, double) {
        if (p.p_transmit > 1.0)
            return param_problem{"p_transmit", fmt::format("p_transmit = {}; must be in [0, 1]", p.p_transmit)};
        return std::nullopt;
    }
    static void resize(const params&, state&, std::size_t) {}

    static void on_spike(const params& p, state&, const synapse_spike& x) {
        const std::uint32_t key = rng_key_word(rng_purpose::synapse_transmit, x.projection);
        std::uint64_t previous = ~std::uint64_t{0}, multapse = 0;
        for (std::uint64_t k = x.b; k < x.e; ++k) {
            const std::uint64_t target = x.target(k) + x.target_index_base;
            multapse = target == previous ? multapse + 1 : 0;  // rows are sorted by target
            previous = target;
            // 2^16 Philox blocks per stamp and pair: one uniform draw uses one block.
            rng_stream rng(x.seed, key, x.row * x.n_target + target,
                           (static_cast<std::uint64_t>(x.stamp) << 16) + (multapse & 0xffffu));
            const double w = x.weight ? static_cast<double>(x.weight[k]) : x.constant_weight;
            x.out[k - x.b] = rng.uniform() < p.p_transmit ? w : 0.0;
        }
    }
};

}  // namespace myelin::models
