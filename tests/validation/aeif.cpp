// aeif_cond_exp and aeif_cond_alpha against SciPy (tests/reference/aeif/reference.py):
// DOP853 at 1e-12 with the spike as an event and the reset at the exact peak time.
// Myelin detects the peak after each accepted sub-step of its adaptive integration
// (tolerance 1e-6), as NEST does, so its reset comes a fraction of a sub-step late; with
// V rising at ~1e8 mV/ms there, that is ~1e-6 ms. Measured when this test was written:
// largest differences 1.8e-4 mV (V below V_th), 9e-5 pA (w), 1.6e-5 nS (g_ex; the
// reference holds g over the 2e-6 ms it adds in closed form). Above V_th the exponential amplifies any difference by e per Delta_T = 2 mV of
// upswing (measured: 2e-3 mV at -40 mV), so V is compared where the reference is below
// V_th, w and g_ex everywhere. Tolerances 1e-3 mV for V, 1e-3 pA for w (b = 80.5 pA per
// spike) and 1e-4 nS for g_ex are 1e-4 to 1e-5 of what a wrong parameter would change.
// Spike stamps are the ends of the steps in which the exact peaks fall.
#include "support.hpp"

#include <catch2/catch.hpp>

#include <cmath>
#include <fstream>

using namespace myelin;
using Catch::Matchers::WithinAbs;

TEST_CASE("aeif: trajectory, adaptation and spikes agree with SciPy", "[validation][aeif]") {
    const std::string model = GENERATE("aeif_cond_exp", "aeif_cond_alpha");
    std::ifstream in(test::source_path("tests/reference/aeif/reference.json"));
    const auto ref = test::json::parse(in);
    const auto& expected = ref[model];
    auto config = test::single_population(model, {{"I_e", ref["params"]["I_e"]}}, ref["t_stop_ms"].get<double>(),
                                          ref["h_ms"].get<double>(), {"V_m", "w", "g_ex"});
    config["stimuli"] = {
        {{"name", "ex"}, {"model", "spike_generator"}, {"params", {{"spike_times", ref["ex_times_ms"]}}},
         {"targets", {"P"}}, {"weight", ref["w_ex_nS"]}, {"delay", ref["delay_ms"]}},
        {{"name", "in"}, {"model", "spike_generator"}, {"params", {{"spike_times", ref["in_times_ms"]}}},
         {"targets", {"P"}}, {"weight", ref["w_in_nS"]}, {"delay", ref["delay_ms"]}}};
    const auto r = test::run(config);
    const double h = ref["h_ms"].get<double>();
    REQUIRE(r.spike_times_ms.size() == expected["spike_times_ms"].size());
    REQUIRE(r.spike_times_ms.size() >= 5);
    for (std::size_t i = 0; i < r.spike_times_ms.size(); ++i) {
        const double t = expected["spike_times_ms"][i].get<double>();
        REQUIRE(std::abs(t / h - std::round(t / h)) > 1e-4);  // not on a grid point: the step is unambiguous
        REQUIRE_THAT(r.spike_times_ms[i], WithinAbs(std::ceil(t / h) * h, 1e-9));
    }
    const char* names[] = {"V_m", "w", "g_ex"};
    const double tolerance[] = {1e-3, 1e-3, 1e-4};
    double worst[3] = {0, 0, 0};
    for (std::size_t v = 0; v < 3; ++v)
        for (std::size_t k = 0; k < r.t_ms.size(); ++k) {
            const double want = expected[names[v]][k].get<double>();
            if (v == 0 && expected["V_m"][k].get<double>() >= ref["params"]["V_th"].get<double>()) continue;
            worst[v] = std::max(worst[v], std::abs(r.values[v][k] - want));
            INFO(model << " " << names[v] << " at t = " << r.t_ms[k] << " ms");
            REQUIRE_THAT(r.values[v][k], WithinAbs(want, tolerance[v]));
        }
    INFO("largest differences: V_m " << worst[0] << " mV, w " << worst[1] << " pA, g_ex " << worst[2] << " nS");
    CHECK(worst[0] < tolerance[0]);
}
