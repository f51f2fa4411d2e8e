#pragma once
// stdp_dopamine_synapse: reward-modulated STDP with an eligibility trace (Izhikevich 2007,
// Cereb Cortex 17:2443), as NEST's stdp_dopamine_synapse (Potjans, Morrison & Diesmann
// 2010, Front Comput Neurosci 4:141). STDP does not change the weight; it charges an
// eligibility trace c, and the weight follows c times the dopamine concentration n:
//
//   dc/dt = -c / tau_c + A_plus x(t) sum_post delta(t - t_post - d)
//                      - A_minus y(t) sum_pre delta(t - t_pre)
//   dn/dt = -n / tau_n + sum_dopa delta(t - t_dopa) / tau_n
//   dw/dt = c (n - b),  clipped to [Wmin, Wmax]
//
// x is the presynaptic trace (all-to-all, tau_plus), y the postsynaptic one (all-to-all,
// tau_minus), each read when the other spike reaches the synapse (as in stdp_synapse; the
// delay d is dendritic). Each dopamine spike adds 1/tau_n to n, so it carries unit area:
// with c constant it moves the weight by c. b is the baseline concentration. Dopamine
// spikes come from a population named in the projection's `modulator` (NEST's
// volume_transmitter); every spike of it reaches all synapses of the projection `delay`
// after it was emitted.
//
// Between events c and n decay exponentially, so the weight is integrated exactly:
//   w(t0 + D) = w(t0) + c0 [n0 tau_s (1 - e^(-D/tau_s)) - b tau_c (1 - e^(-D/tau_c))],
// with tau_s = tau_c tau_n / (tau_c + tau_n), segment by segment between the postsynaptic
// and dopamine spikes that reach the synapse, and clipped at each segment's end (as NEST).
// Updates are applied when a presynaptic spike passes (so a weight recorder's snapshot
// shows the weight as of the synapse's last presynaptic spike). Differences from NEST:
// tau_minus belongs to the synapse, not the neuron; NEST also brings every synapse up to
// date at fixed intervals, which changes no transmitted weight.
#include <myelin/simulator/model.hpp>
#include <myelin/simulator/detail/post_history.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <optional>
#include <stdexcept>

namespace myelin::models {

struct stdp_dopamine_synapse {
    static constexpr std::string_view name = "stdp_dopamine_synapse";
    static constexpr std::string_view summary = "reward-modulated STDP, eligibility trace (Izhikevich 2007); needs a modulator";

    struct params {
        double A_plus = 1.0, A_minus = 1.5, tau_plus_ms = 20.0, tau_minus_ms = 20.0, tau_c_ms = 1000.0,
               tau_n_ms = 200.0, b = 0.0, Wmin = 0.0, Wmax = 200.0;
    };
    static constexpr param_field<params> param_table[] = {
        {"A_plus", &params::A_plus, "", constraint::nonnegative, "eligibility per pre-before-post pair"},
        {"A_minus", &params::A_minus, "", constraint::nonnegative, "eligibility removed per post-before-pre pair"},
        {"tau_plus", &params::tau_plus_ms, "ms", constraint::positive, "presynaptic trace (potentiation window)"},
        {"tau_minus", &params::tau_minus_ms, "ms", constraint::positive, "postsynaptic trace (depression window)"},
        {"tau_c", &params::tau_c_ms, "ms", constraint::positive, "eligibility trace time constant"},
        {"tau_n", &params::tau_n_ms, "ms", constraint::positive, "dopamine time constant"},
        {"b", &params::b, "1/ms", constraint::finite, "baseline dopamine concentration"},
        {"Wmin", &params::Wmin, "", constraint::finite, "lower bound of the weight (target's weight unit)"},
        {"Wmax", &params::Wmax, "", constraint::finite, "upper bound of the weight"},
    };

    static std::optional<param_problem> check(const params& p, double) {
        if (!(p.Wmin < p.Wmax)) return param_problem{"Wmax", fmt::format("Wmax = {}; must be > Wmin = {}", p.Wmax, p.Wmin)};
        return std::nullopt;
    }
    static std::pair<double, double> weight_range(const params& p) { return {p.Wmin, p.Wmax}; }

    static constexpr bool modulated = true;
    static constexpr std::string_view row_trace_names[] = {"x"};
    static std::vector<state_info> describe_state() { return {{"c", "", "eligibility trace"}}; }

    // One thread's synapses of a projection.
    class shard final : public synapse_shard {
    public:
        shard(const params& p, double h_ms, std::size_t n, std::size_t n_rows)
            : p_(p), h_(h_ms), tau_s_(p.tau_c_ms * p.tau_n_ms / (p.tau_c_ms + p.tau_n_ms)),
              x_decay_(p.tau_plus_ms, h_ms), n_decay_(p.tau_n_ms, h_ms), c_(n, 0.0), x_(n_rows, 0.0),
              last_(n_rows, -1) {}

        std::vector<double>& state(std::size_t) override { return c_; }
        std::span<double> row_trace(std::size_t) override { return x_; }
        std::span<step_t> row_last() override { return last_; }
        std::vector<trace_spec> post_traces() const override { return {{p_.tau_minus_ms, false}}; }
        void bind(post_history* history, std::size_t, std::vector<std::size_t> slots) override {
            post_ = history;
            slot_ = slots.at(0);
        }

        void modulate(std::span<const step_t> arrivals) override {
            for (const step_t t : arrivals) {
                const double n = dopa_.empty() ? 0.0 : dopa_.back().n * n_decay_(t - dopa_.back().t);
                dopa_.push_back({t, n + 1.0 / p_.tau_n_ms});
            }
            if (dopa_.size() > 2 * kept_ + 64) prune();
        }
        std::vector<modulator_event> modulator_events() const override { return dopa_; }
        void restore_modulator(std::vector<modulator_event> events) override {
            dopa_ = std::move(events);
            kept_ = dopa_.size();
        }

        void on_pre(const synapse_spike& s) override {
            const step_t t = s.stamp, t_last = last_[s.row];
            const double x_last = x_[s.row];
            // The dopamine spike in force at the last presynaptic spike (npos: none).
            std::size_t j0 = std::numeric_limits<std::size_t>::max();
            double n_last = 0.0;
            if (t_last >= 0) {
                const auto it = std::upper_bound(dopa_.begin(), dopa_.end(), t_last,
                                                 [](step_t v, const modulator_event& e) { return v < e.t; });
                if (it != dopa_.begin()) {
                    j0 = static_cast<std::size_t>(it - dopa_.begin()) - 1;
                    n_last = dopa_[j0].n * n_decay_(t_last - dopa_[j0].t);
                }
            }
            for (std::uint64_t k = s.b; k < s.e; ++k) {
                const std::uint32_t target = s.target(k);
                const step_t d = s.delay_of(k);
                segment g{t_last, c_[k], n_last, static_cast<double>(s.weight[k]), j0 + 1};
                const step_t from = t_last >= 0 ? t_last - d : std::numeric_limits<step_t>::min();
                post_->for_each_new(target, from, t - d, [&](step_t t_post, const double*) {
                    if (t_last < 0) return;  // no presynaptic spike yet: x = 0, nothing to charge
                    advance(g, t_post + d);
                    g.c += p_.A_plus * x_last * x_decay_(t_post + d - t_last);
                });
                if (t_last >= 0) advance(g, t);
                g.c -= p_.A_minus * post_->trace_at(target, slot_, t - d);
                c_[k] = g.c;
                s.weight[k] = static_cast<float>(g.w);
                s.out[k - s.b] = s.weight[k];
            }
            x_[s.row] = t_last >= 0 ? x_last * x_decay_(t - t_last) + 1.0 : 1.0;
            last_[s.row] = t;
        }

    private:
        // One synapse being brought up to date: at step t, eligibility c, dopamine n,
        // weight w; `next` is the first dopamine spike not yet applied.
        struct segment {
            step_t t;
            double c, n, w;
            std::size_t next;
        };
        // Integrates from g.t to `to` through the dopamine spikes in between.
        void advance(segment& g, step_t to) const {
            for (; g.next < dopa_.size() && dopa_[g.next].t <= to; ++g.next) {
                integrate(g, dopa_[g.next].t);
                g.n = dopa_[g.next].n;
            }
            integrate(g, to);
        }
        void integrate(segment& g, step_t to) const {
            if (to == g.t) return;
            const double D = static_cast<double>(to - g.t) * h_;
            if (g.c != 0.0) {
                const double dw = g.c * (-g.n * tau_s_ * std::expm1(-D / tau_s_) +
                                         p_.b * p_.tau_c_ms * std::expm1(-D / p_.tau_c_ms));
                g.w = std::clamp(g.w + dw, p_.Wmin, p_.Wmax);
                g.c *= std::exp(-D / p_.tau_c_ms);
            }
            g.n *= n_decay_(to - g.t);
            g.t = to;
        }
        // Drops the dopamine spikes no synapse will integrate over again: those before the
        // last one at or before the earliest presynaptic spike of an active row.
        void prune() {
            step_t oldest = std::numeric_limits<step_t>::max();
            for (const step_t l : last_)
                if (l >= 0) oldest = std::min(oldest, l);
            const auto it = std::upper_bound(dopa_.begin(), dopa_.end(), oldest,
                                             [](step_t v, const modulator_event& e) { return v < e.t; });
            const auto keep_from = it == dopa_.begin() ? it : it - 1;
            dopa_.erase(dopa_.begin(), std::min(keep_from, dopa_.end() - 1));
            kept_ = dopa_.size();
        }

        params p_;
        double h_, tau_s_;
        decay_table x_decay_, n_decay_;
        std::vector<double> c_;      // per synapse: eligibility just after its last presynaptic spike
        std::vector<double> x_;      // per row: presynaptic trace just after the last spike
        std::vector<step_t> last_;   // per row: time stamp of the last spike (-1: none)
        std::vector<modulator_event> dopa_;  // dopamine spikes, with n just after each
        std::size_t kept_ = 0;       // dopa_.size() after the last pruning
        post_history* post_ = nullptr;
        std::size_t slot_ = 0;
    };
};

}  // namespace myelin::models
