// lif_cuba_discrete against the surrogate-gradient reference (tests/data/grad_ref/, an
// independent PyTorch implementation in float64): a hidden layer of 16 neurons driven by
// the input current x W1 of 8 digits, feed-forward and recurrent (Wrec), must emit the
// reference's spikes step for step. The reference's closest approach of V to theta is
// 1.2e-4, far above the rounding differences of the two summation orders (~1e-15), so the
// rasters must be identical.
#include "support.hpp"

#include <myelin/core/error.hpp>

#include <catch2/catch.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <fstream>

using namespace myelin;

namespace {

test::json grad_ref() {
    std::ifstream in(test::source_path("tests/data/grad_ref/grad_ref.json"));
    return test::json::parse(in);
}

// Sample b through the hidden layer: one population per hidden neuron (so that each
// recurrent weight is a projection of its own), the input as a constant current.
std::vector<std::vector<int>> hidden_raster(const test::json& ref, std::size_t b, bool recurrent) {
    const std::size_t n_in = ref["n_in"], n_hid = ref["n_hid"], T = ref["T"];
    const double h = ref["dt_ms"];
    test::json populations = test::json::array(), projections = test::json::array(), stimuli = test::json::array();
    for (std::size_t j = 0; j < n_hid; ++j) {
        populations.push_back({{"name", fmt::format("h{}", j)}, {"model", "lif_cuba_discrete"}, {"n", 1},
                               {"params", {{"tau_syn", ref["tau_syn_ms"]}, {"tau_mem", ref["tau_mem_ms"]},
                                           {"theta", ref["theta"]}}}});
        double current = 0.0;
        for (std::size_t i = 0; i < n_in; ++i)
            current += ref["pixels"][b][i].get<double>() / 16.0 * ref["W1"][i][j].get<double>();
        stimuli.push_back({{"model", "dc_generator"}, {"params", {{"amplitude", current}}},
                           {"targets", {fmt::format("h{}", j)}}});
    }
    if (recurrent)
        for (std::size_t j = 0; j < n_hid; ++j)
            for (std::size_t l = 0; l < n_hid; ++l)
                projections.push_back({{"source", fmt::format("h{}", j)}, {"target", fmt::format("h{}", l)},
                                       {"connection", {{"rule", "all_to_all"}}}, {"weight", ref["Wrec"][j][l]},
                                       {"delay", h}});
    const test::json config = {{"simulation", {{"resolution", h}, {"t_stop", static_cast<double>(T) * h}}},
                               {"populations", populations},
                               {"projections", projections},
                               {"stimuli", stimuli}};
    const auto r = test::run(config);
    std::vector<std::vector<int>> raster(T, std::vector<int>(n_hid, 0));
    for (std::size_t s = 0; s < r.spike_times_ms.size(); ++s) {
        const auto t = static_cast<std::size_t>(std::lround(r.spike_times_ms[s] / h));  // S1[t], t = 1..T
        raster.at(t - 1).at(r.spike_ids[s]) = 1;
    }
    return raster;
}

}  // namespace

TEST_CASE("lif_cuba_discrete: hidden spikes equal the surrogate-gradient reference", "[validation][lif_cuba_discrete]") {
    const auto ref = grad_ref();
    for (const std::string variant : {"ff_mean", "rec_mean"}) {
        const auto& v = ref["variants"][variant];
        const bool recurrent = v["recurrent"].get<bool>();
        std::size_t spikes = 0;
        for (std::size_t b = 0; b < ref["batch"].get<std::size_t>(); ++b) {
            const auto raster = hidden_raster(ref, b, recurrent);
            for (std::size_t t = 0; t < raster.size(); ++t)
                for (std::size_t j = 0; j < raster[t].size(); ++j) {
                    INFO(variant << ": sample " << b << ", step " << t + 1 << ", hidden neuron " << j);
                    REQUIRE(raster[t][j] == v["spikes"][b][t][j].get<int>());
                    spikes += static_cast<std::size_t>(raster[t][j]);
                }
        }
        CHECK(spikes == v["spike_count_total"].get<std::size_t>());
    }
}

TEST_CASE("lif_cuba_discrete: reset to zero", "[validation][lif_cuba_discrete]") {
    // Constant input 0.35: I_t = 0.35 (1 - alpha^t) / (1 - alpha); V follows beta V + I and
    // is zeroed in the step after each spike (snnTorch's reset_mechanism = "zero").
    const double h = 1.0, x = 0.35, alpha = std::exp(-1.0 / 5.0), beta = std::exp(-1.0 / 10.0);
    auto config = test::single_population("lif_cuba_discrete", {{"reset_to_zero", true}}, 60.0, h, {"V"});
    config["stimuli"] = {{{"model", "dc_generator"}, {"params", {{"amplitude", x}}}, {"targets", {"P"}}}};
    const auto r = test::run(config);
    double I = 0.0, V = 0.0, S = 0.0;
    std::vector<double> expected_spikes;
    for (int t = 1; t <= 60; ++t) {
        I = alpha * I + x;
        V = (beta * V + I) * (1.0 - S);
        S = V > 1.0 ? 1.0 : 0.0;
        if (S > 0.0) expected_spikes.push_back(t * h);
        REQUIRE(r.values[0][static_cast<std::size_t>(t)] == Approx(V).margin(1e-12));
    }
    REQUIRE(expected_spikes.size() >= 3);
    CHECK(r.spike_times_ms == expected_spikes);
}

TEST_CASE("lif_cuba_discrete: refractory period", "[validation][lif_cuba_discrete]") {
    // Strong constant input 0.9: without refractoriness the neuron fires in most steps;
    // with t_ref = 3 steps no spike follows another within 3 steps, V and I go on.
    const double h = 1.0, x = 0.9, alpha = std::exp(-1.0 / 5.0), beta = std::exp(-1.0 / 10.0);
    auto config = test::single_population("lif_cuba_discrete", {{"t_ref", 3.0}}, 60.0, h, {"V"});
    config["stimuli"] = {{{"model", "dc_generator"}, {"params", {{"amplitude", x}}}, {"targets", {"P"}}}};
    const auto r = test::run(config);
    double I = 0.0, V = 0.0, S = 0.0, left = 0.0;
    std::vector<double> expected;
    for (int t = 1; t <= 60; ++t) {
        I = alpha * I + x;
        V = beta * V + I - S;
        const bool blocked = left > 0.0;
        left = std::max(0.0, left - 1.0);
        S = !blocked && V > 1.0 ? 1.0 : 0.0;
        if (S > 0.0) {
            left = 3.0;
            expected.push_back(t * h);
        }
        REQUIRE(r.values[0][static_cast<std::size_t>(t)] == Approx(V).margin(1e-12));
    }
    REQUIRE(expected.size() >= 10);
    CHECK(r.spike_times_ms == expected);
    for (std::size_t k = 1; k < expected.size(); ++k) CHECK(expected[k] - expected[k - 1] >= 4.0);

    config["populations"][0]["params"]["t_ref"] = 2.5;
    try {
        test::parse(config);
        FAIL("t_ref of 2.5 steps accepted");
    } catch (const input_error& e) {
        CHECK_THAT(e.what(), Catch::Matchers::Contains("t_ref = 2.5 ms; must be a whole number of steps of 1 ms"));
    }
}
