#pragma once
// Simulation time: whole steps of the resolution h (ms). A spike emitted in step s has the
// time stamp (s + 1) * h; durations and delays become steps by rounding to the nearest step.
#include <cmath>
#include <cstdint>

namespace myelin {

using step_t = std::int64_t;  // simulation time in steps of the resolution h

// Whole steps for a duration; a delay rounds to the nearest step (as NEST does).
inline step_t ms_to_steps(double ms, double resolution_ms) {
    return static_cast<step_t>(std::llround(ms / resolution_ms));
}

}  // namespace myelin
