#include <myelin/learning/trainer.hpp>

#include <myelin/core/error.hpp>
#include <myelin/core/interrupt.hpp>

#include <fmt/format.h>

#include <chrono>
#include <cmath>
#include <stdexcept>

namespace myelin::learning {

trainer::trainer(train_config config) : config_(std::move(config)), opt_(make_optimizer(config_.optimizer)) {}

trainer::trainer(train_config config, loaded_model model)
    : config_(std::move(config)), net_(std::move(model.net)), opt_(make_optimizer(config_.optimizer)),
      history_(std::move(model.history)) {
    config_.network = net_->options();
    if (model.optimizer) opt_->restore(*model.optimizer);
}

network& trainer::net() {
    if (!net_) throw std::logic_error("the network is built by the first fit");
    return *net_;
}

const network& trainer::net() const {
    if (!net_) throw std::logic_error("the network is built by the first fit");
    return *net_;
}

void trainer::prepare(const dataset& train, const dataset* test) {
    const std::string file = config_.file.string();
    if (train.is_events() && config_.network.kind == network_kind::rate)
        throw input_error(file, "network.kind", "'rate' takes static (CSV) data; event data need 'spiking' or 'rate_rnn'");
    if (config_.training.augment.active())
        if (const auto [key, message] = config_.training.augment.problem(train); !message.empty())
            throw input_error(file, "training.augment" + key, message);
    const int features = net_ ? net_->options().features() : static_cast<int>(train.features());
    for (const auto* d : {&train, test})
        if (d && static_cast<int>(d->features()) != features)
            throw input_error(file, d == test ? "data.test" : "data.train",
                              fmt::format("{} features per sample; the network has {} inputs", d->features(), features));
    if (!net_) {
        fit_network_to_data(config_, train);
        net_ = std::make_unique<network>(config_.network);
    }
}

bool trainer::fit(const dataset& train, const dataset* test, int epochs,
                  const std::function<void(const epoch_result&)>& after) {
    prepare(train, test);
    lr_schedule schedule = config_.schedule;
    schedule.epochs = epochs;
    for (int epoch = epochs_done(); epoch < epochs; ++epoch) {
        epoch_result r;
        r.learning_rate = schedule.at(config_.optimizer.lr, epoch);
        opt_->set_learning_rate(r.learning_rate);
        const auto start = std::chrono::steady_clock::now();
        const auto stats = net_->train_epoch(train, *opt_, config_.training, epoch);
        r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        r.loss = stats.loss;
        r.spikes_per_neuron = stats.spikes_per_neuron;
        r.train_accuracy = net_->evaluate(train, config_.training.threads).accuracy;
        r.test_accuracy = test ? net_->evaluate(*test, config_.training.threads).accuracy : std::nan("");
        history_.add(r);
        if (after) after(r);
        if (interrupt_requested() && epoch + 1 < epochs) return false;
    }
    return true;
}

void trainer::save_model(const std::filesystem::path& file) {
    learning::save_model(file, net(), history_, config_.text);
}

void trainer::save_checkpoint(const std::filesystem::path& file) {
    save_training_checkpoint(file, net(), history_, config_.text, opt_->state());
}

}  // namespace myelin::learning
