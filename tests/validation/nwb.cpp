// NWB units tables and trials (io/nwb.hpp) and the condition x unit matrix
// (analysis/recording.hpp):
// - files written independently in PyNWB's layout (tests/reference/analysis/make_nwb_ref.py,
//   h5py) read with every unit's spikes, ids and text columns, ragged and
//   multi-dimensional columns skipped, trials with their columns; a minimal file (no ids,
//   float32 times, uint8 index); NWB 1.x and non-NWB files refused by name;
// - the condition x unit matrix of mean counts equals numpy's (exact: sums of integers);
// - Myelin's NWB output reads back with the same spikes and carries the NWB types.
#include "support.hpp"

#include <myelin/analysis/recording.hpp>
#include <myelin/core/error.hpp>
#include <myelin/io/nwb.hpp>

#include <catch2/catch.hpp>
#include <hdf5.h>

#include <fmt/format.h>

#include <fstream>
#include <iterator>

using namespace myelin;

namespace {

std::string string_attribute(hid_t object, const char* name) {
    const hid_t a = H5Aopen(object, name, H5P_DEFAULT);
    const hid_t type = H5Aget_type(a);
    char* text = nullptr;
    H5Aread(a, type, &text);
    std::string out = text ? text : "";
    H5free_memory(text);
    H5Tclose(type);
    H5Aclose(a);
    return out;
}

}  // namespace

TEST_CASE("NWB: units and trials of an independently written file", "[validation][io][nwb]") {
    std::ifstream in(test::source_path("tests/data/nwb/expected.json"));
    const auto want = test::json::parse(in);
    const auto f = io::read_nwb(test::source_path("tests/data/nwb/recording.nwb"));
    CHECK(f.nwb_version == "2.6.0");
    CHECK(f.identifier == "fixture");
    const auto& units = f.units;
    REQUIRE(units.table.ids == want["ids"].get<std::vector<std::int64_t>>());
    REQUIRE(units.spike_times_s.size() == 6);
    for (std::size_t u = 0; u < 6; ++u) {
        INFO("unit " << u);
        const auto& t = units.spike_times_s[u];
        CHECK(t.size() == want["counts"][u].get<std::size_t>());
        CHECK(std::is_sorted(t.begin(), t.end()));
        if (!t.empty()) {
            CHECK(t.front() == want["first"][u].get<double>());
            CHECK(t.back() == want["last"][u].get<double>());
        }
    }
    CHECK(units.table.text.at("location") == want["location"].get<std::vector<std::string>>());
    CHECK(units.table.text.at("quality") == want["quality"].get<std::vector<std::string>>());
    CHECK(units.table.numbers.count("firing_rate") == 1);
    for (const char* skipped : {"obs_intervals", "electrodes", "waveform_mean", "spike_times", "spike_times_index"}) {
        INFO(skipped);
        CHECK(units.table.numbers.count(skipped) == 0);
        CHECK(units.table.text.count(skipped) == 0);
    }
    REQUIRE(f.trials);
    CHECK(f.trials->numbers.at("start_time") == want["trial_start"].get<std::vector<double>>());
    CHECK(f.trials->text.at("stimulus") == want["trial_stimulus"].get<std::vector<std::string>>());
    CHECK(f.trials->numbers.at("contrast") == want["trial_contrast"].get<std::vector<double>>());
    CHECK(f.trials->column_text("contrast")[0] == fmt::format("{}", want["trial_contrast"][0].get<double>()));
    CHECK(f.trials->text.count("tags") == 0);
    CHECK_FALSE(f.epochs);

    const auto m = analysis::condition_by_unit(units.spike_times_s, f.trials->numbers.at("start_time"),
                                               f.trials->text.at("stimulus"), 0.05, 0.25, false);
    CHECK(m.conditions == want["conditions"].get<std::vector<std::string>>());
    CHECK(m.trials == std::vector<int>{5, 5, 5, 5});
    const auto expected = want["condition_matrix"];
    for (Eigen::Index r = 0; r < m.values.rows(); ++r)
        for (Eigen::Index u = 0; u < m.values.cols(); ++u)
            CHECK(m.values(r, u) == Approx(expected[static_cast<std::size_t>(r)][static_cast<std::size_t>(u)].get<double>()).epsilon(1e-15));
    const auto rates = analysis::condition_by_unit(units.spike_times_s, f.trials->numbers.at("start_time"),
                                                   f.trials->text.at("stimulus"), 0.05, 0.25, true);
    CHECK(rates.values(0, 0) == Approx(m.values(0, 0) / 0.2));
}

TEST_CASE("NWB: tolerated variations and refused files", "[validation][io][nwb]") {
    const auto f = io::read_nwb(test::source_path("tests/data/nwb/minimal.nwb"));
    CHECK(f.units.table.ids == std::vector<std::int64_t>{0, 1, 2});
    REQUIRE(f.units.spike_times_s.size() == 3);
    CHECK(f.units.spike_times_s[0] == std::vector<double>{static_cast<double>(0.5f)});
    CHECK(f.units.spike_times_s[1].empty());
    CHECK(f.units.spike_times_s[2] == std::vector<double>{static_cast<double>(0.1f), static_cast<double>(0.25f),
                                                          static_cast<double>(0.9f)});
    CHECK_FALSE(f.trials);
    using Catch::Contains;
    CHECK_THROWS_WITH(io::read_nwb(test::source_path("tests/data/nwb/version1.nwb")),
                      Contains("version1.nwb") && Contains("NWB version NWB-1.0.6 is not supported (allowed: 2.x)"));
    CHECK_THROWS_WITH(io::read_nwb(test::source_path("tests/data/nwb/not_nwb.h5")),
                      Contains("not_nwb.h5") && Contains("not an NWB file"));
    CHECK_THROWS_WITH(io::read_nwb(test::source_path("tests/data/nwb/expected.json")), Contains("expected.json"));
    CHECK_THROWS_AS(io::read_nwb("no/such.nwb"), input_error);
}

TEST_CASE("NWB: the simulator's spikes as a units table", "[validation][io][nwb]") {
    io::spike_file spikes;
    spikes.t_start_ms = 0.0;
    spikes.t_stop_ms = 500.0;
    spikes.populations.push_back({"E", {12.5, 3.0, 400.0, 7.25}, {2, 0, 2, 0}, 4, io::spike_sorting::none});
    spikes.populations.push_back({"I", {250.0}, {1}, 2, io::spike_sorting::none});
    test::temp_dir tmp;
    const auto path = tmp / "spikes.nwb";
    io::write_nwb(path, spikes, "run-1", "Brunel network");
    const auto f = io::read_nwb(path);
    CHECK(f.identifier == "run-1");
    CHECK(f.session_description == "Brunel network");
    CHECK(f.units.table.ids == std::vector<std::int64_t>{0, 1, 2, 3, 4, 5});
    CHECK(f.units.table.text.at("population") == std::vector<std::string>{"E", "E", "E", "E", "I", "I"});
    CHECK(f.units.table.numbers.at("node_id") == std::vector<double>{0, 1, 2, 3, 0, 1});
    const std::vector<std::vector<double>> want{{0.003, 0.00725}, {}, {0.0125, 0.4}, {}, {}, {0.25}};
    CHECK(f.units.spike_times_s == want);
    REQUIRE(f.epochs);
    CHECK(f.epochs->numbers.at("stop_time") == std::vector<double>{0.5});

    // The NWB types, and spike_times_index.target pointing at spike_times.
    const hid_t file = H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
    REQUIRE(file >= 0);
    CHECK(string_attribute(file, "neurodata_type") == "NWBFile");
    const hid_t units = H5Gopen2(file, "units", H5P_DEFAULT);
    CHECK(string_attribute(units, "neurodata_type") == "Units");
    const hid_t index = H5Dopen2(units, "spike_times_index", H5P_DEFAULT);
    CHECK(string_attribute(index, "neurodata_type") == "VectorIndex");
    hobj_ref_t ref;
    const hid_t a = H5Aopen(index, "target", H5P_DEFAULT);
    H5Aread(a, H5T_STD_REF_OBJ, &ref);
    const hid_t target = H5Rdereference2(index, H5P_DEFAULT, H5R_OBJECT, &ref);
    char name[64] = {};
    H5Iget_name(target, name, sizeof name);
    CHECK(std::string(name) == "/units/spike_times");
    H5Dclose(target);
    H5Aclose(a);
    H5Dclose(index);
    H5Gclose(units);
    H5Fclose(file);
    // Nothing left beside the file (it is written under a temporary name, then renamed).
    CHECK(std::distance(std::filesystem::directory_iterator(tmp.path()), std::filesystem::directory_iterator()) == 1);
}
