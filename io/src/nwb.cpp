#include <myelin/core/error.hpp>
#include <myelin/io/nwb.hpp>

#include <myelin/formats/h5.hpp>

#include <fmt/chrono.h>
#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cstdlib>
#include <random>

namespace myelin::io {

std::vector<std::string> nwb_table::column_text(const std::string& name) const {
    if (auto t = text.find(name); t != text.end()) return t->second;
    const auto& v = numbers.at(name);
    std::vector<std::string> out;
    out.reserve(v.size());
    for (double x : v) out.push_back(fmt::format("{}", x));
    return out;
}

namespace {

// Reads the id and the one-value-per-row columns of a DynamicTable group. Ragged columns
// (those with a NAME_index), multi-dimensional ones and `skip` are left out.
nwb_table read_table(hid_t group, const std::string& where, const std::vector<std::string>& skip, std::size_t rows_hint) {
    nwb_table t;
    const auto names = h5::children(group);
    auto has = [&](const std::string& n) { return std::find(names.begin(), names.end(), n) != names.end(); };
    std::size_t rows = rows_hint;
    if (has("id")) {
        for (double v : h5::read_numbers(group, "id")) t.ids.push_back(static_cast<std::int64_t>(v));
        rows = t.ids.size();
    }
    for (const auto& n : names) {
        if (n == "id" || std::find(skip.begin(), skip.end(), n) != skip.end() || h5::is_group(group, n)) continue;
        if (n.size() > 6 && n.ends_with("_index")) continue;
        if (has(n + "_index")) continue;
        const auto shape = h5::shape(group, n);
        if (shape.size() != 1) continue;
        if (rows == std::size_t(-1)) rows = shape[0];
        if (shape[0] != rows)
            throw h5::error(fmt::format("{}/{} has {} values for {} rows", where, n, shape[0], rows));
        if (h5::holds_strings(group, n))
            t.text[n] = h5::read_strings(group, n);
        else
            t.numbers[n] = h5::read_numbers(group, n);
    }
    if (t.ids.empty() && rows != std::size_t(-1))
        for (std::size_t i = 0; i < rows; ++i) t.ids.push_back(static_cast<std::int64_t>(i));
    return t;
}

std::optional<nwb_table> read_intervals(hid_t file, const std::string& name) {
    const std::string where = "/intervals/" + name;
    if (!h5::exists(file, "intervals/" + name)) return std::nullopt;
    h5::handle g = h5::open_group(file, "intervals/" + name);
    for (const char* c : {"start_time", "stop_time"})
        if (!h5::exists(g.get(), c)) throw h5::error(fmt::format("{} has no {} column", where, c));
    return read_table(g.get(), where, {}, std::size_t(-1));
}

// The source of the object ids of the file being written (write_nwb seeds it).
thread_local std::mt19937_64 object_ids;

std::string uuid4() {
    std::mt19937_64& gen = object_ids;
    const std::uint64_t hi = (gen() & 0xffffffffffff0fffULL) | 0x4000ULL, lo = (gen() & 0x3fffffffffffffffULL) | 0x8000000000000000ULL;
    return fmt::format("{:08x}-{:04x}-{:04x}-{:04x}-{:012x}", hi >> 32, (hi >> 16) & 0xffff, hi & 0xffff, lo >> 48,
                       lo & 0xffffffffffffULL);
}

void typed(hid_t object, const char* type, const char* ns) {
    h5::write_attribute(object, "neurodata_type", type);
    h5::write_attribute(object, "namespace", ns);
    h5::write_attribute(object, "object_id", uuid4());
}

void vector_data(hid_t table, const std::string& name, const std::string& description) {
    h5::handle d(h5::check(H5Dopen2(table, name.c_str(), H5P_DEFAULT), "open " + name), H5Dclose);
    typed(d.get(), "VectorData", "hdmf-common");
    h5::write_attribute(d.get(), "description", description);
}

void element_ids(hid_t table, const std::vector<std::int64_t>& ids) {
    h5::write_dataset(table, "id", ids);
    h5::handle d(h5::check(H5Dopen2(table, "id", H5P_DEFAULT), "open id"), H5Dclose);
    typed(d.get(), "ElementIdentifiers", "hdmf-common");
}

}  // namespace

nwb_file read_nwb(const std::filesystem::path& path) {
    const std::string name = path.string();
    auto bad = [&](const std::string& what) { return input_error(name, "", what); };
    if (!std::filesystem::exists(path)) throw bad("no such file");
    nwb_file out;
    try {
        h5::handle file = h5::open_file_readonly(name);
        if (!h5::has_attribute(file.get(), "nwb_version"))
            throw bad("not an NWB file: the root group has no nwb_version attribute");
        out.nwb_version = h5::read_string_attribute(file.get(), "nwb_version");
        if (!out.nwb_version.starts_with("2."))
            throw bad(fmt::format("NWB version {} is not supported (allowed: 2.x)", out.nwb_version));
        if (h5::exists(file.get(), "identifier")) out.identifier = h5::read_string(file.get(), "identifier");
        if (h5::exists(file.get(), "session_description"))
            out.session_description = h5::read_string(file.get(), "session_description");
        if (h5::exists(file.get(), "units")) {
            h5::handle units = h5::open_group(file.get(), "units");
            const bool has_times = h5::exists(units.get(), "spike_times");
            if (has_times != h5::exists(units.get(), "spike_times_index"))
                throw bad("/units has spike_times without spike_times_index or the other way round");
            std::vector<double> index, times;
            if (has_times) {
                times = h5::read_numbers(units.get(), "spike_times");
                index = h5::read_numbers(units.get(), "spike_times_index");
            }
            out.units.table = read_table(units.get(), "/units", {"spike_times"}, has_times ? index.size() : std::size_t(-1));
            if (has_times && out.units.table.rows() != index.size())
                throw bad(fmt::format("/units: {} ids but {} entries in spike_times_index", out.units.table.rows(),
                                      index.size()));
            double previous = 0.0;
            for (std::size_t u = 0; u < index.size(); ++u) {
                if (index[u] < previous || index[u] > static_cast<double>(times.size()))
                    throw bad(fmt::format("/units/spike_times_index[{}] = {} is not within {} .. {} (spike_times has {})",
                                          u, index[u], previous, times.size(), times.size()));
                std::vector<double> t(times.begin() + static_cast<std::ptrdiff_t>(previous),
                                      times.begin() + static_cast<std::ptrdiff_t>(index[u]));
                std::sort(t.begin(), t.end());
                out.units.spike_times_s.push_back(std::move(t));
                previous = index[u];
            }
            out.units.spike_times_s.resize(out.units.table.rows());
        }
        out.trials = read_intervals(file.get(), "trials");
        out.epochs = read_intervals(file.get(), "epochs");
    } catch (const h5::error& e) {
        throw bad(fmt::format("cannot read as an NWB file: {}", e.what()));
    }
    return out;
}

std::chrono::sys_seconds creation_time() {
    const char* fixed = std::getenv("SOURCE_DATE_EPOCH");
    if (!fixed || !*fixed) return std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
    const std::string text = fixed;
    std::int64_t seconds = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), seconds);
    if (ec != std::errc() || end != text.data() + text.size() || seconds < 0)
        throw input_error("", "SOURCE_DATE_EPOCH",
                          fmt::format("'{}'; must be a whole number of seconds since 1970-01-01 UTC", text));
    return std::chrono::sys_seconds(std::chrono::seconds(seconds));
}

void write_nwb(const std::filesystem::path& path, const spike_file& spikes, const std::string& identifier,
               const std::string& session_description) {
    // One unit per neuron, silent ones included, in population order.
    std::vector<std::int64_t> ids, node_ids;
    std::vector<std::string> population;
    std::vector<double> times;
    std::vector<std::uint64_t> index;
    for (const auto& p : spikes.populations) {
        std::uint64_t n = p.n_nodes.value_or(0);
        for (auto id : p.node_ids) n = std::max(n, id + 1);
        std::vector<std::vector<double>> per(n);
        for (std::size_t k = 0; k < p.node_ids.size(); ++k) per[p.node_ids[k]].push_back(p.timestamps_ms[k] / 1000.0);
        for (std::uint64_t i = 0; i < n; ++i) {
            std::sort(per[i].begin(), per[i].end());
            times.insert(times.end(), per[i].begin(), per[i].end());
            index.push_back(times.size());
            ids.push_back(static_cast<std::int64_t>(ids.size()));
            node_ids.push_back(static_cast<std::int64_t>(i));
            population.push_back(p.name);
        }
    }
    const auto created = creation_time();
    const std::string stamp = fmt::format("{:%Y-%m-%dT%H:%M:%S}+00:00", created);
    // Object ids are random UUIDs; with a fixed date (SOURCE_DATE_EPOCH) they are drawn from
    // the date and the identifier, so that the file's bytes are reproducible too.
    if (std::getenv("SOURCE_DATE_EPOCH")) {
        const auto t = static_cast<std::uint64_t>(created.time_since_epoch().count());
        std::vector<std::uint32_t> words(identifier.begin(), identifier.end());
        words.push_back(static_cast<std::uint32_t>(t));
        words.push_back(static_cast<std::uint32_t>(t >> 32));
        std::seed_seq seed(words.begin(), words.end());
        object_ids.seed(seed);
    } else {
        std::random_device device;
        object_ids.seed((static_cast<std::uint64_t>(device()) << 32) ^ device());
    }

    atomic_file out(path);
    {
        h5::handle file = h5::create_file(out.temporary().string());
        const hid_t f = file.get();
        typed(f, "NWBFile", "core");
        h5::write_attribute(f, "nwb_version", "2.7.0");
        h5::write_strings(f, "file_create_date", {stamp});
        h5::write_string(f, "identifier", identifier);
        h5::write_string(f, "session_description", session_description);
        h5::write_string(f, "session_start_time", stamp);
        h5::write_string(f, "timestamps_reference_time", stamp);
        for (const char* g : {"acquisition", "analysis", "processing", "stimulus", "stimulus/presentation",
                              "stimulus/templates", "general", "intervals"})
            h5::create_group(f, g);
        {
            h5::handle units = h5::create_group(f, "units");
            typed(units.get(), "Units", "core");
            h5::write_attribute(units.get(), "description", "Spikes of every simulated neuron; one unit per neuron");
            h5::write_attribute(units.get(), "colnames", std::vector<std::string>{"spike_times", "population", "node_id"});
            element_ids(units.get(), ids);
            h5::write_dataset(units.get(), "spike_times", times);
            vector_data(units.get(), "spike_times", "the spike times for each unit in seconds");
            h5::write_dataset(units.get(), "spike_times_index", index);
            {
                h5::handle d(h5::check(H5Dopen2(units.get(), "spike_times_index", H5P_DEFAULT), "open index"), H5Dclose);
                typed(d.get(), "VectorIndex", "hdmf-common");
                h5::write_attribute(d.get(), "description", "Index for VectorData 'spike_times'");
                h5::write_reference_attribute(d.get(), "target", "/units/spike_times");
            }
            h5::write_strings(units.get(), "population", population);
            vector_data(units.get(), "population", "the simulated population of the neuron");
            h5::write_dataset(units.get(), "node_id", node_ids);
            vector_data(units.get(), "node_id", "the neuron's id within its population (SONATA node id)");
        }
        if (spikes.t_start_ms && spikes.t_stop_ms) {
            h5::handle epochs = h5::create_group(f, "intervals/epochs");
            typed(epochs.get(), "TimeIntervals", "core");
            h5::write_attribute(epochs.get(), "description", "the simulated time");
            h5::write_attribute(epochs.get(), "colnames", std::vector<std::string>{"start_time", "stop_time"});
            element_ids(epochs.get(), {0});
            h5::write_dataset(epochs.get(), "start_time", std::vector<double>{*spikes.t_start_ms / 1000.0});
            vector_data(epochs.get(), "start_time", "Start time of epoch, in seconds");
            h5::write_dataset(epochs.get(), "stop_time", std::vector<double>{*spikes.t_stop_ms / 1000.0});
            vector_data(epochs.get(), "stop_time", "Stop time of epoch, in seconds");
        }
    }
    out.commit();
}

}  // namespace myelin::io
