#include <myelin/simulator/post_history.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace myelin {

post_history::post_history(std::vector<std::uint16_t> group, std::size_t n_groups, double h_ms, step_t horizon)
    : group_(std::move(group)), traces_(n_groups), lists_(group_.size()), h_(h_ms), horizon_(horizon) {}

std::size_t post_history::add_trace(std::size_t g, trace_spec trace) {
    auto& list = traces_[g];
    const auto it = std::find(list.begin(), list.end(), trace);
    if (it != list.end()) return static_cast<std::size_t>(it - list.begin());
    if (list.size() == max_post_traces)
        throw std::length_error(fmt::format("more than {} distinct postsynaptic traces (time constant and pairing) "
                                            "asked of one population",
                                            max_post_traces));
    list.push_back(trace);
    return list.size() - 1;
}

void post_history::set_incoming(std::vector<std::uint32_t> n_incoming) { incoming_ = std::move(n_incoming); }

void post_history::add_spike(std::uint32_t neuron, step_t t) {
    list& l = lists_[neuron];
    const auto& traces = traces_[group_[neuron]];
    post_entry x;
    x.t = t;
    if (l.head < l.e.size()) {
        const post_entry& last = l.e.back();
        const double dt_ms = static_cast<double>(t - last.t) * h_;
        for (std::size_t s = 0; s < traces.size(); ++s) {
            const double decay = std::exp(-dt_ms / traces[s].tau_ms);
            x.before[s] = traces[s].nearest ? decay : (last.before[s] + 1.0) * decay;
        }
    }
    // Drop the front while every synapse has read it and the spike after it is old enough
    // to answer every trace look-up still to come.
    const std::uint32_t n_in = incoming_[neuron];
    while (l.e.size() - l.head > 1 && l.e[l.head].reads >= n_in && l.e[l.head + 1].t < t - horizon_) ++l.head;
    if (l.head > 32 && 2 * l.head > l.e.size()) {
        l.e.erase(l.e.begin(), l.e.begin() + static_cast<std::ptrdiff_t>(l.head));
        l.head = 0;
    }
    l.e.push_back(x);
}

std::span<const post_entry> post_history::read(std::uint32_t neuron, step_t t1, step_t t2) {
    list& l = lists_[neuron];
    const auto begin = l.e.begin() + static_cast<std::ptrdiff_t>(l.head);
    // Usually the spikes asked for are the newest few: search from the back.
    auto e = l.e.end();
    while (e != begin && (e - 1)->t > t2) --e;
    auto b = e;
    while (b != begin && (b - 1)->t > t1) --b;
    for (auto it = b; it != e; ++it) ++it->reads;
    return {l.e.data() + (b - l.e.begin()), static_cast<std::size_t>(e - b)};
}

double post_history::trace_at(std::uint32_t neuron, std::size_t slot, step_t t) const {
    const list& l = lists_[neuron];
    for (std::size_t k = l.e.size(); k > l.head; --k) {
        const post_entry& x = l.e[k - 1];
        if (x.t >= t) continue;
        const trace_spec& tr = traces_[group_[neuron]][slot];
        const double decay = std::exp(-static_cast<double>(t - x.t) * h_ / tr.tau_ms);
        return tr.nearest ? decay : (x.before[slot] + 1.0) * decay;
    }
    return 0.0;
}

std::span<const post_entry> post_history::entries(std::uint32_t neuron) const {
    const list& l = lists_[neuron];
    return {l.e.data() + l.head, l.e.size() - l.head};
}

void post_history::restore(std::uint32_t neuron, std::vector<post_entry> entries) {
    lists_[neuron].e = std::move(entries);
    lists_[neuron].head = 0;
}

std::uint64_t post_history::bytes() const {
    std::uint64_t n = lists_.size() * sizeof(list) + incoming_.size() * sizeof(std::uint32_t) +
                      group_.size() * sizeof(std::uint16_t);
    for (const auto& l : lists_) n += l.e.capacity() * sizeof(post_entry);
    return n;
}

}  // namespace myelin
