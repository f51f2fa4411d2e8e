#include "spike_exchanger.hpp"

#include <algorithm>
#include <chrono>

namespace myelin::detail {

// Each rank marks the sources of its non-empty rows and sends every other rank the
// marks of that rank's neurons, one bit each.
void spike_exchanger::find_destinations(const std::vector<std::vector<char>>& used) {
    const auto R = static_cast<std::uint64_t>(comm_->size());
    const std::size_t P = used.size();
    const layout& L = *layout_;
    std::vector<std::vector<char>> to(R);
    for (std::uint64_t q = 0; q < R; ++q)
        for (std::size_t p = 0; p < P; ++p) {
            if (used[p].empty()) continue;
            const auto [b, e] = L.rank_range(used[p].size(), static_cast<int>(q));
            const std::size_t at = to[q].size();
            to[q].resize(at + (e - b + 7) / 8, 0);
            for (std::uint64_t i = b; i < e; ++i)
                if (used[p][i]) to[q][at + (i - b) / 8] |= static_cast<char>(1 << ((i - b) % 8));
        }
    const auto from = comm_->alltoallv(to);

    destination_offset_.assign(1, 0);
    destination_.clear();
    std::size_t at = 0;  // where population p's bits start in every message received
    for (std::size_t p = 0; p < P; ++p) {
        const std::uint64_t n_own = L.own_end[p] - L.own_begin[p];
        for (std::uint64_t i = 0; i < n_own; ++i) {
            if (!used[p].empty())
                for (std::uint64_t r = 0; r < R; ++r)
                    if (from[r][at + i / 8] & (1 << (i % 8))) destination_.push_back(static_cast<int>(r));
            destination_offset_.push_back(destination_.size());
        }
        if (!used[p].empty()) at += (n_own + 7) / 8;
    }
}

std::vector<spike> spike_exchanger::exchange(const std::vector<spike>& local) {
    const auto start = std::chrono::steady_clock::now();
    std::vector<spike> all;
    if (comm_->size() == 1) {
        all = local;
    } else if (kind_ == spike_exchange::allgather) {
        all = comm_->allgather(local);
    } else {
        const layout& L = *layout_;
        std::vector<std::vector<spike>> to(static_cast<std::size_t>(comm_->size()));
        for (const spike& s : local) {
            const std::size_t pop = L.population_of(s.gid);
            const std::uint64_t k = L.own_offset[pop] + (s.gid - L.pop_offset[pop] - L.own_begin[pop]);
            for (std::uint64_t d = destination_offset_[k]; d < destination_offset_[k + 1]; ++d)
                to[static_cast<std::size_t>(destination_[d])].push_back(s);
        }
        all = comm_->alltoallv(to);
    }
    if (comm_->size() > 1) std::sort(all.begin(), all.end());
    received_ += all.size();
    seconds_ += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return all;
}

}  // namespace myelin::detail
