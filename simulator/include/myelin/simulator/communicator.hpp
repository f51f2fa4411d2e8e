#pragma once
// How ranks talk: once per window they exchange their spikes (all-gather, or all-to-all
// to the ranks that hold targets); at the end rank 0 gathers what the recorders kept. The serial communicator is the one-rank case; the
// MPI one (built with MYELIN_WITH_MPI) is used when the program runs under mpirun.
#include <myelin/core/types.hpp>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <type_traits>
#include <vector>

namespace myelin {

class communicator {
public:
    virtual ~communicator() = default;
    virtual int rank() const = 0;
    virtual int size() const = 0;

    // Every rank's `local` bytes, concatenated in rank order, on every rank.
    virtual std::vector<char> allgather(const std::vector<char>& local) = 0;
    // `to[q]` goes to rank q; returns what each rank sent to this one, by rank.
    virtual std::vector<std::vector<char>> alltoallv(const std::vector<std::vector<char>>& to) = 0;
    // On rank 0: every rank's bytes, by rank; elsewhere: empty.
    virtual std::vector<std::vector<char>> gather(const std::vector<char>& local) = 0;
    // The smallest value over all ranks, on every rank.
    virtual long min(long value) = 0;
    // The largest value over all ranks, on every rank.
    virtual double max(double value) = 0;
    // The sum over all ranks, on every rank.
    virtual std::uint64_t sum(std::uint64_t value) = 0;
    // Ends every rank now with `exit_code` (after this rank printed why).
    [[noreturn]] virtual void abort(int exit_code) = 0;

    // Spikes of all ranks, as allgather does for bytes.
    std::vector<spike> allgather(const std::vector<spike>& local);
    // Spikes sent to each rank (`to[q]` to rank q), received from all, concatenated by rank.
    std::vector<spike> alltoallv(const std::vector<std::vector<spike>>& to);
};

// Typed collectives over the byte ones, for arrays of trivially copyable values: what
// every part of the engine gathers for output and checkpoints (no hand-written
// serialisation; several arrays are several gathers, each a handful of calls per run).
template <class T>
std::vector<char> to_bytes(const std::vector<T>& values) {
    static_assert(std::is_trivially_copyable_v<T>);
    std::vector<char> bytes(values.size() * sizeof(T));
    if (!bytes.empty()) std::memcpy(bytes.data(), values.data(), bytes.size());
    return bytes;
}
template <class T>
std::vector<T> from_bytes(const std::vector<char>& bytes) {
    static_assert(std::is_trivially_copyable_v<T>);
    std::vector<T> values(bytes.size() / sizeof(T));
    if (!values.empty()) std::memcpy(values.data(), bytes.data(), values.size() * sizeof(T));
    return values;
}
// On rank 0: every rank's values, by rank; elsewhere: empty.
template <class T>
std::vector<std::vector<T>> gather_by_rank(communicator& comm, const std::vector<T>& local) {
    if (comm.size() == 1) return {local};
    std::vector<std::vector<T>> out;
    for (const auto& bytes : comm.gather(to_bytes(local))) out.push_back(from_bytes<T>(bytes));
    return out;
}
// On rank 0: every rank's values, concatenated in rank order; elsewhere: empty.
template <class T>
std::vector<T> gather_concat(communicator& comm, const std::vector<T>& local) {
    if (comm.size() == 1) return local;
    std::vector<T> out;
    for (auto& part : gather_by_rank(comm, local)) out.insert(out.end(), part.begin(), part.end());
    return out;
}

// The one-rank communicator.
std::unique_ptr<communicator> make_serial_communicator();

// The MPI communicator if this program was started by mpirun (or srun) and Myelin was
// built with MPI, else the serial one. Initialises MPI (MPI_THREAD_FUNNELED: only the
// thread that called this talks to MPI) and finalises it at destruction.
std::unique_ptr<communicator> make_world_communicator(int& argc, char**& argv);

}  // namespace myelin
