#include "support.hpp"

#include <myelin/core/error.hpp>
#include <myelin/io/sonata.hpp>

#include <catch2/catch.hpp>

#include <fstream>

using namespace myelin;
using Catch::Matchers::Contains;

TEST_CASE("sonata: spikes written are read back with their attributes", "[unit][sonata]") {
    test::temp_dir tmp;
    io::spike_file f;
    f.t_start_ms = 0.0;
    f.t_stop_ms = 100.0;
    f.populations.push_back({"E", {0.5, 1.0, 1.0}, {3, 1, 2}, 10, io::spike_sorting::by_time});
    f.populations.push_back({"empty", {}, {}, 4, io::spike_sorting::by_time});
    io::write_spikes(tmp / "s.h5", f);
    REQUIRE(std::filesystem::exists(tmp / "s.h5"));
    REQUIRE(std::distance(std::filesystem::directory_iterator(tmp.path()), {}) == 1);  // no temporary left

    const auto g = io::read_spikes(tmp / "s.h5");
    REQUIRE(g.populations.size() == 2);
    REQUIRE(g.populations[0].name == "E");
    REQUIRE(g.populations[0].timestamps_ms == f.populations[0].timestamps_ms);
    REQUIRE(g.populations[0].node_ids == f.populations[0].node_ids);
    REQUIRE(g.populations[0].n_nodes == 10u);
    REQUIRE(g.populations[0].sorting == io::spike_sorting::by_time);
    REQUIRE(g.populations[1].timestamps_ms.empty());
    REQUIRE(*g.t_stop_ms == 100.0);
}

TEST_CASE("sonata: files that are not SONATA spike files are refused by name", "[unit][sonata]") {
    test::temp_dir tmp;
    std::ofstream(tmp / "text.h5") << "not hdf5";
    REQUIRE_THROWS_WITH(io::read_spikes(tmp / "text.h5"), Contains("text.h5: cannot read as a SONATA spike file: not an HDF5 file"));
    REQUIRE_THROWS_WITH(io::read_spikes(tmp / "missing.h5"), Contains("missing.h5: no such file"));
    io::report r{"P", "V_m", "mV", {0}, 0.0, 1.0, 0.1, 1, {0.0}};
    io::write_report(tmp / "report.h5", r);
    REQUIRE_THROWS_WITH(io::read_spikes(tmp / "report.h5"), Contains("not a SONATA spike file: it has no /spikes group"));
}
