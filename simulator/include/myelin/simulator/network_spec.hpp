#pragma once
// A network as the engine builds it: what the config describes, after parsing. Every
// element keeps its config path so that errors found while building can say where the
// offending value was written.
#include <myelin/core/time.hpp>
#include <myelin/simulator/distribution.hpp>
#include <myelin/simulator/model.hpp>
#include <myelin/simulator/model_registry.hpp>

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace myelin {

// How ranks exchange a window's spikes: every rank receives all of them, or only those
// from sources with synapses on it (see docs/architecture.md). Same results either way.
enum class spike_exchange { allgather, targeted };
const char* to_string(spike_exchange e);

struct simulation_spec {
    double resolution_ms = 0.1;
    double t_stop_ms = 1000.0;
    std::uint32_t seed = 12345;
    int threads = 1;
    spike_exchange exchange = spike_exchange::allgather;
    // Plastic rules four synapses at once where the CPU has AVX2 (same results); false:
    // one at a time. The environment's MYELIN_SIMD=off overrides true.
    bool simd = true;
};

struct initial_value {
    std::size_t variable;  // index into model_info::state
    distribution value;
    std::string path;
};

// A parameter that differs between a population's neurons: a number parameter with one
// value per neuron (distribution::kind::list) or drawn per neuron, as initial values are;
// a list parameter (spike times) with one list per neuron (`lists`).
struct varying_param {
    std::size_t index;  // into model_info::params
    distribution value;
    std::string path;
    std::vector<std::vector<double>> lists;
};

struct population_spec {
    std::string name;
    const model_info* model = nullptr;
    std::size_t n = 0;
    param_values params;  // with `varying`: what the other parameters are, for every neuron
    std::vector<varying_param> varying;
    std::vector<initial_value> initial;
    // Spikes are written under this population name with these node ids (one per
    // neuron); empty: the population's own name and 0..n-1. Set for networks imported
    // from SONATA circuits, whose populations Myelin splits by node type.
    std::string output_population;
    std::vector<std::uint64_t> output_ids;
    // The input ports (model_info::ports for these params, renamed by the config's
    // "receptors" if given) and every state variable (model_info::state_for).
    std::vector<port_info> ports;
    std::vector<state_info> state;
    std::string path;

    std::optional<std::size_t> port_index(std::string_view port) const;
    std::optional<std::size_t> state_index(std::string_view key) const;
    // Neuron i's parameters (i population-local, `gid` its global id, `population` this
    // population's index): `params` with the varying ones listed or drawn (keyed by the
    // seed, the population and parameter, and the gid, as initial values are), so the
    // same for any partition.
    param_values neuron_params(std::size_t population, std::uint64_t i, global_id gid, std::uint32_t seed) const;
};

enum class connection_rule {
    all_to_all, one_to_one, fixed_indegree, fixed_outdegree, pairwise_bernoulli, fixed_total_number, explicit_pairs
};
const char* to_string(connection_rule r);

struct rule_spec {
    connection_rule type = connection_rule::all_to_all;
    std::uint64_t count = 0;  // indegree, outdegree or N
    double p = 0.0;           // pairwise_bernoulli
    bool allow_autapses = true;
    bool allow_multapses = true;
    // explicit_pairs: synapse k from sources[k] to targets[k] (population-local); its
    // weight and delay are constants or lists (distribution::kind::list) in the same order.
    std::vector<std::uint64_t> sources, targets;
};

// Homeostatic synaptic scaling (Turrigiano et al. 1998; van Rossum, Bi & Turrigiano 2000):
// each target neuron's activity a (its spikes filtered with tau, in Hz) drives all its
// weights of the projection multiplicatively, dw/dt = beta w (target_rate - a), applied
// every `interval` as w <- w exp(beta interval (target_rate - a)).
struct scaling_spec {
    double target_rate_hz = 5.0;
    double tau_ms = 10000.0;     // activity time constant
    double beta = 1e-3;          // per Hz per s; negative for inhibitory projections
    double interval_ms = 100.0;  // a multiple of d_min
};

// The population whose spikes carry a modulated rule's neuromodulator (dopamine; NEST's
// volume_transmitter): each of its spikes reaches every synapse of the projection
// `delay_ms` after it was emitted.
struct modulator_spec {
    std::size_t population = 0;
    double delay_ms = 1.0;
    std::string path;
};

struct projection_spec {
    std::size_t source = 0, target = 0;  // population indices
    rule_spec rule;
    distribution weight;    // in the target model's weight unit
    distribution delay_ms;
    const model_info* synapse = nullptr;  // a synapse model; null: static synapses
    param_values synapse_params;
    std::optional<modulator_spec> modulator;  // modulated synapse models only
    std::optional<scaling_spec> scaling;
    // The target's input port all weights arrive at; none: the sign rule (weights >= 0 at
    // port 0, "excitatory"; negative ones at port 1, "inhibitory").
    std::optional<std::size_t> receptor;
    std::string path;
};

struct stimulus_target {
    std::size_t population;
    std::optional<std::vector<std::uint64_t>> neurons;  // population-local; all if empty
};

struct stimulus_spec {
    std::string name;
    const model_info* model = nullptr;
    param_values params;
    std::vector<stimulus_target> targets;
    double weight = 0.0;
    double delay_ms = 0.0;
    std::optional<std::size_t> receptor;  // spike devices: as projection_spec::receptor
    std::string path;
};

struct spike_recorder_spec {
    std::vector<std::size_t> populations;
};

struct state_recorder_spec {
    std::string name;
    std::size_t population = 0;
    std::vector<std::uint64_t> neurons;   // population-local indices, in output order
    std::vector<std::size_t> variables;   // indices into model_info::state
    double interval_ms = 1.0;
    std::string path;
};

// A network that classifies (an exported trained network): its class is the neuron of a
// state recorder's list (class k: the k-th listed) whose recorded variable is largest,
// taken as the mean, the maximum or the last of the samples from `first_sample` (0: the
// sample at t = 0) on, as the trained readout. The engine ignores it; `myelin run` prints
// the predicted class and, if the config names the sample's label, whether it is right.
struct classifier_spec {
    enum class readout { mean, max, last };
    std::size_t recorder = 0;  // index into state_recorders (one variable)
    readout kind = readout::mean;
    std::size_t first_sample = 0;
    std::optional<std::uint64_t> label;
};

// Weights of one projection's synapses: snapshots at chosen times, and/or every change
// (each presynaptic spike that passes a plastic synapse), of the synapses whose source
// and target are in the lists (population-local indices; none: all).
struct weight_recorder_spec {
    std::string name;
    std::size_t projection = 0;
    std::optional<std::vector<std::uint64_t>> sources, targets;
    std::vector<step_t> times;  // snapshot time stamps in steps, ascending
    step_t interval = 0;        // or snapshots at 0, interval, 2 interval, ... (steps)
    bool events = false;
    std::string path;

    // Snapshots with time stamps <= `through`, and the time stamp of snapshot s.
    std::size_t due(step_t through) const {
        if (interval > 0) return through < 0 ? 0 : static_cast<std::size_t>(through / interval + 1);
        return static_cast<std::size_t>(std::upper_bound(times.begin(), times.end(), through) - times.begin());
    }
    step_t time(std::size_t s) const { return interval > 0 ? static_cast<step_t>(s) * interval : times[s]; }
};

struct network_spec {
    simulation_spec simulation;
    std::vector<population_spec> populations;
    std::vector<projection_spec> projections;
    std::vector<stimulus_spec> stimuli;
    std::optional<spike_recorder_spec> spikes;
    std::vector<state_recorder_spec> state_recorders;
    std::vector<weight_recorder_spec> weight_recorders;
    std::optional<classifier_spec> classifier;

    std::optional<std::size_t> population_index(std::string_view name) const;
};

// The input port that weights of this sign arrive at: the receptor if one is named, else
// the sign rule's.
inline std::size_t port_for(const std::optional<std::size_t>& receptor, bool nonnegative) {
    return receptor ? *receptor : (nonnegative ? 0 : 1);
}

// The largest number of input ports of any population (at least 2): the ring buffers'
// row sets.
std::size_t max_ports(const network_spec& spec);

// Checks what parsing cannot see alone: sizes against rules, delays against the
// resolution, neuron indices against population sizes, ports against weights, recorder
// times against t_stop. Throws input_error. The one semantic pass: run after the
// overrides are applied (io::prepare_network), before an engine is built, which
// assumes it passed (and asserts so in the dev build). `resumable`: the run writes
// checkpoints and may be resumed past t_stop, so recorder times beyond it are allowed.
void validate(const network_spec& spec, bool resumable = false);

// What building and running a network needs per rank, estimated before anything is
// allocated from the expected synapse counts: 158 / 188 / 3864 MB against the measured
// peaks of 139 / 188 / 3692 MB for Brunel, plastic Brunel and the microcircuit. Recordings that a run streams to its files
// (io::advance) take a bounded buffer; state recorders are counted on the rank that writes them.
struct memory_estimate {
    double neurons = 0.0, synapses = 0.0;  // synapses: expected for drawn rules
    double bytes_per_rank = 0.0;
};
memory_estimate estimate_memory(const network_spec& spec, int ranks);
bool is_valid(const network_spec& spec);

}  // namespace myelin
