#include <myelin/simulator/post_history.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace myelin {

decay_table::decay_table(double tau_ms, double h_ms) : tau_(tau_ms), h_(h_ms) {
    // Eight time constants (the trace is then below 3.4e-4 of a spike), at most 4096 steps.
    const auto n = static_cast<std::size_t>(std::min(4096.0, std::ceil(8.0 * tau_ms / h_ms)));
    table_.resize(n);
    for (std::size_t dt = 0; dt < n; ++dt) table_[dt] = exact(static_cast<step_t>(dt));
}

post_history::post_history(std::vector<std::uint16_t> group, std::size_t n_groups, double h_ms, step_t horizon)
    : group_(std::move(group)), traces_(n_groups), decay_(n_groups), lists_(group_.size()), h_(h_ms),
      horizon_(horizon) {}

std::size_t post_history::add_trace(std::size_t g, trace_spec trace) {
    auto& list = traces_[g];
    const auto it = std::find(list.begin(), list.end(), trace);
    if (it != list.end()) return static_cast<std::size_t>(it - list.begin());
    if (list.size() == max_post_traces)
        throw std::length_error(fmt::format("more than {} distinct postsynaptic traces (time constant and pairing) "
                                            "asked of one population",
                                            max_post_traces));
    list.push_back(trace);
    decay_[g].emplace_back(trace.tau_ms, h_);
    return list.size() - 1;
}

void post_history::set_incoming(std::vector<std::uint32_t> n_incoming) {
    incoming_ = std::move(n_incoming);
    stride_ = 1;
    for (const auto& t : traces_) stride_ = std::max(stride_, t.size());
    summary_.assign(group_.size(), summary{});
    before_last_.assign(group_.size() * stride_, 0.0);
    after_prev_.assign(group_.size() * stride_, 0.0);
}

void post_history::add_spike(std::uint32_t neuron, step_t t) {
    list& l = lists_[neuron];
    summary& n = summary_[neuron];
    const std::size_t n_traces = traces_[group_[neuron]].size();
    post_entry x;
    x.t = t;
    if (!l.e.empty()) {
        l.e.back().reads = n.reads;
        for (std::size_t s = 0; s < n_traces; ++s) {
            x.before[s] = after_last(neuron, s) * decay_[group_[neuron]][s](t - n.t);
            after_prev_[neuron * stride_ + s] = after_last(neuron, s);
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
    n.t_prev = n.t;
    n.t = t;
    n.reads = 0;
    for (std::size_t s = 0; s < n_traces; ++s) before_last_[neuron * stride_ + s] = x.before[s];
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
    std::vector<post_entry> out(l.e.begin() + static_cast<std::ptrdiff_t>(l.head), l.e.end());
    if (!out.empty()) out.back().reads = summary_[neuron].reads;
    return out;
}

void post_history::restore(std::uint32_t neuron, std::vector<post_entry> entries) {
    list& l = lists_[neuron];
    summary& n = summary_[neuron];
    l.e = std::move(entries);
    l.head = 0;
    n = summary{};
    if (l.e.empty()) return;
    const std::size_t k = l.e.size() - 1, n_traces = traces_[group_[neuron]].size();
    n.t = l.e[k].t;
    n.reads = l.e[k].reads;
    if (k > 0) n.t_prev = l.e[k - 1].t;
    for (std::size_t s = 0; s < n_traces; ++s) {
        before_last_[neuron * stride_ + s] = l.e[k].before[s];
        after_prev_[neuron * stride_ + s] = k > 0 ? after(neuron, s, l.e[k - 1]) : 0.0;
    }
}

std::uint64_t post_history::bytes() const {
    std::uint64_t n = lists_.size() * sizeof(list) + incoming_.size() * sizeof(std::uint32_t) +
                      group_.size() * sizeof(std::uint16_t) + summary_.size() * sizeof(summary) +
                      (before_last_.size() + after_prev_.size()) * sizeof(double);
    for (const auto& l : lists_) n += l.e.capacity() * sizeof(post_entry);
    return n;
}

}  // namespace myelin
