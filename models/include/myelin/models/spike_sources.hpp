#pragma once
// Spike sources as populations (PyNN's SpikeSourcePoisson, SpikeSourceGamma and
// SpikeSourcePoissonRefractory; Brian2's PoissonGroup): neurons without input whose
// spikes are drawn, so that they can be connected by any rule, recorded, and given
// parameters per neuron like other neurons. Each is active in the steps k with
// start <= k h < stop (as the stimulus devices); a spike drawn in step k carries the time
// stamp (k + 1) h. A source emits at most one spike per step.
//
// Random numbers: one Philox4x32 block per (seed, neuron's global id, step), so a neuron's
// train is the same for any partition, thread count or checkpoint split.
//
// spike_source_poisson (rate r): a Bernoulli process with P(spike in a step) = r h, so
//   the mean rate is r exactly (r h <= 1 required); intervals are geometric, the discrete
//   exponential (Brian2's PoissonGroup). NEST's poisson_generator draws counts instead.
// spike_source_gamma (shape alpha, a whole number; rate beta): a gamma renewal process,
//   the alpha-th event of a Poisson process of rate beta (Poisson counts per step, of mean
//   beta h); each time `phase` reaches alpha the source fires and alpha events are taken
//   away (PyNN's SpikeSourceGamma, NEST's gamma_sup_generator with one process; all
//   sources start at phase 0 at `start`). Mean interval alpha/beta, CV 1/sqrt(alpha).
// spike_source_poisson_refractory (rate r, dead time d; r d < 1): after a spike no spike
//   for d (n = round(d/h) steps, so no interval is shorter than d), then a spike in each
//   step with probability p = h / (1/r - (n - 1) h), which makes the mean interval 1/r
//   exactly (PyNN's SpikeSourcePoissonRefractory, NEST's ppd_sup_generator with one
//   process: a Poisson process with dead time, whose hazard after d is r / (1 - r d)).
#include <myelin/core/rng.hpp>
#include <myelin/models/device_time.hpp>
#include <myelin/simulator/model.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <optional>

namespace myelin::models {

namespace detail {

// The block of neuron `i` (of the step's shard) in step `in.step`.
inline philox::ctr_type source_block(const neuron_input& in, std::size_t i) {
    return philox_block(in.seed, rng_key_word(rng_purpose::spike_source, 0), in.first_gid + i,
                        static_cast<std::uint64_t>(in.step));
}
// A uniform number in (0, 1) from a 32-bit word.
inline double unit(std::uint32_t w) { return (static_cast<double>(w) + 0.5) * 0x1p-32; }

inline std::optional<param_problem> check_rate_step(double rate_Hz, double h_ms, const char* key) {
    if (!(rate_Hz * h_ms * 1e-3 <= 1.0))
        return param_problem{key, fmt::format("{} = {} Hz; at most one spike per step of {} ms, so must be <= {} Hz",
                                              key, rate_Hz, h_ms, 1e3 / h_ms)};
    return std::nullopt;
}

}  // namespace detail

struct spike_source_poisson {
    static constexpr std::string_view name = "spike_source_poisson";
    static constexpr std::string_view summary = "Poisson spike source (Bernoulli per step), a population";
    static constexpr std::string_view weight_unit = "1";

    struct params {
        double rate_Hz = 1.0, start_ms = 0.0, stop_ms = std::numeric_limits<double>::infinity();
    };
    static constexpr param_field<params> param_table[] = {
        {"rate", &params::rate_Hz, "Hz", constraint::nonnegative, "mean rate"},
        {"start", &params::start_ms, "ms", constraint::nonnegative, "first active time"},
        {"stop", &params::stop_ms, "ms", constraint::nonnegative, "end of activity (exclusive)"},
    };
    struct state {
        std::vector<double> spikes;
    };
    static constexpr state_field<state> state_table[] = {{"spikes", &state::spikes, "1", "spikes emitted so far"}};
    struct propagators {
        double p;
        active_steps active;
    };

    static std::optional<param_problem> check(const params& p, double h) {
        if (auto problem = detail::check_rate_step(p.rate_Hz, h, "rate")) return problem;
        return check_start_stop(p.start_ms, p.stop_ms);
    }
    static propagators prepare(const params& p, double h) { return {p.rate_Hz * h * 1e-3, {p.start_ms, p.stop_ms, h}}; }
    static void resize(const params&, state& s, std::size_t n) { s.spikes.assign(n, 0.0); }

    static void step(const params&, const propagators& k, state& s, const neuron_input& in, spike_sink& out) {
        if (in.step < k.active.first || in.step >= k.active.last || k.p <= 0.0) return;
        for (std::size_t i = 0; i < s.spikes.size(); ++i)
            if (detail::unit(detail::source_block(in, i)[0]) < k.p) {
                s.spikes[i] += 1.0;
                out.emit(i);
            }
    }
};

struct spike_source_gamma {
    static constexpr std::string_view name = "spike_source_gamma";
    static constexpr std::string_view summary = "gamma renewal spike source (whole-number shape), a population";
    static constexpr std::string_view weight_unit = "1";

    struct params {
        double alpha = 2.0, beta_Hz = 1.0, start_ms = 0.0, stop_ms = std::numeric_limits<double>::infinity();
    };
    static constexpr param_field<params> param_table[] = {
        {"alpha", &params::alpha, "", constraint::positive, "shape: events of the underlying Poisson process per spike"},
        {"beta", &params::beta_Hz, "Hz", constraint::nonnegative, "rate of the underlying Poisson process (spike rate beta/alpha)"},
        {"start", &params::start_ms, "ms", constraint::nonnegative, "first active time"},
        {"stop", &params::stop_ms, "ms", constraint::nonnegative, "end of activity (exclusive)"},
    };
    struct state {
        std::vector<double> phase, spikes;
    };
    static constexpr state_field<state> state_table[] = {
        {"phase", &state::phase, "1", "events of the underlying Poisson process since the last spike"},
        {"spikes", &state::spikes, "1", "spikes emitted so far"},
    };
    struct propagators {
        double lambda, exp_minus_lambda;
        active_steps active;
    };

    static std::optional<param_problem> check(const params& p, double h) {
        if (p.alpha != std::round(p.alpha) || p.alpha > 1e6)
            return param_problem{"alpha", fmt::format("alpha = {}; must be a whole number (1 to 1e6)", p.alpha)};
        if (!(p.beta_Hz * h * 1e-3 <= 64.0))
            return param_problem{"beta", fmt::format("beta = {} Hz; must be <= {} Hz (64 events per step)", p.beta_Hz,
                                                     64e3 / h)};
        if (auto problem = detail::check_rate_step(p.beta_Hz / p.alpha, h, "beta")) return problem;
        return check_start_stop(p.start_ms, p.stop_ms);
    }
    static propagators prepare(const params& p, double h) {
        const double lambda = p.beta_Hz * h * 1e-3;
        return {lambda, std::exp(-lambda), {p.start_ms, p.stop_ms, h}};
    }
    static void resize(const params&, state& s, std::size_t n) {
        s.phase.assign(n, 0.0);
        s.spikes.assign(n, 0.0);
    }

    // Poisson(lambda) by inversion of its CDF against u.
    static double count(double u, double lambda, double e) {
        double k = 0.0, pk = e, cdf = e;
        while (u > cdf && pk > 0.0) {
            k += 1.0;
            pk *= lambda / k;
            cdf += pk;
        }
        return k;
    }
    static void step(const params& p, const propagators& k, state& s, const neuron_input& in, spike_sink& out) {
        if (in.step < k.active.first || in.step >= k.active.last || k.lambda <= 0.0) return;
        for (std::size_t i = 0; i < s.phase.size(); ++i) {
            s.phase[i] += count(detail::unit(detail::source_block(in, i)[0]), k.lambda, k.exp_minus_lambda);
            if (s.phase[i] >= p.alpha) {
                s.phase[i] -= p.alpha;  // a rare second spike in the step waits for the next
                s.spikes[i] += 1.0;
                out.emit(i);
            }
        }
    }
};

struct spike_source_poisson_refractory {
    static constexpr std::string_view name = "spike_source_poisson_refractory";
    static constexpr std::string_view summary = "Poisson spike source with dead time, a population";
    static constexpr std::string_view weight_unit = "1";

    struct params {
        double rate_Hz = 1.0, tau_refrac_ms = 0.1, start_ms = 0.0, stop_ms = std::numeric_limits<double>::infinity();
    };
    static constexpr param_field<params> param_table[] = {
        {"rate", &params::rate_Hz, "Hz", constraint::nonnegative, "mean rate"},
        {"tau_refrac", &params::tau_refrac_ms, "ms", constraint::nonnegative, "dead time after a spike"},
        {"start", &params::start_ms, "ms", constraint::nonnegative, "first active time"},
        {"stop", &params::stop_ms, "ms", constraint::nonnegative, "end of activity (exclusive)"},
    };
    struct state {
        std::vector<double> spikes;
        std::vector<std::int32_t> refractory_steps;
    };
    static constexpr state_field<state> state_table[] = {{"spikes", &state::spikes, "1", "spikes emitted so far"}};
    static constexpr counter_field<state> counter_table[] = {{"refractory_steps", &state::refractory_steps}};
    struct propagators {
        double p;
        std::int32_t dead_steps;
        active_steps active;
    };

    static std::int32_t dead_steps(const params& p, double h) {
        return std::max<std::int32_t>(1, static_cast<std::int32_t>(std::lround(p.tau_refrac_ms / h)));
    }
    static std::optional<param_problem> check(const params& p, double h) {
        const double interval_ms = 1e3 / p.rate_Hz;
        if (p.rate_Hz > 0.0 && !(interval_ms - (dead_steps(p, h) - 1) * h >= h))
            return param_problem{"rate", fmt::format("rate = {} Hz; the mean interval {} ms must be >= the dead time "
                                                     "tau_refrac = {} ms",
                                                     p.rate_Hz, interval_ms, dead_steps(p, h) * h)};
        return check_start_stop(p.start_ms, p.stop_ms);
    }
    static propagators prepare(const params& p, double h) {
        const std::int32_t n = dead_steps(p, h);
        const double prob = p.rate_Hz > 0.0 ? h / (1e3 / p.rate_Hz - (n - 1) * h) : 0.0;
        return {prob, n - 1, {p.start_ms, p.stop_ms, h}};
    }
    static void resize(const params&, state& s, std::size_t n) {
        s.spikes.assign(n, 0.0);
        s.refractory_steps.assign(n, 0);
    }
    static void step(const params&, const propagators& k, state& s, const neuron_input& in, spike_sink& out) {
        if (in.step < k.active.first || in.step >= k.active.last || k.p <= 0.0) return;
        for (std::size_t i = 0; i < s.spikes.size(); ++i) {
            if (s.refractory_steps[i] > 0) {
                --s.refractory_steps[i];
            } else if (detail::unit(detail::source_block(in, i)[0]) < k.p) {
                s.refractory_steps[i] = k.dead_steps;
                s.spikes[i] += 1.0;
                out.emit(i);
            }
        }
    }
};

// spike_source_array: fires at the listed times (PyNN's SpikeSourceArray; NEST's
// spike_generator as a population, without a parrot): a time t on the grid gives a spike
// stamped t, one off the grid moves to the end of its step (ceil(t/h) h); a time listed
// twice, or two in one step, give one spike. Times must be > 0 (the first step ends at h)
// and non-decreasing. Lists differ per neuron as `"spike_times": [[...], [...], ...]`.
struct spike_source_array {
    static constexpr std::string_view name = "spike_source_array";
    static constexpr std::string_view summary = "fires at listed times, a population";
    static constexpr std::string_view weight_unit = "1";

    struct params {
        std::vector<double> spike_times_ms;
    };
    static constexpr param_field<params> param_table[] = {
        {"spike_times", &params::spike_times_ms, "ms", constraint::nonnegative, "times of the spikes, > 0, non-decreasing"},
    };
    struct state {
        std::vector<double> spikes;
        std::vector<std::int32_t> next;  // index of the next time to fire at
    };
    static constexpr state_field<state> state_table[] = {{"spikes", &state::spikes, "1", "spikes emitted so far"}};
    static constexpr counter_field<state> counter_table[] = {{"next", &state::next}};
    struct propagators {
        std::vector<step_t> steps;  // the step whose end each time is stamped with
    };

    static std::optional<param_problem> check(const params& p, double) {
        const auto& t = p.spike_times_ms;
        if (t.size() > static_cast<std::size_t>(std::numeric_limits<std::int32_t>::max()))
            return param_problem{"spike_times", fmt::format("{} times; at most 2^31 - 1", t.size())};
        for (std::size_t i = 0; i < t.size(); ++i) {
            if (!(t[i] > 0.0) || !std::isfinite(t[i]))
                return param_problem{"spike_times", fmt::format("spike time {} ms (entry {}); must be > 0 and finite (the "
                                                                "first step ends at the resolution)", t[i], i)};
            if (i > 0 && t[i] < t[i - 1])
                return param_problem{"spike_times", fmt::format("spike time {} ms (entry {}) is before {} ms; times must "
                                                                "not decrease", t[i], i, t[i - 1])};
        }
        return std::nullopt;
    }
    static propagators prepare(const params& p, double h) {
        propagators k;
        for (const double t : p.spike_times_ms) k.steps.push_back(*grid_step(t, h, true) - 1);
        return k;
    }
    static void resize(const params&, state& s, std::size_t n) {
        s.spikes.assign(n, 0.0);
        s.next.assign(n, 0);
    }
    static void step(const params&, const propagators& k, state& s, const neuron_input& in, spike_sink& out) {
        const auto last = static_cast<std::int32_t>(k.steps.size());
        for (std::size_t i = 0; i < s.spikes.size(); ++i) {
            std::int32_t& j = s.next[i];
            // After the times change between runs (PyNN's set, Network.set_params) the index
            // may point past times still to come: step back to the first time not yet due.
            j = std::min(j, last);
            while (j > 0 && k.steps[static_cast<std::size_t>(j - 1)] >= in.step) --j;
            while (j < last && k.steps[static_cast<std::size_t>(j)] < in.step) ++j;
            if (j < last && k.steps[static_cast<std::size_t>(j)] == in.step) {
                s.spikes[i] += 1.0;
                out.emit(i);
                while (j < last && k.steps[static_cast<std::size_t>(j)] == in.step) ++j;
            }
        }
    }
};

}  // namespace myelin::models
