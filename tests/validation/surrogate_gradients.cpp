// The surrogate-gradient library (learning/) against the reference in tests/data/grad_ref/
// (an independent PyTorch implementation in float64, autograd cross-checked against a
// hand-written BPTT to 1e-15): a 64 -> 16 -> 10 spiking network on 8 digits, T = 20,
// feed-forward with max and mean readouts and recurrent with the mean readout. Spikes
// must be identical; loss, logits, readout potentials and weight gradients equal to the
// reference's acceptance for float64: element-wise relative error <= 1e-9 (plus 1e-14 of
// the tensor's largest entry, for entries that are exactly 0 or cancel to ~1e-17).
#include "json_matrix.hpp"
#include "learning_support.hpp"

#include <myelin/core/error.hpp>
#include <myelin/learning/layers.hpp>
#include <myelin/learning/training.hpp>

#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <numbers>
#include <utility>

using namespace myelin;
using namespace myelin::learning;

namespace {

matrix from_json(const test::json& rows) { return test::matrix_from_json(rows); }

// The reference's network as a stack: dense W1, LIF (W_rec), dense W2, LI readout.
struct reference_stack {
    test::layer_stack s;
    reference_stack(const test::json& ref, layer_spec lif, readout_kind readout, bool learn_decays)
        : s(shape::vector(64), specs(ref, lif, readout, learn_decays)) {
        s.params[0] = {from_json(ref["W1"])};
        s.params[2] = {from_json(ref["W2"])};
        const double alpha = ref["alpha"], beta = ref["beta"];
        s.params[1][0] = s.params[3][0] = matrix::Constant(1, 1, alpha);
        s.params[1][1] = s.params[3][1] = matrix::Constant(1, 1, beta);
        if (lif.recurrent) s.params[1][2] = from_json(ref["Wrec"]);
    }
    static std::vector<layer_spec> specs(const test::json& ref, layer_spec lif, readout_kind readout, bool learn) {
        layer_spec d1, d2, li;
        d1.units = ref["n_hid"].get<int>();
        d2.units = 10;
        d1.bias = d2.bias = false;
        lif.kind = layer_kind::lif;
        li.kind = layer_kind::li_readout;
        li.reduce = readout;
        lif.learn_decays = li.learn_decays = learn ? decay_learning::layer : decay_learning::none;
        return {d1, lif, d2, li};
    }
};

void require_close(const matrix& got, const matrix& want, const std::string& what) {
    REQUIRE(got.rows() == want.rows());
    REQUIRE(got.cols() == want.cols());
    const double scale = want.cwiseAbs().maxCoeff();
    for (Eigen::Index i = 0; i < got.rows(); ++i)
        for (Eigen::Index j = 0; j < got.cols(); ++j) {
            INFO(what << "[" << i << "][" << j << "] = " << got(i, j) << ", reference " << want(i, j));
            REQUIRE(std::abs(got(i, j) - want(i, j)) <= 1e-9 * std::abs(want(i, j)) + 1e-14 * scale);
        }
}

}  // namespace

TEST_CASE("surrogate gradients: loss, spikes and weight gradients equal the PyTorch reference",
          "[validation][learning]") {
    std::ifstream in(test::source_path("tests/data/grad_ref/grad_ref.json"));
    const auto ref = test::json::parse(in);
    const std::size_t T = ref["T"], B = ref["batch"];
    const double alpha = ref["alpha"], beta = ref["beta"];
    matrix x = from_json(ref["pixels"]) / 16.0;
    const sequence input(T, x);
    std::vector<int> labels;
    for (const auto& l : ref["labels"]) labels.push_back(l.get<int>());
    layer_spec options;
    options.theta = ref["theta"].get<double>();
    options.spike_grad = {surrogate_kind::fast_sigmoid, ref["surrogate_slope"]};
    (void)alpha;
    (void)beta;

    for (const std::string variant : {"ff_max", "ff_mean", "rec_mean"}) {
        INFO(variant);
        const auto& v = ref["variants"][variant];
        options.recurrent = v["recurrent"].get<bool>();
        const bool recurrent = options.recurrent;
        reference_stack net(ref, options, v["readout"] == "max" ? readout_kind::max : readout_kind::mean, false);
        const matrix logits = net.s.forward(input, T)[0];
        const sequence& spikes = net.s.outputs[1];
        matrix grad_logits;
        const double loss = cross_entropy(logits, labels, grad_logits);
        net.s.backward({grad_logits});

        std::size_t n_spikes = 0;
        for (std::size_t b = 0; b < B; ++b)
            for (std::size_t t = 0; t < T; ++t)
                for (Eigen::Index j = 0; j < spikes[t].cols(); ++j) {
                    INFO("sample " << b << ", step " << t + 1 << ", hidden " << j);
                    REQUIRE(spikes[t](static_cast<Eigen::Index>(b), j) == v["spikes"][b][t][j].get<double>());
                    n_spikes += spikes[t](static_cast<Eigen::Index>(b), j) > 0.0;
                }
        CHECK(n_spikes == v["spike_count_total"].get<std::size_t>());
        for (std::size_t b = 0; b < B; ++b)
            for (std::size_t t = 0; t < T; ++t)
                for (Eigen::Index k = 0; k < 10; ++k)
                    REQUIRE(std::abs((*net.s.layers[3]->potential())[t](static_cast<Eigen::Index>(b), k) - v["V2"][b][t][k].get<double>()) <=
                            1e-12);
        CHECK(std::abs(loss - v["loss"].get<double>()) <= 1e-12 * std::abs(v["loss"].get<double>()));
        require_close(logits, from_json(v["logits"]), "logits");
        require_close(net.s.gradient(2, 0), from_json(v["dW2"]), "dW2");
        require_close(net.s.gradient(0, 0), from_json(v["dW1"]), "dW1");
        if (recurrent) require_close(net.s.gradient(1, 2), from_json(v["dWrec"]), "dWrec");
    }
}

TEST_CASE("surrogate gradients with reset to zero, an undetached reset, refractoriness and learnable decays equal PyTorch autograd",
          "[validation][learning]") {
    // tests/data/grad_ref/reset_variants.json, written by
    // tests/reference/learning/make_reset_ref.py (PyTorch float64 autograd, the same network,
    // weights and batch; the script reproduces the shared reference's rec_mean to 1e-15).
    // Same acceptance as above.
    std::ifstream in_ref(test::source_path("tests/data/grad_ref/grad_ref.json"));
    const auto ref = test::json::parse(in_ref);
    std::ifstream in(test::source_path("tests/data/grad_ref/reset_variants.json"));
    const auto variants = test::json::parse(in)["variants"];
    const std::size_t T = ref["T"];
    const matrix x = from_json(ref["pixels"]) / 16.0;
    std::vector<int> labels;
    for (const auto& l : ref["labels"]) labels.push_back(l.get<int>());
    for (const auto& [name, v] : variants.items()) {
        INFO(name);
        layer_spec options;
        options.theta = ref["theta"].get<double>();
        options.spike_grad = {surrogate_kind::fast_sigmoid, ref["surrogate_slope"]};
        options.reset = v["reset"] == "zero" ? reset_kind::zero : reset_kind::subtract;
        options.detach_reset = v["detach_reset"].get<bool>();
        options.refractory_steps = v.value("refractory_steps", 0);
        options.recurrent = v["recurrent"].get<bool>();
        const bool recurrent = options.recurrent;
        // Static input (one entry for all steps): the first dense layer runs once.
        reference_stack net(ref, options, readout_kind::mean, v.contains("learn_decays"));
        const matrix logits = net.s.forward({x}, T)[0];
        std::size_t n_spikes = 0;
        for (const matrix& s : net.s.outputs[1]) n_spikes += static_cast<std::size_t>(s.sum());
        CHECK(n_spikes == v["spike_count_total"].get<std::size_t>());
        matrix grad_logits;
        const double loss = cross_entropy(logits, labels, grad_logits);
        net.s.backward({grad_logits});
        CHECK(std::abs(loss - v["loss"].get<double>()) <= 1e-12 * std::abs(v["loss"].get<double>()));
        require_close(net.s.gradient(2, 0), from_json(v["dW2"]), "dW2");
        require_close(net.s.gradient(0, 0), from_json(v["dW1"]), "dW1");
        if (recurrent) require_close(net.s.gradient(1, 2), from_json(v["dWrec"]), "dWrec");
        if (v.contains("learn_decays")) {
            // The gradients of the decays (learnable time constants), summed over steps,
            // samples and neurons: the same relative 1e-9.
            const std::pair<double, const char*> got[] = {{net.s.gradient(1, 0)(0, 0), "dalpha1"},
                                                          {net.s.gradient(1, 1)(0, 0), "dbeta1"},
                                                          {net.s.gradient(3, 0)(0, 0), "dalpha2"},
                                                          {net.s.gradient(3, 1)(0, 0), "dbeta2"}};
            for (const auto& [g, key] : got) {
                INFO(key << ": " << g << ", reference " << v[key].get<double>());
                CHECK(std::abs(g - v[key].get<double>()) <= 1e-9 * std::abs(v[key].get<double>()));
            }
        }
    }
}

TEST_CASE("a deep stack (conv, LIF, pooling, recurrent ALIF, LI readout) equals PyTorch autograd",
          "[validation][learning]") {
    // tests/data/grad_ref/stack_ref.json, written by tests/reference/learning/make_stack_ref.py
    // (torch.nn.functional.conv2d and avg_pool2d, the ALIF of Bellec et al. 2018 written
    // out, float64 autograd). Spike counts per step must be equal; loss and every gradient
    // to the acceptance above.
    std::ifstream in_ref(test::source_path("tests/data/grad_ref/grad_ref.json"));
    const auto digits = test::json::parse(in_ref);
    std::ifstream in(test::source_path("tests/data/grad_ref/stack_ref.json"));
    const auto ref = test::json::parse(in);
    const std::size_t T = ref["T"];
    std::vector<int> labels;
    for (const auto& l : digits["labels"]) labels.push_back(l.get<int>());

    layer_spec conv, lif, pool, flat, dense1, alif, dense2, li;
    conv.kind = layer_kind::conv2d;
    conv.channels = 4;
    conv.kernel = 3;
    conv.padding = 1;
    lif.kind = layer_kind::lif;
    pool.kind = layer_kind::avg_pool;
    pool.kernel = 2;
    flat.kind = layer_kind::flatten;
    dense1.units = 16;
    alif.kind = layer_kind::alif;
    alif.recurrent = true;
    alif.learn_decays = decay_learning::neuron;
    alif.tau_adapt_ms = ref["tau_adapt"];
    alif.adapt = ref["adapt"];
    dense2.units = 10;
    dense2.bias = false;
    li.kind = layer_kind::li_readout;
    li.learn_decays = decay_learning::layer;
    for (layer_spec* n : {&lif, &alif}) n->spike_grad = {surrogate_kind::fast_sigmoid, ref["surrogate_slope"]};
    test::layer_stack s(shape::picture(1, 8, 8), {conv, lif, pool, flat, dense1, alif, dense2, li});
    s.params[0] = {from_json(ref["K1"]), from_json(test::json::array({ref["c1"]}))};
    s.params[4] = {from_json(ref["W1"]), from_json(test::json::array({ref["b1"]}))};
    s.params[5][2] = from_json(ref["Wrec"]);
    s.params[6] = {from_json(ref["W2"])};

    const matrix x = from_json(digits["pixels"]) / 16.0;
    const matrix logits = s.forward({x}, T)[0];
    for (std::size_t t = 0; t < T; ++t) {
        INFO("step " << t + 1);
        REQUIRE(s.outputs[1][t].sum() == ref["spikes_lif"][t].get<double>());
        REQUIRE(s.outputs[5][t].sum() == ref["spikes_alif"][t].get<double>());
    }
    matrix grad_logits;
    const double loss = cross_entropy(logits, labels, grad_logits);
    s.backward({grad_logits});
    CHECK(std::abs(loss - ref["loss"].get<double>()) <= 1e-12 * std::abs(ref["loss"].get<double>()));
    require_close(logits, from_json(ref["logits"]), "logits");
    auto row = [&](const char* key) { return from_json(test::json::array({ref[key]})); };
    require_close(s.gradient(0, 0), from_json(ref["dK1"]), "dK1");
    require_close(s.gradient(0, 1), row("dc1"), "dc1");
    require_close(s.gradient(4, 0), from_json(ref["dW1"]), "dW1");
    require_close(s.gradient(4, 1), row("db1"), "db1");
    require_close(s.gradient(5, 0), row("dalpha_alif"), "dalpha_alif");
    require_close(s.gradient(5, 1), row("dbeta_alif"), "dbeta_alif");
    require_close(s.gradient(5, 2), from_json(ref["dWrec"]), "dWrec");
    require_close(s.gradient(6, 0), from_json(ref["dW2"]), "dW2");
    require_close(s.gradient(7, 0), matrix::Constant(1, 1, ref["dalpha_out"].get<double>()), "dalpha_out");
    require_close(s.gradient(7, 1), matrix::Constant(1, 1, ref["dbeta_out"].get<double>()), "dbeta_out");
}

TEST_CASE("surrogate derivatives have their stated shapes", "[unit][learning]") {
    // Each is the derivative of a smooth step: compare with the central difference of its
    // antiderivative (fast sigmoid: x/(1+s|x|); sigmoid: sig(sx); arctan: atan(pi s x/2)/pi;
    // triangle: the integral of the hat), at points away from the kinks.
    const double s = 4.0, e = 1e-6;
    auto F = [&](surrogate_kind k, double x) {
        switch (k) {
        case surrogate_kind::fast_sigmoid: return x / (1.0 + s * std::abs(x));
        case surrogate_kind::sigmoid: return 1.0 / (1.0 + std::exp(-s * x));
        case surrogate_kind::arctan: return std::atan(std::numbers::pi / 2.0 * s * x) / std::numbers::pi;
        case surrogate_kind::triangle: {
            const double u = std::clamp(s * x, -1.0, 1.0);
            return u - u * std::abs(u) / 2.0;
        }
        }
        return 0.0;
    };
    for (auto k : {surrogate_kind::fast_sigmoid, surrogate_kind::sigmoid, surrogate_kind::arctan, surrogate_kind::triangle})
        for (double x : {-0.9, -0.3, -0.05, 0.07, 0.2, 0.6}) {
            const surrogate g{k, s};
            INFO("kind " << static_cast<int>(k) << ", x = " << x);
            CHECK(g(x) == Approx((F(k, x + e) - F(k, x - e)) / (2.0 * e)).epsilon(1e-6));
        }
}

TEST_CASE("a spiking classifier trained with surrogate gradients learns the digits", "[validation][learning]") {
    // examples/learning/data/digits.csv: 1437 training and 360 test samples. A small, short
    // run (32 hidden neurons, T = 20, 3 epochs) so that the test stays quick; the full
    // configuration (128 hidden, T = 50, 30 epochs) is measured by bench/learning/targets.py.
    const auto& data = test::digits();
    REQUIRE(data.labels.size() == 1797);
    const auto train = data.rows(0, 1437), test = data.rows(1437, 1797);
    network net(test::digits_options(32, 20, 3));
    adam optimizer(2e-3);
    train_options t;
    t.batch = 32;
    double first = 0.0, last = 0.0;
    for (int epoch = 0; epoch < 3; ++epoch) {
        last = net.train_epoch(train, optimizer, t, epoch).loss;
        if (epoch == 0) first = last;
    }
    const double accuracy = net.evaluate(test).accuracy;
    INFO("loss " << first << " -> " << last << ", test accuracy " << accuracy);
    // Seeds 1-8 gave 95.0 to 97.5 % test accuracy (seed 3: 96.9 %) and losses falling
    // from ~0.95 to ~0.13: 93 % and a threefold fall leave room for changes in the order
    // of the library's arithmetic, while an untrained or mis-trained net (10 %) fails.
    CHECK(last < first / 3.0);
    CHECK(accuracy >= 0.93);
}

TEST_CASE("read_csv rejects bad data with file, line and reason", "[unit][learning]") {
    test::temp_dir dir;
    auto error_of = [&](const std::string& text) {
        const auto file = dir / "d.csv";
        std::ofstream(file) << text;
        try {
            read_csv(file, 3);
        } catch (const input_error& e) {
            return std::string(e.what()).substr(file.string().size() + 2);
        }
        return std::string("(no error)");
    };
    CHECK(error_of("1,2,0\n3,4,1\n") == "(no error)");
    CHECK(error_of("1,2,0\n3,1\n") == "line 2: 2 values; the first row has 3");
    CHECK(error_of("1,2,0\n3,x,1\n") == "line 2: column 2: 'x' is not a number");
    CHECK(error_of("1,2,0\n3,4,3\n") == "line 2: label 3; must be an integer in [0, 2]");
    CHECK(error_of("1,2,0.5\n") == "line 1: label 0.5; must be an integer in [0, 2]");
    CHECK(error_of("") == "has no samples");
}
