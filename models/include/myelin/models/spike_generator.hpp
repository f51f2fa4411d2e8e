#pragma once
// spike_generator: emits spikes at given times to every target (NEST's spike_generator).
// A spike at time t (ms) with delay d reaches its targets at t + d, as count * weight
// when a time is listed several times. Times must be > 0 and non-descending. They must
// lie on the grid of the resolution, unless allow_offgrid_times is set: then a time off
// the grid is moved to the end of the step it falls in (as NEST does).
#include <myelin/models/device_time.hpp>
#include <myelin/simulator/model.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <optional>
#include <vector>

namespace myelin::models {

struct spike_generator {
    static constexpr std::string_view name = "spike_generator";
    static constexpr std::string_view summary = "spikes at given times";
    static constexpr bool emits_current = false;

    struct params {
        std::vector<double> spike_times_ms;
        bool allow_offgrid_times = false;
    };
    static constexpr param_field<params> param_table[] = {
        {"spike_times", &params::spike_times_ms, "ms", constraint::positive, "spike times, non-descending"},
        {"allow_offgrid_times", &params::allow_offgrid_times, "", constraint::any,
         "move times off the grid to the end of their step"},
    };

    static std::optional<param_problem> check(const params& p, double h_ms) {
        const auto& t = p.spike_times_ms;
        for (std::size_t i = 0; i < t.size(); ++i) {
            if (i > 0 && t[i] < t[i - 1])
                return param_problem{fmt::format("spike_times[{}]", i),
                                     fmt::format("spike time {} ms follows {} ms; times must be non-descending", t[i],
                                                 t[i - 1])};
            if (!grid_step(t[i], h_ms, p.allow_offgrid_times))
                return param_problem{fmt::format("spike_times[{}]", i),
                                     fmt::format("spike time {} ms is not a multiple of the resolution {} ms; "
                                                 "set allow_offgrid_times to move it to the grid",
                                                 t[i], h_ms)};
        }
        return std::nullopt;
    }

    class device {
    public:
        device(const params& p, stimulus_setup s) : setup_(std::move(s)) {
            for (double t : p.spike_times_ms)
                stamps_.push_back(*grid_step(t, setup_.resolution_ms, p.allow_offgrid_times));
        }
        // A spike stamped (k+1) h belongs to step k.
        void generate(step_t from, step_t to, ring_buffers& ring) {
            const std::size_t c = setup_.port;  // the receptor named, else the sign rule's
            auto it = std::lower_bound(stamps_.begin(), stamps_.end(), from + 1);
            for (; it != stamps_.end() && *it <= to; ++it) {
                double* row = ring.row(c, ring.slot_of(*it + setup_.delay_steps));
                for (auto i : setup_.local) row[i] += setup_.weight;
            }
        }

    private:
        stimulus_setup setup_;
        std::vector<step_t> stamps_;
    };
};

}  // namespace myelin::models
