#pragma once
// What plastic synapses need beyond their rows: per thread, the spike history of the
// neurons they target (post_history) and its pruning; the neuromodulator spikes that
// reach modulated rules before each window's delivery; homeostatic scaling of weights,
// a hook at the ends of windows. Each saves and restores its own checkpoint arrays.
#include "thread_state.hpp"

#include <myelin/simulator/checkpoint.hpp>
#include <myelin/simulator/communicator.hpp>
#include <myelin/simulator/detail/post_history.hpp>

#include <vector>

namespace myelin::detail {

class plasticity_runtime {
public:
    plasticity_runtime() = default;
    // `window` is d_min in steps, `max_delay` the longest delay.
    plasticity_runtime(const network_spec& spec, const layout& where, step_t window, step_t max_delay);

    bool plastic() const { return plastic_; }
    bool scaling() const { return scaling_; }
    bool modulated() const { return modulated_; }
    // The spikes of `population` carry a neuromodulator.
    bool modulator(std::size_t population) const { return !modulates_[population].empty(); }
    // True if the spikes of neurons a thread fired must be shown to on_fired.
    bool watches_spikes() const { return plastic_ || scaling_; }

    // After the rows exist (built or restored): histories, trace slots, scaling state.
    void setup(std::vector<thread_state>& threads);
    // The neurons of `population` listed in `fired` (shard-local) spiked at the end of step k.
    void on_fired(std::size_t thread, const thread_state& me, std::size_t population, const std::uint32_t* fired,
                  std::size_t n_fired, step_t k);
    // Before a window's spikes are delivered: its modulator spikes reach modulated rules.
    void before_delivery(thread_state& me, const std::vector<spike>& window_spikes) const;
    // After a window's delivery: scaling and history pruning when due.
    void after_delivery(std::size_t thread, thread_state& me, step_t window_end);

    std::uint64_t history_bytes(std::size_t thread) const;

    void save(checkpoint_writer& out, communicator& comm, std::vector<thread_state>& threads) const;
    // After setup(): row traces, histories, modulator events and scaling state.
    void restore(checkpoint_reader& in, std::vector<thread_state>& threads, step_t now);

private:
    // Synaptic scaling of one projection: the activity of the thread's target neurons (Hz,
    // as of step `updated`).
    struct scaling_state {
        std::vector<double> activity;
        std::vector<step_t> updated;
    };
    struct row_age {
        step_t last;
        std::uint32_t projection;
        std::uint64_t row;
    };
    struct per_thread {
        post_history history;               // spikes of neurons that are targets of plastic synapses
        std::vector<step_t> read_to;        // prune's scratch: per neuron
        std::vector<row_age> row_ages;      // prune's scratch: per plastic row
        std::vector<scaling_state> scaling; // per projection (empty without scaling)
    };

    void prune(per_thread& mine, thread_state& me, step_t now);
    void scale(per_thread& mine, thread_state& me, step_t window_end) const;
    void save_row_traces(checkpoint_writer& out, communicator& comm, std::vector<thread_state>& threads,
                         std::size_t projection) const;
    void save_modulators(checkpoint_writer& out, communicator& comm, std::vector<thread_state>& threads,
                         std::size_t projection) const;
    void save_history(checkpoint_writer& out, std::vector<thread_state>& threads) const;

    const network_spec* spec_ = nullptr;
    const layout* layout_ = nullptr;
    step_t window_ = 1, max_delay_ = 1;
    step_t prune_interval_ = 1;  // in steps, a multiple of the window
    bool plastic_ = false, scaling_ = false, modulated_ = false;
    // Per population: the modulated projections its spikes drive, with the modulator's
    // delay in steps.
    std::vector<std::vector<std::pair<std::size_t, step_t>>> modulates_;
    std::vector<per_thread> threads_;
};

}  // namespace myelin::detail
