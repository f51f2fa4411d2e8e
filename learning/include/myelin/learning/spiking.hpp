#pragma once
// Surrogate-gradient learning of spiking networks (Zenke & Ganguli 2018, Neural Comput
// 30:1514; Neftci, Mostafa & Zenke 2019, IEEE Signal Process Mag 36:51): the signal types,
// the surrogate derivative of the spike, and the losses. The layers are in layers.hpp.
//
// A sequence is T matrices of batch x units (one per step t = 1..T).
#include <Eigen/Dense>

#include <cstddef>
#include <vector>

namespace myelin::learning {

using matrix = Eigen::MatrixXd;
using sequence = std::vector<matrix>;  // [t] batch x units

// Derivative of the spike with respect to x = V - theta, used in place of the Dirac delta.
enum class surrogate_kind { fast_sigmoid, sigmoid, arctan, triangle };
struct surrogate {
    surrogate_kind kind = surrogate_kind::fast_sigmoid;
    double slope = 10.0;
    // With s = slope: fast sigmoid (SuperSpike): 1/(1 + s|x|)^2; sigmoid: s sig(sx)(1 - sig(sx));
    // arctan (snnTorch's atan): (s/2) / (1 + (pi s x / 2)^2); triangle: s max(0, 1 - s|x|).
    double operator()(double x) const;
    matrix of(const Eigen::ArrayXXd& x) const;  // element-wise
};

enum class reset_kind { subtract, zero };

enum class readout_kind { mean, max, last };

// Mean over the batch of the cross-entropy of softmax(logits) against the labels; writes
// dL/dlogits into `grad`.
double cross_entropy(const matrix& logits, const std::vector<int>& labels, matrix& grad);
// Mean over the batch of sum_k (output_k - target_k)^2 / K with one-hot targets of the
// labels (PyTorch's MSELoss against one-hot vectors); writes dL/doutput into `grad`.
double mse(const matrix& output, const std::vector<int>& labels, matrix& grad);

}  // namespace myelin::learning
