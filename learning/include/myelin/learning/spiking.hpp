#pragma once
// Surrogate-gradient learning of spiking networks: the discrete-time current-based LIF
// layer (the simulator's lif_cuba_discrete; snnTorch's `Synaptic`, NIR's `CubaLIF`), the
// leaky-integrator readout, cross-entropy, and backpropagation through time with a
// surrogate derivative for the spike (Zenke & Ganguli 2018, Neural Comput 30:1514;
// Neftci, Mostafa & Zenke 2019, IEEE Signal Process Mag 36:51).
//
// A sequence is T matrices of batch x units (one per step t = 1..T). All states are 0
// before the first step. Per step, for a layer with input x[t]:
//   I[t] = alpha I[t-1] + x[t] W (+ S[t-1] W_rec)
//   V[t] = beta V[t-1] + I[t] - theta S[t-1]        (reset by subtraction)
//   S[t] = 1 if V[t] - theta > 0 else 0,  backward: dS/dV = surrogate(V[t] - theta)
// The reset term carries no gradient (detached, as snnTorch's default). The readout has
// no spikes and no reset: V[t] = beta V[t-1] + I[t], and the logits are V's mean, maximum
// (the gradient goes to the first maximal step) or last value over time.
// Not yet here (issue 5): reset to zero, an undetached reset, learnable time constants,
// refractoriness, rate layers, optimizers, training; the simulator's lif_cuba_discrete
// already has reset to zero.
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
};

struct lif_options {
    double alpha = 0.0, beta = 0.0, theta = 1.0;
    surrogate spike_grad;
};

// A feed-forward or recurrent layer of LIF neurons. forward() keeps what backward() needs.
class lif_layer {
public:
    lif_layer(matrix W, lif_options options, matrix W_rec = {});
    const sequence& forward(const sequence& x);
    // Given dL/dS[t] from above, accumulates dW (and dW_rec) and returns dL/dx[t].
    sequence backward(const sequence& grad_spikes);

    matrix W, W_rec, dW, dW_rec;
    bool recurrent() const { return W_rec.size() > 0; }
    const sequence& spikes() const { return S_; }

private:
    lif_options o_;
    sequence x_, V_, S_;
};

enum class readout_kind { mean, max, last };

// Leaky-integrator readout (no spikes): logits from its potential over time.
class li_readout {
public:
    li_readout(matrix W, double alpha, double beta, readout_kind kind);
    const matrix& forward(const sequence& x);  // the logits, batch x outputs
    sequence backward(const matrix& grad_logits);

    matrix W, dW;
    const sequence& potential() const { return V_; }

private:
    double alpha_, beta_;
    readout_kind kind_;
    sequence x_, V_;
    matrix logits_;
    std::vector<std::vector<std::size_t>> argmax_;  // [batch][output]: step of the max readout
};

// Mean over the batch of the cross-entropy of softmax(logits) against the labels; writes
// dL/dlogits into `grad`.
double cross_entropy(const matrix& logits, const std::vector<int>& labels, matrix& grad);

}  // namespace myelin::learning
