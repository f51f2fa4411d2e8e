// Saving the engine's state and restoring it on another partition (see checkpoint.hpp
// for the arrays). Everything is stored in gid order, so that any rank and thread can
// find its own part: ranks own contiguous ranges of each population, and their threads
// contiguous chunks of those. The neurons' arrays are the engine's own; every other part
// saves and restores its own (delivery, plasticity runtime, recorders).
#include "checkpoint_arrays.hpp"
#include "engine_impl.hpp"

#include <myelin/core/error.hpp>
#include <myelin/core/fault.hpp>

#include <fmt/format.h>

#include <algorithm>

namespace myelin {

using detail::expect_size;
using detail::read_all;
using detail::write;
using detail::write_ranks;

void engine::impl::save_neurons(checkpoint_writer& out) {
    write(out, "engine/now", std::vector<std::int64_t>{now});
    for (std::size_t p = 0; p < spec.populations.size(); ++p) {
        const auto& pop = spec.populations[p];
        const std::string base = "populations/" + pop.name;
        for (std::size_t v = 0; v < pop.state.size(); ++v) {
            std::vector<double> mine;
            for (auto& me : threads)
                if (me.shards[p]) {
                    const auto values = me.shards[p]->state(v);
                    mine.insert(mine.end(), values.begin(), values.end());
                }
            write_ranks(out, base + "/state/" + pop.state[v].key, mine);
        }
        for (std::size_t c = 0; c < pop.model->counters.size(); ++c) {
            std::vector<std::int32_t> mine;
            for (auto& me : threads)
                if (me.shards[p]) {
                    const auto values = me.shards[p]->counter(c);
                    mine.insert(mine.end(), values.begin(), values.end());
                }
            write_ranks(out, base + "/counters/" + pop.model->counters[c], mine);
        }
    }
    auto pending = gather_concat(*comm, detail::local_sorted(threads, false));
    std::sort(pending.begin(), pending.end());
    detail::write_spikes(out, "pending/", pending);
}

void engine::impl::restore_neurons(checkpoint_reader& in) {
    now = read_all<std::int64_t>(in, "engine/now", 1)[0];
    if (now < 0) throw input_error("", "engine/now", fmt::format("step {}; must be >= 0", now));
    restored = true;
    for (std::size_t p = 0; p < spec.populations.size(); ++p) {
        const auto& pop = spec.populations[p];
        const std::string base = "populations/" + pop.name;
        for (std::size_t v = 0; v < pop.state.size(); ++v) {
            const std::string name = base + "/state/" + pop.state[v].key;
            expect_size(in, name, pop.n);
            for (auto& me : threads)
                if (me.shards[p]) in.read(name, me.chunks[p].begin, me.shards[p]->state(v));
        }
        for (std::size_t c = 0; c < pop.model->counters.size(); ++c) {
            const std::string name = base + "/counters/" + pop.model->counters[c];
            expect_size(in, name, pop.n);
            for (auto& me : threads)
                if (me.shards[p]) in.read(name, me.chunks[p].begin, me.shards[p]->counter(c));
        }
    }
    // The spikes of the window in progress, to be exchanged at its end.
    for (const spike& s : detail::read_spikes(in, "pending/")) {
        if (s.gid >= where.pop_offset.back() || s.step >= now || s.step < now - now % window)
            throw input_error("", "pending", fmt::format("spike ({}, {}) is not of the window before step {}",
                                                         s.step, s.gid, now));
        const std::size_t p = where.population_of(s.gid);
        const std::uint64_t i = s.gid - where.pop_offset[p];
        if (i >= where.own_begin[p] && i < where.own_end[p]) threads[0].emitted.push_back(s);
    }
}

void engine::save(checkpoint_writer& out) const {
    inject_failure(fault_phase::checkpoint, impl_->comm->rank());
    impl& m = *impl_;
    m.save_neurons(out);
    m.deliverer.save(out, m.threads, m.now);
    m.plasticity.save(out, *m.comm, m.threads);
    for (auto* r : m.recorders) r->save(out, *m.comm);
}

}  // namespace myelin
