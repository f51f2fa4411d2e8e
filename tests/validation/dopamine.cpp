// stdp_dopamine_synapse (Izhikevich 2007; NEST's model) against (a) the closed-form weight
// change of one pairing and one dopamine spike, (b) the equations integrated here with
// Boost.Odeint's Dormand-Prince stepper from the spike times the simulator recorded (an
// independent method: numerical integration where the synapse integrates exactly, event
// by event where it works lazily), and (c) a small version of the paper's experiment:
// the synapse whose pairings are followed by a delayed reward grows, the others do not.
//
// Pre neurons and the dopaminergic neuron are parrots fed by spike_generators; post
// neurons are iaf_psc_delta driven to fire at chosen times by a strong input.
#include "support.hpp"

#include <boost/numeric/odeint.hpp>
#include <catch2/catch.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <fstream>
#include <random>

using namespace myelin;

namespace {

constexpr double h = 0.1;

struct pair_protocol {
    std::vector<double> pre, post;  // spike_generator times: the pre parrot's, the post drive's
};

struct observed {
    std::vector<double> pre, post, dopa;  // recorded time stamps, ms
    double weight;                        // final weight
};

// Every protocol as its own pre -> post pair (one_to_one), all modulated by one
// dopaminergic parrot firing at `dopa` (+ 0.1 ms).
std::vector<observed> simulate(const test::json& params, const std::vector<pair_protocol>& protocols,
                               const std::vector<double>& dopa, double w0, double d, double modulator_delay,
                               double t_stop) {
    const std::size_t n = protocols.size();
    test::json stimuli = {{{"model", "spike_generator"}, {"params", {{"spike_times", dopa}}},
                           {"targets", {"DA"}}, {"weight", 1.0}, {"delay", h}}};
    for (std::size_t i = 0; i < n; ++i) {
        stimuli.push_back({{"model", "spike_generator"}, {"params", {{"spike_times", protocols[i].pre}}},
                           {"targets", {{{"population", "pre"}, {"neurons", {i}}}}}, {"weight", 1.0}, {"delay", h}});
        stimuli.push_back({{"model", "spike_generator"}, {"params", {{"spike_times", protocols[i].post}}},
                           {"targets", {{{"population", "post"}, {"neurons", {i}}}}}, {"weight", 100.0}, {"delay", h}});
    }
    const test::json config = {
        {"simulation", {{"resolution", h}, {"t_stop", t_stop}}},
        {"populations", {{{"name", "pre"}, {"model", "parrot_neuron"}, {"n", n}},
                         {{"name", "post"}, {"model", "iaf_psc_delta"}, {"n", n}},
                         {{"name", "DA"}, {"model", "parrot_neuron"}, {"n", 1}}}},
        {"projections", {{{"source", "pre"}, {"target", "post"}, {"connection", {{"rule", "one_to_one"}}},
                          {"weight", w0}, {"delay", d},
                          {"synapse", {{"model", "stdp_dopamine_synapse"}, {"params", params},
                                       {"modulator", {{"source", "DA"}, {"delay", modulator_delay}}}}}}}},
        {"stimuli", stimuli},
        {"recorders", {{"spikes", {{"populations", {"pre", "post", "DA"}}}}}}};
    engine sim(test::parse(config));
    sim.run(ms_to_steps(t_stop, h));
    std::vector<observed> out(n);
    std::vector<double> dopa_times;
    for (const auto& s : sim.recorded_spikes()) {
        const double t = static_cast<double>(s.step + 1) * h;
        if (s.gid < n) out[s.gid].pre.push_back(t);
        else if (s.gid < 2 * n) out[s.gid - n].post.push_back(t);
        else dopa_times.push_back(t);
    }
    for (auto& o : out) o.dopa = dopa_times;
    for (const auto& syn : sim.synapses(0)) out[syn.target].weight = syn.weight;
    return out;
}

double float_ulps(double w, double n) { return n * std::abs(w) * std::numeric_limits<float>::epsilon() + 1e-12; }

struct rule {
    double A_plus, A_minus, tau_plus, tau_minus, tau_c, tau_n, b;
    test::json params(double Wmin, double Wmax) const {
        return {{"A_plus", A_plus}, {"A_minus", A_minus}, {"tau_plus", tau_plus}, {"tau_minus", tau_minus},
                {"tau_c", tau_c},   {"tau_n", tau_n},     {"b", b},               {"Wmin", Wmin},
                {"Wmax", Wmax}};
    }
};

}  // namespace

TEST_CASE("stdp_dopamine_synapse: one pairing and one dopamine spike give the closed-form change",
          "[validation][plasticity][dopamine]") {
    const double b = GENERATE(0.0, 0.002);
    const rule r{0.8, 1.3, 15.0, 25.0, 300.0, 80.0, b};
    const double w0 = 5.0, d = 1.5, D = 0.5, t_read = 1500.0;
    // Pairing timings dt = t_post + d - t_pre at the synapse, and the dopamine arrival
    // relative to the later spike of the pair (before it, too: n still acts after).
    const std::vector<std::pair<double, double>> cases = {{5.0, 200.0}, {12.0, 40.0}, {-4.0, 100.0},
                                                          {-20.0, 400.0}, {6.0, -30.0}};
    for (const auto& [dt, lag] : cases) {
        const double t_pre = 100.0, t_post = t_pre + dt - d;
        const double t_pair = std::max(t_pre, t_post + d), t_da = t_pair + lag;  // arrival at the synapse
        const auto got = simulate(r.params(-100.0, 100.0), {{{t_pre - h, t_read - h}, {t_post - h}}},
                                  {t_da - D - h}, w0, d, D, t_read + 10.0)[0];
        REQUIRE(got.pre.size() == 2);
        REQUIRE(got.post.size() == 1);
        REQUIRE(got.post[0] + d - got.pre[0] == Approx(dt).margin(1e-9));
        // The eligibility right after the pair, and the weight at t_read:
        //   w = w0 + integral over [t_pair, t_read] of c(t) (n(t) - b) dt,
        //   c(t) = c1 exp(-(t - t_pair)/tau_c), n(t) = exp(-(t - t_da)/tau_n) / tau_n for t >= t_da.
        const double c1 = dt > 0 ? r.A_plus * std::exp(-dt / r.tau_plus) : -r.A_minus * std::exp(dt / r.tau_minus);
        const double tau_s = r.tau_c * r.tau_n / (r.tau_c + r.tau_n), from = std::max(t_pair, t_da);
        const double c_from = c1 * std::exp(-(from - t_pair) / r.tau_c);
        const double n_from = std::exp(-(from - t_da) / r.tau_n) / r.tau_n;
        const double dw = c_from * n_from * tau_s * (1.0 - std::exp(-(t_read - from) / tau_s)) -
                          b * c1 * r.tau_c * (1.0 - std::exp(-(t_read - t_pair) / r.tau_c));
        INFO("dt = " << dt << " ms, dopamine " << lag << " ms after the pair, b = " << b);
        // Tolerance: the weight is stored as float twice (at each pre spike): 2 ulps.
        CHECK(std::abs(got.weight - (w0 + dw)) <= float_ulps(w0, 2.0));
        CHECK(std::abs(dw) > 1e-3);
    }
}

TEST_CASE("stdp_dopamine_synapse: lazy updates equal the equations integrated numerically",
          "[validation][plasticity][dopamine]") {
    using state = std::array<double, 3>;  // c, n, w
    std::mt19937_64 rng(11);
    auto train = [&](double rate_hz, double from, double to, double min_isi) {
        std::exponential_distribution<double> gap(rate_hz / 1000.0);
        std::vector<double> t;
        for (double x = from;;) {
            x += std::max(min_isi, gap(rng));
            const double on_grid = std::round(x / h) * h;
            if (on_grid >= to) return t;
            t.push_back(on_grid);
        }
    };
    const double d = GENERATE(0.1, 2.0, 7.3);
    const double b = GENERATE(0.0, 0.004);
    const rule r{1.0, 1.5, 16.0, 33.0, 250.0, 70.0, b};
    const double w0 = 2.0, D = 1.0, t_end = 2000.0;
    std::vector<pair_protocol> protocols;
    for (int i = 0; i < 5; ++i) {
        protocols.push_back({train(10.0 + 8.0 * i, 0.0, t_end, 0.5), train(30.0, 0.0, t_end, 2.5)});
        protocols.back().pre.push_back(t_end + 100.0);  // brings the synapse up to date
    }
    // Enough dopamine spikes that the synapses drop the old ones on the way.
    const std::vector<double> dopa = train(50.0, 0.0, t_end, 1.0);
    // Bounds far away: this test is about the dynamics, not where clipping happens.
    const auto got = simulate(r.params(-1000.0, 1000.0), protocols, dopa, w0, d, D, t_end + 110.0);

    boost::numeric::odeint::runge_kutta_dopri5<state> stepper;
    auto controlled = boost::numeric::odeint::make_controlled(1e-13, 1e-13, stepper);
    auto rhs = [&](const state& x, state& dx, double) {
        dx[0] = -x[0] / r.tau_c;
        dx[1] = -x[1] / r.tau_n;
        dx[2] = x[0] * (x[1] - r.b);
    };
    // Times in whole steps, so that coincidences are exact.
    auto steps = [](const std::vector<double>& times, double by) {
        std::vector<long> out;
        for (double t : times) out.push_back(std::lround((t + by) / h));
        return out;
    };
    auto trace = [](const std::vector<long>& times, long t, double tau) {
        double sum = 0.0;
        for (long s : times)
            if (s < t) sum += std::exp(-static_cast<double>(t - s) * h / tau);
        return sum;
    };
    for (const auto& o : got) {
        const auto pre = steps(o.pre, 0.0), post_arrival = steps(o.post, d), dopa_arrival = steps(o.dopa, D);
        // Every event at the synapse in time order: 0 pre spike, 1 post arrival, 2 dopamine.
        std::vector<std::pair<long, int>> events;
        for (long t : pre) events.emplace_back(t, 0);
        for (long t : post_arrival) events.emplace_back(t, 1);
        for (long t : dopa_arrival) events.emplace_back(t, 2);
        std::sort(events.begin(), events.end());
        state x{0.0, 0.0, w0};
        long t = 0;
        for (const auto& [te, kind] : events) {
            if (te > pre.back()) break;
            if (te > t)
                boost::numeric::odeint::integrate_adaptive(controlled, rhs, x, static_cast<double>(t) * h,
                                                           static_cast<double>(te) * h, 0.01);
            t = te;
            if (kind == 0) {
                x[0] -= r.A_minus * trace(post_arrival, te, r.tau_minus);
                x[2] = static_cast<float>(x[2]);  // as the synapse stores it
            } else if (kind == 1) {
                x[0] += r.A_plus * trace(pre, te, r.tau_plus);
            } else {
                x[1] += 1.0 / r.tau_n;
            }
        }
        INFO("d = " << d << " ms, b = " << b << ", " << o.pre.size() << " pre, " << o.post.size() << " post, "
                    << o.dopa.size() << " dopamine spikes");
        // Tolerance: the integrator's error (1e-13 per step) is far below a float ulp; the
        // float rounding at each pre spike can come out one ulp apart: 2 ulps.
        CHECK(std::abs(o.weight - x[2]) <= float_ulps(x[2], 2.0));
        CHECK(std::abs(o.weight - w0) > 1e-3);
    }
}

TEST_CASE("stdp_dopamine_synapse: the rewarded synapse grows, the others do not (Izhikevich 2007)",
          "[validation][plasticity][dopamine]") {
    // examples/plasticity/dopamine/izhikevich2007.json: 50 x 10 synapses with Poisson
    // pre and post activity at 1 Hz; pre 0 -> post 0 paired 40 times, each pairing
    // rewarded 1 to 3 s later; pre 1 -> post 1 paired 40 times at random times, not
    // rewarded. Weights start at 1, Wmax = 4.
    const auto config = test::json::parse(std::ifstream(test::source_path("examples/plasticity/dopamine/izhikevich2007.json")));
    const network_spec spec = test::parse(config);
    engine sim(spec);
    sim.run(ms_to_steps(spec.simulation.t_stop_ms, spec.simulation.resolution_ms));
    double rewarded = 0.0, control = 0.0, others_sum = 0.0, others_max = 0.0;
    std::size_t n_others = 0;
    for (const auto& s : sim.synapses(0)) {
        if (s.source == 0 && s.target == 0) rewarded = s.weight;
        else if (s.source == 1 && s.target == 1) control = s.weight;
        else {
            others_sum += s.weight;
            others_max = std::max(others_max, s.weight);
            ++n_others;
        }
    }
    INFO("rewarded " << rewarded << ", control " << control << ", others mean " << others_sum / n_others << " max "
                     << others_max);
    // Thresholds from 11 seeds of the background (make_config.py with other seeds): the
    // rewarded weight ended at 3.53 to 4 (4 in 10), the control at 0.10 to 1.56, the
    // others' mean at 0.68 to 0.79 and their maximum at 2.30 to 2.94. Expected drift of
    // the rewarded weight ~ +0.1 per reward (40 rewards), noise ~0.1 per reward.
    CHECK(rewarded >= 3.2);
    CHECK(control <= 2.0);
    CHECK(others_sum / static_cast<double>(n_others) <= 1.0);
    CHECK(others_max < rewarded - 0.25);
}
