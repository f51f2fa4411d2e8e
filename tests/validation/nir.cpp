// NIR import and export (io::read_nir / io::write_nir):
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
#include <myelin/io/learning.hpp>

#include <catch2/catch.hpp>

#include <cmath>
#include <fstream>

using namespace myelin;
using namespace myelin::learning;
using Catch::Matchers::Contains;

TEST_CASE("NIR: an independently written graph imports with its spikes", "[validation][learning][nir]") {
    std::ifstream in(test::source_path("tests/data/nir/cuba_rec.json"));
    const auto ref = test::json::parse(in);
    const auto net = io::read_nir(test::source_path("tests/data/nir/cuba_rec.nir"), ref["dt"].get<double>(),
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
        io::write_nir(file, net);
        const auto back = io::read_nir(file, 0.0, 0);  // dt and T from the metadata
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
            io::read_nir(test::source_path(file), dt, 0);
        } catch (const input_error& e) {
            return std::string(e.what());
        }
        return std::string("(no error)");
    };
    CHECK_THAT(error_of("tests/data/nir/refuse_conv.nir", 1e-4),
               Contains("node/nodes/conv: node type Conv2d is not supported; Myelin reads"));
    CHECK_THAT(error_of("tests/data/nir/refuse_bias.nir", 1e-4),
               Contains("node/nodes/affine/bias: 0.5; biases are not supported"));
    CHECK_THAT(error_of("tests/data/nir/cuba_rec.nir", 0.0), Contains("has no time step in its metadata"));
    CHECK_THAT(error_of("tests/data/nir/cuba_rec.nir", 1e-2), Contains("is --dt right?"));
    CHECK_THAT(error_of("tests/data/nir/cuba_rec.json", 1e-4), Contains("cannot be read as a NIR file"));
    CHECK_THAT(error_of("tests/data/grad_ref/README.md", 1e-4), Contains("cannot be read as a NIR file"));
}
