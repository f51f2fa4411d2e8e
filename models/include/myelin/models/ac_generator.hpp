#pragma once
// ac_generator: a sinusoidal current into every target during start <= t < stop (NEST's
// ac_generator, PyNN's ACSource):
//
//     I(t) = offset + amplitude sin(2 pi frequency t + phase),
//
// t in seconds from time 0 (not from `start`), phase in degrees. Like every current device
// here the current is constant over a step: during step k (t_k = k h to t_k + h) it is
// I(t_k), and it enters the neuron like I_e, so models with exact integration stay exact
// for that piecewise constant current. It acts from `start` on exactly (NEST routes device
// currents through a one-step delay).
#include <myelin/models/device_time.hpp>
#include <myelin/simulator/model.hpp>

#include <fmt/format.h>

#include <cmath>
#include <limits>
#include <numbers>
#include <optional>

namespace myelin::models {

struct ac_generator {
    static constexpr std::string_view name = "ac_generator";
    static constexpr std::string_view summary = "sinusoidal current";
    static constexpr bool emits_current = true;

    struct params {
        double amplitude_pA = 0.0, offset_pA = 0.0, frequency_Hz = 0.0, phase_deg = 0.0, start_ms = 0.0,
               stop_ms = std::numeric_limits<double>::infinity();
    };
    static constexpr param_field<params> param_table[] = {
        {"amplitude", &params::amplitude_pA, "pA", constraint::finite, "amplitude of the sine"},
        {"offset", &params::offset_pA, "pA", constraint::finite, "constant added to the sine"},
        {"frequency", &params::frequency_Hz, "Hz", constraint::nonnegative, "frequency of the sine"},
        {"phase", &params::phase_deg, "deg", constraint::finite, "phase of the sine at t = 0"},
        {"start", &params::start_ms, "ms", constraint::nonnegative, "switch-on time"},
        {"stop", &params::stop_ms, "ms", constraint::nonnegative, "switch-off time (exclusive)"},
    };
    static std::optional<param_problem> check(const params& p, double) {
        if (!std::isfinite(p.frequency_Hz))
            return param_problem{"frequency", fmt::format("frequency = {} Hz; must be finite", p.frequency_Hz)};
        return check_start_stop(p.start_ms, p.stop_ms);
    }

    class device {
    public:
        device(const params& p, stimulus_setup s)
            : p_(p), setup_(std::move(s)), active_(p.start_ms, p.stop_ms, setup_.resolution_ms) {}
        void generate(step_t from, step_t to, ring_buffers& ring) {
            const double omega = 2.0 * std::numbers::pi * p_.frequency_Hz * 1e-3;  // rad per ms
            const double phi = p_.phase_deg * std::numbers::pi / 180.0;
            for (step_t k = active_.begin(from); k < active_.end(to); ++k) {
                const double t_ms = static_cast<double>(k) * setup_.resolution_ms;
                add_current(ring, setup_.local, k, p_.offset_pA + p_.amplitude_pA * std::sin(omega * t_ms + phi));
            }
        }

    private:
        params p_;
        stimulus_setup setup_;
        active_steps active_;
    };
};

}  // namespace myelin::models
