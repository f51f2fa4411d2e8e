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

TEST_CASE("spike_stats_accumulator: batches give spike_stats' numbers", "[unit][analysis]") {
    // Irregular trains of 50 neurons over 10 s, handed over in 7 batches in time order.
    std::vector<double> t;
    std::vector<std::uint64_t> id;
    std::uint64_t state = 12345;
    auto uniform = [&] {
        state = state * 6364136223846793005ULL + 1442695040888963407ULL;
        return static_cast<double>(state >> 11) / 9007199254740992.0;
    };
    for (double now = 0.1; now < 10000.0; now += 0.1)
        for (std::uint64_t n = 0; n < 50; ++n)
            if (uniform() < 0.0005 * static_cast<double>(n % 7)) t.push_back(now), id.push_back(n);
    const auto whole = analysis::spike_stats("P", 50, t, id, 0.0, 10000.0);
    analysis::spike_stats_accumulator acc("P", 50);
    const std::size_t step = t.size() / 7 + 1;
    for (std::size_t first = 0; first < t.size(); first += step) {
        const std::size_t n = std::min(step, t.size() - first);
        acc.add(std::span(t).subspan(first, n), std::span(id).subspan(first, n));
    }
    const auto s = acc.result(0.0, 10000.0);
    REQUIRE(whole.n_cv > 30);
    REQUIRE(s.n_spikes == whole.n_spikes);
    REQUIRE(s.n_cv == whole.n_cv);
    REQUIRE(s.mean_rate_Hz == whole.mean_rate_Hz);
    // Welford's one-pass variance against the two-pass one: rounding only.
    REQUIRE_THAT(s.mean_cv_isi, WithinRel(whole.mean_cv_isi, 1e-12));
    REQUIRE_THROWS(acc.add(std::vector<double>{1.0}, std::vector<std::uint64_t>{50}));
}
