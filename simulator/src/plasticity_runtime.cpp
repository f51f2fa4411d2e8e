#include "plasticity_runtime.hpp"

#include "checkpoint_arrays.hpp"

#include <myelin/core/error.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

namespace myelin::detail {

plasticity_runtime::plasticity_runtime(const network_spec& spec, const layout& where, step_t window, step_t max_delay)
    : spec_(&spec), layout_(&where), window_(window), max_delay_(max_delay), modulates_(spec.populations.size()) {
    const double h = spec.simulation.resolution_ms;
    for (std::size_t j = 0; j < spec.projections.size(); ++j) {
        const auto& p = spec.projections[j];
        plastic_ = plastic_ || (p.synapse && p.synapse->plastic);
        scaling_ = scaling_ || p.scaling.has_value();
        if (p.modulator) {
            modulates_[p.modulator->population].emplace_back(j, ms_to_steps(p.modulator->delay_ms, h));
            modulated_ = true;
        }
    }
    // Histories are pruned every ~25 ms (a sweep costs about as much as a few hundred
    // rows' updates), at window ends.
    const step_t every = ms_to_steps(25.0, h);
    prune_interval_ = std::max<step_t>(1, (every + window - 1) / window) * window;
}

// The spike history of the neurons that plastic synapses target, and the postsynaptic
// traces the rules ask of it.
void plasticity_runtime::setup(std::vector<thread_state>& threads) {
    const network_spec& spec = *spec_;
    threads_.resize(threads.size());
    on_every_thread(static_cast<int>(threads.size()), [&](int t) {
        thread_state& me = threads[static_cast<std::size_t>(t)];
        per_thread& mine = threads_[static_cast<std::size_t>(t)];
        mine.scaling.resize(spec.projections.size());
        for (std::size_t j = 0; j < spec.projections.size(); ++j)
            if (spec.projections[j].scaling) {
                const auto n = me.chunks[spec.projections[j].target].size();
                mine.scaling[j].activity.assign(n, spec.projections[j].scaling->target_rate_hz);
                mine.scaling[j].updated.assign(n, 0);
            }
        if (!plastic_) return;
        std::vector<std::uint16_t> group(me.n_local);
        for (std::size_t p = 0; p < me.chunks.size(); ++p)
            std::fill_n(group.begin() + static_cast<std::ptrdiff_t>(me.chunks[p].local_offset), me.chunks[p].size(),
                        static_cast<std::uint16_t>(p));
        mine.history = post_history(std::move(group), spec.populations.size(), spec.simulation.resolution_ms,
                                    window_ + max_delay_ + 1);
        std::vector<std::uint32_t> incoming(me.n_local, 0);
        for (std::size_t j = 0; j < spec.projections.size(); ++j) {
            const auto& proj = spec.projections[j];
            if (!proj.synapse || !proj.synapse->plastic) continue;
            auto& r = me.rows[j];
            std::vector<std::size_t> slots;
            for (const trace_spec& tr : r.dynamics->post_traces()) {
                try {
                    slots.push_back(mine.history.add_trace(proj.target, tr));
                } catch (const std::length_error& e) {
                    throw input_error("", proj.path + ".synapse", fmt::format("{} (population '{}')", e.what(),
                                                                              spec.populations[proj.target].name));
                }
            }
            r.dynamics->bind(&mine.history, proj.target, std::move(slots));
            for (std::uint64_t k = 0; k < r.size(); ++k) ++incoming[r.target(k)];
        }
        mine.history.set_incoming(std::move(incoming));
    });
}

void plasticity_runtime::on_fired(std::size_t thread, const thread_state& me, std::size_t population,
                                  const std::uint32_t* fired, std::size_t n_fired, step_t k) {
    const network_spec& spec = *spec_;
    per_thread& mine = threads_[thread];
    if (scaling_)
        for (std::size_t j = 0; j < spec.projections.size(); ++j) {
            const auto& proj = spec.projections[j];
            if (!proj.scaling || proj.target != population) continue;
            auto& sc = mine.scaling[j];
            const double tau = proj.scaling->tau_ms, h = spec.simulation.resolution_ms;
            for (std::size_t n = 0; n < n_fired; ++n) {
                const std::uint32_t x = fired[n];
                sc.activity[x] = sc.activity[x] * std::exp(-static_cast<double>(k + 1 - sc.updated[x]) * h / tau) +
                                 1000.0 / tau;
                sc.updated[x] = k + 1;
            }
        }
    if (plastic_) {
        const auto off = me.chunks[population].local_offset;
        for (std::size_t n = 0; n < n_fired; ++n) {
            const auto local = static_cast<std::uint32_t>(off + fired[n]);
            if (mine.history.keeps(local)) mine.history.add_spike(local, k + 1);
        }
    }
}

// The modulator spikes of the window reach modulated synapses before its presynaptic
// spikes are delivered (those may be stamped later than a modulator spike's arrival).
void plasticity_runtime::before_delivery(thread_state& me, const std::vector<spike>& window_spikes) const {
    if (!modulated_) return;
    const network_spec& spec = *spec_;
    std::vector<std::vector<step_t>> arrivals(spec.projections.size());
    for (const spike& s : window_spikes)
        for (const auto& [j, delay] : modulates_[layout_->population_of(s.gid)]) arrivals[j].push_back(s.step + 1 + delay);
    for (std::size_t j = 0; j < spec.projections.size(); ++j)
        if (spec.projections[j].modulator) me.rows[j].dynamics->modulate(arrivals[j]);
}

void plasticity_runtime::after_delivery(std::size_t thread, thread_state& me, step_t window_end) {
    if (scaling_) scale(threads_[thread], me, window_end);
    if (plastic_ && window_end % prune_interval_ == 0) prune(threads_[thread], me, window_end);
}

std::uint64_t plasticity_runtime::history_bytes(std::size_t thread) const {
    return thread < threads_.size() ? threads_[thread].history.bytes() : 0;
}

// Drops the postsynaptic spikes every plastic synapse has read (post_history::prune).
// A synapse has read the spikes up to its row's last presynaptic spike minus its delay;
// a neuron's are read up to the oldest of its rows' (less the largest delay, which does
// not depend on the partition). Rows are taken oldest first, a few hundred at a time,
// until every neuron has met its oldest: far fewer than all of them.
void plasticity_runtime::prune(per_thread& mine, thread_state& me, step_t now) {
    auto& ages = mine.row_ages;
    ages.clear();
    for (std::size_t j = 0; j < spec_->projections.size(); ++j) {
        const auto& r = me.rows[j];
        if (!r.dynamics || r.dynamics->row_last().empty()) continue;
        const auto last = r.dynamics->row_last();
        for (std::uint64_t i = 0; i < last.size(); ++i)
            if (r.offsets[i] != r.offsets[i + 1])
                ages.push_back({last[i] >= 0 ? last[i] - max_delay_ : post_history::never, static_cast<std::uint32_t>(j), i});
    }
    constexpr step_t unset = std::numeric_limits<step_t>::max();
    mine.read_to.assign(me.n_local, unset);
    std::size_t left = 0;
    for (std::uint32_t n = 0; n < me.n_local; ++n) left += mine.history.keeps(n);
    const auto older = [](const row_age& a, const row_age& b) { return a.last < b.last; };
    for (auto b = ages.begin(); left > 0 && b != ages.end();) {
        const auto e = b + std::min<std::ptrdiff_t>(256, ages.end() - b);
        std::nth_element(b, e - 1, ages.end(), older);
        std::sort(b, e, older);
        for (; b != e && left > 0; ++b) {
            const auto& r = me.rows[b->projection];
            for (std::uint64_t k = r.offsets[b->row]; k < r.offsets[b->row + 1]; ++k) {
                step_t& to = mine.read_to[r.target(k)];
                if (to == unset) {
                    to = b->last;
                    --left;
                }
            }
        }
        b = e;
    }
    for (std::uint32_t n = 0; n < me.n_local; ++n)
        if (mine.history.keeps(n)) mine.history.prune(n, mine.read_to[n], now);
}

// Synaptic scaling due at a window's end: each target's factor from its activity then,
// applied to all its synapses of the projection.
void plasticity_runtime::scale(per_thread& mine, thread_state& me, step_t window_end) const {
    const double h = spec_->simulation.resolution_ms;
    for (std::size_t j = 0; j < spec_->projections.size(); ++j) {
        const auto& proj = spec_->projections[j];
        if (!proj.scaling || window_end % ms_to_steps(proj.scaling->interval_ms, h) != 0) continue;
        const auto& x = *proj.scaling;
        auto& sc = mine.scaling[j];
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

// ---- checkpoints ----------------------------------------------------------------------

void plasticity_runtime::save(checkpoint_writer& out, communicator& comm, std::vector<thread_state>& threads) const {
    const network_spec& spec = *spec_;
    for (std::size_t j = 0; j < spec.projections.size(); ++j) {
        const auto& proj = spec.projections[j];
        if (proj.synapse && proj.synapse->plastic) save_row_traces(out, comm, threads, j);
        if (proj.modulator) save_modulators(out, comm, threads, j);
        if (proj.scaling) {
            std::vector<double> activity;
            std::vector<std::int64_t> updated;
            for (const auto& mine : threads_) {
                const auto& sc = mine.scaling[j];
                activity.insert(activity.end(), sc.activity.begin(), sc.activity.end());
                updated.insert(updated.end(), sc.updated.begin(), sc.updated.end());
            }
            const std::string base = fmt::format("projections/{}/scaling/", j);
            write_ranks(out, base + "activity", activity);
            write_ranks(out, base + "updated", updated);
        }
    }
    if (plastic_) save_history(out, threads);
}

// Presynaptic traces: every thread and rank with synapses from a source holds the same
// values for it (those without hold none: last = -1); rank 0 keeps the latest.
void plasticity_runtime::save_row_traces(checkpoint_writer& out, communicator& comm, std::vector<thread_state>& threads,
                                         std::size_t j) const {
    const auto& proj = spec_->projections[j];
    const std::uint64_t n = spec_->populations[proj.source].n;
    const std::size_t n_traces = proj.synapse->row_traces.size();
    std::vector<std::int64_t> last(n, -1);
    std::vector<std::vector<double>> trace(n_traces, std::vector<double>(n, 0.0));
    auto take = [&](std::uint64_t i, std::int64_t l, auto value_of) {
        if (l <= last[i]) return;
        last[i] = l;
        for (std::size_t m = 0; m < n_traces; ++m) trace[m][i] = value_of(m);
    };
    for (auto& me : threads) {
        auto& dyn = *me.rows[j].dynamics;
        for (std::uint64_t i = 0; i < n; ++i) take(i, dyn.row_last()[i], [&](std::size_t m) { return dyn.row_trace(m)[i]; });
    }
    const auto all_last = gather_concat(comm, last);
    std::vector<std::vector<double>> all_trace;
    for (const auto& t : trace) all_trace.push_back(gather_concat(comm, t));
    for (std::uint64_t k = n; k < all_last.size(); ++k)
        take(k % n, all_last[k], [&](std::size_t m) { return all_trace[m][k]; });
    const std::string base = fmt::format("projections/{}/pre/", j);
    write(out, base + "last", last);
    for (std::size_t m = 0; m < n_traces; ++m) write(out, base + proj.synapse->row_traces[m], trace[m]);
}

// Modulator events: every thread keeps the tail of one sequence that its synapses may
// still integrate over; the longest tail serves them all.
void plasticity_runtime::save_modulators(checkpoint_writer& out, communicator& comm, std::vector<thread_state>& threads,
                                         std::size_t j) const {
    std::vector<modulator_event> longest;
    for (auto& me : threads) {
        auto events = me.rows[j].dynamics->modulator_events();
        if (events.size() > longest.size()) longest = std::move(events);
    }
    std::vector<modulator_event> best;
    for (auto& events : gather_by_rank(comm, longest))
        if (events.size() > best.size()) best = std::move(events);
    std::vector<std::int64_t> step;
    std::vector<double> n;
    for (const auto& e : best) {
        step.push_back(e.t);
        n.push_back(e.n);
    }
    const std::string base = fmt::format("projections/{}/modulator/", j);
    write(out, base + "step", step);
    write(out, base + "n", n);
}

// The spike history of every neuron, in gid order: count per neuron, then the spikes.
void plasticity_runtime::save_history(checkpoint_writer& out, std::vector<thread_state>& threads) const {
    for (std::size_t p = 0; p < spec_->populations.size(); ++p) {
        const auto& pop = spec_->populations[p];
        const std::size_t n_traces = threads_[0].history.traces(p).size();
        std::vector<std::uint32_t> count;
        std::vector<std::int64_t> step;
        std::vector<std::vector<double>> before(n_traces);
        for (std::size_t t = 0; t < threads.size(); ++t) {
            const auto& chunk = threads[t].chunks[p];
            for (std::uint64_t l = 0; l < chunk.size(); ++l) {
                const auto entries = threads_[t].history.entries(static_cast<std::uint32_t>(chunk.local_offset + l));
                count.push_back(static_cast<std::uint32_t>(entries.size()));
                for (const post_entry& x : entries) {
                    step.push_back(x.t);
                    for (std::size_t m = 0; m < n_traces; ++m) before[m].push_back(x.before[m]);
                }
            }
        }
        const std::string base = "populations/" + pop.name + "/history/";
        write_ranks(out, base + "count", count);
        write_ranks(out, base + "step", step);
        for (std::size_t m = 0; m < n_traces; ++m)
            write_ranks(out, fmt::format("{}before/{}", base, m), before[m]);
    }
}

void plasticity_runtime::restore(checkpoint_reader& in, std::vector<thread_state>& threads, step_t now) {
    const network_spec& spec = *spec_;
    for (std::size_t j = 0; j < spec.projections.size(); ++j) {
        const auto& proj = spec.projections[j];
        if (proj.synapse && proj.synapse->plastic) {
            const std::uint64_t n = spec.populations[proj.source].n;
            const std::string base = fmt::format("projections/{}/pre/", j);
            const auto last = read_all<std::int64_t>(in, base + "last", n);
            std::vector<std::vector<double>> trace;
            for (const auto& name : proj.synapse->row_traces) trace.push_back(read_all<double>(in, base + name, n));
            for (auto& me : threads) {
                auto& dyn = *me.rows[j].dynamics;
                std::copy(last.begin(), last.end(), dyn.row_last().begin());
                for (std::size_t m = 0; m < trace.size(); ++m)
                    std::copy(trace[m].begin(), trace[m].end(), dyn.row_trace(m).begin());
            }
        }
        if (proj.modulator) {
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
            for (auto& me : threads) me.rows[j].dynamics->restore_modulator(events);
        }
        if (proj.scaling) {
            const std::string base = fmt::format("projections/{}/scaling/", j);
            const std::uint64_t n = spec.populations[proj.target].n;
            expect_size(in, base + "activity", n);
            expect_size(in, base + "updated", n);
            for (std::size_t t = 0; t < threads.size(); ++t) {
                auto& sc = threads_[t].scaling[j];
                in.read(base + "activity", threads[t].chunks[proj.target].begin, std::span<double>(sc.activity));
                in.read(base + "updated", threads[t].chunks[proj.target].begin, std::span<std::int64_t>(sc.updated));
                for (auto u : sc.updated)
                    if (u > now)
                        throw input_error("", base + "updated", fmt::format("step {} is after the checkpoint's {}", u, now));
            }
        }
    }
    if (!plastic_) return;
    for (std::size_t p = 0; p < spec.populations.size(); ++p) {
        const auto& pop = spec.populations[p];
        const std::size_t n_traces = threads_[0].history.traces(p).size();
        const std::string base = "populations/" + pop.name + "/history/";
        const auto count = read_all<std::uint32_t>(in, base + "count", pop.n);
        std::vector<std::uint64_t> offset(pop.n + 1, 0);
        for (std::uint64_t i = 0; i < pop.n; ++i) offset[i + 1] = offset[i] + count[i];
        expect_size(in, base + "step", offset.back());
        for (std::size_t m = 0; m < n_traces; ++m) expect_size(in, fmt::format("{}before/{}", base, m), offset.back());
        for (std::size_t t = 0; t < threads.size(); ++t) {
            const auto& chunk = threads[t].chunks[p];
            auto& history = threads_[t].history;
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
                if (!entries.empty() && !history.keeps(local))
                    throw input_error("", base + "count", fmt::format("spike history for neuron {}, which no plastic "
                                                                      "synapse targets", i));
                history.restore(local, std::move(entries));
            }
        }
    }
}

}  // namespace myelin::detail
