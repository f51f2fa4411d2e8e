// Weight recorders: snapshots taken during delivery (which runs in time-stamp order), and
// events recorded as presynaptic spikes pass; gathered to rank 0 like state traces.
#include "checkpoint_arrays.hpp"
#include "recorders.hpp"

#include <myelin/core/error.hpp>

#include <algorithm>
#include <numeric>
#include <tuple>

namespace myelin::detail {

namespace {

bool listed(const std::optional<std::vector<std::uint64_t>>& list, std::uint64_t i) {
    return !list || std::find(list->begin(), list->end(), i) != list->end();
}

}  // namespace

weight_recorder::weight_recorder(const network_spec& spec, std::size_t index, step_t window)
    : spec_(&spec), index_(index), window_(window) {}

// The deliveries so far (through the last window boundary, if any) took the snapshots
// stamped up to that boundary.
std::size_t weight_recorder::snapshots_before(step_t now) const {
    const step_t boundary = now - now % window_;
    return boundary > 0 ? spec_->weight_recorders[index_].due(boundary) : 0;
}

void weight_recorder::setup(std::vector<thread_state>& threads, communicator& comm, step_t now) {
    const auto& wr = spec_->weight_recorders[index_];
    const auto& proj = spec_->projections[wr.projection];
    threads_.assign(threads.size(), {});
    std::uint64_t n_recorded = 0;
    for (std::size_t t = 0; t < threads.size(); ++t) {
        per_thread& wp = threads_[t];
        const auto& r = threads[t].rows[wr.projection];
        const auto& chunk = threads[t].chunks[proj.target];
        wp.rows = &r;
        wp.target_begin = chunk.begin;
        wp.target_offset = chunk.local_offset;
        std::vector<char> source_ok(spec_->populations[proj.source].n), target_ok(chunk.size());
        for (std::uint64_t i = 0; i < source_ok.size(); ++i) source_ok[i] = listed(wr.sources, i);
        for (std::uint64_t x = 0; x < chunk.size(); ++x) target_ok[x] = listed(wr.targets, chunk.begin + x);
        for (std::uint64_t i = 0; i + 1 < r.offsets.size(); ++i)
            for (std::uint64_t k = r.offsets[i]; k < r.offsets[i + 1]; ++k) {
                const std::uint64_t x = r.target(k) - chunk.local_offset;
                if (source_ok[i] && target_ok[x]) {
                    wp.position.push_back(k);
                    wp.source.push_back(i);
                    wp.target.push_back(chunk.begin + x);
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
        wp.taken = first_ = snapshots_before(now);
        n_recorded += wp.position.size();
    }
    n_recorded = comm.sum(n_recorded);
    if (restored_ && comm.rank() == 0 && before_.weights.size() != (first_ - given_) * n_recorded)
        throw input_error("", "recorder/weights/" + wr.name + "/weights",
                          fmt::format("{} values; {} snapshots of {} synapses need {}", before_.weights.size(),
                                      first_ - given_, n_recorded, (first_ - given_) * n_recorded));
}

void weight_recorder::take_snapshots(per_thread& wp, step_t through) const {
    const auto& r = *wp.rows;
    for (const std::size_t due = spec_->weight_recorders[index_].due(through); wp.taken < due; ++wp.taken)
        for (auto k : wp.position) wp.snapshots.push_back(r.weight.empty() ? static_cast<float>(r.constant_weight) : r.weight[k]);
}

void weight_recorder::before_spike(std::size_t thread, step_t step) { take_snapshots(threads_[thread], step); }

// The next window's spikes are stamped after window_end.
void weight_recorder::after_window(std::size_t thread, step_t window_end) {
    take_snapshots(threads_[thread], window_end);
}

void weight_recorder::take_due(step_t now) {
    for (auto& wp : threads_) take_snapshots(wp, now);
}

void weight_recorder::after_row(std::size_t thread, std::size_t projection, std::uint64_t row, std::uint64_t b,
                                std::uint64_t e, step_t stamp) {
    const auto& wr = spec_->weight_recorders[index_];
    if (!wr.events || wr.projection != projection) return;
    auto& wp = threads_[thread];
    const auto& r = *wp.rows;
    for (std::uint64_t k = b; k < e; ++k)
        if (wp.selected[k]) {
            wp.event_stamp.push_back(stamp);
            wp.event_source.push_back(row);
            wp.event_target.push_back(wp.target_begin + (r.target(k) - wp.target_offset));
            wp.event_weight.push_back(r.weight.empty() ? static_cast<float>(r.constant_weight) : r.weight[k]);
        }
}

std::vector<weight_record> weight_recorder::gather(communicator& comm) const {
    const auto& wr = spec_->weight_recorders[index_];
    const double h = spec_->simulation.resolution_ms;
    const std::size_t taken = threads_.empty() ? first_ : threads_[0].taken;
    const std::size_t n_before = first_ - given_;  // restored (on rank 0)
    const std::size_t fresh = taken - first_;  // in the threads' buffers
    // The rank's synapses: its threads' one after the other, each thread's by (target,
    // source); snapshots [snapshot][rank's synapse].
    std::vector<std::uint64_t> source, target, event_source, event_target;
    std::vector<step_t> event_stamp;
    std::vector<float> event_weight;
    for (const auto& wp : threads_) {
        source.insert(source.end(), wp.source.begin(), wp.source.end());
        target.insert(target.end(), wp.target.begin(), wp.target.end());
        event_stamp.insert(event_stamp.end(), wp.event_stamp.begin(), wp.event_stamp.end());
        event_source.insert(event_source.end(), wp.event_source.begin(), wp.event_source.end());
        event_target.insert(event_target.end(), wp.event_target.begin(), wp.event_target.end());
        event_weight.insert(event_weight.end(), wp.event_weight.begin(), wp.event_weight.end());
    }
    std::vector<float> snapshots(fresh * source.size());
    std::size_t first = 0;
    for (const auto& wp : threads_) {
        const std::size_t own = wp.source.size();
        for (std::size_t s = 0; s < fresh; ++s)
            std::copy_n(wp.snapshots.begin() + static_cast<std::ptrdiff_t>(s * own), own,
                        snapshots.begin() + static_cast<std::ptrdiff_t>(s * source.size() + first));
        first += own;
    }
    const auto sources = gather_by_rank(comm, source);
    const auto targets = gather_concat(comm, target);
    const auto snaps = gather_by_rank(comm, snapshots);
    const auto stamps = gather_concat(comm, event_stamp);
    const auto ev_source = gather_concat(comm, event_source);
    const auto ev_target = gather_concat(comm, event_target);
    const auto ev_weight = gather_concat(comm, event_weight);
    if (comm.rank() != 0) return {};

    weight_record rec;
    rec.recorder = wr.name;
    rec.projection = wr.projection;
    for (std::size_t s = given_; s < taken; ++s) rec.times_ms.push_back(static_cast<double>(wr.time(s)) * h);
    // Synapses by (target, source): a target lies in one thread's block, whose synapses
    // are already in that order; the sort is stable over (rank, thread) order.
    struct synapse {
        std::uint64_t target, source;
        std::size_t rank, index;  // index among the rank's synapses
    };
    std::vector<synapse> all;
    for (std::size_t r = 0, at = 0; r < sources.size(); ++r)
        for (std::size_t i = 0; i < sources[r].size(); ++i, ++at) all.push_back({targets[at], sources[r][i], r, i});
    std::stable_sort(all.begin(), all.end(), [](const synapse& x, const synapse& y) {
        return std::tie(x.target, x.source) < std::tie(y.target, y.source);
    });
    for (const auto& x : all) {
        rec.source.push_back(x.source);
        rec.target.push_back(x.target);
    }
    const std::size_t n = all.size();
    rec.weights.resize((taken - given_) * n);
    if (restored_) std::copy(before_.weights.begin(), before_.weights.end(), rec.weights.begin());
    for (std::size_t s = 0; s < fresh; ++s)
        for (std::size_t j = 0; j < n; ++j) {
            const auto& x = all[j];
            rec.weights[(n_before + s) * n + j] = snaps[x.rank][s * sources[x.rank].size() + x.index];
        }
    // Events, with the restored ones, sorted.
    std::vector<std::tuple<double, std::uint64_t, std::uint64_t, float>> ev;
    if (restored_)
        for (std::size_t k = 0; k < before_.event_time_ms.size(); ++k)
            ev.emplace_back(before_.event_time_ms[k], before_.event_source[k], before_.event_target[k],
                            before_.event_weight[k]);
    for (std::size_t k = 0; k < stamps.size(); ++k)
        ev.emplace_back(static_cast<double>(stamps[k]) * h, ev_source[k], ev_target[k], ev_weight[k]);
    std::sort(ev.begin(), ev.end());
    for (const auto& [t, s, g, x] : ev) {
        rec.event_time_ms.push_back(t);
        rec.event_source.push_back(s);
        rec.event_target.push_back(g);
        rec.event_weight.push_back(x);
    }
    return {std::move(rec)};
}

std::vector<weight_record> weight_recorder::take(communicator& comm) {
    auto out = gather(comm);
    const std::size_t taken = threads_.empty() ? first_ : threads_[0].taken;
    given_ = first_ = taken;
    restored_ = false;
    before_ = weight_record{};
    for (auto& wp : threads_) {
        wp.snapshots.clear();
        wp.event_stamp.clear();
        wp.event_source.clear();
        wp.event_target.clear();
        wp.event_weight.clear();
    }
    return out;
}

// The snapshots not yet taken ([given_, taken)) and how many there are in all, so that
// a restore checks the count against the recorder's times.
void weight_recorder::save(checkpoint_writer& out, communicator& comm) {
    for (const auto& w : gather(comm)) {
        const std::string base = "recorder/weights/" + w.recorder + "/";
        write(out, base + "n_snapshots", std::vector<std::uint64_t>{given_ + w.times_ms.size()});
        write(out, base + "first_snapshot", std::vector<std::uint64_t>{given_});
        write(out, base + "weights", w.weights);
        write(out, base + "events/time", w.event_time_ms);
        write(out, base + "events/source", w.event_source);
        write(out, base + "events/target", w.event_target);
        write(out, base + "events/weight", w.event_weight);
    }
}

void weight_recorder::restore(checkpoint_reader& in, bool root, step_t now) {
    restored_ = true;
    if (!root) return;
    const auto& wr = spec_->weight_recorders[index_];
    const std::string base = "recorder/weights/" + wr.name + "/";
    const auto n_snapshots = read_all<std::uint64_t>(in, base + "n_snapshots", 1)[0];
    const std::uint64_t due = snapshots_before(now);
    if (n_snapshots != due)
        throw input_error("", base + "n_snapshots",
                          fmt::format("{}; the recorder's times give {} by step {}", n_snapshots, due, now));
    if (in.has(base + "first_snapshot")) given_ = read_all<std::uint64_t>(in, base + "first_snapshot", 1)[0];
    if (given_ > n_snapshots)
        throw input_error("", base + "first_snapshot", fmt::format("{}; there are {} snapshots", given_, n_snapshots));
    const std::uint64_t held = n_snapshots - given_;
    const std::uint64_t n_weights = in.size(base + "weights");
    if (held > 0 && n_weights % held != 0)
        throw input_error("", base + "weights", fmt::format("{} values for {} snapshots", n_weights, held));
    before_.weights = read_all<float>(in, base + "weights", n_weights);
    const std::uint64_t n_events = in.size(base + "events/time");
    before_.event_time_ms = read_all<double>(in, base + "events/time", n_events);
    before_.event_source = read_all<std::uint64_t>(in, base + "events/source", n_events);
    before_.event_target = read_all<std::uint64_t>(in, base + "events/target", n_events);
    before_.event_weight = read_all<float>(in, base + "events/weight", n_events);
}

}  // namespace myelin::detail
