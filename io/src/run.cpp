#include <myelin/io/run.hpp>

#include <myelin/core/error.hpp>
#include <myelin/core/interrupt.hpp>
#include <myelin/io/sonata_circuit.hpp>
#include <myelin/io/weight_file.hpp>

#include <myelin/formats/h5.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <sstream>

namespace myelin::io {

namespace fs = std::filesystem;

network_source load_network(const fs::path& file, const config_overrides& overrides, const model_registry& models) {
    network_source out;
    out.config_file = file.string();
    // A SONATA circuit becomes a Myelin config first (io/sonata_circuit.hpp).
    const bool sonata = is_sonata_config(file);
    out.config_text = sonata ? sonata_to_config(file, models) : read_config_text(file);
    out.spec = parse_config(out.config_text, sonata ? file.string() + " (SONATA circuit as a Myelin config)" : file.string(),
                            models);
    apply(overrides, out.spec);
    try {
        validate(out.spec, overrides.resumable);
    } catch (const input_error& e) {
        throw e.in_file(file.string());
    }
    return out;
}

network_source checkpoint_network(const checkpoint_file& checkpoint, const fs::path& path, config_overrides overrides,
                                  const model_registry& models) {
    const auto& header = checkpoint.header();
    network_source out{{}, header.config_text, header.config_file};
    overrides.seed = header.seed;
    try {
        out.spec = parse_config(header.config_text, header.config_file, models);
    } catch (const input_error& e) {
        throw input_error(path.string(), e.path(), "the config in this checkpoint: " + e.detail());
    }
    apply(overrides, out.spec);
    try {
        validate(out.spec, overrides.resumable);
    } catch (const input_error& e) {
        throw e.in_file(path.string());
    }
    const double h = out.spec.simulation.resolution_ms;
    if (ms_to_steps(out.spec.simulation.t_stop_ms, h) <= ms_to_steps(header.time_ms, h))
        throw input_error("", "--t-stop", fmt::format("{} ms; must be later than the checkpoint's time, {} ms",
                                                      out.spec.simulation.t_stop_ms, header.time_ms));
    return out;
}

step_t checkpoint_interval(const std::optional<double>& every_ms, double h) {
    if (!every_ms) return 0;
    if (ms_to_steps(*every_ms, h) < 1)
        throw input_error("", "--checkpoint-every", fmt::format("{} ms; must be at least the resolution {} ms", *every_ms, h));
    return ms_to_steps(*every_ms, h);
}

namespace {

std::optional<double> read_number(const fs::path& file, const std::string& key = {}) {
    std::ifstream in(file);
    for (std::string line; std::getline(in, line);) {
        if (!key.empty() && !line.starts_with(key)) continue;
        std::istringstream words(key.empty() ? line : line.substr(key.size()));
        double v = 0.0;
        std::string unit;
        if (!(words >> v)) return std::nullopt;  // "max": no limit
        words >> unit;
        return unit == "kB" ? v * 1024.0 : v;
    }
    return std::nullopt;
}

}  // namespace

std::optional<double> available_memory_bytes() {
    std::optional<double> available = read_number("/proc/meminfo", "MemAvailable:");
    // cgroup v2, then v1: the limit less what the group already uses.
    std::optional<double> limit = read_number("/sys/fs/cgroup/memory.max"), used = read_number("/sys/fs/cgroup/memory.current");
    if (!limit) {
        limit = read_number("/sys/fs/cgroup/memory/memory.limit_in_bytes");
        used = read_number("/sys/fs/cgroup/memory/memory.usage_in_bytes");
    }
    if (limit && *limit < 1e18) {
        const double left = *limit - used.value_or(0.0);
        available = available ? std::min(*available, left) : left;
    }
    return available;
}

int ranks_on_this_node(const communicator& comm) {
    for (const char* name : {"OMPI_COMM_WORLD_LOCAL_SIZE", "MPI_LOCALNRANKS", "SLURM_NTASKS_PER_NODE"})
        if (const char* v = std::getenv(name); v && std::atoi(v) > 0) return std::atoi(v);
    return comm.size();
}

void check_memory(const network_spec& spec, int ranks, int ranks_on_node) {
    const auto available = available_memory_bytes();
    if (!available) return;
    const memory_estimate m = estimate_memory(spec, ranks);
    const double need = m.bytes_per_rank * std::max(1, ranks_on_node);
    if (need <= *available) return;
    throw input_error("", "", fmt::format("the network ({:.4g} neurons, {:.4g} synapses) needs about {:.3g} GB{} and this "
                                          "machine has {:.3g} GB available: use fewer neurons or synapses, more machines "
                                          "(mpirun over nodes), or --no-memory-check if the estimate is wrong",
                                          m.neurons, m.synapses, need / 1e9,
                                          ranks_on_node > 1 ? fmt::format(" for its {} ranks here", ranks_on_node) : "",
                                          *available / 1e9));
}

advance_result advance(engine& sim, step_t until, step_t every, const fs::path& checkpoint, const network_source& source,
                       communicator& comm, const std::function<void(step_t)>& progress, streamed_outputs* streams,
                       bool stop_on_failed_checkpoint, checkpoint_files files) {
    const double h = source.spec.simulation.resolution_ms;
    // Multiples of the window from step 0: the same on every rank, and a run split there
    // gives the spikes of one unsplit (as a checkpoint does).
    const step_t chunk = interrupt_windows * std::max<step_t>(1, sim.stats().min_delay_steps);
    advance_result r;
    auto save = [&](step_t k) {  // false if it failed and the run is to stop
        if (comm.rank() == 0) fs::create_directories(checkpoint.parent_path());
        checkpoint_header header{source.config_text, source.config_file, source.spec.simulation.seed,
                                 static_cast<double>(k) * h, {}};
        if (streams && comm.rank() == 0) header.outputs = streams->positions();
        const auto started = std::chrono::steady_clock::now();
        const std::string failed = save_checkpoint(checkpoint, header, sim, comm, files);  // rank 0 knows
        r.checkpoint_seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
        if (failed.empty()) {
            ++r.checkpoints;
        } else if (comm.rank() == 0) {
            ++r.failed_checkpoints;
            fmt::print(stderr, "\nmyelin: {}: the checkpoint at {:.10g} ms was not written ({}); {}; {}\n",
                       stop_on_failed_checkpoint ? "error" : "warning", static_cast<double>(k) * h, failed,
                       r.checkpoints > 0 ? "the previous one is kept" : "there is none to resume from yet",
                       stop_on_failed_checkpoint ? "the run stops here (--stop-on-checkpoint-failure)" : "the run goes on");
        }
        return !stop_on_failed_checkpoint || comm.max(failed.empty() ? 0.0 : 1.0) == 0.0;
    };
    for (step_t k = sim.now(); k < until;) {
        step_t next = std::min(until, (k / chunk + 1) * chunk);
        if (every > 0) next = std::min(next, (k / every + 1) * every);
        sim.run(next, progress);
        k = next;
        if (streams && streams->spikes) {
            auto batch = sim.take_recorded_spikes();
            if (comm.rank() == 0) streams->append_spikes(std::move(batch));
        }
        if (streams && streams->traces) {
            auto batch = sim.take_state_traces();
            if (comm.rank() == 0) streams->append_traces(std::move(batch));
        }
        if (streams && streams->weights) {
            auto batch = sim.take_weight_records();
            if (comm.rank() == 0) streams->append_weights(std::move(batch));
        }
        if (every > 0 && k % every == 0 && !save(k)) {
            r.checkpoint_failed = true;
            break;
        }
        if (k < until && comm.max(interrupt_requested() ? 1.0 : 0.0) > 0.0) {
            r.interrupted = true;
            if (every > 0 && k % every != 0) save(k);  // where it stopped, to resume from
            break;
        }
    }
    return r;
}

run_results gather_results(engine& sim) {
    run_results r;
    r.traces = sim.state_traces();
    r.weights = sim.weight_records();
    return r;
}

spike_file spike_file_of(const network_spec& spec, const std::vector<spike>& spikes, double t_stop_ms) {
    spike_file file = spike_layout(spec).convert(spikes);
    file.t_start_ms = 0.0;
    file.t_stop_ms = t_stop_ms;
    return file;
}

state_trace trace_shape(const network_spec& spec, std::size_t recorder) {
    const auto& rs = spec.state_recorders.at(recorder);
    const double h = spec.simulation.resolution_ms;
    state_trace tr;
    tr.recorder = rs.name;
    tr.population = rs.population;
    tr.neurons = rs.neurons;
    for (auto v : rs.variables) {
        tr.variables.push_back(spec.populations[rs.population].state[v].key);
        tr.units.push_back(spec.populations[rs.population].state[v].unit);
    }
    tr.dt_ms = static_cast<double>(std::max<step_t>(1, ms_to_steps(rs.interval_ms, h))) * h;
    tr.data.resize(tr.variables.size());
    return tr;
}

classification classify(const network_spec& spec, const fs::path& report_file) {
    const classifier_spec& c = *spec.classifier;
    const state_trace shape = trace_shape(spec, c.recorder);
    std::size_t rows = 0, cols = 0;
    std::vector<double> v;
    {
        h5::handle f = h5::open_file_readonly(report_file.string());
        v = h5::read_matrix(f.get(), "report/" + spec.populations[shape.population].name + "/data", rows, cols);
    }
    if (c.first_sample >= rows)
        throw input_error("", "classifier.first_sample",
                          fmt::format("{}; the run recorded {} samples of '{}'", c.first_sample, rows, shape.recorder));
    classification out;
    out.samples = rows - c.first_sample;
    out.scores.assign(cols, c.kind == classifier_spec::readout::max ? -INFINITY : 0.0);
    for (std::size_t r = c.first_sample; r < rows; ++r)
        for (std::size_t k = 0; k < cols; ++k) {
            const double x = v[r * cols + k];
            switch (c.kind) {
            case classifier_spec::readout::mean: out.scores[k] += x; break;
            case classifier_spec::readout::max: out.scores[k] = std::max(out.scores[k], x); break;
            case classifier_spec::readout::last: out.scores[k] = x; break;
            }
        }
    if (c.kind == classifier_spec::readout::mean)
        for (double& m : out.scores) m /= static_cast<double>(out.samples);
    out.predicted = static_cast<std::size_t>(std::max_element(out.scores.begin(), out.scores.end()) - out.scores.begin());
    return out;
}

std::string report_file_name(const state_trace& trace, std::size_t variable) {
    return fmt::format("{}.{}.h5", trace.recorder, trace.variables[variable]);
}

std::vector<std::string> write_results(const output_dir& out, const network_spec& spec, const run_results& results) {
    std::vector<std::string> written;
    for (const auto& tr : results.traces)
        for (std::size_t v = 0; v < tr.variables.size(); ++v) {
            report r{spec.populations[tr.population].name, tr.variables[v], tr.units[v], tr.neurons,
                     0.0, tr.dt_ms * static_cast<double>(tr.n_samples), tr.dt_ms, tr.n_samples, tr.data[v]};
            const std::string name = report_file_name(tr, v);
            write_report(out.file(name), r);
            written.push_back(name);
        }
    for (const auto& w : results.weights) {
        const std::string name = w.recorder + ".weights.h5";
        write_weights(out.file(name), w, spec);
        written.push_back(name);
    }
    return written;
}

}  // namespace myelin::io
