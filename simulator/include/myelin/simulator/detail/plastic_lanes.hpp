#pragma once
// plastic_adapter's tuned loop: a rule written over its number type runs on four synapses
// at once (f64x4, AVX2), with the same IEEE operations lane by lane as apply() (the
// readable specification in plastic_rule.hpp), so the same weights to the bit (tested
// in tests/validation/plasticity.cpp). Internal: model_registration.hpp includes it.
#include <myelin/simulator/detail/f64x4.hpp>
#include <myelin/simulator/detail/post_history.hpp>
#include <myelin/simulator/plastic_rule.hpp>

#include <array>
#include <concepts>

namespace myelin {

#ifdef MYELIN_LANES
namespace detail {

// Rules written over their number type (constant delays, traces in the records' slots 0
// and 1, decided by the adapter): apply's loop, lane by lane the same operations. What
// does not vectorise (the sums into the ring, where two lanes may share a target) is
// done per lane, in synapse order.
template <class R>
inline constexpr bool lanes_rule =
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
template <std::size_t n_pre>
[[gnu::target("avx2")]] MYELIN_INLINE void pre_lanes(std::array<f64x4, n_pre>& pre, const std::array<decay_view, n_pre>& decay,
                                                 const std::array<double, n_pre>& k_last, v4i dt, bool in_table) {
    for (std::size_t m = 0; m < n_pre; ++m)
        pre[m].v = f64x4(k_last[m]).v * (in_table ? decay[m].in_table(dt) : decay[m](dt)).v;
}

}  // namespace detail

template <class R>
bool plastic_adapter<R>::run_lanes(const synapse_spike& x) {
    if constexpr (detail::lanes_rule<R>) {
        rest_.clear();
        if constexpr (n_post == 1)
            if (post_->depth(group_) == 3) {
                x.target16 ? apply_lanes<true>(x, x.target16) : apply_lanes<true>(x, x.target32);
                return true;
            }
        x.target16 ? apply_lanes<false>(x, x.target16) : apply_lanes<false>(x, x.target32);
        return true;
    }
    return false;
}

// Deep: the records hold three spikes (post_history::depth), so up to three new ones
// are served; the oldest of three first, in the few groups that have one.
template <class R>
template <bool Deep, class T>
[[gnu::target("avx2"), gnu::flatten]] void plastic_adapter<R>::apply_lanes(const synapse_spike& x, const T* target) {
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
            detail::pre_lanes(pre_a, decay, k_last, q.ta + (d - t_last), pre_in_table);
            detail::pre_lanes(pre_0, decay, k_last, q.t0 + (d - t_last), pre_in_table);
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
                    detail::pre_lanes(pre_2, decay, k_last, q.t2 + (d - t_last), pre_in_table);
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
#else
template <class R>
bool plastic_adapter<R>::run_lanes(const synapse_spike&) {
    return false;  // no four-at-a-time loop for this compiler or target
}
#endif

}  // namespace myelin
