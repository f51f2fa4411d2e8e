#include <myelin/analysis/spike_stats.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <stdexcept>

namespace myelin::analysis {

double cv_isi(std::span<const double> t) {
    if (t.size() < 3) return std::numeric_limits<double>::quiet_NaN();
    const std::size_t n = t.size() - 1;
    double mean = 0.0;
    for (std::size_t i = 0; i < n; ++i) mean += t[i + 1] - t[i];
    mean /= static_cast<double>(n);
    double var = 0.0;
    for (std::size_t i = 0; i < n; ++i) var += (t[i + 1] - t[i] - mean) * (t[i + 1] - t[i] - mean);
    var /= static_cast<double>(n);
    return mean > 0.0 ? std::sqrt(var) / mean : std::numeric_limits<double>::quiet_NaN();
}

population_stats spike_stats(std::string name, std::uint64_t n_neurons, std::span<const double> times_ms,
                             std::span<const std::uint64_t> node_ids, double t_start_ms, double t_stop_ms) {
    if (times_ms.size() != node_ids.size()) throw std::invalid_argument("spike_stats: times and ids differ in length");
    population_stats s;
    s.name = std::move(name);
    s.n_neurons = n_neurons;

    // Group spike times by neuron (counting sort), then sort each neuron's times.
    std::vector<std::uint64_t> start(n_neurons + 1, 0);
    for (std::size_t i = 0; i < times_ms.size(); ++i)
        if (times_ms[i] >= t_start_ms && times_ms[i] < t_stop_ms) {
            if (node_ids[i] >= n_neurons) throw std::out_of_range("spike_stats: node id beyond population size");
            ++start[node_ids[i] + 1];
        }
    std::partial_sum(start.begin(), start.end(), start.begin());
    s.n_spikes = start.back();
    std::vector<double> grouped(s.n_spikes);
    std::vector<std::uint64_t> fill(start.begin(), start.end() - 1);
    for (std::size_t i = 0; i < times_ms.size(); ++i)
        if (times_ms[i] >= t_start_ms && times_ms[i] < t_stop_ms) grouped[fill[node_ids[i]]++] = times_ms[i];

    double cv_sum = 0.0;
    for (std::uint64_t n = 0; n < n_neurons; ++n) {
        auto first = grouped.begin() + static_cast<std::ptrdiff_t>(start[n]);
        auto last = grouped.begin() + static_cast<std::ptrdiff_t>(start[n + 1]);
        std::sort(first, last);
        const double cv = cv_isi({&*grouped.begin() + start[n], static_cast<std::size_t>(last - first)});
        if (!std::isnan(cv)) {
            cv_sum += cv;
            ++s.n_cv;
        }
    }
    const double duration_s = (t_stop_ms - t_start_ms) * 1e-3;
    s.mean_rate_Hz = n_neurons > 0 && duration_s > 0
                         ? static_cast<double>(s.n_spikes) / (static_cast<double>(n_neurons) * duration_s)
                         : 0.0;
    s.mean_cv_isi = s.n_cv > 0 ? cv_sum / static_cast<double>(s.n_cv) : std::numeric_limits<double>::quiet_NaN();
    return s;
}

spike_stats_accumulator::spike_stats_accumulator(std::string name, std::uint64_t n_neurons)
    : name_(std::move(name)), neurons_(n_neurons) {}

void spike_stats_accumulator::add(std::span<const double> times_ms, std::span<const std::uint64_t> node_ids) {
    if (times_ms.size() != node_ids.size()) throw std::invalid_argument("spike_stats: times and ids differ in length");
    for (std::size_t i = 0; i < times_ms.size(); ++i) {
        if (node_ids[i] >= neurons_.size()) throw std::out_of_range("spike_stats: node id beyond population size");
        neuron& n = neurons_[node_ids[i]];
        if (n.spikes > 0) {
            const double isi = times_ms[i] - n.last;
            const double k = static_cast<double>(n.spikes);  // ISIs including this one
            const double delta = isi - n.mean;
            n.mean += delta / k;
            n.m2 += delta * (isi - n.mean);
        }
        n.last = times_ms[i];
        ++n.spikes;
    }
    spikes_ += times_ms.size();
}

population_stats spike_stats_accumulator::result(double t_start_ms, double t_stop_ms) const {
    population_stats s;
    s.name = name_;
    s.n_neurons = neurons_.size();
    s.n_spikes = spikes_;
    double cv_sum = 0.0;
    for (const neuron& n : neurons_) {
        if (n.spikes < 3 || !(n.mean > 0.0)) continue;  // as cv_isi
        cv_sum += std::sqrt(n.m2 / static_cast<double>(n.spikes - 1)) / n.mean;
        ++s.n_cv;
    }
    const double duration_s = (t_stop_ms - t_start_ms) * 1e-3;
    s.mean_rate_Hz = s.n_neurons > 0 && duration_s > 0
                         ? static_cast<double>(s.n_spikes) / (static_cast<double>(s.n_neurons) * duration_s)
                         : 0.0;
    s.mean_cv_isi = s.n_cv > 0 ? cv_sum / static_cast<double>(s.n_cv) : std::numeric_limits<double>::quiet_NaN();
    return s;
}

std::string format_stats_table(const std::vector<population_stats>& stats) {
    std::string out = fmt::format("{:<16} {:>10} {:>12} {:>12} {:>10}\n", "population", "neurons", "spikes",
                                  "rate (Hz)", "CV ISI");
    for (const auto& s : stats) {
        const std::string cv = std::isnan(s.mean_cv_isi) ? "n/a" : fmt::format("{:.3f}", s.mean_cv_isi);
        out += fmt::format("{:<16} {:>10} {:>12} {:>12.3f} {:>10}\n", s.name, s.n_neurons, s.n_spikes, s.mean_rate_Hz,
                           cv);
    }
    return out;
}

}  // namespace myelin::analysis
