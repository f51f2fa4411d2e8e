// State recorders: each thread samples its own recorded neurons; rank 0 gathers the
// samples and puts them in the recorder's neuron order, at the end, for checkpoints, or in
// batches taken by a caller that streams them (io::advance).
#include "checkpoint_arrays.hpp"
#include "recorders.hpp"

namespace myelin::detail {

state_recorder::state_recorder(const network_spec& spec, std::size_t index, const std::vector<thread_state>& threads)
    : spec_(&spec), index_(index), threads_(threads.size()) {
    const auto& rs = spec.state_recorders[index];
    interval_ = std::max<step_t>(1, ms_to_steps(rs.interval_ms, spec.simulation.resolution_ms));
    for (std::size_t t = 0; t < threads.size(); ++t) {
        const auto& c = threads[t].chunks[rs.population];
        for (std::size_t k = 0; k < rs.neurons.size(); ++k)
            if (rs.neurons[k] >= c.begin && rs.neurons[k] < c.end) {
                threads_[t].shard_index.push_back(rs.neurons[k] - c.begin);
                threads_[t].position.push_back(k);
            }
    }
}

void state_recorder::after_step(std::size_t thread, thread_state& me, step_t k_next) {
    if (k_next % interval_ != 0) return;
    if (thread == 0) ++taken_;  // every thread samples at the same steps
    auto& mine = threads_[thread];
    if (mine.shard_index.empty()) return;
    const auto& rs = spec_->state_recorders[index_];
    auto& shard = *me.shards[rs.population];
    for (auto var : rs.variables) {
        const auto values = shard.state(var);
        for (auto i : mine.shard_index) mine.samples.push_back(values[i]);
    }
}

// Each rank sends the places of its neurons in the recorder's list and its samples
// [sample][variable][neuron] (its threads' neurons one after the other).
std::vector<state_trace> state_recorder::gather(communicator& comm) const {
    const auto& rs = spec_->state_recorders[index_];
    const std::size_t nv = rs.variables.size();
    std::vector<std::uint64_t> position;
    for (const auto& mine : threads_) position.insert(position.end(), mine.position.begin(), mine.position.end());
    std::vector<double> samples(taken_ * nv * position.size());
    std::size_t first = 0;  // the thread's first neuron among the rank's
    for (const auto& mine : threads_) {
        const std::size_t own = mine.position.size();
        for (std::size_t s = 0; s < taken_; ++s)
            for (std::size_t v = 0; v < nv; ++v)
                for (std::size_t i = 0; i < own; ++i)
                    samples[(s * nv + v) * position.size() + first + i] = mine.samples[(s * nv + v) * own + i];
        first += own;
    }
    const auto positions = gather_by_rank(comm, position);
    const auto sampled = gather_by_rank(comm, samples);
    if (comm.rank() != 0) return {};

    const auto& state = spec_->populations[rs.population].state;
    state_trace tr;
    tr.recorder = rs.name;
    tr.population = rs.population;
    tr.neurons = rs.neurons;
    for (auto v : rs.variables) {
        tr.variables.push_back(state[v].key);
        tr.units.push_back(state[v].unit);
    }
    tr.dt_ms = static_cast<double>(interval_) * spec_->simulation.resolution_ms;
    tr.t_start_ms = static_cast<double>(given_) * tr.dt_ms;
    const std::size_t before = restored_samples_;  // restored from a checkpoint: they come first
    tr.n_samples = before + taken_;
    const std::size_t n = rs.neurons.size();
    tr.data.assign(nv, std::vector<double>(tr.n_samples * n, 0.0));
    for (std::size_t v = 0; v < nv && before > 0; ++v)
        std::copy(restored_[v].begin(), restored_[v].end(), tr.data[v].begin());
    for (std::size_t r = 0; r < positions.size(); ++r) {
        const auto& pos = positions[r];
        for (std::size_t s = 0; s < taken_; ++s)
            for (std::size_t v = 0; v < nv; ++v)
                for (std::size_t i = 0; i < pos.size(); ++i)
                    tr.data[v][(before + s) * n + pos[i]] = sampled[r][(s * nv + v) * pos.size() + i];
    }
    return {std::move(tr)};
}

std::vector<state_trace> state_recorder::take(communicator& comm) {
    auto out = gather(comm);
    given_ += restored_samples_ + taken_;
    taken_ = 0;
    for (auto& mine : threads_) mine.samples.clear();
    restored_samples_ = 0;
    restored_.clear();
    return out;
}

void state_recorder::save(checkpoint_writer& out, communicator& comm) {
    for (const auto& tr : gather(comm)) {
        const std::string base = "recorder/state/" + tr.recorder + "/";
        write(out, base + "n_samples", std::vector<std::uint64_t>{tr.n_samples});
        write(out, base + "first_sample", std::vector<std::uint64_t>{given_});  // those before were taken
        for (std::size_t v = 0; v < tr.variables.size(); ++v) write(out, base + tr.variables[v], tr.data[v]);
    }
}

void state_recorder::restore(checkpoint_reader& in, bool root, step_t) {
    if (!root) return;
    const auto& rs = spec_->state_recorders[index_];
    const std::string base = "recorder/state/" + rs.name + "/";
    restored_samples_ = read_all<std::uint64_t>(in, base + "n_samples", 1)[0];
    if (in.has(base + "first_sample")) given_ = read_all<std::uint64_t>(in, base + "first_sample", 1)[0];
    const auto& state = spec_->populations[rs.population].state;
    for (auto v : rs.variables)
        restored_.push_back(read_all<double>(in, base + state[v].key, restored_samples_ * rs.neurons.size()));
}

}  // namespace myelin::detail
