#pragma once
// Delivery: a window's spikes, sorted by (step, gid), added into the ring buffers of the
// targets each thread owns, row after row of its synapses; and the synapses and ring
// buffers in checkpoints. Delivery in (step, gid) order on the target's thread is what
// makes every sum, and so every result, independent of the partition.
#include "thread_state.hpp"

#include <myelin/simulator/checkpoint.hpp>
#include <myelin/simulator/communicator.hpp>

#include <vector>

namespace myelin::detail {

// Parts that watch delivery (weight recorders): before each spike is delivered, after
// each row of a synapse model has been updated, and at the window's end.
class delivery_observer {
public:
    virtual ~delivery_observer() = default;
    // Before the spike emitted in `step` (time stamp step + 1) is delivered.
    virtual void before_spike(std::size_t thread, step_t step) = 0;
    // Row `row` of `projection`, synapses [b, e), has taken the spike stamped `stamp`.
    virtual void after_row(std::size_t thread, std::size_t projection, std::uint64_t row, std::uint64_t b,
                           std::uint64_t e, step_t stamp) = 0;
    // Every spike stamped <= window_end has been delivered.
    virtual void after_window(std::size_t thread, step_t window_end) = 0;
};

class delivery {
public:
    delivery() = default;
    delivery(const network_spec& spec, const layout& where, std::size_t n_slots);

    void watch(delivery_observer* o) { observers_.push_back(o); }
    const std::vector<std::size_t>& projections_from(std::size_t population) const { return from_[population]; }

    void deliver(std::size_t thread, thread_state& me, const std::vector<spike>& spikes, step_t window_end) const;

    // Checkpoints: the ring buffers' contents (row r holds what arrives at now + 1 + r)
    // and every projection's synapses by target, in gid order. Collective; rank 0 writes.
    void save(checkpoint_writer& out, std::vector<thread_state>& threads, step_t now) const;
    // After the neurons exist: fills the ring buffers and rebuilds the rows.
    void restore(checkpoint_reader& in, std::vector<thread_state>& threads, step_t now) const;

private:
    const network_spec* spec_ = nullptr;
    const layout* layout_ = nullptr;
    std::size_t n_slots_ = 1;
    std::vector<std::vector<std::size_t>> from_;  // per source population: its projections
    // Per projection: the ports its non-negative and its negative weights arrive at.
    std::vector<std::pair<std::size_t, std::size_t>> ports_;
    std::vector<delivery_observer*> observers_;
};

}  // namespace myelin::detail
