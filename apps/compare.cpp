// myelin compare A B: spike statistics of two spike files, or representation measures of
// two stimulus x unit matrices, as a table, report.json and a self-contained report.html.
#include "commands.hpp"

#include <myelin/analysis/compare_inputs.hpp>
#include <myelin/analysis/recording.hpp>
#include <myelin/analysis/report.hpp>
#include <myelin/analysis/spike_measures.hpp>
#include <myelin/analysis/spike_stats.hpp>
#include <myelin/analysis/statistics.hpp>
#include <myelin/io/learning.hpp>
#include <myelin/io/matrix.hpp>
#include <myelin/io/nwb.hpp>
#include <myelin/io/output_dir.hpp>
#include <myelin/io/sonata.hpp>
#include <myelin/simulator/error.hpp>

#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <omp.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <limits>
#include <numeric>

namespace myelin::apps {

namespace {

using json = nlohmann::json;
using analysis::matrix;

json number(double v) { return std::isfinite(v) ? json(v) : json(nullptr); }

std::string short_name(const std::string& path) { return std::filesystem::path(path).filename().string(); }

// Writes report.json and report.html into the staging folder and moves them into place.
void write_report(io::output_dir& out, const std::string& title, const std::string& text, const json& j,
                  const std::vector<std::string>& figures) {
    std::ofstream(out.file("report.json")) << j.dump(1) << "\n";
    std::ofstream(out.file("report.html")) << analysis::report::page(title, "<pre>" + analysis::report::escape(text) + "</pre>", figures);
    out.commit();
    fmt::print("\nreport: {}/report.html, report.json\n", out.final_dir().string());
}

// ---- spikes ----

struct spike_summary {
    std::vector<double> rates, cvs, lvs, correlations;
    double synchrony = NAN;
    std::size_t correlated_neurons = 0;
};

// Up to `most` neurons, evenly spaced over the selection (deterministic).
std::vector<std::size_t> spread(std::size_t n, std::size_t most) {
    std::vector<std::size_t> out;
    const std::size_t k = std::min(n, most);
    for (std::size_t i = 0; i < k; ++i) out.push_back(i * n / k);
    return out;
}

spike_summary summarise(const analysis::spike_trains& s, double bin_ms) {
    spike_summary r;
    const double seconds = (s.t1 - s.t0) / 1000.0;
    for (const auto& t : s.trains) {
        r.rates.push_back(static_cast<double>(t.size()) / seconds);
        if (const double cv = analysis::cv_isi(t); std::isfinite(cv)) r.cvs.push_back(cv);
        if (const double lv = analysis::local_variation(t); std::isfinite(lv)) r.lvs.push_back(lv);
    }
    // Spike-count correlations of up to 200 neurons (19900 pairs), silent pairs left out.
    std::vector<std::vector<double>> some;
    for (auto i : spread(s.trains.size(), 200)) some.push_back(s.trains[i]);
    r.correlated_neurons = some.size();
    if (some.size() >= 2) {
        const auto counts = analysis::binned_counts(some, s.t0, s.t1, bin_ms);
        for (double c : analysis::pairwise_correlations(counts))
            if (std::isfinite(c)) r.correlations.push_back(c);
        r.synchrony = analysis::synchrony(counts);
    }
    return r;
}

double mean(const std::vector<double>& v) {
    return v.empty() ? NAN : std::accumulate(v.begin(), v.end(), 0.0) / static_cast<double>(v.size());
}
double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return analysis::quantile_sorted(v, 0.5);
}

int compare_spikes(const compare_cli& cli, io::file_kind kind_a, io::file_kind kind_b) {
    const auto a = analysis::load_spike_trains(cli.a, kind_a, cli.select_a, "--select-a", cli.t_start_ms, cli.t_stop_ms);
    const auto b = analysis::load_spike_trains(cli.b, kind_b, cli.select_b, "--select-b", cli.t_start_ms, cli.t_stop_ms);
    std::optional<io::output_dir> out;
    if (!cli.report.empty()) out.emplace(cli.report, cli.force);
    const auto sa = summarise(a, cli.bin_ms), sb = summarise(b, cli.bin_ms);
    const std::string na = "A: " + short_name(a.file), nb = "B: " + short_name(b.file);

    json j;
    j["kind"] = "spikes";
    j["myelin_version"] = MYELIN_VERSION;
    auto side = [&](const analysis::spike_trains& s, const spike_summary& m) {
        return json{{"file", s.file}, {"selection", s.selection}, {"neurons", s.trains.size()},
                    {"t_start_ms", s.t0}, {"t_stop_ms", s.t1}, {"synchrony", number(m.synchrony)},
                    {"correlated_neurons", m.correlated_neurons}, {"bin_ms", cli.bin_ms}};
    };
    j["a"] = side(a, sa);
    j["b"] = side(b, sb);
    std::string table = fmt::format("{:<28} {:>10} {:>10} {:>10} {:>10} {:>10} {:>10}\n", "measure", "A mean", "B mean",
                                    "A median", "B median", "KS D", "KS p");
    std::vector<std::string> figures;
    struct quantity {
        const char *key, *label, *unit;
        const std::vector<double>&va, &vb;
    };
    for (const quantity& q : {quantity{"rate", "firing rate", "Hz", sa.rates, sb.rates},
                              quantity{"cv_isi", "CV of ISIs", "", sa.cvs, sb.cvs},
                              quantity{"lv", "local variation (LV)", "", sa.lvs, sb.lvs},
                              quantity{"correlation", "spike-count correlation", "", sa.correlations, sb.correlations}}) {
        json m{{"a", {{"n", q.va.size()}, {"mean", number(mean(q.va))}, {"median", number(median(q.va))}}},
               {"b", {{"n", q.vb.size()}, {"mean", number(mean(q.vb))}, {"median", number(median(q.vb))}}}};
        std::string ks_d = "-", ks_p = "-";
        if (!q.va.empty() && !q.vb.empty()) {
            const auto ks = analysis::ks_2samp(q.va, q.vb);
            m["ks"] = {{"statistic", ks.statistic}, {"p_value", ks.p_value}, {"exact", ks.exact}};
            m["wasserstein_1"] = analysis::wasserstein_1(q.va, q.vb);
            ks_d = fmt::format("{:.3f}", ks.statistic);
            ks_p = ks.p_value > 0.0 ? fmt::format("{:.3g}", ks.p_value) : "<1e-300";  // below double's range
        }
        j["measures"][q.key] = m;
        const std::string label = std::string(q.label) + (*q.unit ? std::string(" (") + q.unit + ")" : "");
        table += fmt::format("{:<28} {:>10.3f} {:>10.3f} {:>10.3f} {:>10.3f} {:>10} {:>10}\n", label, mean(q.va), mean(q.vb),
                             median(q.va), median(q.vb), ks_d, ks_p);
        figures.push_back(analysis::report::histograms(label, label, q.va, q.vb, na, nb));
    }
    table += fmt::format("{:<28} {:>10.3f} {:>10.3f}\n", "synchrony (Golomb chi)", sa.synchrony, sb.synchrony);
    const std::string head = fmt::format("A: {} ({}, {} neurons, {:g} to {:g} ms)\nB: {} ({}, {} neurons, {:g} to {:g} ms)\n"
                                         "correlations: {:g} ms bins, up to 200 neurons each, silent pairs left out\n\n",
                                         a.file, a.selection, a.trains.size(), a.t0, a.t1, b.file, b.selection,
                                         b.trains.size(), b.t0, b.t1, cli.bin_ms);
    fmt::print("{}{}", head, table);
    if (!out) return 0;
    // Rasters: up to 60 neurons over at most the first second of the window.
    for (const auto* s : {&a, &b}) {
        std::vector<std::vector<double>> shown;
        for (auto i : spread(s->trains.size(), 60)) shown.push_back(s->trains[i]);
        const double end = std::min(s->t1, s->t0 + 1000.0);
        figures.insert(figures.begin() + (s == &a ? 0 : 1),
                       analysis::report::raster(fmt::format("{} raster ({} of {} neurons)", s == &a ? na : nb, shown.size(), s->trains.size()),
                                      shown, s->t0, end));
    }
    write_report(*out, "Myelin comparison: spikes", head + table, j, figures);
    return 0;
}

// ---- representations ----

analysis::representation_options options_of(const compare_cli& cli) {
    return {cli.data, cli.layer, cli.trials_column, cli.rows, cli.window_s, cli.threads};
}

// Block means of a square matrix down to at most `most` rows, for drawing.
matrix shrink(const matrix& d, Eigen::Index most) {
    if (d.rows() <= most) return d;
    const Eigen::Index n = d.rows();
    matrix out = matrix::Zero(most, most), count = matrix::Zero(most, most);
    for (Eigen::Index i = 0; i < n; ++i)
        for (Eigen::Index j = 0; j < n; ++j) {
            out(i * most / n, j * most / n) += d(i, j);
            count(i * most / n, j * most / n) += 1.0;
        }
    return out.cwiseQuotient(count);
}

matrix full_rdm(const matrix& x) {
    const auto upper = analysis::rdm(x, analysis::rdm_metric::correlation);
    matrix d = matrix::Zero(x.rows(), x.rows());
    std::size_t k = 0;
    for (Eigen::Index i = 0; i < x.rows(); ++i)
        for (Eigen::Index j = i + 1; j < x.rows(); ++j) d(i, j) = d(j, i) = upper[k++];
    return d;
}

int compare_representations(const compare_cli& cli, io::file_kind kind_a, io::file_kind kind_b) {
    const auto a = analysis::load_representation(cli.a, kind_a, "A", options_of(cli));
    const auto b = analysis::load_representation(cli.b, kind_b, "B", options_of(cli));
    if (a.m.rows() != b.m.rows())
        throw input_error(cli.b, "", fmt::format("{} stimuli (rows); {} has {}: both need the same stimuli in the same order",
                                                 b.m.rows(), cli.a, a.m.rows()));
    if (a.m.rows() < 4) throw input_error(cli.a, "", fmt::format("{} stimuli; the measures need at least 4", a.m.rows()));
    std::vector<analysis::representation_measure> measures;
    for (const auto& text : cli.measures) {
        try {
            measures.push_back(analysis::parse_measure(text));
        } catch (const std::invalid_argument& e) {
            throw input_error("", "--measure", e.what());
        }
    }
    auto replicas = [&](const std::vector<std::string>& files, const char* flag) {
        std::vector<analysis::representation> out;
        for (const auto& f : files) {
            out.push_back(analysis::load_representation(f, io::detect_file(f), flag, options_of(cli)));
            if (out.back().m.rows() != a.m.rows())
                throw input_error(f, flag, fmt::format("{} stimuli; A has {}", out.back().m.rows(), a.m.rows()));
        }
        return out;
    };
    const auto rep_a = replicas(cli.replicas_a, "--replicas-a"), rep_b = replicas(cli.replicas_b, "--replicas-b");
    std::optional<matrix> input;
    if (cli.input_baseline) {
        if (cli.data.empty()) throw input_error("", "--input-baseline", "needs --data: the stimuli's raw features");
        io::data_spec spec;
        spec.file = cli.data;
        spec.path = "--data";
        if (cli.rows) {
            spec.begin = cli.rows->first;
            spec.end = cli.rows->second;
        }
        // Only the features are used: any non-negative integer label is accepted.
        const auto data = io::load_data(spec, std::numeric_limits<int>::max(), 1);
        if (data.is_events()) throw input_error(cli.data, "--input-baseline", "raw-input baseline needs static (CSV) data");
        input = data.x;
        if (input->rows() != a.m.rows())
            throw input_error(cli.data, "--input-baseline", fmt::format("{} samples; A has {} stimuli", input->rows(), a.m.rows()));
    }
    std::optional<io::output_dir> out;
    if (!cli.report.empty()) out.emplace(cli.report, cli.force);
    omp_set_num_threads(cli.threads);

    json j;
    j["kind"] = "representations";
    j["myelin_version"] = MYELIN_VERSION;
    j["a"] = {{"file", a.file}, {"what", a.what}, {"stimuli", a.m.rows()}, {"units", a.m.cols()}};
    j["b"] = {{"file", b.file}, {"what", b.what}, {"stimuli", b.m.rows()}, {"units", b.m.cols()}};
    j["settings"] = {{"permutations", cli.permutations}, {"bootstrap", cli.bootstrap}, {"level", cli.level}, {"seed", cli.seed}};
    const std::string head = fmt::format("A: {} ({}, {} x {})\nB: {} ({}, {} x {})\n{} permutations, {} bootstrap resamples, "
                                         "{:g} % intervals, seed {}\n\n",
                                         a.file, a.what, a.m.rows(), a.m.cols(), b.file, b.what, b.m.rows(), b.m.cols(),
                                         cli.permutations, cli.bootstrap, 100.0 * cli.level, cli.seed);
    std::string table = fmt::format("{:<32} {:>8} {:>20} {:>9}", "measure", "A vs B",
                                    fmt::format("{:g} % interval", 100.0 * cli.level), "perm. p");
    if (input) table += fmt::format(" {:>9} {:>9}", "A vs in", "B vs in");
    if (!rep_a.empty()) table += fmt::format(" {:>9}", "A seeds");
    if (!rep_b.empty()) table += fmt::format(" {:>9}", "B seeds");
    table += "\n";
    std::vector<std::string> figures;
    for (const auto& m : measures) {
        const auto perm = analysis::permutation_test(a.m, b.m, m, cli.permutations, cli.seed);
        const auto ci = analysis::bootstrap_ci(a.m, b.m, m, cli.bootstrap, cli.level, cli.seed);
        json e{{"measure", m.name()}, {"value", number(perm.observed)},
               {"interval", {number(ci.low), number(ci.high)}}, {"bootstrap_valid", ci.n_valid},
               {"permutation", {{"p_value", number(perm.p_value)}, {"null_mean", number(perm.null_mean)}, {"null_sd", number(perm.null_sd)}}}};
        // NaN: the resamples are not centred on the value (analysis/statistics.hpp).
        const std::string shown = std::isnan(ci.low) ? "n/a (biased)" : fmt::format("[{:.4f}, {:.4f}]", ci.low, ci.high);
        table += fmt::format("{:<32} {:>8.4f} {:>20} {:>9.3g}", m.name(), perm.observed, shown, perm.p_value);
        std::vector<analysis::report::bar> bars{{"A vs B", perm.observed, ci.low, ci.high},
                                      {"A vs B, stimuli shuffled", perm.null_mean, perm.null_mean - 2 * perm.null_sd,
                                       perm.null_mean + 2 * perm.null_sd}};
        if (input) {
            const double va = m(a.m, *input), vb = m(b.m, *input);
            e["baselines"]["a_vs_input"] = number(va);
            e["baselines"]["b_vs_input"] = number(vb);
            table += fmt::format(" {:>9.4f} {:>9.4f}", va, vb);
            bars.push_back({"A vs raw input", va, va, va});
            bars.push_back({"B vs raw input", vb, vb, vb});
        }
        // Across seeds: the measure between A and each replica, and between the replicas.
        for (const auto& [reps, key, label, base] : {std::tuple{&rep_a, "a_across_seeds", "A across seeds", &a},
                                                    std::tuple{&rep_b, "b_across_seeds", "B across seeds", &b}}) {
            if (reps->empty()) continue;
            std::vector<const matrix*> all{&base->m};
            for (const auto& r : *reps) all.push_back(&r.m);
            std::vector<double> values;
            for (std::size_t i = 0; i < all.size(); ++i)
                for (std::size_t k = i + 1; k < all.size(); ++k) values.push_back(m(*all[i], *all[k]));
            const double mv = mean(values);
            e["baselines"][key] = {{"mean", number(mv)}, {"values", values}};
            table += fmt::format(" {:>9.4f}", mv);
            const auto [lo, hi] = std::minmax_element(values.begin(), values.end());
            bars.push_back({label, mv, *lo, *hi});
        }
        table += "\n";
        j["measures"].push_back(e);
        figures.push_back(analysis::report::intervals(m.name() + (m.is_distance() ? " (lower: more alike)" : " (higher: more alike)"),
                                            bars, m.is_distance() ? 0.0 : std::min(0.0, perm.null_mean - 3 * perm.null_sd),
                                            m.is_distance() ? 2.0 : 1.0));
    }
    fmt::print("{}{}", head, table);
    if (!out) return 0;
    figures.insert(figures.begin(), analysis::report::heatmap("RDM of B (1 - r)", shrink(full_rdm(b.m), 60)));
    figures.insert(figures.begin(), analysis::report::heatmap("RDM of A (1 - r)", shrink(full_rdm(a.m), 60)));
    write_report(*out, "Myelin comparison: representations", head + table, j, figures);
    return 0;
}

// ---- spikes against published population statistics ----

// B is a JSON file of values published per population (rates, CVs), e.g.
// examples/compare/microcircuit/pd14_published.json; see docs/compare.md.
int compare_published(const compare_cli& cli) {
    const std::string& file = cli.b;
    json p;
    try {
        p = json::parse(std::ifstream(file));
    } catch (const json::exception& e) {
        throw input_error(file, "", fmt::format("not valid JSON: {}", e.what()));
    }
    if (!p.is_object() || p.value("kind", "") != "published population statistics")
        throw input_error(file, "kind", "must be \"published population statistics\" (the format is in docs/compare.md)");
    if (!p.contains("sets") || !p["sets"].is_array() || p["sets"].empty())
        throw input_error(file, "sets", "must be a non-empty list of {label, rate_Hz, cv_isi}");
    const auto spikes = io::read_spikes(cli.a);
    const double t0 = cli.t_start_ms.value_or(p.contains("window_ms") ? p["window_ms"][0].get<double>() : spikes.t_start_ms.value_or(0.0));
    const double t1 = cli.t_stop_ms.value_or(p.contains("window_ms") ? p["window_ms"][1].get<double>() : spikes.t_stop_ms.value_or(0.0));
    if (!(t1 > t0)) throw input_error(cli.a, "--t-stop", fmt::format("window {} to {} ms is empty", t0, t1));
    std::vector<std::string> names;
    std::vector<analysis::population_stats> stats;
    for (const auto& pop : spikes.populations) {
        std::uint64_t n = pop.n_nodes.value_or(0);
        for (auto id : pop.node_ids) n = std::max(n, id + 1);
        names.push_back(pop.name);
        stats.push_back(analysis::spike_stats(pop.name, n, pop.timestamps_ms, pop.node_ids, t0, t1));
    }
    const char* keys[] = {"rate_Hz", "cv_isi"};
    for (std::size_t k = 0; k < p["sets"].size(); ++k) {
        const auto& set = p["sets"][k];
        const std::string where = fmt::format("sets[{}]", k);
        if (!set.is_object() || !set.contains("label") || !set["label"].is_string())
            throw input_error(file, where + ".label", "each set needs a label (text)");
        for (const char* key : keys) {
            if (!set.contains(key)) continue;
            if (!set[key].is_object()) throw input_error(file, where + "." + key, "must map population names to numbers");
            for (const auto& [pop, v] : set[key].items()) {
                if (std::find(names.begin(), names.end(), pop) == names.end())
                    throw input_error(file, where + "." + key + "." + pop,
                                      fmt::format("no population '{}' in {} (it has: {})", pop, cli.a, fmt::join(names, ", ")));
                if (!v.is_number() || !(v.get<double>() >= 0.0))
                    throw input_error(file, where + "." + key + "." + pop, "must be a number >= 0");
            }
        }
    }
    std::optional<io::output_dir> out;
    if (!cli.report.empty()) out.emplace(cli.report, cli.force);

    json j;
    j["kind"] = "published";
    j["myelin_version"] = MYELIN_VERSION;
    j["a"] = {{"file", cli.a}, {"t_start_ms", t0}, {"t_stop_ms", t1}};
    j["b"] = {{"file", file}, {"source", p.value("source", "")}};
    std::string head = fmt::format("A: {} ({:g} to {:g} ms)\nB: {}\n   {}\n\n", cli.a, t0, t1, file, p.value("source", ""));
    std::string table;
    std::vector<std::string> figures;
    for (const char* key : keys) {
        const bool rate = std::string(key) == "rate_Hz";
        // Myelin's values are shown even where no set publishes the quantity.
        std::vector<std::size_t> sets;
        for (std::size_t k = 0; k < p["sets"].size(); ++k)
            if (p["sets"][k].contains(key)) sets.push_back(k);
        table += fmt::format("{:<12} {:>10}", rate ? "rate (Hz)" : "CV of ISIs", "Myelin");
        for (auto k : sets) table += fmt::format(" {:>12} {:>7}", fmt::format("set {}", k + 1), "ratio");
        table += "\n";
        std::vector<analysis::report::series> series{{"Myelin", {}}};
        for (auto k : sets) series.push_back({p["sets"][k]["label"].get<std::string>(), {}});
        for (std::size_t i = 0; i < names.size(); ++i) {
            const double mine = rate ? stats[i].mean_rate_Hz : stats[i].mean_cv_isi;
            series[0].values.push_back(mine);
            table += fmt::format("{:<12} {:>10.3f}", names[i], mine);
            json row{{"population", names[i]}, {"myelin", number(mine)}};
            for (std::size_t s = 0; s < sets.size(); ++s) {
                const auto& values = p["sets"][sets[s]][key];
                if (!values.contains(names[i])) {
                    series[s + 1].values.push_back(NAN);
                    table += fmt::format(" {:>12} {:>7}", "-", "-");
                    continue;
                }
                const double theirs = values[names[i]].get<double>();
                series[s + 1].values.push_back(theirs);
                table += fmt::format(" {:>12.3f} {:>7.3f}", theirs, mine / theirs);
                row["published"].push_back({{"set", p["sets"][sets[s]]["label"]}, {"value", theirs}, {"ratio", number(mine / theirs)}});
            }
            table += "\n";
            j[key].push_back(row);
        }
        table += "\n";
        figures.push_back(analysis::report::dots(rate ? "mean firing rate (Hz) per population" : "mean CV of ISIs per population", names, series));
    }
    for (std::size_t k = 0; k < p["sets"].size(); ++k) head += fmt::format("set {}: {}\n", k + 1, p["sets"][k]["label"].get<std::string>());
    head += "\n";
    fmt::print("{}{}", head, table);
    if (!out) return 0;
    write_report(*out, "Myelin comparison: published statistics", head + table, j, figures);
    return 0;
}

}  // namespace

int compare_command(const compare_cli& cli) {
    const auto kind_a = io::detect_file(cli.a), kind_b = io::detect_file(cli.b);
    if (kind_b == io::file_kind::json) {
        if (kind_a != io::file_kind::sonata_spikes)
            throw input_error(cli.a, "", "published population statistics are compared with a SONATA spike file");
        return compare_published(cli);
    }
    if (kind_a == io::file_kind::json) throw input_error(cli.a, "", "give the published statistics (.json) as B");
    auto is_spikes = [&](io::file_kind k) {
        return k == io::file_kind::sonata_spikes || (k == io::file_kind::nwb && cli.trials_column.empty());
    };
    if (is_spikes(kind_a) != is_spikes(kind_b))
        throw input_error(cli.b, "", fmt::format("{} holds {} but {} holds {}: compare spikes with spikes, representations "
                                                 "with representations (an NWB file is a representation with --trials)",
                                                 cli.a, is_spikes(kind_a) ? "spikes" : "a representation", cli.b,
                                                 is_spikes(kind_b) ? "spikes" : "a representation"));
    return is_spikes(kind_a) ? compare_spikes(cli, kind_a, kind_b) : compare_representations(cli, kind_a, kind_b);
}

int convert_command(const std::string& spikes, const std::string& output, bool force) {
    if (std::filesystem::exists(output) && !force)
        throw input_error(output, "", "exists; pass --force to replace it");
    if (!output.ends_with(".nwb")) throw input_error(output, "", "the output name must end in .nwb");
    const auto file = io::read_spikes(spikes);
    io::write_nwb(output, file, std::filesystem::path(spikes).stem().string(),
                  "Spikes simulated with Myelin, converted from " + short_name(spikes));
    std::size_t n = 0;
    for (const auto& p : file.populations) n += p.timestamps_ms.size();
    fmt::print("{}: {} spikes of {} population{} as an NWB units table\n", output, n, file.populations.size(),
               file.populations.size() == 1 ? "" : "s");
    return 0;
}

}  // namespace myelin::apps
