#pragma once
// Adaptive integration of a neuron's ODE over one step, for the models without exact
// propagators. Boost.Odeint's Dormand-Prince 5(4) stepper (runge_kutta_dopri5) with step
// size control: each step of h is covered by as many sub-steps as the error estimate
// needs (|err_i| <= abs_tol + rel_tol |y_i|), starting from a single sub-step of h, as
// NEST's GSL-based models do with RKF45. The right-hand side is a callable that the
// compiler inlines into the stepper. Only the model headers include this (and they only
// models/src/registry.cpp), so the Odeint templates are compiled once.
#include <boost/numeric/odeint/integrate/integrate_adaptive.hpp>
#include <boost/numeric/odeint/stepper/controlled_step_result.hpp>
#include <boost/numeric/odeint/stepper/generation.hpp>
#include <boost/numeric/odeint/stepper/runge_kutta_dopri5.hpp>

#include <algorithm>
#include <array>
#include <cstddef>
#include <vector>

namespace myelin::models::ode {

struct tolerance {
    double absolute, relative;
};

// Advances y by h; f(y, dydt) writes the derivatives.
template <std::size_t N, class F>
void integrate(std::array<double, N>& y, double h, tolerance tol, F&& f) {
    namespace odeint = boost::numeric::odeint;
    auto stepper = odeint::make_controlled(tol.absolute, tol.relative, odeint::runge_kutta_dopri5<std::array<double, N>>());
    auto system = [&](const std::array<double, N>& x, std::array<double, N>& dxdt, double) { f(x, dxdt); };
    odeint::integrate_adaptive(stepper, system, y, 0.0, h, h);
}

// The same, calling after(y) after every accepted sub-step, which may change y (a reset
// at a spike inside the step, as NEST's AdEx models do).
template <std::size_t N, class F, class After>
void integrate(std::array<double, N>& y, double h, tolerance tol, F&& f, After&& after) {
    namespace odeint = boost::numeric::odeint;
    auto stepper = odeint::make_controlled(tol.absolute, tol.relative, odeint::runge_kutta_dopri5<std::array<double, N>>());
    auto system = [&](const std::array<double, N>& x, std::array<double, N>& dxdt, double) { f(x, dxdt); };
    double t = 0.0, dt = h;
    while (t < h) {
        dt = std::min(dt, h - t);
        // On success try_step advances t and proposes the next dt; on failure it only shrinks dt.
        if (stepper.try_step(system, y, t, dt) == odeint::success) after(y);
    }
}

// For states whose size is known only at run time (a variable per receptor port): a
// controlled Dormand-Prince stepper over std::vector, kept by the model's state so that
// its buffers are allocated once. reset() before every neuron: the stepper carries the
// last derivative from one call to the next (first same as last), which belongs to the
// neuron integrated before.
class vector_stepper {
public:
    explicit vector_stepper(tolerance tol = {1e-6, 1e-9})
        : stepper_(boost::numeric::odeint::make_controlled(
              tol.absolute, tol.relative, boost::numeric::odeint::runge_kutta_dopri5<std::vector<double>>())) {}

    // Advances y by h, calling after(y) after every accepted sub-step.
    template <class F, class After>
    void integrate(std::vector<double>& y, double h, F&& f, After&& after) {
        namespace odeint = boost::numeric::odeint;
        stepper_.reset();
        auto system = [&](const std::vector<double>& x, std::vector<double>& dxdt, double) { f(x, dxdt); };
        double t = 0.0, dt = h;
        while (t < h) {
            dt = std::min(dt, h - t);
            if (stepper_.try_step(system, y, t, dt) == odeint::success) after(y);
        }
    }

private:
    using controlled = boost::numeric::odeint::result_of::make_controlled<
        boost::numeric::odeint::runge_kutta_dopri5<std::vector<double>>>::type;
    controlled stepper_;
};

}  // namespace myelin::models::ode
