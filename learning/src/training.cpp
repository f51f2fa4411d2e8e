#include <myelin/learning/training.hpp>

#include <myelin/simulator/error.hpp>
#include <myelin/simulator/rng.hpp>

#include <fmt/format.h>

#include <charconv>
#include <cmath>
#include <fstream>
#include <numeric>
#include <sstream>

namespace myelin::learning {

dataset dataset::rows(std::size_t begin, std::size_t end) const {
    dataset out;
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

adam::adam(double learning_rate, double beta1, double beta2, double epsilon, double weight_decay)
    : lr_(learning_rate), b1_(beta1), b2_(beta2), eps_(epsilon), wd_(weight_decay) {}

void adam::step(const std::vector<matrix*>& params, const std::vector<const matrix*>& grads) {
    if (m_.empty())
        for (const matrix* p : params) {
            m_.push_back(matrix::Zero(p->rows(), p->cols()));
            v_.push_back(matrix::Zero(p->rows(), p->cols()));
        }
    ++t_;
    const double c1 = 1.0 - std::pow(b1_, static_cast<double>(t_)), c2 = 1.0 - std::pow(b2_, static_cast<double>(t_));
    for (std::size_t i = 0; i < params.size(); ++i) {
        const matrix& g = *grads[i];
        m_[i] = b1_ * m_[i] + (1.0 - b1_) * g;
        v_[i] = b2_ * v_[i] + (1.0 - b2_) * g.cwiseProduct(g);
        matrix& p = *params[i];
        if (wd_ > 0.0) p *= 1.0 - lr_ * wd_;
        p.array() -= lr_ * (m_[i].array() / c1) / ((v_[i].array() / c2).sqrt() + eps_);
    }
}

namespace {

matrix normal_matrix(Eigen::Index rows, Eigen::Index cols, double std, std::uint32_t seed, std::uint64_t id) {
    rng_stream rng(seed, rng_key_word(rng_purpose::learning_init, 0), id);
    matrix m(rows, cols);
    for (Eigen::Index i = 0; i < rows; ++i)
        for (Eigen::Index j = 0; j < cols; ++j) m(i, j) = std * rng.normal();
    return m;
}

lif_options lif_from(const classifier_options& o) {
    return {std::exp(-o.dt_ms / o.tau_syn_ms), std::exp(-o.dt_ms / o.tau_mem_ms), o.theta, o.spike_grad};
}

}  // namespace

spiking_classifier::spiking_classifier(int n_inputs, int n_classes, classifier_options options)
    : o_(options),
      hidden_(normal_matrix(n_inputs, options.hidden, options.init_scale / std::sqrt(n_inputs), options.seed, 1),
              lif_from(options)),
      out_(normal_matrix(options.hidden, n_classes, options.init_scale / std::sqrt(options.hidden), options.seed, 2),
           std::exp(-options.dt_ms / options.tau_syn_ms), std::exp(-options.dt_ms / options.tau_mem_ms),
           options.readout) {}

sequence spiking_classifier::encode(const matrix& x) const {
    return sequence(static_cast<std::size_t>(o_.steps), x * o_.input_scale);
}

double spiking_classifier::train_epoch(const dataset& data, adam& optimizer, std::size_t batch_size, int epoch) {
    const std::size_t n = data.labels.size();
    std::vector<std::size_t> order(n);
    std::iota(order.begin(), order.end(), 0);
    rng_stream rng(o_.seed, rng_key_word(rng_purpose::learning_shuffle, 0), static_cast<std::uint64_t>(epoch));
    for (std::size_t i = n; i > 1; --i) std::swap(order[i - 1], order[rng.below(static_cast<std::uint32_t>(i))]);
    double loss_sum = 0.0;
    std::size_t batches = 0;
    for (std::size_t b = 0; b < n; b += batch_size) {
        const std::size_t e = std::min(n, b + batch_size);
        matrix x(static_cast<Eigen::Index>(e - b), data.x.cols());
        std::vector<int> y;
        for (std::size_t k = b; k < e; ++k) {
            x.row(static_cast<Eigen::Index>(k - b)) = data.x.row(static_cast<Eigen::Index>(order[k]));
            y.push_back(data.labels[order[k]]);
        }
        hidden_.dW.setZero();
        out_.dW.setZero();
        const matrix& logits = out_.forward(hidden_.forward(encode(x)));
        matrix grad;
        loss_sum += cross_entropy(logits, y, grad);
        hidden_.backward(out_.backward(grad));
        optimizer.step({&hidden_.W, &out_.W}, {&hidden_.dW, &out_.dW});
        ++batches;
    }
    return loss_sum / static_cast<double>(batches);
}

std::vector<int> spiking_classifier::predict(const dataset& data) const {
    lif_layer hidden = hidden_;
    li_readout out = out_;
    const matrix& logits = out.forward(hidden.forward(encode(data.x)));
    std::vector<int> out_labels;
    for (Eigen::Index i = 0; i < logits.rows(); ++i) {
        Eigen::Index k = 0;
        logits.row(i).maxCoeff(&k);
        out_labels.push_back(static_cast<int>(k));
    }
    return out_labels;
}

double spiking_classifier::accuracy(const dataset& data) const {
    const auto predicted = predict(data);
    std::size_t right = 0;
    for (std::size_t i = 0; i < predicted.size(); ++i) right += predicted[i] == data.labels[i];
    return static_cast<double>(right) / static_cast<double>(predicted.size());
}

}  // namespace myelin::learning
