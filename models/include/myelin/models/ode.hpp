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

// The same, calling `after(y, context)` after every accepted sub-step, which may change y
// and the context (a reset at a spike inside the step, as NEST's AdEx models do).
template <std::size_t N>
using event = void (*)(std::array<double, N>& y, void* context);
template <std::size_t N>
void integrate(std::array<double, N>& y, double h, tolerance tol, rhs<N> f, event<N> after, void* context);

}  // namespace myelin::models::ode
