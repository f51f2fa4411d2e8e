#pragma once
// Time handling that the stimulus devices share: the steps in which a device is active
// ([start, stop)), times that must lie on the grid, and values that change at given
// times (piecewise constant schedules).
#include <myelin/simulator/model.hpp>
#include <myelin/simulator/ring_buffer.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <optional>
#include <vector>

namespace myelin::models {

// Steps k with start <= k h < stop.
struct active_steps {
    step_t first = 0, last = 0;  // [first, last)
    active_steps(double start_ms, double stop_ms, double h_ms)
        : first(static_cast<step_t>(std::llround(start_ms / h_ms))),
          last(std::isinf(stop_ms) ? std::numeric_limits<step_t>::max()
                                   : static_cast<step_t>(std::llround(stop_ms / h_ms))) {}
    step_t begin(step_t from) const { return std::max(from, first); }
    step_t end(step_t to) const { return std::min(to, last); }
};

inline std::optional<param_problem> check_start_stop(double start_ms, double stop_ms) {
    if (!(start_ms <= stop_ms))
        return param_problem{"stop", fmt::format("stop = {} ms; must be >= start = {} ms", stop_ms, start_ms)};
    return std::nullopt;
}

// Adds the current I to the targets' current row of step k.
inline void add_current(ring_buffers& ring, const std::vector<std::uint32_t>& local, step_t k, double I_pA) {
    double* row = ring.current(ring.slot_of(k + 1));
    for (auto i : local) row[i] += I_pA;
}

// Step of a time on the grid; nullopt if it is off the grid and may not move. Off-grid
// times, where allowed, move to the next grid point.
inline std::optional<step_t> grid_step(double t_ms, double h_ms, bool allow_offgrid) {
    const double steps = t_ms / h_ms;
    const double nearest = std::round(steps);
    if (std::abs(steps - nearest) <= 1e-9 * std::max(1.0, nearest)) return static_cast<step_t>(nearest);
    if (!allow_offgrid) return std::nullopt;
    return static_cast<step_t>(std::ceil(steps));
}

// A piecewise constant value on the grid: value[i] from step[i] on.
struct schedule {
    std::vector<step_t> step;
    std::vector<double> value;
    double at(step_t k) const {  // the value in force during step k (0 before the first change)
        const auto it = std::upper_bound(step.begin(), step.end(), k);
        return it == step.begin() ? 0.0 : value[static_cast<std::size_t>(it - step.begin() - 1)];
    }
};

// Checks the times/values parameters of a schedule: same length, strictly increasing, on the grid.
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

}  // namespace myelin::models
