// The comparison measures of `myelin compare` (analysis/) on NumPy arrays.
#include "bindings.hpp"

#include <myelin/analysis/compare_inputs.hpp>
#include <myelin/analysis/comparison.hpp>
#include <myelin/analysis/representation.hpp>
#include <myelin/analysis/spike_measures.hpp>
#include <myelin/analysis/spike_stats.hpp>
#include <myelin/analysis/statistics.hpp>
#include <myelin/core/error.hpp>
#include <myelin/io/output_dir.hpp>

#include <fmt/format.h>
#include <pybind11/eigen.h>

#include <omp.h>

#include <span>

namespace myelin::python {

namespace {

using analysis::matrix;
using doubles = py::array_t<double, py::array::c_style | py::array::forcecast>;
using ids = py::array_t<std::uint64_t, py::array::c_style | py::array::forcecast>;

std::span<const double> span_of(const doubles& a, const char* name) {
    if (a.ndim() != 1) throw input_error("", name, fmt::format("expected a 1-D array, got {} dimensions", a.ndim()));
    return {a.data(), static_cast<std::size_t>(a.size())};
}

// Two representations of the same stimuli: rows are stimuli, columns units.
void check_pair(const matrix& x, const matrix& y) {
    if (x.rows() != y.rows())
        throw input_error("", "", fmt::format("A has {} stimuli (rows) and B {}: the rows must be the same stimuli, in "
                                              "the same order",
                                              x.rows(), y.rows()));
    if (x.rows() < 3)
        throw input_error("", "", fmt::format("{} stimuli (rows); at least 3 are needed", x.rows()));
    if (x.cols() < 1 || y.cols() < 1) throw input_error("", "", "a representation without units (columns)");
}

analysis::representation_measure measure_of(const std::string& name) {
    try {
        return analysis::parse_measure(name);
    } catch (const std::invalid_argument& e) {
        throw input_error("", "measure", e.what());
    }
}

analysis::rdm_metric metric_of(const std::string& m) {
    if (m == "correlation") return analysis::rdm_metric::correlation;
    if (m == "euclidean") return analysis::rdm_metric::euclidean;
    throw input_error("", "metric", fmt::format("'{}'; must be 'correlation' or 'euclidean'", m));
}

analysis::rdm_comparison comparison_of(const std::string& c) {
    if (c == "spearman") return analysis::rdm_comparison::spearman;
    if (c == "kendall") return analysis::rdm_comparison::kendall_tau_a;
    throw input_error("", "comparison", fmt::format("'{}'; must be 'spearman' or 'kendall'", c));
}

// Binned counts (trains x bins) as the analysis library takes them.
std::vector<std::vector<double>> rows_of(const matrix& counts) {
    std::vector<std::vector<double>> rows(static_cast<std::size_t>(counts.rows()));
    for (Eigen::Index i = 0; i < counts.rows(); ++i)
        rows[static_cast<std::size_t>(i)].assign(counts.row(i).begin(), counts.row(i).end());
    return rows;
}

py::dict stats_dict(const analysis::population_stats& s) {
    py::dict d;
    d["name"] = s.name;
    d["neurons"] = s.n_neurons;
    d["spikes"] = s.n_spikes;
    d["rate"] = s.mean_rate_Hz;
    d["cv"] = s.mean_cv_isi;
    d["cv_neurons"] = s.n_cv;
    return d;
}

// A comparison as `myelin compare` reports it: the printed table, report.json, the
// figures, and write() for the report folder.
struct report {
    analysis::comparison_report r;
    std::optional<std::uint32_t> seed;  // of the resampling, if any
    void write(const std::filesystem::path& folder, bool force, std::string command,
               const std::vector<std::string>& inputs) const {
        if (command.empty()) {  // the script that made it, as the program gives its command line
            command = "python3";
            for (const auto& arg : py::module_::import("sys").attr("argv")) command += " " + py::cast<std::string>(arg);
        }
        io::output_dir out(folder, force);
        analysis::write_report(r, out, {command, inputs, seed});
    }
};

// Spike trains (one array of ms per neuron) observed over [t0, t1).
analysis::spike_trains trains_of(const std::vector<std::vector<double>>& trains, double t0, double t1,
                                 const std::string& label, const char* name) {
    if (!(t1 > t0)) throw input_error("", name, fmt::format("t_stop = {} ms; must be > t_start = {} ms", t1, t0));
    if (trains.empty()) throw input_error("", name, "no spike trains");
    analysis::spike_trains s;
    s.label = label;
    s.file = "arrays";
    s.selection = fmt::format("{} trains", trains.size());
    s.t0 = t0;
    s.t1 = t1;
    for (auto t : trains) {
        std::sort(t.begin(), t.end());
        std::erase_if(t, [&](double x) { return x < t0 || x >= t1; });
        s.trains.push_back(std::move(t));
    }
    return s;
}

analysis::representation representation_of(const matrix& m, const std::string& label,
                                            const std::vector<std::string>& conditions) {
    analysis::representation r;
    r.label = label;
    r.file = "array";
    r.what = fmt::format("{} stimuli x {} units", m.rows(), m.cols());
    r.m = m;
    r.conditions = conditions;
    return r;
}

}  // namespace

void bind_analysis(py::module_& m) {
    py::class_<report>(m, "Report", "A comparison as `myelin compare` reports it.")
        .def_property_readonly("text", [](const report& r) { return r.r.text; }, "The table the program prints.")
        .def_property_readonly("json", [](const report& r) { return r.r.json; }, "report.json's text.")
        .def_property_readonly("figures", [](const report& r) { return r.r.figures; }, "The figures, as SVG.")
        .def_property_readonly("notes", [](const report& r) { return r.r.notes; }, "How to read the numbers.")
        .def("write", &report::write, py::arg("folder"), py::arg("force") = false, py::arg("command") = "",
             py::arg("inputs") = std::vector<std::string>{},
             "Writes report.html, report.json and figure_NN.svg into `folder` (staged: nothing appears unless "
             "all is written; an existing folder only with force).");
    m.def(
        "compare_spike_trains",
        [](const std::vector<std::vector<double>>& a, const std::vector<std::vector<double>>& b, double t_start_a,
           double t_stop_a, std::optional<double> t_start_b, std::optional<double> t_stop_b, double bin,
           const std::string& label_a, const std::string& label_b, bool figures) {
            if (!(bin > 0.0)) throw input_error("", "bin", fmt::format("{} ms; must be > 0", bin));
            auto sa = trains_of(a, t_start_a, t_stop_a, label_a, "a");
            auto sb = trains_of(b, t_start_b.value_or(t_start_a), t_stop_b.value_or(t_stop_a), label_b, "b");
            const py::gil_scoped_release unlocked;
            return report{analysis::report_of(analysis::compare_spikes(std::move(sa), std::move(sb), bin), figures), {}};
        },
        py::arg("a"), py::arg("b"), py::arg("t_start"), py::arg("t_stop"), py::arg("t_start_b") = py::none(),
        py::arg("t_stop_b") = py::none(), py::arg("bin") = 5.0, py::arg("label_a") = "A", py::arg("label_b") = "B",
        py::arg("figures") = true,
        "myelin compare of two sets of spike trains (lists of arrays of ms), each observed over [t_start, t_stop): "
        "rates, CV, LV, correlations (KS, W1), synchrony, rasters.");
    m.def(
        "compare_representations",
        [](const matrix& a, const matrix& b, const std::vector<std::string>& measures, int permutations, int bootstrap,
           double level, std::uint32_t seed, const std::optional<matrix>& input,
           const std::vector<std::string>& conditions, const std::string& label_a, const std::string& label_b,
           bool figures, int threads) {
            check_pair(a, b);
            if (input && input->rows() != a.rows())
                throw input_error("", "input", fmt::format("{} stimuli (rows); A and B have {}", input->rows(), a.rows()));
            if (!conditions.empty() && conditions.size() != static_cast<std::size_t>(a.rows()))
                throw input_error("", "conditions", fmt::format("{} for {} stimuli; one per stimulus", conditions.size(),
                                                                a.rows()));
            analysis::representation_settings settings;
            for (const auto& name : measures) settings.measures.push_back(measure_of(name));
            if (settings.measures.empty()) throw input_error("", "measures", "none given");
            if (permutations < 1 || bootstrap < 1)
                throw input_error("", permutations < 1 ? "permutations" : "bootstrap", "must be >= 1");
            if (!(level > 0.0 && level < 1.0)) throw input_error("", "level", fmt::format("{}; must be in (0, 1)", level));
            settings.permutations = permutations;
            settings.bootstrap = bootstrap;
            settings.level = level;
            settings.seed = seed;
            auto ra = representation_of(a, label_a, conditions), rb = representation_of(b, label_b, conditions);
            std::optional<analysis::representation> raw;
            if (input) raw = representation_of(*input, "input", conditions);
            const py::gil_scoped_release unlocked;
            omp_set_num_threads(threads);
            auto c = analysis::compare_representations(std::move(ra), std::move(rb), std::move(settings), raw);
            return report{analysis::report_of(c, figures), seed};
        },
        py::arg("a"), py::arg("b"), py::arg("measures") = std::vector<std::string>{"linear_cka", "rsa", "procrustes"},
        py::arg("permutations") = 1000, py::arg("bootstrap") = 1000, py::arg("level") = 0.95, py::arg("seed") = 1,
        py::arg("input") = py::none(), py::arg("conditions") = std::vector<std::string>{}, py::arg("label_a") = "A",
        py::arg("label_b") = "B", py::arg("figures") = true, py::arg("threads") = 1,
        "myelin compare of two stimuli x units matrices: each measure with its permutation p and bootstrap interval, "
        "against the raw input if given; RDM figures in the order of `conditions`.");
    // Representations (analysis/representation.hpp has the equations and sources).
    m.def(
        "linear_cka",
        [](const matrix& a, const matrix& b, bool debiased) {
            check_pair(a, b);
            return analysis::linear_cka(a, b, debiased);
        },
        py::arg("a"), py::arg("b"), py::arg("debiased") = false,
        "Linear CKA (Kornblith et al. 2019) of two stimuli x units matrices; debiased: Song et al.'s unbiased HSIC.");
    m.def(
        "rbf_cka",
        [](const matrix& a, const matrix& b, double fraction, bool debiased) {
            check_pair(a, b);
            if (!(fraction > 0.0)) throw input_error("", "fraction", fmt::format("{}; must be > 0", fraction));
            return analysis::rbf_cka(a, b, fraction, debiased);
        },
        py::arg("a"), py::arg("b"), py::arg("fraction") = 1.0, py::arg("debiased") = false,
        "CKA with RBF kernels of width `fraction` x the median distance.");
    m.def(
        "rsa",
        [](const matrix& a, const matrix& b, const std::string& metric, const std::string& comparison) {
            check_pair(a, b);
            return analysis::rsa(a, b, metric_of(metric), comparison_of(comparison));
        },
        py::arg("a"), py::arg("b"), py::arg("metric") = "correlation", py::arg("comparison") = "spearman",
        "RSA: the RDMs' upper triangles (metric 'correlation': 1 - r, or 'euclidean') compared by 'spearman' or "
        "'kendall' (tau-a).");
    m.def(
        "rdm",
        [](const matrix& a, const std::string& metric) { return to_array(analysis::rdm(a, metric_of(metric))); },
        py::arg("a"), py::arg("metric") = "correlation",
        "The upper triangle of the RDM of a's rows (scipy's pdist order).");
    m.def(
        "procrustes",
        [](const matrix& a, const matrix& b) {
            check_pair(a, b);
            return analysis::procrustes_distance(a, b);
        },
        py::arg("a"), py::arg("b"), "Orthogonal Procrustes distance (Williams et al. 2021), in [0, 2].");
    m.def(
        "compare",
        [](const matrix& a, const matrix& b, const std::string& measure) {
            check_pair(a, b);
            return measure_of(measure)(a, b);
        },
        py::arg("a"), py::arg("b"), py::arg("measure") = "linear_cka",
        "A measure named as in `myelin compare --measure`: linear_cka, debiased_cka, rbf_cka[:f], "
        "rsa[:correlation|euclidean[:spearman|kendall]], procrustes.");
    m.def(
        "permutation_test",
        [](const matrix& a, const matrix& b, const std::string& measure, int n, std::uint32_t seed) {
            check_pair(a, b);
            if (n < 1) throw input_error("", "n", fmt::format("{} permutations; must be >= 1", n));
            analysis::permutation_result r;
            {
                const py::gil_scoped_release unlocked;
                r = analysis::permutation_test(a, b, measure_of(measure), n, seed);
            }
            py::dict d;
            d["observed"] = r.observed;
            d["p_value"] = r.p_value;
            d["null_mean"] = r.null_mean;
            d["null_sd"] = r.null_sd;
            d["n"] = r.n_permutations;
            return d;
        },
        py::arg("a"), py::arg("b"), py::arg("measure") = "linear_cka", py::arg("n") = 1000, py::arg("seed") = 12345,
        "B's stimuli shuffled n times: p = (1 + #null at least as extreme) / (1 + n).");
    m.def(
        "bootstrap_ci",
        [](const matrix& a, const matrix& b, const std::string& measure, int n, double level, std::uint32_t seed) {
            check_pair(a, b);
            if (n < 1) throw input_error("", "n", fmt::format("{} resamples; must be >= 1", n));
            if (!(level > 0.0 && level < 1.0)) throw input_error("", "level", fmt::format("{}; must be in (0, 1)", level));
            analysis::interval r;
            {
                const py::gil_scoped_release unlocked;
                r = analysis::bootstrap_ci(a, b, measure_of(measure), n, level, seed);
            }
            py::dict d;
            d["low"] = r.low;
            d["high"] = r.high;
            d["n_valid"] = r.n_valid;
            d["z0"] = r.z0;
            return d;
        },
        py::arg("a"), py::arg("b"), py::arg("measure") = "linear_cka", py::arg("n") = 1000, py::arg("level") = 0.95,
        py::arg("seed") = 12345, "Bias-corrected percentile bootstrap interval over resampled stimuli (Efron 1981).");

    // Spike trains (analysis/spike_stats.hpp, spike_measures.hpp).
    m.def(
        "spike_stats",
        [](const doubles& times, const ids& node_ids, std::uint64_t n_neurons, double t_start, double t_stop,
           const std::string& name) {
            const auto t = span_of(times, "times");
            if (node_ids.ndim() != 1 || static_cast<std::size_t>(node_ids.size()) != t.size())
                throw input_error("", "ids", fmt::format("{} ids for {} times; one per spike", node_ids.size(), t.size()));
            const std::span<const std::uint64_t> id(node_ids.data(), t.size());
            for (auto i : id)
                if (i >= n_neurons)
                    throw input_error("", "ids", fmt::format("id {}; must be < n_neurons = {}", i, n_neurons));
            if (!(t_stop > t_start))
                throw input_error("", "t_stop", fmt::format("{} ms; must be > t_start = {} ms", t_stop, t_start));
            return stats_dict(analysis::spike_stats(name, n_neurons, t, id, t_start, t_stop));
        },
        py::arg("times"), py::arg("ids"), py::arg("n_neurons"), py::arg("t_start"), py::arg("t_stop"),
        py::arg("name") = "",
        "Mean rate (Hz) and mean CV of ISIs of a population's spikes in [t_start, t_stop) (times in ms).");
    m.def(
        "cv_isi", [](const doubles& t) { return analysis::cv_isi(span_of(t, "times")); }, py::arg("times"),
        "CV of one neuron's ISIs (sorted times); NaN below 3 spikes.");
    m.def(
        "local_variation", [](const doubles& t) { return analysis::local_variation(span_of(t, "times")); },
        py::arg("times"), "LV (Shinomoto et al. 2003) of sorted spike times; NaN below 3 spikes.");
    m.def(
        "fano_factor",
        [](const doubles& t, double t_start, double t_stop, double window) {
            if (!(window > 0.0)) throw input_error("", "window", fmt::format("{} ms; must be > 0", window));
            return analysis::fano_factor(span_of(t, "times"), t_start, t_stop, window);
        },
        py::arg("times"), py::arg("t_start"), py::arg("t_stop"), py::arg("window"),
        "Variance / mean of spike counts in consecutive windows (ms).");
    m.def(
        "victor_purpura",
        [](const doubles& a, const doubles& b, double q) {
            return analysis::victor_purpura(span_of(a, "a"), span_of(b, "b"), q);
        },
        py::arg("a"), py::arg("b"), py::arg("q"), "Victor-Purpura distance, shift cost q per ms.");
    m.def(
        "van_rossum",
        [](const doubles& a, const doubles& b, double tau) {
            if (!(tau > 0.0)) throw input_error("", "tau", fmt::format("{} ms; must be > 0", tau));
            return analysis::van_rossum(span_of(a, "a"), span_of(b, "b"), tau);
        },
        py::arg("a"), py::arg("b"), py::arg("tau"), "van Rossum distance with exp(-t/tau) kernels (ms).");
    m.def(
        "wasserstein",
        [](const doubles& a, const doubles& b) { return analysis::wasserstein_1(span_of(a, "a"), span_of(b, "b")); },
        py::arg("a"), py::arg("b"), "Earth mover's distance between two samples (scipy.stats.wasserstein_distance).");
    m.def(
        "ks_2samp",
        [](const doubles& a, const doubles& b) {
            const auto r = analysis::ks_2samp(span_of(a, "a"), span_of(b, "b"));
            py::dict d;
            d["statistic"] = r.statistic;
            d["p_value"] = r.p_value;
            d["exact"] = r.exact;
            return d;
        },
        py::arg("a"), py::arg("b"), "Two-sample Kolmogorov-Smirnov test, two-sided (scipy's method='exact').");
    m.def(
        "binned_counts",
        [](const std::vector<std::vector<double>>& trains, double t_start, double t_stop, double bin) {
            if (!(bin > 0.0)) throw input_error("", "bin", fmt::format("{} ms; must be > 0", bin));
            auto counts = analysis::binned_counts(trains, t_start, t_stop, bin);
            const auto cols = counts.empty() ? 0 : counts[0].size();
            std::vector<double> flat;
            flat.reserve(counts.size() * cols);
            for (const auto& row : counts) flat.insert(flat.end(), row.begin(), row.end());
            return to_array(std::move(flat), {static_cast<py::ssize_t>(counts.size()), static_cast<py::ssize_t>(cols)});
        },
        py::arg("trains"), py::arg("t_start"), py::arg("t_stop"), py::arg("bin"),
        "Spike counts of each train (a list of arrays of ms) in bins from t_start: trains x bins.");
    m.def(
        "pairwise_correlations",
        [](const matrix& counts) { return to_array(analysis::pairwise_correlations(rows_of(counts))); },
        py::arg("counts"), "Pearson r of every pair of rows i < j of binned counts (NaN where a row does not vary).");
    m.def(
        "synchrony",
        [](const matrix& counts) { return analysis::synchrony(rows_of(counts)); },
        py::arg("counts"), "Golomb's chi of binned counts (trains x bins).");
}

}  // namespace myelin::python
