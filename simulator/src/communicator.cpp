#include <myelin/simulator/communicator.hpp>

#include <cstdlib>
#include <cstring>

namespace myelin {

std::vector<spike> communicator::allgather(const std::vector<spike>& local) {
    return from_bytes<spike>(allgather(to_bytes(local)));
}

std::vector<spike> communicator::alltoallv(const std::vector<std::vector<spike>>& to) {
    std::vector<std::vector<char>> bytes;
    for (const auto& x : to) bytes.push_back(to_bytes(x));
    std::vector<spike> out;
    for (const auto& from : alltoallv(bytes)) {
        const auto part = from_bytes<spike>(from);
        out.insert(out.end(), part.begin(), part.end());
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
