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
#include <myelin/learning/spiking.hpp>
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
    const lif_options options{alpha, beta, ref["theta"].get<double>(), {surrogate_kind::fast_sigmoid, ref["surrogate_slope"]}};

    for (const std::string variant : {"ff_max", "ff_mean", "rec_mean"}) {
        INFO(variant);
        const auto& v = ref["variants"][variant];
        const bool recurrent = v["recurrent"].get<bool>();
        lif_layer hidden(from_json(ref["W1"]), options, recurrent ? from_json(ref["Wrec"]) : matrix());
        li_readout out(from_json(ref["W2"]), alpha, beta, v["readout"] == "max" ? readout_kind::max : readout_kind::mean);

        const sequence& spikes = hidden.forward(input);
        const matrix& logits = out.forward(spikes);
        matrix grad_logits;
        const double loss = cross_entropy(logits, labels, grad_logits);
        hidden.backward(out.backward(grad_logits));

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
                    REQUIRE(std::abs(out.potential()[t](static_cast<Eigen::Index>(b), k) - v["V2"][b][t][k].get<double>()) <=
                            1e-12);
        CHECK(std::abs(loss - v["loss"].get<double>()) <= 1e-12 * std::abs(v["loss"].get<double>()));
        require_close(logits, from_json(v["logits"]), "logits");
        require_close(out.dW, from_json(v["dW2"]), "dW2");
        require_close(hidden.dW, from_json(v["dW1"]), "dW1");
        if (recurrent) require_close(hidden.dW_rec, from_json(v["dWrec"]), "dWrec");
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
    const double alpha = ref["alpha"], beta = ref["beta"];
    const matrix x = from_json(ref["pixels"]) / 16.0;
    std::vector<int> labels;
    for (const auto& l : ref["labels"]) labels.push_back(l.get<int>());
    for (const auto& [name, v] : variants.items()) {
        INFO(name);
        lif_options options{alpha, beta, ref["theta"].get<double>(), {surrogate_kind::fast_sigmoid, ref["surrogate_slope"]}};
        options.reset = v["reset"] == "zero" ? reset_kind::zero : reset_kind::subtract;
        options.detach_reset = v["detach_reset"].get<bool>();
        options.refractory_steps = v.value("refractory_steps", 0);
        const bool recurrent = v["recurrent"].get<bool>();
        lif_layer hidden(from_json(ref["W1"]), options, recurrent ? from_json(ref["Wrec"]) : matrix());
        li_readout out(from_json(ref["W2"]), alpha, beta, readout_kind::mean);
        const sequence& spikes = hidden.forward_constant(x, T);
        std::size_t n_spikes = 0;
        for (const matrix& s : spikes) n_spikes += static_cast<std::size_t>(s.sum());
        CHECK(n_spikes == v["spike_count_total"].get<std::size_t>());
        matrix grad_logits;
        const double loss = cross_entropy(out.forward(spikes), labels, grad_logits);
        hidden.backward(out.backward(grad_logits));
        CHECK(std::abs(loss - v["loss"].get<double>()) <= 1e-12 * std::abs(v["loss"].get<double>()));
        require_close(out.dW, from_json(v["dW2"]), "dW2");
        require_close(hidden.dW, from_json(v["dW1"]), "dW1");
        if (recurrent) require_close(hidden.dW_rec, from_json(v["dWrec"]), "dWrec");
        if (v.contains("learn_decays")) {
            // The gradients of the decays (learnable time constants), summed over steps,
            // samples and neurons: the same relative 1e-9.
            const std::pair<double, const char*> got[] = {
                {hidden.d_alpha, "dalpha1"}, {hidden.d_beta, "dbeta1"}, {out.d_alpha, "dalpha2"}, {out.d_beta, "dbeta2"}};
            for (const auto& [g, key] : got) {
                INFO(key << ": " << g << ", reference " << v[key].get<double>());
                CHECK(std::abs(g - v[key].get<double>()) <= 1e-9 * std::abs(v[key].get<double>()));
            }
        }
    }
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
