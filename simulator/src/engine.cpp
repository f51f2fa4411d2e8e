// The engine: builds the network across ranks and threads and runs the loop of
// docs/architecture.md ("A window"). Everything else is delegated to its parts:
// spike_exchanger (between ranks), delivery (rows into ring buffers),
// plasticity_runtime (histories, modulators, scaling) and the recorders.
#include <myelin/simulator/engine.hpp>

#include "engine_impl.hpp"

#include <myelin/core/assert.hpp>
#include <myelin/core/error.hpp>
#include <myelin/core/fault.hpp>
#include <myelin/core/rng.hpp>

#include <fmt/format.h>


#include <algorithm>
#include <atomic>
#include <chrono>
#include <exception>
#include <limits>
#include <stdexcept>

namespace myelin {

using detail::on_every_thread;
using detail::thread_state;

namespace detail {

layout::layout(const network_spec& spec, int n_ranks, int my_rank, int n_threads)
    : ranks(n_ranks), rank(my_rank), threads(n_threads) {
    pop_offset.assign(1, 0);
    own_offset.assign(1, 0);
    for (const auto& p : spec.populations) {
        pop_offset.push_back(pop_offset.back() + p.n);
        const auto [b, e] = rank_range(p.n, rank);
        own_begin.push_back(b);
        own_end.push_back(e);
        own_offset.push_back(own_offset.back() + (e - b));
    }
}

std::vector<spike> local_sorted(std::vector<thread_state>& threads, bool take) {
    std::vector<spike> local;
    for (auto& me : threads) {
        local.insert(local.end(), me.emitted.begin(), me.emitted.end());
        if (take) me.emitted.clear();
    }
    std::sort(local.begin(), local.end());
    return local;
}

}  // namespace detail

void engine::impl::build(checkpoint_reader* restoring) {
    const auto start = std::chrono::steady_clock::now();
    MYELIN_ASSERT(is_valid(spec));  // validate() ran before (io::prepare_network): the one semantic pass
    const double h = spec.simulation.resolution_ms;
    const int n_threads = spec.simulation.threads;
    where = detail::layout(spec, comm->size(), comm->rank(), n_threads);
    stats.n_neurons = where.pop_offset.back();

    // d_min is the communication window; the ring buffers must hold every arrival of a
    // window's spikes (up to window + max_delay ahead) plus the row being read.
    step_t min_delay = std::numeric_limits<step_t>::max();
    max_delay = 1;
    for (const auto& p : spec.projections) {
        min_delay = std::min(min_delay, ms_to_steps(p.delay_ms.lowest(), h));
        max_delay = std::max(max_delay, ms_to_steps(p.delay_ms.highest(), h));
    }
    for (const auto& s : spec.stimuli)
        if (!s.model->emits_current) max_delay = std::max(max_delay, ms_to_steps(s.delay_ms, h));
    window = spec.projections.empty() ? std::max<step_t>(1, ms_to_steps(1.0, h)) : min_delay;
    stats.min_delay_steps = spec.projections.empty() ? 0 : min_delay;
    n_slots = static_cast<std::size_t>(window + max_delay + 1);

    threads.resize(static_cast<std::size_t>(n_threads));
    on_every_thread(n_threads, [&](int t) { build_thread(t, restoring != nullptr); });
    inject_failure(fault_phase::build, comm->rank());  // before the build's first collective
    exchanger = detail::spike_exchanger(spec.simulation.exchange, *comm, where);
    deliverer = detail::delivery(spec, where, n_slots);
    plasticity = detail::plasticity_runtime(spec, where, window, max_delay);
    if (restoring) {
        restore_neurons(*restoring);
        deliverer.restore(*restoring, threads, now);
    }
    plasticity.setup(threads);
    if (restoring) plasticity.restore(*restoring, threads, now);
    make_recorders();
    if (restoring)
        for (auto* r : recorders) r->restore(*restoring, comm->rank() == 0, now);
    for (auto& w : weights) {
        w->setup(threads, *comm, now);
        deliverer.watch(w.get());
    }

    for (std::size_t t = 0; t < threads.size(); ++t) {
        for (const auto& r : threads[t].rows) {
            stats.n_synapses += r.size();
            stats.synapse_bytes += r.bytes();
        }
        stats.synapse_bytes += plasticity.history_bytes(t);
    }
    if (exchanger.needs_destinations()) exchanger.find_destinations(used_sources());
    stats.n_synapses = comm->sum(stats.n_synapses);
    stats.synapse_bytes = comm->sum(stats.synapse_bytes);
    stats.build_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

std::vector<neuron_segment> engine::impl::segments_of(std::size_t i, const detail::owned_chunk& c) const {
    const auto& p = spec.populations[i];
    std::vector<neuron_segment> segments;
    if (p.varying.empty()) {
        segments.push_back({c.size(), p.params});
        return segments;
    }
    for (std::uint64_t n = 0; n < c.size(); ++n) {
        auto values = p.neuron_params(i, c.begin + n, where.pop_offset[i] + c.begin + n, spec.simulation.seed);
        if (!segments.empty() && segments.back().params == values) ++segments.back().n;
        else segments.push_back({1, std::move(values)});
    }
    return segments;
}

// A thread's neurons (with their initial values), ring buffers, synapse rows (unless a
// checkpoint supplies them) and stimulus devices.
void engine::impl::build_thread(int t, bool restoring) {
    thread_state& me = threads[static_cast<std::size_t>(t)];
    const double h = spec.simulation.resolution_ms;
    const auto& pop_offset = where.pop_offset;

    for (const auto& p : spec.populations) {
        const detail::owned_chunk c = where.chunk(p.n, t, me.n_local);
        me.n_local += c.size();
        me.chunks.push_back(c);
    }
    for (std::size_t i = 0; i < spec.populations.size(); ++i) {
        const auto& p = spec.populations[i];
        const auto& c = me.chunks[i];
        if (c.size() == 0) {
            me.shards.emplace_back();
            continue;
        }
        auto shard = p.model->make_neuron(segments_of(i, c), h);
        for (const auto& init : restoring ? std::vector<initial_value>{} : p.initial) {
            auto values = shard->state(init.variable);
            const auto key = rng_key_word(rng_purpose::initial_state,
                                          static_cast<std::uint32_t>(i * 256 + init.variable));
            for (std::uint64_t n = 0; n < c.size(); ++n) {
                if (init.value.type == distribution::kind::list) {
                    values[n] = init.value.values[c.begin + n];
                    continue;
                }
                rng_stream rng(spec.simulation.seed, key, pop_offset[i] + c.begin + n);
                values[n] = init.value.draw(rng);
            }
        }
        me.shards.push_back(std::move(shard));
    }

    // A thread that owns no neuron of a population fed by a current device gets no
    // current channel (see ring_buffers).
    bool current_input = false;
    for (const auto& st : spec.stimuli)
        if (st.model->emits_current)
            for (const auto& tg : st.targets) current_input = current_input || me.chunks[tg.population].size() > 0;
    me.ring = ring_buffers(me.n_local, n_slots, max_ports(spec), current_input);
    me.port_rows.resize(me.ring.n_ports());

    for (std::size_t j = 0; j < spec.projections.size(); ++j) {
        const auto& p = spec.projections[j];
        me.rows.push_back(restoring ? detail::synapse_rows{}
                                    : detail::build_rows(spec, j, me.chunks[p.target], pop_offset[p.source],
                                                         pop_offset[p.target], me.n_local));
    }

    make_stimuli(me);

    me.fired.assign(me.n_local, 0);
    me.emitted.reserve(me.n_local);
}

// The thread's copies of the stimulus devices that feed neurons it owns.
void engine::impl::make_stimuli(detail::thread_state& me) {
    const double h = spec.simulation.resolution_ms;
    const auto& pop_offset = where.pop_offset;
    me.stimuli.clear();
    for (std::size_t s = 0; s < spec.stimuli.size(); ++s) {
        const auto& st = spec.stimuli[s];
        stimulus_setup setup{h, spec.simulation.seed, static_cast<std::uint32_t>(s), {}, {}, st.weight,
                             st.model->emits_current ? 0 : ms_to_steps(st.delay_ms, h),
                             port_for(st.receptor, st.weight >= 0.0)};
        auto take = [&](std::size_t pop, std::uint64_t i) {
            const auto& c = me.chunks[pop];
            if (i < c.begin || i >= c.end) return;
            setup.local.push_back(static_cast<std::uint32_t>(c.local_offset + (i - c.begin)));
            setup.gid.push_back(pop_offset[pop] + i);
        };
        for (const auto& tg : st.targets) {
            if (tg.neurons)
                for (auto i : *tg.neurons) take(tg.population, i);
            else
                for (std::uint64_t i = me.chunks[tg.population].begin; i < me.chunks[tg.population].end; ++i)
                    take(tg.population, i);
        }
        if (!setup.local.empty()) me.stimuli.push_back(st.model->make_stimulus(st.params, std::move(setup)));
    }
}

void engine::impl::make_recorders() {
    spikes = std::make_unique<detail::spike_recorder>(spec, where);
    recorders.push_back(spikes.get());
    for (std::size_t r = 0; r < spec.state_recorders.size(); ++r) {
        states.push_back(std::make_unique<detail::state_recorder>(spec, r, threads));
        recorders.push_back(states.back().get());
        samplers.push_back(states.back().get());
    }
    for (std::size_t w = 0; w < spec.weight_recorders.size(); ++w) {
        weights.push_back(std::make_unique<detail::weight_recorder>(spec, w, window));
        recorders.push_back(weights.back().get());
    }
}

std::vector<std::vector<char>> engine::impl::used_sources() const {
    std::vector<std::vector<char>> used(spec.populations.size());
    for (std::size_t p = 0; p < spec.populations.size(); ++p) {
        if (plasticity.modulator(p)) {  // modulator spikes go to every rank
            used[p].assign(spec.populations[p].n, 1);
            continue;
        }
        const auto& from = deliverer.projections_from(p);
        if (from.empty()) continue;
        used[p].assign(spec.populations[p].n, 0);
        for (const auto& me : threads)
            for (const std::size_t j : from) {
                const auto& off = me.rows[j].offsets;
                for (std::size_t i = 0; i + 1 < off.size(); ++i) used[p][i] |= off[i + 1] > off[i];
            }
    }
    return used;
}

// Advances the thread's neurons from step k to k+1.
void engine::impl::update(std::size_t t, thread_state& me, step_t k) {
    const std::size_t slot = me.ring.slot_of(k + 1);
    const double* cur = me.ring.current(slot);
    const bool watched = plasticity.watches_spikes();
    for (std::size_t i = 0; i < me.shards.size(); ++i) {
        if (!me.shards[i]) continue;
        const auto off = me.chunks[i].local_offset;
        for (std::size_t q = 0; q < me.port_rows.size(); ++q) me.port_rows[q] = me.ring.row(q, slot) + off;
        spike_sink sink(me.fired.data());
        const global_id first = where.pop_offset[i] + me.chunks[i].begin;
        me.shards[i]->step({me.port_rows[0], me.port_rows[1], cur + off, me.port_rows.data(), k, spec.simulation.seed, first},
                           sink);
        for (std::size_t n = 0; n < sink.count(); ++n) me.emitted.push_back({k, first + sink.data()[n]});
        if (watched) plasticity.on_fired(t, me, i, sink.data(), sink.count(), k);
    }
    me.ring.clear_slot(slot);
}

void engine::impl::merge_window(step_t window_end) {
    const std::vector<spike> local = detail::local_sorted(threads, true);
    if (window_end > window) inject_failure(fault_phase::exchange, comm->rank());
    window_spikes = exchanger.exchange(local);
    for (auto* r : recorders) r->on_window(local, window_end);
}

engine::engine(const network_spec& spec) : impl_(std::make_unique<impl>(spec, nullptr)) { impl_->build(nullptr); }
engine::engine(const network_spec& spec, communicator& comm) : impl_(std::make_unique<impl>(spec, &comm)) {
    impl_->build(nullptr);
}
engine::engine(const network_spec& spec, communicator& comm, checkpoint_reader& checkpoint)
    : impl_(std::make_unique<impl>(spec, &comm)) {
    impl_->build(&checkpoint);
}
engine::~engine() = default;

void engine::run(step_t until, const std::function<void(step_t)>& progress) {
    impl& m = *impl_;
    if (until <= m.now) return;
    if (m.now > 0) inject_failure(fault_phase::run, m.comm->rank());
    const step_t start = m.now;
    const step_t W = m.window;
    // A failing thread keeps meeting the barriers (so that no one waits for it forever)
    // and every thread leaves the loop at the same barrier; the error is rethrown after.
    // Each flag is read only after the barrier that ends the phase that may set it, and
    // set again only after the next barrier: a thread that read it late must not see a
    // value another thread set meanwhile, or the threads would leave at different
    // barriers and wait for each other forever.
    std::atomic<bool> failed{false};        // updates and deliveries: read after barrier 1
    std::atomic<bool> merge_failed{false};  // the master's merge: read after barrier 2
    const bool first = start == 0 && !m.restored;  // the state at step 0 is sampled once

    on_every_thread(m.spec.simulation.threads, [&](int t_int) {
        const auto t = static_cast<std::size_t>(t_int);
        thread_state& me = m.threads[t];
        std::exception_ptr error;
        if (first)
            for (auto* r : m.samplers) r->after_step(t, me, 0);
        // Windows are aligned to multiples of W from step 0, whatever `until` is, so that
        // the order in which input reaches a ring buffer row never depends on how a run is
        // split into calls (a checkpoint resumes bit-identically).
        using clock = std::chrono::steady_clock;
        const auto seconds = [](clock::time_point a, clock::time_point b) { return std::chrono::duration<double>(b - a).count(); };
        window_phases& spent = me.phases;
        for (step_t k = start; k < until;) {
            const step_t window_start = k - k % W, window_end = std::min(window_start + W, until);
            const auto t0 = clock::now();
            try {
                if (error) {
                    k = window_end;  // its delivery failed: only meet the barrier
                } else {
                    if (k == window_start)
                        for (auto& s : me.stimuli) s->generate(window_start, window_start + W, me.ring);
                    for (; k < window_end; ++k) {
                        m.update(t, me, k);
                        for (auto* r : m.samplers) r->after_step(t, me, k + 1);
                    }
                }
            } catch (...) {
                error = std::current_exception();
                failed = true;
                k = window_end;
            }
            const auto t1 = clock::now();
            spent.update += seconds(t0, t1);
            if (window_end != window_start + W) break;  // stopped inside a window
#pragma omp barrier
            const auto t2 = clock::now();
            spent.waiting += seconds(t1, t2);
            if (failed) break;
            // The master thread, the one that may talk to MPI (MPI_THREAD_FUNNELED).
#pragma omp master
            {
                try {
                    m.merge_window(window_end);
                    if (progress) progress(window_end);
                } catch (...) {
                    error = std::current_exception();
                    merge_failed = true;
                }
            }
#pragma omp barrier
            const auto t3 = clock::now();
            spent.exchange += seconds(t2, t3);
            if (merge_failed) break;
            try {
                m.plasticity.before_delivery(me, m.window_spikes);
                m.deliverer.deliver(t, me, m.window_spikes, window_end);
                m.plasticity.after_delivery(t, me, window_end);
            } catch (...) {
                error = std::current_exception();
                failed = true;  // seen by all after the next barrier 1
            }
            spent.delivery += seconds(t3, clock::now());
            ++spent.windows;
        }
        if (error) std::rethrow_exception(error);
    });
    m.now = until;
    if (until % W != 0) {
        // A run that stops inside a window keeps that window's spikes for delivery at its
        // end, but the recorders must already see them.
        const auto pending = detail::local_sorted(m.threads, false);
        for (auto* r : m.recorders) r->on_window(pending, until);
        if (progress) progress(until);
    }
}

void engine::set_stimulus_params(std::size_t stimulus, const param_values& params) {
    auto& st = impl_->spec.stimuli.at(stimulus);
    if (const auto problem = st.model->check(params, impl_->spec.simulation.resolution_ms))
        throw input_error("", st.path + ".params." + problem->key, problem->message);
    st.params = params;
    for (auto& me : impl_->threads) impl_->make_stimuli(me);
}

void engine::set_population_params(std::size_t population, const population_spec& changed) {
    auto& m = *impl_;
    auto& p = m.spec.populations.at(population);
    p.params = changed.params;
    p.varying = changed.varying;
    for (auto& me : m.threads) {
        auto& shard = me.shards[population];
        if (!shard) continue;
        auto fresh = p.model->make_neuron(m.segments_of(population, me.chunks[population]), m.spec.simulation.resolution_ms);
        for (std::size_t v = 0; v < p.state.size(); ++v) {
            const auto from = shard->state(v);
            std::copy(from.begin(), from.end(), fresh->state(v).begin());
        }
        for (std::size_t c = 0; c < p.model->counters.size(); ++c) {
            const auto from = shard->counter(c);
            std::copy(from.begin(), from.end(), fresh->counter(c).begin());
        }
        shard = std::move(fresh);
    }
}

namespace {
std::size_t state_variable(const population_spec& p, const std::string& variable) {
    std::size_t v = 0;
    while (v < p.state.size() && p.state[v].key != variable) ++v;
    if (v == p.state.size()) {
        std::string known;
        for (const auto& s : p.state) known += (known.empty() ? "" : ", ") + s.key;
        throw input_error("", p.path, fmt::format("no state variable '{}' in model '{}'; it has: {}", variable,
                                                  p.model->name, known));
    }
    return v;
}
}  // namespace

std::vector<double> engine::state_values(std::size_t population, const std::string& variable) const {
    const auto& m = *impl_;
    const auto& p = m.spec.populations.at(population);
    const std::size_t v = state_variable(p, variable);
    std::vector<double> out(p.n, 0.0);
    for (const auto& me : m.threads) {
        const auto& shard = me.shards[population];
        if (!shard) continue;
        const auto values = shard->state(v);
        std::copy(values.begin(), values.end(), out.begin() + static_cast<std::ptrdiff_t>(me.chunks[population].begin));
    }
    return out;
}

void engine::set_state(std::size_t population, const std::string& variable, std::span<const double> values) {
    auto& m = *impl_;
    const auto& p = m.spec.populations.at(population);
    const std::size_t v = state_variable(p, variable);
    if (values.size() != p.n)
        throw input_error("", p.path, fmt::format("{} values of '{}' for {} neurons", values.size(), variable, p.n));
    for (auto& me : m.threads) {
        auto& shard = me.shards[population];
        if (!shard) continue;
        const auto& chunk = me.chunks[population];
        std::copy_n(values.begin() + static_cast<std::ptrdiff_t>(chunk.begin), chunk.size(), shard->state(v).begin());
    }
}

namespace {

// The listed synapses of an explicit projection onto a thread's chunk, in the order of its
// rows: by source, then by target, multapses in list order (make_rows).
std::vector<std::size_t> row_order(const projection_spec& proj, const detail::owned_chunk& chunk) {
    const auto& sources = proj.rule.sources;
    const auto& targets = proj.rule.targets;
    std::vector<std::size_t> mine;
    for (std::size_t k = 0; k < targets.size(); ++k)
        if (targets[k] >= chunk.begin && targets[k] < chunk.end) mine.push_back(k);
    std::stable_sort(mine.begin(), mine.end(), [&](std::size_t a, std::size_t b) {
        return sources[a] != sources[b] ? sources[a] < sources[b] : targets[a] < targets[b];
    });
    return mine;
}

}  // namespace

// The synapses stay; their list, if a rule drew them, becomes the projection's (explicit
// from now on, so the change survives reset() and checkpoints).
void engine::require_same_synapses(std::size_t projection, const projection_spec& changed, const char* what) {
    auto& proj = impl_->spec.projections.at(projection);
    const auto refuse = [&] {
        throw input_error("", changed.path + "." + what,
                          fmt::format("only the {}s can change after the build, the synapses the same: listed as the "
                                      "explicit projection lists them, or, for a rule's, as all_synapses lists them",
                                      what));
    };
    if (changed.rule.type != connection_rule::explicit_pairs) refuse();
    if (proj.rule.type == connection_rule::explicit_pairs) {
        if (changed.rule.sources != proj.rule.sources || changed.rule.targets != proj.rule.targets) refuse();
        return;
    }
    const auto drawn = all_synapses(projection);  // a collective, as the whole change is
    if (drawn.size() != changed.rule.sources.size()) refuse();
    for (std::size_t k = 0; k < drawn.size(); ++k)
        if (drawn[k].source != changed.rule.sources[k] || drawn[k].target != changed.rule.targets[k]) refuse();
    proj.rule = changed.rule;
    proj.weight = changed.weight;
    proj.delay_ms = changed.delay_ms;
}

void engine::set_projection_weights(std::size_t projection, const projection_spec& changed) {
    auto& m = *impl_;
    auto& proj = m.spec.projections.at(projection);
    require_same_synapses(projection, changed, "weight");
    const auto weight = [&](std::size_t k) {
        return changed.weight.is_constant() ? changed.weight.value : changed.weight.values[k];
    };
    for (auto& me : m.threads) {
        const auto mine = row_order(proj, me.chunks[proj.target]);
        auto& r = me.rows[projection];
        MYELIN_ASSERT(r.size() == mine.size());
        r.weight.resize(mine.size());
        for (std::size_t q = 0; q < mine.size(); ++q) r.weight[q] = static_cast<float>(weight(mine[q]));
    }
    proj.weight = changed.weight;
}

void engine::set_projection_delays(std::size_t projection, const projection_spec& changed) {
    auto& m = *impl_;
    auto& proj = m.spec.projections.at(projection);
    const double h = m.spec.simulation.resolution_ms;
    const auto& d = changed.delay_ms;
    const auto steps = [&](std::size_t k) { return ms_to_steps(d.is_constant() ? d.value : d.values[k], h); };
    // The exchange window (the smallest delay at the build) and the ring buffers (the
    // largest) are fixed: every new delay must lie between them.
    for (std::size_t k = 0; k < (d.is_constant() ? 1 : d.values.size()); ++k) {
        const step_t s = steps(k);
        if (s < m.window || s > m.max_delay)
            throw input_error("", changed.path + ".delay",
                              fmt::format("{} ms; a built network takes delays from {} to {} ms (its smallest and "
                                          "largest at the build: the exchange window and the ring buffers); a "
                                          "network built again (reset()) takes any",
                                          d.is_constant() ? d.value : d.values[k], static_cast<double>(m.window) * h,
                                          static_cast<double>(m.max_delay) * h));
    }
    require_same_synapses(projection, changed, "delay");  // after the checks: it may make the projection explicit
    for (auto& me : m.threads) {
        const auto mine = row_order(proj, me.chunks[proj.target]);
        auto& r = me.rows[projection];
        MYELIN_ASSERT(r.size() == mine.size());
        r.delay.resize(mine.size());
        for (std::size_t q = 0; q < mine.size(); ++q) r.delay[q] = static_cast<std::uint16_t>(steps(mine[q]));
    }
    proj.delay_ms = changed.delay_ms;
}

void engine::set_synapse_params(std::size_t projection, const projection_spec& changed) {
    auto& m = *impl_;
    auto& proj = m.spec.projections.at(projection);
    if (!proj.synapse || changed.synapse != proj.synapse)
        throw input_error("", changed.path + ".synapse",
                          "only the parameters of a projection's synapse model can change after the build, not the model");
    try {
        for (auto& me : m.threads) me.rows[projection].dynamics->set_params(changed.synapse_params);
    } catch (const std::invalid_argument& e) {
        throw input_error("", changed.path + ".synapse.params", e.what());
    }
    proj.synapse_params = changed.synapse_params;
}

window_phases engine::phases() const {
    window_phases sum;
    for (const auto& me : impl_->threads) {
        sum.update += me.phases.update;
        sum.waiting += me.phases.waiting;
        sum.exchange += me.phases.exchange;
        sum.delivery += me.phases.delivery;
        sum.windows = std::max(sum.windows, me.phases.windows);
    }
    const auto n = static_cast<double>(std::max<std::size_t>(1, impl_->threads.size()));
    sum.update /= n;
    sum.waiting /= n;
    sum.exchange /= n;
    sum.delivery /= n;
    return sum;
}

step_t engine::now() const { return impl_->now; }
double engine::exchange_seconds() const { return impl_->exchanger.seconds(); }
std::uint64_t engine::received_spikes() const { return impl_->exchanger.received(); }
const build_stats& engine::stats() const { return impl_->stats; }
const network_spec& engine::spec() const { return impl_->spec; }
global_id engine::first_gid(std::size_t population) const { return impl_->where.pop_offset[population]; }
const std::vector<spike>& engine::recorded_spikes() const { return impl_->spikes->local(); }
std::vector<spike> engine::gather_recorded_spikes() const { return impl_->spikes->gather(*impl_->comm); }
std::vector<spike> engine::take_recorded_spikes() { return impl_->spikes->take(*impl_->comm); }

std::vector<state_trace> engine::state_traces() const {
    std::vector<state_trace> out;
    for (const auto& r : impl_->states)
        for (auto& tr : r->gather(*impl_->comm)) out.push_back(std::move(tr));
    return out;
}

std::vector<state_trace> engine::take_state_traces() {
    std::vector<state_trace> out;
    for (const auto& r : impl_->states)
        for (auto& tr : r->take(*impl_->comm)) out.push_back(std::move(tr));
    return out;
}

std::vector<weight_record> engine::weight_records() {
    std::vector<weight_record> out;
    for (const auto& w : impl_->weights) {
        w->take_due(impl_->now);
        for (auto& rec : w->gather(*impl_->comm)) out.push_back(std::move(rec));
    }
    return out;
}

std::vector<weight_record> engine::take_weight_records(bool finish) {
    std::vector<weight_record> out;
    for (const auto& w : impl_->weights) {
        if (finish) w->take_due(impl_->now);
        for (auto& rec : w->take(*impl_->comm)) out.push_back(std::move(rec));
    }
    return out;
}

std::vector<synapse_view> engine::synapses(std::size_t projection) const {
    const impl& m = *impl_;
    const auto& proj = m.spec.projections.at(projection);
    std::vector<synapse_view> out;
    for (const auto& me : m.threads) {
        const auto& r = me.rows[projection];
        const auto& chunk = me.chunks[proj.target];
        for (std::uint64_t i = 0; i + 1 < r.offsets.size(); ++i)
            for (std::uint64_t k = r.offsets[i]; k < r.offsets[i + 1]; ++k)
                out.push_back({i, chunk.begin + (r.target(k) - chunk.local_offset),
                               r.weight.empty() ? r.constant_weight : static_cast<double>(r.weight[k]),
                               r.delay.empty() ? r.constant_delay : static_cast<step_t>(r.delay[k])});
    }
    std::stable_sort(out.begin(), out.end(), [](const synapse_view& a, const synapse_view& b) {
        return a.target != b.target ? a.target < b.target : a.source < b.source;
    });
    return out;
}

std::vector<synapse_view> engine::all_synapses(std::size_t projection) {
    auto local = synapses(projection);
    if (impl_->comm->size() == 1) return local;
    // The ranks hold disjoint targets, each rank's list is sorted: a stable sort of the
    // concatenation keeps every pair's multapses in their order.
    auto all = from_bytes<synapse_view>(impl_->comm->allgather(to_bytes(local)));
    std::stable_sort(all.begin(), all.end(), [](const synapse_view& a, const synapse_view& b) {
        return a.target != b.target ? a.target < b.target : a.source < b.source;
    });
    return all;
}

}  // namespace myelin
