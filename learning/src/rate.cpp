#include <myelin/learning/rate.hpp>

#include <cmath>

namespace myelin::learning {

namespace {

void apply(activation f, matrix& z) {
    switch (f) {
    case activation::relu: z = z.cwiseMax(0.0); break;
    case activation::tanh: z = z.array().tanh().matrix(); break;
    case activation::sigmoid: z = (1.0 / (1.0 + (-z.array()).exp())).matrix(); break;
    case activation::identity: break;
    }
}

// f'(z) from y = f(z), times g.
matrix times_derivative(activation f, const matrix& y, const matrix& g) {
    switch (f) {
    case activation::relu: return (y.array() > 0.0).select(g, 0.0);
    case activation::tanh: return (g.array() * (1.0 - y.array().square())).matrix();
    case activation::sigmoid: return (g.array() * y.array() * (1.0 - y.array())).matrix();
    case activation::identity: return g;
    }
    return g;
}

}  // namespace

bool activation_from_name(std::string_view name, activation& out) {
    for (activation f : {activation::relu, activation::tanh, activation::sigmoid, activation::identity})
        if (name == name_of(f)) {
            out = f;
            return true;
        }
    return false;
}

std::string_view name_of(activation f) {
    switch (f) {
    case activation::relu: return "relu";
    case activation::tanh: return "tanh";
    case activation::sigmoid: return "sigmoid";
    case activation::identity: return "identity";
    }
    return "";
}

dense_layer::dense_layer(matrix w, matrix bias, activation act)
    : W(std::move(w)), dW(matrix::Zero(W.rows(), W.cols())), b(std::move(bias)), db(matrix::Zero(1, b.cols())), f(act) {}

const matrix& dense_layer::forward(const matrix& x) {
    x_ = x;
    y_ = x * W;
    y_.rowwise() += b.row(0);
    apply(f, y_);
    return y_;
}

matrix dense_layer::backward(const matrix& grad_y) {
    const matrix dz = times_derivative(f, y_, grad_y);
    dW.noalias() += x_.transpose() * dz;
    db += dz.colwise().sum();
    return dz * W.transpose();
}

rate_rnn::rate_rnn(matrix w, matrix u, matrix bias, activation act)
    : W(std::move(w)), U(std::move(u)), dW(matrix::Zero(W.rows(), W.cols())), dU(matrix::Zero(U.rows(), U.cols())),
      b(std::move(bias)), db(matrix::Zero(1, b.cols())), f(act) {}

const sequence& rate_rnn::forward(const sequence& x) {
    x_ = x;
    constant_ = false;
    run(&x, nullptr, x.size());
    return h_;
}

const sequence& rate_rnn::forward_constant(const matrix& x, std::size_t T) {
    x_.clear();
    x_const_ = x;
    constant_ = true;
    const matrix xW = x * W;
    run(nullptr, &xW, T);
    return h_;
}

void rate_rnn::run(const sequence* x, const matrix* xW, std::size_t T) {
    const Eigen::Index B = x ? (x->empty() ? 0 : (*x)[0].rows()) : xW->rows(), N = W.cols();
    h_.resize(T);
    matrix h = matrix::Zero(B, N);
    for (std::size_t t = 0; t < T; ++t) {
        matrix z = x ? matrix((*x)[t] * W) : *xW;
        z.noalias() += h * U;
        z.rowwise() += b.row(0);
        apply(f, z);
        h = z;
        h_[t] = h;
    }
}

sequence rate_rnn::backward(const sequence& grad_h) {
    const auto T = h_.size();
    const Eigen::Index B = T ? h_[0].rows() : 0, N = W.cols();
    sequence grad_x(constant_ ? 0 : T);
    matrix dz_next = matrix::Zero(B, N), dz_sum = matrix::Zero(B, N);
    for (std::size_t t = T; t-- > 0;) {
        matrix dh = grad_h[t];
        dh.noalias() += dz_next * U.transpose();
        const matrix dz = times_derivative(f, h_[t], dh);
        if (constant_)
            dz_sum += dz;
        else {
            dW.noalias() += x_[t].transpose() * dz;
            grad_x[t].noalias() = dz * W.transpose();
        }
        if (t > 0) dU.noalias() += h_[t - 1].transpose() * dz;
        db += dz.colwise().sum();
        dz_next = dz;
    }
    if (constant_) dW.noalias() += x_const_.transpose() * dz_sum;
    return grad_x;
}

}  // namespace myelin::learning
