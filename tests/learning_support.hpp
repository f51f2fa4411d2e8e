#pragma once
// What the learning tests share: the digits data set (examples/learning/data/digits.csv,
// 1437 training and 360 test samples of 64 pixels) and a small network for it.
#include "support.hpp"

#include <myelin/learning/training.hpp>

#include <cstdint>

namespace myelin::test {

inline const learning::dataset& digits() {
    static const auto data = learning::read_csv(source_path("examples/learning/data/digits.csv"), 10);
    return data;
}

// A spiking 64-hidden-10 network over `steps` steps; callers change the rest.
inline learning::network_options digits_options(int hidden, int steps, std::uint32_t seed) {
    learning::network_options o;
    o.inputs = 64;
    o.classes = 10;
    o.hidden = hidden;
    o.steps = steps;
    o.seed = seed;
    return o;
}

}  // namespace myelin::test
