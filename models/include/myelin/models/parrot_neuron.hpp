#pragma once
// parrot_neuron: re-emits the spikes it receives, at their arrival time (NEST's
// parrot_neuron), so that a spike_generator's exact times can drive plastic synapses
// from a neuron. In a step in which input of total weight > 0 arrives at t_(k+1), the
// parrot fires with time stamp t_(k+1); it has no refractoriness and no membrane.
// Difference from NEST: a neuron emits at most one spike per step here, so several spikes
// arriving in the same step are repeated as one. Use positive weights (1 by convention);
// the size of the weight is ignored.
#include <myelin/simulator/model.hpp>

#include <optional>

namespace myelin::models {

struct parrot_neuron {
    static constexpr std::string_view name = "parrot_neuron";
    static constexpr std::string_view summary = "repeats each input spike at its arrival time";
    static constexpr std::string_view weight_unit = "1";

    struct params {};
    static constexpr std::array<param_field<params>, 0> param_table{};

    struct state {
        std::vector<double> received;  // total weight that arrived in the last step
    };
    static constexpr state_field<state> state_table[] = {
        {"received", &state::received, "1", "total weight of the spikes that arrived in the last step"},
    };

    struct propagators {};

    static std::optional<param_problem> check(const params&, double) { return std::nullopt; }
    static propagators prepare(const params&, double) { return {}; }
    static void resize(const params&, state& s, std::size_t n) { s.received.assign(n, 0.0); }

    static void step(const params&, const propagators&, state& s, const neuron_input& in, spike_sink& out) {
        for (std::size_t i = 0; i < s.received.size(); ++i) {
            s.received[i] = in.excitatory[i] + in.inhibitory[i];
            if (in.excitatory[i] > 0.0) out.emit(i);
        }
    }
};

}  // namespace myelin::models
