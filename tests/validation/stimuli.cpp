// The stimulus devices ac_generator, step_current_generator, noise_generator and
// inhomogeneous_poisson_generator, and parrot_neuron: against closed forms where the
// response is deterministic, against the distribution's moments (5-sigma bounds) where
// it is random.
#include "support.hpp"

#include <myelin/core/error.hpp>

#include <catch2/catch.hpp>

#include <cmath>

using namespace myelin;
using Catch::Matchers::Contains;
using Catch::Matchers::WithinAbs;
using Catch::Matchers::WithinRel;

namespace {

// V of an LIF from V0 under constant current I for time t (E_L = -70, tau_m = 10, C_m = 250).
double charge(double t, double V0, double I) {
    return -70.0 + (V0 + 70.0) * std::exp(-t / 10.0) + I * 10.0 / 250.0 * (1.0 - std::exp(-t / 10.0));
}

}  // namespace

TEST_CASE("step_current_generator: V follows the piecewise analytic LIF response", "[validation][stimuli]") {
    auto config = test::single_population("iaf_psc_exp", {{"V_th", 1e9}}, 60.0, 0.1, {"V_m"});
    config["stimuli"] = {{{"model", "step_current_generator"},
                          {"params", {{"amplitude_times", {10.0, 20.0, 35.0}}, {"amplitude_values", {100.0, -50.0, 200.0}},
                                      {"stop", 50.0}}},
                          {"targets", {"P"}}}};
    const auto r = test::run(config);
    const double change[] = {0.0, 10.0, 20.0, 35.0, 50.0}, current[] = {0.0, 100.0, -50.0, 200.0, 0.0};
    for (std::size_t k = 0; k < r.t_ms.size(); ++k) {
        const double t = r.t_ms[k];
        double V = -70.0;  // the analytic solution, segment by segment
        for (int s = 0; s < 5 && change[s] < t; ++s) {
            const double end = s + 1 < 5 ? std::min(t, change[s + 1]) : t;
            V = charge(end - change[s], V, current[s]);
        }
        INFO("t = " << t);
        REQUIRE_THAT(r.values[0][k], WithinRel(V, 1e-9));  // exact propagators: round-off only
    }
}

TEST_CASE("ac_generator: the sampled sine, and the passive membrane's analytic steady state", "[validation][stimuli]") {
    // I(t) = offset + A sin(2 pi f t + phase), held over each step from its value at the
    // step's start, from `start` to `stop`.
    const double h = 0.1, A = 100.0, offset = 20.0, f = 20.0, phase = 30.0, start = 5.0, stop = 300.0;
    const double omega = 2.0 * M_PI * f * 1e-3, phi = phase * M_PI / 180.0;
    auto sine = [&](double t) { return offset + A * std::sin(omega * t + phi); };
    auto config = test::single_population("iaf_psc_exp", {{"V_th", 1e9}, {"E_L", -70.0}, {"tau_m", 10.0}, {"C_m", 250.0}},
                                          320.0, h, {"V_m"});
    config["stimuli"] = {{{"model", "ac_generator"},
                          {"params", {{"amplitude", A}, {"offset", offset}, {"frequency", f}, {"phase", phase},
                                      {"start", start}, {"stop", stop}}},
                          {"targets", {"P"}}}};
    const auto r = test::run(config);
    // 1. Each step's current, recovered with the exact propagators (as for noise_generator):
    //    I_k = (V_(k+1) - E_L - (V_k - E_L) P22) / P20, against I(t_k); round-off only.
    const double P22 = std::exp(-h / 10.0), P20 = -10.0 / 250.0 * std::expm1(-h / 10.0);
    for (std::size_t k = 0; k + 1 < r.t_ms.size(); ++k) {
        const double t = static_cast<double>(k) * h;
        const double I = (r.values[0][k + 1] + 70.0 - (r.values[0][k] + 70.0) * P22) / P20;
        const double expected = t >= start - 1e-9 && t < stop - 1e-9 ? sine(t) : 0.0;
        INFO("t = " << t);
        REQUIRE_THAT(I, WithinAbs(expected, 1e-7 * A));
    }
    // 2. Physics, independently of the sampling: a passive membrane under the continuous
    //    sine settles to E_L + R offset + R A / sqrt(1 + (omega tau)^2) sin(omega t + phi -
    //    atan(omega tau)), R = tau / C. After 20 tau the transient is e^-20 of it. Holding
    //    the current over a step changes it by at most A omega h, and the membrane (a
    //    low-pass of gain R) passes at most R A omega h of that: 0.05 mV here.
    const double R = 10.0 / 250.0, wt = omega * 10.0, bound = R * A * omega * h;
    for (std::size_t k = 0; k < r.t_ms.size(); ++k) {
        const double t = r.t_ms[k];
        if (t < 205.0 || t > stop) continue;
        const double V = -70.0 + R * offset + R * A / std::sqrt(1.0 + wt * wt) * std::sin(omega * t + phi - std::atan(wt));
        INFO("t = " << t);
        REQUIRE_THAT(r.values[0][k], WithinAbs(V, bound));
    }
}

TEST_CASE("step_current_generator and noise_generator: bad parameters name the problem", "[validation][stimuli]") {
    auto config = test::single_population("iaf_psc_exp", test::json::object(), 10.0, 0.1, {"V_m"});
    auto error_of = [&](const test::json& stimulus) {
        config["stimuli"] = test::json::array({stimulus});  // braces alone: an object or a list, by compiler
        return test::parse_error(config);
    };
    const test::json base = {{"model", "step_current_generator"}, {"targets", {"P"}}};
    auto bad = base;
    bad["params"] = {{"amplitude_times", {5.0, 5.0}}, {"amplitude_values", {1.0, 2.0}}};
    REQUIRE_THAT(error_of(bad), Contains("amplitude_times[1]") && Contains("must increase strictly"));
    bad["params"] = {{"amplitude_times", {5.0}}, {"amplitude_values", {1.0, 2.0}}};
    REQUIRE_THAT(error_of(bad), Contains("amplitude_values") && Contains("one value per time"));
    bad["params"] = {{"amplitude_times", {5.05}}, {"amplitude_values", {1.0}}};
    REQUIRE_THAT(error_of(bad), Contains("not a multiple of the resolution"));
    const test::json noise = {{"model", "noise_generator"}, {"params", {{"std", 1.0}, {"dt", 0.25}}}, {"targets", {"P"}}};
    REQUIRE_THAT(error_of(noise), Contains("dt = 0.25 ms; must be a multiple of the resolution 0.1 ms"));
    const test::json ac = {{"model", "ac_generator"}, {"params", {{"frequency", -5.0}}}, {"targets", {"P"}}};
    REQUIRE_THAT(error_of(ac), Contains("frequency") && Contains("-5"));
}

TEST_CASE("noise_generator: independent Gaussian currents, constant over dt", "[validation][stimuli]") {
    // A neuron that integrates without leak in effect (tau_m = 1e9 ms, C_m = 1 pF, E_L = 0)
    // gives back the current of each step: I_k = (V_(k+1) - V_k P22) / P20.
    const double h = 0.1, dt = 1.0, mean = 30.0, sd = 50.0, tau = 1e9, C = 1.0;
    auto config = test::single_population("iaf_psc_exp", {{"V_th", 1e15}, {"E_L", 0.0}, {"V_reset", -1.0},
                                                          {"tau_m", tau}, {"C_m", C}},
                                          4000.0, h, {"V_m"}, 2);
    config["stimuli"] = {{{"model", "noise_generator"}, {"params", {{"mean", mean}, {"std", sd}, {"dt", dt}}},
                          {"targets", {"P"}}}};
    const auto r = test::run(config);
    const double P22 = std::exp(-h / tau), P20 = -tau / C * std::expm1(-h / tau);
    const std::size_t steps = r.t_ms.size() - 1, per = 10, M = steps / per;
    std::vector<std::vector<double>> interval(2);
    for (std::size_t n = 0; n < 2; ++n)
        for (std::size_t j = 0; j < M; ++j) {
            double first = 0.0;
            for (std::size_t q = 0; q < per; ++q) {
                const std::size_t k = j * per + q;
                const double I = (r.values[0][(k + 1) * 2 + n] - r.values[0][k * 2 + n] * P22) / P20;
                if (q == 0) first = I;
                REQUIRE_THAT(I, WithinAbs(first, 1e-6 * sd));  // constant over the interval (round-off only)
            }
            interval[n].push_back(first);
        }
    double s[2] = {0, 0}, s2[2] = {0, 0}, cross = 0;
    for (std::size_t j = 0; j < M; ++j) {
        for (int n = 0; n < 2; ++n) s[n] += interval[n][j], s2[n] += interval[n][j] * interval[n][j];
        cross += (interval[0][j] - mean) * (interval[1][j] - mean);
    }
    const double m = static_cast<double>(M);
    for (int n = 0; n < 2; ++n) {
        CHECK(std::abs(s[n] / m - mean) < 5 * sd / std::sqrt(m));                               // mean
        CHECK(std::abs(std::sqrt(s2[n] / m - (s[n] / m) * (s[n] / m)) - sd) < 5 * sd / std::sqrt(2 * m));  // std
    }
    CHECK(std::abs(cross / m / (sd * sd)) < 5 / std::sqrt(m));  // the two targets are independent
}

TEST_CASE("inhomogeneous_poisson_generator: counts per rate segment; parrot_neuron repeats at arrival",
          "[validation][stimuli]") {
    // 400 parrots, each fed by its own train: a parrot fires in a step with at least one
    // input, P = 1 - exp(-lambda), lambda = rate h.
    const double h = 0.1;
    test::json config = {
        {"simulation", {{"resolution", h}, {"t_stop", 1200.0}, {"seed", 3}, {"threads", 2}}},
        {"populations", {{{"name", "parrot"}, {"model", "parrot_neuron"}, {"n", 400}}}},
        {"stimuli", {{{"model", "inhomogeneous_poisson_generator"},
                      {"params", {{"rate_times", {0.0, 500.0, 1000.0}}, {"rate_values", {100.0, 20.0, 0.0}}}},
                      {"targets", {"parrot"}}, {"weight", 1.0}, {"delay", 1.0}}}},
        {"recorders", {{"spikes", {{"populations", {"parrot"}}}}}}};
    const auto spec = test::parse(config);
    engine sim(spec);
    sim.run(12000);
    // Counts with stamps in (1, 501], (501, 1001], (1001, 1200] ms: segments shifted by the delay.
    double count[3] = {0, 0, 0};
    for (const auto& s : sim.recorded_spikes()) {
        const double t = static_cast<double>(s.step + 1) * h;
        count[t <= 501.0 + 1e-9 ? 0 : t <= 1001.0 + 1e-9 ? 1 : 2] += 1;
    }
    const double rates[2] = {100.0, 20.0};
    for (int seg = 0; seg < 2; ++seg) {
        const double p = -std::expm1(-rates[seg] * h * 1e-3), n = 400.0 * 5000.0;
        INFO("segment " << seg << ": " << count[seg] << " spikes, expected " << n * p);
        CHECK(std::abs(count[seg] - n * p) < 5 * std::sqrt(n * p * (1 - p)));
    }
    CHECK(count[2] == 0.0);

    // A parrot repeats a spike_generator's spikes at spike time + delay, exactly.
    test::json parrot = {
        {"simulation", {{"resolution", h}, {"t_stop", 50.0}}},
        {"populations", {{{"name", "parrot"}, {"model", "parrot_neuron"}, {"n", 1}}}},
        {"stimuli", {{{"model", "spike_generator"}, {"params", {{"spike_times", {3.0, 7.5, 7.6, 20.0}}}},
                      {"targets", {"parrot"}}, {"weight", 1.0}, {"delay", 2.3}}}},
        {"recorders", {{"spikes", {{"populations", {"parrot"}}}}}}};
    engine p(test::parse(parrot));
    p.run(500);
    std::vector<double> times;
    for (const auto& s : p.recorded_spikes()) times.push_back(static_cast<double>(s.step + 1) * h);
    REQUIRE(times.size() == 4);
    const double want[] = {5.3, 9.8, 9.9, 22.3};
    for (int i = 0; i < 4; ++i) REQUIRE_THAT(times[static_cast<std::size_t>(i)], WithinAbs(want[i], 1e-9));
}
