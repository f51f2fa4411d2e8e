// A trained spiking network exported to the simulator (io::export_simulator_config, as
// `myelin export` writes it) must emit, for each of several test digits, the same hidden
// spikes step for step as the training forward pass, with constant-current input and with
// Poisson and latency spike input, feed-forward and recurrent, learned time constants,
// a refractory period;
// the readout potential recorded in the simulator must give the training logits (within
// 1e-12: both compute the same sums, in a different order). A spike could only differ where V comes within ~1e-15
// of theta, which these samples do not.
#include "learning_support.hpp"

#include <myelin/io/learning_export.hpp>
#include <myelin/learning/files.hpp>
#include <myelin/io/run.hpp>
#include <myelin/io/sonata.hpp>

#include <catch2/catch.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <numeric>

using namespace myelin;
using namespace myelin::learning;

TEST_CASE("an exported spiking network runs in the simulator with the training spikes", "[validation][learning]") {
    const auto& data = test::digits();
    const auto train = data.rows(0, 400);
    struct variant {
        encoder_kind input;
        bool recurrent;
        reset_kind reset;
        bool learn_decays = false;
        int refractory = 0;
    };
    for (const variant v : {variant{encoder_kind::current, false, reset_kind::subtract},
                            variant{encoder_kind::current, true, reset_kind::zero},
                            variant{encoder_kind::poisson, true, reset_kind::subtract},
                            variant{encoder_kind::latency, false, reset_kind::subtract},
                            variant{encoder_kind::current, true, reset_kind::subtract, true},
                            variant{encoder_kind::current, true, reset_kind::zero, false, 3}}) {
        INFO("encoder " << static_cast<int>(v.input) << ", recurrent " << v.recurrent << ", reset "
                        << static_cast<int>(v.reset));
        auto o = test::digits_options(24, 20, 4);
        o.recurrent = v.recurrent;
        o.reset = v.reset;
        o.input.kind = v.input;
        o.learn_time_constants = v.learn_decays;
        o.refractory_steps = v.refractory;
        if (v.input != encoder_kind::current) o.init_scale = 1.0;  // enough hidden spikes from sparse input
        network net(o);
        adam opt(2e-3);
        for (int epoch = 0; epoch < 2; ++epoch) net.train_epoch(train, opt, train_options{}, epoch);
        if (v.learn_decays) {  // trained decays, apart for the two layers, go into the config
            const auto d = net.time_constants();
            CHECK(d.alpha1 != d.alpha2);
            CHECK(d.beta1 != std::exp(-1.0 / 10.0));
        }
        net.round_to_float();  // as the simulator stores the weights
        const auto ev = net.evaluate(data);
        std::size_t total = 0;
        for (std::size_t sample : {1437u, 1500u, 1600u, 1796u}) {
            const auto config = test::json::parse(io::export_simulator_config(net, data, sample));
            const auto r = test::run(config);
            const auto spikes = net.hidden_activity(data, {sample});
            // Training step t (1-based) is the simulator's step t + 2.
            std::vector<std::vector<int>> raster(spikes.size(), std::vector<int>(static_cast<std::size_t>(o.hidden), 0));
            for (std::size_t s = 0; s < r.spike_times_ms.size(); ++s) {
                const long step = std::lround(r.spike_times_ms[s] / o.dt_ms) - 2;
                REQUIRE(step >= 1);
                if (step > o.steps) continue;  // the run goes on one step for the readout
                raster[static_cast<std::size_t>(step - 1)][r.spike_ids[s]] = 1;
            }
            for (std::size_t t = 0; t < spikes.size(); ++t)
                for (Eigen::Index j = 0; j < spikes[t].cols(); ++j) {
                    INFO("sample " << sample << ", step " << t + 1 << ", hidden neuron " << j);
                    REQUIRE(raster[t][static_cast<std::size_t>(j)] == static_cast<int>(spikes[t](0, j)));
                    total += static_cast<std::size_t>(spikes[t](0, j));
                }
            // The readout: mean of V over training steps 1..T = simulator samples 4..T+3.
            const auto K = static_cast<std::size_t>(o.classes);
            for (std::size_t k = 0; k < K; ++k) {
                double mean = 0.0;
                for (std::size_t t = 4; t <= static_cast<std::size_t>(o.steps) + 3; ++t) mean += r.values[0][t * K + k];
                mean /= o.steps;
                const double want = ev.logits(static_cast<Eigen::Index>(sample), static_cast<Eigen::Index>(k));
                INFO("sample " << sample << ", logit " << k);
                CHECK(std::abs(mean - want) <= 1e-12 * (1.0 + std::abs(want)));
            }
            // The config's classifier (what `myelin run` prints) picks the training's class.
            const network_spec spec = test::parse(config);
            REQUIRE(spec.classifier);
            CHECK(spec.classifier->label == static_cast<std::uint64_t>(data.labels[sample]));
            test::temp_dir tmp;
            std::vector<std::uint64_t> classes(K);
            std::iota(classes.begin(), classes.end(), 0);
            io::write_report(tmp / "r.h5", {"output", "V", "", classes, 0.0, 0.0, o.dt_ms, r.t_ms.size(), r.values[0]});
            CHECK(io::classify(spec, tmp / "r.h5").predicted == static_cast<std::size_t>(ev.predicted[sample]));
        }
        INFO("hidden spikes compared: " << total);
        CHECK(total > 40);  // the rasters are not trivially empty (56 to 625 spikes measured)
    }
}

TEST_CASE("an exported layer stack runs in the simulator with the training spikes of every layer", "[validation][learning]") {
    // Stacks of several spiking layers (lif and alif, recurrent, reset to zero, refractory),
    // convolution with pooling, biases, dropout, and each kind of input; each neuron layer k
    // (0-based) runs k steps behind the first, so training step t of layer k is stamped
    // (t + 2 + k) dt. The readout's recorded V gives the training logits.
    const auto& data = test::digits();
    const auto train = data.rows(0, 400);
    using test::spec;
    auto dense = [](int units, bool bias) {
        layer_spec s;
        s.units = units;
        s.bias = bias;
        s.init = weight_init::normal;
        s.init_scale = 2.0;
        return s;
    };
    struct variant {
        std::string name;
        encoder_kind input;
        shape in;
        std::vector<layer_spec> layers;
    };
    layer_spec lif = spec(layer_kind::lif), alif = spec(layer_kind::alif), li = spec(layer_kind::li_readout),
               conv = spec(layer_kind::conv2d), avg = spec(layer_kind::avg_pool), sum = spec(layer_kind::sum_pool),
               drop = spec(layer_kind::dropout), flat = spec(layer_kind::flatten);
    lif.recurrent = true;
    lif.reset = reset_kind::zero;
    lif.refractory_steps = 2;
    lif.learn_decays = decay_learning::layer;
    alif.recurrent = true;
    alif.tau_adapt_ms = 20.0;
    alif.adapt = 0.5;
    li.reduce = readout_kind::max;
    conv.channels = 3;
    conv.kernel = 3;
    conv.padding = 1;
    avg.kernel = sum.kernel = 2;
    drop.p = 0.2;
    layer_spec plain_lif = spec(layer_kind::lif);
    layer_spec li_mean = spec(layer_kind::li_readout), alif_image = alif;
    alif_image.recurrent = false;
    const std::vector<variant> variants = {
        {"dense - lif - dense - alif - readout, current", encoder_kind::current, shape::vector(64),
         {dense(20, true), lif, dense(12, true), alif, dense(10, false), li}},
        {"conv - lif - avg pool - dense - readout, Poisson", encoder_kind::poisson, shape::picture(1, 8, 8),
         {conv, plain_lif, avg, flat, drop, dense(10, true), li_mean}},
        {"conv - lif - sum pool - conv - alif - readout, current", encoder_kind::current, shape::picture(1, 8, 8),
         {conv, plain_lif, sum, conv, alif_image, flat, dense(10, false), li_mean}},
        {"dense - alif - readout, latency", encoder_kind::latency, shape::vector(64), {dense(24, false), alif, dense(10, false), li}},
    };
    for (const auto& v : variants) {
        INFO(v.name);
        network_options o;
        o.kind = network_kind::stack;
        o.input_shape = v.in;
        o.layers = v.layers;
        o.classes = 10;
        o.steps = 16;
        o.seed = 4;
        o.input.kind = v.input;
        network net(o);
        adam opt(2e-3);
        for (int epoch = 0; epoch < 2; ++epoch) net.train_epoch(train, opt, train_options{}, epoch);
        net.round_to_float();
        const auto ev = net.evaluate(data);
        std::vector<std::size_t> spiking;
        for (std::size_t i = 0; i < net.layers().size(); ++i)
            if (is_spiking(net.layers()[i].spec.kind)) spiking.push_back(i);
        std::vector<std::size_t> total(spiking.size(), 0);
        for (std::size_t sample : {1437u, 1600u, 1796u}) {
            const auto config = test::json::parse(io::export_simulator_config(net, data, sample));
            const network_spec spec_ = test::parse(config);
            const auto r = test::run(config);
            const auto acts = net.layer_activity(data, {sample});
            for (std::size_t k = 0; k < spiking.size(); ++k) {
                const auto& S = acts[spiking[k]];
                const std::string name = spiking.size() == 1 ? "hidden" : fmt::format("hidden{}", k + 1);
                // The population's first global id: populations are numbered in config order.
                std::size_t first = 0;
                for (const auto& p : config["populations"]) {
                    if (p["name"] == name) break;
                    first += p["n"].get<std::size_t>();
                }
                std::vector<std::vector<int>> raster(S.size(), std::vector<int>(static_cast<std::size_t>(S[0].cols()), 0));
                for (std::size_t s = 0; s < r.spike_times_ms.size(); ++s) {
                    const auto id = r.spike_ids[s];
                    if (id < first || id >= first + raster[0].size()) continue;
                    const long step = std::lround(r.spike_times_ms[s] / o.dt_ms) - 2 - static_cast<long>(k);
                    REQUIRE(step >= 1);
                    if (step > o.steps) continue;
                    raster[static_cast<std::size_t>(step - 1)][id - first] = 1;
                }
                for (std::size_t t = 0; t < S.size(); ++t)
                    for (Eigen::Index j = 0; j < S[t].cols(); ++j) {
                        INFO("sample " << sample << ", layer " << spiking[k] << ", step " << t + 1 << ", neuron " << j);
                        REQUIRE(raster[t][static_cast<std::size_t>(j)] == static_cast<int>(S[t](0, j)));
                        total[k] += static_cast<std::size_t>(S[t](0, j));
                    }
            }
            // The readout over its samples: training step t is sample 2 + layers + t.
            const auto K = static_cast<std::size_t>(o.classes);
            const auto first = 3 + spiking.size();
            CHECK(spec_.classifier->first_sample == first);
            for (std::size_t k = 0; k < K; ++k) {
                std::vector<double> V;
                for (std::size_t t = 0; t < static_cast<std::size_t>(o.steps); ++t) V.push_back(r.values[0][(first + t) * K + k]);
                const double got = net.layers().back().spec.reduce == readout_kind::max
                                       ? *std::max_element(V.begin(), V.end())
                                       : std::accumulate(V.begin(), V.end(), 0.0) / static_cast<double>(o.steps);
                const double want = ev.logits(static_cast<Eigen::Index>(sample), static_cast<Eigen::Index>(k));
                INFO("sample " << sample << ", logit " << k);
                CHECK(std::abs(got - want) <= 1e-12 * (1.0 + std::abs(want)));
            }
        }
        for (std::size_t k = 0; k < spiking.size(); ++k) {
            INFO("spikes compared in layer " << spiking[k] << ": " << total[k]);
            CHECK(total[k] > 20);
        }
    }
}

TEST_CASE("stacks that cannot run in the simulator are refused by layer", "[unit][learning]") {
    network_options o;
    o.kind = network_kind::stack;
    o.input_shape = shape::vector(64);
    o.classes = 10;
    o.steps = 4;
    layer_spec d, act, lif, li, d10;
    d.units = 16;
    act.kind = layer_kind::activation;
    lif.kind = layer_kind::lif;
    li.kind = layer_kind::li_readout;
    d10.units = 10;
    o.layers = {d, act, d10, li};
    CHECK(io::export_problem(network(o)) == "layer 1 (activation): a rate layer has no spiking counterpart in the simulator");
    lif.learn_decays = decay_learning::neuron;
    o.layers = {d, lif, d10, li};
    CHECK(io::export_problem(network(o)) == "layer 1 (lif): time constants per neuron have no population form in the simulator yet");
    lif.learn_decays = decay_learning::layer;
    o.layers = {d, lif, d10, li};
    CHECK(io::export_problem(network(o)).empty());
    // Average pooling over 3 x 3 makes weights K / 9, which float cannot hold.
    layer_spec conv, pool, flat;
    conv.kind = layer_kind::conv2d;
    conv.channels = 2;
    conv.kernel = 3;
    pool.kind = layer_kind::avg_pool;
    pool.kernel = 3;
    flat.kind = layer_kind::flatten;
    o.input_shape = shape::picture(1, 8, 8);
    o.layers = {conv, lif, pool, flat, d10, li};
    network net(o);
    net.round_to_float();
    CHECK_THROWS_WITH(io::export_simulator_config(net, test::digits(), 0),
                      Catch::Matchers::Contains("layers 2 to 4: the weight") &&
                          Catch::Matchers::Contains("not a float; the simulator stores weights as float"));
}
