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

matrix surrogate::of(const Eigen::ArrayXXd& x) const {
    const double s = slope;
    switch (kind) {
    case surrogate_kind::fast_sigmoid: return (1.0 + s * x.abs()).square().inverse().matrix();
    case surrogate_kind::sigmoid: {
        const Eigen::ArrayXXd g = (1.0 + (-s * x).exp()).inverse();
        return (s * g * (1.0 - g)).matrix();
    }
    case surrogate_kind::arctan: {
        const double c = std::numbers::pi / 2.0 * s;
        return ((s / 2.0) * (1.0 + (c * x).square()).inverse()).matrix();
    }
    case surrogate_kind::triangle: return (s * (1.0 - s * x.abs()).max(0.0)).matrix();
    }
    return matrix::Zero(x.rows(), x.cols());
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
    constant_ = false;
    run(&x, nullptr, x.size());
    return S_;
}

const sequence& lif_layer::forward_constant(const matrix& x, std::size_t T) {
    x_.clear();
    x_const_ = x;
    constant_ = true;
    const matrix xW = x * W;
    run(nullptr, &xW, T);
    return S_;
}

void lif_layer::run(const sequence* x, const matrix* xW, std::size_t T) {
    const Eigen::Index B = x ? (x->empty() ? 0 : (*x)[0].rows()) : xW->rows(), N = W.cols();
    I_.resize(T);
    U_.resize(T);
    V_.resize(T);
    S_.resize(T);
    const matrix zero = matrix::Zero(B, N);
    matrix I = zero;
    const bool refractory = o_.refractory_steps > 0;
    matrix left = zero;  // refractory steps left
    Q_.resize(refractory ? T : 0);
    for (std::size_t t = 0; t < T; ++t) {
        const matrix& V_prev = t ? V_[t - 1] : zero;
        const matrix& S_prev = t ? S_[t - 1] : zero;
        if (x)
            I = o_.alpha * I + (*x)[t] * W;
        else
            I = o_.alpha * I + *xW;
        if (recurrent()) I.noalias() += S_prev * W_rec;
        if (decay_gradients) I_[t] = I;
        U_[t].noalias() = o_.beta * V_prev + I;
        if (o_.reset == reset_kind::subtract)
            V_[t].noalias() = U_[t] - o_.theta * S_prev;
        else
            V_[t].noalias() = U_[t].cwiseProduct((1.0 - S_prev.array()).matrix());
        S_[t] = ((V_[t].array() - o_.theta) > 0.0).cast<double>().matrix();
        if (refractory) {
            Q_[t] = (left.array() > 0.0).cast<double>().matrix();
            left = (left.array() - 1.0).max(0.0).matrix();
            S_[t] = S_[t].cwiseProduct((1.0 - Q_[t].array()).matrix());
            left = (S_[t].array() > 0.0).select(static_cast<double>(o_.refractory_steps), left);
        }
    }
}

sequence lif_layer::backward(const sequence& grad_spikes) {
    const auto T = S_.size();
    const Eigen::Index B = T ? S_[0].rows() : 0, N = W.cols();
    const bool zero = o_.reset == reset_kind::zero;
    sequence grad_x(constant_ ? 0 : T);
    // dU: dL/dU[t+1]; dV_next: dL/dV[t+1]; dI_next: dL/dI[t+1].
    matrix dU_next = matrix::Zero(B, N), dV_next = matrix::Zero(B, N), dI_next = matrix::Zero(B, N);
    matrix dI_sum = matrix::Zero(B, N);
    for (std::size_t t = T; t-- > 0;) {
        // dL/dS[t]: from above, through the recurrent weights into I[t+1] and, if the reset
        // is not detached, through the reset of V[t+1].
        matrix dS = grad_spikes[t];
        if (recurrent()) dS.noalias() += dI_next * W_rec.transpose();
        if (!o_.detach_reset && t + 1 < T) {
            if (zero)
                dS -= dV_next.cwiseProduct(U_[t + 1]);
            else
                dS -= o_.theta * dV_next;
        }
        matrix sg = o_.spike_grad.of(V_[t].array() - o_.theta);
        if (!Q_.empty()) sg = sg.cwiseProduct((1.0 - Q_[t].array()).matrix());
        const matrix dV = dS.cwiseProduct(sg) + o_.beta * dU_next;
        matrix dU = dV;
        if (zero && t > 0) dU = dV.cwiseProduct((1.0 - S_[t - 1].array()).matrix());
        const matrix dI = dU + o_.alpha * dI_next;
        // U[t] = beta V[t-1] + I[t], I[t] = alpha I[t-1] + ...: the decays' gradients.
        if (decay_gradients && t > 0) {
            d_beta += dU.cwiseProduct(V_[t - 1]).sum();
            d_alpha += dI.cwiseProduct(I_[t - 1]).sum();
        }
        if (constant_)
            dI_sum += dI;
        else {
            dW.noalias() += x_[t].transpose() * dI;
            grad_x[t].noalias() = dI * W.transpose();
        }
        if (recurrent() && t > 0) dW_rec.noalias() += S_[t - 1].transpose() * dI;
        dU_next = dU;
        dV_next = dV;
        dI_next = dI;
    }
    if (constant_) dW.noalias() += x_const_.transpose() * dI_sum;
    return grad_x;
}

li_readout::li_readout(matrix w, double alpha, double beta, readout_kind kind)
    : W(std::move(w)), dW(matrix::Zero(W.rows(), W.cols())), alpha_(alpha), beta_(beta), kind_(kind) {}

const matrix& li_readout::forward(const sequence& x) {
    x_ = &x;
    const auto T = x.size();
    const Eigen::Index B = T ? x[0].rows() : 0, K = W.cols();
    V_.assign(T, matrix());
    I_.assign(T, matrix());
    matrix I = matrix::Zero(B, K), V = matrix::Zero(B, K);
    for (std::size_t t = 0; t < T; ++t) {
        I = alpha_ * I + x[t] * W;
        V = beta_ * V + I;
        if (decay_gradients) I_[t] = I;
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
    const auto T = V_.size();
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
        if (decay_gradients && t > 0) {
            d_beta += dV.cwiseProduct(V_[t - 1]).sum();
            d_alpha += dI.cwiseProduct(I_[t - 1]).sum();
        }
        dW.noalias() += (*x_)[t].transpose() * dI;
        grad_x[t].noalias() = dI * W.transpose();
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

namespace myelin::learning {

double mse(const matrix& output, const std::vector<int>& labels, matrix& grad) {
    const Eigen::Index B = output.rows(), K = output.cols();
    matrix target = matrix::Zero(B, K);
    for (Eigen::Index b = 0; b < B; ++b) target(b, labels[static_cast<std::size_t>(b)]) = 1.0;
    const matrix diff = output - target;
    grad = 2.0 * diff / static_cast<double>(B * K);
    return diff.squaredNorm() / static_cast<double>(B * K);
}

}  // namespace myelin::learning
