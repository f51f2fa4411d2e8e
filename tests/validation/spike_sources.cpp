// Spike sources as populations (models/spike_sources.hpp) against their definitions:
// mean rates and interval statistics within bounds from the sample sizes (5 sigma), no
// spike outside [start, stop), dead times never violated, parameters per neuron, and the
// same trains for any thread count.
#include "support.hpp"

#include <myelin/simulator/engine.hpp>

#include <catch2/catch.hpp>

#include <cmath>
#include <map>
#include <vector>

using namespace myelin;

namespace {

// Spike times per neuron of one population `model` of n sources, run for t_stop ms at h = 0.1 ms.
std::vector<std::vector<double>> trains(const std::string& model, const test::json& params, std::size_t n, double t_stop,
                                        int threads = 1) {
    test::json c = {{"simulation", {{"resolution", 0.1}, {"t_stop", t_stop}, {"seed", 9}, {"threads", threads}}},
                    {"populations", {{{"name", "S"}, {"model", model}, {"n", n}, {"params", params}}}},
                    {"recorders", {{"spikes", {{"populations", {"S"}}}}}}};
    const network_spec spec = test::parse(c);
    engine sim(spec);
    sim.run(ms_to_steps(t_stop, 0.1));
    std::vector<std::vector<double>> out(n);
    for (const auto& s : sim.recorded_spikes()) out[s.gid].push_back(static_cast<double>(s.step + 1) * 0.1);
    return out;
}

struct interval_stats {
    double n = 0, mean = 0, cv = 0, shortest = 1e300;
};
interval_stats intervals(const std::vector<std::vector<double>>& t) {
    std::vector<double> isi;
    for (const auto& train : t)
        for (std::size_t k = 1; k < train.size(); ++k) isi.push_back(train[k] - train[k - 1]);
    interval_stats s;
    s.n = static_cast<double>(isi.size());
    for (double x : isi) {
        s.mean += x;
        s.shortest = std::min(s.shortest, x);
    }
    s.mean /= s.n;
    double var = 0;
    for (double x : isi) var += (x - s.mean) * (x - s.mean);
    s.cv = std::sqrt(var / (s.n - 1)) / s.mean;
    return s;
}

// Five standard errors of a sample CV of n intervals from a distribution of kurtosis k
// (the delta method for the standard deviation: var(s) = sigma^2 (k - 1) / (4 n)).
double cv_bound(double cv, double k, double n) { return 5.0 * cv * std::sqrt((k - 1.0) / (4.0 * n)); }

// Spike times in steps of 0.1 ms.
std::vector<long> steps(const std::vector<double>& train) {
    std::vector<long> out;
    for (double t : train) out.push_back(std::lround(t / 0.1));
    return out;
}

std::size_t total(const std::vector<std::vector<double>>& t) {
    std::size_t n = 0;
    for (const auto& train : t) n += train.size();
    return n;
}

}  // namespace

TEST_CASE("spike_source_poisson: rate r exactly in expectation, geometric intervals, nothing before start or after stop", "[validation][spike_sources]") {
    // 500 sources at 40 Hz over [100, 5100) ms: 50,000 steps each with p = r h = 0.004.
    const auto t = trains("spike_source_poisson", {{"rate", 40.0}, {"start", 100.0}, {"stop", 5100.0}}, 500, 5300.0);
    const double trials = 500.0 * 50000.0, p = 0.004;
    const double count = static_cast<double>(total(t));
    REQUIRE(std::abs(count - trials * p) < 5.0 * std::sqrt(trials * p * (1.0 - p)));
    for (const auto& train : t) {
        REQUIRE(train.front() > 100.0);  // the first active step (k h = 100 ms) stamps 100.1 ms
        REQUIRE(train.back() <= 5100.0);
    }
    // Geometric intervals with p: mean h/p = 25 ms, CV sqrt(1 - p) = 0.998, kurtosis that of
    // the exponential (9) to within p.
    const auto s = intervals(t);
    REQUIRE(std::abs(s.mean - 25.0) < 5.0 * 25.0 / std::sqrt(s.n));
    REQUIRE(std::abs(s.cv - std::sqrt(1.0 - p)) < cv_bound(1.0, 9.0, s.n));
    REQUIRE(s.shortest == Approx(0.1));
}

TEST_CASE("spike_source_gamma: the alpha-th event of a Poisson process of rate beta", "[validation][spike_sources]") {
    // alpha = 4, beta = 160 Hz: rate 40 Hz, mean interval 25 ms, CV 1/2.
    const auto t = trains("spike_source_gamma", {{"alpha", 4.0}, {"beta", 160.0}}, 400, 10000.0);
    const auto s = intervals(t);
    INFO("intervals " << s.n << ", mean " << s.mean << " ms, CV " << s.cv);
    // Spike times are the continuous process's event times rounded up to the step, so the
    // mean interval is 25 ms within sampling error (sd 12.5 ms per interval) and the CV
    // is 1/2 (kurtosis 3 + 6/alpha) up to the rounding (|delta CV| < h / mean = 0.004).
    REQUIRE(std::abs(s.mean - 25.0) < 5.0 * 12.5 / std::sqrt(s.n));
    REQUIRE(std::abs(s.cv - 0.5) < 0.004 + cv_bound(0.5, 4.5, s.n));
    // The count of an ordinary renewal process started at 0 over T: T/mu + (CV^2 - 1)/2 per
    // train in expectation, variance CV^2 T/mu per train.
    const double expected = 400.0 * (10000.0 / 25.0 + (0.25 - 1.0) / 2.0);
    REQUIRE(std::abs(static_cast<double>(total(t)) - expected) < 5.0 * std::sqrt(400.0 * 0.25 * 400.0));
    // alpha = 1 is a Poisson process: CV 1.
    const auto poisson = intervals(trains("spike_source_gamma", {{"alpha", 1.0}, {"beta", 40.0}}, 200, 10000.0));
    REQUIRE(std::abs(poisson.cv - 1.0) < 0.004 + cv_bound(1.0, 9.0, poisson.n));
}

TEST_CASE("spike_source_poisson_refractory: mean rate r, no interval below the dead time", "[validation][spike_sources]") {
    // r = 50 Hz, d = 5 ms: intervals d + geometric(p) steps with mean 1/r - d = 15 ms.
    const auto t = trains("spike_source_poisson_refractory", {{"rate", 50.0}, {"tau_refrac", 5.0}}, 400, 10000.0);
    const auto s = intervals(t);
    INFO("intervals " << s.n << ", mean " << s.mean << " ms, CV " << s.cv << ", shortest " << s.shortest);
    REQUIRE(s.shortest == Approx(5.0));
    REQUIRE(std::abs(s.mean - 20.0) < 5.0 * 15.0 / std::sqrt(s.n));
    // d + G h with G geometric, p = h / 15 ms: sd 15 sqrt(1 - p) ms, CV 0.7475, kurtosis
    // that of the exponential to within p.
    const double p = 0.1 / 15.0;
    REQUIRE(std::abs(s.cv - 15.0 * std::sqrt(1.0 - p) / 20.0) < cv_bound(0.75, 9.0, s.n));
    // A rate whose mean interval is shorter than the dead time is refused.
    test::json c = {{"populations", {{{"name", "S"}, {"model", "spike_source_poisson_refractory"}, {"n", 1},
                                      {"params", {{"rate", 300.0}, {"tau_refrac", 5.0}}}}}}};
    REQUIRE(test::parse_error(c) == "net.json: populations[0].params.rate: rate = 300 Hz; the mean interval 3.3333333333333335 "
                                    "ms must be >= the dead time tau_refrac = 5 ms");
}

TEST_CASE("spike sources: parameters per neuron and the same trains for any thread count", "[validation][spike_sources]") {
    std::vector<double> rates(60);
    for (std::size_t i = 0; i < rates.size(); ++i) rates[i] = i < 30 ? 10.0 : 80.0;
    const auto one = trains("spike_source_poisson", {{"rate", rates}}, 60, 4000.0, 1);
    REQUIRE(one == trains("spike_source_poisson", {{"rate", rates}}, 60, 4000.0, 3));
    std::size_t slow = 0, fast = 0;
    for (std::size_t i = 0; i < 60; ++i) (i < 30 ? slow : fast) += one[i].size();
    // 30 sources x 4 s at 10 and at 80 Hz: 1,200 and 9,600 spikes expected.
    REQUIRE(std::abs(static_cast<double>(slow) - 1200.0) < 5.0 * std::sqrt(1200.0));
    REQUIRE(std::abs(static_cast<double>(fast) - 9600.0) < 5.0 * std::sqrt(9600.0));
    const test::json gamma = {{"alpha", 3.0}, {"beta", {{"distribution", "uniform"}, {"low", 30.0}, {"high", 300.0}}}};
    REQUIRE(trains("spike_source_gamma", gamma, 50, 2000.0, 1) == trains("spike_source_gamma", gamma, 50, 2000.0, 4));
}

TEST_CASE("spike_source_array: spikes at the listed times, one list per neuron or one for all", "[validation][spike_sources]") {
    const test::json lists = {{1.0, 2.5, 2.5, 7.3}, test::json::array(), {0.05, 0.1, 10.04}};
    for (const int threads : {1, 2}) {
        const auto t = trains("spike_source_array", {{"spike_times", lists}}, 3, 20.0, threads);
        // Times on the grid as given, a time listed twice once, off-grid times at the end of
        // their step (0.05 -> 0.1, merged with 0.1; 10.04 -> 10.1).
        REQUIRE(steps(t[0]) == std::vector<long>{10, 25, 73});
        REQUIRE(t[1].empty());
        REQUIRE(steps(t[2]) == std::vector<long>{1, 101});
    }
    const auto shared = trains("spike_source_array", {{"spike_times", {5.0, 6.0}}}, 4, 20.0);
    for (const auto& train : shared) REQUIRE(steps(train) == std::vector<long>{50, 60});

    auto refused = [](const test::json& times, std::size_t n) {
        return test::parse_error({{"populations", {{{"name", "S"}, {"model", "spike_source_array"}, {"n", n},
                                                    {"params", {{"spike_times", times}}}}}}});
    };
    REQUIRE(refused({{1.0, 2.0}, {3.0, 2.0}}, 2) ==
            "net.json: populations[0].params.spike_times: neuron 1: spike time 2 ms (entry 1) is before 3 ms; times must "
            "not decrease");
    REQUIRE(refused({{1.0}, {3.0}}, 3) == "net.json: populations[0].params.spike_times: spike_times: 2 lists for 3 neurons; "
                                         "give one list per neuron, or one list for all");
    REQUIRE(refused({0.0, 1.0}, 1) == "net.json: populations[0].params.spike_times: spike time 0 ms (entry 0); must be > 0 "
                                     "and finite (the first step ends at the resolution)");
    REQUIRE(refused({{1.0}, {-1.0}}, 2) == "net.json: populations[0].params.spike_times[1][0]: spike_times = -1 ms; must be >= 0");
}
