// The postsynaptic spike history plastic synapses read (simulator/post_history.hpp): what
// the per-neuron records serve must equal what the spike list gives, and pruning must keep
// every spike some synapse has still to read or a trace look-up still needs.
#include <myelin/simulator/detail/post_history.hpp>

#include <catch2/catch.hpp>

#include <cmath>
#include <cstdint>
#include <vector>

using myelin::post_entry;
using myelin::post_history;
using myelin::step_t;
using myelin::trace_spec;

namespace {

constexpr double h = 0.1;

// Trace just before spike k (and at time t), summed from scratch over the earlier spikes.
double trace_before(const std::vector<step_t>& spikes, step_t t, const trace_spec& x) {
    double sum = 0.0, latest = 0.0;
    for (step_t s : spikes)
        if (s < t) {
            sum += std::exp(-static_cast<double>(t - s) * h / x.tau_ms);
            latest = std::exp(-static_cast<double>(t - s) * h / x.tau_ms);
        }
    return x.nearest ? latest : sum;
}

// Neurons 0 and 1 in a population with one trace (records hold three spikes' traces),
// 2 and 3 in one with two (records hold two).
struct fixture {
    std::vector<trace_spec> one{{20.0, false}}, two{{20.0, false}, {7.0, true}};
    post_history history{{0, 0, 1, 1}, 2, h, 20};
    fixture() {
        history.add_trace(0, one[0]);
        for (const auto& x : two) history.add_trace(1, x);
        history.set_incoming({1, 0, 1, 1});
    }
};

}  // namespace

TEST_CASE("post_history: records serve what the spike list would", "[unit][plasticity]") {
    fixture f;
    const std::vector<step_t> spikes{10, 25, 47, 80, 130, 131, 300};
    for (step_t t : spikes) {
        f.history.add_spike(0, t);
        f.history.add_spike(2, t);
    }
    REQUIRE(f.history.keeps(0));
    REQUIRE_FALSE(f.history.keeps(1));
    for (std::uint32_t neuron : {0u, 2u}) {
        const auto& traces = neuron == 0 ? f.one : f.two;
        // Every window (t1, t2] of the spikes, from empty to all of them.
        for (step_t t1 : {post_history::never, step_t{0}, step_t{10}, step_t{30}, step_t{79}, step_t{80}, step_t{130},
                          step_t{131}, step_t{300}})
            for (step_t t2 : {step_t{80}, step_t{129}, step_t{131}, step_t{299}, step_t{300}, step_t{400}}) {
                if (t2 < t1) continue;
                INFO("neuron " << neuron << ", new spikes in (" << t1 << ", " << t2 << "]");
                std::vector<step_t> got;
                f.history.for_each_new(neuron, t1, t2, [&](step_t t, const double* before) {
                    got.push_back(t);
                    for (std::size_t s = 0; s < traces.size(); ++s)
                        CHECK(before[s] == Approx(trace_before(spikes, t, traces[s])).epsilon(1e-12));
                });
                std::vector<step_t> want;
                for (step_t t : spikes)
                    if (t > t1 && t <= t2) want.push_back(t);
                CHECK(got == want);
                // Three spikes back in the records of the one-trace population, two in the other.
                const std::size_t depth = neuron == 0 ? 3 : 2;
                CHECK(f.history.needs_list(neuron, t1) == (t1 < spikes[spikes.size() - 1 - depth]));
                for (std::size_t s = 0; s < traces.size(); ++s)
                    CHECK(f.history.trace_at(neuron, s, t2) ==
                          Approx(trace_before(spikes, t2, traces[s])).epsilon(1e-12).margin(1e-300));
            }
    }
}

TEST_CASE("post_history: pruning keeps unread spikes and those trace look-ups need", "[unit][plasticity]") {
    fixture f;
    const std::vector<step_t> spikes{10, 50, 90, 130, 170};
    for (step_t t : spikes) f.history.add_spike(2, t);
    auto times = [&] {
        std::vector<step_t> t;
        for (const post_entry& x : f.history.entries(2)) t.push_back(x.t);
        return t;
    };
    // Nothing is read: all stay.
    f.history.prune(2, post_history::never, 1000);
    CHECK(times() == spikes);
    // All is read, but look-ups from 60 - 20 on may still need the spike at 10 (the next
    // one, at 50, answers only those after 50).
    f.history.prune(2, 1000, 60);
    CHECK(times() == spikes);
    // Read up to 95, look-ups from 160 on: 10, 50 and 90 go (130 answers from 131 on).
    f.history.prune(2, 95, 180);
    CHECK(times() == std::vector<step_t>{130, 170});
    // The unread ones are still served, with their traces.
    std::vector<step_t> got;
    f.history.for_each_new(2, 95, 200, [&](step_t t, const double* before) {
        got.push_back(t);
        CHECK(before[0] == Approx(trace_before(spikes, t, f.two[0])).epsilon(1e-12));
    });
    CHECK(got == std::vector<step_t>{130, 170});
    CHECK(f.history.trace_at(2, 0, 150) == Approx(trace_before(spikes, 150, f.two[0])).epsilon(1e-12));
    // The newest spike always stays.
    f.history.prune(2, 10000, 10000);
    CHECK(times() == std::vector<step_t>{170});
    // Lists are compacted as they are pruned, and checkpoints put back what they saved.
    for (step_t t = 200; t < 2000; t += 10) f.history.add_spike(2, t);
    f.history.prune(2, 1500, 1600);
    const auto kept = f.history.entries(2);
    REQUIRE(kept.size() == 49);  // 1510 .. 1990
    post_history copy{{0, 0, 1, 1}, 2, h, 20};
    for (const auto& x : f.two) copy.add_trace(1, x);
    copy.set_incoming({1, 0, 1, 1});
    copy.restore(2, kept);
    for (step_t t1 : {step_t{1500}, step_t{1960}, step_t{1980}}) {
        std::vector<step_t> a, b;
        f.history.for_each_new(2, t1, 2000, [&](step_t t, const double*) { a.push_back(t); });
        copy.for_each_new(2, t1, 2000, [&](step_t t, const double*) { b.push_back(t); });
        CHECK(a == b);
        CHECK(copy.trace_at(2, 1, 2000) == f.history.trace_at(2, 1, 2000));
    }
}
