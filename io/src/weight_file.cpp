#include <myelin/io/sonata.hpp>
#include <myelin/io/weight_file.hpp>

#include <myelin/formats/h5.hpp>

namespace myelin::io {

namespace {
std::vector<double> widen(const std::vector<float>& v) { return {v.begin(), v.end()}; }
}  // namespace

void write_weights(const std::filesystem::path& path, const weight_record& w, const network_spec& spec) {
    const auto& proj = spec.projections[w.projection];
    atomic_file out(path);
    {
        h5::handle file = h5::create_file(out.temporary().string());
        h5::handle g = h5::create_group(file.get(), "weights");
        h5::write_attribute(g.get(), "projection", static_cast<std::uint64_t>(w.projection));
        h5::write_attribute(g.get(), "source", spec.populations[proj.source].name);
        h5::write_attribute(g.get(), "target", spec.populations[proj.target].name);
        h5::write_attribute(g.get(), "synapse", proj.synapse ? proj.synapse->name : std::string("static"));
        h5::write_attribute(g.get(), "units", spec.populations[proj.target].model->weight_unit);
        h5::write_dataset(g.get(), "source", w.source);
        h5::write_dataset(g.get(), "target", w.target);
        h5::handle s = h5::create_group(g.get(), "snapshots");
        h5::write_dataset(s.get(), "time", w.times_ms);
        h5::write_matrix(s.get(), "data", widen(w.weights), w.times_ms.size(), w.source.size());
        h5::handle e = h5::create_group(g.get(), "events");
        h5::write_dataset(e.get(), "time", w.event_time_ms);
        h5::write_dataset(e.get(), "source", w.event_source);
        h5::write_dataset(e.get(), "target", w.event_target);
        h5::write_dataset(e.get(), "weight", widen(w.event_weight));
        h5::check(H5Fflush(file.get(), H5F_SCOPE_GLOBAL), "flush");
    }
    out.commit();
}

}  // namespace myelin::io
