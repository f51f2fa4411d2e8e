#include <myelin/analysis/comparison.hpp>

#include <myelin/analysis/report.hpp>
#include <myelin/analysis/spike_measures.hpp>
#include <myelin/core/error.hpp>
#include <myelin/core/version.hpp>
#include <myelin/io/nwb.hpp>
#include <myelin/io/output_dir.hpp>
#include <myelin/io/sonata.hpp>

#include <boost/crc.hpp>
#include <fmt/chrono.h>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <numeric>
#include <tuple>

namespace myelin::analysis {

namespace {

using json = nlohmann::json;

json number(double v) { return std::isfinite(v) ? json(v) : json(nullptr); }

// A side as the text names it: its file, and the label given for it if there is one.
std::string side_name(const std::string& label, const std::string& file) {
    return label == default_label(file) ? file : fmt::format("{} = {}", label, file);
}

// A report with its title, and the JSON fields every report starts with.
comparison_report report_titled(const char* title, json& j, const char* kind) {
    j["kind"] = kind;
    j["myelin_version"] = version();
    comparison_report r;
    r.title = title;
    return r;
}

double mean(const std::vector<double>& v) {
    return v.empty() ? NAN : std::accumulate(v.begin(), v.end(), 0.0) / static_cast<double>(v.size());
}
double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return quantile_sorted(v, 0.5);
}

// Up to `most` indices, evenly spaced over 0..n-1 (deterministic).
std::vector<std::size_t> spread(std::size_t n, std::size_t most) {
    std::vector<std::size_t> out;
    const std::size_t k = std::min(n, most);
    for (std::size_t i = 0; i < k; ++i) out.push_back(i * n / k);
    return out;
}

}  // namespace

// ---- spikes ----

spike_comparison compare_spikes(spike_trains a, spike_trains b, double bin_ms) {
    spike_comparison c;
    c.bin_ms = bin_ms;
    struct side {
        std::vector<double> rates, cvs, lvs, correlations;
        double synchrony = NAN;
        std::size_t correlated = 0;
    };
    auto summarise = [&](const spike_trains& s) {
        side r;
        const double seconds = (s.t1 - s.t0) / 1000.0;
        for (const auto& t : s.trains) {
            r.rates.push_back(static_cast<double>(t.size()) / seconds);
            if (const double cv = cv_isi(t); std::isfinite(cv)) r.cvs.push_back(cv);
            if (const double lv = local_variation(t); std::isfinite(lv)) r.lvs.push_back(lv);
        }
        // Spike-count correlations of up to 200 neurons (19900 pairs).
        std::vector<std::vector<double>> some;
        for (auto i : spread(s.trains.size(), 200)) some.push_back(s.trains[i]);
        r.correlated = some.size();
        if (some.size() >= 2) {
            const auto counts = binned_counts(some, s.t0, s.t1, bin_ms);
            for (double x : pairwise_correlations(counts))
                if (std::isfinite(x)) r.correlations.push_back(x);
            r.synchrony = synchrony(counts);
        }
        return r;
    };
    side sa = summarise(a), sb = summarise(b);
    c.synchrony_a = sa.synchrony;
    c.synchrony_b = sb.synchrony;
    c.correlated_a = sa.correlated;
    c.correlated_b = sb.correlated;
    const std::tuple<const char*, const char*, std::vector<double> side::*> quantities[] = {
        {"rate", "firing rate (Hz)", &side::rates},
        {"cv_isi", "CV of ISIs", &side::cvs},
        {"lv", "local variation (LV)", &side::lvs},
        {"correlation", "spike-count correlation", &side::correlations}};
    for (const auto& [key, label, values] : quantities) {
        sample_comparison q{key, label, std::move(sa.*values), std::move(sb.*values), std::nullopt, NAN};
        if (!q.a.empty() && !q.b.empty()) {
            q.ks = ks_2samp(q.a, q.b);
            q.wasserstein_1 = analysis::wasserstein_1(q.a, q.b);
        }
        c.quantities.push_back(std::move(q));
    }
    c.a = std::move(a);
    c.b = std::move(b);
    return c;
}

namespace {

// A p-value as a table shows it: below 1e-16 the asymptotic KS p is under double's
// resolution near 1 and its digits mean nothing.
std::string format_p(double p) { return p < 1e-16 ? "< 1e-16" : fmt::format("{:.3g}", p); }

}  // namespace

comparison_report report_of(const spike_comparison& c, bool figures) {
    const auto &a = c.a, &b = c.b;
    const std::string na = "A: " + a.label, nb = "B: " + b.label;
    json j;
    comparison_report r = report_titled("Myelin comparison: spikes", j, "spikes");
    auto side = [&](const spike_trains& s, double synchrony, std::size_t correlated) {
        return json{{"file", s.file}, {"label", s.label}, {"selection", s.selection}, {"neurons", s.trains.size()},
                    {"t_start_ms", s.t0}, {"t_stop_ms", s.t1}, {"synchrony", number(synchrony)},
                    {"correlated_neurons", correlated}, {"bin_ms", c.bin_ms}};
    };
    j["a"] = side(a, c.synchrony_a, c.correlated_a);
    j["b"] = side(b, c.synchrony_b, c.correlated_b);
    std::string table = fmt::format("{:<28} {:>10} {:>10} {:>10} {:>10} {:>10} {:>10} {:>10}\n", "measure", "A mean",
                                    "B mean", "A median", "B median", "W1", "KS D", "KS p");
    for (const auto& q : c.quantities) {
        json m{{"a", {{"n", q.a.size()}, {"mean", number(mean(q.a))}, {"median", number(median(q.a))}}},
               {"b", {{"n", q.b.size()}, {"mean", number(mean(q.b))}, {"median", number(median(q.b))}}}};
        std::string ks_d = "-", ks_p = "-", w1 = "-";
        if (q.ks) {
            m["ks"] = {{"statistic", q.ks->statistic}, {"p_value", q.ks->p_value}, {"exact", q.ks->exact}};
            m["wasserstein_1"] = q.wasserstein_1;
            ks_d = fmt::format("{:.3f}", q.ks->statistic);
            ks_p = format_p(q.ks->p_value);
            w1 = fmt::format("{:.3g}", q.wasserstein_1);
        }
        j["measures"][q.key] = m;
        table += fmt::format("{:<28} {:>10.3f} {:>10.3f} {:>10.3f} {:>10.3f} {:>10} {:>10} {:>10}\n", q.label, mean(q.a),
                             mean(q.b), median(q.a), median(q.b), w1, ks_d, ks_p);
        if (figures) r.figures.push_back(report::histograms(q.label, q.label, q.a, q.b, na, nb));
    }
    table += fmt::format("{:<28} {:>10.3f} {:>10.3f}\n", "synchrony (Golomb chi)", c.synchrony_a, c.synchrony_b);
    r.text = fmt::format("A: {} ({}, {} neurons, {:g} to {:g} ms)\nB: {} ({}, {} neurons, {:g} to {:g} ms)\n"
                         "correlations: {:g} ms bins, up to 200 neurons each, silent pairs left out\n\n",
                         side_name(a.label, a.file), a.selection, a.trains.size(), a.t0, a.t1,
                         side_name(b.label, b.file), b.selection, b.trains.size(), b.t0, b.t1, c.bin_ms) +
             table;
    r.json = j.dump(1);
    r.notes = {
        "W1 (Wasserstein-1, earth mover's distance): how far, in the measure's own unit, A's distribution has to be "
        "moved to become B's; 0 when they are the same. It is the size of the difference.",
        "KS D (Kolmogorov-Smirnov): the largest gap between the two cumulative distributions, from 0 (the same) to 1 "
        "(no overlap). KS p: how often a gap at least this large would arise if both sides were samples of one "
        "distribution; with thousands of neurons even a negligible difference gives a tiny p, so judge the size by W1 "
        "and D. Below 1e-16 the p-value is shown as < 1e-16.",
        "Synchrony (Golomb's chi): the standard deviation of the population-averaged activity relative to that of "
        "single neurons; about 1/sqrt(N) for independent neurons, 1 for neurons firing together."};
    if (figures) {
        // Rasters first: up to 60 neurons over at most the first second of the window.
        for (const auto* s : {&a, &b}) {
            std::vector<std::vector<double>> shown;
            for (auto i : spread(s->trains.size(), 60)) shown.push_back(s->trains[i]);
            const double end = std::min(s->t1, s->t0 + 1000.0);
            r.figures.insert(r.figures.begin() + (s == &a ? 0 : 1),
                             report::raster(fmt::format("{} raster ({} of {} neurons)", s == &a ? na : nb, shown.size(),
                                                        s->trains.size()),
                                            shown, s->t0, end));
        }
    }
    return r;
}

// ---- representations ----

representation_comparison compare_representations(representation a, representation b, representation_settings settings,
                                                   const std::optional<representation>& input,
                                                   const std::vector<representation>& replicas_a,
                                                   const std::vector<representation>& replicas_b) {
    if (a.m.rows() != b.m.rows())
        throw input_error(b.file, "", fmt::format("{} stimuli (rows); {} has {}: both need the same stimuli in the same order",
                                                  b.m.rows(), a.file, a.m.rows()));
    if (a.m.rows() < 4) throw input_error(a.file, "", fmt::format("{} stimuli; the measures need at least 4", a.m.rows()));
    for (const auto* reps : {&replicas_a, &replicas_b})
        for (const auto& r : *reps)
            if (r.m.rows() != a.m.rows())
                throw input_error(r.file, "", fmt::format("{} stimuli; A ({}) has {}", r.m.rows(), a.file, a.m.rows()));
    if (input && input->m.rows() != a.m.rows())
        throw input_error(input->file, "", fmt::format("{} samples; A has {} stimuli", input->m.rows(), a.m.rows()));

    representation_comparison c;
    c.with_input = input.has_value();
    c.with_replicas_a = !replicas_a.empty();
    c.with_replicas_b = !replicas_b.empty();
    for (const auto& m : settings.measures) {
        measure_comparison e{m, permutation_test(a.m, b.m, m, settings.permutations, settings.seed),
                             bootstrap_ci(a.m, b.m, m, settings.bootstrap, settings.level, settings.seed),
                             std::nullopt, std::nullopt, {}, {}};
        if (input) {
            e.a_vs_input = m(a.m, input->m);
            e.b_vs_input = m(b.m, input->m);
        }
        // Across seeds: the measure between a side and each replica, and between the replicas.
        for (const auto& [reps, base, values] : {std::tuple{&replicas_a, &a, &e.a_across_seeds},
                                                 std::tuple{&replicas_b, &b, &e.b_across_seeds}}) {
            if (reps->empty()) continue;
            std::vector<const matrix*> all{&base->m};
            for (const auto& r : *reps) all.push_back(&r.m);
            for (std::size_t i = 0; i < all.size(); ++i)
                for (std::size_t k = i + 1; k < all.size(); ++k) values->push_back(m(*all[i], *all[k]));
        }
        c.measures.push_back(std::move(e));
    }
    c.a = std::move(a);
    c.b = std::move(b);
    c.settings = std::move(settings);
    return c;
}

namespace {

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
    const auto upper = rdm(x, rdm_metric::correlation);
    matrix d = matrix::Zero(x.rows(), x.rows());
    std::size_t k = 0;
    for (Eigen::Index i = 0; i < x.rows(); ++i)
        for (Eigen::Index j = i + 1; j < x.rows(); ++j) d(i, j) = d(j, i) = upper[k++];
    return d;
}

matrix permuted(const matrix& d, const std::vector<Eigen::Index>& order) {
    matrix out(d.rows(), d.cols());
    for (Eigen::Index i = 0; i < d.rows(); ++i)
        for (Eigen::Index j = 0; j < d.cols(); ++j) out(i, j) = d(order[static_cast<std::size_t>(i)], order[static_cast<std::size_t>(j)]);
    return out;
}

// Conditions compared as numbers where both are ("2" before "10"), else as text.
bool condition_less(const std::string& x, const std::string& y) {
    char* ex = nullptr;
    char* ey = nullptr;
    const double a = std::strtod(x.c_str(), &ex), b = std::strtod(y.c_str(), &ey);
    const bool nx = !x.empty() && *ex == '\0', ny = !y.empty() && *ey == '\0';
    if (nx && ny) return a < b;
    if (nx != ny) return nx;
    return x < y;
}

// Stimuli in condition order (stable: in the data's order within one) and where each
// condition starts once the matrix is shrunk to `most` rows; the given order without
// conditions.
std::pair<std::vector<Eigen::Index>, std::vector<report::group>> condition_order(const std::vector<std::string>& conditions,
                                                                               Eigen::Index n, Eigen::Index most) {
    std::vector<Eigen::Index> order(static_cast<std::size_t>(n));
    std::iota(order.begin(), order.end(), 0);
    std::vector<report::group> groups;
    if (conditions.size() != static_cast<std::size_t>(n)) return {order, groups};
    std::stable_sort(order.begin(), order.end(), [&](Eigen::Index i, Eigen::Index j) {
        return condition_less(conditions[static_cast<std::size_t>(i)], conditions[static_cast<std::size_t>(j)]);
    });
    const Eigen::Index shown = std::min(n, most);
    for (Eigen::Index k = 0; k < n; ++k) {
        const auto& name = conditions[static_cast<std::size_t>(order[static_cast<std::size_t>(k)])];
        if (groups.empty() || groups.back().name != name)
            groups.push_back({static_cast<std::size_t>(k * shown / n), name});
    }
    return {order, groups};
}

}  // namespace

comparison_report report_of(const representation_comparison& c, bool figures) {
    const auto &a = c.a, &b = c.b;
    const auto& s = c.settings;
    json j;
    comparison_report r = report_titled("Myelin comparison: representations", j, "representations");
    j["a"] = {{"file", a.file}, {"label", a.label}, {"what", a.what}, {"stimuli", a.m.rows()}, {"units", a.m.cols()}};
    j["b"] = {{"file", b.file}, {"label", b.label}, {"what", b.what}, {"stimuli", b.m.rows()}, {"units", b.m.cols()}};
    j["settings"] = {{"permutations", s.permutations}, {"bootstrap", s.bootstrap}, {"level", s.level}, {"seed", s.seed}};
    std::string table = fmt::format("{:<32} {:>8} {:>20} {:>9}", "measure", "A vs B",
                                    fmt::format("{:g} % interval", 100.0 * s.level), "perm. p");
    if (c.with_input) table += fmt::format(" {:>9} {:>9}", "A vs in", "B vs in");
    if (c.with_replicas_a) table += fmt::format(" {:>9}", "A seeds");
    if (c.with_replicas_b) table += fmt::format(" {:>9}", "B seeds");
    table += "\n";
    for (const auto& e : c.measures) {
        const auto& m = e.measure;
        const auto& perm = e.permutation;
        const auto& ci = e.ci;
        json je{{"measure", m.name()}, {"value", number(perm.observed)},
                {"interval", {number(ci.low), number(ci.high)}}, {"bootstrap_valid", ci.n_valid},
                {"permutation", {{"p_value", number(perm.p_value)}, {"null_mean", number(perm.null_mean)}, {"null_sd", number(perm.null_sd)}}}};
        // NaN: the resamples are not centred on the value (analysis/statistics.hpp).
        const std::string shown = std::isnan(ci.low) ? "n/a (biased)" : fmt::format("[{:.4f}, {:.4f}]", ci.low, ci.high);
        table += fmt::format("{:<32} {:>8.4f} {:>20} {:>9.3g}", m.name(), perm.observed, shown, perm.p_value);
        std::vector<report::bar> bars{{"A vs B", perm.observed, ci.low, ci.high},
                                      {"A vs B, stimuli shuffled", perm.null_mean, perm.null_mean - 2 * perm.null_sd,
                                       perm.null_mean + 2 * perm.null_sd}};
        if (c.with_input) {
            const double va = *e.a_vs_input, vb = *e.b_vs_input;
            je["baselines"]["a_vs_input"] = number(va);
            je["baselines"]["b_vs_input"] = number(vb);
            table += fmt::format(" {:>9.4f} {:>9.4f}", va, vb);
            bars.push_back({"A vs raw input", va, va, va});
            bars.push_back({"B vs raw input", vb, vb, vb});
        }
        for (const auto& [values, key, label] : {std::tuple{&e.a_across_seeds, "a_across_seeds", "A across seeds"},
                                                 std::tuple{&e.b_across_seeds, "b_across_seeds", "B across seeds"}}) {
            if (values->empty()) continue;
            const double mv = mean(*values);
            je["baselines"][key] = {{"mean", number(mv)}, {"values", *values}};
            table += fmt::format(" {:>9.4f}", mv);
            const auto [lo, hi] = std::minmax_element(values->begin(), values->end());
            bars.push_back({label, mv, *lo, *hi});
        }
        table += "\n";
        j["measures"].push_back(je);
        if (figures)
            r.figures.push_back(report::intervals(m.name() + (m.is_distance() ? " (lower: more alike)" : " (higher: more alike)"),
                                                  bars, m.is_distance() ? 0.0 : std::min(0.0, perm.null_mean - 3 * perm.null_sd),
                                                  m.is_distance() ? 2.0 : 1.0));
    }
    r.text = fmt::format("A: {} ({}, {} x {})\nB: {} ({}, {} x {})\n{} permutations, {} bootstrap resamples, "
                         "{:g} % intervals, seed {}\n\n",
                         side_name(a.label, a.file), a.what, a.m.rows(), a.m.cols(), side_name(b.label, b.file), b.what,
                         b.m.rows(), b.m.cols(), s.permutations, s.bootstrap, 100.0 * s.level, s.seed) +
             table;
    r.json = j.dump(1);
    r.notes = {
        "Each measure compares the two representations of the same stimuli: CKA and RSA from 0 (unrelated) to 1 "
        "(the same up to rotation and scale, or the same ordering of dissimilarities); Procrustes distances from 0 (the "
        "same after the best rotation) upwards.",
        "The interval is a bootstrap over stimuli (bias-corrected): how much the value would vary with another draw of "
        "stimuli. The permutation p is the fraction of stimulus shufflings of B that give a value at least as extreme "
        "(including the observed one), so it cannot be below 1 / (permutations + 1).",
        "Baselines say what a value means: each side against the raw input (is the similarity more than both inherit "
        "from the stimuli?) and the spread across seeds (how alike two trainings of one network are)."};
    if (figures) {
        // The two RDMs on one colour scale, stimuli in condition order where known.
        const auto [order, groups] = condition_order(c.conditions, a.m.rows(), 60);
        const matrix da = shrink(permuted(full_rdm(a.m), order), 60), db = shrink(permuted(full_rdm(b.m), order), 60);
        const double lo = std::min(da.minCoeff(), db.minCoeff()), hi = std::max(da.maxCoeff(), db.maxCoeff());
        const std::string scale = "dissimilarity (1 - Pearson r)";
        r.figures.insert(r.figures.begin(), report::heatmap(fmt::format("RDM of B: {}", b.label), db, lo, hi, scale, groups));
        r.figures.insert(r.figures.begin(), report::heatmap(fmt::format("RDM of A: {}", a.label), da, lo, hi, scale, groups));
    }
    return r;
}

// ---- two trained networks, layer by layer ----

namespace {

matrix layer_by_layer(const layered_representation& x, const layered_representation& y, const representation_measure& m) {
    matrix v(static_cast<Eigen::Index>(x.m.size()), static_cast<Eigen::Index>(y.m.size()));
#pragma omp parallel for collapse(2) schedule(dynamic)
    for (std::size_t i = 0; i < x.m.size(); ++i)
        for (std::size_t j = 0; j < y.m.size(); ++j) v(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(j)) = m(x.m[i], y.m[j]);
    return v;
}

}  // namespace

layer_comparison compare_layers(layered_representation a, layered_representation b, const representation_measure& m,
                                const std::vector<layered_representation>& replicas_a,
                                const std::vector<layered_representation>& replicas_b) {
    const auto n = a.m.empty() ? 0 : a.m[0].rows();
    if (n < 4) throw input_error(a.file, "--data", fmt::format("{} stimuli; comparing needs at least 4", n));
    auto check = [&](const layered_representation& s, const char* flag) {
        for (const auto& l : s.m)
            if (l.rows() != n)
                throw input_error(s.file, flag, fmt::format("{} stimuli; {} has {}", l.rows(), a.file, n));
    };
    check(b, "B");
    for (const auto& r : replicas_a) {
        check(r, "--replicas-a");
        if (r.m.size() != a.m.size())
            throw input_error(r.file, "--replicas-a", fmt::format("{} layers; {} has {}", r.m.size(), a.file, a.m.size()));
    }
    for (const auto& r : replicas_b) {
        check(r, "--replicas-b");
        if (r.m.size() != b.m.size())
            throw input_error(r.file, "--replicas-b", fmt::format("{} layers; {} has {}", r.m.size(), b.file, b.m.size()));
    }
    layer_comparison c;
    c.measure = m;
    c.values = layer_by_layer(a, b, m);
    auto across = [&](const layered_representation& side, const std::vector<layered_representation>& replicas) {
        matrix sum = matrix::Zero(static_cast<Eigen::Index>(side.m.size()), static_cast<Eigen::Index>(side.m.size()));
        for (const auto& r : replicas) sum += layer_by_layer(side, r, m);
        return matrix(sum / static_cast<double>(replicas.size()));
    };
    if (!replicas_a.empty()) c.a_across_seeds = across(a, replicas_a);
    if (!replicas_b.empty()) c.b_across_seeds = across(b, replicas_b);
    c.replicas_a = replicas_a.size();
    c.replicas_b = replicas_b.size();
    c.a = std::move(a);
    c.b = std::move(b);
    return c;
}

comparison_report report_of(const layer_comparison& c, bool figures) {
    json j;
    comparison_report r = report_titled("Myelin comparison: layers", j, "layers");
    const auto stimuli = c.a.m.empty() ? 0 : c.a.m[0].rows();
    j["a"] = {{"file", c.a.file}, {"label", c.a.label}, {"layers", c.a.layers}};
    j["b"] = {{"file", c.b.file}, {"label", c.b.label}, {"layers", c.b.layers}};
    j["measure"] = c.measure.name();
    j["stimuli"] = stimuli;
    auto rows_of = [](const matrix& m) {
        json out = json::array();
        for (Eigen::Index i = 0; i < m.rows(); ++i) {
            json row = json::array();
            for (Eigen::Index k = 0; k < m.cols(); ++k) row.push_back(number(m(i, k)));
            out.push_back(row);
        }
        return out;
    };
    j["values"] = rows_of(c.values);
    // Columns named `prefix` and their index (B0, B1, ...: listed above the table).
    auto table = [](const matrix& m, const std::vector<std::string>& rows, const std::vector<std::string>& cols,
                    const char* prefix) {
        std::size_t w = 8;
        for (const auto& s : rows) w = std::max(w, s.size());
        std::string t = fmt::format("{:<{}}", "", w);
        for (std::size_t k = 0; k < cols.size(); ++k) t += fmt::format(" {:>6}", fmt::format("{}{}", prefix, k));
        t += "\n";
        for (Eigen::Index i = 0; i < m.rows(); ++i) {
            t += fmt::format("{:<{}}", rows[static_cast<std::size_t>(i)], w);
            for (Eigen::Index k = 0; k < m.cols(); ++k) t += fmt::format(" {:>6.3f}", m(i, k));
            t += "\n";
        }
        return t;
    };
    r.text = fmt::format("A: {} ({} layers)\nB: {} ({} layers)\n{} stimuli, {}; rows: layers of A, columns: layers of B\n",
                         side_name(c.a.label, c.a.file), c.a.m.size(), side_name(c.b.label, c.b.file), c.b.m.size(), stimuli,
                         c.measure.name());
    for (std::size_t k = 0; k < c.b.layers.size(); ++k) r.text += fmt::format("  B{}: {}\n", k, c.b.layers[k]);
    r.text += "\n" + table(c.values, c.a.layers, c.b.layers, "B");
    for (const auto& [m, count, key, name, side] :
         {std::tuple{&c.a_across_seeds, c.replicas_a, "a_across_seeds", "A", &c.a},
          std::tuple{&c.b_across_seeds, c.replicas_b, "b_across_seeds", "B", &c.b}}) {
        if (!*m) continue;
        j["baselines"][key] = {{"replicas", count}, {"values", rows_of(**m)}};
        r.text += fmt::format("\n{} against its {} replica(s) (other seeds), mean; column R<k>: the replicas' layer k\n",
                              name, count);
        r.text += table(**m, side->layers, side->layers, "R");
    }
    r.json = j.dump(1);
    r.notes = {
        "Each cell compares a layer of A with a layer of B on the same stimuli (each layer's output averaged over the "
        "time steps, per stimulus): " + c.measure.name() + (c.measure.is_distance() ? ", lower is more alike." : ", higher is more alike."),
        "With replicas, the same comparison between each network and its retrainings with other seeds shows how alike "
        "two trainings of one architecture are: a cell of A vs B near the replicas' diagonal is as alike as chance "
        "of training allows (Kornblith et al. 2019)."};
    if (figures) {
        const double lo = c.measure.is_distance() ? std::min(0.0, c.values.minCoeff()) : 0.0;
        const double hi = c.measure.is_distance() ? std::max(1.0, c.values.maxCoeff()) : 1.0;
        r.figures.push_back(report::labelled_heatmap(fmt::format("{}: layers of A against layers of B", c.measure.name()),
                                                     c.values, c.a.layers, c.b.layers, "A: " + c.a.label,
                                                     "B: " + c.b.label, lo, hi, c.measure.name()));
        for (const auto& [m, count, name, side] : {std::tuple{&c.a_across_seeds, c.replicas_a, "A", &c.a},
                                                   std::tuple{&c.b_across_seeds, c.replicas_b, "B", &c.b}})
            if (*m)
                r.figures.push_back(report::labelled_heatmap(
                    fmt::format("{} against its {} replica(s), mean", name, count), **m, side->layers, side->layers,
                    std::string(name) + ": " + side->label, "replicas of " + std::string(name), lo, hi, c.measure.name()));
    }
    return r;
}

// ---- published population statistics ----

published_statistics load_published(const std::string& file) {
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
    published_statistics out;
    out.file = file;
    if (p.contains("source")) {
        if (!p["source"].is_string()) throw input_error(file, "source", "must be text");
        out.source = p["source"].get<std::string>();
    }
    if (p.contains("window_ms")) {
        const auto& w = p["window_ms"];
        if (!w.is_array() || w.size() != 2 || !w[0].is_number() || !w[1].is_number())
            throw input_error(file, "window_ms", "must be [start, stop] in ms");
        out.window_ms = std::pair{w[0].get<double>(), w[1].get<double>()};
    }
    for (std::size_t k = 0; k < p["sets"].size(); ++k) {
        const auto& set = p["sets"][k];
        const std::string where = fmt::format("sets[{}]", k);
        if (!set.is_object() || !set.contains("label") || !set["label"].is_string())
            throw input_error(file, where + ".label", "each set needs a label (text)");
        published_set s;
        s.label = set["label"].get<std::string>();
        for (auto [key, values] : {std::pair{"rate_Hz", &s.rate_Hz}, std::pair{"cv_isi", &s.cv_isi}}) {
            if (!set.contains(key)) continue;
            if (!set[key].is_object()) throw input_error(file, where + "." + key, "must map population names to numbers");
            values->emplace();
            for (const auto& [pop, v] : set[key].items()) {
                if (!v.is_number() || !(v.get<double>() >= 0.0))
                    throw input_error(file, where + "." + key + "." + pop, "must be a number >= 0");
                (**values)[pop] = v.get<double>();
            }
        }
        out.sets.push_back(std::move(s));
    }
    return out;
}

published_comparison compare_published(const std::string& spike_file, published_statistics published,
                                       std::optional<double> t_start_ms, std::optional<double> t_stop_ms) {
    const auto spikes = io::read_spikes(spike_file);
    published_comparison c;
    c.file = spike_file;
    c.t0 = t_start_ms.value_or(published.window_ms ? published.window_ms->first : spikes.t_start_ms.value_or(0.0));
    c.t1 = t_stop_ms.value_or(published.window_ms ? published.window_ms->second : spikes.t_stop_ms.value_or(0.0));
    if (!(c.t1 > c.t0)) throw input_error(spike_file, "--t-stop", fmt::format("window {} to {} ms is empty", c.t0, c.t1));
    if (spikes.t_start_ms && c.t0 < *spikes.t_start_ms)
        throw input_error(spike_file, "--t-start", fmt::format("{} ms is before the recording starts ({} ms)", c.t0, *spikes.t_start_ms));
    if (spikes.t_stop_ms && c.t1 > *spikes.t_stop_ms)
        throw input_error(spike_file, "--t-stop", fmt::format("{} ms is after the recording ends ({} ms)", c.t1, *spikes.t_stop_ms));
    std::vector<std::string> names;
    for (const auto& pop : spikes.populations) {
        std::uint64_t n = pop.n_nodes.value_or(0);
        for (auto id : pop.node_ids) n = std::max(n, id + 1);
        names.push_back(pop.name);
        c.populations.push_back(spike_stats(pop.name, n, pop.timestamps_ms, pop.node_ids, c.t0, c.t1));
    }
    for (std::size_t k = 0; k < published.sets.size(); ++k)
        for (const auto& [key, values] : {std::pair{"rate_Hz", &published.sets[k].rate_Hz},
                                          std::pair{"cv_isi", &published.sets[k].cv_isi}}) {
            if (!*values) continue;
            for (const auto& [pop, v] : **values)
                if (std::find(names.begin(), names.end(), pop) == names.end())
                    throw input_error(published.file, fmt::format("sets[{}].{}.{}", k, key, pop),
                                      fmt::format("no population '{}' in {} (it has: {})", pop, spike_file, fmt::join(names, ", ")));
        }
    c.published = std::move(published);
    return c;
}

comparison_report report_of(const published_comparison& c, bool figures) {
    const auto& p = c.published;
    json j;
    comparison_report r = report_titled("Myelin comparison: published statistics", j, "published");
    j["a"] = {{"file", c.file}, {"t_start_ms", c.t0}, {"t_stop_ms", c.t1}};
    j["b"] = {{"file", p.file}, {"source", p.source}};
    std::string head = fmt::format("A: {} ({:g} to {:g} ms)\nB: {}\n   {}\n\n", c.file, c.t0, c.t1, p.file, p.source);
    std::string table;
    std::vector<std::string> names;
    for (const auto& s : c.populations) names.push_back(s.name);
    for (const bool rate : {true, false}) {
        const char* key = rate ? "rate_Hz" : "cv_isi";
        auto values_of = [&](const published_set& s) { return rate ? &s.rate_Hz : &s.cv_isi; };
        // Myelin's values are shown even where no set publishes the quantity.
        std::vector<std::size_t> sets;
        for (std::size_t k = 0; k < p.sets.size(); ++k)
            if (*values_of(p.sets[k])) sets.push_back(k);
        table += fmt::format("{:<12} {:>10}", rate ? "rate (Hz)" : "CV of ISIs", "Myelin");
        for (auto k : sets) table += fmt::format(" {:>12} {:>7}", fmt::format("set {}", k + 1), "ratio");
        table += "\n";
        std::vector<report::series> series{{"Myelin", {}}};
        for (auto k : sets) series.push_back({p.sets[k].label, {}});
        for (std::size_t i = 0; i < names.size(); ++i) {
            const double mine = rate ? c.populations[i].mean_rate_Hz : c.populations[i].mean_cv_isi;
            series[0].values.push_back(mine);
            table += fmt::format("{:<12} {:>10.3f}", names[i], mine);
            json row{{"population", names[i]}, {"myelin", number(mine)}};
            for (std::size_t s = 0; s < sets.size(); ++s) {
                const auto& values = **values_of(p.sets[sets[s]]);
                const auto it = values.find(names[i]);
                if (it == values.end()) {
                    series[s + 1].values.push_back(NAN);
                    table += fmt::format(" {:>12} {:>7}", "-", "-");
                    continue;
                }
                const double theirs = it->second;
                series[s + 1].values.push_back(theirs);
                table += fmt::format(" {:>12.3f} {:>7.3f}", theirs, mine / theirs);
                row["published"].push_back({{"set", p.sets[sets[s]].label}, {"value", theirs}, {"ratio", number(mine / theirs)}});
            }
            table += "\n";
            j[key].push_back(row);
        }
        table += "\n";
        if (figures)
            r.figures.push_back(report::dots(rate ? "mean firing rate (Hz) per population" : "mean CV of ISIs per population",
                                             names, series));
    }
    for (std::size_t k = 0; k < p.sets.size(); ++k) head += fmt::format("set {}: {}\n", k + 1, p.sets[k].label);
    r.text = head + "\n" + table;
    r.json = j.dump(1);
    return r;
}

namespace {

std::uint32_t file_crc(const std::string& path) {
    boost::crc_32_type crc;
    std::ifstream in(path, std::ios::binary);
    std::vector<char> buffer(1 << 16);
    while (in.read(buffer.data(), static_cast<std::streamsize>(buffer.size())) || in.gcount() > 0)
        crc.process_bytes(buffer.data(), static_cast<std::size_t>(in.gcount()));
    return crc.checksum();
}

}  // namespace

void write_report(const comparison_report& r, io::output_dir& out, const provenance& from) {
    json made{{"myelin_version", version()}, {"commit", commit()},
              {"date", fmt::format("{:%Y-%m-%dT%H:%M:%S}+00:00", io::creation_time())}};
    if (!from.command.empty()) made["command"] = from.command;
    if (from.seed) made["seed"] = *from.seed;
    std::string inputs;
    for (const auto& f : from.inputs) {
        const std::string crc = fmt::format("{:08x}", file_crc(f));
        made["inputs"].push_back({{"file", f}, {"crc32", crc}});
        inputs += fmt::format("<br>{} (CRC-32 {})", report::escape(f), crc);
    }
    json j = json::parse(r.json);
    j["provenance"] = made;
    std::ofstream(out.file("report.json")) << j.dump(1) << "\n";

    std::string summary = "<pre>" + report::escape(r.text) + "</pre>";
    if (!r.notes.empty()) {
        summary += "<h2>How to read it</h2>\n";
        for (const auto& n : r.notes) summary += "<p>" + report::escape(n) + "</p>\n";
    }
    std::string footer = fmt::format("<footer><p>Made by Myelin {} (commit {}) on {}", version(), commit(),
                                     made["date"].get<std::string>());
    if (from.seed) footer += fmt::format(", resampling seed {}", *from.seed);
    if (!from.command.empty()) footer += "<br>command: <code>" + report::escape(from.command) + "</code>";
    if (!inputs.empty()) footer += "<br>inputs:" + inputs;
    footer += "</p></footer>";
    std::ofstream(out.file("report.html")) << report::page(r.title, summary, r.figures, footer);

    // Each figure on its own, for papers and slides.
    const bool png = std::system("command -v rsvg-convert >/dev/null 2>&1") == 0;
    for (std::size_t k = 0; k < r.figures.size(); ++k) {
        const auto svg = out.file(fmt::format("figure_{:02}.svg", k + 1));
        std::ofstream(svg) << report::standalone_svg(r.figures[k]);
        if (png) {
            [[maybe_unused]] const int failed = std::system(fmt::format("rsvg-convert --zoom 2 '{}' -o '{}' >/dev/null 2>&1", svg.string(),
                                    out.file(fmt::format("figure_{:02}.png", k + 1)).string())
                            .c_str());
        }
    }
    out.commit();
}

}  // namespace myelin::analysis
