#pragma once
// The postsynaptic spike history of one thread's neurons, read by plastic synapses
// (Morrison, Aertsen & Diesmann 2007, Neural Comput 19:1437; as NEST's ArchivingNode).
//
// A plastic synapse lives at its target's owner and updates only when a presynaptic spike
// passes: it then applies the postsynaptic spikes that reached it since its last one,
// read from here. A neuron keeps a spike until every plastic synapse onto it has read it
// (each synapse reads each spike exactly once) and a later spike makes it unnecessary for
// trace look-ups. Like NEST's, a history grows while a presynaptic neuron stays silent.
//
// With each spike it stores the postsynaptic traces its population's synapse models asked
// for, just before the spike: all-to-all traces (sum over earlier spikes of
// exp(-dt/tau)) or nearest-spike traces (exp(-dt/tau) of the previous spike alone).
#include <myelin/simulator/types.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <limits>
#include <span>
#include <vector>

namespace myelin {

struct trace_spec {
    double tau_ms = 20.0;
    bool nearest = false;  // nearest-spike instead of all-to-all
    friend bool operator==(const trace_spec&, const trace_spec&) = default;
};

// exp(-dt h / tau) for whole steps dt >= 0: a table for the first few time constants
// (the values std::exp gives, so results do not depend on it), std::exp beyond.
class decay_table {
public:
    decay_table() = default;
    decay_table(double tau_ms, double h_ms);
    double operator()(step_t dt) const {
        return static_cast<std::size_t>(dt) < table_.size() ? table_[static_cast<std::size_t>(dt)] : exact(dt);
    }
    double exact(step_t dt) const { return std::exp(-static_cast<double>(dt) * h_ / tau_); }

private:
    std::vector<double> table_;
    double tau_ = 1.0, h_ = 0.1;
};

// Distinct postsynaptic traces per population (plastic projections onto it with
// different time constants or pairings).
constexpr std::size_t max_post_traces = 4;

struct post_entry {
    step_t t = 0;                              // time stamp in steps
    std::uint32_t reads = 0;                   // plastic synapses that have applied it
    std::array<double, max_post_traces> before{};  // traces just before this spike
};

class post_history {
public:
    // `groups[i]` is the trace list of neuron i's population (index into `traces`).
    // A trace look-up never reaches further back than `horizon` steps before the newest
    // spike (the communication window plus the largest delay).
    post_history() = default;
    post_history(std::vector<std::uint16_t> group, std::size_t n_groups, double h_ms, step_t horizon);

    // Slot of `trace` in the entries of group g's neurons (added if new). Throws
    // std::length_error beyond max_post_traces.
    std::size_t add_trace(std::size_t g, trace_spec trace);
    const std::vector<trace_spec>& traces(std::size_t g) const { return traces_[g]; }

    // Plastic synapses onto each neuron; a neuron with none keeps no history.
    void set_incoming(std::vector<std::uint32_t> n_incoming);
    bool keeps(std::uint32_t neuron) const { return !incoming_.empty() && incoming_[neuron] > 0; }

    void add_spike(std::uint32_t neuron, step_t t);

    // Calls f(t, before) for the spikes with t1 < t <= t2, in time order (`before`: the
    // traces just before the spike, by slot), and marks each as read once more.
    template <class F>
    void for_each_new(std::uint32_t neuron, step_t t1, step_t t2, F&& f) {
        summary& n = summary_[neuron];
        t1 = std::max(t1, never);  // no spike yet: nothing to read
        if (n.t <= t1) return;     // the usual case: nothing new
        if (n.t_prev > t1) {
            list& l = lists_[neuron];
            const std::size_t newest = l.e.size() - 1;
            std::size_t k = newest;
            while (k > l.head && l.e[k - 1].t > t1) --k;
            for (; k < newest && l.e[k].t <= t2; ++k) {
                f(l.e[k].t, l.e[k].before.data());
                ++l.e[k].reads;
            }
        }
        if (n.t <= t2) {
            f(n.t, &before_last_[neuron * stride_]);
            ++n.reads;
        }
    }
    // Value of trace `slot` at time t, from the spikes strictly before t.
    double trace_at(std::uint32_t neuron, std::size_t slot, step_t t) const {
        const summary& n = summary_[neuron];
        const decay_table& decay = decay_[group_[neuron]][slot];
        if (n.t < t) return after_last(neuron, slot) * decay(t - n.t);  // the usual case
        if (n.t_prev < t) return after_prev_[neuron * stride_ + slot] * decay(t - n.t_prev);
        return trace_from_list(neuron, slot, t);
    }
    // A reader that knows its next neurons fetches what it will read early, in three
    // stages (each needs what the one before fetched): the summary; the list header if
    // more than the newest spike is new after t1; the newest spikes of that list.
    void prefetch(std::uint32_t neuron) const {
        __builtin_prefetch(&summary_[neuron], 1);
        __builtin_prefetch(&before_last_[neuron * stride_]);
    }
    void prefetch_list(std::uint32_t neuron, step_t t1) const {
        if (summary_[neuron].t_prev > t1) __builtin_prefetch(&lists_[neuron]);
    }
    void prefetch_entries(std::uint32_t neuron, step_t t1) const {
        if (summary_[neuron].t_prev <= t1) return;
        const list& l = lists_[neuron];
        const std::size_t n = l.e.size() - l.head;
        const char* p = reinterpret_cast<const char*>(l.e.data() + l.e.size());
        for (std::size_t line = 1; line <= 3 * sizeof(post_entry) / 64 && line * 64 <= n * sizeof(post_entry); ++line)
            __builtin_prefetch(p - line * 64, 1);
    }

    // For checkpoints: the kept spikes of a neuron, and putting them back.
    std::vector<post_entry> entries(std::uint32_t neuron) const;
    void restore(std::uint32_t neuron, std::vector<post_entry> entries);
    std::uint64_t bytes() const;

private:
    struct list {
        std::vector<post_entry> e;
        std::size_t head = 0;  // e[head..] are kept; the front is compacted lazily
    };
    // The two newest spikes of a neuron, so that most look-ups need no list. The newest
    // spike's read count lives here (its copy in the list is updated at the next spike).
    struct summary {
        step_t t = never, t_prev = never;
        std::uint32_t reads = 0;
    };
    static constexpr step_t never = -(step_t{1} << 50);  // long ago: every trace is 0

    double trace_from_list(std::uint32_t neuron, std::size_t slot, step_t t) const;
    double after_last(std::uint32_t neuron, std::size_t slot) const {
        return traces_[group_[neuron]][slot].nearest ? 1.0 : before_last_[neuron * stride_ + slot] + 1.0;
    }
    // Trace `slot` just after entry x (1 for nearest traces).
    double after(std::uint32_t neuron, std::size_t slot, const post_entry& x) const {
        return traces_[group_[neuron]][slot].nearest ? 1.0 : x.before[slot] + 1.0;
    }

    std::vector<std::uint16_t> group_;
    std::vector<std::vector<trace_spec>> traces_;
    std::vector<std::vector<decay_table>> decay_;  // per group and slot
    std::vector<summary> summary_;
    // [neuron * stride_ + slot]: the traces just before the newest spike, and just after
    // the one before it.
    std::vector<double> before_last_, after_prev_;
    std::size_t stride_ = 0;
    std::vector<std::uint32_t> incoming_;
    std::vector<list> lists_;
    double h_ = 0.1;
    step_t horizon_ = 0;
};

}  // namespace myelin
