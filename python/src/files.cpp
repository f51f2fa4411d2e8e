// SONATA spike files and NWB units tables (io/sonata.hpp, io/nwb.hpp) to and from NumPy.
#include "bindings.hpp"

#include <myelin/core/error.hpp>
#include <myelin/io/nwb.hpp>
#include <myelin/io/sonata.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <filesystem>
#include <system_error>

namespace myelin::python {

namespace {

namespace fs = std::filesystem;

void refuse_overwrite(const fs::path& path, bool force) {
    if (!force && fs::exists(path))
        throw fs::filesystem_error(path.string() + ": exists; pass force=True to replace it", path,
                                   std::make_error_code(std::errc::file_exists));
}

py::dict spikes_dict(io::spike_file&& f) {
    py::dict pops;
    for (auto& p : f.populations) {
        py::dict d;
        d["times"] = to_array(std::move(p.timestamps_ms));
        d["ids"] = to_array(std::move(p.node_ids));
        d["n_nodes"] = p.n_nodes ? py::object(py::int_(*p.n_nodes)) : py::none();
        d["sorting"] = p.sorting == io::spike_sorting::by_time ? "by_time"
                       : p.sorting == io::spike_sorting::by_id ? "by_id"
                                                               : "none";
        pops[py::str(p.name)] = d;
    }
    py::dict out;
    out["populations"] = pops;
    out["t_start"] = f.t_start_ms ? py::object(py::float_(*f.t_start_ms)) : py::none();
    out["t_stop"] = f.t_stop_ms ? py::object(py::float_(*f.t_stop_ms)) : py::none();
    out["incomplete"] = f.incomplete ? py::object(py::str(*f.incomplete)) : py::none();
    return out;
}

// {name: (times, ids)} or {name: {"times": ..., "ids": ..., "n_nodes": N}} as a spike file.
io::spike_file spike_file_of(const py::dict& populations, std::optional<double> t_start, std::optional<double> t_stop) {
    io::spike_file f;
    f.t_start_ms = t_start;
    f.t_stop_ms = t_stop;
    for (const auto& [key, value] : populations) {
        io::spike_population p;
        p.name = py::cast<std::string>(key);
        py::object times, node_ids;
        if (py::isinstance<py::dict>(value)) {
            const auto d = py::reinterpret_borrow<py::dict>(value);
            times = d["times"];
            node_ids = d["ids"];
            if (d.contains("n_nodes") && !d["n_nodes"].is_none()) p.n_nodes = py::cast<std::uint64_t>(d["n_nodes"]);
        } else {
            const auto pair = py::cast<py::tuple>(value);
            if (pair.size() != 2)
                throw input_error("", p.name, "expected (times, ids) or {'times': ..., 'ids': ..., 'n_nodes': N}");
            times = pair[0];
            node_ids = pair[1];
        }
        p.timestamps_ms = py::cast<std::vector<double>>(times);
        p.node_ids = py::cast<std::vector<std::uint64_t>>(node_ids);
        if (p.timestamps_ms.size() != p.node_ids.size())
            throw input_error("", p.name, fmt::format("{} times and {} ids; one id per spike", p.timestamps_ms.size(),
                                                      p.node_ids.size()));
        if (p.n_nodes)
            for (auto id : p.node_ids)
                if (id >= *p.n_nodes)
                    throw input_error("", p.name, fmt::format("id {}; must be < n_nodes = {}", id, *p.n_nodes));
        p.sorting = std::is_sorted(p.timestamps_ms.begin(), p.timestamps_ms.end()) ? io::spike_sorting::by_time
                                                                                   : io::spike_sorting::none;
        f.populations.push_back(std::move(p));
    }
    return f;
}

py::dict table_dict(const io::nwb_table& t) {
    py::dict d;
    d["id"] = to_array(std::vector<std::int64_t>(t.ids));
    for (const auto& [name, values] : t.numbers) d[py::str(name)] = to_array(std::vector<double>(values));
    for (const auto& [name, values] : t.text) d[py::str(name)] = values;
    return d;
}

}  // namespace

void bind_files(py::module_& m) {
    m.def(
        "read_spikes", [](const fs::path& path) { return spikes_dict(io::read_spikes(path)); }, py::arg("path"),
        "A SONATA spike file: {'populations': {name: {'times' (ms), 'ids', 'n_nodes', 'sorting'}}, 't_start', "
        "'t_stop', 'incomplete'}.");
    m.def(
        "write_spikes",
        [](const fs::path& path, const py::dict& populations, std::optional<double> t_start,
           std::optional<double> t_stop, bool force) {
            refuse_overwrite(path, force);
            io::write_spikes(path, spike_file_of(populations, t_start, t_stop));
        },
        py::arg("path"), py::arg("populations"), py::arg("t_start") = py::none(), py::arg("t_stop") = py::none(),
        py::arg("force") = false,
        "Writes a SONATA spike file from {name: (times in ms, ids)} or {name: {'times', 'ids', 'n_nodes'}}.");
    m.def(
        "read_nwb",
        [](const fs::path& path) {
            io::nwb_file f = io::read_nwb(path);
            py::dict d;
            d["nwb_version"] = f.nwb_version;
            d["identifier"] = f.identifier;
            d["session_description"] = f.session_description;
            py::list trains;
            for (auto& t : f.units.spike_times_s) trains.append(to_array(std::move(t)));
            py::dict units = table_dict(f.units.table);
            units["spike_times"] = trains;
            d["units"] = units;
            d["trials"] = f.trials ? py::object(table_dict(*f.trials)) : py::none();
            d["epochs"] = f.epochs ? py::object(table_dict(*f.epochs)) : py::none();
            return d;
        },
        py::arg("path"),
        "An NWB 2.x file's units table ({'id', columns..., 'spike_times': a list of arrays in seconds}), trials "
        "and epochs.");
    m.def(
        "write_nwb",
        [](const fs::path& path, const py::dict& populations, std::optional<double> t_start,
           std::optional<double> t_stop, const std::string& identifier, const std::string& description, bool force) {
            refuse_overwrite(path, force);
            io::write_nwb(path, spike_file_of(populations, t_start, t_stop), identifier, description);
        },
        py::arg("path"), py::arg("populations"), py::arg("t_start") = py::none(), py::arg("t_stop") = py::none(),
        py::arg("identifier") = "myelin", py::arg("description") = "spikes written by Myelin", py::arg("force") = false,
        "Writes spikes ({name: (times in ms, ids)}) as an NWB units table: a unit per neuron that spiked or, "
        "with n_nodes, per neuron.");
}

}  // namespace myelin::python
