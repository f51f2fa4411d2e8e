// The simulator config of a trained spiking network (docs/learning.md, "Into the
// simulator"): io/ knows both the learning library's networks and the simulator's configs.
#include <myelin/io/learning_export.hpp>

#include <myelin/core/error.hpp>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <map>

namespace myelin::io {

namespace {

using json = nlohmann::json;
namespace L = myelin::learning;

bool is_linear(L::layer_kind k) {
    using K = L::layer_kind;
    return k == K::dense || k == K::conv2d || k == K::avg_pool || k == K::sum_pool || k == K::flatten || k == K::dropout;
}

// The layers [first, last) of `net` (all linear) as built for evaluation, with or without
// their biases.
std::vector<std::unique_ptr<L::layer>> linear_layers(const L::network& net, std::size_t first, std::size_t last,
                                                     bool biases) {
    std::vector<std::unique_ptr<L::layer>> out;
    for (std::size_t i = first; i < last; ++i) {
        const auto& l = net.layers()[i];
        auto spec = l.spec;
        std::vector<const L::matrix*> p;
        const auto names = net.parameter_names(true);
        for (std::size_t k : l.params) p.push_back(&net.parameter(names[k]));
        if (!biases && spec.bias && (spec.kind == L::layer_kind::dense || spec.kind == L::layer_kind::conv2d)) {
            spec.bias = false;
            p.resize(1);
        }
        out.push_back(L::make_layer(spec, l.in, std::move(p)));
    }
    return out;
}

L::matrix through(std::vector<std::unique_ptr<L::layer>>& layers, L::matrix x) {
    L::stack_pass pass(layers);
    return pass.forward({std::move(x)}, 1, {false, false})[0];
}

// The linear map of layers [first, last): M (inputs x outputs, by pushing the unit vectors
// through the layers without biases) and c (the biases' part: zeros through the layers).
std::pair<L::matrix, L::matrix> affine_map(const L::network& net, std::size_t first, std::size_t last) {
    const auto n = static_cast<Eigen::Index>(net.layers()[first].in.size());
    auto plain = linear_layers(net, first, last, false);
    auto with_bias = linear_layers(net, first, last, true);
    L::matrix M(n, net.layers()[last - 1].out.size());
    constexpr Eigen::Index batch = 256;
    for (Eigen::Index from = 0; from < n; from += batch) {
        const auto k = std::min(batch, n - from);
        L::matrix e = L::matrix::Zero(k, n);
        for (Eigen::Index i = 0; i < k; ++i) e(i, from + i) = 1.0;
        M.middleRows(from, k) = through(plain, std::move(e));
    }
    return {M, through(with_bias, L::matrix::Zero(1, n))};
}

}  // namespace

std::string export_problem(const learning::network& net) {
    const auto& o = net.options();
    if (o.kind == L::network_kind::rate || o.kind == L::network_kind::rate_rnn)
        return "a rate network has no spiking counterpart; only spiking networks export";
    if (o.input.kind == L::encoder_kind::rows)
        return "encoder 'rows': a current that changes every step has no simulator or NIR form yet";
    const auto& layers = net.layers();
    bool neurons = false;
    for (std::size_t i = 0; i < layers.size(); ++i) {
        const auto& s = layers[i].spec;
        const auto where = fmt::format("layer {} ({})", i, L::name_of(s.kind));
        if (L::is_spiking(s.kind)) neurons = true;
        if (!is_linear(s.kind) && !L::is_spiking(s.kind) && s.kind != L::layer_kind::li_readout)
            return where + ": a rate layer has no spiking counterpart in the simulator";
        if (s.kind == L::layer_kind::li_readout && i + 1 != layers.size())
            return where + ": the readout must be the last layer to export";
        if ((L::is_spiking(s.kind) || s.kind == L::layer_kind::li_readout) && s.learn_decays == L::decay_learning::neuron)
            return where + ": time constants per neuron have no population form in the simulator yet";
    }
    if (!neurons) return "no lif or alif layer: nothing spikes";
    if (layers.back().spec.kind != L::layer_kind::li_readout) return "the stack must end with li_readout to export";
    return "";
}

std::string export_simulator_config(const learning::network& net, const learning::dataset& data, std::size_t sample) {
    auto& o = net.options();
    if (const auto problem = export_problem(net); !problem.empty())
        throw std::invalid_argument("export_simulator_config: " + problem);
    L::network rounded = net;
    rounded.round_to_float();
    const auto& layers = rounded.layers();
    const auto names = rounded.parameter_names(true);
    const double h = o.dt_ms;
    const auto T = static_cast<std::size_t>(o.steps);
    const int offset = 2;  // steps: the spike input's generator -> parrot -> first neuron layer
    // The neuron layers (lif, alif, and the readout last), each one step behind the one before.
    std::vector<std::size_t> cells;
    for (std::size_t i = 0; i < layers.size(); ++i)
        if (L::is_spiking(layers[i].spec.kind) || layers[i].spec.kind == L::layer_kind::li_readout) cells.push_back(i);
    const std::size_t hidden_layers = cells.size() - 1;
    auto population = [&](std::size_t c) {
        if (c == hidden_layers) return std::string("output");
        return hidden_layers == 1 ? std::string("hidden") : fmt::format("hidden{}", c + 1);
    };
    // The simulator takes time constants: tau = -dt / ln(decay).
    // (A decay of 0, a layer without synaptic current, as exp(-800) = 0 exactly.)
    auto tau = [&](double decay) { return decay > 0.0 ? -h / std::log(decay) : h / 800.0; };
    auto decay = [&](std::size_t layer, std::size_t k) { return rounded.parameter(names[layers[layer].params[k]])(0, 0); };
    // Explicit projection of the nonzero entries of M (inputs x outputs).
    auto projection = [&](const std::string& from, const std::string& to, const L::matrix& M, const std::string& what) {
        json sources = json::array(), targets = json::array(), weights = json::array();
        for (Eigen::Index i = 0; i < M.rows(); ++i)
            for (Eigen::Index j = 0; j < M.cols(); ++j) {
                const double w = M(i, j);
                if (w == 0.0) continue;
                if (static_cast<double>(static_cast<float>(w)) != w)
                    throw std::invalid_argument(fmt::format(
                        "export_simulator_config: {}: the weight {} -> {} is {}, not a float; the simulator stores weights "
                        "as float, so the exported network would not fire as trained (pool over windows whose size is a "
                        "power of 2, or sum_pool)", what, i, j, w));
                sources.push_back(i);
                targets.push_back(j);
                weights.push_back(w);
            }
        return json{{"source", from}, {"target", to},
                    {"connection", {{"rule", "explicit"}, {"sources", sources}, {"targets", targets}}},
                    {"weight", weights}, {"delay", h}};
    };
    json populations = json::array(), projections = json::array(), stimuli = json::array();
    auto currents = [&](const std::string& to, const L::matrix& c, std::size_t start_step, const std::string& name) {
        for (Eigen::Index j = 0; j < c.cols(); ++j)
            if (c(0, j) != 0.0)
                stimuli.push_back({{"name", fmt::format("{}_{}", name, j)},
                                   {"model", "dc_generator"},
                                   {"params", {{"amplitude", c(0, j)}, {"start", static_cast<double>(start_step) * h}}},
                                   {"targets", json::array({{{"population", to}, {"neurons", {j}}}})}});
    };
    for (std::size_t c = 0; c < cells.size(); ++c) {
        const auto& l = layers[cells[c]];
        const auto& s = l.spec;
        const int n = l.out.size();
        json params;
        if (s.kind == L::layer_kind::li_readout)
            params = {{"tau_syn", tau(decay(cells[c], 0))}, {"tau_mem", tau(decay(cells[c], 1))}, {"theta", 1e300},
                      {"reset_to_zero", false}};
        else {
            params = {{"tau_syn", tau(decay(cells[c], 0))}, {"tau_mem", tau(decay(cells[c], 1))}, {"theta", s.theta},
                      {"t_ref", s.refractory_steps * h}};
            if (s.kind == L::layer_kind::alif) {
                params["tau_adapt"] = s.tau_adapt_ms;
                params["adapt"] = s.adapt;
            } else {
                params["reset_to_zero"] = s.reset == L::reset_kind::zero;
            }
        }
        populations.push_back({{"name", population(c)},
                               {"model", s.kind == L::layer_kind::alif ? "alif_cuba_discrete" : "lif_cuba_discrete"},
                               {"n", n},
                               {"params", params}});
        if (s.recurrent) {
            const auto& W = rounded.parameter(names[l.params[2]]);
            projections.push_back(projection(population(c), population(c), W, fmt::format("layer {} (recurrent)", cells[c])));
        }
        // The linear layers before it, from the previous neuron layer (or the input).
        const std::size_t first = c == 0 ? 0 : cells[c - 1] + 1;
        if (c == 0) continue;  // the input, below
        if (first == cells[c])
            throw std::invalid_argument(fmt::format("export_simulator_config: layer {} takes the spikes of layer {} "
                                                    "without weights", cells[c], cells[c - 1]));
        const auto [M, bias] = affine_map(rounded, first, cells[c]);
        projections.push_back(projection(population(c - 1), population(c), M, fmt::format("layers {} to {}", first, cells[c] - 1)));
        currents(population(c), bias, offset + c, fmt::format("bias_{}", population(c)));
    }
    // The input into the first neuron layer.
    const L::sequence x = rounded.input_of(data, sample);
    const bool constant = !data.is_events() && o.input.kind == L::encoder_kind::current;
    if (cells[0] == 0) throw std::invalid_argument("export_simulator_config: the first layer must weigh the input");
    if (constant) {
        // The first neuron layer's input current as training computes it, switched on so
        // that it enters step `offset` + 1.
        const auto acts = rounded.layer_activity(data, {sample});
        currents(population(0), acts[cells[0] - 1][0], offset, "input_current");
    } else {
        populations.push_back({{"name", "input"}, {"model", "parrot_neuron"}, {"n", o.inputs}});
        const auto [M, bias] = affine_map(rounded, 0, cells[0]);
        projections.push_back(projection("input", population(0), M, fmt::format("layers 0 to {}", cells[0] - 1)));
        currents(population(0), bias, offset, "bias_" + population(0));
        for (Eigen::Index i = 0; i < o.inputs; ++i) {
            json times = json::array();
            for (std::size_t t = 0; t < T; ++t)
                if (x[t](0, i) > 0.0) {
                    if (x[t](0, i) != 1.0)
                        throw input_error("", "--sample",
                                          fmt::format("input {} has {} spikes in step {}; the simulator's input neurons "
                                                      "emit one per step", i, x[t](0, i), t + 1));
                    times.push_back(static_cast<double>(t + 1) * h);
                }
            if (times.empty()) continue;
            stimuli.push_back({{"name", fmt::format("input_spikes_{}", i)},
                               {"model", "spike_generator"},
                               {"params", {{"spike_times", times}}},
                               {"targets", json::array({{{"population", "input"}, {"neurons", {i}}}})},
                               {"weight", 1.0},
                               {"delay", h}});
        }
    }
    std::vector<int> outputs(static_cast<std::size_t>(o.classes));
    for (int k = 0; k < o.classes; ++k) outputs[static_cast<std::size_t>(k)] = k;
    json spiking = json::array();
    for (std::size_t c = 0; c < hidden_layers; ++c) spiking.push_back(population(c));
    const auto readout = layers.back().spec.reduce;
    const json config = {
        {"simulation",
         {{"resolution", h}, {"t_stop", static_cast<double>(T + offset + hidden_layers) * h}, {"seed", o.seed}}},
        {"populations", populations},
        {"projections", projections},
        {"stimuli", stimuli},
        {"recorders",
         {{"spikes", {{"populations", spiking}}},
          {"state", json::array({{{"name", "readout"}, {"population", "output"}, {"neurons", outputs}, {"variables", {"V"}}}})}}},
        // The trained readout over the samples of training steps 1 .. T.
        {"classifier",
         {{"recorder", "readout"},
          {"readout", readout == L::readout_kind::mean  ? "mean"
                      : readout == L::readout_kind::max ? "max"
                                                        : "last"},
          {"first_sample", offset + hidden_layers + 1},
          {"label", data.labels[sample]}}}};
    return config.dump(1);
}

}  // namespace myelin::io
