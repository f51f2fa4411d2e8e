#include <myelin/simulator/engine.hpp>

#include "engine_impl.hpp"

#include <myelin/simulator/assert.hpp>
#include <myelin/simulator/error.hpp>
#include <myelin/simulator/rng.hpp>

#include <fmt/format.h>
#include <omp.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstring>
#include <exception>
#include <limits>
#include <stdexcept>

namespace myelin {

using detail::on_every_thread;
using detail::part;


std::pair<std::uint64_t, std::uint64_t> engine::impl::rank_range(std::size_t population, int rank) const {
    const auto R = static_cast<std::uint64_t>(comm->size()), T = static_cast<std::uint64_t>(n_threads);
    const std::uint64_t n = spec.populations[population].n, q = static_cast<std::uint64_t>(rank);
    return {n * q * T / (R * T), n * (q + 1) * T / (R * T)};
}

void engine::impl::build(checkpoint_reader* restoring) {
    const auto start = std::chrono::steady_clock::now();
    validate(spec);
    const double h = spec.simulation.resolution_ms;
    n_threads = spec.simulation.threads;

    pop_offset.assign(1, 0);
    for (const auto& p : spec.populations) pop_offset.push_back(pop_offset.back() + p.n);
    stats.n_neurons = pop_offset.back();

    // d_min is the communication window; the ring buffers must hold every arrival of a
    // window's spikes (up to window + max_delay ahead) plus the row being read.
    step_t min_delay = std::numeric_limits<step_t>::max();
    max_delay = 1;
    projections_from.assign(spec.populations.size(), {});
    for (std::size_t j = 0; j < spec.projections.size(); ++j) {
        const auto& p = spec.projections[j];
        projections_from[p.source].push_back(j);
        plastic = plastic || (p.synapse && p.synapse->plastic);
        scaling = scaling || p.scaling.has_value();
        min_delay = std::min(min_delay, ms_to_steps(p.delay_ms.lowest(), h));
        max_delay = std::max(max_delay, ms_to_steps(p.delay_ms.highest(), h));
    }
    modulates.assign(spec.populations.size(), {});
    for (std::size_t j = 0; j < spec.projections.size(); ++j)
        if (const auto& m = spec.projections[j].modulator) {
            modulates[m->population].emplace_back(j, ms_to_steps(m->delay_ms, h));
            modulated = true;
        }
    for (const auto& s : spec.stimuli)
        if (!s.model->emits_current) max_delay = std::max(max_delay, ms_to_steps(s.delay_ms, h));
    window = spec.projections.empty() ? std::max<step_t>(1, ms_to_steps(1.0, h)) : min_delay;
    stats.min_delay_steps = spec.projections.empty() ? 0 : min_delay;
    n_slots = static_cast<std::size_t>(window + max_delay + 1);

    population_recorded.assign(spec.populations.size(), 0);
    if (spec.spikes)
        for (auto p : spec.spikes->populations) population_recorded[p] = 1;
    for (const auto& r : spec.state_recorders)
        recorder_interval.push_back(std::max<step_t>(1, ms_to_steps(r.interval_ms, h)));
    recorder_samples.assign(spec.state_recorders.size(), 0);

    own_begin.clear();
    own_end.clear();
    own_offset.assign(1, 0);
    for (std::size_t p = 0; p < spec.populations.size(); ++p) {
        const auto [b, e] = rank_range(p, comm->rank());
        own_begin.push_back(b);
        own_end.push_back(e);
        own_offset.push_back(own_offset.back() + (e - b));
    }

    parts.resize(static_cast<std::size_t>(n_threads));
    on_every_thread(n_threads, [&](int t) { build_part(t, restoring != nullptr); });
    if (restoring) restore(*restoring);
    if (plastic) {
        on_every_thread(n_threads, [&](int t) { setup_plasticity(parts[static_cast<std::size_t>(t)]); });
        // Histories are pruned every ~25 ms (a sweep costs about as much as a few hundred
        // rows' updates), at window ends.
        const step_t every = ms_to_steps(25.0, spec.simulation.resolution_ms);
        prune_interval = std::max<step_t>(1, (every + window - 1) / window) * window;
        if (restoring) restore_plasticity(*restoring);
        if (restoring && modulated) restore_modulators(*restoring);
    }
    if (restoring && scaling) restore_scaling(*restoring);
    for (const auto& wr : spec.weight_recorders) record_weight_events = record_weight_events || wr.events;
    if (!spec.weight_recorders.empty())
        on_every_thread(n_threads, [&](int t) { setup_weight_recorders(parts[static_cast<std::size_t>(t)]); });
    for (std::size_t w = 0; w < spec.weight_recorders.size(); ++w) {
        std::uint64_t n = 0;
        for (const auto& me : parts) n += me.weights[w].position.size();
        n = comm->sum(n);
        if (w < restored_weights.size() && restored_weights[w].weights.size() != restored_weights[w].times_ms.size() * n)
            throw input_error("", "recorder/weights/" + spec.weight_recorders[w].name + "/weights",
                              fmt::format("{} values; {} snapshots of {} synapses need {}",
                                          restored_weights[w].weights.size(), restored_weights[w].times_ms.size(), n,
                                          restored_weights[w].times_ms.size() * n));
    }

    for (const auto& me : parts) {
        for (const auto& r : me.rows) {
            stats.n_synapses += r.size();
            stats.synapse_bytes += r.bytes();
        }
        stats.synapse_bytes += me.history.bytes();
    }
    if (spec.simulation.exchange == spike_exchange::targeted && comm->size() > 1) find_destinations();
    stats.n_synapses = comm->sum(stats.n_synapses);
    stats.synapse_bytes = comm->sum(stats.synapse_bytes);
    stats.build_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

void engine::impl::build_part(int t, bool restoring) {
    part& me = parts[static_cast<std::size_t>(t)];
    const double h = spec.simulation.resolution_ms;
    const auto V = static_cast<std::uint64_t>(comm->size()) * static_cast<std::uint64_t>(n_threads);
    const auto v = static_cast<std::uint64_t>(comm->rank()) * static_cast<std::uint64_t>(n_threads) +
                   static_cast<std::uint64_t>(t);

    for (const auto& p : spec.populations) {
        detail::owned_chunk c{p.n * v / V, p.n * (v + 1) / V, me.n_local};
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
        auto shard = p.model->make_neuron(p.params, h, c.size());
        for (const auto& init : restoring ? std::vector<initial_value>{} : p.initial) {
            auto values = shard->state(init.variable);
            const auto key = rng_key_word(rng_purpose::initial_state,
                                          static_cast<std::uint32_t>(i * 256 + init.variable));
            for (std::uint64_t n = 0; n < c.size(); ++n) {
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
    me.ring = ring_buffers(me.n_local, n_slots, current_input);

    for (std::size_t j = 0; j < spec.projections.size(); ++j) {
        const auto& p = spec.projections[j];
        me.rows.push_back(restoring ? detail::synapse_rows{}
                                    : detail::build_rows(spec, j, me.chunks[p.target], pop_offset[p.source],
                                                         pop_offset[p.target], me.n_local));
    }

    me.scaling.resize(spec.projections.size());
    for (std::size_t j = 0; j < spec.projections.size(); ++j)
        if (spec.projections[j].scaling) {
            const auto n = me.chunks[spec.projections[j].target].size();
            me.scaling[j].activity.assign(n, spec.projections[j].scaling->target_rate_hz);
            me.scaling[j].updated.assign(n, 0);
        }

    for (std::size_t s = 0; s < spec.stimuli.size(); ++s) {
        const auto& st = spec.stimuli[s];
        stimulus_setup setup{h, spec.simulation.seed, static_cast<std::uint32_t>(s), {}, {}, st.weight,
                             st.model->emits_current ? 0 : ms_to_steps(st.delay_ms, h)};
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

    for (std::size_t r = 0; r < spec.state_recorders.size(); ++r) {
        const auto& rs = spec.state_recorders[r];
        detail::recorder_part rp;
        rp.population = rs.population;
        rp.variables = rs.variables;
        rp.interval = recorder_interval[r];
        const auto& c = me.chunks[rs.population];
        for (std::size_t k = 0; k < rs.neurons.size(); ++k)
            if (rs.neurons[k] >= c.begin && rs.neurons[k] < c.end) {
                rp.shard_index.push_back(rs.neurons[k] - c.begin);
                rp.position.push_back(k);
            }
        me.recorders.push_back(std::move(rp));
    }

    me.fired.assign(me.n_local, 0);
    me.emitted.reserve(me.n_local);
}

// The spike history of the neurons that plastic synapses target, and the postsynaptic
// traces the rules ask of it.
void engine::impl::setup_plasticity(part& me) {
    std::vector<std::uint16_t> group(me.n_local);
    for (std::size_t p = 0; p < me.chunks.size(); ++p)
        std::fill_n(group.begin() + static_cast<std::ptrdiff_t>(me.chunks[p].local_offset), me.chunks[p].size(),
                    static_cast<std::uint16_t>(p));
    me.history = post_history(std::move(group), spec.populations.size(), spec.simulation.resolution_ms,
                              window + max_delay + 1);
    std::vector<std::uint32_t> incoming(me.n_local, 0);
    for (std::size_t j = 0; j < spec.projections.size(); ++j) {
        const auto& proj = spec.projections[j];
        if (!proj.synapse || !proj.synapse->plastic) continue;
        auto& r = me.rows[j];
        std::vector<std::size_t> slots;
        for (const trace_spec& tr : r.dynamics->post_traces()) {
            try {
                slots.push_back(me.history.add_trace(proj.target, tr));
            } catch (const std::length_error& e) {
                throw input_error("", proj.path + ".synapse", fmt::format("{} (population '{}')", e.what(),
                                                                          spec.populations[proj.target].name));
            }
        }
        r.dynamics->bind(&me.history, proj.target, std::move(slots));
        for (std::uint64_t k = 0; k < r.size(); ++k) ++incoming[r.target(k)];
    }
    me.history.set_incoming(std::move(incoming));
}

// Drops the postsynaptic spikes every plastic synapse has read (post_history::prune).
// A synapse has read the spikes up to its row's last presynaptic spike minus its delay;
// a neuron's are read up to the oldest of its rows' (less the largest delay, which does
// not depend on the partition). Rows are taken oldest first, a few hundred at a time,
// until every neuron has met its oldest: far fewer than all of them.
void engine::impl::prune_history(part& me, step_t now) {
    auto& ages = me.row_ages;
    ages.clear();
    for (std::size_t j = 0; j < spec.projections.size(); ++j) {
        const auto& r = me.rows[j];
        if (!r.dynamics || r.dynamics->row_last().empty()) continue;
        const auto last = r.dynamics->row_last();
        for (std::uint64_t i = 0; i < last.size(); ++i)
            if (r.offsets[i] != r.offsets[i + 1])
                ages.push_back({last[i] >= 0 ? last[i] - max_delay : post_history::never, static_cast<std::uint32_t>(j), i});
    }
    constexpr step_t unset = std::numeric_limits<step_t>::max();
    me.read_to.assign(me.n_local, unset);
    std::size_t left = 0;
    for (std::uint32_t n = 0; n < me.n_local; ++n) left += me.history.keeps(n);
    const auto older = [](const part::row_age& a, const part::row_age& b) { return a.last < b.last; };
    for (auto b = ages.begin(); left > 0 && b != ages.end();) {
        const auto e = b + std::min<std::ptrdiff_t>(256, ages.end() - b);
        std::nth_element(b, e - 1, ages.end(), older);
        std::sort(b, e, older);
        for (; b != e && left > 0; ++b) {
            const auto& r = me.rows[b->projection];
            for (std::uint64_t k = r.offsets[b->row]; k < r.offsets[b->row + 1]; ++k) {
                step_t& to = me.read_to[r.target(k)];
                if (to == unset) {
                    to = b->last;
                    --left;
                }
            }
        }
        b = e;
    }
    for (std::uint32_t n = 0; n < me.n_local; ++n)
        if (me.history.keeps(n)) me.history.prune(n, me.read_to[n], now);
}

// Synaptic scaling due at a window's end: each target's factor from its activity then,
// applied to all its synapses of the projection.
void engine::impl::scale(part& me, step_t window_end) {
    const double h = spec.simulation.resolution_ms;
    for (std::size_t j = 0; j < spec.projections.size(); ++j) {
        const auto& proj = spec.projections[j];
        if (!proj.scaling || window_end % ms_to_steps(proj.scaling->interval_ms, h) != 0) continue;
        const auto& x = *proj.scaling;
        auto& sc = me.scaling[j];
        auto& r = me.rows[j];
        const auto& chunk = me.chunks[proj.target];
        std::vector<double> factor(chunk.size());
        for (std::size_t n = 0; n < chunk.size(); ++n) {
            const double a = sc.activity[n] * std::exp(-static_cast<double>(window_end - sc.updated[n]) * h / x.tau_ms);
            factor[n] = std::exp(x.beta * x.interval_ms * 1e-3 * (x.target_rate_hz - a));
        }
        for (std::uint64_t k = 0; k < r.size(); ++k)
            r.weight[k] = static_cast<float>(r.weight[k] * factor[r.target(k) - chunk.local_offset]);
    }
}

// Advances the thread's neurons from step k to k+1.
void engine::impl::update(part& me, step_t k) {
    const std::size_t slot = me.ring.slot_of(k + 1);
    const double* ex = me.ring.row(channel::excitatory, slot);
    const double* in = me.ring.row(channel::inhibitory, slot);
    const double* cur = me.ring.row(channel::current, slot);
    for (std::size_t i = 0; i < me.shards.size(); ++i) {
        if (!me.shards[i]) continue;
        const auto off = me.chunks[i].local_offset;
        spike_sink sink(me.fired.data());
        me.shards[i]->step({ex + off, in + off, cur + off}, sink);
        const global_id first = pop_offset[i] + me.chunks[i].begin;
        for (std::size_t n = 0; n < sink.count(); ++n) me.emitted.push_back({k, first + sink.data()[n]});
        if (scaling)
            for (std::size_t j = 0; j < spec.projections.size(); ++j) {
                const auto& proj = spec.projections[j];
                if (!proj.scaling || proj.target != i) continue;
                auto& sc = me.scaling[j];
                const double tau = proj.scaling->tau_ms, h = spec.simulation.resolution_ms;
                for (std::size_t n = 0; n < sink.count(); ++n) {
                    const std::uint32_t x = sink.data()[n];
                    sc.activity[x] = sc.activity[x] * std::exp(-static_cast<double>(k + 1 - sc.updated[x]) * h / tau) +
                                     1000.0 / tau;
                    sc.updated[x] = k + 1;
                }
            }
        if (plastic)
            for (std::size_t n = 0; n < sink.count(); ++n) {
                const auto local = static_cast<std::uint32_t>(off + sink.data()[n]);
                if (me.history.keeps(local)) me.history.add_spike(local, k + 1);
            }
    }
    me.ring.clear_slot(slot);
}

void engine::impl::sample(part& me, step_t k_next) {
    for (auto& r : me.recorders) {
        if (k_next % r.interval != 0 || r.shard_index.empty()) continue;
        auto& shard = *me.shards[r.population];
        for (auto var : r.variables) {
            const auto values = shard.state(var);
            for (auto i : r.shard_index) r.samples.push_back(values[i]);
        }
    }
}

// Delivery is bound by memory latency: each spike starts reading a row of targets at a
// random place in the synapse store. So the rows of the spikes a few places ahead are
// fetched early: their offsets `row_lookahead` spikes ahead, the first cache lines of
// their targets half as far ahead (once those offsets have arrived).
constexpr std::size_t row_lookahead = 8;
constexpr std::size_t target_lines = 8;  // cache lines of 64 bytes

// The modulator spikes of the window reach modulated synapses before its presynaptic
// spikes are delivered (those may be stamped later than a modulator spike's arrival).
void engine::impl::deliver_modulators(part& me) {
    std::vector<std::vector<step_t>> arrivals(spec.projections.size());
    for (const spike& s : window_spikes)
        for (const auto& [j, delay] : modulates[population_of(s.gid)]) arrivals[j].push_back(s.step + 1 + delay);
    for (std::size_t j = 0; j < spec.projections.size(); ++j)
        if (spec.projections[j].modulator) me.rows[j].dynamics->modulate(arrivals[j]);
}

void engine::impl::deliver(part& me, step_t window_end) {
    if (modulated) deliver_modulators(me);
    const std::size_t n_slots = me.ring.n_slots();
    double* const ex0 = me.ring.row(channel::excitatory, 0);
    double* const in0 = me.ring.row(channel::inhibitory, 0);
    const std::size_t stride = me.ring.n_neurons();
    const std::size_t n_spikes = window_spikes.size();
    auto prefetch_offsets = [&](std::size_t n) {
        const std::size_t pop = population_of(window_spikes[n].gid);
        const std::uint64_t i = window_spikes[n].gid - pop_offset[pop];
        for (const std::size_t j : projections_from[pop]) __builtin_prefetch(&me.rows[j].offsets[i]);
    };
    auto prefetch_targets = [&](std::size_t n) {
        const std::size_t pop = population_of(window_spikes[n].gid);
        const std::uint64_t i = window_spikes[n].gid - pop_offset[pop];
        for (const std::size_t j : projections_from[pop]) {
            const auto& r = me.rows[j];
            const auto* t = r.target32.empty() ? static_cast<const void*>(r.target16.data() + r.offsets[i])
                                               : static_cast<const void*>(r.target32.data() + r.offsets[i]);
            const std::uint64_t n_syn = r.offsets[i + 1] - r.offsets[i];
            const std::uint64_t bytes = n_syn * (r.target32.empty() ? 2 : 4);
            for (std::uint64_t line = 0; line < target_lines && line * 64 < bytes; ++line)
                __builtin_prefetch(static_cast<const char*>(t) + line * 64);
            // The start of the weights too, where they vary (plastic rows: -4 % of the
            // plastic Brunel run).
            if (!r.weight.empty()) {
                const auto* w = reinterpret_cast<const char*>(r.weight.data() + r.offsets[i]);
                for (std::uint64_t line = 0; line < target_lines && line * 64 < n_syn * sizeof(float); ++line)
                    __builtin_prefetch(w + line * 64);
            }
            if (r.dynamics && n_syn > 0) r.dynamics->prefetch_row(i);
        }
    };
    // One row of synapses, for either index width.
    auto deliver_row = [&](const detail::synapse_rows& r, const auto* target, std::uint64_t b, std::uint64_t e,
                           std::size_t base) {
        if (r.delay.empty()) {
            std::size_t slot = base + static_cast<std::size_t>(r.constant_delay);
            if (slot >= n_slots) slot -= n_slots;
            if (r.weight.empty()) {
                const double w = r.constant_weight;
                double* row = (w >= 0.0 ? ex0 : in0) + slot * stride;
                for (std::uint64_t k = b; k < e; ++k) row[target[k]] += w;
            } else {
                double* rex = ex0 + slot * stride;
                double* rin = in0 + slot * stride;
                for (std::uint64_t k = b; k < e; ++k) {
                    const double w = r.weight[k];
                    (w >= 0.0 ? rex : rin)[target[k]] += w;
                }
            }
        } else {
            for (std::uint64_t k = b; k < e; ++k) {
                std::size_t slot = base + r.delay[k];
                if (slot >= n_slots) slot -= n_slots;
                const double w = r.weight.empty() ? r.constant_weight : static_cast<double>(r.weight[k]);
                ((w >= 0.0 ? ex0 : in0) + slot * stride)[target[k]] += w;
            }
        }
    };
    // Rows of a synapse model: the model updates its state and says what each synapse transmits.
    auto deliver_dynamic = [&](std::size_t j, std::uint64_t i, std::size_t base, step_t stamp) {
        detail::synapse_rows& r = me.rows[j];
        const std::uint64_t b = r.offsets[i], e = r.offsets[i + 1];
        const bool direct = r.dynamics->transmits();
        if (!direct) me.transmitted.resize(e - b);
        r.dynamics->on_pre({i, b, e, stamp, r.target32.empty() ? r.target16.data() : nullptr,
                            r.target32.empty() ? nullptr : r.target32.data(), r.delay.empty() ? nullptr : r.delay.data(),
                            r.constant_delay, r.weight.empty() ? nullptr : r.weight.data(), r.constant_weight,
                            direct ? nullptr : me.transmitted.data(), {ex0, in0, stride, n_slots, base}});
        auto transmit = [&](const auto* target) {
            const double* const out = me.transmitted.data() - b;
            if (r.delay.empty()) {
                std::size_t slot = base + static_cast<std::size_t>(r.constant_delay);
                if (slot >= n_slots) slot -= n_slots;
                double* const rex = ex0 + slot * stride;
                double* const rin = in0 + slot * stride;
                for (std::uint64_t k = b; k < e; ++k) (out[k] >= 0.0 ? rex : rin)[target[k]] += out[k];
            } else {
                for (std::uint64_t k = b; k < e; ++k) {
                    std::size_t slot = base + r.delay[k];
                    if (slot >= n_slots) slot -= n_slots;
                    ((out[k] >= 0.0 ? ex0 : in0) + slot * stride)[target[k]] += out[k];
                }
            }
        };
        if (!direct) {
            if (r.target32.empty()) transmit(r.target16.data());
            else transmit(r.target32.data());
        }
        if (record_weight_events) record_events(me, j, i, b, e, stamp);
    };
    for (std::size_t n = 0; n < n_spikes; ++n) {
        if (n + row_lookahead < n_spikes) prefetch_offsets(n + row_lookahead);
        if (n + row_lookahead / 2 < n_spikes) prefetch_targets(n + row_lookahead / 2);
        const spike& s = window_spikes[n];
        if (!me.weights.empty()) take_snapshots(me, s.step);  // those due before this spike's stamp
        const std::size_t pop = population_of(s.gid);
        const std::uint64_t i = s.gid - pop_offset[pop];
        const std::size_t base = me.ring.slot_of(s.step + 1);  // the spike's time stamp
        for (const std::size_t j : projections_from[pop]) {
            const detail::synapse_rows& r = me.rows[j];
            const std::uint64_t b = r.offsets[i], e = r.offsets[i + 1];
            if (b == e) continue;
            if (r.dynamics) {
                deliver_dynamic(j, i, base, s.step + 1);
            } else if (r.target32.empty()) {
                deliver_row(r, r.target16.data(), b, e, base);
            } else {
                deliver_row(r, r.target32.data(), b, e, base);
            }
        }
    }
    // The next window's spikes are stamped after window_end.
    if (!me.weights.empty()) take_snapshots(me, window_end);
}

// For every neuron of this rank, the ranks that hold synapses from it: each rank marks
// the sources of its non-empty rows, and sends each other rank the marks of that rank's
// neurons (one bit each).
void engine::impl::find_destinations() {
    const auto R = static_cast<std::uint64_t>(comm->size());
    const std::size_t P = spec.populations.size();
    std::vector<std::vector<char>> used(P);
    for (std::size_t p = 0; p < P; ++p) {
        if (!modulates[p].empty()) {  // modulator spikes go to every rank
            used[p].assign(spec.populations[p].n, 1);
            continue;
        }
        if (projections_from[p].empty()) continue;
        used[p].assign(spec.populations[p].n, 0);
        for (const auto& me : parts)
            for (const std::size_t j : projections_from[p]) {
                const auto& off = me.rows[j].offsets;
                for (std::size_t i = 0; i + 1 < off.size(); ++i) used[p][i] |= off[i + 1] > off[i];
            }
    }
    std::vector<std::vector<char>> to(R);
    for (std::uint64_t q = 0; q < R; ++q)
        for (std::size_t p = 0; p < P; ++p) {
            if (used[p].empty()) continue;
            const auto [b, e] = rank_range(p, static_cast<int>(q));
            const std::size_t at = to[q].size();
            to[q].resize(at + (e - b + 7) / 8, 0);
            for (std::uint64_t i = b; i < e; ++i)
                if (used[p][i]) to[q][at + (i - b) / 8] |= static_cast<char>(1 << ((i - b) % 8));
        }
    const auto from = comm->alltoallv(to);

    destination_offset.assign(1, 0);
    destination.clear();
    std::size_t at = 0;  // where population p's bits start in every message received
    for (std::size_t p = 0; p < P; ++p) {
        const std::uint64_t n_own = own_end[p] - own_begin[p];
        for (std::uint64_t i = 0; i < n_own; ++i) {
            if (!used[p].empty())
                for (std::uint64_t r = 0; r < R; ++r)
                    if (from[r][at + i / 8] & (1 << (i % 8))) destination.push_back(static_cast<int>(r));
            destination_offset.push_back(destination.size());
        }
        if (!used[p].empty()) at += (n_own + 7) / 8;
    }
}

// A window's spikes of all ranks that this rank needs, sorted by (step, gid).
std::vector<spike> engine::impl::exchange(const std::vector<spike>& local) {
    if (comm->size() == 1) return local;
    std::vector<spike> all;
    if (spec.simulation.exchange == spike_exchange::allgather) {
        all = comm->allgather(local);
    } else {
        std::vector<std::vector<spike>> to(static_cast<std::size_t>(comm->size()));
        for (const spike& s : local) {
            const std::size_t pop = population_of(s.gid);
            const std::uint64_t k = own_offset[pop] + (s.gid - pop_offset[pop] - own_begin[pop]);
            for (std::uint64_t d = destination_offset[k]; d < destination_offset[k + 1]; ++d)
                to[static_cast<std::size_t>(destination[d])].push_back(s);
        }
        all = comm->alltoallv(to);
    }
    std::sort(all.begin(), all.end());
    return all;
}

std::vector<spike> local_sorted(std::vector<part>& parts, bool take) {
    std::vector<spike> local;
    for (auto& me : parts) {
        local.insert(local.end(), me.emitted.begin(), me.emitted.end());
        if (take) me.emitted.clear();
    }
    std::sort(local.begin(), local.end());
    return local;
}

void engine::impl::record(const std::vector<spike>& local) {
    for (const spike& s : local)
        if (s.step >= recorded_through && population_recorded[population_of(s.gid)]) recorded.push_back(s);
}

void engine::impl::merge_window(step_t window_end) {
    const auto start = std::chrono::steady_clock::now();
    const std::vector<spike> local = local_sorted(parts, true);
    window_spikes = exchange(local);
    received_spikes += window_spikes.size();
    exchange_seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    record(local);
    recorded_through = window_end;
}

// A run that stops inside a window keeps that window's spikes for delivery at its end,
// but the recorder must already see them.
void engine::impl::record_pending(step_t until) {
    record(local_sorted(parts, false));
    recorded_through = until;
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
    const step_t start = m.now;
    const step_t W = m.window;
    std::atomic<bool> failed{false};

    const bool first = start == 0 && !m.restored;  // the state at step 0 is sampled once
    if (first)
        for (std::size_t r = 0; r < m.spec.state_recorders.size(); ++r) m.recorder_samples[r] = 1;

    // A failing thread keeps meeting the barriers (so that no one waits for it forever)
    // and every thread leaves the loop at the same barrier; the error is rethrown after.
    on_every_thread(m.n_threads, [&](int t) {
        part& me = m.parts[static_cast<std::size_t>(t)];
        std::exception_ptr error;
        if (first) m.sample(me, 0);
        // Windows are aligned to multiples of W from step 0, whatever `until` is, so that
        // the order in which input reaches a ring buffer row never depends on how a run is
        // split into calls (a checkpoint resumes bit-identically).
        for (step_t k = start; k < until;) {
            const step_t window_start = k - k % W, window_end = std::min(window_start + W, until);
            try {
                if (k == window_start)
                    for (auto& s : me.stimuli) s->generate(window_start, window_start + W, me.ring);
                for (; k < window_end; ++k) {
                    m.update(me, k);
                    m.sample(me, k + 1);
                }
            } catch (...) {
                error = std::current_exception();
                failed = true;
                k = window_end;
            }
            if (window_end != window_start + W) break;  // stopped inside a window
#pragma omp barrier
            if (failed) break;
            // The master thread, the one that may talk to MPI (MPI_THREAD_FUNNELED).
#pragma omp master
            {
                try {
                    m.merge_window(window_end);
                    if (progress) progress(window_end);
                } catch (...) {
                    error = std::current_exception();
                    failed = true;
                }
            }
#pragma omp barrier
            if (failed) break;
            m.deliver(me, window_end);
            if (m.scaling) m.scale(me, window_end);
            if (m.plastic && window_end % m.prune_interval == 0) m.prune_history(me, window_end);
        }
        if (error) std::rethrow_exception(error);
    });
    for (std::size_t r = 0; r < m.spec.state_recorders.size(); ++r)
        for (step_t k = start + 1; k <= until; ++k)
            if (k % m.recorder_interval[r] == 0) ++m.recorder_samples[r];
    m.now = until;
    if (until % W != 0) {
        m.record_pending(until);
        if (progress) progress(until);
    }
}

step_t engine::now() const { return impl_->now; }
double engine::exchange_seconds() const { return impl_->exchange_seconds; }
std::uint64_t engine::received_spikes() const { return impl_->received_spikes; }
const build_stats& engine::stats() const { return impl_->stats; }
const network_spec& engine::spec() const { return impl_->spec; }
global_id engine::first_gid(std::size_t population) const { return impl_->pop_offset[population]; }
const std::vector<spike>& engine::recorded_spikes() const { return impl_->recorded; }

std::vector<spike> engine::gather_recorded_spikes() const {
    const impl& m = *impl_;
    if (m.comm->size() == 1 && m.restored_spikes.empty()) return m.recorded;
    std::vector<char> mine(m.recorded.size() * sizeof(spike));
    if (!mine.empty()) std::memcpy(mine.data(), m.recorded.data(), mine.size());
    std::vector<spike> all = m.restored_spikes;
    for (const auto& bytes : m.comm->gather(mine)) {
        const std::size_t n = all.size();
        all.resize(n + bytes.size() / sizeof(spike));
        if (!bytes.empty()) std::memcpy(all.data() + n, bytes.data(), bytes.size());
    }
    std::sort(all.begin(), all.end());
    return all;
}

namespace {

template <class T>
void append_bytes(std::vector<char>& out, const T* data, std::size_t n) {
    const auto* bytes = reinterpret_cast<const char*>(data);
    out.insert(out.end(), bytes, bytes + n * sizeof(T));
}

template <class T>
const char* read_bytes(const char* in, T* data, std::size_t n) {
    std::memcpy(data, in, n * sizeof(T));
    return in + n * sizeof(T);
}

}  // namespace

std::vector<state_trace> engine::state_traces() const {
    const impl& m = *impl_;
    std::vector<state_trace> out;
    for (std::size_t r = 0; r < m.spec.state_recorders.size(); ++r) {
        // Each rank sends, per thread: the number of its neurons, their places in the
        // recorder's list, and its samples [sample][variable][neuron].
        std::vector<char> mine;
        for (const auto& me : m.parts) {
            const auto& rp = me.recorders[r];
            const std::uint64_t own = rp.position.size();
            append_bytes(mine, &own, 1);
            for (const std::uint64_t pos : rp.position) append_bytes(mine, &pos, 1);
            append_bytes(mine, rp.samples.data(), rp.samples.size());
        }
        const auto gathered = m.comm->gather(mine);
        if (m.comm->rank() != 0) continue;

        const auto& rs = m.spec.state_recorders[r];
        const auto& model = *m.spec.populations[rs.population].model;
        state_trace tr;
        tr.recorder = rs.name;
        tr.population = rs.population;
        tr.neurons = rs.neurons;
        for (auto v : rs.variables) {
            tr.variables.push_back(model.state[v].key);
            tr.units.push_back(model.state[v].unit);
        }
        tr.dt_ms = static_cast<double>(m.recorder_interval[r]) * m.spec.simulation.resolution_ms;
        // Samples restored from a checkpoint come first.
        const std::size_t before = m.restored_samples.empty() ? 0 : m.restored_samples[r];
        const std::size_t fresh = m.recorder_samples[r];  // sampled by this engine
        tr.n_samples = before + fresh;
        const std::size_t n = rs.neurons.size(), nv = rs.variables.size();
        tr.data.assign(nv, std::vector<double>(tr.n_samples * n, 0.0));
        for (std::size_t v = 0; v < nv && before > 0; ++v)
            std::copy(m.restored_traces[r][v].begin(), m.restored_traces[r][v].end(), tr.data[v].begin());
        for (const auto& bytes : gathered) {
            const char* in = bytes.data();
            while (in < bytes.data() + bytes.size()) {
                std::uint64_t own = 0;
                in = read_bytes(in, &own, 1);
                std::vector<std::uint64_t> position(own);
                in = read_bytes(in, position.data(), own);
                std::vector<double> samples(fresh * nv * own);
                in = read_bytes(in, samples.data(), samples.size());
                for (std::size_t s = 0; s < fresh; ++s)
                    for (std::size_t v = 0; v < nv; ++v)
                        for (std::size_t i = 0; i < own; ++i)
                            tr.data[v][(before + s) * n + position[i]] = samples[(s * nv + v) * own + i];
            }
        }
        out.push_back(std::move(tr));
    }
    return out;
}

std::vector<synapse_view> engine::synapses(std::size_t projection) const {
    const impl& m = *impl_;
    const auto& proj = m.spec.projections.at(projection);
    std::vector<synapse_view> out;
    for (const auto& me : m.parts) {
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

}  // namespace myelin
