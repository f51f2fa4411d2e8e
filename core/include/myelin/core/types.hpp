#pragma once
// Identifiers shared by every layer: neurons and the spikes they send.
#include <myelin/core/time.hpp>

#include <cstdint>

namespace myelin {

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
