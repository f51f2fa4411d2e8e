// --pin: pin_threads puts OpenMP thread t on the t-th CPU of the affinity mask.
#include <myelin/simulator/affinity.hpp>

#include <catch2/catch.hpp>

#include <sched.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace {

// Every thread's Cpus_allowed_list, as the kernel reports it.
std::vector<std::string> task_cpu_lists() {
    std::vector<std::string> lists;
    for (const auto& task : std::filesystem::directory_iterator("/proc/self/task")) {
        std::ifstream status(task.path() / "status");
        for (std::string line; std::getline(status, line);)
            if (line.rfind("Cpus_allowed_list:", 0) == 0) lists.push_back(line.substr(line.find_first_not_of(" \t", 18)));
    }
    return lists;
}

}  // namespace

TEST_CASE("affinity: --pin puts thread t alone on the t-th CPU the process may use", "[unit][affinity]") {
    const auto before = myelin::allowed_cpus();
    REQUIRE(before);
    REQUIRE(!before->empty());
    cpu_set_t original;
    CPU_ZERO(&original);
    REQUIRE(sched_getaffinity(0, sizeof(original), &original) == 0);

    const auto pinned = myelin::pin_threads(3);
    const auto mine = myelin::allowed_cpus();  // this thread is thread 0 of the team
    const auto lists = task_cpu_lists();
    REQUIRE(sched_setaffinity(0, sizeof(original), &original) == 0);  // the rest of the tests run unpinned

    const auto& cpus = *before;
    REQUIRE(pinned.size() == 3);
    for (std::size_t t = 0; t < 3; ++t) CHECK(pinned[t] == cpus[t % cpus.size()]);
    CHECK(*mine == std::vector<int>{cpus[0]});
    // The team's other threads, each alone on its CPU.
    for (std::size_t t = 1; t < 3; ++t) CHECK(std::count(lists.begin(), lists.end(), std::to_string(pinned[t])) >= 1);
}
