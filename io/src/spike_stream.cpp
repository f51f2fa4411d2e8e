#include <myelin/io/spike_stream.hpp>

#include "h5.hpp"

#include <myelin/core/error.hpp>
#include <myelin/io/output_dir.hpp>

#include <boost/crc.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <numeric>

namespace myelin::io {

namespace fs = std::filesystem;

spike_layout::spike_layout(const network_spec& spec)
    : spec_(&spec), h_(spec.simulation.resolution_ms), first_gid_(spec.populations.size() + 1, 0),
      slot_(spec.populations.size(), SIZE_MAX) {
    const std::size_t P = spec.populations.size();
    for (std::size_t p = 0; p < P; ++p) first_gid_[p + 1] = first_gid_[p] + spec.populations[p].n;
    if (!spec.spikes) return;
    auto out_name = [&](std::size_t p) {
        return spec.populations[p].output_population.empty() ? spec.populations[p].name : spec.populations[p].output_population;
    };
    for (auto p : spec.spikes->populations) {
        if (slot_[p] != SIZE_MAX) continue;
        for (std::size_t q = 0; q < empty_.populations.size(); ++q)
            if (empty_.populations[q].name == out_name(p)) slot_[p] = q;
        if (slot_[p] == SIZE_MAX) {
            slot_[p] = empty_.populations.size();
            empty_.populations.push_back({out_name(p), {}, {}, 0, spike_sorting::by_time});
        }
    }
    for (std::size_t p = 0; p < P; ++p) {  // sizes: every neuron written there
        if (slot_[p] == SIZE_MAX) continue;
        auto& n = *empty_.populations[slot_[p]].n_nodes;
        for (std::size_t q = 0; q < P; ++q) {
            if (out_name(q) != out_name(p)) continue;
            for (auto id : spec.populations[q].output_ids) n = std::max<std::uint64_t>(n, id + 1);
            if (spec.populations[q].output_ids.empty()) n = std::max<std::uint64_t>(n, spec.populations[q].n);
        }
    }
}

spike_file spike_layout::empty_file() const { return empty_; }

// In (step, gid) order, spikes of populations that share a file population arrive in
// time order already: no sort is needed.
spike_file spike_layout::convert(const std::vector<spike>& spikes) const {
    spike_file out = empty_;
    for (const spike& s : spikes) {
        const auto p = static_cast<std::size_t>(std::upper_bound(first_gid_.begin(), first_gid_.end(), s.gid) -
                                                first_gid_.begin() - 1);
        if (slot_[p] == SIZE_MAX) continue;
        auto& pop = out.populations[slot_[p]];
        const auto local = s.gid - first_gid_[p];
        const auto& ids = spec_->populations[p].output_ids;
        pop.timestamps_ms.push_back(static_cast<double>(s.step + 1) * h_);
        pop.node_ids.push_back(ids.empty() ? local : ids[local]);
    }
    return out;
}

namespace {

constexpr std::size_t chunk_rows = 8192;  // 64 kB per dataset chunk: small files stay small

struct population_datasets {
    h5::handle group, timestamps, node_ids;
    boost::crc_32_type crc_t, crc_id;
    std::uint64_t rows = 0;
};

}  // namespace

struct spike_stream::impl {
    fs::path path;
    h5::handle file, root;
    std::vector<population_datasets> pops;
};

spike_stream::spike_stream(const spike_layout& layout, const fs::path& path) : impl_(std::make_unique<impl>()) {
    impl_->path = path;
    impl_->file = h5::create_file(path.string());
    const hid_t f = impl_->file.get();
    h5::write_attribute(f, "magic", std::uint64_t{0x0A7A});
    h5::write_attribute(f, "version", std::vector<std::uint32_t>{0, 1});
    impl_->root = h5::create_group(f, "spikes");
    for (const auto& p : layout.empty_file().populations) {
        population_datasets d;
        d.group = h5::create_group(impl_->root.get(), p.name);
        h5::write_sorting(d.group.get(), static_cast<int>(p.sorting));
        h5::write_attribute(d.group.get(), "n_nodes", *p.n_nodes);
        d.timestamps = h5::create_growing(d.group.get(), "timestamps", H5T_IEEE_F64LE, chunk_rows);
        h5::write_attribute(d.timestamps.get(), "units", std::string("ms"));
        d.node_ids = h5::create_growing(d.group.get(), "node_ids", H5T_STD_U64LE, chunk_rows);
        impl_->pops.push_back(std::move(d));
    }
}

spike_stream::spike_stream(const spike_layout& layout, const fs::path& path, const spike_file_position& at,
                           const std::string& shown_as)
    : impl_(std::make_unique<impl>()) {
    impl_->path = path;
    auto refuse = [&](const std::string& why) { throw input_error(shown_as, "", why); };
    try {
        impl_->file = h5::open_file_readwrite(path.string());
        impl_->root = h5::open_group(impl_->file.get(), "spikes");
        const auto expected = layout.empty_file().populations;
        if (expected.size() != at.rows.size() || at.crc.size() != 2 * at.rows.size())
            refuse("the checkpoint's spike file position does not fit this network");
        std::vector<double> t;
        std::vector<std::uint64_t> id;
        for (std::size_t q = 0; q < expected.size(); ++q) {
            const std::string& name = expected[q].name;
            if (!h5::exists(impl_->root.get(), name)) refuse(fmt::format("has no population /spikes/{}", name));
            population_datasets d;
            d.group = h5::open_group(impl_->root.get(), name);
            d.timestamps = h5::open_dataset(d.group.get(), "timestamps");
            d.node_ids = h5::open_dataset(d.group.get(), "node_ids");
            const std::uint64_t have = std::min(h5::length(d.timestamps.get()), h5::length(d.node_ids.get()));
            if (have < at.rows[q])
                refuse(fmt::format("/spikes/{} holds {} spikes; the checkpoint was taken after {}", name, have, at.rows[q]));
            for (std::uint64_t first = 0; first < at.rows[q]; first += chunk_rows) {
                const std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(chunk_rows, at.rows[q] - first));
                t.resize(n);
                id.resize(n);
                h5::read_range(d.timestamps.get(), H5T_NATIVE_DOUBLE, first, n, t.data());
                h5::read_range(d.node_ids.get(), H5T_NATIVE_UINT64, first, n, id.data());
                d.crc_t.process_bytes(t.data(), n * sizeof(double));
                d.crc_id.process_bytes(id.data(), n * sizeof(std::uint64_t));
            }
            if (d.crc_t.checksum() != at.crc[2 * q] || d.crc_id.checksum() != at.crc[2 * q + 1])
                refuse(fmt::format("/spikes/{}: its first {} spikes are not those the checkpoint's run wrote "
                                   "(checksums differ): the file is of another run",
                                   name, at.rows[q]));
            h5::resize(d.timestamps.get(), at.rows[q]);
            h5::resize(d.node_ids.get(), at.rows[q]);
            d.rows = at.rows[q];
            impl_->pops.push_back(std::move(d));
        }
        for (const char* a : {"t_start", "t_stop", "incomplete"}) h5::remove_attribute(impl_->root.get(), a);
    } catch (const h5::error& e) {
        refuse(fmt::format("cannot be continued as a SONATA spike file: {}", e.what()));
    }
}

spike_stream::~spike_stream() = default;

void spike_stream::append(const spike_file& batch) {
    if (batch.populations.size() != impl_->pops.size()) throw std::logic_error("spike_stream: batch of another layout");
    for (std::size_t q = 0; q < batch.populations.size(); ++q) {
        const auto& p = batch.populations[q];
        auto& d = impl_->pops[q];
        const std::size_t n = p.timestamps_ms.size();
        if (n == 0) continue;
        h5::append(d.timestamps.get(), H5T_NATIVE_DOUBLE, p.timestamps_ms.data(), n);
        h5::append(d.node_ids.get(), H5T_NATIVE_UINT64, p.node_ids.data(), n);
        d.crc_t.process_bytes(p.timestamps_ms.data(), n * sizeof(double));
        d.crc_id.process_bytes(p.node_ids.data(), n * sizeof(std::uint64_t));
        d.rows += n;
    }
}

spike_file_position spike_stream::position() {
    h5::check(H5Fflush(impl_->file.get(), H5F_SCOPE_GLOBAL), "flush " + impl_->path.string());
    spike_file_position at;
    for (const auto& d : impl_->pops) {
        at.rows.push_back(d.rows);
        at.crc.push_back(d.crc_t.checksum());
        at.crc.push_back(d.crc_id.checksum());
    }
    return at;
}

void spike_stream::read_back(const std::function<void(std::size_t, const spike_population&)>& seen) const {
    spike_population part;
    for (std::size_t q = 0; q < impl_->pops.size(); ++q) {
        const auto& d = impl_->pops[q];
        for (std::uint64_t first = 0; first < d.rows; first += chunk_rows) {
            const std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(chunk_rows, d.rows - first));
            part.timestamps_ms.resize(n);
            part.node_ids.resize(n);
            h5::read_range(d.timestamps.get(), H5T_NATIVE_DOUBLE, first, n, part.timestamps_ms.data());
            h5::read_range(d.node_ids.get(), H5T_NATIVE_UINT64, first, n, part.node_ids.data());
            seen(q, part);
        }
    }
}

void spike_stream::close(double t_stop_ms, const std::optional<std::string>& incomplete) {
    const hid_t root = impl_->root.get();
    h5::write_attribute(root, "t_start", 0.0);
    h5::write_attribute(root, "t_stop", t_stop_ms);
    if (incomplete) h5::write_attribute(root, "incomplete", *incomplete);
    impl_->pops.clear();
    impl_->root = h5::handle();
    h5::check(H5Fflush(impl_->file.get(), H5F_SCOPE_GLOBAL), "flush " + impl_->path.string());
    impl_->file = h5::handle();
}

std::unique_ptr<spike_stream> continue_spike_file(const spike_layout& layout, const spike_file_position& at,
                                                  const fs::path& checkpoint, const std::string& name, const fs::path& to) {
    const fs::path folder = fs::absolute(checkpoint).parent_path();
    std::vector<fs::path> places{folder / name};
    for (const auto& staging : output_dir::leftover_staging(folder)) places.push_back(staging / name);
    std::string refused;
    std::error_code ec;
    for (const fs::path& place : places) {
        if (!fs::is_regular_file(place, ec)) {
            refused += fmt::format("\n  {}: not there", place.string());
            continue;
        }
        fs::copy_file(place, to, fs::copy_options::overwrite_existing, ec);
        if (ec) {
            refused += fmt::format("\n  {}: cannot be copied into the output folder: {}", place.string(), ec.message());
            continue;
        }
        try {
            return std::make_unique<spike_stream>(layout, to, at, place.string());
        } catch (const input_error& e) {
            refused += fmt::format("\n  {}: {}", place.string(), e.detail());
            fs::remove(to, ec);
        }
    }
    std::uint64_t spikes = 0;
    for (auto r : at.rows) spikes += r;
    throw input_error(checkpoint.string(), "",
                      fmt::format("this checkpoint continues a spike file that held {} spikes when it was taken, and "
                                  "none of the places it may be holds them:{}\nput that run's spikes.h5 beside the "
                                  "checkpoint, or run from the start",
                                  spikes, refused));
}

}  // namespace myelin::io
