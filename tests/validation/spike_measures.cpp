// Spike-train measures (analysis/spike_measures.hpp) against their definitions computed
// in numpy/scipy (tests/reference/analysis/make_spike_ref.py): LV, Fano factor,
// Victor-Purpura (several costs), van Rossum (several time constants, an empty train),
// Wasserstein-1, pairwise correlations of binned counts (with a silent train) and
// population synchrony. Relative 1e-12: the same sums in another order.
#include "support.hpp"

#include <myelin/analysis/spike_measures.hpp>

#include <catch2/catch.hpp>

#include <cmath>
#include <fstream>

using namespace myelin;
using namespace myelin::analysis;

TEST_CASE("spike-train measures equal numpy/scipy", "[validation][analysis]") {
    std::ifstream in(test::source_path("tests/data/analysis/spike_measures.json"));
    const auto r = test::json::parse(in);
    const auto a = r["a"].get<std::vector<double>>(), b = r["b"].get<std::vector<double>>(),
               g = r["gamma"].get<std::vector<double>>();
    auto close = [](double got, double want) { return std::abs(got - want) <= 1e-12 * std::max(1.0, std::abs(want)); };
    CHECK(close(local_variation(g), r["lv_gamma"]));
    CHECK(close(local_variation(a), r["lv_a"]));
    CHECK(close(fano_factor(g, 0.0, 4000.0, 50.0), r["fano_gamma_50"]));
    CHECK(close(fano_factor(a, 0.0, 1000.0, 100.0), r["fano_a_100"]));
    CHECK(close(wasserstein_1(a, b), r["wasserstein_ab"]));
    for (const auto& [q, want] : r["vp"].items()) {
        INFO("q = " << q);
        CHECK(close(victor_purpura(a, b, std::stod(q)), want));
    }
    for (const auto& [tau, want] : r["vr"].items()) {
        INFO("tau = " << tau);
        CHECK(close(van_rossum(a, b, std::stod(tau)), want));
    }
    CHECK(close(van_rossum(a, {}, 10.0), r["vr_empty"]));
    CHECK(close(victor_purpura(std::vector<double>{5.0}, std::vector<double>{7.5}, 0.5), r["vp_single"]));
    const auto trains = r["trains"].get<std::vector<std::vector<double>>>();
    const auto counts = binned_counts(trains, 0.0, 1000.0, 20.0);
    REQUIRE(counts[0].size() == 50);
    const auto cc = pairwise_correlations(counts);
    REQUIRE(cc.size() == r["correlations"].size());
    for (std::size_t k = 0; k < cc.size(); ++k) {
        INFO("pair " << k);
        if (r["correlations"][k].is_null())
            CHECK(std::isnan(cc[k]));
        else
            CHECK(close(cc[k], r["correlations"][k]));
    }
    CHECK(close(synchrony(counts), r["synchrony"]));
    CHECK(synchrony(binned_counts({a, a, a}, 0.0, 1000.0, 10.0)) == Approx(1.0).epsilon(1e-12));
    // Edge cases: too few spikes, silence.
    CHECK(std::isnan(local_variation(std::vector<double>{1.0, 2.0})));
    CHECK(std::isnan(fano_factor({}, 0.0, 100.0, 10.0)));
    CHECK(victor_purpura({}, std::vector<double>{1.0, 2.0}, 1.0) == 2.0);
    CHECK(van_rossum({}, {}, 5.0) == 0.0);
}
