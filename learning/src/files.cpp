#include <myelin/learning/files.hpp>

#include <myelin/formats/files.hpp>
#include <myelin/formats/h5.hpp>
#include <myelin/formats/json_reader.hpp>

#include <myelin/core/error.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <map>

namespace myelin::learning {

namespace {

using namespace json_input;
namespace L = myelin::learning;

// One of `names` (the enum values in order); fallback if the key is absent.
template <class E>
E choice(object_reader& r, const std::string& key, const std::vector<std::pair<std::string, E>>& names, E fallback) {
    if (!r.has(key)) return fallback;
    const std::string v = r.text(key);
    std::vector<std::string> allowed;
    for (const auto& [name, e] : names) {
        if (name == v) return e;
        allowed.push_back(name);
    }
    r.fail(r.at(key), fmt::format("'{}' is not one of {}", v, fmt::join(allowed, ", ")));
}

double positive(object_reader& r, const std::string& key, double fallback) {
    const double v = r.number(key, fallback);
    if (!(v > 0.0) || !std::isfinite(v)) r.fail(r.at(key), fmt::format("{}; must be a finite number > 0", v));
    return v;
}
double nonnegative(object_reader& r, const std::string& key, double fallback) {
    const double v = r.number(key, fallback);
    if (!(v >= 0.0) || !std::isfinite(v)) r.fail(r.at(key), fmt::format("{}; must be a finite number >= 0", v));
    return v;
}
int count_in(object_reader& r, const std::string& key, int fallback, int low, int high) {
    if (!r.has(key)) return fallback;
    const std::uint64_t v = r.count(key);
    if (v < static_cast<std::uint64_t>(low) || v > static_cast<std::uint64_t>(high))
        r.fail(r.at(key), fmt::format("{}; must be an integer in [{}, {}]", v, low, high));
    return static_cast<int>(v);
}

data_spec data_file(const json& j, const std::string& path, const train_config& c) {
    data_spec d;
    d.path = path;
    const auto base = c.file.parent_path();
    if (j.is_string()) {
        d.file = base / j.get<std::string>();
        std::error_code ec;
        if (!std::filesystem::is_regular_file(d.file, ec))
            throw input_error(c.file.string(), path, fmt::format("no such file: {}", d.file.string()));
        if (d.file.extension() == ".h5") d.type = data_spec::format::shd;
        return d;
    }
    const std::string config_file = c.file.string();  // object_reader keeps a reference
    object_reader r(j, path, config_file);
    d.file = base / r.text("file");
    d.type = choice<data_spec::format>(r, "format", {{"csv", data_spec::format::csv}, {"shd", data_spec::format::shd}},
                                       d.file.extension() == ".h5" ? data_spec::format::shd : data_spec::format::csv);
    if (r.has("rows")) {
        const json& rows = r.get("rows");
        if (!rows.is_array() || rows.size() != 2)
            r.fail(r.at("rows"), fmt::format("expected [first, end) as two integers, got {}", show(rows)));
        d.begin = r.as_count(rows[0], r.at("rows") + "[0]");
        d.end = r.as_count(rows[1], r.at("rows") + "[1]");
        if (d.end <= d.begin) r.fail(r.at("rows"), fmt::format("{}; the end must be after the first row", show(rows)));
    }
    std::error_code ec;
    if (!std::filesystem::is_regular_file(d.file, ec))
        r.fail(r.at("file"), fmt::format("no such file: {}", d.file.string()));
    if (d.type == data_spec::format::shd) {
        d.duration_s = positive(r, "duration", 1.0);
        d.units = static_cast<std::size_t>(count_in(r, "units", 0, 0, 1 << 24));
    }
    r.finish();
    return d;
}

L::surrogate surrogate_of(object_reader& r) {
    L::surrogate out;
    if (r.has("surrogate")) {
        object_reader s(r.get("surrogate"), r.at("surrogate"), r.file());
        out.kind = choice<L::surrogate_kind>(s, "kind",
                                             {{"fast_sigmoid", L::surrogate_kind::fast_sigmoid},
                                              {"sigmoid", L::surrogate_kind::sigmoid},
                                              {"arctan", L::surrogate_kind::arctan},
                                              {"triangle", L::surrogate_kind::triangle}},
                                             L::surrogate_kind::fast_sigmoid);
        out.slope = positive(s, "slope", 10.0);
        s.finish();
    }
    return out;
}

const std::vector<std::pair<std::string, L::readout_kind>> readout_names = {
    {"mean", L::readout_kind::mean}, {"max", L::readout_kind::max}, {"last", L::readout_kind::last}};

// One entry of network.layers: {"<kind>": {options}}.
L::layer_spec layer_of(const json& j, const std::string& path, const std::string& file, double dt_ms) {
    if (!j.is_object() || j.size() != 1)
        throw input_error(file, path, fmt::format("expected an object with one key, the layer's kind (e.g. {{\"dense\": "
                                                  "{{\"units\": 128}}}}), got {}", show(j)));
    const std::string name = j.begin().key();
    L::layer_spec l;
    if (!L::layer_kind_from_name(name, l.kind)) {
        std::vector<std::string> all;
        for (auto k : {L::layer_kind::dense, L::layer_kind::conv2d, L::layer_kind::avg_pool, L::layer_kind::sum_pool,
                       L::layer_kind::flatten, L::layer_kind::activation, L::layer_kind::dropout, L::layer_kind::reduce,
                       L::layer_kind::lif, L::layer_kind::alif, L::layer_kind::li_readout, L::layer_kind::elman})
            all.emplace_back(L::name_of(k));
        throw input_error(file, path, fmt::format("unknown layer kind '{}'{}; known: {}", name, suggestion(name, all),
                                                  fmt::join(all, ", ")));
    }
    object_reader r(j.begin().value(), path + "." + name, file);
    l.dt_ms = dt_ms;
    auto init = [&] {
        l.bias = r.flag("bias", true);
        l.init = choice<L::weight_init>(r, "init", {{"uniform", L::weight_init::uniform}, {"normal", L::weight_init::normal}},
                                        L::weight_init::uniform);
        l.init_scale = positive(r, "init_scale", 0.1);
    };
    auto decays = [&] {
        l.tau_syn_ms = positive(r, "tau_syn", 5.0);
        l.tau_mem_ms = positive(r, "tau_mem", 10.0);
        l.learn_decays = choice<L::decay_learning>(r, "learn_decays",
                                                   {{"none", L::decay_learning::none},
                                                    {"layer", L::decay_learning::layer},
                                                    {"neuron", L::decay_learning::neuron}},
                                                   L::decay_learning::none);
    };
    auto required = [&](const char* key, int high) {
        if (!r.has(key)) r.fail(r.at(key), "is required but missing");
        return count_in(r, key, 0, 1, high);
    };
    switch (l.kind) {
    case L::layer_kind::dense:
        l.units = required("units", 1 << 20);
        l.event_driven = r.flag("event_driven", false);
        init();
        break;
    case L::layer_kind::conv2d:
        l.channels = required("channels", 1 << 16);
        l.kernel = required("kernel", 1 << 12);
        l.stride = count_in(r, "stride", 1, 1, 1 << 12);
        l.padding = count_in(r, "padding", 0, 0, 1 << 12);
        init();
        break;
    case L::layer_kind::avg_pool:
    case L::layer_kind::sum_pool:
        l.kernel = required("kernel", 1 << 12);
        l.stride = count_in(r, "stride", l.kernel, 1, 1 << 12);
        break;
    case L::layer_kind::flatten: break;
    case L::layer_kind::activation:
        l.f = choice<L::activation>(r, "function",
                                    {{"relu", L::activation::relu}, {"tanh", L::activation::tanh}, {"sigmoid", L::activation::sigmoid}},
                                    L::activation::relu);
        break;
    case L::layer_kind::dropout:
        l.p = r.number("p", 0.5);
        if (!(l.p >= 0.0 && l.p < 1.0)) r.fail(r.at("p"), fmt::format("{}; must be in [0, 1)", l.p));
        break;
    case L::layer_kind::reduce: l.reduce = choice<L::readout_kind>(r, "mode", readout_names, L::readout_kind::mean); break;
    case L::layer_kind::lif:
    case L::layer_kind::alif:
        decays();
        l.theta = positive(r, "theta", 1.0);
        l.reset = choice<L::reset_kind>(r, "reset", {{"subtract", L::reset_kind::subtract}, {"zero", L::reset_kind::zero}},
                                        L::reset_kind::subtract);
        l.detach_reset = r.flag("detach_reset", true);
        l.refractory_steps = count_in(r, "refractory_steps", 0, 0, 1 << 20);
        l.recurrent = r.flag("recurrent", false);
        l.event_driven = r.flag("event_driven", false);
        if (l.event_driven && !l.recurrent)
            r.fail(r.at("event_driven"), "applies to recurrent weights; this layer has none (set 'recurrent': true)");
        l.spike_grad = surrogate_of(r);
        if (l.kind == L::layer_kind::alif) {
            l.tau_adapt_ms = positive(r, "tau_adapt", 200.0);
            l.adapt = nonnegative(r, "adapt", 1.8);
            if (l.reset != L::reset_kind::subtract)
                r.fail(r.at("reset"), "alif resets by subtraction (Bellec et al. 2018); 'zero' is for lif");
        }
        break;
    case L::layer_kind::li_readout:
        decays();
        l.reduce = choice<L::readout_kind>(r, "readout", readout_names, L::readout_kind::mean);
        break;
    case L::layer_kind::elman:
        l.f = choice<L::activation>(r, "activation",
                                    {{"relu", L::activation::relu}, {"tanh", L::activation::tanh}, {"sigmoid", L::activation::sigmoid}},
                                    L::activation::tanh);
        break;
    }
    r.finish();
    return l;
}

// network.matmul_precision: "float64" (default) or "float32" (dense and conv2d products).
bool float32_products(object_reader& r) {
    return choice<bool>(r, "matmul_precision", {{"float64", false}, {"float32", true}}, false);
}

// network.state_precision: "float64" (default) or "float32" (the plain LIF layers' state).
bool float32_state(object_reader& r) {
    return choice<bool>(r, "state_precision", {{"float64", false}, {"float32", true}}, false);
}

// A stack: network.layers (and input_shape, steps, dt).
void stack_section(object_reader& r, train_config& c) {
    auto& n = c.network;
    n.kind = L::network_kind::stack;
    n.steps = count_in(r, "steps", 50, 1, 1 << 20);
    n.dt_ms = positive(r, "dt", 1.0);
    if (r.has("input_shape")) {
        const json& v = r.get("input_shape");
        if (!v.is_array() || (v.size() != 1 && v.size() != 3))
            r.fail(r.at("input_shape"), fmt::format("expected [features] or [channels, height, width], got {}", show(v)));
        std::vector<int> d;
        for (std::size_t i = 0; i < v.size(); ++i) {
            const auto k = r.as_count(v[i], fmt::format("{}[{}]", r.at("input_shape"), i));
            if (k < 1 || k > (1 << 20)) r.fail(fmt::format("{}[{}]", r.at("input_shape"), i), fmt::format("{}; must be >= 1", k));
            d.push_back(static_cast<int>(k));
        }
        n.input_shape = d.size() == 1 ? L::shape::vector(d[0]) : L::shape::picture(d[0], d[1], d[2]);
        n.inputs = n.input_shape.size();
    }
    const json& layers = r.get("layers");
    if (!layers.is_array() || layers.empty())
        r.fail(r.at("layers"), fmt::format("expected a non-empty list of layers, got {}", show(layers)));
    for (std::size_t i = 0; i < layers.size(); ++i)
        n.layers.push_back(layer_of(layers[i], fmt::format("{}[{}]", r.at("layers"), i), r.file(), n.dt_ms));
    n.float32_products = float32_products(r);
    n.float32_state = float32_state(r);
    r.finish();
}

void network_section(object_reader& r, train_config& c) {
    auto& n = c.network;
    if (r.has("layers")) {
        if (r.has("kind") && r.text("kind") != "stack")
            r.fail(r.at("kind"), fmt::format("'{}' with 'layers'; a network given layer by layer has kind 'stack' (or none)",
                                             r.text("kind")));
        stack_section(r, c);
        return;
    }
    n.kind = choice<L::network_kind>(r, "kind",
                                     {{"spiking", L::network_kind::spiking},
                                      {"rate", L::network_kind::rate},
                                      {"rate_rnn", L::network_kind::rate_rnn}},
                                     L::network_kind::spiking);
    n.hidden = count_in(r, "hidden", 128, 1, 1 << 20);
    if (n.kind != L::network_kind::rate) n.steps = count_in(r, "steps", 50, 1, 1 << 20);
    if (n.kind == L::network_kind::spiking) {
        n.recurrent = r.flag("recurrent", false);
        n.tau_syn_ms = positive(r, "tau_syn", 5.0);
        n.tau_mem_ms = positive(r, "tau_mem", 10.0);
        n.dt_ms = positive(r, "dt", 1.0);
        n.theta = positive(r, "theta", 1.0);
        n.reset = choice<L::reset_kind>(r, "reset", {{"subtract", L::reset_kind::subtract}, {"zero", L::reset_kind::zero}},
                                        L::reset_kind::subtract);
        n.detach_reset = r.flag("detach_reset", true);
        n.refractory_steps = count_in(r, "refractory_steps", 0, 0, 1 << 20);
        n.readout = choice<L::readout_kind>(
            r, "readout", {{"mean", L::readout_kind::mean}, {"max", L::readout_kind::max}, {"last", L::readout_kind::last}},
            L::readout_kind::mean);
        n.init_scale = positive(r, "init_scale", 0.1);
        n.learn_time_constants = r.flag("learn_time_constants", false);
        n.spike_grad = surrogate_of(r);
    } else {
        n.hidden_activation = choice<L::activation>(r, "activation",
                                                    {{"relu", L::activation::relu},
                                                     {"tanh", L::activation::tanh},
                                                     {"sigmoid", L::activation::sigmoid}},
                                                    n.kind == L::network_kind::rate_rnn ? L::activation::tanh
                                                                                        : L::activation::relu);
    }
    n.float32_products = float32_products(r);
    n.float32_state = float32_state(r);
    try {
        r.finish();
    } catch (const input_error& e) {
        // Say why a known key is refused here.
        throw input_error(e.file(), e.path(),
                          e.detail() + fmt::format(" (for kind '{}')", r.has("kind") ? r.text("kind") : "spiking"));
    }
}

}  // namespace

void fit_network_to_data(train_config& c, const learning::dataset& train) {
    auto& n = c.network;
    const std::string f = c.file.string();
    int features = static_cast<int>(train.features());
    if (n.input.kind == L::encoder_kind::rows) {
        if (train.is_events()) throw input_error(f, "encoder.kind", "'rows' cuts static samples into steps; these data are events");
        if (n.kind == L::network_kind::rate)
            throw input_error(f, "encoder.kind", "'rows' feeds a sample over time; a 'rate' network has no time steps");
        if (features % n.steps != 0)
            throw input_error(f, "encoder.kind",
                              fmt::format("'rows' cuts each sample's {} features into the {} steps (network.steps); {} is "
                                          "not a multiple of {}", features, n.steps, features, n.steps));
        features /= n.steps;
    }
    if (n.kind == L::network_kind::stack) {
        if (n.inputs == 0) n.input_shape = L::shape::vector(features);  // none given
        if (n.input_shape.size() != features)
            throw input_error(f, "network.input_shape",
                              fmt::format("{} ({} values); the data have {} features{}", n.input_shape.text(),
                                          n.input_shape.size(), features,
                                          n.input.kind == L::encoder_kind::rows ? " per step" : ""));
        std::size_t at = 0;
        const bool varying = train.is_events() || n.input.kind != L::encoder_kind::current;
        if (const auto problem = L::stack_problem(n, varying, &at); !problem.empty())
            throw input_error(f, fmt::format("network.layers[{}]", at), problem);
    }
    n.inputs = features;
}

train_config load_train_config(const std::filesystem::path& file) {
    return parse_train_config(read_config_text(file), file);
}

void training_history::add(const learning::epoch_result& r) {
    loss.push_back(r.loss);
    train_accuracy.push_back(r.train_accuracy);
    test_accuracy.push_back(r.test_accuracy);
    spikes_per_neuron.push_back(r.spikes_per_neuron);
    seconds.push_back(r.seconds);
    learning_rate.push_back(r.learning_rate);
}

train_config parse_train_config(const std::string& text, const std::filesystem::path& file, bool data_files) {
    train_config c;
    c.file = file;
    c.text = text;
    const json root = parse_json(c.text, file.string());
    const std::string f = file.string();
    object_reader top(root, "", f);
    {
        object_reader r(top.get("network"), "network", f);
        network_section(r, c);
    }
    {
        object_reader r(top.get("data"), "data", f);
        c.network.classes = count_in(r, "classes", 0, 2, 1 << 20);
        if (!r.has("classes")) r.fail(r.at("classes"), "is required but missing");
        if (!data_files) {
            r.has("train");  // known keys, but the caller brings the data
            r.has("test");
        } else {
            c.train = data_file(r.get("train"), r.at("train"), c);
        }
        if (data_files && r.has("test")) {
            c.test = data_file(r.get("test"), r.at("test"), c);
            c.has_test = true;
        }
        r.finish();
    }
    if (top.has("encoder")) {
        object_reader r(top.get("encoder"), "encoder", f);
        c.network.input.kind = choice<L::encoder_kind>(
            r, "kind",
            {{"current", L::encoder_kind::current},
             {"poisson", L::encoder_kind::poisson},
             {"latency", L::encoder_kind::latency},
             {"rows", L::encoder_kind::rows}},
            L::encoder_kind::current);
        c.network.input.scale = positive(r, "scale", 1.0 / 16.0);
        r.finish();
    }
    if (top.has("optimizer")) {
        object_reader r(top.get("optimizer"), "optimizer", f);
        auto& o = c.optimizer;
        o.type = choice<optimizer_spec::kind>(
            r, "kind",
            {{"sgd", optimizer_spec::kind::sgd}, {"adam", optimizer_spec::kind::adam}, {"adamw", optimizer_spec::kind::adamw}},
            optimizer_spec::kind::adam);
        o.lr = positive(r, "lr", 1e-3);
        o.weight_decay = nonnegative(r, "weight_decay", o.type == optimizer_spec::kind::adamw ? 1e-2 : 0.0);
        if (o.type == optimizer_spec::kind::sgd) {
            o.momentum = nonnegative(r, "momentum", 0.0);
            o.nesterov = r.flag("nesterov", false);
            if (o.nesterov && o.momentum == 0.0) r.fail(r.at("nesterov"), "true needs a momentum > 0");
        } else {
            o.beta1 = nonnegative(r, "beta1", 0.9);
            o.beta2 = nonnegative(r, "beta2", 0.999);
            o.epsilon = positive(r, "epsilon", 1e-8);
            if (o.beta1 >= 1.0) r.fail(r.at("beta1"), fmt::format("{}; must be < 1", o.beta1));
            if (o.beta2 >= 1.0) r.fail(r.at("beta2"), fmt::format("{}; must be < 1", o.beta2));
        }
        r.finish();
    }
    {
        object_reader r(top.get("training"), "training", f);
        c.epochs = count_in(r, "epochs", 1, 1, 1 << 20);
        auto& t = c.training;
        t.batch = static_cast<std::size_t>(count_in(r, "batch", 64, 1, 1 << 24));
        t.chunk = static_cast<std::size_t>(count_in(r, "chunk", 16, 1, 1 << 24));
        t.threads = count_in(r, "threads", 1, 1, 1024);
        if (r.has("seed")) {
            const std::uint64_t s = r.count("seed");
            if (s > 0xffffffffu) r.fail(r.at("seed"), fmt::format("{}; must be in [0, 4294967295]", s));
            c.network.seed = static_cast<std::uint32_t>(s);
        }
        t.loss = choice<L::loss_kind>(r, "loss", {{"cross_entropy", L::loss_kind::cross_entropy}, {"mse", L::loss_kind::mse}},
                                      L::loss_kind::cross_entropy);
        t.clip_norm = nonnegative(r, "clip_norm", 0.0);
        if (r.has("regulariser")) {
            object_reader g(r.get("regulariser"), r.at("regulariser"), f);
            const auto& layers = c.network.layers;
            if (c.network.kind != L::network_kind::spiking &&
                std::none_of(layers.begin(), layers.end(), [](const auto& l) { return L::is_spiking(l.kind); }))
                g.fail(g.path(), "firing-rate regularisers apply to spiking networks (a lif or alif layer)");
            auto& q = t.regulariser;
            q.lower = nonnegative(g, "lower", 0.0);
            q.lower_strength = nonnegative(g, "lower_strength", 0.0);
            q.upper = g.number("upper", q.upper);
            if (!(q.upper >= q.lower)) g.fail(g.at("upper"), fmt::format("{}; must be >= lower ({})", q.upper, q.lower));
            q.upper_strength = nonnegative(g, "upper_strength", 0.0);
            g.finish();
        }
        if (r.has("augment")) {
            object_reader g(r.get("augment"), r.at("augment"), f);
            const json& shape = g.get("shape");
            if (!shape.is_array() || shape.size() != 2)
                g.fail(g.at("shape"), fmt::format("expected [height, width] as two integers, got {}", show(shape)));
            const std::uint64_t height = g.as_count(shape[0], g.at("shape") + "[0]");
            const std::uint64_t width = g.as_count(shape[1], g.at("shape") + "[1]");
            if (height < 1 || width < 1 || height > 65536 || width > 65536)
                g.fail(g.at("shape"), fmt::format("{}; each side must be in [1, 65536]", show(shape)));
            auto& a = t.augment;
            a.height = static_cast<int>(height);
            a.width = static_cast<int>(width);
            g.get("shift");  // required
            a.shift = count_in(g, "shift", 0, 0, std::min(a.height, a.width) - 1);
            g.finish();
        }
        r.finish();
    }
    if (top.has("schedule")) {
        object_reader r(top.get("schedule"), "schedule", f);
        auto& s = c.schedule;
        s.type = choice<L::lr_schedule::kind>(r, "kind",
                                              {{"constant", L::lr_schedule::kind::constant},
                                               {"step", L::lr_schedule::kind::step},
                                               {"cosine", L::lr_schedule::kind::cosine}},
                                              L::lr_schedule::kind::constant);
        if (s.type == L::lr_schedule::kind::step) {
            s.step_size = count_in(r, "step_size", 10, 1, 1 << 20);
            s.gamma = positive(r, "gamma", 0.1);
        }
        if (s.type == L::lr_schedule::kind::cosine) {
            s.min_lr = nonnegative(r, "min_lr", 0.0);
            s.epochs = c.epochs;
        }
        r.finish();
    }
    top.finish();
    return c;
}

std::unique_ptr<learning::optimizer> make_optimizer(const optimizer_spec& o) {
    if (o.type == optimizer_spec::kind::sgd) return std::make_unique<L::sgd>(o.lr, o.momentum, o.nesterov, o.weight_decay);
    return std::make_unique<L::adam>(o.lr, o.beta1, o.beta2, o.epsilon, o.weight_decay);
}

learning::dataset load_data(const data_spec& spec, int n_classes, int steps) {
    L::dataset d = spec.type == data_spec::format::csv
                       ? L::read_csv(spec.file, n_classes)
                       : read_shd(spec.file, n_classes, steps, spec.duration_s, spec.units);
    if (spec.begin == 0 && spec.end == static_cast<std::size_t>(-1)) return d;
    if (spec.end > d.size())
        throw input_error("", spec.path + ".rows",
                          fmt::format("[{}, {}) but {} has {} samples", spec.begin, spec.end, spec.file.string(), d.size()));
    return d.rows(spec.begin, spec.end);
}

learning::dataset read_shd(const std::filesystem::path& file, int n_classes, int steps, double duration_s,
                           std::size_t units) {
    const std::string f = file.string();
    std::error_code ec;
    if (!std::filesystem::exists(file, ec)) throw input_error(f, "", "no such file");
    L::dataset d;
    d.n_classes = n_classes;
    try {
        const auto h = h5::open_file_readonly(f);
        for (const char* name : {"spikes/times", "spikes/units", "labels"})
            if (!h5::exists(h.get(), name))
                throw input_error(f, "", fmt::format("has no dataset '{}' (the Spiking Heidelberg Digits layout: "
                                                     "spikes/times, spikes/units, labels)", name));
        const auto times = h5::read_vlen_doubles(h.get(), "spikes/times");
        const auto unit_lists = h5::read_vlen_doubles(h.get(), "spikes/units");
        const auto labels = h5::read_doubles(h.get(), "labels");
        if (times.size() != labels.size() || unit_lists.size() != labels.size())
            throw input_error(f, "", fmt::format("{} samples of spike times, {} of units and {} labels; they must agree",
                                                 times.size(), unit_lists.size(), labels.size()));
        if (units == 0)
            for (const auto& u : unit_lists)
                for (double v : u) units = std::max(units, static_cast<std::size_t>(std::max(0.0, v)) + 1);
        const double bin = duration_s / steps;
        for (std::size_t s = 0; s < labels.size(); ++s) {
            const std::string where = fmt::format("sample {}", s);
            const double label = labels[s];
            if (label != std::floor(label) || label < 0 || label >= n_classes)
                throw input_error(f, where, fmt::format("label {}; must be an integer in [0, {}]", label, n_classes - 1));
            if (times[s].size() != unit_lists[s].size())
                throw input_error(f, where, fmt::format("{} spike times but {} units", times[s].size(), unit_lists[s].size()));
            L::sequence x(static_cast<std::size_t>(steps), L::matrix::Zero(1, static_cast<Eigen::Index>(units)));
            for (std::size_t k = 0; k < times[s].size(); ++k) {
                const double t = times[s][k], u = unit_lists[s][k];
                if (!(t >= 0.0) || u < 0 || u != std::floor(u) || u >= static_cast<double>(units))
                    throw input_error(f, where, fmt::format("spike {} at {} s of unit {}; times must be >= 0 and units "
                                                            "integers in [0, {})", k, t, u, units));
                if (t >= duration_s) continue;  // after the binned window
                const auto bin_index = std::min(static_cast<std::size_t>(t / bin), static_cast<std::size_t>(steps - 1));
                x[bin_index](0, static_cast<Eigen::Index>(u)) += 1.0;
            }
            d.events.push_back(std::move(x));
            d.labels.push_back(static_cast<int>(label));
        }
    } catch (const h5::error& e) {
        throw input_error(f, "", fmt::format("cannot be read as a Spiking Heidelberg Digits file: {}", e.what()));
    }
    if (d.labels.empty()) throw input_error(f, "", "has no samples");
    return d;
}

namespace {

constexpr const char* model_marker = "myelin trained network";

template <class E>
std::string enum_text(E e, const std::vector<std::pair<std::string, E>>& names) {
    for (const auto& [n, v] : names)
        if (v == e) return n;
    return "";
}
template <class E>
E enum_from(const std::string& s, const std::vector<std::pair<std::string, E>>& names, const std::string& file,
            const std::string& what) {
    for (const auto& [n, v] : names)
        if (n == s) return v;
    throw input_error(file, what, fmt::format("unknown value '{}'", s));
}

const std::vector<std::pair<std::string, L::network_kind>> kinds = {{"spiking", L::network_kind::spiking},
                                                                     {"rate", L::network_kind::rate},
                                                                     {"rate_rnn", L::network_kind::rate_rnn},
                                                                     {"stack", L::network_kind::stack}};
const std::vector<std::pair<std::string, L::reset_kind>> resets = {{"subtract", L::reset_kind::subtract},
                                                                    {"zero", L::reset_kind::zero}};
const std::vector<std::pair<std::string, L::readout_kind>> readouts = {
    {"mean", L::readout_kind::mean}, {"max", L::readout_kind::max}, {"last", L::readout_kind::last}};
const std::vector<std::pair<std::string, L::surrogate_kind>> surrogates = {
    {"fast_sigmoid", L::surrogate_kind::fast_sigmoid}, {"sigmoid", L::surrogate_kind::sigmoid},
    {"arctan", L::surrogate_kind::arctan}, {"triangle", L::surrogate_kind::triangle}};
const std::vector<std::pair<std::string, L::activation>> activations = {
    {"relu", L::activation::relu}, {"tanh", L::activation::tanh}, {"sigmoid", L::activation::sigmoid},
    {"identity", L::activation::identity}};
const std::vector<std::pair<std::string, L::encoder_kind>> encoders = {
    {"current", L::encoder_kind::current}, {"poisson", L::encoder_kind::poisson}, {"latency", L::encoder_kind::latency},
    {"rows", L::encoder_kind::rows}};

const std::vector<std::pair<const char*, std::vector<double> training_history::*>> history_columns = {
    {"loss", &training_history::loss},
    {"train_accuracy", &training_history::train_accuracy},
    {"test_accuracy", &training_history::test_accuracy},
    {"spikes_per_neuron", &training_history::spikes_per_neuron},
    {"seconds", &training_history::seconds},
    {"learning_rate", &training_history::learning_rate}};

}  // namespace

namespace {

void write_matrix(hid_t parent, const std::string& name, const L::matrix& m) {
    std::vector<double> v(static_cast<std::size_t>(m.size()));
    for (Eigen::Index i = 0; i < m.rows(); ++i)
        for (Eigen::Index j = 0; j < m.cols(); ++j) v[static_cast<std::size_t>(i * m.cols() + j)] = m(i, j);
    h5::write_matrix(parent, name, v, static_cast<std::size_t>(m.rows()), static_cast<std::size_t>(m.cols()));
}

L::matrix read_matrix(hid_t parent, const std::string& name) {
    std::size_t rows = 0, cols = 0;
    const auto v = h5::read_matrix(parent, name, rows, cols);
    L::matrix m(static_cast<Eigen::Index>(rows), static_cast<Eigen::Index>(cols));
    for (Eigen::Index i = 0; i < m.rows(); ++i)
        for (Eigen::Index j = 0; j < m.cols(); ++j) m(i, j) = v[static_cast<std::size_t>(i * m.cols() + j)];
    return m;
}

}  // namespace

void save_model(const std::filesystem::path& file, learning::network& net, const training_history& history,
                const std::string& config_text, const learning::optimizer_state* optimizer) {
    const auto& o = net.options();
    const auto h = h5::create_file(file.string());
    const hid_t root = h.get();
    h5::write_attribute(root, "myelin_kind", std::string(model_marker));
    h5::write_attribute(root, "format_version", std::uint64_t{1});
    h5::write_attribute(root, "kind", enum_text(o.kind, kinds));
    h5::write_attribute(root, "inputs", static_cast<std::uint64_t>(o.inputs));
    h5::write_attribute(root, "hidden", static_cast<std::uint64_t>(o.hidden));
    h5::write_attribute(root, "classes", static_cast<std::uint64_t>(o.classes));
    h5::write_attribute(root, "steps", static_cast<std::uint64_t>(o.steps));
    h5::write_attribute(root, "recurrent", std::uint64_t{o.recurrent});
    h5::write_attribute(root, "tau_syn_ms", o.tau_syn_ms);
    h5::write_attribute(root, "tau_mem_ms", o.tau_mem_ms);
    h5::write_attribute(root, "dt_ms", o.dt_ms);
    h5::write_attribute(root, "theta", o.theta);
    h5::write_attribute(root, "reset", enum_text(o.reset, resets));
    h5::write_attribute(root, "detach_reset", std::uint64_t{o.detach_reset});
    h5::write_attribute(root, "refractory_steps", static_cast<std::uint64_t>(o.refractory_steps));
    h5::write_attribute(root, "surrogate", enum_text(o.spike_grad.kind, surrogates));
    h5::write_attribute(root, "surrogate_slope", o.spike_grad.slope);
    h5::write_attribute(root, "readout", enum_text(o.readout, readouts));
    h5::write_attribute(root, "init_scale", o.init_scale);
    h5::write_attribute(root, "learn_time_constants", std::uint64_t{o.learn_time_constants});
    h5::write_attribute(root, "activation", enum_text(o.hidden_activation, activations));
    h5::write_attribute(root, "encoder", enum_text(o.input.kind, encoders));
    h5::write_attribute(root, "encoder_scale", o.input.scale);
    h5::write_attribute(root, "seed", static_cast<std::uint64_t>(o.seed));
    if (o.float32_products) h5::write_attribute(root, "matmul_precision", std::string("float32"));
    if (o.float32_state) h5::write_attribute(root, "state_precision", std::string("float32"));
    h5::write_attribute(root, "config", config_text);
    if (o.kind == L::network_kind::stack) {  // the layers come from the config
        const auto& sh = o.input_shape;
        h5::write_dataset(root, "input_shape",  // channels, height, width, image (1) or vector (0)
                          std::vector<std::uint64_t>{std::uint64_t(sh.channels), std::uint64_t(sh.height),
                                                     std::uint64_t(sh.width), std::uint64_t{sh.image}});
    }
    const auto params = h5::create_group(root, "parameters");
    // A stack's fixed decays too; the shorthands' are in time_constants.
    for (const auto& name : net.parameter_names(o.kind == L::network_kind::stack))
        write_matrix(params.get(), name, net.parameter(name));
    if (o.kind == L::network_kind::spiking) {  // learned or not: import may set them apart from the options
        const auto d = net.time_constants();
        h5::write_dataset(root, "time_constants", std::vector<double>{d.alpha1, d.beta1, d.alpha2, d.beta2});
    }
    const auto hist = h5::create_group(root, "history");
    // Wall times only in a training checkpoint (resumed, the CSV has them all): a model file
    // holds no wall-clock value, so that two trainings give the same bytes.
    for (const auto& [name, column] : history_columns)
        if (optimizer || column != &training_history::seconds) h5::write_dataset(hist.get(), name, history.*column);
    if (optimizer) {
        const auto g = h5::create_group(root, "optimizer");
        h5::write_attribute(g.get(), "steps", static_cast<std::uint64_t>(optimizer->steps));
        h5::write_attribute(g.get(), "buffers", static_cast<std::uint64_t>(optimizer->buffers.size()));
        for (std::size_t k = 0; k < optimizer->buffers.size(); ++k)
            write_matrix(g.get(), fmt::format("buffer_{}", k), optimizer->buffers[k]);
    }
}

void save_training_checkpoint(const std::filesystem::path& file, learning::network& net, const training_history& history,
                              const std::string& config_text, const learning::optimizer_state& optimizer) {
    atomic_file out(file);
    save_model(out.temporary(), net, history, config_text, &optimizer);
    out.commit();
}

loaded_model load_model(const std::filesystem::path& file) {
    const std::string f = file.string();
    std::error_code ec;
    if (!std::filesystem::exists(file, ec)) throw input_error(f, "", "no such file");
    loaded_model out;
    try {
        const auto h = h5::open_file_readonly(f);
        const hid_t root = h.get();
        if (!h5::has_attribute(root, "myelin_kind") || h5::read_string_attribute(root, "myelin_kind") != model_marker)
            throw input_error(f, "", "is not a Myelin model file (written by 'myelin train'; it has no attribute "
                                     "myelin_kind = 'myelin trained network')");
        if (h5::read_uint64_attribute(root, "format_version") != 1)
            throw input_error(f, "", fmt::format("model file format version {}; this Myelin reads version 1",
                                                 h5::read_uint64_attribute(root, "format_version")));
        L::network_options o;
        auto text = [&](const char* a) { return h5::read_string_attribute(root, a); };
        auto count = [&](const char* a) { return static_cast<int>(h5::read_uint64_attribute(root, a)); };
        o.kind = enum_from(text("kind"), kinds, f, "kind");
        o.inputs = count("inputs");
        o.hidden = count("hidden");
        o.classes = count("classes");
        o.steps = count("steps");
        o.recurrent = count("recurrent") != 0;
        o.tau_syn_ms = h5::read_double_attribute(root, "tau_syn_ms");
        o.tau_mem_ms = h5::read_double_attribute(root, "tau_mem_ms");
        o.dt_ms = h5::read_double_attribute(root, "dt_ms");
        o.theta = h5::read_double_attribute(root, "theta");
        o.reset = enum_from(text("reset"), resets, f, "reset");
        o.detach_reset = count("detach_reset") != 0;
        o.refractory_steps = count("refractory_steps");
        o.spike_grad = {enum_from(text("surrogate"), surrogates, f, "surrogate"),
                        h5::read_double_attribute(root, "surrogate_slope")};
        o.readout = enum_from(text("readout"), readouts, f, "readout");
        o.init_scale = h5::read_double_attribute(root, "init_scale");
        o.learn_time_constants = count("learn_time_constants") != 0;
        o.hidden_activation = enum_from(text("activation"), activations, f, "activation");
        o.input.kind = enum_from(text("encoder"), encoders, f, "encoder");
        o.input.scale = h5::read_double_attribute(root, "encoder_scale");
        o.seed = static_cast<std::uint32_t>(h5::read_uint64_attribute(root, "seed"));
        o.float32_products = h5::has_attribute(root, "matmul_precision") && text("matmul_precision") == "float32";
        o.float32_state = h5::has_attribute(root, "state_precision") && text("state_precision") == "float32";
        out.config_text = text("config");
        if (o.kind == L::network_kind::stack) {
            const auto sh = h5::read_doubles(root, "input_shape");
            if (sh.size() != 4) throw input_error(f, "input_shape", fmt::format("{} values; needs 4", sh.size()));
            o.input_shape = {static_cast<int>(sh[0]), static_cast<int>(sh[1]), static_cast<int>(sh[2]), sh[3] != 0.0};
            o.layers = parse_train_config(out.config_text, file, false).network.layers;
        }
        out.net = std::make_unique<L::network>(o);
        for (const auto& name : out.net->parameter_names(o.kind == L::network_kind::stack)) {
            L::matrix& m = out.net->parameter(name);
            std::size_t rows = 0, cols = 0;
            const auto v = h5::read_matrix(root, "parameters/" + name, rows, cols);
            if (rows != static_cast<std::size_t>(m.rows()) || cols != static_cast<std::size_t>(m.cols()))
                throw input_error(f, "parameters/" + name,
                                  fmt::format("{} x {}; the network needs {} x {}", rows, cols, m.rows(), m.cols()));
            for (Eigen::Index i = 0; i < m.rows(); ++i)
                for (Eigen::Index j = 0; j < m.cols(); ++j) m(i, j) = v[static_cast<std::size_t>(i * m.cols() + j)];
        }
        if (o.kind == L::network_kind::spiking) {
            const auto d = h5::read_doubles(root, "time_constants");
            if (d.size() != 4) throw input_error(f, "time_constants", fmt::format("{} values; needs 4", d.size()));
            out.net->set_time_constants({d[0], d[1], d[2], d[3]});
        }
        for (const auto& [name, column] : history_columns)
            if (const std::string d = std::string("history/") + name; h5::exists(root, d))
                out.history.*column = h5::read_doubles(root, d);
        if (out.history.seconds.empty()) out.history.seconds.assign(out.history.loss.size(), NAN);
        if (h5::exists(root, "optimizer")) {
            const auto g = h5::open_group(root, "optimizer");
            L::optimizer_state st;
            st.steps = static_cast<long>(h5::read_uint64_attribute(g.get(), "steps"));
            const auto n = h5::read_uint64_attribute(g.get(), "buffers");
            for (std::uint64_t k = 0; k < n; ++k) st.buffers.push_back(read_matrix(g.get(), fmt::format("buffer_{}", k)));
            out.optimizer = std::move(st);
        }
    } catch (const h5::error& e) {
        throw input_error(f, "", fmt::format("cannot be read as a Myelin model file: {}", e.what()));
    }
    return out;
}

void write_history_csv(const std::filesystem::path& file, const training_history& history) {
    std::ofstream out(file);
    out << "epoch";
    for (const auto& [name, column] : history_columns) out << ',' << name;
    out << '\n';
    for (std::size_t e = 0; e < history.loss.size(); ++e) {
        out << e + 1;
        for (const auto& [name, column] : history_columns) {
            const auto& v = history.*column;
            out << ',' << (e < v.size() ? fmt::format("{}", v[e]) : std::string());
        }
        out << '\n';
    }
    if (!out) throw std::runtime_error("cannot write " + file.string());
}

}  // namespace myelin::learning
