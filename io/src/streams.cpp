#include <myelin/io/streams.hpp>

#include <myelin/formats/h5.hpp>

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

// Bytes per dataset chunk: 64 kB, so that small files stay small.
constexpr std::size_t chunk_bytes = 65536;

// A dataset that grows by rows of `width` values of type `mem`, and the CRC-32 of its rows.
struct tracked {
    h5::handle d;
    hid_t mem = -1;
    std::size_t row_bytes = 0;
    boost::crc_32_type crc;
    std::uint64_t rows = 0;

    void append(const void* data, std::size_t n) {
        h5::append(d.get(), mem, data, n);
        crc.process_bytes(data, n * row_bytes);
        rows += n;
    }
    // Reads rows [0, n) in parts of bounded size.
    void read(std::uint64_t n, const std::function<void(const void*, std::size_t)>& part) const {
        const std::size_t per = std::max<std::size_t>(1, chunk_bytes / row_bytes);
        std::vector<unsigned char> buffer(per * row_bytes);
        for (std::uint64_t first = 0; first < n; first += per) {
            const auto k = static_cast<std::size_t>(std::min<std::uint64_t>(per, n - first));
            h5::read_range(d.get(), mem, first, k, buffer.data());
            part(buffer.data(), k);
        }
    }
};

}  // namespace

struct output_stream::impl {
    std::string name;
    h5::handle file;
    std::vector<tracked> data;

    tracked& create(hid_t parent, const std::string& dataset, hid_t file_type, hid_t mem, std::size_t value_bytes,
                    std::size_t width = 0) {
        tracked t;
        t.row_bytes = value_bytes * std::max<std::size_t>(1, width);
        t.d = h5::create_growing(parent, dataset, file_type, std::max<std::size_t>(1, chunk_bytes / t.row_bytes), width);
        t.mem = mem;
        data.push_back(std::move(t));
        return data.back();
    }
    // The dataset as the checkpoint's run left it: its first at.rows[k] rows checked
    // against at.crc[k], the rest cut off.
    void reopen(hid_t parent, const std::string& dataset, hid_t mem, std::size_t row_bytes, const output_position& at,
                const std::string& shown_as) {
        const std::size_t k = data.size();
        if (k >= at.rows.size() || at.crc.size() != at.rows.size())
            throw input_error(shown_as, "", "the checkpoint's record of this file does not fit this network");
        tracked t;
        t.d = h5::open_dataset(parent, dataset);
        t.mem = mem;
        t.row_bytes = row_bytes;
        const std::uint64_t have = h5::length(t.d.get());
        if (have < at.rows[k])
            throw input_error(shown_as, "", fmt::format("{} holds {} rows; the checkpoint was taken after {}", dataset,
                                                        have, at.rows[k]));
        t.read(at.rows[k], [&](const void* p, std::size_t n) { t.crc.process_bytes(p, n * row_bytes); });
        if (t.crc.checksum() != at.crc[k])
            throw input_error(shown_as, "", fmt::format("{}: its first {} rows are not those the checkpoint's run wrote "
                                                        "(checksums differ): the file is of another run",
                                                        dataset, at.rows[k]));
        h5::resize(t.d.get(), at.rows[k]);
        t.rows = at.rows[k];
        data.push_back(std::move(t));
    }
    void flush() const { h5::check(H5Fflush(file.get(), H5F_SCOPE_GLOBAL), "flush " + name); }
};

output_stream::output_stream(std::string name) : impl_(std::make_unique<impl>()) { impl_->name = std::move(name); }
output_stream::~output_stream() = default;

output_position output_stream::position() {
    impl_->flush();
    output_position at{impl_->name, {}, {}};
    for (const auto& t : impl_->data) {
        at.rows.push_back(t.rows);
        at.crc.push_back(t.crc.checksum());
    }
    return at;
}

// ---- spikes: per population, timestamps then node_ids ----

spike_stream::spike_stream(const spike_layout& layout, const fs::path& path) : output_stream(path.filename().string()) {
    impl_->file = h5::create_file(path.string(), true);
    const hid_t f = impl_->file.get();
    h5::write_attribute(f, "magic", std::uint64_t{0x0A7A});
    h5::write_attribute(f, "version", std::vector<std::uint32_t>{0, 1});
    h5::handle root = h5::create_group(f, "spikes");
    for (const auto& p : layout.empty_file().populations) {
        h5::handle g = h5::create_group(root.get(), p.name);
        h5::write_sorting(g.get(), static_cast<int>(p.sorting));
        h5::write_attribute(g.get(), "n_nodes", *p.n_nodes);
        auto& t = impl_->create(g.get(), "timestamps", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, sizeof(double));
        h5::write_attribute(t.d.get(), "units", std::string("ms"));
        impl_->create(g.get(), "node_ids", H5T_STD_U64LE, H5T_NATIVE_UINT64, sizeof(std::uint64_t));
    }
}

spike_stream::spike_stream(const spike_layout& layout, const fs::path& path, const output_position& at,
                           const std::string& shown_as)
    : output_stream(path.filename().string()) {
    try {
        impl_->file = h5::open_file_readwrite(path.string());
        h5::handle root = h5::open_group(impl_->file.get(), "spikes");
        for (const auto& p : layout.empty_file().populations) {
            if (!h5::exists(root.get(), p.name)) throw input_error(shown_as, "", fmt::format("has no population /spikes/{}", p.name));
            h5::handle g = h5::open_group(root.get(), p.name);
            const std::string base = "/spikes/" + p.name + "/";
            impl_->reopen(g.get(), base + "timestamps", H5T_NATIVE_DOUBLE, sizeof(double), at, shown_as);
            impl_->reopen(g.get(), base + "node_ids", H5T_NATIVE_UINT64, sizeof(std::uint64_t), at, shown_as);
        }
        if (impl_->data.size() != at.rows.size())
            throw input_error(shown_as, "", "the checkpoint's record of this file does not fit this network");
        for (const char* a : {"t_start", "t_stop", "incomplete"}) h5::remove_attribute(root.get(), a);
    } catch (const h5::error& e) {
        throw input_error(shown_as, "", fmt::format("cannot be continued as a SONATA spike file: {}", e.what()));
    }
}

void spike_stream::append(const spike_file& batch) {
    if (2 * batch.populations.size() != impl_->data.size()) throw std::logic_error("spike_stream: batch of another layout");
    for (std::size_t q = 0; q < batch.populations.size(); ++q) {
        const auto& p = batch.populations[q];
        impl_->data[2 * q].append(p.timestamps_ms.data(), p.timestamps_ms.size());
        impl_->data[2 * q + 1].append(p.node_ids.data(), p.node_ids.size());
    }
}

void spike_stream::read_back(const std::function<void(std::size_t, const spike_population&)>& seen) const {
    spike_population part;
    for (std::size_t q = 0; 2 * q < impl_->data.size(); ++q) {
        const auto& t = impl_->data[2 * q];
        const auto& id = impl_->data[2 * q + 1];
        std::uint64_t first = 0;
        t.read(t.rows, [&](const void* p, std::size_t n) {
            const auto* times = static_cast<const double*>(p);
            part.timestamps_ms.assign(times, times + n);
            part.node_ids.resize(n);
            h5::read_range(id.d.get(), H5T_NATIVE_UINT64, first, n, part.node_ids.data());
            first += n;
            seen(q, part);
        });
    }
}

void spike_stream::close(double t_stop_ms, const std::optional<std::string>& incomplete) {
    {
        h5::handle root = h5::open_group(impl_->file.get(), "spikes");
        h5::write_attribute(root.get(), "t_start", 0.0);
        h5::write_attribute(root.get(), "t_stop", t_stop_ms);
        if (incomplete) h5::write_attribute(root.get(), "incomplete", *incomplete);
    }
    impl_->data.clear();
    impl_->flush();
    impl_->file = h5::handle();
}

// ---- reports ----

report_stream::report_stream(const state_trace& shape, std::size_t variable, const std::string& population,
                             const fs::path& path)
    : output_stream(path.filename().string()), variable_(variable), node_ids_(shape.neurons), dt_ms_(shape.dt_ms) {
    impl_->file = h5::create_file(path.string(), true);
    h5::handle root = h5::create_group(impl_->file.get(), "report");
    h5::handle g = h5::create_group(root.get(), population);
    auto& d = impl_->create(g.get(), "data", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, sizeof(double), node_ids_.size());
    h5::write_attribute(d.d.get(), "units", shape.units[variable]);
    h5::write_attribute(d.d.get(), "variable", shape.variables[variable]);
}

report_stream::report_stream(const state_trace& shape, std::size_t variable, const std::string& population,
                             const fs::path& path, const output_position& at, const std::string& shown_as)
    : output_stream(path.filename().string()), variable_(variable), node_ids_(shape.neurons), dt_ms_(shape.dt_ms) {
    try {
        impl_->file = h5::open_file_readwrite(path.string());
        impl_->reopen(impl_->file.get(), "/report/" + population + "/data", H5T_NATIVE_DOUBLE,
                      sizeof(double) * node_ids_.size(), at, shown_as);
        h5::handle g = h5::open_group(impl_->file.get(), "report/" + population);
        if (h5::exists(g.get(), "mapping")) h5::check(H5Ldelete(g.get(), "mapping", H5P_DEFAULT), "remove mapping");
    } catch (const h5::error& e) {
        throw input_error(shown_as, "", fmt::format("cannot be continued as a SONATA report: {}", e.what()));
    }
}

void report_stream::append(const state_trace& batch) {
    if (batch.n_samples > 0) impl_->data[0].append(batch.data[variable_].data(), batch.n_samples);
}

void report_stream::close() {
    const std::size_t n = node_ids_.size();
    const auto samples = static_cast<double>(impl_->data[0].rows);
    {
        h5::handle g = h5::open_group(impl_->file.get(), "report");
        h5::handle pop = h5::open_group(g.get(), h5::children(g.get()).at(0));
        h5::handle m = h5::create_group(pop.get(), "mapping");
        h5::write_dataset(m.get(), "node_ids", node_ids_);
        std::vector<std::uint64_t> pointers(n + 1);
        for (std::size_t i = 0; i <= n; ++i) pointers[i] = i;  // one element (the soma) per node
        h5::write_dataset(m.get(), "index_pointers", pointers);
        h5::write_dataset(m.get(), "element_ids", std::vector<std::uint32_t>(n, 0));
        h5::write_dataset(m.get(), "time", std::vector<double>{0.0, dt_ms_ * samples, dt_ms_});
        h5::handle time = h5::open_dataset(m.get(), "time");
        h5::write_attribute(time.get(), "units", std::string("ms"));
    }
    impl_->data.clear();
    impl_->flush();
    impl_->file = h5::handle();
}

// ---- weights ----

weight_stream::weight_stream(const network_spec& spec, std::size_t recorder, const fs::path& path)
    : output_stream(path.filename().string()), spec_(&spec), recorder_(recorder), path_(path) {}

// Datasets tracked, in this order: snapshots/time, snapshots/data (if there are synapses),
// events/time, source, target, weight.
void weight_stream::create(std::size_t synapses) {
    const auto& wr = spec_->weight_recorders[recorder_];
    const auto& proj = spec_->projections[wr.projection];
    impl_->file = h5::create_file(path_.string(), true);
    h5::handle g = h5::create_group(impl_->file.get(), "weights");
    h5::write_attribute(g.get(), "projection", static_cast<std::uint64_t>(wr.projection));
    h5::write_attribute(g.get(), "source", spec_->populations[proj.source].name);
    h5::write_attribute(g.get(), "target", spec_->populations[proj.target].name);
    h5::write_attribute(g.get(), "synapse", proj.synapse ? proj.synapse->name : std::string("static"));
    h5::write_attribute(g.get(), "units", spec_->populations[proj.target].model->weight_unit);
    h5::handle snap = h5::create_group(g.get(), "snapshots");
    impl_->create(snap.get(), "time", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, sizeof(double));
    if (synapses > 0) impl_->create(snap.get(), "data", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, sizeof(double), synapses);
    h5::handle ev = h5::create_group(g.get(), "events");
    impl_->create(ev.get(), "time", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, sizeof(double));
    impl_->create(ev.get(), "source", H5T_STD_U64LE, H5T_NATIVE_UINT64, sizeof(std::uint64_t));
    impl_->create(ev.get(), "target", H5T_STD_U64LE, H5T_NATIVE_UINT64, sizeof(std::uint64_t));
    impl_->create(ev.get(), "weight", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, sizeof(double));
    synapses_ = synapses;
}

weight_stream::weight_stream(const network_spec& spec, std::size_t recorder, const fs::path& path,
                             const output_position& at, const std::string& shown_as)
    : output_stream(path.filename().string()), spec_(&spec), recorder_(recorder), path_(path) {
    try {
        impl_->file = h5::open_file_readwrite(path.string());
        const hid_t f = impl_->file.get();
        const std::size_t width = at.rows.size() == 6 ? h5::shape(f, "/weights/snapshots/data").at(1) : 0;
        impl_->reopen(f, "/weights/snapshots/time", H5T_NATIVE_DOUBLE, sizeof(double), at, shown_as);
        if (width > 0) impl_->reopen(f, "/weights/snapshots/data", H5T_NATIVE_DOUBLE, sizeof(double) * width, at, shown_as);
        impl_->reopen(f, "/weights/events/time", H5T_NATIVE_DOUBLE, sizeof(double), at, shown_as);
        impl_->reopen(f, "/weights/events/source", H5T_NATIVE_UINT64, sizeof(std::uint64_t), at, shown_as);
        impl_->reopen(f, "/weights/events/target", H5T_NATIVE_UINT64, sizeof(std::uint64_t), at, shown_as);
        impl_->reopen(f, "/weights/events/weight", H5T_NATIVE_DOUBLE, sizeof(double), at, shown_as);
        if (impl_->data.size() != at.rows.size())
            throw input_error(shown_as, "", "the checkpoint's record of this file does not fit this network");
        synapses_ = width;
        h5::handle g = h5::open_group(f, "weights");
        for (const char* d : {"source", "target"})
            if (h5::exists(g.get(), d)) h5::check(H5Ldelete(g.get(), d, H5P_DEFAULT), "remove the synapse list");
        h5::handle snap = h5::open_group(g.get(), "snapshots");
        if (width == 0 && h5::exists(snap.get(), "data")) h5::check(H5Ldelete(snap.get(), "data", H5P_DEFAULT), "remove data");
    } catch (const h5::error& e) {
        throw input_error(shown_as, "", fmt::format("cannot be continued as a Myelin weights file: {}", e.what()));
    }
}

void weight_stream::append(const weight_record& batch) {
    if (!synapses_) create(batch.source.size());
    if (source_.empty() && !batch.source.empty()) {
        source_ = batch.source;
        target_ = batch.target;
    }
    const std::vector<double> weights(batch.weights.begin(), batch.weights.end());
    const std::vector<double> event_weights(batch.event_weight.begin(), batch.event_weight.end());
    std::size_t k = 0;
    impl_->data[k++].append(batch.times_ms.data(), batch.times_ms.size());
    if (*synapses_ > 0) impl_->data[k++].append(weights.data(), batch.times_ms.size());
    impl_->data[k++].append(batch.event_time_ms.data(), batch.event_time_ms.size());
    impl_->data[k++].append(batch.event_source.data(), batch.event_source.size());
    impl_->data[k++].append(batch.event_target.data(), batch.event_target.size());
    impl_->data[k++].append(event_weights.data(), event_weights.size());
}

void weight_stream::close() {
    if (!synapses_) create(0);
    {
        h5::handle g = h5::open_group(impl_->file.get(), "weights");
        h5::write_dataset(g.get(), "source", source_);
        h5::write_dataset(g.get(), "target", target_);
        if (*synapses_ == 0) {  // no synapse recorded: the snapshots' data has no columns
            h5::handle snap = h5::open_group(g.get(), "snapshots");
            h5::write_matrix(snap.get(), "data", {}, static_cast<std::size_t>(impl_->data[0].rows), 0);
        }
    }
    impl_->data.clear();
    impl_->flush();
    impl_->file = h5::handle();
}

void continue_output(const output_position& at, const fs::path& checkpoint, const fs::path& to,
                     const std::function<void(const std::string&)>& open) {
    const fs::path folder = fs::absolute(checkpoint).parent_path();
    std::vector<fs::path> places{folder / at.file};
    for (const auto& staging : output_dir::leftover_staging(folder)) places.push_back(staging / at.file);
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
            open(place.string());
            return;
        } catch (const input_error& e) {
            refused += fmt::format("\n  {}: {}", place.string(), e.detail());
            fs::remove(to, ec);
        }
    }
    throw input_error(checkpoint.string(), "",
                      fmt::format("this checkpoint continues the file {} of its run as it was when the checkpoint was "
                                  "taken, and none of the places it may be holds that:{}\nput that run's {} beside the "
                                  "checkpoint, or run from the start",
                                  at.file, refused, at.file));
}

}  // namespace myelin::io
