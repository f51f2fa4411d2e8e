// Spikes streamed into a SONATA file in batches (io/spike_stream.hpp): the file equals one
// written whole, and a checkpoint's position continues it or refuses another run's file.
#include "support.hpp"

#include <myelin/core/error.hpp>
#include <myelin/io/output_dir.hpp>
#include <myelin/io/run.hpp>
#include <myelin/io/sonata.hpp>
#include <myelin/io/streams.hpp>

#include <catch2/catch.hpp>

#include <hdf5.h>

#include <filesystem>

using namespace myelin;
using Catch::Matchers::Contains;
namespace fs = std::filesystem;

namespace {

// Two populations written into one file population ("out", output_as) and one of their own.
network_spec three_populations() {
    return test::parse({{"simulation", {{"resolution", 0.1}, {"t_stop", 10.0}}},
                        {"populations",
                         {{{"name", "A"}, {"model", "parrot_neuron"}, {"n", 3}, {"output_as", {{"population", "out"}, {"node_ids", {0, 2, 4}}}}},
                          {{"name", "B"},
                           {"model", "parrot_neuron"},
                           {"n", 2},
                           {"output_as", {{"population", "out"}, {"node_ids", {1, 3}}}}},
                          {{"name", "C"}, {"model", "parrot_neuron"}, {"n", 4}}}},
                        {"recorders", {{"spikes", {{"populations", {"A", "B", "C"}}}}}}});
}

// Spikes of gids 0..8 in (step, gid) order, `batches` of them.
std::vector<std::vector<spike>> batches(int count) {
    std::vector<std::vector<spike>> out(static_cast<std::size_t>(count));
    for (step_t k = 0; k < 60; ++k)
        for (global_id g = 0; g < 9; ++g)
            if ((k * 7 + static_cast<step_t>(g) * 3) % 5 == 0) out[static_cast<std::size_t>(k * count / 60)].push_back({k, g});
    return out;
}

// A file's population by name (files list them by name, layouts in config order).
const io::spike_population& population(const io::spike_file& f, const std::string& name) {
    for (const auto& p : f.populations)
        if (p.name == name) return p;
    FAIL("no population " << name);
    throw;
}

void same_spikes(const io::spike_file& a, const io::spike_file& b) {
    REQUIRE(a.populations.size() == b.populations.size());
    for (const auto& p : a.populations) {
        const auto& q = population(b, p.name);
        CHECK(p.n_nodes == q.n_nodes);
        CHECK(p.sorting == q.sorting);
        CHECK(p.timestamps_ms == q.timestamps_ms);
        CHECK(p.node_ids == q.node_ids);
    }
}

// A dataset's shape and values (as doubles).
std::pair<std::vector<hsize_t>, std::vector<double>> dataset(const fs::path& file, const char* path) {
    const hid_t f = H5Fopen(file.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
    const hid_t d = H5Dopen2(f, path, H5P_DEFAULT);
    const hid_t space = H5Dget_space(d);
    std::vector<hsize_t> dims(static_cast<std::size_t>(H5Sget_simple_extent_ndims(space)));
    H5Sget_simple_extent_dims(space, dims.data(), nullptr);
    std::vector<double> v(static_cast<std::size_t>(H5Sget_simple_extent_npoints(space)));
    H5Dread(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, v.data());
    H5Sclose(space);
    H5Dclose(d);
    H5Fclose(f);
    return {dims, v};
}

}  // namespace

TEST_CASE("spike_stream: batches give the file written whole", "[unit][sonata]") {
    test::temp_dir tmp;
    const network_spec spec = three_populations();
    const io::spike_layout layout(spec);
    std::vector<spike> all;
    {
        io::spike_stream stream(layout, tmp / "s.h5");
        for (const auto& b : batches(4)) {
            stream.append(layout.convert(b));
            all.insert(all.end(), b.begin(), b.end());
        }
        stream.close(6.0, std::nullopt);
    }
    io::write_spikes(tmp / "whole.h5", io::spike_file_of(spec, all, 6.0));
    const auto streamed = io::read_spikes(tmp / "s.h5"), whole = io::read_spikes(tmp / "whole.h5");
    same_spikes(streamed, whole);
    const auto& out = population(streamed, "out");
    REQUIRE(out.n_nodes == 5);
    REQUIRE(out.sorting == io::spike_sorting::by_time);
    REQUIRE(streamed.t_stop_ms == 6.0);
    REQUIRE(!streamed.incomplete);
    // Time order within "out", A's and B's spikes of one step side by side.
    const auto& t = out.timestamps_ms;
    REQUIRE(std::is_sorted(t.begin(), t.end()));
    REQUIRE(t.size() > 20);
}

TEST_CASE("spike_stream: a position continues the file; another run's file is refused", "[unit][sonata]") {
    test::temp_dir tmp;
    const network_spec spec = three_populations();
    const io::spike_layout layout(spec);
    const auto parts = batches(3);
    io::output_position at;
    {
        io::spike_stream stream(layout, tmp / "run.h5");
        stream.append(layout.convert(parts[0]));
        at = stream.position();
        stream.append(layout.convert(parts[1]));  // written after the checkpoint: cut off
        stream.close(4.0, std::string("interrupted"));
    }
    REQUIRE(at.file == "run.h5");
    REQUIRE(at.rows.size() == 4);  // timestamps and node_ids of two populations
    REQUIRE(at.crc.size() == 4);
    {
        io::spike_stream more(layout, tmp / "run.h5", at, "run.h5");
        std::uint64_t seen = 0;
        more.read_back([&](std::size_t, const io::spike_population& p) { seen += p.node_ids.size(); });
        REQUIRE(seen == parts[0].size());
        more.append(layout.convert(parts[1]));
        more.append(layout.convert(parts[2]));
        more.close(6.0, std::nullopt);
    }
    std::vector<spike> all;
    for (const auto& b : parts) all.insert(all.end(), b.begin(), b.end());
    const auto continued = io::read_spikes(tmp / "run.h5");
    same_spikes(continued, io::spike_file_of(spec, all, 6.0));
    REQUIRE(!continued.incomplete);  // the mark of the interrupted run is gone
    REQUIRE(continued.t_stop_ms == 6.0);

    // A file whose first spikes differ (another seed) fails the checksums.
    {
        io::spike_stream other(layout, tmp / "other.h5");
        other.append(layout.convert(parts[1]));
        other.append(layout.convert(parts[0]));
        other.close(6.0, std::nullopt);
    }
    REQUIRE_THROWS_WITH(io::spike_stream(layout, tmp / "other.h5", at, "other.h5"),
                        Contains("other.h5") && Contains("checksums differ"));
    // continue_output looks beside the checkpoint, then in staging folders that runs into
    // that folder left.
    const fs::path run = tmp / "run", checkpoint = run / "checkpoint.h5";
    fs::create_directories(run / ".partial-12");
    fs::copy_file(tmp / "other.h5", run / "run.h5");
    std::unique_ptr<io::spike_stream> continued_stream;
    auto open = [&](const std::string& shown) {
        continued_stream = std::make_unique<io::spike_stream>(layout, tmp / "new.h5", at, shown);
    };
    REQUIRE_THROWS_WITH(io::continue_output(at, checkpoint, tmp / "new.h5", open),
                        Contains("checkpoint.h5") && Contains(".partial-12/run.h5: not there") &&
                            Contains("checksums differ"));
    REQUIRE(!fs::exists(tmp / "new.h5"));
    fs::copy_file(tmp / "run.h5", run / ".partial-12" / "run.h5");  // a crashed run's
    io::continue_output(at, checkpoint, tmp / "new.h5", open);
    REQUIRE(continued_stream);
    REQUIRE(io::output_dir::leftover_staging(run) == std::vector<fs::path>{run / ".partial-12"});
}

TEST_CASE("report_stream: samples in batches give the report written whole, and continue", "[unit][sonata]") {
    test::temp_dir tmp;
    state_trace shape;
    shape.recorder = "vm";
    shape.neurons = {4, 1, 7};
    shape.variables = {"V_m", "I_syn"};
    shape.units = {"mV", "pA"};
    shape.dt_ms = 0.5;
    shape.data.resize(2);
    auto batch = [&](std::size_t first, std::size_t n) {
        state_trace b = shape;
        b.n_samples = n;
        for (std::size_t v = 0; v < 2; ++v)
            for (std::size_t k = 0; k < n * 3; ++k) b.data[v].push_back(static_cast<double>(v * 1000 + first * 3 + k) * 0.25);
        return b;
    };
    io::output_position at;
    {
        io::report_stream s(shape, 1, "E", tmp / "r.h5");
        s.append(batch(0, 5));
        s.append(batch(5, 0));
        at = s.position();
        s.append(batch(5, 2));  // after the checkpoint: cut off
        s.close();
    }
    {
        io::report_stream s(shape, 1, "E", tmp / "r.h5", at, "r.h5");
        s.append(batch(5, 4));
        s.close();
    }
    const state_trace whole = batch(0, 9);
    io::write_report(tmp / "whole.h5", {"E", "I_syn", "pA", shape.neurons, 0.0, 4.5, 0.5, 9, whole.data[1]});
    for (const char* d : {"/report/E/data", "/report/E/mapping/node_ids", "/report/E/mapping/index_pointers",
                          "/report/E/mapping/time"}) {
        INFO(d);
        CHECK(dataset(tmp / "r.h5", d) == dataset(tmp / "whole.h5", d));
    }
    REQUIRE(dataset(tmp / "r.h5", "/report/E/data").first == std::vector<hsize_t>{9, 3});
}
