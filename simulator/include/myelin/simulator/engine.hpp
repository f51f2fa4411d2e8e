#pragma once
// The simulation engine: builds a network_spec across the owners (OpenMP threads; MPI
// ranks later) and advances it in windows of d_min steps.
//
// Ownership: population p of N neurons is cut into V = ranks * threads contiguous
// chunks, chunk v = [N*v/V, N*(v+1)/V), owned by thread v % threads of rank v / threads.
// The owner keeps the chunk's state, its ring buffers and all synapses onto it. Each window:
//   1. every thread lets its stimulus devices write the window's input,
//   2. advances its neurons step by step and collects their spikes,
//   3. (barrier) the spikes of all threads and ranks are gathered and sorted by (step, gid)
//      (with the targeted exchange a rank receives only those from sources with synapses
//      on it),
//   4. (barrier) every thread delivers the sorted spikes into the ring buffers it owns.
// Delivery order is therefore the same for any number of threads, and so are the
// floating-point sums: results are bit-identical.
#include <myelin/core/types.hpp>
#include <myelin/simulator/checkpoint.hpp>
#include <myelin/simulator/communicator.hpp>
#include <myelin/simulator/network_spec.hpp>

#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <vector>

namespace myelin {

struct state_trace {
    std::string recorder;
    std::size_t population;
    std::vector<std::uint64_t> neurons;  // population-local ids, as requested
    std::vector<std::string> variables, units;
    double t_start_ms = 0.0, dt_ms = 0.0;
    std::size_t n_samples = 0;
    std::vector<std::vector<double>> data;  // per variable: [sample * n_neurons + neuron]
};

// What a weight recorder saw. Synapses are ordered by (target, source), multapses as
// stored. A snapshot at time T holds the weights after every presynaptic spike stamped
// <= T has passed (plastic rules apply postsynaptic spikes when the next presynaptic one
// passes, so potentiation shows then). Events: the weight after each passing presynaptic
// spike, sorted by (time, source, target, weight).
struct weight_record {
    std::string recorder;
    std::size_t projection = 0;
    std::vector<std::uint64_t> source, target;  // population-local
    std::vector<double> times_ms;               // snapshots
    std::vector<float> weights;                 // [snapshot * n_synapses + synapse]
    std::vector<double> event_time_ms;
    std::vector<std::uint64_t> event_source, event_target;
    std::vector<float> event_weight;
};

// One synapse as stored, for inspection and tests (not a hot path).
struct synapse_view {
    std::uint64_t source, target;  // population-local indices
    double weight;
    step_t delay_steps;
};

// Where a thread's time in the windows went (seconds, summed over windows): stimuli,
// neuron updates and sampling; waiting at the barrier for the slowest thread's update;
// the spike exchange (the master thread's merge with the other ranks, the other threads
// waiting for it); delivery into the ring buffers with the plasticity hooks.
struct window_phases {
    double update = 0.0, waiting = 0.0, exchange = 0.0, delivery = 0.0;
    std::uint64_t windows = 0;
};

struct build_stats {
    std::uint64_t n_neurons = 0;
    std::uint64_t n_synapses = 0;
    std::uint64_t synapse_bytes = 0;  // targets, weights, delays and row offsets
    step_t min_delay_steps = 0;  // d_min; 0 without projections
    double build_seconds = 0.0;
};

class engine {
public:
    // Builds a validated spec (validate(), io::prepare_network). Throws input_error for what
    // only the build finds (too many postsynaptic traces for a population). With a
    // communicator of several ranks every rank constructs the engine with the same spec and
    // calls run() alike.
    explicit engine(const network_spec& spec);
    engine(const network_spec& spec, communicator& comm);
    // Restores the state that `save` wrote, for a network of the same spec, on any number
    // of ranks and threads: every rank reads its own part. Throws input_error if the
    // checkpoint does not fit the spec.
    engine(const network_spec& spec, communicator& comm, checkpoint_reader& checkpoint);
    ~engine();
    engine(const engine&) = delete;
    engine& operator=(const engine&) = delete;

    // Advances to `until_step` (exclusive of nothing: state then sits at until_step * h).
    // `progress` is called after every window from one thread with the steps done.
    void run(step_t until_step, const std::function<void(step_t)>& progress = {});
    // Collective: the complete state (neurons, ring buffers, undelivered spikes, synapses,
    // recorders) through `out`, which every rank passes (checkpoint.hpp: whole arrays and
    // every rank's pieces).
    // Randomness needs no state: every stream is a function of (seed, purpose, id, step).
    void save(checkpoint_writer& out) const;
    step_t now() const;
    // New parameters for stimulus device `stimulus` (an index into spec().stimuli), in
    // effect from the next window on, as NEST's SetStatus on a device between Simulate
    // calls. Devices draw from streams of (seed, device, target, step), so a device whose
    // parameters did not change gives the spikes it would have. Throws input_error for
    // values the model refuses (its cross-parameter check).
    void set_stimulus_params(std::size_t stimulus, const param_values& params);
    // New parameters for population `population`: `changed`'s params and varying (an
    // already validated population_spec, e.g. from the config with them changed), in
    // effect from the next step on; every neuron keeps its state (NEST's SetStatus of a
    // parameter between Simulate calls).
    void set_population_params(std::size_t population, const population_spec& changed);
    // Sets state variable `variable` (a key of the population's state, e.g. "V_m") of every
    // neuron of `population` (values: one per neuron, population-local order), from the next
    // step on (NEST's SetStatus of a state variable, PyNN's initialize() between runs).
    // Throws input_error for an unknown variable or a wrong number of values.
    void set_state(std::size_t population, const std::string& variable, std::span<const double> values);
    // State variable `variable` of every neuron of `population` now: this rank's neurons, 0
    // for the others.
    std::vector<double> state_values(std::size_t population, const std::string& variable) const;
    // New weights for projection `projection`: `changed`'s (validated, explicit, with the
    // same synapses listed: an explicit projection's list, or the synapses a rule drew in
    // the order of all_synapses, after which the projection is explicit), in effect from the
    // next delivery on (as NEST's SetStatus on connections between Simulate calls; plastic
    // synapses go on from the new weights). Throws input_error where `changed` lists other
    // synapses. For a rule's synapses a collective: every rank must call it.
    void set_projection_weights(std::size_t projection, const projection_spec& changed);
    // New delays of an explicit projection, as the weights above. Every delay must lie
    // between the smallest and the largest delay of the network at its build (the exchange
    // window and the ring buffers are sized by them); spikes already on their way arrive
    // as sent. Throws input_error otherwise.
    void set_projection_delays(std::size_t projection, const projection_spec& changed);
    // New parameters of a projection's synapse model (any rule), from the next spike on;
    // synapses keep their state and plastic weights. A plastic rule's trace time constants
    // cannot change (input_error).
    void set_synapse_params(std::size_t projection, const projection_spec& changed);
    // Wall time spent gathering, exchanging and sorting the spikes of all threads and ranks
    // (on the master thread, including waiting for the other ranks), summed over windows.
    double exchange_seconds() const;
    // This rank's threads' time per phase of the windows, averaged over the threads, summed
    // over every run so far.
    window_phases phases() const;
    // Spikes this rank received in the exchanges (its own included), summed over windows.
    std::uint64_t received_spikes() const;

    const build_stats& stats() const;  // summed over ranks
    const network_spec& spec() const;
    global_id first_gid(std::size_t population) const;

    // Recorded spikes of the spike recorder's populations that this rank's neurons fired,
    // sorted by (step, gid). A spike's time is (step + 1) * resolution.
    const std::vector<spike>& recorded_spikes() const;
    // Collective: the recorded spikes of all ranks, sorted, on rank 0; empty elsewhere.
    std::vector<spike> gather_recorded_spikes() const;
    // Collective: as gather_recorded_spikes, and the engine forgets them (every rank), so
    // that a caller who writes them as they come keeps memory bounded. Those taken are in
    // no later gather or checkpoint.
    std::vector<spike> take_recorded_spikes();
    // Collective: complete on rank 0, empty elsewhere.
    std::vector<state_trace> state_traces() const;
    // Collective: as state_traces, each with the samples since the last take (n_samples of
    // them, the first at t_start_ms), and the engine forgets them, as take_recorded_spikes.
    std::vector<state_trace> take_state_traces();
    // Collective: complete on rank 0, empty elsewhere. Snapshots due by now() that are
    // still waiting for their window's delivery are taken first (as the weights stand).
    std::vector<weight_record> weight_records();
    // Collective: as weight_records, with the snapshots and events since the last take
    // (each record lists all its synapses), and the engine forgets them. Only `finish` (at
    // the end of a run) takes the snapshots still waiting for their window's delivery.
    std::vector<weight_record> take_weight_records(bool finish = false);

    // The synapses of a projection that this rank holds, sorted by (target, source) with
    // multapses in their stored order.
    std::vector<synapse_view> synapses(std::size_t projection) const;
    // Every rank's synapses of `projection`, on every rank, in the same order (by target,
    // then source; multapses as drawn): the same list for any partition. A collective:
    // every rank must call it.
    std::vector<synapse_view> all_synapses(std::size_t projection);

private:
    struct impl;
    std::unique_ptr<impl> impl_;
    void require_same_synapses(std::size_t projection, const projection_spec& changed, const char* what);
};

}  // namespace myelin
