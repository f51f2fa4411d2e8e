// _myelin.Model: a classifier of the learning library (spiking, rate, rate RNN), trained
// epoch by epoch by the trainer `myelin train` uses (learning::trainer), on NumPy arrays.
#include "bindings.hpp"

#include <myelin/core/error.hpp>
#include <myelin/core/interrupt.hpp>
#include <myelin/io/learning_export.hpp>
#include <myelin/learning/trainer.hpp>

#include <fmt/format.h>
#include <pybind11/eigen.h>

#include <cmath>
#include <mutex>
#include <optional>
#include <span>

namespace myelin::python {

namespace {

namespace fs = std::filesystem;
namespace L = myelin::learning;
using labels_array = py::array_t<long, py::array::c_style | py::array::forcecast>;
using samples_array = py::array_t<double, py::array::c_style | py::array::forcecast>;

py::array_t<double> matrix_to_array(const L::matrix& m) {
    std::vector<double> v(static_cast<std::size_t>(m.size()));
    Eigen::Map<Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>>(v.data(), m.rows(), m.cols()) = m;
    return to_array(std::move(v), {static_cast<py::ssize_t>(m.rows()), static_cast<py::ssize_t>(m.cols())});
}

// Samples x features (static) or samples x steps x features (events, binned) with labels.
L::dataset dataset_of(const samples_array& x, const std::optional<labels_array>& y, int classes, const char* name) {
    L::dataset d;
    d.n_classes = classes;
    if (x.ndim() != 2 && x.ndim() != 3)
        throw input_error("", name, fmt::format("expected samples x features (2-D) or samples x steps x features (3-D), "
                                                "got {} dimensions", x.ndim()));
    const auto n = static_cast<std::size_t>(x.shape(0));
    if (n == 0) throw input_error("", name, "no samples");
    if (x.ndim() == 2) {
        d.x = Eigen::Map<const Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>>(x.data(), x.shape(0),
                                                                                                       x.shape(1));
    } else {
        const auto T = static_cast<std::size_t>(x.shape(1));
        const auto F = static_cast<Eigen::Index>(x.shape(2));
        d.events.resize(n);
        for (std::size_t s = 0; s < n; ++s)
            for (std::size_t t = 0; t < T; ++t)
                d.events[s].push_back(
                    Eigen::Map<const Eigen::Matrix<double, 1, Eigen::Dynamic>>(x.data() + (s * T + t) * F, F));
    }
    for (double v : std::span(x.data(), static_cast<std::size_t>(x.size())))
        if (!std::isfinite(v)) throw input_error("", name, fmt::format("a value {}; every value must be finite", v));
    if (y) {
        if (y->ndim() != 1 || static_cast<std::size_t>(y->shape(0)) != n)
            throw input_error("", "y", fmt::format("{} labels for {} samples; one per sample", y->size(), n));
        for (std::size_t i = 0; i < n; ++i) {
            const long label = y->data()[i];
            if (label < 0 || label >= classes)
                throw input_error("", "y", fmt::format("label {} (sample {}); must be in [0, {})", label, i, classes));
            d.labels.push_back(static_cast<int>(label));
        }
    } else {
        d.labels.assign(n, 0);  // evaluation without labels: the accuracy is meaningless
    }
    return d;
}

py::dict history_dict(const L::training_history& h) {
    py::dict d;
    d["loss"] = to_array(std::vector<double>(h.loss));
    d["train_accuracy"] = to_array(std::vector<double>(h.train_accuracy));
    d["test_accuracy"] = to_array(std::vector<double>(h.test_accuracy));
    d["spikes_per_neuron"] = to_array(std::vector<double>(h.spikes_per_neuron));
    d["seconds"] = to_array(std::vector<double>(h.seconds));
    d["learning_rate"] = to_array(std::vector<double>(h.learning_rate));
    return d;
}

class model {
public:
    // A training config (docs/learning.md) whose data section may leave out the files.
    model(const std::string& text, const std::string& shown_as, std::optional<std::uint32_t> seed,
          std::optional<int> threads)
        : trainer_(configured(text, shown_as, seed, threads)) {}
    // A model file (myelin train's model.h5, a training checkpoint, myelin import's).
    explicit model(const fs::path& file) : trainer_(continued(file)) {}

    // Trains `epochs` more epochs (default: the config's); returns False if SIGINT stopped it
    // after an epoch.
    bool fit(const samples_array& x, const labels_array& y, std::optional<int> epochs, const std::optional<samples_array>& x_test,
             const std::optional<labels_array>& y_test, bool handle_signals) {
        const auto lock = exclusive();
        const int classes = trainer_.config().network.classes;
        const L::dataset train = dataset_of(x, y, classes, "x");
        std::optional<L::dataset> test;
        if (x_test.has_value() != y_test.has_value())
            throw input_error("", "x_test", "give both x_test and y_test, or neither");
        if (x_test) test = dataset_of(*x_test, *y_test, classes, "x_test");
        if (trainer_.built()) check_features(train, "x");
        if (test) check_features(*test, "x_test", trainer_.built() ? trainer_.net().options().features()
                                                                   : static_cast<int>(train.features()));
        const int n = epochs.value_or(trainer_.config().epochs);
        if (n < 1) throw input_error("", "epochs", fmt::format("{}; must be >= 1", n));
        trainer_.prepare(train, test ? &*test : nullptr);
        const py::gil_scoped_release unlocked;
        const signals_to_interrupt signals(handle_signals);
        return trainer_.fit(train, test ? &*test : nullptr, trainer_.epochs_done() + n);
    }

    py::dict evaluate(const samples_array& x, const std::optional<labels_array>& y) const {
        const auto lock = exclusive();
        const L::dataset data = dataset_of(x, y, trainer_.config().network.classes, "x");
        check_features(data, "x");
        L::evaluation ev;
        {
            const py::gil_scoped_release unlocked;
            ev = net().evaluate(data, trainer_.config().training.threads);
        }
        py::dict d;
        d["predicted"] = to_array(std::vector<long>(ev.predicted.begin(), ev.predicted.end()));
        d["logits"] = matrix_to_array(ev.logits);
        d["accuracy"] = y ? py::object(py::float_(ev.accuracy)) : py::none();
        d["spikes_per_neuron"] = ev.spikes_per_neuron;
        d["neuron_spikes"] = to_array(std::vector<double>(ev.neuron_spikes));
        return d;
    }

    // The hidden layer (or layer `layer` of the stack) over the steps for samples `rows` of
    // x: steps x samples x units (one step for an output that does not change over time).
    py::array_t<double> activity(const samples_array& x, const std::optional<std::vector<std::size_t>>& rows,
                                 std::optional<std::size_t> layer) const {
        const auto lock = exclusive();
        const L::dataset data = dataset_of(x, std::nullopt, trainer_.config().network.classes, "x");
        check_features(data, "x");
        std::vector<std::size_t> which;
        if (rows) {
            which = *rows;
            for (auto r : which)
                if (r >= data.size())
                    throw input_error("", "rows", fmt::format("{}; x has samples 0 to {}", r, data.size() - 1));
        } else {
            for (std::size_t r = 0; r < data.size(); ++r) which.push_back(r);
        }
        L::sequence s;
        {
            const py::gil_scoped_release unlocked;
            if (layer) {
                if (*layer >= net().layers().size())
                    throw input_error("", "layer", fmt::format("{}; the network has layers 0 to {}", *layer,
                                                               net().layers().size() - 1));
                s = std::move(net().layer_activity(data, which)[*layer]);
            } else {
                s = net().hidden_activity(data, which);
            }
        }
        const auto T = s.size();
        const auto B = which.size();
        const auto H = s.empty() ? std::size_t{0} : static_cast<std::size_t>(s[0].cols());
        std::vector<double> out(T * B * H);
        for (std::size_t t = 0; t < T; ++t)
            for (std::size_t b = 0; b < B; ++b)
                for (std::size_t h = 0; h < H; ++h)
                    out[(t * B + b) * H + h] = s[t](static_cast<Eigen::Index>(b), static_cast<Eigen::Index>(h));
        return to_array(std::move(out), {static_cast<py::ssize_t>(T), static_cast<py::ssize_t>(B),
                                         static_cast<py::ssize_t>(H)});
    }

    py::dict parameters() const {
        const auto lock = exclusive();
        py::dict d;
        for (const auto& name : net().parameter_names()) d[py::str(name)] = matrix_to_array(net().parameter(name));
        return d;
    }

    void set_parameter(const std::string& name, const samples_array& value) {
        const auto lock = exclusive();
        net();  // trained or loaded
        const auto names = trainer_.net().parameter_names();
        if (std::find(names.begin(), names.end(), name) == names.end())
            throw input_error("", "name", fmt::format("'{}'; the network's parameters: {}", name, fmt::join(names, ", ")));
        L::matrix& p = trainer_.net().parameter(name);
        if (value.ndim() != 2 || value.shape(0) != p.rows() || value.shape(1) != p.cols())
            throw input_error("", name, fmt::format("shape ({}); must be ({}, {})",
                                                    value.ndim() == 2 ? fmt::format("{}, {}", value.shape(0), value.shape(1))
                                                                      : fmt::format("{} dimensions", value.ndim()),
                                                    p.rows(), p.cols()));
        p = Eigen::Map<const Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>>(value.data(), p.rows(),
                                                                                                     p.cols());
    }

    void save(const fs::path& path, bool force) {
        const auto lock = exclusive();
        net();  // trained or loaded
        if (!force && fs::exists(path))
            throw fs::filesystem_error(path.string() + ": exists; pass force=True to replace it", path,
                                       std::make_error_code(std::errc::file_exists));
        const fs::path tmp = path.string() + ".tmp";
        trainer_.save_model(tmp);
        fs::rename(tmp, path);
    }

    // The simulator config (JSON text) of the trained spiking network fed with sample
    // `sample` of x (myelin export).
    std::string export_config(const samples_array& x, std::size_t sample) const {
        if (const auto problem = io::export_problem(net()); !problem.empty()) throw input_error("", "kind", problem);
        const L::dataset data = dataset_of(x, std::nullopt, trainer_.config().network.classes, "x");
        check_features(data, "x");
        if (sample >= data.size())
            throw input_error("", "sample", fmt::format("{}; x has samples 0 to {}", sample, data.size() - 1));
        return io::export_simulator_config(net(), data, sample);
    }

    void write_nir(const fs::path& path, bool force) const {
        if (const auto problem = L::nir_problem(net()); !problem.empty()) throw input_error("", "kind", problem);
        if (!force && fs::exists(path))
            throw fs::filesystem_error(path.string() + ": exists; pass force=True to replace it", path,
                                       std::make_error_code(std::errc::file_exists));
        const fs::path tmp = path.string() + ".tmp";
        L::write_nir(tmp, net());
        fs::rename(tmp, path);
    }

    static std::unique_ptr<model> from_nir(const fs::path& path, double dt_s, int steps) {
        L::loaded_model nir;
        nir.net = L::read_nir(path, dt_s, steps);
        return std::unique_ptr<model>(new model(L::trainer({}, std::move(nir))));
    }

    py::dict history() const { return history_dict(trainer_.history()); }

    py::dict options() const {
        const auto& o = trainer_.built() ? trainer_.net().options() : trainer_.config().network;
        py::dict d;
        d["kind"] = o.kind == L::network_kind::spiking ? "spiking"
                    : o.kind == L::network_kind::rate  ? "rate"
                    : o.kind == L::network_kind::stack ? "stack"
                                                       : "rate_rnn";
        d["inputs"] = o.inputs;
        d["hidden"] = o.hidden;
        d["classes"] = o.classes;
        d["steps"] = o.steps;
        d["recurrent"] = o.recurrent;
        d["dt"] = o.dt_ms;
        d["seed"] = o.seed;
        d["epochs"] = trainer_.config().epochs;
        d["threads"] = trainer_.config().training.threads;
        return d;
    }

private:
    explicit model(L::trainer t) : trainer_(std::move(t)) {}

    static L::train_config configured(const std::string& text, const std::string& shown_as,
                                      std::optional<std::uint32_t> seed, std::optional<int> threads) {
        L::train_config c = L::parse_train_config(text, shown_as, false);
        if (seed) c.network.seed = *seed;
        if (threads) c.training.threads = *threads;
        return c;
    }
    static L::trainer continued(const fs::path& file) {
        L::loaded_model m = L::load_model(file);
        L::train_config c;
        if (!m.config_text.empty()) c = L::parse_train_config(m.config_text, file, false);
        c.text = m.config_text;
        return L::trainer(std::move(c), std::move(m));
    }

    const L::network& net() const {
        if (!trainer_.built()) throw std::runtime_error("the model is not trained yet: fit() it first, or load one");
        return trainer_.net();
    }
    // Not waiting for another thread's call: that would hold the GIL the other needs to end.
    std::unique_lock<std::mutex> exclusive() const {
        std::unique_lock lock(busy_, std::try_to_lock);
        if (!lock) throw std::runtime_error("the model is in use by another thread");
        return lock;
    }
    void check_features(const L::dataset& d, const char* name, int features = 0) const {
        if (features == 0) features = net().options().features();
        if (static_cast<int>(d.features()) != features)
            throw input_error("", name, fmt::format("{} features per sample; the network has {} inputs", d.features(),
                                                    features));
    }

    mutable std::mutex busy_;  // held by fit, evaluate and activity, which release the GIL
    L::trainer trainer_;
};

}  // namespace

void bind_learning(py::module_& m) {
    m.def(
        "load_data",
        [](const fs::path& path, int classes, int steps, std::optional<std::pair<std::size_t, std::size_t>> rows,
           double duration, std::size_t units) {
            L::data_spec spec;
            spec.file = path;
            spec.path = "path";
            spec.type = path.extension() == ".h5" ? L::data_spec::format::shd : L::data_spec::format::csv;
            if (rows) {
                spec.begin = rows->first;
                spec.end = rows->second;
                spec.path = "rows";
            }
            spec.duration_s = duration;
            spec.units = units;
            if (classes < 2) throw input_error("", "classes", fmt::format("{}; must be >= 2", classes));
            if (steps < 1) throw input_error("", "steps", fmt::format("{}; must be >= 1", steps));
            const L::dataset d = L::load_data(spec, classes, steps);
            py::array_t<double> x;
            if (d.is_events()) {
                const auto F = d.features();
                std::vector<double> v(d.size() * static_cast<std::size_t>(steps) * F, 0.0);
                for (std::size_t s = 0; s < d.size(); ++s)
                    for (std::size_t t = 0; t < d.events[s].size() && t < static_cast<std::size_t>(steps); ++t)
                        for (std::size_t f = 0; f < F; ++f)
                            v[(s * static_cast<std::size_t>(steps) + t) * F + f] = d.events[s][t](0, static_cast<Eigen::Index>(f));
                x = to_array(std::move(v), {static_cast<py::ssize_t>(d.size()), steps, static_cast<py::ssize_t>(F)});
            } else {
                x = matrix_to_array(d.x);
            }
            return py::make_tuple(x, to_array(std::vector<long>(d.labels.begin(), d.labels.end())));
        },
        py::arg("path"), py::arg("classes"), py::arg("steps") = 50, py::arg("rows") = py::none(),
        py::arg("duration") = 1.0, py::arg("units") = 0,
        "A data file as `myelin train` reads it: CSV (features, then the label) -> (samples x features, labels), "
        "or Spiking Heidelberg Digits HDF5 (.h5) binned into `steps` over `duration` s -> (samples x steps x units, "
        "labels). `rows`: only rows [first, end).");

    py::class_<model>(m, "Model", "A classifier of the learning library; myelin.Model is the class to use.")
        .def(py::init<const std::string&, const std::string&, std::optional<std::uint32_t>, std::optional<int>>(),
             py::arg("text"), py::arg("shown_as"), py::arg("seed") = py::none(), py::arg("threads") = py::none())
        .def(py::init<const fs::path&>(), py::arg("path"))
        .def_static("from_nir", &model::from_nir, py::arg("path"), py::arg("dt") = 0.0, py::arg("steps") = 0)
        .def("fit", &model::fit, py::arg("x"), py::arg("y"), py::arg("epochs") = py::none(),
             py::arg("x_test") = py::none(), py::arg("y_test") = py::none(), py::arg("handle_signals") = true)
        .def("evaluate", &model::evaluate, py::arg("x"), py::arg("y") = py::none())
        .def("activity", &model::activity, py::arg("x"), py::arg("rows") = py::none(), py::arg("layer") = py::none())
        .def("parameters", &model::parameters)
        .def("set_parameter", &model::set_parameter, py::arg("name"), py::arg("value"))
        .def("save", &model::save, py::arg("path"), py::arg("force") = false)
        .def("export_config", &model::export_config, py::arg("x"), py::arg("sample"))
        .def("write_nir", &model::write_nir, py::arg("path"), py::arg("force") = false)
        .def("history", &model::history)
        .def("options", &model::options);
}

}  // namespace myelin::python
