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
#include <myelin/simulator/model.hpp>
#include <myelin/simulator/post_history.hpp>

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
    plastic_adapter(const param_values& values, double h_ms, std::size_t n_rows)
        : p_(params_from_values<R>(values)), pre_(R::pre_traces(p_)), last_(n_rows, -1),
          trace_(n_pre, std::vector<double>(n_rows, 0.0)) {
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
        lanes_ = lanes_available() && std::all_of(slots.begin(), slots.end(), [](std::size_t s) { return s < 2; });
        group_ = group;
    }

    bool transmits() const override { return true; }
    void on_pre(const synapse_spike& x) override {
#ifdef MYELIN_LANES
        if constexpr (lanes_rule) {
            if (lanes_ && !x.delay) {
                rest_.clear();
                if constexpr (n_post == 1)
                    if (post_->depth(group_) == 3) {
                        x.target16 ? apply_lanes<true>(x, x.target16) : apply_lanes<true>(x, x.target32);
                        return;
                    }
                x.target16 ? apply_lanes<false>(x, x.target16) : apply_lanes<false>(x, x.target32);
                return;
            }
        }
#endif
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

#ifdef MYELIN_LANES
    // A rule written over its number type runs on four synapses at once (constant delays,
    // traces in the records' slots 0 and 1): apply's loop, lane by lane the same
    // operations, so the same weights to the bit. What does not vectorise (the sums into
    // the ring, where two lanes may share a target) is done per lane, in synapse order.
    static constexpr bool lanes_rule =
        requires(const typename R::params& p, f64x4 w, const f64x4* v) {
            { R::on_pre(p, w, v, v) } -> std::same_as<f64x4>;
        } && (requires(const typename R::params& p, f64x4 w, const f64x4* v) {
                 { R::on_post(p, w, v, v) } -> std::same_as<f64x4>;
             } || requires(const typename R::params& p, f64x4 w, const f64x4* v) {
                 { R::on_post(p, w, v) } -> std::same_as<f64x4>;
             });

    // The presynaptic traces dt after the last spike (as apply's pre_at; a lambda would
    // not be compiled for AVX2), in the lanes of new postsynaptic spikes, where dt > 0
    // (the other lanes are discarded). `in_table`: every such dt lies in the tables.
    [[gnu::target("avx2")]] MYELIN_INLINE static void pre_lanes(std::array<f64x4, n_pre>& pre,
                                                                const std::array<decay_view, n_pre>& decay,
                                                                const std::array<double, n_pre>& k_last, v4i dt,
                                                                bool in_table) {
        for (std::size_t m = 0; m < n_pre; ++m)
            pre[m].v = f64x4(k_last[m]).v * (in_table ? decay[m].in_table(dt) : decay[m](dt)).v;
    }

    // Deep: the records hold three spikes (post_history::depth), so up to three new ones
    // are served; the oldest of three first, in the few groups that have one.
    template <bool Deep, class T>
    [[gnu::target("avx2"), gnu::flatten]] void apply_lanes(const synapse_spike& x, const T* target) {
        const typename R::params p = p_;
        const std::array<post_trace_reader, n_post> readers = readers_;
        post_history& post = *post_;
        float* const weight = x.weight;
        const std::uint64_t b = x.b, e = x.e;
        const step_t d = x.constant_delay;
        const step_t t = x.stamp, t_last = last_[x.row];
        std::array<decay_view, n_pre> decay;
        std::array<double, n_pre> pre_before{}, k_last{};
        std::array<f64x4, n_pre> pre_before4;
        for (std::size_t m = 0; m < n_pre; ++m) {
            decay[m] = decay_[m].view();
            k_last[m] = trace_[m][x.row];
            if (t_last >= 0) pre_before[m] = k_last[m] * decay[m](t - t_last);
            pre_before4[m] = pre_before[m];
        }
        // A new postsynaptic spike met the synapse at most t - t_last after the last
        // presynaptic spike: where that lies in the tables (or the traces are 0), no
        // presynaptic look-up needs a range check.
        bool pre_in_table = true;
        for (std::size_t m = 0; m < n_pre; ++m)
            pre_in_table &= k_last[m] == 0.0 || (t_last >= 0 && t - t_last < static_cast<step_t>(decay[m].size()));
        double* const ex = x.ring.row(true, d);
        double* const in = x.ring.row(false, d);
        const step_t t1 = t_last >= 0 ? t_last - d : post_history::never, t2 = t - d;
        constexpr std::uint64_t ahead = 16;
        for (std::uint64_t k = b; k < std::min(e, b + ahead); ++k) post.prefetch(target[k]);
        // Passes over chunks of the row: the reads of the records; the decays' look-ups
        // and the rule; the sums into the ring. One pass made one long chain of
        // dependences per four synapses (record, look-up, rule), longer than the CPU can
        // look ahead; apart, the CPU overlaps the chains of consecutive groups, the more
        // of them the fewer other instructions lie between. (The rule's chain is short
        // enough now that a pass of its own, apart from the look-ups, gains nothing.)
        struct group {
            v4i t0, ta, t2, dt;  // post_history::read_recent's
            mask4 any, both, new2, served;
            std::array<f64x4, n_post> before_a, before0, before2, base;  // base: then the trace at t2
        };
        constexpr std::size_t chunk = 8;
        static_assert(4 * chunk <= 64);
        std::array<group, chunk> buf;
        std::uint64_t k = b;
        while (k + 4 <= e) {
            const std::size_t n = std::min<std::uint64_t>(chunk, (e - k) / 4);
            for (std::size_t g = 0; g < n; ++g) {
                const std::uint64_t kg = k + 4 * g;
                if (kg + ahead + 4 <= e) [[likely]]
                    for (std::uint64_t a = kg + ahead; a < kg + ahead + 4; ++a) post.prefetch(target[a]);
                else
                    for (std::uint64_t a = kg + ahead; a < e; ++a) post.prefetch(target[a]);
                const std::array<std::uint32_t, 4> j{target[kg], target[kg + 1], target[kg + 2], target[kg + 3]};
                post.template read_recent<Deep, reads_post_before>(j, v4i{} + t1, v4i{} + t2, readers, buf[g]);
            }
            std::uint64_t served = 0;  // bit i: synapse k + i
            for (std::size_t g = 0; g < n; ++g) {
                const group& q = buf[g];
                std::array<f64x4, n_post> post_at;
                std::array<f64x4, n_pre> pre_a, pre_0, pre_2;
                for (std::size_t m = 0; m < n_post; ++m) post_at[m].v = q.base[m].v * readers[m].decay(q.dt).v;
                // As apply: the older new spike, then t0 if both are new.
                pre_lanes(pre_a, decay, k_last, q.ta + (d - t_last), pre_in_table);
                pre_lanes(pre_0, decay, k_last, q.t0 + (d - t_last), pre_in_table);
                const int bits = _mm256_movemask_pd((__m256d)q.served.v);
                served |= static_cast<std::uint64_t>(bits) << 4 * g;
                if (bits != 0xF) [[unlikely]]  // their lists are read at the end of the row
                    for (int l = 0; l < 4; ++l)
                        if (!(bits >> l & 1) && post.needs_list(target[k + 4 * g + l], t1))
                            post.prefetch_list(target[k + 4 * g + l]);
                float* const wg = weight + k + 4 * g;
                const f64x4 w0(_mm256_cvtps_pd(_mm_loadu_ps(wg)));
                f64x4 w = w0;
                if constexpr (Deep)
                    if (_mm256_movemask_pd((__m256d)(q.new2.v)) & bits) [[unlikely]] {
                        pre_lanes(pre_2, decay, k_last, q.t2 + (d - t_last), pre_in_table);
                        w = select(q.new2, post_update(p, w, pre_2.data(), q.before2.data()), w);
                    }
                w = select(q.any, post_update(p, w, pre_a.data(), q.before_a.data()), w);
                w = select(q.both, post_update(p, w, pre_0.data(), q.before0.data()), w);
                w = R::on_pre(p, w, post_at.data(), pre_before4.data());
                // Synapses not served keep their weight: apply updates them at the end.
                _mm_storeu_ps(wg, _mm256_cvtpd_ps(select(q.served, w, w0).v));
            }
            // Each synapse's new weight into its target's input, in synapse order (two
            // synapses of a group may share a target); lane by lane from bit masks and
            // registers (through memory, it was slower).
            for (std::size_t g = 0; g < n; ++g, k += 4) {
                const int bits = static_cast<int>(served >> 4 * g) & 0xF;
                const f64x4 sent(_mm256_cvtps_pd(_mm_loadu_ps(weight + k)));
                const int excitatory = _mm256_movemask_pd((__m256d)(sent.v >= 0.0));
                if (bits == 0xF && (excitatory == 0xF || excitatory == 0)) [[likely]] {
                    // The usual group: all four served, of one sign.
                    double* const row = excitatory ? ex : in;
#pragma GCC unroll 4
                    for (int l = 0; l < 4; ++l) row[target[k + l]] += sent[l];
                    continue;
                }
#pragma GCC unroll 4
                for (int l = 0; l < 4; ++l) {
                    const std::uint32_t j = target[k + l];
                    if (bits >> l & 1) [[likely]] {
                        (excitatory >> l & 1 ? ex : in)[j] += sent[l];
                    } else {
                        if (post.needs_list(j, t1)) post.prefetch_entries(j);
                        rest_.push_back(k + l);
                    }
                }
            }
        }
        apply<false>(x, target, k);  // the last few, the deferred ones, the row's traces
    }
#endif

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
    bool lanes_ = false;                      // apply_lanes where the rule and the CPU allow
    std::size_t group_ = 0;                   // the target population in the history
};

}  // namespace myelin
