// Parameters given per neuron (a list of n values, or a distribution drawn per neuron):
// a population runs exactly as if each run of neurons with equal parameters were a
// population of its own (bit for bit: the same arithmetic in the same order), for any
// thread count; drawn values depend only on the seed and the neuron.
#include "support.hpp"

#include <myelin/simulator/engine.hpp>

#include <catch2/catch.hpp>
#include <fmt/format.h>

#include <map>
#include <set>

using namespace myelin;

namespace {

struct outcome {
    std::vector<spike> spikes;
    std::vector<std::vector<double>> values;  // per variable: [sample][neuron], all populations' neurons in order
};

outcome simulate(const test::json& config) {
    const network_spec spec = test::parse(config);
    engine sim(spec);
    sim.run(ms_to_steps(spec.simulation.t_stop_ms, spec.simulation.resolution_ms));
    outcome out;
    out.spikes = sim.recorded_spikes();
    for (const auto& t : sim.state_traces()) {  // recorders in population order, one variable set each
        out.values.resize(t.variables.size());
        for (std::size_t v = 0; v < t.variables.size(); ++v) out.values[v].insert(out.values[v].end(), t.data[v].begin(), t.data[v].end());
    }
    return out;
}

// The same n neurons as one population with per-neuron lists (`listed`) or as n
// populations of one neuron each; Poisson input is keyed by the neuron's global id, which
// is the same in both. The initial V_m is written through the population's state view,
// so it must reach every segment.
struct layout {
    std::string model;
    std::map<std::string, std::vector<double>> listed;
    test::json shared;
    std::vector<std::string> variables;
    std::string receptor = {};  // the port the input arrives at (multisynapse models)
};

test::json base(int threads) {
    return {{"simulation", {{"resolution", 0.1}, {"t_stop", 150.0}, {"seed", 5}, {"threads", threads}}},
            {"recorders", test::json::object()}};
}

test::json as_one(const layout& l, std::size_t n, int threads) {
    auto c = base(threads);
    test::json params = l.shared;
    for (const auto& [key, values] : l.listed) params[key] = values;
    c["populations"] = {{{"name", "P"}, {"model", l.model}, {"n", n}, {"params", params},
                         {"initial", {{"V_m", -62.0}}}}};
    c["recorders"]["spikes"] = {{"populations", {"P"}}};
    // One sample per step, each neuron in its own recorder as in the split network (a
    // trace holds samples of one population's neurons: [sample * neurons + neuron]).
    c["recorders"]["state"] = test::json::array();
    for (std::size_t i = 0; i < n; ++i)
        c["recorders"]["state"].push_back({{"name", fmt::format("r{}", i)}, {"population", "P"}, {"neurons", {i}},
                                           {"variables", l.variables}});
    c["stimuli"] = {{{"model", "poisson_generator"}, {"params", {{"rate", 4000.0}}}, {"targets", {"P"}}, {"weight", 30.0},
                     {"delay", 1.0}}};
    if (!l.receptor.empty()) c["stimuli"][0]["receptor"] = l.receptor;
    return c;
}

test::json as_many(const layout& l, std::size_t n, int threads) {
    auto c = base(threads);
    c["populations"] = test::json::array();
    c["recorders"]["state"] = test::json::array();
    std::vector<std::string> names;
    for (std::size_t i = 0; i < n; ++i) {
        test::json params = l.shared;
        for (const auto& [key, values] : l.listed) params[key] = values[i];
        const std::string name = fmt::format("P{}", i);
        names.push_back(name);
        c["populations"].push_back({{"name", name}, {"model", l.model}, {"n", 1}, {"params", params},
                                    {"initial", {{"V_m", -62.0}}}});
        c["recorders"]["state"].push_back({{"name", fmt::format("r{}", i)}, {"population", name}, {"neurons", {0}},
                                           {"variables", l.variables}});
    }
    c["recorders"]["spikes"] = {{"populations", names}};
    c["stimuli"] = {{{"model", "poisson_generator"}, {"params", {{"rate", 4000.0}}}, {"targets", names}, {"weight", 30.0},
                     {"delay", 1.0}}};
    if (!l.receptor.empty()) c["stimuli"][0]["receptor"] = l.receptor;
    return c;
}

}  // namespace

TEST_CASE("per-neuron parameters: a population with listed values equals one population per neuron", "[validation][params]") {
    // Runs of equal values (segments) of several lengths, models with exact propagators,
    // with adaptive integration and sub-step tables, and with per-port state.
    const auto l = GENERATE(
        layout{"iaf_psc_exp", {{"tau_m", {10, 10, 15, 15, 15, 20, 10}}, {"I_e", {300, 300, 300, 350, 350, 350, 0}}}, {},
               {"V_m", "I_syn_ex"}},
        layout{"iaf_cond_exp", {{"g_L", {16.7, 16.7, 10, 25, 25, 16.7, 10}}}, {{"I_e", 250.0}}, {"V_m", "g_ex"}},
        layout{"iaf_psc_exp_multisynapse", {{"tau_m", {10, 20, 20, 20, 12, 12, 10}}},
               {{"tau_syn", {1.0, 4.0}}, {"I_e", 320.0}}, {"V_m", "I_syn_1"}, "1"});
    const std::size_t n = 7;
    const auto split = simulate(as_many(l, n, 1));
    std::size_t spikes = 0;
    for (const int threads : {1, 3}) {
        INFO(l.model << ", " << threads << " threads");
        const auto one = simulate(as_one(l, n, threads));
        REQUIRE(one.values == split.values);
        REQUIRE(one.spikes.size() == split.spikes.size());
        for (std::size_t k = 0; k < one.spikes.size(); ++k) {
            REQUIRE(one.spikes[k].step == split.spikes[k].step);
            REQUIRE(one.spikes[k].gid == split.spikes[k].gid);
        }
        spikes = one.spikes.size();
    }
    CHECK(spikes > 20);  // the neurons fire, so the comparison covers resets and refractoriness
}

TEST_CASE("per-neuron parameters: drawn values depend on the seed and the neuron, not the partition", "[validation][params]") {
    auto config = [](int threads, std::uint32_t seed) {
        test::json c = test::single_population(
            "iaf_psc_exp",
            {{"tau_m", {{"distribution", "normal"}, {"mean", 20.0}, {"std", 4.0}, {"min", 5.0}}},
             {"I_e", {{"distribution", "uniform"}, {"low", 380.0}, {"high", 480.0}}}},
            200.0, 0.1, {"V_m"}, 40);
        c["simulation"]["threads"] = threads;
        c["simulation"]["seed"] = seed;
        return c;
    };
    const auto one = test::run(config(1, 3));
    const auto four = test::run(config(4, 3));
    REQUIRE(one.values == four.values);
    REQUIRE(one.spike_ids == four.spike_ids);
    REQUIRE(one.spike_times_ms == four.spike_times_ms);
    // Forty different neurons: their first spikes are spread over many steps.
    std::map<std::uint64_t, double> first;
    for (std::size_t k = 0; k < one.spike_ids.size(); ++k) first.try_emplace(one.spike_ids[k], one.spike_times_ms[k]);
    REQUIRE(first.size() == 40);
    std::set<double> distinct;
    for (const auto& [id, t] : first) distinct.insert(t);
    CHECK(distinct.size() > 20);
    // Another seed draws other values.
    CHECK(test::run(config(1, 4)).spike_times_ms != one.spike_times_ms);
}
