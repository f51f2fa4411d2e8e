// Receptor ports in the config: a projection or spike device names the port its weights
// arrive at; without one, sign-rule models route by the weight's sign. Errors name the
// port, the model and what is allowed.
#include "support.hpp"

#include <myelin/core/error.hpp>

#include <catch2/catch.hpp>

using namespace myelin;
using Catch::Matchers::Contains;
using Catch::Matchers::Equals;

namespace {

// A parrot population S (driven by a spike generator at 10 ms) projecting one-to-one onto P.
test::json relay(const std::string& model, const test::json& params, const test::json& projection_extra) {
    test::json projection = {{"source", "S"}, {"target", "P"}, {"connection", {{"rule", "one_to_one"}}},
                             {"weight", 100.0}, {"delay", 1.0}};
    if (!projection_extra.is_null()) projection.update(projection_extra);  // {} is null in nlohmann's braces
    return {{"simulation", {{"resolution", 0.1}, {"t_stop", 20.0}}},
            {"populations",
             {{{"name", "S"}, {"model", "parrot_neuron"}, {"n", 1}},
              {{"name", "P"}, {"model", model}, {"n", 1}, {"params", params.is_null() ? test::json::object() : params}}}},
            {"stimuli", {{{"model", "spike_generator"}, {"params", {{"spike_times", {10.0}}}}, {"targets", {"S"}},
                          {"weight", 1.0}, {"delay", 0.1}}}},
            {"projections", {projection}}};
}

// The largest value of each recorded variable of neuron 0.
std::vector<double> peaks(test::json config, const std::vector<std::string>& variables) {
    config["recorders"] = {{"state", {{{"name", "r"}, {"population", "P"}, {"neurons", {0}}, {"variables", variables},
                                       {"interval", 0.1}}}}};
    const auto r = test::run(config);
    std::vector<double> out;
    for (const auto& v : r.values) out.push_back(*std::max_element(v.begin(), v.end(), [](double a, double b) {
        return std::abs(a) < std::abs(b);
    }));
    return out;
}

}  // namespace

TEST_CASE("receptors: a projection's weights arrive at the port it names, only there", "[unit][receptors]") {
    // tau_syn 1 and 5 ms: the spike's 100 pA appear in I_syn_2 alone.
    const auto by_number = peaks(relay("iaf_psc_exp_multisynapse", {{"tau_syn", {1.0, 5.0}}}, {{"receptor", 2}}),
                                 {"I_syn_1", "I_syn_2"});
    CHECK(by_number[0] == 0.0);
    CHECK(by_number[1] == 100.0);
    auto named = relay("iaf_psc_alpha_multisynapse", {{"tau_syn", {1.0, 5.0}}}, {{"receptor", "slow"}});
    named["populations"][1]["receptors"] = {"fast", "slow"};
    const auto by_name = peaks(named, {"I_syn_fast", "I_syn_slow"});
    CHECK(by_name[0] == 0.0);
    CHECK_THAT(by_name[1], Catch::Matchers::WithinRel(100.0, 1e-3));  // the alpha current peaks at the weight
}

TEST_CASE("receptors: sign-rule models route by sign, or to the port named", "[unit][receptors]") {
    const auto by_sign = peaks(relay("iaf_psc_exp", {}, {{"weight", -40.0}}), {"I_syn_ex", "I_syn_in"});
    CHECK(by_sign[0] == 0.0);
    CHECK(by_sign[1] == -40.0);
    const auto named = peaks(relay("iaf_psc_exp", {}, {{"weight", -40.0}, {"receptor", "inhibitory"}}),
                             {"I_syn_ex", "I_syn_in"});
    CHECK(named == by_sign);
    const auto cond = peaks(relay("iaf_cond_beta", {}, {{"weight", 3.0}, {"receptor", "excitatory"}}), {"g_ex", "g_in"});
    CHECK(cond[1] == 0.0);
    CHECK_THAT(cond[0], Catch::Matchers::WithinRel(3.0, 2e-3));  // peaks at the weight, up to the grid
}

TEST_CASE("receptors: bad ports and weights name the port, the model and what is allowed", "[unit][receptors]") {
    SECTION("unknown port") {
        REQUIRE_THAT(test::parse_error(relay("iaf_psc_exp", {}, {{"receptor", "AMPA"}})),
                     Equals("net.json: projections[0].receptor: unknown port \"AMPA\" of iaf_psc_exp (population 'P'); "
                            "known: excitatory, inhibitory"));
        REQUIRE_THAT(test::parse_error(relay("iaf_psc_exp_multisynapse", {{"tau_syn", {1.0, 5.0}}}, {{"receptor", 3}})),
                     Equals("net.json: projections[0].receptor: unknown port 3 of iaf_psc_exp_multisynapse "
                            "(population 'P'); known: 1, 2"));
    }
    SECTION("a multisynapse model needs a port") {
        REQUIRE_THAT(test::parse_error(relay("iaf_psc_exp_multisynapse", {}, {})),
                     Equals("net.json: projections[0]: iaf_psc_exp_multisynapse (population 'P') has no default input "
                            "port; name one with \"receptor\": one of 1"));
    }
    SECTION("weights of the wrong sign for the port") {
        REQUIRE_THAT(test::parse_error(relay("iaf_psc_exp", {}, {{"receptor", "inhibitory"}})),
                     Contains("projections[0].weight: weight = 100; port 'inhibitory' of iaf_psc_exp takes weights <= 0"));
        REQUIRE_THAT(test::parse_error(relay("aeif_cond_beta_multisynapse", {}, {{"receptor", 1}, {"weight", -1.0}})),
                     Equals("net.json: projections[0].weight: weight = -1; port '1' of aeif_cond_beta_multisynapse takes "
                            "weights >= 0"));
        auto drawn = relay("iaf_cond_beta", {}, {{"receptor", "excitatory"}});
        drawn["projections"][0]["weight"] = {{"distribution", "normal"}, {"mean", 1.0}, {"std", 1.0}, {"min", -1.0}};
        REQUIRE_THAT(test::parse_error(drawn), Contains("projections[0].weight: weight = normal(mean=1, std=1, min=-1, max=inf); "
                                               "port 'excitatory' of iaf_cond_beta takes weights >= 0"));
    }
    SECTION("spike devices name ports too; current devices cannot") {
        auto c = relay("iaf_psc_exp_multisynapse", {{"tau_syn", {1.0}}}, {{"receptor", 1}});
        c["stimuli"].push_back({{"model", "poisson_generator"}, {"params", {{"rate", 10.0}}}, {"targets", {"P"}},
                                {"weight", 1.0}});
        REQUIRE_THAT(test::parse_error(c), Equals("net.json: stimuli[1]: iaf_psc_exp_multisynapse (population 'P') has no default "
                                         "input port; name one with \"receptor\": one of 1"));
        c["stimuli"][1] = {{"model", "dc_generator"}, {"params", {{"amplitude", 10.0}}}, {"targets", {"P"}},
                           {"receptor", 1}};
        REQUIRE_THAT(test::parse_error(c), Equals("net.json: stimuli[1].receptor: dc_generator injects a current; only spike "
                                         "devices take a receptor"));
    }
    SECTION("port names") {
        auto c = relay("iaf_psc_exp_multisynapse", {{"tau_syn", {1.0, 2.0}}}, {{"receptor", 1}});
        c["populations"][1]["receptors"] = {"AMPA"};
        REQUIRE_THAT(test::parse_error(c), Equals("net.json: populations[1].receptors: 1 names for 2 ports (one per entry of the "
                                         "model's per-port parameters)"));
        c["populations"][1]["receptors"] = {"AMPA", "AMPA"};
        REQUIRE_THAT(test::parse_error(c), Equals("net.json: populations[1].receptors[1]: name 'AMPA' is used by port 1"));
        c["populations"][1]["receptors"] = {"AMPA", "current"};
        REQUIRE_THAT(test::parse_error(c), Contains("receptors[1]: name 'current'; must be non-empty, not 'current'"));
        c = relay("iaf_psc_exp", {}, {});
        c["populations"][1]["receptors"] = {"a", "b"};
        REQUIRE_THAT(test::parse_error(c), Contains("populations[1].receptors: iaf_psc_exp has the fixed ports excitatory and "
                                           "inhibitory"));
    }
    SECTION("per-port parameters of one length") {
        auto c = relay("aeif_cond_beta_multisynapse", {{"E_rev", {0.0, -80.0}}, {"tau_rise", {1.0}}}, {{"receptor", 1}});
        REQUIRE_THAT(test::parse_error(c), Contains("populations[1].params.tau_rise: 1 values for 2 ports (E_rev); one per port"));
        c = relay("iaf_psc_exp_multisynapse", {{"tau_syn", test::json::array()}}, {{"receptor", 1}});
        REQUIRE_THAT(test::parse_error(c), Contains("populations[1].params.tau_syn: tau_syn is empty; give one value per receptor port"));
    }
}
