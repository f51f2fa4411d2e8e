#pragma once
// The spike exchange between ranks, once per window: an all-gather of every rank's
// spikes, or a targeted all-to-all that sends each spike only to the ranks holding
// synapses from its source (docs/architecture.md, "Communicators"). Either way each rank
// gets, sorted by (step, gid), every spike its synapses need, so the results are the same.
#include "thread_state.hpp"

#include <myelin/simulator/communicator.hpp>
#include <myelin/simulator/network_spec.hpp>

#include <vector>

namespace myelin::detail {

class spike_exchanger {
public:
    spike_exchanger() = default;
    spike_exchanger(spike_exchange kind, communicator& comm, const layout& where)
        : kind_(kind), comm_(&comm), layout_(&where) {}

    // Targeted exchange: learns, for each of this rank's neurons, the ranks that hold
    // synapses from it. `used[p][i]`: this rank holds synapses from neuron i of
    // population p (an empty list: none from p). Collective.
    void find_destinations(const std::vector<std::vector<char>>& used);
    bool needs_destinations() const { return kind_ == spike_exchange::targeted && comm_->size() > 1; }

    // A window's spikes of all ranks that this rank needs, sorted by (step, gid).
    // Collective; the wall time spent (waiting included) is added to seconds().
    std::vector<spike> exchange(const std::vector<spike>& local);

    double seconds() const { return seconds_; }
    std::uint64_t received() const { return received_; }

private:
    spike_exchange kind_ = spike_exchange::allgather;
    communicator* comm_ = nullptr;
    const layout* layout_ = nullptr;
    // Targeted: for each of this rank's neurons (rank-local order, CSR) the ranks to send to.
    std::vector<std::uint64_t> destination_offset_;
    std::vector<int> destination_;
    double seconds_ = 0.0;
    std::uint64_t received_ = 0;
};

}  // namespace myelin::detail
