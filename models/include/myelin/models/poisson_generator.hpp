#pragma once
// poisson_generator: an independent Poisson spike train of rate `rate` for every target
// (NEST's poisson_generator connected to many neurons). Active for steps k with
// start <= k h < stop; the count of step k carries time stamp (k+1) h and reaches the
// target `delay` later, as count * weight.
//
// Drawing counts, not events: per target and step one Poisson(lambda = rate h) count by
// inversion of a cached CDF table with one 53-bit uniform, two steps per Philox block
// (key: seed and stimulus, counter: target gid and step / 2); for lambda > 64 Boost's
// PTRD sampler on a stream of the same counter space. Any partition draws the same counts.
#include <myelin/simulator/model.hpp>
#include <myelin/simulator/rng.hpp>

#include <boost/random/poisson_distribution.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <optional>

namespace myelin::models {

struct poisson_generator {
    static constexpr std::string_view name = "poisson_generator";
    static constexpr std::string_view summary = "independent Poisson spike train per target";
    static constexpr bool emits_current = false;

    struct params {
        double rate_Hz = 0.0, start_ms = 0.0, stop_ms = std::numeric_limits<double>::infinity();
    };
    static constexpr param_field<params> param_table[] = {
        {"rate", &params::rate_Hz, "Hz", constraint::nonnegative, "mean rate of each train"},
        {"start", &params::start_ms, "ms", constraint::nonnegative, "first active time"},
        {"stop", &params::stop_ms, "ms", constraint::nonnegative, "end of activity (exclusive)"},
    };
    static std::optional<param_problem> check(const params& p, double) {
        if (!std::isfinite(p.rate_Hz)) return param_problem{"rate", fmt::format("rate = {} Hz; must be finite", p.rate_Hz)};
        if (!(p.start_ms <= p.stop_ms))
            return param_problem{"stop", fmt::format("stop = {} ms; must be >= start = {} ms", p.stop_ms, p.start_ms)};
        return std::nullopt;
    }

    class device {
    public:
        static constexpr double table_limit = 64.0;  // largest lambda served by the table

        device(const params& p, stimulus_setup s) : setup_(std::move(s)) {
            const double h = setup_.resolution_ms;
            lambda_ = p.rate_Hz * h * 1e-3;
            first_ = static_cast<step_t>(std::llround(p.start_ms / h));
            last_ = std::isinf(p.stop_ms) ? std::numeric_limits<step_t>::max()
                                          : static_cast<step_t>(std::llround(p.stop_ms / h));
            key_ = rng_key_word(rng_purpose::stimulus, setup_.stimulus_index);
            if (lambda_ > 0.0 && lambda_ <= table_limit) {
                // P(X <= k) until the remaining tail is below the uniform's resolution.
                double pk = std::exp(-lambda_), cdf = pk;
                for (int k = 1; cdf < 1.0 - 0x1.0p-53 && k < 1000; ++k) {
                    cdf_.push_back(cdf);
                    pk *= lambda_ / k;
                    cdf += pk;
                }
            }
        }

        void generate(step_t from, step_t to, ring_buffers& ring) {
            from = std::max(from, first_);
            to = std::min(to, last_);
            if (from >= to || lambda_ <= 0.0) return;
            const channel c = setup_.weight >= 0.0 ? channel::excitatory : channel::inhibitory;
            double* const row0 = ring.row(c, 0);
            const std::size_t stride = ring.n_neurons(), n_slots = ring.n_slots();
            for (std::size_t t = 0; t < setup_.local.size(); ++t) {
                const global_id gid = setup_.gid[t];
                double* const target = row0 + setup_.local[t];
                std::size_t slot = ring.slot_of(from + 1 + setup_.delay_steps);
                philox::ctr_type block{};
                for (step_t k = from; k < to; ++k) {
                    unsigned count;
                    if (cdf_.empty()) {
                        rng_stream rng(setup_.seed, key_, gid, static_cast<std::uint64_t>(k) << 16);
                        count = boost::random::poisson_distribution<unsigned, double>(lambda_)(rng);
                    } else {
                        if (k == from || (k & 1) == 0)
                            block = philox_block(setup_.seed, key_, gid, static_cast<std::uint64_t>(k >> 1));
                        const int w = static_cast<int>(k & 1) * 2;
                        const double u = u01_from_words(block[w], block[w + 1]);
                        count = 0;
                        while (count < cdf_.size() && u >= cdf_[count]) ++count;
                    }
                    if (count != 0) target[slot * stride] += count * setup_.weight;
                    if (++slot == n_slots) slot = 0;
                }
            }
        }

    private:
        stimulus_setup setup_;
        double lambda_ = 0.0;
        step_t first_ = 0, last_ = 0;
        std::uint32_t key_ = 0;
        std::vector<double> cdf_;  // cdf_[k] = P(X <= k)
    };
};

}  // namespace myelin::models
