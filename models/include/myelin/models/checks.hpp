#pragma once
// Parameter checks that several neuron models share, with the same messages.
#include <myelin/simulator/model.hpp>

#include <fmt/format.h>

#include <limits>
#include <optional>

namespace myelin::models {

// V_reset < V_th, and V_min <= V_reset where the model has a lower bound.
inline std::optional<param_problem> check_reset(double V_reset_mV, double V_th_mV,
                                                double V_min_mV = -std::numeric_limits<double>::infinity()) {
    if (!(V_reset_mV < V_th_mV))
        return param_problem{"V_reset", fmt::format("V_reset = {} mV; must be < V_th = {} mV", V_reset_mV, V_th_mV)};
    if (!(V_min_mV <= V_reset_mV))
        return param_problem{"V_min", fmt::format("V_min = {} mV; must be <= V_reset = {} mV", V_min_mV, V_reset_mV)};
    return std::nullopt;
}

}  // namespace myelin::models
