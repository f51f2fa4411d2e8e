#pragma once
// CPU affinity: which CPUs this process may run on (its mask, as mpirun's binding,
// taskset or a batch system set it), and pinning the OpenMP threads to them (--pin).
#include <optional>
#include <vector>

namespace myelin {

// The CPUs in the calling thread's affinity mask, ascending; none if the system does not say.
std::optional<std::vector<int>> allowed_cpus();

// Pins thread t of an OpenMP team of `threads` to CPU cpus[t % cpus.size()] of the mask
// allowed_cpus() gives now (so threads beyond the mask's size share CPUs, as the warning
// for that says). libgomp keeps its threads between parallel regions, so later regions of
// up to `threads` threads run where they were pinned. Returns the CPU of each thread
// (-1 where the system refused); empty if the mask cannot be read.
std::vector<int> pin_threads(int threads);

}  // namespace myelin
