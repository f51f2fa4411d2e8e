#pragma once
// The engine's insides, shared by engine.cpp (build, run, exchange) and checkpoint.cpp
// (save and restore). Not installed, not for other libraries.
#include "connect.hpp"

#include <myelin/simulator/checkpoint.hpp>
#include <myelin/simulator/engine.hpp>
#include <myelin/simulator/model.hpp>
#include <myelin/simulator/post_history.hpp>
#include <myelin/simulator/ring_buffer.hpp>

#include <fmt/format.h>
#include <omp.h>

#include <algorithm>
#include <exception>
#include <memory>
#include <stdexcept>
#include <vector>

namespace myelin {

namespace detail {

// One thread's share of a state recorder.
struct recorder_part {
    std::size_t population = 0;
    std::vector<std::size_t> shard_index;  // neuron within the thread's shard of the population
    std::vector<std::size_t> position;     // its place in the recorder's neuron list
    std::vector<std::size_t> variables;
    step_t interval = 1;
    std::vector<double> samples;  // per sample: [variable][own neuron]
};

// One thread's share of a weight recorder.
struct weight_part {
    std::vector<std::uint64_t> position;       // recorded synapses in the rows, by (target, source)
    std::vector<std::uint64_t> source, target;  // population-local, same order
    std::vector<char> selected;                 // events: per row position, 1 if recorded
    std::vector<float> snapshots;               // [snapshot][own synapse]
    std::size_t taken = 0;                      // snapshots taken
    std::vector<step_t> event_stamp;
    std::vector<std::uint64_t> event_source, event_target;
    std::vector<float> event_weight;
};

// Synaptic scaling of one projection: the activity of the thread's target neurons (Hz,
// as of step `updated`).
struct scaling_part {
    std::vector<double> activity;
    std::vector<step_t> updated;
};

// Everything one owner (thread) holds.
struct part {
    std::vector<detail::owned_chunk> chunks;            // per population
    std::vector<std::unique_ptr<neuron_shard>> shards;  // per population; null if the chunk is empty
    std::size_t n_local = 0;
    ring_buffers ring;
    std::vector<detail::synapse_rows> rows;  // per projection
    std::vector<std::unique_ptr<stimulus_shard>> stimuli;
    std::vector<recorder_part> recorders;
    std::vector<std::uint32_t> fired;  // spike_sink buffer, one entry per owned neuron
    std::vector<spike> emitted;        // spikes of the current window
    std::vector<double> transmitted;   // delivery: what the synapses of a dynamic row transmit
    post_history history;              // spikes of neurons that are targets of plastic synapses
    std::vector<step_t> read_to;       // prune_history's scratch: per neuron
    struct row_age {
        step_t last;
        std::uint32_t projection;
        std::uint64_t row;
    };
    std::vector<row_age> row_ages;     // prune_history's scratch: per plastic row
    std::vector<weight_part> weights;  // per weight recorder
    std::vector<scaling_part> scaling; // per projection (empty without scaling)
};

// Every thread runs `body(thread)`; exceptions are collected and the first (by thread
// number, so the message does not depend on timing) is rethrown after the region.
template <class F>
void on_every_thread(int threads, F&& body) {
    std::vector<std::exception_ptr> errors(static_cast<std::size_t>(threads));
    int team = 0;
    omp_set_dynamic(0);  // exactly `threads` threads, whatever OMP_DYNAMIC says
#pragma omp parallel num_threads(threads)
    {
        const int t = omp_get_thread_num();
#pragma omp single
        team = omp_get_num_threads();
        if (team == threads) {
            try {
                body(t);
            } catch (...) {
                errors[static_cast<std::size_t>(t)] = std::current_exception();
            }
        }
    }
    if (team != threads)
        throw std::runtime_error(fmt::format("OpenMP gave {} threads where {} were asked for", team, threads));
    for (auto& e : errors)
        if (e) std::rethrow_exception(e);
}


}  // namespace detail

struct engine::impl {
    network_spec spec;
    std::unique_ptr<communicator> own_comm;  // the serial one, if none was given
    communicator* comm = nullptr;
    int n_threads = 1;
    std::vector<global_id> pop_offset;                      // size populations + 1
    std::vector<std::vector<std::size_t>> projections_from;  // per source population
    step_t window = 1;   // d_min: spikes are exchanged once per window
    std::size_t n_slots = 1;  // ring buffer rows: window + max delay + the row being read
    step_t max_delay = 1;
    bool plastic = false;     // some projection has a plastic rule
    // Per population: the modulated projections its spikes drive, with the modulator's
    // delay in steps.
    std::vector<std::vector<std::pair<std::size_t, step_t>>> modulates;
    bool modulated = false;
    step_t now = 0;
    step_t recorded_through = 0;  // spikes before this step are in `recorded`
    std::vector<detail::part> parts;
    std::vector<spike> window_spikes;  // merged and sorted at a window's end
    std::vector<spike> recorded;       // this rank's own recorded spikes
    // Targeted exchange: per population the first and last gid + 1 (population-local)
    // this rank owns, where its neurons start in rank-local order, and for each of its
    // neurons (CSR) the ranks that hold synapses from it.
    std::vector<std::uint64_t> own_begin, own_end, own_offset;
    std::vector<std::uint64_t> destination_offset;
    std::vector<int> destination;
    std::vector<char> population_recorded;
    double exchange_seconds = 0.0;
    std::uint64_t received_spikes = 0;
    std::vector<step_t> recorder_interval;
    std::vector<std::size_t> recorder_samples;
    build_stats stats;
    // Restored from a checkpoint, on rank 0: the spikes and state samples recorded before.
    std::vector<spike> restored_spikes;
    std::vector<std::vector<std::vector<double>>> restored_traces;  // [recorder][variable]
    std::vector<std::size_t> restored_samples;                      // per recorder
    std::vector<weight_record> restored_weights;                   // per weight recorder
    bool restored = false;

    impl(const network_spec& s, communicator* c) : spec(s), own_comm(c ? nullptr : make_serial_communicator()),
                                                   comm(c ? c : own_comm.get()) {}

    std::size_t population_of(global_id gid) const {
        return static_cast<std::size_t>(std::upper_bound(pop_offset.begin(), pop_offset.end(), gid) -
                                        pop_offset.begin() - 1);
    }

    // Ranks own, per population, the contiguous range of their threads' chunks.
    std::pair<std::uint64_t, std::uint64_t> rank_range(std::size_t population, int rank) const;

    void build(checkpoint_reader* restore);
    void build_part(int t, bool restoring);
    void restore(checkpoint_reader& in);  // after build_part, in place of the draws
    void setup_plasticity(detail::part& me);  // after the rows exist
    void prune_history(detail::part& me, step_t now);
    step_t prune_interval = 1;  // in steps, a multiple of the window
    bool record_weight_events = false;        // some weight recorder records every change
    void restore_plasticity(checkpoint_reader& in);  // after setup_plasticity
    void restore_scaling(checkpoint_reader& in);
    void scale(detail::part& me, step_t window_end);  // synaptic scaling due at window_end
    bool scaling = false;
    void save_row_traces(checkpoint_writer* out, std::size_t projection);
    void save_history(checkpoint_writer* out);
    void save(checkpoint_writer* out);
    void update(detail::part& me, step_t k);
    void sample(detail::part& me, step_t k_next);
    void deliver(detail::part& me, step_t window_end);
    void deliver_modulators(detail::part& me);
    void restore_modulators(checkpoint_reader& in);
    void save_modulators(checkpoint_writer* out, std::size_t projection);
    void setup_weight_recorders(detail::part& me);
    std::size_t snapshots_before_now(const weight_recorder_spec& wr) const;
    void take_snapshots(detail::part& me, step_t through);  // those due at stamps <= through
    void record_events(detail::part& me, std::size_t projection, std::uint64_t row, std::uint64_t b, std::uint64_t e,
                       step_t stamp);
    std::vector<weight_record> gather_weights() const;
    void find_destinations();
    std::vector<spike> exchange(const std::vector<spike>& local);
    void merge_window(step_t window_end);
    void record(const std::vector<spike>& local);
    void record_pending(step_t until);
};

// The spikes this rank's threads emitted, sorted; with `take`, the threads' lists are
// emptied.
std::vector<spike> local_sorted(std::vector<detail::part>& parts, bool take);

}  // namespace myelin
