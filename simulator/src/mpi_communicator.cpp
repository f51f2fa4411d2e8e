// The MPI communicator. Byte buffers go through MPI_Allgatherv / MPI_Alltoallv /
// MPI_Gatherv after their sizes; spikes are plain 16-byte records, laid out the same on every rank of one build.
#include <myelin/simulator/communicator.hpp>

#include <mpi.h>

#include <algorithm>
#include <chrono>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <numeric>
#include <stdexcept>
#include <thread>

namespace myelin {

namespace {

class mpi_communicator final : public communicator {
public:
    mpi_communicator(int& argc, char**& argv) {
        int provided = 0;
        MPI_Init_thread(&argc, &argv, MPI_THREAD_FUNNELED, &provided);
        if (provided < MPI_THREAD_FUNNELED) {
            MPI_Finalize();
            throw std::runtime_error("the MPI library does not support MPI_THREAD_FUNNELED");
        }
        MPI_Comm_rank(MPI_COMM_WORLD, &rank_);
        MPI_Comm_size(MPI_COMM_WORLD, &size_);
    }
    ~mpi_communicator() override { MPI_Finalize(); }

    int rank() const override { return rank_; }
    int size() const override { return size_; }

    std::vector<char> allgather(const std::vector<char>& local) override {
        const int n = count_of(local);
        std::vector<int> counts(static_cast<std::size_t>(size_)), displs(static_cast<std::size_t>(size_));
        MPI_Allgather(&n, 1, MPI_INT, counts.data(), 1, MPI_INT, MPI_COMM_WORLD);
        const long total = offsets(counts, displs);
        std::vector<char> out(static_cast<std::size_t>(total));
        MPI_Allgatherv(local.data(), n, MPI_BYTE, out.data(), counts.data(), displs.data(), MPI_BYTE, MPI_COMM_WORLD);
        return out;
    }

    std::vector<std::vector<char>> alltoallv(const std::vector<std::vector<char>>& to) override {
        const auto R = static_cast<std::size_t>(size_);
        std::vector<int> send_counts(R), send_displs(R), recv_counts(R), recv_displs(R);
        for (std::size_t q = 0; q < R; ++q) send_counts[q] = count_of(to[q]);
        const long send_total = offsets(send_counts, send_displs);
        std::vector<char> send(static_cast<std::size_t>(send_total));
        for (std::size_t q = 0; q < R; ++q) std::copy(to[q].begin(), to[q].end(), send.begin() + send_displs[q]);
        MPI_Alltoall(send_counts.data(), 1, MPI_INT, recv_counts.data(), 1, MPI_INT, MPI_COMM_WORLD);
        const long recv_total = offsets(recv_counts, recv_displs);
        std::vector<char> recv(static_cast<std::size_t>(recv_total));
        MPI_Alltoallv(send.data(), send_counts.data(), send_displs.data(), MPI_BYTE, recv.data(), recv_counts.data(),
                      recv_displs.data(), MPI_BYTE, MPI_COMM_WORLD);
        std::vector<std::vector<char>> out(R);
        for (std::size_t r = 0; r < R; ++r)
            out[r].assign(recv.begin() + recv_displs[r], recv.begin() + recv_displs[r] + recv_counts[r]);
        return out;
    }

    std::vector<std::vector<char>> gather(const std::vector<char>& local) override {
        const int n = count_of(local);
        std::vector<int> counts(static_cast<std::size_t>(size_)), displs(static_cast<std::size_t>(size_));
        MPI_Gather(&n, 1, MPI_INT, counts.data(), 1, MPI_INT, 0, MPI_COMM_WORLD);
        const long total = rank_ == 0 ? offsets(counts, displs) : 0;
        std::vector<char> all(static_cast<std::size_t>(total));
        MPI_Gatherv(local.data(), n, MPI_BYTE, all.data(), counts.data(), displs.data(), MPI_BYTE, 0, MPI_COMM_WORLD);
        std::vector<std::vector<char>> out;
        if (rank_ == 0)
            for (std::size_t r = 0; r < counts.size(); ++r)
                out.emplace_back(all.begin() + displs[r], all.begin() + displs[r] + counts[r]);
        return out;
    }

    long min(long value) override {
        long out = value;
        MPI_Allreduce(&value, &out, 1, MPI_LONG, MPI_MIN, MPI_COMM_WORLD);
        return out;
    }
    double max(double value) override {
        double out = value;
        MPI_Allreduce(&value, &out, 1, MPI_DOUBLE, MPI_MAX, MPI_COMM_WORLD);
        return out;
    }
    std::uint64_t sum(std::uint64_t value) override {
        unsigned long long in = value, out = 0;
        MPI_Allreduce(&in, &out, 1, MPI_UNSIGNED_LONG_LONG, MPI_SUM, MPI_COMM_WORLD);
        return out;
    }
    [[noreturn]] void abort(int exit_code) override {
        // The caller's message goes through mpirun's output forwarding, which the abort can
        // overtake: give it a moment to arrive.
        std::fflush(nullptr);
        std::this_thread::sleep_for(std::chrono::milliseconds(200));
        MPI_Abort(MPI_COMM_WORLD, exit_code);
        std::exit(exit_code);
    }

private:
    static int count_of(const std::vector<char>& v) {
        if (v.size() > static_cast<std::size_t>(INT_MAX))
            throw std::length_error("a message of more than 2 GiB between ranks");
        return static_cast<int>(v.size());
    }
    static long offsets(const std::vector<int>& counts, std::vector<int>& displs) {
        long total = 0;
        for (std::size_t r = 0; r < counts.size(); ++r) {
            if (total > INT_MAX) throw std::length_error("gathered messages exceed 2 GiB");
            displs[r] = static_cast<int>(total);
            total += counts[r];
        }
        return total;
    }
    int rank_ = 0, size_ = 1;
};

// Whether a process manager started this process (OpenMPI's mpirun, MPICH/Slurm PMI).
bool launched_by_mpirun() {
    for (const char* var : {"OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "PMIX_RANK"})
        if (std::getenv(var)) return true;
    return false;
}

}  // namespace

std::unique_ptr<communicator> make_world_communicator(int& argc, char**& argv) {
    if (!launched_by_mpirun()) return make_serial_communicator();
    return std::make_unique<mpi_communicator>(argc, argv);
}

}  // namespace myelin
