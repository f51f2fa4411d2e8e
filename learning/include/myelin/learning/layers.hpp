#pragma once
// A network is an ordered stack of layers behind one interface (docs/learning.md, "Layer
// stacks"). Each layer maps a signal over T steps to another and back-propagates through
// it; parameters live in the network, a layer reads them and accumulates its gradients.
//
// Signals: a sequence of T matrices batch x features, or ONE matrix standing for the same
// value at every step (static input; layers without state keep it one matrix, so a first
// dense or conv layer on static input is computed once). Features are channel-major
// (C x H x W flattened, as PyTorch's NCHW), so flatten changes no data.
//
// Layers without state:
//   dense     y = x W (+ b)                              W: in x units, b: 1 x units
//             (event_driven: y's row b sums the rows of W its nonzero inputs pick)
//   conv2d    y[c] = sum_c' x[c'] * K[c, c'] (+ b[c])    K: C_out x (C_in k k), PyTorch's
//             cross-correlation with stride and zero padding
//   avg_pool, sum_pool  over k x k windows with a stride (no padding)
//   flatten   (shape only)
//   activation  relu / tanh / sigmoid
//   dropout   while training, zeroes each (sample, step, unit) with probability p and
//             scales the rest by 1/(1 - p) (nn.Dropout called once per step; a static
//             input keeps one mask); the identity when evaluating
//   reduce    over time: mean, max (the gradient to the first maximal step) or last step
// Layers with state (all state 0 before the first step), input x[t] (a current):
//   lif       I[t] = alpha I[t-1] + x[t] (+ S[t-1] W_rec)
//             U[t] = beta V[t-1] + I[t]
//             V[t] = U[t] - theta S[t-1]   (reset by subtraction)  or  U[t] (1 - S[t-1])  (to zero)
//             S[t] = H(V[t] - theta), backward dS/dV = surrogate(V[t] - theta)
//             With refractory_steps = n, S[t] = 0 if the neuron spiked in t-n .. t-1.
//             event_driven: S[t-1] W_rec adds the rows of W_rec of the neurons that spiked.
//             The reset carries no gradient unless detach_reset is false (snnTorch's
//             default). The simulator's lif_cuba_discrete; snnTorch's Synaptic, NIR's CubaLIF.
//   alif      lif with an adaptive threshold (Bellec et al. 2018, NeurIPS, "LSNN"):
//             a[t] = rho a[t-1] + S[t-1],  A[t] = theta + b_adapt a[t],
//             S[t] = H(V[t] - A[t]), dS/dV = surrogate(V[t] - A[t]); the reset subtracts
//             theta (Bellec's v_th); the gradient flows through a (full BPTT).
//   li_readout  I[t] = alpha I[t-1] + x[t],  V[t] = beta V[t-1] + I[t]; outputs V
//             reduced over time (mean, max or last: the logits).
//   elman     h[t] = f(x[t] + h[t-1] U + b)   (Elman 1990; x[t] is the input already
//             multiplied by the input weights of a dense layer below)
// The decays alpha, beta of lif, alif and li_readout may be learned, one per layer or one
// per neuron, kept within [1e-6, 1 - 1e-6].
#include <myelin/learning/rate.hpp>
#include <myelin/learning/spiking.hpp>

#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

namespace myelin::learning {

// A vector of `width` features, or an image (channels x height x width).
struct shape {
    int channels = 1, height = 1, width = 1;
    bool image = false;
    static shape vector(int n) { return {1, 1, n, false}; }
    static shape picture(int c, int h, int w) { return {c, h, w, true}; }
    int size() const { return channels * height * width; }
    std::string text() const;  // "784" or "16 x 24 x 24"
    bool operator==(const shape&) const = default;
};

enum class layer_kind { dense, conv2d, avg_pool, sum_pool, flatten, activation, dropout, reduce, lif, alif, li_readout, elman };
std::string_view name_of(layer_kind k);
bool layer_kind_from_name(std::string_view name, layer_kind& out);

enum class weight_init { uniform, normal };
enum class decay_learning { none, layer, neuron };

struct layer_spec {
    layer_kind kind = layer_kind::dense;
    // dense: units; conv2d: channels (out), kernel, stride (0: 1), padding; pools: kernel,
    // stride (0: the kernel's)
    int units = 0, channels = 0, kernel = 0, stride = 0, padding = 0;
    bool bias = true;
    // uniform: U(-1/sqrt(fan_in), 1/sqrt(fan_in)) (PyTorch's Linear and Conv2d);
    // normal: N(0, (init_scale / sqrt(fan_in))^2)
    weight_init init = weight_init::uniform;
    double init_scale = 0.1;
    activation f = activation::relu;  // activation, elman
    double p = 0.0;                   // dropout
    readout_kind reduce = readout_kind::mean;  // reduce, li_readout
    // lif, alif, li_readout (decays exp(-dt / tau))
    double tau_syn_ms = 5.0, tau_mem_ms = 10.0, dt_ms = 1.0, theta = 1.0;
    reset_kind reset = reset_kind::subtract;
    bool detach_reset = true;
    int refractory_steps = 0;
    surrogate spike_grad{surrogate_kind::fast_sigmoid, 10.0};
    bool recurrent = false;  // lif, alif: W_rec (units x units)
    decay_learning learn_decays = decay_learning::none;
    double tau_adapt_ms = 200.0, adapt = 1.8;  // alif: rho = exp(-dt / tau_adapt), b_adapt
    // dense, conv2d: matrix products in float32 (network.matmul_precision; set by the
    // network for the layers it trains, not read from a layer's config)
    bool float32_products = false;
    // lif: I, V and their gradients in float where every step takes the plain update
    // (network.state_precision; set by the network like float32_products)
    bool float32_state = false;
    // dense: event-driven on sparse input (spikes, events): only the nonzero inputs are
    // accumulated and kept for backward (in double, also under float32 products);
    // lif, alif: the same for S[t-1] W_rec (recurrent only)
    bool event_driven = false;
};

// A layer's parameters, in this order: name (without the layer prefix), shape, trainable.
struct parameter_spec {
    std::string name;
    int rows = 0, cols = 0;
    bool trainable = true;
    bool decay = false;  // clamped to [1e-6, 1 - 1e-6] after each step
};

// The layer's output shape for input `in`, or an empty shape and `problem` saying why
// not (kernel larger than the input, a dense layer on an image, ...).
shape output_shape(const layer_spec& s, const shape& in, std::string& problem);
std::vector<parameter_spec> parameters_of(const layer_spec& s, const shape& in);
// Initial values of parameter `k` of the layer (the decays from the taus; weights from
// (seed, id)).
matrix initial_parameter(const layer_spec& s, const shape& in, std::size_t k, std::uint32_t seed, std::uint64_t id);
int stride_of(const layer_spec& s);  // the stride in effect
bool is_spiking(layer_kind k);  // lif, alif
bool has_state(layer_kind k);   // lif, alif, li_readout, elman

// What a layer may need of the pass besides its input.
struct pass_context {
    bool training = false;  // dropout active
    bool backward = true;   // a backward pass follows: keep what it needs
    std::uint32_t seed = 1, epoch = 0;
    const std::vector<std::size_t>* samples = nullptr;  // data-set index of each batch row
    std::uint64_t layer = 0;
};

// A layer runs a pass step by step: begin(), then forward(x[t], t) for t = 0 .. T-1, and
// (if the pass has a backward) backward(dL/dy[t], t) for t = T-1 .. 0. stack_pass calls
// every layer's step t before any layer's step t + 1, so that a step's signals stay in
// cache and only what backward needs is kept for all steps. A layer without state whose
// input is the same at every step runs once, as a pass of T = 1.
class layer {
public:
    virtual ~layer() = default;
    // T steps of B samples; `constant_input`: forward gets the same x at every step.
    virtual void begin(std::size_t T, Eigen::Index B, bool constant_input, const pass_context& c) = 0;
    // y[t], valid until the layer's next forward. x must stay unchanged until the layer's
    // next forward (a layer that keeps its input for backward copies it).
    virtual const matrix& forward(const matrix& x, std::size_t t) = 0;
    // gy: dL/dy[t] (for a layer that reduces over time: dL/d(its output), at every t).
    // Returns dL/dx[t] (nullptr if !input_gradient), valid until the layer's next backward;
    // for a constant input, dL/dx summed over the steps, at t = 0 (nullptr before). Adds
    // to the parameters' gradients.
    virtual const matrix* backward(const matrix& gy, std::size_t t, bool input_gradient) = 0;
    // lif, alif, li_readout, elman: state carried from step to step.
    virtual bool carries_state() const { return false; }
    // li_readout, reduce: the output is one matrix over all steps, given by finish()
    // after the last forward step (a reduce on a constant input passes it through).
    virtual bool reduces() const { return false; }
    virtual const matrix& finish() { throw std::logic_error("finish: the layer does not reduce over time"); }
    // Gradients in the order of parameters_of (those of untrained parameters stay 0).
    virtual std::vector<const matrix*> gradients() const { return {}; }
    // Sets them to 0 again, for the layer's next batch (they point at the layer's own members).
    void zero_gradients() {
        for (const matrix* g : gradients()) const_cast<matrix*>(g)->setZero();
    }
    // Spiking layers: per neuron, spikes summed over the batch and the steps of the last
    // forward; `extra` (per neuron) is added to every dL/dS[t] in backward (regularisers).
    virtual const std::vector<double>* spike_counts() const { return nullptr; }
    virtual void add_spike_gradient(std::vector<double> extra) { (void)extra; }
    // lif, alif, li_readout: the membrane potential V[t] of the last forward (lif, alif: of a
    // pass with a backward; without one they keep only the last two steps; nullptr where
    // float32 products keep V in float).
    virtual const sequence* potential() const { return nullptr; }
};

// Runs a stack of layers over a pass: layers without state on a signal that is the same
// at every step once; from a layer with state (or a varying input) to the next layer that
// reduces over time, step by step.
class stack_pass {
public:
    explicit stack_pass(std::vector<std::unique_ptr<layer>>& layers) : layers_(layers) {}
    // x: T entries, or one (the same at every step). Returns the last layer's output: one
    // entry if the same at every step (the logits after a readout), else T. `record`:
    // every layer's output (one entry or T).
    const sequence& forward(const sequence& x, std::size_t T, pass_context c, std::vector<sequence>* record = nullptr);
    // gy: dL/d(output), as many entries as forward returned. Returns dL/dx (as many
    // entries as x) if input_gradient, else nothing.
    const sequence& backward(const sequence& gy, bool input_gradient);

private:
    struct segment {
        std::size_t first = 0, last = 0;
        bool constant_input = true, stepped = false;
    };
    std::vector<std::unique_ptr<layer>>& layers_;
    std::vector<segment> segments_;
    std::size_t T_ = 0;
    sequence out_, gx_;
};

// `params` point at the network's values (parameters_of order); they must outlive the layer.
std::unique_ptr<layer> make_layer(const layer_spec& s, const shape& in, std::vector<const matrix*> params);

}  // namespace myelin::learning
