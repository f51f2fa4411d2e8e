// Saving the engine's state and restoring it on another partition (see checkpoint.hpp
// for the arrays). Everything is stored in gid order, so that any rank and thread can
// find its own part: ranks own contiguous ranges of each population, and their threads
// contiguous chunks of those.
#include "engine_impl.hpp"

#include <myelin/simulator/error.hpp>

#include <fmt/format.h>

#include <cmath>
#include <cstring>

namespace myelin {

using detail::on_every_thread;
using detail::part;

namespace {

const char* channel_name(std::size_t c) {
    static const char* names[] = {"excitatory", "inhibitory", "current"};
    return names[c];
}

// Every rank's values, concatenated in rank order, on rank 0 (empty elsewhere).
template <class T>
std::vector<T> gather_to_root(communicator& comm, const std::vector<T>& mine) {
    if (comm.size() == 1) return mine;
    std::vector<char> bytes(mine.size() * sizeof(T));
    if (!mine.empty()) std::memcpy(bytes.data(), mine.data(), bytes.size());
    std::vector<T> out;
    for (const auto& from : comm.gather(bytes)) {
        const std::size_t n = out.size();
        out.resize(n + from.size() / sizeof(T));
        if (!from.empty()) std::memcpy(out.data() + n, from.data(), from.size());
    }
    return out;
}

template <class T>
void write(checkpoint_writer* out, const std::string& name, const std::vector<T>& values) {
    if (out) out->write(name, std::span<const T>(values.data(), values.size()));
}

// The whole array, which must have `n` elements.
template <class T>
std::vector<T> read_all(checkpoint_reader& in, const std::string& name, std::uint64_t n) {
    const std::uint64_t size = in.size(name);
    if (size != n)
        throw input_error("", name, fmt::format("{} values; the network of this checkpoint's config needs {}", size, n));
    std::vector<T> out(n);
    in.read(name, 0, std::span<T>(out));
    return out;
}

void write_spikes(checkpoint_writer* out, const std::string& base, const std::vector<spike>& spikes) {
    std::vector<std::int64_t> step;
    std::vector<std::uint64_t> gid;
    for (const spike& s : spikes) {
        step.push_back(s.step);
        gid.push_back(s.gid);
    }
    write(out, base + "step", step);
    write(out, base + "gid", gid);
}

void expect_size(checkpoint_reader& in, const std::string& name, std::uint64_t n) {
    const std::uint64_t size = in.size(name);
    if (size != n)
        throw input_error("", name, fmt::format("{} values; the network of this checkpoint's config needs {}", size, n));
}

bool stores_weight(const projection_spec& p) {
    return !p.weight.is_constant() || (p.synapse && p.synapse->plastic) || p.scaling;
}

std::vector<spike> read_spikes(checkpoint_reader& in, const std::string& base) {
    const std::uint64_t n = in.size(base + "step");
    const auto step = read_all<std::int64_t>(in, base + "step", n);
    const auto gid = read_all<std::uint64_t>(in, base + "gid", n);
    std::vector<spike> out;
    for (std::uint64_t k = 0; k < n; ++k) out.push_back({step[k], gid[k]});
    return out;
}

}  // namespace

void engine::impl::save(checkpoint_writer* out) {
    write(out, "engine/now", std::vector<std::int64_t>{now});

    for (std::size_t p = 0; p < spec.populations.size(); ++p) {
        const auto& pop = spec.populations[p];
        const std::string base = "populations/" + pop.name;
        for (std::size_t v = 0; v < pop.model->state.size(); ++v) {
            std::vector<double> mine;
            for (auto& me : parts)
                if (me.shards[p]) {
                    const auto values = me.shards[p]->state(v);
                    mine.insert(mine.end(), values.begin(), values.end());
                }
            write(out, base + "/state/" + pop.model->state[v].key, gather_to_root(*comm, mine));
        }
        for (std::size_t c = 0; c < pop.model->counters.size(); ++c) {
            std::vector<std::int32_t> mine;
            for (auto& me : parts)
                if (me.shards[p]) {
                    const auto values = me.shards[p]->counter(c);
                    mine.insert(mine.end(), values.begin(), values.end());
                }
            write(out, base + "/counters/" + pop.model->counters[c], gather_to_root(*comm, mine));
        }
        // Input already in the ring buffers: row r holds what arrives at step now + 1 + r.
        for (std::size_t c = 0; c < n_channels; ++c) {
            std::vector<double> mine;
            for (auto& me : parts) {
                const auto& chunk = me.chunks[p];
                mine.reserve(mine.size() + chunk.size() * n_slots);
                for (std::uint64_t l = 0; l < chunk.size(); ++l)
                    for (std::size_t r = 0; r < n_slots; ++r)
                        mine.push_back(me.ring.row(static_cast<channel>(c),
                                                   me.ring.slot_of(now + 1 + static_cast<step_t>(r)))[chunk.local_offset + l]);
            }
            write(out, fmt::format("ring/{}/{}", channel_name(c), pop.name), gather_to_root(*comm, mine));
        }
    }

    {
        auto pending = gather_to_root(*comm, local_sorted(parts, false));
        std::sort(pending.begin(), pending.end());
        write_spikes(out, "pending/", pending);
    }

    // Synapses by target (ascending), then in row order: sources ascending, multapses as
    // stored. make_rows, stable by source, rebuilds exactly the rows they came from.
    for (std::size_t j = 0; j < spec.projections.size(); ++j) {
        const auto& proj = spec.projections[j];
        const std::size_t n_state = proj.synapse ? proj.synapse->state.size() : 0;
        std::vector<std::uint32_t> count, source;
        std::vector<float> weight;
        std::vector<std::uint16_t> delay;
        std::vector<std::vector<double>> state(n_state);
        for (auto& me : parts) {
            const auto& rows = me.rows[j];
            const auto& chunk = me.chunks[proj.target];
            std::vector<std::uint64_t> at(chunk.size() + 1, 0);
            for (std::uint64_t k = 0; k < rows.size(); ++k) ++at[rows.target(k) - chunk.local_offset + 1];
            for (std::uint64_t t = 0; t < chunk.size(); ++t) count.push_back(static_cast<std::uint32_t>(at[t + 1]));
            for (std::uint64_t t = 0; t < chunk.size(); ++t) at[t + 1] += at[t];
            const std::size_t base = source.size();
            source.resize(base + rows.size());
            weight.resize(base + rows.weight.size());
            delay.resize(base + rows.delay.size());
            for (auto& v : state) v.resize(base + rows.size());
            for (std::uint64_t i = 0; i + 1 < rows.offsets.size(); ++i)
                for (std::uint64_t k = rows.offsets[i]; k < rows.offsets[i + 1]; ++k) {
                    const std::uint64_t to = base + at[rows.target(k) - chunk.local_offset]++;
                    source[to] = static_cast<std::uint32_t>(i);
                    if (!rows.weight.empty()) weight[to] = rows.weight[k];
                    if (!rows.delay.empty()) delay[to] = rows.delay[k];
                    for (std::size_t v = 0; v < n_state; ++v) state[v][to] = rows.dynamics->state(v)[k];
                }
        }
        const std::string base = fmt::format("projections/{}/", j);
        write(out, base + "count", gather_to_root(*comm, count));
        write(out, base + "source", gather_to_root(*comm, source));
        if (stores_weight(proj)) write(out, base + "weight", gather_to_root(*comm, weight));
        if (!proj.delay_ms.is_constant()) write(out, base + "delay", gather_to_root(*comm, delay));
        for (std::size_t v = 0; v < n_state; ++v)
            write(out, base + "state/" + proj.synapse->state[v].key, gather_to_root(*comm, state[v]));
        if (proj.synapse && proj.synapse->plastic) save_row_traces(out, j);
        if (proj.modulator) save_modulators(out, j);
        if (proj.scaling) {
            std::vector<double> activity;
            std::vector<std::int64_t> updated;
            for (auto& me : parts) {
                const auto& sc = me.scaling[j];
                activity.insert(activity.end(), sc.activity.begin(), sc.activity.end());
                updated.insert(updated.end(), sc.updated.begin(), sc.updated.end());
            }
            write(out, base + "scaling/activity", gather_to_root(*comm, activity));
            write(out, base + "scaling/updated", gather_to_root(*comm, updated));
        }
    }
    if (plastic) save_history(out);
}

// Presynaptic traces: every thread and rank with synapses from a source holds the same
// values for it (those without hold none: last = -1); rank 0 keeps the latest.
void engine::impl::save_row_traces(checkpoint_writer* out, std::size_t j) {
    const auto& proj = spec.projections[j];
    const std::uint64_t n = spec.populations[proj.source].n;
    const std::size_t n_traces = proj.synapse->row_traces.size();
    std::vector<std::int64_t> last(n, -1);
    std::vector<std::vector<double>> trace(n_traces, std::vector<double>(n, 0.0));
    auto take = [&](std::uint64_t i, std::int64_t l, auto value_of) {
        if (l <= last[i]) return;
        last[i] = l;
        for (std::size_t m = 0; m < n_traces; ++m) trace[m][i] = value_of(m);
    };
    for (auto& me : parts) {
        auto& dyn = *me.rows[j].dynamics;
        for (std::uint64_t i = 0; i < n; ++i) take(i, dyn.row_last()[i], [&](std::size_t m) { return dyn.row_trace(m)[i]; });
    }
    const auto all_last = gather_to_root(*comm, last);
    std::vector<std::vector<double>> all_trace;
    for (const auto& t : trace) all_trace.push_back(gather_to_root(*comm, t));
    for (std::uint64_t k = n; k < all_last.size(); ++k)
        take(k % n, all_last[k], [&](std::size_t m) { return all_trace[m][k]; });
    const std::string base = fmt::format("projections/{}/pre/", j);
    write(out, base + "last", last);
    for (std::size_t m = 0; m < n_traces; ++m) write(out, base + proj.synapse->row_traces[m], trace[m]);
}

// Modulator events: every thread keeps the tail of one sequence that its synapses may
// still integrate over; the longest tail serves them all.
void engine::impl::save_modulators(checkpoint_writer* out, std::size_t j) {
    std::vector<modulator_event> longest;
    for (auto& me : parts) {
        auto events = me.rows[j].dynamics->modulator_events();
        if (events.size() > longest.size()) longest = std::move(events);
    }
    std::vector<std::int64_t> step;
    std::vector<double> n;
    for (const auto& e : longest) {
        step.push_back(e.t);
        n.push_back(e.n);
    }
    const auto count = gather_to_root(*comm, std::vector<std::uint64_t>{longest.size()});
    const auto all_step = gather_to_root(*comm, step);
    const auto all_n = gather_to_root(*comm, n);
    std::uint64_t at = 0, best = 0, best_at = 0;
    for (const std::uint64_t c : count) {
        if (c > best) {
            best = c;
            best_at = at;
        }
        at += c;
    }
    const auto from = static_cast<std::ptrdiff_t>(best_at), to = static_cast<std::ptrdiff_t>(best_at + best);
    const std::string base = fmt::format("projections/{}/modulator/", j);
    write(out, base + "step", std::vector<std::int64_t>(all_step.begin() + from, all_step.begin() + to));
    write(out, base + "n", std::vector<double>(all_n.begin() + from, all_n.begin() + to));
}

void engine::impl::restore_modulators(checkpoint_reader& in) {
    for (std::size_t j = 0; j < spec.projections.size(); ++j) {
        if (!spec.projections[j].modulator) continue;
        const std::string base = fmt::format("projections/{}/modulator/", j);
        const std::uint64_t n_events = in.size(base + "step");
        const auto step = read_all<std::int64_t>(in, base + "step", n_events);
        const auto n = read_all<double>(in, base + "n", n_events);
        std::vector<modulator_event> events;
        for (std::uint64_t k = 0; k < n_events; ++k) {
            if (k > 0 && step[k] < step[k - 1])
                throw input_error("", base + "step", fmt::format("not ascending at index {}", k));
            if (!(n[k] >= 0.0) || !std::isfinite(n[k]))
                throw input_error("", base + "n", fmt::format("{} at index {}; must be finite and >= 0", n[k], k));
            events.push_back({step[k], n[k]});
        }
        for (auto& me : parts) me.rows[j].dynamics->restore_modulator(events);
    }
}

// The spike history of every neuron, in gid order: count per neuron, then the spikes.
void engine::impl::save_history(checkpoint_writer* out) {
    for (std::size_t p = 0; p < spec.populations.size(); ++p) {
        const auto& pop = spec.populations[p];
        const std::size_t n_traces = parts[0].history.traces(p).size();
        std::vector<std::uint32_t> count;
        std::vector<std::int64_t> step;
        std::vector<std::vector<double>> before(n_traces);
        for (auto& me : parts) {
            const auto& chunk = me.chunks[p];
            for (std::uint64_t l = 0; l < chunk.size(); ++l) {
                const auto entries = me.history.entries(static_cast<std::uint32_t>(chunk.local_offset + l));
                count.push_back(static_cast<std::uint32_t>(entries.size()));
                for (const post_entry& x : entries) {
                    step.push_back(x.t);
                    for (std::size_t m = 0; m < n_traces; ++m) before[m].push_back(x.before[m]);
                }
            }
        }
        const std::string base = "populations/" + pop.name + "/history/";
        write(out, base + "count", gather_to_root(*comm, count));
        write(out, base + "step", gather_to_root(*comm, step));
        for (std::size_t m = 0; m < n_traces; ++m)
            write(out, fmt::format("{}before/{}", base, m), gather_to_root(*comm, before[m]));
    }
}

void engine::impl::restore_scaling(checkpoint_reader& in) {
    for (std::size_t j = 0; j < spec.projections.size(); ++j) {
        const auto& proj = spec.projections[j];
        if (!proj.scaling) continue;
        const std::string base = fmt::format("projections/{}/scaling/", j);
        const std::uint64_t n = spec.populations[proj.target].n;
        expect_size(in, base + "activity", n);
        expect_size(in, base + "updated", n);
        for (auto& me : parts) {
            auto& sc = me.scaling[j];
            in.read(base + "activity", me.chunks[proj.target].begin, std::span<double>(sc.activity));
            in.read(base + "updated", me.chunks[proj.target].begin, std::span<std::int64_t>(sc.updated));
            for (auto u : sc.updated)
                if (u > now) throw input_error("", base + "updated", fmt::format("step {} is after the checkpoint's {}", u, now));
        }
    }
}

void engine::impl::restore_plasticity(checkpoint_reader& in) {
    for (std::size_t j = 0; j < spec.projections.size(); ++j) {
        const auto& proj = spec.projections[j];
        if (!proj.synapse || !proj.synapse->plastic) continue;
        const std::uint64_t n = spec.populations[proj.source].n;
        const std::string base = fmt::format("projections/{}/pre/", j);
        const auto last = read_all<std::int64_t>(in, base + "last", n);
        std::vector<std::vector<double>> trace;
        for (const auto& name : proj.synapse->row_traces) trace.push_back(read_all<double>(in, base + name, n));
        for (auto& me : parts) {
            auto& dyn = *me.rows[j].dynamics;
            std::copy(last.begin(), last.end(), dyn.row_last().begin());
            for (std::size_t m = 0; m < trace.size(); ++m) std::copy(trace[m].begin(), trace[m].end(), dyn.row_trace(m).begin());
        }
    }
    for (std::size_t p = 0; p < spec.populations.size(); ++p) {
        const auto& pop = spec.populations[p];
        const std::size_t n_traces = parts[0].history.traces(p).size();
        const std::string base = "populations/" + pop.name + "/history/";
        const auto count = read_all<std::uint32_t>(in, base + "count", pop.n);
        std::vector<std::uint64_t> offset(pop.n + 1, 0);
        for (std::uint64_t i = 0; i < pop.n; ++i) offset[i + 1] = offset[i] + count[i];
        expect_size(in, base + "step", offset.back());
        for (std::size_t m = 0; m < n_traces; ++m) expect_size(in, fmt::format("{}before/{}", base, m), offset.back());
        for (auto& me : parts) {
            const auto& chunk = me.chunks[p];
            const std::uint64_t b = offset[chunk.begin], e = offset[chunk.end];
            std::vector<std::int64_t> step(e - b);
            in.read(base + "step", b, std::span<std::int64_t>(step));
            std::vector<std::vector<double>> before(n_traces, std::vector<double>(e - b));
            for (std::size_t m = 0; m < n_traces; ++m)
                in.read(fmt::format("{}before/{}", base, m), b, std::span<double>(before[m]));
            for (std::uint64_t i = chunk.begin; i < chunk.end; ++i) {
                std::vector<post_entry> entries(count[i]);
                for (std::uint64_t k = 0; k < count[i]; ++k) {
                    const std::uint64_t at = offset[i] - b + k;
                    if (step[at] > now || (k > 0 && step[at] <= entries[k - 1].t))
                        throw input_error("", base + "step", fmt::format("spike history of neuron {} is not ascending "
                                                                         "before step {}", i, now));
                    entries[k].t = step[at];
                    for (std::size_t m = 0; m < n_traces; ++m) entries[k].before[m] = before[m][at];
                }
                const auto local = static_cast<std::uint32_t>(chunk.local_offset + (i - chunk.begin));
                if (!entries.empty() && !me.history.keeps(local))
                    throw input_error("", base + "count", fmt::format("spike history for neuron {}, which no plastic "
                                                                      "synapse targets", i));
                me.history.restore(local, std::move(entries));
            }
        }
    }
}

void engine::impl::restore(checkpoint_reader& in) {
    const double h = spec.simulation.resolution_ms;
    now = read_all<std::int64_t>(in, "engine/now", 1)[0];
    if (now < 0) throw input_error("", "engine/now", fmt::format("step {}; must be >= 0", now));
    recorded_through = now;
    restored = true;

    for (std::size_t p = 0; p < spec.populations.size(); ++p) {
        const auto& pop = spec.populations[p];
        const std::string base = "populations/" + pop.name;
        for (std::size_t v = 0; v < pop.model->state.size(); ++v) {
            const std::string name = base + "/state/" + pop.model->state[v].key;
            expect_size(in, name, pop.n);
            for (auto& me : parts)
                if (me.shards[p]) in.read(name, me.chunks[p].begin, me.shards[p]->state(v));
        }
        for (std::size_t c = 0; c < pop.model->counters.size(); ++c) {
            const std::string name = base + "/counters/" + pop.model->counters[c];
            expect_size(in, name, pop.n);
            for (auto& me : parts)
                if (me.shards[p]) in.read(name, me.chunks[p].begin, me.shards[p]->counter(c));
        }
        for (std::size_t c = 0; c < n_channels; ++c) {
            const std::string name = fmt::format("ring/{}/{}", channel_name(c), pop.name);
            expect_size(in, name, pop.n * n_slots);
            for (auto& me : parts) {
                const auto& chunk = me.chunks[p];
                std::vector<double> values(chunk.size() * n_slots);
                in.read(name, chunk.begin * n_slots, std::span<double>(values));
                const bool writable = c != static_cast<std::size_t>(channel::current) || me.ring.with_current();
                for (std::uint64_t l = 0; l < chunk.size(); ++l)
                    for (std::size_t r = 0; r < n_slots; ++r) {
                        const double x = values[l * n_slots + r];
                        if (!writable) {
                            if (x != 0.0)
                                throw input_error("", name, "current input for neurons that no current device feeds");
                            continue;
                        }
                        me.ring.row(static_cast<channel>(c), me.ring.slot_of(now + 1 + static_cast<step_t>(r)))
                            [chunk.local_offset + l] = x;
                    }
            }
        }
    }

    for (const spike& s : read_spikes(in, "pending/")) {
        if (s.gid >= pop_offset.back() || s.step >= now || s.step < now - now % window)
            throw input_error("", "pending", fmt::format("spike ({}, {}) is not of the window before step {}",
                                                         s.step, s.gid, now));
        const std::size_t p = population_of(s.gid);
        const std::uint64_t i = s.gid - pop_offset[p];
        if (i >= own_begin[p] && i < own_end[p]) parts[0].emitted.push_back(s);
    }

    for (std::size_t j = 0; j < spec.projections.size(); ++j) {
        const auto& proj = spec.projections[j];
        const std::string base = fmt::format("projections/{}/", j);
        const std::uint64_t n_target = spec.populations[proj.target].n, n_source = spec.populations[proj.source].n;
        const auto count = read_all<std::uint32_t>(in, base + "count", n_target);
        std::vector<std::uint64_t> offset(n_target + 1, 0);
        for (std::uint64_t t = 0; t < n_target; ++t) offset[t + 1] = offset[t] + count[t];
        expect_size(in, base + "source", offset.back());
        if (stores_weight(proj)) expect_size(in, base + "weight", offset.back());
        if (!proj.delay_ms.is_constant()) expect_size(in, base + "delay", offset.back());
        if (proj.synapse)
            for (const auto& var : proj.synapse->state) expect_size(in, base + "state/" + var.key, offset.back());
        const step_t d_lo = ms_to_steps(proj.delay_ms.lowest(), h), d_hi = ms_to_steps(proj.delay_ms.highest(), h);

        std::vector<detail::drawn_synapses> drawn(parts.size());
        for (std::size_t t = 0; t < parts.size(); ++t) {
            const auto& chunk = parts[t].chunks[proj.target];
            auto& d = drawn[t];
            const std::uint64_t b = offset[chunk.begin], e = offset[chunk.end];
            d.source.resize(e - b);
            in.read(base + "source", b, std::span<std::uint32_t>(d.source));
            for (auto i : d.source)
                if (i >= n_source)
                    throw input_error("", base + "source", fmt::format("source {} of a population of {}", i, n_source));
            d.target.reserve(e - b);
            for (std::uint64_t i = chunk.begin; i < chunk.end; ++i)
                d.target.insert(d.target.end(), count[i], static_cast<std::uint32_t>(chunk.local_offset + i - chunk.begin));
            if (stores_weight(proj)) {
                d.weight.resize(e - b);
                in.read(base + "weight", b, std::span<float>(d.weight));
            }
            if (proj.synapse)
                for (const auto& var : proj.synapse->state) {
                    d.state.emplace_back(e - b);
                    in.read(base + "state/" + var.key, b, std::span<double>(d.state.back()));
                }
            if (!proj.delay_ms.is_constant()) {
                d.delay.resize(e - b);
                in.read(base + "delay", b, std::span<std::uint16_t>(d.delay));
                for (auto x : d.delay)
                    if (x < d_lo || x > d_hi)
                        throw input_error("", base + "delay",
                                          fmt::format("{} steps; the config allows {} to {}", x, d_lo, d_hi));
            }
        }
        on_every_thread(n_threads, [&](int t) {
            part& me = parts[static_cast<std::size_t>(t)];
            me.rows[j] = detail::make_rows(std::move(drawn[static_cast<std::size_t>(t)]), spec, j, me.n_local, false);
        });
    }

    if (comm->rank() != 0) return;
    restored_spikes = read_spikes(in, "recorder/spikes/");
    for (const auto& wr : spec.weight_recorders) {
        const std::string base = "recorder/weights/" + wr.name + "/";
        weight_record w;
        const auto n_snapshots = read_all<std::uint64_t>(in, base + "n_snapshots", 1)[0];
        const std::uint64_t due = snapshots_before_now(wr);
        if (n_snapshots != due)
            throw input_error("", base + "n_snapshots", fmt::format("{}; the recorder's times give {} by step {}",
                                                                    n_snapshots, due, now));
        const std::uint64_t n_weights = in.size(base + "weights");
        if (n_snapshots > 0 && n_weights % n_snapshots != 0)
            throw input_error("", base + "weights", fmt::format("{} values for {} snapshots", n_weights, n_snapshots));
        w.weights = read_all<float>(in, base + "weights", n_weights);
        w.times_ms.resize(n_snapshots);
        const std::uint64_t n_events = in.size(base + "events/time");
        w.event_time_ms = read_all<double>(in, base + "events/time", n_events);
        w.event_source = read_all<std::uint64_t>(in, base + "events/source", n_events);
        w.event_target = read_all<std::uint64_t>(in, base + "events/target", n_events);
        w.event_weight = read_all<float>(in, base + "events/weight", n_events);
        restored_weights.push_back(std::move(w));
    }
    for (std::size_t r = 0; r < spec.state_recorders.size(); ++r) {
        const auto& rs = spec.state_recorders[r];
        const std::string base = "recorder/state/" + rs.name + "/";
        restored_samples.push_back(read_all<std::uint64_t>(in, base + "n_samples", 1)[0]);
        const auto& model = *spec.populations[rs.population].model;
        restored_traces.emplace_back();
        for (auto v : rs.variables)
            restored_traces.back().push_back(
                read_all<double>(in, base + model.state[v].key, restored_samples.back() * rs.neurons.size()));
    }
}

void engine::save(checkpoint_writer* out) const {
    impl& m = *impl_;
    m.save(out);
    const auto spikes = gather_recorded_spikes();
    const auto traces = state_traces();
    const auto weights = m.gather_weights();
    if (m.comm->rank() != 0) return;
    for (const auto& w : weights) {
        const std::string base = "recorder/weights/" + w.recorder + "/";
        write(out, base + "n_snapshots", std::vector<std::uint64_t>{w.times_ms.size()});
        write(out, base + "weights", w.weights);
        write(out, base + "events/time", w.event_time_ms);
        write(out, base + "events/source", w.event_source);
        write(out, base + "events/target", w.event_target);
        write(out, base + "events/weight", w.event_weight);
    }
    write_spikes(out, "recorder/spikes/", spikes);
    for (const auto& tr : traces) {
        const std::string base = "recorder/state/" + tr.recorder + "/";
        write(out, base + "n_samples", std::vector<std::uint64_t>{tr.n_samples});
        for (std::size_t v = 0; v < tr.variables.size(); ++v) write(out, base + tr.variables[v], tr.data[v]);
    }
}

}  // namespace myelin
