#include <myelin/io/config.hpp>

#include <myelin/formats/json_reader.hpp>

#include <myelin/core/error.hpp>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <map>
#include <limits>
#include <set>
#include <sstream>

namespace myelin::io {

namespace {

using namespace json_input;

std::string constraint_text(constraint c, double v) {
    switch (c) {
    case constraint::positive: return std::isfinite(v) ? "must be > 0" : "must be a finite number > 0";
    case constraint::nonnegative: return "must be >= 0";  // +infinity passes
    case constraint::finite: return "must be finite";
    case constraint::any: return "";
    }
    return "";
}

bool satisfies(double v, constraint c) {
    switch (c) {
    case constraint::positive: return v > 0.0 && std::isfinite(v);
    case constraint::nonnegative: return v >= 0.0;
    case constraint::finite: return std::isfinite(v);
    case constraint::any: return !std::isnan(v);
    }
    return false;
}

// The keys of a model's parameters or state variables, and "a, b, c" from them.
template <class Info>
std::vector<std::string> key_list(const std::vector<Info>& infos) {
    std::vector<std::string> keys;
    for (const auto& info : infos) keys.push_back(info.key);
    return keys;
}
template <class Info>
std::string keys_of(const std::vector<Info>& infos) {
    return fmt::format("{}", fmt::join(key_list(infos), ", "));
}

std::string with_unit(double v, const std::string& unit) {
    return unit.empty() ? fmt::format("{}", v) : fmt::format("{} {}", v, unit);
}

class parser {
public:
    parser(const std::string& file, const model_registry& models, const external_arrays& arrays)
        : file_(file), models_(models), arrays_(arrays) {}

    network_spec run(const json& root) {
        object_reader top(root, "", file_);
        if (top.has("simulation")) simulation(top.get("simulation"));
        populations(top.get("populations"));
        if (top.has("projections")) projections(top.get("projections"));
        if (top.has("stimuli")) stimuli(top.get("stimuli"));
        recorders(top.has("recorders") ? top.get("recorders") : json::object());
        if (top.has("classifier")) classifier(top.get("classifier"));
        top.has("description");  // free text for the reader
        top.finish();
        return std::move(spec_);
    }

private:
    [[noreturn]] void fail(const std::string& path, const std::string& detail) const {
        throw input_error(file_, path, detail);
    }

    const json& array_at(object_reader& r, const std::string& key) {
        const json& a = r.get(key);
        if (!a.is_array()) fail(r.at(key), fmt::format("expected a list, got {} {}", type_name(a), show(a)));
        return a;
    }

    void simulation(const json& j) {
        object_reader r(j, "simulation", file_);
        auto& s = spec_.simulation;
        s.resolution_ms = r.number("resolution", s.resolution_ms);
        if (!satisfies(s.resolution_ms, constraint::positive))
            fail(r.at("resolution"), fmt::format("resolution = {} ms; {}", s.resolution_ms,
                                                 constraint_text(constraint::positive, s.resolution_ms)));
        s.t_stop_ms = r.number("t_stop", s.t_stop_ms);
        if (!satisfies(s.t_stop_ms, constraint::positive))
            fail(r.at("t_stop"), fmt::format("t_stop = {} ms; {}", s.t_stop_ms, constraint_text(constraint::positive, s.t_stop_ms)));
        if (r.has("seed")) {
            const auto seed = r.count("seed");
            if (seed > std::numeric_limits<std::uint32_t>::max())
                fail(r.at("seed"), fmt::format("seed = {}; must be in [0, 4294967295]", seed));
            s.seed = static_cast<std::uint32_t>(seed);
        }
        if (r.has("threads")) {
            const auto t = r.count("threads");
            if (t < 1 || t > 1024) fail(r.at("threads"), fmt::format("threads = {}; must be in [1, 1024]", t));
            s.threads = static_cast<int>(t);
        }
        if (r.has("exchange")) {
            const std::string e = r.text("exchange");
            if (e == "allgather") s.exchange = spike_exchange::allgather;
            else if (e == "targeted") s.exchange = spike_exchange::targeted;
            else fail(r.at("exchange"), fmt::format("exchange = '{}'; must be 'allgather' or 'targeted'", e));
        }
        if (r.has("simd")) {
            const std::string v = r.text("simd");
            if (v != "auto" && v != "off") fail(r.at("simd"), fmt::format("simd = '{}'; must be 'auto' or 'off'", v));
            s.simd = v == "auto";
        }
        r.finish();
    }

    const model_info& model(object_reader& r, model_kind kind) {
        const std::string name = r.text("model");
        const model_info* m = models_.find(name);
        if (!m || m->kind != kind)
            fail(r.at("model"), fmt::format("unknown {} model '{}'{}; known: {}",
                                            kind == model_kind::neuron     ? "neuron"
                                            : kind == model_kind::stimulus ? "stimulus"
                                                                           : "synapse",
                                            name, suggestion(name, models_.names(kind)),
                                            fmt::join(models_.names(kind), ", ")));
        return *m;
    }

    std::vector<std::string> modulated_models() const {
        std::vector<std::string> out;
        for (const auto& name : models_.names(model_kind::synapse))
            if (models_.find(name)->modulated) out.push_back(name);
        return out;
    }

    // A model's parameters. With `varying` (neuron models), a number parameter may also be
    // given per neuron: a list of `n` numbers, or a distribution drawn per neuron; those go
    // into `varying` and their neurons are checked by validate() (network_spec.cpp).
    param_values params(object_reader& owner, const model_info& m, std::vector<varying_param>* varying = nullptr,
                        std::size_t n = 0) {
        param_values values = m.default_values();
        if (owner.has("params")) {
            const json& j = owner.get("params");
            const std::string path = owner.at("params");
            if (!j.is_object()) fail(path, fmt::format("expected an object, got {} {}", type_name(j), show(j)));
            for (auto it = j.begin(); it != j.end(); ++it) {
                const std::string p = path + "." + it.key();
                const auto index = m.param_index(it.key());
                if (!index)
                    fail(p, fmt::format("unknown parameter '{}' of model {}{}; known: {}", it.key(), m.name,
                                        suggestion(it.key(), key_list(m.params)), keys_of(m.params)));
                const param_info& info = m.params[*index];
                const json& v = it.value();
                if (varying && std::holds_alternative<double>(info.default_value) && (v.is_array() || v.is_object()))
                    varying->push_back({*index, per_neuron(info, v, p, owner, n), p, {}});
                else if (varying && m.sign_rule && std::holds_alternative<std::vector<double>>(info.default_value) &&
                         v.is_array() && !v.empty() && v[0].is_array())
                    varying->push_back({*index, {}, p, lists_per_neuron(info, v, p, owner, n)});
                else
                    values[*index] = param(info, v, p, owner);
            }
        }
        if (varying && !varying->empty()) return values;
        if (auto problem = m.check(values, spec_.simulation.resolution_ms))
            fail(owner.at("params") + "." + problem->key, problem->message);
        return values;
    }

    // A list parameter per neuron (spike times): n lists of numbers.
    std::vector<std::vector<double>> lists_per_neuron(const param_info& info, const json& v, const std::string& path,
                                                      const object_reader& r, std::size_t n) {
        if (v.size() != n)
            fail(path, fmt::format("{}: {} lists for {} neurons; give one list per neuron, or one list for all", info.key,
                                   v.size(), n));
        std::vector<std::vector<double>> out(n);
        for (std::size_t i = 0; i < n; ++i) {
            const std::string at = fmt::format("{}[{}]", path, i);
            out[i] = std::get<std::vector<double>>(param(info, v[i], at, r));
        }
        return out;
    }

    // A number parameter per neuron: n values, each within the parameter's rule, or a
    // distribution that can only draw values within it.
    distribution per_neuron(const param_info& info, const json& v, const std::string& path, const object_reader& r,
                            std::size_t n) {
        if (v.is_array()) {
            if (v.size() != n)
                fail(path, fmt::format("{}: {} values for {} neurons; give one per neuron, or one number for all",
                                       info.key, v.size(), n));
            distribution d;
            d.type = distribution::kind::list;
            for (std::size_t i = 0; i < v.size(); ++i) {
                const std::string at = fmt::format("{}[{}]", path, i);
                const double x = r.as_number(v[i], at);
                if (!satisfies(x, info.rule))
                    fail(at, fmt::format("{} = {}; {}", info.key, with_unit(x, info.unit), constraint_text(info.rule, x)));
                d.values.push_back(x);
            }
            return d;
        }
        distribution d = dist(v, path, r);
        if (d.type == distribution::kind::lognormal) return d;  // draws are > 0
        const double lo = d.lowest();
        const bool ok = info.rule == constraint::positive ? lo > 0.0 : info.rule != constraint::nonnegative || lo >= 0.0;
        if (!ok)
            fail(path, fmt::format("{}: the {} distribution can draw {}, and {} {}; {}", info.key,
                                   d.type == distribution::kind::uniform ? "uniform" : "normal", with_unit(lo, info.unit),
                                   info.key, constraint_text(info.rule, lo),
                                   d.type == distribution::kind::uniform ? "raise low" : "bound it with min"));
        return d;
    }

    param_value param(const param_info& info, const json& v, const std::string& path, const object_reader& r) {
        auto number = [&](const json& x, const std::string& at) {
            const double d = r.as_number(x, at);
            if (!satisfies(d, info.rule))
                fail(at, fmt::format("{} = {}; {}", info.key, with_unit(d, info.unit), constraint_text(info.rule, d)));
            return d;
        };
        if (std::holds_alternative<bool>(info.default_value)) {
            if (!v.is_boolean()) fail(path, fmt::format("{}: expected true or false, got {} {}", info.key, type_name(v), show(v)));
            return v.get<bool>();
        }
        if (std::holds_alternative<std::vector<double>>(info.default_value)) {
            if (!v.is_array()) fail(path, fmt::format("{}: expected a list of numbers, got {} {}", info.key, type_name(v), show(v)));
            std::vector<double> out;
            for (std::size_t i = 0; i < v.size(); ++i) out.push_back(number(v[i], fmt::format("{}[{}]", path, i)));
            return out;
        }
        return number(v, path);
    }

    distribution dist(const json& v, const std::string& path, const object_reader& r) {
        if (!v.is_object()) return distribution::constant(r.as_number(v, path));
        object_reader d(v, path, file_);
        distribution out;
        const std::string type = d.text("distribution");
        auto positive = [&](const std::string& key, double x) {
            if (!satisfies(x, constraint::positive))
                fail(d.at(key), fmt::format("{} = {}; {}", key, x, constraint_text(constraint::positive, x)));
        };
        auto finite = [&](const std::string& key, double x) {
            if (!std::isfinite(x)) fail(d.at(key), fmt::format("{} = {}; must be finite", key, x));
        };
        if (type == "uniform") {
            out.type = distribution::kind::uniform;
            out.low = d.number("low");
            out.high = d.number("high");
            finite("low", out.low);
            finite("high", out.high);
            if (!(out.low < out.high))
                fail(d.at("high"), fmt::format("high = {}; must be > low = {}", out.high, out.low));
        } else if (type == "normal" || type == "lognormal") {
            const bool normal = type == "normal";
            out.type = normal ? distribution::kind::normal : distribution::kind::lognormal;
            if (normal) {
                out.mean = d.number("mean");
                out.std = d.number("std");
                finite("mean", out.mean);
                positive("std", out.std);
            } else {
                out.mu = d.number("mu");
                out.sigma = d.number("sigma");
                finite("mu", out.mu);
                positive("sigma", out.sigma);
            }
            out.min = d.number("min", out.min);
            out.max = d.number("max", out.max);
            if (!(out.min < out.max)) fail(d.at("max"), fmt::format("max = {}; must be > min = {}", out.max, out.min));
        } else {
            fail(d.at("distribution"),
                 fmt::format("unknown distribution '{}'{}; known: uniform, normal, lognormal", type,
                             suggestion(type, std::vector<std::string>{"uniform", "normal", "lognormal"})));
        }
        d.finish();
        return out;
    }

    std::size_t population_ref(const json& v, const std::string& path) {
        if (!v.is_string()) fail(path, fmt::format("expected a population name, got {} {}", type_name(v), show(v)));
        const auto name = v.get<std::string>();
        const auto index = spec_.population_index(name);
        if (!index) {
            std::vector<std::string> names;
            for (const auto& p : spec_.populations) names.push_back(p.name);
            fail(path, fmt::format("unknown population '{}'{}; defined: {}", name, suggestion(name, names),
                                   fmt::join(names, ", ")));
        }
        return *index;
    }

    // The array a value {"$array": k} stands for, else null.
    const std::span<const double>* external(const json& v, const std::string& path) const {
        if (!v.is_object() || v.size() != 1 || !v.contains("$array")) return nullptr;
        const json& k = v["$array"];
        if (!k.is_number_unsigned() || k.get<std::uint64_t>() >= arrays_.size())
            fail(path, fmt::format("{}: no such array; {} were given beside the config", show(v), arrays_.size()));
        return &arrays_[k.get<std::size_t>()];
    }

    std::vector<std::uint64_t> neuron_list(const json& v, const std::string& path, const object_reader& r) {
        if (const auto* a = external(v, path)) {
            std::vector<std::uint64_t> out(a->size());
            for (std::size_t i = 0; i < a->size(); ++i) {
                const double x = (*a)[i];
                if (!(x >= 0.0 && x < 9007199254740992.0 && x == std::floor(x)))
                    fail(fmt::format("{}[{}]", path, i), fmt::format("{}; must be a whole number >= 0", x));
                out[i] = static_cast<std::uint64_t>(x);
            }
            return out;
        }
        if (!v.is_array()) fail(path, fmt::format("expected a list of neuron indices, got {} {}", type_name(v), show(v)));
        std::vector<std::uint64_t> out;
        for (std::size_t i = 0; i < v.size(); ++i) out.push_back(r.as_count(v[i], fmt::format("{}[{}]", path, i)));
        return out;
    }

    void populations(const json& j) {
        if (!j.is_array() || j.empty())
            fail("populations", fmt::format("expected a non-empty list of populations, got {}", show(j)));
        for (std::size_t i = 0; i < j.size(); ++i) {
            object_reader r(j[i], fmt::format("populations[{}]", i), file_);
            population_spec p;
            p.path = r.path();
            p.name = r.text("name");
            if (p.name.empty() || p.name.find('/') != std::string::npos)
                fail(r.at("name"), fmt::format("name '{}'; must be non-empty and contain no '/'", p.name));
            if (spec_.population_index(p.name))
                fail(r.at("name"), fmt::format("name '{}' is used by an earlier population; names must be unique", p.name));
            const model_info& m = model(r, model_kind::neuron);
            p.model = &m;
            p.n = r.count("n");
            p.params = params(r, m, &p.varying, p.n);
            p.ports = m.ports(p.params);
            if (r.has("receptors")) rename_ports(r, p);
            p.state = m.state_for(p.ports);
            if (r.has("initial")) {
                const json& init = r.get("initial");
                object_reader ir(init, r.at("initial"), file_);
                for (auto it = init.begin(); it != init.end(); ++it) {
                    const auto var = p.state_index(it.key());
                    if (!var)
                        fail(ir.at(it.key()), fmt::format("unknown state variable '{}' of model {}{}; known: {}",
                                                          it.key(), m.name, suggestion(it.key(), key_list(p.state)),
                                                          keys_of(p.state)));
                    ir.has(it.key());
                    const std::string at = ir.at(it.key());
                    if (it.value().is_array()) {  // one value per neuron
                        if (it.value().size() != p.n)
                            fail(at, fmt::format("{}: {} values for {} neurons; give one per neuron, or one number or a "
                                                 "distribution for all", it.key(), it.value().size(), p.n));
                        distribution d;
                        d.type = distribution::kind::list;
                        for (std::size_t k = 0; k < p.n; ++k)
                            d.values.push_back(r.as_number(it.value()[k], fmt::format("{}[{}]", at, k)));
                        p.initial.push_back({*var, std::move(d), at});
                    } else {
                        p.initial.push_back({*var, dist(it.value(), at, ir), at});
                    }
                }
            }
            if (r.has("output_as")) {
                object_reader o(r.get("output_as"), r.at("output_as"), file_);
                p.output_population = o.text("population");
                if (p.output_population.empty() || p.output_population.find('/') != std::string::npos)
                    fail(o.at("population"), fmt::format("name '{}'; must be non-empty and contain no '/'", p.output_population));
                p.output_ids = neuron_list(o.get("node_ids"), o.at("node_ids"), o);
                if (p.output_ids.size() != p.n)
                    fail(o.at("node_ids"), fmt::format("{} node ids for {} neurons; one per neuron", p.output_ids.size(), p.n));
                o.finish();
            }
            r.finish();
            spec_.populations.push_back(std::move(p));
        }
        // Two neurons must not be written as the same (population, node id). Only
        // populations written under another name can collide.
        std::map<std::string, std::vector<std::pair<std::uint64_t, std::size_t>>> written;  // id, population
        for (std::size_t q = 0; q < spec_.populations.size(); ++q) {
            const auto& p = spec_.populations[q];
            if (!p.output_population.empty())
                for (auto id : p.output_ids) written[p.output_population].push_back({id, q});
        }
        for (auto& [name, ids] : written) {
            if (const auto plain = spec_.population_index(name); plain && spec_.populations[*plain].output_population.empty())
                for (std::size_t i = 0; i < spec_.populations[*plain].n; ++i) ids.push_back({i, *plain});
            std::sort(ids.begin(), ids.end());
            for (std::size_t k = 1; k < ids.size(); ++k)
                if (ids[k].first == ids[k - 1].first)
                    fail(spec_.populations[ids[k].second].path,
                         fmt::format("node {} of output population '{}' is also written by {}", ids[k].first, name,
                                     spec_.populations[ids[k - 1].second].path));
        }
    }

    // "receptors": names for a multisynapse model's ports (by default "1", "2", ... as
    // NEST's receptor types), one per port, e.g. ["AMPA", "NMDA", "GABA_A"].
    void rename_ports(object_reader& r, population_spec& p) {
        const json& names = array_at(r, "receptors");
        if (p.model->sign_rule)
            fail(r.at("receptors"), fmt::format("{} has the fixed ports excitatory and inhibitory; only models with "
                                                "numbered ports (multisynapse) take names", p.model->name));
        if (names.size() != p.ports.size())
            fail(r.at("receptors"), fmt::format("{} names for {} ports (one per entry of the model's per-port "
                                                "parameters)", names.size(), p.ports.size()));
        for (std::size_t q = 0; q < names.size(); ++q) {
            const std::string path = fmt::format("{}[{}]", r.at("receptors"), q);
            if (!names[q].is_string()) fail(path, fmt::format("expected a port name, got {}", show(names[q])));
            const std::string name = names[q].get<std::string>();
            if (name.empty() || name == "current" || name.find_first_of("/. ") != std::string::npos)
                fail(path, fmt::format("name '{}'; must be non-empty, not 'current', without '/', '.' or spaces", name));
            for (std::size_t o = 0; o < q; ++o)
                if (p.ports[o].name == name) fail(path, fmt::format("name '{}' is used by port {}", name, o + 1));
            p.ports[q].name = name;
        }
    }

    // A projection's or spike device's "receptor": a port's name, or a number naming the
    // port of that name (NEST's receptor_type 1, 2, ... of multisynapse models).
    std::size_t receptor_ref(const json& v, const std::string& path, const population_spec& target) {
        std::string name;
        if (v.is_string()) name = v.get<std::string>();
        else if (v.is_number_unsigned()) name = std::to_string(v.get<std::uint64_t>());
        else fail(path, fmt::format("expected a port name or number, got {} {}", type_name(v), show(v)));
        if (const auto q = target.port_index(name)) return *q;
        std::vector<std::string> known;
        for (const auto& port : target.ports) known.push_back(port.name);
        fail(path, fmt::format("unknown port {} of {} (population '{}'){}; known: {}", show(v), target.model->name,
                               target.name, suggestion(name, known), fmt::join(known, ", ")));
    }

    void projections(const json& j) {
        if (!j.is_array()) fail("projections", fmt::format("expected a list, got {}", show(j)));
        for (std::size_t i = 0; i < j.size(); ++i) {
            object_reader r(j[i], fmt::format("projections[{}]", i), file_);
            projection_spec p;
            p.path = r.path();
            p.source = population_ref(r.get("source"), r.at("source"));
            p.target = population_ref(r.get("target"), r.at("target"));
            p.rule = rule(r.get("connection"), r.at("connection"));
            if (r.has("receptor")) p.receptor = receptor_ref(r.get("receptor"), r.at("receptor"), spec_.populations[p.target]);
            p.weight = synapse_values(r, "weight", p.rule);
            p.delay_ms = synapse_values(r, "delay", p.rule);
            if (r.has("synapse")) {
                object_reader sr(r.get("synapse"), r.at("synapse"), file_);
                const model_info& m = model(sr, model_kind::synapse);
                p.synapse = &m;
                p.synapse_params = params(sr, m);
                if (sr.has("modulator")) {
                    if (!m.modulated)
                        fail(sr.at("modulator"), fmt::format("{} is not driven by a neuromodulator; only modulated "
                                                             "models ({}) take a modulator", m.name,
                                                             fmt::join(modulated_models(), ", ")));
                    object_reader mr(sr.get("modulator"), sr.at("modulator"), file_);
                    modulator_spec x;
                    x.path = mr.path();
                    x.population = population_ref(mr.get("source"), mr.at("source"));
                    x.delay_ms = mr.number("delay", x.delay_ms);
                    mr.finish();
                    p.modulator = x;
                } else if (m.modulated) {
                    fail(sr.path(), fmt::format("{} needs a modulator: \"modulator\": {{\"source\": POPULATION, "
                                                "\"delay\": ms}} (the population whose spikes carry dopamine)", m.name));
                }
                sr.finish();
            }
            if (r.has("scaling")) {
                object_reader sc(r.get("scaling"), r.at("scaling"), file_);
                scaling_spec x;
                x.target_rate_hz = sc.number("target_rate");
                if (!(x.target_rate_hz > 0.0) || !std::isfinite(x.target_rate_hz))
                    fail(sc.at("target_rate"), fmt::format("target_rate = {} Hz; must be > 0", x.target_rate_hz));
                x.tau_ms = sc.number("tau", x.tau_ms);
                if (!(x.tau_ms > 0.0) || !std::isfinite(x.tau_ms))
                    fail(sc.at("tau"), fmt::format("tau = {} ms; must be > 0", x.tau_ms));
                x.beta = sc.number("beta", x.beta);
                if (!std::isfinite(x.beta)) fail(sc.at("beta"), fmt::format("beta = {}; must be finite", x.beta));
                x.interval_ms = sc.number("interval", x.interval_ms);
                if (!(x.interval_ms > 0.0) || !std::isfinite(x.interval_ms))
                    fail(sc.at("interval"), fmt::format("interval = {} ms; must be > 0", x.interval_ms));
                sc.finish();
                p.scaling = x;
            }
            r.finish();
            spec_.projections.push_back(std::move(p));
        }
    }

    // A projection's weight or delay: a constant, a distribution, or (explicit connections
    // only, which take no distribution) one value per listed synapse.
    distribution synapse_values(object_reader& r, const std::string& key, const rule_spec& rule) {
        const json& v = r.get(key);
        const bool listed = rule.type == connection_rule::explicit_pairs;
        if (const auto* a = listed ? external(v, r.at(key)) : nullptr) {
            distribution out;
            out.type = distribution::kind::list;
            out.values.assign(a->begin(), a->end());
            for (std::size_t k = 0; k < out.values.size(); ++k)
                if (!std::isfinite(out.values[k]))
                    fail(fmt::format("{}[{}]", r.at(key), k), fmt::format("{}; must be a finite number", out.values[k]));
            return out;
        }
        if (v.is_array()) {
            if (!listed)
                fail(r.at(key), fmt::format("a list of {} values; only explicit connections take one value per "
                                            "synapse", v.size()));
            distribution out;
            out.type = distribution::kind::list;
            for (std::size_t k = 0; k < v.size(); ++k) out.values.push_back(r.as_number(v[k], fmt::format("{}[{}]", r.at(key), k)));
            return out;
        }
        if (listed && v.is_object())
            fail(r.at(key), "explicit connections take a constant or a list with one value per synapse, not a distribution");
        return dist(v, r.at(key), r);
    }

    rule_spec rule(const json& j, const std::string& path) {
        object_reader r(j, path, file_);
        rule_spec out;
        const std::string type = r.text("rule");
        static const std::pair<const char*, connection_rule> rules[] = {
            {"all_to_all", connection_rule::all_to_all},
            {"one_to_one", connection_rule::one_to_one},
            {"fixed_indegree", connection_rule::fixed_indegree},
            {"fixed_outdegree", connection_rule::fixed_outdegree},
            {"pairwise_bernoulli", connection_rule::pairwise_bernoulli},
            {"fixed_total_number", connection_rule::fixed_total_number},
            {"explicit", connection_rule::explicit_pairs},
        };
        bool found = false;
        for (auto [name, value] : rules)
            if (type == name) {
                out.type = value;
                found = true;
            }
        if (!found) {
            std::vector<std::string> names;
            for (auto [name, value] : rules) names.emplace_back(name);
            fail(r.at("rule"), fmt::format("unknown rule '{}'{}; known: {}", type, suggestion(type, names),
                                           fmt::join(names, ", ")));
        }
        switch (out.type) {
        case connection_rule::fixed_indegree: out.count = r.count("indegree"); break;
        case connection_rule::fixed_outdegree: out.count = r.count("outdegree"); break;
        case connection_rule::fixed_total_number: out.count = r.count("N"); break;
        case connection_rule::pairwise_bernoulli: out.p = r.number("p"); break;
        case connection_rule::explicit_pairs:
            out.sources = neuron_list(r.get("sources"), r.at("sources"), r);
            out.targets = neuron_list(r.get("targets"), r.at("targets"), r);
            if (out.sources.size() != out.targets.size())
                fail(r.at("targets"), fmt::format("{} targets for {} sources; the lists pair up", out.targets.size(),
                                                  out.sources.size()));
            break;
        default: break;
        }
        if (out.count > std::numeric_limits<std::uint32_t>::max())
            fail(path, fmt::format("count {} is too large; must be < 2^32", out.count));
        out.allow_autapses = r.flag("allow_autapses", true);
        out.allow_multapses = r.flag("allow_multapses", true);
        r.finish();
        return out;
    }

    void stimuli(const json& j) {
        if (!j.is_array()) fail("stimuli", fmt::format("expected a list, got {}", show(j)));
        for (std::size_t i = 0; i < j.size(); ++i) {
            object_reader r(j[i], fmt::format("stimuli[{}]", i), file_);
            stimulus_spec s;
            s.path = r.path();
            s.name = r.has("name") ? r.text("name") : fmt::format("stimulus{}", i);
            const model_info& m = model(r, model_kind::stimulus);
            s.model = &m;
            s.params = params(r, m);
            const json& targets = array_at(r, "targets");
            if (targets.empty()) fail(r.at("targets"), "must list at least one population");
            for (std::size_t t = 0; t < targets.size(); ++t) {
                const std::string tp = fmt::format("{}[{}]", r.at("targets"), t);
                if (targets[t].is_string()) {
                    s.targets.push_back({population_ref(targets[t], tp), std::nullopt});
                } else {
                    object_reader tr(targets[t], tp, file_);
                    stimulus_target target{population_ref(tr.get("population"), tr.at("population")), std::nullopt};
                    if (tr.has("neurons")) target.neurons = neuron_list(tr.get("neurons"), tr.at("neurons"), tr);
                    tr.finish();
                    s.targets.push_back(std::move(target));
                }
            }
            if (!m.emits_current) {
                s.weight = r.number("weight");
                s.delay_ms = r.number("delay", spec_.simulation.resolution_ms);
                if (r.has("receptor"))
                    for (const auto& target : s.targets) {
                        const auto q = receptor_ref(r.get("receptor"), r.at("receptor"), spec_.populations[target.population]);
                        if (s.receptor && *s.receptor != q)
                            fail(r.at("receptor"), fmt::format("port {} is port {} of one target population and {} of "
                                                               "another; use one device per population",
                                                               show(r.get("receptor")), *s.receptor + 1, q + 1));
                        s.receptor = q;
                    }
            } else if (r.has("receptor")) {
                fail(r.at("receptor"), fmt::format("{} injects a current; only spike devices take a receptor", m.name));
            }
            r.finish();
            spec_.stimuli.push_back(std::move(s));
        }
    }

    void recorders(const json& j) {
        object_reader r(j, "recorders", file_);
        spike_recorder_spec spikes;
        bool record_spikes = true;
        if (r.has("spikes")) {
            const json& s = r.get("spikes");
            if (s.is_boolean()) {
                record_spikes = s.get<bool>();
            } else {
                object_reader sr(s, r.at("spikes"), file_);
                const json& pops = sr.get("populations");
                if (!pops.is_array())
                    fail(sr.at("populations"), fmt::format("expected a list of population names, got {}", show(pops)));
                for (std::size_t i = 0; i < pops.size(); ++i)
                    spikes.populations.push_back(population_ref(pops[i], fmt::format("{}[{}]", sr.at("populations"), i)));
                sr.finish();
            }
        } else {
            for (std::size_t i = 0; i < spec_.populations.size(); ++i) spikes.populations.push_back(i);
        }
        if (record_spikes) spec_.spikes = spikes;
        if (r.has("state")) {
            const json& list = array_at(r, "state");
            std::set<std::string> names;
            for (std::size_t i = 0; i < list.size(); ++i) {
                object_reader sr(list[i], fmt::format("recorders.state[{}]", i), file_);
                state_recorder_spec s;
                s.path = sr.path();
                s.name = recorder_name(sr, names, "state");
                s.population = population_ref(sr.get("population"), sr.at("population"));
                const auto& pop = spec_.populations[s.population];
                s.neurons = neuron_list(sr.get("neurons"), sr.at("neurons"), sr);
                const json& vars = array_at(sr, "variables");
                if (vars.empty()) fail(sr.at("variables"), "must name at least one state variable");
                for (std::size_t v = 0; v < vars.size(); ++v) {
                    const std::string vp = fmt::format("{}[{}]", sr.at("variables"), v);
                    const auto index = vars[v].is_string() ? pop.state_index(vars[v].get<std::string>()) : std::nullopt;
                    if (!index)
                        fail(vp, fmt::format("unknown state variable {} of model {}{}; known: {}", show(vars[v]),
                                             pop.model->name,
                                             vars[v].is_string() ? suggestion(vars[v].get<std::string>(), key_list(pop.state)) : "",
                                             keys_of(pop.state)));
                    s.variables.push_back(*index);
                }
                s.interval_ms = sr.number("interval", spec_.simulation.resolution_ms);
                sr.finish();
                spec_.state_recorders.push_back(std::move(s));
            }
        }
        if (r.has("weights")) weight_recorders(r);
        r.finish();
    }

    void classifier(const json& j) {
        object_reader r(j, "classifier", file_);
        classifier_spec c;
        const std::string name = r.text("recorder");
        const auto& list = spec_.state_recorders;
        const auto it = std::find_if(list.begin(), list.end(), [&](const auto& s) { return s.name == name; });
        if (it == list.end()) {
            std::vector<std::string> names;
            for (const auto& s : list) names.push_back(s.name);
            fail(r.at("recorder"), fmt::format("'{}' is not a state recorder; there {}", name,
                                               names.empty() ? "are none" : "are: " + fmt::format("{}", fmt::join(names, ", "))));
        }
        if (it->variables.size() != 1)
            fail(r.at("recorder"), fmt::format("'{}' records {} variables; a classifier reads one", name, it->variables.size()));
        c.recorder = static_cast<std::size_t>(it - list.begin());
        if (r.has("readout")) {
            const std::string k = r.text("readout");
            if (k == "mean") c.kind = classifier_spec::readout::mean;
            else if (k == "max") c.kind = classifier_spec::readout::max;
            else if (k == "last") c.kind = classifier_spec::readout::last;
            else fail(r.at("readout"), fmt::format("'{}' is not one of mean, max, last", k));
        }
        if (r.has("first_sample")) c.first_sample = r.count("first_sample");
        if (r.has("label")) {
            c.label = r.count("label");
            if (*c.label >= it->neurons.size())
                fail(r.at("label"), fmt::format("{}; the recorder lists {} neurons, classes 0 to {}", *c.label,
                                                it->neurons.size(), it->neurons.size() - 1));
        }
        r.finish();
        spec_.classifier = c;
    }

    // A recorder's name becomes part of a file name: no separators, unique among its kind.
    std::string recorder_name(object_reader& r, std::set<std::string>& names, const char* kind) {
        std::string name = r.text("name");
        if (name.empty() || name.find_first_of("/\\.") != std::string::npos)
            fail(r.at("name"), fmt::format("name '{}'; must be non-empty without '/', '\\' or '.'", name));
        if (!names.insert(name).second)
            fail(r.at("name"), fmt::format("name '{}' is used by another {} recorder", name, kind));
        return name;
    }

    void weight_recorders(object_reader& r) {
        const json& list = array_at(r, "weights");
        const double h = spec_.simulation.resolution_ms;
        std::set<std::string> names;
        for (std::size_t i = 0; i < list.size(); ++i) {
            object_reader wr(list[i], fmt::format("recorders.weights[{}]", i), file_);
            weight_recorder_spec w;
            w.path = wr.path();
            w.name = recorder_name(wr, names, "weight");
            const std::uint64_t j = wr.count("projection");
            if (j >= spec_.projections.size())
                fail(wr.at("projection"), fmt::format("projection {} does not exist; there are {} (0 to {})", j,
                                                      spec_.projections.size(), spec_.projections.size() - 1));
            w.projection = j;
            const auto& proj = spec_.projections[j];
            auto neurons = [&](const std::string& key, std::size_t pop) {
                auto v = neuron_list(wr.get(key), wr.at(key), wr);
                const auto n = spec_.populations[pop].n;
                for (std::size_t k = 0; k < v.size(); ++k)
                    if (v[k] >= n)
                        fail(fmt::format("{}[{}]", wr.at(key), k),
                             fmt::format("neuron {} does not exist; population '{}' has {} (0 to {})", v[k],
                                         spec_.populations[pop].name, n, n - 1));
                return v;
            };
            if (wr.has("sources")) w.sources = neurons("sources", proj.source);
            if (wr.has("targets")) w.targets = neurons("targets", proj.target);
            if (wr.has("times") && wr.has("interval"))
                fail(wr.path(), "give either times or interval, not both");
            if (wr.has("times")) {
                const json& times = array_at(wr, "times");
                for (std::size_t k = 0; k < times.size(); ++k) {
                    const std::string tp = fmt::format("{}[{}]", wr.at("times"), k);
                    const double t = wr.as_number(times[k], tp);
                    const step_t step = ms_to_steps(t, h);
                    if (!(t >= 0.0) || std::abs(static_cast<double>(step) * h - t) > 1e-9 * std::max(1.0, t))
                        fail(tp, fmt::format("{} ms; must be >= 0 and on the grid of the resolution {} ms", t, h));
                    if (!w.times.empty() && step <= w.times.back())
                        fail(tp, fmt::format("{} ms; times must be ascending", t));
                    w.times.push_back(step);
                }
            }
            if (wr.has("interval")) {
                const double iv = wr.number("interval");
                const step_t every = ms_to_steps(iv, h);
                if (!(iv >= h) || !std::isfinite(iv) || std::abs(static_cast<double>(every) * h - iv) > 1e-9 * iv)
                    fail(wr.at("interval"),
                         fmt::format("interval = {} ms; must be a multiple of the resolution {} ms", iv, h));
                w.interval = every;
            }
            w.events = wr.flag("events", false);
            if (w.events && !(proj.synapse && proj.synapse->plastic))
                fail(wr.at("events"), fmt::format("events = true, but projection {} has no plastic synapse model: "
                                                  "its weights never change", j));
            if (w.times.empty() && w.interval == 0 && !w.events)
                fail(wr.path(), "records nothing: give times, interval or events = true");
            wr.finish();
            spec_.weight_recorders.push_back(std::move(w));
        }
    }

    const std::string& file_;
    const model_registry& models_;
    const external_arrays& arrays_;
    network_spec spec_;
};

// Every {"$array": k} below `v` written out as its list.
void expand(json& v, const external_arrays& arrays) {
    if (v.is_object() && v.size() == 1 && v.contains("$array") && v["$array"].is_number_unsigned() &&
        v["$array"].get<std::uint64_t>() < arrays.size()) {
        const auto& a = arrays[v["$array"].get<std::size_t>()];
        v = json(std::vector<double>(a.begin(), a.end()));
        return;
    }
    if (v.is_structured())
        for (auto& item : v) expand(item, arrays);
}

}  // namespace

network_spec parse_config(const std::string& json_text, const std::string& file, const model_registry& models,
                          const external_arrays& arrays) {
    return parser(file, models, arrays).run(parse_json(json_text, file));
}

std::string expand_arrays(const std::string& json_text, const external_arrays& arrays) {
    json root = parse_json(json_text, "<config>");
    expand(root, arrays);
    return root.dump();
}

void apply(const config_overrides& o, network_spec& spec) {
    if (o.seed) spec.simulation.seed = *o.seed;
    if (o.t_stop_ms) spec.simulation.t_stop_ms = *o.t_stop_ms;
    if (o.threads) spec.simulation.threads = *o.threads;
    if (o.exchange) spec.simulation.exchange = *o.exchange;
}

network_spec prepare_network(const std::string& json_text, const std::string& file, const config_overrides& overrides,
                             const model_registry& models, const external_arrays& arrays) {
    network_spec spec = parse_config(json_text, file, models, arrays);
    apply(overrides, spec);
    try {
        validate(spec, overrides.resumable);
    } catch (const input_error& e) {
        throw e.in_file(file);
    }
    return spec;
}

network_spec load_config(const std::filesystem::path& file, const model_registry& models) {
    return prepare_network(read_config_text(file), file.string(), {}, models);
}

}  // namespace myelin::io
