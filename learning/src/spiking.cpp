#include <myelin/learning/spiking.hpp>

#include <cmath>
#include <numbers>
#include <stdexcept>

namespace myelin::learning {

double surrogate::operator()(double x) const {
    const double s = slope;
    switch (kind) {
    case surrogate_kind::fast_sigmoid: {
        const double d = 1.0 + s * std::abs(x);
        return 1.0 / (d * d);
    }
    case surrogate_kind::sigmoid: {
        const double g = 1.0 / (1.0 + std::exp(-s * x));
        return s * g * (1.0 - g);
    }
    case surrogate_kind::arctan: {
        const double u = std::numbers::pi / 2.0 * s * x;
        return s / 2.0 / (1.0 + u * u);
    }
    case surrogate_kind::triangle: return s * std::max(0.0, 1.0 - s * std::abs(x));
    }
    return 0.0;
}

lif_layer::lif_layer(matrix w, lif_options options, matrix w_rec)
    : W(std::move(w)), W_rec(std::move(w_rec)), o_(options) {
    if (recurrent() && (W_rec.rows() != W.cols() || W_rec.cols() != W.cols()))
        throw std::invalid_argument("lif_layer: W_rec must be units x units");
    dW = matrix::Zero(W.rows(), W.cols());
    if (recurrent()) dW_rec = matrix::Zero(W_rec.rows(), W_rec.cols());
}

const sequence& lif_layer::forward(const sequence& x) {
    x_ = x;
    const auto T = x.size();
    const Eigen::Index B = x.empty() ? 0 : x[0].rows(), N = W.cols();
    V_.assign(T, matrix());
    S_.assign(T, matrix());
    matrix I = matrix::Zero(B, N), V = matrix::Zero(B, N), S = matrix::Zero(B, N);
    for (std::size_t t = 0; t < T; ++t) {
        I = o_.alpha * I + x[t] * W;
        if (recurrent()) I += S * W_rec;
        V = o_.beta * V + I - o_.theta * S;
        S = ((V.array() - o_.theta) > 0.0).cast<double>().matrix();
        V_[t] = V;
        S_[t] = S;
    }
    return S_;
}

sequence lif_layer::backward(const sequence& grad_spikes) {
    const auto T = x_.size();
    const Eigen::Index B = T ? x_[0].rows() : 0, N = W.cols();
    sequence grad_x(T);
    matrix dV_next = matrix::Zero(B, N), dI_next = matrix::Zero(B, N);
    for (std::size_t t = T; t-- > 0;) {
        // dL/dS[t]: from above and through the recurrent weights into I[t+1] (the reset
        // term is detached).
        matrix dS = grad_spikes[t];
        if (recurrent()) dS += dI_next * W_rec.transpose();
        const matrix sg = V_[t].unaryExpr([&](double v) { return o_.spike_grad(v - o_.theta); });
        const matrix dV = (dS.array() * sg.array()).matrix() + o_.beta * dV_next;
        const matrix dI = dV + o_.alpha * dI_next;
        dW += x_[t].transpose() * dI;
        if (recurrent() && t > 0) dW_rec += S_[t - 1].transpose() * dI;
        grad_x[t] = dI * W.transpose();
        dV_next = dV;
        dI_next = dI;
    }
    return grad_x;
}

li_readout::li_readout(matrix w, double alpha, double beta, readout_kind kind)
    : W(std::move(w)), dW(matrix::Zero(W.rows(), W.cols())), alpha_(alpha), beta_(beta), kind_(kind) {}

const matrix& li_readout::forward(const sequence& x) {
    x_ = x;
    const auto T = x.size();
    const Eigen::Index B = T ? x[0].rows() : 0, K = W.cols();
    V_.assign(T, matrix());
    matrix I = matrix::Zero(B, K), V = matrix::Zero(B, K);
    for (std::size_t t = 0; t < T; ++t) {
        I = alpha_ * I + x[t] * W;
        V = beta_ * V + I;
        V_[t] = V;
    }
    logits_ = matrix::Zero(B, K);
    argmax_.assign(static_cast<std::size_t>(B), std::vector<std::size_t>(static_cast<std::size_t>(K), 0));
    if (T == 0) return logits_;
    switch (kind_) {
    case readout_kind::mean:
        for (std::size_t t = 0; t < T; ++t) logits_ += V_[t];
        logits_ /= static_cast<double>(T);
        break;
    case readout_kind::last: logits_ = V_[T - 1]; break;
    case readout_kind::max:
        // Scanning t upward, only a strictly larger value moves the maximum: the first.
        for (Eigen::Index b = 0; b < B; ++b)
            for (Eigen::Index k = 0; k < K; ++k) {
                std::size_t best = 0;
                for (std::size_t t = 1; t < T; ++t)
                    if (V_[t](b, k) > V_[best](b, k)) best = t;
                argmax_[static_cast<std::size_t>(b)][static_cast<std::size_t>(k)] = best;
                logits_(b, k) = V_[best](b, k);
            }
        break;
    }
    return logits_;
}

sequence li_readout::backward(const matrix& grad_logits) {
    const auto T = x_.size();
    const Eigen::Index B = grad_logits.rows(), K = grad_logits.cols();
    sequence grad_x(T);
    matrix dV_next = matrix::Zero(B, K), dI_next = matrix::Zero(B, K);
    for (std::size_t t = T; t-- > 0;) {
        matrix g = matrix::Zero(B, K);  // dL/dV[t] from the logits
        switch (kind_) {
        case readout_kind::mean: g = grad_logits / static_cast<double>(T); break;
        case readout_kind::last:
            if (t + 1 == T) g = grad_logits;
            break;
        case readout_kind::max:
            for (Eigen::Index b = 0; b < B; ++b)
                for (Eigen::Index k = 0; k < K; ++k)
                    if (argmax_[static_cast<std::size_t>(b)][static_cast<std::size_t>(k)] == t) g(b, k) = grad_logits(b, k);
            break;
        }
        const matrix dV = g + beta_ * dV_next;
        const matrix dI = dV + alpha_ * dI_next;
        dW += x_[t].transpose() * dI;
        grad_x[t] = dI * W.transpose();
        dV_next = dV;
        dI_next = dI;
    }
    return grad_x;
}

double cross_entropy(const matrix& logits, const std::vector<int>& labels, matrix& grad) {
    const Eigen::Index B = logits.rows();
    grad.resize(logits.rows(), logits.cols());
    double loss = 0.0;
    for (Eigen::Index b = 0; b < B; ++b) {
        const double m = logits.row(b).maxCoeff();
        const Eigen::RowVectorXd e = (logits.row(b).array() - m).exp().matrix();
        const double z = e.sum();
        const int y = labels[static_cast<std::size_t>(b)];
        loss += -(logits(b, y) - m - std::log(z));
        grad.row(b) = e / z;
        grad(b, y) -= 1.0;
    }
    grad /= static_cast<double>(B);
    return loss / static_cast<double>(B);
}

}  // namespace myelin::learning
