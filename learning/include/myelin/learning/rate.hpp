#pragma once
// Rate (non-spiking) layers for the ANNs trained beside the spiking networks, with their
// exact gradients:
//   dense_layer:  y = f(x W + b)
//   rate_rnn:     h[t] = f(x[t] W + h[t-1] U + b),  h[0] = 0 (Elman 1990), trained by
//                 backpropagation through time.
// f is ReLU (its derivative taken as 0 at 0, as PyTorch), tanh, the logistic sigmoid or
// the identity. Layouts as the spiking layers: x is batch x inputs, W inputs x units.
#include <myelin/learning/spiking.hpp>

#include <string_view>

namespace myelin::learning {

enum class activation { relu, tanh, sigmoid, identity };
// "relu", "tanh", "sigmoid", "identity"; false if the name is none of these.
bool activation_from_name(std::string_view name, activation& out);
std::string_view name_of(activation f);

class dense_layer {
public:
    dense_layer(matrix W, matrix b, activation f);  // b: 1 x units
    const matrix& forward(const matrix& x);
    // Given dL/dy, accumulates dW, db and returns dL/dx.
    matrix backward(const matrix& grad_y);

    matrix W, dW, b, db;
    activation f;

private:
    matrix x_, y_;
};

class rate_rnn {
public:
    rate_rnn(matrix W, matrix U, matrix b, activation f);  // b: 1 x units
    const sequence& forward(const sequence& x);
    const sequence& forward_constant(const matrix& x, std::size_t T);
    // Given dL/dh[t], accumulates dW, dU, db and returns dL/dx[t] (nothing after
    // forward_constant).
    sequence backward(const sequence& grad_h);

    matrix W, U, dW, dU, b, db;
    activation f;
    const sequence& output() const { return h_; }

private:
    void run(const sequence* x, const matrix* xW, std::size_t T);
    sequence x_, h_;
    matrix x_const_;
    bool constant_ = false;
};

}  // namespace myelin::learning
