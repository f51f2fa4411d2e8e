#pragma once
// Training a spiking classifier on static data: a CSV reader, the Adam / AdamW optimizer
// (Kingma & Ba 2015; Loshchilov & Hutter 2019), and a two-layer network (LIF hidden
// layer, leaky-integrator readout) fed by constant current injection (x at every step),
// trained on mini-batches in a seeded order.
#include <myelin/learning/spiking.hpp>

#include <cstdint>
#include <filesystem>
#include <vector>

namespace myelin::learning {

// Rows of features, then an integer label in [0, n_classes). Throws input_error naming
// the file, the line and what is wrong (ragged row, non-numeric value, bad label).
struct dataset {
    matrix x;                 // samples x features
    std::vector<int> labels;
    int n_classes = 0;
    dataset rows(std::size_t begin, std::size_t end) const;
};
dataset read_csv(const std::filesystem::path& file, int n_classes);

// Adam with bias correction; weight_decay > 0 makes it AdamW (decoupled decay).
class adam {
public:
    explicit adam(double learning_rate, double beta1 = 0.9, double beta2 = 0.999, double epsilon = 1e-8,
                  double weight_decay = 0.0);
    // One update of each parameter from its gradient (the lists pair up, always in the same order).
    void step(const std::vector<matrix*>& params, const std::vector<const matrix*>& grads);

private:
    double lr_, b1_, b2_, eps_, wd_;
    long t_ = 0;
    std::vector<matrix> m_, v_;
};

struct classifier_options {
    int hidden = 128, steps = 50;  // T
    double tau_syn_ms = 5.0, tau_mem_ms = 10.0, dt_ms = 1.0, theta = 1.0;
    surrogate spike_grad{surrogate_kind::fast_sigmoid, 10.0};
    readout_kind readout = readout_kind::mean;
    double init_scale = 0.1;  // weights ~ N(0, (init_scale / sqrt(fan_in))^2)
    double input_scale = 1.0 / 16.0;
    std::uint32_t seed = 1;
};

class spiking_classifier {
public:
    spiking_classifier(int n_inputs, int n_classes, classifier_options options);
    // One pass over the data in a seeded shuffled order; returns the mean loss.
    double train_epoch(const dataset& data, adam& optimizer, std::size_t batch_size, int epoch);
    std::vector<int> predict(const dataset& data) const;
    double accuracy(const dataset& data) const;

    lif_layer& hidden() { return hidden_; }
    li_readout& readout() { return out_; }

private:
    sequence encode(const matrix& x) const;
    classifier_options o_;
    lif_layer hidden_;
    li_readout out_;
};

}  // namespace myelin::learning
