#pragma once
// Models by name. The simulator knows no model: models/registry.cpp fills a registry with
// one explicit list (no static self-registration, which static libraries silently drop).
#include <myelin/simulator/model.hpp>

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace myelin {

enum class model_kind { neuron, stimulus, synapse };

struct model_info {
    std::string name;
    model_kind kind = model_kind::neuron;
    std::string summary;
    std::vector<param_info> params;
    std::vector<state_info> state;   // neurons and synapses
    std::vector<std::string> counters;  // neurons only: integer state outside `state`
    std::string weight_unit;         // neurons: unit of an incoming weight ("pA", "mV")
    // Neurons: the input ports for given parameters, and whether a projection that names
    // none is routed by the weight's sign (ports "excitatory" and "inhibitory").
    std::function<std::vector<port_info>(const param_values&)> ports;
    bool sign_rule = true;
    std::vector<state_info> port_state;  // neurons: variables held per port (key_PORT)
    bool emits_current = false;      // stimuli: writes currents (no weight, no delay)
    // Synapses: a plastic rule changes the weights (stored per synapse), reads the
    // targets' spike history and keeps presynaptic traces per row, named here.
    bool plastic = false;
    std::vector<std::string> row_traces;
    // Plastic rules driven by a neuromodulator: the projection names the population whose
    // spikes carry it (projection_spec::modulator).
    bool modulated = false;
    // Plastic rules: the weights a projection may start with (they stay inside).
    std::function<std::pair<double, double>(const param_values&)> weight_range;
    // Cross-parameter and resolution-dependent checks (V_reset < V_th, spike times on the grid).
    std::function<std::optional<param_problem>(const param_values&, double resolution_ms)> check;
    // Consecutive segments of neurons, each with its own parameters (usually one).
    std::function<std::unique_ptr<neuron_shard>(std::span<const neuron_segment>, double h_ms)> make_neuron;
    std::function<std::unique_ptr<stimulus_shard>(const param_values&, stimulus_setup)> make_stimulus;
    // n synapses in n_rows rows (sources); `lanes`: plastic rules may run four synapses at
    // once where the CPU allows (simulation.simd)
    std::function<std::unique_ptr<synapse_shard>(const param_values&, double h_ms, std::size_t n, std::size_t n_rows,
                                                 bool lanes)>
        make_synapse;

    std::optional<std::size_t> param_index(std::string_view key) const;
    std::optional<std::size_t> state_index(std::string_view key) const;
    // Neurons: every state variable of a population with these ports: `state`, then each
    // port variable once per port (named key_PORT), in the order neuron_shard::state takes.
    std::vector<state_info> state_for(const std::vector<port_info>& ports) const;
    param_values default_values() const;
};

class model_registry {
public:
    // Registration, one line per model in an explicit list (models/registry.cpp); the
    // definitions are in model_registration.hpp, which only registering code includes
    // (it brings the adapters and the plastic rules' loops).
    template <class M>
    void add_neuron();
    template <class M>
    void add_stimulus();
    template <class M>
    void add_synapse();
    template <class R>
    void add_plastic();  // a spike-timing rule (plastic_rule.hpp)
    // A plastic model that is its own shard (S::shard), for rules that the traces of
    // plastic_rule.hpp do not express, such as stdp_dopamine_synapse.
    template <class S>
    void add_plastic_shard();

    const model_info* find(std::string_view name) const;
    std::vector<std::string> names(model_kind kind) const;

private:
    template <class M>
    static model_info describe(model_kind kind);
    void insert(model_info m);
    std::map<std::string, model_info, std::less<>> models_;
};

}  // namespace myelin
