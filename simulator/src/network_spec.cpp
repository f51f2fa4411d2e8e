#include <myelin/core/error.hpp>
#include <myelin/simulator/network_spec.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <set>
#include <tuple>

namespace myelin {

const char* to_string(connection_rule r) {
    switch (r) {
    case connection_rule::all_to_all: return "all_to_all";
    case connection_rule::one_to_one: return "one_to_one";
    case connection_rule::fixed_indegree: return "fixed_indegree";
    case connection_rule::fixed_outdegree: return "fixed_outdegree";
    case connection_rule::pairwise_bernoulli: return "pairwise_bernoulli";
    case connection_rule::fixed_total_number: return "fixed_total_number";
    case connection_rule::explicit_pairs: return "explicit";
    }
    return "?";
}

const char* to_string(spike_exchange e) { return e == spike_exchange::targeted ? "targeted" : "allgather"; }

std::string distribution::describe() const {
    switch (type) {
    case kind::constant: return fmt::format("{}", value);
    case kind::uniform: return fmt::format("uniform(low={}, high={})", low, high);
    case kind::normal: return fmt::format("normal(mean={}, std={}, min={}, max={})", mean, std, min, max);
    case kind::lognormal: return fmt::format("lognormal(mu={}, sigma={}, min={}, max={})", mu, sigma, min, max);
    case kind::list: return fmt::format("a list of {} values in [{}, {}]", values.size(), lowest(), highest());
    }
    return "?";
}

std::optional<std::size_t> network_spec::population_index(std::string_view name) const {
    for (std::size_t i = 0; i < populations.size(); ++i)
        if (populations[i].name == name) return i;
    return std::nullopt;
}

param_values population_spec::neuron_params(std::size_t population, std::uint64_t i, global_id gid,
                                             std::uint32_t seed) const {
    param_values values = params;
    for (const auto& v : varying) {
        if (!v.lists.empty()) {
            values[v.index] = v.lists[i];
        } else if (v.value.type == distribution::kind::list) {
            values[v.index] = v.value.values[i];
        } else {
            const auto key = rng_key_word(rng_purpose::neuron_params, static_cast<std::uint32_t>(population * 256 + v.index));
            rng_stream rng(seed, key, gid);
            values[v.index] = v.value.draw(rng);
        }
    }
    return values;
}

std::optional<std::size_t> population_spec::port_index(std::string_view port) const {
    for (std::size_t i = 0; i < ports.size(); ++i)
        if (ports[i].name == port) return i;
    return std::nullopt;
}

std::optional<std::size_t> population_spec::state_index(std::string_view key) const {
    for (std::size_t i = 0; i < state.size(); ++i)
        if (state[i].key == key) return i;
    return std::nullopt;
}

std::size_t max_ports(const network_spec& spec) {
    std::size_t n = 2;
    for (const auto& p : spec.populations) n = std::max(n, p.ports.size());
    return n;
}

namespace {

constexpr std::int64_t max_delay_steps = 65535;  // delays are stored in 16 bits

void fail(const std::string& path, const std::string& detail) { throw input_error("", path, detail); }

void check_delay(const distribution& d, double h, const std::string& path) {
    if (d.is_constant()) {
        if (!(d.value >= h) || ms_to_steps(d.value, h) < 1)
            fail(path, fmt::format("delay = {} ms; must be >= the resolution {} ms", d.value, h));
    } else if (d.type == distribution::kind::list) {
        const auto k = std::min_element(d.values.begin(), d.values.end()) - d.values.begin();
        if (!(d.lowest() >= h))
            fail(fmt::format("{}[{}]", path, k), fmt::format("delay = {} ms; must be >= the resolution {} ms",
                                                             d.values[static_cast<std::size_t>(k)], h));
    } else if (!(d.lowest() >= h)) {
        fail(path, fmt::format("delay = {} can draw {} ms; must be >= the resolution {} ms (give min)",
                               d.describe(), d.lowest(), h));
    }
    if (!(d.highest() <= static_cast<double>(max_delay_steps) * h) && !std::isinf(d.highest()))
        fail(path, fmt::format("delay up to {} ms; must be <= {} steps ({} ms)", d.highest(), max_delay_steps,
                               static_cast<double>(max_delay_steps) * h));
    if (std::isinf(d.highest()))
        fail(path, fmt::format("delay = {} is unbounded; give max <= {} ms", d.describe(),
                               static_cast<double>(max_delay_steps) * h));
}

std::string port_names(const population_spec& p) {
    std::string out;
    for (const auto& port : p.ports) out += (out.empty() ? "" : ", ") + port.name;
    return out;
}

// Weights in [lo, hi] arriving at `target` (at port `receptor`, or by their sign): the port
// must exist and accept them; a model without the sign rule needs a port named.
void check_receptor(const population_spec& target, const std::optional<std::size_t>& receptor, double lo, double hi,
                    const std::string& path, const std::string& weight_path, const std::string& weights) {
    if (!receptor) {
        if (!target.model->sign_rule)
            fail(path, fmt::format("{} (population '{}') has no default input port; name one with \"receptor\": "
                                   "one of {}", target.model->name, target.name, port_names(target)));
        return;
    }
    if (*receptor >= target.ports.size())
        fail(path + ".receptor", fmt::format("port {} does not exist; population '{}' has {}", *receptor, target.name,
                                             port_names(target)));
    const auto& port = target.ports[*receptor];
    if (port.sign == weight_sign::nonnegative && !(lo >= 0.0))
        fail(weight_path, fmt::format("weight = {}; port '{}' of {} takes weights >= 0", weights, port.name,
                                      target.model->name));
    if (port.sign == weight_sign::nonpositive && !(hi <= 0.0))
        fail(weight_path, fmt::format("weight = {}; port '{}' of {} takes weights <= 0 (inhibitory weights are "
                                      "negative, as in NEST)", weights, port.name, target.model->name));
}

void check_rule(const network_spec& spec, const projection_spec& p) {
    const auto& r = p.rule;
    const std::uint64_t ns = spec.populations[p.source].n, nt = spec.populations[p.target].n;
    const bool self = p.source == p.target && !r.allow_autapses;
    const std::string path = p.path + ".connection";  // the config key
    switch (r.type) {
    case connection_rule::one_to_one:
        if (ns != nt)
            fail(path, fmt::format("one_to_one needs equal sizes; source '{}' has {}, target '{}' has {}",
                                   spec.populations[p.source].name, ns, spec.populations[p.target].name, nt));
        break;
    case connection_rule::fixed_indegree:
    case connection_rule::fixed_outdegree: {
        const bool in = r.type == connection_rule::fixed_indegree;
        const std::uint64_t pool = (in ? ns : nt) - (self ? 1 : 0);
        const char* key = in ? "indegree" : "outdegree";
        if (r.count > 0 && pool == 0)
            fail(path + "." + key, fmt::format("{} = {}, but there is no allowed {} (autapses forbidden)", key,
                                               r.count, in ? "source" : "target"));
        if (!r.allow_multapses && r.count > pool)
            fail(path + "." + key, fmt::format("{} = {}; without multapses must be <= {} (the {} available)",
                                               key, r.count, pool, in ? "sources" : "targets"));
        break;
    }
    case connection_rule::pairwise_bernoulli:
        if (!(r.p >= 0.0 && r.p <= 1.0)) fail(path + ".p", fmt::format("p = {}; must be in [0, 1]", r.p));
        break;
    case connection_rule::fixed_total_number:
        if (!r.allow_multapses)
            fail(path + ".allow_multapses", "fixed_total_number draws pairs independently; allow_multapses must be true");
        if (self && ns == 1 && r.count > 0)
            fail(path + ".N", fmt::format("N = {}, but the only pair is an autapse, which is forbidden", r.count));
        break;
    case connection_rule::all_to_all: break;
    case connection_rule::explicit_pairs:
        for (const auto& [list, n, side] : {std::tuple{&r.sources, ns, "sources"}, std::tuple{&r.targets, nt, "targets"}})
            for (std::size_t k = 0; k < list->size(); ++k)
                if ((*list)[k] >= n)
                    fail(fmt::format("{}.{}[{}]", path, side, k),
                         fmt::format("neuron {} does not exist; population '{}' has {} (0 to {})", (*list)[k],
                                     spec.populations[side[0] == 's' ? p.source : p.target].name, n, n - 1));
        for (const auto* d : {&p.weight, &p.delay_ms})
            if (d->type == distribution::kind::list && d->values.size() != r.sources.size())
                fail(p.path + (d == &p.weight ? ".weight" : ".delay"),
                     fmt::format("{} values for {} synapses", d->values.size(), r.sources.size()));
        break;
    }
}

}  // namespace

namespace {

// Every neuron's parameters, where they vary, pass the model's check (which may relate
// parameters: V_reset below V_th, say); the first neuron that fails is named.
void check_varying(const population_spec& p, std::size_t population, global_id first, const simulation_spec& sim) {
    if (p.varying.empty()) return;
    param_values last;
    for (std::uint64_t i = 0; i < p.n; ++i) {
        param_values values = p.neuron_params(population, i, first + i, sim.seed);
        if (i > 0 && values == last) continue;
        if (const auto problem = p.model->check(values, sim.resolution_ms)) {
            std::string at = p.path + ".params." + problem->key;
            for (const auto& v : p.varying)
                if (p.model->params[v.index].key == problem->key) at = v.path;
            fail(at, fmt::format("neuron {}: {}", i, problem->message));
        }
        last = std::move(values);
    }
}

}  // namespace

void validate(const network_spec& spec, bool resumable) {
    const auto& sim = spec.simulation;
    const double h = sim.resolution_ms;
    auto positive = [](double x) { return std::isfinite(x) ? "must be > 0" : "must be a finite number > 0"; };
    if (!(h > 0.0) || !std::isfinite(h)) fail("simulation.resolution", fmt::format("resolution = {} ms; {}", h, positive(h)));
    if (!(sim.t_stop_ms > 0.0) || !std::isfinite(sim.t_stop_ms))
        fail("simulation.t_stop", fmt::format("t_stop = {} ms; {}", sim.t_stop_ms, positive(sim.t_stop_ms)));
    // Spike times are (step + 1) * h in doubles: exact step counts up to 2^53.
    constexpr double max_steps = 9007199254740992.0;
    if (!(sim.t_stop_ms / h <= max_steps))
        fail("simulation.t_stop", fmt::format("t_stop = {} ms is {:.3g} steps of {} ms; at most 2^53 ({:.3g}) steps can be "
                                              "simulated: shorten t_stop or coarsen the resolution",
                                              sim.t_stop_ms, sim.t_stop_ms / h, h, max_steps));
    if (ms_to_steps(sim.t_stop_ms, h) < 1)
        fail("simulation.t_stop", fmt::format("t_stop = {} ms; must be at least one step ({} ms)", sim.t_stop_ms, h));
    if (sim.threads < 1) fail("simulation.threads", fmt::format("threads = {}; must be >= 1", sim.threads));

    std::set<std::string> names;
    global_id first = 0;
    for (std::size_t q = 0; q < spec.populations.size(); ++q) {
        const auto& p = spec.populations[q];
        if (p.n < 1 || p.n > std::numeric_limits<std::uint32_t>::max())
            fail(p.path + ".n", fmt::format("n = {}; must be in [1, {}]", p.n, std::numeric_limits<std::uint32_t>::max()));
        if (!names.insert(p.name).second)
            fail(p.path + ".name", fmt::format("name '{}' is used by an earlier population; names must be unique", p.name));
        check_varying(p, q, first, sim);
        first += p.n;
    }
    for (const auto& p : spec.projections) {
        check_rule(spec, p);
        check_delay(p.delay_ms, h, p.path + ".delay");
        const bool finite_weight =
            p.weight.is_constant()                          ? std::isfinite(p.weight.value)
            : p.weight.type == distribution::kind::uniform ? std::isfinite(p.weight.low) && std::isfinite(p.weight.high)
            : p.weight.type == distribution::kind::list
                ? std::all_of(p.weight.values.begin(), p.weight.values.end(), [](double w) { return std::isfinite(w); })
                : true;
        if (!finite_weight) fail(p.path + ".weight", fmt::format("weight = {}; must be finite", p.weight.describe()));
        double lo = p.weight.lowest(), hi = p.weight.highest();
        if (p.synapse && p.synapse->plastic) {
            const auto [w_lo, w_hi] = p.synapse->weight_range(p.synapse_params);
            if (!(lo >= w_lo && hi <= w_hi))
                fail(p.path + ".weight", fmt::format("weight = {}; {} needs weights in [{}, {}] (give min and max)",
                                                     p.weight.describe(), p.synapse->name, w_lo, w_hi));
            lo = w_lo;  // the rule moves them anywhere in its range
            hi = w_hi;
        }
        const std::string weights = p.synapse && p.synapse->plastic
                                        ? fmt::format("{} (the rule keeps it in [{}, {}])", p.weight.describe(), lo, hi)
                                        : p.weight.describe();
        check_receptor(spec.populations[p.target], p.receptor, lo, hi, p.path, p.path + ".weight", weights);
    }
    for (const auto& p : spec.projections) {
        const bool modulated = p.synapse && p.synapse->modulated;
        if (modulated && !p.modulator)
            fail(p.path + ".synapse", fmt::format("{} needs a modulator population", p.synapse->name));
        if (!p.modulator) continue;
        if (!modulated) fail(p.modulator->path, "a modulator, but the synapse model is not modulated");
        if (p.modulator->population >= spec.populations.size())
            fail(p.modulator->path + ".source", fmt::format("population {} does not exist", p.modulator->population));
        if (!(p.modulator->delay_ms >= 0.0 && std::isfinite(p.modulator->delay_ms)))
            fail(p.modulator->path + ".delay", fmt::format("delay = {} ms; must be >= 0", p.modulator->delay_ms));
    }
    // Synaptic scaling happens at communication-window boundaries (multiples of d_min).
    std::int64_t d_min = std::numeric_limits<std::int64_t>::max();
    for (const auto& p : spec.projections) d_min = std::min(d_min, ms_to_steps(p.delay_ms.lowest(), h));
    for (const auto& p : spec.projections) {
        if (!p.scaling) continue;
        const std::int64_t every = ms_to_steps(p.scaling->interval_ms, h);
        if (every < 1 || every % d_min != 0 ||
            std::abs(static_cast<double>(every) * h - p.scaling->interval_ms) > 1e-9 * p.scaling->interval_ms)
            fail(p.path + ".scaling.interval",
                 fmt::format("interval = {} ms; must be a multiple of the smallest delay d_min = {} ms",
                             p.scaling->interval_ms, static_cast<double>(d_min) * h));
    }
    for (const auto& s : spec.stimuli) {
        for (std::size_t t = 0; t < s.targets.size(); ++t) {
            const auto& tg = s.targets[t];
            if (!tg.neurons) continue;
            const auto n = spec.populations[tg.population].n;
            for (std::size_t k = 0; k < tg.neurons->size(); ++k)
                if ((*tg.neurons)[k] >= n)
                    fail(fmt::format("{}.targets[{}].neurons[{}]", s.path, t, k),
                         fmt::format("neuron {} does not exist; population '{}' has {} (0 to {})", (*tg.neurons)[k],
                                     spec.populations[tg.population].name, n, n - 1));
        }
        if (!s.model->emits_current) {
            check_delay(distribution::constant(s.delay_ms), h, s.path + ".delay");
            if (!std::isfinite(s.weight)) fail(s.path + ".weight", fmt::format("weight = {}; must be finite", s.weight));
            for (const auto& tg : s.targets)
                check_receptor(spec.populations[tg.population], s.receptor, s.weight, s.weight, s.path,
                               s.path + ".weight", fmt::format("{}", s.weight));
        } else if (s.receptor) {
            fail(s.path + ".receptor", fmt::format("{} injects a current; only spike devices take a receptor", s.model->name));
        }
    }
    // Snapshots after the end of the run (t_stop after --t-stop) would never be taken,
    // unless the run writes checkpoints and is resumed later.
    const std::int64_t n_steps = ms_to_steps(sim.t_stop_ms, h);
    for (const auto& w : spec.weight_recorders)
        for (std::size_t k = 0; k < w.times.size() && !resumable; ++k)
            if (w.times[k] > n_steps)
                fail(fmt::format("{}.times[{}]", w.path, k),
                     fmt::format("{} ms; must be <= t_stop = {} ms (or the run write checkpoints, to be resumed past it)",
                                 static_cast<double>(w.times[k]) * h, sim.t_stop_ms));
    for (const auto& r : spec.state_recorders) {
        const auto n = spec.populations[r.population].n;
        for (std::size_t k = 0; k < r.neurons.size(); ++k)
            if (r.neurons[k] >= n)
                fail(fmt::format("{}.neurons[{}]", r.path, k),
                     fmt::format("neuron {} does not exist; population '{}' has {} (0 to {})", r.neurons[k],
                                 spec.populations[r.population].name, n, n - 1));
        if (!(r.interval_ms >= h) || !std::isfinite(r.interval_ms))
            fail(r.path + ".interval", fmt::format("interval = {} ms; must be >= the resolution {} ms", r.interval_ms, h));
    }
}

bool is_valid(const network_spec& spec) {
    try {
        validate(spec, true);
        return true;
    } catch (const input_error&) {
        return false;
    }
}

}  // namespace myelin
