#pragma once
// Files of the learning library: the training config (JSON, docs/learning.md), data sets
// (CSV rows, Spiking Heidelberg Digits HDF5), trained model files (HDF5) with their
// training history, and NIR graphs. (The simulator config of a trained network is io's:
// io/learning_export.hpp.)
#include <myelin/learning/optim.hpp>
#include <myelin/learning/training.hpp>

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace myelin::learning {

// A data file: CSV (features then label) or SHD (HDF5: spikes/times in s, spikes/units,
// labels), optionally only rows [begin, end).
struct data_spec {
    std::filesystem::path file;
    enum class format { csv, shd } type = format::csv;
    std::size_t begin = 0, end = static_cast<std::size_t>(-1);
    double duration_s = 1.0;   // shd: the time binned into the network's T steps
    std::size_t units = 0;     // shd: input units (0: one more than the largest unit seen)
    std::string path;          // config path, for messages
};

struct optimizer_spec {
    enum class kind { sgd, adam, adamw } type = kind::adam;
    double lr = 1e-3, beta1 = 0.9, beta2 = 0.999, epsilon = 1e-8, weight_decay = 0.0, momentum = 0.0;
    bool nesterov = false;
};

struct train_config {
    std::filesystem::path file;
    std::string text;  // the config as given, kept in the model file
    learning::network_options network;
    learning::train_options training;
    optimizer_spec optimizer;
    learning::lr_schedule schedule;
    int epochs = 1;
    data_spec train, test;
    bool has_test = false;
};

// Throws input_error naming the file, the config path, the value and what is allowed.
train_config load_train_config(const std::filesystem::path& file);
// The same from the config's text, read from `file` (names it in messages; data files are
// found relative to it). Without `data_files`, data.train and data.test are not read: the
// caller brings the data (arrays, in the Python module; a model file's config).
train_config parse_train_config(const std::string& text, const std::filesystem::path& file, bool data_files = true);
std::unique_ptr<learning::optimizer> make_optimizer(const optimizer_spec& o);
// Sets the network's inputs from the training data; for a stack, also its input shape
// (if not given: a vector of the features) and checks every layer's shapes: input_error
// naming network.input_shape or network.layers[i] with the shapes.
void fit_network_to_data(train_config& c, const learning::dataset& train);

// CSV or SHD as the spec says; SHD spikes are counted in T equal bins of duration_s.
learning::dataset load_data(const data_spec& spec, int n_classes, int steps);
learning::dataset read_shd(const std::filesystem::path& file, int n_classes, int steps, double duration_s,
                           std::size_t units);

struct training_history {
    std::vector<double> loss, train_accuracy, test_accuracy, spikes_per_neuron, seconds, learning_rate;
    void add(const learning::epoch_result& r);  // one epoch more
};

// Model file: the network's options and parameters, the training config's text, the
// history (one row per epoch trained), and, in a training checkpoint, the optimizer's
// state (group `optimizer`: attributes steps and buffers, matrices buffer_0 ...).
void save_model(const std::filesystem::path& file, learning::network& net, const training_history& history,
                const std::string& config_text, const learning::optimizer_state* optimizer = nullptr);
// A model file with the optimizer's state, written whole under a temporary name first:
// what `myelin train` leaves after every epoch to resume from.
void save_training_checkpoint(const std::filesystem::path& file, learning::network& net, const training_history& history,
                              const std::string& config_text, const learning::optimizer_state& optimizer);
struct loaded_model {
    std::unique_ptr<learning::network> net;
    training_history history;
    std::string config_text;
    std::optional<learning::optimizer_state> optimizer;  // training checkpoints only
};
// Throws input_error if the file is not HDF5 or not a Myelin model file.
loaded_model load_model(const std::filesystem::path& file);
// NIR (the Neuromorphic Intermediate Representation, HDF5; docs/learning.md#nir). A
// spiking network is written as Input -> Linear -> CubaLIF (+ a recurrent Linear) ->
// Linear -> CubaLI -> Output, the discrete update read as the forward-Euler step of NIR's
// equations with step dt (time constants in seconds, as snnTorch exports). Reading
// accepts graphs of that shape built of Input, Output, Affine (zero bias), Linear, LIF,
// CubaLIF, LI and CubaLI; anything else is refused by name (input_error). dt_s: the
// step the graph is discretised with (default: the graph's metadata `dt`, else required).
void write_nir(const std::filesystem::path& file, const learning::network& net);
// Why `net` cannot be written as NIR ("" if it can): rate layers, ALIF (NIR has no such
// node), time constants per neuron, the rows encoder.
std::string nir_problem(const learning::network& net);
std::unique_ptr<learning::network> read_nir(const std::filesystem::path& file, double dt_s, int steps);
void write_history_csv(const std::filesystem::path& file, const training_history& history);

}  // namespace myelin::learning
