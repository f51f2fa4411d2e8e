// Bad input in a config: one error naming the file, the config path, the value and what
// is allowed. The texts are part of the interface and tested as such.
#include "support.hpp"

#include <myelin/core/error.hpp>
#include <myelin/io/config.hpp>
#include <myelin/models/registry.hpp>

#include <catch2/catch.hpp>
#include <fmt/format.h>

using namespace myelin;
using Catch::Matchers::Contains;
using Catch::Matchers::Equals;
using Catch::Matchers::StartsWith;

namespace {

test::json good() {
    return {{"simulation", {{"resolution", 0.1}, {"t_stop", 100.0}}},
            {"populations",
             {{{"name", "E"}, {"model", "iaf_psc_exp"}, {"n", 10}},
              {{"name", "I"}, {"model", "iaf_psc_exp"}, {"n", 5}, {"params", {{"tau_m", 20.0}}}}}},
            {"projections", {{{"source", "E"}, {"target", "I"}, {"connection", {{"rule", "fixed_indegree"}, {"indegree", 3}}},
                              {"weight", 10.0}, {"delay", 1.5}}}},
            {"stimuli", {{{"model", "poisson_generator"}, {"params", {{"rate", 100.0}}}, {"targets", {"E"}},
                          {"weight", 5.0}, {"delay", 1.0}}}}};
}

}  // namespace

TEST_CASE("config: a good config parses", "[unit][config]") {
    const auto spec = test::parse(good());
    REQUIRE(spec.populations.size() == 2);
    REQUIRE(spec.spikes);  // spikes of all populations are recorded by default
    REQUIRE(spec.spikes->populations.size() == 2);
}

TEST_CASE("config: bad values name file and path and value with unit and what is allowed", "[unit][config]") {
    auto c = good();
    SECTION("negative time constant") {
        c["populations"][1]["params"]["tau_m"] = -1.0;
        REQUIRE_THAT(test::parse_error(c), Equals("net.json: populations[1].params.tau_m: tau_m = -1 ms; must be > 0"));
    }
    SECTION("zero capacitance") {
        c["populations"][0]["params"] = {{"C_m", 0}};
        REQUIRE_THAT(test::parse_error(c), Equals("net.json: populations[0].params.C_m: C_m = 0 pF; must be > 0"));
    }
    SECTION("zero synaptic time constant") {
        c["populations"][0]["params"] = {{"tau_syn_ex", 0.0}};
        REQUIRE_THAT(test::parse_error(c), Contains("populations[0].params.tau_syn_ex: tau_syn_ex = 0 ms; must be > 0"));
    }
    SECTION("reset above threshold") {
        c["populations"][0]["params"] = {{"V_reset", -50.0}};
        REQUIRE_THAT(test::parse_error(c), Equals("net.json: populations[0].params.V_reset: V_reset = -50 mV; must be < V_th = -55 mV"));
    }
    SECTION("delay below the resolution") {
        c["projections"][0]["delay"] = 0.05;
        REQUIRE_THAT(test::parse_error(c), Equals("net.json: projections[0].delay: delay = 0.05 ms; must be >= the resolution 0.1 ms"));
    }
    SECTION("drawn delay that can fall below the resolution") {
        c["projections"][0]["delay"] = {{"distribution", "normal"}, {"mean", 1.5}, {"std", 0.5}};
        REQUIRE_THAT(test::parse_error(c), Contains("projections[0].delay: delay = normal(mean=1.5, std=0.5"));
        REQUIRE_THAT(test::parse_error(c), Contains("must be >= the resolution 0.1 ms (give min)"));
    }
    SECTION("t_stop <= 0") {
        c["simulation"]["t_stop"] = 0;
        REQUIRE_THAT(test::parse_error(c), Equals("net.json: simulation.t_stop: t_stop = 0 ms; must be > 0"));
    }
    SECTION("indegree larger than the source without multapses") {
        c["projections"][0]["connection"] = {{"rule", "fixed_indegree"}, {"indegree", 11}, {"allow_multapses", false}};
        REQUIRE_THAT(test::parse_error(c), Equals("net.json: projections[0].connection.indegree: indegree = 11; without multapses must "
                                         "be <= 10 (the sources available)"));
    }
    SECTION("one_to_one with different sizes") {
        c["projections"][0]["connection"] = {{"rule", "one_to_one"}};
        REQUIRE_THAT(test::parse_error(c), Contains("one_to_one needs equal sizes; source 'E' has 10, target 'I' has 5"));
    }
    SECTION("p outside [0, 1]") {
        c["projections"][0]["connection"] = {{"rule", "pairwise_bernoulli"}, {"p", 1.5}};
        REQUIRE_THAT(test::parse_error(c), Contains("projections[0].connection.p: p = 1.5; must be in [0, 1]"));
    }
    SECTION("stimulus target neuron out of range") {
        c["stimuli"][0]["targets"] = {{{"population", "I"}, {"neurons", {0, 5}}}};
        REQUIRE_THAT(test::parse_error(c), Contains("stimuli[0].targets[0].neurons[1]: neuron 5 does not exist; population 'I' has 5 (0 to 4)"));
    }
    SECTION("spike times off the grid") {
        c["stimuli"][0] = {{"model", "spike_generator"}, {"params", {{"spike_times", {1.0, 2.05}}}}, {"targets", {"E"}},
                           {"weight", 1.0}};
        REQUIRE_THAT(test::parse_error(c), Contains("stimuli[0].params.spike_times[1]: spike time 2.05 ms is not a multiple of "
                                           "the resolution 0.1 ms"));
    }
    SECTION("negative rate") {
        c["stimuli"][0]["params"]["rate"] = -5;
        REQUIRE_THAT(test::parse_error(c), Equals("net.json: stimuli[0].params.rate: rate = -5 Hz; must be >= 0"));
    }
}

TEST_CASE("config: parameters given per neuron are checked per neuron", "[unit][config]") {
    auto c = good();
    SECTION("a list and a distribution parse") {
        c["populations"][1]["params"] = {{"tau_m", {10.0, 12.0, 12.0, 14.0, 20.0}},
                                         {"V_th", {{"distribution", "normal"}, {"mean", -55.0}, {"std", 1.0}, {"max", -52.0}}}};
        const auto spec = test::parse(c);
        REQUIRE(spec.populations[1].varying.size() == 2);
        const auto values = spec.populations[1].neuron_params(1, 3, 13, spec.simulation.seed);
        REQUIRE(std::get<double>(values[spec.populations[1].model->param_index("tau_m").value()]) == 14.0);
    }
    SECTION("a list of the wrong length") {
        c["populations"][1]["params"] = {{"tau_m", {10.0, 12.0}}};
        REQUIRE_THAT(test::parse_error(c), Equals("net.json: populations[1].params.tau_m: tau_m: 2 values for 5 neurons; give "
                                                  "one per neuron, or one number for all"));
    }
    SECTION("a listed value outside the parameter's range") {
        c["populations"][1]["params"] = {{"tau_m", {10.0, 12.0, -1.0, 14.0, 20.0}}};
        REQUIRE_THAT(test::parse_error(c), Equals("net.json: populations[1].params.tau_m[2]: tau_m = -1 ms; must be > 0"));
    }
    SECTION("a distribution that can draw outside the range") {
        c["populations"][1]["params"] = {{"tau_m", {{"distribution", "normal"}, {"mean", 20.0}, {"std", 5.0}}}};
        REQUIRE_THAT(test::parse_error(c), Equals("net.json: populations[1].params.tau_m: tau_m: the normal distribution can "
                                                  "draw -inf ms, and tau_m must be a finite number > 0; bound it with min"));
        c["populations"][1]["params"] = {{"C_m", {{"distribution", "uniform"}, {"low", 0.0}, {"high", 5.0}}}};
        REQUIRE_THAT(test::parse_error(c), Contains("C_m: the uniform distribution can draw 0 pF, and C_m must be > 0; raise low"));
    }
    SECTION("the model's check names the first neuron that fails it") {
        c["populations"][1]["params"] = {{"V_reset", {-70.0, -70.0, -54.0, -70.0, -50.0}}};
        REQUIRE_THAT(test::parse_error(c), Equals("net.json: populations[1].params.V_reset: neuron 2: V_reset = -54 mV; must "
                                                  "be < V_th = -55 mV"));
        c["populations"][1]["params"] = {{"V_th", {{"distribution", "uniform"}, {"low", -80.0}, {"high", -50.0}}}};
        REQUIRE_THAT(test::parse_error(c), Contains("populations[1].params.V_reset: neuron "));
        REQUIRE_THAT(test::parse_error(c), Contains("must be < V_th"));
    }
    SECTION("not for stimuli, synapses, flags or list parameters") {
        c["stimuli"][0]["params"]["rate"] = {100.0, 200.0};
        REQUIRE_THAT(test::parse_error(c), Contains("stimuli[0].params.rate"));
    }
}

TEST_CASE("config: durations that are not finite or too many steps say so", "[unit][config]") {
    auto c = good();
    c["simulation"]["t_stop"] = "inf";
    CHECK_THAT(test::parse_error(c), Equals("net.json: simulation.t_stop: t_stop = inf ms; must be a finite number > 0"));
    c["simulation"]["t_stop"] = 200.0;
    c["simulation"]["resolution"] = 1e-300;
    CHECK_THAT(test::parse_error(c), Contains("simulation.t_stop: t_stop = 200 ms is 2e+302 steps of 1e-300 ms; at most "
                                              "2^53 (9.01e+15) steps"));
}

TEST_CASE("config: a key given twice is refused with its path", "[unit][config]") {
    auto error = [](const std::string& text) {
        try {
            io::parse_config(text, "net.json", models::builtin_registry());
        } catch (const input_error& e) {
            return std::string(e.what());
        }
        return std::string("(no error)");
    };
    CHECK(error(R"({"simulation": {"t_stop": 100, "t_stop": 200}})") ==
          "net.json: simulation.t_stop: the key \"t_stop\" is given twice in one object; keep one");
    CHECK_THAT(error(R"({"populations": [{"name": "P", "model": "iaf_psc_exp", "n": 1},
                                          {"name": "Q", "model": "iaf_psc_exp", "n": 1, "params": {"tau_m": 5, "tau_m": 6}}]})"),
               StartsWith("net.json: populations[1].params.tau_m: the key \"tau_m\" is given twice"));
    // The same key in different objects is fine.
    CHECK_THAT(error(R"({"populations": [{"name": "P", "model": "iaf_psc_exp", "n": 1},
                                          {"name": "Q", "model": "iaf_psc_exp", "n": 1}]})"),
               !Contains("twice"));
}

TEST_CASE("config: unknown names list what is known", "[unit][config]") {
    auto c = good();
    SECTION("unknown model") {
        c["populations"][0]["model"] = "iaf_psc_alpha_typo";
        const auto known = models::builtin_registry().names(model_kind::neuron);
        REQUIRE(known.size() >= 2);
        REQUIRE_THAT(test::parse_error(c), Equals(fmt::format("net.json: populations[0].model: unknown neuron model "
                                                     "'iaf_psc_alpha_typo'; known: {}",
                                                     fmt::join(known, ", "))));
    }
    SECTION("unknown parameter") {
        c["populations"][0]["params"] = {{"tau_mem", 10.0}};
        REQUIRE_THAT(test::parse_error(c), Contains("populations[0].params.tau_mem: unknown parameter 'tau_mem' of model "
                                           "iaf_psc_exp (did you mean 'tau_m'?); known: E_L, C_m, tau_m"));
    }
    SECTION("unknown key") {
        c["simulation"]["resolutoin"] = 0.1;
        REQUIRE_THAT(test::parse_error(c), Equals("net.json: simulation.resolutoin: unknown key 'resolutoin' (did you mean "
                                         "'resolution'?); allowed here: exchange, resolution, seed, simd, t_stop, threads"));
    }
    SECTION("unknown key, nothing near it") {
        c["simulation"]["wallclock"] = 2;
        REQUIRE_THAT(test::parse_error(c), Equals("net.json: simulation.wallclock: unknown key 'wallclock'; allowed here: "
                                         "exchange, resolution, seed, simd, t_stop, threads"));
    }
    SECTION("misspelt names: the nearest is suggested") {
        c["populations"][0]["model"] = "iaf_psc_epx";
        REQUIRE_THAT(test::parse_error(c), Contains("unknown neuron model 'iaf_psc_epx' (did you mean 'iaf_psc_exp'?)"));
        c = good();
        c["projections"][0]["target"] = "i";
        REQUIRE_THAT(test::parse_error(c), Contains("unknown population 'i'; defined: E, I"));  // one letter: no guess
        c = good();
        c["projections"][0]["connection"]["rule"] = "fixed_indgree";
        REQUIRE_THAT(test::parse_error(c), Contains("unknown rule 'fixed_indgree' (did you mean 'fixed_indegree'?)"));
    }
    SECTION("unknown spike exchange") {
        c["simulation"]["exchange"] = "broadcast";
        REQUIRE_THAT(test::parse_error(c), Equals("net.json: simulation.exchange: exchange = 'broadcast'; must be 'allgather' "
                                         "or 'targeted'"));
    }
    SECTION("unknown population") {
        c["projections"][0]["target"] = "X";
        REQUIRE_THAT(test::parse_error(c), Equals("net.json: projections[0].target: unknown population 'X'; defined: E, I"));
    }
    SECTION("unknown rule") {
        c["projections"][0]["connection"]["rule"] = "random";
        REQUIRE_THAT(test::parse_error(c), Contains("projections[0].connection.rule: unknown rule 'random'; known: all_to_all"));
    }
    SECTION("unknown state variable to record") {
        c["recorders"] = {{"state", {{{"name", "r"}, {"population", "E"}, {"neurons", {0}}, {"variables", {"V"}}}}}};
        REQUIRE_THAT(test::parse_error(c), Equals("net.json: recorders.state[0].variables[0]: unknown state variable \"V\" of "
                                         "model iaf_psc_exp; known: V_m, I_syn_ex, I_syn_in"));
    }
    SECTION("unknown state variable to initialise") {
        c["populations"][0]["initial"] = {{"U_m", -60.0}};
        REQUIRE_THAT(test::parse_error(c), Contains("populations[0].initial.U_m: unknown state variable 'U_m' of model iaf_psc_exp"));
    }
    SECTION("unknown distribution") {
        c["projections"][0]["weight"] = {{"distribution", "gamma"}, {"k", 2.0}};
        REQUIRE_THAT(test::parse_error(c), Equals("net.json: projections[0].weight.distribution: unknown distribution 'gamma'; "
                                         "known: uniform, normal, lognormal"));
    }
    SECTION("duplicate population name") {
        c["populations"][1]["name"] = "E";
        REQUIRE_THAT(test::parse_error(c), Contains("populations[1].name: name 'E' is used by an earlier population"));
    }
}

TEST_CASE("config: wrong types say what was expected and what was found", "[unit][config]") {
    auto c = good();
    SECTION("string for a number") {
        c["populations"][0]["params"] = {{"tau_m", "ten"}};
        REQUIRE_THAT(test::parse_error(c), Equals("net.json: populations[0].params.tau_m: expected a number, got string \"ten\""));
    }
    SECTION("fraction for a count") {
        c["populations"][0]["n"] = 2.5;
        REQUIRE_THAT(test::parse_error(c), Equals("net.json: populations[0].n: expected a non-negative integer, got number 2.5"));
    }
    SECTION("missing required key") {
        c["projections"][0].erase("weight");
        REQUIRE_THAT(test::parse_error(c), Equals("net.json: projections[0].weight: is required but missing"));
    }
    SECTION("number for a flag") {
        c["projections"][0]["connection"]["allow_autapses"] = 1;
        REQUIRE_THAT(test::parse_error(c), Contains("projections[0].connection.allow_autapses: expected true or false, got integer 1"));
    }
    SECTION("not JSON") {
        REQUIRE_THROWS_WITH(io::parse_config("{\"simulation\": {,}}", "net.json", models::builtin_registry()),
                            Contains("net.json: not valid JSON: parse error at line 1, column 17"));
    }
}

TEST_CASE("config: a missing or unreadable file is named", "[unit][config]") {
    REQUIRE_THROWS_WITH(io::load_config("/nonexistent/net.json", models::builtin_registry()),
                        Equals("/nonexistent/net.json: no such file"));
    test::temp_dir tmp;
    REQUIRE_THROWS_WITH(io::load_config(tmp.path(), models::builtin_registry()), Contains("is a folder, not a config file"));
}

TEST_CASE("config: plastic synapses and weight recorders are checked", "[unit][config]") {
    auto c = good();
    SECTION("initial weight outside the rule's bounds") {
        c["projections"][0]["synapse"] = {{"model", "stdp_synapse"}, {"params", {{"Wmax", 5.0}}}};
        REQUIRE_THAT(test::parse_error(c), Equals("net.json: projections[0].weight: weight = 10; stdp_synapse needs weights in "
                                         "[0, 5] (give min and max)"));
    }
    SECTION("excitatory weights under an inhibitory rule") {
        c["projections"][0]["synapse"] = {{"model", "vogels_sprekeler_synapse"}};
        REQUIRE_THAT(test::parse_error(c), Contains("vogels_sprekeler_synapse needs weights in [-1, 0]"));
    }
    SECTION("negative learning rate") {
        c["projections"][0]["synapse"] = {{"model", "stdp_synapse"}, {"params", {{"lambda", -0.1}}}};
        REQUIRE_THAT(test::parse_error(c), Equals("net.json: projections[0].synapse.params.lambda: lambda = -0.1; must be >= 0"));
    }
    SECTION("weight recorder of a projection that does not exist") {
        c["recorders"] = {{"weights", {{{"name", "w"}, {"projection", 1}, {"interval", 10.0}}}}};
        REQUIRE_THAT(test::parse_error(c), Equals("net.json: recorders.weights[0].projection: projection 1 does not exist; "
                                         "there are 1 (0 to 0)"));
    }
    SECTION("weight recorder events of static synapses") {
        c["recorders"] = {{"weights", {{{"name", "w"}, {"projection", 0}, {"events", true}}}}};
        REQUIRE_THAT(test::parse_error(c), Contains("recorders.weights[0].events: events = true, but projection 0 has no plastic "
                                           "synapse model"));
    }
    SECTION("weight recorder times") {
        c["recorders"] = {{"weights", {{{"name", "w"}, {"projection", 0}, {"times", {10.0, 5.0}}}}}};
        REQUIRE_THAT(test::parse_error(c), Contains("recorders.weights[0].times[1]: 5 ms; times must be ascending"));
        c["recorders"]["weights"][0]["times"] = {10.05};
        REQUIRE_THAT(test::parse_error(c), Contains("times[0]: 10.05 ms; must be >= 0 and on the grid of the resolution 0.1 ms"));
        c["recorders"]["weights"][0]["times"] = {200.0};
        REQUIRE_THAT(test::parse_error(c), Contains("times[0]: 200 ms; must be <= t_stop = 100 ms"));
    }
    SECTION("weight recorder that records nothing") {
        c["recorders"] = {{"weights", {{{"name", "w"}, {"projection", 0}}}}};
        REQUIRE_THAT(test::parse_error(c), Contains("recorders.weights[0]: records nothing: give times, interval or events = true"));
    }
    SECTION("weight recorder source out of range") {
        c["recorders"] = {{"weights", {{{"name", "w"}, {"projection", 0}, {"interval", 1.0}, {"sources", {10}}}}}};
        REQUIRE_THAT(test::parse_error(c), Contains("recorders.weights[0].sources[0]: neuron 10 does not exist; population 'E' "
                                           "has 10 (0 to 9)"));
    }
}

TEST_CASE("config: synaptic scaling is checked", "[unit][config]") {
    auto c = good();
    SECTION("interval not a multiple of d_min") {
        c["projections"][0]["scaling"] = {{"target_rate", 5.0}, {"interval", 100.2}};
        REQUIRE_THAT(test::parse_error(c), Equals("net.json: projections[0].scaling.interval: interval = 100.2 ms; must be a "
                                         "multiple of the smallest delay d_min = 1.5 ms"));
    }
    SECTION("target rate <= 0") {
        c["projections"][0]["scaling"] = {{"target_rate", 0.0}};
        REQUIRE_THAT(test::parse_error(c), Equals("net.json: projections[0].scaling.target_rate: target_rate = 0 Hz; must be > 0"));
    }
    SECTION("unknown key") {
        c["projections"][0]["scaling"] = {{"target_rate", 5.0}, {"rate", 1.0}};
        REQUIRE_THAT(test::parse_error(c), Contains("projections[0].scaling.rate"));
    }
}

TEST_CASE("config: the modulator of a dopamine synapse is checked", "[unit][config]") {
    auto c = good();
    const test::json dopamine = {{"model", "stdp_dopamine_synapse"}, {"params", {{"Wmax", 20.0}}}};
    SECTION("a good one parses") {
        c["projections"][0]["synapse"] = dopamine;
        c["projections"][0]["synapse"]["modulator"] = {{"source", "E"}, {"delay", 2.0}};
        const auto spec = test::parse(c);
        REQUIRE(spec.projections[0].modulator);
        CHECK(spec.projections[0].modulator->population == 0);
        CHECK(spec.projections[0].modulator->delay_ms == 2.0);
    }
    SECTION("missing") {
        c["projections"][0]["synapse"] = dopamine;
        REQUIRE_THAT(test::parse_error(c), Equals("net.json: projections[0].synapse: stdp_dopamine_synapse needs a modulator: "
                                         "\"modulator\": {\"source\": POPULATION, \"delay\": ms} (the population whose "
                                         "spikes carry dopamine)"));
    }
    SECTION("on a rule without neuromodulator") {
        c["projections"][0]["synapse"] = {{"model", "stdp_synapse"}, {"params", {{"Wmax", 20.0}}},
                                          {"modulator", {{"source", "E"}}}};
        REQUIRE_THAT(test::parse_error(c), Equals("net.json: projections[0].synapse.modulator: stdp_synapse is not driven by a "
                                         "neuromodulator; only modulated models (stdp_dopamine_synapse) take a modulator"));
    }
    SECTION("unknown population") {
        c["projections"][0]["synapse"] = dopamine;
        c["projections"][0]["synapse"]["modulator"] = {{"source", "DA"}};
        REQUIRE_THAT(test::parse_error(c), Contains("projections[0].synapse.modulator.source: unknown population 'DA'"));
    }
    SECTION("negative delay") {
        c["projections"][0]["synapse"] = dopamine;
        c["projections"][0]["synapse"]["modulator"] = {{"source", "I"}, {"delay", -1.0}};
        REQUIRE_THAT(test::parse_error(c), Equals("net.json: projections[0].synapse.modulator.delay: delay = -1 ms; must be >= 0"));
    }
    SECTION("unknown key") {
        c["projections"][0]["synapse"] = dopamine;
        c["projections"][0]["synapse"]["modulator"] = {{"source", "I"}, {"population", "I"}};
        REQUIRE_THAT(test::parse_error(c), Contains("projections[0].synapse.modulator.population"));
    }
    SECTION("Wmin above Wmax") {
        c["projections"][0]["synapse"] = dopamine;
        c["projections"][0]["synapse"]["params"]["Wmin"] = 30.0;
        c["projections"][0]["synapse"]["modulator"] = {{"source", "I"}};
        REQUIRE_THAT(test::parse_error(c), Contains("Wmax = 20; must be > Wmin = 30"));
    }
}

TEST_CASE("config: explicit connections are checked", "[unit][config]") {
    auto c = good();
    c["projections"][0]["connection"] = {{"rule", "explicit"}, {"sources", {0, 1, 9}}, {"targets", {4, 0, 2}}};
    SECTION("a good one parses") {
        c["projections"][0]["weight"] = {1.0, 2.0, 3.0};
        const auto spec = test::parse(c);
        CHECK(spec.projections[0].rule.sources.size() == 3);
        CHECK(spec.projections[0].weight.highest() == 3.0);
    }
    SECTION("lists of different lengths") {
        c["projections"][0]["connection"]["targets"] = {4, 0};
        REQUIRE_THAT(test::parse_error(c), Equals("net.json: projections[0].connection.targets: 2 targets for 3 sources; "
                                         "the lists pair up"));
    }
    SECTION("a target that does not exist") {
        c["projections"][0]["connection"]["targets"] = {4, 0, 5};
        REQUIRE_THAT(test::parse_error(c), Equals("net.json: projections[0].connection.targets[2]: neuron 5 does not exist; "
                                         "population 'I' has 5 (0 to 4)"));
    }
    SECTION("a weight list of another length") {
        c["projections"][0]["weight"] = {1.0, 2.0};
        REQUIRE_THAT(test::parse_error(c), Equals("net.json: projections[0].weight: 2 values for 3 synapses"));
    }
    SECTION("a delay below the resolution") {
        c["projections"][0]["delay"] = {1.0, 0.05, 2.0};
        REQUIRE_THAT(test::parse_error(c), Equals("net.json: projections[0].delay[1]: delay = 0.05 ms; must be >= the "
                                         "resolution 0.1 ms"));
    }
    SECTION("a distribution") {
        c["projections"][0]["weight"] = {{"distribution", "uniform"}, {"low", 0.0}, {"high", 1.0}};
        REQUIRE_THAT(test::parse_error(c), Equals("net.json: projections[0].weight: explicit connections take a constant or a "
                                         "list with one value per synapse, not a distribution"));
    }
    SECTION("a list for another rule") {
        c["projections"][0]["connection"] = {{"rule", "all_to_all"}};
        c["projections"][0]["weight"] = {1.0, 2.0, 3.0};
        REQUIRE_THAT(test::parse_error(c), Equals("net.json: projections[0].weight: a list of 3 values; only explicit "
                                         "connections take one value per synapse"));
    }
}

TEST_CASE("config: output_as maps populations onto output names and ids", "[unit][config]") {
    auto c = good();
    c["populations"][0]["output_as"] = {{"population", "net"}, {"node_ids", test::json::array()}};
    const auto n0 = c["populations"][0]["n"].get<std::size_t>(), n1 = c["populations"][1]["n"].get<std::size_t>();
    for (std::size_t i = 0; i < n0; ++i) c["populations"][0]["output_as"]["node_ids"].push_back(2 * i);
    c["populations"][1]["output_as"] = {{"population", "net"}, {"node_ids", test::json::array()}};
    for (std::size_t i = 0; i < n1; ++i) c["populations"][1]["output_as"]["node_ids"].push_back(2 * i + 1);
    const auto spec = test::parse(c);
    CHECK(spec.populations[1].output_population == "net");
    CHECK(spec.populations[1].output_ids[0] == 1);

    auto clash = c;
    clash["populations"][1]["output_as"]["node_ids"][0] = 2;  // population 0 writes node 2
    CHECK_THAT(test::parse_error(clash), Contains("node 2 of output population 'net' is also written by populations[0]"));
    auto short_list = c;
    short_list["populations"][0]["output_as"]["node_ids"].erase(0);
    CHECK_THAT(test::parse_error(short_list), Contains(fmt::format("populations[0].output_as.node_ids: {} node ids for {} neurons", n0 - 1, n0)));
    auto unknown = c;
    unknown["populations"][0]["output_as"]["ids"] = 1;
    CHECK_THAT(test::parse_error(unknown), Contains("populations[0].output_as"));
}

TEST_CASE("config: a classifier names a one-variable state recorder, a readout and a label", "[unit][config]") {
    auto c = good();
    c["recorders"] = {{"state", {{{"name", "out"}, {"population", "I"}, {"neurons", {0, 1, 2}}, {"variables", {"V_m"}}}}}};
    c["classifier"] = {{"recorder", "out"}, {"readout", "max"}, {"first_sample", 4}, {"label", 2}};
    const auto spec = test::parse(c);
    REQUIRE(spec.classifier);
    CHECK(spec.classifier->kind == classifier_spec::readout::max);
    CHECK(spec.classifier->first_sample == 4);
    CHECK(spec.classifier->label == 2u);
    auto bad = [&](const char* key, const test::json& value) {
        auto b = c;
        b["classifier"][key] = value;
        return test::parse_error(b);
    };
    CHECK_THAT(bad("recorder", "vm"), Equals("net.json: classifier.recorder: 'vm' is not a state recorder; there are: out"));
    CHECK_THAT(bad("readout", "median"), Equals("net.json: classifier.readout: 'median' is not one of mean, max, last"));
    CHECK_THAT(bad("label", 3), Equals("net.json: classifier.label: 3; the recorder lists 3 neurons, classes 0 to 2"));
    CHECK_THAT(bad("classes", 3), Contains("classifier.classes"));
}
