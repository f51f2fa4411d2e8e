// The spike recorder: each rank keeps the spikes of its own neurons of the recorded
// populations until they are gathered on rank 0: at the end, for checkpoints, or taken
// in batches by a caller that streams them to a file (io::advance).
#include "checkpoint_arrays.hpp"
#include "recorders.hpp"

#include <algorithm>

namespace myelin::detail {

spike_recorder::spike_recorder(const network_spec& spec, const layout& where)
    : layout_(&where), population_recorded_(spec.populations.size(), 0) {
    if (spec.spikes)
        for (auto p : spec.spikes->populations) population_recorded_[p] = 1;
}

// A run that stops inside a window shows that window's spikes here before they are
// exchanged (at the window's end, when the run continues): `recorded_through_` keeps
// them from being recorded twice.
void spike_recorder::on_window(const std::vector<spike>& local, step_t through) {
    for (const spike& s : local)
        if (s.step >= recorded_through_ && population_recorded_[layout_->population_of(s.gid)]) recorded_.push_back(s);
    recorded_through_ = through;
}

std::vector<spike> spike_recorder::gather(communicator& comm) const {
    if (comm.size() == 1 && restored_.empty()) return recorded_;
    std::vector<spike> all = restored_;
    const auto others = gather_concat(comm, recorded_);
    all.insert(all.end(), others.begin(), others.end());
    std::sort(all.begin(), all.end());
    return all;
}

std::vector<spike> spike_recorder::take(communicator& comm) {
    std::vector<spike> all;
    if (comm.size() == 1 && restored_.empty())
        all.swap(recorded_);
    else
        all = gather(comm);
    recorded_.clear();
    restored_.clear();
    return all;
}

void spike_recorder::save(checkpoint_writer& out, communicator& comm) {
    const auto spikes = gather(comm);
    if (comm.rank() == 0) write_spikes(out, "recorder/spikes/", spikes);
}

void spike_recorder::restore(checkpoint_reader& in, bool root, step_t now) {
    recorded_through_ = now;
    if (root) restored_ = read_spikes(in, "recorder/spikes/");
}

}  // namespace myelin::detail
