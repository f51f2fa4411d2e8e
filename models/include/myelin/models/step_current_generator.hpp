#pragma once
// step_current_generator: a piecewise constant current (NEST's step_current_generator).
// From amplitude_times[i] on the current is amplitude_values[i], until the next time;
// before the first time (and outside [start, stop)) it is 0. Times must increase strictly
// and lie on the grid of the resolution (or, with allow_offgrid_times, move to the next
// grid point). As dc_generator, it acts from each time on exactly.
#include <myelin/models/device_time.hpp>
#include <myelin/simulator/model.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <optional>

namespace myelin::models {

struct step_current_generator {
    static constexpr std::string_view name = "step_current_generator";
    static constexpr std::string_view summary = "piecewise constant current";
    static constexpr bool emits_current = true;

    struct params {
        std::vector<double> amplitude_times_ms, amplitude_values_pA;
        bool allow_offgrid_times = false;
        double start_ms = 0.0, stop_ms = std::numeric_limits<double>::infinity();
    };
    static constexpr param_field<params> param_table[] = {
        {"amplitude_times", &params::amplitude_times_ms, "ms", constraint::nonnegative, "times of the changes, increasing"},
        {"amplitude_values", &params::amplitude_values_pA, "pA", constraint::finite, "current from each time on"},
        {"allow_offgrid_times", &params::allow_offgrid_times, "", constraint::any,
         "move times off the grid to the next grid point"},
        {"start", &params::start_ms, "ms", constraint::nonnegative, "switch-on time"},
        {"stop", &params::stop_ms, "ms", constraint::nonnegative, "switch-off time (exclusive)"},
    };
    static std::optional<param_problem> check(const params& p, double h_ms) {
        if (auto problem = check_start_stop(p.start_ms, p.stop_ms)) return problem;
        return check_schedule(p.amplitude_times_ms, p.amplitude_values_pA, "amplitude_times", "amplitude_values", h_ms,
                              p.allow_offgrid_times);
    }

    class device {
    public:
        device(const params& p, stimulus_setup s)
            : setup_(std::move(s)),
              amplitude_(make_schedule(p.amplitude_times_ms, p.amplitude_values_pA, setup_.resolution_ms,
                                       p.allow_offgrid_times)),
              active_(p.start_ms, p.stop_ms, setup_.resolution_ms) {}
        void generate(step_t from, step_t to, ring_buffers& ring) {
            for (step_t k = active_.begin(from); k < active_.end(to); ++k)
                if (const double I = amplitude_.at(k); I != 0.0) add_current(ring, setup_.local, k, I);
        }

    private:
        stimulus_setup setup_;
        schedule amplitude_;
        active_steps active_;
    };
};

}  // namespace myelin::models
