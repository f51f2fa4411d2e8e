// iaf_psc_alpha against closed-form solutions of its equations (see the model header).
// Exact propagators: the state at the grid points differs from the analytic one only by
// round-off (~1e-14 mV per step near -70 mV), so the bounds are 1e-11 mV absolute for PSPs
// of ~0.1-1 mV, and 1e-9 relative for charging curves.
#include "support.hpp"

#include <catch2/catch.hpp>

#include <cmath>

using namespace myelin;
using Catch::Matchers::WithinAbs;
using Catch::Matchers::WithinRel;

namespace {

// Current of one spike of weight w, arriving at t = 0: w (t/tau_s) e^(1 - t/tau_s).
double alpha_current(double t, double w, double tau_s) {
    return t < 0.0 ? 0.0 : w * t / tau_s * std::exp(1.0 - t / tau_s);
}

// The PSP of that current, integrated by hand: with a = 1/tau_s, b = 1/tau_m, c = b - a
// and y1 = w e / tau_s, V - E_L = y1/C ((e^(-bt) - e^(-at))/c^2 + t e^(-at)/c)
//                               = y1/C t^2 e^(-at) g(ct),  g(u) = (e^(-u) - 1 + u)/u^2.
// The closed form of g cancels to ~(ut)^2 of its terms' size for small u, so there g is
// summed as its series sum_n (-u)^n/(n+2)! (8 terms: error < 1e-20 for |u| < 0.01).
double alpha_psp(double t, double w, double tau_m, double tau_s, double C) {
    if (t < 0.0) return 0.0;
    const double a = 1.0 / tau_s, c = 1.0 / tau_m - a, y1 = w * std::exp(1.0) / tau_s, u = c * t;
    double g = 0.0;
    if (std::abs(u) < 1e-2) {
        double term = 0.5;  // (-u)^0 / 2!
        for (int n = 0; n < 8; ++n) {
            g += term;
            term *= -u / (n + 3);
        }
    } else {
        g = (std::exp(-u) - 1.0 + u) / (u * u);
    }
    return y1 / C * t * t * std::exp(-a * t) * g;
}

}  // namespace

TEST_CASE("iaf_psc_alpha: one input spike gives the analytic alpha current and PSP", "[validation][iaf_psc_alpha]") {
    const double tau_syn = GENERATE(0.5, 2.0, 10.0, 9.9999);  // 10 = tau_m: the singular case; 9.9999 next to it
    const double h = GENERATE(0.1, 0.01);
    const double w = 120.0, t_spike = 5.0, delay = 1.0, tau_m = 10.0, C = 250.0;
    auto config = test::single_population("iaf_psc_alpha", {{"tau_syn_ex", tau_syn}, {"tau_syn_in", 3.0}}, 60.0, h,
                                          {"V_m", "I_syn_ex", "dI_syn_ex"});
    config["stimuli"] = {{{"model", "spike_generator"}, {"params", {{"spike_times", {t_spike}}}},
                          {"targets", {"P"}}, {"weight", w}, {"delay", delay}}};
    const auto r = test::run(config);
    const double t_arrival = t_spike + delay;
    double peak_I = 0.0, t_peak_I = 0.0;
    for (std::size_t k = 0; k < r.t_ms.size(); ++k) {
        const double t = r.t_ms[k] - t_arrival;
        INFO("t = " << r.t_ms[k] << " ms");
        REQUIRE_THAT(r.values[1][k], WithinAbs(alpha_current(t, w, tau_syn), 1e-10));
        REQUIRE_THAT(r.values[0][k] + 70.0, WithinAbs(alpha_psp(t, w, tau_m, tau_syn, C), 1e-11));
        if (r.values[1][k] > peak_I) peak_I = r.values[1][k], t_peak_I = t;
    }
    // The current peaks at w, at t = tau_syn (sampled: within half a step).
    REQUIRE(std::abs(t_peak_I - tau_syn) <= h / 2 + 1e-9);
    REQUIRE_THAT(peak_I, WithinRel(w, 1e-3));
}

TEST_CASE("iaf_psc_alpha: inhibitory weights use tau_syn_in; DC charges exactly", "[validation][iaf_psc_alpha]") {
    auto config = test::single_population("iaf_psc_alpha", {{"tau_syn_ex", 2.0}, {"tau_syn_in", 5.0}, {"I_e", 50.0}},
                                          40.0, 0.1, {"V_m", "I_syn_ex", "I_syn_in"});
    config["stimuli"] = {{{"model", "spike_generator"}, {"params", {{"spike_times", {5.0}}}},
                          {"targets", {"P"}}, {"weight", -80.0}, {"delay", 1.0}}};
    const auto r = test::run(config);
    for (std::size_t k = 0; k < r.t_ms.size(); ++k) {
        const double t = r.t_ms[k];
        REQUIRE(r.values[1][k] == 0.0);
        REQUIRE_THAT(r.values[2][k], WithinAbs(alpha_current(t - 6.0, -80.0, 5.0), 1e-10));
        // Linear: the DC response plus the PSP.
        const double dc = 50.0 * 10.0 / 250.0 * (1.0 - std::exp(-t / 10.0));
        REQUIRE_THAT(r.values[0][k] + 70.0, WithinAbs(dc + alpha_psp(t - 6.0, -80.0, 10.0, 5.0, 250.0), 1e-11));
    }
}

TEST_CASE("iaf_psc_alpha: spikes at the analytic threshold crossings, refractory and V_min",
          "[validation][iaf_psc_alpha]") {
    // Under DC alone the model is an LIF: the first grid point at or after the crossing
    // t* = -tau_m ln(1 - (V_th - E_L) C_m / (I tau_m)), then t_ref at V_reset, and again.
    const double h = 0.1, I = 400.0;
    auto config = test::single_population("iaf_psc_alpha", {{"I_e", I}, {"t_ref", 2.0}}, 100.0, h, {"V_m"});
    const auto r = test::run(config);
    const double t_star = -10.0 * std::log(1.0 - 15.0 * 250.0 / (I * 10.0));
    const double first = std::ceil(t_star / h - 1e-9) * h;
    REQUIRE(!r.spike_times_ms.empty());
    REQUIRE_THAT(r.spike_times_ms[0], WithinAbs(first, 1e-9));
    // After a spike: t_ref at V_reset, then charging from V_reset again.
    const double period = std::round(2.0 / h) * h + std::ceil(t_star / h - 1e-9) * h;
    for (std::size_t i = 1; i < r.spike_times_ms.size(); ++i)
        REQUIRE_THAT(r.spike_times_ms[i] - r.spike_times_ms[i - 1], WithinAbs(period, 1e-9));

    // V_min bounds V from below: a strong inhibitory current cannot push V past it.
    auto floor = test::single_population("iaf_psc_alpha", {{"I_e", -2000.0}, {"V_min", -75.0}}, 50.0, h, {"V_m"});
    const auto f = test::run(floor);
    double lowest = 0.0;
    for (double v : f.values[0]) lowest = std::min(lowest, v);
    REQUIRE(lowest == -75.0);
}
