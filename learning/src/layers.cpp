#include <myelin/learning/layers.hpp>

#include "matmul.hpp"

#include <myelin/core/rng.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <type_traits>

namespace myelin::learning {

std::string shape::text() const {
    if (!image) return std::to_string(size());
    return fmt::format("{} x {} x {}", channels, height, width);
}

namespace {

constexpr std::pair<layer_kind, std::string_view> layer_names[] = {
    {layer_kind::dense, "dense"},       {layer_kind::conv2d, "conv2d"},         {layer_kind::avg_pool, "avg_pool"},
    {layer_kind::sum_pool, "sum_pool"}, {layer_kind::flatten, "flatten"},       {layer_kind::activation, "activation"},
    {layer_kind::dropout, "dropout"},   {layer_kind::reduce, "reduce"},         {layer_kind::lif, "lif"},
    {layer_kind::alif, "alif"},         {layer_kind::li_readout, "li_readout"}, {layer_kind::elman, "elman"},
};

}  // namespace

std::string_view name_of(layer_kind k) {
    for (const auto& [kind, name] : layer_names)
        if (kind == k) return name;
    return "";
}

bool layer_kind_from_name(std::string_view name, layer_kind& out) {
    for (const auto& [kind, n] : layer_names)
        if (n == name) {
            out = kind;
            return true;
        }
    return false;
}

int stride_of(const layer_spec& s) {
    if (s.stride > 0) return s.stride;
    return s.kind == layer_kind::conv2d ? 1 : s.kernel;
}

bool is_spiking(layer_kind k) { return k == layer_kind::lif || k == layer_kind::alif; }

bool has_state(layer_kind k) { return is_spiking(k) || k == layer_kind::li_readout || k == layer_kind::elman; }

namespace {

int pooled(int n, int k, int s) { return (n - k) / s + 1; }

}  // namespace

shape output_shape(const layer_spec& s, const shape& in, std::string& problem) {
    problem.clear();
    switch (s.kind) {
    case layer_kind::dense:
        if (in.image) {
            problem = fmt::format("a dense layer needs a vector; its input is {} (put a flatten layer before it)", in.text());
            return {};
        }
        return shape::vector(s.units);
    case layer_kind::conv2d:
    case layer_kind::avg_pool:
    case layer_kind::sum_pool: {
        if (!in.image) {
            problem = fmt::format("needs an image (channels x height x width); its input is {}", in.text());
            return {};
        }
        const int pad = s.kind == layer_kind::conv2d ? s.padding : 0;
        const int h = in.height + 2 * pad, w = in.width + 2 * pad;
        if (s.kernel > h || s.kernel > w) {
            problem = fmt::format("kernel {} x {} is larger than its input {}{}", s.kernel, s.kernel, in.text(),
                                  pad ? fmt::format(" padded by {}", pad) : "");
            return {};
        }
        const int c = s.kind == layer_kind::conv2d ? s.channels : in.channels;
        return shape::picture(c, pooled(h, s.kernel, stride_of(s)), pooled(w, s.kernel, stride_of(s)));
    }
    case layer_kind::flatten: return shape::vector(in.size());
    case layer_kind::reduce:
    case layer_kind::activation:
    case layer_kind::dropout:
    case layer_kind::lif:
    case layer_kind::alif:
    case layer_kind::li_readout:
    case layer_kind::elman:
        if ((s.recurrent || s.kind == layer_kind::elman) && in.image) {
            problem = fmt::format("recurrent weights need a vector; its input is {} (flatten it first)", in.text());
            return {};
        }
        return in;
    }
    return in;
}

std::vector<parameter_spec> parameters_of(const layer_spec& s, const shape& in) {
    const int n = in.size();
    std::vector<parameter_spec> p;
    auto decays = [&](bool learned) {
        const int cols = s.learn_decays == decay_learning::neuron ? n : 1;
        p.push_back({"alpha", 1, cols, learned, true});
        p.push_back({"beta", 1, cols, learned, true});
    };
    switch (s.kind) {
    case layer_kind::dense:
        p.push_back({"W", n, s.units});
        if (s.bias) p.push_back({"b", 1, s.units});
        break;
    case layer_kind::conv2d:
        p.push_back({"W", s.channels, in.channels * s.kernel * s.kernel});
        if (s.bias) p.push_back({"b", 1, s.channels});
        break;
    case layer_kind::lif:
    case layer_kind::alif:
    case layer_kind::li_readout:
        decays(s.learn_decays != decay_learning::none);
        if (s.recurrent && s.kind != layer_kind::li_readout) p.push_back({"W_rec", n, n});
        break;
    case layer_kind::elman:
        p.push_back({"U", n, n});
        p.push_back({"b", 1, n});
        break;
    default: break;
    }
    return p;
}

matrix initial_parameter(const layer_spec& s, const shape& in, std::size_t k, std::uint32_t seed, std::uint64_t id) {
    const auto p = parameters_of(s, in).at(k);
    if (p.decay) {
        const double tau = p.name == "alpha" ? s.tau_syn_ms : s.tau_mem_ms;
        return matrix::Constant(p.rows, p.cols, std::exp(-s.dt_ms / tau));
    }
    // fan-in: the inputs of a unit (C_in k k for conv2d; the recurrent weights and Elman's
    // U and b: the units, as PyTorch's RNN)
    const int fan = s.kind == layer_kind::conv2d ? in.channels * s.kernel * s.kernel : in.size();
    rng_stream rng(seed, rng_key_word(rng_purpose::learning_init, 0), id);
    matrix m(p.rows, p.cols);
    const bool normal = s.init == weight_init::normal && p.name != "b";
    const double scale = (normal ? s.init_scale : 1.0) / std::sqrt(static_cast<double>(fan));
    for (Eigen::Index i = 0; i < m.rows(); ++i)
        for (Eigen::Index j = 0; j < m.cols(); ++j) m(i, j) = normal ? scale * rng.normal() : scale * (2.0 * rng.uniform() - 1.0);
    return m;
}

namespace {

// Entry t of a signal that may stand for all steps.
const matrix& at(const sequence& x, std::size_t t) { return x.size() == 1 ? x[0] : x[t]; }

// ---------------------------------------------------------------- dense

class dense final : public layer {
public:
    dense(const matrix* W, const matrix* b, bool f32) : W_(*W), b_(b), f32_(f32) {
        dW_ = matrix::Zero(W_.rows(), W_.cols());
        if (b_) db_ = matrix::Zero(1, b_->cols());
    }
    const sequence& forward(const sequence& x, std::size_t, const pass_context&) override {
        x_ = &x;
        y_.resize(x.size());
        if (f32_) Wf_ = W_.cast<float>();
        for (std::size_t t = 0; t < x.size(); ++t) {
            if (f32_) {
                matmul::product(x[t].cast<float>(), false, Wf_, false, f_);
                y_[t] = f_.cast<double>();
            } else {
                y_[t].noalias() = x[t] * W_;
            }
            if (b_) y_[t].rowwise() += b_->row(0);
        }
        return y_;
    }
    sequence backward(const sequence& gy, bool input_gradient) override {
        sequence gx(input_gradient ? gy.size() : 0);
        for (std::size_t t = gy.size(); t-- > 0;) {
            if (f32_) {
                gf_ = gy[t].cast<float>();
                matmul::product((*x_)[t].cast<float>(), true, gf_, false, f_);
                dW_ += f_.cast<double>();
                if (input_gradient) {
                    matmul::product(gf_, false, Wf_, true, f_);
                    gx[t] = f_.cast<double>();
                }
            } else {
                dW_.noalias() += (*x_)[t].transpose() * gy[t];
                if (input_gradient) gx[t].noalias() = gy[t] * W_.transpose();
            }
            if (b_) db_ += gy[t].colwise().sum();
        }
        return gx;
    }
    std::vector<const matrix*> gradients() const override {
        if (b_) return {&dW_, &db_};
        return {&dW_};
    }

private:
    const matrix& W_;
    const matrix* b_;
    bool f32_;
    matrix dW_, db_;
    matmul::fmatrix Wf_, f_, gf_;  // float32 products
    const sequence* x_ = nullptr;
    sequence y_;
};

// ---------------------------------------------------------------- conv2d

// Batch-wide im2col: row (p B + b) holds the C_in k k inputs of output position p of
// sample b, so that one matrix product does the whole batch and every copy moves a
// contiguous column segment of B values (matrices are column-major).
class conv2d final : public layer {
public:
    conv2d(const layer_spec& s, const shape& in, const matrix* W, const matrix* b)
        : in_(in), k_(s.kernel), stride_(stride_of(s)), pad_(s.padding), W_(*W), b_(b), f32_(s.float32_products) {
        std::string problem;
        out_ = output_shape(s, in, problem);
        dW_ = matrix::Zero(W_.rows(), W_.cols());
        if (b_) db_ = matrix::Zero(1, b_->cols());
    }
    const sequence& forward(const sequence& x, std::size_t, const pass_context&) override {
        x_ = &x;
        y_.resize(x.size());
        const Eigen::Index P = out_.height * out_.width;
        if (f32_) Wf_ = W_.cast<float>();
        for (std::size_t t = 0; t < x.size(); ++t) {
            const Eigen::Index B = x[t].rows();
            if (f32_) {
                im2col(x[t], colsf_);
                matmul::product(colsf_, false, Wf_, true, zf_);  // (P B) x C_out
            } else {
                im2col(x[t], cols_);
                z_.noalias() = cols_ * W_.transpose();
            }
            matrix& y = y_[t];
            y.resize(B, out_.size());
            for (Eigen::Index c = 0; c < out_.channels; ++c)
                for (Eigen::Index p = 0; p < P; ++p) {
                    auto col = y.col(c * P + p);
                    if (f32_)
                        col = zf_.col(c).segment(p * B, B).cast<double>();
                    else
                        col = z_.col(c).segment(p * B, B);
                    if (b_) col.array() += (*b_)(0, c);
                }
        }
        return y_;
    }
    sequence backward(const sequence& gy, bool input_gradient) override {
        sequence gx(input_gradient ? gy.size() : 0);
        for (std::size_t t = gy.size(); t-- > 0;) {
            if (f32_)
                backward_step(gy[t], (*x_)[t], input_gradient ? &gx[t] : nullptr, zf_, colsf_, Wf_);
            else
                backward_step(gy[t], (*x_)[t], input_gradient ? &gx[t] : nullptr, z_, cols_, W_);
        }
        return gx;
    }
    std::vector<const matrix*> gradients() const override {
        if (b_) return {&dW_, &db_};
        return {&dW_};
    }

private:
    // One step of backward in double (M = matrix) or with float32 products.
    template <class M>
    void backward_step(const matrix& gy, const matrix& x, matrix* gx, M& z, M& cols, const M& W) {
        using S = typename M::Scalar;
        const Eigen::Index B = gy.rows(), P = out_.height * out_.width;
        z.resize(P * B, out_.channels);  // dL/dz
        for (Eigen::Index c = 0; c < out_.channels; ++c)
            for (Eigen::Index p = 0; p < P; ++p) z.col(c).segment(p * B, B) = gy.col(c * P + p).template cast<S>();
        im2col(x, cols);
        if constexpr (std::is_same_v<S, double>) {
            dW_.noalias() += z.transpose() * cols;
            if (b_) db_ += z.colwise().sum();
            if (gx) cols.noalias() = z * W;  // dL/dcols
        } else {
            matmul::product(z, true, cols, false, dWf_);
            dW_ += dWf_.template cast<double>();
            if (b_)
                for (Eigen::Index c = 0; c < out_.channels; ++c) db_(0, c) += gy.middleCols(c * P, P).sum();
            if (gx) matmul::product(z, false, W, false, cols);
        }
        if (gx) col2im(cols, B, *gx);
    }
    // For each (output position p, kernel entry k = (c, ky, kx)): the input's column, or -1
    // for padding.
    template <class F>
    void each(F&& f) const {
        for (int oy = 0; oy < out_.height; ++oy)
            for (int ox = 0; ox < out_.width; ++ox) {
                const int p = oy * out_.width + ox;
                int k = 0;
                for (int c = 0; c < in_.channels; ++c)
                    for (int ky = 0; ky < k_; ++ky)
                        for (int kx = 0; kx < k_; ++kx, ++k) {
                            const int iy = oy * stride_ + ky - pad_, ix = ox * stride_ + kx - pad_;
                            const Eigen::Index col = iy >= 0 && iy < in_.height && ix >= 0 && ix < in_.width
                                                         ? (c * in_.height + iy) * in_.width + ix
                                                         : -1;
                            f(p, k, col);
                        }
            }
    }
    template <class M>
    void im2col(const matrix& x, M& cols) const {
        const Eigen::Index B = x.rows(), P = out_.height * out_.width;
        cols.resize(P * B, W_.cols());
        each([&](int p, int k, Eigen::Index col) {
            auto to = cols.col(k).segment(p * B, B);
            if (col >= 0)
                to = x.col(col).template cast<typename M::Scalar>();
            else
                to.setZero();
        });
    }
    template <class M>
    void col2im(const M& dcols, Eigen::Index B, matrix& gx) const {
        gx = matrix::Zero(B, in_.size());
        each([&](int p, int k, Eigen::Index col) {
            if (col >= 0) gx.col(col) += dcols.col(k).segment(p * B, B).template cast<double>();
        });
    }

    shape in_, out_;
    int k_, stride_, pad_;
    const matrix& W_;
    const matrix* b_;
    bool f32_;
    matrix dW_, db_, cols_, z_;
    matmul::fmatrix Wf_, colsf_, zf_, dWf_;  // float32 products
    const sequence* x_ = nullptr;
    sequence y_;
};

// ---------------------------------------------------------------- pooling

class pool final : public layer {
public:
    pool(const layer_spec& s, const shape& in) : in_(in), k_(s.kernel), stride_(stride_of(s)) {
        std::string problem;
        out_ = output_shape(s, in, problem);
        scale_ = s.kind == layer_kind::avg_pool ? 1.0 / (k_ * k_) : 1.0;
    }
    const sequence& forward(const sequence& x, std::size_t, const pass_context&) override {
        y_.resize(x.size());
        for (std::size_t t = 0; t < x.size(); ++t) {
            y_[t] = matrix::Zero(x[t].rows(), out_.size());
            each([&](Eigen::Index o, Eigen::Index i) { y_[t].col(o) += x[t].col(i); });
            if (scale_ != 1.0) y_[t] *= scale_;
        }
        return y_;
    }
    sequence backward(const sequence& gy, bool input_gradient) override {
        sequence gx(input_gradient ? gy.size() : 0);
        for (std::size_t t = 0; t < gx.size(); ++t) {
            gx[t] = matrix::Zero(gy[t].rows(), in_.size());
            each([&](Eigen::Index o, Eigen::Index i) { gx[t].col(i) += scale_ * gy[t].col(o); });
        }
        return gx;
    }

private:
    template <class F>
    void each(F&& f) const {
        for (int c = 0; c < out_.channels; ++c)
            for (int oy = 0; oy < out_.height; ++oy)
                for (int ox = 0; ox < out_.width; ++ox) {
                    const Eigen::Index o = (c * out_.height + oy) * out_.width + ox;
                    for (int ky = 0; ky < k_; ++ky)
                        for (int kx = 0; kx < k_; ++kx)
                            f(o, (c * in_.height + oy * stride_ + ky) * in_.width + ox * stride_ + kx);
                }
    }
    shape in_, out_;
    int k_, stride_;
    double scale_;
    sequence y_;
};

// ---------------------------------------------------------------- flatten, activation, reduce, dropout

class flatten final : public layer {
public:
    const sequence& forward(const sequence& x, std::size_t, const pass_context&) override {
        y_ = x;
        return y_;
    }
    sequence backward(const sequence& gy, bool input_gradient) override { return input_gradient ? gy : sequence(); }

private:
    sequence y_;
};

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

class activation_layer final : public layer {
public:
    explicit activation_layer(activation f) : f_(f) {}
    const sequence& forward(const sequence& x, std::size_t, const pass_context&) override {
        y_ = x;
        for (matrix& y : y_) apply(f_, y);
        return y_;
    }
    sequence backward(const sequence& gy, bool input_gradient) override {
        sequence gx(input_gradient ? gy.size() : 0);
        for (std::size_t t = 0; t < gx.size(); ++t) gx[t] = times_derivative(f_, y_[t], gy[t]);
        return gx;
    }

private:
    activation f_;
    sequence y_;
};

// Over time: the logits of a readout. Mean sums the steps in order and divides; max keeps
// the first maximal step per entry.
class reducer {
public:
    explicit reducer(readout_kind k) : kind_(k) {}
    const matrix& forward(const sequence& V) {
        const auto T = V.size();
        const Eigen::Index B = T ? V[0].rows() : 0, K = T ? V[0].cols() : 0;
        out_ = matrix::Zero(B, K);
        T_ = T;
        if (T == 0) return out_;
        switch (kind_) {
        case readout_kind::mean:
            for (std::size_t t = 0; t < T; ++t) out_ += V[t];
            out_ /= static_cast<double>(T);
            break;
        case readout_kind::last: out_ = V[T - 1]; break;
        case readout_kind::max:
            argmax_.assign(static_cast<std::size_t>(B * K), 0);
            for (Eigen::Index b = 0; b < B; ++b)
                for (Eigen::Index k = 0; k < K; ++k) {
                    std::size_t best = 0;
                    for (std::size_t t = 1; t < T; ++t)
                        if (V[t](b, k) > V[best](b, k)) best = t;
                    argmax_[static_cast<std::size_t>(b * K + k)] = best;
                    out_(b, k) = V[best](b, k);
                }
            break;
        }
        return out_;
    }
    // dL/dV[t] from dL/dout.
    matrix at(const matrix& g, std::size_t t) const {
        switch (kind_) {
        case readout_kind::mean: return g / static_cast<double>(T_);
        case readout_kind::last: return t + 1 == T_ ? g : matrix::Zero(g.rows(), g.cols());
        case readout_kind::max: {
            matrix d = matrix::Zero(g.rows(), g.cols());
            for (Eigen::Index b = 0; b < g.rows(); ++b)
                for (Eigen::Index k = 0; k < g.cols(); ++k)
                    if (argmax_[static_cast<std::size_t>(b * g.cols() + k)] == t) d(b, k) = g(b, k);
            return d;
        }
        }
        return g;
    }

private:
    readout_kind kind_;
    std::size_t T_ = 0;
    matrix out_;
    std::vector<std::size_t> argmax_;
};

class reduce final : public layer {
public:
    explicit reduce(readout_kind k) : r_(k) {}
    const sequence& forward(const sequence& x, std::size_t T, const pass_context&) override {
        y_.assign(1, x.size() == 1 ? x[0] : r_.forward(x));
        constant_ = x.size() == 1;
        T_ = T;
        return y_;
    }
    sequence backward(const sequence& gy, bool input_gradient) override {
        if (!input_gradient) return {};
        if (constant_) return gy;
        sequence gx(T_);
        for (std::size_t t = 0; t < T_; ++t) gx[t] = r_.at(gy[0], t);
        return gx;
    }

private:
    reducer r_;
    bool constant_ = false;
    std::size_t T_ = 0;
    sequence y_;
};

class dropout final : public layer {
public:
    explicit dropout(double p) : p_(p) {}
    // A static input keeps one mask (as nn.Dropout on an ANN's features); one that changes
    // over time gets one per step.
    const sequence& forward(const sequence& x, std::size_t, const pass_context& c) override {
        training_ = c.training && p_ > 0.0;
        if (!training_) {
            y_ = x;
            return y_;
        }
        const std::size_t T = x.size();
        const Eigen::Index B = x[0].rows(), N = x[0].cols();
        mask_.assign(T, matrix::Zero(B, N));
        const double keep = 1.0 / (1.0 - p_);
        for (Eigen::Index b = 0; b < B; ++b) {
            const std::uint64_t id = c.samples ? (*c.samples)[static_cast<std::size_t>(b)] : static_cast<std::uint64_t>(b);
            rng_stream rng(c.seed, rng_key_word(rng_purpose::learning_dropout, c.epoch), id, c.layer << 40);
            for (std::size_t t = 0; t < T; ++t)
                for (Eigen::Index j = 0; j < N; ++j)
                    if (rng.uniform() >= p_) mask_[t](b, j) = keep;
        }
        y_.resize(T);
        for (std::size_t t = 0; t < T; ++t) y_[t] = x[t].cwiseProduct(mask_[t]);
        return y_;
    }
    sequence backward(const sequence& gy, bool input_gradient) override {
        if (!input_gradient) return {};
        if (!training_) return gy;
        sequence gx(gy.size());
        for (std::size_t t = 0; t < gy.size(); ++t) gx[t] = gy[t].cwiseProduct(mask_[t]);
        return gx;
    }

private:
    double p_;
    bool training_ = false;
    sequence y_, mask_;
};

// ---------------------------------------------------------------- neurons

// A decay of one value per layer or per neuron: d * m.
struct decay {
    const matrix* d = nullptr;
    bool per_neuron() const { return d->cols() > 1; }
    // f(d * m) with d * m as an expression (no temporary matrix).
    template <class F>
    void times(const matrix& m, F&& f) const {
        if (per_neuron())
            f((m.array().rowwise() * d->row(0).array()).matrix());
        else
            f((*d)(0, 0) * m);
    }
    // Adds dL/dd for the term d * prev with dL/d(term) = g.
    static void accumulate(matrix& grad, const matrix& g, const matrix& prev) {
        if (grad.cols() == 1)
            grad(0, 0) += g.cwiseProduct(prev).sum();
        else
            grad += g.cwiseProduct(prev).colwise().sum();
    }
};

// dL/dx of a layer with state: per step, or, for a static input, summed over the steps
// (in descending t, the order in which the layer below then forms its dW once).
class input_grad {
public:
    input_grad(bool wanted, bool constant, std::size_t T, Eigen::Index B, Eigen::Index N)
        : wanted_(wanted), constant_(constant) {
        if (!wanted) return;
        g_.resize(constant ? 1 : T);
        if (constant) g_[0] = matrix::Zero(B, N);
    }
    void add(std::size_t t, const matrix& d) {
        if (!wanted_) return;
        if (constant_)
            g_[0] += d;
        else
            g_[t] = d;
    }
    sequence take() { return std::move(g_); }

private:
    bool wanted_, constant_;
    sequence g_;
};

// lif and alif (adapt = true).
class spiking final : public layer {
public:
    spiking(const layer_spec& s, std::vector<const matrix*> p)
        : s_(s), alpha_{p[0]}, beta_{p[1]}, W_rec_(s.recurrent ? p[2] : nullptr),
          learn_(s.learn_decays != decay_learning::none), adapt_(s.kind == layer_kind::alif),
          rho_(std::exp(-s.dt_ms / s.tau_adapt_ms)) {
        d_alpha_ = matrix::Zero(1, p[0]->cols());
        d_beta_ = matrix::Zero(1, p[1]->cols());
        if (W_rec_) dW_rec_ = matrix::Zero(W_rec_->rows(), W_rec_->cols());
    }

    const sequence& forward(const sequence& x, std::size_t T, const pass_context&) override {
        const Eigen::Index B = x[0].rows(), N = x[0].cols();
        constant_ = x.size() == 1;
        const bool keep_U = s_.reset == reset_kind::zero && !s_.detach_reset;
        I_.resize(T);
        U_.resize(keep_U ? T : 0);
        V_.resize(T);
        S_.resize(T);
        if (adapt_) A_.resize(T);
        const matrix zero = matrix::Zero(B, N);
        matrix I = zero, a = zero;
        const bool refractory = s_.refractory_steps > 0;
        matrix left = zero;  // refractory steps left
        Q_.resize(refractory ? T : 0);
        for (std::size_t t = 0; t < T; ++t) {
            const matrix& V_prev = t ? V_[t - 1] : zero;
            const matrix& S_prev = t ? S_[t - 1] : zero;
            alpha_.times(I, [&](const auto& aI) { I = aI + at(x, t); });
            if (W_rec_) I.noalias() += S_prev * *W_rec_;
            if (learn_) I_[t] = I;
            // U = beta V[t-1] + I; V = U - theta S[t-1] or U (1 - S[t-1]). U is kept only
            // where backward needs it (reset to zero, not detached).
            beta_.times(V_prev, [&](const auto& bV) {
                if (keep_U)
                    U_[t].noalias() = bV + I;
                if (s_.reset == reset_kind::subtract)
                    V_[t].noalias() = (bV + I) - s_.theta * S_prev;
                else
                    V_[t].noalias() = (bV + I).cwiseProduct((1.0 - S_prev.array()).matrix());
            });
            if (adapt_) {
                a = rho_ * a + S_prev;
                A_[t] = a;
                S_[t] = ((V_[t].array() - s_.theta - s_.adapt * a.array()) > 0.0).cast<double>().matrix();
            } else {
                S_[t] = ((V_[t].array() - s_.theta) > 0.0).cast<double>().matrix();
            }
            if (refractory) {
                Q_[t] = (left.array() > 0.0).cast<double>().matrix();
                left = (left.array() - 1.0).max(0.0).matrix();
                S_[t] = S_[t].cwiseProduct((1.0 - Q_[t].array()).matrix());
                left = (S_[t].array() > 0.0).select(static_cast<double>(s_.refractory_steps), left);
            }
        }
        counts_.assign(static_cast<std::size_t>(N), 0.0);
        for (const matrix& s : S_) {
            const Eigen::RowVectorXd per = s.colwise().sum();
            for (Eigen::Index j = 0; j < N; ++j) counts_[static_cast<std::size_t>(j)] += per(j);
        }
        return S_;
    }

    sequence backward(const sequence& gy, bool input_gradient) override {
        const auto T = S_.size();
        const Eigen::Index B = T ? S_[0].rows() : 0, N = T ? S_[0].cols() : 0;
        const bool zero = s_.reset == reset_kind::zero;
        input_grad gx(input_gradient, constant_, T, B, N);
        // dU_next: dL/dU[t+1]; dV_next: dL/dV[t+1]; dI_next: dL/dI[t+1]; da_next: dL/da[t+1].
        // Scratch matrices are members, so that their memory is reused step after step.
        dU_next_.setZero(B, N);
        dV_next_.setZero(B, N);
        dI_next_.setZero(B, N);
        da_next_.setZero(B, N);
        for (std::size_t t = T; t-- > 0;) {
            // dL/dS[t]: from above, through the recurrent weights into I[t+1], the
            // adaptation a[t+1] and, if not detached, the reset of V[t+1].
            matrix& dS = dS_;
            dS = gy[t];
            if (!extra_.empty())
                for (Eigen::Index j = 0; j < N; ++j) dS.col(j).array() += extra_[static_cast<std::size_t>(j)];
            if (W_rec_) dS.noalias() += dI_next_ * W_rec_->transpose();
            if (!s_.detach_reset && t + 1 < T) {
                if (zero)
                    dS -= dV_next_.cwiseProduct(U_[t + 1]);
                else
                    dS -= s_.theta * dV_next_;
            }
            if (adapt_ && t + 1 < T) dS += da_next_;
            if (adapt_)
                sg_ = s_.spike_grad.of(V_[t].array() - s_.theta - s_.adapt * A_[t].array());
            else
                sg_ = s_.spike_grad.of(V_[t].array() - s_.theta);
            if (!Q_.empty()) sg_ = sg_.cwiseProduct((1.0 - Q_[t].array()).matrix());
            dSsg_ = dS.cwiseProduct(sg_);
            beta_.times(dU_next_, [&](const auto& b) { dV_next_ = dSsg_ + b; });  // now dL/dV[t]
            if (adapt_) da_next_ = rho_ * da_next_ - s_.adapt * dSsg_;  // dL/da[t]
            if (zero && t > 0)
                dU_next_ = dV_next_.cwiseProduct((1.0 - S_[t - 1].array()).matrix());  // dL/dU[t]
            else
                dU_next_ = dV_next_;
            alpha_.times(dI_next_, [&](const auto& a) { dI_next_ = dU_next_ + a; });  // dL/dI[t]
            if (learn_ && t > 0) {
                decay::accumulate(d_beta_, dU_next_, V_[t - 1]);
                decay::accumulate(d_alpha_, dI_next_, I_[t - 1]);
            }
            gx.add(t, dI_next_);
            if (W_rec_ && t > 0) dW_rec_.noalias() += S_[t - 1].transpose() * dI_next_;
        }
        return gx.take();
    }
    std::vector<const matrix*> gradients() const override {
        if (W_rec_) return {&d_alpha_, &d_beta_, &dW_rec_};
        return {&d_alpha_, &d_beta_};
    }
    const std::vector<double>* spike_counts() const override { return &counts_; }
    const sequence* potential() const override { return &V_; }
    void add_spike_gradient(std::vector<double> extra) override { extra_ = std::move(extra); }

private:
    layer_spec s_;
    decay alpha_, beta_;
    const matrix* W_rec_;
    bool learn_, adapt_;
    double rho_;
    bool constant_ = false;
    matrix d_alpha_, d_beta_, dW_rec_;
    sequence I_, U_, V_, S_, Q_, A_;  // Q_: refractory (spike blocked); A_: adaptation a[t]
    matrix dS_, sg_, dSsg_, dU_next_, dV_next_, dI_next_, da_next_;  // backward's scratch
    std::vector<double> counts_, extra_;
};

class li_readout final : public layer {
public:
    li_readout(const layer_spec& s, std::vector<const matrix*> p)
        : alpha_{p[0]}, beta_{p[1]}, learn_(s.learn_decays != decay_learning::none), r_(s.reduce) {
        d_alpha_ = matrix::Zero(1, p[0]->cols());
        d_beta_ = matrix::Zero(1, p[1]->cols());
    }
    const sequence& forward(const sequence& x, std::size_t T, const pass_context&) override {
        const Eigen::Index B = x[0].rows(), K = x[0].cols();
        constant_ = x.size() == 1;
        V_.assign(T, matrix());
        I_.assign(T, matrix());
        matrix I = matrix::Zero(B, K), V = matrix::Zero(B, K);
        for (std::size_t t = 0; t < T; ++t) {
            alpha_.times(I, [&](const auto& aI) { I = aI + at(x, t); });
            beta_.times(V, [&](const auto& bV) { V = bV + I; });
            if (learn_) I_[t] = I;
            V_[t] = V;
        }
        y_.assign(1, r_.forward(V_));
        return y_;
    }
    sequence backward(const sequence& gy, bool input_gradient) override {
        const auto T = V_.size();
        const Eigen::Index B = gy[0].rows(), K = gy[0].cols();
        input_grad gx(input_gradient, constant_, T, B, K);
        matrix dV_next = matrix::Zero(B, K), dI_next = matrix::Zero(B, K);
        for (std::size_t t = T; t-- > 0;) {
            matrix dV, dI;
            beta_.times(dV_next, [&](const auto& b) { dV = r_.at(gy[0], t) + b; });
            alpha_.times(dI_next, [&](const auto& a) { dI = dV + a; });
            if (learn_ && t > 0) {
                decay::accumulate(d_beta_, dV, V_[t - 1]);
                decay::accumulate(d_alpha_, dI, I_[t - 1]);
            }
            gx.add(t, dI);
            dV_next = dV;
            dI_next = dI;
        }
        return gx.take();
    }
    std::vector<const matrix*> gradients() const override { return {&d_alpha_, &d_beta_}; }
    const sequence* potential() const override { return &V_; }

private:
    decay alpha_, beta_;
    bool learn_;
    reducer r_;
    bool constant_ = false;
    matrix d_alpha_, d_beta_;
    sequence I_, V_, y_;
};

class elman final : public layer {
public:
    elman(activation f, const matrix* U, const matrix* b) : f_(f), U_(*U), b_(*b) {
        dU_ = matrix::Zero(U_.rows(), U_.cols());
        db_ = matrix::Zero(1, b_.cols());
    }
    const sequence& forward(const sequence& x, std::size_t T, const pass_context&) override {
        const Eigen::Index B = x[0].rows(), N = U_.cols();
        constant_ = x.size() == 1;
        h_.resize(T);
        matrix h = matrix::Zero(B, N);
        for (std::size_t t = 0; t < T; ++t) {
            matrix z = at(x, t);
            z.noalias() += h * U_;
            z.rowwise() += b_.row(0);
            apply(f_, z);
            h = z;
            h_[t] = h;
        }
        return h_;
    }
    sequence backward(const sequence& gy, bool input_gradient) override {
        const auto T = h_.size();
        const Eigen::Index B = T ? h_[0].rows() : 0, N = U_.cols();
        input_grad gx(input_gradient, constant_, T, B, N);
        matrix dz_next = matrix::Zero(B, N);
        for (std::size_t t = T; t-- > 0;) {
            matrix dh = gy[t];
            dh.noalias() += dz_next * U_.transpose();
            const matrix dz = times_derivative(f_, h_[t], dh);
            gx.add(t, dz);
            if (t > 0) dU_.noalias() += h_[t - 1].transpose() * dz;
            db_ += dz.colwise().sum();
            dz_next = dz;
        }
        return gx.take();
    }
    std::vector<const matrix*> gradients() const override { return {&dU_, &db_}; }

private:
    activation f_;
    const matrix &U_, &b_;
    matrix dU_, db_;
    bool constant_ = false;
    sequence h_;
};

}  // namespace

std::unique_ptr<layer> make_layer(const layer_spec& s, const shape& in, std::vector<const matrix*> p) {
    if (p.size() != parameters_of(s, in).size()) throw std::invalid_argument("make_layer: wrong number of parameters");
    switch (s.kind) {
    case layer_kind::dense: return std::make_unique<dense>(p[0], s.bias ? p[1] : nullptr, s.float32_products);
    case layer_kind::conv2d: return std::make_unique<conv2d>(s, in, p[0], s.bias ? p[1] : nullptr);
    case layer_kind::avg_pool:
    case layer_kind::sum_pool: return std::make_unique<pool>(s, in);
    case layer_kind::flatten: return std::make_unique<flatten>();
    case layer_kind::activation: return std::make_unique<activation_layer>(s.f);
    case layer_kind::dropout: return std::make_unique<dropout>(s.p);
    case layer_kind::reduce: return std::make_unique<reduce>(s.reduce);
    case layer_kind::lif:
    case layer_kind::alif: return std::make_unique<spiking>(s, std::move(p));
    case layer_kind::li_readout: return std::make_unique<li_readout>(s, std::move(p));
    case layer_kind::elman: return std::make_unique<elman>(s.f, p[0], p[1]);
    }
    throw std::invalid_argument("make_layer: unknown kind");
}

}  // namespace myelin::learning
