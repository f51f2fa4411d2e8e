#include <myelin/analysis/spike_stats.hpp>

#include <catch2/catch.hpp>

#include <cmath>

using namespace myelin;
using Catch::Matchers::WithinRel;

TEST_CASE("spike_stats: rate and CV of hand-computed trains", "[unit][analysis]") {
    // Neuron 0: regular, ISIs 10 10 10 -> CV 0. Neuron 1: ISIs 10 and 30 -> mean 20,
    // population sd 10 -> CV 0.5. Neuron 2: two spikes only -> no CV. Neuron 3 silent.
    const std::vector<double> t = {10, 20, 30, 40, 5, 15, 45, 50, 60};
    const std::vector<std::uint64_t> id = {0, 0, 0, 0, 1, 1, 1, 2, 2};
    const auto s = analysis::spike_stats("P", 4, t, id, 0.0, 100.0);
    REQUIRE(s.n_spikes == 9);
    REQUIRE_THAT(s.mean_rate_Hz, WithinRel(9.0 / (4 * 0.1), 1e-12));
    REQUIRE(s.n_cv == 2);
    REQUIRE_THAT(s.mean_cv_isi, WithinRel(0.25, 1e-12));
}

TEST_CASE("spike_stats: a window excludes spikes outside it and no CV is NaN", "[unit][analysis]") {
    const std::vector<double> t = {1, 2, 3, 50};
    const std::vector<std::uint64_t> id = {0, 0, 0, 0};
    const auto s = analysis::spike_stats("P", 1, t, id, 10.0, 60.0);
    REQUIRE(s.n_spikes == 1);
    REQUIRE_THAT(s.mean_rate_Hz, WithinRel(20.0, 1e-12));
    REQUIRE(std::isnan(s.mean_cv_isi));
    REQUIRE(std::isnan(analysis::cv_isi(std::vector<double>{1.0, 2.0})));
}
