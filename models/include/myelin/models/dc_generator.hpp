#pragma once
// dc_generator: a constant current `amplitude` into every target during start <= t < stop
// (NEST's dc_generator). The current is constant over each step it covers and enters the
// neuron like I_e, so models with exact integration stay exact. Unlike NEST, which routes
// the current through a one-step device delay, it acts from `start` on exactly.
#include <myelin/models/device_time.hpp>
#include <myelin/simulator/model.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <optional>

namespace myelin::models {

struct dc_generator {
    static constexpr std::string_view name = "dc_generator";
    static constexpr std::string_view summary = "constant current";
    static constexpr bool emits_current = true;

    struct params {
        double amplitude_pA = 0.0, start_ms = 0.0, stop_ms = std::numeric_limits<double>::infinity();
    };
    static constexpr param_field<params> param_table[] = {
        {"amplitude", &params::amplitude_pA, "pA", constraint::finite, "current"},
        {"start", &params::start_ms, "ms", constraint::nonnegative, "switch-on time"},
        {"stop", &params::stop_ms, "ms", constraint::nonnegative, "switch-off time (exclusive)"},
    };
    static std::optional<param_problem> check(const params& p, double) {
        return check_start_stop(p.start_ms, p.stop_ms);
    }

    class device {
    public:
        device(const params& p, stimulus_setup s)
            : amplitude_pA_(p.amplitude_pA), setup_(std::move(s)), active_(p.start_ms, p.stop_ms, setup_.resolution_ms) {}
        void generate(step_t from, step_t to, ring_buffers& ring) {
            for (step_t k = active_.begin(from); k < active_.end(to); ++k) add_current(ring, setup_.local, k, amplitude_pA_);
        }

    private:
        double amplitude_pA_;
        stimulus_setup setup_;
        active_steps active_;
    };
};

}  // namespace myelin::models
