#include "commands.hpp"

#include <myelin/analysis/spike_stats.hpp>
#include <myelin/core/error.hpp>
#include <myelin/core/interrupt.hpp>
#include <myelin/core/version.hpp>
#include <myelin/io/output_dir.hpp>
#include <myelin/io/run.hpp>
#include <myelin/io/sonata.hpp>
#include <myelin/io/streams.hpp>
#include <myelin/models/registry.hpp>
#include <myelin/simulator/affinity.hpp>
#include <myelin/simulator/engine.hpp>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <limits>
#include <memory>
#include <new>

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

// "Myelin VERSION: SOURCE" and the network's size.
void print_header(const engine& sim, const std::string& shown_as, int ranks) {
    const auto& st = sim.stats();
    const auto& spec = sim.spec();
    const double h = spec.simulation.resolution_ms;
    fmt::print("Myelin {}: {}\n", version(), shown_as);
    std::string synapses = fmt::format("{} synapses", st.n_synapses);
    if (st.n_synapses > 0)
        synapses += fmt::format(" ({:.2f} bytes per synapse), d_min {:.10g} ms",
                                static_cast<double>(st.synapse_bytes) / static_cast<double>(st.n_synapses),
                                static_cast<double>(st.min_delay_steps) * h);
    fmt::print("network: {} neurons, {}, {}{} thread{}\n", st.n_neurons, synapses,
               ranks > 1 ? fmt::format("{} ranks x ", ranks) : "", spec.simulation.threads,
               spec.simulation.threads == 1 ? "" : "s");
    if (sim.now() > 0) fmt::print("resumed at {:.10g} ms\n", static_cast<double>(sim.now()) * h);
    std::fflush(stdout);
}

}  // namespace

std::string describe(const std::exception& e) {
    if (dynamic_cast<const std::bad_alloc*>(&e))
        return "out of memory (`myelin run CONFIG --dry-run` estimates what a network needs)";
    return e.what();
}

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

std::string signal_name(int signal) {
    if (signal == SIGINT) return " (SIGINT)";
    if (signal == SIGTERM) return " (SIGTERM)";
    return "";
}

// Where a run that stopped early ("interrupted (SIGINT) at 300 ms of 1000 ms") stopped,
// what it wrote and how to go on.
void print_stopped(const std::string& where, double t_stop_ms, bool checkpointed, const fs::path& checkpoint,
                   const fs::path& out) {
    fmt::print(stderr, "myelin: {}; the results so far are written (the spike file's attribute 'incomplete' says so)\n",
               where);
    if (checkpointed)
        fmt::print(stderr, "resume with: myelin resume '{}' --t-stop {:.10g} --output '{}' --force\n", checkpoint.string(),
                   t_stop_ms, out.string());
    else
        fmt::print(stderr, "no checkpoint to resume from: run with --checkpoint-every MS to have one\n");
}

void print_estimate(const network_spec& spec, int ranks) {
    const memory_estimate m = estimate_memory(spec, ranks);
    fmt::print("network: {:.0f} neurons, {:.0f} synapses{}\n", m.neurons, m.synapses,
               std::any_of(spec.projections.begin(), spec.projections.end(),
                           [](const projection_spec& p) {
                               return p.rule.type == connection_rule::pairwise_bernoulli;
                           })
                   ? " (expected: some are drawn)"
                   : "");
    fmt::print("memory: about {:.0f} MB per rank ({} rank{}); recordings are written as the run goes\n", m.bytes_per_rank / 1e6,
               ranks, ranks == 1 ? "" : "s");
    if (const auto a = io::available_memory_bytes()) fmt::print("available here: {:.0f} MB\n", *a / 1e6);
}

// More threads than CPUs to run them makes every window wait for threads that take turns:
// OpenMPI binds each rank to one core by default, so `mpirun -n 2 myelin run --threads 8`
// runs 8 threads on one core. Rank 0 warns, once, with the launch line that fixes it.
void warn_if_oversubscribed(const network_spec& spec, communicator& comm) {
    const int threads = spec.simulation.threads;
    const auto cpus = allowed_cpus();
    const auto fewest =
        static_cast<int>(-comm.max(-static_cast<double>(cpus ? static_cast<int>(cpus->size()) : threads)));  // over ranks
    if (comm.rank() != 0 || fewest >= threads) return;
    fmt::print(stderr,
               "myelin: warning: {} threads per rank, but {} may run on only {} CPU{} (its affinity mask): the "
               "threads take turns and the run is up to {}x slower. {}\n",
               threads, comm.size() > 1 ? "a rank" : "this process", fewest, fewest == 1 ? "" : "s",
               (threads + fewest - 1) / fewest,
               comm.size() > 1
                   ? fmt::format("Give each rank {} cores: mpirun --map-by slot:PE={} -n {} ... (or --bind-to none); "
                                 "under Slurm: srun --cpus-per-task={} (docs/scaling.md)",
                                 threads, threads, comm.size(), threads)
                   : fmt::format("Run it on {} CPUs (taskset, or your batch system's CPUs per task), or with "
                                 "--threads {} (docs/scaling.md)",
                                 threads, fewest));
}

// The engine, built on every rank. Building meets the other ranks in collectives: a rank
// that fails there cannot wait for the others to agree, so it ends all of them.
std::unique_ptr<engine> build_engine(communicator& comm, const std::function<std::unique_ptr<engine>()>& make_engine) {
    if (comm.size() == 1) return make_engine();
    try {
        return make_engine();
    } catch (const std::exception& e) {
        fmt::print(stderr, "myelin: failed on rank {} while building the network: {}\n", comm.rank(), describe(e));
        comm.abort(dynamic_cast<const input_error*>(&e) ? 2 : 1);
    }
    return nullptr;  // not reached: abort ends every rank
}

// "build 0.23 s, simulation of 1000 ms 0.61 s (...)" and, under MPI, the exchange's volume.
void print_timing(const engine& sim, step_t first_step, double sim_seconds, double peak_MB, int ranks) {
    const auto& spec = sim.spec();
    const double h = spec.simulation.resolution_ms;
    const double simulated_ms = static_cast<double>(sim.now() - first_step) * h;
    fmt::print("{} {:.2f} s, simulation of {:.10g} ms {:.2f} s (real-time factor {:.2f}, spike exchange {:.2f} s), "
               "peak memory {:.0f} MB{}\n",
               first_step > 0 ? "restore" : "build", sim.stats().build_seconds, simulated_ms, sim_seconds,
               sim_seconds / (simulated_ms * 1e-3), sim.exchange_seconds(), peak_MB, ranks > 1 ? " per rank" : "");
    // Where the threads' time went, per window (docs/performance.md, "Where the time goes").
    if (const auto p = sim.phases(); p.windows > 0) {
        const double us = 1e6 / static_cast<double>(p.windows);
        fmt::print("per window ({} windows, mean over {} thread{}{}): update {:.1f} us, waiting for the slowest "
                   "thread {:.1f} us, spike exchange {:.1f} us, delivery {:.1f} us\n",
                   p.windows, spec.simulation.threads, spec.simulation.threads == 1 ? "" : "s",
                   ranks > 1 ? " of rank 0" : "", p.update * us, p.waiting * us, p.exchange * us, p.delivery * us);
    }
    if (ranks > 1) {
        const step_t windows = std::max<step_t>(1, (sim.now() - first_step) / std::max<step_t>(1, sim.stats().min_delay_steps));
        fmt::print("spike exchange ({}): rank 0 received {} spikes, {:.1f} per window\n", to_string(spec.simulation.exchange),
                   sim.received_spikes(), static_cast<double>(sim.received_spikes()) / static_cast<double>(windows));
    }
}

// Rank 0's streamed files (io/streams.hpp): the spike file, a report per recorded state
// variable and a file per weight recorder, written as the run goes, and the statistics of the summary table, gathered on
// the way. A resumed run continues the files its checkpoint records.
class streamed_files {
public:
    streamed_files(const network_spec& spec, const io::output_dir& out, const std::vector<io::output_position>& resumed,
                   const fs::path& checkpoint)
        : layout_(spec) {
        auto open = [&](const std::string& name, const auto& make_new, const auto& make_continued) {
            const fs::path file = out.file(name);
            const auto at = std::find_if(resumed.begin(), resumed.end(), [&](const auto& p) { return p.file == name; });
            if (at == resumed.end()) return make_new(file);
            decltype(make_new(file)) s;
            io::continue_output(*at, checkpoint, file, [&](const std::string& shown) { s = make_continued(file, *at, shown); });
            return s;
        };
        if (spec.spikes) {
            spikes_ = open(
                "spikes.h5", [&](const fs::path& f) { return std::make_unique<io::spike_stream>(layout_, f); },
                [&](const fs::path& f, const io::output_position& at, const std::string& shown) {
                    return std::make_unique<io::spike_stream>(layout_, f, at, shown);
                });
            for (const auto& p : layout_.empty_file().populations) stats_.emplace_back(p.name, *p.n_nodes);
            spikes_->read_back([&](std::size_t q, const io::spike_population& part) {
                stats_[q].add(part.timestamps_ms, part.node_ids);
            });
        }
        for (std::size_t r = 0; r < spec.state_recorders.size(); ++r) {
            const state_trace shape = io::trace_shape(spec, r);
            const std::string& population = spec.populations[shape.population].name;
            reports_.emplace_back();
            for (std::size_t v = 0; v < shape.variables.size(); ++v)
                reports_.back().push_back(open(
                    io::report_file_name(shape, v),
                    [&](const fs::path& f) { return std::make_unique<io::report_stream>(shape, v, population, f); },
                    [&](const fs::path& f, const io::output_position& at, const std::string& shown) {
                        return std::make_unique<io::report_stream>(shape, v, population, f, at, shown);
                    }));
        }
        for (std::size_t w = 0; w < spec.weight_recorders.size(); ++w) {
            weight_names_.push_back(spec.weight_recorders[w].name + ".weights.h5");
            weights_.push_back(open(
                weight_names_.back(),
                [&](const fs::path& f) { return std::make_unique<io::weight_stream>(spec, w, f); },
                [&](const fs::path& f, const io::output_position& at, const std::string& shown) {
                    return std::make_unique<io::weight_stream>(spec, w, f, at, shown);
                }));
        }
    }
    io::streamed_outputs outputs() {
        io::streamed_outputs o;
        o.spikes = spikes_ != nullptr;
        o.traces = !reports_.empty();
        o.weights = !weights_.empty();
        o.append_spikes = [this](std::vector<spike>&& batch) {
            const io::spike_file part = layout_.convert(batch);
            spikes_->append(part);
            for (std::size_t q = 0; q < part.populations.size(); ++q)
                stats_[q].add(part.populations[q].timestamps_ms, part.populations[q].node_ids);
        };
        o.append_traces = [this](std::vector<state_trace>&& batch) {
            for (std::size_t r = 0; r < batch.size(); ++r)
                for (auto& stream : reports_[r]) stream->append(batch[r]);
        };
        o.append_weights = [this](std::vector<weight_record>&& batch) {
            for (std::size_t w = 0; w < batch.size(); ++w) weights_[w]->append(batch[w]);
        };
        o.positions = [this] {
            std::vector<io::output_position> at;
            if (spikes_) at.push_back(spikes_->position());
            for (auto& recorder : reports_)
                for (auto& stream : recorder) at.push_back(stream->position());
            for (auto& stream : weights_) at.push_back(stream->position());
            return at;
        };
        return o;
    }
    // Closes the files (the spike file ends at `end_ms`); the names written, and the
    // statistics of the spikes up to and including `end_ms` (a spike of the last step is
    // stamped with it).
    std::vector<std::string> finish(double end_ms, const std::optional<std::string>& incomplete,
                                    std::vector<analysis::population_stats>& stats) {
        std::vector<std::string> written;
        if (spikes_) {
            spikes_->close(end_ms, incomplete);
            written.push_back("spikes.h5");
            for (const auto& s : stats_) stats.push_back(s.result(0.0, std::nextafter(end_ms, INFINITY)));
        }
        for (auto& recorder : reports_)
            for (auto& stream : recorder) {
                written.push_back(stream->position().file);
                stream->close();
            }
        for (std::size_t w = 0; w < weights_.size(); ++w) {
            written.push_back(weight_names_[w]);
            weights_[w]->close();
        }
        return written;
    }

private:
    io::spike_layout layout_;
    std::unique_ptr<io::spike_stream> spikes_;
    std::vector<analysis::spike_stats_accumulator> stats_;
    std::vector<std::vector<std::unique_ptr<io::report_stream>>> reports_;  // per recorder, per variable
    std::vector<std::unique_ptr<io::weight_stream>> weights_;
    std::vector<std::string> weight_names_;
};

// "predicted class 7 (...); label 7: correct" for a classifying network.
void print_class(const network_spec& spec, const io::classification& c) {
    const auto& cl = *spec.classifier;
    const auto& rs = spec.state_recorders[cl.recorder];
    const char* how = cl.kind == classifier_spec::readout::mean ? "mean" : cl.kind == classifier_spec::readout::max ? "max" : "last";
    std::size_t second = c.predicted == 0 ? 1 : 0;
    for (std::size_t k = 0; k < c.scores.size(); ++k)
        if (k != c.predicted && c.scores[k] > c.scores[second]) second = k;
    fmt::print("\npredicted class {} ({} {} of '{}' over {} samples: {:.6g}", c.predicted, how,
               spec.populations[rs.population].state[rs.variables[0]].key, rs.name, c.samples, c.scores[c.predicted]);
    if (c.scores.size() > 1) fmt::print("; next class {}: {:.6g}", second, c.scores[second]);
    fmt::print(")");
    if (cl.label) fmt::print("; label {}: {}", *cl.label, *cl.label == c.predicted ? "correct" : "wrong");
    fmt::print("\n");
}

// What run and resume share: an engine of `source` advanced to t_stop, checkpoints on
// the way, the recordings written as they come, and a summary printed (by rank 0). A
// resumed run continues the files its checkpoint records.
int simulate(const io::network_source& source, const std::string& shown_as, const fs::path& out_path,
             const simulation_flags& flags, communicator& comm, const std::function<std::unique_ptr<engine>()>& make_engine,
             const std::vector<io::output_position>& resumed_outputs = {}, const fs::path& resumed_from = {}) {
    const bool root = comm.rank() == 0;
    const network_spec& spec = source.spec;
    const double h = spec.simulation.resolution_ms;
    if (flags.dry_run) {
        if (root) print_estimate(spec, comm.size());
        return 0;
    }
    if (!flags.no_memory_check) on_all_ranks(comm, [&] { io::check_memory(spec, comm.size(), io::ranks_on_this_node(comm)); });
    std::optional<io::output_dir> out;  // rank 0 writes every file
    std::optional<streamed_files> streamed;
    on_all_ranks(comm, [&] {
        if (!root) return;
        out.emplace(out_path, flags.force);
        streamed.emplace(spec, *out, resumed_outputs, resumed_from);
    });
    warn_if_oversubscribed(spec, comm);
    const std::vector<int> pinned = flags.pin ? pin_threads(spec.simulation.threads) : std::vector<int>{};
    const std::unique_ptr<engine> sim = build_engine(comm, make_engine);
    const step_t first_step = sim->now();
    if (root) print_header(*sim, shown_as, comm.size());
    if (root && flags.pin) {
        if (pinned.empty() || std::count(pinned.begin(), pinned.end(), -1) > 0)
            fmt::print(stderr, "myelin: warning: --pin: this system did not let the threads be pinned\n");
        else
            fmt::print("threads pinned to CPUs {}{}\n", fmt::join(pinned, " "), comm.size() > 1 ? " (rank 0's)" : "");
    }

    const step_t n_steps = ms_to_steps(spec.simulation.t_stop_ms, h);
    const double t_stop_ms = static_cast<double>(n_steps) * h;
    // Checkpoints go straight into the output folder (not the staging one): they are for
    // runs that do not end well.
    const fs::path checkpoint = out_path / "checkpoint.h5";
    progress_line progress(h, static_cast<double>(first_step) * h, t_stop_ms, flags.quiet || !root);
    const auto sim_start = clock_type::now();
    // From here on the ranks meet in every window: a rank that fails ends all of them.
    double peak_MB = 0.0;
    io::advance_result advanced;
    io::streamed_outputs to_files;  // the flags on every rank, the calls on rank 0
    to_files.spikes = spec.spikes.has_value();
    to_files.traces = !spec.state_recorders.empty();
    to_files.weights = !spec.weight_recorders.empty();
    if (streamed) to_files = streamed->outputs();
    try {
        advanced = io::advance(*sim, n_steps, io::checkpoint_interval(flags.checkpoint_every_ms, h), checkpoint, source,
                               comm, [&](step_t done) { progress(done); }, &to_files, flags.stop_on_checkpoint_failure,
                               flags.checkpoint_files == "one"        ? io::checkpoint_files::one
                               : flags.checkpoint_files == "per-rank" ? io::checkpoint_files::per_rank
                                                                      : io::checkpoint_files::automatic);
        // The snapshots due by the end that wait for a delivery that will not come.
        auto last = sim->take_weight_records(true);
        if (root && to_files.weights) to_files.append_weights(std::move(last));
        peak_MB = comm.max(peak_memory_MB());
    } catch (const std::exception& e) {
        if (comm.size() == 1) throw;
        fmt::print(stderr, "myelin: failed on rank {}: {}\n", comm.rank(), describe(e));
        comm.abort(1);
    }
    const double sim_seconds = seconds_since(sim_start) - advanced.checkpoint_seconds;  // those are reported apart
    progress.finish();
    // 128 + SIGINT, as a shell reports it; a failed checkpoint that stopped the run is an I/O error.
    const int exit_code = advanced.interrupted ? 130 : advanced.checkpoint_failed ? 2 : 0;
    if (!root) return exit_code;

    // Where the run ended: t_stop, or the window where an interrupt or a failed checkpoint stopped it.
    const double end_ms = static_cast<double>(sim->now()) * h;
    std::optional<std::string> incomplete;
    if (sim->now() < n_steps)
        incomplete = advanced.interrupted
                         ? fmt::format("interrupted{} at {:.10g} ms of {:.10g} ms", signal_name(interrupt_signal()),
                                       end_ms, t_stop_ms)
                         : fmt::format("stopped at {:.10g} ms of {:.10g} ms: the checkpoint there could not be written",
                                       end_ms, t_stop_ms);
    std::vector<analysis::population_stats> stats;
    std::vector<std::string> written = streamed->finish(end_ms, incomplete, stats);
    std::optional<io::classification> chose;
    if (spec.classifier && !incomplete)
        chose = io::classify(spec, out->file(io::report_file_name(io::trace_shape(spec, spec.classifier->recorder), 0)));
    out->commit();

    print_timing(*sim, first_step, sim_seconds, peak_MB, comm.size());
    if (advanced.checkpoints > 0)
        fmt::print("{} checkpoint{} (written in {:.2f} s), the last in {}\n", advanced.checkpoints,
                   advanced.checkpoints == 1 ? "" : "s", advanced.checkpoint_seconds, checkpoint.string());
    if (!stats.empty()) fmt::print("\n{}", analysis::format_stats_table(stats));
    if (chose) print_class(spec, *chose);
    fmt::print("\nwrote");
    for (const auto& w : written) fmt::print(" {}", (out->final_dir() / w).string());
    fmt::print("\n");
    if (incomplete) print_stopped(*incomplete, t_stop_ms, advanced.checkpoints > 0, checkpoint, out->final_dir());
    return exit_code;
}

io::config_overrides overrides_of(const simulation_flags& f) {
    io::config_overrides o;
    o.threads = f.threads;
    o.exchange = f.exchange;
    o.resumable = f.checkpoint_every_ms.has_value();
    return o;
}

}  // namespace

int run_command(const run_options& o, communicator& comm) {
    io::network_source source;
    on_all_ranks(comm, [&] {
        auto overrides = overrides_of(o.flags);
        overrides.seed = o.seed;
        overrides.t_stop_ms = o.t_stop_ms;
        source = io::load_network(o.config, overrides, models::builtin_registry());
        io::checkpoint_interval(o.flags.checkpoint_every_ms, source.spec.simulation.resolution_ms);
    });
    const fs::path out = o.flags.output.empty() ? fs::path("out") / fs::path(o.config).stem() : fs::path(o.flags.output);
    return simulate(source, o.config, out, o.flags, comm, [&] { return std::make_unique<engine>(source.spec, comm); });
}

int resume_command(const resume_options& o, communicator& comm) {
    io::network_source source;
    std::unique_ptr<io::checkpoint_file> checkpoint;  // every rank reads its own part
    on_all_ranks(comm, [&] {
        checkpoint = std::make_unique<io::checkpoint_file>(o.checkpoint);
        auto overrides = overrides_of(o.flags);
        overrides.t_stop_ms = o.t_stop_ms;
        source = io::checkpoint_network(*checkpoint, o.checkpoint, overrides, models::builtin_registry());
        io::checkpoint_interval(o.flags.checkpoint_every_ms, source.spec.simulation.resolution_ms);
    });
    const fs::path out =
        o.flags.output.empty() ? fs::path("out") / fs::path(source.config_file).stem() : fs::path(o.flags.output);
    const auto resumed_outputs = checkpoint->header().outputs;
    return simulate(source, o.checkpoint, out, o.flags, comm, [&] {
        std::unique_ptr<engine> sim;
        try {
            sim = std::make_unique<engine>(source.spec, comm, checkpoint->reader());
        } catch (const input_error& e) {
            throw e.file().empty() ? e.in_file(o.checkpoint) : e;
        }
        checkpoint.reset();  // closed before a new checkpoint may replace it
        return sim;
    }, resumed_outputs, o.checkpoint);
}

int info_command(const std::string& path, std::optional<double> t_start_ms, std::optional<double> t_stop_ms) {
    const io::spike_file file = io::read_spikes(path);
    double last = 0.0;
    for (const auto& p : file.populations)
        for (double t : p.timestamps_ms) last = std::max(last, t);
    const double start = t_start_ms.value_or(file.t_start_ms.value_or(0.0));
    // The file's run includes its end (a spike of the last step is stamped t_stop); without
    // t_stop in the file, count up to just after the last spike.
    const double stop = t_stop_ms.value_or(std::nextafter(file.t_stop_ms.value_or(last), INFINITY));
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
