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

#include <array>
#include <cstdint>
#include <span>
#include <vector>

namespace myelin {

struct trace_spec {
    double tau_ms = 20.0;
    bool nearest = false;  // nearest-spike instead of all-to-all
    friend bool operator==(const trace_spec&, const trace_spec&) = default;
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

    // Spikes with t1 < t <= t2, each marked as read once more.
    std::span<const post_entry> read(std::uint32_t neuron, step_t t1, step_t t2);
    // Value of trace `slot` at time t, from the spikes strictly before t.
    double trace_at(std::uint32_t neuron, std::size_t slot, step_t t) const;

    // For checkpoints: the kept spikes of a neuron, and putting them back.
    std::span<const post_entry> entries(std::uint32_t neuron) const;
    void restore(std::uint32_t neuron, std::vector<post_entry> entries);
    std::uint64_t bytes() const;

private:
    struct list {
        std::vector<post_entry> e;
        std::size_t head = 0;  // e[head..] are kept; the front is compacted lazily
    };
    std::vector<std::uint16_t> group_;
    std::vector<std::vector<trace_spec>> traces_;
    std::vector<std::uint32_t> incoming_;
    std::vector<list> lists_;
    double h_ = 0.1;
    step_t horizon_ = 0;
};

}  // namespace myelin
