#include <myelin/simulator/communicator.hpp>

#include <cstdlib>
#include <cstring>

namespace myelin {

std::vector<spike> communicator::allgather(const std::vector<spike>& local) {
    std::vector<char> bytes(local.size() * sizeof(spike));
    if (!local.empty()) std::memcpy(bytes.data(), local.data(), bytes.size());
    const std::vector<char> all = allgather(bytes);
    std::vector<spike> out(all.size() / sizeof(spike));
    if (!out.empty()) std::memcpy(out.data(), all.data(), all.size());
    return out;
}

std::vector<spike> communicator::alltoallv(const std::vector<std::vector<spike>>& to) {
    std::vector<std::vector<char>> bytes(to.size());
    for (std::size_t q = 0; q < to.size(); ++q) {
        bytes[q].resize(to[q].size() * sizeof(spike));
        if (!to[q].empty()) std::memcpy(bytes[q].data(), to[q].data(), bytes[q].size());
    }
    std::vector<spike> out;
    for (const auto& from : alltoallv(bytes)) {
        const std::size_t n = out.size();
        out.resize(n + from.size() / sizeof(spike));
        if (!from.empty()) std::memcpy(out.data() + n, from.data(), from.size());
    }
    return out;
}

namespace {

class serial_communicator final : public communicator {
public:
    int rank() const override { return 0; }
    int size() const override { return 1; }
    std::vector<char> allgather(const std::vector<char>& local) override { return local; }
    std::vector<std::vector<char>> alltoallv(const std::vector<std::vector<char>>& to) override { return to; }
    std::vector<std::vector<char>> gather(const std::vector<char>& local) override { return {local}; }
    long min(long value) override { return value; }
    double max(double value) override { return value; }
    std::uint64_t sum(std::uint64_t value) override { return value; }
    [[noreturn]] void abort(int exit_code) override { std::exit(exit_code); }
};

}  // namespace

std::unique_ptr<communicator> make_serial_communicator() { return std::make_unique<serial_communicator>(); }

#ifndef MYELIN_WITH_MPI
std::unique_ptr<communicator> make_world_communicator(int&, char**&) { return make_serial_communicator(); }
#endif

}  // namespace myelin
