// NIR files (https://neuroir.org; the layout of the reference implementation's
// serialization: a dataset `version`, a group `node` holding the NIRGraph with `type`,
// `nodes/<name>/...` and `edges` (n x 2 strings), optional `metadata` groups).
#include <myelin/learning/files.hpp>

#include <myelin/formats/h5.hpp>

#include <myelin/core/error.hpp>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

namespace myelin::learning {

namespace {

namespace L = myelin::learning;

constexpr const char* nir_version = "1.0";
const std::set<std::string> supported = {"Input",    "Output",  "Affine",    "Linear",    "Conv2d", "SumPool2d",
                                          "AvgPool2d", "Flatten", "LIF",       "CubaLIF",   "LI",     "CubaLI"};

void write_numbers(hid_t g, const std::string& name, const std::vector<double>& v) { h5::write_dataset(g, name, v); }

void write_weight(hid_t g, const L::matrix& W_t) {  // NIR's weight is out x in
    std::vector<double> v;
    for (Eigen::Index i = 0; i < W_t.rows(); ++i)
        for (Eigen::Index j = 0; j < W_t.cols(); ++j) v.push_back(W_t(i, j));
    h5::write_matrix(g, "weight", v, static_cast<std::size_t>(W_t.rows()), static_cast<std::size_t>(W_t.cols()));
}

}  // namespace

namespace {

// CubaLIF / CubaLI parameters for per-step decays alpha, beta (snnTorch's conventions: the
// forward-Euler step dt of the NIR equations gives the discrete update, see write_nir).
void cuba_params(hid_t g, std::size_t n, double alpha, double beta, double dt) {
    const double tau_syn = dt / (1.0 - alpha), tau_mem = dt / (1.0 - beta);
    write_numbers(g, "tau_syn", std::vector<double>(n, tau_syn));
    write_numbers(g, "tau_mem", std::vector<double>(n, tau_mem));
    write_numbers(g, "r", std::vector<double>(n, tau_mem / dt));
    write_numbers(g, "v_leak", std::vector<double>(n, 0.0));
    write_numbers(g, "w_in", std::vector<double>(n, tau_syn / dt));
}

std::vector<std::int64_t> pair(int v) { return {v, v}; }

// A stack, layer by layer: Affine/Linear, Conv2d, SumPool2d/AvgPool2d, Flatten, CubaLIF
// (recurrent: a Linear from the node back to it), CubaLI; dropout is left out (nothing
// at inference). Nodes are named "<layer index>_<kind>".
void write_stack(hid_t graph, const L::network& net, double dt) {
    const auto& o = net.options();
    const auto names = net.parameter_names(true);
    auto param = [&](const L::network::built_layer& l, std::size_t k) -> const L::matrix& {
        return net.parameter(names[l.params[k]]);
    };
    const auto nodes = h5::create_group(graph, "nodes");
    auto node = [&](const std::string& name, const std::string& type) {
        auto g = h5::create_group(nodes.get(), name);
        h5::write_string(g.get(), "type", type);
        return g;
    };
    auto dims = [](const L::shape& s) {
        return s.image ? std::vector<std::uint64_t>{std::uint64_t(s.channels), std::uint64_t(s.height), std::uint64_t(s.width)}
                       : std::vector<std::uint64_t>{std::uint64_t(s.size())};
    };
    h5::write_dataset(node("input", "Input").get(), "shape", dims(o.input_shape));
    std::vector<std::string> edges;
    std::string last = "input";
    // Constant current: the encoder's scale folded into the first weights (the graph's input is x).
    double scale = o.input.kind == L::encoder_kind::current ? o.input.scale : 1.0;
    const auto& layers = net.layers();
    for (std::size_t i = 0; i < layers.size(); ++i) {
        const auto& l = layers[i];
        const auto& s = l.spec;
        const std::string name = fmt::format("{}_{}", i, L::name_of(s.kind));
        switch (s.kind) {
        case L::layer_kind::dropout: continue;
        case L::layer_kind::dense: {
            auto g = node(name, s.bias ? "Affine" : "Linear");
            write_weight(g.get(), (param(l, 0) * scale).transpose());
            if (s.bias) write_numbers(g.get(), "bias", std::vector<double>(param(l, 1).data(), param(l, 1).data() + param(l, 1).size()));
            scale = 1.0;
            break;
        }
        case L::layer_kind::conv2d: {
            auto g = node(name, "Conv2d");
            const L::matrix W = param(l, 0) * scale;  // C_out x (C_in k k), row-major as NIR's C_out x C_in x k x k
            std::vector<double> w;
            for (Eigen::Index r = 0; r < W.rows(); ++r)
                for (Eigen::Index c = 0; c < W.cols(); ++c) w.push_back(W(r, c));
            h5::write_array(g.get(), "weight", w,
                            {std::size_t(s.channels), std::size_t(l.in.channels), std::size_t(s.kernel), std::size_t(s.kernel)});
            std::vector<double> b(static_cast<std::size_t>(s.channels), 0.0);
            if (s.bias) b.assign(param(l, 1).data(), param(l, 1).data() + param(l, 1).size());
            write_numbers(g.get(), "bias", b);
            h5::write_dataset(g.get(), "stride", pair(L::stride_of(s)));
            h5::write_dataset(g.get(), "padding", pair(s.padding));
            h5::write_dataset(g.get(), "dilation", pair(1));
            h5::write_dataset(g.get(), "groups", std::vector<std::int64_t>{1});
            h5::write_dataset(g.get(), "input_shape", std::vector<std::int64_t>{l.in.height, l.in.width});
            scale = 1.0;
            break;
        }
        case L::layer_kind::avg_pool:
        case L::layer_kind::sum_pool: {
            auto g = node(name, s.kind == L::layer_kind::avg_pool ? "AvgPool2d" : "SumPool2d");
            h5::write_dataset(g.get(), "kernel_size", pair(s.kernel));
            h5::write_dataset(g.get(), "stride", pair(L::stride_of(s)));
            h5::write_dataset(g.get(), "padding", pair(0));
            break;
        }
        case L::layer_kind::flatten: {
            auto g = node(name, "Flatten");
            h5::write_dataset(g.get(), "start_dim", std::vector<std::int64_t>{0});
            h5::write_dataset(g.get(), "end_dim", std::vector<std::int64_t>{-1});
            const auto t = h5::create_group(g.get(), "input_type");
            h5::write_dataset(t.get(), "input", dims(l.in));
            break;
        }
        case L::layer_kind::lif: {
            const auto n = static_cast<std::size_t>(l.out.size());
            auto g = node(name, "CubaLIF");
            cuba_params(g.get(), n, param(l, 0)(0, 0), param(l, 1)(0, 0), dt);
            write_numbers(g.get(), "v_threshold", std::vector<double>(n, s.theta));
            write_numbers(g.get(), "v_reset", std::vector<double>(n, 0.0));
            const auto meta = h5::create_group(g.get(), "metadata");
            h5::write_string(meta.get(), "myelin_reset", s.reset == L::reset_kind::zero ? "zero" : "subtract");
            if (s.refractory_steps > 0)
                h5::write_dataset(meta.get(), "myelin_refractory_steps", std::vector<double>{double(s.refractory_steps)});
            if (s.recurrent) {
                write_weight(node(name + "_rec", "Linear").get(), param(l, 2).transpose());
                edges.insert(edges.end(), {name, name + "_rec", name + "_rec", name});
            }
            break;
        }
        case L::layer_kind::li_readout:
            cuba_params(node(name, "CubaLI").get(), static_cast<std::size_t>(l.out.size()), param(l, 0)(0, 0),
                        param(l, 1)(0, 0), dt);
            break;
        default:
            throw std::invalid_argument(fmt::format("write_nir: layer {} ({}) has no NIR node Myelin writes", i,
                                                    L::name_of(s.kind)));
        }
        edges.insert(edges.end(), {last, name});
        last = name;
    }
    h5::write_dataset(node("output", "Output").get(), "shape", dims(layers.back().out));
    edges.insert(edges.end(), {last, "output"});
    h5::write_strings(graph, "edges", edges, edges.size() / 2, 2);
}

}  // namespace

std::string nir_problem(const learning::network& net) {
    const auto& o = net.options();
    if (o.kind == L::network_kind::rate || o.kind == L::network_kind::rate_rnn)
        return "a rate network has no NIR graph; only spiking networks export";
    if (o.input.kind == L::encoder_kind::rows) return "encoder 'rows': a current that changes every step has no NIR form yet";
    if (o.kind != L::network_kind::stack) return "";
    const auto& layers = net.layers();
    for (std::size_t i = 0; i < layers.size(); ++i) {
        const auto& s = layers[i].spec;
        const auto where = fmt::format("layer {} ({})", i, L::name_of(s.kind));
        if (s.kind == L::layer_kind::alif) return where + ": NIR has no adaptive LIF node";
        if (s.kind == L::layer_kind::activation || s.kind == L::layer_kind::elman || s.kind == L::layer_kind::reduce)
            return where + ": a rate layer; Myelin writes NIR of spiking networks";
        if ((s.kind == L::layer_kind::lif || s.kind == L::layer_kind::li_readout) && s.learn_decays == L::decay_learning::neuron)
            return where + ": time constants per neuron are not written to NIR yet";
        if (s.kind == L::layer_kind::li_readout && i + 1 != layers.size()) return where + ": the readout must be the last layer";
    }
    if (layers.back().spec.kind != L::layer_kind::li_readout) return "the stack must end with li_readout";
    return "";
}

void write_nir(const std::filesystem::path& file, const learning::network& net) {
    const auto& o = net.options();
    if (const auto problem = nir_problem(net); !problem.empty()) throw std::invalid_argument("write_nir: " + problem);
    const double dt = o.dt_ms * 1e-3;  // seconds
    // The forward-Euler step of tau_syn I' = -I + w_in S, tau_mem v' = (v_leak - v) + r I
    // with step dt is I <- (1 - dt/tau_syn) I + (dt/tau_syn) w_in S, v <- (1 - dt/tau_mem) v
    // + (dt/tau_mem) r I: the discrete update for tau = dt / (1 - decay), r = tau_mem / dt,
    // w_in = tau_syn / dt.
    const bool current = o.input.kind == L::encoder_kind::current;
    const auto h = h5::create_file(file.string());
    h5::write_string(h.get(), "version", nir_version);
    const auto graph = h5::create_group(h.get(), "node");
    h5::write_string(graph.get(), "type", "NIRGraph");
    {
        const auto meta = h5::create_group(graph.get(), "metadata");
        h5::write_dataset(meta.get(), "dt", std::vector<double>{dt});
        const auto r = net.layers().back().spec.reduce;
        h5::write_string(meta.get(), "myelin_readout",
                         r == L::readout_kind::mean ? "mean" : r == L::readout_kind::max ? "max" : "last");
        h5::write_dataset(meta.get(), "myelin_steps", std::vector<double>{static_cast<double>(o.steps)});
        if (!current) {
            h5::write_string(meta.get(), "myelin_encoder", o.input.kind == L::encoder_kind::poisson ? "poisson" : "latency");
            h5::write_dataset(meta.get(), "myelin_encoder_scale", std::vector<double>{o.input.scale});
        }
    }
    if (o.kind == L::network_kind::stack) {
        write_stack(graph.get(), net, dt);
        return;
    }
    L::network copy = net;
    const auto decay = net.time_constants();
    const auto nodes = h5::create_group(graph.get(), "nodes");
    auto node = [&](const std::string& name, const std::string& type) {
        auto g = h5::create_group(nodes.get(), name);
        h5::write_string(g.get(), "type", type);
        return g;
    };
    auto cuba = [&](const std::string& name, const std::string& type, int n, double alpha, double beta) {
        auto g = node(name, type);
        cuba_params(g.get(), static_cast<std::size_t>(n), alpha, beta, dt);
        return g;
    };
    {
        auto g = node("input", "Input");
        h5::write_dataset(g.get(), "shape", std::vector<std::uint64_t>{static_cast<std::uint64_t>(o.inputs)});
    }
    {
        // Constant current: the encoder's scale folded into the weights (the graph's input is x).
        auto g = node("fc1", "Linear");
        write_weight(g.get(), (current ? L::matrix(copy.parameter("W1") * o.input.scale) : copy.parameter("W1")).transpose());
    }
    {
        auto g = cuba("lif1", "CubaLIF", o.hidden, decay.alpha1, decay.beta1);
        write_numbers(g.get(), "v_threshold", std::vector<double>(static_cast<std::size_t>(o.hidden), o.theta));
        write_numbers(g.get(), "v_reset", std::vector<double>(static_cast<std::size_t>(o.hidden), 0.0));
        // NIR's CubaLIF resets to v_reset; a reset by subtraction is Myelin's (and snnTorch's default).
        const auto meta = h5::create_group(g.get(), "metadata");
        h5::write_string(meta.get(), "myelin_reset", o.reset == L::reset_kind::zero ? "zero" : "subtract");
        if (o.refractory_steps > 0)  // NIR's CubaLIF has no refractory period
            h5::write_dataset(meta.get(), "myelin_refractory_steps",
                              std::vector<double>{static_cast<double>(o.refractory_steps)});
    }
    if (o.recurrent) {
        auto g = node("rec1", "Linear");
        write_weight(g.get(), copy.parameter("W_rec").transpose());
    }
    {
        auto g = node("fc2", "Linear");
        write_weight(g.get(), copy.parameter("W2").transpose());
    }
    cuba("li2", "CubaLI", o.classes, decay.alpha2, decay.beta2);
    {
        auto g = node("output", "Output");
        h5::write_dataset(g.get(), "shape", std::vector<std::uint64_t>{static_cast<std::uint64_t>(o.classes)});
    }
    std::vector<std::string> edges = {"input", "fc1", "fc1", "lif1", "lif1", "fc2", "fc2", "li2", "li2", "output"};
    if (o.recurrent) edges.insert(edges.end(), {"lif1", "rec1", "rec1", "lif1"});
    h5::write_strings(graph.get(), "edges", edges, edges.size() / 2, 2);
}

namespace {

struct nir_node {
    std::string name, type;
    std::map<std::string, std::vector<double>> values;
    std::vector<std::size_t> weight_shape;
    std::string reset = "zero";  // CubaLIF/LIF: NIR resets to v_reset; Myelin's metadata may say subtract
    int refractory_steps = 0;    // Myelin's metadata only
};

// Per-neuron dynamics read as one discrete layer: I <- alpha I + c x, V <- beta V + I.
struct layer_dynamics {
    double alpha = 0.0, beta = 0.0, theta = 0.0;
    std::vector<double> c;  // input scale per neuron
};

}  // namespace

std::unique_ptr<learning::network> read_nir(const std::filesystem::path& file, double dt_s, int steps) {
    const std::string f = file.string();
    std::error_code ec;
    if (!std::filesystem::exists(file, ec)) throw input_error(f, "", "no such file");
    std::map<std::string, nir_node> nodes;
    std::vector<std::pair<std::string, std::string>> edges;
    std::string readout = "mean", encoder;
    double encoder_scale = 1.0;
    try {
        const auto h = h5::open_file_readonly(f);
        if (!h5::exists(h.get(), "node/type") || h5::read_string(h.get(), "node/type") != "NIRGraph")
            throw input_error(f, "", "is not a NIR file (no NIRGraph in the group 'node')");
        const auto graph = h5::open_group(h.get(), "node");
        if (h5::exists(graph.get(), "metadata")) {
            const auto meta = h5::open_group(graph.get(), "metadata");
            if (dt_s <= 0.0 && h5::exists(meta.get(), "dt")) dt_s = h5::read_numbers(meta.get(), "dt").at(0);
            if (steps <= 0 && h5::exists(meta.get(), "myelin_steps"))
                steps = static_cast<int>(h5::read_numbers(meta.get(), "myelin_steps").at(0));
            if (h5::exists(meta.get(), "myelin_readout")) readout = h5::read_string(meta.get(), "myelin_readout");
            if (h5::exists(meta.get(), "myelin_encoder")) {
                encoder = h5::read_string(meta.get(), "myelin_encoder");
                encoder_scale = h5::read_numbers(meta.get(), "myelin_encoder_scale").at(0);
            }
        }
        const auto group = h5::open_group(graph.get(), "nodes");
        for (const auto& name : h5::children(group.get())) {
            const auto g = h5::open_group(group.get(), name);
            nir_node n;
            n.name = name;
            n.type = h5::read_string(g.get(), "type");
            if (!supported.count(n.type))
                throw input_error(f, "node/nodes/" + name,
                                  fmt::format("node type {} is not supported; Myelin reads {}", n.type,
                                              fmt::join(supported, ", ")));
            for (const auto& key : h5::children(g.get())) {
                if (key == "type" || (key != "metadata" && h5::is_group(g.get(), key))) continue;  // e.g. Flatten's input_type
                if (key == "metadata") {
                    const auto meta = h5::open_group(g.get(), "metadata");
                    if (h5::exists(meta.get(), "myelin_reset")) n.reset = h5::read_string(meta.get(), "myelin_reset");
                    if (h5::exists(meta.get(), "myelin_refractory_steps"))
                        n.refractory_steps =
                            static_cast<int>(h5::read_numbers(meta.get(), "myelin_refractory_steps").at(0));
                    continue;
                }
                n.values[key] = h5::read_numbers(g.get(), key);
                if (key == "weight") n.weight_shape = h5::shape(g.get(), key);
            }
            nodes[name] = std::move(n);
        }
        std::size_t rows = 0, cols = 0;
        const auto e = h5::read_strings(graph.get(), "edges", rows, cols);
        if (cols != 2) throw input_error(f, "node/edges", fmt::format("{} columns; edges are pairs (n x 2)", cols));
        for (std::size_t i = 0; i < rows; ++i) edges.emplace_back(e[2 * i], e[2 * i + 1]);
    } catch (const h5::error& e) {
        throw input_error(f, "", fmt::format("cannot be read as a NIR file: {}", e.what()));
    }
    if (dt_s <= 0.0)
        throw input_error(f, "", "has no time step in its metadata: give the step the graph was trained with (--dt, s)");
    if (steps <= 0) steps = 50;

    // A chain from the Input to the Output; a CubaLIF/LIF may also lead to a Linear/Affine
    // that leads back to it (its recurrent weights).
    const std::string shape_text =
        "a chain from Input to Output of Affine/Linear, Conv2d, SumPool2d/AvgPool2d, Flatten and CubaLIF/LIF (each "
        "with an optional recurrent Linear/Affine back to it), ending with CubaLI/LI";
    auto refuse = [&](const std::string& why) { throw input_error(f, "node", why + "; Myelin reads " + shape_text); };
    std::map<std::string, std::vector<std::string>> next, prev;
    for (const auto& [a, b] : edges) {
        if (!nodes.count(a) || !nodes.count(b)) refuse(fmt::format("edge {} -> {} names a node that does not exist", a, b));
        next[a].push_back(b);
        prev[b].push_back(a);
    }
    auto is = [&](const std::string& name, std::initializer_list<const char*> types) {
        for (const char* t : types)
            if (nodes.at(name).type == t) return true;
        return false;
    };
    std::vector<std::string> inputs;
    for (const auto& [name, n] : nodes)
        if (n.type == "Input") inputs.push_back(name);
    if (inputs.size() != 1) refuse(fmt::format("{} Input nodes", inputs.size()));
    const std::string in = inputs[0];
    std::vector<std::string> chain;
    std::map<std::string, std::string> loop;  // CubaLIF/LIF -> its recurrent Linear/Affine
    std::set<std::string> used = {in};
    for (std::string at = in;;) {
        std::vector<std::string> forward;
        for (const auto& n : next[at]) {
            if (is(at, {"CubaLIF", "LIF"}) && is(n, {"Linear", "Affine"}) && next[n].size() == 1 && next[n][0] == at &&
                prev[n].size() == 1 && !loop.count(at)) {
                loop[at] = n;
                used.insert(n);
                continue;
            }
            forward.push_back(n);
        }
        if (forward.size() != 1)
            refuse(fmt::format("node '{}' ({}) leads to {} nodes besides a recurrent loop", at, nodes.at(at).type,
                               forward.size()));
        at = forward[0];
        if (used.count(at)) refuse(fmt::format("node '{}' is reached twice (a loop that is not a recurrent Linear)", at));
        used.insert(at);
        if (prev[at].size() != (loop.count(at) ? 2u : 1u) && !is(at, {"CubaLIF", "LIF"}))
            refuse(fmt::format("node '{}' has {} inputs (merges are not supported)", at, prev[at].size()));
        if (is(at, {"Output"})) break;
        if (is(at, {"Input"})) refuse(fmt::format("node '{}' is a second Input", at));
        chain.push_back(at);
    }
    for (const auto& [name, n] : nodes)
        if (!used.count(name)) refuse(fmt::format("node '{}' ({}) is not part of that chain", name, n.type));
    for (const auto& [lif_node, rec_node] : loop)
        if (prev[lif_node].size() != 2) refuse(fmt::format("node '{}' has {} inputs besides its loop", lif_node, prev[lif_node].size() - 1));
    for (const auto& name : chain)
        if (is(name, {"CubaLIF", "LIF"}) && !loop.count(name) && prev[name].size() != 1)
            refuse(fmt::format("node '{}' has {} inputs (merges are not supported)", name, prev[name].size()));
    if (chain.empty() || !is(chain.back(), {"CubaLI", "LI"})) refuse("the node before the Output must be a CubaLI or LI");

    auto values = [&](const std::string& node, const std::string& key) -> const std::vector<double>& {
        const auto& n = nodes.at(node);
        const auto it = n.values.find(key);
        if (it == n.values.end())
            throw input_error(f, "node/nodes/" + node, fmt::format("{} node without the dataset '{}'", n.type, key));
        return it->second;
    };
    // Weight as Myelin's layout (in x out), checked against the sizes.
    auto weight = [&](const std::string& node, std::size_t n_in, std::size_t n_out) {
        const auto& w = values(node, "weight");
        const auto& shape = nodes.at(node).weight_shape;
        if (shape.size() != 2 || shape[0] != n_out || shape[1] != n_in)
            throw input_error(f, "node/nodes/" + node + "/weight",
                              fmt::format("shape {}; expected {} x {} (out x in)", fmt::join(shape, " x "), n_out, n_in));
        L::matrix W(static_cast<Eigen::Index>(n_in), static_cast<Eigen::Index>(n_out));
        for (std::size_t o = 0; o < n_out; ++o)
            for (std::size_t i = 0; i < n_in; ++i)
                W(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(o)) = w[o * n_in + i];
        return W;
    };
    auto uniform = [&](const std::vector<double>& v, const std::string& node, const std::string& what) {
        const auto [lo, hi] = std::minmax_element(v.begin(), v.end());
        if (*hi - *lo > 1e-12 * std::max(1.0, std::abs(*hi)))
            throw input_error(f, "node/nodes/" + node,
                              fmt::format("{} varies over the neurons ({} to {}); Myelin's layers share one value", what,
                                          *lo, *hi));
        return v.front();
    };
    auto dynamics = [&](const std::string& node) {
        const std::string type = nodes.at(node).type;
        const bool cuba = type == "CubaLIF" || type == "CubaLI", spiking = type == "CubaLIF" || type == "LIF";
        const auto& r = values(node, "r");
        const auto& v_leak = values(node, "v_leak");
        const std::size_t n = r.size();
        layer_dynamics d;
        std::vector<double> a(n, 0.0), b(n), c(n), th;
        for (std::size_t j = 0; j < n; ++j) {
            if (v_leak.size() != n || v_leak[j] != 0.0)
                throw input_error(f, "node/nodes/" + node + "/v_leak", "must be 0 for every neuron (no leak potential)");
            if (cuba) {
                const double ts = values(node, "tau_syn").at(j), tm = values(node, "tau_mem").at(j);
                const double w_in = values(node, "w_in").at(j);
                a[j] = 1.0 - dt_s / ts;
                b[j] = 1.0 - dt_s / tm;
                c[j] = dt_s / ts * w_in * dt_s / tm * r[j];
            } else {
                const double t = values(node, "tau").at(j);
                b[j] = 1.0 - dt_s / t;
                c[j] = dt_s / t * r[j];
            }
        }
        d.alpha = uniform(a, node, "tau_syn");
        d.beta = uniform(b, node, cuba ? "tau_mem" : "tau");
        if (d.alpha < 0.0 || d.beta <= 0.0 || d.beta >= 1.0)
            throw input_error(f, "node/nodes/" + node,
                              fmt::format("time constants against the step dt = {} s give alpha = {}, beta = {}; need "
                                          "0 <= alpha < 1 and 0 < beta < 1 (is --dt right?)",
                                          dt_s, d.alpha, d.beta));
        if (spiking) {
            d.theta = uniform(values(node, "v_threshold"), node, "v_threshold");
            if (nodes.at(node).values.count("v_reset"))
                for (double v : values(node, "v_reset"))
                    if (v != 0.0) throw input_error(f, "node/nodes/" + node + "/v_reset", "must be 0 (reset to zero)");
        }
        d.c = c;
        return d;
    };

    const auto& in_shape = values(in, "shape");
    auto encoder_of = [&](L::network_options& o) {
        o.input.kind = encoder == "poisson"   ? L::encoder_kind::poisson
                       : encoder == "latency" ? L::encoder_kind::latency
                                              : L::encoder_kind::current;
        o.input.scale = encoder.empty() ? 1.0 : encoder_scale;
    };
    auto readout_of = [&] {
        return readout == "max" ? L::readout_kind::max : readout == "last" ? L::readout_kind::last : L::readout_kind::mean;
    };
    auto zero_bias = [&](const std::string& node) {
        if (!is(node, {"Affine"})) return true;
        for (double b : values(node, "bias"))
            if (b != 0.0) return false;
        return true;
    };

    // Myelin's own shorthand (Input -> Linear -> CubaLIF -> Linear -> CubaLI), read as it
    // was written: the spiking network with its names.
    if (chain.size() == 4 && is(chain[0], {"Linear", "Affine"}) && is(chain[1], {"CubaLIF", "LIF"}) &&
        is(chain[2], {"Linear", "Affine"}) && in_shape.size() == 1 && zero_bias(chain[0]) && zero_bias(chain[2]) &&
        (!loop.count(chain[1]) || zero_bias(loop.at(chain[1])))) {
        const std::string &fc1 = chain[0], &lif = chain[1], &fc2 = chain[2], &out = chain[3];
        const std::string rec = loop.count(lif) ? loop.at(lif) : "";
        const auto hidden = dynamics(lif), readout_d = dynamics(out);
        L::network_options o;
        o.kind = L::network_kind::spiking;
        o.hidden = static_cast<int>(hidden.c.size());
        o.classes = static_cast<int>(readout_d.c.size());
        o.inputs = static_cast<int>(in_shape[0]);
        o.steps = steps;
        o.recurrent = !rec.empty();
        o.dt_ms = dt_s * 1e3;
        o.tau_syn_ms = hidden.alpha > 0.0 ? -o.dt_ms / std::log(hidden.alpha) : 0.0;
        o.tau_mem_ms = -o.dt_ms / std::log(hidden.beta);
        o.theta = hidden.theta;
        o.reset = nodes.at(lif).reset == "subtract" ? L::reset_kind::subtract : L::reset_kind::zero;
        o.refractory_steps = nodes.at(lif).refractory_steps;
        o.readout = readout_of();
        encoder_of(o);
        if (o.classes < 2) throw input_error(f, "node/nodes/" + out, "fewer than two outputs");
        auto net = std::make_unique<L::network>(o);
        net->set_time_constants({hidden.alpha, hidden.beta, readout_d.alpha, readout_d.beta});
        const auto H = static_cast<std::size_t>(o.hidden), K = static_cast<std::size_t>(o.classes);
        L::matrix W1 = weight(fc1, static_cast<std::size_t>(o.inputs), H), W2 = weight(fc2, H, K);
        for (std::size_t j = 0; j < H; ++j) W1.col(static_cast<Eigen::Index>(j)) *= hidden.c[j];
        for (std::size_t k = 0; k < K; ++k) W2.col(static_cast<Eigen::Index>(k)) *= readout_d.c[k];
        net->parameter("W1") = W1;
        net->parameter("W2") = W2;
        if (o.recurrent) {
            L::matrix Wr = weight(rec, H, H);
            for (std::size_t j = 0; j < H; ++j) Wr.col(static_cast<Eigen::Index>(j)) *= hidden.c[j];
            net->parameter("W_rec") = Wr;
        }
        return net;
    }

    // Any other chain: a layer stack, layer by layer.
    L::network_options o;
    o.kind = L::network_kind::stack;
    if (in_shape.size() == 1)
        o.input_shape = L::shape::vector(static_cast<int>(in_shape[0]));
    else if (in_shape.size() == 3)
        o.input_shape = L::shape::picture(static_cast<int>(in_shape[0]), static_cast<int>(in_shape[1]), static_cast<int>(in_shape[2]));
    else if (in_shape.size() == 2)
        o.input_shape = L::shape::picture(1, static_cast<int>(in_shape[0]), static_cast<int>(in_shape[1]));
    else
        throw input_error(f, "node/nodes/" + in + "/shape", "must be [features], [height, width] or [channels, height, width]");
    o.steps = steps;
    o.dt_ms = dt_s * 1e3;
    encoder_of(o);
    std::map<std::string, L::matrix> params;  // "<layer>.<name>" -> value
    L::shape at = o.input_shape;
    std::string weighted;  // the last layer with weights since the previous neuron layer ("<index>")
    auto two = [&](const std::string& node, const std::string& key, double fallback) {
        if (!nodes.at(node).values.count(key)) return static_cast<int>(fallback);
        const auto& v = values(node, key);
        if (v.empty() || (v.size() == 2 && v[0] != v[1]))
            throw input_error(f, "node/nodes/" + node + "/" + key, fmt::format("{}: Myelin's layers take one value for "
                                                                               "both dimensions", fmt::join(v, ", ")));
        return static_cast<int>(v[0]);
    };
    for (const auto& name : chain) {
        const std::size_t index = o.layers.size();
        const std::string where = "node/nodes/" + name;
        L::layer_spec l;
        if (is(name, {"Affine", "Linear"})) {
            if (at.image) throw input_error(f, where, fmt::format("{} on an image ({}); flatten it first", nodes.at(name).type, at.text()));
            const auto& shape = nodes.at(name).weight_shape;
            if (shape.size() != 2) throw input_error(f, where + "/weight", "must be two-dimensional (out x in)");
            l.units = static_cast<int>(shape[0]);
            l.bias = is(name, {"Affine"});
            params[fmt::format("{}.W", index)] = weight(name, static_cast<std::size_t>(at.size()), shape[0]);
            if (l.bias) {
                const auto& b = values(name, "bias");
                params[fmt::format("{}.b", index)] = Eigen::Map<const L::matrix>(b.data(), 1, static_cast<Eigen::Index>(b.size()));
            }
            weighted = std::to_string(index);
        } else if (is(name, {"Conv2d"})) {
            const auto& shape = nodes.at(name).weight_shape;
            if (shape.size() != 4 || shape[2] != shape[3])
                throw input_error(f, where + "/weight", "must be C_out x C_in x k x k (a square kernel)");
            if (two(name, "dilation", 1) != 1) throw input_error(f, where + "/dilation", "must be 1");
            if (nodes.at(name).values.count("groups") && values(name, "groups").at(0) != 1.0)
                throw input_error(f, where + "/groups", "must be 1");
            l.kind = L::layer_kind::conv2d;
            l.channels = static_cast<int>(shape[0]);
            l.kernel = static_cast<int>(shape[2]);
            l.stride = two(name, "stride", 1);
            l.padding = two(name, "padding", 0);
            if (!at.image || static_cast<std::size_t>(at.channels) != shape[1])
                throw input_error(f, where + "/weight", fmt::format("{} input channels; the input is {}", shape[1], at.text()));
            const auto& w = values(name, "weight");
            params[fmt::format("{}.W", index)] =
                Eigen::Map<const Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>>(
                    w.data(), static_cast<Eigen::Index>(shape[0]), static_cast<Eigen::Index>(w.size() / shape[0]));
            l.bias = true;
            std::vector<double> b(shape[0], 0.0);
            if (nodes.at(name).values.count("bias")) b = values(name, "bias");
            params[fmt::format("{}.b", index)] = Eigen::Map<const L::matrix>(b.data(), 1, static_cast<Eigen::Index>(b.size()));
            weighted = std::to_string(index);
        } else if (is(name, {"SumPool2d", "AvgPool2d"})) {
            l.kind = is(name, {"SumPool2d"}) ? L::layer_kind::sum_pool : L::layer_kind::avg_pool;
            l.kernel = two(name, "kernel_size", 0);
            l.stride = two(name, "stride", l.kernel);
            if (two(name, "padding", 0) != 0) throw input_error(f, where + "/padding", "must be 0");
        } else if (is(name, {"Flatten"})) {
            l.kind = L::layer_kind::flatten;
        } else if (is(name, {"CubaLIF", "LIF", "CubaLI", "LI"})) {
            const bool spiking = is(name, {"CubaLIF", "LIF"});
            const auto d = dynamics(name);
            if (static_cast<int>(d.c.size()) != at.size())
                throw input_error(f, where, fmt::format("{} neurons; its input has {}", d.c.size(), at.size()));
            l.kind = spiking ? L::layer_kind::lif : L::layer_kind::li_readout;
            l.dt_ms = o.dt_ms;
            l.tau_syn_ms = d.alpha > 0.0 ? -o.dt_ms / std::log(d.alpha) : o.dt_ms / 800.0;
            l.tau_mem_ms = -o.dt_ms / std::log(d.beta);
            if (spiking) {
                l.theta = d.theta;
                l.reset = nodes.at(name).reset == "subtract" ? L::reset_kind::subtract : L::reset_kind::zero;
                l.refractory_steps = nodes.at(name).refractory_steps;
                l.recurrent = loop.count(name) > 0;
            } else {
                l.reduce = readout_of();
            }
            params[fmt::format("{}.alpha", index)] = L::matrix::Constant(1, 1, d.alpha);
            params[fmt::format("{}.beta", index)] = L::matrix::Constant(1, 1, d.beta);
            // The input scale c of each neuron folded into the weights before it.
            if (weighted.empty()) throw input_error(f, where, "needs an Affine, Linear or Conv2d before it (since the last neuron layer)");
            auto& W = params[weighted + ".W"];
            const bool conv = o.layers[static_cast<std::size_t>(std::stoul(weighted))].kind == L::layer_kind::conv2d;
            for (std::size_t j = 0; j < d.c.size(); ++j)
                if (conv ? d.c[j] != d.c[0] : false)
                    throw input_error(f, where, "input scales (w_in r tau ratios) that vary over a convolution's neurons");
            if (conv) {
                W *= d.c[0];
            } else {
                for (std::size_t j = 0; j < d.c.size(); ++j) W.col(static_cast<Eigen::Index>(j)) *= d.c[j];
            }
            if (params.count(weighted + ".b")) {
                auto& b = params[weighted + ".b"];
                for (Eigen::Index j = 0; j < b.cols(); ++j) b(0, j) *= conv ? d.c[0] : d.c[static_cast<std::size_t>(j)];
            }
            if (l.recurrent) {
                L::matrix Wr = weight(loop.at(name), d.c.size(), d.c.size());
                if (!zero_bias(loop.at(name)))
                    throw input_error(f, "node/nodes/" + loop.at(name) + "/bias", "recurrent weights take no bias");
                for (std::size_t j = 0; j < d.c.size(); ++j) Wr.col(static_cast<Eigen::Index>(j)) *= d.c[j];
                params[fmt::format("{}.W_rec", index)] = Wr;
            }
            weighted.clear();
        } else {
            throw input_error(f, where, fmt::format("{} in a chain; Myelin reads {}", nodes.at(name).type, shape_text));
        }
        std::string problem;
        const auto next_shape = L::output_shape(l, at, problem);
        if (!problem.empty()) throw input_error(f, where, problem);
        o.layers.push_back(l);
        at = next_shape;
    }
    o.classes = at.size();
    if (o.classes < 2) throw input_error(f, "node/nodes/" + chain.back(), "fewer than two outputs");
    std::unique_ptr<L::network> net;
    try {
        net = std::make_unique<L::network>(o);
    } catch (const std::invalid_argument& e) {
        throw input_error(f, "node", e.what());
    }
    for (const auto& [name, value] : params) {
        L::matrix& p = net->parameter(name);
        if (p.rows() != value.rows() || p.cols() != value.cols())
            throw input_error(f, "node", fmt::format("{}: {} x {}; the layer needs {} x {}", name, value.rows(), value.cols(),
                                                     p.rows(), p.cols()));
        p = value;
    }
    return net;
}

}  // namespace myelin::learning
