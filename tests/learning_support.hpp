#pragma once
// What the learning tests share: the digits data set (examples/learning/data/digits.csv,
// 1437 training and 360 test samples of 64 pixels) and a small network for it.
#include "support.hpp"

#include <myelin/learning/layers.hpp>
#include <myelin/learning/training.hpp>

#include <cstdint>
#include <memory>
#include <vector>

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

// A layer of kind `k` with the defaults; a dense layer.
inline learning::layer_spec spec(learning::layer_kind k) {
    learning::layer_spec s;
    s.kind = k;
    return s;
}
inline learning::layer_spec dense_spec(int units, bool bias = true) {
    learning::layer_spec s;
    s.units = units;
    s.bias = bias;
    return s;
}

// A stack of layers outside a network, with its parameters in reach: tests set them, run
// forward and backward, and read every layer's output and gradients.
struct layer_stack {
    std::vector<learning::layer_spec> specs;
    std::vector<learning::shape> shapes;         // input of layer i; shapes.back(): the output
    std::vector<std::vector<learning::matrix>> params;  // per layer, in parameters_of order
    std::vector<std::unique_ptr<learning::layer>> layers;
    std::vector<learning::sequence> outputs;  // every layer's output of the last forward
    learning::sequence input;
    std::unique_ptr<learning::stack_pass> pass;

    // Parameters drawn as a network draws them (seed 3).
    layer_stack(learning::shape input, std::vector<learning::layer_spec> s) : specs(std::move(s)) {
        shapes.push_back(input);
        for (std::size_t i = 0; i < specs.size(); ++i) {
            std::string problem;
            const auto out = learning::output_shape(specs[i], shapes.back(), problem);
            if (!problem.empty()) throw std::invalid_argument(problem);
            std::vector<learning::matrix> p;
            for (std::size_t k = 0; k < learning::parameters_of(specs[i], shapes.back()).size(); ++k)
                p.push_back(learning::initial_parameter(specs[i], shapes.back(), k, 3, 16 * (i + 1) + k));
            params.push_back(std::move(p));
            shapes.push_back(out);
        }
    }
    // Fresh layers (zero gradients) on the current parameters.
    void build() {
        layers.clear();
        for (std::size_t i = 0; i < specs.size(); ++i) {
            std::vector<const learning::matrix*> p;
            for (const auto& m : params[i]) p.push_back(&m);
            layers.push_back(learning::make_layer(specs[i], shapes[i], std::move(p)));
        }
        pass = std::make_unique<learning::stack_pass>(layers);
    }
    // The last layer's output (one entry if it is one per sample), as the network runs it.
    const learning::sequence& forward(const learning::sequence& x, std::size_t T, bool training = false,
                                      const std::vector<std::size_t>* samples = nullptr) {
        build();
        input = x;  // layers read their input until the pass moves on
        return pass->forward(input, T, {training, true, 5, 0, samples, 0}, &outputs);
    }
    learning::sequence backward(const learning::sequence& gy) { return pass->backward(gy, true); }
    const learning::matrix& gradient(std::size_t layer, std::size_t k) const { return *layers[layer]->gradients()[k]; }
};

}  // namespace myelin::test
