#pragma once
// Building the synapses a thread owns (all synapses onto its neurons), one projection at
// a time, in the compact layout delivery walks: rows of targets grouped by source.
#include <myelin/simulator/network_spec.hpp>
#include <myelin/simulator/types.hpp>

#include <cstdint>
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
    std::vector<std::uint32_t> target;   // thread-local target index, ascending in a row
    std::vector<float> weight;           // per synapse, only if the weight varies
    std::vector<std::uint16_t> delay;    // per synapse in steps, only if the delay varies
    double constant_weight = 0.0;
    step_t constant_delay = 1;

    std::uint64_t size() const { return target.size(); }
    std::uint64_t bytes() const {
        return offsets.size() * sizeof(std::uint64_t) + target.size() * sizeof(std::uint32_t) +
               weight.size() * sizeof(float) + delay.size() * sizeof(std::uint16_t);
    }
};

// Draws the synapses of `projection` whose targets lie in `targets` (population-local
// chunk of the target population). Every owner draws from the streams of its own targets
// (or replays the sources' streams for fixed_outdegree), so the network does not depend
// on how it is partitioned.
synapse_rows build_rows(const network_spec& spec, std::size_t projection, const owned_chunk& targets,
                        std::uint64_t source_gid_offset, std::uint64_t target_gid_offset);

}  // namespace myelin::detail
