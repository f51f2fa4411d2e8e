// Representation comparisons (analysis/representation.hpp) against numpy/scipy
// (tests/reference/analysis/make_repr_ref.py: Kornblith et al.'s CKA conventions written
// out in numpy, scipy's pdist, spearmanr and orthogonal_procrustes, Kendall's tau-a by
// its definition): random representations of 20 stimuli (8 and 5 units), integer ones
// with many tied distances, and a constant one. Tolerance 1e-10 absolute: the values are
// O(1) sums of O(n^2) products, computed in double in both; rounding is ~1e-14.
#include "json_matrix.hpp"
#include "support.hpp"

#include <myelin/analysis/representation.hpp>

#include <catch2/catch.hpp>

#include <cmath>
#include <fstream>

using namespace myelin;
using namespace myelin::analysis;

namespace {

matrix from_json(const test::json& rows) { return test::matrix_from_json(rows); }

}  // namespace

TEST_CASE("CKA, RSA and Procrustes distance equal numpy/scipy", "[validation][analysis]") {
    std::ifstream in(test::source_path("tests/data/analysis/representation.json"));
    const auto cases = test::json::parse(in)["cases"];
    for (const std::string name : {"random", "ties"}) {
        INFO(name);
        const auto& c = cases[name];
        const matrix x = from_json(c["x"]), y = from_json(c["y"]);
        auto check = [&](double got, const char* key) {
            INFO(key << ": " << got << ", reference " << c[key].get<double>());
            CHECK(std::abs(got - c[key].get<double>()) <= 1e-10);
        };
        check(linear_cka(x, y), "cka_linear");
        check(linear_cka(x, y, true), "cka_linear_debiased");
        check(rbf_cka(x, y, 0.5), "cka_rbf_0.5");
        check(rbf_cka(x, y, 1.0), "cka_rbf_1");
        check(rbf_cka(x, y, 1.0, true), "cka_rbf_1_debiased");
        const auto r = rdm(x, rdm_metric::correlation);
        REQUIRE(r.size() == c["rdm_correlation_x"].size());
        for (std::size_t k = 0; k < r.size(); ++k) REQUIRE(std::abs(r[k] - c["rdm_correlation_x"][k].get<double>()) <= 1e-12);
        check(rsa(x, y, rdm_metric::correlation, rdm_comparison::spearman), "rsa_correlation_spearman");
        check(rsa(x, y, rdm_metric::correlation, rdm_comparison::kendall_tau_a), "rsa_correlation_kendall_tau_a");
        check(rsa(x, y, rdm_metric::euclidean, rdm_comparison::spearman), "rsa_euclidean_spearman");
        check(rsa(x, y, rdm_metric::euclidean, rdm_comparison::kendall_tau_a), "rsa_euclidean_kendall_tau_a");
        check(procrustes_distance(x, y), "procrustes");
    }
    SECTION("a constant representation has no CKA") {
        const auto& c = cases["constant"];
        CHECK(std::isnan(linear_cka(from_json(c["x"]), from_json(c["y"]))));
    }
}

TEST_CASE("representation measures on known cases", "[unit][analysis]") {
    rng_stream rng(4, 0, 1);
    matrix x(15, 6);
    for (Eigen::Index i = 0; i < x.rows(); ++i)
        for (Eigen::Index j = 0; j < x.cols(); ++j) x(i, j) = rng.normal();
    // Invariances CKA promises: orthogonal transforms and isotropic scaling (linear), and a
    // representation against itself.
    const Eigen::HouseholderQR<matrix> qr(matrix::Random(6, 6));
    const matrix q = qr.householderQ();
    CHECK(linear_cka(x, x) == Approx(1.0).epsilon(1e-12));
    CHECK(linear_cka(x, 3.0 * x * q) == Approx(1.0).epsilon(1e-12));
    CHECK(rbf_cka(x, x * q, 0.8) == Approx(1.0).epsilon(1e-12));
    CHECK(procrustes_distance(x, 2.0 * x * q + matrix::Constant(15, 6, 5.0)) <= 1e-7);
    CHECK(rsa(x, x) == Approx(1.0).epsilon(1e-12));
    // Ranks with ties; tau-a counts tied pairs as 0.
    const std::vector<double> v = {3, 1, 3, 2}, w = {1, 2, 3, 4};
    CHECK(average_ranks(v) == std::vector<double>{3.5, 1, 3.5, 2});
    CHECK(kendall_tau_a(v, w) == Approx((-1.0 + 0.0 - 1.0 + 1.0 + 1.0 - 1.0) / 6.0));
    CHECK_THROWS_AS(linear_cka(x, x.topRows(10)), std::invalid_argument);
}
