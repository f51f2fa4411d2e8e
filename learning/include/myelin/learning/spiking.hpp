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
//   U[t] = beta V[t-1] + I[t]
//   V[t] = U[t] - theta S[t-1]                      (reset by subtraction, the default)
//   V[t] = U[t] (1 - S[t-1])                        (reset to zero)
//   S[t] = 1 if V[t] - theta > 0 else 0,  backward: dS/dV = surrogate(V[t] - theta)
// With refractory_steps = n > 0, S[t] is 0 if the neuron spiked in steps t-n .. t-1 (its
// surrogate derivative then too); V and I go on as above.
// By default the reset term carries no gradient (detached, as snnTorch's default);
// `detach_reset = false` lets the gradient flow through S[t-1] in it as well. The readout
// has no spikes and no reset: V[t] = beta V[t-1] + I[t], and the logits are V's mean,
// maximum (the gradient goes to the first maximal step) or last value over time.
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

struct lif_options {
    double alpha = 0.0, beta = 0.0, theta = 1.0;
    surrogate spike_grad;
    reset_kind reset = reset_kind::subtract;
    bool detach_reset = true;
    int refractory_steps = 0;  // a spike is blocked in this many steps after one
};

// A feed-forward or recurrent layer of LIF neurons. forward() keeps what backward() needs.
class lif_layer {
public:
    lif_layer(matrix W, lif_options options, matrix W_rec = {});
    const sequence& forward(const sequence& x);
    // The same input x at each of T steps (current injection): x W is computed once.
    const sequence& forward_constant(const matrix& x, std::size_t T);
    // Given dL/dS[t] from above, accumulates dW (and dW_rec), d_alpha and d_beta and
    // returns dL/dx[t] (nothing after forward_constant, whose input needs no gradient).
    sequence backward(const sequence& grad_spikes);

    matrix W, W_rec, dW, dW_rec;
    double d_alpha = 0.0, d_beta = 0.0;  // gradients of the decays (learnable time constants)
    bool decay_gradients = true;         // false: skip computing them
    bool recurrent() const { return W_rec.size() > 0; }
    const sequence& spikes() const { return S_; }
    const sequence& potential() const { return V_; }
    const lif_options& options() const { return o_; }

private:
    void run(const sequence* x, const matrix* xW, std::size_t T);
    lif_options o_;
    sequence x_, I_, U_, V_, S_, Q_;  // Q_: refractory (spike blocked) per step
    matrix x_const_;
    bool constant_ = false;
};

enum class readout_kind { mean, max, last };

// Leaky-integrator readout (no spikes): logits from its potential over time.
class li_readout {
public:
    li_readout(matrix W, double alpha, double beta, readout_kind kind);
    // The logits, batch x outputs. x (usually a lif_layer's spikes()) is not copied: it
    // must stay unchanged until backward().
    const matrix& forward(const sequence& x);
    sequence backward(const matrix& grad_logits);  // also accumulates d_alpha, d_beta

    matrix W, dW;
    double d_alpha = 0.0, d_beta = 0.0;
    bool decay_gradients = true;
    const sequence& potential() const { return V_; }

private:
    double alpha_, beta_;
    readout_kind kind_;
    const sequence* x_ = nullptr;
    sequence I_, V_;
    matrix logits_;
    std::vector<std::vector<std::size_t>> argmax_;  // [batch][output]: step of the max readout
};

// Mean over the batch of the cross-entropy of softmax(logits) against the labels; writes
// dL/dlogits into `grad`.
double cross_entropy(const matrix& logits, const std::vector<int>& labels, matrix& grad);
// Mean over the batch of sum_k (output_k - target_k)^2 / K with one-hot targets of the
// labels (PyTorch's MSELoss against one-hot vectors); writes dL/doutput into `grad`.
double mse(const matrix& output, const std::vector<int>& labels, matrix& grad);

}  // namespace myelin::learning
