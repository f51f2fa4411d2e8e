#pragma once
// Optimizers, learning-rate schedules and gradient clipping, as PyTorch's torch.optim:
//   sgd:  v <- momentum v + g (+ weight_decay p);  p <- p - lr v
//         (Nesterov: p <- p - lr (g + momentum v)); momentum 0 is plain SGD.
//   adam: Kingma & Ba (2015) with bias correction; weight_decay > 0 makes it AdamW
//         (decoupled decay, Loshchilov & Hutter 2019): p <- p (1 - lr weight_decay) first.
// Parameters and gradients come as two lists that pair up, always in the same order.
#include <myelin/learning/spiking.hpp>

#include <memory>
#include <vector>

namespace myelin::learning {

// What an optimizer's next steps depend on besides the parameters: its step count and
// buffers (momentum; Adam's moments), in parameter order. Saved after every epoch so
// that training resumes exactly (myelin train --resume).
struct optimizer_state {
    long steps = 0;
    std::vector<matrix> buffers;  // sgd: velocity per parameter; adam: first moments, then second
};

class optimizer {
public:
    virtual ~optimizer() = default;
    virtual void step(const std::vector<matrix*>& params, const std::vector<const matrix*>& grads) = 0;
    virtual optimizer_state state() const = 0;
    // Throws std::invalid_argument if `s` is not of this kind of optimizer.
    virtual void restore(const optimizer_state& s) = 0;
    double learning_rate() const { return lr_; }
    void set_learning_rate(double lr) { lr_ = lr; }

protected:
    explicit optimizer(double lr) : lr_(lr) {}
    double lr_;
};

class sgd final : public optimizer {
public:
    explicit sgd(double learning_rate, double momentum = 0.0, bool nesterov = false, double weight_decay = 0.0);
    void step(const std::vector<matrix*>& params, const std::vector<const matrix*>& grads) override;
    optimizer_state state() const override;
    void restore(const optimizer_state& s) override;

private:
    double momentum_, wd_;
    bool nesterov_;
    std::vector<matrix> v_;
};

class adam final : public optimizer {
public:
    explicit adam(double learning_rate, double beta1 = 0.9, double beta2 = 0.999, double epsilon = 1e-8,
                  double weight_decay = 0.0);
    void step(const std::vector<matrix*>& params, const std::vector<const matrix*>& grads) override;
    optimizer_state state() const override;
    void restore(const optimizer_state& s) override;

private:
    double b1_, b2_, eps_, wd_;
    long t_ = 0;
    std::vector<matrix> m_, v_;
};

// Learning rate of an epoch (0-based) from the base rate:
//   constant; step: base gamma^floor(epoch / step_size); cosine (annealing over `epochs`
//   to `min_lr`, as PyTorch's CosineAnnealingLR stepped once per epoch).
struct lr_schedule {
    enum class kind { constant, step, cosine } type = kind::constant;
    int step_size = 10;
    double gamma = 0.1;
    int epochs = 1;
    double min_lr = 0.0;
    double at(double base, int epoch) const;
};

// Scales all gradients together so that their joint Euclidean norm is at most max_norm
// (PyTorch's clip_grad_norm_); returns the norm before clipping.
double clip_grad_norm(const std::vector<matrix*>& grads, double max_norm);

}  // namespace myelin::learning
