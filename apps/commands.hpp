#pragma once
#include <cstdint>
#include <optional>
#include <string>

namespace myelin::apps {

struct run_options {
    std::string config, output;
    std::optional<std::uint32_t> seed;
    std::optional<double> t_stop_ms;
    std::optional<int> threads;
    bool force = false, quiet = false;
};

int run_command(const run_options& options);
int info_command(const std::string& spikes_file, std::optional<double> t_start_ms, std::optional<double> t_stop_ms);
int models_command(const std::string& name);

}  // namespace myelin::apps
