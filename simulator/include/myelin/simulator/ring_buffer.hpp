#pragma once
// Input ring buffers of one thread's neurons, laid out slot-major: for each input port
// (and the current channel) and each future step one contiguous row over all neurons the
// thread owns. Delivering a spike then walks one row forward and the neuron update reads
// one row per port.
//
// Index convention: a row is addressed by the step whose *end* it affects. Spike input
// with time stamp t_s = (k+1)*h and delay d arrives at step index k+1+d and is added to the
// synaptic state at time (k+1+d)*h, in the update of step k+d; a current for step k sits in
// row k+1. So the update of step k reads row k+1 of every port and of the current.
#include <myelin/core/types.hpp>

#include <algorithm>
#include <cstddef>
#include <vector>

namespace myelin {

// One row set per input port (the models' receptor ports; at least two, "excitatory" and
// "inhibitory" for sign-rule models), then the current channel.
class ring_buffers {
public:
    ring_buffers() = default;
    // Without current input (no current device feeds these neurons) the current channel
    // is one row of zeros that is never written or cleared: the update reads it from cache.
    ring_buffers(std::size_t n_neurons, std::size_t n_slots, std::size_t n_ports = 2, bool with_current = true)
        : n_neurons_(n_neurons), n_slots_(n_slots), n_ports_(n_ports), with_current_(with_current),
          data_(((with_current ? n_ports + 1 : n_ports) * n_slots + (with_current ? 0 : 1)) * n_neurons, 0.0) {}

    std::size_t n_neurons() const { return n_neurons_; }
    std::size_t n_slots() const { return n_slots_; }
    std::size_t n_ports() const { return n_ports_; }
    bool with_current() const { return with_current_; }
    std::size_t slot_of(step_t arrival) const { return static_cast<std::size_t>(arrival) % n_slots_; }

    double* row(std::size_t port, std::size_t slot) { return data_.data() + (port * n_slots_ + slot) * n_neurons_; }
    double* current(std::size_t slot) {
        return data_.data() + (n_ports_ * n_slots_ + (with_current_ ? slot : 0)) * n_neurons_;
    }
    void clear_slot(std::size_t slot) {
        for (std::size_t q = 0; q < n_ports_; ++q) std::fill_n(row(q, slot), n_neurons_, 0.0);
        if (with_current_) std::fill_n(current(slot), n_neurons_, 0.0);
    }

private:
    std::size_t n_neurons_ = 0, n_slots_ = 1, n_ports_ = 2;
    bool with_current_ = true;
    std::vector<double> data_;
};

}  // namespace myelin
