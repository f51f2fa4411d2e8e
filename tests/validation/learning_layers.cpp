// Rate layers, losses, optimizers and the training loop of learning/:
// - dense layer and Elman RNN gradients against central finite differences of the loss
//   (every parameter entry and the input), for each activation;
// - SGD with momentum / Nesterov, Adam / AdamW, the schedules and gradient clipping
//   against their defining formulas written out here step by step;
// - training: same bits for 1, 2 and 3 threads; the rate regulariser moves spike counts.
#include "learning_support.hpp"

#include <myelin/learning/optim.hpp>
#include <myelin/learning/rate.hpp>
#include <myelin/learning/training.hpp>

#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <functional>

using namespace myelin;
using namespace myelin::learning;

namespace {

matrix random_matrix(Eigen::Index rows, Eigen::Index cols, std::uint64_t id, double scale = 1.0) {
    rng_stream rng(11, 0, id);
    matrix m(rows, cols);
    for (Eigen::Index i = 0; i < rows; ++i)
        for (Eigen::Index j = 0; j < cols; ++j) m(i, j) = scale * (2.0 * rng.uniform() - 1.0);
    return m;
}

// Central differences of loss() with respect to every entry of p, against `analytic`.
// With step 1e-6 the truncation error is ~1e-12 times the third derivative and the
// rounding error ~1e-16 / 1e-6 = 1e-10 of the loss: 1e-7 relative (plus 1e-9 absolute)
// separates a correct gradient from any wrong term by orders of magnitude.
void check_gradient(matrix& p, const matrix& analytic, const std::function<double()>& loss, const std::string& what) {
    const double e = 1e-6;
    for (Eigen::Index i = 0; i < p.rows(); ++i)
        for (Eigen::Index j = 0; j < p.cols(); ++j) {
            const double keep = p(i, j);
            p(i, j) = keep + e;
            const double up = loss();
            p(i, j) = keep - e;
            const double down = loss();
            p(i, j) = keep;
            const double numeric = (up - down) / (2.0 * e);
            INFO(what << "[" << i << "][" << j << "]: analytic " << analytic(i, j) << ", numeric " << numeric);
            REQUIRE(std::abs(analytic(i, j) - numeric) <= 1e-7 * std::abs(numeric) + 1e-9);
        }
}

const std::vector<int> labels = {0, 2, 1, 2, 0};

}  // namespace

TEST_CASE("dense layer gradients equal finite differences", "[validation][learning]") {
    for (activation f : {activation::relu, activation::tanh, activation::sigmoid, activation::identity}) {
        INFO("activation " << name_of(f));
        matrix x = random_matrix(5, 4, 1);
        dense_layer hidden(random_matrix(4, 6, 2), random_matrix(1, 6, 3, 0.1), f);
        dense_layer out(random_matrix(6, 3, 4), random_matrix(1, 3, 5, 0.1), activation::identity);
        auto loss = [&] {
            matrix g;
            return cross_entropy(out.forward(hidden.forward(x)), labels, g);
        };
        matrix g;
        cross_entropy(out.forward(hidden.forward(x)), labels, g);
        const matrix dx = hidden.backward(out.backward(g));
        const matrix dW1 = hidden.dW, db1 = hidden.db, dW2 = out.dW, db2 = out.db;
        check_gradient(hidden.W, dW1, loss, "dW1");
        check_gradient(hidden.b, db1, loss, "db1");
        check_gradient(out.W, dW2, loss, "dW2");
        check_gradient(out.b, db2, loss, "db2");
        check_gradient(x, dx, loss, "dx");
    }
}

TEST_CASE("rate RNN gradients through time equal finite differences", "[validation][learning]") {
    for (activation f : {activation::tanh, activation::relu, activation::sigmoid}) {
        for (bool constant : {false, true}) {
            INFO("activation " << name_of(f) << (constant ? ", constant input" : ", input per step"));
            const std::size_t T = 6;
            sequence xs;
            for (std::size_t t = 0; t < T; ++t) xs.push_back(random_matrix(5, 4, 10 + t));
            const matrix xc = random_matrix(5, 4, 9);
            rate_rnn rnn(random_matrix(4, 6, 2), random_matrix(6, 6, 3, 0.5), random_matrix(1, 6, 4, 0.1), f);
            dense_layer out(random_matrix(6, 3, 5), random_matrix(1, 3, 6, 0.1), activation::identity);
            auto run = [&]() -> const sequence& { return constant ? rnn.forward_constant(xc, T) : rnn.forward(xs); };
            auto loss = [&] {
                matrix g;
                return mse(out.forward(run().back()), labels, g);
            };
            matrix g;
            mse(out.forward(run().back()), labels, g);
            sequence gh(T, matrix::Zero(5, 6));
            gh.back() = out.backward(g);
            const sequence dx = rnn.backward(gh);
            const matrix dW = rnn.dW, dU = rnn.dU, db = rnn.db;
            check_gradient(rnn.W, dW, loss, "dW");
            check_gradient(rnn.U, dU, loss, "dU");
            check_gradient(rnn.b, db, loss, "db");
            if (!constant)
                for (std::size_t t = 0; t < T; ++t) check_gradient(xs[t], dx[t], loss, "dx[" + std::to_string(t) + "]");
        }
    }
}

TEST_CASE("optimizers, schedules and clipping follow their formulas", "[unit][learning]") {
    const matrix g1 = random_matrix(2, 3, 1), g2 = random_matrix(2, 3, 2), p0 = random_matrix(2, 3, 3);
    SECTION("SGD with momentum, Nesterov and weight decay (PyTorch's form)") {
        for (bool nesterov : {false, true}) {
            matrix p = p0;
            sgd opt(0.1, 0.9, nesterov, 0.01);
            opt.step({&p}, {&g1});
            opt.step({&p}, {&g2});
            // By hand: d = g + wd p; v1 = d1; v2 = 0.9 v1 + d2; step = v (or d + 0.9 v).
            matrix q = p0;
            const matrix d1 = g1 + 0.01 * q, v1 = d1;
            q -= 0.1 * (nesterov ? matrix(d1 + 0.9 * v1) : v1);
            const matrix d2 = g2 + 0.01 * q, v2 = 0.9 * v1 + d2;
            q -= 0.1 * (nesterov ? matrix(d2 + 0.9 * v2) : v2);
            CHECK((p - q).cwiseAbs().maxCoeff() <= 1e-15);
        }
    }
    SECTION("AdamW") {
        matrix p = p0;
        adam opt(0.01, 0.9, 0.999, 1e-8, 0.1);
        opt.step({&p}, {&g1});
        opt.step({&p}, {&g2});
        matrix q = p0;
        matrix m = matrix::Zero(2, 3), v = matrix::Zero(2, 3);
        int t = 0;
        for (const matrix* g : {&g1, &g2}) {
            ++t;
            m = 0.9 * m + 0.1 * *g;
            v = 0.999 * v + 0.001 * g->cwiseProduct(*g);
            q *= 1.0 - 0.01 * 0.1;
            const matrix mh = m / (1.0 - std::pow(0.9, t)), vh = v / (1.0 - std::pow(0.999, t));
            q.array() -= 0.01 * mh.array() / (vh.array().sqrt() + 1e-8);
        }
        CHECK((p - q).cwiseAbs().maxCoeff() <= 1e-15);
    }
    SECTION("schedules") {
        lr_schedule s;
        CHECK(s.at(0.1, 7) == 0.1);
        s.type = lr_schedule::kind::step;
        s.step_size = 3;
        s.gamma = 0.5;
        CHECK(s.at(0.1, 2) == 0.1);
        CHECK(s.at(0.1, 3) == 0.05);
        CHECK(s.at(0.1, 7) == Approx(0.025).epsilon(1e-15));
        s.type = lr_schedule::kind::cosine;
        s.epochs = 10;
        s.min_lr = 0.001;
        CHECK(s.at(0.1, 0) == Approx(0.1).epsilon(1e-15));
        CHECK(s.at(0.1, 5) == Approx(0.0505).epsilon(1e-14));
        CHECK(s.at(0.1, 10) == Approx(0.001).epsilon(1e-14));
    }
    SECTION("clipping the joint norm") {
        matrix a = g1, b = g2;
        const double norm = std::sqrt(g1.squaredNorm() + g2.squaredNorm());
        CHECK(clip_grad_norm({&a, &b}, 1e9) == Approx(norm).epsilon(1e-15));
        CHECK(a == g1);
        clip_grad_norm({&a, &b}, 0.5);
        CHECK(std::sqrt(a.squaredNorm() + b.squaredNorm()) == Approx(0.5).epsilon(1e-5));
        CHECK((a / a(0, 0) - g1 / g1(0, 0)).cwiseAbs().maxCoeff() <= 1e-15);
    }
}

TEST_CASE("training gives the same bits with 1, 2 and 3 threads", "[validation][learning]") {
    const auto train = test::digits().rows(0, 300);
    for (auto kind : {network_kind::spiking, network_kind::rate, network_kind::rate_rnn}) {
        for (auto enc : {encoder_kind::current, encoder_kind::poisson}) {
            if (kind == network_kind::rate && enc == encoder_kind::poisson) continue;
            INFO("kind " << static_cast<int>(kind) << ", encoder " << static_cast<int>(enc));
            std::vector<matrix> reference;
            for (int threads : {1, 2, 3}) {
                auto o = test::digits_options(24, 10, 5);
                o.kind = kind;
                o.recurrent = true;
                o.input.kind = enc;
                network net(o);
                adam opt(2e-3);
                train_options t;
                t.batch = 50;  // 4 chunks of 16 and one of 2
                t.threads = threads;
                t.regulariser.upper = 3.0;
                t.regulariser.upper_strength = 0.01;
                for (int epoch = 0; epoch < 2; ++epoch) net.train_epoch(train, opt, t, epoch);
                std::vector<matrix> now;
                for (matrix* p : net.parameters()) now.push_back(*p);
                if (reference.empty())
                    reference = now;
                else
                    for (std::size_t i = 0; i < now.size(); ++i) REQUIRE(now[i] == reference[i]);
            }
        }
    }
}

TEST_CASE("firing-rate regularisers bound the hidden spike counts", "[validation][learning]") {
    // Spike counts per neuron and sample (over the training data, after 3 epochs): an
    // upper bound of 4 pulls the busiest neurons down to it, a lower bound of 2 lifts the
    // quietest neurons up to it, against the same run without the terms.
    const auto train = test::digits().rows(0, 600);
    auto counts = [&](rate_regulariser r) {
        network net(test::digits_options(32, 20, 2));
        adam opt(2e-3);
        train_options t;
        t.regulariser = r;
        for (int epoch = 0; epoch < 3; ++epoch) net.train_epoch(train, opt, t, epoch);
        auto c = net.evaluate(train).neuron_spikes;
        std::sort(c.begin(), c.end());
        return c;
    };
    const auto free = counts({});
    rate_regulariser upper;
    upper.upper = 4.0;
    upper.upper_strength = 0.1;
    rate_regulariser lower;
    lower.lower = 2.0;
    lower.lower_strength = 0.01;
    const auto capped = counts(upper), lifted = counts(lower);
    INFO("spikes per neuron and sample (min, max): free " << free.front() << ", " << free.back() << "; upper bound 4: "
         << capped.front() << ", " << capped.back() << "; lower bound 2: " << lifted.front() << ", " << lifted.back());
    CHECK(free.back() > 6.0);
    CHECK(capped.back() <= 4.25);  // a soft bound: 3.86 measured
    CHECK(free.front() < 1.0);
    CHECK(lifted.front() >= 2.0);  // 4.33 measured
}
