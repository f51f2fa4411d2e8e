#pragma once
// The JSON network config (documented field by field in docs/config.md). Parsing checks
// every key, type and value and throws input_error naming the file, the config path,
// the value and what is allowed.
#include <myelin/simulator/model_registry.hpp>
#include <myelin/simulator/network_spec.hpp>

#include <filesystem>
#include <string>

namespace myelin::io {

network_spec load_config(const std::filesystem::path& file, const model_registry& models);

// The text of a config file; throws input_error if it is missing or unreadable.
std::string read_config_text(const std::filesystem::path& file);

// `file` only names the source in error messages.
network_spec parse_config(const std::string& json_text, const std::string& file, const model_registry& models);

}  // namespace myelin::io
