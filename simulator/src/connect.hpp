#pragma once
// Building the synapses a thread owns (all synapses onto its neurons), one projection at
// a time, in the compact layout delivery walks: rows of targets grouped by source.
#include <myelin/core/types.hpp>
#include <myelin/simulator/network_spec.hpp>

#include <cstdint>
#include <memory>
#include <vector>

namespace myelin::detail {

// The neurons one owner holds: for each population a chunk [begin, end) of population-local
// indices, stored from `local_offset` on in the owner's arrays.
struct owned_chunk {
    std::uint64_t begin = 0, end = 0;
    std::uint64_t local_offset = 0;
    std::uint64_t size() const { return end - begin; }
};

struct synapse_rows {
    std::size_t source_population = 0;
    std::vector<std::uint64_t> offsets;  // row of source i: [offsets[i], offsets[i+1])
    // Thread-local target indices, ascending in a row: 16 bits wide when the thread owns
    // at most 65536 neurons (half the memory and memory traffic), else 32 bits.
    std::vector<std::uint16_t> target16;
    std::vector<std::uint32_t> target32;
    std::vector<float> weight;           // per synapse, only if the weight varies
    std::vector<std::uint16_t> delay;    // per synapse in steps, only if the delay varies
    std::unique_ptr<synapse_shard> dynamics;  // state of a synapse model, in row order; null: static
    double constant_weight = 0.0;
    step_t constant_delay = 1;

    std::uint64_t size() const { return target16.size() + target32.size(); }
    std::uint32_t target(std::uint64_t k) const { return target32.empty() ? target16[k] : target32[k]; }
    std::uint64_t bytes() const {
        return offsets.size() * sizeof(std::uint64_t) + target16.size() * sizeof(std::uint16_t) +
               target32.size() * sizeof(std::uint32_t) + weight.size() * sizeof(float) +
               delay.size() * sizeof(std::uint16_t) + state_bytes;
    }
    std::uint64_t state_bytes = 0;  // of `dynamics`
};

// Synapses in a list, before they are grouped into rows: thread-local targets; weights
// and delays only when they vary.
struct drawn_synapses {
    std::vector<std::uint32_t> source, target;
    std::vector<float> weight;
    std::vector<std::uint16_t> delay;
    std::vector<std::vector<double>> state;  // per variable of the synapse model, if restored
};

// Groups synapses into rows by source (stable: a row keeps the list's order, sorted by
// target if `sort_rows`, stably).
synapse_rows make_rows(drawn_synapses synapses, const network_spec& spec, std::size_t projection,
                       std::uint64_t n_local, bool sort_rows);

// Draws the synapses of `projection` whose targets lie in `targets` (population-local
// chunk of the target population). Every owner draws from the streams of its own targets
// (or replays the sources' streams for fixed_outdegree), so the network does not depend
// on how it is partitioned.
// `n_local` is the number of neurons the owner holds (it decides the index width).
synapse_rows build_rows(const network_spec& spec, std::size_t projection, const owned_chunk& targets,
                        std::uint64_t source_gid_offset, std::uint64_t target_gid_offset, std::uint64_t n_local);

}  // namespace myelin::detail
