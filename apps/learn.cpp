// myelin train / eval / export: the learning library's commands (docs/learning.md).
#include "commands.hpp"

#include <myelin/core/error.hpp>
#include <myelin/core/interrupt.hpp>
#include <myelin/io/learning_export.hpp>
#include <myelin/io/output_dir.hpp>
#include <myelin/learning/trainer.hpp>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <fstream>

namespace myelin::apps {

namespace fs = std::filesystem;
namespace L = myelin::learning;

namespace {

void check_features(const L::dataset& d, int inputs, const std::string& file, const std::string& what) {
    if (static_cast<int>(d.features()) != inputs)
        throw input_error(file, "", fmt::format("{} features per sample; {} has {} inputs", d.features(), what, inputs));
}

// The training checkpoint `--resume` continues: it must be of this config (the same text,
// seed and network) and not have trained all the epochs asked for.
L::loaded_model resume_point(const fs::path& checkpoint, const L::train_config& c) {
    if (!fs::exists(checkpoint))
        throw input_error(checkpoint.string(), "--resume",
                          "no such file: train writes it into the output folder after every epoch; give --output of "
                          "the training to resume");
    L::loaded_model m = L::load_model(checkpoint);
    if (!m.optimizer)
        throw input_error(checkpoint.string(), "--resume", "a model file without the optimizer's state: not a training checkpoint");
    if (m.config_text != c.text)
        throw input_error(checkpoint.string(), "--resume",
                          "was trained with another config text than this one: resume with the config it was trained with");
    if (m.net->options().seed != c.network.seed)
        throw input_error(checkpoint.string(), "--seed",
                          fmt::format("{}; the checkpoint was trained with seed {}", c.network.seed, m.net->options().seed));
    const auto done = m.history.loss.size();
    if (done >= static_cast<std::size_t>(c.epochs))
        throw input_error(checkpoint.string(), "--epochs",
                          fmt::format("{}; the checkpoint has trained {} epoch{} already: ask for more with --epochs",
                                      c.epochs, done, done == 1 ? "" : "s"));
    return m;
}

}  // namespace

int train_command(const train_cli& cli) {
    auto c = L::load_train_config(cli.config);
    if (cli.threads) c.training.threads = *cli.threads;
    if (cli.seed) c.network.seed = *cli.seed;
    if (cli.epochs) c.epochs = *cli.epochs;
    const auto train = L::load_data(c.train, c.network.classes, c.network.steps);
    L::dataset test;
    if (c.has_test) {
        test = L::load_data(c.test, c.network.classes, c.network.steps);
        check_features(test, static_cast<int>(train.features()), c.test.file.string(), "the training data");
    }

    const fs::path out_path = cli.output.empty() ? fs::path("out") / fs::path(cli.config).stem() : fs::path(cli.output);
    // After every epoch the model and the optimizer's state go straight into the output
    // folder (not the staging one), for --resume after an interrupt or a failure.
    const fs::path checkpoint = out_path / "checkpoint.h5";
    L::trainer trainer = cli.resume ? L::trainer(c, resume_point(checkpoint, c)) : L::trainer(c);
    trainer.prepare(train, c.has_test ? &test : nullptr);
    io::output_dir out(out_path, cli.force || cli.resume);
    const int first_epoch = trainer.epochs_done();
    install_interrupt_handlers();
    if (!cli.quiet) {
        const auto& net = trainer.net();
        std::string shape;
        if (c.network.kind == L::network_kind::stack) {
            shape = net.layers().front().in.text();
            for (const auto& l : net.layers()) shape += fmt::format(" -> {} {}", L::name_of(l.spec.kind), l.out.text());
        } else {
            shape = fmt::format("{} -> {} -> {}", net.options().inputs, c.network.hidden, c.network.classes);
        }
        fmt::print("training a {} network {} on {} samples ({} test), {} epochs, batch {}, {} thread(s)\n",
                   c.network.kind == L::network_kind::spiking ? "spiking"
                   : c.network.kind == L::network_kind::rate  ? "rate"
                   : c.network.kind == L::network_kind::stack ? "layer-stack"
                                                               : "rate RNN",
                   shape, train.size(), test.size(), c.epochs, c.training.batch, c.training.threads);
        if (cli.resume) fmt::print("resumed after epoch {} from {}\n", first_epoch, checkpoint.string());
    }
    const bool whole = trainer.fit(train, c.has_test ? &test : nullptr, c.epochs, [&](const L::epoch_result& r) {
        const int epoch = trainer.epochs_done();
        if (!cli.quiet) {
            std::string line = fmt::format("epoch {:>3}/{}  loss {:.4f}  train {:.2f} %", epoch, c.epochs, r.loss,
                                           100.0 * r.train_accuracy);
            if (c.has_test) line += fmt::format("  test {:.2f} %", 100.0 * r.test_accuracy);
            if (trainer.net().spiking_neurons() > 0) line += fmt::format("  spikes/neuron {:.2f}", r.spikes_per_neuron);
            line += fmt::format("  lr {:.3g}  {:.2f} s", r.learning_rate, r.seconds);
            fmt::print("{}\n", line);
            std::fflush(stdout);
        }
        fs::create_directories(out_path);
        trainer.save_checkpoint(checkpoint);
    });
    if (!whole) {
        fmt::print(stderr, "myelin: interrupted after epoch {} of {}; the model so far is in {}\nresume with: "
                           "myelin train '{}' --resume --output '{}'{}\n",
                   trainer.epochs_done(), c.epochs, checkpoint.string(), cli.config, out_path.string(),
                   cli.epochs ? fmt::format(" --epochs {}", c.epochs) : "");
        return 130;  // 128 + SIGINT, as a shell reports it
    }
    trainer.save_model(out.file("model.h5"));
    L::write_history_csv(out.file("history.csv"), trainer.history());
    out.commit();
    if (!cli.quiet) fmt::print("wrote {} (model and history) and {}\n", (out_path / "model.h5").string(),
                               (out_path / "history.csv").string());
    return 0;
}

int eval_command(const eval_cli& cli) {
    const auto model = L::load_model(cli.model);
    const auto& o = model.net->options();
    L::data_spec spec;
    spec.file = cli.data;
    spec.path = "DATA";
    spec.type = cli.data.size() > 3 && cli.data.substr(cli.data.size() - 3) == ".h5" ? L::data_spec::format::shd
                                                                                   : L::data_spec::format::csv;
    if (cli.rows) {
        spec.begin = cli.rows->first;
        spec.end = cli.rows->second;
        spec.path = "--rows";
    }
    spec.duration_s = cli.duration_s;
    spec.units = static_cast<std::size_t>(o.inputs);
    const auto data = L::load_data(spec, o.classes, o.steps);
    check_features(data, o.features(), cli.data, "the model");
    const auto ev = model.net->evaluate(data, cli.threads);
    const auto K = static_cast<std::size_t>(o.classes);
    std::vector<std::vector<std::size_t>> confusion(K, std::vector<std::size_t>(K, 0));
    for (std::size_t i = 0; i < data.size(); ++i)
        ++confusion[static_cast<std::size_t>(data.labels[i])][static_cast<std::size_t>(ev.predicted[i])];
    fmt::print("{}: accuracy {:.2f} % ({} samples)\n", cli.data, 100.0 * ev.accuracy, data.size());
    if (model.net->spiking_neurons() > 0) {
        std::size_t silent = 0;
        for (double s : ev.neuron_spikes) silent += s == 0.0;
        fmt::print("hidden spikes per neuron and sample: {:.2f} (silent neurons: {} of {})\n",
                   ev.spikes_per_neuron, silent, model.net->spiking_neurons());
    }
    fmt::print("\nper class (rows: true class, columns: predicted)\n{:>5} {:>7} {:>9}  ", "class", "samples", "accuracy");
    for (std::size_t k = 0; k < K; ++k) fmt::print("{:>5}", k);
    fmt::print("\n");
    std::vector<std::size_t> predicted(K, 0);
    for (std::size_t a = 0; a < K; ++a)
        for (std::size_t b = 0; b < K; ++b) predicted[b] += confusion[a][b];
    for (std::size_t a = 0; a < K; ++a) {
        std::size_t n = 0;
        for (std::size_t b = 0; b < K; ++b) n += confusion[a][b];
        const std::string acc = n ? fmt::format("{:.1f} %", 100.0 * static_cast<double>(confusion[a][a]) / n) : "-";
        fmt::print("{:>5} {:>7} {:>9}  ", a, n, acc);
        for (std::size_t b = 0; b < K; ++b) fmt::print("{:>5}", confusion[a][b]);
        std::string note;
        if (n > 0 && confusion[a][a] == 0) note = "  <- DEAD: never recognised";
        if (predicted[a] == 0) note += "  <- never predicted";
        fmt::print("{}\n", note);
    }
    return 0;
}

int export_command(const export_cli& cli) {
    const auto model = L::load_model(cli.model);
    const auto& o = model.net->options();
    if (const auto problem = cli.nir ? L::nir_problem(*model.net) : io::export_problem(*model.net); !problem.empty())
        throw input_error(cli.model, "kind", problem);
    const fs::path out(cli.output);
    if (fs::exists(out) && !cli.force)
        throw input_error("", "--output", fmt::format("{} exists; add --force to replace it", cli.output));
    const fs::path tmp = out.string() + ".tmp";
    if (cli.nir) {
        L::write_nir(tmp, *model.net);
        fs::rename(tmp, out);
        if (o.kind == L::network_kind::stack) {
            fmt::print("wrote {}: NIR graph of the {}-layer stack (one node per layer, dropout left out), dt = {} s\n",
                       cli.output, model.net->layers().size(), o.dt_ms * 1e-3);
            return 0;
        }
        fmt::print("wrote {}: NIR graph Input -> Linear -> CubaLIF{} -> Linear -> CubaLI -> Output, dt = {} s\n",
                   cli.output, o.recurrent ? " (+ recurrent Linear)" : "", o.dt_ms * 1e-3);
        if (o.reset == L::reset_kind::subtract)
            fmt::print("note: NIR's CubaLIF resets to v_reset; this network resets by subtraction (kept in the node's "
                       "metadata for Myelin; other tools may reset to zero)\n");
        if (o.refractory_steps > 0)
            fmt::print("note: NIR's CubaLIF has no refractory period; this network's ({} steps) is kept in the node's "
                       "metadata for Myelin, other tools will ignore it\n", o.refractory_steps);
        return 0;
    }
    if (cli.data.empty()) throw input_error("", "--data", "is required to export a simulator config (or give --nir)");
    L::data_spec spec;
    spec.file = cli.data;
    spec.path = "--data";
    spec.type = cli.data.size() > 3 && cli.data.substr(cli.data.size() - 3) == ".h5" ? L::data_spec::format::shd
                                                                                   : L::data_spec::format::csv;
    spec.duration_s = cli.duration_s;
    spec.units = static_cast<std::size_t>(o.inputs);
    const auto data = L::load_data(spec, o.classes, o.steps);
    check_features(data, o.features(), cli.data, "the model");
    if (cli.sample >= data.size())
        throw input_error("", "--sample", fmt::format("{}; {} has samples 0 to {}", cli.sample, cli.data, data.size() - 1));
    std::string config;
    try {
        config = io::export_simulator_config(*model.net, data, cli.sample);
    } catch (const std::invalid_argument& e) {  // weights the simulator's float cannot hold
        throw input_error(cli.model, "", e.what());
    }
    {
        std::ofstream f(tmp);
        f << config << '\n';
        if (!f) throw input_error("", "--output", fmt::format("cannot write {}", tmp.string()));
    }
    fs::rename(tmp, out);
    // The simulator keeps weights as float: say whether that changes this sample's spikes.
    L::network rounded = *model.net;
    rounded.round_to_float();
    const auto before = model.net->layer_activity(data, {cli.sample}), after = rounded.layer_activity(data, {cli.sample});
    std::size_t spikes = 0, changed = 0, hidden = 0;
    for (std::size_t i = 0; i < before.size(); ++i) {
        if (!L::is_spiking(model.net->layers()[i].spec.kind)) continue;
        ++hidden;
        for (std::size_t t = 0; t < before[i].size(); ++t) {
            spikes += static_cast<std::size_t>(before[i][t].sum());
            changed += static_cast<std::size_t>((before[i][t] - after[i][t]).cwiseAbs().sum());
        }
    }
    if (hidden == 1)
        fmt::print("wrote {}: sample {} (label {}); hidden spikes of training step t are stamped (t + 2) x {} ms\n",
                   cli.output, cli.sample, data.labels[cli.sample], o.dt_ms);
    else
        fmt::print("wrote {}: sample {} (label {}); spikes of hidden layer k (population hiddenk) at training step t are "
                   "stamped (t + 1 + k) x {} ms\n",
                   cli.output, cli.sample, data.labels[cli.sample], o.dt_ms);
    if (changed == 0)
        fmt::print("weights rounded to float (the simulator's storage): the sample's {} hidden spikes are unchanged\n",
                   spikes);
    else
        fmt::print("note: weights rounded to float (the simulator's storage) change {} of the sample's {} hidden spikes "
                   "against the double-precision model\n", changed, spikes);
    return 0;
}

int import_command(const import_cli& cli) {
    const fs::path out(cli.output);
    if (fs::exists(out) && !cli.force)
        throw input_error("", "--output", fmt::format("{} exists; add --force to replace it", cli.output));
    auto net = L::read_nir(cli.nir, cli.dt_s, cli.steps);
    const fs::path tmp = out.string() + ".tmp";
    L::save_model(tmp, *net, {}, "");
    fs::rename(tmp, out);
    const auto& o = net->options();
    fmt::print("wrote {}: spiking network {} -> {}{} -> {}, dt = {} ms, T = {}, reset {}\n", cli.output, o.inputs,
               o.hidden, o.recurrent ? " (recurrent)" : "", o.classes, o.dt_ms, o.steps,
               o.reset == L::reset_kind::zero ? "to zero" : "by subtraction");
    return 0;
}

}  // namespace myelin::apps
