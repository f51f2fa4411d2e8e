#pragma once
// Comparing representations: matrices of stimuli x units (rows: the same stimuli in the
// same order for both; the numbers of units may differ).
//
// CKA (centred kernel alignment; Kornblith, Norouzi, Lee & Hinton 2019, ICML) with their
// reference code's conventions: CKA = <Kc, Lc> / (|Kc| |Lc|) for Gram matrices K, L,
// centred as H K H (H = I - 11'/n), or, debiased, with the centring of the unbiased HSIC
// estimator (Song et al. 2012): zero diagonal, column sums / (n - 2), minus their total
// / (2 (n - 1)), subtracted from rows and columns, diagonal zeroed again. Kernels: linear
// (X X') and RBF exp(-d^2 / (2 (f m)^2)) with m^2 the median of all squared distances
// (diagonal included) and f the chosen fraction. Undefined (NaN) when a representation
// is constant over the stimuli (its centred Gram matrix vanishes).
//
// RSA (representational similarity analysis; Kriegeskorte, Mur & Bandettini 2008): the
// upper triangles of two RDMs (1 - Pearson correlation between stimuli, or Euclidean
// distance), compared by Spearman's rho (average ranks for ties) or Kendall's tau-a
// (concordant minus discordant pairs over all pairs; ties count 0, as advised by
// Nili et al. 2014 for RDMs with ties). Values within 1e-12 of the largest magnitude
// in their list count as tied: RDM entries equal in exact arithmetic differ in their last
// bits otherwise.
//
// Orthogonal Procrustes distance (Williams, Kunz, Kornblith & Linderman 2021): each
// representation centred and scaled to unit Frobenius norm, the narrower padded with zero
// columns; min over orthogonal R of |X R - Y|_F = sqrt(2 - 2 |X'Y|_*), in [0, 2].
#include <Eigen/Dense>

#include <span>
#include <vector>

namespace myelin::analysis {

using matrix = Eigen::MatrixXd;

matrix gram_linear(const matrix& x);
matrix gram_rbf(const matrix& x, double fraction);
matrix center_gram(const matrix& gram, bool unbiased);
double cka(const matrix& gram_x, const matrix& gram_y, bool debiased = false);
double linear_cka(const matrix& x, const matrix& y, bool debiased = false);
double rbf_cka(const matrix& x, const matrix& y, double fraction = 1.0, bool debiased = false);

enum class rdm_metric { correlation, euclidean };
enum class rdm_comparison { spearman, kendall_tau_a };
// The upper triangle (i < j, row by row: scipy's pdist order) of the RDM of x's rows.
std::vector<double> rdm(const matrix& x, rdm_metric metric);
std::vector<double> average_ranks(std::span<const double> v);  // 1-based, ties averaged
double pearson(std::span<const double> a, std::span<const double> b);
double spearman(std::span<const double> a, std::span<const double> b);
double kendall_tau_a(std::span<const double> a, std::span<const double> b);
double rsa(const matrix& x, const matrix& y, rdm_metric metric = rdm_metric::correlation,
           rdm_comparison comparison = rdm_comparison::spearman);

double procrustes_distance(const matrix& x, const matrix& y);

}  // namespace myelin::analysis
