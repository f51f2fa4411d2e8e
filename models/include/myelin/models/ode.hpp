#pragma once
// Adaptive integration of a neuron's ODE over one step, for the models without exact
// propagators. Boost.Odeint's Dormand-Prince 5(4) stepper (runge_kutta_dopri5) with step
// size control: each step of h is covered by as many sub-steps as the error estimate
// needs (|err_i| <= abs_tol + rel_tol |y_i|), starting from a single sub-step of h, as
// NEST's GSL-based models do with RKF45. Compiled once in models/src/ode.cpp: the
// Odeint templates stay out of the model headers.
#include <array>
#include <cstddef>

namespace myelin::models::ode {

// dydt = f(y); `context` is passed through (the model's parameters and inputs).
template <std::size_t N>
using rhs = void (*)(const std::array<double, N>& y, std::array<double, N>& dydt, const void* context);

struct tolerance {
    double absolute, relative;
};

// Advances y by h. Explicitly instantiated for the sizes the models use (2 to 8).
template <std::size_t N>
void integrate(std::array<double, N>& y, double h, tolerance tol, rhs<N> f, const void* context);

}  // namespace myelin::models::ode
