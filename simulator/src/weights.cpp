// Weight recorders: snapshots taken during delivery (which runs in time-stamp order), and
// events recorded as presynaptic spikes pass; gathered to rank 0 like state traces.
#include "engine_impl.hpp"

#include <cstring>
#include <numeric>
#include <tuple>

namespace myelin {

using detail::part;

namespace {

template <class T>
void append(std::vector<char>& out, const std::vector<T>& v) {
    const std::uint64_t n = v.size();
    const auto* p = reinterpret_cast<const char*>(&n);
    out.insert(out.end(), p, p + sizeof n);
    const auto* d = reinterpret_cast<const char*>(v.data());
    out.insert(out.end(), d, d + n * sizeof(T));
}

template <class T>
const char* take(const char* in, std::vector<T>& v) {
    std::uint64_t n = 0;
    std::memcpy(&n, in, sizeof n);
    in += sizeof n;
    const std::size_t at = v.size();
    v.resize(at + n);
    if (n) std::memcpy(v.data() + at, in, n * sizeof(T));
    return in + n * sizeof(T);
}

bool listed(const std::optional<std::vector<std::uint64_t>>& list, std::uint64_t i) {
    return !list || std::find(list->begin(), list->end(), i) != list->end();
}

}  // namespace

// The deliveries so far (through the last window boundary, if any) took the snapshots
// stamped up to that boundary.
std::size_t engine::impl::snapshots_before_now(const weight_recorder_spec& wr) const {
    const step_t boundary = now - now % window;
    return boundary > 0 ? wr.due(boundary) : 0;
}

void engine::impl::setup_weight_recorders(part& me) {
    me.weights.clear();
    for (const auto& wr : spec.weight_recorders) {
        detail::weight_part wp;
        const auto& proj = spec.projections[wr.projection];
        const auto& r = me.rows[wr.projection];
        const auto& chunk = me.chunks[proj.target];
        std::vector<char> source_ok(spec.populations[proj.source].n), target_ok(chunk.size());
        for (std::uint64_t i = 0; i < source_ok.size(); ++i) source_ok[i] = listed(wr.sources, i);
        for (std::uint64_t t = 0; t < chunk.size(); ++t) target_ok[t] = listed(wr.targets, chunk.begin + t);
        for (std::uint64_t i = 0; i + 1 < r.offsets.size(); ++i)
            for (std::uint64_t k = r.offsets[i]; k < r.offsets[i + 1]; ++k) {
                const std::uint64_t t = r.target(k) - chunk.local_offset;
                if (source_ok[i] && target_ok[t]) {
                    wp.position.push_back(k);
                    wp.source.push_back(i);
                    wp.target.push_back(chunk.begin + t);
                }
            }
        std::vector<std::size_t> order(wp.position.size());
        std::iota(order.begin(), order.end(), 0);
        std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
            return std::tie(wp.target[a], wp.source[a]) < std::tie(wp.target[b], wp.source[b]);
        });
        auto permute = [&](std::vector<std::uint64_t>& v) {
            std::vector<std::uint64_t> out;
            for (auto o : order) out.push_back(v[o]);
            v = std::move(out);
        };
        permute(wp.position);
        permute(wp.source);
        permute(wp.target);
        if (wr.events) {
            wp.selected.assign(r.size(), 0);
            for (auto k : wp.position) wp.selected[k] = 1;
        }
        wp.taken = snapshots_before_now(wr);
        me.weights.push_back(std::move(wp));
    }
}

void engine::impl::take_snapshots(part& me, step_t through) {
    for (std::size_t w = 0; w < me.weights.size(); ++w) {
        auto& wp = me.weights[w];
        const auto& wr = spec.weight_recorders[w];
        const auto& r = me.rows[wr.projection];
        for (const std::size_t due = wr.due(through); wp.taken < due; ++wp.taken)
            for (auto k : wp.position)
                wp.snapshots.push_back(r.weight.empty() ? static_cast<float>(r.constant_weight) : r.weight[k]);
    }
}

void engine::impl::record_events(part& me, std::size_t projection, std::uint64_t row, std::uint64_t b,
                                 std::uint64_t e, step_t stamp) {
    for (std::size_t w = 0; w < me.weights.size(); ++w) {
        const auto& wr = spec.weight_recorders[w];
        if (!wr.events || wr.projection != projection) continue;
        auto& wp = me.weights[w];
        const auto& r = me.rows[projection];
        const auto& chunk = me.chunks[spec.projections[projection].target];
        for (std::uint64_t k = b; k < e; ++k)
            if (wp.selected[k]) {
                wp.event_stamp.push_back(stamp);
                wp.event_source.push_back(row);
                wp.event_target.push_back(chunk.begin + (r.target(k) - chunk.local_offset));
                wp.event_weight.push_back(r.weight.empty() ? static_cast<float>(r.constant_weight) : r.weight[k]);
            }
    }
}

std::vector<weight_record> engine::impl::gather_weights() const {
    std::vector<weight_record> out;
    const double h = spec.simulation.resolution_ms;
    for (std::size_t w = 0; w < spec.weight_recorders.size(); ++w) {
        const auto& wr = spec.weight_recorders[w];
        std::vector<char> mine;
        for (const auto& me : parts) {
            const auto& wp = me.weights[w];
            append(mine, wp.source);
            append(mine, wp.target);
            append(mine, wp.snapshots);
            append(mine, wp.event_stamp);
            append(mine, wp.event_source);
            append(mine, wp.event_target);
            append(mine, wp.event_weight);
        }
        const auto gathered = comm->gather(mine);
        if (comm->rank() != 0) continue;

        weight_record rec;
        rec.recorder = wr.name;
        rec.projection = wr.projection;
        const std::size_t taken = parts[0].weights[w].taken;
        const weight_record* before = restored_weights.empty() ? nullptr : &restored_weights[w];
        const std::size_t n_before = before ? before->times_ms.size() : 0;
        for (std::size_t s = 0; s < taken; ++s) rec.times_ms.push_back(static_cast<double>(wr.time(s)) * h);
        // Each thread's synapses with their snapshots: [snapshot][own synapse].
        struct block {
            std::vector<std::uint64_t> source, target;
            std::vector<float> snapshots;
        };
        std::vector<block> blocks;
        std::vector<step_t> stamp;
        for (const auto& bytes : gathered) {
            const char* in = bytes.data();
            while (in < bytes.data() + bytes.size()) {
                block b;
                in = take(in, b.source);
                in = take(in, b.target);
                in = take(in, b.snapshots);
                in = take(in, stamp);
                in = take(in, rec.event_source);
                in = take(in, rec.event_target);
                in = take(in, rec.event_weight);
                blocks.push_back(std::move(b));
            }
        }
        // Synapses by (target, source): a target lies in one thread's block, whose
        // synapses are already in that order.
        std::vector<std::pair<std::size_t, std::size_t>> at;  // (block, index)
        for (std::size_t b = 0; b < blocks.size(); ++b)
            for (std::size_t i = 0; i < blocks[b].source.size(); ++i) at.emplace_back(b, i);
        std::stable_sort(at.begin(), at.end(), [&](const auto& x, const auto& y) {
            return std::tie(blocks[x.first].target[x.second], blocks[x.first].source[x.second]) <
                   std::tie(blocks[y.first].target[y.second], blocks[y.first].source[y.second]);
        });
        for (const auto& [b, i] : at) {
            rec.source.push_back(blocks[b].source[i]);
            rec.target.push_back(blocks[b].target[i]);
        }
        const std::size_t n = at.size();
        const std::size_t fresh = taken - n_before;  // snapshots this engine took
        rec.weights.resize(taken * n);
        if (before) std::copy(before->weights.begin(), before->weights.end(), rec.weights.begin());
        for (std::size_t s = 0; s < fresh; ++s)
            for (std::size_t j = 0; j < n; ++j) {
                const auto& [b, i] = at[j];
                rec.weights[(n_before + s) * n + j] = blocks[b].snapshots[s * blocks[b].source.size() + i];
            }
        // Events, with the restored ones, sorted.
        std::vector<double> time;
        for (auto st : stamp) time.push_back(static_cast<double>(st) * h);
        std::vector<std::tuple<double, std::uint64_t, std::uint64_t, float>> ev;
        if (before)
            for (std::size_t k = 0; k < before->event_time_ms.size(); ++k)
                ev.emplace_back(before->event_time_ms[k], before->event_source[k], before->event_target[k],
                                before->event_weight[k]);
        for (std::size_t k = 0; k < time.size(); ++k)
            ev.emplace_back(time[k], rec.event_source[k], rec.event_target[k], rec.event_weight[k]);
        std::sort(ev.begin(), ev.end());
        rec.event_source.clear();
        rec.event_target.clear();
        rec.event_weight.clear();
        for (const auto& [t, s, g, x] : ev) {
            rec.event_time_ms.push_back(t);
            rec.event_source.push_back(s);
            rec.event_target.push_back(g);
            rec.event_weight.push_back(x);
        }
        out.push_back(std::move(rec));
    }
    return out;
}

std::vector<weight_record> engine::weight_records() {
    impl& m = *impl_;
    for (auto& me : m.parts) m.take_snapshots(me, m.now);
    return m.gather_weights();
}

}  // namespace myelin
