#pragma once
// Input ring buffers of one thread's neurons, laid out slot-major: for each channel and
// each future step one contiguous row over all neurons the thread owns. Delivering a spike
// then walks one row forward and the neuron update reads one row.
//
// Index convention: a row is addressed by the step whose *end* it affects. Spike input
// with time stamp t_s = (k+1)*h and delay d arrives at step index k+1+d and is added to the
// synaptic state at time (k+1+d)*h, in the update of step k+d; a current for step k sits in
// row k+1. So the update of step k reads row k+1 of every channel.
#include <myelin/simulator/types.hpp>

#include <algorithm>
#include <cstddef>
#include <vector>

namespace myelin {

enum class channel : std::size_t { excitatory = 0, inhibitory = 1, current = 2 };
inline constexpr std::size_t n_channels = 3;

class ring_buffers {
public:
    ring_buffers() = default;
    // Without current input (no current device feeds these neurons) the current channel
    // is one row of zeros that is never written or cleared: the update reads it from cache.
    ring_buffers(std::size_t n_neurons, std::size_t n_slots, bool with_current = true)
        : n_neurons_(n_neurons), n_slots_(n_slots), with_current_(with_current),
          data_(((with_current ? n_channels : n_channels - 1) * n_slots + (with_current ? 0 : 1)) * n_neurons, 0.0) {}

    std::size_t n_neurons() const { return n_neurons_; }
    std::size_t n_slots() const { return n_slots_; }
    bool with_current() const { return with_current_; }
    std::size_t slot_of(step_t arrival) const { return static_cast<std::size_t>(arrival) % n_slots_; }

    double* row(channel c, std::size_t slot) {
        if (c == channel::current && !with_current_) return data_.data() + (n_channels - 1) * n_slots_ * n_neurons_;
        return data_.data() + (static_cast<std::size_t>(c) * n_slots_ + slot) * n_neurons_;
    }
    void clear_slot(std::size_t slot) {
        for (std::size_t c = 0; c < (with_current_ ? n_channels : n_channels - 1); ++c) {
            double* r = row(static_cast<channel>(c), slot);
            std::fill(r, r + n_neurons_, 0.0);
        }
    }

private:
    std::size_t n_neurons_ = 0, n_slots_ = 1;
    bool with_current_ = true;
    std::vector<double> data_;
};

}  // namespace myelin
