#pragma once
// What the engine's parts share: how neurons are laid out over ranks and threads, and
// what each thread owns (its neurons, ring buffers, synapse rows and stimulus devices).
// Each part (spike exchange, delivery, plasticity runtime, recorders) keeps its own
// state beside these and works on them through narrow calls. Not installed.
#include "connect.hpp"

#include <myelin/simulator/communicator.hpp>
#include <myelin/simulator/engine.hpp>
#include <myelin/simulator/model.hpp>
#include <myelin/simulator/network_spec.hpp>
#include <myelin/simulator/ring_buffer.hpp>

#include <omp.h>

#include <algorithm>
#include <exception>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

namespace myelin::detail {

// Where neurons live. Population p of N neurons is cut into V = ranks * threads
// contiguous chunks, chunk v = [N v / V, N (v+1) / V), owned by thread v % threads of
// rank v / threads; gids number the populations one after the other.
struct layout {
    std::vector<global_id> pop_offset;  // size populations + 1
    int ranks = 1, rank = 0, threads = 1;
    // Per population: the range [own_begin, own_end) this rank owns (population-local)
    // and where its neurons start in rank-local order (own_offset, size populations + 1).
    std::vector<std::uint64_t> own_begin, own_end, own_offset;

    layout() = default;
    layout(const network_spec& spec, int n_ranks, int my_rank, int n_threads);

    std::size_t population_of(global_id gid) const {
        return static_cast<std::size_t>(std::upper_bound(pop_offset.begin(), pop_offset.end(), gid) -
                                        pop_offset.begin() - 1);
    }
    // Ranks own, per population, the contiguous range of their threads' chunks.
    std::pair<std::uint64_t, std::uint64_t> rank_range(std::uint64_t n, int q) const {
        const auto R = static_cast<std::uint64_t>(ranks), T = static_cast<std::uint64_t>(threads);
        const auto r = static_cast<std::uint64_t>(q);
        return {n * r * T / (R * T), n * (r + 1) * T / (R * T)};
    }
    owned_chunk chunk(std::uint64_t n, int thread, std::uint64_t local_offset) const {
        const auto V = static_cast<std::uint64_t>(ranks) * static_cast<std::uint64_t>(threads);
        const auto v = static_cast<std::uint64_t>(rank) * static_cast<std::uint64_t>(threads) +
                       static_cast<std::uint64_t>(thread);
        return {n * v / V, n * (v + 1) / V, local_offset};
    }
};

// Everything one owner (thread) holds that more than one part reads.
struct thread_state {
    std::vector<owned_chunk> chunks;                    // per population
    std::vector<std::unique_ptr<neuron_shard>> shards;  // per population; null if the chunk is empty
    std::size_t n_local = 0;
    ring_buffers ring;
    std::vector<synapse_rows> rows;  // per projection
    std::vector<std::unique_ptr<stimulus_shard>> stimuli;
    std::vector<std::uint32_t> fired;  // spike_sink buffer, one entry per owned neuron
    std::vector<spike> emitted;        // spikes of the current window
    std::vector<double> transmitted;   // delivery's scratch: what a synapse model's row transmits
    std::vector<const double*> port_rows;  // update's scratch: the rows a shard reads, per port
    window_phases phases;                  // this thread's time in each phase, summed over windows
};

// The spikes this rank's threads emitted, sorted; with `take`, the threads' lists are
// emptied.
std::vector<spike> local_sorted(std::vector<thread_state>& threads, bool take);

// Every thread runs `body(thread)`; exceptions are collected and the first (by thread
// number, so the message does not depend on timing) is rethrown after the region.
template <class F>
void on_every_thread(int threads, F&& body) {
    std::vector<std::exception_ptr> errors(static_cast<std::size_t>(threads));
    int team = 0;
    omp_set_dynamic(0);  // exactly `threads` threads, whatever OMP_DYNAMIC says
#pragma omp parallel num_threads(threads)
    {
        const int t = omp_get_thread_num();
#pragma omp single
        team = omp_get_num_threads();
        if (team == threads) {
            try {
                body(t);
            } catch (...) {
                errors[static_cast<std::size_t>(t)] = std::current_exception();
            }
        }
    }
    if (team != threads)
        throw std::runtime_error("OpenMP gave " + std::to_string(team) + " threads where " + std::to_string(threads) +
                                 " were asked for");
    for (auto& e : errors)
        if (e) std::rethrow_exception(e);
}

}  // namespace myelin::detail
