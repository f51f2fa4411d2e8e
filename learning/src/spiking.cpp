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
