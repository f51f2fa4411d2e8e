#pragma once
// Training as `myelin train` and the Python module run it (docs/learning.md): the network
// of a training config, shaped by its training data on the first fit, with its optimizer
// and history, trained epoch by epoch; written as a model file or as a training
// checkpoint (the optimizer's state too) that a later trainer continues.
#include <myelin/learning/files.hpp>

#include <filesystem>
#include <functional>
#include <memory>

namespace myelin::learning {

class trainer {
public:
    // A network still to be built: the first fit shapes it from its training data.
    explicit trainer(train_config config);
    // Continues a model file's network (with its optimizer's state if it is a training
    // checkpoint) under `config`, whose network options become the model's.
    trainer(train_config config, loaded_model model);

    // Checks the data against the config (input_error naming the config's file and key:
    // event data for a rate network, augmentation of data that are no such images, features
    // other than the network's) and builds the network from them if not yet built.
    void prepare(const dataset& train, const dataset* test);
    // Prepares, then trains until `epochs` epochs are done in all (counting those of a model continued;
    // the learning-rate schedule spans them), calling `after` after each. Stops after an
    // epoch if an interrupt was requested (core/interrupt.hpp): returns whether all ran.
    bool fit(const dataset& train, const dataset* test, int epochs,
             const std::function<void(const epoch_result&)>& after = {});

    bool built() const { return net_ != nullptr; }
    network& net();
    const network& net() const;
    const train_config& config() const { return config_; }
    const training_history& history() const { return history_; }
    int epochs_done() const { return static_cast<int>(history_.loss.size()); }

    void save_model(const std::filesystem::path& file);
    // Written whole under a temporary name first; `myelin train` leaves one after every epoch.
    void save_checkpoint(const std::filesystem::path& file);

private:
    train_config config_;
    std::unique_ptr<network> net_;
    std::unique_ptr<optimizer> opt_;
    training_history history_;
};

}  // namespace myelin::learning
