// Rate layers, losses, optimizers and the training loop of learning/:
// - dense layer and Elman RNN gradients against central finite differences of the loss
//   (every parameter entry and the input), for each activation;
// - SGD with momentum / Nesterov, Adam / AdamW, the schedules and gradient clipping
//   against their defining formulas written out here step by step;
// - training: same bits for 1, 2 and 3 threads; the rate regulariser moves spike counts;
// - event-driven dense layers against the matrix product, within float64 rounding.
#include "learning_support.hpp"

#include <myelin/learning/optim.hpp>
#include <myelin/learning/layers.hpp>
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

namespace {

using test::dense_spec;
using test::spec;

// Every trained parameter of every layer of `s`, and the input (if it is not static),
// against central differences of the cross-entropy of the stack's output.
void check_stack(test::layer_stack& s, sequence x, std::size_t T, bool training = false,
                 const std::vector<std::size_t>* samples = nullptr) {
    auto loss = [&] {
        matrix g;
        return cross_entropy(s.forward(x, T, training, samples)[0], labels, g);
    };
    matrix g;
    cross_entropy(s.forward(x, T, training, samples)[0], labels, g);
    const sequence dx = s.backward({g});
    std::vector<std::vector<matrix>> grads(s.layers.size());
    for (std::size_t i = 0; i < s.layers.size(); ++i)
        for (const matrix* m : s.layers[i]->gradients()) grads[i].push_back(*m);
    for (std::size_t i = 0; i < s.layers.size(); ++i) {
        const auto ps = parameters_of(s.specs[i], s.shapes[i]);
        for (std::size_t k = 0; k < ps.size(); ++k)
            if (ps[k].trainable)
                check_gradient(s.params[i][k], grads[i][k], loss,
                               std::to_string(i) + " " + std::string(name_of(s.specs[i].kind)) + " d" + ps[k].name);
    }
    REQUIRE(dx.size() == x.size());
    for (std::size_t t = 0; t < x.size(); ++t) check_gradient(x[t], dx[t], loss, "dx[" + std::to_string(t) + "]");
}

}  // namespace

TEST_CASE("dense layer gradients equal finite differences", "[validation][learning]") {
    for (activation f : {activation::relu, activation::tanh, activation::sigmoid, activation::identity}) {
        INFO("activation " << name_of(f));
        layer_spec act = spec(layer_kind::activation);
        act.f = f;
        test::layer_stack s(shape::vector(4), {dense_spec(6), act, dense_spec(3)});
        s.params[0][1] = random_matrix(1, 6, 3, 0.1);
        s.params[2][1] = random_matrix(1, 3, 5, 0.1);
        check_stack(s, {random_matrix(5, 4, 1)}, 1);
    }
}

TEST_CASE("rate RNN gradients through time equal finite differences", "[validation][learning]") {
    for (activation f : {activation::tanh, activation::relu, activation::sigmoid}) {
        for (bool constant : {false, true}) {
            INFO("activation " << name_of(f) << (constant ? ", constant input" : ", input per step"));
            const std::size_t T = 6;
            sequence xs;
            for (std::size_t t = 0; t < T; ++t) xs.push_back(random_matrix(5, 4, 10 + t));
            layer_spec rnn = spec(layer_kind::elman), last = spec(layer_kind::reduce);
            rnn.f = f;
            last.reduce = readout_kind::last;
            test::layer_stack s(shape::vector(4), {dense_spec(6, false), rnn, last, dense_spec(3)});
            s.params[1][0] = random_matrix(6, 6, 3, 0.5);
            s.params[1][1] = random_matrix(1, 6, 4, 0.1);
            check_stack(s, constant ? sequence{random_matrix(5, 4, 9)} : xs, T);
        }
    }
}

TEST_CASE("convolution and pooling gradients equal finite differences", "[validation][learning]") {
    // 2 x 7 x 6 images: conv 3 channels 3x3, stride 2, padding 1 (-> 3 x 4 x 3), tanh,
    // sum pool 2 with stride 1 (-> 3 x 3 x 2), conv 4 channels 2x2 without bias
    // (-> 4 x 2 x 1), a 1x1 average pool, flatten, dense 3.
    layer_spec c1 = spec(layer_kind::conv2d), act = spec(layer_kind::activation), sum = spec(layer_kind::sum_pool),
               c2 = spec(layer_kind::conv2d), avg = spec(layer_kind::avg_pool), flat = spec(layer_kind::flatten);
    c1.channels = 3;
    c1.kernel = 3;
    c1.stride = 2;
    c1.padding = 1;
    act.f = activation::tanh;
    sum.kernel = 2;
    sum.stride = 1;
    c2.channels = 4;
    c2.kernel = 2;
    c2.bias = false;
    avg.kernel = 1;
    avg.stride = 1;
    test::layer_stack s(shape::picture(2, 7, 6), {c1, act, sum, c2, avg, flat, dense_spec(3)});
    CHECK(s.shapes[1] == shape::picture(3, 4, 3));
    CHECK(s.shapes[3] == shape::picture(3, 3, 2));
    CHECK(s.shapes[4] == shape::picture(4, 2, 1));
    CHECK(s.shapes[6] == shape::vector(8));
    s.params[0][1] = random_matrix(1, 3, 7, 0.3);
    check_stack(s, {random_matrix(5, 84, 1)}, 1);

    SECTION("average pooling 2x2 over time-varying input") {
        layer_spec conv = spec(layer_kind::conv2d), pool = spec(layer_kind::avg_pool), li = spec(layer_kind::li_readout);
        conv.channels = 2;
        conv.kernel = 3;
        pool.kernel = 2;
        pool.stride = 2;
        li.learn_decays = decay_learning::neuron;
        test::layer_stack v(shape::picture(1, 6, 6), {conv, pool, flat, dense_spec(3), li});
        CHECK(v.shapes[2] == shape::picture(2, 2, 2));
        sequence xs;
        for (std::size_t t = 0; t < 4; ++t) xs.push_back(random_matrix(5, 36, 20 + t));
        check_stack(v, xs, 4);
    }
}

TEST_CASE("convolution equals the direct sum of its definition", "[validation][learning]") {
    // y[b, c, i, j] = bias[c] + sum_{c', u, v} K[c, c', u, v] x[b, c', s i + u - p, s j + v - p]
    layer_spec c = spec(layer_kind::conv2d);
    c.channels = 3;
    c.kernel = 3;
    c.stride = 2;
    c.padding = 1;
    const shape in = shape::picture(2, 5, 6);
    test::layer_stack s(in, {c});
    const matrix x = random_matrix(4, in.size(), 2);
    const matrix y = s.forward({x}, 1)[0];
    const shape out = s.shapes[1];
    REQUIRE(out == shape::picture(3, 3, 3));
    const matrix &K = s.params[0][0], &bias = s.params[0][1];
    for (int b = 0; b < 4; ++b)
        for (int co = 0; co < 3; ++co)
            for (int i = 0; i < out.height; ++i)
                for (int j = 0; j < out.width; ++j) {
                    double want = bias(0, co);
                    for (int ci = 0; ci < 2; ++ci)
                        for (int u = 0; u < 3; ++u)
                            for (int v = 0; v < 3; ++v) {
                                const int yi = 2 * i + u - 1, xj = 2 * j + v - 1;
                                if (yi < 0 || yi >= in.height || xj < 0 || xj >= in.width) continue;
                                want += K(co, (ci * 3 + u) * 3 + v) * x(b, (ci * in.height + yi) * in.width + xj);
                            }
                    REQUIRE(std::abs(y(b, (co * out.height + i) * out.width + j) - want) <= 1e-14);
                }
}

TEST_CASE("leaky-integrator readouts and their learned decays: gradients equal finite differences",
          "[validation][learning]") {
    for (auto readout : {readout_kind::mean, readout_kind::max, readout_kind::last})
        for (auto learn : {decay_learning::layer, decay_learning::neuron}) {
            INFO("readout " << static_cast<int>(readout) << ", decays per " << (learn == decay_learning::layer ? "layer" : "neuron"));
            layer_spec li = spec(layer_kind::li_readout);
            li.reduce = readout;
            li.learn_decays = learn;
            li.tau_syn_ms = 3.0;
            test::layer_stack s(shape::vector(4), {dense_spec(3, false), li});
            sequence xs;
            for (std::size_t t = 0; t < 5; ++t) xs.push_back(random_matrix(5, 4, 30 + t));
            check_stack(s, xs, 5);
        }
}

TEST_CASE("reduce and dropout: gradients equal finite differences; dropout's masks", "[validation][learning]") {
    for (auto mode : {readout_kind::mean, readout_kind::max, readout_kind::last}) {
        layer_spec r = spec(layer_kind::reduce), act = spec(layer_kind::activation), drop = spec(layer_kind::dropout);
        r.reduce = mode;
        act.f = activation::tanh;
        drop.p = 0.3;
        test::layer_stack s(shape::vector(4), {dense_spec(6), act, drop, r, dense_spec(3)});
        sequence xs;
        for (std::size_t t = 0; t < 4; ++t) xs.push_back(random_matrix(5, 4, 40 + t));
        const std::vector<std::size_t> samples = {7, 3, 11, 0, 2};
        check_stack(s, xs, 4, true, &samples);

        // Masks: each (sample, step, unit) kept with 1 - p, scaled by 1 / (1 - p); the
        // same sample gets the same masks wherever it sits in the batch; identity when
        // evaluating.
        const sequence y = s.forward(xs, 4, true, &samples), kept = s.outputs[1], dropped = s.outputs[2];
        std::size_t zero = 0, all = 0;
        for (std::size_t t = 0; t < 4; ++t)
            for (Eigen::Index b = 0; b < 5; ++b)
                for (Eigen::Index j = 0; j < 6; ++j) {
                    const double a = kept[t](b, j), d = dropped[t](b, j);
                    REQUIRE((d == 0.0 || std::abs(d - a / 0.7) <= 1e-15 * std::abs(d)));
                    zero += d == 0.0;
                    ++all;
                }
        CHECK(zero > 0);
        CHECK(zero < all);
        const std::vector<std::size_t> moved = {2, 0, 11, 3, 7};
        sequence xm = xs;
        for (auto& m : xm) m = m.colwise().reverse().eval();
        s.forward(xm, 4, true, &moved);
        for (std::size_t t = 0; t < 4; ++t) CHECK(s.outputs[2][t].colwise().reverse().eval() == dropped[t]);
        s.forward(xs, 4, false, &samples);
        for (std::size_t t = 0; t < 4; ++t) CHECK(s.outputs[2][t] == kept[t]);
    }
}

TEST_CASE("learned decays per neuron sum to the decay per layer", "[validation][learning]") {
    // The same network, with one alpha and beta for the layer or one per neuron (all equal):
    // the same spikes, and the per-neuron gradients sum to the per-layer one.
    for (auto kind : {layer_kind::lif, layer_kind::alif})
        for (bool recurrent : {false, true}) {
            INFO(name_of(kind) << (recurrent ? ", recurrent" : ""));
            matrix grads[2][2];
            sequence spikes[2];
            for (int per_neuron = 0; per_neuron < 2; ++per_neuron) {
                layer_spec n = spec(kind), li = spec(layer_kind::li_readout);
                n.recurrent = recurrent;
                n.learn_decays = li.learn_decays = per_neuron ? decay_learning::neuron : decay_learning::layer;
                n.tau_adapt_ms = 20.0;
                test::layer_stack s(shape::vector(8), {dense_spec(12, false), n, dense_spec(3, false), li});
                s.params[0][0] = random_matrix(8, 12, 50, 1.5);
                if (recurrent) s.params[1][2] = random_matrix(12, 12, 51, 0.4);
                s.params[2][0] = random_matrix(12, 3, 52);
                matrix g;
                cross_entropy(s.forward({random_matrix(5, 8, 53).cwiseAbs()}, 20)[0], labels, g);
                s.backward({g});
                spikes[per_neuron] = s.outputs[1];
                grads[per_neuron][0] = s.gradient(1, 0);
                grads[per_neuron][1] = s.gradient(1, 1);
            }
            double total = 0.0;
            for (const auto& m : spikes[0]) total += m.sum();
            CHECK(total > 0.0);
            for (std::size_t t = 0; t < spikes[0].size(); ++t) REQUIRE(spikes[0][t] == spikes[1][t]);
            for (int k = 0; k < 2; ++k) {
                REQUIRE(grads[1][k].cols() == 12);
                const double layer = grads[0][k](0, 0), sum = grads[1][k].sum();
                INFO((k ? "beta" : "alpha") << ": per layer " << layer << ", per-neuron sum " << sum);
                CHECK(std::abs(layer - sum) <= 1e-12 * std::abs(layer) + 1e-15);
                CHECK(layer != 0.0);
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

namespace {

// Two epochs (batches of 50: 4 chunks of 16 and one of 2; a rate regulariser) with 1, 2
// and 3 threads must give the same parameters, bit for bit.
void same_bits_for_any_threads(const network_options& o, const dataset& train) {
    std::vector<matrix> reference;
    for (int threads : {1, 2, 3}) {
        network net(o);
        adam opt(2e-3);
        train_options t;
        t.batch = 50;
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

}  // namespace

TEST_CASE("training gives the same bits with 1, 2 and 3 threads", "[validation][learning]") {
    const auto train = test::digits().rows(0, 300);
    for (auto kind : {network_kind::spiking, network_kind::rate, network_kind::rate_rnn}) {
        for (auto enc : {encoder_kind::current, encoder_kind::poisson}) {
            if (kind == network_kind::rate && enc == encoder_kind::poisson) continue;
            INFO("kind " << static_cast<int>(kind) << ", encoder " << static_cast<int>(enc));
            auto o = test::digits_options(24, 10, 5);
            o.kind = kind;
            o.recurrent = true;
            o.input.kind = enc;
            same_bits_for_any_threads(o, train);
        }
    }
}

TEST_CASE("a layer stack (conv, pooling, ALIF, dropout) trains to the same bits with 1, 2 and 3 threads",
          "[validation][learning]") {
    const auto train = test::digits().rows(0, 200);
    network_options o;
    o.kind = network_kind::stack;
    o.input_shape = shape::picture(1, 8, 8);
    o.classes = 10;
    o.steps = 8;
    o.seed = 4;
    layer_spec conv = spec(layer_kind::conv2d), lif = spec(layer_kind::lif), pool = spec(layer_kind::avg_pool),
               drop = spec(layer_kind::dropout), alif = spec(layer_kind::alif), li = spec(layer_kind::li_readout);
    conv.channels = 4;
    conv.kernel = 3;
    pool.kernel = pool.stride = 2;
    drop.p = 0.2;
    alif.recurrent = true;
    alif.learn_decays = decay_learning::neuron;
    alif.tau_adapt_ms = 20.0;
    li.learn_decays = decay_learning::layer;
    o.layers = {conv, lif, pool, spec(layer_kind::flatten), drop, dense_spec(24), alif, dense_spec(10, false), li};
    for (auto enc : {encoder_kind::current, encoder_kind::poisson}) {
        INFO("encoder " << static_cast<int>(enc));
        o.input.kind = enc;
        CHECK(network(o).spiking_neurons() == 4 * 6 * 6 + 24);
        same_bits_for_any_threads(o, train);
    }
    INFO("float32 products and state");
    o.float32_products = o.float32_state = true;
    same_bits_for_any_threads(o, train);
    INFO("event-driven dense layers (after dropout: sparse values; after the ALIF: spikes)");
    o.float32_products = o.float32_state = false;
    o.layers[5].event_driven = o.layers[6].event_driven = o.layers[7].event_driven = true;
    same_bits_for_any_threads(o, train);
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

namespace {

// One layer three times on the same input: in float64, with float32 products, and in
// float64 on |x|, |W| and |dL/dy| (each product's sum of absolute terms). A float32
// product of k terms (operands rounded to float, summed in float) is within
// (k + 2) u of that sum, u = 2^-24 (Higham 2002, eq. 3.4, plus the two operand
// roundings); anything wrong in the float32 path (a transposed operand, a missed step)
// is off by the values themselves.
void within_float_rounding(layer_spec s, const shape& in, const sequence& x, const sequence& gy, int terms_y,
                           int terms_gx) {
    const double u = std::ldexp(1.0, -24);
    s.bias = false;  // bias terms are added in double either way
    test::layer_stack exact(in, {s});
    s.float32_products = true;
    test::layer_stack fast(in, {s});
    s.float32_products = false;
    test::layer_stack magnitude(in, {s});
    magnitude.params[0][0] = magnitude.params[0][0].cwiseAbs();
    sequence ax = x, agy = gy;
    for (auto& m : ax) m = m.cwiseAbs();
    for (auto& m : agy) m = m.cwiseAbs();

    const auto& y = exact.forward(x, x.size());
    const auto& yf = fast.forward(x, x.size());
    const auto& ym = magnitude.forward(ax, x.size());
    const auto gx = exact.backward(gy), gxf = fast.backward(gy), gxm = magnitude.backward(agy);
    const auto close = [&](const matrix& a, const matrix& b, const matrix& bound, int k, const char* what) {
        INFO(what << ": largest difference " << (a - b).cwiseAbs().maxCoeff());
        CHECK(((a - b).cwiseAbs().array() <= (k + 2) * u * bound.array() + 1e-300).all());
        CHECK(a != b);  // the float32 path did run
    };
    for (std::size_t t = 0; t < y.size(); ++t) {
        close(yf[t], y[t], ym[t], terms_y, "y");
        close(gxf[t], gx[t], gxm[t], terms_gx, "dL/dx");
    }
    // dW sums over the steps in double, each step's product of B (or B P) terms in float.
    close(fast.gradient(0, 0), exact.gradient(0, 0), magnitude.gradient(0, 0),
          static_cast<int>(x[0].rows() * (s.kind == layer_kind::conv2d ? magnitude.shapes[1].height * magnitude.shapes[1].width : 1)),
          "dL/dW");
}

}  // namespace

TEST_CASE("float32 products: dense and conv2d within float rounding of float64", "[validation][learning]") {
    sequence x, gy;
    SECTION("dense 40 -> 30 over 3 steps") {
        for (std::size_t t = 0; t < 3; ++t) {
            x.push_back(random_matrix(6, 40, 30 + t));
            gy.push_back(random_matrix(6, 30, 40 + t));
        }
        within_float_rounding(dense_spec(30), shape::vector(40), x, gy, 40, 30);
    }
    SECTION("conv2d 3 -> 5 channels, 3x3, stride 2, padding 1, on 2 x 9 x 8 images over 2 steps") {
        layer_spec c = spec(layer_kind::conv2d);
        c.channels = 5;
        c.kernel = 3;
        c.stride = 2;
        c.padding = 1;
        std::string problem;
        const shape in = shape::picture(2, 9, 8), out = output_shape(c, in, problem);
        for (std::size_t t = 0; t < 2; ++t) {
            x.push_back(random_matrix(4, in.size(), 50 + t));
            gy.push_back(random_matrix(4, out.size(), 60 + t));
        }
        within_float_rounding(c, in, x, gy, 2 * 3 * 3, 5);
    }
}

TEST_CASE("float32 state: a LIF layer runs I and V in float: the same spikes away from theta, gradients within "
          "float rounding", "[validation][learning]") {
    // Forward, each step rounds x, the decays and the results of its four operations to
    // float (u = 2^-24): with the spikes equal so far, |I32 - I64| grows by at most 4 u M
    // per step and |V32 - V64| by that sum plus 4 u M, where M bounds |x|, |I| <= T max|x|
    // and |U|, |V| <= max|V| + theta: after T steps tol = (2 T^2 + 4 T) u M. Where no
    // float64 V lies within tol of theta (checked on this data), the spikes are the same.
    // Backward, the fast sigmoid's argument moves by at most tol, its value sg = 1 / (1 +
    // k|v|)^2 by |sg'| tol <= 2k tol sg; each term of dL/dx (dS sg times up to 2T decays)
    // takes at most 4T + 2 float roundings: dL/dx is within (2k tol + (4T + 2) u) of the
    // sum of the terms' magnitudes, the gradient of a float64 layer given |dL/dS| (plus
    // float64's T 2^-52 of it).
    const std::size_t T = 12;
    sequence x, gy, agy;
    for (std::size_t t = 0; t < T; ++t) {
        x.push_back(random_matrix(6, 20, 70 + t, 1.5));
        gy.push_back(random_matrix(6, 20, 90 + t));
        agy.push_back(gy.back().cwiseAbs());
    }
    layer_spec s = spec(layer_kind::lif);
    test::layer_stack f64(shape::vector(20), {s}), magnitude(shape::vector(20), {s});
    s.float32_state = true;
    test::layer_stack f32(shape::vector(20), {s});
    const sequence y = f64.forward(x, T), y32 = f32.forward(x, T);
    magnitude.forward(x, T);
    CHECK(f32.layers[0]->potential() == nullptr);  // no float64 V
    double V_max = 0.0, x_max = 0.0;
    for (const matrix& V : *f64.layers[0]->potential()) V_max = std::max(V_max, V.cwiseAbs().maxCoeff());
    for (const matrix& m : x) x_max = std::max(x_max, m.cwiseAbs().maxCoeff());
    const double u = std::ldexp(1.0, -24), Td = static_cast<double>(T);
    const double M = std::max(Td * x_max, V_max + s.theta), tol = (2.0 * Td * Td + 4.0 * Td) * u * M;
    int near = 0;
    for (const matrix& V : *f64.layers[0]->potential()) near += ((V.array() - s.theta).abs() <= tol).count();
    INFO("tol " << tol << " (M " << M << ")");
    REQUIRE(near == 0);  // the data leaves no spike to rounding
    double spikes = 0.0;
    for (std::size_t t = 0; t < T; ++t) {
        CHECK(y32[t] == y[t]);
        spikes += y[t].sum();
    }
    CHECK(spikes > 0.1 * 6 * 20 * T);
    const sequence gx = f64.backward(gy), gx32 = f32.backward(gy), bound = magnitude.backward(agy);
    const double ug = 2.0 * s.spike_grad.slope * tol + (4.0 * Td + 2.0) * u + Td * std::ldexp(1.0, -52);
    double moved = 0.0;
    for (std::size_t t = 0; t < T; ++t) {
        INFO("step " << t << ": largest difference " << (gx32[t] - gx[t]).cwiseAbs().maxCoeff());
        CHECK(((gx32[t] - gx[t]).cwiseAbs().array() <= ug * bound[t].array()).all());
        moved = std::max(moved, (gx32[t] - gx[t]).cwiseAbs().maxCoeff());
    }
    CHECK(moved > 0.0);  // the float state is used
}

namespace {

// A dense layer event-driven and as the matrix product on the same sparse input: the
// same terms in another order, so within (k + 1) u of the sum of the k terms' magnitudes
// (u = 2^-53; Higham 2002, eq. 3.4), checked with a third stack on |x|, |W|, |dL/dy|.
void event_driven_matches(const sequence& x, const sequence& gy) {
    const double u = std::ldexp(1.0, -53);
    const int in = static_cast<int>(x[0].cols());
    layer_spec s = dense_spec(7, false);  // a bias is added the same way on both paths
    test::layer_stack dense(shape::vector(in), {s});
    s.event_driven = true;
    test::layer_stack event(shape::vector(in), {s});
    s.event_driven = false;
    test::layer_stack magnitude(shape::vector(in), {s});
    magnitude.params[0][0] = magnitude.params[0][0].cwiseAbs();
    sequence ax = x, agy = gy;
    for (auto& m : ax) m = m.cwiseAbs();
    for (auto& m : agy) m = m.cwiseAbs();
    const sequence y = dense.forward(x, x.size()), ye = event.forward(x, x.size()), ym = magnitude.forward(ax, x.size());
    const sequence gx = dense.backward(gy), gxe = event.backward(gy);
    magnitude.backward(agy);
    const auto close = [&](const matrix& a, const matrix& b, const matrix& bound, int k, const char* what) {
        INFO(what << ": largest difference " << (a - b).cwiseAbs().maxCoeff());
        CHECK(((a - b).cwiseAbs().array() <= (k + 1) * u * bound.array() + 1e-300).all());
    };
    for (std::size_t t = 0; t < x.size(); ++t) {
        close(ye[t], y[t], ym[t], in, "y");
        CHECK(gxe[t] == gx[t]);  // dL/dx is the same product on both paths
    }
    close(event.gradient(0, 0), dense.gradient(0, 0), magnitude.gradient(0, 0),
          static_cast<int>(x.size() * x[0].rows()), "dL/dW");
}

}  // namespace

TEST_CASE("event-driven dense layers equal the matrix product within float64 rounding", "[validation][learning]") {
    sequence x, gy;
    for (std::size_t t = 0; t < 4; ++t) {
        const matrix r = random_matrix(6, 50, 70 + t), m = random_matrix(6, 7, 80 + t);
        // Spikes where the draw is above 0.8 (about 10 %); a row without any and a step without any.
        matrix s = (r.array() > 0.8).cast<double>().matrix();
        s.row(2).setZero();
        if (t == 1) s.setZero();
        x.push_back(s);
        gy.push_back(m);
    }
    event_driven_matches(x, gy);
    // Sparse values other than 1 (binned event counts, pooled spikes) take their value.
    for (std::size_t t = 0; t < x.size(); ++t) x[t] = x[t].cwiseProduct(random_matrix(6, 50, 90 + t) * 3.0);
    event_driven_matches(x, gy);
}

TEST_CASE("event-driven recurrent weights give the spikes and, to rounding, the gradients of the matrix product",
          "[validation][learning]") {
    // Sums of the same terms in another order: V differs from the matrix product's by a few
    // float64 roundings of its terms (|V| ~ 1), so spikes equal as long as no V lies
    // within 1e-12 of theta (checked), and V, logits and gradients agree to 1e-12.
    sequence x;
    for (std::size_t t = 0; t < 12; ++t) x.push_back(random_matrix(5, 8, 100 + t, 2.0).cwiseAbs());
    for (auto kind : {layer_kind::lif, layer_kind::alif}) {
        INFO(name_of(kind));
        layer_spec rec = spec(kind);
        rec.recurrent = true;
        const auto stack = [&](bool event) {
            rec.event_driven = event;
            return std::vector<layer_spec>{dense_spec(12), rec, dense_spec(3), spec(layer_kind::li_readout)};
        };
        test::layer_stack dense(shape::vector(8), stack(false)), event(shape::vector(8), stack(true));
        const matrix y = dense.forward(x, 12)[0], ye = event.forward(x, 12)[0];
        double spikes = 0.0;
        for (std::size_t t = 0; t < 12; ++t) {
            CHECK(event.outputs[1][t] == dense.outputs[1][t]);
            spikes += dense.outputs[1][t].sum();
            const matrix& V = (*dense.layers[1]->potential())[t];
            CHECK(((V.array() - rec.theta).abs() > 1e-12).all());
            CHECK(((*event.layers[1]->potential())[t] - V).cwiseAbs().maxCoeff() <= 1e-12);
        }
        CHECK(spikes > 20.0);  // the recurrent input is exercised
        CHECK((ye - y).cwiseAbs().maxCoeff() <= 1e-12);
        matrix g;
        cross_entropy(y, labels, g);
        dense.backward({g});
        event.backward({g});
        for (std::size_t layer = 0; layer < 3; ++layer)
            for (std::size_t k = 0; k < dense.layers[layer]->gradients().size(); ++k) {
                INFO("layer " << layer << ", gradient " << k);
                const matrix &a = dense.gradient(layer, k), &b = event.gradient(layer, k);
                CHECK((a - b).cwiseAbs().maxCoeff() <= 1e-12 * std::max(1.0, a.cwiseAbs().maxCoeff()));
            }
        CHECK(event.gradient(1, 2) != dense.gradient(1, 2));  // dW_rec: the event path did run
    }
}
