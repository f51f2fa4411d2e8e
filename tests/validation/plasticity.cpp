// Spike-timing plasticity: stdp_synapse, stdp_triplet_synapse and vogels_sprekeler_synapse
// against (a) the analytic pair window and pairing schemes, and (b) the rules applied
// here event by event, eagerly, in time order, from the spike times the simulator
// recorded: an independent implementation of what the synapse must do lazily from the
// postsynaptic history. Pre neurons are parrots fed by spike_generators; post neurons are
// iaf_psc_delta driven to fire at chosen times by a strong input (the plastic input stays
// far below threshold).
//
// Tolerance: the simulator stores weights as float, rounded once per presynaptic spike;
// the reference rounds at the same points, so the two differ only by the order of double
// operations, which can move one rounding by one float ulp. We allow 2 ulps of the weight.
#include "support.hpp"

#include <myelin/simulator/detail/f64x4.hpp>

#include <catch2/catch.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdlib>
#include <functional>
#include <fstream>
#include <random>
#include <utility>

using namespace myelin;

namespace {

constexpr double h = 0.1;

struct protocol {
    std::vector<double> pre, post;  // spike_generator times: the pre parrot's, the post drive's
};

struct observed {
    std::vector<double> pre, post;  // recorded time stamps, ms
    double weight;                  // final weight
};

// One network holding every protocol as its own pre -> post pair (one_to_one), or with
// every pre neuron connected to every post neuron (all_to_all: rows of many synapses,
// which plastic rules apply several at a time). The result is per synapse, with the
// times of its own pre and post neuron.
std::vector<observed> simulate(const std::string& model, const test::json& params, const std::vector<protocol>& protocols,
                               double w0, double delay_ms, double t_stop_ms, const std::string& rule = "one_to_one") {
    const std::size_t n = protocols.size();
    test::json stimuli = test::json::array();
    for (std::size_t i = 0; i < n; ++i) {
        stimuli.push_back({{"model", "spike_generator"}, {"params", {{"spike_times", protocols[i].pre}}},
                           {"targets", {{{"population", "pre"}, {"neurons", {i}}}}}, {"weight", 1.0}, {"delay", h}});
        stimuli.push_back({{"model", "spike_generator"}, {"params", {{"spike_times", protocols[i].post}}},
                           {"targets", {{{"population", "post"}, {"neurons", {i}}}}}, {"weight", 100.0}, {"delay", h}});
    }
    const test::json config = {
        {"simulation", {{"resolution", h}, {"t_stop", t_stop_ms}, {"threads", 1}}},
        {"populations", {{{"name", "pre"}, {"model", "parrot_neuron"}, {"n", n}},
                         {{"name", "post"}, {"model", "iaf_psc_delta"}, {"n", n}}}},
        {"projections", {{{"source", "pre"}, {"target", "post"}, {"connection", {{"rule", rule}}},
                          {"weight", w0}, {"delay", delay_ms}, {"synapse", {{"model", model}, {"params", params}}}}}},
        {"stimuli", stimuli},
        {"recorders", {{"spikes", {{"populations", {"pre", "post"}}}}}}};
    const network_spec spec = test::parse(config);
    engine sim(spec);
    sim.run(ms_to_steps(t_stop_ms, h));
    std::vector<std::vector<double>> pre(n), post(n);
    for (const auto& s : sim.recorded_spikes()) {
        const double t = static_cast<double>(s.step + 1) * h;
        if (s.gid < n) pre[s.gid].push_back(t);
        else post[s.gid - n].push_back(t);
    }
    auto synapses = sim.synapses(0);
    std::sort(synapses.begin(), synapses.end(),
              [](const auto& a, const auto& b) { return std::pair(a.source, a.target) < std::pair(b.source, b.target); });
    std::vector<observed> out;  // one_to_one: out[i] is protocol i's
    for (const auto& syn : synapses) out.push_back({pre[syn.source], post[syn.target], syn.weight});
    REQUIRE(out.size() == (rule == "one_to_one" ? n : n * n));
    return out;
}

// Value of an all-to-all or nearest trace: sum (or latest) of exp(-(t - s)/tau), s < t.
double trace_value(const std::vector<double>& times, double t, double tau, bool nearest) {
    double sum = 0.0, latest = 0.0;
    for (double s : times)
        if (s < t) {
            sum += std::exp(-(t - s) / tau);
            latest = std::exp(-(t - s) / tau);
        }
    return nearest ? latest : sum;
}

// The rule applied eagerly: post arrivals (t_post + d) and pre spikes in time order, a
// post arrival before a pre spike at the same time, stopping at the last pre spike (the
// synapse applies post spikes only when a pre spike passes); the weight rounded to float
// after each pre spike, as the simulator stores it.
using update = std::function<double(double w, double t, bool is_post)>;
double eager(const std::vector<double>& pre, const std::vector<double>& post_arrival, double w0, const update& f) {
    double w = w0;
    std::size_t a = 0;
    for (double t : pre) {
        for (; a < post_arrival.size() && post_arrival[a] <= t; ++a) w = f(w, post_arrival[a], true);
        w = static_cast<float>(f(w, t, false));
    }
    return w;
}

// On the grid, computed as the recorded times are, so that coincidences compare equal.
std::vector<double> shifted(const std::vector<double>& times, double d) {
    std::vector<double> out;
    for (double t : times) out.push_back(static_cast<double>(std::lround((t + d) / h)) * h);
    return out;
}

// Poisson-like train on the 0.1 ms grid with a minimal interval (the post neuron's
// refractory period is 2 ms), times in (from, to).
std::vector<double> train(std::mt19937_64& rng, double rate_hz, double from, double to, double min_isi) {
    std::exponential_distribution<double> gap(rate_hz / 1000.0);
    std::vector<double> t;
    double x = from;
    for (;;) {
        x += std::max(min_isi, gap(rng));
        const double on_grid = std::round(x / h) * h;
        if (on_grid >= to) break;
        t.push_back(on_grid);
    }
    return t;
}

double ulps(double w) { return 2.0 * std::abs(w) * std::numeric_limits<float>::epsilon() + 1e-12; }

}  // namespace

TEST_CASE("stdp_synapse: single pairs follow the analytic window", "[validation][plasticity]") {
    const double mu = GENERATE(0.0, 1.0);
    const bool nearest = GENERATE(false, true);
    const double Wmax = 10.0, lambda = 0.02, alpha = 1.3, tau_plus = 15.0, tau_minus = 25.0, w0 = 4.0, d = 1.5;
    const test::json params = {{"tau_plus", tau_plus}, {"tau_minus", tau_minus}, {"lambda", lambda},
                               {"alpha", alpha},      {"mu_plus", mu},           {"mu_minus", mu},
                               {"Wmax", Wmax},        {"nearest", nearest}};
    // dt = t_post + d - t_pre, the timing at the synapse; a late pre spike applies the update.
    const std::vector<double> dts = {-40.0, -12.0, -3.0, -0.5, 0.5, 3.0, 12.0, 40.0};
    std::vector<protocol> protocols;
    for (double dt : dts) {
        const double t_pre = 100.0, t_post = t_pre + dt - d;
        protocols.push_back({{t_pre - h, 900.0}, {t_post - h}});  // the parrot and the drive add 0.1 ms
    }
    const auto got = simulate("stdp_synapse", params, protocols, w0, d, 1000.0);
    for (std::size_t i = 0; i < dts.size(); ++i) {
        INFO("dt = " << dts[i] << " ms, mu = " << mu << ", nearest = " << nearest);
        REQUIRE(got[i].pre.size() == 2);
        REQUIRE(got[i].post.size() == 1);
        REQUIRE(got[i].post[0] + d - got[i].pre[0] == Approx(dts[i]).margin(1e-9));
        const double x = w0 / Wmax;
        const double dw = dts[i] > 0 ? lambda * std::pow(1.0 - x, mu) * std::exp(-dts[i] / tau_plus) * Wmax
                                     : -alpha * lambda * std::pow(x, mu) * std::exp(dts[i] / tau_minus) * Wmax;
        // The late pre spike (800 ms on) adds depression below exp(-30): far below a float ulp.
        CHECK(std::abs(got[i].weight - (w0 + dw)) <= ulps(w0));
    }
}

TEST_CASE("stdp_synapse: all-to-all and nearest pairing differ as defined", "[validation][plasticity]") {
    // Pre spikes at 0 and 5 ms, post arrival at 10 ms (at the synapse), then a late pre.
    const double tau = 20.0, lambda = 0.05, Wmax = 2.0, w0 = 1.0, d = 1.0;  // mV: far below threshold
    std::vector<protocol> protocols = {{{100.0 - h, 105.0 - h, 900.0}, {110.0 - d - h}}};
    for (bool nearest : {false, true}) {
        const test::json params = {{"tau_plus", tau}, {"tau_minus", tau}, {"lambda", lambda}, {"mu_plus", 0.0},
                                   {"mu_minus", 0.0}, {"Wmax", Wmax},    {"nearest", nearest}};
        const auto got = simulate("stdp_synapse", params, protocols, w0, d, 1000.0);
        const double x = nearest ? std::exp(-5.0 / tau) : std::exp(-5.0 / tau) + std::exp(-10.0 / tau);
        CHECK(std::abs(got[0].weight - (w0 + lambda * x * Wmax)) <= ulps(w0));
    }
}

// all_to_all gives rows of 10 synapses: the rules built in run four at a time where the
// CPU has AVX2 (two groups of four, and two one by one), with both code paths checked
// against the same reference.
TEST_CASE("plastic rules applied lazily equal the rules applied event by event", "[validation][plasticity]") {
    std::mt19937_64 rng(7);
    const double d = GENERATE(0.1, 2.0, 7.3);
    const std::string rule = GENERATE(as<std::string>{}, "one_to_one", "all_to_all");
    INFO(rule << (myelin::lanes_available() ? " (AVX2 available)" : ""));
    std::vector<protocol> protocols;
    for (int i = 0; i < 10; ++i) {
        const double rate = 10.0 + 6.0 * i;
        protocols.push_back({train(rng, rate, 0.0, 2000.0, 0.5), train(rng, 40.0, 0.0, 2000.0, 2.5)});
        protocols.back().pre.push_back(2100.0);  // applies the last post spikes
    }

    SECTION("stdp_synapse") {
        for (bool nearest : {false, true})
            for (double mu : {0.0, 0.4, 1.0}) {
                const double tp = 16.0, tm = 33.0, lambda = 0.005, alpha = 1.1, Wmax = 3.0, w0 = 1.0;
                const test::json params = {{"tau_plus", tp}, {"tau_minus", tm}, {"lambda", lambda}, {"alpha", alpha},
                                           {"mu_plus", mu},  {"mu_minus", mu},  {"Wmax", Wmax},    {"nearest", nearest}};
                const auto got = simulate("stdp_synapse", params, protocols, w0, d, 2200.0, rule);
                for (const auto& o : got) {
                    const auto arrival = shifted(o.post, d);
                    const double want = eager(o.pre, arrival, w0, [&](double w, double t, bool is_post) {
                        const double x = w / Wmax;
                        if (is_post)
                            return std::min(1.0, x + lambda * std::pow(1.0 - x, mu) *
                                                         trace_value(o.pre, t, tp, nearest)) * Wmax;
                        return std::max(0.0, x - alpha * lambda * std::pow(x, mu) *
                                                     trace_value(arrival, t, tm, nearest)) * Wmax;
                    });
                    INFO("nearest = " << nearest << ", mu = " << mu << ", d = " << d);
                    CHECK(std::abs(o.weight - want) <= ulps(want));
                    CHECK(o.weight != w0);
                }
            }
    }
    SECTION("stdp_triplet_synapse") {
        for (bool nearest : {false, true}) {
            const double t1 = 16.8, tx = 101.0, tm = 33.7, ty = 125.0, A2p = 5e-3, A3p = 6.2e-3, A2m = 7e-3,
                         A3m = 2.3e-4, Wmax = 2.0, w0 = 1.0;
            const test::json params = {{"tau_plus", t1},   {"tau_plus_triplet", tx}, {"tau_minus", tm},
                                       {"tau_minus_triplet", ty}, {"Aplus", A2p},    {"Aplus_triplet", A3p},
                                       {"Aminus", A2m},   {"Aminus_triplet", A3m},   {"Wmax", Wmax},
                                       {"nearest", nearest}};
            const auto got = simulate("stdp_triplet_synapse", params, protocols, w0, d, 2200.0, rule);
            for (const auto& o : got) {
                const auto arrival = shifted(o.post, d);
                const double want = eager(o.pre, arrival, w0, [&](double w, double t, bool is_post) {
                    if (is_post)
                        return std::min(Wmax, w + trace_value(o.pre, t, t1, nearest) *
                                                      (A2p + A3p * trace_value(arrival, t, ty, nearest)));
                    return std::max(0.0, w - trace_value(arrival, t, tm, nearest) *
                                                 (A2m + A3m * trace_value(o.pre, t, tx, nearest)));
                });
                INFO("nearest = " << nearest << ", d = " << d);
                CHECK(std::abs(o.weight - want) <= ulps(want));
                CHECK(o.weight != w0);
            }
        }
    }
    SECTION("vogels_sprekeler_synapse") {
        const double tau = 20.0, eta = 0.01, alpha = 0.2, Wmax = 5.0, w0 = -1.0;
        const test::json params = {{"tau", tau}, {"eta", eta}, {"alpha", alpha}, {"Wmax", Wmax}};
        const auto got = simulate("vogels_sprekeler_synapse", params, protocols, w0, d, 2200.0, rule);
        for (const auto& o : got) {
            const auto arrival = shifted(o.post, d);
            const double want = eager(o.pre, arrival, w0, [&](double w, double t, bool is_post) {
                if (is_post) return -std::min(Wmax, -w + eta * trace_value(o.pre, t, tau, false));
                return -std::clamp(-w + eta * (trace_value(arrival, t, tau, false) - alpha), 0.0, Wmax);
            });
            INFO("d = " << d);
            CHECK(std::abs(o.weight - want) <= ulps(want));
            CHECK(o.weight != w0);
        }
    }
}

TEST_CASE("weight recorder: snapshots and events of a plastic synapse", "[validation][plasticity]") {
    // One pair, post 3 ms after pre at the synapse; a late pre spike applies the potentiation.
    const double Wmax = 10.0, lambda = 0.02, tau = 20.0, w0 = 4.0, d = 1.0;
    const test::json config = {
        {"simulation", {{"resolution", h}, {"t_stop", 1000.0}, {"threads", 1}}},
        {"populations", {{{"name", "pre"}, {"model", "parrot_neuron"}, {"n", 1}},
                         {{"name", "post"}, {"model", "iaf_psc_delta"}, {"n", 1}}}},
        {"projections", {{{"source", "pre"}, {"target", "post"}, {"connection", {{"rule", "one_to_one"}}},
                          {"weight", w0}, {"delay", d},
                          {"synapse", {{"model", "stdp_synapse"},
                                       {"params", {{"Wmax", Wmax}, {"lambda", lambda}, {"tau_plus", tau}, {"mu_plus", 0.0}}}}}}}},
        {"stimuli", {{{"model", "spike_generator"}, {"params", {{"spike_times", {99.9, 899.9}}}}, {"targets", {"pre"}},
                      {"weight", 1.0}, {"delay", h}},
                     {{"model", "spike_generator"}, {"params", {{"spike_times", {101.9}}}}, {"targets", {"post"}},
                      {"weight", 100.0}, {"delay", h}}}},
        {"recorders", {{"weights", {{{"name", "w"}, {"projection", 0}, {"times", {0.0, 100.0, 150.0, 900.0, 950.0}},
                                     {"events", true}}}}}}};
    engine sim(test::parse(config));
    sim.run(ms_to_steps(1000.0, h));
    const auto rec = sim.weight_records();
    REQUIRE(rec.size() == 1);
    const auto& w = rec[0];
    const double potentiated = w0 + lambda * std::exp(-3.0 / tau) * Wmax;
    // Pre spikes at 100 and 900 ms (stamps); the post spike reaches the synapse at 103 ms.
    REQUIRE(w.event_time_ms.size() == 2);
    CHECK(w.event_time_ms[0] == Approx(100.0));
    CHECK(w.event_time_ms[1] == Approx(900.0));
    CHECK(w.event_weight[0] == static_cast<float>(w0));
    CHECK(std::abs(w.event_weight[1] - potentiated) <= ulps(potentiated));
    // Snapshots hold the stored weight: the potentiation shows once the late pre spike passed.
    REQUIRE(w.times_ms == std::vector<double>{0.0, 100.0, 150.0, 900.0, 950.0});
    REQUIRE(w.weights.size() == 5);
    CHECK(w.weights[0] == static_cast<float>(w0));
    CHECK(w.weights[2] == static_cast<float>(w0));
    CHECK(w.weights[3] == w.event_weight[1]);
    CHECK(w.weights[4] == w.event_weight[1]);
}

namespace {

// Final weights, in units of Wmax, of the Song et al. (2000) example network (small version).
std::vector<double> song_weights(double mu) {
    auto config = test::json::parse(std::ifstream(test::source_path("examples/plasticity/song2000/song2000_small.json")));
    auto& stdp = config["projections"][0]["synapse"]["params"];
    stdp["mu_plus"] = mu;
    stdp["mu_minus"] = mu;
    const double w_max = stdp["Wmax"];
    engine sim(test::parse(config));
    sim.run(ms_to_steps(config["simulation"]["t_stop"], h));
    const auto rec = sim.weight_records();
    const std::size_t n = rec[0].source.size();
    std::vector<double> out;
    for (std::size_t i = 0; i < n; ++i) out.push_back(rec[0].weights[(rec[0].times_ms.size() - 1) * n + i] / w_max);
    return out;
}

double fraction(const std::vector<double>& w, double lo, double hi) {
    return static_cast<double>(std::count_if(w.begin(), w.end(), [&](double x) { return x >= lo && x <= hi; })) /
           static_cast<double>(w.size());
}

}  // namespace

TEST_CASE("stdp_synapse: additive STDP splits the weights (Song, Miller & Abbott 2000)", "[validation][plasticity]") {
    // 200 Poisson inputs at 20 Hz onto one conductance-based neuron, weights initially
    // uniform on [0, Wmax] (10 % in each tenth). Additive STDP with A-/A+ = 1.05 drives them
    // to the bounds: in the run committed here 63 % end in the outer tenths and 13 % in the
    // middle [0.3, 0.7]; multiplicative STDP (mu = 1) on the same inputs keeps all of them
    // inside, around a single mode (van Rossum et al. 2000). The thresholds sit well
    // between the two outcomes.
    const auto additive = song_weights(0.0);
    CHECK(fraction(additive, 0.0, 0.1) > 0.25);
    CHECK(fraction(additive, 0.9, 1.0) > 0.2);
    CHECK(fraction(additive, 0.3, 0.7) < 0.2);
    const auto multiplicative = song_weights(1.0);
    CHECK(fraction(multiplicative, 0.0, 0.1) == 0.0);
    CHECK(fraction(multiplicative, 0.9, 1.0) == 0.0);
    CHECK(fraction(multiplicative, 0.3, 0.7) > 0.9);
}

namespace {

// Mean rate (Hz) of the n recorded neurons of `config` from `from_ms` to t_stop.
double late_rate(const test::json& config, double from_ms, std::size_t n) {
    const double t_stop = config["simulation"]["t_stop"];
    engine sim(test::parse(config));
    sim.run(ms_to_steps(t_stop, h));
    std::size_t late = 0;
    for (const auto& s : sim.recorded_spikes())
        if (static_cast<double>(s.step + 1) * h > from_ms) ++late;
    return static_cast<double>(late) / (static_cast<double>(n) * (t_stop - from_ms) * 1e-3);
}

}  // namespace

TEST_CASE("vogels_sprekeler_synapse: inhibitory plasticity brings the rate to the target", "[validation][plasticity]") {
    // 20 neurons driven to ~40 Hz by excitatory Poisson input, each with 400 inhibitory
    // inputs (10 Hz Poisson, through parrots) whose weights start near 0. The rule's fixed
    // point for uncorrelated pre and post spikes is rho_0 = alpha / (2 tau). Correlations
    // (an inhibitory spike briefly lowers the post rate) shift it a little upwards: with
    // many weak inputs, as here, by ~3 % (with 50 strong ones by ~20 %). We require the
    // rate over 10-30 s within 10 % of rho_0 for two targets; the statistical error of
    // 2000-4000 spikes is 2 %.
    const double rho0 = GENERATE(5.0, 10.0), tau = 20.0;
    const test::json config = {
        {"simulation", {{"resolution", h}, {"t_stop", 30000.0}, {"seed", 3}, {"threads", 2}}},
        {"populations", {{{"name", "inh"}, {"model", "parrot_neuron"}, {"n", 1000}},
                         {{"name", "post"}, {"model", "iaf_psc_exp"}, {"n", 20},
                          {"params", {{"tau_syn_ex", 2.0}, {"tau_syn_in", 2.0}}}}}},
        {"projections", {{{"source", "inh"}, {"target", "post"},
                          {"connection", {{"rule", "fixed_indegree"}, {"indegree", 400}}},
                          {"weight", -5.0}, {"delay", 1.0},
                          {"synapse", {{"model", "vogels_sprekeler_synapse"},
                                       {"params", {{"tau", tau}, {"eta", 3.0}, {"alpha", 2.0 * rho0 * 1e-3 * tau},
                                                   {"Wmax", 2000.0}}}}}}}},
        {"stimuli", {{{"model", "poisson_generator"}, {"params", {{"rate", 12000.0}}}, {"targets", {"post"}},
                      {"weight", 20.0}, {"delay", 1.0}},
                     {{"model", "poisson_generator"}, {"params", {{"rate", 10.0}}}, {"targets", {"inh"}},
                      {"weight", 1.0}, {"delay", h}}}},
        {"recorders", {{"spikes", {{"populations", {"post"}}}}}}};
    const double rate = late_rate(config, 10000.0, 20);
    INFO("target " << rho0 << " Hz, rate " << rate << " Hz");
    CHECK(std::abs(rate - rho0) < 0.1 * rho0);
}

TEST_CASE("synaptic scaling brings the rate to its target", "[validation][plasticity]") {
    // 40 neurons, each with 200 Poisson inputs (10 Hz) whose weights drive it at ~30 Hz.
    // Scaling (target 10 Hz, activity time constant 2 s, every 100 ms) multiplies each
    // neuron's input weights by exp(beta T (target - activity)) until the rate is the
    // target; without scaling (beta = 0) the rate stays high. Tolerance 10 %: over 15-30 s
    // the statistical error of ~6000 spikes is ~1.5 % (CV < 1), and the activity estimate
    // (2 s) still fluctuates by a few %.
    auto rate_with = [](double beta) {
        const test::json config = {
            {"simulation", {{"resolution", h}, {"t_stop", 30000.0}, {"seed", 5}, {"threads", 2}}},
            {"populations", {{{"name", "inputs"}, {"model", "parrot_neuron"}, {"n", 500}},
                             {{"name", "post"}, {"model", "iaf_psc_exp"}, {"n", 40}, {"params", {{"tau_syn_ex", 2.0}}}}}},
            {"projections", {{{"source", "inputs"}, {"target", "post"},
                              {"connection", {{"rule", "fixed_indegree"}, {"indegree", 200}}},
                              {"weight", {{"distribution", "uniform"}, {"low", 120.0}, {"high", 200.0}}}, {"delay", 1.0},
                              {"scaling", {{"target_rate", 10.0}, {"tau", 2000.0}, {"beta", beta}, {"interval", 100.0}}}}}},
            {"stimuli", {{{"model", "poisson_generator"}, {"params", {{"rate", 10.0}}}, {"targets", {"inputs"}},
                          {"weight", 1.0}, {"delay", h}}}},
            {"recorders", {{"spikes", {{"populations", {"post"}}}}}}};
        return late_rate(config, 15000.0, 40);
    };
    const double scaled = rate_with(0.01), unscaled = rate_with(0.0);
    INFO("rate with scaling " << scaled << " Hz, without " << unscaled << " Hz");
    CHECK(std::abs(scaled - 10.0) < 1.0);
    CHECK(unscaled > 25.0);
}

// Where the CPU has AVX2, rules written over their number type run four synapses at a
// time; simulation.simd = "off" (or MYELIN_SIMD=off) makes them run one at a time. The
// two must agree to the bit: a
// recurrent network (2 threads) with stdp_synapse (mu = 0.4: std::pow lane by lane) on
// E->E and vogels_sprekeler_synapse on I->E, whose weights feed back into the spikes.
TEST_CASE("plastic rules four synapses at a time equal them one at a time, to the bit", "[validation][plasticity]") {
    if (!myelin::lanes_available()) WARN("this CPU has no AVX2 (or MYELIN_SIMD=off): both runs are one at a time");
    const test::json neuron = {{"tau_syn_ex", 0.5}, {"tau_syn_in", 0.5}, {"t_ref", 2.0}, {"V_reset", 10.0},
                               {"V_th", 20.0},       {"E_L", 0.0},        {"C_m", 250.0}, {"tau_m", 20.0}};
    const test::json config = {
        {"simulation", {{"resolution", h}, {"t_stop", 400.0}, {"seed", 11}, {"threads", 2}}},
        {"populations", {{{"name", "E"}, {"model", "iaf_psc_exp"}, {"n", 400}, {"params", neuron}},
                         {{"name", "I"}, {"model", "iaf_psc_exp"}, {"n", 100}, {"params", neuron}}}},
        {"projections",
         {{{"source", "E"}, {"target", "E"}, {"connection", {{"rule", "fixed_indegree"}, {"indegree", 60}}},
           {"weight", 40.0}, {"delay", 1.5},
           {"synapse", {{"model", "stdp_synapse"},
                        {"params", {{"lambda", 0.05}, {"alpha", 1.1}, {"mu_plus", 0.4}, {"mu_minus", 0.4}, {"Wmax", 80.0}}}}}},
          {{"source", "E"}, {"target", "I"}, {"connection", {{"rule", "fixed_indegree"}, {"indegree", 60}}},
           {"weight", 40.0}, {"delay", 1.5}},
          {{"source", "I"}, {"target", "E"}, {"connection", {{"rule", "fixed_indegree"}, {"indegree", 20}}},
           {"weight", -150.0}, {"delay", 1.5},
           {"synapse", {{"model", "vogels_sprekeler_synapse"},
                        {"params", {{"tau", 20.0}, {"eta", 5.0}, {"alpha", 0.2}, {"Wmax", 400.0}}}}}}}},
        {"stimuli", {{{"model", "poisson_generator"}, {"params", {{"rate", 16000.0}}}, {"targets", {"E", "I"}},
                      {"weight", 40.0}, {"delay", 1.5}}}},
        {"recorders", {{"spikes", {{"populations", {"E", "I"}}}}}}};
    // One at a time by the config's option, and by the environment's override.
    auto run = [&](const char* simd, bool env_off) {
        test::json c = config;
        c["simulation"]["simd"] = simd;
        if (env_off) setenv("MYELIN_SIMD", "off", 1);
        else unsetenv("MYELIN_SIMD");
        engine sim(test::parse(c));
        sim.run(ms_to_steps(400.0, h));
        unsetenv("MYELIN_SIMD");
        return std::pair(sim.recorded_spikes(), std::array{sim.synapses(0), sim.synapses(2)});
    };
    const auto [spikes_lanes, synapses_lanes] = run("auto", false);
    const auto [spikes_one, synapses_one] = run("off", false);
    CHECK(run("auto", true).second[0].front().weight == synapses_one[0].front().weight);
    REQUIRE(spikes_lanes.size() > 2000);  // ~10 Hz or more: every synapse has work to do
    CHECK(spikes_lanes == spikes_one);
    for (std::size_t p = 0; p < 2; ++p) {
        REQUIRE(synapses_lanes[p].size() == synapses_one[p].size());
        std::size_t changed = 0, differ = 0;
        const double w0 = p == 0 ? 40.0 : -150.0;
        for (std::size_t k = 0; k < synapses_one[p].size(); ++k) {
            changed += synapses_one[p][k].weight != w0;
            differ += synapses_lanes[p][k].weight != synapses_one[p][k].weight;
        }
        INFO("projection " << (p == 0 ? "E->E" : "I->E"));
        CHECK(changed > synapses_one[p].size() / 2);
        CHECK(differ == 0);
    }
}
