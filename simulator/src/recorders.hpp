#pragma once
// Recorders behind one interface: what the run loop tells them (after every step, at
// every window's merge; weight recorders also watch delivery), and their checkpoint
// state. What each gathers differs in kind (spikes, state traces, weights), so gathering
// is a typed call on each; the engine's public calls forward to them.
#include "delivery.hpp"
#include "thread_state.hpp"

#include <myelin/simulator/checkpoint.hpp>
#include <myelin/simulator/communicator.hpp>
#include <myelin/simulator/engine.hpp>

#include <vector>

namespace myelin::detail {

class recorder {
public:
    virtual ~recorder() = default;
    // Recorders that sample state after steps say so; after_step is then called on every
    // thread after every step with the state at k_next (and once with 0 before a run).
    virtual bool samples() const { return false; }
    virtual void after_step(std::size_t /*thread*/, thread_state& /*me*/, step_t /*k_next*/) {}
    // On the master thread: this rank's spikes of the steps before `through` not yet
    // shown (sorted by (step, gid)).
    virtual void on_window(const std::vector<spike>& /*local*/, step_t /*through*/) {}
    // Collective: what was recorded so far, written by rank 0 (`out` is null elsewhere).
    virtual void save(checkpoint_writer& out, communicator& comm) = 0;
    // What a checkpoint says was recorded before (read on rank 0 only).
    virtual void restore(checkpoint_reader& in, bool root, step_t now) = 0;
};

// Spikes of the recorded populations that this rank's neurons fire.
class spike_recorder final : public recorder {
public:
    spike_recorder(const network_spec& spec, const layout& where);
    void on_window(const std::vector<spike>& local, step_t through) override;
    void save(checkpoint_writer& out, communicator& comm) override;
    void restore(checkpoint_reader& in, bool root, step_t now) override;
    const std::vector<spike>& local() const { return recorded_; }
    // Collective: every rank's spikes with those restored, sorted, on rank 0.
    std::vector<spike> gather(communicator& comm) const;
    // Collective: as gather, and forgets them on every rank.
    std::vector<spike> take(communicator& comm);

private:
    const layout* layout_;
    std::vector<char> population_recorded_;
    std::vector<spike> recorded_, restored_;
    step_t recorded_through_ = 0;  // spikes before this step are in `recorded_`
};

// Samples of chosen state variables of chosen neurons, every `interval` steps.
class state_recorder final : public recorder {
public:
    state_recorder(const network_spec& spec, std::size_t index, const std::vector<thread_state>& threads);
    bool samples() const override { return true; }
    void after_step(std::size_t thread, thread_state& me, step_t k_next) override;
    void save(checkpoint_writer& out, communicator& comm) override;
    void restore(checkpoint_reader& in, bool root, step_t now) override;
    // Collective: complete on rank 0, empty elsewhere.
    std::vector<state_trace> gather(communicator& comm) const;
    // Collective: as gather, and forgets the samples on every rank.
    std::vector<state_trace> take(communicator& comm);

private:
    struct per_thread {
        std::vector<std::size_t> shard_index;  // neuron within the thread's shard of the population
        std::vector<std::uint64_t> position;   // its place in the recorder's neuron list
        std::vector<double> samples;           // per sample: [variable][own neuron]
    };
    const network_spec* spec_;
    std::size_t index_;
    step_t interval_ = 1;
    std::size_t taken_ = 0;  // samples taken by this engine and held
    std::size_t given_ = 0;  // samples handed out by take() before them
    std::vector<per_thread> threads_;
    std::size_t restored_samples_ = 0;
    std::vector<std::vector<double>> restored_;  // per variable, on rank 0
};

// Weights of one projection's synapses: snapshots during delivery (which runs in
// time-stamp order), events as presynaptic spikes pass.
class weight_recorder final : public recorder, public delivery_observer {
public:
    weight_recorder(const network_spec& spec, std::size_t index, step_t window);
    // After the rows exist (built or restored): selects the recorded synapses. Collective.
    void setup(std::vector<thread_state>& threads, communicator& comm, step_t now);
    void before_spike(std::size_t thread, step_t step) override;
    void after_row(std::size_t thread, std::size_t projection, std::uint64_t row, std::uint64_t b, std::uint64_t e,
                   step_t stamp) override;
    void after_window(std::size_t thread, step_t window_end) override;
    void save(checkpoint_writer& out, communicator& comm) override;
    void restore(checkpoint_reader& in, bool root, step_t now) override;
    // Snapshots due by `now` that are still waiting for their window's delivery, taken
    // as the weights stand.
    void take_due(step_t now);
    // Collective: complete on rank 0, empty elsewhere: the snapshots and events not yet
    // taken (with the synapse list).
    std::vector<weight_record> gather(communicator& comm) const;
    // Collective: as gather, and forgets them on every rank. Between runs every thread has
    // taken the snapshots due by the last window boundary; those are complete.
    std::vector<weight_record> take(communicator& comm);

private:
    struct per_thread {
        const synapse_rows* rows = nullptr;
        std::uint64_t target_begin = 0, target_offset = 0;  // the thread's chunk of the target population
        std::vector<std::uint64_t> position;        // recorded synapses in the rows, by (target, source)
        std::vector<std::uint64_t> source, target;  // population-local, same order
        std::vector<char> selected;                 // events: per row position, 1 if recorded
        std::vector<float> snapshots;               // [snapshot][own synapse]
        std::size_t taken = 0;                      // snapshots taken
        std::vector<step_t> event_stamp;
        std::vector<std::uint64_t> event_source, event_target;
        std::vector<float> event_weight;
    };
    void take_snapshots(per_thread& mine, step_t through) const;
    std::size_t snapshots_before(step_t now) const;

    const network_spec* spec_;
    std::size_t index_;
    step_t window_;
    std::vector<per_thread> threads_;
    std::size_t given_ = 0;  // snapshots handed out by take() (or by the run a checkpoint continues)
    std::size_t first_ = 0;  // the first snapshot in the threads' buffers; before_ holds [given_, first_)
    bool restored_ = false;
    weight_record before_;  // restored, on rank 0
};

}  // namespace myelin::detail
