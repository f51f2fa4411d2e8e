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

// The CV of one neuron's ISIs from its sorted spike times; NaN with fewer than 3 spikes.
double cv_isi(std::span<const double> sorted_times_ms);

// A table: population, neurons, spikes, rate, CV; one line each.
std::string format_stats_table(const std::vector<population_stats>& stats);

}  // namespace myelin::analysis
