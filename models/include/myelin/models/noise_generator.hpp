#pragma once
// noise_generator: a Gaussian white-noise current, piecewise constant over intervals of
// dt (NEST's noise_generator without its sinusoidal modulation of std). Every target
// gets its own independent current: from start on, interval j (steps [start + j n,
// start + (j+1) n), n = dt/h) carries mean + std N_j, N_j ~ N(0, 1) drawn from the
// target's stream (key: seed and stimulus; counter: target gid and j), so that any
// partition and any split of the run draws the same currents.
// dt must be a multiple of the resolution. As with NEST, the membrane's response depends
// on dt: the variance of the filtered current scales with dt for dt << tau_m.
#include <myelin/core/rng.hpp>
#include <myelin/models/device_time.hpp>
#include <myelin/simulator/model.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <optional>

namespace myelin::models {

struct noise_generator {
    static constexpr std::string_view name = "noise_generator";
    static constexpr std::string_view summary = "Gaussian current, independent per target, constant over dt";
    static constexpr bool emits_current = true;

    struct params {
        double mean_pA = 0.0, std_pA = 0.0, dt_ms = 1.0, start_ms = 0.0,
               stop_ms = std::numeric_limits<double>::infinity();
    };
    static constexpr param_field<params> param_table[] = {
        {"mean", &params::mean_pA, "pA", constraint::finite, "mean current"},
        {"std", &params::std_pA, "pA", constraint::nonnegative, "standard deviation of the current"},
        {"dt", &params::dt_ms, "ms", constraint::positive, "interval between new values, a multiple of the resolution"},
        {"start", &params::start_ms, "ms", constraint::nonnegative, "switch-on time"},
        {"stop", &params::stop_ms, "ms", constraint::nonnegative, "switch-off time (exclusive)"},
    };
    static std::optional<param_problem> check(const params& p, double h_ms) {
        if (!std::isfinite(p.std_pA)) return param_problem{"std", fmt::format("std = {} pA; must be finite", p.std_pA)};
        const double n = p.dt_ms / h_ms;
        if (std::abs(n - std::round(n)) > 1e-9 * std::max(1.0, n) || std::round(n) < 1.0)
            return param_problem{"dt", fmt::format("dt = {} ms; must be a multiple of the resolution {} ms", p.dt_ms, h_ms)};
        return check_start_stop(p.start_ms, p.stop_ms);
    }

    class device {
    public:
        device(const params& p, stimulus_setup s)
            : p_(p), setup_(std::move(s)), active_(p.start_ms, p.stop_ms, setup_.resolution_ms) {
            const double h = setup_.resolution_ms;
            interval_ = static_cast<step_t>(std::llround(p.dt_ms / h));
            key_ = rng_key_word(rng_purpose::stimulus, setup_.stimulus_index);
        }
        void generate(step_t from, step_t to, ring_buffers& ring) {
            const step_t begin = active_.begin(from), end = active_.end(to);
            for (step_t k = begin; k < end;) {
                const step_t j = (k - active_.first) / interval_;
                const step_t k_end = std::min(end, active_.first + (j + 1) * interval_);
                for (std::size_t t = 0; t < setup_.local.size(); ++t) {
                    // 2^16 Philox blocks per interval: a normal draw never reaches the next one.
                    rng_stream rng(setup_.seed, key_, setup_.gid[t], static_cast<std::uint64_t>(j) << 16);
                    const double I = p_.mean_pA + p_.std_pA * rng.normal();
                    for (step_t q = k; q < k_end; ++q) ring.current(ring.slot_of(q + 1))[setup_.local[t]] += I;
                }
                k = k_end;
            }
        }

    private:
        params p_;
        stimulus_setup setup_;
        active_steps active_;
        step_t interval_ = 1;
        std::uint32_t key_ = 0;
    };
};

}  // namespace myelin::models
