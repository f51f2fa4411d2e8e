#include <myelin/learning/training.hpp>

#include <myelin/core/error.hpp>
#include <myelin/core/rng.hpp>

#include <fmt/format.h>
#include <omp.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <fstream>
#include <memory>
#include <numeric>
#include <optional>
#include <stdexcept>
#include <sstream>

namespace myelin::learning {

std::size_t dataset::features() const {
    if (is_events()) return events.empty() || events[0].empty() ? 0 : static_cast<std::size_t>(events[0][0].cols());
    return static_cast<std::size_t>(x.cols());
}

dataset dataset::rows(std::size_t begin, std::size_t end) const {
    dataset out;
    if (is_events())
        out.events.assign(events.begin() + static_cast<std::ptrdiff_t>(begin), events.begin() + static_cast<std::ptrdiff_t>(end));
    else
        out.x = x.middleRows(static_cast<Eigen::Index>(begin), static_cast<Eigen::Index>(end - begin));
    out.labels.assign(labels.begin() + static_cast<std::ptrdiff_t>(begin), labels.begin() + static_cast<std::ptrdiff_t>(end));
    out.n_classes = n_classes;
    return out;
}

dataset read_csv(const std::filesystem::path& file, int n_classes) {
    std::ifstream in(file);
    if (!in) throw input_error(file.string(), "", "cannot be read");
    std::vector<std::vector<double>> rows;
    dataset out;
    out.n_classes = n_classes;
    std::string line;
    for (std::size_t number = 1; std::getline(in, line); ++number) {
        if (line.empty()) continue;
        const std::string where = fmt::format("line {}", number);
        std::vector<double> values;
        std::stringstream cells(line);
        std::string cell;
        for (std::size_t column = 1; std::getline(cells, cell, ','); ++column) {
            double v = 0.0;
            const auto [end, ec] = std::from_chars(cell.data(), cell.data() + cell.size(), v);
            if (ec != std::errc() || end != cell.data() + cell.size() || !std::isfinite(v))
                throw input_error(file.string(), where, fmt::format("column {}: '{}' is not a number", column, cell));
            values.push_back(v);
        }
        if (values.size() < 2) throw input_error(file.string(), where, "needs features and a label");
        if (!rows.empty() && values.size() != rows.front().size() + 1)
            throw input_error(file.string(), where, fmt::format("{} values; the first row has {}", values.size(),
                                                                rows.front().size() + 1));
        const double label = values.back();
        if (label != std::floor(label) || label < 0 || label >= n_classes)
            throw input_error(file.string(), where,
                              fmt::format("label {}; must be an integer in [0, {}]", label, n_classes - 1));
        out.labels.push_back(static_cast<int>(label));
        values.pop_back();
        rows.push_back(std::move(values));
    }
    if (rows.empty()) throw input_error(file.string(), "", "has no samples");
    out.x.resize(static_cast<Eigen::Index>(rows.size()), static_cast<Eigen::Index>(rows.front().size()));
    for (std::size_t i = 0; i < rows.size(); ++i)
        for (std::size_t j = 0; j < rows[i].size(); ++j)
            out.x(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(j)) = rows[i][j];
    return out;
}

sequence encoder::encode(const matrix& x, const std::vector<std::size_t>& ids, std::size_t T, std::uint32_t seed,
                         std::uint32_t epoch) const {
    const auto B = x.rows(), F = x.cols();
    if (kind == encoder_kind::current) return sequence(T, x * scale);
    if (kind == encoder_kind::rows) {
        const auto part = F / static_cast<Eigen::Index>(T);
        sequence out(T);
        for (std::size_t t = 0; t < T; ++t) out[t] = x.middleCols(static_cast<Eigen::Index>(t) * part, part) * scale;
        return out;
    }
    sequence out(T, matrix::Zero(B, F));
    for (Eigen::Index b = 0; b < B; ++b) {
        if (kind == encoder_kind::poisson) {
            rng_stream rng(seed, rng_key_word(rng_purpose::learning_encode, epoch), ids[static_cast<std::size_t>(b)]);
            for (std::size_t t = 0; t < T; ++t)
                for (Eigen::Index i = 0; i < F; ++i)
                    if (rng.uniform() < x(b, i) * scale) out[t](b, i) = 1.0;
        } else {
            for (Eigen::Index i = 0; i < F; ++i) {
                const double v = std::min(1.0, x(b, i) * scale);
                if (v > 0.0) out[static_cast<std::size_t>(std::lround((1.0 - v) * static_cast<double>(T - 1)))](b, i) = 1.0;
            }
        }
    }
    return out;
}

std::pair<std::string, std::string> image_shift::problem(const dataset& data) const {
    if (data.is_events()) return {"", "shifts images; event data are not images"};
    const auto pixels = static_cast<std::size_t>(height) * static_cast<std::size_t>(width);
    if (pixels != data.features())
        return {".shape", fmt::format("[{}, {}] has {} pixels; the data have {} features", height, width, pixels,
                                      data.features())};
    return {};
}

void image_shift::apply(const matrix& x, std::size_t row, std::size_t id, std::uint32_t seed, std::uint32_t epoch,
                        Eigen::Ref<Eigen::RowVectorXd, 0, Eigen::InnerStride<>> out) const {
    rng_stream rng(seed, rng_key_word(rng_purpose::learning_augment, epoch), id);
    const auto span = static_cast<std::uint32_t>(2 * shift + 1);
    const int dy = static_cast<int>(rng.below(span)) - shift, dx = static_cast<int>(rng.below(span)) - shift;
    const auto r = static_cast<Eigen::Index>(row);
    for (int i = 0; i < height; ++i)
        for (int j = 0; j < width; ++j) {
            const int si = i + dy, sj = j + dx;
            out(i * width + j) = si >= 0 && si < height && sj >= 0 && sj < width ? x(r, si * width + sj) : 0.0;
        }
}

namespace {

// The epoch index of Poisson draws when evaluating (training epochs count from 0).
constexpr std::uint32_t evaluation_epoch = 0xffffff;

matrix normal_matrix(Eigen::Index rows, Eigen::Index cols, double std, std::uint32_t seed, std::uint64_t id) {
    rng_stream rng(seed, rng_key_word(rng_purpose::learning_init, 0), id);
    matrix m(rows, cols);
    for (Eigen::Index i = 0; i < rows; ++i)
        for (Eigen::Index j = 0; j < cols; ++j) m(i, j) = std * rng.normal();
    return m;
}

matrix uniform_matrix(Eigen::Index rows, Eigen::Index cols, double bound, std::uint32_t seed, std::uint64_t id) {
    rng_stream rng(seed, rng_key_word(rng_purpose::learning_init, 0), id);
    matrix m(rows, cols);
    for (Eigen::Index i = 0; i < rows; ++i)
        for (Eigen::Index j = 0; j < cols; ++j) m(i, j) = bound * (2.0 * rng.uniform() - 1.0);
    return m;
}

// The input of one chunk: constant over the steps (or the rate network's features), or per step.
struct chunk_input {
    bool constant = true;
    matrix x;
    sequence steps;
};

bool is_hidden(layer_kind k) {
    return k == layer_kind::lif || k == layer_kind::alif || k == layer_kind::elman || k == layer_kind::activation;
}

}  // namespace

// One chunk's layers, forward state and gradients.
struct network::worker {
    const network& net;
    std::vector<std::unique_ptr<layer>> layers;
    stack_pass pass{layers};
    sequence x;  // the chunk's input, read by the pass step by step
    sequence grad_in;  // dL/dlogits, the top layer's gy
    std::vector<int> labels;
    matrix logits;
    std::vector<double> neuron_spikes;  // per spiking neuron (layers in order), summed over the chunk's samples

    explicit worker(const network& n) : net(n) {
        for (const auto& l : n.stack_) {
            std::vector<const matrix*> p;
            for (std::size_t k : l.params) p.push_back(&n.params_[k].value);
            layer_spec spec = l.spec;
            spec.float32_products = n.o_.float32_products;
            spec.float32_state = n.o_.float32_state;
            layers.push_back(make_layer(spec, l.in, std::move(p)));
        }
    }

    // With `augment` (training only), static samples are shifted first.
    chunk_input input(const dataset& data, const std::vector<std::size_t>& rows, std::uint32_t epoch,
                      const image_shift* augment = nullptr) const {
        const auto& o = net.o_;
        const auto T = static_cast<std::size_t>(o.steps);
        chunk_input in;
        if (data.is_events()) {
            in.constant = false;
            in.steps.assign(T, matrix::Zero(static_cast<Eigen::Index>(rows.size()), static_cast<Eigen::Index>(data.features())));
            for (std::size_t b = 0; b < rows.size(); ++b)
                for (std::size_t t = 0; t < T && t < data.events[rows[b]].size(); ++t)
                    in.steps[t].row(static_cast<Eigen::Index>(b)) = data.events[rows[b]][t];
            return in;
        }
        matrix x(static_cast<Eigen::Index>(rows.size()), data.x.cols());
        for (std::size_t b = 0; b < rows.size(); ++b) {
            const auto at = static_cast<Eigen::Index>(b);
            if (augment && augment->active()) augment->apply(data.x, rows[b], rows[b], o.seed, epoch, x.row(at));
            else x.row(at) = data.x.row(static_cast<Eigen::Index>(rows[b]));
        }
        if (o.kind == network_kind::rate || o.input.kind == encoder_kind::current) {
            in.x = x * o.input.scale;
        } else {
            in.constant = false;
            in.steps = o.input.encode(x, rows, T, o.seed, epoch);
        }
        return in;
    }

    // `c`: training or not, the epoch and the samples (dropout masks); `record`: every
    // layer's output.
    void forward(chunk_input in, pass_context c, std::vector<sequence>* record = nullptr) {
        const auto T = static_cast<std::size_t>(net.o_.steps);
        x = in.constant ? sequence{std::move(in.x)} : std::move(in.steps);
        logits = pass.forward(x, T, c, record)[0];
        neuron_spikes.clear();
        for (const auto& l : layers)
            if (const auto* counts = l->spike_counts()) neuron_spikes.insert(neuron_spikes.end(), counts->begin(), counts->end());
    }

    // grad_logits already scaled to the batch; reg: dL/dS of each spiking neuron.
    void backward(const matrix& grad_logits, const std::vector<double>& reg) {
        if (!reg.empty()) {
            std::size_t from = 0;
            for (const auto& l : layers)
                if (const auto* counts = l->spike_counts()) {
                    l->add_spike_gradient(std::vector<double>(reg.begin() + static_cast<std::ptrdiff_t>(from),
                                                              reg.begin() + static_cast<std::ptrdiff_t>(from + counts->size())));
                    from += counts->size();
                }
        }
        grad_in.assign(1, grad_logits);
        pass.backward(grad_in, false);
    }

    void zero_gradients() {
        for (auto& l : layers) l->zero_gradients();
    }

    // Gradients in the order of network::parameters().
    std::vector<const matrix*> gradients() const {
        std::vector<const matrix*> of(net.params_.size(), nullptr);
        for (std::size_t i = 0; i < layers.size(); ++i) {
            const auto g = layers[i]->gradients();
            for (std::size_t k = 0; k < g.size(); ++k) of[net.stack_[i].params[k]] = g[k];
        }
        std::vector<const matrix*> out;
        for (std::size_t k = 0; k < of.size(); ++k)
            if (net.params_[k].trainable) out.push_back(of[k]);
        return out;
    }
};

std::string stack_problem(const network_options& o, bool varying_input, std::size_t* layer_index) {
    if (o.kind != network_kind::stack) return "";
    if (o.layers.empty()) return "a stack needs layers";
    shape in = o.input_shape;
    bool varying = varying_input;
    for (std::size_t i = 0; i < o.layers.size(); ++i) {
        if (layer_index) *layer_index = i;
        const auto& l = o.layers[i];
        std::string problem;
        const shape out = output_shape(l, in, problem);
        if (!problem.empty()) return fmt::format("layer {} ({}): {}", i, name_of(l.kind), problem);
        if (l.kind == layer_kind::li_readout || l.kind == layer_kind::reduce) varying = false;
        else if (has_state(l.kind)) varying = true;
        in = out;
    }
    if (layer_index) *layer_index = o.layers.size() - 1;
    if (in.size() != o.classes)
        return fmt::format("the last layer ({}) gives {} values per sample; the data have {} classes",
                           name_of(o.layers.back().kind), in.text(), o.classes);
    if (varying)
        return fmt::format("the last layer ({}) gives a value per step; end the stack with li_readout or reduce to "
                           "get one per sample", name_of(o.layers.back().kind));
    return "";
}

std::size_t network::add(std::string name, matrix value, bool trainable, bool decay) {
    params_.push_back({std::move(name), std::move(value), trainable, decay});
    return params_.size() - 1;
}

network::network(network_options o) : o_(std::move(o)) {
    if (o_.kind == network_kind::stack)
        build_stack();
    else
        build_shorthand();
}

// The shorthands as stacks, with their names, parameter order and initial values.
void network::build_shorthand() {
    const auto& o = o_;
    if (o.inputs < 1 || o.hidden < 1 || o.classes < 2 || o.steps < 1)
        throw std::invalid_argument("network: needs inputs, hidden units, two or more classes and a step");
    const Eigen::Index I = o.inputs, H = o.hidden, K = o.classes;
    const shape in{1, 1, o.inputs}, hid{1, 1, o.hidden}, out{1, 1, o.classes};
    layer_spec dense_in, dense_out;
    dense_in.units = o.hidden;
    dense_out.units = o.classes;
    if (o.kind == network_kind::spiking) {
        dense_in.bias = dense_out.bias = false;
        const auto W1 = add("W1", normal_matrix(I, H, o.init_scale / std::sqrt(static_cast<double>(I)), o.seed, 1));
        std::size_t Wr = 0;
        if (o.recurrent) Wr = add("W_rec", normal_matrix(H, H, o.init_scale / std::sqrt(static_cast<double>(H)), o.seed, 3));
        const auto W2 = add("W2", normal_matrix(H, K, o.init_scale / std::sqrt(static_cast<double>(H)), o.seed, 2));
        const double a = std::exp(-o.dt_ms / o.tau_syn_ms), b = std::exp(-o.dt_ms / o.tau_mem_ms);
        const bool learn = o.learn_time_constants;
        std::size_t d[4];
        const char* names[4] = {"alpha1", "beta1", "alpha2", "beta2"};
        for (int k = 0; k < 4; ++k) d[k] = add(names[k], matrix::Constant(1, 1, k % 2 ? b : a), learn, true);
        layer_spec lif;
        lif.kind = layer_kind::lif;
        lif.tau_syn_ms = o.tau_syn_ms;
        lif.tau_mem_ms = o.tau_mem_ms;
        lif.dt_ms = o.dt_ms;
        lif.theta = o.theta;
        lif.reset = o.reset;
        lif.detach_reset = o.detach_reset;
        lif.refractory_steps = o.refractory_steps;
        lif.spike_grad = o.spike_grad;
        lif.recurrent = o.recurrent;
        lif.learn_decays = learn ? decay_learning::layer : decay_learning::none;
        layer_spec li = lif;
        li.kind = layer_kind::li_readout;
        li.recurrent = false;
        li.reduce = o.readout;
        std::vector<std::size_t> lif_params = {d[0], d[1]};
        if (o.recurrent) lif_params.push_back(Wr);
        stack_ = {{dense_in, in, hid, {W1}}, {lif, hid, hid, lif_params}, {dense_out, hid, out, {W2}}, {li, out, out, {d[2], d[3]}}};
        return;
    }
    const double b_in = 1.0 / std::sqrt(static_cast<double>(I)), b_hid = 1.0 / std::sqrt(static_cast<double>(H));
    const auto W1 = add("W1", uniform_matrix(I, H, b_in, o.seed, 1));
    std::size_t U = 0;
    if (o.kind == network_kind::rate_rnn) U = add("U", uniform_matrix(H, H, b_hid, o.seed, 3));
    // PyTorch's RNN draws every parameter from U(-1/sqrt(hidden), 1/sqrt(hidden)).
    const auto b1 = add("b1", uniform_matrix(1, H, o.kind == network_kind::rate_rnn ? b_hid : b_in, o.seed, 4));
    const auto W2 = add("W2", uniform_matrix(H, K, b_hid, o.seed, 2));
    const auto b2 = add("b2", uniform_matrix(1, K, b_hid, o.seed, 5));
    if (o.kind == network_kind::rate) {
        layer_spec act;
        act.kind = layer_kind::activation;
        act.f = o.hidden_activation;
        stack_ = {{dense_in, in, hid, {W1, b1}}, {act, hid, hid, {}}, {dense_out, hid, out, {W2, b2}}};
    } else {
        dense_in.bias = false;
        layer_spec rnn, last;
        rnn.kind = layer_kind::elman;
        rnn.f = o.hidden_activation;
        last.kind = layer_kind::reduce;
        last.reduce = readout_kind::last;
        stack_ = {{dense_in, in, hid, {W1}}, {rnn, hid, hid, {U, b1}}, {last, hid, hid, {}}, {dense_out, hid, out, {W2, b2}}};
    }
}

void network::build_stack() {
    if (o_.input_shape.size() < 1 || o_.classes < 2 || o_.steps < 1)
        throw std::invalid_argument("network: needs an input shape, two or more classes and a step");
    o_.inputs = o_.input_shape.size();
    if (const auto problem = stack_problem(o_, false); !problem.empty()) throw std::invalid_argument("network: " + problem);
    shape in = o_.input_shape;
    for (std::size_t i = 0; i < o_.layers.size(); ++i) {
        const auto& spec = o_.layers[i];
        std::string problem;
        const shape out = output_shape(spec, in, problem);
        built_layer l{spec, in, out, {}};
        const auto ps = parameters_of(spec, in);
        for (std::size_t k = 0; k < ps.size(); ++k)
            l.params.push_back(add(fmt::format("{}.{}", i, ps[k].name),
                                   initial_parameter(spec, in, k, o_.seed, 16 * (i + 1) + k), ps[k].trainable, ps[k].decay));
        stack_.push_back(std::move(l));
        in = out;
    }
    o_.hidden = spiking_neurons();
}

int network::spiking_neurons() const {
    int n = 0;
    for (const auto& l : stack_)
        if (is_spiking(l.spec.kind)) n += l.out.size();
    return n;
}

std::vector<std::string> network::parameter_names(bool all) const {
    std::vector<std::string> names;
    for (const auto& p : params_)
        if (all || p.trainable) names.push_back(p.name);
    return names;
}

matrix& network::parameter(const std::string& name) {
    return const_cast<matrix&>(static_cast<const network&>(*this).parameter(name));
}

const matrix& network::parameter(const std::string& name) const {
    for (const auto& p : params_)
        if (p.name == name) return p.value;
    throw std::invalid_argument("network: no parameter " + name);
}

network::decays network::time_constants() const {
    return {parameter("alpha1")(0, 0), parameter("beta1")(0, 0), parameter("alpha2")(0, 0), parameter("beta2")(0, 0)};
}

void network::set_time_constants(const decays& d) {
    parameter("alpha1")(0, 0) = d.alpha1;
    parameter("beta1")(0, 0) = d.beta1;
    parameter("alpha2")(0, 0) = d.alpha2;
    parameter("beta2")(0, 0) = d.beta2;
}

std::vector<matrix*> network::parameters() {
    std::vector<matrix*> out;
    for (auto& p : params_)
        if (p.trainable) out.push_back(&p.value);
    return out;
}

void network::check_data(const dataset& data) const {
    if (static_cast<int>(data.features()) != o_.features())
        throw std::invalid_argument(fmt::format("the data have {} features; the network reads {}", data.features(),
                                                o_.features()));
    if (o_.input.kind == encoder_kind::rows && (data.is_events() || o_.kind == network_kind::rate))
        throw std::invalid_argument("the rows encoder takes static data into a network with time steps");
    if (data.is_events() && o_.kind == network_kind::rate)
        throw std::invalid_argument("event data need a network with time steps (spiking or rate_rnn)");
    if (o_.kind == network_kind::stack && (data.is_events() || o_.input.kind != encoder_kind::current))
        if (const auto problem = stack_problem(o_, true); !problem.empty())
            throw std::invalid_argument(fmt::format("with input that changes over time, {}", problem));
}

epoch_stats network::train_epoch(const dataset& data, optimizer& opt, const train_options& t, int epoch) {
    check_data(data);
    if (t.augment.active())
        if (const auto [key, message] = t.augment.problem(data); !message.empty())
            throw std::invalid_argument(fmt::format("training.augment{}: {}", key, message));
    const std::size_t n = data.size();
    std::vector<std::size_t> order(n);
    std::iota(order.begin(), order.end(), 0);
    rng_stream rng(o_.seed, rng_key_word(rng_purpose::learning_shuffle, 0), static_cast<std::uint64_t>(epoch));
    for (std::size_t i = n; i > 1; --i) std::swap(order[i - 1], order[rng.below(static_cast<std::uint32_t>(i))]);

    const auto params = parameters();
    std::vector<matrix> grads;
    for (const matrix* p : params) grads.push_back(matrix::Zero(p->rows(), p->cols()));
    epoch_stats stats;
    std::size_t batches = 0;
    double spikes = 0.0;
    const auto spiking = static_cast<std::size_t>(spiking_neurons());
    const bool regularise = t.regulariser.active() && spiking > 0;
    // Workers live through the epoch: their states keep their memory from batch to batch
    // (fresh allocations of them cost a fifth of a conv SNN's time in page faults). The
    // regulariser needs every chunk's spike counts before any backward, so with it each
    // chunk has its worker, all forward first; without it each thread's worker runs its
    // chunks' forward and backward one chunk after the other (a thread's chunks reuse one
    // worker's memory: the conv SNN's peak falls by the chunks per thread). Either way
    // the chunks' losses, spike counts and gradients are added in chunk order.
    const bool per_chunk = regularise;
    std::vector<std::unique_ptr<worker>> workers(per_chunk ? 0 : static_cast<std::size_t>(std::max(t.threads, 1)));
    std::vector<std::vector<matrix>> chunk_grads;
    std::vector<std::vector<double>> chunk_spikes;
    for (std::size_t b = 0; b < n; b += t.batch) {
        const std::size_t e = std::min(n, b + t.batch), B = e - b;
        const std::size_t n_chunks = (B + t.chunk - 1) / t.chunk;
        if (per_chunk && workers.size() < n_chunks) workers.resize(n_chunks);
        chunk_grads.resize(n_chunks);
        chunk_spikes.resize(n_chunks);
        std::vector<double> chunk_loss(n_chunks, 0.0);
        const auto loss_and_backward = [&](worker& w, std::size_t c, const std::vector<double>& reg) {
            matrix grad;
            chunk_loss[c] = t.loss == loss_kind::mse ? mse(w.logits, w.labels, grad) : cross_entropy(w.logits, w.labels, grad);
            const double share = static_cast<double>(w.labels.size()) / static_cast<double>(B);
            chunk_loss[c] *= share;
            w.backward(grad * share, reg);
        };
#pragma omp parallel for num_threads(t.threads) schedule(static)
        for (std::size_t c = 0; c < n_chunks; ++c) {
            auto& mine = workers[per_chunk ? c : static_cast<std::size_t>(omp_get_thread_num())];
            if (!mine) mine = std::make_unique<worker>(*this);
            worker& w = *mine;
            w.zero_gradients();
            w.labels.clear();
            std::vector<std::size_t> rows(order.begin() + static_cast<std::ptrdiff_t>(b + c * t.chunk),
                                          order.begin() + static_cast<std::ptrdiff_t>(std::min(e, b + (c + 1) * t.chunk)));
            for (std::size_t r : rows) w.labels.push_back(data.labels[r]);
            w.forward(w.input(data, rows, static_cast<std::uint32_t>(epoch), &t.augment),
                      {true, true, o_.seed, static_cast<std::uint32_t>(epoch), &rows, 0});
            chunk_spikes[c] = w.neuron_spikes;
            if (per_chunk) continue;
            loss_and_backward(w, c, {});
            chunk_grads[c].clear();
            for (const matrix* g : w.gradients()) chunk_grads[c].push_back(*g);
        }
        std::vector<double> reg;
        double loss = 0.0;
        if (spiking > 0) {
            std::vector<double> r(spiking, 0.0);
            for (std::size_t c = 0; c < n_chunks; ++c)
                for (std::size_t j = 0; j < r.size(); ++j) r[j] += chunk_spikes[c][j];
            for (double& v : r) {
                spikes += v;
                v /= static_cast<double>(B);
            }
            if (regularise) {
                const auto& g = t.regulariser;
                reg.assign(r.size(), 0.0);
                for (std::size_t j = 0; j < r.size(); ++j) {
                    const double over = std::max(0.0, r[j] - g.upper), under = std::max(0.0, g.lower - r[j]);
                    loss += g.upper_strength * over * over + g.lower_strength * under * under;
                    // d r_j / d S[b, t, j] = 1 / B
                    reg[j] = (2.0 * g.upper_strength * over - 2.0 * g.lower_strength * under) / static_cast<double>(B);
                }
            }
        }
        if (per_chunk) {
#pragma omp parallel for num_threads(t.threads) schedule(static)
            for (std::size_t c = 0; c < n_chunks; ++c) loss_and_backward(*workers[c], c, reg);
        }
        for (matrix& g : grads) g.setZero();
        for (std::size_t c = 0; c < n_chunks; ++c) {
            loss += chunk_loss[c];
            if (per_chunk) {
                const auto g = workers[c]->gradients();
                for (std::size_t i = 0; i < grads.size(); ++i) grads[i] += *g[i];
            } else {
                for (std::size_t i = 0; i < grads.size(); ++i) grads[i] += chunk_grads[c][i];
            }
        }
        std::vector<matrix*> gp;
        std::vector<const matrix*> gc;
        for (matrix& g : grads) {
            gp.push_back(&g);
            gc.push_back(&g);
        }
        if (t.clip_norm > 0.0) clip_grad_norm(gp, t.clip_norm);
        opt.step(params, gc);
        for (auto& p : params_)
            if (p.trainable && p.decay) p.value = p.value.cwiseMax(1e-6).cwiseMin(1.0 - 1e-6);
        stats.loss += loss;
        ++batches;
    }
    stats.loss /= static_cast<double>(batches);
    if (spiking > 0) stats.spikes_per_neuron = spikes / (static_cast<double>(n) * static_cast<double>(spiking));
    return stats;
}

evaluation network::evaluate(const dataset& data, int threads) const {
    check_data(data);
    const std::size_t n = data.size(), chunk = 64, n_chunks = (n + chunk - 1) / chunk;
    evaluation ev;
    ev.logits.resize(static_cast<Eigen::Index>(n), o_.classes);
    std::vector<std::vector<double>> counts(n_chunks);
    std::vector<std::unique_ptr<worker>> per_thread(static_cast<std::size_t>(std::max(threads, 1)));
#pragma omp parallel for num_threads(threads) schedule(static)
    for (std::size_t c = 0; c < n_chunks; ++c) {
        auto& mine = per_thread[static_cast<std::size_t>(omp_get_thread_num())];
        if (!mine) mine = std::make_unique<worker>(*this);
        worker& w = *mine;
        std::vector<std::size_t> rows;
        for (std::size_t r = c * chunk; r < std::min(n, (c + 1) * chunk); ++r) rows.push_back(r);
        w.forward(w.input(data, rows, evaluation_epoch), {false, false, o_.seed, evaluation_epoch, &rows, 0});
        ev.logits.middleRows(static_cast<Eigen::Index>(c * chunk), static_cast<Eigen::Index>(rows.size())) = w.logits;
        counts[c] = w.neuron_spikes;
    }
    if (const auto spiking = static_cast<std::size_t>(spiking_neurons()); spiking > 0) {
        ev.neuron_spikes.assign(spiking, 0.0);
        for (const auto& c : counts)
            for (std::size_t j = 0; j < c.size(); ++j) ev.neuron_spikes[j] += c[j];
        double total = 0.0;
        for (double& v : ev.neuron_spikes) {
            total += v;
            v /= static_cast<double>(n);
        }
        ev.spikes_per_neuron = total / (static_cast<double>(n) * static_cast<double>(spiking));
    }
    std::size_t right = 0;
    for (std::size_t i = 0; i < n; ++i) {
        Eigen::Index k = 0;
        ev.logits.row(static_cast<Eigen::Index>(i)).maxCoeff(&k);
        ev.predicted.push_back(static_cast<int>(k));
        right += ev.predicted.back() == data.labels[i];
    }
    ev.accuracy = n ? static_cast<double>(right) / static_cast<double>(n) : 0.0;
    return ev;
}

std::vector<sequence> network::layer_activity(const dataset& data, const std::vector<std::size_t>& rows) const {
    check_data(data);
    worker w(*this);
    auto in = w.input(data, rows, evaluation_epoch);
    std::vector<sequence> out;
    w.forward(std::move(in), {false, false, o_.seed, evaluation_epoch, &rows, 0}, &out);
    return out;
}

std::vector<matrix> network::layer_means(const dataset& data, int threads) const {
    check_data(data);
    const std::size_t n = data.size(), chunk = 64, n_chunks = (n + chunk - 1) / chunk;
    std::vector<matrix> out;
    for (const auto& l : stack_) out.push_back(matrix::Zero(static_cast<Eigen::Index>(n), l.out.size()));
#pragma omp parallel for num_threads(threads) schedule(static)
    for (std::size_t c = 0; c < n_chunks; ++c) {
        std::vector<std::size_t> rows;
        for (std::size_t r = c * chunk; r < std::min(n, (c + 1) * chunk); ++r) rows.push_back(r);
        const auto acts = layer_activity(data, rows);
        for (std::size_t i = 0; i < acts.size(); ++i) {
            matrix sum = matrix::Zero(static_cast<Eigen::Index>(rows.size()), acts[i][0].cols());
            for (const matrix& step : acts[i]) sum += step;
            out[i].middleRows(static_cast<Eigen::Index>(c * chunk), static_cast<Eigen::Index>(rows.size())) =
                sum / static_cast<double>(acts[i].size());
        }
    }
    return out;
}

sequence network::hidden_activity(const dataset& data, const std::vector<std::size_t>& rows) const {
    auto all = layer_activity(data, rows);
    for (std::size_t i = 0; i < stack_.size(); ++i)
        if (is_hidden(stack_[i].spec.kind)) return std::move(all[i]);
    throw std::invalid_argument("network: no hidden layer (lif, alif, elman or activation)");
}

void network::round_to_float() {
    for (matrix* p : parameters()) *p = p->cast<float>().cast<double>();
}

sequence network::input_of(const dataset& data, std::size_t row) const {
    check_data(data);
    const worker w(*this);
    chunk_input in = w.input(data, {row}, evaluation_epoch);
    if (!in.constant) return in.steps;
    return sequence(o_.kind == network_kind::rate ? 1 : static_cast<std::size_t>(o_.steps), in.x);
}

}  // namespace myelin::learning
