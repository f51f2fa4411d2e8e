// A trained spiking network exported to the simulator (io::export_simulator_config, as
// `myelin export` writes it) must emit, for each of several test digits, the same hidden
// spikes step for step as the training forward pass, with constant-current input and with
// Poisson and latency spike input, feed-forward and recurrent, learned time constants,
// a refractory period;
// the readout potential recorded in the simulator must give the training logits (within
// 1e-12: both compute the same sums, in a different order). A spike could only differ where V comes within ~1e-15
// of theta, which these samples do not.
#include "learning_support.hpp"

#include <myelin/io/learning.hpp>
#include <myelin/io/run.hpp>
#include <myelin/io/sonata.hpp>

#include <catch2/catch.hpp>

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
