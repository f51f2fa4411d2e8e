#include "support.hpp"

#include <myelin/core/error.hpp>
#include <myelin/io/config.hpp>
#include <myelin/models/registry.hpp>

#include <fmt/format.h>

#include <cstdio>
#include <fstream>
#include <random>
#include <sstream>
#include <sys/wait.h>

namespace myelin::test {

network_spec parse(const json& config, const std::string& file) {
    return io::prepare_network(config.dump(), file, {}, models::builtin_registry());
}

std::string parse_error(const json& config) {
    try {
        parse(config, "net.json");
    } catch (const input_error& e) {
        return e.what();
    }
    return "(no error)";
}

std::filesystem::path source_path(const std::string& relative) { return std::filesystem::path(MYELIN_SOURCE_DIR) / relative; }

json single_population(const std::string& model, const json& params, double t_stop_ms, double h_ms,
                       const std::vector<std::string>& variables, std::size_t n) {
    std::vector<std::size_t> neurons(n);
    for (std::size_t i = 0; i < n; ++i) neurons[i] = i;
    return {
        {"simulation", {{"resolution", h_ms}, {"t_stop", t_stop_ms}, {"seed", 1}, {"threads", 1}}},
        {"populations", {{{"name", "P"}, {"model", model}, {"n", n}, {"params", params}}}},
        {"recorders",
         {{"spikes", {{"populations", {"P"}}}},
          {"state", {{{"name", "trace"}, {"population", "P"}, {"neurons", neurons}, {"variables", variables},
                      {"interval", h_ms}}}}}},
    };
}

traces run(const json& config) {
    const network_spec spec = parse(config);
    engine sim(spec);
    const double h = spec.simulation.resolution_ms;
    sim.run(ms_to_steps(spec.simulation.t_stop_ms, h));
    traces out;
    for (const auto& s : sim.recorded_spikes()) {
        out.spike_times_ms.push_back(static_cast<double>(s.step + 1) * h);
        out.spike_ids.push_back(s.gid);
    }
    const auto tr = sim.state_traces();
    if (!tr.empty()) {
        for (std::size_t k = 0; k < tr[0].n_samples; ++k) out.t_ms.push_back(static_cast<double>(k) * tr[0].dt_ms);
        out.values = tr[0].data;
    }
    return out;
}

process_result run_myelin(const std::string& args, const std::string& launcher) {
    temp_dir tmp;
    const auto out_file = tmp / "stdout", err_file = tmp / "stderr";
    const std::string cmd = fmt::format("{} '{}' {} >'{}' 2>'{}' </dev/null", launcher, MYELIN_BINARY, args,
                                        out_file.string(), err_file.string());
    const int status = std::system(cmd.c_str());
    auto slurp = [](const std::filesystem::path& p) {
        std::ifstream in(p);
        std::stringstream s;
        s << in.rdbuf();
        return s.str();
    };
    return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, slurp(out_file), slurp(err_file)};
}

temp_dir::temp_dir() {
    std::random_device rd;
    path_ = std::filesystem::temp_directory_path() / fmt::format("myelin-test-{:08x}{:08x}", rd(), rd());
    std::filesystem::create_directories(path_);
}

temp_dir::~temp_dir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
}

}  // namespace myelin::test
