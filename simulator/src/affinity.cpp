#include <myelin/simulator/affinity.hpp>

#include <omp.h>
#include <pthread.h>
#include <sched.h>

namespace myelin {

std::optional<std::vector<int>> allowed_cpus() {
    cpu_set_t set;
    CPU_ZERO(&set);
    if (sched_getaffinity(0, sizeof(set), &set) != 0) return std::nullopt;
    std::vector<int> cpus;
    for (int c = 0; c < CPU_SETSIZE; ++c)
        if (CPU_ISSET(c, &set)) cpus.push_back(c);
    return cpus;
}

std::vector<int> pin_threads(int threads) {
    const auto cpus = allowed_cpus();
    if (!cpus || cpus->empty() || threads < 1) return {};
    std::vector<int> chosen(static_cast<std::size_t>(threads), -1);
    omp_set_dynamic(0);
#pragma omp parallel num_threads(threads)
    {
        const auto t = static_cast<std::size_t>(omp_get_thread_num());
        const int cpu = (*cpus)[t % cpus->size()];
        cpu_set_t one;
        CPU_ZERO(&one);
        CPU_SET(cpu, &one);
        if (pthread_setaffinity_np(pthread_self(), sizeof(one), &one) == 0) chosen[t] = cpu;
    }
    return chosen;
}

}  // namespace myelin
