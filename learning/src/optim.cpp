#include <myelin/learning/optim.hpp>

#include <cmath>
#include <numbers>
#include <stdexcept>

namespace myelin::learning {

sgd::sgd(double learning_rate, double momentum, bool nesterov, double weight_decay)
    : optimizer(learning_rate), momentum_(momentum), wd_(weight_decay), nesterov_(nesterov) {}

void sgd::step(const std::vector<matrix*>& params, const std::vector<const matrix*>& grads) {
    const bool first = v_.empty();
    if (first)
        for (const matrix* p : params) v_.push_back(matrix::Zero(p->rows(), p->cols()));
    for (std::size_t i = 0; i < params.size(); ++i) {
        matrix& p = *params[i];
        matrix g = *grads[i];
        if (wd_ > 0.0) g += wd_ * p;
        if (momentum_ > 0.0) {
            // PyTorch starts the buffer at the first gradient.
            v_[i] = first ? g : matrix(momentum_ * v_[i] + g);
            if (nesterov_)
                g += momentum_ * v_[i];
            else
                g = v_[i];
        }
        p -= lr_ * g;
    }
}

optimizer_state sgd::state() const { return {0, v_}; }

void sgd::restore(const optimizer_state& s) {
    if (s.steps != 0) throw std::invalid_argument("a state with a step count is not an SGD optimizer's");
    v_ = s.buffers;
}

optimizer_state adam::state() const {
    optimizer_state s{t_, m_};
    s.buffers.insert(s.buffers.end(), v_.begin(), v_.end());
    return s;
}

void adam::restore(const optimizer_state& s) {
    if (s.buffers.size() % 2 != 0 || (s.steps == 0) != s.buffers.empty())
        throw std::invalid_argument("not an Adam optimizer's state (moments in pairs, a step count with them)");
    const auto half = static_cast<std::ptrdiff_t>(s.buffers.size() / 2);
    t_ = s.steps;
    m_.assign(s.buffers.begin(), s.buffers.begin() + half);
    v_.assign(s.buffers.begin() + half, s.buffers.end());
}

adam::adam(double learning_rate, double beta1, double beta2, double epsilon, double weight_decay)
    : optimizer(learning_rate), b1_(beta1), b2_(beta2), eps_(epsilon), wd_(weight_decay) {}

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

double lr_schedule::at(double base, int epoch) const {
    switch (type) {
    case kind::constant: return base;
    case kind::step: return base * std::pow(gamma, epoch / step_size);
    case kind::cosine: {
        const double e = std::min(epoch, epochs);
        return min_lr + (base - min_lr) * (1.0 + std::cos(std::numbers::pi * e / epochs)) / 2.0;
    }
    }
    return base;
}

double clip_grad_norm(const std::vector<matrix*>& grads, double max_norm) {
    double sum = 0.0;
    for (const matrix* g : grads) sum += g->squaredNorm();
    const double norm = std::sqrt(sum);
    // PyTorch's factor: max_norm / (norm + 1e-6), applied only when it is below 1.
    const double factor = max_norm / (norm + 1e-6);
    if (factor < 1.0)
        for (matrix* g : grads) *g *= factor;
    return norm;
}

}  // namespace myelin::learning
