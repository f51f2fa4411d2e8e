// The Potjans & Diesmann (2014) cortical microcircuit of examples/microcircuit, scaled
// down (N x 0.1, K x 0.5, weights / sqrt(K), DC compensation from the full-scale rates):
// its per-population mean rates against the published full-scale ones.
#include "support.hpp"

#include <myelin/io/config.hpp>
#include <myelin/models/registry.hpp>

#include <catch2/catch.hpp>

#include <cmath>
#include <fstream>

using namespace myelin;

TEST_CASE("microcircuit: the scaled-down network keeps the published population rates", "[validation][microcircuit]") {
    auto spec = io::load_config(test::source_path("examples/microcircuit/microcircuit_small.json"),
                                models::builtin_registry());
    std::ifstream in(test::source_path("examples/microcircuit/data/params.json"));
    const auto params = test::json::parse(in);
    const auto published = params["mean_rates_Hz"]["nest3_reference_one_run"].get<std::vector<double>>();
    REQUIRE(spec.populations.size() == published.size());

    const double h = spec.simulation.resolution_ms;
    engine sim(spec);
    sim.run(ms_to_steps(1500.0, h));
    // Rates over [500, 1500) ms, after the start-up transient (as the PD14 analysis does).
    std::vector<global_id> first{0};
    for (const auto& p : spec.populations) first.push_back(first.back() + p.n);
    std::vector<double> count(published.size(), 0.0);
    for (const auto& s : sim.recorded_spikes())
        if (s.step + 1 >= ms_to_steps(500.0, h))
            count[static_cast<std::size_t>(std::upper_bound(first.begin(), first.end(), s.gid) - first.begin() - 1)] += 1;

    // Tolerances from the spread over 8 seeds of this config (measured with
    // `myelin info --t-start 500`): the small populations fluctuate most (L5E, 485
    // neurons: 7.38 to 9.37 Hz against 7.57 published, up to +24%; L2/3E up to +22%),
    // while the mean |deviation| over the 8 populations stayed below 7.6%. The published
    // rates are one realisation themselves (realisations differ by 5-10%). A wrong
    // weight scaling or a missing DC compensation moves rates by 50% or more.
    double sum_deviation = 0.0;
    for (std::size_t p = 0; p < published.size(); ++p) {
        const double rate = count[p] / (static_cast<double>(spec.populations[p].n) * 1.0);
        const double deviation = rate / published[p] - 1.0;
        INFO(spec.populations[p].name << ": " << rate << " Hz, published " << published[p] << " Hz");
        CHECK(std::abs(deviation) < 0.25);
        sum_deviation += std::abs(deviation);
    }
    CHECK(sum_deviation / static_cast<double>(published.size()) < 0.10);
}
