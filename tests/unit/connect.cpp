// Connection rules: the degrees each rule fixes, the distributions of drawn weights and
// delays, and the same network for any number of threads.
#include "support.hpp"

#include <catch2/catch.hpp>

#include <cmath>
#include <map>
#include <set>
#include <tuple>

using namespace myelin;

namespace {

test::json network(const test::json& connection, std::size_t ns, std::size_t nt, bool same = false, int threads = 1,
                   const test::json& weight = 1.0, const test::json& delay = 1.0) {
    test::json pops = {{{"name", "S"}, {"model", "iaf_psc_delta"}, {"n", ns}}};
    if (!same) pops.push_back({{"name", "T"}, {"model", "iaf_psc_delta"}, {"n", nt}});
    return {{"simulation", {{"t_stop", 1.0}, {"threads", threads}, {"seed", 7}}},
            {"populations", pops},
            {"projections", {{{"source", "S"}, {"target", same ? "S" : "T"}, {"connection", connection},
                              {"weight", weight}, {"delay", delay}}}},
            {"recorders", {{"spikes", false}}}};
}

std::vector<synapse_view> synapses(const test::json& config) {
    engine sim(test::parse(config));
    return sim.synapses(0);
}

std::map<std::uint64_t, std::size_t> in_degrees(const std::vector<synapse_view>& s) {
    std::map<std::uint64_t, std::size_t> d;
    for (const auto& x : s) ++d[x.target];
    return d;
}

std::map<std::uint64_t, std::size_t> out_degrees(const std::vector<synapse_view>& s) {
    std::map<std::uint64_t, std::size_t> d;
    for (const auto& x : s) ++d[x.source];
    return d;
}

bool has_autapse(const std::vector<synapse_view>& s) {
    for (const auto& x : s)
        if (x.source == x.target) return true;
    return false;
}

bool has_multapse(const std::vector<synapse_view>& s) {
    std::set<std::pair<std::uint64_t, std::uint64_t>> seen;
    for (const auto& x : s)
        if (!seen.insert({x.source, x.target}).second) return true;
    return false;
}

}  // namespace

TEST_CASE("all_to_all connects every pair and can leave out autapses", "[unit][connect]") {
    REQUIRE(synapses(network({{"rule", "all_to_all"}}, 30, 20)).size() == 600);
    const auto s = synapses(network({{"rule", "all_to_all"}, {"allow_autapses", false}}, 30, 30, true));
    REQUIRE(s.size() == 30 * 29);
    REQUIRE(!has_autapse(s));
}

TEST_CASE("one_to_one connects i to i", "[unit][connect]") {
    const auto s = synapses(network({{"rule", "one_to_one"}}, 25, 25));
    REQUIRE(s.size() == 25);
    for (const auto& x : s) REQUIRE(x.source == x.target);
}

TEST_CASE("fixed_indegree gives every target exactly K sources", "[unit][connect]") {
    const bool multapses = GENERATE(true, false);
    const auto s = synapses(network({{"rule", "fixed_indegree"}, {"indegree", 40}, {"allow_autapses", false},
                                     {"allow_multapses", multapses}},
                                    50, 50, true));
    const auto d = in_degrees(s);
    REQUIRE(d.size() == 50);
    for (const auto& [t, k] : d) REQUIRE(k == 40);
    REQUIRE(!has_autapse(s));
    if (!multapses) REQUIRE(!has_multapse(s));
    if (multapses) REQUIRE(has_multapse(s));  // 40 draws from 49: duplicates are all but certain
}

TEST_CASE("fixed_indegree draws sources uniformly", "[unit][connect]") {
    // 2000 targets x 100 draws from 10 sources: each source gets Binomial(2e5, 0.1) draws,
    // mean 2e4, sd 134; 5-sigma bound.
    const auto s = synapses(network({{"rule", "fixed_indegree"}, {"indegree", 100}}, 10, 2000));
    const auto d = out_degrees(s);
    for (const auto& [src, k] : d) REQUIRE(std::abs(static_cast<double>(k) - 2e4) < 5 * 134.2);
}

TEST_CASE("fixed_outdegree gives every source exactly K targets", "[unit][connect]") {
    const bool multapses = GENERATE(true, false);
    const auto s = synapses(network({{"rule", "fixed_outdegree"}, {"outdegree", 30}, {"allow_autapses", false},
                                     {"allow_multapses", multapses}},
                                    40, 40, true, 3));
    const auto d = out_degrees(s);
    REQUIRE(d.size() == 40);
    for (const auto& [src, k] : d) REQUIRE(k == 30);
    REQUIRE(!has_autapse(s));
    if (!multapses) REQUIRE(!has_multapse(s));
}

TEST_CASE("pairwise_bernoulli connects each pair with probability p", "[unit][connect]") {
    // 400 x 500 pairs, p = 0.1: Binomial(2e5, 0.1), mean 2e4, sd 134; 5-sigma bound. Each
    // target's in-degree is Binomial(400, 0.1): the mean of its variance estimate is 36.
    const auto s = synapses(network({{"rule", "pairwise_bernoulli"}, {"p", 0.1}}, 400, 500));
    REQUIRE(std::abs(static_cast<double>(s.size()) - 2e4) < 5 * 134.2);
    REQUIRE(!has_multapse(s));
    const auto d = in_degrees(s);
    double m = 0, v = 0;
    for (const auto& [t, k] : d) m += static_cast<double>(k);
    m /= 500.0;
    for (const auto& [t, k] : d) v += (static_cast<double>(k) - m) * (static_cast<double>(k) - m);
    v /= 499.0;
    // The sample variance of 500 binomials (var 36) has sd ~ 36 sqrt(2/499) = 2.3; 5 sigma.
    REQUIRE(std::abs(v - 36.0) < 5 * 2.3);
    REQUIRE(synapses(network({{"rule", "pairwise_bernoulli"}, {"p", 1.0}}, 20, 30)).size() == 600);
    REQUIRE(synapses(network({{"rule", "pairwise_bernoulli"}, {"p", 0.0}}, 20, 30)).empty());
}

TEST_CASE("fixed_total_number makes exactly N synapses spread over all targets", "[unit][connect]") {
    const auto s = synapses(network({{"rule", "fixed_total_number"}, {"N", 50000}, {"allow_autapses", false}},
                                    100, 100, true, 2));
    REQUIRE(s.size() == 50000);
    REQUIRE(!has_autapse(s));
    // In-degrees are Multinomial(5e4, 1/100): each Binomial with mean 500, sd 22.2.
    for (const auto& [t, k] : in_degrees(s)) REQUIRE(std::abs(static_cast<double>(k) - 500.0) < 6 * 22.2);
}

TEST_CASE("every rule builds the same network for 1 2 and 3 threads", "[unit][connect]") {
    const test::json rule = GENERATE(test::json{{"rule", "all_to_all"}, {"allow_autapses", false}},
                                     test::json{{"rule", "one_to_one"}},
                                     test::json{{"rule", "fixed_indegree"}, {"indegree", 17}},
                                     test::json{{"rule", "fixed_outdegree"}, {"outdegree", 13}, {"allow_multapses", false}},
                                     test::json{{"rule", "pairwise_bernoulli"}, {"p", 0.2}},
                                     test::json{{"rule", "fixed_total_number"}, {"N", 999}});
    const test::json weight = {{"distribution", "normal"}, {"mean", 1.0}, {"std", 0.5}};
    const test::json delay = {{"distribution", "uniform"}, {"low", 0.1}, {"high", 3.0}};
    const auto one = synapses(network(rule, 61, 61, true, 1, weight, delay));
    for (int threads : {2, 3}) {
        const auto many = synapses(network(rule, 61, 61, true, threads, weight, delay));
        REQUIRE(many.size() == one.size());
        for (std::size_t i = 0; i < one.size(); ++i) {
            REQUIRE(many[i].source == one[i].source);
            REQUIRE(many[i].target == one[i].target);
            REQUIRE(many[i].weight == one[i].weight);
            REQUIRE(many[i].delay_steps == one[i].delay_steps);
        }
    }
}

TEST_CASE("drawn weights follow their distribution", "[unit][connect]") {
    // 40000 synapses; sample mean within 5 standard errors of the distribution's mean,
    // sample sd within 5% of the distribution's (its standard error is ~0.4% here).
    auto moments = [](const test::json& w) {
        const auto s = synapses(network({{"rule", "all_to_all"}}, 200, 200, false, 2, w));
        double m = 0, v = 0, lo = 1e300, hi = -1e300;
        for (const auto& x : s) m += x.weight, lo = std::min(lo, x.weight), hi = std::max(hi, x.weight);
        m /= static_cast<double>(s.size());
        for (const auto& x : s) v += (x.weight - m) * (x.weight - m);
        return std::array<double, 4>{m, std::sqrt(v / static_cast<double>(s.size())), lo, hi};
    };
    const double n = 40000;
    SECTION("uniform") {
        const auto [m, sd, lo, hi] = moments({{"distribution", "uniform"}, {"low", -1.0}, {"high", 3.0}});
        const double sd_true = 4.0 / std::sqrt(12.0);
        CHECK(std::abs(m - 1.0) < 5 * sd_true / std::sqrt(n));
        CHECK(std::abs(sd / sd_true - 1.0) < 0.05);
        CHECK(lo >= -1.0);
        CHECK(hi < 3.0);
    }
    SECTION("normal, redrawn inside [min, max]") {
        const auto [m, sd, lo, hi] =
            moments({{"distribution", "normal"}, {"mean", 2.0}, {"std", 1.0}, {"min", 0.0}, {"max", 4.0}});
        // Truncated at +-2 sd: mean unchanged (symmetric), sd = 0.8796 (standard formula:
        // sqrt(1 - 2 a phi(a) / (2 Phi(a) - 1)) with a = 2).
        const double sd_true = 0.87962566;
        CHECK(std::abs(m - 2.0) < 5 * sd_true / std::sqrt(n));
        CHECK(std::abs(sd / sd_true - 1.0) < 0.05);
        CHECK(lo >= 0.0);
        CHECK(hi <= 4.0);
    }
    SECTION("lognormal") {
        const auto [m, sd, lo, hi] = moments({{"distribution", "lognormal"}, {"mu", 0.0}, {"sigma", 0.5}});
        const double m_true = std::exp(0.125), sd_true = m_true * std::sqrt(std::exp(0.25) - 1.0);
        CHECK(std::abs(m - m_true) < 5 * sd_true / std::sqrt(n));
        CHECK(std::abs(sd / sd_true - 1.0) < 0.05);
        CHECK(lo > 0.0);
    }
}

TEST_CASE("drawn delays are rounded to whole steps inside their range", "[unit][connect]") {
    const auto s = synapses(network({{"rule", "all_to_all"}}, 100, 100, false, 1, 1.0,
                                    {{"distribution", "uniform"}, {"low", 0.5}, {"high", 2.5}}));
    std::map<step_t, std::size_t> hist;
    for (const auto& x : s) ++hist[x.delay_steps];
    REQUIRE(hist.begin()->first == 5);
    REQUIRE(hist.rbegin()->first == 25);
    // Interior steps each collect 0.1 ms of the 2 ms range: 500 of 10000, sd 21.8.
    for (step_t d = 6; d <= 24; ++d) CHECK(std::abs(static_cast<double>(hist[d]) - 500.0) < 5 * 21.8);
}

TEST_CASE("threads that own more than 65536 neurons index their targets with 32 bits", "[unit][connect]") {
    // Below that, targets are stored in 16 bits: this network takes the other path.
    const std::size_t n = 70000;
    const test::json config = {
        {"simulation", {{"t_stop", 5.0}, {"threads", 1}}},
        {"populations", {{{"name", "A"}, {"model", "iaf_psc_delta"}, {"n", n}, {"params", {{"V_th", -69.0}}}},
                         {{"name", "B"}, {"model", "iaf_psc_delta"}, {"n", n}}}},
        {"projections", {{{"source", "A"}, {"target", "B"}, {"connection", {{"rule", "one_to_one"}}},
                          {"weight", 2.0}, {"delay", 1.0}}}},
        {"stimuli", {{{"model", "spike_generator"}, {"params", {{"spike_times", {1.0}}}},
                      {"targets", {{{"population", "A"}, {"neurons", {0, n - 1}}}}}, {"weight", 5.0}}}},
        {"recorders", {{"spikes", false},
                       {"state", {{{"name", "b"}, {"population", "B"}, {"neurons", {0, n - 2, n - 1}},
                                   {"variables", {"V_m"}}, {"interval", 0.1}}}}}}};
    engine sim(test::parse(config));
    const auto s = sim.synapses(0);
    REQUIRE(s.size() == n);
    REQUIRE(s.back().source == n - 1);
    REQUIRE(s.back().target == n - 1);
    sim.run(50);
    // A fires at 1.1 ms (input at 1.0 + one step delay); B receives 2 mV at 2.1 ms.
    const auto tr = sim.state_traces()[0];
    const std::size_t k = 21;  // sample at 2.1 ms
    REQUIRE(tr.data[0][(k - 1) * 3 + 2] == -70.0);
    REQUIRE(tr.data[0][k * 3 + 0] == -68.0);
    REQUIRE(tr.data[0][k * 3 + 1] == -70.0);
    REQUIRE(tr.data[0][k * 3 + 2] == -68.0);
}

TEST_CASE("explicit connections are the listed synapses, for any number of threads", "[unit][connect]") {
    // 300 pairs with multapses and autapses, weights and delays per synapse (delays on
    // the 0.1 ms grid, 1 to 3 ms).
    std::vector<std::uint64_t> src, tgt;
    std::vector<double> w, d;
    for (std::uint64_t k = 0; k < 300; ++k) {
        src.push_back((k * 7919) % 40);
        tgt.push_back((k * 104729 + k / 50) % 25);
        w.push_back(0.5 + 0.01 * static_cast<double>(k));
        d.push_back(1.0 + 0.1 * static_cast<double>(k % 21));
    }
    const test::json connection = {{"rule", "explicit"}, {"sources", src}, {"targets", tgt}};
    std::multiset<std::tuple<std::uint64_t, std::uint64_t, float, step_t>> want;
    for (std::size_t k = 0; k < src.size(); ++k)
        want.insert({src[k], tgt[k], static_cast<float>(w[k]), ms_to_steps(d[k], 0.1)});
    for (int threads : {1, 2, 3}) {
        const auto got = synapses(network(connection, 40, 25, true, threads, w, d));
        std::multiset<std::tuple<std::uint64_t, std::uint64_t, float, step_t>> have;
        for (const auto& s : got) have.insert({s.source, s.target, static_cast<float>(s.weight), s.delay_steps});
        INFO(threads << " threads");
        CHECK(have == want);
    }
    // A constant weight and delay for all listed synapses.
    const auto constant = synapses(network(connection, 40, 25, true, 2, 2.0, 1.5));
    REQUIRE(constant.size() == 300);
    for (const auto& s : constant) CHECK((s.weight == 2.0 && s.delay_steps == 15));
}
