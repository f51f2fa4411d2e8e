#pragma once
// The JSON network config (documented field by field in docs/config.md). A config becomes
// a network in three steps: parsing checks every key, type and value on its own; the
// overrides of a command line (or a library caller) are applied; validate() then checks
// everything that depends on several values (network_spec.hpp): the one semantic pass.
// Errors are input_error naming the file, the config path, the value and what is allowed.
#include <myelin/formats/files.hpp>  // read_config_text
#include <myelin/simulator/model_registry.hpp>
#include <myelin/simulator/network_spec.hpp>

#include <cstdint>
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace myelin::io {

// What may replace the config's values before validation (myelin run's flags).
struct config_overrides {
    std::optional<std::uint32_t> seed;
    std::optional<double> t_stop_ms;
    std::optional<int> threads;
    std::optional<spike_exchange> exchange;
    bool resumable = false;  // the run writes checkpoints: it may be resumed past t_stop (validate())
};
void apply(const config_overrides& overrides, network_spec& spec);

// Lists given beside the JSON text (the Python module's NumPy arrays): a value
// {"$array": k} stands for arrays[k] where a config takes a list of neuron indices or an
// explicit projection's weights or delays, so that millions of listed synapses need not be
// written out as JSON text and parsed back.
using external_arrays = std::vector<std::span<const double>>;

// Parses, applies the overrides and validates. `file` names the source in messages.
network_spec prepare_network(const std::string& json_text, const std::string& file, const config_overrides& overrides,
                             const model_registry& models, const external_arrays& arrays = {});

// The text with every {"$array": k} written out as its list (a checkpoint's config).
std::string expand_arrays(const std::string& json_text, const external_arrays& arrays);

// A config file as written (prepare_network without overrides).
network_spec load_config(const std::filesystem::path& file, const model_registry& models);

// Parsing alone: every key, type and value, but not what depends on several values
// (neuron indices against population sizes, delays against d_min, ...): validate() must
// follow before an engine is built from it.
network_spec parse_config(const std::string& json_text, const std::string& file, const model_registry& models,
                          const external_arrays& arrays = {});

}  // namespace myelin::io
