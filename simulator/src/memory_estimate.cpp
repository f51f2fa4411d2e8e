#include <myelin/simulator/network_spec.hpp>

#include <algorithm>

namespace myelin {

namespace {

double expected_synapses(const projection_spec& p, const network_spec& spec) {
    const auto n_source = static_cast<double>(spec.populations[p.source].n);
    const auto n_target = static_cast<double>(spec.populations[p.target].n);
    const auto count = static_cast<double>(p.rule.count);
    switch (p.rule.type) {
    case connection_rule::all_to_all: return n_source * n_target;
    case connection_rule::one_to_one: return std::min(n_source, n_target);
    case connection_rule::fixed_indegree: return count * n_target;
    case connection_rule::fixed_outdegree: return count * n_source;
    case connection_rule::pairwise_bernoulli: return p.rule.p * n_source * n_target;
    case connection_rule::fixed_total_number: return count;
    case connection_rule::explicit_pairs: return static_cast<double>(p.rule.sources.size());
    }
    return 0.0;
}

}  // namespace

memory_estimate estimate_memory(const network_spec& spec, int ranks) {
    // Calibrated on the examples' peaks (docs/performance.md): a process needs ~10 MB
    // before any network; a synapse ~9 bytes at the build's peak (2 stored, the rest the
    // connection lists while they are sorted), 2 more with drawn weights, 1.5 with drawn
    // delays, 3 more if plastic; a neuron its state and one ring row set per input port,
    // each slot a double per port.
    const double h = spec.simulation.resolution_ms;
    step_t min_delay = 0, max_delay = 1;
    for (const auto& p : spec.projections) {
        const step_t lo = ms_to_steps(p.delay_ms.lowest(), h);
        min_delay = min_delay == 0 ? lo : std::min(min_delay, lo);
        max_delay = std::max(max_delay, ms_to_steps(p.delay_ms.highest(), h));
    }
    const double slots = static_cast<double>(std::max<step_t>(min_delay, 1) + max_delay + 1);
    memory_estimate m;
    double neuron_bytes = 0.0, synapse_bytes = 0.0, recorder_bytes = 0.0;
    for (const auto& p : spec.populations) {
        const auto n = static_cast<double>(p.n);
        m.neurons += n;
        const double ports = static_cast<double>(std::max<std::size_t>(2, p.ports.size()));
        neuron_bytes += n * (8.0 * static_cast<double>(p.state.size() + 4) + 8.0 * slots * ports);
    }
    for (const auto& p : spec.projections) {
        const double n = expected_synapses(p, spec);
        m.synapses += n;
        const bool plastic = p.synapse && p.synapse->plastic;
        synapse_bytes += n * (9.0 + (p.weight.is_constant() ? 0.0 : 2.0) + (p.delay_ms.is_constant() ? 0.0 : 1.5) +
                              (plastic ? 3.0 : 0.0));
    }
    for (const auto& r : spec.state_recorders)
        recorder_bytes += 8.0 * static_cast<double>(r.neurons.size() * r.variables.size()) *
                          (spec.simulation.t_stop_ms / r.interval_ms + 1.0);
    const double R = static_cast<double>(std::max(1, ranks));
    m.bytes_per_rank = 10e6 + (neuron_bytes + synapse_bytes) / R + recorder_bytes;
    return m;
}

}  // namespace myelin
