#include "delivery.hpp"

#include "checkpoint_arrays.hpp"

#include <myelin/core/error.hpp>

#include <fmt/format.h>

#include <algorithm>

namespace myelin::detail {

delivery::delivery(const network_spec& spec, const layout& where, std::size_t n_slots)
    : spec_(&spec), layout_(&where), n_slots_(n_slots), from_(spec.populations.size()) {
    for (std::size_t j = 0; j < spec.projections.size(); ++j) {
        const auto& p = spec.projections[j];
        from_[p.source].push_back(j);
        ports_.emplace_back(port_for(p.receptor, true), port_for(p.receptor, false));
    }
}

// Delivery is bound by memory latency: each spike starts reading a row of targets at a
// random place in the synapse store. So the rows of the spikes a few places ahead are
// fetched early: their offsets `row_lookahead` spikes ahead, the first cache lines of
// their targets half as far ahead (once those offsets have arrived).
constexpr std::size_t row_lookahead = 8;
constexpr std::size_t target_lines = 8;  // cache lines of 64 bytes

void delivery::deliver(std::size_t thread, thread_state& me, const std::vector<spike>& window_spikes,
                       step_t window_end) const {
    const layout& L = *layout_;
    const auto& projections_from = from_;
    const std::size_t n_slots = me.ring.n_slots();
    const std::size_t stride = me.ring.n_neurons();
    const std::size_t n_spikes = window_spikes.size();
    auto prefetch_offsets = [&](std::size_t n) {
        const std::size_t pop = L.population_of(window_spikes[n].gid);
        const std::uint64_t i = window_spikes[n].gid - L.pop_offset[pop];
        for (const std::size_t j : projections_from[pop]) __builtin_prefetch(&me.rows[j].offsets[i]);
    };
    auto prefetch_targets = [&](std::size_t n) {
        const std::size_t pop = L.population_of(window_spikes[n].gid);
        const std::uint64_t i = window_spikes[n].gid - L.pop_offset[pop];
        for (const std::size_t j : projections_from[pop]) {
            const auto& r = me.rows[j];
            const auto* t = r.target32.empty() ? static_cast<const void*>(r.target16.data() + r.offsets[i])
                                               : static_cast<const void*>(r.target32.data() + r.offsets[i]);
            const std::uint64_t n_syn = r.offsets[i + 1] - r.offsets[i];
            const std::uint64_t bytes = n_syn * (r.target32.empty() ? 2 : 4);
            for (std::uint64_t line = 0; line < target_lines && line * 64 < bytes; ++line)
                __builtin_prefetch(static_cast<const char*>(t) + line * 64);
            // The start of the weights and delays too, where they vary (plastic rows: -4 %
            // of the plastic Brunel run; drawn delays: -8 % of the microcircuit's delivery).
            if (!r.weight.empty()) {
                const auto* w = reinterpret_cast<const char*>(r.weight.data() + r.offsets[i]);
                for (std::uint64_t line = 0; line < target_lines && line * 64 < n_syn * sizeof(float); ++line)
                    __builtin_prefetch(w + line * 64);
            }
            if (!r.delay.empty()) {
                const auto* d = reinterpret_cast<const char*>(r.delay.data() + r.offsets[i]);
                for (std::uint64_t line = 0; line < target_lines && line * 64 < n_syn * sizeof(std::uint16_t); ++line)
                    __builtin_prefetch(d + line * 64);
            }
            if (r.dynamics && n_syn > 0) r.dynamics->prefetch_row(i);
        }
    };
    // One row of synapses, for either index width; weights >= 0 go to the rows from ex0 on,
    // negative ones to those from in0 on (the same rows where the projection names a port).
    auto deliver_row = [&](const synapse_rows& r, const auto* target, std::uint64_t b, std::uint64_t e,
                           std::size_t base, double* const ex0, double* const in0) {
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
    auto deliver_dynamic = [&](std::size_t j, std::uint64_t i, std::size_t base, step_t stamp, double* const ex0,
                               double* const in0) {
        synapse_rows& r = me.rows[j];
        const std::uint64_t b = r.offsets[i], e = r.offsets[i + 1];
        const bool direct = r.dynamics->transmits();
        if (!direct) me.transmitted.resize(e - b);
        const auto target_population = spec_->projections[j].target;
        const auto& chunk = me.chunks[target_population];
        r.dynamics->on_pre({i, b, e, stamp, r.target32.empty() ? r.target16.data() : nullptr,
                            r.target32.empty() ? nullptr : r.target32.data(), r.delay.empty() ? nullptr : r.delay.data(),
                            r.constant_delay, r.weight.empty() ? nullptr : r.weight.data(), r.constant_weight,
                            direct ? nullptr : me.transmitted.data(), {ex0, in0, stride, n_slots, base},
                            spec_->simulation.seed, static_cast<std::uint32_t>(j), chunk.begin - chunk.local_offset,
                            spec_->populations[target_population].n});
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
        for (auto* o : observers_) o->after_row(thread, j, i, b, e, stamp);
    };
    for (std::size_t n = 0; n < n_spikes; ++n) {
        if (n + row_lookahead < n_spikes) prefetch_offsets(n + row_lookahead);
        if (n + row_lookahead / 2 < n_spikes) prefetch_targets(n + row_lookahead / 2);
        const spike& s = window_spikes[n];
        for (auto* o : observers_) o->before_spike(thread, s.step);
        const std::size_t pop = L.population_of(s.gid);
        const std::uint64_t i = s.gid - L.pop_offset[pop];
        const std::size_t base = me.ring.slot_of(s.step + 1);  // the spike's time stamp
        for (const std::size_t j : projections_from[pop]) {
            const synapse_rows& r = me.rows[j];
            const std::uint64_t b = r.offsets[i], e = r.offsets[i + 1];
            if (b == e) continue;
            double* const ex0 = me.ring.row(ports_[j].first, 0);
            double* const in0 = me.ring.row(ports_[j].second, 0);
            if (r.dynamics) {
                deliver_dynamic(j, i, base, s.step + 1, ex0, in0);
            } else if (r.target32.empty()) {
                deliver_row(r, r.target16.data(), b, e, base, ex0, in0);
            } else {
                deliver_row(r, r.target32.data(), b, e, base, ex0, in0);
            }
        }
    }
    for (auto* o : observers_) o->after_window(thread, window_end);
}

}  // namespace myelin::detail

namespace myelin::detail {

namespace {

// The population's ring rows by name: its ports', then the current's ("current" is no
// port name). Sign-rule models' ports are "excitatory" and "inhibitory", the names these
// arrays had before models declared ports, so older checkpoints read unchanged.
std::vector<std::pair<std::string, std::size_t>> ring_channels(const population_spec& p, std::size_t n_ports) {
    std::vector<std::pair<std::string, std::size_t>> out;
    for (std::size_t q = 0; q < p.ports.size(); ++q) out.emplace_back(p.ports[q].name, q);
    out.emplace_back("current", n_ports);  // n_ports: the current channel
    return out;
}

bool stores_weight(const projection_spec& p) {
    return !p.weight.is_constant() || (p.synapse && p.synapse->plastic) || p.scaling;
}

}  // namespace

void delivery::save(checkpoint_writer& out, std::vector<thread_state>& threads, step_t now) const {
    const network_spec& spec = *spec_;
    const std::size_t n_ports = max_ports(spec);
    for (std::size_t p = 0; p < spec.populations.size(); ++p)
        for (const auto& [name, c] : ring_channels(spec.populations[p], n_ports)) {
            std::vector<double> mine;
            for (auto& me : threads) {
                const auto& chunk = me.chunks[p];
                mine.reserve(mine.size() + chunk.size() * n_slots_);
                for (std::uint64_t l = 0; l < chunk.size(); ++l)
                    for (std::size_t r = 0; r < n_slots_; ++r) {
                        const std::size_t slot = me.ring.slot_of(now + 1 + static_cast<step_t>(r));
                        mine.push_back((c == n_ports ? me.ring.current(slot) : me.ring.row(c, slot))[chunk.local_offset + l]);
                    }
            }
            write_ranks(out, fmt::format("ring/{}/{}", name, spec.populations[p].name), mine);
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
        for (auto& me : threads) {
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
        write_ranks(out, base + "count", count);
        write_ranks(out, base + "source", source);
        if (stores_weight(proj)) write_ranks(out, base + "weight", weight);
        if (!proj.delay_ms.is_constant()) write_ranks(out, base + "delay", delay);
        for (std::size_t v = 0; v < n_state; ++v)
            write_ranks(out, base + "state/" + proj.synapse->state[v].key, state[v]);
    }
}

void delivery::restore(checkpoint_reader& in, std::vector<thread_state>& threads, step_t now) const {
    const network_spec& spec = *spec_;
    const double h = spec.simulation.resolution_ms;
    const std::size_t n_ports = max_ports(spec);
    for (std::size_t p = 0; p < spec.populations.size(); ++p)
        for (const auto& [channel, c] : ring_channels(spec.populations[p], n_ports)) {
            const auto& pop = spec.populations[p];
            const std::string name = fmt::format("ring/{}/{}", channel, pop.name);
            expect_size(in, name, pop.n * n_slots_);
            for (auto& me : threads) {
                const auto& chunk = me.chunks[p];
                std::vector<double> values(chunk.size() * n_slots_);
                in.read(name, chunk.begin * n_slots_, std::span<double>(values));
                const bool writable = c != n_ports || me.ring.with_current();
                for (std::uint64_t l = 0; l < chunk.size(); ++l)
                    for (std::size_t r = 0; r < n_slots_; ++r) {
                        const double x = values[l * n_slots_ + r];
                        if (!writable) {
                            if (x != 0.0)
                                throw input_error("", name, "current input for neurons that no current device feeds");
                            continue;
                        }
                        const std::size_t slot = me.ring.slot_of(now + 1 + static_cast<step_t>(r));
                        (c == n_ports ? me.ring.current(slot) : me.ring.row(c, slot))[chunk.local_offset + l] = x;
                    }
            }
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

        std::vector<drawn_synapses> drawn(threads.size());
        for (std::size_t t = 0; t < threads.size(); ++t) {
            const auto& chunk = threads[t].chunks[proj.target];
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
        on_every_thread(static_cast<int>(threads.size()), [&](int t) {
            auto& me = threads[static_cast<std::size_t>(t)];
            me.rows[j] = make_rows(std::move(drawn[static_cast<std::size_t>(t)]), spec, j, me.n_local, false);
        });
    }
}

}  // namespace myelin::detail
