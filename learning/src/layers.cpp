#include <myelin/learning/layers.hpp>

#include "matmul.hpp"

#include <myelin/core/clones.hpp>
#include <myelin/core/rng.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <numbers>
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

// Hot loops over whole layers (neuron sweeps, pooling, im2col, col2im) are free functions
// built also for AVX2 and AVX-512 (myelin/core/clones.hpp): the same bits on every CPU.

// Keeps step t's copy of x (resized to T entries at begin).
template <class M>
void keep(std::vector<M>& history, std::size_t t, const matrix& x) {
    history[t] = x.template cast<typename M::Scalar>();
}

// ---------------------------------------------------------------- dense

// The nonzero entries of a batch x features matrix, row by row in ascending column:
// what an event-driven layer keeps of a step's input. Spikes (all entries 1) keep only
// their columns, 4 bytes a spike in place of 8 bytes a feature.
struct sparse_rows {
    std::vector<Eigen::Index> start;  // row b's entries: [start[b], start[b + 1])
    std::vector<std::int32_t> column;
    std::vector<double> value;        // empty if every entry is 1
    void assign(const matrix& x) {
        const Eigen::Index B = x.rows(), N = x.cols();
        start.assign(static_cast<std::size_t>(B) + 1, 0);
        column.clear();
        value.clear();
        bool ones = true;
        for (Eigen::Index b = 0; b < B; ++b) {
            for (Eigen::Index j = 0; j < N; ++j) {
                const double v = x(b, j);
                if (v == 0.0) continue;
                column.push_back(static_cast<std::int32_t>(j));
                value.push_back(v);
                ones = ones && v == 1.0;
            }
            start[static_cast<std::size_t>(b) + 1] = static_cast<Eigen::Index>(column.size());
        }
        if (ones) value.clear();
    }
    double at(std::size_t e) const { return value.empty() ? 1.0 : value[e]; }
};

// y = x W (+ b). Event-driven (layer_spec::event_driven): each sample's row of y adds the
// rows of W its nonzero inputs pick (times the input; a spike's 1 adds the row as it is),
// in ascending input index, and backward adds each nonzero input's share to dW the same
// way; a sum of the same terms as the matrix product's, in another order.
class dense final : public layer {
public:
    dense(const matrix* W, const matrix* b, bool f32, bool event) : W_(*W), b_(b), f32_(f32 && !event), event_(event) {
        dW_ = matrix::Zero(W_.rows(), W_.cols());
        if (b_) db_ = matrix::Zero(1, b_->cols());
    }
    void begin(std::size_t T, Eigen::Index, bool, const pass_context& c) override {
        keep_ = c.backward;
        if (event_) {
            Wt_ = W_.transpose();  // row j of W as a contiguous column
            events_.resize(keep_ ? T : 1);
        } else if (f32_) {
            Wf_ = W_.cast<float>();
            xf_.resize(keep_ ? T : 1);
        } else {
            x_.resize(keep_ ? T : 0);
        }
    }
    const matrix& forward(const matrix& x, std::size_t t) override {
        if (event_) {
            sparse_rows& e = events_[keep_ ? t : 0];
            e.assign(x);
            const Eigen::Index B = x.rows(), U = W_.cols();
            y_.resize(B, U);
            acc_.resize(U);
            for (Eigen::Index b = 0; b < B; ++b) {
                acc_.setZero();
                for (auto k = e.start[static_cast<std::size_t>(b)]; k < e.start[static_cast<std::size_t>(b) + 1]; ++k) {
                    const auto i = static_cast<std::size_t>(k);
                    if (e.value.empty())
                        acc_ += Wt_.col(e.column[i]);
                    else
                        acc_ += e.value[i] * Wt_.col(e.column[i]);
                }
                y_.row(b) = acc_.transpose();
            }
        } else if (f32_) {
            matmul::fmatrix& xf = xf_[keep_ ? t : 0];
            xf = x.cast<float>();
            matmul::product(xf, false, Wf_, false, f_);
            y_ = f_.cast<double>();
        } else {
            if (keep_) keep(x_, t, x);
            y_.noalias() = x * W_;
        }
        if (b_) y_.rowwise() += b_->row(0);
        return y_;
    }
    const matrix* backward(const matrix& gy, std::size_t t, bool input_gradient) override {
        if (event_) {
            if (t + 1 == events_.size()) dWt_.setZero(W_.cols(), W_.rows());
            const sparse_rows& e = events_[t];
            for (Eigen::Index b = 0; b < gy.rows(); ++b)
                for (auto k = e.start[static_cast<std::size_t>(b)]; k < e.start[static_cast<std::size_t>(b) + 1]; ++k) {
                    const auto i = static_cast<std::size_t>(k);
                    if (e.value.empty())
                        dWt_.col(e.column[i]) += gy.row(b).transpose();
                    else
                        dWt_.col(e.column[i]) += e.value[i] * gy.row(b).transpose();
                }
            if (t == 0) dW_ += dWt_.transpose();
            if (input_gradient) gx_.noalias() = gy * W_.transpose();
        } else if (f32_) {
            gf_ = gy.cast<float>();
            matmul::product(xf_[t], true, gf_, false, f_);
            dW_ += f_.cast<double>();
            if (input_gradient) {
                matmul::product(gf_, false, Wf_, true, f_);
                gx_ = f_.cast<double>();
            }
        } else {
            dW_.noalias() += x_[t].transpose() * gy;
            if (input_gradient) gx_.noalias() = gy * W_.transpose();
        }
        if (b_) db_ += gy.colwise().sum();
        return input_gradient ? &gx_ : nullptr;
    }
    std::vector<const matrix*> gradients() const override {
        if (b_) return {&dW_, &db_};
        return {&dW_};
    }

private:
    const matrix& W_;
    const matrix* b_;
    bool f32_, event_, keep_ = true;
    matrix dW_, db_, y_, gx_;
    sequence x_;                       // inputs kept for backward (float64 products)
    std::vector<matmul::fmatrix> xf_;  // the same in float (float32 products)
    matmul::fmatrix Wf_, f_, gf_;
    std::vector<sparse_rows> events_;  // event-driven: the inputs' nonzero entries
    matrix Wt_, dWt_;                  // W and dW transposed (event-driven)
    Eigen::VectorXd acc_;
};

// ---------------------------------------------------------------- conv2d

// A convolution's sizes, for the loops outside its class.
struct geometry {
    int channels, height, width;  // input
    int out_height, out_width, kernel, stride, pad;
};

// The output columns ox in [from, to) whose input column ox stride + kx - pad lies inside
// the image.
inline void inside(const geometry& g, int kx, int& from, int& to) {
    from = 0;
    while (from < g.out_width && from * g.stride + kx - g.pad < 0) ++from;
    to = g.out_width;
    while (to > from && (to - 1) * g.stride + kx - g.pad >= g.width) --to;
}

// cols ((P B) x (C_in k k)) from x (B x C_in H W): for each kernel entry (c, ky, kx) and
// output row oy, the inputs of the output positions along the row, B values per position
// (with stride 1 one contiguous run of the input row), 0 outside the image.
template <class S>
MYELIN_X86_CLONES_512 void im2col_sweep(geometry g, Eigen::Index B, const S* __restrict x, S* __restrict cols) {
    const Eigen::Index P = static_cast<Eigen::Index>(g.out_height) * g.out_width, OWB = g.out_width * B;
    Eigen::Index k = 0;
    for (int c = 0; c < g.channels; ++c)
        for (int ky = 0; ky < g.kernel; ++ky)
            for (int kx = 0; kx < g.kernel; ++kx, ++k) {
                int ox0 = 0, ox1 = 0;
                inside(g, kx, ox0, ox1);
                for (int oy = 0; oy < g.out_height; ++oy) {
                    S* __restrict to = cols + k * P * B + static_cast<Eigen::Index>(oy) * OWB;
                    const int iy = oy * g.stride + ky - g.pad;
                    if (iy < 0 || iy >= g.height) {
                        for (Eigen::Index i = 0; i < OWB; ++i) to[i] = S(0);
                        continue;
                    }
                    for (Eigen::Index i = 0; i < ox0 * B; ++i) to[i] = S(0);
                    for (Eigen::Index i = ox1 * B; i < OWB; ++i) to[i] = S(0);
                    const S* __restrict row = x + (static_cast<Eigen::Index>(c) * g.height + iy) * g.width * B;
                    if (g.stride == 1) {
                        const Eigen::Index shift = static_cast<Eigen::Index>(kx - g.pad) * B;  // input - output
                        for (Eigen::Index i = ox0 * B; i < ox1 * B; ++i) to[i] = row[i + shift];
                        continue;
                    }
                    for (int ox = ox0; ox < ox1; ++ox) {
                        const S* __restrict from = row + static_cast<Eigen::Index>(ox * g.stride + kx - g.pad) * B;
                        for (Eigen::Index b = 0; b < B; ++b) to[static_cast<Eigen::Index>(ox) * B + b] = from[b];
                    }
                }
            }
}

// gx (B x C_in H W, zeroed) += dL/dx from dL/dcols ((P B) x (C_in k k), conv2d's layout).
// Each input column adds its terms in the order of the output positions p (as dL/dx =
// sum over p): for one channel, kernel entries in descending order meet the positions of
// an input column in ascending order.
template <class S>
MYELIN_X86_CLONES_512 void col2im_sweep(geometry g, Eigen::Index B, const S* __restrict dcols, double* __restrict gx) {
    const Eigen::Index P = static_cast<Eigen::Index>(g.out_height) * g.out_width;
    for (int c = 0; c < g.channels; ++c)
        for (int ky = g.kernel - 1; ky >= 0; --ky)
            for (int kx = g.kernel - 1; kx >= 0; --kx) {
                const Eigen::Index k = (static_cast<Eigen::Index>(c) * g.kernel + ky) * g.kernel + kx;
                int ox0 = 0, ox1 = 0;
                inside(g, kx, ox0, ox1);
                for (int oy = 0; oy < g.out_height; ++oy) {
                    const int iy = oy * g.stride + ky - g.pad;
                    if (iy < 0 || iy >= g.height) continue;
                    const S* __restrict from = dcols + k * P * B + static_cast<Eigen::Index>(oy) * g.out_width * B;
                    double* __restrict row = gx + (static_cast<Eigen::Index>(c) * g.height + iy) * g.width * B;
                    for (int ox = ox0; ox < ox1; ++ox) {
                        double* __restrict to = row + static_cast<Eigen::Index>(ox * g.stride + kx - g.pad) * B;
                        const S* __restrict f = from + static_cast<Eigen::Index>(ox) * B;
                        for (Eigen::Index b = 0; b < B; ++b) to[b] += static_cast<double>(f[b]);
                    }
                }
            }
}

// Batch-wide im2col: row (p B + b) holds the C_in k k inputs of output position p of
// sample b, so that one matrix product does the whole batch and every copy moves a
// contiguous column segment of B values (matrices are column-major). The product's
// result, (P B) x C_out, has the memory layout of the output B x (C_out P), so the output
// is a copy (or cast) of it in one sweep. Inputs are kept for backward in the products'
// precision (im2col again there costs less than keeping its k^2 times larger result).
class conv2d final : public layer {
public:
    conv2d(const layer_spec& s, const shape& in, const matrix* W, const matrix* b)
        : in_(in), k_(s.kernel), stride_(stride_of(s)), pad_(s.padding), W_(*W), b_(b), f32_(s.float32_products) {
        std::string problem;
        out_ = output_shape(s, in, problem);
        dW_ = matrix::Zero(W_.rows(), W_.cols());
        if (b_) db_ = matrix::Zero(1, b_->cols());
    }
    void begin(std::size_t T, Eigen::Index, bool, const pass_context& c) override {
        keep_ = c.backward;
        if (f32_) {
            Wf_ = W_.cast<float>();
            xf_.resize(keep_ ? T : 1);
        } else {
            x_.resize(keep_ ? T : 1);
        }
    }
    const matrix& forward(const matrix& x, std::size_t t) override {
        const std::size_t at = keep_ ? t : 0;
        if (f32_) {
            keep(xf_, at, x);
            im2col(xf_[at], colsf_);
            matmul::product(colsf_, false, Wf_, true, zf_);  // (P B) x C_out
            output(zf_, x.rows());
        } else {
            keep(x_, at, x);
            im2col(x_[at], cols_);
            z_.noalias() = cols_ * W_.transpose();
            output(z_, x.rows());
        }
        return y_;
    }
    const matrix* backward(const matrix& gy, std::size_t t, bool input_gradient) override {
        if (f32_)
            backward_step(gy, xf_[t], input_gradient, zf_, colsf_, Wf_);
        else
            backward_step(gy, x_[t], input_gradient, z_, cols_, W_);
        return input_gradient ? &gx_ : nullptr;
    }
    std::vector<const matrix*> gradients() const override {
        if (b_) return {&dW_, &db_};
        return {&dW_};
    }

private:
    // y (B x C_out P) from the product z ((P B) x C_out, the same layout), plus the bias.
    template <class M>
    void output(const M& z, Eigen::Index B) {
        const Eigen::Index PB = out_.height * out_.width * B;
        y_.resize(B, out_.size());
        for (Eigen::Index c = 0; c < out_.channels; ++c) {
            const typename M::Scalar* from = z.data() + c * PB;
            double* to = y_.data() + c * PB;
            if (b_) {
                const double bias = (*b_)(0, c);
                for (Eigen::Index i = 0; i < PB; ++i) to[i] = static_cast<double>(from[i]) + bias;
            } else {
                for (Eigen::Index i = 0; i < PB; ++i) to[i] = static_cast<double>(from[i]);
            }
        }
    }
    // One step of backward in double (M = matrix) or with float32 products.
    template <class M>
    void backward_step(const matrix& gy, const M& x, bool input_gradient, M& z, M& cols, const M& W) {
        using S = typename M::Scalar;
        const Eigen::Index B = gy.rows(), P = out_.height * out_.width;
        z.resize(P * B, out_.channels);  // dL/dz: gy in the product's layout
        std::copy(gy.data(), gy.data() + gy.size(), z.data());
        im2col(x, cols);
        if constexpr (std::is_same_v<S, double>) {
            dW_.noalias() += z.transpose() * cols;
            if (b_) db_ += z.colwise().sum();
            if (input_gradient) cols.noalias() = z * W;  // dL/dcols
        } else {
            matmul::product(z, true, cols, false, dWf_);
            dW_ += dWf_.template cast<double>();
            if (b_)
                for (Eigen::Index c = 0; c < out_.channels; ++c) db_(0, c) += gy.middleCols(c * P, P).sum();
            if (input_gradient) matmul::product(z, false, W, false, cols);
        }
        if (input_gradient) col2im(cols, B);
    }
    geometry sizes() const { return {in_.channels, in_.height, in_.width, out_.height, out_.width, k_, stride_, pad_}; }
    template <class M>
    void im2col(const M& x, M& cols) const {
        cols.resize(out_.height * out_.width * x.rows(), W_.cols());
        im2col_sweep(sizes(), x.rows(), x.data(), cols.data());
    }
    // dL/dx from dL/dcols (col2im_sweep).
    template <class M>
    void col2im(const M& dcols, Eigen::Index B) {
        gx_.setZero(B, in_.size());
        col2im_sweep(sizes(), B, dcols.data(), gx_.data());
    }

    shape in_, out_;
    int k_, stride_, pad_;
    const matrix& W_;
    const matrix* b_;
    bool f32_, keep_ = true;
    matrix dW_, db_, cols_, z_, y_, gx_;
    sequence x_;                       // inputs (float64 products; entry 0 only without backward)
    std::vector<matmul::fmatrix> xf_;  // the same in float (float32 products)
    matmul::fmatrix Wf_, colsf_, zf_, dWf_;
};

// ---------------------------------------------------------------- pooling

// Output column o (B values) = scale (0 + x[in[o n]] + ... + x[in[o n + n - 1]]), the
// inputs' columns in window order.
MYELIN_X86_CLONES_512 void pool_forward_sweep(Eigen::Index outputs, int n, const std::int32_t* __restrict in,
                                            Eigen::Index B, const double* __restrict x, double* __restrict y,
                                            double scale) {
    for (Eigen::Index o = 0; o < outputs; ++o) {
        double* __restrict to = y + o * B;
        const std::int32_t* window = in + o * n;
        const double* __restrict first = x + window[0] * B;
        for (Eigen::Index b = 0; b < B; ++b) to[b] = 0.0 + first[b];
        for (int i = 1; i < n; ++i) {
            const double* __restrict from = x + window[i] * B;
            for (Eigen::Index b = 0; b < B; ++b) to[b] += from[b];
        }
        if (scale != 1.0)
            for (Eigen::Index b = 0; b < B; ++b) to[b] *= scale;
    }
}

// dL/dx from dL/dy: each window's inputs get scale dL/dy[o], added (windows that overlap
// or leave inputs out; gx zeroed before) or, where the windows tile the input, written
// as 0 + term (the sum's first addition, so the same bits).
MYELIN_X86_CLONES_512 void pool_backward_sweep(Eigen::Index outputs, int n, const std::int32_t* __restrict in,
                                             Eigen::Index B, const double* __restrict gy, double* __restrict gx,
                                             double scale, bool tiles) {
    for (Eigen::Index o = 0; o < outputs; ++o) {
        const double* __restrict from = gy + o * B;
        const std::int32_t* window = in + o * n;
        for (int i = 0; i < n; ++i) {
            double* __restrict to = gx + window[i] * B;
            if (tiles)
                for (Eigen::Index b = 0; b < B; ++b) to[b] = 0.0 + scale * from[b];
            else
                for (Eigen::Index b = 0; b < B; ++b) to[b] += scale * from[b];
        }
    }
}

class pool final : public layer {
public:
    pool(const layer_spec& s, const shape& in) : in_(in), k_(s.kernel), stride_(stride_of(s)) {
        std::string problem;
        out_ = output_shape(s, in, problem);
        scale_ = s.kind == layer_kind::avg_pool ? 1.0 / (k_ * k_) : 1.0;
        for (int c = 0; c < out_.channels; ++c)
            for (int oy = 0; oy < out_.height; ++oy)
                for (int ox = 0; ox < out_.width; ++ox)
                    for (int ky = 0; ky < k_; ++ky)
                        for (int kx = 0; kx < k_; ++kx)
                            window_.push_back((c * in_.height + oy * stride_ + ky) * in_.width + ox * stride_ + kx);
        tiles_ = stride_ == k_ && out_.height * k_ == in_.height && out_.width * k_ == in_.width;
    }
    void begin(std::size_t, Eigen::Index, bool, const pass_context&) override {}
    const matrix& forward(const matrix& x, std::size_t) override {
        y_.resize(x.rows(), out_.size());
        pool_forward_sweep(out_.size(), k_ * k_, window_.data(), x.rows(), x.data(), y_.data(), scale_);
        return y_;
    }
    const matrix* backward(const matrix& gy, std::size_t, bool input_gradient) override {
        if (!input_gradient) return nullptr;
        if (tiles_)
            gx_.resize(gy.rows(), in_.size());
        else
            gx_.setZero(gy.rows(), in_.size());
        pool_backward_sweep(out_.size(), k_ * k_, window_.data(), gy.rows(), gy.data(), gx_.data(), scale_, tiles_);
        return &gx_;
    }

private:
    shape in_, out_;
    int k_, stride_;
    double scale_;
    bool tiles_ = false;
    std::vector<std::int32_t> window_;  // per output column, its k^2 input columns in window order
    matrix y_, gx_;
};

// ---------------------------------------------------------------- flatten, activation, reduce, dropout

class flatten final : public layer {
public:
    void begin(std::size_t, Eigen::Index, bool, const pass_context&) override {}
    const matrix& forward(const matrix& x, std::size_t) override { return x; }
    const matrix* backward(const matrix& gy, std::size_t, bool input_gradient) override {
        return input_gradient ? &gy : nullptr;
    }
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
    void begin(std::size_t T, Eigen::Index, bool, const pass_context& c) override {
        keep_ = c.backward;
        y_.resize(keep_ ? T : 1);
    }
    const matrix& forward(const matrix& x, std::size_t t) override {
        matrix& y = y_[keep_ ? t : 0];
        y = x;
        apply(f_, y);
        return y;
    }
    const matrix* backward(const matrix& gy, std::size_t t, bool input_gradient) override {
        if (!input_gradient) return nullptr;
        gx_ = times_derivative(f_, y_[t], gy);
        return &gx_;
    }

private:
    activation f_;
    bool keep_ = true;
    sequence y_;
    matrix gx_;
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

// On a varying input: the input reduced over the steps; on a constant one: the input.
class reduce final : public layer {
public:
    explicit reduce(readout_kind k) : r_(k) {}
    void begin(std::size_t T, Eigen::Index, bool constant_input, const pass_context&) override {
        x_.resize(T);
        constant_ = constant_input;
    }
    const matrix& forward(const matrix& x, std::size_t t) override {
        x_[t] = x;
        return x_[t];
    }
    bool reduces() const override { return true; }
    const matrix& finish() override { return constant_ ? x_[0] : r_.forward(x_); }
    const matrix* backward(const matrix& gy, std::size_t t, bool input_gradient) override {
        if (!input_gradient) return nullptr;
        if (constant_) return t == 0 ? &gy : nullptr;
        gx_ = r_.at(gy, t);
        return &gx_;
    }

private:
    reducer r_;
    bool constant_ = false;
    sequence x_;
    matrix gx_;
};

class dropout final : public layer {
public:
    explicit dropout(double p, int features) : p_(p), features_(features) {}
    // A static input keeps one mask (as nn.Dropout on an ANN's features); one that changes
    // over time gets one per step. Each sample's masks are drawn from its own stream,
    // step by step.
    void begin(std::size_t T, Eigen::Index B, bool, const pass_context& c) override {
        training_ = c.training && p_ > 0.0;
        if (!training_) return;
        const Eigen::Index N = features_;
        mask_.assign(T, matrix::Zero(B, N));
        const double keep = 1.0 / (1.0 - p_);
        for (Eigen::Index b = 0; b < B; ++b) {
            const std::uint64_t id = c.samples ? (*c.samples)[static_cast<std::size_t>(b)] : static_cast<std::uint64_t>(b);
            rng_stream rng(c.seed, rng_key_word(rng_purpose::learning_dropout, c.epoch), id, c.layer << 40);
            for (std::size_t t = 0; t < T; ++t)
                for (Eigen::Index j = 0; j < N; ++j)
                    if (rng.uniform() >= p_) mask_[t](b, j) = keep;
        }
    }
    const matrix& forward(const matrix& x, std::size_t t) override {
        if (!training_) return x;
        y_ = x.cwiseProduct(mask_[t]);
        return y_;
    }
    const matrix* backward(const matrix& gy, std::size_t t, bool input_gradient) override {
        if (!input_gradient) return nullptr;
        if (!training_) return &gy;
        gx_ = gy.cwiseProduct(mask_[t]);
        return &gx_;
    }

private:
    double p_;
    int features_;
    bool training_ = false;
    sequence mask_;
    matrix y_, gx_;
};

// ---------------------------------------------------------------- neurons

// A decay of one value per layer or per neuron: d * m.
struct decay {
    const matrix* d = nullptr;
    bool per_neuron() const { return d->cols() > 1; }
    double of(Eigen::Index j) const { return per_neuron() ? (*d)(0, j) : (*d)(0, 0); }
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

// dL/dx of a layer with state: per step, or, for a constant input, summed over the steps
// (in descending t, the order in which the layer below then forms its dW once) and
// handed on at step 0.
class input_grad {
public:
    void begin(std::size_t T, bool constant) {
        T_ = T;
        constant_ = constant;
    }
    // Where step t's dL/dx goes element by element (nullptr if not wanted); added to it
    // if accumulates(), else written.
    double* at(std::size_t t, bool wanted, Eigen::Index B, Eigen::Index N) {
        if (!wanted) return nullptr;
        if (!constant_)
            g_.resize(B, N);
        else if (t + 1 == T_)
            g_.setZero(B, N);
        return g_.data();
    }
    void add(std::size_t t, bool wanted, const matrix& d) {
        if (!at(t, wanted, d.rows(), d.cols())) return;
        if (constant_)
            g_ += d;
        else
            g_ = d;
    }
    bool accumulates() const { return constant_; }
    // What backward returns at step t: that step's dL/dx, or the sum at t = 0.
    const matrix* result(std::size_t t, bool wanted) const {
        if (!wanted || (constant_ && t > 0)) return nullptr;
        return &g_;
    }

private:
    bool constant_ = false;
    std::size_t T_ = 0;
    matrix g_;
};

// The sweeps of the most common LIF step (reset by subtraction, no adaptation, nothing
// else kept), as loops over each neuron's B samples with unaliased arrays, which the
// compiler vectorises; the same operations in the same order as spiking's general sweep.

// Decays per layer (step 0) or per neuron (step 1).
struct decays {
    const double* alpha;
    const double* beta;
    Eigen::Index step;
};

// Forward over N neurons of B samples (neuron j: entries [j B, (j + 1) B)); adds each
// neuron's spikes to counts[j]. S[t-1] is not read: here it is V[t-1] > theta (First:
// the step before the first, all 0). T = double, or float for the float32 state (I and
// V in float, the input and the decays rounded to float, the spikes written as double).
template <bool First, class T, class X>
MYELIN_X86_CLONES_512 void lif_forward_plain(Eigen::Index N, Eigen::Index B, const X* __restrict x,
                                           const T* __restrict V_prev, T* __restrict I, T* __restrict V,
                                           double* __restrict S, decays d, double theta_d, double* __restrict counts) {
    const T theta = static_cast<T>(theta_d);
    for (Eigen::Index j = 0; j < N; ++j) {
        const T alpha = static_cast<T>(d.alpha[j * d.step]), beta = static_cast<T>(d.beta[j * d.step]);
        int count = 0;
        for (Eigen::Index k = j * B; k < (j + 1) * B; ++k) {
            const T i = alpha * I[k] + static_cast<T>(x[k]);
            I[k] = i;
            const T v_prev = First ? T(0) : V_prev[k];
            const T s_prev = First ? T(0) : v_prev - theta > T(0) ? T(1) : T(0);
            const T v = (beta * v_prev + i) - theta * s_prev;
            V[k] = v;
            const T s = v - theta > T(0) ? T(1) : T(0);
            S[k] = static_cast<double>(s);
            count += static_cast<int>(s);
        }
        counts[j] += static_cast<double>(count);
    }
}

// Backward (Out: 0 no dL/dx, 1 added to out, 2 written to out). dL/dV equals dL/dU here;
// it is kept apart only where the next step (t - 1) reads it (an undetached reset). T:
// double, or float in the float32 state (dL/dU, dL/dI and their arithmetic in float; the
// surrogate of V - theta in double, as in float64; dL/dx written or added as double).
template <int Out, bool KeepDV, class Surrogate, class T>
MYELIN_X86_CLONES_512 void lif_backward_plain(Eigen::Index N, Eigen::Index B, const double* __restrict dS,
                                            const T* __restrict V, T* __restrict dU, T* __restrict dV,
                                            T* __restrict dI, double* __restrict out, decays d, double theta,
                                            Surrogate surrogate) {
    for (Eigen::Index j = 0; j < N; ++j) {
        const T alpha = static_cast<T>(d.alpha[j * d.step]), beta = static_cast<T>(d.beta[j * d.step]);
        for (Eigen::Index k = j * B; k < (j + 1) * B; ++k) {
            const T dSsg = static_cast<T>(dS[k] * surrogate(static_cast<double>(V[k]) - theta));
            const T dv = dSsg + beta * dU[k];
            if constexpr (KeepDV) dV[k] = dv;
            dU[k] = dv;
            const T di = dv + alpha * dI[k];
            dI[k] = di;
            if constexpr (Out == 1) out[k] += static_cast<double>(di);
            if constexpr (Out == 2) out[k] = static_cast<double>(di);
        }
    }
}

// lif and alif (adapt = true). Each step is one sweep over the neurons (the state updates
// of the header's equations, element by element, in the order the equations give them).
// Kept for backward (a pass without one keeps the last two steps): V (also for potential(),
// except in the float32 state, see float_state_);
// S where backward reads S[t-1] (reset to zero, recurrent weights); I, U, a and the
// refractory mask where it needs them.
class spiking final : public layer {
public:
    spiking(const layer_spec& s, const shape& in, std::vector<const matrix*> p)
        : s_(s), N_(in.size()), alpha_{p[0]}, beta_{p[1]}, W_rec_(s.recurrent ? p[2] : nullptr),
          event_(s.recurrent && s.event_driven),
          learn_(s.learn_decays != decay_learning::none), adapt_(s.kind == layer_kind::alif),
          rho_(std::exp(-s.dt_ms / s.tau_adapt_ms)),
          float_state_(s.float32_state && s.reset == reset_kind::subtract && !adapt_ && !learn_ && !W_rec_ &&
                   s.refractory_steps == 0 && s.detach_reset && s.spike_grad.kind != surrogate_kind::sigmoid) {
        d_alpha_ = matrix::Zero(1, p[0]->cols());
        d_beta_ = matrix::Zero(1, p[1]->cols());
        if (W_rec_) dW_rec_ = matrix::Zero(W_rec_->rows(), W_rec_->cols());
    }

    bool carries_state() const override { return true; }

    void begin(std::size_t T, Eigen::Index B, bool constant_input, const pass_context& c) override {
        T_ = T;
        keep_ = c.backward;
        const bool zero = s_.reset == reset_kind::zero;
        const bool refractory = s_.refractory_steps > 0;
        // Backward reads S[t-1] for a reset to zero and for dW_rec (event-driven: the
        // spike lists, kept instead).
        keep_S_ = keep_ && (zero || (W_rec_ && !event_));
        if (event_) {
            spikes_.resize(keep_ ? T : 1);
            W_rec_t_ = W_rec_->transpose();  // row j of W_rec as a contiguous column
        }
        const auto slots = [&](sequence& h, bool used, bool kept) {
            h.resize(!used ? 0 : kept ? T : std::min<std::size_t>(T, 2));
            for (matrix& m : h) m.resize(B, N_);
        };
        // In the float32 state, V's history (or last two steps) is kept in float, I in float.
        slots(V_, !float_state_, keep_);
        Vf_.resize(!float_state_ ? 0 : keep_ ? T : std::min<std::size_t>(T, 2));
        for (auto& m : Vf_) m.resize(B, N_);
        if (float_state_) If_now_.setZero(B, N_);
        constant_input_ = constant_input;
        slots(S_, true, keep_S_);
        slots(I_, learn_, keep_);
        slots(U_, zero && !s_.detach_reset, keep_);
        slots(A_, adapt_, keep_);
        slots(Q_, refractory, keep_);
        zero_.setZero(B, N_);
        I_now_.setZero(B, N_);
        if (adapt_) a_now_.setZero(B, N_);
        if (refractory) left_.setZero(B, N_);
        counts_.assign(static_cast<std::size_t>(N_), 0.0);
        gx_.begin(T, constant_input);
    }

    const matrix& forward(const matrix& x, std::size_t t) override {
        if (W_rec_) {  // I = alpha I + x, then + S[t-1] W_rec, before the sweep
            alpha_.times(I_now_, [&](const auto& aI) { I_now_ = aI + x; });
            const matrix& S_prev = t ? S(t - 1) : zero_;
            if (!event_) {
                I_now_.noalias() += S_prev * *W_rec_;
            } else {  // each spike of step t - 1 adds its row of W_rec
                sparse_rows& e = spikes_[keep_ ? t : 0];
                e.assign(S_prev);
                acc_.resize(N_);
                for (Eigen::Index b = 0; b < I_now_.rows(); ++b) {
                    acc_.setZero();
                    for (auto k = e.start[static_cast<std::size_t>(b)]; k < e.start[static_cast<std::size_t>(b) + 1]; ++k)
                        acc_ += W_rec_t_.col(e.column[static_cast<std::size_t>(k)]);
                    I_now_.row(b) += acc_.transpose();
                }
            }
        }
        const bool subtract = s_.reset == reset_kind::subtract;
        // Plain: no kept I or U, no refractory mask, no recurrent input (a loop without
        // branches, which the compiler vectorises).
        const bool plain = I_.empty() && U_.empty() && Q_.empty() && !W_rec_;
        if (subtract && !adapt_ && plain) {
            const Eigen::Index B = zero_.rows();
            const auto sweep = [&](const auto* x, auto& V, auto& I) {  // First: V[t-1] not read
                using T = typename std::decay_t<decltype(I)>::Scalar;
                using X = std::remove_cv_t<std::remove_pointer_t<decltype(x)>>;
                const auto go = t ? lif_forward_plain<false, T, X> : lif_forward_plain<true, T, X>;
                go(N_, B, x, slot(V, t ? t - 1 : t).data(), I.data(), slot(V, t).data(), S(t).data(), decays_of(),
                   s_.theta, counts_.data());
            };
            if (!float_state_) {
                sweep(x.data(), V_, I_now_);
            } else if (constant_input_) {  // the input in float once
                if (t == 0) xf_ = x.cast<float>();
                sweep(xf_.data(), Vf_, If_now_);
            } else {
                sweep(x.data(), Vf_, If_now_);
            }
        } else if (subtract && adapt_) {
            forward_step<true, true>(t, x);
        } else if (subtract) {
            forward_step<true, false>(t, x);
        } else if (adapt_) {
            forward_step<false, true>(t, x);
        } else {
            forward_step<false, false>(t, x);
        }
        return S(t);
    }

    const matrix* backward(const matrix& gy, std::size_t t, bool input_gradient) override {
        const Eigen::Index B = zero_.rows(), N = N_;
        if (t + 1 == T_) {  // dL/dU, dL/dV, dL/dI, dL/da of step t + 1: 0 after the last step
            if (float_state_) {
                dUf_.setZero(B, N);
                dIf_.setZero(B, N);
            } else {
                dU_next_.setZero(B, N);
                dV_next_.setZero(B, N);
                dI_next_.setZero(B, N);
            }
            if (adapt_) da_next_.setZero(B, N);
        }
        // dL/dS[t] from above, the regulariser's extra and, through the recurrent weights,
        // I[t+1]; the sweep adds the reset and the adaptation terms.
        const matrix* dS = &gy;
        if (!extra_.empty() || W_rec_) {
            dS_ = gy;
            if (!extra_.empty())
                for (Eigen::Index j = 0; j < N; ++j) dS_.col(j).array() += extra_[static_cast<std::size_t>(j)];
            if (W_rec_) dS_.noalias() += dI_next_ * W_rec_->transpose();
            dS = &dS_;
        }
        const auto& g = s_.spike_grad;
        const double sl = g.slope;
        switch (g.kind) {
        case surrogate_kind::fast_sigmoid:
            backward_step(t, *dS, input_gradient, [sl](double v, Eigen::Index) {
                const double d = 1.0 + sl * std::abs(v);
                return 1.0 / (d * d);
            });
            break;
        case surrogate_kind::arctan: {
            const double c = std::numbers::pi / 2.0 * sl;
            backward_step(t, *dS, input_gradient,
                          [sl, c](double v, Eigen::Index) { return (sl / 2.0) * (1.0 / (1.0 + (c * v) * (c * v))); });
            break;
        }
        case surrogate_kind::triangle:
            backward_step(t, *dS, input_gradient,
                          [sl](double v, Eigen::Index) { return sl * std::max(1.0 - sl * std::abs(v), 0.0); });
            break;
        case surrogate_kind::sigmoid:  // Eigen's vectorised exp, as surrogate::of
            if (adapt_)
                sg_ = g.of(V_[t].array() - s_.theta - s_.adapt * A_[t].array());
            else
                sg_ = g.of(V_[t].array() - s_.theta);
            backward_step(t, *dS, input_gradient, [this](double, Eigen::Index k) { return sg_.data()[k]; });
            break;
        }
        if (learn_ && t > 0) {
            decay::accumulate(d_beta_, dU_next_, V_[t - 1]);
            decay::accumulate(d_alpha_, dI_next_, I_[t - 1]);
        }
        if (W_rec_ && event_) {  // dW_rec's row j adds dL/dI[t] of the samples where j spiked at t - 1
            if (t + 1 == T_) dW_rec_t_.setZero(N, N);
            const sparse_rows& e = spikes_[t];
            for (Eigen::Index b = 0; t > 0 && b < B; ++b)
                for (auto k = e.start[static_cast<std::size_t>(b)]; k < e.start[static_cast<std::size_t>(b) + 1]; ++k)
                    dW_rec_t_.col(e.column[static_cast<std::size_t>(k)]) += dI_next_.row(b).transpose();
            if (t == 0) dW_rec_ += dW_rec_t_.transpose();
        } else if (W_rec_ && t > 0) {
            dW_rec_.noalias() += S(t - 1).transpose() * dI_next_;
        }
        return gx_.result(t, input_gradient);
    }
    std::vector<const matrix*> gradients() const override {
        if (W_rec_) return {&d_alpha_, &d_beta_, &dW_rec_};
        return {&d_alpha_, &d_beta_};
    }
    const std::vector<double>* spike_counts() const override { return &counts_; }
    const sequence* potential() const override { return float_state_ ? nullptr : &V_; }
    void add_spike_gradient(std::vector<double> extra) override { extra_ = std::move(extra); }

private:
    // Step t's entry of a history that keeps all steps or only the last two.
    template <class M>
    static M& slot(std::vector<M>& h, std::size_t t) {
        return h[t % h.size()];
    }
    matrix& S(std::size_t t) { return slot(S_, t); }
    decays decays_of() const {
        return {alpha_.d->data(), beta_.d->data(), alpha_.per_neuron() ? Eigen::Index(1) : Eigen::Index(0)};
    }

    // Step t of forward: I (unless the recurrent pass did), U, V, a, S, the refractory
    // count and the spike counts.
    template <bool Subtract, bool Adapt>
    void forward_step(std::size_t t, const matrix& x) {
        const Eigen::Index B = zero_.rows(), N = N_;
        const double* xp = x.data();
        const double* V_prev = t ? slot(V_, t - 1).data() : zero_.data();
        const double* S_prev = t ? S(t - 1).data() : zero_.data();
        double* I = I_now_.data();
        double* V = slot(V_, t).data();
        double* Sp = S(t).data();
        double* I_kept = I_.empty() ? nullptr : slot(I_, t).data();
        double* U_kept = U_.empty() ? nullptr : slot(U_, t).data();
        double* a = Adapt ? a_now_.data() : nullptr;
        double* A = Adapt ? slot(A_, t).data() : nullptr;
        double* left = Q_.empty() ? nullptr : left_.data();
        double* Q = Q_.empty() ? nullptr : slot(Q_, t).data();
        const bool input_done = W_rec_ != nullptr;
        const double theta = s_.theta, adapt = s_.adapt, rho = rho_, n_ref = s_.refractory_steps;
        for (Eigen::Index j = 0; j < N; ++j) {
            const double al = alpha_.of(j), be = beta_.of(j);
            int count = 0;
            for (Eigen::Index k = j * B; k < (j + 1) * B; ++k) {
                const double i = input_done ? I[k] : al * I[k] + xp[k];
                I[k] = i;
                if (I_kept) I_kept[k] = i;
                const double u = be * V_prev[k] + i;
                if (U_kept) U_kept[k] = u;
                const double v = Subtract ? u - theta * S_prev[k] : u * (1.0 - S_prev[k]);
                V[k] = v;
                double s;
                if constexpr (Adapt) {
                    const double ak = rho * a[k] + S_prev[k];
                    a[k] = ak;
                    A[k] = ak;
                    s = v - theta - adapt * ak > 0.0 ? 1.0 : 0.0;
                } else {
                    s = v - theta > 0.0 ? 1.0 : 0.0;
                }
                if (left) {
                    const double q = left[k] > 0.0 ? 1.0 : 0.0;
                    Q[k] = q;
                    s *= 1.0 - q;
                    left[k] = s > 0.0 ? n_ref : std::max(left[k] - 1.0, 0.0);
                }
                Sp[k] = s;
                count += static_cast<int>(s);
            }
            counts_[static_cast<std::size_t>(j)] += static_cast<double>(count);
        }
    }

    // Step t of backward, from dL/dS[t] without the reset and adaptation terms: dV, da,
    // dU, dI in place of those of step t + 1, and dL/dx.
    template <class Surrogate>
    void backward_step(std::size_t t, const matrix& dS_in, bool input_gradient, Surrogate&& surrogate) {
        // Plain: no reset gradient, adaptation, refractory mask or reset to zero in this step.
        const bool plain = (s_.detach_reset || t + 1 == T_) && !adapt_ && Q_.empty() &&
                           (s_.reset == reset_kind::subtract || t == 0) && s_.spike_grad.kind != surrogate_kind::sigmoid;
        if (!plain) return sweep_back(t, dS_in, input_gradient, surrogate);
        const Eigen::Index B = zero_.rows();
        double* out = gx_.at(t, input_gradient, B, N_);
        const int mode = !out ? 0 : gx_.accumulates() ? 1 : 2;
        const auto sg = [&](double v) { return surrogate(v, Eigen::Index(0)); };
        const auto go = [&](auto mode_tag) {
            constexpr int m = decltype(mode_tag)::value;
            const auto run = [&](const auto& V, auto& dU, auto& dV, auto& dI) {
                using T = typename std::decay_t<decltype(dU)>::Scalar;
                const auto sweep = s_.detach_reset ? lif_backward_plain<m, false, decltype(sg), T>
                                                   : lif_backward_plain<m, true, decltype(sg), T>;
                sweep(N_, B, dS_in.data(), V.data(), dU.data(), dV.data(), dI.data(), out, decays_of(), s_.theta, sg);
            };
            if (float_state_)  // dL/dV is dL/dU (the reset is detached)
                run(Vf_[t], dUf_, dUf_, dIf_);
            else
                run(V_[t], dU_next_, dV_next_, dI_next_);
        };
        if (mode == 0)
            go(std::integral_constant<int, 0>());
        else if (mode == 1)
            go(std::integral_constant<int, 1>());
        else
            go(std::integral_constant<int, 2>());
    }
    // Out: 0 as input_gradient and gx_ say; 1 adds to dL/dx; 2 writes it.
    template <class Surrogate>
    void sweep_back(std::size_t t, const matrix& dS_in, bool input_gradient, Surrogate& surrogate) {
        const Eigen::Index B = zero_.rows(), N = N_;
        const bool later = t + 1 < T_;
        const bool zero = s_.reset == reset_kind::zero;
        const bool reset_grad = !s_.detach_reset && later;
        const double* dS_p = dS_in.data();
        const double* U_next = reset_grad && zero ? U_[t + 1].data() : nullptr;
        const double* V = V_[t].data();
        const double* A = adapt_ ? A_[t].data() : nullptr;
        const double* Q = Q_.empty() ? nullptr : Q_[t].data();
        const double* S_prev = zero && t > 0 ? S(t - 1).data() : nullptr;
        double* dU = dU_next_.data();
        double* dV = dV_next_.data();
        double* dI = dI_next_.data();
        double* da = adapt_ ? da_next_.data() : nullptr;
        double* out = gx_.at(t, input_gradient, B, N);
        const bool add = gx_.accumulates();
        const double theta = s_.theta, adapt = s_.adapt, rho = rho_;
        for (Eigen::Index j = 0; j < N; ++j) {
            const double al = alpha_.of(j), be = beta_.of(j);
            for (Eigen::Index k = j * B; k < (j + 1) * B; ++k) {
                double dS = dS_p[k];
                if (reset_grad) dS -= U_next ? dV[k] * U_next[k] : theta * dV[k];
                if (A && later) dS += da[k];
                double sg = surrogate(A ? V[k] - theta - adapt * A[k] : V[k] - theta, k);
                if (Q) sg *= 1.0 - Q[k];
                const double dSsg = dS * sg;
                const double dv = dSsg + be * dU[k];  // dL/dV[t]
                dV[k] = dv;
                if (A) da[k] = rho * da[k] - adapt * dSsg;  // dL/da[t]
                const double du = S_prev ? dv * (1.0 - S_prev[k]) : dv;  // dL/dU[t]
                dU[k] = du;
                const double di = du + al * dI[k];  // dL/dI[t]
                dI[k] = di;
                if (out) {
                    if (add)
                        out[k] += di;
                    else
                        out[k] = di;
                }
            }
        }
    }

    layer_spec s_;
    Eigen::Index N_;
    decay alpha_, beta_;
    const matrix* W_rec_;
    bool event_;  // recurrent input event-driven (layer_spec::event_driven)
    bool learn_, adapt_;
    double rho_;
    // float32 state (network.state_precision): a layer whose every step takes the plain
    // sweeps runs I, V, dL/dU and dL/dI in float (half the bytes of every sweep).
    bool float_state_;
    std::vector<Eigen::MatrixXf> Vf_;  // V in the float32 state (its history as V_'s)
    Eigen::MatrixXf If_now_, xf_, dUf_, dIf_;  // xf_: a constant input in float; dL/dU, dL/dI
    bool constant_input_ = false;
    std::size_t T_ = 0;
    bool keep_ = true, keep_S_ = false;
    matrix d_alpha_, d_beta_, dW_rec_;
    std::vector<sparse_rows> spikes_;  // event-driven: spike lists of step t - 1, per step t
    matrix W_rec_t_, dW_rec_t_;
    Eigen::VectorXd acc_;
    sequence I_, U_, V_, S_, Q_, A_;  // Q_: refractory (spike blocked); A_: adaptation a[t]
    matrix zero_, I_now_, a_now_, left_;  // forward's state
    matrix dS_, sg_, dU_next_, dV_next_, dI_next_, da_next_;  // backward's state and scratch
    input_grad gx_;
    std::vector<double> counts_, extra_;
};

class li_readout final : public layer {
public:
    li_readout(const layer_spec& s, const shape& in, std::vector<const matrix*> p)
        : K_(in.size()), alpha_{p[0]}, beta_{p[1]}, learn_(s.learn_decays != decay_learning::none), r_(s.reduce) {
        d_alpha_ = matrix::Zero(1, p[0]->cols());
        d_beta_ = matrix::Zero(1, p[1]->cols());
    }
    bool carries_state() const override { return true; }
    bool reduces() const override { return true; }
    void begin(std::size_t T, Eigen::Index B, bool constant_input, const pass_context&) override {
        T_ = T;
        V_.assign(T, matrix());
        I_.assign(learn_ ? T : 0, matrix());
        I_now_.setZero(B, K_);
        V_now_.setZero(B, K_);
        gx_.begin(T, constant_input);
    }
    const matrix& forward(const matrix& x, std::size_t t) override {
        alpha_.times(I_now_, [&](const auto& aI) { I_now_ = aI + x; });
        beta_.times(V_now_, [&](const auto& bV) { V_now_ = bV + I_now_; });
        if (learn_) I_[t] = I_now_;
        V_[t] = V_now_;
        return V_[t];
    }
    const matrix& finish() override { return r_.forward(V_); }
    const matrix* backward(const matrix& gy, std::size_t t, bool input_gradient) override {
        if (t + 1 == T_) {
            dV_next_.setZero(gy.rows(), gy.cols());
            dI_next_.setZero(gy.rows(), gy.cols());
        }
        matrix dV, dI;
        beta_.times(dV_next_, [&](const auto& b) { dV = r_.at(gy, t) + b; });
        alpha_.times(dI_next_, [&](const auto& a) { dI = dV + a; });
        if (learn_ && t > 0) {
            decay::accumulate(d_beta_, dV, V_[t - 1]);
            decay::accumulate(d_alpha_, dI, I_[t - 1]);
        }
        gx_.add(t, input_gradient, dI);
        dV_next_ = dV;
        dI_next_ = dI;
        return gx_.result(t, input_gradient);
    }
    std::vector<const matrix*> gradients() const override { return {&d_alpha_, &d_beta_}; }
    const sequence* potential() const override { return &V_; }

private:
    Eigen::Index K_;
    decay alpha_, beta_;
    bool learn_;
    reducer r_;
    std::size_t T_ = 0;
    matrix d_alpha_, d_beta_, I_now_, V_now_, dV_next_, dI_next_;
    sequence I_, V_;
    input_grad gx_;
};

class elman final : public layer {
public:
    elman(activation f, const matrix* U, const matrix* b) : f_(f), U_(*U), b_(*b) {
        dU_ = matrix::Zero(U_.rows(), U_.cols());
        db_ = matrix::Zero(1, b_.cols());
    }
    bool carries_state() const override { return true; }
    void begin(std::size_t T, Eigen::Index B, bool constant_input, const pass_context&) override {
        T_ = T;
        h_.assign(T, matrix());
        zero_.setZero(B, U_.cols());
        gx_.begin(T, constant_input);
    }
    const matrix& forward(const matrix& x, std::size_t t) override {
        matrix z = x;
        z.noalias() += (t ? h_[t - 1] : zero_) * U_;
        z.rowwise() += b_.row(0);
        apply(f_, z);
        h_[t] = std::move(z);
        return h_[t];
    }
    const matrix* backward(const matrix& gy, std::size_t t, bool input_gradient) override {
        if (t + 1 == T_) dz_next_.setZero(gy.rows(), gy.cols());
        matrix dh = gy;
        dh.noalias() += dz_next_ * U_.transpose();
        const matrix dz = times_derivative(f_, h_[t], dh);
        gx_.add(t, input_gradient, dz);
        if (t > 0) dU_.noalias() += h_[t - 1].transpose() * dz;
        db_ += dz.colwise().sum();
        dz_next_ = dz;
        return gx_.result(t, input_gradient);
    }
    std::vector<const matrix*> gradients() const override { return {&dU_, &db_}; }

private:
    activation f_;
    const matrix &U_, &b_;
    std::size_t T_ = 0;
    matrix dU_, db_, zero_, dz_next_;
    sequence h_;
    input_grad gx_;
};

}  // namespace

std::unique_ptr<layer> make_layer(const layer_spec& s, const shape& in, std::vector<const matrix*> p) {
    if (p.size() != parameters_of(s, in).size()) throw std::invalid_argument("make_layer: wrong number of parameters");
    switch (s.kind) {
    case layer_kind::dense: return std::make_unique<dense>(p[0], s.bias ? p[1] : nullptr, s.float32_products, s.event_driven);
    case layer_kind::conv2d: return std::make_unique<conv2d>(s, in, p[0], s.bias ? p[1] : nullptr);
    case layer_kind::avg_pool:
    case layer_kind::sum_pool: return std::make_unique<pool>(s, in);
    case layer_kind::flatten: return std::make_unique<flatten>();
    case layer_kind::activation: return std::make_unique<activation_layer>(s.f);
    case layer_kind::dropout: return std::make_unique<dropout>(s.p, in.size());
    case layer_kind::reduce: return std::make_unique<reduce>(s.reduce);
    case layer_kind::lif:
    case layer_kind::alif: return std::make_unique<spiking>(s, in, std::move(p));
    case layer_kind::li_readout: return std::make_unique<li_readout>(s, in, std::move(p));
    case layer_kind::elman: return std::make_unique<elman>(s.f, p[0], p[1]);
    }
    throw std::invalid_argument("make_layer: unknown kind");
}

// ---------------------------------------------------------------- stack_pass

const sequence& stack_pass::forward(const sequence& x, std::size_t T, pass_context c, std::vector<sequence>* record) {
    const std::size_t n = layers_.size();
    if (x.empty()) throw std::invalid_argument("stack_pass: no input");
    const Eigen::Index B = x[0].rows();
    T_ = T;
    segments_.clear();
    if (record) record->assign(n, sequence());
    bool constant = x.size() == 1;
    const matrix* y = &x[0];  // the signal, while it is constant
    out_.clear();
    for (std::size_t i = 0; i < n;) {
        c.layer = i;
        if (constant && !layers_[i]->carries_state()) {  // once
            layers_[i]->begin(1, B, true, c);
            y = &layers_[i]->forward(*y, 0);
            if (layers_[i]->reduces()) y = &layers_[i]->finish();
            if (record) (*record)[i].assign(1, *y);
            segments_.push_back({i, i, true, false});
            ++i;
            continue;
        }
        // Step by step up to the next layer that reduces over time (or the last layer).
        std::size_t last = i;
        while (last + 1 < n && !layers_[last]->reduces()) ++last;
        for (std::size_t k = i; k <= last; ++k) {
            c.layer = k;
            layers_[k]->begin(T, B, k == i && constant, c);
        }
        const bool reduced = layers_[last]->reduces();
        for (std::size_t t = 0; t < T; ++t) {
            const matrix* s = constant ? y : &x[t];
            for (std::size_t k = i; k <= last; ++k) {
                s = &layers_[k]->forward(*s, t);
                if (record && !(k == last && reduced)) (*record)[k].push_back(*s);
            }
            if (!reduced) out_.push_back(*s);
        }
        segments_.push_back({i, last, constant, true});
        if (reduced) {
            y = &layers_[last]->finish();
            if (record) (*record)[last].assign(1, *y);
            constant = true;
        } else {
            constant = false;
        }
        i = last + 1;
    }
    if (constant) out_.assign(1, *y);
    return out_;
}

const sequence& stack_pass::backward(const sequence& gy, bool input_gradient) {
    gx_.clear();
    const matrix* g = &gy[0];  // the gradient, while the signal is constant
    for (std::size_t s = segments_.size(); s-- > 0;) {
        const segment& seg = segments_[s];
        const bool wanted = seg.first > 0 || input_gradient;
        if (!seg.stepped) {
            g = layers_[seg.first]->backward(*g, 0, wanted);
            continue;
        }
        const bool reduced = layers_[seg.last]->reduces();
        const matrix* sum = nullptr;
        if (wanted && !seg.constant_input) gx_.resize(T_);  // a varying input: the network's
        for (std::size_t t = T_; t-- > 0;) {
            const matrix* h = reduced ? g : &gy[t];
            for (std::size_t k = seg.last + 1; k-- > seg.first;) h = layers_[k]->backward(*h, t, k > seg.first || wanted);
            if (seg.constant_input)
                sum = h;  // the sum over the steps, at t = 0
            else if (wanted)
                gx_[t] = *h;
        }
        g = sum;
    }
    if (input_gradient && gx_.empty() && g) gx_.assign(1, *g);
    return gx_;
}

}  // namespace myelin::learning
