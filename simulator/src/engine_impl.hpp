#pragma once
// The engine's insides: the run loop's state and the parts it delegates to. Shared by
// engine.cpp (build, run) and checkpoint.cpp (the neurons' own checkpoint arrays, and
// the order in which every part saves and restores its own). Not installed.
#include "delivery.hpp"
#include "plasticity_runtime.hpp"
#include "recorders.hpp"
#include "spike_exchanger.hpp"
#include "thread_state.hpp"

#include <myelin/simulator/checkpoint.hpp>
#include <myelin/simulator/engine.hpp>

#include <memory>
#include <vector>

namespace myelin {

struct engine::impl {
    network_spec spec;
    std::unique_ptr<communicator> own_comm;  // the serial one, if none was given
    communicator* comm = nullptr;
    detail::layout where;
    std::vector<detail::thread_state> threads;
    step_t window = 1;        // d_min: spikes are exchanged once per window
    std::size_t n_slots = 1;  // ring buffer rows: window + max delay + the row being read
    step_t max_delay = 1;
    step_t now = 0;
    bool restored = false;
    std::vector<spike> window_spikes;  // merged and sorted at a window's end
    build_stats stats;

    detail::spike_exchanger exchanger;
    detail::delivery deliverer;
    detail::plasticity_runtime plasticity;
    std::unique_ptr<detail::spike_recorder> spikes;
    std::vector<std::unique_ptr<detail::state_recorder>> states;
    std::vector<std::unique_ptr<detail::weight_recorder>> weights;
    std::vector<detail::recorder*> recorders;  // all of the above
    std::vector<detail::recorder*> samplers;   // those that sample after every step

    impl(const network_spec& s, communicator* c) : spec(s), own_comm(c ? nullptr : make_serial_communicator()),
                                                   comm(c ? c : own_comm.get()) {}

    void build(checkpoint_reader* restore);
    void build_thread(int t, bool restoring);
    // The runs of equal parameters among population i's neurons in chunk c.
    std::vector<neuron_segment> segments_of(std::size_t i, const detail::owned_chunk& c) const;
    void make_stimuli(detail::thread_state& me);
    void make_recorders();
    // For the targeted exchange: per population, which of its neurons this rank's rows
    // have synapses from (empty: none; modulators' spikes go everywhere).
    std::vector<std::vector<char>> used_sources() const;
    void update(std::size_t t, detail::thread_state& me, step_t k);
    void merge_window(step_t window_end);
    // The engine's own checkpoint arrays: the time, neuron state, undelivered spikes.
    void save_neurons(checkpoint_writer& out);
    void restore_neurons(checkpoint_reader& in);
};

}  // namespace myelin
