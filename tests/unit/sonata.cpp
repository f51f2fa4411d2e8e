#include "support.hpp"

#include <myelin/core/error.hpp>
#include <myelin/io/sonata.hpp>

#include <catch2/catch.hpp>
#include <hdf5.h>

#include <cmath>
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

namespace {

// Replaces the units attribute of /spikes/E/timestamps and its first value, as another
// tool might have written them.
void rewrite_timestamps(const std::filesystem::path& file, const std::string& units, double first) {
    const hid_t f = H5Fopen(file.c_str(), H5F_ACC_RDWR, H5P_DEFAULT);
    REQUIRE(f >= 0);
    const hid_t d = H5Dopen2(f, "/spikes/E/timestamps", H5P_DEFAULT);
    H5Adelete(d, "units");
    const hid_t type = H5Tcopy(H5T_C_S1);
    H5Tset_size(type, units.size());
    const hid_t space = H5Screate(H5S_SCALAR);
    const hid_t a = H5Acreate2(d, "units", type, space, H5P_DEFAULT, H5P_DEFAULT);
    H5Awrite(a, type, units.c_str());
    const hsize_t start[1] = {0}, count[1] = {1};
    const hid_t file_space = H5Dget_space(d);
    H5Sselect_hyperslab(file_space, H5S_SELECT_SET, start, nullptr, count, nullptr);
    const hid_t one = H5Screate_simple(1, count, nullptr);
    H5Dwrite(d, H5T_NATIVE_DOUBLE, one, file_space, H5P_DEFAULT, &first);
    H5Aclose(a);
    H5Sclose(space);
    H5Sclose(one);
    H5Sclose(file_space);
    H5Tclose(type);
    H5Dclose(d);
    H5Fclose(f);
}

}  // namespace

TEST_CASE("sonata: spike times in seconds are read in ms; impossible times are refused", "[unit][sonata]") {
    test::temp_dir tmp;
    io::spike_file f;
    f.populations.push_back({"E", {0.5, 1.0, 2.0}, {0, 1, 2}, 3, io::spike_sorting::by_time});
    io::write_spikes(tmp / "s.h5", f);
    rewrite_timestamps(tmp / "s.h5", "s", 0.5);
    CHECK(io::read_spikes(tmp / "s.h5").populations[0].timestamps_ms == std::vector<double>{500.0, 1000.0, 2000.0});
    auto error = [&](const std::string& units, double first) {
        rewrite_timestamps(tmp / "s.h5", units, first);
        try {
            io::read_spikes(tmp / "s.h5");
        } catch (const input_error& e) {
            return std::string(e.what());
        }
        return std::string("(no error)");
    };
    CHECK_THAT(error("ms", NAN), Contains("/spikes/E/timestamps[0] = nan ms; spike times must be finite and >= 0"));
    CHECK_THAT(error("ms", -1.0), Contains("/spikes/E/timestamps[0] = -1 ms"));
    CHECK_THAT(error("minutes", 0.5), Contains("/spikes/E/timestamps: units = 'minutes'; Myelin reads ms or s"));
    CHECK(error("ms", 0.5) == "(no error)");
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
