#pragma once
// Statistics for comparisons:
//   ks_2samp: the two-sample Kolmogorov-Smirnov test, two-sided. D = sup |F_a - F_b|;
//       the p-value P(D' >= D) under H0 (both samples from one continuous distribution)
//       is exact (the lattice-path probability of Hodges 1958, computed as a probability
//       walk so that it neither overflows nor loses small p-values) for n_a * n_b up to
//       1e8, else Kolmogorov's limit Q(sqrt(n_a n_b / (n_a + n_b)) D) (scipy's
//       method="exact" and kstwobign.sf). Ties in the data change the true p-value; the
//       test assumes none, as scipy does.
//   permutation_test: the stimuli of B shuffled n times: p = (1 + #{null >= observed})
//       / (1 + n) (#{null <= observed} for a distance), never 0 (Phipson & Smyth 2010).
//   bootstrap_ci: stimuli drawn with replacement (the same rows of A and B), the measure
//       recomputed; the bias-corrected percentile interval (Efron 1981; Efron & Tibshirani
//       1993, ch. 14): with z0 = Phi^-1(share of resamples below the observed value), the
//       quantiles Phi(2 z0 + z_(alpha/2)) and Phi(2 z0 + z_(1-alpha/2)) of the resampled
//       values (numpy's linear rule). Resampling repeats stimuli, which shifts measures
//       such as the Procrustes distance; the plain percentile interval can then miss the
//       observed value altogether. When the observed value lies outside the central
//       `level` share of the resampled values (e.g. more than 97.5 % of them below it at
//       level 0.95) no correction holds and the interval is NaN: reported as such, not
//       hidden.
//       For RSA, pairs of copies
//       of one stimulus are left out of the RDMs (their distance is 0 by construction;
//       Nili et al. 2014's toolbox does the same).
// Both draw from counter-based streams (seed, purpose, permutation or resample index):
// the same seed gives the same numbers for any number of threads.
#include <myelin/analysis/representation.hpp>

#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace myelin::analysis {

struct ks_result {
    double statistic = 0.0, p_value = 1.0;
    bool exact = true;
};
ks_result ks_2samp(std::span<const double> a, std::span<const double> b);
double kolmogorov_sf(double x);  // P(K > x), K Kolmogorov's limit distribution

// One of the representation measures with its settings.
struct representation_measure {
    enum class kind { linear_cka, debiased_cka, rbf_cka, rsa, procrustes };
    kind which = kind::linear_cka;
    double rbf_fraction = 1.0;  // rbf_cka
    rdm_metric metric = rdm_metric::correlation;  // rsa
    rdm_comparison comparison = rdm_comparison::spearman;  // rsa

    std::string name() const;  // "linear CKA", "RSA (1 - r, Spearman)", ...
    bool is_distance() const { return which == kind::procrustes; }
    double operator()(const matrix& x, const matrix& y) const;
};

// Parses "linear_cka", "debiased_cka", "rbf_cka[:f]", "rsa[:correlation|euclidean[:spearman|kendall]]",
// "procrustes"; throws std::invalid_argument naming what is allowed.
representation_measure parse_measure(const std::string& text);

// Permutation k of 0..n-1 and bootstrap resample k (n indices drawn with replacement).
std::vector<std::size_t> permutation_indices(std::size_t n, std::uint64_t k, std::uint32_t seed);
std::vector<std::size_t> bootstrap_indices(std::size_t n, std::uint64_t k, std::uint32_t seed);

struct permutation_result {
    double observed = 0.0, p_value = 1.0, null_mean = 0.0, null_sd = 0.0;
    int n_permutations = 0;
};
permutation_result permutation_test(const matrix& x, const matrix& y, const representation_measure& m,
                                    int n_permutations, std::uint32_t seed);

struct interval {
    double low = 0.0, high = 0.0;
    int n_valid = 0;  // resamples with a defined value (CKA of a constant resample is NaN)
    double z0 = 0.0;  // the bias correction applied
};
interval bootstrap_ci(const matrix& x, const matrix& y, const representation_measure& m, int n_resamples,
                      double level, std::uint32_t seed);
// The measure on one bootstrap resample (rows `rows` of both).
double measure_on_rows(const matrix& x, const matrix& y, const representation_measure& m,
                       std::span<const std::size_t> rows);
double normal_quantile(double p);  // Phi^-1 (Boost.Math)
double normal_cdf(double z);       // Phi
// numpy.quantile with linear interpolation, of sorted values.
double quantile_sorted(std::span<const double> sorted, double q);

}  // namespace myelin::analysis
