#pragma once
// Measures of spike trains (sorted spike times in ms) and of samples:
//   local_variation: LV = 3/(n-1) sum_i ((I_i - I_(i+1)) / (I_i + I_(i+1)))^2 over the n
//       ISIs I_i (Shinomoto, Shima & Tanji 2003, Neural Comput 15:2823): 1 for Poisson,
//       0 for regular firing, independent of slow rate changes; NaN below 3 spikes.
//   fano_factor: variance / mean of the counts in consecutive windows of `window_ms`
//       from t_start (population variance; NaN if no spike).
//   victor_purpura: the cheapest way to turn one train into the other by deleting or
//       inserting spikes (cost 1) and shifting them (cost q per ms) (Victor & Purpura
//       1996, J Neurophysiol 76:1310).
//   van_rossum: sqrt(integral of (f - g)^2 dt / tau) for the trains filtered with
//       exp(-t/tau) (van Rossum 2001, Neural Comput 13:751), in closed form.
//   wasserstein_1: the earth mover's distance between two samples' distributions (as
//       scipy.stats.wasserstein_distance).
//   binned_counts: spikes of each train in consecutive bins from t_start (trains x bins).
//   pairwise_correlations: Pearson r of the binned counts of every pair i < j (row by
//       row); NaN for a pair with a train whose counts do not vary (silent neurons).
//   synchrony: chi = sqrt(var_t(mean_i x_i(t)) / mean_i var_t(x_i(t))) of binned counts
//       (Golomb 2007, Scholarpedia 2:1347): 1 for identical trains, ~1/sqrt(N) for
//       independent ones; NaN if no train varies.
#include <span>
#include <vector>

namespace myelin::analysis {

double local_variation(std::span<const double> sorted_times_ms);
double fano_factor(std::span<const double> times_ms, double t_start_ms, double t_stop_ms, double window_ms);
double victor_purpura(std::span<const double> a_ms, std::span<const double> b_ms, double q_per_ms);
double van_rossum(std::span<const double> a_ms, std::span<const double> b_ms, double tau_ms);
double wasserstein_1(std::span<const double> a, std::span<const double> b);
std::vector<std::vector<double>> binned_counts(const std::vector<std::vector<double>>& trains_ms, double t_start_ms,
                                               double t_stop_ms, double bin_ms);
std::vector<double> pairwise_correlations(const std::vector<std::vector<double>>& counts);
double synchrony(const std::vector<std::vector<double>>& counts);

}  // namespace myelin::analysis
