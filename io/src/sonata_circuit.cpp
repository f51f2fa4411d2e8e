#include <myelin/core/error.hpp>
#include <myelin/io/sonata.hpp>
#include <myelin/io/sonata_circuit.hpp>

#include <myelin/formats/h5.hpp>
#include <myelin/formats/json_reader.hpp>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <iterator>
#include <map>
#include <optional>
#include <sstream>

namespace myelin::io {

namespace fs = std::filesystem;
using json = nlohmann::json;
using ordered = nlohmann::ordered_json;

namespace {

json read_json(const fs::path& file) {
    std::ifstream in(file);
    if (!in) throw input_error(file.string(), "", "no such file or not readable");
    return json_input::parse_json(std::string(std::istreambuf_iterator<char>(in), {}), file.string());
}

// "$NAME" and "${NAME}" replaced by the manifest's values (which may use each other).
std::string expand(std::string s, const std::map<std::string, std::string>& manifest) {
    for (int round = 0; round < 10 && s.find('$') != std::string::npos; ++round)
        for (const auto& [key, value] : manifest) {
            const std::string bare = key.starts_with('$') ? key.substr(1) : key;
            for (const std::string& pattern : {"${" + bare + "}", "$" + bare}) {
                for (auto pos = s.find(pattern); pos != std::string::npos; pos = s.find(pattern, pos + value.size()))
                    s.replace(pos, pattern.size(), value);
            }
        }
    return s;
}

// A path from the config: manifest variables expanded, relative to the config's folder.
fs::path path_of(const std::string& text, const std::map<std::string, std::string>& manifest, const fs::path& base) {
    fs::path p = expand(text, manifest);
    return (p.is_absolute() ? p : base / p).lexically_normal();
}

std::map<std::string, std::string> manifest_of(const json& config, const fs::path& file) {
    std::map<std::string, std::string> m;
    if (!config.contains("manifest")) return m;
    if (!config["manifest"].is_object()) throw input_error(file.string(), "manifest", "must be an object of paths");
    for (const auto& [k, v] : config["manifest"].items()) {
        if (!v.is_string()) throw input_error(file.string(), "manifest." + k, "must be a path (text)");
        m[k] = v.get<std::string>();
    }
    return m;
}

// A SONATA type table: columns separated by spaces, fields quoted with ".
struct table {
    std::vector<std::string> columns;
    std::vector<std::vector<std::string>> rows;
    std::string file;
    std::optional<std::size_t> column(const std::string& name) const {
        const auto it = std::find(columns.begin(), columns.end(), name);
        return it == columns.end() ? std::nullopt : std::optional(static_cast<std::size_t>(it - columns.begin()));
    }
};

std::vector<std::string> split_fields(const std::string& line) {
    std::vector<std::string> out;
    std::size_t i = 0;
    while (i < line.size()) {
        while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
        if (i >= line.size()) break;
        std::string field;
        if (line[i] == '"') {
            for (++i; i < line.size(); ++i) {
                if (line[i] == '"' && i + 1 < line.size() && line[i + 1] == '"') field += line[++i];
                else if (line[i] == '"') break;
                else field += line[i];
            }
            ++i;
        } else {
            while (i < line.size() && line[i] != ' ' && line[i] != '\t') field += line[i++];
        }
        out.push_back(field);
    }
    return out;
}

table read_table(const fs::path& file) {
    std::ifstream in(file);
    if (!in) throw input_error(file.string(), "", "no such file or not readable");
    table t;
    t.file = file.string();
    std::string line;
    for (int number = 1; std::getline(in, line); ++number) {
        if (!line.empty() && line.back() == '\r') line.pop_back();
        if (line.find_first_not_of(" \t") == std::string::npos) continue;
        auto fields = split_fields(line);
        if (t.columns.empty()) {
            t.columns = std::move(fields);
            continue;
        }
        if (fields.size() != t.columns.size())
            throw input_error(t.file, fmt::format("line {}", number),
                              fmt::format("{} fields for {} columns ({})", fields.size(), t.columns.size(), fmt::join(t.columns, " ")));
        t.rows.push_back(std::move(fields));
    }
    if (!t.column(t.columns.empty() ? "" : t.columns[0])) throw input_error(t.file, "", "no header line");
    return t;
}

double number_of(const std::string& text, const std::string& file, const std::string& where) {
    std::size_t used = 0;
    double v = 0.0;
    try {
        v = std::stod(text, &used);
    } catch (const std::exception&) {
        used = 0;
    }
    if (used != text.size() || text.empty()) throw input_error(file, where, fmt::format("'{}' is not a number", text));
    return v;
}

std::vector<std::uint64_t> read_ids(hid_t g, const std::string& name) {
    std::vector<std::uint64_t> out;
    for (double v : h5::read_numbers(g, name)) out.push_back(static_cast<std::uint64_t>(v));
    return out;
}

// Calls f(group, name, where) for each population under /TOP of a SONATA nodes or edges
// file; HDF5 errors become input errors naming the file.
template <class F>
void for_each_population(const fs::path& file, const std::string& top, F&& f) {
    try {
        h5::handle h = h5::open_file_readonly(file.string());
        if (!h5::exists(h.get(), top))
            throw input_error(file.string(), "", fmt::format("not a SONATA {0} file: no /{0} group", top));
        h5::handle root = h5::open_group(h.get(), top);
        for (const auto& pop : h5::children(root.get())) {
            h5::handle g = h5::open_group(root.get(), pop);
            f(g.get(), pop, "/" + top + "/" + pop);
        }
    } catch (const h5::error& e) {
        throw input_error(file.string(), "", fmt::format("cannot read as a SONATA {} file: {}", top, e.what()));
    }
}

struct node_type {
    std::string model_type, model, population_column;
    json params = json::object();
};

struct myelin_population {
    std::string name, sonata, model;
    std::uint64_t type_id = 0;
    bool is_virtual = false;
    json params;
    std::vector<std::uint64_t> node_ids;  // SONATA ids, in Myelin order
};

struct node_ref {
    std::size_t population;  // index into the Myelin populations
    std::uint64_t local;
};

class converter {
public:
    converter(const fs::path& file, const model_registry& models) : file_(file.string()), models_(models) {
        json top = read_json(file);
        fs::path base = file.parent_path();
        auto manifest = manifest_of(top, file);
        json circuit = top;
        fs::path circuit_base = base;
        auto circuit_manifest = manifest;
        std::string circuit_file = file_;
        if (!top.contains("networks")) {
            if (!top.contains("network") || !top["network"].is_string())
                throw input_error(file_, "", "not a SONATA config: no \"network\" (simulation config) or \"networks\" (circuit config)");
            const fs::path cfile = path_of(top["network"].get<std::string>(), manifest, base);
            circuit = read_json(cfile);
            circuit_file = cfile.string();
            circuit_base = cfile.parent_path();
            circuit_manifest = manifest_of(circuit, cfile);
        }
        if (circuit.contains("components") && circuit["components"].is_object())
            for (const auto& [k, v] : circuit["components"].items())
                if (v.is_string()) components_[k] = path_of(v.get<std::string>(), circuit_manifest, circuit_base);
        simulation(top);
        const json& nets = circuit["networks"];
        if (!nets.is_object()) throw input_error(circuit_file, "networks", "must be an object with nodes and edges");
        if (!nets.contains("nodes") || !nets["nodes"].is_array() || nets["nodes"].empty())
            throw input_error(circuit_file, "networks.nodes", "must list at least one nodes file");
        for (std::size_t i = 0; i < nets["nodes"].size(); ++i) {
            const auto& n = nets["nodes"][i];
            const std::string where = fmt::format("networks.nodes[{}]", i);
            for (const char* key : {"nodes_file", "node_types_file"})
                if (!n.contains(key) || !n[key].is_string()) throw input_error(circuit_file, where + "." + key, "missing (a path)");
            nodes(path_of(n["nodes_file"], circuit_manifest, circuit_base), path_of(n["node_types_file"], circuit_manifest, circuit_base));
        }
        if (nets.contains("edges")) {
            for (std::size_t i = 0; i < nets["edges"].size(); ++i) {
                const auto& e = nets["edges"][i];
                const std::string where = fmt::format("networks.edges[{}]", i);
                for (const char* key : {"edges_file", "edge_types_file"})
                    if (!e.contains(key) || !e[key].is_string()) throw input_error(circuit_file, where + "." + key, "missing (a path)");
                edges(path_of(e["edges_file"], circuit_manifest, circuit_base), path_of(e["edge_types_file"], circuit_manifest, circuit_base));
            }
        }
        if (top.contains("inputs")) inputs(top["inputs"], manifest, base);
    }

    std::string text() const {
        ordered config;
        config["description"] = "SONATA circuit " + file_ + " as a Myelin network (io/sonata_circuit.hpp)";
        config["simulation"] = simulation_;
        ordered pops = ordered::array();
        std::vector<std::string> recorded;
        for (const auto& p : populations_) {
            ordered q;
            q["name"] = p.name;
            q["model"] = p.model;
            q["n"] = p.node_ids.size();
            if (!p.params.empty()) q["params"] = p.params;
            q["output_as"] = {{"population", p.sonata}, {"node_ids", p.node_ids}};
            pops.push_back(q);
            if (!p.is_virtual) recorded.push_back(p.name);
        }
        config["populations"] = pops;
        config["projections"] = projections_;
        if (!stimuli_.empty()) config["stimuli"] = stimuli_;
        config["recorders"] = {{"spikes", {{"populations", recorded}}}};
        return config.dump(1);
    }

private:
    void simulation(const json& top) {
        simulation_["resolution"] = 0.1;
        if (!top.contains("run")) return;
        const json& run = top["run"];
        if (!run.is_object()) throw input_error(file_, "run", "must be an object (tstop, dt)");
        auto number = [&](const char* key) {
            if (!run[key].is_number()) throw input_error(file_, std::string("run.") + key, "must be a number");
            return run[key].get<double>();
        };
        if (run.contains("dt")) simulation_["resolution"] = number("dt");
        if (run.contains("tstop")) simulation_["t_stop"] = number("tstop");
        if (run.contains("random_seed")) simulation_["seed"] = number("random_seed");
        resolution_ = simulation_["resolution"].get<double>();
    }

    json dynamics(const std::string& name, const char* component, const std::string& where, const std::string& table_file,
                  std::string& found) {
        if (name.empty() || name == "NULL" || name == "None") return json::object();
        const auto dir = components_.find(component);
        fs::path p = name;
        if (!p.is_absolute()) {
            if (dir == components_.end())
                throw input_error(table_file, where, fmt::format("dynamics_params '{}' but the circuit config has no components.{}", name, component));
            p = dir->second / p;
        }
        found = p.lexically_normal().string();
        json j = read_json(p);
        if (!j.is_object()) throw input_error(found, "", "dynamics_params must be a JSON object of parameters");
        return j;
    }

    void nodes(const fs::path& nodes_file, const fs::path& types_file) {
        const table types = read_table(types_file);
        const auto id_col = types.column("node_type_id");
        if (!id_col) throw input_error(types.file, "", "no node_type_id column");
        std::map<std::uint64_t, node_type> by_id;
        for (std::size_t r = 0; r < types.rows.size(); ++r) {
            const auto& row = types.rows[r];
            const std::string where = fmt::format("node_type_id {}", row[*id_col]);
            const auto id = static_cast<std::uint64_t>(number_of(row[*id_col], types.file, where));
            node_type t;
            auto cell = [&](const char* c) { const auto k = types.column(c); return k ? row[*k] : std::string(); };
            t.model_type = cell("model_type");
            t.population_column = cell("population");
            if (t.model_type == "point_neuron" || t.model_type == "point_process") {
                std::string m = cell("model_template");
                if (m.empty()) throw input_error(types.file, where, "a point_neuron type needs a model_template (e.g. nest:iaf_psc_alpha)");
                if (const auto colon = m.find(':'); colon != std::string::npos) {
                    if (m.substr(0, colon) != "nest")
                        throw input_error(types.file, where + ".model_template",
                                          fmt::format("'{}': only NEST model names (nest:NAME) map onto Myelin's models", m));
                    m = m.substr(colon + 1);
                }
                t.model = m;
                std::string params_file;
                t.params = dynamics(cell("dynamics_params"), "point_neuron_models_dir", where, types.file, params_file);
                check_model(m, model_kind::neuron, t.params, types.file, where, params_file);
            } else if (t.model_type == "virtual") {
                t.model = "parrot_neuron";
            } else {
                throw input_error(types.file, where + ".model_type",
                                  fmt::format("'{}' is not supported (allowed: point_neuron, virtual)", t.model_type));
            }
            by_id[id] = t;
        }
        for_each_population(nodes_file, "nodes", [&](hid_t g, const std::string& pop, const std::string& where) {
            if (!h5::exists(g, "node_type_id")) throw input_error(nodes_file.string(), where, "no node_type_id dataset");
            const auto type_ids = read_ids(g, "node_type_id");
            std::vector<std::uint64_t> ids(type_ids.size());
            if (h5::exists(g, "node_id")) ids = read_ids(g, "node_id");
            else for (std::size_t i = 0; i < ids.size(); ++i) ids[i] = i;
            if (ids.size() != type_ids.size())
                throw input_error(nodes_file.string(), where + "/node_id", "not as long as node_type_id");
            for (const auto& child : h5::children(g))
                if (h5::is_group(g, child)) {
                    if (h5::exists(g, child + "/dynamics_params"))
                        throw input_error(nodes_file.string(), where + "/" + child + "/dynamics_params",
                                          "per-node dynamics_params are not supported: give parameters per node type");
                    for (const char* key : {"model_type", "model_template"})
                        if (h5::exists(g, child + "/" + key))
                            throw input_error(nodes_file.string(), where + "/" + child + "/" + key,
                                              "per-node model types are not supported: set them in the node types table");
                }
            // One Myelin population per node type, in order of type id.
            std::map<std::uint64_t, std::size_t> index;
            for (std::size_t i = 0; i < type_ids.size(); ++i) {
                const auto t = by_id.find(type_ids[i]);
                if (t == by_id.end())
                    throw input_error(nodes_file.string(), fmt::format("{}/node_type_id[{}]", where, i),
                                      fmt::format("node type {} is not in {}", type_ids[i], types.file));
                index.try_emplace(type_ids[i], 0);
            }
            for (auto& [type, at] : index) {
                const auto& t = by_id[type];
                myelin_population p;
                p.name = index.size() == 1 ? pop : fmt::format("{}.{}", pop, type);
                p.sonata = pop;
                p.type_id = type;
                p.model = t.model;
                p.params = t.params;
                p.is_virtual = t.model_type == "virtual";
                at = populations_.size();
                populations_.push_back(std::move(p));
            }
            auto& lookup = nodes_[pop];
            for (std::size_t i = 0; i < type_ids.size(); ++i) {
                auto& p = populations_[index[type_ids[i]]];
                if (!lookup.try_emplace(ids[i], node_ref{index[type_ids[i]], p.node_ids.size()}).second)
                    throw input_error(nodes_file.string(), fmt::format("{}/node_id[{}]", where, i), fmt::format("node id {} appears twice", ids[i]));
                p.node_ids.push_back(ids[i]);
            }
        });
    }

    node_ref node(const std::string& pop, std::uint64_t id, const std::string& file, const std::string& where) const {
        const auto p = nodes_.find(pop);
        if (p == nodes_.end()) throw input_error(file, where, fmt::format("node population '{}' is not in the circuit", pop));
        const auto n = p->second.find(id);
        if (n == p->second.end()) throw input_error(file, where, fmt::format("node {} is not in population '{}'", id, pop));
        return n->second;
    }

    void edges(const fs::path& edges_file, const fs::path& types_file) {
        const table types = read_table(types_file);
        const auto id_col = types.column("edge_type_id");
        if (!id_col) throw input_error(types.file, "", "no edge_type_id column");
        struct edge_type {
            std::optional<double> weight, delay, nsyns;
            std::string synapse;
            json params = json::object();
            json receptor;  // the target's input port: a name or a number (NEST's receptor_type); null: by sign
        };
        std::map<std::uint64_t, edge_type> by_id;
        for (const auto& row : types.rows) {
            const std::string where = fmt::format("edge_type_id {}", row[*id_col]);
            edge_type t;
            auto cell = [&](const char* c) { const auto k = types.column(c); return k ? row[*k] : std::string(); };
            auto num = [&](const char* c) -> std::optional<double> {
                const auto v = cell(c);
                if (v.empty() || v == "NULL") return std::nullopt;
                return number_of(v, types.file, where + "." + c);
            };
            t.weight = num("syn_weight");
            t.delay = num("delay");
            t.nsyns = num("nsyns");
            std::string m = cell("model_template");
            if (const auto colon = m.find(':'); colon != std::string::npos) m = m.substr(colon + 1);
            t.synapse = m == "NULL" ? "" : m;
            std::string params_file;
            t.params = dynamics(cell("dynamics_params"), "synaptic_models_dir", where, types.file, params_file);
            // The port: a receptor_type column, or receptor_type in the synapse's
            // dynamics_params (as BMTK's PointNet passes it to NEST).
            auto receptor_of = [&](const std::string& v) -> json {
                if (v.empty() || v == "NULL") return nullptr;
                if (v.find_first_not_of("0123456789") == std::string::npos) return std::stoull(v);
                return v;
            };
            t.receptor = receptor_of(cell("receptor_type"));
            if (t.params.contains("receptor_type")) {
                const json r = t.params["receptor_type"];
                t.params.erase("receptor_type");
                if (!t.receptor.is_null())
                    throw input_error(params_file, "receptor_type", fmt::format("{}: a receptor_type in the edge types "
                                                                                "table and in dynamics_params", where));
                if (r.is_number_unsigned() || r.is_string()) t.receptor = r.is_string() ? receptor_of(r.get<std::string>()) : r;
                else throw input_error(params_file, "receptor_type", fmt::format("{} ({}); must be a port name or number",
                                                                                 r.dump(), where));
            }
            if (!t.synapse.empty() && t.synapse != "static_synapse")
                check_model(t.synapse, model_kind::synapse, t.params, types.file, where, params_file);
            by_id[static_cast<std::uint64_t>(number_of(row[*id_col], types.file, where))] = t;
        }
        for_each_population(edges_file, "edges", [&](hid_t g, const std::string&, const std::string& where) {
            for (const char* d : {"source_node_id", "target_node_id", "edge_type_id"})
                if (!h5::exists(g, d)) throw input_error(edges_file.string(), where, fmt::format("no {} dataset", d));
            auto population_attr = [&](const char* d) {
                h5::handle ds(h5::check(H5Dopen2(g, d, H5P_DEFAULT), std::string("open ") + d), H5Dclose);
                if (!h5::has_attribute(ds.get(), "node_population"))
                    throw input_error(edges_file.string(), where + "/" + d, "no node_population attribute");
                return h5::read_string_attribute(ds.get(), "node_population");
            };
            const std::string src_pop = population_attr("source_node_id"), tgt_pop = population_attr("target_node_id");
            const auto src = read_ids(g, "source_node_id"), tgt = read_ids(g, "target_node_id");
            const auto type = read_ids(g, "edge_type_id");
            if (src.size() != tgt.size() || src.size() != type.size())
                throw input_error(edges_file.string(), where, "source_node_id, target_node_id and edge_type_id differ in length");
            // Per-edge values from the edge groups override the type's.
            std::vector<std::uint64_t> group_id(src.size(), 0), group_index(src.size(), 0);
            const bool grouped = h5::exists(g, "edge_group_id");
            if (grouped) {
                group_id = read_ids(g, "edge_group_id");
                group_index = read_ids(g, "edge_group_index");
            }
            std::map<std::uint64_t, std::map<std::string, std::vector<double>>> groups;
            for (const auto& child : h5::children(g)) {
                if (!h5::is_group(g, child) || child == "indices") continue;
                if (h5::exists(g, child + "/dynamics_params"))
                    throw input_error(edges_file.string(), where + "/" + child + "/dynamics_params",
                                      "per-edge dynamics_params are not supported: give parameters per edge type");
                h5::handle eg = h5::open_group(g, child);
                for (const char* key : {"syn_weight", "delay", "nsyns"})
                    if (h5::exists(eg.get(), key))
                        groups[static_cast<std::uint64_t>(number_of(child, edges_file.string(), where + "/" + child))][key] =
                            h5::read_numbers(eg.get(), key);
            }
            for (std::size_t k = 0; k < src.size(); ++k) {
                const std::string at = fmt::format("{}[{}]", where, k);
                const auto t = by_id.find(type[k]);
                if (t == by_id.end())
                    throw input_error(edges_file.string(), at, fmt::format("edge type {} is not in {}", type[k], types.file));
                auto value = [&](const char* key, std::optional<double> fallback) -> std::optional<double> {
                    if (grouped) {
                        const auto gi = groups.find(group_id[k]);
                        if (gi != groups.end()) {
                            const auto v = gi->second.find(key);
                            if (v != gi->second.end()) {
                                if (group_index[k] >= v->second.size())
                                    throw input_error(edges_file.string(), at + "/edge_group_index", "beyond the group's data");
                                return v->second[group_index[k]];
                            }
                        }
                    }
                    return fallback;
                };
                const auto w = value("syn_weight", t->second.weight), d = value("delay", t->second.delay);
                const double nsyns = value("nsyns", t->second.nsyns).value_or(1.0);
                if (!w) throw input_error(edges_file.string(), at, "no syn_weight (in the edge group or the edge type)");
                if (!d) throw input_error(edges_file.string(), at, "no delay (in the edge group or the edge type)");
                const auto s = node(src_pop, src[k], edges_file.string(), at + "/source_node_id");
                const auto r = node(tgt_pop, tgt[k], edges_file.string(), at + "/target_node_id");
                if (populations_[r.population].is_virtual)
                    throw input_error(edges_file.string(), at, "an edge onto a virtual node");
                auto& proj = projection(s.population, r.population, type[k], t->second.synapse, t->second.params,
                                        t->second.receptor);
                proj["connection"]["sources"].push_back(s.local);
                proj["connection"]["targets"].push_back(r.local);
                proj["weight"].push_back(*w * nsyns);
                proj["delay"].push_back(*d);
            }
        });
    }

    ordered& projection(std::size_t source, std::size_t target, std::uint64_t type, const std::string& synapse,
                        const json& params, const json& receptor) {
        const auto key = std::tuple{source, target, type};
        const auto it = projection_index_.find(key);
        if (it != projection_index_.end()) return projections_[it->second];
        ordered p;
        p["source"] = populations_[source].name;
        p["target"] = populations_[target].name;
        p["connection"] = {{"rule", "explicit"}, {"sources", ordered::array()}, {"targets", ordered::array()}};
        p["weight"] = ordered::array();
        p["delay"] = ordered::array();
        if (!receptor.is_null()) p["receptor"] = receptor;
        if (!synapse.empty() && synapse != "static_synapse") {
            p["synapse"] = {{"model", synapse}};
            if (!params.empty()) p["synapse"]["params"] = params;
        } else if (!params.empty()) {
            throw input_error(file_, fmt::format("edge type {}", type),
                              fmt::format("dynamics_params {} for a static synapse; static synapses take none", params.dump()));
        }
        projection_index_[key] = projections_.size();
        projections_.push_back(p);
        return projections_.back();
    }

    void inputs(const json& in, const std::map<std::string, std::string>& manifest, const fs::path& base) {
        if (!in.is_object()) throw input_error(file_, "inputs", "must be an object of named inputs");
        for (const auto& [name, spec] : in.items()) {
            const std::string where = "inputs." + name;
            if (spec.value("input_type", "") != "spikes")
                throw input_error(file_, where + ".input_type",
                                  fmt::format("'{}' is not supported (allowed: spikes)", spec.value("input_type", "")));
            if (!spec.contains("input_file") || !spec["input_file"].is_string())
                throw input_error(file_, where + ".input_file", "missing (a SONATA spike file)");
            const fs::path file = path_of(spec["input_file"].get<std::string>(), manifest, base);
            const auto spikes = read_spikes(file);
            for (const auto& p : spikes.populations) {
                if (!nodes_.count(p.name))
                    throw input_error(file.string(), "/spikes/" + p.name, fmt::format("node population '{}' is not in the circuit", p.name));
                std::map<std::uint64_t, std::vector<double>> per_node;
                for (std::size_t k = 0; k < p.node_ids.size(); ++k) per_node[p.node_ids[k]].push_back(p.timestamps_ms[k]);
                for (auto& [id, times] : per_node) {
                    const auto ref = node(p.name, id, file.string(), "/spikes/" + p.name);
                    if (!populations_[ref.population].is_virtual)
                        throw input_error(file.string(), "/spikes/" + p.name,
                                          fmt::format("node {} is not virtual; only virtual nodes take spike inputs", id));
                    std::sort(times.begin(), times.end());
                    // The parrot fires one step after its generator: the generator's
                    // time is one step before the (grid) time of the input spike.
                    std::vector<double> generator;
                    for (double t : times) {
                        const double steps = t / resolution_, nearest = std::round(steps);
                        const double k = std::abs(steps - nearest) <= 1e-9 * std::max(1.0, nearest) ? nearest : std::ceil(steps);
                        if (k < 2.0)
                            throw input_error(file.string(), "/spikes/" + p.name,
                                              fmt::format("node {} spikes at {} ms; virtual nodes can fire from 2 dt = {} ms on", id, t,
                                                          2.0 * resolution_));
                        if (generator.empty() || generator.back() != (k - 1.0) * resolution_) generator.push_back((k - 1.0) * resolution_);
                    }
                    ordered s;
                    s["name"] = fmt::format("{}.{}.{}", name, p.name, id);
                    s["model"] = "spike_generator";
                    s["params"] = {{"spike_times", generator}};
                    s["targets"] = ordered::array({{{"population", populations_[ref.population].name}, {"neurons", {ref.local}}}});
                    s["weight"] = 1.0;
                    s["delay"] = resolution_;
                    stimuli_.push_back(s);
                }
            }
        }
    }

    // The model must exist with this kind and know every parameter of `params`.
    void check_model(const std::string& name, model_kind kind, const json& params, const std::string& table_file,
                     const std::string& where, const std::string& params_file) const {
        const model_info* m = models_.find(name);
        if (!m || m->kind != kind)
            throw input_error(table_file, where + ".model_template",
                              fmt::format("no {} model '{}' in Myelin (myelin models lists them)",
                                          kind == model_kind::neuron ? "neuron" : "synapse", name));
        for (const auto& [key, value] : params.items())
            if (!m->param_index(key)) {
                std::vector<std::string> known;
                for (const auto& p : m->params) known.push_back(p.key);
                throw input_error(params_file, key, fmt::format("unknown parameter '{}' of model {} ({}); known: {}", key, name,
                                                                where, fmt::join(known, ", ")));
            }
    }

    std::string file_;
    const model_registry& models_;
    std::map<std::string, fs::path> components_;
    ordered simulation_ = ordered::object();
    double resolution_ = 0.1;
    std::vector<myelin_population> populations_;
    std::map<std::string, std::map<std::uint64_t, node_ref>> nodes_;
    ordered projections_ = ordered::array();
    std::map<std::tuple<std::size_t, std::size_t, std::uint64_t>, std::size_t> projection_index_;
    ordered stimuli_ = ordered::array();
};

}  // namespace

bool is_sonata_config(const fs::path& file) {
    if (file.extension() != ".json") return false;
    std::ifstream in(file);
    try {
        const json j = json::parse(in);
        return j.is_object() && (j.contains("networks") || j.contains("network"));
    } catch (const json::exception&) {
        return false;
    }
}

std::string sonata_to_config(const fs::path& file, const model_registry& models) { return converter(file, models).text(); }

}  // namespace myelin::io
