#pragma once
#include <cstdint>

namespace myelin {

using step_t = std::int64_t;  // simulation time in steps of the resolution h
using global_id = std::uint64_t;  // global neuron id: population offset + index

// A spike as the exchange sees it: the step at whose end it was emitted (its time stamp
// is (step + 1) * h) and the sender. Sorting by (step, gid) fixes the delivery order.
struct spike {
    step_t step;
    global_id gid;
    friend bool operator<(const spike& a, const spike& b) {
        return a.step != b.step ? a.step < b.step : a.gid < b.gid;
    }
    friend bool operator==(const spike&, const spike&) = default;
};

}  // namespace myelin
