#pragma once
// inhomogeneous_poisson_generator: independent Poisson spike trains whose rate is
// piecewise constant (NEST's inhomogeneous_poisson_generator). From rate_times[i] on the
// rate is rate_values[i] (Hz), before the first time 0. Times increase strictly and lie
// on the grid (or, with allow_offgrid_times, move to the next grid point). As
// poisson_generator: per target and step a Poisson(rate h) count, carrying time stamp
// (k+1) h and reaching the target `delay` later as count * weight; counts are drawn by
// Boost.Random's poisson_distribution from the target's stream (key: seed and stimulus;
// counter: target gid and step), the same for any partition.
#include <myelin/core/rng.hpp>
#include <myelin/models/device_time.hpp>
#include <myelin/simulator/model.hpp>

#include <boost/random/poisson_distribution.hpp>

#include <optional>

namespace myelin::models {

struct inhomogeneous_poisson_generator {
    static constexpr std::string_view name = "inhomogeneous_poisson_generator";
    static constexpr std::string_view summary = "independent Poisson trains with a piecewise constant rate";
    static constexpr bool emits_current = false;

    struct params {
        std::vector<double> rate_times_ms, rate_values_Hz;
        bool allow_offgrid_times = false;
    };
    static constexpr param_field<params> param_table[] = {
        {"rate_times", &params::rate_times_ms, "ms", constraint::nonnegative, "times of the rate changes, increasing"},
        {"rate_values", &params::rate_values_Hz, "Hz", constraint::nonnegative, "rate from each time on"},
        {"allow_offgrid_times", &params::allow_offgrid_times, "", constraint::any,
         "move times off the grid to the next grid point"},
    };
    static std::optional<param_problem> check(const params& p, double h_ms) {
        for (std::size_t i = 0; i < p.rate_values_Hz.size(); ++i)
            if (!std::isfinite(p.rate_values_Hz[i]))
                return param_problem{fmt::format("rate_values[{}]", i), "must be finite"};
        return check_schedule(p.rate_times_ms, p.rate_values_Hz, "rate_times", "rate_values", h_ms, p.allow_offgrid_times);
    }

    class device {
    public:
        device(const params& p, stimulus_setup s)
            : setup_(std::move(s)),
              rate_(make_schedule(p.rate_times_ms, p.rate_values_Hz, setup_.resolution_ms, p.allow_offgrid_times)),
              key_(rng_key_word(rng_purpose::stimulus, setup_.stimulus_index)) {}

        void generate(step_t from, step_t to, ring_buffers& ring) {
            const std::size_t c = setup_.port;  // the receptor named, else the sign rule's
            for (step_t k = from; k < to; ++k) {
                const double lambda = rate_.at(k) * setup_.resolution_ms * 1e-3;
                if (lambda <= 0.0) continue;
                double* row = ring.row(c, ring.slot_of(k + 1 + setup_.delay_steps));
                for (std::size_t t = 0; t < setup_.local.size(); ++t) {
                    // 2^16 Philox blocks per step: a draw never reaches the next step's.
                    rng_stream rng(setup_.seed, key_, setup_.gid[t], static_cast<std::uint64_t>(k) << 16);
                    row[setup_.local[t]] += boost::random::poisson_distribution<unsigned, double>(lambda)(rng) * setup_.weight;
                }
            }
        }

    private:
        stimulus_setup setup_;
        schedule rate_;
        std::uint32_t key_;
    };
};

}  // namespace myelin::models
