#include "connect.hpp"

#include <myelin/simulator/assert.hpp>
#include <myelin/simulator/rng.hpp>

#include <boost/random/binomial_distribution.hpp>

#include <algorithm>
#include <cmath>
#include <numeric>

namespace myelin::detail {
namespace {

// Synapses as drawn, before they are grouped into rows.
struct drawn_synapses {
    std::vector<std::uint32_t> source, target;
    std::vector<double> weight;
    std::vector<step_t> delay;
};

class drawer {
public:
    drawer(const network_spec& spec, std::size_t projection, const owned_chunk& chunk,
           std::uint64_t source_gid_offset, std::uint64_t target_gid_offset)
        : spec_(spec), proj_(spec.projections[projection]), index_(static_cast<std::uint32_t>(projection)),
          chunk_(chunk), source_gid0_(source_gid_offset), target_gid0_(target_gid_offset),
          n_source_(spec.populations[proj_.source].n), n_target_(spec.populations[proj_.target].n),
          same_population_(proj_.source == proj_.target) {}

    drawn_synapses run() {
        switch (proj_.rule.type) {
        case connection_rule::all_to_all: all_to_all(); break;
        case connection_rule::one_to_one: one_to_one(); break;
        case connection_rule::fixed_indegree: fixed_indegree(); break;
        case connection_rule::fixed_outdegree: fixed_outdegree(); break;
        case connection_rule::pairwise_bernoulli: pairwise_bernoulli(); break;
        case connection_rule::fixed_total_number: fixed_total_number(); break;
        }
        return std::move(out_);
    }

private:
    rng_stream stream(rng_purpose purpose, std::uint64_t id) const {
        return {spec_.simulation.seed, rng_key_word(purpose, index_), id};
    }
    bool autapse(std::uint64_t source, std::uint64_t target) const {
        return same_population_ && !proj_.rule.allow_autapses && source == target;
    }
    bool owned(std::uint64_t target) const { return target >= chunk_.begin && target < chunk_.end; }

    // Weight and delay of the next synapse of the stream owner (always drawn, so that the
    // streams advance the same way on every owner).
    void add(std::uint64_t source, std::uint64_t target, rng_stream& w_rng, rng_stream& d_rng, bool keep) {
        const double w = proj_.weight.draw(w_rng);
        const step_t d = ms_to_steps(proj_.delay_ms.draw(d_rng), spec_.simulation.resolution_ms);
        if (!keep) return;
        out_.source.push_back(static_cast<std::uint32_t>(source));
        out_.target.push_back(static_cast<std::uint32_t>(chunk_.local_offset + (target - chunk_.begin)));
        out_.weight.push_back(w);
        out_.delay.push_back(d);
    }

    void all_to_all() {
        for (std::uint64_t j = chunk_.begin; j < chunk_.end; ++j) {
            auto w_rng = stream(rng_purpose::weight, target_gid0_ + j);
            auto d_rng = stream(rng_purpose::delay, target_gid0_ + j);
            for (std::uint64_t i = 0; i < n_source_; ++i)
                if (!autapse(i, j)) add(i, j, w_rng, d_rng, true);
        }
    }

    void one_to_one() {
        for (std::uint64_t j = chunk_.begin; j < chunk_.end; ++j) {
            if (autapse(j, j)) continue;
            auto w_rng = stream(rng_purpose::weight, target_gid0_ + j);
            auto d_rng = stream(rng_purpose::delay, target_gid0_ + j);
            add(j, j, w_rng, d_rng, true);
        }
    }

    // Draws `k` indices below `n` (excluding `self` when autapses are forbidden), distinct
    // unless multapses are allowed, and calls f(index) for each in draw order.
    template <class F>
    void draw_indices(rng_stream& rng, std::uint64_t k, std::uint64_t n, std::uint64_t self, bool exclude_self,
                      F&& f) {
        const bool distinct = !proj_.rule.allow_multapses;
        if (distinct && marks_.size() < n) marks_.assign(n, 0);
        picked_.clear();
        for (std::uint64_t c = 0; c < k;) {
            const std::uint32_t i = rng.below(static_cast<std::uint32_t>(n));
            if (exclude_self && i == self) continue;
            if (distinct) {
                if (marks_[i]) continue;
                marks_[i] = 1;
                picked_.push_back(i);
            }
            f(i);
            ++c;
        }
        for (auto i : picked_) marks_[i] = 0;
    }

    void fixed_indegree() {
        for (std::uint64_t j = chunk_.begin; j < chunk_.end; ++j) {
            auto rng = stream(rng_purpose::connect, target_gid0_ + j);
            auto w_rng = stream(rng_purpose::weight, target_gid0_ + j);
            auto d_rng = stream(rng_purpose::delay, target_gid0_ + j);
            draw_indices(rng, proj_.rule.count, n_source_, j, same_population_ && !proj_.rule.allow_autapses,
                         [&](std::uint32_t i) { add(i, j, w_rng, d_rng, true); });
        }
    }

    // Each source draws its targets from its own stream; every owner replays all sources
    // and keeps the synapses onto its own neurons.
    void fixed_outdegree() {
        for (std::uint64_t i = 0; i < n_source_; ++i) {
            auto rng = stream(rng_purpose::connect, source_gid0_ + i);
            auto w_rng = stream(rng_purpose::weight, source_gid0_ + i);
            auto d_rng = stream(rng_purpose::delay, source_gid0_ + i);
            draw_indices(rng, proj_.rule.count, n_target_, i, same_population_ && !proj_.rule.allow_autapses,
                         [&](std::uint32_t j) { add(i, j, w_rng, d_rng, owned(j)); });
        }
    }

    // Sources of each target by geometric skipping: the gap to the next success of a
    // Bernoulli(p) sequence is Geometric(p), so a target costs O(p * N) draws, not O(N).
    void pairwise_bernoulli() {
        const double p = proj_.rule.p;
        if (p <= 0.0) return;
        const double log_q = std::log1p(-p);
        for (std::uint64_t j = chunk_.begin; j < chunk_.end; ++j) {
            auto rng = stream(rng_purpose::connect, target_gid0_ + j);
            auto w_rng = stream(rng_purpose::weight, target_gid0_ + j);
            auto d_rng = stream(rng_purpose::delay, target_gid0_ + j);
            if (p >= 1.0) {
                for (std::uint64_t i = 0; i < n_source_; ++i)
                    if (!autapse(i, j)) add(i, j, w_rng, d_rng, true);
                continue;
            }
            double i = -1.0;
            for (;;) {
                i += 1.0 + std::floor(std::log(rng.uniform_open()) / log_q);
                if (i >= static_cast<double>(n_source_)) break;
                const auto source = static_cast<std::uint64_t>(i);
                if (!autapse(source, j)) add(source, j, w_rng, d_rng, true);
            }
        }
    }

    // N synapses with uniformly drawn (source, target) pairs. The number onto each target
    // is Multinomial(N, 1/Nt): drawn as a chain of conditional binomials from one global
    // stream that every owner replays; the sources then come from each target's stream.
    void fixed_total_number() {
        auto split = stream(rng_purpose::total_number, 0);
        std::uint64_t remaining = proj_.rule.count;
        for (std::uint64_t j = 0; j < chunk_.end; ++j) {
            std::uint64_t c = remaining;
            if (j + 1 < n_target_ && remaining > 0) {
                boost::random::binomial_distribution<std::int64_t, double> bin(
                    static_cast<std::int64_t>(remaining), 1.0 / static_cast<double>(n_target_ - j));
                c = static_cast<std::uint64_t>(bin(split));
            }
            remaining -= c;
            if (!owned(j)) continue;
            auto rng = stream(rng_purpose::connect, target_gid0_ + j);
            auto w_rng = stream(rng_purpose::weight, target_gid0_ + j);
            auto d_rng = stream(rng_purpose::delay, target_gid0_ + j);
            draw_indices(rng, c, n_source_, j, same_population_ && !proj_.rule.allow_autapses,
                         [&](std::uint32_t i) { add(i, j, w_rng, d_rng, true); });
        }
    }

    const network_spec& spec_;
    const projection_spec& proj_;
    std::uint32_t index_;
    owned_chunk chunk_;
    std::uint64_t source_gid0_, target_gid0_, n_source_, n_target_;
    bool same_population_;
    std::vector<char> marks_;             // sources already drawn for this target
    std::vector<std::uint32_t> picked_;  // which marks to clear
    drawn_synapses out_;
};

}  // namespace

synapse_rows build_rows(const network_spec& spec, std::size_t projection, const owned_chunk& targets,
                        std::uint64_t source_gid_offset, std::uint64_t target_gid_offset) {
    const projection_spec& proj = spec.projections[projection];
    drawn_synapses s = drawer(spec, projection, targets, source_gid_offset, target_gid_offset).run();
    const std::uint64_t n_source = spec.populations[proj.source].n;
    const std::size_t n = s.source.size();

    synapse_rows rows;
    rows.source_population = proj.source;
    rows.offsets.assign(n_source + 1, 0);
    for (auto i : s.source) ++rows.offsets[i + 1];
    std::partial_sum(rows.offsets.begin(), rows.offsets.end(), rows.offsets.begin());

    // Stable counting sort by source: a row keeps the order in which its synapses were
    // drawn, which is by ascending target for every rule but fixed_outdegree.
    std::vector<std::uint64_t> order(n);
    {
        std::vector<std::uint64_t> fill(rows.offsets.begin(), rows.offsets.end() - 1);
        for (std::size_t k = 0; k < n; ++k) order[fill[s.source[k]]++] = k;
    }
    if (proj.rule.type == connection_rule::fixed_outdegree) {
        for (std::uint64_t i = 0; i < n_source; ++i)
            std::stable_sort(order.begin() + static_cast<std::ptrdiff_t>(rows.offsets[i]),
                             order.begin() + static_cast<std::ptrdiff_t>(rows.offsets[i + 1]),
                             [&](std::uint64_t a, std::uint64_t b) { return s.target[a] < s.target[b]; });
    }

    rows.target.resize(n);
    for (std::size_t k = 0; k < n; ++k) rows.target[k] = s.target[order[k]];
    if (proj.weight.is_constant()) {
        rows.constant_weight = proj.weight.value;
    } else {
        rows.weight.resize(n);
        for (std::size_t k = 0; k < n; ++k) rows.weight[k] = static_cast<float>(s.weight[order[k]]);
    }
    if (proj.delay_ms.is_constant()) {
        rows.constant_delay = ms_to_steps(proj.delay_ms.value, spec.simulation.resolution_ms);
    } else {
        rows.delay.resize(n);
        for (std::size_t k = 0; k < n; ++k) {
            MYELIN_ASSERT(s.delay[order[k]] >= 1 && s.delay[order[k]] <= 65535);
            rows.delay[k] = static_cast<std::uint16_t>(s.delay[order[k]]);
        }
    }
    return rows;
}

}  // namespace myelin::detail
