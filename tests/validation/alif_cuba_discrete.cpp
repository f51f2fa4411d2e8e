// alif_cuba_discrete (the simulator's adaptive LIF) and learning/'s `alif` layer against
// an independent PyTorch implementation of the same update (tests/data/grad_ref/
// alif_spikes.json, tests/reference/learning/make_alif_ref.py): 16 neurons driven by the
// input current x W1 of 8 digits for 60 steps, feed-forward and with recurrent weights,
// must emit the reference's spikes step for step. The reference's closest approach of V
// to the threshold is 5e-5, far above the rounding differences of the summation orders
// (~1e-15), so the rasters must be identical.
#include "json_matrix.hpp"
#include "learning_support.hpp"

#include <catch2/catch.hpp>

#include <fmt/format.h>

#include <cmath>
#include <fstream>

using namespace myelin;
using namespace myelin::learning;

namespace {

test::json load(const char* file) {
    std::ifstream in(test::source_path(file));
    return test::json::parse(in);
}

using raster = std::vector<std::vector<std::vector<int>>>;  // [sample][step][neuron]

// The simulator: one population per neuron (each recurrent weight a projection of its
// own), the input as a constant current from the first step.
raster simulated(const test::json& ref, const test::json& alif, bool recurrent, const std::string& model, double t_ref = 0.0) {
    const std::size_t n_in = ref["n_in"], n_hid = ref["n_hid"], B = ref["batch"], T = alif["T"];
    raster out(B, std::vector<std::vector<int>>(T, std::vector<int>(n_hid, 0)));
    for (std::size_t b = 0; b < B; ++b) {
        test::json populations = test::json::array(), projections = test::json::array(), stimuli = test::json::array();
        for (std::size_t j = 0; j < n_hid; ++j) {
            test::json params = {{"tau_syn", alif["tau_syn"]}, {"tau_mem", alif["tau_mem"]}, {"theta", alif["theta"]},
                                 {"t_ref", t_ref}};
            if (model == "alif_cuba_discrete") {
                params["tau_adapt"] = alif["tau_adapt"];
                params["adapt"] = alif["adapt"];
            }
            populations.push_back({{"name", fmt::format("h{}", j)}, {"model", model}, {"n", 1}, {"params", params}});
            double current = 0.0;
            for (std::size_t i = 0; i < n_in; ++i)
                current += ref["pixels"][b][i].get<double>() / 16.0 * ref["W1"][i][j].get<double>();
            stimuli.push_back({{"model", "dc_generator"}, {"params", {{"amplitude", current}}},
                               {"targets", {fmt::format("h{}", j)}}});
        }
        if (recurrent)
            for (std::size_t j = 0; j < n_hid; ++j)
                for (std::size_t l = 0; l < n_hid; ++l)
                    projections.push_back({{"source", fmt::format("h{}", j)}, {"target", fmt::format("h{}", l)},
                                           {"connection", {{"rule", "all_to_all"}}}, {"weight", ref["Wrec"][j][l]},
                                           {"delay", 1.0}});
        const test::json config = {{"simulation", {{"resolution", 1.0}, {"t_stop", static_cast<double>(T)}}},
                                   {"populations", populations},
                                   {"projections", projections},
                                   {"stimuli", stimuli}};
        const auto r = test::run(config);
        for (std::size_t s = 0; s < r.spike_times_ms.size(); ++s)
            out[b].at(static_cast<std::size_t>(std::lround(r.spike_times_ms[s])) - 1).at(r.spike_ids[s]) = 1;
    }
    return out;
}

// learning/'s alif layer on the same input (dense W1 on x, constant over the steps).
raster trained(const test::json& ref, const test::json& alif, bool recurrent, int refractory_steps = 0) {
    layer_spec d, a;
    d.units = ref["n_hid"];
    d.bias = false;
    a.kind = layer_kind::alif;
    a.recurrent = recurrent;
    a.tau_syn_ms = alif["tau_syn"];
    a.tau_mem_ms = alif["tau_mem"];
    a.tau_adapt_ms = alif["tau_adapt"];
    a.adapt = alif["adapt"];
    a.theta = alif["theta"];
    a.refractory_steps = refractory_steps;
    test::layer_stack s(shape::vector(ref["n_in"]), {d, a});
    s.params[0][0] = test::matrix_from_json(ref["W1"]);
    if (recurrent) s.params[1][2] = test::matrix_from_json(ref["Wrec"]);
    const matrix x = test::matrix_from_json(ref["pixels"]) / 16.0;
    const std::size_t T = alif["T"];
    const sequence& S = s.forward({x}, T);
    raster out(static_cast<std::size_t>(x.rows()), std::vector<std::vector<int>>(T, std::vector<int>(static_cast<std::size_t>(S[0].cols()))));
    for (std::size_t t = 0; t < T; ++t)
        for (Eigen::Index b = 0; b < x.rows(); ++b)
            for (Eigen::Index j = 0; j < S[t].cols(); ++j) out[static_cast<std::size_t>(b)][t][static_cast<std::size_t>(j)] = static_cast<int>(S[t](b, j));
    return out;
}

std::size_t count(const raster& r) {
    std::size_t n = 0;
    for (const auto& b : r)
        for (const auto& t : b)
            for (int s : t) n += static_cast<std::size_t>(s);
    return n;
}

}  // namespace

TEST_CASE("alif_cuba_discrete and the alif layer: spikes equal the PyTorch reference", "[validation][alif_cuba_discrete][learning]") {
    const auto ref = load("tests/data/grad_ref/grad_ref.json"), alif = load("tests/data/grad_ref/alif_spikes.json");
    for (const auto& [variant, recurrent] : {std::pair{"ff", false}, std::pair{"rec", true}}) {
        INFO(variant);
        const auto& want = alif["spikes"][variant];
        const raster sim = simulated(ref, alif, recurrent, "alif_cuba_discrete"), net = trained(ref, alif, recurrent);
        for (std::size_t b = 0; b < sim.size(); ++b)
            for (std::size_t t = 0; t < sim[b].size(); ++t)
                for (std::size_t j = 0; j < sim[b][t].size(); ++j) {
                    INFO("sample " << b << ", step " << t + 1 << ", neuron " << j);
                    REQUIRE(sim[b][t][j] == want[b][t][j].get<int>());
                    REQUIRE(net[b][t][j] == want[b][t][j].get<int>());
                }
        CHECK(count(sim) == alif["counts"][variant].get<std::size_t>());
        // Adaptation matters here: the same neurons without it fire more.
        CHECK(count(simulated(ref, alif, recurrent, "lif_cuba_discrete")) > count(sim) + 100);
    }
}

TEST_CASE("alif_cuba_discrete's refractory period equals the alif layer's", "[validation][alif_cuba_discrete][learning]") {
    const auto ref = load("tests/data/grad_ref/grad_ref.json"), alif = load("tests/data/grad_ref/alif_spikes.json");
    const raster sim = simulated(ref, alif, true, "alif_cuba_discrete", 2.0), net = trained(ref, alif, true, 2);
    CHECK(sim == net);
    CHECK(count(sim) > 100);
    CHECK(count(sim) < alif["counts"]["rec"].get<std::size_t>());
}
