// iaf_psc_exp against closed-form solutions of its equations (see the model header).
// The update uses exact propagators, so at the grid points the simulated state differs
// from the analytic one only by round-off: a few ulp per step, at most ~1e-12 relative
// after 5000 steps. The bound used, 1e-9, is three orders of magnitude above that.
#include "support.hpp"

#include <catch2/catch.hpp>

#include <cmath>

using namespace myelin;
using Catch::Matchers::WithinAbs;
using Catch::Matchers::WithinRel;

namespace {

// V of an LIF from V0 under constant current I for time t.
double charge(double t, double V0, double E_L, double I, double tau_m, double C_m) {
    return E_L + (V0 - E_L) * std::exp(-t / tau_m) + I * tau_m / C_m * (1.0 - std::exp(-t / tau_m));
}

// PSP of a current jump w decaying with tau_s, membrane tau_m (tau_s != tau_m).
double psp(double t, double w, double tau_m, double tau_s, double C_m) {
    if (t < 0.0) return 0.0;
    return w / C_m * tau_m * tau_s / (tau_m - tau_s) * (std::exp(-t / tau_m) - std::exp(-t / tau_s));
}

}  // namespace

TEST_CASE("iaf_psc_exp: DC charges V as E_L + I_e tau_m/C_m (1 - exp(-t/tau_m))", "[validation][iaf_psc_exp]") {
    const double h = GENERATE(1.0, 0.1, 0.01);
    const test::json params = {{"V_th", 1e9}, {"I_e", 100.0}};  // never fires
    const auto r = test::run(test::single_population("iaf_psc_exp", params, 50.0, h, {"V_m"}));
    REQUIRE(r.t_ms.size() == static_cast<std::size_t>(std::llround(50.0 / h)) + 1);
    for (std::size_t k = 0; k < r.t_ms.size(); ++k) {
        const double expected = charge(r.t_ms[k], -70.0, -70.0, 100.0, 10.0, 250.0);
        REQUIRE_THAT(r.values[0][k], WithinRel(expected, 1e-9));
    }
}

TEST_CASE("iaf_psc_exp: dc_generator switches on exactly at start and off at stop", "[validation][iaf_psc_exp]") {
    auto config = test::single_population("iaf_psc_exp", {{"V_th", 1e9}}, 60.0, 0.1, {"V_m"});
    config["stimuli"] = {{{"model", "dc_generator"}, {"params", {{"amplitude", 250.0}, {"start", 10.0}, {"stop", 30.0}}},
                          {"targets", {"P"}}}};
    const auto r = test::run(config);
    for (std::size_t k = 0; k < r.t_ms.size(); ++k) {
        const double t = r.t_ms[k];
        double expected = -70.0;
        if (t > 10.0) expected = charge(std::min(t, 30.0) - 10.0, -70.0, -70.0, 250.0, 10.0, 250.0);
        if (t > 30.0) expected = charge(t - 30.0, expected, -70.0, 0.0, 10.0, 250.0);
        REQUIRE_THAT(r.values[0][k], WithinRel(expected, 1e-9));
    }
}

TEST_CASE("iaf_psc_exp: spike times under DC are the analytic crossing times on the grid",
          "[validation][iaf_psc_exp]") {
    // The model is grid-constrained (as NEST's): a spike is emitted at the first grid
    // point where V >= V_th, i.e. at ceil(t*/h) h for the analytic crossing time
    // t* = -tau_m ln(1 - (V_th - E_L) C_m / (I tau_m)) after each release from reset.
    // V is exact at the grid points, so the grid spike times must match exactly.
    const double h = 0.1, I = 500.0, tau = 10.0, C = 250.0, t_ref = 2.0;
    const double t_star = -tau * std::log(1.0 - 15.0 * C / (I * tau));  // 13.8629 ms
    const auto r = test::run(test::single_population("iaf_psc_exp", {{"I_e", I}, {"t_ref", t_ref}}, 100.0, h, {"V_m"}));
    const std::int64_t first = static_cast<std::int64_t>(std::ceil(t_star / h));  // t*/h = 138.63: far from an integer
    const std::int64_t period = first + static_cast<std::int64_t>(std::llround(t_ref / h));
    REQUIRE(r.spike_times_ms.size() == 6);  // 100 ms / 15.9 ms
    for (std::size_t n = 0; n < r.spike_times_ms.size(); ++n) {
        const auto step = static_cast<std::int64_t>(std::llround(r.spike_times_ms[n] / h));
        REQUIRE(step == first + static_cast<std::int64_t>(n) * period);
        // Within one step after the analytic crossing from the previous (grid) release.
        const double release = n == 0 ? 0.0 : r.spike_times_ms[n - 1] + t_ref;
        const double late = r.spike_times_ms[n] - (release + t_star);
        REQUIRE(late >= 0.0);
        REQUIRE(late < h);
    }
    // Clamped at V_reset for exactly t_ref after each spike, then charging again.
    const auto k0 = static_cast<std::size_t>(first);
    for (std::size_t k = k0; k <= k0 + 20; ++k) REQUIRE(r.values[0][k] == -70.0);
    REQUIRE_THAT(r.values[0][k0 + 21], WithinRel(charge(h, -70.0, -70.0, I, tau, C), 1e-9));
}

TEST_CASE("iaf_psc_exp: PSP time course and peak of one input spike", "[validation][iaf_psc_exp]") {
    const double h = 0.1, w = 100.0, t_spike = 10.0, delay = 1.0;
    const double tau_syn = GENERATE(0.5, 2.0, 10.0);  // 10.0 = tau_m: the singular case
    const double tau_m = 10.0, C = 250.0;
    auto config = test::single_population(
        "iaf_psc_exp", {{"tau_syn_ex", tau_syn}, {"tau_syn_in", 3.0}, {"tau_m", tau_m}}, 60.0, h, {"V_m", "I_syn_ex"});
    config["stimuli"] = {{{"model", "spike_generator"}, {"params", {{"spike_times", {t_spike}}}},
                          {"targets", {"P"}}, {"weight", w}, {"delay", delay}}};
    const auto r = test::run(config);
    const double t_arrival = t_spike + delay;
    auto expected_psp = [&](double t) {
        if (tau_syn == tau_m)  // limit of the kernel: w/C t exp(-t/tau)
            return t < 0 ? 0.0 : w / C * t * std::exp(-t / tau_m);
        return psp(t, w, tau_m, tau_syn, C);
    };
    double peak = -1e9;
    std::size_t k_peak = 0;
    for (std::size_t k = 0; k < r.t_ms.size(); ++k) {
        const double t = r.t_ms[k] - t_arrival;
        const double dV = r.values[0][k] + 70.0;
        // Absolute bound: PSPs are ~0.1-0.3 mV; round-off in V near -70 mV is ~1e-14 mV.
        REQUIRE_THAT(dV, WithinAbs(expected_psp(t), 1e-11));
        REQUIRE_THAT(r.values[1][k], WithinAbs(t < 0 ? 0.0 : w * std::exp(-t / tau_syn), 1e-11));
        if (dV > peak) peak = dV, k_peak = k;
    }
    // Peak: the analytic maximum at t_max lies within half a step of the sampled one.
    const double t_max = tau_syn == tau_m ? tau_m : std::log(tau_m / tau_syn) * tau_m * tau_syn / (tau_m - tau_syn);
    REQUIRE(std::abs(r.t_ms[k_peak] - t_arrival - t_max) <= h / 2 + 1e-9);
    REQUIRE(peak <= expected_psp(t_max) + 1e-12);
    REQUIRE_THAT(peak, WithinRel(expected_psp(t_max), 1e-3));  // sampling h/2 from a flat maximum
}

TEST_CASE("iaf_psc_exp: inhibitory (negative) weights use tau_syn_in", "[validation][iaf_psc_exp]") {
    auto config = test::single_population("iaf_psc_exp", {{"tau_syn_ex", 2.0}, {"tau_syn_in", 5.0}}, 40.0, 0.1,
                                          {"V_m", "I_syn_ex", "I_syn_in"});
    config["stimuli"] = {{{"model", "spike_generator"}, {"params", {{"spike_times", {5.0}}}},
                          {"targets", {"P"}}, {"weight", -80.0}, {"delay", 1.0}}};
    const auto r = test::run(config);
    for (std::size_t k = 0; k < r.t_ms.size(); ++k) {
        const double t = r.t_ms[k] - 6.0;
        REQUIRE(r.values[1][k] == 0.0);
        REQUIRE_THAT(r.values[2][k], WithinAbs(t < 0 ? 0.0 : -80.0 * std::exp(-t / 5.0), 1e-11));
        REQUIRE_THAT(r.values[0][k] + 70.0, WithinAbs(psp(t, -80.0, 10.0, 5.0, 250.0), 1e-11));
    }
}

TEST_CASE("iaf_psc_exp: a delay is exact to the step", "[validation][iaf_psc_exp]") {
    const double h = 0.1, t_spike = 10.0;
    const double delay = GENERATE(0.1, 1.0, 1.5, 7.3);
    auto config = test::single_population("iaf_psc_exp", test::json::object(), 30.0, h, {"I_syn_ex"});
    config["stimuli"] = {{{"model", "spike_generator"}, {"params", {{"spike_times", {t_spike}}}},
                          {"targets", {"P"}}, {"weight", 1.0}, {"delay", delay}}};
    const auto r = test::run(config);
    const auto arrival = static_cast<std::size_t>(std::llround((t_spike + delay) / h));
    for (std::size_t k = 0; k < r.t_ms.size(); ++k) {
        if (k < arrival) REQUIRE(r.values[0][k] == 0.0);
        if (k == arrival) REQUIRE(r.values[0][k] == 1.0);
    }
}

TEST_CASE("iaf_psc_exp: a spike travels through a projection with its delay", "[validation][iaf_psc_exp]") {
    // Neuron A fires at a known grid time under DC; B receives it after `delay`.
    const double h = 0.1;
    test::json config = {
        {"simulation", {{"resolution", h}, {"t_stop", 30.0}}},
        {"populations", {{{"name", "A"}, {"model", "iaf_psc_exp"}, {"n", 1}, {"params", {{"I_e", 500.0}}}},
                         {{"name", "B"}, {"model", "iaf_psc_exp"}, {"n", 1}}}},
        {"projections", {{{"source", "A"}, {"target", "B"}, {"connection", {{"rule", "all_to_all"}}},
                          {"weight", 10.0}, {"delay", 2.3}}}},
        {"recorders", {{"state", {{{"name", "b"}, {"population", "B"}, {"neurons", {0}}, {"variables", {"I_syn_ex"}},
                                   {"interval", h}}}}}},
    };
    const auto r = test::run(config);
    REQUIRE(!r.spike_times_ms.empty());
    REQUIRE_THAT(r.spike_times_ms[0], WithinAbs(13.9, 1e-9));
    const auto arrival = static_cast<std::size_t>(std::llround((13.9 + 2.3) / h));
    REQUIRE(r.values[0][arrival - 1] == 0.0);
    REQUIRE(r.values[0][arrival] == 10.0);
}
