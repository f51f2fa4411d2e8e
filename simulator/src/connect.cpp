#include "connect.hpp"

#include <myelin/core/assert.hpp>
#include <myelin/core/rng.hpp>

#include <boost/random/binomial_distribution.hpp>

#include <algorithm>
#include <cmath>
#include <numeric>

namespace myelin::detail {
namespace {

class drawer {
public:
    drawer(const network_spec& spec, std::size_t projection, const owned_chunk& chunk,
           std::uint64_t source_gid_offset, std::uint64_t target_gid_offset)
        : spec_(spec), proj_(spec.projections[projection]), index_(static_cast<std::uint32_t>(projection)),
          chunk_(chunk), source_gid0_(source_gid_offset), target_gid0_(target_gid_offset),
          n_source_(spec.populations[proj_.source].n), n_target_(spec.populations[proj_.target].n),
          same_population_(proj_.source == proj_.target), constant_weight_(proj_.weight.is_constant()),
          constant_delay_(proj_.delay_ms.is_constant()) {}

    drawn_synapses run() {
        switch (proj_.rule.type) {
        case connection_rule::all_to_all: all_to_all(); break;
        case connection_rule::one_to_one: one_to_one(); break;
        case connection_rule::fixed_indegree: fixed_indegree(); break;
        case connection_rule::fixed_outdegree: fixed_outdegree(); break;
        case connection_rule::pairwise_bernoulli: pairwise_bernoulli(); break;
        case connection_rule::fixed_total_number: fixed_total_number(); break;
        case connection_rule::explicit_pairs: explicit_pairs(); break;
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

    // Weight and delay of the next synapse of the stream owner (drawn even when the
    // synapse is not kept, so that the streams advance the same way on every owner).
    void add(std::uint64_t source, std::uint64_t target, rng_stream& w_rng, rng_stream& d_rng, bool keep) {
        float w = 0.0f;
        std::uint16_t d = 0;
        if (!constant_weight_) w = static_cast<float>(proj_.weight.draw(w_rng));
        if (!constant_delay_) {
            const step_t steps = ms_to_steps(proj_.delay_ms.draw(d_rng), spec_.simulation.resolution_ms);
            MYELIN_ASSERT(steps >= 1 && steps <= 65535);
            d = static_cast<std::uint16_t>(steps);
        }
        if (!keep) return;
        out_.source.push_back(static_cast<std::uint32_t>(source));
        out_.target.push_back(static_cast<std::uint32_t>(chunk_.local_offset + (target - chunk_.begin)));
        if (!constant_weight_) out_.weight.push_back(w);
        if (!constant_delay_) out_.delay.push_back(d);
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
        reserve(proj_.rule.count * chunk_.size());
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
        std::vector<std::uint64_t> count;  // per owned target
        count.reserve(chunk_.size());
        for (std::uint64_t j = 0; j < chunk_.end; ++j) {
            std::uint64_t c = remaining;
            if (j + 1 < n_target_ && remaining > 0) {
                boost::random::binomial_distribution<std::int64_t, double> bin(
                    static_cast<std::int64_t>(remaining), 1.0 / static_cast<double>(n_target_ - j));
                c = static_cast<std::uint64_t>(bin(split));
            }
            remaining -= c;
            if (owned(j)) count.push_back(c);
        }
        reserve(std::accumulate(count.begin(), count.end(), std::uint64_t{0}));
        for (std::uint64_t j = chunk_.begin; j < chunk_.end; ++j) {
            auto rng = stream(rng_purpose::connect, target_gid0_ + j);
            auto w_rng = stream(rng_purpose::weight, target_gid0_ + j);
            auto d_rng = stream(rng_purpose::delay, target_gid0_ + j);
            draw_indices(rng, count[j - chunk_.begin], n_source_, j, same_population_ && !proj_.rule.allow_autapses,
                         [&](std::uint32_t i) { add(i, j, w_rng, d_rng, true); });
        }
    }

    // The listed synapses onto owned targets, in list order; weights and delays by index.
    void explicit_pairs() {
        const auto& r = proj_.rule;
        const double h = spec_.simulation.resolution_ms;
        for (std::size_t k = 0; k < r.sources.size(); ++k) {
            const std::uint64_t j = r.targets[k];
            if (!owned(j)) continue;
            out_.source.push_back(static_cast<std::uint32_t>(r.sources[k]));
            out_.target.push_back(static_cast<std::uint32_t>(chunk_.local_offset + (j - chunk_.begin)));
            if (!constant_weight_) out_.weight.push_back(static_cast<float>(proj_.weight.values[k]));
            if (!constant_delay_) {
                const step_t steps = ms_to_steps(proj_.delay_ms.values[k], h);
                MYELIN_ASSERT(steps >= 1 && steps <= 65535);
                out_.delay.push_back(static_cast<std::uint16_t>(steps));
            }
        }
    }

    void reserve(std::uint64_t n) {
        out_.source.reserve(n);
        out_.target.reserve(n);
        if (!constant_weight_) out_.weight.reserve(n);
        if (!constant_delay_) out_.delay.reserve(n);
    }

    const network_spec& spec_;
    const projection_spec& proj_;
    std::uint32_t index_;
    owned_chunk chunk_;
    std::uint64_t source_gid0_, target_gid0_, n_source_, n_target_;
    bool same_population_, constant_weight_, constant_delay_;
    std::vector<char> marks_;             // sources already drawn for this target
    std::vector<std::uint32_t> picked_;  // which marks to clear
    drawn_synapses out_;
};

}  // namespace

synapse_rows build_rows(const network_spec& spec, std::size_t projection, const owned_chunk& targets,
                        std::uint64_t source_gid_offset, std::uint64_t target_gid_offset, std::uint64_t n_local) {
    // Rows must come out as a checkpoint rebuilds them: by target within each row.
    const auto rule = spec.projections[projection].rule.type;
    return make_rows(drawer(spec, projection, targets, source_gid_offset, target_gid_offset).run(), spec, projection,
                     n_local, rule == connection_rule::fixed_outdegree || rule == connection_rule::explicit_pairs);
}

synapse_rows make_rows(drawn_synapses s, const network_spec& spec, std::size_t projection, std::uint64_t n_local,
                       bool sort_rows) {
    const projection_spec& proj = spec.projections[projection];
    const std::uint64_t n_source = spec.populations[proj.source].n;
    const std::size_t n = s.source.size();

    synapse_rows rows;
    rows.source_population = proj.source;
    rows.constant_weight = proj.weight.is_constant() ? proj.weight.value : 0.0;
    rows.constant_delay = proj.delay_ms.is_constant() ? ms_to_steps(proj.delay_ms.value, spec.simulation.resolution_ms) : 0;
    rows.offsets.assign(n_source + 1, 0);
    for (auto i : s.source) ++rows.offsets[i + 1];
    std::partial_sum(rows.offsets.begin(), rows.offsets.end(), rows.offsets.begin());

    // Stable counting sort by source, straight into the rows: a row keeps the order in
    // which its synapses were drawn, which is by ascending target for every rule but
    // fixed_outdegree (sorted below, stably: multapses keep their order).
    rows.target32.resize(n);
    rows.weight.resize(s.weight.size());
    rows.delay.resize(s.delay.size());
    {
        std::vector<std::uint64_t> fill(rows.offsets.begin(), rows.offsets.end() - 1);
        MYELIN_ASSERT(s.state.empty() || (!sort_rows && proj.synapse && s.state.size() == proj.synapse->state.size()));
        if (proj.synapse) {
            rows.dynamics = proj.synapse->make_synapse(proj.synapse_params, spec.simulation.resolution_ms, n, n_source,
                                                       spec.simulation.simd);
            rows.state_bytes = n * proj.synapse->state.size() * sizeof(double) +
                               n_source * (proj.synapse->row_traces.size() * sizeof(double) +
                                           (proj.synapse->plastic ? sizeof(step_t) : 0));
        }
        for (std::size_t k = 0; k < n; ++k) {
            const std::uint64_t at = fill[s.source[k]]++;
            for (std::size_t v = 0; v < s.state.size(); ++v) rows.dynamics->state(v)[at] = s.state[v][k];
            rows.target32[at] = s.target[k];
            if (!s.weight.empty()) rows.weight[at] = s.weight[k];
            if (!s.delay.empty()) rows.delay[at] = s.delay[k];
        }
    }
    if (sort_rows) {
        std::vector<std::uint64_t> order;
        std::vector<std::uint32_t> target;
        std::vector<float> weight;
        std::vector<std::uint16_t> delay;
        for (std::uint64_t i = 0; i < n_source; ++i) {
            const std::uint64_t b = rows.offsets[i], e = rows.offsets[i + 1];
            order.resize(e - b);
            std::iota(order.begin(), order.end(), b);
            std::stable_sort(order.begin(), order.end(),
                             [&](std::uint64_t x, std::uint64_t y) { return rows.target32[x] < rows.target32[y]; });
            target.clear();
            weight.clear();
            delay.clear();
            for (auto k : order) {
                target.push_back(rows.target32[k]);
                if (!rows.weight.empty()) weight.push_back(rows.weight[k]);
                if (!rows.delay.empty()) delay.push_back(rows.delay[k]);
            }
            std::copy(target.begin(), target.end(), rows.target32.begin() + static_cast<std::ptrdiff_t>(b));
            if (!rows.weight.empty()) std::copy(weight.begin(), weight.end(), rows.weight.begin() + static_cast<std::ptrdiff_t>(b));
            if (!rows.delay.empty()) std::copy(delay.begin(), delay.end(), rows.delay.begin() + static_cast<std::ptrdiff_t>(b));
        }
    }
    // A plastic rule or synaptic scaling changes each synapse's weight.
    if (((proj.synapse && proj.synapse->plastic) || proj.scaling) && rows.weight.empty())
        rows.weight.assign(n, static_cast<float>(rows.constant_weight));
    if (n_local <= 65536) {
        rows.target16.assign(rows.target32.begin(), rows.target32.end());
        rows.target32 = {};
    }
    return rows;
}

}  // namespace myelin::detail
