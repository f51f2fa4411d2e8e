#pragma once
// Spike-timing plasticity written as traces: what a rule (one struct in models/, see
// docs/plasticity.md) declares, and the adapter that applies it event by event.
//
// A rule names its presynaptic traces (kept once per source and projection) and its
// postsynaptic traces (kept with the target's spike history), each a time constant and a
// pairing (all-to-all: +1 per spike; nearest: reset to 1). It gives two weight updates:
//   on_post(p, w, pre, post_before): a postsynaptic spike reaches the synapse; `pre`
//       holds the presynaptic traces at that moment, `post_before` the postsynaptic ones
//       just before this spike;
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

#include <array>
#include <cmath>
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
    std::vector<trace_spec> post_traces() const override {
        const auto t = R::post_traces(p_);
        return {t.begin(), t.end()};
    }
    void bind(post_history* history, std::vector<std::size_t> slots) override {
        post_ = history;
        std::copy(slots.begin(), slots.end(), slot_.begin());
    }

    void on_pre(const synapse_spike& x) override {
        const step_t t = x.stamp, t_last = last_[x.row];
        std::array<double, n_pre> pre_before{}, k_last{};
        for (std::size_t m = 0; m < n_pre; ++m) {
            k_last[m] = trace_[m][x.row];
            if (t_last >= 0) pre_before[m] = k_last[m] * decay_[m](t - t_last);
        }
        // Postsynaptic spikes after `from(k)` reached synapse k after the last presynaptic spike.
        auto from = [&](std::uint64_t k) {
            return t_last >= 0 ? t_last - x.delay_of(k) : std::numeric_limits<step_t>::min();
        };
        // Targets are scattered: fetch their history early, in the stages prefetch() describes.
        constexpr std::uint64_t a1 = 24, a2 = 16, a3 = 8;
        for (std::uint64_t k = x.b; k < std::min(x.e, x.b + a1); ++k) post_->prefetch(x.target(k));
        for (std::uint64_t k = x.b; k < std::min(x.e, x.b + a2); ++k) post_->prefetch_list(x.target(k), from(k));
        for (std::uint64_t k = x.b; k < std::min(x.e, x.b + a3); ++k) post_->prefetch_entries(x.target(k), from(k));
        for (std::uint64_t k = x.b; k < x.e; ++k) {
            if (k + a1 < x.e) post_->prefetch(x.target(k + a1));
            if (k + a2 < x.e) post_->prefetch_list(x.target(k + a2), from(k + a2));
            if (k + a3 < x.e) post_->prefetch_entries(x.target(k + a3), from(k + a3));
            const std::uint32_t target = x.target(k);
            const step_t d = x.delay_of(k);
            double w = x.weight[k];
            post_->for_each_new(target, from(k), t - d, [&](step_t t_post, const double* before) {
                std::array<double, n_pre> pre{};
                if (t_last >= 0)
                    for (std::size_t m = 0; m < n_pre; ++m) pre[m] = k_last[m] * decay_[m](t_post + d - t_last);
                std::array<double, n_post> post_before{};
                for (std::size_t m = 0; m < n_post; ++m) post_before[m] = before[slot_[m]];
                w = R::on_post(p_, w, pre.data(), post_before.data());
            });
            std::array<double, n_post> post{};
            for (std::size_t m = 0; m < n_post; ++m) post[m] = post_->trace_at(target, slot_[m], t - d);
            w = R::on_pre(p_, w, post.data(), pre_before.data());
            x.weight[k] = static_cast<float>(w);
            x.out[k - x.b] = x.weight[k];
        }
        for (std::size_t m = 0; m < n_pre; ++m) trace_[m][x.row] = pre_[m].nearest ? 1.0 : pre_before[m] + 1.0;
        last_[x.row] = t;
    }

private:
    typename R::params p_;
    std::array<trace_spec, n_pre> pre_;
    // exp(-dt/tau) of the presynaptic traces: the trace of one spike dt after it. The
    // stored value is the trace just after the last spike (1 for nearest traces), so one
    // decay serves both pairings.
    std::array<decay_table, n_pre> decay_;
    std::array<std::size_t, n_post> slot_{};
    post_history* post_ = nullptr;
    std::vector<step_t> last_;                // per row
    std::vector<std::vector<double>> trace_;  // [pre trace][row], just after the last spike
};

}  // namespace myelin
