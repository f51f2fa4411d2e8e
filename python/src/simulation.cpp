// _myelin.Simulation: a network built once and advanced run after run, as `myelin run`
// builds and advances it (io::load_network, io::advance), with what it records kept in
// memory for NumPy instead of streamed into files.
#include "bindings.hpp"

#include <myelin/core/error.hpp>
#include <myelin/core/interrupt.hpp>
#include <myelin/io/checkpoint.hpp>
#include <myelin/io/config.hpp>
#include <myelin/io/run.hpp>
#include <myelin/io/streams.hpp>
#include <myelin/models/registry.hpp>
#include <myelin/simulator/engine.hpp>
#include <myelin/simulator/ring_buffer.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <mutex>
#include <optional>
#include <string>

namespace myelin::python {

namespace {

namespace fs = std::filesystem;

// What a caller may set instead of the config (the program's --seed, --threads, --exchange).
io::config_overrides overrides_of(std::optional<std::uint32_t> seed, std::optional<int> threads,
                                  const std::optional<std::string>& exchange) {
    io::config_overrides o;
    o.seed = seed;
    o.threads = threads;
    if (exchange) {
        if (*exchange == "allgather") o.exchange = spike_exchange::allgather;
        else if (*exchange == "targeted") o.exchange = spike_exchange::targeted;
        else
            throw input_error("", "exchange", fmt::format("'{}'; must be 'allgather' or 'targeted'", *exchange));
    }
    // A network in Python runs as long as it is asked to, run after run: recorder times
    // past the config's t_stop are allowed, as for a run that writes checkpoints.
    o.resumable = true;
    return o;
}

// NumPy arrays given beside a config's text ({"$array": k}, io::external_arrays), kept
// alive by the caller's references for as long as the spans are used.
using config_arrays = std::vector<py::array_t<double, py::array::c_style | py::array::forcecast>>;

io::external_arrays spans_of(const config_arrays& arrays) {
    io::external_arrays out;
    for (const auto& a : arrays) out.emplace_back(a.data(), static_cast<std::size_t>(a.size()));
    return out;
}

// Runs `step` on every rank and agrees on the outcome (as the program's on_all_ranks):
// where it threw on some rank, the lowest such rank raises its error and the others a
// RuntimeError naming it, so that no rank goes on to wait for the others.
template <class F>
void on_all_ranks(communicator& comm, F&& step) {
    std::exception_ptr error;
    try {
        step();
    } catch (...) {
        error = std::current_exception();
    }
    if (comm.size() == 1) {
        if (error) std::rethrow_exception(error);
        return;
    }
    const long failing = comm.min(error ? comm.rank() : std::numeric_limits<long>::max());
    if (failing == std::numeric_limits<long>::max()) return;
    if (comm.rank() == failing) std::rethrow_exception(error);
    throw std::runtime_error(fmt::format("failed on rank {} (its error is raised there)", failing));
}

// Values that grow run by run. A NumPy view handed out shares the buffer; the next
// append then starts a new one, so the view never changes under its holder.
template <class T>
struct growing {
    std::shared_ptr<std::vector<T>> values = std::make_shared<std::vector<T>>();
    void append(const T* first, std::size_t n) {
        if (n == 0) return;
        if (values.use_count() > 1) {
            auto fresh = std::make_shared<std::vector<T>>();
            fresh->reserve(2 * (values->size() + n));
            fresh->assign(values->begin(), values->end());
            values = std::move(fresh);
        }
        values->insert(values->end(), first, first + n);
    }
    py::array_t<T> view() const { return view_of<T>(values); }
};

struct population_spikes {
    std::string name;
    std::uint64_t n_nodes = 0;
    growing<double> times_ms;
    growing<std::uint64_t> ids;
};

py::array_t<double> params_of(const network_spec& spec, std::size_t index, const std::string& name);
py::array_t<double> stimulus_current(const network_spec& spec, std::size_t index, step_t from, step_t to);

template <class T>
py::array_t<T> copy_to_array(const std::vector<T>& v, std::vector<py::ssize_t> shape = {}) {
    return to_array(std::vector<T>(v), std::move(shape));
}

class simulation {
public:
    simulation(io::network_source source, io::config_overrides overrides,
               const std::function<std::unique_ptr<engine>()>& make_engine, communicator& comm)
        : source_(std::move(source)), overrides_(std::move(overrides)), comm_(comm), layout_(source_.spec) {
        build(make_engine);
        clear_recordings();
    }

    // Back to t = 0: the network built anew from its config as it stands (with the
    // stimulus parameters set since), so every state variable, synapse state, device and
    // random stream starts as in the first run and a run after reset() repeats it bit for
    // bit. The structure, parameters and recorders stay; the recordings start empty. A
    // network resumed from a checkpoint goes back to the t = 0 of its config.
    void reset() {
        const auto lock = exclusive();
        clear_recordings();
        engine_.reset();  // the old engine's memory is given back before the new one is built
        const py::gil_scoped_release unlocked;
        build([this] { return std::make_unique<engine>(source_.spec, comm_); });
    }

    double resolution_ms() const { return source_.spec.simulation.resolution_ms; }
    double time_ms() const { return static_cast<double>(built().now()) * resolution_ms(); }

    // Advances by `ms` (whole steps); false if a signal stopped it early (at a window's end).
    bool run(double ms, bool handle_signals) {
        const double h = resolution_ms();
        if (!std::isfinite(ms) || ms_to_steps(ms, h) < 1)
            throw input_error("", "run", fmt::format("{} ms; must be at least one step ({} ms)", ms, h));
        const auto lock = exclusive();
        const step_t until = built().now() + ms_to_steps(ms, h);
        io::streamed_outputs to_memory;
        to_memory.spikes = source_.spec.spikes.has_value();
        to_memory.traces = !source_.spec.state_recorders.empty();
        to_memory.weights = !source_.spec.weight_recorders.empty();
        to_memory.append_spikes = [this](std::vector<spike>&& batch) { add_spikes(batch); };
        to_memory.append_traces = [this](std::vector<state_trace>&& batch) { add_traces(std::move(batch)); };
        to_memory.append_weights = [this](std::vector<weight_record>&& batch) { add_weights(std::move(batch)); };
        io::advance_result r;
        {
            const py::gil_scoped_release unlocked;
            const signals_to_interrupt signals(handle_signals);
            r = io::advance(built(), until, 0, {}, source_, comm_, {}, &to_memory);
        }
        return !r.interrupted;
    }

    std::vector<std::string> spike_populations() const {
        std::vector<std::string> names;
        for (const auto& p : spikes_) names.push_back(p.name);
        return names;
    }

    py::tuple spikes(const std::string& population) const {
        const auto lock = exclusive();
        for (const auto& p : spikes_)
            if (p.name == population) return py::make_tuple(p.times_ms.view(), p.ids.view());
        const auto names = spike_populations();
        throw input_error("", "spikes", fmt::format("no recorded population '{}'; recorded: {}", population,
                                                    names.empty() ? std::string("none (recorders.spikes is false)")
                                                                  : fmt::format("{}", fmt::join(names, ", "))));
    }

    std::uint64_t population_size(const std::string& population) const {
        for (const auto& p : spikes_)
            if (p.name == population) return p.n_nodes;
        return 0;
    }

    py::dict trace(const std::string& recorder) const {
        const auto lock = exclusive();
        const std::size_t r = recorder_index(source_.spec.state_recorders, recorder, "trace", "state recorder");
        state_trace shape;
        const state_trace& t = r < traces_.size() ? traces_[r] : (shape = io::trace_shape(source_.spec, r));
        py::dict d;
        std::vector<double> times(t.n_samples);
        for (std::size_t k = 0; k < t.n_samples; ++k) times[k] = t.t_start_ms + static_cast<double>(k) * t.dt_ms;
        d["times"] = to_array(std::move(times));
        d["neurons"] = copy_to_array(t.neurons);
        d["population"] = source_.spec.populations[t.population].name;
        py::dict units;
        for (std::size_t v = 0; v < t.variables.size(); ++v) {
            const auto n = static_cast<py::ssize_t>(t.neurons.size());
            d[py::str(t.variables[v])] =
                v < t.data.size() ? copy_to_array(t.data[v], {static_cast<py::ssize_t>(t.n_samples), n})
                                  : to_array(std::vector<double>{}, {0, n});
            units[py::str(t.variables[v])] = t.units[v];
        }
        d["units"] = units;
        return d;
    }

    py::dict weights(const std::string& recorder) const {
        const auto lock = exclusive();
        const std::size_t r = recorder_index(source_.spec.weight_recorders, recorder, "weights", "weight recorder");
        const weight_record none;
        const weight_record& w = r < weights_.size() ? weights_[r] : none;
        py::dict d;
        d["projection"] = source_.spec.weight_recorders[r].projection;
        d["source"] = copy_to_array(w.source);
        d["target"] = copy_to_array(w.target);
        d["times"] = copy_to_array(w.times_ms);
        d["weights"] = copy_to_array(w.weights, {static_cast<py::ssize_t>(w.times_ms.size()),
                                                 static_cast<py::ssize_t>(w.source.size())});
        d["event_times"] = copy_to_array(w.event_time_ms);
        d["event_source"] = copy_to_array(w.event_source);
        d["event_target"] = copy_to_array(w.event_target);
        d["event_weights"] = copy_to_array(w.event_weight);
        return d;
    }

    // The synapses of projection `projection` that this rank holds, sorted by (target, source);
    // with `gather` every rank's, on every rank (a collective).
    py::dict synapses(std::size_t projection, bool gather) {
        if (projection >= source_.spec.projections.size())
            throw input_error("", "synapses", fmt::format("projection {}; the network has {} (0 to {})", projection,
                                                          source_.spec.projections.size(),
                                                          static_cast<long>(source_.spec.projections.size()) - 1));
        const auto all = gather ? built().all_synapses(projection) : built().synapses(projection);
        std::vector<std::uint64_t> source(all.size()), target(all.size());
        std::vector<double> weight(all.size()), delay(all.size());
        for (std::size_t k = 0; k < all.size(); ++k) {
            source[k] = all[k].source;
            target[k] = all[k].target;
            weight[k] = all[k].weight;
            delay[k] = static_cast<double>(all[k].delay_steps) * resolution_ms();
        }
        py::dict d;
        d["source"] = to_array(std::move(source));
        d["target"] = to_array(std::move(target));
        d["weight"] = to_array(std::move(weight));
        d["delay"] = to_array(std::move(delay));
        return d;
    }

    // New parameters of stimulus `index`, from the next step on.
    void set_stimulus(std::size_t index, const std::string& config_text, const config_arrays& arrays) {
        change(config_text, arrays, [&](const network_spec& changed) {
            if (index >= changed.stimuli.size()) throw std::out_of_range("stimulus index");
            built().set_stimulus_params(index, changed.stimuli[index].params);
            source_.spec.stimuli[index].params = changed.stimuli[index].params;
        });
    }

    // New parameters of population `index`, from the next step on; the neurons keep their state.
    void set_population_params(std::size_t index, const std::string& config_text, const config_arrays& arrays) {
        change(config_text, arrays, [&](const network_spec& changed) {
            if (index >= changed.populations.size()) throw std::out_of_range("population index");
            built().set_population_params(index, changed.populations[index]);
            source_.spec.populations[index].params = changed.populations[index].params;
            source_.spec.populations[index].varying = changed.populations[index].varying;
        });
    }

    // New weights of explicit projection `index`, from the next delivery on.
    void set_projection_weights(std::size_t index, const std::string& config_text, const config_arrays& arrays) {
        change(config_text, arrays, [&](const network_spec& changed) {
            if (index >= changed.projections.size()) throw std::out_of_range("projection index");
            built().set_projection_weights(index, changed.projections[index]);
            keep_synapses(index, changed.projections[index]);
        });
    }

    // New delays of explicit projection `index`, from the next spike on.
    void set_projection_delays(std::size_t index, const std::string& config_text, const config_arrays& arrays) {
        change(config_text, arrays, [&](const network_spec& changed) {
            if (index >= changed.projections.size()) throw std::out_of_range("projection index");
            built().set_projection_delays(index, changed.projections[index]);
            keep_synapses(index, changed.projections[index]);
        });
    }

    // The projection's synapses as changed (a rule's, listed, are explicit from now on), for
    // reset() and checkpoints.
    void keep_synapses(std::size_t index, const projection_spec& changed) {
        auto& mine = source_.spec.projections[index];
        mine.rule = changed.rule;
        mine.weight = changed.weight;
        mine.delay_ms = changed.delay_ms;
    }

    // New synapse-model parameters of projection `index`, from the next spike on.
    void set_synapse_params(std::size_t index, const std::string& config_text, const config_arrays& arrays) {
        change(config_text, arrays, [&](const network_spec& changed) {
            if (index >= changed.projections.size()) throw std::out_of_range("projection index");
            built().set_synapse_params(index, changed.projections[index]);
            source_.spec.projections[index].synapse_params = changed.projections[index].synapse_params;
        });
    }

    std::vector<double> engine_state(std::size_t index, const std::string& name) const {
        const auto lock = exclusive();
        return built().state_values(index, name);
    }

    // State variable `name` of population `index`, one value per neuron, from the next step on.
    void set_state(std::size_t index, const std::string& name,
                   const py::array_t<double, py::array::c_style | py::array::forcecast>& values) {
        const auto lock = exclusive();
        built().set_state(index, name, std::span<const double>(values.data(), static_cast<std::size_t>(values.size())));
    }

    py::array_t<double> population_params(std::size_t index, const std::string& name) const {
        return params_of(source_.spec, index, name);
    }

    // Collective: the state now into `path` (stored as `files` says: "auto", "one",
    // "per-rank"), to go on with later from Python or with `myelin resume`. Raises OSError
    // where it cannot be written.
    void checkpoint(const std::string& path, const std::string& files) {
        const auto lock = exclusive();
        if (comm_.rank() == 0 && fs::path(path).has_parent_path()) fs::create_directories(fs::path(path).parent_path());
        const io::checkpoint_header header{arrays_.empty() ? source_.config_text
                                                           : io::expand_arrays(source_.config_text, spans_of(arrays_)),
                                           source_.config_file, source_.spec.simulation.seed,
                                           time_ms(), {}};
        std::string failed;
        {
            const py::gil_scoped_release unlocked;
            failed = io::save_checkpoint(path, header, built(), comm_,
                                         files == "one"        ? io::checkpoint_files::one
                                         : files == "per-rank" ? io::checkpoint_files::per_rank
                                                               : io::checkpoint_files::automatic);
        }
        if (comm_.max(failed.empty() ? 0.0 : 1.0) > 0.0)
            throw fs::filesystem_error(failed.empty() ? "the checkpoint could not be written on rank 0" : failed, path,
                                       std::make_error_code(std::errc::io_error));
    }

    py::dict info() const {
        const auto& s = built().stats();
        py::dict d;
        d["neurons"] = s.n_neurons;
        d["synapses"] = s.n_synapses;
        d["synapse_bytes"] = s.synapse_bytes;
        d["min_delay"] = static_cast<double>(s.min_delay_steps) * resolution_ms();
        d["build_seconds"] = s.build_seconds;
        d["exchange_seconds"] = built().exchange_seconds();
        d["threads"] = source_.spec.simulation.threads;
        d["ranks"] = comm_.size();
        d["seed"] = source_.spec.simulation.seed;
        d["resolution"] = resolution_ms();
        return d;
    }

    const std::string& config_text() const { return source_.config_text; }
    config_arrays arrays_;  // those the config text refers to ({"$array": k})

private:
    void build(const std::function<std::unique_ptr<engine>()>& make_engine) {
        if (comm_.size() == 1) {
            engine_ = make_engine();
            return;
        }
        // Building meets the other ranks in collectives: a rank that fails there cannot
        // wait for the others to agree, so it ends all of them (as the program does).
        try {
            engine_ = make_engine();
        } catch (const std::exception& e) {
            fmt::print(stderr, "myelin: failed on rank {} while building the network: {}\n", comm_.rank(), e.what());
            comm_.abort(dynamic_cast<const input_error*>(&e) ? 2 : 1);
        }
    }
    void clear_recordings() {
        spikes_.clear();
        for (const auto& p : layout_.empty_file().populations) {
            spikes_.emplace_back();
            spikes_.back().name = p.name;
            spikes_.back().n_nodes = p.n_nodes.value_or(0);
        }
        traces_.clear();
        weights_.clear();
    }
    void add_spikes(const std::vector<spike>& batch) {
        const io::spike_file part = layout_.convert(batch);
        for (std::size_t q = 0; q < part.populations.size(); ++q) {
            const auto& p = part.populations[q];
            spikes_[q].times_ms.append(p.timestamps_ms.data(), p.timestamps_ms.size());
            spikes_[q].ids.append(p.node_ids.data(), p.node_ids.size());
        }
    }
    void add_traces(std::vector<state_trace>&& batch) {
        if (traces_.empty()) {
            traces_ = std::move(batch);
            return;
        }
        for (std::size_t r = 0; r < batch.size(); ++r) {
            auto& t = traces_[r];
            if (t.n_samples == 0) t.t_start_ms = batch[r].t_start_ms;
            for (std::size_t v = 0; v < batch[r].data.size(); ++v)
                t.data[v].insert(t.data[v].end(), batch[r].data[v].begin(), batch[r].data[v].end());
            t.n_samples += batch[r].n_samples;
        }
    }
    void add_weights(std::vector<weight_record>&& batch) {
        if (weights_.empty()) {
            weights_ = std::move(batch);
            return;
        }
        auto extend = [](auto& to, const auto& from) { to.insert(to.end(), from.begin(), from.end()); };
        for (std::size_t r = 0; r < batch.size(); ++r) {
            auto& w = weights_[r];
            if (w.source.empty()) {
                w.source = batch[r].source;
                w.target = batch[r].target;
            }
            extend(w.times_ms, batch[r].times_ms);
            extend(w.weights, batch[r].weights);
            extend(w.event_time_ms, batch[r].event_time_ms);
            extend(w.event_source, batch[r].event_source);
            extend(w.event_target, batch[r].event_target);
            extend(w.event_weight, batch[r].event_weight);
        }
    }

    io::network_source source_;
    io::config_overrides overrides_;  // what set_stimulus parses a changed config with
    communicator& comm_;
    io::spike_layout layout_;  // refers to source_.spec
    std::unique_ptr<engine> engine_;
    std::vector<population_spikes> spikes_;  // per spike-file population (rank 0; empty elsewhere)
    std::vector<state_trace> traces_;        // per state recorder, all samples so far
    std::vector<weight_record> weights_;     // per weight recorder, all snapshots and events so far
    mutable std::mutex busy_;                // held by a run (which releases the GIL)

    // A change between runs: the whole config with it, parsed and validated as any config,
    // applied by `apply` to the engine and the kept spec; the text and its arrays become the
    // network's config (for checkpoints and reset()).
    template <class Apply>
    void change(const std::string& config_text, const config_arrays& arrays, Apply&& apply) {
        const auto lock = exclusive();
        const network_spec changed = io::prepare_network(config_text, source_.config_file, overrides_,
                                                         models::builtin_registry(), spans_of(arrays));
        apply(changed);
        source_.config_text = config_text;
        arrays_ = arrays;
    }

    engine& built() const {
        if (!engine_) throw std::runtime_error("the network could not be built again by reset() (see its error)");
        return *engine_;
    }
    // Not waiting for a run in another thread: that would hold the GIL the other needs to end.
    std::unique_lock<std::mutex> exclusive() const {
        std::unique_lock lock(busy_, std::try_to_lock);
        if (!lock) throw std::runtime_error("the network is running in another thread");
        return lock;
    }
    // The recorder named `name`, else an error under `path` listing those there are.
    template <class Recorder>
    static std::size_t recorder_index(const std::vector<Recorder>& recorders, const std::string& name, const char* path,
                                      const char* kind) {
        std::vector<std::string> names;
        for (std::size_t r = 0; r < recorders.size(); ++r) {
            if (recorders[r].name == name) return r;
            names.push_back(recorders[r].name);
        }
        throw input_error("", path, fmt::format("no {} '{}'; the network has: {}", kind, name,
                                                names.empty() ? std::string("none") : fmt::format("{}", fmt::join(names, ", "))));
    }
};

// The current (pA) that current device `index` of a config injects into each of its
// targets at steps [from, to): a device of the same parameters, seed and targets as the
// engine's, generating into scratch buffers one step at a time. Row k is the current
// during step k (from t_k on), as the neuron update takes it (PyNN's recorded current).
py::array_t<double> stimulus_current(const network_spec& spec, std::size_t index, step_t from, step_t to) {
    if (index >= spec.stimuli.size()) throw std::out_of_range("stimulus index");
    const auto& st = spec.stimuli[index];
    if (!st.model->emits_current)
        throw input_error("", st.path, fmt::format("'{}' injects no current (a spike device)", st.model->name));
    if (from < 0 || to < from) throw std::out_of_range("steps");
    std::vector<std::uint64_t> offset(spec.populations.size() + 1, 0);
    for (std::size_t p = 0; p < spec.populations.size(); ++p) offset[p + 1] = offset[p] + spec.populations[p].n;
    stimulus_setup setup{spec.simulation.resolution_ms, spec.simulation.seed, static_cast<std::uint32_t>(index), {}, {},
                         st.weight, 0, 0};
    for (const auto& tg : st.targets) {
        auto take = [&](std::uint64_t i) {
            setup.local.push_back(static_cast<std::uint32_t>(setup.local.size()));
            setup.gid.push_back(offset[tg.population] + i);
        };
        if (tg.neurons)
            for (auto i : *tg.neurons) take(i);
        else
            for (std::uint64_t i = 0; i < spec.populations[tg.population].n; ++i) take(i);
    }
    const std::size_t n = setup.local.size();
    auto device = st.model->make_stimulus(st.params, std::move(setup));
    ring_buffers ring(n, 2);
    std::vector<double> current(static_cast<std::size_t>(to - from) * n);
    for (step_t k = from; k < to; ++k) {
        const std::size_t slot = ring.slot_of(k + 1);
        ring.clear_slot(slot);
        device->generate(k, k + 1, ring);
        std::copy_n(ring.current(slot), n, current.begin() + static_cast<std::ptrdiff_t>(static_cast<std::size_t>(k - from) * n));
    }
    return to_array(std::move(current), {static_cast<py::ssize_t>(to - from), static_cast<py::ssize_t>(n)});
}

// Number parameter `name` of population `index`, neuron by neuron (given, listed or drawn).
py::array_t<double> params_of(const network_spec& spec, std::size_t index, const std::string& name) {
    if (index >= spec.populations.size()) throw std::out_of_range("population index");
    const auto& p = spec.populations[index];
    const auto k = p.model->param_index(name);
    if (!k) {
        std::vector<std::string> keys;
        for (const auto& info : p.model->params) keys.push_back(info.key);
        throw input_error("", p.path + ".params", fmt::format("unknown parameter '{}' of model {}; known: {}", name,
                                                              p.model->name, fmt::join(keys, ", ")));
    }
    if (!std::holds_alternative<double>(p.model->params[*k].default_value))
        throw input_error("", p.path + ".params." + name, fmt::format("{} is not a number parameter", name));
    global_id first = 0;
    for (std::size_t q = 0; q < index; ++q) first += spec.populations[q].n;
    std::vector<double> values(p.n);
    for (std::size_t i = 0; i < p.n; ++i)
        values[i] = std::get<double>(p.varying.empty() ? p.params[*k]
                                                       : p.neuron_params(index, i, first + i, spec.simulation.seed)[*k]);
    return to_array(std::move(values));
}

void check_memory(const network_spec& spec, communicator& comm) {
    on_all_ranks(comm, [&] { io::check_memory(spec, comm.size(), io::ranks_on_this_node(comm)); });
}

std::unique_ptr<simulation> from_config(const std::string& text, const std::string& shown_as,
                                        std::optional<std::uint32_t> seed, std::optional<int> threads,
                                        const std::optional<std::string>& exchange, bool memory_check,
                                        const config_arrays& arrays) {
    communicator& comm = world();
    io::network_source source;
    const auto overrides = overrides_of(seed, threads, exchange);
    on_all_ranks(comm, [&] {
        source = {io::prepare_network(text, shown_as, overrides, models::builtin_registry(), spans_of(arrays)), text,
                  shown_as};
    });
    if (memory_check) check_memory(source.spec, comm);
    auto sim = std::make_unique<simulation>(source, overrides,
                                            [&] { return std::make_unique<engine>(source.spec, comm); }, comm);
    sim->arrays_ = arrays;
    return sim;
}

std::unique_ptr<simulation> from_file(const std::string& path, std::optional<std::uint32_t> seed,
                                      std::optional<int> threads, const std::optional<std::string>& exchange,
                                      bool memory_check) {
    communicator& comm = world();
    io::network_source source;
    const auto overrides = overrides_of(seed, threads, exchange);
    on_all_ranks(comm, [&] { source = io::load_network(path, overrides, models::builtin_registry()); });
    if (memory_check) check_memory(source.spec, comm);
    return std::make_unique<simulation>(source, overrides,
                                        [&] { return std::make_unique<engine>(source.spec, comm); }, comm);
}

std::unique_ptr<simulation> from_checkpoint(const std::string& path, std::optional<int> threads,
                                            const std::optional<std::string>& exchange) {
    communicator& comm = world();
    io::network_source source;
    std::unique_ptr<io::checkpoint_file> checkpoint;  // every rank reads its own part
    auto overrides = overrides_of(std::nullopt, threads, exchange);
    on_all_ranks(comm, [&] {
        checkpoint = std::make_unique<io::checkpoint_file>(path);
        // Only past the checkpoint's time: the network then runs as long as it is asked to.
        overrides.t_stop_ms = checkpoint->header().time_ms + 1000.0;
        source = io::checkpoint_network(*checkpoint, path, overrides, models::builtin_registry());
    });
    overrides.seed = source.spec.simulation.seed;
    return std::make_unique<simulation>(source, overrides, [&] {
        try {
            return std::make_unique<engine>(source.spec, comm, checkpoint->reader());
        } catch (const input_error& e) {
            throw e.file().empty() ? e.in_file(path) : e;
        }
    }, comm);
}

}  // namespace

void bind_simulation(py::module_& m) {
    py::class_<simulation>(m, "Simulation",
                           "A built network and its engine: advanced by run(), recordings kept in memory. "
                           "myelin.Network is the class to use; this is its engine.")
        .def_static("from_config", &from_config, py::arg("text"), py::arg("shown_as"), py::arg("seed") = py::none(),
                    py::arg("threads") = py::none(), py::arg("exchange") = py::none(), py::arg("memory_check") = true,
                    py::arg("arrays") = config_arrays{},
                    "Builds the network of a Myelin config given as JSON text; `shown_as` names it in messages; "
                    "{\"$array\": k} in it stands for arrays[k] (lists of neurons, explicit weights and delays).")
        .def_static("from_file", &from_file, py::arg("path"), py::arg("seed") = py::none(),
                    py::arg("threads") = py::none(), py::arg("exchange") = py::none(), py::arg("memory_check") = true,
                    "Builds the network of a Myelin config or a SONATA circuit file.")
        .def_static("from_checkpoint", &from_checkpoint, py::arg("path"), py::arg("threads") = py::none(),
                    py::arg("exchange") = py::none(), "Restores a network from a checkpoint, at its time.")
        .def("run", &simulation::run, py::arg("ms"), py::arg("handle_signals") = true,
             "Advances by `ms` (whole steps). Returns False if SIGINT or SIGTERM stopped it early, at the end of "
             "a window.")
        .def_property_readonly("time", &simulation::time_ms, "Biological time reached, in ms.")
        .def_property_readonly("resolution", &simulation::resolution_ms, "Time step, in ms.")
        .def("spike_populations", &simulation::spike_populations, "Populations whose spikes are recorded.")
        .def("population_size", &simulation::population_size, py::arg("population"))
        .def("spikes", &simulation::spikes, py::arg("population"),
             "(times in ms, population-local ids) of the recorded spikes so far, in time order: read-only views, "
             "no copy. Complete on rank 0, empty on the others.")
        .def("trace", &simulation::trace, py::arg("recorder"))
        .def("weights", &simulation::weights, py::arg("recorder"))
        .def("synapses", &simulation::synapses, py::arg("projection"), py::arg("gather") = false)
        .def("set_stimulus", &simulation::set_stimulus, py::arg("index"), py::arg("config_text"),
             py::arg("arrays") = config_arrays{})
        .def("set_population_params", &simulation::set_population_params, py::arg("index"), py::arg("config_text"),
             py::arg("arrays") = config_arrays{})
        .def("set_projection_weights", &simulation::set_projection_weights, py::arg("index"), py::arg("config_text"),
             py::arg("arrays") = config_arrays{})
        .def("set_projection_delays", &simulation::set_projection_delays, py::arg("index"), py::arg("config_text"),
             py::arg("arrays") = config_arrays{})
        .def("set_synapse_params", &simulation::set_synapse_params, py::arg("index"), py::arg("config_text"),
             py::arg("arrays") = config_arrays{})
        .def("set_state", &simulation::set_state, py::arg("index"), py::arg("name"), py::arg("values"))
        .def("population_state",
             [](const simulation& s, std::size_t index, const std::string& name) {
                 return to_array(s.engine_state(index, name));
             },
             py::arg("index"), py::arg("name"))
        .def("population_params", &simulation::population_params, py::arg("index"), py::arg("name"))
        .def_static("config_population_params",
                    [](const std::string& text, std::size_t index, const std::string& name,
                       std::optional<std::uint32_t> seed, const config_arrays& arrays) {
                        const auto spec = io::prepare_network(text, "<dict>", overrides_of(seed, std::nullopt, std::nullopt),
                                                              models::builtin_registry(), spans_of(arrays));
                        return params_of(spec, index, name);
                    },
                    py::arg("text"), py::arg("index"), py::arg("name"), py::arg("seed") = py::none(),
                    py::arg("arrays") = config_arrays{})
        .def_static("stimulus_current",
                    [](const std::string& text, std::size_t index, step_t from, step_t to,
                       std::optional<std::uint32_t> seed) {
                        const auto spec = io::prepare_network(text, "<dict>", overrides_of(seed, std::nullopt, std::nullopt),
                                                              models::builtin_registry());
                        return stimulus_current(spec, index, from, to);
                    },
                    py::arg("text"), py::arg("index"), py::arg("from_step"), py::arg("to_step"),
                    py::arg("seed") = py::none(),
                    "The current (pA) that current device `index` of a config injects into each of its targets "
                    "during steps [from_step, to_step): steps x targets.")
        .def("checkpoint", &simulation::checkpoint, py::arg("path"), py::arg("files") = "auto")
        .def("reset", &simulation::reset,
             "Back to t = 0: the network built anew from its config (with the stimulus parameters set since); "
             "the recordings start empty.")
        .def("info", &simulation::info)
        .def_property_readonly("config_text", &simulation::config_text);
}

}  // namespace myelin::python
