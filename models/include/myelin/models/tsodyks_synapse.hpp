#pragma once
// tsodyks_synapse: short-term depression and facilitation (Tsodyks, Pawelzik & Markram
// 1998, Neural Comput 10:821-835; Markram, Wang & Tsodyks 1998, PNAS 95:5323-5328), as
// NEST's tsodyks_synapse. Each synapse has resources in three states: recovered x, active
// y, inactive z = 1 - x - y, and a utilisation u:
//
//   dx/dt = z/tau_rec,  dy/dt = -y/tau_psc,  dz/dt = y/tau_psc - z/tau_rec
//   du/dt = -u/tau_fac                                  (u stays U if tau_fac = 0)
//   on a presynaptic spike:  u <- u + U (1 - u);  dy = u x;  x <- x - dy;  y <- y + dy
//   the synapse transmits weight * dy (with u and x just before the spike's dy)
//
// Between spikes the linear system is propagated exactly from the last spike to this one
// (NEST's propagators), so the result does not depend on the resolution. tau_psc should
// equal the target's synaptic time constant (as in NEST), for y to be the PSC's shape.
#include <myelin/simulator/model.hpp>

#include <fmt/format.h>

#include <cmath>
#include <optional>

namespace myelin::models {

struct tsodyks_synapse {
    static constexpr std::string_view name = "tsodyks_synapse";
    static constexpr std::string_view summary = "short-term depression and facilitation (Tsodyks et al. 1998)";

    struct params {
        double U = 0.5, tau_psc_ms = 3.0, tau_rec_ms = 800.0, tau_fac_ms = 0.0, x0 = 1.0, y0 = 0.0, u0 = 0.0;
    };
    static constexpr param_field<params> param_table[] = {
        {"U", &params::U, "", constraint::nonnegative, "utilisation increment per spike, in [0, 1]"},
        {"tau_psc", &params::tau_psc_ms, "ms", constraint::positive, "decay of the active resources y"},
        {"tau_rec", &params::tau_rec_ms, "ms", constraint::positive, "recovery of the inactive resources"},
        {"tau_fac", &params::tau_fac_ms, "ms", constraint::nonnegative, "decay of u (0: no facilitation)"},
        {"x", &params::x0, "", constraint::nonnegative, "initial recovered resources"},
        {"y", &params::y0, "", constraint::nonnegative, "initial active resources"},
        {"u", &params::u0, "", constraint::nonnegative, "initial utilisation"},
    };

    struct state {
        std::vector<double> x, y, u, t_last_ms;
    };
    static constexpr state_field<state> state_table[] = {
        {"x", &state::x, "", "recovered resources"},
        {"y", &state::y, "", "active resources"},
        {"u", &state::u, "", "utilisation"},
        {"t_last", &state::t_last_ms, "ms", "time of the last presynaptic spike (0 before the first)"},
    };

    static std::optional<param_problem> check(const params& p, double) {
        if (p.U > 1.0) return param_problem{"U", fmt::format("U = {}; must be in [0, 1]", p.U)};
        if (p.u0 > 1.0) return param_problem{"u", fmt::format("u = {}; must be in [0, 1]", p.u0)};
        if (p.x0 + p.y0 > 1.0)
            return param_problem{"y", fmt::format("x + y = {}; must be <= 1 (the resources are fractions)", p.x0 + p.y0)};
        if (p.tau_psc_ms == p.tau_rec_ms)
            return param_problem{"tau_psc", fmt::format("tau_psc = tau_rec = {} ms; they must differ", p.tau_psc_ms)};
        return std::nullopt;
    }

    static void resize(const params& p, state& s, std::size_t n) {
        s.x.assign(n, p.x0);
        s.y.assign(n, p.y0);
        s.u.assign(n, p.u0);
        s.t_last_ms.assign(n, 0.0);
    }

    static double on_pre(const params& p, state& s, std::size_t k, double t_ms, double weight) {
        const double dt = t_ms - s.t_last_ms[k];
        const double Puu = p.tau_fac_ms == 0.0 ? 0.0 : std::exp(-dt / p.tau_fac_ms);
        const double Pyy = std::exp(-dt / p.tau_psc_ms);
        const double Pzz = std::exp(-dt / p.tau_rec_ms);
        const double Pxy = ((Pzz - 1.0) * p.tau_rec_ms - (Pyy - 1.0) * p.tau_psc_ms) / (p.tau_psc_ms - p.tau_rec_ms);
        const double Pxz = 1.0 - Pzz;
        double& x = s.x[k];
        double& y = s.y[k];
        double& u = s.u[k];
        const double z = 1.0 - x - y;
        u *= Puu;
        x += Pxy * y + Pxz * z;
        y *= Pyy;
        u += p.U * (1.0 - u);
        const double dy = u * x;
        x -= dy;
        y += dy;
        s.t_last_ms[k] = t_ms;
        return weight * dy;
    }
};

}  // namespace myelin::models
