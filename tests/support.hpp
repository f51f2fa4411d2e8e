#pragma once
// Helpers shared by the tests: networks from JSON written in the test, single-neuron
// runs with recorded traces, and running the `myelin` program.
#include <myelin/simulator/engine.hpp>
#include <myelin/simulator/network_spec.hpp>

#include <nlohmann/json.hpp>

#include <filesystem>
#include <string>
#include <vector>

namespace myelin::test {

using json = nlohmann::json;

network_spec parse(const json& config, const std::string& file = "test.json");
// The message with which parse(config, "net.json") refuses the config; "(no error)" if it does not.
std::string parse_error(const json& config);
std::filesystem::path source_path(const std::string& relative);  // inside the source tree

// A config with one population `model` of n neurons and the given params, one state
// recorder "trace" of `variables` of every neuron at every step, no spike file.
json single_population(const std::string& model, const json& params, double t_stop_ms, double h_ms,
                       const std::vector<std::string>& variables, std::size_t n = 1);

struct traces {
    std::vector<double> t_ms;                 // sample times
    std::vector<std::vector<double>> values;  // per variable: [sample * n + neuron]
    std::vector<double> spike_times_ms;       // of neuron 0 ... all neurons, time-sorted
    std::vector<std::uint64_t> spike_ids;
};
traces run(const json& config);

// Runs the myelin program with `args` (after `launcher`, e.g. "taskset -c 0"); returns its
// exit code and what it printed.
struct process_result {
    int exit_code;
    std::string out, err;
};
process_result run_myelin(const std::string& args, const std::string& launcher = {});

// A fresh, empty folder under the system temp folder, removed at destruction.
class temp_dir {
public:
    temp_dir();
    ~temp_dir();
    const std::filesystem::path& path() const { return path_; }
    std::filesystem::path operator/(const std::string& name) const { return path_ / name; }

private:
    std::filesystem::path path_;
};

}  // namespace myelin::test
