#pragma once
// A trace that a plastic rule asks for (docs/plasticity.md): its time constant and its
// pairing. Presynaptic traces live per row of synapses, postsynaptic ones with the
// target's spike history (detail/post_history.hpp).
namespace myelin {

struct trace_spec {
    double tau_ms = 20.0;
    bool nearest = false;  // nearest-spike instead of all-to-all
    friend bool operator==(const trace_spec&, const trace_spec&) = default;
};

}  // namespace myelin
