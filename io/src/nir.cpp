// NIR files (https://neuroir.org; the layout of the reference implementation's
// serialization: a dataset `version`, a group `node` holding the NIRGraph with `type`,
// `nodes/<name>/...` and `edges` (n x 2 strings), optional `metadata` groups).
#include <myelin/io/learning.hpp>

#include "h5.hpp"

#include <myelin/core/error.hpp>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

namespace myelin::io {

namespace {

namespace L = myelin::learning;

constexpr const char* nir_version = "1.0";
const std::set<std::string> supported = {"Input", "Output", "Affine", "Linear", "LIF", "CubaLIF", "LI", "CubaLI"};

void write_numbers(hid_t g, const std::string& name, const std::vector<double>& v) { h5::write_dataset(g, name, v); }

void write_weight(hid_t g, const L::matrix& W_t) {  // NIR's weight is out x in
    std::vector<double> v;
    for (Eigen::Index i = 0; i < W_t.rows(); ++i)
        for (Eigen::Index j = 0; j < W_t.cols(); ++j) v.push_back(W_t(i, j));
    h5::write_matrix(g, "weight", v, static_cast<std::size_t>(W_t.rows()), static_cast<std::size_t>(W_t.cols()));
}

}  // namespace

void write_nir(const std::filesystem::path& file, const learning::network& net) {
    const auto& o = net.options();
    if (o.kind != L::network_kind::spiking) throw std::invalid_argument("write_nir: a spiking network only");
    L::network copy = net;
    const double dt = o.dt_ms * 1e-3;  // seconds
    const auto decay = net.time_constants();
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
        h5::write_string(meta.get(), "myelin_readout",
                         o.readout == L::readout_kind::mean ? "mean" : o.readout == L::readout_kind::max ? "max" : "last");
        h5::write_dataset(meta.get(), "myelin_steps", std::vector<double>{static_cast<double>(o.steps)});
        if (!current) {
            h5::write_string(meta.get(), "myelin_encoder", o.input.kind == L::encoder_kind::poisson ? "poisson" : "latency");
            h5::write_dataset(meta.get(), "myelin_encoder_scale", std::vector<double>{o.input.scale});
        }
    }
    const auto nodes = h5::create_group(graph.get(), "nodes");
    auto node = [&](const std::string& name, const std::string& type) {
        auto g = h5::create_group(nodes.get(), name);
        h5::write_string(g.get(), "type", type);
        return g;
    };
    auto cuba = [&](const std::string& name, const std::string& type, int n, double alpha, double beta) {
        auto g = node(name, type);
        const auto N = static_cast<std::size_t>(n);
        const double tau_syn = dt / (1.0 - alpha), tau_mem = dt / (1.0 - beta);
        write_numbers(g.get(), "tau_syn", std::vector<double>(N, tau_syn));
        write_numbers(g.get(), "tau_mem", std::vector<double>(N, tau_mem));
        write_numbers(g.get(), "r", std::vector<double>(N, tau_mem / dt));
        write_numbers(g.get(), "v_leak", std::vector<double>(N, 0.0));
        write_numbers(g.get(), "w_in", std::vector<double>(N, tau_syn / dt));
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
                if (key == "type") continue;
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

    // The one chain Myelin's network has.
    const std::string shape_text = "Input -> Linear/Affine -> CubaLIF/LIF (with an optional recurrent Linear/Affine) "
                                   "-> Linear/Affine -> CubaLI/LI -> Output";
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
    auto only_next = [&](const std::string& name, std::initializer_list<const char*> types, const std::string& what) {
        std::vector<std::string> out;
        for (const auto& n : next[name])
            if (is(n, types)) out.push_back(n);
        if (out.size() != 1) refuse(fmt::format("node '{}' must lead to exactly one {}", name, what));
        return out[0];
    };
    std::vector<std::string> inputs;
    for (const auto& [name, n] : nodes)
        if (n.type == "Input") inputs.push_back(name);
    if (inputs.size() != 1) refuse(fmt::format("{} Input nodes", inputs.size()));
    const std::string in = inputs[0];
    const std::string fc1 = only_next(in, {"Linear", "Affine"}, "Linear or Affine");
    const std::string lif = only_next(fc1, {"CubaLIF", "LIF"}, "CubaLIF or LIF");
    std::string rec, fc2;
    for (const auto& n : next[lif]) {
        if (!is(n, {"Linear", "Affine"})) refuse(fmt::format("node '{}' ({}) after '{}'", n, nodes.at(n).type, lif));
        if (next[n].size() == 1 && next[n][0] == lif)
            rec = n;
        else
            fc2 = n;
    }
    if (fc2.empty()) refuse(fmt::format("no Linear or Affine after '{}'", lif));
    const std::string out = only_next(fc2, {"CubaLI", "LI"}, "CubaLI or LI");
    const std::string output = only_next(out, {"Output"}, "Output");
    std::set<std::string> used = {in, fc1, lif, fc2, out, output};
    if (!rec.empty()) used.insert(rec);
    for (const auto& [name, n] : nodes)
        if (!used.count(name)) refuse(fmt::format("node '{}' ({}) is not part of that chain", name, n.type));
    if (prev[lif].size() != (rec.empty() ? 1u : 2u) || next[lif].size() != (rec.empty() ? 1u : 2u) ||
        prev[fc2].size() != 1 || next[fc2].size() != 1 || prev[out].size() != 1 || next[out].size() != 1 ||
        prev[fc1].size() != 1 || next[in].size() != 1)
        refuse("branches or merges besides the recurrent loop");

    auto values = [&](const std::string& node, const std::string& key) -> const std::vector<double>& {
        const auto& n = nodes.at(node);
        const auto it = n.values.find(key);
        if (it == n.values.end())
            throw input_error(f, "node/nodes/" + node, fmt::format("{} node without the dataset '{}'", n.type, key));
        return it->second;
    };
    // Weight as Myelin's layout (in x out), checked against the sizes; zero bias only.
    auto weight = [&](const std::string& node, std::size_t n_in, std::size_t n_out) {
        const auto& w = values(node, "weight");
        const auto& shape = nodes.at(node).weight_shape;
        if (shape.size() != 2 || shape[0] != n_out || shape[1] != n_in)
            throw input_error(f, "node/nodes/" + node + "/weight",
                              fmt::format("shape {}; expected {} x {} (out x in)", fmt::join(shape, " x "), n_out, n_in));
        if (nodes.at(node).type == "Affine")
            for (double b : values(node, "bias"))
                if (b != 0.0)
                    throw input_error(f, "node/nodes/" + node + "/bias",
                                      fmt::format("{}; biases are not supported (Myelin's spiking layers have none)", b));
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

    const auto hidden = dynamics(lif), readout_d = dynamics(out);
    L::network_options o;
    o.kind = L::network_kind::spiking;
    o.hidden = static_cast<int>(hidden.c.size());
    o.classes = static_cast<int>(readout_d.c.size());
    const auto& in_shape = values(in, "shape");
    if (in_shape.size() != 1) throw input_error(f, "node/nodes/" + in + "/shape", "must be one-dimensional");
    o.inputs = static_cast<int>(in_shape[0]);
    o.steps = steps;
    o.recurrent = !rec.empty();
    o.dt_ms = dt_s * 1e3;
    o.tau_syn_ms = hidden.alpha > 0.0 ? -o.dt_ms / std::log(hidden.alpha) : 0.0;
    o.tau_mem_ms = -o.dt_ms / std::log(hidden.beta);
    o.theta = hidden.theta;
    o.reset = nodes.at(lif).reset == "subtract" ? L::reset_kind::subtract : L::reset_kind::zero;
    o.refractory_steps = nodes.at(lif).refractory_steps;
    o.readout = readout == "max" ? L::readout_kind::max : readout == "last" ? L::readout_kind::last : L::readout_kind::mean;
    o.input.kind = encoder == "poisson"   ? L::encoder_kind::poisson
                   : encoder == "latency" ? L::encoder_kind::latency
                                          : L::encoder_kind::current;
    o.input.scale = encoder.empty() ? 1.0 : encoder_scale;
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

}  // namespace myelin::io
