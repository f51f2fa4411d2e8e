// tsodyks_synapse: the PSC amplitudes of a regular presynaptic train against the model
// solved independently here (the linear x, y, z system between spikes in closed form),
// for depression and facilitation, and against the steady state of depression.
#include "support.hpp"

#include <catch2/catch.hpp>

#include <cmath>

using namespace myelin;
using Catch::Matchers::WithinRel;

namespace {

struct tm_params {
    double U, tau_psc, tau_rec, tau_fac;
};

// Amplitudes (weight * u x) at the given spike times, from x = 1, y = z = u = 0 at t = 0.
std::vector<double> amplitudes(const tm_params& p, const std::vector<double>& times, double weight) {
    double x = 1.0, y = 0.0, z = 0.0, u = 0.0, t_last = 0.0;
    std::vector<double> out;
    for (double t : times) {
        const double d = t - t_last;
        const double ey = std::exp(-d / p.tau_psc), ez = std::exp(-d / p.tau_rec);
        z = z * ez + y / p.tau_psc * (ey - ez) / (1.0 / p.tau_rec - 1.0 / p.tau_psc);
        y = y * ey;
        x = 1.0 - y - z;
        u = p.tau_fac > 0.0 ? u * std::exp(-d / p.tau_fac) : 0.0;
        u += p.U * (1.0 - u);
        const double dy = u * x;
        out.push_back(weight * dy);
        x -= dy;
        y += dy;
        t_last = t;
    }
    return out;
}

// Input current jumps of a non-firing iaf_psc_exp driven through a tsodyks_synapse from a
// parrot neuron that repeats a spike_generator's train.
std::vector<double> simulated_jumps(const tm_params& p, const std::vector<double>& train, double weight) {
    const double h = 0.1, tau_syn = p.tau_psc, t_stop = train.back() + 10.0;
    test::json config = {
        {"simulation", {{"resolution", h}, {"t_stop", t_stop}, {"threads", 1}}},
        {"populations", {{{"name", "pre"}, {"model", "parrot_neuron"}, {"n", 1}},
                         {{"name", "P"}, {"model", "iaf_psc_exp"}, {"n", 1},
                          {"params", {{"V_th", 1e9}, {"tau_syn_ex", tau_syn}}}}}},
        {"projections", {{{"source", "pre"}, {"target", "P"}, {"connection", {{"rule", "all_to_all"}}},
                          {"weight", weight}, {"delay", 1.0},
                          {"synapse", {{"model", "tsodyks_synapse"},
                                       {"params", {{"U", p.U}, {"tau_psc", p.tau_psc}, {"tau_rec", p.tau_rec},
                                                   {"tau_fac", p.tau_fac}}}}}}}},
        {"stimuli", {{{"model", "spike_generator"}, {"params", {{"spike_times", train}}}, {"targets", {"pre"}},
                      {"weight", 1.0}, {"delay", 0.1}}}},
        {"recorders", {{"state", {{{"name", "I"}, {"population", "P"}, {"neurons", {0}}, {"variables", {"I_syn_ex"}},
                                   {"interval", h}}}}}}};
    const auto r = test::run(config);
    const double P11 = std::exp(-h / tau_syn);
    std::vector<double> jumps;
    for (std::size_t k = 1; k < r.t_ms.size(); ++k) {
        const double jump = r.values[0][k] - r.values[0][k - 1] * P11;
        if (jump > 1e-9 * weight) jumps.push_back(jump);
    }
    return jumps;
}

}  // namespace

TEST_CASE("tsodyks_synapse: PSC amplitudes of a regular train follow the model", "[validation][tsodyks]") {
    // Depressing (Tsodyks & Markram's cortical pyramidal values) and facilitating synapses.
    const tm_params p = GENERATE(tm_params{0.5, 3.0, 800.0, 0.0}, tm_params{0.03, 3.0, 100.0, 1000.0});
    std::vector<double> train;
    for (int i = 0; i < 20; ++i) train.push_back(10.0 + 20.0 * i);  // 50 Hz
    train.push_back(1500.0);                                         // after a pause: recovery
    const double w = 100.0;
    // The parrot repeats each spike 0.1 ms later: the synapse sees those times.
    std::vector<double> seen;
    for (double t : train) seen.push_back(t + 0.1);
    const auto expected = amplitudes(p, seen, w);
    const auto jumps = simulated_jumps(p, train, w);
    REQUIRE(jumps.size() == expected.size());
    // Both evaluate exact solutions of the same linear system, in different arrangements:
    // agreement to round-off (1e-10 relative).
    for (std::size_t i = 0; i < jumps.size(); ++i) {
        INFO("spike " << i);
        REQUIRE_THAT(jumps[i], WithinRel(expected[i], 1e-10));
    }
    if (p.tau_fac == 0.0) {
        // Depression: the amplitudes fall towards w U x_inf with
        // x_inf = (1 - e^(-T/tau_rec)) / (1 - (1 - U) e^(-T/tau_rec)), T = 20 ms; the finite
        // tau_psc leaves e^(-T/tau_psc) = 0.13% of y unconverted per interval, so 1%.
        const double e = std::exp(-20.0 / p.tau_rec);
        const double x_inf = (1.0 - e) / (1.0 - (1.0 - p.U) * e);
        REQUIRE(jumps[1] < jumps[0]);
        REQUIRE_THAT(jumps[19], WithinRel(w * p.U * x_inf, 0.01));
        REQUIRE(jumps[20] > 2 * jumps[19]);  // recovering after 1.1 s (tau_rec = 800 ms): 74% of the way
        REQUIRE(jumps[20] < jumps[0]);
    } else {
        REQUIRE(jumps[5] > 3 * jumps[0]);  // facilitation
    }
}
