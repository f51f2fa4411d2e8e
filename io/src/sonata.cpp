#include <myelin/io/sonata.hpp>

#include <myelin/formats/h5.hpp>

#include <myelin/core/error.hpp>

#include <fmt/format.h>

#include <cmath>
#include <system_error>

namespace myelin::io {

void write_spikes(const std::filesystem::path& path, const spike_file& spikes) {
    atomic_file out(path);
    {
        h5::handle file = h5::create_file(out.temporary().string());
        h5::write_attribute(file.get(), "magic", std::uint64_t{0x0A7A});
        h5::write_attribute(file.get(), "version", std::vector<std::uint32_t>{0, 1});
        h5::handle root = h5::create_group(file.get(), "spikes");
        if (spikes.t_start_ms) h5::write_attribute(root.get(), "t_start", *spikes.t_start_ms);
        if (spikes.t_stop_ms) h5::write_attribute(root.get(), "t_stop", *spikes.t_stop_ms);
        if (spikes.incomplete) h5::write_attribute(root.get(), "incomplete", *spikes.incomplete);
        for (const auto& p : spikes.populations) {
            h5::handle g = h5::create_group(root.get(), p.name);
            h5::write_sorting(g.get(), static_cast<int>(p.sorting));
            if (p.n_nodes) h5::write_attribute(g.get(), "n_nodes", *p.n_nodes);
            h5::write_dataset(g.get(), "timestamps", p.timestamps_ms);
            {
                h5::handle d(h5::check(H5Dopen2(g.get(), "timestamps", H5P_DEFAULT), "open timestamps"), H5Dclose);
                h5::write_attribute(d.get(), "units", std::string("ms"));
            }
            h5::write_dataset(g.get(), "node_ids", p.node_ids);
        }
        h5::check(H5Fflush(file.get(), H5F_SCOPE_GLOBAL), "flush");
    }
    out.commit();
}

spike_file read_spikes(const std::filesystem::path& path) {
    const std::string name = path.string();
    auto bad = [&](const std::string& what) {
        return input_error(name, "", what);
    };
    if (!std::filesystem::exists(path)) throw bad("no such file");
    spike_file out;
    try {
        h5::handle file = h5::open_file_readonly(name);
        if (!h5::exists(file.get(), "spikes"))
            throw bad("not a SONATA spike file: it has no /spikes group");
        h5::handle root = h5::open_group(file.get(), "spikes");
        if (h5::has_attribute(root.get(), "t_start")) out.t_start_ms = h5::read_double_attribute(root.get(), "t_start");
        if (h5::has_attribute(root.get(), "t_stop")) out.t_stop_ms = h5::read_double_attribute(root.get(), "t_stop");
        if (h5::has_attribute(root.get(), "incomplete")) out.incomplete = h5::read_string_attribute(root.get(), "incomplete");
        for (const auto& pop : h5::children(root.get())) {
            h5::handle g = h5::open_group(root.get(), pop);
            spike_population p;
            p.name = pop;
            for (const char* d : {"timestamps", "node_ids"})
                if (!h5::exists(g.get(), d))
                    throw bad(fmt::format("not a SONATA spike file: /spikes/{} has no {} dataset", pop, d));
            p.timestamps_ms = h5::read_doubles(g.get(), "timestamps");
            const std::string where = fmt::format("/spikes/{}/timestamps", pop);
            {
                h5::handle d(h5::check(H5Dopen2(g.get(), "timestamps", H5P_DEFAULT), "open " + where), H5Dclose);
                const std::string units = h5::has_attribute(d.get(), "units") ? h5::read_string_attribute(d.get(), "units") : "ms";
                const double scale = units == "ms" || units == "millisecond" || units == "milliseconds" ? 1.0
                                     : units == "s" || units == "second" || units == "seconds" ? 1000.0
                                                                                              : 0.0;
                if (scale == 0.0) throw bad(fmt::format("{}: units = '{}'; Myelin reads ms or s", where, units));
                if (scale != 1.0)
                    for (double& t : p.timestamps_ms) t *= scale;
            }
            for (std::size_t k = 0; k < p.timestamps_ms.size(); ++k)
                if (!(p.timestamps_ms[k] >= 0.0) || !std::isfinite(p.timestamps_ms[k]))
                    throw bad(fmt::format("{}[{}] = {} ms; spike times must be finite and >= 0", where, k, p.timestamps_ms[k]));
            p.node_ids = h5::read_uint64s(g.get(), "node_ids");
            if (p.timestamps_ms.size() != p.node_ids.size())
                throw bad(fmt::format("/spikes/{}: {} timestamps but {} node_ids", pop, p.timestamps_ms.size(),
                                      p.node_ids.size()));
            if (h5::has_attribute(g.get(), "n_nodes")) p.n_nodes = h5::read_uint64_attribute(g.get(), "n_nodes");
            if (h5::has_attribute(g.get(), "sorting"))
                p.sorting = static_cast<spike_sorting>(h5::read_enum_attribute(g.get(), "sorting"));
            out.populations.push_back(std::move(p));
        }
    } catch (const h5::error& e) {
        throw bad(fmt::format("cannot read as a SONATA spike file: {}", e.what()));
    }
    return out;
}

void write_report(const std::filesystem::path& path, const report& r) {
    atomic_file out(path);
    {
        h5::handle file = h5::create_file(out.temporary().string());
        h5::handle root = h5::create_group(file.get(), "report");
        h5::handle g = h5::create_group(root.get(), r.population);
        const std::size_t n = r.node_ids.size();
        h5::write_matrix(g.get(), "data", r.data, r.n_samples, n);
        {
            h5::handle d(h5::check(H5Dopen2(g.get(), "data", H5P_DEFAULT), "open data"), H5Dclose);
            h5::write_attribute(d.get(), "units", r.unit);
            h5::write_attribute(d.get(), "variable", r.variable);
        }
        h5::handle m = h5::create_group(g.get(), "mapping");
        h5::write_dataset(m.get(), "node_ids", r.node_ids);
        std::vector<std::uint64_t> pointers(n + 1);
        for (std::size_t i = 0; i <= n; ++i) pointers[i] = i;  // one element (the soma) per node
        h5::write_dataset(m.get(), "index_pointers", pointers);
        h5::write_dataset(m.get(), "element_ids", std::vector<std::uint32_t>(n, 0));
        h5::write_dataset(m.get(), "time", std::vector<double>{r.t_start_ms, r.t_stop_ms, r.dt_ms});
        {
            h5::handle d(h5::check(H5Dopen2(m.get(), "time", H5P_DEFAULT), "open time"), H5Dclose);
            h5::write_attribute(d.get(), "units", std::string("ms"));
        }
        h5::check(H5Fflush(file.get(), H5F_SCOPE_GLOBAL), "flush");
    }
    out.commit();
}

}  // namespace myelin::io
