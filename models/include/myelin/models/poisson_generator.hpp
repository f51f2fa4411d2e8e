#pragma once
// poisson_generator: an independent Poisson spike train of rate `rate` for every target
// (NEST's poisson_generator connected to many neurons). Active for steps k with
// start <= k h < stop; the count of step k carries time stamp (k+1) h and reaches the
// target `delay` later, as count * weight.
//
// Drawing counts, not events: per target and step one Poisson(lambda = rate h) count by
// inversion of the CDF against one 32-bit uniform word, four steps per Philox4x32 block
// (key: seed and stimulus; counter: target gid and step / 4). The CDF is held as 32-bit
// integer thresholds with a guide table, so a draw is a table look-up and three integer
// comparisons; probabilities are resolved to 2^-32 (2.3e-10), as with any 32-bit
// generator. For lambda > 64, Boost's PTRD sampler on a stream of the same counter space.
// Any partition and any split into windows draws the same counts.
#include <myelin/core/rng.hpp>
#include <myelin/models/device_time.hpp>
#include <myelin/simulator/model.hpp>

#include <boost/random/poisson_distribution.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <array>
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
        return check_start_stop(p.start_ms, p.stop_ms);
    }

    class device {
    public:
        static constexpr double table_limit = 64.0;  // largest lambda served by the table

        device(const params& p, stimulus_setup s)
            : setup_(std::move(s)), active_(p.start_ms, p.stop_ms, setup_.resolution_ms) {
            const double h = setup_.resolution_ms;
            lambda_ = p.rate_Hz * h * 1e-3;
            key_ = rng_key_word(rng_purpose::stimulus, setup_.stimulus_index);
            if (lambda_ > 0.0 && lambda_ <= table_limit) {
                // threshold_[k] = P(X <= k) 2^32, rounded; a word x gives the count
                // #{k : x >= threshold_[k]}. The table ends where the thresholds reach 2^32.
                double pk = std::exp(-lambda_), cdf = pk;
                for (int k = 1; k < 1000; ++k) {
                    const auto t = static_cast<std::uint64_t>(std::llround(std::ldexp(cdf, 32)));
                    if (t >= (std::uint64_t{1} << 32)) break;
                    threshold_.push_back(t);
                    pk *= lambda_ / k;
                    cdf += pk;
                }
                // Guide table (Chen & Asau 1974): guide_[j] is the smallest k whose
                // threshold exceeds the smallest word of slice j (x >> 26 == j).
                for (std::size_t j = 0, k = 0; j < n_guide; ++j) {
                    while (k < threshold_.size() && threshold_[k] <= (std::uint64_t{j} << 26)) ++k;
                    guide_[j] = static_cast<std::uint32_t>(k);
                }
                threshold_.resize(threshold_.size() + 4, std::uint64_t{1} << 32);  // never reached
            }
            block_.assign(setup_.local.size(), {});
        }

        // Step by step, target by target: the writes of a step walk one ring-buffer row
        // forward. A Philox block serves four steps and waits in block_ meanwhile.
        void generate(step_t from, step_t to, ring_buffers& ring) {
            from = active_.begin(from);
            to = active_.end(to);
            if (from >= to || lambda_ <= 0.0) return;
            const std::size_t c = setup_.port;  // the receptor named, else the sign rule's
            const std::size_t n = setup_.local.size();
            const double weight = setup_.weight;
            const std::uint32_t seed = setup_.seed, key = key_;
            const global_id* __restrict gid = setup_.gid.data();
            const std::uint32_t* __restrict local = setup_.local.data();
            philox::ctr_type* __restrict block = block_.data();
            for (step_t k = from; k < to; ++k) {
                double* __restrict row = ring.row(c, ring.slot_of(k + 1 + setup_.delay_steps));
                if (threshold_.empty()) {
                    for (std::size_t t = 0; t < n; ++t) {
                        rng_stream rng(seed, key, gid[t], static_cast<std::uint64_t>(k) << 16);
                        row[local[t]] += boost::random::poisson_distribution<unsigned, double>(lambda_)(rng) * weight;
                    }
                    continue;
                }
                const auto word = static_cast<std::size_t>(k & 3);
                if (word == 0 || k == from)
                    for (std::size_t t = 0; t < n; ++t)
                        block[t] = philox_block(seed, key, gid[t], static_cast<std::uint64_t>(k >> 2));
                for (std::size_t t = 0; t < n; ++t)
                    row[local[t]] += sample(block[t][word]) * weight;  // adding 0.0 changes nothing
            }
        }

    private:
        static constexpr std::size_t n_guide = 64;

        // Smallest k with x < threshold_[k]. Branch-free for the common case of fewer than
        // three steps past the guide (thresholds increase, so the comparisons count the
        // steps): a data-dependent loop would mispredict on most draws.
        unsigned sample(std::uint32_t x) const {
            std::size_t k = guide_[x >> 26];
            while (x >= threshold_[k + 3]) k += 4;
            k += static_cast<std::size_t>(x >= threshold_[k]) + static_cast<std::size_t>(x >= threshold_[k + 1]) +
                 static_cast<std::size_t>(x >= threshold_[k + 2]);
            return static_cast<unsigned>(k);
        }

        stimulus_setup setup_;
        double lambda_ = 0.0;
        active_steps active_;
        std::uint32_t key_ = 0;
        std::vector<std::uint64_t> threshold_;  // P(X <= k) 2^32, then 4 sentinels 2^32
        std::array<std::uint32_t, n_guide> guide_{};
        std::vector<philox::ctr_type> block_;  // each target's current block of four words
    };
};

}  // namespace myelin::models
