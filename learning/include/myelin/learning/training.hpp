#pragma once
// Training classifiers on static or event data: data sets (CSV, Spiking Heidelberg
// Digits), input encoders, and a network: a stack of layers (layers.hpp), given layer by
// layer (kind `stack`) or by one of three shorthands of one hidden layer, which are
// stacks too:
//   spiking:  dense, LIF (feed-forward or recurrent), dense, leaky-integrator readout,
//             over T steps, trained with surrogate gradients;
//   rate:     dense, activation, dense (the logits) on the scaled features;
//   rate_rnn: dense, Elman RNN over T steps, its last state, dense.
// The shorthands keep their parameter names (W1, W_rec, ...); a stack's are
// "<layer index>.<name>" ("0.W", "1.alpha").
// A batch is cut into chunks of `chunk` samples (independent of the thread count); the
// chunks run in parallel (OpenMP) and their gradients are summed in chunk order, so
// training gives the same bits for a seed with any number of threads.
#include <myelin/learning/layers.hpp>
#include <myelin/learning/optim.hpp>
#include <myelin/learning/rate.hpp>
#include <myelin/learning/spiking.hpp>

#include <cstdint>
#include <filesystem>
#include <limits>
#include <string>
#include <utility>
#include <vector>

namespace myelin::learning {

// Static samples (features) or event samples (T x features per sample, already binned).
struct dataset {
    matrix x;                     // samples x features (static data)
    std::vector<sequence> events;  // per sample: [t] 1 x features (event data); empty for static
    std::vector<int> labels;
    int n_classes = 0;
    std::size_t size() const { return labels.size(); }
    std::size_t features() const;
    bool is_events() const { return !events.empty(); }
    dataset rows(std::size_t begin, std::size_t end) const;
};

// Rows of features, then an integer label in [0, n_classes). Throws input_error naming
// the file, the line and what is wrong (ragged row, non-numeric value, bad label).
dataset read_csv(const std::filesystem::path& file, int n_classes);

// How static features become the input of a time-stepped network (v = x * scale):
//   current: v at every step (constant current injection);
//   poisson: a spike with probability min(1, max(0, v)) per step, seeded per sample;
//   latency: one spike at step round((1 - v) (T - 1)) for v > 0 (v clipped to 1): the
//            stronger the feature, the earlier; v <= 0 gives none;
//   rows:    the F features cut into T consecutive parts of F / T, part t at step t (an
//            image row by row: 28 steps of 28 pixels); the network reads F / T per step.
enum class encoder_kind { current, poisson, latency, rows };
struct encoder {
    encoder_kind kind = encoder_kind::current;
    double scale = 1.0 / 16.0;
    // Samples `x` (one per row; row b is sample ids[b] of the data set) over T steps;
    // Poisson draws come from (seed, epoch, sample index).
    sequence encode(const matrix& x, const std::vector<std::size_t>& ids, std::size_t T, std::uint32_t seed,
                    std::uint32_t epoch) const;
};

// Training-time augmentation of images (features = height x width grey levels, row-major):
// each sample of each epoch is moved by (dy, dx), each drawn uniformly from [-shift, shift]
// from (seed, epoch, sample), pixels moved in from outside being 0. The same as
// torchvision's RandomCrop(size, padding=shift). Not applied when evaluating.
struct image_shift {
    int height = 0, width = 0, shift = 0;
    bool active() const { return shift > 0; }
    // Why these data cannot be shifted: {config key under training.augment, message}; empty if they can.
    std::pair<std::string, std::string> problem(const dataset& data) const;
    // Row `row` of x (sample `id`) moved, into `out`.
    void apply(const matrix& x, std::size_t row, std::size_t id, std::uint32_t seed, std::uint32_t epoch,
               Eigen::Ref<Eigen::RowVectorXd, 0, Eigen::InnerStride<>> out) const;
};

enum class network_kind { spiking, rate, rate_rnn, stack };
enum class loss_kind { cross_entropy, mse };

// Per-neuron bounds on the hidden layer's mean spike count per sample r_j (over the
// batch): loss + upper_strength sum_j max(0, r_j - upper)^2 + lower_strength sum_j
// max(0, lower - r_j)^2 (Zenke & Vogels 2021's homeostatic terms, per neuron).
struct rate_regulariser {
    double lower = 0.0, lower_strength = 0.0;
    double upper = std::numeric_limits<double>::infinity(), upper_strength = 0.0;
    bool active() const { return lower_strength > 0.0 || upper_strength > 0.0; }
};

struct network_options {
    network_kind kind = network_kind::spiking;
    int inputs = 0, hidden = 128, classes = 0;
    int steps = 50;  // T (spiking, rate_rnn)
    // spiking
    bool recurrent = false;
    double tau_syn_ms = 5.0, tau_mem_ms = 10.0, dt_ms = 1.0, theta = 1.0;
    reset_kind reset = reset_kind::subtract;
    bool detach_reset = true;
    int refractory_steps = 0;
    surrogate spike_grad{surrogate_kind::fast_sigmoid, 10.0};
    readout_kind readout = readout_kind::mean;
    double init_scale = 0.1;  // spiking weights ~ N(0, (init_scale / sqrt(fan_in))^2)
    // Train the decays alpha, beta of the hidden layer and of the readout (one pair each,
    // starting from tau_syn, tau_mem) with the weights; kept within [1e-6, 1 - 1e-6].
    bool learn_time_constants = false;
    // rate, rate_rnn: weights and biases ~ U(-1/sqrt(fan_in), 1/sqrt(fan_in)) (PyTorch's default)
    activation hidden_activation = activation::relu;
    // stack: the layers, from the input (of `input_shape`, inputs = its size) to the
    // logits (classes wide, one value per sample: end with li_readout or reduce)
    std::vector<layer_spec> layers;
    shape input_shape;
    encoder input;
    // Features per sample the network reads: inputs, or inputs x steps with the rows encoder.
    int features() const { return input.kind == encoder_kind::rows ? inputs * steps : inputs; }
    std::uint32_t seed = 1;
    // Dense and conv2d products in float32 (operands rounded to float, results and
    // everything else in double): faster, results within float rounding of float64's.
    bool float32_products = false;
    // The plain LIF layers' I, V and their gradients in float (network.state_precision):
    // half the bytes of the sweeps that dominate a convolutional SNN; spikes and gradients
    // within float rounding of float64's.
    bool float32_state = false;
};

struct train_options {
    std::size_t batch = 64, chunk = 16;
    int threads = 1;
    loss_kind loss = loss_kind::cross_entropy;
    double clip_norm = 0.0;  // > 0: clip the joint gradient norm to it
    rate_regulariser regulariser;
    image_shift augment;
};

struct epoch_stats {
    double loss = 0.0;           // mean over batches (including regularisers)
    double spikes_per_neuron = 0.0;  // hidden spikes per neuron and sample (spiking)
};

struct evaluation {
    std::vector<int> predicted;
    matrix logits;
    double accuracy = 0.0;
    double spikes_per_neuron = 0.0;
    std::vector<double> neuron_spikes;  // per hidden neuron: mean spikes per sample
};

// Why `o` cannot be built (layer index and shapes, "" if it can): for a stack, each
// layer's shape against its input and the output against the classes; `varying_input`:
// the input changes over time (events, Poisson or latency encoding).
std::string stack_problem(const network_options& o, bool varying_input, std::size_t* layer_index = nullptr);

class network {
public:
    explicit network(network_options options);  // initial weights from the seed
    const network_options& options() const { return o_; }

    // Trained parameters by name (optimizer order): W1 (inputs x hidden), W_rec (spiking
    // recurrent) or U (rate_rnn; hidden x hidden), b1 (1 x hidden; rate kinds), W2 (hidden
    // x classes), b2 (rate kinds); with learn_time_constants also alpha1, beta1 (hidden) and
    // alpha2, beta2 (readout), 1 x 1. A stack's are "<layer>.<name>"; with `all`, also
    // those not trained (a stack's fixed decays).
    std::vector<std::string> parameter_names(bool all = false) const;
    std::vector<matrix*> parameters();
    matrix& parameter(const std::string& name);
    const matrix& parameter(const std::string& name) const;

    // The per-step decays of the spiking shorthand's layers (learned or from the options).
    struct decays {
        double alpha1, beta1, alpha2, beta2;
    };
    decays time_constants() const;
    void set_time_constants(const decays& d);

    // The layers as built: spec, input and output shapes.
    struct built_layer {
        layer_spec spec;
        shape in, out;
        std::vector<std::size_t> params;  // indices into the network's parameters (all)
    };
    const std::vector<built_layer>& layers() const { return stack_; }
    int spiking_neurons() const;  // of all lif and alif layers

    // One pass over the data in an order shuffled from (seed, epoch).
    epoch_stats train_epoch(const dataset& data, optimizer& opt, const train_options& t, int epoch);
    evaluation evaluate(const dataset& data, int threads = 1) const;
    // The first hidden layer (lif, alif, elman or activation) over the steps for the given
    // samples: spikes or activations ([t]; one entry if static), each samples x units.
    sequence hidden_activity(const dataset& data, const std::vector<std::size_t>& rows) const;
    // Every layer's output (as above) for the given samples, in stack order.
    std::vector<sequence> layer_activity(const dataset& data, const std::vector<std::size_t>& rows) const;
    // Per layer, samples x units: each sample's output of the layer averaged over the steps
    // (spike rates per step of a spiking layer), for all samples of `data`, in chunks.
    std::vector<matrix> layer_means(const dataset& data, int threads = 1) const;
    // Rounds every trained parameter to the nearest float (the simulator stores weights as float).
    void round_to_float();
    // The input of one sample over the steps as the network sees it when evaluating
    // ([t]: 1 x inputs; a rate network: one entry).
    sequence input_of(const dataset& data, std::size_t row) const;

    struct worker;

private:
    struct parameter_value {
        std::string name;
        matrix value;
        bool trainable = true, decay = false;
    };
    void check_data(const dataset& data) const;
    std::size_t add(std::string name, matrix value, bool trainable = true, bool decay = false);
    void build_shorthand();
    void build_stack();
    network_options o_;
    std::vector<parameter_value> params_;
    std::vector<built_layer> stack_;
};

// One epoch's numbers (learning::trainer).
struct epoch_result {
    double loss = 0.0, train_accuracy = 0.0, test_accuracy = 0.0, spikes_per_neuron = 0.0;
    double seconds = 0.0;  // of the pass over the data
    double learning_rate = 0.0;
};

}  // namespace myelin::learning
