#pragma once
// How ranks talk: once per window they exchange their spikes (all-gather, or all-to-all
// to the ranks that hold targets); at the end rank 0 gathers what the recorders kept. The serial communicator is the one-rank case; the
// MPI one (built with MYELIN_WITH_MPI) is used when the program runs under mpirun.
#include <myelin/simulator/types.hpp>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
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

// The one-rank communicator.
std::unique_ptr<communicator> make_serial_communicator();

// The MPI communicator if this program was started by mpirun (or srun) and Myelin was
// built with MPI, else the serial one. Initialises MPI (MPI_THREAD_FUNNELED: only the
// thread that called this talks to MPI) and finalises it at destruction.
std::unique_ptr<communicator> make_world_communicator(int& argc, char**& argv);

}  // namespace myelin
