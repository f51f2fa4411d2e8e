#pragma once
// Spike-timing plasticity written as traces: what a rule (one struct in models/, see
// docs/plasticity.md) declares, and the adapter that applies it event by event.
//
// A rule names its presynaptic traces (kept once per source and projection) and its
// postsynaptic traces (kept with the target's spike history), each a time constant and a
// pairing (all-to-all: +1 per spike; nearest: reset to 1). It gives two weight updates:
//   on_post(p, w, pre, post_before): a postsynaptic spike reaches the synapse; `pre`
//       holds the presynaptic traces at that moment, `post_before` the postsynaptic ones
//       just before this spike (a rule that does not read them leaves it out);
//   on_pre(p, w, post, pre_before): a presynaptic spike reaches it; `post` holds the
//       postsynaptic traces at that moment (spikes strictly before), `pre_before` the
//       presynaptic ones just before this spike.
// The synapse transmits the weight after on_pre. Updates are applied when a presynaptic
// spike passes (Morrison et al. 2007): first on_post for every postsynaptic spike since
// the last presynaptic one, in time order, then on_pre. As in NEST, the delay is
// dendritic: a presynaptic spike stamped t_pre meets the synapse at t_pre, a postsynaptic
// one stamped t_post at t_post + delay. Weights are stored as float (rounded once per
// presynaptic spike); the arithmetic is double.
//
// apply() below is the specification, one synapse at a time. Where the CPU has AVX2 a
// rule written over its number type also runs four synapses at once
// (detail/plastic_lanes.hpp), with the same weights to the bit (tested).
#include <myelin/simulator/model.hpp>
#include <myelin/simulator/detail/post_history.hpp>
#include <myelin/simulator/lanes.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <concepts>
#include <limits>
#include <utility>

namespace myelin {

template <class R>
class plastic_adapter final : public synapse_shard {
    static constexpr std::size_t n_pre = R::n_pre, n_post = R::n_post;

public:
    // `lanes`: four synapses at once where the rule, the CPU and the projection allow
    // (simulation.simd; same weights to the bit either way).
    plastic_adapter(const param_values& values, double h_ms, std::size_t n_rows, bool lanes)
        : p_(params_from_values<R>(values)), pre_(R::pre_traces(p_)), last_(n_rows, -1),
          trace_(n_pre, std::vector<double>(n_rows, 0.0)), simd_(lanes) {
        for (std::size_t m = 0; m < n_pre; ++m) decay_[m] = decay_table(pre_[m].tau_ms, h_ms);
    }

    std::vector<double>& state(std::size_t) override { throw std::logic_error("plastic rules keep no per-synapse state"); }
    std::span<double> row_trace(std::size_t m) override { return trace_[m]; }
    std::span<step_t> row_last() override { return last_; }
    void prefetch_row(std::uint64_t row) const override {
        __builtin_prefetch(&last_[row]);
        for (std::size_t m = 0; m < n_pre; ++m) __builtin_prefetch(&trace_[m][row]);
    }
    std::vector<trace_spec> post_traces() const override {
        const auto t = R::post_traces(p_);
        return {t.begin(), t.end()};
    }
    void bind(post_history* history, std::size_t group, std::vector<std::size_t> slots) override {
        post_ = history;
        for (std::size_t m = 0; m < n_post; ++m) readers_[m] = history->reader(group, slots[m]);
        lanes_ = simd_ && lanes_available() && std::all_of(slots.begin(), slots.end(), [](std::size_t s) { return s < 2; });
        group_ = group;
    }

    bool transmits() const override { return true; }
    // Amplitudes and bounds may change; the traces' time constants and pairings not: the
    // traces kept since the build decay with them.
    void set_params(const param_values& values) override {
        const auto p = params_from_values<R>(values);
        if (R::pre_traces(p) != pre_ || R::post_traces(p) != R::post_traces(p_))
            throw std::invalid_argument("the traces' time constants cannot change after the build (the traces kept "
                                        "since then decay with them)");
        p_ = p;
    }
    void on_pre(const synapse_spike& x) override {
        if (lanes_ && !x.delay && run_lanes(x)) return;
        rest_.clear();
        if (x.target16) {
            x.delay ? apply<true>(x, x.target16, x.b) : apply<false>(x, x.target16, x.b);
        } else {
            x.delay ? apply<true>(x, x.target32, x.b) : apply<false>(x, x.target32, x.b);
        }
    }

private:
    // A rule whose on_post does not read the postsynaptic traces just before the spike
    // leaves that parameter out; the loops then do not fetch them.
    static constexpr bool reads_post_before =
        !requires(const typename R::params& p, double w, const double* v) { R::on_post(p, w, v); };
    template <class V>
    MYELIN_INLINE static V post_update(const typename R::params& p, V w, const V* pre, const V* before) {
        if constexpr (reads_post_before) return R::on_post(p, w, pre, before);
        else return R::on_post(p, w, pre);
    }

    // The synapses from `from` on (rest_ may already hold earlier ones). Flattened: with
    // every call inlined, the parameters and readers stay in registers.
    template <bool per_synapse_delay, class T>
    [[gnu::flatten, gnu::noinline]] void apply(const synapse_spike& x, const T* target, std::uint64_t from) {
        // Local copies: the weight stores below cannot alias them, so they stay in registers.
        const typename R::params p = p_;
        const std::array<post_trace_reader, n_post> readers = readers_;
        post_history& post = *post_;
        float* const weight = x.weight;
        const ring_view ring = x.ring;
        const std::uint64_t b = from, e = x.e;
        const step_t constant_delay = x.constant_delay;
        const std::uint16_t* const delays = x.delay;
        const step_t t = x.stamp, t_last = last_[x.row];
        std::array<decay_view, n_pre> decay;
        std::array<double, n_pre> pre_before{}, k_last{};
        for (std::size_t m = 0; m < n_pre; ++m) {
            decay[m] = decay_[m].view();
            k_last[m] = trace_[m][x.row];
            if (t_last >= 0) pre_before[m] = k_last[m] * decay[m](t - t_last);
        }
        // The presynaptic traces when a postsynaptic spike stamped t_post reaches a
        // synapse of delay d (their value at the last spike for one that came before it).
        auto pre_at = [&](step_t t_post, step_t d) {
            std::array<double, n_pre> pre{};
            for (std::size_t m = 0; m < n_pre; ++m) pre[m] = k_last[m] * decay[m](std::max<step_t>(0, t_post + d - t_last));
            return pre;
        };
        auto delay = [&](std::uint64_t k) { return per_synapse_delay ? static_cast<step_t>(delays[k]) : constant_delay; };
        // Each synapse adds its weight to the target's input as soon as it is known (a
        // separate pass over the row cost ~6 instructions per synapse more). Synapses
        // onto one target meet the same record, so with constant delays they are added
        // in row order, as a separate pass would.
        double* const ex = ring.row(true, constant_delay);
        double* const in = ring.row(false, constant_delay);
        auto store = [&](std::uint64_t k, std::uint32_t j, double w) {
            const float stored = static_cast<float>(w);
            weight[k] = stored;
            const double sent = stored;
            if constexpr (per_synapse_delay) ring.row(sent >= 0.0, delay(k))[j] += sent;
            else (sent >= 0.0 ? ex : in)[j] += sent;
        };
        // Postsynaptic spikes after t1 = t1_of(d) reached a synapse after the last
        // presynaptic spike (all of them if there was none); those up to t2 = t - d before
        // this one. The common case, from the targets' records; the others are deferred to
        // the end of the row, their lists fetched meanwhile. Targets are scattered: their
        // records are fetched `ahead` synapses early.
        constexpr std::uint64_t ahead = 16;
        auto t1_of = [&](step_t d) { return t_last >= 0 ? t_last - d : post_history::never; };
        for (std::uint64_t k = b; k < std::min(e, b + ahead); ++k) post.prefetch(target[k]);
        for (std::uint64_t k = b; k < e; ++k) {
            if (k + ahead < e) post.prefetch(target[k + ahead]);
            const std::uint32_t j = target[k];
            const step_t d = delay(k);
            recent_spikes<n_post> r;
            if (!post.read_recent(j, t1_of(d), t - d, readers, r)) {
                if (post.needs_list(j, t1_of(d))) post.prefetch_list(j);
                rest_.push_back(k);
                continue;
            }
            double w = weight[k];
            // Potentiation by the new ones of the newest two, oldest first. Which are new
            // is random, so a branch on it would be mispredicted often: the older new one
            // is applied unconditionally and its result kept if there is one; both being
            // new is rarer.
            const step_t t_a = r.new1 ? r.t1 : r.t0;
            const double* before_a = r.new1 ? r.before1.data() : r.before0.data();
            const double w_a = post_update(p, w, pre_at(t_a, d).data(), before_a);
            w = r.new0 || r.new1 ? w_a : w;
            if (r.new0 && r.new1) w = post_update(p, w, pre_at(r.t0, d).data(), r.before0.data());
            store(k, j, R::on_pre(p, w, r.trace.data(), pre_before.data()));
        }
        if (!rest_.empty()) {
            // Where the records do not suffice, the lists are fetched in two stages: their
            // headers were while the records were read, their newest entries now.
            const std::size_t n = rest_.size();
            constexpr std::size_t entries_ahead = 8;
            auto fetch = [&](std::uint64_t k) {
                if (post.needs_list(target[k], t1_of(delay(k)))) post.prefetch_entries(target[k]);
            };
            for (std::size_t i = 0; i < std::min(n, entries_ahead); ++i) fetch(rest_[i]);
            for (std::size_t i = 0; i < n; ++i) {
                if (i + entries_ahead < n) fetch(rest_[i + entries_ahead]);
                const std::uint64_t k = rest_[i];
                const std::uint32_t j = target[k];
                const step_t d = delay(k);
                double w = weight[k];
                post.for_each_new(j, t1_of(d), t - d, [&](step_t t_post, const double* before) {
                    std::array<double, n_post> post_before{};
                    for (std::size_t m = 0; m < n_post; ++m) post_before[m] = before[readers[m].slot];
                    w = post_update(p, w, pre_at(t_post, d).data(), post_before.data());
                });
                std::array<double, n_post> trace{};
                for (std::size_t m = 0; m < n_post; ++m) trace[m] = post.trace_at(j, readers[m].slot, t - d);
                store(k, j, R::on_pre(p, w, trace.data(), pre_before.data()));
            }
        }
        for (std::size_t m = 0; m < n_pre; ++m) trace_[m][x.row] = pre_[m].nearest ? 1.0 : pre_before[m] + 1.0;
        last_[x.row] = t;
    }

    // Four synapses at once (detail/plastic_lanes.hpp): true if it applied the spike.
    bool run_lanes(const synapse_spike& x);
    template <bool Deep, class T>
    void apply_lanes(const synapse_spike& x, const T* target);

    typename R::params p_;
    std::array<trace_spec, n_pre> pre_;
    // exp(-dt/tau) of the presynaptic traces: the trace of one spike dt after it. The
    // stored value is the trace just after the last spike (1 for nearest traces), so one
    // decay serves both pairings.
    std::array<decay_table, n_pre> decay_;
    std::array<post_trace_reader, n_post> readers_{};
    post_history* post_ = nullptr;
    std::vector<step_t> last_;                // per row
    std::vector<std::vector<double>> trace_;  // [pre trace][row], just after the last spike
    std::vector<std::uint64_t> rest_;         // synapses of the row being applied that need the lists
    bool simd_ = false;                       // simulation.simd
    bool lanes_ = false;                      // apply_lanes where the rule and the CPU allow
    std::size_t group_ = 0;                   // the target population in the history
};

}  // namespace myelin
