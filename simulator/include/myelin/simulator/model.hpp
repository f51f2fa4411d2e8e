#pragma once
// What a model is to the simulator. A model is one struct (see models/) with its
// parameters, a parameter table, structure-of-arrays state and a step over a whole
// population; the adapters below turn it into the type-erased shard the engine drives,
// with one virtual call per population and step, never per neuron.
#include <myelin/core/rng.hpp>
#include <myelin/core/types.hpp>
#include <myelin/simulator/ring_buffer.hpp>
#include <myelin/simulator/trace_spec.hpp>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <stdexcept>
#include <variant>
#include <vector>

namespace myelin {

class post_history;  // detail/post_history.hpp: the targets' spike history, for plastic rules

// What values a parameter accepts. Checks are written so that NaN fails every rule but `any`.
enum class constraint { any, finite, positive, nonnegative };

template <class P>
struct param_field {
    std::string_view key;  // config key, without the unit suffix
    std::variant<double P::*, bool P::*, std::vector<double> P::*> member;
    std::string_view unit;  // "" for dimensionless and flags
    constraint rule;
    std::string_view doc;
};

template <class S>
struct state_field {
    std::string_view key;
    std::vector<double> S::*member;
    std::string_view unit;
    std::string_view doc;
};

// A state variable held once per input port (a multisynapse model's conductance or
// current per receptor): the vector holds n values per port, port after port, and the
// variable is named key_PORT (g_1, g_AMPA, ...).
template <class S>
struct port_state_field {
    std::string_view key;
    std::vector<double> S::*member;
    std::string_view unit;
    std::string_view doc;
};

// Integer state that is not a recordable variable (refractory step counters): listed in
// a model's `counter_table` so that checkpoints hold the complete state.
template <class S>
struct counter_field {
    std::string_view key;
    std::vector<std::int32_t> S::*member;
};

// A parameter problem found by a model's cross-parameter check.
struct param_problem {
    std::string key;
    std::string message;
};

// A parameter's value as config parsing hands it over: a number, a flag or a list of
// numbers (spike times, say); the constraint applies to each number of a list.
using param_value = std::variant<double, bool, std::vector<double>>;
using param_values = std::vector<param_value>;  // in parameter-table order

// Type-erased view of one parameter, for config parsing, validation and docs.
struct param_info {
    std::string key, unit, doc;
    constraint rule;
    param_value default_value;  // its alternative is the parameter's type
};
struct state_info {
    std::string key, unit, doc;
};

// A neuron's input ports (NEST's receptor types): each port has a row set in the ring
// buffers, and a projection or spike device names the port its weights arrive at. Models
// that declare no ports have two, "excitatory" and "inhibitory", and the sign rule: with no
// port named, weights >= 0 arrive at the first and negative ones at the second.
enum class weight_sign { any, nonnegative, nonpositive };

struct port_info {
    std::string name;
    weight_sign sign = weight_sign::any;  // the weights a port accepts
    friend bool operator==(const port_info&, const port_info&) = default;
};

// Where a neuron's step reads its input: rows of the ring buffers, offset to the shard.
struct neuron_input {
    const double* excitatory;  // port 0: for sign-rule models, the sum of weights >= 0 arriving at the step's end
    const double* inhibitory;  // port 1: for sign-rule models, the sum of negative weights
    const double* current_pA;  // stimulus current, constant over the step
    const double* const* port;  // every port's row: port[0] == excitatory, port[1] == inhibitory
    // For models that draw random numbers (spike sources): the step taken (from k to k + 1),
    // the simulation's seed and the global id of the first neuron stepped, so that a
    // neuron's draws depend on (seed, neuron, step) only, whatever the partition.
    step_t step = 0;
    std::uint32_t seed = 0;
    global_id first_gid = 0;
};

// Collects the local indices of neurons that fired in this step. Sized once for the
// shard (at most one spike per neuron and step), so emitting never allocates.
class spike_sink {
public:
    explicit spike_sink(std::uint32_t* buffer) : buffer_(buffer) {}
    void emit(std::size_t i) { buffer_[count_++] = static_cast<std::uint32_t>(i); }
    std::size_t count() const { return count_; }
    const std::uint32_t* data() const { return buffer_; }

private:
    std::uint32_t* buffer_;
    std::size_t count_ = 0;
};

// One thread's part of a population.
class neuron_shard {
public:
    virtual ~neuron_shard() = default;
    virtual std::size_t size() const = 0;
    virtual void step(const neuron_input& in, spike_sink& out) = 0;
    virtual std::span<double> state(std::size_t variable) = 0;  // index into model_info::state
    virtual std::span<std::int32_t> counter(std::size_t index) = 0;  // index into model_info::counters
};

// Where a stimulus device writes: the ring buffers of the thread that owns its targets.
struct stimulus_setup {
    double resolution_ms;
    std::uint32_t seed;
    std::uint32_t stimulus_index;        // for the RNG key
    std::vector<std::uint32_t> local;    // target neurons, thread-local indices
    std::vector<global_id> gid;              // the same targets, global ids
    double weight;                       // spike devices: per event; current devices: unused
    step_t delay_steps;                  // spike devices: >= 1
    std::size_t port = 0;                // spike devices: the targets' input port
};

// The thread's input ring buffers as a row of synapses adds to them: the rows of slot 0
// that the projection's non-negative and negative weights go to (the same port's row when
// the projection names a port; else the target's "excitatory" and "inhibitory"), the
// distance between slots, their number, and the slot of the spike's time stamp. A synapse
// with delay d and weight w adds w to neuron j's row of slot (base + d) mod n_slots.
struct ring_view {
    double* ex0;  // rows of weights >= 0
    double* in0;  // rows of weights < 0
    std::size_t stride, n_slots, base;

    double* row(bool nonnegative, step_t delay) const {
        std::size_t slot = base + static_cast<std::size_t>(delay);
        if (slot >= n_slots) slot -= n_slots;  // delays are shorter than the ring
        return (nonnegative ? ex0 : in0) + slot * stride;
    }
};

// A presynaptic spike reaching the synapses [b, e) of one thread's row (all synapses of
// one source in one projection).
struct synapse_spike {
    std::uint64_t row;                // the source's index in its population
    std::uint64_t b, e;
    step_t stamp;                     // the spike's time stamp, in steps
    const std::uint16_t* target16;    // thread-local targets: one of the two is non-null
    const std::uint32_t* target32;
    const std::uint16_t* delay;       // per synapse, in steps; null: all `constant_delay`
    step_t constant_delay;
    float* weight;                    // per synapse; null: all `constant_weight`
    double constant_weight;
    double* out;                      // what each synapse transmits, out[0 .. e - b); null if transmits()
    ring_view ring;                   // for shards that transmit themselves
    // For draws that must not depend on the partition: the seed, the projection, and the
    // target's population-local index, target(k) + target_index_base (mod 2^64), of n_target.
    std::uint32_t seed = 0, projection = 0;
    std::uint64_t target_index_base = 0, n_target = 0;

    std::uint32_t target(std::uint64_t k) const { return target16 ? target16[k] : target32[k]; }
    step_t delay_of(std::uint64_t k) const { return delay ? static_cast<step_t>(delay[k]) : constant_delay; }
};

// A neuromodulator spike reaching modulated synapses (time stamp in steps), and the
// concentration just after it.
struct modulator_event {
    step_t t;
    double n;
};

// The dynamic state of one thread's synapses of one projection (synapse models other
// than static), in the order of the thread's synapse rows.
class synapse_shard {
public:
    virtual ~synapse_shard() = default;
    virtual std::vector<double>& state(std::size_t variable) = 0;  // index into model_info::state
    // Updates the synapses' state and writes the weight each transmits into s.out, or,
    // if transmits(), adds it to s.ring itself, in the order of the synapses (the sums in
    // the ring, and so the results, then do not depend on who adds).
    virtual void on_pre(const synapse_spike& s) = 0;
    virtual bool transmits() const { return false; }
    // New parameters between runs (checked as in a config). Throws std::invalid_argument
    // saying what cannot change once built.
    virtual void set_params(const param_values&) {
        throw std::invalid_argument("this synapse model's parameters cannot change after the build");
    }

    // Plastic rules only (model_info::plastic). Presynaptic traces live per row: their
    // values just after the source's last spike, and its time stamp (-1: none yet).
    virtual std::span<double> row_trace(std::size_t) { return {}; }  // index into model_info::row_traces
    virtual std::span<step_t> row_last() { return {}; }
    // Delivery will soon update row `row`: its per-row state may be fetched.
    virtual void prefetch_row(std::uint64_t /*row*/) const {}
    virtual std::vector<trace_spec> post_traces() const { return {}; }
    // Where to read the postsynaptic traces asked for by post_traces(): the target
    // population's index in the history and the traces' slots there.
    virtual void bind(post_history*, std::size_t /*group*/, std::vector<std::size_t> /*slots*/) {}

    // Modulated rules only (model_info::modulated): the modulator spikes of the window
    // being delivered, as the time stamps at which they reach the synapses (ascending,
    // one per spike), before the window's presynaptic spikes; and, for checkpoints, the
    // modulator events a synapse may still integrate over.
    virtual void modulate(std::span<const step_t>) {}
    virtual std::vector<modulator_event> modulator_events() const { return {}; }
    virtual void restore_modulator(std::vector<modulator_event>) {}
};

// One thread's copy of a stimulus device, feeding the targets that thread owns.
class stimulus_shard {
public:
    virtual ~stimulus_shard() = default;
    // Writes the device's input for steps [from, to) into the ring buffers.
    virtual void generate(step_t from, step_t to, ring_buffers& ring) = 0;
};

// ---- adapters from a model struct to the shards ------------------------------------

template <class M>
typename M::params params_from_values(const param_values& values) {
    typename M::params p{};
    std::size_t i = 0;
    for (const auto& f : M::param_table) {
        std::visit([&](auto member) {
            using T = std::remove_reference_t<decltype(p.*member)>;
            p.*member = std::get<T>(values[i]);
        }, f.member);
        ++i;
    }
    return p;
}

// GCC 12 warns that `defaults` may be used uninitialized when it instantiates the
// vector alternative for a params struct that has no vector member (a false positive).
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
template <class M>
std::vector<param_info> describe_params() {
    using P = typename M::params;
    const P defaults{};
    std::vector<param_info> out;
    for (const auto& f : M::param_table) {
        param_value value;
        if (auto d = std::get_if<double P::*>(&f.member)) value = defaults.**d;
        else if (auto b = std::get_if<bool P::*>(&f.member)) value = defaults.**b;
        else value = defaults.*std::get<std::vector<double> P::*>(f.member);
        out.push_back({std::string(f.key), std::string(f.unit), std::string(f.doc), f.rule, std::move(value)});
    }
    return out;
}
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif

template <class M>
std::vector<state_info> describe_state() {
    std::vector<state_info> out;
    if constexpr (requires { M::state_table; })  // synapse models may have none (bernoulli_synapse)
        for (const auto& f : M::state_table)
            out.push_back({std::string(f.key), std::string(f.unit), std::string(f.doc)});
    return out;
}

// A model's input ports for these parameters: those it declares (M::ports), else the
// sign rule's two.
template <class M>
std::vector<port_info> ports_of(const typename M::params& p) {
    if constexpr (requires { M::ports(p); }) return M::ports(p);
    else return {{"excitatory", weight_sign::nonnegative}, {"inhibitory", weight_sign::nonpositive}};
}

// The variables a model holds once per port (state_info keys without the port suffix).
template <class M>
std::vector<state_info> describe_port_state() {
    std::vector<state_info> out;
    if constexpr (requires { M::port_state_table; })
        for (const auto& f : M::port_state_table)
            out.push_back({std::string(f.key), std::string(f.unit), std::string(f.doc)});
    return out;
}

template <class M>
std::vector<std::string> describe_counters() {
    std::vector<std::string> out;
    if constexpr (requires { M::counter_table; })
        for (const auto& f : M::counter_table) out.emplace_back(f.key);
    return out;
}

// A run of consecutive neurons of a shard that share their parameters (a population's
// parameters may differ per neuron: population_spec::varying).
struct neuron_segment {
    std::size_t n = 0;
    param_values params;
};

// A population's part on one thread, all neurons with the same parameters.
template <class M>
class neuron_adapter final : public neuron_shard {
public:
    neuron_adapter(const param_values& values, double h_ms, std::size_t n)
        : p_(params_from_values<M>(values)), k_(M::prepare(p_, h_ms)), n_(n), n_ports_(ports_of<M>(p_).size()) {
        M::resize(p_, s_, n);
    }
    std::size_t size() const override { return n_; }
    void step(const neuron_input& in, spike_sink& out) override { M::step(p_, k_, s_, in, out); }
    // The state table's variables, then each port variable's per port (model_info::state_for).
    std::span<double> state(std::size_t variable) override {
        constexpr std::size_t fixed = std::size(M::state_table);
        if (variable < fixed) return {s_.*(M::state_table[variable].member)};
        if constexpr (requires { M::port_state_table; }) {
            const std::size_t e = (variable - fixed) / n_ports_, q = (variable - fixed) % n_ports_;
            auto& values = s_.*(M::port_state_table[e].member);
            return {values.data() + q * n_, n_};
        }
        return {};
    }
    std::span<std::int32_t> counter(std::size_t index) override {
        if constexpr (requires { M::counter_table; }) return {s_.*(M::counter_table[index].member)};
        else return {};
    }

private:
    typename M::params p_;
    typename M::propagators k_;
    typename M::state s_;
    std::size_t n_ = 0, n_ports_ = 2;
};

// The same with parameters that differ per neuron: runs of equal values (segments), each
// with its own parameters, propagators and state, stepped in turn on its slice of the
// input, while state() and counter() show the shard's variables as one contiguous array
// (a mirror gathered from the segments when first asked for after a step, and scattered
// back before the next step, since the caller may write through it: initial values,
// checkpoints). A class of its own so that homogeneous populations keep the plain step.
template <class M>
class segmented_neuron_adapter final : public neuron_shard {
    static constexpr std::size_t n_fixed = std::size(M::state_table);

public:
    segmented_neuron_adapter(std::span<const neuron_segment> segments, double h_ms)
        : p_(params_from_values<M>(segments.front().params)), n_ports_(ports_of<M>(p_).size()) {
        std::size_t widest = 0;
        for (const auto& g : segments) {
            const auto p = params_from_values<M>(g.params);
            parts_.push_back({n_, g.n, p, M::prepare(p, h_ms), {}});
            M::resize(p, parts_.back().s, g.n);
            n_ += g.n;
            widest = std::max(widest, g.n);
        }
        M::resize(p_, s_, n_);
        ports_.resize(n_ports_);
        fired_.resize(widest);
        std::size_t n_port_state = 0, n_counters = 0;
        if constexpr (requires { M::port_state_table; }) n_port_state = std::size(M::port_state_table);
        if constexpr (requires { M::counter_table; }) n_counters = std::size(M::counter_table);
        mirrored_.assign(n_fixed + n_port_state * n_ports_, false);
        mirrored_counters_.assign(n_counters, false);
    }
    std::size_t size() const override { return n_; }
    void step(const neuron_input& in, spike_sink& out) override {
        scatter();
        auto at = [](const double* row, std::size_t b) { return row ? row + b : row; };
        for (auto& q : parts_) {
            for (std::size_t c = 0; c < n_ports_; ++c) ports_[c] = at(in.port[c], q.begin);
            const neuron_input slice{at(in.excitatory, q.begin), at(in.inhibitory, q.begin), at(in.current_pA, q.begin),
                                     ports_.data(),           in.step,
                                     in.seed,                 in.first_gid + q.begin};
            spike_sink fired(fired_.data());
            M::step(q.p, q.k, q.s, slice, fired);
            for (std::size_t j = 0; j < fired.count(); ++j) out.emit(q.begin + fired.data()[j]);
        }
    }
    std::span<double> state(std::size_t variable) override {
        if (variable < n_fixed) {
            const auto member = M::state_table[variable].member;
            if (!mirrored_[variable]) {
                for (const auto& q : parts_) copy_n((q.s.*member).data(), q.n, (s_.*member).data() + q.begin);
                mirrored_[variable] = true;
            }
            return {s_.*member};
        }
        if constexpr (requires { M::port_state_table; }) {
            const std::size_t e = (variable - n_fixed) / n_ports_, port = (variable - n_fixed) % n_ports_;
            const auto member = M::port_state_table[e].member;
            if (!mirrored_[variable]) {
                for (const auto& q : parts_)
                    copy_n((q.s.*member).data() + port * q.n, q.n, (s_.*member).data() + port * n_ + q.begin);
                mirrored_[variable] = true;
            }
            return {(s_.*member).data() + port * n_, n_};
        }
        return {};
    }
    std::span<std::int32_t> counter(std::size_t index) override {
        if constexpr (requires { M::counter_table; }) {
            const auto member = M::counter_table[index].member;
            if (!mirrored_counters_[index]) {
                for (const auto& q : parts_) copy_n((q.s.*member).data(), q.n, (s_.*member).data() + q.begin);
                mirrored_counters_[index] = true;
            }
            return {s_.*member};
        } else {
            return {};
        }
    }

private:
    struct part {
        std::size_t begin, n;
        typename M::params p;
        typename M::propagators k;
        typename M::state s;
    };
    template <class T>
    static void copy_n(const T* from, std::size_t n, T* to) {
        std::copy(from, from + n, to);
    }
    // What state() and counter() handed out may have been written: back to the segments.
    void scatter() {
        for (std::size_t v = 0; v < mirrored_.size(); ++v) {
            if (!mirrored_[v]) continue;
            mirrored_[v] = false;
            for (auto& q : parts_) {
                if (v < n_fixed) {
                    const auto member = M::state_table[v].member;
                    copy_n((s_.*member).data() + q.begin, q.n, (q.s.*member).data());
                } else if constexpr (requires { M::port_state_table; }) {
                    const std::size_t e = (v - n_fixed) / n_ports_, port = (v - n_fixed) % n_ports_;
                    const auto member = M::port_state_table[e].member;
                    copy_n((s_.*member).data() + port * n_ + q.begin, q.n, (q.s.*member).data() + port * q.n);
                }
            }
        }
        if constexpr (requires { M::counter_table; })
            for (std::size_t c = 0; c < mirrored_counters_.size(); ++c) {
                if (!mirrored_counters_[c]) continue;
                mirrored_counters_[c] = false;
                const auto member = M::counter_table[c].member;
                for (auto& q : parts_) copy_n((s_.*member).data() + q.begin, q.n, (q.s.*member).data());
            }
    }

    typename M::params p_;  // the first segment's: sizes the mirror
    typename M::state s_;   // the mirror
    std::size_t n_ = 0, n_ports_ = 2;
    std::vector<part> parts_;
    std::vector<const double*> ports_;
    std::vector<std::uint32_t> fired_;
    std::vector<bool> mirrored_, mirrored_counters_;  // the mirror holds the variable's values
};

template <class M>
class synapse_adapter final : public synapse_shard {
public:
    synapse_adapter(const param_values& values, double h_ms, std::size_t n)
        : p_(params_from_values<M>(values)), h_(h_ms) {
        M::resize(p_, s_, n);
    }
    std::vector<double>& state(std::size_t variable) override {
        if constexpr (requires { M::state_table; }) return s_.*(M::state_table[variable].member);
        else throw std::out_of_range("synapse state variable");  // a model without state has none to ask for
    }
    void set_params(const param_values& values) override { p_ = params_from_values<M>(values); }
    void on_pre(const synapse_spike& x) override {
        if constexpr (requires { M::on_spike(p_, s_, x); }) {
            M::on_spike(p_, s_, x);  // models that need the whole spike (its targets, the seed)
        } else {
            const double t_ms = static_cast<double>(x.stamp) * h_;
            for (std::uint64_t k = x.b; k < x.e; ++k)
                x.out[k - x.b] =
                    M::on_pre(p_, s_, k, t_ms, x.weight ? static_cast<double>(x.weight[k]) : x.constant_weight);
        }
    }

private:
    typename M::params p_;
    typename M::state s_;
    double h_;
};

template <class M>
class stimulus_adapter final : public stimulus_shard {
public:
    stimulus_adapter(const param_values& values, stimulus_setup setup)
        : device_(params_from_values<M>(values), std::move(setup)) {}
    void generate(step_t from, step_t to, ring_buffers& ring) override { device_.generate(from, to, ring); }

private:
    typename M::device device_;
};

}  // namespace myelin
