// NIR import and export (learning::read_nir / learning::write_nir):
// - a graph written independently (tests/reference/learning/make_nir_ref.py: h5py, the NIR
//   reference layout, snnTorch's export conventions, dt = 1e-4 s) imports as a network
//   whose hidden spikes and readout equal those computed by numpy from the discrete
//   update (identical spikes; logits within 1e-12, both in double from the same float32
//   parameters);
// - a trained network exported and imported again is the same network: parameters within
//   1e-14 relative (the time constants go through exp/log and the Euler coefficients)
//   and identical hidden spikes and accuracy on the test digits;
// - graphs with unsupported nodes or values are refused by name.
#include "learning_support.hpp"

#include <myelin/core/error.hpp>
#include <myelin/learning/files.hpp>

#include <catch2/catch.hpp>

#include <cmath>
#include <fstream>

using namespace myelin;
using namespace myelin::learning;
using Catch::Matchers::Contains;

TEST_CASE("NIR: an independently written graph imports with its spikes", "[validation][learning][nir]") {
    std::ifstream in(test::source_path("tests/data/nir/cuba_rec.json"));
    const auto ref = test::json::parse(in);
    const auto net = learning::read_nir(test::source_path("tests/data/nir/cuba_rec.nir"), ref["dt"].get<double>(),
                                  ref["T"].get<int>());
    const auto& o = net->options();
    CHECK(o.inputs == 6);
    CHECK(o.hidden == 5);
    CHECK(o.classes == 3);
    CHECK(o.recurrent);
    CHECK(o.reset == reset_kind::zero);
    CHECK(o.dt_ms == Approx(0.1).epsilon(1e-15));
    dataset data;
    data.n_classes = 3;
    data.x.resize(static_cast<Eigen::Index>(ref["samples"].size()), 6);
    for (std::size_t s = 0; s < ref["samples"].size(); ++s) {
        for (Eigen::Index i = 0; i < 6; ++i)
            data.x(static_cast<Eigen::Index>(s), i) = ref["samples"][s]["x"][static_cast<std::size_t>(i)].get<double>();
        data.labels.push_back(0);
    }
    const auto ev = net->evaluate(data);
    std::size_t spikes = 0;
    for (std::size_t s = 0; s < data.size(); ++s) {
        const auto S = net->hidden_activity(data, {s});
        const auto& want = ref["samples"][s];
        for (std::size_t t = 0; t < S.size(); ++t)
            for (Eigen::Index j = 0; j < 5; ++j) {
                INFO("sample " << s << ", step " << t + 1 << ", hidden " << j);
                REQUIRE(S[t](0, j) == want["spikes"][t][static_cast<std::size_t>(j)].get<double>());
                spikes += static_cast<std::size_t>(S[t](0, j));
            }
        for (std::size_t k = 0; k < 3; ++k) {
            double mean = 0.0;
            for (const auto& v : want["V2"]) mean += v[k].get<double>();
            mean /= static_cast<double>(want["V2"].size());
            CHECK(std::abs(ev.logits(static_cast<Eigen::Index>(s), static_cast<Eigen::Index>(k)) - mean) <=
                  1e-12 * (1.0 + std::abs(mean)));
        }
    }
    CHECK(spikes == 67);
}

TEST_CASE("NIR: an independently written convolutional graph imports with its spikes", "[validation][learning][nir]") {
    // tests/data/nir/conv.nir and conv.json, written by tests/reference/learning/
    // make_nir_conv_ref.py (h5py; numpy's convolution and pooling as loops): Conv2d with
    // bias and padding - CubaLIF - SumPool2d - Flatten - Affine - recurrent CubaLIF -
    // Linear - CubaLI. Both spiking layers' spikes must be identical and the readout's
    // mean potential within 1e-12.
    std::ifstream in(test::source_path("tests/data/nir/conv.json"));
    const auto ref = test::json::parse(in);
    const int T = ref["T"];
    const auto net = learning::read_nir(test::source_path("tests/data/nir/conv.nir"), 0.0, T);
    const auto& o = net->options();
    REQUIRE(o.kind == network_kind::stack);
    REQUIRE(net->layers().size() == 8);
    CHECK(o.input_shape == shape::picture(1, 6, 6));
    CHECK(net->layers()[5].spec.recurrent);
    dataset data;
    data.n_classes = 2;
    data.x.resize(3, 36);
    for (int s = 0; s < 3; ++s) {
        for (int i = 0; i < 36; ++i) data.x(s, i) = ref["samples"][s]["x"][i].get<double>();
        data.labels.push_back(0);
    }
    const auto ev = net->evaluate(data);
    std::size_t spikes = 0;
    for (std::size_t s = 0; s < 3; ++s) {
        const auto acts = net->layer_activity(data, {s});
        const auto& r = ref["samples"][s];
        for (int t = 0; t < T; ++t) {
            for (int j = 0; j < 72; ++j) {
                INFO("sample " << s << ", step " << t + 1 << ", conv neuron " << j);
                REQUIRE(acts[1][static_cast<std::size_t>(t)](0, j) == r["spikes1"][t][j].get<double>());
            }
            for (int j = 0; j < 3; ++j) {
                INFO("sample " << s << ", step " << t + 1 << ", neuron " << j);
                REQUIRE(acts[5][static_cast<std::size_t>(t)](0, j) == r["spikes2"][t][j].get<double>());
                spikes += static_cast<std::size_t>(acts[5][static_cast<std::size_t>(t)](0, j));
            }
        }
        for (int k = 0; k < 2; ++k) {
            double mean = 0.0;
            for (int t = 0; t < T; ++t) mean += r["V"][t][k].get<double>();
            mean /= T;
            CHECK(std::abs(ev.logits(static_cast<Eigen::Index>(s), k) - mean) <= 1e-12 * (1.0 + std::abs(mean)));
        }
    }
    CHECK(spikes > 20);
}

TEST_CASE("NIR: export then import gives the same network and spikes", "[validation][learning][nir]") {
    const auto& data = test::digits();
    const auto train = data.rows(0, 300), test_set = data.rows(1437, 1797);
    test::temp_dir tmp;
    for (const bool recurrent : {false, true}) {
        INFO("recurrent " << recurrent);
        auto o = test::digits_options(20, 20, 9);
        o.recurrent = recurrent;
        o.reset = recurrent ? reset_kind::zero : reset_kind::subtract;
        o.input.scale = 1.0 / 16.0;  // a power of two: folding it into W1 is exact
        o.learn_time_constants = recurrent;  // two pairs of decays to carry
        o.refractory_steps = recurrent ? 2 : 0;
        network net(o);
        adam opt(2e-3);
        net.train_epoch(train, opt, {}, 0);
        const auto file = tmp / (recurrent ? "rec.nir" : "ff.nir");
        learning::write_nir(file, net);
        const auto back = learning::read_nir(file, 0.0, 0);  // dt and T from the metadata
        const auto& b = back->options();
        CHECK(b.steps == o.steps);
        CHECK(b.reset == o.reset);
        CHECK(b.refractory_steps == o.refractory_steps);
        CHECK(b.recurrent == o.recurrent);
        CHECK(b.input.scale == 1.0);
        const auto d = net.time_constants(), e = back->time_constants();
        CHECK(e.alpha1 == Approx(d.alpha1).epsilon(1e-14));
        CHECK(e.beta1 == Approx(d.beta1).epsilon(1e-14));
        CHECK(e.alpha2 == Approx(d.alpha2).epsilon(1e-14));
        CHECK(e.beta2 == Approx(d.beta2).epsilon(1e-14));
        for (const std::string name : {"W1", "W2", "W_rec"}) {
            if (name == "W_rec" && !recurrent) continue;
            const matrix want = name == "W1" ? matrix(net.parameter(name) * o.input.scale) : net.parameter(name);
            const matrix& got = back->parameter(name);
            INFO(name);
            CHECK((got - want).cwiseAbs().maxCoeff() <= 1e-14 * want.cwiseAbs().maxCoeff());
        }
        const auto a = net.evaluate(test_set), c = back->evaluate(test_set);
        CHECK(a.predicted == c.predicted);
        for (std::size_t s : {0u, 17u, 200u, 359u}) {
            const auto x = net.hidden_activity(test_set, {s}), y = back->hidden_activity(test_set, {s});
            for (std::size_t t = 0; t < x.size(); ++t) REQUIRE(x[t] == y[t]);
        }
    }
}

TEST_CASE("NIR: what Myelin cannot represent is refused by name", "[unit][learning][nir]") {
    auto error_of = [](const std::string& file, double dt) {
        try {
            learning::read_nir(test::source_path(file), dt, 0);
        } catch (const input_error& e) {
            return std::string(e.what());
        }
        return std::string("(no error)");
    };
    CHECK_THAT(error_of("tests/data/nir/refuse_conv.nir", 1e-4),
               Contains("node: node 'conv' (Conv2d) is not part of that chain; Myelin reads a chain from Input to Output"));
    // A non-zero bias makes the graph a layer stack (the shorthand has no biases).
    const auto biased = learning::read_nir(test::source_path("tests/data/nir/refuse_bias.nir"), 1e-4, 0);
    CHECK(biased->options().kind == network_kind::stack);
    CHECK(biased->parameter("0.b").cwiseAbs().minCoeff() == Approx(0.5).epsilon(1e-6));  // 0.5 times c = 1
    CHECK_THAT(error_of("tests/data/nir/cuba_rec.nir", 0.0), Contains("has no time step in its metadata"));
    CHECK_THAT(error_of("tests/data/nir/cuba_rec.nir", 1e-2), Contains("is --dt right?"));
    CHECK_THAT(error_of("tests/data/nir/cuba_rec.json", 1e-4), Contains("cannot be read as a NIR file"));
    CHECK_THAT(error_of("tests/data/grad_ref/README.md", 1e-4), Contains("cannot be read as a NIR file"));
}

TEST_CASE("NIR: layer stacks with convolution, pooling, biases and recurrence go out and back with their spikes",
          "[validation][learning][nir]") {
    const auto& data = test::digits();
    const auto train = data.rows(0, 300), test_set = data.rows(1437, 1797);
    test::temp_dir tmp;
    using test::spec;
    layer_spec conv = spec(layer_kind::conv2d), lif = spec(layer_kind::lif), pool = spec(layer_kind::avg_pool),
               sum = spec(layer_kind::sum_pool), flat = spec(layer_kind::flatten), dense, rec = spec(layer_kind::lif),
               li = spec(layer_kind::li_readout), drop = spec(layer_kind::dropout);
    conv.channels = 3;
    conv.kernel = 3;
    conv.padding = 1;
    conv.stride = 1;
    pool.kernel = sum.kernel = 2;
    dense.units = 12;
    rec.recurrent = true;
    rec.reset = reset_kind::zero;
    rec.refractory_steps = 1;
    rec.learn_decays = decay_learning::layer;
    li.reduce = readout_kind::max;
    layer_spec out;
    out.units = 10;
    out.bias = false;
    for (const auto& layers : {std::vector<layer_spec>{conv, lif, pool, flat, drop, dense, rec, out, li},
                               std::vector<layer_spec>{conv, lif, sum, conv, lif, flat, out, li}}) {
        network_options o;
        o.kind = network_kind::stack;
        o.input_shape = shape::picture(1, 8, 8);
        o.layers = layers;
        o.classes = 10;
        o.steps = 12;
        o.seed = 6;
        o.input.scale = 1.0 / 16.0;  // a power of two: folding it into the first weights is exact
        network net(o);
        adam opt(2e-3);
        net.train_epoch(train, opt, {}, 0);
        const auto file = tmp / "stack.nir";
        std::filesystem::remove(file);
        learning::write_nir(file, net);
        const auto back = learning::read_nir(file, 0.0, 0);
        const auto& b = back->options();
        REQUIRE(b.kind == network_kind::stack);
        CHECK(b.steps == o.steps);
        CHECK(b.input.scale == 1.0);
        // Dropout is left out (nothing at inference); every other layer comes back.
        std::size_t kept = 0;
        for (const auto& l : layers) kept += l.kind != layer_kind::dropout;
        REQUIRE(back->layers().size() == kept);
        const auto a = net.evaluate(test_set), c = back->evaluate(test_set);
        CHECK(a.predicted == c.predicted);
        CHECK((a.logits - c.logits).cwiseAbs().maxCoeff() <= 1e-12 * (1.0 + a.logits.cwiseAbs().maxCoeff()));
        std::size_t spikes = 0;
        for (std::size_t s : {0u, 17u, 200u, 359u}) {
            const auto x = net.layer_activity(test_set, {s}), y = back->layer_activity(test_set, {s});
            std::size_t j = 0;
            for (std::size_t i = 0; i < x.size(); ++i) {
                if (net.layers()[i].spec.kind == layer_kind::dropout) continue;
                if (is_spiking(net.layers()[i].spec.kind))
                    for (std::size_t t = 0; t < x[i].size(); ++t) {
                        INFO("sample " << s << ", layer " << i << ", step " << t + 1);
                        REQUIRE(x[i][t] == y[j][t]);
                        spikes += static_cast<std::size_t>(x[i][t].sum());
                    }
                ++j;
            }
        }
        CHECK(spikes > 100);
    }
    // ALIF has no NIR node.
    network_options o;
    o.kind = network_kind::stack;
    o.input_shape = shape::vector(64);
    layer_spec alif = spec(layer_kind::alif);
    o.layers = {dense, alif, out, li};
    o.classes = 10;
    CHECK(learning::nir_problem(network(o)) == "layer 1 (alif): NIR has no adaptive LIF node");
}
