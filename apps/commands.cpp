#include "commands.hpp"

#include <myelin/analysis/spike_stats.hpp>
#include <myelin/io/checkpoint.hpp>
#include <myelin/io/config.hpp>
#include <myelin/io/output_dir.hpp>
#include <myelin/io/sonata.hpp>
#include <myelin/io/sonata_circuit.hpp>
#include <myelin/io/weights.hpp>
#include <myelin/models/registry.hpp>
#include <myelin/simulator/engine.hpp>
#include <myelin/simulator/error.hpp>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <limits>
#include <memory>
#include <numeric>

namespace myelin::apps {

namespace fs = std::filesystem;
using clock_type = std::chrono::steady_clock;

namespace {

double seconds_since(clock_type::time_point t) { return std::chrono::duration<double>(clock_type::now() - t).count(); }

double peak_memory_MB() {
    rusage u{};
    getrusage(RUSAGE_SELF, &u);
    return static_cast<double>(u.ru_maxrss) / 1024.0;  // ru_maxrss is in KiB on Linux
}

// Prints "simulated X / Y ms" with the real-time factor and an ETA once a run has taken
// longer than a few seconds: in place on a terminal, a line every 10 s otherwise.
class progress_line {
public:
    progress_line(double h_ms, double start_ms, double total_ms, bool quiet)
        : h_ms_(h_ms), start_ms_(start_ms), total_ms_(total_ms), quiet_(quiet), tty_(::isatty(STDERR_FILENO) != 0) {}
    void operator()(step_t done) {
        if (quiet_) return;
        const double wall = seconds_since(start_);
        if (wall < 3.0 || wall - last_ < (tty_ ? 0.5 : 10.0)) return;
        last_ = wall;
        const double t_ms = static_cast<double>(done) * h_ms_;
        const double rtf = wall / ((t_ms - start_ms_) * 1e-3);
        const double eta = (total_ms_ - t_ms) * 1e-3 * rtf;
        fmt::print(stderr, "{}simulated {:.1f} / {:.1f} ms ({:.0f}%), real-time factor {:.2f}, ETA {:.0f} s{}",
                   tty_ ? "\r" : "", t_ms, total_ms_, 100.0 * t_ms / total_ms_, rtf, eta, tty_ ? "   " : "\n");
        shown_ = true;
    }
    void finish() const {
        if (shown_ && tty_) fmt::print(stderr, "\n");
    }

private:
    double h_ms_, start_ms_, total_ms_;
    bool quiet_, tty_, shown_ = false;
    clock_type::time_point start_ = clock_type::now();
    double last_ = 0.0;
};

}  // namespace

// Runs `step` on every rank and agrees on the outcome: if it threw on any rank, the
// lowest such rank rethrows (and prints) its error, the others end quietly with the same
// kind of exit code. No rank is left waiting in a collective for one that failed.
template <class F>
void on_all_ranks(communicator& comm, F&& step) {
    std::exception_ptr error;
    int code = 0;
    try {
        step();
    } catch (const input_error&) {
        error = std::current_exception();
        code = 2;
    } catch (...) {
        error = std::current_exception();
        code = 1;
    }
    const long failing = comm.min(error ? comm.rank() : std::numeric_limits<long>::max());
    if (failing == std::numeric_limits<long>::max()) return;
    const long worst = -comm.min(-static_cast<long>(code));
    if (comm.rank() == failing) std::rethrow_exception(error);
    throw quiet_exit{static_cast<int>(worst)};
}

namespace {

// What run and resume share: simulating a spec from where `sim` stands to t_stop,
// writing checkpoints on the way and the output at the end.
struct session {
    network_spec spec;
    std::string config_text, config_file;  // for checkpoints
    std::string source;                    // the file named in the header line
    fs::path out_path;
    simulation_flags flags;
};

int simulate(const session& s, communicator& comm, const std::function<std::unique_ptr<engine>()>& make_engine) {
    const bool root = comm.rank() == 0;
    const network_spec& spec = s.spec;
    const double h = spec.simulation.resolution_ms;
    std::optional<io::output_dir> out;  // rank 0 writes every file
    on_all_ranks(comm, [&] {
        if (root) out.emplace(s.out_path, s.flags.force);
    });

    std::unique_ptr<engine> sim;
    on_all_ranks(comm, [&] { sim = make_engine(); });
    const auto& st = sim->stats();
    const step_t first_step = sim->now();
    if (root) {
        fmt::print("Myelin {}: {}\n", MYELIN_VERSION, s.source);
        std::string synapses = fmt::format("{} synapses", st.n_synapses);
        if (st.n_synapses > 0)
            synapses += fmt::format(" ({:.2f} bytes per synapse), d_min {} ms",
                                    static_cast<double>(st.synapse_bytes) / static_cast<double>(st.n_synapses),
                                    static_cast<double>(st.min_delay_steps) * h);
        const std::string ranks = comm.size() > 1 ? fmt::format("{} ranks x ", comm.size()) : "";
        fmt::print("network: {} neurons, {}, {}{} thread{}\n", st.n_neurons, synapses, ranks, spec.simulation.threads,
                   spec.simulation.threads == 1 ? "" : "s");
        if (first_step > 0) fmt::print("resumed at {:.10g} ms\n", static_cast<double>(first_step) * h);
        std::fflush(stdout);
    }

    const step_t n_steps = ms_to_steps(spec.simulation.t_stop_ms, h);
    const double t_stop_ms = static_cast<double>(n_steps) * h;
    const step_t every = s.flags.checkpoint_every_ms ? ms_to_steps(*s.flags.checkpoint_every_ms, h) : 0;
    const fs::path checkpoint_path = out ? out->final_dir() / "checkpoint.h5" : fs::path();
    progress_line progress(h, static_cast<double>(first_step) * h, t_stop_ms, s.flags.quiet || !root);
    const auto sim_start = clock_type::now();
    // From here on the ranks meet in every window: a rank that fails ends all of them.
    std::vector<state_trace> traces;
    std::vector<weight_record> weights;
    std::vector<spike> spikes;
    double peak_MB = 0.0;
    int checkpoints = 0;
    try {
        for (step_t k = first_step; k < n_steps;) {
            const step_t next = every > 0 ? std::min(n_steps, (k / every + 1) * every) : n_steps;
            sim->run(next, [&](step_t done) { progress(done); });
            k = next;
            if (every > 0 && k % every == 0) {
                // Straight into the output folder (not the staging one): a checkpoint is
                // for runs that do not end well.
                if (root) fs::create_directories(out->final_dir());
                const io::checkpoint_header header{s.config_text, s.config_file, spec.simulation.seed,
                                                   static_cast<double>(k) * h};
                io::save_checkpoint(checkpoint_path, header, *sim, comm);
                ++checkpoints;
            }
        }
        spikes = sim->gather_recorded_spikes();
        traces = sim->state_traces();
        weights = sim->weight_records();
        peak_MB = comm.max(peak_memory_MB());
    } catch (const std::exception& e) {
        if (comm.size() == 1) throw;
        fmt::print(stderr, "myelin: failed on rank {}: {}\n", comm.rank(), e.what());
        comm.abort(1);
    }
    const double sim_seconds = seconds_since(sim_start);
    const double simulated_ms = t_stop_ms - static_cast<double>(first_step) * h;
    const std::uint64_t received = sim->received_spikes();
    const step_t windows = std::max<step_t>(1, (n_steps - first_step) / std::max<step_t>(1, st.min_delay_steps));
    progress.finish();
    if (!root) return 0;

    // Spikes: per population, time stamps (step + 1) h and population-local ids.
    std::vector<analysis::population_stats> stats;
    if (spec.spikes) {
        io::spike_file file;
        file.t_start_ms = 0.0;
        file.t_stop_ms = t_stop_ms;
        // Populations with output_as (SONATA imports) share the file population they name.
        auto out_name = [&](std::size_t p) {
            return spec.populations[p].output_population.empty() ? spec.populations[p].name : spec.populations[p].output_population;
        };
        std::vector<std::size_t> slot(spec.populations.size(), SIZE_MAX);
        for (auto p : spec.spikes->populations) {
            if (slot[p] != SIZE_MAX) continue;
            for (std::size_t q = 0; q < file.populations.size(); ++q)
                if (file.populations[q].name == out_name(p)) slot[p] = q;
            if (slot[p] == SIZE_MAX) {
                slot[p] = file.populations.size();
                file.populations.push_back({out_name(p), {}, {}, 0, io::spike_sorting::by_time});
            }
        }
        for (std::size_t p = 0; p < spec.populations.size(); ++p) {  // sizes: every neuron written there
            if (slot[p] == SIZE_MAX) continue;
            auto& n = *file.populations[slot[p]].n_nodes;
            for (std::size_t q = 0; q < spec.populations.size(); ++q) {
                if (out_name(q) != out_name(p)) continue;
                for (auto id : spec.populations[q].output_ids) n = std::max<std::uint64_t>(n, id + 1);
                if (spec.populations[q].output_ids.empty()) n = std::max<std::uint64_t>(n, spec.populations[q].n);
            }
        }
        for (const spike& s : spikes) {
            std::size_t p = 0;
            while (p + 1 < spec.populations.size() && s.gid >= sim->first_gid(p + 1)) ++p;
            auto& pop = file.populations[slot[p]];
            const auto local = s.gid - sim->first_gid(p);
            pop.timestamps_ms.push_back(static_cast<double>(s.step + 1) * h);
            pop.node_ids.push_back(spec.populations[p].output_ids.empty() ? local : spec.populations[p].output_ids[local]);
        }
        for (auto& pop : file.populations) {  // merged populations: back into time order
            std::vector<std::size_t> order(pop.node_ids.size());
            std::iota(order.begin(), order.end(), 0);
            std::stable_sort(order.begin(), order.end(),
                             [&](std::size_t a, std::size_t b) { return pop.timestamps_ms[a] < pop.timestamps_ms[b]; });
            std::vector<double> t;
            std::vector<std::uint64_t> id;
            for (auto k : order) t.push_back(pop.timestamps_ms[k]), id.push_back(pop.node_ids[k]);
            pop.timestamps_ms = std::move(t);
            pop.node_ids = std::move(id);
        }
        for (const auto& pop : file.populations)
            stats.push_back(analysis::spike_stats(pop.name, *pop.n_nodes, pop.timestamps_ms, pop.node_ids, 0.0, t_stop_ms));
        io::write_spikes(out->file("spikes.h5"), file);
    }
    std::vector<std::string> written;
    if (spec.spikes) written.push_back("spikes.h5");
    for (const auto& tr : traces) {
        for (std::size_t v = 0; v < tr.variables.size(); ++v) {
            io::report r{spec.populations[tr.population].name, tr.variables[v], tr.units[v], tr.neurons,
                         0.0, tr.dt_ms * static_cast<double>(tr.n_samples), tr.dt_ms, tr.n_samples, tr.data[v]};
            const std::string name = fmt::format("{}.{}.h5", tr.recorder, tr.variables[v]);
            io::write_report(out->file(name), r);
            written.push_back(name);
        }
    }
    for (const auto& w : weights) {
        const std::string name = w.recorder + ".weights.h5";
        io::write_weights(out->file(name), w, spec);
        written.push_back(name);
    }
    out->commit();

    fmt::print("{} {:.2f} s, simulation of {:.10g} ms {:.2f} s (real-time factor {:.2f}, spike exchange {:.2f} s), "
               "peak memory {:.0f} MB{}\n",
               first_step > 0 ? "restore" : "build", st.build_seconds, simulated_ms, sim_seconds,
               sim_seconds / (simulated_ms * 1e-3), sim->exchange_seconds(), peak_MB, comm.size() > 1 ? " per rank" : "");
    if (checkpoints > 0) fmt::print("{} checkpoint{}, the last in {}\n", checkpoints, checkpoints == 1 ? "" : "s",
                                    checkpoint_path.string());
    if (comm.size() > 1)
        fmt::print("spike exchange ({}): rank 0 received {} spikes, {:.1f} per window\n",
                   to_string(spec.simulation.exchange), received, static_cast<double>(received) / static_cast<double>(windows));
    if (!stats.empty()) fmt::print("\n{}", analysis::format_stats_table(stats));
    fmt::print("\nwrote");
    for (const auto& w : written) fmt::print(" {}", (out->final_dir() / w).string());
    fmt::print("\n");
    return 0;
}


void apply(const simulation_flags& f, network_spec& spec) {
    if (f.threads) spec.simulation.threads = *f.threads;
    if (f.exchange) spec.simulation.exchange = *f.exchange;
}

void check_checkpoint_every(const std::optional<double>& every_ms, double h) {
    if (every_ms && ms_to_steps(*every_ms, h) < 1)
        throw input_error("", "--checkpoint-every",
                          fmt::format("{} ms; must be at least the resolution {} ms", *every_ms, h));
}

}  // namespace

int run_command(const run_options& o, communicator& comm) {
    session s;
    s.config_file = s.source = o.config;
    s.flags = o.flags;
    on_all_ranks(comm, [&] {
        // A SONATA circuit becomes a Myelin config first (io/sonata_circuit.hpp).
        const bool sonata = io::is_sonata_config(o.config);
        s.config_text = sonata ? io::sonata_to_config(o.config, models::builtin_registry()) : io::read_config_text(o.config);
        s.spec = io::parse_config(s.config_text, sonata ? o.config + " (SONATA circuit as a Myelin config)" : o.config,
                                  models::builtin_registry());
        auto& spec = s.spec;
        if (o.seed) spec.simulation.seed = *o.seed;
        apply(o.flags, spec);
        if (o.t_stop_ms) spec.simulation.t_stop_ms = *o.t_stop_ms;
        try {
            validate(spec);
        } catch (const input_error& e) {
            throw e.in_file(o.config);
        }
        check_checkpoint_every(o.flags.checkpoint_every_ms, spec.simulation.resolution_ms);
    });
    s.out_path = o.flags.output.empty() ? fs::path("out") / fs::path(o.config).stem() : fs::path(o.flags.output);
    return simulate(s, comm, [&] {
        try {
            return std::make_unique<engine>(s.spec, comm);
        } catch (const input_error& e) {
            throw e.in_file(o.config);
        }
    });
}

int resume_command(const resume_options& o, communicator& comm) {
    session s;
    s.source = o.checkpoint;
    s.flags = o.flags;
    std::unique_ptr<io::checkpoint_file> checkpoint;  // every rank reads its own part
    on_all_ranks(comm, [&] {
        checkpoint = std::make_unique<io::checkpoint_file>(o.checkpoint);
        const auto& header = checkpoint->header();
        s.config_text = header.config_text;
        s.config_file = header.config_file;
        try {
            s.spec = io::parse_config(header.config_text, header.config_file, models::builtin_registry());
        } catch (const input_error& e) {
            throw input_error(o.checkpoint, e.path(), "the config in this checkpoint: " + e.detail());
        }
        auto& spec = s.spec;
        const double h = spec.simulation.resolution_ms;
        spec.simulation.seed = header.seed;
        spec.simulation.t_stop_ms = o.t_stop_ms;
        apply(o.flags, spec);
        try {
            validate(spec);
        } catch (const input_error& e) {
            throw e.in_file(o.checkpoint);
        }
        if (ms_to_steps(o.t_stop_ms, h) <= ms_to_steps(header.time_ms, h))
            throw input_error("", "--t-stop", fmt::format("{} ms; must be later than the checkpoint's time, {} ms",
                                                          o.t_stop_ms, header.time_ms));
        check_checkpoint_every(o.flags.checkpoint_every_ms, h);
    });
    s.out_path = o.flags.output.empty() ? fs::path("out") / fs::path(s.config_file).stem() : fs::path(o.flags.output);
    return simulate(s, comm, [&] {
        std::unique_ptr<engine> sim;
        try {
            sim = std::make_unique<engine>(s.spec, comm, checkpoint->reader());
        } catch (const input_error& e) {
            throw e.file().empty() ? e.in_file(o.checkpoint) : e;
        }
        checkpoint.reset();  // closed before a new checkpoint may replace it
        return sim;
    });
}

int info_command(const std::string& path, std::optional<double> t_start_ms, std::optional<double> t_stop_ms) {
    const io::spike_file file = io::read_spikes(path);
    double last = 0.0;
    for (const auto& p : file.populations)
        for (double t : p.timestamps_ms) last = std::max(last, t);
    const double start = t_start_ms.value_or(file.t_start_ms.value_or(0.0));
    // Without t_stop in the file, count up to just after the last spike.
    const double stop = t_stop_ms.value_or(file.t_stop_ms.value_or(std::nextafter(last, INFINITY)));
    if (!(stop > start))
        throw input_error(path, "--t-stop", fmt::format("t_stop = {} ms; must be > t_start = {} ms", stop, start));
    std::vector<analysis::population_stats> stats;
    std::vector<std::string> notes;
    for (const auto& p : file.populations) {
        std::uint64_t n = 0;
        if (p.n_nodes) {
            n = *p.n_nodes;
        } else {
            for (auto id : p.node_ids) n = std::max(n, id + 1);
            notes.push_back(fmt::format("population {}: size not in the file; rate is per neuron up to the highest id "
                                        "that spiked ({})",
                                        p.name, n));
        }
        stats.push_back(analysis::spike_stats(p.name, n, p.timestamps_ms, p.node_ids, start, stop));
    }
    fmt::print("{}: {} population{}, {:.1f} to {:.1f} ms\n\n{}", path, file.populations.size(),
               file.populations.size() == 1 ? "" : "s", start, stop, analysis::format_stats_table(stats));
    if (!file.t_stop_ms && !t_stop_ms) notes.push_back("no t_stop in the file: counted up to the last spike");
    for (const auto& n : notes) fmt::print("note: {}\n", n);
    return 0;
}

int models_command(const std::string& name) {
    const auto& registry = models::builtin_registry();
    if (name.empty()) {
        for (auto kind : {model_kind::neuron, model_kind::stimulus, model_kind::synapse}) {
            fmt::print("{}:\n", kind == model_kind::neuron     ? "neuron models"
                                : kind == model_kind::stimulus ? "stimulus models"
                                                               : "synapse models (static if none is named)");
            for (const auto& n : registry.names(kind)) fmt::print("  {:<32} {}\n", n, registry.find(n)->summary);
        }
        return 0;
    }
    const model_info* m = registry.find(name);
    if (!m) throw input_error("", "models", fmt::format("unknown model '{}'; 'myelin models' lists them", name));
    fmt::print("{}: {}\n", m->name, m->summary);
    if (m->kind == model_kind::neuron) fmt::print("incoming weights in {}\n", m->weight_unit);
    fmt::print("\nparameters:\n");
    for (const auto& p : m->params) {
        const std::string value = std::visit(
            [](const auto& v) -> std::string {
                using T = std::decay_t<decltype(v)>;
                if constexpr (std::is_same_v<T, bool>) return v ? "true" : "false";
                else if constexpr (std::is_same_v<T, double>) return fmt::format("{}", v);
                else return fmt::format("[{}]", fmt::join(v, ", "));
            },
            p.default_value);
        fmt::print("  {:<20} {:>10} {:<4} {}\n", p.key, value, p.unit, p.doc);
    }
    if (m->kind == model_kind::neuron) {
        const auto ports = m->ports(m->default_values());
        std::vector<std::string> names;
        for (const auto& port : ports) names.push_back(port.name);
        fmt::print("\ninput ports (\"receptor\"): {}{}\n", fmt::join(names, ", "),
                   m->sign_rule ? "; without a receptor named, weights >= 0 go to excitatory, negative ones to inhibitory"
                                : " with the defaults: one per entry of the per-port parameters, named 1, 2, ... "
                                  "(a population's \"receptors\" may name them); a projection names its port");
    }
    if (!m->state.empty() || !m->port_state.empty()) {
        fmt::print("\nstate variables:\n");
        for (const auto& s : m->state) fmt::print("  {:<20} {:<4} {}\n", s.key, s.unit, s.doc);
        for (const auto& s : m->port_state) fmt::print("  {:<20} {:<4} {}, one per port\n", s.key + "_PORT", s.unit, s.doc);
    }
    return 0;
}

}  // namespace myelin::apps
