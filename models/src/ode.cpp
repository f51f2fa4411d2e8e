#include <myelin/models/ode.hpp>

#include <algorithm>

#include <boost/numeric/odeint/integrate/integrate_adaptive.hpp>
#include <boost/numeric/odeint/stepper/controlled_step_result.hpp>
#include <boost/numeric/odeint/stepper/generation.hpp>
#include <boost/numeric/odeint/stepper/runge_kutta_dopri5.hpp>

namespace myelin::models::ode {

template <std::size_t N>
void integrate(std::array<double, N>& y, double h, tolerance tol, rhs<N> f, const void* context) {
    namespace odeint = boost::numeric::odeint;
    auto stepper = odeint::make_controlled(tol.absolute, tol.relative, odeint::runge_kutta_dopri5<std::array<double, N>>());
    auto system = [&](const std::array<double, N>& x, std::array<double, N>& dxdt, double) { f(x, dxdt, context); };
    odeint::integrate_adaptive(stepper, system, y, 0.0, h, h);
}

template <std::size_t N>
void integrate(std::array<double, N>& y, double h, tolerance tol, rhs<N> f, event<N> after, void* context) {
    namespace odeint = boost::numeric::odeint;
    auto stepper = odeint::make_controlled(tol.absolute, tol.relative, odeint::runge_kutta_dopri5<std::array<double, N>>());
    auto system = [&](const std::array<double, N>& x, std::array<double, N>& dxdt, double) { f(x, dxdt, context); };
    double t = 0.0, dt = h;
    while (t < h) {
        dt = std::min(dt, h - t);
        // On success try_step advances t and proposes the next dt; on failure it only shrinks dt.
        if (stepper.try_step(system, y, t, dt) == odeint::success) after(y, context);
    }
}

template void integrate<2>(std::array<double, 2>&, double, tolerance, rhs<2>, const void*);
template void integrate<3>(std::array<double, 3>&, double, tolerance, rhs<3>, const void*);
template void integrate<4>(std::array<double, 4>&, double, tolerance, rhs<4>, const void*);
template void integrate<5>(std::array<double, 5>&, double, tolerance, rhs<5>, const void*);
template void integrate<6>(std::array<double, 6>&, double, tolerance, rhs<6>, const void*);
template void integrate<8>(std::array<double, 8>&, double, tolerance, rhs<8>, const void*);
template void integrate<4>(std::array<double, 4>&, double, tolerance, rhs<4>, event<4>, void*);
template void integrate<6>(std::array<double, 6>&, double, tolerance, rhs<6>, event<6>, void*);

}  // namespace myelin::models::ode
