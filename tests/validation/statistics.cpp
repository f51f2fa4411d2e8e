// Statistics for comparisons (analysis/statistics.hpp):
// - the two-sample Kolmogorov-Smirnov test against scipy.stats.ks_2samp(method="exact")
//   (tests/reference/analysis/make_stats_ref.py) and Kolmogorov's limit against
//   scipy.stats.kstwobign.sf: relative 1e-10 (scipy sums the same lattice-path
//   probabilities in another order and form; rounding grows with the n m terms summed);
// - Kendall's tau-a in O(n log n) against the direct count over all pairs, with ties;
// - permutation tests: the fast paths (permuted centred Gram matrices, permuted RDMs)
//   equal the measure recomputed on permuted rows, the same bits for 1 and 3 threads,
//   p-values uniform under independence (calibration over 300 seeds) and minimal for a
//   rotated copy;
// - bootstrap intervals: the bias-corrected percentile interval of the measure
//   recomputed on the drawn resamples (numpy.quantile's linear rule, checked against
//   numpy; Phi and its inverse against scipy.stats.norm), with RSA leaving out pairs of
//   copies of one stimulus.
#include "json_matrix.hpp"
#include "support.hpp"

#include <myelin/analysis/statistics.hpp>

#include <catch2/catch.hpp>
#include <omp.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <random>

using namespace myelin;
using namespace myelin::analysis;

namespace {

matrix random_matrix(int rows, int cols, unsigned seed) {
    std::mt19937_64 gen(seed);
    std::normal_distribution<double> normal;
    matrix m(rows, cols);
    for (Eigen::Index j = 0; j < m.cols(); ++j)
        for (Eigen::Index i = 0; i < m.rows(); ++i) m(i, j) = normal(gen);
    return m;
}

matrix take(const matrix& x, const std::vector<std::size_t>& rows) {
    matrix out(static_cast<Eigen::Index>(rows.size()), x.cols());
    for (std::size_t i = 0; i < rows.size(); ++i) out.row(static_cast<Eigen::Index>(i)) = x.row(static_cast<Eigen::Index>(rows[i]));
    return out;
}

std::vector<representation_measure> all_measures() {
    std::vector<representation_measure> ms;
    for (const char* t : {"linear_cka", "debiased_cka", "rbf_cka:0.5", "rsa", "rsa:euclidean:kendall", "procrustes"})
        ms.push_back(parse_measure(t));
    return ms;
}

}  // namespace

TEST_CASE("two-sample Kolmogorov-Smirnov test equals scipy", "[validation][analysis]") {
    std::ifstream in(test::source_path("tests/data/analysis/statistics.json"));
    const auto r = test::json::parse(in);
    auto close = [](double got, double want, double rel) { return std::abs(got - want) <= rel * std::abs(want) + 1e-300; };
    for (const auto& c : r["ks"]) {
        INFO(c["name"].get<std::string>());
        const auto a = c["a"].get<std::vector<double>>(), b = c["b"].get<std::vector<double>>();
        const auto ks = ks_2samp(a, b);
        CHECK(ks.exact);
        CHECK(close(ks.statistic, c["statistic"], 1e-15));
        CHECK(close(ks.p_value, c["p_value"], 1e-10));
        const auto swapped = ks_2samp(b, a);
        CHECK(swapped.statistic == ks.statistic);
        CHECK(close(swapped.p_value, ks.p_value, 1e-12));
    }
    for (const auto& [x, want] : r["kolmogorov_sf"].items()) {
        INFO("x = " << x);
        CHECK(close(kolmogorov_sf(std::stod(x)), want, 1e-10));
    }
    // Beyond 1e8 path points the limit distribution takes over.
    std::vector<double> a(12000), b(10000);
    for (std::size_t i = 0; i < a.size(); ++i) a[i] = static_cast<double>(i) / 12000.0;
    for (std::size_t i = 0; i < b.size(); ++i) b[i] = static_cast<double>(i) / 10000.0 + 0.01;
    const auto big = ks_2samp(a, b);
    CHECK_FALSE(big.exact);
    CHECK(big.p_value == Approx(kolmogorov_sf(std::sqrt(12000.0 * 10000.0 / 22000.0) * big.statistic)).epsilon(1e-15));
    CHECK_THROWS_AS(ks_2samp(std::vector<double>{}, a), std::invalid_argument);

    const auto sample = r["quantile_sample"].get<std::vector<double>>();
    auto sorted = sample;
    std::sort(sorted.begin(), sorted.end());
    for (const auto& [q, want] : r["quantiles"].items()) CHECK(close(quantile_sorted(sorted, std::stod(q)), want, 1e-15));
    for (const auto& [p, want] : r["norm_ppf"].items()) CHECK(close(normal_quantile(std::stod(p)), want, 1e-13));
    for (const auto& [z, want] : r["norm_cdf"].items()) CHECK(close(normal_cdf(std::stod(z)), want, 1e-13));
}

TEST_CASE("Kendall's tau-a counts every pair", "[validation][analysis]") {
    std::mt19937_64 gen(4);
    std::uniform_int_distribution<int> coarse(0, 6);
    std::normal_distribution<double> normal;
    for (int trial = 0; trial < 4; ++trial) {
        std::vector<double> a(300), b(300);
        for (std::size_t i = 0; i < a.size(); ++i) {
            a[i] = trial % 2 ? coarse(gen) : normal(gen);
            b[i] = trial / 2 ? coarse(gen) + 0.3 * a[i] : normal(gen) + a[i];
        }
        long long s = 0;
        for (std::size_t i = 0; i < a.size(); ++i)
            for (std::size_t j = i + 1; j < a.size(); ++j) {
                const int sa = (a[i] > a[j]) - (a[i] < a[j]), sb = (b[i] > b[j]) - (b[i] < b[j]);
                s += sa * sb;
            }
        CHECK(kendall_tau_a(a, b) == Approx(static_cast<double>(s) / (300.0 * 299.0 / 2.0)).epsilon(1e-15));
    }
}

TEST_CASE("permutation tests: fast paths, threads, calibration", "[validation][analysis]") {
    const matrix x = random_matrix(15, 6, 1), y = random_matrix(15, 4, 2) + 0.5 * random_matrix(15, 6, 1).leftCols(4);
    for (const auto& m : all_measures()) {
        INFO(m.name());
        omp_set_num_threads(1);
        const auto one = permutation_test(x, y, m, 60, 7);
        omp_set_num_threads(3);
        const auto three = permutation_test(x, y, m, 60, 7);
        CHECK(one.p_value == three.p_value);
        CHECK(one.null_mean == three.null_mean);
        CHECK(one.null_sd == three.null_sd);
        // The same statistics from the measure on permuted rows.
        double sum = 0.0;
        int extreme = 0;
        for (int k = 0; k < 60; ++k) {
            const double v = m(x, take(y, permutation_indices(15, static_cast<std::uint64_t>(k), 7)));
            sum += v;
            extreme += m.is_distance() ? v <= one.observed : v >= one.observed;
        }
        CHECK(one.observed == m(x, y));
        CHECK(one.null_mean == Approx(sum / 60.0).epsilon(1e-12));
        CHECK(one.p_value == (1.0 + extreme) / 61.0);
    }
    // A rotated copy beats every permutation.
    const matrix q = Eigen::HouseholderQR<matrix>(random_matrix(6, 6, 3)).householderQ();
    for (const auto& m : all_measures()) {
        INFO(m.name());
        CHECK(permutation_test(x, x * q, m, 99, 1).p_value == Approx(0.01));
    }
    // Independent representations: p-values roughly uniform. 300 tests: the fraction
    // below 0.05 has a binomial standard deviation of 0.0126; accept 0.05 +- 3 sd.
    int below = 0;
    const auto linear = parse_measure("linear_cka");
    for (unsigned s = 0; s < 300; ++s)
        below += permutation_test(random_matrix(12, 5, 100 + s), random_matrix(12, 3, 1000 + s), linear, 99, s).p_value <= 0.05;
    CHECK(below / 300.0 >= 0.05 - 3 * 0.0126);
    CHECK(below / 300.0 <= 0.05 + 3 * 0.0126);
}

TEST_CASE("bootstrap intervals are percentiles of the resampled measure", "[validation][analysis]") {
    const matrix x = random_matrix(20, 5, 5), y = x.leftCols(3) + 0.3 * random_matrix(20, 3, 6);
    for (const auto& m : all_measures()) {
        INFO(m.name());
        omp_set_num_threads(3);
        const auto ci = bootstrap_ci(x, y, m, 200, 0.9, 11);
        omp_set_num_threads(1);
        const auto again = bootstrap_ci(x, y, m, 200, 0.9, 11);
        CHECK(ci.low == again.low);
        CHECK(ci.high == again.high);
        std::vector<double> v;
        for (int k = 0; k < 200; ++k) {
            const auto rows = bootstrap_indices(20, static_cast<std::uint64_t>(k), 11);
            double value;
            if (m.which == representation_measure::kind::rsa) {
                // RDM entries of distinct stimuli only, from the full RDMs.
                const auto dx = rdm(x, m.metric), dy = rdm(y, m.metric);
                auto entry = [](const std::vector<double>& d, std::size_t i, std::size_t j) {
                    if (i > j) std::swap(i, j);
                    return d[i * 20 - i * (i + 1) / 2 + (j - i - 1)];
                };
                std::vector<double> a, b;
                for (std::size_t i = 0; i < 20; ++i)
                    for (std::size_t j = i + 1; j < 20; ++j)
                        if (rows[i] != rows[j]) {
                            a.push_back(entry(dx, rows[i], rows[j]));
                            b.push_back(entry(dy, rows[i], rows[j]));
                        }
                value = m.comparison == rdm_comparison::spearman ? spearman(a, b) : kendall_tau_a(a, b);
            } else {
                value = m(take(x, rows), take(y, rows));
            }
            CHECK(measure_on_rows(x, y, m, rows) == Approx(value).epsilon(1e-12));
            v.push_back(value);
        }
        std::sort(v.begin(), v.end());
        CHECK(ci.n_valid == 200);
        // Bias-corrected percentiles: z0 from the share below the observed value.
        const double observed = m(x, y);
        const double share = static_cast<double>(std::count_if(v.begin(), v.end(), [&](double u) { return u < observed; })) / 200.0;
        const double z0 = normal_quantile(share);
        CHECK(ci.z0 == Approx(z0).epsilon(1e-12));
        CHECK(ci.low == Approx(quantile_sorted(v, normal_cdf(2 * z0 - 1.6448536269514722))).epsilon(1e-12));
        CHECK(ci.high == Approx(quantile_sorted(v, normal_cdf(2 * z0 + 1.6448536269514722))).epsilon(1e-12));
        CHECK(ci.low <= m(x, y));
        CHECK(ci.high >= m(x, y));
    }
    CHECK_THROWS_AS(bootstrap_ci(x, y, parse_measure("linear_cka"), 10, 1.5, 1), std::invalid_argument);
    // Many units, few stimuli: repeated stimuli pull every resample's Procrustes distance
    // below the observed one, and the interval is refused.
    const matrix wide = random_matrix(12, 40, 8), other = random_matrix(12, 40, 9);
    const auto biased = bootstrap_ci(wide, other, parse_measure("procrustes"), 100, 0.95, 1);
    CHECK(std::isnan(biased.low));
    CHECK(std::isnan(biased.high));
}

TEST_CASE("measure names parse or are refused with what is allowed", "[unit][analysis]") {
    CHECK(parse_measure("rbf_cka:0.25").rbf_fraction == 0.25);
    CHECK(parse_measure("rbf_cka:0.25").name() == "RBF CKA (0.25 x median)");
    CHECK(parse_measure("rsa:euclidean:kendall").name() == "RSA (Euclidean, Kendall tau-a)");
    CHECK(parse_measure("procrustes").is_distance());
    for (const char* bad : {"cka", "rsa:cosine", "rbf_cka:-1", "rbf_cka:x", "linear_cka:2", "rsa:correlation:pearson:1"}) {
        INFO(bad);
        CHECK_THROWS_WITH(parse_measure(bad), Catch::Contains(bad));
    }
}
