#pragma once
// Spike-train statistics of a population: mean rate and the coefficient of variation of
// inter-spike intervals (CV = std / mean of a neuron's ISIs, population std as in
// Elephant; averaged over the neurons with at least two ISIs).
#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace myelin::analysis {

struct population_stats {
    std::string name;
    std::uint64_t n_neurons = 0;
    std::uint64_t n_spikes = 0;
    double mean_rate_Hz = 0.0;   // spikes / (neurons * duration)
    double mean_cv_isi = 0.0;    // NaN if no neuron has two ISIs
    std::uint64_t n_cv = 0;      // neurons that entered the CV mean
};

// times_ms[i] and node_ids[i] describe spike i (any order); ids are population-local
// and must be < n_neurons. Only spikes in [t_start_ms, t_stop_ms) count.
population_stats spike_stats(std::string name, std::uint64_t n_neurons, std::span<const double> times_ms,
                             std::span<const std::uint64_t> node_ids, double t_start_ms, double t_stop_ms);

// spike_stats of spikes that arrive in batches, in memory that does not grow with their
// number (per neuron: spikes, the last time, the running mean and squared deviations of
// its ISIs by Welford's update), for runs that stream their spikes to a file. Each
// neuron's spikes must come in time order. The CV equals spike_stats' two-pass value to
// rounding (relative differences ~1e-15).
class spike_stats_accumulator {
public:
    spike_stats_accumulator(std::string name, std::uint64_t n_neurons);
    void add(std::span<const double> times_ms, std::span<const std::uint64_t> node_ids);
    // Every spike added counts (the caller adds those of [t_start_ms, t_stop_ms)).
    population_stats result(double t_start_ms, double t_stop_ms) const;

private:
    struct neuron {
        std::uint64_t spikes = 0;
        double last = 0.0, mean = 0.0, m2 = 0.0;  // over its spikes - 1 ISIs
    };
    std::string name_;
    std::vector<neuron> neurons_;
    std::uint64_t spikes_ = 0;
};

// The CV of one neuron's ISIs from its sorted spike times; NaN with fewer than 3 spikes.
double cv_isi(std::span<const double> sorted_times_ms);

// A table: population, neurons, spikes, rate, CV; one line each.
std::string format_stats_table(const std::vector<population_stats>& stats);

}  // namespace myelin::analysis
