#pragma once
// How a model struct becomes a registry entry: the adapters that turn it into the shards
// the engine drives. Only code that registers models includes this (models/registry.cpp,
// a program with its own rule): it brings plastic_rule.hpp and its tuned loops, which
// the rest of the simulator and its users need not compile.
#include <myelin/simulator/detail/plastic_lanes.hpp>
#include <myelin/simulator/model_registry.hpp>
#include <myelin/simulator/plastic_rule.hpp>

#include <memory>

namespace myelin {

// What every kind of model has: name, summary, parameters and their check.
template <class M>
model_info model_registry::describe(model_kind kind) {
    model_info m;
    m.name = M::name;
    m.kind = kind;
    m.summary = M::summary;
    m.params = describe_params<M>();
    m.check = [](const param_values& v, double h_ms) { return M::check(params_from_values<M>(v), h_ms); };
    return m;
}

template <class M>
void model_registry::add_neuron() {
    model_info m = describe<M>(model_kind::neuron);
    m.state = describe_state<M>();
    m.counters = describe_counters<M>();
    m.weight_unit = M::weight_unit;
    m.ports = [](const param_values& v) { return ports_of<M>(params_from_values<M>(v)); };
    m.sign_rule = !requires(const typename M::params& p) { M::ports(p); };
    m.port_state = describe_port_state<M>();
    m.make_neuron = [](std::span<const neuron_segment> segments, double h_ms) -> std::unique_ptr<neuron_shard> {
        if (segments.size() == 1) return std::make_unique<neuron_adapter<M>>(segments[0].params, h_ms, segments[0].n);
        return std::make_unique<segmented_neuron_adapter<M>>(segments, h_ms);
    };
    insert(std::move(m));
}
template <class M>
void model_registry::add_stimulus() {
    model_info m = describe<M>(model_kind::stimulus);
    m.emits_current = M::emits_current;
    m.make_stimulus = [](const param_values& v, stimulus_setup s) -> std::unique_ptr<stimulus_shard> {
        return std::make_unique<stimulus_adapter<M>>(v, std::move(s));
    };
    insert(std::move(m));
}

template <class M>
void model_registry::add_synapse() {
    model_info m = describe<M>(model_kind::synapse);
    m.state = describe_state<M>();
    m.make_synapse = [](const param_values& v, double h_ms, std::size_t n, std::size_t,
                        bool) -> std::unique_ptr<synapse_shard> {
        return std::make_unique<synapse_adapter<M>>(v, h_ms, n);
    };
    insert(std::move(m));
}

template <class R>
void model_registry::add_plastic() {
    model_info m = describe<R>(model_kind::synapse);
    m.plastic = true;
    for (const auto& name : R::pre_trace_names) m.row_traces.emplace_back(name);
    m.weight_range = [](const param_values& v) { return R::weight_range(params_from_values<R>(v)); };
    m.make_synapse = [](const param_values& v, double h_ms, std::size_t, std::size_t n_rows,
                        bool lanes) -> std::unique_ptr<synapse_shard> {
        return std::make_unique<plastic_adapter<R>>(v, h_ms, n_rows, lanes);
    };
    insert(std::move(m));
}

template <class S>
void model_registry::add_plastic_shard() {
    model_info m = describe<S>(model_kind::synapse);
    m.plastic = true;
    m.modulated = S::modulated;
    m.state = S::describe_state();
    for (const auto& name : S::row_trace_names) m.row_traces.emplace_back(name);
    m.weight_range = [](const param_values& v) { return S::weight_range(params_from_values<S>(v)); };
    m.make_synapse = [](const param_values& v, double h_ms, std::size_t n, std::size_t n_rows,
                        bool) -> std::unique_ptr<synapse_shard> {
        return std::make_unique<typename S::shard>(params_from_values<S>(v), h_ms, n, n_rows);
    };
    insert(std::move(m));
}

}  // namespace myelin
