#pragma once
// step_current_generator: a piecewise constant current (NEST's step_current_generator).
// From amplitude_times[i] on the current is amplitude_values[i], until the next time;
// before the first time (and outside [start, stop)) it is 0. Times must increase strictly
// and lie on the grid of the resolution (or, with allow_offgrid_times, move to the next
// grid point). As dc_generator, it acts from each time on exactly.
#include <myelin/simulator/model.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <optional>

namespace myelin::models {

// Step of a time on the grid; nullopt if off the grid and not allowed to move.
inline std::optional<step_t> grid_step(double t_ms, double h_ms, bool allow_offgrid) {
    const double steps = t_ms / h_ms;
    const double nearest = std::round(steps);
    if (std::abs(steps - nearest) <= 1e-9 * std::max(1.0, nearest)) return static_cast<step_t>(nearest);
    if (!allow_offgrid) return std::nullopt;
    return static_cast<step_t>(std::ceil(steps));
}

// A piecewise constant value on the grid: value[i] from step[i] on. Shared by the devices
// whose parameter changes at given times.
struct schedule {
    std::vector<step_t> step;
    std::vector<double> value;
    double at(step_t k) const {  // the value in force during step k (0 before the first change)
        const auto it = std::upper_bound(step.begin(), step.end(), k);
        return it == step.begin() ? 0.0 : value[static_cast<std::size_t>(it - step.begin() - 1)];
    }
};

// Checks times/values parameters of a schedule: same length, strictly increasing, on the grid.
inline std::optional<param_problem> check_schedule(const std::vector<double>& times, const std::vector<double>& values,
                                                   const char* times_key, const char* values_key, double h_ms,
                                                   bool allow_offgrid) {
    if (times.size() != values.size())
        return param_problem{values_key, fmt::format("{} values for {} times; need one value per time",
                                                     values.size(), times.size())};
    std::optional<step_t> previous;
    for (std::size_t i = 0; i < times.size(); ++i) {
        const auto k = grid_step(times[i], h_ms, allow_offgrid);
        if (!k)
            return param_problem{fmt::format("{}[{}]", times_key, i),
                                 fmt::format("{} ms is not a multiple of the resolution {} ms; set allow_offgrid_times "
                                             "to move it to the grid", times[i], h_ms)};
        if (previous && *k <= *previous)
            return param_problem{fmt::format("{}[{}]", times_key, i),
                                 fmt::format("{} ms does not come after {} ms on the grid; times must increase strictly",
                                             times[i], times[i - 1])};
        previous = k;
    }
    return std::nullopt;
}

inline schedule make_schedule(const std::vector<double>& times, const std::vector<double>& values, double h_ms,
                              bool allow_offgrid) {
    schedule s;
    for (std::size_t i = 0; i < times.size(); ++i) {
        s.step.push_back(*grid_step(times[i], h_ms, allow_offgrid));
        s.value.push_back(values[i]);
    }
    return s;
}

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
        if (!(p.start_ms <= p.stop_ms))
            return param_problem{"stop", fmt::format("stop = {} ms; must be >= start = {} ms", p.stop_ms, p.start_ms)};
        return check_schedule(p.amplitude_times_ms, p.amplitude_values_pA, "amplitude_times", "amplitude_values", h_ms,
                              p.allow_offgrid_times);
    }

    class device {
    public:
        device(const params& p, stimulus_setup s)
            : setup_(std::move(s)),
              amplitude_(make_schedule(p.amplitude_times_ms, p.amplitude_values_pA, setup_.resolution_ms,
                                       p.allow_offgrid_times)) {
            const double h = setup_.resolution_ms;
            first_ = static_cast<step_t>(std::llround(p.start_ms / h));
            last_ = std::isinf(p.stop_ms) ? std::numeric_limits<step_t>::max()
                                          : static_cast<step_t>(std::llround(p.stop_ms / h));
        }
        void generate(step_t from, step_t to, ring_buffers& ring) {
            for (step_t k = std::max(from, first_); k < std::min(to, last_); ++k) {
                const double I = amplitude_.at(k);
                if (I == 0.0) continue;
                double* row = ring.row(channel::current, ring.slot_of(k + 1));
                for (auto i : setup_.local) row[i] += I;
            }
        }

    private:
        stimulus_setup setup_;
        schedule amplitude_;
        step_t first_ = 0, last_ = 0;
    };
};

}  // namespace myelin::models
