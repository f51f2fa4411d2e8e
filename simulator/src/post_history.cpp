#include <myelin/simulator/detail/post_history.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdlib>
#include <map>
#include <mutex>
#include <stdexcept>
#include <string_view>

namespace myelin {

bool lanes_available() {
#ifdef MYELIN_LANES
    const char* env = std::getenv("MYELIN_SIMD");
    return __builtin_cpu_supports("avx2") && !(env && std::string_view(env) == "off");
#else
    return false;
#endif
}

decay_table::decay_table(double tau_ms, double h_ms) : tau_(tau_ms), h_(h_ms) {
    // The tables made so far that are still in use, by time constant and step.
    static std::mutex mutex;
    static std::map<std::pair<double, double>, std::weak_ptr<const std::vector<double>>> made;
    const std::lock_guard lock(mutex);
    auto& slot = made[{tau_ms, h_ms}];
    table_ = slot.lock();
    if (!table_) {
        // Twenty time constants or more, as a power of 2 (decay_view::in_table masks its
        // indices), at most 4096 steps: beyond, std::exp is called (a row silent for
        // eight time constants, 160 ms at 20 ms, is not rare).
        const auto n = std::bit_ceil(static_cast<std::size_t>(std::min(4096.0, std::ceil(20.0 * tau_ms / h_ms))));
        std::vector<double> table(n);
        for (std::size_t dt = 0; dt < n; ++dt) table[dt] = std::exp(-static_cast<double>(dt) * h_ / tau_);
        table_ = std::make_shared<const std::vector<double>>(std::move(table));
        slot = table_;
    }
    // exp(-x) is 0 in double from x = 745.2 on; 750 leaves room for the rounding of dt h / tau.
    const double zero = std::ceil(750.0 * tau_ms / h_ms);
    if (zero < 0x1p62) zero_from_ = static_cast<step_t>(zero);
}

post_history::post_history(std::vector<std::uint16_t> group, std::size_t n_groups, double h_ms, step_t horizon)
    : group_(std::move(group)), traces_(n_groups), depth_(n_groups, 3), decay_(n_groups), lists_(group_.size()), h_(h_ms),
      horizon_(horizon) {}

std::size_t post_history::add_trace(std::size_t g, trace_spec trace) {
    auto& list = traces_[g];
    const auto it = std::find(list.begin(), list.end(), trace);
    if (it != list.end()) return static_cast<std::size_t>(it - list.begin());
    if (list.size() == max_post_traces)
        throw std::length_error(fmt::format("more than {} distinct postsynaptic traces (time constant and pairing) "
                                            "asked of one population",
                                            max_post_traces));
    decay_[g][list.size()] = decay_table(trace.tau_ms, h_);
    list.push_back(trace);
    depth_[g] = list.size() == 1 ? 3 : 2;
    return list.size() - 1;
}

void post_history::set_incoming(std::vector<std::uint32_t> n_incoming) {
    incoming_ = std::move(n_incoming);
    records_.assign(group_.size(), record{});
    const bool more = std::any_of(traces_.begin(), traces_.end(), [](const auto& t) { return t.size() > 2; });
    more_.assign(more ? group_.size() : 0, {});
}

void post_history::add_spike(std::uint32_t neuron, step_t t) {
    list& l = lists_[neuron];
    record& r = records_[neuron];
    const std::size_t g = group_[neuron], n_traces = traces_[g].size(), depth = depth_[g];
    post_entry x;
    x.t = t;
    if (!l.e.empty())
        for (std::size_t s = 0; s < n_traces; ++s)
            x.before[s] = (traces_[g][s].nearest ? 1.0 : before(neuron, r, s, 0) + 1.0) * decay_[g][s](t - r.t[0]);
    l.e.push_back(x);
    r.t = {t, r.t[0], r.t[1], r.t[2]};
    for (std::size_t s = 0; s < n_traces; ++s) {
        for (std::size_t i = depth - 1; i > 0; --i) set_before(neuron, r, s, i, before(neuron, r, s, i - 1));
        set_before(neuron, r, s, 0, x.before[s]);
    }
}

void post_history::prune(std::uint32_t neuron, step_t read_to, step_t now) {
    list& l = lists_[neuron];
    while (l.e.size() - l.head > 1 && l.e[l.head].t <= read_to && l.e[l.head + 1].t < now - horizon_) ++l.head;
    if (l.head > 32 && 2 * l.head > l.e.size()) {
        l.e.erase(l.e.begin(), l.e.begin() + static_cast<std::ptrdiff_t>(l.head));
        l.head = 0;
    }
}

double post_history::trace_from_list(std::uint32_t neuron, std::size_t slot, step_t t) const {
    const list& l = lists_[neuron];
    for (std::size_t k = l.e.size(); k > l.head; --k) {
        const post_entry& x = l.e[k - 1];
        if (x.t < t) return after(neuron, slot, x) * decay_[group_[neuron]][slot](t - x.t);
    }
    return 0.0;
}

std::vector<post_entry> post_history::entries(std::uint32_t neuron) const {
    const list& l = lists_[neuron];
    return {l.e.begin() + static_cast<std::ptrdiff_t>(l.head), l.e.end()};
}

void post_history::restore(std::uint32_t neuron, std::vector<post_entry> entries) {
    list& l = lists_[neuron];
    record& r = records_[neuron];
    l.e = std::move(entries);
    l.head = 0;
    r = record{};
    if (!more_.empty()) more_[neuron] = {};
    const std::size_t n = l.e.size(), n_traces = traces_[group_[neuron]].size(), depth = depth_[group_[neuron]];
    for (std::size_t i = 0; i < r.t.size() && i < n; ++i) {
        const post_entry& x = l.e[n - 1 - i];
        r.t[i] = x.t;
        if (i < depth)
            for (std::size_t s = 0; s < n_traces; ++s) set_before(neuron, r, s, i, x.before[s]);
    }
}

std::uint64_t post_history::bytes() const {
    std::uint64_t n = lists_.size() * sizeof(list) + incoming_.size() * sizeof(std::uint32_t) +
                      group_.size() * sizeof(std::uint16_t) + records_.size() * sizeof(record) + depth_.size() +
                      more_.size() * sizeof(more_[0]);
    for (const auto& l : lists_) n += l.e.capacity() * sizeof(post_entry);
    return n;
}

}  // namespace myelin
